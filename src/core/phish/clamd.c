/*
 * The optional virus scan: the file's bytes handed to clamd with the
 * INSTREAM command, on a Unix socket or "tcp:HOST:PORT", within one
 * deadline for the whole exchange (connect, send, answer). A clamd that
 * cannot be reached or does not answer in time is not an error: the
 * result says the file was not scanned.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/phish/attach_int.h"

/* Milliseconds left until deadline (a CLOCK_MONOTONIC time), 0 if none. */
static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* Sets the socket's send and receive timeouts to what is left. -1 when
 * nothing is. */
static int
arm_timeouts(int fd, const struct timespec *deadline)
{
	long ms = ms_left(deadline);
	struct timeval tv;

	if (ms <= 0)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	return 0;
}

static int
send_all(int fd, const unsigned char *p, size_t n,
	 const struct timespec *deadline)
{
	while (n > 0) {
		ssize_t w;

		if (arm_timeouts(fd, deadline) < 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A socket connected to clamd at target (a Unix socket path, or
 * "tcp:HOST:PORT"), within the deadline; -1 when it cannot be reached. */
static int
clamd_connect(const char *target, const struct timespec *deadline)
{
	int fd = -1;

	if (strncmp(target, "tcp:", 4) == 0) {
		char host[256];
		const char *colon = strrchr(target + 4, ':');
		struct addrinfo hints, *ai = NULL;
		size_t hl;

		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - (target + 4));
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, target + 4, hl);
		host[hl] = '\0';
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
			return -1;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd >= 0 && (arm_timeouts(fd, deadline) < 0 ||
				connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(ai);
		return fd;
	} else {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(target) >= sizeof(sa.sun_path))
			return -1;
		memcpy(sa.sun_path, target, strlen(target) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && (arm_timeouts(fd, deadline) < 0 ||
				connect(fd, (struct sockaddr *)&sa,
					sizeof(sa)) < 0)) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
}

/*
 * INSTREAM to clamd: "zINSTREAM\0", chunks with 4-byte big-endian
 * lengths, a zero length, then one NUL-ended reply line. The whole
 * exchange (connect included) ends by timeout_ms. A clamd that cannot be
 * reached, hangs, closes early or answers something other than "OK" or
 * "FOUND" sets AR_AV_UNAVAILABLE (suspicious: the file was not scanned,
 * and the console says so); a FOUND sets AR_MALWARE.
 */
void
clamd_scan(const char *target, unsigned timeout_ms, const unsigned char *d,
	   size_t n, struct attach_result *r)
{
	static const char found[] = " FOUND";
	struct timespec deadline;
	char reply[256];
	size_t off = 0, got = 0;
	int fd = -1, answered = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	fd = clamd_connect(target, &deadline);
	if (fd < 0)
		goto out;
	if (send_all(fd, (const unsigned char *)"zINSTREAM", 10, &deadline) < 0)
		goto out;
	while (off <= n) {
		size_t chunk = n - off > 65536 ? 65536 : n - off;
		unsigned char hdr[4] = {(unsigned char)(chunk >> 24),
					(unsigned char)(chunk >> 16),
					(unsigned char)(chunk >> 8),
					(unsigned char)chunk};

		if (send_all(fd, hdr, 4, &deadline) < 0)
			goto out;
		if (chunk == 0)
			break;
		if (send_all(fd, d + off, chunk, &deadline) < 0)
			goto out;
		off += chunk;
	}
	/* Up to the reply's NUL (or newline), the peer's close or the
	 * deadline. */
	while (got < sizeof(reply) - 1) {
		ssize_t k;

		if (arm_timeouts(fd, &deadline) < 0)
			goto out;
		k = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (memchr(reply + got, '\0', (size_t)k) != NULL ||
		    memchr(reply + got, '\n', (size_t)k) != NULL) {
			got += (size_t)k;
			break;
		}
		got += (size_t)k;
	}
	if (got == 0)
		goto out;
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	/* "stream: <name> FOUND" */
	got = strlen(reply);
	if (got > 8 + sizeof(found) - 1 && memcmp(reply, "stream: ", 8) == 0 &&
	    strcmp(reply + got - (sizeof(found) - 1), found) == 0) {
		size_t k = got - 8 - (sizeof(found) - 1);

		answered = 1;
		r->reasons |= AR_MALWARE;
		if (k >= sizeof(r->malware))
			k = sizeof(r->malware) - 1;
		clean_name((const unsigned char *)reply + 8, k, r->malware,
			   sizeof(r->malware));
	} else if (strcmp(reply, "stream: OK") == 0) {
		answered = 1;
	}
out:
	if (!answered)
		r->reasons |= AR_AV_UNAVAILABLE;
	if (fd >= 0)
		close(fd);
}
