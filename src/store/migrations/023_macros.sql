-- 023: canned replies (issue 15, part MACROS; core/macros.h). A macro is
-- personal (owner_id set: only its owner sees, uses and edits it) or
-- shared in one queue (queue_id set: staff who see the queue use it,
-- supervisors and admins edit it), never both. Its text is stored as
-- saved (it passed the outbound check then; it is checked again,
-- expanded, on every send). The actions are optional: '' sets nothing;
-- tags_add and tags_remove hold tags sorted and space-separated.
-- A name is unique among one owner's macros and among one queue's.
CREATE TABLE macros (
	id           INTEGER PRIMARY KEY,
	owner_id     INTEGER REFERENCES staff (id),
	queue_id     INTEGER REFERENCES queues (id),
	name         TEXT NOT NULL,
	body         TEXT NOT NULL,
	set_status   TEXT NOT NULL DEFAULT ''
		CHECK (set_status IN ('', 'open', 'pending', 'solved')),
	set_priority TEXT NOT NULL DEFAULT ''
		CHECK (set_priority IN ('', 'low', 'normal', 'high', 'urgent')),
	tags_add     TEXT NOT NULL DEFAULT '',
	tags_remove  TEXT NOT NULL DEFAULT '',
	created_by   INTEGER NOT NULL REFERENCES staff (id),
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	CHECK ((owner_id IS NULL) <> (queue_id IS NULL))
);
CREATE UNIQUE INDEX macros_personal ON macros (owner_id, name)
	WHERE owner_id IS NOT NULL;
CREATE UNIQUE INDEX macros_shared ON macros (queue_id, name)
	WHERE queue_id IS NOT NULL;
