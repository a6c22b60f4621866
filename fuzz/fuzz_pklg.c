/* fuzz_pklg.c - libFuzzer target: any bytes through the pklg reader alone (no format detection) and the events renderers. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(pklg)
{
	return fuzz_reader(data, size, CAP_FORMAT_PKLG);
}
