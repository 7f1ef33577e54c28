/*
 * Audit records of security-relevant refusals, limited per source and in
 * all (see refusal.h). The decision (record or count) is taken under one
 * mutex over a small fixed table; the records are written after it is
 * released, so a slow database never holds other requests on the lock.
 * Invariant: every refusal is either recorded, or counted in exactly one
 * counter that a later summary record reports.
 */
#include "core/refusal.h"

#include <pthread.h>
#include <string.h>

#include "core/audit.h"
#include "util/errors.h"

#define REFUSAL_SLOTS 256
#define REFUSAL_PROBE 8

struct slot {
	uint64_t key; /* 0: empty */
	int err;
	char ip[64];
	char actor[48];
	int64_t window; /* start of the slot's current window */
	unsigned recorded;
	uint64_t suppressed;
};

/* A summary to write: what one counter held for [from, to). */
struct summary {
	int err;         /* 0: the global counter */
	char ip[64];
	char actor[48];
	int64_t from, to;
	uint64_t n;
};

static struct {
	pthread_mutex_t mu;
	struct slot slot[REFUSAL_SLOTS];
	int64_t window;
	unsigned recorded;
	uint64_t suppressed; /* over the global cap, or no free slot */
} lim = {.mu = PTHREAD_MUTEX_INITIALIZER};

int
refusal_is_security(int err)
{
	switch (err < 0 ? -err : err) {
	case GH_TOO_MANY_ATTEMPTS:
	case GH_SERVER_BUSY:
	case GH_ACCOUNT_LOCKED:
	case GH_RATE_LIMITED:
	case GH_CSRF_FAILED:
	case GH_FORBIDDEN:
	case GH_BAD_CODE:
	case GH_NOT_FOUND:
	case GH_VERIFICATION_REQUIRED:
	case GH_QUARANTINED:
	case GH_MFA_NOT_ENROLLED:
	case GH_PASSWORD_CHANGE_REQUIRED:
	case GH_BAD_CURSOR: /* a list cursor made up or changed */
	case GH_TOO_MANY_STREAMS: /* live update streams (issue 15) */
	case GH_STREAMS_FULL:
		return 1;
	default:
		return 0;
	}
}

