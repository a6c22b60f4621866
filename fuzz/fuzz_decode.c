/* fuzz_decode.c - libFuzzer target: any bytes through detection, a reader, the whole decode pipeline with every lint check, and every transaction renderer. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(decode)
{
	struct fuzz_dec dec;
	struct cap *c;
	struct error err;

	if (cap_open_mem(data, size, "fuzz", &c, &err) < 0)
		return 0;
	if (fuzz_dec_open(&dec) == 0)
		fuzz_read_all(c, &dec);
	fuzz_dec_close(&dec);
	cap_close(c);
	return 0;
}
