/** Server-rendered HTML with the State design system (DSFR). Every interpolated value goes through `esc`. */

export const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Marks already-escaped HTML. */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}
export const raw = (s: string) => new Html(s);

/** Tagged template: interpolations are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    const part = (x: unknown): string => (x instanceof Html ? x.value : Array.isArray(x) ? x.map(part).join('') : x === false || x == null ? '' : esc(x));
    out += part(v) + strings[i + 1];
  });
  return new Html(out);
}

export interface PageChrome {
  title: string;
  /** Territory shown in the header, with its coordinator's phone. */
  territory?: { slug: string; name: string; coordinatorPhone: string | null };
  citizen?: { firstName: string | null } | null;
  franceConnect: boolean;
  jdma?: { productId: string; buttonId: string };
  csrf?: string;
  /** Show the "Je donne mon avis" button in the page (end of a procedure) rather than in the footer: once, not twice. */
  feedbackInPage?: boolean;
}

/** A phone number as a `tel:` address: digits and a leading + only. */
export const telHref = (phone: string) => `tel:${phone.replace(/[^+0-9]/g, '')}`;

export const jdmaButton = (j: { productId: string; buttonId: string }) => html`<a href="https://jedonnemonavis.numerique.gouv.fr/Demarches/${j.productId}?button=${j.buttonId}" target="_blank" rel="noopener" title="Je donne mon avis sur cette démarche - nouvelle fenêtre" class="jdma-link"><img src="/public-assets/jedonnemonavis-bouton-bleu.svg" alt="Je donne mon avis" width="200" height="85"></a>`;

/** The official button (DSFR "fr-connect" component) with the "Qu'est-ce que FranceConnect ?" link under it. */
export const franceConnectButton = (territorySlug?: string) => html`<form method="get" action="/auth/franceconnect/login" class="fr-connect-group">
  ${territorySlug ? html`<input type="hidden" name="territoire" value="${territorySlug}">` : ''}
  <button class="fr-connect" type="submit"><span class="fr-connect__login">S’identifier avec</span> <span class="fr-connect__brand">FranceConnect</span></button>
  <p><a href="https://franceconnect.gouv.fr/" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect ? - nouvelle fenêtre">Qu’est-ce que FranceConnect ?</a></p>
</form>`;

/**
 * The whole page. The header follows the DSFR header markup to the letter: its script copies the tool links into
 * `fr-header__menu-links` for small screens (and throws without that element), and the burger button opens the
 * `fr-header__menu` modal holding the navigation.
 */
