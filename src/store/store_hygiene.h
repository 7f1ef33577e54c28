/*
 * Account hygiene's storage operations and their records (migration 016):
 * the sessions of one principal by their public ids, the login history of
 * both realms, and the staff password's age and forced-change flag. Kept
 * apart from store/store.h, which includes this header before struct
 * store_ops (whose member `hygiene` holds the operations). Include
 * store/store.h, not this file.
 *
 * No record here holds a session token, its hash, a password or a code.
 */
#ifndef GH_STORE_STORE_HYGIENE_H
#define GH_STORE_STORE_HYGIENE_H

#include <stddef.h>
#include <stdint.h>

#define LOGIN_METHOD_BYTES 32
#define PW_FORCE_REASON_BYTES 2004 /* 500 code points of UTF-8 */

/* One session of a principal, as its owner may see it. */
struct session_info {
	int64_t id;       /* the public id (16 digits), never the token */
	int64_t created_at;
	int64_t last_seen;
	int64_t idle_secs;
	int64_t abs_expires;
	char ip[64];
	int mfa;
	int current;      /* the session whose hash the caller named */
};

struct session_info_list {
	struct session_info *v; /* malloc'd; session_info_list_clear() */
	size_t n;
};

/* One login attempt of a known account. */
struct login_new {
	enum realm realm;
	int64_t principal_id;
	int64_t at;
	const char *ip;
	const char *network;      /* "203.0.113.0/24", "2001:db8:1::/48" */
	const char *method;       /* "password+totp", "password" */
	int ok;
};

struct login_entry {
	int64_t at;
	char ip[64];
	char network[64];
	char method[LOGIN_METHOD_BYTES];
	int ok;
};

struct login_list {
	struct login_entry *v;    /* malloc'd; login_list_clear() */
	size_t n;
};

/* A staff member's password state. */
struct staff_pw_state {
	int64_t changed_at;       /* when last set (creation time at first) */
	int must_change;
	char reason[PW_FORCE_REASON_BYTES]; /* why it was forced, or "" */
	char forced_by[48];                 /* "staff:3", "cli", or "" */
	int disabled;
};

/*
 * The operations, the member `hygiene` of struct store_ops
 * (c->ops->hygiene.session_list(c, ...)). Results: 0, -GH_NOT_FOUND as
 * named, or a store error.
 *
 * session_list: the sessions of (realm, id), newest first; `current` is
 * set on the one whose token hash is current_hash (may be NULL).
 * session_hash_of: the token hash (65 bytes with the NUL) of the session
 * of (realm, id) with this public id; -GH_NOT_FOUND when that principal
 * has no such session.
 * session_delete_others: deletes every session of (realm, id) except the
 * one with keep_hash (NULL: all); *n_out (may be NULL) gets the count.
 *
 * login_insert: records one attempt, then deletes the principal's rows
 * older than its newest `keep`. login_list: the newest `max` rows of
 * (realm, id), newest first. login_network_seen: *earlier_out gets the
 * number of successful logins of (realm, id), *seen_out those from
 * network.
 *
 * staff_pw_get: -GH_NOT_FOUND when there is no such staff member.
 * staff_pw_set: sets the password hash, its time (now) and clears the
 * forced-change flag; -GH_NOT_FOUND. staff_pw_force: sets the flag with
 * reason and who forced it; -GH_NOT_FOUND.
 */
struct store_conn;

struct store_hygiene_ops {
	int (*session_list)(struct store_conn *c, enum realm realm, int64_t id,
			    const char *current_hash,
			    struct session_info_list *out);
	int (*session_hash_of)(struct store_conn *c, enum realm realm,
			       int64_t id, int64_t public_id,
			       char hash_out[65]);
	int (*session_delete_others)(struct store_conn *c, enum realm realm,
				     int64_t id, const char *keep_hash,
				     int64_t *n_out);
	int (*login_insert)(struct store_conn *c, const struct login_new *l,
			    int64_t keep);
	int (*login_list)(struct store_conn *c, enum realm realm, int64_t id,
			  int64_t max, struct login_list *out);
	int (*login_network_seen)(struct store_conn *c, enum realm realm,
				  int64_t id, const char *network,
				  int64_t *seen_out, int64_t *earlier_out);
	int (*staff_pw_get)(struct store_conn *c, int64_t id,
			    struct staff_pw_state *out);
	int (*staff_pw_set)(struct store_conn *c, int64_t id,
			    const char *pw_hash, int64_t now);
	int (*staff_pw_force)(struct store_conn *c, int64_t id,
			      const char *reason, const char *forced_by);
};

/* Release what session_list and login_list filled (NULL-safe). */
void session_info_list_clear(struct session_info_list *l);
void login_list_clear(struct login_list *l);

#endif
