/*
 * `gatehouse scan [--dlp|--phish] [FILE|-]`: runs the outbound filter
 * and/or the inbound analyser (links and the file as an attachment) over
 * one file or standard input and prints one JSON object per finding, so
 * it can sit in a mail pipeline. It prints where and what kind, never the
 * matched value.
 */
#ifndef GH_CLI_SCAN_H
#define GH_CLI_SCAN_H

/* argv[0] is "scan". Returns the process exit status: 0 nothing found,
 * 1 something found, 2 usage or I/O error (message on stderr). */
int cli_scan(int argc, char **argv);

#endif
