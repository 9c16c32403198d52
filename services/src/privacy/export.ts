import type { Queryable } from '../db/index.ts';

/**
 * Everything stored about a person, as JSON (right of access and portability): identity, profile, consents, trips,
 * requests and their matches, the FranceConnect link, how messages reach them and the messages sent, and who read
 * their personal data (audit).
 */
export async function exportPerson(db: Queryable, personId: number): Promise<Record<string, unknown> | null> {
  const one = async (sql: string) => (await db.query(sql, [personId])).rows;
  const person = await one(`SELECT p.id, p.territory_id, t.name AS territory, p.is_driver, p.is_passenger, p.commune_insee,
      ST_X(p.home) AS home_lng, ST_Y(p.home) AS home_lat, p.direct_contact_consent, p.direct_contact_consent_at, p.needs,
      p.anonymized_at, p.created_at, p.updated_at
    FROM people p JOIN territories t ON t.id = p.territory_id WHERE p.id = $1`);
  if (!person[0]) return null;
  return {
    exportedAt: new Date().toISOString(),
    person: person[0],
    identity: (await one('SELECT first_name, last_name, phone, email, address, birthdate FROM person_identities WHERE person_id = $1'))[0] ?? null,
    franceConnect: (await one('SELECT fc_sub, created_at, last_login_at FROM citizen_accounts WHERE person_id = $1'))[0] ?? null,
    consents: await one('SELECT kind, granted, text_version, source, at FROM consents WHERE person_id = $1 ORDER BY at, id'),
    trips: await one(`SELECT id, kind, weekdays, date, valid_from, valid_to, departure_min, return_min, origin_label,
        destination_label, ST_AsGeoJSON(origin)::json AS origin, ST_AsGeoJSON(destination)::json AS destination, seats,
        distance_m, active, created_at, updated_at FROM trips WHERE driver_id = $1 ORDER BY id`),
    requests: await one(`SELECT id, from_label, to_label, ST_AsGeoJSON(from_point)::json AS "from", ST_AsGeoJSON(to_point)::json AS "to",
        date, weekdays, time_min, time_kind, seats, purpose, needs, status, unserved_reason, note, created_at, updated_at
        FROM requests WHERE passenger_id = $1 ORDER BY id`),
    matches: await one(`SELECT m.id, m.request_id, m.trip_id, m.leg, m.date, m.pickup_min, m.dropoff_min, m.status, m.created_at
        FROM matches m LEFT JOIN requests r ON r.id = m.request_id LEFT JOIN trips t ON t.id = m.trip_id
        WHERE r.passenger_id = $1 OR t.driver_id = $1 ORDER BY m.id`),
    messaging: (await one(`SELECT channel, consent, consent_at, consent_text_version, quiet_start_min, quiet_end_min,
        relay_name, relay_phone, relay_relation FROM person_messaging WHERE person_id = $1`))[0] ?? null,
    messages: await one(`SELECT id, kind, channel, status, recipient, to_relay, body, created_at, sent_at, delivered_at,
        answered_at, answer FROM messages WHERE person_id = $1 ORDER BY id`),
    accessLog: await one(`SELECT at, actor, actor_role, action, fields, reason FROM audit_log
        WHERE subject_type = 'person' AND subject_id = $1 ORDER BY at, id`),
  };
}
