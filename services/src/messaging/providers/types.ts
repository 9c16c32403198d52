import type { Channel, MessageKind } from '../templates.ts';

/** What a provider receives: one message of the outbox, its number in E.164 (or a postal address for letters). */
export interface OutgoingMessage {
  id: number;
  kind: MessageKind;
  channel: Channel;
  to: string;
  body: string;
  encoding: string | null;
  /** Stable across retries: providers that take one (a tag, a reference) get it. */
  idempotencyKey: string;
}

export interface SendOutcome {
  provider: string;
  /** The provider's id of the message, the key of its delivery reports. */
  providerMessageId: string;
  /** 'dry_run': kept in the outbox, nothing left the machine. */
  status: 'sent' | 'dry_run';
}

/** A refusal: permanent ones (invalid number, payload refused) are not retried. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** One way out for one channel: SMS, a voice call read by text-to-speech, a letter. */
export interface Provider {
  name: string;
  send(m: OutgoingMessage): Promise<SendOutcome>;
}

/** A provider's answer turned into the outcome: 2xx ok, 4xx (but 408/429) permanent, the rest retried. */
export async function answerOf(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* keep the text */
  }
  if (res.ok) return body;
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
  // The provider's error code only: its message may repeat the number.
  const code = typeof body === 'object' && body && 'code' in body ? ` ${String((body as { code: unknown }).code)}` : '';
  throw new ProviderError(`${what}: HTTP ${res.status}${code}`, permanent);
}
