/*
 * One training module from its two files (see core/training.h and
 * docs/training.md): ID.md, a front-matter block (title, pass_mark,
 * validity_months, required, order) then Markdown, and ID.quiz.json. The
 * Markdown is rendered by cmark in its default safe mode (raw HTML is
 * omitted, javascript: and similar URLs are dropped) after every link and
 * image was checked: a link may go to https:, mailto: or a relative
 * address, an image only to a relative one, so content never loads
 * anything from elsewhere. The quiz is checked field by field and stored
 * canonical (compact, sorted keys).
 *
 * Invariant: a module that parses here is complete and safe to store and
 * show; anything else is -GH_BAD_MODULE with a message naming the file
 * and the line or field, and nothing is kept.
 */
#include "core/training.h"

#include <cmark.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errors.h"
#include "util/utf8.h"

/* Formats the refusal into err and returns -GH_BAD_MODULE. */
static int bad(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -GH_BAD_MODULE;
}

/* A non-negative decimal of at most 4 digits; -1 otherwise. */
static int64_t
small_int(const char *s)
{
	int64_t v = 0;
	size_t n = strlen(s);

	if (n < 1 || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* One "key: value" line of the front matter into m. */
static int
front_line(struct training_module *m, char *line, int lno, const char *file,
	   char *err, size_t errsz)
{
	char *colon = strchr(line, ':');
	char *v;
	int64_t n;

	if (colon == NULL)
		return bad(err, errsz, "%s: line %d: expected key: value",
			   file, lno);
	*colon = '\0';
	for (v = colon + 1; *v == ' '; v++)
		;
	if (strcmp(line, "title") == 0) {
		if (*v == '\0' || strlen(v) > TRAINING_TITLE_MAX ||
		    utf8_check(v, strlen(v), 0) < 0)
			return bad(err, errsz, "%s: line %d: title must be 1 "
				   "to %d bytes of text", file, lno,
				   TRAINING_TITLE_MAX);
		snprintf(m->title, sizeof(m->title), "%s", v);
		return 0;
	}
	if (strcmp(line, "required") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return bad(err, errsz, "%s: line %d: required must be "
				   "yes or no", file, lno);
		m->required = strcmp(v, "yes") == 0;
		return 0;
	}
	n = small_int(v);
	if (strcmp(line, "pass_mark") == 0 && n >= 1 && n <= 100)
		m->pass_mark = n;
	else if (strcmp(line, "validity_months") == 0 && n >= 0 && n <= 120)
		m->validity_months = n;
	else if (strcmp(line, "order") == 0 && n >= 0 && n <= 9999)
		m->position = n;
	else
		return bad(err, errsz, "%s: line %d: %s: unknown key or value "
			   "out of range (pass_mark 1-100, validity_months "
			   "0-120, order 0-9999)", file, lno, line);
	return 0;
}

/* The front matter of text into m; *body gets where the Markdown
 * starts. */
static int
front_matter(struct training_module *m, char *text, char **body,
	     const char *file, char *err, size_t errsz)
{
	char *p = text, *nl;
	int lno = 1, rc;

	if (strncmp(p, "---\n", 4) != 0)
		return bad(err, errsz, "%s: line 1: the file must start with "
			   "a --- front-matter block", file);
	p += 4;
	m->pass_mark = -1;
	m->required = -1;
	for (;;) {
		lno++;
		nl = strchr(p, '\n');
		if (nl == NULL)
			return bad(err, errsz, "%s: line %d: the front matter "
				   "has no closing ---", file, lno);
		*nl = '\0';
		if (strcmp(p, "---") == 0)
			break;
		rc = front_line(m, p, lno, file, err, errsz);
		if (rc < 0)
			return rc;
		p = nl + 1;
	}
	*body = nl + 1;
	if (m->title[0] == '\0' || m->pass_mark < 0 || m->required < 0)
		return bad(err, errsz, "%s: front matter: title, pass_mark and "
			   "required are needed", file);
	return 0;
}

/* 1 for an address that names no scheme and no other host. */
static int
url_relative(const char *u)
{
	size_t stop = strcspn(u, "/?#");

	return memchr(u, ':', stop) == NULL && strncmp(u, "//", 2) != 0 &&
	       strncmp(u, "\\\\", 2) != 0;
}

static int
url_allowed(const char *u, int image)
{
	if (u == NULL || url_relative(u))
		return 1;
	if (image)
		return 0;
	return strncasecmp(u, "https:", 6) == 0 ||
	       strncasecmp(u, "mailto:", 7) == 0;
}

/* Checks every link and image of the document, whose first line is line
 * first + 1 of the file. */
static int
check_links(cmark_node *doc, int first, const char *file, char *err,
	    size_t errsz)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	int rc = 0;

	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (ev != CMARK_EVENT_ENTER ||
		    (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
			continue;
		if (!url_allowed(cmark_node_get_url(n), t == CMARK_NODE_IMAGE))
			rc = bad(err, errsz, "%s: line %d: %s must be %s",
				 file, first + cmark_node_get_start_line(n),
				 t == CMARK_NODE_IMAGE ? "an image address"
						       : "a link",
				 t == CMARK_NODE_IMAGE
					 ? "relative (no image from elsewhere)"
					 : "https:, mailto: or relative");
	}
	cmark_iter_free(it);
	return rc;
}

/* Renders body (safe mode, starting after line `first` of the file)
 * into m->html after checking its links. */
static int
render(struct training_module *m, const char *body, int first,
       const char *file, char *err, size_t errsz)
{
	cmark_node *doc = cmark_parse_document(body, strlen(body),
					       CMARK_OPT_DEFAULT);
	char *html;
	int rc;

	if (doc == NULL)
		return -GH_INTERNAL;
	rc = check_links(doc, first, file, err, errsz);
	if (rc == 0) {
		html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
		m->html = html != NULL ? strdup(html) : NULL;
		free(html);
		if (m->html == NULL)
			rc = -GH_INTERNAL;
	}
	cmark_node_free(doc);
	return rc;
}

/* The number of lines of md before offset off. */
static int
lines_before(const char *md, size_t off)
{
	int n = 0;

	for (size_t i = 0; i < off; i++)
		n += md[i] == '\n';
	return n;
}

int
training_module_parse(const char *id, const char *md, size_t md_len,
		      const char *quiz, size_t quiz_len,
		      struct training_module *out, char *err, size_t errsz)
{
	char file[TRAINING_ID_MAX + 16];
	char *text = NULL, *body = NULL;
	int rc = -GH_BAD_MODULE;

	memset(out, 0, sizeof(*out));
	snprintf(file, sizeof(file), "%s.md", id != NULL ? id : "");
	if (!training_id_valid(id))
		return bad(err, errsz, "%s: the module id must be 1 to %d of "
			   "a-z, 0-9 and -", file, TRAINING_ID_MAX);
	snprintf(out->id, sizeof(out->id), "%s", id);
	if (md_len > TRAINING_MD_MAX || utf8_check(md, md_len, 1) < 0) {
		rc = bad(err, errsz, "%s: must be UTF-8 text of at most %d "
			 "bytes", file, TRAINING_MD_MAX);
		goto out;
	}
	text = strndup(md, md_len);
	out->markdown = strndup(md, md_len);
	if (text == NULL || out->markdown == NULL) {
		rc = -GH_INTERNAL;
		goto out;
	}
	rc = front_matter(out, text, &body, file, err, errsz);
	if (rc == 0)
		rc = render(out, body, lines_before(md, (size_t)(body - text)),
			    file, err, errsz);
	if (rc == 0)
		rc = training_quiz_parse(id, quiz, quiz_len, &out->quiz, err,
					 errsz);
out:
	free(text);
	if (rc < 0)
		training_module_clear(out);
	return rc;
}
