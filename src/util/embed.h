/*
 * Files compiled into the binary by scripts/embed.py: web assets, SQL
 * migrations, word lists. Each table ends with an entry whose name is NULL.
 * The data is always followed by a NUL byte (not counted in len), so text
 * files can be used as C strings.
 */
#ifndef GH_UTIL_EMBED_H
#define GH_UTIL_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* Returns the entry named name in table, or NULL. */
const struct embedded_file *embed_find(const struct embedded_file *table,
				       const char *name);

#endif
