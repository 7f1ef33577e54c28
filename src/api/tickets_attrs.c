/*
 * Status, priority, queue and tags of a ticket (core/tickets.h):
 * POST /api/v1/tickets/{id}/status {status}, .../priority {priority},
 * .../queue {queue} and
 * POST /api/v1/tickets/{id}/tags {add?: [...], remove?: [...]}, each
 * answering the ticket. Every refusal names its field; nothing changes
 * on any error.
 */
#include "api/api.h"

#include "api/common.h"
#include "api/tickets_view.h"
#include "core/tickets.h"
#include "util/errors.h"

/* The setters of one word of a ticket (status, priority, queue). */
typedef int (*set_word_fn)(struct app *app, struct store_conn *c,
			   const struct tk_actor *a, int64_t ticket_id,
			   const char *value, struct ticket_rec *out);

/* POST {field: value} (1 to max characters): the ticket after set; bad,
 * the setter's refusal of the value, is answered naming the field. */
static int
set_word(struct request *r, const char *field, size_t max, set_word_fn set,
	 int bad)
{
	const char *value = NULL;
	const struct jspec spec[] = {
		JSPEC_STR(field, &value, 1, max, JS_REQUIRED),
		JSPEC_END,
	};
	struct ticket_rec t;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = set(r->app, request_db(r), &a, r->params[0], value, &t);
	if (rc == bad)
		return api_error_field(r, rc, field);
	if (rc < 0)
		return rc;
	return api_ok(r, tkv_ticket(&t));
}

int
api_tickets_status(struct request *r)
{
	return set_word(r, "status", 16, tickets_set_status, -GH_BAD_FIELD);
}

int
api_tickets_priority(struct request *r)
{
	return set_word(r, "priority", 16, tickets_set_priority,
			-GH_BAD_PRIORITY);
}

int
api_tickets_move(struct request *r)
{
	return set_word(r, "queue", QUEUE_NAME_MAX, tickets_move,
			-GH_UNKNOWN_QUEUE);
}

/* The strings of arr into v (room for TICKET_TAGS_MAX, the array's bound
 * in the spec); -GH_BAD_TAG for an element that is not a string. */
static int
tag_list(json_t *arr, const char **v, size_t *n)
{
	size_t i;
	json_t *e;

	*n = 0;
	json_array_foreach(arr, i, e) {
		if (!json_is_string(e))
			return -GH_BAD_TAG;
		v[(*n)++] = json_string_value(e);
	}
	return 0;
}

int
api_tickets_tags(struct request *r)
{
	json_t *add = NULL, *remove = NULL;
	const struct jspec spec[] = {
		JSPEC_ARR("add", &add, 0, TICKET_TAGS_MAX, 0),
		JSPEC_ARR("remove", &remove, 0, TICKET_TAGS_MAX, 0),
		JSPEC_END,
	};
	const char *va[TICKET_TAGS_MAX], *vr[TICKET_TAGS_MAX];
	size_t na = 0, nr = 0;
	struct ticket_rec t;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	if (add != NULL && tag_list(add, va, &na) < 0)
		return api_error_field(r, -GH_BAD_TAG, "add");
	if (remove != NULL && tag_list(remove, vr, &nr) < 0)
		return api_error_field(r, -GH_BAD_TAG, "remove");
	api_actor(r, &a);
	rc = tickets_set_tags(r->app, request_db(r), &a, r->params[0], va, na,
			      vr, nr, &t);
	if (rc == -GH_BAD_TAG || rc == -GH_TOO_MANY_TAGS)
		return api_error_field(r, rc, "tags");
	if (rc < 0)
		return rc;
	return api_ok(r, tkv_ticket(&t));
}
