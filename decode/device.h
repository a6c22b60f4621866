/* device.h - a model of each USB device from its enumeration, and which endpoints carry storage; private to decode/. */
#ifndef SCSISCOPE_DECODE_DEVICE_H
#define SCSISCOPE_DECODE_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "decode/urb.h"

/*
 * Built from the control traffic in the capture: the device and
 * configuration descriptors (interfaces, alternate settings, endpoints,
 * SuperSpeed companions, UAS Pipe Usage descriptors), string descriptors,
 * SET_CONFIGURATION and SET_INTERFACE (UAS devices switch from alternate
 * setting 0, Bulk-Only, to alternate 1, UAS).  From that it answers which
 * bulk endpoints of which interface carry BOT or UAS and in which role.
 *
 * When a capture starts after enumeration there is no descriptor to read:
 * devtable_infer() recognises BOT from CBW/CSW signatures and UAS from IU
 * structure on bulk endpoints and records the roles as inferred.
 */

enum ep_role {
	EP_ROLE_NONE = 0,
	EP_BOT_IN,
	EP_BOT_OUT,
	EP_UAS_COMMAND,           /* Pipe Usage 1: bulk OUT, Command/Task Management IUs */
	EP_UAS_STATUS,            /* Pipe Usage 2: bulk IN, Sense/Response/Ready IUs */
	EP_UAS_DATA_IN,           /* Pipe Usage 3 */
	EP_UAS_DATA_OUT,          /* Pipe Usage 4 */
};

struct ep_route {
	uint8_t transport;        /* enum transport */
	uint8_t interface;
	uint8_t role;             /* enum ep_role */
	bool inferred;            /* from traffic, not descriptors */
	bool streams;             /* UAS: the endpoint uses bulk streams (SuperSpeed companion MaxStreams > 0) */
};

/* struct usb_device_info is in decode.h (front ends show it). */

struct devtable;

struct devtable *devtable_new(void);
void devtable_free(struct devtable *t);

/* Learn from a completed control URB (GET_DESCRIPTOR responses,
 * SET_CONFIGURATION, SET_INTERFACE, SET_ADDRESS, GET MAX LUN). */
void devtable_control(struct devtable *t, const struct urb *u);

/* Storage role of a bulk endpoint, from the descriptors and current
 * alternate setting or from earlier inference.  False: not storage/unknown. */
bool devtable_route(struct devtable *t, uint16_t bus, uint16_t device, uint8_t endpoint, struct ep_route *out);

/* For a bulk URB devtable_route() did not know: inspect its payload (a CBW
 * on OUT, a CSW on IN, UAS IUs) and, when it is convincing, record the
 * interface's roles as inferred and return the route.  Call at submit and
 * at completion; it only ever infers from complete evidence. */
bool devtable_infer(struct devtable *t, const struct urb *u, struct ep_route *out);

/* The device went away or was re-addressed: forget its model. */
void devtable_forget(struct devtable *t, uint16_t bus, uint16_t device);

/* Device info, NULL if the device was never seen. */
const struct usb_device_info *devtable_info(const struct devtable *t, uint16_t bus, uint16_t device);
/* Iterate over every device seen (in first-seen order); i from 0. NULL at the end. */
const struct usb_device_info *devtable_at(const struct devtable *t, unsigned i);

#endif
