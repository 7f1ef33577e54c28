/*
 * gh-hsdb OUT.c: the build step that makes `dlp_hs_cache`. It builds the
 * outbound filter's engine exactly as the server does, with hsc_compile()
 * recording every database it compiles, and writes them as a C table. It
 * is linked with hsdb_none.c (an empty table), so everything compiles.
 */
#include <stdio.h>

#include "core/dlp/dlp.h"
#include "core/dlp/hscache.h"
#include "crypto/crypto.h"

int
main(int argc, char **argv)
{
	struct dlp_engine *e = NULL;
	FILE *out;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: gh-hsdb OUT.c\n");
		return 2;
	}
	if (crypto_init() < 0)
		return 1;
	out = fopen(argv[1], "w");
	if (out == NULL) {
		perror(argv[1]);
		return 1;
	}
	if (hsc_record_begin(out) < 0 || dlp_engine_new(&e) < 0)
		goto out;
	if (hsc_record_end() < 0)
		goto out;
	rc = 0;
out:
	dlp_engine_free(e);
	if (fclose(out) != 0)
		rc = 1;
	if (rc != 0) {
		fprintf(stderr, "gh-hsdb: could not write %s\n", argv[1]);
		remove(argv[1]);
	}
	return rc;
}
