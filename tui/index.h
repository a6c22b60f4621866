/* index.h - the TUI's index of a capture: one small row per transaction, built in a background thread while the list is shown. */
#ifndef SCSISCOPE_TUI_INDEX_H
#define SCSISCOPE_TUI_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/error.h"
#include "util/strbuf.h"

/*
 * A thread runs one pass (tui/pass.h) over the file and appends a row per
 * transaction: what the list shows and what the keys search, in at most
 * TUI_ROW_BYTES bytes; no payload.  The rows of a control transfer keep its
 * one-line summary (it needs the descriptor bytes) in a text arena; the
 * findings (id, severity, frame, message) go to a table of their own.
 * The UI thread reads rows, findings and texts while the thread appends:
 * each is written before the count that covers it is published (release /
 * acquire), and never moves.
 *
 * Bounds: TUI_ROWS_MAX rows (a capture with more is indexed up to there,
 * and says so), TUI_FINDINGS_MAX findings, TUI_TEXT_MAX bytes of text;
 * beyond the last two, the row still counts its findings but their text
 * is not kept.
 */
#define TUI_ROWS_MAX (1u << 30)
#define TUI_FINDINGS_MAX (1u << 22)
#define TUI_TEXT_MAX (1ull << 30)
#define TUI_DEVICES_MAX 256

enum tui_row_flags {
	ROW_EXPECTED_UNKNOWN = 1,  /* UAS: the CDB does not say the length */
	ROW_HAS_SENSE = 2,
	ROW_PHASE_ERROR = 4,       /* BOT bCSWStatus 2 */
	ROW_UAS_RESPONSE = 8,      /* ended by a UAS Response IU (its code in status) */
	ROW_COMPLETED = 16,        /* control: completed in the capture */
	ROW_HAS_SETUP = 32,        /* control: setup packet captured */
	ROW_VENDOR = 64,           /* SCSI: vendor-specific opcode */
	ROW_QUIET = 128,           /* every transaction before it ended before its first frame */
};

/* One transaction, 80 bytes. */
struct tui_row {
	uint64_t frame;           /* first frame (CBW / Command IU / setup / the event) */
	int64_t ts;               /* ns */
	uint64_t bytes;           /* data moved (scsi, control); the URB length (usb) */
	uint32_t last_delta;      /* last frame - frame, saturated */
	uint32_t dur_us;          /* end - start, saturated; 0 for usb events */
	uint32_t expected;        /* scsi: transport's expected bytes; control: wLength */
	uint32_t tag;             /* scsi */
	int32_t status;           /* scsi: status byte (-1 none), or the UAS response code; control/usb: URB status */
	uint32_t first_finding;   /* index of its first finding in the table; UINT32_MAX: none kept */
	uint16_t bus, device;
	uint8_t kind;             /* enum txn_kind */
	uint8_t transport;        /* scsi: enum transport; usb: enum usb_note_kind */
	uint8_t dir;              /* scsi: enum scsi_dir; usb: enum usb_xfer_type */
	uint8_t end;              /* scsi: enum txn_end; control/usb: endpoint */
	uint8_t lun;              /* saturated at 255 */
	uint8_t sev;              /* 0 no finding, else 1 + the highest enum severity */
	uint8_t nfind;            /* findings attached (saturated) */
	uint8_t flags;            /* enum tui_row_flags */
	uint8_t sense_key, asc, ascq;
	uint8_t cdb_len;
	uint8_t cdb[16];          /* scsi: the CDB's first 16 bytes; control: setup, then the text offset + 1 (le64) */
};
#define TUI_ROW_BYTES sizeof(struct tui_row)

struct tui_finding {
	uint64_t seq;             /* transaction it belongs to; UINT64_MAX: lint's end-of-capture report */
	uint64_t frame;           /* first frame it points at (its transaction's when it names none; 0 none) */
	const char *id;           /* static */
	const char *msg;          /* in the text arena; "" when not kept */
	uint8_t severity;
	uint8_t nframes;          /* the frames it names, as struct finding has them */
	uint64_t frames[FINDING_FRAMES_MAX];
};

struct tui_device {
	uint16_t bus, device;
	uint64_t rows;
	char name[160];           /* "46f4:0001 QEMU QEMU HARDDISK (bot)", "" before its descriptors */
};

struct tui_index;

/* Start indexing path in a thread.  NULL with err set when the file cannot
 * be opened at all (a damaged file opens: the damage comes later). */
struct tui_index *tui_index_start(const char *path, struct error *err);
/* The same for a live capture (tui/live.h): the index's pass is the
 * leader; it is done once the capture has stopped and all of it is read. */
struct tui_live;
struct tui_index *tui_index_start_live(struct tui_live *live, struct error *err);
/* Stop the thread (if running) and free everything. */
void tui_index_free(struct tui_index *x);

uint64_t tui_index_count(const struct tui_index *x);
const struct tui_row *tui_index_row(const struct tui_index *x, uint64_t seq);
uint64_t tui_index_nfindings(const struct tui_index *x);
const struct tui_finding *tui_index_finding(const struct tui_index *x, uint64_t i);
/* The one-line summary of a control transfer row ("" none). */
const char *tui_index_row_text(const struct tui_index *x, const struct tui_row *r);
/* Last frame of a row. */
uint64_t tui_row_last_frame(const struct tui_row *r);
/* Is it an error: a failed status, a USB error or an error-severity finding. */
bool tui_row_is_error(const struct tui_row *r);

/* State of the thread: done (the file is read), whether it failed (err,
 * everything before the damage indexed), bytes read of the file's size
 * (size 0: unknown, e.g. gzip or a pipe), findings dropped. */
bool tui_index_done(const struct tui_index *x);
bool tui_index_failed(const struct tui_index *x, struct error *err);
void tui_index_progress(const struct tui_index *x, uint64_t *offset, uint64_t *size);
int64_t tui_index_t0(const struct tui_index *x);
/* SCSI commands indexed so far. */
uint64_t tui_index_commands(const struct tui_index *x);
bool tui_index_truncated(const struct tui_index *x);
/* The row of the transaction that starts at frame with this kind, or
 * UINT64_MAX. */
uint64_t tui_index_seq_of(const struct tui_index *x, uint64_t frame, uint8_t kind);
/* READ CAPACITY rows (they set a LUN's block size), i from 0, in order;
 * UINT64_MAX past the end.  tui_index_capacity_overflow: more than kept. */
#define TUI_CAPACITY_ROWS_MAX 65536
uint64_t tui_index_capacity_row(const struct tui_index *x, uint64_t i);
bool tui_index_capacity_overflow(const struct tui_index *x);

/* Devices seen so far (copies); returns how many. */
unsigned tui_index_devices(const struct tui_index *x, struct tui_device *out, unsigned max);

/* The row's text columns. */
void tui_row_command(const struct tui_index *x, const struct tui_row *r, struct strbuf *sb);
void tui_row_status(const struct tui_row *r, struct strbuf *sb);

#endif
