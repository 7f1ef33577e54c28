/*
 * libFuzzer harness for live updates' outside input (issue 15, part
 * LIVE): the Last-Event-ID header (events_parse_id), and a frame built
 * from ids and a staff name made of the input (events_frame), which must
 * always be one SSE event: its data on one line, the frame ending in a
 * blank line, nothing after it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A typing event whose ids and name come from the input. */
static void
frame_check(const uint8_t *data, size_t size)
{
	struct ev_viewer v = {REALM_STAFF, 1, 1, {0}, 0, ""};
	struct event_rec e;
	char out[EVENTS_FRAME_MAX];
	size_t n, k = size < sizeof(e.actor_name) - 1 ? size
						   : sizeof(e.actor_name) - 1;

	memset(&e, 0, sizeof(e));
	memcpy(e.kind, EV_TYPING, sizeof(EV_TYPING));
	memcpy(&e.ticket_id, data, size < 8 ? size : 8);
	e.id = e.ticket_id ^ 0x5a;
	e.actor_id = 2;
	memcpy(e.actor_name, data, k);
	n = events_frame(&v, &e, out, sizeof(out));
	if (n == 0)
		return;
	if (n < 2 || out[n - 1] != '\n' || out[n - 2] != '\n' ||
	    strlen(out) != n)
		abort();
	/* id, event, data: exactly three lines before the blank one. */
	for (size_t i = 0, lines = 0; i < n - 1; i++)
		if (out[i] == '\n' && ++lines > 3)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	int64_t id;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (events_parse_id(text, &id) == 0 && text[0] != '\0' && id < 0)
		abort();
	frame_check(data, size);
	free(text);
	return 0;
}
