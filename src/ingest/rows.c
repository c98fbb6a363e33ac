/* A whole-file CSV reader for small exports (reftriage/csvrows.h). */
#include "reftriage/csvrows.h"

#include "reftriage/buf.h"
#include "reftriage/hash.h"

#include <fcntl.h>
#include <unistd.h>

static int read_all(const char *path, long max, struct buf *out, struct diag *d)
{
	char chunk[65536];
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int rc = 0;

	diag_at(d, path, 0, NULL);
	if (fd < 0)
		return diag_set(d, EX_NOINPUT, "cannot open: %s", strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = diag_set(d, EX_IOERR, "read error: %s", strerror(errno));
			break;
		}
		if (out->len + (size_t)n > (size_t)max) {
			rc = diag_set(d, EX_DATAERR, "larger than %ld bytes", max);
			break;
		}
		if (buf_add(out, chunk, (size_t)n) < 0) {
			rc = diag_set(d, EX_SOFTWARE, "out of memory");
			break;
		}
	}
	if (fd != 0)
		(void)close(fd);
	return rc;
}

/* The parser's place: the text, where it is, the line, and the record's fields. */
struct rows {
	const char *p, *end;
	unsigned long line;
	struct buf fields; /* the record's fields, each NUL-terminated */
	size_t off[CSVROWS_MAX_FIELDS];
	struct csv_row row;
};

/* One field at r->p; ends at a comma, a line end or the end. -1: a quote never closed. */
static int field(struct rows *r)
{
	size_t start = r->fields.len;
	bool quoted = r->p < r->end && *r->p == '"';

	if (quoted)
		r->p++;
	while (r->p < r->end) {
		char c = *r->p;

		if (quoted && c == '"') {
			if (r->p + 1 < r->end && r->p[1] == '"') {
				r->p++;
			} else {
				quoted = false;
				r->p++;
				continue;
			}
		} else if (!quoted && (c == ',' || c == '\n' || c == '\r')) {
			break;
		}
		if (c == '\n')
			r->line++;
		if (buf_addc(&r->fields, *r->p++) < 0)
			return -2;
	}
	if (quoted)
		return -1;
	if (r->row.n < CSVROWS_MAX_FIELDS) {
		r->off[r->row.n] = start;
		r->row.len[r->row.n] = r->fields.len - start;
	}
	r->row.n++;
	return buf_addc(&r->fields, '\0') < 0 ? -2 : 0;
}

/*
 * A CR at r->p must begin a CRLF line end, as in a package CSV file: a bare
 * CR (old Mac line ends, or a stray one) would make lines whose numbers
 * match nothing an editor shows. -1 with d filled when it is bare.
 */
static int bare_cr(const struct rows *r, struct diag *d)
{
	if (r->p + 1 < r->end && r->p[1] == '\n')
		return 0;
	diag_at(d, NULL, r->line, "record");
	return diag_set(d, EX_DATAERR,
	                "a carriage return (CR) outside quotes inside the record; line ends "
	                "must be LF or CRLF");
}

/* One record at r->p, up to and past its line end. */
static int record(struct rows *r, struct diag *d)
{
	size_t i;
	int rc;

	buf_reset(&r->fields);
	r->row.n = 0;
	r->row.line = r->line;
	for (;;) {
		if ((rc = field(r)) < 0) {
			diag_at(d, NULL, r->row.line, NULL);
			return rc == -1 ? diag_set(d, EX_DATAERR, "a quoted field is never closed")
			                : diag_set(d, EX_SOFTWARE, "out of memory");
		}
		if (r->p >= r->end || *r->p != ',')
			break;
		r->p++;
	}
	if (r->p < r->end && *r->p == '\r' && bare_cr(r, d) < 0)
		return -1;
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p == '\n')
		r->p++;
	r->line++;
	for (i = 0; i < r->row.n && i < CSVROWS_MAX_FIELDS; i++)
		r->row.f[i] = r->fields.data + r->off[i];
	return 0;
}

int csv_rows_read(const char *path, int (*fn)(void *ctx, const struct csv_row *r), void *ctx,
                  struct diag *d)
{
	return csv_rows_read_capped(path, CSVROWS_MAX_BYTES, NULL, fn, ctx, d);
}

int csv_rows_read_capped(const char *path, long max_bytes, unsigned char *hash,
                         int (*fn)(void *ctx, const struct csv_row *r), void *ctx, struct diag *d)
{
	struct buf text;
	struct rows r;
	int rc;

	buf_init(&text);
	memset(&r, 0, sizeof(r));
	buf_init(&r.fields);
	rc = read_all(path, max_bytes, &text, d);
	if (rc == 0 && hash)
		hash_bytes(hash, text.data ? text.data : "", text.len);
	r.p = text.data;
	r.end = text.data + text.len;
	r.line = 1;
	if (text.len >= 3 && memcmp(text.data, "\xEF\xBB\xBF", 3) == 0)
		r.p += 3;
	while (rc == 0 && r.p < r.end) {
		if (*r.p == '\n' || *r.p == '\r') { /* a blank line */
			if (*r.p == '\r' && (rc = bare_cr(&r, d)) < 0)
				break;
			r.line += *r.p == '\n';
			r.p++;
			continue;
		}
		rc = record(&r, d);
		if (rc == 0)
			rc = fn(ctx, &r.row);
	}
	buf_release(&r.fields);
	buf_release(&text);
	return rc;
}
