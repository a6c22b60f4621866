/* fuzz_bot.c - libFuzzer target: the Bulk-Only decoder fed directly: a fixed enumeration, then any events on its bulk and control pipes, with every check and renderer. */
#include "fuzz/devices.h"
#include "fuzz/stream.h"

/* fuzz/devices.h's device in alternate setting 0: Bulk-Only on 81h and 02h. */
static const uint8_t EPS[] = { 0x81, 0x02, 0x81, 0x02, 0x81, 0x02, 0x00, 0x80 };

FUZZ_ENTRY(bot)
{
	struct fuzz_dec dec;
	struct fuzz_stream s = { &dec, 0, 1700000000000000000LL };

	if (fuzz_dec_open(&dec) == 0) {
		fuzz_control(&s, SETUP_GET_DEVICE, STORAGE_DEVICE, sizeof(STORAGE_DEVICE));
		fuzz_control(&s, SETUP_GET_CONFIG, STORAGE_CONFIG, sizeof(STORAGE_CONFIG));
		fuzz_control(&s, SETUP_SET_CONFIG, NULL, 0);
		fuzz_records(&s, EPS, sizeof(EPS), data, size);
	}
	fuzz_dec_close(&dec);
	return 0;
}
