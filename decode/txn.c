/* txn.c - build transactions (frames, findings, payload hash) and deliver them in the order they began. */
#include "config.h"
#include "decode/txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/hash.h"

/* ---------------------------------------------------------------- payload */

struct payload_acc {
	uint64_t bytes;
	uint64_t captured;
	XXH3_state_t *xx;
	uint8_t *head;
	uint32_t head_len;
};

struct payload_acc *payload_acc_new(void)
{
	struct payload_acc *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->xx = XXH3_createState();
	if (!a->xx)
		abort();
	XXH3_64bits_reset(a->xx);
	return a;
}

void payload_acc_add(struct payload_acc *a, const uint8_t *data, uint32_t caplen, uint32_t moved)
{
	a->bytes += moved;
	if (!caplen || !data)
		return;
	a->captured += caplen;
	XXH3_64bits_update(a->xx, data, caplen);
	if (a->head_len < PAYLOAD_HEAD_MAX) {
		uint32_t take = PAYLOAD_HEAD_MAX - a->head_len;
		if (take > caplen)
			take = caplen;
		if (!a->head && !(a->head = malloc(PAYLOAD_HEAD_MAX)))
			abort();
		memcpy(a->head + a->head_len, data, take);
		a->head_len += take;
	}
}

void payload_acc_view(const struct payload_acc *a, struct payload *out)
{
	memset(out, 0, sizeof(*out));
	if (!a)
		return;
	out->bytes = a->bytes;
	out->captured = a->captured;
	out->hash = a->captured ? XXH3_64bits_digest(a->xx) : 0;
	out->head_len = a->head_len;
	out->head = a->head_len ? a->head : NULL;   /* a reused accumulator keeps its buffer */
}

/* Empty an accumulator for reuse (keeps its buffers). */
static void payload_acc_reset(struct payload_acc *a)
{
	a->bytes = 0;
	a->captured = 0;
	a->head_len = 0;
	XXH3_64bits_reset(a->xx);
}

void payload_acc_free(struct payload_acc *a)
{
	if (!a)
		return;
	XXH3_freeState(a->xx);
	free(a->head);
	free(a);
}

/* ---------------------------------------------------------------- emitter */

/* Delivered records are kept for reuse, up to SPARE_MAX of them, with
 * their frame and finding arrays up to these sizes and their payload
 * accumulator: a session delivers a transaction every few URBs, and
 * allocating each afresh was a measurable part of `decode`
 * (bench/run-decode.sh).  Memory stays bounded by the constants. */
#define SPARE_MAX 8
#define SPARE_FRAMES_MAX 64
#define SPARE_FINDINGS_MAX 8

struct emitter {
	txn_cb cb;
	void *ctx;
	struct txn_rec *head, *tail;  /* begun, not yet delivered, in start order */
	uint32_t queued;
	uint64_t seq;
	struct txn_rec *spare;        /* delivered records to reuse, chained by next */
	uint32_t nspare;
	txn_hook hook;
	void *hook_ctx;
};

struct emitter *emitter_new(txn_cb cb, void *ctx)
{
	struct emitter *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cb = cb;
	e->ctx = ctx;
	return e;
}

static void rec_free(struct txn_rec *r)
{
	free(r->frames);
	free(r->findings);
	payload_acc_free(r->data);
	payload_acc_free(r->data_spare);
	free(r->aux);
	free(r);
}

/* Done with r: keep it for txn_begin, or free it. */
static void rec_release(struct emitter *e, struct txn_rec *r)
{
	if (e->nspare >= SPARE_MAX) {
		rec_free(r);
		return;
	}
	if (r->frames_alloc > SPARE_FRAMES_MAX) {
		free(r->frames);
		r->frames = NULL;
		r->frames_alloc = 0;
	}
	if (r->findings_alloc > SPARE_FINDINGS_MAX) {
		free(r->findings);
		r->findings = NULL;
		r->findings_alloc = 0;
	}
	if (r->aux_alloc > 512) {
		free(r->aux);
		r->aux = NULL;
		r->aux_alloc = 0;
	}
	r->aux_len = 0;
	if (r->data) {
		payload_acc_reset(r->data);
		if (r->data_spare)
			payload_acc_free(r->data_spare);
		r->data_spare = r->data;
		r->data = NULL;
	}
	r->next = e->spare;
	e->spare = r;
	e->nspare++;
}

