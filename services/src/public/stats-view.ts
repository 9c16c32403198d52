import { html, raw, select, type Html } from './html.ts';
import type { Stats } from '../stats/compute.ts';
import type { PublishedPair } from '../stats/recruiting.ts';
import type { CommuneShapes } from '../stats/map.ts';
import { display, share, type Published } from '../stats/suppress.ts';

const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
const monthLabel = (ym: string) => `${MONTHS[Number(ym.slice(5, 7)) - 1]} ${ym.slice(0, 4)}`;

function monthChart(st: Stats): Html {
  const w = 720;
  const h = 240;
  const pad = 30;
  const max = Math.max(5, ...st.byMonth.map((m) => m.requests ?? 0));
  const slot = (w - pad) / Math.max(1, st.byMonth.length);
  const bar = (v: Published, i: number, offset: number, fill: string) => {
    const bh = v === null ? 0 : ((h - 2 * pad) * v) / max;
    return `<rect x="${(pad + i * slot + offset).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${(slot * 0.4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${fill}"></rect>`;
  };
  const parts = st.byMonth.map((m, i) =>
    bar(m.requests, i, slot * 0.1, '#6a6af4') + bar(m.served, i, slot * 0.5, '#000091') +
    `<text x="${(pad + i * slot + slot / 2).toFixed(1)}" y="${h - 10}" font-size="10" text-anchor="middle" fill="#3a3a3a">${monthLabel(m.month).replace(/ \d{2}(\d{2})$/, ' $1')}</text>`);
  return html`<figure class="fr-my-4w">
  <svg class="comobi-chart" viewBox="0 0 ${w} ${h}" role="img" aria-labelledby="chart-title chart-desc">
    <title id="chart-title">Demandes et demandes servies par mois</title>
    <desc id="chart-desc">Diagramme en barres ; les valeurs sont dans le tableau qui suit.</desc>
    <line x1="${pad}" y1="${h - pad}" x2="${w}" y2="${h - pad}" stroke="#666"></line>
    <text x="2" y="${pad}" font-size="10" fill="#3a3a3a">${max}</text>
    ${raw(parts.join(''))}
  </svg>
  <figcaption><ul class="comobi-legend"><li><span class="comobi-swatch comobi-swatch--e" aria-hidden="true"></span>Demandes</li><li><span class="comobi-swatch comobi-swatch--a" aria-hidden="true"></span>Demandes servies</li></ul></figcaption>
</figure>
<div class="fr-table fr-table--no-caption"><table>
  <caption>Demandes par mois</caption>
  <thead><tr><th scope="col">Mois</th><th scope="col">Demandes</th><th scope="col">Demandes servies</th></tr></thead>
  <tbody>${st.byMonth.map((m) => html`<tr><th scope="row">${monthLabel(m.month)}</th><td>${display(m.requests)}</td><td>${display(m.served)}</td></tr>`)}</tbody>
</table></div>`;
}

function communeMap(st: Stats, shapes: CommuneShapes): Html {
  const byInsee = new Map(st.byCommune.map((c) => [c.insee, c]));
  const classOf = (insee: string) => {
    const c = byInsee.get(insee);
    if (!c) return { fill: '#e5e5e5', label: 'aucune demande' };
    if (c.requests === null) return { fill: '#c9c9ee', label: 'moins de 5 demandes' };
    const pct = share(c.served, c.requests) ?? 0;
    return pct >= 50 ? { fill: '#000091', label: `${display(c.requests)} demandes, servies à ${pct} %` } : { fill: '#e1000f', label: `${display(c.requests)} demandes, servies à ${pct} %` };
  };
  const paths = shapes.shapes.map((s) => {
    const k = classOf(s.insee);
    return `<path d="${s.d}" fill="${k.fill}"><title>${s.name.replace(/[&<>"]/g, '')} : ${k.label}</title></path>`;
  });
  const listed = st.byCommune.filter((c) => c.requests !== null);
  const others = st.byCommune.length - listed.length;
  return html`<figure class="fr-my-4w">
  <svg class="comobi-map" viewBox="${shapes.viewBox}" role="img" aria-labelledby="map-title map-desc">
    <title id="map-title">Demande servie et non servie par commune de départ</title>
    <desc id="map-desc">Carte des communes ; les valeurs sont dans le tableau qui suit.</desc>
    <g transform="scale(${shapes.xScale.toFixed(5)} 1)">${raw(paths.join(''))}</g>
  </svg>
  <figcaption><ul class="comobi-legend">
    <li><span class="comobi-swatch comobi-swatch--a" aria-hidden="true"></span>Demande servie à 50 % ou plus</li>
    <li><span class="comobi-swatch comobi-swatch--b" aria-hidden="true"></span>Demande servie à moins de 50 %</li>
    <li><span class="comobi-swatch comobi-swatch--c" aria-hidden="true"></span>Moins de 5 demandes</li>
    <li><span class="comobi-swatch comobi-swatch--d" aria-hidden="true"></span>Aucune demande</li>
  </ul></figcaption>
</figure>
<div class="fr-table"><table>
  <caption>Demandes par commune de départ</caption>
  <thead><tr><th scope="col">Commune</th><th scope="col">Demandes</th><th scope="col">Servies</th><th scope="col">Non servies</th></tr></thead>
  <tbody>${listed.map((c) => html`<tr><th scope="row">${c.name}</th><td>${display(c.requests)}</td><td>${display(c.served)}</td><td>${display(c.unserved)}</td></tr>`)}
  ${others ? html`<tr><th scope="row">${others} autre${others > 1 ? 's' : ''} commune${others > 1 ? 's' : ''}</th><td>moins de 5 chacune</td><td></td><td></td></tr>` : ''}</tbody>
</table></div>`;
}

