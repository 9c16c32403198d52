import type { Queryable } from '@comobi/db';

export const PROVIDER_KINDS = ['tad', 'seated_patient', 'taxi'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export interface ProviderInput {
  kind: ProviderKind;
  name: string;
  phone: string | null;
  notes: string | null;
  /** The area served: the union of these communes of the territory (INSEE codes); empty: the whole territory. */
  communes: string[];
}

/**
 * Transport providers of a territory (on-demand transport, seated-patient transport, taxis), their area drawn from
 * the territory's own communes, in the caller's transaction. Returns their ids in the order given.
 */
export async function addProviders(tx: Queryable, territoryId: number, list: ProviderInput[]): Promise<number[]> {
  const ids: number[] = [];
  for (const p of list) {
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO transport_providers (territory_id, kind, name, phone, notes, area)
       SELECT $1, $2, $3, $4, $5, CASE WHEN cardinality($6::text[]) = 0 THEN NULL ELSE
         (SELECT ST_Multi(ST_Union(geom)) FROM communes WHERE territory_id = $1 AND insee = ANY($6::text[])) END
       RETURNING id`,
      [territoryId, p.kind, p.name, p.phone, p.notes, p.communes],
    );
    ids.push(rows[0].id);
  }
  return ids;
}
