/* fuzz_bot.c - libFuzzer target: the Bulk-Only decoder fed directly: a fixed enumeration, then any events on its bulk and control pipes, with every check and renderer. */
#include "fuzz/stream.h"

/* USB 2.0 9.6.1/9.6.3/9.6.5/9.6.6: a high-speed device with one interface
 * of class 08h (mass storage), subclass 06h (SCSI), protocol 50h (BOT),
 * bulk IN 81h and OUT 02h. */
static const uint8_t DEVICE[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0x00, 0x01, 1, 2, 3, 1 };
static const uint8_t CONFIG[32] = {
	9, 2, 32, 0, 1, 1, 0, 0x80, 50,
	9, 4, 0, 0, 2, 0x08, 0x06, 0x50, 0,
	7, 5, 0x81, 2, 0x00, 0x02, 0,
	7, 5, 0x02, 2, 0x00, 0x02, 0,
};
static const uint8_t GET_DEVICE[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
static const uint8_t GET_CONFIG[8] = { 0x80, 0x06, 0x00, 0x02, 0, 0, 32, 0 };
static const uint8_t SET_CONFIG[8] = { 0x00, 0x09, 0x01, 0x00, 0, 0, 0, 0 };
static const uint8_t EPS[] = { 0x81, 0x02, 0x81, 0x02, 0x81, 0x02, 0x00, 0x80 };

FUZZ_ENTRY(bot)
{
	struct fuzz_dec dec;
	struct fuzz_stream s = { &dec, 0, 1700000000000000000LL };

	if (fuzz_dec_open(&dec) == 0) {
		fuzz_control(&s, GET_DEVICE, DEVICE, sizeof(DEVICE));
		fuzz_control(&s, GET_CONFIG, CONFIG, sizeof(CONFIG));
		fuzz_control(&s, SET_CONFIG, NULL, 0);
		fuzz_records(&s, EPS, sizeof(EPS), data, size);
	}
	fuzz_dec_close(&dec);
	return 0;
}
