/*
 * strata.yaml edited in place for `strata adopt`: the old source gets
 * `retired: true`, the new source is appended to `sources:`, and every other
 * byte of the file (comments, quoting, order, blank lines) stays as it was.
 * The file is not re-dumped: libyaml's parser gives the line and column of
 * each node (yaml_mark_t), and the edits are insertions of whole lines (or,
 * in a flow mapping `{…}`, of text before its closing brace) at the places
 * those marks point to, applied from the end of the file backwards.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct edit {
	size_t at;  /* byte offset of the insertion */
	size_t del; /* bytes replaced there */
	char *text;
	size_t seq; /* order made */
} edit;

typedef struct editor {
	err_ctx *e;
	const char *file;
	const char *text;
	size_t len;
	yaml_document_t doc;
	edit ed[2];
	size_t ned;
} editor;

/* Byte offset of a mark's line and column (columns count characters, so
 * UTF-8 continuation bytes are stepped over). */
static size_t offset_of(const editor *w, size_t line, size_t col)
{
	size_t at = 0;
	for (size_t l = 0; l < line && at < w->len; at++)
		if (w->text[at] == '\n')
			l++;
	for (size_t c = 0; c < col && at < w->len; at++)
		if (((unsigned char)w->text[at] & 0xC0) != 0x80)
			c++;
	while (at < w->len && ((unsigned char)w->text[at] & 0xC0) == 0x80)
		at++;
	return at;
}

/* Just after the newline ending the line that holds offset at (the end of
 * the text when it has none). */
static size_t after_line(const editor *w, size_t at)
{
	while (at < w->len && w->text[at] != '\n')
		at++;
	return at < w->len ? at + 1 : at;
}

static yaml_node_t *node(editor *w, int id)
{
	return yaml_document_get_node(&w->doc, id);
}

static const char *scalar_of(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *lookup(editor *w, yaml_node_t *m, const char *key, yaml_node_t **k_out)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar_of(node(w, p->key));
		if (k && !strcmp(k, key)) {
			if (k_out)
				*k_out = node(w, p->key);
			return node(w, p->value);
		}
	}
	return NULL;
}

static int refuse(editor *w, const yaml_node_t *n, const char *hint, const char *what)
{
	return err_set(w->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, w->file,
	               n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0,
	               hint, "%s", what);
}

/* A value as YAML: plain when it reads back as the same string, else
 * double-quoted. */
static void put_value(sbuf *b, const char *v)
{
	bool plain = *v && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                             "0123456789_./-") == strlen(v) && *v != '-' &&
	             strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "null") &&
	             strspn(v, "0123456789.") != strlen(v);
	if (plain) {
		sbuf_puts(b, v);
		return;
	}
	sbuf_add(b, "\"", 1);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			sbuf_add(b, "\\", 1);
		sbuf_add(b, v, 1);
	}
	sbuf_add(b, "\"", 1);
}

static void pad(sbuf *b, size_t n)
{
	while (n--)
		sbuf_add(b, " ", 1);
}

static void add_edit(editor *w, size_t at, size_t del, char *text)
{
	w->ed[w->ned] = (edit){ at, del, text, w->ned };
	w->ned++;
}

/* `retired: true` on the source entry m: its existing retired value
 * replaced, or a line after its last pair (block style), or `, retired:
 * true` before its closing brace (flow style). */
