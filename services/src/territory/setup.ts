import { createToken } from '../domain/tokens.ts';
import { auditEvent } from '../audit/audit.ts';
import { randomPassword } from '../console/passwords.ts';
import { saveUser } from '../domain/users.ts';
import type { Db, Queryable } from '@comobi/db';
import {
  boundaryFromCommunes,
  communesOfOtherTerritories,
  createTerritory,
  invalidOutlines,
  syncCommunes,
  territoryBySlug,
  updateTerritory,
  type CommuneChanges,
} from '../domain/territories.ts';
import { CommuneFileInvalid, departementOfInsee, readCommuneFile, type CommuneOutline, type FileIssue } from './communes-file.ts';
import { referenceHasDepartement, referenceOf } from './reference.ts';

export interface SetupInput {
  name: string;
  /** Default: from the name (Corrèze → correze); the territory is found again by it on the next run. */
  slug?: string;
  communesGeoJSON: string;
  departement?: string;
  coordinatorPhone?: string;
  /** The first coordinator's login. Default: coordination.<slug>@comobi.local (to be changed in the console). */
  coordinatorEmail?: string;
  adminEmail?: string;
  token?: boolean;
  /** Who is doing it, for the audit log. */
  actor?: string;
  /** Everything checked and computed, then rolled back: the console's "check the map" step. */
  dryRun?: boolean;
}

export interface AccountReport {
  role: 'coordinator' | 'admin';
  email: string;
  /** Only when the account was made now: shown once, stored hashed. */
  password?: string;
}

export interface SetupReport {
  territoryId: number;
  slug: string;
  name: string;
  created: boolean;
  renamedFrom: string | null;
  communes: CommuneChanges & { total: number };
  boundaryChanged: boolean;
  enrichment: {
    postalCodes: number;
    populations: number;
    /** Codes unknown to the reference (file older than the Code officiel géographique's edition). */
    unknown: { insee: string; name: string }[];
    merged: { insee: string; name: string; into: string }[];
  };
  accountsCreated: AccountReport[];
  accountsKept: AccountReport[];
  token: { created: string | null; existing: boolean } | null;
  /** How long each step took, in order: the set-up time a territory plans for. */
  steps: { step: string; ms: number }[];
  /** Set on a dry run: nothing was kept, no password or token was made for real. */
  dryRun?: boolean;
  /** On a dry run, the boundary the territory would get (simplified for a map). */
  boundary?: unknown;
}

/** Carries a dry run's report out of the transaction it rolls back. */
class DryRunDone extends Error {
  constructor(readonly report: SetupReport) {
    super('dry run');
  }
}

export const slugOf = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);

const issue = (c: CommuneOutline, code: FileIssue['code'], field: string, reason: string): FileIssue => ({
  feature: c.index,
  field: `features[${c.index}]${field}`,
  code,
  insee: c.insee,
  reason,
});

function keepDepartement(communes: CommuneOutline[], code: string): CommuneOutline[] {
  const dep = (c: CommuneOutline) => c.departement ?? referenceOf(c.insee)?.departement ?? departementOfInsee(c.insee);
  const kept = communes.filter((c) => dep(c) === code);
  if (kept.length) return kept;
  const present = [...new Set(communes.map(dep))].sort().join(', ');
  const known = referenceHasDepartement(code) ? '' : ` (${code} n’est pas un code de département connu)`;
  throw new CommuneFileInvalid([
    { feature: null, field: 'departement', code: 'no_commune', reason: `aucune commune du département ${code} dans le fichier${known} ; départements présents : ${present}` },
  ]);
}

