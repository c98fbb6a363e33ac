/* The streaming decoders: records, positions, raw bytes, every bad shape. */
#include "unit.h"

#include "reftriage/hash.h"
#include "reftriage/ingest.h"

#include <unistd.h>

#define MAXREC 64

/* Every test runs twice: decoding on this thread, then on a second one (pipe.c). */
static bool threaded;
/* JSON through jansson's tree only, never the fast path (src/ingest/jsonflat.c). */
static bool via_tree;

struct got {
	size_t n;
	struct {
		bool valid;
		unsigned long line;
		long index;
		char field[96];
		char message[600];
		char reasons[1600]; /* every reason, "field: message" a line */
		char raw[256];
		char ref[80];
		unsigned char hash[HASH_BYTES];
		uint64_t raw_size;
	} r[MAXREC];
};

static int collect(void *ctx, const struct ingest_record *rec, struct diag *d)
{
	struct got *g = ctx;
	size_t i = g->n++;

	(void)d;
	assert_true(i < MAXREC);
	g->r[i].valid = rec->pkg != NULL;
	g->r[i].line = rec->line;
	g->r[i].index = rec->index;
	g->r[i].raw_size = rec->raw_size;
	(void)snprintf(g->r[i].raw, sizeof(g->r[i].raw), "%.*s", (int)rec->raw_len, rec->raw);
	if (rec->pkg) {
		memcpy(g->r[i].hash, rec->pkg->hash, HASH_BYTES);
		/* The decoder's thread encodes the facts; they are the package's. */
		if (threaded) {
			struct buf facts;

			buf_init(&facts);
			assert_int_equal(package_encode_facts(rec->pkg, &facts), 0);
			assert_non_null(rec->facts);
			assert_int_equal(rec->facts_len, facts.len);
			assert_memory_equal(rec->facts, facts.data, facts.len);
			buf_release(&facts);
		}
	} else {
		(void)snprintf(g->r[i].field, sizeof(g->r[i].field), "%s",
		               rec->reasons->r[0].field);
		(void)snprintf(g->r[i].message, sizeof(g->r[i].message), "%s",
		               rec->reasons->r[0].message);
		for (size_t k = 0; k < rec->reasons->n; k++) {
			size_t used = strlen(g->r[i].reasons);

			(void)snprintf(g->r[i].reasons + used, sizeof(g->r[i].reasons) - used,
			               "%s: %s\n", rec->reasons->r[k].field,
			               rec->reasons->r[k].message);
		}
	}
	if (rec->ref)
		(void)snprintf(g->r[i].ref, sizeof(g->r[i].ref), "%.*s", (int)rec->ref_len,
		               rec->ref);
	return 0;
}

/* Decode text (of n bytes) named name; returns ingest_fd's result. */
static int decode_n(const char *name, const char *text, size_t n, bool ignore_unknown,
                    struct got *g, struct ingest_result *res, struct diag *d)
{
	struct ingest_opts o = {.format = INGEST_AUTO,
	                        .ignore_unknown = ignore_unknown,
	                        .threaded = threaded,
	                        .json_via_tree = via_tree};
	FILE *f = tmpfile();
	int rc;

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fflush(f), 0);
	rewind(f);
	memset(g, 0, sizeof(*g));
	diag_clear(d);
	rc = ingest_fd(fileno(f), name, &o, collect, NULL, g, res, d);
	fclose(f);
	return rc;
}

static int decode(const char *name, const char *text, struct got *g, struct ingest_result *res,
                  struct diag *d)
{
	return decode_n(name, text, strlen(text), false, g, res, d);
}

#define HEAD "package_ref,received_at,source,referral_type,summary\n"

static void csv_records_lines_and_raw(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.csv",
	                        HEAD
	                        "SYN-1,2026-11-02,CEOP,grooming,one\n"
	                        "SYN-2,2026-11-02,CEOP,grooming,\"two, with\n\"\"quotes\"\"\"\n"
	                        "\n"
	                        "SYN-3,2026-11-02,CEOP,grooming,three",
	                        &g, &res, &d),
	                 0);
	assert_int_equal(res.format, INGEST_CSV);
	assert_int_equal(g.n, 3);
	assert_true(g.r[0].valid && g.r[1].valid && g.r[2].valid);
	assert_int_equal(g.r[0].line, 2);
	assert_int_equal(g.r[1].line, 3);
	assert_int_equal(g.r[2].line, 6); /* the blank line 5 is skipped */
	assert_string_equal(g.r[1].raw,
	                    "SYN-2,2026-11-02,CEOP,grooming,\"two, with\n\"\"quotes\"\"\"\n");
	assert_string_equal(g.r[2].raw, "SYN-3,2026-11-02,CEOP,grooming,three");
}

