/*
 * Releasing the records of staff training's storage operations
 * (store/store_training.h), whatever the backend.
 */
#include <stdlib.h>

#include "store/store.h"

void
training_module_clear(struct training_module *m)
{
	if (m == NULL)
		return;
	free(m->markdown);
	free(m->html);
	free(m->quiz);
	m->markdown = NULL;
	m->html = NULL;
	m->quiz = NULL;
}

void
training_module_list_clear(struct training_module_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		training_module_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
training_state_list_clear(struct training_state_list *l)
{
	STORE_LIST_FREE(l);
}
