import type { Plugin } from '../context.ts';
import { loadMessagingConfig, type MessagingConfig } from './config.ts';
import { Outbox, providersOf, startOutbox, type Providers } from './outbox.ts';
import { messageRoutes } from './routes.ts';
import { webhookRoutes } from './webhooks.ts';

/**
 * Messages for people without internet: the outbox sender (every replica with MESSAGING_WORKER=on; rows are
 * claimed, never shared), the providers' webhooks and GET /api/messages. With no provider configured, the dry run.
 */
export function messagingPlugin(
  env: Record<string, string | undefined> = process.env,
  opts: { providers?: Providers; onOutbox?: (o: Outbox) => void } = {},
): Plugin {
  const cfg: MessagingConfig = loadMessagingConfig(env);
  return {
    root(_app, root, s) {
      webhookRoutes(root, s, cfg);
      const outbox = new Outbox(s.db, opts.providers ?? providersOf(cfg), cfg, s.log);
      opts.onOutbox?.(outbox);
      if (cfg.MESSAGING_WORKER === 'on') startOutbox(outbox, cfg.MESSAGING_POLL_MS, s.log);
    },
    api(api, s) {
      messageRoutes(api, s);
    },
  };
}
