import type { Db, Queryable } from '@comobi/db';

/**
 * The single choke point of territory isolation: work done for a principal runs in a transaction as the
 * `comobi_scoped` role, whose row-level security policies (migration 002) show only the principal's territories.
 * A query that forgets its territory filter still cannot see another territory's rows.
 */
export async function asPrincipal<T, P extends { territoryIds: number[] | null }>(db: Db, p: P, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('comobi.territories', $1, true)", [
      p.territoryIds === null ? 'all' : p.territoryIds.join(','),
    ]);
    await tx.exec('SET LOCAL ROLE comobi_scoped');
    return fn(tx);
  });
}
