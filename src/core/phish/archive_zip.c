/*
 * ZIP archives, found the way unzip finds them: the end of central
 * directory record is searched from the end of the file (a comment of up
 * to 64 KiB may follow it), and the central directory is where the end
 * record's size field puts it, right before the end record (or before the
 * ZIP64 end record). When that place differs from the offset the end
 * record states, bytes were put in front of the archive (a self-extractor
 * stub, one newline, another archive) and every offset is corrected by as
 * much. So an archive is found whatever its first bytes are, and the bytes
 * in front of its first entry are judged as a file of their own.
 *
 * Before anything is unpacked, every entry's central record, local header
 * and data are checked against each other: the end record's entry count
 * against the records the directory holds, each entry's header and data
 * inside the file and before the directory, no two entries over the same
 * bytes, the local header's name equal to the directory's. Tools disagree
 * about an archive that fails these checks (one reads the local headers,
 * another the directory, a third stops at the count), so it is suspicious
 * (AR_ZIP_INCONSISTENT), and every entry the directory holds is judged all
 * the same. Entries are unpacked (stored or deflate, ZIP64 sizes and
 * offsets) in memory, within the walk's limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ZLIB_CONST
#include <zlib.h>

#include "core/phish/attach_int.h"

#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_END_SIG 0x06054b50u
#define ZIP64_LOCATOR_SIG 0x07064b50u
#define ZIP64_END_SIG 0x06064b50u
/* The end record (22 bytes) and the longest comment after it. */
#define ZIP_END_REACH (22 + 65535)
/* The name under which the bytes in front of an archive are judged. */
#define ZIP_PREFIX_NAME "[data before the archive]"

/* Where the archive's parts are, as offsets in the file. */
struct zip_dir {
	size_t prefix;		/* bytes in front of the archive */
	size_t cd, cd_end;	/* the central directory */
	uint64_t count;		/* entries the end record declares */
	int odd;		/* the end record disagrees with itself */
};

/* One central directory record. */
struct zent {
	char name[512];		/* cleaned for display */
	const unsigned char *raw;	/* the name as stored */
	size_t raw_len;
	uint64_t cs, us, off;	/* off: in the file, prefix added */
	uint32_t crc;
	unsigned method, flags;
	size_t next;		/* offset of the next central record */
	int dir;
};

/* The bytes of one entry in the file: local header to end of data. */
struct zspan {
	uint64_t from, to;
};

static int
sig_at(const unsigned char *d, size_t n, uint64_t p, uint32_t sig)
{
	return p <= n && n - p >= 4 && le32(d + p) == sig;
}

/* The ZIP64 end record that belongs to the locator before eocd: right
 * before the locator, or where the locator says (no prefix). Its offset,
 * or SIZE_MAX. */
static size_t
zip64_end(const unsigned char *d, size_t n, size_t eocd)
{
	size_t loc = eocd - 20, at = loc >= 56 ? loc - 56 : SIZE_MAX;
	uint64_t stated = le64(d + loc + 8);

	if (at != SIZE_MAX && sig_at(d, n, at, ZIP64_END_SIG) &&
	    le64(d + at + 4) == 44)
		return at;
	if (stated < loc && loc - stated >= 56 &&
	    sig_at(d, n, stated, ZIP64_END_SIG))
		return (size_t)stated;
	return SIZE_MAX;
}

/* Reads the end record at eocd, or the ZIP64 end record when a locator
 * precedes it (some writers add one to any archive): the directory's
 * stated offset and size, the entry count, and where the directory must
 * end. 0, or -1 when it is not a usable end record. */
static int
zip_end_record(const unsigned char *d, size_t n, size_t eocd,
	       struct zip_dir *z, uint64_t *off, uint64_t *size, size_t *end)
{
	size_t z64 = SIZE_MAX;

	z->count = le16(d + eocd + 10);
	z->odd = le16(d + eocd + 8) != z->count;
	*size = le32(d + eocd + 12);
	*off = le32(d + eocd + 16);
	*end = eocd;
	if (eocd >= 20 && le32(d + eocd - 20) == ZIP64_LOCATOR_SIG)
		z64 = zip64_end(d, n, eocd);
	if (z64 == SIZE_MAX) {
		/* All ones: the place is in a ZIP64 record that is not there
		 * (a count of all ones is taken as it is, as unzip does). */
		if (*size == 0xffffffff || *off == 0xffffffff)
			return -1;
		return 0;
	}
	z->count = le64(d + z64 + 32);
	z->odd = le64(d + z64 + 24) != z->count;
	*size = le64(d + z64 + 40);
	*off = le64(d + z64 + 48);
	*end = z64;
	return 0;
}

/* The archive whose end record is at eocd. 0, or -1 when the record does
 * not lead to a central directory. */
