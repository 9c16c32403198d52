-- A match found by widening the request's search (one click on the review page): what was widened, e.g.
-- {"kind": "tolerance", "from": 30, "to": 60} or {"kind": "day", "from": 0, "to": 1}; NULL for the request's own
-- search. Its `date` is then the date the driver runs, which may be the day before or after the request's.
ALTER TABLE matches ADD COLUMN widened jsonb;
