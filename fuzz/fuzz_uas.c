/* fuzz_uas.c - libFuzzer target: the UAS decoder fed directly: a fixed enumeration (alternate setting 1, four pipes), then any events on its pipes, with every check and renderer. */
#include "fuzz/devices.h"
#include "fuzz/stream.h"

/* fuzz/devices.h's device in alternate setting 1: command 01h, status 82h,
 * data-in 83h, data-out 04h (the status and data pipes twice: they carry
 * most of the traffic). */
static const uint8_t EPS[] = { 0x01, 0x82, 0x83, 0x04, 0x82, 0x83, 0x00, 0x80 };

FUZZ_ENTRY(uas)
{
	struct fuzz_dec dec;
	struct fuzz_stream s = { &dec, 0, 1700000000000000000LL };

	if (fuzz_dec_open(&dec) == 0) {
		fuzz_control(&s, SETUP_GET_DEVICE, STORAGE_DEVICE, sizeof(STORAGE_DEVICE));
		fuzz_control(&s, SETUP_GET_CONFIG, STORAGE_CONFIG, sizeof(STORAGE_CONFIG));
		fuzz_control(&s, SETUP_SET_CONFIG, NULL, 0);
		fuzz_control(&s, SETUP_SET_ALT1, NULL, 0);
		fuzz_records(&s, EPS, sizeof(EPS), data, size);
	}
	fuzz_dec_close(&dec);
	return 0;
}
