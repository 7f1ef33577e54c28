/*
 * gh-url-features: reads URLs, one a line, on standard input and prints
 * for each the link model's inputs, tab-separated in the order of the
 * header line: the feature vector, the n-gram buckets (space-separated),
 * and the link's verdict score as phish_judge() gives it without and with
 * the reason model_score, and the shipped model's score; or "-" for a URL
 * without features. The training
 * script reads this output, so the model is trained on exactly what the
 * server computes, and its threshold is chosen on the analyser's whole
 * verdict. It never fetches a URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/phish/phish.h"

#define MAX_GRAMS (3 * PHISH_MAX_URL + 6)

/* The verdict scores of url without and with PR_MODEL_SCORE. */
static int
judge(const struct phish_engine *e, char *url, int *without, int *with)
{
	struct phish_link l;

	memset(&l, 0, sizeof(l));
	l.url = url;
	if (phish_judge(e, &l) != 0)
		return -1;
	free(l.host);
	free(l.domain);
	*without = phish_reasons_score(l.reasons & ~(unsigned)PR_MODEL_SCORE);
	*with = phish_reasons_score(l.reasons | PR_MODEL_SCORE);
	return 0;
}

static void
print_row(const struct phish_engine *e, char *line, uint32_t *grams)
{
	double f[PHISH_URL_NFEAT];
	size_t n;
	int without, with;

	if (phish_url_features(e, line, f) != 0 ||
	    judge(e, line, &without, &with) != 0) {
		printf("-\n");
		return;
	}
	for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
		printf("%.17g\t", f[i]);
	n = phish_url_ngrams(line, grams, MAX_GRAMS);
	for (size_t i = 0; i < n && i < MAX_GRAMS; i++)
		printf("%s%u", i ? " " : "", grams[i]);
	printf("\t%d\t%d\t%.17g\n", without, with,
	       phish_url_model_score(f, line));
}

int
main(void)
{
	struct phish_engine *e = NULL;
	static char line[PHISH_MAX_URL + 2];
	static uint32_t grams[MAX_GRAMS];

	if (phish_engine_new(NULL, &e) != 0) {
		fprintf(stderr, "gh-url-features: engine failed\n");
		return 1;
	}
	for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
		printf("%s\t", phish_url_feature_name(i));
	printf("ngrams\tscore_without_model\tscore_with_model\t"
	       "model_score\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		print_row(e, line, grams);
	}
	phish_engine_free(e);
	return 0;
}
