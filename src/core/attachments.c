/*
 * Attachments (see core/attachments.h): name checks, analysis, redaction
 * of HAR session material and of secrets in text files, quarantine,
 * release, download and the HAR retention purge. Reads of the ticket's
 * visibility are repeated inside each write transaction.
 */
#include "core/attachments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/audit.h"
#include "core/dlp/dlp.h"
#include "util/errors.h"
#include "core/phish/attach.h"
#include "util/log.h"
#include "util/utf8.h"

/* Most distinct session values a HAR file may carry and still be kept
 * readable; above it every value cannot be searched for in bounded time,
 * so the whole content is replaced (fail closed). */
#define HAR_MAX_VALUES 512
/* A value this long or longer is also removed where it appears inside a
 * longer string (a URL, a response body); shorter ones only where they
 * are a whole JSON string, to keep the rest of the file readable. */
#define HAR_BARE_MIN 8
#define HAR_PASSES 3

/* Finding types that are removed from text files before storing. */
static const char *const redact_types[] = {"har_session", "secret",
					   "auth_header", "cookie", NULL};

struct redactions {
	size_t n[4]; /* per redact_types entry */
};

static int
type_index(const char *type)
{
	for (int i = 0; redact_types[i] != NULL; i++)
		if (strcmp(type, redact_types[i]) == 0)
			return i;
	return -1;
}

/* --- names ---------------------------------------------------------------- */

