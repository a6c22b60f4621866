/* prefetch.c - a reader thread that fills batches of records, handed out in order by cap_prefetch_next(). */
#include "config.h"
#include "capture/prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Batches cycle between two queues: `full` (reader -> consumer) and
 * `free` (consumer -> reader).  A batch owns its records and a byte arena
 * holding their payloads and iso descriptors, so nothing in it points into
 * the reader's buffers.  The last batch the reader fills carries the end:
 * rc 0 (clean end) or -1 with the error, after its records.
 */

struct batch {
	struct cap_record recs[PREFETCH_BATCH_RECORDS];
	unsigned n;
	uint8_t *arena;
	size_t used, size;
	bool last;                /* the reader stopped after these records */
	uint64_t offset;          /* cap_offset() after the last of them */
	int rc;                   /* for the last batch: 0 end, -1 error */
	struct error err;
};

struct queue {
	struct batch *b[PREFETCH_BATCHES];
	unsigned head, count;
};

struct cap_prefetch {
	struct cap *c;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct queue full, free;
	bool stop;                /* consumer asks the reader to quit */
	struct batch *all[PREFETCH_BATCHES];
	/* consumer side */
	struct batch *cur;
	unsigned pos;
	uint64_t offset;          /* cap_prefetch_offset() */
	bool done;
	int done_rc;
	struct error done_err;
};

static void q_push(struct queue *q, struct batch *b)
{
	q->b[(q->head + q->count) % PREFETCH_BATCHES] = b;
	q->count++;
}

static struct batch *q_pop(struct queue *q)
{
	struct batch *b = q->b[q->head];

	q->head = (q->head + 1) % PREFETCH_BATCHES;
	q->count--;
	return b;
}

/* Reserve n bytes (4-byte aligned) in b's arena; NULL if they do not fit. */
static uint8_t *arena_take(struct batch *b, size_t n)
{
	size_t at = (b->used + 3) & ~(size_t)3;
	uint8_t *p;

	if (at > b->size || n > b->size - at)
		return NULL;
	p = b->arena + at;
	b->used = at + n;
	return p;
}

static size_t rec_bytes(const struct cap_record *r)
{
	if (r->kind == CAP_REC_USB)
		return (size_t)r->u.usb.caplen + 4 + (size_t)r->u.usb.iso_ndesc * sizeof(struct usb_iso_desc);
	return (size_t)r->u.hci.caplen;
}

/* Copy r (and what it points to) into b; false if the arena is too small. */
static bool batch_add(struct batch *b, const struct cap_record *r)
{
	struct cap_record *dst;

	if (b->n == PREFETCH_BATCH_RECORDS)
		return false;
	dst = &b->recs[b->n];
	*dst = *r;
	if (r->kind == CAP_REC_USB) {
		struct usb_event *e = &dst->u.usb;
		if (e->caplen) {
			uint8_t *p = arena_take(b, e->caplen);
			if (!p)
				return false;
			memcpy(p, r->u.usb.data, e->caplen);
			e->data = p;
		}
		if (e->iso_ndesc) {
			uint8_t *p = arena_take(b, (size_t)e->iso_ndesc * sizeof(struct usb_iso_desc));
			if (!p)
				return false;
			memcpy(p, r->u.usb.iso, (size_t)e->iso_ndesc * sizeof(struct usb_iso_desc));
			e->iso = (const struct usb_iso_desc *)(const void *)p;
		}
	} else if (r->u.hci.caplen) {
		uint8_t *p = arena_take(b, r->u.hci.caplen);
		if (!p)
			return false;
		memcpy(p, r->u.hci.data, r->u.hci.caplen);
		dst->u.hci.data = p;
	}
	b->n++;
	return true;
}

/* Wait for a free batch; NULL when asked to stop. */
static struct batch *get_free(struct cap_prefetch *p)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->free.count == 0)
		pthread_cond_wait(&p->changed, &p->lock);
	if (!p->stop)
		b = q_pop(&p->free);
	pthread_mutex_unlock(&p->lock);
	if (b) {
		b->n = 0;
		b->used = 0;
		b->last = false;
	}
	return b;
}

