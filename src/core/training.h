/*
 * Staff training and the gate it puts on disclosure (issue 11).
 *
 * A module (store/store_training.h) is Markdown content rendered to safe
 * HTML, a quiz and a pass mark; passing it (a quiz attempt at or above the
 * pass mark, or a completion recorded from another learning platform)
 * keeps it current for its validity (the module's months, or [training]
 * validity_months) from the time it was passed.
 *
 * A module is required of a staff member when it is in the configured set
 * ([training] required: "all", every module marked required, or a comma
 * list of ids) or when it was assigned to them (training_assign: a
 * phishing drill click...) and not passed since. Its status at `now` is
 * "assigned" (an open assignment), "missing" (never passed), "expired"
 * or "current".
 *
 * The gate (training_gate): a staff member with a required module that is
 * not current may not start a verification, add a factor or reveal a
 * value (-GH_TRAINING_REQUIRED); core/verify.c and core/disclosure_reveal.c
 * ask it. Reading and answering tickets are not gated. Every time is the
 * caller's `now` (the API passes time(NULL); tests inject others).
 */
#ifndef GH_CORE_TRAINING_H
#define GH_CORE_TRAINING_H

#include <jansson.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* Quiz attempts one staff member may make at one module per hour. */
#define TRAINING_ATTEMPTS_PER_HOUR 10
#define TRAINING_ATTEMPT_WINDOW 3600

/* 1 when id is a valid module id: 1..TRAINING_ID_MAX of a-z, 0-9 and -,
 * starting with a letter or digit. */
int training_id_valid(const char *id);

/* t plus months calendar months (UTC; the day clamped to the end of a
 * shorter month). */
int64_t training_add_months(int64_t t, int64_t months);

/* The status of s at now: "assigned", "missing", "expired" or
 * "current" (static strings). */
const char *training_status(const struct training_state *s, int64_t now);

/* 1 when s's module is required of its staff member under app's
 * [training] required, or assigned to them. */
int training_is_required(const struct app *app,
			 const struct training_state *s);

/*
 * Requires module module_id of staff member staff_id again: until the
 * member passes it after now, the gate counts it (status "assigned").
 * reason is a short code (1..TRAINING_REASON_MAX of a-z, 0-9, _:
 * "drill_click"). Audited "training.assigned" (actor "system" when a is
 * NULL). Idempotent while an assignment is open (0, nothing written).
 * -GH_UNKNOWN_MODULE, -GH_NOT_FOUND (no such staff member),
 * -GH_BAD_FIELD (reason). Runs in its own transaction;
 * training_assign_tx does the same inside the caller's.
 */
int training_assign(struct app *app, struct store_conn *c,
		    int64_t staff_id, const char *module_id,
		    const char *reason, int64_t now);
int training_assign_tx(struct app *app, struct store_conn *c,
		       int64_t staff_id, const char *module_id,
		       const char *reason, int64_t now);

/*
 * 0 when staff_id may verify customers and reveal data at now;
 * -GH_TRAINING_REQUIRED with *missing_out (a jansson array of {id, title,
 * status}, caller decrefs; may be NULL) when not. A configured id that
 * names no module counts as missing (title = id). Other errors: the
 * store's.
 */
int training_gate(struct app *app, struct store_conn *c, int64_t staff_id,
		  int64_t now, json_t **missing_out);

/*
 * The gate for core's disclosure functions, inside their transaction:
 * 0, or -GH_TRAINING_REQUIRED after appending the refusal's audit record
 * ("training.gate", denied, with the action and the module ids) for
 * actor a (staff).
 */
int training_gate_check(struct app *app, struct store_conn *c,
			const struct tk_actor *a, const char *action,
			int64_t now);

/*
 * Records that staff member staff_id passed module module_id (NULL: every
 * module) at completed_at, from source "quiz" or "external", recorded by
 * `by` ("staff:3", "cli:alice"), in one transaction with one audit record
 * "training.completed" each (actor by). -GH_UNKNOWN_MODULE,
 * -GH_NOT_FOUND (no such staff member), -GH_BAD_FIELD (completed_at after
 * now + a day, or before 2000). *expires_out (may be NULL) gets the
 * expiry of the last one recorded.
 */
int training_record(struct app *app, struct store_conn *c, const char *by,
		    int64_t staff_id, const char *module_id,
		    const char *source, int64_t completed_at, int64_t now,
		    int64_t *expires_out);

/* The expiry of a module passed at t: t plus its validity_months, or
 * [training] validity_months when the module sets 0. */
int64_t training_expiry(const struct app *app, const struct training_module *m,
			int64_t t);

#endif
