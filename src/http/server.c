/*
 * libmicrohttpd front end: the two listeners. One daemon per listener,
 * each an epoll event loop on a small pool of threads ([server] threads,
 * default one per core): a connection costs memory, not a thread, so a
 * listener holds tens of thousands ([server] max_connections, the
 * open-file limit raised to fit at start), with a per-address limit. A
 * handler runs on a pool thread and holds it, and every connection of
 * that thread, while it runs: slow work (password hashing, mail, virus
 * scans) must be suspended and done elsewhere (http/defer.h); suspend and
 * resume are enabled. TLS through GnuTLS with an AEAD-only priority
 * string. Who is served at all is decided at accept, before TLS, by
 * admit.c (the staff network allow-list, the budget of new connections
 * a second), beside libmicrohttpd's per-address limit.
 * What happens to a request is in conn.c (and the files it calls), the
 * header deadline and body rate in watch.c; this file starts the
 * daemons, says at start-up which URLs each listener answers and
 * accepts, and stops them gracefully.
 */
#include "http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/app.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "http/admit.h"
#include "http/defer.h"
#include "http/sse.h"
#include "util/log.h"

const char server_tls_priority[] =
	"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"
	"+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:"
	"-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:"
	"-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE";

#define HEADER_MEMORY (32 * 1024)

/* Descriptors kept for everything but client connections: the listening
 * sockets, epoll and wake-up pipes, the database and its journal, the
 * log, mail, clamd. */
#define FD_RESERVE 256

/* The event-loop threads per listener: [server] threads, or one per
 * core. */
static unsigned
pool_size(const struct config *cfg)
{
	long n;

	if (cfg->server_threads > 0)
		return (unsigned)cfg->server_threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Raises the soft open-file limit so both listeners can hold [server]
 * max_connections each; returns how many each may hold, fewer (with a
 * warning) when the hard limit is too low. */
static unsigned
fit_connections(const struct config *cfg)
{
	rlim_t want = (rlim_t)cfg->max_connections * 2 + FD_RESERVE;
	struct rlimit rl;
	rlim_t fits;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return (unsigned)cfg->max_connections;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want
				      ? rl.rlim_max
				      : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return (unsigned)cfg->max_connections;
	fits = rl.rlim_cur > FD_RESERVE + 8 ? (rl.rlim_cur - FD_RESERVE) / 2
					    : 4;
	log_event(LOG_WARN, "server.connections_limited",
		  json_pack("{s:I, s:I, s:I}", "max_connections",
			    (json_int_t)cfg->max_connections, "per_listener",
			    (json_int_t)fits, "open_files",
			    (json_int_t)rl.rlim_cur));
	return (unsigned)fits;
}

/* Every accept decision of ours is admit.c's: the staff network
 * allow-list and the budget of new connections (libmicrohttpd applies
 * the per-address limit itself). */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct listener *l = cls;

	if (atomic_load(&l->srv->stopping))
		return MHD_NO;
	return admit_check(l->admit, addr, len, http_now_us()) == ADMIT_YES
		       ? MHD_YES
		       : MHD_NO;
}

/* Keeps admit.c's table of connected addresses, then the connection
 * watch (watch.c). */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
	      enum MHD_ConnectionNotificationCode toe)
{
	struct listener *l = cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	if (ci != NULL && ci->client_addr != NULL) {
		if (toe == MHD_CONNECTION_NOTIFY_STARTED)
			admit_opened(l->admit, ci->client_addr);
		else
			admit_closed(l->admit, ci->client_addr);
	}
	http_on_connection(cls, c, socket_context, toe);
}

/* MHD's logger hands us its own printf format: trusted, not input. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_event(LOG_DEBUG, "mhd", json_pack("{s:s}", "msg", msg));
}
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

int
server_parse_addr(const char *text, void *out, unsigned *len_out)
{
	struct sockaddr_storage *ss = out;
	char host[128];
	const char *colon;
	const char *port_s;
	char *end = NULL;
	long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - text - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
		port_s = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - text);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text, hl);
		host[hl] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (errno != 0 || end == port_s || *end != '\0' || port < 0 ||
	    port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	{
		struct sockaddr_in *v4 = out;
		struct sockaddr_in6 *v6 = out;

		if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			v4->sin_port = htons((uint16_t)port);
			*len_out = sizeof(*v4);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
			v6->sin6_family = AF_INET6;
			v6->sin6_port = htons((uint16_t)port);
			*len_out = sizeof(*v6);
			return 0;
		}
	}
	return -1;
}

/* One log line per listener: its address and the URLs (origins) a
 * browser may use with it, the first being the one to open. */
static void
log_listening(const struct config *cfg, enum listener_kind kind,
	      const char *addr)
{
	const struct origin_set *o = kind == LISTEN_STAFF
					     ? &cfg->staff_origins
					     : &cfg->public_origins;
	json_t *urls = json_array();

	for (unsigned i = 0; i < o->n; i++)
		json_array_append_new(urls, json_sprintf("%s/", o->v[i]));
	log_event(LOG_INFO, "server.listening",
		  json_pack("{s:s, s:s, s:o}", "listener",
			    kind == LISTEN_STAFF ? "staff" : "public",
			    "address", addr, "urls", urls));
}

