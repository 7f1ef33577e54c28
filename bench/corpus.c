/*
 * The realistic support corpus (see corpus.h): agent replies built from
 * sentence templates whose slots are filled from a seeded xorshift64*
 * generator, so the corpus is the same bytes everywhere. Invariant: the
 * text, the message boundaries, the customers and the fingerprint index
 * depend on the seed and the size asked for only.
 *
 * Where the shapes come from (public formats, with fictional values):
 *   order numbers   Amazon's 3-7-7 digits (123-1234567-1234567), Shopify's
 *                   "#1001" counter, "ORD-2026-048213", bare 9-digit ids
 *   tracking        UPS "1Z" + 16 (1Z999AA10123456784), USPS 22 digits in
 *                   groups of 4 (9400 1000 ...), FedEx 12 digits, Royal
 *                   Mail S10 (AB123456789GB), DHL Express 10 digits
 *   dates, times    ISO 8601, UK 14/03/2026, US 03/14/2026, "14 Mar 2026",
 *                   RFC 5322 "Tue, 03 Mar 2026 14:21:55 +0000"
 *   amounts         $1,234.56, EUR 49,99, GBP 12.00, "USD 199.00"
 *   phone numbers   Ofcom's drama ranges (020 7946 0xxx, 07700 900xxx),
 *                   NANP 555-01xx, E.164 with spaces and brackets
 *   e-mail headers  Outlook's From/Sent/To/Subject block, Gmail's "On ...
 *                   wrote:", Message-ID/Date/Received lines (RFC 5322)
 *   addresses       UK and US street lines with house numbers, postcodes
 *                   and ZIP codes
 *   true findings   Luhn-valid cards in issuer ranges (Visa, Mastercard,
 *                   Amex), IBANs with correct mod-97 (GB, DE), API keys
 *                   (AWS AKIA..., GitHub ghp_..., Stripe sk_live_...),
 *                   another customer's e-mail or address, a note pasted
 *                   into a reply: about one message in 20 holds one (an
 *                   assumption: a leak is rare, but not vanishingly so).
 *                   The scanner also reports what it reports today on
 *                   such text (Message-IDs as addresses, FedEx numbers
 *                   as phones): those count as findings too.
 */
#include "corpus.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t n, cap;
	int err;
};

struct gen {
	uint64_t s;
	struct buf *b;
	const struct corpus *c;
	int cu;			/* this message's customer */
	char order[32], track[40], ref[24];
};

