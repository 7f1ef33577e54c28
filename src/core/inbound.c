/*
 * The inbound analysis of customers' messages (see core/inbound.h): one
 * DLP pass whose secret findings are redacted, then the link analyser over
 * the redacted text, so link offsets point into what is stored. The
 * analysis is serialised for storage in one place, analysis_json().
 */
#include "core/inbound.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/errors.h"
#include "core/phish/phish.h"
#include "util/log.h"

static const char *const secret_types[] = {
	"secret",      /* gitleaks rules: keys, tokens, private keys */
	"auth_header", /* Authorization / Proxy-Authorization values */
	"cookie",      /* Cookie / Set-Cookie values */
	"har_session", /* session material inside a HAR file */
	"credit_card", /* Luhn-valid card numbers */
	"us_ssn",      /* national identifiers */
	"uk_nino",
};

int
inbound_is_secret_type(const char *type)
{
	for (size_t i = 0; i < sizeof(secret_types) / sizeof(secret_types[0]);
	     i++)
		if (strcmp(type, secret_types[i]) == 0)
			return 1;
	return 0;
}

const char *
inbound_notice(void)
{
	return "We removed something from your message that looked like a "
	       "password, access key, card number or identity number, before "
	       "any of our staff could see it. Please never send those to us: "
	       "we will never ask for them.";
}

void
inbound_result_clear(struct inbound_result *r)
{
	if (r == NULL)
		return;
	if (r->text != NULL) {
		crypto_wipe(r->text, r->len);
		free(r->text);
	}
	dlp_findings_free(&r->removed);
	free(r->redactions);
	free(r->links);
	memset(r, 0, sizeof(*r));
}

/* Keeps the secret-type findings of all (in place). */
static void
keep_secrets(struct dlp_findings *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++)
		if (inbound_is_secret_type(f->v[i].type))
			f->v[k++] = f->v[i];
	f->n = k;
}

static const char *
verdict_of(int score)
{
	const char *v = phish_verdict(score);

	return strcmp(v, "clean") == 0 ? "ok" : v;
}

/* One link as the staff side sees it: defanged, never clickable. */
static json_t *
link_json(const struct phish_link *k)
{
	char *url = phish_defang(k->url);
	char *text = k->text != NULL ? phish_defang(k->text) : NULL;
	json_t *rs = json_array(), *o = NULL;

	if (url == NULL || rs == NULL || (k->text != NULL && text == NULL))
		goto out;
	for (unsigned b = 0; b < PR_COUNT_BITS; b++) {
		const char *name = phish_reason_name(1u << b);

		if ((k->reasons & (1u << b)) != 0 && name != NULL &&
		    json_array_append_new(rs, json_string(name)) < 0)
			goto out;
	}
	o = json_pack("{s:I, s:I, s:s, s:s?, s:s?, s:i, s:o, s:s, s:O}",
		      "start", (json_int_t)k->start, "end", (json_int_t)k->end,
		      "url_defanged", url, "host", k->host, "registrable",
		      k->domain, "score", k->score, "model_score",
		      k->model_score >= 0 ? json_real(k->model_score)
					  : json_null(),
		      "verdict", verdict_of(k->score), "reasons", rs);
	if (o != NULL && text != NULL &&
	    json_object_set_new(o, "text_defanged", json_string(text)) < 0) {
		json_decref(o);
		o = NULL;
	}
out:
	json_decref(rs);
	free(url);
	free(text);
	return o;
}

/* The links of text[0, len) as the staff side sees them (a JSON array;
 * empty without the link analyser). */
static int
links_json(const struct app *app, const char *text, size_t len, json_t **out)
{
	struct phish_links l;
	json_t *arr = json_array();
	int rc = -GH_INTERNAL;

	phish_links_init(&l);
	*out = NULL;
	if (arr == NULL)
		goto out;
	if (app->phish == NULL) {
		rc = 0;
		goto out;
	}
	/* HTML mode also finds every link in plain text outside tags. */
	rc = phish_analyse(app->phish, text, len, 1, &l);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	for (size_t i = 0; i < l.n; i++) {
		json_t *o = link_json(&l.v[i]);

		if (o == NULL || json_array_append_new(arr, o) < 0)
			goto out;
	}
	rc = 0;
out:
	phish_links_free(&l);
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	return rc;
}

/* The analysis as stored with the message: out->redactions from
 * out->removed, out->links from the analysed links of the stored text. */
static int
analysis_json(const struct app *app, struct inbound_result *out)
{
	json_t *red = json_array(), *links = NULL;
	int rc = -GH_INTERNAL;

	if (red == NULL)
		goto out;
	for (size_t i = 0; i < out->removed.n; i++)
		if (json_array_append_new(
			    red, json_pack("{s:s, s:s}", "type",
					   out->removed.v[i].type, "rule",
					   out->removed.v[i].rule)) < 0)
			goto out;
	rc = links_json(app, out->text, out->len, &links);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	out->redactions = json_dumps(red, JSON_COMPACT);
	out->links = json_dumps(links, JSON_COMPACT);
	if (out->redactions != NULL && out->links != NULL)
		rc = 0;
out:
	json_decref(red);
	json_decref(links);
	return rc;
}

int
inbound_analyse(const struct app *app, const char *text, size_t len,
		struct inbound_result *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	dlp_findings_init(&out->removed);
	if (app->dlp == NULL) {
		/* Fail closed: unscanned text is never stored. */
		LOG_BUG("inbound analysis without a DLP engine");
		return -GH_INTERNAL;
	}
	rc = dlp_scan(app->dlp, NULL, text, len, &out->removed);
	if (rc < 0)
		goto out;
	keep_secrets(&out->removed);
	rc = -GH_INTERNAL;
	out->text = dlp_redact(text, len, &out->removed);
	if (out->text == NULL)
		goto out;
	out->len = strlen(out->text);
	rc = analysis_json(app, out);
out:
	if (rc < 0)
		inbound_result_clear(out);
	return rc;
}