export function page(c: PageChrome, body: Html): string {
  const t = c.territory;
  const base = t ? `/t/${t.slug}` : '';
  // In the home page's order: the passenger's way first, then the drivers' (with a trip, or volunteering).
  const nav = t
    ? html`<nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal"><ul class="fr-nav__list">
        <li class="fr-nav__item"><a class="fr-nav__link" href="${base}">Accueil</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="${base}/chercher">Je cherche un trajet</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="${base}/proposer">Je propose un trajet</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="${base}/benevole">Je deviens conducteur bénévole</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="/mes-trajets">Mes trajets</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="/stats?territoire=${t.slug}">Statistiques</a></li>
      </ul></nav>`
    : html`<nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal"><ul class="fr-nav__list">
        <li class="fr-nav__item"><a class="fr-nav__link" href="/">Accueil</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="/mes-trajets">Mes trajets</a></li>
        <li class="fr-nav__item"><a class="fr-nav__link" href="/stats">Statistiques</a></li>
      </ul></nav>`;
  const account = c.citizen
    ? html`<li><form method="post" action="/auth/franceconnect/logout"><input type="hidden" name="csrf" value="${c.csrf ?? ''}"><button type="submit" class="fr-btn fr-btn--tertiary-no-outline fr-icon-logout-box-r-line fr-btn--icon-left">Se déconnecter</button></form></li>`
    : '';
  const phone = t?.coordinatorPhone
    ? html`<li><a class="fr-btn fr-icon-phone-line fr-btn--icon-left" href="${telHref(t.coordinatorPhone)}">Coordination : ${t.coordinatorPhone}</a></li>`
    : '';
  const doc = html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>${c.title} - CoMobi${t ? html` ${t.name}` : ''}</title>
<meta name="format-detection" content="telephone=no">
<link rel="stylesheet" href="/dsfr/dsfr.min.css">
<link rel="stylesheet" href="/dsfr/utility/icons/icons.min.css">
<link rel="stylesheet" href="/public-assets/comobi.css">
<link rel="icon" href="/dsfr/favicon/favicon.svg" type="image/svg+xml">
</head>
<body>
<div class="fr-skiplinks">
  <nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list">
      <li><a class="fr-link" href="#contenu">Contenu</a></li>
      <li><a class="fr-link" href="#navigation">Menu</a></li>
      <li><a class="fr-link" href="#pied-de-page">Pied de page</a></li>
    </ul>
  </nav>
</div>
<header role="banner" class="fr-header">
  <div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
    <div class="fr-header__brand fr-enlarge-link">
      <div class="fr-header__brand-top">
        <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
        <div class="fr-header__navbar"><button class="fr-btn--menu fr-btn" type="button" data-fr-opened="false" aria-controls="menu-principal" aria-haspopup="dialog" id="bouton-menu" title="Menu">Menu</button></div>
      </div>
      <div class="fr-header__service">
        <a href="${base || '/'}" title="Accueil - CoMobi${t ? html` ${t.name}` : ''}"><p class="fr-header__service-title">CoMobi${t ? html` ${t.name}` : ''}</p></a>
        <p class="fr-header__service-tagline">Covoiturage solidaire</p>
      </div>
    </div>
    <div class="fr-header__tools"><div class="fr-header__tools-links"><ul class="fr-btns-group">${phone}${account}</ul></div></div>
  </div></div></div>
  <div class="fr-header__menu fr-modal" id="menu-principal" aria-labelledby="bouton-menu"><div class="fr-container">
    <button class="fr-btn--close fr-btn" type="button" aria-controls="menu-principal" title="Fermer">Fermer</button>
    <div class="fr-header__menu-links"></div>
    ${nav}
  </div></div>
</header>
<main id="contenu" role="main" tabindex="-1" class="fr-container fr-py-4w">
${body}
${c.feedbackInPage && c.jdma ? html`<div class="fr-mt-4w">${jdmaButton(c.jdma)}</div>` : ''}
</main>
<footer class="fr-footer" role="contentinfo" id="pied-de-page">
  <div class="fr-container">
    <div class="fr-footer__body">
      <div class="fr-footer__brand fr-enlarge-link"><a href="/" title="Retour à l’accueil - CoMobi"><p class="fr-logo">République<br>Française</p></a></div>
      <div class="fr-footer__content">
        <p class="fr-footer__content-desc">CoMobi met en relation des conducteurs bénévoles et des personnes sans solution de transport.${t?.coordinatorPhone ? html` Vous préférez appeler ? La coordination répond au <a href="${telHref(t.coordinatorPhone)}">${t.coordinatorPhone}</a>.` : ''}</p>
        ${c.jdma && !c.feedbackInPage ? html`<div class="fr-mt-2w">${jdmaButton(c.jdma)}</div>` : ''}
      </div>
    </div>
    <div class="fr-footer__bottom">
      <ul class="fr-footer__bottom-list">
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/confidentialite">Données personnelles</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/stats">Statistiques</a></li>
        <li class="fr-footer__bottom-item"><span class="fr-footer__bottom-link">Accessibilité : partiellement conforme</span></li>
      </ul>
    </div>
  </div>
</footer>
<script type="module" src="/dsfr/dsfr.module.min.js"></script>
</body>
</html>`;
  return doc.value;
}

/** A form field with its label, hint and error tied together (RGAA: aria-describedby, aria-invalid). */
export function input(f: {
  name: string; label: string; value?: string; error?: string; hint?: string; type?: string; required?: boolean;
  autocomplete?: string; maxlength?: number; attrs?: string;
}): Html {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="fr-input-group${f.error ? ' fr-input-group--error' : ''}">
  <label class="fr-label" for="${id}">${f.label}${f.required ? html` <span aria-hidden="true">*</span>` : ''}${f.hint ? html`<span class="fr-hint-text" id="${id}-hint">${f.hint}</span>` : ''}</label>
  <input class="fr-input${f.error ? ' fr-input--error' : ''}" id="${id}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value ?? ''}"${raw(f.required ? ' required' : '')}${raw(f.autocomplete ? ` autocomplete="${esc(f.autocomplete)}"` : '')}${raw(f.maxlength ? ` maxlength="${f.maxlength}"` : '')}${raw(described ? ` aria-describedby="${esc(described)}"` : '')}${raw(f.error ? ' aria-invalid="true"' : '')}${raw(f.attrs ?? '')}>
  ${f.error ? html`<p class="fr-error-text" id="${id}-error">${f.error}</p>` : ''}
</div>`;
}

