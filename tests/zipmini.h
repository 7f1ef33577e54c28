/*
 * A minimal ZIP writer for tests: stored (uncompressed) entries with real
 * CRC-32s, local headers, a central directory and the end record, so the
 * result is a valid archive any unzip tool opens. Used to build Office
 * Open XML documents (.docm with word/vbaProject.bin) in the tests
 * instead of committing binary fixtures. Header-only; not for production.
 */
#ifndef GH_TESTS_ZIPMINI_H
#define GH_TESTS_ZIPMINI_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

#endif
