import type { Queryable } from '@comobi/db';
import { addNote } from '../domain/notes.ts';
import type { Scope } from '../domain/scope.ts';

/**
 * A few notes on the demo's first requests and their passengers (invented, like the people), so that a request page
 * and a person's page show what a history looks like from the first start.
 */
export async function addDemoNotes(tx: Queryable, scope: Scope, requestIds: number[]): Promise<number> {
  const texts = [
    ['call', 'A appelé pour son rendez-vous : elle attendra devant la pharmacie, côté place.'],
    ['note', 'Préfère être appelée le matin ; sa fille rappelle si elle ne décroche pas.'],
    ['call', 'Rendez-vous confirmé par le cabinet ; retour prévu en fin de matinée.'],
  ] as const;
  let n = 0;
  for (const [i, requestId] of requestIds.slice(0, texts.length).entries()) {
    const [kind, body] = texts[i];
    await addNote(tx, scope, { subjectType: 'request', subjectId: requestId, kind, body });
    n++;
  }
  return n;
}
