/* test_pcap.c - the classic pcap reader against libpcap: real and crafted files record by record, and hostile files. */
#include "tshark_cmp.h"

#include "libpcap_ref.h"
#include "util/bytes.h"

/*
 * Classic pcap is read by capture/pcap_own.c.  libpcap, read directly here
 * (libpcap_ref.h: pcap_fopen_offline on the same bytes, each packet through
 * cap_parse_linktype), is the reference: every record must be the same in
 * every field, and a damaged file must give the same records before the
 * damage and fail at the same frame.  Where pcap_own.c deliberately differs
 * (a captured length above the snapshot length is kept whole; seconds are
 * unsigned; only the low 16 bits of the link-type word are the link type),
 * the test says what each gives.
 */

#define LE false
#define BE true

/* ---------------------------------------------------------------- files */

/* A BOT INQUIRY exchange and a stall, as usb events. */
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
		inq[i] = (uint8_t)(0x40 + i);
	ev[n] = mk_usb('S', USB_XFER_CONTROL, 3, 7, 0x80, 0x11110001, -115, 18, NULL, 0, 1700000000000000000LL);
	ev[n].has_setup = true;
	memcpy(ev[n++].setup, setup, 8);
	ev[n++] = mk_usb('C', USB_XFER_CONTROL, 3, 7, 0x80, 0x11110001, 0, 18, inq, 18, 1700000000000100123LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 3, 7, 0x02, 0x22220002, -115, 31, cbw, 31, 1700000000000200000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 3, 7, 0x02, 0x22220002, 0, 31, NULL, 0, 1700000000000300000LL);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 3, 7, 0x81, 0x33330003, -115, 36, NULL, 0, 1700000000000400000LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 3, 7, 0x81, 0x33330003, 0, 36, inq, 36, 1700000000000500999LL);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 3, 7, 0x81, 0x44440004, -32, 0, NULL, 0, 1700000000000600000LL);
	return n;
}

/* HCI packets as H4 (type byte first); with phdr the 4-byte direction first. */
static void build_h4(struct strbuf *sb, bool phdr, bool be, bool ns, uint32_t snaplen)
{
	static const uint8_t cmd[] = { 0x01, 0x03, 0x0c, 0x00 };
	static const uint8_t evt[] = { 0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00 };
	static const uint8_t acl[] = { 0x02, 0x40, 0x20, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0x0a };
	static const uint8_t *const pkts[] = { cmd, evt, acl };
	static const uint32_t lens[] = { sizeof(cmd), sizeof(evt), sizeof(acl) };

	sb_init(sb);
	pcapw_header(sb, phdr ? LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR : LINKTYPE_BLUETOOTH_HCI_H4, snaplen, be, ns);
	for (int i = 0; i < 3; i++) {
		struct strbuf pkt = STRBUF_INIT;
		sb_init(&pkt);
		if (phdr)
			sb_add_be32(&pkt, i == 1);      /* direction: 0 sent, 1 received */
		sb_add(&pkt, pkts[i], lens[i]);
		pcapw_record(sb, 1700000000000000000LL + 1234567 * i, pkt.buf,
			     pkt.len < snaplen ? (uint32_t)pkt.len : snaplen, (uint32_t)pkt.len, be, ns);
		sb_release(&pkt);
	}
}

/* The file of link type lt (USB or H4) in byte order be, us or ns, cut to snaplen. */
static void build_any(struct strbuf *sb, int lt, bool be, bool ns, uint32_t snaplen)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);

	if (lt == LINKTYPE_BLUETOOTH_HCI_H4 || lt == LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR)
		build_h4(sb, lt == LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, be, ns, snaplen);
	else
		build_pcap(sb, lt, be, ns, ev, n, snaplen);
}

