/*
 * [auth]: the passkey settings (issue 17), checked at start and turned
 * into the relying party each listener's ceremonies use (struct wa_rp,
 * crypto/webauthn.h). Rebuilt from scratch by every config_validate, after
 * the origins, since the rp's origins are picked from those a listener
 * accepts.
 *
 * The rp id is a domain name: browsers accept no IP address as one. It
 * must be the host of an origin the listener accepts, or a parent of it
 * ("example.org" for https://desk.example.org); the accepted origins of a
 * ceremony are exactly those. An rp id that matches none would make every
 * ceremony fail, so start-up refuses it and says why.
 */
#include <stdio.h>
#include <string.h>

#include "core/config_int.h"

/* 1 when s is a domain name as an rp id must be: lower-case labels of
 * a-z, 0-9 and '-' (not at either end), 1..63 bytes each, 253 in all,
 * and not all digits and dots (an IPv4 address). */
static int
rp_id_ok(const char *s)
{
	size_t len = strlen(s), label = 0;
	int letter = 0;

	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-'))
			return 0;
		if (ch == '-' && label == 0)
			return 0;
		letter |= ch < '0' || ch > '9';
		if (++label > 63)
			return 0;
	}
	return s[len - 1] != '-' && letter;
}

/* The host of a canonical origin ("https://HOST[:PORT][/]") into out;
 * "" for an IPv6 host or anything else. */
static void
origin_host(const char *origin, char *out, size_t outsz)
{
	const char *h = origin + strlen("https://");
	size_t n;

	out[0] = '\0';
	if (strncmp(origin, "https://", 8) != 0 || h[0] == '[')
		return;
	n = strcspn(h, ":/");
	if (n == 0 || n >= outsz)
		return;
	memcpy(out, h, n);
	out[n] = '\0';
}

/* 1 when host is rp_id or a name under it. */
static int
host_under(const char *host, const char *rp_id)
{
	size_t hl = strlen(host), rl = strlen(rp_id);

	if (hl == rl)
		return strcmp(host, rp_id) == 0;
	return hl > rl && host[hl - rl - 1] == '.' &&
	       strcmp(host + hl - rl, rp_id) == 0;
}

/* The rp id of one listener: configured, or the host of its own origin,
 * or localhost when that is an IP address. Then its rp: the accepted
 * origins under it (exact, at most WA_ORIGINS_MAX: more stops start-up
 * rather than leaving some out, which would refuse every passkey from
 * them with no word why). 0 or -1 with err. */
static int
listener_rp(const char *key, const char *configured, const char *own,
	    const struct origin_set *accepted, char *used, size_t usedsz,
	    struct wa_rp *rp, unsigned formats, char *err, size_t errsz)
{
	char host[256];

	memset(rp, 0, sizeof(*rp));
	if (configured[0] != '\0') {
		if (!rp_id_ok(configured)) {
			snprintf(err, errsz,
				 "[auth] %s: '%.200s' is not a domain name (an "
				 "rp id is a lower-case DNS name, never an IP "
				 "address)",
				 key, configured);
			return -1;
		}
		snprintf(used, usedsz, "%s", configured);
	} else {
		origin_host(own, host, sizeof(host));
		snprintf(used, usedsz, "%s", rp_id_ok(host) ? host : "localhost");
	}
	for (unsigned i = 0; i < accepted->n; i++) {
		origin_host(accepted->v[i], host, sizeof(host));
		if (host[0] == '\0' || !host_under(host, used))
			continue;
		if (rp->n_origins == WA_ORIGINS_MAX) {
			snprintf(err, errsz,
				 "[auth] %s: more than %d accepted origins are "
				 "under '%.200s' (a passkey ceremony checks at "
				 "most %d): remove some from [server] origins, "
				 "or set %s to a narrower host",
				 key, WA_ORIGINS_MAX, used, WA_ORIGINS_MAX, key);
			return -1;
		}
		rp->origins[rp->n_origins++] = accepted->v[i];
	}
	if (rp->n_origins == 0) {
		snprintf(err, errsz,
			 "[auth] %s: '%.200s' is neither the host nor a parent "
			 "of the host of any origin this listener accepts "
			 "(browsers would refuse every passkey): set it to "
			 "such a host, or add the origin to [server] origins",
			 key, used);
		return -1;
	}
	rp->rp_id = used;
	rp->require_uv = 1;
	rp->allow_cross_origin = 0;
	rp->formats = formats;
	return 0;
}

/* [auth] passkey_attestation into WA_FMT_* bits; 0 when malformed. */
static unsigned
parse_formats(const char *text)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {{"none", WA_FMT_NONE},
		     {"packed", WA_FMT_PACKED},
		     {"fido-u2f", WA_FMT_FIDO_U2F},
		     {"tpm", WA_FMT_TPM}};
	char buf[128];
	char *save = NULL;
	unsigned bits = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		unsigned bit = 0;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(tok, known[i].name) == 0)
				bit = known[i].bit;
		if (bit == 0)
			return 0;
		bits |= bit;
	}
	return bits;
}

int
validate_passkeys(struct config *cfg, char *err, size_t errsz)
{
	unsigned formats;

	if (strcmp(cfg->staff_passkeys, "allowed") != 0 &&
	    strcmp(cfg->staff_passkeys, "required") != 0) {
		snprintf(err, errsz, "[auth] staff_passkeys: allowed or required "
				     "(supervisors and admins always need one)");
		return -1;
	}
	formats = parse_formats(cfg->passkey_attestation);
	if (formats == 0) {
		snprintf(err, errsz,
			 "[auth] passkey_attestation: a comma list of none, "
			 "packed, fido-u2f and tpm (at least one)");
		return -1;
	}
	if (listener_rp("staff_rp_id", cfg->staff_rp_id, cfg->staff_origin,
			&cfg->staff_origins, cfg->staff_rp_id_used,
			sizeof(cfg->staff_rp_id_used), &cfg->staff_rp, formats,
			err, errsz) < 0 ||
	    listener_rp("portal_rp_id", cfg->portal_rp_id, cfg->public_origin,
			&cfg->public_origins, cfg->portal_rp_id_used,
			sizeof(cfg->portal_rp_id_used), &cfg->portal_rp,
			formats, err, errsz) < 0)
		return -1;
	return 0;
}
