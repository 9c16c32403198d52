import type { Provider } from './types.ts';

/**
 * The embedded default: nothing leaves the machine, the message stays in the outbox with status 'dry_run' and the
 * console shows its text exactly as it would have gone.
 */
export const dryRunProvider = (channel: string): Provider => ({
  name: 'dry_run',
  async send(m) {
    return { provider: 'dry_run', providerMessageId: `dry-${channel}-${m.id}`, status: 'dry_run' };
  },
});

/**
 * Letters are printed by the coordination: the PDF is ready as soon as the message is queued
 * (GET /api/messages/:id/letter.pdf), and "sent" means handed over to print.
 */
export const printProvider: Provider = {
  name: 'print',
  async send(m) {
    return { provider: 'print', providerMessageId: `letter-${m.id}`, status: 'sent' };
  },
};
