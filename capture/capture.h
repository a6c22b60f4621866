/* capture.h - open any supported trace file and pull normalized records from it. */
#ifndef SCSISCOPE_CAPTURE_H
#define SCSISCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/*
 * The capture layer turns every trace format users bring into one stream of
 * records: a struct usb_event per URB submit/completion, or a struct
 * hci_record per Bluetooth HCI (or PacketLogger side-band) record.  It knows
 * nothing of SCSI.  Formats are recognised from the content, never from the
 * file name, and any of them may be gzip-compressed.
 *
 *   struct cap *c;
 *   struct cap_record r;
 *   if (cap_open(path, &c, &err) < 0) ...;
 *   while ((rc = cap_next(c, &r, &err)) > 0) ...;   rc < 0: err says where
 *   cap_close(c);
 *
 * Records (and the bytes they point to) stay valid until the next cap_next()
 * or cap_close() on the same capture.  Readers hold one record at a time:
 * memory does not grow with the file.
 */

enum cap_format {
	CAP_FORMAT_UNKNOWN = 0,
	CAP_FORMAT_PCAP,          /* libpcap classic (any byte order, us or ns) */
	CAP_FORMAT_PCAPNG,        /* pcapng (read by our own block reader) */
	CAP_FORMAT_USBMON_TEXT,   /* Linux /sys/kernel/debug/usb/usbmon/Nu or Nt */
	CAP_FORMAT_PKLG,          /* Apple PacketLogger */
	CAP_FORMAT_BTSNOOP,       /* btsnoop (Android, BlueZ) */
};

/* pcap link types the capture layer understands (LINKTYPE_* values). */
#define LINKTYPE_BLUETOOTH_HCI_H4            187
#define LINKTYPE_USB_LINUX                   189  /* usbmon, 48-byte header */
#define LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR  201
#define LINKTYPE_USB_LINUX_MMAPPED           220  /* usbmon, 64-byte header + iso descriptors */
#define LINKTYPE_USBPCAP                     249  /* Windows USBPcap */
#define LINKTYPE_USB_DARWIN                  266  /* macOS XHC */

/* ------------------------------------------------------------------ USB */

/* Which capture header an event was normalized from. */
enum usb_source {
	USB_SRC_USBMON = 1,       /* Linux usbmon binary, 48-byte header (189) */
	USB_SRC_USBMON_MMAPPED,   /* Linux usbmon binary, 64-byte header (220) */
	USB_SRC_USBMON_TEXT,      /* Linux usbmon debugfs text */
	USB_SRC_USBPCAP,          /* Windows USBPcap (249) */
	USB_SRC_DARWIN,           /* macOS XHC (266) */
};

/* Event kinds, with usbmon's letters as values. */
enum usb_ev_type {
	USB_EV_SUBMIT = 'S',
	USB_EV_COMPLETE = 'C',
	USB_EV_ERROR = 'E',       /* submission error: the URB never reached the bus */
};

/* Transfer types, with usbmon's numbering. */
enum usb_xfer_type {
	USB_XFER_ISO = 0,
	USB_XFER_INTR = 1,
	USB_XFER_CONTROL = 2,
	USB_XFER_BULK = 3,
	USB_XFER_IRP_INFO = 0xfe, /* USBPcap record of a non-transfer URB function */
	USB_XFER_UNKNOWN = 0xff,
};

/* What struct usb_event.orig_status is. */
enum usb_status_origin {
	USB_STATUS_LINUX = 0,     /* negative errno, as usbmon reports it */
	USB_STATUS_USBD,          /* Windows USBD_STATUS */
	USB_STATUS_IORETURN,      /* macOS IOReturn */
};

/* USBPcap control-transfer stage byte; USB_STAGE_NONE elsewhere. */
enum usb_ctrl_stage {
	USB_STAGE_SETUP = 0,
	USB_STAGE_DATA = 1,
	USB_STAGE_STATUS = 2,
	USB_STAGE_COMPLETE = 3,
	USB_STAGE_NONE = 0xff,
};

enum usb_speed {
	USB_SPEED_UNKNOWN = 0,
	USB_SPEED_LOW,            /* 1.5 Mb/s */
	USB_SPEED_FULL,           /* 12 Mb/s */
	USB_SPEED_HIGH,           /* 480 Mb/s */
	USB_SPEED_SUPER,          /* 5 Gb/s */
	USB_SPEED_SUPER_PLUS,     /* 10 Gb/s and up */
};

/* One isochronous packet descriptor (usbmon 64-byte header). */
struct usb_iso_desc {
	int32_t status;
	uint32_t offset;
	uint32_t length;
};

