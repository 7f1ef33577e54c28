#!/bin/bash
# Applies the PostgreSQL migrations (src/store/pg/migrations/*.sql) to a
# real, throwaway PostgreSQL cluster and checks the schema they make:
#   1. every migration in order (as superuser, and again into a second
#      database as its non-superuser owner), each in one transaction, with
#      ON_ERROR_STOP, recording its version in schema_migrations the way
#      the runner (src/store/pg/conn.c) does;
#   2. the runner's idempotence: a second pass applies nothing (every
#      version is recorded), and replaying any migration by hand fails
#      inside its transaction and leaves the schema as it was;
#   3. sanity queries: a staff member, a customer, a ticket and a message
#      written as the store writes them; the full-text index finds
#      "Müller" and "Crème" from "muller creme"; notes stay in their own
#      index; the audit log numbers rows densely, in commit order across
#      concurrent appenders, and refuses updates, deletes, truncation; queue ids continue after the seeded 1;
#      migration 027 removes customer_email from a saved view; a
#      pg_dump / pg_restore round trip keeps all of it working.
#      The schema is also compared with SQLite's (sqlite3): the same
#      columns, foreign keys and named indexes, plus the documented
#      PostgreSQL-only columns and nothing else.
# Usage: tests/pg/apply-migrations.sh   (starts its own cluster with
# pg_virtualenv and drops it after). GH_PG_INSIDE=1 with PGHOST etc. set
# uses that database instead, which must be empty.
# Prints "pg-schema: ok" and exits 0, the failure and exits 1, or 77
# when pg_virtualenv is missing (skipped).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=src/store/pg/migrations

