/*
 * Masking of customers' personal values for staff views: what an agent
 * may see of a field before the customer is verified. Each kind keeps a
 * fixed, small part of the value and replaces the rest with a fixed
 * number of asterisks, so a mask never tells the length of what it hides:
 *
 *	e-mail          j***@e***.com   first character of the local part
 *	                                and of the domain's first label, the
 *	                                last label (the TLD) kept
 *	phone           *** *** 1234    the last 4 digits
 *	date of birth   ****-**-**      nothing
 *	address         ***             nothing
 *	account number  ****1234        the last 4 letters or digits
 *	other           ***             nothing (custom fields)
 *
 * A value too short to keep its part without giving most of it away (a
 * phone number or account number of fewer than 8 digits or characters, an
 * e-mail address without a domain and TLD) is masked whole. Characters
 * are whole UTF-8 sequences, never cut.
 *
 * Pure functions: no allocation, no logging; the caller wipes the value.
 */
#ifndef GH_CORE_MASK_H
#define GH_CORE_MASK_H

#include <stddef.h>

enum mask_kind {
	MASK_EMAIL = 0,
	MASK_PHONE,
	MASK_DATE,
	MASK_ADDRESS,
	MASK_ACCOUNT,
	MASK_OTHER,
};

/* Room for every mask this module writes (two UTF-8 characters, a TLD of
 * at most 63 bytes and the fixed parts). */
#define MASK_MAX 96

/*
 * Writes the mask of value (NUL-ended, as opened) of the given kind into
 * out (outsz >= MASK_MAX bytes). 0, or -1 when out is too small (out then
 * holds "").
 */
int mask_value(enum mask_kind kind, const char *value, char *out,
	       size_t outsz);

#endif
