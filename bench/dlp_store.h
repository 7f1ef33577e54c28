/*
 * bench_dlp's server-path rows (dlp_store.c): the realistic corpus with
 * the store's fingerprint lookups on a real SQLite file, without and with
 * the in-memory filter of core/fingerprints.c, in the same run.
 */
#ifndef GH_BENCH_DLP_STORE_H
#define GH_BENCH_DLP_STORE_H

#include <stddef.h>

#include "core/dlp/dlp.h"
#include "corpus.h"

/* Seeds a temporary store (GH_BENCH_CUSTOMERS customers, default 100,000,
 * plus the corpus's), scans a corpus of len bytes both ways and prints
 * MB/s (CPU time of this thread) and the findings of each. */
void dlp_store_rows(const struct dlp_engine *e, size_t len);

#endif
