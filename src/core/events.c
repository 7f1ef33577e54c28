/*
 * Live updates (core/events.h): recording events in the change's
 * transaction, the visibility rule per recipient, SSE frames of ids,
 * unread markers and presence.
 *
 * Invariant: a frame carries an event's id, kind and ids (ticket, queue
 * for staff, message) and, for "typing", the staff member's display name;
 * never a text, a subject or a customer's personal field. The in-process
 * wake-up (g_gen, g_newest under g_lock) only says that something was
 * appended; what a stream sends is always read back from the store, so
 * a rolled-back change sends nothing.
 */
#include "core/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/tickets.h"
#include "util/errors.h"
#include "util/jsonenc.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static uint64_t g_gen;
static int64_t g_newest;

static void
wake(int64_t id)
{
	pthread_mutex_lock(&g_lock);
	g_gen++;
	if (id > g_newest)
		g_newest = id;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_lock);
}

void
events_kick(void)
{
	wake(0);
}

int64_t
events_wait(uint64_t *gen, int timeout_ms)
{
	struct timespec ts;
	int64_t newest;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g_lock);
	while (g_gen == *gen) {
		if (pthread_cond_timedwait(&g_cv, &g_lock, &ts) == ETIMEDOUT)
			break;
	}
	*gen = g_gen;
	newest = g_newest;
	pthread_mutex_unlock(&g_lock);
	return newest;
}

int
events_append(struct store_conn *c, const char *kind, int64_t ticket_id,
	      int64_t ref, enum realm realm, int64_t actor_id)
{
	struct event_new e = {kind, ticket_id, 0, 0, 0, (int)realm, actor_id,
			      (int64_t)time(NULL)};
	int64_t id = 0;
	int rc;

	if (strcmp(kind, EV_TICKET_ASSIGNED) == 0)
		e.prev_assignee_id = ref;
	else if (strcmp(kind, EV_TICKET_QUEUE) == 0)
		e.prev_queue_id = ref;
	else
		e.message_id = ref;
	rc = c->ops->events->append(c, &e, &id);
	if (rc == 0)
		wake(id);
	return rc;
}

int
events_parse_id(const char *text, int64_t *id_out)
{
	int64_t v = 0;
	size_t n = 0;

	*id_out = -1;
	if (text == NULL || text[0] == '\0')
		return 0;
	for (; text[n] != '\0'; n++) {
		if (text[n] < '0' || text[n] > '9' || n >= 18)
			return -GH_BAD_EVENT_ID;
		v = v * 10 + (text[n] - '0');
	}
	*id_out = v;
	return 0;
}

/* --- who gets what ------------------------------------------------------- */

static int
load_queues(struct store_conn *c, struct ev_viewer *v)
{
	struct queue_list ql = {NULL, 0};
	int rc;

	v->n_queues = 0;
	if (v->see_all || v->realm != REALM_STAFF)
		return 0;
	rc = c->ops->staff_queue_list(c, v->id, &ql);
	for (size_t i = 0; rc == 0 && i < ql.n && i < EVENTS_QUEUES_MAX; i++)
		v->queues[v->n_queues++] = ql.v[i].id;
	queue_list_clear(&ql);
	return rc;
}

int
events_viewer_load(struct store_conn *c, const struct tk_actor *a,
		   const char *token_hash, struct ev_viewer *v)
{
	memset(v, 0, sizeof(*v));
	v->realm = a->realm;
	v->id = a->id;
	v->see_all = actor_is_supervisor(a);
	snprintf(v->token_hash, sizeof(v->token_hash), "%s", token_hash);
	return load_queues(c, v);
}

