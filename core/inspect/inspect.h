/*
 * inspect/: commands that read a history and its database to report on
 * them, changing nothing.  doctor: every problem of the history in one run
 * (doctor.c walks the ledger, doctor_objects.c keeps the model of which
 * migration created which object, doctor_rows.c reads the tracking rows).
 * convert: the history written in another format (convert.c; files only,
 * no database written).
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

/* ---- repair (strata repair; status -v and doctor's diffs) ---- */

/* diff.c: the lines of a against b, unified, context lines around each
 * change (malloc'd; "" when equal); *first_line (may be NULL) the 1-based
 * line of b where the first change is, 0 when none. */
char *inspect_diff(const char *a, size_t alen, const char *b, size_t blen, int context,
                   int *first_line);
/* diff.c: m's text as strata_ledger recorded it against its file now
 * (malloc'd), *first_line as inspect_diff's; "" when the two are equal,
 * NULL when no text was kept. */
char *inspect_modified_diff(const migration *m, int context, int *first_line);

/* repair.c: the items of one run (strings owned); mig[i] is v[i]'s. */
typedef struct repair_report {
	strata_repair_item *v;
	migration **mig;
	size_t n;
	size_t repaired, refused;
} repair_report;

/* Each migration that needs it (o->ids: those), decided and, unless
 * o->dry_run, repaired; r gets one item each.  0, or < 0 on an error. */
int inspect_repair(plan *p, const char *url, const strata_repair_opts *o, repair_report *r);
void repair_report_free(repair_report *r);
/* ---- drift: catalog.c (the live objects of a database) and drift.c ---- */

/* Per dialect, as doctor and drift read it: where objects() reads (a
 * scratch URL the driver may change, or none: the text alone), the schema
 * an unqualified name is in, and how names compare.  NULL: not known. */
typedef struct dialect_rules {
	const char *dialect, *scratch, *default_schema;
	bool fold_case;
} inspect_dialect;
const inspect_dialect *inspect_dialect_of(const char *dialect);

typedef struct cat_obj { strata_obj_kind kind; char *schema, *parent, *name, *definition; } cat_obj;
typedef struct catalog { cat_obj *v; size_t n; bool fold_case; const char *default_schema; } catalog;
/* d's live objects, strata_ledger and every tracker's table (and their columns, indexes, constraints, sequences) left out; sorted for catalog_find. 0 or < 0 after an error. */
int catalog_read(plan *p, db *d, catalog *c);
/* NULL: not there.  schema NULL: the dialect's default; parent NULL for kinds that have none; names compared as the dialect compares them. */
const cat_obj *catalog_find(const catalog *c, strata_obj_kind kind, const char *schema, const char *parent, const char *name);
void catalog_free(catalog *c);
/* catalog_find's order: kind, schema (none for schemas and extensions, named
 * database-wide), parent, name. */
int catalog_cmp(const catalog *c, const cat_obj *a, const cat_obj *b);

/* drift.c: the differences of one drift run (strings owned). */
typedef struct drift_report {
	strata_drift_item *v;
	size_t n;
	strata_drift_result sum;
} drift_report;
/* url's live objects against those its applied migrations make on a
 * scratch (scratch_url, NULL: one made as verify makes it).  0, or < 0 on
 * an error (nothing is reported then). */
int inspect_drift(plan *p, const char *url, const char *scratch_url, drift_report *r);
void drift_report_free(drift_report *r);

/* ---- baseline --infer: infer.c (the decision), infer_baseline.c (the command) ---- */
typedef enum infer_verdict { INFER_APPLIED = 1, INFER_PARTIAL, INFER_PENDING, INFER_UNDECIDED } infer_verdict;

/* One migration's decision; strings owned (NULL: none). */
typedef struct infer_item {
	infer_verdict verdict;
	size_t found, expected, gone; /* gone: of found, dropped objects not there */
	char *missing, *present, *reason;
} infer_item;

typedef struct infer_report {
	infer_item *v; /* one per ledger migration, in ledger order */
	size_t n;
} infer_report;

/* Every ledger migration decided on d's live schema (d connected; the plan
 * read: the states of the migrations matter for migrations with nothing
 * to look for).  0, or < 0 (reported). */
int infer_run(plan *p, db *d, infer_report *r);
void infer_report_free(infer_report *r);
/* One verdict per ledger migration (index = ledger order) on d's live schema; *out malloc'd. */
int infer_decide(plan *p, db *d, infer_verdict **out, size_t *n);
/* strata baseline --infer [--dry-run]. */
int inspect_infer_baseline(plan *p, const char *url, bool dry_run, strata_infer_result *out);
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

/* ---- schemas.c: --each-schema's targets ---- */
/* The schemas of url's database whose names match pattern (a shell glob),
 * sorted; an error (reported) when its dialect has none or none matches. */
int inspect_schemas(loader *L, const char *url, const char *pattern, char ***out, size_t *n);
void inspect_schemas_free(char **v, size_t n);

#endif
