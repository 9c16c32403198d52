import type { Queryable } from '@comobi/db';
import { pointSourceOf, type PointSource, type SearchQuery, type Suggestion, type SuggestionKind } from './types.ts';

/**
 * The territory's gazetteer, embedded: its named places, communes, BNLC carpool areas and the stops of its active
 * GTFS feeds, searched accent- and case-insensitively (comobi_search_key, migration 210) with prefix ranking: the
 * whole name starting with the query ("Lauz" → Lauzès) before a word of it, before a match inside a word
 * ("Castelnau Montratier-Sainte Alauzie"). Plain SQL that runs the same on PGlite and PostgreSQL.
 */

/** Below this many characters (accents and punctuation removed) a search answers nothing. */
export const GAZETTEER_MIN_QUERY = 2;

/**
 * How well a name matches, best first; the score is the ranking key shared with the address base, whose partial
 * matches often score below 0.5: a match inside a word ranks after them.
 */
const RANK_SCORE = [1, 0.9, 0.8, 0.3] as const;
/** Among equal matches: named places first (the coordinators saved them), then communes, carpool areas, stops. */
const KIND_ORDER: Record<Exclude<SuggestionKind, 'address' | 'usual'>, number> = { place: 0, commune: 1, carpool_area: 2, stop: 3 };

/** The match rank of a search key (0 exact … 3 inside a word), NULL when it does not match. */
const rankOf = (key: string) => `CASE
  WHEN ${key} = q.k THEN 0
  WHEN ${key} LIKE q.k || '%' THEN 1
  WHEN NOT EXISTS (SELECT 1 FROM unnest(q.toks) x WHERE ' ' || ${key} NOT LIKE '% ' || x || '%') THEN 2
  WHEN ${key} LIKE '%' || q.k || '%' THEN 3
END`;

const SQL = `
WITH q AS (SELECT comobi_search_key($1) AS k, string_to_array(comobi_search_key($1), ' ') AS toks),
tc AS (
  SELECT insee, name, geom, centroid, population FROM communes
  WHERE territory_id IS NOT NULL AND ($2::int[] IS NULL OR territory_id = ANY($2::int[]))
),
cand AS (
  SELECT 'place' AS kind, p.name || coalesce(', ' || p.address, '') AS label, p.geom,
    (SELECT c.insee FROM tc c WHERE ST_Intersects(c.geom, p.geom) LIMIT 1) AS insee, 0 AS population,
    ${rankOf("comobi_search_key(p.name || ' ' || coalesce(p.address, ''))")} AS rank, NULL::text AS src
  FROM places p, q WHERE $2::int[] IS NULL OR p.territory_id = ANY($2::int[])
  UNION ALL
  SELECT 'commune', c.name, c.centroid, c.insee, coalesce(c.population, 0), ${rankOf('comobi_search_key(c.name)')}, NULL
  FROM tc c, q
  UNION ALL
  -- The passenger's usual places: the ends of their past requests, the most used first (population holds the uses).
  SELECT 'usual', u.label, u.geom, (SELECT c.insee FROM tc c WHERE ST_Intersects(c.geom, u.geom) LIMIT 1), u.uses,
    ${rankOf('comobi_search_key(u.label)')}, u.src
  FROM (SELECT e.label, min(e.src) AS src, ST_SetSRID(ST_MakePoint(e.lng, e.lat), 4326) AS geom, count(*)::int AS uses
        FROM (SELECT r.from_label AS label, r.from_source AS src, ST_X(r.from_point) AS lng, ST_Y(r.from_point) AS lat
              FROM requests r WHERE r.passenger_id = $6 AND ($2::int[] IS NULL OR r.territory_id = ANY($2::int[]))
              UNION ALL
              SELECT r.to_label, r.to_source, ST_X(r.to_point), ST_Y(r.to_point)
              FROM requests r WHERE r.passenger_id = $6 AND ($2::int[] IS NULL OR r.territory_id = ANY($2::int[]))) e
        WHERE e.label IS NOT NULL AND e.label <> '' GROUP BY e.label, e.lng, e.lat) u, q
  UNION ALL
  SELECT 'carpool_area', a.name, a.geom, a.insee, 0, ${rankOf('comobi_search_key(a.name)')}, NULL
  FROM carpool_areas a, q WHERE a.open AND a.insee IN (SELECT insee FROM tc)
  UNION ALL
  (SELECT DISTINCT ON (s.key) 'stop', s.stop_name, s.geom, c.insee, 0, s.rank, NULL
   FROM (SELECT st.stop_name, st.geom, st.location_type, comobi_search_key(st.stop_name) AS key,
           ${rankOf('comobi_search_key(st.stop_name)')} AS rank
         FROM gtfs.stops st JOIN gtfs.feed_versions fv ON fv.id = st.feed_version_id AND fv.status = 'active', q
         WHERE st.stop_name IS NOT NULL AND st.geom IS NOT NULL AND coalesce(st.location_type, 0) IN (0, 1)) s
   -- The communes table itself, not the tc list: its spatial index finds a stop's commune, where the list (a
   -- CTE, without index) is tested outline by outline for every stop that matches (a real feed has many).
   JOIN communes c ON ST_Intersects(c.geom, s.geom) AND c.territory_id IS NOT NULL
     AND ($2::int[] IS NULL OR c.territory_id = ANY($2::int[]))
   WHERE s.rank IS NOT NULL
   -- A station and its platforms share a name: the station (location_type 1) stands for them.
   ORDER BY s.key, s.location_type DESC NULLS LAST)
)
SELECT kind, label, ST_X(geom) AS lng, ST_Y(geom) AS lat, insee, rank, src FROM cand, q
WHERE rank IS NOT NULL AND length(q.k) >= ${GAZETTEER_MIN_QUERY}
ORDER BY kind = 'usual' DESC, rank,
  CASE kind WHEN 'place' THEN ${KIND_ORDER.place} WHEN 'commune' THEN ${KIND_ORDER.commune}
    WHEN 'carpool_area' THEN ${KIND_ORDER.carpool_area} ELSE ${KIND_ORDER.stop} END,
  CASE WHEN $3::float8 IS NULL THEN 0 ELSE ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography) END,
  population DESC, length(label), label
LIMIT $5`;

export async function searchGazetteer(db: Queryable, q: SearchQuery): Promise<Suggestion[]> {
  const { rows } = await db.query<{
    kind: Exclude<SuggestionKind, 'address'>;
    label: string;
    lng: number;
    lat: number;
    insee: string | null;
    rank: number;
    src: PointSource | null;
  }>(SQL, [q.q, q.territoryIds, q.near?.lng ?? null, q.near?.lat ?? null, q.limit, q.personId ?? null]);
  return rows.map((r) => ({
    label: r.label,
    lng: Number(r.lng),
    lat: Number(r.lat),
    kind: r.kind,
    source: 'gazetteer' as const,
    // A usual place keeps the source it was stored with (an address stays exact, a commune centre approximate).
    pointSource: r.kind === 'usual' ? (r.src ?? 'unknown') : pointSourceOf(r.kind),
    insee: r.insee,
    // Equal matches keep the gazetteer's order when merged with the address base's answers; usual places go first
    // whatever the scores (searchPlaces).
    score: r.kind === 'usual' ? 1 : RANK_SCORE[Number(r.rank)] - KIND_ORDER[r.kind] * 0.01,
  }));
}
