/* normalize.h - the normalized form of decoded transactions that `scsiscope diff` compares and `decode --normalized` prints. */
#ifndef SCSISCOPE_ANALYZE_NORMALIZE_H
#define SCSISCOPE_ANALYZE_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/strbuf.h"

/*
 * Two captures of the same workload differ in what no driver or device
 * decides: times, URB ids, BOT/UAS tags, bus and device numbers, how many
 * times the hub driver polled its ports.  The normalizer turns each
 * transaction into a compact record (struct norm_txn) and a text line
 * without any of that, e.g.
 *
 *   d2 L0 bot READ(10) lba=4096 blocks=8 [28 00 00 00 10 00 00 00 08 00] in 4096/4096 GOOD csw=0 residue=0
 *   d2 ctl GET_DESCRIPTOR STRING idx=3 lang=0x0409 -> "SSBOT0001" ok
 *
 * Two transactions are the same for `diff` exactly when their lines are
 * the same (the record's key is the XXH3-64 of the line), so the lines
 * `decode --normalized` prints are what `diff` compares, and any line diff
 * tool gives the same changes (diff additionally tolerates commands that
 * were in flight together running in another order, see diff.h).
 *
 * What a line holds, and the --ignore / --compare names that change it:
 *  - device: "dN", N the order in which the device first appeared (d0 is
 *    the default address 0 during enumeration); with --compare address
 *    "BUS:DEV" instead.                                          address
 *  - SCSI: LUN (lun), transport (transport), tag (tag, only when
 *    compared), the CDB summary and its bytes (an ignored LBA shows as
 *    "..", lba), direction, bytes moved/announced (the announced part is
 *    transport), status, sense key/ASC/ASCQ (sense) and where the sense
 *    came from (transport), BOT CSW status and residue and the UAS
 *    response code (transport), how the command ended when no status came.
 *  - control transfers: the request decoded with the device's answer and
 *    the URB status (control leaves them out; the mass-storage class
 *    requests GET MAX LUN and Bulk-Only reset are transport).
 *  - USB events (errors, unlinked URBs, stalls, stray URBs): kind,
 *    endpoint, transfer type, status, length (notes leaves them out).
 *  - hub traffic (port requests, the hub's own URBs), left out unless
 *    compared (hub): how often a hub driver polls depends on timing.
 *  - BOT's REQUEST SENSE after a CHECK CONDITION, whose sense the CHECK
 *    CONDITION's line already shows: left out with autosense, so a BOT
 *    capture lines up with a UAS one (whose sense comes in the Sense IU).
 *  - never: times, URB ids, frame numbers.  With --data (diff) / --data
 *    (decode --normalized) the payload hash is shown after the line but is
 *    not part of it: diff compares it only where both sides captured the
 *    whole payload.
 */

enum norm_field {
	NORM_TAG = 1u << 0,       /* BOT/UAS tags (ignored by default) */
	NORM_ADDRESS = 1u << 1,   /* bus and device numbers (ignored by default) */
	NORM_HUB = 1u << 2,       /* hub port requests and the hubs' own traffic (ignored by default) */
	NORM_TIMING = 1u << 3,    /* latencies (ignored by default; diff --timing compares them) */
	NORM_LBA = 1u << 4,
	NORM_TRANSPORT = 1u << 5,
	NORM_AUTOSENSE = 1u << 6,
	NORM_SENSE = 1u << 7,
	NORM_CONTROL = 1u << 8,
	NORM_NOTES = 1u << 9,
	NORM_LUN = 1u << 10,
	NORM_DATA = 1u << 11,     /* payload hashes (ignored unless diff --data) */
};

#define NORM_IGNORE_DEFAULT (NORM_TAG | NORM_ADDRESS | NORM_HUB | NORM_TIMING | NORM_DATA)

/* Parse a comma-separated list of field names ("lba,transport") into
 * bits; "all" is every field, "none" no field.  Returns 0, or -1 with
 * why[] naming the unknown field and listing the known ones. */
