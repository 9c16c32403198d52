import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
/** Reference data beside the clone (see ../shared/README.md). */
const shared = path.resolve(root, '../shared');
export const CORREZE = path.join(shared, 'data/correze/communes-19-correze.geojson');
export const LOT = path.join(root, 'fixtures/communes-46-lot.geojson');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real command, as `npm run territory --` runs it, in its own process on the given store. */
export function territoryCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services/src/territory/cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, DEMO: 'off', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export const passwordIn = (stdout: string, email: string) =>
  new RegExp(`${email.replace(/[.]/g, '\\.')} — mot de passe : (\\S+)`).exec(stdout)?.[1];

export const readFeatures = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).features as any[];

export function writeCollection(dir: string, name: string, features: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
  return file;
}
export const BNLC = path.join(shared, 'data/bnlc/bnlc-2026-08-18.csv');
export const LOT_ROADS = path.join(root, 'fixtures/lot-classified-roads.osm.pbf');
