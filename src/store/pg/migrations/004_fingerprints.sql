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
	seq         bigint NOT NULL UNIQUE CHECK (seq >= 1),
	PRIMARY KEY (kind, fp, customer_id)
);

-- seq stands for SQLite's rowid: each server's in-memory filter of
-- fingerprints (core/fingerprints.c) catches up by reading the rows from
-- the newest seq it has seen. So seq must grow in commit order, or a node
-- would skip a row that commits with a smaller number after it read a
-- larger one, and miss a customer's value for good. A trigger numbers
-- each row max + 1 under the audit log's advisory lock (the same key, so
-- the two never wait on each other in opposite orders), held to commit:
-- no other transaction can number a row until this one ends.
CREATE FUNCTION customer_fingerprints_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1195917653);
	SELECT COALESCE(max(seq), 0) + 1 INTO NEW.seq
	FROM customer_fingerprints;
	RETURN NEW;
END $$;
CREATE TRIGGER customer_fingerprints_seq BEFORE INSERT
	ON customer_fingerprints
	FOR EACH ROW EXECUTE FUNCTION customer_fingerprints_seq();

-- A customer's message is stored redacted; redactions lists what was
-- removed as JSON [{"type", "rule"}] (never the value), links the
-- analysed links as JSON. Both NULL for staff messages and for messages
-- written before this migration. JSON is kept as text (not jsonb) so it
-- reads back byte for byte as written, as on SQLite.
ALTER TABLE messages ADD COLUMN redactions text COLLATE "C";
ALTER TABLE messages ADD COLUMN links text COLLATE "C";
