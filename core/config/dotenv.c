/* .env files, read the way the Prisma CLI (6.19.3) reads them: the dotenv
 * package's parser (v16.6.1) and Prisma's ${VAR} expansion (dotenv-expand,
 * bundled).  What each accepted line means is exactly what dotenv makes of
 * it; what dotenv would silently skip or misread (a line that is not an
 * assignment, a quote that is not closed) is an error at file:line:col.  No
 * value is ever quoted in a message: a .env holds passwords. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One assignment of the file being read: its text as written (quotes
 * removed, \n of a double-quoted value turned into a newline) and, once
 * expanded, its value. */
typedef struct raw_var {
	char *name, *raw, *value;
	int line;
	int state; /* 0 not expanded, 1 being expanded, 2 done */
} raw_var;

typedef struct env_parse {
	err_ctx *e;
	const char *file;
	const char *t; /* text, line ends normalized to \n */
	size_t len;
	raw_var *vars;
	size_t n;
	const dotenv *env; /* earlier files */
} env_parse;

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* dotenv's key characters: JavaScript's \w (ASCII), '.' and '-'. */
static bool is_key(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int col_of(const env_parse *p, size_t at)
{
	size_t s = at;
	while (s > 0 && p->t[s - 1] != '\n')
		s--;
	return (int)(at - s) + 1;
}

static int fail(env_parse *p, int line, size_t at, const char *hint, const char *msg)
{
	return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, p->file, line, col_of(p, at), hint,
	               "%s", msg);
}

/* NAME followed by '=' (spaces allowed around it) or by ':' and a space,
 * at t[i]; returns where the value starts, 0 when there is no such thing. */
static size_t assignment(const env_parse *p, size_t i, size_t *k0, size_t *k1)
{
	size_t j = i;
	while (j < p->len && is_key(p->t[j]))
		j++;
	if (j == i)
		return 0;
	*k0 = i;
	*k1 = j;
	if (j + 1 < p->len && p->t[j] == ':' && is_ws(p->t[j + 1]))
		return j + 2;
	while (j < p->len && is_ws(p->t[j]))
		j++;
	return j < p->len && p->t[j] == '=' ? j + 1 : 0;
}

/* After a closing quote: only blanks and a # comment up to the line's end. */
static bool line_rest_ok(const env_parse *p, size_t j)
{
	while (j < p->len && is_ws(p->t[j]))
		j++;
	if (j < p->len && p->t[j] == '#')
		while (j < p->len && p->t[j] != '\n')
			j++;
	return j == p->len || p->t[j] == '\n';
}

/*
 * A value that starts with a quote (' " or `).  dotenv's pattern for it is
 * q(\\q|[^q])*q followed by the line's end: the value may span lines, it
 * closes at the first quote that is not preceded by a backslash, or, when
 * what follows that one is not the line's end, at the last escaped quote
 * before it that is.  \q itself stays as written.  If none fits, dotenv
 * reads the line as an unquoted value, quote included; that is refused.
 */
static int quoted(env_parse *p, size_t open, int line, size_t *close)
{
	const char q = p->t[open];
	size_t *esc = NULL, nesc = 0, first = SIZE_MAX;
	for (size_t j = open + 1; j < p->len; j++) {
		if (p->t[j] == '\\' && j + 1 < p->len && p->t[j + 1] == q) {
			esc = xrealloc(esc, (nesc + 1) * sizeof *esc);
			esc[nesc++] = ++j;
		} else if (p->t[j] == q) {
			first = j;
			break;
		}
	}
	*close = SIZE_MAX;
	if (first != SIZE_MAX && line_rest_ok(p, first + 1))
		*close = first;
	for (size_t k = nesc; *close == SIZE_MAX && k > 0; k--)
		if (line_rest_ok(p, esc[k - 1] + 1))
			*close = esc[k - 1];
	free(esc);
	if (*close != SIZE_MAX)
		return 0;
	char msg[96];
	snprintf(msg, sizeof msg, "the value's opening %c is not closed", q);
	return fail(p, line, open,
	            "end the value with the same quote; only a # comment may follow it "
	            "(a quoted value may span lines)",
	            msg);
}

