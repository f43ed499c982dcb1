/* px arguments -> at_arg (types_py.h). */
#include <string.h>

#include "types_py.h"

int atp_args(px_arena *a, const px *e, at_arg **out)
{
	*out = NULL;
	if (!e || e->k != PX_CALL || !e->na)
		return 0;
	at_arg *v = px_alloc(a, (size_t)e->na * sizeof *v);
	for (int i = 0; i < e->na; i++) {
		const px *x = e->a[i];
		v[i].kw = e->kw[i];
		switch (x->k) {
		case PX_NONE:
			v[i].k = AT_NONE;
			break;
		case PX_BOOL: case PX_INT:
			v[i].k = x->k == PX_BOOL ? AT_BOOL : AT_INT;
			v[i].iv = x->iv;
			break;
		default: /* an f-string or bytes is no literal here */
			if (x->k == PX_STR && !x->fstr && !x->bytes) {
				v[i].k = AT_STR;
				v[i].s = x->s;
			} else {
				v[i].k = AT_TYPE;
				v[i].type = x;
			}
			break;
		}
	}
	*out = v;
	return e->na;
}

const char *atp_enum_class(px_arena *a, const px *call)
{
	if (!call || call->k != PX_CALL)
		return NULL;
	const px *first = px_posarg(call, 0);
	if (!first || (first->k != PX_NAME && first->k != PX_ATTR))
		return NULL;
	return px_dotted(a, first);
}
