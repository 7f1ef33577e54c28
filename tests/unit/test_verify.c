/*
 * Unit tests of core/verify (caller verification) on a real SQLite store
 * with an injected clock: the levels (NIST SP 800-63B: e-mail and SMS
 * codes never count alone, two passes of one method count once), the
 * customer's TOTP (right, wrong, replayed), one-time codes by e-mail and
 * SMS read back from the delivered outbox files (single use, expiry,
 * five tries, a resend keeps the count, never stored in clear), number
 * matching in the portal (right number, wrong number, denial: lock,
 * supervisors alerted), liveness (expiry, reassignment, queue move,
 * solved, the agent's and the customer's sessions), another agent,
 * the open limit, the lock cleared only by a supervisor, and the masks.
 * ASVS 6.5.1 (single-use codes), 6.5.5 (OOB codes <= 10 min), 6.6.3
 * (OOB codes rate-limited), 6.4.2 (no knowledge questions), 8.2.2
 * (bound to its agent, ticket and customer), 2.3.5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "core/config.h"
#include "core/mailer.h"
#include "core/verify.h"
#include "crypto/crypto.h"
#include "crypto/totp.h"
#include "store/store.h"
#include "util/errors.h"

#include "ticket_fixture.h"

#define AGENT_SESSION "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define AGENT2_SESSION "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"
#define CUST_SESSION "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"

static const unsigned char seed[TOTP_SECRET_BYTES] = "0123456789abcdefghij";

struct vx {
	struct fx f;
	int64_t now;
	int64_t ticket;
};

static void
add_session(struct fx *f, const char *hash, enum realm realm, int64_t id,
	    int64_t now)
{
	struct session_rec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.token_hash, sizeof(s.token_hash), "%s", hash);
	s.realm = realm;
	s.principal_id = id;
	s.created_at = now;
	s.last_seen = now;
	s.idle_secs = 3600;
	s.abs_expires = now + 86400;
	s.mfa = 1;
	snprintf(s.ip, sizeof(s.ip), "127.0.0.1");
	assert_int_equal(f->c->ops->session_insert(f->c, &s), 0);
}

/* Gives customer Ada a real authenticator seed, sealed as accounts are. */
static void
set_seed(struct fx *f)
{
	char idx[CRYPTO_HASH_HEX], ad[160];
	struct blob b = {NULL, 0};

	crypto_index(f->app.keys, "customer.email", "ada@example.org",
		     strlen("ada@example.org"), idx);
	snprintf(ad, sizeof(ad), "customer.totp:%s", idx);
	assert_int_equal(crypto_seal(f->app.keys, ad, seed, sizeof(seed),
				     &b.data, &b.len), 0);
	assert_int_equal(f->c->ops->account_set_totp(f->c, REALM_CUSTOMER,
						     f->cust_a, &b, 1), 0);
	blob_clear(&b);
}

static int
setup(void **state)
{
	struct vx *x;

	if (fx_setup(state, "/tmp/gh-test-verify-XXXXXX") != 0)
		return -1;
	x = realloc(*state, sizeof(*x));
	if (x == NULL)
		return -1;
	x->now = (int64_t)time(NULL);
	set_seed(&x->f);
	assert_int_equal(x->f.c->ops->ticket_insert(x->f.c, x->f.cust_a,
						    "Help", x->now, &x->ticket),
			 0);
	add_session(&x->f, AGENT_SESSION, REALM_STAFF, x->f.agent1, x->now);
	add_session(&x->f, AGENT2_SESSION, REALM_STAFF, x->f.agent2, x->now);
	add_session(&x->f, CUST_SESSION, REALM_CUSTOMER, x->f.cust_a, x->now);
	*state = x;
	return 0;
}

static int
start(struct vx *x, int64_t now)
{
	struct verify_view v;

	assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
				      AGENT_SESSION, x->ticket, now, &v),
			 0);
	assert_int_equal(v.level, 0);
	assert_string_equal(v.status, "open");
	assert_int_equal(v.rec.expires_at, now + 15 * 60);
	return (int)v.rec.id;
}

static int
factor(struct vx *x, int64_t id, const char *method, const char *code,
       int64_t now, struct verify_factor_out *out)
{
	return verify_factor(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION, id,
			     method, code, now, out);
}

