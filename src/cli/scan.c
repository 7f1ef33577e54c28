/*
 * The scan command (see scan.h). Reads the whole input (at most
 * SCAN_MAX_INPUT bytes; more is an error, not a truncation), then:
 * --dlp prints every outbound-filter finding; --phish prints every link
 * judged suspicious or dangerous (defanged) and, when the input is not
 * clean as an attachment, the attachment verdict. With neither flag both
 * run. Output is JSON lines on standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

#include <jansson.h>

#include "cli/scan.h"
#include "core/dlp/dlp.h"
#include "core/phish/attach.h"
#include "core/phish/phish.h"
#include "util/errors.h"

#define SCAN_MAX_INPUT ((size_t)64 << 20)

static const struct phish_options *scan_phish_opts;

static void
usage(void)
{
	fprintf(stderr, "usage: gatehouse scan [--dlp|--phish] [--dir DIR] "
			"[--top-domains FILE] [FILE|-]\n");
}

/* Reads all of f into *out (NUL-ended). 0, or -1 on error/too large. */
static int
read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	if (buf == NULL)
		return -1;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap >= SCAN_MAX_INPUT) {
				free(buf);
				return -2;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int
emit(json_t *o)
{
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (s == NULL)
		return -1;
	puts(s);
	free(s);
	return 0;
}

static int
looks_html(const char *t, size_t n)
{
	size_t m = n < 4096 ? n : 4096;

	for (size_t i = 0; i + 5 < m; i++)
		if (t[i] == '<' && (strncasecmp(t + i, "<html", 5) == 0 ||
				    strncasecmp(t + i, "<a ", 3) == 0 ||
				    strncasecmp(t + i, "<body", 5) == 0 ||
				    strncasecmp(t + i, "<div", 4) == 0 ||
				    strncasecmp(t + i, "<p>", 3) == 0))
			return 1;
	return 0;
}

static int
is_text(const char *t, size_t n)
{
	return memchr(t, '\0', n) == NULL;
}

static int
run_dlp(const char *t, size_t n, int *found)
{
	struct dlp_engine *e = NULL;
	struct dlp_findings f;
	int rc;

	dlp_findings_init(&f);
	if (dlp_engine_new(&e) != 0) {
		fprintf(stderr, "gatehouse scan: cannot build the DLP engine\n");
		return -1;
	}
	rc = dlp_scan(e, NULL, t, n, &f);
	for (size_t i = 0; i < f.n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
				      "engine", "dlp", "type", f.v[i].type,
				      "rule", f.v[i].rule,
				      "start", (json_int_t)f.v[i].start,
				      "end", (json_int_t)f.v[i].end,
				      "cstart", (json_int_t)f.v[i].cstart,
				      "cend", (json_int_t)f.v[i].cend);

		if (emit(o) < 0)
			rc = -1;
		*found = 1;
	}
	if (rc < 0 && f.n == 0)
		fprintf(stderr, "gatehouse scan: DLP scan failed\n");
	dlp_findings_free(&f);
	dlp_engine_free(e);
	return rc < 0 && f.n == 0 ? -1 : 0;
}

static int
run_phish(const char *name, const char *t, size_t n, int *found)
{
	struct phish_engine *e = NULL;
	struct phish_links l;
	struct attach_result ar;
	json_t *arr;
	size_t i;
	json_t *v;
	int rc = 0, erc;

	phish_links_init(&l);
	if (attach_analyse(name, (const unsigned char *)t, n, NULL, &ar) != 0) {
		fprintf(stderr, "gatehouse scan: cannot load libmagic\n");
		return -1;
	}
	if (ar.verdict != ATTACH_CLEAN) {
		json_t *o = attach_result_json(&ar);

		json_object_set_new(o, "engine", json_string("attachment"));
		if (emit(o) < 0)
			rc = -1;
		*found = 1;
	}
	if (!is_text(t, n))
		return rc;
	erc = phish_engine_new(scan_phish_opts, &e);
	if (erc != 0) {
		fprintf(stderr, erc == -GH_BAD_FIELD ? "gatehouse scan: cannot "
			"read the top-domains file\n" : "gatehouse scan: cannot "
			"build the link analyser\n");
		return -1;
	}
	if (phish_analyse(e, t, n, looks_html(t, n), &l) != 0)
		rc = -1;
	arr = phish_links_json(&l);
	json_array_foreach(arr, i, v) {
		if (l.v[i].score < 30)
			continue;
		json_object_set_new(v, "engine", json_string("phish"));
		if (emit(json_incref(v)) < 0)
			rc = -1;
		*found = 1;
	}
	json_decref(arr);
	phish_links_free(&l);
	phish_engine_free(e);
	return rc;
}