int
attachments_clean_name(const char *name, char *out, size_t outsz)
{
	const char *base;
	int64_t n;

	if (outsz > 0)
		out[0] = '\0';
	if (name == NULL || outsz < 1024)
		return -GH_BAD_FIELD;
	if (utf8_check(name, strlen(name), 0) < 0)
		return -GH_BAD_UTF8;
	base = name;
	for (const char *p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* Leading and trailing spaces hide the real extension. */
	while (*base == ' ')
		base++;
	n = utf8_check(base, strlen(base), 0);
	if (n < 1 || n > ATTACH_NAME_MAX || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0 || base[strlen(base) - 1] == ' ' ||
	    base[strlen(base) - 1] == '.')
		return -GH_BAD_FIELD;
	snprintf(out, outsz, "%s", base);
	return 0;
}

/* --- redaction ------------------------------------------------------------ */

static int
add_span(struct dlp_findings *f, size_t a, size_t b)
{
	if (f->n >= DLP_MAX_FINDINGS)
		return -GH_BAD_FIELD;
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 16;
		struct dlp_finding *nv = realloc(f->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -GH_INTERNAL;
		f->v = nv;
		f->cap = nc;
	}
	f->v[f->n++] = (struct dlp_finding){"har_session", "har-value", a, b,
					    a, b};
	return 0;
}

static int
cmp_str(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;

	return strcmp(*a, *b);
}

/*
 * One pass: the values dlp_har_scan() found (as they are written in the
 * text) are removed everywhere they occur. *spans gets every place to
 * redact; a value the scanner could not place spans the whole text.
 */
static int
har_spans(const char *text, size_t len, const struct dlp_findings *found,
	  struct dlp_findings *spans)
{
	char **vals = NULL;
	size_t nv = 0;
	int rc = -GH_INTERNAL;

	if (found->n > 0) {
		vals = calloc(found->n, sizeof(*vals));
		if (vals == NULL)
			goto out;
	}
	for (size_t i = 0; i < found->n; i++) {
		const struct dlp_finding *f = &found->v[i];

		if (f->start == 0 && f->end == len) {
			rc = add_span(spans, 0, len);
			goto out;
		}
		vals[nv] = strndup(text + f->start, f->end - f->start);
		if (vals[nv] == NULL)
			goto out;
		nv++;
	}
	qsort(vals, nv, sizeof(*vals), cmp_str);
	{
		size_t k = 0;

		for (size_t i = 0; i < nv; i++) {
			if (k > 0 && strcmp(vals[k - 1], vals[i]) == 0) {
				free(vals[i]);
				continue;
			}
			vals[k++] = vals[i];
		}
		nv = k;
	}
	if (nv > HAR_MAX_VALUES) {
		rc = add_span(spans, 0, len);
		goto out;
	}
	for (size_t i = 0; i < nv; i++) {
		size_t vl = strlen(vals[i]);
		const char *p = text;

		while (vl > 0 && p + vl <= text + len) {
			const char *at = memmem(p, (size_t)(text + len - p),
						vals[i], vl);
			size_t a;

			if (at == NULL)
				break;
			a = (size_t)(at - text);
			if (vl >= HAR_BARE_MIN ||
			    (a > 0 && a + vl < len && text[a - 1] == '"' &&
			     text[a + vl] == '"')) {
				rc = add_span(spans, a, a + vl);
				if (rc == -GH_BAD_FIELD) {
					/* Too many places: give up on keeping
					 * the file readable. */
					spans->n = 0;
					rc = add_span(spans, 0, len);
					goto out;
				}
				if (rc < 0)
					goto out;
			}
			p = at + vl;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; vals != NULL && i < nv; i++)
		free(vals[i]);
	free(vals);
	return rc;
}

/*
 * Removes session material from a HAR file. *out gets the new text
 * (malloc'd) when something was removed, NULL otherwise; *n_found the
 * number of headers and cookies that carried a value. Returns 1 when the
 * text is a HAR file, 0 when it is not, or an error.
 */
static int
har_redact(const char *text, size_t len, char **out, size_t *n_found)
{
	struct dlp_findings found, spans;
	char *cur = NULL;
	size_t curlen = len;
	int is_har = 0;
	int rc;

	*out = NULL;
	*n_found = 0;
	dlp_findings_init(&found);
	dlp_findings_init(&spans);
	for (int pass = 0; pass < HAR_PASSES + 1; pass++) {
		const char *t = cur != NULL ? cur : text;
		char *next;

		found.n = 0;
		spans.n = 0;
		rc = dlp_har_scan(t, curlen, &found);
		if (rc == -GH_BAD_FIELD) {
			/* More than the scanner reports: all of it goes. */
			rc = add_span(&spans, 0, curlen);
			is_har = 1;
			if (pass == 0)
				*n_found = DLP_MAX_FINDINGS;
		} else if (rc < 0) {
			goto out;
		} else {
			if (pass == 0)
				is_har = rc;
			if (pass == 0)
				*n_found = found.n;
			if (found.n == 0)
				break;
			rc = pass < HAR_PASSES
				     ? har_spans(t, curlen, &found, &spans)
				     : add_span(&spans, 0, curlen);
		}
		if (rc < 0)
			goto out;
		next = dlp_redact(t, curlen, &spans);
		if (next == NULL) {
			rc = -GH_INTERNAL;
			goto out;
		}
		free(cur);
		cur = next;
		curlen = strlen(cur);
		if (spans.n == 1 && spans.v[0].start == 0)
			break;
	}
	*out = cur;
	cur = NULL;
	rc = is_har;
out:
	free(cur);
	dlp_findings_free(&found);
	dlp_findings_free(&spans);
	return rc;
}

/* Secrets in a text file, found by the outbound filter's engine. */
static int
text_redact(const struct dlp_engine *e, const char *text, size_t len,
	    char **out, struct redactions *red)
{
	struct dlp_findings all, keep;
	int rc;

	*out = NULL;
	dlp_findings_init(&all);
	dlp_findings_init(&keep);
	rc = dlp_scan(e, NULL, text, len, &all);
	if (rc < 0 && rc != -GH_BAD_FIELD)
		goto out;
	if (rc == -GH_BAD_FIELD) {
		/* Past the finding limit: nothing of it is kept. */
		all.n = 0;
		if (add_span(&all, 0, len) < 0) {
			rc = -GH_INTERNAL;
			goto out;
		}
		all.v[0].type = "secret";
	}
	for (size_t i = 0; i < all.n; i++) {
		int k = type_index(all.v[i].type);

		if (k < 0)
			continue;
		if (keep.n == keep.cap) {
			size_t nc = keep.cap ? keep.cap * 2 : 16;
			struct dlp_finding *nv =
				realloc(keep.v, nc * sizeof(*nv));

			if (nv == NULL) {
				rc = -GH_INTERNAL;
				goto out;
			}
			keep.v = nv;
			keep.cap = nc;
		}
		keep.v[keep.n++] = all.v[i];
		red->n[k]++;
	}
	rc = 0;
	if (keep.n > 0) {
		*out = dlp_redact(text, len, &keep);
		if (*out == NULL)
			rc = -GH_INTERNAL;
	}
out:
	dlp_findings_free(&all);
	dlp_findings_free(&keep);
	return rc;
}

static int
is_text(const char *mime)
{
	return strncmp(mime, "text/", 5) == 0 ||
	       strcmp(mime, "application/json") == 0;
}

static json_t *
reasons_json(unsigned reasons)
{
	json_t *a = json_array();

	for (unsigned b = 0; a != NULL && b < AR_COUNT_BITS; b++)
		if ((reasons & (1u << b)) != 0)
			json_array_append_new(
				a, json_string(attach_reason_name(1u << b)));
	return a;
}

static json_t *
redactions_json(const struct redactions *red)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && redact_types[i] != NULL; i++)
		if (red->n[i] > 0)
			json_array_append_new(
				a, json_pack("{s:s, s:I}", "type",
					     redact_types[i], "count",
					     (json_int_t)red->n[i]));
	return a;
}

