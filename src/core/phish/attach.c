/*
 * Attachment verdicts (see attach.h). The file is only read: libmagic
 * names its type; a few byte-level parsers look for executables, the OLE
 * directory entries of a VBA project, and archives. HAR files are handed
 * to the outbound filter's HAR check. clamd is optional and reached over a
 * Unix socket with the INSTREAM command, within one deadline.
 *
 * Archives are unpacked in memory by the small parsers below (ZIP central
 * directory and local headers, gzip members, ustar/GNU/pax tar), with
 * zlib's inflate for the deflate streams. We chose zlib over libarchive
 * on purpose: we need three simple container formats, and walking them
 * ourselves keeps every limit (entry count, per-entry and total size,
 * ratio measured while inflating, nesting depth) exact and checked before
 * memory is spent, and keeps the attack surface to one small, heavily
 * fuzzed, ubiquitous library instead of libarchive's dozens of format and
 * filter readers (with their own CVE history) that we would have to turn
 * off one by one. Formats we do not unpack are reported, never passed.
 * Nothing is written to disk.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <magic.h>
#define ZLIB_CONST
#include <zlib.h>

#include "core/dlp/dlp.h"
#include "util/errors.h"
#include "core/phish/attach.h"

static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_cookie;

static const char *const exe_ext[] = {
	"exe", "dll", "scr", "com", "pif", "cpl", "msi", "msp", "jar", "apk",
	"app", "dmg", "pkg", "iso", "img", "vhd", "vhdx", "lnk", "reg", "sys",
	"elf", "so", "appx", "msix", "xll", "chm", NULL};
static const char *const script_ext[] = {
	"bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh",
	"hta", "sh", "bash", "py", "pl", "rb", "php", "applescript", "scpt",
	"command", "url", "inf", "sct", NULL};
static const char *const macro_ext[] = {
	"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm",
	"ppam", "ppsm", "sldm", NULL};

static int
in_list(const char *ext, const char *const *list)
{
	for (size_t i = 0; ext != NULL && list[i] != NULL; i++)
		if (strcasecmp(ext, list[i]) == 0)
			return 1;
	return 0;
}

/* Lower-case extension of name (after the last dot), or NULL. */
static const char *
ext_of(const char *name, char *buf, size_t cap)
{
	const char *dot, *slash;
	size_t n;

	if (name == NULL)
		return NULL;
	slash = strrchr(name, '/');
	if (slash != NULL)
		name = slash + 1;
	dot = strrchr(name, '.');
	if (dot == NULL || dot == name)
		return NULL;
	n = strlen(dot + 1);
	if (n == 0 || n >= cap)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)dot[1 + i]);
	return buf;
}

/* The extension before the last one ("pdf" in "a.pdf.exe"). */
static int
double_extension(const char *name)
{
	const char *last, *prev;

	if (name == NULL)
		return 0;
	last = strrchr(name, '.');
	if (last == NULL || last == name)
		return 0;
	for (prev = last - 1; prev > name && *prev != '.' && *prev != '/';
	     prev--)
		;
	return *prev == '.' && last - prev >= 3 && last - prev <= 5;
}

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

static int
is_executable(const unsigned char *d, size_t n)
{
	if (n >= 64 && d[0] == 'M' && d[1] == 'Z') {
		uint32_t pe = le32(d + 60);

		if ((size_t)pe + 4 <= n && memcmp(d + pe, "PE\0\0", 4) == 0)
			return 1;
		return 1;	/* DOS executable or truncated PE */
	}
	if (n >= 4 && memcmp(d, "\x7f" "ELF", 4) == 0)
		return 1;
	if (n >= 4) {
		uint32_t m = le32(d);

		if (m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe ||
		    m == 0xcffaedfe)
			return 1;
		/* Mach-O universal binary; Java class files share the magic
		 * but have a large version number where the arch count is. */
		if (memcmp(d, "\xca\xfe\xba\xbe", 4) == 0 && n >= 8 &&
		    d[4] == 0 && d[5] == 0 && d[6] == 0 && d[7] < 20)
			return 1;
	}
	return 0;
}

/* OLE compound file: any directory entry named like a VBA project. */
static int
ole_has_vba(const unsigned char *d, size_t n)
{
	static const char *const names[] = {"_VBA_PROJECT", "VBA",
					    "_VBA_PROJECT_CUR", "Macros", NULL};

	if (n < 512 || memcmp(d, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) != 0)
		return 0;
	for (size_t off = 512; off + 128 <= n; off += 128) {
		const unsigned char *e = d + off;
		uint16_t nl = le16(e + 64);
		char name[33];
		size_t k = 0;

		if (nl < 4 || nl > 64 || nl % 2 != 0 || (e[66] != 1 && e[66] != 2))
			continue;
		for (size_t i = 0; i + 2 < nl; i += 2) {
			if (e[i + 1] != 0 || e[i] < 0x20 || e[i] > 0x7e)
				break;
			name[k++] = (char)e[i];
		}
		if (k * 2 + 2 != nl)
			continue;
		name[k] = '\0';
		for (size_t i = 0; names[i] != NULL; i++)
			if (strcmp(name, names[i]) == 0)
				return 1;
	}
	return 0;
}

