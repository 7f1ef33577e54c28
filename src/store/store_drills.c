/*
 * Releasing the records of the drills' storage operations
 * (store/store_drills.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
drill_campaign_list_clear(struct drill_campaign_list *l)
{
	STORE_LIST_FREE(l);
}

void
drill_target_list_clear(struct drill_target_list *l)
{
	STORE_LIST_FREE(l);
}
