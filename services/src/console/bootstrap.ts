import fs from 'node:fs';
import path from 'node:path';
import type { Services } from '../context.ts';
import { auditEvent } from '../audit/audit.ts';
import type { ConsoleOptions } from './options.ts';
import { randomPassword } from './passwords.ts';
import { saveUser, type UserInput } from '../domain/users.ts';

/**
 * First accounts. CONSOLE_ADMIN_EMAIL/PASSWORD create or update an admin at every start. Without them, on the demo
 * territory with no account that reaches it (no admin, nobody of the Lot), a demo admin and a demo coordinator of
 * the Lot are made; their passwords are logged once and written to DATA_DIR/demo-accounts.txt (data/ is not committed).
 */
export async function bootstrapAccounts(s: Services, o: ConsoleOptions): Promise<void> {
  if (o.adminEmail && o.adminPassword) {
    const email = o.adminEmail;
    const password = o.adminPassword;
    await s.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>('SELECT id FROM users WHERE email = $1', [email]);
      const uid = await saveUser(tx, { id: rows[0]?.id, email, role: 'admin', territoryIds: [], active: true, password });
      await auditEvent(tx, { actor: 'bootstrap', actorRole: 'admin', action: rows[0] ? 'user_update' : 'user_create', subjectType: 'user', subjectId: uid, fields: ['password', 'role'] });
    });
    s.log('console admin account ready', { email });
    return;
  }
  if (s.config.DEMO !== 'auto') return;
  const lot = await s.db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`);
  if (!lot.rows[0]) return;
  // Accounts made by `npm run territory -- create` for another territory do not count: nobody reaches the Lot yet.
  const users = await s.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users u WHERE u.role = 'admin'
       OR EXISTS (SELECT 1 FROM user_territories ut WHERE ut.user_id = u.id AND ut.territory_id = $1)`,
    [lot.rows[0].id],
  );
  if (users.rows[0].n > 0) return;
  const accounts: (Omit<UserInput, 'active'> & { password: string })[] = [
    { email: 'admin@demo.comobi.fr', displayName: 'Admin démo', role: 'admin', territoryIds: [] as number[], password: randomPassword() },
    { email: 'coordination.lot@demo.comobi.fr', displayName: 'Coordination du Lot (démo)', role: 'coordinator', territoryIds: [lot.rows[0].id], password: randomPassword() },
  ];
  await s.db.transaction(async (tx) => {
    for (const a of accounts) {
      const uid = await saveUser(tx, { ...a, active: true });
      await auditEvent(tx, { actor: 'bootstrap', actorRole: 'admin', action: 'user_create', subjectType: 'user', subjectId: uid, fields: ['role'] });
    }
  });
  const file = path.join(s.config.DATA_DIR, 'demo-accounts.txt');
  fs.mkdirSync(s.config.DATA_DIR, { recursive: true });
  fs.writeFileSync(
    file,
    `# CoMobi demo console accounts (generated ${new Date().toISOString()}); log in at /console/\n` +
      accounts.map((a) => `${a.role}\t${a.email}\t${a.password}`).join('\n') + '\n',
    { mode: 0o600 },
  );
  s.log('demo console accounts created (shown once; also in the file)', { file, accounts: accounts.map((a) => ({ role: a.role, email: a.email, password: a.password })) });
}