// No-break spaces: on a phone, "9 h" and "Assier →" stay on one line.
const hourLabel = (p: PublishedPair) => `${p.timeKind === 'arrive' ? 'arrivée' : 'départ'} entre ${p.hour}\u00a0h et ${p.hour + 1}\u00a0h`;

/** The pairs of communes with the most unserved demand, as lines over the communes, then as a table. */
function recruitingSection(st: Stats, shapes: CommuneShapes): Html {
  const r = st.recruiting;
  if (!r.pairs.length)
    return html`<p>Aucun trajet ne réunit 5 demandes non servies ou plus sur la période${r.hiddenPairs ? ` (${r.hiddenPairs} trajet${r.hiddenPairs > 1 ? 's' : ''} en ont moins de 5)` : ''} : rien à publier sans risquer d’identifier une personne.</p>`;
  const max = Math.max(...r.pairs.map((p) => p.unserved ?? 0));
  const lines = r.pairs.map((p) => {
    const w = 2 + (6 * (p.unserved ?? 0)) / max;
    return `<line x1="${p.origin.lng.toFixed(4)}" y1="${(-p.origin.lat).toFixed(4)}" x2="${p.destination.lng.toFixed(4)}" y2="${(-p.destination.lat).toFixed(4)}" stroke="#e1000f" stroke-opacity="0.8" stroke-linecap="round" stroke-width="${w.toFixed(1)}" vector-effect="non-scaling-stroke"><title>${(p.origin.name + ' → ' + p.destination.name).replace(/[&<>"]/g, '')} : ${display(p.unserved)} demandes non servies</title></line>`;
  });
  const dots = r.pairs.map((p) => `<circle cx="${p.destination.lng.toFixed(4)}" cy="${(-p.destination.lat).toFixed(4)}" r="0.012" fill="#000091"></circle>`);
  const outlines = shapes.shapes.map((x) => `<path d="${x.d}" fill="#f6f6f6" stroke="#cecece" stroke-width="0.5" vector-effect="non-scaling-stroke"></path>`);
  return html`<p>Les trajets et horaires où le plus de demandes sont restées sans conducteur, et combien de conducteurs réguliers sur cet axe les auraient servies : ce qu’une campagne de recrutement devrait viser.</p>
<figure class="fr-my-4w">
  <svg class="comobi-map" viewBox="${shapes.viewBox}" role="img" aria-labelledby="rec-title rec-desc">
    <title id="rec-title">Trajets où manquent des conducteurs</title>
    <desc id="rec-desc">Lignes de la commune de départ à la commune d’arrivée, d’autant plus épaisses que les demandes non servies sont nombreuses ; les valeurs sont dans le tableau qui suit.</desc>
    <g transform="scale(${shapes.xScale.toFixed(5)} 1)">${raw(outlines.join(''))}${raw(lines.join(''))}${raw(dots.join(''))}</g>
  </svg>
  <figcaption><ul class="comobi-legend"><li><span class="comobi-swatch comobi-swatch--b" aria-hidden="true"></span>Demandes non servies, du départ (trait) à l’arrivée (point)</li></ul></figcaption>
</figure>
<div class="fr-table fr-table--no-caption"><table>
  <caption>Où manquent des conducteurs</caption>
  <thead><tr><th scope="col">Trajet</th><th scope="col">Horaire</th><th scope="col">Demandes non servies</th><th scope="col">Conducteurs réguliers à trouver</th></tr></thead>
  <tbody>${r.pairs.map((p) => html`<tr><th scope="row">${p.origin.name} → ${p.destination.name}</th><td>${hourLabel(p)}</td><td>${display(p.unserved)}</td><td>${p.driversNeeded}</td></tr>`)}
  ${r.hiddenPairs ? html`<tr><th scope="row">${r.hiddenPairs} autre${r.hiddenPairs > 1 ? 's' : ''} trajet${r.hiddenPairs > 1 ? 's' : ''}</th><td></td><td>moins de 5 chacun</td><td></td></tr>` : ''}</tbody>
</table></div>
<p class="fr-text--sm">Conducteurs réguliers à trouver : des conducteurs qui font ce trajet à cet horaire, les jours de semaine, chacun prenant jusqu’à 2 passagers par jour. Les effectifs inférieurs à 5 ne sont pas publiés.</p>`;
}

