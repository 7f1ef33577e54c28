/*
 * Unit tests of the content-free notification (core/notify.c) as it
 * leaves: against a real SQLite store in a temporary directory, an agent's
 * reply queues the notice, the mailer writes it to the outbox directory,
 * and the test reads the real .eml. When the customer's anti-phishing
 * phrase holds what the outbound filter refuses (a card number, another
 * customer's e-mail address), the mail goes out without the phrase: no
 * phrase line, no phrase sealed in the outbox row, the fixed text and
 * the advice intact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "core/errors.h"
#include "core/mailer.h"
#include "core/notify.h"
#include "core/outbound.h"
#include "core/tickets.h"

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6,
	7, 8, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4,
};

static struct dlp_engine *engine;

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
	int64_t cust_a, cust_b, agent1;
	struct tk_actor a_cust, a1;
};

static int64_t
add_customer(struct fx *f, const char *email, const char *phone)
{
	char idx[CRYPTO_HASH_HEX];
	char ad[160];
	struct customer_new n;
	struct blob e = {NULL, 0}, p = {NULL, 0}, seed = {NULL, 0};
	int64_t id = 0;

	memset(&n, 0, sizeof(n));
	crypto_index(f->app.keys, "customer.email", email, strlen(email), idx);
	snprintf(ad, sizeof(ad), "customer.email:%s", idx);
	assert_int_equal(crypto_seal(f->app.keys, ad, email, strlen(email),
				     &e.data, &e.len), 0);
	snprintf(ad, sizeof(ad), "customer.phone:%s", idx);
	assert_int_equal(crypto_seal(f->app.keys, ad, phone, strlen(phone),
				     &p.data, &p.len), 0);
	assert_int_equal(crypto_seal(f->app.keys, "x", "seed", 4, &seed.data,
				     &seed.len), 0);
	n.email_idx = idx;
	n.email = e;
	n.name = "Ada Customer";
	n.phone = p;
	n.pw_hash = "x";
	n.totp_seed = seed;
	n.totp_enrolled = 1;
	assert_int_equal(f->c->ops->customer_insert(f->c, &n, &id), 0);
	blob_clear(&e);
	blob_clear(&p);
	blob_clear(&seed);
	return id;
}

static int64_t
add_staff(struct fx *f, const char *email, const char *name,
	  const char *role)
{
	struct staff_new n = {email, name, role, "x", {NULL, 0}};
	int64_t id = 0;

	assert_int_equal(crypto_seal(f->app.keys, "x", "seed", 4,
				     &n.totp_seed.data, &n.totp_seed.len), 0);
	assert_int_equal(f->c->ops->staff_insert(f->c, &n, &id), 0);
	blob_clear(&n.totp_seed);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128], err[256];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-notify-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	snprintf(f->app.cfg.company_domains, sizeof(f->app.cfg.company_domains),
		 "example.com");
	if (config_validate(&f->app.cfg, err, sizeof(err)) != 0)
		return -1;
	if (crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	snprintf(f->app.outbox, sizeof(f->app.outbox), "%s/outbox", f->dir);
	f->app.dlp = engine;
	f->c = store_acquire(f->app.store);
	f->cust_a = add_customer(f, "ada@example.org", "+44 20 7946 0123");
	f->cust_b = add_customer(f, "bob@example.org", "+44 20 7946 0999");
	f->agent1 = add_staff(f, "a1@example.com", "Alice Agent", "agent");
	f->a_cust = (struct tk_actor){REALM_CUSTOMER, f->cust_a, "", NULL, NULL};
	f->a1 = (struct tk_actor){REALM_STAFF, f->agent1, "agent", NULL, NULL};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_release(f->app.store, f->c);
	store_close(f->app.store);
	crypto_keys_free(f->app.keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return dlp_engine_new(&engine);
}

static int
group_teardown(void **state)
{
	(void)state;
	dlp_engine_free(engine);
	return 0;
}

/* Files ending in .eml in the outbox; the last one's text into *text. */
static int
eml_files(struct fx *f, char **text)
{
	DIR *d = opendir(f->app.outbox);
	struct dirent *e;
	int n = 0;

	if (text != NULL)
		*text = NULL;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char p[1024];
		FILE *fp;
		struct stat st;

		if (l < 5 || strcmp(e->d_name + l - 4, ".eml") != 0)
			continue;
		n++;
		snprintf(p, sizeof(p), "%s/%s", f->app.outbox, e->d_name);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		if (text == NULL)
			continue;
		free(*text);
		*text = calloc(1, (size_t)st.st_size + 1);
		fp = fopen(p, "r");
		assert_non_null(fp);
		assert_int_equal(fread(*text, 1, (size_t)st.st_size, fp),
				 (size_t)st.st_size);
		fclose(fp);
	}
	closedir(d);
	return n;
}

