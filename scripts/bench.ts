/** `npm run bench -- <name> [args]`: runs the benchmark script of that name. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const benches: Record<string, string> = {
  match: 'services/bench/match.ts',
  assign: 'services/bench/assign.ts',
  gtfs: 'scripts/bench-gtfs.ts',
  stats: 'scripts/bench-stats.ts',
  load: 'scripts/load/run.ts',
  messages: 'services/bench/messages.ts',
  console: 'scripts/bench-console.ts',
};
const [name, ...rest] = process.argv.slice(2);
if (!name || !benches[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, benches[name]), ...rest], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
