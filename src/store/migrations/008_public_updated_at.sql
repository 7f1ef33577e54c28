-- 008: the time of the last change of a ticket that its customer can see
-- (its creation, a message from either side, a change of status), shown
-- on the portal as updated_at instead of the staff's updated_at, which
-- internal notes, assignment and queue moves also move (issue 9, defect
-- 5). Kept by the store's ticket and message operations. Existing tickets
-- start from their newest message, or their creation when later (a past
-- change of status left no trace to start from).
ALTER TABLE tickets ADD COLUMN public_updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET public_updated_at = MAX(created_at,
	COALESCE((SELECT MAX(m.created_at) FROM messages m
		  WHERE m.ticket_id = tickets.id), 0));
CREATE INDEX tickets_by_customer_public
	ON tickets (customer_id, public_updated_at);
