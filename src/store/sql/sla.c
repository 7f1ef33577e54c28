/*
 * The store, both backends: SLA (migration 022; store/store_sla.h).
 * Calendars and queue policies are small tables read whole; a ticket's SLA
 * inputs (its status, priority, queue, whether staff answered, its clock,
 * the breaches recorded and its queue's policy) come in one statement; the
 * sweep reads due clocks through the partial index on next_check; the
 * supervisors' counts group sla_breaches by queue or assignee over a window
 * of sla_breaches_by_at.
 *
 * Invariant: ticket_put writes the ticket_sla row and the ticket's due_at
 * and breached together (the caller's transaction holds both).
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

#define CAL_COLS "id, name, tz, hours, holidays, updated_at "

static int
cal_row(const struct db_row *st, void *ctx)
{
	struct sla_calendar_rec *r = ctx;

	memset(r, 0, sizeof(*r));
	r->id = db_i64(st, 0);
	db_text(st, 1, r->name, sizeof(r->name));
	db_text(st, 2, r->tz, sizeof(r->tz));
	db_text(st, 3, r->hours, sizeof(r->hours));
	db_text(st, 4, r->holidays, sizeof(r->holidays));
	r->updated_at = db_i64(st, 5);
	return 0;
}

static int
cal_push(const struct db_row *st, void *ctx)
{
	struct sla_calendar_list *l = ctx;
	struct sla_calendar_rec *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return cal_row(st, &v[l->n++]);
}

static int
sla_cal_list(struct store_conn *c, struct sla_calendar_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, cal_push, out,
		     "SELECT " CAL_COLS "FROM sla_calendars ORDER BY name", "");
	if (rc < 0)
		STORE_LIST_FREE(out);
	return rc;
}

static int
sla_cal_get(struct store_conn *c, int64_t id, const char *name,
	    struct sla_calendar_rec *out)
{
	memset(out, 0, sizeof(*out));
	if (name != NULL)
		return db_row(c, cal_row, out,
			      "SELECT " CAL_COLS
			      "FROM sla_calendars WHERE name = ?1",
			      "t", name);
	return db_row(c, cal_row, out,
		      "SELECT " CAL_COLS "FROM sla_calendars WHERE id = ?1",
		      "i", id);
}

static int
sla_cal_insert(struct store_conn *c, const struct sla_calendar_rec *r,
	       int64_t *id_out)
{
	return db_insert(c, id_out,
			 "INSERT INTO sla_calendars (name, tz, hours, "
			 "holidays, "
			 "updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
			 "tttti", r->name, r->tz, r->hours, r->holidays,
			 r->updated_at);
}

static int
sla_cal_update(struct store_conn *c, const struct sla_calendar_rec *r)
{
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE sla_calendars SET name = ?1, tz = ?2, "
			 "hours = ?3, holidays = ?4, updated_at = ?5 "
			 "WHERE id = ?6",
			 "ttttii", r->name, r->tz, r->hours, r->holidays,
			 r->updated_at, r->id);
}

static int
sla_cal_delete(struct store_conn *c, int64_t id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "DELETE FROM sla_calendars WHERE id = ?1", "i", id);
}

static int
sla_cal_in_use(struct store_conn *c, int64_t id)
{
	return db_row(c, NULL, NULL,
		      "SELECT 1 FROM sla_policies WHERE calendar_id = ?1 "
		      "LIMIT 1",
		      "i", id);
}

/* --- policies -------------------------------------------------------------- */

#define POLICY_TARGETS \
	"p.fr_low, p.fr_normal, p.fr_high, p.fr_urgent, p.res_low, " \
	"p.res_normal, p.res_high, p.res_urgent "

/* The policy's calendar id and targets from column `at` on. */
static void
policy_cols(const struct db_row *st, int at, struct sla_policy_rec *p)
{
	p->calendar_id = db_i64(st, at);
	for (int i = 0; i < SLA_NPRIO; i++) {
		p->first_response[i] = db_i64(st, at + 1 + i);
		p->resolution[i] = db_i64(st, at + 5 + i);
	}
}

