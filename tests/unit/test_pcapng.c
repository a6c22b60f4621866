/* test_pcapng.c - the pcapng block reader: Wireshark's frame numbers, mixed link types, sections, time stamps, damage, and libpcap's records on the files libpcap can read. */
#include "tshark_cmp.h"

#include "libpcap_ref.h"

/*
 * Every pcapng file is read by capture/pcapng_own.c.  Where libpcap can read
 * a file too (one link type), it is the independent reference for the
 * records: read_lib_mem() reads the same bytes with pcap_next_ex() and
 * normalizes each packet with cap_parse_linktype(), and assert_same_list()
 * compares every field.  Frame numbers follow Wireshark instead (libpcap
 * hides some of the blocks Wireshark counts), checked against tshark when
 * it is on PATH and against numbers worked out from the file layout.
 */

#define LE false
#define BE true

#define BT_PB  0x00000002u
#define BT_NRB 0x00000004u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BT_SJE 0x00000009u
#define BT_CB  0x00000BADu
#define BT_CB_NOCOPY 0x40000BADu

/* ---------------------------------------------------------------- helpers */

/* A fixed set of usbmon events: control, bulk CBW, bulk data in, a stall. */
static const uint8_t cbw[31] = {
	0x55, 0x53, 0x42, 0x43, 0x07, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x80, 0x00, 0x06, 0x12,
	0x00, 0x00, 0x00, 0x24, 0x00,
};
static uint8_t inq[36];

static size_t usb_events(struct usb_event *ev)
{
	static const uint8_t setup[8] = { 0x80, 0x06, 0, 1, 0, 0, 18, 0 };
	size_t n = 0;

	for (int i = 0; i < 36; i++)
		inq[i] = (uint8_t)(0xa0 + i);
	ev[n] = mk_usb('S', USB_XFER_CONTROL, 3, 7, 0x80, 0x11110001, -115, 18, NULL, 0, 1700000000000000000LL);
	ev[n].has_setup = true;
	memcpy(ev[n++].setup, setup, 8);
	ev[n++] = mk_usb('C', USB_XFER_CONTROL, 3, 7, 0x80, 0x11110001, 0, 18, inq, 18, 1700000000000100000LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 3, 7, 0x02, 0x22220002, -115, 31, cbw, 31, 1700000000000200000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 3, 7, 0x02, 0x22220002, 0, 31, NULL, 0, 1700000000000300000LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 3, 7, 0x81, 0x33330003, -115, 36, NULL, 0, 1700000000000400000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 3, 7, 0x81, 0x33330003, 0, 36, inq, 36, 1700000000000500000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 3, 7, 0x81, 0x44440004, -32, 0, NULL, 0, 1700000000000600000LL);
	return n;
}

/* An Ethernet frame (ARP request) for the non-USB interface. */
static const uint8_t eth[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xc0, 0xa8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0xa8, 0x00, 0x02,
};

/* Append one usbmon event as an EPB on interface iface. */
static void epb_usb(struct strbuf *sb, bool be, uint32_t iface, const struct usb_event *ev, bool mmapped,
		    int tsresol)
{
	struct strbuf pkt = STRBUF_INIT;
	uint32_t len;

	sb_init(&pkt);
	len = usbw_usbmon(&pkt, ev, mmapped, be);
	pcapngw_epb(sb, be, iface, ev->ts_ns, tsresol, pkt.buf, (uint32_t)pkt.len, len);
	sb_release(&pkt);
}

static void epb_eth(struct strbuf *sb, bool be, uint32_t iface, int64_t ts_ns)
{
	pcapngw_epb(sb, be, iface, ts_ns, 6, eth, sizeof(eth), sizeof(eth));
}

/* An EPB with raw time-stamp words. */
static void epb_raw(struct strbuf *sb, bool be, uint32_t iface, uint32_t hi, uint32_t lo, const void *data,
		    uint32_t caplen, uint32_t len)
{
	struct strbuf body = STRBUF_INIT;

	sb_init(&body);
	if (be) {
		sb_add_be32(&body, iface); sb_add_be32(&body, hi); sb_add_be32(&body, lo);
		sb_add_be32(&body, caplen); sb_add_be32(&body, len);
	} else {
		sb_add_le32(&body, iface); sb_add_le32(&body, hi); sb_add_le32(&body, lo);
		sb_add_le32(&body, caplen); sb_add_le32(&body, len);
	}
	sb_add(&body, data, caplen);
	pcapngw_block(sb, be, BT_EPB, body.buf, (uint32_t)body.len);
	sb_release(&body);
}

/* An IDB with explicit options: if_tsresol (if tsresol >= 0) and if_tsoffset (if has_off). */
static void idb_opts(struct strbuf *sb, bool be, int linktype, uint32_t snaplen, int tsresol, bool has_off,
		     int64_t tsoffset)
{
	struct strbuf b = STRBUF_INIT;

	sb_init(&b);
#define P16(v) (be ? sb_add_be16(&b, (uint16_t)(v)) : sb_add_le16(&b, (uint16_t)(v)))
#define P32(v) (be ? sb_add_be32(&b, (uint32_t)(v)) : sb_add_le32(&b, (uint32_t)(v)))
	P16(linktype); P16(0); P32(snaplen);
	if (has_off) {
		P16(14); P16(8);
		if (be) sb_add_be64(&b, (uint64_t)tsoffset); else sb_add_le64(&b, (uint64_t)tsoffset);
	}
	if (tsresol >= 0) {
		P16(9); P16(1); sb_add_u8(&b, (uint8_t)tsresol); sb_add_zeros(&b, 3);
	}
	P16(0); P16(0);
#undef P16
#undef P32
	pcapngw_block(sb, be, 1, b.buf, (uint32_t)b.len);
	sb_release(&b);
}


/* The event as written, compared with what was read (fields the writer keeps). */
static void assert_event_as_written(const struct usb_event *got, const struct usb_event *want, bool us)
{
	cr_assert_eq(got->urb_id, want->urb_id, "urb id %llx vs %llx", (unsigned long long)got->urb_id,
		     (unsigned long long)want->urb_id);
	cr_assert_eq(got->type, want->type);
	cr_assert_eq(got->xfer, want->xfer);
	cr_assert_eq(got->bus, want->bus);
	cr_assert_eq(got->device, want->device);
	cr_assert_eq(got->endpoint, want->endpoint);
	cr_assert_eq(got->status, want->status);
	cr_assert_eq(got->length, want->length);
	cr_assert_eq(got->caplen, want->caplen);
	cr_assert_eq(got->has_setup, want->has_setup);
	if (want->has_setup)
		cr_assert_eq(memcmp(got->setup, want->setup, 8), 0);
	if (want->caplen)
		cr_assert_eq(memcmp(got->data, want->data, want->caplen), 0);
	cr_assert_eq(got->ts_ns, us ? want->ts_ns / 1000 * 1000 : want->ts_ns);
}

