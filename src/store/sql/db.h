/*
 * The store's backend-neutral query layer (src/store/sql/): the one query
 * helper the operations shared by both backends go through, and the column
 * readers of their row callbacks. Each family of operations whose SQL is
 * the same on SQLite and PostgreSQL lives once in src/store/sql/X.c and
 * both ops tables (store/sqlite/conn.c, store/pg/ops.c) take it through
 * DB_OPS (store/sql/db_ops.h); a backend keeps only what is its own
 * (connection, transactions, migrations, backup, full-text search, live
 * events).
 *
 * A query is one statement, as sq.h and pg.h describe: the SQL text (a
 * string literal or a static array: its address keys each connection's
 * cache of prepared statements), the types of its parameters, one letter
 * per parameter (i I b t r B x, as sq.h), then the values. Parameters are
 * written `?` or `?N` (SQLite's syntax, never mixed in one statement);
 * the PostgreSQL backend rewrites them to $N when it prepares the text
 * (a text of the PostgreSQL backend's own, with $N, passes unchanged).
 * The number of letters must equal the statement's highest parameter.
 *
 * Where the SQL truly differs, a statement picks its text by dialect
 * from a static pair {SQLite, PostgreSQL}: DB_SQL(c, pair) (both texts
 * start with a literal, so each is its own cached statement and the
 * statement-cache tests count it). Casts are written CAST(x AS BIGINT),
 * which both read.
 *
 * db_insert takes an INSERT without RETURNING: SQLite reads the new
 * rowid, PostgreSQL appends " RETURNING id" when it prepares the text.
 *
 * A statement that writes never starts with "SELECT " (pg.h: such a
 * statement is a read, resent once after a lost connection).
 *
 * Results: as sq.h and pg.h (each backend maps its own errors).
 */
#ifndef GH_STORE_SQL_DB_H
#define GH_STORE_SQL_DB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A row of a result, as row callbacks see it: the backend's statement or
 * result and the row's number in it. */
struct db_row {
	const struct db_vt *vt;
	void *res;
	int row;
};

/* Called for each row: reads it into ctx. 0 goes on, a positive value
 * ends early (success), a negative one ends and is returned. */
typedef int (*db_row_fn)(const struct db_row *r, void *ctx);

/* What one run of a statement does with its rows. */
struct db_run {
	db_row_fn fn;
	void *ctx;
	int one;      /* stop after the first row */
	int insert;   /* db_insert: id gets the new row's id */
	int rows;     /* rows seen */
	int64_t id;
};

enum db_dialect { DB_SQLITE, DB_PG };

/* What a backend provides to this layer (its query.c). */
struct db_vt {
	enum db_dialect dialect;
	int (*run)(struct store_conn *c, struct db_run *r, const char *sql,
		   const char *types, va_list *ap);
	int64_t (*changes)(struct store_conn *c);
	int (*null)(const struct db_row *r, int i);
	int64_t (*i64)(const struct db_row *r, int i);
	double (*f64)(const struct db_row *r, int i);
	void (*text)(const struct db_row *r, int i, char *out, size_t outsz);
	int (*blob)(const struct db_row *r, int i, struct blob *out);
	int (*dup)(const struct db_row *r, int i, char **out);
	void (*bytes)(const struct db_row *r, int i, unsigned char *out,
		      size_t n);
	int (*ncols)(const struct db_row *r);
	/* Indexes text as the document doc of the row the connection
	 * inserted last, for full-text search (SQLite's FTS5 table); NULL
	 * where the server indexes by itself (PostgreSQL's generated
	 * tsvector columns). */
	int (*search_index)(struct store_conn *c, enum search_doc doc,
			    const char *text);
};

extern const struct db_vt sq_db_vt;
extern const struct db_vt pg_db_vt;

/* 1 on PostgreSQL: picks a statement's text where the SQL differs. */
static inline int
db_pg(const struct store_conn *c)
{
	return c->db->dialect == DB_PG;
}

/* The text of a statement in the connection's dialect, from a static
 * {SQLite, PostgreSQL} pair of texts. */
