import { answerOf, ProviderError, type Provider } from './types.ts';

export interface BrevoOptions {
  apiUrl: string;
  apiKey: string;
  /** Alphanumeric sender shown on the phone, 11 characters at most. */
  sender: string;
  /** Where Brevo posts the delivery reports of each SMS (webUrl). */
  webhookUrl: string | null;
  timeoutMs: number;
}

/**
 * Brevo transactional SMS (POST /v3/transactionalSMS/send, `api-key` header): the recipient in international form
 * without "+", the outbox key as the tag, the delivery reports to our webhook. The answer is `{ messageId }`.
 */
export function brevoSms(o: BrevoOptions): Provider {
  return {
    name: 'brevo',
    async send(m) {
      let res: Response;
      try {
        res = await fetch(`${o.apiUrl}/transactionalSMS/send`, {
          method: 'POST',
          headers: { 'api-key': o.apiKey, accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({
            sender: o.sender,
            recipient: m.to.replace(/^\+/, ''),
            content: m.body,
            type: 'transactional',
            tag: m.idempotencyKey,
            ...(o.webhookUrl ? { webUrl: o.webhookUrl } : {}),
            unicodeEnabled: m.encoding === 'UCS-2',
          }),
          signal: AbortSignal.timeout(o.timeoutMs),
        });
      } catch (e) {
        throw new ProviderError(`brevo: ${(e as Error).name}`, false);
      }
      const body = (await answerOf(res, 'brevo')) as { messageId?: number | string };
      if (body?.messageId === undefined) throw new ProviderError('brevo: answer without messageId', false);
      return { provider: 'brevo', providerMessageId: String(body.messageId), status: 'sent' };
    },
  };
}

/** Brevo's SMS events (msg_status) as outbox statuses; the others (sent, accepted…) change nothing. */
export function brevoDelivery(msgStatus: string): 'delivered' | 'failed' | null {
  if (msgStatus === 'delivered') return 'delivered';
  if (['hard_bounce', 'hardBounce', 'rejected', 'blacklisted', 'error'].includes(msgStatus)) return 'failed';
  return null;
}
