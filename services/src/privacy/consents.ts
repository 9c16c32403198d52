import type { Queryable } from '@comobi/db';

/** Versions of the texts shown next to each consent box; a new wording gets a new version. */
export const CONSENT_TEXTS = {
  data_processing: {
    version: 'traitement-2026-01',
    text: 'J’accepte que mes données soient utilisées par la coordination pour organiser mes trajets, comme décrit dans la page « Données personnelles ».',
  },
  direct_contact: {
    version: 'contact-direct-2026-01',
    text: 'J’accepte que mon prénom et mes horaires soient montrés aux passagers dont le trajet correspond au mien.',
  },
  partner_apps: {
    version: 'applications-partenaires-2026-12',
    text: 'J’accepte que mes trajets soient montrés aux applications de covoiturage partenaires avec mes lieux exacts de départ et d’arrivée (sans cet accord, elles ne voient qu’un lieu approché à quelques centaines de mètres).',
  },
} as const;

export type ConsentKind = keyof typeof CONSENT_TEXTS;
export const CONSENT_KINDS = Object.keys(CONSENT_TEXTS) as ConsentKind[];

export async function recordConsent(tx: Queryable, personId: number, kind: ConsentKind, granted: boolean, source: string) {
  await tx.query(
    'INSERT INTO consents (person_id, kind, granted, text_version, source) VALUES ($1, $2, $3, $4, $5)',
    [personId, kind, granted, CONSENT_TEXTS[kind].version, source],
  );
}

/**
 * SQL: whether the person `personId` (an SQL expression) says yes to `kind` now: their latest row decides (a consent
 * is given and withdrawn by new rows, never by editing old ones); an erased person has none, whatever they said.
 */
export const consentSql = (kind: ConsentKind, personId: string) =>
  `COALESCE((SELECT c.granted FROM consents c JOIN people p ON p.id = c.person_id
     WHERE c.kind = '${kind}' AND c.person_id = ${personId} AND p.anonymized_at IS NULL ORDER BY c.at DESC, c.id DESC LIMIT 1), false)`;

/** The people among `personIds` who say yes to `kind` now. */
export async function consenting(db: Queryable, kind: ConsentKind, personIds: readonly number[]): Promise<Set<number>> {
  if (!personIds.length) return new Set();
  const { rows } = await db.query<{ id: number }>(
    `SELECT x.id FROM unnest($1::int[]) AS x(id) WHERE ${consentSql(kind, 'x.id')}`,
    [[...new Set(personIds)]],
  );
  return new Set(rows.map((r) => r.id));
}

/** The current answer of one person (false when never asked). */
export const hasConsented = async (db: Queryable, kind: ConsentKind, personId: number) => (await consenting(db, kind, [personId])).has(personId);
