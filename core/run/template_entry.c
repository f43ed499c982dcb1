/* The replay cache's template entries (template.h): a template's comment
 * ("strata replay template: key=... prefix=... created=... project=...")
 * read back, shared by the stores and template.c. */
#include "template.h"

#include <stdlib.h>
#include <string.h>

/* The word after "field=" up to the next space (project: to the end). */
static char *field(const char *comment, const char *name, bool rest)
{
	const char *v = strstr(comment, name);
	if (!v)
		return NULL;
	v += strlen(name);
	return xstrndup(v, rest ? strlen(v) : strcspn(v, " "));
}

void tpl_entry_read(tpl_entry *e, const char *name, const char *comment)
{
	memset(e, 0, sizeof *e);
	e->name = xstrdup(name);
	if (!comment || strncmp(comment, "strata replay template: ", 24))
		return;
	e->key = field(comment, " key=", false);
	e->created = field(comment, " created=", false);
	e->project = field(comment, " project=", true);
	char *k = field(comment, " prefix=", false);
	e->prefix = k ? strtoul(k, NULL, 10) : 0;
	free(k);
}

void tpl_entry_clear(tpl_entry *e)
{
	free(e->name);
	free(e->key);
	free(e->project);
	free(e->created);
	memset(e, 0, sizeof *e);
}

int tpl_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const tpl_entry *)a)->name, ((const tpl_entry *)b)->name);
}
