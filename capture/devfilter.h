/* devfilter.h - keep one device's packets (by VID:PID) out of a live bus, following it across re-enumeration. */
#ifndef SCSISCOPE_CAPTURE_DEVFILTER_H
#define SCSISCOPE_CAPTURE_DEVFILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/live.h"

/*
 * `scsiscope capture --device VID:PID` writes the packets of the devices
 * with that vendor and product id and nothing else.  A bus address is
 * tied to a VID:PID by what the capture shows: the device descriptor a
 * GET_DESCRIPTOR(DEVICE) returns (libpcap reads every device's descriptor
 * when the capture starts, and a host reads it at every enumeration); an
 * address seen before any descriptor is looked up in sysfs
 * (each device directory of /sys/bus/usb/devices: busnum, devnum,
 * idVendor, idProduct).
 *
 * Re-enumeration: the packets a device exchanges at address 0 before its
 * SET_ADDRESS(N) (EHCI and older; xHCI addresses devices itself) belong to
 * the device that becomes N; a completion with ENODEV/ESHUTDOWN says the
 * device at an address is gone, and the next one there is identified
 * afresh.  Packets of an address not identified yet are held (copied,
 * bounded: DEVFILTER_HELD_MAX packets, DEVFILTER_HELD_BYTES bytes; the
 * oldest are dropped beyond) and written, in order, before the packet that
 * identifies it, or discarded if it is another device.
 *
 * Drops (usb_event.drops) on packets left out are carried to the next
 * packet written: a gap anywhere on the bus may have hidden the device's
 * packets too.
 */
#define DEVFILTER_HELD_MAX 4096
#define DEVFILTER_HELD_BYTES (16u << 20)
#define DEVFILTER_ADDRS_MAX 1024

/* A packet to write: its raw bytes and the drops before it. */
typedef void (*devfilter_emit)(void *ctx, const struct cap_live_pkt *pkt, uint64_t drops);

struct devfilter_stats {
	uint64_t kept;            /* packets emitted */
	uint64_t left_out;        /* packets of other devices */
	uint64_t held_dropped;    /* held packets dropped at the bounds or never identified */
	unsigned matched;         /* addresses identified as the device, over time */
};

struct devfilter;

/* sysroot prefixes /sys (tests); NULL or "" for the real one.  NULL on no memory. */
struct devfilter *devfilter_new(uint16_t vid, uint16_t pid, const char *sysroot);
/* One packet (ev parsed from raw); emits it, later, or never. */
void devfilter_feed(struct devfilter *f, const struct usb_event *ev, const struct cap_live_pkt *raw,
		    devfilter_emit emit, void *ctx);
/* Is this address (currently) the device? */
bool devfilter_is_match(const struct devfilter *f, uint16_t bus, uint16_t addr);
void devfilter_get_stats(const struct devfilter *f, struct devfilter_stats *st);
/* Free; packets still held (never identified) are dropped and counted. */
void devfilter_free(struct devfilter *f);

#endif
