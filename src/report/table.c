/*
 * The worklist as a table for a terminal: columns that fit its width, the
 * least needed dropped first on a narrow screen (cli.md: rank, ref, priority,
 * due, status, assignee and the marks stay; WHY is cut first, then type and
 * area go), long text cut with an ellipsis, overdue and updated items marked, the priority coloured
 * only when the CLI says so (a terminal, and NO_COLOR unset).
 */
#include "reftriage/report.h"

#include "reftriage/hash.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

enum col {
	C_RANK,
	C_REF,
	C_PRI,
	C_SCORE,
	C_DUE,
	C_STATUS,
	C_ASSIGNED,
	C_AREA,
	C_TYPE,
	C_RECEIVED,
	C_REASONS,
	C_N
};

static const struct {
	const char *title;
	size_t width; /* 0: computed */
	int drop;     /* dropped in this order on narrow screens (0: never) */
	bool right;
} cols[C_N] = {
    [C_RANK] = {"#", 0, 0, true},
    [C_REF] = {"REF", 18, 0, false},
    [C_PRI] = {"PRI", 3, 0, false},
    [C_SCORE] = {"SCORE", 5, 4, true},
    [C_DUE] = {"DUE", 21, 0, false},       /* with the overdue mark */
    [C_STATUS] = {"STATUS", 13, 0, false}, /* with the updated and deconfliction marks */
    [C_ASSIGNED] = {"ASSIGNED", 10, 0, false},
    [C_AREA] = {"AREA", 10, 3, false},
    [C_TYPE] = {"TYPE", 12, 2, false},
    [C_RECEIVED] = {"RECEIVED", 20, 1, false},
    [C_REASONS] = {"WHY", 0, 0, false},
};

/*
 * RECEIVED (the least needed: DUE follows from it) goes while the reasons
 * would have less than REASONS_ROOM; the reasons are then cut down to
 * REASONS_MIN before TYPE, AREA and SCORE go, in that order; below that the
 * reasons go too (show REF gives them). The columns left (rank, ref,
 * priority, due, status, assignee: 78 characters) are never dropped.
 */
#define REASONS_ROOM 30
#define REASONS_MIN  16

struct layout {
	size_t width[C_N];
	bool shown[C_N];
};

/* One layout per report; the table writer keeps it in static storage per run. */
static struct layout lay;

int report_cell(struct buf *b, const char *s, size_t width, bool right_align)
{
	char shown[1024];
	size_t chars, i, pad;
	const char *end;

	text_display(shown, sizeof(shown), s ? s : "", s ? strlen(s) : 0, 1000);
	chars = utf8_length(shown, strlen(shown));
	if (chars > width) {
		/* Keep width-1 characters, then the ellipsis. */
		end = shown;
		for (i = 0; *end; end++) {
			if ((((unsigned char)*end) & 0xc0) != 0x80) {
				if (i == width - 1)
					break;
				i++;
			}
		}
		if (width && buf_add(b, shown, (size_t)(end - shown)) < 0)
			return -1;
		return width ? buf_adds(b, "\xe2\x80\xa6") : 0;
	}
	pad = width - chars;
	if (right_align)
		for (i = 0; i < pad; i++)
			if (buf_addc(b, ' ') < 0)
				return -1;
	if (buf_adds(b, shown) < 0)
		return -1;
	if (!right_align)
		for (i = 0; i < pad; i++)
			if (buf_addc(b, ' ') < 0)
				return -1;
	return 0;
}

static void plan(struct report *r)
{
	size_t used = 0, c;
	int order;
	long n = r->count > 0 ? r->count : 1;

	lay.width[C_RANK] = 1;
	while (n >= 10) {
		lay.width[C_RANK]++;
		n /= 10;
	}
	for (c = 0; c < C_N; c++) {
		lay.shown[c] = true;
		if (c != C_RANK)
			lay.width[c] = cols[c].width;
	}
	for (c = 0; c < C_N; c++)
		if (c != C_REASONS)
			used += lay.width[c] + 2;
	for (order = 1; order <= 4; order++) {
		if (used + (order == 1 ? REASONS_ROOM : REASONS_MIN) <= (size_t)r->width)
			break;
		for (c = 0; c < C_N; c++)
			if (cols[c].drop == order) {
				lay.shown[c] = false;
				used -= lay.width[c] + 2;
			}
	}
	/* The reasons take what is left, or go when too little is left. */
	lay.shown[C_REASONS] = used + REASONS_MIN <= (size_t)r->width;
	lay.width[C_REASONS] = lay.shown[C_REASONS] ? (size_t)r->width - used : 0;
}

