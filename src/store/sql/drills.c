/*
 * The store, both backends: phishing drills (migration 015).
 * drill_campaigns holds what a supervisor scheduled, drill_targets one row
 * per targeted staff member with its drill ticket once delivered and the
 * first time of each event; tickets.drill_id marks a drill ticket;
 * messages.phish_reported_* record a report of a customer message.
 *
 * Invariant: an event column is written only while it is NULL, and a
 * target is delivered once (its ticket_id only while NULL), so the times
 * a report shows are the first ones.
 */
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

int
db_drill_campaign_insert(struct store_conn *c,
			 const struct drill_campaign_new *n, int64_t *id_out)
{
	int rc;

	rc = db_insert(c, id_out,
		       "INSERT INTO drill_campaigns (template, created_by, "
		       "created_at, send_at) VALUES (?1, ?2, ?3, ?4) ",
		       "tiii", n->template_id, n->created_by, n->now,
		       n->send_at);
	for (size_t i = 0; rc == 0 && i < n->n; i++)
		rc = db_insert(c, NULL,
			       "INSERT INTO drill_targets (campaign_id, "
			       "staff_id, queue_id, send_at) "
			       "VALUES (?1, ?2, ?3, ?4)",
			       "iiii", *id_out, n->staff[i], n->queue[i],
			       n->send_at);
	return rc;
}

int
db_drill_campaign_count(struct store_conn *c, int64_t since, int64_t *n_out)
{
	*n_out = 0;
	return db_row(c, db_int64, n_out,
		      "SELECT COUNT(*) FROM drill_campaigns "
		      "WHERE created_at > ?1",
		      "i", since);
}

/* The campaign's columns with its counts. */
#define CAMPAIGN_COLS                                                         \
	"d.id, d.template, d.created_by, COALESCE(s.name, ''), "             \
	"d.created_at, d.send_at, "                                          \
	"(SELECT COUNT(*) FROM drill_targets x WHERE x.campaign_id = d.id), " \
	"(SELECT COUNT(x.delivered_at) FROM drill_targets x "                \
	"WHERE x.campaign_id = d.id), "                                      \
	"(SELECT COUNT(x.clicked_at) FROM drill_targets x "                  \
	"WHERE x.campaign_id = d.id), "                                      \
	"(SELECT COUNT(x.reported_at) FROM drill_targets x "                 \
	"WHERE x.campaign_id = d.id) "                                       \
	"FROM drill_campaigns d LEFT JOIN staff s ON s.id = d.created_by "

static int
campaign_row(const struct db_row *st, void *ctx)
{
	struct drill_campaign *d = ctx;

	d->id = db_i64(st, 0);
	db_text(st, 1, d->template_id, sizeof(d->template_id));
	d->created_by = db_i64(st, 2);
	db_text(st, 3, d->created_by_name, sizeof(d->created_by_name));
	d->created_at = db_i64(st, 4);
	d->send_at = db_i64(st, 5);
	d->targets = db_i64(st, 6);
	d->delivered = db_i64(st, 7);
	d->clicked = db_i64(st, 8);
	d->reported = db_i64(st, 9);
	return 0;
}

static int
campaign_push(const struct db_row *st, void *ctx)
{
	struct drill_campaign_list *l = ctx;
	struct drill_campaign *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return campaign_row(st, &l->v[l->n++]);
}

int
db_drill_campaign_list(struct store_conn *c, struct drill_campaign_list *out)
{
	int rc;

	*out = (struct drill_campaign_list){NULL, 0};
	rc = db_rows(c, campaign_push, out,
		     "SELECT " CAMPAIGN_COLS "ORDER BY d.id DESC", "");
	if (rc < 0)
		drill_campaign_list_clear(out);
	return rc;
}

int
db_drill_campaign_get(struct store_conn *c, int64_t id,
		      struct drill_campaign *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, campaign_row, out,
		      "SELECT " CAMPAIGN_COLS "WHERE d.id = ?1", "i", id);
}

/* A target's columns (the event columns in enum drill_event's order). */
#define TARGET_COLS                                                           \
	"x.id, x.campaign_id, d.template, x.staff_id, COALESCE(s.name, ''), " \
	"x.queue_id, x.send_at, COALESCE(x.ticket_id, 0), "                  \
	"COALESCE(x.message_id, 0), COALESCE(x.delivered_at, 0), "           \
	"COALESCE(x.opened_at, 0), COALESCE(x.clicked_at, 0), "              \
	"COALESCE(x.attachment_opened_at, 0), COALESCE(x.reported_at, 0) "   \
	"FROM drill_targets x JOIN drill_campaigns d ON d.id = x.campaign_id " \
	"LEFT JOIN staff s ON s.id = x.staff_id "

static int
target_row(const struct db_row *st, void *ctx)
{
	struct drill_target *t = ctx;

	t->id = db_i64(st, 0);
	t->campaign_id = db_i64(st, 1);
	db_text(st, 2, t->template_id, sizeof(t->template_id));
	t->staff_id = db_i64(st, 3);
	db_text(st, 4, t->staff_name, sizeof(t->staff_name));
	t->queue_id = db_i64(st, 5);
	t->send_at = db_i64(st, 6);
	t->ticket_id = db_i64(st, 7);
	t->message_id = db_i64(st, 8);
	t->delivered_at = db_i64(st, 9);
	for (int i = 0; i < DRILL_N_EVENTS; i++)
		t->ev[i] = db_i64(st, 10 + i);
	return 0;
}

