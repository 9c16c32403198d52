-- Volunteers in the batch plan: an item may be driven by a volunteer (their outing home → home; no commuter trip),
-- and so may the proposal a request had when the plan was made. pickup_min/dropoff_min of a volunteer's item are
-- the outing's (leaving home, back home); a round trip's two items name the same volunteer (one outing, both legs).
ALTER TABLE plan_items ADD COLUMN volunteer_id integer REFERENCES people(id) ON DELETE CASCADE;
ALTER TABLE plan_items ADD COLUMN before_volunteer_id integer REFERENCES people(id) ON DELETE SET NULL;
ALTER TABLE plan_items ADD CONSTRAINT plan_items_one_driver CHECK (trip_id IS NULL OR volunteer_id IS NULL);
