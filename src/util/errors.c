/* The error registry, expanded from errors.def. */
#include "util/errors.h"

struct err_entry {
	int status;
	const char *code;
	const char *message;
};

static const struct err_entry err_table[GH_ERR_COUNT] = {
	[GH_OK] = {200, "ok", "OK."},
#define ERR(name, st, c, msg) [GH_##name] = {st, c, msg},
#include "util/errors.def"
#undef ERR
};

static const struct err_entry *
err_lookup(int err)
{
	if (err < 0)
		err = -err;
	if (err <= 0 || err >= GH_ERR_COUNT)
		err = GH_INTERNAL;
	return &err_table[err];
}

int
err_status(int err)
{
	return err_lookup(err)->status;
}

const char *
err_code(int err)
{
	return err_lookup(err)->code;
}

const char *
err_message(int err)
{
	return err_lookup(err)->message;
}
