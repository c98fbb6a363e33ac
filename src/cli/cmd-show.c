/* reftriage show REF: one package, its fields and its versions. */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/package.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

static const char *const formats[] = {"text", "json", NULL};
const struct cli_opt show_opts[] = {
    {"format", 'f', CLI_ENUM, "FORMAT", "text for people, json for scripts", formats, 0, 0},
    CLI_OPT_END,
};
const char show_about[] =
    "Show one package: the fields of its latest version, its workflow state and\n"
    "every version received, newest first, with content hash and source.\n";

struct show_ctx {
	bool json;
	bool first_version;
	bool damaged; /* a version failed its hash check */
	struct store *st;
	int64_t id;        /* the package's id in the store */
	int64_t purged_at; /* 0, or when its content was erased */
	struct package pkg;
	struct buf b;
	int err;
};

static int on_package(void *ctx, const struct store_package *p)
{
	struct show_ctx *x = ctx;
	char t[40];

	x->id = p->id;
	x->purged_at = p->purged_at;
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
		x->err |= jsonw_key(&x->b, &first, "erased_at");
		if (p->purged_at) {
			time_format(p->purged_at, t);
			x->err |= jsonw_string(&x->b, t, strlen(t));
		} else {
			x->err |= buf_adds(&x->b, "null");
		}
		x->err |= jsonw_key(&x->b, &first, "versions");
		x->err |= buf_addc(&x->b, '[');
		fwrite(x->b.data, 1, x->b.len, stdout);
		return x->err ? -1 : 0;
	}
	printf("package   ");
	cli_put_safe(stdout, p->ref, strlen(p->ref), NULL);
	printf("\nstatus    %s%s\n", p->status,
	       !p->updated ? ""
	       : strcmp(p->status, "new") == 0
	           ? " (a newer version has arrived)"
	           : " (updated since assigned: a newer version has arrived)");
	printf("assigned  ");
	if (p->assigned_to)
		cli_put_safe(stdout, p->assigned_to, strlen(p->assigned_to), NULL);
	else
		printf("-");
	time_format(p->first_seen_at, t);
	printf("\nversions  %d (first seen %s)\n", p->latest_version, t);
	if (p->purged_at) {
		time_format(p->purged_at, t);
		printf("content   erased by purge on %s (its ref, content hashes and history are "
		       "kept)\n",
		       t);
	}
	return 0;
}

/* Fields grouped as an analyst reads a referral. */
static const struct {
	const char *title;
	int first, last; /* contract field range, inclusive */
} groups[] = {
    {"package", F_PACKAGE_REF, F_SUMMARY},
    {"subject", F_SUBJECT_REF, F_SUBJECT_ON_BAIL_OR_LICENCE},
    {"material", F_IMAGES_CAT_A, F_LIVESTREAM_PAYMENT},
    {"communications", F_SEXUAL_COMMUNICATION, F_CHILDREN_CONTACTED},
    {"child at risk", F_CHILD_IDENTIFIED, F_ONGOING_CONTACT},
    {"linking", F_IDENTIFIERS, F_IDENTIFIERS},
    {"source", F_SOURCE_FIRST, F_SOURCE_LAST},
};

static void print_fields(struct show_ctx *x)
{
	size_t g;
	int f;

	for (g = 0; g < ARRAY_SIZE(groups); g++) {
		printf("\n%s\n", groups[g].title);
		for (f = groups[g].first; f <= groups[g].last; f++) {
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
			cli_put_safe(stdout, x->b.data, x->b.len,
			             "                                   ");
			putchar('\n');
		}
	}
}

struct history_ctx {
	bool json;
	struct buf *b;
	size_t n;
	int err;
};

