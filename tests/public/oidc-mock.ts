import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const FC_CLIENT = { id: 'comobi-test-client', secret: 'a-client-secret-of-at-least-32-characters!' };
/** The app's URLs as registered at the provider (host-only: the test rewrites them to the app's port). */
export const REDIRECT_URI = 'http://127.0.0.1/auth/franceconnect/callback';
export const POST_LOGOUT_URI = 'http://127.0.0.1/auth/franceconnect/logout-callback';

/** Claims of FranceConnect's test identity (invented person of the integration platform). */
export const IDENTITY = { given_name: 'Angela Claire Louise', family_name: 'DUBOIS', birthdate: '1962-08-24', email: 'wossewodda-3728@yopmail.com' };

/**
 * A local OpenID provider that behaves like FranceConnect v2: authorization code flow, ES256-signed ID tokens and
 * user info JWT, FranceConnect's scopes and claims, acr eidas1, end-session logout. Interactions (login, consent)
 * finish at once with a fixed subject.
 */
export async function startFranceConnectMock(sub = 'fc-sub-0123456789abcdef') {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'test-es256' };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let provider!: any;
  const server = http.createServer((req, res) => {
    const m = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
    if (!m) return provider.callback()(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: sub, acr: 'eidas1' } }, { mergeWithLastSubmission: false });
      } else {
        const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      }
    })().catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [{
      client_id: FC_CLIENT.id,
      client_secret: FC_CLIENT.secret,
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
    }],
    jwks: { keys: [jwk] },
    scopes: ['openid', 'given_name', 'family_name', 'birthdate', 'email'],
    claims: { openid: ['sub'], given_name: ['given_name'], family_name: ['family_name'], birthdate: ['birthdate'], email: ['email'] },
    acrValues: ['eidas1'],
    enabledJWA: { idTokenSigningAlgValues: ['ES256'], userinfoSigningAlgValues: ['ES256'] },
    features: { devInteractions: { enabled: false }, jwtUserinfo: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => false },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, ...IDENTITY }) }),
  });
  return {
    issuer,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