/* ------------------------------------------------- mixed link types */

/* SHB; IDB 0 usbmon (220), IDB 1 Ethernet; packets in the order of `pattern`
 * ('U' next USB event, 'E' Ethernet). */
static size_t build_mixed(struct strbuf *sb, bool be, const char *pattern, const struct usb_event *ev)
{
	size_t u = 0;

	sb_init(sb);
	pcapngw_shb(sb, be);
	pcapngw_idb(sb, be, LINKTYPE_USB_LINUX_MMAPPED, 262144, 9);
	pcapngw_idb(sb, be, 1, 262144, 6);
	for (const char *p = pattern; *p; p++) {
		if (*p == 'U')
			epb_usb(sb, be, 0, &ev[u++], true, 9);
		else
			epb_eth(sb, be, 1, 1700000000000000000LL + (p - pattern));
	}
	return u;
}

/* The same USB events alone, one interface: a file libpcap reads too. */
static void build_usb_only(struct strbuf *sb, bool be, const struct usb_event *ev, size_t n, int tsresol)
{
	sb_init(sb);
	pcapngw_shb(sb, be);
	pcapngw_idb(sb, be, LINKTYPE_USB_LINUX_MMAPPED, 262144, tsresol);
	for (size_t i = 0; i < n; i++)
		epb_usb(sb, be, 0, &ev[i], true, tsresol);
}

static const char mixed_pattern[] = "UEUUEEUUEUU";
static const uint64_t mixed_usb_frames[] = { 1, 3, 4, 7, 8, 10, 11 };

Test(pcapng_mixed, usb_delivered_ethernet_skipped_and_counted)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	struct strbuf sb;
	struct rec_list l;

	cr_assert_eq(build_mixed(&sb, LE, mixed_pattern, ev), n);
	cr_assert_eq(read_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, n);
	cr_assert_eq(l.frames, 11);
	cr_assert_eq(l.skipped, 4);
	cr_assert_eq(l.info.format, CAP_FORMAT_PCAPNG);
	cr_assert_eq(l.info.linktype, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(l.info.snaplen, 262144);
	cr_assert_eq(l.info.big_endian, false);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(l.recs[i].kind, CAP_REC_USB);
		cr_assert_eq(l.recs[i].u.usb.frame, mixed_usb_frames[i], "event %zu: frame %llu", i,
			     (unsigned long long)l.recs[i].u.usb.frame);
		assert_event_as_written(&l.recs[i].u.usb, &ev[i], false);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(pcapng_mixed, info_is_known_right_after_open)
{
	struct usb_event ev[8];
	struct strbuf sb;
	struct cap *c;
	struct error err;
	struct cap_record r;

	usb_events(ev);
	/* the first interface is Ethernet: the info names the first USB one */
	sb_init(&sb);
	pcapngw_shb(&sb, BE);
	pcapngw_idb(&sb, BE, 1, 0, 6);
	pcapngw_idb(&sb, BE, LINKTYPE_USB_LINUX_MMAPPED, 4096, 6);
	epb_eth(&sb, BE, 0, 1);
	epb_usb(&sb, BE, 1, &ev[0], true, 6);
	cr_assert_eq(cap_open_mem(sb.buf, sb.len, "x", &c, &err), 0, "%s", errtext(&err));
	cr_assert_eq(cap_get_info(c)->format, CAP_FORMAT_PCAPNG);
	cr_assert_eq(cap_get_info(c)->linktype, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(cap_get_info(c)->snaplen, 4096);
	cr_assert(cap_get_info(c)->big_endian);
	cr_assert_eq(cap_frames_seen(c), 0, "open reads the blocks before the first frame only");
	cr_assert_eq(cap_next(c, &r, &err), 1, "%s", errtext(&err));
	cr_assert_eq(r.u.usb.frame, 2);
	cr_assert_eq(cap_frames_skipped(c), 1);
	cap_close(c);
	sb_release(&sb);
}

Test(pcapng_mixed, gives_what_libpcap_gives_for_the_usb_only_file)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	struct strbuf mixed, only;
	struct rec_list lm, lo, lib;

	build_mixed(&mixed, LE, mixed_pattern, ev);
	build_usb_only(&only, LE, ev, n, 9);
	cr_assert_eq(read_sb(&mixed, &lm), 0);
	cr_assert_eq(read_sb(&only, &lo), 0);
	cr_assert_eq(read_lib_sb(&only, &lib), 0, "%s", errtext(&lib.err));
	cr_assert_eq(lm.rc, 0, "%s", errtext(&lm.err));
	/* the USB-only file: libpcap and we agree in every field, frames included */
	assert_same_as_libpcap(&lo, &lib, true, "usb-only");
	/* the mixed file: the same events, numbered around the Ethernet frames */
	cr_assert_eq(lm.n, lib.n);
	assert_same_records(&lm, 0, &lib, false, "mixed");
	for (size_t i = 0; i < lm.n; i++)
		cr_assert_eq(lm.recs[i].u.usb.frame, mixed_usb_frames[i]);
	rec_list_free(&lm);
	rec_list_free(&lo);
	rec_list_free(&lib);
	sb_release(&mixed);
	sb_release(&only);
}

Test(pcapng_mixed, ethernet_interface_added_mid_file)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	struct strbuf sb;
	struct rec_list l, lib;
	size_t head;
	/* USB only at first, then an Ethernet IDB: libpcap stops there */
	static const uint64_t want_frames[] = { 1, 2, 3, 5, 7, 8, 10 };

	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 262144, 6);
	for (size_t i = 0; i < 3; i++)
		epb_usb(&sb, LE, 0, &ev[i], true, 6);
	head = sb.len;
	pcapngw_idb(&sb, LE, 1, 262144, 6);
	epb_eth(&sb, LE, 1, 5);
	epb_usb(&sb, LE, 0, &ev[3], true, 6);
	epb_eth(&sb, LE, 1, 6);
	epb_usb(&sb, LE, 0, &ev[4], true, 6);
	epb_usb(&sb, LE, 0, &ev[5], true, 6);
	epb_eth(&sb, LE, 1, 7);
	epb_usb(&sb, LE, 0, &ev[6], true, 6);

	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, n);
	cr_assert_eq(l.frames, 10);
	cr_assert_eq(l.skipped, 3);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(l.recs[i].u.usb.frame, want_frames[i]);
		assert_event_as_written(&l.recs[i].u.usb, &ev[i], true);
	}
	/* the part before the Ethernet IDB is a file libpcap reads: same records */
	cr_assert_eq(read_lib_mem(sb.buf, head, &lib), 0, "%s", errtext(&lib.err));
	cr_assert_eq(lib.rc, 0, "%s", errtext(&lib.err));
	cr_assert_eq(lib.n, 3);
	assert_same_records(&l, 0, &lib, true, "first three");
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
}

