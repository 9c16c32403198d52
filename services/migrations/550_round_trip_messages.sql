-- A round trip's confirmation and reminder tell both legs in one message: the row names the outbound match
-- (match_id) and the return's (paired_match_id), so that cancelling either leg withdraws it and tells whoever heard.
ALTER TABLE messages ADD COLUMN paired_match_id integer REFERENCES matches(id) ON DELETE SET NULL;
CREATE INDEX messages_paired_match_idx ON messages (paired_match_id) WHERE paired_match_id IS NOT NULL;
