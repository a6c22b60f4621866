/* detail.h - the layers and bytes of one transaction for the detail and hex panes, decoded again from the file on demand. */
#ifndef SCSISCOPE_TUI_DETAIL_H
#define SCSISCOPE_TUI_DETAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/index.h"
#include "util/error.h"

/*
 * The index keeps no payload.  When a row is selected, a worker thread
 * decodes the file again (tui/pass.h: the same pipeline, so the same
 * transaction with the same findings) up to that row and keeps, for it and
 * the rows around it (TUI_DETAIL_AROUND either side, so moving the cursor
 * is instant; TUI_DETAIL_BEHIND before it, so paging back is too), the tree of its layers (decode -v's text: transport,
 * CDB fields, decoded data, sense, findings with lint's explanation, and
 * every URB) and the bytes each layer shows in the hex pane: the URBs
 * exactly as captured, the CDB, the data, the sense data, the setup packet.
 * The worker keeps going forward from where it is.  A row before it, or
 * far after it, starts a new pass; when the row is more than
 * TUI_DETAIL_SKIP_FRAMES frames into the file that pass is partial: it
 * reads the file from the start but gives the decoder only the control
 * transfers (the device model), the READ CAPACITY of each LUN (block
 * sizes) and everything from a little before the last "quiet" row before
 * the window (no transaction open there, tui/index.h), which is several
 * times faster than decoding all of it; the findings always come from the
 * index (lint saw the whole capture).  Memory: at most TUI_DETAIL_CACHE transactions and
 * TUI_DETAIL_CACHE_BYTES, and the URBs of one window
 * (TUI_DETAIL_EVENTS_MAX events, each up to TUI_DETAIL_EVENT_BYTES).
 */
#define TUI_DETAIL_AROUND 16
#define TUI_DETAIL_SKIP_FRAMES 100000
#define TUI_DETAIL_BEHIND 256
#define TUI_DETAIL_CACHE 1024
#define TUI_DETAIL_CACHE_BYTES (64u << 20)
#define TUI_DETAIL_EVENTS_MAX 4096
#define TUI_DETAIL_EVENT_BYTES (256u << 10)
#define TUI_DETAIL_LAYERS_MAX 40

struct tui_dnode {
	char *text;
	uint8_t depth;            /* 0: the summary line; 1: a layer; 2 and more: its fields */
	int8_t layer;             /* bytes shown in the hex pane; -1 none */
	uint32_t hl_off, hl_len;  /* the field's bytes in that layer (hl_len 0: the whole layer) */
};

struct tui_dlayer {
	char name[96];
	uint8_t *bytes;
	uint32_t len;
	uint64_t total;           /* bytes the layer really has (the capture or the head may hold fewer) */
};

struct tui_detail {
	uint64_t seq;
	unsigned nnodes;
	struct tui_dnode *nodes;
	unsigned nlayers;
	struct tui_dlayer layers[TUI_DETAIL_LAYERS_MAX];
	unsigned refs;            /* owned by the detailer */
	size_t bytes;             /* memory it holds, about */
};

struct tui_detailer;

struct tui_detailer *tui_detailer_start(const char *path, const struct tui_index *x, struct error *err);
/* The same over a live capture (tui/live.h): whole passes only, each
 * following the index. */
struct tui_live;
struct tui_detailer *tui_detailer_start_live(struct tui_live *live, const struct tui_index *x, struct error *err);
void tui_detailer_free(struct tui_detailer *d);
/* Ask for seq (a row the index has); returns it when ready (hold it until
 * tui_detail_put), else NULL and the worker gets to it. */
struct tui_detail *tui_detailer_get(struct tui_detailer *d, uint64_t seq);
void tui_detail_put(struct tui_detailer *d, struct tui_detail *t);
/* Where the worker is: transactions decoded, and whether it is working. */
void tui_detailer_status(struct tui_detailer *d, uint64_t *at, bool *busy, struct error *err, bool *failed);

/* For tests: start partial passes when the window starts skip_frames into
 * the file (UINT64_MAX: never), and keep `behind` rows before the one
 * asked for. */
void tui_detailer_tune(struct tui_detailer *d, uint64_t skip_frames, uint64_t behind);
/* For tests: passes started, how many partial, events they did not feed. */
void tui_detailer_counts(struct tui_detailer *d, uint64_t *passes, uint64_t *partial, uint64_t *skipped);

/* Build a detail from a transaction and the URB events of its frames
 * (events: sorted by frame, NULL-terminated count n).  For the worker and
 * the tests. */
struct tui_detail *tui_detail_build(const struct txn *t, int64_t t0, const struct usb_event *const *events,
				    unsigned nevents);
void tui_detail_free(struct tui_detail *t);

#endif