static int
level(struct vx *x, int64_t id, int64_t now)
{
	struct verify_assurance as;
	int rc = verify_assurance(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION,
				  id, x->f.cust_a, now, &as);

	if (rc < 0) {
		assert_int_equal(rc, -GH_VERIFICATION_REQUIRED);
		assert_int_equal(as.level, 0);
		return -1;
	}
	assert_int_equal(as.verification_id, id);
	assert_int_equal(as.ticket_id, x->ticket);
	return as.level;
}

static void
totp_code(int64_t now, char out[7])
{
	assert_int_equal(totp_generate(seed, sizeof(seed), (time_t)now, out),
			 0);
}

/* A code that differs from code in its last digit. */
static void
wrong_of(const char *code, char out[7])
{
	memcpy(out, code, 7);
	out[5] = (char)('0' + (out[5] - '0' + 1) % 10);
}

/* --- levels ------------------------------------------------------------- */

static void
set_factors(struct verification_rec *v, const char *const *m,
	    const char *const *st, size_t n)
{
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		snprintf(v->f[i].method, sizeof(v->f[i].method), "%s", m[i]);
		snprintf(v->f[i].state, sizeof(v->f[i].state), "%s", st[i]);
	}
	v->n_factors = n;
}

static void
test_levels(void **state)
{
	static const char *const P2[] = {"passed", "passed"};
	static const char *const EMAIL_SMS[] = {"email_otp", "sms_otp"};
	static const char *const TOTP_EMAIL[] = {"totp", "email_otp"};
	static const char *const TOTP_PORTAL[] = {"totp", "portal_approval"};
	static const char *const PORTAL_SMS[] = {"portal_approval", "sms_otp"};
	static const char *const TOTP_DOB[] = {"totp", "dob"};
	static const char *const PASS_FAIL[] = {"passed", "failed"};
	static const char *const PASS_PEND[] = {"passed", "pending"};
	struct verification_rec v;
	int poss = -1;

	(void)state;
	set_factors(&v, EMAIL_SMS, P2, 0);
	assert_int_equal(verify_level(&v, &poss), 0);
	assert_int_equal(poss, 0);
	set_factors(&v, EMAIL_SMS, P2, 1); /* e-mail alone */
	assert_int_equal(verify_level(&v, &poss), 0);
	assert_int_equal(poss, 1);
	set_factors(&v, EMAIL_SMS, P2, 2); /* two weak ones: still 0 */
	assert_int_equal(verify_level(&v, NULL), 0);
	set_factors(&v, TOTP_EMAIL, P2, 1);
	assert_int_equal(verify_level(&v, NULL), 1);
	set_factors(&v, TOTP_EMAIL, P2, 2);
	assert_int_equal(verify_level(&v, NULL), 2);
	set_factors(&v, TOTP_PORTAL, P2, 2);
	assert_int_equal(verify_level(&v, NULL), 2);
	set_factors(&v, PORTAL_SMS, P2, 1);
	assert_int_equal(verify_level(&v, NULL), 1);
	set_factors(&v, PORTAL_SMS, P2, 2);
	assert_int_equal(verify_level(&v, NULL), 2);
	set_factors(&v, TOTP_EMAIL, PASS_FAIL, 2);
	assert_int_equal(verify_level(&v, NULL), 1);
	set_factors(&v, TOTP_EMAIL, PASS_PEND, 2);
	assert_int_equal(verify_level(&v, NULL), 1);
	/* Knowledge never counts, even if a row said so. */
	set_factors(&v, TOTP_DOB, P2, 2);
	assert_int_equal(verify_level(&v, NULL), 1);
	assert_false(verify_method_known("dob"));
	assert_false(verify_method_known("address"));
	assert_false(verify_method_known(NULL));
	assert_true(verify_method_strong("totp"));
	assert_false(verify_method_strong("email_otp"));
}

/* Issue 17: the passkey approval is a strong possession factor; with a
 * plain portal approval it counts once (the same portal), with any other
 * method it makes level 2. */
static void
test_levels_passkey(void **state)
{
	static const char *const P2[] = {"passed", "passed"};
	static const char *const P3[] = {"passed", "passed", "passed"};
	static const char *const PK_PORTAL[] = {"passkey", "portal_approval"};
	static const char *const PK_EMAIL[] = {"passkey", "email_otp"};
	static const char *const PK_PORTAL_SMS[] = {"passkey",
						    "portal_approval",
						    "sms_otp"};
	struct verification_rec v;
	int poss = -1;

	(void)state;
	assert_true(verify_method_known("passkey"));
	assert_true(verify_method_strong("passkey"));
	set_factors(&v, PK_EMAIL, P2, 1);
	assert_int_equal(verify_level(&v, &poss), 1);
	assert_int_equal(poss, 1);
	set_factors(&v, PK_EMAIL, P2, 2);
	assert_int_equal(verify_level(&v, NULL), 2);
	set_factors(&v, PK_PORTAL, P2, 2); /* one portal: one factor */
	assert_int_equal(verify_level(&v, NULL), 1);
	set_factors(&v, PK_PORTAL_SMS, P3, 3);
	assert_int_equal(verify_level(&v, NULL), 2);
}