/* Record NAME=raw; a name given twice keeps its last value, as in dotenv. */
static void add_raw(env_parse *p, const char *name, size_t nlen, char *raw, int line)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->vars[i].name) == nlen && !memcmp(p->vars[i].name, name, nlen)) {
			free(p->vars[i].raw);
			p->vars[i].raw = raw;
			p->vars[i].line = line;
			return;
		}
	p->vars = xrealloc(p->vars, (p->n + 1) * sizeof *p->vars);
	p->vars[p->n++] = (raw_var){.name = xstrndup(name, nlen), .raw = raw, .line = line};
}

/* Every line: blank, a # comment, or [export ]NAME=VALUE / NAME: VALUE. */
static int parse(env_parse *p)
{
	int line = 1;
	for (size_t i = 0; i < p->len;) {
		while (i < p->len && is_ws(p->t[i]))
			i++;
		if (i == p->len)
			break;
		if (p->t[i] == '\n' || p->t[i] == '#') {
			while (i < p->len && p->t[i] != '\n')
				i++;
			i++;
			line++;
			continue;
		}
		size_t k0 = 0, k1 = 0, v = 0;
		if (p->len - i > 6 && !memcmp(p->t + i, "export", 6) && is_ws(p->t[i + 6])) {
			size_t j = i + 6;
			while (j < p->len && is_ws(p->t[j]))
				j++;
			v = assignment(p, j, &k0, &k1);
		}
		if (!v)
			v = assignment(p, i, &k0, &k1);
		if (!v)
			return fail(p, line, i,
			            "write NAME=VALUE (or export NAME=VALUE); a comment line starts with #",
			            "expected NAME=VALUE");
		while (v < p->len && is_ws(p->t[v]))
			v++;
		char *raw;
		size_t end;
		if (v < p->len && (p->t[v] == '"' || p->t[v] == '\'' || p->t[v] == '`')) {
			size_t close;
			int rc = quoted(p, v, line, &close);
			if (rc)
				return rc;
			sbuf b = {0};
			for (size_t j = v + 1; j < close; j++) {
				if (p->t[j] == '\n')
					line++;
				sbuf_add(&b, p->t + j, 1);
			}
			raw = b.data ? sbuf_take(&b) : xstrdup("");
			if (p->t[v] == '"') { /* dotenv: \n, then \r, in double quotes only */
				for (const char *pair = "nr"; *pair; pair++) {
					char *o = raw;
					for (const char *s = raw; *s; s++) {
						if (s[0] == '\\' && s[1] == *pair) {
							*o++ = *pair == 'n' ? '\n' : '\r';
							s++;
						} else {
							*o++ = *s;
						}
					}
					*o = '\0';
				}
			}
			end = close + 1;
		} else {
			end = v;
			while (end < p->len && p->t[end] != '#' && p->t[end] != '\n')
				end++;
			size_t e2 = end;
			while (e2 > v && is_ws(p->t[e2 - 1]))
				e2--;
			raw = xstrndup(p->t + v, e2 - v);
		}
		add_raw(p, p->t + k0, k1 - k0, raw, line);
		while (end < p->len && p->t[end] != '\n')
			end++;
		i = end + 1;
		line++;
	}
	return 0;
}

static raw_var *find_raw(env_parse *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->vars[i].name, name))
			return &p->vars[i];
	return NULL;
}

/*
 * ${NAME} (NAME of letters, digits, _; ${} is empty) in a value becomes:
 * the variable of the real environment, else of an earlier .env file, else
 * of this file (itself expanded), else nothing, as Prisma does.  \${ keeps a
 * literal ${.  $NAME, ${NAME:-x} and the like are not expanded.  Unlike
 * Prisma, a value taken from the real environment is used as it is, and a
 * variable that refers back to itself is an error (Prisma overflows its
 * stack).
 */
