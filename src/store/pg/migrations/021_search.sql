-- PostgreSQL twin of src/store/migrations/021_search.sql (docs/pg-schema.md).
-- 021: full-text search and saved views (issue 15, part SEARCH).
--
-- SQLite has three FTS5 external-content indexes. Here each is a stored
-- generated tsvector column on the row it indexes, with a GIN index named
-- as the FTS5 table was:
--   search_subjects  GIN on tickets.subject_tsv   (subject)
--   search_messages  GIN on messages.body_tsv     (body)
--   search_notes     GIN on notes.body_tsv        (body)
-- A column is computed by PostgreSQL in the statement that writes its row
-- (so in the caller's transaction, as SQLite's sq_search_index calls
-- are), and for every existing row when this migration adds it (SQLite's
-- 'rebuild'). The store writes nothing for the index: the twin of
-- sq_search_index has nothing to do. The generated columns may never be
-- named in an INSERT or UPDATE (PostgreSQL refuses it), so `store copy`
-- lists its columns.
--
-- Tokens: the text search configuration gh_search, a copy of 'simple'
-- (lower-cases, no stemming, no stop words: as unicode61) whose word
-- tokens first go through the unaccent dictionary (PostgreSQL contrib;
-- a trusted extension, so a database owner may create it): diacritics
-- are removed as with remove_diacritics 2, so "muller" finds "Müller".
-- The dictionary sits in the configuration rather than in an unaccent()
-- call around the text because then the same configuration unaccents
-- the query's words (plainto_tsquery('gh_search', 'muller')) and
-- ts_headline finds and marks "Müller" in the original text, which it
-- cannot when only the indexed copy was unaccented. to_tsvector with a
-- configuration named by a constant is IMMUTABLE, as a generated column
-- and an index need; the name is bound to the configuration's oid when
-- this migration runs, so no search_path can redirect it.
--
-- How the op translators query it (src/store/pg/search.c):
--   * core gives an FTS5 expression: phrases in double quotes ("" inside
--     one is a quote), ANDed by juxtaposition, a phrase followed by * a
--     prefix, and "" alone for "matches nothing". Parse it in C into its
--     phrases (at most SEARCH_TERMS_MAX) and send them as one text[]
--     parameter with a parallel bool[] of prefix flags (or as a fixed
--     number of text parameters), never formatted into SQL text. In SQL
--     each phrase p becomes
--         phraseto_tsquery('gh_search', p)                   (no prefix)
--         (phraseto_tsquery('gh_search', p)::text || ':*')::tsquery
--                                                            (prefix)
--     and the phrases are joined with &&. For a one-word phrase
--     plainto_tsquery('gh_search', p) is the same. A phrase with no
--     lexeme (numnode(q) = 0, e.g. core's "") matches nothing, as an
--     empty FTS5 phrase does: return no row rather than call @@ (an
--     empty tsquery matches nothing but logs a NOTICE).
--   * match:  t.subject_tsv @@ $q   /  m.body_tsv @@ $q  /  n.body_tsv @@ $q
--     (the column itself, never an expression: only the column uses the
--     GIN index).
--   * rank:   ts_rank_cd(m.body_tsv, $q), larger is better (FTS5's bm25
--     is smaller-better: order DESC here), subjects counting twice as in
--     SQLite (2.0 * ts_rank_cd(t.subject_tsv, $q)).
--   * newest documents first: ORDER BY m.id DESC LIMIT n over the match;
--     PostgreSQL reads the GIN index as a bitmap and sorts the matches.
--   * snippet: ts_headline('gh_search', body, $q, 'StartSel=<mark>,
--     StopSel=<end>, MaxFragments=1, MaxWords=16, MinWords=5,
--     FragmentDelimiter=…') with store_search.h's markers, for the page's
--     rows only (it parses the whole document, as SQLite's snippet()).
--   * the tokenizer is PostgreSQL's parser, not unicode61: an e-mail
--     address, a URL or a host name is one token, and "foo-bar" indexes
--     foo-bar, foo and bar. docs/pg-schema.md lists what differs.
--
-- Invariant kept from SQLite: internal notes live in their own index,
-- notes.body_tsv / search_notes, which no portal statement names (no
-- portal statement reads the notes table at all), so a customer's query
-- cannot reach a note by construction. Message and note bodies are
-- indexed as stored: the redacted text. Sealed personal fields (bytea
-- ciphertexts) are not indexed; a customer is found by e-mail only
-- through the blind index customers.email_idx, exact match.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION gh_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION gh_search
	ALTER MAPPING FOR word, hword, hword_part, numword, numhword,
		hword_numpart, asciiword, asciihword, hword_asciipart
	WITH unaccent, simple;

ALTER TABLE tickets ADD COLUMN subject_tsv tsvector
	GENERATED ALWAYS AS (to_tsvector('gh_search'::regconfig, subject)) STORED;
ALTER TABLE messages ADD COLUMN body_tsv tsvector
	GENERATED ALWAYS AS (to_tsvector('gh_search'::regconfig, body)) STORED;
ALTER TABLE notes ADD COLUMN body_tsv tsvector
	GENERATED ALWAYS AS (to_tsvector('gh_search'::regconfig, body)) STORED;

CREATE INDEX search_subjects ON tickets USING gin (subject_tsv);
CREATE INDEX search_messages ON messages USING gin (body_tsv);
CREATE INDEX search_notes ON notes USING gin (body_tsv);

-- Saved views: a name and a set of search filters (the query arguments
-- of GET /api/v1/tickets, as a JSON object of strings that core/views.c
-- validated; kept as text, read back as written). A personal view
-- belongs to one staff member (owner_id); a shared one to a queue
-- (queue_id). Exactly one of the two is set.
CREATE TABLE saved_views (
	id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	owner_id   bigint REFERENCES staff (id) DEFERRABLE,
	queue_id   bigint REFERENCES queues (id) DEFERRABLE,
	name       text COLLATE "C" NOT NULL,
	filters    text COLLATE "C" NOT NULL,
	created_by bigint NOT NULL REFERENCES staff (id) DEFERRABLE,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	CHECK ((owner_id IS NULL) <> (queue_id IS NULL))
);
CREATE INDEX saved_views_by_owner ON saved_views (owner_id, id);
CREATE INDEX saved_views_by_queue ON saved_views (queue_id, id);
