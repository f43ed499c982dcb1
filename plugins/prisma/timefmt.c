/*
 * Timestamps.  The host hands ISO-8601 UTC text ("2026-11-21T08:52:38.512Z").
 * PostgreSQL's timestamptz columns take that text as it is.  On SQLite the
 * native engine binds a DateTime as unix epoch milliseconds (quaint's
 * timestamp_millis(), an INTEGER in the DATETIME column), so that is what is
 * written there; rows Prisma's driver adapter wrote as ISO text are read too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prisma_int.h"

/* Epoch milliseconds of the host's ISO-8601 UTC text; -1 if it is not that. */
static int iso_to_ms(const char *iso, long long *out)
{
	struct tm tm = { 0 };
	int pos = 0;
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &pos) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	long long ms = 0;
	const char *p = iso + pos;
	if (*p == '.') {
		int digits = 0;
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (*p != 'Z' && *p != '\0')
		return -1;
	*out = (long long)timegm(&tm) * 1000 + ms;
	return 0;
}

/* The value to bind for a timestamp column of the dialect. */
int pr_time_to_db(const char *iso, bool sqlite, char *out, size_t size)
{
	long long ms;
	if (!sqlite) {
		snprintf(out, size, "%s", iso);
		return STRATA_OK;
	}
	if (iso_to_ms(iso, &ms) < 0)
		return STRATA_EINVAL;
	snprintf(out, size, "%lld", ms);
	return STRATA_OK;
}

/* A stored timestamp as text for the host: epoch milliseconds become ISO-8601
 * UTC, anything else (timestamptz text, ISO text) is passed on as it is. */
void pr_time_from_db(const char *val, char *out, size_t size)
{
	const char *p = val + (*val == '-');
	bool digits = *p != '\0';
	for (; *p && digits; p++)
		digits = isdigit((unsigned char)*p);
	if (!digits) {
		snprintf(out, size, "%s", val);
		return;
	}
	long long ms = strtoll(val, NULL, 10);
	time_t secs = (time_t)(ms / 1000);
	int rem = (int)(ms % 1000);
	if (rem < 0)
		secs--, rem += 1000;
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%03dZ", rem);
}
