import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitHealthy } from './service-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
export const DEPLOY_NGINX_CONF = path.join(root, 'deploy/nginx.conf');

/** Debian's nginx (scripts/setup-test-env.sh installs it), or NGINX=/path/to/nginx. */
export function nginxBinary(): string {
  const candidates = [
    process.env.NGINX,
    '/usr/sbin/nginx',
    ...(process.env.PATH ?? '').split(':').map((d) => `${d}/nginx`),
  ];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) throw new Error('nginx is not installed: run `bash scripts/setup-test-env.sh` as root');
  return found;
}

/**
 * The production site (deploy/nginx.conf) turned into one that runs on loopback: the upstream's `server app:3000 …`
 * line becomes one line per replica with the same parameters, `listen 80` becomes the loopback port. Every other
 * directive (proxy_next_upstream, keepalive, timeouts) is the file's own, so the test exercises what is deployed.
 * One addition: `X-Upstream` tells the test which replica answered (nginx's `$upstream_addr`, "a, b" when it
 * passed the request on), since the service's own headers do not say.
 */
export function loopbackSite(deployConf: string, listen: number, replicas: string[]): string {
  let site = deployConf;
  const replace = (re: RegExp, by: (...m: string[]) => string, what: string) => {
    if (!re.test(site)) throw new Error(`deploy/nginx.conf has no ${what}: update tests/helpers/nginx.ts`);
    site = site.replace(re, by as (m: string, ...rest: string[]) => string);
  };
  replace(
    /^([ \t]*)server\s+app:3000\b([^;]*);/m,
    (_m, indent, params) => replicas.map((r) => `${indent}server ${r}${params};`).join('\n'),
    '`server app:3000` line in its upstream',
  );
  replace(/^([ \t]*)listen\s+80\s*;/m, (_m, indent) => `${indent}listen 127.0.0.1:${listen};`, '`listen 80;`');
  replace(
    /^([ \t]*)proxy_pass\s+http:\/\/comobi_app\s*;/m,
    (m, indent) => `${m}\n${indent}add_header X-Upstream $upstream_addr always;`,
    '`proxy_pass http://comobi_app;`',
  );
  return site;
}

/**
 * How long nginx keeps an idle connection to a replica of `comobi_app`: the upstream block's `keepalive_timeout`,
 * or nginx's default (60 s) when it has none.
 */
export function upstreamKeepaliveTimeoutMs(conf: string): number {
  const block = /upstream\s+comobi_app\s*\{([^}]*)\}/.exec(conf)?.[1];
  if (block === undefined) throw new Error('deploy/nginx.conf has no `upstream comobi_app` block');
  const m = /^\s*keepalive_timeout\s+(\d+)(ms|s)?\s*;/m.exec(block);
  if (!m) return 60_000;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

/** The whole nginx.conf around the site: its own pid, logs and temp folders under `dir`, in the foreground. */
export function loopbackNginxConf(site: string, dir: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${path.join(dir, 'temp', t)};`)
    .join('\n');
  return `daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 512; }
http {
  access_log off;
${temp}
${site}
}
`;
}

export interface Nginx {
  url: string;
  /** nginx's error log so far (upstream failures are logged there). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** A real nginx in front of `replicas` (`host:port` each), configured from deploy/nginx.conf, on a free port. */
export async function startNginx(replicas: string[]): Promise<Nginx> {
  const bin = nginxBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-nginx-'));
  // Workers drop root for `nobody` and need to reach their temp folders.
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'temp'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    loopbackNginxConf(loopbackSite(fs.readFileSync(DEPLOY_NGINX_CONF, 'utf8'), port, replicas), dir),
  );
  const errorLogPath = path.join(dir, 'error.log');
  const args = ['-p', dir, '-c', conf, '-e', errorLogPath];
  // A bad configuration fails here with nginx's own message rather than as a health-check time-out.
  execFileSync(bin, ['-t', '-q', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const child = spawn(bin, args, { stdio: 'ignore' });
  let exitCode: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = String(signal ?? code);
      resolve();
    }),
  );
  const errorLog = () => (fs.existsSync(errorLogPath) ? fs.readFileSync(errorLogPath, 'utf8') : '');
  const stop = async () => {
    // SIGTERM: the master stops its workers, then exits.
    if (exitCode === undefined) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(`${url}/health`, 'nginx', () => exitCode && `${exitCode} ${errorLog()}`, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, errorLog, stop };
}
