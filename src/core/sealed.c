/*
 * Sealing and opening customers' fields (see core/sealed.h): the
 * associated data names the column and the customer, nothing else.
 */
#include "core/sealed.h"

#include <stdio.h>
#include <string.h>

#include "util/errors.h"
#include "util/log.h"

static void
field_ad(const char *email_idx, const char *col, char *ad, size_t adsz)
{
	snprintf(ad, adsz, "customer.%s:%s", col, email_idx);
}

int
sealed_field_open(const struct crypto_keys *keys, const char *email_idx,
		  const char *col, const struct blob *b, char **out)
{
	char ad[160];
	size_t len = 0;

	*out = NULL;
	if (b->data == NULL)
		return 0;
	field_ad(email_idx, col, ad, sizeof(ad));
	if (crypto_open(keys, ad, b->data, b->len, out, &len) < 0) {
		*out = NULL;
		LOG_BUG("sealed customer field does not open");
		return -GH_INTERNAL;
	}
	return 0;
}

int
sealed_field_seal(const struct crypto_keys *keys, const char *email_idx,
		  const char *col, const char *value, struct blob *out)
{
	char ad[160];

	out->data = NULL;
	out->len = 0;
	if (value == NULL)
		return 0;
	field_ad(email_idx, col, ad, sizeof(ad));
	if (crypto_seal(keys, ad, value, strlen(value), &out->data,
			&out->len) < 0)
		return -GH_INTERNAL;
	return 0;
}