static int expand_var(env_parse *p, raw_var *v)
{
	if (v->state == 2)
		return 0;
	if (v->state == 1) {
		char msg[200];
		snprintf(msg, sizeof msg, "variable '%.100s' refers to itself through ${…}", v->name);
		return err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, p->file, v->line, 0,
		               "break the cycle of ${…} references", "%s", msg);
	}
	v->state = 1;
	sbuf b = {0};
	for (const char *s = v->raw; *s;) {
		const char *close = s[0] == '$' && s[1] == '{' ? s + 2 : NULL;
		while (close && *close && (*close == '_' || (*close >= 'a' && *close <= 'z') ||
		                           (*close >= 'A' && *close <= 'Z') ||
		                           (*close >= '0' && *close <= '9')))
			close++;
		if (!close || *close != '}') {
			sbuf_add(&b, s++, 1);
			continue;
		}
		if (s > v->raw && s[-1] == '\\') { /* \${NAME}: the backslash goes */
			b.data[--b.len] = '\0';
			sbuf_add(&b, s, (size_t)(close + 1 - s));
			s = close + 1;
			continue;
		}
		char *name = xstrndup(s + 2, (size_t)(close - s - 2));
		const char *val = *name ? getenv(name) : NULL;
		if (!val && *name)
			val = dotenv_get(p->env, name);
		raw_var *r = val || !*name ? NULL : find_raw(p, name);
		free(name);
		if (r) {
			int rc = expand_var(p, r);
			if (rc) {
				sbuf_free(&b);
				return rc;
			}
			val = r->value;
		}
		if (val)
			sbuf_puts(&b, val);
		s = close + 1;
	}
	v->value = b.data ? sbuf_take(&b) : xstrdup("");
	v->state = 2;
	return 0;
}

const char *dotenv_get(const dotenv *env, const char *name)
{
	for (size_t i = 0; env && i < env->n; i++)
		if (!strcmp(env->vars[i].name, name))
			return env->vars[i].value;
	return NULL;
}

int dotenv_load_text(err_ctx *e, dotenv *env, const char *file, const char *text, size_t len)
{
	if (memchr(text, '\0', len))
		return err_set(e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, file, 0, 0,
		               "a .env file is text", "NUL byte in the file");
	/* dotenv turns \r\n and a lone \r into \n first; a byte order mark is
	 * blank to its pattern. */
	char *t = xmalloc(len + 1);
	size_t n = 0, i = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
	for (; i < len; i++) {
		if (text[i] == '\r') {
			t[n++] = '\n';
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else {
			t[n++] = text[i];
		}
	}
	t[n] = '\0';
	env_parse p = {.e = e, .file = file, .t = t, .len = n, .env = env};
	int rc = parse(&p);
	for (size_t k = 0; !rc && k < p.n; k++) {
		raw_var *v = &p.vars[k];
		if (getenv(v->name) || dotenv_get(env, v->name))
			continue; /* the real environment and earlier files win */
		rc = expand_var(&p, v);
	}
	for (size_t k = 0; !rc && k < p.n; k++) {
		raw_var *v = &p.vars[k];
		if (getenv(v->name) || dotenv_get(env, v->name))
			continue;
		env->vars = xrealloc(env->vars, (env->n + 1) * sizeof *env->vars);
		env->vars[env->n++] = (env_var){.name = v->name, .value = v->value};
		v->name = v->value = NULL;
	}
	for (size_t k = 0; k < p.n; k++) {
		free(p.vars[k].name);
		free(p.vars[k].raw);
		free(p.vars[k].value);
	}
	free(p.vars);
	free(t);
	return rc;
}

int dotenv_load(err_ctx *e, dotenv *env, const char *path, bool *found)
{
	*found = false;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, path, 0, 0, NULL,
		               "cannot read .env file: %s", strerror(errno));
	}
	sbuf b = {0};
	char buf[8192];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&b, buf, k);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		sbuf_free(&b);
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, path, 0, 0, NULL,
		               "cannot read .env file");
	}
	*found = true;
	int rc = dotenv_load_text(e, env, path, b.data ? b.data : "", b.len);
	sbuf_free(&b);
	return rc;
}

