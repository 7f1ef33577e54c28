-- 015: phishing drills and reported messages (core/drills.h). A campaign
-- sends one template to its targets at send_at; each target row records
-- its drill ticket and message once delivered and the first time of each
-- event (opened, link clicked, attachment opened, reported). A drill
-- ticket is marked by tickets.drill_id (NULL for every real ticket): the
-- portal's statements never read a marked ticket, and no notification is
-- made for one. A customer message an agent reported as phishing carries
-- who reported it and when; its links are then quarantined.
CREATE TABLE drill_campaigns (
	id         INTEGER PRIMARY KEY,
	template   TEXT NOT NULL,
	created_by INTEGER NOT NULL REFERENCES staff (id),
	created_at INTEGER NOT NULL,
	send_at    INTEGER NOT NULL
);
CREATE INDEX drill_campaigns_by_time ON drill_campaigns (created_at);

CREATE TABLE drill_targets (
	id                   INTEGER PRIMARY KEY,
	campaign_id          INTEGER NOT NULL REFERENCES drill_campaigns (id),
	staff_id             INTEGER NOT NULL REFERENCES staff (id),
	queue_id             INTEGER NOT NULL REFERENCES queues (id),
	send_at              INTEGER NOT NULL,
	ticket_id            INTEGER REFERENCES tickets (id),
	message_id           INTEGER REFERENCES messages (id),
	delivered_at         INTEGER,
	opened_at            INTEGER,
	clicked_at           INTEGER,
	attachment_opened_at INTEGER,
	reported_at          INTEGER,
	UNIQUE (campaign_id, staff_id)
);
CREATE INDEX drill_targets_due ON drill_targets (delivered_at, send_at);
CREATE INDEX drill_targets_by_staff ON drill_targets (staff_id);

ALTER TABLE tickets ADD COLUMN drill_id INTEGER REFERENCES drill_targets (id);
CREATE INDEX tickets_by_drill ON tickets (drill_id);
ALTER TABLE messages ADD COLUMN phish_reported_at INTEGER;
ALTER TABLE messages ADD COLUMN phish_reported_by INTEGER
	REFERENCES staff (id);
