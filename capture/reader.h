/* reader.h - what every format reader implements; private to capture/. */
#ifndef SCSISCOPE_CAPTURE_READER_H
#define SCSISCOPE_CAPTURE_READER_H

#include "capture/capture.h"
#include "capture/input.h"

/*
 * cap_open() sniffs the first bytes, picks a reader and calls its open
 * function, which sets c->ops and c->priv.  A reader's next() fills one
 * record and returns 1, returns 0 at the clean end, or -1 with err set
 * (the frame and byte offset of the damage; the file name is added by
 * capture.c).  Frame numbers are assigned by the reader: c->frames counts
 * every record of the file (delivered or skipped) so that they equal
 * Wireshark's.
 */
struct cap;

struct cap_reader_ops {
	const char *name;
	int (*next)(struct cap *c, struct cap_record *rec, struct error *err);
	void (*close)(struct cap *c);
};

struct cap {
	const struct cap_reader_ops *ops;
	void *priv;               /* the reader's state */
	struct input *in;
	struct cap_info info;
	char name[256];
	uint64_t frames;          /* records consumed so far (frame number of the last one) */
	uint64_t skipped;         /* records not delivered (non-USB interfaces) */
	int state;                /* 0 open, 1 ended cleanly, -1 failed */
	struct error saved_err;   /* the error returned when state == -1 */
};

/* Largest record any reader accepts, whatever a header claims: bounds the
 * memory one hostile length field can ask for. */
#define CAP_MAX_RECORD (16u * 1024 * 1024)

/* input_need() for the bytes of record `frame`: a read error names that
 * frame too.  NULL then, with err set. */
static inline const uint8_t *cap_need(struct cap *c, size_t n, size_t *got, uint64_t frame, struct error *err)
{
	const uint8_t *p = input_need(c->in, n, got, err);

	if (!p && err)
		err->frame = frame;
	return p;
}

/* The first n bytes of record `frame`, which starts at offset off: 1 with *p
 * and *got (== n) set, 0 at the clean end of the file, or -1 with err set (a
 * read error, or "FORMAT record cut short: the file ends N bytes into its
 * n-byte PART"). */
static inline int cap_need_head(struct cap *c, size_t n, uint64_t frame, uint64_t off, const char *format,
				const char *part, const uint8_t **p, size_t *got, struct error *err)
{
	*p = cap_need(c, n, got, frame, err);
	if (!*p)
		return -1;
	if (*got == 0)
		return 0;
	if (*got < n)
		return error_set(err, frame, off, "%s record cut short: the file ends %zu bytes into its %zu-byte %s",
				 format, *got, n, part);
	return 1;
}

/* Readers.  Each returns 0, or -1 with err set. */
int pcap_own_open(struct cap *c, struct error *err);      /* classic pcap: our record reader */
int pcapng_own_open(struct cap *c, struct error *err);    /* every pcapng file: our block reader */
int usbmon_text_open(struct cap *c, struct error *err);
int pklg_open(struct cap *c, struct error *err);
int btsnoop_open(struct cap *c, struct error *err);

/* Sniff a format from the first bytes of the (decompressed) stream
 * (CAP_SNIFF_BYTES of them, fewer for a shorter file).  Formats without a
 * magic number are recognised by their reader's probe, which looks at the
 * structure of the first records. */
#define CAP_SNIFF_BYTES 4096
enum cap_format cap_detect(const uint8_t *head, size_t n);
bool usbmon_text_probe(const uint8_t *head, size_t n);
bool pklg_probe(const uint8_t *head, size_t n);

/*
 * Link-type parsers shared by our pcap and pcapng readers (and the tests'
 * libpcap reference): turn one packet of a USB link type into a usb_event.
 * `swapped` says the usbmon header is in the opposite byte order from the
 * host (a file written on a host of the other byte order; libpcap swaps
 * such headers itself).  iso_buf receives iso descriptors
 * (up to iso_max).  frame/offset only go into error messages.  Returns 0,
 * or -1 with err set when the header is damaged.
 */
struct usb_pkt {
	const uint8_t *buf;
	uint32_t caplen;          /* bytes present */
	uint32_t len;             /* original length */
	int64_t ts_ns;
	uint64_t frame;
	uint64_t offset;          /* byte offset of the record, for errors */
	bool swapped;
};
/* Start an event for packet p: zeroed, with the frame, time, source and
 * record lengths set (no control stage, Linux status meaning). */
void usb_event_init(struct usb_event *ev, const struct usb_pkt *p, enum usb_source source);
/* A control submit whose data (at b + *data_off, *present bytes of its
 * *data_len here; *data_len >= 8) begins with the 8-byte setup packet
 * (USBPcap, Darwin): move that to ev->setup, so that the data is the data
 * stage only, as usbmon keeps it.  Returns false, with *present 0, when the
 * capture cut the setup packet itself. */
bool usb_take_setup(struct usb_event *ev, const uint8_t *b, size_t *data_off, uint32_t *data_len, size_t *present);
int usb_parse_usbmon(const struct usb_pkt *p, bool mmapped, struct usb_event *ev,
		     struct usb_iso_desc *iso_buf, uint32_t iso_max, struct error *err);
int usb_parse_usbpcap(const struct usb_pkt *p, struct usb_event *ev, struct error *err);
int usb_parse_darwin(const struct usb_pkt *p, struct usb_event *ev, struct error *err);
/* H4 packets in pcap (187: type byte first; 201: 4-byte direction, then type). */
int hci_parse_h4(const struct usb_pkt *p, bool phdr, struct hci_record *rec, struct error *err);

/* Dispatch one packet of any supported link type.  Returns 1 with rec
 * filled, 0 if the link type is not one we read (skip it), -1 on error. */
int cap_parse_linktype(int linktype, const struct usb_pkt *p, struct cap_record *rec,
		       struct usb_iso_desc *iso_buf, uint32_t iso_max, struct error *err);
bool cap_linktype_supported(int linktype);

/* Link type 220: the original length of a packet (caplen bytes at d, of
 * original length len, header fields in byte order be) after libpcap's
 * fix-up for iso completions written by old libpcap (linktype.c). */
uint32_t usbmon_mmapped_len(const uint8_t *d, uint32_t caplen, uint32_t len, bool be);

/* The host's byte order, to tell the usbmon parser a header is swapped. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CAP_HOST_BE true
#else
#define CAP_HOST_BE false
#endif

/* Status mapping tables (status_tables.c). */
int32_t usbd_status_to_errno(uint32_t usbd);
const char *usbd_status_name(uint32_t usbd);
int32_t ioreturn_to_errno(uint32_t ioreturn);
const char *ioreturn_name(uint32_t ioreturn);

#endif