/* --- notices ---------------------------------------------------------------- */

/* Plain words for the reasons a customer may read. */
static const char *
reason_words(const char *code)
{
	static const struct {
		const char *code, *words;
	} t[] = {
		{"too_large", "it is too large"},
		{"executable", "it is a program"},
		{"script", "it is a script that could run commands"},
		{"type_mismatch",
		 "its content does not match its file extension"},
		{"ole_macros", "it is an Office document with macros"},
		{"ooxml_macros", "it is an Office document with macros"},
		{"macro_extension", "it is a macro-enabled Office document"},
		{"archive_holds_dangerous_file",
		 "the archive contains a program, script or macro document"},
		{"zip_bomb", "the archive unpacks to an unsafe size"},
		{"too_many_entries", "the archive holds too many files"},
		{"encrypted_archive",
		 "the archive is password-protected, so it cannot be checked"},
		{"broken_archive", "the archive is damaged"},
		{"har_live_tokens", "it still contains sign-in data"},
		{"double_extension", "its name hides its real type"},
		{"malware", "our virus scanner found malware in it"},
		{"archive_not_inspected",
		 "we cannot look inside this kind of archive"},
		{"archive_too_deep", "it holds archives inside archives"},
		{"entry_too_large", "a file in the archive is too large"},
		{"virus_scan_unavailable",
		 "our virus scanner could not check it"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(code, t[i].code) == 0)
			return t[i].words;
	return "it did not pass our checks";
}

void
attachments_notice(const struct attachment_rec *r, char *notice)
{
	json_t *reasons = json_loads(r->reasons, 0, NULL);
	json_t *red = json_loads(r->redactions, 0, NULL);
	size_t n = 0, n_har = 0;
	const char *first = json_string_value(json_array_get(reasons, 0));
	size_t i;
	json_t *v;

	json_array_foreach(red, i, v) {
		size_t k = (size_t)json_integer_value(json_object_get(v, "count"));
		const char *type = json_string_value(json_object_get(v, "type"));

		n += k;
		if (type != NULL && strcmp(type, "har_session") == 0)
			n_har += k;
	}
	notice[0] = '\0';
	if (n_har > 0)
		snprintf(notice, ATTACH_NOTICE_MAX,
			 "We removed %zu sign-in value%s (cookies or access "
			 "tokens) from your file before anyone here can see it: "
			 "they could let someone act as you on the site the file "
			 "was recorded on. To be safe, sign out of that site and "
			 "sign in again. The file is deleted automatically after "
			 "%lld days.",
			 n_har, n_har == 1 ? "" : "s",
			 r->delete_after > r->created_at
				 ? (long long)((r->delete_after - r->created_at) /
					       86400)
				 : 0LL);
	else if (n > 0)
		snprintf(notice, ATTACH_NOTICE_MAX,
			 "We removed %zu secret%s (such as passwords, keys or "
			 "access tokens) from your file before anyone here can see "
			 "it. If they are still in use, please change them.",
			 n, n == 1 ? "" : "s");
	if (r->quarantined) {
		size_t used = strlen(notice);

		snprintf(notice + used, ATTACH_NOTICE_MAX - used,
			 "%sThis file is held back for safety because %s. Our "
			 "staff cannot open it unless a security administrator "
			 "checks and releases it. If you did not mean to send "
			 "it, please tell us.",
			 used > 0 ? " " : "",
			 reason_words(first != NULL ? first : ""));
	} else if (notice[0] == '\0') {
		snprintf(notice, ATTACH_NOTICE_MAX,
			 "Your file was received and checked.");
	}
	json_decref(reasons);
	json_decref(red);
}

/* --- audit ------------------------------------------------------------------ */

static int
audit_att(struct app *app, struct store_conn *c, const struct tk_actor *a,
	  const char *action, int64_t id, const char *outcome, json_t *detail)
{
	char actor[48], target[48];

	if (a != NULL)
		snprintf(actor, sizeof(actor), "%s:%lld", realm_name(a->realm),
			 (long long)a->id);
	else
		snprintf(actor, sizeof(actor), "system");
	snprintf(target, sizeof(target), "attachment:%lld", (long long)id);
	return audit_log(app, c,
			 &(struct audit_ev){.actor = actor,
					    .action = action,
					    .target = target,
					    .outcome = outcome,
					    .ip = a != NULL ? a->ip : NULL,
					    .request_id =
						    a != NULL ? a->request_id
							      : NULL,
					    .detail = detail});
}

static void
staff_query(const struct tk_actor *a, struct ticket_query *q)
{
	memset(q, 0, sizeof(*q));
	q->viewer_id = a->id;
	q->see_all = tickets_sees_all(a->role);
}

/* -GH_NOT_FOUND unless the actor may see the ticket. */
static int
may_see(struct store_conn *c, const struct tk_actor *a, int64_t ticket_id)
{
	struct ticket_rec t;
	struct ticket_query q;

	if (a->id <= 0)
		return -GH_FORBIDDEN;
	if (a->realm == REALM_CUSTOMER)
		return c->ops->portal_ticket_get(c, a->id, ticket_id, &t);
	staff_query(a, &q);
	return c->ops->staff_ticket_get(c, &q, ticket_id, &t);
}

/* --- upload ---------------------------------------------------------------- */

struct up_ctx {
	struct app *app;
	const struct tk_actor *a;
	struct attachment_new n;
	const char *mime;
	const char *malware;
	int64_t id;
};

static int
tx_upload(struct store_conn *c, void *cls)
{
	struct up_ctx *x = cls;
	int rc;

	rc = may_see(c, x->a, x->n.ticket_id);
	if (rc < 0)
		return rc;
	rc = c->ops->attachment_insert(c, &x->n, &x->id);
	if (rc < 0)
		return rc;
	return audit_att(
		x->app, c, x->a, "attachment.upload", x->id, "success",
		json_pack("{s:I, s:s, s:o, s:o, s:b, s:I, s:s, s:s, s:o, s:s?}",
			  "ticket", (json_int_t)x->n.ticket_id, "verdict",
			  x->n.verdict, "reasons",
			  json_loads(x->n.reasons, 0, NULL), "redactions",
			  json_loads(x->n.redactions, 0, NULL), "quarantined",
			  x->n.quarantined, "size", (json_int_t)x->n.size,
			  "sha256", x->n.sha256, "type", x->mime,
			  "delete_after",
			  x->n.delete_after > 0
				  ? json_integer(x->n.delete_after)
				  : json_null(),
			  "malware", x->malware));
}

static int
has_ext(const char *name, const char *ext)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && strcasecmp(dot + 1, ext) == 0;
}

