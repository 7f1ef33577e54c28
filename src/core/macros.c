/*
 * Canned replies: saving, deleting and listing (see core/macros.h); the
 * placeholders, expansion and application are in macros_apply.c.
 *
 * A save runs in three steps: the input's checks (name, text,
 * placeholders, actions), the outbound check of the text outside any
 * transaction (it may read the fingerprint index), then one transaction
 * that checks the limit, writes the row and its audit record together.
 *
 * Invariant: nothing is stored for a refused save, and no audit record or
 * log line holds a macro's text (ids, names, the scope and finding types
 * only).
 */
#include "core/macros.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/macros_int.h"
#include "core/outbound.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/utf8.h"

void
macro_refusal_init(struct macro_refusal *f)
{
	memset(f, 0, sizeof(*f));
	dlp_findings_init(&f->findings);
}

void
macro_refusal_clear(struct macro_refusal *f)
{
	dlp_findings_free(&f->findings);
	macro_refusal_init(f);
}

/* --- the input ------------------------------------------------------------ */

static int
bad(struct macro_refusal *f, const char *field, int rc)
{
	f->field = field;
	return rc;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Tags v[0, n) sorted, without repeats, space-separated into out (size
 * MACRO_TAGS_BYTES). -GH_BAD_FIELD for too many or a bad tag. */
static int
tag_text(const char *const *v, size_t n, char *out)
{
	const char *s[MACRO_TAGS_MAX];
	size_t len = 0;

	out[0] = '\0';
	if (n > MACRO_TAGS_MAX)
		return -GH_BAD_FIELD;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL || !tickets_valid_tag(v[i]))
			return -GH_BAD_FIELD;
		s[i] = v[i];
	}
	qsort(s, n, sizeof(s[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(s[i]);

		if (i > 0 && strcmp(s[i], s[i - 1]) == 0)
			continue;
		if (len + l + 2 > MACRO_TAGS_BYTES)
			return -GH_BAD_FIELD;
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, s[i], l + 1);
		len += l;
	}
	return 0;
}

/* 1 when the space-separated tag lists a and b share a tag. */
static int
tags_overlap(const char *a, const char *b)
{
	char buf[MACRO_TAGS_BYTES], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", a);
	for (char *t = strtok_r(buf, " ", &save); t != NULL;
	     t = strtok_r(NULL, " ", &save)) {
		size_t l = strlen(t);

		for (const char *p = strstr(b, t); p != NULL;
		     p = strstr(p + 1, t))
			if ((p == b || p[-1] == ' ') &&
			    (p[l] == '\0' || p[l] == ' '))
				return 1;
	}
	return 0;
}

/* The actions of in into m; f->field names a bad one. */
static int
check_actions(const struct macro_input *in, struct macro_rec *m,
	      struct macro_refusal *f)
{
	const char *st = in->status != NULL ? in->status : "";
	const char *pr = in->priority != NULL ? in->priority : "";

	if (st[0] != '\0' && !tickets_valid_status(st))
		return bad(f, "status", -GH_BAD_FIELD);
	if (pr[0] != '\0' && !tickets_valid_priority(pr))
		return bad(f, "priority", -GH_BAD_FIELD);
	snprintf(m->status, sizeof(m->status), "%s", st);
	snprintf(m->priority, sizeof(m->priority), "%s", pr);
	if (tag_text(in->tags_add, in->n_add, m->tags_add) < 0)
		return bad(f, "add_tags", -GH_BAD_FIELD);
	if (tag_text(in->tags_remove, in->n_remove, m->tags_remove) < 0 ||
	    tags_overlap(m->tags_add, m->tags_remove))
		return bad(f, "remove_tags", -GH_BAD_FIELD);
	return 0;
}

/* Checks in and fills m's name, body (a copy m owns) and actions. */
static int
check_input(const struct macro_input *in, struct macro_rec *m,
	    struct macro_refusal *f)
{
	size_t tlen = in->text != NULL ? strlen(in->text) : 0;
	int64_t n;
	int rc;

	if (in->name == NULL)
		return bad(f, "name", -GH_BAD_FIELD);
	n = utf8_check(in->name, strlen(in->name), 0);
	if (n < 0)
		return bad(f, "name", -GH_BAD_UTF8);
	if (n < 1 || n > MACRO_NAME_MAX || strlen(in->name) >= sizeof(m->name))
		return bad(f, "name", -GH_BAD_FIELD);
	rc = tickets_check_body(in->text, tlen);
	if (rc < 0)
		return bad(f, "text", rc);
	rc = macros_check_placeholders(in->text, tlen, f);
	if (rc < 0)
		return bad(f, "text", rc);
	snprintf(m->name, sizeof(m->name), "%s", in->name);
	rc = check_actions(in, m, f);
	if (rc < 0)
		return rc;
	free(m->body);
	m->body = strdup(in->text);
	return m->body != NULL ? 0 : -GH_INTERNAL;
}

