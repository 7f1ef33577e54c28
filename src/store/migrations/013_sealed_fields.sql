-- 013: more sealed personal fields.
--
-- customers.account_number is sealed like the other personal fields
-- (associated data "customer.account_number:<email_idx>").
-- customers.phone_idx is the blind index (keyed BLAKE2b, domain
-- "customer.phone") of the phone number reduced to "+" and its digits, so
-- a caller's number finds the customer while the number itself is stored
-- sealed only; rows older than this migration get it when `serve` starts
-- (a migration cannot compute keyed hashes).
--
-- Custom fields: an admin defines a field (a name agents see, a lowercase
-- identifier of 1 to 32 characters, and its data class: C1 contact, C2
-- personal); a customer's value of it is sealed with the associated data
-- "customer.field.<field id>:<email_idx>", so a value moved to another
-- customer or another field no longer opens.
--
-- Every sealed value names the key it was sealed under in its first bytes
-- (crypto.h), so key rotation needs no column.

ALTER TABLE customers ADD COLUMN account_number BLOB;
ALTER TABLE customers ADD COLUMN phone_idx TEXT;
CREATE INDEX customers_by_phone_idx ON customers (phone_idx)
	WHERE phone_idx IS NOT NULL;

CREATE TABLE customer_field_defs (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE
	           CHECK (length(name) BETWEEN 1 AND 32
	                  AND name GLOB '[a-z]*'
	                  AND name NOT GLOB '*[^a-z0-9_]*'),
	class      TEXT NOT NULL CHECK (class IN ('C1', 'C2')),
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE customer_field_values (
	id          INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	field_id    INTEGER NOT NULL REFERENCES customer_field_defs (id),
	value       BLOB NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (customer_id, field_id)
);
