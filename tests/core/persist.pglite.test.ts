import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '@comobi/db';
import { migrate } from '../../services/src/schema.ts';
import { pgliteTemplateDir } from '../helpers/db.ts';

// The embedded default keeps its data in DATA_DIR/pglite across restarts.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-persist-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('embedded store', () => {
  it('keeps what was written when the service stops and starts again', async () => {
    fs.cpSync(pgliteTemplateDir(), path.join(dataDir, 'pglite'), { recursive: true });
    const first = await openDb({ DATA_DIR: dataDir });
    expect(first.kind).toBe('pglite');
    await migrate(first);
    await first.query(`INSERT INTO territories (slug, name) VALUES ('persiste', 'Persistant')`);
    await first.close();

    const second = await openDb({ DATA_DIR: dataDir });
    expect(await migrate(second)).toEqual([]);
    const { rows } = await second.query<{ name: string }>(`SELECT name FROM territories WHERE slug = 'persiste'`);
    expect(rows).toEqual([{ name: 'Persistant' }]);
    await second.close();
  });
});
