import type Router from '@koa/router';
import type { Context } from 'koa';
import { citizenOfFranceConnect } from '../../domain/people.ts';
import { HttpError } from '../../http/errors.ts';
import { hit } from '../../security/rate-limit.ts';
import { readForm } from '../../security/body.ts';
import type { PublicKit } from '../kit.ts';
import { checkCsrf, closeSession, currentCitizen, openSession } from '../session.ts';
import { listTerritories } from '../territories.ts';
import { message } from '../views.ts';

const STATE_COOKIE = 'comobi_oidc';
const STATE_MAX_AGE_MS = 15 * 60_000;

/** FranceConnect: login (authorization code flow with state and nonce), callback, logout and its return. */
export function franceConnectRoutes(root: Router, k: PublicKit) {
  const { s, fc } = k;
  const keepState = (ctx: Context, state: string) =>
    ctx.cookies.set(STATE_COOKIE, state, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      path: '/auth/franceconnect',
      maxAge: STATE_MAX_AGE_MS,
      overwrite: true,
    });
  const takeState = (ctx: Context) => {
    const state = ctx.cookies.get(STATE_COOKIE);
    ctx.cookies.set(STATE_COOKIE, '', { path: '/auth/franceconnect', maxAge: 0, overwrite: true });
    return state;
  };
  const configured = () => {
    if (!fc) throw new HttpError(404, 'not_found', 'FranceConnect is not configured');
    return fc;
  };

  root.get(
    '/auth/franceconnect/login',
    k.pages(async (ctx) => {
      const fc = configured();
      await hit(s.db, ctx, k.loginLimit);
      const slug = typeof ctx.query.territoire === 'string' && ctx.query.territoire ? ctx.query.territoire : null;
      const ts = await listTerritories(s.db);
      const t = slug ? ts.find((x) => x.slug === slug) : ts.length === 1 ? ts[0] : undefined;
      if (slug && !t) throw new HttpError(404, 'not_found', 'territory not found');
      const { url, state } = await fc.authorizationUrl(s.db, t?.slug ?? null);
      keepState(ctx, state);
      ctx.redirect(url.href);
    }),
  );

  root.get(
    '/auth/franceconnect/callback',
    k.pages(async (ctx) => {
      const fc = configured();
      await hit(s.db, ctx, k.loginLimit);
      const who = await fc.callback(s.db, ctx.querystring, takeState(ctx));
      const ts = await listTerritories(s.db);
      const account = await s.db.transaction((tx) =>
        citizenOfFranceConnect(tx, who, () => {
          const t = ts.find((x) => x.slug === who.territorySlug) ?? (ts.length === 1 ? ts[0] : undefined);
          return t?.id ?? null;
        }),
      );
      await openSession(s.db, ctx, account.accountId, who.idToken, k.c.SESSION_HOURS);
      s.log('citizen logged in', { via: 'franceconnect' });
      ctx.redirect(account.hasPhone ? '/mes-trajets' : '/mon-compte');
    }),
  );

  root.post(
    '/auth/franceconnect/logout',
    k.pages(async (ctx) => {
      const f = await readForm(ctx);
      checkCsrf(ctx, f);
      const citizen = await currentCitizen(s.db, ctx);
      await closeSession(s.db, ctx);
      if (fc && citizen?.idToken) {
        const { url, state } = await fc.logoutUrl(s.db, citizen.idToken);
        keepState(ctx, state);
        return ctx.redirect(url.href);
      }
      ctx.redirect('/');
    }),
  );

  root.get(
    '/auth/franceconnect/logout-callback',
    k.pages(async (ctx) => {
      const fc = configured();
      await fc.logoutCallback(s.db, typeof ctx.query.state === 'string' ? ctx.query.state : null, takeState(ctx));
      k.render(
        ctx,
        { title: 'Déconnexion' },
        message('Vous êtes déconnecté', 'Vous êtes déconnecté de CoMobi et de FranceConnect.'),
      );
    }),
  );
}
