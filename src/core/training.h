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

/* training_record's step for one module m inside the caller's
 * transaction (no checks of its own); *expires_out gets the expiry. */
int training_record_tx(struct app *app, struct store_conn *c, const char *by,
		       int64_t staff_id, const struct training_module *m,
		       const char *source, int64_t at, int64_t *expires_out);

/* The expiry of a module passed at t: t plus its validity_months, or
 * [training] validity_months when the module sets 0. */
int64_t training_expiry(const struct app *app, const struct training_module *m,
			int64_t t);

/* --- modules and quizzes (training_module.c, training_quiz.c) --------- */

#define TRAINING_MD_MAX (64 * 1024)     /* bytes of ID.md */
#define TRAINING_QUIZ_MAX (32 * 1024)   /* bytes of ID.quiz.json */
#define TRAINING_QUESTIONS_MAX 20
#define TRAINING_OPTIONS_MAX 8
#define TRAINING_TEXT_MAX 1000          /* bytes of a question or option */
#define TRAINING_QID_MAX 32
#define TRAINING_MODULES_MAX 50         /* modules in one import */

/*
 * Parses module id from the text of ID.md (md, md_len bytes) and
 * ID.quiz.json (quiz, quiz_len; NULL: missing) into *out: front matter,
 * safe HTML, canonical quiz (training_module_clear() it). position is the
 * front matter's order (0 when absent). -GH_BAD_MODULE with err naming
 * the file and the line or field; -GH_INTERNAL.
 */
int training_module_parse(const char *id, const char *md, size_t md_len,
			  const char *quiz, size_t quiz_len,
			  struct training_module *out, char *err,
			  size_t errsz);

/* Checks quiz text of module id; *out (malloc'd) gets it canonical.
 * -GH_BAD_MODULE with err, or -GH_INTERNAL. */
int training_quiz_parse(const char *id, const char *text, size_t len,
			char **out, char *err, size_t errsz);

/* The questions of a stored quiz as staff see them: [{id, text, kind,
 * options}], never the answers. New reference. */
json_t *training_quiz_public(const char *quiz);

/* The score (0..100, rounded down) of answers ({qid: [indexes]}) against
 * a stored quiz. -GH_BAD_FIELD when answers is not exactly one set of
 * distinct valid indexes per question. */
int training_quiz_score(const char *quiz, json_t *answers, int64_t *score);

/* The outcome of an attempt. */
struct training_result {
	int64_t score;
	int passed;
	int64_t pass_mark;
	int64_t expires_at;     /* 0 unless passed */
};

/*
 * Staff member a answers module module_id's quiz at now. The attempt is
 * recorded (score, never the answers) and audited ("training.attempt");
 * a pass is recorded as a completion ("quiz", by a) and clears an open
 * assignment. -GH_UNKNOWN_MODULE; -GH_BAD_FIELD (answers malformed:
 * nothing written); -GH_RATE_LIMITED after TRAINING_ATTEMPTS_PER_HOUR
 * attempts at this module in the last hour (the refusal audited).
 */
int training_attempt(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, const char *module_id,
		     json_t *answers, int64_t now,
		     struct training_result *out);

/* A file of a module import: its base name and bytes. */
struct training_file {
	const char *name;
	const char *data;
	size_t len;
};

/*
 * Imports the modules of files (ID.md with ID.quiz.json each; names
 * starting with "." ignored) in one transaction, with one audit record
 * "training.imported" (actor by) naming them: all or nothing. A module
 * that exists is replaced (completions stay). *n_out gets the number of
 * modules. -GH_BAD_MODULE with err naming the file and line or field
 * (a lone file, a bad name, too many modules, a bad module).
 */
int training_import(struct app *app, struct store_conn *c, const char *by,
		    const struct training_file *files, size_t n, int64_t now,
		    char *err, size_t errsz, size_t *n_out);

/* The starter course compiled into the binary (training/starter/). */
int training_import_starter(struct app *app, struct store_conn *c,
			    const char *by, int64_t now, char *err,
			    size_t errsz, size_t *n_out);

/* `gatehouse init`'s step: imports the starter course when no module
 * exists yet (*imported_out 1), keeps what is there otherwise (0). */
int training_init(struct app *app, struct store_conn *c, const char *by,
		  int64_t now, int *imported_out);

/* --- reading ------------------------------------------------------------ */

/* The states of staff member staff_id (0: every staff member not
 * disabled), one per module (training_state_list_clear() *out). */
int training_states(struct store_conn *c, int64_t staff_id,
		    struct training_state_list *out);

/* Every module without content, in order (training_module_list_clear()
 * *out). */
int training_modules(struct store_conn *c, struct training_module_list *out);

/* Module id with content and quiz (training_module_clear() *out);
 * -GH_UNKNOWN_MODULE. */
int training_module(struct store_conn *c, const char *id,
		    struct training_module *out);

/* The id of the staff member with e-mail email; -GH_NOT_FOUND. */
int training_staff_id(struct store_conn *c, const char *email,
		      int64_t *id_out);

#endif
