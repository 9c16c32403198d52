-- Batch assignment plans: for a territory and a horizon, the trip leg the solver chose for each open request, beside
-- what each request's best proposal was when the plan was made. A coordinator confirms items one by one or all at
-- once: the chosen pair becomes (or stays) a proposed match, marked as the one to call; the workflow does the rest.
CREATE TABLE plans (
  id serial PRIMARY KEY,
  territory_id integer NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
  date_from date NOT NULL,
  date_to date NOT NULL,
  source text NOT NULL CHECK (source IN ('milp', 'greedy')),
  solver_status text NOT NULL,
  open_requests integer NOT NULL,
  served integer NOT NULL,
  greedy_served integer NOT NULL,
  served_bound integer,
  lp_bound double precision,
  objective double precision NOT NULL,
  gap_pct double precision,
  solve_ms integer NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_territory_idx ON plans (territory_id, created_at DESC);

CREATE TABLE plan_items (
  plan_id integer NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
  request_id integer NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  -- null: the plan leaves the request unserved.
  trip_id integer REFERENCES trips(id) ON DELETE CASCADE,
  leg text CHECK (leg IN ('outbound', 'return')),
  date date NOT NULL,
  detour_s integer,
  pickup_min integer,
  dropoff_min integer,
  -- an accepted or confirmed match the plan kept as it was.
  fixed boolean NOT NULL DEFAULT false,
  -- the request's best proposal when the plan was made (what per-request matching would have called first).
  before_trip_id integer REFERENCES trips(id) ON DELETE SET NULL,
  before_leg text CHECK (before_leg IN ('outbound', 'return')),
  change text NOT NULL CHECK (change IN ('kept', 'changed', 'added', 'dropped', 'unserved')),
  match_id integer REFERENCES matches(id) ON DELETE SET NULL,
  confirmed_at timestamptz,
  confirmed_by text,
  PRIMARY KEY (plan_id, request_id)
);

ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY plans_scope ON plans USING (comobi_territory_visible(territory_id));
ALTER TABLE plan_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY plan_items_scope ON plan_items
  USING (EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_id AND comobi_territory_visible(p.territory_id)));
