/* reftriage show REF: one package, its fields and its versions. */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/package.h"
#include "reftriage/timeutil.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] show REF [--format text|json]\n\n"
    "Show one package: the fields of its latest version, its workflow state and\n"
    "every version received, newest first, with content hash and source.\n";

struct show_ctx {
	bool json;
	bool first_version;
	bool damaged; /* a version failed its hash check */
	struct package pkg;
	struct buf b;
	int err;
};

static int on_package(void *ctx, const struct store_package *p)
{
	struct show_ctx *x = ctx;
	char t[40];

	if (x->json) {
		bool first = true;

		buf_reset(&x->b);
		x->err |= buf_addc(&x->b, '{');
		x->err |= jsonw_key(&x->b, &first, "package_ref");
		x->err |= jsonw_string(&x->b, p->ref, strlen(p->ref));
		x->err |= jsonw_key(&x->b, &first, "status");
		x->err |= jsonw_string(&x->b, p->status, strlen(p->status));
		x->err |= jsonw_key(&x->b, &first, "assigned_to");
		x->err |= p->assigned_to
		              ? jsonw_string(&x->b, p->assigned_to, strlen(p->assigned_to))
		              : buf_adds(&x->b, "null");
		x->err |= jsonw_key(&x->b, &first, "updated");
		x->err |= buf_adds(&x->b, p->updated ? "true" : "false");
		x->err |= jsonw_key(&x->b, &first, "latest_version");
		x->err |= buf_addf(&x->b, "%d", p->latest_version);
		time_format(p->first_seen_at, t);
		x->err |= jsonw_key(&x->b, &first, "first_seen_at");
		x->err |= jsonw_string(&x->b, t, strlen(t));
		x->err |= jsonw_key(&x->b, &first, "versions");
		x->err |= buf_addc(&x->b, '[');
		fwrite(x->b.data, 1, x->b.len, stdout);
		return x->err ? -1 : 0;
	}
	printf("package   ");
	cli_put_safe(stdout, p->ref, strlen(p->ref), NULL);
	printf("\nstatus    %s%s\n", p->status,
	       p->updated ? " (updated since first received)" : "");
	printf("assigned  ");
	if (p->assigned_to)
		cli_put_safe(stdout, p->assigned_to, strlen(p->assigned_to), NULL);
	else
		printf("-");
	time_format(p->first_seen_at, t);
	printf("\nversions  %d (first seen %s)\n", p->latest_version, t);
	return 0;
}

static void print_fields(struct show_ctx *x)
{
	int f;

	printf("\nfields of version %s\n", "(latest)");
	for (f = 0; f < CONTRACT_NFIELDS; f++) {
		buf_reset(&x->b);
		printf("  %-32s ", contract_fields[f].name);
		if (!package_known(&x->pkg, f)) {
			printf("(unknown)\n");
			continue;
		}
		if (package_format_value(&x->pkg, f, &x->b) < 0) {
			x->err = -1;
			return;
		}
		cli_put_safe(stdout, x->b.data, x->b.len, "                                   ");
		putchar('\n');
	}
}

/*
 * Rebuild a version's package and canonical form from its stored facts, and
 * check the hash: a mismatch means the store was altered outside reftriage.
 */
static int load_version(struct show_ctx *x, const struct store_version *v)
{
	if (package_decode_facts(&x->pkg, v->facts, v->facts_len) < 0 ||
	    package_rebuild_canonical(&x->pkg) < 0) {
		fprintf(stderr, "reftriage: show: version %d: the stored content cannot be read\n",
		        v->version);
		x->damaged = true;
		return -1;
	}
	if (memcmp(x->pkg.hash, v->hash, HASH_BYTES) != 0) {
		fprintf(
		    stderr,
		    "reftriage: show: version %d: the stored content does not match its content "
		    "hash; the store has been altered\n",
		    v->version);
		x->damaged = true;
	}
	return 0;
}

static int on_version(void *ctx, const struct store_version *v)
{
	struct show_ctx *x = ctx;
	char hex[HASH_HEX], t[40];
	size_t clen;
	const char *canon;

	hash_hex(hex, v->hash);
	time_format(v->imported_at, t);
	if (load_version(x, v) < 0)
		return -1;
	if (x->json) {
		bool first = true;

		buf_reset(&x->b);
		x->err |= buf_adds(&x->b, x->first_version ? "{" : ",{");
		x->err |= jsonw_key(&x->b, &first, "version");
		x->err |= buf_addf(&x->b, "%d", v->version);
		x->err |= jsonw_key(&x->b, &first, "content_hash");
		x->err |= jsonw_string(&x->b, hex, strlen(hex));
		x->err |= jsonw_key(&x->b, &first, "imported_at");
		x->err |= jsonw_string(&x->b, t, strlen(t));
		x->err |= jsonw_key(&x->b, &first, "file");
		x->err |= jsonw_string(&x->b, v->file, strlen(v->file));
		x->err |= jsonw_key(&x->b, &first, "line");
		x->err |= buf_addf(&x->b, "%lu", v->line);
		x->err |= jsonw_key(&x->b, &first, "array_index");
		x->err |=
		    v->index >= 0 ? buf_addf(&x->b, "%ld", v->index) : buf_adds(&x->b, "null");
		/* The canonical form, byte for byte: its BLAKE2b-256 is content_hash. */
		canon = package_canonical(&x->pkg, &clen);
		x->err |= jsonw_key(&x->b, &first, "package");
		x->err |= buf_add(&x->b, canon, clen);
		x->err |= buf_addc(&x->b, '}');
		fwrite(x->b.data, 1, x->b.len, stdout);
		x->first_version = false;
		return x->err ? -1 : 0;
	}
	if (x->first_version) {
		print_fields(x);
		printf("\nversions (newest first)\n");
		x->first_version = false;
	}
	printf("  v%-3d %s  imported %s  from ", v->version, hex, t);
	cli_put_safe(stdout, v->file, strlen(v->file), NULL);
	printf(":%lu", v->line);
	if (v->index >= 0)
		printf(" [%ld]", v->index);
	putchar('\n');
	return x->err ? -1 : 0;
}

int cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	struct show_ctx x;
	struct store *st = NULL;
	struct diag d;
	int c, rc;

	memset(&x, 0, sizeof(x));
	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		if (c != 'f')
			return EX_USAGE;
		if (strcmp(cli_optarg, "json") == 0)
			x.json = true;
		else if (strcmp(cli_optarg, "text") != 0)
			return cli_usage_error(cli, "--format takes text or json, not '%s'",
			                       cli_optarg);
	}
	if (argc - cli_optind != 1)
		return cli_usage_error(cli, "name exactly one package REF");
	rc = cli_open_store(cli, 5000, &st);
	if (rc != EX_OK)
		return rc;
	package_init(&x.pkg);
	buf_init(&x.b);
	x.first_version = true;
	diag_clear(&d);
	rc = store_get_package(st, argv[cli_optind], on_package, on_version, &x, &d);
	if (rc == 1) {
		fprintf(stderr, "reftriage: show: no package with ref '");
		cli_put_safe(stderr, argv[cli_optind], strlen(argv[cli_optind]), NULL);
		fprintf(stderr, "' in %s\n", cli->db_path);
		rc = EX_DATAERR;
	} else if (rc < 0) {
		rc = x.damaged ? EX_DATAERR : cli_report(&d);
	} else {
		if (x.json)
			fputs("]}\n", stdout);
		rc = x.damaged ? EX_DATAERR : EX_OK;
	}
	package_release(&x.pkg);
	buf_release(&x.b);
	store_close(st);
	return rc;
}
