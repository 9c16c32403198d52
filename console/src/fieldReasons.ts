/**
 * The API names the field and says why in English (`fields[{field, reason}]`); the console shows the reason in French
 * next to that field. Unknown reasons are shown as they are, after a French preamble.
 */
const REASONS: [RegExp, string][] = [
  [/one-off trip needs a date/, 'Un trajet ponctuel a besoin d’une date'],
  [/regular trip needs at least one weekday/, 'Choisissez au moins un jour de la semaine'],
  [/validTo is before validFrom/, 'La fin de validité précède le début'],
  [/return time is for regular trips/, 'Un retour n’existe que pour un trajet régulier : créez un autre trajet ponctuel'],
  [/expected a time HH:MM/, 'Heure attendue au format HH:MM'],
  [/expected a date YYYY-MM-DD|not a calendar date/, 'Date invalide'],
  [/expected an object \{lng, lat\}/, 'Choisissez une commune ou un point sur la carte'],
  [/longitude|latitude/, 'Point hors de la carte'],
  [/no route between origin and destination/, 'Aucun itinéraire routier entre le départ et l’arrivée'],
  [/^no person/, 'Conducteur introuvable dans vos territoires'],
  [/driver belongs to another territory/, 'Ce conducteur appartient à un autre territoire'],
  [/not registered as a driver/, 'Cette personne n’est pas inscrite comme conductrice'],
  [/weekdays must not repeat/, 'Un jour est répété'],
  [/weekdays are 1/, 'Jour de la semaine invalide'],
  [/received undefined|Required/i, 'Obligatoire'],
  [/too big|too small|<=|>=/i, 'Valeur hors des limites permises'],
  [/expected an http/, 'Adresse web attendue (http:// ou https://)'],
  [/expected a URL|Invalid URL/i, 'Adresse web invalide'],
  [/give either a url or a datasetId/, 'Indiquez une adresse web ou un identifiant de jeu de données, pas les deux'],
  [/a name is required/, 'Un nom est obligatoire'],
  [/belongs to another territory/, 'Ce nom est déjà pris par un flux d’un autre territoire'],
  [/territoryId is required/, 'Choisissez le territoire'],
];

export function frenchReason(reason: string): string {
  for (const [re, fr] of REASONS) if (re.test(reason)) return fr;
  return `Valeur refusée (${reason})`;
}

/** {field → French reason}, keyed by the first segment of the field path ('origin.lng' → 'origin'). */
export function fieldErrors(body: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of (body?.fields ?? []) as { field: string; reason: string }[]) {
    const key = f.field.split('.')[0];
    out[key] = out[key] ? `${out[key]} ; ${frenchReason(f.reason)}` : frenchReason(f.reason);
  }
  return out;
}
