/* doctor's findings: each one's strings copied, counted by severity. */
#include "inspect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void doctor_add(doctor_report *r, const char *code, strata_severity sev, const char *file,
                int line, int col, const char *migration, const char *fix, const char *fmt, ...)
{
	va_list ap;
	sbuf b = {0};
	char buf[2048];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sbuf_puts(&b, buf);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = (strata_finding){
		.code = xstrdup(code), .severity = sev, .file = xstrdup(file), .line = line, .col = col,
		.migration = xstrdup(migration), .message = sbuf_take(&b), .fix = xstrdup(fix),
	};
	if (sev == STRATA_SEVERITY_ERROR)
		r->sum.errors++;
	else if (sev == STRATA_SEVERITY_WARNING)
		r->sum.warnings++;
	else
		r->sum.notes++;
}

void doctor_report_free(doctor_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((char *)r->v[i].code);
		free((char *)r->v[i].file);
		free((char *)r->v[i].migration);
		free((char *)r->v[i].message);
		free((char *)r->v[i].fix);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
