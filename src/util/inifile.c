/*
 * The INI reader (see inifile.h). Each line is read whole into a fixed
 * buffer one byte larger than the longest line allowed plus its break, so
 * an over-long line is always seen as such and memory stays bounded
 * whatever the file holds. The first error stops the reading: nothing
 * after a bad line reaches the callback.
 */
#include "util/inifile.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Room for the longest line, "\r\n" and the NUL. */
#define LINE_BUF (INIFILE_LINE_MAX + 3)

static char *
skip_space(char *s)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	return s;
}

static void
trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Cuts an inline comment: a ';' that follows white space. */
static void
cut_comment(char *s)
{
	for (char *p = s; *p != '\0'; p++) {
		if (*p == ';' && p > s && isspace((unsigned char)p[-1])) {
			*p = '\0';
			return;
		}
	}
}

/* "[name]": copies the trimmed name into section. 0 or -1. */
static int
parse_section(char *s, char section[INIFILE_SECTION_MAX], char *err,
	      size_t errsz)
{
	char *close = strchr(s, ']');
	char *name;

	if (close == NULL) {
		snprintf(err, errsz, "malformed line (a section without ']')");
		return -1;
	}
	*close = '\0';
	name = skip_space(s + 1);
	trim_end(name);
	if (strlen(name) >= INIFILE_SECTION_MAX) {
		snprintf(err, errsz, "section name longer than %d bytes",
			 INIFILE_SECTION_MAX - 1);
		return -1;
	}
	memcpy(section, name, strlen(name) + 1);
	return 0;
}

/* One trimmed, non-empty, non-comment line. 0 or -1 with err set. */
static int
parse_line(char *s, char section[INIFILE_SECTION_MAX], inifile_entry fn,
	   void *user, char *err, size_t errsz)
{
	char *sep;
	char *value;

	if (*s == '[')
		return parse_section(s, section, err, errsz);
	cut_comment(s);
	sep = strpbrk(s, "=:");
	if (sep == NULL || sep == s) {
		snprintf(err, errsz, "malformed line (not name = value)");
		return -1;
	}
	*sep = '\0';
	trim_end(s);
	value = skip_space(sep + 1);
	trim_end(value);
	return fn(user, section, s, value, err, errsz) == 0 ? 0 : -1;
}

/*
 * Reads one line of f into buf without its break. Returns 1 for a line,
 * 0 at the end, -1 for a line longer than INIFILE_LINE_MAX, -2 on a read
 * error.
 */
static int
read_line(FILE *f, char buf[LINE_BUF])
{
	size_t n;

	if (fgets(buf, LINE_BUF, f) == NULL)
		return ferror(f) ? -2 : 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return n > INIFILE_LINE_MAX ? -1 : 1;
}

int
inifile_parse(const char *path, inifile_entry fn, void *user,
	      unsigned *line, char *err, size_t errsz)
{
	char buf[LINE_BUF];
	char section[INIFILE_SECTION_MAX] = "";
	FILE *f = fopen(path, "re");
	int rc = -1;
	int got;

	*line = 0;
	if (f == NULL) {
		snprintf(err, errsz, "cannot be read");
		return -1;
	}
	for (;;) {
		char *s = buf;

		got = read_line(f, buf);
		if (got != 1)
			break;
		++*line;
		if (*line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		s = skip_space(s);
		trim_end(s);
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (parse_line(s, section, fn, user, err, errsz) < 0)
			goto out;
	}
	if (got == -1) {
		++*line;
		snprintf(err, errsz, "line longer than %d bytes",
			 INIFILE_LINE_MAX);
		goto out;
	}
	if (got == -2) {
		*line = 0;
		snprintf(err, errsz, "cannot be read");
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}
