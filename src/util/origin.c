/*
 * Origins (see origin.h). The invariant: every string in an origin_set
 * went through origin_canon, so membership is one exact comparison with
 * the canonical form of what the client sent.
 */
#include "util/origin.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* A DNS name or IPv4 address as an origin's host: 1 to 253 bytes of
 * letters, digits, '-' and '.'. */
static int
host_name_ok(const char *h, size_t n)
{
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') ||
		      (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || h[i] == '-' ||
		      h[i] == '.'))
			return 0;
	return 1;
}

/* ":PORT" (1..65535, at most 5 digits) from p to end; 443 when p == end.
 * The port, or -1. */
static long
origin_port(const char *p, const char *end)
{
	long port = 0;

	if (p == end)
		return 443;
	if (*p != ':' || end - p < 2 || end - p > 6)
		return -1;
	for (p++; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		port = port * 10 + (*p - '0');
	}
	return port >= 1 && port <= 65535 ? port : -1;
}

/* The host of an origin from p (after "https://") into host as it is
 * written in an origin ("[v6]" bracketed, names lower-cased); *rest
 * points past it. 0 or -1. */
static int
origin_host(const char *p, const char *end, char *host, size_t hostsz,
	    const char **rest)
{
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		unsigned char a[16];
		char v6[64], txt[INET6_ADDRSTRLEN];

		if (close == NULL || (size_t)(close - p - 1) >= sizeof(v6))
			return -1;
		memcpy(v6, p + 1, (size_t)(close - p - 1));
		v6[close - p - 1] = '\0';
		if (inet_pton(AF_INET6, v6, a) != 1 ||
		    inet_ntop(AF_INET6, a, txt, sizeof(txt)) == NULL)
			return -1;
		*rest = close + 1;
		return snprintf(host, hostsz, "[%s]", txt) < (int)hostsz ? 0
									: -1;
	}
	*rest = p;
	while (*rest < end && **rest != ':')
		(*rest)++;
	if (!host_name_ok(p, (size_t)(*rest - p)) ||
	    (size_t)(*rest - p) >= hostsz)
		return -1;
	for (size_t i = 0; p + i < *rest; i++)
		host[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a'
							       : p[i]);
	host[*rest - p] = '\0';
	return 0;
}

int
origin_canon(const char *text, char *out, size_t outsz)
{
	size_t n = strlen(text);
	const char *end = text + n;
	const char *rest = NULL;
	char host[260];
	long port;
	int k;

	if (n <= 8 || strncasecmp(text, "https://", 8) != 0)
		return -1;
	if (end[-1] == '/')
		end--;
	if (origin_host(text + 8, end, host, sizeof(host), &rest) < 0)
		return -1;
	port = origin_port(rest, end);
	if (port < 0)
		return -1;
	if (port == 443)
		k = snprintf(out, outsz, "https://%s", host);
	else
		k = snprintf(out, outsz, "https://%s:%ld", host, port);
	return k > 0 && (size_t)k < outsz ? 0 : -1;
}

int
origin_set_has(const struct origin_set *s, const char *origin)
{
	char canon[ORIGIN_MAX];

	if (origin == NULL || origin_canon(origin, canon, sizeof(canon)) < 0)
		return 0;
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->v[i], canon) == 0)
			return 1;
	return 0;
}

int
origin_set_add(struct origin_set *s, const char *text)
{
	char canon[ORIGIN_MAX];

	if (origin_canon(text, canon, sizeof(canon)) < 0)
		return -1;
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->v[i], canon) == 0)
			return 0;
	if (s->n == ORIGIN_SET_MAX)
		return -1;
	memcpy(s->v[s->n++], canon, strlen(canon) + 1);
	return 0;
}
