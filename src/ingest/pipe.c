/*
 * ingest_fd: a regular file with ingest_opts.threaded is decoded on a second
 * thread, anything else on the caller's (source.c's ingest_read). The decoder
 * reads, validates, canonicalises and hashes on its own thread, and hands
 * each record over a bounded ring of slots to the caller's thread, which
 * calls the caller's function in file order. The store stays single-writer: only
 * the caller's thread ever touches it. Memory stays bounded: a slot holds one
 * record, and the decoder waits when every slot is full.
 *
 * A stop on either side ends both: when the caller's function fails, the
 * decoder's next hand-over fails and it stops; when the decoder fails, the
 * records it handed over before are still delivered, then its error.
 */
#include "ingest-internal.h"

#include "reftriage/alloc.h"

#include <pthread.h>
#include <sys/stat.h>

#define PIPE_SLOTS 128

struct slot {
	bool has_pkg;
	struct package pkg;
	struct reasons reasons;
	struct buf raw, ref;
	struct buf facts; /* the package's, encoded (ingest_record.facts) */
	bool has_ref;
	uint64_t raw_size;
	unsigned char raw_hash[HASH_BYTES];
	bool has_received;
	int64_t received_at;
	unsigned long line;
	long index;
	/* what the decoder had read when it handed this record over */
	uint64_t bytes;
	unsigned long records;
};

/* Slots are published, and given back, this many at a time (or fewer at the end). */
#define PIPE_BATCH 32

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	struct slot slot[PIPE_SLOTS];
	/* under mu: slots head..tail (counts; the slot is [count % PIPE_SLOTS]) are full */
	size_t head, tail;
	bool done; /* the decoder has returned */
	bool stop; /* the caller's side failed: the decoder must stop */
	/* the decoder's own: slots filled (ptail), the head it last saw, progress */
	size_t ptail, phead;
	uint64_t bytes;
	unsigned long records;
	/* the caller's own: the next slot to deliver, the tail it last saw */
	size_t chead, ctail;
	/* the decoder's side */
	int fd;
	const char *name;
	struct ingest_opts opts;
	struct ingest_result res;
	struct diag d;
	int rc;
};

static int copy_record(struct slot *sl, const struct ingest_record *rec)
{
	buf_reset(&sl->raw);
	buf_reset(&sl->ref);
	sl->has_pkg = rec->pkg != NULL;
	sl->has_ref = rec->ref != NULL;
	sl->raw_size = rec->raw_size;
	memcpy(sl->raw_hash, rec->raw_hash, HASH_BYTES);
	sl->has_received = rec->has_received;
	sl->received_at = rec->received_at;
	sl->line = rec->line;
	sl->index = rec->index;
	if (buf_add(&sl->raw, rec->raw, rec->raw_len) < 0 ||
	    (rec->ref && buf_add(&sl->ref, rec->ref, rec->ref_len) < 0))
		return -1;
	if (rec->pkg) {
		/* The facts too: the store's thread, the import's pace, then need not. */
		if (package_copy(&sl->pkg, rec->pkg) < 0 ||
		    package_encode_facts(rec->pkg, &sl->facts) < 0)
			return -1;
		return 0;
	}
	sl->reasons.n = rec->reasons->n;
	sl->reasons.more = rec->reasons->more;
	memcpy(sl->reasons.r, rec->reasons->r, rec->reasons->n * sizeof(rec->reasons->r[0]));
	return 0;
}

/*
 * On the decoder's thread: publish the slots filled so far and learn which
 * were given back, waiting for one when wait; false when the caller stopped.
 */
static bool publish(struct pipe *p, bool wait)
{
	bool go;

	pthread_mutex_lock(&p->mu);
	p->tail = p->ptail;
	pthread_cond_signal(&p->filled);
	while (wait && !p->stop && p->ptail - p->head == PIPE_SLOTS)
		pthread_cond_wait(&p->emptied, &p->mu);
	p->phead = p->head;
	go = !p->stop;
	pthread_mutex_unlock(&p->mu);
	return go;
}