/* --- TOTP --------------------------------------------------------------- */

static void
test_totp(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7], wrong[7];
	int64_t id = start(x, x->now), id2;

	totp_code(x->now, code);
	wrong_of(code, wrong);
	assert_int_equal(factor(x, id, "totp", wrong, x->now, &out),
			 -GH_BAD_CODE);
	assert_int_equal(level(x, id, x->now), 0);
	assert_int_equal(factor(x, id, "totp", NULL, x->now, &out),
			 -GH_MISSING_FIELD);
	assert_int_equal(factor(x, id, "dob", "1980-01-01", x->now, &out),
			 -GH_BAD_FIELD);
	assert_int_equal(factor(x, id, "totp", code, x->now, &out), 0);
	assert_int_equal(out.view.level, 1);
	assert_int_equal(level(x, id, x->now), 1);
	/* Passed once: the method cannot be added again. */
	assert_int_equal(factor(x, id, "totp", code, x->now, &out),
			 -GH_BAD_STATE);
	/* The same code on another verification is a replay. */
	id2 = start(x, x->now);
	assert_int_equal(factor(x, id2, "totp", code, x->now, &out),
			 -GH_BAD_CODE);
	assert_int_equal(level(x, id2, x->now), 0);
	/* The next step's code passes. */
	totp_code(x->now + 30, code);
	assert_int_equal(factor(x, id2, "totp", code, x->now + 30, &out), 0);
	assert_int_equal(level(x, id2, x->now + 30), 1);
}

static void
test_totp_five_tries(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7], wrong[7];
	int64_t id = start(x, x->now);

	totp_code(x->now, code);
	wrong_of(code, wrong);
	for (int i = 0; i < VERIFY_MAX_FAILURES - 1; i++)
		assert_int_equal(factor(x, id, "totp", wrong, x->now, &out),
				 -GH_BAD_CODE);
	assert_int_equal(factor(x, id, "totp", wrong, x->now, &out),
			 -GH_VERIFICATION_FAILED);
	/* Failed: even the right code no longer counts. */
	assert_int_equal(factor(x, id, "totp", code, x->now, &out),
			 -GH_VERIFICATION_FAILED);
	assert_int_equal(level(x, id, x->now), 0);
}

/* --- one-time codes ----------------------------------------------------- */

/* Delivers the outbox and returns the code of the newest file ending in
 * ext (".eml" or ".sms") with its text in *text (caller frees). */
static void
read_code(struct vx *x, const char *ext, char code[7], char **text)
{
	DIR *d;
	struct dirent *e;
	char best[256] = "";
	char done[1100];
	const char *p;
	FILE *fp;
	struct stat st;
	char path[1024];

	assert_true(mailer_run_once(&x->f.app, x->now + 86400) >= 1);
	d = opendir(x->f.app.outbox);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l > 4 && strcmp(e->d_name + l - 4, ext) == 0 &&
		    strcmp(e->d_name, best) > 0 &&
		    strlen(e->d_name) < sizeof(best))
			snprintf(best, sizeof(best), "%s", e->d_name);
	}
	closedir(d);
	assert_true(best[0] != '\0');
	snprintf(path, sizeof(path), "%s/%s", x->f.app.outbox, best);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	*text = calloc(1, (size_t)st.st_size + 1);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fread(*text, 1, (size_t)st.st_size, fp),
			 (size_t)st.st_size);
	fclose(fp);
	/* Rename it so the next read finds only newer ones. */
	snprintf(done, sizeof(done), "%s.read", path);
	assert_int_equal(rename(path, done), 0);
	p = strstr(*text, "Your verification code: ");
	assert_non_null(p);
	memcpy(code, p + strlen("Your verification code: "), 6);
	code[6] = '\0';
}

