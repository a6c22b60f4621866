/* pass.c - one decoding pass over a capture for the TUI (reader thread, decoder, lint's checks), run in steps. */
#include "config.h"
#include "tui/pass.h"

#include <stdlib.h>

#include "capture/prefetch.h"
#include "util/tsmath.h"

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

	struct tui_live *live;    /* live: the capture it follows */
	bool leader;
	uint64_t nrec;            /* live: records read */
	bool have_step;
	int64_t next_step;        /* live: the next content flush, capture time */
	uint64_t log_next;        /* follower: the next logged flush to replay */
	int64_t last_idle;        /* leader: the last idle flush's time */
	bool log_full;
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

static struct pass *pass_new(const char *path, struct tui_live *live, bool leader, pass_txn_fn on_txn,
			     pass_event_fn on_event, pass_want_fn want, bool checks, void *ctx, struct error *err)
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
	p->live = live;
	p->leader = leader;
	p->last_idle = INT64_MIN;
	if ((live ? cap_open_growing(tui_live_path(live), UINT64_MAX, &p->cap, err) : cap_open(path, &p->cap, err)) < 0) {
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
	if (!want && !live && cap_prefetch_start(p->cap, &p->pf, err) < 0)
		p->pf = NULL;
	return p;
}

struct pass *pass_open_partial(const char *path, pass_txn_fn on_txn, pass_event_fn on_event, pass_want_fn want,
			       bool checks, void *ctx, struct error *err)
{
	return pass_new(path, NULL, false, on_txn, on_event, want, checks, ctx, err);
}

struct pass *pass_open_live(struct tui_live *live, bool leader, pass_txn_fn on_txn, pass_event_fn on_event, void *ctx,
			    struct error *err)
{
	return pass_new(NULL, live, leader, on_txn, on_event, NULL, true, ctx, err);
}

static void finish(struct pass *p)
{
	decoder_finish(p->dec);
	if (p->lint)
		lint_finish(p->lint);
}

/* Follower: the leader's idle flushes made after the records read so far. */
static void replay_flushes(struct pass *p)
{
	uint64_t n = tui_live_log_count(p->live), pos;
	int64_t before;

	for (; p->log_next < n; p->log_next++) {
		tui_live_log_at(p->live, p->log_next, &pos, &before);
		if (pos > p->nrec)
			break;
		if (pos == p->nrec)
			decoder_flush_stalled(p->dec, before);
	}
}

/* Leader, with everything the file holds read: pass over what has been
 * open for the hold time by the capture's clock, and log it for the
 * followers when that delivered anything. */
static void idle_flush(struct pass *p, int64_t now_ns)
{
	int64_t before = ts_sub(now_ns, TUI_LIVE_HOLD_NS);
	uint64_t seq = p->seq;
	unsigned passed;

	if (p->log_full || before <= p->last_idle || !p->have_t0)
		return;
	p->last_idle = before;
	passed = decoder_flush_stalled(p->dec, before);
	if ((passed || p->seq != seq) && !tui_live_log(p->live, p->nrec, before))
		p->log_full = true;   /* the tail waits for the content's own flushes */
}

static int live_step(struct pass *p, unsigned nrecords, struct error *err)
{
	uint64_t avail;
	bool ended;
	int64_t now = 0;

	if (p->leader) {
		struct tui_live_flushed fl;
		tui_live_flushed(p->live, &fl);
		avail = fl.records;
		ended = fl.ended;
		now = fl.now_ns;
	} else
		tui_live_leader(p->live, &avail, &ended);
	for (unsigned i = 0; i < nrecords && p->state == 1; i++) {
		struct cap_record r;
		int rc;

		if (!p->leader)
			replay_flushes(p);
		if (p->nrec >= avail) {
			if (ended) {
				p->state = 0;
				finish(p);
				if (p->leader)
					tui_live_lead_done(p->live);
				break;
			}
			if (p->leader)
				idle_flush(p, now);
			return PASS_WAITING;
		}
		rc = cap_next(p->cap, &r, &p->err);
		if (rc <= 0) {
			/* the file holds fewer records than announced: damage */
			if (rc == 0)
				error_set(&p->err, p->nrec + 1, cap_offset(p->cap), "the capture file ends before record %llu",
					  (unsigned long long)(p->nrec + 1));
			p->state = -1;
			finish(p);
			if (p->leader)
				tui_live_lead_done(p->live);
			break;
		}
		p->nrec++;
		if (r.kind == CAP_REC_USB) {
			int64_t ts = r.u.usb.ts_ns;
			if (!p->have_t0) {
				p->t0 = ts;
				p->have_t0 = true;
			}
			/* the content's own flush, at the same records in every pass */
			if (!p->have_step) {
				p->have_step = true;
				p->next_step = ts;
			}
			if (ts >= p->next_step) {
				decoder_flush_stalled(p->dec, ts_sub(ts, TUI_LIVE_HOLD_NS));
				p->next_step = ts > INT64_MAX - TUI_LIVE_STEP_NS ? INT64_MAX : ts + TUI_LIVE_STEP_NS;
			}
			if (p->on_event)
				p->on_event(p->ctx, &r.u.usb);
			decoder_feed(p->dec, &r.u.usb);
		}
		if (p->leader)
			tui_live_lead(p->live, p->nrec);
	}
	if (p->state < 0 && err)
		*err = p->err;
	return p->state;
}

int pass_step(struct pass *p, unsigned nrecords, struct error *err)
{
	struct cap_record r;
	int rc = 1;

	if (p->live)
		return live_step(p, nrecords, err);
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
