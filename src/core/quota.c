/*
 * Quotas on writes (see quota.h): the table of limits per write and
 * realm, the check of each limit against the store's counts, the
 * Retry-After of a refusal, and the summarised audit of refusals.
 *
 * Invariant: a refused check writes nothing but its audit (the address
 * counts are added only in the transaction that found every limit
 * holding, and that transaction is rolled back on a refusal); a refusal
 * is audited at most once per subject, limit and audit window, the rest
 * counted in quota_hits until the window's summary.
 */
#include "core/quota.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/throttle.h"
#include "util/errors.h"
#include "util/log.h"

#define DAY 86400
#define CFG(field) offsetof(struct config, field)

/* One limit: the write and realm it applies to, its name (its [quotas]
 * key), whose it is, what it counts, its window (0: a total), whether it
 * counts bytes (else rows), and its value in the config. */
struct limit {
	enum quota_act act;
	enum realm realm;
	const char *name;
	int address;
	enum quota_source src;
	int64_t window;
	int bytes;
	size_t cfg;
};

static const struct limit limits[] = {
	{QUOTA_TICKET, REALM_CUSTOMER, "tickets_per_hour", 0,
	 QSRC_CUSTOMER_TICKETS, 3600, 0, CFG(quota_tickets_per_hour)},
	{QUOTA_MESSAGE, REALM_CUSTOMER, "messages_per_minute", 0,
	 QSRC_CUSTOMER_MESSAGES, 60, 0, CFG(quota_messages_per_minute)},
	{QUOTA_ATTACHMENT, REALM_CUSTOMER, "attachment_bytes_per_day", 0,
	 QSRC_CUSTOMER_ATTACH, DAY, 1, CFG(quota_attachment_bytes_per_day)},
	{QUOTA_TICKET, REALM_CUSTOMER, "stored_bytes", 0,
	 QSRC_CUSTOMER_STORED, 0, 1, CFG(quota_stored_bytes)},
	{QUOTA_MESSAGE, REALM_CUSTOMER, "stored_bytes", 0,
	 QSRC_CUSTOMER_STORED, 0, 1, CFG(quota_stored_bytes)},
	{QUOTA_ATTACHMENT, REALM_CUSTOMER, "stored_bytes", 0,
	 QSRC_CUSTOMER_STORED, 0, 1, CFG(quota_stored_bytes)},
	{QUOTA_TICKET, REALM_CUSTOMER, "address_tickets_per_hour", 1,
	 QSRC_EVENTS, 3600, 0, CFG(quota_address_tickets_per_hour)},
	{QUOTA_MESSAGE, REALM_CUSTOMER, "address_messages_per_minute", 1,
	 QSRC_EVENTS, 60, 0, CFG(quota_address_messages_per_minute)},
	{QUOTA_ATTACHMENT, REALM_CUSTOMER, "address_attachment_bytes_per_day",
	 1, QSRC_EVENTS, DAY, 1, CFG(quota_address_attachment_bytes_per_day)},
	{QUOTA_MESSAGE, REALM_STAFF, "staff_messages_per_minute", 0,
	 QSRC_STAFF_MESSAGES, 60, 0, CFG(quota_staff_messages_per_minute)},
};
#define N_LIMITS (sizeof(limits) / sizeof(limits[0]))

/* The next time quota_check runs the sweep (per process). */
static _Atomic int64_t next_sweep;

void
quota_audit_window(int64_t window, int64_t now, int64_t *start, int64_t *end)
{
	int64_t len = window == 0 || window >= DAY ? DAY
		      : window < QUOTA_AUDIT_MIN   ? QUOTA_AUDIT_MIN
						   : window;

	*start = now - now % len;
	*end = *start + len;
}

int64_t
quota_retry(int64_t window, int64_t free_at, int64_t now)
{
	int64_t s = free_at + window - now;

	return s < 1 ? 1 : s > window ? window : s;
}

static int64_t
limit_max(const struct app *app, const struct limit *l)
{
	int64_t v;

	memcpy(&v, (const char *)&app->cfg + l->cfg, sizeof(v));
	return v;
}

/* A check in progress: who writes what, and the limit it broke. */
struct run {
	struct app *app;
	const struct tk_actor *a;
	enum quota_act act;
	int64_t bytes;
	int64_t now;
	char account[48];
	char address[96]; /* "" without a known address */
	const struct limit *broke;
	struct quota_refusal *out;
};

static struct quota_scope
scope_of(const struct run *r, const struct limit *l)
{
	return (struct quota_scope){l->src, r->a->id, r->address, l->name};
}

/* The oldest rows of a window walked until `need` has left. */
struct freeing {
	int64_t need, freed, at;
	int bytes, done;
};

static int
free_step(void *ctx, int64_t at, int64_t amount)
{
	struct freeing *f = ctx;

	f->freed += f->bytes ? amount : 1;
	if (f->freed < f->need)
		return 0;
	f->at = at;
	f->done = 1;
	return 1;
}

/* 0 when l holds for this write, else -GH_RATE_LIMITED with *retry. */
static int
check_limit(struct run *r, struct store_conn *c, const struct limit *l,
	    int64_t *retry)
{
	struct quota_scope sc = scope_of(r, l);
	int64_t since = l->window > 0 ? r->now - l->window : -1;
	int64_t max = limit_max(r->app, l);
	int64_t incoming = l->bytes ? r->bytes : 1;
	struct quota_sum sum;
	struct freeing f = {0, 0, 0, l->bytes, 0};
	int64_t used;
	int rc = c->ops->quota.sum(c, &sc, since, &sum);

	if (rc < 0)
		return rc;
	used = l->bytes ? sum.total : sum.n;
	if (used + incoming <= max)
		return 0;
	*retry = l->window > 0 ? l->window : QUOTA_STORED_RETRY;
	if (l->window == 0)
		return -GH_RATE_LIMITED;
	f.need = used + incoming - max;
	rc = c->ops->quota.walk(c, &sc, since, free_step, &f);
	if (rc < 0)
		return rc;
	if (f.done)
		*retry = quota_retry(l->window, f.at, r->now);
	return -GH_RATE_LIMITED;
}

