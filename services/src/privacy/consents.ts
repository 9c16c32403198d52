import type { Queryable } from '../db/index.ts';

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
  messages: {
    version: 'messages-2026-12',
    text: 'J’accepte de recevoir les confirmations, rappels et annulations de mes trajets par SMS, appel vocal ou courrier, au numéro ou à l’adresse indiqués (ou à ceux de la personne qui les reçoit pour moi).',
  },
} as const;

export type ConsentKind = keyof typeof CONSENT_TEXTS;

export async function recordConsent(tx: Queryable, personId: number, kind: ConsentKind, granted: boolean, source: string) {
  await tx.query(
    'INSERT INTO consents (person_id, kind, granted, text_version, source) VALUES ($1, $2, $3, $4, $5)',
    [personId, kind, granted, CONSENT_TEXTS[kind].version, source],
  );
}