static int retire(editor *w, yaml_node_t *m)
{
	yaml_node_t *k = NULL, *v = lookup(w, m, "retired", &k);
	if (v) {
		if (v->type != YAML_SCALAR_NODE)
			return refuse(w, v, "write  retired: true", "retired must be true or false");
		size_t a = offset_of(w, v->start_mark.line, v->start_mark.column);
		size_t z = offset_of(w, v->end_mark.line, v->end_mark.column);
		add_edit(w, a, z - a, xstrdup("true"));
		return 0;
	}
	if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
		size_t z = offset_of(w, m->end_mark.line, m->end_mark.column);
		while (z > 0 && w->text[z - 1] != '}')
			z--;
		if (!z)
			return refuse(w, m, NULL, "cannot find the end of the source entry");
		add_edit(w, z - 1, 0, xstrdup(", retired: true"));
		return 0;
	}
	yaml_node_pair_t *first = m->data.mapping.pairs.start, *last = m->data.mapping.pairs.top - 1;
	yaml_node_t *fk = node(w, first->key), *lv = node(w, last->value);
	if (lv->type != YAML_SCALAR_NODE || lv->start_mark.line != lv->end_mark.line)
		return refuse(w, lv, "add  retired: true  to the entry by hand",
		              "the source entry's last value spans lines; strata edits only "
		              "one-line values");
	sbuf b = { 0 };
	pad(&b, fk->start_mark.column);
	sbuf_puts(&b, "retired: true\n");
	size_t at = after_line(w, offset_of(w, lv->end_mark.line, lv->end_mark.column));
	if (at == w->len && w->len && w->text[w->len - 1] != '\n') {
		char *t = xasprintf("\n%s", b.data);
		sbuf_free(&b);
		add_edit(w, at, 0, t);
		return 0;
	}
	add_edit(w, at, 0, sbuf_take(&b));
	return 0;
}

/* The new entry after the last item of the block sequence seq, its dash
 * and keys in the columns the old entry m uses. */
static int append(editor *w, yaml_node_t *seq, yaml_node_t *m, const cfg_new_source *ns)
{
	yaml_node_t *lastitem = node(w, seq->data.sequence.items.top[-1]);
	yaml_node_t *fk = node(w, m->data.mapping.pairs.start->key);
	size_t keycol = m->data.mapping.style == YAML_FLOW_MAPPING_STYLE ? seq->start_mark.column + 2
	                                                                 : fk->start_mark.column;
	size_t dash = seq->start_mark.column;
	if (keycol <= dash)
		keycol = dash + 2;
	sbuf b = { 0 };
	size_t at = after_line(w, offset_of(w, lastitem->end_mark.line, lastitem->end_mark.column));
	/* A block mapping's end mark is the start of the line after it. */
	if (lastitem->type == YAML_MAPPING_NODE &&
	    lastitem->data.mapping.style != YAML_FLOW_MAPPING_STYLE && lastitem->end_mark.column == 0)
		at = offset_of(w, lastitem->end_mark.line, 0);
	/* ... but not past comments or blank lines that belong to what follows:
	 * back up to just after the entry's last non-blank line. */
	while (at > 0) {
		size_t ls = at - 1;
		while (ls > 0 && w->text[ls - 1] != '\n')
			ls--;
		size_t t = ls;
		while (t < at && (w->text[t] == ' ' || w->text[t] == '\t'))
			t++;
		if (t < at && w->text[t] != '\n' && w->text[t] != '#' && w->text[t] != '\r')
			break;
		at = ls;
	}
	if (at == w->len && w->len && w->text[w->len - 1] != '\n')
		sbuf_add(&b, "\n", 1);
	const char *keys[3] = { "name", "format", "path" };
	const char *vals[3] = { ns->name, ns->format, ns->path };
	for (int i = 0; i < 3; i++) {
		pad(&b, i ? keycol : dash);
		if (!i) {
			sbuf_add(&b, "-", 1);
			pad(&b, keycol - dash - 1);
		}
		sbuf_puts(&b, keys[i]);
		sbuf_puts(&b, ": ");
		put_value(&b, vals[i]);
		sbuf_add(&b, "\n", 1);
	}
	for (size_t i = 0; ns->keys && ns->keys[i]; i++) {
		pad(&b, keycol);
		sbuf_puts(&b, ns->keys[i]);
		sbuf_puts(&b, ": ");
		put_value(&b, ns->values[i]);
		sbuf_add(&b, "\n", 1);
	}
	add_edit(w, at, 0, sbuf_take(&b));
	return 0;
}

