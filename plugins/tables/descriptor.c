/*
 * A tracker descriptor (formats/trackers/NAME.yaml) read with libyaml into
 * a tb_desc.  Keys that name columns (key, order, flag, error, finished,
 * states, events' set) are resolved after columns: whatever order the
 * file gives them in.  docs/trackers.md is the reference for every key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables_int.h"
#include "ydoc.h"

/* The root's nodes, kept until columns are known. */
typedef struct pending {
	tb_desc *d;
	yaml_node_t *key, *order, *flag, *error, *finished, *states, *events, *columns, *kinds;
	yaml_node_t *tracker_node;
} pending;

static const struct {
	const char *word;
	tb_kind kind;
} kinds[] = {
	{"version", K_VERSION}, {"version-int", K_VERSION_INT}, {"version-digits", K_VERSION_DIGITS},
	{"name", K_NAME}, {"name-version", K_NAME_VERSION},
	{"description", K_DESCRIPTION}, {"file", K_FILE}, {"file-stem", K_FILE_STEM},
	{"checksum", K_CHECKSUM}, {"now", K_NOW}, {"now-ms", K_NOW_MS},
	{"execution-ms", K_EXEC_MS}, {"error", K_ERROR}, {"uuid", K_UUID},
	{"next-rank", K_NEXT_RANK}, {"batch", K_BATCH}, {"user", K_USER},
	{"native-key", K_NATIVE_KEY}, {"version-dots", K_VERSION_DOTS},
	{"auto", K_AUTO}, {"true", K_TRUE}, {"false", K_FALSE}, {"null", K_NULL},
};

#define KINDS_HINT                                                                          \
	"a column gets one of: version version-int version-digits name name-version description file file-stem file-base:SUFFIX " \
	"checksum now now-ms execution-ms error uuid next-rank batch user native-key auto true false null " \
	"text:VALUE int:N"

/* A column's value word; `tests` allows not-null (states' is:) and only the
 * literals. */
static int parse_value(yd_doc *y, yaml_node_t *n, bool tests, tb_value *out)
{
	const char *s = yd_scalar(y, n, "a value");
	if (!s)
		return STRATA_EINVAL;
	out->text = NULL;
	if (!strncmp(s, "text:", 5) || !strncmp(s, "int:", 4)) {
		bool is_int = s[0] == 'i';
		const char *v = s + (is_int ? 4 : 5);
		if (is_int && (!*v || strspn(v + (*v == '-'), "0123456789") != strlen(v + (*v == '-'))))
			return yd_bad(y, n, "write int: and digits, e.g. int:0", "'%s' is not an integer",
			               s);
		out->kind = is_int ? K_INT : K_TEXT;
		out->text = strdup(v);
		return out->text ? STRATA_OK : strata_oom(y->h);
	}
	if (!tests && !strncmp(s, "file-base:", 10)) {
		out->kind = K_FILE_BASE;
		out->text = strdup(s + 10);
		return out->text ? STRATA_OK : strata_oom(y->h);
	}
	if (tests) {
		static const char *const words[] = {"true", "false", "null", "not-null"};
		static const tb_kind k[] = {K_TRUE, K_FALSE, K_NULL, K_NOT_NULL};
		for (size_t i = 0; i < 4; i++)
			if (!strcmp(s, words[i])) {
				out->kind = k[i];
				return STRATA_OK;
			}
		return yd_bad(y, n, "is: takes true, false, null, not-null, text:VALUE or int:N",
		               "unknown test '%s'", s);
	}
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(s, kinds[i].word)) {
			out->kind = kinds[i].kind;
			return STRATA_OK;
		}
	return yd_bad(y, n, KINDS_HINT, "unknown value '%s'", s);
}

long tb_column_index(const tb_desc *d, const char *name)
{
	for (size_t i = 0; i < d->ncols; i++)
		if (!strcmp(d->cols[i].name, name))
			return (long)i;
	return -1;
}

/* A scalar naming one of the columns. */
static int column_ref(yd_doc *y, const tb_desc *d, yaml_node_t *n, const char *what, long *out)
{
	const char *s = yd_scalar(y, n, what);
	if (!s)
		return STRATA_EINVAL;
	*out = tb_column_index(d, s);
	if (*out < 0)
		return yd_bad(y, n, "name a column listed under columns:",
		               "%s names '%s', which is not a column", what, s);
	return STRATA_OK;
}

/* ---- scalar keys of the root ---- */

