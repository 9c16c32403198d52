import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../context.ts';
import { transition } from '../domain/matches.ts';
import { answerByKey, answerBySms, markDelivery, type AnswerOutcome } from '../domain/messages.ts';
import { reindexTrip } from '../domain/trips.ts';
import { unauthorized } from '../http/errors.ts';
import { readForm } from '../security/body.ts';
import type { MessagingConfig } from './config.ts';
import { parsePhone } from './phone.ts';
import { brevoDelivery } from './providers/brevo.ts';
import { sayTwiml, TWILIO_WEBHOOKS, twilioDelivery, twilioSignatureValid } from './providers/twilio.ts';

const sameSecret = (a: string, b: string) => {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
};

/** A Twilio webhook: its form, once the signature over our public URL and the parameters is checked (else 401). */
async function twilioForm(ctx: Context, c: MessagingConfig): Promise<Record<string, string>> {
  const raw = await readForm(ctx);
  const form = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  if (!c.TWILIO_AUTH_TOKEN || !c.MESSAGING_PUBLIC_URL) throw unauthorized('Twilio webhooks are not configured');
  const url = `${c.MESSAGING_PUBLIC_URL}${ctx.originalUrl}`;
  if (!twilioSignatureValid(c.TWILIO_AUTH_TOKEN, ctx.get('x-twilio-signature') || undefined, url, form))
    throw unauthorized('bad X-Twilio-Signature');
  return form;
}

const twiml = (ctx: Context, xml: string) => {
  ctx.type = 'text/xml';
  ctx.body = xml;
};

const SPOKEN: Record<AnswerOutcome, string> = {
  accepted: 'Merci, c’est noté : vous acceptez. La coordination vous confirme le trajet très vite. Au revoir.',
  declined: 'Merci, c’est noté : vous ne pouvez pas. Au revoir.',
  acknowledged: 'Merci, c’est noté. Au revoir.',
  closed: 'Merci. Cette demande n’est plus ouverte. Pour toute question, appelez la coordination. Au revoir.',
  unknown: 'Nous n’avons pas compris votre réponse. La coordination vous rappellera. Au revoir.',
  replayed: 'Merci. Au revoir.',
};

/**
 * Provider webhooks, outside /api (the providers authenticate, not our users): Brevo's SMS events with the bearer
 * token set at Brevo, Twilio's inbound SMS, key presses and statuses signed with X-Twilio-Signature. A call that
 * fails authentication gets 401 and changes nothing.
 */
export function webhookRoutes(root: Router, s: Services, c: MessagingConfig) {
  root.post('/webhooks/brevo/sms', async (ctx) => {
    const auth = ctx.get('authorization');
    if (!c.BREVO_WEBHOOK_TOKEN || !auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), c.BREVO_WEBHOOK_TOKEN))
      throw unauthorized('bad webhook token');
    const ev = (ctx.request.body ?? {}) as { messageId?: unknown; msg_status?: unknown };
    const status = typeof ev.msg_status === 'string' ? brevoDelivery(ev.msg_status) : null;
    let matched = false;
    if (status && ev.messageId !== undefined)
      matched = await s.db.transaction((tx) =>
        markDelivery(tx, 'brevo', String(ev.messageId), status, status === 'failed' ? `brevo: ${String(ev.msg_status)}` : null),
      );
    ctx.body = { ok: true, matched };
  });

  root.post(TWILIO_WEBHOOKS.sms, async (ctx) => {
    const f = await twilioForm(ctx, c);
    const from = f.From ? parsePhone(f.From) : null;
    if (from && f.MessageSid) {
      const answer = await s.db.transaction((tx) =>
        answerBySms(tx, { provider: 'twilio', id: f.MessageSid, from: from.e164, text: f.Body ?? '' }, transition),
      );
      if (answer.tripId !== null) await reindexTrip(s, answer.tripId);
      s.log('messages: sms received', { outcome: answer.outcome, matchId: answer.matchId });
    }
    // The reply goes through the outbox (audited, retried): nothing in the TwiML answer.
    twiml(ctx, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  root.post(TWILIO_WEBHOOKS.gather, async (ctx) => {
    const f = await twilioForm(ctx, c);
    const messageId = Number(ctx.query.message);
    const answer = Number.isInteger(messageId)
      ? await s.db.transaction((tx) => answerByKey(tx, messageId, f.Digits ?? '', transition))
      : { outcome: 'unknown' as const, tripId: null, matchId: null };
    if (answer.tripId !== null) await reindexTrip(s, answer.tripId);
    s.log('messages: key pressed', { outcome: answer.outcome, messageId });
    twiml(ctx, sayTwiml(SPOKEN[answer.outcome]));
  });

  for (const [path, idField, statusField] of [
    [TWILIO_WEBHOOKS.smsStatus, 'MessageSid', 'MessageStatus'],
    [TWILIO_WEBHOOKS.callStatus, 'CallSid', 'CallStatus'],
  ] as const) {
    root.post(path, async (ctx) => {
      const f = await twilioForm(ctx, c);
      const status = twilioDelivery(f[statusField] ?? '');
      if (status && f[idField])
        await s.db.transaction((tx) =>
          markDelivery(tx, 'twilio', f[idField], status, status === 'failed' ? `twilio: ${f[statusField]}` : null),
        );
      ctx.status = 204;
    });
  }
}
