import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

const schema = z
  .object({
    /** Who sends SMS: dry_run (default: kept in the outbox, shown in the console), brevo or twilio. */
    MESSAGING_SMS_PROVIDER: z.enum(['dry_run', 'brevo', 'twilio']).default('dry_run'),
    /** Who calls landlines and reads the text aloud: dry_run (default) or twilio. */
    MESSAGING_VOICE_PROVIDER: z.enum(['dry_run', 'twilio']).default('dry_run'),
    /** Public origin of this service, as the providers reach it: their webhooks are signed for this URL. */
    MESSAGING_PUBLIC_URL: url.optional(),
    /** off: this replica does not send (another one does); the outbox still fills. */
    MESSAGING_WORKER: z.enum(['on', 'off']).default('on'),
    MESSAGING_POLL_MS: z.coerce.number().int().positive().default(5000),
    MESSAGING_BATCH: z.coerce.number().int().min(1).max(1000).default(50),
    /** Retries back off exponentially from this delay (doubled each time, capped at 6 h); then 'failed'. */
    MESSAGING_BACKOFF_BASE_S: z.coerce.number().positive().default(30),
    MESSAGING_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
    MESSAGING_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    BREVO_API_URL: url.default('https://api.brevo.com/v3'),
    BREVO_API_KEY: z.string().min(8).optional(),
    /** Alphanumeric sender shown on the phone (Brevo: 11 characters at most). */
    BREVO_SMS_SENDER: z.string().regex(/^[A-Za-z0-9]{1,11}$/, 'at most 11 letters or digits').default('CoMobi'),
    /** The bearer token Brevo sends with its webhook calls (set when the webhook is created at Brevo). */
    BREVO_WEBHOOK_TOKEN: z.string().min(16).optional(),
    TWILIO_API_URL: url.default('https://api.twilio.com'),
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID: AC and 32 hex digits').optional(),
    TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
    /** Our Twilio number in E.164 (+33…): caller id of the calls, sender of SMS, where drivers reply. */
    TWILIO_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/, 'a number in E.164, e.g. +33644600000').optional(),
  })
  .superRefine((c, ctx) => {
    const need = (key: keyof typeof c, why: string) => {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `required ${why}` });
    };
    if (c.MESSAGING_SMS_PROVIDER === 'brevo') need('BREVO_API_KEY', 'with MESSAGING_SMS_PROVIDER=brevo');
    const twilio = c.MESSAGING_SMS_PROVIDER === 'twilio' || c.MESSAGING_VOICE_PROVIDER === 'twilio';
    if (twilio) {
      for (const k of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) need(k, 'with a Twilio provider');
      // Key presses and replies come back through webhooks: without the public URL a call could not be answered.
      need('MESSAGING_PUBLIC_URL', 'with a Twilio provider (its webhooks)');
    }
  });

export type MessagingConfig = z.infer<typeof schema>;

/** Parsed once at start; empty variables count as unset. */
export function loadMessagingConfig(env: Record<string, string | undefined> = process.env): MessagingConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success)
    throw new Error(`Invalid messaging configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
