-- 019: quotas (issue 14). Per-account usage is counted from the rows
-- themselves (tickets, messages, notes, attachments) through the indexes
-- below, so it is exact and needs no counter kept in step. Only what no
-- row records needs a table: the writes admitted per client address
-- (quota_events, one row per admitted write, pruned after a day) and the
-- refusals per subject, limit and audit window (quota_hits: the first
-- refusal of a window is audited at once, the count of the rest in one
-- summary record once the window has closed).

CREATE INDEX tickets_by_customer_created ON tickets (customer_id, created_at);
-- The writer's messages in a window are counted from the index alone; the
-- stored total sums length(CAST(body AS BLOB)) (bytes as stored) over the
-- customer's own messages found through it.
CREATE INDEX messages_by_author
	ON messages (author_realm, author_id, created_at,
		     length(CAST(body AS BLOB)));
CREATE INDEX notes_by_staff ON notes (staff_id, created_at);
CREATE INDEX attachments_by_uploader
	ON attachments (uploader_realm, uploader_id, created_at, size);

CREATE TABLE quota_events (
	id      INTEGER PRIMARY KEY,
	subject TEXT NOT NULL,         -- "ip:203.0.113.9", "ip:2001:db8::/64"
	what    TEXT NOT NULL,         -- the limit's name
	at      INTEGER NOT NULL,
	amount  INTEGER NOT NULL CHECK (amount >= 0)
);
CREATE INDEX quota_events_by_subject ON quota_events (subject, what, at);
CREATE INDEX quota_events_by_time ON quota_events (at);

CREATE TABLE quota_hits (
	id           INTEGER PRIMARY KEY,
	subject      TEXT NOT NULL,    -- "customer:9", "staff:3", "ip:..."
	limit_name   TEXT NOT NULL,
	window_start INTEGER NOT NULL,
	window_end   INTEGER NOT NULL,
	count        INTEGER NOT NULL,
	summarised   INTEGER NOT NULL DEFAULT 0 CHECK (summarised IN (0, 1)),
	UNIQUE (subject, limit_name, window_start)
);
CREATE INDEX quota_hits_open ON quota_hits (summarised, window_end);
