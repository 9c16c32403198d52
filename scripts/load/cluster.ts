import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL 15 cluster on its own port, so that restarting it disturbs nobody else's tests. Runs as the
 * postgres user when this script runs as root (initdb refuses root). Removed by destroy().
 */
export function createCluster(port = 55_000 + Math.floor(Math.random() * 900)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-load-pg-'));
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) execFileSync('chown', ['postgres:postgres', dir]);
  const run = (bin: string, args: string[]) => {
    const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', `${BIN}/${bin}`, ...args]] : [`${BIN}/${bin}`, args];
    return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  };
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'comobi']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/comobi`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        /* already stopped */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type Cluster = ReturnType<typeof createCluster>;
