/*
 * A realistic support corpus for the outbound filter's benchmark and its
 * same-findings test: agent replies to customers, generated from a fixed
 * seed (the same bytes on every run and every machine), each with the
 * context the server would scan it with (the ticket customer's own e-mail
 * address and phone number, the company's domain, the ticket's internal
 * note, and a fingerprint index of every customer's values, as
 * core/outbound.c hands them to dlp_scan()). Where the shapes come from is
 * said in corpus.c. Nothing here is part of the server.
 */
#ifndef GH_BENCH_CORPUS_H
#define GH_BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "core/dlp/dlp.h"

#define CORPUS_SEED 0x5eed2026u
#define CORPUS_CUSTOMERS 64

struct corpus_customer {
	char name[32];
	char email[64];
	char phone[32];
	char dob[16];
	char address[96];
	char note[640];
};

/* The fingerprint index of every customer's values: normalised value and
 * kind -> customer (dlp_fingerprint()'s forms). */
struct corpus_fp {
	char *key;		/* "kind\tnormalised" */
	int customer;
};

struct corpus {
	char *text;		/* every message, one after the other */
	size_t len;
	size_t *off;		/* message i is text[off[i], off[i + 1]) */
	int *cust;		/* message i's customer */
	size_t n_msg;
	struct corpus_customer c[CORPUS_CUSTOMERS];
	struct corpus_fp *fp;	/* open addressing, mask + 1 slots */
	size_t fp_mask;
};

/* Generates messages from seed until the text holds at least `bytes`
 * bytes. 0, or -1 when out of memory. Free with corpus_free(). */
int corpus_new(struct corpus *c, uint64_t seed, size_t bytes);
void corpus_free(struct corpus *c);

/* The context message i is scanned with, as the server builds it: own
 * e-mail and phone, the company domain, the ticket's note and the
 * fingerprint lookup. Points into c and into the arrays given (one slot
 * each); valid while c is. */
struct corpus_ctx_store {
	const char *email[1], *phone[1], *domain[1], *note[1];
	const struct corpus *c;
	int customer;
	size_t lookups;		/* fingerprint lookups made */
};
void corpus_ctx(const struct corpus *c, size_t i,
		struct corpus_ctx_store *st, struct dlp_context *ctx);

#endif
