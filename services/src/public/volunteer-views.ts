import { PURPOSE_LABELS } from '../stats/labels.ts';
import { type Errors, type Form, many, one, WEEKDAYS } from './forms.ts';
import { choices, errorSummary, html, input, select, type Html } from './html.ts';
import type { Citizen } from './session.ts';
import type { Commune, PublicTerritory } from './territories.ts';
import { callUs, communeOptions, dataConsent, identityFields, referenceOf } from './views.ts';

/** The parts of the day a volunteer ticks: the coordination refines them on the phone. */
export const DAY_PARTS = [
  { value: 'matin', label: 'le matin (8 h – 12 h)', start: '08:00', end: '12:00' },
  { value: 'apres-midi', label: 'l’après-midi (13 h 30 – 18 h)', start: '13:30', end: '18:00' },
] as const;

/** "Je deviens conducteur bénévole": who, where from, when, how far, the car, what for. */
export function volunteerForm(t: PublicTerritory, cs: Commune[], f: Form, e: Errors, csrf: string, citizen: Citizen | null): Html {
  const purposes = many(f, 'motifs');
  return html`<h1>Je deviens conducteur bénévole</h1>
<p class="fr-text--lead">Vous emmenez, quand vous êtes disponible, des personnes sans voiture à un rendez-vous médical, aux courses ou à une démarche. Vos kilomètres vous sont remboursés.</p>
${callUs(t)}
<p>Les champs marqués d’un astérisque (*) sont obligatoires.</p>
${errorSummary(e)}
<form method="post" action="/t/${t.slug}/benevole" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${identityFields(f, e, citizen)}
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">D’où vous partez</legend>
  <div class="fr-fieldset__element">${select({ name: 'depart', label: 'Commune où vous habitez', options: communeOptions(cs), value: one(f, 'depart'), error: e.depart, required: true })}</div>
  <div class="fr-fieldset__element">${input({ name: 'depart_precision', label: 'Quartier ou lieu-dit', hint: 'Facultatif : la coordination vous demandera l’adresse', value: one(f, 'depart_precision'), error: e.depart_precision, maxlength: 200 })}</div>
</fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Quand vous êtes disponible</legend>
  <div class="fr-fieldset__element">${choices({ name: 'jours', legend: 'Jours', type: 'checkbox', options: WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d })), values: many(f, 'jours'), error: e.jours, required: true })}</div>
  <div class="fr-fieldset__element">${choices({ name: 'moments', legend: 'Moments de la journée', type: 'checkbox', options: DAY_PARTS.map((p) => ({ value: p.value, label: p.label })), values: many(f, 'moments'), error: e.moments, required: true })}</div>
</fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Jusqu’où et avec quelle voiture</legend>
  <div class="fr-fieldset__element">${input({ name: 'distance', label: 'Distance maximale depuis chez vous (km)', hint: 'De 5 à 150 km, par la route', type: 'number', value: one(f, 'distance') || '30', error: e.distance, attrs: ' min="5" max="150"' })}</div>
  <div class="fr-fieldset__element">${input({ name: 'places', label: 'Places passagers', hint: 'De 1 à 8', type: 'number', value: one(f, 'places') || '3', error: e.places, attrs: ' min="1" max="8"' })}</div>
  <div class="fr-fieldset__element">${choices({ name: 'fauteuil', legend: 'Véhicule adapté', type: 'checkbox', options: [{ value: 'oui', label: 'Ma voiture peut transporter une personne en fauteuil roulant' }], values: many(f, 'fauteuil') })}</div>
</fieldset>
${choices({ name: 'motifs', legend: 'Pour quels déplacements', hint: 'Cochez tous ceux que vous acceptez', type: 'checkbox', options: Object.entries(PURPOSE_LABELS).map(([value, label]) => ({ value, label })), values: purposes.length || Object.keys(f).length ? purposes : Object.keys(PURPOSE_LABELS), error: e.motifs, required: true })}
${dataConsent(f, e)}
<button class="fr-btn" type="submit">Proposer de conduire</button>
</form>`;
}

export interface VolunteerRecap {
  id: number;
  home: string;
  days: number[];
  parts: string[];
  distanceKm: number;
  seats: number;
  wheelchair: boolean;
  purposes: string[];
}

export function volunteerResult(t: PublicTerritory, r: VolunteerRecap): Html {
  const parts = DAY_PARTS.filter((p) => r.parts.includes(p.value)).map((p) => p.label);
  return html`<h1>Merci de proposer de conduire</h1>
<div class="fr-alert fr-alert--success fr-mb-4w"><h2 class="fr-alert__title">Inscription ${referenceOf(r.id)} enregistrée</h2><p>La coordination vous appellera pour faire connaissance, convenir de vos disponibilités et de vos remboursements, puis activer votre inscription.</p></div>
<h2>Récapitulatif</h2>
<dl class="comobi-recap fr-mb-4w">
  <div><dt>Départ de chez vous</dt><dd>${r.home}</dd></div>
  <div><dt>Jours</dt><dd>${r.days.map((d) => WEEKDAYS[d - 1]).join(', ')}</dd></div>
  <div><dt>Moments</dt><dd>${parts.join(', ')}</dd></div>
  <div><dt>Distance maximale</dt><dd>${r.distanceKm} km</dd></div>
  <div><dt>Places passagers</dt><dd>${r.seats}</dd></div>
  <div><dt>Fauteuil roulant</dt><dd>${r.wheelchair ? 'oui' : 'non'}</dd></div>
  <div><dt>Déplacements acceptés</dt><dd>${r.purposes.map((p) => PURPOSE_LABELS[p] ?? p).join(', ')}</dd></div>
</dl>
<p><a class="fr-link" href="/t/${t.slug}">Retour à l’accueil</a></p>`;
}
