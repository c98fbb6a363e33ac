/*
 * reftriage show REF --diff: the fields that changed from one version to
 * another, old -> new, as text for people or JSON (moved here from
 * src/cli/cmd-show.c).
 */
#include "reftriage/show.h"

#include "reftriage/jsonw.h"

struct diff_ctx {
	bool json;
	size_t n;
	struct buf *b;
	FILE *out;
	int err;
};

static int on_change(void *ctx, int field, const char *old, const char *new_value)
{
	struct diff_ctx *c = ctx;
	const char *name = contract_fields[field].name;

	if (c->json)
		c->err |= report_json_change(c->b, name, old, new_value, c->n == 0);
	else
		report_show_change(c->out, name, old, new_value);
	c->n++;
	return c->err ? -1 : 0;
}

static int latest_of(void *ctx, const struct store_package *p)
{
	*(int *)ctx = p->latest_version;
	return 0;
}

int report_show_diff(FILE *out, struct store *st, const char *ref, int from, int to, bool json,
                     struct diag *d)
{
	struct buf b;
	struct diff_ctx c = {json, 0, &b, out, 0};
	int rc, latest = 0;

	rc = store_get_package(st, ref, latest_of, NULL, &latest, d);
	if (rc != 0)
		return rc;
	if (!from && latest > 1) {
		from = latest - 1;
		to = latest;
	}
	buf_init(&b);
	if (json) {
		c.err |= buf_adds(&b, "{\"package_ref\":");
		c.err |= jsonw_string(&b, ref, strlen(ref));
		c.err |= buf_addf(&b, ",\"from\":%d,\"to\":%d,\"changes\":[", from, to);
	}
	if (!json && from)
		report_print(out, "%s: version %d \xe2\x86\x92 version %d\n", ref, from, to);
	rc = store_diff_versions(st, ref, from, to, on_change, &c, d);
	if (rc == 0 && json && !c.err) {
		c.err |= buf_adds(&b, "]}\n");
		fwrite(b.data, 1, b.len, out);
	} else if (rc == 0 && !c.n) {
		fputs("  no field changed (the versions differ in form only)\n", out);
	}
	buf_release(&b);
	if (rc != 0)
		return rc == 1 ? 1 : -1;
	return c.err ? -1 : 0;
}
