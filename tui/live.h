/* live.h - `scsiscope tui -i`: the capture thread writing the pcapng the TUI's passes follow, and what those passes share so that they number transactions alike. */
#ifndef SCSISCOPE_TUI_LIVE_H
#define SCSISCOPE_TUI_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/live.h"
#include "util/error.h"

/*
 * The TUI reads its capture several times (tui/pass.h: the index, the
 * filter, the detail pane), so a live bus is first written to a file: a
 * thread reads usbmon (capture/live.h) and writes a pcapng (capture/ring.h,
 * the -w file or a temporary one), flushed every TUI_LIVE_TICK_MS, and
 * says after each flush how many records the file holds whole and up to
 * what time of the capture's clock it is complete.  The passes read that
 * file as it grows (cap_open_growing), never past what was announced, so
 * nothing ever waits inside a reader and a pass can be stopped between
 * any two records.
 *
 * One numbering.  Live, the decoder must pass over a transaction that
 * stays open (decoder_flush_stalled), or every one after it waits.  Each
 * pass does so at the same places, so the n-th transaction is the same in
 * all of them:
 *  - from the content: before the record whose time reaches the next
 *    TUI_LIVE_STEP_NS step, whatever is open since TUI_LIVE_HOLD_NS before
 *    that record (so a backlog is read as decode -i shows it live);
 *  - when the bus is idle: the index's pass (the leader), once it has read
 *    everything the file holds, passes over what is open since
 *    TUI_LIVE_HOLD_NS before the capture's clock, and logs (records read,
 *    time) when that delivered anything; the other passes (followers)
 *    never read a record the leader has not read, and apply each logged
 *    flush after the same record.
 */
#define TUI_LIVE_HOLD_NS (500 * 1000000LL)   /* as decode -i (cli/live.h LIVE_HOLD_NS) */
#define TUI_LIVE_STEP_NS (100 * 1000000LL)
#define TUI_LIVE_TICK_MS 100
#define TUI_LIVE_LOG_MAX (1u << 20)          /* idle flushes logged; past it the leader stops them */

struct tui_live_opts {
	const char *iface;        /* usbmonN or file:PATH, for names */
	const char *write_path;   /* -w: keep the capture there; NULL: a temporary file */
	uint64_t count;           /* stop capturing after this many packets (0: no limit) */
	int64_t duration_ns;      /* ... or this long (0: no limit) */
	bool follow_device;       /* --device VID:PID: only that device is written, followed across
				     re-enumeration (capture/devfilter.h, as capture --device) */
	uint16_t vid, pid;
};

enum tui_live_state {
	TUI_LIVE_RUNNING = 0,
	TUI_LIVE_STOPPED,         /* the s key, or quitting */
	TUI_LIVE_COUNT,           /* --count reached */
	TUI_LIVE_DURATION,        /* --duration reached */
	TUI_LIVE_ENDED,           /* the source ended (a file: source without follow; tests) */
	TUI_LIVE_FAILED,          /* the bus went away, a write failed: err */
};

struct tui_live_status {
	enum tui_live_state state;
	uint64_t packets;         /* written to the file */
	uint64_t drops;           /* events usbmon lost (pcap_stats) */
	uint64_t bytes;           /* of the file */
	struct error err;         /* TUI_LIVE_FAILED */
};

struct tui_live;

/* Start capturing cap (owned from now on, closed by tui_live_free) into
 * the -w file or a temporary one, in a thread.  The file's header is
 * written before this returns, so passes may open it at once.  NULL with
 * err set (cap closed). */
struct tui_live *tui_live_start(struct cap_live *cap, const struct tui_live_opts *o, struct error *err);
/* For tests: a file the caller writes itself, saying what it flushed with
 * tui_live_publish() and that it is complete with tui_live_end(). */
struct tui_live *tui_live_external(const char *path, const char *iface);
void tui_live_publish(struct tui_live *l, uint64_t records, uint64_t bytes, int64_t now_ns);
void tui_live_end(struct tui_live *l);

const char *tui_live_path(const struct tui_live *l);
const char *tui_live_iface(const struct tui_live *l);
bool tui_live_is_temp(const struct tui_live *l);
/* Stop capturing (the file is completed; the passes read it to its end). */
void tui_live_stop(struct tui_live *l);
/* Wait until the capture thread has completed the file (after a stop, a
 * stop condition or a failure). */
void tui_live_wait(struct tui_live *l);
void tui_live_status(struct tui_live *l, struct tui_live_status *st);
/* Stop, wait for the thread, remove a temporary file, free.  The passes
 * reading the file must be closed first.  NULL is fine. */
void tui_live_free(struct tui_live *l);
/* From a fatal signal handler: remove the temporary file (unlink only). */
void tui_live_remove_temp_now(void);

/* ---------------------------------------------- for tui/pass.c */

/* What the file holds for sure: records whole in it, its bytes, the
 * capture's clock up to which it is complete, and whether it is final. */
struct tui_live_flushed {
	uint64_t records;
	uint64_t bytes;
	int64_t now_ns;
	bool ended;
};
void tui_live_flushed(struct tui_live *l, struct tui_live_flushed *f);

/* The leader: records it has fed (after each), its end, an idle flush it
 * made after `pos` records (false: the log is full, make no more). */
void tui_live_lead(struct tui_live *l, uint64_t records);
void tui_live_lead_done(struct tui_live *l);
bool tui_live_log(struct tui_live *l, uint64_t pos, int64_t before_ns);
/* The followers: how far the leader is (done first: if set, records is
 * final), and the log. */
void tui_live_leader(struct tui_live *l, uint64_t *records, bool *done);
uint64_t tui_live_log_count(struct tui_live *l);
void tui_live_log_at(struct tui_live *l, uint64_t i, uint64_t *pos, int64_t *before_ns);

#endif