int
attachments_upload(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   const char *filename, const unsigned char *data, size_t len,
		   struct attachment_rec *out, char *notice)
{
	struct attach_options opts;
	struct attach_result res;
	struct redactions red;
	struct up_ctx x;
	char name[1024], sha[CRYPTO_HASH_HEX], ad[128];
	char *har = NULL, *txt = NULL;
	const unsigned char *stored = data;
	size_t stored_len = len, n_har = 0;
	json_t *jr = NULL, *jd = NULL, *jf = NULL;
	char *sr = NULL, *sd = NULL, *sf = NULL;
	int64_t now = (int64_t)time(NULL);
	int is_har, rc;

	memset(out, 0, sizeof(*out));
	memset(&red, 0, sizeof(red));
	memset(&x, 0, sizeof(x));
	notice[0] = '\0';
	if (a->id <= 0)
		return -GH_FORBIDDEN;
	if (len > (size_t)app->cfg.attach_max_bytes)
		return -GH_BODY_TOO_LARGE;
	if (data == NULL || len == 0)
		return -GH_BAD_FIELD;
	rc = attachments_clean_name(filename, name, sizeof(name));
	if (rc < 0)
		return rc;
	/* Refuse early (before any work) when the ticket is not visible. */
	rc = may_see(c, a, ticket_id);
	if (rc < 0)
		return rc;

