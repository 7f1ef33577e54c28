/*
 * SQLite backend of the store: the connection. One sqlite3 handle per
 * store_conn (opened with SQLITE_OPEN_NOMUTEX: a connection is used by one
 * thread at a time), WAL journal, foreign keys on, a busy timeout; the
 * migrations applied in order; transactions; the per-connection cache of
 * prepared statements; the mapping of SQLite's result codes to ours; and
 * the table of operations, whose SQL lives in one file per table family
 * beside this one (accounts.c, sessions.c, tickets.c...).
 *
 * Invariant: every statement is prepared once per connection and kept
 * (SQLITE_PREPARE_PERSISTENT) under the address of its text; contention
 * (SQLITE_BUSY, SQLITE_LOCKED) always becomes -GH_UNAVAILABLE so that
 * store_transact() retries. It decides nothing: policies are core's.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/embed.h"
#include "util/errors.h"
#include "util/log.h"

extern const struct embedded_file store_migrations[];

static const struct store_ops sq_ops;

int
sq_err(struct sq_conn *q, int rc, const char *where)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		return -GH_UNAVAILABLE;
	if (prim == SQLITE_CONSTRAINT)
		return -GH_EXISTS;
	log_event(LOG_ERROR, "store.sqlite",
		  json_pack("{s:s%, s:i, s:s}", "where", where,
			    strnlen(where, 60), "code", rc, "msg",
			    sqlite3_errmsg(q->db)));
	return -GH_INTERNAL;
}

sqlite3_stmt *
sq_stmt(struct sq_conn *q, const char *sql)
{
	sqlite3_stmt *st = NULL;

	for (unsigned i = 0; i < q->n_cache; i++) {
		if (q->cache[i].sql == sql) {
			st = q->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (q->n_cache == SQ_STMT_CACHE) {
		/* Never reached while SQ_STMT_CACHE exceeds the statement
		 * count; fail rather than leak a statement per call. */
		LOG_BUG("statement cache full");
		return NULL;
	}
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		sq_err(q, sqlite3_errcode(q->db), sql);
		return NULL;
	}
	q->cache[q->n_cache].sql = sql;
	q->cache[q->n_cache].st = st;
	q->n_cache++;
	return st;
}

int
sq_script(struct sq_conn *q, const char *sql)
{
	int rc;

	sq_snapshot_end(q);
	rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(q, rc, sql);
}

/* --- shared reads ------------------------------------------------------ */

/* A read statement outside a transaction would take and drop SQLite's
 * WAL read lock (a mutex and fcntl() calls) by itself; the reads of one
 * request share one deferred read transaction instead. It never holds a
 * write: a writing statement, BEGIN IMMEDIATE or any script ends it
 * first, so the write starts from the newest data as before. */
void
sq_snapshot_before(struct sq_conn *q, sqlite3_stmt *st)
{
	if (!sqlite3_stmt_readonly(st)) {
		sq_snapshot_end(q);
		return;
	}
	if (!q->snap_wanted || q->snap_open || !sqlite3_get_autocommit(q->db))
		return;
	/* A failed BEGIN leaves autocommit: the read runs alone. */
	if (sqlite3_step(q->snap_begin) == SQLITE_DONE)
		q->snap_open = 1;
	sqlite3_reset(q->snap_begin);
}

