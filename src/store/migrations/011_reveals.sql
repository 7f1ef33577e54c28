-- 011: the reveal log and reveal locks (core/reveal.h). Every clear value
-- shown to an agent is a row of reveals (which field, why, under which
-- verification; never the value). An agent who reveals more than the
-- policy allows in an hour is locked out of reveals until a supervisor
-- clears it (reveal_locks: one row per staff member, cleared rather than
-- deleted; the audit log keeps the history).

CREATE TABLE reveals (
	id              INTEGER PRIMARY KEY,
	staff_id        INTEGER NOT NULL REFERENCES staff (id),
	customer_id     INTEGER NOT NULL REFERENCES customers (id),
	ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
	verification_id INTEGER NOT NULL REFERENCES verifications (id),
	field           TEXT NOT NULL,
	reason          TEXT NOT NULL,
	created_at      INTEGER NOT NULL
);
CREATE INDEX reveals_by_staff ON reveals (staff_id, created_at);

CREATE TABLE reveal_locks (
	staff_id   INTEGER PRIMARY KEY REFERENCES staff (id),
	locked_at  INTEGER NOT NULL,
	reason     TEXT NOT NULL,
	cleared_by INTEGER REFERENCES staff (id),
	cleared_at INTEGER
);