	/* Clean first, then judge what will be stored. */
	rc = har_redact((const char *)data, len, &har, &n_har);
	if (rc < 0)
		goto out;
	is_har = rc == 1 || has_ext(name, "har");
	red.n[0] = n_har;
	if (har != NULL) {
		stored = (const unsigned char *)har;
		stored_len = strlen(har);
	}
	memset(&opts, 0, sizeof(opts));
	opts.max_size = (size_t)app->cfg.attach_max_bytes;
	opts.clamd_socket = app->cfg.attach_clamd_socket[0] != '\0'
				    ? app->cfg.attach_clamd_socket
				    : NULL;
	/* The original goes to the analyser (and clamd) as sent ... */
	rc = attach_analyse(name, data, len, &opts, &res);
	if (rc < 0)
		goto out;
	if (app->dlp != NULL && is_text(res.mime)) {
		rc = text_redact(app->dlp, (const char *)stored, stored_len,
				 &txt, &red);
		if (rc < 0)
			goto out;
		if (txt != NULL) {
			stored = (const unsigned char *)txt;
			stored_len = strlen(txt);
		}
	}
	/* ... and what is stored is judged again once cleaned: removed
	 * session material no longer counts against it, everything else
	 * (the name, the content type, programs, macros) is still there to
	 * be found, and clamd's finding on the original still stands. */
	if (stored != data) {
		struct attach_result after;

		opts.clamd_socket = NULL;
		rc = attach_analyse(name, stored, stored_len, &opts, &after);
		if (rc < 0)
			goto out;
		if ((res.reasons & AR_MALWARE) != 0) {
			after.reasons |= AR_MALWARE;
			after.verdict = ATTACH_DANGEROUS;
			memcpy(after.malware, res.malware,
			       sizeof(after.malware));
		}
		memcpy(after.mime, res.mime, sizeof(after.mime));
		res = after;
	}

	jr = reasons_json(res.reasons);
	jd = redactions_json(&red);
	jf = attach_result_json(&res);
	sr = jr != NULL ? json_dumps(jr, JSON_COMPACT) : NULL;
	sd = jd != NULL ? json_dumps(jd, JSON_COMPACT) : NULL;
	sf = jf != NULL ? json_dumps(json_object_get(jf, "flagged"),
				     JSON_COMPACT) :
			  NULL;
	rc = -GH_INTERNAL;
	if (sr == NULL || sd == NULL || sf == NULL)
		goto out;
	crypto_sha256_hex(stored, stored_len, sha);
	snprintf(ad, sizeof(ad), "attachment:%s:%lld", sha,
		 (long long)ticket_id);
	if (crypto_seal(app->keys, ad, stored, stored_len, &x.n.content.data,
			&x.n.content.len) < 0)
		goto out;
	x.app = app;
	x.a = a;
	x.n.ticket_id = ticket_id;
	x.n.uploader_realm = a->realm;
	x.n.uploader_id = a->id;
	x.n.filename = name;
	x.n.size = (int64_t)stored_len;
	x.n.sha256 = sha;
	x.n.sniffed_type = res.mime;
	x.n.verdict = attach_verdict_name(res.verdict);
	x.n.reasons = sr;
	x.n.redactions = sd;
	x.n.flagged = sf;
	x.n.quarantined = res.verdict == ATTACH_DANGEROUS;
	x.n.created_at = now;
	x.n.delete_after =
		is_har ? now + app->cfg.attach_har_retention_days * 86400 : 0;
	x.mime = res.mime;
	x.malware = res.malware[0] != '\0' ? res.malware : NULL;
	rc = store_transact(c, tx_upload, &x);
	if (rc < 0)
		goto out;
	rc = c->ops->attachment_get(c, x.id, out);
	if (rc < 0)
		goto out;
	blob_clear(&out->content);
	attachments_notice(out, notice);
	if (x.n.quarantined)
		log_event(LOG_INFO, "attachment.quarantined",
			  json_pack("{s:I, s:I, s:s?}", "attachment",
				    (json_int_t)x.id, "ticket",
				    (json_int_t)ticket_id, "request_id",
				    a->request_id));
out:
	if (rc < 0)
		attachment_rec_clear(out);
	blob_clear(&x.n.content);
	if (har != NULL) {
		crypto_wipe(har, strlen(har));
		free(har);
	}
	if (txt != NULL) {
		crypto_wipe(txt, strlen(txt));
		free(txt);
	}
	json_decref(jr);
	json_decref(jd);
	json_decref(jf);
	free(sr);
	free(sd);
	free(sf);
	return rc;
}

