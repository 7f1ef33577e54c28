/*
 * The store, both backends: staff training (migration 014). Modules with
 * their content and quiz, completions, quiz attempts and assignments. A
 * module's latest completion breaks ties of expires_at by the newest id, as
 * SQLite's index scan does.
 *
 * Invariant: a completion and the clearing of the assignment it satisfies
 * are one call, so no completion at or after an assignment leaves that
 * assignment open; rows of completions and attempts are never changed.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

#define MODULE_COLS                                                     \
	"id, title, pass_mark, validity_months, required, position, "  \
	"updated_by, updated_at"

int
db_training_module_put(struct store_conn *c, const struct training_module *m)
{
	return db_exec(c,
		       "INSERT INTO training_modules (id, title, pass_mark, "
		       "validity_months, required, position, markdown, html, "
		       "quiz, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, "
		       "?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO "
		       "UPDATE SET title = ?2, pass_mark = ?3, "
		       "validity_months = ?4, required = ?5, position = ?6, "
		       "markdown = ?7, html = ?8, quiz = ?9, updated_by = ?10, "
		       "updated_at = ?11",
		       "ttiibitttti", m->id, m->title, m->pass_mark,
		       m->validity_months, m->required, m->position,
		       m->markdown, m->html, m->quiz, m->updated_by,
		       m->updated_at);
}

static void
module_cols(const struct db_row *st, struct training_module *m)
{
	db_text(st, 0, m->id, sizeof(m->id));
	db_text(st, 1, m->title, sizeof(m->title));
	m->pass_mark = db_i64(st, 2);
	m->validity_months = db_i64(st, 3);
	m->required = db_i64(st, 4) != 0;
	m->position = db_i64(st, 5);
	db_text(st, 6, m->updated_by, sizeof(m->updated_by));
	m->updated_at = db_i64(st, 7);
}

static int
module_row(const struct db_row *st, void *ctx)
{
	struct training_module *m = ctx;
	int rc;

	module_cols(st, m);
	rc = db_dup(st, 8, &m->markdown);
	if (rc == 0)
		rc = db_dup(st, 9, &m->html);
	if (rc == 0)
		rc = db_dup(st, 10, &m->quiz);
	return rc;
}

int
db_training_module_get(struct store_conn *c, const char *id,
		       struct training_module *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_row(c, module_row, out,
		    "SELECT " MODULE_COLS ", markdown, html, quiz FROM "
		    "training_modules WHERE id = ?1",
		    "t", id);
	if (rc < 0)
		training_module_clear(out);
	return rc;
}

static int
module_push(const struct db_row *st, void *ctx)
{
	struct training_module_list *l = ctx;
	struct training_module *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	module_cols(st, &l->v[l->n++]);
	return 0;
}

int
db_training_module_list(struct store_conn *c,
			struct training_module_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, module_push, out,
		     "SELECT " MODULE_COLS " FROM training_modules "
		     "ORDER BY position, id",
		     "");
	if (rc < 0)
		training_module_list_clear(out);
	return rc;
}

int
db_training_completion_insert(struct store_conn *c,
			      const struct training_completion_new *n,
			      int64_t *id_out)
{
	int rc;

	rc = db_insert(c, id_out,
		       "INSERT INTO training_completions (staff_id, "
		       "module_id, completed_at, expires_at, source, "
		       "recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ",
		       "itiitt", n->staff_id, n->module_id, n->completed_at,
		       n->expires_at, n->source, n->recorded_by);
	if (rc < 0)
		return rc;
	return db_exec(c,
		       "UPDATE training_assignments SET cleared_at = ?1 "
		       "WHERE staff_id = ?2 AND module_id = ?3 AND "
		       "cleared_at IS NULL AND assigned_at <= ?1",
		       "iit", n->completed_at, n->staff_id, n->module_id);
}

int
db_training_attempt_insert(struct store_conn *c, int64_t staff_id,
			   const char *module_id, int64_t score, int passed,
			   int64_t now, int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO training_attempts (staff_id, module_id, "
			 "score, passed, created_at) VALUES (?1, ?2, ?3, ?4, "
			 "?5)",
			 "itibi", staff_id, module_id, score, passed, now);
}

int
db_training_attempt_count(struct store_conn *c, int64_t staff_id,
			  const char *module_id, int64_t since,
			  int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM training_attempts WHERE "
		      "staff_id = ?1 AND module_id = ?2 AND created_at > ?3",
		      "iti", staff_id, module_id, since);
}

int
db_training_assignment_open(struct store_conn *c, int64_t staff_id,
			    const char *module_id, const char *reason,
			    int64_t now)
{
	/* An open assignment is -GH_EXISTS, which the caller goes on after:
	 * without a failed statement (it would end the transaction). */
	return db_change(c, -GH_EXISTS,
			 "INSERT INTO training_assignments (staff_id, "
			 "module_id, reason, assigned_at) "
			 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
			 "itti", staff_id, module_id, reason, now);
}

static int
state_push(const struct db_row *st, void *ctx)
{
	struct training_state_list *l = ctx;
	struct training_state *v = db_append(l->v, l->n, sizeof(*v));
	struct training_state *s;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	s = &l->v[l->n++];
	s->staff_id = db_i64(st, 0);
	db_text(st, 1, s->staff_name, sizeof(s->staff_name));
	db_text(st, 2, s->role, sizeof(s->role));
	db_text(st, 3, s->module_id, sizeof(s->module_id));
	db_text(st, 4, s->title, sizeof(s->title));
	s->required = db_i64(st, 5) != 0;
	s->completed_at = db_i64(st, 6);
	s->expires_at = db_i64(st, 7);
	s->assigned_at = db_i64(st, 8);
	db_text(st, 9, s->reason, sizeof(s->reason));
	return 0;
}

int
db_training_states(struct store_conn *c, int64_t staff_id,
		   struct training_state_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, state_push, out,
		     "SELECT s.id, s.name, s.role, m.id, m.title, m.required, "
		     "COALESCE((SELECT completed_at FROM training_completions "
		     "k WHERE k.staff_id = s.id AND k.module_id = m.id ORDER "
		     "BY expires_at DESC, id DESC LIMIT 1), 0), "
		     "COALESCE((SELECT MAX(expires_at) FROM "
		     "training_completions k WHERE k.staff_id = s.id AND "
		     "k.module_id = m.id), 0), "
		     "COALESCE(a.assigned_at, 0), COALESCE(a.reason, '') "
		     "FROM staff s CROSS JOIN training_modules m "
		     "LEFT JOIN training_assignments a ON a.staff_id = s.id "
		     "AND a.module_id = m.id AND a.cleared_at IS NULL "
		     "WHERE s.disabled = 0 AND (CAST(?1 AS BIGINT) = 0 OR s.id "
		     "= ?1) "
		     "ORDER BY s.id, m.position, m.id",
		     "i", staff_id);
	if (rc < 0)
		training_state_list_clear(out);
	return rc;
}
