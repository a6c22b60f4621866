/* bot_capture.h - a Bulk-Only device's usbmon capture built record by record for the tests: bulk transfers, CBW/CSW, enumeration and common CDBs. */
#ifndef SCSISCOPE_TESTS_BOT_CAPTURE_H
#define SCSISCOPE_TESTS_BOT_CAPTURE_H

#include "bot_wrappers.h"
#include "decode_harness.h"

#define BUS 1
#define DEV 5
#define EP_IN 0x81
#define EP_OUT 0x02

/* A capture of device BUS:DEV, records 25 us apart. */
static inline void bot_init(struct capb *b)
{
	capb_open(b, BUS, DEV, 65535, 0xffff888000001000ULL, 1700000000000000000LL + 25000, 25000);
}

/* Bulk OUT: returns the submit frame.  A stall (-32) completes with nothing transferred. */
static inline uint64_t bout(struct capb *b, const void *data, uint32_t len, int32_t status)
{
	uint64_t id = ++b->id;
	uint64_t f = put(b, 'S', USB_XFER_BULK, EP_OUT, id, -115, len, data, len, NULL);

	put(b, 'C', USB_XFER_BULK, EP_OUT, id, status, status == -32 ? 0 : len, NULL, 0, NULL);
	return f;
}

/* Bulk IN: returns the completion frame. */
static inline uint64_t bin(struct capb *b, uint32_t requested, const void *data, uint32_t actual, int32_t status)
{
	uint64_t id = ++b->id;

	put(b, 'S', USB_XFER_BULK, EP_IN, id, -115, requested, NULL, 0, NULL);
	return put(b, 'C', USB_XFER_BULK, EP_IN, id, status, actual, data, actual, NULL);
}

/* A CBW to LUN lun; returns its submit frame. */
static inline uint64_t cbw_lun(struct capb *b, uint32_t tag, uint32_t len, bool in, uint8_t lun, const uint8_t *cdb,
			       uint8_t cblen)
{
	uint8_t w[31];

	mk_cbw(w, tag, len, in, lun, cdb, cblen);
	return bout(b, w, 31, 0);
}

/* A CBW to LUN 0. */
static inline uint64_t cbw(struct capb *b, uint32_t tag, uint32_t len, bool in, const uint8_t *cdb, uint8_t cblen)
{
	return cbw_lun(b, tag, len, in, 0, cdb, cblen);
}

/* A CSW with signature sig; returns its completion frame. */
static inline uint64_t csw_sig(struct capb *b, const char *sig, uint32_t tag, uint32_t residue, uint8_t status)
{
	uint8_t w[13];

	mk_csw_sig(w, sig, tag, residue, status);
	return bin(b, 13, w, 13, 0);
}

static inline uint64_t csw(struct capb *b, uint32_t tag, uint32_t residue, uint8_t status)
{
	return csw_sig(b, "USBS", tag, residue, status);
}

/* USB 2.0 9.4.3, 9.4.7: GET_DESCRIPTOR (device, configuration), SET_CONFIGURATION 1. */
static const uint8_t SETUP_GET_DEVICE[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
static const uint8_t SETUP_GET_CONFIG[8] = { 0x80, 0x06, 0x00, 0x02, 0x00, 0x00, 0x20, 0x00 };
static const uint8_t SETUP_SET_CONFIG[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
/* BOT 3.1: Bulk-Only Mass Storage Reset, class request FFh to interface 0. */
static const uint8_t SETUP_BOT_RESET[8] = { 0x21, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
/* USB 2.0 9.4.1: CLEAR_FEATURE(ENDPOINT_HALT) of the bulk-in and the bulk-out endpoint. */
static const uint8_t SETUP_CLEAR_HALT_IN[8] = { 0x02, 0x01, 0x00, 0x00, EP_IN, 0x00, 0x00, 0x00 };
static const uint8_t SETUP_CLEAR_HALT_OUT[8] = { 0x02, 0x01, 0x00, 0x00, EP_OUT, 0x00, 0x00, 0x00 };

/* USB 2.0 9.6.1: a high-speed device, class at interface level. */
static const uint8_t DEVICE_DESC[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0x00, 0x01, 1, 2, 3, 1 };
/* 9.6.3/9.6.5/9.6.6: one configuration, interface 0 = mass storage (08h),
 * SCSI transparent (06h), Bulk-Only (50h), bulk IN 81h and OUT 02h. */
static const uint8_t CONFIG_DESC[32] = {
	9, 2, 32, 0, 1, 1, 0, 0x80, 50,
	9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0,
	7, 5, EP_IN, 2, 0x00, 0x02, 0,
	7, 5, EP_OUT, 2, 0x00, 0x02, 0,
};

/* The enumeration the decoder learns the device from: descriptors, then SET_CONFIGURATION. */
static inline void bot_enumerate(struct capb *b)
{
	ctrl(b, SETUP_GET_DEVICE, DEVICE_DESC, sizeof(DEVICE_DESC));
	ctrl(b, SETUP_GET_CONFIG, CONFIG_DESC, sizeof(CONFIG_DESC));
	ctrl(b, SETUP_SET_CONFIG, NULL, 0);
}

/* SPC-4 INQUIRY, TEST UNIT READY, REQUEST SENSE; SBC-3 READ CAPACITY(10), READ(10) of 8 blocks at 16. */
static const uint8_t INQUIRY[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t TUR[6] = { 0, 0, 0, 0, 0, 0 };
static const uint8_t REQSENSE[6] = { 0x03, 0, 0, 0, 18, 0 };
static const uint8_t READ_CAP10[10] = { 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t READ10_8[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0 };

#endif