static void
test_email_code(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7], wrong[7];
	char *text = NULL;
	int64_t id = start(x, x->now);

	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out), 0);
	assert_true(out.accepted);
	assert_string_equal(out.sent_to, "a***@e***.org");
	read_code(x, ".eml", code, &text);
	/* Sent to the address on file, with nothing but the code. */
	assert_non_null(strstr(text, "To: ada@example.org"));
	assert_null(strstr(text, "+44"));
	assert_null(strstr(text, "Help"));
	free(text);
	wrong_of(code, wrong);
	assert_int_equal(factor(x, id, "email_otp", wrong, x->now, &out),
			 -GH_BAD_CODE);
	assert_int_equal(factor(x, id, "email_otp", code, x->now + 5, &out),
			 0);
	/* E-mail alone is level 0; single use. */
	assert_int_equal(level(x, id, x->now + 5), 0);
	assert_int_equal(factor(x, id, "email_otp", code, x->now + 6, &out),
			 -GH_BAD_STATE);
}

static void
test_email_code_tries_and_resend(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7], wrong[7];
	char *text = NULL;
	int64_t id = start(x, x->now);

	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out), 0);
	read_code(x, ".eml", code, &text);
	free(text);
	wrong_of(code, wrong);
	assert_int_equal(factor(x, id, "email_otp", wrong, x->now, &out),
			 -GH_BAD_CODE);
	assert_int_equal(factor(x, id, "email_otp", "12ab56", x->now, &out),
			 -GH_BAD_CODE);
	/* A resend keeps the failure count. */
	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out), 0);
	read_code(x, ".eml", code, &text);
	free(text);
	wrong_of(code, wrong);
	assert_int_equal(factor(x, id, "email_otp", wrong, x->now, &out),
			 -GH_BAD_CODE);
	assert_int_equal(factor(x, id, "email_otp", wrong, x->now, &out),
			 -GH_BAD_CODE);
	assert_int_equal(factor(x, id, "email_otp", wrong, x->now, &out),
			 -GH_VERIFICATION_FAILED);
	assert_int_equal(factor(x, id, "email_otp", code, x->now, &out),
			 -GH_VERIFICATION_FAILED);
	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out),
			 -GH_VERIFICATION_FAILED);
}

static void
test_email_code_expires(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7];
	char *text = NULL;
	int64_t id = start(x, x->now);

	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out), 0);
	read_code(x, ".eml", code, &text);
	free(text);
	/* The right code, one second after its ten minutes. */
	assert_int_equal(factor(x, id, "email_otp", code,
				x->now + VERIFY_CODE_SECS, &out),
			 -GH_BAD_CODE);
	assert_int_equal(factor(x, id, "email_otp", NULL,
				x->now + VERIFY_CODE_SECS, &out),
			 0);
	read_code(x, ".eml", code, &text);
	free(text);
	assert_int_equal(factor(x, id, "email_otp", code,
				x->now + VERIFY_CODE_SECS + 1, &out),
			 0);
}

static void
test_sms_code_and_level_two(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7];
	char *text = NULL;
	int64_t id = start(x, x->now);

	assert_int_equal(factor(x, id, "sms_otp", NULL, x->now, &out), 0);
	assert_string_equal(out.sent_to, "*** *** 0123");
	read_code(x, ".sms", code, &text);
	assert_non_null(strstr(text, "To: +44 20 7946 0123"));
	free(text);
	assert_int_equal(factor(x, id, "sms_otp", code, x->now, &out), 0);
	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out), 0);
	read_code(x, ".eml", code, &text);
	free(text);
	assert_int_equal(factor(x, id, "email_otp", code, x->now, &out), 0);
	assert_int_equal(level(x, id, x->now), 0); /* two weak ones */
	totp_code(x->now, code);
	assert_int_equal(factor(x, id, "totp", code, x->now, &out), 0);
	assert_int_equal(level(x, id, x->now), 2);
}

