import type { Db, Queryable } from '@comobi/db';
import type { Log } from '../context.ts';

/**
 * A plain PostgreSQL job queue, like the messages' outbox (and for the same reasons: it runs unchanged on the
 * embedded PGlite, the rows sit beside what they are about): a job is written in the transaction of the change that
 * causes it, claimed by one replica at a time (FOR UPDATE SKIP LOCKED) and leased, so that a replica that dies
 * mid-job leaves it to another one (or to its own next start) after the lease. Handlers must be safe to run twice.
 */
export const JOB_KINDS = ['match_requests'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface Job {
  id: number;
  kind: JobKind;
  payload: unknown;
  attempts: number;
}

/**
 * Does the job; `stopping()` turns true when the service shuts down: a long job returns 'interrupted' at its next
 * step, and the job is claimed again at once by the next start (or another replica).
 */
export type JobHandler = (payload: any, ctx: { job: Job; stopping: () => boolean }) => Promise<'done' | 'interrupted'>;

/** A claimed job is the replica's for this long (jobs are minutes at most: the demo's matching takes seconds). */
export const JOB_LEASE_S = 600;
const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_S = 60;

export async function enqueueJob(tx: Queryable, kind: JobKind, payload: unknown): Promise<number> {
  const { rows } = await tx.query<{ id: number }>('INSERT INTO jobs (kind, payload) VALUES ($1, $2::jsonb) RETURNING id', [
    kind,
    JSON.stringify(payload),
  ]);
  return rows[0].id;
}

/** The database's clock throughout (jobs are written with its now()): replicas' clocks never disagree on a lease. */
async function claim(db: Db): Promise<Job | null> {
  const { rows } = await db.query<Job>(
    `UPDATE jobs j SET attempts = j.attempts + 1, next_attempt_at = clock_timestamp() + make_interval(secs => $1)
     FROM (SELECT id FROM jobs WHERE status = 'queued' AND next_attempt_at <= clock_timestamp()
           ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) due
     WHERE j.id = due.id RETURNING j.id, j.kind, j.payload, j.attempts`,
    [JOB_LEASE_S],
  );
  return rows[0] ?? null;
}

/** Runs the due jobs of the known kinds; `idle()` resolves once nothing is due (tests, a demo just loaded). */
export class JobRunner {
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private db: Db,
    private handlers: Record<JobKind, JobHandler>,
    private log: Log = () => {},
  ) {}

  /** Until no job is due; the number run. One drain at a time per process. */
  drain(): Promise<number> {
    this.running ??= this.drainNow().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drainNow(): Promise<number> {
    let n = 0;
    while (!this.stopped) {
      const job = await claim(this.db);
      if (!job) break;
      const t0 = performance.now();
      try {
        const outcome = await this.handlers[job.kind](job.payload, { job, stopping: () => this.stopped });
        if (outcome === 'interrupted') {
          await this.db.query('UPDATE jobs SET next_attempt_at = clock_timestamp(), attempts = attempts - 1 WHERE id = $1', [job.id]);
          this.log('job interrupted', { jobId: job.id, kind: job.kind });
          break;
        }
        await this.db.query(`UPDATE jobs SET status = 'done', done_at = now(), last_error = NULL WHERE id = $1`, [job.id]);
        this.log('job done', { jobId: job.id, kind: job.kind, ms: Math.round(performance.now() - t0) });
      } catch (e) {
        // The error's message only: handlers deal in ids, and their errors name ids and fields, not people.
        const error = (e as Error).message.slice(0, 200);
        const giveUp = job.attempts >= MAX_ATTEMPTS;
        await this.db.query(
          `UPDATE jobs SET status = CASE WHEN $3 THEN 'failed' ELSE 'queued' END, last_error = $2,
             next_attempt_at = clock_timestamp() + make_interval(secs => $4) WHERE id = $1`,
          [job.id, error, giveUp, BACKOFF_BASE_S * 2 ** (job.attempts - 1)],
        );
        this.log('job failed', { jobId: job.id, kind: job.kind, attempt: job.attempts, error, retry: !giveUp });
      }
      n++;
    }
    return n;
  }

  /** Resolves when the current drain (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Drains now, then every `pollMs` (jobs left by a replica that stopped, retries after a backoff). */
  start(pollMs: number): () => Promise<void> {
    const tick = () => void this.drain().catch((e) => this.log('jobs: drain failed', { error: (e as Error).message }));
    tick();
    const timer = setInterval(tick, pollMs);
    timer.unref?.();
    return async () => {
      this.stopped = true;
      clearInterval(timer);
      await this.running?.catch(() => {});
    };
  }
}
