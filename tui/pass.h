/* pass.h - one decoding pass over a capture for the TUI: the pipeline of decode and lint, transactions numbered in delivery order, run in steps. */
#ifndef SCSISCOPE_TUI_PASS_H
#define SCSISCOPE_TUI_PASS_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/lint.h"
#include "decode/decode.h"
#include "util/error.h"
#include "tui/live.h"

/*
 * Every view of the TUI is numbered by one sequence: the n-th transaction
 * the decoder delivers (from 0).  The index, the filter and the detail pane
 * each run their own pass over the file (a reader thread, the decoder with
 * every check of lint attached, as `scsiscope lint` runs them), so the same
 * capture always gives the same numbering and the same transactions, and
 * nothing of the capture has to be kept between passes: payload bytes are
 * read again from the file when a pane needs them.
 *
 * pass_step() reads up to n records; at the end of the file (or at damage)
 * it finishes the decoder and the checks, so the transactions before the
 * damage are all delivered, and returns 0 (clean end) or -1 (err says
 * where).  Callbacks run inside pass_step(), in the caller's thread.
 */
typedef void (*pass_txn_fn)(void *ctx, uint64_t seq, const struct txn *t);
typedef void (*pass_event_fn)(void *ctx, const struct usb_event *ev);

struct pass;

/* Open path and start reading.  on_event (may be NULL) sees every USB event
 * before the decoder does.  Returns NULL with err set. */
struct pass *pass_open(const char *path, pass_txn_fn on_txn, pass_event_fn on_event, void *ctx,
		       struct error *err);

/* The same for the detail pane's shortcut (tui/detail.c): only the events
 * want() accepts reach the decoder, and without lint's checks when
 * !checks (their state would be wrong for a decoder that skipped events;
 * the findings come from the index then).  Sequence numbers then count
 * only what this pass delivered. */
typedef bool (*pass_want_fn)(void *ctx, const struct usb_event *ev);
/*
 * Live (`tui -i`, tui/live.h): a pass over the file the capture thread is
 * writing, read as it grows.  The leader (the index) reads only the
 * records the capture announced whole and makes the idle flushes; the
 * followers (filter, detail) read only what the leader has read and
 * replay its flushes.  pass_step() returns PASS_WAITING when it has read
 * everything it may for now (call again later: it never waits itself),
 * and finishes the decoder only once the capture has ended and every
 * record is read.  No prefetch thread, no partial passes.
 */
#define PASS_WAITING 2
struct tui_live;
struct pass *pass_open_live(struct tui_live *live, bool leader, pass_txn_fn on_txn, pass_event_fn on_event, void *ctx,
			    struct error *err);
struct pass *pass_open_partial(const char *path, pass_txn_fn on_txn, pass_event_fn on_event, pass_want_fn want,
			       bool checks, void *ctx, struct error *err);
/* 1: more to read; PASS_WAITING: live, nothing more yet; 0: the capture
 * ended cleanly and everything was delivered; -1: damage (err),
 * everything before it delivered.  Calls after the end return the same
 * again. */
int pass_step(struct pass *p, unsigned nrecords, struct error *err);
/* Bytes of the (decompressed) file consumed so far. */
uint64_t pass_offset(const struct pass *p);
/* Time of the first USB record (the origin of relative times); 0 before it. */
int64_t pass_t0(const struct pass *p);
/* Transactions delivered so far (the next one's seq). */
uint64_t pass_delivered(const struct pass *p);
bool pass_gzip(const struct pass *p);
/* The decoder and the checks, for their devices and end-of-capture report. */
const struct decoder *pass_decoder(const struct pass *p);
const struct lint *pass_lint(const struct pass *p);
void pass_close(struct pass *p);

#endif
