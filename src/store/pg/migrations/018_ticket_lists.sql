-- PostgreSQL twin of src/store/migrations/018_ticket_lists.sql (docs/pg-schema.md).
-- 018: ticket lists that stay flat to a million tickets (issue 14).
-- A page of the staff work list or of the portal's list is one indexed
-- query that reads the page's rows and no others (src/store/sqlite/
-- tickets_list.c): keyset pagination on (sort key, id), an index for
-- every filter of each list, and what a list shows kept on the ticket row
-- instead of looked up per row.
--
-- last_activity: the time of the last change of the ticket its customer
-- can see (its creation, a message from either side, a change of status),
-- never moved by notes, assignment or queue moves. Migration 008 kept it
-- as public_updated_at; it is renamed so the name says what it is, and
-- its values are carried over (they are its backfill). The store moves it
-- in the statement that makes the change, inside the caller's
-- transaction.
-- last_from: the realm of the ticket's newest message ('customer',
-- 'staff', or '' before any), shown by the portal list; kept by the store
-- with each new message, backfilled here from the newest one.
ALTER TABLE tickets RENAME COLUMN public_updated_at TO last_activity;
ALTER TABLE tickets ADD COLUMN last_from text COLLATE "C" NOT NULL DEFAULT ''
	CHECK (last_from IN ('', 'customer', 'staff'));
UPDATE tickets SET last_from = COALESCE((SELECT m.author_realm
	FROM messages m WHERE m.ticket_id = tickets.id
	ORDER BY m.id DESC LIMIT 1), '');

-- The staff work list, newest updated_at first, ties by id (SQLite's
-- rowid ends every index; here each index ends with id, see 002). One index per combination of its filters: the
-- status, the queue and the assignee (a given staff member, or none:
-- assignee_id IS NULL uses the same indexes). Agents' own view (theirs,
-- and the unassigned tickets of their queues) merges two of them.
-- tickets_by_assignee (002) is the assignee-only one; tickets_queue and
-- tickets_by_queue (002, 006) are replaced by these.
DROP INDEX tickets_queue;
DROP INDEX tickets_by_queue;
CREATE INDEX tickets_list_all ON tickets (updated_at, id);
CREATE INDEX tickets_list_status ON tickets (status, updated_at, id);
CREATE INDEX tickets_list_queue ON tickets (queue_id, updated_at, id);
CREATE INDEX tickets_list_queue_status
	ON tickets (queue_id, status, updated_at, id);
CREATE INDEX tickets_list_assignee_status
	ON tickets (assignee_id, status, updated_at, id);
CREATE INDEX tickets_list_assignee_queue
	ON tickets (assignee_id, queue_id, updated_at, id);
CREATE INDEX tickets_list_assignee_queue_status
	ON tickets (assignee_id, queue_id, status, updated_at, id);
-- The portal list: tickets_by_customer_public (008) is now
-- (customer_id, last_activity, id), its sort key (PostgreSQL renames the
-- indexed column with the column).
