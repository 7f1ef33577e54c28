/*
 * The outbound check: the one step every text leaving for a customer
 * passes (agent replies and notification mails). It runs the DLP engine of
 * the application context (app->dlp) with the ticket's context: its
 * internal notes (a run of 8 or more words copied from one is a finding),
 * the ticket customer's own e-mail address and phone number (allowed), and
 * the company's own mail domains (allowed), and the fingerprint index of
 * customers' values (core/fingerprints.h): an e-mail address, phone
 * number, date of birth or address of a customer other than the ticket's
 * is an "other_customer_data" finding. Any finding blocks the text.
 *
 * It fails closed: no engine (the CLI), an unreadable note or customer, a
 * scanner error: the text is refused. It never logs or returns the
 * matched text, only types and offsets.
 */
#ifndef GH_CORE_OUTBOUND_H
#define GH_CORE_OUTBOUND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/*
 * Checks text[0, len) bound for the customer of ticket_id. Returns 0 when
 * it may leave; -GH_DLP_BLOCKED with *findings_out set to the findings
 * ([{type, rule, start, end, cstart, cend}], caller decrefs) when it may
 * not; -GH_INTERNAL when app->dlp is NULL or the check cannot run. Reads
 * through c (inside the caller's transaction when there is one).
 * findings_out may be NULL.
 */
int outbound_check(struct app *app, struct store_conn *c, int64_t ticket_id,
		   int64_t customer_id, const char *text, size_t len,
		   json_t **findings_out);

#endif
