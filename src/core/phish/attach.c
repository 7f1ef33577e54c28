/*
 * Attachment verdicts (see attach.h). The file is only read: libmagic
 * names its type, filetype.c looks for executables, scripts and macros,
 * the archive readers (archive_zip.c, archive_tar.c) unpack ZIP, gzip, tar
 * and tar.gz in memory and hand every entry back here to be judged like a
 * file of its own, and HAR files are handed to the outbound filter's HAR
 * check. clamd (clamd.c) is optional.
 *
 * We chose zlib over libarchive on purpose: we need three simple
 * container formats, and walking them ourselves keeps every limit (entry
 * count, per-entry and total size, ratio measured while inflating,
 * nesting depth) exact and checked before memory is spent, and keeps the
 * attack surface to one small, heavily fuzzed, ubiquitous library instead
 * of libarchive's dozens of format and filter readers (with their own CVE
 * history) that we would have to turn off one by one. Formats we do not
 * unpack are reported, never passed. Nothing is written to disk.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <magic.h>

#include "core/dlp/dlp.h"
#include "core/phish/attach_int.h"
#include "util/errors.h"

static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_cookie;

static unsigned analyse_one(struct walk *w, const char *name,
			    const char *path, const unsigned char *d, size_t n,
			    int depth, char *mime, size_t mime_cap);

static size_t
opt(size_t v, size_t def)
{
	return v != 0 ? v : def;
}

static const unsigned dangerous_mask =
	AR_TOO_LARGE | AR_EXECUTABLE | AR_SCRIPT | AR_OLE_MACROS |
	AR_OOXML_MACROS | AR_MACRO_EXTENSION | AR_ARCHIVE_DANGEROUS |
	AR_ZIP_BOMB | AR_TOO_MANY_ENTRIES | AR_HAR_TOKENS | AR_MALWARE |
	AR_ARCHIVE_TOO_DEEP | AR_ENTRY_TOO_LARGE;

static enum attach_verdict
verdict_of(unsigned reasons)
{
	if ((reasons & dangerous_mask) != 0)
		return ATTACH_DANGEROUS;
	return reasons != 0 ? ATTACH_SUSPICIOUS : ATTACH_CLEAN;
}

/* An entry name as analysed and shown: printable ASCII (other bytes,
 * NUL included, become '?', so "a.pdf\0.exe" keeps its real extension),
 * backslashes as slashes. A name longer than cap keeps its end (where the
 * extension is) behind "...". */
void
clean_name(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t from = 0, k = 0;

	if (n + 1 > cap) {
		from = n - (cap - 4);
		memcpy(out, "...", 3);
		k = 3;
	}
	for (size_t i = from; i < n; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			c = '/';
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		out[k++] = (char)c;
	}
	out[k] = '\0';
}

/* parent/name into out (ATTACH_PATH_MAX), keeping the end when long. */
static void
join_path(const char *parent, const char *name, char *out)
{
	char tmp[ATTACH_PATH_MAX * 2 + 8];
	int k = snprintf(tmp, sizeof(tmp), "%s%s%s", parent,
			 parent[0] != '\0' ? "/" : "", name);
	size_t n = k > 0 ? strlen(tmp) : 0;

	clean_name((const unsigned char *)tmp, n, out, ATTACH_PATH_MAX);
}

/* Judges one unpacked entry and lifts its verdict to the archive. */
void
visit_entry(struct walk *w, const char *parent, const char *name,
	    const unsigned char *d, size_t n, int depth, unsigned *lifted)
{
	char path[ATTACH_PATH_MAX];
	char mime[96];
	unsigned r;

	join_path(parent, name, path);
	r = analyse_one(w, name, path, d, n, depth, mime, sizeof(mime));
	*lifted |= r;
	if (verdict_of(r) == ATTACH_DANGEROUS)
		*lifted |= AR_ARCHIVE_DANGEROUS;
}

/* Counts one more entry against the limit of the whole tree. 0, or -1
 * (with the reason set) when over it. */
