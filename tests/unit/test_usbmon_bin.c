/* test_usbmon_bin.c - pcap files with usbmon headers (link types 189 and 220), both byte orders, and damaged pcap files. */
#include "testlib.h"

static const uint8_t cbw[31] = {
	0x55, 0x53, 0x42, 0x43, 0x01, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x80, 0x00, 0x06, 0x12,
	0x00, 0x00, 0x00, 0x24, 0x00,
};

/* A tiny BOT INQUIRY exchange as usbmon events. */
static size_t bot_events(struct usb_event *ev, uint8_t *inq)
{
	static const uint8_t setup[8] = { 0xa1, 0xfe, 0, 0, 0, 0, 1, 0 };
	size_t n = 0;

	for (int i = 0; i < 36; i++)
		inq[i] = (uint8_t)i;
	ev[n] = mk_usb('S', USB_XFER_CONTROL, 2, 3, 0x80, 0x1000, -115, 1, NULL, 0, 1000000000LL);
	ev[n].has_setup = true;
	memcpy(ev[n++].setup, setup, 8);
	ev[n++] = mk_usb('C', USB_XFER_CONTROL, 2, 3, 0x80, 0x1000, 0, 1, "\x00", 1, 1000100000LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 2, 3, 0x02, 0x2000, -115, 31, cbw, 31, 1000200000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x02, 0x2000, 0, 31, NULL, 0, 1000300123LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 2, 3, 0x81, 0x3000, -115, 36, NULL, 0, 1000400000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x81, 0x3000, 0, 36, inq, 36, 1000500000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 2, 3, 0x81, 0x4000, -32, 0, NULL, 0, 1000600000LL);
	return n;
}

static void check_roundtrip(int linktype, bool be, bool ns)
{
	struct usb_event ev[8];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb;
	struct rec_list l;

	build_pcap(&sb, linktype, be, ns, ev, n, 65535);
	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, n);
	cr_assert_eq(l.info.format, CAP_FORMAT_PCAP);
	cr_assert_eq(l.info.linktype, linktype);
	cr_assert_eq(l.info.big_endian, be);
	for (size_t i = 0; i < n; i++) {
		const struct usb_event *e = &l.recs[i].u.usb;
		cr_assert_eq(l.recs[i].kind, CAP_REC_USB);
		cr_assert_eq(e->frame, i + 1);
		cr_assert_eq(e->urb_id, ev[i].urb_id);
		cr_assert_eq(e->type, ev[i].type);
		cr_assert_eq(e->xfer, ev[i].xfer);
		cr_assert_eq(e->bus, 2);
		cr_assert_eq(e->device, 3);
		cr_assert_eq(e->endpoint, ev[i].endpoint);
		cr_assert_eq(e->status, ev[i].status);
		cr_assert_eq(e->length, ev[i].length);
		cr_assert_eq(e->caplen, ev[i].caplen);
		cr_assert_eq(e->truncated, false);
		cr_assert_eq(e->has_setup, ev[i].has_setup);
		cr_assert_eq(e->source, linktype == LINKTYPE_USB_LINUX ? USB_SRC_USBMON : USB_SRC_USBMON_MMAPPED);
		/* microsecond files keep microseconds */
		cr_assert_eq(e->ts_ns, ns ? ev[i].ts_ns : ev[i].ts_ns / 1000 * 1000);
		if (ev[i].caplen)
			cr_assert_eq(memcmp(e->data, ev[i].data, ev[i].caplen), 0);
	}
	cr_assert_eq(memcmp(l.recs[0].u.usb.setup, ev[0].setup, 8), 0);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbmon_bin, dlt189_little_endian_us) { check_roundtrip(LINKTYPE_USB_LINUX, false, false); }
Test(usbmon_bin, dlt189_big_endian_ns) { check_roundtrip(LINKTYPE_USB_LINUX, true, true); }
Test(usbmon_bin, dlt220_little_endian_ns) { check_roundtrip(LINKTYPE_USB_LINUX_MMAPPED, false, true); }
Test(usbmon_bin, dlt220_big_endian_us) { check_roundtrip(LINKTYPE_USB_LINUX_MMAPPED, true, false); }

Test(usbmon_bin, snaplen_cut_marks_truncated)
{
	uint8_t big[4096];
	struct usb_event ev = mk_usb('S', USB_XFER_BULK, 1, 5, 0x02, 9, -115, sizeof(big), big, sizeof(big), 5);
	struct strbuf sb;
	struct rec_list l;

	memset(big, 0xab, sizeof(big));
	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, false, false, &ev, 1, 64 + 1000);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.recs[0].u.usb.length, 4096);
	cr_assert_eq(l.recs[0].u.usb.data_len, 4096);
	cr_assert_eq(l.recs[0].u.usb.caplen, 1000);
	cr_assert(l.recs[0].u.usb.truncated);
	cr_assert_eq(l.recs[0].u.usb.frame_len, 64 + 4096);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(usbmon_bin, iso_descriptors_are_read)
{
	struct usb_iso_desc iso[3] = { { 0, 0, 192 }, { -18, 192, 100 }, { 0, 384, 192 } };
	uint8_t data[576] = { 0 };
	struct usb_event ev = mk_usb('C', USB_XFER_ISO, 1, 7, 0x83, 11, 0, 484, data, sizeof(data), 5);
	struct strbuf sb;
	struct rec_list l;

	ev.iso = iso;
	ev.iso_ndesc = 3;
	ev.interval = 1;
	ev.start_frame = 1234;
	ev.iso_error_count = 1;
	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, false, false, &ev, 1, 65535);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.recs[0].u.usb.iso_ndesc, 3);
	cr_assert_eq(l.recs[0].u.usb.start_frame, 1234);
	cr_assert_eq(l.recs[0].u.usb.iso_error_count, 1);
	cr_assert_eq(l.recs[0].u.usb.caplen, sizeof(data));
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- damaged files ---- */

