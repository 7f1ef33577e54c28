/*
 * UTF-8 validation: well-formed (no overlong forms, surrogates or values
 * past U+10FFFF), no NUL, no C0/C1 control characters other than (when
 * multiline) newline, carriage return and tab, and no bidirectional
 * override characters (used to disguise text and file names).
 */
#ifndef GH_UTIL_UTF8_H
#define GH_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns the number of code points, or -1 when s is not acceptable. */
int64_t utf8_check(const char *s, size_t len, int multiline);

#endif
