/*
 * Priority and tags of a ticket (see core/tickets.h): each change of one
 * ticket in one transaction with its audit record, under the rule of
 * tickets_set_status: an agent changes only a ticket they hold,
 * supervisors and admins any ticket. A change that changes nothing writes
 * nothing and is not audited.
 *
 * Invariant: the tags written are always a sorted set of valid tags of at
 * most TICKET_TAGS_MAX, built here from the ticket's tags as read inside
 * the transaction, so two concurrent edits never lose each other's tags.
 */
#include "core/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/events.h"
#include "core/tickets_int.h"
#include "util/errors.h"

int
tickets_valid_priority(const char *p)
{
	return p != NULL &&
	       (strcmp(p, "low") == 0 || strcmp(p, "normal") == 0 ||
		strcmp(p, "high") == 0 || strcmp(p, "urgent") == 0);
}

int
tickets_valid_tag(const char *t)
{
	size_t n = t != NULL ? strlen(t) : 0;

	if (n < 1 || n > TICKET_TAG_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = t[i];
		int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || (ch != '-' && ch != '_')))
			return 0;
	}
	return 1;
}

/* A set of tags being edited: sorted, unique. */
struct tagset {
	char v[TICKET_TAGS_MAX * 2 + 1][TICKET_TAG_MAX + 1];
	size_t n;
};

static int
has(const struct tagset *s, const char *t)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], t) == 0)
			return 1;
	return 0;
}

static int
cmp_tag(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Adds t when absent; -GH_TOO_MANY_TAGS past the room of the set (the
 * ticket's limit is checked on the result). */
static int
tagset_add(struct tagset *s, const char *t)
{
	if (has(s, t))
		return 0;
	if (s->n == sizeof(s->v) / sizeof(s->v[0]))
		return -GH_TOO_MANY_TAGS;
	snprintf(s->v[s->n++], sizeof(s->v[0]), "%s", t);
	return 0;
}

static void
tagset_remove(struct tagset *s, const char *t)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], t) == 0) {
			memmove(s->v[i], s->v[i + 1],
				(s->n - i - 1) * sizeof(s->v[0]));
			s->n--;
			return;
		}
}

/* Reads the stored text (space-separated, valid). */
static void
tagset_parse(struct tagset *s, const char *text)
{
	char buf[TICKET_TAGS_TEXT];
	char *save = NULL;

	s->n = 0;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *t = strtok_r(buf, " ", &save); t != NULL;
	     t = strtok_r(NULL, " ", &save))
		if (tickets_valid_tag(t))
			(void)tagset_add(s, t);
}

static void
tagset_text(struct tagset *s, char *out, size_t outsz)
{
	size_t len = 0;

	qsort(s->v, s->n, sizeof(s->v[0]), cmp_tag);
	out[0] = '\0';
	for (size_t i = 0; i < s->n; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
					i > 0 ? " " : "", s->v[i]);
}

struct attrs_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	int64_t now;
	const char *priority;              /* priority */
	const char *const *add, *const *remove; /* tags */
	size_t nadd, nremove;
};

/* The ticket as the actor may change it: visible, and held by an agent. */
static int
held_ticket(struct store_conn *c, const struct attrs_ctx *x,
	    struct ticket_rec *t)
{
	struct ticket_query q;
	int rc;

	actor_ticket_query(x->a, &q);
	rc = c->ops->staff_ticket_get(c, &q, x->ticket_id, t);
	if (rc < 0)
		return rc;
	if (!q.see_all && t->assignee_id != x->a->id)
		return -GH_NOT_ASSIGNED;
	return 0;
}

static int
tx_priority(struct store_conn *c, void *cls)
{
	struct attrs_ctx *x = cls;
	struct ticket_rec t;
	int rc;

	rc = held_ticket(c, x, &t);
	if (rc < 0 || strcmp(t.priority, x->priority) == 0)
		return rc;
	rc = c->ops->ticket_set_priority(c, t.id, x->priority, x->now);
	if (rc == 0)
		rc = sla_on_change(x->app, c, t.id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_TICKET_PRIORITY, t.id, 0, REALM_STAFF,
				   x->a->id);
	if (rc < 0)
		return rc;
	return tk_audit(x->app, c, x->a, "ticket.priority", t.id, "success",
			json_pack("{s:s, s:s}", "from", t.priority, "to",
				  x->priority));
}

