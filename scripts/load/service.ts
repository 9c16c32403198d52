import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ADMIN_TOKEN = 'load-admin-token-0123456789';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The real service as a child process (one node process: kill -9 hits the server itself, not a wrapper). */
export async function startService(env: Record<string, string>, opts: { readyTimeoutMs?: number } = {}) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'services/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ADMIN_TOKEN, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 300_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} before being ready`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('service not ready in time');
    }
    await sleep(250);
  }
  return {
    url,
    child,
    async api(method: string, p: string, body?: unknown) {
      const res = await fetch(url + p, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && !child.signalCode) child.kill('SIGKILL');
    },
  };
}
export type Service = Awaited<ReturnType<typeof startService>>;

/** Match bodies from the demo's own requests (places and times passengers really asked for). */
export async function demoBodies(s: Service): Promise<Record<string, unknown>[]> {
  const res = await s.api('GET', `/api/requests?range=${encodeURIComponent('[0,299]')}`);
  return (res.body as any[]).map((r) => ({
    territoryId: r.territoryId, from: r.from, to: r.to, time: r.time, timeKind: r.timeKind, seats: r.seats,
    ...(r.date ? { date: r.date } : { weekdays: r.weekdays }),
  }));
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Open-loop load: one request every 1000/rate ms whatever the answers (so a slow server shows as latency, not as a
 * lower rate), at most maxInFlight at once, for durationMs. Bounded in count and time.
 */
export async function openLoop<T>(rate: number, durationMs: number, fire: (i: number) => Promise<T>, maxInFlight = 1000): Promise<{ results: { t: number; ms: number; value?: T; error?: string }[]; skipped: number }> {
  const results: { t: number; ms: number; value?: T; error?: string }[] = [];
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  let skipped = 0;
  const total = Math.floor((rate * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (pending.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const start = performance.now();
    const p: Promise<void> = fire(i)
      .then((value) => void results.push({ t: start - t0, ms: performance.now() - start, value }))
      .catch((e) => void results.push({ t: start - t0, ms: performance.now() - start, error: String((e as Error).message ?? e) }))
      .finally(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
  return { results, skipped };
}