static const char *colour_of(int priority)
{
	switch (priority) {
	case 0:
		return "\033[1;31m"; /* bold red */
	case 1:
		return "\033[33m"; /* yellow */
	case 2:
		return "\033[36m"; /* cyan */
	default:
		return NULL;
	}
}

static int line_end(struct report *r)
{
	/* Trailing spaces are noise: trim them before the line end. */
	while (r->b.len && r->b.data[r->b.len - 1] == ' ')
		buf_truncate(&r->b, r->b.len - 1);
	if (buf_addc(&r->b, '\n') < 0)
		return -1;
	if (fwrite(r->b.data, 1, r->b.len, r->out) != r->b.len)
		return -1;
	buf_reset(&r->b);
	return 0;
}

/* A header line, cut to the width like any cell. */
static int header_line(struct report *r, const char *line)
{
	return report_cell(&r->b, line, (size_t)r->width, false) < 0 ? -1 : line_end(r);
}

/* The open quarantine, in the header: each record a line, cut to the width. */
static int table_quarantine(struct report *r, const struct store_qopen *q)
{
	struct buf t;
	size_t i, start = 0;
	int rc = 0;

	buf_init(&t);
	if (report_quarantine_text(&t, q, REPORT_QUARANTINE_SHOWN) < 0)
		rc = -1;
	for (i = 0; rc == 0 && i < t.len; i++) {
		if (t.data[i] != '\n')
			continue;
		t.data[i] = '\0';
		rc = header_line(r, t.data + start);
		start = i + 1;
	}
	buf_release(&t);
	return rc;
}

static int table_begin(struct report *r, const struct report_header *h)
{
	char t[TIME_LOCAL_MAX], hex[HASH_HEX], line[2200];
	size_t c;

	r->count = h->count;
	r->unscored = h->unscored;
	plan(r);
	buf_reset(&r->b);
	if (h->scored) {
		time_format_local(h->as_of, t);
		(void)snprintf(line, sizeof(line),
		               "Worklist as of %s%s - %ld of %ld open package%s", t,
		               h->stale ? " (STALE)" : "", h->count, h->total_open,
		               h->total_open == 1 ? "" : "s");
	} else {
		(void)snprintf(line, sizeof(line), "Worklist - nothing scored yet");
	}
	if (header_line(r, line) < 0)
		return -1;
	(void)snprintf(line, sizeof(line), "Filters: %s", h->filters);
	if (h->filters && header_line(r, line) < 0)
		return -1;
	(void)snprintf(line, sizeof(line),
	               "NOT SCORED: %ld open package%s no score under the active rules (listed "
	               "first): run 'reftriage score'",
	               h->unscored_total, h->unscored_total == 1 ? " has" : "s have");
	if (h->unscored_total && header_line(r, line) < 0)
		return -1;
	if (h->stale && (report_cell(&r->b,
	                             "STALE SCORES: run 'reftriage score' before acting on "
	                             "this order",
	                             (size_t)r->width, false) < 0 ||
	                 line_end(r) < 0))
		return -1;
	if (h->quarantine && table_quarantine(r, h->quarantine) < 0)
		return -1;
	hash_hex(hex, h->rules_hash);
	(void)snprintf(line, sizeof(line), "Rules %s %s (%.12s)", h->rules_name, h->rules_version,
	               hex);
	if (header_line(r, line) < 0 ||
	    header_line(r, "! overdue   * updated: a new version since a person last acted") < 0 ||
	    header_line(
	        r, "D deconfliction hit: talk to the other operation first   d deconflicted") < 0 ||
	    header_line(r, r->utf8
	                       ? "\u2191 \u2193 override: a person raised or lowered the rules' "
	                         "priority (see show REF)"
	                       : "^ v override: a person raised or lowered the rules' priority "
	                         "(see show REF)") < 0 ||
	    buf_addc(&r->b, '\n') < 0)
		return -1;
	for (c = 0; c < C_N; c++) {
		if (!lay.shown[c])
			continue;
		if (report_cell(&r->b, cols[c].title, lay.width[c], cols[c].right) < 0 ||
		    (c + 1 < C_N && buf_adds(&r->b, "  ") < 0))
			return -1;
	}
	return line_end(r);
}

