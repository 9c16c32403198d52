import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfOf, startPublic, type PublicServer } from './helpers.ts';

let srv: PublicServer;
beforeAll(async () => {
  srv = await startPublic({ demo: true, env: { JDMA_ID: '3456', JDMA_BUTTON_ID: '7890' } });
});
afterAll(async () => {
  await srv?.close();
});

const CAHORS = '46042';
const FIGEAC = '46102';
/** The next Monday after today (a weekday every test driver runs). */
const nextMonday = () => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
};

const offer = (over: Record<string, string | string[]>) => ({
  prenom: 'Aurore', nom: 'Testeuse', telephone: '06 12 34 56 78', courriel: 'aurore.testeuse@example.org',
  depart: CAHORS, depart_precision: '12 rue des Essais', arrivee: FIGEAC, type: 'regular', jours: ['1', '2', '3', '4', '5'],
  heure_depart: '08:00', places: '3', consentement: 'oui', ...over,
});

describe('public pages', () => {
  it('pre-fills the search form from a partner link, keeping only the form fields', async () => {
    const b = new Browser(srv.url);
    const { text } = await b.get(`/t/lot/chercher?depart=${CAHORS}&arrivee=${FIGEAC}&sens=depart&evil=%3Cscript%3E`);
    expect(text).toContain(`<option value="${CAHORS}" selected>`);
    expect(text).toContain(`<option value="${FIGEAC}" selected>`);
    expect(text).not.toContain('<script>');
  });

  it('sends the single territory home, with the coordinator phone, skip links, French and the security headers', async () => {
    const b = new Browser(srv.url);
    const root = await b.fetch('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/t/lot');
    const { res, text } = await b.get('/t/lot');
    expect(res.status).toBe(200);
    expect(text).toContain('<html lang="fr">');
    expect(text).toContain('href="#contenu"');
    expect(text).toContain('05 36 49 00 00');
    expect(text).toContain('href="https://jedonnemonavis.numerique.gouv.fr/Demarches/3456?button=7890"');
    expect(text).toContain('alt="Je donne mon avis"');
    expect(text).not.toContain('fr-connect'); // FranceConnect not configured here
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const tls = await b.fetch('/t/lot', { headers: { 'x-forwarded-proto': 'https' } });
    expect(tls.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('serves the design system locally and nothing outside its folder', async () => {
    const css = await fetch(`${srv.url}/dsfr/dsfr.min.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    await css.arrayBuffer();
    const b = new Browser(srv.url);
    expect((await b.fetch('/dsfr/fonts/Marianne-Regular.woff2')).status).toBe(200);
    expect((await b.fetch('/dsfr/..%2Fpackage.json')).status).toBe(404);
    expect((await b.fetch('/public-assets/jedonnemonavis-bouton-bleu.svg')).status).toBe(200);
  });

  it('refuses a form without its CSRF token', async () => {
    const b = new Browser(srv.url);
    await b.get('/t/lot/proposer');
    const { res } = await b.post('/t/lot/proposer', offer({}), 'forged');
    expect(res.status).toBe(403);
  });

  it('answers bad input with the errors tied to their fields, and writes nothing', async () => {
    const b = new Browser(srv.url);
    const csrf = csrfOf((await b.get('/t/lot/proposer')).text);
    const before = (await srv.testDb.db.query('SELECT count(*)::int AS n FROM people')).rows[0].n;
    const { res, text } = await b.post('/t/lot/proposer', offer({ telephone: '12', depart: '99999', heure_depart: '25:00', jours: ['9'], places: '40', consentement: [] }), csrf);
    expect(res.status).toBe(400);
    for (const f of ['telephone', 'depart', 'heure_depart', 'places']) {
      expect(text).toMatch(new RegExp(`id="f-${f}"[^>]*aria-describedby="[^"]*f-${f}-error"[^>]*aria-invalid="true"`));
      expect(text).toContain(`id="f-${f}-error"`);
    }
    expect(text).toContain('id="f-jours-error"');
    expect(text).toContain('id="f-consentement-error"');
    expect(text).toContain('href="#f-telephone"'); // error summary links to the field
    expect(text).toContain('value="Aurore"'); // what was typed is kept
    expect((await srv.testDb.db.query('SELECT count(*)::int AS n FROM people')).rows[0].n).toBe(before);
    const huge = await b.post('/t/lot/proposer', offer({ nom: 'x'.repeat(20_000) }), csrf);
    expect(huge.res.status).toBe(413);
  });

  it('records offers and a request; shows only the drivers who agreed to direct contact; logs no personal data', async () => {
    const b = new Browser(srv.url);
    const csrf = csrfOf((await b.get('/t/lot/proposer')).text);
    const legsBefore = srv.booted.services.index.size;
    const a = await b.post('/t/lot/proposer', offer({ contact_direct: 'oui' }), csrf);
    expect(a.res.status).toBe(200);
    expect(a.text).toContain('Trajet enregistré');
    const bz = await b.post('/t/lot/proposer', offer({ prenom: 'Bastien', telephone: '07 98 76 54 32', courriel: '' }), csrf);
    expect(bz.res.status).toBe(200);
    expect(srv.booted.services.index.size).toBeGreaterThan(legsBefore);
    const { rows } = await srv.testDb.db.query<{ first_name: string; direct_contact_consent: boolean; kind: string; n: number }>(
      `SELECT i.first_name, p.direct_contact_consent, t.kind, (SELECT count(*)::int FROM consents c WHERE c.person_id = p.id) AS n
       FROM people p JOIN person_identities i ON i.person_id = p.id JOIN trips t ON t.driver_id = p.id
       WHERE i.phone IN ('06 12 34 56 78', '07 98 76 54 32') ORDER BY i.first_name`);
    expect(rows).toEqual([
      { first_name: 'Aurore', direct_contact_consent: true, kind: 'regular', n: 2 },
      { first_name: 'Bastien', direct_contact_consent: false, kind: 'regular', n: 2 },
    ]);

    const ask = await b.get('/t/lot/chercher');
    const r = await b.post('/t/lot/chercher', {
      prenom: 'Zéphyrine', telephone: '06 55 44 33 22', depart: CAHORS, arrivee: FIGEAC, date: nextMonday(), sens: 'depart',
      heure: '08:00', motif: 'health', places: '1', consentement: 'oui',
    }, csrfOf(ask.text));
    expect(r.res.status).toBe(200);
    expect(r.text).toContain('Aurore');
    expect(r.text).not.toContain('Bastien');
    expect(r.text).toMatch(/la coordination va vous appeler/i);
    expect(r.text).toContain('05 36 49 00 00');
    expect(r.text).toContain('jedonnemonavis.numerique.gouv.fr/Demarches/3456');
    const req = await srv.testDb.db.query<{ created_by: string; purpose: string; proposals: number }>(
      `SELECT r.created_by, r.purpose, (SELECT count(*)::int FROM matches m WHERE m.request_id = r.id) AS proposals
       FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE i.first_name = 'Zéphyrine'`);
    expect(req.rows[0].created_by).toBe('public');
    expect(req.rows[0].purpose).toBe('health');
    expect(req.rows[0].proposals).toBeGreaterThanOrEqual(2);

    const logs = srv.logs.join('\n');
    expect(srv.logs.length).toBeGreaterThan(0);
    for (const secret of ['Aurore', 'Bastien', 'Zéphyrine', 'Testeuse', '06 12 34 56 78', '0612345678', 'aurore.testeuse', 'rue des Essais']) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('rate limits', () => {
  let small: PublicServer;
  beforeAll(async () => {
    small = await startPublic({ env: { RATE_LIMIT_FORMS: '3' } });
    await small.testDb.db.query(`INSERT INTO territories (slug, name) VALUES ('petit', 'Petit')`);
  });
  afterAll(async () => {
    await small?.close();
  });

  it('stops a client after the limit of public form posts, counted in the database', async () => {
    const b = new Browser(small.url);
    const csrf = csrfOf((await b.get('/t/petit/chercher')).text);
    for (let i = 0; i < 3; i++) expect((await b.post('/t/petit/chercher', {}, csrf)).res.status).toBe(400);
    const blocked = await b.post('/t/petit/chercher', {}, csrf);
    expect(blocked.res.status).toBe(429);
    expect(blocked.res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(blocked.text).toContain('Trop de tentatives');
    const { rows } = await small.testDb.db.query<{ key: string; count: number }>('SELECT key, count FROM rate_limits');
    expect(rows[0].count).toBe(4);
    expect(rows[0].key).not.toContain('127.0.0.1'); // the address is stored hashed
  });
});
