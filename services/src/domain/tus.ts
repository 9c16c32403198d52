import type { Queryable } from '@comobi/db';
import { distanceM } from '../geo/sphere.ts';
import { badRequest, HttpError, notFound } from '../http/errors.ts';
import type { Router } from '../routing/types.ts';
import { loadPerson } from './people.ts';
import { loadRequest, type RequestRow } from './requests.ts';
import { inScope, type Scope, type Visibility } from './scope.ts';

/**
 * The rules of the transport d'utilité sociale (TUS): code des transports L3133-1, décret n° 2019-850 of 20 August
 * 2019 (articles R3133-1 et seq.), arrêté of 17 October 2019 (the €0.32/km cap and the yearly report). A territory
 * opts in (tus_settings.enabled); the rules are then checked on each request and shown to the coordinator, who may
 * still serve the request with an exception and its reason.
 */

/** R3133-1 1°: a commune rural, or of an urban unit under this many inhabitants. */
export const URBAN_UNIT_THRESHOLD = 12_000;
/** Trips of at most 100 km. */
export const TUS_MAX_KM = 100;
/** Arrêté of 17 October 2019: the participation asked of a beneficiary, at most €0.32 per kilometre travelled. */
export const TUS_CAP_EUR_PER_KM = 0.32;
/** A multimodal hub (pôle d'échange multimodal) counts when the trip's end is this close to it. */
export const HUB_RADIUS_M = 300;

/**
 * R3133-1 2°: the benefits that make a person eligible by their resources (the complémentaire santé solidaire,
 * formerly CMU-C, or resources under its ceiling; then the listed benefits).
 */
export const RESOURCE_BENEFITS = {
  css: 'Complémentaire santé solidaire (ex-CMU-C) ou ressources sous son plafond',
  rs: 'Revenu de solidarité',
  rsa: 'Revenu de solidarité active (RSA)',
  ada: 'Allocation pour demandeur d’asile (ADA)',
  jeunes: 'Allocation de l’article L5131-5 du code du travail (accompagnement des jeunes)',
  ass: 'Allocation de solidarité spécifique (ASS)',
  ata: 'Allocation temporaire d’attente (ATA)',
  veuvage: 'Assurance veuvage',
  aspa: 'Allocation de solidarité aux personnes âgées (ASPA)',
  asi: 'Allocation supplémentaire d’invalidité (ASI)',
  aah: 'Allocation aux adultes handicapés (AAH)',
} as const;
export type ResourceBenefit = keyof typeof RESOURCE_BENEFITS;
export const BENEFIT_KEYS = Object.keys(RESOURCE_BENEFITS) as [ResourceBenefit, ...ResourceBenefit[]];

export const TUS_RULES = ['eligibility', 'distance', 'perimeter', 'membership'] as const;
export type TusRule = (typeof TUS_RULES)[number];

/** The rule's name as the console shows it. */
export const RULE_LABELS: Record<TusRule, string> = {
  eligibility: 'Éligibilité du bénéficiaire',
  distance: 'Distance de 100 km au plus',
  perimeter: 'Périmètre des bénéficiaires au titre de la résidence',
  membership: 'Adhésion à l’association',
};

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The participation a TUS territory may ask for a trip: what the costs rule says, at most €0.32 a kilometre
 * travelled (arrêté of 17 October 2019). `km` is the distance the participation is computed on.
 */
export function capParticipation(eur: number, km: number): number {
  if (!Number.isFinite(eur) || !Number.isFinite(km)) throw new RangeError('participation and distance must be numbers');
  return round2(Math.min(Math.max(0, eur), tusCapEur(km)));
}

/** The largest participation the arrêté allows for these kilometres: €0.32 a km. */
export const tusCapEur = (km: number) => round2(Math.max(0, km) * TUS_CAP_EUR_PER_KM);

/**
 * The participation cap of each territory that has the TUS option (`(km) => max €`), for the costs module: a
 * territory without the option is absent (no cap).
 */
export async function participationCapsOf(tx: Queryable, territoryIds: number[]): Promise<Map<number, (km: number) => number>> {
  if (!territoryIds.length) return new Map();
  const { rows } = await tx.query<{ territory_id: number }>(
    'SELECT territory_id FROM tus_settings WHERE enabled AND territory_id = ANY($1::int[])',
    [territoryIds],
  );
  return new Map(rows.map((r) => [r.territory_id, tusCapEur]));
}

