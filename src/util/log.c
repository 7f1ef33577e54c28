/*
 * JSON-lines logger. Builds the whole line in memory and writes it with one
 * fwrite under a mutex, so lines from several threads never interleave.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static FILE *log_out;
static enum log_level log_min = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
log_init(FILE *out, enum log_level min)
{
	log_out = out;
	log_min = min;
}

void
log_event(enum log_level level, const char *event, json_t *fields)
{
	struct timespec ts;
	struct tm tm;
	char when[40];
	json_t *line;
	char *text;

	if (level < log_min) {
		json_decref(fields);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);

	line = json_object();
	json_object_set_new(line, "time", json_string(when));
	json_object_set_new(line, "level", json_string(level_names[level]));
	json_object_set_new(line, "event", json_string(event));
	if (fields != NULL)
		json_object_update(line, fields);
	json_decref(fields);
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (text == NULL)
		return;
	pthread_mutex_lock(&log_lock);
	fputs(text, log_out != NULL ? log_out : stderr);
	fputc('\n', log_out != NULL ? log_out : stderr);
	fflush(log_out != NULL ? log_out : stderr);
	pthread_mutex_unlock(&log_lock);
	free(text);
}

void
log_bug_at(const char *file, int line, const char *what)
{
	log_event(LOG_ERROR, "bug",
		  json_pack("{s:s, s:i, s:s}", "file", file, "line", line,
			    "what", what));
}
