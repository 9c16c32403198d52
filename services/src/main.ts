import { createApp } from './app.ts';
import { boot } from './boot.ts';
import { loadConfig } from './config.ts';
import type { Log } from './context.ts';
import { plugins } from './plugins.ts';

const config = loadConfig();
const log: Log = (message, extra) => {
  if (config.LOG_LEVEL === 'silent') return;
  console.log(JSON.stringify({ t: new Date().toISOString(), message, ...extra }));
};

const booted = await boot(config, { log });
const app = createApp(booted.services, await plugins(booted.services));
const server = app.listen(config.PORT, config.HOST, () => {
  log('listening', {
    url: `http://localhost:${config.PORT}`,
    database: booted.services.db.kind,
    router: booted.services.router.name,
  });
  booted.startJobs();
});

async function shutdown(signal: string) {
  log('shutting down', { signal });
  server.close();
  await booted.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