#define DB_SQL(c, pair) ((pair)[db_pg(c) ? 1 : 0])
/* The current time in whole seconds, as each dialect writes it (SQL
 * fragments for the pairs above). */
#define DB_NOW_SQLITE "strftime('%s','now')"
#define DB_NOW_PG "floor(extract(epoch FROM now()))::bigint"

/* A LIMIT's value: a negative limit is none (as SQLite reads it;
 * PostgreSQL refuses it). Pass the offset as db_offset: a negative one
 * is 0. */
static inline int64_t
db_limit(int64_t limit)
{
	return limit < 0 ? INT64_MAX : limit;
}

static inline int64_t
db_offset(int64_t offset)
{
	return offset < 0 ? 0 : offset;
}

/* --- query.c: the query helper ---------------------------------------- */

/* A call that does not fit its statement: our bug, logged under event
 * with where the statement starts (never its values). */
void db_misuse(const char *event, const char *sql, const char *what);

/* A statement that returns no rows. */
int db_exec(struct store_conn *c, const char *sql, const char *types, ...);
/* An INSERT (no RETURNING); *id_out (may be NULL) gets the new id. */
int db_insert(struct store_conn *c, int64_t *id_out, const char *sql,
	      const char *types, ...);
/* A change that must touch exactly one row; `none` when it touched none. */
int db_change(struct store_conn *c, int none, const char *sql,
	      const char *types, ...);
/* One row: fn (may be NULL: an existence test) reads it; -GH_NOT_FOUND
 * when there is none. */
int db_row(struct store_conn *c, db_row_fn fn, void *ctx, const char *sql,
	   const char *types, ...);
/* Any number of rows, fn called for each. */
int db_rows(struct store_conn *c, db_row_fn fn, void *ctx, const char *sql,
	    const char *types, ...);
/* Rows changed by the last statement on c. */
int64_t db_changes(struct store_conn *c);

/* Ids read into an array: db_id_push, a row callback, appends column 0
 * of each row to ids until max are held, then ends the statement. */
struct db_ids {
	int64_t *ids;
	size_t n, max;
};
int db_id_push(const struct db_row *r, void *ctx);
/* A row callback storing column 0 into the int64_t ctx points to. */
int db_int64(const struct db_row *r, void *ctx);
/* The malloc'd array v of n elements of size bytes, grown when needed to
 * hold element n, which is zeroed. NULL when out of memory (v is then
 * unchanged and still the caller's). */
void *db_append(void *v, size_t n, size_t size);

/* Column readers. db_text copies into out (cut at outsz - 1; "" for
 * NULL). db_blob, db_dup: malloc'd copies (NULL data or NULL string for
 * SQL NULL); -GH_INTERNAL when out of memory. db_bytes: exactly n bytes,
 * or zeros when the column has another size. */
static inline int
db_null(const struct db_row *r, int i)
{
	return r->vt->null(r, i);
}

static inline int64_t
db_i64(const struct db_row *r, int i)
{
	return r->vt->i64(r, i);
}

static inline int
db_int(const struct db_row *r, int i)
{
	return (int)r->vt->i64(r, i);
}

static inline double
db_f64(const struct db_row *r, int i)
{
	return r->vt->f64(r, i);
}

static inline void
db_text(const struct db_row *r, int i, char *out, size_t outsz)
{
	r->vt->text(r, i, out, outsz);
}

static inline int
db_blob(const struct db_row *r, int i, struct blob *out)
{
	return r->vt->blob(r, i, out);
}

static inline int
db_dup(const struct db_row *r, int i, char **out)
{
	return r->vt->dup(r, i, out);
}

static inline void
db_bytes(const struct db_row *r, int i, unsigned char *out, size_t n)
{
	r->vt->bytes(r, i, out, n);
}

/* The number of columns of the row's statement. */
static inline int
db_ncols(const struct db_row *r)
{
	return r->vt->ncols(r);
}

enum realm db_realm(const struct db_row *r, int i);

/* The search index of the row just inserted (struct db_vt); 0 where the
 * server keeps it. */
static inline int
db_search_index(struct store_conn *c, enum search_doc doc, const char *text)
{
	return c->db->search_index != NULL ? c->db->search_index(c, doc, text)
					   : 0;
}

