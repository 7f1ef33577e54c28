/*
 * Store conformance of passkeys (migration 030, issue 17) on both
 * backends (tests/unit/store_conf.h): credentials (unique ids across
 * realms, per-account reads and changes), user handles, challenges
 * (single use, the sweep, at most keep open per bind) and what
 * session_get reads for the passkey gate.
 */
#include "store_conf.h"

struct world {
	struct store *s;
	struct store_conn *c;
	int64_t staff;
};

static void
world_open(struct world *w)
{
	unsigned char seed[4] = {1, 2, 3, 4};
	struct staff_new n = {"pk@example.com", "Pat Key", "supervisor", "h",
			      {seed, sizeof(seed)}};

	memset(w, 0, sizeof(*w));
	w->s = sc_open();
	w->c = store_acquire(w->s);
	assert_int_equal(w->c->ops->staff_insert(w->c, &n, &w->staff), 0);
}

static void
world_close(struct world *w)
{
	store_release(w->s, w->c);
	store_close(w->s);
}

/* A credential of account pid in realm r with id bytes {tag, tag, ...}. */
static void
pk_fill(struct passkey_rec *p, enum realm r, int64_t pid, unsigned char tag,
	size_t id_len)
{
	memset(p, 0, sizeof(*p));
	p->realm = r;
	p->principal_id = pid;
	memset(p->cred_id, tag, id_len);
	p->cred_id_len = id_len;
	memset(p->public_key, 0xa5, 77);
	p->public_key_len = 77;
	p->alg = -7;
	p->sign_count = 5;
	snprintf(p->name, sizeof(p->name), "Key %u", tag);
	snprintf(p->fmt, sizeof(p->fmt), "none");
	snprintf(p->att_type, sizeof(p->att_type), "none");
	snprintf(p->aaguid, sizeof(p->aaguid), "%032d", 0);
	snprintf(p->transports, sizeof(p->transports), "hybrid,internal");
	p->uv = 1;
	p->backup_eligible = 1;
	p->backup_state = 0;
	p->created_at = 100;
}

