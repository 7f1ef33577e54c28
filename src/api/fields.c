/*
 * Custom personal fields, for admins (staff listener): GET
 * /admin/fields lists the definitions, POST /admin/fields {name, class}
 * defines one (audited field.create by core/fields.c). Values are never
 * handled here: they are set from the command line and revealed only
 * through the disclosure gate.
 */
#include <time.h>

#include "api/common.h"
#include "core/fields.h"
#include "util/errors.h"

static json_t *
def_json(const struct field_def *d)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)d->id,
			 "name", d->name, "class", d->cls, "created_by",
			 d->created_by, "created_at",
			 (json_int_t)d->created_at);
}

int
api_admin_fields_list(struct request *r)
{
	struct field_def_list l = {NULL, 0};
	json_t *items;
	int rc = fields_list(request_db(r), &l);

	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, def_json(&l.v[i]));
	field_def_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "items", items));
}

int
api_admin_fields_create(struct request *r)
{
	const char *name = NULL, *cls = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("name", &name, 1, FIELD_NAME_MAX, JS_REQUIRED),
		JSPEC_STR("class", &cls, 2, 2, JS_REQUIRED),
		JSPEC_END,
	};
	const char *field = NULL;
	struct field_def d;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = fields_create(r->app, request_db(r), &a, name, cls,
			   (int64_t)time(NULL), &d, &field);
	if (rc == -GH_BAD_FIELD) {
		json_decref(r->error_extra);
		r->error_extra = json_pack(
			"{s:s, s:s}", "field", field, "message",
			field != NULL && field[0] == 'c'
				? "class must be C1 (contact) or C2 "
				  "(personal)."
				: "name must be 1 to 32 characters of a-z, "
				  "0-9 and _, starting with a letter, and "
				  "not the name of a built-in field.");
		return rc;
	}
	if (rc == -GH_CONFLICT) {
		json_decref(r->error_extra);
		r->error_extra = json_pack("{s:s, s:s}", "field", "name",
					   "message",
					   "A field with this name already "
					   "exists.");
		return rc;
	}
	if (rc < 0)
		return rc;
	return api_created(r, def_json(&d));
}
