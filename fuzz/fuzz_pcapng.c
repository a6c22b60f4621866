/* fuzz_pcapng.c - libFuzzer target: any bytes through the pcapng reader alone (no format detection) and the events renderers. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(pcapng)
{
	return fuzz_reader(data, size, CAP_FORMAT_PCAPNG);
}
