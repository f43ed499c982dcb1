/* The strata command line: a thin layer over libstrata. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdio.h>
#include <strata/strata.h>

/* A JSON string literal (or null) on f. */
void json_str(FILE *f, const char *s);

#endif
