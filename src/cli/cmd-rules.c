/* reftriage rules check | install | show: the force's priority rules. */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

static const char usage[] =
    "usage: reftriage rules check FILE\n"
    "       reftriage [--db PATH] rules install FILE [--as-of TIME]\n"
    "       reftriage [--db PATH] rules show [--format text|json]\n\n"
    "check    validate a rules file; every error with its rule id and column (exit 0 or 65)\n"
    "install  check FILE, keep it in the store under its BLAKE2b-256 hash, make it the\n"
    "         active rule set and rescore every open package (at TIME, default now)\n"
    "show     the active rules: their hash, when and by whom they were installed, the\n"
    "         bands and every rule; --format json prints the installed file exactly\n\n"
    "The file format and the condition language are in docs/rules.md.\n";

/* Rules files are small; anything larger than this is not one. */
#define RULES_MAX_BYTES (4 * 1024 * 1024)

/* Read a whole rules file; EX_OK, or an exit code after a message. */
static int read_file(const char *path, struct buf *out)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "reftriage: %s: cannot open: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "reftriage: %s: read error: %s\n", path, strerror(errno));
			(void)close(fd);
			return EX_IOERR;
		}
		if (out->len + (size_t)n > RULES_MAX_BYTES) {
			fprintf(stderr, "reftriage: %s: larger than %d bytes: not a rules file\n",
			        path, RULES_MAX_BYTES);
			(void)close(fd);
			return EX_DATAERR;
		}
		if (buf_add(out, chunk, (size_t)n) < 0) {
			fprintf(stderr, "reftriage: %s: out of memory\n", path);
			(void)close(fd);
			return EX_SOFTWARE;
		}
	}
	(void)close(fd);
	return EX_OK;
}

/* Parse and check; print every error as FILE[:LINE]: WHERE: KEY: column N: message. */
static int check(const char *path, struct buf *body, struct ruleset **out)
{
	struct rules_errors errs;
	size_t i;
	int rc = read_file(path, body);

	*out = NULL;
	if (rc != EX_OK)
		return rc;
	rules_errors_init(&errs);
	*out = ruleset_parse(body->data, body->len, &errs);
	if (errs.oom) {
		fprintf(stderr, "reftriage: %s: out of memory\n", path);
		rules_errors_release(&errs);
		return EX_SOFTWARE;
	}
	for (i = 0; i < errs.n; i++) {
		const struct rules_error *e = &errs.e[i];

		fprintf(stderr, "%s", path);
		if (e->line)
			fprintf(stderr, ":%lu", e->line);
		fprintf(stderr, ": %s: ", e->where);
		if (e->key[0])
			fprintf(stderr, "%s: ", e->key);
		if (e->column)
			fprintf(stderr, "column %u: ", e->column);
		cli_put_safe(stderr, e->message, strlen(e->message), NULL);
		fputc('\n', stderr);
	}
	rc = errs.n ? EX_DATAERR : EX_OK;
	if (errs.n)
		fprintf(stderr, "%s: %zu error%s; the rules were not accepted\n", path, errs.n,
		        errs.n == 1 ? "" : "s");
	rules_errors_release(&errs);
	return rc;
}

static int do_check(struct cli *cli, int argc, char **argv)
{
	struct ruleset *rs;
	struct buf body;
	char hex[HASH_HEX];
	int rc;

	/* argv[0] is "check": it takes no options, only FILE. */
	if (argc != 2)
		return cli_usage_error(cli, "'rules check' takes one FILE");
	buf_init(&body);
	rc = check(argv[1], &body, &rs);
	if (rc == EX_OK) {
		hash_hex(hex, rs->hash);
		fprintf(stderr, "%s: ok: %s %s, %zu rules, %zu bands, hash %s\n", argv[1], rs->name,
		        rs->version, rs->nrules, rs->nbands, hex);
	}
	ruleset_free(rs);
	buf_release(&body);
	return rc;
}

