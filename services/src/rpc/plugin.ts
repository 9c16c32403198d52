import type { Plugin } from '../context.ts';
import { loadRpcConfig } from './config.ts';
import { startRpcWorker } from './worker.ts';

/** Proof registry export: with RPC_URL set, every replica runs the worker loop (rows are claimed, never shared). */
export function rpcPlugin(env: Record<string, string | undefined> = process.env): Plugin {
  const cfg = loadRpcConfig(env);
  return {
    root(_app, _root, s) {
      if (cfg.RPC_URL) startRpcWorker(s.db, s.router, { ...cfg, RPC_URL: cfg.RPC_URL.replace(/\/$/, '') }, s.log);
    },
  };
}
