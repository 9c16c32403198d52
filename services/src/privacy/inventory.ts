import { blurSql, decimalsSql, truncateSql } from './coarsen.ts';

/**
 * The register of personal data: every column of every table is either listed here as personal, with what the
 * erasure, the retention job and the export do with it, or declared non-personal. erase.ts, retention.ts and
 * export.ts are driven by this list, and a test fails when the database holds a column it does not classify.
 *
 * "Personal" means: once the person's identity rows are gone, the value could still single them out or tell
 * something about them (names, contact details, exact places, free texts, ids in other systems, secrets). Schedules,
 * counts, codes and dates on rows whose personal columns are treated are not.
 */

/** What a treatment does to a column. */
export type Act =
  /** The column becomes this SQL expression, computed from the row's values before the change. */
  | { set: string }
  /** The column stays as it is, and why. */
  | { keep: string }
  /** The row goes (then every personal column of the table says so). */
  | 'delete row';

export interface PersonalColumn {
  /** What the column holds. */
  holds: string;
  /** Whose data it is: one of our citizens, a user of a partner operator, a member of the staff. */
  of: 'citizen' | 'partner user' | 'staff';
  /** POST /api/people/:id/erase, on the rows `about` the person. */
  erase: Act;
  /**
   * The retention job: on the rows its `stale` condition finds, or 'with the person' when it is the erasure of the
   * people idle for the retention period that treats the column.
   */
  retention: Act | 'with the person';
  /** In the person's export (right of access), or why not. */
  export: true | { no: string };
}

export interface TableInventory {
  /** schema-qualified when not in public. */
  table: string;
  /** SQL condition on the table's rows, $1 the person's id: the rows erased and exported with the person. */
  about?: string;
  /** Key of the export, and whether the person has at most one such row. */
  exportAs?: { key: string; one?: boolean };
  /** SQL condition on the rows the retention job treats by themselves (cutoff: SQL timestamptz). */
  stale?: (cutoff: string) => string;
  /** Non-personal columns rewritten along (bookkeeping: when, and the status that follows). */
  alsoSet?: { erase?: Record<string, string>; retention?: Record<string, string> };
  personal: Record<string, PersonalColumn>;
  nonPersonal: string[];
}

/** Schemas that can never hold personal data: copies of published open-data feeds (GTFS, GTFS-Flex). */
export const NON_PERSONAL_SCHEMAS: Record<string, string> = {
  gtfs: 'published transit timetables; their phones and e-mails are the agencies’ public contacts',
};

const NULL = { set: 'NULL' };
const blur = (col: string) => ({ set: blurSql(col) });
const withPerson = 'with the person' as const;
const staffKeep = { keep: 'a member of the staff, not the person erased' };
const notCitizen = { no: 'not about a citizen' };
const secret = { no: 'a secret (hash of a session or sign-in token): useless to the person, dangerous to copy' };

/** The matches of the person, as driver (commuter or volunteer) or passenger. */
const MATCHES_OF = `(SELECT m.id FROM matches m WHERE m.request_id IN (SELECT id FROM requests WHERE passenger_id = $1)
  OR m.trip_id IN (SELECT id FROM trips WHERE driver_id = $1) OR m.volunteer_id = $1)`;
/** Messages written to the person, or about their trips, requests and matches. */
const MESSAGES_OF = `(SELECT x.id FROM interop_messages x WHERE x.recipient_person_id = $1
  OR x.trip_id IN (SELECT id FROM trips WHERE driver_id = $1) OR x.request_id IN (SELECT id FROM requests WHERE passenger_id = $1)
  OR x.match_id IN ${MATCHES_OF})`;

/** The identities left out and the places truncated as the registry does: what a sent declaration keeps here. */
const point = (end: 'start' | 'end', axis: 'lat' | 'lon') =>
  `COALESCE(to_jsonb(${truncateSql(`payload->'${end}'->>'${axis}'`, decimalsSql(`payload->'${end}'->>'lon'`, `payload->'${end}'->>'lat'`))}), 'null'::jsonb)`;