static void csv_bom_and_crlf(void **state)
{
	static struct got g1, g2;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.csv", "\xef\xbb\xbf" HEAD "SYN-1,2026-11-02,CEOP,grooming,x\n",
	                        &g1, &res, &d),
	                 0);
	assert_int_equal(decode("b.csv",
	                        "package_ref,received_at,source,referral_type,summary\r\n"
	                        "SYN-1,2026-11-02,CEOP,grooming,x\r\n",
	                        &g2, &res, &d),
	                 0);
	assert_int_equal(g1.n, 1);
	assert_int_equal(g2.n, 1);
	assert_true(g1.r[0].valid && g2.r[0].valid);
	assert_memory_equal(g1.r[0].hash, g2.r[0].hash, HASH_BYTES);
}

static void csv_field_count(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.csv",
	                        HEAD "SYN-1,2026-11-02,CEOP,grooming\n"
	                             "SYN-2,2026-11-02,CEOP,grooming,x,extra\n"
	                             "SYN-3,2026-11-02,CEOP,grooming,fine\n",
	                        &g, &res, &d),
	                 0);
	assert_int_equal(g.n, 3);
	assert_false(g.r[0].valid);
	assert_string_equal(g.r[0].message, "the record has 4 fields but the header has 5");
	assert_false(g.r[1].valid);
	assert_string_equal(g.r[1].message, "the record has 6 fields but the header has 5");
	assert_true(g.r[2].valid); /* good records are not lost */
}

static void csv_bad_quotes(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.csv",
	                        HEAD "SYN-1,2026-11-02,CEOP,grooming,ab\"c\n"
	                             "SYN-2,2026-11-02,CEOP,grooming,\"x\"y\n"
	                             "SYN-3,2026-11-02,CEOP,grooming,ok\n",
	                        &g, &res, &d),
	                 0);
	assert_int_equal(g.n, 3);
	assert_false(g.r[0].valid);
	assert_non_null(strstr(g.r[0].message, "malformed quoting"));
	assert_false(g.r[1].valid);
	assert_true(g.r[2].valid);
	assert_int_equal(g.r[2].line, 4);
}

static void csv_unterminated_quote(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.csv",
	                        HEAD "SYN-1,2026-11-02,CEOP,grooming,ok\n"
	                             "SYN-2,2026-11-02,CEOP,grooming,\"never closed\n"
	                             "SYN-3,2026-11-02,CEOP,grooming,swallowed\n",
	                        &g, &res, &d),
	                 0);
	assert_int_equal(g.n, 2);
	assert_true(g.r[0].valid);
	assert_false(g.r[1].valid);
	assert_int_equal(g.r[1].line, 3);
	assert_non_null(strstr(g.r[1].message, "the quote opened on line 3 is never closed"));
	assert_true(res.stopped);
}

static void csv_header_problems(void **state)
{
	static const char unknown_col[] = "package_ref,received_at,source,referral_type,colour\n"
	                                  "SYN-1,2026-11-02,CEOP,grooming,blue\n";
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.csv",
	                        "package_ref,recieved_at,source,referral_type,source\n"
	                        "SYN-1,2026-11-02,CEOP,grooming,CEOP\n",
	                        &g, &res, &d),
	                 0);
	assert_int_equal(g.n, 1); /* the header, refused; no data record is read */
	assert_true(res.stopped);
	assert_string_equal(g.r[0].field, "recieved_at");
	assert_non_null(strstr(g.r[0].message, "did you mean received_at?"));

	assert_int_equal(decode("b.csv", "SYN-1,2026-11-02,CEOP,grooming\n", &g, &res, &d), 0);
	assert_string_equal(g.r[0].field, "header");
	assert_non_null(strstr(g.r[0].message, "not a header row"));

	/* Header only: nothing to import, and nothing wrong. */
	assert_int_equal(decode("c.csv", HEAD, &g, &res, &d), 0);
	assert_int_equal(g.n, 0);
	assert_false(res.stopped);

	/* Unknown columns ignored on request. */
	assert_int_equal(decode_n("d.csv", unknown_col, strlen(unknown_col), true, &g, &res, &d),
	                 0);
	assert_int_equal(g.n, 1);
	assert_true(g.r[0].valid);
}