Test(pcapng_mixed, only_ethernet_is_an_error_naming_the_link_types)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, 1, 262144, 6);
	pcapngw_idb(&sb, LE, 105, 262144, 6);
	epb_eth(&sb, LE, 0, 1);
	epb_eth(&sb, LE, 1, 2);
	epb_eth(&sb, LE, 0, 3);
	cr_assert_eq(read_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 0);
	cr_assert_eq(l.frames, 3);
	cr_assert_eq(l.skipped, 3);
	cr_assert(strstr(l.err.msg, "no USB or Bluetooth HCI packets"), "%s", errtext(&l.err));
	cr_assert(strstr(l.err.msg, "link types 1 (EN10MB), 105"), "%s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&sb);
}

Test(pcapng_mixed, usb_capture_without_packets_is_fine)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX, 0, 6);
	pcapngw_idb(&sb, LE, 1, 0, 6);
	cr_assert_eq(read_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 0);
	cr_assert_eq(l.info.linktype, LINKTYPE_USB_LINUX);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ------------------------------------------------ one link type: libpcap */

Test(pcapng_libpcap, big_endian_usbmon_equals_libpcap)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	struct strbuf sb;
	struct rec_list l, lib;

	build_usb_only(&sb, BE, ev, n, 6);
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.info.format, CAP_FORMAT_PCAPNG);
	cr_assert(l.info.big_endian);
	cr_assert_eq(l.n, n);
	for (size_t i = 0; i < n; i++)
		assert_event_as_written(&l.recs[i].u.usb, &ev[i], true);
	/* libpcap swapped the big-endian usbmon headers; we pass swapped = true: same events */
	cr_assert_eq(read_lib_sb(&sb, &lib), 0, "%s", errtext(&lib.err));
	assert_same_as_libpcap(&l, &lib, true, "big-endian");
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
}

Test(pcapng_libpcap, usbmon_48_byte_header_both_byte_orders)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);

	for (int be = 0; be < 2; be++) {
		struct strbuf sb;
		sb_init(&sb);
		pcapngw_shb(&sb, be);
		pcapngw_idb(&sb, be, LINKTYPE_USB_LINUX, 0, 9);
		for (size_t i = 0; i < n; i++)
			epb_usb(&sb, be, 0, &ev[i], false, 9);
		check_against_libpcap(&sb, be ? "189 big-endian" : "189 little-endian");
		sb_release(&sb);
	}
}

Test(pcapng_libpcap, other_usb_link_types)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	static const int types[] = { LINKTYPE_USBPCAP, LINKTYPE_USB_DARWIN };

	for (size_t t = 0; t < 2; t++) {
		struct strbuf sb, pkt = STRBUF_INIT;
		sb_init(&sb);
		pcapngw_shb(&sb, LE);
		pcapngw_idb(&sb, LE, types[t], 0, 6);
		for (size_t i = 0; i < n; i++) {
			uint32_t len;
			sb_init(&pkt);
			len = types[t] == LINKTYPE_USBPCAP ? usbw_usbpcap(&pkt, &ev[i]) : usbw_darwin(&pkt, &ev[i]);
			pcapngw_epb(&sb, LE, 0, ev[i].ts_ns, 6, pkt.buf, (uint32_t)pkt.len, len);
			sb_release(&pkt);
		}
		check_against_libpcap(&sb, types[t] == LINKTYPE_USBPCAP ? "USBPcap" : "Darwin");
		sb_release(&sb);
	}
}

/* Blocks libpcap hides: its packet numbers drift from Wireshark's, ours do not. */
Test(pcapng_libpcap, hidden_frame_blocks_keep_wiresharks_numbers)
{
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l, lib;
	static const char cb[] = "\x00\x00\x7e\xd9" "custom";   /* PEN 32473 (documentation) */
	static const char sje[] = "__REALTIME_TIMESTAMP=1000000\nMESSAGE=x\n";

	usb_events(ev);
	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	epb_usb(&sb, LE, 0, &ev[0], true, 6);                         /* 1 */
	pcapngw_block(&sb, LE, BT_CB, cb, sizeof(cb) - 1);            /* 2 */
	epb_usb(&sb, LE, 0, &ev[1], true, 6);                         /* 3 */
	pcapngw_block(&sb, LE, BT_SJE, sje, sizeof(sje) - 1);         /* 4 */
	pcapngw_block(&sb, LE, BT_CB_NOCOPY, cb, sizeof(cb) - 1);     /* 5 */
	epb_usb(&sb, LE, 0, &ev[2], true, 6);                         /* 6 */
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(read_lib_sb(&sb, &lib), 0, "%s", errtext(&lib.err));
	assert_same_as_libpcap(&l, &lib, false, "hidden blocks");
	cr_assert_eq(lib.frames, 3, "libpcap returns the three packets only");
	cr_assert_eq(l.frames, 6);
	cr_assert_eq(l.skipped, 3);
	cr_assert_eq(l.recs[0].u.usb.frame, 1);
	cr_assert_eq(l.recs[1].u.usb.frame, 3);
	cr_assert_eq(l.recs[2].u.usb.frame, 6);
	cr_assert_eq(lib.recs[2].u.usb.frame, 3);
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
}

/* ------------------------------------------------------------ sections */

static void check_two_sections(bool first_be)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	struct strbuf sb;
	struct rec_list l, lib;
	size_t first;

	sb_init(&sb);
	pcapngw_shb(&sb, first_be);
	pcapngw_idb(&sb, first_be, LINKTYPE_USB_LINUX_MMAPPED, 262144, 9);
	for (size_t i = 0; i < 3; i++)
		epb_usb(&sb, first_be, 0, &ev[i], true, 9);
	first = sb.len;
	pcapngw_shb(&sb, !first_be);
	/* the new section has its own interfaces: 0 is Ethernet, 1 is usbmon 189 */
	pcapngw_idb(&sb, !first_be, 1, 262144, 9);
	pcapngw_idb(&sb, !first_be, LINKTYPE_USB_LINUX, 262144, 9);
	for (size_t i = 3; i < n; i++) {
		epb_usb(&sb, !first_be, 1, &ev[i], false, 9);
		epb_eth(&sb, !first_be, 0, 9);
	}
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.info.big_endian, first_be);
	cr_assert_eq(l.info.linktype, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(l.n, n);
	cr_assert_eq(l.frames, 3 + 2 * (n - 3));
	cr_assert_eq(l.skipped, n - 3);
	for (size_t i = 0; i < n; i++) {
		const struct usb_event *e = &l.recs[i].u.usb;
		assert_event_as_written(e, &ev[i], false);
		cr_assert_eq(e->source, i < 3 ? USB_SRC_USBMON_MMAPPED : USB_SRC_USBMON);
		cr_assert_eq(e->frame, i < 3 ? i + 1 : 4 + 2 * (i - 3));
	}
	/* spot checks of swapped multi-byte fields */
	cr_assert_eq(l.recs[4].u.usb.urb_id, 0x33330003u);
	cr_assert_eq(l.recs[6].u.usb.status, -32);
	cr_assert_eq(l.recs[5].u.usb.length, 36);
	cr_assert_eq(l.recs[5].u.usb.bus, 3);
	/* the first section alone is a file libpcap reads */
	cr_assert_eq(read_lib_mem(sb.buf, first, &lib), 0, "%s", errtext(&lib.err));
	cr_assert_eq(lib.rc, 0, "%s", errtext(&lib.err));
	cr_assert_eq(lib.n, 3);
	assert_same_records(&l, 0, &lib, true, "first section");
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
}

