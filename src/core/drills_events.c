/*
 * The events of a drill on its ticket and reports of phishing
 * (core/drills.h): the target's first read, opening a link of a customer
 * message (the one way the console opens one, so every opened link is
 * audited and a drill's click is seen), and "Report phishing" on a drill
 * or a real message.
 *
 * Invariant: the answer to opening a link or reporting depends on what
 * the message is only after the act; before it, a drill's message and a
 * real one look and behave alike (analysed links, the same routes, the
 * same refusals once reported).
 */
#include "core/drills.h"

#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "core/training.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/utf8.h"

#define REPORT_SUBJECT "A customer message was reported as phishing"
#define REPORT_BODY                                                           \
	"A staff member reported a customer message as phishing. Its links " \
	"are blocked and the ticket's customer attachments are quarantined." \
	"\nReview it in the console (the audit log, event phish.report, "    \
	"names the ticket). This mail carries no message text on purpose.\n"

#define REPORT_PRAISE                                                         \
	"Well spotted: this was a phishing drill and you reported it. "      \
	"Keep doing exactly this."

struct view_ctx {
	struct app *app;
	const struct tk_actor *a;
	const struct drill_target *d;
	int64_t now;
};

static int
tx_view(struct store_conn *c, void *cls)
{
	struct view_ctx *x = cls;
	int rc;

	rc = c->ops->drills.target_event(c, x->d->id, DRILL_OPENED, x->now);
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "drill.opened", "ticket",
				 x->d->ticket_id, "success",
				 json_pack("{s:I}", "campaign",
					   (json_int_t)x->d->campaign_id));
	return rc;
}

int
drills_on_view(struct app *app, struct store_conn *c, const struct tk_actor *a,
	       const struct ticket_rec *t, int64_t now)
{
	struct drill_target d;
	struct view_ctx x = {app, a, &d, now};
	int rc;

	if (t->drill_id <= 0 || !actor_is_staff(a))
		return 0;
	rc = c->ops->drills.target_by_ticket(c, t->id, &d);
	if (rc < 0 || d.staff_id != a->id || d.ev[DRILL_OPENED] > 0)
		return rc == -GH_NOT_FOUND ? 0 : rc;
	rc = store_transact(c, tx_view, &x);
	return rc == -GH_CONFLICT ? 0 : rc;
}

/* The customer message mid of the visible ticket into *out (links
 * included). -GH_NOT_FOUND when it is not one. */
static int
customer_message(struct store_conn *c, const struct tk_actor *a,
		 int64_t ticket_id, int64_t mid, struct ticket_rec *t,
		 struct thread_item *out)
{
	struct thread_list l;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = actor_ticket(c, a, ticket_id, t);
	if (rc == 0)
		rc = c->ops->staff_messages(c, ticket_id, &l);
	if (rc < 0)
		return rc;
	rc = -GH_NOT_FOUND;
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].id != mid || l.v[i].author_realm != REALM_CUSTOMER)
			continue;
		*out = l.v[i];
		memset(&l.v[i], 0, sizeof(l.v[i]));
		rc = 0;
	}
	thread_list_clear(&l);
	return rc;
}

/* The real address of link n (1-based) of the stored analysis, from its
 * defanged form (scheme "hxxp", "[.]" in the host). malloc'd into *url;
 * -GH_NOT_FOUND when there is no such link. */
static int
link_url(const char *links, int64_t n, char **url)
{
	json_t *arr = json_loads(links != NULL ? links : "[]", 0, NULL);
	const char *d = json_string_value(
		json_object_get(json_array_get(arr, (size_t)(n - 1)),
				"url_defanged"));
	size_t k = 0;
	char *o;

	*url = NULL;
	if (n < 1 || d == NULL) {
		json_decref(arr);
		return -GH_NOT_FOUND;
	}
	o = malloc(strlen(d) + 1);
	for (size_t i = 0; o != NULL && d[i] != '\0'; i++) {
		if (i == 0 && strncmp(d, "hxxp", 4) == 0) {
			memcpy(o, "http", 4);
			k = 4;
			i = 3;
		} else if (strncmp(d + i, "[.]", 3) == 0) {
			o[k++] = '.';
			i += 2;
		} else {
			o[k++] = d[i];
		}
	}
	if (o != NULL)
		o[k] = '\0';
	json_decref(arr);
	*url = o;
	return o != NULL ? 0 : -GH_INTERNAL;
}

