/*
 * libFuzzer harness of the inbound analyser: link extraction from text
 * and HTML with the judgement of every link, the IDN check of the bytes as
 * a host name, defanging, and the attachment analyser over the same bytes
 * (with a file name taken from the first byte: ZIP seeds start with 'P'
 * and get a.zip, gzip seeds with 0x1f and get a.tar.gz, so archives are
 * unpacked, nested ones included). Build: see
 * docs/detection.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/phish/attach.h"
#include "core/phish/phish.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct phish_engine *eng;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"a.zip", "a.tar.gz", "a.docx",
					    "a.doc", "a.har", "a.exe", "a.txt",
					    NULL, "a.pdf.exe", "a.tar"};
	struct phish_links l;
	struct attach_result ar;
	char *text, *host;
	unsigned why;
	json_t *j;

	if (eng == NULL) {
		static const char *const own[] = {"example.com"};
		struct phish_options o = {own, 1, NULL};

		if (phish_engine_new(&o, &eng) != 0)
			abort();
	}
	text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	phish_links_init(&l);
	(void)phish_analyse(eng, text, strlen(text), 0, &l);
	(void)phish_analyse(eng, text, strlen(text), 1, &l);
	j = phish_links_json(&l);
	json_decref(j);
	phish_links_free(&l);
	host = strndup(text, 300);
	if (host != NULL) {
		char *d = phish_defang(host);

		(void)phish_host_safe(eng, host, &why);
		free(d);
		free(host);
	}
	(void)attach_analyse(size ? names[data[0] % 10] : NULL, data, size, NULL,
			     &ar);
	free(text);
	return 0;
}
