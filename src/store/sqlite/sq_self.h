/*
 * The SQLite bodies of customer self-service's operations
 * (sqlite/self.c), for the ops table in conn.c; contracts in
 * store/store_self.h. Private to src/store/sqlite/.
 */
#ifndef GH_STORE_SQLITE_SQ_SELF_H
#define GH_STORE_SQLITE_SQ_SELF_H

#include "store/store.h"

int sq_self_codes_replace(struct store_conn *c, int64_t customer_id,
			  const struct recovery_code_rec *v, size_t n,
			  int64_t now);
int sq_self_codes_live(struct store_conn *c, int64_t customer_id,
		       struct recovery_code_list *out);
int sq_self_code_use(struct store_conn *c, int64_t customer_id, int64_t id,
		     int64_t now);
int sq_self_codes_count(struct store_conn *c, int64_t customer_id,
			int64_t *n_out);
int sq_self_reenrol_put(struct store_conn *c, const struct reenrol_rec *r);
int sq_self_reenrol_get(struct store_conn *c, int64_t customer_id,
			struct reenrol_rec *out);
int sq_self_reenrol_delete(struct store_conn *c, int64_t customer_id);
int sq_self_token_insert(struct store_conn *c,
			 const struct portal_token_new *t);
int sq_self_token_get(struct store_conn *c, const char *hash,
		      const char *kind, int64_t now,
		      struct portal_token_rec *out);
int sq_self_token_use(struct store_conn *c, const char *hash, int64_t now);
int sq_self_tokens_since(struct store_conn *c, const char *kind,
			 int64_t customer_id, const char *email_idx,
			 int64_t since, int64_t *n_out);

#endif
