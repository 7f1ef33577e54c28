-- 026: customer self-service (issue 15, part SELF). Recovery codes are
-- stored as a keyed BLAKE2b hash (the blind-index key, never in the
-- database) over a per-code salt and the code, so a copy of the database
-- alone gives nothing to guess against; a code is used once (used_at).
-- A recovery login leaves a row in recovery_enrolments tying the
-- enrolment-only session to the new authenticator it must set up (whose
-- sealed secret goes where every secret goes, customers.totp_seed, so key
-- rotation covers it). Links sent by mail (password reset, sign-up proof)
-- are kept as the keyed hash of their token, single use and short-lived;
-- a sign-up link keeps the blind index of its address, never the address.

CREATE TABLE recovery_codes (
	id          INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	salt        TEXT NOT NULL,
	hash        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	used_at     INTEGER
);
CREATE INDEX recovery_codes_by_customer
	ON recovery_codes (customer_id, used_at);

CREATE TABLE recovery_enrolments (
	customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
	token_hash  TEXT NOT NULL,
	started     INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);

CREATE TABLE portal_tokens (
	hash        TEXT PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('reset', 'signup')),
	customer_id INTEGER REFERENCES customers (id),
	email_idx   TEXT,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER
);
CREATE INDEX portal_tokens_by_customer
	ON portal_tokens (customer_id, kind, created_at);
CREATE INDEX portal_tokens_by_email
	ON portal_tokens (email_idx, kind, created_at);
