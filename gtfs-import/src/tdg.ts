import { gtfsError } from './errors.ts';

/** transport.data.gouv.fr API shapes (reference: shared/reference/transport-data-gouv/schemas.ex), the fields we use. */
export interface TdgResource {
  id: number;
  datagouv_id?: string;
  title: string;
  format: string;
  url: string;
  original_url?: string;
  is_available?: boolean;
  updated?: string;
  filesize?: number;
  type?: string;
  modes?: string[];
  features?: string[];
  schema_name?: string;
}

export interface TdgDataset {
  id: string;
  datagouv_id: string;
  title: string;
  slug: string;
  type: string;
  licence?: string;
  page_url?: string;
  updated?: string | null;
  publisher?: { name?: string; id?: string; type?: string };
  covered_area?: { type: string; insee: string; nom: string }[];
  resources: TdgResource[];
  tags?: string[];
  offers?: { nom_commercial: string; identifiant_offre: number; type_transport: string; nom_aom: string }[];
}

export const defaultApiUrl = 'https://transport.data.gouv.fr/api';

async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw gtfsError({ code: 'E_API' }, `cannot reach ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw gtfsError({ code: 'E_API' }, `${url} answered ${res.status}`);
  return (await res.json()) as T;
}

const normalize = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

/** Every dataset the national access point lists (one request: the API has no spatial query). */
export async function listDatasets(apiUrl = defaultApiUrl): Promise<TdgDataset[]> {
  return getJson<TdgDataset[]>(`${apiUrl.replace(/\/$/, '')}/datasets`);
}

/** Datasets whose title, slug, publisher, covered area or offers hold every word, that have a GTFS or NeTEx resource. */
export async function searchDatasets(words: string[], apiUrl = defaultApiUrl): Promise<TdgDataset[]> {
  const all = await listDatasets(apiUrl);
  const needles = words.map(normalize);
  return all.filter((d) => {
    if (!d.resources?.some((r) => /^(gtfs|netex)$/i.test(r.format))) return false;
    const hay = normalize([
      d.title, d.slug, d.type, d.publisher?.name ?? '', ...(d.tags ?? []),
      ...(d.covered_area ?? []).map((a) => a.nom), ...(d.offers ?? []).flatMap((o) => [o.nom_commercial, o.nom_aom]),
    ].join(' '));
    return needles.every((n) => hay.includes(n));
  });
}

export async function getDataset(id: string, apiUrl = defaultApiUrl): Promise<TdgDataset> {
  return getJson<TdgDataset>(`${apiUrl.replace(/\/$/, '')}/datasets/${encodeURIComponent(id)}`);
}

/** GTFS resources of a dataset (GTFS-Flex is published as GTFS), available ones first, most recent first. */
export function gtfsResources(d: TdgDataset): TdgResource[] {
  return d.resources
    .filter((r) => r.format?.toUpperCase() === 'GTFS')
    .sort((a, b) => Number(b.is_available !== false) - Number(a.is_available !== false) || (b.updated ?? '').localeCompare(a.updated ?? ''));
}
