/*
 * Attachment verdicts (see attach.h). The file is only read: libmagic
 * names its type; a few byte-level parsers look for executables, the OLE
 * directory entries of a VBA project, and the ZIP central directory (names,
 * sizes, flags; nothing is decompressed). HAR files are handed to the
 * outbound filter's HAR check. clamd is optional and reached over a Unix
 * socket with the INSTREAM command.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <magic.h>

#include "core/dlp/dlp.h"
#include "core/errors.h"
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

/* Walks the ZIP central directory. */
static void
zip_walk(const unsigned char *d, size_t n, const struct attach_options *o,
	 struct attach_result *r)
{
	size_t max_entries = opt(o ? o->max_entries : 0, 10000);
	size_t max_unpacked = opt(o ? o->max_unpacked : 0, (size_t)1 << 30);
	unsigned max_ratio = (unsigned)opt(o ? o->max_ratio : 0, 100);
	size_t eocd = 0, cd_off, cd_size, count, p;
	uint64_t total_c = 0, total_u = 0;
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

		if (z + 56 > n || le32(d + z) != 0x06064b50)
			goto broken;
		if (le64(d + z + 32) > SIZE_MAX || le64(d + z + 48) > SIZE_MAX)
			goto broken;
		count = (size_t)le64(d + z + 32);
		cd_size = (size_t)le64(d + z + 40);
		cd_off = (size_t)le64(d + z + 48);
	}
	if (cd_off > n || cd_size > n - cd_off)
		goto broken;
	if (count > max_entries) {
		r->reasons |= AR_TOO_MANY_ENTRIES;
		return;
	}
	p = cd_off;
	for (size_t k = 0; k < count; k++) {
		uint64_t cs, us;
		size_t nl, xl, cl;
		char name[512], eb[16];
		const char *ext;

		if (p + 46 > n || le32(d + p) != 0x02014b50)
			goto broken;
		cs = le32(d + p + 20);
		us = le32(d + p + 24);
		nl = le16(d + p + 28);
		xl = le16(d + p + 30);
		cl = le16(d + p + 32);
		if (p + 46 + nl + xl + cl > n)
			goto broken;
		/* ZIP64 sizes in the extra field. */
		if (us == 0xffffffff || cs == 0xffffffff) {
			size_t x = p + 46 + nl, xe = x + xl;

			while (x + 4 <= xe) {
				uint16_t id = le16(d + x), sz = le16(d + x + 2);

				if (x + 4 + sz > xe)
					break;
				if (id == 1 && sz >= 16) {
					us = le64(d + x + 4);
					cs = le64(d + x + 12);
				}
				x += 4u + sz;
			}
		}
		if ((le16(d + p + 8) & 1) != 0)
			r->reasons |= AR_ENCRYPTED_ARCHIVE;
		total_c += cs;
		total_u += us;
		if (us > ((uint64_t)1 << 20) && (cs == 0 || us / cs > max_ratio))
			r->reasons |= AR_ZIP_BOMB;
		if (nl < sizeof(name)) {
			memcpy(name, d + p + 46, nl);
			name[nl] = '\0';
			ext = ext_of(name, eb, sizeof(eb));
			if (in_list(ext, exe_ext) || in_list(ext, script_ext) ||
			    in_list(ext, macro_ext))
				r->reasons |= AR_ARCHIVE_DANGEROUS;
			if (nl >= 14 &&
			    strcasecmp(name + nl - 14, "vbaProject.bin") == 0)
				r->reasons |= AR_OOXML_MACROS;
		}
		r->entries++;
		p += 46 + nl + xl + cl;
	}
	if (total_u > max_unpacked ||
	    (total_u > ((uint64_t)10 << 20) &&
	     (total_c == 0 || total_u / total_c > max_ratio)))
		r->reasons |= AR_ZIP_BOMB;
	return;
broken:
	r->reasons |= AR_BROKEN_ARCHIVE;
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