static void empty_file(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("e.csv", "", &g, &res, &d), -1);
	assert_int_equal(d.code, EX_DATAERR);
	assert_non_null(strstr(d.message, "empty"));
	/* Only white space, blank lines or a BOM: as empty, in every format, and nothing handed
	 * over. */
	assert_int_equal(decode("e.json", "  \n ", &g, &res, &d), -1);
	assert_int_equal(d.code, EX_DATAERR);
	assert_non_null(strstr(d.message, "empty"));
	assert_int_equal(decode("e.ndjson", "\n\r\n\n", &g, &res, &d), -1);
	assert_int_equal(d.code, EX_DATAERR);
	assert_int_equal(decode("e.csv", "\xef\xbb\xbf\n\n", &g, &res, &d), -1);
	assert_int_equal(d.code, EX_DATAERR);
	assert_int_equal(g.n, 0);
	assert_int_equal(res.bytes, 5);
}

/* Blank past the first chunk read: the decoder reads it all, and it is still empty. */
static void empty_file_larger_than_a_chunk(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;
	size_t n = 600 * 1024;
	char *blank = malloc(n);

	(void)state;
	assert_non_null(blank);
	memset(blank, ' ', n);
	assert_int_equal(decode_n("e.json", blank, n, false, &g, &res, &d), -1);
	assert_int_equal(d.code, EX_DATAERR);
	assert_non_null(strstr(d.message, "empty"));
	assert_int_equal(res.bytes, n);
	blank[n - 2] = '{';
	blank[n - 1] = '}';
	assert_int_equal(decode_n("e.ndjson", blank, n, false, &g, &res, &d), 0);
	assert_int_equal(g.n, 1);
	free(blank);
}

static void json_array_positions(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(
	    decode("a.json",
	           "[\n"
	           " {\"package_ref\":\"SYN-1\",\"received_at\":\"2026-11-02\",\"source\":\"CEOP\","
	           "\"referral_type\":\"grooming\"},\n"
	           " 42,\n"
	           " {\"package_ref\":\"SYN-3\",\"received_at\":\"2026-11-02\",\"source\":\"CEOP\","
	           "\"referral_type\":\"grooming\", \"subject_age\": 3.5},\n"
	           " {\"package_ref\":\"SYN-4\",\"received_at\":\"2026-11-02\",\"source\":\"CEOP\","
	           "\"referral_type\":\"grooming\", \"colour\": \"x]}\"}\n"
	           "]\n",
	           &g, &res, &d),
	    0);
	assert_int_equal(g.n, 4);
	assert_true(g.r[0].valid);
	assert_int_equal(g.r[0].line, 2);
	assert_int_equal(g.r[0].index, 0);
	assert_false(g.r[1].valid);
	assert_int_equal(g.r[1].index, 1);
	assert_string_equal(g.r[1].message, "the array element is a number, not a package object");
	assert_false(g.r[2].valid);
	assert_int_equal(g.r[2].line, 4);
	assert_string_equal(g.r[2].field, "subject_age");
	assert_string_equal(g.r[2].ref, "SYN-3"); /* for quarantine */
	assert_false(g.r[3].valid);
	assert_string_equal(g.r[3].field, "colour");
	assert_int_equal(g.r[3].index, 3);
	assert_false(res.stopped);
}

static void json_single_object_and_sequence(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(
	    decode("a.json",
	           "{\n \"package_ref\": \"SYN-1\",\n \"received_at\": \"2026-11-02\",\n"
	           " \"source\": \"CEOP\",\n \"referral_type\": \"grooming\"\n}\n",
	           &g, &res, &d),
	    0);
	assert_int_equal(g.n, 1);
	assert_true(g.r[0].valid);
	assert_int_equal(g.r[0].index, -1);
	/* NDJSON content in a file named .json. */
	assert_int_equal(
	    decode("b.json",
	           "{\"package_ref\":\"SYN-1\",\"received_at\":\"2026-11-02\",\"source\":"
	           "\"CEOP\",\"referral_type\":\"grooming\"}\n"
	           "{\"package_ref\":\"SYN-2\",\"received_at\":\"2026-11-02\",\"source\":"
	           "\"CEOP\",\"referral_type\":\"grooming\"}\n",
	           &g, &res, &d),
	    0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[1].line, 2);
}

