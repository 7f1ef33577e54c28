-- PostgreSQL twin of src/store/migrations/020_priority_tags.sql (docs/pg-schema.md).
-- 020: priority, tags and due times on tickets (issue 15).
-- priority: how urgent the ticket is, set by staff (core/tickets_attrs.c).
-- tags: the ticket's tags, sorted and space-separated: what a list shows,
-- kept on the row as last_from is (018), so a page reads no other table.
-- ticket_tags holds the same tags one per row, for the tag filter; the
-- store writes both in one statement group of the caller's transaction.
-- due_at: the next service-level target of the ticket not met yet (first
-- response or resolution), NULL when there is none (no policy, paused
-- while pending, solved, every target met); breached: 1 once a target
-- was missed. The SLA module keeps both (migration 022).
ALTER TABLE tickets ADD COLUMN priority text COLLATE "C" NOT NULL DEFAULT 'normal'
	CHECK (priority IN ('low', 'normal', 'high', 'urgent'));
ALTER TABLE tickets ADD COLUMN tags text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN due_at bigint;
ALTER TABLE tickets ADD COLUMN breached bigint NOT NULL DEFAULT 0
	CHECK (breached IN (0, 1));

-- SQLite's WITHOUT ROWID has no counterpart: a PostgreSQL table is a heap
-- with its primary key as a separate index either way.
CREATE TABLE ticket_tags (
	ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE
		DEFERRABLE,
	tag text COLLATE "C" NOT NULL,
	PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_by_tag ON ticket_tags (tag, ticket_id);
CREATE INDEX tickets_due ON tickets (due_at) WHERE due_at IS NOT NULL;