void
sq_snapshot_end(struct sq_conn *q)
{
	int rc;

	if (!q->snap_open)
		return;
	q->snap_open = 0;
	/* An error may have rolled the transaction back already. */
	if (sqlite3_get_autocommit(q->db))
		return;
	rc = sqlite3_step(q->snap_commit);
	sqlite3_reset(q->snap_commit);
	if (rc != SQLITE_DONE) {
		sq_err(q, rc, "COMMIT (shared reads)");
		(void)sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

static void
sq_shared_reads(struct store_conn *c, int on)
{
	struct sq_conn *q = sq_conn_of(c);

	q->snap_wanted = on;
	if (!on)
		sq_snapshot_end(q);
}

/* --- connection ------------------------------------------------------ */

static void
sq_close(struct store_conn *c)
{
	struct sq_conn *q = sq_conn_of(c);

	if (q == NULL)
		return;
	for (unsigned i = 0; i < q->n_cache; i++)
		sqlite3_finalize(q->cache[i].st);
	sqlite3_finalize(q->snap_begin);
	sqlite3_finalize(q->snap_commit);
	sqlite3_close_v2(q->db);
	free(q);
}

/* SQLite's memory statistics (nothing here reads them) would take one
 * process-wide mutex around every allocation of every connection; off
 * before the first open (issue 14 VIEW2). */
static void
sq_library_once(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
sq_open(const char *path, struct store_conn **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_conn *q = calloc(1, sizeof(*q));
	int rc;

	*out = NULL;
	pthread_once(&once, sq_library_once);
	if (q == NULL)
		return -GH_INTERNAL;
	q->base.ops = &sq_ops;
	q->base.db = &sq_db_vt;
	rc = sqlite3_open_v2(path, &q->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		log_event(LOG_ERROR, "store.sqlite",
			  json_pack("{s:s, s:i}", "where", "open", "code", rc));
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, 5000);
	if (sq_script(q, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
			 "PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
			 "PRAGMA trusted_schema=OFF;") < 0 ||
	    sq_search_register(q->db) < 0)
		goto fail;
	if (sqlite3_prepare_v3(q->db, "BEGIN DEFERRED", -1,
			       SQLITE_PREPARE_PERSISTENT, &q->snap_begin,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(q->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT,
			       &q->snap_commit, NULL) != SQLITE_OK) {
		sq_err(q, sqlite3_errcode(q->db), "prepare shared reads");
		goto fail;
	}
	*out = &q->base;
	return 0;
fail:
	sq_close(&q->base);
	return -GH_INTERNAL;
}

static int
sq_begin(struct store_conn *c)
{
	return sq_script(sq_conn_of(c), "BEGIN IMMEDIATE");
}

static int
sq_commit(struct store_conn *c)
{
	return sq_script(sq_conn_of(c), "COMMIT");
}

static int
sq_rollback(struct store_conn *c)
{
	sq_snapshot_end(sq_conn_of(c));
	if (sqlite3_get_autocommit(sq_conn_of(c)->db))
		return 0;
	return sq_script(sq_conn_of(c), "ROLLBACK");
}

/* --- migrations ------------------------------------------------------- */

/* 0 when no row breaks a foreign key, -GH_INTERNAL (logged) otherwise. */
static int
sq_fk_check(struct store_conn *c)
{
	int rc = sq_row(c, NULL, NULL, "PRAGMA foreign_key_check", "");

	if (rc == -GH_NOT_FOUND)
		return 0;
	if (rc == 0)
		LOG_BUG("a migration leaves a broken foreign key");
	return -GH_INTERNAL;
}

/* Applies migration m (number v) in one transaction. SQLite's procedure
 * for schema changes: foreign keys off (only possible outside a
 * transaction), change, then check every key before committing. */
static int
apply_migration(struct store_conn *c, const struct embedded_file *m,
		int64_t v)
{
	struct sq_conn *q = sq_conn_of(c);
	int rc = sq_script(q, "PRAGMA foreign_keys=OFF");

	if (rc == 0)
		rc = sq_script(q, "BEGIN IMMEDIATE");
	if (rc == 0)
		rc = sq_script(q, (const char *)m->data);
	if (rc == 0)
		rc = sq_fk_check(c);
	if (rc == 0)
		rc = sq_exec(c,
			     "INSERT INTO schema_migrations (version, "
			     "applied_at) VALUES (?, strftime('%s','now'))",
			     "i", v);
	if (rc == 0)
		rc = sq_script(q, "COMMIT");
	if (rc < 0)
		sq_rollback(c);
	if (sq_script(q, "PRAGMA foreign_keys=ON") < 0)
		rc = -GH_INTERNAL;
	return rc;
}

static int
sq_migrate(struct store_conn *c, int *version_out)
{
	int64_t current = 0;
	long prev = 0;
	int rc;

	rc = sq_script(sq_conn_of(c),
		       "CREATE TABLE IF NOT EXISTS schema_migrations ("
		       "version INTEGER PRIMARY KEY, "
		       "applied_at INTEGER NOT NULL)");
	if (rc == 0)
		rc = sq_row(c, sq_int64, &current,
			    "SELECT COALESCE(MAX(version), 0) "
			    "FROM schema_migrations",
			    "");
	if (rc < 0)
		return rc;
	/* The table is generated in file-name order: 001_, 002_, ... */
	for (const struct embedded_file *m = store_migrations; m->name; m++) {
		char *end = NULL;
		long v = strtol(m->name, &end, 10);

		if (end == m->name || v <= 0) {
			LOG_BUG("migration name without a number");
			return -GH_INTERNAL;
		}
		/* A list out of order would skip a migration for good. */
		if (v <= prev) {
			LOG_BUG("migrations out of order in the build list");
			return -GH_INTERNAL;
		}
		prev = v;
		if (v <= current)
			continue;
		rc = apply_migration(c, m, v);
		if (rc < 0) {
			log_event(LOG_ERROR, "store.migrate",
				  json_pack("{s:s}", "migration", m->name));
			return rc;
		}
		current = v;
		log_event(LOG_INFO, "store.migrated",
			  json_pack("{s:s}", "migration", m->name));
	}
	*version_out = (int)current;
	return 0;
}

/* --- readiness (issue 16 MANAGE) ------------------------------------- */

/* The database file was removed or replaced since the connection opened
 * it (SQLITE_FCNTL_HAS_MOVED): what this process writes then goes to a
 * file nobody will open again, so the store is not ready. Otherwise one
 * read, with the busy timeout cut to timeout_ms. */
static int
sq_ping(struct store_conn *c, int timeout_ms, int *version_out)
{
	struct sq_conn *q = sq_conn_of(c);
	int64_t v = 0;
	int moved = 0;
	int rc;

	if (sqlite3_file_control(q->db, "main", SQLITE_FCNTL_HAS_MOVED,
				 &moved) != SQLITE_OK ||
	    moved)
		return -GH_UNAVAILABLE;
	sqlite3_busy_timeout(q->db, timeout_ms);
	rc = sq_row(c, sq_int64, &v,
		    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
		    "");
	sqlite3_busy_timeout(q->db, 5000);
	if (rc < 0)
		return -GH_UNAVAILABLE;
	*version_out = (int)v;
	return 0;
}

/* The number of the last migration compiled in. */
static int
sq_newest_version(void)
{
	long newest = 0;

	for (const struct embedded_file *m = store_migrations; m->name; m++)
		newest = strtol(m->name, NULL, 10);
	return (int)newest;
}

/* --- the operations ------------------------------------------------- */

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	/* accounts.c */
	.account_by_login = db_account_by_login,
	.account_by_id = db_account_by_id,
	.account_advance_totp = db_account_advance_totp,
	.account_set_pw_hash = db_account_set_pw_hash,
	.account_set_totp = db_account_set_totp,
	.account_set_disabled = db_account_set_disabled,
	.staff_insert = db_staff_insert,
	.staff_name = db_staff_name,
	.customer_insert = db_customer_insert,
	/* sessions.c */
	.session_insert = db_session_insert,
	.session_get = db_session_get,
	.session_touch = db_session_touch,
	.session_delete = db_session_delete,
	.session_delete_principal = db_session_delete_principal,
	/* throttle.c */
	.throttle_get = db_throttle_get,
	.throttle_put = db_throttle_put,
	.throttle_clear = db_throttle_clear,
	.throttle_take = db_throttle_take,
	.throttle_refund = db_throttle_refund,
	/* audit.c */
	.audit_append = db_audit_append,
	.audit_get = db_audit_get,
	.audit_count = db_audit_count,
	.audit_checkpoint_insert = db_audit_checkpoint_insert,
	.audit_checkpoint_get = db_audit_checkpoint_get,
	.audit_page = db_audit_page,
	.audit_checkpoint_page = db_audit_checkpoint_page,
	.audit_checkpoint_newest = db_audit_checkpoint_newest,
	/* tickets.c */
	.ticket_insert = db_ticket_insert,
	.ticket_update = db_ticket_update,
	.ticket_set_queue = db_ticket_set_queue,
	.ticket_set_priority = db_ticket_set_priority,
	.ticket_set_tags = db_ticket_set_tags,
	.portal_ticket_get = db_portal_ticket_get,
	.portal_ticket_list = db_portal_ticket_list,
	.staff_ticket_get = db_staff_ticket_get,
	.staff_ticket_list = db_staff_ticket_list,
	/* threads.c */
	.message_insert = db_message_insert,
	.note_insert = db_note_insert,
	.message_set_analysis = db_message_set_analysis,
	.portal_messages = db_portal_messages,
	.staff_messages = db_staff_messages,
	.staff_notes = db_staff_notes,
	/* queues.c */
	.queue_insert = db_queue_insert,
	.queue_by_name = db_queue_by_name,
	.queue_list = db_queue_list,
	.staff_queue_add = db_staff_queue_add,
	.staff_queue_remove = db_staff_queue_remove,
	.staff_queue_list = db_staff_queue_list,
	.staff_in_queue = db_staff_in_queue,
	/* customers.c */
	.customer_contact = db_customer_contact,
	.customer_set_phrase = db_customer_set_phrase,
	.customer_sealed_next = db_customer_sealed_next,
	/* fingerprints.c */
	.fingerprint_add = db_fingerprint_add,
	.fingerprint_foreign = db_fingerprint_foreign,
	.fingerprint_count = db_fingerprint_count,
	.fingerprint_since = db_fingerprint_since,
	/* outbox.c */
	.outbox_insert = db_outbox_insert,
	.outbox_due = db_outbox_due,
	.outbox_claim = db_outbox_claim,
	.outbox_delivered = db_outbox_delivered,
	.outbox_failed = db_outbox_failed,
	/* attachments.c */
	.attachment_insert = db_attachment_insert,
	.attachment_get = db_attachment_get,
	.attachment_list = db_attachment_list,
	.portal_attachment_list = db_portal_attachment_list,
	.attachment_release = db_attachment_release,
	.attachment_expired = db_attachment_expired,
	.attachment_delete = db_attachment_delete,
	.held_insert = db_held_insert,
	.held_get = db_held_get,
	.held_list = db_held_list,
	.held_decide = db_held_decide,
	.note_mark = db_note_mark,
	/* verify.c */
	.verification_insert = db_verification_insert,
	.verification_get = db_verification_get,
	.verification_open_count = db_verification_open_count,
	.verification_end = db_verification_end,
	.verification_factor_put = db_verification_factor_put,
	.portal_verification_list = db_portal_verification_list,
	.verification_lock_get = db_verification_lock_get,
	.verification_lock_set = db_verification_lock_set,
	.verification_lock_clear = db_verification_lock_clear,
	.staff_alert_list = db_staff_alert_list,
	.verification_supersede = db_verification_supersede,
	.verification_recent = db_verification_recent,
	/* changes.c */
	.change_insert = db_change_insert,
	.change_get = db_change_get,
	.change_list = db_change_list,
	.change_approve = db_change_approve,
	.change_close = db_change_close,
	.change_applied = db_change_applied,
	.change_due = db_change_due,
	.customer_reseal = db_customer_reseal,
	.customer_set_phone = db_customer_set_phone,
	.field_def_insert = db_field_def_insert,
	.field_def_by_name = db_field_def_by_name,
	.field_def_list = db_field_def_list,
	.customer_field_put = db_customer_field_put,
	.customer_field_values = db_customer_field_values,
	.customer_personal = db_customer_personal,
	.customer_set_account_number = db_customer_set_account_number,
	.customer_set_phone_idx = db_customer_set_phone_idx,
	.customer_by_phone_idx = db_customer_by_phone_idx,
	.customer_phone_unindexed = db_customer_phone_unindexed,
	.sealed_heads = db_sealed_heads,
	.sealed_get = db_sealed_get,
	.sealed_replace = db_sealed_replace,
	/* customers.c, reveals.c: the disclosure gate */
	.disclosure = {
		.customer_visible = db_customer_visible,
		.customer_name = db_customer_name,
		.reveal_insert = db_reveal_insert,
		.reveal_count = db_reveal_count,
		.reveal_lock_get = db_reveal_lock_get,
		.reveal_lock_set = db_reveal_lock_set,
		.reveal_lock_clear = db_reveal_lock_clear,
		.reveal_agents = db_reveal_agents,
	},
	/* training.c: staff training (issue 11, part A) */
	.training = {
		.module_put = db_training_module_put,
		.module_get = db_training_module_get,
		.module_list = db_training_module_list,
		.completion_insert = db_training_completion_insert,
		.attempt_insert = db_training_attempt_insert,
		.attempt_count = db_training_attempt_count,
		.assignment_open = db_training_assignment_open,
		.states = db_training_states,
	},
	/* contact.c: customer protection (issue 11 part D) */
	.contact = {
		.code_insert = db_contact_code_insert,
		.code_live = db_contact_code_live,
		.code_find = db_contact_code_find,
		.code_use = db_contact_code_use,
		.codes_since = db_contact_codes_since,
		.check_insert = db_contact_check_insert,
		.checks_since = db_contact_checks_since,
		.reveals = db_contact_reveals,
		.mfa = db_contact_mfa,
	},
	/* hygiene.c: account hygiene (issue 11 part C) */
	.hygiene = {
		.session_list = db_hyg_session_list,
		.session_hash_of = db_hyg_session_hash_of,
		.session_delete_others = db_hyg_session_delete_others,
		.login_insert = db_hyg_login_insert,
		.login_list = db_hyg_login_list,
		.login_network_seen = db_hyg_login_network_seen,
		.staff_pw_get = db_hyg_staff_pw_get,
		.staff_pw_set = db_hyg_staff_pw_set,
		.staff_pw_force = db_hyg_staff_pw_force,
	},
	/* drills.c: phishing drills and reported messages (part B) */
	.drills = {
		.campaign_insert = db_drill_campaign_insert,
		.campaign_count = db_drill_campaign_count,
		.campaign_list = db_drill_campaign_list,
		.campaign_get = db_drill_campaign_get,
		.target_list = db_drill_target_list,
		.target_due = db_drill_target_due,
		.target_by_ticket = db_drill_target_by_ticket,
		.target_delivered = db_drill_target_delivered,
		.target_event = db_drill_target_event,
		.queue_staff = db_drill_queue_staff,
		.message_report = db_drill_message_report,
		.message_reported = db_drill_message_reported,
		.attachments_quarantine = db_drill_attachments_quarantine,
	},
	/* sla.c: business calendars, SLA policies and clocks (issue 15) */
	.sla = &db_sla_ops,
	/* quota.c: quotas (issue 14) */
	.quota = {
		.sum = db_quota_sum,
		.walk = db_quota_walk,
		.event_add = db_quota_event_add,
		.hit = db_quota_hit,
		.closed = db_quota_closed,
		.summarised = db_quota_summarised,
		.prune = db_quota_prune,
	},
	/* super.c: staff and queues for the supervisor's console (issue 15) */
	.super = {
		.staff_list = db_super_staff_list,
		.active_admins = db_super_active_admins,
		.queue_stats = db_super_queue_stats,
	},
	.macros = &db_macros_ops, /* macros.c: canned replies (issue 15) */
	/* search.c: full-text search and saved views (issue 15) */
	.search = {
		.tickets = sq_search_tickets,
		.count = sq_search_count,
		.view_insert = db_view_insert,
		.view_update = db_view_update,
		.view_delete = db_view_delete,
		.view_get = db_view_get,
		.view_list = db_view_list,
		.view_count = db_view_count,
	},
	/* self.c: customer self-service (issue 15, part SELF) */
	.self = {
		.codes_replace = db_self_codes_replace,
		.codes_live = db_self_codes_live,
		.code_use = db_self_code_use,
		.codes_count = db_self_codes_count,
		.reenrol_put = db_self_reenrol_put,
		.reenrol_get = db_self_reenrol_get,
		.reenrol_delete = db_self_reenrol_delete,
		.token_insert = db_self_token_insert,
		.token_get = db_self_token_get,
		.token_use = db_self_token_use,
		.tokens_since = db_self_tokens_since,
	},
	/* events.c: live updates (issue 15, part LIVE) */
	.events = &sq_events_ops,
};

const struct store_backend store_sqlite_backend = {
	.prefix = "sqlite:",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.shared_reads = sq_shared_reads,
	.ping = sq_ping,
	.newest_version = sq_newest_version,
};
