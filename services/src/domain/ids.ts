import type { Queryable } from '@comobi/db';

/**
 * Draws `n` ids of a table's identity column before a batch insert: each input gets its own id whatever order the
 * database inserts the rows in (the writers insert many rows in one statement).
 */
export async function drawIds(tx: Queryable, table: 'people' | 'requests' | 'trips', n: number): Promise<number[]> {
  const { rows } = await tx.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence('${table}', 'id'))::int AS id FROM generate_series(1, $1)`,
    [n],
  );
  return rows.map((r) => r.id);
}
