/*
 * libFuzzer harness: decoding with validation, built three times: with
 * FUZZ_CSV for CSV, with FUZZ_XML for CyberTipline XML (with a fixed token
 * key), without either for JSON and NDJSON. The first byte chooses the format
 * (or detection), whether unknown fields are ignored, a small record limit and
 * whether decoding runs on a second thread (src/ingest/pipe.c);
 * the rest is the file. Every record's hash or reasons are folded into a sum the
 * harness returns through a volatile, so nothing can be optimised away. JSON
 * is decoded twice, with and without the fast path for flat records, and the
 * two runs must hand over the same records, byte for byte.
 */
#define _GNU_SOURCE /* memfd_create */
#include "reftriage/hash.h"
#include "reftriage/ingest.h"
#include "reftriage/token.h"

#include <sys/mman.h>
#include <unistd.h>

static volatile unsigned long sink;

/*
 * Everything a run handed over, in order, as one hash: each record's package
 * hash, or its reasons and the ref it names, with its place and raw bytes.
 */
static void fold(struct hash_stream *h, const void *p, size_t n)
{
	hash_stream_update(h, &n, sizeof(n));
	hash_stream_update(h, p, n);
}

static int on_record(void *ctx, const struct ingest_record *rec, struct diag *d)
{
	struct hash_stream *h = ctx;
	size_t i;

	(void)d;
	if (rec->pkg) {
		fold(h, rec->pkg->hash, HASH_BYTES);
		for (i = 0; i < HASH_BYTES; i++)
			sink += rec->pkg->hash[i];
	} else {
		for (i = 0; i < rec->reasons->n; i++) {
			fold(h, rec->reasons->r[i].field, strlen(rec->reasons->r[i].field));
			fold(h, rec->reasons->r[i].message, strlen(rec->reasons->r[i].message));
			sink += strlen(rec->reasons->r[i].message) + rec->line;
		}
		fold(h, &rec->reasons->more, sizeof(rec->reasons->more));
		fold(h, rec->ref ? rec->ref : "", rec->ref ? rec->ref_len : 0);
	}
	fold(h, rec->raw, rec->raw_len);
	fold(h, &rec->raw_size, sizeof(rec->raw_size));
	fold(h, &rec->line, sizeof(rec->line));
	fold(h, &rec->index, sizeof(rec->index));
	sink += rec->raw_len;
	return 0;
}

/* Decode fd from its start with o; the hash of what was handed over, and the result. */
static void run(int fd, const struct ingest_opts *o, unsigned char out[HASH_BYTES],
                struct ingest_result *res)
{
	struct hash_stream h;
	struct diag d;
	int rc;

	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	hash_stream_init(&h);
	diag_clear(&d);
	rc = ingest_fd(fd, "fuzz.in", o, on_record, NULL, &h, res, &d);
	fold(&h, &rc, sizeof(rc));
	if (rc < 0) {
		fold(&h, &d.code, sizeof(d.code));
		fold(&h, d.message, strlen(d.message));
		sink += (unsigned long)d.code;
	}
	fold(&h, &res->records, sizeof(res->records));
	fold(&h, &res->stopped, sizeof(res->stopped));
	hash_stream_final(&h, out);
	sink += res->records;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static struct token_key *key;
#if defined(FUZZ_CSV)
	static const enum ingest_format formats[] = {INGEST_CSV, INGEST_CSV, INGEST_CSV,
	                                             INGEST_AUTO};
#elif defined(FUZZ_XML)
	static const enum ingest_format formats[] = {INGEST_XML, INGEST_XML, INGEST_XML,
	                                             INGEST_AUTO};
#else
	static const enum ingest_format formats[] = {INGEST_JSON, INGEST_JSON, INGEST_NDJSON,
	                                             INGEST_AUTO};
#endif
	struct ingest_opts o = {0};
	struct ingest_result res;
	unsigned char first[HASH_BYTES], second[HASH_BYTES];
	int fd;

	if (!ready) {
		if (hash_library_init() < 0 || token_key_parse("000102030405060708090a0b0c0d0e0f"
		                                               "101112131415161718191a1b1c1d1e1f",
		                                               &key) < 0)
			abort();
		ready = true;
	}
	if (size < 1)
		return 0;
	o.format = formats[data[0] & 3];
	o.ignore_unknown = (data[0] >> 2) & 1;
	o.max_record = (data[0] >> 3) & 1 ? 512 : 0; /* small limits reach the oversize paths */
	o.max_xml_bytes = (data[0] >> 3) & 1 ? 512 : 0;
	o.token_key = key;
	o.threaded = (data[0] >> 4) & 1; /* half the inputs decoded on a second thread (pipe.c) */
	fd = memfd_create("fuzz", 0);
	if (fd < 0)
		abort();
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	run(fd, &o, first, &res);
#if !defined(FUZZ_CSV) && !defined(FUZZ_XML)
	/*
	 * JSON: the fast path for flat records (src/ingest/jsonflat.c) must hand
	 * over exactly what jansson's path does, for every input.
	 */
	o.json_via_tree = true;
	run(fd, &o, second, &res);
	if (memcmp(first, second, HASH_BYTES) != 0)
		abort();
#else
	(void)second;
#endif
	close(fd);
	return 0;
}