static uint64_t
key_of(int err, const char *ip, const char *actor)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[2] = {ip != NULL ? ip : "", actor != NULL ? actor : ""};

	h = (h ^ (uint64_t)(unsigned)err) * 1099511628211ull;
	for (int i = 0; i < 2; i++) {
		for (const char *p = parts[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h | 1; /* 0 marks an empty slot */
}

static void
take_summary(struct slot *s, int64_t now, struct summary *out, size_t *n)
{
	if (s->key == 0 || s->suppressed == 0)
		return;
	out[*n] = (struct summary){.err = s->err, .from = s->window,
				   .to = now, .n = s->suppressed};
	memcpy(out[*n].ip, s->ip, sizeof(s->ip));
	memcpy(out[*n].actor, s->actor, sizeof(s->actor));
	(*n)++;
	s->suppressed = 0;
}

static void
slot_start(struct slot *s, uint64_t key, const struct refusal *rf, int64_t now)
{
	s->key = key;
	s->err = rf->err < 0 ? -rf->err : rf->err;
	snprintf(s->ip, sizeof(s->ip), "%s", rf->ip != NULL ? rf->ip : "");
	snprintf(s->actor, sizeof(s->actor), "%s",
		 rf->actor != NULL ? rf->actor : "anonymous");
	s->window = now;
	s->recorded = 0;
	s->suppressed = 0;
}

/* The slot of rf's source, started anew when its window is over; NULL
 * when the probe finds neither it nor a free or expired slot. */
static struct slot *
find_slot(const struct refusal *rf, int64_t now, struct summary *sum,
	  size_t *n_sum)
{
	uint64_t key = key_of(rf->err < 0 ? -rf->err : rf->err, rf->ip,
			      rf->actor);
	struct slot *free_slot = NULL;

	for (unsigned i = 0; i < REFUSAL_PROBE; i++) {
		struct slot *s = &lim.slot[(key + i) % REFUSAL_SLOTS];
		int expired = s->key != 0 && now >= s->window + REFUSAL_WINDOW;

		if (s->key == key) {
			if (expired) {
				take_summary(s, now, sum, n_sum);
				slot_start(s, key, rf, now);
			}
			return s;
		}
		if (free_slot == NULL && (s->key == 0 || expired))
			free_slot = s;
	}
	if (free_slot != NULL) {
		take_summary(free_slot, now, sum, n_sum);
		slot_start(free_slot, key, rf, now);
	}
	return free_slot;
}

/* Under the lock: 1 to record rf, 0 when it is only counted. sum gets
 * up to two summaries that are due. */
static int
decide(const struct refusal *rf, int64_t now, struct summary *sum,
       size_t *n_sum)
{
	struct slot *s;

	if (now >= lim.window + REFUSAL_WINDOW) {
		if (lim.suppressed > 0)
			sum[(*n_sum)++] = (struct summary){
				.from = lim.window, .to = now,
				.n = lim.suppressed};
		lim.window = now;
		lim.recorded = 0;
		lim.suppressed = 0;
	}
	s = find_slot(rf, now, sum, n_sum);
	if (s == NULL) {
		lim.suppressed++;
		return 0;
	}
	if (s->recorded >= REFUSAL_BURST) {
		s->suppressed++;
		return 0;
	}
	if (lim.recorded >= REFUSAL_GLOBAL) {
		lim.suppressed++;
		return 0;
	}
	s->recorded++;
	lim.recorded++;
	return 1;
}

struct tx {
	struct app *app;
	const struct refusal *rf; /* NULL: summaries only */
	const struct summary *sum;
	size_t n_sum;
};

static int
write_summary(struct app *app, struct store_conn *c, const struct summary *s)
{
	json_t *detail = json_pack("{s:s, s:I, s:I, s:I}", "scope",
				   s->err != 0 ? "source" : "all", "count",
				   (json_int_t)s->n, "from", (json_int_t)s->from,
				   "to", (json_int_t)s->to);

	if (detail != NULL && s->err != 0)
		json_object_set_new(detail, "code", json_string(err_code(s->err)));
	return audit_log(app, c,
			 &(struct audit_ev){
				 .actor = s->err != 0 ? s->actor : "system",
				 .action = "security.refusals_suppressed",
				 .outcome = "denied",
				 .ip = s->err != 0 && s->ip[0] != '\0' ? s->ip
								     : NULL,
				 .detail = detail,
			 });
}

static int
tx_write(struct store_conn *c, void *cls)
{
	struct tx *x = cls;
	const struct refusal *rf = x->rf;
	json_t *detail;
	int rc;

	for (size_t i = 0; i < x->n_sum; i++) {
		rc = write_summary(x->app, c, &x->sum[i]);
		if (rc < 0)
			return rc;
	}
	if (rf == NULL)
		return 0;
	detail = json_pack("{s:s, s:s?}", "code", err_code(rf->err), "route",
			   rf->route);
	if (detail != NULL && rf->target_id > 0)
		json_object_set_new(detail, "id", json_integer(rf->target_id));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = rf->actor != NULL ? rf->actor
							    : "anonymous",
				 .action = "security.refused",
				 .outcome = "denied",
				 .ip = rf->ip,
				 .request_id = rf->request_id,
				 .detail = detail,
			 });
}

int
refusal_record(struct app *app, struct store_conn *c,
	       const struct refusal *rf, int64_t now)
{
	struct summary sum[3];
	size_t n_sum = 0;
	int record;

	pthread_mutex_lock(&lim.mu);
	record = decide(rf, now, sum, &n_sum);
	pthread_mutex_unlock(&lim.mu);
	if (!record && n_sum == 0)
		return 0;
	return store_transact(c, tx_write,
			      &(struct tx){.app = app,
					   .rf = record ? rf : NULL,
					   .sum = sum,
					   .n_sum = n_sum});
}

int
refusal_flush(struct app *app, struct store_conn *c, int64_t now)
{
	struct summary sum[REFUSAL_SLOTS + 1];
	size_t n_sum = 0;

	pthread_mutex_lock(&lim.mu);
	for (unsigned i = 0; i < REFUSAL_SLOTS; i++)
		take_summary(&lim.slot[i], now, sum, &n_sum);
	if (lim.suppressed > 0) {
		sum[n_sum++] = (struct summary){.from = lim.window, .to = now,
						.n = lim.suppressed};
		lim.suppressed = 0;
	}
	pthread_mutex_unlock(&lim.mu);
	if (n_sum == 0)
		return 0;
	return store_transact(c, tx_write,
			      &(struct tx){.app = app, .sum = sum,
					   .n_sum = n_sum});
}

void
refusal_reset(void)
{
	pthread_mutex_lock(&lim.mu);
	memset(lim.slot, 0, sizeof(lim.slot));
	lim.window = 0;
	lim.recorded = 0;
	lim.suppressed = 0;
	pthread_mutex_unlock(&lim.mu);
}
