-- 025: live updates (issue 15, part LIVE). events records, in the
-- transaction of each change, what changed on which ticket: ids and a
-- kind, never text, subject or personal data. Streams (src/http/sse.c)
-- read it by id, so a node sees the changes every other node made
-- (issue 16), and a client resumes after the last id it saw
-- (Last-Event-ID). The ticket's queue, assignee and customer are copied
-- from the ticket row as it is after the change, so each stream filters
-- by the same visibility rule as the lists without reading tickets.
-- Pruned by age and count ([live]).
--
-- message_id: the message or note of message.* and note.created;
-- prev_queue_id, prev_assignee_id: where a ticket.queue or
-- ticket.assigned came from (who could see the ticket before).
-- kind 'typing': a staff member has the composer of the ticket open
-- (actor_id); kept here too, so presence works across nodes.
CREATE TABLE events (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	kind             TEXT NOT NULL CHECK (kind IN ('ticket.created',
	                 'message.customer', 'message.staff', 'note.created',
	                 'ticket.assigned', 'ticket.status', 'ticket.queue',
	                 'ticket.priority', 'ticket.tags', 'typing')),
	ticket_id        INTEGER NOT NULL,
	queue_id         INTEGER NOT NULL,
	assignee_id      INTEGER,
	customer_id      INTEGER NOT NULL,
	message_id       INTEGER,
	prev_queue_id    INTEGER,
	prev_assignee_id INTEGER,
	actor_realm      TEXT NOT NULL CHECK (actor_realm IN ('customer', 'staff')),
	actor_id         INTEGER NOT NULL,
	at               INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events (at);
CREATE INDEX events_typing ON events (ticket_id, actor_id, at)
	WHERE kind = 'typing';

-- Unread markers: the newest customer message of a ticket a staff member
-- had seen when they last opened it (the staff view). A ticket is unread
-- for them while it has a customer message above message_id.
CREATE TABLE ticket_seen (
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	message_id INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (staff_id, ticket_id)
) WITHOUT ROWID;
-- The newest customer message of a ticket, from the index alone.
CREATE INDEX messages_by_ticket_realm ON messages (ticket_id, author_realm, id);
