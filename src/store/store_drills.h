/*
 * Phishing drills' storage operations and their records (migration 015:
 * campaigns, their targets with the first time of each event, the mark
 * on drill tickets, and customer messages reported as phishing), kept
 * apart from store/store.h, which includes this header before struct
 * store_ops (whose member `drills` holds the operations). Include
 * store/store.h, not this file.
 *
 * Invariant: an event time, once set, is never moved: every event
 * operation sets a column only while it is NULL.
 */
#ifndef GH_STORE_STORE_DRILLS_H
#define GH_STORE_STORE_DRILLS_H

#include <stddef.h>
#include <stdint.h>

#define DRILL_TEMPLATE_BYTES 32

/* The events of a drill target, in the order of their columns. */
enum drill_event {
	DRILL_OPENED = 0,
	DRILL_CLICKED,
	DRILL_ATTACHMENT_OPENED,
	DRILL_REPORTED,
	DRILL_N_EVENTS
};

struct drill_campaign_new {
	const char *template_id;
	int64_t created_by;
	int64_t send_at;
	int64_t now;
	const int64_t *staff;     /* the targets */
	const int64_t *queue;     /* each target's queue for its ticket */
	size_t n;
};

struct drill_campaign {
	int64_t id;
	char template_id[DRILL_TEMPLATE_BYTES];
	int64_t created_by;
	char created_by_name[404];
	int64_t created_at;
	int64_t send_at;
	int64_t targets;
	int64_t delivered;
	int64_t clicked;
	int64_t reported;
};

struct drill_campaign_list {
	struct drill_campaign *v; /* malloc'd; drill_campaign_list_clear() */
	size_t n;
};

/* A target with its times (0: not yet). ev[] is indexed by enum
 * drill_event. */
struct drill_target {
	int64_t id;
	int64_t campaign_id;
	char template_id[DRILL_TEMPLATE_BYTES];
	int64_t staff_id;
	char staff_name[404];
	int64_t queue_id;
	int64_t send_at;
	int64_t ticket_id;        /* 0 until delivered */
	int64_t message_id;
	int64_t delivered_at;
	int64_t ev[DRILL_N_EVENTS];
};

struct drill_target_list {
	struct drill_target *v;   /* malloc'd; drill_target_list_clear() */
	size_t n;
};

struct store_conn;

/*
 * The drills' operations, the member `drills` of struct store_ops.
 *
 * campaign_insert stores a campaign and one target per staff member.
 * campaign_count counts campaigns created after since. campaign_list:
 * every campaign, newest first, with its counts; campaign_get one
 * (-GH_NOT_FOUND). target_list: the targets of campaign_id (0: of every
 * campaign), by id. target_due: at most max undelivered targets with
 * send_at <= now, of staff_id only when it is > 0, oldest first.
 * target_by_ticket: the target whose drill ticket is ticket_id
 * (-GH_NOT_FOUND for a real ticket). target_delivered marks ticket_id as
 * the target's drill ticket, assigns it to the target in the target's
 * queue, and records message_id and delivered_at; -GH_CONFLICT when the
 * target was delivered already. target_event sets the event's time
 * when it is not set; -GH_CONFLICT when it was.
 * queue_staff: the ids of at most max staff members of queue_id who are
 * not disabled, by id (*n_out: how many).
 * message_report marks a message as reported by staff_id at now;
 * -GH_CONFLICT when it was reported already. message_reported:
 * *at_out gets the time it was reported, 0 when it was not
 * (-GH_NOT_FOUND when there is no such message in ticket_id).
 * attachments_quarantine
 * quarantines the customer's attachments of ticket_id (*n_out: how many
 * were not quarantined before).
 */
struct store_drills_ops {
	int (*campaign_insert)(struct store_conn *c,
			       const struct drill_campaign_new *n,
			       int64_t *id_out);
	int (*campaign_count)(struct store_conn *c, int64_t since,
			      int64_t *n_out);
	int (*campaign_list)(struct store_conn *c,
			     struct drill_campaign_list *out);
	int (*campaign_get)(struct store_conn *c, int64_t id,
			    struct drill_campaign *out);
	int (*target_list)(struct store_conn *c, int64_t campaign_id,
			   struct drill_target_list *out);
	int (*target_due)(struct store_conn *c, int64_t now, int64_t staff_id,
			  size_t max, struct drill_target_list *out);
	int (*target_by_ticket)(struct store_conn *c, int64_t ticket_id,
				struct drill_target *out);
	int (*target_delivered)(struct store_conn *c,
				const struct drill_target *t,
				int64_t ticket_id, int64_t message_id,
				int64_t now);
	int (*target_event)(struct store_conn *c, int64_t target_id,
			    enum drill_event ev, int64_t now);
	int (*queue_staff)(struct store_conn *c, int64_t queue_id,
			   int64_t *ids, size_t max, size_t *n_out);
	int (*message_report)(struct store_conn *c, int64_t message_id,
			      int64_t staff_id, int64_t now);
	int (*message_reported)(struct store_conn *c, int64_t ticket_id,
				int64_t message_id, int64_t *at_out);
	int (*attachments_quarantine)(struct store_conn *c, int64_t ticket_id,
				      int64_t *n_out);
};

/* Release what the list operations filled (NULL-safe). */
void drill_campaign_list_clear(struct drill_campaign_list *l);
void drill_target_list_clear(struct drill_target_list *l);

#endif
