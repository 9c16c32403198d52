-- Integrations: interoperability API (standard-covoiturage) counters and bookings, proof registry (RPC) queue,
-- national carpool areas (BNLC).

-- Fixed-window request counters per API token: kept in the database so that every replica counts the same calls.
CREATE TABLE interop_rate_counters (
  token_id integer NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, window_start)
);

-- A booking made by an operator through the standard's POST /bookings: one match, one request. The booking id is
-- the UUID chosen by the operator. No personal data of the other operator's user beyond its id and alias.
CREATE TABLE interop_bookings (
  id uuid PRIMARY KEY,
  operator text NOT NULL,
  token_id integer REFERENCES api_tokens(id) ON DELETE SET NULL,
  territory_id integer NOT NULL REFERENCES territories(id),
  match_id integer NOT NULL UNIQUE REFERENCES matches(id) ON DELETE CASCADE,
  request_id integer NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  passenger_ref jsonb NOT NULL,
  price jsonb NOT NULL DEFAULT '{"type":"UNKNOWN"}'::jsonb,
  pickup_address text,
  drop_address text,
  -- VALIDATED is the operator's word after the trip; the match itself stops at 'done'.
  validated boolean NOT NULL DEFAULT false,
  last_message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interop_bookings_operator_idx ON interop_bookings (operator, created_at);

-- Proof registry declarations: one row per match done, sent by whichever replica locks it first.
CREATE TABLE rpc_journeys (
  match_id integer PRIMARY KEY REFERENCES matches(id) ON DELETE CASCADE,
  -- The registry's idempotency key: resending the same id never declares a journey twice.
  operator_journey_id text NOT NULL UNIQUE CHECK (operator_journey_id ~ '^[a-z0-9]+$' AND length(operator_journey_id) <= 256),
  payload jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'duplicate', 'rejected', 'invalid', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_http_status integer,
  last_error text,
  answer jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rpc_journeys_due_idx ON rpc_journeys (next_attempt_at) WHERE status = 'pending';

-- Base nationale des lieux de covoiturage (schema-lieux-covoiturage): meeting points offered in proposals.
CREATE TABLE carpool_areas (
  id text PRIMARY KEY,
  local_id text,
  name text NOT NULL,
  address text,
  commune text,
  insee text NOT NULL,
  type text NOT NULL,
  updated_on date NOT NULL,
  open boolean NOT NULL,
  source text,
  places integer,
  places_reduced_mobility integer,
  max_stay_h integer,
  opening_hours text,
  owner text,
  lit boolean,
  comment text,
  geom geometry(Point, 4326) NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carpool_areas_geom_gix ON carpool_areas USING gist (geom);

-- A match reaching 'done' is queued for the registry whatever path set it (console, interop PATCH, API). The id is
-- random-suffixed once and kept: a restored or reset database never reuses one the registry already holds.
CREATE FUNCTION rpc_enqueue_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'done' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'done') THEN
    INSERT INTO rpc_journeys (match_id, operator_journey_id)
    VALUES (NEW.id, 'cmb' || NEW.id || 'x' || substr(md5(random()::text || clock_timestamp()::text), 1, 12))
    ON CONFLICT (match_id) DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER matches_rpc_enqueue AFTER INSERT OR UPDATE OF status ON matches
  FOR EACH ROW EXECUTE FUNCTION rpc_enqueue_done();
