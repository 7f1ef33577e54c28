/*
 * Releasing the records of the disclosure gate's storage operations
 * (store/store_reveals.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
reveal_agent_list_clear(struct reveal_agent_list *l)
{
	STORE_LIST_FREE(l);
}
