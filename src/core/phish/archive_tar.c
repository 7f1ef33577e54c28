/*
 * tar and gzip, unpacked in memory: ustar, GNU (long names, base-256
 * sizes) and pax (path and size records) headers with their checksums;
 * gzip members through inflate.c, named by their FNAME or by the file's
 * name without ".gz". A .tar.gz is one archive: its tar is walked at the
 * gzip's level. Sparse, multi-volume and vendor entry types are reported
 * as not inspected; a bad checksum, a cut entry or a malformed pax record
 * makes the archive broken.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/phish/attach_int.h"

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

int
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

/* The path of an entry from its ustar or v7 header: prefix/name. */
static void
tar_header_name(const unsigned char *h, char *name, size_t cap)
{
	char raw[256 + 2];
	size_t pl = strnlen((const char *)h + 345, 155);
	size_t nl = strnlen((const char *)h, 100);
	size_t k = 0;

	if (memcmp(h + 257, "ustar", 5) == 0 && pl > 0) {
		memcpy(raw, h + 345, pl);
		raw[pl] = '/';
		k = pl + 1;
	}
	memcpy(raw + k, h, nl);
	clean_name((const unsigned char *)raw, k + nl, name, cap);
}

/* An entry of type type with its data: a regular file is judged, links
 * and directories are counted, other types are not inspected. -1 when the
 * walk must stop (a limit). */
static int
tar_member(struct walk *w, const char *path, const char *name,
	   unsigned char type, const unsigned char *data, uint64_t size,
	   int depth, unsigned *own, unsigned *lifted)
{
	if (count_entry(w, own) < 0)
		return -1;
	if (type == '0' || type == '\0' || type == '7') {
		if (size > w->max_entry)
			*own |= AR_ENTRY_TOO_LARGE;
		else if (reserve(w, size, own) < 0)
			return -1;
		else
			visit_entry(w, path, name, data, (size_t)size,
				    depth + 1, lifted);
	} else if (type < '1' || type > '6') {
		/* Sparse, multi-volume, vendor types. */
		*own |= AR_ARCHIVE_NOT_INSPECTED;
	}
	return 0;
}

/* Walks a tar archive (ustar, GNU long names, pax paths and sizes). */
void
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
				   strnlen((const char *)d + data, (size_t)size),
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
			if (!have_name)
				tar_header_name(h, name, sizeof(name));
			if (tar_member(w, path, name, type, d + data, size,
				       depth, own, lifted) < 0)
				return;
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
void
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
