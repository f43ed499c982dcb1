/* doctor's model of a history's objects: the records of the driver's
 * objects op, for every migration in ledger order, replayed to know which
 * migration created which object (by namespace, schema and name, compared
 * as the dialect compares them).  A reference, DROP, ALTER, RENAME or write
 * of an object not created yet is a forward reference when a later
 * statement creates it, else the object is assumed to exist (said once);
 * a CREATE of an object an earlier statement created, without IF NOT
 * EXISTS or OR REPLACE, is a second create. */
#include "inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int doctor_keep_object(void *ud, const strata_object *o)
{
	doc_objs *os = ud;
	os->v = xrealloc(os->v, (os->n + 1) * sizeof *os->v);
	os->v[os->n++] = (doc_obj){
		.mig = os->cur, .action = o->action, .kind = o->kind, .schema = xstrdup(o->schema),
		.name = xstrdup(o->name), .pschema = xstrdup(o->parent_schema),
		.parent = xstrdup(o->parent), .new_name = xstrdup(o->new_name),
		.error = xstrdup(o->error), .flags = o->flags, .line = o->line, .col = o->col,
		.statement = o->statement, .statements = o->statements,
	};
	return 0;
}

void doc_objs_free(doc_objs *os)
{
	for (size_t i = 0; i < os->n; i++) {
		doc_obj *o = &os->v[i];
		free(o->schema);
		free(o->name);
		free(o->pschema);
		free(o->parent);
		free(o->new_name);
		free(o->error);
	}
	free(os->v);
	os->v = NULL;
	os->n = 0;
}

/* Namespaces: objects of kinds in one class share names. */
typedef enum ns_class { NS_NONE, NS_RELATION, NS_TYPE, NS_TRIGGER, NS_SCHEMA, NS_EXTENSION } ns_class;

static const struct {
	strata_obj_kind kind;
	ns_class ns;
} classes[] = {
	{STRATA_OBJK_TABLE, NS_RELATION},   {STRATA_OBJK_VIEW, NS_RELATION},
	{STRATA_OBJK_MATVIEW, NS_RELATION}, {STRATA_OBJK_SEQUENCE, NS_RELATION},
	{STRATA_OBJK_INDEX, NS_RELATION},   {STRATA_OBJK_RELATION, NS_RELATION},
	{STRATA_OBJK_TYPE, NS_TYPE},        {STRATA_OBJK_DOMAIN, NS_TYPE},
	{STRATA_OBJK_TRIGGER, NS_TRIGGER},  {STRATA_OBJK_SCHEMA, NS_SCHEMA},
	{STRATA_OBJK_EXTENSION, NS_EXTENSION},
};

static ns_class class_of(strata_obj_kind k)
{
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
		if (classes[i].kind == k)
			return classes[i].ns;
	return NS_NONE; /* columns, constraints, functions: not modelled */
}

/* An object of the model. */
typedef struct key {
	ns_class ns;
	const char *schema, *name;
	strata_obj_kind kind;
} key;

typedef struct entry {
	key k;
	size_t mig;
	int line;
	bool assumed; /* nothing created it: assumed to exist */
	bool gone;    /* dropped, or renamed away */
} entry;

typedef struct model {
	const ledger *lg;
	const doc_objs *os;
	doctor_report *r;
	entry *v;
	size_t n;
	entry *said; /* forward references reported: statement and object */
	size_t nsaid;
} model;

static bool same_name(const doc_objs *os, const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return os->fold_case ? !strcasecmp(a, b) : !strcmp(a, b);
}

static bool same_key(const doc_objs *os, const key *a, const key *b)
{
	const char *sa = a->schema ? a->schema : os->default_schema;
	const char *sb = b->schema ? b->schema : os->default_schema;
	return a->ns == b->ns && same_name(os, sa, sb) && same_name(os, a->name, b->name);
}

static entry *live(model *m, const key *k)
{
	for (size_t i = m->n; i-- > 0;)
		if (!m->v[i].gone && same_key(m->os, &m->v[i].k, k))
			return &m->v[i];
	return NULL;
}

static void add_entry(model *m, const key *k, size_t mig, int line, bool assumed)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->v[m->n++] = (entry){.k = *k, .mig = mig, .line = line, .assumed = assumed};
}

static const migration *mig_of(const model *m, size_t i)
{
	return m->lg->migs[i];
}

static const char *file_of(const model *m, size_t i)
{
	const migration *g = mig_of(m, i);
	return g->info.file ? g->info.file : g->info.id;
}

