/*
 * gh-url-features: reads URLs, one a line, on standard input and prints
 * for each the link model's feature vector (tab-separated, in the order
 * of the header line), or "-" for a URL without features. The training
 * script reads this output, so the model is trained on exactly the
 * features the server computes. It never fetches a URL.
 */
#include <stdio.h>
#include <string.h>

#include "core/phish/phish.h"

int
main(void)
{
	struct phish_engine *e = NULL;
	static char line[PHISH_MAX_URL + 2];
	double f[PHISH_URL_NFEAT];

	if (phish_engine_new(NULL, &e) != 0) {
		fprintf(stderr, "gh-url-features: engine failed\n");
		return 1;
	}
	for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
		printf("%s%s", i ? "\t" : "", phish_url_feature_name(i));
	printf("\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (phish_url_features(e, line, f) != 0) {
			printf("-\n");
			continue;
		}
		for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
			printf("%s%.17g", i ? "\t" : "", f[i]);
		printf("\n");
	}
	phish_engine_free(e);
	return 0;
}
