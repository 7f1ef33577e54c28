/*
 * Phishing drills and reports of phishing (issue 11, part B).
 *
 * A supervisor schedules a campaign: one built-in template (a lure
 * modelled on a real help-desk attack, core/drills_templates.c) sent at
 * send_at to chosen staff members or to the members of a queue. At or
 * after send_at each target gets a drill ticket: in its queue, assigned
 * to it, from a disabled pseudo-customer of the template (no password,
 * no real address, an e-mail blind index no login can produce), whose
 * first message looks like a customer's and is analysed like one. A drill
 * ticket never reaches the portal (the store's portal statements skip
 * it) and never makes a mail (core/notify.c makes none for its
 * pseudo-customer); other agents do not see it, as it is assigned.
 *
 * Events: delivered, opened (the target first reads the ticket), link
 * clicked and attachment opened (through drills_open_link, the one way
 * the console opens a link of a customer message), reported
 * (drills_report). Each is recorded once, with its time, and audited
 * (drill.*). A click assigns training module "phishing-remedial"
 * (core/training.h) and answers the template's lesson.
 *
 * A report on a real message flags it (its links are then refused,
 * -GH_QUARANTINED), quarantines the ticket's customer attachments, alerts
 * supervisors with a content-free mail and is audited (phish.report).
 *
 * Every function takes `now` from its caller (tests inject it).
 */
#ifndef GH_CORE_DRILLS_H
#define GH_CORE_DRILLS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* The pseudo-customers of drills: e-mail blind index prefix (a real index
 * is hex, so no login finds one) and the address sealed for them (not an
 * address: no "@", reserved top-level domain). */
#define DRILL_SENDER_PREFIX "drill-sender:"
#define DRILL_SENDER_EMAIL "drill-sender.invalid"
/* 1 when email_idx is a drill pseudo-customer's: nothing is ever sent
 * to one (core/notify.c, core/verify_mail.c ask). */
int drills_is_sender(const char *email_idx);
/* The module a click assigns. */
#define DRILL_REMEDIAL_MODULE "phishing-remedial"
/* A report's optional note, in code points. */
#define DRILL_NOTE_MAX 500
/* How far ahead a campaign may be scheduled (days). */
#define DRILL_AHEAD_DAYS_MAX 90

#define DRILL_MAX_FLAGS 6

/* A built-in template. body holds "{link}" where its tracked link goes. */
struct drill_template {
	const char *id;
	const char *title;       /* for the supervisor */
	const char *sender;      /* the pseudo-customer's display name */
	const char *subject;
	const char *body;
	const char *url;         /* the link put in place of {link} */
	const char *attachment;  /* a named file in the body, or NULL */
	const char *red_flags[DRILL_MAX_FLAGS]; /* NULL-ended */
	const char *lesson_title;
	const char *lesson_text;
	const char *modelled_on;
};

/* The built-in templates (NULL-ended by id) and one by id (NULL when
 * unknown). */
const struct drill_template *drills_templates(size_t *n_out);
const struct drill_template *drills_template(const char *id);
/* The template's message text with {link} replaced (malloc'd; NULL on
 * failure). */
char *drills_template_body(const struct drill_template *t);
/* {title, text, red_flags} of a template (new reference; NULL on
 * failure). */
json_t *drills_lesson(const struct drill_template *t);

/* A campaign request: staff ids or a queue name (exactly one of them). */
struct drill_request {
	const char *template_id;
	const int64_t *staff;
	size_t n_staff;
	const char *queue;       /* NULL when staff is given */
	int64_t send_at;         /* 0: now */
};

/*
 * Schedules a campaign (supervisors and admins). Refusals:
 * -GH_FORBIDDEN (not a supervisor), -GH_UNKNOWN_TEMPLATE,
 * -GH_UNKNOWN_QUEUE, -GH_DRILL_NO_TARGETS (no staff, a staff id that is
 * not an active member, or an empty queue: *bad_field names the field),
 * -GH_DRILL_TOO_MANY_TARGETS, -GH_BAD_FIELD (send_at in the past by more
 * than a minute or beyond DRILL_AHEAD_DAYS_MAX), -GH_RATE_LIMITED (more
 * than [drills] campaigns_per_hour in the last hour). Audited
 * drill.schedule. Targets due already are delivered before it returns.
 */