/* Rows of the fixture's database matching sql (a COUNT). */
static int64_t
db_count(struct vx *x, const char *sql)
{
	char path[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n;

	snprintf(path, sizeof(path), "%s/db", x->f.dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
					 NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* The code is stored nowhere in clear, and the delivered row keeps no
 * sealed text. */
static void
test_code_not_stored(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	char code[7], sql[300];
	char *text = NULL;
	int64_t id = start(x, x->now);

	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out), 0);
	assert_int_equal(db_count(x, "SELECT COUNT(*) FROM outbox WHERE "
				     "kind = 'verify_email' AND phrase IS NOT "
				     "NULL AND body_text NOT GLOB '*[0-9]*'"),
			 1);
	read_code(x, ".eml", code, &text);
	free(text);
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%%%s%%' "
		 "OR subject LIKE '%%%s%%' OR phrase IS NOT NULL",
		 code, code);
	assert_int_equal(db_count(x, sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM verification_factors WHERE "
		 "code_hash LIKE '%%%s%%'", code);
	assert_int_equal(db_count(x, sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM audit WHERE record LIKE '%%%s%%'", code);
	assert_int_equal(db_count(x, sql), 0);
}

/* --- portal approval ---------------------------------------------------- */

static int64_t
request_approval(struct vx *x, int64_t id, int64_t *choices_out)
{
	struct verify_factor_out out;
	struct verification_list l = {NULL, 0};
	int64_t number;

	assert_int_equal(factor(x, id, "portal_approval", NULL, x->now, &out),
			 0);
	assert_true(out.accepted);
	assert_true(out.number >= 10 && out.number <= 99);
	number = out.number;
	/* Asked again: the same number. */
	assert_int_equal(factor(x, id, "portal_approval", NULL, x->now, &out),
			 0);
	assert_int_equal(out.number, number);
	assert_int_equal(factor(x, id, "portal_approval", "12", x->now, &out),
			 -GH_BAD_FIELD);
	assert_int_equal(verify_portal_list(&x->f.app, x->f.c, &x->f.a_cust,
					    x->now, &l),
			 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, id);
	assert_string_equal(l.v[0].staff_name, "Alice Agent");
	if (choices_out != NULL)
		sscanf(l.v[0].f[0].choices, "%ld,%ld,%ld", &choices_out[0],
		       &choices_out[1], &choices_out[2]);
	verification_list_clear(&l);
	/* Another customer sees nothing. */
	assert_int_equal(verify_portal_list(&x->f.app, x->f.c, &x->f.b_cust,
					    x->now, &l),
			 0);
	assert_int_equal(l.n, 0);
	verification_list_clear(&l);
	return number;
}

static int
answer(struct vx *x, int64_t id, int approve, int64_t number,
       const char **notice)
{
	return verify_portal_answer(&x->f.app, x->f.c, &x->f.a_cust,
				    CUST_SESSION, id, approve, number, x->now,
				    notice);
}

static void
test_portal_right_number(void **state)
{
	struct vx *x = *state;
	const char *notice = "x";
	int64_t ch[3] = {0, 0, 0};
	int64_t id = start(x, x->now);
	int64_t n = request_approval(x, id, ch);

	assert_true(ch[0] == n || ch[1] == n || ch[2] == n);
	assert_true(ch[0] != ch[1] && ch[1] != ch[2] && ch[0] != ch[2]);
	/* Bob cannot answer Ada's request. */
	assert_int_equal(verify_portal_answer(&x->f.app, x->f.c, &x->f.b_cust,
					      CUST_SESSION, id, 1, n, x->now,
					      NULL),
			 -GH_FORBIDDEN);
	assert_int_equal(answer(x, id, 1, n, &notice), 0);
	assert_null(notice);
	assert_int_equal(level(x, id, x->now), 1);
	/* Answered: nothing more to answer. */
	assert_int_equal(answer(x, id, 1, n, NULL), -GH_VERIFICATION_FAILED);
	/* The approval dies with the portal session it was given in. */
	assert_int_equal(x->f.c->ops->session_delete(x->f.c, CUST_SESSION), 0);
	assert_int_equal(level(x, id, x->now), -1);
}

/* A refusal: the verification ended, the ticket locked, the supervisor
 * alerted by a content-free mail, a new start refused. */
static void
assert_refused(struct vx *x, int64_t id, const char *state_name)
{
	struct verify_view v;
	char *text = NULL;
	struct verify_factor_out out;

	assert_int_equal(level(x, id, x->now), -1);
	assert_int_equal(verify_get(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION,
				    id, x->now, &v),
			 0);
	assert_string_equal(v.status, state_name);
	assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
				      AGENT_SESSION, x->ticket, x->now, &v),
			 -GH_VERIFICATION_LOCKED);
	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out),
			 -GH_VERIFICATION_FAILED);
	assert_int_equal(mailer_run_once(&x->f.app, x->now + 60), 1);
	assert_int_equal(eml_files(&x->f, &text), 1);
	assert_non_null(strstr(text, "To: s@example.com"));
	assert_non_null(strstr(text, "impersonating"));
	assert_null(strstr(text, "ada@example.org"));
	assert_null(strstr(text, "Ada"));
	free(text);
	assert_int_equal(db_count(x, "SELECT COUNT(*) FROM audit WHERE "
				     "record LIKE '%verification.lock%'"),
			 1);
}

