/* usb_control.h - USB control requests and descriptors, named and decoded (pure functions over bytes). */
#ifndef SCSISCOPE_DECODE_USB_CONTROL_H
#define SCSISCOPE_DECODE_USB_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/*
 * Requests: standard (USB 2.0 chapter 9, USB 3.2 chapter 9), mass storage
 * class (Bulk-Only Mass Storage Reset FFh, Get Max LUN FEh), HID
 * (GET/SET_REPORT, GET/SET_IDLE, GET/SET_PROTOCOL), CDC ACM
 * (SET/GET_LINE_CODING, SET_CONTROL_LINE_STATE, SEND_BREAK), hub class
 * (GET/SET/CLEAR port and hub features, with feature selectors named), and
 * vendor requests shown as such.  Descriptors: device, configuration,
 * interface, endpoint, SuperSpeed endpoint companion, BOS and its
 * capabilities, string, interface association, device qualifier, other
 * speed, HID, hub, UAS Pipe Usage (24h).
 */

/* "GET_DESCRIPTOR", "SET_INTERFACE", "Bulk-Only Mass Storage Reset",
 * "GET_REPORT", "vendor request 0xA0", ...; never NULL. */
const char *usb_request_name(const uint8_t setup[8]);

/* One line for a control transfer: the request with its decoded fields,
 * e.g. "GET_DESCRIPTOR DEVICE len=18", "SET_INTERFACE intf=0 alt=1",
 * "CLEAR_FEATURE ENDPOINT_HALT ep=0x81", "GET MAX LUN -> 0"; data is the
 * data stage (IN: what came back), possibly shorter than what moved. */
void usb_control_summary(struct strbuf *sb, const uint8_t setup[8], const uint8_t *data, size_t len);

/* The setup packet's fields, then the data stage's descriptors (every
 * field) or payload, one per line, each line starting with indent. */
void usb_control_describe(struct strbuf *sb, const uint8_t setup[8], const uint8_t *data, size_t len,
			  const char *indent);

/* Walk a descriptor set (configuration descriptor and what follows),
 * describing each descriptor. */
void usb_descriptors_describe(struct strbuf *sb, const uint8_t *data, size_t len, const char *indent);

/* Decode a string descriptor (UTF-16LE) to UTF-8 into out (always
 * NUL-terminated).  False if it is not a string descriptor. */
bool usb_string_descriptor(const uint8_t *data, size_t len, char *out, size_t size);

/* Common setup packet fields. */
static inline uint16_t usb_setup_wvalue(const uint8_t s[8]) { return (uint16_t)(s[2] | (s[3] << 8)); }
static inline uint16_t usb_setup_windex(const uint8_t s[8]) { return (uint16_t)(s[4] | (s[5] << 8)); }
static inline uint16_t usb_setup_wlength(const uint8_t s[8]) { return (uint16_t)(s[6] | (s[7] << 8)); }

#endif
