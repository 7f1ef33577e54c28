/* Configuration: defaults, bounds that keep the floors, CIDR matching. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_file),
		cmocka_unit_test(test_floors),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_long_lines),
	};
	snprintf(dir, sizeof(dir), "/tmp/gh-cfg-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
