/*
 * What each statement of a script does to which object (the driver's
 * objects op, for `strata doctor`).  SQLite has no syntax tree to hand out,
 * so its own parser is asked through the authorizer: each statement is
 * prepared on the scratch database the host made for the walk, the
 * authorizer notes what SQLite checks (SQLITE_CREATE_TABLE, SQLITE_READ of
 * a table, SQLITE_INSERT, …), and the statement is then stepped there, so
 * the next one sees its effect.  A statement that does not prepare tells by
 * its message: "no such table: X" is a reference to X (a DROP or ALTER of
 * X when the statement is one), "table X already exists" a create of an
 * existing object.  What the authorizer is not told (IF NOT EXISTS, the
 * name of a renamed table, the column ALTER TABLE adds) is read from the
 * statement's tokens with SQLite's lexical rules (sqlite_lex.c).  After a
 * CREATE TABLE, PRAGMA foreign_key_list gives the tables its FOREIGN KEYs
 * name; after a CREATE VIEW, a prepare of SELECT * FROM it gives the
 * tables it reads.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

#define MAX_NOTES 64
#define NAME_MAX_LEN 256

/* One thing the authorizer was told. */
typedef struct note {
	strata_obj_action action;
	strata_obj_kind kind;
	char name[NAME_MAX_LEN], parent[NAME_MAX_LEN];
} note;

typedef struct notes {
	note n[MAX_NOTES];
	int count;
} notes;

/* The authorizer's action codes that name an object, as objects() reports them. */
static const struct {
	int code;
	strata_obj_action action;
	strata_obj_kind kind;
	int parent_arg; /* 2: arg2 is the table (index, trigger) */
} codes[] = {
	{SQLITE_CREATE_TABLE, STRATA_OBJ_CREATE, STRATA_OBJK_TABLE, 0},
	{SQLITE_CREATE_TEMP_TABLE, STRATA_OBJ_CREATE, STRATA_OBJK_TABLE, 0},
	{SQLITE_CREATE_INDEX, STRATA_OBJ_CREATE, STRATA_OBJK_INDEX, 2},
	{SQLITE_CREATE_TEMP_INDEX, STRATA_OBJ_CREATE, STRATA_OBJK_INDEX, 2},
	{SQLITE_CREATE_VIEW, STRATA_OBJ_CREATE, STRATA_OBJK_VIEW, 0},
	{SQLITE_CREATE_TEMP_VIEW, STRATA_OBJ_CREATE, STRATA_OBJK_VIEW, 0},
	{SQLITE_CREATE_TRIGGER, STRATA_OBJ_CREATE, STRATA_OBJK_TRIGGER, 2},
	{SQLITE_CREATE_TEMP_TRIGGER, STRATA_OBJ_CREATE, STRATA_OBJK_TRIGGER, 2},
	{SQLITE_DROP_TABLE, STRATA_OBJ_DROP, STRATA_OBJK_TABLE, 0},
	{SQLITE_DROP_TEMP_TABLE, STRATA_OBJ_DROP, STRATA_OBJK_TABLE, 0},
	{SQLITE_DROP_INDEX, STRATA_OBJ_DROP, STRATA_OBJK_INDEX, 2},
	{SQLITE_DROP_TEMP_INDEX, STRATA_OBJ_DROP, STRATA_OBJK_INDEX, 2},
	{SQLITE_DROP_VIEW, STRATA_OBJ_DROP, STRATA_OBJK_VIEW, 0},
	{SQLITE_DROP_TEMP_VIEW, STRATA_OBJ_DROP, STRATA_OBJK_VIEW, 0},
	{SQLITE_DROP_TRIGGER, STRATA_OBJ_DROP, STRATA_OBJK_TRIGGER, 2},
	{SQLITE_DROP_TEMP_TRIGGER, STRATA_OBJ_DROP, STRATA_OBJK_TRIGGER, 2},
	{SQLITE_INSERT, STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, 0},
	{SQLITE_UPDATE, STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, 0},
	{SQLITE_DELETE, STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, 0},
	{SQLITE_READ, STRATA_OBJ_REFER, STRATA_OBJK_TABLE, 0},
};

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, NAME_MAX_LEN, "%s", src ? src : "");
}

static int internal(const char *name)
{
	return name && sqlite3_strnicmp(name, "sqlite_", 7) == 0;
}