static int f_tracker(yd_doc *y, yaml_node_t *v, void *t)
{
	pending *p = t;
	p->tracker_node = v;
	int rc = yd_string(y, v, "tracker", &p->d->name);
	if (rc == STRATA_OK && strcmp(p->d->name, y->name))
		return yd_bad(y, v, "the file must be named after its tracker",
		               "tracker '%s' does not match the file name '%s.yaml'", p->d->name,
		               y->name);
	return rc;
}

static int f_summary(yd_doc *y, yaml_node_t *v, void *t)
{
	return yd_string(y, v, "summary", &((pending *)t)->d->summary);
}

static bool ident_ok(const char *s)
{
	return *s && strlen(s) < 64 && !strchr(s, '\n');
}

static int f_table(yd_doc *y, yaml_node_t *v, void *t)
{
	tb_desc *d = ((pending *)t)->d;
	int rc = yd_string(y, v, "table", &d->table);
	if (rc == STRATA_OK && !ident_ok(d->table))
		return yd_bad(y, v, "a table name has 1 to 63 characters", "bad table name '%s'",
		               d->table);
	return rc;
}

static int schema_name(yd_doc *y, yaml_node_t *v, const char *what, char **out)
{
	int rc = yd_string(y, v, what, out);
	if (rc == STRATA_OK && !ident_ok(*out))
		return yd_bad(y, v, "a schema name has 1 to 63 characters", "bad schema name '%s'",
		               *out);
	return rc;
}

static int f_schema_sqlite(yd_doc *y, yaml_node_t *v, void *t)
{
	return schema_name(y, v, "schema.sqlite", &((tb_desc *)t)->schema_sqlite);
}

static int f_schema_pg(yd_doc *y, yaml_node_t *v, void *t)
{
	return schema_name(y, v, "schema.postgresql", &((tb_desc *)t)->schema_pg);
}

static const yd_field schema_fields[] = {
	{"sqlite", 0, f_schema_sqlite},
	{"postgresql", 0, f_schema_pg},
	{NULL, 0, NULL},
};

/* schema: NAME, or per dialect ({postgresql: drizzle}: Drizzle's schema on
 * PostgreSQL, none on SQLite); the dialect's is picked once loaded. */
static int f_schema(yd_doc *y, yaml_node_t *v, void *t)
{
	tb_desc *d = ((pending *)t)->d;
	if (v->type == YAML_MAPPING_NODE) {
		d->schema_per_dialect = true;
		return yd_map(y, v, "'schema'", schema_fields, d);
	}
	return schema_name(y, v, "schema", &d->schema);
}

/* The connection's dialect picks a per-dialect schema (PostgreSQL's when
 * the host has no database yet). */
static int pick_schema(yd_doc *y, tb_desc *d)
{
	if (!d->schema_per_dialect)
		return STRATA_OK;
	const char *dl = y->h->db_dialect ? y->h->db_dialect(y->h) : NULL;
	const char *s = dl && !strcmp(dl, "sqlite") ? d->schema_sqlite : d->schema_pg;
	if (s && !(d->schema = strdup(s)))
		return strata_oom(y->h);
	return STRATA_OK;
}

static int f_create_sqlite(yd_doc *y, yaml_node_t *v, void *t)
{
	return yd_string(y, v, "create.sqlite", &((tb_desc *)t)->create_sqlite);
}

static int f_create_pg(yd_doc *y, yaml_node_t *v, void *t)
{
	return yd_string(y, v, "create.postgresql", &((tb_desc *)t)->create_pg);
}

static const yd_field create_fields[] = {
	{"sqlite", 0, f_create_sqlite},
	{"postgresql", 0, f_create_pg},
	{NULL, 0, NULL},
};

static int f_create(yd_doc *y, yaml_node_t *v, void *t)
{
	return yd_map(y, v, "'create'", create_fields, ((pending *)t)->d);
}

static int f_checksum(yd_doc *y, yaml_node_t *v, void *t)
{
	static const char *const words[] = {"none", "sha256", "md5", "crc32", "sha256-file"};
	const char *s = yd_scalar(y, v, "checksum");
	if (!s)
		return STRATA_EINVAL;
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(s, words[i])) {
			((pending *)t)->d->sum = (tb_sum)i;
			return STRATA_OK;
		}
	return yd_bad(y, v, "checksum: none, sha256, md5, crc32 (Flyway's) or sha256-file",
	               "unknown checksum rule '%s'", s);
}

