/*
 * Internal to the attachment analyser: what its files share. Nothing here
 * is part of the module's contract. Which file does what:
 *   attach.c         attach_analyse(): one file or entry judged, limits
 *   filetype.c       extensions, executables, OLE macros, other archives
 *   archive_zip.c    ZIP: found from its end record, checked, unpacked
 *   archive_tar.c    tar (ustar, GNU, pax) and gzip
 *   inflate.c        zlib's inflate within size and ratio limits
 *   clamd.c          the optional clamd INSTREAM exchange
 *   encode.c         the JSON form of a result
 */
#ifndef GH_CORE_PHISH_ATTACH_INT_H
#define GH_CORE_PHISH_ATTACH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/phish/attach.h"

/* The limits and running totals of one analysis, shared by every level of
 * nested archives. */
struct walk {
	const struct attach_options *o;
	struct attach_result *top;
	size_t max_entries;
	size_t max_entry;
	uint64_t max_unpacked;
	unsigned max_ratio;
	size_t entries;		/* entries seen, all levels */
	uint64_t unpacked;	/* bytes unpacked, all levels */
	int oom;
};

static inline uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* attach.c: the walk of nested archives. */
/* Judges one unpacked entry d[0, n) named name inside the archive at
 * parent, depth archives down, and lifts its reasons into *lifted. */
void visit_entry(struct walk *w, const char *parent, const char *name,
		 const unsigned char *d, size_t n, int depth, unsigned *lifted);
/* Counts one more entry against the whole tree's limit. 0, or -1 (with
 * AR_TOO_MANY_ENTRIES in *own) when over it. */
int count_entry(struct walk *w, unsigned *own);
/* Reserves n unpacked bytes against the total. 0, or -1 (AR_ZIP_BOMB). */
int reserve(struct walk *w, uint64_t n, unsigned *own);
/* The most one entry may unpack to now: the per-entry cap or what is left
 * of the total, whichever is less (*is_total says which). */
size_t entry_cap(const struct walk *w, int *is_total);
/* A name as analysed and shown (printable ASCII, '/' for '\', the end
 * kept behind "..." when longer than cap). */
void clean_name(const unsigned char *s, size_t n, char *out, size_t cap);

/* filetype.c */
extern const char *const exe_ext[];
extern const char *const script_ext[];
extern const char *const macro_ext[];
int in_list(const char *ext, const char *const *list);
/* Lower-case extension of name (after the last dot) in buf, or NULL. */
const char *ext_of(const char *name, char *buf, size_t cap);
int double_extension(const char *name);
int is_executable(const unsigned char *d, size_t n);
int ole_has_vba(const unsigned char *d, size_t n);
/* Archive formats recognised but not unpacked here. */
int other_archive(const unsigned char *d, size_t n, const char *ext);
/* Whether libmagic's type fits the extension (1 for unknown ones). */
int type_matches(const char *ext, const char *mime);
/* 1 when d[0, n) is HTML or SVG (by extension or type) holding a form, a
 * form action, a script, a javascript: URL or a meta refresh. */
int html_active(const char *ext, const char *mime, const unsigned char *d,
		size_t n);

/* inflate.c: outcomes of inflate_bounded(). */
enum { INF_OK = 0, INF_BROKEN, INF_TOO_LARGE, INF_OVER_TOTAL, INF_BOMB,
       INF_NOMEM };
/*
 * Inflates src[0, n) (raw deflate when gzip is 0, else one or more gzip
 * members) into a malloc'd *out of at most cap bytes (*out_len), the
 * caller frees it. Stops with INF_TOO_LARGE past cap (INF_OVER_TOTAL when
 * cap was the remaining total budget), INF_BOMB once more than 1 MiB came
 * out at more than max_ratio times the input read so far, INF_BROKEN on a
 * corrupt, cut or trailing-garbage stream; *out is then NULL.
 */
int inflate_bounded(const unsigned char *src, size_t n, int gzip, size_t cap,
		    int cap_is_total, size_t hint, unsigned max_ratio,
		    unsigned char **out, size_t *out_len);
/* Maps an inflate failure to the archive's reasons (or w->oom). */
void inflate_reason(struct walk *w, int rc, unsigned *own);

/* archive_zip.c: walks d[0, n) as a ZIP archive when it holds one (found
 * from its end record wherever it starts); when must is set (the file
 * starts like one), not finding it is AR_BROKEN_ARCHIVE. Returns 1 when it
 * was a ZIP, 0 when not. */
int zip_walk(struct walk *w, const char *path, const unsigned char *d,
	     size_t n, int depth, int must, unsigned *own, unsigned *lifted);

/* archive_tar.c */
int tar_sniff(const unsigned char *d, size_t n, int by_name);
void tar_walk(struct walk *w, const char *path, const unsigned char *d,
	      size_t n, int depth, unsigned *own, unsigned *lifted);
void gz_walk(struct walk *w, const char *name, const char *path,
	     const unsigned char *d, size_t n, int depth, unsigned *own,
	     unsigned *lifted);

/* clamd.c: INSTREAM to clamd at target within timeout_ms; sets
 * AR_MALWARE (and r->malware) or AR_AV_UNAVAILABLE. */
void clamd_scan(const char *target, unsigned timeout_ms,
		const unsigned char *d, size_t n, struct attach_result *r);

#endif