static void add(notes *ns, strata_obj_action a, strata_obj_kind k, const char *name,
                const char *parent)
{
	for (int i = 0; i < ns->count; i++) /* SQLITE_READ comes once per column */
		if (ns->n[i].action == a && ns->n[i].kind == k && !sqlite3_stricmp(ns->n[i].name, name ? name : "") &&
		    !sqlite3_stricmp(ns->n[i].parent, parent ? parent : ""))
			return;
	if (ns->count == MAX_NOTES)
		return;
	note *n = &ns->n[ns->count++];
	n->action = a;
	n->kind = k;
	copy_name(n->name, name);
	copy_name(n->parent, parent);
}

static int watch(void *ud, int action, const char *a1, const char *a2, const char *db,
                 const char *trigger)
{
	notes *ns = ud;

	if (action == SQLITE_ATTACH || action == SQLITE_DETACH)
		return SQLITE_DENY; /* the scratch never reaches a file */
	if (trigger)
		return SQLITE_OK; /* what a trigger does is its own statement's */
	if (action == SQLITE_ALTER_TABLE) {
		if (!internal(a2))
			add(ns, STRATA_OBJ_ALTER, STRATA_OBJK_TABLE, a2, NULL);
		return SQLITE_OK;
	}
	(void)db;
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
		if (codes[i].code != action || internal(a1))
			continue;
		if (codes[i].action == STRATA_OBJ_REFER)
			add(ns, STRATA_OBJ_REFER, STRATA_OBJK_RELATION, NULL, a1);
		else
			add(ns, codes[i].action, codes[i].kind, a1, codes[i].parent_arg ? a2 : NULL);
	}
	return SQLITE_OK;
}

/* ---- the statement's tokens ---- */

#define MAX_TOKS 16
typedef struct toks {
	const char *p[MAX_TOKS], *q[MAX_TOKS];
	int n;
} toks;

static void tokens(const char *p, const char *end, toks *t)
{
	const char *q;
	t->n = 0;
	for (p = sqlite_lex_token(p, end, &q); p < end && t->n < MAX_TOKS;
	     p = sqlite_lex_token(q, end, &q)) {
		t->p[t->n] = p;
		t->q[t->n++] = q;
	}
}

static int is(const toks *t, int i, const char *w)
{
	size_t n;
	if (i >= t->n)
		return 0;
	n = (size_t)(t->q[i] - t->p[i]);
	return n == strlen(w) && sqlite3_strnicmp(t->p[i], w, (int)n) == 0;
}

/* Token i as a name, quotes stripped (dst of NAME_MAX_LEN). */
static const char *name_at(const toks *t, int i, char *dst)
{
	const char *p, *q;
	if (i >= t->n)
		return NULL;
	p = t->p[i];
	q = t->q[i];
	if (q - p >= 2 && (*p == '"' || *p == '`' || *p == '[' || *p == '\'')) {
		p++;
		q--;
	}
	snprintf(dst, NAME_MAX_LEN, "%.*s", (int)(q - p), p);
	return dst;
}

/* [schema.]name from token i: the index of the name token. */
static int qualified_at(const toks *t, int i)
{
	return i + 1 < t->n && t->q[i + 1] - t->p[i + 1] == 1 && *t->p[i + 1] == '.' ? i + 2 : i;
}

/* What the statement's first words say: its object's kind, name and flags. */
typedef struct head {
	strata_obj_action action; /* CREATE, DROP, ALTER, or 0 for others */
	strata_obj_kind kind;
	unsigned flags;
	char name[NAME_MAX_LEN];
	/* ALTER TABLE: RENAME TO new, ADD [COLUMN] col, DROP [COLUMN] col, RENAME [COLUMN] a TO b */
	strata_obj_action sub;
	char sub_name[NAME_MAX_LEN], new_name[NAME_MAX_LEN];
	int vacuum;
	int writes; /* INSERT, REPLACE, UPDATE, DELETE (or WITH …) */
} head;

static const struct {
	const char *word;
	strata_obj_kind kind;
} kinds[] = {
	{"table", STRATA_OBJK_TABLE}, {"index", STRATA_OBJK_INDEX},
	{"view", STRATA_OBJK_VIEW},   {"trigger", STRATA_OBJK_TRIGGER},
};

