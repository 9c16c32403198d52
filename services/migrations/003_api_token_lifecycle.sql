-- API tokens are managed through the API (POST/GET/DELETE /api/tokens): who made or revoked one, and when it was
-- last used (refreshed at most once a minute by the resolver, so a busy key costs no write per request).
ALTER TABLE api_tokens ADD COLUMN created_by text;
ALTER TABLE api_tokens ADD COLUMN revoked_by text;
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;
CREATE INDEX api_tokens_territory_idx ON api_tokens (territory_id, created_at);
