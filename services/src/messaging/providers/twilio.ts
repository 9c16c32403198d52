// Only the two parts of the SDK used here (the whole SDK takes seconds to load): TwiML and webhook signatures.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { answerOf, ProviderError, type OutgoingMessage, type Provider } from './types.ts';

export interface TwilioOptions {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  /** Our number, in E.164: the caller id of calls and the sender of SMS (replies come back to it). */
  from: string;
  /** Public origin of our webhooks (Twilio signs the URL it calls, so it must be the public one). */
  publicUrl: string | null;
  timeoutMs: number;
}

export const TWILIO_WEBHOOKS = {
  sms: '/webhooks/twilio/sms',
  smsStatus: '/webhooks/twilio/sms/status',
  gather: '/webhooks/twilio/voice/gather',
  callStatus: '/webhooks/twilio/voice/status',
} as const;

async function post(o: TwilioOptions, resource: 'Messages' | 'Calls', form: Record<string, string>) {
  let res: Response;
  try {
    res = await fetch(`${o.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/${resource}.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (e) {
    throw new ProviderError(`twilio: ${(e as Error).name}`, false);
  }
  const body = (await answerOf(res, 'twilio')) as { sid?: string };
  if (!body?.sid) throw new ProviderError('twilio: answer without sid', false);
  return body.sid;
}

/** What the call says: the text inside a one-key <Gather> (fr-FR voice), said again once if no key is pressed. */
export function callTwiml(m: Pick<OutgoingMessage, 'id' | 'body'>, gatherUrl: string): string {
  const r = new VoiceResponse();
  for (let i = 0; i < 2; i++) {
    const g = r.gather({ numDigits: 1, action: gatherUrl, method: 'POST', timeout: 8 });
    g.say({ language: 'fr-FR' }, m.body);
  }
  r.say({ language: 'fr-FR' }, 'Nous n’avons pas reçu de réponse. La coordination vous rappellera. Au revoir.');
  return r.toString();
}

/** The call's answer to a key press: a short sentence, then hang up. */
export function sayTwiml(text: string): string {
  const r = new VoiceResponse();
  r.say({ language: 'fr-FR' }, text);
  r.hangup();
  return r.toString();
}

/** Twilio's Programmable Voice (Calls API with inline TwiML): the text read aloud, one key collected. */
export function twilioVoice(o: TwilioOptions): Provider {
  return {
    name: 'twilio',
    async send(m) {
      const base = o.publicUrl ?? '';
      const sid = await post(o, 'Calls', {
        To: m.to,
        From: o.from,
        Twiml: callTwiml(m, `${base}${TWILIO_WEBHOOKS.gather}?message=${m.id}`),
        ...(o.publicUrl ? { StatusCallback: `${base}${TWILIO_WEBHOOKS.callStatus}`, StatusCallbackEvent: 'completed' } : {}),
      });
      return { provider: 'twilio', providerMessageId: sid, status: 'sent' };
    },
  };
}

/** Twilio's Messaging API: SMS from our number, so that drivers can answer "OUI 4821" to it. */
export function twilioSms(o: TwilioOptions): Provider {
  return {
    name: 'twilio',
    async send(m) {
      const sid = await post(o, 'Messages', {
        To: m.to,
        From: o.from,
        Body: m.body,
        ...(o.publicUrl ? { StatusCallback: `${o.publicUrl}${TWILIO_WEBHOOKS.smsStatus}` } : {}),
      });
      return { provider: 'twilio', providerMessageId: sid, status: 'sent' };
    },
  };
}

/** X-Twilio-Signature: HMAC-SHA1 of the URL Twilio called and the sorted POST parameters, keyed by the auth token. */
export function twilioSignatureValid(authToken: string, signature: string | undefined, url: string, params: Record<string, string>) {
  if (!signature) return false;
  return validateRequest(authToken, signature, url, params);
}

/** Message and call statuses as outbox statuses (the intermediate ones change nothing). */
export function twilioDelivery(status: string): 'delivered' | 'failed' | null {
  if (status === 'delivered' || status === 'completed') return 'delivered';
  if (['undelivered', 'failed', 'busy', 'no-answer', 'canceled'].includes(status)) return 'failed';
  return null;
}
