/* decode.h - turn capture events into transactions: SCSI commands over BOT or UAS, control requests, notable USB events. */
#ifndef SCSISCOPE_DECODE_H
#define SCSISCOPE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "decode/scsi.h"

/*
 * The decoder is push-driven: feed it every usb_event of a capture in order
 * (decoder_feed), then decoder_finish(); it calls back with one struct txn
 * per finished transaction, in the order the transactions STARTED (first
 * frame), so output is deterministic however commands interleave.  A txn
 * and everything it points to are valid only during the callback.
 *
 * Layers (one file each in decode/): usb.c pairs submits with completions
 * into struct urb and decodes control requests; device.c keeps a model of
 * each device (descriptors, interfaces, alternate settings, endpoint roles)
 * and routes bulk URBs of storage interfaces; bot.c and uas.c turn those
 * URBs into scsi_txn; scsi.c, scsi_data.c and sense.c decode CDBs, data and
 * sense (pure functions, also used by front ends).
 */

enum transport {
	TRANSPORT_NONE = 0,
	TRANSPORT_BOT,
	TRANSPORT_UAS,
};

enum scsi_dir {
	SCSI_DIR_NONE = 0,
	SCSI_DIR_IN,              /* device to host */
	SCSI_DIR_OUT,             /* host to device */
};

enum severity {
	SEV_INFO = 0,
	SEV_WARNING,
	SEV_ERROR,
};

#define SCSI_CDB_MAX 32           /* BOT carries 16; UAS up to 16 + 4*additional */
#define PAYLOAD_HEAD_MAX 4096     /* data bytes kept per transaction for decoding */
#define SENSE_MAX 252             /* the largest sense data SPC allows */
#define FINDING_FRAMES_MAX 4
#define FINDING_MSG_MAX 200

/*
 * A finding: something wrong (or worth knowing) about a transaction, with
 * a stable kebab-case id.  The decoder attaches the few it can see itself
 * (roles inferred, data association inferred, ...); the checks of analyze/
 * attach the rest.  The longer explanation lives with the check, by id.
 */
struct finding {
	const char *id;           /* static string, e.g. "uas-stream-inferred" */
	uint8_t severity;         /* enum severity */
	uint8_t nframes;
	uint64_t frames[FINDING_FRAMES_MAX];
	char msg[FINDING_MSG_MAX];
};

/*
 * The bytes a data phase (or control data stage) moved.  `bytes` counts what
 * crossed the bus (URB actual lengths); `captured` how many of them are in
 * the file; `hash` is XXH3-64 of the captured bytes in order, meaningful as
 * the hash of the whole payload only when captured == bytes.  The first
 * PAYLOAD_HEAD_MAX captured bytes are kept in head for decoding.
 */
struct payload {
	uint64_t bytes;
	uint64_t captured;
	uint64_t hash;
	uint32_t head_len;
	const uint8_t *head;
};

enum sense_source {
	SENSE_NONE = 0,
	SENSE_UAS_IU,             /* UAS Sense IU of this command */
	SENSE_AUTOSENSE,          /* BOT: returned by the REQUEST SENSE that followed this command */
	SENSE_OWN_DATA,           /* this is a REQUEST SENSE: the sense data it returned */
};

struct sense {
	uint8_t source;           /* enum sense_source; SENSE_NONE = no sense */
	uint64_t frame;           /* frame that carried it */
	uint8_t response_code;    /* 0x70-0x73 */
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	uint8_t len;              /* bytes in raw */
	uint8_t raw[SENSE_MAX];
};

enum txn_end {
	TXN_END_STATUS = 0,       /* ended by its status (CSW, Sense/Response IU, status stage) */
	TXN_END_CAPTURE,          /* the capture ended first */
	TXN_END_RESET,            /* a reset (Bulk-Only reset, LOGICAL UNIT RESET, port reset) ended it */
	TXN_END_ABORTED,          /* ABORT TASK / URB unlinked */
	TXN_END_DEVICE_GONE,      /* the device disconnected */
	TXN_END_SUPERSEDED,       /* BOT: a new CBW came before the CSW */
};

