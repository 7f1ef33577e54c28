/*
 * The outbound check (see core/outbound.h): gathers the ticket's context
 * (notes, the customer's own contact values, the company's domains), runs
 * the DLP engine once and turns findings into a refusal.
 */
#include "core/outbound.h"

#include <stdlib.h>
#include <string.h>

#include "core/dlp/dlp.h"
#include "util/errors.h"
#include "core/fingerprints.h"
#include "util/log.h"

#define MAX_DOMAINS CONFIG_MAX_DOMAINS

/* Opens a sealed customer field; NULL when absent. */
static int
open_field(struct app *app, const struct customer_contact *cc,
	   const char *col, const struct blob *b, char **out)
{
	char ad[160];
	size_t len = 0;

	*out = NULL;
	if (b->data == NULL)
		return 0;
	snprintf(ad, sizeof(ad), "customer.%s:%s", col, cc->email_idx);
	if (crypto_open(app->keys, ad, b->data, b->len, out, &len) < 0) {
		LOG_BUG("sealed customer field does not open");
		return -GH_INTERNAL;
	}
	return 0;
}

/* The fingerprint lookup behind dlp_context.foreign_value. A store error
 * is kept and fails the whole check after the scan. */
struct foreign_ctx {
	struct app *app;
	struct store_conn *c;
	int64_t customer_id;
	int err;
};

static int
foreign_value(void *cls, const char *kind, const char *normalised,
	      size_t len)
{
	struct foreign_ctx *x = cls;
	int rc;

	if (x->err < 0)
		return 0;
	rc = fingerprints_foreign(x->app, x->c, x->customer_id, kind,
				  normalised, len);
	if (rc < 0) {
		x->err = rc;
		return 0;
	}
	return rc;
}

int
outbound_check(struct app *app, struct store_conn *c, int64_t ticket_id,
	       int64_t customer_id, const char *text, size_t len,
	       json_t **findings_out)
{
	struct thread_list notes = {NULL, 0};
	struct customer_contact cc;
	struct dlp_findings f;
	struct dlp_context ctx;
	struct foreign_ctx fx = {app, c, customer_id, 0};
	const char **note_v = NULL;
	const char *emails[1], *phones[1];
	const char *domains[MAX_DOMAINS];
	char dom_buf[CONFIG_LIST_MAX];
	char *email = NULL, *phone = NULL;
	size_t n_dom = 0;
	int rc;

	if (findings_out != NULL)
		*findings_out = NULL;
	memset(&cc, 0, sizeof(cc));
	dlp_findings_init(&f);
	if (app->dlp == NULL) {
		/* Fail closed: without the engine nothing leaves. */
		LOG_BUG("outbound check without a DLP engine");
		return -GH_INTERNAL;
	}
	rc = c->ops->staff_notes(c, ticket_id, &notes);
	if (rc < 0)
		goto out;
	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		goto out;
	rc = open_field(app, &cc, "email", &cc.email, &email);
	if (rc == 0)
		rc = open_field(app, &cc, "phone", &cc.phone, &phone);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	if (notes.n > 0) {
		note_v = calloc(notes.n, sizeof(*note_v));
		if (note_v == NULL)
			goto out;
		for (size_t i = 0; i < notes.n; i++)
			note_v[i] = notes.v[i].body;
	}
	snprintf(dom_buf, sizeof(dom_buf), "%s", app->cfg.company_domains);
	{
		char *save = NULL;

		for (char *tok = strtok_r(dom_buf, ", \t", &save);
		     tok != NULL && n_dom < MAX_DOMAINS;
		     tok = strtok_r(NULL, ", \t", &save))
			domains[n_dom++] = tok;
	}
	emails[0] = email;
	phones[0] = phone;
	memset(&ctx, 0, sizeof(ctx));
	ctx.own_emails = email != NULL ? emails : NULL;
	ctx.n_own_emails = email != NULL ? 1 : 0;
	ctx.own_phones = phone != NULL ? phones : NULL;
	ctx.n_own_phones = phone != NULL ? 1 : 0;
	ctx.allowed_email_domains = n_dom > 0 ? domains : NULL;
	ctx.n_allowed_email_domains = n_dom;
	ctx.notes = note_v;
	ctx.n_notes = notes.n;
	ctx.foreign_value = foreign_value;
	ctx.cls = &fx;
	rc = dlp_scan(app->dlp, &ctx, text, len, &f);
	if (rc == -GH_BAD_FIELD)
		rc = 0; /* too many findings: blocked below all the same */
	if (rc == 0 && fx.err < 0)
		rc = fx.err; /* the index could not answer: fail closed */
	if (rc < 0)
		goto out;
	if (f.n == 0) {
		rc = 0;
		goto out;
	}
	rc = -GH_DLP_BLOCKED;
	if (findings_out != NULL) {
		*findings_out = dlp_findings_json(&f);
		if (*findings_out == NULL)
			rc = -GH_INTERNAL;
	}
out:
	dlp_findings_free(&f);
	free(note_v);
	crypto_secret_free(email);
	crypto_secret_free(phone);
	customer_contact_clear(&cc);
	thread_list_clear(&notes);
	return rc;
}
