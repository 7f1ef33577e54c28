/*
 * The INI reader (see inifile.h), on libinih. inih reads a line into a
 * buffer of ini_max_line bytes and silently splits a longer one (the rest
 * becomes a line of its own), so the file is first read whole (at most
 * INIFILE_FILE_MAX bytes) and every line measured: an over-long line is
 * refused with its number before inih sees anything. Debian's libinih
 * takes its limits at run time (ini_max_line, ini_initial_alloc,
 * ini_use_stack, ini_allow_multiline, ini_stop_on_first_error): set here,
 * before each parse, by the one thread that reads the configuration at
 * start-up. The first error stops the reading: nothing after a bad line
 * reaches the callback.
 */
#include "util/inifile.h"

#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A configuration file larger than this is refused. */
#define INIFILE_FILE_MAX (1u << 20)

struct parse {
	inifile_entry fn;
	void *user;
	char *err;
	size_t errsz;
	int failed; /* err holds the reason */
};

/* Reads path whole into a NUL-terminated buffer (caller frees), or NULL
 * with err set. */
static char *
read_all(const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t n = 0;

	if (f != NULL)
		text = malloc(INIFILE_FILE_MAX + 1);
	if (text != NULL)
		n = fread(text, 1, INIFILE_FILE_MAX + 1, f);
	if (text == NULL || ferror(f)) {
		snprintf(err, errsz, "cannot be read");
		goto fail;
	}
	if (n > INIFILE_FILE_MAX) {
		snprintf(err, errsz, "larger than %u bytes", INIFILE_FILE_MAX);
		goto fail;
	}
	text[n] = '\0';
	fclose(f);
	return text;
fail:
	free(text);
	if (f != NULL)
		fclose(f);
	return NULL;
}

/* The number of the first line longer than INIFILE_LINE_MAX bytes
 * (without "\r\n"), or 0. A NUL byte ends the text for inih: refused
 * as a line of its own kind by the caller's parse. */
static unsigned
long_line(const char *text)
{
	unsigned no = 1;

	for (const char *p = text;; no++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > INIFILE_LINE_MAX)
			return no;
		if (nl == NULL)
			return 0;
		p = nl + 1;
	}
}

/* inih's handler: 1 to go on, 0 to stop (inih then reports the line). */
static int
on_entry(void *user, const char *section, const char *name,
	 const char *value)
{
	struct parse *p = user;
	char sec[INIFILE_SECTION_MAX];
	const char *s = section;
	size_t n;

	/* inih keeps the blanks inside "[ name ]": trim them. */
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= sizeof(sec)) {
		snprintf(p->err, p->errsz, "section name longer than %d bytes",
			 INIFILE_SECTION_MAX - 1);
		p->failed = 1;
		return 0;
	}
	memcpy(sec, s, n);
	sec[n] = '\0';
	if (name == NULL || *name == '\0') {
		snprintf(p->err, p->errsz, "malformed line (not name = value)");
		p->failed = 1;
		return 0;
	}
	if (p->fn(p->user, sec, name, value != NULL ? value : "", p->err,
		  p->errsz) != 0) {
		p->failed = 1;
		return 0;
	}
	return 1;
}

int
inifile_parse(const char *path, inifile_entry fn, void *user,
	      unsigned *line, char *err, size_t errsz)
{
	struct parse p = {fn, user, err, errsz, 0};
	char *text = read_all(path, err, errsz);
	int rc;

	*line = 0;
	if (text == NULL)
		return -1;
	*line = long_line(text);
	if (*line != 0) {
		snprintf(err, errsz, "line longer than %d bytes",
			 INIFILE_LINE_MAX);
		free(text);
		return -1;
	}
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = INIFILE_LINE_MAX + 3; /* "\r\n" and the NUL */
	ini_initial_alloc = INIFILE_LINE_MAX + 3;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	rc = ini_parse_string(text, on_entry, &p);
	free(text);
	if (rc == 0)
		return 0;
	*line = rc > 0 ? (unsigned)rc : 0;
	if (!p.failed)
		snprintf(err, errsz, rc > 0 ? "malformed line" : "cannot be read");
	return -1;
}