/* "schema.name" or "name", into buf. */
static const char *shown(const char *schema, const char *name, char *buf, size_t size)
{
	if (schema)
		snprintf(buf, size, "%s.%s", schema, name ? name : "?");
	else
		snprintf(buf, size, "%s", name ? name : "?");
	return buf;
}

/* What the statement does, for a message: "table campaign_metrics refers to". */
static char *describe(const doc_obj *o)
{
	char a[300];
	const char *kind = strata_obj_kind_name(o->kind);
	shown(o->schema, o->name, a, sizeof a);
	switch (o->action) {
	case STRATA_OBJ_REFER:
		return o->name ? xasprintf("%s %s refers to", kind, a) : xstrdup("the statement refers to");
	case STRATA_OBJ_CREATE:
		return xasprintf("CREATE %s %s on", kind, a);
	case STRATA_OBJ_DROP:
		return o->parent ? xasprintf("DROP %s %s on", kind, a) : xstrdup("DROP");
	case STRATA_OBJ_ALTER:
		return xstrdup("ALTER");
	case STRATA_OBJ_RENAME:
		return o->parent ? xasprintf("RENAME %s %s on", kind, a) : xstrdup("RENAME");
	case STRATA_OBJ_WRITE:
		return xstrdup("the statement writes");
	default:
		return xstrdup("the statement uses");
	}
}

/* The first CREATE of k after record i (a later statement or migration). */
static const doc_obj *created_later(const model *m, size_t i, const key *k)
{
	for (size_t j = i + 1; j < m->os->n; j++) {
		const doc_obj *o = &m->os->v[j];
		key c = {class_of(o->kind), o->schema, o->name, o->kind};
		if (o->action == STRATA_OBJ_CREATE && same_key(m->os, &c, k))
			return o;
	}
	return NULL;
}

/* Record i needs object k to exist. */
static void need(model *m, size_t i, const key *k)
{
	const doc_obj *o = &m->os->v[i];
	const migration *g = mig_of(m, o->mig);
	char nm[300];
	if (k->ns == NS_NONE || !k->name || live(m, k))
		return;
	shown(k->schema, k->name, nm, sizeof nm);
	const doc_obj *later = created_later(m, i, k);
	char *what = describe(o);
	if (later) {
		for (size_t j = 0; j < m->nsaid; j++) /* one finding per statement and object */
			if (m->said[j].mig == o->mig && m->said[j].line == o->line &&
			    same_key(m->os, &m->said[j].k, k)) {
				free(what);
				return;
			}
		m->said = xrealloc(m->said, (m->nsaid + 1) * sizeof *m->said);
		m->said[m->nsaid++] = (entry){.k = *k, .mig = o->mig, .line = o->line};
		const char *lf = file_of(m, later->mig);
		char *fix = later->mig == o->mig
		                    ? xasprintf("create %s before this statement: move its CREATE (line "
		                                "%d) up",
		                                nm, later->line)
		                    : xasprintf("create %s first: move its CREATE from %s into an "
		                                "earlier migration, or this statement into a later one",
		                                nm, lf);
		doctor_add(m->r, "forward-reference", STRATA_SEVERITY_ERROR, file_of(m, o->mig), o->line,
		           o->col, g->info.id, fix,
		           "%s %s %s, which is created only later, by %s:%d: it fails on an empty "
		           "database", what, strata_obj_kind_name(later->kind), nm, lf, later->line);
		free(fix);
		free(what);
		return; /* each statement before the CREATE is said */
	} else {
		doctor_add(m->r, "assumed-to-exist", STRATA_SEVERITY_NOTE, file_of(m, o->mig), o->line,
		           o->col, g->info.id,
		           "none if every database has it; else create it in an earlier migration (or "
		           "a baseline)",
		           "%s %s %s, which no migration creates: assumed to exist", what,
		           strata_obj_kind_name(k->kind == STRATA_OBJK_RELATION ? STRATA_OBJK_TABLE : k->kind),
		           nm);
	}
	free(what);
	add_entry(m, k, o->mig, o->line, true); /* said once */
}