static void read_alter(const toks *t, int i, head *h)
{
	if (is(t, i, "rename") && is(t, i + 1, "to")) {
		h->sub = STRATA_OBJ_RENAME;
		name_at(t, i + 2, h->new_name);
	} else if (is(t, i, "rename")) {
		int c = is(t, i + 1, "column") ? i + 2 : i + 1;
		h->sub = STRATA_OBJ_RENAME;
		name_at(t, c, h->sub_name);
		name_at(t, c + 2, h->new_name);
	} else if (is(t, i, "add")) {
		h->sub = STRATA_OBJ_CREATE;
		name_at(t, is(t, i + 1, "column") ? i + 2 : i + 1, h->sub_name);
	} else if (is(t, i, "drop")) {
		h->sub = STRATA_OBJ_DROP;
		name_at(t, is(t, i + 1, "column") ? i + 2 : i + 1, h->sub_name);
	}
}

static void read_head(const char *p, const char *end, head *h)
{
	toks t;
	int i = 1;
	memset(h, 0, sizeof *h);
	tokens(p, end, &t);
	h->vacuum = is(&t, 0, "vacuum");
	h->writes = is(&t, 0, "insert") || is(&t, 0, "replace") || is(&t, 0, "update") ||
	            is(&t, 0, "delete") || is(&t, 0, "with");
	if (is(&t, 0, "create"))
		h->action = STRATA_OBJ_CREATE;
	else if (is(&t, 0, "drop"))
		h->action = STRATA_OBJ_DROP;
	else if (is(&t, 0, "alter"))
		h->action = STRATA_OBJ_ALTER;
	else
		return;
	if (is(&t, i, "temp") || is(&t, i, "temporary") || is(&t, i, "unique") || is(&t, i, "virtual"))
		i++;
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
		if (is(&t, i, kinds[k].word))
			h->kind = kinds[k].kind;
	if (!h->kind) {
		h->action = 0;
		return;
	}
	i++;
	if (is(&t, i, "if") && is(&t, i + 1, "not") && is(&t, i + 2, "exists")) {
		h->flags |= STRATA_OBJF_IF_NOT_EXISTS;
		i += 3;
	} else if (is(&t, i, "if") && is(&t, i + 1, "exists")) {
		h->flags |= STRATA_OBJF_IF_EXISTS;
		i += 2;
	}
	i = qualified_at(&t, i);
	name_at(&t, i, h->name);
	if (h->action == STRATA_OBJ_ALTER)
		read_alter(&t, i + 1, h);
}

/* ---- reporting ---- */

typedef struct walk {
	strata_host *host;
	const strata_script *s;
	strata_object_fn fn;
	void *ud;
	int line, col, statement;
	int rc;
} walk;

static void emit(walk *w, strata_obj_action a, strata_obj_kind k, const char *name,
                 const char *parent, const char *new_name, unsigned flags)
{
	strata_object o = {
		.version = STRATA_OBJECT_VERSION, .struct_size = sizeof o, .action = a, .kind = k,
		.name = name && *name ? name : NULL, .parent = parent && *parent ? parent : NULL,
		.new_name = new_name && *new_name ? new_name : NULL, .flags = flags, .line = w->line,
		.col = w->col, .statement = w->statement,
	};
	if (!w->rc)
		w->rc = w->fn(w->ud, &o);
}

static void invalid(walk *w, const char *text, const char *at, const char *msg)
{
	strata_object o = {.version = STRATA_OBJECT_VERSION, .struct_size = sizeof o,
	                   .action = STRATA_OBJ_INVALID, .statement = w->statement, .error = msg};
	sqlite_locate(w->s, (size_t)(at - text), &o.line, &o.col);
	if (!w->rc)
		w->rc = w->fn(w->ud, &o);
}