// ---- Urban units and residence

export interface Residence {
  insee: string;
  name: string | null;
  /** null: commune hors unité urbaine (rural). */
  unitCode: string | null;
  unitName: string | null;
  unitPopulation: number | null;
  /** Rural, or in an urban unit under 12,000 inhabitants. */
  eligible: boolean;
}

/** The urban unit of communes, as INSEE's file says; a commune the file does not name is absent from the map. */
export async function residencesOf(tx: Queryable, insee: string[]): Promise<Map<string, Residence>> {
  if (!insee.length) return new Map();
  const { rows } = await tx.query<{ insee: string; name: string | null; unit_code: string | null; unit_name: string | null; population: number | null; small: boolean | null }>(
    `SELECT c.insee, COALESCE(m.name, c.name) AS name, c.unit_code, u.name AS unit_name, u.population, u.small
     FROM commune_urban_units c LEFT JOIN urban_units u ON u.code = c.unit_code
     LEFT JOIN communes m ON m.insee = c.insee WHERE c.insee = ANY($1::text[])`,
    [insee],
  );
  return new Map(
    rows.map((r) => [
      r.insee,
      { insee: r.insee, name: r.name, unitCode: r.unit_code, unitName: r.unit_name, unitPopulation: r.population, eligible: r.unit_code === null || r.small === true },
    ]),
  );
}

const fr = (n: number) => n.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');

/** "Cahors (unité urbaine de Cahors, 23 345 habitants)" / "Lalbenque (commune rurale)". */
export function describeResidence(r: Residence): string {
  if (!r.unitCode) return `${r.name ?? r.insee} (commune hors unité urbaine)`;
  return `${r.name ?? r.insee} (unité urbaine ${r.unitName ?? r.unitCode}${r.unitPopulation !== null ? `, ${fr(r.unitPopulation)} habitants` : ''})`;
}

// ---- Settings

export interface TusSettings {
  territoryId: number;
  enabled: boolean;
  associationName: string | null;
  rna: string | null;
  associationAddress: string | null;
  employees: number | null;
  memberFeeEur: number | null;
  requireMembership: boolean;
  /** Confirming a match of a request that breaks a rule needs an exception first. */
  blockConfirmation: boolean;
  careRules: string | null;
  updatedAt: Date | null;
}

export type TusSettingsInput = Omit<TusSettings, 'territoryId' | 'updatedAt'>;

interface SettingsRow {
  territory_id: number;
  enabled: boolean;
  association_name: string | null;
  rna: string | null;
  association_address: string | null;
  employees: number | null;
  member_fee_eur: string | number | null;
  require_membership: boolean;
  block_confirmation: boolean;
  care_rules: string | null;
  updated_at: Date | null;
}

const presentSettings = (territoryId: number, r: SettingsRow | undefined): TusSettings => ({
  territoryId,
  enabled: r?.enabled ?? false,
  associationName: r?.association_name ?? null,
  rna: r?.rna ?? null,
  associationAddress: r?.association_address ?? null,
  employees: r?.employees ?? null,
  memberFeeEur: r?.member_fee_eur == null ? null : Number(r.member_fee_eur),
  requireMembership: r?.require_membership ?? true,
  blockConfirmation: r?.block_confirmation ?? false,
  careRules: r?.care_rules ?? null,
  updatedAt: r?.updated_at ?? null,
});

/** A territory without settings has the TUS option off. */
export async function tusSettings(tx: Queryable, territoryId: number): Promise<TusSettings> {
  const { rows } = await tx.query<SettingsRow>('SELECT * FROM tus_settings WHERE territory_id = $1', [territoryId]);
  return presentSettings(territoryId, rows[0]);
}

/** Whether the territory runs under the TUS rules (the costs module caps the participation then). */
export async function tusEnabled(tx: Queryable, territoryId: number): Promise<boolean> {
  const { rows } = await tx.query<{ enabled: boolean }>('SELECT enabled FROM tus_settings WHERE territory_id = $1', [territoryId]);
  return rows[0]?.enabled ?? false;
}

