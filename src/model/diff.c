/*
 * What changed between two versions of a package: each field whose value
 * differs, with the old and the new value as text (for show --diff).
 */
#include "reftriage/package.h"

/* A field's value as text into b; false when it is unknown. -1 when memory runs out. */
static int value_of(const struct package *p, int f, struct buf *b)
{
	buf_reset(b);
	if (contract_fields[f].type == FT_LIST ? p->nids == 0 : !package_known(p, f))
		return 0;
	return package_format_value(p, f, b) < 0 ? -1 : 1;
}

int package_diff(const struct package *from, const struct package *to,
                 int (*fn)(void *ctx, int field, const char *old, const char *new_value), void *ctx)
{
	struct buf a, b;
	int f, ka, kb, rc = 0;

	buf_init(&a);
	buf_init(&b);
	for (f = 0; f < CONTRACT_NFIELDS && rc == 0; f++) {
		ka = value_of(from, f, &a);
		kb = value_of(to, f, &b);
		if (ka < 0 || kb < 0) {
			rc = -1;
			break;
		}
		if (ka == kb && (!ka || (a.len == b.len && memcmp(a.data, b.data, a.len) == 0)))
			continue;
		rc = fn(ctx, f, ka ? a.data : NULL, kb ? b.data : NULL);
	}
	buf_release(&a);
	buf_release(&b);
	return rc;
}
