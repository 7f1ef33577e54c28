/*
 * The outbox delivery thread (see core/mailer.h). Each round: read the due
 * rows, claim each (move its next attempt into the future, so a crash or a
 * second node does not send it twice in quick succession), open the
 * sealed recipient and phrase, format the mail, deliver it to a file or
 * the SMTP relay, and record the outcome. Nothing here logs a recipient,
 * a phrase or a mail text.
 */
#include "core/mailer.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/errors.h"
#include "core/notify.h"
#include "util/log.h"

#define BATCH 16
#define CLAIM_SECS 300     /* a claimed row is retried after this */
#define BACKOFF_BASE 10
#define BACKOFF_MAX 3600
#define POLL_MS 500

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running;
	int stop;
	struct app *app;
} M = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* --- formatting ---------------------------------------------------------- */

int
mailer_header_ok(const char *v)
{
	if (v == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
mailer_addr_ok(const char *addr)
{
	const char *at;

	if (!mailer_header_ok(addr) || strlen(addr) > 254)
		return 0;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		if (*p <= 0x20 || strchr("<>,;:\"\\()[]", *p) != NULL)
			return 0;
	at = strchr(addr, '@');
	return at != NULL && at != addr && at[1] != '\0' &&
	       strchr(at + 1, '@') == NULL;
}

/* Appends s to the growing buffer, turning bare \n into CRLF. */
struct buf {
	char *p;
	size_t len, cap;
	int err;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_crlf_text(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			buf_add(b, "\r\n", 2);
		else
			buf_add(b, p, 1);
	}
}

int
mailer_format(const char *from, const char *to, const char *subject,
	      const char *ref, int64_t date, const char *body, char **out,
	      size_t *len)
{
	struct buf b = {NULL, 0, 0, 0};
	char datebuf[64];
	struct tm tm;
	time_t t = (time_t)date;
	const char *domain;

	*out = NULL;
	*len = 0;
	/* ASVS 1.3.11: no header value may carry CR/LF or other controls. */
	if (!mailer_addr_ok(from) || !mailer_addr_ok(to) ||
	    !mailer_header_ok(subject) || !mailer_header_ok(ref) ||
	    strchr(ref, '@') != NULL || strchr(ref, '>') != NULL)
		return -GH_BAD_FIELD;
	domain = strchr(from, '@') + 1;
	gmtime_r(&t, &tm);
	strftime(datebuf, sizeof(datebuf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_str(&b, "From: ");
	buf_str(&b, from);
	buf_str(&b, "\r\nTo: ");
	buf_str(&b, to);
	buf_str(&b, "\r\nSubject: ");
	buf_str(&b, subject);
	buf_str(&b, "\r\nDate: ");
	buf_str(&b, datebuf);
	buf_str(&b, "\r\nMessage-ID: <");
	buf_str(&b, ref);
	buf_str(&b, "@");
	buf_str(&b, domain);
	buf_str(&b, ">\r\nMIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n"
		    "Auto-Submitted: auto-generated\r\n\r\n");
	buf_crlf_text(&b, body);
	if (b.len < 2 || memcmp(b.p + b.len - 2, "\r\n", 2) != 0)
		buf_str(&b, "\r\n");
	if (b.err) {
		free(b.p);
		return -GH_INTERNAL;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

/* --- delivery ------------------------------------------------------------ */

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes the mail as DIR/<created>-<ref><ext> (".eml", ".sms") via a
 * temporary file. */
static int
deliver_file(struct app *app, const struct outbox_rec *o, const char *ext,
	     const char *msg, size_t len, const char **why)
{
	char tmp[CONFIG_STR_MAX + 128];
	char dst[CONFIG_STR_MAX + 128];
	int fd;

	if (mkdir(app->outbox, 0700) < 0 && errno != EEXIST) {
		*why = "outbox directory cannot be created";
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", app->outbox, o->ref);
	snprintf(dst, sizeof(dst), "%s/%lld-%s%s", app->outbox,
		 (long long)o->created_at, o->ref, ext);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		*why = "cannot create the file";
		return -1;
	}
	if (write_all(fd, msg, len) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		*why = "cannot write the file";
		return -1;
	}
	close(fd);
	if (rename(tmp, dst) < 0) {
		unlink(tmp);
		*why = "cannot rename the file";
		return -1;
	}
	return 0;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t
on_read(char *dst, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t want = size * n;

	if (want > u->left)
		want = u->left;
	memcpy(dst, u->p, want);
	u->p += want;
	u->left -= want;
	return want;
}

static int
deliver_smtp(struct app *app, const char *to, const char *msg, size_t len,
	     const char **why)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	struct upload u = {msg, len};
	char from[CONFIG_STR_MAX + 4];
	char rcpt_buf[300];
	CURLcode rc;

	if (curl == NULL) {
		*why = "curl init failed";
		return -1;
	}
	snprintf(from, sizeof(from), "<%s>", app->cfg.mail_from);
	snprintf(rcpt_buf, sizeof(rcpt_buf), "<%s>", to);
	rcpt = curl_slist_append(NULL, rcpt_buf);
	curl_easy_setopt(curl, CURLOPT_URL, app->cfg.smtp_url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	/* The relay's certificate and name are always verified; a private
	 * CA is named in the config. */
	if (app->cfg.smtp_ca_file[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_CAINFO, app->cfg.smtp_ca_file);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		/* curl's message names the step, never the mail. */
		*why = curl_easy_strerror(rc);
		return -1;
	}
	return 0;
}

static int64_t
backoff(int64_t attempts)
{
	int64_t d = BACKOFF_BASE;

	for (int64_t i = 0; i < attempts && d < BACKOFF_MAX; i++)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/* 1 for a kind whose whole text is sealed in the phrase column. */
static int
sealed_text(const char *kind)
{
	return strcmp(kind, MAILER_KIND_CODE_EMAIL) == 0 ||
	       strcmp(kind, MAILER_KIND_CODE_SMS) == 0;
}

/* A text message as a file: "To: NUMBER", a blank line, the text. There
 * is no SMS gateway: DIR/outbox/ is where an operator's gateway picks it
 * up. */
static int
format_sms(const char *to, const char *body, char **msg, size_t *len,
	   const char **why)
{
	int n;

	*msg = NULL;
	if (!mailer_header_ok(to)) {
		*why = "a header value is not acceptable";
		return -1;
	}
	n = asprintf(msg, "To: %s\n\n%s", to, body);
	if (n < 0) {
		*msg = NULL;
		*why = "out of memory";
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

/* Delivers one claimed row. 0 or -1 with *why (static text). */
static int
deliver(struct app *app, const struct outbox_rec *o, int64_t now,
	const char **why)
{
	char ad[160];
	char *to = NULL, *phrase = NULL, *body = NULL, *msg = NULL;
	size_t len = 0, msg_len = 0;
	int rc = -1;

	snprintf(ad, sizeof(ad), "outbox.recipient:%s", o->ref);
	if (o->recipient.data == NULL ||
	    crypto_open(app->keys, ad, o->recipient.data, o->recipient.len,
			&to, &len) < 0) {
		*why = "recipient does not open";
		goto out;
	}
	if (o->phrase.data != NULL) {
		snprintf(ad, sizeof(ad), "outbox.phrase:%s", o->ref);
		if (crypto_open(app->keys, ad, o->phrase.data, o->phrase.len,
				&phrase, &len) < 0) {
			*why = "phrase does not open";
			goto out;
		}
	}
	body = sealed_text(o->kind) ? (phrase != NULL ? strdup(phrase) : NULL)
				    : notify_compose(o->body_text, phrase);
	if (body == NULL) {
		*why = "out of memory";
		goto out;
	}
	if (strcmp(o->kind, MAILER_KIND_CODE_SMS) == 0) {
		rc = format_sms(to, body, &msg, &msg_len, why);
		if (rc == 0)
			rc = deliver_file(app, o, ".sms", msg, msg_len, why);
		goto out;
	}
	if (mailer_format(app->cfg.mail_from, to, o->subject, o->ref, now,
			  body, &msg, &msg_len) < 0) {
		*why = "a header value is not acceptable";
		goto out;
	}
	if (app->cfg.smtp_url[0] == '\0')
		rc = deliver_file(app, o, ".eml", msg, msg_len, why);
	else
		rc = deliver_smtp(app, to, msg, msg_len, why);
out:
	crypto_secret_free(to);
	crypto_secret_free(phrase);
	if (body != NULL) {
		crypto_wipe(body, strlen(body));
		free(body);
	}
	if (msg != NULL) {
		crypto_wipe(msg, msg_len);
		free(msg);
	}
	return rc;
}

int
mailer_run_once(struct app *app, int64_t now)
{
	struct store_conn *c = store_acquire(app->store);
	struct outbox_list due = {NULL, 0};
	int delivered = 0;
	int rc;

	rc = c->ops->outbox_due(c, now, BATCH, &due);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < due.n; i++) {
		const struct outbox_rec *o = &due.v[i];
		const char *why = NULL;

		rc = c->ops->outbox_claim(c, o->id, o->next_attempt_at,
					  now + CLAIM_SECS);
		if (rc == -GH_CONFLICT)
			continue; /* another node has it */
		if (rc < 0)
			goto out;
		if (deliver(app, o, now, &why) == 0) {
			rc = c->ops->outbox_delivered(c, o->id, now);
			if (rc < 0)
				goto out;
			delivered++;
			log_event(LOG_INFO, "mail.delivered",
				  json_pack("{s:I, s:s, s:s}", "outbox",
					    (json_int_t)o->id, "kind", o->kind,
					    "via",
					    app->cfg.smtp_url[0] ? "smtp"
								 : "file"));
			continue;
		}
		rc = c->ops->outbox_failed(c, o->id,
					   now + backoff(o->attempts), why);
		log_event(LOG_WARN, "mail.failed",
			  json_pack("{s:I, s:I, s:s}", "outbox",
				    (json_int_t)o->id, "attempts",
				    (json_int_t)(o->attempts + 1), "reason",
				    why != NULL ? why : "unknown"));
		if (rc < 0)
			goto out;
	}
	rc = delivered;
out:
	outbox_list_clear(&due);
	store_release(app->store, c);
	return rc;
}

/* --- the thread ---------------------------------------------------------- */

static void *
run(void *arg)
{
	struct app *app = arg;

	pthread_mutex_lock(&M.lock);
	while (!M.stop) {
		struct timespec ts;

		pthread_mutex_unlock(&M.lock);
		if (mailer_run_once(app, (int64_t)time(NULL)) < 0)
			log_event(LOG_WARN, "mail.round_failed", NULL);
		pthread_mutex_lock(&M.lock);
		if (M.stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)POLL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&M.cond, &M.lock, &ts);
	}
	pthread_mutex_unlock(&M.lock);
	return NULL;
}

int
mailer_start(struct app *app)
{
	int rc = -GH_INTERNAL;

	pthread_mutex_lock(&M.lock);
	if (M.running)
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		goto out;
	M.app = app;
	M.stop = 0;
	if (pthread_create(&M.thread, NULL, run, app) != 0)
		goto out;
	M.running = 1;
	rc = 0;
out:
	pthread_mutex_unlock(&M.lock);
	return rc;
}

void
mailer_stop(void)
{
	pthread_mutex_lock(&M.lock);
	if (!M.running) {
		pthread_mutex_unlock(&M.lock);
		return;
	}
	M.stop = 1;
	pthread_cond_signal(&M.cond);
	pthread_mutex_unlock(&M.lock);
	pthread_join(M.thread, NULL);
	pthread_mutex_lock(&M.lock);
	M.running = 0;
	M.app = NULL;
	pthread_mutex_unlock(&M.lock);
}
