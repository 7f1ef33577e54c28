/*
 * The JSON forms of the inbound analyser's results, for the API edge and
 * the scan command: links (defanged, with their reasons by name) and
 * attachment verdicts (reasons by name, flagged entries by path). The only
 * place in core/phish that builds JSON; an entry's or a link's content is
 * never in it.
 */
#include <stdlib.h>

#include <jansson.h>

#include "core/phish/attach.h"
#include "core/phish/phish.h"

json_t *
phish_links_json(const struct phish_links *l)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct phish_link *k = &l->v[i];
		char *d = phish_defang(k->url);
		json_t *rs = json_array(), *o;

		for (unsigned b = 0; rs != NULL && b < PR_COUNT_BITS; b++)
			if ((k->reasons & (1u << b)) != 0)
				json_array_append_new(
					rs, json_string(phish_reason_name(1u << b)));
		o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:i, s:o, s:s, s:o, s:I, "
			      "s:I}",
			      "url", d, "text", k->text, "host", k->host,
			      "domain", k->domain, "score", k->score,
			      "model_score", k->model_score >= 0
						     ? json_real(k->model_score)
						     : json_null(),
			      "verdict", phish_verdict(k->score), "reasons", rs,
			      "start", (json_int_t)k->start,
			      "end", (json_int_t)k->end);
		free(d);
		if (o == NULL || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *
reasons_array(unsigned reasons)
{
	json_t *rs = json_array();

	for (unsigned b = 0; rs != NULL && b < AR_COUNT_BITS; b++)
		if ((reasons & (1u << b)) != 0)
			json_array_append_new(rs,
					      json_string(attach_reason_name(1u << b)));
	return rs;
}

json_t *
attach_result_json(const struct attach_result *r)
{
	json_t *rs = reasons_array(r->reasons);
	json_t *fl = json_array();
	size_t n = r->n_flagged < ATTACH_MAX_FLAGGED ? r->n_flagged
						     : ATTACH_MAX_FLAGGED;

	for (size_t i = 0; fl != NULL && i < n; i++) {
		const struct attach_flagged *f = &r->flagged[i];

		json_array_append_new(
			fl, json_pack("{s:s, s:s, s:o}", "entry", f->path,
				      "verdict",
				      attach_verdict_name(
					      (enum attach_verdict)f->verdict),
				      "reasons", reasons_array(f->reasons)));
	}
	return json_pack("{s:s, s:s, s:o, s:I, s:o, s:I}", "verdict",
			 attach_verdict_name(r->verdict), "mime", r->mime,
			 "reasons", rs ? rs : json_array(),
			 "entries", (json_int_t)r->entries,
			 "flagged", fl ? fl : json_array(),
			 "flagged_total", (json_int_t)r->n_flagged);
}