Test(pcapng_sections, little_then_big_endian) { check_two_sections(false); }
Test(pcapng_sections, big_then_little_endian) { check_two_sections(true); }

Test(pcapng_sections, new_section_forgets_interfaces)
{
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l;
	size_t off;

	usb_events(ev);
	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	epb_usb(&sb, LE, 1, &ev[0], true, 6);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	off = sb.len;
	epb_usb(&sb, LE, 1, &ev[1], true, 6);    /* interface 1 was in the old section */
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.err.frame, 2);
	cr_assert_eq(l.err.offset, off);
	cr_assert(strstr(l.err.msg, "interface 1, but the section has 1 Interface Description Block "),
		  "%s", errtext(&l.err));
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---------------------------------------------------------- time stamps */

/* One file per interface setting: our reader gives the expected
 * nanoseconds, and the same record as libpcap. */
static void check_ts(int tsresol, bool has_off, int64_t off, uint32_t hi, uint32_t lo, int64_t want)
{
	struct usb_event ev = mk_usb('S', USB_XFER_BULK, 1, 2, 0x02, 5, -115, 0, NULL, 0, 0);
	struct strbuf sb, pkt = STRBUF_INIT;
	struct rec_list l, lib;
	uint32_t len;

	sb_init(&sb);
	sb_init(&pkt);
	len = usbw_usbmon(&pkt, &ev, false, LE);
	pcapngw_shb(&sb, LE);
	idb_opts(&sb, LE, LINKTYPE_USB_LINUX, 0, tsresol, has_off, off);
	epb_raw(&sb, LE, 0, hi, lo, pkt.buf, (uint32_t)pkt.len, len);
	cr_assert_eq(read_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.recs[0].u.usb.ts_ns, want, "tsresol 0x%x: got %lld, want %lld", tsresol,
		     (long long)l.recs[0].u.usb.ts_ns, (long long)want);
	cr_assert_eq(read_lib_sb(&sb, &lib), 0, "%s", errtext(&lib.err));
	assert_same_as_libpcap(&l, &lib, true, "time stamp");
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
	sb_release(&pkt);
}

Test(pcapng_ts, default_microseconds)
{
	/* 1700000000.123456 s */
	uint64_t t = 1700000000123456ULL;
	check_ts(-1, false, 0, (uint32_t)(t >> 32), (uint32_t)t, 1700000000123456000LL);
}

Test(pcapng_ts, nanoseconds)
{
	uint64_t t = 1700000000123456789ULL;
	check_ts(9, false, 0, (uint32_t)(t >> 32), (uint32_t)t, 1700000000123456789LL);
}

Test(pcapng_ts, power_of_two_20)
{
	/* 2^-20 s units: 5.5 s and 2^-20 s more = 953.674... ns, truncated to 953 */
	uint64_t t = (5ULL << 20) + (1ULL << 19) + 1;
	check_ts(0x80 | 20, false, 0, (uint32_t)(t >> 32), (uint32_t)t, 5500000953LL);
}

Test(pcapng_ts, tenths_of_seconds)
{
	check_ts(1, false, 0, 0, 17, 1700000000LL);
}

Test(pcapng_ts, tsoffset_adds_seconds)
{
	uint64_t t = 1000000123ULL;   /* 1.000000123 s in ns units */
	check_ts(9, true, 1600000000, (uint32_t)(t >> 32), (uint32_t)t, 1600000001000000123LL);
}

Test(pcapng_ts, negative_tsoffset)
{
	uint64_t t = 100000000ULL;   /* 100 s in us units */
	check_ts(-1, true, -40, (uint32_t)(t >> 32), (uint32_t)t, 60000000000LL);
}

Test(pcapng_ts, writer_and_reader_agree_on_binary_resolution)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);
	struct strbuf sb;
	struct rec_list l;

	build_usb_only(&sb, LE, ev, n, 0x80 | 30);
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, n);
	for (size_t i = 0; i < n; i++) {
		int64_t d = l.recs[i].u.usb.ts_ns - ev[i].ts_ns;
		cr_assert(d <= 0 && d > -2, "event %zu off by %lld ns", i, (long long)d);
	}
	check_against_libpcap(&sb, "2^-30 s");
	rec_list_free(&l);
	sb_release(&sb);
}

Test(pcapng_libpcap, bluetooth_h4_link_types)
{
	/* HCI Reset command, Command Complete event, a short ACL packet (H4 type byte first) */
	static const uint8_t cmd[] = { 0x01, 0x03, 0x0c, 0x00 };
	static const uint8_t evt[] = { 0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00 };
	static const uint8_t acl[] = { 0x02, 0x40, 0x20, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0x0a };
	static const uint8_t *const pkts[] = { cmd, evt, acl };
	static const uint32_t lens[] = { sizeof(cmd), sizeof(evt), sizeof(acl) };

	for (int phdr = 0; phdr < 2; phdr++) {
		struct strbuf sb, pkt = STRBUF_INIT;
		sb_init(&sb);
		pcapngw_shb(&sb, BE);
		pcapngw_idb(&sb, BE, phdr ? LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR : LINKTYPE_BLUETOOTH_HCI_H4, 0, 6);
		for (int i = 0; i < 3; i++) {
			sb_init(&pkt);
			if (phdr)
				sb_add_be32(&pkt, i == 1);      /* direction: 0 sent, 1 received */
			sb_add(&pkt, pkts[i], lens[i]);
			pcapngw_epb(&sb, BE, 0, 1000000 * i, 6, pkt.buf, (uint32_t)pkt.len, (uint32_t)pkt.len);
			sb_release(&pkt);
		}
		check_against_libpcap(&sb, phdr ? "H4 with direction" : "H4");
		sb_release(&sb);
	}
}

/* ------------------------------------------------------------ SPB and PB */

