/*
 * JSON-lines logger. Builds the whole line in memory and writes it with one
 * fwrite under a mutex, so lines from several threads never interleave.
 * A log file (log_open) is opened again by name on log_reopen, under the
 * same mutex, so after a rotation no line is lost or split between files.
 */
#include "util/log.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static FILE *log_out;
static enum log_level log_min = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_path[PATH_MAX]; /* "": not a file of ours */

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
log_init(FILE *out, enum log_level min)
{
	pthread_mutex_lock(&log_lock);
	if (log_path[0] != '\0' && log_out != NULL && log_out != out)
		fclose(log_out);
	log_path[0] = '\0';
	log_out = out;
	log_min = min;
	pthread_mutex_unlock(&log_lock);
}

/* Opens path for appending, created for the owner only. NULL on error. */
static FILE *
open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "a");
	if (f == NULL)
		close(fd);
	return f;
}

/* Makes f (opened from path) the log; the previous file of ours is
 * closed. Under log_lock. */
static void
swap_file(FILE *f, const char *path)
{
	if (log_path[0] != '\0' && log_out != NULL)
		fclose(log_out);
	log_out = f;
	snprintf(log_path, sizeof(log_path), "%s", path);
}

int
log_open(const char *path)
{
	FILE *f;

	if (strlen(path) >= sizeof(log_path))
		return -1;
	f = open_append(path);
	if (f == NULL)
		return -1;
	pthread_mutex_lock(&log_lock);
	swap_file(f, path);
	pthread_mutex_unlock(&log_lock);
	return 0;
}

int
log_reopen(void)
{
	char path[PATH_MAX];
	FILE *f;

	pthread_mutex_lock(&log_lock);
	snprintf(path, sizeof(path), "%s", log_path);
	pthread_mutex_unlock(&log_lock);
	if (path[0] == '\0')
		return 0;
	f = open_append(path);
	if (f == NULL)
		return -1;
	pthread_mutex_lock(&log_lock);
	swap_file(f, path);
	pthread_mutex_unlock(&log_lock);
	return 0;
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