/** `empty`: the first, empty choice's text (DSFR's "Sélectionner une option" unless it means something, e.g. "all"). */
export function select(f: { name: string; label: string; options: { value: string; label: string }[]; value?: string; error?: string; hint?: string; required?: boolean; empty?: string }): Html {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="fr-select-group${f.error ? ' fr-select-group--error' : ''}">
  <label class="fr-label" for="${id}">${f.label}${f.required ? html` <span aria-hidden="true">*</span>` : ''}${f.hint ? html`<span class="fr-hint-text" id="${id}-hint">${f.hint}</span>` : ''}</label>
  <select class="fr-select${f.error ? ' fr-select--error' : ''}" id="${id}" name="${f.name}"${raw(f.required ? ' required' : '')}${raw(described ? ` aria-describedby="${esc(described)}"` : '')}${raw(f.error ? ' aria-invalid="true"' : '')}>
    <option value="">${f.empty ?? 'Sélectionner une option'}</option>
    ${f.options.map((o) => html`<option value="${o.value}"${raw(o.value === f.value ? ' selected' : '')}>${o.label}</option>`)}
  </select>
  ${f.error ? html`<p class="fr-error-text" id="${id}-error">${f.error}</p>` : ''}
</div>`;
}

/** A group of radios or checkboxes in a fieldset with a legend; the error is tied to the fieldset. */
export function choices(f: { name: string; legend: string; type: 'radio' | 'checkbox'; options: { value: string; label: string }[]; values?: string[]; error?: string; hint?: string; required?: boolean }): Html {
  const id = `f-${f.name}`;
  return html`<fieldset class="fr-fieldset${f.error ? ' fr-fieldset--error' : ''}" id="${id}" role="group" aria-labelledby="${id}-legend${f.error ? html` ${id}-error` : ''}">
  <legend class="fr-fieldset__legend" id="${id}-legend">${f.legend}${f.required ? html` <span aria-hidden="true">*</span>` : ''}${f.hint ? html`<span class="fr-hint-text">${f.hint}</span>` : ''}</legend>
  ${f.options.map((o, i) => html`<div class="fr-fieldset__element${f.type === 'radio' ? '' : ' fr-fieldset__element--inline'}"><div class="fr-${f.type === 'radio' ? 'radio' : 'checkbox'}-group">
    <input type="${f.type}" id="${id}-${i}" name="${f.name}" value="${o.value}"${raw(f.values?.includes(o.value) ? ' checked' : '')}>
    <label class="fr-label" for="${id}-${i}">${o.label}</label>
  </div></div>`)}
  ${f.error ? html`<div class="fr-messages-group" id="${id}-error" aria-live="assertive"><p class="fr-message fr-message--error">${f.error}</p></div>` : ''}
</fieldset>`;
}

/** Error summary at the top of a form, each entry linking to its field (RGAA 11.10). */
export function errorSummary(errors: Record<string, string>): Html {
  const entries = Object.entries(errors);
  if (!entries.length) return html``;
  return html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert" id="erreurs" tabindex="-1">
  <h2 class="fr-alert__title">Le formulaire contient ${entries.length} erreur${entries.length > 1 ? 's' : ''}</h2>
  <ul>${entries.map(([k, v]) => html`<li><a href="#f-${k}">${v}</a></li>`)}</ul>
</div>`;
}
