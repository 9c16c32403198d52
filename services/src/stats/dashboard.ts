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
    // A round trip driven both ways is two trips done (one match done per leg).
    tripsDone: (
      await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM matches WHERE status = 'done' AND ($1::int IS NULL OR territory_id = $1)`, [territoryId])
    ).rows[0].n,
    roundTrips: (
      await tx.query<{ requested: number; served: number }>(
        `SELECT count(*)::int AS requested,
           count(*) FILTER (WHERE (SELECT count(DISTINCT m.request_leg) FROM matches m WHERE m.request_id = r.id AND m.status = 'done') = 2)::int AS served
         FROM requests r WHERE (r.return_min IS NOT NULL OR r.return_after_min IS NOT NULL) AND ($1::int IS NULL OR r.territory_id = $1)`,
        [territoryId],
      )
    ).rows[0],
    activeTrips: (
      await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM trips WHERE active AND ($1::int IS NULL OR territory_id = $1)`, [territoryId])
    ).rows[0].n,
  };
}