static int f_feature(yd_doc *y, yaml_node_t *v, void *t)
{
	static const char *const words[] = {"none", "single-row", "history", "watermark",
	                                    "events-log"};
	const char *s = yd_scalar(y, v, "feature");
	if (!s)
		return STRATA_EINVAL;
	for (size_t i = 0; i < 5; i++)
		if (!strcmp(s, words[i])) {
			((pending *)t)->d->feature = (tb_feature)i;
			return STRATA_OK;
		}
	return yd_bad(y, v, "feature: single-row, history, watermark or events-log",
	               "unknown feature '%s'", s);
}

/* The column-referring keys wait for columns:. */
#define STASH(fn, field)                                          \
	static int fn(yd_doc *y, yaml_node_t *v, void *t)        \
	{                                                         \
		(void)y;                                          \
		((pending *)t)->field = v;                        \
		return STRATA_OK;                                 \
	}
STASH(f_columns, columns)
STASH(f_key, key)
STASH(f_order, order)
STASH(f_flag, flag)
STASH(f_error, error)
STASH(f_finished, finished)
STASH(f_states, states)
STASH(f_events, events)
STASH(f_kinds, kinds)

static const yd_field root_fields[] = {
	{"tracker", 1, f_tracker},   {"summary", 0, f_summary},   {"table", 1, f_table},
	{"schema", 0, f_schema},     {"create", 1, f_create},     {"columns", 1, f_columns},
	{"key", 1, f_key},           {"order", 0, f_order},       {"checksum", 0, f_checksum},
	{"feature", 0, f_feature},   {"flag", 0, f_flag},         {"error", 0, f_error},
	{"finished", 0, f_finished}, {"states", 0, f_states},     {"events", 0, f_events},
	{"kinds", 0, f_kinds},       {NULL, 0, NULL},
};

/* ---- the column-referring keys ---- */

/* A column's value, or per dialect ({postgresql: now, sqlite: now-ms}:
 * knex writes a Date as milliseconds on SQLite): both are checked, the
 * connection's dialect's is kept (PostgreSQL's when the host has no database
 * yet, as for schema:). */
static int column_value(yd_doc *y, yaml_node_t *n, tb_value *out)
{
	if (n->type != YAML_MAPPING_NODE)
		return parse_value(y, n, false, out);
	const char *dl = y->h->db_dialect ? y->h->db_dialect(y->h) : NULL;
	const char *want = dl && !strcmp(dl, "sqlite") ? "sqlite" : "postgresql";
	bool seen[2] = {false, false};
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yd_node(y, p->key);
		const char *ks = yd_scalar(y, k, "a dialect");
		if (!ks)
			return STRATA_EINVAL;
		int which = !strcmp(ks, "sqlite") ? 0 : !strcmp(ks, "postgresql") ? 1 : -1;
		if (which < 0 || seen[which])
			return yd_bad(y, k, "a per-dialect value has the keys postgresql and sqlite",
			               "unknown or repeated dialect '%s'", ks);
		seen[which] = true;
		tb_value v = {0};
		int rc = parse_value(y, yd_node(y, p->value), false, &v);
		if (rc < 0)
			return rc;
		if (!strcmp(ks, want)) {
			*out = v;
		} else {
			free(v.text);
		}
	}
	if (!seen[0] || !seen[1])
		return yd_bad(y, n, "a per-dialect value has the keys postgresql and sqlite",
		               "the value names no %s one", seen[0] ? "postgresql" : "sqlite");
	return STRATA_OK;
}

static int parse_columns(yd_doc *y, tb_desc *d, yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE)
		return yd_bad(y, v, "columns: maps each column to what strata writes there",
		               "'columns' must be a mapping");
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	if (!n)
		return yd_bad(y, v, NULL, "'columns' lists no column");
	if (!(d->cols = calloc(n, sizeof *d->cols)))
		return strata_oom(y->h);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
		yaml_node_t *k = yd_node(y, p->key);
		tb_column *c = &d->cols[i];
		int rc = yd_string(y, k, "a column name", &c->name);
		d->ncols = i + 1;
		if (rc < 0)
			return rc;
		if (!ident_ok(c->name))
			return yd_bad(y, k, NULL, "bad column name '%s'", c->name);
		if (tb_column_index(d, c->name) != (long)i)
			return yd_bad(y, k, NULL, "column '%s' is listed twice", c->name);
		if ((rc = column_value(y, yd_node(y, p->value), &c->v)) < 0)
			return rc;
	}
	return STRATA_OK;
}

