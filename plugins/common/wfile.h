/*
 * Writing migration files (the source op `write`): helpers every writer
 * shares, compiled into each (wfile.c).  Files are made new: one that is
 * there already is refused, never overwritten, so two migrations that would
 * land on one name are an error, not a lost file.
 */
#ifndef STRATA_PLUGIN_WFILE_H
#define STRATA_PLUGIN_WFILE_H

#include <stddef.h>

#include "strata/plugin.h"

/* dir/rel made with data[0..len); folders on the way made as needed.
 * 0, or < 0 after host->error() naming rel. */
int wf_write(strata_host *h, const char *dir, const char *rel, const char *data, size_t len);
/* The same from up to three pieces, written one after another (NULL: none). */
int wf_write3(strata_host *h, const char *dir, const char *rel, const char *a, size_t alen,
              const char *b, size_t blen, const char *c, size_t clen);
/* A name for file names: letters, digits and '_' kept, every other run of
 * bytes one '_', at most size-1 bytes; "" gives `fallback`. */
void wf_slug(const char *name, const char *fallback, char *out, size_t size);
/* YYYYMMDDHHMMSS (14 digits) of an ISO-8601 UTC text ("2024-01-02T03:04:05Z"),
 * 0 when it is not one. */
int wf_stamp14(const char *iso, char out[15]);
/* The 14-digit stamp `secs` seconds after 2000-01-01 00:00:00 UTC. */
void wf_stamp14_at(long long secs, char out[15]);
/* Stamps for new ids that keep the history's order: the migration's date
 * (created) when it comes after the previous stamp, else the previous one
 * plus a second, starting at 2000-01-01 00:00:00 UTC + index seconds.
 * last: seconds after 2000-01-01 of the previous stamp, -1 before the first. */
long long wf_next_secs(long long last, const char *created, size_t index);
/* The Unix time in milliseconds (13 digits) of those seconds. */
void wf_stamp13_at(long long secs, char out[14]);

/* Does text[0..len) end with a newline (or is it empty)? */
int wf_ends_nl(const char *text, size_t len);
/* A writer's call refused: host->error() with the reason, STRATA_WRITE_REFUSED. */
int wf_refuse(strata_host *h, const strata_write_mig *m, const char *hint, const char *fmt, ...)
	STRATA_PRINTF(4, 5);

#endif
