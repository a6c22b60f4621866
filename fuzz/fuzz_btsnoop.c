/* fuzz_btsnoop.c - libFuzzer target: any bytes through the btsnoop reader alone (no format detection) and the events renderers. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(btsnoop)
{
	return fuzz_reader(data, size, CAP_FORMAT_BTSNOOP);
}
