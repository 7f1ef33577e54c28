/*
 * libFuzzer harness for the placeholders of canned replies
 * (core/macros.h): a macro's text is outside input (a staff member types
 * it), checked by macros_check_placeholders() when saved and expanded by
 * macros_expand() when used. The input, cut at its first NUL, is the
 * text.
 *
 * It asserts the contracts: the check answers 0 or -GH_BAD_PLACEHOLDER;
 * a refusal names a placeholder of printable ASCII of at most
 * MACRO_PLACEHOLDER_MAX bytes at an offset where the text has "{{";
 * expansion succeeds exactly when the check does; and with values that
 * hold no brace, an expanded text holds no "{{" (no placeholder survives
 * or is formed by the expansion).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/macros.h"
#include "util/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_refusal(const char *text, size_t len, const struct macro_refusal *f)
{
	size_t n = strlen(f->placeholder);

	if (n > MACRO_PLACEHOLDER_MAX || f->offset + 2 > len ||
	    memcmp(text + f->offset, "{{", 2) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)f->placeholder[i];

		if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct macro_vars v = {"Ada Lovelace", " Alice\tAgent", 42,
				     "Acme"};
	struct macro_refusal f;
	char *text = malloc(size + 1), *out = NULL;
	size_t len;
	int rc, erc;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	macro_refusal_init(&f);
	rc = macros_check_placeholders(text, len, &f);
	if (rc != 0 && rc != -GH_BAD_PLACEHOLDER)
		abort();
	if (rc < 0)
		check_refusal(text, len, &f);
	erc = macros_expand(text, &v, &out);
	if (erc != rc || (erc == 0) != (out != NULL))
		abort();
	if (out != NULL && strstr(out, "{{") != NULL)
		abort();
	free(out);
	macro_refusal_clear(&f);
	free(text);
	return 0;
}