/* The decoder's function: fill the next free slot; publish a batch at a time. */
static int hand_over(void *ctx, const struct ingest_record *rec, struct diag *d)
{
	struct pipe *p = ctx;
	struct slot *sl;

	if (p->ptail - p->phead == PIPE_SLOTS && !publish(p, true))
		return diag_set(d, EX_SOFTWARE, "stopped"); /* the caller's error is reported */
	sl = &p->slot[p->ptail % PIPE_SLOTS];
	if (copy_record(sl, rec) < 0) {
		diag_at(d, p->name, rec->line, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	sl->bytes = p->bytes;
	sl->records = p->records;
	if (++p->ptail % PIPE_BATCH == 0 && !publish(p, false))
		return diag_set(d, EX_SOFTWARE, "stopped");
	return 0;
}

static void note_progress(void *ctx, uint64_t bytes, unsigned long records)
{
	struct pipe *p = ctx;

	p->bytes = bytes;
	p->records = records;
}

static void *decoder(void *arg)
{
	struct pipe *p = arg;

	p->rc = ingest_read(p->fd, p->name, &p->opts, hand_over, note_progress, p, &p->res, &p->d);
	pthread_mutex_lock(&p->mu);
	p->tail = p->ptail;
	p->done = true;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * On the caller's thread: give back the slots delivered since the last time
 * (stop: and tell the decoder to stop); then, unless stopping, the next full
 * slot, waiting for one, or NULL when the decoder has returned and none is
 * left. The lock is taken once a batch, not once a record.
 */
static struct slot *next_slot(struct pipe *p, bool stop)
{
	if (p->chead == p->ctail || stop || p->chead % PIPE_BATCH == 0) {
		pthread_mutex_lock(&p->mu);
		p->head = p->chead;
		p->stop = stop;
		pthread_cond_signal(&p->emptied);
		while (!stop && !p->done && p->head == p->tail)
			pthread_cond_wait(&p->filled, &p->mu);
		p->ctail = p->tail;
		pthread_mutex_unlock(&p->mu);
	}
	if (stop || p->chead == p->ctail)
		return NULL;
	return &p->slot[p->chead++ % PIPE_SLOTS];
}

static int deliver(struct slot *sl, ingest_fn fn, void *ctx, struct diag *d)
{
	struct ingest_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.line = sl->line;
	rec.index = sl->index;
	rec.raw_size = sl->raw_size;
	memcpy(rec.raw_hash, sl->raw_hash, HASH_BYTES);
	rec.has_received = sl->has_received;
	rec.received_at = sl->received_at;
	rec.raw = sl->raw.data;
	rec.raw_len = sl->raw.len;
	rec.ref = sl->has_ref ? sl->ref.data : NULL;
	rec.ref_len = sl->ref.len;
	if (sl->has_pkg) {
		rec.pkg = &sl->pkg;
		rec.facts = sl->facts.data;
		rec.facts_len = sl->facts.len;
	} else
		rec.reasons = &sl->reasons;
	return fn(ctx, &rec, d);
}

/* The caller's side: deliver every record in order; -1 at the first failure. */
static int consume(struct pipe *p, ingest_fn fn, ingest_progress_fn progress, void *ctx,
                   struct diag *d)
{
	struct slot *sl;

	while ((sl = next_slot(p, false)) != NULL) {
		if (deliver(sl, fn, ctx, d) < 0) {
			(void)next_slot(p, true);
			return -1;
		}
		if (progress)
			progress(ctx, sl->bytes, sl->records);
	}
	return 0;
}

static void pipe_release(struct pipe *p)
{
	size_t i;

	for (i = 0; i < PIPE_SLOTS; i++) {
		package_release(&p->slot[i].pkg);
		buf_release(&p->slot[i].raw);
		buf_release(&p->slot[i].ref);
		buf_release(&p->slot[i].facts);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->emptied);
	rt_free(p);
}

static int threaded(int fd, const char *name, const struct ingest_opts *opts, ingest_fn fn,
                    ingest_progress_fn progress, void *ctx, struct ingest_result *res,
                    struct diag *d)
{
	struct pipe *p = rt_calloc(1, sizeof(*p));
	pthread_t th;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!p) {
		diag_at(d, name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	for (i = 0; i < PIPE_SLOTS; i++) {
		package_init(&p->slot[i].pkg);
		buf_init(&p->slot[i].raw);
		buf_init(&p->slot[i].ref);
		buf_init(&p->slot[i].facts);
	}
	p->fd = fd;
	p->name = name;
	p->opts = *opts;
	diag_clear(&p->d);
	if (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_cond_init(&p->filled, NULL) != 0 ||
	    pthread_cond_init(&p->emptied, NULL) != 0) {
		rt_free(p);
		diag_at(d, name, 0, NULL);
		return diag_set(d, EX_OSERR, "cannot set up the decoding thread");
	}
	if (pthread_create(&th, NULL, decoder, p) != 0) {
		struct ingest_opts o = p->opts;

		pipe_release(p); /* no second thread: decode on this one */
		return ingest_read(fd, name, &o, fn, progress, ctx, res, d);
	}
	rc = consume(p, fn, progress, ctx, d);
	if (pthread_join(th, NULL) != 0) {
		/* Cannot happen for a thread of ours; p may still be in use: keep it. */
		diag_at(d, name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "the decoding thread cannot be joined");
	}
	*res = p->res;
	if (rc == 0 && p->rc < 0) {
		*d = p->d;
		rc = -1;
	}
	pipe_release(p);
	return rc;
}

static bool regular_file(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int ingest_fd(int fd, const char *name, const struct ingest_opts *opts, ingest_fn fn,
              ingest_progress_fn progress, void *ctx, struct ingest_result *res, struct diag *d)
{
	/*
	 * Only a regular file: reading one never waits on another process, so a
	 * failure on the store's side never leaves the import waiting for a pipe
	 * or a terminal to send more before the decoder can see it must stop.
	 */
	if (opts->threaded && regular_file(fd))
		return threaded(fd, name, opts, fn, progress, ctx, res, d);
	return ingest_read(fd, name, opts, fn, progress, ctx, res, d);
}