/* --- the rules ------------------------------------------------------------ */

/* *yes: 1 when staff member staff_id is a member of queue queue_id. */
static int
is_member(struct store_conn *c, int64_t staff_id, int64_t queue_id, int *yes)
{
	struct queue_list l = {NULL, 0};
	int rc = tickets_staff_queues(c, staff_id, &l);

	*yes = 0;
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		if (l.v[i].id == queue_id)
			*yes = 1;
	queue_list_clear(&l);
	return rc;
}

/* 0 when a may see (and use) m: its owner, or for a shared one a
 * supervisor, an admin or a member of its queue; -GH_NOT_FOUND else. */
static int
may_see(struct store_conn *c, const struct tk_actor *a,
	const struct macro_rec *m)
{
	int member = 0;
	int rc;

	if (m->owner_id > 0)
		return m->owner_id == a->id ? 0 : -GH_NOT_FOUND;
	if (actor_is_supervisor(a))
		return 0;
	rc = is_member(c, a->id, m->queue_id, &member);
	if (rc < 0)
		return rc;
	return member ? 0 : -GH_NOT_FOUND;
}

/* 0 when a may change m: its owner, or for a shared one a supervisor or
 * admin; -GH_FORBIDDEN for an agent who sees a shared one. */
static int
may_change(struct store_conn *c, const struct tk_actor *a,
	   const struct macro_rec *m)
{
	int rc = may_see(c, a, m);

	if (rc == 0 && m->owner_id == 0 && !actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	return rc;
}

/* --- audit ------------------------------------------------------------------ */

static json_t *
scope_detail(const struct macro_rec *m)
{
	return json_pack("{s:s, s:s, s:s?}", "name", m->name, "scope",
			 m->owner_id > 0 ? "personal" : "queue", "queue",
			 m->owner_id > 0 ? NULL : m->queue_name);
}

struct audit_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *action;
	int64_t id;
	const char *outcome;
	json_t *detail;
};

static int
tx_audit(struct store_conn *c, void *cls)
{
	struct audit_ctx *x = cls;

	/* A retried transaction writes the record again: keep a reference. */
	json_incref(x->detail);
	return actor_audit(x->app, c, x->a, x->action, "macro", x->id,
			   x->outcome, x->detail);
}

int
macros_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const char *action, int64_t id, const char *outcome,
	     json_t *detail)
{
	struct audit_ctx x = {app, a, action, id, outcome, detail};
	int rc = store_transact(c, tx_audit, &x);

	json_decref(detail);
	return rc;
}

int
macros_refused(struct app *app, struct store_conn *c,
	       const struct tk_actor *a, const char *action, int64_t id,
	       int rc, const struct dlp_findings *f)
{
	json_t *types = NULL;
	int arc;

	if (f != NULL) {
		types = json_array();
		for (size_t i = 0; types != NULL && i < f->n; i++)
			json_array_append_new(types,
					      json_string(f->v[i].type));
	}
	arc = macros_audit(app, c, a, action, id, "denied",
			   json_pack("{s:s, s:o*}", "reason", err_code(-rc),
				     "types", types));
	log_event(LOG_INFO, "macro.refused",
		  json_pack("{s:s, s:I, s:s, s:s?}", "action", action, "macro",
			    (json_int_t)id, "reason", err_code(-rc),
			    "request_id", a->request_id));
	return arc < 0 ? arc : rc;
}

/* The outbound check of a text bound to no ticket. */
static int
scan_text(struct app *app, struct store_conn *c, const char *text,
	  struct dlp_findings *f)
{
	struct outbound_ctx ob;
	int rc = outbound_prepare_unbound(app, c, &ob);

	if (rc == 0)
		rc = outbound_scan(&ob, text, strlen(text), f);
	outbound_ctx_clear(&ob);
	return rc;
}

/* --- saving ------------------------------------------------------------------ */

struct save_ctx {
	struct app *app;
	const struct tk_actor *a;
	struct macro_rec *m;
	const char *action;  /* macro.create, macro.update, macro.delete */
};

static int
tx_save(struct store_conn *c, void *cls)
{
	struct save_ctx *x = cls;
	struct macro_rec *m = x->m;
	const struct config *cfg = &x->app->cfg;
	int64_t n = 0;
	int rc = 0;

	if (strcmp(x->action, "macro.create") == 0) {
		rc = c->ops->macros->count(c, m->owner_id, m->queue_id, &n);
		if (rc == 0 && n >= (m->owner_id > 0 ? cfg->macros_per_agent
						      : cfg->macros_per_queue))
			rc = -GH_TOO_MANY_MACROS;
		if (rc == 0)
			rc = c->ops->macros->insert(c, m, &m->id);
	} else if (strcmp(x->action, "macro.update") == 0) {
		rc = c->ops->macros->update(c, m);
	} else {
		rc = c->ops->macros->remove(c, m->id);
	}
	if (rc == -GH_EXISTS)
		rc = -GH_MACRO_EXISTS;
	if (rc < 0)
		return rc;
	return actor_audit(x->app, c, x->a, x->action, "macro", m->id,
			   "success", scope_detail(m));
}