static uint32_t
rnd(struct gen *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return (uint32_t)((g->s * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t
pick(struct gen *g, uint32_t n)
{
	return rnd(g) % n;
}

static void
bput(struct buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		char *np;

		while (nc < b->n + n + 1)
			nc *= 2;
		np = realloc(b->p, nc);
		if (np == NULL) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		bput(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
						      : sizeof(tmp) - 1);
}

#define NEL(a) (sizeof(a) / sizeof((a)[0]))

static const char *const first_names[] = {
	"Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "Jack",
	"Mia", "Harry", "Sofia", "George", "Emily", "Leo", "Grace", "Arthur",
};
static const char *const last_names[] = {
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
	"Davies", "Patel", "Wright", "Walker", "Nguyen", "Garcia", "Muller",
};
static const char *const mail_domains[] = {
	"example.org", "example.net", "mail.example.com", "example.co.uk",
};
static const char *const streets[] = {
	"High Street", "Station Road", "Church Lane", "Baker Street",
	"Maple Avenue", "Oak Drive", "Mill Road", "Elm Street", "Park Lane",
};
/* City and the postcode's letters, UK ("London NW1 6XE") or US
 * ("Austin, TX 78701"), the digits drawn per customer. */
static const char *const cities[] = {
	"London NW", "Leeds LS", "Bristol BS", "Manchester M",
	"Springfield, IL", "Austin, TX", "Portland, OR", "Denver, CO",
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};
static const char *const wdays[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};
static const char *const carriers[] = {
	"UPS", "USPS", "FedEx", "Royal Mail", "DHL Express",
};

static void
phone_of(struct gen *g, char *out, size_t n)
{
	switch (pick(g, 5)) {
	case 0:
		snprintf(out, n, "+44 20 7946 0%03u", pick(g, 1000));
		break;
	case 1:
		snprintf(out, n, "07700 900%03u", pick(g, 1000));
		break;
	case 2:
		snprintf(out, n, "+1 (%03u) 555-01%02u", 201 + pick(g, 700),
			 pick(g, 100));
		break;
	case 3:
		snprintf(out, n, "020 7946 0%03u", pick(g, 1000));
		break;
	default:
		snprintf(out, n, "+49 30 %04u %04u", pick(g, 10000),
			 pick(g, 10000));
		break;
	}
}

static void
order_of(struct gen *g, char *out, size_t n)
{
	switch (pick(g, 4)) {
	case 0:
		snprintf(out, n, "%03u-%07u-%07u", 100 + pick(g, 900),
			 pick(g, 10000000), pick(g, 10000000));
		break;
	case 1:
		snprintf(out, n, "#%u", 1001 + pick(g, 98000));
		break;
	case 2:
		snprintf(out, n, "ORD-2026-%06u", pick(g, 1000000));
		break;
	default:
		snprintf(out, n, "%09u", 100000000 + pick(g, 900000000));
		break;
	}
}

static void
tracking_of(struct gen *g, char *out, size_t n)
{
	switch (pick(g, 5)) {
	case 0:
		snprintf(out, n, "1Z%03X%03XA%02u%08u", pick(g, 4096),
			 pick(g, 4096), pick(g, 100), pick(g, 100000000));
		break;
	case 1:
		snprintf(out, n, "9400 1%03u %04u %04u %04u %04u %02u",
			 pick(g, 1000), pick(g, 10000), pick(g, 10000),
			 pick(g, 10000), pick(g, 10000), pick(g, 100));
		break;
	case 2:
		snprintf(out, n, "%04u %04u %04u", pick(g, 10000),
			 pick(g, 10000), pick(g, 10000));
		break;
	case 3:
		snprintf(out, n, "%c%c%09uGB", 'A' + pick(g, 26),
			 'A' + pick(g, 26), pick(g, 1000000000));
		break;
	default:
		snprintf(out, n, "%010u", pick(g, 2000000000));
		break;
	}
}

static void
date_of(struct gen *g)
{
	unsigned d = 1 + pick(g, 28), m = 1 + pick(g, 12);

	switch (pick(g, 5)) {
	case 0:
		bprintf(g->b, "2026-%02u-%02u", m, d);
		break;
	case 1:
		bprintf(g->b, "%02u/%02u/2026", d, m);
		break;
	case 2:
		bprintf(g->b, "%02u/%02u/2026", m, d);
		break;
	case 3:
		bprintf(g->b, "%u %s 2026", d, months[m - 1]);
		break;
	default:
		bprintf(g->b, "%s, %02u %s 2026 %02u:%02u:%02u +0000",
			wdays[pick(g, 7)], d, months[m - 1], pick(g, 24),
			pick(g, 60), pick(g, 60));
		break;
	}
}

static void
amount_of(struct gen *g)
{
	unsigned u = pick(g, 300), c = pick(g, 100);

	switch (pick(g, 5)) {
	case 0:
		bprintf(g->b, "$%u.%02u", u, c);
		break;
	case 1:
		bprintf(g->b, "$1,%03u.%02u", u, c);
		break;
	case 2:
		bprintf(g->b, "\xe2\x82\xac%u,%02u", u, c);
		break;
	case 3:
		bprintf(g->b, "\xc2\xa3%u.%02u", u, c);
		break;
	default:
		bprintf(g->b, "USD %u.%02u", u, c);
		break;
	}
}

/* A Luhn-valid card number in an issuer range, grouped as printed. */
static void
card_of(struct gen *g)
{
	static const char *const pre[] = {"4", "51", "53", "55", "34", "37"};
	const char *p = pre[pick(g, NEL(pre))];
	size_t n = p[0] == '3' ? 15 : 16, pl = strlen(p);
	char d[20];
	unsigned sum = 0;
	int grouped = pick(g, 10) < 7;

	memcpy(d, p, pl);
	for (size_t i = pl; i < n - 1; i++)
		d[i] = (char)('0' + pick(g, 10));
	for (size_t i = 0; i < n - 1; i++) {
		unsigned v = (unsigned)(d[n - 2 - i] - '0');

		if (i % 2 == 0)
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		sum += v;
	}
	d[n - 1] = (char)('0' + (10 - sum % 10) % 10);
	for (size_t i = 0; i < n; i++) {
		bput(g->b, d + i, 1);
		if (grouped && i + 1 < n &&
		    (n == 16 ? (i % 4 == 3) : (i == 3 || i == 9)))
			bput(g->b, " ", 1);
	}
}

static unsigned
mod97(const char *s)
{
	unsigned r = 0;

	for (; *s != '\0'; s++)
		r = *s >= 'A' ? (r * 100 + (unsigned)(*s - 'A' + 10)) % 97
			      : (r * 10 + (unsigned)(*s - '0')) % 97;
	return r;
}

/* A GB or DE IBAN with correct check digits, in groups of four. */
static void
iban_of(struct gen *g)
{
	char bban[24], tmp[40], iban[40];
	int gb = pick(g, 2) == 0;

	if (gb)
		snprintf(bban, sizeof(bban), "NWBK%06u%08u", pick(g, 1000000),
			 pick(g, 100000000));
	else
		snprintf(bban, sizeof(bban), "%08u%010u", pick(g, 100000000),
			 pick(g, 1000000000));
	snprintf(tmp, sizeof(tmp), "%s%s00", bban, gb ? "GB" : "DE");
	snprintf(iban, sizeof(iban), "%s%02u%s", gb ? "GB" : "DE",
		 98 - mod97(tmp), bban);
	for (size_t i = 0; iban[i] != '\0'; i++) {
		bput(g->b, iban + i, 1);
		if (i % 4 == 3 && iban[i + 1] != '\0')
			bput(g->b, " ", 1);
	}
}

static void
rand_chars(struct gen *g, const char *set, size_t n)
{
	size_t sl = strlen(set);

	for (size_t i = 0; i < n; i++)
		bput(g->b, set + pick(g, (uint32_t)sl), 1);
}

static void
api_key_of(struct gen *g)
{
	static const char an[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
				 "rstuvwxyz0123456789";

	switch (pick(g, 3)) {
	case 0:
		bprintf(g->b, "aws_access_key_id = AKIA");
		rand_chars(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
		break;
	case 1:
		bprintf(g->b, "token: ghp_");
		rand_chars(g, an, 36);
		break;
	default:
		bprintf(g->b, "STRIPE_KEY=sk_live_");
		rand_chars(g, an, 24);
		break;
	}
}

/* The agent's sentences; {x} is a slot (see slot()). */
static const char *const agent_lines[] = {
	"Thank you for contacting Acme Support about order {O}.",
	"I can see that order {O} was placed on {D} for a total of {A}.",
	"Your parcel left our warehouse on {D} with {C}; the tracking number "
	"is {T}.",
	"The refund of {A} was issued on {D} and should reach your account "
	"within 5-10 business days.",
	"We have updated the delivery address to {W}.",
	"If you prefer, we can call you at {P} between 9:00 and 17:30.",
	"I have sent invoice INV-2026-{5} for {A} to {E}.",
	"Your case reference is {R}; please quote it if you reply.",
	"The replacement (SKU {5}-BLK, qty {1}) is scheduled for delivery on "
	"{D}.",
	"Our records show a payment of {A} on {D} with the card ending in {4}.",
	"Could you please confirm the serial number SN{9} printed on the "
	"label?",
	"Your subscription renews on {D} at {A} per month.",
	"The carrier reported an exception on {D} at {H} at their depot.",
	"The courier's local depot can be reached on {X}.",
	"Version 2.{1}.{1} of the app fixes the sync problem you reported on "
	"{D}.",
	"You were charged {A} twice on {D}; the second charge has been "
	"reversed.",
	"Please let me know if there is anything else I can help with.",
	"I understand how frustrating this must be, and I am sorry.",
	"I have escalated this to our logistics team and will update you "
	"within 48 hours.",
	"Thanks again for your patience while we looked into this.",
};

static const char *const customer_lines[] = {
	"Hi, I ordered {O} on {D} and it still has not arrived.",
	"My phone number is {P} if you need to call.",
	"The tracking {T} has not updated since {D}.",
	"I was charged {A} but the order was cancelled on {D}.",
	"Please send it to {W} instead.",
	"This is the third time I am writing about order {O}.",
	"I got an e-mail on {D} at {H} saying it was delivered, it was not.",
	"Can you tell me when the refund of {A} will show up?",
};

static void expand(struct gen *g, const char *tpl);

static void
slot_digits(struct gen *g, int k)
{
	static const uint32_t mod[] = {10, 100, 1000, 10000, 100000, 1000000,
				       10000000, 100000000, 1000000000};
	char f[8];

	snprintf(f, sizeof(f), "%%0%du", k);
	bprintf(g->b, f, pick(g, mod[k - 1]));
}

static void
slot(struct gen *g, char k)
{
	const struct corpus_customer *cu = &g->c->c[g->cu];
	char tmp[40];

	switch (k) {
	case 'O': bprintf(g->b, "%s", g->order); break;
	case 'T': bprintf(g->b, "%s", g->track); break;
	case 'R': bprintf(g->b, "%s", g->ref); break;
	case 'D': date_of(g); break;
	case 'A': amount_of(g); break;
	case 'C': bprintf(g->b, "%s", carriers[pick(g, NEL(carriers))]); break;
	case 'P': bprintf(g->b, "%s", cu->phone); break;
	case 'E': bprintf(g->b, "%s", cu->email); break;
	case 'N': bprintf(g->b, "%s", cu->name); break;
	case 'W': bprintf(g->b, "%s", cu->address); break;
	case 'H': bprintf(g->b, "%02u:%02u", pick(g, 24), pick(g, 60)); break;
	case 'X': phone_of(g, tmp, sizeof(tmp)); bprintf(g->b, "%s", tmp);
		break;
	default:
		if (k >= '1' && k <= '9')
			slot_digits(g, k - '0');
		break;
	}
}

static void
expand(struct gen *g, const char *tpl)
{
	for (const char *p = tpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] != '\0' && p[2] == '}') {
			slot(g, p[1]);
			p += 2;
		} else {
			bput(g->b, p, 1);
		}
	}
}

/* The rare true finding of a message, if any (7 draws in 150). */
static void
true_finding(struct gen *g, size_t msg)
{
	const struct corpus *c = g->c;
	const struct corpus_customer *o = &c->c[(g->cu + 1 + msg % 7) %
						 CORPUS_CUSTOMERS];

	switch (pick(g, 150)) {
	case 0: case 1:
		bprintf(g->b, "\n> My card number is ");
		card_of(g);
		bprintf(g->b, ", expiry %02u/28.", 1 + pick(g, 12));
		break;
	case 2:
		bprintf(g->b, "\n> Please refund to my IBAN ");
		iban_of(g);
		bput(g->b, ".", 1);
		break;
	case 3:
		bprintf(g->b, "\n> Here is the config I used:\n> ");
		api_key_of(g);
		bput(g->b, "\n", 1);
		break;
	case 4:
		bprintf(g->b, "\nI have copied %s on this reply.", o->email);
		break;
	case 5:
		bprintf(g->b, "\nThe parcel was left at %s by mistake.",
			o->address);
		break;
	case 6:
		bprintf(g->b, "\nFrom our notes: %s", c->c[g->cu].note);
		break;
	default:
		break;
	}
}

static void
quoted_history(struct gen *g)
{
	const struct corpus_customer *cu = &g->c->c[g->cu];

	if (pick(g, 2) == 0) {
		bprintf(g->b, "\n\nOn ");
		slot(g, 'D');
		bprintf(g->b, ", %s <%s> wrote:\n", cu->name, cu->email);
	} else {
		bprintf(g->b, "\n\n-----Original Message-----\nFrom: %s <%s>\n"
			"Sent: ", cu->name, cu->email);
		slot(g, 'D');
		bprintf(g->b, "\nTo: Acme Support <support@acme.example>\n"
			"Subject: Re: Order %s [%s]\nMessage-ID: <2026%010u."
			"%05u@mail.%s>\nReceived: from mail.example.org "
			"([192.0.2.%u]) by mx.acme.example; ", g->order, g->ref,
			pick(g, 2000000000), pick(g, 100000),
			strchr(cu->email, '@') + 1, 1 + pick(g, 254));
		slot(g, 'D');
		bput(g->b, "\n", 1);
	}
	for (uint32_t k = 2 + pick(g, 4); k > 0; k--) {
		bput(g->b, "> ", 2);
		expand(g, customer_lines[pick(g, NEL(customer_lines))]);
		bput(g->b, "\n", 1);
	}
}

static void
message(struct gen *g, size_t msg)
{
	const struct corpus_customer *cu = &g->c->c[g->cu];

	order_of(g, g->order, sizeof(g->order));
	tracking_of(g, g->track, sizeof(g->track));
	snprintf(g->ref, sizeof(g->ref), "CAS-%07u", pick(g, 10000000));
	bprintf(g->b, "Hi %.*s,\n\n", (int)strcspn(cu->name, " "), cu->name);
	for (uint32_t p = 2 + pick(g, 4); p > 0; p--) {
		for (uint32_t s = 2 + pick(g, 3); s > 0; s--) {
			expand(g, agent_lines[pick(g, NEL(agent_lines))]);
			bput(g->b, " ", 1);
		}
		bput(g->b, "\n\n", 2);
	}
	true_finding(g, msg);
	bprintf(g->b, "\n\nKind regards,\n%s\nAcme Support | "
		"support@acme.example | https://acme.example/help\n",
		first_names[pick(g, NEL(first_names))]);
	if (pick(g, 10) < 6)
		quoted_history(g);
}

static void
customer_of(struct gen *g, struct corpus_customer *cu, struct buf *nb)
{
	const char *fn = first_names[pick(g, NEL(first_names))];
	const char *ln = last_names[pick(g, NEL(last_names))];
	uint32_t k;

	snprintf(cu->name, sizeof(cu->name), "%s %s", fn, ln);
	snprintf(cu->email, sizeof(cu->email), "%s.%s%u@%s", fn, ln,
		 pick(g, 100), mail_domains[pick(g, NEL(mail_domains))]);
	phone_of(g, cu->phone, sizeof(cu->phone));
	snprintf(cu->dob, sizeof(cu->dob), "%02u.%02u.19%02u", 1 + pick(g, 28),
		 1 + pick(g, 12), 40 + pick(g, 60));
	k = pick(g, NEL(cities));
	if (k < 4)
		snprintf(cu->address, sizeof(cu->address), "%u %s, %s%u %u%c%c",
			 1 + pick(g, 240), streets[pick(g, NEL(streets))],
			 cities[k], 1 + pick(g, 20), pick(g, 10),
			 'A' + pick(g, 26), 'A' + pick(g, 26));
	else
		snprintf(cu->address, sizeof(cu->address), "%u %s, %s %05u",
			 1 + pick(g, 240), streets[pick(g, NEL(streets))],
			 cities[k], 10000 + pick(g, 89999));
	nb->n = 0;
	g->b = nb;
	expand(g, "Customer called on {D} about a missing parcel; identity "
	       "checked against date of birth and postcode. Offered a "
	       "goodwill credit of {A}, approved by the team lead, not to be "
	       "mentioned until finance confirms it.");
	snprintf(cu->note, sizeof(cu->note), "%s", nb->err ? "" : nb->p);
}

static uint64_t
fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

struct fp_add {
	struct corpus *c;
	int customer;
	int err;
};

static void
fp_insert(void *cls, const char *kind, const char *norm, size_t n)
{
	struct fp_add *a = cls;
	struct corpus *c = a->c;
	char key[600];
	size_t i;

	snprintf(key, sizeof(key), "%s\t%.*s", kind, (int)n, norm);
	i = (size_t)fnv(key) & c->fp_mask;
	while (c->fp[i].key != NULL && strcmp(c->fp[i].key, key) != 0)
		i = (i + 1) & c->fp_mask;
	if (c->fp[i].key != NULL)
		return;
	c->fp[i].key = strdup(key);
	c->fp[i].customer = a->customer;
	if (c->fp[i].key == NULL)
		a->err = 1;
}

/* Every customer's e-mail, phone, date of birth and address, indexed as
 * core/fingerprints.c does (through dlp_fingerprint()). */
static int
fp_build(struct corpus *c)
{
	c->fp_mask = 4095;
	c->fp = calloc(c->fp_mask + 1, sizeof(*c->fp));
	if (c->fp == NULL)
		return -1;
	for (int k = 0; k < CORPUS_CUSTOMERS; k++) {
		const struct corpus_customer *cu = &c->c[k];
		struct fp_add a = {c, k, 0};

		(void)dlp_fingerprint("email", cu->email, strlen(cu->email),
				      fp_insert, &a);
		(void)dlp_fingerprint("phone", cu->phone, strlen(cu->phone),
				      fp_insert, &a);
		(void)dlp_fingerprint("dob", cu->dob, strlen(cu->dob),
				      fp_insert, &a);
		(void)dlp_fingerprint("address", cu->address,
				      strlen(cu->address), fp_insert, &a);
		if (a.err)
			return -1;
	}
	return 0;
}

static int
push_off(struct corpus *c, size_t *cap, size_t off, int cu)
{
	if (c->n_msg + 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		size_t *no = realloc(c->off, nc * sizeof(*no));
		int *ncu = no ? realloc(c->cust, nc * sizeof(*ncu)) : NULL;

		if (no != NULL)
			c->off = no;
		if (ncu == NULL)
			return -1;
		c->cust = ncu;
		*cap = nc;
	}
	c->off[c->n_msg] = off;
	c->cust[c->n_msg] = cu;
	return 0;
}

int
corpus_new(struct corpus *c, uint64_t seed, size_t bytes)
{
	struct buf b = {0}, nb = {0};
	struct gen g = {0};
	size_t cap = 0;

	memset(c, 0, sizeof(*c));
	g.s = seed ? seed : 1;
	g.c = c;
	for (int k = 0; k < CORPUS_CUSTOMERS; k++)
		customer_of(&g, &c->c[k], &nb);
	free(nb.p);
	if (fp_build(c) < 0)
		goto fail;
	g.b = &b;
	while (b.n < bytes && !b.err) {
		g.cu = (int)pick(&g, CORPUS_CUSTOMERS);
		if (push_off(c, &cap, b.n, g.cu) < 0)
			goto fail;
		message(&g, c->n_msg);
		c->n_msg++;
	}
	if (b.err || push_off(c, &cap, b.n, 0) < 0)
		goto fail;
	c->text = b.p;
	c->len = b.n;
	return 0;
fail:
	free(b.p);
	corpus_free(c);
	return -1;
}

void
corpus_free(struct corpus *c)
{
	for (size_t i = 0; c->fp != NULL && i <= c->fp_mask; i++)
		free(c->fp[i].key);
	free(c->fp);
	free(c->text);
	free(c->off);
	free(c->cust);
	memset(c, 0, sizeof(*c));
}

static int
fp_lookup(void *cls, const char *kind, const char *norm, size_t n)
{
	struct corpus_ctx_store *st = cls;
	const struct corpus *c = st->c;
	char key[600];
	size_t i;

	size_t kl = strlen(kind);

	st->lookups++;
	if (kl + 1 + n >= sizeof(key))
		return 0;
	memcpy(key, kind, kl);
	key[kl] = '\t';
	memcpy(key + kl + 1, norm, n);
	key[kl + 1 + n] = '\0';
	i = (size_t)fnv(key) & c->fp_mask;
	while (c->fp[i].key != NULL) {
		if (strcmp(c->fp[i].key, key) == 0)
			return c->fp[i].customer != st->customer;
		i = (i + 1) & c->fp_mask;
	}
	return 0;
}

void
corpus_ctx(const struct corpus *c, size_t i, struct corpus_ctx_store *st,
	   struct dlp_context *ctx)
{
	const struct corpus_customer *cu = &c->c[c->cust[i]];

	memset(ctx, 0, sizeof(*ctx));
	st->c = c;
	st->lookups = 0;
	st->customer = c->cust[i];
	st->email[0] = cu->email;
	st->phone[0] = cu->phone;
	st->domain[0] = "acme.example";
	st->note[0] = cu->note;
	ctx->own_emails = st->email;
	ctx->n_own_emails = 1;
	ctx->own_phones = st->phone;
	ctx->n_own_phones = 1;
	ctx->allowed_email_domains = st->domain;
	ctx->n_allowed_email_domains = 1;
	ctx->notes = st->note;
	ctx->n_notes = 1;
	ctx->foreign_value = fp_lookup;
	ctx->cls = st;
}