export async function writeTusSettings(tx: Queryable, scope: Scope, territoryId: number, b: TusSettingsInput): Promise<TusSettings> {
  if (!inScope(scope, territoryId)) throw notFound('territory', territoryId);
  await tx.query(
    `INSERT INTO tus_settings (territory_id, enabled, association_name, rna, association_address, employees, member_fee_eur,
       require_membership, care_rules, updated_by, block_confirmation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (territory_id) DO UPDATE SET enabled = $2, association_name = $3, rna = $4, association_address = $5,
       employees = $6, member_fee_eur = $7, require_membership = $8, care_rules = $9, updated_by = $10, block_confirmation = $11,
       updated_at = now()`,
    [territoryId, b.enabled, b.associationName, b.rna, b.associationAddress, b.employees, b.memberFeeEur, b.requireMembership, b.careRules,
      scope.actor, b.blockConfirmation],
  );
  return tusSettings(tx, territoryId);
}

// ---- Beneficiaries and memberships (personal data: coordinators and admins, reads audited by the resource)

export interface Membership {
  id: number;
  year: number;
  feeEur: number;
  paidOn: string;
  recordedBy: string;
  recordedAt: Date;
}

export interface Beneficiary {
  personId: number;
  byResidence: boolean;
  residence: Residence | null;
  byResources: boolean;
  resourceBenefit: ResourceBenefit | null;
  resourceBenefitLabel: string | null;
  proof: string | null;
  proofDate: string | null;
  recordedBy: string;
  recordedAt: Date;
  updatedAt: Date;
}

export interface TusPerson {
  personId: number;
  /** The person's commune against INSEE's urban units: what eligibility by residence would read. */
  residence: Residence | null;
  beneficiary: Beneficiary | null;
  memberships: Membership[];
}

export interface BeneficiaryInput {
  byResidence: boolean;
  byResources: boolean;
  resourceBenefit: ResourceBenefit | null;
  proof: string;
  proofDate: string;
}

interface BeneficiaryRow {
  person_id: number;
  by_residence: boolean;
  residence_insee: string | null;
  by_resources: boolean;
  resource_benefit: ResourceBenefit | null;
  proof: string | null;
  proof_date: string | null;
  recorded_by: string;
  recorded_at: Date;
  updated_at: Date;
}

/** The TUS record of a person (coordinators only: the resource refuses other readers and audits the read). */
export async function tusPerson(tx: Queryable, scope: Scope, personId: number): Promise<TusPerson> {
  const person = await loadPerson(tx, scope, personId);
  const { rows } = await tx.query<BeneficiaryRow>('SELECT * FROM tus_beneficiaries WHERE person_id = $1', [personId]);
  const b = rows[0];
  const residences = await residencesOf(tx, [person.commune_insee, b?.residence_insee].filter((x): x is string => !!x));
  const { rows: ms } = await tx.query<{ id: number; year: number; fee_eur: string; paid_on: string; recorded_by: string; recorded_at: Date }>(
    'SELECT id, year, fee_eur, paid_on::text AS paid_on, recorded_by, recorded_at FROM tus_memberships WHERE person_id = $1 ORDER BY year DESC',
    [personId],
  );
  return {
    personId,
    residence: person.commune_insee ? residences.get(person.commune_insee) ?? null : null,
    beneficiary: b
      ? {
          personId,
          byResidence: b.by_residence,
          residence: b.residence_insee ? residences.get(b.residence_insee) ?? null : null,
          byResources: b.by_resources,
          resourceBenefit: b.resource_benefit,
          resourceBenefitLabel: b.resource_benefit ? RESOURCE_BENEFITS[b.resource_benefit] : null,
          proof: b.proof,
          proofDate: b.proof_date,
          recordedBy: b.recorded_by,
          recordedAt: b.recorded_at,
          updatedAt: b.updated_at,
        }
      : null,
    memberships: ms.map((m) => ({ id: m.id, year: m.year, feeEur: Number(m.fee_eur), paidOn: m.paid_on, recordedBy: m.recorded_by, recordedAt: m.recorded_at })),
  };
}

/**
 * Records on what ground a person is a TUS beneficiary and the proof seen. Eligibility by residence is read from
 * the person's commune and INSEE's urban units, never taken on trust: a commune of a unit of 12,000 inhabitants or
 * more, or one the file does not name, is refused with the reason.
 */
