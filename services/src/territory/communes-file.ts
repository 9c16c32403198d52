/**
 * Reads an official commune file: GeoJSON as published by IGN (ADMIN EXPRESS: `INSEE_COM`, `NOM`, `INSEE_DEP`) or by
 * france-geojson (`code`, `nom`). Pure: no database, no enrichment; every refusal names the feature and the reason.
 */

export interface CommuneOutline {
  /** Position of the feature in the file's `features` array (0-based), for messages. */
  index: number;
  insee: string;
  name: string;
  /** From the file when it says (ADMIN EXPRESS), otherwise null: the enrichment or the INSEE code tells. */
  departement: string | null;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
}

export interface FileIssue {
  /** null: the file as a whole. */
  feature: number | null;
  /** JSON path inside the file, e.g. `features[12].properties`. */
  field: string;
  code: 'not_json' | 'not_geojson' | 'no_insee' | 'bad_insee' | 'no_name' | 'bad_geometry' | 'duplicate_insee' | 'invalid_geometry' | 'no_commune' | 'other_territory';
  reason: string;
  /** The INSEE code when the feature has one: a person can find it in the file. */
  insee?: string;
}

export class CommuneFileInvalid extends Error {
  constructor(readonly issues: FileIssue[]) {
    super(`commune file refused: ${issues.length} problem(s); first: ${issues[0]?.field}: ${issues[0]?.reason}`);
  }
}

/** Metropolitan (01–95, 2A, 2B) and overseas (971–976) codes: five characters. */
const INSEE = /^(?:\d{2}|2[AB])\d{3}$/;
const pick = (p: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) {
    const v = p[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return null;
};
const INSEE_KEYS = ['code', 'INSEE_COM', 'insee_com', 'code_insee', 'insee'];
const NAME_KEYS = ['nom', 'NOM', 'NOM_COM', 'nom_com', 'name'];
const DEP_KEYS = ['INSEE_DEP', 'insee_dep', 'departement', 'code_departement'];

/** The département of an INSEE code: three characters overseas (97x), two elsewhere. */
export const departementOfInsee = (insee: string) => (insee.startsWith('97') ? insee.slice(0, 3) : insee.slice(0, 2));

/** "at position N" of JSON.parse, as line and column: the file may be one line or pretty-printed. */
function jsonLocation(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return ` (ligne ${line}, colonne ${pos - before.lastIndexOf('\n')})`;
}

const isPosition = (p: unknown) =>
  Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' &&
  Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;

/** Structure only (PostGIS judges topology): rings of at least four positions in WGS 84, closed. */
function polygonProblem(rings: unknown): string | null {
  if (!Array.isArray(rings) || rings.length === 0) return 'polygone sans anneau';
  for (const ring of rings) {
    if (!Array.isArray(ring) || ring.length < 4) return 'anneau de moins de 4 positions';
    if (!ring.every(isPosition)) return 'position qui n’est pas [longitude, latitude] en degrés WGS 84';
    const [a, b] = [ring[0], ring[ring.length - 1]];
    if (a[0] !== b[0] || a[1] !== b[1]) return 'anneau non fermé (la dernière position doit répéter la première)';
  }
  return null;
}

function geometryProblem(g: any): string | null {
  if (!g || typeof g !== 'object') return 'pas de géométrie';
  if (g.type === 'Polygon') return polygonProblem(g.coordinates);
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'multipolygone vide';
    for (const p of g.coordinates) {
      const problem = polygonProblem(p);
      if (problem) return problem;
    }
    return null;
  }
  return `géométrie de type ${String(g.type)} : une commune est un Polygon ou un MultiPolygon`;
}

/**
 * The communes of the file, or every problem found (not only the first: a person fixes them in one pass).
 * `departement` keeps the communes of that département only; the caller says when none is left.
 */
export function readCommuneFile(text: string): CommuneOutline[] {
  let doc: any;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const msg = (e as Error).message;
    throw new CommuneFileInvalid([{ feature: null, field: '(fichier)', code: 'not_json', reason: `ce n’est pas du JSON${jsonLocation(text, msg)} : ${msg}` }]);
  }
  if (!doc || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new CommuneFileInvalid([{ feature: null, field: '(fichier)', code: 'not_geojson', reason: 'ce n’est pas une FeatureCollection GeoJSON (attendu : {"type": "FeatureCollection", "features": [...]})' }]);
  }
  const issues: FileIssue[] = [];
  const out: CommuneOutline[] = [];
  const seen = new Map<string, number>();
  doc.features.forEach((f: any, index: number) => {
    const at = `features[${index}]`;
    if (!f || f.type !== 'Feature') {
      issues.push({ feature: index, field: at, code: 'not_geojson', reason: 'ce n’est pas une Feature GeoJSON' });
      return;
    }
    const props = f.properties && typeof f.properties === 'object' ? (f.properties as Record<string, unknown>) : {};
    const insee = pick(props, INSEE_KEYS);
    const name = pick(props, NAME_KEYS);
    if (!insee) {
      issues.push({ feature: index, field: `${at}.properties`, code: 'no_insee', reason: `pas de code INSEE (propriété ${INSEE_KEYS.slice(0, 2).join(' ou ')})` });
      return;
    }
    if (!INSEE.test(insee)) {
      issues.push({ feature: index, field: `${at}.properties`, code: 'bad_insee', insee, reason: `code INSEE « ${insee} » : attendu 5 caractères (ex. 19272, 2A004)` });
      return;
    }
    if (!name) {
      issues.push({ feature: index, field: `${at}.properties`, code: 'no_name', insee, reason: `pas de nom (propriété ${NAME_KEYS.slice(0, 2).join(' ou ')})` });
      return;
    }
    const problem = geometryProblem(f.geometry);
    if (problem) {
      issues.push({ feature: index, field: `${at}.geometry`, code: 'bad_geometry', insee, reason: problem });
      return;
    }
    const first = seen.get(insee);
    if (first !== undefined) {
      issues.push({ feature: index, field: `${at}.properties`, code: 'duplicate_insee', insee, reason: `code INSEE ${insee} déjà donné par la feature ${first}` });
      return;
    }
    seen.set(insee, index);
    out.push({ index, insee, name, departement: pick(props, DEP_KEYS), geometry: f.geometry });
  });
  if (issues.length) throw new CommuneFileInvalid(issues);
  if (out.length === 0) {
    throw new CommuneFileInvalid([{ feature: null, field: 'features', code: 'no_commune', reason: 'le fichier ne contient aucune commune' }]);
  }
  return out;
}
