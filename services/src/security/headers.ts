import type { Context, Next } from 'koa';

export interface HeaderOptions {
  /** Origins a form may be sent to besides our own (FranceConnect's login and logout redirects). */
  formActionOrigins?: string[];
}

/**
 * Security headers on every answer. The strict CSP is a default: a part of the product that needs another one (a
 * single-page console) sets its own header and this middleware leaves it alone.
 */
export function securityHeaders(opts: HeaderOptions = {}) {
  const formAction = ["'self'", ...(opts.formActionOrigins ?? [])].join(' ');
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // DSFR draws some decorations with data: SVG images.
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } finally {
      if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', csp);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
      ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
      ctx.set('Permissions-Policy', 'geolocation=(), camera=(), microphone=()');
      // HSTS only when the client reached us over TLS (directly or through the reverse proxy).
      if (ctx.protocol === 'https') ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
  };
}