int drills_schedule(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, const struct drill_request *q,
		    int64_t now, int64_t *id_out, const char **bad_field);

/*
 * Delivers the targets due at now (of staff_id only, when > 0; at most a
 * batch): each a drill ticket with its first message, audited
 * drill.delivered. 0 or an error (what was delivered stays).
 */
int drills_deliver_due(struct app *app, struct store_conn *c,
		       int64_t staff_id, int64_t now);

/* Supervisors' reads: campaigns (newest first), one campaign with its
 * targets, and the targets of every campaign (for stats). -GH_FORBIDDEN
 * for agents; -GH_NOT_FOUND for an unknown campaign. */
int drills_campaigns(struct store_conn *c, const struct tk_actor *a,
		     struct drill_campaign_list *out);
int drills_campaign(struct store_conn *c, const struct tk_actor *a,
		    int64_t id, struct drill_campaign *camp,
		    struct drill_target_list *targets);

/*
 * The statistics of every drill (supervisors): {agents: [...],
 * campaigns: [...], weeks: [...]}, each item with delivered, clicked,
 * reported, click_rate, report_rate (fractions of delivered, null
 * without deliveries) and median_report_seconds (null without reports);
 * weeks by the Monday (UTC) of their delivery, oldest first. New
 * reference in *out.
 */
int drills_stats(struct store_conn *c, const struct tk_actor *a,
		 json_t **out);

/* The target's view of its drill ticket: records "opened" the first time
 * the target reads it (audited drill.opened). Others' reads record
 * nothing. t is the ticket as the reader sees it. */
int drills_on_view(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const struct ticket_rec *t,
		   int64_t now);

/*
 * Opens link n (1-based) of customer message mid of ticket ticket_id.
 * A real link: *out {url} (the address as analysed), audited link.open.
 * A drill's link: the click recorded when a is the target (the first
 * one, audited drill.click), training "phishing-remedial" assigned, *out
 * {drill: true, lesson}. -GH_NOT_FOUND (ticket not visible, no such
 * message or link), -GH_QUARANTINED (the message was reported as
 * phishing; audited link.open denied).
 */
int drills_open_link(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, int64_t ticket_id, int64_t mid,
		     int64_t n, int64_t now, json_t **out);

/*
 * Opening attachment attachment_id from the console (before its
 * download). A drill's file: "attachment opened" recorded when a is the
 * target (the first time, audited drill.attachment_open), training
 * "phishing-remedial" assigned, *out {drill: true, lesson}; any other
 * file: *out {drill: false} (the download itself is audited where it
 * happens). -GH_NOT_FOUND when there is no such file or its ticket is not
 * visible to a; -GH_QUARANTINED for a quarantined file (as its download).
 */
int drills_open_attachment(struct app *app, struct store_conn *c,
			   const struct tk_actor *a, int64_t attachment_id,
			   int64_t now, json_t **out);

/*
 * Reports customer message mid of ticket ticket_id as phishing. On a
 * drill: "reported" recorded (a pass, audited drill.report), *out {drill:
 * true, message}. On a real message: flagged, its links quarantined, the
 * ticket's customer attachments quarantined, supervisors alerted, audited
 * phish.report; *out {drill: false, reported_at, attachments_quarantined}.
 * The message is flagged in both cases, so the two answer alike to the
 * reporter's later clicks (and the drill's files are quarantined too). -GH_NOT_FOUND (not visible, not a customer
 * message of the ticket), -GH_BAD_FIELD (note too long or not UTF-8),
 * -GH_DRILL_ALREADY_REPORTED (reported already).
 */
int drills_report(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t ticket_id, int64_t mid,
		  const char *note, int64_t now, json_t **out);

#endif