/*
 * One URB submit, completion or error, as the capture saw it.
 *
 * Lengths: `length` is the URB's transfer length from the record header:
 * requested on submit, actual on completion (0 when the format does not say,
 * e.g. a USBPcap IN submit).  `data_len` is how many payload bytes the
 * capture tool says it recorded for this event; `caplen` is how many are
 * really present at `data` after any snap-length cut.  `truncated` is set
 * when the event carried payload on the bus that is not all here (snaplen,
 * usbmon's 32-byte text limit): the missing bytes are never invented.
 */
struct usb_event {
	uint64_t frame;           /* 1-based; equals Wireshark's frame number */
	int64_t ts_ns;            /* nanoseconds since the epoch (text: since boot mod 4096 s, unwrapped) */
	uint8_t source;           /* enum usb_source */
	uint8_t type;             /* enum usb_ev_type */
	uint8_t xfer;             /* enum usb_xfer_type */
	uint8_t endpoint;         /* endpoint address, bit 7 = IN */
	uint16_t bus;
	uint16_t device;
	uint64_t urb_id;          /* usbmon URB id / USBPcap IRP id / Darwin ioID: pairs S with C */

	int32_t status;           /* Linux meaning: 0, or -errno (-115 = in progress on submit) */
	uint8_t status_origin;    /* enum usb_status_origin: what orig_status is */
	uint32_t orig_status;     /* the capture's own status value, unmapped */

	uint32_t length;          /* requested (submit) / actual (completion) transfer length */
	uint32_t data_len;        /* payload bytes the capture tool recorded */
	uint32_t caplen;          /* payload bytes present at data */
	const uint8_t *data;      /* caplen bytes (NULL when caplen == 0) */
	bool truncated;           /* the event's payload is not all here */

	bool has_setup;           /* a control submit with its 8-byte setup packet */
	uint8_t setup[8];

	/* Source-specific extras: zero/none where the source does not have them. */
	uint8_t ctrl_stage;       /* enum usb_ctrl_stage (USBPcap) */
	uint8_t speed;            /* enum usb_speed (Darwin) */
	uint8_t irp_info;         /* USBPcap info byte: bit 0 set = completion (PDO->FDO) */
	uint16_t urb_function;    /* USBPcap URB function code */
	uint32_t location_id;     /* Darwin location id */
	int32_t interval;         /* usbmon: interrupt/iso polling interval */
	int32_t start_frame;      /* usbmon: iso start frame */
	uint32_t xfer_flags;      /* usbmon 64-byte header: URB transfer_flags */
	int32_t iso_error_count;  /* usbmon: iso error count */
	uint32_t iso_ndesc;       /* descriptors at iso (usbmon mmapped) */
	const struct usb_iso_desc *iso;

	uint32_t frame_len;       /* pcap: the record's original length; 0 for text */
	uint32_t frame_caplen;    /* pcap: bytes of the record in the file */
	uint64_t drops;           /* events the capture lost just before this one: pcapng
				   * epb_dropcount, live usbmon statistics (capture/live.h); 0 elsewhere */
};

/* ------------------------------------------------------------ Bluetooth */

enum hci_source {
	HCI_SRC_PKLG = 1,         /* Apple PacketLogger */
	HCI_SRC_BTSNOOP,          /* btsnoop */
	HCI_SRC_PCAP_H4,          /* pcap LINKTYPE_BLUETOOTH_HCI_H4[_WITH_PHDR] */
};

/* What a record holds. */
enum hci_rec_type {
	HCI_REC_COMMAND = 1,      /* HCI command packet (opcode first) */
	HCI_REC_EVENT,            /* HCI event packet (event code first) */
	HCI_REC_ACL,              /* ACL data (handle first) */
	HCI_REC_SCO,              /* SCO data */
	HCI_REC_ISO,              /* ISO data */
	HCI_REC_LMP,              /* LMP PDU (PacketLogger) */
	HCI_REC_VENDOR,           /* vendor / diagnostic packet */
	HCI_REC_NOTE,             /* text: PacketLogger note */
	HCI_REC_SYSLOG,           /* text: PacketLogger syslog */
	HCI_REC_KERNEL,           /* text: PacketLogger kernel */
	HCI_REC_KERNEL_DEBUG,     /* text: PacketLogger kernel debug */
	HCI_REC_ERROR,            /* text: PacketLogger error */
	HCI_REC_POWER,            /* PacketLogger power state */
	HCI_REC_CONFIG,           /* PacketLogger config */
	HCI_REC_NEW_CONTROLLER,   /* PacketLogger new controller */
	HCI_REC_OTHER,            /* a record type the reader does not know; data kept */
};