/*
 * The staff visibility rule in SQL, with the parameters for "sees all"
 * and the viewer's id (pass them as strings: DB_STAFF_SEES("?3", "?4")):
 * every ticket for supervisors and admins; for an agent those assigned to
 * them, and unassigned ones in a queue they are a member of. The ticket
 * is `t`.
 */
#define DB_STAFF_SEES(all, viewer)                                            \
	"(" all " OR t.assignee_id = " viewer " OR (t.assignee_id IS NULL "  \
	"AND EXISTS (SELECT 1 FROM staff_queues sq WHERE sq.staff_id = "     \
	viewer " AND sq.queue_id = t.queue_id)))"

/* --- the shared operations, by file (src/store/sql/X.c) --------------- */

/* accounts.c */
int db_account_by_login(struct store_conn *c, enum realm r, const char *login,
			struct account *out);
int db_account_by_id(struct store_conn *c, enum realm r, int64_t id,
		     struct account *out);
int db_account_advance_totp(struct store_conn *c, enum realm r, int64_t id,
			    int64_t step);
int db_account_set_pw_hash(struct store_conn *c, enum realm r, int64_t id,
			   const char *pw_hash);
int db_account_set_totp(struct store_conn *c, enum realm r, int64_t id,
			const struct blob *seed, int enrolled);
int db_account_set_disabled(struct store_conn *c, enum realm r, int64_t id,
			    int disabled);
int db_staff_insert(struct store_conn *c, const struct staff_new *s,
		    int64_t *id_out);
int db_staff_name(struct store_conn *c, int64_t id, char *out, size_t outsz);
int db_customer_insert(struct store_conn *c, const struct customer_new *s,
		       int64_t *id_out);

/* sessions.c */
int db_session_insert(struct store_conn *c, const struct session_rec *s);
int db_session_get(struct store_conn *c, const char *token_hash,
		   struct session_rec *out);
int db_session_touch(struct store_conn *c, const char *token_hash,
		     int64_t now);
int db_session_delete(struct store_conn *c, const char *token_hash);
int db_session_delete_principal(struct store_conn *c, enum realm r,
				int64_t id, int64_t *n_out);

/* throttle.c */
int db_throttle_get(struct store_conn *c, const char *key,
		    struct throttle_rec *out);
int db_throttle_put(struct store_conn *c, const struct throttle_rec *t);
int db_throttle_clear(struct store_conn *c, const char *key);
int db_throttle_take(struct store_conn *c, const char *key, int64_t now,
		     const struct throttle_rule *rule, struct throttle_rec *out);
int db_throttle_refund(struct store_conn *c, const struct throttle_rec *t);

/* queues.c */
int db_key_check_put(struct store_conn *c, int64_t id,
		     const unsigned char check[16], int64_t now);
int db_key_check_get(struct store_conn *c, int64_t id, unsigned char check[16]);
int db_queue_insert(struct store_conn *c, const char *name, int64_t *id_out);
int db_queue_by_name(struct store_conn *c, const char *name,
		     struct queue_rec *out);
int db_queue_list(struct store_conn *c, struct queue_list *out);
int db_staff_queue_list(struct store_conn *c, int64_t staff_id,
			struct queue_list *out);
int db_staff_queue_add(struct store_conn *c, int64_t staff_id,
		       int64_t queue_id);
int db_staff_queue_remove(struct store_conn *c, int64_t staff_id,
			  int64_t queue_id);
int db_staff_in_queue(struct store_conn *c, int64_t staff_id,
		      int64_t queue_id);

/* fingerprints.c */
int db_fingerprint_add(struct store_conn *c, const char *kind, const char *fp,
		       int64_t customer_id);
int db_fingerprint_foreign(struct store_conn *c, const char *kind,
			   const char *fp, int64_t customer_id);
int db_fingerprint_count(struct store_conn *c, int64_t *n_out);
int db_fingerprint_since(struct store_conn *c, int64_t from_row,
			 int (*fn)(void *cls, int64_t row, const char *kind,
				   const char *fp),
			 void *cls);

/* outbox.c */
int db_outbox_insert(struct store_conn *c, const struct outbox_new *o,
		     int64_t *id_out);