static int
policy_row(const struct db_row *st, void *ctx)
{
	struct sla_policy_rec *p = ctx;

	p->queue_id = db_i64(st, 0);
	db_text(st, 1, p->calendar_name, sizeof(p->calendar_name));
	p->updated_at = db_i64(st, 2);
	policy_cols(st, 3, p);
	return 0;
}

static int
sla_policy_get(struct store_conn *c, int64_t queue_id,
	       struct sla_policy_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, policy_row, out,
		      "SELECT p.queue_id, k.name, p.updated_at, p.calendar_id, "
		      POLICY_TARGETS "FROM sla_policies p JOIN sla_calendars k "
		      "ON k.id = p.calendar_id WHERE p.queue_id = ?1",
		      "i", queue_id);
}

static int
sla_policy_put(struct store_conn *c, const struct sla_policy_rec *p)
{
	const int64_t *f = p->first_response, *r = p->resolution;

	return db_exec(c,
		       "INSERT INTO sla_policies (queue_id, calendar_id, "
		       "fr_low, fr_normal, fr_high, fr_urgent, res_low, "
		       "res_normal, res_high, res_urgent, updated_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		       "ON CONFLICT (queue_id) DO UPDATE SET "
		       "calendar_id = ?2, fr_low = ?3, fr_normal = ?4, "
		       "fr_high = ?5, fr_urgent = ?6, res_low = ?7, "
		       "res_normal = ?8, res_high = ?9, res_urgent = ?10, "
		       "updated_at = ?11",
		       "iiiiiiiiiii", p->queue_id, p->calendar_id, f[0], f[1],
		       f[2], f[3], r[0], r[1], r[2], r[3], p->updated_at);
}

static int
sla_policy_delete(struct store_conn *c, int64_t queue_id)
{
	return db_change(c, -GH_NOT_FOUND,
			 "DELETE FROM sla_policies WHERE queue_id = ?1", "i",
			 queue_id);
}

/* --- tickets ---------------------------------------------------------------- */

static int
ticket_row(const struct db_row *st, void *ctx)
{
	struct sla_ticket_rec *t = ctx;

	t->id = db_i64(st, 0);
	db_text(st, 1, t->status, sizeof(t->status));
	db_text(st, 2, t->priority, sizeof(t->priority));
	t->queue_id = db_i64(st, 3);
	t->assignee_id = db_i64(st, 4);
	t->breached = db_int(st, 5);
	t->staff_replied = db_int(st, 6);
	t->has_state = db_int(st, 7);
	t->st.calendar_id = db_i64(st, 8);
	t->st.running_since = db_i64(st, 9);
	t->st.accrued = db_i64(st, 10);
	t->st.fr_elapsed = db_i64(st, 11);
	t->st.fr_due = db_i64(st, 12);
	t->st.res_due = db_i64(st, 13);
	t->fr_recorded = db_int(st, 14);
	t->res_recorded = db_int(st, 15);
	t->has_policy = db_int(st, 16);
	t->policy.queue_id = t->queue_id;
	policy_cols(st, 17, &t->policy);
	return 0;
}

static int
sla_ticket_get(struct store_conn *c, int64_t id, struct sla_ticket_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, ticket_row, out,
		      "SELECT t.id, t.status, t.priority, t.queue_id, "
		      "COALESCE(t.assignee_id, 0), t.breached, EXISTS (SELECT "
		      "1 "
		      "FROM messages m WHERE m.ticket_id = t.id AND "
		      "m.author_realm = 'staff'), s.ticket_id IS NOT NULL, "
		      "COALESCE(s.calendar_id, 0), COALESCE(s.running_since, "
		      "0), "
		      "COALESCE(s.accrued, 0), COALESCE(s.fr_elapsed, -1), "
		      "COALESCE(s.fr_due, 0), COALESCE(s.res_due, 0), "
		      "EXISTS (SELECT 1 FROM sla_breaches b WHERE b.ticket_id "
		      "= "
		      "t.id AND b.kind = 'first_response'), EXISTS (SELECT 1 "
		      "FROM sla_breaches b WHERE b.ticket_id = t.id AND b.kind "
		      "= "
		      "'resolution'), p.queue_id IS NOT NULL, "
		      "COALESCE(p.calendar_id, 0), " POLICY_TARGETS
		      "FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = "
		      "t.id LEFT JOIN sla_policies p ON p.queue_id = "
		      "t.queue_id "
		      "WHERE t.id = ?1",
		      "i", id);
}