Test(bad_input, empty_file)
{
	struct rec_list l;

	cr_assert_eq(read_all_mem("", 0, &l), -1);
	cr_assert(strstr(errtext(&l.err), "test.cap: offset 0: the file is empty"), "%s", errtext(&l.err));
}

Test(bad_input, not_a_capture)
{
	static const char html[] = "<html><body>hello</body></html>\n";
	struct rec_list l;

	cr_assert_eq(read_all_mem(html, sizeof(html) - 1, &l), -1);
	cr_assert(strstr(errtext(&l.err), "not a capture file"), "%s", errtext(&l.err));
	cr_assert(strstr(errtext(&l.err), "3c 68 74 6d"), "names the first bytes: %s", errtext(&l.err));
}

Test(bad_input, pcap_cut_mid_record_keeps_what_came_before)
{
	struct usb_event ev[8];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb;
	struct rec_list l;
	size_t full;

	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, false, false, ev, n, 65535);
	full = sb.len;
	/* cut 10 bytes into the last record's data */
	sb.len = full - (64 + 0) - 16 + 10;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, n - 1, "every record before the damage is delivered");
	cr_assert_eq(l.err.frame, n);
	cr_assert_neq(l.err.offset, ERROR_NO_OFFSET);
	cr_assert(strstr(errtext(&l.err), "frame 7 (offset"), "%s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&sb);
}

Test(bad_input, pcap_header_cut)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapw_header(&sb, LINKTYPE_USB_LINUX, 65535, false, false);
	sb.len = 14;
	cr_assert_eq(read_all_sb(&sb, &l), -1);
	cr_assert(strstr(errtext(&l.err), "test.cap"), "%s", errtext(&l.err));
	sb_release(&sb);
}

Test(bad_input, unknown_link_type)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapw_header(&sb, 1, 65535, false, false);
	pcapw_record(&sb, 0, "abcdefghijklmn", 14, 14, false, false);
	cr_assert_eq(read_all_sb(&sb, &l), -1);
	cr_assert(strstr(errtext(&l.err), "link type 1 (EN10MB) is not a USB"), "%s", errtext(&l.err));
	sb_release(&sb);
}

Test(bad_input, usbmon_record_shorter_than_header)
{
	struct strbuf sb;
	struct rec_list l;
	uint8_t junk[20] = { 0 };

	sb_init(&sb);
	pcapw_header(&sb, LINKTYPE_USB_LINUX_MMAPPED, 65535, false, false);
	pcapw_record(&sb, 0, junk, sizeof(junk), sizeof(junk), false, false);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert(strstr(errtext(&l.err), "frame 1 (offset 24): usbmon record is 20 bytes"), "%s", errtext(&l.err));
	sb_release(&sb);
}

Test(bad_input, iso_descriptor_count_lies)
{
	struct usb_event ev = mk_usb('C', USB_XFER_ISO, 1, 7, 0x83, 11, 0, 0, NULL, 0, 5);
	struct strbuf sb, pkt = STRBUF_INIT;
	struct rec_list l;

	sb_init(&sb);
	sb_init(&pkt);
	usbw_usbmon(&pkt, &ev, true, false);
	/* ndesc at offset 60 claims a million descriptors */
	pkt.buf[60] = 0x40; pkt.buf[61] = 0x42; pkt.buf[62] = 0x0f;
	pcapw_header(&sb, LINKTYPE_USB_LINUX_MMAPPED, 65535, false, false);
	pcapw_record(&sb, 0, pkt.buf, (uint32_t)pkt.len, (uint32_t)pkt.len, false, false);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert(strstr(errtext(&l.err), "iso descriptors"), "%s", errtext(&l.err));
	sb_release(&sb);
	sb_release(&pkt);
}

Test(bad_input, pcap_caplen_beyond_what_the_header_allows)
{
	struct usb_event ev[8];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb;
	struct rec_list l;
	size_t third;

	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, false, false, ev, n, 65535);
	/* Third record's captured length: 256 MiB, far beyond the snapshot
	 * length and any link type's maximum. */
	third = 24 + (16 + 64 + 0) + (16 + 64 + 1);
	sb.buf[third + 8] = 0;
	sb.buf[third + 9] = 0;
	sb.buf[third + 10] = 0;
	sb.buf[third + 11] = 0x10;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 2, "the two records before are delivered");
	cr_assert(strstr(errtext(&l.err), "frame 3 (offset 185): damaged record: "), "%s", errtext(&l.err));
	cr_assert(strstr(errtext(&l.err), "268435456"), "names the length: %s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&sb);
}

Test(bad_input, pcap_caplen_larger_than_original_length)
{
	struct usb_event ev[8];
	uint8_t inq[36];
	size_t n = bot_events(ev, inq);
	struct strbuf sb;
	struct rec_list l;
	size_t first = 24;

	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, false, false, ev, n, 65535);
	/* First record: original length 10, captured 64.  The bytes are all
	 * there, so the record is read as it stands (Wireshark does too) and
	 * nothing beyond it is touched. */
	sb.buf[first + 12] = 10;
	sb.buf[first + 13] = 0;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, n);
	cr_assert_eq(l.recs[0].u.usb.frame_len, 10);
	cr_assert_eq(l.recs[0].u.usb.frame_caplen, 64, "caplen %u", l.recs[0].u.usb.frame_caplen);
	rec_list_free(&l);
	sb_release(&sb);
}
