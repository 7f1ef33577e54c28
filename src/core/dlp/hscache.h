/*
 * Compiled Hyperscan databases, made once at build time instead of at
 * every start. Compiling gitleaks' rules takes seconds (much longer under
 * the sanitizers); loading the same database serialised takes
 * milliseconds.
 *
 * hsc_compile() is hs_compile_multi() in block mode with a cache in front:
 * the inputs (Hyperscan's version, the expressions, flags and ids) are
 * hashed, and when the table `dlp_hs_cache` (generated at build time by
 * src/tools/hsdb.c, which runs the engine's own compile with recording on)
 * holds a database under that hash it is deserialised. A database made for
 * another CPU, a changed rule or a new Hyperscan simply misses, and the
 * expressions are compiled as before: the cache can make start-up faster,
 * never change what is matched.
 */
#ifndef GH_CORE_DLP_HSCACHE_H
#define GH_CORE_DLP_HSCACHE_H

#include <stdio.h>

#include <hs.h>

#include "util/embed.h"

/* The build's cache: entries named by the lower-case hex key, data the
 * serialised database. Empty in the generator itself. */
extern const struct embedded_file dlp_hs_cache[];

/* As hs_compile_multi(expr, flags, ids, n, HS_MODE_BLOCK, NULL, db, err). */
hs_error_t hsc_compile(const char *const *expr, const unsigned *flags,
		       const unsigned *ids, unsigned n, hs_database_t **db,
		       hs_compile_error_t **err);

/* The generator: from hsc_record_begin() on, every database hsc_compile()
 * compiles is also written to out as a C array; hsc_record_end() writes
 * the table `dlp_hs_cache` after them. Both return 0 or -1 (write error). */
int hsc_record_begin(FILE *out);
int hsc_record_end(void);

/* How many hsc_compile() calls were served from the cache and how many
 * compiled, since the start of the process. */
void hsc_stats(unsigned *hits, unsigned *misses);

#endif
