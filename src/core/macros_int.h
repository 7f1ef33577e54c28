/*
 * Private to the macros module (core/macros*.c): what its two files
 * share.
 */
#ifndef GH_CORE_MACROS_INT_H
#define GH_CORE_MACROS_INT_H

#include "core/macros.h"

/* Macro macro_id into *m (macro_rec_clear) when a may use it on ticket t
 * (which a sees): a's own, or shared in t's queue and visible to a;
 * -GH_NOT_FOUND otherwise (another queue's too). */
int macros_usable(struct store_conn *c, const struct tk_actor *a,
		  const struct ticket_rec *t, int64_t macro_id,
		  struct macro_rec *m);

/* Appends the audit record of a's action on "macro:<id>" in its own
 * transaction (detail stolen). 0 or a store error. */
int macros_audit(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const char *action, int64_t id,
		 const char *outcome, json_t *detail);
/* Audits a refusal of action on macro id (its reason, rc's code, and the
 * finding types of f when not NULL), logs it and returns rc (or the
 * store's error). */
int macros_refused(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *action, int64_t id,
		   int rc, const struct dlp_findings *f);

#endif
