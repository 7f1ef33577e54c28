/*
 * The nodes of the two-node benchmark (bench/load_nodes.c): each a real
 * `gatehouse serve` ($GH_BIN) on three free 127.0.0.1 ports (public,
 * staff, management), its stderr in s->log. Each function exits the
 * process with a message on failure (a benchmark, not a test).
 */
#ifndef GH_BENCH_NODELIB_H
#define GH_BENCH_NODELIB_H

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

#endif
