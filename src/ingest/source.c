/* Reading input files: buffering, hashing, format detection, dispatch. */
#include "reftriage/ingest.h"

#include "reftriage/alloc.h"

#include <unistd.h>

const char *ingest_format_name(enum ingest_format f)
{
	switch (f) {
	case INGEST_CSV:
		return "csv";
	case INGEST_JSON:
		return "json";
	case INGEST_NDJSON:
		return "ndjson";
	default:
		return "auto";
	}
}

int ingest_format_parse(const char *s, enum ingest_format *out)
{
	if (strcmp(s, "csv") == 0)
		*out = INGEST_CSV;
	else if (strcmp(s, "json") == 0)
		*out = INGEST_JSON;
	else if (strcmp(s, "ndjson") == 0 || strcmp(s, "jsonl") == 0)
		*out = INGEST_NDJSON;
	else
		return -1;
	return 0;
}

int source_fill(struct source *s, struct diag *d)
{
	ssize_t n;

	s->pos = 0;
	s->len = 0;
	if (s->eof)
		return 0;
	do
		n = read(s->fd, s->buf, INGEST_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_IOERR, "read error: %s", strerror(errno));
	}
	if (n == 0) {
		s->eof = true;
		return 0;
	}
	s->len = (size_t)n;
	s->total += (uint64_t)n;
	hash_stream_update(&s->hash, s->buf, s->len);
	if (s->progress)
		s->progress(s->ctx, s->total, *s->records);
	return 0;
}

int ingest_reject(ingest_fn fn, void *ctx, const struct reasons *r, const struct package *pkg,
                  const char *raw, size_t raw_len, uint64_t raw_size, unsigned long line,
                  long index, struct diag *d)
{
	struct ingest_record rec = {
	    .pkg = NULL,
	    .reasons = r,
	    .raw = raw,
	    .raw_len = raw_len < INGEST_MAX_RAW ? raw_len : INGEST_MAX_RAW,
	    .raw_size = raw_size,
	    .line = line,
	    .index = index,
	};

	if (pkg)
		rec.ref = package_str(pkg, F_PACKAGE_REF, &rec.ref_len);
	return fn(ctx, &rec, d);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static enum ingest_format from_name(const char *name)
{
	if (ends_with(name, ".csv") || ends_with(name, ".CSV"))
		return INGEST_CSV;
	if (ends_with(name, ".ndjson") || ends_with(name, ".jsonl") || ends_with(name, ".NDJSON"))
		return INGEST_NDJSON;
	if (ends_with(name, ".json") || ends_with(name, ".JSON"))
		return INGEST_JSON;
	return INGEST_AUTO;
}

/* The first bytes decide: '[' or '{' is JSON, anything else is taken as CSV. */
static enum ingest_format from_content(const struct source *s)
{
	size_t i;

	for (i = s->pos; i < s->len; i++) {
		unsigned char c = s->buf[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '[' || c == '{')
			return INGEST_JSON;
		return INGEST_CSV;
	}
	return INGEST_AUTO;
}

int ingest_fd(int fd, const char *name, const struct ingest_opts *opts, ingest_fn fn,
              ingest_progress_fn progress, void *ctx, struct ingest_result *res, struct diag *d)
{
	struct ingest_opts o = *opts;
	struct source s;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.name = name;
	s.progress = progress;
	s.ctx = ctx;
	s.records = &res->records;
	hash_stream_init(&s.hash);
	if (!o.max_record)
		o.max_record = INGEST_MAX_RECORD;
	s.buf = rt_malloc(INGEST_CHUNK);
	if (!s.buf) {
		diag_at(d, name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	rc = source_fill(&s, d);
	if (rc < 0)
		goto out;
	if (s.len == 0) {
		diag_at(d, name, 0, NULL);
		rc = diag_set(d, EX_DATAERR, "the file is empty (0 bytes): no header or records");
		goto out;
	}
	/* A UTF-8 byte order mark is allowed, and skipped, in every format. */
	if (s.len >= 3 && memcmp(s.buf, "\xef\xbb\xbf", 3) == 0)
		s.pos = 3;
	if (o.format == INGEST_AUTO)
		o.format = from_name(name);
	if (o.format == INGEST_AUTO)
		o.format = from_content(&s);
	if (o.format == INGEST_AUTO) {
		diag_at(d, name, 1, NULL);
		rc = diag_set(d, EX_DATAERR, "the file holds only white space: no records");
		goto out;
	}
	res->format = o.format;
	if (o.format == INGEST_CSV)
		rc = csv_decode(&s, &o, fn, ctx, res, d);
	else
		rc = json_decode(&s, &o, o.format == INGEST_NDJSON, fn, ctx, res, d);
out:
	/* Hash to the end even when decoding stopped early, so the file hash is whole. */
	while (rc == 0 && !s.eof) {
		if (source_fill(&s, d) < 0)
			rc = -1;
	}
	res->bytes = s.total;
	hash_stream_final(&s.hash, res->file_hash);
	rt_free(s.buf);
	return rc;
}
