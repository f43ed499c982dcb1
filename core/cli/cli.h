/* The strata command line: a thin layer over libstrata. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <strata/strata.h>

/* A JSON string literal (or null) on f. */
void json_str(FILE *f, const char *s);

/* signals.c: SIGINT, SIGTERM, SIGHUP interrupt the command on s
 * (strata_interrupt) until released; release returns the signal that did, 0
 * when none. */
void cli_catch_signals(strata *s);
int cli_release_signals(strata *s);

#endif