/* Write a 32-bit header field of a file in byte order be. */
static void put32(struct strbuf *sb, size_t off, uint32_t v, bool be)
{
	cr_assert_leq(off + 4, sb->len);
	for (int i = 0; i < 4; i++)
		sb->buf[off + i] = (char)(uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(struct strbuf *sb, size_t off, uint16_t v, bool be)
{
	cr_assert_leq(off + 2, sb->len);
	sb->buf[off] = (char)(uint8_t)(be ? v >> 8 : v);
	sb->buf[off + 1] = (char)(uint8_t)(be ? v : v >> 8);
}

/* Offset of record i (0-based) of a well-formed classic pcap file. */
static size_t record_offset(const struct strbuf *sb, bool be, size_t i)
{
	size_t off = 24;

	for (size_t k = 0; k < i; k++) {
		uint32_t caplen = 0;
		cr_assert(get_u32((const uint8_t *)sb->buf, sb->len, off + 8, be, &caplen));
		off += 16 + caplen;
	}
	return off;
}

/* --------------------------------------------------------- comparison */

/*
 * Read buf with both.  Both must give the same records (frames included)
 * and end the same way: cleanly, or failing at the same frame (libpcap
 * numbers its packets 1, 2, ...: every record of a pcap file is a frame).
 * Returns how many records were compared.
 */
static size_t same_as_libpcap(const void *buf, size_t len, const char *what)
{
	struct rec_list ours, lib;
	size_t n;

	cr_assert_eq(read_mem(buf, len, &ours), 0, "%s: %s", what, errtext(&ours.err));
	cr_assert_eq(read_lib_mem(buf, len, &lib), 0, "%s: libpcap refuses it: %s", what, errtext(&lib.err));
	cr_assert_eq(ours.n, lib.n, "%s: %zu records, libpcap %zu (%s / %s)", what, ours.n, lib.n,
		     errtext(&ours.err), lib.err.msg);
	assert_same_records(&ours, 0, &lib, true, what);
	cr_assert_eq(ours.rc, lib.rc, "%s: we end with %d (%s), libpcap with %d (%s)", what, ours.rc,
		     errtext(&ours.err), lib.rc, lib.err.msg);
	if (ours.rc < 0)
		cr_assert_eq(ours.err.frame, lib.err.frame, "%s: damage at frame %llu, libpcap at packet %llu", what,
			     (unsigned long long)ours.err.frame, (unsigned long long)lib.err.frame);
	else
		cr_assert_eq(ours.frames, lib.frames, "%s: %llu frames, libpcap %llu", what,
			     (unsigned long long)ours.frames, (unsigned long long)lib.frames);
	cr_assert_eq(ours.info.format, CAP_FORMAT_PCAP, "%s", what);
	cr_assert_eq(lib.info.format, CAP_FORMAT_PCAP, "%s", what);
	cr_assert_eq(ours.info.linktype, lib.info.linktype, "%s: link type %d, libpcap %d", what,
		     ours.info.linktype, lib.info.linktype);
	cr_assert_eq(ours.info.big_endian, lib.info.big_endian, "%s: byte order", what);
	n = ours.n;
	rec_list_free(&ours);
	rec_list_free(&lib);
	return n;
}

static size_t same_as_libpcap_sb(const struct strbuf *sb, const char *what)
{
	return same_as_libpcap(sb->buf, sb->len, what);
}

/* ------------------------------------------------------ real captures */

static bool is_classic_pcap(const uint8_t *b, size_t len)
{
	static const uint8_t magics[4][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
	};

	for (int i = 0; i < 4; i++)
		if (len >= 4 && memcmp(b, magics[i], 4) == 0)
			return true;
	return false;
}

/* Every classic pcap file under dir (found by its magic, whatever its
 * name): our reader gives libpcap's records, or refuses a link type that
 * is not USB or Bluetooth as libpcap's packets give no record either. */
static void compare_dir(const char *dir, size_t *compared, size_t *other)
{
	char **files = list_files(dir);

	for (size_t f = 0; files && files[f]; f++) {
		size_t len;
		uint8_t *buf = slurp(files[f], &len);
		struct rec_list ours, lib;

		if (!buf || !is_classic_pcap(buf, len)) {
			free(buf);
			free(files[f]);
			continue;
		}
		if (read_mem(buf, len, &ours) < 0) {
			/* only an unsupported link type is refused at open */
			cr_assert(strstr(errtext(&ours.err), "is not a USB or Bluetooth HCI link type"), "%s: %s",
				  files[f], errtext(&ours.err));
			cr_assert_eq(read_lib_mem(buf, len, &lib), 0, "%s: %s", files[f], errtext(&lib.err));
			cr_assert_eq(lib.n, 0, "%s: libpcap's packets are not USB either", files[f]);
			cr_assert(!cap_linktype_supported(lib.info.linktype));
			rec_list_free(&lib);
			(*other)++;
		} else {
			rec_list_free(&ours);
			same_as_libpcap(buf, len, files[f]);
			(*compared)++;
		}
		free(buf);
		free(files[f]);
	}
	free(files);
}

Test(pcap_real, every_shared_and_sample_pcap_equals_libpcap)
{
	char *shared = shared_captures_dir(), *samples = src_path("samples");
	size_t compared = 0, other = 0, before;

	compare_dir(samples, &compared, &other);
	cr_assert_geq(compared, 4, "the four samples/*.pcap files");
	before = compared;
	if (shared && access(shared, R_OK) == 0) {
		compare_dir(shared, &compared, &other);
		cr_assert_gt(compared, before, "no classic pcap in ../shared/captures");
	}
	cr_log_info("%zu classic pcap files compared with libpcap, %zu of other link types", compared, other);
	free(shared);
	free(samples);
}

/* ------------------------------------------------------- crafted files */

static const int all_linktypes[] = {
	LINKTYPE_USB_LINUX, LINKTYPE_USB_LINUX_MMAPPED, LINKTYPE_USBPCAP, LINKTYPE_USB_DARWIN,
	LINKTYPE_BLUETOOTH_HCI_H4, LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
};

Test(pcap_crafted, every_link_type_both_byte_orders_us_and_ns)
{
	for (size_t t = 0; t < sizeof(all_linktypes) / sizeof(all_linktypes[0]); t++)
		for (int be = 0; be < 2; be++)
			for (int ns = 0; ns < 2; ns++) {
				struct strbuf sb;
				struct rec_list l;
				char what[64];

				snprintf(what, sizeof(what), "link type %d, %s, %s", all_linktypes[t],
					 be ? "big-endian" : "little-endian", ns ? "ns" : "us");
				build_any(&sb, all_linktypes[t], be, ns, 65535);
				cr_assert_geq(same_as_libpcap_sb(&sb, what), 3, "%s", what);
				/* and the header facts */
				cr_assert_eq(read_all_sb(&sb, &l), 0);
				cr_assert_eq(l.info.linktype, all_linktypes[t]);
				cr_assert_eq(l.info.big_endian, (bool)be, "%s", what);
				cr_assert_eq(l.info.nanosecond, (bool)ns, "%s", what);
				cr_assert_eq(l.info.snaplen, 65535);
				rec_list_free(&l);
				sb_release(&sb);
			}
}

Test(pcap_crafted, time_stamps_exact_to_the_unit)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev);

	for (int ns = 0; ns < 2; ns++) {
		struct strbuf sb;
		struct rec_list l;

		build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, BE, ns, ev, n, 65535);
		read_all_ok(&sb, &l, n, LINKTYPE_USB_LINUX_MMAPPED);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(usb_rec(&l, i)->ts_ns, ns ? ev[i].ts_ns : ev[i].ts_ns / 1000 * 1000,
				     "record %zu: %lld", i, (long long)usb_rec(&l, i)->ts_ns);
		rec_list_free(&l);
		sb_release(&sb);
	}
}

