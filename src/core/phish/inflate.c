/*
 * zlib's inflate within limits: raw deflate (ZIP entries) or gzip members
 * one after the other, into a buffer that grows only up to the entry's
 * cap, stopping as soon as the output passes the cap or the ratio of
 * output to input read so far passes the limit (so a bomb costs at most
 * the cap, never its claimed size). A cut, corrupt or trailing-garbage
 * stream is a failure, never a silent truncation.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "core/phish/attach_int.h"

/* inf_step(): the stream ended (not a failure). */
#define INF_DONE (-1)

/* One inflate in progress. */
struct inflater {
	z_stream s;
	unsigned char *buf;
	size_t size, len;	/* of buf; bytes out so far */
	size_t n;		/* bytes in */
	size_t cap;
	int cap_is_total;
	unsigned max_ratio;
	int gzip;
};

/* Room for more output: the buffer doubles, up to cap + 1. */
static int
inf_room(struct inflater *f)
{
	size_t ns;
	unsigned char *nb;

	if (f->len < f->size)
		return INF_OK;
	if (f->len > f->cap)
		return f->cap_is_total ? INF_OVER_TOTAL : INF_TOO_LARGE;
	ns = f->size > (f->cap + 1) / 2 ? f->cap + 1 : f->size * 2;
	nb = realloc(f->buf, ns);
	if (nb == NULL)
		return INF_NOMEM;
	f->buf = nb;
	f->size = ns;
	return INF_OK;
}

/* A gzip member ended: another must follow, or nothing. */
static int
inf_next_member(struct inflater *f)
{
	if (f->s.avail_in == 0)
		return INF_DONE;
	if (f->s.avail_in < 2 || f->s.next_in[0] != 0x1f ||
	    f->s.next_in[1] != 0x8b)
		return INF_BROKEN;	/* garbage after the stream */
	return inflateReset(&f->s) == Z_OK ? INF_OK : INF_BROKEN;
}

/* One call of inflate() into the room there is, with the limits checked
 * on what came out. */
static int
inf_step(struct inflater *f)
{
	uInt room = f->size - f->len > UINT_MAX ? UINT_MAX
						: (uInt)(f->size - f->len);
	size_t consumed;
	int zr;

	f->s.next_out = f->buf + f->len;
	f->s.avail_out = room;
	zr = inflate(&f->s, Z_NO_FLUSH);
	f->len += room - f->s.avail_out;
	consumed = f->n - f->s.avail_in;
	if (f->len > f->cap)
		return f->cap_is_total ? INF_OVER_TOTAL : INF_TOO_LARGE;
	if (f->len > ((size_t)1 << 20) &&
	    f->len / (consumed ? consumed : 1) > f->max_ratio)
		return INF_BOMB;
	if (zr == Z_STREAM_END)
		return f->gzip ? inf_next_member(f) : INF_DONE;
	if (zr == Z_MEM_ERROR)
		return INF_NOMEM;
	if (zr == Z_BUF_ERROR && f->s.avail_in == 0)
		return INF_BROKEN;	/* cut short */
	if (zr != Z_OK && zr != Z_BUF_ERROR)
		return INF_BROKEN;	/* corrupt data, dictionary */
	return INF_OK;
}

int
inflate_bounded(const unsigned char *src, size_t n, int gzip, size_t cap,
		int cap_is_total, size_t hint, unsigned max_ratio,
		unsigned char **out, size_t *out_len)
{
	struct inflater f;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (n > UINT_MAX)
		return INF_BROKEN;
	memset(&f, 0, sizeof(f));
	if (inflateInit2(&f.s, gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK)
		return INF_NOMEM;
	f.n = n;
	f.cap = cap;
	f.cap_is_total = cap_is_total;
	f.max_ratio = max_ratio;
	f.gzip = gzip;
	f.size = hint < 4096 ? 4096 : hint;
	if (f.size > cap + 1)
		f.size = cap + 1;
	f.buf = malloc(f.size);
	rc = f.buf != NULL ? INF_OK : INF_NOMEM;
	f.s.next_in = src;
	f.s.avail_in = (uInt)n;
	while (rc == INF_OK) {
		rc = inf_room(&f);
		if (rc == INF_OK)
			rc = inf_step(&f);
	}
	if (rc == INF_DONE) {
		*out = f.buf;
		*out_len = f.len;
		f.buf = NULL;
		rc = INF_OK;
	}
	inflateEnd(&f.s);
	free(f.buf);
	return rc;
}

/* Maps an inflate failure to the archive's reasons. */
void
inflate_reason(struct walk *w, int rc, unsigned *own)
{
	switch (rc) {
	case INF_TOO_LARGE:
		*own |= AR_ENTRY_TOO_LARGE;
		break;
	case INF_OVER_TOTAL:
	case INF_BOMB:
		*own |= AR_ZIP_BOMB;
		break;
	case INF_NOMEM:
		w->oom = 1;
		break;
	default:
		*own |= AR_BROKEN_ARCHIVE;
	}
}
