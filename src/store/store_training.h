/*
 * Staff training's storage operations and their records (migration 014):
 * modules with their content and quiz, completions, quiz attempts and
 * assignments. store/store.h includes this header before struct
 * store_ops, whose member `training` holds the operations. Include
 * store/store.h, not this file.
 */
#ifndef GH_STORE_STORE_TRAINING_H
#define GH_STORE_STORE_TRAINING_H

#include <stddef.h>
#include <stdint.h>

#define TRAINING_ID_MAX 64        /* a module id: [a-z0-9][a-z0-9-]* */
#define TRAINING_TITLE_MAX 200    /* bytes */
#define TRAINING_REASON_MAX 32    /* an assignment's reason code */
#define TRAINING_BY_MAX 96        /* "staff:3", "cli:alice" */

/* One module. markdown, html and quiz are malloc'd by module_get only
 * (NULL in lists); training_module_clear() releases them. quiz is the
 * stored JSON with the correct answers. */
struct training_module {
	char id[TRAINING_ID_MAX + 1];
	char title[TRAINING_TITLE_MAX + 1];
	int64_t pass_mark;        /* percent, 1..100 */
	int64_t validity_months;  /* 0: [training] validity_months */
	int required;             /* in the default required set */
	int64_t position;
	char *markdown;
	char *html;
	char *quiz;
	char updated_by[TRAINING_BY_MAX];
	int64_t updated_at;
};

struct training_module_list {
	struct training_module *v; /* malloc'd; training_module_list_clear() */
	size_t n;
};

/* A completion to record (source "quiz" or "external"). */
struct training_completion_new {
	int64_t staff_id;
	const char *module_id;
	int64_t completed_at;
	int64_t expires_at;
	const char *source;
	const char *recorded_by;
};

/* Where one staff member stands on one module: the latest expiry of their
 * completions (0: none) and the open assignment (assigned_at 0: none). */
struct training_state {
	int64_t staff_id;
	char staff_name[404];
	char role[16];
	char module_id[TRAINING_ID_MAX + 1];
	char title[TRAINING_TITLE_MAX + 1];
	int required;
	int64_t completed_at;     /* of the latest-expiring completion */
	int64_t expires_at;
	int64_t assigned_at;
	char reason[TRAINING_REASON_MAX + 1];
};

struct training_state_list {
	struct training_state *v; /* malloc'd; training_state_list_clear() */
	size_t n;
};

/*
 * The operations, member `training` of struct store_ops
 * (c->ops->training.module_get(c, ...)).
 *
 * module_put inserts or replaces module m (all its fields).
 * module_get: -GH_NOT_FOUND when there is no module id. module_list:
 * every module without its content, by position then id.
 * completion_insert records one completion and clears the staff member's
 * open assignment of the module when assigned_at <= completed_at.
 * attempt_insert records a quiz attempt; attempt_count counts staff_id's
 * attempts at module_id with created_at > since.
 * assignment_open opens an assignment; -GH_EXISTS when one is open
 * already. states: one row per (staff member not disabled, module), by
 * staff id then module position; staff_id 0 gives every staff member.
 */
struct store_conn;

struct store_training_ops {
	int (*module_put)(struct store_conn *c,
			  const struct training_module *m);
	int (*module_get)(struct store_conn *c, const char *id,
			  struct training_module *out);
	int (*module_list)(struct store_conn *c,
			   struct training_module_list *out);
	int (*completion_insert)(struct store_conn *c,
				 const struct training_completion_new *n,
				 int64_t *id_out);
	int (*attempt_insert)(struct store_conn *c, int64_t staff_id,
			      const char *module_id, int64_t score,
			      int passed, int64_t now, int64_t *id_out);
	int (*attempt_count)(struct store_conn *c, int64_t staff_id,
			     const char *module_id, int64_t since,
			     int64_t *n_out);
	int (*assignment_open)(struct store_conn *c, int64_t staff_id,
			       const char *module_id, const char *reason,
			       int64_t now);
	int (*states)(struct store_conn *c, int64_t staff_id,
		      struct training_state_list *out);
};

/* Release what module_get / module_list / states filled (NULL-safe). */
void training_module_clear(struct training_module *m);
void training_module_list_clear(struct training_module_list *l);
void training_state_list_clear(struct training_state_list *l);

#endif