int
events_viewer_check(struct store_conn *c, struct ev_viewer *v, int64_t now)
{
	struct session_rec s;
	int rc;

	rc = c->ops->session_get(c, v->token_hash, &s);
	if (rc == -GH_NOT_FOUND)
		return -GH_SESSION_REQUIRED;
	if (rc < 0)
		return rc;
	if (s.realm != v->realm || s.principal_id != v->id || s.disabled ||
	    now >= s.abs_expires || now - s.last_seen >= s.idle_secs)
		return -GH_SESSION_REQUIRED;
	v->see_all = v->realm == REALM_STAFF && actor_role_sees_all(s.role);
	return load_queues(c, v);
}

void
events_viewers_check(struct app *app, struct ev_viewer *v, size_t n,
		     int *alive, int64_t now)
{
	struct store_conn *c = store_acquire(app->store);

	for (size_t i = 0; i < n; i++)
		alive[i] = events_viewer_check(c, &v[i], now) !=
			   -GH_SESSION_REQUIRED;
	store_release(app->store, c);
}

/* 1 when an agent sees a ticket with this assignee in this queue. */
static int
agent_sees(const struct ev_viewer *v, int64_t assignee, int64_t queue)
{
	if (assignee == v->id)
		return 1;
	if (assignee != 0)
		return 0;
	for (size_t i = 0; i < v->n_queues; i++)
		if (v->queues[i] == queue)
			return 1;
	return 0;
}

/* The kinds a customer's stream carries: what the portal shows. */
static int
customer_kind(const char *kind)
{
	return strcmp(kind, EV_TICKET_CREATED) == 0 ||
	       strcmp(kind, EV_MESSAGE_CUSTOMER) == 0 ||
	       strcmp(kind, EV_MESSAGE_STAFF) == 0 ||
	       strcmp(kind, EV_TICKET_STATUS) == 0;
}

int
events_visible(const struct ev_viewer *v, const struct event_rec *e)
{
	if (v->realm == REALM_CUSTOMER)
		return e->customer_id == v->id && customer_kind(e->kind);
	/* Nobody is told that they themself are typing. */
	if (strcmp(e->kind, EV_TYPING) == 0 && e->actor_id == v->id)
		return 0;
	if (v->see_all)
		return 1;
	if (agent_sees(v, e->assignee_id, e->queue_id))
		return 1;
	/* A ticket that left the agent's sight: they are told, once. */
	if (strcmp(e->kind, EV_TICKET_ASSIGNED) == 0)
		return agent_sees(v, e->prev_assignee_id, e->queue_id);
	if (strcmp(e->kind, EV_TICKET_QUEUE) == 0)
		return agent_sees(v, e->assignee_id, e->prev_queue_id);
	return 0;
}

/* name as a JSON string, cut at the last whole UTF-8 character: the
 * store cuts a long name to its buffer by bytes, which may end inside a
 * character (json_string refuses such text). */
static json_t *
name_json(const char *name)
{
	char buf[EVENT_NAME_BYTES];
	size_t n = strnlen(name, sizeof(buf) - 1), lead = n, need;
	unsigned char c;

	memcpy(buf, name, n);
	while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead > 0 && (unsigned char)buf[lead - 1] >= 0xC0) {
		c = (unsigned char)buf[lead - 1];
		need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (n - (lead - 1) < need)
			n = lead - 1;
	}
	buf[n] = '\0';
	return json_string(buf);
}

/* The data line's JSON: ids only (and a typing staff member's name). */
static json_t *
frame_data(const struct ev_viewer *v, const struct event_rec *e)
{
	json_t *o = json_pack("{s:I}", "ticket", (json_int_t)e->ticket_id);

	if (o == NULL)
		return NULL;
	if (v->realm == REALM_STAFF)
		json_object_set_new(o, "queue", json_integer(e->queue_id));
	if (e->message_id > 0)
		json_object_set_new(o, "message", json_integer(e->message_id));
	/* Staff are told which colleague acted (their own actions need no
	 * reload); customers never get a staff id. */
	if (v->realm == REALM_STAFF && e->actor_realm == REALM_STAFF &&
	    strcmp(e->kind, EV_TYPING) != 0)
		json_object_set_new(o, "by", json_integer(e->actor_id));
	if (strcmp(e->kind, EV_TYPING) == 0) {
		json_object_set_new(o, "staff", json_integer(e->actor_id));
		json_object_set_new(o, "name", name_json(e->actor_name));
		json_object_set_new(o, "ttl", json_integer(EVENTS_TYPING_TTL));
	}
	return o;
}