static void
clamd_scan(const char *path, const unsigned char *d, size_t n,
	   struct attach_result *r)
{
	struct sockaddr_un sa;
	struct timeval tv = {10, 0};
	char reply[256];
	ssize_t got;
	size_t off = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		goto out;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	if (send(fd, "zINSTREAM", 10, MSG_NOSIGNAL) != 10)
		goto out;
	while (off <= n) {
		size_t chunk = n - off > 65536 ? 65536 : n - off;
		unsigned char hdr[4] = {(unsigned char)(chunk >> 24),
					(unsigned char)(chunk >> 16),
					(unsigned char)(chunk >> 8),
					(unsigned char)chunk};

		if (send(fd, hdr, 4, MSG_NOSIGNAL) != 4)
			goto out;
		if (chunk == 0)
			break;
		if (send(fd, d + off, chunk, MSG_NOSIGNAL) != (ssize_t)chunk)
			goto out;
		off += chunk;
	}
	got = recv(fd, reply, sizeof(reply) - 1, 0);
	if (got <= 0)
		goto out;
	reply[got] = '\0';
	/* "stream: <name> FOUND" */
	if (strstr(reply, " FOUND") != NULL) {
		const char *a = strstr(reply, "stream: ");
		const char *b = strstr(reply, " FOUND");

		r->reasons |= AR_MALWARE;
		if (a != NULL && b > a + 8) {
			size_t k = (size_t)(b - a - 8);

			if (k >= sizeof(r->malware))
				k = sizeof(r->malware) - 1;
			memcpy(r->malware, a + 8, k);
			r->malware[k] = '\0';
		}
	}
out:
	close(fd);
}

int
attach_analyse(const char *filename, const unsigned char *data, size_t len,
	       const struct attach_options *o, struct attach_result *r)
{
	size_t max = opt(o ? o->max_size : 0, (size_t)25 << 20);
	const unsigned dangerous = AR_TOO_LARGE | AR_EXECUTABLE | AR_SCRIPT |
				   AR_OLE_MACROS | AR_OOXML_MACROS |
				   AR_MACRO_EXTENSION | AR_ARCHIVE_DANGEROUS |
				   AR_ZIP_BOMB | AR_TOO_MANY_ENTRIES |
				   AR_HAR_TOKENS | AR_MALWARE;
	char eb[16];
	const char *ext = ext_of(filename, eb, sizeof(eb));
	const char *mime;

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
	mime = magic_cookie != NULL ? magic_buffer(magic_cookie, data, len) : NULL;
	if (mime != NULL)
		snprintf(r->mime, sizeof(r->mime), "%s", mime);
	pthread_mutex_unlock(&magic_lock);
	if (magic_cookie == NULL)
		return -GH_INTERNAL;
	if (is_executable(data, len) || in_list(ext, exe_ext))
		r->reasons |= AR_EXECUTABLE;
	if (in_list(ext, script_ext) || (len >= 2 && data[0] == '#' &&
					 data[1] == '!'))
		r->reasons |= AR_SCRIPT;
	if (in_list(ext, macro_ext))
		r->reasons |= AR_MACRO_EXTENSION;
	if ((r->reasons & (AR_EXECUTABLE | AR_SCRIPT)) != 0 &&
	    double_extension(filename))
		r->reasons |= AR_DOUBLE_EXTENSION;
	if (ole_has_vba(data, len))
		r->reasons |= AR_OLE_MACROS;
	if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
		zip_walk(data, len, o, r);
	if (ext != NULL && r->mime[0] != '\0' && !type_matches(ext, r->mime))
		r->reasons |= AR_TYPE_MISMATCH;
	if ((ext != NULL && (strcmp(ext, "har") == 0 ||
			     strcmp(ext, "json") == 0)) ||
	    strcmp(r->mime, "application/json") == 0) {
		struct dlp_findings f;

		dlp_findings_init(&f);
		if (dlp_har_scan((const char *)data, len, &f) == 1 && f.n > 0)
			r->reasons |= AR_HAR_TOKENS;
		dlp_findings_free(&f);
	}
	if (o != NULL && o->clamd_socket != NULL)
		clamd_scan(o->clamd_socket, data, len, r);
	if ((r->reasons & dangerous) != 0)
		r->verdict = ATTACH_DANGEROUS;
	else if (r->reasons != 0)
		r->verdict = ATTACH_SUSPICIOUS;
	else
		r->verdict = ATTACH_CLEAN;
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
		"double_extension", "malware"};

	for (unsigned b = 0; b < AR_COUNT_BITS; b++)
		if (bit == 1u << b)
			return names[b];
	return NULL;
}

json_t *
attach_result_json(const struct attach_result *r)
{
	json_t *rs = json_array();

	for (unsigned b = 0; rs != NULL && b < AR_COUNT_BITS; b++)
		if ((r->reasons & (1u << b)) != 0)
			json_array_append_new(rs,
					      json_string(attach_reason_name(1u << b)));
	return json_pack("{s:s, s:s, s:o, s:I}", "verdict",
			 attach_verdict_name(r->verdict), "mime", r->mime,
			 "reasons", rs ? rs : json_array(),
			 "entries", (json_int_t)r->entries);
}
