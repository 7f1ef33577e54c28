/*
 * Releasing the records of account hygiene's storage operations
 * (store/store_hygiene.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
session_info_list_clear(struct session_info_list *l)
{
	STORE_LIST_FREE(l);
}

void
login_list_clear(struct login_list *l)
{
	STORE_LIST_FREE(l);
}
