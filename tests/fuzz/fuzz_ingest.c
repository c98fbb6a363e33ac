/*
 * libFuzzer harness: decoding with validation, built three times: with
 * FUZZ_CSV for CSV, with FUZZ_XML for CyberTipline XML (with a fixed token
 * key), without either for JSON and NDJSON. The first byte chooses the format
 * (or detection), whether unknown fields are ignored, a small record limit and
 * whether decoding runs on a second thread (src/ingest/pipe.c);
 * the rest is the file. Every record's hash or reasons are folded into a sum the
 * harness returns through a volatile, so nothing can be optimised away.
 */
#define _GNU_SOURCE /* memfd_create */
#include "reftriage/hash.h"
#include "reftriage/ingest.h"
#include "reftriage/token.h"

#include <sys/mman.h>
#include <unistd.h>

static volatile unsigned long sink;

static int on_record(void *ctx, const struct ingest_record *rec, struct diag *d)
{
	size_t i;

	(void)ctx;
	(void)d;
	if (rec->pkg) {
		for (i = 0; i < HASH_BYTES; i++)
			sink += rec->pkg->hash[i];
	} else {
		for (i = 0; i < rec->reasons->n; i++)
			sink += strlen(rec->reasons->r[i].message) + rec->line;
	}
	sink += rec->raw_len;
	return 0;
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
	struct diag d;
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
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	diag_clear(&d);
	if (ingest_fd(fd, "fuzz.in", &o, on_record, NULL, NULL, &res, &d) < 0)
		sink += (unsigned long)d.code;
	sink += res.records;
	close(fd);
	return 0;
}
