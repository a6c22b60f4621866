/* live.h - capture a Linux usbmon bus live through libpcap, as the same stream of usb_events a file gives, with drop statistics. */
#ifndef SCSISCOPE_CAPTURE_LIVE_H
#define SCSISCOPE_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"

/*
 * cap_live_open("usbmon1", ...) opens bus 1 (usbmon0: every bus) with
 * libpcap's usbmon support: pcap_create, the snap length, immediate mode
 * (every event is handed over as soon as the kernel has it) and a kernel
 * buffer of buffer_mb MiB.  cap_live_next() then returns one record at a
 * time, exactly as cap_next() does for a file (frames numbered from 1,
 * time in ns, the record valid until the next call), or 0 when nothing
 * came within the timeout, so that the caller can look at the clock, a
 * signal flag, or flush what it holds.
 *
 * Drops: libpcap's statistics (pcap_stats: usbmon's own count of events it
 * had no room for) are read after every wait; events lost since the last
 * record are put in the next record's usb_event.drops, which the decoder
 * turns into a note with the finding capture-gap, and the pcapng writer
 * into that packet's epb_dropcount.
 *
 * "file:PATH" opens a saved usbmon capture (pcap or pcapng, link type 189
 * or 220) through the same path, delivered as fast as it is read and
 * ending (rc 0 with *ended set) at its end: the live code paths can then
 * be tested and demonstrated without root or a USB bus.  With `follow`
 * (`scsiscope tui -i file:PATH`) the end of the file is not its end: like
 * `tail -f`, the records another program appends are delivered as they
 * become whole (a record still being written is waited for, never read
 * cut short), and the source never ends by itself.
 *
 * Errors name the interface and say what to do: usbmon not loaded
 * (modprobe usbmon), no such bus (the buses there are), permission denied
 * (which group, udev rule or capability).
 */

/* libpcap's largest snap length for USB (MAXIMUM_SNAPLEN, 256 KiB): the
 * default, so that payloads are captured whole. */
#define CAP_LIVE_SNAPLEN_MAX 262144u
#define CAP_LIVE_BUFFER_MB_DEFAULT 32u
#define CAP_LIVE_BUFFER_MB_MAX 1024u

struct cap_live_opts {
	const char *iface;        /* "usbmonN" or "file:PATH" */
	uint32_t snaplen;         /* bytes per event, header included; 0: CAP_LIVE_SNAPLEN_MAX */
	uint32_t buffer_mb;       /* kernel buffer; 0: CAP_LIVE_BUFFER_MB_DEFAULT */
	bool follow;              /* file: keep reading what is appended (tail -f) */
	const char *sysroot;      /* prefix of /sys and /dev for the error diagnosis (tests); NULL: "" */
	char *hint;               /* if not NULL, receives what to run when opening fails ("" if nothing) */
	size_t hint_len;
};

/* The raw packet behind the last record (for writers): valid as the record is. */
struct cap_live_pkt {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t len;
	int64_t ts_ns;
};

struct cap_live_stats {
	uint64_t packets;         /* records delivered */
	uint64_t drops;           /* events usbmon lost (pcap_stats ps_drop), cumulative */
	uint64_t if_drops;        /* ps_ifdrop */
};

struct cap_live;

/* Returns 0, or -1 with err explaining what to do. */
int cap_live_open(const struct cap_live_opts *o, struct cap_live **out, struct error *err);
/* Wait up to timeout_ms (0: do not wait) for the next record: 1 with rec
 * (and raw, if not NULL) filled; 0 when nothing came (or a signal
 * interrupted the wait), with *ended set when a file: source is done;
 * -1 with err set (the bus went away, a damaged record). */
int cap_live_next(struct cap_live *l, int timeout_ms, struct cap_record *rec, struct cap_live_pkt *raw, bool *ended,
		  struct error *err);
/* Read the statistics now (also folds new drops into the next record). */
void cap_live_stats(struct cap_live *l, struct cap_live_stats *st);
/* Parse a raw packet of this capture again (one devfilter held back), as
 * frame `frame`; its record is valid until the next call of either
 * function.  1, or -1 with err set. */
int cap_live_parse(struct cap_live *l, const struct cap_live_pkt *raw, uint64_t frame, struct cap_record *rec,
		   struct error *err);
int cap_live_linktype(const struct cap_live *l);
uint32_t cap_live_snaplen(const struct cap_live *l);
const char *cap_live_name(const struct cap_live *l);
void cap_live_close(struct cap_live *l);

/*
 * Why usbmon interface `iface` cannot be opened (msg, one line that fits a
 * struct error) and what to run about it (hint, a few lines; "" when there
 * is nothing to add), from the errno of the attempt (ENOENT, EACCES/EPERM,
 * ...) and what exists under sysroot: /sys/module/usbmon,
 * /sys/bus/usb/devices/usbN, /dev/usbmonN.  Pure apart from looking at
 * those paths; the tests call it with a fake root.
 */
void cap_live_explain(const char *sysroot, const char *iface, int open_errno, const char *detail, char *msg,
		      size_t msglen, char *hint, size_t hintlen);

/* The bus number of "usbmonN"; -1 when iface is not of that form. */
int cap_live_bus(const char *iface);

#endif