static int
applies(const struct run *r, const struct limit *l)
{
	return l->act == r->act && l->realm == r->a->realm &&
	       (!l->address || r->address[0] != '\0');
}

static int
any_applies(const struct run *r)
{
	for (size_t i = 0; i < N_LIMITS; i++)
		if (applies(r, &limits[i]))
			return 1;
	return 0;
}

static int
tx_check(struct store_conn *c, void *cls)
{
	struct run *r = cls;
	int64_t retry = 0;
	int rc;

	for (size_t i = 0; i < N_LIMITS; i++) {
		if (!applies(r, &limits[i]))
			continue;
		rc = check_limit(r, c, &limits[i], &retry);
		if (rc == -GH_RATE_LIMITED) {
			r->broke = &limits[i];
			*r->out = (struct quota_refusal){
				limits[i].name,
				limits[i].address ? "address" : "account",
				limit_max(r->app, &limits[i]), retry};
		}
		if (rc < 0)
			return rc;
	}
	/* Every limit holds: the address counts this write. */
	for (size_t i = 0; i < N_LIMITS; i++) {
		if (!applies(r, &limits[i]) || !limits[i].address)
			continue;
		rc = c->ops->quota.event_add(c, r->address, limits[i].name,
					     r->now,
					     limits[i].bytes ? r->bytes : 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Counts the refusal of r; the first of its audit window is audited. */
static int
tx_hit(struct store_conn *c, void *cls)
{
	struct run *r = cls;
	const char *subject = r->broke->address ? r->address : r->account;
	int64_t start, end, count = 0;
	int rc;

	quota_audit_window(r->broke->window, r->now, &start, &end);
	rc = c->ops->quota.hit(c, subject, r->broke->name, start, end, &count);
	if (rc < 0 || count != 1)
		return rc;
	return audit_log(
		r->app, c,
		&(struct audit_ev){
			.actor = r->account,
			.action = "quota.exceeded",
			.target = subject,
			.outcome = "denied",
			.ip = r->a->ip,
			.request_id = r->a->request_id,
			.detail = json_pack(
				"{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "limit",
				r->out->limit, "scope", r->out->scope, "max",
				(json_int_t)r->out->max, "count", (json_int_t)1,
				"window_start", (json_int_t)start,
				"window_end", (json_int_t)end, "retry_after",
				(json_int_t)r->out->retry_after),
		});
}

static void
sweep_when_due(struct app *app, struct store_conn *c, int64_t now)
{
	int64_t due = atomic_load(&next_sweep);

	if (now < due ||
	    !atomic_compare_exchange_strong(&next_sweep, &due, now + 60))
		return;
	if (quota_sweep(app, c, now) < 0)
		log_event(LOG_WARN, "quota.sweep_failed", NULL);
}

int
quota_check(struct app *app, struct store_conn *c, const struct tk_actor *a,
	    enum quota_act act, int64_t bytes, int64_t now,
	    struct quota_refusal *out)
{
	struct run r = {app, a, act, bytes < 0 ? 0 : bytes, now, "", "", NULL,
			out};
	int rc, hit;

	memset(out, 0, sizeof(*out));
	if (!actor_is_customer(a) && !actor_is_staff(a))
		return 0;
	actor_label(a, r.account, sizeof(r.account));
	if (actor_is_customer(a) && a->ip != NULL && a->ip[0] != '\0')
		throttle_ip_key(a->ip, r.address, sizeof(r.address));
	if (!any_applies(&r))
		return 0; /* nothing limits this write */
	sweep_when_due(app, c, now);
	rc = store_transact(c, tx_check, &r);
	if (rc != -GH_RATE_LIMITED)
		return rc;
	hit = store_transact(c, tx_hit, &r);
	return hit < 0 ? hit : rc;
}

struct sweep {
	struct app *app;
	int64_t now;
};

static int
summarise(struct app *app, struct store_conn *c,
	  const struct quota_hit_rec *h)
{
	int rc = 0;

	if (h->count > 1)
		rc = audit_log(
			app, c,
			&(struct audit_ev){
				.actor = "system",
				.action = "quota.exceeded",
				.target = h->subject,
				.outcome = "denied",
				.detail = json_pack(
					"{s:s, s:I, s:I, s:I, s:b}", "limit",
					h->limit, "count", (json_int_t)h->count,
					"window_start",
					(json_int_t)h->window_start,
					"window_end", (json_int_t)h->window_end,
					"summary", 1),
			});
	if (rc == 0)
		rc = c->ops->quota.summarised(c, h->id);
	return rc;
}

static int
tx_sweep(struct store_conn *c, void *cls)
{
	struct sweep *s = cls;
	struct quota_hit_list l;
	int rc = c->ops->quota.closed(c, s->now, 64, &l);

	for (size_t i = 0; i < l.n && rc == 0; i++)
		rc = summarise(s->app, c, &l.v[i]);
	quota_hit_list_clear(&l);
	if (rc == 0)
		rc = c->ops->quota.prune(c, s->now - DAY, s->now - 7 * DAY);
	return rc;
}

int
quota_sweep(struct app *app, struct store_conn *c, int64_t now)
{
	struct sweep s = {app, now};

	return store_transact(c, tx_sweep, &s);
}