void dotenv_free(dotenv *env)
{
	for (size_t i = 0; i < env->n; i++) {
		if (env->vars[i].value)
			explicit_bzero(env->vars[i].value, strlen(env->vars[i].value));
		free(env->vars[i].name);
		free(env->vars[i].value);
	}
	free(env->vars);
	env->vars = NULL;
	env->n = 0;
}

/* path as messages show it: relative to the working directory when inside it. */
static const char *shown(const char *path, const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;
	if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

/* Read path into cfg->env once (the same file reached twice is read once). */
int config_read_env(err_ctx *e, config *cfg, const char *path)
{
	char *real = realpath(path, NULL);
	for (size_t i = 0; real && i < cfg->nenv_files; i++)
		if (!strcmp(cfg->env_files[i], real)) {
			free(real);
			return 0;
		}
	char *cwd = getcwd(NULL, 0);
	const char *name = shown(path, cwd);
	size_t before = cfg->env.n;
	bool found;
	int rc = dotenv_load(e, &cfg->env, name, &found);
	if (!rc && found) {
		cfg->env_files = xrealloc(cfg->env_files, (cfg->nenv_files + 1) * sizeof *cfg->env_files);
		cfg->env_files[cfg->nenv_files++] = real ? real : xstrdup(path);
		real = NULL;
		logf_(e, STRATA_LOG_DEBUG, NULL, 0, "read %s: %zu variable%s taken", name,
		      cfg->env.n - before, cfg->env.n - before == 1 ? "" : "s");
	}
	free(cwd);
	free(real);
	return rc;
}

/*
 * Native tools that read a .env of their own next to a source's folder, as
 * data: strata reads the same file for a source of that format.  The Prisma
 * CLI reads the .env beside schema.prisma, the parent of the migrations
 * folder (prisma/.env), after the project's .env, and reads none when a
 * Prisma config file is in the project folder.  This table lives in config/
 * and not in the format's plugin because strata.yaml is read, and its
 * ${VAR} expanded, before any plugin is loaded (plugin_path: is one of its
 * values).
 */
static const char *const prisma_configs[] = {
	"prisma.config.ts", "prisma.config.mts", "prisma.config.cts", "prisma.config.js",
	"prisma.config.mjs", "prisma.config.cjs", ".config/prisma.ts", ".config/prisma.mts",
	".config/prisma.cts", ".config/prisma.js", ".config/prisma.mjs", ".config/prisma.cjs",
	NULL,
};
static const struct tool_env {
	const char *format;
	const char *const *unless; /* ...unless one of these is in the project folder */
} tool_envs[] = {
	{"prisma", prisma_configs},
};

int config_source_env(err_ctx *e, config *cfg, const char *format, const char *folder)
{
	for (size_t i = 0; i < sizeof tool_envs / sizeof tool_envs[0]; i++) {
		const struct tool_env *t = &tool_envs[i];
		if (strcmp(t->format, format))
			continue;
		/* The folder's parent: its path without trailing slashes and last part. */
		char *dir = xstrdup(folder);
		size_t n = strlen(dir);
		while (n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
		char *slash = strrchr(dir, '/');
		if (!slash) {
			free(dir);
			return 0;
		}
		slash[slash == dir] = '\0';
		char *env = path_join(dir, ".env");
		free(dir);
		int rc = 0;
		const char *const *u = t->unless;
		for (; *u; u++) {
			char *c = path_join(cfg->dir, *u);
			bool there = access(c, F_OK) == 0;
			free(c);
			if (there)
				break;
		}
		if (*u) {
			char *cwd = getcwd(NULL, 0);
			logf_(e, STRATA_LOG_DEBUG, NULL, 0,
			      "not reading %s: %s is there (the %s CLI reads no .env then)",
			      shown(env, cwd), *u, format);
			free(cwd);
		} else {
			rc = config_read_env(e, cfg, env);
		}
		free(env);
		return rc;
	}
	return 0;
}