/** An account for the territory; an existing one keeps its password and gets the territory if it lacked it. */
async function ensureAccount(tx: Queryable, territoryId: number, role: 'coordinator' | 'admin', email: string, actor: string) {
  const { rows } = await tx.query<{ id: number; role: string }>('SELECT id, role FROM users WHERE email = $1', [email]);
  if (rows[0]) {
    if (rows[0].role !== 'admin')
      await tx.query('INSERT INTO user_territories (user_id, territory_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [rows[0].id, territoryId]);
    return { role, email } as AccountReport;
  }
  const password = randomPassword();
  const displayName = role === 'admin' ? 'Administration' : 'Coordination';
  const uid = await saveUser(tx, { email, displayName, role, territoryIds: role === 'admin' ? [] : [territoryId], active: true, password });
  await auditEvent(tx, { actor, actorRole: 'admin', action: 'user_create', subjectType: 'user', subjectId: uid, territoryId, fields: ['role'] });
  return { role, email, password } as AccountReport;
}

/**
 * Creates or brings up to date a territory from its official commune file, in one transaction: nothing is written
 * when any commune is refused. Run again with a new edition of the file, it reports what changed.
 */
export async function setUpTerritory(db: Db, input: SetupInput): Promise<SetupReport> {
  const steps: SetupReport['steps'] = [];
  let mark = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    steps.push({ step: name, ms: now - mark });
    mark = now;
  };
  const slug = input.slug ?? slugOf(input.name);
  const actor = input.actor ?? 'territory-cli';
  let outlines = readCommuneFile(input.communesGeoJSON);
  if (input.departement) outlines = keepDepartement(outlines, input.departement.toUpperCase());

  const enrichment: SetupReport['enrichment'] = { postalCodes: 0, populations: 0, unknown: [], merged: [] };
  const communes = outlines.map((c) => {
    const ref = referenceOf(c.insee);
    if (!ref) enrichment.unknown.push({ insee: c.insee, name: c.name });
    if (ref?.mergedInto) enrichment.merged.push({ insee: c.insee, name: c.name, into: ref.mergedInto.name });
    if (ref?.postalCodes.length) enrichment.postalCodes++;
    if (ref?.population != null) enrichment.populations++;
    return { insee: c.insee, name: c.name, population: ref?.population ?? null, postalCodes: ref?.postalCodes ?? [], geometry: c.geometry };
  });
  step('read');

  const run = db.transaction(async (tx) => {
    const existing = await territoryBySlug(tx, slug);
    const problems: FileIssue[] = [];
    for (const bad of await invalidOutlines(tx, communes.map((c) => c.geometry))) {
      problems.push(issue(outlines[bad.i], 'invalid_geometry', '.geometry', `géométrie invalide : ${bad.reason}`));
    }
    const taken = new Map((await communesOfOtherTerritories(tx, existing?.id ?? null, communes.map((c) => c.insee))).map((r) => [r.insee, r.territory]));
    for (const c of outlines) {
      const other = taken.get(c.insee);
      if (other) problems.push(issue(c, 'other_territory', '.properties', `la commune ${c.insee} ${c.name} appartient déjà au territoire « ${other} »`));
    }
    if (problems.length) throw new CommuneFileInvalid(problems.sort((a, b) => (a.feature ?? -1) - (b.feature ?? -1)));
    step('validate');

    let territoryId: number;
    if (existing) {
      territoryId = existing.id;
      await updateTerritory(tx, territoryId, {
        name: input.name,
        ...(input.coordinatorPhone !== undefined ? { coordinatorPhone: input.coordinatorPhone } : {}),
      });
    } else {
      // Rules: none stored, so the defaults apply (services/src/matching/rules.ts) until an admin sets them.
      territoryId = await createTerritory(tx, { slug, name: input.name, coordinatorPhone: input.coordinatorPhone ?? null });
    }
    const changes = await syncCommunes(tx, territoryId, communes);
    step('communes');
    const boundaryChanged = await boundaryFromCommunes(tx, territoryId);
    step('boundary');
    await auditEvent(tx, {
      actor, actorRole: 'admin', action: existing ? 'territory_update' : 'territory_create', subjectType: 'territory',
      subjectId: territoryId, territoryId, fields: ['communes', 'boundary'],
    });

    const accounts: AccountReport[] = [];
    // A re-run without --coordinator-email does not add the default account beside the coordinators already there.
    const { rows: coordinators } = await tx.query(
      `SELECT 1 FROM users u JOIN user_territories ut ON ut.user_id = u.id WHERE ut.territory_id = $1 AND u.role = 'coordinator' LIMIT 1`,
      [territoryId],
    );
    const coordinatorEmail = input.coordinatorEmail ?? (coordinators.length ? null : `coordination.${slug}@comobi.local`);
    if (coordinatorEmail) accounts.push(await ensureAccount(tx, territoryId, 'coordinator', coordinatorEmail.toLowerCase(), actor));
    if (input.adminEmail) accounts.push(await ensureAccount(tx, territoryId, 'admin', input.adminEmail.toLowerCase(), actor));

    let token: SetupReport['token'] = null;
    if (input.token) {
      const label = `intégration ${slug}`;
      const { rows } = await tx.query('SELECT 1 FROM api_tokens WHERE label = $1 AND territory_id = $2 AND revoked_at IS NULL', [label, territoryId]);
      token = rows[0] ? { created: null, existing: true } : { created: (await createToken(tx, { label, role: 'integration', territoryId, createdBy: actor })).token, existing: false };
    }
    step('accounts');
    const report: SetupReport = {
      territoryId,
      slug,
      name: input.name,
      created: !existing,
      renamedFrom: existing && existing.name !== input.name ? existing.name : null,
      communes: { ...changes, total: communes.length + changes.kept.length },
      boundaryChanged,
      enrichment,
      accountsCreated: accounts.filter((a) => a.password),
      accountsKept: accounts.filter((a) => !a.password),
      token,
      steps,
    };
    if (!input.dryRun) return report;
    const { rows } = await tx.query<{ boundary: unknown }>(
      'SELECT ST_AsGeoJSON(ST_Multi(ST_SimplifyPreserveTopology(boundary, 0.0005)), 5)::json AS boundary FROM territories WHERE id = $1',
      [territoryId],
    );
    throw new DryRunDone({
      ...report,
      dryRun: true,
      boundary: rows[0].boundary,
      accountsCreated: report.accountsCreated.map(({ role, email }) => ({ role, email })),
      token: report.token && { created: null, existing: report.token.existing },
    });
  });
  return run.catch((e) => {
    if (e instanceof DryRunDone) return e.report;
    throw e;
  });
}
