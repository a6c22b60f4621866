/* usb.h - a live USB storage device through libusb for replay: find, list, open (kernel driver detached, interface claimed, transport's alternate setting, UAS pipes and streams), the rp_io over it, and a close that always gives the device back to its kernel driver. */
#ifndef SCSISCOPE_REPLAY_USB_H
#define SCSISCOPE_REPLAY_USB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "replay/transport.h"

struct rp_usb_select {
	bool by_id;               /* --device VID:PID[:SERIAL] (or the script's identity) */
	uint16_t vid, pid;
	char serial[128];         /* "" any */
	bool by_busdev;           /* --bus-dev B:D */
	uint8_t bus, dev;
};

struct rp_usb_info {
	uint16_t vid, pid;
	char serial[128];
	uint8_t bus, addr;
	int speed;                /* enum usb_speed (capture/capture.h) */
	uint8_t transport;        /* enum rs_transport in use */
	uint8_t interface, alt;
	uint8_t ep_in, ep_out;    /* BOT, or UAS data pipes */
	uint8_t ep_cmd, ep_status;/* UAS */
	bool streams;
	uint16_t nstreams;
	bool driver_detached;     /* a kernel driver was bound: re-attached at close */
	int64_t alt_t0, alt_t1;   /* when SET_INTERFACE ran (for the record) */
	bool alt_set;
};

struct rp_usb;

/* Print every USB mass-storage device: bus:address, VID:PID, serial,
 * speed, and each storage interface's BOT/UAS alternate settings.
 * Returns the number listed, or -1 with err. */
int rp_usb_list(FILE *out, char *err, size_t err_size);

/* Open the one device sel names, for transport (enum rs_transport;
 * RS_TRANSPORT_UNSET: BOT if it has it, else UAS).  stop is the flag the
 * signal handlers set: transfers are cancelled when it becomes non-zero.
 * Returns 0, or -1 with err (nothing left changed on the device). */
int rp_usb_open(const struct rp_usb_select *sel, uint8_t transport, volatile sig_atomic_t *stop, struct rp_usb **out,
		char *err, size_t err_size);

const struct rp_usb_info *rp_usb_get_info(const struct rp_usb *u);
const struct rp_io *rp_usb_io(struct rp_usb *u);

/* Undo everything open did, in reverse: streams freed, alternate setting
 * 0 again if it was changed, interface released, kernel driver
 * re-attached, device closed.  NULL is fine.  Returns 0, or -1 with err
 * when the kernel driver could not be re-attached (said so the user can
 * replug). */
int rp_usb_close(struct rp_usb *u, char *err, size_t err_size);

#endif
