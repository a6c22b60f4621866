/* fuzz_uas.c - libFuzzer target: the UAS decoder fed directly: a fixed enumeration (alternate setting 1, four pipes), then any events on its pipes, with every check and renderer. */
#include "fuzz/stream.h"

/* USB 2.0 descriptors; UAS-2 5.3.3: interface 0 alternate 0 Bulk-Only,
 * alternate 1 protocol 62h with four bulk pipes, each with its Pipe Usage
 * descriptor (24h: 1 command, 2 status, 3 data-in, 4 data-out). */
static const uint8_t DEVICE[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0xf4, 0x46, 0x03, 0x00, 0x00, 0x01, 1, 2, 3, 1 };
static const uint8_t CONFIG[85] = {
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
static const uint8_t GET_DEVICE[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
static const uint8_t GET_CONFIG[8] = { 0x80, 0x06, 0x00, 0x02, 0, 0, 85, 0 };
static const uint8_t SET_CONFIG[8] = { 0x00, 0x09, 0x01, 0x00, 0, 0, 0, 0 };
static const uint8_t SET_ALT1[8] = { 0x01, 0x0b, 0x01, 0x00, 0, 0, 0, 0 };
static const uint8_t EPS[] = { 0x01, 0x82, 0x83, 0x04, 0x82, 0x83, 0x00, 0x80 };

FUZZ_ENTRY(uas)
{
	struct fuzz_dec dec;
	struct fuzz_stream s = { &dec, 0, 1700000000000000000LL };

	if (fuzz_dec_open(&dec) == 0) {
		fuzz_control(&s, GET_DEVICE, DEVICE, sizeof(DEVICE));
		fuzz_control(&s, GET_CONFIG, CONFIG, sizeof(CONFIG));
		fuzz_control(&s, SET_CONFIG, NULL, 0);
		fuzz_control(&s, SET_ALT1, NULL, 0);
		fuzz_records(&s, EPS, sizeof(EPS), data, size);
	}
	fuzz_dec_close(&dec);
	return 0;
}
