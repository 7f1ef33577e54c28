/*
 * Handlers of the HTTP API, one file per resource. Each parses its
 * declared fields, calls one core function and maps the result to a reply.
 * The route table that names them is api/routes.c; what handlers share
 * (actor, paging, parsing, replies) is api/common.h.
 */
#ifndef GH_API_API_H
#define GH_API_API_H

#include "http/request.h"

/* session.c */
int api_staff_login(struct request *r);
int api_portal_login(struct request *r);
int api_session_get(struct request *r);
int api_session_delete(struct request *r);
int api_enroll_begin(struct request *r);
int api_enroll_confirm(struct request *r);

/* tickets.c (staff) */
int api_tickets_list(struct request *r);
int api_tickets_get(struct request *r);
int api_tickets_reply(struct request *r);
int api_tickets_note(struct request *r);
int api_tickets_assign(struct request *r);
int api_tickets_status(struct request *r);
int api_tickets_priority(struct request *r);
int api_tickets_tags(struct request *r);
/* POST /tickets/{id}/queue {queue}: supervisors and admins. */
int api_tickets_move(struct request *r);
/* Replies held by the outbound check: POST
 * /tickets/{id}/held/{hid}/release and .../discard {reason}, supervisors
 * and admins other than the reply's author. */
int api_tickets_held_release(struct request *r);
int api_tickets_held_discard(struct request *r);

/* search.c: search and saved views (issue 15, part SEARCH). 1 when
 * GET /tickets has an argument of the search (free text or a filter the
 * plain work list does not take); api_tickets_search answers it, and
 * api_portal_search the portal's list with q. GET/POST /views, PUT and
 * DELETE /views/{id}, GET /views/counts. */
int api_search_requested(struct request *r);
int api_tickets_search(struct request *r);
int api_portal_search(struct request *r);
int api_views_list(struct request *r);
int api_views_create(struct request *r);
int api_views_update(struct request *r);
int api_views_delete(struct request *r);
int api_views_counts(struct request *r);

/* portal.c (customer) */
int api_portal_tickets_create(struct request *r);
int api_portal_tickets_list(struct request *r);
int api_portal_tickets_get(struct request *r);
int api_portal_tickets_message(struct request *r);
int api_portal_phrase_put(struct request *r);
int api_portal_phrase_get(struct request *r);

/* attachments.c (customer and staff) */
int api_portal_attachments_upload(struct request *r);
int api_portal_attachments_list(struct request *r);
int api_tickets_attachments_upload(struct request *r);
int api_tickets_attachments_list(struct request *r);
int api_attachments_download(struct request *r);
int api_attachments_release(struct request *r);

/* verify.c: caller verification (core/verify.h). Staff: POST
 * /tickets/{id}/verifications, GET /verifications/{id}, POST
 * /verifications/{id}/factors {method, code?}, POST
 * /tickets/{id}/verification-lock/clear {reason} (supervisors). Customer:
 * GET /portal/verifications, POST /portal/verifications/{id}/approve
 * {number} and .../deny. */
int api_verify_start(struct request *r);
int api_verify_get(struct request *r);
int api_verify_factor(struct request *r);
int api_verify_lock_clear(struct request *r);
int api_portal_verify_list(struct request *r);
int api_portal_verify_approve(struct request *r);
int api_portal_verify_deny(struct request *r);
/* changes.c: account changes under dual control (core/changes.h). Staff:
 * POST /customers/{id}/changes {kind, value?, reason, verification}
 * (agents with a level-2 verification), GET /changes (supervisors), POST
 * /changes/{id}/approve and /reject {reason} (supervisors and admins;
 * approval not by the requester). Customer: GET /portal/changes, POST
 * /portal/changes/{id}/cancel. */
int api_changes_request(struct request *r);
int api_changes_list(struct request *r);
int api_changes_approve(struct request *r);
int api_changes_reject(struct request *r);
int api_portal_changes_list(struct request *r);
int api_portal_changes_cancel(struct request *r);
/* fields.c (admin): GET and POST /admin/fields {name, class}. */
int api_admin_fields_list(struct request *r);
int api_admin_fields_create(struct request *r);
/* customers.c (staff): GET /customers/{id}, the masked view;
 * POST /customers/{id}/reveal {field, reason, verification}; for
 * supervisors and admins GET /supervisor/reveals?hours=N and
 * POST /staff/{id}/reveal-lock/clear {reason}. */