int db_outbox_due(struct store_conn *c, int64_t now, size_t max,
		  struct outbox_list *out);
int db_outbox_claim(struct store_conn *c, int64_t id, int64_t expected,
		    int64_t until);
int db_outbox_delivered(struct store_conn *c, int64_t id, int64_t now);
int db_outbox_failed(struct store_conn *c, int64_t id,
		     int64_t next_attempt_at, const char *error);

/* customers.c */
int db_customer_contact(struct store_conn *c, int64_t customer_id,
			struct customer_contact *out);
int db_customer_set_phrase(struct store_conn *c, int64_t customer_id,
			   const struct blob *phrase);
int db_customer_sealed_next(struct store_conn *c, int64_t after_id,
			    struct customer_sealed *out);
int db_customer_name(struct store_conn *c, int64_t customer_id, char *out,
		     size_t outsz);
int db_customer_visible(struct store_conn *c, const struct ticket_query *q,
			int64_t customer_id);

/* held.c */
int db_held_insert(struct store_conn *c, const struct held_new *h,
		   int64_t *id_out);
int db_held_get(struct store_conn *c, int64_t ticket_id, int64_t id,
		struct held_reply *out);
int db_held_list(struct store_conn *c, int64_t ticket_id,
		 struct held_list *out);
int db_held_decide(struct store_conn *c, const struct held_decision *d);
int db_note_mark(struct store_conn *c, int64_t ticket_id, int64_t *count_out,
		 int64_t *last_id_out);

/* fields.c */
int db_field_def_insert(struct store_conn *c, const struct field_def *d,
			int64_t *id_out);
int db_field_def_by_name(struct store_conn *c, const char *name,
			 struct field_def *out);
int db_field_def_list(struct store_conn *c, struct field_def_list *out);
int db_customer_field_put(struct store_conn *c, int64_t customer_id,
			  int64_t field_id, const struct blob *value,
			  int64_t now);
int db_customer_field_values(struct store_conn *c, int64_t customer_id,
			     struct field_value_list *out);
int db_customer_personal(struct store_conn *c, int64_t customer_id,
			 struct customer_personal *out);
int db_customer_set_account_number(struct store_conn *c, int64_t customer_id,
				   const struct blob *value);
int db_customer_set_phone_idx(struct store_conn *c, int64_t customer_id,
			      const char *phone_idx);
int db_customer_by_phone_idx(struct store_conn *c, const char *phone_idx,
			     int64_t *ids, size_t max, size_t *n_out);
int db_customer_phone_unindexed(struct store_conn *c, int64_t after_id,
				int64_t *id_out);

/* reveals.c */
int db_reveal_insert(struct store_conn *c, const struct reveal_new *r,
		     int64_t *id_out);
int db_reveal_count(struct store_conn *c, int64_t staff_id, int64_t since,
		    int64_t *n_out);
int db_reveal_lock_get(struct store_conn *c, int64_t staff_id,
		       struct reveal_lock *out);
int db_reveal_lock_set(struct store_conn *c, int64_t staff_id,
		       const char *reason, int64_t now);
int db_reveal_lock_clear(struct store_conn *c, int64_t staff_id,
			 int64_t cleared_by, int64_t now);
int db_reveal_agents(struct store_conn *c, int64_t since,
		     struct reveal_agent_list *out);

/* changes.c */
int db_change_insert(struct store_conn *c, const struct change_new *n,
		     int64_t *id_out);
int db_change_get(struct store_conn *c, int64_t id, struct change_rec *out);
int db_change_list(struct store_conn *c, const struct change_query *q,
		   struct change_list *out);
int db_change_approve(struct store_conn *c, int64_t id, int64_t staff_id,
		      const char *reason, int64_t apply_after, int64_t now);
int db_change_close(struct store_conn *c, int64_t id, const char *state,
		    const char *closed_by, const char *reason, int64_t now);
int db_change_applied(struct store_conn *c, int64_t id, int64_t now);
int db_change_due(struct store_conn *c, int64_t now, size_t max, int64_t *ids,
		  size_t *n_out);
