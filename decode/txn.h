/* txn.h - building transactions and emitting them in start order; private to decode/. */
#ifndef SCSISCOPE_DECODE_TXN_H
#define SCSISCOPE_DECODE_TXN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"

/*
 * A decoder (bot.c, uas.c, the control decoder) starts a transaction with
 * txn_begin() when it sees its first URB, fills the public struct txn in
 * r->t, adds frames, findings and data as they come, and hands it over
 * with txn_end().  The emitter delivers finished transactions in the order
 * they began; one that is still open holds back the ones after it, up to
 * EMIT_WINDOW waiting transactions, after which it is passed over and
 * delivered when it ends (out of order, which only a capture with a
 * transaction open across thousands of others produces).
 *
 * Ownership: txn_begin allocates; after txn_end the emitter owns and
 * frees it.  Never touch r after txn_end.
 */
#define EMIT_WINDOW 4096

/* Per transaction: frames and findings beyond these are counted, not kept
 * (a hostile endless data phase cannot grow one transaction without bound). */
#define TXN_FRAMES_MAX (1u << 20)
#define TXN_FINDINGS_MAX 64

struct emitter;

struct payload_acc;

struct txn_rec {
	struct txn t;             /* the public view, filled by the decoder */
	uint64_t seq;             /* start order */
	bool ended;
	/* owned storage behind t's pointers */
	uint64_t *frames;
	uint32_t nframes, frames_alloc;
	struct finding *findings;
	uint32_t nfindings, findings_alloc;
	uint64_t frames_dropped;
	uint32_t findings_dropped;
	struct payload_acc *data; /* NULL until data is added */
	struct payload_acc *data_spare; /* a reset accumulator kept from an earlier use of this record (txn.c) */
	uint8_t *aux;             /* TXN_BT: the command's answer (txn_set_aux) */
	uint32_t aux_len, aux_alloc;
	struct txn_rec *next;     /* emitter queue */
};

struct emitter *emitter_new(txn_cb cb, void *ctx);
/* Run hook on each transaction before it is delivered (decode.h). */
void emitter_set_hook(struct emitter *e, txn_hook hook, void *ctx);
/* Live decoding: pass over the open transactions at the head of the queue
 * that began before before_ns while an ended one waits behind them, so
 * that what has ended is delivered now (the passed-over ones are delivered
 * when they end).  Returns how many were passed over. */
unsigned emitter_pass_stalled(struct emitter *e, int64_t before_ns);
/* Deliver everything still queued (all must have ended). */
void emitter_flush(struct emitter *e);
void emitter_free(struct emitter *e);

/* Start a transaction of the given kind; its first frame is added. */
struct txn_rec *txn_begin(struct emitter *e, enum txn_kind kind, uint64_t first_frame);
/* Add a frame (kept sorted, duplicates dropped). */
void txn_add_frame(struct txn_rec *r, uint64_t frame);
/* Attach a finding; frames may be NULL when nframes is 0. */
void txn_add_finding(struct txn_rec *r, const char *id, enum severity sev, const uint64_t *frames,
		     unsigned nframes, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Account data-phase bytes: moved crossed the bus, caplen of them are at data. */
void txn_add_data(struct txn_rec *r, const uint8_t *data, uint32_t caplen, uint32_t moved);
/* Keep a copy of bytes the transaction points to besides its data (a
 * Bluetooth command's answering event); at most 64 KiB. */
void txn_set_aux(struct txn_rec *r, const uint8_t *bytes, uint32_t len);
/* Finish: the public pointers (frames, findings, data) are set, and the
 * transaction is queued for delivery. */
void txn_end(struct emitter *e, struct txn_rec *r);
/* Discard a transaction that turned out not to be one (never delivered). */
void txn_drop(struct emitter *e, struct txn_rec *r);

/* Payload accumulation (also used for control data stages). */
struct payload_acc *payload_acc_new(void);
void payload_acc_add(struct payload_acc *a, const uint8_t *data, uint32_t caplen, uint32_t moved);
void payload_acc_view(const struct payload_acc *a, struct payload *out);
void payload_acc_free(struct payload_acc *a);

#endif