/* A zeroed record: a spare one (keeping its buffers) or a new one. */
static struct txn_rec *rec_new(struct emitter *e)
{
	struct txn_rec *r = e->spare;
	uint64_t *frames;
	uint32_t frames_alloc, findings_alloc;
	struct finding *findings;
	struct payload_acc *acc;
	uint8_t *aux;
	uint32_t aux_alloc;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		return r;
	}
	e->spare = r->next;
	e->nspare--;
	frames = r->frames;
	frames_alloc = r->frames_alloc;
	findings = r->findings;
	findings_alloc = r->findings_alloc;
	acc = r->data_spare;
	aux = r->aux;
	aux_alloc = r->aux_alloc;
	memset(r, 0, sizeof(*r));
	r->aux = aux;
	r->aux_alloc = aux_alloc;
	r->frames = frames;
	r->frames_alloc = frames_alloc;
	r->findings = findings;
	r->findings_alloc = findings_alloc;
	r->data_spare = acc;
	return r;
}

/* Point the public view at the owned storage. */
static void rec_finalize(struct txn_rec *r)
{
	struct txn *t = &r->t;

	switch (t->kind) {
	case TXN_SCSI:
		t->u.scsi.frames = r->frames;
		t->u.scsi.nframes = r->nframes;
		t->u.scsi.findings = r->findings;
		t->u.scsi.nfindings = r->nfindings;
		payload_acc_view(r->data, &t->u.scsi.data);
		if (r->nframes && t->u.scsi.last_frame < r->frames[r->nframes - 1])
			t->u.scsi.last_frame = r->frames[r->nframes - 1];
		break;
	case TXN_CONTROL:
		t->u.ctl.frames = r->frames;
		t->u.ctl.nframes = r->nframes;
		t->u.ctl.findings = r->findings;
		t->u.ctl.nfindings = r->nfindings;
		payload_acc_view(r->data, &t->u.ctl.data);
		if (r->nframes && t->u.ctl.last_frame < r->frames[r->nframes - 1])
			t->u.ctl.last_frame = r->frames[r->nframes - 1];
		break;
	case TXN_USB:
		t->u.note.findings = r->findings;
		t->u.note.nfindings = r->nfindings;
		break;
	case TXN_BT:
		t->u.bt.frames = r->frames;
		t->u.bt.nframes = r->nframes;
		t->u.bt.findings = r->findings;
		t->u.bt.nfindings = r->nfindings;
		payload_acc_view(r->data, &t->u.bt.data);
		t->u.bt.reply = r->aux_len ? r->aux : NULL;
		t->u.bt.reply_len = (uint16_t)r->aux_len;
		if (r->nframes && t->u.bt.last_frame < r->frames[r->nframes - 1])
			t->u.bt.last_frame = r->frames[r->nframes - 1];
		break;
	}
}

static void rec_point_findings(struct txn_rec *r)
{
	switch (r->t.kind) {
	case TXN_SCSI:
		r->t.u.scsi.findings = r->findings;
		r->t.u.scsi.nfindings = r->nfindings;
		break;
	case TXN_CONTROL:
		r->t.u.ctl.findings = r->findings;
		r->t.u.ctl.nfindings = r->nfindings;
		break;
	case TXN_USB:
		r->t.u.note.findings = r->findings;
		r->t.u.note.nfindings = r->nfindings;
		break;
	case TXN_BT:
		r->t.u.bt.findings = r->findings;
		r->t.u.bt.nfindings = r->nfindings;
		break;
	}
}

