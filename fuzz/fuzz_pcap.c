/* fuzz_pcap.c - libFuzzer target: any bytes through the pcap reader alone (no format detection) and the events renderers. */
#include "fuzz/fuzz.h"

FUZZ_ENTRY(pcap)
{
	return fuzz_reader(data, size, CAP_FORMAT_PCAP);
}