static void
test_passkey_crud(void **state)
{
	struct world w;
	struct passkey_rec p, got;
	struct passkey_list l = {0};
	int64_t id1 = 0, id2 = 0, id3 = 0, n = -1;

	(void)state;
	world_open(&w);
	pk_fill(&p, REALM_STAFF, w.staff, 1, 16);
	assert_int_equal(w.c->ops->passkeys->insert(w.c, &p, &id1), 0);
	pk_fill(&p, REALM_STAFF, w.staff, 2, PASSKEY_CRED_ID_MAX);
	assert_int_equal(w.c->ops->passkeys->insert(w.c, &p, &id2), 0);
	/* The same credential id again, in this or the other realm. */
	pk_fill(&p, REALM_CUSTOMER, 7, 1, 16);
	assert_int_equal(w.c->ops->passkeys->insert(w.c, &p, &id3),
			 -GH_EXISTS);
	pk_fill(&p, REALM_CUSTOMER, 7, 3, 16);
	assert_int_equal(w.c->ops->passkeys->insert(w.c, &p, &id3), 0);

	memset(p.cred_id, 2, PASSKEY_CRED_ID_MAX);
	assert_int_equal(w.c->ops->passkeys->by_cred(w.c, p.cred_id,
						     PASSKEY_CRED_ID_MAX,
						     &got), 0);
	assert_int_equal(got.id, id2);
	assert_int_equal(got.realm, REALM_STAFF);
	assert_int_equal(got.principal_id, w.staff);
	assert_int_equal(got.cred_id_len, PASSKEY_CRED_ID_MAX);
	assert_int_equal(got.public_key_len, 77);
	assert_int_equal(got.public_key[76], 0xa5);
	assert_int_equal(got.alg, -7);
	assert_int_equal(got.sign_count, 5);
	assert_string_equal(got.transports, "hybrid,internal");
	assert_int_equal(got.backup_eligible, 1);
	assert_int_equal(got.last_used_at, 0);
	assert_int_equal(w.c->ops->passkeys->by_cred(w.c, p.cred_id, 15, &got),
			 -GH_NOT_FOUND);

	assert_int_equal(w.c->ops->passkeys->list(w.c, REALM_STAFF, w.staff,
						  &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, id1);
	assert_string_equal(l.v[1].name, "Key 2");
	passkey_list_clear(&l);
	assert_int_equal(w.c->ops->passkeys->count(w.c, REALM_STAFF, w.staff,
						   &n), 0);
	assert_int_equal(n, 2);

	/* Another account's passkey is not found by this account. */
	assert_int_equal(w.c->ops->passkeys->get(w.c, REALM_STAFF, w.staff, id3,
						 &got), -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->rename(w.c, REALM_STAFF, w.staff,
						    id3, "x"), -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->remove(w.c, REALM_STAFF, 7, id3),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->rename(w.c, REALM_STAFF, w.staff,
						    id1, "Laptop"), 0);
	assert_int_equal(w.c->ops->passkeys->get(w.c, REALM_STAFF, w.staff, id1,
						 &got), 0);
	assert_string_equal(got.name, "Laptop");

	assert_int_equal(w.c->ops->passkeys->used(w.c, id1, 9, 1, 300), 0);
	assert_int_equal(w.c->ops->passkeys->flag(w.c, id1), 0);
	assert_int_equal(w.c->ops->passkeys->get(w.c, REALM_STAFF, w.staff, id1,
						 &got), 0);
	assert_int_equal(got.sign_count, 9);
	assert_int_equal(got.backup_state, 1);
	assert_int_equal(got.last_used_at, 300);
	assert_int_equal(got.counter_flagged, 1);

	assert_int_equal(w.c->ops->passkeys->remove(w.c, REALM_STAFF, w.staff,
						    id1), 0);
	assert_int_equal(w.c->ops->passkeys->remove(w.c, REALM_STAFF, w.staff,
						    id1), -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->remove_all(w.c, REALM_STAFF,
							w.staff, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(w.c->ops->passkeys->count(w.c, REALM_CUSTOMER, 7, &n),
			 0);
	assert_int_equal(n, 1);
	world_close(&w);
}

static void
test_passkey_handles(void **state)
{
	struct world w;
	unsigned char h[PASSKEY_HANDLE_LEN], got[PASSKEY_HANDLE_LEN];
	int64_t pid = 0;

	(void)state;
	world_open(&w);
	memset(h, 0x3c, sizeof(h));
	assert_int_equal(w.c->ops->passkeys->handle_get(w.c, REALM_STAFF,
							w.staff, got),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->handle_put(w.c, REALM_STAFF,
							w.staff, h, 1), 0);
	assert_int_equal(w.c->ops->passkeys->handle_put(w.c, REALM_STAFF,
							w.staff, h, 1),
			 -GH_EXISTS);
	/* The same bytes for another account. */
	assert_int_equal(w.c->ops->passkeys->handle_put(w.c, REALM_CUSTOMER, 4,
							h, 1), -GH_EXISTS);
	assert_int_equal(w.c->ops->passkeys->handle_get(w.c, REALM_STAFF,
							w.staff, got), 0);
	assert_memory_equal(got, h, sizeof(h));
	assert_int_equal(w.c->ops->passkeys->handle_owner(w.c, REALM_STAFF, h,
							  &pid), 0);
	assert_int_equal(pid, w.staff);
	assert_int_equal(w.c->ops->passkeys->handle_owner(w.c, REALM_CUSTOMER,
							  h, &pid),
			 -GH_NOT_FOUND);
	world_close(&w);
}

static void
ch_fill(struct passkey_challenge *ch, const char *hash, const char *bind,
	int64_t now)
{
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->hash, sizeof(ch->hash), "%s", hash);
	ch->realm = REALM_CUSTOMER;
	snprintf(ch->purpose, sizeof(ch->purpose), "register");
	ch->principal_id = 3;
	snprintf(ch->bind, sizeof(ch->bind), "%s", bind);
	ch->created_at = now;
	ch->expires_at = now + 120;
}

static void
test_passkey_challenges(void **state)
{
	struct world w;
	struct passkey_challenge ch, got;
	char hash[16];

	(void)state;
	world_open(&w);
	ch_fill(&ch, "h-old", "session:a", 100);
	assert_int_equal(w.c->ops->passkeys->challenge_put(w.c, &ch, 3), 0);
	/* Taken once, whatever its age: the caller refuses expired ones. */
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "h-old", &got),
			 0);
	assert_int_equal(got.realm, REALM_CUSTOMER);
	assert_string_equal(got.purpose, "register");
	assert_int_equal(got.principal_id, 3);
	assert_string_equal(got.bind, "session:a");
	assert_int_equal(got.expires_at, 220);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "h-old", &got),
			 -GH_NOT_FOUND);

	/* At most keep open per bind: the oldest go. */
	for (int i = 0; i < 5; i++) {
		snprintf(hash, sizeof(hash), "h%d", i);
		ch_fill(&ch, hash, "session:a", 100 + i);
		assert_int_equal(w.c->ops->passkeys->challenge_put(w.c, &ch, 3),
				 0);
	}
	ch_fill(&ch, "other", "session:b", 104);
	assert_int_equal(w.c->ops->passkeys->challenge_put(w.c, &ch, 3), 0);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "h1", &got),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "h2", &got),
			 0);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "h4", &got),
			 0);
	/* The sweep: a put at 300 deletes what expired by then. */
	ch_fill(&ch, "late", "", 300);
	assert_int_equal(w.c->ops->passkeys->challenge_put(w.c, &ch, 3), 0);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "h3", &got),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "other", &got),
			 -GH_NOT_FOUND);
	assert_int_equal(w.c->ops->passkeys->challenge_take(w.c, "late", &got),
			 0);
	assert_string_equal(got.bind, "");
	world_close(&w);
}

