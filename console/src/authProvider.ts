import type { AuthProvider } from 'react-admin';
import { api, setCsrfToken } from './api.ts';
import { takeEarly } from './early.ts';

export interface Me {
  id: number;
  email: string;
  displayName: string | null;
  role: 'admin' | 'coordinator' | 'viewer';
  territoryIds: number[] | null;
  territories: { id: number; slug: string; name: string }[];
  csrfToken: string;
}

let me: Me | null = null;
export const currentUser = () => me;

let asking: Promise<Me | null> | null = null;
/** One question at a time: react-admin's checks (auth, identity, permissions) all wait on the same answer. */
function fetchMe(): Promise<Me | null> {
  asking ??= (async () => {
    const res = (await takeEarly('/auth/me')) ?? (await fetch('/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
    if (!res.ok) return null;
    me = (await res.json()) as Me;
    setCsrfToken(me.csrfToken);
    return me;
  })().finally(() => {
    asking = null;
  });
  return asking;
}
// Asked as soon as the scripts run, while React starts: every page waits on it.
void fetchMe().catch(() => null);

/** The signed-in user, once known (null when nobody is). */
export const signedIn = (): Promise<Me | null> => (me ? Promise.resolve(me) : fetchMe().catch(() => null));

/** Session cookie (HttpOnly) set by /auth/login; the CSRF token comes back in the body. */
export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const res = await fetch('/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: username, password }),
    });
    if (res.status === 429) throw new Error('comobi.errors.too_many');
    if (!res.ok) throw new Error('comobi.errors.bad_login');
    me = (await res.json()) as Me;
    setCsrfToken(me.csrfToken);
  },
  async logout() {
    if (me) await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    me = null;
    setCsrfToken('');
  },
  async checkAuth() {
    if (!me && !(await fetchMe())) throw new Error('ra.auth.auth_check_error');
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      me = null;
      throw new Error('ra.notification.logged_out');
    }
  },
  async getIdentity() {
    const u = me ?? (await fetchMe());
    if (!u) throw new Error('ra.auth.auth_check_error');
    return { id: u.id, fullName: u.displayName ?? u.email };
  },
  async getPermissions() {
    const u = me ?? (await fetchMe());
    return u?.role ?? null;
  },
};
