/* Just enough JSON reading for the fleet: the children run with --json and
 * their objects are embedded in the fleet's, their counts and errors shown
 * as text.  A value is checked whole before it is embedded (a child that
 * crashed mid-line must not break the fleet's JSON). */
#include "fleet.h"

#include <stdlib.h>
#include <string.h>

static const char *blanks(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static const char *str_end(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && !*++p)
			return NULL;
		else if ((unsigned char)*p < 0x20)
			return NULL;
	return *p == '"' ? p + 1 : NULL;
}

const char *jv_end(const char *p)
{
	p = blanks(p);
	if (*p == '"')
		return str_end(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = blanks(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (*p != '"' || !(p = str_end(p)))
					return NULL;
				p = blanks(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = jv_end(p)))
				return NULL;
			p = blanks(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
			p = blanks(p);
		}
	}
	size_t n = strspn(p, "+-0123456789.eE");
	if (n)
		return p + n;
	for (const char *const *w = (const char *const[]){"true", "false", "null", NULL}; *w; w++)
		if (!strncmp(p, *w, strlen(*w)))
			return p + strlen(*w);
	return NULL;
}

static void put_utf8(text *t, unsigned cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80)
		b[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	else
		b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	text_raw(t, b, n);
}

char *jv_string(const char *v)
{
	v = blanks(v);
	if (*v != '"' || !str_end(v))
		return NULL;
	text t = {0};
	for (const char *p = v + 1; *p != '"'; p++) {
		if (*p != '\\') {
			text_raw(&t, p, 1);
			continue;
		}
		p++;
		const char *from = "nrtbf\"\\/", *to = "\n\r\t\b\f\"\\/";
		const char *k = strchr(from, *p);
		if (*p == 'u') {
			char hex[5] = {0};
			memcpy(hex, p + 1, 4);
			put_utf8(&t, (unsigned)strtoul(hex, NULL, 16));
			p += 4;
		} else if (k)
			text_raw(&t, to + (k - from), 1);
	}
	text_raw(&t, "", 0);
	if (!t.data)
		return calloc(1, 1);
	t.data[t.len] = '\0';
	return t.data;
}

void jv_members(const char *obj, int (*fn)(void *ud, const char *key, const char *v, const char *end),
                void *ud)
{
	const char *p = blanks(obj);
	if (*p != '{' || !jv_end(p))
		return;
	p = blanks(p + 1);
	while (*p == '"') {
		char *key = jv_string(p);
		p = blanks(str_end(p));
		p = blanks(p + 1); /* ':' */
		const char *end = jv_end(p);
		int stop = fn(ud, key, p, end);
		free(key);
		if (stop)
			return;
		p = blanks(end);
		if (*p != ',')
			return;
		p = blanks(p + 1);
	}
}

typedef struct lookup {
	const char *key, *v;
} lookup;

static int find(void *ud, const char *key, const char *v, const char *end)
{
	(void)end;
	lookup *l = ud;
	if (strcmp(key, l->key))
		return 0;
	l->v = v;
	return 1;
}

char *jv_get_str(const char *obj, const char *key)
{
	lookup l = {key, NULL};
	jv_members(obj, find, &l);
	return l.v ? jv_string(l.v) : NULL;
}

long jv_get_num(const char *obj, const char *key, long dflt)
{
	lookup l = {key, NULL};
	jv_members(obj, find, &l);
	char *end;
	long n = l.v ? strtol(l.v, &end, 10) : 0;
	return l.v && end != l.v ? n : dflt;
}