/* session_get reads the method and, for staff, the passkey count. */
static void
test_passkey_session(void **state)
{
	struct world w;
	struct session_rec s, got;
	struct passkey_rec p;
	int64_t id = 0;

	(void)state;
	world_open(&w);
	memset(&s, 0, sizeof(s));
	snprintf(s.token_hash, sizeof(s.token_hash), "%064d", 1);
	s.realm = REALM_STAFF;
	s.principal_id = w.staff;
	s.created_at = s.last_seen = 10;
	s.idle_secs = 100;
	s.abs_expires = 1000;
	s.mfa = 1;
	snprintf(s.ip, sizeof(s.ip), "192.0.2.1");
	assert_int_equal(w.c->ops->session_insert(w.c, &s), 0);
	assert_int_equal(w.c->ops->session_get(w.c, s.token_hash, &got), 0);
	assert_string_equal(got.method, "password");
	assert_int_equal(got.passkeys, 0);

	snprintf(s.token_hash, sizeof(s.token_hash), "%064d", 2);
	snprintf(s.method, sizeof(s.method), "passkey");
	assert_int_equal(w.c->ops->session_insert(w.c, &s), 0);
	pk_fill(&p, REALM_STAFF, w.staff, 9, 32);
	assert_int_equal(w.c->ops->passkeys->insert(w.c, &p, &id), 0);
	pk_fill(&p, REALM_CUSTOMER, w.staff, 8, 32);
	assert_int_equal(w.c->ops->passkeys->insert(w.c, &p, &id), 0);
	assert_int_equal(w.c->ops->session_get(w.c, s.token_hash, &got), 0);
	assert_string_equal(got.method, "passkey");
	assert_int_equal(got.passkeys, 1);
	world_close(&w);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passkey_crud),
		cmocka_unit_test(test_passkey_handles),
		cmocka_unit_test(test_passkey_challenges),
		cmocka_unit_test(test_passkey_session),
	};

	return sc_main(argc, argv, "store_passkeys", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
