import type { Queryable } from '@comobi/db';

const countBy = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));

/**
 * The console dashboard's counts (no personal data: all that viewers get), for one territory or all the reader
 * sees (the caller's row-level security scope).
 */
export async function dashboardCounts(tx: Queryable, territoryId: number | null) {
  const by = async (sql: string) => countBy((await tx.query<{ k: string; n: number }>(sql, [territoryId])).rows);
  return {
    requestsByStatus: await by(`SELECT status AS k, count(*)::int AS n FROM requests WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
    requestsByPurpose: await by(`SELECT purpose AS k, count(*)::int AS n FROM requests WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
    unservedReasons: await by(`SELECT unserved_reason AS k, count(*)::int AS n FROM requests WHERE status = 'unserved' AND ($1::int IS NULL OR territory_id = $1) GROUP BY 1`),
    matchesByStatus: await by(`SELECT status AS k, count(*)::int AS n FROM matches WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
    people: await by(`SELECT CASE WHEN is_driver AND is_passenger THEN 'both' WHEN is_driver THEN 'drivers' ELSE 'passengers' END AS k,
                        count(*)::int AS n FROM people WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
    activeTrips: (
      await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM trips WHERE active AND ($1::int IS NULL OR territory_id = $1)`, [territoryId])
    ).rows[0].n,
  };
}
