/*
 * Releasing what the account-change operations filled (see
 * store/store_changes.h); backend-independent, like store.c's *_clear().
 * Sealed values are wiped by blob_clear.
 */
#include <stdlib.h>

#include "store/store.h"

void
change_rec_clear(struct change_rec *r)
{
	if (r == NULL)
		return;
	blob_clear(&r->value);
}

void
change_list_clear(struct change_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		change_rec_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
customer_reseal_clear(struct customer_reseal *r)
{
	if (r == NULL)
		return;
	blob_clear(&r->email);
	blob_clear(&r->phone);
	blob_clear(&r->dob);
	blob_clear(&r->address);
	blob_clear(&r->phrase);
	blob_clear(&r->totp_seed);
}