Test(pcap_crafted, snaplen_cuts)
{
	static const uint32_t snaplens[] = { 1, 8, 40, 48, 63, 64, 65, 64 + 8, 64 + 20, 100 };

	for (size_t t = 0; t < sizeof(all_linktypes) / sizeof(all_linktypes[0]); t++)
		for (size_t s = 0; s < sizeof(snaplens) / sizeof(snaplens[0]); s++)
			for (int be = 0; be < 2; be++) {
				struct strbuf sb;
				char what[80];

				snprintf(what, sizeof(what), "link type %d, snaplen %u, %s", all_linktypes[t],
					 snaplens[s], be ? "big-endian" : "little-endian");
				build_any(&sb, all_linktypes[t], be, false, snaplens[s]);
				same_as_libpcap_sb(&sb, what);
				sb_release(&sb);
			}
}

Test(pcap_crafted, snaplen_0_and_above_the_maximum_mean_no_limit)
{
	static const uint32_t snaplens[] = { 0, 262144, 262145, 0xffffffffu };

	for (size_t s = 0; s < sizeof(snaplens) / sizeof(snaplens[0]); s++) {
		struct strbuf sb;
		struct rec_list l;

		build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, LE, false, 65535);
		put32(&sb, 16, snaplens[s], LE);
		same_as_libpcap_sb(&sb, "snaplen");
		cr_assert_eq(read_all_sb(&sb, &l), 0);
		cr_assert_eq(l.info.snaplen, snaplens[s], "the file's snapshot length as written");
		rec_list_free(&l);
		sb_release(&sb);
	}
}

