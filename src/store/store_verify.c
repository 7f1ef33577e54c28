/*
 * Releasing what the verification operations filled (see
 * store/store_verify.h); backend-independent, like store.c's *_clear().
 */
#include <stdlib.h>

#include "store/store.h"

void
verification_list_clear(struct verification_list *l)
{
	STORE_LIST_FREE(l);
}

void
staff_contact_list_clear(struct staff_contact_list *l)
{
	STORE_LIST_FREE(l);
}
