/*
 * Backend-independent parts of the store: the connection pool, the
 * transaction runner with retries, and small helpers. The SQL lives in the
 * backends.
 */
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/errors.h"
#include "crypto/crypto.h"
#include "util/log.h"
#include "util/metrics.h"

#define STORE_MAX_CONNS 64
#define TX_ATTEMPTS 8

struct store {
	const struct store_backend *be;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct store_conn *idle[STORE_MAX_CONNS];
	unsigned n_idle;
	unsigned n_open;
	unsigned max_conns;
	char *path;
	int version;
};

static const struct store_backend *const backends[] = {
	&store_sqlite_backend,
	&store_pg_backend,
};

const char *
realm_name(enum realm r)
{
	return r == REALM_STAFF ? "staff" : "customer";
}

void
blob_clear(struct blob *b)
{
	if (b->data != NULL) {
		crypto_wipe(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}

void
account_clear(struct account *a)
{
	blob_clear(&a->totp_seed);
	crypto_wipe(a->pw_hash, sizeof(a->pw_hash));
}

int
store_open(const char *url, unsigned max_conns, struct store **out)
{
	struct store *s = NULL;
	struct store_conn *c = NULL;
	int rc = -GH_INTERNAL;

	*out = NULL;
	if (max_conns == 0 || max_conns > STORE_MAX_CONNS)
		return -GH_INTERNAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -GH_INTERNAL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->max_conns = max_conns;
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		size_t n = strlen(backends[i]->prefix);
		if (strncmp(url, backends[i]->prefix, n) == 0) {
			s->be = backends[i];
			s->path = strdup(url + n);
			break;
		}
	}
	if (s->be == NULL || s->path == NULL) {
		log_event(LOG_ERROR, "store.open",
			  json_pack("{s:s}", "reason", "unknown database url scheme"));
		goto out;
	}
	rc = s->be->open(s->path, &c);
	if (rc < 0)
		goto out;
	rc = s->be->migrate(c, &s->version);
	if (rc < 0)
		goto out;
	s->idle[s->n_idle++] = c;
	s->n_open = 1;
	c = NULL;
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (c != NULL)
		s->be->close(c);
	store_close(s);
	return rc;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < s->n_idle; i++)
		s->be->close(s->idle[i]);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->path);
	free(s);
}

int
store_schema_version(struct store *s)
{
	return s->version;
}

struct store_conn *
store_acquire(struct store *s)
{
	struct store_conn *c = NULL;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->n_idle > 0) {
			c = s->idle[--s->n_idle];
			break;
		}
		if (s->n_open < s->max_conns) {
			s->n_open++;
			pthread_mutex_unlock(&s->lock);
			if (s->be->open(s->path, &c) == 0)
				return c;
			pthread_mutex_lock(&s->lock);
			s->n_open--;
			c = NULL;
			/* Could not open another: wait for a free one. */
			if (s->n_open == 0) {
				pthread_mutex_unlock(&s->lock);
				LOG_BUG("no database connection can be opened");
				abort();
			}
		}
		metrics_inc(METRIC_STORE_POOL_WAITS);
		pthread_cond_wait(&s->cond, &s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return c;
}

struct store_conn *
store_acquire_request(struct store *s)
{
	struct store_conn *c = store_acquire(s);

	s->be->shared_reads(c, 1);
	return c;
}

void
store_release(struct store *s, struct store_conn *c)
{
	s->be->shared_reads(c, 0);
	pthread_mutex_lock(&s->lock);
	s->idle[s->n_idle++] = c;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int
store_transact(struct store_conn *c, store_tx_fn fn, void *cls)
{
	int rc = -GH_UNAVAILABLE;

	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			struct timespec ts = {
				0, (long)(1000000 *
					  (1 + crypto_random_uniform(
						   5u << attempt)))};
			nanosleep(&ts, NULL);
			metrics_inc(METRIC_STORE_TX_RETRIES);
		}
		rc = c->ops->begin(c);
		if (rc == -GH_UNAVAILABLE)
			continue;
		if (rc < 0)
			return rc;
		rc = fn(c, cls);
		if (rc == 0)
			rc = c->ops->commit(c);
		if (rc == 0)
			return 0;
		c->ops->rollback(c);
		if (rc != -GH_UNAVAILABLE)
			return rc;
	}
	log_event(LOG_WARN, "store.contention",
		  json_pack("{s:i}", "attempts", TX_ATTEMPTS));
	return rc;
}