int db_customer_reseal(struct store_conn *c, const struct customer_reseal *r);
int db_customer_set_phone(struct store_conn *c, int64_t customer_id,
			  const struct blob *phone);

/* contact.c */
int db_contact_code_insert(struct store_conn *c,
			   const struct contact_code_new *n, int64_t *id_out);
int db_contact_code_live(struct store_conn *c, const char *h, int64_t now);
int db_contact_code_find(struct store_conn *c, const char *h,
			 struct contact_code_rec *out);
int db_contact_code_use(struct store_conn *c, int64_t id, int64_t now);
int db_contact_codes_since(struct store_conn *c, int64_t staff_id,
			   int64_t since, struct contact_window *out);
int db_contact_check_insert(struct store_conn *c, int64_t customer_id,
			    int genuine, int64_t now);
int db_contact_checks_since(struct store_conn *c, int64_t customer_id,
			    int64_t since, struct contact_window *out);
int db_contact_reveals(struct store_conn *c, int64_t customer_id,
		       int64_t limit, struct contact_reveal_list *out);
int db_contact_mfa(struct store_conn *c, int64_t customer_id,
		   struct contact_mfa *out);

/* drills.c */
int db_drill_campaign_insert(struct store_conn *c,
			     const struct drill_campaign_new *n,
			     int64_t *id_out);
int db_drill_campaign_count(struct store_conn *c, int64_t since,
			    int64_t *n_out);
int db_drill_campaign_list(struct store_conn *c,
			   struct drill_campaign_list *out);
int db_drill_campaign_get(struct store_conn *c, int64_t id,
			  struct drill_campaign *out);
int db_drill_target_list(struct store_conn *c, int64_t campaign_id,
			 struct drill_target_list *out);
int db_drill_target_due(struct store_conn *c, int64_t now, int64_t staff_id,
			size_t max, struct drill_target_list *out);
int db_drill_target_by_ticket(struct store_conn *c, int64_t ticket_id,
			      struct drill_target *out);
int db_drill_target_delivered(struct store_conn *c,
			      const struct drill_target *t, int64_t ticket_id,
			      int64_t message_id, int64_t now);
int db_drill_target_event(struct store_conn *c, int64_t target_id,
			  enum drill_event ev, int64_t now);
int db_drill_queue_staff(struct store_conn *c, int64_t queue_id,
			 int64_t *ids, size_t max, size_t *n_out);
int db_drill_message_report(struct store_conn *c, int64_t message_id,
			    int64_t staff_id, int64_t now);
int db_drill_message_reported(struct store_conn *c, int64_t ticket_id,
			      int64_t message_id, int64_t *at_out);
int db_drill_attachments_quarantine(struct store_conn *c, int64_t ticket_id,
				    int64_t *n_out);

/* super.c */
int db_super_staff_list(struct store_conn *c, int64_t queue_id,
			struct staff_info_list *out);
int db_super_active_admins(struct store_conn *c, int64_t *n_out);
int db_super_queue_stats(struct store_conn *c, struct queue_stat_list *out);

/* self.c */
int db_self_codes_replace(struct store_conn *c, int64_t customer_id,
			  const struct recovery_code_rec *v, size_t n,
			  int64_t now);
int db_self_codes_live(struct store_conn *c, int64_t customer_id,
		       struct recovery_code_list *out);
int db_self_code_use(struct store_conn *c, int64_t customer_id, int64_t id,
		     int64_t now);
int db_self_codes_count(struct store_conn *c, int64_t customer_id,
			int64_t *n_out);
int db_self_reenrol_put(struct store_conn *c, const struct reenrol_rec *r);
int db_self_reenrol_get(struct store_conn *c, int64_t customer_id,
			struct reenrol_rec *out);
int db_self_reenrol_delete(struct store_conn *c, int64_t customer_id);
int db_self_token_insert(struct store_conn *c,
			 const struct portal_token_new *t);
int db_self_token_get(struct store_conn *c, const char *hash,
		      const char *kind, int64_t now,
		      struct portal_token_rec *out);
int db_self_token_use(struct store_conn *c, const char *hash, int64_t now);
int db_self_tokens_since(struct store_conn *c, const char *kind,
			 int64_t customer_id, const char *email_idx,
			 int64_t since, int64_t *n_out);

