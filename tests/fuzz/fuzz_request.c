/*
 * libFuzzer harness for the request path: the router (method and path
 * from the first line), the JSON field spec parser (the rest, against the
 * login spec and a spec of every field type), UTF-8 validation, e-mail
 * normalisation, CIDR and listen-address parsing, and the Origin header
 * (canonical form and lookup). Every one of them sees bytes straight
 * from the network or the configuration.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/auth.h"
#include "core/config.h"
#include "http/jspec.h"
#include "http/router.h"
#include "http/server.h"
#include "util/origin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *nl;
	char *sp;
	const char *body;
	size_t body_len;
	json_t *root = NULL;
	const char *field = NULL;
	int64_t params[ROUTE_MAX_PARAMS];
	unsigned n = 0;
	char allow[64];
	char out[512];
	struct cidr cidr;
	struct sockaddr_storage ss;
	unsigned alen;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = memchr(buf, '\n', size);
	if (nl != NULL) {
		*nl = '\0';
		body = nl + 1;
		body_len = size - (size_t)(nl + 1 - buf);
	} else {
		body = "";
		body_len = 0;
	}
	sp = strchr(buf, ' ');
	if (sp != NULL) {
		*sp = '\0';
		router_match(api_routes, LISTEN_PUBLIC, buf, sp + 1, params, &n,
			     allow, sizeof(allow));
		router_match(api_routes, LISTEN_STAFF, buf, sp + 1, params, &n,
			     allow, sizeof(allow));
		*sp = ' ';
	}
	{
		const char *email = NULL, *pw = NULL, *code = NULL;
		int64_t i = 0;
		int b = 0;
		const struct jspec login[] = {
			JSPEC_STR("email", &email, 1, 254, JS_REQUIRED),
			JSPEC_STR("password", &pw, 1, 256, JS_REQUIRED),
			JSPEC_STR("totp", &code, 0, 16, 0),
			JSPEC_END,
		};
		const struct jspec all[] = {
			JSPEC_STR("body", &pw, 1, 65536, JS_MULTILINE),
			JSPEC_INT("n", &i, -5, 5, 0),
			JSPEC_BOOL("b", &b, 0),
			JSPEC_END,
		};

		if (jspec_parse(body, body_len, login, &root, &field) == 0) {
			auth_normalize_email(email, out, sizeof(out));
			json_decref(root);
		}
		root = NULL;
		if (jspec_parse(body, body_len, all, &root, &field) == 0)
			json_decref(root);
	}
	utf8_check((const char *)data, size, 1);
	if (strlen(buf) < 200) {
		auth_normalize_email(buf, out, sizeof(out));
		cidr_parse(buf, &cidr);
		server_parse_addr(buf, &ss, &alen);
	}
	if (strlen(buf) < 2 * ORIGIN_MAX) {
		static struct origin_set set;

		if (set.n == 0)
			origin_set_add(&set, "https://127.0.0.1:8443");
		origin_canon(buf, out, sizeof(out));
		origin_set_has(&set, buf);
	}
	free(buf);
	return 0;
}