void emitter_set_hook(struct emitter *e, txn_hook hook, void *ctx)
{
	e->hook = hook;
	e->hook_ctx = ctx;
}

/* The handle a hook gets is the record itself. */
void txn_attach_finding(struct txn_handle *h, const char *id, enum severity sev, const uint64_t *frames,
			unsigned nframes, const char *fmt, ...)
{
	struct txn_rec *r = (struct txn_rec *)(void *)h;
	char msg[FINDING_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	txn_add_finding(r, id, sev, frames, nframes, "%s", msg);
	/* The hook's struct txn is r->t: keep its findings pointing at the
	 * array, which adding may have moved (the next check reads them). */
	rec_point_findings(r);
}

static void deliver(struct emitter *e, struct txn_rec *r)
{
	if (e->hook) {
		e->hook(e->hook_ctx, &r->t, (struct txn_handle *)(void *)r);
		rec_point_findings(r);    /* the hook may have added (and moved) findings */
	}
	e->cb(e->ctx, &r->t);
	rec_release(e, r);
}

/* Deliver the ended transactions at the head of the queue; when too many
 * wait behind an open one, pass it over (it is delivered when it ends). */
static void pump(struct emitter *e)
{
	while (e->head && (e->head->ended || e->queued > EMIT_WINDOW)) {
		struct txn_rec *r = e->head;
		e->head = r->next;
		if (!e->head)
			e->tail = NULL;
		e->queued--;
		r->next = NULL;
		if (r->ended)
			deliver(e, r);
		else
			r->seq = UINT64_MAX;    /* passed over: deliver at txn_end */
	}
}

struct txn_rec *txn_begin(struct emitter *e, enum txn_kind kind, uint64_t first_frame)
{
	struct txn_rec *r = rec_new(e);

	r->t.kind = (uint8_t)kind;
	r->seq = e->seq++;
	switch (kind) {
	case TXN_SCSI:
		r->t.u.scsi.frame = first_frame;
		r->t.u.scsi.last_frame = first_frame;
		r->t.u.scsi.status = -1;
		r->t.u.scsi.csw_status = -1;
		r->t.u.scsi.uas_response = -1;
		break;
	case TXN_CONTROL:
		r->t.u.ctl.frame = first_frame;
		r->t.u.ctl.last_frame = first_frame;
		break;
	case TXN_USB:
		r->t.u.note.frame = first_frame;
		break;
	case TXN_BT:
		r->t.u.bt.frame = first_frame;
		r->t.u.bt.last_frame = first_frame;
		r->t.u.bt.status = -1;
		r->t.u.bt.handle = BT_HANDLE_NONE;
		break;
	}
	if (first_frame)
		txn_add_frame(r, first_frame);
	if (e->tail)
		e->tail->next = r;
	else
		e->head = r;
	e->tail = r;
	e->queued++;
	return r;
}

void txn_add_frame(struct txn_rec *r, uint64_t frame)
{
	uint32_t lo = 0, hi = r->nframes;

	if (!frame)
		return;
	if (r->nframes && r->frames[r->nframes - 1] < frame) {
		lo = r->nframes;              /* the common case: frames come in order */
	} else {
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (r->frames[mid] < frame)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->nframes && r->frames[lo] == frame)
			return;
	}
	if (r->nframes >= TXN_FRAMES_MAX) {
		r->frames_dropped++;
		return;
	}
	if (r->nframes == r->frames_alloc) {
		uint32_t n = r->frames_alloc ? r->frames_alloc * 2 : 8;
		uint64_t *f = realloc(r->frames, n * sizeof(*f));
		if (!f)
			abort();
		r->frames = f;
		r->frames_alloc = n;
	}
	memmove(r->frames + lo + 1, r->frames + lo, (r->nframes - lo) * sizeof(*r->frames));
	r->frames[lo] = frame;
	r->nframes++;
}