Test(pcapng_blocks, simple_packet_block_cut_by_snaplen)
{
	uint8_t big[200];
	struct usb_event ev = mk_usb('C', USB_XFER_BULK, 2, 4, 0x81, 77, 0, sizeof(big), big, sizeof(big), 0);
	struct strbuf sb, pkt = STRBUF_INIT;
	struct rec_list l;
	uint32_t len;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	sb_init(&sb);
	sb_init(&pkt);
	len = usbw_usbmon(&pkt, &ev, true, LE);
	cr_assert_eq(len, 264);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 100, 6);
	pcapngw_spb(&sb, LE, pkt.buf, (uint32_t)pkt.len, len);
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.recs[0].u.usb.frame_caplen, 100, "min(original, block, snaplen)");
	cr_assert_eq(l.recs[0].u.usb.frame_len, 264);
	cr_assert_eq(l.recs[0].u.usb.caplen, 36);
	cr_assert(l.recs[0].u.usb.truncated);
	cr_assert_eq(l.recs[0].u.usb.urb_id, 77);
	cr_assert_eq(l.recs[0].u.usb.ts_ns, 0, "an SPB has no time stamp");
	cr_assert_eq(memcmp(l.recs[0].u.usb.data, big, 36), 0);
	check_against_libpcap(&sb, "SPB");
	rec_list_free(&l);
	sb_release(&sb);
	sb_release(&pkt);
}

Test(pcapng_blocks, simple_packet_block_padding_is_not_data)
{
	uint8_t d[5] = { 1, 2, 3, 4, 5 };
	struct usb_event ev = mk_usb('S', USB_XFER_BULK, 2, 4, 0x02, 78, -115, 5, d, 5, 0);
	struct strbuf sb, pkt = STRBUF_INIT;
	struct rec_list l;
	uint32_t len;

	sb_init(&sb);
	sb_init(&pkt);
	len = usbw_usbmon(&pkt, &ev, false, LE);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX, 0, 6);
	pcapngw_spb(&sb, LE, pkt.buf, (uint32_t)pkt.len, len);     /* 53 bytes, padded to 56 */
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.recs[0].u.usb.frame_caplen, 53);
	cr_assert_eq(l.recs[0].u.usb.caplen, 5);
	check_against_libpcap(&sb, "SPB padding");
	rec_list_free(&l);
	sb_release(&sb);
	sb_release(&pkt);
}