/* --- lists ------------------------------------------------------------------ */

int
attachments_staff_list(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       struct attachment_list *out)
{
	int rc;

	(void)app;
	out->v = NULL;
	out->n = 0;
	if (a->realm != REALM_STAFF)
		return -GH_FORBIDDEN;
	rc = may_see(c, a, ticket_id);
	if (rc < 0)
		return rc;
	return c->ops->attachment_list(c, ticket_id, out);
}

int
attachments_portal_list(struct app *app, struct store_conn *c,
			const struct tk_actor *a, int64_t ticket_id,
			struct attachment_list *out)
{
	int rc;

	(void)app;
	out->v = NULL;
	out->n = 0;
	if (a->realm != REALM_CUSTOMER)
		return -GH_FORBIDDEN;
	rc = may_see(c, a, ticket_id);
	if (rc < 0)
		return rc;
	return c->ops->portal_attachment_list(c, a->id, ticket_id, out);
}

/* --- download ---------------------------------------------------------------- */

struct fetch_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	int64_t ticket_id;
	struct attachment_rec *rec;
};

static int
tx_fetch(struct store_conn *c, void *cls)
{
	struct fetch_ctx *x = cls;
	int rc;

	attachment_rec_clear(x->rec);
	rc = c->ops->attachment_get(c, x->id, x->rec);
	if (rc < 0)
		return rc;
	rc = may_see(c, x->a, x->rec->ticket_id);
	if (rc < 0)
		return rc;
	if (x->rec->quarantined)
		return -GH_QUARANTINED;
	return audit_att(x->app, c, x->a, "attachment.download", x->id,
			 "success",
			 json_pack("{s:I, s:s}", "ticket",
				   (json_int_t)x->rec->ticket_id, "sha256",
				   x->rec->sha256));
}

static int
tx_fetch_denied(struct store_conn *c, void *cls)
{
	struct fetch_ctx *x = cls;

	return audit_att(x->app, c, x->a, "attachment.download", x->id,
			 "denied",
			 json_pack("{s:I, s:s}", "ticket",
				   (json_int_t)x->ticket_id, "reason",
				   "quarantined"));
}

int
attachments_fetch(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t id,
		  struct attachment_rec *rec, unsigned char **data, size_t *len)
{
	struct fetch_ctx x = {app, a, id, 0, rec};
	char ad[128];
	char *plain = NULL;
	size_t plen = 0;
	int rc;

