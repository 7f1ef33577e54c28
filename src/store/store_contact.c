/*
 * Releasing the records of customer protection's storage operations
 * (store/store_contact.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
contact_reveal_list_clear(struct contact_reveal_list *l)
{
	STORE_LIST_FREE(l);
}
