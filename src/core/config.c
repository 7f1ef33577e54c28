/*
 * Configuration table and INI loading. The table below is the single list
 * of settings, their defaults and their bounds; docs/configuration.md
 * describes the same keys. Values outside the bounds, and strings longer
 * than their field, are errors, never clamped or truncated. Derived
 * fields (networks, the origins each listener accepts) are rebuilt from
 * scratch by every config_validate, so they always match the fields they
 * come from.
 */
#include "core/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/config_int.h"
#include "core/dlp/dlp.h"
#include "store/store.h"
#include "util/inifile.h"

enum opt_type { OPT_INT, OPT_STR };

struct opt {
	const char *section;
	const char *key;
	enum opt_type type;
	size_t offset;
	size_t size;
	const char *def;
	int64_t min, max;
	const char *doc;
};

#define FIELD_SIZE(field) sizeof(((struct config *)0)->field)
#define I(sec, k, field, d, lo, hi, doc)                                     \
	{sec, k, OPT_INT, offsetof(struct config, field), FIELD_SIZE(field), \
	 d, lo, hi, doc}
#define S(sec, k, field, d, doc)                                             \
	{sec, k, OPT_STR, offsetof(struct config, field), FIELD_SIZE(field), \
	 d, 0, 0, doc}

static const struct opt opts[] = {
	S("server", "listen", listen, "127.0.0.1:8443",
	  "public listener (customer portal and API)"),
	S("server", "staff_listen", staff_listen, "127.0.0.1:9443",
	  "staff listener (agent console and staff API)"),
	S("server", "staff_networks", staff_networks_text,
	  "127.0.0.0/8, ::1/128",
	  "comma-separated CIDR ranges allowed on the staff listener"),
	S("server", "public_origin", public_origin, "",
	  "origin of the portal as browsers see it; default from listen"),
	S("server", "staff_origin", staff_origin, "",
	  "origin of the console as browsers see it; default from staff_listen"),
	S("server", "origins", origins_text, "",
	  "more origins browsers may use, on both listeners (comma-separated "
	  "https://HOST or https://HOST:PORT); each listener always accepts "
	  "its own origin, its listen address and localhost"),
	S("server", "tls_cert", tls_cert, "tls.crt", "PEM certificate chain"),
	S("server", "tls_key", tls_key, "tls.key", "PEM private key"),
	I("server", "max_connections", max_connections, "20000", 4, 200000,
	  "connections per listener (the open-file limit is raised to fit "
	  "both listeners at start; if it cannot be, fewer are taken and a "
	  "warning is logged)"),
	I("server", "per_ip_connections", per_ip_connections, "64", 1, 4096,
	  "connections per client address"),
	I("server", "connection_timeout", connection_timeout, "30", 5, 300,
	  "seconds of inactivity before a connection is closed"),
	I("server", "max_body_bytes", max_body_bytes, "8388608", 397312,
	  16777216, "largest request body any route accepts; at least "
	  "388 KiB: a 64 KiB message sent as JSON \\u escapes"),
	S("database", "url", database_url, "sqlite:gatehouse.db",
	  "sqlite:PATH (relative to the data directory) or "
	  "postgresql://USER@HOST:PORT/DB?sslmode=verify-full"),
	I("database", "connections", db_connections, "16", 1, 64,
	  "pool size"),
	S("database", "password_file", database_password_file, "",
	  "file holding the PostgreSQL password (relative to the data "
	  "directory); empty: libpq's PGPASSFILE or ~/.pgpass. Never put a "
	  "password in url"),
	I("security", "password_min_length", password_min_length, "12", 12,
	  256, "minimum password length in characters"),
	I("security", "password_min_entropy_bits", password_min_entropy_bits,
	  "30", 0, 128, "zxcvbn guessability floor (log2 guesses)"),
	I("security", "argon2_ops", argon2_ops, "2", 2, 10,
	  "argon2id passes"),
	I("security", "argon2_mem_mib", argon2_mem_mib, "19", 19, 4096,
	  "argon2id memory in MiB"),
	I("security", "staff_idle_seconds", staff_idle_seconds, "900", 60, 900,
	  "staff session idle timeout"),
	I("security", "staff_absolute_seconds", staff_absolute_seconds,
	  "28800", 300, 28800, "staff session absolute timeout"),
	I("security", "customer_idle_seconds", customer_idle_seconds, "1800",
	  60, 1800, "customer session idle timeout"),
	I("security", "customer_absolute_seconds", customer_absolute_seconds,
	  "86400", 300, 86400, "customer session absolute timeout"),
	I("security", "login_free_failures", login_free_failures, "5", 1, 10,
	  "failed logins per account before delays start"),
	I("security", "login_max_failures", login_max_failures, "100", 3, 100,
	  "consecutive failed logins that lock an account"),
	I("security", "login_ip_free_failures", login_ip_free_failures, "30",
	  1, 1000, "failed logins per source address before delays start"),
	I("security", "login_delay_base_seconds", login_delay_base_seconds, "2",
	  1, 60, "first delay; doubles with each further failure"),
	I("security", "login_delay_max_seconds", login_delay_max_seconds,
	  "900", 60, 86400, "longest delay between attempts"),
	/* account hygiene (issue 11 part C) */
	I("security", "password_max_age_days", password_max_age_days, "0", 0,
	  3650, "days after which a staff password must be changed; 0: "
	  "never (NIST SP 800-63B: only on evidence of compromise)"),
	S("security", "password_blocklist_file", password_blocklist_file, "",
	  "extra blocked passwords, one a line (relative to the data "
	  "directory); empty: the shipped list only"),
	I("security", "notify_new_network", notify_new_network, "1", 0, 1,
	  "mail a staff member or customer when they log in from a network "
	  "none of their earlier logins came from"),
	S("company", "name", company_name, "Gatehouse",
	  "company name shown to customers"),
	S("company", "portal_url", portal_url, "",
	  "portal address put in notifications; default public_origin"),
	S("company", "domains", company_domains, "",
	  "the company's own domains, for lookalike checks (comma-separated, "
	  "at most 256)"),
	S("company", "phones", company_phones, "",
	  "the company's own phone numbers, allowed in replies "
	  "(comma-separated, at most 32, each 7 to 15 digits)"),
	S("phish", "top_domains_file", phish_top_domains_file, "",
	  "top domains whose lookalikes the IDN check flags, one a line "
	  "(relative to the data directory); empty: the built-in 4,989"),
	S("mail", "smtp_url", smtp_url, "",
	  "smtps://host:465 or smtp://host:587 (STARTTLS required); empty: outbox"),
	S("mail", "smtp_ca_file", smtp_ca_file, "",
	  "PEM file of the CAs trusted for the relay's certificate (a private "
	  "CA); empty: the system's; the certificate is always verified"),
	S("mail", "from", mail_from, "no-reply@localhost",
	  "sender address of notifications"),
	I("attachments", "max_bytes", attach_max_bytes, "5242880", 1024,
	  10485760, "largest attachment in bytes (sent base64: 4/3 of it "
	  "must fit [server] max_body_bytes)"),
	I("attachments", "har_retention_days", attach_har_retention_days, "30",
	  1, 365, "days a (redacted) HAR file is kept before it is deleted"),
	S("attachments", "clamd_socket", attach_clamd_socket, "",
	  "clamd for INSTREAM scans: a Unix socket path or tcp:HOST:PORT; "
	  "empty: no virus scan"),
	I("disclosure", "verification_minutes", verification_minutes, "15", 1,
	  15, "minutes a caller's identity verification lasts (may only "
	  "shorten the compiled-in 15)"),
	I("disclosure", "cooling_off_hours", cooling_off_hours, "24", 24, 168,
	  "hours between the approval of an account change (e-mail, phone, "
	  "authenticator reset, account number) and its application, while "
	  "the customer can cancel it"),
	I("disclosure", "reveals_per_hour", reveals_per_hour, "20", 1, 20,
	  "reveals of customers' personal values one staff member may make "
	  "in an hour; the next one locks their reveals until a supervisor "
	  "clears the lock"),
	I("disclosure", "reveal_hide_seconds", reveal_hide_seconds, "60", 10,
	  60, "seconds the console shows a revealed value before hiding it"),
	I("training", "validity_months", training_validity_months, "12", 1,
	  120, "months a passed training module stays current, for modules "
	  "that set no validity of their own"),
	S("training", "required", training_required, "all",
	  "modules staff must hold to verify customers and reveal data: "
	  "`all` (every module marked required) or a comma list of ids"),
	/* [drills] (part B: phishing drills) */
	I("drills", "max_targets", drill_max_targets, "50", 1, 500,
	  "staff members one phishing-drill campaign may target"),
	I("drills", "campaigns_per_hour", drill_campaigns_per_hour, "10", 1,
	  100, "phishing-drill campaigns that may be scheduled in an hour, "
	  "by all supervisors together"),
	/* [supervisor]: the supervisor's console (issue 15, part SUPER) */
	I("supervisor", "bulk_max", bulk_max, "100", 1, 500,
	  "tickets one bulk change (POST /api/v1/tickets/bulk) may name"),
	/* [contact]: customer protection (issue 11 part D); lists are
	 * separated by "|" */
	S("contact", "channels", contact_channels,
	  "E-mail: only to tell you a secure message waits in the portal | "
	  "Phone: only when you asked us to call, or to answer your call | "
	  "Portal: every message and document from us",
	  "the channels the company uses, \"Name: what for\" each, "
	  "separated by \"|\""),
	S("contact", "phone", contact_phone, "",
	  "the support phone number customers can call back; empty: the "
	  "policy tells them to use the number on their contract or card"),
	S("contact", "never_ask", contact_never_ask,
	  "your password | your authenticator or one-time codes | your full "
	  "card number, PIN or security code | remote access to your "
	  "computer | to move money to another account",
	  "what the company never asks for, separated by \"|\""),
	S("contact", "in_doubt", contact_in_doubt,
	  "Hang up or do not answer, then call us back on the number on "
	  "this page | Ask the caller for a contact code and check it under "
	  "\"Is this really us?\" in the portal | Never share passwords or "
	  "codes, whoever asks",
	  "what to do when in doubt, separated by \"|\""),
	I("contact", "code_minutes", contact_code_minutes, "10", 1, 30,
	  "minutes a contact code an agent gives a customer stays valid"),
	I("contact", "checks_per_hour", contact_checks_per_hour, "10", 1, 60,
	  "contact codes one customer may check in an hour"),
	I("contact", "codes_per_hour", contact_codes_per_hour, "20", 1, 100,
	  "contact codes one staff member may give in an hour"),
	/* [quotas] (issue 14, part QUOTAS; core/quota.h): the bounds are
	 * the compiled floors and ceilings */
	I("quotas", "tickets_per_hour", quota_tickets_per_hour, "30", 3, 1000,
	  "tickets one customer may open in an hour"),
	I("quotas", "messages_per_minute", quota_messages_per_minute, "30", 5,
	  600, "messages one customer may write in a minute"),
	I("quotas", "attachment_bytes_per_day", quota_attachment_bytes_per_day,
	  "209715200", 10485760, 68719476736,
	  "bytes of attachments one customer may upload in a day"),
	I("quotas", "stored_bytes", quota_stored_bytes, "2147483648",
	  67108864, 1099511627776,
	  "bytes of messages and attachments one customer may store"),
	I("quotas", "address_tickets_per_hour", quota_address_tickets_per_hour,
	  "60", 3, 10000, "tickets customers may open from one address "
	  "(IPv6: one /64) in an hour"),
	I("quotas", "address_messages_per_minute",
	  quota_address_messages_per_minute, "120", 5, 6000,
	  "messages customers may write from one address in a minute"),
	I("quotas", "address_attachment_bytes_per_day",
	  quota_address_attachment_bytes_per_day, "419430400", 10485760,
	  274877906944,
	  "bytes of attachments customers may upload from one address in a "
	  "day"),
	I("quotas", "staff_messages_per_minute",
	  quota_staff_messages_per_minute, "60", 10, 1000,
	  "replies and notes one staff member may write in a minute"),
	/* [macros] (issue 15, part MACROS; core/macros.h) */
	I("macros", "per_agent", macros_per_agent, "100", 1, 1000,
	  "personal macros (canned replies) one staff member may keep"),
	I("macros", "per_queue", macros_per_queue, "200", 1, 2000,
	  "shared macros one queue may hold"),
	/* [search] (issue 15, part SEARCH; core/search.h, core/views.h) */
	I("search", "max_terms", search_max_terms, "8", 1, 32,
	  "words and phrases one search text may hold"),
	I("search", "views_per_agent", search_views_per_agent, "50", 1, 500,
	  "personal saved views one staff member may keep"),
	I("search", "views_per_queue", search_views_per_queue, "50", 1, 500,
	  "saved views shared with one queue"),
	I("search", "candidates", search_candidates, "2000", 100, 100000,
	  "matching subjects, messages and notes (each) a search ranks and "
	  "counts: the newest the searcher may see; past it the total is "
	  "marked \"total_exact\": false"),
	/* [workers]: slow work off the server threads (issue 14, LOGINS) */
	I("workers", "staff_login_threads", staff_login_threads, "1", 1, 16,
	  "threads hashing staff logins' passwords"),
	I("workers", "staff_login_queue", staff_login_queue, "64", 1, 4096,
	  "staff logins waiting for a hash before 503 server_busy"),
	I("workers", "portal_login_threads", portal_login_threads, "1", 1, 16,
	  "threads hashing customers' login passwords"),
	I("workers", "portal_login_queue", portal_login_queue, "64", 1, 4096,
	  "customer logins waiting for a hash before 503 server_busy"),
	/* [workers]: uploads' analysis off the server threads (issue 14,
	 * part SLOW) */
	I("workers", "scan_threads", scan_threads, "2", 1, 16,
	  "threads analysing uploads (file type, archives, clamd)"),
	I("workers", "scan_queue", scan_queue, "16", 1, 1024,
	  "uploads waiting for a scan thread before 503 server_busy"),
	/* [portal]: customer self-service (issue 15, part SELF) */
	S("portal", "signup", portal_signup, "off",
	  "on: customers may open an account themselves (e-mail proof, then "
	  "authenticator enrolment); off: only staff create accounts"),
	I("portal", "reset_minutes", portal_reset_minutes, "30", 5, 120,
	  "minutes a password-reset or sign-up link works"),
	I("portal", "reset_mails_per_hour", portal_reset_mails_per_hour, "3",
	  1, 20, "password-reset (or sign-up) links one address gets in an "
	  "hour; past it the request is answered alike but sends nothing"),
	/* [live]: live updates (issue 15, part LIVE; core/events.h) */
	I("live", "keep_hours", live_keep_hours, "24", 1, 168,
	  "hours events are kept for streams to resume from"),
	I("live", "keep_events", live_keep_events, "100000", 1000, 10000000,
	  "the most events kept"),
	I("live", "streams_per_session", live_streams_per_session, "3", 1, 10,
	  "live update streams one session may hold open (429 beyond)"),
	I("live", "streams_per_listener", live_streams_per_listener, "1000", 1,
	  100000, "live update streams one listener holds (503 beyond)"),
	I("live", "poll_ms", live_poll_ms, "1000", 100, 10000,
	  "milliseconds between two reads of changes made on other nodes"),
	I("live", "heartbeat_seconds", live_heartbeat_seconds, "20", 2, 60,
	  "seconds between two heartbeats of an idle stream (kept under "
	  "[server] connection_timeout)"),
	S("log", "level", log_level, "info", "debug, info, warn or error"),
	/* connection model, header deadline, request log (issue 14 CONN) */
	I("server", "threads", server_threads, "0", 0, 256,
	  "event-loop threads per listener; 0: one per core"),
	I("server", "header_timeout", header_timeout, "10", 1, 120,
	  "seconds a client has to send a request's complete headers "
	  "(from the connection, or from the end of the previous request "
	  "plus connection_timeout), however it trickles them"),
	I("server", "min_body_rate", min_body_rate, "1024", 64, 1048576,
	  "bytes per second a request body must average once it has "
	  "lasted header_timeout seconds; a slower client is closed"),
	/* admission at accept (issue 14, part FLOOD) */
	I("server", "new_connections_per_second", new_connections_per_second,
	  "1000", 1, 100000,
	  "new connections a second each listener takes from addresses that "
	  "hold none; past it such a connection is closed at accept, before "
	  "TLS (an address already connected is still served)"),
	S("log", "file", log_file, "",
	  "log file (relative to the data directory), reopened on SIGHUP; "
	  "empty: standard error"),
	S("log", "requests", log_requests, "sample",
	  "request lines: off, sample (one in request_sample) or all; "
	  "server errors and security events are always logged"),
	I("log", "request_sample", log_request_sample, "100", 1, 1000000,
	  "with requests = sample, one request line in this many"),
	/* [sla] (issue 15, part SLA; core/sla.h) */
	I("sla", "sweep_seconds", sla_sweep_seconds, "30", 1, 3600,
	  "seconds between two sweeps for SLA targets missed on tickets "
	  "nobody changed"),
	/* the management listener (issue 16, part MANAGE; http/manage.h) */
	S("server", "manage_listen", manage_listen, "127.0.0.1:9180",
	  "management listener (plain HTTP: /healthz, /readyz, /metrics), "
	  "ADDRESS:PORT or off; keep it on loopback or a private network"),
	/* passkeys (issue 17; core/passkeys.h, core/config_passkeys.c) */
	S("auth", "staff_passkeys", staff_passkeys, "allowed",
	  "allowed or required: whether agents too must log in with a "
	  "passkey (supervisors and admins always must)"),
	S("auth", "passkey_attestation", passkey_attestation, "none,packed",
	  "attestation formats accepted at passkey registration (comma list "
	  "of none, packed, fido-u2f, tpm)"),
	S("auth", "staff_rp_id", staff_rp_id, "",
	  "WebAuthn relying party id of the console: a domain name that is "
	  "the host, or a parent of the host, of an origin the staff listener "
	  "accepts; default the host of staff_origin, or localhost"),
	S("auth", "portal_rp_id", portal_rp_id, "",
	  "WebAuthn relying party id of the portal (as staff_rp_id, for the "
	  "public listener); default the host of public_origin, or localhost"),
};

