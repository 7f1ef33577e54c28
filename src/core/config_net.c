/*
 * Network and origin settings: CIDR parsing for [server] staff_networks
 * and the origins each listener accepts. Derived fields are rebuilt from
 * scratch on every call, so they always match the text they come from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/config.h"
#include "core/config_int.h"

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

/* --- origins ------------------------------------------------------------ */

/* Splits "HOST:PORT" or "[V6]:PORT" into host (brackets kept) and port.
 * 0 or -1. */
static int
listen_split(const char *listen, char *host, size_t hostsz, char *port,
	     size_t portsz)
{
	const char *colon = strrchr(listen, ':');
	size_t hl;

	if (colon == NULL || colon == listen)
		return -1;
	if (listen[0] == '[' && colon[-1] != ']')
		return -1;
	hl = (size_t)(colon - listen);
	if (hl >= hostsz || strlen(colon + 1) >= portsz)
		return -1;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	snprintf(port, portsz, "%s", colon + 1);
	return 0;
}

/* The origin of a listener on listen when none is configured:
 * https://localhost:PORT. */
static void
origin_from_listen(const char *listen, char *out, size_t outsz)
{
	const char *colon = strrchr(listen, ':');
	const char *port = colon != NULL ? colon + 1 : "443";
	char raw[ORIGIN_MAX];

	snprintf(raw, sizeof(raw), "https://localhost:%.8s", port);
	/* A listen address that is not HOST:PORT keeps the raw text; serve
	 * refuses the address itself. */
	if (origin_canon(raw, out, outsz) < 0)
		snprintf(out, outsz, "%s", raw);
}

/*
 * The origins a listener on listen accepts besides [server] origins: its
 * own when configured, its literal address (loopback for a wildcard, which
 * no browser can open), localhost, and its own when derived (which is
 * localhost unless the address is not HOST:PORT). The first is the URL
 * people are shown. An address that does not split adds nothing more:
 * serve refuses it.
 */
static void
listener_origins(struct origin_set *l, const char *own, int own_derived,
		 const char *listen)
{
	char host[CONFIG_STR_MAX], port[16], o[CONFIG_STR_MAX + 32];

	l->n = 0;
	if (!own_derived)
		(void)origin_set_add(l, own);
	if (listen_split(listen, host, sizeof(host), port, sizeof(port)) == 0) {
		if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "[::]") == 0) {
			snprintf(o, sizeof(o), "https://127.0.0.1:%s", port);
			(void)origin_set_add(l, o);
			if (host[0] == '[') {
				snprintf(o, sizeof(o), "https://[::1]:%s", port);
				(void)origin_set_add(l, o);
			}
		} else {
			snprintf(o, sizeof(o), "https://%s:%s", host, port);
			(void)origin_set_add(l, o);
		}
		snprintf(o, sizeof(o), "https://localhost:%s", port);
		(void)origin_set_add(l, o);
	}
	(void)origin_set_add(l, own);
}

/* Adds each of [server] origins to both lists. 0 or -1 with err naming the
 * value that is not an origin. */
static int
extra_origins(struct config *cfg, char *err, size_t errsz)
{
	char buf[CONFIG_LIST_MAX];
	char *save = NULL;
	unsigned n = 0;

	snprintf(buf, sizeof(buf), "%s", cfg->origins_text);
	for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (++n > CONFIG_MAX_ORIGINS) {
			snprintf(err, errsz, "[server] origins: more than %d",
				 CONFIG_MAX_ORIGINS);
			return -1;
		}
		if (origin_set_add(&cfg->public_origins, tok) < 0 ||
		    origin_set_add(&cfg->staff_origins, tok) < 0) {
			snprintf(err, errsz,
				 "[server] origins: '%.200s' is not an origin "
				 "(https://HOST or https://HOST:PORT, no path)",
				 tok);
			return -1;
		}
	}
	return 0;
}

/* A configured public_origin or staff_origin must be an origin; it is kept
 * in canonical form. 0 or -1 with err set. */
static int
configured_origin(char *origin, size_t size, const char *key, char *err,
		  size_t errsz)
{
	char canon[ORIGIN_MAX];

	if (origin_canon(origin, canon, sizeof(canon)) < 0 ||
	    strlen(canon) >= size) {
		snprintf(err, errsz,
			 "[server] %s: '%.200s' is not an origin (https://HOST "
			 "or https://HOST:PORT, no path)",
			 key, origin);
		return -1;
	}
	memcpy(origin, canon, strlen(canon) + 1);
	return 0;
}

/* Derives the origins (and the portal URL) not configured, then the list
 * each listener accepts. 0 or -1 with err set. */
int
validate_origins(struct config *cfg, char *err, size_t errsz)
{
	if (cfg->public_origin[0] == '\0') {
		cfg->public_origin_derived = 1;
		origin_from_listen(cfg->listen, cfg->public_origin,
				   sizeof(cfg->public_origin));
	} else if (!cfg->public_origin_derived &&
		   configured_origin(cfg->public_origin,
				     sizeof(cfg->public_origin),
				     "public_origin", err, errsz) < 0) {
		return -1;
	}
	if (cfg->staff_origin[0] == '\0') {
		cfg->staff_origin_derived = 1;
		origin_from_listen(cfg->staff_listen, cfg->staff_origin,
				   sizeof(cfg->staff_origin));
	} else if (!cfg->staff_origin_derived &&
		   configured_origin(cfg->staff_origin,
				     sizeof(cfg->staff_origin), "staff_origin",
				     err, errsz) < 0) {
		return -1;
	}
	if (cfg->portal_url[0] == '\0') {
		size_t n = strnlen(cfg->public_origin, CONFIG_STR_MAX - 2);

		cfg->portal_url_derived = 1;
		memcpy(cfg->portal_url, cfg->public_origin, n);
		cfg->portal_url[n] = '/';
		cfg->portal_url[n + 1] = '\0';
	}
	if (strncmp(cfg->portal_url, "https://", 8) != 0) {
		snprintf(err, errsz, "[company] portal_url must be https://");
		return -1;
	}
	listener_origins(&cfg->public_origins, cfg->public_origin,
			 cfg->public_origin_derived, cfg->listen);
	listener_origins(&cfg->staff_origins, cfg->staff_origin,
			 cfg->staff_origin_derived, cfg->staff_listen);
	return extra_origins(cfg, err, errsz);
}

/* --- validation ------------------------------------------------------------ */

int
validate_networks(struct config *cfg, char *err, size_t errsz)
{
	char buf[CONFIG_LIST_MAX];
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
	return 0;
}

/* [company] domains: at most CONFIG_MAX_DOMAINS names, and phones: at most
 * CONFIG_MAX_PHONES numbers (every one is used; none is silently
 * dropped). */
