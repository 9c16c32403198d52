import type { Services } from '../context.ts';
import type { Proposal } from '../matching/matcher.ts';
import { encodePolyline } from '../routing/osrm-endpoints.ts';
import type { LngLat } from '../routing/types.ts';
import type { InteropConfig } from './config.ts';
import { partialTime } from './time.ts';

/** The passenger's part of a driver's trip: pickup → drop-off, as the driver drives it. */
export interface Passage {
  /** Metres. */
  distance?: number;
  /** Seconds. */
  duration: number;
  /** Google encoded polyline, precision 5; only from a road router (a straight line is no itinerary). */
  journeyPolyline?: string;
}

const keyOf = (p: Proposal) => `${p.pickup.lng},${p.pickup.lat};${p.dropoff.lng},${p.dropoff.lat}`;

/**
 * One route per distinct pickup/drop-off pair (proposals often share the passenger's points). A router failure
 * leaves distance and polyline out (optional fields) and keeps the matcher's duration.
 */
export async function passagesOf(s: Services, proposals: Proposal[]): Promise<Passage[]> {
  const routes = new Map<string, Promise<Passage | undefined>>();
  for (const p of proposals) {
    const k = keyOf(p);
    if (routes.has(k)) continue;
    const points: LngLat[] = [[p.pickup.lng, p.pickup.lat], [p.dropoff.lng, p.dropoff.lat]];
    routes.set(
      k,
      s.router.route(points).then(
        (r): Passage => ({
          distance: Math.round(r.distanceM),
          duration: Math.round(r.durationS),
          ...(r.approximate || s.router.approximate || r.coordinates.length < 2 ? {} : { journeyPolyline: encodePolyline(r.coordinates) }),
        }),
        () => undefined,
      ),
    );
  }
  return Promise.all(
    proposals.map(async (p) => (await routes.get(keyOf(p))) ?? { duration: Math.max(0, Math.round((p.dropoff.timeMin - p.pickup.timeMin) * 60)) }),
  );
}

/**
 * Deep links (booking-deeplink-specification.md): our public "Je cherche un trajet" page of the trip's territory,
 * with the form's own field names — communes (INSEE) of the pickup and drop-off, date, time — so that the passenger
 * asks for this trip there.
 */
export async function webUrlsOf(s: Services, cfg: InteropConfig, proposals: Proposal[], date: string | null): Promise<string[]> {
  if (!proposals.length) return [];
  const territoryIds = [...new Set(proposals.map((p) => p.territoryId))];
  const slugs = new Map(
    (await s.db.query<{ id: number; slug: string }>('SELECT id, slug FROM territories WHERE id = ANY($1::int[])', [territoryIds])).rows.map((t) => [t.id, t.slug]),
  );
  const pts = proposals.flatMap((p) => [
    { lng: p.pickup.lng, lat: p.pickup.lat, t: p.territoryId },
    { lng: p.dropoff.lng, lat: p.dropoff.lat, t: p.territoryId },
  ]);
  // The commune that holds the point, else the nearest one of the territory (a point just across a border).
  const { rows } = await s.db.query<{ i: number; insee: string | null }>(
    `SELECT x.i::int AS i, COALESCE(
       (SELECT insee FROM communes WHERE territory_id = x.t AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)) LIMIT 1),
       (SELECT insee FROM communes WHERE territory_id = x.t ORDER BY geom <-> ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326) LIMIT 1)) AS insee
     FROM unnest($1::float8[], $2::float8[], $3::int[]) WITH ORDINALITY AS x(lng, lat, t, i)`,
    [pts.map((p) => p.lng), pts.map((p) => p.lat), pts.map((p) => p.t)],
  );
  const insee = new Map(rows.filter((r) => r.insee).map((r) => [r.i - 1, r.insee]));
  return proposals.map((p, n) => {
    const q = new URLSearchParams();
    const from = insee.get(2 * n), to = insee.get(2 * n + 1);
    if (from) q.set('depart', from);
    if (to) q.set('arrivee', to);
    if (date) q.set('date', date);
    q.set('sens', 'depart');
    q.set('heure', partialTime(p.pickup.timeMin).slice(0, 5));
    q.set('places', '1');
    return `${cfg.publicUrl}/t/${encodeURIComponent(slugs.get(p.territoryId) ?? '')}/chercher?${q}`;
  });
}
