/*
 * Helpers of the load benchmarks (see loadlib.h). No state.
 */
#include "loadlib.h"

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double
load_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
load_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
load_rss_mib(pid_t pid)
{
	char path[64], line[256];
	double kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtod(line + 6, NULL);
	fclose(f);
	return kb / 1024.0;
}

void
load_time_gets(struct gh_server *s, struct gh_client *c, const char *path,
	       double secs, double over_ms, struct load_gets *out)
{
	double *ms = malloc(LOAD_MAX_SAMPLES * sizeof(*ms));
	double start = load_now_s(), t0;
	struct gh_resp r;

	memset(out, 0, sizeof(*out));
	while (ms != NULL && load_now_s() - start < secs &&
	       out->n < LOAD_MAX_SAMPLES) {
		t0 = load_now_s();
		if (gh_req(s, c, "GET", path, NULL, NULL, &r) != 200)
			out->failed++;
		gh_resp_free(&r);
		ms[out->n] = (load_now_s() - t0) * 1000.0;
		out->over += ms[out->n] >= over_ms;
		out->n++;
	}
	if (out->n > 0) {
		qsort(ms, out->n, sizeof(*ms), load_cmp_double);
		out->median_ms = ms[out->n / 2];
		out->p99_ms = ms[(out->n * 99) / 100];
		out->max_ms = ms[out->n - 1];
		out->rps = (double)out->n / (load_now_s() - start);
	}
	free(ms);
}

int64_t
load_seed_ticket(struct gh_server *s, struct gh_user *u, const char *email)
{
	struct gh_client c;
	struct gh_resp r;
	int64_t id;

	gh_add_customer(s, email, u);
	gh_client_init(&c, 0);
	if (gh_login(s, &c, u) != 201) {
		gh_client_free(&c);
		return -1;
	}
	if (gh_send_json(s, &c, "POST", "/api/v1/portal/tickets",
			 json_pack("{s:s, s:s}", "subject", "Order 10442",
				   "body", "My parcel has not arrived yet."),
			 &r) != 201)
		id = -1;
	else
		id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	gh_client_free(&c);
	return id;
}
