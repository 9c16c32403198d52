import { CONSENT_TEXTS } from '../privacy/consents.ts';
import { toClock } from '../time/clock.ts';
import { type Errors, type Form, many, one, WEEKDAYS } from './forms.ts';
import { choices, errorSummary, franceConnectButton, html, input, select, telHref, type Html } from './html.ts';
import type { PublicTerritory } from './territories.ts';

/** Each territory's coordination, by phone: the way to one's trips that always works, with or without FranceConnect. */
function callCoordination(territories: PublicTerritory[]): Html {
  const reachable = territories.filter((t) => t.coordinatorPhone);
  if (!reachable.length) return html`<p>Pour connaître vos trajets et vos demandes, contactez la coordination de votre territoire.</p>`;
  if (reachable.length === 1) {
    const t = reachable[0];
    return html`<p>Pour connaître vos trajets et vos demandes, appelez la coordination au <a href="${telHref(t.coordinatorPhone!)}">${t.coordinatorPhone}</a>.</p>`;
  }
  return html`<p>Pour connaître vos trajets et vos demandes, appelez la coordination de votre territoire :</p>
<ul>${reachable.map((t) => html`<li>${t.name} : <a href="${telHref(t.coordinatorPhone!)}">${t.coordinatorPhone}</a></li>`)}</ul>`;
}

export function loginNeeded(fc: boolean, territories: PublicTerritory[]): Html {
  return html`<h1>Mes trajets</h1>
${fc ? html`<p>Connectez-vous avec FranceConnect pour retrouver vos trajets et vos demandes.</p>
${territories.length > 1 ? html`<form method="get" action="/auth/franceconnect/login" class="fr-connect-group">
  ${select({ name: 'territoire', label: 'Votre territoire', options: territories.map((t) => ({ value: t.slug, label: t.name })), required: true })}
  <button class="fr-connect" type="submit"><span class="fr-connect__login">S’identifier avec</span> <span class="fr-connect__brand">FranceConnect</span></button>
  <p><a href="https://franceconnect.gouv.fr/" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect ? - nouvelle fenêtre">Qu’est-ce que FranceConnect ?</a></p>
</form>` : franceConnectButton(territories[0]?.slug)}
<h2 class="fr-mt-4w">Sans compte FranceConnect</h2>
${callCoordination(territories)}`
  : html`<div class="fr-callout fr-mb-4w"><h2 class="fr-callout__title">La connexion en ligne n’est pas encore ouverte</h2>
<p class="fr-callout__text">Ce service ne propose pas encore la connexion avec FranceConnect : vos trajets ne sont pas consultables en ligne pour le moment.</p></div>
${callCoordination(territories)}
<p>Vous pouvez aussi ${territories.length === 1 ? html`<a href="/t/${territories[0].slug}/chercher">chercher un trajet</a> ou <a href="/t/${territories[0].slug}/proposer">proposer un trajet</a>` : html`<a href="/">chercher ou proposer un trajet</a>`} : la coordination vous rappelle.</p>`}`;
}

export function profileForm(f: Form, e: Errors, csrf: string): Html {
  return html`<h1>Mon numéro de téléphone</h1>
<p>FranceConnect ne transmet pas de numéro de téléphone. La coordination en a besoin pour vous appeler.</p>
${errorSummary(e)}
<form method="post" action="/mon-compte" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${input({ name: 'telephone', label: 'Téléphone', hint: 'Format : 06\u00a012\u00a034\u00a056\u00a078', type: 'tel', value: one(f, 'telephone'), error: e.telephone, required: true, autocomplete: 'tel', maxlength: 20 })}
${choices({ name: 'consentement', legend: 'Vos données', type: 'checkbox', options: [{ value: 'oui', label: CONSENT_TEXTS.data_processing.text }], values: many(f, 'consentement'), error: e.consentement, required: true })}
<button class="fr-btn" type="submit">Enregistrer</button>
</form>`;
}

export interface MyTrip { id: number; kind: string; weekdays: number[]; date: string | null; departure_min: number; origin_label: string | null; destination_label: string | null; active: boolean }
export interface MyRequest { id: number; date: string | null; time_min: number; from_label: string | null; to_label: string | null; status: string }

const STATUS: Record<string, string> = { open: 'en attente', matched: 'conducteur trouvé', served: 'réalisée', unserved: 'sans solution', cancelled: 'annulée' };
const fmtDate = (d: string | null) => (d ? String(d).slice(0, 10).split('-').reverse().join('/') : '');

