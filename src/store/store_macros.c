/*
 * Releasing the records of the canned replies' storage operations
 * (store/store_macros.h), whatever the backend.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

void
macro_rec_clear(struct macro_rec *m)
{
	if (m == NULL)
		return;
	free(m->body);
	m->body = NULL;
}

void
macro_list_clear(struct macro_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		macro_rec_clear(&l->v[i]);
	STORE_LIST_FREE(l);
}