Test(pcapng_blocks, obsolete_packet_block)
{
	struct usb_event ev[8];
	struct strbuf sb, pkt = STRBUF_INIT, body = STRBUF_INIT;
	struct rec_list l;
	uint32_t len;
	uint64_t t;

	usb_events(ev);
	t = (uint64_t)(ev[2].ts_ns / 1000);
	sb_init(&sb);
	sb_init(&pkt);
	sb_init(&body);
	len = usbw_usbmon(&pkt, &ev[2], true, BE);
	sb_add_be16(&body, 1);                  /* interface */
	sb_add_be16(&body, 0xffff);             /* drops: unknown */
	sb_add_be32(&body, (uint32_t)(t >> 32));
	sb_add_be32(&body, (uint32_t)t);
	sb_add_be32(&body, (uint32_t)pkt.len);
	sb_add_be32(&body, len);
	sb_add(&body, pkt.buf, pkt.len);
	pcapngw_shb(&sb, BE);
	pcapngw_idb(&sb, BE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	pcapngw_idb(&sb, BE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	pcapngw_block(&sb, BE, BT_PB, body.buf, (uint32_t)body.len);
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.recs[0].u.usb.frame, 1);
	assert_event_as_written(&l.recs[0].u.usb, &ev[2], true);
	check_against_libpcap(&sb, "PB");
	rec_list_free(&l);
	sb_release(&sb);
	sb_release(&pkt);
	sb_release(&body);
}

Test(pcapng_blocks, custom_and_journal_blocks_are_frames_others_are_not)
{
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l;
	static const char cb[] = "\x00\x00\x7e\xd9" "custom";   /* PEN 32473 (documentation) */
	static const char sje[] = "__REALTIME_TIMESTAMP=1000000\nMESSAGE=x\n";
	uint8_t isb[12] = { 0 }, nrb[4] = { 0 };

	usb_events(ev);
	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	pcapngw_idb(&sb, LE, 1, 0, 6);
	epb_usb(&sb, LE, 0, &ev[0], true, 6);                         /* 1 */
	pcapngw_block(&sb, LE, BT_CB, cb, sizeof(cb) - 1);            /* 2 */
	pcapngw_block(&sb, LE, BT_NRB, nrb, sizeof(nrb));             /* not a frame */
	pcapngw_block(&sb, LE, BT_ISB, isb, sizeof(isb));             /* not a frame */
	pcapngw_block(&sb, LE, 0x80000123u, "xyzw", 4);               /* local type: not a frame */
	epb_usb(&sb, LE, 0, &ev[1], true, 6);                         /* 3 */
	pcapngw_block(&sb, LE, BT_SJE, sje, sizeof(sje) - 1);         /* 4 */
	epb_eth(&sb, LE, 1, 0);                                       /* 5 */
	pcapngw_block(&sb, LE, 0x00000204u, "abcd", 4);               /* 6: Sysdig event */
	pcapngw_block(&sb, LE, 0x00000208u, "abcd", 4);               /* Sysdig event with flags: not for 4.0.17 */
	epb_usb(&sb, LE, 0, &ev[2], true, 6);                         /* 7 */
	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 3);
	cr_assert_eq(l.recs[0].u.usb.frame, 1);
	cr_assert_eq(l.recs[1].u.usb.frame, 3);
	cr_assert_eq(l.recs[2].u.usb.frame, 7);
	cr_assert_eq(l.frames, 7);
	cr_assert_eq(l.skipped, 4);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ------------------------------------------------------ libpcap fix-ups */

Test(pcapng_libpcap, iso_in_completion_length_fixup_matches_libpcap)
{
	uint8_t data[1024] = { 0 };
	struct usb_iso_desc iso[2] = { { 0, 0, 100 }, { 0, 512, 50 } };
	struct usb_event ev = mk_usb('C', USB_XFER_ISO, 1, 9, 0x83, 0x77, 0, 1024, data, 1024, 1000);
	struct strbuf only, mixed, pkt = STRBUF_INIT;
	struct rec_list l, lib, m;
	uint32_t len, cut = 64 + 32 + 200;

	ev.iso = iso;
	ev.iso_ndesc = 2;
	sb_init(&pkt);
	len = usbw_usbmon(&pkt, &ev, true, LE);
	cr_assert_eq(len, 64 + 32 + 1024, "written as old libpcap did: header + descriptors + URB length");
	sb_init(&only);
	pcapngw_shb(&only, LE);
	pcapngw_idb(&only, LE, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	pcapngw_epb(&only, LE, 0, 1000, 6, pkt.buf, cut, len);
	build_mixed(&mixed, LE, "E", &ev);
	pcapngw_epb(&mixed, LE, 0, 1000, 9, pkt.buf, cut, len);     /* build_mixed's usbmon interface is in ns */
	cr_assert_eq(read_sb(&only, &l), 0);
	cr_assert_eq(read_lib_sb(&only, &lib), 0, "%s", errtext(&lib.err));
	cr_assert_eq(read_sb(&mixed, &m), 0);
	cr_assert_eq(m.rc, 0, "%s", errtext(&m.err));
	cr_assert_eq(lib.n, 1);
	/* end of the last iso chunk is 562: 64 + 2 * 16 + 562 */
	cr_assert_eq(lib.recs[0].u.usb.frame_len, 658, "libpcap: %u", lib.recs[0].u.usb.frame_len);
	cr_assert_eq(lib.recs[0].u.usb.iso_ndesc, 2);
	assert_same_as_libpcap(&l, &lib, true, "iso fix-up");
	cr_assert_eq(m.n, 1);
	assert_same_records(&m, 0, &lib, false, "iso fix-up, mixed");
	rec_list_free(&l);
	rec_list_free(&lib);
	rec_list_free(&m);
	sb_release(&only);
	sb_release(&mixed);
	sb_release(&pkt);
}

/* ------------------------------------------------------------- damage */

/*
 * A good start in two variants, then the damage.  "mixed": two link types,
 * frames U E U; "usb": one link type, frames U U U, a file libpcap reads
 * up to the damage.  Either way the damage is frame 4.
 */
static size_t good_start(struct strbuf *sb, bool mixed, bool be)
{
	struct usb_event ev[8];

	usb_events(ev);
	sb_init(sb);
	pcapngw_shb(sb, be);
	pcapngw_idb(sb, be, LINKTYPE_USB_LINUX_MMAPPED, 0, 6);
	if (mixed)
		pcapngw_idb(sb, be, 1, 0, 6);
	epb_usb(sb, be, 0, &ev[0], true, 6);
	if (mixed)
		epb_eth(sb, be, 1, 0);
	else
		epb_usb(sb, be, 0, &ev[1], true, 6);
	epb_usb(sb, be, 0, &ev[2], true, 6);
	return mixed ? 2 : 3;
}

typedef void (*damage_fn)(struct strbuf *sb, bool be);

static void put32(struct strbuf *sb, bool be, uint32_t v)
{
	if (be)
		sb_add_be32(sb, v);
	else
		sb_add_le32(sb, v);
}

static void check_damage(damage_fn damage, const char *want, uint64_t want_frame)
{
	struct usb_event ev[8];

	usb_events(ev);
	for (int variant = 0; variant < 4; variant++) {
		bool mixed = variant & 1, be = variant & 2;
		struct strbuf sb;
		struct rec_list l, lib;
		size_t good = good_start(&sb, mixed, be);
		size_t off = sb.len;

		damage(&sb, be);
		cr_assert_eq(read_sb(&sb, &l), 0, "%s", errtext(&l.err));
		cr_assert_eq(l.rc, -1, "variant %d: damage not reported", variant);
		cr_assert_eq(l.n, good, "variant %d: %zu records before the damage, want %zu", variant, l.n, good);
		cr_assert_eq(l.err.frame, want_frame, "variant %d: %s", variant, errtext(&l.err));
		cr_assert_eq(l.err.offset, off, "variant %d: %s", variant, errtext(&l.err));
		cr_assert(strstr(l.err.msg, want), "variant %d: want \"%s\": %s", variant, want, errtext(&l.err));
		cr_assert(strstr(errtext(&l.err), "test.cap: frame"), "%s", errtext(&l.err));
		/* what came before the damage: as written, and in the usb variant as libpcap reads it */
		for (size_t i = 0; i < l.n; i++) {
			cr_assert_eq(l.recs[i].u.usb.frame, mixed ? 2 * i + 1 : i + 1);
			assert_event_as_written(&l.recs[i].u.usb, &ev[mixed ? 2 * i : i], true);
		}
		if (!mixed) {
			cr_assert_eq(read_lib_mem(sb.buf, off, &lib), 0, "%s", errtext(&lib.err));
			cr_assert_eq(lib.rc, 0, "%s", errtext(&lib.err));
			cr_assert_eq(lib.n, good);
			assert_same_records(&l, 0, &lib, true, "before the damage");
			rec_list_free(&lib);
		}
		rec_list_free(&l);
		sb_release(&sb);
	}
}

static void d_len_too_small(struct strbuf *sb, bool be)
{
	put32(sb, be, BT_EPB); put32(sb, be, 8); put32(sb, be, 8);
}
static void d_len_not_multiple_of_4(struct strbuf *sb, bool be)
{
	put32(sb, be, BT_EPB); put32(sb, be, 34); sb_add_zeros(sb, 26);
}
static void d_len_past_end(struct strbuf *sb, bool be)
{
	put32(sb, be, BT_EPB); put32(sb, be, 1000); sb_add_zeros(sb, 40);
}
static void d_len_huge(struct strbuf *sb, bool be)
{
	put32(sb, be, BT_EPB); put32(sb, be, 0x7ffffff0u); sb_add_zeros(sb, 40);
}
static void d_trailer(struct strbuf *sb, bool be)
{
	epb_eth(sb, be, 0, 0);
	sb->buf[sb->len - (be ? 1 : 4)] ^= 0x40;
}
static void d_no_such_interface(struct strbuf *sb, bool be)
{
	pcapngw_epb(sb, be, 7, 0, 6, eth, sizeof(eth), sizeof(eth));
}
static void d_caplen_too_big(struct strbuf *sb, bool be)
{
	struct strbuf b = STRBUF_INIT;
	sb_init(&b);
	put32(&b, be, 0); put32(&b, be, 0); put32(&b, be, 0);
	put32(&b, be, 100);                     /* captured length: more than the block holds */
	put32(&b, be, sizeof(eth));
	sb_add(&b, eth, sizeof(eth));           /* 42 bytes, padded to 44 */
	pcapngw_block(sb, be, BT_EPB, b.buf, (uint32_t)b.len);
	sb_release(&b);
}
static void d_bad_shb_magic(struct strbuf *sb, bool be)
{
	pcapngw_shb(sb, be);
	memcpy(sb->buf + sb->len - 28 + 8, "\x11\x22\x33\x44", 4);
}
static void d_cut_mid_block(struct strbuf *sb, bool be)
{
	epb_eth(sb, be, 0, 0);
	sb->len -= 10;
}
static void d_cut_mid_header(struct strbuf *sb, bool be)
{
	put32(sb, be, BT_EPB); sb_add_u8(sb, 0);
}
static void d_epb_too_short(struct strbuf *sb, bool be)
{
	put32(sb, be, BT_EPB); put32(sb, be, 16); put32(sb, be, 0); put32(sb, be, 16);
}
static void d_idb_option_overrun(struct strbuf *sb, bool be)
{
	struct strbuf b = STRBUF_INIT;
	sb_init(&b);
	if (be) { sb_add_be16(&b, 220); sb_add_be16(&b, 0); sb_add_be32(&b, 0); sb_add_be16(&b, 2); sb_add_be16(&b, 200); }
	else { sb_add_le16(&b, 220); sb_add_le16(&b, 0); sb_add_le32(&b, 0); sb_add_le16(&b, 2); sb_add_le16(&b, 200); }
	sb_add(&b, "eth0", 4);
	pcapngw_block(sb, be, 1, b.buf, (uint32_t)b.len);
	sb_release(&b);
	epb_eth(sb, be, 0, 0);
}
static void d_tsresol_too_fine(struct strbuf *sb, bool be)
{
	idb_opts(sb, be, LINKTYPE_USB_LINUX_MMAPPED, 0, 20, false, 0);
}
static void d_nrb_trailer(struct strbuf *sb, bool be)
{
	uint8_t nrb[4] = { 0 };
	pcapngw_block(sb, be, BT_NRB, nrb, 4);
	sb->buf[sb->len - (be ? 1 : 4)] = 0x7c;
}

Test(pcapng_damage, block_length_below_12) { check_damage(d_len_too_small, "smallest block is 12 bytes", 4); }
Test(pcapng_damage, block_length_not_multiple_of_4) { check_damage(d_len_not_multiple_of_4, "not a multiple of 4", 4); }
Test(pcapng_damage, block_longer_than_the_file) { check_damage(d_len_past_end, "the file ends inside this Enhanced Packet Block: it declares 1000 bytes, only 48 remain", 4); }
Test(pcapng_damage, block_over_the_record_limit) { check_damage(d_len_huge, "more than the 16777216 scsiscope accepts", 4); }
Test(pcapng_damage, trailing_length_differs) { check_damage(d_trailer, "at its end", 4); }
Test(pcapng_damage, unknown_interface) { check_damage(d_no_such_interface, "on interface 7, but the section has", 4); }
Test(pcapng_damage, captured_length_past_block) { check_damage(d_caplen_too_big, "says 100 bytes were captured but holds only 44", 4); }
Test(pcapng_damage, second_shb_bad_magic) { check_damage(d_bad_shb_magic, "byte-order magic 11 22 33 44", 4); }
Test(pcapng_damage, cut_mid_block) { check_damage(d_cut_mid_block, "the file ends inside", 4); }
Test(pcapng_damage, cut_mid_block_header) { check_damage(d_cut_mid_header, "the file ends 5 bytes into a block header", 4); }
Test(pcapng_damage, epb_shorter_than_its_fixed_part) { check_damage(d_epb_too_short, "needs at least 32 bytes", 4); }
Test(pcapng_damage, idb_option_runs_past_block) { check_damage(d_idb_option_overrun, "option 2 has 200 bytes", 4); }
Test(pcapng_damage, tsresol_too_fine) { check_damage(d_tsresol_too_fine, "10^-20", 4); }
Test(pcapng_damage, non_packet_block_reports_next_frame) { check_damage(d_nrb_trailer, "at its end", 4); }

Test(pcapng_damage, first_shb_bad_magic)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	sb.buf[8] = 0x55;
	pcapngw_idb(&sb, LE, LINKTYPE_USB_LINUX, 0, 6);
	cr_assert_eq(read_sb(&sb, &l), -1);
	cr_assert_eq(l.err.frame, 1);
	cr_assert_eq(l.err.offset, 0);
	cr_assert(strstr(l.err.msg, "byte-order magic 55"), "%s", errtext(&l.err));
	sb_release(&sb);
}

Test(pcapng_damage, packet_before_any_interface)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	pcapngw_spb(&sb, LE, eth, sizeof(eth), sizeof(eth));
	cr_assert_eq(read_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, -1);
	cr_assert_eq(l.n, 0);
	cr_assert_eq(l.err.frame, 1);
	cr_assert_eq(l.err.offset, 28);
	cr_assert(strstr(l.err.msg, "Simple Packet Block is on interface 0, but the section has 0 Interface Description Blocks"),
		  "%s", errtext(&l.err));
	sb_release(&sb);
}

