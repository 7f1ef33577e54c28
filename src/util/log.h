/*
 * Structured logging: one JSON object per line on stderr (or the stream
 * given to log_init). Fields are passed as a jansson object, so every value
 * is JSON-escaped and no caller-controlled text can forge a line (CR/LF and
 * control characters come out escaped).
 *
 * Never pass secrets (passwords, codes, tokens, cookies, message bodies,
 * personal fields) to these functions: that rule is the callers', and the
 * tests grep the logs for planted secrets.
 */
#ifndef GH_UTIL_LOG_H
#define GH_UTIL_LOG_H

#include <jansson.h>
#include <stdio.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the stream and the lowest level written. Default: stderr, info. */
void log_init(FILE *out, enum log_level min);

/*
 * Makes the file at path (opened for appending, created with mode 0600)
 * the log, closing a previous log file. 0, or -1 (the log unchanged).
 */
int log_open(const char *path);

/*
 * Opens the log file by its name again (after it was renamed by a log
 * rotation) and closes the old one; every line goes wholly to one of the
 * two. 0 (also when the log is not a file), or -1 when the file cannot be
 * opened (the old one stays the log).
 */
int log_reopen(void);

/*
 * Writes {"time": RFC 3339 UTC with ms, "level", "event", ...fields}.
 * Takes ownership of fields (may be NULL). Thread-safe: a line is written
 * with one fwrite under a lock.
 */
void log_event(enum log_level level, const char *event, json_t *fields);

/* Logs a broken invariant (our bug) with file and line. */
void log_bug_at(const char *file, int line, const char *what);
#define LOG_BUG(what) log_bug_at(__FILE__, __LINE__, (what))

#endif
