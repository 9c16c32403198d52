import { CONSENT_TEXTS } from '../privacy/consents.ts';
import { PURPOSE_LABELS } from '../stats/labels.ts';
import { type Errors, type Form, many, one, WEEKDAYS } from './forms.ts';
import { choices, errorSummary, franceConnectButton, html, input, select, telHref, type Html } from './html.ts';
import type { Citizen } from './session.ts';
import type { Commune, PublicTerritory } from './territories.ts';

export const callUs = (t: PublicTerritory) =>
  t.coordinatorPhone
    ? html`<div class="fr-callout fr-mb-4w"><p class="fr-callout__text">Vous préférez parler à quelqu’un ? La coordination répond au <a href="${telHref(t.coordinatorPhone)}">${t.coordinatorPhone}</a>.</p></div>`
    : html``;

export function territoryList(ts: PublicTerritory[]): Html {
  return html`<h1>Covoiturage solidaire</h1>
<p>Choisissez votre territoire.</p>
<ul>${ts.map((t) => html`<li><a href="/t/${t.slug}">${t.name}</a></li>`)}</ul>`;
}

export function home(t: PublicTerritory, citizen: Citizen | null, fc: boolean): Html {
  return html`<h1>Covoiturage solidaire – ${t.name}</h1>
<p class="fr-text--lead">Des conducteurs du territoire emmènent les personnes sans solution de transport : rendez-vous médical, travail, courses, démarches.</p>
${callUs(t)}
<div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
    <h2 class="fr-card__title"><a href="/t/${t.slug}/chercher">Je cherche un trajet</a></h2>
    <p class="fr-card__desc">Dites-nous où et quand vous devez aller ; nous cherchons un conducteur.</p>
  </div></div></div></div>
  <div class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content">
    <h2 class="fr-card__title"><a href="/t/${t.slug}/proposer">Je propose un trajet</a></h2>
    <p class="fr-card__desc">Vous faites un trajet régulier ou ponctuel ? Proposez vos places libres. Ou conduisez bénévolement, quand vous êtes disponible.</p>
  </div></div></div></div>
</div>
${citizen ? html`<p class="fr-mt-4w">Vous êtes connecté${citizen.firstName ? html` (${citizen.firstName})` : ''}. <a href="/mes-trajets">Voir mes trajets</a></p>`
  : fc ? html`<h2 class="fr-mt-4w">Suivre mes trajets</h2><p>Connectez-vous pour retrouver vos trajets et vos demandes.</p>${franceConnectButton(t.slug)}` : ''}`;
}

export const communeOptions = (cs: Commune[]) => cs.map((c) => ({ value: c.insee, label: `${c.name} (${c.insee})` }));

export function identityFields(f: Form, e: Errors, citizen: Citizen | null): Html {
  if (citizen?.personId) return html`<p>Vous êtes connecté avec FranceConnect : nous utilisons les coordonnées de votre compte.</p>`;
  return html`<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Vos coordonnées</legend>
  <div class="fr-fieldset__element">${input({ name: 'prenom', label: 'Prénom', value: one(f, 'prenom'), error: e.prenom, required: true, autocomplete: 'given-name', maxlength: 100 })}</div>
  <div class="fr-fieldset__element">${input({ name: 'nom', label: 'Nom', value: one(f, 'nom'), error: e.nom, autocomplete: 'family-name', maxlength: 100 })}</div>
  <div class="fr-fieldset__element">${input({ name: 'telephone', label: 'Téléphone', hint: 'La coordination vous appelle à ce numéro. Format : 06\u00a012\u00a034\u00a056\u00a078', value: one(f, 'telephone'), error: e.telephone, required: true, type: 'tel', autocomplete: 'tel', maxlength: 20 })}</div>
  <div class="fr-fieldset__element">${input({ name: 'courriel', label: 'Adresse électronique', hint: 'Facultatif. Format : nom@domaine.fr', value: one(f, 'courriel'), error: e.courriel, type: 'email', autocomplete: 'email', maxlength: 200 })}</div>
</fieldset>`;
}

