-- Erasure reaches the interoperability messages and the proof registry queue; consent to partner apps.

-- Shown to partner apps (standard-covoiturage operators) with exact places: a consent like the others.
ALTER TABLE consents DROP CONSTRAINT consents_kind_check;
ALTER TABLE consents ADD CONSTRAINT consents_kind_check CHECK (kind IN ('direct_contact', 'data_processing', 'partner_apps'));

-- An erased message keeps its row (how many messages each operator sent stays countable), not its text.
ALTER TABLE interop_messages ALTER COLUMN body DROP NOT NULL;

-- A declaration still queued when its driver or passenger is erased is never sent: the registry requires an identity
-- we no longer hold. One already sent stays sent (the registry keeps its own copy); ours is scrubbed.
ALTER TABLE rpc_journeys DROP CONSTRAINT rpc_journeys_status_check;
ALTER TABLE rpc_journeys ADD CONSTRAINT rpc_journeys_status_check
  CHECK (status IN ('pending', 'sent', 'duplicate', 'rejected', 'invalid', 'failed', 'cancelled'));