/* One SCSI command from CDB to status. */
struct scsi_txn {
	uint64_t frame;           /* frame of the CBW / Command IU (Wireshark numbering) */
	uint64_t last_frame;
	int64_t ts_start;         /* ns, time of the CBW / Command IU submit */
	int64_t ts_end;           /* ns, time of the status */
	uint16_t bus;
	uint16_t device;
	uint8_t interface;
	uint8_t transport;        /* enum transport */
	uint64_t lun;             /* BOT bCBWLUN; UAS: the 8-byte LUN field as a number */
	uint32_t tag;             /* BOT dCBWTag; UAS IU tag */
	uint8_t cdb[SCSI_CDB_MAX];
	uint8_t cdb_len;          /* CDB bytes the transport carried (bCBWCBLength; UAS 16 + 4 * additional) */
	uint8_t direction;        /* enum scsi_dir the transport announced (BOT flags; UAS IU/data) */
	uint32_t expected_bytes;  /* BOT dCBWDataTransferLength; UAS: from the CDB where known */
	bool expected_unknown;    /* UAS: the CDB does not say (e.g. READ before READ CAPACITY gave the block size) */
	struct payload data;      /* the data phase */
	int16_t status;           /* SCSI status byte; -1 when there is none (phase error, no status) */
	int16_t csw_status;       /* BOT bCSWStatus; -1 for UAS or no CSW */
	uint32_t residue;         /* BOT dCSWDataResidue */
	bool has_residue;
	int16_t uas_response;     /* UAS Response IU code; -1 none */
	struct sense sense;
	uint8_t end;              /* enum txn_end */
	bool data_inferred;       /* UAS streams: data URBs tied to this command by order, not tag */
	uint32_t block_size;      /* logical block size known for this LUN when it ran (READ CAPACITY); 0 unknown */
	const uint64_t *frames;   /* every frame of every URB of this transaction, ascending */
	uint32_t nframes;
	const struct finding *findings;
	uint32_t nfindings;
	struct cdb_info ci;       /* the CDB decoded once by the decoder; read it with scsi_txn_cdb() */
};

/* One control transfer (endpoint 0 or another control endpoint). */
struct control_txn {
	uint64_t frame;           /* submit (setup) frame; the completion's when the submit was not captured */
	uint64_t last_frame;
	int64_t ts_start;
	int64_t ts_end;
	uint16_t bus;
	uint16_t device;
	uint8_t endpoint;
	bool has_setup;
	uint8_t setup[8];
	int32_t status;           /* URB status (Linux meaning); 1 = not completed in the capture */
	bool completed;
	struct payload data;      /* the data stage */
	const uint64_t *frames;
	uint32_t nframes;
	const struct finding *findings;
	uint32_t nfindings;
};

/* A USB event worth a line of its own: an error status, an unpaired URB,
 * a URB on an endpoint no decoder claims. */
enum usb_note_kind {
	USB_NOTE_ERROR = 1,       /* completion with an error status (stall, protocol error, ...) */
	USB_NOTE_UNLINKED,        /* -2 / -104 */
	USB_NOTE_DEVICE_GONE,     /* -19 / -108 */
	USB_NOTE_NO_SUBMIT,       /* completion whose submit was not captured */
	USB_NOTE_NO_COMPLETION,   /* submit never completed in the capture */
	USB_NOTE_OTHER_TRAFFIC,   /* interrupt/iso/bulk traffic of a non-storage interface (one note per URB) */
	USB_NOTE_STRAY,           /* a storage-pipe URB outside any command (a rejected CBW, a Sense IU for a tag not in flight) */
	USB_NOTE_GAP,             /* the capture lost events here (usb_event.drops): length = how many; finding capture-gap */
};

