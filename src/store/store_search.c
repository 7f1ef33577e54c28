/*
 * Releasing the records of search's storage operations
 * (store/store_search.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
search_result_clear(struct search_result *r)
{
	if (r == NULL)
		return;
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->total = 0;
	r->capped = 0;
}

void
view_list_clear(struct view_list *l)
{
	STORE_LIST_FREE(l);
}
