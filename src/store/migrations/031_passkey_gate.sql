-- 031: losing a passkey (issue 17, part GATE). A staff member who lost
-- their passkeys gets them removed only by two administrators: one asks
-- (with a reason), a different one approves (or either denies); on
-- approval every passkey of the member is deleted and their sessions end
-- (core/passkey_resets.c). A request lives 24 hours (expires_at); an
-- expired one is closed as 'expired' before a new one is made. Rows are
-- never deleted: who asked, who decided, when and why stay (and in the
-- audit log). The checks restate core's rules so no statement can break
-- them: nobody asks for their own reset, the requester never approves,
-- one open request per member.
--
-- verification_factors gains the method 'passkey' (a customer's passkey
-- approval of a verification, core/verify_passkey.c): SQLite cannot
-- change a CHECK, so the table is rebuilt with the same rows.

CREATE TABLE passkey_resets (
	id           INTEGER PRIMARY KEY,
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	requested_by INTEGER NOT NULL REFERENCES staff (id),
	reason       TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'pending'
	             CHECK (state IN ('pending', 'approved', 'denied',
	             'expired')),
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	decided_by   INTEGER REFERENCES staff (id),
	decided_at   INTEGER,
	decision     TEXT,
	passkeys_deleted INTEGER NOT NULL DEFAULT 0,
	CHECK (staff_id <> requested_by),
	CHECK (state <> 'approved' OR (decided_by IS NOT NULL
	       AND decided_by <> requested_by)),
	CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX passkey_resets_open ON passkey_resets (staff_id)
	WHERE state = 'pending';
CREATE INDEX passkey_resets_by_state ON passkey_resets (state, id);

CREATE TABLE verification_factors_031 (
	verification_id  INTEGER NOT NULL REFERENCES verifications (id),
	method           TEXT NOT NULL
	                 CHECK (method IN ('totp', 'email_otp', 'sms_otp',
	                                   'portal_approval', 'passkey')),
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
INSERT INTO verification_factors_031 SELECT verification_id, method, state,
	code_hash, code_expires_at, failures, sends, number, choices,
	approver_session, updated_at FROM verification_factors;
DROP TABLE verification_factors;
ALTER TABLE verification_factors_031 RENAME TO verification_factors;

