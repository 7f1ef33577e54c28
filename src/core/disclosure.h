/*
 * The disclosure gate: what staff may see of a customer's personal data.
 *
 * Data classes (docs/api.md, "Customer data and reveal"): the display
 * name is C0 and shown to staff; e-mail and phone are C1 (contact), the
 * date of birth, the postal address and the account number C2 (personal);
 * a custom field has the class its admin gave it (core/fields.h). The
 * fields and their sealed values come from customer_fields()
 * (core/sealed.h). A staff member sees
 * every personal field masked (core/mask.h), and only for a customer with
 * a ticket they see: an agent's own or an unassigned one in their queues;
 * supervisors and admins see any customer, and their view is audited
 * (customer.view).
 *
 * A value is revealed in clear only when, at the time given (`now`, from
 * the caller: the API passes time(NULL), tests other times):
 *  - the staff member's own session used MFA;
 *  - the verification named (core/verify.h) belongs to them, this session
 *    and this customer, is fresh, and is at the level the field's class
 *    needs (C1: 1, C2: 2);
 *  - their reveals are not locked, and they made fewer than [disclosure]
 *    reveals_per_hour reveals in the last hour (counted from the latest
 *    clearance of a lock, when that is more recent). The reveal past the
 *    limit is refused and locks their reveals (reveal.lock audited, every
 *    supervisor and admin alerted by a content-free mail) until a
 *    supervisor or admin other than them clears the lock.
 * Every reveal is recorded (reveals) with its audit record (customer.reveal
 * with field, reason and verification, never the value) in one
 * transaction, and so is every refusal of the gate. Values are opened only
 * inside the call and wiped after use.
 */
#ifndef GH_CORE_DISCLOSURE_H
#define GH_CORE_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "core/mask.h"
#include "store/store.h"

/* A reveal's reason: 3..500 code points, one line. */
#define DISCLOSURE_REASON_MIN 3
#define DISCLOSURE_REASON_MAX 500
/* The longest field name (custom fields included). */
#define DISCLOSURE_FIELD_MAX FIELD_NAME_MAX
/* The window of the per-staff reveal limit. */
#define DISCLOSURE_WINDOW_SECONDS 3600
/* The supervisors' view: at most this many hours back. */
#define DISCLOSURE_VIEW_HOURS_MAX 720

/* A built-in personal field, with its class and mask. */
struct disclosure_field {
	const char *name;       /* "email", "phone", "dob", "address",
				 * "account_number" */
	const char *cls;        /* "C1" or "C2" */
	enum mask_kind mask;
};

/* The built-in field called name, or NULL (a custom field, or none). */
const struct disclosure_field *disclosure_field_find(const char *name);
/* The built-in fields in the order the view lists them; *n gets the
 * count. */
const struct disclosure_field *disclosure_fields(size_t *n);
/* The mask of the field called name: a built-in's, MASK_OTHER for a
 * custom field. */
enum mask_kind disclosure_mask_of(const char *name);

/* The verification level needed for a class ("C1": 1, "C2": 2); 0 for an
 * unknown class. */
int disclosure_class_level(const char *cls);

/*
 * The reveal rule: 0 when a staff session that used MFA (staff_mfa) holds
 * a verification at level held >= needed (needed 1 or 2); otherwise
 * -GH_VERIFICATION_REQUIRED.
 */
int disclosure_rule(int needed, int held, int staff_mfa);

/*
 * The start of the hourly window at now: now - DISCLOSURE_WINDOW_SECONDS,
 * or the time a lock was last cleared (cleared_at, 0: never) when that is
 * later, so a cleared lock starts a new count. Reveals strictly after it
 * count.
 */
int64_t disclosure_window_start(int64_t now, int64_t cleared_at);

/*
 * The hourly limit: 0 when count reveals in the window leave room for one
 * more under per_hour; -GH_REVEALS_LOCKED when the next one is over it.
 */
int disclosure_quota(int64_t count, int64_t per_hour);

/* Where staff member staff_id stands at now against the hourly limit. */
struct disclosure_limit {
	int locked;             /* a lock holds (not cleared) */
	int64_t since;          /* the window's start (see above) */
	int64_t count;          /* their reveals after since */
	int over;               /* the next reveal is past the limit */
};

/* Fills *out for staff member staff_id at now ([disclosure]
 * reveals_per_hour of app). 0 or a store error. */
