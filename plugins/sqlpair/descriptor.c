/*
 * The layout descriptor (formats/layouts/NAME.yaml): its schema as tables
 * for schema.c, and loading one file with libyaml's document API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

/* What up:/down: parse into, with the nodes needed to check the group
 * numbers once the regex (which may come later in the mapping) is known
 * (the mapping itself until its key is seen). */
typedef struct pat_target {
	sp_pattern *p;
	const yaml_node_t *version_at, *name_at, *key_at;
} pat_target;

/* ---- up: / down: ---- */

/* Each f_ function stores one key's value into the struct being built;
 * up.match is compiled on the spot so a bad regex points at its line. */
static int f_match(yd_doc *d, yaml_node_t *v, void *t)
{
	return sp_yget_regex(d, v, &((pat_target *)t)->p->rx);
}

/* The node is kept: the group is checked against the regex afterwards. */
static int f_version(yd_doc *d, yaml_node_t *v, void *t)
{
	pat_target *pt = t;
	pt->version_at = v;
	return sp_yget_group(d, v, &pt->p->version_group);
}

/* Optional: 0 (the default) means the layout has no name in paths. */
static int f_name(yd_doc *d, yaml_node_t *v, void *t)
{
	pat_target *pt = t;
	pt->name_at = v;
	return sp_yget_group(d, v, &pt->p->name_group);
}

static const yd_field pattern_fields[] = {
	{ "match", 1, f_match },
	{ "version", 1, f_version },
	{ "name", 0, f_name },
	{ NULL, 0, NULL },
};

/* baseline: / repeatable:: the group that is the migration's id. */
static int f_key(yd_doc *d, yaml_node_t *v, void *t)
{
	pat_target *pt = t;
	pt->key_at = v;
	return sp_yget_group(d, v, &pt->p->key_group);
}

/* claim: every name of the kind (Flyway: B…sql); one that `match` does
 * not fit is refused rather than warned about. */
static int f_claim(yd_doc *d, yaml_node_t *v, void *t)
{
	sp_pattern *p = ((pat_target *)t)->p;
	p->has_claim = 1;
	return sp_yget_regex(d, v, &p->claim);
}

static const yd_field baseline_fields[] = {
	{ "match", 1, f_match },
	{ "claim", 0, f_claim },
	{ "key", 1, f_key },
	{ "version", 1, f_version },
	{ "name", 0, f_name },
	{ NULL, 0, NULL },
};

static const yd_field repeatable_fields[] = {
	{ "match", 1, f_match },
	{ "claim", 0, f_claim },
	{ "key", 1, f_key },
	{ "name", 0, f_name },
	{ NULL, 0, NULL },
};

/* A group number must exist in its regex, and the version must be a real
 * group (group 0 would be the whole path). */
static int parse_pattern(yd_doc *d, yaml_node_t *v, sp_pattern *p, const char *what)
{
	pat_target pt = { .p = p, .version_at = v, .name_at = v, .key_at = v };
	int rc = yd_map(d, v, what, pattern_fields, &pt);
	if (rc < 0)
		return rc;
	int groups = (int)p->rx.re.re_nsub;
	if (p->version_group < 1 || p->version_group > groups)
		return yd_bad(d, pt.version_at, NULL,
		               "version group %d does not exist in '%s' (%d groups)",
		               p->version_group, p->rx.text, groups);
	if (p->name_group > groups)
		return yd_bad(d, pt.name_at, NULL,
		               "name group %d does not exist in '%s' (%d groups)", p->name_group,
		               p->rx.text, groups);
	return STRATA_OK;
}

/* baseline: and repeatable:: their groups must exist too; the key must be
 * a real group. */