static int find_and_edit(editor *w, const char *retire_name, const cfg_new_source *ns)
{
	yaml_node_t *root = yaml_document_get_root_node(&w->doc);
	yaml_node_t *seq = lookup(w, root, "sources", NULL);
	if (!seq || seq->type != YAML_SEQUENCE_NODE ||
	    seq->data.sequence.items.start == seq->data.sequence.items.top)
		return refuse(w, root, "add the source by hand", "strata.yaml has no list of sources");
	if (seq->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE)
		return refuse(w, seq, "write sources: as a block list (one `- name:` per entry)",
		              "sources: is a flow list [ … ]; strata edits only block lists");
	yaml_node_t *old = NULL;
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top;
	     it++) {
		yaml_node_t *m = node(w, *it);
		const char *name = scalar_of(lookup(w, m, "name", NULL));
		if (name && !strcmp(name, ns->name))
			return err_set(w->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, w->file,
			               (int)m->start_mark.line + 1, 0,
			               "rename or remove that entry, then adopt again",
			               "strata.yaml already has a source named '%s'", ns->name);
		if (name && !strcmp(name, retire_name))
			old = m;
	}
	if (!old || old->type != YAML_MAPPING_NODE || !old->data.mapping.pairs.top ||
	    old->data.mapping.pairs.start == old->data.mapping.pairs.top)
		return refuse(w, seq, NULL, "strata.yaml has no source entry to retire");
	int rc = append(w, seq, old, ns);
	if (!rc)
		rc = retire(w, old);
	return rc;
}

static int cmp_edit(const void *a, const void *b)
{
	/* From the end backwards; at one offset, the edit made first goes in
	 * first, so the one made after it (retire's line) ends up before it. */
	const edit *x = a, *y = b;
	return x->at < y->at ? 1 : x->at > y->at ? -1 : x->seq < y->seq ? -1 : x->seq > y->seq;
}

int config_edit_adopt(err_ctx *e, const char *file, const char *text, size_t len,
                      const char *retire_name, const cfg_new_source *ns, char **out)
{
	yaml_parser_t parser;
	char *own = NULL;
	*out = NULL;
	/* Lines are added: the last one gets its newline first. */
	if (len && text[len - 1] != '\n') {
		own = xmalloc(len + 2);
		memcpy(own, text, len);
		own[len++] = '\n';
		own[len] = '\0';
		text = own;
	}
	editor w = { .e = e, .file = file, .text = text, .len = len };
	if (!yaml_parser_initialize(&parser))
		return err_set(e, STRATA_ENOMEM, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &w.doc)) {
		int rc = err_set(e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, file,
		                 (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
		                 NULL, "%s", parser.problem ? parser.problem : "cannot parse");
		yaml_parser_delete(&parser);
		return rc;
	}
	int rc = find_and_edit(&w, retire_name, ns);
	yaml_document_delete(&w.doc);
	yaml_parser_delete(&parser);
	if (!rc) {
		qsort(w.ed, w.ned, sizeof *w.ed, cmp_edit);
		char *cur = xmalloc(len + 1);
		memcpy(cur, text, len);
		cur[len] = '\0';
		size_t n = len;
		for (size_t i = 0; i < w.ned; i++) {
			size_t k = strlen(w.ed[i].text);
			char *nx = xmalloc(n - w.ed[i].del + k + 1);
			memcpy(nx, cur, w.ed[i].at);
			memcpy(nx + w.ed[i].at, w.ed[i].text, k);
			memcpy(nx + w.ed[i].at + k, cur + w.ed[i].at + w.ed[i].del,
			       n - w.ed[i].at - w.ed[i].del);
			n = n - w.ed[i].del + k;
			nx[n] = '\0';
			free(cur);
			cur = nx;
		}
		*out = cur;
	}
	for (size_t i = 0; i < w.ned; i++)
		free(w.ed[i].text);
	free(own);
	return rc;
}
