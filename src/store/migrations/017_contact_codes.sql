-- 017: contact codes ("is this really you?", core/contact.h). An agent on
-- a call gives the customer a one-time code; the customer checks it in the
-- portal. Only a keyed hash of the code is stored (code_hash, hex of
-- BLAKE2b keyed with the index subkey), never the code. A code is valid
-- for one customer (the ticket's), until expires_at, once (used_at).
-- contact_checks records every check a customer made (for the rate limit
-- and their own history); it holds the outcome, never what was typed.

CREATE TABLE contact_codes (
	id          INTEGER PRIMARY KEY,
	code_hash   TEXT NOT NULL,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	staff_id    INTEGER NOT NULL REFERENCES staff (id),
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER
);
CREATE INDEX contact_codes_by_hash ON contact_codes (code_hash);
CREATE INDEX contact_codes_by_staff ON contact_codes (staff_id, created_at);

CREATE TABLE contact_checks (
	id          INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	genuine     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX contact_checks_by_customer ON contact_checks (customer_id,
							   created_at);

-- The customer's view of reveals (the security centre) reads by customer.
CREATE INDEX reveals_by_customer ON reveals (customer_id, created_at);