int disclosure_limit(struct app *app, struct store_conn *c, int64_t staff_id,
		     int64_t now, struct disclosure_limit *out);

/* 0 when reason is a valid reveal or clearance reason (3..500 code
 * points, no line break); -GH_BAD_FIELD, or -GH_BAD_UTF8. */
int disclosure_reason_check(const char *reason);

/* One field of the masked view. */
struct disclosure_item {
	char name[DISCLOSURE_FIELD_MAX + 1];
	char cls[4];            /* "C1" or "C2" */
	int level;              /* the verification level a reveal needs */
	int custom;             /* 1 for a custom field */
	int set;                /* 0: the customer has no value */
	char masked[MASK_MAX];  /* "" when not set */
};

struct disclosure_view {
	int64_t id;
	char name[404];
	struct disclosure_item *items; /* malloc'd; disclosure_view_clear() */
	size_t n;
};

/*
 * The masked view of customer customer_id for staff a (see above): the
 * built-in fields, then the custom fields by id. -GH_FORBIDDEN for a
 * customer actor, -GH_NOT_FOUND when a may not see the customer (or
 * there is none). 0 with *out filled (disclosure_view_clear it).
 */
int disclosure_view(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t customer_id,
		    struct disclosure_view *out);
void disclosure_view_clear(struct disclosure_view *v);

/* A reveal as the staff member asks it. session_hash: the hash of their
 * session token (verifications are bound to it); staff_mfa: 1 when that
 * session used MFA; now: the time the rules apply at. */
struct disclosure_ask {
	int64_t customer_id;
	const char *field;
	const char *reason;
	int64_t verification_id;
	const char *session_hash;
	int staff_mfa;
	int64_t now;
};

/* A reveal's outcome. value is the clear value in secure memory, only
 * after success; release with disclosure_reveal_clear(). level_needed and
 * level_held are also filled when the verification is not enough. */
struct disclosure_reveal {
	char field[DISCLOSURE_FIELD_MAX + 1]; /* "" while not known */
	char *value;
	int64_t reveal_id;
	int64_t staff_id;
	char staff_name[404];
	int64_t hide_after;     /* [disclosure] reveal_hide_seconds */
	int level_needed;
	int level_held;
};

/*
 * Reveals field q->field of customer q->customer_id to staff member a
 * (see above for the rules). 0 with *out filled; -GH_FORBIDDEN for a
 * customer actor; -GH_BAD_FIELD for a field that is neither built in nor
 * defined (out->field stays "") or a bad reason (-GH_BAD_UTF8); -GH_REVEALS_LOCKED while a's reveals are locked, or
 * for the reveal past the hourly limit (which locks them);
 * -GH_NOT_FOUND when a may not see the customer, or the customer has no
 * value in the field; -GH_VERIFICATION_REQUIRED when the verification
 * is missing, not a's, not this customer's, not live, or below the
 * field's level, or a's session did not use MFA. Every refusal but the
 * first three and -GH_NOT_FOUND is audited (customer.reveal, outcome
 * denied), the lock too (reveal.lock).
 */
int disclosure_reveal(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, const struct disclosure_ask *q,
		      struct disclosure_reveal *out);
/* Wipes and frees the value (NULL-safe). */
void disclosure_reveal_clear(struct disclosure_reveal *r);

/*
 * Clears the reveal lock of staff member staff_id at now, for reason
 * (3..500 code points, one line): supervisors and admins only, and never
 * their own lock (-GH_FORBIDDEN, audited). -GH_BAD_FIELD / -GH_BAD_UTF8
 * for the reason; -GH_NOT_FOUND when there is no such staff member;
 * -GH_BAD_STATE when their reveals are not locked. Audited as
 * reveal.unlock with the reason.
 */
int disclosure_lock_clear(struct app *app, struct store_conn *c,
			  const struct tk_actor *a, int64_t staff_id,
			  const char *reason, int64_t now);

/*
 * The supervisors' view: every staff member with a reveal in the last
 * hours hours before now (1..DISCLOSURE_VIEW_HOURS_MAX) or a lock not
 * cleared, with their count, last reveal and lock state, most reveals
 * first. Supervisors and admins only (-GH_FORBIDDEN).
 * reveal_agent_list_clear() *out.
 */
int disclosure_agents(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t hours, int64_t now,
		      struct reveal_agent_list *out);

#endif
