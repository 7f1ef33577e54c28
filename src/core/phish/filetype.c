/*
 * What a file is, by its bytes and by its name: extensions of programs,
 * scripts and macro-enabled documents, double extensions ("a.pdf.exe"),
 * executables by their headers (PE, ELF, Mach-O), OLE compound files with
 * a VBA project, archive formats not unpacked here (7z, RAR, bzip2, xz,
 * zstd, CAB, ...), whether libmagic's type fits the extension, and web
 * pages that can act (a form, a script, a redirect). Pure functions over
 * the bytes given.
 */
#include <ctype.h>
#include <string.h>

#include "core/phish/attach_int.h"

const char *const exe_ext[] = {
	"exe", "dll", "scr", "com", "pif", "cpl", "msi", "msp", "jar", "apk",
	"app", "dmg", "pkg", "iso", "img", "vhd", "vhdx", "lnk", "reg", "sys",
	"elf", "so", "appx", "msix", "xll", "chm", NULL};
const char *const script_ext[] = {
	"bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh",
	"hta", "sh", "bash", "py", "pl", "rb", "php", "applescript", "scpt",
	"command", "url", "inf", "sct", NULL};
const char *const macro_ext[] = {
	"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm",
	"ppam", "ppsm", "sldm", NULL};

int
in_list(const char *ext, const char *const *list)
{
	for (size_t i = 0; ext != NULL && list[i] != NULL; i++)
		if (strcasecmp(ext, list[i]) == 0)
			return 1;
	return 0;
}

/* Lower-case extension of name (after the last dot), or NULL. */
const char *
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
int
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

int
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
int
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

/* Archive formats recognised but not unpacked here. */
int
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
int
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

/* 1 when d[0, n) holds needle (lower case), ignoring ASCII case. */
static int
has_ci(const unsigned char *d, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;

		while (j < k && tolower(d[i + j]) == needle[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

int
html_active(const char *ext, const char *mime, const unsigned char *d,
	    size_t n)
{
	static const char *const html_ext[] = {
		"html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", NULL};
	static const char *const signs[] = {
		"<form", "formaction", "<script", "javascript:",
		"http-equiv=\"refresh\"", "http-equiv='refresh'",
		"http-equiv=refresh", NULL};

	if (!in_list(ext, html_ext) && strcmp(mime, "text/html") != 0 &&
	    strcmp(mime, "image/svg+xml") != 0)
		return 0;
	for (size_t i = 0; signs[i] != NULL; i++)
		if (has_ci(d, n, signs[i]))
			return 1;
	return 0;
}
