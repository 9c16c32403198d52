import type { Context, Next } from 'koa';
import type { Services } from '../context.ts';
import { HttpError } from '../http/errors.ts';
import { hit } from '../security/rate-limit.ts';
import { readForm } from '../security/body.ts';
import type { PublicConfig } from './config.ts';
import { identity, place, type Errors } from './forms.ts';
import type { FranceConnect } from './franceconnect.ts';
import { page, type Html, type PageChrome } from './html.ts';
import { checkCsrf, currentCitizen } from './session.ts';
import { communesOf, territoryBySlug, type PublicTerritory } from './territories.ts';
import { message } from './views.ts';

/** What every public page handler shares: the services, the page chrome, errors as pages, the form limits. */
export interface PublicKit {
  s: Services;
  c: PublicConfig;
  fc: FranceConnect | null;
  render(ctx: Context, chrome: Omit<PageChrome, 'franceConnect' | 'jdma'>, body: Html, status?: number): void;
  /** A handler whose client errors become French pages (the JSON error middleware serves the API). */
  pages(handler: (ctx: Context) => Promise<void>): (ctx: Context, next: Next) => Promise<void>;
  territoryOf(ctx: Context): Promise<PublicTerritory>;
  formLimit: { name: string; max: number; windowS: number };
  loginLimit: { name: string; max: number; windowS: number };
}

const ERROR_TEXTS = (e: HttpError): Record<number, [string, string]> => ({
  403: [
    'Action refusée',
    e.code === 'login_failed'
      ? 'La connexion avec FranceConnect a échoué. Veuillez réessayer.'
      : 'Le formulaire a expiré ou n’est pas valide. Rechargez la page et réessayez.',
  ],
  404: ['Page non trouvée', 'La page demandée n’existe pas.'],
  413: ['Formulaire trop long', 'Le formulaire envoyé est trop volumineux.'],
  415: ['Formulaire non valide', 'Le formulaire envoyé n’est pas valide.'],
  429: [
    'Trop de tentatives',
    'Vous avez envoyé trop de formulaires. Réessayez dans quelques minutes ou appelez la coordination.',
  ],
});

export function publicKit(s: Services, c: PublicConfig, fc: FranceConnect | null): PublicKit {
  const jdma = c.JDMA_ID ? { productId: c.JDMA_ID, buttonId: c.JDMA_BUTTON_ID ?? c.JDMA_ID } : undefined;
  const render: PublicKit['render'] = (ctx, chrome, body, status = 200) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page({ ...chrome, franceConnect: Boolean(fc), jdma }, body);
  };
  return {
    s,
    c,
    fc,
    render,
    pages: (handler) => async (ctx, next) => {
      try {
        await handler(ctx);
      } catch (e) {
        if (!(e instanceof HttpError) || e.status >= 500) throw e;
        for (const [k, v] of Object.entries(e.headers)) ctx.set(k, v);
        const [title, body] =
          ERROR_TEXTS(e)[e.status] ??
          (e.fields.length
            ? ['Formulaire non valide', 'Un champ contient un caractère non autorisé. Corrigez-le et réessayez.']
            : ['Demande non valide', 'La demande n’est pas valide.']);
        render(ctx, { title }, message(title, body), e.status);
      }
      void next;
    },
    territoryOf: async (ctx) => {
      const t = await territoryBySlug(s.db, String(ctx.params.slug ?? ''));
      if (!t) throw new HttpError(404, 'not_found', 'territory not found');
      return t;
    },
    formLimit: { name: 'form', max: c.RATE_LIMIT_FORMS, windowS: c.RATE_LIMIT_WINDOW_S },
    loginLimit: { name: 'login', max: c.RATE_LIMIT_LOGINS, windowS: c.RATE_LIMIT_WINDOW_S },
  };
}

/** What both trip forms start with: territory, the form (CSRF and rate limit checked), who, from and to. */
export async function readTripForm(k: PublicKit, ctx: Context) {
  const t = await k.territoryOf(ctx);
  const f = await readForm(ctx);
  checkCsrf(ctx, f);
  await hit(k.s.db, ctx, k.formLimit);
  const citizen = await currentCitizen(k.s.db, ctx);
  const cs = await communesOf(k.s.db, t.id);
  const e: Errors = {};
  const who = citizen?.personId ? null : identity(f, e);
  const from = place(f, e, 'depart', cs);
  const to = place(f, e, 'arrivee', cs);
  if (from && to && from.insee === to.insee)
    e.arrivee = 'Choisissez une commune d’arrivée différente de la commune de départ.';
  return { t, f, citizen, cs, e, who, from, to };
}

/** A place as its label: "Place de l'église, Lauzès". */
export const labelOf = (p: { name: string; detail: string | null }) => (p.detail ? `${p.detail}, ${p.name}` : p.name);
