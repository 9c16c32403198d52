#!/usr/bin/env node
// `npm test`: makes sure the local PostgreSQL has PostGIS (and Chromium for the browser tests), then runs vitest
// on both back ends (real PostgreSQL and embedded PGlite) and prints the closing line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const setup = spawnSync('bash', [path.join(root, 'scripts/setup-test-env.sh')], { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error('test environment setup failed (see above)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const out = path.join(root, 'tests/output');
fs.mkdirSync(out, { recursive: true });
const report = path.join(out, 'vitest.json');
fs.rmSync(report, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit', cwd: root });
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  // A file that fails before any test runs (import error, failing hook) counts as a failure too.
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.every((a) => a.status !== 'failed')).length;
  failed = r.numFailedTests + brokenFiles;
  const skipped = r.numPendingTests + r.numTodoTests;
  if (skipped) {
    console.error(`${skipped} tests were skipped: no test may be skipped`);
    failed += skipped;
  }
} catch {
  failed = Math.max(failed, 1);
}
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && run.status === 0 ? 0 : 1);
