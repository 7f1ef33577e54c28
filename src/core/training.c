/*
 * Staff training's rules (see core/training.h): module statuses, the
 * required set, assignments, completions and the gate on disclosure.
 *
 * Invariant: the gate reads the same states the staff member and the
 * supervisors see (store training.states), so what the console shows as
 * current is exactly what the gate lets through; every assignment,
 * completion and gate refusal has its audit record in the transaction
 * that makes it.
 */
#include "core/training.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "util/errors.h"

/* Completions may be dated at most this far ahead of now (clock skew of
 * another platform), and not before 2000-01-01. */
#define FUTURE_SLACK 86400
#define EARLIEST 946684800

int
training_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return 0;
	n = strlen(id);
	if (n < 1 || n > TRAINING_ID_MAX || id[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-'))
			return 0;
	}
	return 1;
}

static int
reason_valid(const char *r)
{
	size_t n = r == NULL ? 0 : strlen(r);

	if (n < 1 || n > TRAINING_REASON_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') ||
		      (r[i] >= '0' && r[i] <= '9') || r[i] == '_'))
			return 0;
	return 1;
}

static int
days_in(int year, int mon)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 1 && leap ? 29 : d[mon];
}

int64_t
training_add_months(int64_t t, int64_t months)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int64_t m;

	if (gmtime_r(&tt, &tm) == NULL)
		return t;
	m = (int64_t)tm.tm_mon + months;
	tm.tm_year += (int)(m / 12);
	tm.tm_mon = (int)(m % 12);
	if (tm.tm_mday > days_in(tm.tm_year + 1900, tm.tm_mon))
		tm.tm_mday = days_in(tm.tm_year + 1900, tm.tm_mon);
	return (int64_t)timegm(&tm);
}

int64_t
training_expiry(const struct app *app, const struct training_module *m,
		int64_t t)
{
	int64_t months = m->validity_months > 0
				 ? m->validity_months
				 : app->cfg.training_validity_months;

	return training_add_months(t, months);
}

const char *
training_status(const struct training_state *s, int64_t now)
{
	if (s->assigned_at > 0)
		return "assigned";
	if (s->expires_at == 0)
		return "missing";
	if (s->expires_at <= now)
		return "expired";
	return "current";
}

/* 1 when id is one of the comma-separated ids of list (spaces around
 * an id ignored). */
static int
in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == n && strncmp(p, id, n) == 0)
			return 1;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

static int
required_all(const struct app *app)
{
	return strcmp(app->cfg.training_required, "all") == 0;
}

int
training_is_required(const struct app *app, const struct training_state *s)
{
	if (s->assigned_at > 0)
		return 1;
	if (required_all(app))
		return s->required;
	return in_list(app->cfg.training_required, s->module_id);
}

static int
append_missing(json_t *arr, const char *id, const char *title,
	       const char *status)
{
	return json_array_append_new(arr,
				     json_pack("{s:s, s:s, s:s}", "id", id,
					       "title", title, "status",
					       status)) == 0
		       ? 0
		       : -GH_INTERNAL;
}

static int
state_has(const struct training_state_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].module_id, id) == 0)
			return 1;
	return 0;
}

/* The configured ids that name no module (fail closed: they count as
 * missing). */
static int
unknown_required(const struct app *app, const struct training_state_list *l,
		 json_t *arr)
{
	char buf[CONFIG_STR_MAX];
	char *save = NULL, *tok;
	int rc = 0;

	if (required_all(app))
		return 0;
	snprintf(buf, sizeof(buf), "%s", app->cfg.training_required);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ", ", &save))
		if (!state_has(l, tok))
			rc = append_missing(arr, tok, tok, "missing");
	return rc;
}

