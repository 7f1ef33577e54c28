/*
 * Internal to the drills module (core/drills*.c): a drill's file, analysed
 * like a customer's upload before the delivery transaction and stored with
 * the drill ticket inside it. Not for other modules; core/drills.h is the
 * interface.
 */
#ifndef GH_CORE_DRILLS_INT_H
#define GH_CORE_DRILLS_INT_H

#include "core/drills.h"
#include "core/phish/attach.h"

/* A template's file, prepared: its bytes, their analysis and the texts
 * stored with it (malloc'd; drills_file_clear). */
struct drill_file {
	const char *name;          /* the template's; NULL: no file */
	const unsigned char *data;
	size_t len;
	struct attach_result res;
	char sha[65];
	char *reasons;
	char *flagged;
};

/* Analyses t's file (nothing when t has none). 0 or -GH_INTERNAL. */
int drills_file_prepare(const struct app *app, const struct drill_template *t,
			struct drill_file *f);
/* Stores f as the customer's upload sender to ticket_id, in the caller's
 * transaction (nothing when f holds no file). */
int drills_file_insert(struct app *app, struct store_conn *c,
		       const struct drill_file *f, int64_t ticket_id,
		       int64_t sender, int64_t now);
void drills_file_clear(struct drill_file *f);

#endif
