-- 012: sensitive account changes under dual control (class C3: a
-- customer's e-mail, phone, authenticator reset, account number). An agent
-- who verified the caller at level 2 with a possession factor requests the
-- change; a different supervisor or admin approves it, which starts the
-- cooling-off period (apply_after) and notifies the old contact; the
-- customer can cancel until it is applied. Rows are never deleted: who
-- asked, who approved, when and why stay with the request (and in the
-- audit log).
--
-- value is the new value sealed under the associated data
-- "change.<kind>:<customer_id>:<ref>" (ref: random, unique), so it opens
-- only as this request's value; mfa_reset has none. The checks below
-- restate core's rules in the schema so no statement can break them:
-- one open request per customer and kind, never approved by its
-- requester, never applied before the compiled-in floor of 24 hours
-- after approval.

CREATE TABLE change_requests (
	id              INTEGER PRIMARY KEY,
	ref             TEXT NOT NULL UNIQUE,
	customer_id     INTEGER NOT NULL REFERENCES customers (id),
	kind            TEXT NOT NULL CHECK (kind IN ('email', 'phone',
	                'mfa_reset', 'account_number')),
	value           BLOB,
	state           TEXT NOT NULL DEFAULT 'pending_approval'
	                CHECK (state IN ('pending_approval', 'cooling_off',
	                'applied', 'cancelled', 'rejected', 'failed')),
	requested_by    INTEGER NOT NULL REFERENCES staff (id),
	verification_id INTEGER NOT NULL,
	ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
	reason          TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	approved_by     INTEGER REFERENCES staff (id),
	approved_at     INTEGER,
	approval        TEXT,
	apply_after     INTEGER,
	closed_at       INTEGER,
	closed_by       TEXT,
	closing         TEXT,
	CHECK ((kind = 'mfa_reset') = (value IS NULL)),
	CHECK (approved_by IS NULL OR approved_by <> requested_by),
	CHECK ((approved_by IS NULL) = (apply_after IS NULL)),
	CHECK (apply_after IS NULL OR apply_after >= approved_at + 86400),
	CHECK (state NOT IN ('cooling_off', 'applied')
	       OR approved_by IS NOT NULL),
	CHECK ((state IN ('pending_approval', 'cooling_off'))
	       = (closed_at IS NULL))
);
CREATE UNIQUE INDEX change_requests_open ON change_requests
	(customer_id, kind) WHERE state IN ('pending_approval', 'cooling_off');
CREATE INDEX change_requests_due ON change_requests (state, apply_after);
CREATE INDEX change_requests_by_customer ON change_requests
	(customer_id, id);