/*
 * With --dir, the company's own domains come from DIR/gatehouse.conf when
 * it exists (lookalikes of them are flagged); without it scan runs on its
 * own, e.g. in a mail pipeline.
 */
static int
load_domains(const char *dir, struct config *cfg, const char **list,
	     size_t max, struct phish_options *o)
{
	char path[CONFIG_STR_MAX + 32];
	char err[512];
	char *save = NULL;
	char *tok;

	snprintf(path, sizeof(path), "%s/gatehouse.conf", dir);
	config_defaults(cfg, dir);
	if (access(path, F_OK) != 0)
		return 0;
	if (config_load(cfg, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "gatehouse scan: %s\n", err);
		return -1;
	}
	o->n_own_domains = 0;
	for (tok = strtok_r(cfg->company_domains, ", \t", &save);
	     tok != NULL && o->n_own_domains < max;
	     tok = strtok_r(NULL, ", \t", &save))
		list[o->n_own_domains++] = tok;
	o->own_domains = list;
	/* [phish] top_domains_file, relative to DIR. */
	if (cfg->phish_top_domains_file[0] != '\0') {
		static char top[CONFIG_STR_MAX * 2 + 2];

		snprintf(top, sizeof(top), "%s%s%s",
			 cfg->phish_top_domains_file[0] == '/' ? "" : dir,
			 cfg->phish_top_domains_file[0] == '/' ? "" : "/",
			 cfg->phish_top_domains_file);
		o->top_domains_file = top;
	}
	scan_phish_opts = o;
	return 0;
}

int
cli_scan(int argc, char **argv)
{
	static struct config cfg;
	static const char *domains[CONFIG_MAX_DOMAINS];
	static struct phish_options opts;
	int dlp = 0, phish = 0, found = 0, rc;
	const char *path = NULL, *top = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dlp") == 0) {
			dlp = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			if (load_domains(argv[++i], &cfg, domains,
					 CONFIG_MAX_DOMAINS, &opts) < 0)
				return 2;
		} else if (strcmp(argv[i], "--phish") == 0) {
			phish = 1;
		} else if (strcmp(argv[i], "--top-domains") == 0 &&
			   i + 1 < argc) {
			top = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 ||
			   strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		} else if (path == NULL &&
			   (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
			path = argv[i];
		} else {
			usage();
			return 2;
		}
	}
	if (!dlp && !phish)
		dlp = phish = 1;
	if (top != NULL) {
		opts.top_domains_file = top;
		scan_phish_opts = &opts;
	}
	if (path == NULL || strcmp(path, "-") == 0) {
		f = stdin;
		path = NULL;
	} else {
		f = fopen(path, "rb");
		if (f == NULL) {
			fprintf(stderr, "gatehouse scan: cannot open the file\n");
			return 2;
		}
	}
	rc = read_all(f, &text, &len);
	if (f != stdin)
		fclose(f);
	if (rc < 0) {
		fprintf(stderr, rc == -2 ? "gatehouse scan: input larger than "
			"64 MiB\n" : "gatehouse scan: cannot read the input\n");
		return 2;
	}
	rc = 0;
	if (dlp && run_dlp(text, len, &found) < 0)
		rc = 2;
	if (phish && run_phish(path, text, len, &found) < 0)
		rc = 2;
	free(text);
	if (fflush(stdout) != 0)
		return 2;
	return rc != 0 ? rc : found;
}
