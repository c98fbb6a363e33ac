/* The audit trail's hash chain and checkpoint statements (see audit.h). */
#include "reftriage/audit.h"

#include "reftriage/timeutil.h"

static void put_u64(struct hash_stream *h, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	hash_stream_update(h, b, sizeof(b));
}

static void put_text(struct hash_stream *h, const char *s, size_t n)
{
	unsigned char b[4];

	b[0] = (unsigned char)(n >> 24);
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
	hash_stream_update(h, b, sizeof(b));
	hash_stream_update(h, s, n);
}

void audit_refs_init(struct audit_refs *r)
{
	hash_stream_init(&r->h);
	r->n = 0;
}

void audit_refs_add(struct audit_refs *r, const char *ref, size_t len)
{
	put_text(&r->h, ref, len);
	r->n++;
}

void audit_refs_final(struct audit_refs *r, unsigned char out[HASH_BYTES])
{
	hash_stream_final(&r->h, out);
}

void audit_entry_hash(const struct audit_entry *e, int64_t n_refs,
                      const unsigned char refs_hash[HASH_BYTES], unsigned char out[HASH_BYTES])
{
	struct hash_stream h;
	unsigned char has_reason = e->reason != NULL;

	hash_stream_init(&h);
	/* The tag with its NUL: no other hash in reftriage starts this way. */
	hash_stream_update(&h, AUDIT_TAG, sizeof(AUDIT_TAG));
	hash_stream_update(&h, e->prev_hash, HASH_BYTES);
	put_u64(&h, (uint64_t)e->seq);
	put_u64(&h, (uint64_t)e->at);
	put_text(&h, e->operator_name, strlen(e->operator_name));
	put_text(&h, e->action, strlen(e->action));
	hash_stream_update(&h, &has_reason, 1);
	if (has_reason)
		put_text(&h, e->reason, strlen(e->reason));
	put_u64(&h, (uint64_t)n_refs);
	hash_stream_update(&h, refs_hash, HASH_BYTES);
	hash_stream_update(&h, e->details_hash, HASH_BYTES);
	hash_stream_final(&h, out);
}

