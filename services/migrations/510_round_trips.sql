-- Round trips: a request may ask for a way back, at a fixed time or "about N minutes after arrival" (at most one).
-- Each leg of the passenger's journey is matched on its own; `matches.leg` stays the DRIVER's leg (a trip's
-- outbound or return route, which seats and directions depend on), `request_leg` is the PASSENGER's (a passenger's
-- return is often served by a driver's outbound, e.g. a one-off trip, and the other way round).
ALTER TABLE requests
  ADD COLUMN return_min smallint CHECK (return_min BETWEEN 0 AND 1439),
  ADD COLUMN return_after_min smallint CHECK (return_after_min BETWEEN 1 AND 1439),
  ADD CONSTRAINT requests_one_return_kind CHECK (return_min IS NULL OR return_after_min IS NULL);

ALTER TABLE matches
  ADD COLUMN request_leg text NOT NULL DEFAULT 'outbound' CHECK (request_leg IN ('outbound', 'return'));
ALTER TABLE matches DROP CONSTRAINT matches_request_id_trip_id_leg_key;
ALTER TABLE matches ADD CONSTRAINT matches_request_trip_legs_key UNIQUE (request_id, trip_id, leg, request_leg);