void
ticket_list_clear(struct ticket_list *l)
{
	STORE_LIST_FREE(l);
}

void
queue_list_clear(struct queue_list *l)
{
	STORE_LIST_FREE(l);
}

void
thread_list_clear(struct thread_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		thread_item_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
thread_item_clear(struct thread_item *it)
{
	if (it == NULL)
		return;
	if (it->body != NULL) {
		crypto_wipe(it->body, it->body_len);
		free(it->body);
	}
	free(it->redactions);
	free(it->links);
	it->body = NULL;
	it->body_len = 0;
	it->redactions = NULL;
	it->links = NULL;
}

void
customer_sealed_clear(struct customer_sealed *cs)
{
	if (cs == NULL)
		return;
	blob_clear(&cs->email);
	blob_clear(&cs->phone);
	blob_clear(&cs->dob);
	blob_clear(&cs->address);
}

void
customer_contact_clear(struct customer_contact *cc)
{
	if (cc == NULL)
		return;
	blob_clear(&cc->email);
	blob_clear(&cc->phone);
	blob_clear(&cc->phrase);
}

void
outbox_list_clear(struct outbox_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		blob_clear(&l->v[i].recipient);
		blob_clear(&l->v[i].phrase);
		free(l->v[i].subject);
		free(l->v[i].body_text);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
attachment_rec_clear(struct attachment_rec *a)
{
	if (a == NULL)
		return;
	blob_clear(&a->content);
}

void
attachment_list_clear(struct attachment_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		attachment_rec_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
held_reply_clear(struct held_reply *h)
{
	if (h == NULL)
		return;
	free(h->body);
	h->body = NULL;
}

void
held_list_clear(struct held_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		held_reply_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
field_def_list_clear(struct field_def_list *l)
{
	STORE_LIST_FREE(l);
}

void
field_value_list_clear(struct field_value_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		blob_clear(&l->v[i].value);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
customer_personal_clear(struct customer_personal *p)
{
	if (p == NULL)
		return;
	blob_clear(&p->email);
	blob_clear(&p->phone);
	blob_clear(&p->dob);
	blob_clear(&p->address);
	blob_clear(&p->account_number);
}

void
sealed_value_clear(struct sealed_value *v)
{
	if (v != NULL)
		blob_clear(&v->value);
}

int
store_schema_newest(const struct store *s)
{
	/* A backend without the hook: the version it migrated to at open. */
	return s->be->newest_version != NULL ? s->be->newest_version()
					      : s->version;
}

struct store_conn *
store_acquire_within(struct store *s, int timeout_ms)
{
	struct store_conn *c = NULL;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->lock);
	while (s->n_idle == 0 && s->n_open >= s->max_conns)
		if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0)
			break;
	if (s->n_idle > 0)
		c = s->idle[--s->n_idle];
	else if (s->n_open < s->max_conns) {
		pthread_mutex_unlock(&s->lock);
		return store_acquire(s); /* opens one more at once */
	}
	pthread_mutex_unlock(&s->lock);
	return c;
}

int
store_ping(struct store *s, int timeout_ms, int *version_out)
{
	struct store_conn *c;
	int rc;

	*version_out = 0;
	c = store_acquire_within(s, timeout_ms);
	if (c == NULL)
		return -GH_UNAVAILABLE;
	if (s->be->ping != NULL) {
		rc = s->be->ping(c, timeout_ms, version_out);
	} else {
		/* A backend without the hook: one read as the round trip,
		 * unbounded but for the backend's own timeouts. */
		int64_t n = 0;

		rc = c->ops->audit_count(c, &n) < 0 ? -GH_UNAVAILABLE : 0;
		*version_out = s->version;
	}
	store_release(s, c);
	return rc;
}
