/* fuzz_hci.c - libFuzzer target: any bytes as a stream of HCI packets straight into the Bluetooth decoder (commands, events, ACL/L2CAP/ATT/SMP, side-band records), every check and renderer. */
#include "fuzz/fuzz.h"

/*
 * Input: records of [kind][length][bytes] until the input ends.  kind's
 * low 4 bits pick the record type (enum hci_rec_type, 1..15), bit 4 the
 * direction (set: received), bit 5 a cut record (len > caplen), bits 6-7
 * how much time passes before it (0, 1 ms, 1 s, backwards).  length is
 * one byte, or (0xff) two more bytes little-endian.  A decoder with every
 * lint check and every renderer sees each packet, as decode would from a
 * PacketLogger file, without the file format in the way.
 */
FUZZ_ENTRY(hci)
{
	struct fuzz_dec f;
	size_t i = 0;
	uint64_t frame = 0;
	int64_t ts = 1000000000;

	if (fuzz_dec_open(&f) < 0) {
		fuzz_dec_close(&f);
		return 0;
	}
	while (i + 2 <= size && frame < FUZZ_RECORDS_MAX) {
		struct hci_record r = { 0 };
		uint8_t kind = data[i++];
		size_t len = data[i++];

		if (len == 0xff) {
			if (i + 2 > size)
				break;
			len = (size_t)data[i] | (size_t)data[i + 1] << 8;
			i += 2;
		}
		if (len > size - i)
			len = size - i;
		switch (kind >> 6) {
		case 1: ts += 1000000; break;
		case 2: ts += 1000000000; break;
		case 3: ts -= 5000000; break;
		default: break;
		}
		r.frame = ++frame;
		r.ts_ns = ts;
		r.source = HCI_SRC_PKLG;
		r.type = (uint8_t)((kind & 0x0f) ? (kind & 0x0f) : HCI_REC_ACL);
		r.dir = (kind & 0x10) ? HCI_DIR_RECV : HCI_DIR_SENT;
		r.data = len ? data + i : NULL;
		r.caplen = (uint32_t)len;
		r.len = (kind & 0x20) ? (uint32_t)len + 100 : (uint32_t)len;
		r.truncated = r.len > r.caplen;
		decoder_feed_hci(f.dec, &r);
		i += len;
	}
	fuzz_dec_close(&f);
	return 0;
}
