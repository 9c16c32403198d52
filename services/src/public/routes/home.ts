import type Router from '@koa/router';
import type { PublicKit } from '../kit.ts';
import { csrfToken, currentCitizen } from '../session.ts';
import { listTerritories } from '../territories.ts';
import { home, message, territoryList } from '../views.ts';

/** The home pages: the list of territories (or the only one), and a territory's home. */
export function homeRoutes(root: Router, k: PublicKit) {
  root.get(
    '/',
    k.pages(async (ctx) => {
      const ts = await listTerritories(k.s.db);
      if (ts.length === 1) return ctx.redirect(`/t/${ts[0].slug}`);
      const citizen = await currentCitizen(k.s.db, ctx);
      k.render(
        ctx,
        { title: 'Accueil', citizen, csrf: csrfToken(ctx) },
        ts.length ? territoryList(ts) : message('Covoiturage solidaire', 'Aucun territoire n’est encore ouvert.'),
      );
    }),
  );

  root.get(
    '/t/:slug',
    k.pages(async (ctx) => {
      const t = await k.territoryOf(ctx);
      const citizen = await currentCitizen(k.s.db, ctx);
      k.render(ctx, { title: 'Accueil', territory: t, citizen, csrf: csrfToken(ctx) }, home(t, citizen, Boolean(k.fc)));
    }),
  );
}