/* Old libpcap wrote the original length of an incoming iso completion from
 * the URB length; libpcap corrects it, so do we, in both byte orders. */
Test(pcap_crafted, iso_completion_length_fixup_matches_libpcap)
{
	uint8_t data[1024] = { 0 };
	struct usb_iso_desc iso[2] = { { 0, 0, 100 }, { -18, 512, 50 } };
	struct usb_event ev = mk_usb('C', USB_XFER_ISO, 1, 9, 0x83, 0x77, 0, 1024, data, 1024, 1000);
	static const uint32_t cuts[] = { 64 + 32 + 200, 64 + 32 + 562, 64 + 32 + 1024, 64 + 16, 63 };

	ev.iso = iso;
	ev.iso_ndesc = 2;
	for (int be = 0; be < 2; be++)
		for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			struct strbuf sb, pkt = STRBUF_INIT;
			struct rec_list l;
			uint32_t len;

			sb_init(&pkt);
			len = usbw_usbmon(&pkt, &ev, true, be);
			cr_assert_eq(len, 64 + 32 + 1024, "written as old libpcap did");
			sb_init(&sb);
			pcapw_header(&sb, LINKTYPE_USB_LINUX_MMAPPED, 65535, be, false);
			pcapw_record(&sb, 1000, pkt.buf, cuts[c], len, be, false);
			same_as_libpcap_sb(&sb, be ? "iso, big-endian" : "iso, little-endian");
			cr_assert_eq(read_all_sb(&sb, &l), 0);
			if (cuts[c] >= 64 + 32)     /* below that, the descriptors are cut: an error for both */
				cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
			if (cuts[c] == 64 + 32 + 200)       /* end of the last iso chunk: 562 */
				cr_assert_eq(usb_rec(&l, 0)->frame_len, 64 + 32 + 562, "%u", usb_rec(&l, 0)->frame_len);
			rec_list_free(&l);
			sb_release(&sb);
			sb_release(&pkt);
		}
}

/* Versions before 2.3 (and DG/UX's 543.0) store original length first;
 * 2.3 files may have either order (swapped when caplen > len). */
Test(pcap_crafted, old_versions_with_lengths_the_other_way_round)
{
	static const uint16_t versions[][2] = { { 2, 0 }, { 2, 2 }, { 2, 3 }, { 543, 0 } };

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
		for (int be = 0; be < 2; be++)
			for (int cut = 0; cut < 2; cut++) {
				struct usb_event ev[8];
				size_t n = usb_events(ev);
				struct strbuf sb;
				struct rec_list l;
				char what[64];

				/* cut: snaplen 70 makes caplen < len in some records */
				build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, be, false, ev, n, cut ? 70 : 65535);
				size_t offs[8];

				put16(&sb, 4, versions[v][0], be);
				put16(&sb, 6, versions[v][1], be);
				for (size_t i = 0; i < n; i++)
					offs[i] = record_offset(&sb, be, i);
				for (size_t i = 0; i < n; i++) {
					size_t off = offs[i];
					uint32_t caplen = 0, len = 0;
					get_u32((const uint8_t *)sb.buf, sb.len, off + 8, be, &caplen);
					get_u32((const uint8_t *)sb.buf, sb.len, off + 12, be, &len);
					/* 2.3 files come both ways: swap every other record */
					if (versions[v][1] != 3 || (i % 2 && caplen < len)) {
						put32(&sb, off + 8, len, be);
						put32(&sb, off + 12, caplen, be);
					}
				}
				snprintf(what, sizeof(what), "version %u.%u, %s, %s", versions[v][0], versions[v][1],
					 be ? "big-endian" : "little-endian", cut ? "cut" : "whole");
				cr_assert_eq(same_as_libpcap_sb(&sb, what), n, "%s", what);
				read_all_ok(&sb, &l, n, LINKTYPE_USB_LINUX_MMAPPED);
				for (size_t i = 0; i < n; i++)
					cr_assert_leq(usb_rec(&l, i)->frame_caplen, usb_rec(&l, i)->frame_len, "%s", what);
				rec_list_free(&l);
				sb_release(&sb);
			}
}

