-- 021: full-text search and saved views (issue 15, part SEARCH).
--
-- Three FTS5 indexes, each an external-content table over the rows it
-- indexes (the text is stored once, in its own table; the index holds
-- tokens only), tokenized by unicode61 with diacritics removed, so
-- "muller" finds "Müller":
--   search_subjects  tickets.subject        rowid = ticket id
--   search_messages  messages.body          rowid = message id
--   search_notes     notes.body             rowid = note id
-- Subjects and messages are what the customer wrote or was sent;
-- internal notes live in their own index, which no portal statement
-- names, so a customer's query cannot reach a note by construction.
-- Message and note bodies are indexed as stored: the redacted text (the
-- inbound scan and the outbound check remove personal data before the
-- row is written). Sealed personal fields (customers' e-mail, phone,
-- date of birth, address, custom fields) are not in these tables and are
-- never indexed; a customer is found by e-mail only through the blind
-- index customers.email_idx, exact match (src/core/search.c).
--
-- The store keeps each index in the statement sequence (and so the
-- transaction) of the write that adds its row: sqlite/tickets.c and
-- sqlite/threads.c call sqlite/search.c right after their INSERT (not
-- triggers: with PRAGMA trusted_schema=OFF, which the store sets, a
-- trigger may not write an FTS5 table). Tickets, messages and notes are
-- never updated in their indexed text nor deleted. The 'rebuild' lines
-- index the rows that exist before this migration.
CREATE VIRTUAL TABLE search_subjects USING fts5(subject, content='tickets',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_messages USING fts5(body, content='messages',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE search_notes USING fts5(body, content='notes',
	content_rowid='id', tokenize='unicode61 remove_diacritics 2');

INSERT INTO search_subjects (search_subjects) VALUES ('rebuild');
INSERT INTO search_messages (search_messages) VALUES ('rebuild');
INSERT INTO search_notes (search_notes) VALUES ('rebuild');

-- Saved views: a name and a set of search filters (the query arguments
-- of GET /api/v1/tickets, as a JSON object of strings that core/views.c
-- validated). A personal view belongs to one staff member (owner_id); a
-- shared one to a queue (queue_id), made by a supervisor or an admin and
-- shown to the queue's members. Exactly one of the two is set.
CREATE TABLE saved_views (
	id         INTEGER PRIMARY KEY,
	owner_id   INTEGER REFERENCES staff (id),
	queue_id   INTEGER REFERENCES queues (id),
	name       TEXT NOT NULL,
	filters    TEXT NOT NULL,
	created_by INTEGER NOT NULL REFERENCES staff (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CHECK ((owner_id IS NULL) <> (queue_id IS NULL))
);
CREATE INDEX saved_views_by_owner ON saved_views (owner_id, id);
CREATE INDEX saved_views_by_queue ON saved_views (queue_id, id);
