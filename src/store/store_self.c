/*
 * Releasing the records of customer self-service's storage operations
 * (store/store_self.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
recovery_code_list_clear(struct recovery_code_list *l)
{
	STORE_LIST_FREE(l);
}