/* The notes of a statement that prepared, with what its head adds. */
static void report(walk *w, const notes *ns, const head *h)
{
	int created = 0;
	const char *self = h->action == STRATA_OBJ_CREATE ? h->name : NULL;
	for (int i = 0; i < ns->count; i++) {
		const note *n = &ns->n[i];
		unsigned f = n->action == h->action && n->kind == h->kind ? h->flags : 0;
		if (n->action == STRATA_OBJ_CREATE && n->kind == h->kind)
			created = 1;
		if (n->action == STRATA_OBJ_WRITE && h->action)
			continue; /* DROP TABLE deletes its rows: SQLite's doing, not a write */
		if (n->action == STRATA_OBJ_REFER) {
			if (!self || sqlite3_stricmp(self, n->parent))
				emit(w, STRATA_OBJ_REFER, h->kind ? h->kind : STRATA_OBJK_NONE, self, n->parent, NULL, 0);
			continue;
		}
		if (n->action == STRATA_OBJ_ALTER && h->sub == STRATA_OBJ_RENAME && !h->sub_name[0]) {
			emit(w, STRATA_OBJ_RENAME, STRATA_OBJK_TABLE, n->name, NULL, h->new_name, 0);
			continue;
		}
		if ((n->kind == STRATA_OBJK_INDEX || n->kind == STRATA_OBJK_TRIGGER) && n->parent[0] &&
		    n->action == STRATA_OBJ_CREATE)
			emit(w, STRATA_OBJ_REFER, n->kind, n->name, n->parent, NULL, 0);
		emit(w, n->action, n->kind, n->name, n->parent, NULL, f);
		if (n->action == STRATA_OBJ_ALTER && h->sub && h->sub_name[0])
			emit(w, h->sub, STRATA_OBJK_COLUMN, h->sub_name, n->name, h->new_name, 0);
	}
	/* CREATE … IF NOT EXISTS of an object that exists: SQLite may not ask */
	if (h->action == STRATA_OBJ_CREATE && !created && h->name[0])
		emit(w, STRATA_OBJ_CREATE, h->kind, h->name, NULL, NULL, h->flags);
}

static int fk_row(void *ud, int ncols, char **vals, char **names)
{
	(void)names;
	if (ncols > 2 && vals[2])
		add(ud, STRATA_OBJ_REFER, STRATA_OBJK_RELATION, NULL, vals[2]);
	return 0;
}

/* "no such table: main.X" → X; "table X already exists" → kind, X. */
static int missing_name(const char *msg, char *dst)
{
	static const char *const prefixes[] = {"no such table: ", "no such index: ", "no such view: ",
	                                       "no such trigger: ", NULL};
	for (size_t i = 0; prefixes[i]; i++) {
		size_t k = strlen(prefixes[i]);
		if (!strncmp(msg, prefixes[i], k)) {
			const char *n = msg + k, *dot = strchr(n, '.');
			if (dot && (!strncmp(n, "main.", 5) || !strncmp(n, "temp.", 5)))
				n = dot + 1;
			copy_name(dst, n);
			return 1;
		}
	}
	return 0;
}

static strata_obj_kind existing_kind(const char *msg, char *dst)
{
	const char *sp = strchr(msg, ' '), *tail = strstr(msg, " already exists");
	if (!sp || !tail || tail <= sp || tail[15] != '\0')
		return STRATA_OBJK_NONE;
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
		if ((size_t)(sp - msg) == strlen(kinds[k].word) && !strncmp(msg, kinds[k].word, (size_t)(sp - msg))) {
			snprintf(dst, NAME_MAX_LEN, "%.*s", (int)(tail - sp - 1), sp + 1);
			return kinds[k].kind;
		}
	return STRATA_OBJK_NONE;
}

/* A statement that did not prepare: what its message and head say. */
static void failed(walk *w, const char *text, const char *start, const head *h, const char *msg,
                   int off)
{
	char name[NAME_MAX_LEN];
	strata_obj_kind k;
	if (missing_name(msg, name)) {
		if (h->writes) { /* the table a write names is the one missing, most likely */
			emit(w, STRATA_OBJ_WRITE, STRATA_OBJK_TABLE, name, NULL, NULL, 0);
		} else if (h->action == STRATA_OBJ_DROP ||
		           (h->action == STRATA_OBJ_ALTER && !sqlite3_stricmp(name, h->name))) {
			emit(w, h->action, h->kind, name, NULL, NULL, h->flags);
		} else {
			emit(w, STRATA_OBJ_REFER, h->kind, h->action == STRATA_OBJ_CREATE ? h->name : NULL, name,
			     NULL, 0);
			if (h->action == STRATA_OBJ_CREATE)
				emit(w, STRATA_OBJ_CREATE, h->kind, h->name, name, NULL, h->flags);
		}
	} else if ((k = existing_kind(msg, name)) != STRATA_OBJK_NONE) {
		emit(w, STRATA_OBJ_CREATE, h->kind ? h->kind : k, h->name[0] ? h->name : name, NULL, NULL,
		     h->flags);
	} else {
		invalid(w, text, off >= 0 ? start + off : start, msg);
	}
}

