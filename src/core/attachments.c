/*
 * Attachments (see core/attachments.h): the rules every part of the
 * module shares (display names, the notice an uploader reads, the audit
 * record, who may list a ticket's files). Reads of the ticket's
 * visibility are repeated inside each write transaction. Upload and its
 * cleaning are in attachments_upload.c and attachments_redact.c, download
 * and release in attachments_download.c, the HAR retention purge in
 * attachments_retention.c.
 */
#include "core/attachments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/attachments_int.h"
#include "util/errors.h"
#include "util/utf8.h"

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
		{"inconsistent_archive",
		 "the archive's list of files does not match its contents, so "
		 "it cannot be checked reliably"},
		{"active_html",
		 "it is a web page with a form, a script or an automatic "
		 "redirect"},
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

int
att_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	  const char *action, int64_t id, const char *outcome, json_t *detail)
{
	return actor_audit(app, c, a, action, "attachment", id, outcome,
			   detail);
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
	rc = actor_ticket(c, a, ticket_id, NULL);
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
	rc = actor_ticket(c, a, ticket_id, NULL);
	if (rc < 0)
		return rc;
	return c->ops->portal_attachment_list(c, a->id, ticket_id, out);
}
