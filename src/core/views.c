/*
 * Saved views (core/views.h): the built-in views, the checks of a
 * view's name and filters, who may keep, see and change which view, and
 * the audit of every change. A view's count is a search as its reader
 * (core/search.c), scoped by the same statement as the list.
 *
 * Invariant: each change re-reads the view and checks the rules inside
 * its write transaction, with the audit record in the same transaction;
 * a refusal of a view the caller can see is audited "denied" apart.
 */
#include "core/views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tickets.h"
#include "util/errors.h"
#include "util/utf8.h"

static const struct view_builtin builtins[] = {
	{"my-open", "My open", "{\"assigned\":\"me\",\"status\":\"open\"}"},
	{"unassigned", "Unassigned in my queues",
	 "{\"assigned\":\"unassigned\",\"status\":\"unsolved\"}"},
	{"due-1h", "Due within 1 h",
	 "{\"due_within\":\"3600\",\"sort\":\"due\",\"status\":\"unsolved\"}"},
	{"breached", "Breached",
	 "{\"breached\":\"true\",\"sort\":\"due\",\"status\":\"unsolved\"}"},
};

const struct view_builtin *
views_builtins(size_t *n)
{
	*n = sizeof(builtins) / sizeof(builtins[0]);
	return builtins;
}

/* --- checks ---------------------------------------------------------------- */

static int
check_name(const char *name)
{
	int64_t n = utf8_check(name, strlen(name), 0);

	if (n < 1 || n > VIEW_NAME_MAX || strlen(name) >= VIEW_NAME_BYTES)
		return -GH_BAD_FIELD;
	return 0;
}

/* The filters of object o, checked key by key, as canonical JSON into
 * out; *bad names the refused part, written into field (the caller's:
 * requests run on many threads). customer_email is refused: a view's
 * filters are stored and shown in clear to every reader of a shared
 * view, and the address is a sealed personal field. */
static int
check_filters(struct app *app, json_t *o, char *out, size_t outsz,
	      char *field, size_t fieldsz, const char **bad)
{
	struct search_filters f;
	const char *key;
	json_t *v;
	char *text;
	int rc = 0;

	*bad = "filters";
	if (!json_is_object(o) || json_object_size(o) > VIEW_FILTERS_MAX)
		return -GH_BAD_FIELD;
	search_filters_init(&f);
	json_object_foreach(o, key, v) {
		if (!json_is_string(v) || strcmp(key, "customer_email") == 0 ||
		    search_filter_set(app, &f, key, json_string_value(v)) != 0) {
			snprintf(field, fieldsz, "filters.%.60s", key);
			*bad = strlen(key) <= 60 ? field : "filters";
			return -GH_BAD_FIELD;
		}
	}
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return -GH_INTERNAL;
	if (strlen(text) >= outsz)
		rc = -GH_BAD_FIELD;
	else
		memcpy(out, text, strlen(text) + 1);
	free(text);
	return rc;
}

int
views_filters(struct app *app, const char *text, struct search_filters *f)
{
	json_t *o = json_loads(text, 0, NULL);
	const char *key;
	json_t *v;
	int rc = 0;

	search_filters_init(f);
	if (!json_is_object(o))
		rc = -GH_INTERNAL;
	json_object_foreach(o, key, v) {
		if (rc == 0 && (!json_is_string(v) ||
				search_filter_set(app, f, key,
						  json_string_value(v)) != 0))
			rc = -GH_INTERNAL; /* saved views were checked */
	}
	json_decref(o);
	return rc;
}

/* --- changes --------------------------------------------------------------- */

/* What one change does. */
struct view_ctx {
	struct app *app;
	const struct tk_actor *a;
	struct view_input *in;
	int64_t id, now;
	const char *action;
	struct view_rec *out;
	int denied;              /* the view is seen but not theirs to change */
};

static int
view_audit(struct view_ctx *x, struct store_conn *c, const char *outcome)
{
	int shared = x->out->queue_id != 0;
	json_t *d = json_pack("{s:s}", "kind", shared ? "shared" : "personal");

	if (d != NULL && shared)
		json_object_set_new(d, "queue",
				    json_string(x->out->queue_name));
	return actor_audit(x->app, c, x->a, x->action, "view", x->out->id,
			   outcome, d);
}

/* The view as x's actor may change it: -GH_NOT_FOUND when they cannot
 * see it, -GH_FORBIDDEN (x->denied) when they see it and may not. */
static int
view_for_change(struct view_ctx *x, struct store_conn *c)
{
	int rc = c->ops->search.view_get(c, x->id, x->out);

	if (rc < 0)
		return rc;
	if (x->out->owner_id > 0)
		return x->out->owner_id == x->a->id ? 0 : -GH_NOT_FOUND;
	if (actor_is_supervisor(x->a))
		return 0;
	if (c->ops->staff_in_queue(c, x->a->id, x->out->queue_id) != 0)
		return -GH_NOT_FOUND;
	x->denied = 1;
	return -GH_FORBIDDEN;
}

/* Room for one more view of the owner or queue of v. */
static int
check_room(struct view_ctx *x, struct store_conn *c, const struct view_rec *v)
{
	int64_t n = 0, max = v->queue_id > 0
				     ? x->app->cfg.search_views_per_queue
				     : x->app->cfg.search_views_per_agent;
	int rc = c->ops->search.view_count(c, v->owner_id, v->queue_id, &n);

	if (rc == 0 && n >= max)
		rc = -GH_TOO_MANY_VIEWS;
	return rc;
}

