/*
 * Customer data for staff (staff listener): the masked view of one
 * customer (GET /customers/{id}). The rules (who may see which customer,
 * the classes, the masks) are core/disclosure.h's; a customer the caller
 * may not see answers 404. There is no list or search of customers.
 * Replies carry Cache-Control: no-store like every API reply.
 */
#include "api/common.h"
#include "core/disclosure.h"
#include "util/errors.h"

static json_t *
view_item(const struct disclosure_item *it)
{
	return json_pack("{s:s, s:s, s:i, s:o}", "name", it->field->name,
			 "class", it->field->cls, "level", it->field->level,
			 "masked",
			 it->set ? json_string(it->masked) : json_null());
}

int
api_customers_get(struct request *r)
{
	struct disclosure_view v;
	struct tk_actor a;
	json_t *arr;
	int rc;

	api_actor(r, &a);
	rc = disclosure_view(r->app, request_db(r), &a, r->params[0], &v);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < v.n; i++)
		json_array_append_new(arr, view_item(&v.items[i]));
	return api_ok(r, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)v.id,
				   "name", v.name, "fields", arr));
}
