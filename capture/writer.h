/* writer.h - write captures in every format the readers read: for tests, samples and benchmarks. */
#ifndef SCSISCOPE_CAPTURE_WRITER_H
#define SCSISCOPE_CAPTURE_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "util/strbuf.h"

/*
 * Stateless encoders that append bytes to a strbuf.  A caller builds a
 * capture as: container header, then per packet a link-type encoding of a
 * usb_event or hci_record wrapped in a container record.  Byte order is
 * the caller's choice wherever the format has one, so tests can cover both.
 *
 * The encoders write what the event says, including nonsense (a caller can
 * build hostile input on purpose); they never validate.
 */

/* ---- pcap (classic) ---- */
void pcapw_header(struct strbuf *sb, int linktype, uint32_t snaplen, bool big_endian, bool nanosecond);
void pcapw_record(struct strbuf *sb, int64_t ts_ns, const void *data, uint32_t caplen, uint32_t len,
		  bool big_endian, bool nanosecond);

/* ---- pcapng ---- */
/* Section Header Block (section length -1: unknown). */
void pcapngw_shb(struct strbuf *sb, bool big_endian);
/* Interface Description Block; tsresol is the raw if_tsresol byte: n for
 * 10^-n s (6, microseconds, is the default and writes no option; 9 is ns),
 * 0x80 | n for 2^-n s.  The EPB writer takes the same value. */
void pcapngw_idb(struct strbuf *sb, bool big_endian, int linktype, uint32_t snaplen, int tsresol);
/* Enhanced Packet Block. */
void pcapngw_epb(struct strbuf *sb, bool big_endian, uint32_t iface, int64_t ts_ns, int tsresol,
		 const void *data, uint32_t caplen, uint32_t len);
/* The same with options: opts holds optlen bytes of option TLVs (without
 * opt_endofopt, which is added) built with pcapngw_opt*. */
void pcapngw_epb_opts(struct strbuf *sb, bool big_endian, uint32_t iface, int64_t ts_ns, int tsresol,
		      const void *data, uint32_t caplen, uint32_t len, const void *opts, uint32_t optlen);
/* One option TLV (code, length, value padded to 4 bytes), and one of 8 bytes:
 * e.g. epb_dropcount (4), isb_ifrecv (4), isb_ifdrop (5), isb_osdrop (7). */
void pcapngw_opt(struct strbuf *opts, bool big_endian, uint16_t code, const void *value, uint16_t len);
void pcapngw_opt_u64(struct strbuf *opts, bool big_endian, uint16_t code, uint64_t v);
/* Interface Statistics Block (pcapng 4.6) with options as above. */
void pcapngw_isb(struct strbuf *sb, bool big_endian, uint32_t iface, int64_t ts_ns, int tsresol,
		 const void *opts, uint32_t optlen);
/* Simple Packet Block (interface 0, no timestamp). */
void pcapngw_spb(struct strbuf *sb, bool big_endian, const void *data, uint32_t caplen, uint32_t len);
/* Any block: type, body (padded to 4 bytes), both length fields. */
void pcapngw_block(struct strbuf *sb, bool big_endian, uint32_t type, const void *body, uint32_t len);

/* ---- USB link-type payloads: append one packet, return its original length ---- */
/* Linux usbmon binary header (48 bytes, or 64 + iso descriptors when mmapped),
 * then ev->caplen data bytes; the original length counts ev->data_len. */
uint32_t usbw_usbmon(struct strbuf *sb, const struct usb_event *ev, bool mmapped, bool big_endian);
/* Windows USBPcap header (27 bytes, 28 for control) + data. */
uint32_t usbw_usbpcap(struct strbuf *sb, const struct usb_event *ev);
/* macOS USB_DARWIN header + data. */
uint32_t usbw_darwin(struct strbuf *sb, const struct usb_event *ev);
/* One usbmon text line ('u' format with bus; old_format: the older 't' format
 * without bus).  At most 32 data bytes are written, as the kernel does. */
void usbw_text(struct strbuf *sb, const struct usb_event *ev, bool old_format);

/* ---- Bluetooth ---- */
/* PacketLogger record (length, timestamp, type byte, data) in either byte order. */
void pklgw_record(struct strbuf *sb, const struct hci_record *r, bool big_endian);
/* btsnoop file header, and one record for the given datalink (1001 H1, 1002 H4). */
void btsnoopw_header(struct strbuf *sb, uint32_t datalink);
void btsnoopw_record(struct strbuf *sb, const struct hci_record *r, uint32_t datalink);

#endif