/* audit.c */
int db_audit_append(struct store_conn *c, const char *record,
		    const unsigned char leaf[32], int64_t *seq_out);
int db_audit_get(struct store_conn *c, int64_t seq, char **record_out,
		 unsigned char leaf_out[32]);
int db_audit_count(struct store_conn *c, int64_t *n_out);
int db_audit_checkpoint_insert(struct store_conn *c, int64_t size,
			       const unsigned char root[32],
			       const unsigned char sig[64]);
int db_audit_checkpoint_get(struct store_conn *c, int64_t n,
			    int64_t *size_out, unsigned char root_out[32],
			    unsigned char sig_out[64], int64_t *created_out);
int db_audit_page(struct store_conn *c, int64_t after, int64_t upto,
		  int limit, audit_row_fn fn, void *ctx);
int db_audit_checkpoint_page(struct store_conn *c, int64_t after_id,
			     int limit, audit_cp_fn fn, void *ctx);
int db_audit_checkpoint_newest(struct store_conn *c, struct audit_cp *out);

/* training.c */
int db_training_module_put(struct store_conn *c,
			   const struct training_module *m);
int db_training_module_get(struct store_conn *c, const char *id,
			   struct training_module *out);
int db_training_module_list(struct store_conn *c,
			    struct training_module_list *out);
int db_training_completion_insert(struct store_conn *c,
				  const struct training_completion_new *n,
				  int64_t *id_out);
int db_training_attempt_insert(struct store_conn *c, int64_t staff_id,
			       const char *module_id, int64_t score,
			       int passed, int64_t now, int64_t *id_out);
int db_training_attempt_count(struct store_conn *c, int64_t staff_id,
			      const char *module_id, int64_t since,
			      int64_t *n_out);
int db_training_assignment_open(struct store_conn *c, int64_t staff_id,
				const char *module_id, const char *reason,
				int64_t now);
int db_training_states(struct store_conn *c, int64_t staff_id,
		       struct training_state_list *out);

/* sealed.c */
int db_sealed_heads(struct store_conn *c, enum sealed_col col, int64_t after_id,
		    size_t max, struct sealed_head *out, size_t *n_out);
int db_sealed_get(struct store_conn *c, enum sealed_col col, int64_t id,
		  struct sealed_value *out);
int db_sealed_replace(struct store_conn *c, enum sealed_col col, int64_t id,
		      const struct blob *old, const struct blob *val);

/* attachments.c */
int db_attachment_insert(struct store_conn *c, const struct attachment_new *a,
			 int64_t *id_out);
int db_attachment_get(struct store_conn *c, int64_t id,
		      struct attachment_rec *out);
int db_attachment_list(struct store_conn *c, int64_t ticket_id,
		       struct attachment_list *out);
int db_portal_attachment_list(struct store_conn *c, int64_t customer_id,
			      int64_t ticket_id, struct attachment_list *out);
int db_attachment_release(struct store_conn *c, int64_t id, int64_t staff_id,
			  int64_t now);
int db_attachment_expired(struct store_conn *c, int64_t now, size_t max,
			  int64_t *ids, size_t *n_out);
int db_attachment_delete(struct store_conn *c, int64_t id);

/* verify.c */
int db_verification_insert(struct store_conn *c,
			   const struct verification_new *v, int64_t *id_out);
int db_verification_get(struct store_conn *c, int64_t id,
			struct verification_rec *out);
int db_verification_open_count(struct store_conn *c, int64_t staff_id,
			       int64_t now, int64_t *n_out);
int db_verification_end(struct store_conn *c, int64_t id, const char *state,
			int64_t now);
int db_verification_factor_put(struct store_conn *c,
			       const struct verification_factor *f);
int db_portal_verification_list(struct store_conn *c, int64_t customer_id,
				int64_t now, size_t max,
				struct verification_list *out);
int db_verification_supersede(struct store_conn *c, int64_t staff_id,
			      int64_t ticket_id, int64_t now, int64_t *n_out);
int db_verification_recent(struct store_conn *c, int64_t staff_id,
			   int64_t customer_id, int64_t since,
			   struct verification_recent *out);
