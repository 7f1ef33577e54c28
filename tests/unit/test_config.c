/* Configuration: defaults, bounds that keep the floors, the file format
 * and its line length, origins, CIDR matching. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "util/origin.h"

static char dir[64];

static int
load(const char *text, struct config *cfg, char *err, size_t errsz)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/c.conf", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	config_defaults(cfg, dir);
	return config_load(cfg, path, err, errsz);
}

static void
test_defaults_file(void **state)
{
	struct config cfg;
	char err[256];
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/default.conf", dir);
	unlink(path);
	assert_int_equal(config_write_default(path), 0);
	assert_int_equal(config_write_default(path), -17 /* -EEXIST */);
	config_defaults(&cfg, dir);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.staff_idle_seconds, 900);
	assert_int_equal(cfg.staff_absolute_seconds, 28800);
	assert_int_equal(cfg.customer_idle_seconds, 1800);
	assert_int_equal(cfg.customer_absolute_seconds, 86400);
	assert_int_equal(cfg.password_min_length, 12);
	assert_int_equal(cfg.login_max_failures, 100);
	assert_string_equal(cfg.public_origin, "https://localhost:8443");
	assert_string_equal(cfg.staff_origin, "https://localhost:9443");
}

/* Policy floors: configuration can make things stricter, never weaker. */
static void
test_floors(void **state)
{
	struct config cfg;
	char err[256];
	const char *weaker[] = {
		"[security]\npassword_min_length = 8\n",
		"[security]\nargon2_mem_mib = 8\n",
		"[security]\nargon2_ops = 1\n",
		"[security]\nstaff_idle_seconds = 3600\n",
		"[security]\nstaff_absolute_seconds = 86400\n",
		"[security]\ncustomer_idle_seconds = 7200\n",
		"[security]\nlogin_max_failures = 1000\n",
		"[security]\nlogin_free_failures = 50\n",
		/* A body cap too small for a 64 KiB message sent escaped. */
		"[server]\nmax_body_bytes = 65536\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(weaker) / sizeof(weaker[0]); i++) {
		assert_int_equal(load(weaker[i], &cfg, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is outside"));
	}
	assert_int_equal(load("[security]\npassword_min_length = 16\n"
			      "staff_idle_seconds = 300\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.password_min_length, 16);
	assert_int_equal(load("[security]\nnope = 1\n", &cfg, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "unknown setting"));
	assert_int_equal(load("[security]\nargon2_ops = two\n", &cfg, err,
			      sizeof(err)),
			 -1);
	assert_int_equal(load("[server]\nstaff_networks = 10.0.0.0/33\n", &cfg,
			      err, sizeof(err)),
			 -1);
	assert_int_equal(load("[server]\npublic_origin = http://x\n", &cfg, err,
			      sizeof(err)),
			 -1);
	assert_int_equal(load("garbage line\n", &cfg, err, sizeof(err)), -1);
}

/* Issue 14 SLOW: the upload scan pool is bounded both ways (at least one
 * thread and one waiting upload; at most 16 threads and 1024 waiting
 * uploads, each holding its file in memory); defaults 2 and 16. */
static void
test_scan_pool_bounds(void **state)
{
	struct config cfg;
	char err[256];
	const char *outside[] = {
		"[workers]\nscan_threads = 0\n",
		"[workers]\nscan_threads = 17\n",
		"[workers]\nscan_queue = 0\n",
		"[workers]\nscan_queue = 1025\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		assert_int_equal(load(outside[i], &cfg, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is outside"));
	}
	assert_int_equal(load("", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.scan_threads, 2);
	assert_int_equal(cfg.scan_queue, 16);
	assert_int_equal(load("[workers]\nscan_threads = 1\nscan_queue = 1\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.scan_threads, 1);
	assert_int_equal(cfg.scan_queue, 1);
}

/* A "[company] domains = ..." text of about len bytes (whole line). */
static char *
domains_conf(size_t len)
{
	static const char head[] = "; long lines\n[server]\nlisten = "
				   "127.0.0.1:8443\n\n[company]\ndomains = ";
	char *s = malloc(sizeof(head) + len + 2);
	size_t n = sizeof(head) - 1;
	int i = 0;

	assert_non_null(s);
	memcpy(s, head, n);
	/* "example-000.com, example-001.com, ..." up to len bytes. */
	while (n + 20 < sizeof(head) - 1 + len - strlen("domains = ")) {
		int k = snprintf(s + n, 32, "%sexample-%03d.com",
				 i > 0 ? ", " : "", i);

		n += (size_t)k;
		i++;
	}
	while (n < sizeof(head) - 1 + len - strlen("domains = "))
		s[n++] = ' ';
	memcpy(s + n, "x.io\n", 6);
	return s;
}

/* Issue 9, defect 9: a long list on one line loads (values up to 4 KiB);
 * a line longer than that is refused, plainly and with its number. */
static void
test_long_lines(void **state)
{
	struct config cfg;
	char err[512];
	char *text;

	(void)state;
	text = domains_conf(3000);
	assert_true(strlen(text) > 3000);
	if (load(text, &cfg, err, sizeof(err)) != 0)
		fail_msg("a 3,000-byte domains line is refused: %s", err);
	assert_non_null(strstr(cfg.company_domains, "example-000.com, "));
	assert_non_null(strstr(cfg.company_domains, "x.io"));
	assert_true(strlen(cfg.company_domains) > 2900);
	free(text);

	text = domains_conf(5000);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), -1);
	if (strstr(err, "c.conf line 6: line longer than 4096 bytes") == NULL)
		fail_msg("unexpected message: %s", err);
	free(text);
}

/* The file format: comments, "name: value", a byte order mark, CRLF,
 * indented lines; a line of exactly 4096 bytes loads, one byte more is
 * refused with its number; a value longer than its field is refused,
 * never truncated. */
static void
test_ini_syntax(void **state)
{
	struct config cfg;
	char err[512];
	char *text = malloc(8192);
	size_t n;

	(void)state;
	assert_int_equal(load("\xef\xbb\xbf; comment\r\n# another\r\n"
			      "  [ security ]  \r\n"
			      "\tpassword_min_length: 14 ; inline comment\r\n"
			      "\n[company]\nname = A;B\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.password_min_length, 14);
	assert_string_equal(cfg.company_name, "A;B");
	assert_int_equal(load("[server\nlisten = 127.0.0.1:1\n", &cfg, err,
			      sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "c.conf line 1: malformed line"));
	assert_int_equal(load("[log]\n\n= x\n", &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "c.conf line 3: malformed line"));
	/* Exactly 4096 bytes (without the line break), then one more. */
	for (int extra = 0; extra <= 1; extra++) {
		size_t len = 4096 + (size_t)extra - strlen("domains = ");

		n = (size_t)snprintf(text, 8192, "[company]\ndomains = ");
		memset(text + n, 'x', len);
		n += len;
		memcpy(text + n, "\r\n", 3);
		assert_int_equal(load(text, &cfg, err, sizeof(err)), -extra);
		if (extra)
			assert_non_null(strstr(err, "line 2: line longer than "
						    "4096 bytes"));
		else
			assert_int_equal(strlen(cfg.company_domains), len);
	}
	/* A value longer than its field. */
	n = (size_t)snprintf(text, 8192, "[company]\nname = ");
	memset(text + n, 'x', 600);
	memcpy(text + n + 600, "\n", 2);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: [company] name: value longer "
				    "than 511 bytes"));
	/* A list value fills a whole line. */
	n = (size_t)snprintf(text, 8192, "[server]\nstaff_networks = ");
	while (n < 4000)
		n += (size_t)snprintf(text + n, 8192 - n, "10.0.0.0/8,     ");
	memcpy(text + n, "::1/128\n", 9);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 32"));
	free(text);
}

/* More [company] domains than the engines take is an error, not a
 * silent cut. */
static void
test_domains_bound(void **state)
{
	struct config cfg;
	char err[512];
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), "[company]\ndomains = ");

	(void)state;
	for (int i = 0; i < 257; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "d%d.io,", i);
	text[n - 1] = '\n';
	assert_int_equal(load(text, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[company] domains: 257 names, at most "
				    "256"));
	n = (size_t)snprintf(text, sizeof(text), "[company]\ndomains = ");
	for (int i = 0; i < 256; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "d%d.io,", i);
	text[n - 1] = '\n';
	assert_int_equal(load(text, &cfg, err, sizeof(err)), 0);
}

/* Issue 15, defect 7: [company] phones loads 1 to 32 numbers of 7 to 15
 * digits (spaces, + - ( ) . allowed); anything else is refused. */
static void
test_phones_bound(void **state)
{
	struct config cfg;
	char err[512];
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof(text), "[company]\nphones = ");

	(void)state;
	assert_int_equal(load("[company]\nphones = +44 20 7000 1234, "
			      "(0800) 555-0199\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.company_phones,
			    "+44 20 7000 1234, (0800) 555-0199");
	assert_int_equal(load("[company]\nphones = 12345\n", &cfg, err,
			      sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "[company] phones"));
	assert_int_equal(load("[company]\nphones = call 0800 555 0199\n", &cfg,
			      err, sizeof(err)),
			 -1);
	for (int i = 0; i < 33; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "020 7000 %04d,", i);
	text[n - 1] = '\n';
	assert_int_equal(load(text, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 32 numbers"));
}

static void
assert_canon(const char *in, const char *want)
{
	char out[ORIGIN_MAX];

	if (want == NULL) {
		if (origin_canon(in, out, sizeof(out)) == 0)
			fail_msg("'%s' taken as the origin '%s'", in, out);
		return;
	}
	if (origin_canon(in, out, sizeof(out)) != 0)
		fail_msg("'%s' refused", in);
	assert_string_equal(out, want);
}

/* Issue 9, defect 8: origins in canonical form; what each listener
 * accepts: its own address, localhost, a configured origin first, and
 * [server] origins; a wildcard address accepts loopback. */
static void
test_origins(void **state)
{
	struct config cfg;
	char err[512];

	(void)state;
	assert_canon("https://Desk.Example.COM/", "https://desk.example.com");
	assert_canon("HTTPS://desk.example.com:443", "https://desk.example.com");
	assert_canon("https://127.0.0.1:8443", "https://127.0.0.1:8443");
	assert_canon("https://[0:0::1]:8443", "https://[::1]:8443");
	assert_canon("https://xn--bcher-kva.example",
		     "https://xn--bcher-kva.example");
	assert_canon("http://desk.example.com", NULL);
	assert_canon("https://", NULL);
	assert_canon("https:///", NULL);
	assert_canon("https://desk.example.com//", NULL);
	assert_canon("https://desk.example.com/x", NULL);
	assert_canon("https://u@desk.example.com", NULL);
	assert_canon("https://desk.example.com:0", NULL);
	assert_canon("https://desk.example.com:65536", NULL);
	assert_canon("https://desk.example.com:", NULL);
	assert_canon("https://desk.example.com:+1", NULL);
	assert_canon("https://[::1", NULL);
	assert_canon("https://[fe80::1%25eth0]", NULL);
	assert_canon("https://bücher.example", NULL);
	assert_canon("null", NULL);

	assert_int_equal(load("[server]\nlisten = 127.0.0.1:8443\n", &cfg, err,
			      sizeof(err)),
			 0);
	assert_string_equal(cfg.public_origins.v[0], "https://127.0.0.1:8443");
	assert_true(origin_set_has(&cfg.public_origins,
				   "https://localhost:8443"));
	assert_true(origin_set_has(&cfg.public_origins,
				   "https://LOCALHOST:8443/"));
	assert_false(origin_set_has(&cfg.public_origins,
				    "https://127.0.0.1:9443"));
	assert_false(origin_set_has(&cfg.public_origins,
				    "http://127.0.0.1:8443"));
	assert_false(origin_set_has(&cfg.public_origins, "null"));
	assert_false(origin_set_has(&cfg.public_origins, NULL));
	assert_true(origin_set_has(&cfg.staff_origins, "https://127.0.0.1:9443"));
	assert_false(origin_set_has(&cfg.staff_origins,
				    "https://127.0.0.1:8443"));
	/* The command line moves the listener; derived origins follow. */
	assert_int_equal(config_set_listen(&cfg, "[::]:7000", NULL, err,
					   sizeof(err)),
			 0);
	assert_string_equal(cfg.public_origin, "https://localhost:7000");
	assert_true(origin_set_has(&cfg.public_origins,
				   "https://127.0.0.1:7000"));
	assert_true(origin_set_has(&cfg.public_origins, "https://[::1]:7000"));
	assert_false(origin_set_has(&cfg.public_origins,
				    "https://127.0.0.1:8443"));

	assert_int_equal(load("[server]\npublic_origin = https://Desk.example."
			      "com\norigins = https://a.example, "
			      "https://b.example:8443\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.public_origin, "https://desk.example.com");
	assert_string_equal(cfg.public_origins.v[0], "https://desk.example.com");
	assert_true(origin_set_has(&cfg.public_origins, "https://a.example"));
	assert_true(origin_set_has(&cfg.staff_origins,
				   "https://b.example:8443"));
	assert_false(origin_set_has(&cfg.staff_origins,
				    "https://desk.example.com"));
	assert_int_equal(load("[server]\norigins = https://a.example/x\n", &cfg,
			      err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "[server] origins: 'https://a.example/x' "
				    "is not an origin"));
	{
		char many[1024];
		size_t k = (size_t)snprintf(many, sizeof(many),
					    "[server]\norigins = ");

		for (int i = 0; i < 17; i++)
			k += (size_t)snprintf(many + k, sizeof(many) - k,
					      "https://o%d.example,", i);
		many[k - 1] = '\n';
		assert_int_equal(load(many, &cfg, err, sizeof(err)), -1);
	}
	assert_non_null(strstr(err, "[server] origins: more than 16"));
}

static void
test_cidr(void **state)
{
	struct cidr nets[3];
	unsigned char a[16];

	(void)state;
	assert_int_equal(cidr_parse("10.8.0.0/16", &nets[0]), 0);
	assert_int_equal(cidr_parse("fd00::/8", &nets[1]), 0);
	assert_int_equal(cidr_parse("192.168.1.7", &nets[2]), 0);
	inet_pton(AF_INET, "10.8.200.1", a);
	assert_true(cidr_contains(nets, 3, AF_INET, a));
	inet_pton(AF_INET, "10.9.0.1", a);
	assert_false(cidr_contains(nets, 3, AF_INET, a));
	inet_pton(AF_INET, "192.168.1.7", a);
	assert_true(cidr_contains(nets, 3, AF_INET, a));
	inet_pton(AF_INET, "192.168.1.8", a);
	assert_false(cidr_contains(nets, 3, AF_INET, a));
	inet_pton(AF_INET6, "fd12::1", a);
	assert_true(cidr_contains(nets, 3, AF_INET6, a));
	inet_pton(AF_INET6, "fe80::1", a);
	assert_false(cidr_contains(nets, 3, AF_INET6, a));
	/* v4-mapped addresses match the v4 ranges */
	inet_pton(AF_INET6, "::ffff:10.8.1.1", a);
	assert_true(cidr_contains(nets, 3, AF_INET6, a));
	assert_int_equal(cidr_parse("10.0.0.0/-1", &nets[0]), -1);
	assert_int_equal(cidr_parse("10.0.0/8", &nets[0]), -1);
	assert_int_equal(cidr_parse("::1/129", &nets[0]), -1);
}

/* [store] names the same settings as [database]; a key [database] does
 * not have is still unknown there. */
static void
test_store_section(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(load("[store]\nurl = postgresql://gh@db:5432/gh\n"
			      "password_file = db.password\nconnections = 4\n",
			      &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.database_url, "postgresql://gh@db:5432/gh");
	assert_string_equal(cfg.database_password_file, "db.password");
	assert_int_equal(cfg.db_connections, 4);
	assert_int_equal(load("[store]\nlisten = 1\n", &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "[store] listen: unknown setting"));
	assert_int_equal(load("[store]\nconnections = 0\n", &cfg, err, sizeof(err)), -1);
	/* A password is found however libpq would read it. */
	assert_true(config_url_has_password("postgresql://gh:pw@db/gh"));
	assert_true(config_url_has_password("postgresql://db/gh?password=pw"));
	assert_true(config_url_has_password("postgresql://db/gh?pass%77ord=pw"));
	assert_true(config_url_has_password("postgresql://gh:p%77@db/gh"));
	assert_false(config_url_has_password("postgresql://gh@db/gh?sslmode=verify-full"));
	assert_false(config_url_has_password("sqlite:gatehouse.db"));
}

/* Issue 17: the passkey relying party of each listener: the rp id
 * derived from the listener's own origin (localhost for an IP address)
 * or configured as a parent of an accepted host; its origins are those
 * under it; anything else stops start-up. */
static void
test_passkey_rp(void **state)
{
	static const char *const bad[] = {
		"[auth]\nstaff_passkeys = sometimes\n",
		"[auth]\npasskey_attestation = \n",
		"[auth]\npasskey_attestation = none,apple\n",
		"[auth]\nstaff_rp_id = 10.0.0.1\n",
		"[auth]\nstaff_rp_id = Example.org\n",
		"[auth]\nstaff_rp_id = -x.example.org\n",
		"[auth]\nportal_rp_id = other.example\n",
		"[server]\nstaff_origin = https://desk.example.org\n"
		"[auth]\nstaff_rp_id = ample.org\n",
		NULL};
	struct config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load("", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.staff_rp.rp_id, "localhost");
	assert_string_equal(cfg.portal_rp.rp_id, "localhost");
	assert_true(cfg.staff_rp.require_uv);
	assert_int_equal(cfg.staff_rp.formats, WA_FMT_NONE | WA_FMT_PACKED);
	assert_int_equal(cfg.staff_rp.n_origins, 1);
	assert_string_equal(cfg.staff_rp.origins[0], "https://localhost:9443");

	assert_int_equal(load("[server]\nstaff_origin = https://desk.example.org"
			      "\npublic_origin = https://192.0.2.7\n"
			      "origins = https://help.example.org\n"
			      "[auth]\npasskey_attestation = packed, tpm\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.staff_rp.rp_id, "desk.example.org");
	assert_int_equal(cfg.staff_rp.n_origins, 1);
	assert_string_equal(cfg.staff_rp.origins[0], "https://desk.example.org");
	assert_string_equal(cfg.portal_rp.rp_id, "localhost");
	assert_int_equal(cfg.portal_rp.formats, WA_FMT_PACKED | WA_FMT_TPM);

	assert_int_equal(load("[server]\nstaff_origin = https://desk.example.org"
			      "\norigins = https://help.example.org, "
			      "https://example.org:8443\n"
			      "[auth]\nstaff_rp_id = example.org\n"
			      "staff_passkeys = required\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.staff_rp.rp_id, "example.org");
	assert_int_equal(cfg.staff_rp.n_origins, 3);
	assert_string_equal(cfg.staff_passkeys, "required");

	for (size_t i = 0; bad[i] != NULL; i++) {
		err[0] = '\0';
		if (load(bad[i], &cfg, err, sizeof(err)) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err, "[auth]"));
	}

	/* WA_ORIGINS_MAX (8) origins under the rp id are all kept; a ninth
	 * stops start-up, saying so (it was silently left out). */
	assert_int_equal(load("[server]\nstaff_origin = https://desk.example.org"
			      "\norigins = https://a1.example.org, "
			      "https://a2.example.org, https://a3.example.org, "
			      "https://a4.example.org, https://a5.example.org, "
			      "https://a6.example.org, https://a7.example.org\n"
			      "[auth]\nstaff_rp_id = example.org\n",
			      &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.staff_rp.n_origins, WA_ORIGINS_MAX);
	err[0] = '\0';
	assert_int_not_equal(
		load("[server]\nstaff_origin = https://desk.example.org"
		     "\norigins = https://a1.example.org, "
		     "https://a2.example.org, https://a3.example.org, "
		     "https://a4.example.org, https://a5.example.org, "
		     "https://a6.example.org, https://a7.example.org, "
		     "https://a8.example.org\n"
		     "[auth]\nstaff_rp_id = example.org\n",
		     &cfg, err, sizeof(err)),
		0);
	assert_non_null(strstr(err, "[auth] staff_rp_id: more than 8"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_file),
		cmocka_unit_test(test_floors),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_ini_syntax),
		cmocka_unit_test(test_domains_bound),
		cmocka_unit_test(test_phones_bound),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_scan_pool_bounds),
		cmocka_unit_test(test_store_section),
		cmocka_unit_test(test_passkey_rp),
	};
	snprintf(dir, sizeof(dir), "/tmp/gh-cfg-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