function places(f: Form, e: Errors, cs: Commune[]): Html {
  return html`<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Le trajet</legend>
  <div class="fr-fieldset__element">${select({ name: 'depart', label: 'Commune de départ', options: communeOptions(cs), value: one(f, 'depart'), error: e.depart, required: true })}</div>
  <div class="fr-fieldset__element">${input({ name: 'depart_precision', label: 'Lieu de départ', hint: 'Facultatif : place, rue, lieu-dit', value: one(f, 'depart_precision'), error: e.depart_precision, maxlength: 200 })}</div>
  <div class="fr-fieldset__element">${select({ name: 'arrivee', label: 'Commune d’arrivée', options: communeOptions(cs), value: one(f, 'arrivee'), error: e.arrivee, required: true })}</div>
  <div class="fr-fieldset__element">${input({ name: 'arrivee_precision', label: 'Lieu d’arrivée', hint: 'Facultatif : hôpital, gare, adresse', value: one(f, 'arrivee_precision'), error: e.arrivee_precision, maxlength: 200 })}</div>
</fieldset>`;
}

export const dataConsent = (f: Form, e: Errors) =>
  choices({ name: 'consentement', legend: 'Vos données', type: 'checkbox', options: [{ value: 'oui', label: CONSENT_TEXTS.data_processing.text }], values: many(f, 'consentement'), error: e.consentement, required: true });

const days = (f: Form, e: Errors) =>
  choices({ name: 'jours', legend: 'Jours', hint: 'Pour un trajet régulier', type: 'checkbox', options: WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d })), values: many(f, 'jours'), error: e.jours });

/** What both trip forms open with: title, phone, errors, the form with its CSRF token, who, from and to. */
function tripFormStart(t: PublicTerritory, cs: Commune[], f: Form, e: Errors, csrf: string, citizen: Citizen | null, title: string, action: string): Html {
  return html`<h1>${title}</h1>
${callUs(t)}
<p>Les champs marqués d’un astérisque (*) sont obligatoires.</p>
${errorSummary(e)}
<form method="post" action="/t/${t.slug}/${action}" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${identityFields(f, e, citizen)}
${places(f, e, cs)}`;
}

export function offerForm(t: PublicTerritory, cs: Commune[], f: Form, e: Errors, csrf: string, citizen: Citizen | null): Html {
  return html`${tripFormStart(t, cs, f, e, csrf, citizen, 'Je propose un trajet', 'proposer')}
${choices({ name: 'type', legend: 'Type de trajet', type: 'radio', options: [{ value: 'regular', label: 'Régulier (chaque semaine)' }, { value: 'oneoff', label: 'Ponctuel (une date)' }], values: [one(f, 'type') || 'regular'], error: e.type, required: true })}
${days(f, e)}
${input({ name: 'date', label: 'Date', hint: 'Pour un trajet ponctuel. Format : JJ/MM/AAAA', type: 'date', value: one(f, 'date'), error: e.date })}
${input({ name: 'heure_depart', label: 'Heure de départ', hint: 'Format : HH:MM', type: 'time', value: one(f, 'heure_depart'), error: e.heure_depart, required: true })}
${input({ name: 'heure_retour', label: 'Heure du retour', hint: 'Facultatif, trajet régulier. Format : HH:MM', type: 'time', value: one(f, 'heure_retour'), error: e.heure_retour })}
${input({ name: 'places', label: 'Places libres', hint: 'De 1 à 8', type: 'number', value: one(f, 'places') || '3', error: e.places, attrs: ' min="1" max="8"' })}
${choices({ name: 'contact_direct', legend: 'Contact direct', hint: 'Sans votre accord, seule la coordination voit votre trajet et vous appelle.', type: 'checkbox', options: [{ value: 'oui', label: CONSENT_TEXTS.direct_contact.text }], values: many(f, 'contact_direct') })}
${dataConsent(f, e)}
<button class="fr-btn" type="submit">Proposer ce trajet</button>
</form>
<div class="fr-callout fr-mt-4w"><h2 class="fr-callout__title">Pas de trajet régulier, mais du temps pour conduire ?</h2><p class="fr-callout__text">Devenez conducteur bénévole : vous emmenez, quand vous êtes disponible, des personnes sans voiture à leurs rendez-vous.</p><a class="fr-btn fr-btn--secondary" href="/t/${t.slug}/benevole">Je deviens conducteur bénévole</a></div>`;
}

