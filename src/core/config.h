/*
 * Configuration: an INI file (util/inifile.h) read once at start-up into
 * struct config. Every key is declared in one table with its type, default
 * and bounds; a value out of bounds, an unknown key, a malformed line or a
 * line longer than INIFILE_LINE_MAX (4096) bytes stops start-up with a
 * message naming the line. Bounds encode the compiled-in policy floors:
 * configuration can make the product stricter (shorter sessions, longer
 * passwords, fewer free attempts), never weaker.
 *
 * The origins each listener accepts (CSRF) are derived here too, once, so
 * the HTTP layer only looks them up.
 */
#ifndef GH_CORE_CONFIG_H
#define GH_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/webauthn.h"
#include "util/origin.h"

#define CONFIG_STR_MAX 512
/* Room for a list value (networks, origins, domains): a whole line. */
#define CONFIG_LIST_MAX 4096
#define CONFIG_MAX_NETS 32
/* [company] domains: at most this many names. */
#define CONFIG_MAX_DOMAINS 256
/* [company] phones: at most this many numbers. */
#define CONFIG_MAX_PHONES 32
/* [server] origins: at most this many. A listener accepts them, its own
 * origin, its literal address (two for an IPv6 wildcard) and localhost. */
#define CONFIG_MAX_ORIGINS (ORIGIN_SET_MAX - 4)

struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

struct config {
	/* [server] */
	char listen[CONFIG_STR_MAX];
	char staff_listen[CONFIG_STR_MAX];
	char staff_networks_text[CONFIG_LIST_MAX];
	struct cidr staff_networks[CONFIG_MAX_NETS];
	unsigned n_staff_networks;
	char public_origin[CONFIG_STR_MAX];
	char staff_origin[CONFIG_STR_MAX];
	char origins_text[CONFIG_LIST_MAX];
	char tls_cert[CONFIG_STR_MAX];
	char tls_key[CONFIG_STR_MAX];
	int64_t max_connections;
	int64_t per_ip_connections;
	int64_t connection_timeout;
	int64_t max_body_bytes;
	/* [database] */
	char database_url[CONFIG_STR_MAX];
	int64_t db_connections;
	char database_password_file[CONFIG_STR_MAX]; /* issue 16 */
	/* [security] */
	int64_t password_min_length;
	int64_t password_min_entropy_bits;
	int64_t argon2_ops;
	int64_t argon2_mem_mib;
	int64_t staff_idle_seconds;
	int64_t staff_absolute_seconds;
	int64_t customer_idle_seconds;
	int64_t customer_absolute_seconds;
	int64_t login_free_failures;
	int64_t login_max_failures;
	int64_t login_ip_free_failures;
	int64_t login_delay_base_seconds;
	int64_t login_delay_max_seconds;
	int64_t password_max_age_days;        /* 0: off */
	char password_blocklist_file[CONFIG_STR_MAX];
	int64_t notify_new_network;
	/* [company] */
	char company_name[CONFIG_STR_MAX];
	char portal_url[CONFIG_STR_MAX];
	char company_domains[CONFIG_LIST_MAX];
	char company_phones[CONFIG_LIST_MAX];
	/* [phish] */
	char phish_top_domains_file[CONFIG_STR_MAX];	/* "": built-in */
	/* [mail] */
	char smtp_url[CONFIG_STR_MAX];
	char smtp_ca_file[CONFIG_STR_MAX];
	char mail_from[CONFIG_STR_MAX];
	/* [attachments] */
	int64_t attach_max_bytes;
	int64_t attach_har_retention_days;
	char attach_clamd_socket[CONFIG_STR_MAX];
	/* [disclosure] */
	int64_t verification_minutes;
	int64_t cooling_off_hours;
	int64_t reveals_per_hour;
	int64_t reveal_hide_seconds;
	/* [training] (core/training.h) */
	int64_t training_validity_months;
	char training_required[CONFIG_STR_MAX];
	/* [drills] (part B) */
	int64_t drill_max_targets;
	int64_t drill_campaigns_per_hour;
	/* [supervisor]: the supervisor's console (issue 15, part SUPER) */
	int64_t bulk_max;
	/* [contact]: how the company contacts customers (issue 11 part D) */
	char contact_channels[CONFIG_LIST_MAX];
	char contact_phone[CONFIG_STR_MAX];
	char contact_never_ask[CONFIG_LIST_MAX];
	char contact_in_doubt[CONFIG_LIST_MAX];
	int64_t contact_code_minutes;
	int64_t contact_checks_per_hour;
	int64_t contact_codes_per_hour;
	/* [quotas] (issue 14, part QUOTAS): per customer, per client
	 * address and per staff member; core/quota.h */
	int64_t quota_tickets_per_hour;
	int64_t quota_messages_per_minute;
	int64_t quota_attachment_bytes_per_day;
	int64_t quota_stored_bytes;
	int64_t quota_address_tickets_per_hour;
	int64_t quota_address_messages_per_minute;
	int64_t quota_address_attachment_bytes_per_day;
	int64_t quota_staff_messages_per_minute;
	/* [macros] (issue 15, part MACROS): core/macros.h */
	int64_t macros_per_agent;
	int64_t macros_per_queue;
	/* [search] (issue 15, part SEARCH; core/search.h, core/views.h) */
	int64_t search_max_terms;
	int64_t search_views_per_agent;
	int64_t search_views_per_queue;
	int64_t search_candidates;
	/* [workers]: the pools for slow work (issue 14, part LOGINS) */
	int64_t staff_login_threads;
	int64_t staff_login_queue;
	int64_t portal_login_threads;
	int64_t portal_login_queue;
	int64_t scan_threads;	/* uploads' analysis (issue 14, part SLOW) */
	int64_t scan_queue;
	/* [portal]: customer self-service (issue 15, part SELF) */
	char portal_signup[8];		/* off (default) | on */
	int64_t portal_reset_minutes;
	int64_t portal_reset_mails_per_hour;
	/* [live]: live updates (issue 15, part LIVE; core/events.h) */
	int64_t live_keep_hours;
	int64_t live_keep_events;
	int64_t live_streams_per_session;
	int64_t live_streams_per_listener;
	int64_t live_poll_ms;
	int64_t live_heartbeat_seconds;
	/* [log] */
	char log_level[16];
	/* connection model and request log (issue 14 CONN) */
	int64_t server_threads;	/* 0: one per core */
	int64_t header_timeout;
	int64_t min_body_rate;
	int64_t new_connections_per_second; /* issue 14 FLOOD: http/admit.h */
	char log_file[CONFIG_STR_MAX];	/* "": standard error */
	char log_requests[16];		/* off, sample, all */
	int64_t log_request_sample;
	int64_t sla_sweep_seconds;	/* [sla] (issue 15, part SLA) */
	char manage_listen[CONFIG_STR_MAX]; /* issue 16 MANAGE; "off" */

