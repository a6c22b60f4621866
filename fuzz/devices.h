/* devices.h - the descriptors of a USB mass-storage device with a Bulk-Only and a UAS alternate setting, and the requests that enumerate it: shared by the BOT and UAS fuzz targets and tests/unit/test_limits.c. */
#ifndef SCSISCOPE_FUZZ_DEVICES_H
#define SCSISCOPE_FUZZ_DEVICES_H

#include <stdint.h>

/* USB 2.0 9.6.1: a high-speed device, class at interface level. */
static const uint8_t STORAGE_DEVICE[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0xf4, 0x46, 0x03, 0x00, 0x00, 0x01, 1, 2, 3, 1 };

/* USB 2.0 9.6.3/9.6.5/9.6.6 and UAS-2 5.3.3: interface 0, alternate 0
 * Bulk-Only (class 08h, subclass 06h, protocol 50h: bulk IN 81h, OUT 02h),
 * alternate 1 UAS (protocol 62h) with four bulk pipes, each followed by its
 * Pipe Usage descriptor (24h: 1 command 01h, 2 status 82h, 3 data-in 83h,
 * 4 data-out 04h). */
static const uint8_t STORAGE_CONFIG[85] = {
	9, 2, 85, 0, 1, 1, 0, 0x80, 50,
	9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0,
	7, 5, 0x81, 2, 0x00, 0x02, 0,
	7, 5, 0x02, 2, 0x00, 0x02, 0,
	9, 4, 0, 1, 4, 0x08, 0x06, 0x62, 0,
	7, 5, 0x01, 2, 0x00, 0x02, 0, 4, 0x24, 1, 0,
	7, 5, 0x82, 2, 0x00, 0x02, 0, 4, 0x24, 2, 0,
	7, 5, 0x83, 2, 0x00, 0x02, 0, 4, 0x24, 3, 0,
	7, 5, 0x04, 2, 0x00, 0x02, 0, 4, 0x24, 4, 0,
};

/* USB 2.0 9.4.3, 9.4.7, 9.4.10: GET_DESCRIPTOR of both, SET_CONFIGURATION 1,
 * SET_INTERFACE 0 alternate 1 (UAS). */
static const uint8_t SETUP_GET_DEVICE[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
static const uint8_t SETUP_GET_CONFIG[8] = { 0x80, 0x06, 0x00, 0x02, 0, 0, 85, 0 };
static const uint8_t SETUP_SET_CONFIG[8] = { 0x00, 0x09, 0x01, 0x00, 0, 0, 0, 0 };
static const uint8_t SETUP_SET_ALT1[8] = { 0x01, 0x0b, 0x01, 0x00, 0, 0, 0, 0 };

#endif
