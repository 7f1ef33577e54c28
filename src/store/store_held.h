/*
 * Held replies' records (migration 009), kept apart from store/store.h,
 * which includes this header before struct store_ops, so that header stays
 * under its size limit. Include store/store.h, not this file.
 */
#ifndef GH_STORE_STORE_HELD_H
#define GH_STORE_STORE_HELD_H

#include <stddef.h>
#include <stdint.h>

/* Held replies (migration 009).
 * A staff reply the outbound check could not run on in full (the
 * ticket's notes pass the note-copy index's word limit) is stored apart
 * from the messages, so no portal operation can ever read it, until a
 * supervisor or admin other than its author releases it (it then becomes
 * a message) or discards it. reason is a stable code
 * ("notes_too_large"); decision is the decider's reason. */
#define HELD_REASON_BYTES 32
#define HELD_DECISION_BYTES 2004  /* 500 code points of UTF-8 */

struct held_new {
	int64_t ticket_id;
	int64_t author_id;        /* staff */
	const char *body;
	const char *reason;
	int64_t now;
};

struct held_decision {
	int64_t id;
	const char *state;        /* "released" or "discarded" */
	int64_t staff_id;         /* who decided */
	const char *reason;
	int64_t message_id;       /* released: the message it became; else 0 */
	int64_t now;
};

struct held_reply {
	int64_t id;
	int64_t ticket_id;
	int64_t author_id;
	char author_name[404];
	char *body;               /* malloc'd, NUL-ended */
	char reason[HELD_REASON_BYTES];
	char state[16];           /* held | released | discarded */
	int64_t created_at;
	int64_t decided_by;       /* 0 while held */
	char decided_by_name[404];
	int64_t decided_at;
	char decision[HELD_DECISION_BYTES];
	int64_t message_id;       /* 0 unless released */
};

struct held_list {
	struct held_reply *v;     /* malloc'd; held_list_clear() */
	size_t n;
};

#endif
