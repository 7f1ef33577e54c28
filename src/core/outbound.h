/*
 * The outbound check: the one step every text leaving for a customer
 * passes (agent replies and notification mails). It runs the DLP engine of
 * the application context (app->dlp) with the ticket's context: its
 * internal notes (a run of 8 or more words copied from one is a finding),
 * the ticket customer's own e-mail address and phone number (allowed), and
 * the company's own mail domains and phone numbers ([company] domains
 * and phones: allowed), and the fingerprint index of
 * customers' values (core/fingerprints.h): an e-mail address, phone
 * number, date of birth or address of a customer other than the ticket's
 * is an "other_customer_data" finding. Any finding blocks the text.
 *
 * A check has two steps so that the slow part never runs inside a write
 * transaction (building the note index of a ticket with long notes takes
 * time, and the database lock would wait for it): outbound_prepare() reads
 * the ticket's context once and records its note mark (how many notes,
 * the newest id); outbound_scan() checks a text against it, as often as
 * needed (a reply, then its notification). Inside the write transaction,
 * outbound_notes_unchanged() says whether a note was added meanwhile: the
 * caller then checks again rather than write a text checked against old
 * notes.
 *
 * It fails closed on every error: no engine (the CLI), an unreadable note
 * or customer, a scanner error, and notes past the note index's word
 * limit (-GH_NOTES_TOO_LARGE: the note-copy check could not run) all
 * refuse the text; it is never "no finding". It never logs or returns the
 * matched text, only types and offsets.
 */
#ifndef GH_CORE_OUTBOUND_H
#define GH_CORE_OUTBOUND_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/dlp/dlp.h"
#include "store/store.h"

struct fp_hasher;

#define OUTBOUND_MAX_DOMAINS CONFIG_MAX_DOMAINS

/* The ticket's side of a check, filled by outbound_prepare(). Members are
 * the module's; a caller sets only skip_notes. */
struct outbound_ctx {
	struct app *app;
	struct store_conn *c;      /* fingerprint lookups go through it */
	int64_t ticket_id;
	int64_t customer_id;
	struct thread_list notes;  /* the notes when prepared */
	const char **note_v;
	int64_t note_count;        /* the note mark: the number of notes */
	int64_t note_last;         /* and the newest note's id */
	/* Set by the caller when a supervisor has released the reply after
	 * the note-copy check could not run: every other detector still
	 * runs. */
	int skip_notes;
	struct customer_contact cc;
	char *email, *phone;       /* the customer's own, opened */
	struct fp_hasher *fph;     /* the lookups' keyed-hash states */
	char dom_buf[CONFIG_LIST_MAX];
	const char *domains[OUTBOUND_MAX_DOMAINS];
	size_t n_domains;
	char phone_buf[CONFIG_LIST_MAX];  /* [company] phones, split */
	const char *phones[CONFIG_MAX_PHONES];
	size_t n_phones;
};

/*
 * Reads the context of ticket_id for its customer customer_id through c
 * (outside any write transaction). 0, or -GH_INTERNAL when app->dlp is
 * NULL or a field does not open, or a store error; *x holds nothing then.
 * Release with outbound_ctx_clear().
 */
int outbound_prepare(struct app *app, struct store_conn *c,
		     int64_t ticket_id, int64_t customer_id,
		     struct outbound_ctx *x);
void outbound_ctx_clear(struct outbound_ctx *x);
/* The context of a text bound to no ticket yet (a canned reply being
 * saved, core/macros.h): no notes, no customer of its own (a value of any
 * customer is another customer's), the company's domains and phones.
 * Errors as outbound_prepare(). */
int outbound_prepare_unbound(struct app *app, struct store_conn *c,
			     struct outbound_ctx *x);

/*
 * Checks text[0, len) against x. Returns 0 when it may leave;
 * -GH_DLP_BLOCKED with the findings in *findings when it may not;
 * -GH_NOTES_TOO_LARGE when the ticket's notes are past the note index's
 * word limit (the text may not leave as checked); -GH_INTERNAL when the
 * check cannot run. findings (may be NULL) is initialised by the caller
 * (dlp_findings_init); what it held is dropped, and it is empty unless the
 * answer is -GH_DLP_BLOCKED.
 */
int outbound_scan(const struct outbound_ctx *x, const char *text, size_t len,
		  struct dlp_findings *findings);

/* Inside the caller's write transaction on c: 0 when the ticket's notes
 * are still those x was prepared with (or x skips the notes),
 * -GH_CONFLICT when one was added since (check again), or a store
 * error. */
int outbound_notes_unchanged(struct store_conn *c,
			     const struct outbound_ctx *x);

/* outbound_prepare(), outbound_scan() and outbound_ctx_clear() in one, for
 * a single text. */
int outbound_check(struct app *app, struct store_conn *c, int64_t ticket_id,
		   int64_t customer_id, const char *text, size_t len,
		   struct dlp_findings *findings);

#endif
