-- 016: staff password and account hygiene (core/hygiene.h). Sessions get
-- a public id: a random 16-digit number (a path parameter, exact in a
-- JavaScript number) by which the owner lists and ends a session; it is a
-- name, not a secret, never the token or its hash. `logins` is the login history of both realms:
-- successes and failures of known accounts, with time, address, network
-- (/24 or /48) and method, never the password or code; core keeps the
-- newest rows per principal only. Staff get the time their password was
-- last set (NULL: when the account was created) and a forced-change flag
-- with its reason and who forced it.

ALTER TABLE sessions ADD COLUMN public_id INTEGER;
UPDATE sessions
	SET public_id = 1000000000000000 + abs(random() % 8000000000000000)
	WHERE public_id IS NULL;
CREATE UNIQUE INDEX sessions_by_public_id ON sessions (public_id);

CREATE TABLE logins (
	id           INTEGER PRIMARY KEY,
	realm        TEXT NOT NULL CHECK (realm IN ('staff', 'customer')),
	principal_id INTEGER NOT NULL,
	at           INTEGER NOT NULL,
	ip           TEXT NOT NULL,
	network      TEXT NOT NULL,
	method       TEXT NOT NULL,
	ok           INTEGER NOT NULL CHECK (ok IN (0, 1))
);
CREATE INDEX logins_by_principal ON logins (realm, principal_id, id);

ALTER TABLE staff ADD COLUMN pw_changed_at INTEGER;
ALTER TABLE staff ADD COLUMN pw_must_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN pw_must_change_reason TEXT;
ALTER TABLE staff ADD COLUMN pw_must_change_by TEXT;