/* The names in v[0, n) that are in (want 1) or not in (want 0) s. */
static json_t *
names_in(const char *const *v, size_t n, const struct tagset *s, int want)
{
	json_t *arr = json_array();
	struct tagset seen = {.n = 0};

	for (size_t i = 0; i < n; i++)
		if (has(s, v[i]) == want && !has(&seen, v[i]) &&
		    tagset_add(&seen, v[i]) == 0)
			json_array_append_new(arr, json_string(v[i]));
	return arr;
}

static int
tx_tags(struct store_conn *c, void *cls)
{
	struct attrs_ctx *x = cls;
	struct ticket_rec t;
	struct tagset *s = malloc(sizeof(*s));
	char text[TICKET_TAGS_TEXT];
	json_t *added, *removed;
	int rc;

	if (s == NULL)
		return -GH_INTERNAL;
	rc = held_ticket(c, x, &t);
	if (rc < 0)
		goto out;
	tagset_parse(s, t.tags);
	added = names_in(x->add, x->nadd, s, 0);
	removed = names_in(x->remove, x->nremove, s, 1);
	for (size_t i = 0; rc == 0 && i < x->nadd; i++)
		rc = tagset_add(s, x->add[i]);
	for (size_t i = 0; i < x->nremove; i++)
		tagset_remove(s, x->remove[i]);
	if (rc == 0 && s->n > TICKET_TAGS_MAX)
		rc = -GH_TOO_MANY_TAGS;
	if (rc == 0 && json_array_size(added) + json_array_size(removed) > 0) {
		tagset_text(s, text, sizeof(text));
		rc = c->ops->ticket_set_tags(c, t.id, text, x->now);
		if (rc == 0)
			rc = events_append(c, EV_TICKET_TAGS, t.id, 0,
					   REALM_STAFF, x->a->id);
		if (rc == 0)
			rc = tk_audit(x->app, c, x->a, "ticket.tags", t.id,
				      "success",
				      json_pack("{s:O, s:O}", "added", added,
						"removed", removed));
	}
	json_decref(added);
	json_decref(removed);
out:
	free(s);
	return rc;
}

static int
change(struct store_conn *c, struct attrs_ctx *x, store_tx_fn fn,
       struct ticket_rec *out)
{
	struct ticket_query q;
	int rc;

	if (!actor_is_staff(x->a))
		return -GH_FORBIDDEN;
	x->now = (int64_t)time(NULL);
	rc = store_transact(c, fn, x);
	if (rc < 0)
		return rc;
	actor_ticket_query(x->a, &q);
	q.see_all = 1;
	return c->ops->staff_ticket_get(c, &q, x->ticket_id, out);
}

int
tickets_set_priority(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, int64_t ticket_id,
		     const char *priority, struct ticket_rec *out)
{
	struct attrs_ctx x = {.app = app, .a = a, .ticket_id = ticket_id,
			      .priority = priority};

	memset(out, 0, sizeof(*out));
	if (!tickets_valid_priority(priority))
		return -GH_BAD_PRIORITY;
	return change(c, &x, tx_priority, out);
}

int
tickets_set_tags(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t ticket_id,
		 const char *const *add, size_t nadd,
		 const char *const *remove, size_t nremove,
		 struct ticket_rec *out)
{
	struct attrs_ctx x = {.app = app, .a = a, .ticket_id = ticket_id,
			      .add = add, .remove = remove, .nadd = nadd,
			      .nremove = nremove};

	memset(out, 0, sizeof(*out));
	if (nadd > TICKET_TAGS_MAX || nremove > TICKET_TAGS_MAX)
		return -GH_TOO_MANY_TAGS;
	for (size_t i = 0; i < nadd; i++) {
		if (!tickets_valid_tag(add[i]))
			return -GH_BAD_TAG;
		for (size_t j = 0; j < nremove; j++)
			if (strcmp(add[i], remove[j]) == 0)
				return -GH_BAD_TAG;
	}
	for (size_t j = 0; j < nremove; j++)
		if (!tickets_valid_tag(remove[j]))
			return -GH_BAD_TAG;
	return change(c, &x, tx_tags, out);
}
