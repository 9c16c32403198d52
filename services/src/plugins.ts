import { consolePlugin } from './console/plugin.ts';
import { bnlcPlugin } from './bnlc/plugin.ts';
import type { Plugin, Services } from './context.ts';
import { interopPlugin } from './interop/plugin.ts';
import { publicPlugin } from './public/plugin.ts';
import { rpcPlugin } from './rpc/plugin.ts';

/** The parts mounted on the matching service (console, public pages, integrations). */
export async function plugins(_s: Services): Promise<Plugin[]> {
  return [await consolePlugin(_s), interopPlugin(), bnlcPlugin(), rpcPlugin(), publicPlugin()];
}
