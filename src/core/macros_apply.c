/*
 * Canned replies: placeholders, expansion, preview and application (see
 * core/macros.h). Application sends the expanded text through
 * tickets_reply() — the one path a text takes to a customer — and only
 * then applies the macro's actions through the tickets module's setters,
 * each with its own rules and audit record.
 *
 * Invariant: a placeholder expands only to a value that is not sealed
 * personal data (the first word of the clear display names, the ticket's
 * id, the company's name); the expanded text is never logged or audited.
 */
#include "core/macros.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macros_int.h"
#include "util/errors.h"
#include "util/log.h"

enum ph { PH_CUSTOMER, PH_AGENT, PH_TICKET, PH_COMPANY, PH_COUNT };

static const char *const ph_names[PH_COUNT] = {
	[PH_CUSTOMER] = "customer.first_name",
	[PH_AGENT] = "agent.first_name",
	[PH_TICKET] = "ticket.id",
	[PH_COMPANY] = "company.name",
};

/* The next placeholder of text from p: *open at its "{{", *close at its
 * "}}" (NULL when unclosed). Returns its kind, -1 when it is not allowed,
 * -2 when there is none left. */
static int
next_ph(const char *p, const char **open, const char **close)
{
	size_t n;

	*open = strstr(p, "{{");
	if (*open == NULL)
		return -2;
	*close = strstr(*open + 2, "}}");
	if (*close == NULL)
		return -1;
	n = (size_t)(*close - (*open + 2));
	for (int i = 0; i < PH_COUNT; i++)
		if (strlen(ph_names[i]) == n &&
		    memcmp(*open + 2, ph_names[i], n) == 0)
			return i;
	return -1;
}

/* The refused name, printable ASCII only, cut to fit. */
static void
name_refused(const char *open, const char *close, struct macro_refusal *f,
	     const char *text)
{
	size_t n = 0;

	f->offset = (size_t)(open - text);
	for (const char *p = open + 2; close != NULL && p < close &&
				       n < MACRO_PLACEHOLDER_MAX; p++) {
		int ok = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\';

		f->placeholder[n++] = ok ? *p : '?';
	}
	f->placeholder[n] = '\0';
}

int
macros_check_placeholders(const char *text, size_t len,
			  struct macro_refusal *f)
{
	const char *p = text, *open, *close;
	int k;

	(void)len; /* text is NUL-ended and holds no NUL (checked UTF-8) */
	while ((k = next_ph(p, &open, &close)) != -2) {
		if (k < 0) {
			if (f != NULL)
				name_refused(open, close, f, text);
			return -GH_BAD_PLACEHOLDER;
		}
		p = close + 2;
	}
	return 0;
}

/* --- expansion ------------------------------------------------------------- */

struct buf {
	char *s;
	size_t n, cap;
};

static int
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *v = realloc(b->s, cap);

		if (v == NULL)
			return -GH_INTERNAL;
		b->s = v;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

/* The first word of a display name (spaces and tabs end it). */
static int
put_first_word(struct buf *b, const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	name += strspn(name, " \t");
	n = strcspn(name, " \t");
	return put(b, name, n);
}

static int
put_value(struct buf *b, int k, const struct macro_vars *v)
{
	char num[24];

	switch (k) {
	case PH_CUSTOMER:
		return put_first_word(b, v->customer_name);
	case PH_AGENT:
		return put_first_word(b, v->agent_name);
	case PH_TICKET:
		snprintf(num, sizeof(num), "%lld", (long long)v->ticket_id);
		return put(b, num, strlen(num));
	default:
		return put(b, v->company != NULL ? v->company : "",
			   v->company != NULL ? strlen(v->company) : 0);
	}
}

int
macros_expand(const char *text, const struct macro_vars *v, char **out)
{
	struct buf b = {NULL, 0, 0};
	const char *p = text, *open, *close;
	int k, rc;

	*out = NULL;
	rc = put(&b, "", 0);
	while (rc == 0 && (k = next_ph(p, &open, &close)) != -2) {
		if (k < 0) {
			rc = -GH_BAD_PLACEHOLDER;
			break;
		}
		rc = put(&b, p, (size_t)(open - p));
		if (rc == 0)
			rc = put_value(&b, k, v);
		p = close + 2;
	}
	if (rc == 0)
		rc = put(&b, p, strlen(p));
	if (rc < 0) {
		free(b.s);
		return rc;
	}
	*out = b.s;
	return 0;
}

