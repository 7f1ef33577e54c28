/*
 * The outbound check (see core/outbound.h): outbound_prepare() gathers the
 * ticket's context once (notes and their mark, the customer's own contact
 * values, the company's domains and phone numbers, the fingerprint
 * kinds' keyed-hash states); outbound_scan() runs the engine with it
 * and turns findings into a refusal. Any error of the engine or of the
 * fingerprint index is a refusal too, never a pass.
 */
#include "core/outbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fingerprints.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/log.h"

/* The fingerprint lookup behind dlp_context.foreign_value. A store error
 * is kept and fails the whole check after the scan. */
struct foreign_ctx {
	const struct outbound_ctx *x;
	int err;
};

static int
foreign_value(void *cls, const char *kind, const char *normalised,
	      size_t len)
{
	struct foreign_ctx *fx = cls;
	int rc;

	if (fx->err < 0)
		return 0;
	rc = fingerprints_foreign_hashed(fx->x->app->fpf, fx->x->fph, fx->x->c,
					 fx->x->customer_id, kind, normalised,
					 len);
	if (rc < 0) {
		fx->err = rc;
		return 0;
	}
	return rc;
}

/* The note bodies as the engine takes them, and the note mark. */
static int
note_vector(struct outbound_ctx *x)
{
	if (x->notes.n == 0)
		return 0;
	x->note_v = calloc(x->notes.n, sizeof(*x->note_v));
	if (x->note_v == NULL)
		return -GH_INTERNAL;
	for (size_t i = 0; i < x->notes.n; i++) {
		x->note_v[i] = x->notes.v[i].body;
		if (x->notes.v[i].id > x->note_last)
			x->note_last = x->notes.v[i].id;
	}
	x->note_count = (int64_t)x->notes.n;
	return 0;
}

/* The company's own domains from cfg.company_domains (comma or space
 * separated) and phone numbers from cfg.company_phones (comma separated;
 * checked when the configuration was read). */
static void
split_domains(struct outbound_ctx *x)
{
	char *save = NULL;
	int n;

	snprintf(x->phone_buf, sizeof(x->phone_buf), "%s",
		 x->app->cfg.company_phones);
	n = dlp_phone_list(x->phone_buf, x->phones, CONFIG_MAX_PHONES);
	x->n_phones = n > 0 ? (size_t)n : 0;

	snprintf(x->dom_buf, sizeof(x->dom_buf), "%s",
		 x->app->cfg.company_domains);
	for (char *tok = strtok_r(x->dom_buf, ", \t", &save);
	     tok != NULL && x->n_domains < OUTBOUND_MAX_DOMAINS;
	     tok = strtok_r(NULL, ", \t", &save))
		x->domains[x->n_domains++] = tok;
}

int
outbound_prepare(struct app *app, struct store_conn *c, int64_t ticket_id,
		 int64_t customer_id, struct outbound_ctx *x)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->app = app;
	x->c = c;
	x->ticket_id = ticket_id;
	x->customer_id = customer_id;
	if (app->dlp == NULL) {
		/* Fail closed: without the engine nothing leaves. */
		LOG_BUG("outbound check without a DLP engine");
		return -GH_INTERNAL;
	}
	rc = fp_hasher_new(app->keys, &x->fph);
	if (rc == 0)
		rc = c->ops->staff_notes(c, ticket_id, &x->notes);
	if (rc == 0)
		rc = note_vector(x);
	if (rc == 0)
		rc = c->ops->customer_contact(c, customer_id, &x->cc);
	if (rc == 0)
		rc = sealed_field_open(app->keys, x->cc.email_idx, "email",
				       &x->cc.email, &x->email);
	if (rc == 0)
		rc = sealed_field_open(app->keys, x->cc.email_idx, "phone",
				       &x->cc.phone, &x->phone);
	if (rc < 0) {
		outbound_ctx_clear(x);
		return rc;
	}
	split_domains(x);
	return 0;
}