/* [store] is another name for [database] (url, password_file,
 * connections): the name issue 16 and the operations guide use. */
static const struct opt *
opt_find(const char *section, const char *key)
{
	if (strcmp(section, "store") == 0)
		section = "database";
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opts[i].section, section) == 0 &&
		    strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

static int
opt_set(struct config *cfg, const struct opt *o, const char *value,
	char *err, size_t errsz)
{
	char *base = (char *)cfg + o->offset;

	if (o->type == OPT_STR) {
		size_t n = strlen(value);

		if (n >= o->size) {
			snprintf(err, errsz,
				 "[%s] %s: value longer than %zu bytes",
				 o->section, o->key, o->size - 1);
			return -1;
		}
		memcpy(base, value, n + 1);
		return 0;
	}
	errno = 0;
	char *end = NULL;
	long long v = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0') {
		snprintf(err, errsz, "[%s] %s: not a whole number", o->section,
			 o->key);
		return -1;
	}
	if (v < o->min || v > o->max) {
		snprintf(err, errsz,
			 "[%s] %s = %lld is outside %lld..%lld (the bounds keep "
			 "the security floors)",
			 o->section, o->key, v, (long long)o->min,
			 (long long)o->max);
		return -1;
	}
	memcpy(base, &(int64_t){v}, sizeof(int64_t));
	return 0;
}

