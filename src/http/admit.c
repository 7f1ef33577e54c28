/*
 * Admission at accept: the staff network allow-list and the budget of new
 * connections a second, with the table of addresses that hold an open
 * connection (see admit.h). The table is open addressing with linear
 * probing and backward-shift deletion, sized at twice the listener's
 * connection limit (rounded up to a power of two), so it never fills;
 * an address is stored as 16 bytes (IPv4 mapped into IPv6) and hashed
 * with SipHash under a key drawn at start. One mutex per listener guards
 * the table, the bucket and the log counters: every operation is a few
 * probes, never I/O (a log line is written after the mutex is released).
 */
#include "http/admit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "util/log.h"

#define TOKEN 1000000 /* one connection, in micro-tokens */

struct slot {
	unsigned char ip[16];
	uint32_t count; /* 0: free */
};

/* The log counters of one rule. */
struct tally {
	int64_t window_start; /* seconds */
	uint64_t in_window;   /* refusals in this window */
	uint64_t unlogged;    /* counted, not logged, since the last summary */
	int64_t unlogged_since;
};

struct admit {
	pthread_mutex_t lock;
	const char *name;
	const struct cidr *nets;
	unsigned n_nets;
	int64_t per_second;
	int64_t tokens; /* micro-tokens, at most per_second * TOKEN */
	int64_t refilled_us;
	struct slot *slots;
	size_t mask;
	unsigned used;
	unsigned char key[crypto_shorthash_KEYBYTES];
	struct tally tally[3]; /* by enum admit_verdict */
};

/* --- addresses ------------------------------------------------------------ */

/* addr as 16 bytes; 0, or -1 when it is neither IPv4 nor IPv6. */
static int
ip16(const struct sockaddr *addr, socklen_t len, unsigned char out[16])
{
	if (addr->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *v4 = (const void *)addr;

		memset(out, 0, 10);
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &v4->sin_addr, 4);
		return 0;
	}
	if (addr->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		memcpy(out, ((const struct sockaddr_in6 *)(const void *)addr)
				    ->sin6_addr.s6_addr,
		       16);
		return 0;
	}
	return -1;
}

static socklen_t
addr_len(const struct sockaddr *addr)
{
	return addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in);
}

static size_t
home(const struct admit *a, const unsigned char ip[16])
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, ip, 16, a->key);
	memcpy(&v, h, sizeof(v));
	return (size_t)v & a->mask;
}

/* The slot holding ip, or the free slot where it would go. */
static size_t
find(const struct admit *a, const unsigned char ip[16])
{
	size_t i = home(a, ip);

	while (a->slots[i].count != 0 && memcmp(a->slots[i].ip, ip, 16) != 0)
		i = (i + 1) & a->mask;
	return i;
}