int
count_entry(struct walk *w, unsigned *own)
{
	if (w->entries >= w->max_entries) {
		*own |= AR_TOO_MANY_ENTRIES;
		return -1;
	}
	w->entries++;
	return 0;
}

/* Reserves n unpacked bytes against the total. 0, or -1 (a bomb). */
int
reserve(struct walk *w, uint64_t n, unsigned *own)
{
	if (n > w->max_unpacked - w->unpacked) {
		*own |= AR_ZIP_BOMB;
		return -1;
	}
	w->unpacked += n;
	return 0;
}

/* The most one entry may unpack to now: the per-entry cap or what is
 * left of the total, whichever is less. */
size_t
entry_cap(const struct walk *w, int *is_total)
{
	uint64_t left = w->max_unpacked - w->unpacked;

	*is_total = left < w->max_entry;
	return *is_total ? (size_t)left : w->max_entry;
}

/* Reasons of d[0, n) itself, by its bytes and its name (extension ext). */
static unsigned
own_reasons(const char *name, const char *ext, const unsigned char *d,
	    size_t n)
{
	unsigned own = 0;

	if (is_executable(d, n) || in_list(ext, exe_ext))
		own |= AR_EXECUTABLE;
	if (in_list(ext, script_ext) || (n >= 2 && d[0] == '#' && d[1] == '!'))
		own |= AR_SCRIPT;
	if (in_list(ext, macro_ext))
		own |= AR_MACRO_EXTENSION;
	if ((own & (AR_EXECUTABLE | AR_SCRIPT)) != 0 && double_extension(name))
		own |= AR_DOUBLE_EXTENSION;
	if (ole_has_vba(d, n))
		own |= AR_OLE_MACROS;
	return own;
}

/* Unpacks d[0, n) when it is an archive: by its first bytes (ZIP, gzip,
 * tar), else a ZIP found from its end record, else a format not unpacked
 * here. */
static void
archive_reasons(struct walk *w, const char *name, const char *ext,
		const char *path, const unsigned char *d, size_t n, int depth,
		unsigned *own, unsigned *lifted)
{
	if (n >= 4 && (memcmp(d, "PK\3\4", 4) == 0 ||
		       memcmp(d, "PK\5\6", 4) == 0))
		(void)zip_walk(w, path, d, n, depth, 1, own, lifted);
	else if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		gz_walk(w, name, path, d, n, depth, own, lifted);
	else if (tar_sniff(d, n, in_list(ext, (const char *const[]){"tar",
								   NULL})))
		tar_walk(w, path, d, n, depth, own, lifted);
	else if (zip_walk(w, path, d, n, depth, 0, own, lifted))
		return;
	else if (other_archive(d, n, ext) ||
		 (n >= 4 && memcmp(d, "BZh", 3) == 0 && d[3] >= '1' &&
		  d[3] <= '9'))
		*own |= AR_ARCHIVE_NOT_INSPECTED;
}

/* A HAR file (by name or type) with live session material. */
static unsigned
har_reasons(const char *ext, const char *mime, const unsigned char *d,
	    size_t n)
{
	struct dlp_findings f;
	unsigned own = 0;

	if ((ext == NULL || (strcmp(ext, "har") != 0 &&
			     strcmp(ext, "json") != 0)) &&
	    strcmp(mime, "application/json") != 0)
		return 0;
	dlp_findings_init(&f);
	if (dlp_har_scan((const char *)d, n, &f) == 1 && f.n > 0)
		own = AR_HAR_TOKENS;
	dlp_findings_free(&f);
	return own;
}

/* An entry with reasons of its own joins the top's flagged list. */
static void
flag_entry(struct walk *w, const char *path, unsigned own)
{
	struct attach_result *t = w->top;

	if (t->n_flagged < ATTACH_MAX_FLAGGED) {
		struct attach_flagged *fl = &t->flagged[t->n_flagged];

		snprintf(fl->path, sizeof(fl->path), "%s", path);
		fl->reasons = own;
		fl->verdict = (int)verdict_of(own);
	}
	t->n_flagged++;
}

