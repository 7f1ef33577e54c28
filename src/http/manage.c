/*
 * The management listener (manage.h): one libmicrohttpd daemon of its
 * own, plain HTTP, a thread per connection (at most MANAGE_CONNECTIONS),
 * so a probe or a scrape is answered even when every thread of the
 * public and staff listeners is busy. A readiness probe waits for the
 * store at most READY_TIMEOUT_MS.
 *
 * It never reads a request body and never changes state: every answer is
 * decided from the method and the path, on the request's first call.
 */
#include "http/manage.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "core/health.h"
#include "http/server.h"
#include "util/errors.h"
#include "util/jsonenc.h"
#include "util/log.h"
#include "util/metrics.h"

#define MANAGE_CONNECTIONS 16
#define MANAGE_TIMEOUT_S 10
#define READY_TIMEOUT_MS 1000

#ifndef GH_VERSION
#define GH_VERSION "unknown"
#endif

struct manage {
	struct app *app;
	struct MHD_Daemon *d;
	struct sockaddr_storage addr; /* outlives the daemon (MHD keeps it) */
};

/* A reply: status, body (malloc'd, taken) and its type. */
struct mreply {
	unsigned status;
	char *body;
	size_t len;
	const char *type;
};

typedef void (*manage_fn)(struct manage *m, struct mreply *out);

/* Sets out to the JSON text of j (taken). */
static void
reply_json(struct mreply *out, unsigned status, json_t *j)
{
	out->status = status;
	out->type = "application/json; charset=utf-8";
	out->body = j != NULL ? jsonenc_dumps(j, &out->len) : NULL;
	json_decref(j);
}

/* Sets out to the registry's error err. */
static void
reply_error(struct mreply *out, int err)
{
	reply_json(out, (unsigned)err_status(err),
		   json_pack("{s:s, s:s}", "error", err_code(err), "message",
			     err_message(err)));
}

static void
get_healthz(struct manage *m, struct mreply *out)
{
	(void)m;
	reply_json(out, 200, json_pack("{s:s}", "status", "alive"));
}

static void
get_readyz(struct manage *m, struct mreply *out)
{
	unsigned failed = health_ready(m->app, READY_TIMEOUT_MS);
	json_t *names;

	if (failed == 0) {
		reply_json(out, 200, json_pack("{s:s}", "status", "ready"));
		return;
	}
	names = json_array();
	if (failed & HEALTH_STORE)
		json_array_append_new(names, json_string("store"));
	if (failed & HEALTH_MIGRATIONS)
		json_array_append_new(names, json_string("migrations"));
	if (failed & HEALTH_KEYS)
		json_array_append_new(names, json_string("keys"));
	reply_json(out, 503,
		   json_pack("{s:s, s:o}", "status", "not_ready", "failed",
			     names));
}

/* The gauges read at scrape time: the audit log's size, the records not
 * yet under a signed checkpoint and the newest checkpoint's age (+Inf
 * when none was signed yet). Left out when the store does not answer in
 * time: a missing series, not a made-up value. */
static void
write_audit_gauges(struct manage *m, FILE *f)
{
	struct health_audit a;
	char age[32] = "+Inf";

	if (health_audit(m->app, READY_TIMEOUT_MS, &a) < 0)
		return;
	metrics_write_gauge(f, "gatehouse_audit_records",
			    "Records in the audit log.", (double)a.records);
	metrics_write_gauge(f, "gatehouse_audit_unsigned_records",
			    "Audit records after the newest signed checkpoint.",
			    (double)(a.records - a.checkpoint_size));
	/* Never below 0: time() may read a clock a few milliseconds behind
	 * the database's at a second's turn. */
	if (a.have_checkpoint) {
		int64_t d = (int64_t)time(NULL) - a.checkpoint_created;

		snprintf(age, sizeof(age), "%lld", (long long)(d < 0 ? 0 : d));
	}
	fprintf(f,
		"# HELP gatehouse_audit_checkpoint_age_seconds Seconds since "
		"the newest signed checkpoint of the audit log (+Inf: none).\n"
		"# TYPE gatehouse_audit_checkpoint_age_seconds gauge\n"
		"gatehouse_audit_checkpoint_age_seconds %s\n",
		age);
}