Test(pcapng_damage, unsupported_version)
{
	struct strbuf sb;
	struct rec_list l;

	sb_init(&sb);
	pcapngw_shb(&sb, LE);
	sb.buf[12] = 2;           /* major version 2 */
	cr_assert_eq(read_sb(&sb, &l), -1);
	cr_assert(strstr(l.err.msg, "version 2.0"), "%s", errtext(&l.err));
	sb_release(&sb);
}

/* Random damage to a file with every feature: never a crash (the sanitizer
 * build checks reads), always a clean end or an error with a location. */
Test(pcapng_damage, random_mutations)
{
	struct usb_event ev[8];
	struct strbuf base;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t *buf;

	usb_events(ev);
	build_mixed(&base, LE, "UEUEU", ev);
	pcapngw_shb(&base, BE);
	idb_opts(&base, BE, LINKTYPE_USB_LINUX_MMAPPED, 80, 0x80 | 24, true, -3);
	epb_usb(&base, BE, 0, &ev[3], true, 0x80 | 24);
	pcapngw_spb(&base, BE, eth, sizeof(eth), sizeof(eth));
	epb_usb(&base, BE, 0, &ev[5], true, 0x80 | 24);
	buf = malloc(base.len);
	cr_assert(buf);
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = base.len;
		struct rec_list l;
		memcpy(buf, base.buf, base.len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			buf[(x >> 8) % len] = (uint8_t)x;
		}
		if (iter % 5 == 0) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			len = 1 + (x >> 8) % len;
		}
		read_mem(buf, len, &l);
		cr_assert(l.rc == 0 || (l.rc == -1 && l.err.set), "iteration %d", iter);
		for (size_t i = 0; i < l.n; i++) {
			cr_assert(l.recs[i].u.usb.frame >= 1 && l.recs[i].u.usb.frame <= l.frames);
			cr_assert(i == 0 || l.recs[i].u.usb.frame > l.recs[i - 1].u.usb.frame);
		}
		rec_list_free(&l);
	}
	free(buf);
	sb_release(&base);
}

/* -------------------------------------------------------- real captures */

/* One of Wireshark's sample captures in memory (skipped when absent). */
static uint8_t *sample_capture(const char *name, size_t *len)
{
	char *rel = path_join("public/wireshark-samplecaptures", name);
	uint8_t *buf = slurp_shared(rel, len);

	free(rel);
	return buf;
}

/* Every pcapng file (found by its first bytes, whatever its name) in the
 * shared captures that libpcap reads: our reader gives exactly its records. */
