/*
 * SLA storage operations and their records (migration 022): business
 * calendars (their hours and holidays as core/calendar.c's text forms),
 * one policy per queue (targets in business minutes by priority), the
 * SLA clock of each ticket (ticket_sla: business seconds accrued while it
 * was open, since when it runs, the due instants), its breaches
 * (sla_breaches, one per ticket and kind of target) and the supervisors'
 * counts. Kept apart from store/store.h, which includes this header
 * before struct store_ops (whose member `sla` points to the
 * operations). Include store/store.h, not this file.
 *
 * Invariant: tickets.due_at and tickets.breached (migration 020) are only
 * written by ticket_put, together with the ticket's ticket_sla row.
 */
#ifndef GH_STORE_STORE_SLA_H
#define GH_STORE_STORE_SLA_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define SLA_NAME_BYTES 65          /* a calendar's name: 1..64 bytes */
#define SLA_TZ_BYTES 65
#define SLA_HOURS_BYTES 512        /* CAL_HOURS_TEXT */
#define SLA_HOLIDAYS_BYTES 2201    /* CAL_HOLIDAYS_TEXT */
#define SLA_NPRIO 4                /* low, normal, high, urgent */

struct sla_calendar_rec {
	int64_t id;
	char name[SLA_NAME_BYTES];
	char tz[SLA_TZ_BYTES];
	char hours[SLA_HOURS_BYTES];
	char holidays[SLA_HOLIDAYS_BYTES];
	int64_t updated_at;
};

struct sla_calendar_list {
	struct sla_calendar_rec *v; /* malloc'd; STORE_LIST_FREE */
	size_t n;
};

/* A queue's policy: targets in business minutes by priority (index 0
 * low .. 3 urgent), 0 for none. */
struct sla_policy_rec {
	int64_t queue_id;
	int64_t calendar_id;
	char calendar_name[SLA_NAME_BYTES];
	int64_t first_response[SLA_NPRIO];
	int64_t resolution[SLA_NPRIO];
	int64_t updated_at;
};

/* A ticket's SLA clock. running_since 0: paused; fr_elapsed: business
 * seconds when first answered, -1 before; fr_due, res_due: the due
 * instants last computed (0: none). calendar_id: the calendar the clock
 * ran in since running_since. */
struct sla_state {
	int64_t calendar_id;
	int64_t running_since;
	int64_t accrued;
	int64_t fr_elapsed;
	int64_t fr_due, res_due;
};

/* What the SLA needs of a ticket, read in one statement. */
struct sla_ticket_rec {
	int64_t id;
	char status[16];
	char priority[8];
	int64_t queue_id;
	int64_t assignee_id;       /* 0: unassigned */
	int breached;
	int staff_replied;         /* a staff message exists */
	int has_state;             /* a ticket_sla row exists */
	struct sla_state st;
	int fr_recorded, res_recorded; /* breaches already recorded */
	int has_policy;            /* the ticket's queue has one */
	struct sla_policy_rec policy;
};

/* What ticket_put writes: the clock, the next instant the sweep looks at
 * the ticket (0: none), and the ticket's due_at (0: NULL) and
 * breached. */
struct sla_ticket_put {
	int64_t id;
	struct sla_state st;
	int64_t next_check;
	int64_t due_at;
	int breached;
};

struct sla_breach_new {
	int64_t ticket_id;
	const char *kind;          /* first_response | resolution */
	int64_t due_at, at;
	int64_t assignee_id;       /* 0: none */
	int64_t queue_id;
	const char *priority;
};

/* Breach counts of a queue or an agent (id 0: unassigned). */
struct sla_count_rec {
	int64_t id;
	char name[404];
	int64_t total, first_response, resolution;
};

struct sla_count_list {
	struct sla_count_rec *v;   /* malloc'd; STORE_LIST_FREE */
	size_t n;
};

/* An open ticket due soon or overdue. */
struct sla_risk_rec {
	int64_t ticket_id;
	char subject[804];
	char queue[33];
	int64_t assignee_id;
	char assignee_name[404];
	char priority[8];
	int64_t due_at;
	int breached;
};

struct sla_risk_list {
	struct sla_risk_rec *v;    /* malloc'd; STORE_LIST_FREE */
	size_t n;
};

/*
 * The operations, member `sla` of struct store_ops (a pointer).
 *
 * cal_list: every calendar by name. cal_get: by id (name NULL) or by
 * name; -GH_NOT_FOUND. cal_insert: -GH_EXISTS when the name is taken.
 * cal_update: by id (name, tz, hours, holidays, updated_at). cal_delete:
 * by id. cal_in_use: 0 when a policy uses calendar id, -GH_NOT_FOUND
 * otherwise. policy_get: the policy of queue_id, -GH_NOT_FOUND when none.
 * policy_put: inserts or replaces it. policy_delete: -GH_NOT_FOUND when
 * none. ticket_get: -GH_NOT_FOUND when there is no such ticket.
 * ticket_put: the ticket_sla row and the ticket's due_at and breached.
 * breach_insert: -GH_EXISTS when the ticket has that kind already.
 * due: at most max ids of tickets whose next_check <= now, earliest
 * first (*n_out). by_queue, by_agent: breaches recorded in [since,
 * until), most first. at_risk: at most max open tickets with a due_at
 * before until, earliest first.
 */
struct store_conn;

struct store_sla_ops {
	int (*cal_list)(struct store_conn *c, struct sla_calendar_list *out);
	int (*cal_get)(struct store_conn *c, int64_t id, const char *name,
		       struct sla_calendar_rec *out);
	int (*cal_insert)(struct store_conn *c,
			  const struct sla_calendar_rec *r, int64_t *id_out);
	int (*cal_update)(struct store_conn *c,
			  const struct sla_calendar_rec *r);
	int (*cal_delete)(struct store_conn *c, int64_t id);
	int (*cal_in_use)(struct store_conn *c, int64_t id);
	int (*policy_get)(struct store_conn *c, int64_t queue_id,
			  struct sla_policy_rec *out);
	int (*policy_put)(struct store_conn *c,
			  const struct sla_policy_rec *p);
	int (*policy_delete)(struct store_conn *c, int64_t queue_id);
	int (*ticket_get)(struct store_conn *c, int64_t id,
			  struct sla_ticket_rec *out);
	int (*ticket_put)(struct store_conn *c,
			  const struct sla_ticket_put *p);
	int (*breach_insert)(struct store_conn *c,
			     const struct sla_breach_new *b);
	int (*due)(struct store_conn *c, int64_t now, size_t max,
		   int64_t *ids, size_t *n_out);
	int (*by_queue)(struct store_conn *c, int64_t since, int64_t until,
			struct sla_count_list *out);
	int (*by_agent)(struct store_conn *c, int64_t since, int64_t until,
			struct sla_count_list *out);
	int (*at_risk)(struct store_conn *c, int64_t until, size_t max,
		       struct sla_risk_list *out);
};

#endif