int
training_gate(struct app *app, struct store_conn *c, int64_t staff_id,
	      int64_t now, json_t **missing_out)
{
	struct training_state_list l = {NULL, 0};
	json_t *arr = json_array();
	int rc;

	if (missing_out != NULL)
		*missing_out = NULL;
	if (arr == NULL)
		return -GH_INTERNAL;
	rc = c->ops->training.states(c, staff_id, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct training_state *s = &l.v[i];
		const char *st = training_status(s, now);

		if (training_is_required(app, s) && strcmp(st, "current") != 0)
			rc = append_missing(arr, s->module_id, s->title, st);
	}
	if (rc == 0 && l.n > 0)
		rc = unknown_required(app, &l, arr);
	training_state_list_clear(&l);
	if (rc == 0 && json_array_size(arr) > 0)
		rc = -GH_TRAINING_REQUIRED;
	if (rc == -GH_TRAINING_REQUIRED && missing_out != NULL) {
		*missing_out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

int
training_gate_check(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, const char *action, int64_t now)
{
	json_t *missing = NULL, *ids;
	size_t i;
	json_t *m;
	int rc;

	rc = training_gate(app, c, a->id, now, &missing);
	if (rc != -GH_TRAINING_REQUIRED)
		return rc;
	ids = json_array();
	json_array_foreach(missing, i, m)
		json_array_append(ids, json_object_get(m, "id"));
	json_decref(missing);
	rc = actor_audit(app, c, a, "training.gate", "staff", a->id, "denied",
			 json_pack("{s:s, s:o}", "action", action, "modules",
				   ids != NULL ? ids : json_array()));
	return rc < 0 ? rc : -GH_TRAINING_REQUIRED;
}

struct assign_ctx {
	struct app *app;
	int64_t staff_id;
	const char *module_id;
	const char *reason;
	int64_t now;
};

static int
tx_assign(struct store_conn *c, void *cls)
{
	struct assign_ctx *x = cls;
	struct training_module m;
	char name[404];
	char target[48];
	int rc;

	rc = c->ops->staff_name(c, x->staff_id, name, sizeof(name));
	if (rc < 0)
		return rc;
	rc = c->ops->training.module_get(c, x->module_id, &m);
	training_module_clear(&m);
	if (rc == -GH_NOT_FOUND)
		return -GH_UNKNOWN_MODULE;
	if (rc < 0)
		return rc;
	rc = c->ops->training.assignment_open(c, x->staff_id, x->module_id,
					      x->reason, x->now);
	if (rc == -GH_EXISTS)
		return 0; /* open already: nothing new to record */
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "staff:%lld", (long long)x->staff_id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = "system",
				 .action = "training.assigned",
				 .target = target,
				 .outcome = "success",
				 .detail = json_pack("{s:s, s:s}", "module",
						     x->module_id, "reason",
						     x->reason),
			 });
}

int
training_assign_tx(struct app *app, struct store_conn *c, int64_t staff_id,
		   const char *module_id, const char *reason, int64_t now)
{
	struct assign_ctx x = {app, staff_id, module_id, reason, now};

	if (!training_id_valid(module_id))
		return -GH_UNKNOWN_MODULE;
	if (!reason_valid(reason))
		return -GH_BAD_FIELD;
	return tx_assign(c, &x);
}

int
training_assign(struct app *app, struct store_conn *c, int64_t staff_id,
		const char *module_id, const char *reason, int64_t now)
{
	struct assign_ctx x = {app, staff_id, module_id, reason, now};

	if (!training_id_valid(module_id))
		return -GH_UNKNOWN_MODULE;
	if (!reason_valid(reason))
		return -GH_BAD_FIELD;
	return store_transact(c, tx_assign, &x);
}

/* --- completions -------------------------------------------------------- */

struct record_ctx {
	struct app *app;
	const char *by;
	int64_t staff_id;
	const char *module_id;  /* NULL: every module */
	const char *source;
	int64_t at;
	int64_t expires;
};

