/* record.h - write what a replay sent and received as a usbmon-style pcapng (link type 220), by wrapping the rp_io the transports use. */
#ifndef SCSISCOPE_REPLAY_RECORD_H
#define SCSISCOPE_REPLAY_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "replay/transport.h"

/*
 * Every bulk transfer, control request and CLEAR_FEATURE(HALT) that goes
 * through the recorder's io becomes a usbmon submit and completion event
 * (64-byte header, link type 220), with the bus number, device address,
 * real times, statuses as Linux reports them (-EPIPE for a stall, -ENOENT
 * for a transfer cancelled at a timeout, -EOVERFLOW for babble) and every
 * payload byte, so `scsiscope decode` and Wireshark read the file as a
 * capture of the replay.  usbmon has no stream ids; neither has the file.
 * Events are written as they complete: memory stays flat.
 */

struct rp_recorder;

/* Create path and wrap inner.  Returns 0, or -1 with err. */
int rp_recorder_open(const char *path, const struct rp_io *inner, uint16_t bus, uint16_t device,
		     struct rp_recorder **out, char *err, size_t err_size);

/* The io to hand to the transports. */
const struct rp_io *rp_recorder_io(struct rp_recorder *r);

/* A control transfer made outside the io (libusb's SET_INTERFACE): its events. */
void rp_recorder_control(struct rp_recorder *r, const uint8_t setup[8], const uint8_t *data, uint32_t actual,
			 int status, int64_t t_submit_ns, int64_t t_done_ns);

/* Flush and close; returns 0, or -1 with err (a write error).  NULL is fine. */
int rp_recorder_close(struct rp_recorder *r, char *err, size_t err_size);

/* Events written so far. */
uint64_t rp_recorder_events(const struct rp_recorder *r);

#endif
