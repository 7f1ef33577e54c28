-- 002: tickets with their two threads stored apart, and the mail outbox.
-- messages is the conversation with the customer; notes is internal to
-- staff and is read by no query that serves the public listener. Bodies
-- are stored exactly as given (escaping is the output's job).

CREATE TABLE tickets (
	id          INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	subject     TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT 'open'
	            CHECK (status IN ('open', 'pending', 'solved')),
	assignee_id INTEGER REFERENCES staff (id),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX tickets_by_customer ON tickets (customer_id, updated_at);
CREATE INDEX tickets_queue ON tickets (status, assignee_id, updated_at);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, updated_at);

CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
	author_realm TEXT NOT NULL CHECK (author_realm IN ('customer', 'staff')),
	author_id    INTEGER NOT NULL,
	body         TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);

CREATE TABLE notes (
	id         INTEGER PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	body       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX notes_by_ticket ON notes (ticket_id, id);

-- Notifications waiting for delivery. The text holds no message content and
-- no personal data; the recipient address and the customer's anti-phishing
-- phrase are sealed (associated data "outbox.recipient:<ref>",
-- "outbox.phrase:<ref>"). The recipient is wiped once delivered.
-- Undelivered rows are never deleted.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	ref             TEXT NOT NULL UNIQUE,
	kind            TEXT NOT NULL,
	recipient       BLOB,
	phrase          BLOB,
	subject         TEXT NOT NULL,
	body_text       TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	delivered_at    INTEGER,
	last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
