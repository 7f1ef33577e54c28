/*
 * Tickets' records (migrations 002, 006, 018, 020): queues, tickets, the
 * messages and notes of their two threads, and the queries of the lists.
 * Kept apart from store/store.h, which includes this header before
 * struct store_ops. Include store/store.h, not this file.
 *
 * Invariant: text sizes hold the limits core enforces, in UTF-8, so a
 * record never holds a cut value.
 */
#ifndef GH_STORE_STORE_TICKETS_H
#define GH_STORE_STORE_TICKETS_H

#include <stddef.h>
#include <stdint.h>

/* Queues (migration 006). Queue 1 is `general`: tickets start in it and
 * staff_insert makes every new staff member a member of it. A name is at
 * most QUEUE_NAME_MAX bytes (core checks the characters). */
#define STORE_QUEUE_GENERAL 1
#define QUEUE_NAME_MAX 32
#define QUEUE_NAME_BYTES (QUEUE_NAME_MAX + 1)
/* Tags of a ticket (migration 020): at most TICKET_TAGS_MAX, each
 * 1..TICKET_TAG_MAX bytes; ticket_rec.tags holds them sorted and
 * space-separated. */
#define TICKET_TAG_MAX 32
#define TICKET_TAGS_MAX 20
#define TICKET_TAGS_TEXT (TICKET_TAGS_MAX * (TICKET_TAG_MAX + 1) + 1)

struct queue_rec {
	int64_t id;
	char name[QUEUE_NAME_BYTES];
	int64_t members;          /* staff members in it (queue_list only) */
};

struct queue_list {
	struct queue_rec *v; /* malloc'd; queue_list_clear() */
	size_t n;
};

/* Tickets (migration 002). Text sizes hold the limits core enforces
 * (subject: 200 code points; names: 100 code points) in UTF-8. */
struct ticket_rec {
	int64_t id;
	int64_t customer_id;
	char customer_name[404];
	char subject[804];
	char status[16];          /* open | pending | solved */
	int64_t assignee_id;      /* 0: unassigned */
	char assignee_name[404];
	int64_t created_at;
	int64_t updated_at;
	char last_from[16];       /* realm of the newest message, or "" */
	int64_t queue_id;         /* migration 006 */
	char queue_name[QUEUE_NAME_BYTES];
	int64_t drill_id;         /* migration 015: 0, or its drill target */
	/* Migration 020; the portal's view reads "" and 0 for all four. */
	char priority[8];         /* low | normal | high | urgent */
	char tags[TICKET_TAGS_TEXT]; /* sorted, space-separated, or "" */
	int64_t due_at;           /* next SLA target not met; 0: none */
	int breached;             /* 1 once an SLA target was missed */
};

struct ticket_list {
	struct ticket_rec *v; /* malloc'd; ticket_list_clear() */
	size_t n;
};

/* A message or a note. author_name is the staff member's name for staff
 * authors and "" for customers. */
struct thread_item {
	int64_t id;
	int64_t ticket_id;
	enum realm author_realm;  /* notes: always REALM_STAFF */
	int64_t author_id;
	char author_name[404];
	char *body;               /* malloc'd, NUL-ended */
	size_t body_len;
	int64_t created_at;
	/* Customers' messages (migration 004): JSON text as stored, malloc'd,
	 * or NULL (staff messages, notes, older rows). redactions lists what
	 * the inbound scan removed [{type, rule}]; links the analysed links
	 * (staff reads only; the portal operations leave it NULL). */
	char *redactions;
	char *links;
	/* Staff reads of messages: 1 when the customer reported it as
	 * phishing (a drill's message, migration 015). */
	int reported;
};

struct thread_list {
	struct thread_item *v; /* malloc'd; thread_list_clear() */
	size_t n;
};

/* Which tickets a staff listing shows. */
enum ticket_assigned { TA_ANY = 0, TA_ME, TA_UNASSIGNED };

struct ticket_query {
	int64_t viewer_id;
	int see_all;              /* supervisors and admins */
	const char *status;       /* NULL: any */
	enum ticket_assigned assigned;
	int64_t queue_id;         /* 0: any queue */
	int64_t limit, offset;
	/* Keyset (migration 018): only tickets after (updated_at, id) =
	 * (after_key, after_id) in the list's order; after_id 0: from the
	 * start. */
	int64_t after_key, after_id;
};

/* A page of the portal's list: limit rows after skipping offset, of the
 * tickets after (last_activity, id) = (after_key, after_id) in the list's
 * order (after_id 0: from the start). */
struct ticket_page {
	int64_t limit, offset;
	int64_t after_key, after_id;
};

#endif
