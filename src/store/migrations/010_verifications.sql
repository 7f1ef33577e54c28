-- 010: verification of a caller's identity (core/verify.h). An agent on a
-- ticket starts a verification: it is bound to that agent and the agent's
-- session (session_hash: the keyed hash of the session token, as in
-- sessions.token_hash), to the ticket and its customer, and records the
-- ticket's assignee and queue at the start, so that a reassignment or a
-- queue move ends it. Factors are added one method at a time (one row per
-- verification and method). A one-time code is stored only as a keyed
-- hash (code_hash), cleared when used; the portal approval keeps the
-- number the agent reads out, the choices the customer sees and the hash
-- of the portal session that approved it. A new verification by the same
-- agent on the same ticket ends the agent's open one there (state
-- 'ended'). A verification the customer
-- refused (wrong number, "This isn't me") locks verification on its
-- ticket until a supervisor clears it (verification_locks, one row per
-- ticket, cleared rather than deleted; the audit log keeps the history).

CREATE TABLE verifications (
	id           INTEGER PRIMARY KEY,
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	session_hash TEXT NOT NULL,
	ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
	customer_id  INTEGER NOT NULL REFERENCES customers (id),
	assignee_id  INTEGER REFERENCES staff (id),
	queue_id     INTEGER NOT NULL REFERENCES queues (id),
	state        TEXT NOT NULL DEFAULT 'open'
	             CHECK (state IN ('open', 'failed', 'denied', 'ended')),
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	ended_at     INTEGER,
	CHECK ((state = 'open') = (ended_at IS NULL))
);
CREATE INDEX verifications_by_staff
	ON verifications (staff_id, state, expires_at);
CREATE INDEX verifications_by_customer
	ON verifications (customer_id, state, expires_at);
CREATE INDEX verifications_by_ticket ON verifications (ticket_id, state);

CREATE TABLE verification_factors (
	verification_id  INTEGER NOT NULL REFERENCES verifications (id),
	method           TEXT NOT NULL
	                 CHECK (method IN ('totp', 'email_otp', 'sms_otp',
	                                   'portal_approval')),
	state            TEXT NOT NULL DEFAULT 'pending'
	                 CHECK (state IN ('pending', 'passed', 'failed')),
	code_hash        TEXT,
	code_expires_at  INTEGER NOT NULL DEFAULT 0,
	failures         INTEGER NOT NULL DEFAULT 0,
	sends            INTEGER NOT NULL DEFAULT 0,
	number           INTEGER NOT NULL DEFAULT 0,
	choices          TEXT NOT NULL DEFAULT '',
	approver_session TEXT,
	updated_at       INTEGER NOT NULL,
	PRIMARY KEY (verification_id, method)
);

CREATE TABLE verification_locks (
	ticket_id       INTEGER PRIMARY KEY REFERENCES tickets (id),
	verification_id INTEGER NOT NULL REFERENCES verifications (id),
	reason          TEXT NOT NULL,
	locked_at       INTEGER NOT NULL,
	cleared_by      INTEGER REFERENCES staff (id),
	cleared_at      INTEGER,
	clear_reason    TEXT
);