struct open_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id, mid, n, now;
	const struct drill_target *d; /* NULL: a real message */
	const char *host;
	int refused;
};

static int
tx_open(struct store_conn *c, void *cls)
{
	struct open_ctx *x = cls;
	int rc = 0;
	int target = x->d != NULL && x->d->staff_id == x->a->id;

	if (x->refused)
		return actor_audit(x->app, c, x->a, "link.open", "ticket",
				   x->ticket_id, "denied",
				   json_pack("{s:I, s:I, s:s}", "message",
					     (json_int_t)x->mid, "link",
					     (json_int_t)x->n, "reason",
					     "quarantined"));
	if (x->d == NULL)
		return actor_audit(x->app, c, x->a, "link.open", "ticket",
				   x->ticket_id, "success",
				   json_pack("{s:I, s:I, s:s}", "message",
					     (json_int_t)x->mid, "link",
					     (json_int_t)x->n, "host", x->host));
	if (target)
		rc = c->ops->drills.target_event(c, x->d->id, DRILL_CLICKED,
						 x->now);
	if (rc == -GH_CONFLICT)
		rc = 0;
	if (rc == 0 && target)
		rc = training_assign_tx(x->app, c, x->a->id,
					DRILL_REMEDIAL_MODULE, "drill_click",
					x->now);
	if (rc == -GH_UNKNOWN_MODULE) {
		/* The starter course was not imported: the click still
		 * counts; operators see why nothing was assigned. */
		log_event(LOG_WARN, "drill.remedial_missing",
			  json_pack("{s:s}", "module", DRILL_REMEDIAL_MODULE));
		rc = 0;
	}
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "drill.click", "ticket",
				 x->ticket_id, "success",
				 json_pack("{s:I, s:I, s:b}", "campaign",
					   (json_int_t)x->d->campaign_id,
					   "link", (json_int_t)x->n, "target",
					   target));
	return rc;
}

/* The answer to an opened link: the lesson of a drill, else the URL. */
static json_t *
open_answer(const struct drill_target *d, const char *url)
{
	const struct drill_template *tpl =
		d != NULL ? drills_template(d->template_id) : NULL;

	if (d == NULL)
		return json_pack("{s:b, s:s}", "drill", 0, "url", url);
	if (tpl == NULL)
		return NULL;
	return json_pack("{s:b, s:o}", "drill", 1, "lesson",
			 drills_lesson(tpl));
}

int
drills_open_link(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t ticket_id, int64_t mid,
		 int64_t n, int64_t now, json_t **out)
{
	struct open_ctx x = {app, a, ticket_id, mid, n, now, NULL, "", 0};
	struct drill_target d;
	struct thread_item m;
	struct ticket_rec t;
	int64_t reported = 0;
	char *url = NULL;
	int rc;

	*out = NULL;
	rc = customer_message(c, a, ticket_id, mid, &t, &m);
	if (rc == 0)
		rc = link_url(m.links, n, &url);
	if (rc == 0)
		rc = c->ops->drills.message_reported(c, ticket_id, mid,
						     &reported);
	if (rc == 0 && t.drill_id > 0)
		rc = c->ops->drills.target_by_ticket(c, ticket_id, &d);
	if (rc < 0)
		goto out;
	x.d = t.drill_id > 0 ? &d : NULL;
	x.refused = reported > 0;
	x.host = url + strcspn(url, "/") + 2;
	rc = store_transact(c, tx_open, &x);
	if (rc == 0 && x.refused)
		rc = -GH_QUARANTINED;
	if (rc == 0)
		*out = open_answer(x.d, url);
	if (rc == 0 && *out == NULL)
		rc = -GH_INTERNAL;
out:
	thread_item_clear(&m);
	free(url);
	return rc;
}

