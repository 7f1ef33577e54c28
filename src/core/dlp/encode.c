/*
 * The JSON form of the outbound filter's findings, for the API edge and
 * the scan command: the only place in the engine that builds JSON (rules.c
 * and har.c read JSON input). It encodes the type, the detector and the
 * place of each finding, never the matched value.
 */
#include <jansson.h>

#include "core/dlp/dlp.h"

json_t *
dlp_findings_json(const struct dlp_findings *f)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		const struct dlp_finding *x = &f->v[i];
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
				      "type", x->type, "rule", x->rule,
				      "start", (json_int_t)x->start,
				      "end", (json_int_t)x->end,
				      "cstart", (json_int_t)x->cstart,
				      "cend", (json_int_t)x->cend);

		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