export function askForm(t: PublicTerritory, cs: Commune[], f: Form, e: Errors, csrf: string, citizen: Citizen | null): Html {
  return html`${tripFormStart(t, cs, f, e, csrf, citizen, 'Je cherche un trajet', 'chercher')}
${input({ name: 'date', label: 'Date du trajet', hint: 'Format : JJ/MM/AAAA', type: 'date', value: one(f, 'date'), error: e.date, required: true })}
${choices({ name: 'sens', legend: 'L’heure indiquée est', type: 'radio', options: [{ value: 'arrive', label: 'l’heure où je dois arriver' }, { value: 'depart', label: 'l’heure où je veux partir' }], values: [one(f, 'sens') || 'arrive'], error: e.sens, required: true })}
${input({ name: 'heure', label: 'Heure', hint: 'Format : HH:MM', type: 'time', value: one(f, 'heure'), error: e.heure, required: true })}
${returnFields(f, e)}
${select({ name: 'motif', label: 'Motif du déplacement', options: Object.entries(PURPOSE_LABELS).map(([value, label]) => ({ value, label })), value: one(f, 'motif') || 'other', error: e.motif, required: true })}
${input({ name: 'places', label: 'Nombre de personnes', hint: 'De 1 à 8', type: 'number', value: one(f, 'places') || '1', error: e.places, attrs: ' min="1" max="8"' })}
${dataConsent(f, e)}
<button class="fr-btn" type="submit">Chercher un conducteur</button>
</form>`;
}

/** "About N hours after arrival", as the public form offers it (minutes). */
export const RETURN_WAITS: { value: number; label: string }[] = [
  30, 60, 90, 120, 150, 180, 240, 300, 360, 480,
].map((m) => ({ value: m, label: `environ ${waitLabel(m)} après l’arrivée` }));

/** 90 → "1 h 30", 120 → "2 h", 30 → "30 min". */
export function waitLabel(min: number): string {
  const h = Math.floor(min / 60), m = min % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
}

/**
 * The way back: none, at a time, or about N hours after arrival. Without a script every field shows: the time and
 * the wait are read only for the choice made.
 */
function returnFields(f: Form, e: Errors): Html {
  return html`${choices({ name: 'retour', legend: 'Et pour le retour ?', type: 'radio', options: [
    { value: 'aucun', label: 'pas de retour (aller simple)' },
    { value: 'heure', label: 'retour à une heure précise' },
    { value: 'apres', label: 'retour quelque temps après l’arrivée (rendez-vous, démarche)' },
  ], values: [one(f, 'retour') || 'aucun'], error: e.retour })}
${input({ name: 'heure_retour', label: 'Heure du retour', hint: 'Si retour à une heure précise. Format : HH:MM', type: 'time', value: one(f, 'heure_retour'), error: e.heure_retour })}
${select({ name: 'duree_retour', label: 'Temps sur place', hint: 'Si retour quelque temps après l’arrivée', options: RETURN_WAITS.map((w) => ({ value: String(w.value), label: w.label })), value: one(f, 'duree_retour'), error: e.duree_retour })}`;
}

export interface Offer {
  firstName: string;
  pickupTime: string;
  dropoffTime: string;
}

const LONG_DATE = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "mercredi 12 août 2026" from "2026-08-12" (a calendar day: no time zone shift). */
export const longDate = (iso: string) => LONG_DATE.format(new Date(`${iso}T00:00:00Z`));

/** The number the coordination finds a request or a trip by, read out on the phone. */
export const referenceOf = (id: number) => `n° ${id}`;

