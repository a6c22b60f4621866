/* test_text_vs_pcap.c - the usbmon text capture and the pcap of one rig session decode to the same SCSI command sequence. */
#include "golden.h"

/*
 * The rig records each session twice: tcpdump into a pcap and `cat
 * usbmon/Nu` into a text file, started a moment later (samples/README.md).
 * So the text's SCSI transactions must equal the tail of the pcap's, one
 * for one: opcode, CDB, tag, LUN, LBA and blocks, status, CSW status and
 * residue, sense and how it was found, bytes expected and moved.  The text
 * keeps at most 32 data bytes of each URB, so payload hashes differ; the
 * moved byte counts may not.
 */

struct pair {
	const char *pcap, *text;
};

static void compare(const char *pcap, const char *text)
{
	struct gcol a, b;
	size_t off;

	if (!g_decode(pcap, &a))
		cr_skip_test("%s is absent (../shared not beside the source tree?)", pcap);
	cr_assert(g_decode(text, &b), "%s is missing beside %s", text, pcap);
	cr_assert_gt(b.n, 20, "%s: %zu SCSI transactions, a rig session has more", text, b.n);
	cr_assert_geq(a.n, b.n, "%s: %zu SCSI transactions, the text capture has more (%zu)", pcap, a.n, b.n);
	off = a.n - b.n;
	for (size_t i = 0; i < b.n; i++) {
		const struct scsi_txn *x = &a.c[off + i].s, *y = &b.c[i].s;
		const struct cdb_info *cx = &a.c[off + i].ci, *cy = &b.c[i].ci;
		const char *nm = cy->name;
		uint64_t fx = x->frame, fy = y->frame;

#define SAME(field, what) \
	cr_assert_eq(x->field, y->field, "%s frame %" PRIu64 " / %s frame %" PRIu64 " (%s): " what " differs", pcap, fx, \
		     text, fy, nm)
		cr_assert_eq(x->cdb_len, y->cdb_len, "%s frame %" PRIu64 " / %s frame %" PRIu64 ": CDB length", pcap, fx,
			     text, fy);
		cr_assert_eq(memcmp(x->cdb, y->cdb, x->cdb_len), 0, "%s frame %" PRIu64 " (%s) / %s frame %" PRIu64
			     " (%s): the CDB differs", pcap, fx, cx->name, text, fy, nm);
		SAME(transport, "transport");
		SAME(tag, "tag");
		SAME(lun, "LUN");
		cr_assert_eq(cx->has_lba, cy->has_lba);
		cr_assert_eq(cx->lba, cy->lba, "%s frame %" PRIu64 ": LBA", pcap, fx);
		cr_assert_eq(cx->blocks, cy->blocks, "%s frame %" PRIu64 ": blocks", pcap, fx);
		SAME(direction, "direction");
		SAME(expected_bytes, "expected bytes");
		SAME(data.bytes, "the number of bytes moved");
		SAME(status, "status");
		SAME(csw_status, "CSW status");
		SAME(residue, "residue");
		SAME(uas_response, "UAS response");
		SAME(end, "how it ended");
		SAME(sense.source, "sense source");
		SAME(sense.key, "sense key");
		SAME(sense.asc, "ASC");
		SAME(sense.ascq, "ASCQ");
		SAME(data_inferred, "data association");
#undef SAME
	}
	gcol_free(&a);
	gcol_free(&b);
}

Test(text_vs_pcap, samples_bot_ehci) { compare("samples/bot-ehci.pcap", "samples/bot-ehci.usbmon.txt"); }
Test(text_vs_pcap, samples_uas_ehci) { compare("samples/uas-ehci.pcap", "samples/uas-ehci.usbmon.txt"); }
Test(text_vs_pcap, samples_uas_xhci) { compare("samples/uas-xhci.pcap", "samples/uas-xhci.usbmon.txt"); }
Test(text_vs_pcap, samples_uas_xhci_concurrent)
{
	compare("samples/uas-xhci-concurrent.pcap", "samples/uas-xhci-concurrent.usbmon.txt");
}
Test(text_vs_pcap, rig_bot_xhci)
{
	compare("../shared/captures/rig/bot-xhci.pcap", "../shared/captures/rig/bot-xhci.usbmon.txt");
}
Test(text_vs_pcap, rig_uas_ehci)
{
	compare("../shared/captures/rig/uas-ehci.pcap", "../shared/captures/rig/uas-ehci.usbmon.txt");
}
Test(text_vs_pcap, rig_libusb_bot)
{
	compare("../shared/captures/rig/libusb-bot.pcap", "../shared/captures/rig/libusb-bot.usbmon.txt");
}
Test(text_vs_pcap, rig_libusb_uas)
{
	compare("../shared/captures/rig/libusb-uas.pcap", "../shared/captures/rig/libusb-uas.usbmon.txt");
}
