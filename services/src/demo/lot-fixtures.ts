import fs from 'node:fs';
import path from 'node:path';
import type { CommuneFeature } from '../domain/territories.ts';
import { referenceOf } from '../territory/reference.ts';

/**
 * The Lot's real geography shipped in fixtures/ (the département's outline, its communes with their populations and
 * postal codes), read the one way the demo and the month replay both set a territory up from it.
 */
export function readLotGeography(repoRoot: string): {
  boundary: { geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown } };
  communes: CommuneFeature[];
} {
  const dir = path.join(repoRoot, 'fixtures');
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const boundary = read('departement-46-lot.geojson');
  const features = read('communes-46-lot.geojson').features as {
    properties: { code: string; nom: string };
    geometry: unknown;
  }[];
  const pop = new Map(
    (read('demo-lot.json') as { communes: { insee: string; population: number | null }[] }).communes.map((c) => [
      c.insee,
      c.population,
    ]),
  );
  return {
    boundary,
    communes: features.map((f) => ({
      insee: f.properties.code,
      name: f.properties.nom,
      population: pop.get(f.properties.code) ?? null,
      postalCodes: referenceOf(f.properties.code)?.postalCodes ?? [],
      geometry: f.geometry,
    })),
  };
}