int
training_record_tx(struct app *app, struct store_conn *c, const char *by,
		   int64_t staff_id, const struct training_module *m,
		   const char *source, int64_t at, int64_t *expires_out)
{
	int64_t expires = training_expiry(app, m, at);
	char target[48];
	int rc;

	*expires_out = expires;
	rc = c->ops->training.completion_insert(
		c,
		&(struct training_completion_new){
			.staff_id = staff_id,
			.module_id = m->id,
			.completed_at = at,
			.expires_at = expires,
			.source = source,
			.recorded_by = by,
		},
		NULL);
	if (rc < 0)
		return rc;
	snprintf(target, sizeof(target), "staff:%lld", (long long)staff_id);
	return audit_log(app, c,
			 &(struct audit_ev){
				 .actor = by,
				 .action = "training.completed",
				 .target = target,
				 .outcome = "success",
				 .detail = json_pack(
					 "{s:s, s:s, s:s, s:I, s:I}", "module",
					 m->id, "source", source, "recorded_by",
					 by, "completed_at", (json_int_t)at,
					 "expires_at", (json_int_t)expires),
			 });
}

static int
record_one(struct store_conn *c, struct record_ctx *x,
	   const struct training_module *m)
{
	return training_record_tx(x->app, c, x->by, x->staff_id, m, x->source,
				  x->at, &x->expires);
}

static int
tx_record(struct store_conn *c, void *cls)
{
	struct record_ctx *x = cls;
	struct training_module_list l = {NULL, 0};
	struct training_module m;
	char name[404];
	int rc;

	rc = c->ops->staff_name(c, x->staff_id, name, sizeof(name));
	if (rc < 0)
		return rc;
	if (x->module_id != NULL) {
		rc = c->ops->training.module_get(c, x->module_id, &m);
		if (rc == 0)
			rc = record_one(c, x, &m);
		training_module_clear(&m);
		return rc == -GH_NOT_FOUND ? -GH_UNKNOWN_MODULE : rc;
	}
	rc = c->ops->training.module_list(c, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		rc = record_one(c, x, &l.v[i]);
	if (rc == 0 && l.n == 0)
		rc = -GH_UNKNOWN_MODULE;
	training_module_list_clear(&l);
	return rc;
}

int
training_record(struct app *app, struct store_conn *c, const char *by,
		int64_t staff_id, const char *module_id, const char *source,
		int64_t completed_at, int64_t now, int64_t *expires_out)
{
	struct record_ctx x = {app, by, staff_id, module_id, source,
			       completed_at, 0};
	int rc;

	if (expires_out != NULL)
		*expires_out = 0;
	if (module_id != NULL && !training_id_valid(module_id))
		return -GH_UNKNOWN_MODULE;
	if (completed_at < EARLIEST || completed_at > now + FUTURE_SLACK)
		return -GH_BAD_FIELD;
	rc = store_transact(c, tx_record, &x);
	if (rc == 0 && expires_out != NULL)
		*expires_out = x.expires;
	return rc;
}

/* --- reading -------------------------------------------------------------- */

int
training_states(struct store_conn *c, int64_t staff_id,
		struct training_state_list *out)
{
	return c->ops->training.states(c, staff_id, out);
}

int
training_modules(struct store_conn *c, struct training_module_list *out)
{
	return c->ops->training.module_list(c, out);
}

int
training_module(struct store_conn *c, const char *id,
		struct training_module *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!training_id_valid(id))
		return -GH_UNKNOWN_MODULE;
	rc = c->ops->training.module_get(c, id, out);
	return rc == -GH_NOT_FOUND ? -GH_UNKNOWN_MODULE : rc;
}

int
training_staff_id(struct store_conn *c, const char *email, int64_t *id_out)
{
	struct account a;
	int rc;

	*id_out = 0;
	memset(&a, 0, sizeof(a));
	if (email == NULL || strlen(email) >= sizeof(a.login))
		return -GH_NOT_FOUND;
	rc = c->ops->account_by_login(c, REALM_STAFF, email, &a);
	if (rc == 0)
		*id_out = a.id;
	account_clear(&a);
	return rc;
}