export function myTrips(name: string | null, trips: MyTrip[], requests: MyRequest[], csrf: string, erased = false): Html {
  return html`<h1>Mes trajets</h1>
${erased ? '' : html`<p>Bonjour${name ? html` ${name}` : ''}.</p>`}
<h2>Trajets que je propose</h2>
${trips.length ? html`<ul>${trips.map((t) => html`<li>${t.origin_label ?? ''} → ${t.destination_label ?? ''}, ${t.kind === 'regular' ? t.weekdays.map((d) => WEEKDAYS[Number(d) - 1]).join(', ') : `le ${fmtDate(t.date)}`} à ${toClock(t.departure_min)}${t.active ? '' : ' (inactif)'}</li>`)}</ul>` : html`<p>Aucun trajet proposé.</p>`}
<h2>Mes demandes</h2>
${requests.length ? html`<ul>${requests.map((r) => html`<li>${r.from_label ?? ''} → ${r.to_label ?? ''}, le ${fmtDate(r.date)} à ${toClock(r.time_min)} : ${STATUS[r.status] ?? r.status}</li>`)}</ul>` : html`<p>Aucune demande.</p>`}
<h2>Mes données</h2>
<ul>
  <li><a class="fr-link fr-link--download" href="/mes-donnees.json" download>Télécharger toutes mes données (JSON)</a></li>
</ul>
<form method="post" action="/mes-donnees/effacer" class="fr-mt-2w">
  <input type="hidden" name="csrf" value="${csrf}">
  ${choices({ name: 'confirmation', legend: 'Supprimer mes données', hint: 'Votre nom, vos coordonnées et vos lieux seront effacés ; vos trajets ne seront plus proposés. Seuls des chiffres anonymes restent pour les statistiques.', type: 'checkbox', options: [{ value: 'oui', label: 'Je confirme vouloir supprimer mes données' }] })}
  <button class="fr-btn fr-btn--secondary" type="submit">Supprimer mes données</button>
</form>`;
}

export function privacyPage(retentionMonths: number, t?: PublicTerritory): Html {
  return html`<h1>Données personnelles</h1>
<p>CoMobi est un service de covoiturage solidaire organisé par la collectivité qui coordonne votre territoire. Cette page décrit les données que nous utilisons, pourquoi, combien de temps et comment exercer vos droits.</p>
<h2>Données utilisées</h2>
<ul>
  <li>Identité : prénom, nom ; avec FranceConnect, aussi la date de naissance et l’adresse électronique transmises par FranceConnect, et un identifiant technique.</li>
  <li>Coordonnées : numéro de téléphone, adresse électronique (facultative).</li>
  <li>Trajets : communes et lieux de départ et d’arrivée, jours, horaires, nombre de places.</li>
  <li>Besoins particuliers (fauteuil, aide à la mobilité…) si vous les indiquez à la coordination.</li>
  <li>Vos accords : contact direct, applications partenaires, traitement de vos données, avec la date et la version du texte accepté.</li>
  <li>Les messages que vous écrivent les utilisateurs d’applications de covoiturage partenaires.</li>
</ul>
<h2>Pourquoi</h2>
<ul>
  <li>Mettre en relation passagers et conducteurs et organiser les trajets (mission de service public de la collectivité).</li>
  <li>Proposer vos trajets aux applications de covoiturage partenaires (standard national du covoiturage) : elles ne voient jamais votre nom ni vos coordonnées, et sans votre accord seulement des lieux approchés à quelques centaines de mètres.</li>
  <li>Produire des statistiques anonymes (page <a href="/stats">Statistiques</a>) : aucun effectif inférieur à 5 n’est publié.</li>
</ul>
<p>Seule la coordination de votre territoire voit vos coordonnées ; chaque consultation est enregistrée. Votre prénom et vos horaires ne sont montrés aux passagers que si vous l’avez accepté.</p>
<h2>Combien de temps</h2>
<p>Sans activité pendant ${retentionMonths} mois (aucun trajet, aucune demande, aucune connexion), vos données sont anonymisées automatiquement : nom et coordonnées effacés, lieux ramenés à la commune, messages des applications partenaires vidés.</p>
<h2>Vos droits</h2>
<p>Vous pouvez obtenir une copie de vos données, les faire corriger ou supprimer, et retirer vos accords :</p>
<ul>
  <li>en ligne, après connexion, depuis la page <a href="/mes-trajets">Mes trajets</a> (téléchargement et suppression) ;</li>
  <li>en appelant la coordination${t?.coordinatorPhone ? html` au ${t.coordinatorPhone}` : ''}, qui le fait pour vous.</li>
</ul>
<p>Vous pouvez aussi adresser une réclamation à la CNIL (www.cnil.fr).</p>
<h2>Mesure d’audience et cookies</h2>
<p>Aucun cookie de mesure d’audience. Deux cookies techniques seulement : la session de connexion et une protection des formulaires.</p>`;
}