/* The FCS bits of the link-type word (upper 6 bits) are not the link type;
 * libpcap masks them too. */
Test(pcap_crafted, fcs_bits_of_the_link_type_word_are_ignored)
{
	struct strbuf sb;
	struct rec_list l;

	build_any(&sb, LINKTYPE_USB_LINUX, LE, false, 65535);
	put32(&sb, 20, 0x24000000u | LINKTYPE_USB_LINUX, LE);       /* FCS present, 2 x 16 bits */
	cr_assert_eq(same_as_libpcap_sb(&sb, "FCS bits"), 7);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.info.linktype, LINKTYPE_USB_LINUX);
	rec_list_free(&l);
	sb_release(&sb);
}

/* Bits 16-25 are reserved: a reader ignores them (draft-ietf-opsawg-pcap);
 * libpcap keeps them in the link type and so reads no USB. */
Test(pcap_crafted, reserved_bits_of_the_link_type_word_are_ignored)
{
	struct strbuf sb;
	struct rec_list l, lib;

	build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, BE, true, 65535);
	put32(&sb, 20, 0x00010000u | LINKTYPE_USB_LINUX_MMAPPED, BE);
	read_all_ok(&sb, &l, 7, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(read_lib_sb(&sb, &lib), 0, "%s", errtext(&lib.err));
	cr_assert_eq(lib.info.linktype, 0x00010000 | LINKTYPE_USB_LINUX_MMAPPED, "libpcap: %d", lib.info.linktype);
	cr_assert_eq(lib.n, 0);
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
}

/* Seconds are unsigned (the spec, Wireshark); libpcap reads them signed. */
Test(pcap_crafted, seconds_after_2038_are_unsigned)
{
	struct strbuf sb;
	struct rec_list l;

	build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, LE, false, 65535);
	put32(&sb, 24, 0xf0000000u, LE);
	put32(&sb, 28, 999999, LE);
	read_all_ok(&sb, &l, 7, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(usb_rec(&l, 0)->ts_ns, (int64_t)0xf0000000u * 1000000000 + 999999000);
	rec_list_free(&l);
	sb_release(&sb);
}

/* A captured length above the file's snapshot length (and within the link
 * type's maximum) is read whole, as Wireshark does; libpcap cuts it to the
 * snapshot length.  The records within the snapshot length are the same. */
Test(pcap_crafted, caplen_above_snaplen_is_read_whole)
{
	struct usb_event ev[8];
	size_t n = usb_events(ev), longer = 0;
	struct strbuf sb;
	struct rec_list l, lib;

	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, LE, false, ev, n, 65535);
	put32(&sb, 16, 90, LE);                        /* snaplen 90 */
	read_all_ok(&sb, &l, n, LINKTYPE_USB_LINUX_MMAPPED);
	cr_assert_eq(read_lib_sb(&sb, &lib), 0);
	cr_assert_eq(lib.rc, 0, "%s", lib.err.msg);
	cr_assert_eq(lib.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct usb_event *e = usb_rec(&l, i);
		struct rec_list one = { .recs = lib.recs + i, .n = 1 };

		cr_assert_eq(e->frame_caplen, 64 + ev[i].caplen, "record %zu: read whole", i);
		cr_assert_eq(e->caplen, ev[i].caplen);
		if (ev[i].caplen)
			cr_assert_eq(memcmp(e->data, ev[i].data, ev[i].caplen), 0);
		if (e->frame_caplen <= 90) {
			assert_same_records(&l, i, &one, true, "within the snapshot length");
		} else {
			cr_assert_eq(usb_rec(&lib, i)->frame_caplen, 90, "libpcap cuts to the snapshot length");
			longer++;
		}
	}
	cr_assert_eq(longer, 2, "the CBW and the INQUIRY data are longer than 90 bytes");
	rec_list_free(&l);
	rec_list_free(&lib);
	sb_release(&sb);
}