enum hci_dir {
	HCI_DIR_NONE = 0,         /* side-band record, no direction */
	HCI_DIR_SENT,             /* host to controller */
	HCI_DIR_RECV,             /* controller to host */
};

/*
 * One Bluetooth record.  For packets, data is the HCI packet without any
 * H4 type byte (the type is in `type`); for text records, the text (not
 * NUL-terminated; trailing NULs stripped).
 */
struct hci_record {
	uint64_t frame;           /* 1-based record number, equal to Wireshark's frame number */
	int64_t ts_ns;            /* nanoseconds since the epoch */
	uint8_t source;           /* enum hci_source */
	uint8_t type;             /* enum hci_rec_type */
	uint8_t dir;              /* enum hci_dir */
	uint32_t orig_type;       /* PacketLogger type byte, btsnoop flags, or H4 type byte */
	uint32_t len;             /* original length of data */
	uint32_t caplen;          /* bytes present at data */
	const uint8_t *data;
	bool truncated;           /* caplen < len */
	uint32_t drops;           /* btsnoop cumulative drops; 0 elsewhere */
};

/* ------------------------------------------------------------- records */

enum cap_rec_kind {
	CAP_REC_USB = 1,
	CAP_REC_HCI = 2,
};

struct cap_record {
	uint8_t kind;             /* enum cap_rec_kind */
	union {
		struct usb_event usb;
		struct hci_record hci;
	} u;
};

/* What was opened. */
struct cap_info {
	enum cap_format format;
	int linktype;             /* first USB/HCI link type for pcap/pcapng, -1 otherwise */
	bool gzip;                /* the file was gzip-compressed */
	bool big_endian;          /* file byte order where the format has one */
	bool nanosecond;          /* pcap: the file's timestamps are in ns */
	uint32_t snaplen;         /* pcap: the file's snapshot length, 0 if unknown */
};

struct cap;

/* Open a capture file ("-" is standard input).  Returns 0, or -1 with err set. */
int cap_open(const char *path, struct cap **out, struct error *err);

/*
 * Open a capture file that is still being written (`scsiscope tui -i`
 * follows the pcapng its capture thread writes).  limit == UINT64_MAX: the
 * end of the file is not final; each cap_next() reads what was appended
 * since, without ever waiting.  The caller must ask only for records it
 * knows are whole in the file (the writer says how many it has flushed):
 * a record still being written would read as one cut short (an error).
 * Otherwise only the first `limit` bytes are read, as a complete file (a
 * prefix that ends where the writer flushed reads cleanly to its end).
 */
int cap_open_growing(const char *path, uint64_t limit, struct cap **out, struct error *err);

/* Open a capture held in memory; name is used in error messages.  The buffer
 * must stay valid until cap_close(). */
int cap_open_mem(const void *buf, size_t len, const char *name, struct cap **out, struct error *err);
/* The same, read as `format` without looking at the content first
 * (CAP_FORMAT_UNKNOWN: detect); the reader still checks its own header.
 * For the fuzz targets of each reader and for tests. */
int cap_open_mem_format(const void *buf, size_t len, const char *name, enum cap_format format, struct cap **out,
			struct error *err);

/* Pull the next record.  Returns 1 with *rec filled, 0 at the clean end of
 * the file, or -1 with err naming the file, frame and byte offset of the
 * damage.  After -1 (or 0) every further call returns the same. */
int cap_next(struct cap *c, struct cap_record *rec, struct error *err);

/* Close and free; NULL is fine. */
void cap_close(struct cap *c);

const struct cap_info *cap_get_info(const struct cap *c);

/* Frames seen so far, including records skipped because their interface
 * is not USB/Bluetooth (pcapng with several link types). */
uint64_t cap_frames_seen(const struct cap *c);
uint64_t cap_frames_skipped(const struct cap *c);
/* Bytes consumed so far, in the (decompressed) stream: with the file's
 * size, the progress of a front end reading it (the TUI's index). */
uint64_t cap_offset(const struct cap *c);

/* Names for display and JSON; never NULL. */
const char *cap_format_name(enum cap_format f);
const char *cap_linktype_name(int linktype);
const char *usb_source_name(enum usb_source s);
const char *usb_xfer_name(enum usb_xfer_type t);
const char *usb_ev_type_name(enum usb_ev_type t);
const char *usb_speed_name(enum usb_speed s);
const char *usb_ctrl_stage_name(enum usb_ctrl_stage s);
const char *hci_rec_type_name(enum hci_rec_type t);
const char *hci_source_name(enum hci_source s);

/* Linux errno name for a (negative) URB status, e.g. -32 -> "EPIPE";
 * NULL if not one usbmon produces. */
const char *usb_status_errno_name(int32_t status);

#endif
