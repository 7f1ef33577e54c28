-- 009: replies held back by the outbound check. When the check cannot run
-- in full (the ticket's internal notes pass the word limit of the
-- note-copy index) the reply fails closed: it is stored here, in a table
-- no query of the public listener reads, until a supervisor or admin
-- other than its author releases it (it then becomes a row of messages,
-- message_id) or discards it. Rows are never deleted: who decided, when
-- and why stays with the reply (and in the audit log).

CREATE TABLE held_replies (
	id         INTEGER PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	author_id  INTEGER NOT NULL REFERENCES staff (id),
	body       TEXT NOT NULL,
	reason     TEXT NOT NULL,
	state      TEXT NOT NULL DEFAULT 'held'
	           CHECK (state IN ('held', 'released', 'discarded')),
	created_at INTEGER NOT NULL,
	decided_by INTEGER REFERENCES staff (id),
	decided_at INTEGER,
	decision   TEXT,
	message_id INTEGER REFERENCES messages (id),
	CHECK ((state = 'held') = (decided_by IS NULL)),
	CHECK ((state = 'released') = (message_id IS NOT NULL))
);
CREATE INDEX held_replies_by_ticket ON held_replies (ticket_id, id);
