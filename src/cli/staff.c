/*
 * `gatehouse staff add|queue|unlock|disable|enable`: staff accounts and
 * their queue memberships. A new account joins its queues (default
 * "general") in the transaction that creates it, and every queue must
 * exist before anything is created: both or neither.
 */
#include <stdio.h>
#include <string.h>

#include "cli/account.h"
#include "cli/cli.h"
#include "core/tickets.h"
#include "util/errors.h"

/* The most distinct queues of one `staff add`. */
#define STAFF_QUEUES_MAX 16

/* The --queue values of `staff add`: each may list names separated by
 * commas; duplicates count once. */
struct queue_args {
	char names[STAFF_QUEUES_MAX][QUEUE_NAME_BYTES];
	const char *ptrs[STAFF_QUEUES_MAX];
	size_t n;
};

/* 0, or -GH_UNKNOWN_QUEUE for a value that is not a list of queue names,
 * -GH_BAD_FIELD for more than STAFF_QUEUES_MAX names. */
static int
queue_args_add(struct queue_args *q, const char *arg)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char name[QUEUE_NAME_BYTES];
		int dup = 0;

		if (len < 1 || len > QUEUE_NAME_MAX)
			return -GH_UNKNOWN_QUEUE;
		memcpy(name, p, len);
		name[len] = '\0';
		if (!tickets_valid_queue_name(name))
			return -GH_UNKNOWN_QUEUE;
		for (size_t i = 0; i < q->n; i++)
			if (strcmp(q->names[i], name) == 0)
				dup = 1;
		if (!dup) {
			if (q->n == STAFF_QUEUES_MAX)
				return -GH_BAD_FIELD;
			memcpy(q->names[q->n], name, len + 1);
			q->ptrs[q->n] = q->names[q->n];
			q->n++;
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* The queues of a->queue_opts into q ("general" when none). 0, or 1
 * after the error. */
static int
collect_queues(const struct account_args *a, struct queue_args *q)
{
	int rc = a->too_many_queue_opts ? -GH_BAD_FIELD : 0;

	memset(q, 0, sizeof(*q));
	for (size_t i = 0; rc == 0 && i < a->n_queue_opts; i++)
		rc = queue_args_add(q, a->queue_opts[i]);
	if (rc < 0)
		return cli_print_error(rc,
				       rc == -GH_BAD_FIELD
					       ? "Too many queues (at most 16)."
					       : CLI_QUEUE_NAME_HELP,
				       "queue");
	if (q->n == 0) {
		memcpy(q->names[0], "general", sizeof("general"));
		q->ptrs[0] = q->names[0];
		q->n = 1;
	}
	return 0;
}

/* Which options go with which verb. 0, or 2 after the usage. */
static int
check_options(const struct account_args *a)
{
	const char *v = a->verb;
	int queue_opt = a->n_queue_opts > 0 || a->too_many_queue_opts;

	if (strcmp(v, "add") != 0 && strcmp(v, "queue") != 0 &&
	    !account_is_state_verb(v))
		return cli_usage_error("staff");
	/* --queue only with add, --add or --remove (one) only with queue. */
	if ((queue_opt && strcmp(v, "add") != 0) ||
	    ((a->q_add || a->q_remove) && strcmp(v, "queue") != 0) ||
	    (strcmp(v, "queue") == 0 &&
	     (a->q_add != NULL) == (a->q_remove != NULL)))
		return cli_usage_error("staff");
	/* Personal fields and portal enrolment are the customers'. */
	if (a->in.phone || a->in.dob || a->in.address ||
	    a->in.account_number || a->field || a->value_stdin ||
	    a->in.enroll_in_portal)
		return cli_usage_error("staff");
	if (strcmp(v, "add") == 0 &&
	    (!a->pw_stdin || a->in.name == NULL || a->in.role == NULL))
		return cli_usage_error("staff");
	return 0;
}

/* A staff member's queue names as a JSON array, or NULL when they cannot
 * be read. */
static json_t *
member_queues(struct store_conn *conn, int64_t staff_id)
{
	struct queue_list l = {NULL, 0};
	json_t *a;

	if (tickets_staff_queues(conn, staff_id, &l) < 0)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(a, json_string(l.v[i].name));
	queue_list_clear(&l);
	return a;
}

/* `staff add`: the account and its queues (a->in.queues). */
static int
staff_add(struct app *app, struct store_conn *conn, struct account_args *a)
{
	json_t *out = NULL;
	int64_t id = 0;
	int rc;

	/* Every queue must exist before anything is created. */
	for (size_t i = 0; i < a->in.n_queues; i++) {
		struct queue_rec qr;

		rc = tickets_queue_find(conn, a->in.queues[i], &qr);
		if (rc < 0)
			return cli_print_error(rc, NULL, "queue");
	}
	rc = account_create(app, conn, a, &out, &id);
	if (rc != 0)
		return rc;
	json_object_set_new(out, "queues", member_queues(conn, id));
	cli_print_json(out);
	return 0;
}

/* `staff queue --email E --add Q|--remove Q` */
static int
staff_queue(struct app *app, struct store_conn *conn, struct account_args *a)
{
	const char *queue = a->q_add != NULL ? a->q_add : a->q_remove;
	int64_t id = 0;
	int changed = 0;
	json_t *qs;
	int rc;

	rc = tickets_staff_queue(app, conn, "cli", a->in.email, queue,
				 a->q_add != NULL, &id, &changed);
	if (rc == -GH_NOT_FOUND)
		return cli_print_error(rc, "There is no staff member with this "
					   "e-mail.",
				       "email");
	if (rc < 0)
		return cli_print_error(rc, NULL,
				       rc == -GH_UNKNOWN_QUEUE ? "queue" : NULL);
	qs = member_queues(conn, id);
	if (qs == NULL)
		return cli_print_error(-GH_INTERNAL, NULL, NULL);
	cli_print_json(json_pack("{s:I, s:s, s:b, s:b, s:o}", "id",
				 (json_int_t)id, "queue", queue, "member",
				 a->q_add != NULL, "changed", changed, "queues",
				 qs));
	return 0;
}

int
cli_staff(int argc, char **argv)
{
	struct account_args a;
	struct queue_args queues;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "force-password-change") == 0)
		return cli_staff_force_password_change(argc - 1, argv + 1);
	rc = account_parse(REALM_STAFF, "staff", argc, argv, &a);
	if (rc == 0)
		rc = check_options(&a);
	if (rc == 0 && strcmp(a.verb, "add") == 0)
		rc = collect_queues(&a, &queues);
	if (rc != 0)
		return rc;
	if (strcmp(a.verb, "add") == 0) {
		a.in.queues = queues.ptrs;
		a.in.n_queues = queues.n;
		return account_run(&a, staff_add);
	}
	if (strcmp(a.verb, "queue") == 0)
		return account_run(&a, staff_queue);
	return account_run(&a, account_set_state);
}
