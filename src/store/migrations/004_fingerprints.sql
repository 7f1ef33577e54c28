-- 004: the fingerprint index of customers' personal values, and the
-- inbound analysis stored with each message.
--
-- customer_fingerprints holds, per customer, keyed BLAKE2b hashes (hex) of
-- the normalised forms of their e-mail address, phone number, date of
-- birth and address (core/fingerprints.c; the normalisation is the DLP
-- engine's dlp_fingerprint()). It holds no plaintext: without the master
-- key a row says nothing. The outbound filter asks it whether a value in a
-- reply belongs to a customer other than the ticket's. Rows are written in
-- the transaction that creates the customer; `serve` rebuilds the index at
-- start-up when it is empty (a migration cannot compute keyed hashes).
CREATE TABLE customer_fingerprints (
	kind        TEXT NOT NULL,
	fp          TEXT NOT NULL,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	PRIMARY KEY (kind, fp, customer_id)
);

-- A customer's message is stored redacted (secrets replaced by
-- "[redacted: <type>]"); redactions lists what was removed as JSON
-- [{"type", "rule"}] (never the value), links the analysed links as JSON
-- (defanged, with verdict and reasons). Both NULL for staff messages and
-- for messages written before this migration.
ALTER TABLE messages ADD COLUMN redactions TEXT;
ALTER TABLE messages ADD COLUMN links TEXT;