/* Queues a notice by an agent's reply on a new ticket of customer A,
 * checks the outbox row (phrase sealed or not), delivers it and returns
 * the .eml text (caller frees) and the ticket number. */
static char *
notify_and_read(struct fx *f, int expect_phrase, int64_t *ticket)
{
	struct ticket_rec t;
	struct thread_item it;
	struct outbox_list l;
	json_t *fd = NULL;
	char *text = NULL;

	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Card", "where is my card", &t),
			 0);
	*ticket = t.id;
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, t.id,
				       "Your replacement ships on Monday", &it,
				       &fd), 0);
	assert_null(fd);
	assert_int_equal(f->c->ops->outbox_due(f->c, INT64_MAX / 2, 10, &l), 0);
	assert_int_equal(l.n, 1);
	if (expect_phrase)
		assert_non_null(l.v[0].phrase.data);
	else
		assert_null(l.v[0].phrase.data);
	outbox_list_clear(&l);
	assert_int_equal(mailer_run_once(&f->app, (int64_t)time(NULL)), 1);
	assert_int_equal(eml_files(f, &text), 1);
	assert_non_null(text);
	return text;
}

/* What every notice says, with or without the phrase. */
static void
assert_fixed_text(const struct fx *f, const char *text, int64_t ticket)
{
	char num[48];

	snprintf(num, sizeof(num), "new secure message about ticket #%lld",
		 (long long)ticket);
	assert_non_null(strstr(text, "To: ada@example.org\r\n"));
	assert_non_null(strstr(text, num));
	assert_non_null(strstr(text, f->app.cfg.portal_url));
	assert_non_null(strstr(text, "We will never ask for your password"));
	/* The advice about the phrase stays, whatever its wording. */
	assert_non_null(strstr(text, "anti-phishing phrase"));
	assert_null(strstr(text, "replacement"));
	assert_null(strstr(text, "where is my card"));
	assert_null(strstr(text, "Ada Customer"));
}

static void
test_phrase_kept(void **state)
{
	struct fx *f = *state;
	int64_t tk;
	char *text;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "purple otter"), 0);
	text = notify_and_read(f, 1, &tk);
	assert_fixed_text(f, text, tk);
	assert_non_null(strstr(text, "Your anti-phishing phrase: \"purple "
				     "otter\""));
	free(text);
}

/* A card number in the phrase: the notice goes, the phrase does not. */
static void
test_phrase_with_card(void **state)
{
	struct fx *f = *state;
	int64_t tk;
	char *text;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "otter 4111 1111 1111 1111"), 0);
	text = notify_and_read(f, 0, &tk);
	assert_fixed_text(f, text, tk);
	assert_null(strstr(text, "Your anti-phishing phrase:"));
	assert_null(strstr(text, "4111"));
	assert_null(strstr(text, "otter"));
	free(text);
	/* The customer's phrase itself is kept for the portal. */
	{
		char *p = NULL;

		assert_int_equal(tickets_get_phrase(&f->app, f->c, f->cust_a,
						    &p), 0);
		assert_string_equal(p, "otter 4111 1111 1111 1111");
		crypto_secret_free(p);
	}
}

/* Another customer's e-mail address in the phrase. */
static void
test_phrase_with_other_customer(void **state)
{
	struct fx *f = *state;
	int64_t tk;
	char *text;

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "ask bob@example.org"), 0);
	text = notify_and_read(f, 0, &tk);
	assert_fixed_text(f, text, tk);
	assert_null(strstr(text, "Your anti-phishing phrase:"));
	assert_null(strstr(text, "bob@example.org"));
	assert_null(strstr(text, "bob"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_phrase_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_phrase_with_card, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_phrase_with_other_customer,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