static int parse_key(yd_doc *y, tb_desc *d, yaml_node_t *v)
{
	if (v->type == YAML_SCALAR_NODE) {
		long c = -1;
		int rc = column_ref(y, d, v, "key", &c);
		d->key[0] = (size_t)c;
		d->nkey = rc < 0 ? 0 : 1;
		return rc;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return yd_bad(y, v, NULL, "'key' must be a column or a list of columns");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!n || n > 8)
		return yd_bad(y, v, NULL, "'key' lists 1 to 8 columns");
	for (size_t i = 0; i < n; i++) {
		long c;
		int rc = column_ref(y, d, yd_node(y, v->data.sequence.items.start[i]), "key", &c);
		if (rc < 0)
			return rc;
		d->key[d->nkey++] = (size_t)c;
	}
	return STRATA_OK;
}

static const struct {
	const char *word;
	tb_action act;
} actions[] = {
	{"nothing", A_NOTHING}, {"insert", A_INSERT}, {"update", A_UPDATE},
	{"upsert", A_UPSERT},   {"delete", A_DELETE},
};

static int parse_action(yd_doc *y, yaml_node_t *n, tb_action *out)
{
	const char *s = yd_scalar(y, n, "an action");
	if (!s)
		return STRATA_EINVAL;
	for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
		if (!strcmp(s, actions[i].word)) {
			*out = actions[i].act;
			return STRATA_OK;
		}
	return yd_bad(y, n, "an event does one of: nothing insert update upsert delete",
	               "unknown action '%s'", s);
}

static int parse_set(yd_doc *y, tb_desc *d, tb_event *e, yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE)
		return yd_bad(y, v, NULL, "'set' must map columns to values");
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	if (!(e->set = calloc(n ? n : 1, sizeof *e->set)))
		return strata_oom(y->h);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
		long c;
		int rc = column_ref(y, d, yd_node(y, p->key), "set", &c);
		if (rc < 0)
			return rc;
		e->set[i].col = (size_t)c;
		rc = parse_value(y, yd_node(y, p->value), false, &e->set[i].v);
		e->nset = i + 1;
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

/* An event: `insert`, or {do: insert, set: {column: value}}. */
static int parse_event(yd_doc *y, tb_desc *d, tb_event *e, yaml_node_t *v)
{
	if (v->type == YAML_SCALAR_NODE)
		return parse_action(y, v, &e->act);
	if (v->type != YAML_MAPPING_NODE)
		return yd_bad(y, v, NULL, "an event is an action or {do: ACTION, set: {...}}");
	bool got_do = false;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yd_node(y, p->key), *val = yd_node(y, p->value);
		const char *key = yd_scalar(y, k, "a key");
		int rc;
		if (!key)
			return STRATA_EINVAL;
		if (!strcmp(key, "do") && !got_do) {
			got_do = true;
			rc = parse_action(y, val, &e->act);
		} else if (!strcmp(key, "set") && !e->set) {
			rc = parse_set(y, d, e, val);
		} else {
			rc = yd_bad(y, k, "known keys: do set", "unknown or repeated key '%s' in an event",
			             key);
		}
		if (rc < 0)
			return rc;
	}
	if (!got_do)
		return yd_bad(y, v, NULL, "missing key 'do' in an event");
	return STRATA_OK;
}

