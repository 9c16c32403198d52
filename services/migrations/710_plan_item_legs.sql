-- A round-trip request is planned as one request with two legs, served only when both are: its plan items are one
-- per leg of the request (request_leg), the return leg's alongside the outbound's.
ALTER TABLE plan_items ADD COLUMN request_leg text NOT NULL DEFAULT 'outbound' CHECK (request_leg IN ('outbound', 'return'));
ALTER TABLE plan_items DROP CONSTRAINT plan_items_pkey;
ALTER TABLE plan_items ADD PRIMARY KEY (plan_id, request_id, request_leg);