if [ -z "${GH_PG_INSIDE:-}" ]; then
	if ! command -v pg_virtualenv >/dev/null 2>&1; then
		echo "pg-schema: skipped, pg_virtualenv not found" \
			"(install postgresql and postgresql-common)"
		exit 77
	fi
	# As root, pg_virtualenv makes the system-wide cluster "regress",
	# one at a time per machine: wait (up to 5 minutes) while another
	# test's is running instead of failing.
	waited=0
	while [ "$(id -u)" -eq 0 ] &&
		ls -d /etc/postgresql/*/regress >/dev/null 2>&1 &&
		[ "$waited" -lt 300 ]; do
		[ "$waited" -eq 0 ] &&
			echo "pg-schema: waiting for another test's cluster"
		sleep 5
		waited=$((waited + 5))
	done
	exec env GH_PG_INSIDE=1 pg_virtualenv -o fsync=off "$0" "$@"
fi

fail() {
	echo "pg-schema: FAIL: $*" >&2
	exit 1
}
q() { # one query, unaligned, tuples only
	psql -X -q -v ON_ERROR_STOP=1 -At -c "$1"
}
# SQL and the expected output; fails with both shown when they differ.
expect() {
	local got
	got=$(q "$1" 2>&1) || fail "query failed: $1: $got"
	[ "$got" = "$2" ] || fail "$1: expected [$2], got [$got]"
}

psql -X -q -v ON_ERROR_STOP=1 -c \
	"CREATE TABLE schema_migrations (version bigint PRIMARY KEY,
	 applied_at bigint NOT NULL)" >/dev/null

# One pass as the runner makes it: skip what is recorded, apply the rest
# in order, each with its version row in one transaction. Prints how
# many it applied.
migrate() {
	local applied=0 prev=0 cur v f
	cur=$(q "SELECT COALESCE(max(version), 0) FROM schema_migrations")
	for f in "$DIR"/[0-9][0-9][0-9]_*.sql; do
		v=$((10#$(basename "$f" | cut -c1-3)))
		[ "$v" -gt "$prev" ] || fail "migrations out of order at $f"
		prev=$v
		[ "$v" -le "$cur" ] && continue
		{
			echo "BEGIN;"
			echo "SELECT pg_advisory_xact_lock(1163607368);"
			cat "$f"
			echo ";"
			echo "INSERT INTO schema_migrations VALUES ($v,"
			echo "  extract(epoch FROM now())::bigint);"
			echo "COMMIT;"
		} | psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$TMP/err" ||
			fail "$(basename "$f"): $(cat "$TMP/err")"
		applied=$((applied + 1))
	done
	echo "$applied"
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n_sql=$(find "$DIR" -name '[0-9][0-9][0-9]_*.sql' | wc -l)
n_sqlite=$(find src/store/migrations -name '[0-9][0-9][0-9]_*.sql' | wc -l)
[ "$n_sql" -eq "$n_sqlite" ] ||
	fail "$n_sql PostgreSQL migrations for $n_sqlite SQLite ones"
for f in src/store/migrations/[0-9][0-9][0-9]_*.sql; do
	[ -f "$DIR/$(basename "$f")" ] || fail "no twin of $f"
	grep -q "'$(basename "$f")'" "$DIR/meson.build" ||
		fail "$(basename "$f") is not in $DIR/meson.build"
done

got=$(migrate)
[ "$got" -eq "$n_sql" ] || fail "first pass applied $got of $n_sql"
echo "pg-schema: $got migrations applied"
got=$(migrate)
[ "$got" -eq 0 ] || fail "second pass applied $got, expected 0"
# Replaying an applied migration fails (its objects exist) and, in one
# transaction, changes nothing.
before=$(q "SELECT count(*) FROM pg_class WHERE relnamespace =
	    'public'::regnamespace")
for f in "$DIR"/[0-9][0-9][0-9]_*.sql; do
	case "$f" in *027_*) continue ;; esac # re-runnable by design
	if { echo "BEGIN;"; cat "$f"; echo "; COMMIT;"; } |
		psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1; then
		fail "$(basename "$f") applied a second time"
	fi
done
expect "SELECT count(*) FROM pg_class WHERE relnamespace =
	'public'::regnamespace" "$before"
echo "pg-schema: second pass applies nothing; replays fail and roll back"

# Production runs as the database's owner, not a superuser: the whole
# sequence applies so too (unaccent is a trusted extension).
q "CREATE ROLE gh_owner LOGIN PASSWORD '$PGPASSWORD'" >/dev/null
q "CREATE DATABASE gh_owned OWNER gh_owner" >/dev/null
(
	export PGUSER=gh_owner PGDATABASE=gh_owned
	expect "SELECT rolsuper FROM pg_roles WHERE rolname = current_user" f
	q "CREATE TABLE schema_migrations (version bigint PRIMARY KEY,
	   applied_at bigint NOT NULL)" >/dev/null
	got=$(migrate)
	[ "$got" -eq "$n_sql" ] || fail "as owner: applied $got of $n_sql"
) || exit 1
echo "pg-schema: a non-superuser database owner applies them all"

# Every SQLite table exists here with the same columns (names), and the
# PostgreSQL-only ones are the documented ones.
if command -v sqlite3 >/dev/null 2>&1; then
	cat src/store/migrations/[0-9][0-9][0-9]_*.sql |
		sqlite3 "$TMP/s.db" >/dev/null 2>&1 || true
	sqlite3 "$TMP/s.db" "SELECT m.name || '.' || p.name FROM sqlite_schema m,
		pragma_table_info(m.name) p WHERE m.type = 'table' AND
		m.name NOT LIKE 'search_%' AND m.name NOT LIKE 'sqlite_%'
		ORDER BY 1" >"$TMP/sqlite.cols"
	q "SELECT table_name || '.' || column_name FROM
	   information_schema.columns WHERE table_schema = 'public' AND
	   table_name <> 'schema_migrations' ORDER BY 1" |
		LC_ALL=C sort >"$TMP/pg.cols"
	LC_ALL=C sort -o "$TMP/sqlite.cols" "$TMP/sqlite.cols"
	extra=$(LC_ALL=C comm -13 "$TMP/sqlite.cols" "$TMP/pg.cols" | tr '\n' ' ')
	missing=$(LC_ALL=C comm -23 "$TMP/sqlite.cols" "$TMP/pg.cols" | tr '\n' ' ')
	[ -z "$missing" ] || fail "columns missing on PostgreSQL: $missing"
	[ "$extra" = "customer_fingerprints.seq messages.body_tsv notes.body_tsv tickets.subject_tsv " ] ||
		fail "undocumented PostgreSQL-only columns: $extra"
	n=$(wc -l <"$TMP/sqlite.cols")
	[ "$n" -gt 200 ] || fail "only $n SQLite columns read"
	echo "pg-schema: the $n SQLite columns all exist on PostgreSQL"
	# The same foreign keys (column -> table), all deferrable.
	sqlite3 "$TMP/s.db" "SELECT m.name || '.' || f.\"from\" || '>' ||
		f.\"table\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table'" | LC_ALL=C sort >"$TMP/sqlite.fks"
	q "SELECT c.conrelid::regclass || '.' || a.attname || '>' ||
	   c.confrelid::regclass FROM pg_constraint c JOIN pg_attribute a ON
	   a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE
	   c.contype = 'f' AND c.condeferrable AND NOT c.condeferred" |
		LC_ALL=C sort >"$TMP/pg.fks"
	cmp -s "$TMP/sqlite.fks" "$TMP/pg.fks" || fail "foreign keys differ:
$(diff "$TMP/sqlite.fks" "$TMP/pg.fks")"
	# The same named indexes (SQLite's own; PostgreSQL's search_* are the
	# FTS5 tables' twins), unique where SQLite's are.
	sqlite3 "$TMP/s.db" "SELECT name || CASE WHEN sql LIKE 'CREATE UNIQUE%'
		THEN ' u' ELSE '' END FROM sqlite_schema WHERE type = 'index' AND
		sql IS NOT NULL" | LC_ALL=C sort >"$TMP/sqlite.idx"
	printf '%s\n' search_messages search_notes search_subjects \
		>>"$TMP/sqlite.idx"
	LC_ALL=C sort -o "$TMP/sqlite.idx" "$TMP/sqlite.idx"
	q "SELECT i.relname || CASE WHEN x.indisunique THEN ' u' ELSE '' END
	   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE
	   i.relnamespace = 'public'::regnamespace AND NOT x.indisprimary AND
	   NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid =
	   x.indexrelid)" | LC_ALL=C sort >"$TMP/pg.idx"
	cmp -s "$TMP/sqlite.idx" "$TMP/pg.idx" || fail "indexes differ:
$(diff "$TMP/sqlite.idx" "$TMP/pg.idx")"
	echo "pg-schema: $(wc -l <"$TMP/sqlite.fks") foreign keys and" \
		"$(wc -l <"$TMP/sqlite.idx") indexes as on SQLite"
else
	echo "pg-schema: sqlite3 not found, column comparison skipped"
fi

# A staff member, a customer, a ticket, messages and a note, written as
# the store writes them (ids from the identity, seeded queue 1).
q "INSERT INTO staff (email, name, role, pw_hash, totp_seed, created_at)
   VALUES ('a@example.org', 'Ann', 'agent', 'h', '\\x00', 1)" >/dev/null
q "INSERT INTO customers (email_idx, email, name, pw_hash, totp_seed,
   created_at) VALUES ('idx1', '\\x01', 'C', 'h', '\\x00', 1)" >/dev/null
expect "INSERT INTO tickets (customer_id, subject, created_at, updated_at)
	VALUES (1, 'Rechnung für Herrn Müller', 10, 10) RETURNING id, queue_id,
	status, priority, last_activity, last_from" "1|1|open|normal|0|"
expect "INSERT INTO messages (ticket_id, author_realm, author_id, body,
	created_at) VALUES (1, 'customer', 1, 'Die Crème brûlée war kalt.',
	11) RETURNING id" "1"
q "INSERT INTO messages (ticket_id, author_realm, author_id, body,
   created_at) VALUES (1, 'staff', 1, 'Sorry about that.', 12)" >/dev/null
q "INSERT INTO notes (ticket_id, staff_id, body, created_at)
   VALUES (1, 1, 'Geheimnis: Kühlschrank kaputt', 13)" >/dev/null
# The new queue gets 2: the identity continues after the seeded 1.
expect "INSERT INTO queues (name) VALUES ('billing') RETURNING id" "2"
expect "SELECT staff_id || ':' || queue_id FROM staff_queues" ""

# Full-text: diacritic-free words find words with diacritics, as a phrase
# and as a prefix; case is folded; notes are only in their own index.
expect "SELECT id FROM tickets WHERE subject_tsv @@
	phraseto_tsquery('gh_search', 'muller')" "1"
expect "SELECT id FROM messages WHERE body_tsv @@
	(phraseto_tsquery('gh_search', 'CREME brulee') &&
	 phraseto_tsquery('gh_search', 'kalt'))" "1"
expect "SELECT id FROM messages WHERE body_tsv @@
	(phraseto_tsquery('gh_search', 'bru')::text
	 || ':*')::tsquery" "1"
expect "SELECT count(*) FROM messages WHERE body_tsv @@
	phraseto_tsquery('gh_search', 'brulee creme')" "0"
expect "SELECT count(*) FROM messages WHERE body_tsv @@
	plainto_tsquery('gh_search', 'kuhlschrank')" "0"
expect "SELECT id FROM notes WHERE body_tsv @@
	plainto_tsquery('gh_search', 'kuhlschrank')" "1"
expect "SELECT ts_rank_cd(body_tsv, plainto_tsquery('gh_search',
	'creme')) > 0 FROM messages WHERE id = 1" "t"
expect "SELECT ts_headline('gh_search', body, plainto_tsquery('gh_search',
	'CREME brulee'), 'StartSel=[,StopSel=]') FROM messages
	WHERE id = 1" "Die [Crème] [brûlée] war kalt."
# The GIN indexes are the ones a query uses (named as the FTS5 tables).
expect "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM
	pg_indexes WHERE indexname LIKE 'search_%'" \
	"search_messages,search_notes,search_subjects"
got=$(psql -X -At -c "SET enable_seqscan = off; EXPLAIN SELECT id FROM
	messages WHERE body_tsv @@ plainto_tsquery('gh_search', 'kalt')")
case "$got" in *search_messages*) ;; *) fail "search_messages unused: $got" ;; esac

# Constraints as in SQLite.
if q "UPDATE tickets SET status = 'closed' WHERE id = 1" >/dev/null 2>&1; then
	fail "a status outside the CHECK was accepted"
fi
if q "INSERT INTO customer_field_defs (name, class, created_by, created_at)
      VALUES ('Bad-Name', 'C1', 'x', 1)" >/dev/null 2>&1; then
	fail "a field name outside [a-z][a-z0-9_]* was accepted"
fi
q "INSERT INTO customer_field_defs (name, class, created_by, created_at)
   VALUES ('account_2', 'C1', 'x', 1)" >/dev/null
if q "INSERT INTO notes (ticket_id, staff_id, body, created_at)
      VALUES (99, 1, 'x', 1)" >/dev/null 2>&1; then
	fail "a note on a missing ticket was accepted"
fi
# Text compares bytewise, as SQLite's BINARY: 'Z' < 'a'.
q "INSERT INTO queues (name) VALUES ('alpha'), ('Zeta')" >/dev/null
expect "SELECT string_agg(name, ',' ORDER BY name) FROM queues" \
	"Zeta,alpha,billing,general"

# The audit log: dense seq from 1, append-only.
expect "INSERT INTO audit (record, leaf_hash) VALUES ('{\"a\":1}', '\\x01')
	RETURNING seq" "1"
expect "INSERT INTO audit (record, leaf_hash) VALUES ('{\"a\":2}', '\\x02')
	RETURNING seq" "2"
# A rolled-back append gives its number back: the next one is 3.
psql -X -q -c "BEGIN; INSERT INTO audit (record, leaf_hash) VALUES
	('{}', '\\x03'); ROLLBACK;" >/dev/null
expect "INSERT INTO audit (record, leaf_hash) VALUES ('{\"a\":3}', '\\x03')
	RETURNING seq" "3"
if q "INSERT INTO audit (seq, record, leaf_hash) VALUES (3, '{}', '\\x09')" \
	>/dev/null 2>&1; then
	fail "a second audit row 3 was accepted"
fi
expect "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM audit" "1,2,3"
for bad in "UPDATE audit SET record = 'x' WHERE seq = 1" \
	"DELETE FROM audit WHERE seq = 1" "TRUNCATE audit"; do
	err=$(q "$bad" 2>&1) && fail "allowed: $bad"
	case "$err" in *append-only*) ;; *) fail "$bad: $err" ;; esac
done
q "INSERT INTO audit_checkpoints (tree_size, root, signature, created_at)
   VALUES (3, '\\x00', '\\x00', 1)" >/dev/null
q "UPDATE audit_checkpoints SET tree_size = 2" >/dev/null 2>&1 &&
	fail "a checkpoint was updated"
# The SQLSTATE is check_violation (23514), which pg.h maps as SQLite's
# constraint errors.
expect "DO \$\$ BEGIN DELETE FROM audit WHERE seq = 1;
	RAISE EXCEPTION 'deleted'; EXCEPTION WHEN check_violation THEN
	NULL; END \$\$;
	SELECT 'mapped'" "mapped"

# Two appenders at once: the second waits for the first's advisory lock
# and, its snapshot older than the first's commit, fails with 40001
# (store_transact retries it); numbering stays dense.
psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN ISOLATION LEVEL SERIALIZABLE;
	SELECT 1; INSERT INTO audit (record, leaf_hash) VALUES ('{}', '\\x04');
	SELECT pg_sleep(1.5); COMMIT;" >/dev/null &
first=$!
sleep 0.5
err=$(psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN ISOLATION LEVEL SERIALIZABLE;
	SELECT 1; INSERT INTO audit (record, leaf_hash) VALUES ('{}', '\\x05');
	COMMIT;" 2>&1) && fail "two concurrent appends both committed"
wait "$first" || fail "the first concurrent append failed"
case "$err" in *"could not serialize"*) ;; *) fail "second append: $err" ;; esac
expect "SELECT max(seq) || ',' || count(*) FROM audit" "4,4"

# Migration 027 on a view saved with customer_email, one without, and a
# text that is not a JSON object (left alone, as json_valid does).
q "INSERT INTO saved_views (owner_id, name, filters, created_by,
   created_at, updated_at) VALUES
   (1, 'v1', '{\"status\":\"open\",\"customer_email\":\"x@example.org\"}',
    1, 1, 1),
   (1, 'v2', '{\"status\":\"pending\"}', 1, 1, 1),
   (1, 'v3', 'not json', 1, 1, 1)" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -f "$DIR/027_views_no_email.sql" >/dev/null ||
	fail "027 failed when run again"
expect "SELECT string_agg(name || '=' || filters, ' ' ORDER BY id)
	FROM saved_views" \
	'v1={"status": "open"} v2={"status":"pending"} v3=not json'

# The documented backup path: pg_dump, then pg_restore into a new
# database, keeps the rows, the audit numbering (its trigger keeps an
# explicit seq), the generated search columns and the configuration.
pg_dump -Fc -f "$TMP/dump" "$PGDATABASE" || fail "pg_dump failed"
createdb gh_restored || fail "createdb failed"
pg_restore --exit-on-error -d gh_restored "$TMP/dump" 2>"$TMP/err" ||
	fail "pg_restore failed: $(cat "$TMP/err")"
got=$(PGDATABASE=gh_restored q "SELECT (SELECT string_agg(seq::text, ','
	ORDER BY seq) FROM audit) || ' ' || (SELECT id FROM messages WHERE
	body_tsv @@ plainto_tsquery('gh_search', 'creme')) || ' ' ||
	(SELECT max(version) FROM schema_migrations)")
[ "$got" = "1,2,3,4 1 31" ] || fail "after pg_restore: [$got]"
got=$(PGDATABASE=gh_restored q "INSERT INTO audit (record, leaf_hash)
	VALUES ('{}', '\\x05') RETURNING seq") || fail "append after restore"
[ "$got" = "5" ] || fail "append after restore got seq $got"
echo "pg-schema: pg_dump and pg_restore keep the schema working"

echo "pg-schema: ok"