static void
get_metrics(struct manage *m, struct mreply *out)
{
	FILE *f = open_memstream(&out->body, &out->len);

	if (f == NULL) {
		reply_error(out, GH_INTERNAL);
		return;
	}
	metrics_write(f);
	metrics_write_gauge(f, "gatehouse_ready",
			    "1 when /readyz would answer 200 now, else 0.",
			    health_ready(m->app, READY_TIMEOUT_MS) == 0 ? 1 : 0);
	write_audit_gauges(m, f);
	fprintf(f,
		"# HELP gatehouse_build_info The running build; always 1.\n"
		"# TYPE gatehouse_build_info gauge\n"
		"gatehouse_build_info{version=\"%s\"} 1\n",
		GH_VERSION);
	if (fclose(f) != 0) {
		free(out->body);
		out->body = NULL;
		reply_error(out, GH_INTERNAL);
		return;
	}
	out->status = 200;
	out->type = "text/plain; version=0.0.4; charset=utf-8";
}

/* The listener's whole surface. */
static const struct {
	const char *path;
	manage_fn fn;
} manage_routes[] = {
	{"/healthz", get_healthz},
	{"/readyz", get_readyz},
	{"/metrics", get_metrics},
};

/* Decides the reply to method and path. */
static void
route(struct manage *m, const char *method, const char *url,
      struct mreply *out, int *allow)
{
	*allow = 0;
	for (size_t i = 0; i < sizeof(manage_routes) / sizeof(manage_routes[0]);
	     i++) {
		if (strcmp(manage_routes[i].path, url) != 0)
			continue;
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
			*allow = 1;
			reply_error(out, GH_METHOD_NOT_ALLOWED);
			return;
		}
		manage_routes[i].fn(m, out);
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		*allow = 1;
		reply_error(out, GH_METHOD_NOT_ALLOWED);
		return;
	}
	reply_error(out, GH_NOT_FOUND);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_size, void **con_cls)
{
	struct mreply out = {0, NULL, 0, NULL};
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int allow;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	route(cls, method, url, &out, &allow);
	if (out.body == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(out.len, out.body,
					       MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(out.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", out.type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	ret = MHD_queue_response(c, out.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* 1 when the address is a loopback one (127.0.0.0/8, ::1). */
static int
is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const void *)ss;

		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const void *)ss;

		return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
	}
	return 0;
}

int
manage_start(struct app *app, const char *addr, struct manage **out,
	     char *err, size_t errsz)
{
	/* No MHD_USE_ERROR_LOG: the log holds JSON lines only, and a
	 * failure to listen is reported below. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION;
	struct manage *m;
	unsigned alen = 0;

	*out = NULL;
	if (strcmp(addr, "off") == 0)
		return 0;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	m->app = app;
	if (server_parse_addr(addr, &m->addr, &alen) < 0) {
		snprintf(err, errsz, "[server] manage_listen '%s' is not "
				     "ADDRESS:PORT or off", addr);
		free(m);
		return -1;
	}
	if (m->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&m->addr, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)MANAGE_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)MANAGE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(16 * 1024), MHD_OPTION_END);
	if (m->d == NULL) {
		snprintf(err, errsz,
			 "cannot listen on %s for management (in use or not "
			 "permitted)",
			 addr);
		free(m);
		return -1;
	}
	if (!is_loopback(&m->addr))
		log_event(LOG_WARN, "manage.not_loopback",
			  json_pack("{s:s, s:s}", "address", addr, "note",
				    "the management listener is plain HTTP: "
				    "keep it on a private network"));
	log_event(LOG_INFO, "manage.listening",
		  json_pack("{s:s}", "address", addr));
	*out = m;
	return 0;
}

void
manage_stop(struct manage *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->d);
	free(m);
}
