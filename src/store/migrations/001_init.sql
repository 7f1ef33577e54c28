-- 001: accounts, sessions, throttling, audit.
-- Personal fields are stored sealed (crypto_seal: XChaCha20-Poly1305 with
-- the row and column as associated data); look-ups on them go through a
-- keyed blind index (crypto_index). Times are Unix seconds (UTC) unless
-- the column says _ms.

CREATE TABLE staff (
	id             INTEGER PRIMARY KEY,
	email          TEXT NOT NULL UNIQUE,
	name           TEXT NOT NULL,
	role           TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
	pw_hash        TEXT NOT NULL,
	totp_seed      BLOB NOT NULL,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	totp_enrolled  INTEGER NOT NULL DEFAULT 1,
	disabled       INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL
);

CREATE TABLE customers (
	id             INTEGER PRIMARY KEY,
	email_idx      TEXT NOT NULL UNIQUE,
	email          BLOB NOT NULL,
	name           TEXT NOT NULL,
	phone          BLOB,
	dob            BLOB,
	address        BLOB,
	pw_hash        TEXT NOT NULL,
	totp_seed      BLOB NOT NULL,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	totp_enrolled  INTEGER NOT NULL DEFAULT 1,
	phrase         BLOB,
	disabled       INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL
);

-- Only a keyed hash of the session token is stored.
CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY,
	realm        TEXT NOT NULL CHECK (realm IN ('staff', 'customer')),
	principal_id INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen    INTEGER NOT NULL,
	idle_secs    INTEGER NOT NULL,
	abs_expires  INTEGER NOT NULL,
	mfa          INTEGER NOT NULL,
	ip           TEXT NOT NULL
);
CREATE INDEX sessions_by_principal ON sessions (realm, principal_id);

-- Failed-attempt counters, keyed by a blind index of the login name per
-- realm ("acct") or by the source address ("ip").
CREATE TABLE throttle (
	key           TEXT PRIMARY KEY,
	failures      INTEGER NOT NULL,
	last_failure  INTEGER NOT NULL,
	blocked_until INTEGER NOT NULL
);

-- Append-only audit log: each row's leaf hash is SHA-256(0x00 || record)
-- (RFC 6962), record being the canonical JSON stored beside it.
CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY,
	record    TEXT NOT NULL,
	leaf_hash BLOB NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
