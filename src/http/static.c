/* In-memory static assets with content types by extension. */
#include "http/static.h"

#include <string.h>

#include "util/embed.h"

extern const struct embedded_file web_portal[];
extern const struct embedded_file web_console[];

static const struct {
	const char *ext;
	const char *type;
	int html;
} types[] = {
	{".html", "text/html; charset=utf-8", 1},
	{".css", "text/css; charset=utf-8", 0},
	{".js", "text/javascript; charset=utf-8", 0},
	{".svg", "image/svg+xml", 0},
	{".png", "image/png", 0},
	{".ico", "image/x-icon", 0},
	{".json", "application/json; charset=utf-8", 0},
	{".txt", "text/plain; charset=utf-8", 0},
};

int
static_lookup(struct request *r)
{
	const struct embedded_file *f;
	const char *path = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
	const char *dot;

	f = embed_find(r->listener == LISTEN_STAFF ? web_console : web_portal,
		       path);
	if (f == NULL)
		return -1;
	dot = strrchr(path, '.');
	for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]);
	     i++) {
		if (strcmp(dot, types[i].ext) == 0) {
			r->raw = f->data;
			r->raw_len = f->len;
			r->content_type = types[i].type;
			r->html = types[i].html;
			r->status = 200;
			return 0;
		}
	}
	return -1;
}
