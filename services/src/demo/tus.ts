import fs from 'node:fs';
import path from 'node:path';
import type { Queryable } from '@comobi/db';
import { parseUrbanUnits, writeUrbanUnits } from '../territory/urban-units.ts';
import { residencesOf, writeTusSettings } from '../domain/tus.ts';

/**
 * The demo runs under the TUS rules: INSEE's urban units of the Lot (fixtures/lot-urban-units-2020.csv), the option
 * on with an invented association, and the passengers who live in an eligible commune recorded as beneficiaries by
 * residence with this year's membership (the others show the coordinator what a rule broken looks like).
 */
export async function loadDemoTus(tx: Queryable, territoryId: number, fixturesDir: string) {
  const file = 'lot-urban-units-2020.csv';
  await writeUrbanUnits(tx, parseUrbanUnits(fs.readFileSync(path.join(fixturesDir, file), 'utf8'), file), 'UU2020');
  const scope = { actor: 'demo', territoryIds: [territoryId] };
  await writeTusSettings(tx, scope, territoryId, {
    enabled: true,
    associationName: 'Association Mobilité solidaire du Lot (démo)',
    rna: null,
    associationAddress: null,
    employees: 1,
    memberFeeEur: 10,
    requireMembership: true,
    // The demo shows the rules; confirming stays possible (a territory turns blocking on in its settings).
    blockConfirmation: false,
    careRules: 'Réservation 48 h à l’avance auprès de la coordination ; trajets de 100 km au plus.',
  });
  const { rows } = await tx.query<{ id: number; commune_insee: string }>(
    `SELECT id, commune_insee FROM people WHERE territory_id = $1 AND is_passenger AND commune_insee IS NOT NULL ORDER BY id`,
    [territoryId],
  );
  const res = await residencesOf(tx, [...new Set(rows.map((r) => r.commune_insee))]);
  const eligible = rows.filter((r) => res.get(r.commune_insee)?.eligible);
  const today = new Date().toISOString().slice(0, 10);
  await tx.query(
    `INSERT INTO tus_beneficiaries (person_id, territory_id, by_residence, residence_insee, proof, proof_date, recorded_by)
     SELECT x.id, $1, true, x.insee, 'justificatif de domicile (démo)', $2::date, 'demo'
     FROM jsonb_to_recordset($3::jsonb) AS x(id int, insee text)`,
    [territoryId, today, JSON.stringify(eligible.map((r) => ({ id: r.id, insee: r.commune_insee })))],
  );
  await tx.query(
    `INSERT INTO tus_memberships (person_id, territory_id, year, fee_eur, paid_on, recorded_by)
     SELECT x, $1, extract(year FROM $2::date)::int, 10, $2::date, 'demo' FROM unnest($3::int[]) AS x`,
    [territoryId, today, eligible.map((r) => r.id)],
  );
  return { beneficiaries: eligible.length };
}