	memset(rec, 0, sizeof(*rec));
	*data = NULL;
	*len = 0;
	if (a->realm != REALM_STAFF || a->id <= 0)
		return -GH_FORBIDDEN;
	/* The audit record commits only if the content opens below; a
	 * failure to open is our bug and is logged. */
	rc = store_transact(c, tx_fetch, &x);
	if (rc == -GH_QUARANTINED) {
		x.ticket_id = rec->ticket_id;
		attachment_rec_clear(rec);
		rc = store_transact(c, tx_fetch_denied, &x);
		memset(rec, 0, sizeof(*rec));
		return rc < 0 ? rc : -GH_QUARANTINED;
	}
	if (rc < 0)
		goto out;
	snprintf(ad, sizeof(ad), "attachment:%s:%lld", rec->sha256,
		 (long long)rec->ticket_id);
	if (crypto_open(app->keys, ad, rec->content.data, rec->content.len,
			&plain, &plen) < 0) {
		LOG_BUG("attachment content does not open");
		rc = -GH_INTERNAL;
		goto out;
	}
	*data = malloc(plen > 0 ? plen : 1);
	if (*data == NULL) {
		rc = -GH_INTERNAL;
		goto out;
	}
	memcpy(*data, plain, plen);
	*len = plen;
	rc = 0;
out:
	crypto_secret_free(plain);
	blob_clear(&rec->content);
	if (rc < 0)
		memset(rec, 0, sizeof(*rec));
	return rc;
}

/* --- release ------------------------------------------------------------------ */

struct rel_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	const char *reason;
	int64_t now;
};

static int
tx_release(struct store_conn *c, void *cls)
{
	struct rel_ctx *x = cls;
	struct attachment_rec r;
	int rc;

	rc = c->ops->attachment_get(c, x->id, &r);
	if (rc < 0)
		return rc;
	blob_clear(&r.content);
	if (!r.quarantined)
		return -GH_BAD_STATE;
	rc = c->ops->attachment_release(c, x->id, x->a->id, x->now);
	if (rc == -GH_CONFLICT)
		return -GH_BAD_STATE;
	if (rc < 0)
		return rc;
	return audit_att(x->app, c, x->a, "attachment.release", x->id,
			 "success",
			 json_pack("{s:I, s:s, s:o, s:s}", "ticket",
				   (json_int_t)r.ticket_id, "verdict",
				   r.verdict, "reasons",
				   json_loads(r.reasons, 0, NULL), "reason",
				   x->reason));
}

int
attachments_release(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t id, const char *reason,
		    struct attachment_rec *out)
{
	struct rel_ctx x = {app, a, id, reason, (int64_t)time(NULL)};
	int64_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (a->realm != REALM_STAFF || a->id <= 0 || a->role == NULL ||
	    strcmp(a->role, "admin") != 0)
		return -GH_FORBIDDEN;
	if (reason == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(reason, strlen(reason), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < ATTACH_RELEASE_MIN || n > ATTACH_RELEASE_MAX)
		return -GH_BAD_FIELD;
	rc = store_transact(c, tx_release, &x);
	if (rc < 0)
		return rc;
	rc = c->ops->attachment_get(c, id, out);
	blob_clear(&out->content);
	return rc;
}

/* --- retention ----------------------------------------------------------------- */

struct purge_ctx {
	struct app *app;
	int64_t now;
	size_t n;
};

static int
tx_purge(struct store_conn *c, void *cls)
{
	struct purge_ctx *x = cls;
	int64_t ids[ATTACH_PURGE_BATCH];
	int rc;

	x->n = 0;
	rc = c->ops->attachment_expired(c, x->now, ATTACH_PURGE_BATCH, ids,
					&x->n);
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		rc = c->ops->attachment_delete(c, ids[i]);
		if (rc == 0)
			rc = audit_att(x->app, c, NULL, "attachment.purge",
				       ids[i], "success",
				       json_pack("{s:s}", "reason",
						 "retention"));
	}
	return rc;
}

int
attachments_purge(struct app *app, struct store_conn *c, int64_t now,
		  int64_t *n_out)
{
	struct purge_ctx x = {app, now, 0};
	int64_t total = 0;
	int rc;

	if (n_out != NULL)
		*n_out = 0;
	do {
		rc = store_transact(c, tx_purge, &x);
		if (rc < 0)
			return rc;
		total += (int64_t)x.n;
	} while (x.n == ATTACH_PURGE_BATCH);
	if (total > 0)
		log_event(LOG_INFO, "attachment.purged",
			  json_pack("{s:I}", "count", (json_int_t)total));
	if (n_out != NULL)
		*n_out = total;
	return 0;
}