static int
target_push(const struct db_row *st, void *ctx)
{
	struct drill_target_list *l = ctx;
	struct drill_target *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	return target_row(st, &l->v[l->n++]);
}

int
db_drill_target_list(struct store_conn *c, int64_t campaign_id,
		     struct drill_target_list *out)
{
	int rc;

	*out = (struct drill_target_list){NULL, 0};
	rc = db_rows(c, target_push, out,
		     "SELECT " TARGET_COLS
		     "WHERE (CAST(?1 AS BIGINT) = 0 OR x.campaign_id = ?1) "
		     "ORDER BY x.id",
		     "i", campaign_id);
	if (rc < 0)
		drill_target_list_clear(out);
	return rc;
}

int
db_drill_target_due(struct store_conn *c, int64_t now, int64_t staff_id,
		    size_t max, struct drill_target_list *out)
{
	int rc;

	*out = (struct drill_target_list){NULL, 0};
	rc = db_rows(c, target_push, out,
		     "SELECT " TARGET_COLS "WHERE x.delivered_at IS NULL AND "
		     "x.send_at <= ?1 "
		     "AND (CAST(?2 AS BIGINT) = 0 OR x.staff_id = ?2) "
		     "ORDER BY x.send_at, x.id LIMIT ?3",
		     "iii", now, staff_id, db_limit((int64_t)max));
	if (rc < 0)
		drill_target_list_clear(out);
	return rc;
}

int
db_drill_target_by_ticket(struct store_conn *c, int64_t ticket_id,
			  struct drill_target *out)
{
	memset(out, 0, sizeof(*out));
	return db_row(c, target_row, out,
		      "SELECT " TARGET_COLS "WHERE x.ticket_id = ?1", "i",
		      ticket_id);
}

int
db_drill_target_delivered(struct store_conn *c, const struct drill_target *t,
			  int64_t ticket_id, int64_t message_id, int64_t now)
{
	int rc;

	rc = db_change(c, -GH_CONFLICT,
		       "UPDATE drill_targets SET ticket_id = ?1, "
		       "message_id = ?2, delivered_at = ?3 "
		       "WHERE id = ?4 AND ticket_id IS NULL",
		       "iiii", ticket_id, message_id, now, t->id);
	if (rc == 0)
		rc = db_change(c, -GH_NOT_FOUND,
			       "UPDATE tickets SET drill_id = ?1, "
			       "assignee_id = ?2, queue_id = ?3 WHERE id = ?4",
			       "iiii", t->id, t->staff_id, t->queue_id,
			       ticket_id);
	return rc;
}

/* One statement per event column, in enum drill_event's order (the
 * column is never a parameter). */
static const char *const event_sql[DRILL_N_EVENTS] = {
	"UPDATE drill_targets SET opened_at = ?1 "
	"WHERE id = ?2 AND opened_at IS NULL",
	"UPDATE drill_targets SET clicked_at = ?1 "
	"WHERE id = ?2 AND clicked_at IS NULL",
	"UPDATE drill_targets SET attachment_opened_at = ?1 "
	"WHERE id = ?2 AND attachment_opened_at IS NULL",
	"UPDATE drill_targets SET reported_at = ?1 "
	"WHERE id = ?2 AND reported_at IS NULL",
};

int
db_drill_target_event(struct store_conn *c, int64_t target_id,
		      enum drill_event ev, int64_t now)
{
	if ((int)ev < 0 || ev >= DRILL_N_EVENTS)
		return -GH_INTERNAL;
	return db_change(c, -GH_CONFLICT, event_sql[ev], "ii", now, target_id);
}

int
db_drill_queue_staff(struct store_conn *c, int64_t queue_id, int64_t *ids,
		     size_t max, size_t *n_out)
{
	struct db_ids b = {ids, 0, max};
	int rc;

	rc = db_rows(c, db_id_push, &b,
		     "SELECT s.id FROM staff_queues q JOIN staff s ON "
		     "s.id = q.staff_id WHERE q.queue_id = ?1 AND "
		     "s.disabled = 0 ORDER BY s.id",
		     "i", queue_id);
	*n_out = b.n;
	return rc;
}

int
db_drill_message_report(struct store_conn *c, int64_t message_id,
			int64_t staff_id, int64_t now)
{
	return db_change(c, -GH_CONFLICT,
			 "UPDATE messages SET phish_reported_at = ?1, "
			 "phish_reported_by = ?2 WHERE id = ?3 AND "
			 "phish_reported_at IS NULL",
			 "iii", now, staff_id, message_id);
}

int
db_drill_message_reported(struct store_conn *c, int64_t ticket_id,
			  int64_t message_id, int64_t *at_out)
{
	*at_out = 0;
	return db_row(c, db_int64, at_out,
		      "SELECT COALESCE(phish_reported_at, 0) FROM messages "
		      "WHERE id = ?1 AND ticket_id = ?2",
		      "ii", message_id, ticket_id);
}

int
db_drill_attachments_quarantine(struct store_conn *c, int64_t ticket_id,
				int64_t *n_out)
{
	int rc;

	rc = db_exec(c,
		     "UPDATE attachments SET quarantined = 1 WHERE "
		     "ticket_id = ?1 AND uploader_realm = 'customer' AND "
		     "quarantined = 0",
		     "i", ticket_id);
	*n_out = rc == 0 ? db_changes(c) : 0;
	return rc;
}
