/*
 * A minimal ZIP writer for tests: stored (uncompressed) entries with real
 * CRC-32s, local headers, a central directory and the end record, so the
 * result is a valid archive any unzip tool opens. Used to build Office
 * Open XML documents (.docm with word/vbaProject.bin) in the tests
 * instead of committing binary fixtures. zipmini_build_deflated() writes
 * deflate entries (with zlib) instead. Header-only; not for production.
 */
#ifndef GH_TESTS_ZIPMINI_H
#define GH_TESTS_ZIPMINI_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct zipmini_entry {
	const char *name;
	const void *data;
	size_t len;
};

static uint32_t
zipmini_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

static void
zipmini_put16(unsigned char **p, unsigned v)
{
	(*p)[0] = (unsigned char)v;
	(*p)[1] = (unsigned char)(v >> 8);
	*p += 2;
}

static void
zipmini_put32(unsigned char **p, uint32_t v)
{
	zipmini_put16(p, v & 0xffffu);
	zipmini_put16(p, v >> 16);
}

/* Returns a malloc'd archive of the n entries and its size in *len. */
static unsigned char *
zipmini_build(const struct zipmini_entry *e, size_t n, size_t *len)
{
	size_t cap = 22;
	unsigned char *z, *p, *cd;
	uint32_t *offs = calloc(n ? n : 1, sizeof(*offs));
	uint32_t *crcs = calloc(n ? n : 1, sizeof(*crcs));

	for (size_t i = 0; i < n; i++)
		cap += 30 + 46 + 2 * strlen(e[i].name) + e[i].len;
	z = malloc(cap);
	if (z == NULL || offs == NULL || crcs == NULL)
		abort();
	p = z;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);

		offs[i] = (uint32_t)(p - z);
		crcs[i] = zipmini_crc32(e[i].data, e[i].len);
		zipmini_put32(&p, 0x04034b50u);
		zipmini_put16(&p, 20);    /* version needed */
		zipmini_put16(&p, 0);     /* flags */
		zipmini_put16(&p, 0);     /* stored */
		zipmini_put16(&p, 0);     /* time */
		zipmini_put16(&p, 0x21);  /* date: 1980-01-01 */
		zipmini_put32(&p, crcs[i]);
		zipmini_put32(&p, (uint32_t)e[i].len);
		zipmini_put32(&p, (uint32_t)e[i].len);
		zipmini_put16(&p, (unsigned)nl);
		zipmini_put16(&p, 0);
		memcpy(p, e[i].name, nl);
		p += nl;
		memcpy(p, e[i].data, e[i].len);
		p += e[i].len;
	}
	cd = p;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);

		zipmini_put32(&p, 0x02014b50u);
		zipmini_put16(&p, 20);    /* made by */
		zipmini_put16(&p, 20);    /* needed */
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0x21);
		zipmini_put32(&p, crcs[i]);
		zipmini_put32(&p, (uint32_t)e[i].len);
		zipmini_put32(&p, (uint32_t)e[i].len);
		zipmini_put16(&p, (unsigned)nl);
		zipmini_put16(&p, 0);     /* extra */
		zipmini_put16(&p, 0);     /* comment */
		zipmini_put16(&p, 0);     /* disk */
		zipmini_put16(&p, 0);     /* internal attributes */
		zipmini_put32(&p, 0);     /* external attributes */
		zipmini_put32(&p, offs[i]);
		memcpy(p, e[i].name, nl);
		p += nl;
	}
	zipmini_put32(&p, 0x06054b50u);
	zipmini_put16(&p, 0);
	zipmini_put16(&p, 0);
	zipmini_put16(&p, (unsigned)n);
	zipmini_put16(&p, (unsigned)n);
	zipmini_put32(&p, (uint32_t)(p - cd - 12));
	zipmini_put32(&p, (uint32_t)(cd - z));
	zipmini_put16(&p, 0);
	free(offs);
	free(crcs);
	*len = (size_t)(p - z);
	return z;
}

/* A macro-enabled Word document (.docm): a ZIP holding
 * word/vbaProject.bin. Returns it malloc'd; *len gets its size. */
