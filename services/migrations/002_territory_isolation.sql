-- Territory isolation enforced by the database: requests made for a principal run as comobi_scoped with the
-- territories they may see in the transaction-local setting comobi.territories ('all' for admins).
DO $$ BEGIN
  CREATE ROLE comobi_scoped NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE FUNCTION comobi_territory_visible(t integer) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE current_setting('comobi.territories', true)
    WHEN 'all' THEN true
    WHEN NULL THEN false
    WHEN '' THEN false
    ELSE t = ANY (string_to_array(current_setting('comobi.territories', true), ',')::int[])
  END
$$;

GRANT USAGE ON SCHEMA public TO comobi_scoped;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO comobi_scoped;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO comobi_scoped;
-- Tables of later migrations get the same grants; each adds its own policies where it holds territory data.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO comobi_scoped;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO comobi_scoped;

ALTER TABLE territories ENABLE ROW LEVEL SECURITY;
CREATE POLICY territories_scope ON territories USING (comobi_territory_visible(id));
ALTER TABLE people ENABLE ROW LEVEL SECURITY;
CREATE POLICY people_scope ON people USING (comobi_territory_visible(territory_id));
ALTER TABLE person_identities ENABLE ROW LEVEL SECURITY;
CREATE POLICY person_identities_scope ON person_identities
  USING (EXISTS (SELECT 1 FROM people p WHERE p.id = person_id AND comobi_territory_visible(p.territory_id)));
ALTER TABLE trips ENABLE ROW LEVEL SECURITY;
CREATE POLICY trips_scope ON trips USING (comobi_territory_visible(territory_id));
ALTER TABLE requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY requests_scope ON requests USING (comobi_territory_visible(territory_id));
ALTER TABLE matches ENABLE ROW LEVEL SECURITY;
CREATE POLICY matches_scope ON matches USING (comobi_territory_visible(territory_id));
ALTER TABLE match_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY match_events_scope ON match_events
  USING (EXISTS (SELECT 1 FROM matches m WHERE m.id = match_id AND comobi_territory_visible(m.territory_id)));
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_scope ON audit_log USING (territory_id IS NULL OR comobi_territory_visible(territory_id));
ALTER TABLE communes ENABLE ROW LEVEL SECURITY;
CREATE POLICY communes_scope ON communes USING (territory_id IS NULL OR comobi_territory_visible(territory_id));
-- Tokens are resolved before any principal exists: the service reads them as itself, never as comobi_scoped.
REVOKE ALL ON api_tokens FROM comobi_scoped;
