/* fuzz.h - what the fuzz targets share: the entry-point macro (libFuzzer or fuzz/replay), decoding with every check and renderer, reading a capture to the end. */
#ifndef SCSISCOPE_FUZZ_FUZZ_H
#define SCSISCOPE_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze/lint.h"
#include "capture/capture.h"
#include "decode/decode.h"
#include "report/events.h"
#include "report/summary.h"
#include "report/txn_render.h"
#include "tui/detail.h"
#include "util/strbuf.h"

/*
 * Each fuzz/fuzz_<name>.c defines FUZZ_ENTRY(name) { ... }.  Built for
 * libFuzzer (`make fuzz`), that is LLVMFuzzerTestOneInput; built into
 * fuzz/replay (make check: every seed and every regression input, in every
 * build, sanitizers included) it is fuzz_<name>(), one of a table.
 *
 * Bounds that keep one input fast (libFuzzer's -timeout catches the rest):
 * at most FUZZ_RECORDS_MAX records are read from a capture.
 */
#define FUZZ_RECORDS_MAX 100000

#ifdef FUZZ_REPLAY
#define FUZZ_ENTRY(name)                                              \
	int fuzz_##name(const uint8_t *data, size_t size);            \
	int fuzz_##name(const uint8_t *data, size_t size)
#else
#define FUZZ_ENTRY(name)                                                  \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);     \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#endif

/* A decoder with every lint check on, rendering everything it delivers,
 * and counting it for decode --summary (rendered at the end). */
struct fuzz_dec {
	struct strbuf sb;
	struct lint *lint;
	struct decoder *dec;
	struct summary *summary;
};

/* Render a transaction every way the front ends do (the TUI's detail too).  fuzz/replay with
 * FUZZ_SHOW=1 in the environment prints the lines: what the decoder made
 * of an input. */
static inline void fuzz_on_txn(void *ctx, const struct txn *t)
{
	struct fuzz_dec *f = ctx;
	struct strbuf *sb = &f->sb;
	struct render_opts o = { 0 };

	sb_reset(sb);
	render_txn_line(sb, t, &o);
#ifdef FUZZ_REPLAY
	if (getenv("FUZZ_SHOW"))
		fwrite(sb->buf, 1, sb->len, stdout);
#endif
	render_txn_verbose(sb, t, &o);
	render_txn_json(sb, t, &o);
	/* the TUI's detail tree and hex layers: every highlighted field
	 * inside its layer */
	struct tui_detail *d = tui_detail_build(t, 0, NULL, 0);
	for (unsigned i = 0; d && i < d->nnodes; i++) {
		const struct tui_dnode *n = &d->nodes[i];
		if (n->layer >= (int)d->nlayers ||
		    (n->hl_len && (n->layer < 0 || n->hl_off + n->hl_len > d->layers[n->layer].len)))
			__builtin_trap();
	}
	tui_detail_free(d);
	if (f->summary)
		summary_add(f->summary, t);
}

static inline int fuzz_dec_open(struct fuzz_dec *f)
{
	struct decoder_opts o = { .notes = true, .other_traffic = true };
	struct lint_opts lo;

	sb_init(&f->sb);
	f->summary = summary_new();
	lint_opts_default(&lo);
	f->lint = lint_new(&lo);
	o.hook = f->lint ? lint_hook : NULL;
	o.hook_ctx = f->lint;
	f->dec = decoder_new(&o, fuzz_on_txn, f);
	return f->dec ? 0 : -1;
}

static inline void fuzz_dec_close(struct fuzz_dec *f)
{
	const struct finding *fi;

	if (f->dec) {
		decoder_finish(f->dec);
		if (f->summary) {
			const struct usb_device_info *info;
			for (unsigned i = 0; (info = decoder_device_at(f->dec, i)) != NULL; i++)
				summary_device_info(f->summary, info);
			sb_reset(&f->sb);
			summary_render_text(&f->sb, f->summary);
			summary_render_json(&f->sb, f->summary);
		}
		decoder_free(f->dec);
	}
	summary_free(f->summary);
	f->summary = NULL;
	if (f->lint) {
		lint_finish(f->lint);
		for (unsigned i = 0; (fi = lint_report_at(f->lint, i)) != NULL; i++)
			sb_addf(&f->sb, "%s %s", fi->id, fi->msg);
		lint_free(f->lint);
	}
	sb_release(&f->sb);
}

/* Read an opened capture to its end (or FUZZ_RECORDS_MAX records): every
 * record rendered as `events` shows it, USB events decoded when dec. */
static inline void fuzz_read_all(struct cap *c, struct fuzz_dec *dec)
{
	struct cap_record r;
	struct error err;
	struct strbuf sb = STRBUF_INIT;
	struct events_opts eo = { 0, 64 };
	struct events_totals t = { 0 };
	int n = 0;

	sb_init(&sb);
	while (cap_next(c, &r, &err) > 0 && ++n <= FUZZ_RECORDS_MAX) {
		events_count(&t, &r);
		sb_reset(&sb);
		events_render_text(&sb, &r, &eo);
		events_render_json(&sb, &r, &eo);
		if (dec)
			decoder_feed_record(dec->dec, &r);
	}
	sb_reset(&sb);
	events_render_totals(&sb, &t, cap_frames_seen(c), cap_frames_skipped(c), cap_get_info(c), "fuzz", true);
	sb_release(&sb);
}

/* Open the bytes as one format (no detection) and read them to the end. */
static inline int fuzz_reader(const uint8_t *data, size_t size, enum cap_format fmt)
{
	struct cap *c;
	struct error err;

	if (cap_open_mem_format(data, size, "fuzz", fmt, &c, &err) < 0)
		return 0;
	fuzz_read_all(c, NULL);
	cap_close(c);
	return 0;
}

#endif