/* A section's heading when the list has packages not scored yet: they come first. */
static int section(struct report *r, const struct report_item *it)
{
	char line[200];
	int want = it->unscored ? 1 : 2;

	if (!r->unscored || r->section == want)
		return 0;
	r->section = want;
	if (want == 1)
		(void)snprintf(line, sizeof(line),
		               "-- not scored yet - run 'reftriage score' (%ld) --", r->unscored);
	else
		(void)snprintf(line, sizeof(line), "-- ranked --");
	return (want == 2 && line_end(r) < 0) || header_line(r, line) < 0 ? -1 : 0;
}

static int table_item(struct report *r, const struct report_item *it)
{
	char rank[24], score[24], due[TIME_LOCAL_MAX + 1], received[TIME_LOCAL_MAX], status[40];
	char reasons[2048], pri[80];
	const char *colour = r->colour ? colour_of(it->priority_index) : NULL;
	size_t c, k;

	if (section(r, it) < 0)
		return -1;
	(void)snprintf(rank, sizeof(rank), "%ld", it->rank);
	(void)snprintf(score, sizeof(score), "%lld", (long long)it->score);
	time_format_local(it->due_at, due);
	if (it->unscored) {
		/* Nothing a score says is known yet. */
		rank[0] = '\0';
		(void)snprintf(score, sizeof(score), "-");
		(void)snprintf(due, sizeof(due), "not scored");
	}
	time_format_local(it->received_at, received);
	if (it->overdue)
		(void)snprintf(due + strlen(due), sizeof(due) - strlen(due), "!");
	(void)snprintf(status, sizeof(status), "%s%s%s", it->status, it->updated ? "*" : "",
	               it->deconf == 1   ? "D"
	               : it->deconf == 2 ? "d"
	                                 : "");
	(void)snprintf(reasons, sizeof(reasons), "%s", it->reasons ? it->reasons : "");
	for (k = 0; reasons[k]; k++)
		if (reasons[k] == ';')
			reasons[k] = ' ';
	for (c = 0; c < C_N; c++) {
		const char *v = NULL;
		int rc;

		if (!lay.shown[c])
			continue;
		switch (c) {
		case C_RANK:
			v = rank;
			break;
		case C_REF:
			v = it->ref;
			break;
		case C_PRI:
			/* An override's mark right after the band: P1↑ (P1^ outside UTF-8). */
			(void)snprintf(pri, sizeof(pri), "%s%s", it->priority ? it->priority : "-",
			               report_override_mark(it->override, r->utf8));
			v = pri;
			break;
		case C_SCORE:
			v = score;
			break;
		case C_DUE:
			v = due;
			break;
		case C_STATUS:
			v = status;
			break;
		case C_ASSIGNED:
			v = it->assigned_to ? it->assigned_to : "-";
			break;
		case C_AREA:
			v = it->force_area ? it->force_area : "-";
			break;
		case C_TYPE:
			v = it->referral_type;
			break;
		case C_RECEIVED:
			v = received;
			break;
		default:
			v = reasons;
			break;
		}
		if (c == C_PRI && colour && buf_adds(&r->b, colour) < 0)
			return -1;
		rc = report_cell(&r->b, v, lay.width[c], cols[c].right);
		if (rc < 0 || (c == C_PRI && colour && buf_adds(&r->b, "\033[0m") < 0))
			return -1;
		if (c + 1 < C_N && buf_adds(&r->b, "  ") < 0)
			return -1;
	}
	r->items++;
	return line_end(r);
}

static int table_end(struct report *r)
{
	if (r->items == 0 && (buf_adds(&r->b, "(no open packages match)") < 0 || line_end(r) < 0))
		return -1;
	return 0;
}

const struct report_writer report_table = {"table", table_begin, table_item, table_end, NULL};
