/*
 * The SQLite bodies of the drills' operations (sqlite/drills.c), for the
 * ops table in conn.c; contracts in store/store_drills.h. Private to
 * src/store/sqlite/.
 */
#ifndef GH_STORE_SQLITE_SQ_DRILLS_H
#define GH_STORE_SQLITE_SQ_DRILLS_H

#include "store/store.h"

int sq_drill_campaign_insert(struct store_conn *c,
			     const struct drill_campaign_new *n,
			     int64_t *id_out);
int sq_drill_campaign_count(struct store_conn *c, int64_t since,
			    int64_t *n_out);
int sq_drill_campaign_list(struct store_conn *c,
			   struct drill_campaign_list *out);
int sq_drill_campaign_get(struct store_conn *c, int64_t id,
			  struct drill_campaign *out);
int sq_drill_target_list(struct store_conn *c, int64_t campaign_id,
			 struct drill_target_list *out);
int sq_drill_target_due(struct store_conn *c, int64_t now, int64_t staff_id,
			size_t max, struct drill_target_list *out);
int sq_drill_target_by_ticket(struct store_conn *c, int64_t ticket_id,
			      struct drill_target *out);
int sq_drill_target_delivered(struct store_conn *c,
			      const struct drill_target *t, int64_t ticket_id,
			      int64_t message_id, int64_t now);
int sq_drill_target_event(struct store_conn *c, int64_t target_id,
			  enum drill_event ev, int64_t now);
int sq_drill_queue_staff(struct store_conn *c, int64_t queue_id,
			 int64_t *ids, size_t max, size_t *n_out);
int sq_drill_message_report(struct store_conn *c, int64_t message_id,
			    int64_t staff_id, int64_t now);
int sq_drill_message_reported(struct store_conn *c, int64_t ticket_id,
			      int64_t message_id, int64_t *at_out);
int sq_drill_attachments_quarantine(struct store_conn *c, int64_t ticket_id,
				    int64_t *n_out);

#endif
