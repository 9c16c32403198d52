-- Postal codes of a commune (several for big or merged communes), from the Code officiel géographique: the console's
-- commune search and the public pages accept what people know, their postal code, as well as the name.
ALTER TABLE communes ADD COLUMN postal_codes text[] NOT NULL DEFAULT '{}';