static int parse_events(yd_doc *y, tb_desc *d, yaml_node_t *v)
{
	static const char *const names[E_COUNT] = {"applied", "baselined", "failed", "rolled_back",
	                                           "running", "repaired"};
	if (v->type != YAML_MAPPING_NODE)
		return yd_bad(y, v, NULL, "'events' must be a mapping");
	unsigned seen = 0;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yd_node(y, p->key);
		const char *key = yd_scalar(y, k, "an event");
		if (!key)
			return STRATA_EINVAL;
		size_t i = 0;
		while (i < E_COUNT && strcmp(names[i], key))
			i++;
		if (i == E_COUNT || (seen & (1u << i)))
			return yd_bad(y, k, "events: applied baselined failed rolled_back running repaired",
			               "unknown or repeated event '%s'", key);
		seen |= 1u << i;
		int rc = parse_event(y, d, &d->ev[i], yd_node(y, p->value));
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

/* kinds: {baseline: {column: value}, repeatable: {column: value}}. */
static int parse_kinds(yd_doc *y, tb_desc *d, yaml_node_t *v)
{
	static const char *const names[2] = {"baseline", "repeatable"};
	if (v->type != YAML_MAPPING_NODE)
		return yd_bad(y, v, NULL, "'kinds' maps baseline and repeatable to {column: value}");
	unsigned seen = 0;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yd_node(y, p->key);
		const char *key = yd_scalar(y, k, "a kind");
		if (!key)
			return STRATA_EINVAL;
		size_t i = 0;
		while (i < 2 && strcmp(names[i], key))
			i++;
		if (i == 2 || (seen & (1u << i)))
			return yd_bad(y, k, "kinds: baseline repeatable", "unknown or repeated kind '%s'",
			               key);
		seen |= 1u << i;
		int rc = parse_set(y, d, &d->kind[i], yd_node(y, p->value));
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

const tb_event *tb_kind_of(const tb_desc *d, unsigned flags)
{
	const tb_event *e = (flags & STRATA_MIG_BASELINE)     ? &d->kind[KIND_BASELINE]
	                    : (flags & STRATA_MIG_REPEATABLE) ? &d->kind[KIND_REPEATABLE]
	                                                      : NULL;
	return e && e->nset ? e : NULL;
}

/* states: a list of {column, is, state}, the last without a test. */
static int parse_rule(yd_doc *y, tb_desc *d, tb_rule *r, yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE)
		return yd_bad(y, v, NULL, "a state rule is {column: C, is: VALUE, state: S}");
	bool got_state = false, got_is = false;
	r->col = -1;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yd_node(y, p->key), *val = yd_node(y, p->value);
		const char *key = yd_scalar(y, k, "a key");
		int rc = STRATA_OK;
		if (!key)
			return STRATA_EINVAL;
		if (!strcmp(key, "column") && r->col < 0) {
			rc = column_ref(y, d, val, "column", &r->col);
		} else if (!strcmp(key, "is") && !got_is) {
			got_is = true;
			rc = parse_value(y, val, true, &r->is);
		} else if (!strcmp(key, "state") && !got_state) {
			const char *s = yd_scalar(y, val, "state");
			if (!s)
				return STRATA_EINVAL;
			got_state = true;
			r->state = strata_track_state_of(s);
			if (r->state != STRATA_TRACK_APPLIED && r->state != STRATA_TRACK_BASELINED &&
			    r->state != STRATA_TRACK_FAILED && r->state != STRATA_TRACK_ROLLED_BACK)
				rc = yd_bad(y, val, "a row reads as applied, baselined, failed or rolled_back",
				             "unknown state '%s'", s);
		} else {
			rc = yd_bad(y, k, "known keys: column is state",
			             "unknown or repeated key '%s' in a state rule", key);
		}
		if (rc < 0)
			return rc;
	}
	if (!got_state)
		return yd_bad(y, v, NULL, "missing key 'state' in a state rule");
	if ((r->col < 0) != !got_is)
		return yd_bad(y, v, NULL, "a state rule has both column and is, or neither");
	return STRATA_OK;
}

static int parse_states(yd_doc *y, tb_desc *d, yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return yd_bad(y, v, NULL, "'states' must be a list of rules");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!(d->rules = calloc(n ? n : 1, sizeof *d->rules)))
		return strata_oom(y->h);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yd_node(y, v->data.sequence.items.start[i]);
		int rc = parse_rule(y, d, &d->rules[i], item);
		d->nrules = i + 1;
		if (rc < 0)
			return rc;
		if (d->rules[i].col < 0 && i + 1 < n)
			return yd_bad(y, item, "put the rule without a test last",
			               "a state rule without column comes before others, which never apply");
	}
	return STRATA_OK;
}

/* What only some features take, or need. */
static int check_feature(yd_doc *y, tb_desc *d, pending *p, yaml_node_t *root)
{
	bool flagged = d->feature == F_SINGLE_ROW || d->feature == F_HISTORY;
	if (flagged && d->flag < 0)
		return yd_bad(y, root, d->feature == F_HISTORY ? "flag: names the type column"
		                                                : "flag: names the dirty column",
		               "feature %s needs 'flag'",
		               d->feature == F_HISTORY ? "history" : "single-row");
	if (!flagged && p->flag)
		return yd_bad(y, p->flag, NULL, "'flag' is for the single-row and history features");
	if (d->feature == F_SINGLE_ROW && p->events)
		return yd_bad(y, p->events, "the single-row feature decides what each event writes",
		               "'events' is not for the single-row feature");
	for (size_t i = 0; i < d->ncols; i++) {
		tb_kind k = d->cols[i].v.kind;
		if (k == K_CHECKSUM && d->sum == C_NONE)
			return yd_bad(y, root, "add checksum: sha256, md5, crc32 or sha256-file",
			               "column '%s' gets a checksum, and the descriptor has no rule",
			               d->cols[i].name);
	}
	return STRATA_OK;
}

