/*
 * libFuzzer harness of the outbound filter: dlp_scan() over arbitrary
 * bytes (with the first third used as an internal note, so the notes
 * detector runs too), the HAR parser, redaction and the JSON form. The
 * engine is built once. Build: see docs/detection.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/dlp/dlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dlp_engine *eng;

static int
foreign(void *cls, const char *kind, const char *norm, size_t len)
{
	(void)cls;
	(void)kind;
	return len > 0 && norm[0] == '7';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dlp_findings f;
	struct dlp_context ctx = {0};
	const char *own[] = {"a@b.co"};
	char *text, *note, *r;
	const char *notes[1];
	json_t *j;

	if (eng == NULL && dlp_engine_new(&eng) != 0)
		abort();
	text = malloc(size + 1);
	note = malloc(size / 3 + 1);
	if (text == NULL || note == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	memcpy(note, data, size / 3);
	note[size / 3] = '\0';
	notes[0] = note;
	ctx.notes = notes;
	ctx.n_notes = 1;
	ctx.own_emails = own;
	ctx.n_own_emails = 1;
	ctx.foreign_value = foreign;
	dlp_findings_init(&f);
	if (dlp_scan(eng, &ctx, text, size, &f) == 0) {
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].start > f.v[i].end || f.v[i].end > size ||
			    f.v[i].cstart > f.v[i].cend)
				abort();
		r = dlp_redact(text, size, &f);
		free(r);
		j = dlp_findings_json(&f);
		json_decref(j);
	}
	dlp_findings_free(&f);
	(void)dlp_har_scan(text, size, &f);
	dlp_findings_free(&f);
	free(text);
	free(note);
	return 0;
}
