/*
 * Releasing the records of the supervisor's console's storage operations
 * (store/store_super.h), whatever the backend. The records own nothing
 * but their arrays.
 */
#include <stdlib.h>

#include "store/store.h"

void
staff_info_list_clear(struct staff_info_list *l)
{
	STORE_LIST_FREE(l);
	if (l != NULL)
		l->truncated = 0;
}

void
queue_stat_list_clear(struct queue_stat_list *l)
{
	STORE_LIST_FREE(l);
}
