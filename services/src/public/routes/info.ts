import type Router from '@koa/router';
import { HttpError } from '../../http/errors.ts';
import { computeStats } from '../../stats/compute.ts';
import { communeShapes } from '../../stats/map.ts';
import { statsBody } from '../stats-view.ts';
import { statsQuery } from '../../stats/query.ts';
import { privacyPage } from '../account-views.ts';
import type { PublicKit } from '../kit.ts';
import { csrfToken, currentCitizen } from '../session.ts';
import { listTerritories } from '../territories.ts';

/** The pages everyone may read: personal data (the privacy notice) and the public statistics. */
export function infoRoutes(root: Router, k: PublicKit) {
  const { s } = k;

  root.get(
    '/confidentialite',
    k.pages(async (ctx) => {
      const citizen = await currentCitizen(s.db, ctx);
      const ts = await listTerritories(s.db);
      const only = ts.length === 1 ? ts[0] : undefined;
      k.render(
        ctx,
        { title: 'Données personnelles', citizen, csrf: csrfToken(ctx), territory: only },
        privacyPage(k.c.RETENTION_MONTHS, only),
      );
    }),
  );

  root.get(
    '/stats',
    k.pages(async (ctx) => {
      const q = await statsQuery(
        s,
        { territory: ctx.query.territoire, from: ctx.query.du, to: ctx.query.au },
        { territory: 'territoire', from: 'du', to: 'au' },
      ).catch((e) => {
        if (e instanceof HttpError && e.status === 400) throw new HttpError(400, 'invalid_input', e.message);
        throw e;
      });
      const [st, shapes, ts] = await Promise.all([
        computeStats(s.db, q),
        communeShapes(s.db, q.territory?.id ?? null),
        listTerritories(s.db),
      ]);
      const query = new URLSearchParams({
        ...(q.territory ? { territory: q.territory.slug } : {}),
        from: q.from.slice(0, 7),
        to: q.to.slice(0, 7),
      }).toString();
      const citizen = await currentCitizen(s.db, ctx);
      k.render(
        ctx,
        {
          title: 'Statistiques',
          citizen,
          csrf: csrfToken(ctx),
          territory: q.territory ? ts.find((t) => t.id === q.territory!.id) : undefined,
        },
        statsBody(st, shapes, ts, query),
      );
    }),
  );
}
