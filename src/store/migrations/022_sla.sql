-- 022: SLA (issue 15, part SLA). Business calendars (hours and holidays in
-- core/calendar.c's text forms), one policy per queue (targets in
-- business minutes by priority, 0: none), the SLA clock of each ticket
-- under a policy (ticket_sla: business seconds accrued while the ticket
-- was open, since when it runs, the due instants; next_check is the
-- instant the sweep looks at it again) and the breaches, one per ticket
-- and kind of target. tickets.due_at and tickets.breached (migration 020)
-- are what lists show and filter on; ticket_sla is what computes them.

CREATE TABLE sla_calendars (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	tz         TEXT NOT NULL,
	hours      TEXT NOT NULL,
	holidays   TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL
);

CREATE TABLE sla_policies (
	queue_id    INTEGER PRIMARY KEY REFERENCES queues (id),
	calendar_id INTEGER NOT NULL REFERENCES sla_calendars (id),
	fr_low      INTEGER NOT NULL DEFAULT 0,
	fr_normal   INTEGER NOT NULL DEFAULT 0,
	fr_high     INTEGER NOT NULL DEFAULT 0,
	fr_urgent   INTEGER NOT NULL DEFAULT 0,
	res_low     INTEGER NOT NULL DEFAULT 0,
	res_normal  INTEGER NOT NULL DEFAULT 0,
	res_high    INTEGER NOT NULL DEFAULT 0,
	res_urgent  INTEGER NOT NULL DEFAULT 0,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX sla_policies_by_calendar ON sla_policies (calendar_id);

CREATE TABLE ticket_sla (
	ticket_id     INTEGER PRIMARY KEY REFERENCES tickets (id),
	calendar_id   INTEGER NOT NULL DEFAULT 0,
	running_since INTEGER NOT NULL DEFAULT 0,
	accrued       INTEGER NOT NULL DEFAULT 0,
	fr_elapsed    INTEGER NOT NULL DEFAULT -1,
	fr_due        INTEGER NOT NULL DEFAULT 0,
	res_due       INTEGER NOT NULL DEFAULT 0,
	next_check    INTEGER
);
CREATE INDEX ticket_sla_next ON ticket_sla (next_check)
	WHERE next_check IS NOT NULL;

CREATE TABLE sla_breaches (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	kind        TEXT NOT NULL
	            CHECK (kind IN ('first_response', 'resolution')),
	due_at      INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	assignee_id INTEGER REFERENCES staff (id),
	queue_id    INTEGER NOT NULL REFERENCES queues (id),
	priority    TEXT NOT NULL,
	UNIQUE (ticket_id, kind)
);
CREATE INDEX sla_breaches_by_at ON sla_breaches (at, queue_id);
