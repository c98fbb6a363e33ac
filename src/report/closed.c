/*
 * worklist --closed for people (casework.md section 5): the closed packages
 * as a table in the terminal's width, most recently closed first, with the
 * worklist's columns (the status is the closing state; the rules fired are
 * left to 'show') and when and by whom each was closed. csv and json are the
 * worklist's writers with closed_at and closed_by at the end of each item.
 */
#include "reftriage/report.h"

#include "reftriage/timeutil.h"

static const struct {
	const char *title;
	size_t width;
} cols[] = {
    {"#", 4},         {"Reference", 20}, {"Pri", 3},         {"Score", 5},
    {"Status", 11},   {"Assigned", 12},  {"Force area", 11}, {"Type", 14},
    {"Received", 20}, {"Closed", 20},    {"Closed by", 12},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static int end_line(struct report *r)
{
	while (r->b.len && r->b.data[r->b.len - 1] == ' ')
		r->b.len--;
	if (buf_addc(&r->b, '\n') < 0 || fwrite(r->b.data, 1, r->b.len, r->out) != r->b.len)
		return -1;
	buf_reset(&r->b);
	return 0;
}

static int row(struct report *r, const char *const *v)
{
	size_t c;

	for (c = 0; c < NCOLS; c++)
		if (report_cell(&r->b, v[c] ? v[c] : "-", cols[c].width, c == 0 || c == 3) < 0 ||
		    (c + 1 < NCOLS && buf_adds(&r->b, "  ") < 0))
			return -1;
	return end_line(r);
}

static int closed_begin(struct report *r, const struct report_header *h)
{
	const char *titles[NCOLS];
	char line[2200];
	size_t c;

	(void)snprintf(line, sizeof(line),
	               "Closed packages - %ld listed, most recently closed first", h->count);
	if (buf_adds(&r->b, line) < 0 || end_line(r) < 0)
		return -1;
	(void)snprintf(line, sizeof(line), "Filters: %s", h->filters);
	if (h->filters &&
	    (report_cell(&r->b, line, (size_t)r->width, false) < 0 || end_line(r) < 0))
		return -1;
	if (end_line(r) < 0)
		return -1;
	for (c = 0; c < NCOLS; c++)
		titles[c] = cols[c].title;
	return row(r, titles);
}

static int closed_item(struct report *r, const struct report_item *it)
{
	char rank[24], score[24], received[TIME_LOCAL_MAX], closed[TIME_LOCAL_MAX];
	const char *v[NCOLS];

	(void)snprintf(rank, sizeof(rank), "%ld", it->rank);
	(void)snprintf(score, sizeof(score), "%lld", (long long)it->score);
	time_format_local(it->received_at, received);
	time_format_local(it->closed_at, closed);
	v[0] = rank;
	v[1] = it->ref;
	v[2] = it->priority;
	v[3] = it->unscored ? NULL : score;
	v[4] = it->status;
	v[5] = it->assigned_to;
	v[6] = it->force_area;
	v[7] = it->referral_type;
	v[8] = received;
	v[9] = closed;
	v[10] = it->closed_by;
	r->items++;
	return row(r, v);
}

static int closed_end(struct report *r)
{
	if (!r->items && (buf_adds(&r->b, "No closed package matches.") < 0 || end_line(r) < 0))
		return -1;
	return 0;
}

const struct report_writer report_closed_table = {"table", closed_begin, closed_item, closed_end,
                                                  NULL};