struct usb_note {
	uint8_t kind;             /* enum usb_note_kind */
	uint64_t frame;
	int64_t ts;
	uint16_t bus;
	uint16_t device;
	uint8_t endpoint;
	uint8_t xfer;             /* enum usb_xfer_type */
	int32_t status;
	uint32_t length;
	const struct finding *findings;
	uint32_t nfindings;
};

enum txn_kind {
	TXN_SCSI = 1,
	TXN_CONTROL,
	TXN_USB,
};

struct txn {
	uint8_t kind;             /* enum txn_kind */
	union {
		struct scsi_txn scsi;
		struct control_txn ctl;
		struct usb_note note;
	} u;
};

#define USB_STRING_MAX 128

/* What --summary shows about a device. */
struct usb_device_info {
	uint16_t bus;
	uint16_t device;
	bool have_device_desc;
	uint16_t vid, pid, bcd_usb, bcd_device;
	uint8_t dev_class, dev_subclass, dev_protocol;
	uint8_t max_packet0;
	char manufacturer[USB_STRING_MAX];   /* UTF-8, "" when not captured */
	char product[USB_STRING_MAX];
	char serial[USB_STRING_MAX];
	uint8_t config;           /* current configuration value, 0 = unconfigured/unknown */
	uint8_t storage_transport;/* enum transport of its storage interface, if any */
	uint8_t storage_interface;
	bool roles_inferred;
	uint8_t max_lun;          /* from GET MAX LUN, 0xff unknown */
};

typedef void (*txn_cb)(void *ctx, const struct txn *t);

/*
 * Checks (analyze/) see every transaction just before it is delivered, in
 * the same order, and may attach findings to it through the handle: the
 * front end then gets the transaction with those findings included.
 */
struct txn_handle;
typedef void (*txn_hook)(void *ctx, const struct txn *t, struct txn_handle *h);
/* Attach a finding to the transaction the hook is looking at. */
void txn_attach_finding(struct txn_handle *h, const char *id, enum severity sev, const uint64_t *frames,
			unsigned nframes, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

struct decoder_opts {
	bool notes;               /* report usb_note transactions (default on in the CLI) */
	bool other_traffic;       /* report URBs of non-storage interfaces as notes */
	txn_hook hook;            /* checks run on each transaction before delivery (NULL: none) */
	void *hook_ctx;
};

struct decoder;

/* Returns NULL only on allocation failure. */
struct decoder *decoder_new(const struct decoder_opts *opts, txn_cb cb, void *ctx);
/* Feed one event (USB only; HCI records are ignored here). */
void decoder_feed(struct decoder *d, const struct usb_event *ev);
/*
 * Live decoding (scsiscope decode -i): transactions are delivered in start
 * order, so one still open holds back every one that began after it.  A
 * live front end calls this from time to time (and when the bus is idle)
 * with before_ns = now - a hold time: open transactions that began before
 * before_ns, with a finished one waiting behind them, are passed over and
 * delivered when they end, out of start order.  Returns how many were
 * passed over (0: the order is exactly a file's).
 */
unsigned decoder_flush_stalled(struct decoder *d, int64_t before_ns);
/* End of capture: everything still open is emitted as ended by the capture. */
void decoder_finish(struct decoder *d);
void decoder_free(struct decoder *d);

/* The transaction's decoded CDB: the decoder's (ci.name set), or decoded
 * into tmp for a scsi_txn made elsewhere (tests). */
const struct cdb_info *scsi_txn_cdb(const struct scsi_txn *s, struct cdb_info *tmp);

/* Every device seen so far, in first-seen order (i from 0); NULL past the end. */
const struct usb_device_info *decoder_device_at(const struct decoder *d, unsigned i);

/* Short names for output. */
const char *transport_name(enum transport t);
const char *scsi_dir_name(enum scsi_dir d);
const char *severity_name(enum severity s);
const char *txn_end_name(enum txn_end e);
const char *sense_source_name(enum sense_source s);
const char *usb_note_kind_name(enum usb_note_kind k);

#endif