static int parse_kind(yd_doc *d, yaml_node_t *v, sp_layout *l, unsigned int kind,
                      const yd_field *fields, const char *what)
{
	for (size_t i = 0; i < l->n_kinds; i++)
		if (l->kinds[i].kind == kind)
			return yd_bad(d, v, NULL, "%s given twice", what);
	sp_pattern *p = &l->kinds[l->n_kinds++];
	p->kind = kind;
	pat_target pt = { .p = p, .version_at = v, .name_at = v, .key_at = v };
	int rc = yd_map(d, v, what, fields, &pt);
	if (rc < 0)
		return rc;
	int groups = (int)p->rx.re.re_nsub;
	if (p->key_group < 1 || p->key_group > groups)
		return yd_bad(d, pt.key_at, NULL, "key group %d does not exist in '%s' (%d groups)",
		               p->key_group, p->rx.text, groups);
	if (kind == STRATA_MIG_BASELINE && (p->version_group < 1 || p->version_group > groups))
		return yd_bad(d, pt.version_at, NULL,
		               "version group %d does not exist in '%s' (%d groups)",
		               p->version_group, p->rx.text, groups);
	if (p->name_group > groups)
		return yd_bad(d, pt.name_at, NULL,
		               "name group %d does not exist in '%s' (%d groups)", p->name_group,
		               p->rx.text, groups);
	return STRATA_OK;
}

/* ---- sections: ---- */

/* Marker regexes are matched against each line of a sectioned file. */
static int f_sec_up(yd_doc *d, yaml_node_t *v, void *t)
{
	return sp_yget_regex(d, v, &((sp_layout *)t)->sec_up);
}

/* The down marker; the down section runs from it to the end of the file. */
static int f_sec_down(yd_doc *d, yaml_node_t *v, void *t)
{
	return sp_yget_regex(d, v, &((sp_layout *)t)->sec_down);
}

/* Whether `key:value` words after a marker are options (dbmate). */
static int f_options(yd_doc *d, yaml_node_t *v, void *t)
{
	return yd_bool(d, v, &((sp_layout *)t)->sec_options);
}

/* Tools like dbmate reject a file without a down section. */
static int f_require_down(yd_doc *d, yaml_node_t *v, void *t)
{
	return yd_bool(d, v, &((sp_layout *)t)->require_down);
}

/* What text before the up marker means: dbmate refuses it, others drop it. */
static int f_before_up(yd_doc *d, yaml_node_t *v, void *t)
{
	const char *s = yd_scalar(d, v, "text_before_up");
	if (!s)
		return STRATA_EINVAL;
	if (strcmp(s, "error") && strcmp(s, "ignore"))
		return yd_bad(d, v, NULL,
		               "text_before_up must be 'error' or 'ignore', not '%s'", s);
	((sp_layout *)t)->text_before_up_error = s[0] == 'e';
	return STRATA_OK;
}

/* A `key: a|b` choice: *flag = 1 for `b`, 0 for `a`. */
static int choice(yd_doc *d, yaml_node_t *v, const char *key, const char *a, const char *b,
                  int *flag)
{
	const char *s = yd_scalar(d, v, key);
	if (!s)
		return STRATA_EINVAL;
	if (strcmp(s, a) && strcmp(s, b))
		return yd_bad(d, v, NULL, "%s must be '%s' or '%s', not '%s'", key, a, b,
		               s);
	*flag = !strcmp(s, b);
	return STRATA_OK;
}

/* A down marker above the up marker: an error, or (dbmate) a comment line. */
static int f_down_before_up(yd_doc *d, yaml_node_t *v, void *t)
{
	return choice(d, v, "down_before_up", "error", "comment",
	              &((sp_layout *)t)->down_before_up_comment);
}

/* A second up marker before the down marker: an error, or a line of the up
 * script (what dbmate before 2.29 ran; 2.36 only reads such a file applied). */
static int f_repeated_up(yd_doc *d, yaml_node_t *v, void *t)
{
	return choice(d, v, "repeated_up", "error", "text", &((sp_layout *)t)->repeated_up_text);
}

static const yd_field section_fields[] = {
	{ "up", 1, f_sec_up },
	{ "down", 1, f_sec_down },
	{ "options", 0, f_options },
	{ "require_down", 0, f_require_down },
	{ "text_before_up", 0, f_before_up },
	{ "down_before_up", 0, f_down_before_up },
	{ "repeated_up", 0, f_repeated_up },
	{ NULL, 0, NULL },
};

/* ---- write: ---- */

/* A file template: {version} and {name} are the only fields. */
static int template(yd_doc *d, yaml_node_t *v, const char *what, char **out)
{
	int rc = yd_string(d, v, what, out);
	if (rc < 0)
		return rc;
	for (const char *p = *out; (p = strchr(p, '{')); p++)
		if (strncmp(p, "{version}", 9) && strncmp(p, "{name}", 6))
			return yd_bad(d, v, "use {version} and {name}", "unknown field in '%s'", *out);
	return STRATA_OK;
}

