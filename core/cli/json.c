/* JSON string escaping (RFC 8259) for --json.  Besides what JSON requires
 * (quote, backslash, C0), DEL and the C1 controls are escaped too, so that
 * JSON read on a terminal cannot drive it; a byte that is not UTF-8 cannot
 * be said in JSON and becomes U+FFFD. */
#include "cli.h"

void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp;
		size_t n = utf8_len(p, &cp);
		if (!n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		switch (cp) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
				fprintf(f, "\\u%04x", cp);
			else
				fwrite(p, 1, n, f);
		}
		p += n;
	}
	putc('"', f);
}

void json_kv(FILE *f, const char *key, const char *value)
{
	fprintf(f, ", \"%s\": ", key);
	json_str(f, value);
}
