import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '@comobi/db/postgres';
import { backend, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openapiValidator } from '../integrations/openapi.ts';

let srv: TestServer;
let lot: number;
let other: number;

beforeAll(async () => {
  srv = await startServer();
  lot = (await srv.api('POST', '/api/territories', { slug: 'lot-jetons', name: 'Lot (jetons)' })).body.id;
  other = (await srv.api('POST', '/api/territories', { slug: 'ailleurs-jetons', name: 'Ailleurs' })).body.id;
});
afterAll(async () => srv?.close());

/** A token made through the API by `as` (the deployment's ADMIN_TOKEN by default). */
async function make(body: object, as?: string) {
  const r = await srv.api('POST', '/api/tokens', body, as);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; token: string; territoryId: number | null };
}

const auditOf = async (id: number) =>
  (
    await srv.booted.services.db.query<Record<string, unknown>>(
      `SELECT actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason FROM audit_log
       WHERE subject_type = 'api_token' AND subject_id = $1 ORDER BY id`,
      [id],
    )
  ).rows;

describe('API tokens as a resource', () => {
  it('creates a token shown once, which then works; lists it without secret; revokes it at once (401)', async () => {
    const created = await srv.api('POST', '/api/tokens', { label: 'Script de la coordination', role: 'coordinator', territoryId: lot });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({
      label: 'Script de la coordination', role: 'coordinator', territoryId: lot, createdBy: 'admin-token', lastUsedAt: null, revokedAt: null,
    });
    const { id, token } = created.body;
    expect(token).toMatch(/^cmb_[\w-]{32}$/);
    expect(Date.parse(created.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    // The token is a working credential of its role and territory.
    expect((await srv.api('GET', '/api/people', undefined, token)).status).toBe(200);
    expect((await srv.api('GET', `/api/territories/${other}`, undefined, token)).status).toBe(404);

    const list = await srv.api('GET', `/api/tokens?sort=${encodeURIComponent('["createdAt","DESC"]')}`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toMatch(/^tokens 0-\d+\/\d+$/);
    const row = list.body.find((t: { id: number }) => t.id === id);
    expect(row).toMatchObject({ id, label: 'Script de la coordination', role: 'coordinator', territoryId: lot, revokedAt: null });
    expect(Date.parse(row.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    const stored = await srv.booted.services.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $1', [id]);
    for (const body of [JSON.stringify(list.body), JSON.stringify((await srv.api('GET', `/api/tokens/${id}`)).body)]) {
      expect(body).not.toContain(token);
      expect(body).not.toContain(stored.rows[0].token_hash);
      expect(body).not.toMatch(/"token"|tokenHash|token_hash/);
    }

    const revoked = await srv.api('DELETE', `/api/tokens/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, revokedBy: 'admin-token' });
    expect(Date.parse(revoked.body.revokedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await srv.api('GET', '/api/people', undefined, token)).status).toBe(401);
    // Revoked tokens stay listed (who made what, and when it ended); revoking again changes nothing.
    expect((await srv.api('GET', `/api/tokens?filter=${encodeURIComponent('{"revoked":true}')}`)).body.map((t: { id: number }) => t.id)).toContain(id);
    expect((await srv.api('GET', `/api/tokens?filter=${encodeURIComponent('{"revoked":false}')}`)).body.map((t: { id: number }) => t.id)).not.toContain(id);
    const again = await srv.api('DELETE', `/api/tokens/${id}`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);

    // Audited: who made and who revoked which token, once each, never the secret.
    const audit = await auditOf(id);
    expect(audit).toEqual([
      { actor: 'admin-token', actor_role: 'admin', territory_id: lot, action: 'token_create', subject_type: 'api_token', subject_id: id, fields: ['label', 'role', 'territoryId'], reason: null },
      { actor: 'admin-token', actor_role: 'admin', territory_id: lot, action: 'token_revoke', subject_type: 'api_token', subject_id: id, fields: [], reason: null },
    ]);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('answers as the OpenAPI document says', async () => {
    const file = path.join(os.tmpdir(), `comobi-openapi-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify((await srv.api('GET', '/api/openapi.json', undefined, null)).body));
    const v = openapiValidator(file);
    fs.rmSync(file);
    const body = { label: 'Documenté', role: 'viewer', territoryId: lot };
    expect(v.request('/api/tokens', 'post', body)).toEqual([]);
    const created = await srv.api('POST', '/api/tokens', body);
    expect(v.response('/api/tokens', 'post', 201, created.body)).toEqual([]);
    expect(v.response('/api/tokens', 'get', 200, (await srv.api('GET', '/api/tokens')).body)).toEqual([]);
    expect(v.response('/api/tokens/{id}', 'get', 200, (await srv.api('GET', `/api/tokens/${created.body.id}`)).body)).toEqual([]);
    expect(v.response('/api/tokens/{id}', 'delete', 200, (await srv.api('DELETE', `/api/tokens/${created.body.id}`)).body)).toEqual([]);
    // The schema is not a blank cheque: a listed token with its secret or a wrong role is refused.
    expect(v.schema('Token', { ...created.body, role: 'root' })).not.toEqual([]);
  });

  it('refreshes lastUsedAt at most once a minute', async () => {
    const { id, token } = await make({ label: 'Tableau de bord', role: 'viewer', territoryId: lot });
    const lastUsed = async () => (await srv.api('GET', `/api/tokens/${id}`)).body.lastUsedAt as string | null;
    expect(await lastUsed()).toBeNull();
    await srv.api('GET', '/api/territories', undefined, token);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await srv.api('GET', '/api/territories', undefined, token);
    expect(await lastUsed()).toBe(first);
    await srv.booted.services.db.query(`UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = $1`, [id]);
    const aged = await lastUsed();
    await srv.api('GET', '/api/territories', undefined, token);
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(aged!));
  });

  it('is for admins only: coordinator, viewer and integration tokens get 403 on every route', async () => {
    const victim = await make({ label: 'Cible', role: 'viewer', territoryId: lot });
    for (const role of ['coordinator', 'viewer', 'integration']) {
      const { token } = await make({ label: `Jeton ${role}`, role, territoryId: lot });
      const answers = [
        await srv.api('GET', '/api/tokens', undefined, token),
        await srv.api('GET', `/api/tokens/${victim.id}`, undefined, token),
        await srv.api('POST', '/api/tokens', { label: 'Escalade', role: 'admin', territoryId: null }, token),
        await srv.api('DELETE', `/api/tokens/${victim.id}`, undefined, token),
      ];
      expect(answers.map((a) => [role, a.status, a.body.error])).toEqual(answers.map(() => [role, 403, 'forbidden']));
    }
    expect((await srv.api('GET', '/api/tokens', undefined, null)).status).toBe(401);
    // Nothing was made nor revoked by them.
    expect((await srv.api('GET', `/api/tokens/${victim.id}`)).body.revokedAt).toBeNull();
    const labels = (await srv.api('GET', '/api/tokens?range=[0,999]')).body.map((t: { label: string }) => t.label);
    expect(labels).not.toContain('Escalade');
  });

  it('keeps an admin bound to a territory to the tokens of that territory', async () => {
    const local = await make({ label: 'Admin du Lot', role: 'admin', territoryId: lot });
    expect(local.territoryId).toBe(lot);
    const foreign = await make({ label: 'Clé d’ailleurs', role: 'integration', territoryId: other });
    const global = await make({ label: 'Admin national', role: 'admin' });
    expect(global.territoryId).toBeNull();

    const listed = await srv.api('GET', '/api/tokens?range=[0,999]', undefined, local.token);
    expect(listed.status).toBe(200);
    const ids = listed.body.map((t: { id: number }) => t.id);
    expect(ids).toContain(local.id);
    expect(ids).not.toContain(foreign.id);
    expect(ids).not.toContain(global.id);
    expect(listed.body.every((t: { territoryId: number }) => t.territoryId === lot)).toBe(true);
    expect(Number(listed.headers.get('content-range')!.split('/')[1])).toBe(listed.body.length);
    // Filtering by another territory finds nothing rather than widening the scope.
    const filtered = await srv.api('GET', `/api/tokens?filter=${encodeURIComponent(JSON.stringify({ territoryId: other }))}`, undefined, local.token);
    expect(filtered.body).toEqual([]);

    for (const t of [foreign, global]) {
      expect((await srv.api('GET', `/api/tokens/${t.id}`, undefined, local.token)).status).toBe(404);
      expect((await srv.api('DELETE', `/api/tokens/${t.id}`, undefined, local.token)).status).toBe(404);
    }
    expect((await srv.api('GET', `/api/tokens/${foreign.id}`)).body.revokedAt).toBeNull();
    expect((await srv.api('GET', '/api/territories', undefined, foreign.token)).status).toBe(200);

    const outside = await srv.api('POST', '/api/tokens', { label: 'x', role: 'viewer', territoryId: other }, local.token);
    expect(outside.status).toBe(403);
    const everywhere = await srv.api('POST', '/api/tokens', { label: 'x', role: 'admin', territoryId: null }, local.token);
    expect(everywhere.status).toBe(403);
    // Without a territory, its own; and it may revoke what it manages.
    const mine = await make({ label: 'Clé locale', role: 'integration' }, local.token);
    expect(mine.territoryId).toBe(lot);
    expect((await srv.api('DELETE', `/api/tokens/${mine.id}`, undefined, local.token)).status).toBe(200);
    expect((await auditOf(mine.id)).map((a) => [a.actor, a.action])).toEqual([
      [`token:${local.id}`, 'token_create'],
      [`token:${local.id}`, 'token_revoke'],
    ]);
  });

  it('refuses bad input with 400 naming the field, and makes nothing', async () => {
    const count = async () => (await srv.booted.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens')).rows[0].n;
    const before = await count();
    const cases: [unknown, string][] = [
      [{ role: 'viewer', territoryId: lot }, 'label'],
      [{ label: '   ', role: 'viewer', territoryId: lot }, 'label'],
      [{ label: 'x'.repeat(201), role: 'viewer', territoryId: lot }, 'label'],
      [{ label: 'nul\u0000', role: 'viewer', territoryId: lot }, 'label'],
      [{ label: 'Jeton', role: 'superuser', territoryId: lot }, 'role'],
      [{ label: 'Jeton', territoryId: lot }, 'role'],
      [{ label: 'Jeton', role: 'viewer', territoryId: 'lot' }, 'territoryId'],
      [{ label: 'Jeton', role: 'viewer', territoryId: -1 }, 'territoryId'],
      [{ label: 'Jeton', role: 'viewer' }, 'territoryId'],
      [{ label: 'Jeton', role: 'integration', territoryId: null }, 'territoryId'],
      [{ label: 'Jeton', role: 'viewer', territoryId: 999_999 }, 'territoryId'],
      [{ label: 'Jeton', role: 'viewer', territoryId: lot, token: 'cmb_choisi' }, '(body)'],
      [[1, 2], '(body)'],
    ];
    for (const [body, field] of cases) {
      const r = await srv.api('POST', '/api/tokens', body);
      expect([JSON.stringify(body), r.status, r.body.error]).toEqual([JSON.stringify(body), 400, 'invalid_input']);
      expect(r.body.fields.map((f: { field: string }) => f.field), JSON.stringify(body)).toContain(field);
    }
    expect(await count()).toBe(before);
    for (const [url, field] of [
      ['/api/tokens/abc', 'id'],
      [`/api/tokens?sort=${encodeURIComponent('["tokenHash","ASC"]')}`, 'sort'],
      [`/api/tokens?filter=${encodeURIComponent('{"role":"root"}')}`, 'filter.role'],
      [`/api/tokens?filter=${encodeURIComponent('{"token_hash":"x"}')}`, 'filter.token_hash'],
    ]) {
      const r = await srv.api('GET', url);
      expect([url, r.status, r.body.fields?.[0]?.field]).toEqual([url, 400, field]);
    }
    expect((await srv.api('DELETE', '/api/tokens/0')).status).toBe(400);
    expect((await srv.api('DELETE', '/api/tokens/999999')).status).toBe(404);
  });

  it('revokes on every replica: a second service on the same database refuses the token at once', async () => {
    const { id, token } = await make({ label: 'Clé partagée', role: 'coordinator', territoryId: lot });
    const shared: TestDb =
      backend === 'postgres'
        ? { db: await openPostgres(srv.testDb.url!), url: srv.testDb.url, drop: async () => {} }
        : srv.testDb;
    const replica = await startServer({ testDb: shared });
    try {
      expect((await replica.api('GET', '/api/trips', undefined, token)).status).toBe(200);
      expect((await srv.api('DELETE', `/api/tokens/${id}`)).status).toBe(200);
      expect((await replica.api('GET', '/api/trips', undefined, token)).status).toBe(401);
    } finally {
      await replica.close();
      if (backend === 'postgres') await shared.db.close();
    }
  });
});