static void json_structural(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode("a.json", "[{\"a\":1},]", &g, &res, &d), 0);
	assert_non_null(strstr(g.r[g.n - 1].message, "trailing comma"));
	assert_true(res.stopped);
	assert_int_equal(decode("b.json", "[{\"a\":1} {\"b\":2}]", &g, &res, &d), 0);
	assert_non_null(strstr(g.r[g.n - 1].message, "expected ',' or ']'"));
	assert_int_equal(decode("c.json", "[{\"a\":\"unterminated}]", &g, &res, &d), 0);
	assert_non_null(strstr(g.r[0].message, "unterminated string"));
	assert_int_equal(decode("d.json", "[{\"a\":1}", &g, &res, &d), 0);
	assert_non_null(strstr(g.r[g.n - 1].message, "before the array is closed"));
	assert_int_equal(decode("e.json", "[] []", &g, &res, &d), 0);
	assert_non_null(strstr(g.r[0].message, "text after the end of the array"));
}

static void json_deep_nesting(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;
	char *s = malloc(20010);
	size_t i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 10000; i++)
		s[i] = '[';
	for (i = 0; i < 10000; i++)
		s[10000 + i] = ']';
	s[20000] = '\0';
	assert_int_equal(decode("deep.json", s, &g, &res, &d), 0);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.r[0].message, "nested 9999 levels deep"));
	free(s);
}

/* Record i was refused for field, and is known by ref ("" when by none). */
static void refused_as(const struct got *g, size_t i, const char *field, const char *ref)
{
	assert_false(g->r[i].valid);
	assert_string_equal(g->r[i].field, field);
	assert_string_equal(g->r[i].ref, ref);
}

static void json_invalid_utf8_names_key(void **state)
{
	static const char bad_ref_and_key[] = "{\"package_ref\":\"SYN-\xfe\",\"summary\":\"x\"}\n"
	                                      "{\"package_ref\":\"SYN-3\",\"x\xc3\":\"y\"}\n";
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(
	    decode("a.ndjson",
	           "{\"package_ref\":\"SYN-1\",\"received_at\":\"2026-11-02\",\"source\":"
	           "\"CEOP\",\"referral_type\":\"grooming\",\"summary\":\"bad \xff\"}\n",
	           &g, &res, &d),
	    0);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.r[0].message, "not valid UTF-8"));
	/* The record is refused, but who it is stays known, as it does for CSV. */
	refused_as(&g, 0, "summary", "SYN-1");
	/* Not when the bad byte is in the ref itself; a bad key is named as the key. */
	assert_int_equal(decode("a.ndjson", bad_ref_and_key, &g, &res, &d), 0);
	assert_int_equal(g.n, 2);
	refused_as(&g, 0, "package_ref", "");
	refused_as(&g, 1, "x\\xc3", "SYN-3");
}

#define REQ                                                                                        \
	"\"package_ref\":\"SYN-1\",\"received_at\":\"2026-11-02\",\"source\":\"CEOP\","            \
	"\"referral_type\":\"grooming\""

/* A raw NUL byte anywhere refuses the record, at its line and column in the file. */
static void json_nul_bytes(void **state)
{
	static const char text[] = "[{" REQ ", \"subject_age\": 41\0},\n"
	                           "  {" REQ ", \"summary\": \"a\0b\"},\n"
	                           "  {" REQ "}\0,\n"
	                           "  {" REQ "}]\n";
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(decode_n("n.json", text, sizeof(text) - 1, false, &g, &res, &d), 0);
	assert_int_equal(g.n, 4);
	assert_false(g.r[0].valid);
	assert_string_equal(g.r[0].field, "subject_age");
	assert_string_equal(g.r[0].message,
	                    "invalid JSON at line 1, column 113: a NUL byte (0x00), which JSON "
	                    "text never holds (in a string, write \\u0000)");
	assert_false(g.r[1].valid);
	assert_string_equal(g.r[1].field, "summary");
	assert_non_null(strstr(g.r[1].message, "at line 2, column 110: a NUL byte"));
	/* After an element, where only ',' or ']' may come: the file stops there. */
	assert_true(g.r[2].valid);
	assert_false(g.r[3].valid);
	assert_string_equal(g.r[3].message, "expected ',' or ']' after array element 2 at line 3, "
	                                    "found the byte 0x00");
	assert_true(res.stopped);
	/* At the top level, between objects: the byte is a value of its own, refused. */
	assert_int_equal(decode_n("n.json", "{" REQ "}\0{" REQ "}", 187, false, &g, &res, &d), 0);
	assert_int_equal(g.n, 3);
	assert_true(g.r[0].valid);
	assert_false(g.r[1].valid);
	assert_string_equal(g.r[1].message, "invalid JSON at line 1, column 94: a NUL byte (0x00), "
	                                    "which JSON text never holds (in a string, write "
	                                    "\\u0000)");
	assert_true(g.r[2].valid);
}

