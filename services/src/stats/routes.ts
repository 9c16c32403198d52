import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../context.ts';
import { badRequest } from '../http/errors.ts';
import { computeStats, type Stats } from './compute.ts';
import { statsQuery } from './query.ts';
import { display } from './suppress.ts';

const csvCell = (v: unknown) => {
  const s = String(v ?? '');
  return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function statsCsv(st: Stats): string {
  const rows: unknown[][] = [['indicator', 'key', 'label', 'value']];
  const v = (x: number | null) => display(x).replace(/\u202f|\u00a0/g, '');
  for (const [k, x] of Object.entries(st.indicators)) rows.push(['indicator', k, '', k === 'servedSharePct' ? (x === null ? '' : x) : v(x)]);
  for (const p of st.requestsByPurpose) rows.push(['requests_by_purpose', p.purpose, p.label, v(p.count)]);
  for (const p of st.unservedByReason) rows.push(['unserved_by_reason', p.reason, p.label, v(p.count)]);
  for (const m of st.byMonth) rows.push(['requests_by_month', m.month, '', v(m.requests)], ['served_by_month', m.month, '', v(m.served)]);
  for (const c of st.byCommune) rows.push(['requests_by_commune', c.insee, c.name, v(c.requests)], ['served_by_commune', c.insee, c.name, v(c.served)], ['unserved_by_commune', c.insee, c.name, v(c.unserved)]);
  for (const p of st.recruiting.pairs)
    rows.push(['unserved_by_pair', `${p.origin.insee}-${p.destination.insee}-${p.timeKind}-${p.hour}h`, `${p.origin.name} → ${p.destination.name}`, v(p.unserved)]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** GET /api/stats?territory=slug&from=YYYY-MM&to=YYYY-MM&format=json|csv — public, no authentication. */
export function statsApiRoute(root: Router, s: Services) {
  root.get('/api/stats', async (ctx: Context) => {
    const format = ctx.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('format', 'expected json or csv');
    const st = await computeStats(s.db, await statsQuery(s, ctx.query));
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('Access-Control-Allow-Origin', '*');
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="comobi-stats-${st.territory?.slug ?? 'tous'}-${st.from.slice(0, 7)}-${st.to.slice(0, 7)}.csv"`);
      ctx.body = statsCsv(st);
    } else {
      ctx.body = st;
    }
  });
}
