/*
 * Unit tests of SMTP delivery (core/mailer.c) against a small relay
 * running in a thread of the test on 127.0.0.1: it speaks ESMTP, offers
 * STARTTLS (GnuTLS, with a throwaway self-signed certificate made by
 * crypto/x509.c) and refuses mail before it, and records the envelope and
 * the message. A notification queued in a real SQLite store is delivered:
 * it arrives over TLS with the right headers and no message text or
 * personal data, and its outbox row is marked delivered. A relay that
 * answers 451 after the data keeps the row for a retry, and the retry then
 * delivers it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "core/app.h"
#include "util/errors.h"
#include "core/mailer.h"
#include "core/notify.h"
#include "core/tickets.h"
#include "crypto/x509.h"

#include "ticket_fixture.h"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-mailer-XXXXXX");
}

/* --- the relay ----------------------------------------------------------- */

#define RELAY_MAX (256 * 1024)

struct relay {
	int lfd;
	int port;
	int defer;		/* answer 451 after the data */
	const char *cert, *key;
	pthread_t th;
	/* What it saw. */
	int tls;		/* STARTTLS done before MAIL */
	int plain_mail;		/* MAIL tried before STARTTLS */
	char from[256], rcpt[256];
	char *data;		/* the message, dot-unstuffed */
	size_t data_len;
	int accepted;
};

struct conn {
	int fd;
	gnutls_session_t s;	/* NULL before STARTTLS */
	char buf[4096];
	size_t have;
};

static int
conn_send(struct conn *c, const char *t)
{
	size_t n = strlen(t);

	if (c->s != NULL)
		return gnutls_record_send(c->s, t, n) == (ssize_t)n ? 0 : -1;
	return send(c->fd, t, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* One CRLF-ended line into line (without CRLF). 0 or -1. */
static int
conn_line(struct conn *c, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->have);
		ssize_t k;

		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf) + 1;
			size_t l = n >= 2 && nl[-1] == '\r' ? n - 2 : n - 1;

			if (l >= cap)
				return -1;
			memcpy(line, c->buf, l);
			line[l] = '\0';
			memmove(c->buf, c->buf + n, c->have - n);
			c->have -= n;
			return 0;
		}
		if (c->have == sizeof(c->buf))
			return -1;
		if (c->s != NULL)
			k = gnutls_record_recv(c->s, c->buf + c->have,
					       sizeof(c->buf) - c->have);
		else
			k = recv(c->fd, c->buf + c->have,
				 sizeof(c->buf) - c->have, 0);
		if (k <= 0)
			return -1;
		c->have += (size_t)k;
	}
}

