/*
 * Releasing what the verification operations filled (see
 * store/store_verify.h); backend-independent, like store.c's *_clear().
 */
#include <stdlib.h>

#include "store/store.h"

void
verification_list_clear(struct verification_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
staff_contact_list_clear(struct staff_contact_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
