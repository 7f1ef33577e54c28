/*
 * The ticket view written straight into its reply (api/tickets_view.h,
 * issue 14 VIEW2): tkv_view_text() gives exactly the bytes of the tree
 * (tkv_view_json() encoded as json_dumps would) for every shape a view
 * takes: customer and staff messages, stored redactions and links (empty,
 * filled, broken), notes, held replies decided or not, an assignee or
 * none, a drill's ticket for a supervisor and for its agent, reported
 * messages past the 64 marked, texts needing escapes; and gives NULL (so
 * the handler replies with the tree) where the tree drops or empties
 * something: a text that is not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/tickets_view.h"
#include "util/jsonenc.h"

#define N_MSG 70

struct fx {
	struct ticket_rec t;
	struct tk_actor a;
	struct thread_item m[N_MSG];
	struct thread_item n[2];
	struct held_reply h[2];
	struct thread_list msgs, notes;
	struct held_list held;
	char bodies[N_MSG][48];
	char note_body[2][32];
	char held_body[2][32];
	char links[64];
	char redactions[64];
	char broken[16];
};

static struct fx *
fixture(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t = (struct ticket_rec){.id = 7, .customer_id = 3,
				   .assignee_id = 2, .created_at = 1000,
				   .updated_at = 2000, .queue_id = 1};
	snprintf(f->t.customer_name, sizeof(f->t.customer_name),
		 "Zo\xc3\xab \"Q\" O'Neil");
	snprintf(f->t.subject, sizeof(f->t.subject),
		 "Order 48213\tlate \\ \xe2\x82\xac\x01");
	snprintf(f->t.status, sizeof(f->t.status), "open");
	snprintf(f->t.assignee_name, sizeof(f->t.assignee_name), "Alice");
	snprintf(f->t.queue_name, sizeof(f->t.queue_name), "general");
	f->a = (struct tk_actor){REALM_STAFF, 2, "agent", NULL, NULL};
	snprintf(f->links, sizeof(f->links),
		 "[{\"url\":\"hxxps://x[.]y/\",\"verdict\":\"bad\"}]");
	snprintf(f->redactions, sizeof(f->redactions),
		 "[{\"type\":\"card\",\"rule\":\"pan\"}]");
	snprintf(f->broken, sizeof(f->broken), "[{oops");
	for (int i = 0; i < N_MSG; i++) {
		struct thread_item *it = &f->m[i];

		it->id = 100 + i;
		it->ticket_id = 7;
		it->author_realm = i % 3 == 2 ? REALM_STAFF : REALM_CUSTOMER;
		it->author_id = it->author_realm == REALM_STAFF ? 2 : 3;
		snprintf(it->author_name, sizeof(it->author_name), "%s",
			 it->author_realm == REALM_STAFF ? "Alice \xf0\x9f\x98\x80"
							 : "");
		snprintf(f->bodies[i], sizeof(f->bodies[i]),
			 "Line %d\nsays \"hi\" </b>", i);
		it->body = f->bodies[i];
		it->created_at = 1000 + i;
		it->redactions = i % 4 == 0 ? NULL
				 : i % 4 == 1 ? f->redactions
				 : i % 4 == 2 ? f->broken
					      : NULL;
		it->links = i % 5 == 0 ? f->links : i % 5 == 1 ? f->broken
							       : NULL;
		it->reported = i != 5;
	}
	for (int i = 0; i < 2; i++) {
		f->n[i] = (struct thread_item){.id = 500 + i, .ticket_id = 7,
					       .author_realm = REALM_STAFF,
					       .author_id = 2,
					       .created_at = 3000 + i};
		snprintf(f->n[i].author_name, sizeof(f->n[i].author_name),
			 "Alice");
		snprintf(f->note_body[i], sizeof(f->note_body[i]),
			 "note %d\r\n", i);
		f->n[i].body = f->note_body[i];
	}
	for (int i = 0; i < 2; i++) {
		struct held_reply *h = &f->h[i];

		h->id = 900 + i;
		h->ticket_id = 7;
		h->author_id = 2;
		snprintf(h->author_name, sizeof(h->author_name), "Alice");
		snprintf(f->held_body[i], sizeof(f->held_body[i]), "held %d",
			 i);
		h->body = f->held_body[i];
		snprintf(h->reason, sizeof(h->reason), "notes_too_large");
		snprintf(h->state, sizeof(h->state), i ? "released" : "held");
		h->created_at = 4000 + i;
		h->decided_by = i ? 5 : 0;
		snprintf(h->decided_by_name, sizeof(h->decided_by_name),
			 "Sam Super");
		h->decided_at = i ? 4100 : 0;
		snprintf(h->decision, sizeof(h->decision), "%s",
			 i ? "checked" : "");
		h->message_id = i ? 169 : 0;
	}
	f->msgs = (struct thread_list){f->m, N_MSG};
	f->notes = (struct thread_list){f->n, 2};
	f->held = (struct held_list){f->h, 2};
	return f;
}

/* The text is the tree's bytes. */
static void
assert_same(struct fx *f)
{
	struct tkv_view v = {&f->t, &f->a, &f->msgs, &f->notes, &f->held};
	json_t *tree = tkv_view_json(&v);
	char *want = json_dumps(tree, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t len = 0;
	char *got = tkv_view_text(&v, &len);

	assert_non_null(want);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(tree);
}

static void
test_full_view(void **state)
{
	struct fx *f = fixture();
	struct tkv_view v = {&f->t, &f->a, &f->msgs, &f->notes, &f->held};
	json_t *tree;

	(void)state;
	assert_same(f);
	/* The fixture is what it claims: 64 marked, later reports not. */
	tree = tkv_view_json(&v);
	assert_true(json_is_true(json_object_get(
		json_array_get(json_object_get(tree, "messages"), 0),
		"reported")));
	assert_true(json_is_false(json_object_get(
		json_array_get(json_object_get(tree, "messages"), 69),
		"reported")));
	assert_null(json_object_get(
		json_array_get(json_object_get(tree, "messages"), 2),
		"reported"));
	json_decref(tree);
	free(f);
}

/* Unassigned; a drill's ticket for a supervisor (marked) and for its
 * agent (not); empty threads. */
static void
test_shapes(void **state)
{
	struct fx *f = fixture();
	struct tkv_view v = {&f->t, &f->a, &f->msgs, &f->notes, &f->held};
	char *text;

	(void)state;
	f->t.assignee_id = 0;
	f->t.drill_id = 4;
	assert_same(f);
	text = tkv_view_text(&v, NULL);
	assert_null(strstr(text, "\"drill\""));
	free(text);
	f->a.role = "supervisor";
	assert_same(f);
	text = tkv_view_text(&v, NULL);
	assert_non_null(strstr(text, "\"drill\":true"));
	free(text);
	f->msgs.n = 0;
	f->notes.n = 0;
	f->held.n = 0;
	assert_same(f);
	free(f);
}

/* Where the tree leaves something out, the text is not given. */
static void
test_bad_text_falls_back(void **state)
{
	struct fx *f = fixture();
	struct tkv_view v = {&f->t, &f->a, &f->msgs, &f->notes, &f->held};

	(void)state;
	snprintf(f->bodies[3], sizeof(f->bodies[3]), "bad \xc3");
	assert_null(tkv_view_text(&v, NULL));
	snprintf(f->bodies[3], sizeof(f->bodies[3]), "fine");
	assert_same(f);
	snprintf(f->t.subject, sizeof(f->t.subject), "\xff");
	assert_null(tkv_view_text(&v, NULL));
	snprintf(f->t.subject, sizeof(f->t.subject), "ok");
	snprintf(f->held_body[1], sizeof(f->held_body[1]), "\xed\xa0\x80");
	assert_null(tkv_view_text(&v, NULL));
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_view),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_bad_text_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
