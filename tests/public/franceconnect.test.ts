import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfOf, startPublic, type PublicServer } from './helpers.ts';
import { FC_CLIENT, IDENTITY, POST_LOGOUT_URI, REDIRECT_URI, startFranceConnectMock } from './oidc-mock.ts';

let op: Awaited<ReturnType<typeof startFranceConnectMock>>;
let srv: PublicServer;

beforeAll(async () => {
  op = await startFranceConnectMock();
  srv = await startPublic({
    env: {
      FC_ISSUER: op.issuer, FC_CLIENT_ID: FC_CLIENT.id, FC_CLIENT_SECRET: FC_CLIENT.secret,
      FC_REDIRECT_URI: REDIRECT_URI, FC_POST_LOGOUT_REDIRECT_URI: POST_LOGOUT_URI,
    },
  });
  await srv.testDb.db.query(`INSERT INTO territories (slug, name, coordinator_phone) VALUES ('lot', 'Lot', '05 65 00 00 00')`);
});
afterAll(async () => {
  await srv?.close();
  await op?.close();
});

/** Our registered URIs name no port: the browser is sent to the app under test instead. */
const toApp = (u: string) => srv.url + new URL(u).pathname + new URL(u).search;

/** Starts a login, optionally tampers with the authorization URL, and follows the provider until it sends the browser back. */
async function authorize(app: Browser, tamper?: (u: URL) => void): Promise<{ authUrl: URL; callback: string }> {
  const start = await app.fetch('/auth/franceconnect/login?territoire=lot');
  expect(start.status).toBe(302);
  const authUrl = new URL(start.headers.get('location')!);
  tamper?.(authUrl);
  const provider = new Browser(op.issuer);
  let loc = authUrl.href;
  for (let i = 0; i < 10; i++) {
    const res = await provider.fetch(loc);
    await res.arrayBuffer();
    const next = res.headers.get('location');
    if (!next) throw new Error(`provider stopped at ${loc} with ${res.status}`);
    loc = new URL(next, op.issuer).href;
    if (loc.startsWith(REDIRECT_URI)) return { authUrl, callback: toApp(loc) };
  }
  throw new Error('too many redirects');
}

describe('FranceConnect login', () => {
  it('asks FranceConnect for the code flow with eidas1, its scopes, and a state and a nonce of 32+ characters', async () => {
    const { authUrl } = await authorize(new Browser(srv.url));
    const q = authUrl.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('acr_values')).toBe('eidas1');
    expect(q.get('scope')).toBe('openid given_name family_name birthdate email');
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(32);
  });

  it('logs in, links the identity to a new person, asks the phone, then logs out through the end-session endpoint', async () => {
    const app = new Browser(srv.url);
    const { callback } = await authorize(app);
    const back = await app.fetch(callback);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/mon-compte');
    const { rows } = await srv.testDb.db.query<{ person_id: number; first_name: string; last_name: string; birthdate: string; email: string }>(
      `SELECT a.person_id, i.first_name, i.last_name, i.birthdate::text AS birthdate, i.email FROM citizen_accounts a
       JOIN person_identities i ON i.person_id = a.person_id WHERE a.fc_sub = 'fc-sub-0123456789abcdef'`);
    expect(rows[0]).toMatchObject({ first_name: IDENTITY.given_name, last_name: IDENTITY.family_name, birthdate: IDENTITY.birthdate, email: IDENTITY.email });

    const form = await app.get('/mon-compte');
    const bad = await app.post('/mon-compte', { telephone: 'abc' }, csrfOf(form.text));
    expect(bad.res.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
    const ok = await app.post('/mon-compte', { telephone: '06 12 34 56 78', consentement: 'oui' }, csrfOf(form.text));
    expect(ok.res.status).toBe(302);
    const mine = await app.get('/mes-trajets');
    expect(mine.text).toContain('Bonjour Angela Claire Louise');
    const consents = await srv.testDb.db.query(`SELECT kind, text_version FROM consents WHERE person_id = $1`, [rows[0].person_id]);
    expect(consents.rows).toEqual([{ kind: 'data_processing', text_version: 'traitement-2026-01' }]);

    // A second login finds the same person.
    const again = new Browser(srv.url);
    const second = await again.fetch((await authorize(again)).callback);
    expect(second.headers.get('location')).toBe('/mes-trajets');
    expect((await srv.testDb.db.query('SELECT count(*)::int AS n FROM citizen_accounts')).rows[0].n).toBe(1);

    const out = await app.post('/auth/franceconnect/logout', {}, csrfOf(mine.text));
    expect(out.res.status).toBe(302);
    const end = new URL(out.res.headers.get('location')!);
    expect(end.origin).toBe(op.issuer);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(POST_LOGOUT_URI);
    expect(end.searchParams.get('id_token_hint')).toMatch(/^ey/);
    const state = end.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(app.cookies.has('comobi_citoyen')).toBe(false);
    expect((await app.get('/mes-trajets')).text).not.toContain('Bonjour');
    // The state is checked on return: another browser (without the state cookie) is refused, this one accepted once.
    expect((await new Browser(srv.url).fetch(`/auth/franceconnect/logout-callback?state=${state}`)).status).toBe(403);
    const done = await app.fetch(`/auth/franceconnect/logout-callback?state=${state}`);
    expect(done.status).toBe(200);
    expect((await app.fetch(`/auth/franceconnect/logout-callback?state=${state}`)).status).toBe(403);
  });

  it('rejects a forged state', async () => {
    const app = new Browser(srv.url);
    const { callback } = await authorize(app);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'f'.repeat(43));
    const res = await app.fetch(forged.pathname + forged.search);
    expect(res.status).toBe(403);
    expect(app.cookies.has('comobi_citoyen')).toBe(false);
    // And the right state from another browser (no state cookie) is refused too.
    const other = new Browser(srv.url);
    expect((await other.fetch(callback)).status).toBe(403);
  });

  it('rejects a replayed code, with the same state or a fresh one', async () => {
    const app = new Browser(srv.url);
    const { callback } = await authorize(app);
    expect((await app.fetch(callback)).status).toBe(302);
    const replay = new Browser(srv.url);
    replay.cookies = new Map(app.cookies);
    replay.cookies.delete('comobi_citoyen');
    expect((await replay.fetch(callback)).status).toBe(403);
    // A fresh login attempt (valid state and cookie) carrying the old code: the provider refuses the code.
    const start = await replay.fetch('/auth/franceconnect/login?territoire=lot');
    const freshState = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const reused = new URL(callback);
    reused.searchParams.set('state', freshState);
    const res = await replay.fetch(reused.pathname + reused.search);
    expect(res.status).toBe(403);
    expect(replay.cookies.has('comobi_citoyen')).toBe(false);
  });

  it('rejects an ID token whose nonce is not the one sent', async () => {
    const app = new Browser(srv.url);
    const { callback } = await authorize(app, (u) => u.searchParams.set('nonce', 'n'.repeat(43)));
    const res = await app.fetch(callback);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('La connexion avec FranceConnect a échoué');
    expect(app.cookies.has('comobi_citoyen')).toBe(false);
  });

  it('shows the official button on the pages and allows FranceConnect as a form target in the CSP', async () => {
    const res = await fetch(`${srv.url}/t/lot`);
    const text = await res.text();
    expect(text).toContain('class="fr-connect"');
    expect(text).toContain('Qu’est-ce que FranceConnect ?');
    expect(res.headers.get('content-security-policy')).toContain(`form-action 'self' ${op.issuer}`);
  });
});
