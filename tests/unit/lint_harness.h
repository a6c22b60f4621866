/* lint_harness.h - a capture decoded with lint's hook for the tests: every finding (on transactions and in lint's end-of-capture report) collected, counted and expected. */
#ifndef SCSISCOPE_TESTS_LINT_HARNESS_H
#define SCSISCOPE_TESTS_LINT_HARNESS_H

#include <inttypes.h>

#include "decode_harness.h"

#include "analyze/lint.h"

/* Decode cap with lint's hook (options lo), cb on every transaction, then
 * report on each finding of lint's end-of-capture report.  Returns what the
 * last cap_next returned: 0 at the end of the capture, -1 with err filled. */
static inline int lint_decode(struct cap *cap, const struct lint_opts *lo, txn_cb cb,
			      void (*report)(void *ctx, const struct finding *f), void *ctx, struct error *err)
{
	struct lint *l = lint_new(lo);
	struct decoder_opts o = { .notes = true };
	struct decoder *d;
	struct cap_record rec;
	const struct finding *f;
	int rc;

	cr_assert(l);
	o.hook = lint_hook;
	o.hook_ctx = l;
	d = decoder_new(&o, cb, ctx);
	cr_assert(d);
	while ((rc = cap_next(cap, &rec, err)) > 0)
		if (rec.kind == CAP_REC_USB)
			decoder_feed(d, &rec.u.usb);
	decoder_finish(d);
	lint_finish(l);
	for (unsigned i = 0; (f = lint_report_at(l, i)) != NULL; i++)
		report(ctx, f);
	decoder_free(d);
	lint_free(l);
	return rc;
}

#define LF_MAX 256

/* A finding copied out of the callback, with the transaction it came on. */
struct lf {
	uint8_t kind;             /* enum txn_kind; 0 = the end-of-capture report */
	uint64_t txn_frame;
	struct finding f;
};

/* The transactions (col) and every finding of one lint run. */
struct run {
	struct col col;
	struct lf lf[LF_MAX];
	unsigned n;
};

static inline void take(struct run *r, uint8_t kind, uint64_t frame, const struct finding *f, uint32_t n)
{
	for (uint32_t i = 0; i < n && r->n < LF_MAX; i++) {
		r->lf[r->n].kind = kind;
		r->lf[r->n].txn_frame = frame;
		r->lf[r->n].f = f[i];
		r->n++;
	}
}

static inline void run_cb(void *ctx, const struct txn *t)
{
	struct run *r = ctx;

	collect(&r->col, t);
	if (t->kind == TXN_SCSI)
		take(r, t->kind, t->u.scsi.frame, t->u.scsi.findings, t->u.scsi.nfindings);
	else if (t->kind == TXN_CONTROL)
		take(r, t->kind, t->u.ctl.frame, t->u.ctl.findings, t->u.ctl.nfindings);
	else
		take(r, t->kind, t->u.note.frame, t->u.note.findings, t->u.note.nfindings);
}

static inline void run_report(void *ctx, const struct finding *f)
{
	take(ctx, 0, 0, f, 1);
}

/* Lint an opened capture into r with options lo (NULL: the defaults). */
static inline void lint_opts_cap(struct cap *cap, const struct lint_opts *lo, struct run *r)
{
	struct lint_opts def;
	struct error err;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!lo) {
		lint_opts_default(&def);
		lo = &def;
	}
	rc = lint_decode(cap, lo, run_cb, run_report, r, &err);
	cr_assert_eq(rc, 0, "capture read error: %s", errtext(&err));
}

/* Lint a pcap built in memory. */
static inline void lint_opts_sb(const struct strbuf *sb, const struct lint_opts *lo, struct run *r)
{
	struct cap *cap;
	struct error err;

	cr_assert_eq(cap_open_mem(sb->buf, sb->len, "test.pcap", &cap, &err), 0, "%s", errtext(&err));
	lint_opts_cap(cap, lo, r);
	cap_close(cap);
}

static inline void run_free(struct run *r)
{
	col_free(&r->col);
}

/* How many findings with this id, on the transaction starting at frame
 * txn_frame (0: anywhere, including the report). */
static inline unsigned count(const struct run *r, const char *id, uint64_t txn_frame)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n; i++)
		n += !strcmp(r->lf[i].f.id, id) && (!txn_frame || r->lf[i].txn_frame == txn_frame);
	return n;
}

static inline const struct finding *get(const struct run *r, const char *id, uint64_t txn_frame)
{
	for (unsigned i = 0; i < r->n; i++)
		if (!strcmp(r->lf[i].f.id, id) && (!txn_frame || r->lf[i].txn_frame == txn_frame))
			return &r->lf[i].f;
	return NULL;
}

/* The finding is on the transaction of txn_frame with that severity and
 * frames, and there is exactly one with its id on the transaction of
 * once_frame (0: in the whole run). */
static inline const struct finding *expect_once(const struct run *r, const char *id, uint64_t txn_frame,
						enum severity sev, unsigned nframes, const uint64_t *frames,
						uint64_t once_frame)
{
	const struct finding *f = get(r, id, txn_frame);

	cr_assert(f, "no %s on the transaction of frame %" PRIu64, id, txn_frame);
	cr_assert_eq(count(r, id, once_frame), 1, "%s more than once", id);
	cr_assert_eq(f->severity, sev, "%s: severity %u, expected %u (%s)", id, f->severity, sev, f->msg);
	cr_assert_eq(f->nframes, nframes, "%s: %u frames (%s)", id, f->nframes, f->msg);
	for (unsigned i = 0; i < nframes; i++)
		cr_assert_eq(f->frames[i], frames[i], "%s: frame %u is %" PRIu64 ", expected %" PRIu64 " (%s)", id, i,
			     f->frames[i], frames[i], f->msg);
	return f;
}

/* How many findings have one of the nids ids. */
static inline unsigned count_ids(const struct run *r, const char *const *ids, size_t nids)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n; i++)
		for (size_t k = 0; k < nids; k++)
			n += !strcmp(r->lf[i].f.id, ids[k]);
	return n;
}

#endif