static int
listener_start(struct server *srv, struct listener *l, const char *addr,
	       char *err, size_t errsz)
{
	const struct config *cfg = &srv->app->cfg;
	unsigned alen = 0;
	unsigned flags = MHD_USE_TLS | MHD_USE_EPOLL_INTERNAL_THREAD |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	l->srv = srv;
	if (server_parse_addr(addr, &l->addr, &alen) < 0) {
		snprintf(err, errsz, "'%s' is not ADDRESS:PORT", addr);
		return -1;
	}
	if (l->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (admit_new(l->kind == LISTEN_STAFF ? "staff" : "public",
		      l->kind == LISTEN_STAFF ? cfg->staff_networks : NULL,
		      l->kind == LISTEN_STAFF ? cfg->n_staff_networks : 0,
		      cfg->new_connections_per_second, srv->max_connections,
		      &l->admit) < 0) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	l->d = MHD_start_daemon(
		flags, 0, on_accept, l, http_on_access, l,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&l->addr,
		MHD_OPTION_HTTPS_MEM_KEY, srv->key,
		MHD_OPTION_HTTPS_MEM_CERT, srv->cert,
		MHD_OPTION_HTTPS_PRIORITIES, server_tls_priority,
		MHD_OPTION_URI_LOG_CALLBACK, http_on_uri, l,
		MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, l,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		MHD_OPTION_THREAD_POOL_SIZE, srv->threads,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, srv->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)cfg->connection_timeout,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (l->d == NULL) {
		snprintf(err, errsz,
			 "cannot listen on %s (in use, not permitted, or the TLS "
			 "key/certificate is unusable)",
			 addr);
		return -1;
	}
	return 0;
}

int
server_start(struct app *app, const char *listen, const char *staff,
	     struct server **out, char *err, size_t errsz)
{
	struct server *srv = calloc(1, sizeof(*srv));
	char path[CONFIG_STR_MAX + 64];

	*out = NULL;
	if (srv == NULL)
		return -1;
	srv->app = app;
	srv->pub.kind = LISTEN_PUBLIC;
	srv->staff.kind = LISTEN_STAFF;
	if (config_path(&app->cfg, app->cfg.tls_cert, path, sizeof(path)) == 0)
		srv->cert = x509_read_file(path, NULL);
	if (config_path(&app->cfg, app->cfg.tls_key, path, sizeof(path)) == 0)
		srv->key = x509_read_file(path, &srv->key_len);
	if (srv->cert == NULL || srv->key == NULL) {
		snprintf(err, errsz, "cannot read the TLS certificate or key");
		goto fail;
	}
	srv->threads = pool_size(&app->cfg);
	srv->max_connections = fit_connections(&app->cfg);
	if (http_watch_start(srv) < 0) {
		snprintf(err, errsz, "cannot start the connection watch");
		goto fail;
	}
	if (sse_start(srv) < 0) {
		snprintf(err, errsz, "cannot start the live update streams");
		goto fail;
	}
	if (listener_start(srv, &srv->pub, listen, err, errsz) < 0)
		goto fail;
	if (listener_start(srv, &srv->staff, staff, err, errsz) < 0)
		goto fail;
	/* The daemons hold their own copies now. */
	crypto_wipe(srv->key, srv->key_len);
	log_listening(&app->cfg, LISTEN_PUBLIC, listen);
	log_listening(&app->cfg, LISTEN_STAFF, staff);
	*out = srv;
	return 0;
fail:
	server_stop(srv);
	return -1;
}

void
server_stop(struct server *srv)
{
	struct listener *ls[2];

	if (srv == NULL)
		return;
	ls[0] = &srv->pub;
	ls[1] = &srv->staff;
	/* Nobody new from here on: every new connection is closed at accept.
	 * Not MHD_quiesce_daemon(): with an epoll thread pool it races the
	 * pool's threads removing the listen socket from their epoll sets
	 * and aborts the process ("Failed to remove listen FD from epoll
	 * set", libmicrohttpd 0.9.75) when a thread was first. */
	atomic_store(&srv->stopping, 1);
	sse_stop(srv); /* open event streams end now */
	/* Let requests in flight finish: up to 10 s. */
	for (int tries = 0; tries < 100; tries++) {
		unsigned busy = 0;

		for (int i = 0; i < 2; i++) {
			const union MHD_DaemonInfo *di;

			if (ls[i]->d == NULL)
				continue;
			di = MHD_get_daemon_info(ls[i]->d,
						 MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
			if (di != NULL)
				busy += di->num_connections;
		}
		if (busy == 0)
			break;
		usleep(100000);
	}
	defer_shutdown();
	for (int i = 0; i < 2; i++) {
		if (ls[i]->d != NULL)
			MHD_stop_daemon(ls[i]->d);
		admit_free(ls[i]->admit);
	}
	http_watch_stop(srv);
	if (srv->key != NULL) {
		crypto_wipe(srv->key, srv->key_len);
		free(srv->key);
	}
	free(srv->cert);
	free(srv);
}