void
config_defaults(struct config *cfg, const char *dir)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		opt_set(cfg, &opts[i], opts[i].def, err, sizeof(err));
	snprintf(cfg->dir, sizeof(cfg->dir), "%s", dir);
}

static int
on_entry(void *user, const char *section, const char *name,
	 const char *value, char *err, size_t errsz)
{
	struct config *cfg = user;
	const struct opt *o = opt_find(section, name);

	if (o == NULL) {
		snprintf(err, errsz, "[%.64s] %.64s: unknown setting", section,
			 name);
		return -1;
	}
	return opt_set(cfg, o, value, err, errsz);
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errsz)
{
	char msg[512];
	unsigned line = 0;

	err[0] = '\0';
	if (inifile_parse(path, on_entry, cfg, &line, msg, sizeof(msg)) < 0) {
		if (line == 0)
			snprintf(err, errsz, "%s: %s", path, msg);
		else
			snprintf(err, errsz, "%s line %u: %s", path, line, msg);
		return -1;
	}
	return config_validate(cfg, err, errsz);
}

static int
validate_domains(const struct config *cfg, char *err, size_t errsz)
{
	const char *phones[CONFIG_MAX_PHONES];
	char buf[CONFIG_LIST_MAX];
	char *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", cfg->company_domains);
	for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save))
		n++;
	if (n > CONFIG_MAX_DOMAINS) {
		snprintf(err, errsz, "[company] domains: %zu names, at most %d",
			 n, CONFIG_MAX_DOMAINS);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", cfg->company_phones);
	if (dlp_phone_list(buf, phones, CONFIG_MAX_PHONES) < 0) {
		snprintf(err, errsz, "[company] phones: at most %d numbers, "
				     "each 7 to 15 digits", CONFIG_MAX_PHONES);
		return -1;
	}
	return 0;
}

