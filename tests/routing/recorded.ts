import fs from 'node:fs';
import type { LngLat } from '../../services/src/routing/types.ts';

/** The recorded osrm-routed 6.0.0 answers on Monaco (see /work/shared/reference/osrm/recorded/README.md). */
export const RECORDED_FILE = '/work/shared/reference/osrm/recorded/monaco.json';
export const MONACO_PBF = '/work/shared/data/osm/monaco.osm.pbf';

export interface Recorded {
  name: string;
  /** e.g. `GET /route/v1/driving/7.4190,43.7312;7.4270,43.7390?steps=true` */
  request: string;
  status: number;
  body: Record<string, any>;
}

export const recorded: Recorded[] = JSON.parse(fs.readFileSync(RECORDED_FILE, 'utf8'));

export function recording(name: string): Recorded {
  const found = recorded.find((r) => r.name === name);
  if (!found) throw new Error(`no recorded answer named ${name}`);
  return found;
}

export interface ParsedRequest {
  method: string;
  service: string;
  profile: string;
  coordinates: LngLat[];
  query: Record<string, string>;
}

/** Split an OSRM request line or path into its parts, coordinates as numbers (so `7.4190` equals `7.419`). */
export function parseRequest(line: string): ParsedRequest {
  const [method, target] = line.includes(' ') ? line.split(' ') : ['GET', line];
  const url = new URL(target, 'http://osrm.invalid');
  const [, service, , profile, coords = ''] = url.pathname.split('/');
  return {
    method,
    service,
    profile,
    coordinates: coords
      .split(';')
      .filter(Boolean)
      .map((pair) => pair.split(',').map(Number) as LngLat),
    query: Object.fromEntries(url.searchParams.entries()),
  };
}

export function sameCoordinates(a: LngLat[], b: LngLat[]): boolean {
  return a.length === b.length && a.every((p, i) => Math.abs(p[0] - b[i][0]) < 1e-9 && Math.abs(p[1] - b[i][1]) < 1e-9);
}
