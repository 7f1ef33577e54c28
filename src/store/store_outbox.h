/*
 * The outbox's records (migration 002: notification mail waiting to be
 * sent), kept apart from store/store.h, which includes this header before
 * struct store_ops, so that header stays under its size limit. Include
 * store/store.h, not this file.
 */
#ifndef GH_STORE_STORE_OUTBOX_H
#define GH_STORE_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct outbox_new {
	const char *ref;          /* random, unique; part of the sealing AD */
	const char *kind;
	struct blob recipient;    /* sealed */
	struct blob phrase;       /* sealed, may be empty */
	const char *subject;
	const char *body_text;
	int64_t now;
};

struct outbox_rec {
	int64_t id;
	char ref[48];
	char kind[32];
	struct blob recipient, phrase;
	char *subject;            /* malloc'd */
	char *body_text;          /* malloc'd */
	int64_t attempts;
	int64_t created_at;
	int64_t next_attempt_at;
};

struct outbox_list {
	struct outbox_rec *v; /* malloc'd; outbox_list_clear() */
	size_t n;
};

#endif
