/*
 * What every decoder uses: the buffered, hashing reader over a file
 * descriptor, and handing over a rejected record. Depends on no other file
 * of src/ingest/.
 */
#include "ingest-internal.h"

#include <unistd.h>

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read once into the buffer's free room, after its len bytes. */
static int source_read(struct source *s, struct diag *d)
{
	size_t from = s->len, i = from;
	ssize_t n;

	do
		n = read(s->fd, s->buf + s->len, INGEST_CHUNK - s->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_IOERR, "read error: %s", strerror(errno));
	}
	if (n == 0) {
		s->eof = true;
		return 0;
	}
	s->len += (size_t)n;
	/* A UTF-8 byte order mark at the start of the file is not content. */
	if (s->total == 0 && s->len >= 3 && memcmp(s->buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	s->total += (uint64_t)n;
	hash_stream_update(&s->hash, s->buf + from, (size_t)n);
	for (; i < s->len && !s->nonblank; i++)
		s->nonblank = !is_blank(s->buf[i]);
	if (s->progress)
		s->progress(s->ctx, s->total, *s->records);
	return 0;
}

int source_fill(struct source *s, struct diag *d)
{
	s->pos = 0;
	s->len = 0;
	if (s->eof)
		return 0;
	return source_read(s, d);
}

int source_next(struct source *s, const unsigned char **p, size_t *n, struct diag *d)
{
	if (s->pos == s->len) {
		if (source_fill(s, d) < 0)
			return -1;
		if (s->len == 0)
			return 0;
	}
	*p = s->buf + s->pos;
	*n = s->len - s->pos;
	s->pos = s->len;
	return 1;
}

int source_peek(struct source *s, struct diag *d)
{
	while (!s->nonblank && !s->eof && s->len < INGEST_CHUNK)
		if (source_read(s, d) < 0)
			return -1;
	return 0;
}

int ingest_rec_add(struct buf *rec, uint64_t *size, bool *oversize, size_t max,
                   const unsigned char *p, size_t n)
{
	if (!n)
		return 0;
	*size += n;
	if (*oversize)
		return 0;
	if (rec->len + n > max) {
		*oversize = true;
		return 0;
	}
	return buf_add(rec, p, n);
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

	hash_bytes(rec.raw_hash, raw, raw_len);
	if (pkg)
		rec.ref = package_str(pkg, F_PACKAGE_REF, &rec.ref_len);
	if (pkg && package_known(pkg, F_RECEIVED_AT)) {
		rec.has_received = true;
		rec.received_at = pkg->v[F_RECEIVED_AT];
	}
	return fn(ctx, &rec, d);
}
