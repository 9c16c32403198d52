import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const BREVO_KEY = 'xkeysib-test-0123456789abcdef';
export const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_TOKEN = 'twilio-auth-token-0123456789';
export const TWILIO_FROM = '+33644600000';
export const BREVO_HOOK_TOKEN = 'brevo-webhook-token-0123456789';

export interface Call {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** JSON for Brevo, the form fields for Twilio. */
  body: any;
  status: number;
}

/**
 * Brevo's and Twilio's sending APIs replayed on loopback, as their documentation shows them: Brevo's
 * POST /v3/transactionalSMS/send with the `api-key` header answers 201 `{ messageId }`; Twilio's Messages.json and
 * Calls.json take a form with Basic auth (account SID, auth token) and answer 201 with the new resource's `sid`.
 * `mode` makes them fail: 'down' answers 503, 'reject' 400 (as for an invalid number).
 */
export function fakeProviders() {
  const calls: Call[] = [];
  let mode: 'ok' | 'down' | 'reject' = 'ok';
  let n = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const isForm = String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded');
      const body = isForm ? Object.fromEntries(new URLSearchParams(text)) : text ? JSON.parse(text) : undefined;
      const answer = (status: number, json: unknown) => {
        calls.push({ method: req.method!, path: req.url!, headers: req.headers, body, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (mode === 'down') return answer(503, { code: 'service_unavailable', message: 'Service Unavailable' });
      if (req.method === 'POST' && req.url === '/v3/transactionalSMS/send') {
        if (req.headers['api-key'] !== BREVO_KEY) return answer(401, { code: 'unauthorized', message: 'Key not found' });
        if (mode === 'reject' || !body?.sender || !body?.recipient || !body?.content)
          return answer(400, { code: 'invalid_parameter', message: 'Invalid phone number' });
        return answer(201, { messageId: 1511882900176220 + ++n });
      }
      const twilio = /^\/2010-04-01\/Accounts\/(AC\w+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
      if (req.method === 'POST' && twilio) {
        const expected = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
        if (twilio[1] !== TWILIO_SID || req.headers.authorization !== expected)
          return answer(401, { code: 20003, message: 'Authenticate', status: 401 });
        if (mode === 'reject') return answer(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
        const prefix = twilio[2] === 'Calls' ? 'CA' : 'SM';
        return answer(201, { sid: `${prefix}${crypto.randomBytes(16).toString('hex')}`, status: 'queued', to: body.To, from: body.From });
      }
      answer(404, { code: 'not_found' });
    });
  });
  return {
    calls,
    setMode: (m: typeof mode) => (mode = m),
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Twilio's documented signature, computed here independently of the SDK: HMAC-SHA1(url + sorted key+value). */
export function twilioSign(url: string, params: Record<string, string>, token = TWILIO_TOKEN): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return crypto.createHmac('sha1', token).update(data).digest('base64');
}
