/*
 * The attachment analyser: gives a verdict (clean, suspicious, dangerous)
 * with reason codes for a file a customer sent. It sniffs the type with
 * libmagic and compares it with the extension, recognises executables
 * (PE, ELF, Mach-O) and scripts, Office documents with macros (OLE files
 * with a VBA project storage, OOXML with vbaProject.bin), encrypted
 * archives, and HAR files carrying live session material. ZIP (stored and
 * deflate), gzip, tar and tar.gz archives are unpacked in memory, within
 * limits (entry count, per-entry and total unpacked size, compression
 * ratio, two nested archives below the file), and every entry is judged
 * by its content and its name like a file of its own; the worst entry
 * verdict is lifted to the archive, with the entry's path (never its
 * content) in the result. An entry that cannot be inspected (an unknown
 * compression method, a broken stream) makes the archive at least
 * suspicious; a bomb or an exceeded limit makes it dangerous. A ZIP is
 * found from its end record, as unzip finds it, whatever its first bytes
 * are (the bytes before its first entry are judged too), and one whose
 * records disagree with each other is at least suspicious. Archive
 * formats not unpacked here (7z, RAR, bzip2, xz, zstd, CAB, ...) are at
 * least suspicious. Optionally it hands the bytes to a clamd server
 * (INSTREAM) on a Unix socket.
 *
 * It does not store or quarantine anything; the caller does that with the
 * verdict. It never runs the file nor writes anything to disk.
 */
#ifndef GH_CORE_ATTACH_H
#define GH_CORE_ATTACH_H

#include <stddef.h>

/* jansson's json_t, for the JSON form below; this header does not need
 * jansson.h. */
struct json_t;

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
	AR_ARCHIVE_NOT_INSPECTED = 1u << 15, /* 7z, rar, ..., unknown method */
	AR_ARCHIVE_TOO_DEEP = 1u << 16,	/* more nested archives than allowed */
	AR_ENTRY_TOO_LARGE = 1u << 17,	/* an entry over max_entry_size */
	AR_AV_UNAVAILABLE = 1u << 18,	/* clamd configured, no answer */
	AR_ZIP_INCONSISTENT = 1u << 19,	/* ZIP records disagree: entry
					 * count, overlapping entries,
					 * offsets out of range, names */
	AR_ACTIVE_HTML = 1u << 20,	/* HTML or SVG with a form, a script,
					 * a meta refresh (suspicious) */
	AR_COUNT_BITS = 21
};

/* Nested archives unpacked below the file itself: file.zip/inner.zip/
 * inner2.zip is unpacked, one more level is AR_ARCHIVE_TOO_DEEP. A .tar.gz
 * counts as one archive. */
#define ATTACH_MAX_DEPTH 2
/* Flagged entries kept (with path) in a result; more are only counted. */
#define ATTACH_MAX_FLAGGED 8
#define ATTACH_PATH_MAX 256

struct attach_flagged {
	char path[ATTACH_PATH_MAX]; /* "inner.zip/setup.exe", printable ASCII */
	unsigned reasons;	/* the entry's own reasons */
	int verdict;		/* enum attach_verdict */
};

struct attach_options {
	size_t max_size;	/* 0: 25 MiB */
	size_t max_entries;	/* 0: 10000 */
	unsigned max_ratio;	/* 0: 100 (uncompressed / compressed) */
	size_t max_unpacked;	/* 0: 1 GiB total uncompressed */
	size_t max_entry_size;	/* 0: 32 MiB unpacked per archive entry */
	/* clamd: a Unix socket path, or "tcp:HOST:PORT"; NULL for none */
	const char *clamd_socket;
	unsigned clamd_timeout_ms; /* 0: 10000, for the whole exchange */
};

struct attach_result {
	enum attach_verdict verdict;
	unsigned reasons;	/* enum attach_reason bits */
	char mime[96];		/* libmagic's MIME type */
	size_t entries;		/* archive entries seen, all levels */
	char malware[128];	/* clamd's signature name, if any */
	size_t n_flagged;	/* entries with reasons (may exceed the array) */
	struct attach_flagged flagged[ATTACH_MAX_FLAGGED];
};

/* Analyses data[0, len) sent under filename (may be NULL). o may be NULL
 * for the defaults. Returns 0 and fills *res, or -GH_INTERNAL when
 * libmagic cannot be loaded or memory runs out. A clamd failure (absent,
 * hung past clamd_timeout_ms, closed early) is not an error: the result
 * then lacks AR_MALWARE, and the return value is still 0. Entries are
 * unpacked into memory only: at most ATTACH_MAX_DEPTH + 1 entry buffers of
 * max_entry_size at once. */
int attach_analyse(const char *filename, const unsigned char *data,
		   size_t len, const struct attach_options *o,
		   struct attach_result *res);

const char *attach_verdict_name(enum attach_verdict v);
const char *attach_reason_name(unsigned bit);

/* {verdict, mime, reasons: [...], entries, flagged: [{entry, verdict,
 * reasons}], flagged_total} as JSON; NULL on failure. The caller owns
 * the reference. */
struct json_t *attach_result_json(const struct attach_result *r);

#endif