static int
tx_create(struct store_conn *c, void *cls)
{
	struct view_ctx *x = cls;
	struct view_rec *v = x->out;
	struct queue_rec qr;
	int rc = 0;

	if (x->in->queue != NULL) {
		rc = tickets_queue_find(c, x->in->queue, &qr);
		v->queue_id = qr.id;
		snprintf(v->queue_name, sizeof(v->queue_name), "%s", qr.name);
	} else {
		v->owner_id = x->a->id;
	}
	if (rc == 0)
		rc = check_room(x, c, v);
	if (rc == 0)
		rc = c->ops->search.view_insert(c, v, &v->id);
	if (rc == 0)
		rc = view_audit(x, c, "ok");
	return rc;
}

/* Checks in's name and filters into v; *in->bad_field on a refusal. */
static int
view_input_check(struct app *app, struct view_input *in, struct view_rec *v)
{
	const char *bad = "filters";
	int rc = 0;

	if (in->name != NULL) {
		rc = check_name(in->name);
		in->bad_field = rc < 0 ? "name" : NULL;
		if (rc == 0)
			snprintf(v->name, sizeof(v->name), "%s", in->name);
	}
	if (rc == 0 && in->filters != NULL) {
		rc = check_filters(app, in->filters, v->filters,
				   sizeof(v->filters), in->field,
				   sizeof(in->field), &bad);
		in->bad_field = rc < 0 ? bad : NULL;
	}
	return rc;
}

/* Audits x's refused change of a view its actor sees, apart from the
 * rolled-back transaction. */
static int
tx_denied(struct store_conn *c, void *cls)
{
	return view_audit(cls, c, "denied");
}

static int
finish(struct view_ctx *x, struct store_conn *c, int rc)
{
	if (rc == -GH_FORBIDDEN && x->denied &&
	    store_transact(c, tx_denied, x) < 0)
		rc = -GH_INTERNAL;
	return rc;
}

int
views_create(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     struct view_input *in, int64_t now, struct view_rec *out)
{
	struct view_ctx x = {app, a, in, 0, now, "view.create", out, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	if (in->name == NULL || in->filters == NULL) {
		in->bad_field = in->name == NULL ? "name" : "filters";
		return -GH_MISSING_FIELD;
	}
	rc = view_input_check(app, in, out);
	if (rc < 0)
		return rc;
	if (in->queue != NULL && !actor_is_supervisor(a)) {
		x.denied = 1;
		out->queue_id = -1; /* audited as shared */
		snprintf(out->queue_name, sizeof(out->queue_name), "%.*s",
			 (int)sizeof(out->queue_name) - 1, in->queue);
		return finish(&x, c, -GH_FORBIDDEN);
	}
	out->created_by = a->id;
	out->created_at = now;
	out->updated_at = now;
	return store_transact(c, tx_create, &x);
}

static int
tx_update(struct store_conn *c, void *cls)
{
	struct view_ctx *x = cls;
	struct view_rec in;
	int rc;

	memset(&in, 0, sizeof(in));
	rc = view_input_check(x->app, x->in, &in);
	if (rc == 0)
		rc = view_for_change(x, c);
	if (rc < 0)
		return rc;
	if (x->in->name != NULL)
		memcpy(x->out->name, in.name, sizeof(in.name));
	if (x->in->filters != NULL)
		memcpy(x->out->filters, in.filters, sizeof(in.filters));
	x->out->updated_at = x->now;
	rc = c->ops->search.view_update(c, x->out);
	if (rc == 0)
		rc = view_audit(x, c, "ok");
	return rc;
}

int
views_update(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     int64_t id, struct view_input *in, int64_t now,
	     struct view_rec *out)
{
	struct view_ctx x = {app, a, in, id, now, "view.update", out, 0};

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	return finish(&x, c, store_transact(c, tx_update, &x));
}

static int
tx_delete(struct store_conn *c, void *cls)
{
	struct view_ctx *x = cls;
	int rc = view_for_change(x, c);

	if (rc == 0)
		rc = c->ops->search.view_delete(c, x->id);
	if (rc == 0)
		rc = view_audit(x, c, "ok");
	return rc;
}

int
views_delete(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     int64_t id)
{
	struct view_input in = {NULL, NULL, NULL, NULL, ""};
	struct view_rec v;
	struct view_ctx x = {app, a, &in, id, 0, "view.delete", &v, 0};

	memset(&v, 0, sizeof(v));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	return finish(&x, c, store_transact(c, tx_delete, &x));
}

/* --- reading --------------------------------------------------------------- */

int
views_list(struct store_conn *c, const struct tk_actor *a,
	   struct view_list *out)
{
	*out = (struct view_list){NULL, 0};
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	return c->ops->search.view_list(c, a->id, actor_is_supervisor(a), out);
}

int
views_count(struct app *app, struct store_conn *c, const struct tk_actor *a,
	    const char *filters, int64_t now, int64_t *n_out)
{
	struct search_filters f;
	int rc = views_filters(app, filters, &f);

	*n_out = 0;
	/* Filters that no longer pass (an operator lowered [search]
	 * max_terms since): the view counts nothing, the others still
	 * count. */
	if (rc < 0)
		return 0;
	rc = search_staff_count(app, c, a, &f, now, n_out);
	/* A queue deleted or renamed since the view was saved. */
	return rc == -GH_UNKNOWN_QUEUE ? 0 : rc;
}