static void
test_portal_wrong_number(void **state)
{
	struct vx *x = *state;
	const char *notice = NULL;
	int64_t ch[3] = {0, 0, 0};
	int64_t id = start(x, x->now);
	int64_t n = request_approval(x, id, ch), wrong = ch[0];

	if (wrong == n)
		wrong = ch[1];
	assert_int_equal(answer(x, id, 1, wrong, &notice),
			 -GH_VERIFICATION_FAILED);
	assert_ptr_equal(notice, verify_scam_notice);
	assert_non_null(strstr(notice, "impersonate"));
	assert_non_null(strstr(notice, "never ask you for your password"));
	assert_refused(x, id, "failed");
	/* The right number afterwards changes nothing. */
	assert_int_equal(answer(x, id, 1, n, NULL), -GH_VERIFICATION_FAILED);
	assert_int_equal(level(x, id, x->now), -1);
}

static void
test_portal_deny_and_lock_clear(void **state)
{
	struct vx *x = *state;
	const char *notice = NULL;
	struct verify_view v;
	int64_t id = start(x, x->now);

	request_approval(x, id, NULL);
	assert_int_equal(answer(x, id, 0, 0, &notice), 0);
	assert_ptr_equal(notice, verify_scam_notice);
	assert_refused(x, id, "denied");
	/* Only a supervisor clears the lock, with a reason. */
	assert_int_equal(verify_lock_clear(&x->f.app, x->f.c, &x->f.a1,
					   x->ticket, "checked with customer",
					   x->now),
			 -GH_FORBIDDEN);
	assert_int_equal(verify_lock_clear(&x->f.app, x->f.c, &x->f.s,
					   x->ticket, "ok", x->now),
			 -GH_BAD_FIELD);
	assert_int_equal(verify_lock_clear(&x->f.app, x->f.c, &x->f.s,
					   x->ticket, "called the customer back",
					   x->now),
			 0);
	assert_int_equal(verify_lock_clear(&x->f.app, x->f.c, &x->f.s,
					   x->ticket, "called the customer back",
					   x->now),
			 -GH_BAD_STATE);
	assert_int_equal(db_count(x, "SELECT COUNT(*) FROM audit WHERE "
				     "record LIKE '%verification.unlock%'"),
			 1);
	start(x, x->now);
	/* The old verification stays ended. */
	assert_int_equal(verify_get(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION,
				    id, x->now, &v),
			 0);
	assert_string_equal(v.status, "denied");
}

/* --- liveness ----------------------------------------------------------- */

/* A verification at level 1 (TOTP) on the fixture's ticket. */
static int64_t
verified(struct vx *x)
{
	struct verify_factor_out out;
	char code[7];
	int64_t id;

	x->now += TOTP_STEP; /* a code not used yet */
	id = start(x, x->now);
	totp_code(x->now, code);
	assert_int_equal(factor(x, id, "totp", code, x->now, &out), 0);
	assert_int_equal(level(x, id, x->now), 1);
	return id;
}

static void
test_expiry(void **state)
{
	struct vx *x = *state;
	struct verify_view v;
	int64_t id = verified(x);

	assert_int_equal(level(x, id, x->now + 15 * 60 - 1), 1);
	assert_int_equal(level(x, id, x->now + 15 * 60), -1);
	assert_int_equal(verify_get(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION,
				    id, x->now + 15 * 60, &v),
			 0);
	assert_string_equal(v.status, "expired");
	assert_int_equal(v.level, 0);
}

static void
test_shorter_policy(void **state)
{
	struct vx *x = *state;
	struct verify_view v;

	x->f.app.cfg.verification_minutes = 5;
	assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
				      AGENT_SESSION, x->ticket, x->now, &v),
			 0);
	assert_int_equal(v.rec.expires_at, x->now + 5 * 60);
}

static void
test_dies_on_reassignment(void **state)
{
	struct vx *x = *state;
	int64_t id = verified(x);

	/* Taking the unassigned ticket oneself keeps it. */
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket, "open",
						    x->f.agent1, x->now),
			 0);
	assert_int_equal(level(x, id, x->now), 1);
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket, "open",
						    x->f.agent2, x->now),
			 0);
	assert_int_equal(level(x, id, x->now), -1);
	/* Even given back, it stays dead: the rule is checked again, but the
	 * start recorded "unassigned", and now it is someone's. */
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket, "open",
						    x->f.agent1, x->now),
			 0);
	id = verified(x);
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket, "open",
						    0, x->now),
			 0);
	assert_int_equal(level(x, id, x->now), -1);
}