int api_customers_get(struct request *r);
int api_customers_reveal(struct request *r);
int api_supervisor_reveals(struct request *r);
int api_staff_reveal_lock_clear(struct request *r);
/* contact.c: customer protection (issue 11 part D, core/contact.h).
 * Public: GET /portal/contact-policy (no session), POST
 * /portal/contact-codes/check {code}, GET /portal/security. Staff: POST
 * /tickets/{id}/contact-codes. */
int api_portal_contact_policy(struct request *r);
int api_portal_contact_check(struct request *r);
int api_portal_security(struct request *r);
int api_tickets_contact_code(struct request *r);

/* training.c (issue 11, part A: core/training.h). Staff: GET
 * /me/training, GET /training/{module} (content and quiz without the
 * answers), POST /training/{module}/attempts {answers}; admins: GET and
 * PUT /admin/training/{module} {markdown, quiz}; supervisors: GET
 * /supervisor/training. */
int api_me_training(struct request *r);
int api_training_get(struct request *r);
int api_training_attempt(struct request *r);
int api_admin_training_get(struct request *r);
int api_admin_training_put(struct request *r);
int api_supervisor_training(struct request *r);
/* rc, and when it is -GH_TRAINING_REQUIRED the error body gets the
 * modules the caller lacks ({"modules": [{id, title, status}]}). */
int api_training_refused(struct request *r, int rc);
/* hygiene.c (issue 11 part C): the caller's sessions and logins on both
 * listeners. GET /staff/sessions, /portal/sessions; DELETE
 * .../sessions/{id} (204; own sessions only); GET /staff/logins,
 * /portal/logins. */
int api_hyg_sessions(struct request *r);
int api_hyg_session_end(struct request *r);
int api_hyg_logins(struct request *r);
/* POST /staff/password {current, new}: the staff member's own change
 * (open to a session held to a change); POST
 * /admin/staff/{id}/force-password-change {reason} (admins). */
int api_hyg_password_change(struct request *r);
int api_hyg_password_force(struct request *r);
/* Not a handler: adds the staff member's password state to body (the
 * login and GET /staff/session replies): password_change_required,
 * password_change_reason ("forced", "expired" or null),
 * password_changed_at, password_expires_at (null: no maximum age). */
int api_hyg_password_fields(struct request *r, int64_t staff_id,
			    json_t *body);
/* drills.c (issue 11, part B): phishing drills for supervisors
 * (POST/GET /drills, GET /drills/{id}, /drills/stats, /drills/templates),
 * and for staff opening a customer message's link
 * (POST /tickets/{id}/messages/{mid}/links/{n}/open) and reporting it
 * (POST /tickets/{id}/messages/{mid}/report-phishing {note?}). */
int api_drills_create(struct request *r);
int api_drills_list(struct request *r);
int api_drills_get(struct request *r);
int api_drills_stats(struct request *r);
int api_drills_templates(struct request *r);
int api_link_open(struct request *r);
int api_report_phishing(struct request *r);
/* POST /attachments/{id}/open: before the console downloads a file. */
int api_attachment_open(struct request *r);
/* sla.c (issue 15, part SLA): GET /calendars, /calendars/{name},
 * /queues/{name}/sla (staff); POST /calendars, PUT and DELETE
 * /calendars/{name} and /queues/{name}/sla, GET /supervisor/sla
 * (supervisors and admins). */
int api_sla_calendars_list(struct request *r);
int api_sla_calendar_create(struct request *r);
int api_sla_calendar_get(struct request *r);
int api_sla_calendar_put(struct request *r);
int api_sla_calendar_delete(struct request *r);
int api_sla_policy_get(struct request *r);
int api_sla_policy_put(struct request *r);
int api_sla_policy_delete(struct request *r);
int api_sla_report(struct request *r);

