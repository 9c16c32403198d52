import type { Db } from '@comobi/db';
import type { Log } from '../context.ts';
import type { Router } from '../routing/types.ts';
import type { RpcConfig } from './config.ts';
import { buildJourney } from './declaration.ts';

export interface SendResult {
  status: number;
  body: unknown;
}

/** Exponential backoff: base, 2×base, 4×base… capped at 6 hours, with ±20 % jitter so replicas do not align. */
export const backoffS = (attempt: number, baseS: number) => Math.min(6 * 3600, baseS * 2 ** Math.max(0, attempt - 1)) * (0.8 + Math.random() * 0.4);

/** A claimed row is leased: if the replica dies mid-send, another one retries after the lease, with the same id. */
const LEASE_S = 300;

export class RpcExporter {
  private token?: { value: string; until: number };

  constructor(
    private db: Db,
    private router: Router,
    private cfg: RpcConfig & { RPC_URL: string },
    private log: Log = () => {},
  ) {}

  private async accessToken(): Promise<string | undefined> {
    if (this.cfg.RPC_TOKEN) return this.cfg.RPC_TOKEN;
    if (!this.cfg.RPC_ACCESS_KEY || !this.cfg.RPC_SECRET_KEY) return undefined;
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const res = await fetch(`${this.cfg.RPC_URL}/auth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_key: this.cfg.RPC_ACCESS_KEY, secret_key: this.cfg.RPC_SECRET_KEY }),
      signal: AbortSignal.timeout(this.cfg.RPC_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`access token refused: HTTP ${res.status}`);
    const { access_token } = (await res.json()) as { access_token: string };
    // Valid 5 minutes: renewed a minute early.
    this.token = { value: access_token, until: Date.now() + 4 * 60_000 };
    return access_token;
  }

  async send(payload: unknown): Promise<SendResult> {
    const token = await this.accessToken();
    const res = await fetch(`${this.cfg.RPC_URL}/journeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.cfg.RPC_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    return { status: res.status, body };
  }

  /** Claims due rows (SKIP LOCKED: replicas never take the same one), sends them, records each answer. */
  async runOnce(): Promise<{ claimed: number; sent: number; retried: number; rejected: number }> {
    const claimed = await this.db.transaction((tx) =>
      tx.query<{ match_id: number; operator_journey_id: string; payload: unknown; attempts: number }>(
        `UPDATE rpc_journeys q SET attempts = q.attempts + 1, next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
         FROM (SELECT match_id FROM rpc_journeys WHERE status = 'pending' AND next_attempt_at <= now()
               ORDER BY next_attempt_at, match_id LIMIT $1 FOR UPDATE SKIP LOCKED) due
         WHERE q.match_id = due.match_id
         RETURNING q.match_id, q.operator_journey_id, q.payload, q.attempts`,
        [this.cfg.RPC_BATCH, LEASE_S],
      ),
    );
    const tally = { claimed: claimed.rows.length, sent: 0, retried: 0, rejected: 0 };
    for (const row of claimed.rows) {
      let payload = row.payload;
      if (!payload) {
        const built = await buildJourney(this.db, this.router, row.match_id, row.operator_journey_id, {
          operatorClass: this.cfg.RPC_OPERATOR_CLASS,
          timeZone: this.cfg.RPC_TIMEZONE,
        });
        if ('error' in built) {
          await this.db.query(`UPDATE rpc_journeys SET status = 'invalid', last_error = $2, updated_at = now() WHERE match_id = $1 AND status = 'pending'`, [row.match_id, built.error]);
          tally.rejected++;
          continue;
        }
        payload = built;
        // Stored once: every retry sends exactly the same declaration. Not when an erasure cancelled it meanwhile:
        // then it is neither stored nor sent.
        const stored = await this.db.query(`UPDATE rpc_journeys SET payload = $2 WHERE match_id = $1 AND status = 'pending'`, [row.match_id, JSON.stringify(payload)]);
        if (!stored.rowCount) continue;
      }
      let result: SendResult | undefined;
      let error: string | undefined;
      try {
        result = await this.send(payload);
      } catch (e) {
        error = (e as Error).message;
      }
      const outcome = !result ? 'retry'
        : result.status === 200 || result.status === 201 ? 'sent'
        : result.status === 409 ? 'duplicate'
        : result.status === 400 || result.status === 422 ? 'rejected'
        : 'retry';
      if (outcome === 'retry') {
        const giveUp = row.attempts >= this.cfg.RPC_MAX_ATTEMPTS;
        await this.db.query(
          `UPDATE rpc_journeys SET status = $2, next_attempt_at = now() + make_interval(secs => $3), last_http_status = $4,
             last_error = $5, answer = $6, updated_at = now() WHERE match_id = $1`,
          [row.match_id, giveUp ? 'failed' : 'pending', backoffS(row.attempts, this.cfg.RPC_BACKOFF_BASE_S), result?.status ?? null,
           error ?? `HTTP ${result!.status}`, result ? JSON.stringify(result.body) : null],
        );
        tally.retried++;
        this.log('rpc: declaration to retry', { matchId: row.match_id, attempt: row.attempts, status: result?.status ?? null });
      } else {
        await this.db.query(
          `UPDATE rpc_journeys SET status = $2, last_http_status = $3, last_error = NULL, answer = $4,
             sent_at = CASE WHEN $2 IN ('sent', 'duplicate') THEN now() ELSE sent_at END, updated_at = now() WHERE match_id = $1`,
          [row.match_id, outcome, result!.status, JSON.stringify(result!.body)],
        );
        if (outcome === 'rejected') tally.rejected++;
        else tally.sent++;
      }
    }
    return tally;
  }
}

/** The in-process loop: one tick at a time per replica, every RPC_POLL_MS; errors are logged and the loop goes on. */
export function startRpcWorker(db: Db, router: Router, cfg: RpcConfig & { RPC_URL: string }, log: Log): () => void {
  const exporter = new RpcExporter(db, router, cfg, log);
  let busy = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    exporter
      .runOnce()
      .catch((e) => log('rpc: export tick failed', { error: (e as Error).message }))
      .finally(() => {
        busy = false;
      });
  }, cfg.RPC_POLL_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
