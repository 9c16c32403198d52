-- Counters anchored at each key's first hit instead of a clock grid: on a grid, a burst that straddles a boundary
-- is split over two windows (twice the limit gets through, and parallel attempts see two counts). Counters are
-- transient: the old ones are dropped with their table.
DROP TABLE rate_limits;
CREATE TABLE rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  count integer NOT NULL DEFAULT 0
);
REVOKE ALL ON rate_limits FROM comobi_scoped;

-- Console logins are counted in rate_limits under hashed keys: this table kept e-mails and addresses in clear.
DROP TABLE login_attempts;