int
outbound_prepare_unbound(struct app *app, struct store_conn *c,
			 struct outbound_ctx *x)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->app = app;
	x->c = c;
	if (app->dlp == NULL) {
		LOG_BUG("outbound check without a DLP engine");
		return -GH_INTERNAL;
	}
	rc = fp_hasher_new(app->keys, &x->fph);
	if (rc < 0) {
		outbound_ctx_clear(x);
		return rc;
	}
	split_domains(x);
	return 0;
}

void
outbound_ctx_clear(struct outbound_ctx *x)
{
	free(x->note_v);
	fp_hasher_free(x->fph);
	thread_list_clear(&x->notes);
	crypto_secret_free(x->email);
	crypto_secret_free(x->phone);
	customer_contact_clear(&x->cc);
	memset(x, 0, sizeof(*x));
}

/* The engine's context for one scan of x. */
static void
dlp_context_of(const struct outbound_ctx *x, const char **emails,
	       const char **phones, struct foreign_ctx *fx,
	       struct dlp_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	emails[0] = x->email;
	phones[0] = x->phone;
	ctx->own_emails = x->email != NULL ? emails : NULL;
	ctx->n_own_emails = x->email != NULL ? 1 : 0;
	ctx->own_phones = x->phone != NULL ? phones : NULL;
	ctx->n_own_phones = x->phone != NULL ? 1 : 0;
	ctx->allowed_email_domains = x->n_domains > 0 ? x->domains : NULL;
	ctx->n_allowed_email_domains = x->n_domains;
	ctx->allowed_phones = x->n_phones > 0 ? x->phones : NULL;
	ctx->n_allowed_phones = x->n_phones;
	if (!x->skip_notes) {
		ctx->notes = x->note_v;
		ctx->n_notes = x->notes.n;
	}
	ctx->foreign_value = foreign_value;
	ctx->cls = fx;
}

int
outbound_scan(const struct outbound_ctx *x, const char *text, size_t len,
	      struct dlp_findings *findings)
{
	struct dlp_findings own, *f = findings != NULL ? findings : &own;
	struct foreign_ctx fx = {x, 0};
	struct dlp_context ctx;
	const char *emails[1], *phones[1];
	int rc;

	if (findings == NULL)
		dlp_findings_init(&own);
	f->n = 0;
	if (x->app == NULL || x->app->dlp == NULL) {
		LOG_BUG("outbound check without a DLP engine");
		return -GH_INTERNAL;
	}
	dlp_context_of(x, emails, phones, &fx, &ctx);
	/* Rows written since the last scan, by any process, join the
	 * filter: one query per scan (core/fingerprints.h). */
	rc = x->app->fpf != NULL ? fp_filter_sync(x->app->fpf, x->c) : 0;
	if (rc == 0)
		rc = dlp_scan(x->app->dlp, &ctx, text, len, f);
	if (rc == -GH_BAD_FIELD)
		/* Too many findings: blocked below all the same. Without any
		 * finding it is an error like every other: refused. */
		rc = f->n > 0 ? 0 : -GH_INTERNAL;
	if (rc == 0 && fx.err < 0)
		rc = fx.err; /* the index could not answer: fail closed */
	if (rc == 0 && f->n > 0)
		rc = -GH_DLP_BLOCKED;
	if (rc != -GH_DLP_BLOCKED)
		f->n = 0;
	if (f == &own)
		dlp_findings_free(&own);
	return rc;
}

int
outbound_notes_unchanged(struct store_conn *c, const struct outbound_ctx *x)
{
	int64_t count = 0, last = 0;
	int rc;

	if (x->skip_notes)
		return 0;
	rc = c->ops->note_mark(c, x->ticket_id, &count, &last);
	if (rc < 0)
		return rc;
	return count == x->note_count && last == x->note_last ? 0
							       : -GH_CONFLICT;
}

int
outbound_check(struct app *app, struct store_conn *c, int64_t ticket_id,
	       int64_t customer_id, const char *text, size_t len,
	       struct dlp_findings *findings)
{
	struct outbound_ctx x;
	int rc;

	if (findings != NULL)
		findings->n = 0;
	rc = outbound_prepare(app, c, ticket_id, customer_id, &x);
	if (rc < 0)
		return rc;
	rc = outbound_scan(&x, text, len, findings);
	outbound_ctx_clear(&x);
	return rc;
}