static int do_install(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"as-of", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	struct ruleset *rs = NULL;
	struct store *st = NULL;
	struct buf body;
	struct diag d;
	int64_t as_of = time_now(), id;
	unsigned long n = 0;
	char hex[HASH_HEX], t[40];
	int c, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		if (c != 'a')
			return EX_USAGE;
		if (cli_parse_time(cli, "--as-of", cli_optarg, &as_of) != EX_OK)
			return EX_USAGE;
	}
	if (argc - cli_optind != 1)
		return cli_usage_error(cli, "'rules install' takes one FILE");
	buf_init(&body);
	rc = check(argv[cli_optind], &body, &rs);
	if (rc != EX_OK)
		goto out;
	rc = cli_open_store(cli, 30000, &st);
	if (rc != EX_OK)
		goto out;
	diag_clear(&d);
	/* Installing and rescoring are one transaction: never new rules with old scores. */
	if (store_begin(st, &d) < 0 ||
	    store_rules_install(st, rs->hash, rs->name, rs->version, body.data, body.len,
	                        cli->operator_name, argv[cli_optind], time_now(), &id, &d) < 0 ||
	    cli_audit_rules_install(cli, st, rs, argv[cli_optind], &d) < 0 ||
	    score_all(st, rs, id, as_of, &n, &d) < 0 ||
	    cli_audit_score(cli, st, rs, as_of, n, &d) < 0 || store_commit(st, &d) < 0) {
		store_rollback(st);
		rc = cli_report(&d);
		goto out;
	}
	hash_hex(hex, rs->hash);
	time_format(as_of, t);
	fprintf(stderr,
	        "reftriage: installed %s %s (hash %s) from %s; rescored %lu open package%s as of "
	        "%s\n",
	        rs->name, rs->version, hex, argv[cli_optind], n, n == 1 ? "" : "s", t);
out:
	store_close(st);
	ruleset_free(rs);
	buf_release(&body);
	return rc;
}

struct show_ctx {
	bool json;
	struct ruleset *rs;
	int rc;
};

static int on_active(void *ctx, const struct store_rules *r)
{
	struct show_ctx *x = ctx;
	struct rules_errors errs;
	char hex[HASH_HEX], t[40];
	size_t i;

	if (x->json) {
		fwrite(r->body, 1, r->body_len, stdout);
		return 0;
	}
	rules_errors_init(&errs);
	x->rs = ruleset_parse(r->body, r->body_len, &errs);
	rules_errors_release(&errs);
	hash_hex(hex, r->hash);
	time_format(r->installed_at, t);
	printf("rules      %s %s\nhash       %s\ninstalled  %s by %s from %s\n", r->name,
	       r->version, hex, t, r->operator_name, r->source_file);
	if (!x->rs) {
		fprintf(stderr, "reftriage: rules show: the stored rules cannot be read by this "
		                "reftriage\n");
		x->rc = EX_CONFIG;
		return 0;
	}
	printf("\nbands (most urgent first)\n");
	for (i = 0; i < x->rs->nbands; i++) {
		const struct band *b = &x->rs->bands[i];

		if (b->has_min)
			printf("  %-4s score >= %-5lld respond within %4lld h  %s\n", b->priority,
			       (long long)b->min_score, (long long)b->respond_within_hours,
			       b->label);
		else
			printf("  %-4s any other score    respond within %4lld h  %s\n",
			       b->priority, (long long)b->respond_within_hours, b->label);
	}
	printf("\nrules (in file order)\n");
	for (i = 0; i < x->rs->nrules; i++) {
		const struct rule *ru = &x->rs->rules[i];

		printf("  %-24s %-16s %+5lld%s%s  %s\n      when %s\n", ru->id,
		       rule_category_names[ru->category], (long long)ru->points,
		       ru->floor >= 0 ? "  floor " : "",
		       ru->floor >= 0 ? x->rs->bands[ru->floor].priority : "", ru->description,
		       ru->when);
	}
	return 0;
}

static int do_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	struct show_ctx x = {false, NULL, EX_OK};
	struct store *st;
	struct diag d;
	int c, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		if (c != 'f')
			return EX_USAGE;
		if (cli_parse_text_json(cli, cli_optarg, &x.json) != EX_OK)
			return EX_USAGE;
	}
	if (cli_optind < argc)
		return cli_usage_error(cli, "'rules show' takes no arguments");
	rc = cli_open_store(cli, 5000, &st);
	if (rc != EX_OK)
		return rc;
	diag_clear(&d);
	rc = store_rules_get(st, 0, on_active, &x, &d);
	if (rc == 1) {
		fprintf(stderr, "reftriage: rules show: no rules are installed in %s\n",
		        cli->db_path);
		rc = EX_CONFIG;
	} else if (rc < 0) {
		rc = cli_report(&d);
	} else {
		rc = x.rc;
	}
	ruleset_free(x.rs);
	store_close(st);
	return rc;
}

int cmd_rules(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub sub[] = {
	    {"check", do_check}, {"install", do_install}, {"show", do_show}};

	return cli_subcommand(cli, argc, argv, sub, ARRAY_SIZE(sub), usage,
	                      "check, install or show");
}