static int
starttls(struct relay *r, struct conn *c,
	 gnutls_certificate_credentials_t cred)
{
	int ret;

	if (gnutls_init(&c->s, GNUTLS_SERVER) < 0)
		return -1;
	gnutls_set_default_priority(c->s);
	gnutls_credentials_set(c->s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(c->s, c->fd);
	gnutls_handshake_set_timeout(c->s, 5000);
	do {
		ret = gnutls_handshake(c->s);
	} while (ret < 0 && gnutls_error_is_fatal(ret) == 0);
	(void)r;
	return ret < 0 ? -1 : 0;
}

static void *
relay_run(void *arg)
{
	struct relay *r = arg;
	gnutls_certificate_credentials_t cred = NULL;
	struct conn c;
	struct timeval tv = {5, 0};
	char line[1024];

	memset(&c, 0, sizeof(c));
	c.fd = accept(r->lfd, NULL, NULL);
	if (c.fd < 0)
		return NULL;
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_certificate_set_x509_key_file(cred, r->cert, r->key,
						 GNUTLS_X509_FMT_PEM) < 0)
		goto out;
	r->data = calloc(1, RELAY_MAX + 1);
	if (r->data == NULL || conn_send(&c, "220 relay.test ESMTP\r\n") < 0)
		goto out;
	while (conn_line(&c, line, sizeof(line)) == 0) {
		if (strncasecmp(line, "EHLO", 4) == 0) {
			conn_send(&c, c.s == NULL ? "250-relay.test\r\n"
						    "250-8BITMIME\r\n"
						    "250 STARTTLS\r\n"
						  : "250-relay.test\r\n"
						    "250 8BITMIME\r\n");
		} else if (strcasecmp(line, "STARTTLS") == 0 && c.s == NULL) {
			if (c.have != 0)
				goto out;	/* pipelined into TLS: refuse */
			conn_send(&c, "220 go ahead\r\n");
			if (starttls(r, &c, cred) < 0)
				goto out;
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			if (c.s == NULL) {
				r->plain_mail = 1;
				conn_send(&c, "530 5.7.0 STARTTLS first\r\n");
				continue;
			}
			r->tls = 1;
			snprintf(r->from, sizeof(r->from), "%.255s", line + 10);
			conn_send(&c, "250 ok\r\n");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			snprintf(r->rcpt, sizeof(r->rcpt), "%.255s", line + 8);
			conn_send(&c, "250 ok\r\n");
		} else if (strcasecmp(line, "DATA") == 0) {
			conn_send(&c, "354 end with .\r\n");
			while (conn_line(&c, line, sizeof(line)) == 0 &&
			       strcmp(line, ".") != 0) {
				const char *l = line[0] == '.' ? line + 1 : line;
				size_t n = strlen(l);

				if (r->data_len + n + 2 > RELAY_MAX)
					goto out;
				memcpy(r->data + r->data_len, l, n);
				memcpy(r->data + r->data_len + n, "\r\n", 2);
				r->data_len += n + 2;
			}
			if (r->defer) {
				conn_send(&c, "451 4.3.0 try again later\r\n");
			} else {
				r->accepted = 1;
				conn_send(&c, "250 queued\r\n");
			}
		} else if (strcasecmp(line, "QUIT") == 0) {
			conn_send(&c, "221 bye\r\n");
			break;
		} else if (strcasecmp(line, "RSET") == 0 ||
			   strcasecmp(line, "NOOP") == 0) {
			conn_send(&c, "250 ok\r\n");
		} else {
			conn_send(&c, "502 not here\r\n");
		}
	}
out:
	if (c.s != NULL) {
		gnutls_bye(c.s, GNUTLS_SHUT_WR);
		gnutls_deinit(c.s);
	}
	close(c.fd);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	return NULL;
}

static void
relay_start(struct relay *r, struct fx *f, int defer)
{
	static char cert[128], key[128];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memset(r, 0, sizeof(*r));
	snprintf(cert, sizeof(cert), "%s/relay.crt", f->dir);
	snprintf(key, sizeof(key), "%s/relay.key", f->dir);
	if (access(cert, R_OK) != 0)
		assert_int_equal(x509_selfsigned_create(key, cert, 2), 0);
	r->cert = cert;
	r->key = key;
	r->defer = defer;
	r->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(r->lfd, 4), 0);
	assert_int_equal(getsockname(r->lfd, (struct sockaddr *)&sa, &sl), 0);
	r->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&r->th, NULL, relay_run, r), 0);
	snprintf(f->app.cfg.smtp_url, sizeof(f->app.cfg.smtp_url),
		 "smtp://127.0.0.1:%d", r->port);
	snprintf(f->app.cfg.smtp_ca_file, sizeof(f->app.cfg.smtp_ca_file),
		 "%s", cert);
}

static void
relay_stop(struct relay *r)
{
	pthread_join(r->th, NULL);
	close(r->lfd);
}

static void
relay_clear(struct relay *r)
{
	free(r->data);
	r->data = NULL;
}