/** The tables right under a heading of the same name keep their caption for screen readers only (fr-table--no-caption). */
export function statsBody(st: Stats, shapes: CommuneShapes, territories: { slug: string; name: string }[], query: string): Html {
  const i = st.indicators;
  const rows: [string, string][] = [
    ['Conducteurs inscrits', display(i.driversRegistered)],
    ['Passagers inscrits', display(i.passengersRegistered)],
    ['Trajets réguliers proposés', display(i.regularTripsOffered)],
    ['Demandes de trajet', display(i.requests)],
    ['Demandes servies', display(i.requestsServed)],
    ['Part des demandes servies', i.servedSharePct === null ? 'non publiée (effectifs trop faibles)' : `${i.servedSharePct} %`],
    ['Trajets réalisés (un aller-retour compte deux trajets)', display(i.tripsDone)],
    ['Allers-retours réalisés', display(i.roundTripsServed)],
    ['Passagers transportés', display(i.passengersCarried)],
    ['Kilomètres partagés (passager·km)', display(i.sharedKm, ' km')],
    ['CO2 évité', display(i.co2AvoidedKg, ' kg CO2e')],
  ];
  return html`<h1>Statistiques${st.territory ? html` – ${st.territory.name}` : ' – tous les territoires'}</h1>
<p>Du ${st.from.split('-').reverse().join('/')} au ${st.to.split('-').reverse().join('/')}. ${st.suppression.note}</p>
<form method="get" action="/stats" class="fr-mb-4w">
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Choisir le territoire et la période</legend>
    <div class="fr-fieldset__element">${select({ name: 'territoire', label: 'Territoire', options: territories.map((t) => ({ value: t.slug, label: t.name })), value: st.territory?.slug, empty: 'Tous les territoires' })}</div>
    <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="f-du">Premier mois <span class="fr-hint-text">Format : AAAA-MM</span></label><input class="fr-input" type="month" id="f-du" name="du" value="${st.from.slice(0, 7)}"></div></div>
    <div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="f-au">Dernier mois <span class="fr-hint-text">Format : AAAA-MM</span></label><input class="fr-input" type="month" id="f-au" name="au" value="${st.to.slice(0, 7)}"></div></div>
    <div class="fr-fieldset__element"><button class="fr-btn" type="submit">Afficher</button></div>
  </fieldset>
</form>
<div class="fr-table"><table>
  <caption>Indicateurs de la période</caption>
  <thead><tr><th scope="col">Indicateur</th><th scope="col">Valeur</th></tr></thead>
  <tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody>
</table></div>
<p class="fr-text--sm">CO2 évité : kilomètres parcourus par les passagers (distance à vol d’oiseau entre prise en charge et dépose × ${String(st.emissionFactor.roadFactor).replace('.', ',')}) × ${String(st.emissionFactor.kgCo2ePerPassengerKm).replace('.', ',')} kg CO2e par km, facteur d’émission d’un trajet en voiture évité. Source : ${st.emissionFactor.source}.</p>
<h2>Demandes par mois</h2>
${monthChart(st)}
<h2>Demandes par motif</h2>
<div class="fr-table fr-table--no-caption"><table><caption>Demandes par motif</caption>
  <thead><tr><th scope="col">Motif</th><th scope="col">Demandes</th></tr></thead>
  <tbody>${st.requestsByPurpose.map((p) => html`<tr><th scope="row">${p.label}</th><td>${display(p.count)}</td></tr>`)}</tbody></table></div>
<h2>Demandes non servies par raison</h2>
<div class="fr-table fr-table--no-caption"><table><caption>Demandes non servies par raison</caption>
  <thead><tr><th scope="col">Raison</th><th scope="col">Demandes</th></tr></thead>
  <tbody>${st.unservedByReason.map((p) => html`<tr><th scope="row">${p.label}</th><td>${display(p.count)}</td></tr>`)}</tbody></table></div>
<h2>Carte de la demande</h2>
${communeMap(st, shapes)}
<h2>Où manquent des conducteurs</h2>
${recruitingSection(st, shapes)}
<h2>Télécharger</h2>
<ul>
  <li><a class="fr-link fr-link--download" href="/api/stats?${query}&amp;format=csv" download>Données au format CSV</a></li>
  <li><a class="fr-link fr-link--download" href="/api/stats?${query}&amp;format=json" download>Données au format JSON</a></li>
</ul>`;
}
