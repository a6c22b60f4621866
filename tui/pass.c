/* pass.c - one decoding pass over a capture for the TUI (reader thread, decoder, lint's checks), run in steps. */
#include "config.h"
#include "tui/pass.h"

#include <stdlib.h>

#include "capture/prefetch.h"

struct pass {
	struct cap *cap;
	struct cap_prefetch *pf;  /* NULL: read in this thread */
	struct decoder *dec;
	struct lint *lint;
	pass_txn_fn on_txn;
	pass_event_fn on_event;
	pass_want_fn want;
	void *ctx;
	uint64_t seq;
	int64_t t0;
	bool have_t0;
	bool gzip;
	int state;                /* 1 reading, 0 ended, -1 failed */
	struct error err;
};

static void deliver(void *ctx, const struct txn *t)
{
	struct pass *p = ctx;

	p->on_txn(p->ctx, p->seq++, t);
}

struct pass *pass_open(const char *path, pass_txn_fn on_txn, pass_event_fn on_event, void *ctx,
		       struct error *err)
{
	return pass_open_partial(path, on_txn, on_event, NULL, true, ctx, err);
}

struct pass *pass_open_partial(const char *path, pass_txn_fn on_txn, pass_event_fn on_event, pass_want_fn want,
			       bool checks, void *ctx, struct error *err)
{
	struct pass *p = calloc(1, sizeof(*p));
	struct decoder_opts dopts = { .notes = true, .other_traffic = false };
	struct lint_opts lo;

	if (!p) {
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		return NULL;
	}
	p->on_txn = on_txn;
	p->on_event = on_event;
	p->want = want;
	p->ctx = ctx;
	p->state = 1;
	if (cap_open(path, &p->cap, err) < 0) {
		free(p);
		return NULL;
	}
	p->gzip = cap_get_info(p->cap)->gzip;
	/* Every check, as `scsiscope lint` runs them: the findings pane is
	 * lint's report, and each row shows its findings as decode does. */
	lint_opts_default(&lo);
	if (checks) {
		p->lint = lint_new(&lo);
		dopts.hook = p->lint ? lint_hook : NULL;
		dopts.hook_ctx = p->lint;
	}
	p->dec = decoder_new(&dopts, deliver, p);
	if (!p->dec || (checks && !p->lint)) {
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		pass_close(p);
		return NULL;
	}
	/* A second thread reading ahead pays when decoding is the work; a
	 * partial pass skips most of what it reads, and copying the records
	 * into the batches would cost more than it saves. */
	if (!want && cap_prefetch_start(p->cap, &p->pf, err) < 0)
		p->pf = NULL;
	return p;
}

int pass_step(struct pass *p, unsigned nrecords, struct error *err)
{
	struct cap_record r;
	int rc = 1;

	for (unsigned i = 0; i < nrecords && p->state == 1; i++) {
		rc = p->pf ? cap_prefetch_next(p->pf, &r, &p->err) : cap_next(p->cap, &r, &p->err);
		if (rc <= 0) {
			p->state = rc < 0 ? -1 : 0;
			/* Whatever happened, deliver everything decoded so far. */
			decoder_finish(p->dec);
			if (p->lint)
				lint_finish(p->lint);
			break;
		}
		if (r.kind == CAP_REC_HCI) {
			/* Bluetooth: every record decoded, partial pass or not. */
			if (!p->have_t0) {
				p->t0 = r.u.hci.ts_ns;
				p->have_t0 = true;
			}
			decoder_feed_hci(p->dec, &r.u.hci);
			continue;
		}
		if (r.kind != CAP_REC_USB)
			continue;
		if (!p->have_t0) {
			p->t0 = r.u.usb.ts_ns;
			p->have_t0 = true;
		}
		if (p->on_event)
			p->on_event(p->ctx, &r.u.usb);
		if (!p->want || p->want(p->ctx, &r.u.usb))
			decoder_feed(p->dec, &r.u.usb);
	}
	if (p->state < 0 && err)
		*err = p->err;
	return p->state;
}

uint64_t pass_offset(const struct pass *p)
{
	if (p->pf)
		return cap_prefetch_offset(p->pf);
	return cap_offset(p->cap);
}

int64_t pass_t0(const struct pass *p) { return p->t0; }
uint64_t pass_delivered(const struct pass *p) { return p->seq; }
bool pass_gzip(const struct pass *p) { return p->gzip; }
const struct decoder *pass_decoder(const struct pass *p) { return p->dec; }
const struct lint *pass_lint(const struct pass *p) { return p->lint; }

void pass_close(struct pass *p)
{
	if (!p)
		return;
	cap_prefetch_stop(p->pf);
	decoder_free(p->dec);
	lint_free(p->lint);
	cap_close(p->cap);
	free(p);
}
