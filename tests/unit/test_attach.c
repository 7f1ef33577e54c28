/*
 * Unit tests of the attachment analyser (core/phish/attach): files are
 * built in memory byte by byte (a PE stub, an ELF header, a minimal OLE
 * directory with a VBA storage, ZIP archives with central directories
 * holding an executable, a vbaProject.bin, an encrypted entry or a bomb
 * ratio, a HAR with cookies) and checked for verdict and reasons, next to
 * clean files of the same kinds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/phish/attach.h"

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
	n = make_zip(z, ok, 2, 10, 10, 0);
	r = run("files.zip", z, n);
	assert_int_equal(r.verdict, ATTACH_CLEAN);
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
	/* A clamd socket that is not there is not an error. */
	o.max_size = 0;
	o.clamd_socket = "/nonexistent/clamd.sock";
	assert_int_equal(attach_analyse("a.txt", (const unsigned char *)"hi", 2,
					&o, &r), 0);
	assert_false(r.reasons & AR_MALWARE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_files),
		cmocka_unit_test(test_executables),
		cmocka_unit_test(test_ole_macros),
		cmocka_unit_test(test_zip),
		cmocka_unit_test(test_har_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