/* [training] required: "all" or a comma list of module ids (1..64 of
 * a-z, 0-9 and -, not starting with -); never empty, so configuration
 * cannot switch the training gate off. */
static int
validate_training(const struct config *cfg, char *err, size_t errsz)
{
	static const char idchars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	char buf[CONFIG_STR_MAX];
	char *save = NULL;
	size_t n = 0;
	int bad = 0;

	if (strcmp(cfg->training_required, "all") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", cfg->training_required);
	for (char *tok = strtok_r(buf, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		n++;
		if (strlen(tok) > 64 || tok[0] == '-' ||
		    strspn(tok, idchars) != strlen(tok))
			bad = 1;
	}
	if (n == 0 || bad) {
		snprintf(err, errsz, "[training] required: all, or a comma "
			 "list of module ids (a-z, 0-9 and -)");
		return -1;
	}
	return 0;
}

/* Rules between fields of the security policy and the body limits. */
static int
validate_limits(const struct config *cfg, char *err, size_t errsz)
{
	if (cfg->staff_idle_seconds > cfg->staff_absolute_seconds ||
	    cfg->customer_idle_seconds > cfg->customer_absolute_seconds) {
		snprintf(err, errsz,
			 "[security] an idle timeout is longer than its absolute timeout");
		return -1;
	}
	if (cfg->login_delay_base_seconds > cfg->login_delay_max_seconds) {
		snprintf(err, errsz,
			 "[security] login_delay_base_seconds exceeds login_delay_max_seconds");
		return -1;
	}
	/* An attachment travels base64-encoded in a JSON body (4/3 of its
	 * size plus the envelope): the body cap must let the largest in. */
	if ((cfg->attach_max_bytes + 2) / 3 * 4 + 8192 > cfg->max_body_bytes) {
		snprintf(err, errsz,
			 "[attachments] max_bytes needs [server] max_body_bytes "
			 ">= %lld (base64 is 4/3 of the file)",
			 (long long)((cfg->attach_max_bytes + 2) / 3 * 4 + 8192));
		return -1;
	}
	return 0;
}

int
config_validate(struct config *cfg, char *err, size_t errsz)
{
	if (validate_networks(cfg, err, errsz) < 0 ||
	    validate_limits(cfg, err, errsz) < 0 ||
	    validate_domains(cfg, err, errsz) < 0 ||
	    validate_training(cfg, err, errsz) < 0 ||
	    validate_origins(cfg, err, errsz) < 0 ||
	    validate_passkeys(cfg, err, errsz) < 0)
		return -1;
	if (strcmp(cfg->log_level, "debug") != 0 &&
	    strcmp(cfg->log_level, "info") != 0 &&
	    strcmp(cfg->log_level, "warn") != 0 &&
	    strcmp(cfg->log_level, "error") != 0) {
		snprintf(err, errsz, "[log] level: debug, info, warn or error");
		return -1;
	}
	if (strcmp(cfg->log_requests, "off") != 0 &&
	    strcmp(cfg->log_requests, "sample") != 0 &&
	    strcmp(cfg->log_requests, "all") != 0) {
		snprintf(err, errsz, "[log] requests: off, sample or all");
		return -1;
	}
	if (strcmp(cfg->portal_signup, "off") != 0 &&
	    strcmp(cfg->portal_signup, "on") != 0) {
		snprintf(err, errsz, "[portal] signup: off or on");
		return -1;
	}
	return 0;
}

int
config_set_listen(struct config *cfg, const char *listen, const char *staff,
		  char *err, size_t errsz)
{
	if (listen != NULL)
		snprintf(cfg->listen, sizeof(cfg->listen), "%s", listen);
	if (staff != NULL)
		snprintf(cfg->staff_listen, sizeof(cfg->staff_listen), "%s",
			 staff);
	if (cfg->public_origin_derived)
		cfg->public_origin[0] = '\0';
	if (cfg->staff_origin_derived)
		cfg->staff_origin[0] = '\0';
	if (cfg->portal_url_derived)
		cfg->portal_url[0] = '\0';
	return config_validate(cfg, err, errsz);
}

int
config_path(const struct config *cfg, const char *name, char *out,
	    size_t outsz)
{
	int n;

	if (name[0] == '/')
		n = snprintf(out, outsz, "%s", name);
	else
		n = snprintf(out, outsz, "%s/%s", cfg->dir, name);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
config_url_has_password(const char *url)
{
	const char *rest, *at, *colon;
	size_t n;

	if (strncmp(url, "postgresql://", 13) != 0 &&
	    strncmp(url, "postgres://", 11) != 0)
		return 0;
	if (strstr(url, "password=") != NULL || store_pg_url_has_password(url))
		return 1;
	rest = strstr(url, "://") + 3;
	n = strcspn(rest, "/?");
	at = memchr(rest, '@', n);
	if (at == NULL)
		return 0;
	colon = memchr(rest, ':', (size_t)(at - rest));
	return colon != NULL;
}

int
config_write_default(const char *path)
{
	return config_write_init(path, NULL);
}

int
config_write_init(const char *path, const char *store_url)
{
	FILE *f;
	const char *section = "";
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	if (fd < 0)
		return errno == EEXIST ? -EEXIST : -1;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	fprintf(f, "; Gatehouse configuration. Every key, its bounds and its\n"
		   "; meaning: docs/configuration.md. Bounds keep the security\n"
		   "; floors: values can be made stricter, never weaker.\n");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcmp(section, opts[i].section) != 0) {
			section = opts[i].section;
			fprintf(f, "\n[%s]\n", section);
		}
		fprintf(f, "; %s\n", opts[i].doc);
		if (opts[i].type == OPT_INT)
			fprintf(f, "; (%lld..%lld)\n", (long long)opts[i].min,
				(long long)opts[i].max);
		if (store_url != NULL &&
		    strcmp(opts[i].section, "database") == 0 &&
		    strcmp(opts[i].key, "url") == 0)
			fprintf(f, "%s = %s\n", opts[i].key, store_url);
		else
			fprintf(f, "%s = %s\n", opts[i].key, opts[i].def);
	}
	return fclose(f) == 0 ? 0 : -1;
}
