-- 008 (PostgreSQL twin): the time of the last change of a ticket that its
-- customer can see, shown on the portal (issue 9, defect 5). Existing
-- tickets start from their newest message, or their creation when later.
-- SQLite's two-argument max() is GREATEST here. The index ends with id
-- (see 002). 018 renames the column to last_activity.
ALTER TABLE tickets ADD COLUMN public_updated_at bigint NOT NULL DEFAULT 0;
UPDATE tickets SET public_updated_at = GREATEST(created_at,
	COALESCE((SELECT max(m.created_at) FROM messages m
		  WHERE m.ticket_id = tickets.id), 0));
CREATE INDEX tickets_by_customer_public
	ON tickets (customer_id, public_updated_at, id);
