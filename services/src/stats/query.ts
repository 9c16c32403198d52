import type { Services } from '../context.ts';
import { badRequest, notFound } from '../http/errors.ts';
import type { StatsQuery } from './compute.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/;
const MAX_MONTHS = 60;

const lastDay = (ym: string) => {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const monthOf = (d: Date) => d.toISOString().slice(0, 7);

/**
 * Reads territory, from and to. Periods are whole months (a day is taken as its month): narrow windows would let
 * differences between two answers single a person out. Default: the last twelve months and the next three
 * (requests are counted on the day of the trip asked for).
 */
export async function statsQuery(s: Services, q: { territory?: unknown; from?: unknown; to?: unknown }, names = { territory: 'territory', from: 'from', to: 'to' }): Promise<StatsQuery> {
  const str = (v: unknown, field: string) => {
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || v.length > 60) throw badRequest(field, 'must be given once');
    return v;
  };
  const slug = str(q.territory, names.territory);
  const from = str(q.from, names.from);
  const to = str(q.to, names.to);
  const now = new Date();
  const fromMonth = from ?? monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)));
  const toMonth = to ?? monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1)));
  if (!MONTH.test(fromMonth)) throw badRequest(names.from, 'expected a month YYYY-MM (or a date YYYY-MM-DD)');
  if (!MONTH.test(toMonth)) throw badRequest(names.to, 'expected a month YYYY-MM (or a date YYYY-MM-DD)');
  const f = fromMonth.slice(0, 7);
  const t = toMonth.slice(0, 7);
  if (f > t) throw badRequest(names.to, 'is before from');
  const span = (Number(t.slice(0, 4)) - Number(f.slice(0, 4))) * 12 + Number(t.slice(5, 7)) - Number(f.slice(5, 7)) + 1;
  if (span > MAX_MONTHS) throw badRequest(names.to, `a period is at most ${MAX_MONTHS} months`);
  let territory: StatsQuery['territory'] = null;
  if (slug) {
    if (!/^[a-z0-9-]{2,40}$/.test(slug)) throw badRequest(names.territory, 'unknown territory');
    const { rows } = await s.db.query<{ id: number; slug: string; name: string }>('SELECT id, slug, name FROM territories WHERE slug = $1', [slug]);
    if (!rows[0]) throw notFound('territory', slug);
    territory = rows[0];
  }
  return { territory, from: `${f}-01`, to: lastDay(t) };
}