int db_verification_lock_get(struct store_conn *c, int64_t ticket_id,
			     struct verification_lock *out);
int db_verification_lock_set(struct store_conn *c, int64_t ticket_id,
			     int64_t verification_id, const char *reason,
			     int64_t now);
int db_verification_lock_clear(struct store_conn *c, int64_t ticket_id,
			       int64_t staff_id, const char *reason,
			       int64_t now);
int db_staff_alert_list(struct store_conn *c, struct staff_contact_list *out);

/* hygiene.c */
int db_hyg_session_list(struct store_conn *c, enum realm realm, int64_t id,
			const char *current_hash,
			struct session_info_list *out);
int db_hyg_session_hash_of(struct store_conn *c, enum realm realm, int64_t id,
			   int64_t public_id, char hash_out[65]);
int db_hyg_session_delete_others(struct store_conn *c, enum realm realm,
				 int64_t id, const char *keep_hash,
				 int64_t *n_out);
int db_hyg_login_insert(struct store_conn *c, const struct login_new *l,
			int64_t keep);
int db_hyg_login_list(struct store_conn *c, enum realm realm, int64_t id,
		      int64_t max, struct login_list *out);
int db_hyg_login_network_seen(struct store_conn *c, enum realm realm,
			      int64_t id, const char *network,
			      int64_t *seen_out, int64_t *earlier_out);
int db_hyg_staff_pw_get(struct store_conn *c, int64_t id,
			struct staff_pw_state *out);
int db_hyg_staff_pw_set(struct store_conn *c, int64_t id, const char *pw_hash,
			int64_t now);
int db_hyg_staff_pw_force(struct store_conn *c, int64_t id, const char *reason,
			  const char *forced_by);

/* macros.c: canned replies (issue 15); its operations table */
extern const struct store_macros_ops db_macros_ops;

/* quota.c */
int db_quota_sum(struct store_conn *c, const struct quota_scope *s,
		 int64_t since, struct quota_sum *out);
int db_quota_walk(struct store_conn *c, const struct quota_scope *s,
		  int64_t since, quota_row_fn fn, void *ctx);
int db_quota_event_add(struct store_conn *c, const char *key,
		       const char *what, int64_t at, int64_t amount);
int db_quota_hit(struct store_conn *c, const char *subject, const char *limit,
		 int64_t start, int64_t end, int64_t *count_out);
int db_quota_closed(struct store_conn *c, int64_t now, size_t max,
		    struct quota_hit_list *out);
int db_quota_summarised(struct store_conn *c, int64_t id);
int db_quota_prune(struct store_conn *c, int64_t event_before,
		   int64_t hit_before);

/* tickets.c */
/* The portal's columns for db_ticket_row and their table: no names, the
 * customer's own updated_at (last_activity). */
#define DB_PORTAL_VIEW                                                        \
	"t.id, t.customer_id, '', t.subject, t.status, "                     \
	"COALESCE(t.assignee_id, 0), '', t.created_at, "                     \
	"t.last_activity, t.last_from, t.queue_id, '', 0, '', '', 0, 0 "    \
	"FROM tickets t "

/* The staff's columns for db_ticket_row and their tables; updated_at is
 * column 9 (counting from 1), id column 1. */
#define DB_STAFF_VIEW                                                         \
	"t.id, t.customer_id, cu.name, t.subject, t.status, "                \
	"COALESCE(t.assignee_id, 0), COALESCE(s.name, ''), t.created_at, "   \
	"t.updated_at, t.last_from, t.queue_id, qu.name, "                   \
	"COALESCE(t.drill_id, 0), t.priority, t.tags, "                      \
	"COALESCE(t.due_at, 0), t.breached "                                 \
	"FROM tickets t JOIN customers cu ON cu.id = t.customer_id "         \
	"JOIN queues qu ON qu.id = t.queue_id "                              \
	"LEFT JOIN staff s ON s.id = t.assignee_id "

/* A row callback reading a row of either view into the struct
 * ticket_rec ctx points to. */
int db_ticket_row(const struct db_row *r, void *ctx);
/* A row callback appending a row of either view to the struct
 * ticket_list ctx points to. */
