/*
 * Releasing the records of passkeys' storage operations
 * (store/store_passkeys.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
passkey_list_clear(struct passkey_list *l)
{
	STORE_LIST_FREE(l);
}