static size_t
opt(size_t v, size_t def)
{
	return v != 0 ? v : def;
}

/* The limits and running totals of one analysis, shared by every level of
 * nested archives. */
struct walk {
	const struct attach_options *o;
	struct attach_result *top;
	size_t max_entries;
	size_t max_entry;
	uint64_t max_unpacked;
	unsigned max_ratio;
	size_t entries;		/* entries seen, all levels */
	uint64_t unpacked;	/* bytes unpacked, all levels */
	int oom;
};

static unsigned analyse_one(struct walk *w, const char *name,
			    const char *path, const unsigned char *d, size_t n,
			    int depth, char *mime, size_t mime_cap);

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
static void
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
static void
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
static int
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
static int
reserve(struct walk *w, uint64_t n, unsigned *own)
{
	if (n > w->max_unpacked - w->unpacked) {
		*own |= AR_ZIP_BOMB;
		return -1;
	}
	w->unpacked += n;
	return 0;
}

enum { INF_OK = 0, INF_BROKEN, INF_TOO_LARGE, INF_OVER_TOTAL, INF_BOMB,
       INF_NOMEM };

/*
 * Inflates src[0, n) (raw deflate when gzip is 0, else one or more gzip
 * members) into a malloc'd *out of at most cap bytes (*out_len), the
 * caller frees it. Stops with INF_TOO_LARGE past cap (INF_OVER_TOTAL when
 * cap was the remaining total budget), INF_BOMB once more than 1 MiB came
 * out at more than max_ratio times the input read so far, INF_BROKEN on a
 * corrupt, cut or trailing-garbage stream; *out is then NULL.
 */
static int
inflate_bounded(const unsigned char *src, size_t n, int gzip, size_t cap,
		int cap_is_total, size_t hint, unsigned max_ratio,
		unsigned char **out, size_t *out_len)
{
	z_stream s;
	unsigned char *buf = NULL;
	size_t size, len = 0;
	int rc = INF_BROKEN, zr;

	*out = NULL;
	*out_len = 0;
	if (n > UINT_MAX)
		return INF_BROKEN;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK)
		return INF_NOMEM;
	size = hint < 4096 ? 4096 : hint;
	if (size > cap + 1)
		size = cap + 1;
	buf = malloc(size);
	if (buf == NULL) {
		rc = INF_NOMEM;
		goto out;
	}
	s.next_in = src;
	s.avail_in = (uInt)n;
	for (;;) {
		uInt room;
		size_t consumed;

		if (len == size) {
			size_t ns = size > (cap + 1) / 2 ? cap + 1 : size * 2;
			unsigned char *nb;

			if (len > cap) {
				rc = cap_is_total ? INF_OVER_TOTAL
						  : INF_TOO_LARGE;
				goto out;
			}
			nb = realloc(buf, ns);
			if (nb == NULL) {
				rc = INF_NOMEM;
				goto out;
			}
			buf = nb;
			size = ns;
		}
		room = size - len > UINT_MAX ? UINT_MAX : (uInt)(size - len);
		s.next_out = buf + len;
		s.avail_out = room;
		zr = inflate(&s, Z_NO_FLUSH);
		len += room - s.avail_out;
		consumed = n - s.avail_in;
		if (len > cap) {
			rc = cap_is_total ? INF_OVER_TOTAL : INF_TOO_LARGE;
			goto out;
		}
		if (len > ((size_t)1 << 20) &&
		    len / (consumed ? consumed : 1) > max_ratio) {
			rc = INF_BOMB;
			goto out;
		}
		if (zr == Z_STREAM_END) {
			if (!gzip)
				break;
			if (s.avail_in == 0)
				break;
			/* Another gzip member follows, or garbage. */
			if (s.avail_in < 2 || s.next_in[0] != 0x1f ||
			    s.next_in[1] != 0x8b)
				goto out;
			if (inflateReset(&s) != Z_OK)
				goto out;
			continue;
		}
		if (zr == Z_MEM_ERROR) {
			rc = INF_NOMEM;
			goto out;
		}
		if (zr == Z_BUF_ERROR && s.avail_in == 0)
			goto out;	/* cut short */
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			goto out;	/* corrupt data, dictionary */
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = INF_OK;
out:
	inflateEnd(&s);
	free(buf);
	return rc;
}