/* A non-object element is named by what it is; one that is not JSON, as invalid JSON. */
static void json_elements_described(void **state)
{
	static const char *const want[] = {
	    "invalid JSON at line 1, column 4: invalid token near 'tru'",
	    "invalid JSON at line 1, column 10: invalid token near 'tru'",
	    "the array element is an array, not a package object",
	    "the array element is a string, not a package object",
	    "the array element is null, not a package object",
	    "the array element is a number, not a package object",
	    "the key contains a NUL character (\\u0000), at line 1, column 47; the record cannot "
	    "be read",
	};
	static struct got g;
	struct ingest_result res;
	struct diag d;
	size_t i;

	(void)state;
	assert_int_equal(
	    decode("e.json", "[tru, [tru], [true], \"s\", null, -1, {\"a\\u0000b\": 1}, {" REQ "}]",
	           &g, &res, &d),
	    0);
	assert_int_equal(g.n, 8);
	for (i = 0; i < 7; i++)
		assert_string_equal(g.r[i].message, want[i]);
	assert_string_equal(g.r[6].field, "a\\u0000b");
	assert_true(g.r[7].valid);
}

static void ndjson_lines(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;

	(void)state;
	assert_int_equal(
	    decode("a.ndjson",
	           "{\"package_ref\":\"SYN-1\",\"received_at\":\"2026-11-02\",\"source\":"
	           "\"CEOP\",\"referral_type\":\"grooming\"}\n"
	           "\n"
	           "{\"package_ref\":\"SYN-2\", broken\n"
	           "   \r\n"
	           "{\"package_ref\":\"SYN-3\",\"received_at\":\"2026-11-02\",\"source\":"
	           "\"CEOP\",\"referral_type\":\"grooming\"}",
	           &g, &res, &d),
	    0);
	assert_int_equal(res.format, INGEST_NDJSON);
	assert_int_equal(g.n, 3);
	assert_true(g.r[0].valid);
	assert_false(g.r[1].valid);
	assert_int_equal(g.r[1].line, 3);
	assert_non_null(strstr(g.r[1].message, "invalid JSON at line 3"));
	assert_true(g.r[2].valid);
	assert_int_equal(g.r[2].line, 5);
}

static void oversize_record_not_held(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;
	size_t big = 3 * 1024 * 1024, n;
	char *s = malloc(big + 200);

	(void)state;
	assert_non_null(s);
	n = (size_t)snprintf(s, 200, "{\"package_ref\":\"SYN-1\",\"summary\":\"");
	memset(s + n, 'a', big);
	n += big;
	n += (size_t)snprintf(s + n, 200,
	                      "\"}\n{\"package_ref\":\"SYN-2\",\"received_at\":\"2026-11-02\","
	                      "\"source\":\"CEOP\",\"referral_type\":\"grooming\"}\n");
	assert_int_equal(decode_n("big.ndjson", s, n, false, &g, &res, &d), 0);
	assert_int_equal(g.n, 2);
	assert_false(g.r[0].valid);
	assert_non_null(strstr(g.r[0].message, "over the limit of 1048576 bytes"));
	assert_true(g.r[0].raw_size > big);
	assert_true(g.r[1].valid);
	free(s);
}

static void file_hash_is_of_all_bytes(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;
	unsigned char want[HASH_BYTES];
	const char *text = HEAD "SYN-1,2026-11-02,CEOP,grooming,x\n";

	(void)state;
	assert_int_equal(hash_library_init(), 0);
	hash_bytes(want, text, strlen(text));
	assert_int_equal(decode("a.csv", text, &g, &res, &d), 0);
	assert_memory_equal(res.file_hash, want, HASH_BYTES);
	assert_int_equal(res.bytes, strlen(text));
}

