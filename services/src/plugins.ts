import type { Plugin } from './app.ts';
import type { Services } from './context.ts';

/** The parts mounted on the matching service (console, public pages, integrations). */
export async function plugins(_s: Services): Promise<Plugin[]> {
  return [];
}