/* --- reports ------------------------------------------------------------- */

struct report_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id, mid, now;
	const struct drill_target *d; /* NULL: a real message */
	const char *note;
	int64_t quarantined, alerted;
};

static int
report_real(struct store_conn *c, struct report_ctx *x)
{
	int rc;

	rc = c->ops->drills.attachments_quarantine(c, x->ticket_id,
						   &x->quarantined);
	if (rc == 0)
		rc = notify_supervisors(x->app, c, "phish_report",
					REPORT_SUBJECT, REPORT_BODY, x->now,
					&x->alerted);
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "phish.report", "ticket",
				 x->ticket_id, "success",
				 json_pack("{s:I, s:I, s:I, s:s?}", "message",
					   (json_int_t)x->mid,
					   "attachments_quarantined",
					   (json_int_t)x->quarantined,
					   "alerted", (json_int_t)x->alerted,
					   "note", x->note));
	return rc;
}

static int
tx_report(struct store_conn *c, void *cls)
{
	struct report_ctx *x = cls;
	int target = x->d != NULL && x->d->staff_id == x->a->id;
	int rc;

	rc = c->ops->drills.message_report(c, x->mid, x->a->id, x->now);
	if (rc == -GH_CONFLICT)
		return -GH_DRILL_ALREADY_REPORTED;
	if (rc < 0)
		return rc;
	if (x->d == NULL)
		return report_real(c, x);
	/* As for a real message, so nothing tells the two apart after. */
	rc = c->ops->drills.attachments_quarantine(c, x->ticket_id,
						   &x->quarantined);
	if (rc == 0 && target)
		rc = c->ops->drills.target_event(c, x->d->id, DRILL_REPORTED,
						 x->now);
	if (rc == 0 || rc == -GH_CONFLICT)
		rc = actor_audit(x->app, c, x->a, "drill.report", "ticket",
				 x->ticket_id, "success",
				 json_pack("{s:I, s:I, s:b}", "campaign",
					   (json_int_t)x->d->campaign_id,
					   "message", (json_int_t)x->mid,
					   "target", target));
	return rc;
}

static int
check_note(const char *note)
{
	int64_t cps;

	if (note == NULL)
		return 0;
	cps = utf8_check(note, strlen(note), 1);
	if (cps < 0)
		return -GH_BAD_UTF8;
	return cps > DRILL_NOTE_MAX ? -GH_BAD_FIELD : 0;
}

int
drills_report(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      int64_t ticket_id, int64_t mid, const char *note, int64_t now,
	      json_t **out)
{
	struct report_ctx x = {app, a, ticket_id, mid, now, NULL, note, 0, 0};
	struct drill_target d;
	struct thread_item m;
	struct ticket_rec t;
	int rc;

	*out = NULL;
	rc = check_note(note);
	if (rc < 0)
		return rc;
	rc = customer_message(c, a, ticket_id, mid, &t, &m);
	thread_item_clear(&m);
	if (rc == 0 && t.drill_id > 0)
		rc = c->ops->drills.target_by_ticket(c, ticket_id, &d);
	if (rc < 0)
		return rc;
	x.d = t.drill_id > 0 ? &d : NULL;
	rc = store_transact(c, tx_report, &x);
	if (rc < 0)
		return rc;
	if (x.d != NULL)
		*out = json_pack("{s:b, s:I, s:s}", "drill", 1, "reported_at",
				 (json_int_t)now, "message", REPORT_PRAISE);
	else
		*out = json_pack("{s:b, s:I, s:I}", "drill", 0, "reported_at",
				 (json_int_t)now, "attachments_quarantined",
				 (json_int_t)x.quarantined);
	return *out != NULL ? 0 : -GH_INTERNAL;
}
