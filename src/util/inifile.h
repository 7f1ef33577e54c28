/*
 * A reader for INI files as our configuration uses them: "[section]"
 * lines, "name = value" (or "name: value") lines, comments on lines that
 * start with ';' or '#' and after " ;" in a value, blank lines, an
 * optional UTF-8 byte order mark. Lines are at most INIFILE_LINE_MAX
 * bytes (without the line break); a longer line is an error that names
 * it, never a silent split or truncation. There are no continuation
 * lines: an indented line is an ordinary line. What the names and values
 * mean is the caller's business (core/config.c).
 */
#ifndef GH_UTIL_INIFILE_H
#define GH_UTIL_INIFILE_H

#include <stddef.h>

/* The longest line read, in bytes, not counting "\n" or "\r\n". */
#define INIFILE_LINE_MAX 4096
/* The longest section name, in bytes. */
#define INIFILE_SECTION_MAX 64

/*
 * Called for each "name = value" line with the current section ("" before
 * the first), the name and the value, each trimmed of surrounding white
 * space; the strings live until the callback returns. Returns 0 to go on,
 * or -1 to stop after writing its reason (one line, no line number) into
 * err (errsz bytes).
 */
typedef int (*inifile_entry)(void *user, const char *section,
			     const char *name, const char *value, char *err,
			     size_t errsz);

/*
 * Reads path and calls fn for each entry, in file order. Returns 0, or -1
 * with the reason in err and *line set to the number of the offending
 * line (1-based; 0 when the file cannot be opened or read).
 */
int inifile_parse(const char *path, inifile_entry fn, void *user,
		  unsigned *line, char *err, size_t errsz);

#endif