static int
zip_dir_at(const unsigned char *d, size_t n, size_t eocd, struct zip_dir *z)
{
	uint64_t off, size;
	size_t end;

	memset(z, 0, sizeof(*z));
	if (zip_end_record(d, n, eocd, z, &off, &size, &end) < 0 ||
	    size > end)
		return -1;
	z->cd = end - (size_t)size;
	z->cd_end = end;
	if (size == 0) {
		/* An empty directory: nothing to correct or to check. */
		z->odd |= z->count != 0;
		return 0;
	}
	if (off <= z->cd && sig_at(d, n, z->cd, ZIP_CENTRAL_SIG)) {
		z->prefix = z->cd - (size_t)off;
		return 0;
	}
	/* The directory is where the offset says, not right before the end
	 * record: a gap, or a size that lies. */
	if (off < end && sig_at(d, n, off, ZIP_CENTRAL_SIG)) {
		z->cd = (size_t)off;
		z->cd_end = end - z->cd < size ? end : z->cd + (size_t)size;
		z->odd = 1;
		return 0;
	}
	return -1;
}

/* Searches the end record from the end, as unzip does; the nearest one
 * that leads to a central directory wins. 0, or -1 when there is none. */
static int
zip_locate(const unsigned char *d, size_t n, struct zip_dir *z)
{
	size_t lo, hi;

	if (n < 22)
		return -1;
	lo = n > ZIP_END_REACH ? n - ZIP_END_REACH : 0;
	hi = n - 22 + 1;	/* candidates start in [lo, hi) */
	while (hi > lo) {
		const unsigned char *p = memrchr(d + lo, 'P', hi - lo);
		size_t at;

		if (p == NULL)
			return -1;
		at = (size_t)(p - d);
		if (le32(p) == ZIP_END_SIG && zip_dir_at(d, n, at, z) == 0)
			return 0;
		hi = at;
	}
	return -1;
}

/* ZIP64: the extra field holds, in this order, the fields that are all
 * ones in the record. 0 or -1 (broken). */
static int
zip64_extra(const unsigned char *d, size_t x, size_t xe, struct zent *e)
{
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
	return 0;
}

/* Reads the central directory record at p, its offset corrected by the
 * prefix. 0 or -1 (broken). */
static int
zip_entry(const unsigned char *d, size_t n, size_t p, size_t prefix,
	  struct zent *e)
{
	size_t nl, xl, cl;

	if (!sig_at(d, n, p, ZIP_CENTRAL_SIG) || n - p < 46)
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
	if ((e->us == 0xffffffff || e->cs == 0xffffffff ||
	     e->off == 0xffffffff) &&
	    zip64_extra(d, p + 46 + nl, p + 46 + nl + xl, e) < 0)
		return -1;
	if (e->off > UINT64_MAX - prefix)
		return -1;
	e->off += prefix;
	e->raw = d + p + 46;
	e->raw_len = nl;
	clean_name(e->raw, nl, e->name, sizeof(e->name));
	e->dir = nl > 0 && d[p + 46 + nl - 1] == '/';
	e->next = p + 46 + nl + xl + cl;
	return 0;
}

/* Checks the entry's local header and data against its central record and
 * the directory; sets *span to its bytes. 0 when they agree, -1 when not
 * (out of range, or another name). */
static int
zip_local_ok(const unsigned char *d, const struct zip_dir *z,
	     const struct zent *e, struct zspan *span)
{
	uint64_t data;
	size_t lnl;

	span->from = span->to = e->off;
	if (e->off > z->cd || z->cd - e->off < 30)
		return -1;
	lnl = le16(d + e->off + 26);
	data = e->off + 30 + lnl + le16(d + e->off + 28);
	if (data > z->cd || e->cs > z->cd - data)
		return -1;
	span->to = data + e->cs;
	if (lnl != e->raw_len || memcmp(d + e->off + 30, e->raw, lnl) != 0)
		return -1;
	return 0;
}

static int
cmp_span(const void *a, const void *b)
{
	const struct zspan *x = a, *y = b;

	return x->from < y->from ? -1 : (x->from > y->from);
}

/* Whether two of the entries' spans overlap (sorts them). */
static int
spans_overlap(struct zspan *v, size_t n)
{
	uint64_t end = 0;

	if (n < 2)
		return 0;
	qsort(v, n, sizeof(*v), cmp_span);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && v[i].from < end)
			return 1;
		end = v[i].to > end ? v[i].to : end;
	}
	return 0;
}

/* What the central record alone says about an entry: encryption, a
 * declared ratio of a bomb, a dangerous name. */
static void
zip_entry_reasons(const struct walk *w, const struct zent *e, unsigned *own)
{
	char eb[16];
	const char *ext = ext_of(e->name, eb, sizeof(eb));
	size_t nl = strlen(e->name);

	if ((e->flags & 1) != 0)
		*own |= AR_ENCRYPTED_ARCHIVE;
	if (e->us > ((uint64_t)1 << 20) &&
	    (e->cs == 0 || e->us / e->cs > w->max_ratio))
		*own |= AR_ZIP_BOMB;
	if (in_list(ext, exe_ext) || in_list(ext, script_ext) ||
	    in_list(ext, macro_ext))
		*own |= AR_ARCHIVE_DANGEROUS;
	if (nl >= 14 && strcasecmp(e->name + nl - 14, "vbaProject.bin") == 0)
		*own |= AR_OOXML_MACROS;
}

