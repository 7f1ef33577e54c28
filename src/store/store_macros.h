/*
 * Canned replies' storage operations and records (migration 023): a
 * macro is personal (owner_id) or shared in one queue (queue_id), with
 * its name, text and optional actions. Kept apart from store/store.h,
 * which includes this header before struct store_ops (whose member
 * `macros` points to the operations). Include store/store.h, not this
 * file.
 *
 * Invariant: exactly one of owner_id and queue_id is set (> 0); a name is
 * unique among one owner's macros and among one queue's (-GH_EXISTS).
 * Who may see or change a macro is core/macros.h's rule, not the store's.
 */
#ifndef GH_STORE_STORE_MACROS_H
#define GH_STORE_STORE_MACROS_H

#include <stddef.h>
#include <stdint.h>

/* A name: 80 code points of UTF-8. */
#define MACRO_NAME_BYTES (80 * 4 + 1)
/* Tags sorted, space-separated: as a ticket's (store/store_tickets.h). */
#define MACRO_TAGS_BYTES TICKET_TAGS_TEXT

struct macro_rec {
	int64_t id;
	int64_t owner_id;        /* personal: its owner; 0 when shared */
	int64_t queue_id;        /* shared: its queue; 0 when personal */
	char queue_name[QUEUE_NAME_BYTES]; /* filled by get and list */
	char name[MACRO_NAME_BYTES];
	char *body;              /* malloc'd by get and list; borrowed in */
	char status[16];         /* "" or the status it sets */
	char priority[8];        /* "" or the priority it sets */
	char tags_add[MACRO_TAGS_BYTES];
	char tags_remove[MACRO_TAGS_BYTES];
	int64_t created_by;
	int64_t created_at, updated_at;
};

struct macro_list {
	struct macro_rec *v; /* malloc'd; macro_list_clear() */
	size_t n;
};

/*
 * The operations, member `macros` of struct store_ops (a pointer).
 *
 * insert: a new macro from *m (id, queue_name, created_at ignored:
 * created_at = updated_at); *id_out gets its id; -GH_EXISTS when the
 * name is taken in its scope. update: name, body and actions of macro
 * m->id, updated_at; -GH_NOT_FOUND, -GH_EXISTS. remove: -GH_NOT_FOUND
 * when there is none. get: one macro. list: the personal macros of
 * staff_id and the shared ones of every queue (all != 0) or of the
 * queues staff_id is a member of (all == 0); queue_id > 0 keeps only
 * that queue's shared ones. By name, personal first. count: how many
 * macros staff_id owns (queue_id 0) or queue queue_id holds.
 */
struct store_conn;

struct store_macros_ops {
	int (*insert)(struct store_conn *c, const struct macro_rec *m,
		      int64_t *id_out);
	int (*update)(struct store_conn *c, const struct macro_rec *m);
	int (*remove)(struct store_conn *c, int64_t id);
	int (*get)(struct store_conn *c, int64_t id, struct macro_rec *out);
	int (*list)(struct store_conn *c, int64_t staff_id, int all,
		    int64_t queue_id, struct macro_list *out);
	int (*count)(struct store_conn *c, int64_t staff_id, int64_t queue_id,
		     int64_t *n_out);
};

/* Release what get and list filled (NULL-safe). */
void macro_rec_clear(struct macro_rec *m);
void macro_list_clear(struct macro_list *l);

#endif