static void
test_dies_on_queue_move_and_solve(void **state)
{
	struct vx *x = *state;
	int64_t q = 0, id = verified(x);

	assert_int_equal(x->f.c->ops->queue_insert(x->f.c, "billing", &q), 0);
	assert_int_equal(x->f.c->ops->staff_queue_add(x->f.c, x->f.agent1, q),
			 0);
	assert_int_equal(x->f.c->ops->ticket_set_queue(x->f.c, x->ticket, q,
						       x->now),
			 0);
	assert_int_equal(level(x, id, x->now), -1);
	id = verified(x);
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket,
						    "solved", 0, x->now),
			 0);
	assert_int_equal(level(x, id, x->now), -1);
	/* A solved ticket takes no new verification. */
	{
		struct verify_view v;

		assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
					      AGENT_SESSION, x->ticket, x->now,
					      &v),
				 -GH_BAD_STATE);
	}
}

static void
test_dies_on_logout_and_binding(void **state)
{
	struct vx *x = *state;
	struct verify_assurance as;
	struct verify_view v;
	struct verify_factor_out out;
	int64_t id = verified(x);

	/* Another agent, or the same agent in another session, or another
	 * customer: nothing. */
	assert_int_equal(verify_assurance(&x->f.app, x->f.c, &x->f.a2,
					  AGENT2_SESSION, id, x->f.cust_a,
					  x->now, &as),
			 -GH_VERIFICATION_REQUIRED);
	assert_int_equal(verify_assurance(&x->f.app, x->f.c, &x->f.a1,
					  AGENT2_SESSION, id, x->f.cust_a,
					  x->now, &as),
			 -GH_VERIFICATION_REQUIRED);
	assert_int_equal(verify_assurance(&x->f.app, x->f.c, &x->f.a1,
					  AGENT_SESSION, id, x->f.cust_b,
					  x->now, &as),
			 -GH_VERIFICATION_REQUIRED);
	assert_int_equal(verify_get(&x->f.app, x->f.c, &x->f.a2,
				    AGENT2_SESSION, id, x->now, &v),
			 -GH_NOT_FOUND);
	assert_int_equal(verify_factor(&x->f.app, x->f.c, &x->f.a2,
				       AGENT2_SESSION, id, "email_otp", NULL,
				       x->now, &out),
			 -GH_NOT_FOUND);
	/* The agent logs out. */
	assert_int_equal(x->f.c->ops->session_delete(x->f.c, AGENT_SESSION),
			 0);
	assert_int_equal(level(x, id, x->now), -1);
}

static void
test_open_limit(void **state)
{
	struct vx *x = *state;
	struct verify_view v;
	int64_t first = start(x, x->now), t = 0, second;

	/* One live verification per agent and ticket: a new one ends the
	 * last. */
	second = start(x, x->now);
	assert_int_equal(verify_get(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION,
				    first, x->now, &v),
			 0);
	assert_string_equal(v.status, "ended");
	assert_int_equal(verify_get(&x->f.app, x->f.c, &x->f.a1, AGENT_SESSION,
				    second, x->now, &v),
			 0);
	assert_string_equal(v.status, "open");
	for (int i = 1; i < VERIFY_MAX_OPEN; i++) {
		assert_int_equal(x->f.c->ops->ticket_insert(x->f.c,
							    x->f.cust_b, "Hi",
							    x->now, &t),
				 0);
		assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
					      AGENT_SESSION, t, x->now, &v),
				 0);
	}
	assert_int_equal(x->f.c->ops->ticket_insert(x->f.c, x->f.cust_b, "Hi",
						    x->now, &t),
			 0);
	assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
				      AGENT_SESSION, t, x->now, &v),
			 -GH_RATE_LIMITED);
	/* Expired ones no longer count. */
	start(x, x->now + 15 * 60);
	/* A ticket the agent cannot see. */
	assert_int_equal(x->f.c->ops->ticket_update(x->f.c, x->ticket, "open",
						    x->f.agent2, x->now),
			 0);
	assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
				      AGENT_SESSION, x->ticket,
				      x->now + 15 * 60, &v),
			 -GH_NOT_FOUND);
}