static int
sla_ticket_put(struct store_conn *c, const struct sla_ticket_put *p)
{
	const struct sla_state *s = &p->st;
	int rc;

	rc = db_exec(c,
		     "INSERT INTO ticket_sla (ticket_id, calendar_id, "
		     "running_since, accrued, fr_elapsed, fr_due, res_due, "
		     "next_check) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		     "ON CONFLICT (ticket_id) DO UPDATE SET calendar_id = ?2, "
		     "running_since = ?3, accrued = ?4, fr_elapsed = ?5, "
		     "fr_due = ?6, res_due = ?7, next_check = ?8",
		     "iiiiiiiI", p->id, s->calendar_id, s->running_since,
		     s->accrued, s->fr_elapsed, s->fr_due, s->res_due,
		     p->next_check);
	if (rc < 0)
		return rc;
	return db_change(c, -GH_NOT_FOUND,
			 "UPDATE tickets SET due_at = ?1, breached = ?2 "
			 "WHERE id = ?3",
			 "Ibi", p->due_at, p->breached, p->id);
}

static int
sla_breach_insert(struct store_conn *c, const struct sla_breach_new *b)
{
	/* A breach recorded already is -GH_EXISTS, which the caller goes on
	 * after: without a failed statement, which would end the whole
	 * transaction on PostgreSQL. */
	return db_change(c, -GH_EXISTS,
			 "INSERT INTO sla_breaches (ticket_id, kind, due_at, "
			 "at, "
			 "assignee_id, queue_id, priority) VALUES (?1, ?2, ?3, "
			 "?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
			 "itiiIit", b->ticket_id, b->kind, b->due_at, b->at,
			 b->assignee_id, b->queue_id, b->priority);
}

static int
sla_due(struct store_conn *c, int64_t now, size_t max, int64_t *ids,
	size_t *n_out)
{
	struct db_ids x = {ids, 0, max};
	int rc;

	rc = db_rows(c, db_id_push, &x,
		     "SELECT ticket_id FROM ticket_sla WHERE next_check IS NOT "
		     "NULL AND next_check <= ?1 ORDER BY next_check, "
		     "ticket_id LIMIT ?2",
		     "ii", now, db_limit((int64_t)max));
	*n_out = x.n;
	return rc;
}

/* --- the supervisors' counts -------------------------------------------- */

static int
count_push(const struct db_row *st, void *ctx)
{
	struct sla_count_list *l = ctx;
	struct sla_count_rec *v = db_append(l->v, l->n, sizeof(*v));
	struct sla_count_rec *r;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	r = &v[l->n++];
	r->id = db_i64(st, 0);
	db_text(st, 1, r->name, sizeof(r->name));
	r->total = db_i64(st, 2);
	r->first_response = db_i64(st, 3);
	r->resolution = db_i64(st, 4);
	return 0;
}

#define COUNTS \
	"COUNT(*), COUNT(*) FILTER (WHERE b.kind = 'first_response'), " \
	"COUNT(*) FILTER (WHERE b.kind = 'resolution') "

static int
sla_by_queue(struct store_conn *c, int64_t since, int64_t until,
	     struct sla_count_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, count_push, out,
		     "SELECT b.queue_id, q.name, " COUNTS "FROM sla_breaches b "
		     "JOIN queues q ON q.id = b.queue_id WHERE b.at >= ?1 AND "
		     "b.at < ?2 GROUP BY b.queue_id, q.name "
		     "ORDER BY 3 DESC, q.name",
		     "ii", since, until);
	if (rc < 0)
		STORE_LIST_FREE(out);
	return rc;
}

