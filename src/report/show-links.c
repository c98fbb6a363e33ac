/*
 * reftriage show: the packages linked to one (moved here from
 * src/cli/cmd-show.c), naming the key each shares.
 */
#include "reftriage/show.h"

#include "reftriage/links.h"

struct links_ctx {
	FILE *out;     /* text here, */
	struct buf *b; /* or JSON here */
	size_t n;
	int err;
	const struct package *own; /* the package's latest version, to name keys; or NULL */
};

struct key_name {
	int64_t key;
	char text[300];
};

static int name_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct key_name *k = ctx;

	if (key != k->key)
		return 0;
	(void)snprintf(k->text, sizeof(k->text), "%.*s", (int)len, text);
	return 1;
}

static int on_link(void *ctx, const char *ref, int64_t id)
{
	struct links_ctx *l = ctx;
	/* The store keeps keys as numbers (schema 13): a shared one is one of the package's own. */
	struct key_name k = {id, "a linking key"};

	if (l->own)
		(void)link_keys_of(l->own, name_key, &k);
	if (l->b)
		l->err |= report_json_link(l->b, ref, k.text, l->n == 0);
	else
		report_show_link(l->out, ref, k.text);
	l->n++;
	return l->err ? -1 : 0;
}

/*
 * The linked packages (a subject or an identifier other than an IP address
 * shared), or with ip the possible links: packages that share only an IP
 * address, which is often shared by strangers (CGNAT, public Wi-Fi).
 */
static int links_named(struct store *st, int64_t id, bool ip, struct links_ctx *l, struct diag *d)
{
	if (l->b)
		l->err |= buf_adds(l->b, ip ? ",\"possible_links\":[" : ",\"linked\":[");
	else
		fputs(ip ? "\npossible links (shared IP)\n"
		         : "\nlinked packages (sharing a subject or an identifier)\n",
		      l->out);
	if (store_each_link(st, id, l->own, ip, on_link, l, d) < 0)
		return -1;
	if (l->b)
		l->err |= buf_addc(l->b, ']');
	else if (!l->n)
		fputs("  none\n", l->out);
	return l->err ? -1 : 0;
}

int report_show_links(FILE *out, struct buf *json, struct store *st, int64_t id, bool erased,
                      struct diag *d)
{
	struct links_ctx l = {out, json, 0, 0, NULL}, ip;
	struct package own;
	struct buf facts;
	int version, rc;

	/*
	 * The latest version's keys are the ones stored, and the store finds the
	 * links from them. A package whose facts cannot be read (erased,
	 * damaged) is still listed with its links (the store then reads every
	 * key to find them), their keys unnamed.
	 */
	package_init(&own);
	buf_init(&facts);
	if (!erased && store_latest_facts(st, id, &facts, &version, d) == 0 &&
	    package_decode_facts(&own, facts.data, facts.len) == 0)
		l.own = &own;
	buf_release(&facts);
	diag_clear(d);
	ip = l;
	rc = links_named(st, id, false, &l, d);
	if (rc == 0)
		rc = links_named(st, id, true, &ip, d);
	package_release(&own);
	return rc;
}
