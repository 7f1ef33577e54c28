-- 006: ticket queues. An agent works the tickets assigned to them, or
-- unassigned ones waiting in a queue they are a member of (core/tickets.c
-- holds the rule; the store's staff_ticket_* operations apply it in SQL).
-- Queue 1 is `general`: every ticket written before this migration, and
-- every new one unless it is moved, is in it, and every staff member who
-- exists now becomes a member, so an upgrade changes nobody's view.
-- The migration runner applies this with foreign keys off and checks
-- them before commit (SQLite refuses to add a REFERENCES column with a
-- default while they are on).
CREATE TABLE queues (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
INSERT INTO queues (id, name) VALUES (1, 'general');

ALTER TABLE tickets ADD COLUMN queue_id INTEGER NOT NULL DEFAULT 1
	REFERENCES queues (id);
CREATE INDEX tickets_by_queue ON tickets (queue_id, assignee_id, updated_at);

CREATE TABLE staff_queues (
	staff_id INTEGER NOT NULL REFERENCES staff (id),
	queue_id INTEGER NOT NULL REFERENCES queues (id),
	PRIMARY KEY (staff_id, queue_id)
);
CREATE INDEX staff_queues_by_queue ON staff_queues (queue_id, staff_id);
INSERT INTO staff_queues (staff_id, queue_id) SELECT id, 1 FROM staff;