/* Maps an inflate failure to the archive's reasons. */
static void
inflate_reason(struct walk *w, int rc, unsigned *own)
{
	switch (rc) {
	case INF_TOO_LARGE:
		*own |= AR_ENTRY_TOO_LARGE;
		break;
	case INF_OVER_TOTAL:
	case INF_BOMB:
		*own |= AR_ZIP_BOMB;
		break;
	case INF_NOMEM:
		w->oom = 1;
		break;
	default:
		*own |= AR_BROKEN_ARCHIVE;
	}
}

/* The most one entry may unpack to now: the per-entry cap or what is
 * left of the total, whichever is less. */
static size_t
entry_cap(const struct walk *w, int *is_total)
{
	uint64_t left = w->max_unpacked - w->unpacked;

	*is_total = left < w->max_entry;
	return *is_total ? (size_t)left : w->max_entry;
}

/* --- tar ----------------------------------------------------------------- */

/* A tar number field: octal digits (leading spaces, ended by NUL or a
 * space) or GNU base-256. -1 when malformed. */
static int
tar_number(const unsigned char *f, size_t n, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	if ((f[0] & 0x80) != 0) {
		if (f[0] != 0x80)
			return -1;	/* negative or over 2^88 */
		for (i = 1; i < n; i++) {
			if (*v > (UINT64_MAX >> 8))
				return -1;
			*v = (*v << 8) | f[i];
		}
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (*v > (UINT64_MAX >> 3))
			return -1;
		*v = (*v << 3) | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != '\0' && f[i] != ' ')
		return -1;
	return 0;
}

static int
tar_header_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long sum = 0;
	long ssum = 0;

	if (tar_number(h + 148, 8, &want) < 0)
		return 0;
	for (size_t i = 0; i < 512; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];

		sum += c;
		ssum += (signed char)c;
	}
	return want == sum || (long)want == ssum;
}

