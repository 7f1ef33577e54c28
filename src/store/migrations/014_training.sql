-- 014: staff training (issue 11, part A).
--
-- training_modules holds each module as imported: its Markdown, the HTML
-- rendered from it (cmark, safe mode, links sanitised) and its quiz as
-- JSON with the correct answers (never sent to staff). validity_months 0
-- means the configured default ([training] validity_months). position
-- orders the list.
--
-- training_completions: one row per passed module, from a quiz attempt
-- ("quiz") or recorded from another learning platform ("external");
-- recorded_by names who recorded it ("staff:3", "cli:alice"). expires_at
-- is fixed when the row is written.
--
-- training_attempts: every quiz attempt with its score (never the
-- answers), for the audit trail and the attempt limit.
--
-- training_assignments: a module required again of one staff member (a
-- phishing drill click...), open while cleared_at is NULL; a completion
-- at or after assigned_at clears it. At most one open row per staff
-- member and module.

CREATE TABLE training_modules (
	id              TEXT PRIMARY KEY
	                CHECK (length(id) BETWEEN 1 AND 64
	                       AND id GLOB '[a-z0-9]*'
	                       AND id NOT GLOB '*[^a-z0-9-]*'),
	title           TEXT NOT NULL,
	pass_mark       INTEGER NOT NULL CHECK (pass_mark BETWEEN 1 AND 100),
	validity_months INTEGER NOT NULL CHECK (validity_months BETWEEN 0 AND 120),
	required        INTEGER NOT NULL CHECK (required IN (0, 1)),
	position        INTEGER NOT NULL,
	markdown        TEXT NOT NULL,
	html            TEXT NOT NULL,
	quiz            TEXT NOT NULL,
	updated_by      TEXT NOT NULL,
	updated_at      INTEGER NOT NULL
);

CREATE TABLE training_completions (
	id           INTEGER PRIMARY KEY,
	staff_id     INTEGER NOT NULL REFERENCES staff (id),
	module_id    TEXT NOT NULL REFERENCES training_modules (id),
	completed_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	source       TEXT NOT NULL CHECK (source IN ('quiz', 'external')),
	recorded_by  TEXT NOT NULL
);
CREATE INDEX training_completions_by_staff
	ON training_completions (staff_id, module_id, expires_at);

CREATE TABLE training_attempts (
	id         INTEGER PRIMARY KEY,
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	module_id  TEXT NOT NULL REFERENCES training_modules (id),
	score      INTEGER NOT NULL,
	passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
	created_at INTEGER NOT NULL
);
CREATE INDEX training_attempts_by_staff
	ON training_attempts (staff_id, module_id, created_at);

CREATE TABLE training_assignments (
	id          INTEGER PRIMARY KEY,
	staff_id    INTEGER NOT NULL REFERENCES staff (id),
	module_id   TEXT NOT NULL REFERENCES training_modules (id),
	reason      TEXT NOT NULL,
	assigned_at INTEGER NOT NULL,
	cleared_at  INTEGER
);
CREATE UNIQUE INDEX training_assignments_open
	ON training_assignments (staff_id, module_id) WHERE cleared_at IS NULL;