static int resolve(yd_doc *y, pending *p, yaml_node_t *root)
{
	tb_desc *d = p->d;
	int rc = parse_columns(y, d, p->columns);
	if (rc == STRATA_OK)
		rc = parse_key(y, d, p->key);
	if (rc == STRATA_OK)
		d->match = (long)d->key[0];
	for (size_t k = 0; rc == STRATA_OK && k < d->nkey; k++)
		if (d->cols[d->key[k]].v.kind == K_AUTO || d->cols[d->key[k]].v.kind == K_NULL)
			rc = yd_bad(y, p->key, "a key column holds what identifies a migration (version, name, file, …)",
			             "key column '%s' gets no value from strata", d->cols[d->key[k]].name);
	if (rc == STRATA_OK && p->order)
		rc = column_ref(y, d, p->order, "order", &d->order);
	if (rc == STRATA_OK && p->flag)
		rc = column_ref(y, d, p->flag, "flag", &d->flag);
	if (rc == STRATA_OK && p->error)
		rc = column_ref(y, d, p->error, "error", &d->error_col);
	if (rc == STRATA_OK && p->finished)
		rc = column_ref(y, d, p->finished, "finished", &d->finished_col);
	if (rc == STRATA_OK && p->states)
		rc = parse_states(y, d, p->states);
	if (rc == STRATA_OK && p->events)
		rc = parse_events(y, d, p->events);
	if (rc == STRATA_OK && p->kinds)
		rc = parse_kinds(y, d, p->kinds);
	if (rc == STRATA_OK)
		rc = check_feature(y, d, p, root);
	if (rc == STRATA_OK && !d->nrules) { /* no states: every row is applied */
		if (!(d->rules = calloc(1, sizeof *d->rules)))
			return strata_oom(y->h);
		d->rules[0] = (tb_rule){.col = -1, .state = STRATA_TRACK_APPLIED};
		d->nrules = 1;
	}
	return rc;
}

static int check_tracker(yd_doc *y, yaml_node_t *root, void *target)
{
	tb_desc *d = target;
	pending p = {.d = d};
	int rc = yd_map(y, root, "the tracker descriptor", root_fields, &p);
	if (rc == STRATA_OK)
		rc = resolve(y, &p, root);
	if (rc == STRATA_OK)
		rc = pick_schema(y, d);
	return rc;
}

int tb_load_file(strata_host *h, const char *file, const char *name, tb_desc **out)
{
	*out = NULL;
	tb_desc *d = calloc(1, sizeof *d);
	if (!d)
		return strata_oom(h);
	d->order = d->flag = d->error_col = d->finished_col = d->match = -1;
	int rc = yd_load_file(h, file, name, "tracker descriptor", check_tracker, d);
	if (rc >= 0 && !(d->file = strdup(file)))
		rc = strata_oom(h);
	if (rc < 0) {
		tb_free(d);
		return rc;
	}
	*out = d;
	return STRATA_OK;
}

static void event_free(tb_event *e)
{
	for (size_t i = 0; i < e->nset; i++)
		free(e->set[i].v.text);
	free(e->set);
}

void tb_free(tb_desc *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->summary);
	free(d->file);
	free(d->table);
	free(d->schema);
	free(d->schema_sqlite);
	free(d->schema_pg);
	free(d->create_sqlite);
	free(d->create_pg);
	for (size_t i = 0; i < d->ncols; i++) {
		free(d->cols[i].name);
		free(d->cols[i].v.text);
	}
	free(d->cols);
	for (size_t i = 0; i < E_COUNT; i++)
		event_free(&d->ev[i]);
	event_free(&d->kind[KIND_BASELINE]);
	event_free(&d->kind[KIND_REPEATABLE]);
	for (size_t i = 0; i < d->nrules; i++)
		free(d->rules[i].is.text);
	free(d->rules);
	free(d);
}