/* Queues the notification of an agent's reply; returns the ticket id. */
static int64_t
queue_notice(struct fx *f)
{
	struct ticket_rec t;
	struct tk_reply r;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "purple otter"), 0);
	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Card lost abroad",
					       "my card 4111 was taken", &t),
			 0);
	tk_reply_init(&r);
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, t.id,
				       "Your replacement ships on Monday", &r),
			 0);
	tk_reply_clear(&r);
	return t.id;
}

static size_t
outbox_pending(struct fx *f, int64_t at, int64_t *attempts)
{
	struct outbox_list l;
	size_t n;

	assert_int_equal(f->c->ops->outbox_due(f->c, at, 100, &l), 0);
	n = l.n;
	if (attempts != NULL && n > 0)
		*attempts = l.v[0].attempts;
	outbox_list_clear(&l);
	return n;
}

static void
test_smtp_delivered(void **state)
{
	struct fx *f = *state;
	struct relay r;
	char want[96];
	int64_t tk = queue_notice(f);
	int64_t now = (int64_t)time(NULL);

	relay_start(&r, f, 0);
	assert_int_equal(mailer_run_once(&f->app, now), 1);
	relay_stop(&r);
	assert_true(r.accepted);
	assert_true(r.tls);
	assert_false(r.plain_mail);
	assert_string_equal(r.from, "<no-reply@localhost>");
	assert_string_equal(r.rcpt, "<ada@example.org>");
	assert_non_null(r.data);
	assert_non_null(strstr(r.data, "From: no-reply@localhost\r\n"));
	assert_non_null(strstr(r.data, "\r\nTo: ada@example.org\r\n"));
	snprintf(want, sizeof(want),
		 "\r\nSubject: New secure message about ticket #%lld\r\n",
		 (long long)tk);
	assert_non_null(strstr(r.data, want));
	assert_non_null(strstr(r.data, "\r\nDate: "));
	assert_non_null(strstr(r.data, "\r\nMessage-ID: <"));
	assert_non_null(strstr(r.data, "@localhost>\r\n"));
	assert_non_null(strstr(r.data, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(r.data, "\r\nAuto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(r.data, "\r\n\r\n"));
	assert_non_null(strstr(r.data, f->app.cfg.portal_url));
	assert_non_null(strstr(r.data, "purple otter"));
	/* No message text, ticket subject or personal data. */
	assert_null(strstr(r.data, "replacement"));
	assert_null(strstr(r.data, "Monday"));
	assert_null(strstr(r.data, "Card lost"));
	assert_null(strstr(r.data, "4111"));
	assert_null(strstr(r.data, "Ada Customer"));
	assert_null(strstr(r.data, "7946"));
	assert_null(strstr(r.data, "Bcc"));
	relay_clear(&r);
	/* Marked delivered: never due again. */
	assert_int_equal(outbox_pending(f, INT64_MAX / 2, NULL), 0);
	assert_int_equal(mailer_run_once(&f->app, now + 100000), 0);
}

/* A relay that defers (451) after the data: the row stays for a retry. */
static void
test_smtp_deferred(void **state)
{
	struct fx *f = *state;
	struct relay r;
	int64_t attempts = 0;
	int64_t now = (int64_t)time(NULL);

	(void)queue_notice(f);
	relay_start(&r, f, 1);
	assert_int_equal(mailer_run_once(&f->app, now), 0);
	relay_stop(&r);
	assert_true(r.tls);
	assert_false(r.accepted);
	assert_true(r.data_len > 0);
	relay_clear(&r);
	assert_int_equal(outbox_pending(f, now, NULL), 0);
	assert_int_equal(outbox_pending(f, now + 100000, &attempts), 1);
	assert_int_equal(attempts, 1);
	/* The retry, to a relay that takes it. */
	relay_start(&r, f, 0);
	assert_int_equal(mailer_run_once(&f->app, now + 100000), 1);
	relay_stop(&r);
	assert_true(r.accepted);
	relay_clear(&r);
	assert_int_equal(outbox_pending(f, INT64_MAX / 2, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_smtp_delivered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_smtp_deferred, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
