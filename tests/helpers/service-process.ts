import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN } from './server.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** A port free on loopback right now: the OS picks it, we release it for the child process that will bind it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx; `exited` ends the wait early with the child's last words. */
export async function waitHealthy(url: string, what: string, exited: () => string | undefined, ms = 90_000) {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    const gone = exited();
    if (gone !== undefined) throw new Error(`${what} exited before answering: ${gone}`);
    if (Date.now() > until) throw new Error(`${what} did not answer ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface ServiceProcess {
  /** `127.0.0.1:port`, as a load balancer's upstream names it. */
  address: string;
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited (its sockets are closed by then). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** `services/src/main.ts` as its own process on loopback, the way a replica runs, on the given database. */
export async function startServiceProcess(databaseUrl: string): Promise<ServiceProcess> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      DEMO: 'off',
      LOG_LEVEL: 'silent',
      DATA_DIR: path.join(os.tmpdir(), 'comobi-test-data'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The tail of stderr, to say why a replica did not start.
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exitCode: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = `${signal ?? code} ${stderr}`;
      resolve();
    }),
  );
  const stop = async () => {
    if (exitCode === undefined) child.kill('SIGTERM');
    const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(stuck);
  };
  try {
    await waitHealthy(`http://${address}/health`, `service process on ${address}`, () => exitCode);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { address, url: `http://${address}`, child, exited, stop };
}
