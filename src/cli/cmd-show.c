/*
 * reftriage show REF: one package for people, the decision first (priority,
 * score, due, status, and why: each rule that fired with its points), then
 * the known fields, links, history and versions, in 80 columns; or, with
 * --format json, everything for scripts. show REF --diff: the fields that
 * changed between two versions.
 */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/links.h"
#include "reftriage/outcome.h"
#include "reftriage/package.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

static const char *const formats[] = {"text", "json", NULL};
const struct cli_opt show_opts[] = {
    CLI_OPT_FORMAT(formats, "text for people, json for scripts"),
    {"all", 'a', CLI_FLAG, NULL, "list the unknown fields too", NULL, 0, 0},
    {"diff", 0, CLI_FLAG, NULL, "the fields that changed between two versions", NULL, 0, 0},
    {"versions", 0, CLI_TEXT, "A,B",
     "with --diff: compare version A with B (default: the last two)", NULL, 0, 0},
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
const char show_about[] =
    "Show one package: the decision first (priority, score, due, status, and\n"
    "why: every rule that fired, with its points), then the fields of its\n"
    "latest version that are known (--all: the unknown ones too), linked\n"
    "packages, its history and every version received, newest first. Times are\n"
    "local (TZ) in text, UTC in json. --diff lists the fields that changed from\n"
    "one version to the next, old -> new (exit 65 when there is one version).\n";

/* Text lines are kept to this many columns. */
#define WIDTH 80
/* The field values' column: "  " and a 32-character name and a space. */
#define VALUE_COL 35

struct show_ctx {
	bool json, all;
	bool first_version;
	bool damaged; /* a version failed its hash check */
	struct store *st;
	const char *ref;   /* as asked for */
	int64_t id;        /* the package's id in the store */
	int64_t purged_at; /* 0, or when its content was erased */
	int64_t first_seen_at;
	int latest_version;
	struct package pkg;
	struct buf b;
	int code; /* an exit code already reported, or 0 */
	int err;
};

/*
 * Write s from column col, wrapped at spaces to WIDTH (runs of spaces become
 * one); later lines start at column indent. A word longer than a line is
 * written whole. GLUE joins two words that must stay on one line ("floor
 * P1"): it is written as a space.
 */
#define GLUE '\x1f'

static void put_wrapped(const char *s, size_t n, size_t col, size_t indent)
{
	char pad[WIDTH + 1];
	size_t i = 0, start = col;

	indent = indent < WIDTH ? indent : WIDTH;
	memset(pad, ' ', indent);
	pad[indent] = '\0';
	while (i < n && s[i] == ' ')
		i++;
	while (i < n) {
		size_t w = i;

		while (w < n && s[w] != ' ')
			w++;
		if (col > start && col + 1 + (w - i) > WIDTH) {
			printf("\n%s", pad);
			col = start = indent;
		} else if (col > start) {
			putchar(' ');
			col++;
		}
		for (; i < w; i++) {
			const char *g = memchr(s + i, GLUE, w - i);
			size_t len = g ? (size_t)(g - (s + i)) : w - i;

			cli_put_safe(stdout, s + i, len, pad);
			col += len + (g != NULL);
			i += len;
			if (g)
				putchar(' ');
		}
		for (i = w; i < n && s[i] == ' '; i++)
			;
	}
}

/* The score and the rule set that computed it: 0, 1 when not scored, -1 on error. */
static int load_score(struct show_ctx *x, struct store_score *sc, struct buf *fired,
                      struct ruleset **rs, struct diag *d)
{
	int64_t rsid;
	int rc;

	*rs = NULL;
	rc = store_get_score(x->st, x->id, sc, fired, d);
	if (rc == 0 && score_load_rules(x->st, sc->rule_set_id, rs, &rsid, d) < 0)
		return -1;
	if (rc == 0 && !fired->data && buf_adds(fired, "") < 0)
		return -1;
	return rc;
}

/* Call fn for each fired rule that the rule set knows, in rules-file order. */
static void each_fired(const struct ruleset *rs, const char *fired,
                       void (*fn)(struct show_ctx *x, const struct ruleset *rs,
                                  const struct rule *ru, bool first),
                       struct show_ctx *x)
{
	const struct rule *rules[256];
	size_t i, n = ruleset_fired(rs, fired, rules, ARRAY_SIZE(rules));

	for (i = 0; i < n; i++)
		fn(x, rs, rules[i], i == 0);
}

/* --- text: the decision ---------------------------------------------- */

static void text_rule(struct show_ctx *x, const struct ruleset *rs, const struct rule *ru,
                      bool first)
{
	char line[600];
	int n;

	(void)x;
	(void)first;
	/* Ageing points order packages within a band; they never choose it (rules.md). */
	n = snprintf(line, sizeof(line), "%s%s%s%s", ru->description,
	             ru->floor >= 0 ? "; floor\x1f" : "",
	             ru->floor >= 0 ? rs->bands[ru->floor].priority : "",
	             strcmp(rule_category_names[ru->category], "ageing") == 0 ? " (ageing)" : "");
	printf("  %+6lld  %-22s ", (long long)ru->points, ru->id);
	put_wrapped(line,
	            n < 0                      ? 0
	            : (size_t)n < sizeof(line) ? (size_t)n
	                                       : sizeof(line) - 1,
	            11 + (strlen(ru->id) > 22 ? strlen(ru->id) : 22), 33);
	putchar('\n');
}

/* priority, score and due; the band the score alone reaches when a floor raised it. */
static void text_priority(const struct store_score *sc, const struct ruleset *rs,
                          bool (*ov_line)(void *ctx, const struct store_score *sc,
                                          const struct ruleset *rs),
                          void *ov_ctx)
{
	char t[TIME_LOCAL_MAX];

	printf("priority  ");
	/* An override is the decision line: "P1 by override (...); rules say P3". */
	if (!ov_line || !ov_line(ov_ctx, sc, rs)) {
		printf("%s (", rs->bands[sc->priority].priority);
		cli_put_safe(stdout, rs->bands[sc->priority].label,
		             strlen(rs->bands[sc->priority].label), NULL);
		printf(")");
	}
	printf("   score %lld\n", (long long)sc->score);
	if (sc->priority != sc->band && sc->rules_priority == sc->priority)
		printf("          the score without its ageing points reaches %s; a rule's floor "
		       "raised it\n",
		       rs->bands[sc->band].priority);
	time_format_local(sc->due_at, t);
	printf("due       %s%s\n", t, sc->overdue ? "   OVERDUE" : "");
}

/* The decision line's override, when one is in force (cli_override_text). */
static bool show_override_line(void *ctx, const struct store_score *sc, const struct ruleset *rs)
{
	struct show_ctx *x = ctx;
	int rc = cli_override_text(x->st, x->id, rs, sc);

	if (rc < 0)
		x->err = -1;
	return rc > 0;
}

static void text_state(const struct store_package *p)
{
	printf("status    %s%s\n", p->status,
	       !p->updated ? ""
	       : strcmp(p->status, "new") == 0
	           ? " (a newer version has arrived)"
	           : " (updated since assigned: a newer version has arrived)");
	printf("assigned  ");
	if (p->assigned_to)
		cli_put_safe(stdout, p->assigned_to, strlen(p->assigned_to), NULL);
	else
		printf("-");
	putchar('\n');
}

/* The decision: priority, score, due, status, why, and what scored it. */
static int text_decision(struct show_ctx *x, const struct store_package *p, struct diag *d)
{
	struct store_score sc;
	struct ruleset *rs = NULL;
	char t[TIME_LOCAL_MAX], hex[HASH_HEX];
	struct buf fired;
	int rc;

	buf_init(&fired);
	rc = load_score(x, &sc, &fired, &rs, d);
	if (rc == 1)
		printf("priority  not scored (closed, or not yet scored: run reftriage score)\n");
	else if (rc == 0)
		text_priority(&sc, rs, show_override_line, x);
	text_state(p);
	if (rc == 0) {
		printf("why       %s\n",
		       fired.data[0] ? "the rules that fired, with their points" : "no rule fired");
		each_fired(rs, fired.data, text_rule, x);
		time_format_local(sc.as_of, t);
		hash_hex(hex, rs->hash);
		printf("scored    as of %s, version %d\nrules     ", t, sc.version);
		cli_print(stdout, "%s %s (%.12s)\n", rs->name, rs->version, hex);
	}
	ruleset_free(rs);
	buf_release(&fired);
	return rc < 0 ? -1 : 0;
}

static int text_package(struct show_ctx *x, const struct store_package *p)
{
	char t[TIME_LOCAL_MAX];
	struct diag d;

	diag_clear(&d);
	printf("package   ");
	cli_put_safe(stdout, p->ref, strlen(p->ref), NULL);
	putchar('\n');
	if (text_decision(x, p, &d) < 0) {
		x->code = cli_report(&d);
		return -1;
	}
	if (p->purged_at) {
		time_format_local(p->purged_at, t);
		printf("content   erased by purge on %s\n          (its ref, content hashes and "
		       "history are kept)\n",
		       t);
	}
	return 0;
}

/* --- json: the package ------------------------------------------------ */

static void json_time(struct show_ctx *x, int64_t us)
{
	char t[40];

	time_format(us, t);
	x->err |= jsonw_string(&x->b, t, strlen(t));
}

static int json_package(struct show_ctx *x, const struct store_package *p)
{
	bool first = true;

	buf_reset(&x->b);
	x->err |= buf_addc(&x->b, '{');
	x->err |= jsonw_key(&x->b, &first, "package_ref");
	x->err |= jsonw_string(&x->b, p->ref, strlen(p->ref));
	x->err |= jsonw_key(&x->b, &first, "status");
	x->err |= jsonw_string(&x->b, p->status, strlen(p->status));
	x->err |= jsonw_key(&x->b, &first, "assigned_to");
	x->err |= p->assigned_to ? jsonw_string(&x->b, p->assigned_to, strlen(p->assigned_to))
	                         : buf_adds(&x->b, "null");
	x->err |= jsonw_key(&x->b, &first, "updated");
	x->err |= buf_adds(&x->b, p->updated ? "true" : "false");
	x->err |= jsonw_key(&x->b, &first, "latest_version");
	x->err |= buf_addf(&x->b, "%d", p->latest_version);
	x->err |= jsonw_key(&x->b, &first, "first_seen_at");
	json_time(x, p->first_seen_at);
	x->err |= jsonw_key(&x->b, &first, "erased_at");
	if (p->purged_at)
		json_time(x, p->purged_at);
	else
		x->err |= buf_adds(&x->b, "null");
	x->err |= jsonw_key(&x->b, &first, "versions");
	x->err |= buf_addc(&x->b, '[');
	fwrite(x->b.data, 1, x->b.len, stdout);
	return x->err ? -1 : 0;
}

static int on_package(void *ctx, const struct store_package *p)
{
	struct show_ctx *x = ctx;

	x->id = p->id;
	x->purged_at = p->purged_at;
	x->first_seen_at = p->first_seen_at;
	x->latest_version = p->latest_version;
	return x->json ? json_package(x, p) : text_package(x, p);
}

/* --- text: fields ----------------------------------------------------- */

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

/* One field's line: its name and value (wrapped), or with --all "(unknown)". */
static void print_field(struct show_ctx *x, int f, bool *titled, const char *title)
{
	bool known = package_known(&x->pkg, f);

	if (!known && !x->all)
		return;
	if (!*titled)
		printf("  %s\n", title);
	*titled = true;
	printf("    %-30s ", contract_fields[f].name);
	buf_reset(&x->b);
	if (!known) {
		printf("(unknown)");
	} else if (contract_fields[f].type == FT_DATETIME) {
		char t[TIME_LOCAL_MAX];

		time_format_local(x->pkg.v[f], t); /* for people: local */
		printf("%s", t);
	} else if (package_format_value(&x->pkg, f, &x->b) < 0)
		x->err = -1;
	else
		put_wrapped(x->b.data, x->b.len, VALUE_COL, VALUE_COL);
	putchar('\n');
}

/* The known fields by group; the unknown ones counted on one line (--all: listed). */
static void print_fields(struct show_ctx *x, int version)
{
	size_t g, unknown = 0;
	int f;

	printf("\nfields of the latest version (v%d)\n", version);
	for (g = 0; g < ARRAY_SIZE(groups); g++) {
		bool titled = false;

		for (f = groups[g].first; f <= groups[g].last; f++) {
			unknown += !package_known(&x->pkg, f);
			print_field(x, f, &titled, groups[g].title);
		}
	}
	if (unknown && !x->all)
		printf("  %zu field%s unknown (show --all lists them)\n", unknown,
		       unknown == 1 ? "" : "s");
}

/* --- history and links ------------------------------------------------- */

struct history_ctx {
	bool json;
	struct buf *b;
	size_t n;
	int err;
};

static void json_event(struct history_ctx *h, const struct store_event *e)
{
	bool first = true;
	char t[40];

	time_format(e->at, t);
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
	h->err |= e->assigned_to ? jsonw_string(h->b, e->assigned_to, strlen(e->assigned_to))
	                         : buf_adds(h->b, "null");
	h->err |= jsonw_key(h->b, &first, "note");
	h->err |= e->note ? jsonw_string(h->b, e->note, strlen(e->note)) : buf_adds(h->b, "null");
	h->err |= cli_event_extra_json(h->b, &first, e);
	h->err |= buf_addc(h->b, '}');
}

static void text_event(const struct store_event *e)
{
	char t[TIME_LOCAL_MAX];

	time_format_local(e->at, t);
	printf("  %s  ", t);
	cli_put_safe(stdout, e->operator_name, strlen(e->operator_name), NULL);
	if (strcmp(e->action, "override") == 0) {
		cli_event_override_text(e);
	} else if (e->assigned_to) {
		printf("  assigned to ");
		cli_put_safe(stdout, e->assigned_to, strlen(e->assigned_to), NULL);
		if (strcmp(e->from_status, e->to_status) != 0)
			printf(" (%s -> %s)", e->from_status, e->to_status);
	} else {
		printf("  %s -> %s", e->from_status, e->to_status);
	}
	if (e->approved_by && strcmp(e->action, "override") != 0) {
		printf(", approved by ");
		cli_put_safe(stdout, e->approved_by, strlen(e->approved_by), NULL);
	}
	if (e->note) {
		printf("\n      note: ");
		put_wrapped(e->note, strlen(e->note), 12, 12);
	}
	putchar('\n');
}

static int on_event(void *ctx, const struct store_event *e)
{
	struct history_ctx *h = ctx;

	if (h->json)
		json_event(h, e);
	else
		text_event(e);
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

/* The outcomes being shown, and how many so far. */
struct show_outcomes {
	struct show_ctx *x;
	long n;
};

/* One outcome: a line of text, or an object of the JSON array in x->b. */
static int on_show_outcome(void *ctx, const struct store_outcome *o)
{
	struct show_outcomes *so = ctx;
	struct show_ctx *x = so->x;
	const char *label = outcome_label_name(outcome_label_of(o->code));
	bool first = true;

	if (!x->json) {
		cli_print(stdout, "  %s  %-26s %-9s count %ld, recorded by %s\n", o->date, o->code,
		          label, o->count, o->operator_name);
		if (o->note) {
			fputs("      ", stdout);
			cli_put_safe(stdout, o->note, strlen(o->note), "      ");
			putchar('\n');
		}
		so->n++;
		return 0;
	}
	x->err |= buf_adds(&x->b, so->n++ ? ",{" : "{");
	x->err |= jsonw_key(&x->b, &first, "code") | jsonw_string(&x->b, o->code, strlen(o->code));
	x->err |= jsonw_key(&x->b, &first, "label") | jsonw_string(&x->b, label, strlen(label));
	x->err |= jsonw_key(&x->b, &first, "date") | jsonw_string(&x->b, o->date, strlen(o->date));
	x->err |= jsonw_key(&x->b, &first, "count") | buf_addf(&x->b, "%ld", o->count);
	x->err |= jsonw_key(&x->b, &first, "note");
	x->err |= o->note ? jsonw_string(&x->b, o->note, strlen(o->note)) : buf_adds(&x->b, "null");
	return buf_addc(&x->b, '}') < 0 ? -1 : 0;
}

/* The outcomes recorded (docs/outcomes.md): text, or a JSON member into x->b. */
static int print_outcomes(struct show_ctx *x, struct diag *d)
{
	struct show_outcomes so = {x, 0};
	int rc;

	if (x->json)
		x->err |= buf_adds(&x->b, ",\"outcomes\":[");
	else
		printf("\noutcomes (oldest first)\n");
	rc = store_each_outcome(x->st, x->ref, on_show_outcome, &so, d);
	if (x->json)
		x->err |= buf_addc(&x->b, ']');
	else if (!so.n)
		printf("  none recorded\n");
	return rc < 0 || x->err ? -1 : 0;
}

struct links_ctx {
	bool json;
	struct buf *b;
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
	const char *key = k.text;

	if (l->own)
		(void)link_keys_of(l->own, name_key, &k);

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
static int print_links_named(struct show_ctx *x, bool ip, struct links_ctx *l, struct diag *d)
{
	if (x->json)
		x->err |= buf_adds(&x->b, ip ? ",\"possible_links\":[" : ",\"linked\":[");
	else
		printf(ip ? "\npossible links (shared IP)\n"
		          : "\nlinked packages (sharing a subject or an identifier)\n");
	if (store_each_link(x->st, x->id, l->own, ip, on_link, l, d) < 0)
		return -1;
	if (x->json)
		x->err |= buf_addc(&x->b, ']');
	else if (!l->n)
		printf("  none\n");
	return x->err || l->err ? -1 : 0;
}

/*
 * Both lists, the linked packages and the possible links, naming each
 * shared key from the package's latest version (read once for both).
 */
static int print_links(struct show_ctx *x, struct diag *d)
{
	struct links_ctx l = {x->json, &x->b, 0, 0, NULL}, ip;
	struct package own;
	struct buf facts;
	int version, rc;

	/*
	 * The latest version's keys are the ones stored (x->pkg may hold an
	 * older one), and the store finds the links from them. A package whose
	 * facts cannot be read (erased, damaged) is still listed with its links
	 * (the store then reads every key to find them), their keys unnamed.
	 */
	package_init(&own);
	buf_init(&facts);
	if (!x->purged_at && store_latest_facts(x->st, x->id, &facts, &version, d) == 0 &&
	    package_decode_facts(&own, facts.data, facts.len) == 0)
		l.own = &own;
	buf_release(&facts);
	diag_clear(d);
	ip = l;
	rc = print_links_named(x, false, &l, d);
	if (rc == 0)
		rc = print_links_named(x, true, &ip, d);
	package_release(&own);
	return rc;
}

/* --- json: the score -------------------------------------------------- */

static void json_rule(struct show_ctx *x, const struct ruleset *rs, const struct rule *ru,
                      bool first)
{
	const char *cat = rule_category_names[ru->category];
	bool f2 = true;

	(void)rs;
	x->err |= buf_adds(&x->b, first ? "{" : ",{");
	x->err |= jsonw_key(&x->b, &f2, "rule");
	x->err |= jsonw_string(&x->b, ru->id, strlen(ru->id));
	x->err |= jsonw_key(&x->b, &f2, "category");
	x->err |= jsonw_string(&x->b, cat, strlen(cat));
	x->err |= jsonw_key(&x->b, &f2, "points");
	x->err |= buf_addf(&x->b, "%lld", (long long)ru->points);
	x->err |= jsonw_key(&x->b, &f2, "description");
	x->err |= jsonw_string(&x->b, ru->description, strlen(ru->description));
	x->err |= buf_addc(&x->b, '}');
}

static void json_score(struct show_ctx *x, const struct store_score *sc, const struct ruleset *rs,
                       const char *fired)
{
	const char *pri = rs->bands[sc->priority].priority, *band = rs->bands[sc->band].priority;
	char hex[HASH_HEX];
	bool first = true;

	hash_hex(hex, rs->hash);
	x->err |= buf_addc(&x->b, '{');
	x->err |= jsonw_key(&x->b, &first, "priority");
	x->err |= jsonw_string(&x->b, pri, strlen(pri));
	x->err |= cli_override_json(x->st, x->id, &x->b, &first, rs, sc);
	x->err |= jsonw_key(&x->b, &first, "band");
	x->err |= jsonw_string(&x->b, band, strlen(band));
	x->err |= jsonw_key(&x->b, &first, "score");
	x->err |= buf_addf(&x->b, "%lld", (long long)sc->score);
	x->err |= jsonw_key(&x->b, &first, "due_at");
	json_time(x, sc->due_at);
	x->err |= jsonw_key(&x->b, &first, "overdue");
	x->err |= buf_adds(&x->b, sc->overdue ? "true" : "false");
	x->err |= jsonw_key(&x->b, &first, "as_of");
	json_time(x, sc->as_of);
	x->err |= jsonw_key(&x->b, &first, "rules_hash");
	x->err |= jsonw_string(&x->b, hex, strlen(hex));
	x->err |= jsonw_key(&x->b, &first, "version_scored");
	x->err |= buf_addf(&x->b, "%d", sc->version);
	x->err |= jsonw_key(&x->b, &first, "linked_packages");
	x->err |= buf_addf(&x->b, "%lld", (long long)sc->linked);
	x->err |= jsonw_key(&x->b, &first, "ip_linked_packages");
	x->err |= buf_addf(&x->b, "%lld", (long long)sc->ip_linked);
	x->err |= jsonw_key(&x->b, &first, "explanation");
	x->err |= buf_addc(&x->b, '[');
	each_fired(rs, fired, json_rule, x);
	x->err |= buf_adds(&x->b, "]}");
}

/* The JSON members score, linked and possible_links, appended to x->b. */
static int json_score_links(struct show_ctx *x, struct diag *d)
{
	struct store_score sc;
	struct ruleset *rs = NULL;
	struct buf fired;
	int rc;

	buf_init(&fired);
	rc = load_score(x, &sc, &fired, &rs, d);
	x->err |= buf_adds(&x->b, ",\"score\":");
	if (rc == 1)
		x->err |= buf_adds(&x->b, "null");
	else if (rc == 0)
		json_score(x, &sc, rs, fired.data);
	ruleset_free(rs);
	buf_release(&fired);
	if (rc < 0 || print_links(x, d) < 0)
		return -1;
	return x->err ? -1 : 0;
}

/* --- versions --------------------------------------------------------- */

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

static int json_version(struct show_ctx *x, const struct store_version *v, const char *hex)
{
	bool first = true;
	size_t clen;

	buf_reset(&x->b);
	x->err |= buf_adds(&x->b, x->first_version ? "{" : ",{");
	x->err |= jsonw_key(&x->b, &first, "version");
	x->err |= buf_addf(&x->b, "%d", v->version);
	x->err |= jsonw_key(&x->b, &first, "content_hash");
	x->err |= jsonw_string(&x->b, hex, strlen(hex));
	x->err |= jsonw_key(&x->b, &first, "imported_at");
	json_time(x, v->imported_at);
	x->err |= jsonw_key(&x->b, &first, "file");
	x->err |= jsonw_string(&x->b, v->file, strlen(v->file));
	x->err |= jsonw_key(&x->b, &first, "line");
	x->err |= buf_addf(&x->b, "%lu", v->line);
	x->err |= jsonw_key(&x->b, &first, "array_index");
	x->err |= v->index >= 0 ? buf_addf(&x->b, "%ld", v->index) : buf_adds(&x->b, "null");
	/* The canonical form, byte for byte: its BLAKE2b-256 is content_hash. */
	x->err |= jsonw_key(&x->b, &first, "package");
	if (x->purged_at) {
		x->err |= buf_adds(&x->b, "null"); /* erased */
	} else {
		const char *canon = package_canonical(&x->pkg, &clen);

		x->err |= buf_add(&x->b, canon, clen);
	}
	x->err |= buf_addc(&x->b, '}');
	fwrite(x->b.data, 1, x->b.len, stdout);
	x->first_version = false;
	return x->err ? -1 : 0;
}

/* Before the first (newest) version: its fields, the links and the history. */
static int text_middle(struct show_ctx *x, int version)
{
	char t[TIME_LOCAL_MAX];
	struct diag d;

	diag_clear(&d);
	if (!x->purged_at)
		print_fields(x, version);
	if (print_links(x, &d) < 0 || print_history(x, &d) < 0 || print_outcomes(x, &d) < 0) {
		x->code = d.code ? cli_report(&d) : 0;
		return -1;
	}
	time_format_local(x->first_seen_at, t);
	printf("\nversions (%d, newest first; first seen %s)\n", x->latest_version, t);
	return x->err ? -1 : 0;
}

static int on_version(void *ctx, const struct store_version *v)
{
	struct show_ctx *x = ctx;
	char hex[HASH_HEX], t[TIME_LOCAL_MAX];

	hash_hex(hex, v->hash);
	if (!x->purged_at && load_version(x, v) < 0)
		return -1;
	if (x->json)
		return json_version(x, v, hex);
	if (x->first_version && text_middle(x, v->version) < 0)
		return -1;
	x->first_version = false;
	time_format_local(v->imported_at, t);
	printf("  v%-3d imported %s\n       from ", v->version, t);
	cli_put_safe(stdout, v->file, strlen(v->file), NULL);
	printf(":%lu", v->line);
	if (v->index >= 0)
		printf(" [%ld]", v->index);
	printf("\n       hash %s\n", hex);
	return x->err ? -1 : 0;
}

/* --- show REF --diff ---------------------------------------------------- */

struct diff_ctx {
	bool json;
	size_t n;
	struct buf *b;
	int err;
};

static int on_change(void *ctx, int field, const char *old, const char *new_value)
{
	struct diff_ctx *c = ctx;
	const char *name = contract_fields[field].name;
	const char *o = old ? old : "(unknown)", *nv = new_value ? new_value : "(unknown)";

	if (c->json) {
		bool first = true;

		c->err |= buf_adds(c->b, c->n ? ",{" : "{");
		c->err |= jsonw_key(c->b, &first, "field");
		c->err |= jsonw_string(c->b, name, strlen(name));
		c->err |= jsonw_key(c->b, &first, "old");
		c->err |= old ? jsonw_string(c->b, old, strlen(old)) : buf_adds(c->b, "null");
		c->err |= jsonw_key(c->b, &first, "new");
		c->err |= new_value ? jsonw_string(c->b, new_value, strlen(new_value))
		                    : buf_adds(c->b, "null");
		c->err |= buf_addc(c->b, '}');
	} else if (VALUE_COL + strlen(o) + strlen(nv) + 3 <= WIDTH) {
		printf("  %-32s ", name);
		cli_print(stdout, "%s \xe2\x86\x92 %s\n", o, nv);
	} else {
		printf("  %s\n    was  ", name);
		put_wrapped(o, strlen(o), 9, 9);
		printf("\n    now  ");
		put_wrapped(nv, strlen(nv), 9, 9);
		putchar('\n');
	}
	c->n++;
	return c->err ? -1 : 0;
}

/* --versions A,B: two version numbers from 1; 0 and 0 when absent. */
static int parse_versions(struct cli *cli, int *from, int *to)
{
	const char *s = cli_str(cli, "versions");
	long a, b;
	char *end;

	*from = *to = 0;
	if (!s)
		return EX_OK;
	if (!cli_flag(cli, "diff"))
		return cli_usage_error(cli, "--versions goes with --diff");
	errno = 0;
	a = strtol(s, &end, 10);
	/* Digits and the comma only: strtol alone would take "+1,-0" or " 1, 2". */
	if (strspn(s, "0123456789,") == strlen(s) && end != s && *end == ',') {
		const char *p = end + 1;

		b = strtol(p, &end, 10);
		if (end != p && !*end && !errno && a >= 1 && b >= 1 && a <= INT_MAX &&
		    b <= INT_MAX && a != b) {
			*from = (int)a;
			*to = (int)b;
			return EX_OK;
		}
	}
	return cli_usage_error(cli,
	                       "--versions takes two different version numbers, A,B (as 1,2), "
	                       "not '%s'",
	                       s);
}

static int latest_of(void *ctx, const struct store_package *p)
{
	*(int *)ctx = p->latest_version;
	return 0;
}

/* Print the changes from version from to to (0, 0: the last two). */
static int show_diff(struct cli *cli, const char *ref, int from, int to, bool json)
{
	struct buf b;
	struct diff_ctx c = {json, 0, &b, 0};
	struct diag d;
	int rc, latest = 0;

	diag_clear(&d);
	rc = store_get_package(cli->st, ref, latest_of, NULL, &latest, &d);
	if (rc == 1)
		return cli_no_package(cli, ref);
	if (rc < 0)
		return cli_report(&d);
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
		cli_print(stdout, "%s: version %d \xe2\x86\x92 version %d\n", ref, from, to);
	rc = store_diff_versions(cli->st, ref, from, to, on_change, &c, &d);
	if (rc == 0 && json && !c.err) {
		c.err |= buf_adds(&b, "]}\n");
		fwrite(b.data, 1, b.len, stdout);
	} else if (rc == 0 && !c.n) {
		printf("  no field changed (the versions differ in form only)\n");
	}
	buf_release(&b);
	if (rc != 0)
		return rc == 1 ? cli_no_package(cli, ref) : d.code ? cli_report(&d) : EX_SOFTWARE;
	return c.err ? cli_fail(cli, EX_SOFTWARE, "out of memory") : EX_OK;
}

/* --- the command ------------------------------------------------------ */

static int show_package(struct cli *cli, struct show_ctx *x, const char *ref)
{
	struct diag d;
	int rc;

	diag_clear(&d);
	rc = store_get_package(cli->st, ref, on_package, on_version, x, &d);
	if (rc == 1)
		return cli_no_package(cli, ref);
	if (rc < 0)
		return x->damaged ? EX_DATAERR : x->code ? x->code : cli_report(&d);
	if (x->json) {
		buf_reset(&x->b);
		if (buf_addc(&x->b, ']') < 0 || json_score_links(x, &d) < 0 ||
		    print_history(x, &d) < 0 || print_outcomes(x, &d) < 0 ||
		    buf_adds(&x->b, "}\n") < 0)
			return d.code ? cli_report(&d) : EX_SOFTWARE;
		fwrite(x->b.data, 1, x->b.len, stdout);
	}
	return x->damaged ? EX_DATAERR : EX_OK;
}

int cmd_show(struct cli *cli)
{
	const char *ref = cli->operands[0];
	const char *format = cli_str(cli, "format");
	struct show_ctx x;
	struct diag d;
	int rc, from, to;

	memset(&x, 0, sizeof(x));
	x.json = format && strcmp(format, "json") == 0;
	x.all = cli_flag(cli, "all");
	package_init(&x.pkg);
	buf_init(&x.b);
	x.first_version = true;
	x.st = cli->st;
	x.ref = ref;
	diag_clear(&d);
	if ((rc = parse_versions(cli, &from, &to)) == EX_OK)
		rc = cli_flag(cli, "diff") ? show_diff(cli, ref, from, to, x.json)
		                           : show_package(cli, &x, ref);
	cli_details_str(&cli->details, "format", x.json ? "json" : "text");
	if (cli_flag(cli, "diff"))
		cli_details_bool(&cli->details, "diff", true);
	if (rc == EX_OK && store_audit_ref(cli->st, ref, &d) < 0)
		rc = cli_report(&d);
	package_release(&x.pkg);
	buf_release(&x.b);
	return rc;
}
