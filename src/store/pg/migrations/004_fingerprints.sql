-- 004 (PostgreSQL twin): the fingerprint index of customers' personal
-- values, and the inbound analysis stored with each message.
--
-- customer_fingerprints holds, per customer, keyed BLAKE2b hashes (hex) of
-- the normalised forms of their e-mail address, phone number, date of
-- birth and address (core/fingerprints.c). It holds no plaintext. Rows
-- are written in the transaction that creates the customer; `serve`
-- rebuilds the index at start-up when it is empty (a migration cannot
-- compute keyed hashes).
CREATE TABLE customer_fingerprints (
	kind        text COLLATE "C" NOT NULL,
	fp          text COLLATE "C" NOT NULL,
	customer_id bigint NOT NULL REFERENCES customers (id) DEFERRABLE,
	PRIMARY KEY (kind, fp, customer_id)
);

-- A customer's message is stored redacted; redactions lists what was
-- removed as JSON [{"type", "rule"}] (never the value), links the
-- analysed links as JSON. Both NULL for staff messages and for messages
-- written before this migration. JSON is kept as text (not jsonb) so it
-- reads back byte for byte as written, as on SQLite.
ALTER TABLE messages ADD COLUMN redactions text COLLATE "C";
ALTER TABLE messages ADD COLUMN links text COLLATE "C";