/* New verifications do not buy new tries: the hourly limits about one
 * customer and one agent hold across verifications (ASVS 6.6.3, 6.6.4). */
static void
test_hourly_limits(void **state)
{
	struct vx *x = *state;
	struct verify_factor_out out;
	struct verify_view v;
	char code[7], wrong[7];
	int64_t id;
	int starts = 0;

	totp_code(x->now, code);
	wrong_of(code, wrong);
	for (int k = 0; k < 2; k++) {
		id = start(x, x->now);
		starts++;
		for (int i = 0; i < VERIFY_MAX_FAILURES; i++)
			assert_true(factor(x, id, "totp", wrong, x->now,
					   &out) < 0);
	}
	id = start(x, x->now);
	starts++;
	assert_int_equal(factor(x, id, "totp", code, x->now, &out),
			 -GH_RATE_LIMITED);
	assert_int_equal(level(x, id, x->now), 0);
	/* Sending codes: 10 an hour to one customer. */
	for (int k = 0; k < 2; k++) {
		id = start(x, x->now);
		starts++;
		for (int i = 0; i < VERIFY_MAX_SENDS; i++)
			assert_int_equal(factor(x, id, "sms_otp", NULL, x->now,
						&out),
					 0);
	}
	assert_int_equal(factor(x, id, "email_otp", NULL, x->now, &out),
			 -GH_RATE_LIMITED);
	/* Approval requests: 5 an hour (push fatigue). */
	for (int k = 0; k < VERIFY_APPROVALS_PER_HOUR; k++) {
		id = start(x, x->now);
		starts++;
		assert_int_equal(factor(x, id, "portal_approval", NULL, x->now,
					&out),
				 0);
	}
	id = start(x, x->now);
	starts++;
	assert_int_equal(factor(x, id, "portal_approval", NULL, x->now, &out),
			 -GH_RATE_LIMITED);
	/* An hour later the customer's code counts again. */
	x->now += VERIFY_WINDOW_SECS + 1;
	assert_int_equal(x->f.c->ops->session_touch(x->f.c, AGENT_SESSION,
						    x->now),
			 0);
	id = start(x, x->now);
	starts++;
	totp_code(x->now, code);
	assert_int_equal(factor(x, id, "totp", code, x->now, &out), 0);
	/* Starts: 30 an hour per agent. */
	x->now -= VERIFY_WINDOW_SECS + 1;
	for (; starts < VERIFY_STARTS_PER_HOUR; starts++)
		start(x, x->now);
	assert_int_equal(verify_start(&x->f.app, x->f.c, &x->f.a1,
				      AGENT_SESSION, x->ticket, x->now, &v),
			 -GH_RATE_LIMITED);
}

/* [disclosure] verification_minutes may only shorten the 15 minutes: 16
 * or 0 stop start-up with the key named. */
static void
test_config_bounds(void **state)
{
	static const char *const bad[] = {"16", "0", "60", "x"};
	char dir[] = "/tmp/gh-test-verify-conf-XXXXXX";
	char path[96], err[256], line[96];
	struct config cfg;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gatehouse.conf", dir);
	for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line),
			 "[disclosure]\nverification_minutes = %s\n",
			 i < sizeof(bad) / sizeof(bad[0]) ? bad[i] : "5");
		fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(line, fp);
		fclose(fp);
		config_defaults(&cfg, dir);
		assert_int_equal(cfg.verification_minutes, 15);
		err[0] = '\0';
		if (i < sizeof(bad) / sizeof(bad[0])) {
			assert_int_equal(config_load(&cfg, path, err,
						     sizeof(err)),
					 -1);
			assert_non_null(strstr(err, "verification_minutes"));
		} else {
			assert_int_equal(config_load(&cfg, path, err,
						     sizeof(err)),
					 0);
			assert_int_equal(cfg.verification_minutes, 5);
		}
	}
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_levels_passkey),
		cmocka_unit_test_setup_teardown(test_totp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totp_five_tries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_email_code, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_email_code_tries_and_resend,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_code_expires, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sms_code_and_level_two,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_not_stored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_portal_right_number, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_portal_wrong_number, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_portal_deny_and_lock_clear, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shorter_policy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dies_on_reassignment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dies_on_queue_move_and_solve, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dies_on_logout_and_binding, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hourly_limits, setup,
						teardown),
		cmocka_unit_test(test_config_bounds),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