/* Frees slot i, shifting back the entries that probed past it. */
static void
release(struct admit *a, size_t i)
{
	size_t j = i, k;

	a->slots[i].count = 0;
	for (;;) {
		j = (j + 1) & a->mask;
		if (a->slots[j].count == 0)
			return;
		k = home(a, a->slots[j].ip);
		/* j stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		a->slots[i] = a->slots[j];
		a->slots[j].count = 0;
		i = j;
	}
}

/* --- the policy ----------------------------------------------------------- */

int
admit_new(const char *name, const struct cidr *nets, unsigned n_nets,
	  int64_t per_second, unsigned max_conns, struct admit **out)
{
	struct admit *a = calloc(1, sizeof(*a));
	size_t n = 16;

	*out = NULL;
	if (a == NULL)
		return -1;
	while (n < (size_t)max_conns * 2)
		n <<= 1;
	a->slots = calloc(n, sizeof(*a->slots));
	if (a->slots == NULL) {
		free(a);
		return -1;
	}
	pthread_mutex_init(&a->lock, NULL);
	a->name = name;
	a->nets = nets;
	a->n_nets = n_nets;
	a->per_second = per_second > 0 ? per_second : 1;
	a->tokens = a->per_second * TOKEN;
	a->refilled_us = -1;
	a->mask = n - 1;
	crypto_random_bytes(a->key, sizeof(a->key));
	*out = a;
	return 0;
}

/* 1 when addr (family and bytes as the client connected, not mapped)
 * is inside the listener's networks. */
static int
allowed(const struct admit *a, const struct sockaddr *addr,
	const unsigned char ip[16])
{
	if (addr->sa_family == AF_INET)
		return cidr_contains(a->nets, a->n_nets, AF_INET, ip + 12);
	return cidr_contains(a->nets, a->n_nets, AF_INET6, ip);
}

/* Takes a token if the bucket, refilled up to now_us, holds one. */
static int
take_token(struct admit *a, int64_t now_us)
{
	int64_t cap = a->per_second * TOKEN;
	int64_t dt = a->refilled_us < 0 ? 0 : now_us - a->refilled_us;

	if (dt > TOKEN)
		dt = TOKEN; /* a whole second refills the bucket */
	if (dt > 0) {
		a->tokens += dt * a->per_second;
		if (a->tokens > cap)
			a->tokens = cap;
	}
	if (dt >= 0)
		a->refilled_us = now_us;
	if (a->tokens < TOKEN)
		return 0;
	a->tokens -= TOKEN;
	return 1;
}

/* The verdict for addr, ip its 16 bytes (NULL: neither IPv4 nor IPv6),
 * under the lock. */
static enum admit_verdict
decide(struct admit *a, const struct sockaddr *addr, const unsigned char *ip,
       int64_t now_us)
{
	if (a->nets != NULL && (ip == NULL || !allowed(a, addr, ip)))
		return ADMIT_OUTSIDE_NETWORK;
	if (ip != NULL && a->slots[find(a, ip)].count != 0)
		return ADMIT_YES; /* holds a connection: no token */
	return take_token(a, now_us) ? ADMIT_YES : ADMIT_OVER_BUDGET;
}

/* --- logging refusals ----------------------------------------------------- */

static const char *const rule_name[3] = {"", "staff_networks",
					 "new_connections_per_second"};

/* Counts a refusal by rule v at now (seconds); *log_one is set when this
 * one is logged by itself, *summary (with the *seconds it spans) to a
 * count of an ended window to report. */
static void
tally_refusal(struct admit *a, enum admit_verdict v, int64_t now,
	      int *log_one, uint64_t *summary, int64_t *seconds)
{
	struct tally *t = &a->tally[v];

	*summary = 0;
	if (now - t->window_start >= ADMIT_WINDOW) {
		*summary = t->unlogged;
		*seconds = t->window_start + ADMIT_WINDOW - t->unlogged_since;
		t->unlogged = 0;
		t->window_start = now;
		t->in_window = 0;
	}
	*log_one = t->in_window++ < ADMIT_BURST;
	if (!*log_one && t->unlogged++ == 0)
		t->unlogged_since = now;
}

/* One line for n refusals by rule v over about seconds seconds. */
static void
log_summary(const struct admit *a, enum admit_verdict v, uint64_t n,
	    int64_t seconds)
{
	if (n == 0)
		return;
	log_event(LOG_WARN, "security.connections_refused",
		  json_pack("{s:s, s:s, s:I, s:I}", "listener", a->name,
			    "rule", rule_name[v], "count", (json_int_t)n,
			    "seconds", (json_int_t)(seconds > 0 ? seconds : 1)));
}

static void
log_refusal(const struct admit *a, enum admit_verdict v,
	    const struct sockaddr *addr, socklen_t len)
{
	char host[64] = "";
	const void *raw = NULL;

	if (addr->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in))
		raw = &((const struct sockaddr_in *)(const void *)addr)->sin_addr;
	else if (addr->sa_family == AF_INET6 &&
		 len >= (socklen_t)sizeof(struct sockaddr_in6))
		raw = &((const struct sockaddr_in6 *)(const void *)addr)
			       ->sin6_addr;
	if (raw != NULL)
		inet_ntop(addr->sa_family, raw, host, sizeof(host));
	log_event(LOG_WARN,
		  v == ADMIT_OUTSIDE_NETWORK ? "security.staff_network_refused"
					     : "security.connection_refused",
		  json_pack("{s:s, s:s, s:s}", "listener", a->name, "rule",
			    rule_name[v], "ip", host));
}

enum admit_verdict
admit_check(struct admit *a, const struct sockaddr *addr, socklen_t len,
	    int64_t now_us)
{
	unsigned char ip[16];
	int have = ip16(addr, len, ip) == 0;
	enum admit_verdict v;
	int log_one = 0;
	uint64_t summary = 0;
	int64_t seconds = 0, now = now_us / 1000000;

	pthread_mutex_lock(&a->lock);
	v = decide(a, addr, have ? ip : NULL, now_us);
	if (v != ADMIT_YES)
		tally_refusal(a, v, now, &log_one, &summary, &seconds);
	pthread_mutex_unlock(&a->lock);
	if (v != ADMIT_YES) {
		log_summary(a, v, summary, seconds);
		if (log_one)
			log_refusal(a, v, addr, len);
	}
	return v;
}

/* --- open connections ----------------------------------------------------- */

void
admit_opened(struct admit *a, const struct sockaddr *addr)
{
	unsigned char ip[16];
	size_t i;

	if (ip16(addr, addr_len(addr), ip) != 0)
		return;
	pthread_mutex_lock(&a->lock);
	i = find(a, ip);
	if (a->slots[i].count == 0) {
		/* Never fills (twice the connections), but keep a free slot
		 * for the probes to end on whatever happens. */
		if (a->used + 1 >= a->mask)
			goto out;
		memcpy(a->slots[i].ip, ip, 16);
		a->used++;
	}
	a->slots[i].count++;
out:
	pthread_mutex_unlock(&a->lock);
}

void
admit_closed(struct admit *a, const struct sockaddr *addr)
{
	unsigned char ip[16];
	size_t i;

	if (ip16(addr, addr_len(addr), ip) != 0)
		return;
	pthread_mutex_lock(&a->lock);
	i = find(a, ip);
	if (a->slots[i].count > 0 && --a->slots[i].count == 0) {
		release(a, i);
		a->used--;
	}
	pthread_mutex_unlock(&a->lock);
}

unsigned
admit_open_addresses(struct admit *a)
{
	unsigned n;

	pthread_mutex_lock(&a->lock);
	n = a->used;
	pthread_mutex_unlock(&a->lock);
	return n;
}

void
admit_free(struct admit *a)
{
	struct timespec ts;

	if (a == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int v = ADMIT_OUTSIDE_NETWORK; v <= ADMIT_OVER_BUDGET; v++)
		log_summary(a, (enum admit_verdict)v, a->tally[v].unlogged,
			    (int64_t)ts.tv_sec - a->tally[v].unlogged_since + 1);
	pthread_mutex_destroy(&a->lock);
	free(a->slots);
	free(a);
}