static int
sla_by_agent(struct store_conn *c, int64_t since, int64_t until,
	     struct sla_count_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, count_push, out,
		     "SELECT COALESCE(b.assignee_id, 0), COALESCE(s.name, ''), "
		     COUNTS "FROM sla_breaches b LEFT JOIN staff s ON s.id = "
		     "b.assignee_id WHERE b.at >= ?1 AND b.at < ?2 GROUP BY "
		     "COALESCE(b.assignee_id, 0), COALESCE(s.name, '') "
		     "ORDER BY 3 DESC, 2, 1",
		     "ii", since, until);
	if (rc < 0)
		STORE_LIST_FREE(out);
	return rc;
}

static int
risk_push(const struct db_row *st, void *ctx)
{
	struct sla_risk_list *l = ctx;
	struct sla_risk_rec *v = db_append(l->v, l->n, sizeof(*v));
	struct sla_risk_rec *r;

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	r = &v[l->n++];
	r->ticket_id = db_i64(st, 0);
	db_text(st, 1, r->subject, sizeof(r->subject));
	db_text(st, 2, r->queue, sizeof(r->queue));
	r->assignee_id = db_i64(st, 3);
	db_text(st, 4, r->assignee_name, sizeof(r->assignee_name));
	db_text(st, 5, r->priority, sizeof(r->priority));
	r->due_at = db_i64(st, 6);
	r->breached = db_int(st, 7);
	return 0;
}

/* Open tickets due before ?1, soonest first, at most ?2 (a max beyond
 * int64 reads as negative: no limit). On SQLite a range of the partial
 * index tickets_due in its order ("+t.status": the status index would
 * read every open ticket and sort them); PostgreSQL has no unary + on
 * text. SQLite's text is not static: the store test checks its plan
 * (tests/unit/test_store.c). */
#define AT_RISK(status)                                                       \
	"COALESCE(s.name, ''), t.priority, t.due_at, t.breached FROM "       \
	"tickets t JOIN queues q ON q.id = t.queue_id LEFT JOIN staff s ON " \
	"s.id = t.assignee_id WHERE " status " = 'open' AND t.due_at IS "    \
	"NOT NULL AND t.due_at < ?1 ORDER BY t.due_at, t.id LIMIT ?2"

extern const char sq_sla_at_risk_sql[];
const char sq_sla_at_risk_sql[] =
	"SELECT t.id, t.subject, q.name, COALESCE(t.assignee_id, 0), "
	AT_RISK("+t.status");
static const char at_risk_pg[] =
	"SELECT t.id, t.subject, q.name, COALESCE(t.assignee_id, 0), "
	AT_RISK("t.status");

static int
sla_at_risk(struct store_conn *c, int64_t until, size_t max,
	    struct sla_risk_list *out)
{
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = db_rows(c, risk_push, out,
		     db_pg(c) ? at_risk_pg : sq_sla_at_risk_sql, "ii", until,
		     db_limit((int64_t)max));
	if (rc < 0)
		STORE_LIST_FREE(out);
	return rc;
}

const struct store_sla_ops db_sla_ops = {
	.cal_list = sla_cal_list,
	.cal_get = sla_cal_get,
	.cal_insert = sla_cal_insert,
	.cal_update = sla_cal_update,
	.cal_delete = sla_cal_delete,
	.cal_in_use = sla_cal_in_use,
	.policy_get = sla_policy_get,
	.policy_put = sla_policy_put,
	.policy_delete = sla_policy_delete,
	.ticket_get = sla_ticket_get,
	.ticket_put = sla_ticket_put,
	.breach_insert = sla_breach_insert,
	.due = sla_due,
	.by_queue = sla_by_queue,
	.by_agent = sla_by_agent,
	.at_risk = sla_at_risk,
};