size_t
events_frame(const struct ev_viewer *v, const struct event_rec *e, char *out,
	     size_t outsz)
{
	json_t *o;
	char *data;
	size_t len = 0;
	int n;

	if (!events_visible(v, e))
		return 0;
	o = frame_data(v, e);
	data = o != NULL ? jsonenc_dumps(o, &len) : NULL;
	json_decref(o);
	if (data == NULL)
		return 0;
	n = snprintf(out, outsz, "id: %lld\nevent: %s\ndata: %s\n\n",
		     (long long)e->id, e->kind, data);
	free(data);
	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

/* --- reading ------------------------------------------------------------- */

int
events_read(struct app *app, int64_t after_id, size_t max,
	    struct event_list *out)
{
	struct store_conn *c = store_acquire(app->store);
	int rc = c->ops->events->since(c, after_id, max, out);

	store_release(app->store, c);
	return rc;
}

int
events_last_id(struct store_conn *c, int64_t *id_out)
{
	return c->ops->events->last_id(c, id_out);
}

int
events_prune(struct app *app, int64_t now)
{
	struct store_conn *c = store_acquire(app->store);
	int rc = c->ops->events->prune(c, now - app->cfg.live_keep_hours * 3600,
				       app->cfg.live_keep_events);

	store_release(app->store, c);
	return rc;
}

/* --- unread markers and presence ------------------------------------------ */

int
events_seen(struct store_conn *c, int64_t staff_id, int64_t ticket_id)
{
	return c->ops->events->seen(c, staff_id, ticket_id,
				    (int64_t)time(NULL));
}

int
events_unread(struct store_conn *c, int64_t staff_id, const int64_t *ids,
	      size_t n, int *unread)
{
	json_t *arr = json_array();
	int64_t found[TICKET_LIST_MAX];
	size_t nf = 0;
	char *text = NULL;
	int rc = -GH_INTERNAL;

	for (size_t i = 0; i < n; i++) {
		unread[i] = 0;
		json_array_append_new(arr, json_integer(ids[i]));
	}
	if (n > TICKET_LIST_MAX)
		goto out;
	text = arr != NULL ? json_dumps(arr, JSON_COMPACT) : NULL;
	if (text == NULL)
		goto out;
	rc = c->ops->events->unread(c, staff_id, text, found, n, &nf);
	for (size_t i = 0; rc == 0 && i < n; i++)
		for (size_t k = 0; k < nf; k++)
			if (found[k] == ids[i])
				unread[i] = 1;
out:
	free(text);
	json_decref(arr);
	return rc;
}

struct typing_ctx {
	const struct tk_actor *a;
	int64_t ticket_id;
	int64_t now;
};

static int
tx_typing(struct store_conn *c, void *cls)
{
	struct typing_ctx *x = cls;
	int rc;

	rc = c->ops->events->typing_since(c, x->a->id, x->ticket_id,
					  x->now - EVENTS_TYPING_EVERY);
	if (rc == 0)
		return 0; /* recorded a moment ago */
	if (rc != -GH_NOT_FOUND)
		return rc;
	return events_append(c, EV_TYPING, x->ticket_id, 0, REALM_STAFF,
			     x->a->id);
}

int
events_typing(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t ticket_id)
{
	struct typing_ctx x = {a, ticket_id, (int64_t)time(NULL)};
	int rc;

	(void)app;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = actor_ticket(c, a, ticket_id, NULL);
	if (rc < 0)
		return rc;
	return store_transact(c, tx_typing, &x);
}