static unsigned char *
zipmini_docm(size_t *len)
{
	static const char types[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
		"content-types\"><Default Extension=\"bin\" ContentType="
		"\"application/vnd.ms-office.vbaProject\"/></Types>";
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
		"xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/"
		"2006/main\"><w:body/></w:document>";
	static const unsigned char vba[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1,
					    0xb1, 0x1a, 0xe1, 0, 0, 0, 0};
	const struct zipmini_entry e[] = {
		{"[Content_Types].xml", types, sizeof(types) - 1},
		{"word/document.xml", doc, sizeof(doc) - 1},
		{"word/vbaProject.bin", vba, sizeof(vba)},
	};

	return zipmini_build(e, 3, len);
}

/* Raw deflate of p[0, n) into a malloc'd buffer; *out_len its size. */
static inline unsigned char *
zipmini_deflate(const void *p, size_t n, size_t *out_len)
{
	z_stream s;
	size_t cap = n + n / 100 + 64;
	unsigned char *out = malloc(cap);

	memset(&s, 0, sizeof(s));
	if (out == NULL || deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8,
					Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	s.next_in = (unsigned char *)(uintptr_t)p;
	s.avail_in = (uInt)n;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = s.total_out;
	deflateEnd(&s);
	return out;
}

/* Like zipmini_build(), with every entry deflated (method 8). */
static inline unsigned char *
zipmini_build_deflated(const struct zipmini_entry *e, size_t n, size_t *len)
{
	size_t cap = 22;
	unsigned char *z, *p, *cd;
	unsigned char **packed = calloc(n ? n : 1, sizeof(*packed));
	size_t *plen = calloc(n ? n : 1, sizeof(*plen));
	uint32_t *offs = calloc(n ? n : 1, sizeof(*offs));
	uint32_t *crcs = calloc(n ? n : 1, sizeof(*crcs));

	if (packed == NULL || plen == NULL || offs == NULL || crcs == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		packed[i] = zipmini_deflate(e[i].data, e[i].len, &plen[i]);
		crcs[i] = zipmini_crc32(e[i].data, e[i].len);
		cap += 30 + 46 + 2 * strlen(e[i].name) + plen[i];
	}
	z = malloc(cap);
	if (z == NULL)
		abort();
	p = z;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);

		offs[i] = (uint32_t)(p - z);
		zipmini_put32(&p, 0x04034b50u);
		zipmini_put16(&p, 20);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 8);     /* deflate */
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0x21);
		zipmini_put32(&p, crcs[i]);
		zipmini_put32(&p, (uint32_t)plen[i]);
		zipmini_put32(&p, (uint32_t)e[i].len);
		zipmini_put16(&p, (unsigned)nl);
		zipmini_put16(&p, 0);
		memcpy(p, e[i].name, nl);
		p += nl;
		memcpy(p, packed[i], plen[i]);
		p += plen[i];
	}
	cd = p;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);

		zipmini_put32(&p, 0x02014b50u);
		zipmini_put16(&p, 20);
		zipmini_put16(&p, 20);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 8);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0x21);
		zipmini_put32(&p, crcs[i]);
		zipmini_put32(&p, (uint32_t)plen[i]);
		zipmini_put32(&p, (uint32_t)e[i].len);
		zipmini_put16(&p, (unsigned)nl);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0);
		zipmini_put16(&p, 0);
		zipmini_put32(&p, 0);
		zipmini_put32(&p, offs[i]);
		memcpy(p, e[i].name, nl);
		p += nl;
	}
	zipmini_put32(&p, 0x06054b50u);
	zipmini_put16(&p, 0);
	zipmini_put16(&p, 0);
	zipmini_put16(&p, (unsigned)n);
	zipmini_put16(&p, (unsigned)n);
	zipmini_put32(&p, (uint32_t)(p - cd - 12));
	zipmini_put32(&p, (uint32_t)(cd - z));
	zipmini_put16(&p, 0);
	for (size_t i = 0; i < n; i++)
		free(packed[i]);
	free(packed);
	free(plen);
	free(offs);
	free(crcs);
	*len = (size_t)(p - z);
	return z;
}

#endif
