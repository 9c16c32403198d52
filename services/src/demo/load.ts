import fs from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../db/index.ts';
import type { LngLat, RouteResult, Router } from '../routing/types.ts';

interface DemoFile {
  territory: { slug: string; name: string; coordinatorPhone: string };
  communes: { insee: string; population: number | null }[];
  people: {
    ref: string;
    isDriver: boolean;
    isPassenger: boolean;
    communeInsee: string;
    home: LngLat;
    directContactConsent: boolean;
    needs: string[];
    firstName: string;
    lastName: string;
    phone: string;
    email: string | null;
  }[];
  trips: {
    ref: string;
    driverRef: string;
    kind: 'regular' | 'oneoff';
    weekdays: number[];
    dayOffset: number | null;
    departureTime: string;
    returnTime: string | null;
    origin: LngLat;
    destination: LngLat;
    originLabel: string;
    destinationLabel: string;
    seats: number;
  }[];
  requests: {
    ref: string;
    passengerRef: string;
    from: LngLat;
    to: LngLat;
    fromLabel: string;
    toLabel: string;
    dayOffset: number;
    time: string;
    timeKind: 'depart' | 'arrive';
    toleranceMin: number;
    seats: number;
    purpose: string;
    needs: string[];
  }[];
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** Demo dates are offsets from the day the demo is loaded, so the demo never lies in the past. */
const dayFrom = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Loads the Lot demo from fixtures/ into an empty store, in one transaction: the real communes and department
 * boundary, invented people, their regular trips (routes from the configured router) and requests.
 */
export async function loadDemo(
  db: Queryable & { transaction?: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T> },
  router: Router,
  repoRoot: string,
) {
  const dir = path.join(repoRoot, 'fixtures');
  const demo = JSON.parse(fs.readFileSync(path.join(dir, 'demo-lot.json'), 'utf8')) as DemoFile;
  const boundary = JSON.parse(fs.readFileSync(path.join(dir, 'departement-46-lot.geojson'), 'utf8'));
  const communes = JSON.parse(fs.readFileSync(path.join(dir, 'communes-46-lot.geojson'), 'utf8'));
  const pop = new Map(demo.communes.map((c) => [c.insee, c.population]));

  // Routes first, outside the transaction.
  const routes: { out: RouteResult; back: RouteResult | null }[] = [];
  for (const t of demo.trips) {
    const out = await router.route([t.origin, t.destination]);
    const back = t.returnTime ? await router.route([t.destination, t.origin]) : null;
    routes.push({ out, back });
  }
  const approximate = router.approximate;

  const work = async (tx: Queryable) => {
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO territories (slug, name, boundary, coordinator_phone)
       VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)), $4) RETURNING id`,
      [demo.territory.slug, demo.territory.name, JSON.stringify(boundary.geometry), demo.territory.coordinatorPhone],
    );
    const territoryId = rows[0].id;
    await tx.query(
      `INSERT INTO communes (insee, name, territory_id, population, geom, centroid)
       SELECT f->'properties'->>'code', f->'properties'->>'nom', $1, (($3::jsonb)->>(f->'properties'->>'code'))::int,
              g, ST_PointOnSurface(g)
       FROM jsonb_array_elements($2::jsonb->'features') f,
            LATERAL (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326)) AS g) x
       ON CONFLICT (insee) DO NOTHING`,
      [territoryId, JSON.stringify(communes), JSON.stringify(Object.fromEntries(pop))],
    );
    // Identity values follow the ORDER BY of the insert: the n-th smallest id is the n-th person of the file.
    const people = await tx.query<{ id: number }>(
      `INSERT INTO people (territory_id, is_driver, is_passenger, commune_insee, home, direct_contact_consent,
         direct_contact_consent_at, needs)
       SELECT $1, "isDriver", "isPassenger", "communeInsee",
              ST_SetSRID(ST_MakePoint((home->>0)::float8, (home->>1)::float8), 4326), "directContactConsent",
              CASE WHEN "directContactConsent" THEN now() END, needs
       FROM jsonb_to_recordset($2::jsonb) AS x("isDriver" bool, "isPassenger" bool, "communeInsee" text, home jsonb,
         "directContactConsent" bool, needs text[], ord int)
       ORDER BY ord RETURNING id`,
      [territoryId, JSON.stringify(demo.people.map((p, ord) => ({ ...p, ord })))],
    );
    const ids = people.rows.map((r) => r.id).sort((x, y) => x - y);
    const idOf = new Map(demo.people.map((p, i) => [p.ref, ids[i]]));
    await tx.query(
      `INSERT INTO person_identities (person_id, first_name, last_name, phone, email)
       SELECT id, "firstName", "lastName", phone, email
       FROM jsonb_to_recordset($1::jsonb) AS x(id int, "firstName" text, "lastName" text, phone text, email text)`,
      [JSON.stringify(demo.people.map((p) => ({ ...p, id: idOf.get(p.ref) })))],
    );
    const line = (c: LngLat[]) => JSON.stringify({ type: 'LineString', coordinates: c.length >= 2 ? c : [c[0], c[0]] });
    await tx.query(
      `INSERT INTO trips (territory_id, driver_id, kind, weekdays, date, departure_min, return_min, origin, destination,
         origin_label, destination_label, seats, route, distance_m, duration_s, return_route, return_distance_m,
         return_duration_s, route_approximate)
       SELECT $1, driver_id, kind, weekdays, date, departure_min, return_min,
              ST_SetSRID(ST_MakePoint((origin->>0)::float8, (origin->>1)::float8), 4326),
              ST_SetSRID(ST_MakePoint((destination->>0)::float8, (destination->>1)::float8), 4326),
              origin_label, destination_label, seats, ST_SetSRID(ST_GeomFromGeoJSON(route), 4326), distance_m, duration_s,
              ST_SetSRID(ST_GeomFromGeoJSON(return_route), 4326), return_distance_m, return_duration_s, $3
       FROM jsonb_to_recordset($2::jsonb) AS x(driver_id int, kind text, weekdays smallint[], date date, departure_min int,
         return_min int, origin jsonb, destination jsonb, origin_label text, destination_label text, seats int, route text,
         distance_m float8, duration_s float8, return_route text, return_distance_m float8, return_duration_s float8)`,
      [
        territoryId,
        JSON.stringify(
          demo.trips.map((t, i) => ({
            driver_id: idOf.get(t.driverRef),
            kind: t.kind,
            weekdays: t.weekdays,
            date: t.dayOffset === null ? null : dayFrom(t.dayOffset),
            departure_min: minutes(t.departureTime),
            return_min: t.returnTime ? minutes(t.returnTime) : null,
            origin: t.origin,
            destination: t.destination,
            origin_label: t.originLabel,
            destination_label: t.destinationLabel,
            seats: t.seats,
            route: line(routes[i].out.coordinates),
            distance_m: routes[i].out.distanceM,
            duration_s: routes[i].out.durationS,
            return_route: routes[i].back ? line(routes[i].back.coordinates) : null,
            return_distance_m: routes[i].back?.distanceM ?? null,
            return_duration_s: routes[i].back?.durationS ?? null,
          })),
        ),
        approximate,
      ],
    );
    await tx.query(
      `INSERT INTO requests (territory_id, passenger_id, from_point, to_point, from_label, to_label, date, time_min,
         time_kind, tolerance_min, seats, purpose, needs, created_by)
       SELECT $1, passenger_id, ST_SetSRID(ST_MakePoint((f->>0)::float8, (f->>1)::float8), 4326),
              ST_SetSRID(ST_MakePoint((t->>0)::float8, (t->>1)::float8), 4326), from_label, to_label, date, time_min,
              time_kind, tolerance_min, seats, purpose, needs, 'demo'
       FROM jsonb_to_recordset($2::jsonb) AS x(passenger_id int, f jsonb, t jsonb, from_label text, to_label text,
         date date, time_min int, time_kind text, tolerance_min int, seats int, purpose text, needs text[])`,
      [
        territoryId,
        JSON.stringify(
          demo.requests.map((r) => ({
            passenger_id: idOf.get(r.passengerRef),
            f: r.from,
            t: r.to,
            from_label: r.fromLabel,
            to_label: r.toLabel,
            date: dayFrom(r.dayOffset),
            time_min: minutes(r.time),
            time_kind: r.timeKind,
            tolerance_min: r.toleranceMin,
            seats: r.seats,
            purpose: r.purpose,
            needs: r.needs,
          })),
        ),
      ],
    );
    return { territoryId, people: demo.people.length, trips: demo.trips.length, requests: demo.requests.length };
  };
  return db.transaction ? db.transaction(work) : work(db);
}