/*
 * Judges d[0, n) sent as name (for its extension) at path (shown in the
 * flagged list; "" for the file itself), depth archives down. Returns the
 * reasons, its own and those lifted from its entries; the mime type goes
 * to mime. Entries with reasons of their own join w->top's flagged list.
 */
static unsigned
analyse_one(struct walk *w, const char *name, const char *path,
	    const unsigned char *d, size_t n, int depth, char *mime,
	    size_t mime_cap)
{
	char eb[16];
	const char *ext = ext_of(name, eb, sizeof(eb));
	const char *m;
	unsigned own, lifted = 0;

	mime[0] = '\0';
	pthread_mutex_lock(&magic_lock);
	m = magic_buffer(magic_cookie, d, n);
	if (m != NULL)
		snprintf(mime, mime_cap, "%s", m);
	pthread_mutex_unlock(&magic_lock);
	own = own_reasons(name, ext, d, n);
	archive_reasons(w, name, ext, path, d, n, depth, &own, &lifted);
	if (ext != NULL && mime[0] != '\0' && !type_matches(ext, mime))
		own |= AR_TYPE_MISMATCH;
	own |= har_reasons(ext, mime, d, n);
	if (html_active(ext, mime, d, n))
		own |= AR_ACTIVE_HTML;
	if (depth > 0 && own != 0)
		flag_entry(w, path, own);
	return own | lifted;
}

int
attach_analyse(const char *filename, const unsigned char *data, size_t len,
	       const struct attach_options *o, struct attach_result *r)
{
	size_t max = opt(o ? o->max_size : 0, (size_t)25 << 20);
	struct walk w;

	memset(r, 0, sizeof(*r));
	if (len > max) {
		r->reasons = AR_TOO_LARGE;
		r->verdict = ATTACH_DANGEROUS;
		return 0;
	}
	pthread_mutex_lock(&magic_lock);
	if (magic_cookie == NULL) {
		magic_cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
		if (magic_cookie != NULL && magic_load(magic_cookie, NULL) != 0) {
			magic_close(magic_cookie);
			magic_cookie = NULL;
		}
	}
	pthread_mutex_unlock(&magic_lock);
	if (magic_cookie == NULL)
		return -GH_INTERNAL;
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.top = r;
	w.max_entries = opt(o ? o->max_entries : 0, 10000);
	w.max_entry = opt(o ? o->max_entry_size : 0, (size_t)32 << 20);
	w.max_unpacked = opt(o ? o->max_unpacked : 0, (size_t)1 << 30);
	w.max_ratio = (unsigned)opt(o ? o->max_ratio : 0, 100);
	r->reasons = analyse_one(&w, filename, "", data, len, 0, r->mime,
				 sizeof(r->mime));
	r->entries = w.entries;
	if (w.oom) {
		memset(r, 0, sizeof(*r));
		return -GH_INTERNAL;
	}
	if (o != NULL && o->clamd_socket != NULL)
		clamd_scan(o->clamd_socket,
			   o->clamd_timeout_ms ? o->clamd_timeout_ms : 10000,
			   data, len, r);
	r->verdict = verdict_of(r->reasons);
	return 0;
}

const char *
attach_verdict_name(enum attach_verdict v)
{
	switch (v) {
	case ATTACH_CLEAN:
		return "clean";
	case ATTACH_SUSPICIOUS:
		return "suspicious";
	default:
		return "dangerous";
	}
}

const char *
attach_reason_name(unsigned bit)
{
	static const char *const names[AR_COUNT_BITS] = {
		"too_large", "executable", "script", "type_mismatch",
		"ole_macros", "ooxml_macros", "macro_extension",
		"archive_holds_dangerous_file", "zip_bomb", "too_many_entries",
		"encrypted_archive", "broken_archive", "har_live_tokens",
		"double_extension", "malware", "archive_not_inspected",
		"archive_too_deep", "entry_too_large",
		"virus_scan_unavailable", "inconsistent_archive", "active_html"};

	for (unsigned b = 0; b < AR_COUNT_BITS; b++)
		if (bit == 1u << b)
			return names[b];
	return NULL;
}