void txn_add_finding(struct txn_rec *r, const char *id, enum severity sev, const uint64_t *frames,
		     unsigned nframes, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (r->nfindings >= TXN_FINDINGS_MAX) {
		r->findings_dropped++;
		return;
	}
	if (r->nfindings == r->findings_alloc) {
		uint32_t n = r->findings_alloc ? r->findings_alloc * 2 : 2;
		struct finding *nf = realloc(r->findings, n * sizeof(*nf));
		if (!nf)
			abort();
		r->findings = nf;
		r->findings_alloc = n;
	}
	f = &r->findings[r->nfindings++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = (uint8_t)sev;
	for (unsigned i = 0; i < nframes && i < FINDING_FRAMES_MAX; i++)
		f->frames[f->nframes++] = frames[i];
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

void txn_add_data(struct txn_rec *r, const uint8_t *data, uint32_t caplen, uint32_t moved)
{
	if (!r->data) {
		r->data = r->data_spare ? r->data_spare : payload_acc_new();
		r->data_spare = NULL;
	}
	payload_acc_add(r->data, data, caplen, moved);
}

void txn_set_aux(struct txn_rec *r, const uint8_t *bytes, uint32_t len)
{
	if (len > 65535)
		len = 65535;
	if (len > r->aux_alloc) {
		uint8_t *n = realloc(r->aux, len);
		if (!n)
			abort();
		r->aux = n;
		r->aux_alloc = len;
	}
	if (len)
		memcpy(r->aux, bytes, len);
	r->aux_len = len;
}

void txn_end(struct emitter *e, struct txn_rec *r)
{
	rec_finalize(r);
	r->ended = true;
	if (r->seq == UINT64_MAX) {       /* passed over earlier */
		deliver(e, r);
		return;
	}
	pump(e);
}

void txn_drop(struct emitter *e, struct txn_rec *r)
{
	struct txn_rec **pp = &e->head, *prev = NULL;

	while (*pp && *pp != r) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp) {
		*pp = r->next;
		if (e->tail == r)
			e->tail = prev;
		e->queued--;
	}
	rec_release(e, r);
	pump(e);
}

static int64_t rec_start(const struct txn_rec *r)
{
	switch (r->t.kind) {
	case TXN_SCSI: return r->t.u.scsi.ts_start;
	case TXN_CONTROL: return r->t.u.ctl.ts_start;
	default: return r->t.u.note.ts;
	}
}

unsigned emitter_pass_stalled(struct emitter *e, int64_t before_ns)
{
	unsigned passed = 0;

	for (;;) {
		struct txn_rec *r = e->head, *q;

		if (!r)
			break;
		if (r->ended) {
			pump(e);
			continue;
		}
		if (rec_start(r) >= before_ns)
			break;
		for (q = r->next; q && !q->ended; q = q->next)
			;
		if (!q)
			break;            /* nothing ended waits behind it */
		e->head = r->next;
		if (!e->head)
			e->tail = NULL;
		e->queued--;
		r->next = NULL;
		r->seq = UINT64_MAX;      /* delivered when it ends */
		passed++;
	}
	return passed;
}

void emitter_flush(struct emitter *e)
{
	/* Anything still open here is a decoder bug; deliver it anyway so
	 * nothing is lost. */
	while (e->head) {
		struct txn_rec *r = e->head;
		if (!r->ended)
			rec_finalize(r);
		e->head = r->next;
		e->queued--;
		deliver(e, r);
	}
	e->tail = NULL;
}

void emitter_free(struct emitter *e)
{
	if (!e)
		return;
	while (e->head) {
		struct txn_rec *r = e->head;
		e->head = r->next;
		rec_free(r);
	}
	while (e->spare) {
		struct txn_rec *r = e->spare;
		e->spare = r->next;
		rec_free(r);
	}
	free(e);
}
