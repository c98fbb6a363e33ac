/*
 * Reading input files: the stream, refusing an empty delivery, choosing the
 * format from the decoder table (formats.c), dispatch.
 */
#include "ingest-internal.h"

#include "reftriage/alloc.h"

const char *ingest_format_name(enum ingest_format f)
{
	if ((size_t)f < ingest_ndecoders && ingest_decoders[f].name)
		return ingest_decoders[f].name;
	return "auto";
}

static bool names(const struct ingest_decoder *dec, const char *s)
{
	const char *const *a;

	if (strcmp(dec->name, s) == 0)
		return true;
	for (a = dec->aliases; a && *a; a++)
		if (strcmp(*a, s) == 0)
			return true;
	return false;
}

int ingest_format_parse(const char *s, enum ingest_format *out)
{
	size_t i;

	for (i = 0; i < ingest_ndecoders; i++) {
		if (ingest_decoders[i].name && names(&ingest_decoders[i], s)) {
			*out = (enum ingest_format)i;
			return 0;
		}
	}
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static enum ingest_format from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ingest_ndecoders; i++) {
		const char *const *e = ingest_decoders[i].extensions;

		for (; e && *e; e++)
			if (ends_with(name, *e))
				return (enum ingest_format)i;
	}
	return INGEST_AUTO;
}

/* Every row's sniff function looks at the first bytes; the surest wins. */
static enum ingest_format from_content(const struct source *s)
{
	enum ingest_sniff best = SNIFF_NO;
	enum ingest_format f = INGEST_AUTO;
	size_t i, at = s->pos;

	while (at < s->len && strchr(" \t\r\n", s->buf[at]))
		at++;
	if (at == s->len)
		return INGEST_AUTO;
	for (i = 0; i < ingest_ndecoders; i++) {
		enum ingest_sniff v;

		if (!ingest_decoders[i].sniff)
			continue;
		v = ingest_decoders[i].sniff(s->buf + at, s->len - at);
		if (v > best) {
			best = v;
			f = (enum ingest_format)i;
		}
	}
	return f;
}

/* A file of no bytes, or only white space, blank lines or a BOM, is refused. */
static int empty_delivery(const struct source *s, struct diag *d)
{
	diag_at(d, s->name, 0, NULL);
	if (s->total == 0)
		return diag_set(d, EX_DATAERR, "the file is empty (0 bytes): no header or records");
	return diag_set(d, EX_DATAERR,
	                "the file is empty: its %llu bytes are only white space, blank lines or "
	                "a byte order mark; no header or records",
	                (unsigned long long)s->total);
}

/*
 * A spreadsheet (xlsx/ods are ZIP files; xls an OLE2 compound file), by its
 * first bytes, or, when the format is left to reftriage, by its name: no
 * decoder reads one, and the person who saved it can make the CSV.
 */
static int spreadsheet(const struct source *s, const struct ingest_opts *o, struct diag *d)
{
	static const char *const ext[] = {".xlsx", ".XLSX", ".ods", ".ODS", ".xls", ".XLS", NULL};
	const char *const *e;
	bool named = false;

	for (e = ext; o->format == INGEST_AUTO && *e && !named; e++)
		named = ends_with(s->name, *e);
	if (!named && !(s->len >= 4 && (memcmp(s->buf, "PK\x03\x04", 4) == 0 ||
	                                memcmp(s->buf, "\xd0\xcf\x11\xe0", 4) == 0)))
		return 0;
	diag_at(d, s->name, 0, NULL);
	return diag_set(d, EX_DATAERR,
	                "a spreadsheet (xlsx, ods or xls), not CSV or JSON: open it and save it as "
	                "CSV (UTF-8), then import that file; nothing imported");
}

static int dispatch(struct source *s, struct ingest_opts *o, ingest_fn fn, void *ctx,
                    struct ingest_result *res, struct diag *d)
{
	if (source_fill(s, d) < 0 || source_peek(s, d) < 0)
		return -1;
	if (!s->nonblank && s->eof)
		return empty_delivery(s, d);
	if (spreadsheet(s, o, d) < 0)
		return -1;
	/* A UTF-8 byte order mark is allowed, and skipped, in every format. */
	if (s->len >= 3 && memcmp(s->buf, "\xef\xbb\xbf", 3) == 0)
		s->pos = 3;
	if (o->format == INGEST_AUTO)
		o->format = from_name(s->name);
	if (o->format == INGEST_AUTO)
		o->format = from_content(s);
	if (o->format == INGEST_AUTO || (size_t)o->format >= ingest_ndecoders ||
	    !ingest_decoders[o->format].decode) {
		diag_at(d, s->name, 1, NULL);
		return diag_set(d, EX_DATAERR, "no input format reads this file");
	}
	res->format = o->format;
	if (ingest_decoders[o->format].decode(s, o, fn, ctx, res, d) < 0)
		return -1;
	/* Only past the first INGEST_CHUNK bytes does a decoder see a blank file end. */
	if (!s->nonblank && res->records == 0 && !res->stopped) {
		while (!s->eof)
			if (source_fill(s, d) < 0)
				return -1;
		if (!s->nonblank)
			return empty_delivery(s, d);
	}
	return 0;
}

int ingest_read(int fd, const char *name, const struct ingest_opts *opts, ingest_fn fn,
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
	rc = dispatch(&s, &o, fn, ctx, res, d);
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
