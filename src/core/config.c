/*
 * Configuration table and INI loading. The table below is the single list
 * of settings, their defaults and their bounds; docs/configuration.md
 * describes the same keys. Values outside the bounds are errors, never
 * clamped.
 */
#include "core/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum opt_type { OPT_INT, OPT_STR };

struct opt {
	const char *section;
	const char *key;
	enum opt_type type;
	size_t offset;
	const char *def;
	int64_t min, max;
	const char *doc;
};

#define I(sec, k, field, d, lo, hi, doc)                                     \
	{sec, k, OPT_INT, offsetof(struct config, field), d, lo, hi, doc}
#define S(sec, k, field, d, doc)                                             \
	{sec, k, OPT_STR, offsetof(struct config, field), d, 0, 0, doc}

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
	S("server", "tls_cert", tls_cert, "tls.crt", "PEM certificate chain"),
	S("server", "tls_key", tls_key, "tls.key", "PEM private key"),
	I("server", "max_connections", max_connections, "512", 4, 65536,
	  "connections per listener"),
	I("server", "per_ip_connections", per_ip_connections, "64", 1, 4096,
	  "connections per client address"),
	I("server", "connection_timeout", connection_timeout, "30", 5, 300,
	  "seconds of inactivity before a connection is closed"),
	I("server", "max_body_bytes", max_body_bytes, "8388608", 397312,
	  16777216, "largest request body any route accepts; at least "
	  "388 KiB: a 64 KiB message sent as JSON \\u escapes"),
	S("database", "url", database_url, "sqlite:gatehouse.db",
	  "sqlite:PATH (relative to the data directory)"),
	I("database", "connections", db_connections, "16", 1, 64,
	  "pool size"),
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
	S("company", "name", company_name, "Gatehouse",
	  "company name shown to customers"),
	S("company", "portal_url", portal_url, "",
	  "portal address put in notifications; default public_origin"),
	S("company", "domains", company_domains, "",
	  "the company's own domains, for lookalike checks"),
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
	S("log", "level", log_level, "info", "debug, info, warn or error"),
};

static const struct opt *
opt_find(const char *section, const char *key)
{
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
		if (strlen(value) >= CONFIG_STR_MAX) {
			snprintf(err, errsz, "[%s] %s: value too long",
				 o->section, o->key);
			return -1;
		}
		snprintf(base, CONFIG_STR_MAX, "%s", value);
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

struct load_ctx {
	struct config *cfg;
	char *err;
	size_t errsz;
	int failed;
};

static int
on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	const struct opt *o;

	if (lc->failed)
		return 0;
	o = opt_find(section, name);
	if (o == NULL) {
		snprintf(lc->err, lc->errsz, "[%s] %s: unknown setting", section,
			 name);
		lc->failed = 1;
		return 0;
	}
	if (opt_set(lc->cfg, o, value, lc->err, lc->errsz) < 0) {
		lc->failed = 1;
		return 0;
	}
	return 1;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errsz)
{
	struct load_ctx lc = {cfg, err, errsz, 0};
	char msg[256];
	int rc;

	err[0] = '\0';
	rc = ini_parse(path, on_ini, &lc);
	if (rc < 0) {
		snprintf(err, errsz, "%s: cannot be read", path);
		return -1;
	}
	if (rc > 0) {
		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errsz, "%s line %d: %s", path, rc,
			 lc.failed ? msg : "malformed line");
		return -1;
	}
	return config_validate(cfg, err, errsz);
}

int
cidr_parse(const char *text, struct cidr *out)
{
	char buf[128];
	char *slash;
	long prefix;
	char *end = NULL;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		out->prefix = 128;
	} else {
		return -1;
	}
	if (slash != NULL) {
		errno = 0;
		prefix = strtol(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' || prefix < 0 ||
		    prefix > (long)out->prefix)
			return -1;
		out->prefix = (unsigned)prefix;
	}
	return 0;
}

int
cidr_contains(const struct cidr *nets, unsigned n, int family,
	      const unsigned char *addr)
{
	unsigned char v4mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	/* An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d. */
	if (family == AF_INET6 && memcmp(addr, v4mapped, 12) == 0) {
		family = AF_INET;
		addr += 12;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct cidr *c = &nets[i];
		unsigned full, rest;

		if (c->family != family)
			continue;
		full = c->prefix / 8;
		rest = c->prefix % 8;
		if (memcmp(c->addr, addr, full) != 0)
			continue;
		if (rest != 0) {
			unsigned char mask = (unsigned char)(0xff << (8 - rest));
			if ((c->addr[full] & mask) != (addr[full] & mask))
				continue;
		}
		return 1;
	}
	return 0;
}

static void
origin_from_listen(const char *listen, char *out, size_t outsz)
{
	const char *colon = strrchr(listen, ':');
	const char *port = colon != NULL ? colon + 1 : "443";

	snprintf(out, outsz, "https://localhost:%s", port);
}

int
config_validate(struct config *cfg, char *err, size_t errsz)
{
	char buf[CONFIG_STR_MAX];
	char *save = NULL;
	char *tok;

	cfg->n_staff_networks = 0;
	snprintf(buf, sizeof(buf), "%s", cfg->staff_networks_text);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (cfg->n_staff_networks == CONFIG_MAX_NETS) {
			snprintf(err, errsz, "[server] staff_networks: more than %d",
				 CONFIG_MAX_NETS);
			return -1;
		}
		if (cidr_parse(tok, &cfg->staff_networks[cfg->n_staff_networks]) <
		    0) {
			snprintf(err, errsz,
				 "[server] staff_networks: '%.64s' is not a CIDR range",
				 tok);
			return -1;
		}
		cfg->n_staff_networks++;
	}
	if (cfg->n_staff_networks == 0) {
		snprintf(err, errsz, "[server] staff_networks: empty");
		return -1;
	}
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
	if (cfg->public_origin[0] == '\0' && cfg->staff_origin[0] == '\0')
		cfg->origins_derived = 1;
	if (cfg->public_origin[0] == '\0')
		origin_from_listen(cfg->listen, cfg->public_origin,
				   sizeof(cfg->public_origin));
	if (cfg->staff_origin[0] == '\0')
		origin_from_listen(cfg->staff_listen, cfg->staff_origin,
				   sizeof(cfg->staff_origin));
	if (cfg->portal_url[0] == '\0') {
		cfg->portal_url_derived = 1;
		size_t n = strnlen(cfg->public_origin, CONFIG_STR_MAX - 2);

		memcpy(cfg->portal_url, cfg->public_origin, n);
		cfg->portal_url[n] = '/';
		cfg->portal_url[n + 1] = '\0';
	}
	if (strncmp(cfg->public_origin, "https://", 8) != 0 ||
	    strncmp(cfg->staff_origin, "https://", 8) != 0 ||
	    strncmp(cfg->portal_url, "https://", 8) != 0) {
		snprintf(err, errsz, "origins and portal_url must be https://");
		return -1;
	}
	if (strcmp(cfg->log_level, "debug") != 0 &&
	    strcmp(cfg->log_level, "info") != 0 &&
	    strcmp(cfg->log_level, "warn") != 0 &&
	    strcmp(cfg->log_level, "error") != 0) {
		snprintf(err, errsz, "[log] level: debug, info, warn or error");
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
	if (cfg->origins_derived) {
		cfg->public_origin[0] = '\0';
		cfg->staff_origin[0] = '\0';
	}
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
config_write_default(const char *path)
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
		fprintf(f, "%s = %s\n", opts[i].key, opts[i].def);
	}
	return fclose(f) == 0 ? 0 : -1;
}