static void create(model *m, size_t i)
{
	const doc_obj *o = &m->os->v[i];
	key k = {class_of(o->kind), o->schema, o->name, o->kind};
	if (o->parent) {
		key p = {NS_RELATION, o->pschema, o->parent, STRATA_OBJK_RELATION};
		if (o->kind == STRATA_OBJK_COLUMN || o->kind == STRATA_OBJK_CONSTRAINT)
			need(m, i, &p);
	}
	if (k.ns == NS_NONE || !k.name)
		return;
	entry *e = live(m, &k);
	if (e && !e->assumed && !(o->flags & (STRATA_OBJF_IF_NOT_EXISTS | STRATA_OBJF_OR_REPLACE))) {
		char nm[300];
		const migration *g = mig_of(m, o->mig);
		shown(o->schema, o->name, nm, sizeof nm);
		char *fix = xasprintf("drop this CREATE (the object exists from %s:%d), or drop the "
		                      "object before it",
		                      file_of(m, e->mig), e->line);
		doctor_add(m->r, "already-created", STRATA_SEVERITY_ERROR, file_of(m, o->mig), o->line,
		           o->col, g->info.id, fix,
		           "CREATE %s %s: %s:%d already created it; this fails with \"already exists\"",
		           strata_obj_kind_name(o->kind), nm, file_of(m, e->mig), e->line);
		free(fix);
		return;
	}
	if (e && e->assumed) { /* referred to before: from here on it is this one's */
		e->assumed = false;
		e->mig = o->mig;
		e->line = o->line;
	} else if (!e) {
		add_entry(m, &k, o->mig, o->line, false);
	}
}

static void drop(model *m, size_t i)
{
	const doc_obj *o = &m->os->v[i];
	key k = {class_of(o->kind), o->schema, o->name, o->kind};
	if (k.ns == NS_NONE) { /* a column or constraint: its table */
		key p = {NS_RELATION, o->pschema, o->parent, STRATA_OBJK_RELATION};
		if (o->parent)
			need(m, i, &p);
		return;
	}
	if (!live(m, &k) && !(o->flags & STRATA_OBJF_IF_EXISTS))
		need(m, i, &k);
	entry *e = live(m, &k);
	if (e)
		e->gone = true;
}

static void rename_obj(model *m, size_t i)
{
	const doc_obj *o = &m->os->v[i];
	key k = {class_of(o->kind), o->schema, o->name, o->kind};
	if (k.ns == NS_NONE) {
		key p = {NS_RELATION, o->pschema, o->parent, STRATA_OBJK_RELATION};
		if (o->parent)
			need(m, i, &p);
		return;
	}
	need(m, i, &k);
	entry *e = live(m, &k);
	if (e && o->new_name) {
		e->gone = true;
		key n = {k.ns, o->schema, o->new_name, o->kind};
		add_entry(m, &n, e->mig, e->line, e->assumed);
	}
}

static void check_one(model *m, size_t i)
{
	const doc_obj *o = &m->os->v[i];
	switch (o->action) {
	case STRATA_OBJ_INVALID:
		doctor_add(m->r, "syntax-error", STRATA_SEVERITY_ERROR, file_of(m, o->mig), o->line, o->col,
		           mig_of(m, o->mig)->info.id, "correct the statement: apply stops here",
		           "the dialect's parser rejects this statement: %s", o->error ? o->error : "?");
		break;
	case STRATA_OBJ_CREATE:
		create(m, i);
		break;
	case STRATA_OBJ_DROP:
		drop(m, i);
		break;
	case STRATA_OBJ_RENAME:
		rename_obj(m, i);
		break;
	case STRATA_OBJ_REFER: {
		key p = {class_of(o->kind) == NS_TRIGGER || o->kind == STRATA_OBJK_INDEX ||
		                         class_of(o->kind) == NS_RELATION || o->kind == STRATA_OBJK_NONE ||
		                         o->kind == STRATA_OBJK_COLUMN || o->kind == STRATA_OBJK_CONSTRAINT
		                 ? NS_RELATION
		                 : class_of(o->kind),
		         o->pschema, o->parent, STRATA_OBJK_RELATION};
		need(m, i, &p);
		break;
	}
	case STRATA_OBJ_ALTER:
	case STRATA_OBJ_WRITE: {
		key k = {class_of(o->kind), o->schema, o->name, o->kind};
		need(m, i, &k);
		break;
	}
	}
}

void doctor_objects_check(const ledger *lg, const doc_objs *os, doctor_report *r)
{
	model m = {.lg = lg, .os = os, .r = r};
	for (size_t i = 0; i < os->n; i++)
		if (!os->v[i].own)
			check_one(&m, i);
	free(m.v);
	free(m.said);
}