static int on_event(void *ctx, const struct store_event *e)
{
	struct history_ctx *h = ctx;
	char t[40];

	time_format(e->at, t);
	if (h->json) {
		bool first = true;

		h->err |= buf_adds(h->b, h->n ? ",{" : "{");
		h->err |= jsonw_key(h->b, &first, "at");
		h->err |= jsonw_string(h->b, t, strlen(t));
		h->err |= jsonw_key(h->b, &first, "operator");
		h->err |= jsonw_string(h->b, e->operator_name, strlen(e->operator_name));
		h->err |= jsonw_key(h->b, &first, "action");
		h->err |= jsonw_string(h->b, e->action, strlen(e->action));
		h->err |= jsonw_key(h->b, &first, "from_status");
		h->err |= jsonw_string(h->b, e->from_status, strlen(e->from_status));
		h->err |= jsonw_key(h->b, &first, "to_status");
		h->err |= jsonw_string(h->b, e->to_status, strlen(e->to_status));
		h->err |= jsonw_key(h->b, &first, "assigned_to");
		h->err |= e->assigned_to
		              ? jsonw_string(h->b, e->assigned_to, strlen(e->assigned_to))
		              : buf_adds(h->b, "null");
		h->err |= jsonw_key(h->b, &first, "note");
		h->err |=
		    e->note ? jsonw_string(h->b, e->note, strlen(e->note)) : buf_adds(h->b, "null");
		h->err |= buf_addc(h->b, '}');
	} else {
		printf("  %s  ", t);
		cli_put_safe(stdout, e->operator_name, strlen(e->operator_name), NULL);
		if (e->assigned_to) {
			printf("  assigned to ");
			cli_put_safe(stdout, e->assigned_to, strlen(e->assigned_to), NULL);
			if (strcmp(e->from_status, e->to_status) != 0)
				printf(" (%s -> %s)", e->from_status, e->to_status);
		} else {
			printf("  %s -> %s", e->from_status, e->to_status);
		}
		if (e->note) {
			printf("\n      note: ");
			cli_put_safe(stdout, e->note, strlen(e->note), "            ");
		}
		putchar('\n');
	}
	h->n++;
	return h->err ? -1 : 0;
}

/* The history of assignments and status changes: text, or a JSON member into x->b. */
static int print_history(struct show_ctx *x, struct diag *d)
{
	struct history_ctx h = {x->json, &x->b, 0, 0};

	if (x->json)
		x->err |= buf_adds(&x->b, ",\"history\":[");
	else
		printf("\nhistory (assignments and status changes, oldest first)\n");
	if (store_each_event(x->st, x->id, on_event, &h, d) < 0)
		return -1;
	if (x->json)
		x->err |= buf_addc(&x->b, ']');
	else if (!h.n)
		printf("  none yet\n");
	return x->err || h.err ? -1 : 0;
}

struct links_ctx {
	bool json;
	struct buf *b;
	size_t n;
	int err;
};

static int on_link(void *ctx, const char *ref, const char *key)
{
	struct links_ctx *l = ctx;

	if (l->json) {
		bool first = true;

		l->err |= buf_adds(l->b, l->n ? ",{" : "{");
		l->err |= jsonw_key(l->b, &first, "package_ref");
		l->err |= jsonw_string(l->b, ref, strlen(ref));
		l->err |= jsonw_key(l->b, &first, "shared");
		l->err |= jsonw_string(l->b, key, strlen(key));
		l->err |= buf_addc(l->b, '}');
	} else {
		printf("  %-24s shares ", ref);
		cli_put_safe(stdout, key, strlen(key), NULL);
		putchar('\n');
	}
	l->n++;
	return l->err ? -1 : 0;
}

/*
 * The linked packages (a subject or an identifier other than an IP address
 * shared), or with ip the possible links: packages that share only an IP
 * address, which is often shared by strangers (CGNAT, public Wi-Fi).
 */
static int print_links(struct show_ctx *x, bool ip, struct diag *d)
{
	struct links_ctx l = {x->json, &x->b, 0, 0};

	if (x->json)
		x->err |= buf_adds(&x->b, ip ? ",\"possible_links\":[" : ",\"linked\":[");
	else
		printf(ip ? "\npossible links (shared IP)\n"
		          : "\nlinked packages (sharing a subject or an identifier)\n");
	if (store_each_link(x->st, x->id, ip, on_link, &l, d) < 0)
		return -1;
	if (x->json)
		x->err |= buf_addc(&x->b, ']');
	else if (!l.n)
		printf("  none\n");
	return x->err || l.err ? -1 : 0;
}

