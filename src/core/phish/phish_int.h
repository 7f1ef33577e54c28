/*
 * Internal to the link analyser (engine.c, hosts.c, links.c, judge.c):
 * the engine's lists and checkers and the helpers its files share.
 * Nothing here is part of the module's contract. Which file does what:
 *   engine.c   the engine: lists (top domains, shorteners, the company's
 *              own), the public suffix list, the spoof checker
 *   hosts.c    host names: IP literals, IDN and homograph checks
 *   idn.c      Chromium's spoof rules for one IDN label
 *   links.c    finding links in text and HTML; defanging
 *   judge.c    the reasons and score of one link
 *   urlmodel.c the link model's features and score (weights generated
 *              into urlmodel_weights.c by tools/train_url_model.py)
 *   encode.c   the JSON form of links and of attachment verdicts
 */
#ifndef GH_CORE_PHISH_INT_H
#define GH_CORE_PHISH_INT_H

#include <pthread.h>
#include <stddef.h>

#include <libpsl.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>
#include <unicode/utrans.h>

#include "core/phish/idn.h"
#include "core/phish/phish.h"

/* A string set with optional values (open addressing), sized once. */
struct sset {
	char **key;
	char **val;
	size_t mask, n;
};

struct phish_engine {
	psl_ctx_t *psl;
	USpoofChecker *sc;
	USet *allowed;
	struct sset top;	/* ascii domain -> NULL */
	struct sset own;	/* ascii domain -> NULL */
	struct sset skel;	/* skeleton -> domain (top and own) */
	struct sset own_skel;	/* skeleton -> own domain */
	struct sset short_;	/* shortener domains */
	UTransliterator *drop_acc;	/* diacritics removed */
	UTransliterator *extra;		/* Chromium's extra confusables */
	pthread_mutex_t tr_lock;	/* transliterators are not shared */
	struct idn_rules *idn;		/* Chromium's label rules */
};

/* engine.c */
/* The value stored under k (NULL for none); *found says whether k is in. */
const char *sset_get(const struct sset *s, const char *k, int *found);
/* Applies t to the UTF-8 string s; NUL-ended result in out. 0 or -1. */
int trans_apply(const struct phish_engine *e, UTransliterator *t,
		const char *s, char *out, size_t cap);
/* The UTS 39 skeleton of s into out. 0 or -1. */
int skeleton(const USpoofChecker *sc, const char *s, char *out, size_t cap);
/* The Unicode form of an ASCII (punycode) domain, NULL when invalid; free
 * with idn2_free(). */
char *to_unicode(const char *ascii);

/* hosts.c */
int is_ascii(const char *s);
int is_ip_literal(const char *h);

#endif