	/* Set when an origin or the portal URL was derived from the listen
	 * addresses rather than configured. */
	int public_origin_derived;
	int staff_origin_derived;
	int portal_url_derived;

	/* Derived by config_validate: the origins a state-changing request
	 * may come from, per listener. */
	struct origin_set public_origins;
	struct origin_set staff_origins;

	/* Not from the file: the data directory, absolute. */
	char dir[CONFIG_STR_MAX];

	/* [auth]: passkeys (issue 17; core/passkeys.h) */
	char staff_passkeys[16];        /* allowed, required */
	char passkey_attestation[128];  /* none, packed, fido-u2f, tpm */
	char staff_rp_id[256];          /* "": derived */
	char portal_rp_id[256];
	/* Derived by config_validate (core/config_passkeys.c): the rp id
	 * in use per listener and the relying party the verifier sees (its
	 * origins point into staff_origins / public_origins of this
	 * struct: validate a copy again before using its rp). */
	char staff_rp_id_used[256];
	char portal_rp_id_used[256];
	struct wa_rp staff_rp;
	struct wa_rp portal_rp;
};

/* Fills cfg with the defaults (dir is set from dir). */
void config_defaults(struct config *cfg, const char *dir);

/*
 * Reads path over the defaults. Relative file names in the config are
 * resolved against cfg->dir. On error writes one line to err (size errsz)
 * naming the file, the line and the problem ("PATH line 12: line longer
 * than 4096 bytes"), and returns -1.
 */
int config_load(struct config *cfg, const char *path, char *err,
		size_t errsz);

/* Overrides the listen addresses (command line) and re-derives what was
 * derived from them. 0 or -1 with err set. */
int config_set_listen(struct config *cfg, const char *listen,
		      const char *staff, char *err, size_t errsz);
/* Checks cross-field rules and parses derived fields (networks, origins).
 * 0 or -1 with err set. config_load calls it; call it after changing
 * fields. */
int config_validate(struct config *cfg, char *err, size_t errsz);

/* Writes the default configuration file for `init` (O_EXCL, 0640). */
int config_write_default(const char *path);
/* config_write_default with [database] url = store_url (NULL: the
 * default); `gatehouse init --store URL`. */
int config_write_init(const char *path, const char *store_url);
/* 1 when a store URL carries a password (postgresql://user:pw@... or a
 * password= parameter): passwords belong in [database] password_file or
 * libpq's PGPASSFILE, never in the URL. */
int config_url_has_password(const char *url);

/* Parses "a.b.c.d/n" or "x::y/n"; 0 or -1. */
int cidr_parse(const char *text, struct cidr *out);
/* 1 when the address (family, 4 or 16 bytes) is inside one of nets. */
int cidr_contains(const struct cidr *nets, unsigned n, int family,
		  const unsigned char *addr);

/* Resolves name against dir into out unless it is absolute. */
int config_path(const struct config *cfg, const char *name, char *out,
		size_t outsz);

#endif