int norm_fields_parse(const char *list, unsigned *bits, char *why, size_t why_size);
/* Field name i (from 0) and what it means, for help text; NULL past the end. */
const char *norm_field_name(unsigned i);
const char *norm_field_help(unsigned i);

enum norm_flag {
	NORM_F_CONCURRENT = 1u << 0, /* in flight together with its neighbour of the same device */
	NORM_F_DATA_FULL = 1u << 1,  /* data_hash covers the whole payload (captured == moved) */
	NORM_F_CDB_LONG = 1u << 2,   /* the CDB is longer than cdb[] holds; the line shows a hash of the rest */
	NORM_F_LBA_MASKED = 1u << 3, /* mask[] marks the LBA bytes */
};

#define NORM_CDB_MAX 16
#define NORM_TEXT_MAX 240         /* the control/note text kept per record */

/*
 * One transaction, normalized: 112 bytes, whatever the transaction (the
 * text of a control transfer lives in the normalizer's arena, at most
 * NORM_TEXT_MAX bytes).  frame and dur_us are not compared.
 */
struct norm_txn {
	uint64_t key;             /* XXH3-64 of the line */
	uint64_t ident;           /* XXH3-64 of the line up to the result: the same command, maybe another result */
	uint64_t frame;           /* first frame (Wireshark numbering) */
	uint64_t data_hash;       /* XXH3-64 of the captured payload */
	uint64_t moved;           /* data bytes moved */
	uint64_t lun;
	uint32_t expected;        /* BOT dCBWDataTransferLength / UAS from the CDB */
	uint32_t residue;
	uint32_t tag;
	uint32_t dur_us;          /* start to end, saturated */
	uint32_t text;            /* control/note: offset of its text in the arena */
	uint16_t dev;             /* device: its order of appearance, or the device number */
	uint16_t bus;
	int16_t status;
	int16_t csw_status;
	int16_t uas_response;
	uint8_t kind;             /* enum txn_kind */
	uint8_t transport;
	uint8_t dir;
	uint8_t cdb_len;          /* bytes of cdb[] shown */
	uint8_t end;
	uint8_t sense_src;
	uint8_t sense_key, sense_asc, sense_ascq;
	uint8_t flags;            /* enum norm_flag */
	uint16_t mask;            /* NORM_F_LBA_MASKED: bit i = cdb[i] is shown as ".." */
	uint8_t cdb[NORM_CDB_MAX];
};

struct normalizer;

/* ignore: NORM_* bits of what is not compared.  NULL only on allocation failure. */
struct normalizer *norm_new(unsigned ignore);
void norm_free(struct normalizer *n);
unsigned norm_ignored(const struct normalizer *n);

/*
 * Normalize the next transaction (in the decoder's delivery order).
 * Returns 1 with *out filled, 0 when the transaction is left out (hub
 * traffic, a left-out kind, BOT's autosense REQUEST SENSE), -1 when the
 * text arena is full (NORM_ARENA_MAX bytes).  seq: the records returned so
 * far, in order (out may be the next slot), or NULL: the normalizer sets
 * NORM_F_CONCURRENT on an earlier one when this transaction overlaps it
 * in time (the key does not change).
 */
#define NORM_ARENA_MAX (1u << 30)
#define NORM_DEVICES_MAX 1024     /* devices told apart; later ones share the number 65535 */
int norm_add(struct normalizer *n, const struct txn *t, struct norm_txn *out, struct norm_txn *seq);

/*
 * The line of a record (no newline).  *result_at (may be NULL) receives
 * the offset in sb, relative to where the line began, at which the result
 * part starts (what ident does not cover).  data: append "  data=xxh3:..."
 * (or "data=partial:..." when the capture has only part of it).
 */
void norm_render(const struct normalizer *n, const struct norm_txn *r, struct strbuf *sb, size_t *result_at,
		 bool data);

#endif
