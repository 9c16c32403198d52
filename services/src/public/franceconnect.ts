import * as oidc from 'openid-client';
import type { Db } from '@comobi/db';
import { HttpError } from '../http/errors.ts';

export interface FcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export interface FcIdentity {
  sub: string;
  givenName: string | null;
  familyName: string | null;
  /** YYYY-MM-DD; FranceConnect sends YYYY-01-01 when the month is unknown. */
  birthdate: string | null;
  email: string | null;
  idToken: string;
  territorySlug: string | null;
}

export const FC_SCOPES = 'openid given_name family_name birthdate email';
const ATTEMPT_TTL_MIN = 15;
const loopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

const loginFailed = (why: string) => new HttpError(403, 'login_failed', `FranceConnect: ${why}`);

/**
 * FranceConnect (OpenID Connect, authorization code flow) with openid-client: state and nonce from the CSPRNG (43
 * characters), kept server-side for one use; the ID token's ES256 signature is checked against the provider's JWKS
 * (fetched, never pinned), with iss, aud, exp and nonce; the user info is a signed JWT too.
 */
export class FranceConnect {
  private config?: Promise<oidc.Configuration>;

  constructor(readonly settings: FcSettings) {}

  get issuerOrigin() {
    return new URL(this.settings.issuer).origin;
  }

  private configuration(): Promise<oidc.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.settings.issuer);
      // Plain HTTP is allowed only for a provider on loopback (tests, local mock).
      const execute = [oidc.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' && loopback(issuer) ? [oidc.allowInsecureRequests] : [])];
      this.config = oidc
        .discovery(issuer, this.settings.clientId, {
          id_token_signed_response_alg: 'ES256',
          userinfo_signed_response_alg: 'ES256',
        }, oidc.ClientSecretPost(this.settings.clientSecret), { execute, timeout: 10 })
        .catch((e) => {
          this.config = undefined; // retry discovery on the next login
          throw e;
        });
    }
    return this.config;
  }

  async authorizationUrl(db: Db, territorySlug: string | null): Promise<{ url: URL; state: string }> {
    const config = await this.configuration();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await db.query(`INSERT INTO oidc_attempts (state, nonce, purpose, territory_slug) VALUES ($1, $2, 'login', $3)`, [state, nonce, territorySlug]);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: FC_SCOPES,
      acr_values: 'eidas1',
      state,
      nonce,
    });
    return { url, state };
  }

  /** Takes the attempt for `state` once: a replayed or forged state finds nothing. */
  private async consume(db: Db, state: string | null, cookieState: string | undefined, purpose: 'login' | 'logout') {
    if (!state || state.length < 32 || state.length > 200 || state !== cookieState) throw loginFailed('state does not match this browser');
    const { rows } = await db.query<{ nonce: string | null; territory_slug: string | null }>(
      `DELETE FROM oidc_attempts WHERE state = $1 AND purpose = $2 AND created_at > now() - make_interval(mins => $3)
       RETURNING nonce, territory_slug`,
      [state, purpose, ATTEMPT_TTL_MIN],
    );
    if (!rows[0]) throw loginFailed('unknown, expired or already used state');
    return rows[0];
  }

  /** The provider sent the browser back: `query` is the callback's query string. */
  async callback(db: Db, query: string, cookieState: string | undefined): Promise<FcIdentity> {
    const config = await this.configuration();
    const current = new URL(this.settings.redirectUri);
    current.search = query;
    const state = current.searchParams.get('state');
    const attempt = await this.consume(db, state, cookieState, 'login');
    if (current.searchParams.get('error')) throw loginFailed(`login not completed (${current.searchParams.get('error')!.slice(0, 50)})`);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        expectedState: state!,
        expectedNonce: attempt.nonce!,
        idTokenExpected: true,
      });
    } catch (e) {
      throw loginFailed(`token exchange or ID token check failed (${(e as { code?: string }).code ?? 'error'})`);
    }
    const claims = tokens.claims()!;
    if (claims.acr !== undefined && claims.acr !== 'eidas1' && !String(claims.acr).startsWith('eidas')) throw loginFailed('unexpected acr');
    let info: oidc.UserInfoResponse;
    try {
      info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    } catch (e) {
      throw loginFailed(`user info failed (${(e as { code?: string }).code ?? 'error'})`);
    }
    const str = (v: unknown, max: number) => (typeof v === 'string' && v.length ? v.slice(0, max) : null);
    const birthdate = str(info.birthdate, 10);
    return {
      sub: claims.sub,
      givenName: str(info.given_name, 100),
      familyName: str(info.family_name, 100),
      birthdate: birthdate && /^\d{4}-\d{2}-\d{2}$/.test(birthdate) ? birthdate : null,
      email: str(info.email, 200),
      idToken: tokens.id_token!,
      territorySlug: attempt.territory_slug,
    };
  }

  async logoutUrl(db: Db, idToken: string): Promise<{ url: URL; state: string }> {
    const config = await this.configuration();
    const state = oidc.randomState();
    await db.query(`INSERT INTO oidc_attempts (state, purpose) VALUES ($1, 'logout')`, [state]);
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      state,
      post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
    });
    return { url, state };
  }

  async logoutCallback(db: Db, state: string | null, cookieState: string | undefined): Promise<void> {
    await this.consume(db, state, cookieState, 'logout');
  }
}