static int
tar_sniff(const unsigned char *d, size_t n, int by_name)
{
	if (n < 512 || !tar_header_ok(d))
		return 0;
	return by_name || memcmp(d + 257, "ustar", 5) == 0;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The path= and size= records of a pax extended header. */
static int
pax_parse(const unsigned char *p, size_t n, char *path, size_t cap,
	  int *has_path, uint64_t *size, int *has_size)
{
	size_t i = 0;

	while (i < n) {
		size_t len = 0, j = i, k;

		while (j < n && p[j] >= '0' && p[j] <= '9' && len < n)
			len = len * 10 + (size_t)(p[j++] - '0');
		if (j >= n || p[j] != ' ' || len == 0 || len > n - i ||
		    p[i + len - 1] != '\n')
			return -1;
		j++;
		k = i + len - 1;	/* the newline */
		if (k - j >= 5 && memcmp(p + j, "path=", 5) == 0) {
			clean_name(p + j + 5, k - j - 5, path, cap);
			*has_path = 1;
		} else if (k - j >= 5 && memcmp(p + j, "size=", 5) == 0) {
			uint64_t v = 0;

			for (size_t q = j + 5; q < k; q++) {
				if (p[q] < '0' || p[q] > '9' ||
				    v > UINT64_MAX / 10 - 9)
					return -1;
				v = v * 10 + (uint64_t)(p[q] - '0');
			}
			*size = v;
			*has_size = 1;
		}
		i += len;
	}
	return 0;
}

/* Walks a tar archive (ustar, GNU long names, pax paths and sizes). */
static void
tar_walk(struct walk *w, const char *path, const unsigned char *d, size_t n,
	 int depth, unsigned *own, unsigned *lifted)
{
	char name[512];
	int have_name = 0, pax_has_size = 0;
	uint64_t pax_size = 0;
	size_t p = 0;

	if (depth > ATTACH_MAX_DEPTH) {
		*own |= AR_ARCHIVE_TOO_DEEP;
		return;
	}
	while (p + 512 <= n && !w->oom) {
		const unsigned char *h = d + p;
		uint64_t size;
		size_t data, padded;
		unsigned char type;

		if (all_zero(h, 512))
			return;	/* end of archive */
		if (!tar_header_ok(h) || tar_number(h + 124, 12, &size) < 0)
			goto broken;
		type = h[156];
		if (pax_has_size && (type == '0' || type == '\0' ||
				     type == '7'))
			size = pax_size;
		data = p + 512;
		if (size > n - data)
			goto broken;
		padded = (size_t)size + (512 - (size_t)size % 512) % 512;
		if (padded > n - data)
			padded = n - data;
		switch (type) {
		case 'L':	/* GNU long name of the next entry */
			clean_name(d + data,
				   strnlen((const char *)d + data,
					   (size_t)size),
				   name, sizeof(name));
			have_name = 1;
			break;
		case 'x':	/* pax header of the next entry */
			if (pax_parse(d + data, (size_t)size, name,
				      sizeof(name), &have_name, &pax_size,
				      &pax_has_size) < 0)
				goto broken;
			break;
		case 'g':	/* pax global header, GNU long link */
		case 'K':
			break;
		default:
			if (count_entry(w, own) < 0)
				return;
			if (!have_name) {
				char raw[256 + 2];
				size_t pl = strnlen((const char *)h + 345, 155);
				size_t nl = strnlen((const char *)h, 100);
				size_t k = 0;

				if (memcmp(h + 257, "ustar", 5) == 0 &&
				    pl > 0) {
					memcpy(raw, h + 345, pl);
					raw[pl] = '/';
					k = pl + 1;
				}
				memcpy(raw + k, h, nl);
				clean_name((const unsigned char *)raw, k + nl,
					   name, sizeof(name));
			}
			if (type == '0' || type == '\0' || type == '7') {
				if (size > w->max_entry) {
					*own |= AR_ENTRY_TOO_LARGE;
				} else if (reserve(w, size, own) < 0) {
					return;
				} else {
					visit_entry(w, path, name, d + data,
						    (size_t)size, depth + 1,
						    lifted);
				}
			} else if (type < '1' || type > '6') {
				/* Sparse, multi-volume, vendor types. */
				*own |= AR_ARCHIVE_NOT_INSPECTED;
			}
			have_name = 0;
			pax_has_size = 0;
		}
		p = data + padded;
	}
	if (p == n)
		return;	/* no end blocks, but nothing cut either */
broken:
	*own |= AR_BROKEN_ARCHIVE;
}

/* --- gzip ---------------------------------------------------------------- */

/* The name a gzip member is analysed under: its FNAME (without
 * directories), else the archive's name without .gz (.tgz: .tar). */
static void
gz_member_name(const unsigned char *d, size_t n, const char *outer,
	       char *out, size_t cap)
{
	size_t p = 10;
	const char *dot;

	if (n > 10 && (d[3] & 4) != 0)
		p = n >= 12 ? 12 + (size_t)le16(d + 10) : n;
	if (p < n && (d[3] & 8) != 0) {
		size_t e = p, b = p;

		while (e < n && d[e] != 0) {
			if (d[e] == '/' || d[e] == '\\')
				b = e + 1;
			e++;
		}
		if (e < n && e > b) {
			clean_name(d + b, e - b, out, cap);
			return;
		}
	}
	outer = outer != NULL ? outer : "";
	if (strrchr(outer, '/') != NULL)
		outer = strrchr(outer, '/') + 1;
	dot = strrchr(outer, '.');
	if (dot != NULL && dot != outer && strcasecmp(dot, ".gz") == 0)
		clean_name((const unsigned char *)outer,
			   (size_t)(dot - outer), out, cap);
	else if (dot != NULL && dot != outer &&
		 (strcasecmp(dot, ".tgz") == 0 || strcasecmp(dot, ".taz") == 0))
		snprintf(out, cap, "%.*s.tar", (int)(dot - outer), outer);
	else
		snprintf(out, cap, "%s", "content");
}

/* Unpacks a gzip file; a tar inside is walked at the same level. */
static void
gz_walk(struct walk *w, const char *name, const char *path,
	const unsigned char *d, size_t n, int depth, unsigned *own,
	unsigned *lifted)
{
	char member[256], eb[16];
	unsigned char *out = NULL;
	size_t len = 0, cap;
	int total, rc;

	if (depth > ATTACH_MAX_DEPTH) {
		*own |= AR_ARCHIVE_TOO_DEEP;
		return;
	}
	gz_member_name(d, n, name, member, sizeof(member));
	cap = entry_cap(w, &total);
	rc = inflate_bounded(d, n, 1, cap, total, n * 4, w->max_ratio, &out,
			     &len);
	if (rc != INF_OK) {
		inflate_reason(w, rc, own);
		return;
	}
	w->unpacked += len;
	/* A .tar.gz is one archive: its tar is walked at this level, and
	 * the tar's entries are what counts. */
	if (tar_sniff(out, len, in_list(ext_of(member, eb, sizeof(eb)),
					(const char *const[]){"tar", NULL})))
		tar_walk(w, path, out, len, depth, own, lifted);
	else if (count_entry(w, own) == 0)
		visit_entry(w, path, member, out, len, depth + 1, lifted);
	free(out);
}

/* --- zip ----------------------------------------------------------------- */

struct zent {
	char name[512];
	uint64_t cs, us, off;
	uint32_t crc;
	unsigned method, flags;
	size_t next;		/* offset of the next central record */
	int dir;
};

/* Reads the central directory record at p. 0 or -1 (broken). */
static int
zip_entry(const unsigned char *d, size_t n, size_t p, struct zent *e)
{
	size_t nl, xl, cl;

	if (p > n || n - p < 46 || le32(d + p) != 0x02014b50)
		return -1;
	e->flags = le16(d + p + 8);
	e->method = le16(d + p + 10);
	e->crc = le32(d + p + 16);
	e->cs = le32(d + p + 20);
	e->us = le32(d + p + 24);
	nl = le16(d + p + 28);
	xl = le16(d + p + 30);
	cl = le16(d + p + 32);
	e->off = le32(d + p + 42);
	if (46 + nl + xl + cl > n - p)
		return -1;
	/* ZIP64: the extra field holds, in this order, the fields that are
	 * all ones in the record. */
	if (e->us == 0xffffffff || e->cs == 0xffffffff ||
	    e->off == 0xffffffff) {
		size_t x = p + 46 + nl, xe = x + xl;

		while (x + 4 <= xe) {
			uint16_t id = le16(d + x), sz = le16(d + x + 2);
			size_t q = x + 4, qe = q + sz;

			if (qe > xe)
				return -1;
			if (id == 1) {
				uint64_t *f[3] = {&e->us, &e->cs, &e->off};

				for (int i = 0; i < 3; i++) {
					if (*f[i] != 0xffffffff)
						continue;
					if (q + 8 > qe)
						return -1;
					*f[i] = le64(d + q);
					q += 8;
				}
			}
			x = qe;
		}
	}
	clean_name(d + p + 46, nl, e->name, sizeof(e->name));
	e->dir = nl > 0 && d[p + 46 + nl - 1] == '/';
	e->next = p + 46 + nl + xl + cl;
	return 0;
}

/* Unpacks one entry and judges it. */
static void
zip_unpack(struct walk *w, const char *path, const unsigned char *d,
	   size_t n, const struct zent *e, int depth, unsigned *own,
	   unsigned *lifted)
{
	const unsigned char *content;
	unsigned char *buf = NULL;
	size_t data, len, cap;
	int total, rc;

	if (e->dir && e->us == 0)
		return;
	if ((e->flags & 1) != 0)
		return;	/* encrypted: AR_ENCRYPTED_ARCHIVE already */
	if (e->method != 0 && e->method != 8) {
		*own |= AR_ARCHIVE_NOT_INSPECTED;
		return;
	}
	if (e->us > w->max_entry) {
		*own |= AR_ENTRY_TOO_LARGE;
		return;
	}
	if (e->off > n || n - e->off < 30 || le32(d + e->off) != 0x04034b50)
		goto broken;
	data = (size_t)e->off + 30 + le16(d + e->off + 26) +
	       le16(d + e->off + 28);
	if (data > n || e->cs > n - data)
		goto broken;
	if (e->method == 0) {
		if (e->cs != e->us)
			goto broken;
		content = d + data;
		len = (size_t)e->us;
		if (reserve(w, len, own) < 0)
			return;
	} else {
		cap = entry_cap(w, &total);
		rc = inflate_bounded(d + data, (size_t)e->cs, 0, cap, total,
				     (size_t)e->us + 1, w->max_ratio, &buf,
				     &len);
		if (rc != INF_OK) {
			inflate_reason(w, rc, own);
			return;
		}
		w->unpacked += len;
		content = buf;
	}
	/* A size or checksum that does not match: judged all the same. */
	if (len != e->us || crc32(0L, content, (uInt)len) != e->crc)
		*own |= AR_BROKEN_ARCHIVE;
	visit_entry(w, path, e->name, content, len, depth + 1, lifted);
	free(buf);
	return;
broken:
	*own |= AR_BROKEN_ARCHIVE;
}

/* Walks the ZIP central directory: names, flags and declared sizes of
 * every entry first (a bomb or too many entries stops here), then unpacks
 * and judges each entry. */
static void
zip_walk(struct walk *w, const char *path, const unsigned char *d, size_t n,
	 int depth, unsigned *own, unsigned *lifted)
{
	size_t eocd = 0, cd_off, cd_size, count, p;
	uint64_t total_c = 0, total_u = 0;
	struct zent e;
	int found = 0;

	if (n < 22)
		goto broken;
	for (size_t i = n - 22 + 1; i-- > 0 && n - i <= 65557;) {
		if (le32(d + i) == 0x06054b50) {
			eocd = i;
			found = 1;
			break;
		}
	}
	if (!found)
		goto broken;
	count = le16(d + eocd + 10);
	cd_size = le32(d + eocd + 12);
	cd_off = le32(d + eocd + 16);
	if ((count == 0xffff || cd_off == 0xffffffff) && eocd >= 20 &&
	    le32(d + eocd - 20) == 0x07064b50) {
		uint64_t z = le64(d + eocd - 20 + 8);

		if (z > n || n - z < 56 || le32(d + z) != 0x06064b50)
			goto broken;
		if (le64(d + z + 32) > SIZE_MAX || le64(d + z + 40) > SIZE_MAX ||
		    le64(d + z + 48) > SIZE_MAX)
			goto broken;
		count = (size_t)le64(d + z + 32);
		cd_size = (size_t)le64(d + z + 40);
		cd_off = (size_t)le64(d + z + 48);
	}
	if (cd_off > n || cd_size > n - cd_off)
		goto broken;
	if (count > w->max_entries - w->entries) {
		*own |= AR_TOO_MANY_ENTRIES;
		return;
	}
	p = cd_off;
	for (size_t k = 0; k < count; k++) {
		char eb[16];
		const char *ext;
		size_t nl;

		if (zip_entry(d, n, p, &e) < 0)
			goto broken;
		if ((e.flags & 1) != 0)
			*own |= AR_ENCRYPTED_ARCHIVE;
		total_c += e.cs;
		total_u += e.us;
		if (e.us > ((uint64_t)1 << 20) &&
		    (e.cs == 0 || e.us / e.cs > w->max_ratio))
			*own |= AR_ZIP_BOMB;
		ext = ext_of(e.name, eb, sizeof(eb));
		if (in_list(ext, exe_ext) || in_list(ext, script_ext) ||
		    in_list(ext, macro_ext))
			*own |= AR_ARCHIVE_DANGEROUS;
		nl = strlen(e.name);
		if (nl >= 14 && strcasecmp(e.name + nl - 14, "vbaProject.bin") == 0)
			*own |= AR_OOXML_MACROS;
		p = e.next;
	}
	if (total_u > w->max_unpacked - w->unpacked ||
	    (total_u > ((uint64_t)10 << 20) &&
	     (total_c == 0 || total_u / total_c > w->max_ratio)))
		*own |= AR_ZIP_BOMB;
	if ((*own & AR_ZIP_BOMB) != 0)
		return;	/* not unpacked */
	if (depth > ATTACH_MAX_DEPTH) {
		*own |= AR_ARCHIVE_TOO_DEEP;
		return;
	}
	p = cd_off;
	for (size_t k = 0; k < count && !w->oom; k++) {
		if (zip_entry(d, n, p, &e) < 0 || count_entry(w, own) < 0)
			return;
		zip_unpack(w, path, d, n, &e, depth, own, lifted);
		if ((*own & (AR_ZIP_BOMB | AR_TOO_MANY_ENTRIES)) != 0)
			return;
		p = e.next;
	}
	return;
broken:
	*own |= AR_BROKEN_ARCHIVE;
}

/* Archive formats recognised but not unpacked here. */
static int
other_archive(const unsigned char *d, size_t n, const char *ext)
{
	static const char *const ext_list[] = {
		"7z", "rar", "bz2", "tbz", "tbz2", "xz", "txz", "zst", "tzst",
		"lz", "lzma", "tlz", "cab", "arj", "lzh", "lha", "ace", "z",
		"cpio", "xar", "zipx", "r00", "rpm", "deb", "wim", NULL};
	static const struct {
		size_t off, len;
		const char *magic;
	} m[] = {
		{0, 6, "7z\xbc\xaf\x27\x1c"},
		{0, 6, "Rar!\x1a\x07"},
		{0, 3, "BZh"},
		{0, 6, "\xfd" "7zXZ\0"},
		{0, 4, "\x28\xb5\x2f\xfd"},	/* zstd */
		{0, 4, "LZIP"},
		{0, 8, "MSCF\0\0\0\0"},
		{0, 2, "\x60\xea"},		/* ARJ */
		{2, 3, "-lh"},			/* LZH */
		{7, 7, "**ACE**"},
		{0, 2, "\x1f\x9d"},		/* compress */
		{0, 6, "070701"},		/* cpio */
		{0, 6, "070707"},
		{0, 4, "xar!"},
		{0, 8, "!<arch>\n"},
		{0, 4, "\xed\xab\xee\xdb"},	/* RPM */
	};

	if (in_list(ext, ext_list))
		return 1;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (n >= m[i].off + m[i].len &&
		    memcmp(d + m[i].off, m[i].magic, m[i].len) == 0)
			return 1;
	return 0;
}

/* Expected MIME prefixes for common extensions. */
static int
type_matches(const char *ext, const char *mime)
{
	static const struct {
		const char *ext;
		const char *mime[4];
	} t[] = {
		{"pdf", {"application/pdf", NULL}},
		{"jpg", {"image/jpeg", NULL}},
		{"jpeg", {"image/jpeg", NULL}},
		{"png", {"image/png", NULL}},
		{"gif", {"image/gif", NULL}},
		{"txt", {"text/", "application/json", NULL}},
		{"csv", {"text/", "application/csv", NULL}},
		{"log", {"text/", NULL}},
		{"zip", {"application/zip", NULL}},
		{"docx", {"application/vnd.openxmlformats", "application/zip",
			  "application/octet-stream", NULL}},
		{"xlsx", {"application/vnd.openxmlformats", "application/zip",
			  "application/octet-stream", NULL}},
		{"pptx", {"application/vnd.openxmlformats", "application/zip",
			  "application/octet-stream", NULL}},
		{"doc", {"application/msword", "application/x-ole-storage",
			 "application/CDFV2", NULL}},
		{"xls", {"application/vnd.ms-excel", "application/x-ole-storage",
			 "application/CDFV2", NULL}},
		{"har", {"application/json", "text/", NULL}},
		{"json", {"application/json", "text/", NULL}},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(ext, t[i].ext) != 0)
			continue;
		for (size_t k = 0; t[i].mime[k] != NULL; k++)
			if (strncmp(mime, t[i].mime[k], strlen(t[i].mime[k])) == 0)
				return 1;
		return 0;
	}
	return 1;	/* unknown extension: nothing to compare */
}

