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
 *
 * Bluetooth: decoder_feed_hci() takes the HCI records of PacketLogger,
 * btsnoop and H4 pcap files, and a Bluetooth dongle's URBs in a USB capture
 * go through the same HCI decoder (decode/bt.c); both give struct bt_txn
 * (TXN_BT) in the same start-ordered stream (decode/hci.h names and
 * describes them).
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

/*
 * Bluetooth: one HCI command with the Command Complete or Command Status
 * that answered it, one HCI event that answers no command, one L2CAP PDU
 * reassembled from its ACL fragments (signalling, ATT, SMP or another
 * channel), SCO/ISO data, or a side-band record of the capture tool
 * (PacketLogger notes, syslog and kernel messages: on the timeline between
 * the packets).
 */
enum bt_kind {
	BT_COMMAND = 1,           /* HCI command (+ its answer in reply) */
	BT_EVENT,                 /* HCI event that answers no command */
	BT_ACL,                   /* an L2CAP PDU (or an ACL fragment that belongs to none) */
	BT_SCO,                   /* SCO data */
	BT_ISO,                   /* ISO data */
	BT_TEXT,                  /* note, syslog, kernel, kernel debug, error text */
	BT_OTHER,                 /* LMP, vendor, power, config, new controller, unknown records */
};

/* What the L2CAP PDU of a BT_ACL carries (by channel id). */
enum bt_proto {
	BT_PROTO_NONE = 0,        /* not an L2CAP PDU start (orphan fragment), or no bytes */
	BT_PROTO_SIGNAL,          /* CID 0x0001, BR/EDR signalling */
	BT_PROTO_LE_SIGNAL,       /* CID 0x0005, LE signalling */
	BT_PROTO_ATT,             /* CID 0x0004 */
	BT_PROTO_SMP,             /* CID 0x0006 (LE) or 0x0007 (BR/EDR) */
	BT_PROTO_OTHER,           /* another fixed or a dynamic channel */
};

/* Where the Bluetooth bytes came from, beyond enum hci_source. */
#define BT_SRC_USB 0x80           /* a Bluetooth dongle's URBs in a USB capture */

#define BT_HANDLE_NONE 0xffff

struct bt_txn {
	uint8_t kind;             /* enum bt_kind */
	uint8_t rec_type;         /* enum hci_rec_type of the (first) record */
	uint8_t dir;              /* enum hci_dir */
	uint8_t source;           /* enum hci_source, or BT_SRC_USB */
	uint64_t frame;           /* first frame (the command, the event, the PDU's first fragment, the record) */
	uint64_t last_frame;
	int64_t ts_start;
	int64_t ts_end;           /* the answer's time (commands), the last fragment's (ACL) */
	uint16_t bus;             /* USB dongle's bus:device; 0:0 for HCI logs */
	uint16_t device;
	uint16_t opcode;          /* BT_COMMAND: its opcode; BT_EVENT Command Complete/Status: the opcode it names */
	uint8_t event;            /* BT_EVENT: event code; BT_COMMAND: 0x0e / 0x0f of the answer, 0 unanswered */
	uint8_t subevent;         /* LE Meta (0x3e) subevent code; 0 none */
	int16_t status;           /* HCI status of the answer or the event; -1 none */
	bool answered;            /* BT_COMMAND: Command Complete or Status seen */
	uint16_t handle;          /* connection handle; BT_HANDLE_NONE */
	uint8_t link;             /* the handle's link: 0 unknown, 1 BR/EDR ACL, 2 LE, 3 SCO/eSCO, 4 ISO */
	bool has_peer;            /* the handle's connection was seen: peer is its address */
	uint8_t peer[6];          /* BD_ADDR, as on the air (little-endian) */
	uint16_t cid;             /* BT_ACL: L2CAP channel id */
	uint16_t l2cap_len;       /* BT_ACL: the L2CAP length field */
	uint8_t proto;            /* enum bt_proto */
	uint8_t code;             /* ATT opcode, SMP code, signalling code (first byte of the PDU) */
	uint32_t fragments;       /* BT_ACL: ACL packets that made the PDU */
	bool incomplete;          /* BT_ACL: the PDU never completed (fragments missing, a new start, the limit, the end) */
	bool truncated;           /* the capture cut a record's bytes */
	struct payload data;      /* the bytes: command or event packet with its header; L2CAP information payload
				     (after the 4-byte basic header); ACL fragment; text; other record */
	const uint8_t *reply;     /* BT_COMMAND: the answering event packet (header included); NULL none */
	uint16_t reply_len;
	uint64_t reply_frame;
	const uint64_t *frames;
	uint32_t nframes;
	const struct finding *findings;
	uint32_t nfindings;
};

enum txn_kind {
	TXN_SCSI = 1,
	TXN_CONTROL,
	TXN_USB,
	TXN_BT,                   /* Bluetooth: struct bt_txn */
};

struct txn {
	uint8_t kind;             /* enum txn_kind */
	union {
		struct scsi_txn scsi;
		struct control_txn ctl;
		struct usb_note note;
		struct bt_txn bt;
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
/* Feed one USB event. */
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
/* Feed one Bluetooth record (PacketLogger, btsnoop, H4 pcap). */
void decoder_feed_hci(struct decoder *d, const struct hci_record *r);
/* Either, by the record's kind. */
void decoder_feed_record(struct decoder *d, const struct cap_record *r);
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
const char *bt_kind_name(enum bt_kind k);

/* Any transaction's first frame, start time, findings, and bus:device
 * (Bluetooth logs: 0:0). */
uint64_t txn_first_frame(const struct txn *t);
int64_t txn_ts(const struct txn *t);
const struct finding *txn_findings(const struct txn *t, uint32_t *n);
void txn_bus_device(const struct txn *t, uint16_t *bus, uint16_t *device);

#endif
