/*
 * The attachment analyser: gives a verdict (clean, suspicious, dangerous)
 * with reason codes for a file a customer sent. It sniffs the type with
 * libmagic and compares it with the extension, recognises executables
 * (PE, ELF, Mach-O) and scripts, Office documents with macros (OLE files
 * with a VBA project storage, OOXML with vbaProject.bin), ZIP archives
 * holding any of those (walking the central directory, with limits on
 * entry count and compression ratio against zip bombs), encrypted
 * archives, and HAR files carrying live session material. Optionally it
 * hands the bytes to a clamd server (INSTREAM) on a Unix socket.
 *
 * It does not store or quarantine anything; the caller does that with the
 * verdict. It never runs or unpacks the file.
 */
#ifndef GH_CORE_ATTACH_H
#define GH_CORE_ATTACH_H

#include <stddef.h>

#include <jansson.h>

enum attach_verdict { ATTACH_CLEAN = 0, ATTACH_SUSPICIOUS, ATTACH_DANGEROUS };

enum attach_reason {
	AR_TOO_LARGE = 1u << 0,
	AR_EXECUTABLE = 1u << 1,	/* PE, ELF, Mach-O */
	AR_SCRIPT = 1u << 2,		/* by extension or #! */
	AR_TYPE_MISMATCH = 1u << 3,	/* content type vs extension */
	AR_OLE_MACROS = 1u << 4,
	AR_OOXML_MACROS = 1u << 5,
	AR_MACRO_EXTENSION = 1u << 6,	/* .docm, .xlsm, ... */
	AR_ARCHIVE_DANGEROUS = 1u << 7,	/* an entry is executable/script/macro */
	AR_ZIP_BOMB = 1u << 8,		/* ratio or size limit */
	AR_TOO_MANY_ENTRIES = 1u << 9,
	AR_ENCRYPTED_ARCHIVE = 1u << 10,
	AR_BROKEN_ARCHIVE = 1u << 11,
	AR_HAR_TOKENS = 1u << 12,	/* HAR with cookies/auth headers */
	AR_DOUBLE_EXTENSION = 1u << 13,	/* invoice.pdf.exe */
	AR_MALWARE = 1u << 14,		/* clamd found something */
	AR_COUNT_BITS = 15
};

struct attach_options {
	size_t max_size;	/* 0: 25 MiB */
	size_t max_entries;	/* 0: 10000 */
	unsigned max_ratio;	/* 0: 100 (uncompressed / compressed) */
	size_t max_unpacked;	/* 0: 1 GiB total uncompressed */
	const char *clamd_socket; /* Unix socket path, or NULL */
};

struct attach_result {
	enum attach_verdict verdict;
	unsigned reasons;	/* enum attach_reason bits */
	char mime[96];		/* libmagic's MIME type */
	size_t entries;		/* ZIP entries seen */
	char malware[128];	/* clamd's signature name, if any */
};

/* Analyses data[0, len) sent under filename (may be NULL). o may be NULL
 * for the defaults. Returns 0 and fills *res, or -GH_INTERNAL when
 * libmagic cannot be loaded. A clamd failure is not an error: the result
 * then lacks AR_MALWARE, and the return value is still 0. */
int attach_analyse(const char *filename, const unsigned char *data,
		   size_t len, const struct attach_options *o,
		   struct attach_result *res);

const char *attach_verdict_name(enum attach_verdict v);
const char *attach_reason_name(unsigned bit);

/* {verdict, mime, reasons: [...], entries} as JSON; NULL on failure. */
json_t *attach_result_json(const struct attach_result *r);

#endif
