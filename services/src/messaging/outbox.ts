import type { Log } from '../context.ts';
import type { Db } from '@comobi/db';
import { claimDue, markAttemptFailed, markSent, type OutboxRow, type Sent } from '../domain/messages.ts';
import type { MessagingConfig } from './config.ts';
import { brevoSms } from './providers/brevo.ts';
import { dryRunProvider, printProvider } from './providers/dry-run.ts';
import { twilioSms, twilioVoice, type TwilioOptions } from './providers/twilio.ts';
import { ProviderError, type Provider } from './providers/types.ts';
import type { Channel } from './templates.ts';

export type Providers = Record<Channel, Provider>;

/** Exponential backoff: base, 2×base, 4×base… capped at 6 hours, ±20 % jitter so that replicas do not align. */
export const backoffS = (attempt: number, baseS: number, jitter = Math.random()) =>
  Math.min(6 * 3600, baseS * 2 ** Math.max(0, attempt - 1)) * (0.8 + jitter * 0.4);

/** A claimed row is leased this long: a replica that dies mid-send leaves it to another one after the lease. */
export const LEASE_S = 120;

export function twilioOptions(c: MessagingConfig): TwilioOptions {
  return {
    apiUrl: c.TWILIO_API_URL,
    accountSid: c.TWILIO_ACCOUNT_SID!,
    authToken: c.TWILIO_AUTH_TOKEN!,
    from: c.TWILIO_FROM!,
    publicUrl: c.MESSAGING_PUBLIC_URL ?? null,
    timeoutMs: c.MESSAGING_TIMEOUT_MS,
  };
}

/** The providers the configuration names; dry run where none is configured. */
export function providersOf(c: MessagingConfig): Providers {
  const sms =
    c.MESSAGING_SMS_PROVIDER === 'brevo'
      ? brevoSms({
          apiUrl: c.BREVO_API_URL,
          apiKey: c.BREVO_API_KEY!,
          sender: c.BREVO_SMS_SENDER,
          webhookUrl: c.MESSAGING_PUBLIC_URL ? `${c.MESSAGING_PUBLIC_URL}/webhooks/brevo/sms` : null,
          timeoutMs: c.MESSAGING_TIMEOUT_MS,
        })
      : c.MESSAGING_SMS_PROVIDER === 'twilio'
        ? twilioSms(twilioOptions(c))
        : dryRunProvider('sms');
  const voice = c.MESSAGING_VOICE_PROVIDER === 'twilio' ? twilioVoice(twilioOptions(c)) : dryRunProvider('voice');
  return { sms, voice, letter: printProvider };
}

export interface Tally {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

/**
 * The sender: claims due rows (one replica at a time per row), hands each to its channel's provider, records the
 * outcome. Logs carry ids, kinds and statuses only, never a text or a number.
 */
export class Outbox {
  constructor(
    private db: Db,
    private providers: Providers,
    private cfg: Pick<MessagingConfig, 'MESSAGING_BATCH' | 'MESSAGING_BACKOFF_BASE_S' | 'MESSAGING_MAX_ATTEMPTS'>,
    private log: Log = () => {},
  ) {}

  async runOnce(now = new Date()): Promise<Tally> {
    const rows = await this.db.transaction((tx) => claimDue(tx, now, this.cfg.MESSAGING_BATCH, LEASE_S));
    const tally: Tally = { claimed: rows.length, sent: 0, retried: 0, failed: 0 };
    const sent: Sent[] = [];
    await Promise.all(rows.map((row) => this.sendOne(row, tally, now, sent)));
    // One transaction for the batch's outcomes. Should it fail, the rows come back after the lease and are sent
    // again: at least once, never lost; the idempotency key travels with it (Brevo's tag) so a duplicate can be traced.
    await this.db.transaction((tx) => markSent(tx, sent));
    tally.sent = sent.length;
    return tally;
  }

  private async sendOne(row: OutboxRow, tally: Tally, now: Date, sent: Sent[]) {
    const provider = this.providers[row.channel];
    try {
      const r = await provider.send({
        id: row.id,
        kind: row.kind,
        channel: row.channel,
        to: row.recipient,
        body: row.body,
        encoding: row.encoding,
        idempotencyKey: row.idempotency_key,
      });
      sent.push({ row, ...r });
    } catch (e) {
      const permanent = e instanceof ProviderError && e.permanent;
      const error = e instanceof ProviderError ? e.message : `${provider.name}: ${(e as Error).name}`;
      const giveUp = permanent || row.attempts >= this.cfg.MESSAGING_MAX_ATTEMPTS;
      await this.db.transaction((tx) =>
        markAttemptFailed(tx, row, error, giveUp ? null : backoffS(row.attempts, this.cfg.MESSAGING_BACKOFF_BASE_S), now),
      );
      if (giveUp) tally.failed++;
      else tally.retried++;
      this.log('messages: send failed', { messageId: row.id, kind: row.kind, channel: row.channel, attempt: row.attempts, error, retry: !giveUp });
    }
  }

  /** Until nothing is due (tests, bench). */
  async drain(now = new Date()): Promise<Tally> {
    const total: Tally = { claimed: 0, sent: 0, retried: 0, failed: 0 };
    for (;;) {
      const t = await this.runOnce(now);
      if (!t.claimed) return total;
      for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k];
    }
  }
}

/** The in-process loop: one tick at a time per replica; rows are claimed, never shared, so every replica may run it. */
export function startOutbox(outbox: Outbox, pollMs: number, log: Log): () => void {
  let busy = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    outbox
      .runOnce()
      .catch((e) => log('messages: outbox tick failed', { error: (e as Error).message }))
      .finally(() => {
        busy = false;
      });
  }, pollMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