/*
 * The fast path for flat records must hand over what jansson's path does:
 * the same packages (hashes) and, for a record it leaves to jansson, the same
 * reasons. Escapes, surrogates, repeated keys, numbers jansson reads as
 * reals, wrong kinds, identifiers in either member order.
 */
static const char *const flat_cases[] = {
    "\"summary\":\"SYNTHETIC. quote \\\" backslash \\\\ slash \\/ "
    "e\\u00e9 \\u00E9 smile \\ud83d\\ude00\"",
    "\"summary\":\"lone \\ud83d surrogate\"",
    "\"summary\":\"lone low \\udc00 surrogate\"",
    "\"summary\":\"nul \\u0000 inside\"",
    "\"summary\":\"bad \\x escape\"",
    "\"summary\":\"tab \\t nl \\n cr \\r bs \\b ff \\f\"",
    "\"subject_age\":-0",
    "\"images_cat_a\":1234567890123456789012",
    "\"images_cat_a\":123456789012345678",
    "\"images_cat_a\":-5",
    "\"images_cat_a\":007",
    "\"videos_count\":1.0e2",
    "\"videos_count\":12",
    "\"identifiers\":[{\"token\":\"a\\u0062c\",\"type\":\"email\"} , "
    "{\"type\":\"username\",\"token\":\"x\"}],\"subject_age\":  42 ",
    "\"identifiers\":[{\"type\":\"email\",\"type\":\"email\"}]",
    "\"identifiers\":[{\"type\":\"email\",\"token\":\"t\",\"extra\":1}]",
    "\"identifiers\":[{\"type\":\"email\"}]",
    "\"identifiers\":[{\"type\":\"fax\",\"token\":\"t\"}]",
    "\"identifiers\":[\"email:t\"]",
    "\"identifiers\":[]",
    "\"identifiers\":null",
    "\"identifiers\":\"email:t\"",
    "\"subject_ref\":\"S-1\",\"subject_ref\":\"S-2\"",
    "\"source\":\"NCMEC\"",
    "\"summary\":\"raw\ttab\"",
    "\"meeting_proposed\":true,\"meeting_date\":null,\"ongoing_contact\":false",
    "\"meeting_proposed\":tru",
    "\"subject_age\":\"42\",\"images_cat_a\":true,\"summary\":17,\"force_area\":[1]",
    "\"force_area\":{\"a\":1}",
    "\"subject_sxe\":\"M\"",
    "\"package_r\\u0065f\":\"SYN-FLAT-2\"",
    "\"summary\":\"\\u00e9\u00e9\"",
};

static void json_flat_path_agrees_with_jansson(void **state)
{
	static struct got fast, tree;
	struct ingest_result res;
	struct diag d;
	char text[8192];
	size_t c, i, n = 0;

	(void)state;
	for (c = 0; c < sizeof(flat_cases) / sizeof(flat_cases[0]); c++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "{\"package_ref\":\"SYN-FLAT-%zu\",\"received_at\":"
		                      "\"2026-11-02T10:00:00Z\",\"source\":\"NCMEC\","
		                      "\"referral_type\":\"grooming\",%s}\n",
		                      c, flat_cases[c]);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "{}\n  {  }  \n[1]\n\"s\"\n");
	assert_true(n < sizeof(text));
	for (i = 0; i < 2; i++) {
		via_tree = i == 1;
		assert_int_equal(decode_n("f.ndjson", text, n, false, i ? &tree : &fast, &res, &d),
		                 0);
	}
	via_tree = false;
	assert_int_equal(fast.n, tree.n);
	assert_int_equal(fast.n, sizeof(flat_cases) / sizeof(flat_cases[0]) + 4);
	for (i = 0; i < fast.n; i++) {
		assert_int_equal(fast.r[i].valid, tree.r[i].valid);
		assert_memory_equal(fast.r[i].hash, tree.r[i].hash, HASH_BYTES);
		assert_string_equal(fast.r[i].reasons, tree.r[i].reasons);
		assert_string_equal(fast.r[i].ref, tree.r[i].ref);
	}
	/* Escapes decoded and identifiers read in either order make valid packages. */
	assert_true(fast.r[0].valid);
	assert_true(fast.r[13].valid);
	assert_false(fast.r[1].valid);
	assert_false(fast.r[22].valid);
}

/*
 * A refused record that is not an object (here an array with a byte that
 * is not UTF-8) has no package_ref: never the one of the record before it
 * (found by the fuzzer's two-way check; it named the previous package).
 */