/* The scope of a new macro: personal, or shared in in->queue. */
static int
new_scope(struct app *app, struct store_conn *c, const struct tk_actor *a,
	  const struct macro_input *in, struct macro_rec *m,
	  struct macro_refusal *f)
{
	struct queue_rec q;
	int rc;

	if (in->queue == NULL) {
		m->owner_id = a->id;
		return 0;
	}
	rc = tickets_queue_find(c, in->queue, &q);
	if (rc < 0)
		return bad(f, "queue", rc);
	if (!actor_is_supervisor(a))
		return macros_refused(app, c, a, "macro.create", 0, -GH_FORBIDDEN,
			       NULL);
	m->queue_id = q.id;
	snprintf(m->queue_name, sizeof(m->queue_name), "%s", q.name);
	return 0;
}

/* The checks, the outbound check and the transaction of a save; m holds
 * the scope (and id) already. */
static int
save(struct app *app, struct store_conn *c, const struct tk_actor *a,
     const struct macro_input *in, struct macro_refusal *f,
     struct macro_rec *m, const char *action)
{
	struct save_ctx x = {app, a, m, action};
	int rc;

	rc = check_input(in, m, f);
	if (rc < 0)
		return rc;
	rc = scan_text(app, c, m->body, &f->findings);
	if (rc == -GH_DLP_BLOCKED) {
		f->field = "text";
		return macros_refused(app, c, a, action, m->id, rc, &f->findings);
	}
	if (rc < 0)
		return rc;
	m->updated_at = (int64_t)time(NULL);
	m->created_by = a->id;
	return store_transact(c, tx_save, &x);
}

int
macros_create(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const struct macro_input *in, struct macro_refusal *f,
	      struct macro_rec *out)
{
	struct macro_rec m;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	memset(&m, 0, sizeof(m));
	rc = new_scope(app, c, a, in, &m, f);
	if (rc == 0)
		rc = save(app, c, a, in, f, &m, "macro.create");
	macro_rec_clear(&m);
	if (rc < 0)
		return rc;
	return c->ops->macros->get(c, m.id, out);
}

/* Macro id into *m when a may change it (macro_rec_clear). */
static int
changeable(struct app *app, struct store_conn *c, const struct tk_actor *a,
	   int64_t id, const char *action, struct macro_rec *m)
{
	int rc;

	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = c->ops->macros->get(c, id, m);
	if (rc == 0)
		rc = may_change(c, a, m);
	if (rc == -GH_FORBIDDEN)
		rc = macros_refused(app, c, a, action, id, rc, NULL);
	if (rc < 0)
		macro_rec_clear(m);
	return rc;
}

int
macros_update(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t id, const struct macro_input *in,
	      struct macro_refusal *f, struct macro_rec *out)
{
	struct macro_rec m;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = changeable(app, c, a, id, "macro.update", &m);
	if (rc < 0)
		return rc;
	rc = save(app, c, a, in, f, &m, "macro.update");
	macro_rec_clear(&m);
	if (rc < 0)
		return rc;
	return c->ops->macros->get(c, id, out);
}

int
macros_delete(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t id)
{
	struct macro_rec m;
	struct save_ctx x = {app, a, &m, "macro.delete"};
	int rc;

	rc = changeable(app, c, a, id, "macro.delete", &m);
	if (rc < 0)
		return rc;
	rc = store_transact(c, tx_save, &x);
	macro_rec_clear(&m);
	return rc;
}

int
macros_list(struct app *app, struct store_conn *c, const struct tk_actor *a,
	    int64_t ticket_id, struct macro_list *out)
{
	struct ticket_rec t;
	int64_t queue_id = 0;
	int rc;

	(void)app;
	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	if (ticket_id > 0) {
		rc = actor_ticket(c, a, ticket_id, &t);
		if (rc < 0)
			return rc;
		queue_id = t.queue_id;
	}
	return c->ops->macros->list(c, a->id, actor_is_supervisor(a),
				    queue_id, out);
}

int
macros_usable(struct store_conn *c, const struct tk_actor *a,
	      const struct ticket_rec *t, int64_t macro_id,
	      struct macro_rec *m)
{
	int rc = c->ops->macros->get(c, macro_id, m);

	if (rc == 0)
		rc = may_see(c, a, m);
	if (rc == 0 && m->owner_id == 0 && m->queue_id != t->queue_id)
		rc = -GH_NOT_FOUND;
	if (rc < 0)
		macro_rec_clear(m);
	return rc;
}