const char *audit_category(const char *action)
{
	static const struct {
		const char *action, *category;
	} map[] = {
	    {"import", "collection"},
	    {"status", "alteration"},
	    {"assign", "alteration"},
	    {"note", "alteration"},
	    {"team", "alteration"},
	    {"team list", "consultation"},
	    {"override", "alteration"},
	    {"rules install", "alteration"},
	    {"outcome", "alteration"},
	    {"outcome import", "alteration"},
	    {"outcome list", "consultation"},
	    {"score", "alteration"},
	    {"worklist", "consultation"},
	    {"alert", "consultation"},
	    {"show", "consultation"},
	    {"stats", "consultation"},
	    {"rules diff", "consultation"},
	    {"report", "consultation"},
	    {"quarantine list", "consultation"},
	    {"quarantine show", "consultation"},
	    {"quarantine dismiss", "alteration"},
	    {"audit log", "consultation"},
	    {"export", "disclosure"},
	    {"backup", "disclosure"},
	    {"link", "combination"},
	    {"deconflict import", "combination"},
	    {"deconflict clear", "alteration"},
	    {"deconflict list", "consultation"},
	    {"find", "consultation"},
	    {"purge", "erasure"},
	    {"purge dry-run", "consultation"},
	    {"settings", "alteration"},
	    {"settings show", "consultation"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(action, map[i].action) == 0)
			return map[i].category;
	return "administration";
}

void audit_verifier_init(struct audit_verifier *v)
{
	memset(v, 0, sizeof(*v));
	v->next_seq = 1;
}

int audit_verify_entry(struct audit_verifier *v, const struct audit_entry *e, int64_t n_refs,
                       const unsigned char refs_hash[HASH_BYTES], char *why, size_t why_len)
{
	unsigned char h[HASH_BYTES];

	if (e->seq != v->next_seq) {
		if (e->seq > v->next_seq)
			(void)snprintf(why, why_len,
			               "entry %lld is missing: the trail jumps from %lld to %lld "
			               "(entries were removed)",
			               (long long)v->next_seq, (long long)v->next_seq - 1,
			               (long long)e->seq);
		else
			(void)snprintf(why, why_len, "entry %lld is out of order",
			               (long long)e->seq);
		return -1;
	}
	if (memcmp(e->prev_hash, v->prev, HASH_BYTES) != 0) {
		(void)snprintf(
		    why, why_len,
		    "entry %lld does not follow entry %lld: its link to the entry before "
		    "is wrong (an entry was removed, inserted or moved)",
		    (long long)e->seq, (long long)e->seq - 1);
		return -1;
	}
	hash_bytes(h, e->details, e->details_len);
	if (memcmp(h, e->details_hash, HASH_BYTES) != 0) {
		(void)snprintf(why, why_len, "entry %lld: its details were changed",
		               (long long)e->seq);
		return -1;
	}
	if (n_refs != e->n_refs) {
		(void)snprintf(
		    why, why_len,
		    "entry %lld: it names %lld package refs but %lld are stored (refs were "
		    "removed or added)",
		    (long long)e->seq, (long long)e->n_refs, (long long)n_refs);
		return -1;
	}
	audit_entry_hash(e, n_refs, refs_hash, h);
	if (memcmp(h, e->hash, HASH_BYTES) != 0) {
		(void)snprintf(why, why_len,
		               "entry %lld: its hash does not match its contents (the entry, or "
		               "the refs it names, were changed)",
		               (long long)e->seq);
		return -1;
	}
	memcpy(v->prev, e->hash, HASH_BYTES);
	v->went_back = v->checked > 0 && e->at < v->last_at;
	v->backwards += v->went_back;
	v->before_at = v->last_at;
	v->last_at = e->at;
	v->next_seq++;
	v->checked++;
	return 0;
}

#define CHECKPOINT_HEAD "reftriage audit checkpoint v1\n"

int audit_checkpoint_format(const struct audit_checkpoint *c, struct buf *b)
{
	char hex[HASH_HEX], when[40];

	hash_hex(hex, c->head);
	time_format(c->at, when);
	return buf_addf(b, CHECKPOINT_HEAD "store: %s\nseq: %lld\nhead: %s\ntime: %s\n",
	                c->store_id, (long long)c->seq, hex, when);
}

/* The value of line "name: value\n" at *p; advances *p. NULL when it is not there. */
static const char *field(const char **p, const char *end, const char *name, size_t *len)
{
	size_t n = strlen(name);
	const char *nl, *v;

	if ((size_t)(end - *p) < n + 2 || memcmp(*p, name, n) != 0 || (*p)[n] != ':' ||
	    (*p)[n + 1] != ' ')
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		return NULL;
	v = *p + n + 2;
	*len = (size_t)(nl - v);
	*p = nl + 1;
	return v;
}

static int unhex(const char *s, size_t n, unsigned char *out, size_t out_len)
{
	size_t i;

	if (n != out_len * 2)
		return -1;
	for (i = 0; i < n; i++) {
		int c = s[i], v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

int audit_checkpoint_parse(const char *text, size_t len, struct audit_checkpoint *c, char *why,
                           size_t why_len)
{
	const char *p = text, *end = text + len, *v;
	const char *twhy = NULL;
	size_t n, i;
	unsigned char id[16];

	memset(c, 0, sizeof(*c));
	if (len < sizeof(CHECKPOINT_HEAD) - 1 ||
	    memcmp(p, CHECKPOINT_HEAD, sizeof(CHECKPOINT_HEAD) - 1) != 0) {
		(void)snprintf(why, why_len,
		               "not a reftriage checkpoint (the first line is wrong)");
		return -1;
	}
	p += sizeof(CHECKPOINT_HEAD) - 1;
	v = field(&p, end, "store", &n);
	if (!v || unhex(v, n, id, sizeof(id)) < 0) {
		(void)snprintf(why, why_len, "store: expected the store id (32 hex digits)");
		return -1;
	}
	memcpy(c->store_id, v, n);
	v = field(&p, end, "seq", &n);
	c->seq = 0;
	for (i = 0; v && i < n && i < 18 && v[i] >= '0' && v[i] <= '9'; i++)
		c->seq = c->seq * 10 + (v[i] - '0');
	if (!v || n == 0 || i != n || c->seq < 1) {
		(void)snprintf(why, why_len, "seq: expected a positive whole number");
		return -1;
	}
	v = field(&p, end, "head", &n);
	if (!v || unhex(v, n, c->head, HASH_BYTES) < 0) {
		(void)snprintf(why, why_len, "head: expected a hash (64 hex digits)");
		return -1;
	}
	v = field(&p, end, "time", &n);
	if (!v || time_parse_datetime(v, n, &c->at, &twhy) < 0) {
		(void)snprintf(why, why_len, "time: %s", twhy ? twhy : "expected a UTC time");
		return -1;
	}
	if (p != end) {
		(void)snprintf(why, why_len, "unexpected text after the time line");
		return -1;
	}
	return 0;
}