static void put_full(struct cap_prefetch *p, struct batch *b)
{
	pthread_mutex_lock(&p->lock);
	q_push(&p->full, b);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

/* Make sure b's arena can hold a record of n bytes on its own. */
static bool arena_fit(struct batch *b, size_t n)
{
	uint8_t *na;

	if (n + 8 <= b->size)
		return true;
	na = realloc(b->arena, n + 8);
	if (!na)
		return false;
	b->arena = na;
	b->size = n + 8;
	return true;
}

static void *reader(void *arg)
{
	struct cap_prefetch *p = arg;
	struct batch *b = get_free(p);
	struct cap_record r;
	struct error err;
	int rc;

	if (!b)
		return NULL;
	for (;;) {
		if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
			return NULL;              /* the consumer left; b is freed by stop */
		rc = cap_next(p->c, &r, &err);
		if (rc <= 0)
			break;
		if (batch_add(b, &r)) {
			b->offset = cap_offset(p->c);
			continue;
		}
		/* b is full: hand it over and start the next with r. */
		put_full(p, b);
		if (!(b = get_free(p)))
			return NULL;
		if (!arena_fit(b, rec_bytes(&r)) || !batch_add(b, &r)) {
			rc = error_set(&err, 0, ERROR_NO_OFFSET, "out of memory buffering a record");
			break;
		}
		b->offset = cap_offset(p->c);
	}
	b->offset = cap_offset(p->c);
	b->last = true;
	b->rc = rc < 0 ? -1 : 0;
	if (rc < 0)
		b->err = err;
	put_full(p, b);
	return NULL;
}

int cap_prefetch_start(struct cap *c, struct cap_prefetch **out, struct error *err)
{
	struct cap_prefetch *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	p->c = c;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	for (unsigned i = 0; i < PREFETCH_BATCHES; i++) {
		struct batch *b = calloc(1, sizeof(*b));
		if (!b || !(b->arena = malloc(PREFETCH_BATCH_BYTES))) {
			free(b);
			cap_prefetch_stop(p);
			return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		}
		b->size = PREFETCH_BATCH_BYTES;
		p->all[i] = b;
		q_push(&p->free, b);
	}
	if (pthread_create(&p->thread, NULL, reader, p) != 0) {
		cap_prefetch_stop(p);
		return error_set(err, 0, ERROR_NO_OFFSET, "cannot start the reader thread");
	}
	p->started = true;
	*out = p;
	return 0;
}

int cap_prefetch_next(struct cap_prefetch *p, struct cap_record *rec, struct error *err)
{
	for (;;) {
		if (p->cur && p->pos < p->cur->n) {
			*rec = p->cur->recs[p->pos++];
			return 1;
		}
		if (p->done) {
			if (p->done_rc < 0 && err)
				*err = p->done_err;
			return p->done_rc;
		}
		pthread_mutex_lock(&p->lock);
		if (p->cur) {
			if (p->cur->last) {
				p->done = true;
				p->done_rc = p->cur->rc;
				p->done_err = p->cur->err;
			}
			q_push(&p->free, p->cur);
			p->cur = NULL;
			pthread_cond_broadcast(&p->changed);
		}
		if (!p->done) {
			while (p->full.count == 0)
				pthread_cond_wait(&p->changed, &p->lock);
			p->cur = q_pop(&p->full);
			p->pos = 0;
			p->offset = p->cur->offset;
		}
		pthread_mutex_unlock(&p->lock);
	}
}

uint64_t cap_prefetch_offset(const struct cap_prefetch *p) { return p->offset; }

void cap_prefetch_stop(struct cap_prefetch *p)
{
	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		__atomic_store_n(&p->stop, true, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
	}
	for (unsigned i = 0; i < PREFETCH_BATCHES; i++) {
		if (p->all[i])
			free(p->all[i]->arena);
		free(p->all[i]);
	}
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
