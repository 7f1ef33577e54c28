/*
 * The supervisors' statistics of phishing drills (core/drills.h): per
 * agent, per campaign and per week of delivery, the click rate, the
 * report rate (fractions of delivered drills) and the median time from
 * delivery to report.
 *
 * Invariant: only delivered targets count, each in exactly one agent,
 * one campaign and one week; a target that was never delivered is in
 * none of the rates.
 */
#include "core/drills.h"

#include <stdlib.h>
#include <string.h>

#include "util/errors.h"

#define WEEK 604800
/* 1970-01-01 was a Thursday: Monday 00:00 UTC is 4 days after a week
 * boundary of the epoch. */
#define MONDAY_OFFSET 345600

/* One group's counts and its report delays (seconds, malloc'd). */
struct group {
	int64_t key;
	char name[404];
	int64_t delivered, clicked, reported;
	int64_t *delays;
};

struct groups {
	struct group *v;
	size_t n;
};

static int
cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static struct group *
group_of(struct groups *g, int64_t key, const char *name, size_t cap)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].key == key)
			return &g->v[i];
	if (g->n == cap)
		return NULL;
	memset(&g->v[g->n], 0, sizeof(g->v[g->n]));
	g->v[g->n].key = key;
	snprintf(g->v[g->n].name, sizeof(g->v[g->n].name), "%s", name);
	g->v[g->n].delays = calloc(cap, sizeof(int64_t));
	if (g->v[g->n].delays == NULL)
		return NULL;
	return &g->v[g->n++];
}

static int
count(struct group *gr, const struct drill_target *t)
{
	if (gr == NULL)
		return -GH_INTERNAL;
	gr->delivered++;
	if (t->ev[DRILL_CLICKED] > 0)
		gr->clicked++;
	if (t->ev[DRILL_REPORTED] > 0)
		gr->delays[gr->reported++] =
			t->ev[DRILL_REPORTED] - t->delivered_at;
	return 0;
}

static json_t *
rate(int64_t part, int64_t whole)
{
	return whole > 0 ? json_real((double)part / (double)whole)
			 : json_null();
}

static json_t *
median(struct group *gr)
{
	int64_t n = gr->reported;

	if (n == 0)
		return json_null();
	qsort(gr->delays, (size_t)n, sizeof(int64_t), cmp_int64);
	if (n % 2 == 1)
		return json_integer(gr->delays[n / 2]);
	return json_integer((gr->delays[n / 2 - 1] + gr->delays[n / 2]) / 2);
}

/* One group as JSON under its key name ("staff_id", "campaign",
 * "week_start"). */
static json_t *
group_json(struct group *gr, const char *key, int named)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o}", key,
			      (json_int_t)gr->key, "delivered",
			      (json_int_t)gr->delivered, "clicked",
			      (json_int_t)gr->clicked, "reported",
			      (json_int_t)gr->reported, "click_rate",
			      rate(gr->clicked, gr->delivered), "report_rate",
			      rate(gr->reported, gr->delivered),
			      "median_report_seconds", median(gr));

	if (o != NULL && named)
		json_object_set_new(o, "name", json_string(gr->name));
	return o;
}

static json_t *
groups_json(struct groups *g, const char *key, int named)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < g->n; i++)
		json_array_append_new(arr, group_json(&g->v[i], key, named));
	return arr;
}

static void
groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].delays);
	free(g->v);
}

static int
cmp_group(const void *a, const void *b)
{
	return cmp_int64(&((const struct group *)a)->key,
			 &((const struct group *)b)->key);
}

/* Groups the delivered targets of l by agent, campaign and week. */
static int
group_all(const struct drill_target_list *l, struct groups g[3])
{
	size_t cap = l->n > 0 ? l->n : 1;
	int rc = 0;

	for (int k = 0; k < 3; k++) {
		g[k].v = calloc(cap, sizeof(struct group));
		g[k].n = 0;
		if (g[k].v == NULL)
			return -GH_INTERNAL;
	}
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		const struct drill_target *t = &l->v[i];
		int64_t d = t->delivered_at - MONDAY_OFFSET;
		int64_t week = d - ((d % WEEK) + WEEK) % WEEK + MONDAY_OFFSET;

		if (t->delivered_at <= 0)
			continue;
		rc = count(group_of(&g[0], t->staff_id, t->staff_name, cap), t);
		if (rc == 0)
			rc = count(group_of(&g[1], t->campaign_id,
					    t->template_id, cap), t);
		if (rc == 0)
			rc = count(group_of(&g[2], week, "", cap), t);
	}
	for (int k = 0; k < 3; k++)
		qsort(g[k].v, g[k].n, sizeof(struct group), cmp_group);
	return rc;
}

int
drills_stats(struct store_conn *c, const struct tk_actor *a, json_t **out)
{
	struct drill_target_list l;
	struct groups g[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
	int rc;

	*out = NULL;
	if (!actor_is_supervisor(a))
		return -GH_FORBIDDEN;
	rc = c->ops->drills.target_list(c, 0, &l);
	if (rc < 0)
		return rc;
	rc = group_all(&l, g);
	if (rc == 0) {
		*out = json_pack("{s:o, s:o, s:o}", "agents",
				 groups_json(&g[0], "staff_id", 1), "campaigns",
				 groups_json(&g[1], "campaign", 1), "weeks",
				 groups_json(&g[2], "week_start", 0));
		if (*out == NULL)
			rc = -GH_INTERNAL;
	}
	for (int k = 0; k < 3; k++)
		groups_free(&g[k]);
	drill_target_list_clear(&l);
	return rc;
}