/* bulk.c (issue 15, part SUPER): POST /tickets/bulk {ids, assign?,
 * status?, priority?, tags?: {add, remove}, queue?} (core/bulk.h). */
int api_tickets_bulk(struct request *r);

/* staffadmin.c (issue 15, part SUPER): GET /admin/staff[?queue=],
 * POST /admin/staff/{id}/disable|enable, PUT /admin/staff/{id}/queues,
 * GET and POST /admin/queues (core/staffadmin.h). */
int api_admin_staff_list(struct request *r);
int api_admin_staff_disable(struct request *r);
int api_admin_staff_enable(struct request *r);
int api_admin_staff_queues(struct request *r);
int api_admin_queues_list(struct request *r);
int api_admin_queues_create(struct request *r);
/* macros.c (issue 15, part MACROS): canned replies. GET/POST /macros,
 * PUT/DELETE /macros/{id}, GET /tickets/{id}/macros/{mid}/preview,
 * POST /tickets/{id}/macros/{mid}/apply. */
int api_macros_list(struct request *r);
int api_macros_create(struct request *r);
int api_macros_update(struct request *r);
int api_macros_delete(struct request *r);
int api_macros_preview(struct request *r);
int api_macros_apply(struct request *r);
/* portal_self.c (issue 15, part SELF): customer self-service.
 * POST /portal/password {current, totp | recovery_code, new};
 * GET/POST /portal/recovery-codes (POST {password, totp}: ten new ones);
 * POST /portal/sessions/end-others; POST /portal/password/forgot {email}
 * and /portal/password/reset {token, totp | recovery_code, new} (no
 * session); POST /portal/tickets/{id}/solve. */
int api_portal_password_change(struct request *r);
int api_portal_recovery_get(struct request *r);
int api_portal_recovery_new(struct request *r);
int api_portal_sessions_end_others(struct request *r);
int api_portal_password_forgot(struct request *r);
int api_portal_password_reset(struct request *r);
int api_portal_ticket_solve(struct request *r);
/* GET /portal/signup: {open}; POST /portal/signup {email} and
 * /portal/signup/confirm {token, email, name, password}: 404 unless
 * [portal] signup = on. */
int api_portal_signup_get(struct request *r);
int api_portal_signup(struct request *r);
int api_portal_signup_confirm(struct request *r);
/* events.c (issue 15, part LIVE): GET /events (staff) and GET
 * /portal/events (customers): text/event-stream of ids and kinds, resumed
 * after Last-Event-ID; POST /tickets/{id}/typing (presence). */
int api_events(struct request *r);
int api_portal_events(struct request *r);
int api_tickets_typing(struct request *r);
struct tk_actor;
/* Not handlers: sets "unread" on each ticket (objects with "id") of the
 * work list arr for staff member a; marks ticket_id seen by a (the staff
 * view). Best effort: a failure is logged, the reply stands. */
void api_events_unread(struct request *r, const struct tk_actor *a,
		       json_t *arr);
void api_events_seen(struct request *r, const struct tk_actor *a,
		     int64_t ticket_id);
/* passkeys.c (issue 17, part SERVER): on both listeners ({P} = /staff
 * or /portal): POST {P}/passkeys/options, POST {P}/passkeys, GET
 * {P}/passkeys, PUT and DELETE {P}/passkeys/{id}; POST
 * {P}/session/passkey/options and POST {P}/session/passkey (login). */
int api_passkey_options(struct request *r);
int api_passkey_register(struct request *r);
int api_passkey_list(struct request *r);
int api_passkey_rename(struct request *r);
int api_passkey_delete(struct request *r);
int api_passkey_login_options(struct request *r);
int api_passkey_login(struct request *r);

/* passkey_gate.c (issue 17 GATE): a staff member's passkeys for
 * supervisors; passkey resets under dual control (admins); the options of
 * a customer's passkey approval of a verification. */
int api_admin_staff_passkeys(struct request *r);
int api_admin_passkey_reset_request(struct request *r);
int api_admin_passkey_resets_list(struct request *r);
int api_admin_passkey_reset_approve(struct request *r);
int api_admin_passkey_reset_deny(struct request *r);
int api_portal_verify_passkey_options(struct request *r);

#endif
