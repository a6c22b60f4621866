/* storage.h - what the BOT and UAS decoders share with the decoder glue; private to decode/. */
#ifndef SCSISCOPE_DECODE_STORAGE_H
#define SCSISCOPE_DECODE_STORAGE_H

#include "decode/decode.h"
#include "decode/txn.h"
#include "decode/urb.h"

/*
 * The glue (decoder.c) creates one BOT or UAS decoder per storage
 * interface and feeds it that interface's bulk URBs, at submit and at
 * completion, with the endpoint's role.  The transport decoder builds
 * scsi_txn in txn_rec (kind TXN_SCSI) and ends them with
 * storage_scsi_done(), which decodes the CDB, learns per-LUN facts (block
 * size from READ CAPACITY), fills scsi_txn.block_size and queues the
 * transaction for output.
 */
struct storage_ctx;

struct emitter *storage_emitter(struct storage_ctx *sc);
/* Logical block size known for this LUN, 0 if none yet. */
uint32_t storage_block_size(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint64_t lun);
/* Finish a SCSI transaction (never touch r afterwards). */
void storage_scsi_done(struct storage_ctx *sc, struct txn_rec *r);

/* ---- Bulk-Only Transport (bot.c) ---- */
struct bot;
struct bot *bot_new(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint8_t interface);
/* A bulk URB of this interface; role is EP_BOT_IN or EP_BOT_OUT.  Returns
 * false when the URB belongs to no command (a CSW or data outside any
 * command, an OUT payload that is not a CBW): the glue shows those as USB
 * events so that, say, the stall answering a bad CBW is not lost. */
bool bot_urb(struct bot *b, const struct urb *u, bool at_submit, uint8_t role);
/* A completed URB bot_urb did not take, shown by the glue as the USB note r
 * (NULL when notes are off): an invalid CBW gets bot-bad-signature, and a
 * STALL is followed to the next command (bot-stall-recovery). */
void bot_stray(struct bot *b, const struct urb *u, struct txn_rec *r);
/* CLEAR_FEATURE(ENDPOINT_HALT) completed on endpoint ep (frame of the request). */
void bot_clear_halt(struct bot *b, uint8_t ep, uint64_t frame);
/* Bulk-Only Mass Storage Reset (class request 0xFF) completed; frame and
 * ts of the request (what is open ends then). */
void bot_reset(struct bot *b, uint64_t frame, int64_t ts);
/* The device is gone (status -19/-108 or re-enumeration). */
void bot_gone(struct bot *b, uint64_t frame);
/* End of capture: open commands end as TXN_END_CAPTURE. */
void bot_finish(struct bot *b);
void bot_free(struct bot *b);

/* ---- USB Attached SCSI (uas.c) ---- */
struct uas;
struct uas *uas_new(struct storage_ctx *sc, uint16_t bus, uint16_t device, uint8_t interface, bool streams);
/* role is one of the EP_UAS_* roles.  Returns false for a Sense, Response
 * or READY IU whose tag no command in flight has: the glue shows it as a
 * USB event. */
bool uas_urb(struct uas *u, const struct urb *urb, bool at_submit, uint8_t role);
void uas_clear_halt(struct uas *u, uint8_t ep, uint64_t frame);
void uas_gone(struct uas *u, uint64_t frame);
void uas_finish(struct uas *u);
void uas_free(struct uas *u);

#endif
