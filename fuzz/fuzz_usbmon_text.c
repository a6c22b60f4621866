/* fuzz_usbmon_text.c - libFuzzer target: any bytes through the usbmon_text reader alone (no format detection) and the events renderers. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(usbmon_text)
{
	return fuzz_reader(data, size, CAP_FORMAT_USBMON_TEXT);
}