/** What was recorded, as the person typed it, to check it at a glance (and quote it when calling). */
function recap(title: string, rows: [string, string | Html][]): Html {
  return html`<h2>${title}</h2>
<dl class="comobi-recap fr-mb-4w">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export interface AskRecap {
  id: number;
  fromLabel: string;
  toLabel: string;
  date: string;
  time: string;
  timeKind: 'arrive' | 'depart';
  seats: number;
  purpose: string;
  phone: string | null;
  returnTime?: string | null;
  returnAfterMin?: number | null;
}

export function askResult(t: PublicTerritory, r: AskRecap, offers: Offer[], hidden: number): Html {
  return html`<h1>Votre demande est enregistrée</h1>
<div class="fr-alert fr-alert--success fr-mb-4w"><h2 class="fr-alert__title">Demande ${referenceOf(r.id)} enregistrée</h2><p>La coordination la voit et vous rappellera pour confirmer le trajet. Notez ce numéro : il permet de retrouver votre demande si vous appelez.</p></div>
${recap('Récapitulatif de votre demande', [
  ['Numéro de la demande', referenceOf(r.id)],
  ['Départ', r.fromLabel],
  ['Arrivée', r.toLabel],
  ['Date', longDate(r.date)],
  [r.timeKind === 'arrive' ? 'Arrivée souhaitée' : 'Départ souhaité', `à ${r.time}`],
  ['Retour', r.returnTime ? `départ du retour à ${r.returnTime}` : r.returnAfterMin ? `environ ${waitLabel(r.returnAfterMin)} après l’arrivée` : 'aller simple'],
  ['Nombre de personnes', String(r.seats)],
  ['Motif', PURPOSE_LABELS[r.purpose] ?? r.purpose],
  ...(r.phone ? [['Numéro où vous rappeler', r.phone] as [string, string]] : []),
])}
${offers.length ? html`<h2>Conducteurs disponibles</h2>
<p>Ces conducteurs ont accepté d’être présentés ; la coordination organise la mise en relation.</p>
<ul>${offers.map((o) => html`<li>${o.firstName} : prise en charge vers ${o.pickupTime}, arrivée vers ${o.dropoffTime}</li>`)}</ul>` : ''}
${hidden || !offers.length ? html`<p>${offers.length ? 'D’autres conducteurs peuvent convenir : la coordination' : 'La coordination'} va vous appeler pour vous proposer une solution.</p>` : ''}
${callUs(t)}
<p><a class="fr-link" href="/t/${t.slug}">Retour à l’accueil</a></p>`;
}

export interface OfferRecap {
  id: number;
  fromLabel: string;
  toLabel: string;
  kind: 'regular' | 'oneoff';
  weekdays: number[];
  date: string | null;
  departureTime: string;
  returnTime: string | null;
  seats: number;
  directContact: boolean;
}

export function offerResult(t: PublicTerritory, r: OfferRecap): Html {
  return html`<h1>Merci pour votre proposition</h1>
<div class="fr-alert fr-alert--success fr-mb-4w"><h2 class="fr-alert__title">Trajet ${referenceOf(r.id)} enregistré</h2><p>La coordination vous appellera quand une personne aura besoin de votre trajet.</p></div>
${recap('Récapitulatif de votre trajet', [
  ['Numéro du trajet', referenceOf(r.id)],
  ['Départ', r.fromLabel],
  ['Arrivée', r.toLabel],
  r.kind === 'regular'
    ? ['Jours', r.weekdays.map((d) => WEEKDAYS[d - 1]).join(', ')]
    : ['Date', r.date ? longDate(r.date) : ''],
  ['Heure de départ', r.departureTime],
  ...(r.returnTime ? [['Heure du retour', r.returnTime] as [string, string]] : []),
  ['Places libres', String(r.seats)],
  ['Contact direct', r.directContact ? 'oui : votre prénom et vos horaires peuvent être montrés aux passagers' : 'non : seule la coordination voit votre trajet'],
])}
${callUs(t)}
<p><a class="fr-link" href="/t/${t.slug}">Retour à l’accueil</a></p>`;
}

export function message(title: string, text: string, back = '/'): Html {
  return html`<h1>${title}</h1><p>${text}</p><p><a class="fr-link" href="${back}">Retour</a></p>`;
}