static void json_refused_record_never_takes_the_previous_ref(void **state)
{
	static struct got g;
	struct ingest_result res;
	struct diag d;
	static const char text[] = "[{\"package_ref\":\"SYN-STALE-1\",\"received_at\":"
	                           "\"2026-11-02T10:00:00Z\",\"source\":\"NCMEC\","
	                           "\"referral_type\":\"grooming\"},\n[\"\xff\"],\n\"\xfe\"]\n";

	(void)state;
	for (int i = 0; i < 2; i++) {
		via_tree = i == 1;
		assert_int_equal(decode_n("s.json", text, strlen(text), false, &g, &res, &d), 0);
		assert_int_equal(g.n, 3);
		assert_true(g.r[0].valid);
		assert_false(g.r[1].valid);
		assert_string_equal(g.r[1].ref, "");
		assert_false(g.r[2].valid);
		assert_string_equal(g.r[2].ref, "");
	}
	via_tree = false;
}

static int stop_after;

static int count_then_fail(void *ctx, const struct ingest_record *rec, struct diag *d)
{
	unsigned long *n = ctx;

	assert_non_null(rec->pkg);
	if (++*n == (unsigned long)stop_after) {
		diag_at(d, "store", 0, NULL);
		return diag_set(d, EX_CANTCREAT, "the disk is full");
	}
	return 0;
}

/*
 * When the caller's function fails, decoding stops there, whether the
 * decoder runs on this thread or waits for a free slot on its own: -1 with
 * the caller's error (not the decoder's), and no record after it.
 */
static void failing_callback_stops_decoding(void **state)
{
	struct ingest_opts o = {.format = INGEST_CSV, .threaded = threaded};
	struct ingest_result res;
	unsigned long n = 0;
	struct diag d;
	FILE *f = tmpfile();
	int i;

	(void)state;
	assert_non_null(f);
	assert_true(fputs(HEAD, f) >= 0);
	for (i = 0; i < 5000; i++)
		assert_true(fprintf(f, "SYN-%d,2026-11-02,CEOP,grooming,x\n", i) > 0);
	assert_int_equal(fflush(f), 0);
	rewind(f);
	diag_clear(&d);
	stop_after = 700;
	assert_int_equal(ingest_fd(fileno(f), "a.csv", &o, count_then_fail, NULL, &n, &res, &d),
	                 -1);
	assert_int_equal(n, 700);
	assert_int_equal(d.code, EX_CANTCREAT);
	assert_string_equal(d.message, "the disk is full");
	/* And the whole file, when nothing fails: every record, in order. */
	rewind(f);
	n = 0;
	stop_after = -1;
	assert_int_equal(ingest_fd(fileno(f), "a.csv", &o, count_then_fail, NULL, &n, &res, &d), 0);
	assert_int_equal(n, 5000);
	assert_int_equal(res.records, 5000);
	fclose(f);
}

static int sequential(void **state)
{
	(void)state;
	threaded = false;
	return 0;
}

static int on_a_second_thread(void **state)
{
	(void)state;
	threaded = true;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(csv_records_lines_and_raw),
	    cmocka_unit_test(csv_bom_and_crlf),
	    cmocka_unit_test(csv_field_count),
	    cmocka_unit_test(csv_bad_quotes),
	    cmocka_unit_test(csv_unterminated_quote),
	    cmocka_unit_test(csv_header_problems),
	    cmocka_unit_test(empty_file),
	    cmocka_unit_test(empty_file_larger_than_a_chunk),
	    cmocka_unit_test(json_array_positions),
	    cmocka_unit_test(json_single_object_and_sequence),
	    cmocka_unit_test(json_structural),
	    cmocka_unit_test(json_deep_nesting),
	    cmocka_unit_test(json_invalid_utf8_names_key),
	    cmocka_unit_test(json_nul_bytes),
	    cmocka_unit_test(json_elements_described),
	    cmocka_unit_test(ndjson_lines),
	    cmocka_unit_test(oversize_record_not_held),
	    cmocka_unit_test(file_hash_is_of_all_bytes),
	    cmocka_unit_test(failing_callback_stops_decoding),
	    cmocka_unit_test(json_flat_path_agrees_with_jansson),
	    cmocka_unit_test(json_refused_record_never_takes_the_previous_ref),
	};

	if (hash_library_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("sequential", tests, sequential, NULL) |
	       cmocka_run_group_tests_name("threaded", tests, on_a_second_thread, NULL);
}
