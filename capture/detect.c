/* detect.c - recognise a capture format from its content, never its name. */
#include "config.h"
#include "capture/reader.h"

#include <string.h>

enum cap_format cap_detect(const uint8_t *h, size_t n)
{
	if (n >= 4) {
		uint32_t be = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
		switch (be) {
		case 0xa1b2c3d4: case 0xd4c3b2a1:   /* pcap, microseconds */
		case 0xa1b23c4d: case 0x4d3cb2a1:   /* pcap, nanoseconds */
			return CAP_FORMAT_PCAP;
		case 0x0a0d0d0a:                    /* pcapng Section Header Block */
			return CAP_FORMAT_PCAPNG;
		}
	}
	if (n >= 8 && memcmp(h, "btsnoop\0", 8) == 0)
		return CAP_FORMAT_BTSNOOP;
	if (usbmon_text_probe(h, n))
		return CAP_FORMAT_USBMON_TEXT;
	if (pklg_probe(h, n))
		return CAP_FORMAT_PKLG;
	return CAP_FORMAT_UNKNOWN;
}
