/*
 * Chromium's IDN spoof rules for one label (idn.c), internal to the link
 * analyser. The rule sets are built once and only read afterwards.
 */
#ifndef GH_CORE_PHISH_IDN_H
#define GH_CORE_PHISH_IDN_H

#include <unicode/uregex.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>

/* IDNSpoofChecker::Result, the step that refused a label. */
enum idn_result {
	IDN_SAFE = 0,
	IDN_ICU_SPOOF_CHECKS,
	IDN_TLD_SPECIFIC_CHARACTERS,
	IDN_UNSAFE_MIDDLE_DOT,
	IDN_WHOLE_SCRIPT_CONFUSABLE,
	IDN_DIGIT_LOOKALIKES,
	IDN_NON_ASCII_LATIN_MIXED,
	IDN_DANGEROUS_PATTERN
};

#define IDN_WSC_N 17

struct idn_rules {
	USet *non_ascii_latin, *kana_exc, *diacritics;
	USet *digits, *digit_look, *icelandic, *lgc;
	USet *wsc_all[IDN_WSC_N], *wsc_look[IDN_WSC_N];
	URegularExpression *danger;
};

/* Builds the rule sets. 0 or -GH_INTERNAL. */
int idn_rules_new(struct idn_rules **out);
void idn_rules_free(struct idn_rules *r);

/* Judges the lower-case Unicode label u[n] under the TLD tld (ASCII form)
 * whose Unicode form is tld_u[tld_n], with sc set up as Chromium sets it
 * (highly restrictive, its allowed set, AUX_INFO on). IDN_SAFE or the
 * first step that refuses it. */
enum idn_result idn_label_check(const struct idn_rules *r,
				const USpoofChecker *sc, const UChar *u,
				int32_t n, const char *tld, const UChar *tld_u,
				int32_t tld_n);

/* 1 when u[n] has only Latin, Greek, Cyrillic, digits, . _ - and the
 * combining marks U+0300-0339 (SkeletonGenerator's diacritics test). */
int idn_lgc_only(const struct idn_rules *r, const UChar *u, int32_t n);

#endif
