import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@comobi/db';
import { validateTable, type CellError, type TableSchema } from './table-schema.ts';

/** schema-lieux-covoiturage 0.2.0, as published by etalab (copied beside this module). */
export const BNLC_SCHEMA: TableSchema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'schema.json'), 'utf8'));

export class BnlcInvalid extends Error {
  constructor(readonly errors: CellError[]) {
    super(`BNLC file rejected: ${errors.length} error(s); first: line ${errors[0]?.line}, column ${errors[0]?.column}: ${errors[0]?.message}`);
  }
}

/**
 * Replaces the carpool areas with the file's, in one transaction: a file with any invalid cell is rejected whole
 * (the national base is consolidated, a partial import would silently drop areas).
 */
export async function importBnlc(db: Db, csvText: string): Promise<{ imported: number }> {
  const { rows, errors } = validateTable(csvText, BNLC_SCHEMA);
  if (errors.length) throw new BnlcInvalid(errors);
  const records = rows.map(({ values: v, extra }) => ({
    id: v.id_lieu, local_id: extra.id_local || null, name: v.nom_lieu, address: v.ad_lieu, commune: v.com_lieu,
    insee: v.insee, type: v.type, updated_on: v.date_maj, open: v.ouvert, source: v.source, lng: v.Xlong, lat: v.Ylat,
    places: v.nbre_pl, pmr: v.nbre_pmr, max_stay_h: v.duree, opening_hours: v.horaires, owner: v.proprio,
    lit: v.lumiere, comment: v.comm,
  }));
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM carpool_areas');
    // Batches keep each statement's JSON parameter reasonable on PGlite.
    for (let i = 0; i < records.length; i += 1000) {
      await tx.query(
        `INSERT INTO carpool_areas (id, local_id, name, address, commune, insee, type, updated_on, open, source, places,
           places_reduced_mobility, max_stay_h, opening_hours, owner, lit, comment, geom)
         SELECT x.id, x.local_id, x.name, x.address, x.commune, x.insee, x.type, x.updated_on, x.open, x.source, x.places,
           x.pmr, x.max_stay_h, x.opening_hours, x.owner, x.lit, x.comment, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, local_id text, name text, address text, commune text, insee text,
           type text, updated_on date, open boolean, source text, places int, pmr int, max_stay_h int, opening_hours text,
           owner text, lit boolean, comment text, lng float8, lat float8)`,
        [JSON.stringify(records.slice(i, i + 1000))],
      );
    }
  });
  return { imported: records.length };
}