export async function recordBeneficiary(tx: Queryable, scope: Scope, personId: number, b: BeneficiaryInput): Promise<void> {
  const person = await loadPerson(tx, scope, personId);
  if (b.byResidence) {
    if (!person.commune_insee) throw badRequest('byResidence', 'la commune de résidence de la personne n’est pas renseignée');
    const r = (await residencesOf(tx, [person.commune_insee])).get(person.commune_insee);
    if (!r) throw badRequest('byResidence', `la commune ${person.commune_insee} est absente du fichier des unités urbaines (importez-le : npm run urban-units)`);
    if (!r.eligible)
      throw badRequest('byResidence', `${describeResidence(r)} : ni commune rurale ni unité urbaine de moins de ${fr(URBAN_UNIT_THRESHOLD)} habitants`);
  }
  if (b.byResources && !b.resourceBenefit) throw badRequest('resourceBenefit', 'indiquez la prestation ou la couverture justifiée');
  await tx.query(
    `INSERT INTO tus_beneficiaries (person_id, territory_id, by_residence, residence_insee, by_resources, resource_benefit, proof,
       proof_date, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (person_id) DO UPDATE SET by_residence = $3, residence_insee = $4, by_resources = $5, resource_benefit = $6,
       proof = $7, proof_date = $8, recorded_by = $9, updated_at = now()`,
    [personId, person.territory_id, b.byResidence, b.byResidence ? person.commune_insee : null, b.byResources,
      b.byResources ? b.resourceBenefit : null, b.proof, b.proofDate, scope.actor],
  );
}

export async function removeBeneficiary(tx: Queryable, scope: Scope, personId: number): Promise<void> {
  await loadPerson(tx, scope, personId);
  await tx.query('DELETE FROM tus_beneficiaries WHERE person_id = $1', [personId]);
}

export async function recordMembership(
  tx: Queryable,
  scope: Scope,
  personId: number,
  m: { year: number; feeEur: number; paidOn: string },
): Promise<void> {
  const person = await loadPerson(tx, scope, personId);
  if (Number(m.paidOn.slice(0, 4)) > m.year) throw badRequest('paidOn', `une adhésion pour ${m.year} ne peut être payée après cette année`);
  await tx.query(
    `INSERT INTO tus_memberships (person_id, territory_id, year, fee_eur, paid_on, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (person_id, year) DO UPDATE SET fee_eur = $4, paid_on = $5, recorded_by = $6, recorded_at = now()`,
    [personId, person.territory_id, m.year, m.feeEur, m.paidOn, scope.actor],
  );
}

export async function removeMembership(tx: Queryable, scope: Scope, personId: number, year: number): Promise<void> {
  await loadPerson(tx, scope, personId);
  const { rowCount } = await tx.query('DELETE FROM tus_memberships WHERE person_id = $1 AND year = $2', [personId, year]);
  if (!rowCount) throw notFound('membership', year);
}

// ---- The rules on a request

export interface TusException {
  rule: TusRule;
  reason: string;
  recordedBy: string;
  recordedAt: Date;
}

export interface TusViolation {
  rule: TusRule;
  label: string;
  /** In French, for the coordinator: what is wrong, with the figures. */
  message: string;
  /** The exception recorded for this rule on this request, if any. */
  exception: TusException | null;
}

export interface TusCheck {
  requestId: number;
  /** False when the territory does not run under the TUS rules: nothing is checked. */
  applies: boolean;
  distanceKm: number | null;
  /** True when the distance is a straight-line estimate (the router did not answer). */
  distanceApproximate: boolean;
  /** "residence", "resources", "both", or null (not a beneficiary). */
  basis: 'residence' | 'resources' | 'both' | null;
  violations: TusViolation[];
  /** Violations without an exception: the request may not be served under the TUS rules as it is. */
  blocking: number;
  /** The largest participation the cap allows for this trip (€0.32 × km). */
  maxParticipationEur: number | null;
  /** Exceptions recorded for rules the request no longer breaks are kept and listed. */
  exceptions: TusException[];
}