const SCRUBBED_PAYLOAD = `CASE WHEN payload IS NULL THEN NULL ELSE
  jsonb_set(jsonb_set(jsonb_set(jsonb_set(payload #- '{driver,identity}' #- '{passenger,identity}',
    '{start,lat}', ${point('start', 'lat')}), '{start,lon}', ${point('start', 'lon')}),
    '{end,lat}', ${point('end', 'lat')}), '{end,lon}', ${point('end', 'lon')}) END`;

/** Free text of a message: erased with either party, or once old. */
const messageAct: Act = NULL;

/**
 * In treatment order: a table comes before those whose rows it finds through a value they change (the audit of
 * messages before the messages lose their recipient, sessions before accounts) and after those whose changes its
 * retention follows (matches after requests).
 */
export const INVENTORY: TableInventory[] = [
  {
    table: 'audit_log',
    about: `(subject_type = 'person' AND subject_id = $1) OR (subject_type = 'interop_message' AND subject_id IN ${MESSAGES_OF})`,
    exportAs: { key: 'accessLog' },
    stale: (cutoff) => `at < ${cutoff} AND reason IS NOT NULL`,
    personal: {
      reason: { holds: 'why the data was read, typed by the staff (may name the person)', of: 'citizen', erase: NULL, retention: NULL, export: true },
      actor: { holds: 'who read or changed', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'at', 'actor_role', 'territory_id', 'action', 'subject_type', 'subject_id', 'fields'],
  },
  {
    table: 'citizen_sessions',
    about: 'account_id IN (SELECT id FROM citizen_accounts WHERE person_id = $1)',
    exportAs: { key: 'sessions' },
    stale: () => 'expires_at < now()',
    personal: {
      token_hash: { holds: 'hash of the session cookie', of: 'citizen', erase: 'delete row', retention: 'delete row', export: secret },
      id_token: { holds: 'FranceConnect ID token (identity claims), kept for logout', of: 'citizen', erase: 'delete row', retention: 'delete row', export: secret },
    },
    nonPersonal: ['account_id', 'created_at', 'expires_at'],
  },
  {
    table: 'citizen_accounts',
    about: 'person_id = $1',
    exportAs: { key: 'franceConnect', one: true },
    personal: {
      fc_sub: { holds: 'FranceConnect subject (the person’s id there)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
    },
    nonPersonal: ['id', 'person_id', 'created_at', 'last_login_at'],
  },
  {
    table: 'person_identities',
    about: 'person_id = $1',
    exportAs: { key: 'identity', one: true },
    personal: Object.fromEntries(
      (['first_name', 'last_name', 'phone', 'email', 'address', 'birthdate'] as const).map((c) => [
        c,
        { holds: c.replace('_', ' '), of: 'citizen', erase: 'delete row', retention: withPerson, export: true } satisfies PersonalColumn,
      ]),
    ),
    nonPersonal: ['person_id'],
  },
  {
    table: 'requests',
    about: 'passenger_id = $1',
    exportAs: { key: 'requests' },
    // Requests of anyone (partner users and phone requests without a person included) once over.
    stale: (cutoff) => `anonymized_at IS NULL AND updated_at < ${cutoff} AND (date IS NULL OR date < ${cutoff}::date)`,
    alsoSet: {
      erase: { anonymized_at: 'COALESCE(anonymized_at, now())', updated_at: 'now()' },
      retention: { anonymized_at: 'now()', updated_at: 'now()' },
    },
    personal: {
      from_point: { holds: 'exact departure (often the home)', of: 'citizen', erase: blur('from_point'), retention: blur('from_point'), export: true },
      to_point: { holds: 'exact destination', of: 'citizen', erase: blur('to_point'), retention: blur('to_point'), export: true },
      from_label: { holds: 'departure address', of: 'citizen', erase: NULL, retention: NULL, export: true },
      to_label: { holds: 'destination address', of: 'citizen', erase: NULL, retention: NULL, export: true },
      note: { holds: 'free text (health, disability…)', of: 'citizen', erase: NULL, retention: NULL, export: true },
      needs: { holds: 'mobility needs (health data)', of: 'citizen', erase: { set: `'{}'` }, retention: { set: `'{}'` }, export: true },
      created_by: { holds: 'who entered the request', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'territory_id', 'passenger_id', 'date', 'weekdays', 'time_min', 'time_kind', 'tolerance_min', 'seats', 'purpose',
      'status', 'unserved_reason', 'created_at', 'updated_at', 'anonymized_at', 'from_source', 'to_source',
      // Round trips: the way back's time, like the outbound's (time_min).
      'return_min', 'return_after_min'],
  },
  {
    table: 'trips',
    about: 'driver_id = $1',
    exportAs: { key: 'trips' },
    // An erased driver cannot be called: the trips stop.
    alsoSet: { erase: { active: 'false', updated_at: 'now()' } },
    personal: {
      origin: { holds: 'exact departure (often the home)', of: 'citizen', erase: blur('origin'), retention: withPerson, export: true },
      destination: { holds: 'exact destination', of: 'citizen', erase: blur('destination'), retention: withPerson, export: true },
      origin_label: { holds: 'departure address', of: 'citizen', erase: NULL, retention: withPerson, export: true },
      destination_label: { holds: 'destination address', of: 'citizen', erase: NULL, retention: withPerson, export: true },
      // The road route would show the blurred ends' true places: a straight line between the blurred ends instead.
      route: { holds: 'the road route from the home', of: 'citizen', erase: { set: `ST_MakeLine(${blurSql('origin')}, ${blurSql('destination')})` }, retention: withPerson, export: true },
      return_route: {
        holds: 'the road route back home',
        of: 'citizen',
        erase: { set: `CASE WHEN return_route IS NULL THEN NULL ELSE ST_MakeLine(${blurSql('destination')}, ${blurSql('origin')}) END` },
        retention: withPerson,
        export: true,
      },
    },
    nonPersonal: ['id', 'territory_id', 'driver_id', 'kind', 'weekdays', 'date', 'valid_from', 'valid_to', 'departure_min', 'return_min',
      'seats', 'distance_m', 'duration_s', 'return_distance_m', 'return_duration_s', 'route_approximate', 'active', 'created_at', 'updated_at',
      'origin_source', 'destination_source'],
  },
  {
    // Named places: a hospital or a market is nobody's, a home is its person's (person_id) and goes with them.
    table: 'places',
    about: 'person_id = $1',
    exportAs: { key: 'places' },
    personal: {
      name: { holds: 'name of the place (a home names its person)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
      address: { holds: 'address (a home’s is the person’s)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
      geom: { holds: 'exact place (a home)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
    },
    nonPersonal: ['id', 'territory_id', 'kind', 'person_id', 'created_at', 'updated_at'],
  },
  {
    table: 'matches',
    about: `id IN ${MATCHES_OF}`,
    exportAs: { key: 'matches' },
    // After their request: the matches of requests the job has just anonymised.
    stale: () => `request_id IN (SELECT id FROM requests WHERE anonymized_at IS NOT NULL)`,
    // The shared distance is kept before the points move: statistics do not change.
    alsoSet: {
      erase: { shared_m: 'COALESCE(shared_m, ST_Distance(pickup::geography, dropoff::geography))' },
      retention: { shared_m: 'COALESCE(shared_m, ST_Distance(pickup::geography, dropoff::geography))' },
    },
    personal: {
      pickup: { holds: 'exact pickup point', of: 'citizen', erase: blur('pickup'), retention: blur('pickup'), export: true },
      dropoff: { holds: 'exact drop-off point', of: 'citizen', erase: blur('dropoff'), retention: blur('dropoff'), export: true },
      note: { holds: 'coordinator’s free text', of: 'citizen', erase: NULL, retention: NULL, export: true },
      status_reason: { holds: 'reason of the last status, may be free text', of: 'citizen', erase: NULL, retention: NULL, export: true },
      status_changed_by: { holds: 'who changed the status', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'territory_id', 'request_id', 'trip_id', 'leg', 'date', 'pickup_min', 'dropoff_min', 'detour_m', 'detour_s', 'score',
      'approximate', 'status', 'status_changed_at', 'created_at', 'updated_at', 'shared_m',
      // Round trips: which of the passenger's legs the match serves.
      'request_leg',
      // A volunteer's trip: who drove, the span and distance of the whole trip, its costs (the plan holds times and
      // distances only, never the volunteer's home).
      'kind', 'volunteer_id', 'participation_eur', 'allowance_eur', 'volunteer_distance_m', 'volunteer_start_min',
      'volunteer_end_min', 'wait_min', 'volunteer_plan',
      // What a widening changed to find the match (tolerance, corridor, day): search parameters, no one's data.
      'widened'],
  },
  {
    table: 'match_events',
    about: `match_id IN ${MATCHES_OF}`,
    exportAs: { key: 'matchEvents' },
    stale: (cutoff) => `at < ${cutoff} AND match_id IN (SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id WHERE r.anonymized_at IS NOT NULL)`,
    personal: {
      note: { holds: 'coordinator’s note on a status change', of: 'citizen', erase: NULL, retention: NULL, export: true },
      actor: { holds: 'who changed the status', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'match_id', 'from_status', 'to_status', 'reason', 'at'],
  },
  {
    // A request's status changes: codes and dates, and who made them.
    table: 'request_events',
    about: 'request_id IN (SELECT id FROM requests WHERE passenger_id = $1)',
    exportAs: { key: 'requestEvents' },
    personal: {
      actor: { holds: 'who changed the status', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'request_id', 'from_status', 'to_status', 'reason', 'at'],
  },
  {
    // Notes about a request or a match of the person, or about the person: the coordination's memory of them.
    table: 'notes',
    about: `person_id = $1 OR request_id IN (SELECT id FROM requests WHERE passenger_id = $1) OR match_id IN ${MATCHES_OF}`,
    exportAs: { key: 'notes' },
    // After their request: the notes of requests the job has just anonymised, and of their matches.
    stale: () => `request_id IN (SELECT id FROM requests WHERE anonymized_at IS NOT NULL)
      OR match_id IN (SELECT m.id FROM matches m JOIN requests r ON r.id = m.request_id WHERE r.anonymized_at IS NOT NULL)`,
    personal: {
      body: { holds: 'what was said or agreed (health, family, a driver’s promise)', of: 'citizen', erase: { set: `''` }, retention: { set: `''` }, export: true },
      author: { holds: 'who wrote the note', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'territory_id', 'request_id', 'match_id', 'person_id', 'kind', 'created_at'],
  },
  {
    table: 'rpc_journeys',
    about: `match_id IN ${MATCHES_OF}`,
    exportAs: { key: 'registryDeclarations' },
    // The registry has its copy; ours keeps what a later question from the registry needs, without identities.
    stale: (cutoff) => `status <> 'pending' AND updated_at < ${cutoff}`,
    // A queued declaration cannot go out without the identity the registry requires: it is cancelled, not sent.
    alsoSet: { erase: { status: `CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END`, updated_at: 'now()' } },
    personal: {
      payload: {
        holds: 'the declaration: identity keys, truncated phones, our user ids, exact pickup and drop-off',
        of: 'citizen',
        erase: { set: SCRUBBED_PAYLOAD },
        retention: { set: SCRUBBED_PAYLOAD },
        export: true,
      },
      answer: {
        holds: 'the registry’s answer; an error may quote what was sent',
        of: 'citizen',
        erase: { set: `CASE WHEN status IN ('sent', 'duplicate') THEN answer END` },
        retention: { set: `CASE WHEN status IN ('sent', 'duplicate') THEN answer END` },
        export: true,
      },
      last_error: { holds: 'why the declaration failed, naming the person', of: 'citizen', erase: NULL, retention: NULL, export: true },
    },
    nonPersonal: ['match_id', 'operator_journey_id', 'status', 'attempts', 'next_attempt_at', 'last_http_status', 'created_at', 'sent_at', 'updated_at'],
  },
  {
    table: 'person_messaging',
    about: 'person_id = $1',
    exportAs: { key: 'messaging', one: true },
    personal: {
      relay_name: { holds: 'a relative or carer who receives the messages', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
      relay_phone: { holds: 'the relative’s phone number', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
      relay_relation: { holds: 'who the relative is (daughter, carer…)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
    },
    nonPersonal: ['person_id', 'channel', 'consent', 'consent_at', 'consent_text_version', 'quiet_start_min', 'quiet_end_min', 'updated_at'],
  },
  {
    table: 'messages',
    about: 'person_id = $1',
    exportAs: { key: 'messages' },
    stale: (cutoff) => `created_at < ${cutoff} AND body <> ''`,
    // A message not sent yet will not go to a person erased.
    alsoSet: { erase: { status: `CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END` } },
    personal: {
      body: { holds: 'the text sent (first names, times, places, phone numbers)', of: 'citizen', erase: { set: `''` }, retention: { set: `''` }, export: true },
      recipient: { holds: 'the phone number or postal address it went to', of: 'citizen', erase: { set: `''` }, retention: { set: `''` }, export: true },
      answer: { holds: 'what the person answered (an SMS text or a key)', of: 'citizen', erase: NULL, retention: NULL, export: true },
      last_error: { holds: 'the provider’s last error (may quote the number)', of: 'citizen', erase: NULL, retention: NULL, export: { no: 'a provider’s technical message' } },
      provider_message_id: { holds: 'the message’s id at the SMS or voice provider', of: 'citizen', erase: NULL, retention: NULL, export: { no: 'an id in another system' } },
    },
    nonPersonal: [
      'id', 'territory_id', 'match_id', 'request_id', 'person_id', 'kind', 'channel', 'to_relay', 'segments', 'encoding', 'reply_code',
      'status', 'planned_at', 'next_attempt_at', 'quiet_start_min', 'quiet_end_min', 'attempts', 'idempotency_key', 'provider',
      'created_at', 'sent_at', 'delivered_at', 'answered_at', 'updated_at', 'paired_match_id',
    ],
  },
  {
    table: 'interop_messages',
    about: `id IN ${MESSAGES_OF}`,
    exportAs: { key: 'partnerMessages' },
    stale: (cutoff) => `created_at < ${cutoff}`,
    personal: {
      body: { holds: 'the message (names, phone numbers…)', of: 'citizen', erase: messageAct, retention: messageAct, export: true },
      sender: {
        holds: 'the partner operator’s user who wrote (name, alias, picture)',
        of: 'partner user',
        erase: { set: `jsonb_build_object('operator', sender->'operator')` },
        retention: { set: `jsonb_build_object('operator', sender->'operator')` },
        export: true,
      },
      recipient_ref: {
        holds: 'our user id as the operator gave it (driver-12)',
        of: 'citizen',
        erase: { set: `'erased'` },
        retention: { set: `'erased'` },
        export: true,
      },
      recipient_person_id: { holds: 'the person written to', of: 'citizen', erase: NULL, retention: NULL, export: true },
    },
    nonPersonal: ['id', 'territory_id', 'operator', 'token_id', 'recipient_type', 'trip_id', 'request_id', 'match_id', 'booking_id',
      'driver_journey_id', 'passenger_journey_id', 'created_at'],
  },
  {
    table: 'interop_bookings',
    about: `match_id IN ${MATCHES_OF}`,
    exportAs: { key: 'partnerBookings' },
    stale: (cutoff) => `updated_at < ${cutoff}`,
    personal: {
      passenger_ref: {
        holds: 'the partner operator’s passenger (their id, alias) and journey',
        of: 'partner user',
        erase: { keep: 'the partner’s user, not ours: their operator still asks for the booking by it' },
        retention: { set: `jsonb_build_object('user', jsonb_build_object('id', passenger_ref->'user'->'id', 'operator', passenger_ref->'user'->'operator', 'alias', 'Passager'))` },
        export: true,
      },
      pickup_address: { holds: 'pickup address, a place on the driver’s route', of: 'partner user', erase: NULL, retention: NULL, export: true },
      drop_address: { holds: 'drop-off address', of: 'partner user', erase: NULL, retention: NULL, export: true },
      last_message: { holds: 'the operator’s last message about the booking', of: 'citizen', erase: NULL, retention: NULL, export: true },
    },
    nonPersonal: ['id', 'operator', 'token_id', 'territory_id', 'match_id', 'request_id', 'price', 'validated', 'created_at', 'updated_at'],
  },
  {
    table: 'consents',
    about: 'person_id = $1',
    exportAs: { key: 'consents' },
    personal: {
      source: {
        holds: 'where the consent was given (form, phone call)',
        of: 'citizen',
        erase: { keep: 'proof of the consent behind the processing already done (RGPD art. 7.1); no identity once erased' },
        retention: withPerson,
        export: true,
      },
    },
    nonPersonal: ['id', 'person_id', 'kind', 'granted', 'text_version', 'at'],
  },
  {
    // Volunteer drivers: where they live is personal; their schedule and vehicle go with them.
    table: 'volunteers',
    about: 'person_id = $1',
    exportAs: { key: 'volunteer', one: true },
    personal: {
      home: { holds: 'home of the volunteer (start and end of their trips)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
      home_label: { holds: 'address of the home', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
    },
    nonPersonal: ['person_id', 'territory_id', 'max_km', 'max_minutes', 'seats', 'wheelchair', 'purposes', 'active', 'created_at', 'updated_at'],
  },
  {
    // Weekly slots: hours of availability, nothing that singles out once the volunteer's row is gone (cascade).
    table: 'volunteer_slots',
    personal: {},
    nonPersonal: ['id', 'volunteer_id', 'weekday', 'start_min', 'end_min'],
  },
  {
    table: 'volunteer_exceptions',
    about: 'volunteer_id = $1',
    exportAs: { key: 'volunteerExceptions' },
    personal: {
      note: { holds: 'why the volunteer is away or available (holidays, a hospital stay…)', of: 'citizen', erase: 'delete row', retention: withPerson, export: true },
    },
    nonPersonal: ['id', 'volunteer_id', 'date_from', 'date_to', 'available', 'start_min', 'end_min'],
  },
  {
    table: 'people',
    about: 'id = $1',
    exportAs: { key: 'person', one: true },
    alsoSet: { erase: { anonymized_at: 'COALESCE(anonymized_at, now())', updated_at: 'now()' } },
    personal: {
      home: { holds: 'home', of: 'citizen', erase: NULL, retention: withPerson, export: true },
      needs: { holds: 'mobility needs (health data)', of: 'citizen', erase: { set: `'{}'` }, retention: withPerson, export: true },
      direct_contact_consent: { holds: 'consent to be shown to passengers', of: 'citizen', erase: { set: 'false' }, retention: withPerson, export: true },
      direct_contact_consent_at: { holds: 'when', of: 'citizen', erase: NULL, retention: withPerson, export: true },
      commune_insee: {
        holds: 'commune of residence',
        of: 'citizen',
        erase: { keep: 'statistics by commune; a commune alone does not single out an anonymous person' },
        retention: withPerson,
        export: true,
      },
    },
    nonPersonal: ['id', 'territory_id', 'is_driver', 'is_passenger', 'anonymized_at', 'created_at', 'updated_at'],
  },
  {
    table: 'users',
    personal: {
      email: { holds: 'console login', of: 'staff', erase: staffKeep, retention: { keep: 'until the account is deleted (DELETE /api/users/:id)' }, export: notCitizen },
      display_name: { holds: 'name', of: 'staff', erase: staffKeep, retention: { keep: 'until the account is deleted' }, export: notCitizen },
      password_hash: { holds: 'scrypt hash', of: 'staff', erase: staffKeep, retention: { keep: 'until the account is deleted' }, export: notCitizen },
    },
    nonPersonal: ['id', 'role', 'active', 'last_login_at', 'created_at', 'updated_at'],
  },
  {
    table: 'sessions',
    personal: {
      token_hash: { holds: 'hash of the console cookie', of: 'staff', erase: staffKeep, retention: { keep: 'dropped a day after expiry by the console' }, export: notCitizen },
      csrf_token: { holds: 'anti-forgery token', of: 'staff', erase: staffKeep, retention: { keep: 'dropped with the session' }, export: notCitizen },
    },
    nonPersonal: ['id', 'user_id', 'created_at', 'last_seen_at', 'expires_at', 'absolute_expires_at'],
  },
  {
    table: 'rate_limits',
    stale: () => `window_start < now() - interval '1 day'`,
    personal: {
      key: { holds: 'hash of a client address', of: 'citizen', erase: { keep: 'not linked to a person' }, retention: 'delete row', export: { no: 'not linked to a person' } },
    },
    nonPersonal: ['window_start', 'count'],
  },
  {
    table: 'oidc_attempts',
    stale: () => `created_at < now() - interval '1 hour'`,
    personal: {
      state: { holds: 'sign-in in flight', of: 'citizen', erase: { keep: 'not linked to a person' }, retention: 'delete row', export: { no: 'not linked to a person' } },
      nonce: { holds: 'sign-in in flight', of: 'citizen', erase: { keep: 'not linked to a person' }, retention: 'delete row', export: { no: 'not linked to a person' } },
    },
    nonPersonal: ['purpose', 'territory_slug', 'created_at'],
  },
  {
    table: 'feed_imports',
    personal: {
      created_by: { holds: 'who started the import', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: notCitizen },
    },
    nonPersonal: ['id', 'territory_id', 'name', 'url', 'tdg_dataset_id', 'status', 'progress', 'report', 'error', 'feed_id', 'feed_version_id',
      'runner', 'created_at', 'updated_at', 'finished_at'],
  },
  {
    table: 'plans',
    personal: {
      created_by: { holds: 'who computed the plan', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: notCitizen },
    },
    nonPersonal: ['id', 'territory_id', 'date_from', 'date_to', 'source', 'solver_status', 'open_requests', 'served', 'greedy_served',
      'served_bound', 'lp_bound', 'objective', 'gap_pct', 'solve_ms', 'created_at'],
  },
  {
    // Ids, dates and times of requests, trips and volunteers, as in matches; the rows go with their request.
    table: 'plan_items',
    personal: {
      confirmed_by: { holds: 'who confirmed the item', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: notCitizen },
    },
    nonPersonal: ['plan_id', 'request_id', 'trip_id', 'leg', 'date', 'detour_s', 'pickup_min', 'dropoff_min', 'fixed', 'before_trip_id',
      'before_leg', 'change', 'match_id', 'confirmed_at', 'request_leg', 'volunteer_id', 'before_volunteer_id'],
  },
  {
    // TUS eligibility: the benefit and the proof seen tell about income or disability. The grounds (two booleans)
    // are kept anonymous for the yearly report's shares once the person is gone.
    table: 'tus_beneficiaries',
    about: 'person_id = $1',
    exportAs: { key: 'tusBeneficiary', one: true },
    personal: {
      resource_benefit: { holds: 'the social benefit justified (RSA, AAH, ASPA…)', of: 'citizen', erase: NULL, retention: withPerson, export: true },
      proof: { holds: 'the proof seen, described by the coordinator', of: 'citizen', erase: NULL, retention: withPerson, export: true },
      residence_insee: {
        holds: 'commune of residence when recorded',
        of: 'citizen',
        erase: { keep: 'the yearly report’s share by residence; a commune alone does not single out an anonymous person' },
        retention: withPerson,
        export: true,
      },
      recorded_by: { holds: 'who recorded the eligibility', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['person_id', 'territory_id', 'by_residence', 'by_resources', 'proof_date', 'recorded_at', 'updated_at'],
  },
  {
    table: 'tus_memberships',
    about: 'person_id = $1',
    exportAs: { key: 'tusMemberships' },
    personal: {
      recorded_by: { holds: 'who recorded the membership', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'person_id', 'territory_id', 'year', 'fee_eur', 'paid_on', 'recorded_at'],
  },
  {
    // The reason of an exception is free text typed by the staff about the passenger's situation.
    table: 'tus_exceptions',
    about: 'request_id IN (SELECT id FROM requests WHERE passenger_id = $1)',
    exportAs: { key: 'tusExceptions' },
    stale: () => `request_id IN (SELECT id FROM requests WHERE anonymized_at IS NOT NULL) AND reason <> ''`,
    personal: {
      reason: { holds: 'why the request was served outside a rule (may tell about health or income)', of: 'citizen', erase: { set: `''` }, retention: { set: `''` }, export: true },
      recorded_by: { holds: 'who recorded the exception', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: true },
    },
    nonPersonal: ['id', 'territory_id', 'request_id', 'rule', 'recorded_at'],
  },
  // INSEE's urban units and a territory's TUS settings (the association's public details).
  { table: 'urban_units', personal: {}, nonPersonal: ['code', 'name', 'population', 'size_band', 'small', 'edition', 'imported_at'] },
  { table: 'commune_urban_units', personal: {}, nonPersonal: ['insee', 'name', 'unit_code', 'status', 'edition'] },
  {
    table: 'tus_settings',
    personal: {
      updated_by: { holds: 'who changed the settings', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: notCitizen },
    },
    nonPersonal: ['territory_id', 'enabled', 'association_name', 'rna', 'association_address', 'employees', 'member_fee_eur',
      'require_membership', 'block_confirmation', 'care_rules', 'updated_at'],
  },
  // Tables without personal data: organisations, public places, open data, configuration, counters.
  // The job queue: kinds, ids of the requests a job matches, its outcome (errors name ids, never people).
  { table: 'jobs', personal: {}, nonPersonal: ['id', 'kind', 'payload', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'done_at'] },
  { table: 'territories', personal: {}, nonPersonal: ['id', 'slug', 'name', 'boundary', 'rules', 'coordinator_phone', 'created_at', 'updated_at', 'cost_rules'] },
  { table: 'communes', personal: {}, nonPersonal: ['insee', 'name', 'territory_id', 'population', 'postal_codes', 'geom', 'centroid'] },
  {
    table: 'api_tokens',
    personal: {
      created_by: { holds: 'the admin who made the token', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: { no: 'staff data, not the citizen’s' } },
      revoked_by: { holds: 'the admin who revoked the token', of: 'staff', erase: staffKeep, retention: { keep: 'accountability of the staff' }, export: { no: 'staff data, not the citizen’s' } },
    },
    nonPersonal: ['id', 'token_hash', 'label', 'role', 'territory_id', 'created_at', 'revoked_at', 'last_used_at'],
  },
  { table: 'user_territories', personal: {}, nonPersonal: ['user_id', 'territory_id'] },
  {
    table: 'transport_providers',
    personal: {},
    nonPersonal: ['id', 'territory_id', 'kind', 'name', 'phone', 'area', 'notes', 'active', 'created_at', 'updated_at'],
  },
  { table: 'interop_rate_counters', personal: {}, nonPersonal: ['token_id', 'window_start', 'hits'] },
  {
    // Only what the mapping needs is kept (no idToken, no user details); detail is our own wording.
    table: 'interop_booking_events',
    personal: {},
    nonPersonal: ['operator', 'id', 'token_id', 'territory_id', 'payload_hash', 'booking_ref', 'booking_id', 'match_id', 'status', 'outcome',
      'detail', 'received_at'],
  },
  {
    table: 'carpool_areas',
    personal: {},
    nonPersonal: ['id', 'local_id', 'name', 'address', 'commune', 'insee', 'type', 'updated_on', 'open', 'source', 'places',
      'places_reduced_mobility', 'max_stay_h', 'opening_hours', 'owner', 'lit', 'comment', 'geom', 'imported_at'],
  },
  { table: 'schema_migrations', personal: {}, nonPersonal: ['name', 'applied_at'] },
  { table: 'spatial_ref_sys', personal: {}, nonPersonal: ['srid', 'auth_name', 'auth_srid', 'srtext', 'proj4text'] },
];

/** How a table's rows are treated by erasure or retention: deleted, updated with these SETs, or left alone. */
export function plan(t: TableInventory, treatment: 'erase' | 'retention'): { delete: true } | { sets: string[] } {
  const acts = Object.values(t.personal).map((c) => c[treatment]);
  if (acts.includes('delete row')) {
    if (!acts.every((a) => a === 'delete row')) throw new Error(`${t.table}: a row cannot be both deleted and kept by the ${treatment}`);
    return { delete: true };
  }
  const sets = Object.entries(t.personal)
    .flatMap(([col, c]) => {
      const a = c[treatment];
      return typeof a === 'object' && 'set' in a ? [`${col} = ${a.set}`] : [];
    });
  if (!sets.length) return { sets };
  return { sets: [...sets, ...Object.entries(t.alsoSet?.[treatment] ?? {}).map(([col, expr]) => `${col} = ${expr}`)] };
}

/** The columns of a table that go into a person's export. */
export const exportedColumns = (t: TableInventory) => [
  ...t.nonPersonal,
  ...Object.entries(t.personal).filter(([, c]) => c.export === true).map(([col]) => col),
];
