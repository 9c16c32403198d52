import net from 'node:net';
import type { Middleware } from 'koa';
import { addressList, unmapIPv4 as unmap } from './address-list.ts';

/** Whether an address is one of the configured reverse proxies. */
export type TrustedProxies = (ip: string) => boolean;

/** One X-Forwarded-For entry without the port some proxies add (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function hopAddress(hop: string): string {
  const h = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) return unmap(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(h);
  return unmap(v4WithPort ? v4WithPort[1] : h);
}

/** The configured reverse proxies (TRUSTED_PROXIES, checked by the config schema). */
export const trustedProxies = (entries: readonly string[]): TrustedProxies => addressList(entries);

/**
 * The client's address. The direct peer, unless it is a trusted proxy: then X-Forwarded-For is read from the right
 * (each proxy appends the address it saw) and the first address that is not a trusted proxy is the client. Anything
 * left of it was written by the client itself and is ignored: taking the leftmost entry, as Koa's `proxy` option
 * does, let anyone pick the address every per-address limit counts.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let address = unmap(peer);
  if (!forwardedFor || !trusted(address)) return address;
  for (const hop of forwardedFor.split(',').reverse()) {
    const ip = hopAddress(hop);
    // Not an address: no proxy of ours wrote that; the last address a trusted proxy vouched for stands.
    if (!net.isIP(ip)) return address;
    address = ip;
    if (!trusted(ip)) return ip;
  }
  // Every hop is a proxy of ours (a health check from inside, say): the furthest one.
  return address;
}

const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/**
 * Sets `ctx.ip` to the client's address, and removes the X-Forwarded-* headers of a peer that is not a trusted
 * proxy, so that Koa's `proxy` getters (protocol, host, secure) never take a client's word for them either.
 */
export function clientAddressMiddleware(trusted: TrustedProxies): Middleware {
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!trusted(peer)) for (const h of FORWARDED_HEADERS) delete ctx.req.headers[h];
    ctx.request.ip = clientAddress(peer, ctx.get('x-forwarded-for') || undefined, trusted);
    await next();
  };
}
