/*
 * The nodes of the two-node benchmark (bench/load_nodes.c): each a real
 * `gatehouse serve` ($GH_BIN) on three free 127.0.0.1 ports (public,
 * staff, management), its stderr in s->log. Each function exits the
 * process with a message on failure (a benchmark, not a test).
 */
#ifndef GH_BENCH_NODELIB_H
#define GH_BENCH_NODELIB_H

#include <stddef.h>
#include <sys/types.h>

struct gh_server;

/* `gatehouse serve` on s->dir (initialised) on new ports; waits until
 * they accept. */
void node_serve(struct gh_server *s);
/* A new data directory (`init`, with --store url when url != NULL) and
 * its node serving. */
void node_init(struct gh_server *s, const char *url);
/* A second node: a copy of s's data directory (its keys, config and
 * certificate: what a second machine is given), serving. */
void node_copy(const struct gh_server *s, struct gh_server *out);
/* Stops the node, sets [server] threads to n and serves it again. */
void node_threads(struct gh_server *s, int n);
/* Stops the node and removes its directory (the parent of s->dir);
 * again on the same s, nothing. */
void node_remove(struct gh_server *s);

/* CPU seconds (user + system) process pid has used; 0 when unreadable. */
double node_cpu_s(pid_t pid);
/* The sum of the samples of counter name in the node's GET /metrics (its
 * management listener, plain HTTP on 127.0.0.1); -1 when it does not
 * answer. */
double node_metric(const struct gh_server *s, const char *name);
/* Runs sql on the database libpq's conninfo names; the first column of
 * the first row (or "") into out when out != NULL. 0, or -1 (said on
 * stderr). */
int pg_admin(const char *conninfo, const char *sql, char *out, size_t outsz);
/* CPU seconds of the backends connected to database db now (0 when the
 * cluster does not answer). A backend that connected meanwhile counts
 * from its start. */
double pg_backends_cpu_s(const char *conninfo, const char *db);

#endif
