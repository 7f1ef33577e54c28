-- 030: passkeys (WebAuthn, issue 17). A credential belongs to one account
-- of a realm (principal_id is a staff or customer id, as in sessions);
-- its id is unique across both realms, since an authenticator names it
-- with no realm. The public key is the COSE_Key the verifier read from
-- the registration (public data, never sealed); counter_flagged is set
-- when an assertion's signature counter went backwards (a possible
-- clone) and the credential is refused from then on.
-- passkey_users holds each account's WebAuthn user handle: 32 random
-- bytes made on first need, never derived from the id or the e-mail.
-- passkey_challenges keeps a keyed hash of each challenge drawn (never
-- the challenge), what it may be used for and what it is bound to (a
-- session's token hash, a verification); taking one deletes it.
-- sessions.method says how a session was opened: 'password' (with TOTP
-- or not, as mfa says), 'passkey', or 'password_enrol' (a staff member
-- who must use a passkey and has none: the session may only enrol one).

CREATE TABLE passkeys (
	id              INTEGER PRIMARY KEY,
	realm           TEXT NOT NULL CHECK (realm IN ('staff', 'customer')),
	principal_id    INTEGER NOT NULL,
	cred_id         BLOB NOT NULL UNIQUE
	                CHECK (length(cred_id) BETWEEN 1 AND 1023),
	public_key      BLOB NOT NULL,
	alg             INTEGER NOT NULL,
	sign_count      INTEGER NOT NULL DEFAULT 0,
	name            TEXT NOT NULL,
	fmt             TEXT NOT NULL,
	att_type        TEXT NOT NULL,
	aaguid          TEXT NOT NULL,
	transports      TEXT NOT NULL DEFAULT '',
	uv              INTEGER NOT NULL,
	backup_eligible INTEGER NOT NULL,
	backup_state    INTEGER NOT NULL,
	counter_flagged INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	last_used_at    INTEGER
);
CREATE INDEX passkeys_by_principal ON passkeys (realm, principal_id);

CREATE TABLE passkey_users (
	realm        TEXT NOT NULL CHECK (realm IN ('staff', 'customer')),
	principal_id INTEGER NOT NULL,
	handle       BLOB NOT NULL UNIQUE CHECK (length(handle) = 32),
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (realm, principal_id)
);

CREATE TABLE passkey_challenges (
	challenge_hash TEXT PRIMARY KEY,
	realm          TEXT NOT NULL CHECK (realm IN ('staff', 'customer')),
	purpose        TEXT NOT NULL
	               CHECK (purpose IN ('register', 'login', 'verify')),
	principal_id   INTEGER NOT NULL DEFAULT 0,
	bind           TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	expires_at     INTEGER NOT NULL
);
CREATE INDEX passkey_challenges_by_bind
	ON passkey_challenges (bind, created_at);
CREATE INDEX passkey_challenges_by_expiry
	ON passkey_challenges (expires_at);

ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