/* The score, why, and the links: text, or JSON members appended to x->b. */
static int print_score(struct show_ctx *x, struct diag *d)
{
	struct store_score sc;
	struct ruleset *rs = NULL;
	char t[40], hex[HASH_HEX];
	struct buf fb;
	const char *fired, *p;
	int64_t rsid;
	int rc;

	buf_init(&fb);
	rc = store_get_score(x->st, x->id, &sc, &fb, d);
	fired = fb.data;
	if (rc < 0 || (rc == 0 && score_load_rules(x->st, sc.rule_set_id, &rs, &rsid, d) < 0)) {
		buf_release(&fb);
		return -1;
	}
	if (x->json) {
		x->err |= buf_adds(&x->b, ",\"score\":");
		if (rc == 1) {
			x->err |= buf_adds(&x->b, "null");
		} else {
			bool first = true;

			hash_hex(hex, rs->hash);
			x->err |= buf_addc(&x->b, '{');
			x->err |= jsonw_key(&x->b, &first, "priority");
			x->err |= jsonw_string(&x->b, rs->bands[sc.priority].priority,
			                       strlen(rs->bands[sc.priority].priority));
			x->err |= jsonw_key(&x->b, &first, "band");
			x->err |= jsonw_string(&x->b, rs->bands[sc.band].priority,
			                       strlen(rs->bands[sc.band].priority));
			x->err |= jsonw_key(&x->b, &first, "score");
			x->err |= buf_addf(&x->b, "%lld", (long long)sc.score);
			time_format(sc.due_at, t);
			x->err |= jsonw_key(&x->b, &first, "due_at");
			x->err |= jsonw_string(&x->b, t, strlen(t));
			x->err |= jsonw_key(&x->b, &first, "overdue");
			x->err |= buf_adds(&x->b, sc.overdue ? "true" : "false");
			time_format(sc.as_of, t);
			x->err |= jsonw_key(&x->b, &first, "as_of");
			x->err |= jsonw_string(&x->b, t, strlen(t));
			x->err |= jsonw_key(&x->b, &first, "rules_hash");
			x->err |= jsonw_string(&x->b, hex, strlen(hex));
			x->err |= jsonw_key(&x->b, &first, "version_scored");
			x->err |= buf_addf(&x->b, "%d", sc.version);
			x->err |= jsonw_key(&x->b, &first, "linked_packages");
			x->err |= buf_addf(&x->b, "%lld", (long long)sc.linked);
			x->err |= jsonw_key(&x->b, &first, "ip_linked_packages");
			x->err |= buf_addf(&x->b, "%lld", (long long)sc.ip_linked);
			x->err |= jsonw_key(&x->b, &first, "explanation");
			x->err |= buf_addc(&x->b, '[');
		}
	} else if (rc == 1) {
		printf("\nscore     not scored (closed, or not yet scored: run reftriage score)\n");
	} else {
		time_format(sc.due_at, t);
		printf("\npriority  %s (%s)   score %lld   due %s%s\n",
		       rs->bands[sc.priority].priority, rs->bands[sc.priority].label,
		       (long long)sc.score, t, sc.overdue ? "   OVERDUE" : "");
		if (sc.priority != sc.band)
			printf("          the score alone reaches %s; a rule's floor raised it\n",
			       rs->bands[sc.band].priority);
		time_format(sc.as_of, t);
		hash_hex(hex, rs->hash);
		printf("          scored as of %s with %s %s (%.12s), version %d\n", t, rs->name,
		       rs->version, hex, sc.version);
		printf("\nwhy (the rules that fired, in rules-file order)\n");
		if (!fired[0])
			printf("  no rule fired\n");
		printf("%s",
		       fired[0]
		           ? "  points  rule                     category         description\n"
		           : "");
	}
	/* Each fired rule: points, id, category and description. */
	for (p = rc == 0 ? fired : ""; *p;) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char id[64];
		const struct rule *ru;

		(void)snprintf(id, sizeof(id), "%.*s", (int)(n < 63 ? n : 63), p);
		ru = ruleset_rule(rs, id);
		if (ru && x->json) {
			bool first = true;
			const char *cat = rule_category_names[ru->category];

			x->err |= buf_adds(&x->b, p == fired ? "{" : ",{");
			x->err |= jsonw_key(&x->b, &first, "rule");
			x->err |= jsonw_string(&x->b, ru->id, strlen(ru->id));
			x->err |= jsonw_key(&x->b, &first, "category");
			x->err |= jsonw_string(&x->b, cat, strlen(cat));
			x->err |= jsonw_key(&x->b, &first, "points");
			x->err |= buf_addf(&x->b, "%lld", (long long)ru->points);
			x->err |= jsonw_key(&x->b, &first, "description");
			x->err |= jsonw_string(&x->b, ru->description, strlen(ru->description));
			x->err |= buf_addc(&x->b, '}');
		} else if (ru) {
			printf("  %+6lld  %-24s %-16s %s%s%s\n", (long long)ru->points, ru->id,
			       rule_category_names[ru->category], ru->description,
			       ru->floor >= 0 ? "; floor " : "",
			       ru->floor >= 0 ? rs->bands[ru->floor].priority : "");
		}
		p = end ? end + 1 : p + n;
	}
	if (x->json && rc == 0)
		x->err |= buf_adds(&x->b, "]}");
	ruleset_free(rs);
	buf_release(&fb);
	if (print_links(x, false, d) < 0 || print_links(x, true, d) < 0)
		return -1;
	return x->err ? -1 : 0;
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
	if (!x->purged_at && load_version(x, v) < 0)
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
		x->err |= jsonw_key(&x->b, &first, "package");
		if (x->purged_at) {
			x->err |= buf_adds(&x->b, "null"); /* erased */
		} else {
			canon = package_canonical(&x->pkg, &clen);
			x->err |= buf_add(&x->b, canon, clen);
		}
		x->err |= buf_addc(&x->b, '}');
		fwrite(x->b.data, 1, x->b.len, stdout);
		x->first_version = false;
		return x->err ? -1 : 0;
	}
	if (x->first_version) {
		struct diag d;

		if (!x->purged_at) {
			printf("\nfields of the latest version (v%d)\n", v->version);
			print_fields(x);
		}
		diag_clear(&d);
		if (print_score(x, &d) < 0 || print_history(x, &d) < 0) {
			(void)cli_report(&d);
			return -1;
		}
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

int cmd_show(struct cli *cli)
{
	const char *ref = cli->operands[0];
	const char *format = cli_str(cli, "format");
	struct show_ctx x;
	struct diag d;
	int rc;

	memset(&x, 0, sizeof(x));
	x.json = format && strcmp(format, "json") == 0;
	package_init(&x.pkg);
	buf_init(&x.b);
	x.first_version = true;
	x.st = cli->st;
	diag_clear(&d);
	rc = store_get_package(cli->st, ref, on_package, on_version, &x, &d);
	if (rc == 1) {
		rc = cli_no_package(cli, ref);
	} else if (rc < 0) {
		rc = x.damaged ? EX_DATAERR : cli_report(&d);
	} else {
		rc = x.damaged ? EX_DATAERR : EX_OK;
		if (x.json) {
			buf_reset(&x.b);
			if (buf_addc(&x.b, ']') < 0 || print_score(&x, &d) < 0 ||
			    print_history(&x, &d) < 0 || buf_adds(&x.b, "}\n") < 0)
				rc = d.code ? cli_report(&d) : EX_SOFTWARE;
			else
				fwrite(x.b.data, 1, x.b.len, stdout);
		}
	}
	cli_details_str(&cli->details, "format", x.json ? "json" : "text");
	if (rc == EX_OK && store_audit_ref(cli->st, ref, &d) < 0)
		rc = cli_report(&d);
	package_release(&x.pkg);
	buf_release(&x.b);
	return rc;
}
