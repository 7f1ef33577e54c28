/*
 * The one route table: method, path, listener, who may call it, body
 * limit, handler. Staff routes exist only on the staff listener, customer
 * routes only on the public one; a path absent from a listener is 404
 * there.
 */
#include "api/api.h"
#include "http/router.h"

#define KB 1024
/*
 * Routes taking up to 64 KiB of text (TICKET_BODY_MAX bytes): a client may
 * send every byte as a JSON \uXXXX escape (6 bytes for each byte of
 * ASCII, 6 for the 3 bytes of a CJK character, 12 for the 4 of a
 * supplementary one), so valid text needs up to 6 x 64 KiB on the wire;
 * 4 KiB more holds the subject (200 code points, at most 2400 bytes
 * escaped) and the envelope. Above this the answer is 413; within it the
 * text limit itself is checked after decoding (400, naming the limit).
 */
#define TEXT_BODY (6 * 64 * KB + 4 * KB)
#define PUB LISTEN_PUBLIC
#define STAFF LISTEN_STAFF

const struct route api_routes[] = {
	/* staff sessions */
	{"POST", "/api/v1/staff/session", STAFF, AUTH_NONE, 4 * KB,
	 api_staff_login, ROUTE_NO_CSRF_TOKEN},
	{"GET", "/api/v1/staff/session", STAFF, AUTH_AGENT, 0,
	 api_session_get, ROUTE_ALLOW_PW_CHANGE | ROUTE_ALLOW_PASSKEY_ENROL},
	{"DELETE", "/api/v1/staff/session", STAFF, AUTH_AGENT, 0,
	 api_session_delete, ROUTE_ALLOW_PW_CHANGE | ROUTE_ALLOW_PASSKEY_ENROL},
	/* customer sessions */
	{"POST", "/api/v1/portal/session", PUB, AUTH_NONE, 4 * KB,
	 api_portal_login, ROUTE_NO_CSRF_TOKEN},
	{"GET", "/api/v1/portal/session", PUB, AUTH_CUSTOMER, 0,
	 api_session_get, ROUTE_ALLOW_NO_MFA},
	{"DELETE", "/api/v1/portal/session", PUB, AUTH_CUSTOMER, 0,
	 api_session_delete, ROUTE_ALLOW_NO_MFA},
	/* authenticator enrolment of invited customers */
	{"POST", "/api/v1/portal/enrollment", PUB, AUTH_CUSTOMER, 0,
	 api_enroll_begin, ROUTE_ALLOW_NO_MFA},
	{"POST", "/api/v1/portal/enrollment/confirm", PUB, AUTH_CUSTOMER,
	 1 * KB, api_enroll_confirm, ROUTE_ALLOW_NO_MFA},
	/* customer tickets: texts of up to 64 KiB (see TEXT_BODY) */
	{"POST", "/api/v1/portal/tickets", PUB, AUTH_CUSTOMER, TEXT_BODY,
	 api_portal_tickets_create, 0},
	{"GET", "/api/v1/portal/tickets", PUB, AUTH_CUSTOMER, 0,
	 api_portal_tickets_list, 0},
	{"GET", "/api/v1/portal/tickets/{id}", PUB, AUTH_CUSTOMER, 0,
	 api_portal_tickets_get, 0},
	{"POST", "/api/v1/portal/tickets/{id}/messages", PUB, AUTH_CUSTOMER,
	 TEXT_BODY, api_portal_tickets_message, 0},
	{"GET", "/api/v1/portal/phrase", PUB, AUTH_CUSTOMER, 0,
	 api_portal_phrase_get, 0},
	{"PUT", "/api/v1/portal/phrase", PUB, AUTH_CUSTOMER, 1 * KB,
	 api_portal_phrase_put, 0},
	/* staff tickets */
	{"GET", "/api/v1/tickets", STAFF, AUTH_AGENT, 0, api_tickets_list, 0},
	{"GET", "/api/v1/tickets/{id}", STAFF, AUTH_AGENT, 0, api_tickets_get,
	 0},
	{"POST", "/api/v1/tickets/{id}/replies", STAFF, AUTH_AGENT, TEXT_BODY,
	 api_tickets_reply, 0},
	{"POST", "/api/v1/tickets/{id}/notes", STAFF, AUTH_AGENT, TEXT_BODY,
	 api_tickets_note, 0},
	{"POST", "/api/v1/tickets/{id}/assign", STAFF, AUTH_AGENT, 1 * KB,
	 api_tickets_assign, 0},
	{"POST", "/api/v1/tickets/{id}/status", STAFF, AUTH_AGENT, 1 * KB,
	 api_tickets_status, 0},
	/* priority and tags (issue 15) */
	{"POST", "/api/v1/tickets/{id}/priority", STAFF, AUTH_AGENT, 1 * KB,
	 api_tickets_priority, 0},
	{"POST", "/api/v1/tickets/{id}/tags", STAFF, AUTH_AGENT, 4 * KB,
	 api_tickets_tags, 0},
	/* moving a ticket to another queue: {queue} (api_tickets_move) */
	{"POST", "/api/v1/tickets/{id}/queue", STAFF, AUTH_SUPERVISOR, 1 * KB,
	 api_tickets_move, 0},
	/* replies held by the outbound check: {reason}, supervisors and
	 * admins other than the author (api_tickets_held_*) */
	{"POST", "/api/v1/tickets/{id}/held/{id}/release", STAFF,
	 AUTH_SUPERVISOR, 4 * KB, api_tickets_held_release, 0},
	{"POST", "/api/v1/tickets/{id}/held/{id}/discard", STAFF,
	 AUTH_SUPERVISOR, 4 * KB, api_tickets_held_discard, 0},
	/* attachments: the file base64 in JSON (4/3 of [attachments]
	 * max_bytes, at most 10 MiB, plus the envelope); the server's
	 * max_body_bytes caps it further */
	{"POST", "/api/v1/portal/tickets/{id}/attachments", PUB, AUTH_CUSTOMER,
	 14 * KB * KB, api_portal_attachments_upload, 0},
	{"GET", "/api/v1/portal/tickets/{id}/attachments", PUB, AUTH_CUSTOMER,
	 0, api_portal_attachments_list, 0},
	{"POST", "/api/v1/tickets/{id}/attachments", STAFF, AUTH_AGENT,
	 14 * KB * KB, api_tickets_attachments_upload, 0},
	{"GET", "/api/v1/tickets/{id}/attachments", STAFF, AUTH_AGENT, 0,
	 api_tickets_attachments_list, 0},
	{"GET", "/api/v1/attachments/{id}", STAFF, AUTH_AGENT, 0,
	 api_attachments_download, 0},
	{"POST", "/api/v1/attachments/{id}/release", STAFF, AUTH_ADMIN, 4 * KB,
	 api_attachments_release, 0},
	/* caller verification (api/verify.c) */
	{"POST", "/api/v1/tickets/{id}/verifications", STAFF, AUTH_AGENT,
	 1 * KB, api_verify_start, 0},
	{"GET", "/api/v1/verifications/{id}", STAFF, AUTH_AGENT, 0,
	 api_verify_get, 0},
	{"POST", "/api/v1/verifications/{id}/factors", STAFF, AUTH_AGENT,
	 1 * KB, api_verify_factor, 0},
	{"POST", "/api/v1/tickets/{id}/verification-lock/clear", STAFF,
	 AUTH_SUPERVISOR, 4 * KB, api_verify_lock_clear, 0},
	{"GET", "/api/v1/portal/verifications", PUB, AUTH_CUSTOMER, 0,
	 api_portal_verify_list, 0},
	{"POST", "/api/v1/portal/verifications/{id}/approve", PUB,
	 AUTH_CUSTOMER, 16 * KB, api_portal_verify_approve, 0},
	{"POST", "/api/v1/portal/verifications/{id}/deny", PUB, AUTH_CUSTOMER,
	 1 * KB, api_portal_verify_deny, 0},
	/* account changes under dual control (api/changes.c): supervisors
	 * and admins decide, with a reason of up to 500 characters (8 KiB
	 * holds it escaped); customers see and cancel their own */
	{"POST", "/api/v1/customers/{id}/changes", STAFF, AUTH_AGENT, 8 * KB,
	 api_changes_request, 0},
	{"GET", "/api/v1/changes", STAFF, AUTH_SUPERVISOR, 0, api_changes_list,
	 0},
	{"POST", "/api/v1/changes/{id}/approve", STAFF, AUTH_SUPERVISOR,
	 8 * KB, api_changes_approve, 0},
	{"POST", "/api/v1/changes/{id}/reject", STAFF, AUTH_SUPERVISOR, 8 * KB,
	 api_changes_reject, 0},
	{"GET", "/api/v1/portal/changes", PUB, AUTH_CUSTOMER, 0,
	 api_portal_changes_list, 0},
	{"POST", "/api/v1/portal/changes/{id}/cancel", PUB, AUTH_CUSTOMER,
	 1 * KB, api_portal_changes_cancel, 0},
	/* custom personal fields: {name, class} (api_admin_fields_*) */
	{"GET", "/api/v1/admin/fields", STAFF, AUTH_ADMIN, 0,
	 api_admin_fields_list, 0},
	{"POST", "/api/v1/admin/fields", STAFF, AUTH_ADMIN, 1 * KB,
	 api_admin_fields_create, 0},
	/* customer data: the masked view and the reveal; reveals per staff
	 * member and their locks (core/disclosure.h) */
	{"GET", "/api/v1/customers/{id}", STAFF, AUTH_AGENT, 0,
	 api_customers_get, 0},
	{"POST", "/api/v1/customers/{id}/reveal", STAFF, AUTH_AGENT, 8 * KB,
	 api_customers_reveal, 0},
	{"GET", "/api/v1/supervisor/reveals", STAFF, AUTH_SUPERVISOR, 0,
	 api_supervisor_reveals, 0},
	{"POST", "/api/v1/staff/{id}/reveal-lock/clear", STAFF,
	 AUTH_SUPERVISOR, 8 * KB, api_staff_reveal_lock_clear, 0},
	/* staff training (issue 11, part A; api/training.c): the module
	 * editor takes an ID.md of up to 64 KiB and a quiz of up to 32 KiB,
	 * each possibly \u-escaped (6 bytes a byte) */
	{"GET", "/api/v1/me/training", STAFF, AUTH_AGENT, 0, api_me_training,
	 0},
	{"GET", "/api/v1/training/{name}", STAFF, AUTH_AGENT, 0,
	 api_training_get, 0},
	{"POST", "/api/v1/training/{name}/attempts", STAFF, AUTH_AGENT,
	 16 * KB, api_training_attempt, 0},
	{"GET", "/api/v1/admin/training/{name}", STAFF, AUTH_ADMIN, 0,
	 api_admin_training_get, 0},
	{"PUT", "/api/v1/admin/training/{name}", STAFF, AUTH_ADMIN,
	 6 * 96 * KB + 4 * KB, api_admin_training_put, 0},
	{"GET", "/api/v1/supervisor/training", STAFF, AUTH_SUPERVISOR, 0,
	 api_supervisor_training, 0},
	/* part D, customer protection (api/contact.c): the contact policy
	 * (public, no session), contact codes, the security centre */
	{"GET", "/api/v1/portal/contact-policy", PUB, AUTH_NONE, 0,
	 api_portal_contact_policy, 0},
	{"POST", "/api/v1/portal/contact-codes/check", PUB, AUTH_CUSTOMER,
	 1 * KB, api_portal_contact_check, 0},
	{"GET", "/api/v1/portal/security", PUB, AUTH_CUSTOMER, 0,
	 api_portal_security, 0},
	{"POST", "/api/v1/tickets/{id}/contact-codes", STAFF, AUTH_AGENT,
	 1 * KB, api_tickets_contact_code, 0},
	/* part C (issue 11): sessions, logins and passwords of the caller
	 * (api/hygiene.c) */
	{"GET", "/api/v1/staff/sessions", STAFF, AUTH_AGENT, 0,
	 api_hyg_sessions, 0},
	{"DELETE", "/api/v1/staff/sessions/{id}", STAFF, AUTH_AGENT, 0,
	 api_hyg_session_end, 0},
	{"GET", "/api/v1/staff/logins", STAFF, AUTH_AGENT, 0, api_hyg_logins,
	 0},
	{"POST", "/api/v1/staff/password", STAFF, AUTH_AGENT, 4 * KB,
	 api_hyg_password_change, ROUTE_ALLOW_PW_CHANGE},
	/* forced change on evidence of compromise: {reason} of up to 500
	 * characters (8 KiB holds it escaped) */
	{"POST", "/api/v1/admin/staff/{id}/force-password-change", STAFF,
	 AUTH_ADMIN, 8 * KB, api_hyg_password_force, 0},
	{"GET", "/api/v1/portal/sessions", PUB, AUTH_CUSTOMER, 0,
	 api_hyg_sessions, 0},
	{"DELETE", "/api/v1/portal/sessions/{id}", PUB, AUTH_CUSTOMER, 0,
	 api_hyg_session_end, 0},
	{"GET", "/api/v1/portal/logins", PUB, AUTH_CUSTOMER, 0,
	 api_hyg_logins, 0},
	/* phishing drills and reports (issue 11, part B; api/drills.c) */
	{"POST", "/api/v1/drills", STAFF, AUTH_SUPERVISOR, 8 * KB,
	 api_drills_create, 0},
	{"GET", "/api/v1/drills", STAFF, AUTH_SUPERVISOR, 0, api_drills_list,
	 0},
	{"GET", "/api/v1/drills/stats", STAFF, AUTH_SUPERVISOR, 0,
	 api_drills_stats, 0},
	{"GET", "/api/v1/drills/templates", STAFF, AUTH_SUPERVISOR, 0,
	 api_drills_templates, 0},
	{"GET", "/api/v1/drills/{id}", STAFF, AUTH_SUPERVISOR, 0,
	 api_drills_get, 0},
	{"POST", "/api/v1/tickets/{id}/messages/{id}/links/{id}/open", STAFF,
	 AUTH_AGENT, 1 * KB, api_link_open, 0},
	{"POST", "/api/v1/tickets/{id}/messages/{id}/report-phishing", STAFF,
	 AUTH_AGENT, 4 * KB, api_report_phishing, 0},
	{"POST", "/api/v1/attachments/{id}/open", STAFF, AUTH_AGENT, 1 * KB,
	 api_attachment_open, 0},
	/* issue 15, part SUPER: bulk changes (agents: status, priority and
	 * tags of their own tickets; core/bulk.h), staff and queues
	 * (supervisors read, admins change; api/staffadmin.c) */
	{"POST", "/api/v1/tickets/bulk", STAFF, AUTH_AGENT, 32 * KB,
	 api_tickets_bulk, 0},
	{"GET", "/api/v1/admin/staff", STAFF, AUTH_SUPERVISOR, 0,
	 api_admin_staff_list, 0},
	{"POST", "/api/v1/admin/staff/{id}/disable", STAFF, AUTH_ADMIN, 1 * KB,
	 api_admin_staff_disable, 0},
	{"POST", "/api/v1/admin/staff/{id}/enable", STAFF, AUTH_ADMIN, 1 * KB,
	 api_admin_staff_enable, 0},
	{"PUT", "/api/v1/admin/staff/{id}/queues", STAFF, AUTH_ADMIN, 8 * KB,
	 api_admin_staff_queues, 0},
	{"GET", "/api/v1/admin/queues", STAFF, AUTH_SUPERVISOR, 0,
	 api_admin_queues_list, 0},
	{"POST", "/api/v1/admin/queues", STAFF, AUTH_ADMIN, 1 * KB,
	 api_admin_queues_create, 0},
	/* canned replies (issue 15, part MACROS; api/macros.c) */
	{"GET", "/api/v1/macros", STAFF, AUTH_AGENT, 0, api_macros_list, 0},
	{"POST", "/api/v1/macros", STAFF, AUTH_AGENT, TEXT_BODY,
	 api_macros_create, 0},
	{"PUT", "/api/v1/macros/{id}", STAFF, AUTH_AGENT, TEXT_BODY,
	 api_macros_update, 0},
	{"DELETE", "/api/v1/macros/{id}", STAFF, AUTH_AGENT, 0,
	 api_macros_delete, 0},
	{"GET", "/api/v1/tickets/{id}/macros/{id}/preview", STAFF, AUTH_AGENT, 0,
	 api_macros_preview, 0},
	{"POST", "/api/v1/tickets/{id}/macros/{id}/apply", STAFF, AUTH_AGENT,
	 1 * KB, api_macros_apply, 0},
	/* issue 15, part SEARCH (api/search.c): saved views {name,
	 * filters, queue}; the search itself is GET /tickets?q=... */
	{"GET", "/api/v1/views", STAFF, AUTH_AGENT, 0, api_views_list, 0},
	{"POST", "/api/v1/views", STAFF, AUTH_AGENT, 8 * KB, api_views_create,
	 0},
	{"GET", "/api/v1/views/counts", STAFF, AUTH_AGENT, 0,
	 api_views_counts, 0},
	{"PUT", "/api/v1/views/{id}", STAFF, AUTH_AGENT, 8 * KB,
	 api_views_update, 0},
	{"DELETE", "/api/v1/views/{id}", STAFF, AUTH_AGENT, 0,
	 api_views_delete, 0},
	/* SLA: calendars, queue policies, the report (issue 15 SLA;
	 * api/sla.c); a calendar of 200 holidays fits 8 KiB */
	{"GET", "/api/v1/calendars", STAFF, AUTH_AGENT, 0,
	 api_sla_calendars_list, 0},
	{"POST", "/api/v1/calendars", STAFF, AUTH_SUPERVISOR, 8 * KB,
	 api_sla_calendar_create, 0},
	{"GET", "/api/v1/calendars/{name}", STAFF, AUTH_AGENT, 0,
	 api_sla_calendar_get, 0},
	{"PUT", "/api/v1/calendars/{name}", STAFF, AUTH_SUPERVISOR, 8 * KB,
	 api_sla_calendar_put, 0},
	{"DELETE", "/api/v1/calendars/{name}", STAFF, AUTH_SUPERVISOR, 0,
	 api_sla_calendar_delete, 0},
	{"GET", "/api/v1/queues/{name}/sla", STAFF, AUTH_AGENT, 0,
	 api_sla_policy_get, 0},
	{"PUT", "/api/v1/queues/{name}/sla", STAFF, AUTH_SUPERVISOR, 2 * KB,
	 api_sla_policy_put, 0},
	{"DELETE", "/api/v1/queues/{name}/sla", STAFF, AUTH_SUPERVISOR, 0,
	 api_sla_policy_delete, 0},
	{"GET", "/api/v1/supervisor/sla", STAFF, AUTH_SUPERVISOR, 0,
	 api_sla_report, 0},
	/* issue 15 SELF: customer self-service (api/portal_self.c) */
	{"POST", "/api/v1/portal/password", PUB, AUTH_CUSTOMER, 4 * KB,
	 api_portal_password_change, 0},
	{"GET", "/api/v1/portal/recovery-codes", PUB, AUTH_CUSTOMER, 0,
	 api_portal_recovery_get, 0},
	{"POST", "/api/v1/portal/recovery-codes", PUB, AUTH_CUSTOMER, 4 * KB,
	 api_portal_recovery_new, 0},
	{"POST", "/api/v1/portal/sessions/end-others", PUB, AUTH_CUSTOMER,
	 1 * KB, api_portal_sessions_end_others, 0},
	{"POST", "/api/v1/portal/password/forgot", PUB, AUTH_NONE, 1 * KB,
	 api_portal_password_forgot, ROUTE_NO_CSRF_TOKEN},
	{"POST", "/api/v1/portal/password/reset", PUB, AUTH_NONE, 4 * KB,
	 api_portal_password_reset, ROUTE_NO_CSRF_TOKEN},
	{"POST", "/api/v1/portal/tickets/{id}/solve", PUB, AUTH_CUSTOMER,
	 1 * KB, api_portal_ticket_solve, 0},
	{"GET", "/api/v1/portal/signup", PUB, AUTH_NONE, 0,
	 api_portal_signup_get, 0},
	{"POST", "/api/v1/portal/signup", PUB, AUTH_NONE, 1 * KB,
	 api_portal_signup, ROUTE_NO_CSRF_TOKEN},
	{"POST", "/api/v1/portal/signup/confirm", PUB, AUTH_NONE, 4 * KB,
	 api_portal_signup_confirm, ROUTE_NO_CSRF_TOKEN},
	/* live updates (issue 15, part LIVE): event streams, presence */
	{"GET", "/api/v1/events", STAFF, AUTH_AGENT, 0, api_events, 0},
	{"GET", "/api/v1/portal/events", PUB, AUTH_CUSTOMER, 0,
	 api_portal_events, 0},
	{"POST", "/api/v1/tickets/{id}/typing", STAFF, AUTH_AGENT, 0,
	 api_tickets_typing, 0},
	/* issue 17: passkeys (api/passkeys.c); an enrol-only staff session
	 * (http/security.c) may list and register, nothing more */
	{"POST", "/api/v1/staff/passkeys/options", STAFF, AUTH_AGENT, 1 * KB,
	 api_passkey_options, ROUTE_ALLOW_PASSKEY_ENROL},
	{"POST", "/api/v1/staff/passkeys", STAFF, AUTH_AGENT, 32 * KB,
	 api_passkey_register, ROUTE_ALLOW_PASSKEY_ENROL},
	{"GET", "/api/v1/staff/passkeys", STAFF, AUTH_AGENT, 0,
	 api_passkey_list, ROUTE_ALLOW_PASSKEY_ENROL},
	{"PUT", "/api/v1/staff/passkeys/{id}", STAFF, AUTH_AGENT, 1 * KB,
	 api_passkey_rename, 0},
	{"DELETE", "/api/v1/staff/passkeys/{id}", STAFF, AUTH_AGENT, 0,
	 api_passkey_delete, 0},
	{"POST", "/api/v1/staff/session/passkey/options", STAFF, AUTH_NONE,
	 1 * KB, api_passkey_login_options, ROUTE_NO_CSRF_TOKEN},
	{"POST", "/api/v1/staff/session/passkey", STAFF, AUTH_NONE, 16 * KB,
	 api_passkey_login, ROUTE_NO_CSRF_TOKEN},
	{"POST", "/api/v1/portal/passkeys/options", PUB, AUTH_CUSTOMER, 1 * KB,
	 api_passkey_options, 0},
	{"POST", "/api/v1/portal/passkeys", PUB, AUTH_CUSTOMER, 32 * KB,
	 api_passkey_register, 0},
	{"GET", "/api/v1/portal/passkeys", PUB, AUTH_CUSTOMER, 0,
	 api_passkey_list, 0},
	{"PUT", "/api/v1/portal/passkeys/{id}", PUB, AUTH_CUSTOMER, 1 * KB,
	 api_passkey_rename, 0},
	{"DELETE", "/api/v1/portal/passkeys/{id}", PUB, AUTH_CUSTOMER, 0,
	 api_passkey_delete, 0},
	{"POST", "/api/v1/portal/session/passkey/options", PUB, AUTH_NONE,
	 1 * KB, api_passkey_login_options, ROUTE_NO_CSRF_TOKEN},
	{"POST", "/api/v1/portal/session/passkey", PUB, AUTH_NONE, 16 * KB,
	 api_passkey_login, ROUTE_NO_CSRF_TOKEN},
	/* issue 17 GATE: losing a passkey (a reset by two admins), the staff
	 * page's passkeys, a passkey approval of a verification
	 * (api/passkey_gate.c) */
	{"GET", "/api/v1/admin/staff/{id}/passkeys", STAFF, AUTH_SUPERVISOR,
	 0, api_admin_staff_passkeys, 0},
	{"POST", "/api/v1/admin/staff/{id}/passkeys/reset", STAFF, AUTH_ADMIN,
	 8 * KB, api_admin_passkey_reset_request, 0},
	{"GET", "/api/v1/admin/passkey-resets", STAFF, AUTH_ADMIN, 0,
	 api_admin_passkey_resets_list, 0},
	{"POST", "/api/v1/admin/passkey-resets/{id}/approve", STAFF,
	 AUTH_ADMIN, 8 * KB, api_admin_passkey_reset_approve, 0},
	{"POST", "/api/v1/admin/passkey-resets/{id}/deny", STAFF, AUTH_ADMIN,
	 8 * KB, api_admin_passkey_reset_deny, 0},
	{"POST", "/api/v1/portal/verifications/{id}/passkey/options", PUB,
	 AUTH_CUSTOMER, 1 * KB, api_portal_verify_passkey_options, 0},
	{NULL, NULL, 0, AUTH_NONE, 0, NULL, 0},
};