static int f_w_up(yd_doc *d, yaml_node_t *v, void *t)
{
	return template(d, v, "write.up", &((sp_layout *)t)->w_up);
}

static int f_w_down(yd_doc *d, yaml_node_t *v, void *t)
{
	return template(d, v, "write.down", &((sp_layout *)t)->w_down);
}

static int f_w_baseline(yd_doc *d, yaml_node_t *v, void *t)
{
	return template(d, v, "write.baseline", &((sp_layout *)t)->w_baseline);
}

static int f_w_repeatable(yd_doc *d, yaml_node_t *v, void *t)
{
	return template(d, v, "write.repeatable", &((sp_layout *)t)->w_repeatable);
}

/* The marker lines of a sectioned file, as the tool's own template has them. */
static int f_w_up_marker(yd_doc *d, yaml_node_t *v, void *t)
{
	return yd_string(d, v, "write.up_marker", &((sp_layout *)t)->w_up_marker);
}

static int f_w_down_marker(yd_doc *d, yaml_node_t *v, void *t)
{
	return yd_string(d, v, "write.down_marker", &((sp_layout *)t)->w_down_marker);
}

/* How new versions are made: seq (1, 2…), stamp14 (YYYYMMDDHHMMSS), stamp13 (ms). */
static int f_w_version(yd_doc *d, yaml_node_t *v, void *t)
{
	const char *s = yd_scalar(d, v, "write.version");
	if (!s)
		return STRATA_EINVAL;
	sp_layout *l = t;
	if (!strcmp(s, "seq"))
		l->w_version = SP_WV_SEQ;
	else if (!strcmp(s, "stamp14"))
		l->w_version = SP_WV_STAMP14;
	else if (!strcmp(s, "stamp13"))
		l->w_version = SP_WV_STAMP13;
	else
		return yd_bad(d, v, NULL, "write.version must be seq, stamp14 or stamp13, not '%s'", s);
	return STRATA_OK;
}

static int f_w_width(yd_doc *d, yaml_node_t *v, void *t)
{
	const char *s = yd_scalar(d, v, "write.width");
	if (!s)
		return STRATA_EINVAL;
	char *end;
	long w = strtol(s, &end, 10);
	if (*end || w < 1 || w > 20)
		return yd_bad(d, v, NULL, "write.width must be a number from 1 to 20, not '%s'", s);
	((sp_layout *)t)->w_width = (int)w;
	return STRATA_OK;
}

/* name: ident: the name must be an identifier (TypeORM's class name). */
static int f_w_name(yd_doc *d, yaml_node_t *v, void *t)
{
	return choice(d, v, "write.name", "slug", "ident", &((sp_layout *)t)->w_ident);
}

static const yd_field write_fields[] = {
	{ "up", 1, f_w_up },
	{ "down", 0, f_w_down },
	{ "baseline", 0, f_w_baseline },
	{ "repeatable", 0, f_w_repeatable },
	{ "up_marker", 0, f_w_up_marker },
	{ "down_marker", 0, f_w_down_marker },
	{ "version", 0, f_w_version },
	{ "width", 0, f_w_width },
	{ "name", 0, f_w_name },
	{ NULL, 0, NULL },
};

static int f_write(yd_doc *d, yaml_node_t *v, void *t)
{
	sp_layout *l = t;
	l->has_write = 1;
	l->w_width = 1;
	return yd_map(d, v, "'write'", write_fields, t);
}

/* ---- top level ---- */

/* The name inside must equal the file's base name, so the name a user
 * writes in strata.yaml always finds this file. */
static int f_layout(yd_doc *d, yaml_node_t *v, void *t)
{
	sp_layout *l = t;
	int rc = yd_string(d, v, "layout", &l->name);
	if (rc < 0)
		return rc;
	if (strcmp(l->name, d->name))
		return yd_bad(d, v, NULL,
		               "layout '%s' does not match the file name '%s.yaml'", l->name,
		               d->name);
	return STRATA_OK;
}

/* Free text describing the layout, for listings and docs. */
static int f_summary(yd_doc *d, yaml_node_t *v, void *t)
{
	return yd_string(d, v, "summary", &((sp_layout *)t)->summary);
}

