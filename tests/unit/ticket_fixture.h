/*
 * The fixture of the unit tests that work on tickets (test_tickets.c,
 * test_notify.c, test_mailer.c): an app on a real SQLite file in a new
 * temporary directory, with a fixed master key, the outbox there, two
 * customers (Ada, Bob), two agents and a supervisor, and one DLP engine
 * for the whole program (group_setup); eml_files() reads the outbox. Each
 * test file includes it once, after cmocka.h, and defines setup() as
 * fx_setup(state, "/tmp/gh-test-NAME-XXXXXX").
 */
#ifndef GH_TESTS_UNIT_TICKET_FIXTURE_H
#define GH_TESTS_UNIT_TICKET_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6,
	7, 8, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4,
};

static struct dlp_engine *engine;

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
	int64_t cust_a, cust_b, agent1, agent2, sup;
	struct tk_actor a_cust, b_cust, a1, a2, s;
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

/* A fresh fixture in a new directory named after tmpl (mkdtemp). */
static int
fx_setup(void **state, const char *tmpl)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128], err[256];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s", tmpl);
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
	f->agent2 = add_staff(f, "a2@example.com", "Bert Agent", "agent");
	f->sup = add_staff(f, "s@example.com", "Sue Super", "supervisor");
	f->a_cust = (struct tk_actor){REALM_CUSTOMER, f->cust_a, "", NULL, NULL};
	f->b_cust = (struct tk_actor){REALM_CUSTOMER, f->cust_b, "", NULL, NULL};
	f->a1 = (struct tk_actor){REALM_STAFF, f->agent1, "agent", NULL, NULL};
	f->a2 = (struct tk_actor){REALM_STAFF, f->agent2, "agent", NULL, NULL};
	f->s = (struct tk_actor){REALM_STAFF, f->sup, "supervisor", NULL, NULL};
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
/* Inline: not every file that includes this uses it. */
static inline int
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

#endif