static void view_reads(walk *w, sqlite3 *db, const char *view, notes *ns)
{
	char *q = sqlite3_mprintf("SELECT * FROM \"%w\"", view);
	sqlite3_stmt *st = NULL;
	char name[NAME_MAX_LEN];
	(void)w;
	if (!q)
		return;
	ns->count = 0;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK &&
	    missing_name(sqlite3_errmsg(db), name))
		add(ns, STRATA_OBJ_REFER, STRATA_OBJK_RELATION, NULL, name);
	sqlite3_finalize(st);
	sqlite3_free(q);
}

/* After the statement ran: the tables a new table's FOREIGN KEYs and a new
 * view's query name, as references of that object. */
static void afterwards(walk *w, sqlite3 *db, const head *h)
{
	notes ns = {.count = 0};
	if (h->action != STRATA_OBJ_CREATE || !h->name[0])
		return;
	if (h->kind == STRATA_OBJK_TABLE) {
		char *q = sqlite3_mprintf("PRAGMA foreign_key_list(\"%w\")", h->name);
		if (q)
			sqlite3_exec(db, q, fk_row, &ns, NULL);
		sqlite3_free(q);
	} else if (h->kind == STRATA_OBJK_VIEW) {
		sqlite3_set_authorizer(db, watch, &ns);
		view_reads(w, db, h->name, &ns);
		sqlite3_set_authorizer(db, NULL, NULL);
	} else {
		return;
	}
	for (int i = 0; i < ns.count; i++)
		if (ns.n[i].action == STRATA_OBJ_REFER && sqlite3_stricmp(ns.n[i].parent, h->name))
			emit(w, STRATA_OBJ_REFER, h->kind, h->name, ns.n[i].parent, NULL, 0);
}

int sqlite_drv_objects(strata_conn *conn, strata_host *host, const strata_script *s,
                       unsigned int flags, strata_object_fn fn, void *ud)
{
	walk w = {.host = host, .s = s, .fn = fn, .ud = ud};
	char *text, *p, *end;

	if (!conn || !conn->db || !(flags & STRATA_OBJECTS_SCRATCH))
		return STRATA_ENOTFOUND;
	if (s->len == 0)
		return 0;
	if (s->len > INT_MAX) {
		host->error(host, STRATA_ECLASS_SQL, s->file, s->line, 0, NULL, "script too large to read");
		return STRATA_EINVAL;
	}
	text = malloc(s->len + 1);
	if (!text)
		return strata_oom(host);
	memcpy(text, s->sql, s->len);
	text[s->len] = '\0';
	for (p = text, end = text + s->len; p < end && !w.rc;) {
		char *start = (char *)sqlite_statement_start(p, end);
		const char *tail = NULL;
		sqlite3_stmt *st = NULL;
		notes ns = {.count = 0};
		head h;
		int rc;

		if (start == end)
			break;
		w.statement++;
		sqlite_locate(s, (size_t)(start - text), &w.line, &w.col);
		sqlite3_set_authorizer(conn->db, watch, &ns);
		rc = sqlite3_prepare_v2(conn->db, start, -1, &st, &tail);
		sqlite3_set_authorizer(conn->db, NULL, NULL);
		if (rc != SQLITE_OK) {
			char *stop = sqlite_complete_end(start, end);
			read_head(start, stop, &h);
			failed(&w, text, start, &h, sqlite3_errmsg(conn->db), sqlite3_error_offset(conn->db));
			p = stop;
			continue;
		}
		if (!st || !tail || tail <= start || tail > end) {
			sqlite3_finalize(st);
			if (!st && tail > start && tail <= end) {
				p = (char *)tail;
				w.statement--;
				continue;
			}
			break; /* a NUL byte */
		}
		read_head(start, tail, &h);
		report(&w, &ns, &h);
		if (!h.vacuum && !sqlite3_stmt_isexplain(st))
			while (sqlite3_step(st) == SQLITE_ROW)
				;
		sqlite3_finalize(st);
		afterwards(&w, conn->db, &h);
		p = (char *)tail;
	}
	free(text);
	return w.rc == STRATA_STOP ? 0 : w.rc;
}