int db_ticket_push(const struct db_row *r, void *ctx);
int db_ticket_insert(struct store_conn *c, int64_t customer_id,
		     const char *subject, int64_t now, int64_t *id_out);
int db_ticket_update(struct store_conn *c, int64_t id, const char *status,
		     int64_t assignee_id, int64_t now);
int db_ticket_set_queue(struct store_conn *c, int64_t ticket_id,
			int64_t queue_id, int64_t now);
int db_ticket_set_priority(struct store_conn *c, int64_t ticket_id,
			   const char *priority, int64_t now);
int db_ticket_set_tags(struct store_conn *c, int64_t ticket_id,
		       const char *tags, int64_t now);
int db_portal_ticket_get(struct store_conn *c, int64_t customer_id,
			 int64_t ticket_id, struct ticket_rec *out);
int db_staff_ticket_get(struct store_conn *c, const struct ticket_query *q,
			int64_t ticket_id, struct ticket_rec *out);

/* threads.c */
int db_message_insert(struct store_conn *c, int64_t ticket_id,
		      enum realm author_realm, int64_t author_id,
		      const char *body, int64_t now, int64_t *id_out);
int db_note_insert(struct store_conn *c, int64_t ticket_id, int64_t staff_id,
		   const char *body, int64_t now, int64_t *id_out);
int db_message_set_analysis(struct store_conn *c, int64_t message_id,
			    const char *redactions, const char *links);
int db_portal_messages(struct store_conn *c, int64_t customer_id,
		       int64_t ticket_id, struct thread_list *out);
int db_staff_messages(struct store_conn *c, int64_t ticket_id,
		      struct thread_list *out);
int db_staff_notes(struct store_conn *c, int64_t ticket_id,
		   struct thread_list *out);

/* sla.c: SLA (issue 15); its operations table */
extern const struct store_sla_ops db_sla_ops;

/* tickets_list.c */
/* The statements of the staff list, for the query-plan tests
 * (tests/unit/test_lists.c): the number of them, and the text of
 * statement i (NULL past the end). They take the parameters
 * db_staff_ticket_list binds. */
#define DB_STAFF_LIST_SHAPES 20
const char *db_staff_list_sql(int i);
/* The portal list's statement. */
const char *db_portal_list_sql(void);
int db_staff_ticket_list(struct store_conn *c, const struct ticket_query *q,
			 struct ticket_list *out);
int db_portal_ticket_list(struct store_conn *c, int64_t customer_id,
			  const struct ticket_page *p,
			  struct ticket_list *out);

/* views.c: the saved views of the ticket search */
int db_view_insert(struct store_conn *c, const struct view_rec *v,
		   int64_t *id_out);
int db_view_update(struct store_conn *c, const struct view_rec *v);
int db_view_delete(struct store_conn *c, int64_t id);
int db_view_get(struct store_conn *c, int64_t id, struct view_rec *out);
int db_view_list(struct store_conn *c, int64_t staff_id, int all_shared,
		 struct view_list *out);
int db_view_count(struct store_conn *c, int64_t owner_id, int64_t queue_id,
		  int64_t *n_out);

/* events.c: live updates (migration 025, store/store_events.h) */
extern const struct store_events_ops db_events_ops;

/* passkeys.c: passkeys (migration 030, store/store_passkeys.h) */
extern const struct store_passkeys_ops db_passkeys_ops;

/* pkreset.c: staff passkey resets (migration 031, store/store_pkreset.h;
 * issue 17 GATE) */
int db_pkreset_insert(struct store_conn *c, int64_t staff_id,
		      int64_t requested_by, const char *reason, int64_t now,
		      int64_t expires_at, int64_t *id_out);
int db_pkreset_expire(struct store_conn *c, int64_t now, int64_t *n_out);
int db_pkreset_get(struct store_conn *c, int64_t id, struct pkreset_rec *out);
int db_pkreset_decide(struct store_conn *c, int64_t id, const char *state,
		      int64_t decided_by, const char *decision,
		      int64_t passkeys_deleted, int64_t now);
int db_pkreset_list(struct store_conn *c, const char *state,
		    struct pkreset_list *out);

#endif