/** Whether a point is within reach of a multimodal hub: a rail station, a stop of two lines or more, a carpool area. */
async function hubNear(tx: Queryable, territoryId: number, p: { lng: number; lat: number }): Promise<string | null> {
  const { rows } = await tx.query<{ name: string }>(
    `WITH pt AS (SELECT ST_SetSRID(ST_MakePoint($2, $3), 4326) AS g),
     near AS (
       SELECT s.feed_version_id, s.place_key, s.stop_name FROM gtfs.stops s
       JOIN gtfs.feed_versions v ON v.id = s.feed_version_id AND v.status = 'active'
       JOIN gtfs.feeds f ON f.id = v.feed_id AND (f.territory_id IS NULL OR f.territory_id = $1), pt
       WHERE ST_DWithin(s.geom::geography, pt.g::geography, $4))
     SELECT n.stop_name AS name FROM near n
     JOIN gtfs.stop_times st ON st.feed_version_id = n.feed_version_id AND st.stop_key = n.place_key
     JOIN gtfs.trips t ON t.feed_version_id = st.feed_version_id AND t.trip_key = st.trip_key
     JOIN gtfs.routes r ON r.feed_version_id = t.feed_version_id AND r.route_id = t.route_id
     GROUP BY n.stop_name HAVING count(DISTINCT r.route_id) >= 2 OR bool_or(r.route_type IN (2, 100, 101, 102, 103, 106))
     UNION ALL
     SELECT a.name FROM carpool_areas a, pt WHERE ST_DWithin(a.geom::geography, pt.g::geography, $4)
     LIMIT 1`,
    [territoryId, p.lng, p.lat, HUB_RADIUS_M],
  );
  return rows[0]?.name ?? null;
}

/** The commune (of the territories known) a point lies in. */
async function communeAt(tx: Queryable, p: { lng: number; lat: number }): Promise<string | null> {
  const { rows } = await tx.query<{ insee: string }>(
    'SELECT insee FROM communes WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1',
    [p.lng, p.lat],
  );
  return rows[0]?.insee ?? null;
}

async function tripKm(router: Router | null, r: RequestRow): Promise<{ km: number; approximate: boolean }> {
  const from: [number, number] = [r.from_lng, r.from_lat];
  const to: [number, number] = [r.to_lng, r.to_lat];
  if (router) {
    try {
      const route = await router.route([from, to]);
      return { km: route.distanceM / 1000, approximate: Boolean(route.approximate || router.approximate) };
    } catch {
      // No road answer: the straight line is a lower bound, said so.
    }
  }
  return { km: distanceM(from, to) / 1000, approximate: true };
}

const yearOf = (r: RequestRow) => Number((r.date ?? new Date().toISOString()).slice(0, 4));