/* ------------------------------------------------------------- hostile */

Test(pcap_hostile, file_header_cut_at_every_length)
{
	struct strbuf sb;

	build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, LE, false, 65535);
	for (size_t n = 4; n < 24; n++) {
		struct rec_list l, lib;
		char want[96];

		cr_assert_eq(read_mem(sb.buf, n, &l), -1, "%zu bytes", n);
		snprintf(want, sizeof(want), "test.cap: offset 0: pcap file header cut short: the file ends after %zu of its 24 bytes",
			 n);
		cr_assert(strstr(errtext(&l.err), want), "%s", errtext(&l.err));
		cr_assert_eq(read_lib_mem(sb.buf, n, &lib), -1, "libpcap refuses it too");
		rec_list_free(&l);
	}
	sb_release(&sb);
}

Test(pcap_hostile, versions_libpcap_refuses)
{
	static const uint16_t versions[][2] = { { 1, 0 }, { 2, 5 }, { 3, 0 }, { 543, 1 }, { 0xffff, 0xffff } };

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct strbuf sb;
		struct rec_list l, lib;
		char want[64];

		build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, BE, false, 65535);
		put16(&sb, 4, versions[v][0], BE);
		put16(&sb, 6, versions[v][1], BE);
		cr_assert_eq(read_mem(sb.buf, sb.len, &l), -1);
		snprintf(want, sizeof(want), "test.cap: offset 4: pcap file version %u.%u;", versions[v][0], versions[v][1]);
		cr_assert(strstr(errtext(&l.err), want), "%s", errtext(&l.err));
		cr_assert_eq(read_lib_sb(&sb, &lib), -1, "libpcap refuses %u.%u too", versions[v][0], versions[v][1]);
		sb_release(&sb);
	}
}

Test(pcap_hostile, unknown_link_type_names_it)
{
	struct strbuf sb;
	struct rec_list l;

	build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, BE, false, 65535);
	put32(&sb, 20, 1, BE);
	cr_assert_eq(read_mem(sb.buf, sb.len, &l), -1);
	cr_assert(strstr(errtext(&l.err), "test.cap: offset 20: link type 1 (EN10MB) is not a USB or Bluetooth HCI link type "
				      "(scsiscope reads 189, 220, 249, 266, 187 and 201)"), "%s", errtext(&l.err));
	put32(&sb, 20, 0xffff, BE);
	cr_assert_eq(read_mem(sb.buf, sb.len, &l), -1);
	cr_assert(strstr(errtext(&l.err), "link type 65535 (unknown) is not a USB"), "%s", errtext(&l.err));
	sb_release(&sb);
}

/* The file cut at every byte of its third record: the two before are
 * delivered, the error names frame 3 and its offset, and libpcap agrees. */
Test(pcap_hostile, record_cut_at_every_byte)
{
	for (int be = 0; be < 2; be++) {
		struct strbuf sb;
		size_t r3, r4;

		build_any(&sb, LINKTYPE_USB_LINUX_MMAPPED, be, false, 65535);
		r3 = record_offset(&sb, be, 2);
		r4 = record_offset(&sb, be, 3);
		for (size_t cut = r3 + 1; cut < r4; cut++) {
			struct strbuf part = { .buf = sb.buf, .len = cut };
			struct rec_list l;
			char msg[96];

			if (cut - r3 < 16)
				snprintf(msg, sizeof(msg), "damaged record: the file ends %zu bytes into its 16-byte record header",
					 cut - r3);
			else
				snprintf(msg, sizeof(msg), "damaged record: the file ends %zu bytes into its %zu captured bytes",
					 cut - r3 - 16, r4 - r3 - 16);
			read_damaged(&part, 2, 3, r3, msg, &l);
			rec_list_free(&l);
			cr_assert_eq(same_as_libpcap(sb.buf, cut, "cut"), 2);
		}
		sb_release(&sb);
	}
}

/* Captured lengths up to libpcap's maximum for the link type are read
 * (the bytes are there); one more is a damaged record, for libpcap too. */
