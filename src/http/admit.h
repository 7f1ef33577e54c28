/*
 * Admission at accept (issue 14, part FLOOD): the one place where a
 * listener decides, from the client's address alone and before any TLS
 * byte, whether a new connection is served. Two rules, in this order:
 *  - the staff listener serves only [server] staff_networks;
 *  - a budget of new connections a second ([server]
 *    new_connections_per_second, a token bucket holding one second's
 *    worth): past it, a connection from an address that holds no open
 *    connection on this listener is closed at once (a flood of fresh
 *    addresses then costs an accept and a close, not a handshake), while
 *    an address that already holds one (a console's browser opening a
 *    second connection) is still served and takes no token.
 * (The per-address connection limit, [server] per_ip_connections, is
 * libmicrohttpd's own check at the same point.) "Holds a connection"
 * means an accepted one, whether or not its TLS handshake is done: an
 * address that keeps one connection open may open more past the budget,
 * bounded by per_ip_connections at a time and by the header deadline;
 * the budget is against many fresh addresses, not one busy one.
 *
 * Refusals are logged, never one line per connection under a flood: per
 * listener and rule, the first ADMIT_BURST of a window of ADMIT_WINDOW
 * seconds one by one, the rest counted and summarised in one
 * "security.connections_refused" line at the next refusal after the
 * window and when the listener stops. Invariant: the table of open
 * addresses holds exactly the addresses with an open connection that
 * admit_opened() saw and admit_closed() has not yet released, with their
 * counts; it is keyed by a random-keyed hash, so chosen addresses cannot
 * collide on purpose.
 */
#ifndef GH_HTTP_ADMIT_H
#define GH_HTTP_ADMIT_H

#include <stdint.h>
#include <sys/socket.h>

#include "core/config.h"

#define ADMIT_WINDOW 60
#define ADMIT_BURST 5

enum admit_verdict {
	ADMIT_YES = 0,
	ADMIT_OUTSIDE_NETWORK, /* staff listener, address not allowed */
	ADMIT_OVER_BUDGET,     /* budget spent, address holds nothing */
};

struct admit;

/*
 * The policy of one listener named name ("staff", "public"; kept by
 * reference). nets/n_nets: the allowed networks (kept by reference), or
 * NULL for any address. per_second: the budget of new connections a
 * second from addresses holding none (>= 1). max_conns: the most
 * connections the listener holds (sizes the table of open addresses).
 * 0, or -1 without memory.
 */
int admit_new(const char *name, const struct cidr *nets, unsigned n_nets,
	      int64_t per_second, unsigned max_conns, struct admit **out);

/* Logs the summary of what was counted and not logged, then frees a
 * (NULL is fine). */
void admit_free(struct admit *a);

/* The verdict for a new connection from addr (len bytes) at now_us
 * (microseconds, monotonic), logging a refusal as described above. A
 * connection with an address that is neither IPv4 nor IPv6 is refused as
 * outside the networks when there are networks, else admitted with a
 * token as a fresh address. Thread-safe. */
enum admit_verdict admit_check(struct admit *a, const struct sockaddr *addr,
			       socklen_t len, int64_t now_us);

/* A connection from addr was opened (served) / has closed. Every
 * admit_opened() must be followed by one admit_closed() of the same
 * address. Thread-safe. */
void admit_opened(struct admit *a, const struct sockaddr *addr);
void admit_closed(struct admit *a, const struct sockaddr *addr);

/* The number of addresses holding an open connection (tests). */
unsigned admit_open_addresses(struct admit *a);

#endif
