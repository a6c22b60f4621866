/* txn_render.h - render decoded transactions as text lines, a layered -v view, or JSON lines. */
#ifndef SCSISCOPE_REPORT_TXN_RENDER_H
#define SCSISCOPE_REPORT_TXN_RENDER_H

#include <stdint.h>

#include "decode/decode.h"
#include "util/strbuf.h"

struct render_opts {
	int64_t t0_ns;            /* time origin: the capture's first record */
};

/* One line per transaction, '\n'-terminated. */
void render_txn_line(struct strbuf *sb, const struct txn *t, const struct render_opts *o);
/* The line, then every layer indented (URB frames, transport fields, CDB
 * fields, decoded data, sense, findings). */
void render_txn_verbose(struct strbuf *sb, const struct txn *t, const struct render_opts *o);
/* One JSON object, '\n'-terminated; fields documented in doc/decode-json.md. */
void render_txn_json(struct strbuf *sb, const struct txn *t, const struct render_opts *o);

/* A duration as the text views show it: "612us", "1.5ms", "2.001s". */
void render_duration(struct strbuf *sb, uint64_t ns);
/* A URB's completion status: "ok", "not completed", "STALL EPIPE(-32)",
 * "ENODEV(-19)", "status N". */
void render_usb_status(struct strbuf *sb, int32_t status, bool completed);

/* Time of a transaction's first frame, and its first frame number. */
int64_t txn_start_ns(const struct txn *t);
uint64_t txn_frame(const struct txn *t);

#endif