/* The tracking table a source of this layout keeps by default: a name
 * from formats/trackers/, or `none` (strata_ledger only). */
static int f_tracker(yd_doc *d, yaml_node_t *v, void *t)
{
	return yd_string(d, v, "tracker", &((sp_layout *)t)->tracker);
}

/* up: is required; its version group orders the migrations. */
static int f_up(yd_doc *d, yaml_node_t *v, void *t)
{
	return parse_pattern(d, v, &((sp_layout *)t)->up, "'up'");
}

/* down: separate down files, paired with ups by version. */
static int f_down(yd_doc *d, yaml_node_t *v, void *t)
{
	((sp_layout *)t)->has_down = 1;
	return parse_pattern(d, v, &((sp_layout *)t)->down, "'down'");
}

/* baseline: files that stand for every version up to theirs (Flyway's B). */
static int f_baseline(yd_doc *d, yaml_node_t *v, void *t)
{
	return parse_kind(d, v, t, STRATA_MIG_BASELINE, baseline_fields, "'baseline'");
}

/* repeatable: files without a version, run again when changed (R__). */
static int f_repeatable(yd_doc *d, yaml_node_t *v, void *t)
{
	return parse_kind(d, v, t, STRATA_MIG_REPEATABLE, repeatable_fields, "'repeatable'");
}

/* sections: up and down in one file, split at marker lines. */
static int f_sections(yd_doc *d, yaml_node_t *v, void *t)
{
	((sp_layout *)t)->has_sections = 1;
	return yd_map(d, v, "'sections'", section_fields, t);
}

/* ignore: is a list of patterns; the array is sized up front so a failure
 * half-way leaves only compiled entries to free. */
static int f_ignore(yd_doc *d, yaml_node_t *v, void *t)
{
	sp_layout *l = t;
	if (v->type != YAML_SEQUENCE_NODE)
		return yd_bad(d, v, NULL,
		               "'ignore' must be a list of regular expressions");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	l->ignore = calloc(n ? n : 1, sizeof *l->ignore);
	if (!l->ignore)
		return strata_oom(d->h);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yaml_document_get_node(d->doc, v->data.sequence.items.start[i]);
		int rc = sp_yget_regex(d, item, &l->ignore[i]);
		l->n_ignore = i + 1;
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

static const yd_field root_fields[] = {
	{ "layout", 1, f_layout },
	{ "summary", 0, f_summary },
	{ "tracker", 0, f_tracker },
	{ "up", 1, f_up },
	{ "down", 0, f_down },
	{ "sections", 0, f_sections },
	{ "baseline", 0, f_baseline },
	{ "repeatable", 0, f_repeatable },
	{ "ignore", 0, f_ignore },
	{ "write", 0, f_write },
	{ NULL, 0, NULL },
};

/* write: must say what the layout reads: markers for a sectioned one, a
 * down file for one with down files. */
static int check_write(yd_doc *d, yaml_node_t *root, const sp_layout *l)
{
	if (!l->has_write)
		return STRATA_OK;
	if (l->has_sections && (!l->w_up_marker || !l->w_down_marker))
		return yd_bad(d, root, NULL, "write: needs up_marker and down_marker for a sectioned layout");
	if (!l->has_sections && l->has_down && !l->w_down)
		return yd_bad(d, root, NULL, "write: needs down for a layout with down files");
	return STRATA_OK;
}

static int check_layout(yd_doc *d, yaml_node_t *root, void *l)
{
	int rc = yd_map(d, root, "the layout descriptor", root_fields, l);
	return rc < 0 ? rc : check_write(d, root, l);
}

/* Load `file`, which must describe the layout `name`, into *out. */
int sp_layout_load(strata_host *h, const char *file, const char *name, sp_layout **out)
{
	*out = NULL;
	sp_layout *l = calloc(1, sizeof *l);
	if (!l)
		return strata_oom(h);
	int rc = yd_load_file(h, file, name, "layout descriptor", check_layout, l);
	if (rc >= 0 && !(l->file = strdup(file)))
		rc = strata_oom(h);
	if (rc < 0) {
		sp_layout_free(l);
		return rc;
	}
	*out = l;
	return STRATA_OK;
}