Test(pcapng_real, every_shared_pcapng_equals_libpcap)
{
	char *dir = shared_captures_dir();
	char **files;
	size_t compared = 0, refused = 0;

	if (!dir)
		cr_skip_test("top_srcdir is not set (run through make check)");
	files = list_files(dir);
	if (!files) {
		free(dir);
		cr_skip_test("no shared captures (../shared/captures beside the source tree)");
	}
	for (size_t f = 0; files[f]; f++) {
		size_t len;
		uint8_t *buf = slurp(files[f], &len);
		struct rec_list ours, lib;

		if (!buf || len < 4 || memcmp(buf, "\x0a\x0d\x0d\x0a", 4) != 0) {
			free(buf);
			continue;
		}
		cr_assert_eq(read_mem(buf, len, &ours), 0, "%s: %s", files[f], errtext(&ours.err));
		if (read_lib_mem(buf, len, &lib) < 0) {
			cr_log_info("%s: libpcap cannot read it (%s); not compared", files[f], lib.err.msg);
			refused++;
		} else {
			assert_same_as_libpcap(&ours, &lib, true, files[f]);
			compared++;
		}
		rec_list_free(&ours);
		rec_list_free(&lib);
		free(buf);
	}
	for (size_t f = 0; files[f]; f++)
		free(files[f]);
	free(files);
	free(dir);
	cr_log_info("%zu pcapng files compared with libpcap, %zu refused by libpcap", compared, refused);
	cr_assert_gt(compared, 0, "no pcapng file in the shared captures");
}

/* Two real captures one after the other: a second section with another
 * link type (which libpcap refuses half-way).  We give the records libpcap
 * gives for each file alone, numbered on. */
Test(pcapng_real, concatenated_captures_number_on)
{
	size_t la, lb;
	uint8_t *a = sample_capture("xrite-i1displaypro-argyllcms-1.9.2-spotread.pcapng", &la);
	uint8_t *b = sample_capture("XHC1-SanDiskExtremePortableSSD.pcapng", &lb);
	uint8_t *ab = malloc(la + lb);
	struct rec_list ra, rb, rab;

	cr_assert(ab);
	memcpy(ab, a, la);
	memcpy(ab + la, b, lb);
	cr_assert_eq(read_lib_mem(a, la, &ra), 0, "%s", errtext(&ra.err));
	cr_assert_eq(read_lib_mem(b, lb, &rb), 0, "%s", errtext(&rb.err));
	cr_assert_eq(ra.rc, 0, "%s", errtext(&ra.err));
	cr_assert_eq(rb.rc, 0, "%s", errtext(&rb.err));
	cr_assert_eq(read_mem(ab, la + lb, &rab), 0);
	cr_assert_eq(rab.rc, 0, "%s", errtext(&rab.err));
	cr_assert_eq(rab.info.linktype, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(rab.n, ra.n + rb.n);
	cr_assert_eq(rab.frames, ra.frames + rb.frames);
	assert_same_records(&rab, 0, &ra, true, "first file");
	assert_same_records(&rab, ra.n, &rb, false, "second file");
	for (size_t i = 0; i < rb.n; i++)
		cr_assert_eq(rab.recs[ra.n + i].u.usb.frame, rb.recs[i].u.usb.frame + ra.frames);
	rec_list_free(&ra);
	rec_list_free(&rb);
	rec_list_free(&rab);
	free(a);
	free(b);
	free(ab);
}

/* --------------------------------------------------------------- tshark */

/*
 * A file with everything that moves frame numbers: two link types, two
 * sections in both byte orders, SPB, Custom Blocks (both kinds), a systemd
 * Journal Export block, and blocks that are not frames (ISB).  The frame
 * numbers follow from the layout (comments); when tshark is on PATH they
 * are also compared with Wireshark's own.
 */
Test(pcapng_tshark, usb_frame_numbers_equal_wiresharks)
{
	struct usb_event ev[8];
	struct strbuf sb;
	struct rec_list l;
	static const char cb[] = "\x00\x00\x7e\xd9" "custom";
	static const char sje[] = "__REALTIME_TIMESTAMP=1000000\nMESSAGE=x\n";
	static const uint64_t want_usb[] = { 1, 3, 4, 9, 12 };
	uint8_t isb[12] = { 0 };
	const char *tmp = getenv("TMPDIR");
	static const char *const fields[] = { "frame.number", "frame.protocols" };
	char path[512];
	FILE *fp;
	int fd;

	usb_events(ev);
	build_mixed(&sb, LE, "UEUUE", ev);                            /* 1-5: U E U U E */
	pcapngw_block(&sb, LE, BT_CB, cb, sizeof(cb) - 1);            /* 6 */
	pcapngw_block(&sb, LE, BT_ISB, isb, sizeof(isb));             /* not a frame */
	pcapngw_block(&sb, LE, BT_SJE, sje, sizeof(sje) - 1);         /* 7 */
	pcapngw_shb(&sb, BE);
	pcapngw_idb(&sb, BE, 1, 0, 6);
	pcapngw_idb(&sb, BE, LINKTYPE_USB_LINUX, 0, 9);
	epb_eth(&sb, BE, 0, 0);                                       /* 8 */
	epb_usb(&sb, BE, 1, &ev[3], false, 9);                        /* 9 */
	pcapngw_spb(&sb, BE, eth, sizeof(eth), sizeof(eth));          /* 10 */
	pcapngw_block(&sb, BE, BT_CB_NOCOPY, cb, sizeof(cb) - 1);     /* 11 */
	epb_usb(&sb, BE, 1, &ev[4], false, 9);                        /* 12 */

	cr_assert_eq(read_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 5);
	cr_assert_eq(l.frames, 12);
	cr_assert_eq(l.skipped, 7);
	for (size_t i = 0; i < l.n; i++)
		cr_assert_eq(l.recs[i].u.usb.frame, want_usb[i], "USB packet %zu: frame %llu, want %llu", i,
			     (unsigned long long)l.recs[i].u.usb.frame, (unsigned long long)want_usb[i]);

	if (!on_path("tshark")) {
		cr_log_info("tshark is not on PATH: frame numbers checked against the layout only");
	} else {
		struct tshark_row *rows;
		size_t nrows, u = 0;
		char *linebuf;

		snprintf(path, sizeof(path), "%s/scsiscope-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		fd = mkstemp(path);
		cr_assert(fd >= 0);
		fp = fdopen(fd, "wb");
		cr_assert(fp);
		cr_assert_eq(fwrite(sb.buf, 1, sb.len, fp), sb.len);
		fclose(fp);
		rows = tshark_fields(path, fields, 2, &nrows, &linebuf);
		unlink(path);
		cr_assert_eq(nrows, l.frames, "tshark numbers %zu frames, we %llu", nrows,
			     (unsigned long long)l.frames);
		for (size_t i = 0; i < nrows; i++) {
			cr_assert_eq(tsv_num(&rows[i], 0, 0), i + 1);
			if (rows[i].n < 2 || strncmp(rows[i].f[1], "usb", 3) != 0)
				continue;
			cr_assert(u < l.n, "tshark sees more USB frames than we deliver");
			cr_assert_eq(l.recs[u].u.usb.frame, i + 1, "USB packet %zu: ours %llu, tshark %zu", u,
				     (unsigned long long)l.recs[u].u.usb.frame, i + 1);
			u++;
		}
		cr_assert_eq(u, l.n, "tshark lists %zu USB frames, we deliver %zu", u, l.n);
		tshark_free(rows, nrows, linebuf);
	}
	rec_list_free(&l);
	sb_release(&sb);
}