/* Milliseconds left until deadline (a CLOCK_MONOTONIC time), 0 if none. */
static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* Sets the socket's send and receive timeouts to what is left. -1 when
 * nothing is. */
static int
arm_timeouts(int fd, const struct timespec *deadline)
{
	long ms = ms_left(deadline);
	struct timeval tv;

	if (ms <= 0)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	return 0;
}

static int
send_all(int fd, const unsigned char *p, size_t n,
	 const struct timespec *deadline)
{
	while (n > 0) {
		ssize_t w;

		if (arm_timeouts(fd, deadline) < 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A socket connected to clamd at target (a Unix socket path, or
 * "tcp:HOST:PORT"), within the deadline; -1 when it cannot be reached. */
static int
clamd_connect(const char *target, const struct timespec *deadline)
{
	int fd = -1;

	if (strncmp(target, "tcp:", 4) == 0) {
		char host[256];
		const char *colon = strrchr(target + 4, ':');
		struct addrinfo hints, *ai = NULL;
		size_t hl;

		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - (target + 4));
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, target + 4, hl);
		host[hl] = '\0';
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
			return -1;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd >= 0 && (arm_timeouts(fd, deadline) < 0 ||
				connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(ai);
		return fd;
	} else {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(target) >= sizeof(sa.sun_path))
			return -1;
		memcpy(sa.sun_path, target, strlen(target) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && (arm_timeouts(fd, deadline) < 0 ||
				connect(fd, (struct sockaddr *)&sa,
					sizeof(sa)) < 0)) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
}

/*
 * INSTREAM to clamd: "zINSTREAM\0", chunks with 4-byte big-endian
 * lengths, a zero length, then one NUL-ended reply line. The whole
 * exchange (connect included) ends by timeout_ms. A clamd that cannot be
 * reached, hangs, closes early or answers something other than "OK" or
 * "FOUND" sets AR_AV_UNAVAILABLE (suspicious: the file was not scanned,
 * and the console says so); a FOUND sets AR_MALWARE.
 */
static void
clamd_scan(const char *target, unsigned timeout_ms, const unsigned char *d,
	   size_t n, struct attach_result *r)
{
	static const char found[] = " FOUND";
	struct timespec deadline;
	char reply[256];
	size_t off = 0, got = 0;
	int fd = -1, answered = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	fd = clamd_connect(target, &deadline);
	if (fd < 0)
		goto out;
	if (send_all(fd, (const unsigned char *)"zINSTREAM", 10, &deadline) < 0)
		goto out;
	while (off <= n) {
		size_t chunk = n - off > 65536 ? 65536 : n - off;
		unsigned char hdr[4] = {(unsigned char)(chunk >> 24),
					(unsigned char)(chunk >> 16),
					(unsigned char)(chunk >> 8),
					(unsigned char)chunk};

		if (send_all(fd, hdr, 4, &deadline) < 0)
			goto out;
		if (chunk == 0)
			break;
		if (send_all(fd, d + off, chunk, &deadline) < 0)
			goto out;
		off += chunk;
	}
	/* Up to the reply's NUL (or newline), the peer's close or the
	 * deadline. */
	while (got < sizeof(reply) - 1) {
		ssize_t k;

		if (arm_timeouts(fd, &deadline) < 0)
			goto out;
		k = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (memchr(reply + got, '\0', (size_t)k) != NULL ||
		    memchr(reply + got, '\n', (size_t)k) != NULL) {
			got += (size_t)k;
			break;
		}
		got += (size_t)k;
	}
	if (got == 0)
		goto out;
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	/* "stream: <name> FOUND" */
	got = strlen(reply);
	if (got > 8 + sizeof(found) - 1 && memcmp(reply, "stream: ", 8) == 0 &&
	    strcmp(reply + got - (sizeof(found) - 1), found) == 0) {
		size_t k = got - 8 - (sizeof(found) - 1);

		answered = 1;
		r->reasons |= AR_MALWARE;
		if (k >= sizeof(r->malware))
			k = sizeof(r->malware) - 1;
		clean_name((const unsigned char *)reply + 8, k, r->malware,
			   sizeof(r->malware));
	} else if (strcmp(reply, "stream: OK") == 0) {
		answered = 1;
	}
out:
	if (!answered)
		r->reasons |= AR_AV_UNAVAILABLE;
	if (fd >= 0)
		close(fd);
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
	unsigned own = 0, lifted = 0;

	mime[0] = '\0';
	pthread_mutex_lock(&magic_lock);
	m = magic_buffer(magic_cookie, d, n);
	if (m != NULL)
		snprintf(mime, mime_cap, "%s", m);
	pthread_mutex_unlock(&magic_lock);
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
	if (n >= 4 && (memcmp(d, "PK\3\4", 4) == 0 ||
		       memcmp(d, "PK\5\6", 4) == 0))
		zip_walk(w, path, d, n, depth, &own, &lifted);
	else if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		gz_walk(w, name, path, d, n, depth, &own, &lifted);
	else if (tar_sniff(d, n, in_list(ext, (const char *const[]){"tar",
								   NULL})))
		tar_walk(w, path, d, n, depth, &own, &lifted);
	else if (other_archive(d, n, ext) ||
		 (n >= 4 && memcmp(d, "BZh", 3) == 0 && d[3] >= '1' &&
		  d[3] <= '9'))
		own |= AR_ARCHIVE_NOT_INSPECTED;
	if (ext != NULL && mime[0] != '\0' && !type_matches(ext, mime))
		own |= AR_TYPE_MISMATCH;
	if ((ext != NULL && (strcmp(ext, "har") == 0 ||
			     strcmp(ext, "json") == 0)) ||
	    strcmp(mime, "application/json") == 0) {
		struct dlp_findings f;

		dlp_findings_init(&f);
		if (dlp_har_scan((const char *)d, n, &f) == 1 && f.n > 0)
			own |= AR_HAR_TOKENS;
		dlp_findings_free(&f);
	}
	if (depth > 0 && own != 0) {
		struct attach_result *t = w->top;

		if (t->n_flagged < ATTACH_MAX_FLAGGED) {
			struct attach_flagged *fl = &t->flagged[t->n_flagged];

			snprintf(fl->path, sizeof(fl->path), "%s", path);
			fl->reasons = own;
			fl->verdict = (int)verdict_of(own);
		}
		t->n_flagged++;
	}
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
		"virus_scan_unavailable"};

	for (unsigned b = 0; b < AR_COUNT_BITS; b++)
		if (bit == 1u << b)
			return names[b];
	return NULL;
}

static json_t *
reasons_array(unsigned reasons)
{
	json_t *rs = json_array();

	for (unsigned b = 0; rs != NULL && b < AR_COUNT_BITS; b++)
		if ((reasons & (1u << b)) != 0)
			json_array_append_new(rs,
					      json_string(attach_reason_name(1u << b)));
	return rs;
}

json_t *
attach_result_json(const struct attach_result *r)
{
	json_t *rs = reasons_array(r->reasons);
	json_t *fl = json_array();
	size_t n = r->n_flagged < ATTACH_MAX_FLAGGED ? r->n_flagged
						     : ATTACH_MAX_FLAGGED;

	for (size_t i = 0; fl != NULL && i < n; i++) {
		const struct attach_flagged *f = &r->flagged[i];

		json_array_append_new(
			fl, json_pack("{s:s, s:s, s:o}", "entry", f->path,
				      "verdict",
				      attach_verdict_name(
					      (enum attach_verdict)f->verdict),
				      "reasons", reasons_array(f->reasons)));
	}
	return json_pack("{s:s, s:s, s:o, s:I, s:o, s:I}", "verdict",
			 attach_verdict_name(r->verdict), "mime", r->mime,
			 "reasons", rs ? rs : json_array(),
			 "entries", (json_int_t)r->entries,
			 "flagged", fl ? fl : json_array(),
			 "flagged_total", (json_int_t)r->n_flagged);
}
