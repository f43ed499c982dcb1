/* The fleet's report: what each target's child said (its --json result,
 * counted as "50 applied"; its messages as text lines with the target's
 * name), and at the end the table or the one --json object.  The children
 * ran with --json; fleet_json.c reads what they printed. */
#include "fleet.h"

#include <stdlib.h>
#include <string.h>

/* What the target's result says, as a word. */
const char *fleet_result_word(const fleet_target *t)
{
	if (t->state == T_NOT_RUN)
		return "not run";
	if (t->interrupted)
		return "interrupted";
	switch (t->exit) {
	case 0: return "ok";
	case 3: return "pending";
	case 4: return "problems";
	case 1: return "error";
	case 2: return "usage";
	default: return "error"; /* a crash, a child that could not start */
	}
}

/* The child's last top-level JSON value on stdout when it is its result (a
 * summary object, or status's one object), else NULL. */
static const char *result_of(const fleet_target *t, const char **end)
{
	const char *d = t->buf[0].data, *last = NULL;
	for (const char *p = d; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (*p == '{')
			last = p;
	*end = last ? jv_end(last) : NULL;
	if (!*end)
		return NULL;
	char *ev = jv_get_str(last, "event"); /* an event is no result (a run that failed) */
	bool result = !ev || !strcmp(ev, "summary");
	free(ev);
	return result ? last : NULL;
}

/* counts: "50 applied", "3 pending, 47 applied": the non-zero numbers of
 * the result object (of its "summary" object, when it has one; "0 applied"
 * when all are zero), else the child's events counted by kind (a run that
 * failed midway: "2 applied, 1 failed"). */
typedef struct counts {
	text t;
	char *first_key;
} counts;

static const char *const not_counts[] = {"line", "col", "exit", "index", "total", "ms", NULL};

static void add_count(text *t, long n, const char *key)
{
	text_printf(t, "%s%ld ", t->len ? ", " : "", n);
	for (const char *p = key; *p; p++)
		text_raw(t, *p == '_' ? " " : p, 1);
}

static int count_member(void *ud, const char *key, const char *v, const char *end)
{
	(void)end;
	counts *c = ud;
	char *e;
	long n = strtol(v, &e, 10);
	if (e == v || *v == '"')
		return 0;
	for (const char *const *k = not_counts; *k; k++)
		if (!strcmp(*k, key))
			return 0;
	if (!c->first_key)
		c->first_key = strdup(key);
	if (n)
		add_count(&c->t, n, key);
	return 0;
}

static int find_summary(void *ud, const char *key, const char *v, const char *end)
{
	(void)end;
	if (strcmp(key, "summary") || *v != '{')
		return 0;
	*(const char **)ud = v;
	return 1;
}

/* The events of a child that printed no summary, counted by kind. */
static void count_events(const fleet_target *t, text *out)
{
	struct ev_count {
		char *kind;
		long n;
	} k[16];
	size_t nk = 0;
	for (const char *p = t->buf[0].data; p && *p;) {
		char *ev = *p == '{' && jv_end(p) ? jv_get_str(p, "event") : NULL;
		size_t i = 0;
		while (ev && i < nk && strcmp(k[i].kind, ev))
			i++;
		if (ev && i == nk && nk < 16)
			k[nk++] = (struct ev_count){ev, 0}, ev = NULL;
		if (i < nk)
			k[i].n++;
		free(ev);
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < nk; i++) {
		add_count(out, k[i].n, k[i].kind);
		free(k[i].kind);
	}
}

char *fleet_counts(const fleet_target *t)
{
	counts c = {0};
	const char *end, *obj = result_of(t, &end);
	if (obj) {
		const char *sum = NULL;
		jv_members(obj, find_summary, &sum);
		jv_members(sum ? sum : obj, count_member, &c);
		if (!c.t.len && c.first_key)
			add_count(&c.t, 0, c.first_key);
	} else
		count_events(t, &c.t);
	free(c.first_key);
	return c.t.data;
}

/* One line of the child's stderr, with the target's name: its --json
 * events said as strata says them as text; any other line (a crash, a
 * sanitizer) as it is, escaped. */
void fleet_say_line(const fleet_target *t, const char *line)
{
	text o = {0};
	char *ev = *line == '{' && jv_end(line) ? jv_get_str(line, "event") : NULL;
	if (!ev) {
		text_printf(&o, "strata: %s: %s", t->name, line);
		text_line(&o, stderr);
		return;
	}
	char *msg = jv_get_str(line, "message"), *file = jv_get_str(line, "file");
	char *hint = jv_get_str(line, "hint");
	long ln = jv_get_num(line, "line", 0), col = jv_get_num(line, "col", 0);
	bool err = !strcmp(ev, "error"), warn = !strcmp(ev, "warning");
	text_printf(&o, "strata: %s: ", t->name);
	if (err || warn) {
		text_color(&o, stderr, err ? SGR_RED SGR_BOLD : SGR_YELLOW);
		text_raw(&o, err ? "error:" : "warning:", err ? 6 : 8);
		text_color(&o, stderr, SGR_RESET);
		text_raw(&o, " ", 1);
	}
	if (file) {
		text_esc(&o, file);
		if (ln)
			text_printf(&o, ":%ld", ln);
		if (ln && col)
			text_printf(&o, ":%ld", col);
		text_raw(&o, ": ", 2);
	}
	text_esc(&o, msg ? msg : "");
	if (hint)
		text_printf(&o, " (hint: %s)", hint);
	text_line(&o, stderr);
	free(ev);
	free(msg);
	free(file);
	free(hint);
}

bool fleet_failed(const fleet_target *t)
{
	return t->exit == 1 || t->exit == 2 || t->exit > 4;
}

/* ---- the end: the worst exit, the table, or the JSON object ---- */

/* 0 < 3 (pending) < 4 (problems) < 1 (error); a signal or crash is an error. */
int fleet_rank(int code)
{
	return code == 0 ? 0 : code == 3 ? 1 : code == 4 ? 2 : 3;
}

void fleet_print_json(const fleet *f, const char *command, int jobs, int worst, long ms)
{
	fputs("{\"targets\": [", stdout);
	size_t by[6] = {0};
	for (size_t i = 0; i < f->n; i++) {
		const fleet_target *t = &f->v[i];
		fputs(i ? ",\n  {\"target\": " : "\n  {\"target\": ", stdout);
		json_str(stdout, t->shown);
		if (t->schema)
			json_kv(stdout, "schema", t->schema);
		const char *w = fleet_result_word(t);
		json_kv(stdout, "state", w);
		if (t->state == T_NOT_RUN) {
			fputs(", \"exit\": null, \"ms\": null, \"result\": null}", stdout);
			by[5]++;
			continue;
		}
		printf(", \"exit\": %d, \"ms\": %ld", t->exit, t->ms);
		by[!strcmp(w, "ok") ? 0 : !strcmp(w, "pending") ? 1 : !strcmp(w, "problems") ? 2
		   : !strcmp(w, "interrupted") ? 4 : 3]++;
		const char *end, *res = result_of(t, &end);
		fputs(", \"result\": ", stdout);
		if (res)
			fwrite(res, 1, (size_t)(end - res), stdout);
		else
			fputs("null", stdout);
		/* the events before the result (JSON Lines commands), then stderr's */
		fputs(", \"events\": [", stdout);
		int k = 0;
		for (const char *p = t->buf[0].data; p && *p && p != res;) {
			const char *e = *p == '{' ? jv_end(p) : NULL;
			if (e) {
				fputs(k++ ? ", " : "", stdout);
				fwrite(p, 1, (size_t)(e - p), stdout);
			}
			const char *nl = strchr(p, '\n');
			p = nl ? nl + 1 : NULL;
		}
		fputs("], \"error\": ", stdout);
		const char *error = NULL, *error_end = NULL;
		text other = {0};
		for (char *p = t->buf[1].data; p && *p;) {
			char *nl = strchr(p, '\n');
			const char *e = *p == '{' ? jv_end(p) : NULL;
			char *ev = e ? jv_get_str(p, "event") : NULL;
			if (ev && !strcmp(ev, "error"))
				error = p, error_end = e;
			else if (e) {
				text_raw(&other, other.len ? ", " : "", other.len ? 2 : 0);
				text_raw(&other, p, (size_t)(e - p));
			} else { /* not JSON: a crash's words, as a string */
				if (nl)
					*nl = '\0';
				text_raw(&other, other.len ? ", " : "", other.len ? 2 : 0);
				char *line = p;
				text_raw(&other, "\"", 1);
				for (const char *c = line; *c; c++) {
					if (*c == '"' || *c == '\\')
						text_raw(&other, "\\", 1);
					if ((unsigned char)*c < 0x20)
						text_printf(&other, "\\u%04x", (unsigned char)*c);
					else
						text_raw(&other, c, 1);
				}
				text_raw(&other, "\"", 1);
				if (nl)
					*nl = '\n';
			}
			free(ev);
			p = nl ? nl + 1 : NULL;
		}
		if (error)
			fwrite(error, 1, (size_t)(error_end - error), stdout);
		else
			fputs("null", stdout);
		printf(", \"log\": [%s]}", other.data ? other.data : "");
		text_free(&other);
	}
	printf("%s], \"summary\": {\"command\": ", f->n ? "\n" : "");
	json_str(stdout, command);
	printf(", \"targets\": %zu, \"ok\": %zu, \"pending\": %zu, \"problems\": %zu, \"error\": %zu, "
	       "\"interrupted\": %zu, \"not_run\": %zu, \"jobs\": %d, \"ms\": %ld, \"exit\": %d}}\n",
	       f->n, by[0], by[1], by[2], by[3], by[4], by[5], jobs, ms, worst);
}

void fleet_print_table(const fleet *f, int jobs, int worst, long ms)
{
	size_t wn = 6, wr = 6, wc = 6;
	char **c = calloc(f->n + 1, sizeof *c);
	if (!c)
		exit(1);
	for (size_t i = 0; i < f->n; i++) {
		const fleet_target *t = &f->v[i];
		c[i] = t->state == T_DONE ? fleet_counts(t) : NULL;
		size_t l = text_width(t->name);
		wn = l > wn ? l : wn;
		l = strlen(fleet_result_word(t));
		wr = l > wr ? l : wr;
		l = c[i] ? text_width(c[i]) : 1;
		wc = l > wc ? l : wc;
	}
	text h = {0};
	text_pad(&h, "target", wn);
	text_raw(&h, "  ", 2);
	text_pad(&h, "result", wr);
	text_raw(&h, "  ", 2);
	text_pad(&h, "counts", wc);
	text_raw(&h, "  time", 6);
	text_line(&h, stdout);
	size_t by[4] = {0}, interrupted = 0, not_run = 0;
	for (size_t i = 0; i < f->n; i++) {
		const fleet_target *t = &f->v[i];
		const char *w = fleet_result_word(t);
		text o = {0};
		text_pad(&o, t->name, wn);
		text_raw(&o, "  ", 2);
		const char *col = fleet_failed(t) ? SGR_RED : t->exit == 3 || t->exit == 4 ? SGR_YELLOW
		                  : t->state == T_DONE                               ? SGR_GREEN
		                                                                     : NULL;
		if (col)
			text_color(&o, stdout, col);
		text_pad(&o, w, wr);
		if (col)
			text_color(&o, stdout, SGR_RESET);
		text_raw(&o, "  ", 2);
		text_pad(&o, c[i] ? c[i] : "-", wc);
		if (t->state == T_DONE)
			text_printf(&o, "  %ld ms", t->ms);
		else
			text_raw(&o, "  -", 3);
		text_line(&o, stdout);
		free(c[i]);
		if (t->state == T_NOT_RUN)
			not_run++;
		else if (!strcmp(w, "interrupted"))
			interrupted++;
		else
			by[fleet_rank(t->exit)]++;
	}
	free(c);
	text s = {0};
	text_printf(&s, "%zu target%s:", f->n, f->n == 1 ? "" : "s");
	const char *sep = " ";
	const struct {
		size_t n;
		const char *what;
	} parts[] = {{by[0], "ok"},           {by[1], "pending"},      {by[2], "with problems"},
	             {by[3], "failed"},       {interrupted, "interrupted"}, {not_run, "not run"}};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		if (parts[i].n) {
			text_printf(&s, "%s%zu %s", sep, parts[i].n, parts[i].what);
			sep = ", ";
		}
	if (ms < 1000)
		text_printf(&s, " in %ld ms", ms);
	else
		text_printf(&s, " in %ld.%01ld s", ms / 1000, ms % 1000 / 100);
	text_printf(&s, " (--jobs %d); exit %d", jobs, worst);
	text_line(&s, stdout);
}