/** The TUS rules on one request: each rule broken says why, in French, with the exception recorded if any. */
export async function checkRequest(tx: Queryable, scope: Scope, requestId: number, router: Router | null): Promise<TusCheck> {
  const r = await loadRequest(tx, scope, requestId);
  const settings = await tusSettings(tx, r.territory_id);
  const { rows: exRows } = await tx.query<{ rule: TusRule; reason: string; recorded_by: string; recorded_at: Date }>(
    'SELECT rule, reason, recorded_by, recorded_at FROM tus_exceptions WHERE request_id = $1 ORDER BY recorded_at',
    [requestId],
  );
  const exceptions: TusException[] = exRows.map((e) => ({ rule: e.rule, reason: e.reason, recordedBy: e.recorded_by, recordedAt: e.recorded_at }));
  const base = { requestId, exceptions };
  if (!settings.enabled)
    return { ...base, applies: false, distanceKm: null, distanceApproximate: false, basis: null, violations: [], blocking: 0, maxParticipationEur: null };

  const found: { rule: TusRule; message: string }[] = [];
  const { km, approximate } = await tripKm(router, r);
  const kmText = `${km.toFixed(1).replace('.', ',')} km${approximate ? ' (à vol d’oiseau)' : ''}`;

  let basis: TusCheck['basis'] = null;
  if (r.passenger_id === null) {
    found.push({ rule: 'eligibility', message: 'La demande n’a pas de passager enregistré : son éligibilité au transport d’utilité sociale ne peut être vérifiée.' });
  } else {
    const { rows } = await tx.query<BeneficiaryRow>('SELECT * FROM tus_beneficiaries WHERE person_id = $1', [r.passenger_id]);
    const b = rows[0];
    if (!b) {
      found.push({
        rule: 'eligibility',
        message: 'Le passager n’est pas enregistré comme bénéficiaire du transport d’utilité sociale (ni par sa commune de résidence, ni par ses ressources : art. R3133-1 du code des transports).',
      });
    } else {
      basis = b.by_residence && b.by_resources ? 'both' : b.by_residence ? 'residence' : 'resources';
      if (basis === 'residence') {
        // Residence only: both ends in rural communes or small units, or an end at a multimodal hub of a larger unit.
        const ends = [
          { what: 'le départ', p: { lng: r.from_lng, lat: r.from_lat } },
          { what: 'la destination', p: { lng: r.to_lng, lat: r.to_lat } },
        ];
        const insee = await Promise.all(ends.map((e) => communeAt(tx, e.p)));
        const res = await residencesOf(tx, insee.filter((x): x is string => !!x));
        for (const [i, e] of ends.entries()) {
          const code = insee[i];
          const at = code ? res.get(code) : undefined;
          if (at?.eligible) continue;
          const hub = code ? await hubNear(tx, r.territory_id, e.p) : null;
          if (at && hub) continue;
          const where = !code
            ? `${e.what} est hors des communes du territoire`
            : !at
              ? `${e.what} est dans une commune absente du fichier des unités urbaines (${code})`
              : `${e.what} est à ${describeResidence(at)}, ni commune rurale ni unité urbaine de moins de ${fr(URBAN_UNIT_THRESHOLD)} habitants, et aucun pôle d’échange multimodal n’est à moins de ${HUB_RADIUS_M} m`;
          found.push({
            rule: 'perimeter',
            message: `Bénéficiaire au titre de sa résidence seulement : le trajet doit rester entre communes rurales ou d’unités urbaines de moins de ${fr(URBAN_UNIT_THRESHOLD)} habitants, ou rejoindre un pôle d’échange multimodal d’une unité urbaine voisine ; ici ${where}.`,
          });
        }
      }
    }
    if (settings.requireMembership) {
      const year = yearOf(r);
      const { rows: m } = await tx.query('SELECT 1 FROM tus_memberships WHERE person_id = $1 AND year = $2', [r.passenger_id, year]);
      if (!m.length) found.push({ rule: 'membership', message: `Le passager n’a pas d’adhésion à l’association enregistrée pour ${year}.` });
    }
  }
  if (km > TUS_MAX_KM)
    found.push({ rule: 'distance', message: `Le trajet fait ${kmText} : le transport d’utilité sociale est limité aux trajets de ${TUS_MAX_KM} km au plus.` });

  const exceptionOf = new Map(exceptions.map((e) => [e.rule, e]));
  const violations = found.map((f) => ({ ...f, label: RULE_LABELS[f.rule], exception: exceptionOf.get(f.rule) ?? null }));
  return {
    ...base,
    applies: true,
    distanceKm: Math.round(km * 10) / 10,
    distanceApproximate: approximate,
    basis,
    violations,
    blocking: violations.filter((v) => !v.exception).length,
    maxParticipationEur: round2(km * TUS_CAP_EUR_PER_KM),
  };
}

/** The coordinator serves the request anyway: the rule, the reason, who and when are kept (and audited). */
export async function recordException(tx: Queryable, scope: Scope, requestId: number, rule: TusRule, reason: string): Promise<void> {
  const r = await loadRequest(tx, scope, requestId);
  await tx.query(
    `INSERT INTO tus_exceptions (territory_id, request_id, rule, reason, recorded_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (request_id, rule) DO UPDATE SET reason = $4, recorded_by = $5, recorded_at = now()`,
    [r.territory_id, requestId, rule, reason, scope.actor],
  );
}

/** Exceptions' reasons are free text typed by the staff: personal readers only; others learn the rule and the date. */
export const presentException = (e: TusException, v: Visibility): TusException =>
  v === 'personal' ? e : { ...e, reason: '', recordedBy: '' };

/**
 * Before a match is confirmed: in a territory that blocks confirmation, a request breaking a rule without an
 * exception is refused (409), each rule named with its French reason (fields `tus.<rule>`).
 */
export async function assertTusAllowsConfirmation(tx: Queryable, scope: Scope, requestId: number, router: Router | null): Promise<void> {
  const { rows } = await tx.query<{ block: boolean }>(
    `SELECT s.enabled AND s.block_confirmation AS block FROM tus_settings s JOIN requests r ON r.territory_id = s.territory_id WHERE r.id = $1`,
    [requestId],
  );
  if (!rows[0]?.block) return;
  const c = await checkRequest(tx, scope, requestId, router);
  const open = c.violations.filter((v) => !v.exception);
  if (!open.length) return;
  throw new HttpError(
    409,
    'conflict',
    `transport d’utilité sociale : ${open.map((v) => v.label.toLowerCase()).join(', ')} — enregistrez une dérogation pour confirmer`,
    open.map((v) => ({ field: `tus.${v.rule}`, reason: v.message })),
  );
}
