/* fuzz_capture.c - libFuzzer target: any bytes through format detection (gzip included), every reader and the events renderers. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(capture)
{
	struct cap *c;
	struct error err;

	if (cap_open_mem(data, size, "fuzz", &c, &err) < 0)
		return 0;
	fuzz_read_all(c, NULL);
	cap_close(c);
	return 0;
}
