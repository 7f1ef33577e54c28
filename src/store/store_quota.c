/*
 * Releasing the records of the quotas' storage operations
 * (store/store_quota.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
quota_hit_list_clear(struct quota_hit_list *l)
{
	STORE_LIST_FREE(l);
}
