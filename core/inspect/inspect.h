/*
 * inspect/: commands that read a history and its database to report on
 * them, changing nothing.  doctor: every problem of the history in one run
 * (doctor.c walks the ledger, doctor_objects.c keeps the model of which
 * migration created which object, doctor_rows.c reads the tracking rows).
 * Uses every layer before it.
 */
#ifndef STRATA_INSPECT_H
#define STRATA_INSPECT_H

#include "run.h"

/* findings.c: the findings of one doctor run (strings owned). */
typedef struct doctor_report {
	strata_finding *v;
	size_t n;
	strata_doctor_result sum;
} doctor_report;

void doctor_add(doctor_report *r, const char *code, strata_severity sev, const char *file,
                int line, int col, const char *migration, const char *fix, const char *fmt, ...)
	STRATA_PRINTF(9, 10);
void doctor_report_free(doctor_report *r);

/* doctor.c: the whole ledger, in order, and (when url's database exists)
 * its tracking rows; r gets every finding.  0, or < 0 on an error that
 * stops the run (a source that cannot be read, a driver that cannot). */
int inspect_doctor(plan *p, const char *url, doctor_report *r);

/* doctor_objects.c: one record of objects() kept, for the model. */
typedef struct doc_obj {
	size_t mig; /* index in the ledger's order */
	strata_obj_action action;
	strata_obj_kind kind;
	char *schema, *name, *pschema, *parent, *new_name, *error;
	unsigned flags;
	int line, col, statement, statements;
	bool own; /* a write to the migration's own tracking table (said apart) */
} doc_obj;

typedef struct doc_objs {
	doc_obj *v;
	size_t n;
	size_t cur; /* the migration whose objects arrive now */
	const char *default_schema; /* the dialect's: "public", "main" */
	bool fold_case;             /* names compare case-blind (SQLite) */
} doc_objs;

int doctor_keep_object(void *ud, const strata_object *o); /* ud: doc_objs, mig set by caller */
void doc_objs_free(doc_objs *os);
/* The model's findings: forward references, second creates, objects
 * assumed to exist, statements the parser rejects. */
void doctor_objects_check(const ledger *lg, const doc_objs *os, doctor_report *r);

/* doctor_rows.c: strata_ledger's and the trackers' rows on d (connected). */
int doctor_rows_check(plan *p, db *d, doctor_report *r);

/* ---- convert.c: strata convert ---- */
/* The report of one convert (strings owned; what: static). */
typedef struct convert_report {
	strata_convert_item *v; /* what was not converted, in ledger order of finding */
	size_t n;
	strata_convert_result sum;
	char *format, *layout, *dialect;
} convert_report;

/* The ledger (with down scripts, the sources told url's dialect) written in
 * the format `to` ("FORMAT[:LAYOUT]") into out_dir, new or empty.  0 (also
 * with items not converted: r->n), or < 0 with the error set. */
int inspect_convert(plan *p, const char *url, const char *to, const char *out_dir,
                    convert_report *r);
void convert_report_free(convert_report *r);

#endif