/* The spans of the entries read so far. */
struct zspans {
	struct zspan *v;
	size_t n, cap;
};

static int
spans_push(struct zspans *s, const struct zspan *x)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct zspan *nv = realloc(s->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n++] = *x;
	return 0;
}

/* Whether the declared sizes make a bomb: more than what is left of the
 * total, or a ratio over the limit on more than 10 MiB. */
static int
declared_bomb(const struct walk *w, uint64_t total_c, uint64_t total_u)
{
	return total_u > w->max_unpacked - w->unpacked ||
	       (total_u > ((uint64_t)10 << 20) &&
		(total_c == 0 || total_u / total_c > w->max_ratio));
}

/*
 * Reads every central record in the directory before anything is
 * unpacked: counts them against the end record and the entry limit,
 * checks each against its local header, adds up the declared sizes, and
 * sets *lead to where the first entry begins (the directory when there is
 * none). Returns the number of records, or -1: a record that cannot be
 * read (AR_BROKEN_ARCHIVE), a limit (its reason set), memory (w->oom).
 */
static long
zip_survey(struct walk *w, const unsigned char *d, size_t n,
	   const struct zip_dir *z, unsigned *own, size_t *lead)
{
	uint64_t total_c = 0, total_u = 0, first = z->cd;
	struct zspans sp = {NULL, 0, 0};
	size_t p = z->cd, room = w->max_entries - w->entries;
	long rc = -1;

	if (z->count > room) {
		*own |= AR_TOO_MANY_ENTRIES;
		return -1;
	}
	while (p < z->cd_end) {
		struct zent e;
		struct zspan span;

		if (sp.n == room) {
			*own |= AR_TOO_MANY_ENTRIES;
			goto out;
		}
		if (zip_entry(d, n, p, z->prefix, &e) < 0) {
			*own |= AR_BROKEN_ARCHIVE;
			goto out;
		}
		if (e.next > z->cd_end || zip_local_ok(d, z, &e, &span) < 0)
			*own |= AR_ZIP_INCONSISTENT;
		if (spans_push(&sp, &span) < 0) {
			w->oom = 1;
			goto out;
		}
		zip_entry_reasons(w, &e, own);
		first = e.off < first ? e.off : first;
		total_c += e.cs;
		total_u += e.us;
		p = e.next;
	}
	if (z->odd || sp.n != z->count || spans_overlap(sp.v, sp.n))
		*own |= AR_ZIP_INCONSISTENT;
	if (declared_bomb(w, total_c, total_u))
		*own |= AR_ZIP_BOMB;
	rc = (long)sp.n;
	*lead = (size_t)first;
out:
	free(sp.v);
	return rc;
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
	if (!sig_at(d, n, e->off, ZIP_LOCAL_SIG) || n - e->off < 30)
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

/* The bytes in front of the first entry (put in front of the archive, or
 * a self-extractor's stub), judged like an entry: a tool that reads from
 * the start of the file may see them first. */
static void
zip_leading(struct walk *w, const char *path, const unsigned char *d,
	   size_t n, int depth, unsigned *own, unsigned *lifted)
{
	if (count_entry(w, own) < 0 || reserve(w, n, own) < 0)
		return;
	visit_entry(w, path, ZIP_PREFIX_NAME, d, n, depth + 1, lifted);
}

int
zip_walk(struct walk *w, const char *path, const unsigned char *d, size_t n,
	 int depth, int must, unsigned *own, unsigned *lifted)
{
	struct zip_dir z;
	struct zent e;
	long count;
	size_t p, lead = 0;

	/* Found without a ZIP signature in front: only with a directory
	 * that holds a record (checked by zip_dir_at()). */
	if (zip_locate(d, n, &z) < 0 || (!must && z.cd == z.cd_end)) {
		if (must)
			*own |= AR_BROKEN_ARCHIVE;
		return must;
	}
	count = zip_survey(w, d, n, &z, own, &lead);
	if (count < 0 || (*own & AR_ZIP_BOMB) != 0)
		return 1;	/* not unpacked */
	if (depth > ATTACH_MAX_DEPTH) {
		*own |= AR_ARCHIVE_TOO_DEEP;
		return 1;
	}
	p = z.cd;
	for (long k = 0; k < count && !w->oom; k++) {
		if (zip_entry(d, n, p, z.prefix, &e) < 0 ||
		    count_entry(w, own) < 0)
			return 1;
		zip_unpack(w, path, d, n, &e, depth, own, lifted);
		if ((*own & (AR_ZIP_BOMB | AR_TOO_MANY_ENTRIES)) != 0)
			return 1;
		p = e.next;
	}
	if (lead > 0 && !w->oom)
		zip_leading(w, path, d, lead, depth, own, lifted);
	return 1;
}