Test(pcap_hostile, caplen_limit_per_link_type)
{
	static const struct { int lt; uint32_t max; } lim[] = {
		{ LINKTYPE_USB_LINUX_MMAPPED, 262144 }, { LINKTYPE_USB_LINUX, 262144 },
		{ LINKTYPE_USB_DARWIN, 262144 }, { LINKTYPE_BLUETOOTH_HCI_H4, 262144 },
		{ LINKTYPE_USBPCAP, 1024 * 1024 },
	};
	static uint8_t big[1024 * 1024 + 1];

	for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++)
		for (int over = 0; over < 2; over++) {
			struct strbuf sb;
			struct rec_list l;
			size_t r2;
			uint32_t caplen = lim[k].max + (uint32_t)over;
			char msg[160];

			build_any(&sb, lim[k].lt, LE, false, 65535);
			sb.len = record_offset(&sb, LE, 1);     /* keep the first record */
			r2 = sb.len;
			memset(big, 0, sizeof(big));
			if (lim[k].lt == LINKTYPE_BLUETOOTH_HCI_H4)
				big[0] = 0x02;                  /* an ACL packet */
			else if (lim[k].lt == LINKTYPE_USBPCAP)
				memcpy(big, "\x1b\x00", 2);     /* USBPcap header length 27 */
			pcapw_record(&sb, 5, big, caplen, caplen, LE, false);
			put32(&sb, 16, 0, LE);                  /* snaplen 0: no limit of its own */
			if (!over) {
				/* the record itself may be a good or a bad packet: what matters is that
				 * both readers get past the length check alike */
				struct rec_list lib;
				read_mem(sb.buf, sb.len, &l);
				cr_assert_eq(read_lib_sb(&sb, &lib), 0);
				cr_assert_eq(l.n, lib.n, "link type %d: %zu vs %zu", lim[k].lt, l.n, lib.n);
				cr_assert_eq(l.rc, lib.rc, "link type %d: %s / %s", lim[k].lt, errtext(&l.err), lib.err.msg);
				if (l.rc < 0)
					cr_assert_null(strstr(errtext(&l.err), "captured length"), "%s", errtext(&l.err));
				rec_list_free(&lib);
			} else {
				snprintf(msg, sizeof(msg), "damaged record: its captured length %u is larger than %u, "
					 "the most libpcap accepts for link type %d", caplen, lim[k].max, lim[k].lt);
				read_damaged(&sb, 1, 2, r2, msg, &l);
				cr_assert_eq(same_as_libpcap_sb(&sb, "over the maximum"), 1);
			}
			rec_list_free(&l);
			sb_release(&sb);
		}
}

/* A huge captured length in a file cut short: refused by its length, not
 * waited for, whatever the byte order. */
Test(pcap_hostile, huge_caplen_both_byte_orders)
{
	for (int be = 0; be < 2; be++) {
		struct strbuf sb;
		struct rec_list l;
		size_t r2;

		build_any(&sb, LINKTYPE_USB_LINUX, be, true, 65535);
		r2 = record_offset(&sb, be, 1);
		put32(&sb, r2 + 8, 0xffffffffu, be);
		read_damaged(&sb, 1, 2, r2, "damaged record: its captured length 4294967295 is larger than 262144", &l);
		rec_list_free(&l);
		cr_assert_eq(same_as_libpcap_sb(&sb, "huge caplen"), 1);
		sb_release(&sb);
	}
}

/* Random damage after the file header: never a crash or an endless read;
 * always a clean end or an error with a location; frame numbers count up
 * from 1. */
Test(pcap_hostile, random_mutations)
{
	struct strbuf base;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t *buf;

	build_any(&base, LINKTYPE_USB_LINUX_MMAPPED, LE, false, 65535);
	buf = malloc(base.len);
	cr_assert(buf);
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = base.len;
		struct rec_list l;
		memcpy(buf, base.buf, base.len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			buf[24 + (x >> 8) % (len - 24)] = (uint8_t)x;
		}
		if (iter % 5 == 0) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			len = 24 + (x >> 8) % (len - 24);
		}
		read_mem(buf, len, &l);
		cr_assert(l.rc == 0 || (l.rc == -1 && l.err.set && l.err.offset != ERROR_NO_OFFSET), "iteration %d", iter);
		for (size_t i = 0; i < l.n; i++)
			cr_assert_eq(l.recs[i].u.usb.frame, i + 1);
		rec_list_free(&l);
	}
	free(buf);
	sb_release(&base);
}