/* --- preview and application ------------------------------------------------ */

/* The ticket, the macro and its text expanded for them. */
static int
prepare(struct app *app, struct store_conn *c, const struct tk_actor *a,
	int64_t ticket_id, int64_t macro_id, struct ticket_rec *t,
	struct macro_rec *m, char **text)
{
	char agent[404] = "";
	struct macro_vars v;
	int rc;

	*text = NULL;
	memset(m, 0, sizeof(*m));
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = actor_ticket(c, a, ticket_id, t);
	if (rc == 0)
		rc = macros_usable(c, a, t, macro_id, m);
	if (rc < 0)
		return rc;
	(void)tickets_staff_name(c, a->id, agent, sizeof(agent));
	v = (struct macro_vars){t->customer_name, agent, t->id,
				app->cfg.company_name};
	rc = macros_expand(m->body, &v, text);
	if (rc < 0)
		macro_rec_clear(m);
	return rc;
}

int
macros_preview(struct app *app, struct store_conn *c, const struct tk_actor *a,
	       int64_t ticket_id, int64_t macro_id, char **text,
	       struct macro_rec *m)
{
	struct ticket_rec t;
	struct macro_rec own;
	int rc;

	rc = prepare(app, c, a, ticket_id, macro_id, &t, m != NULL ? m : &own,
		     text);
	if (rc == 0 && m == NULL)
		macro_rec_clear(&own);
	return rc;
}

/* Splits the space-separated tags of s (copied into buf) into v. */
static size_t
split_tags(const char *s, char *buf, size_t bufsz, const char **v)
{
	char *save = NULL;
	size_t n = 0;

	snprintf(buf, bufsz, "%s", s);
	for (char *t = strtok_r(buf, " ", &save);
	     t != NULL && n < MACRO_TAGS_MAX; t = strtok_r(NULL, " ", &save))
		v[n++] = t;
	return n;
}

/* The macro's actions, each through its tickets setter; *t the ticket
 * after them. */
static int
apply_actions(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const struct macro_rec *m, struct ticket_rec *t)
{
	char add_buf[MACRO_TAGS_BYTES], rem_buf[MACRO_TAGS_BYTES];
	const char *add[MACRO_TAGS_MAX], *rem[MACRO_TAGS_MAX];
	size_t nadd, nrem;
	int64_t id = t->id;
	int rc = 0;

	if (m->status[0] != '\0')
		rc = tickets_set_status(app, c, a, id, m->status, t);
	nadd = split_tags(m->tags_add, add_buf, sizeof(add_buf), add);
	nrem = split_tags(m->tags_remove, rem_buf, sizeof(rem_buf), rem);
	if (rc == 0 && m->priority[0] != '\0')
		rc = tickets_set_priority(app, c, a, id, m->priority, t);
	if (rc == 0 && nadd + nrem > 0)
		rc = tickets_set_tags(app, c, a, id, add, nadd, rem, nrem, t);
	if (rc == 0)
		rc = actor_ticket(c, a, id, t);
	return rc;
}

static json_t *
apply_detail(const struct macro_rec *m, int64_t ticket_id,
	     const struct tk_reply *reply)
{
	return json_pack("{s:s, s:I, s:I, s:b}", "name", m->name, "ticket",
			 (json_int_t)ticket_id, reply->held ? "held" : "message",
			 (json_int_t)reply->item.id, "actions",
			 !reply->held);
}

int
macros_apply(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     int64_t ticket_id, int64_t macro_id, char **text,
	     struct tk_reply *reply, struct ticket_rec *t)
{
	struct macro_rec m;
	int rc;

	rc = prepare(app, c, a, ticket_id, macro_id, t, &m, text);
	if (rc < 0)
		return rc;
	rc = tickets_reply(app, c, a, ticket_id, *text, reply);
	if (rc == -GH_DLP_BLOCKED || rc == -GH_BAD_FIELD)
		rc = macros_refused(app, c, a, "macro.apply", macro_id, rc,
				    rc == -GH_DLP_BLOCKED ? &reply->findings
							  : NULL);
	if (rc == 0 && !reply->held)
		rc = apply_actions(app, c, a, &m, t);
	else if (rc == 0)
		rc = actor_ticket(c, a, ticket_id, t);
	if (rc == 0)
		rc = macros_audit(app, c, a, "macro.apply", macro_id, "success",
				  apply_detail(&m, ticket_id, reply));
	macro_rec_clear(&m);
	return rc;
}
