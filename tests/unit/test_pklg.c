/* test_pklg.c - Apple PacketLogger files: both byte orders, every record type, real captures, tshark, damaged files. */
#include "testlib.h"

#include <stdio.h>
#include <unistd.h>

#include "capture/reader.h"

/* One record of every type Wireshark knows, plus an unknown code. */
struct pk_case {
	uint8_t code;
	uint8_t type;
	uint8_t dir;
	const char *data;
	uint32_t len;
	const char *want;         /* what the reader returns (text: NULs stripped) */
	uint32_t want_len;
};

static const struct pk_case cases[] = {
	{ 0x00, HCI_REC_COMMAND, HCI_DIR_SENT, "\x03\x0c\x00", 3, "\x03\x0c\x00", 3 },
	{ 0x01, HCI_REC_EVENT, HCI_DIR_RECV, "\x0e\x04\x01\x03\x0c\x00", 6, "\x0e\x04\x01\x03\x0c\x00", 6 },
	{ 0x02, HCI_REC_ACL, HCI_DIR_SENT, "\x40\x00\x05\x00\x01\x00\x04\x00\x0a", 9, "\x40\x00\x05\x00\x01\x00\x04\x00\x0a", 9 },
	{ 0x03, HCI_REC_ACL, HCI_DIR_RECV, "\x40\x20\x01\x00\x00", 5, "\x40\x20\x01\x00\x00", 5 },
	{ 0x08, HCI_REC_SCO, HCI_DIR_SENT, "\x01\x00\x02\xaa\xbb", 5, "\x01\x00\x02\xaa\xbb", 5 },
	{ 0x09, HCI_REC_SCO, HCI_DIR_RECV, "\x01\x00\x01\xcc", 4, "\x01\x00\x01\xcc", 4 },
	{ 0x0a, HCI_REC_LMP, HCI_DIR_SENT, "\x11\x22", 2, "\x11\x22", 2 },
	{ 0x0b, HCI_REC_LMP, HCI_DIR_RECV, "\x33", 1, "\x33", 1 },
	{ 0xf7, HCI_REC_SYSLOG, HCI_DIR_NONE, "\x10\x00\x00\x00\x05" "bluetoothd\0msg\0", 20, "\x10\x00\x00\x00\x05" "bluetoothd\0msg", 19 },
	{ 0xf8, HCI_REC_KERNEL, HCI_DIR_NONE, "kernel says hi\0", 15, "kernel says hi", 14 },
	{ 0xf9, HCI_REC_KERNEL_DEBUG, HCI_DIR_NONE, "debug", 5, "debug", 5 },
	{ 0xfa, HCI_REC_ERROR, HCI_DIR_NONE, "error!\0\0\0", 9, "error!", 6 },
	{ 0xfb, HCI_REC_POWER, HCI_DIR_NONE, "OFF->ON\n", 8, "OFF->ON\n", 8 },
	{ 0xfc, HCI_REC_NOTE, HCI_DIR_NONE, "a note\0", 7, "a note", 6 },
	{ 0xfd, HCI_REC_CONFIG, HCI_DIR_NONE, "cfg", 3, "cfg", 3 },
	{ 0xfe, HCI_REC_NEW_CONTROLLER, HCI_DIR_NONE, "\0\0", 2, "", 0 },
	{ 0x42, HCI_REC_OTHER, HCI_DIR_NONE, "\x00\x01\x00", 3, "\x00\x01\x00", 3 },
	{ 0x00, HCI_REC_COMMAND, HCI_DIR_SENT, "", 0, "", 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int64_t case_ts(size_t i)
{
	return 1397218361LL * 1000000000 + (int64_t)i * 1234567000LL + 721000;
}

static void build_cases(struct strbuf *sb, bool be)
{
	sb_init(sb);
	for (size_t i = 0; i < NCASES; i++) {
		/* Only OTHER needs orig_type; give the rest a wrong one to show
		 * that type and direction choose the code. */
		uint32_t orig = cases[i].type == HCI_REC_OTHER ? cases[i].code : 0x77;
		struct hci_record r = mk_hci(cases[i].type, cases[i].dir, orig, cases[i].data, cases[i].len,
					     case_ts(i));
		pklgw_record(sb, &r, be);
	}
}

static void check_roundtrip(bool be)
{
	struct strbuf sb;
	struct rec_list l;

	build_cases(&sb, be);
	cr_assert(pklg_probe((const uint8_t *)sb.buf, sb.len));
	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.info.format, CAP_FORMAT_PKLG);
	cr_assert_eq(l.info.big_endian, be);
	cr_assert_eq(l.n, NCASES);
	cr_assert_eq(l.frames, NCASES);
	for (size_t i = 0; i < NCASES; i++) {
		const struct hci_record *r = &l.recs[i].u.hci;
		cr_assert_eq(l.recs[i].kind, CAP_REC_HCI);
		cr_assert_eq(r->frame, i + 1);
		cr_assert_eq(r->source, HCI_SRC_PKLG);
		cr_assert_eq(r->orig_type, cases[i].code, "record %zu: code 0x%02x", i, r->orig_type);
		cr_assert_eq(r->type, cases[i].type, "record %zu (0x%02x): type %d", i, cases[i].code, r->type);
		cr_assert_eq(r->dir, cases[i].dir, "record %zu (0x%02x): dir %d", i, cases[i].code, r->dir);
		cr_assert_eq(r->caplen, cases[i].want_len, "record %zu: caplen %u", i, r->caplen);
		cr_assert_eq(r->len, cases[i].want_len);
		cr_assert_not(r->truncated);
		cr_assert_eq(r->drops, 0);
		cr_assert_eq(memcmp(r->data, cases[i].want, cases[i].want_len), 0, "record %zu data", i);
		cr_assert_eq(r->ts_ns, case_ts(i) / 1000 * 1000, "record %zu: microsecond timestamp", i);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(pklg, roundtrip_big_endian_every_type) { check_roundtrip(true); }
Test(pklg, roundtrip_little_endian_every_type) { check_roundtrip(false); }

Test(pklg, writer_layout_is_exact)
{
	struct hci_record r = mk_hci(HCI_REC_ACL, HCI_DIR_RECV, 0, "\xaa\xbb", 2, 5000000007000LL);
	static const uint8_t be[] = { 0, 0, 0, 11, 0, 0, 0x13, 0x88, 0, 0, 0, 7, 0x03, 0xaa, 0xbb };
	static const uint8_t le[] = { 11, 0, 0, 0, 0x88, 0x13, 0, 0, 7, 0, 0, 0, 0x03, 0xaa, 0xbb };
	struct strbuf sb = STRBUF_INIT;

	pklgw_record(&sb, &r, true);
	cr_assert_eq(sb.len, sizeof(be));
	cr_assert_eq(memcmp(sb.buf, be, sizeof(be)), 0);
	sb_reset(&sb);
	pklgw_record(&sb, &r, false);
	cr_assert_eq(sb.len, sizeof(le));
	cr_assert_eq(memcmp(sb.buf, le, sizeof(le)), 0);
	sb_release(&sb);
}

/* ---- probe ---- */

Test(pklg_probe, recognises_both_orders_and_short_files)
{
	struct strbuf sb;
	struct hci_record r = mk_hci(HCI_REC_NOTE, HCI_DIR_NONE, 0, "x", 1, 0);

	for (int be = 0; be < 2; be++) {
		build_cases(&sb, be);
		cr_assert(pklg_probe((const uint8_t *)sb.buf, sb.len));
		cr_assert(pklg_probe((const uint8_t *)sb.buf, 13), "one complete header is enough");
		cr_assert_not(pklg_probe((const uint8_t *)sb.buf, 12), "a header needs 13 bytes");
		cr_assert_eq(cap_detect((const uint8_t *)sb.buf, sb.len), CAP_FORMAT_PKLG);
		sb_release(&sb);
	}
	sb_init(&sb);
	pklgw_record(&sb, &r, true);
	cr_assert(pklg_probe((const uint8_t *)sb.buf, sb.len), "a one-record file");
	sb_release(&sb);
}

Test(pklg_probe, rejects_a_bad_record_among_the_first_five)
{
	struct strbuf sb;

	build_cases(&sb, true);
	/* the fourth record starts after three of 13 + 3, 13 + 6 and 13 + 9 bytes */
	{
		size_t off = (13 + 3) + (13 + 6) + (13 + 9);
		cr_assert(pklg_probe((const uint8_t *)sb.buf, sb.len));
		sb.buf[off + 12] = 0x55;
		cr_assert_not(pklg_probe((const uint8_t *)sb.buf, sb.len));
		sb.buf[off + 12] = 0x03;
		sb.buf[off + 8] = 0x7f;   /* microseconds >= 1000000 */
		cr_assert_not(pklg_probe((const uint8_t *)sb.buf, sb.len));
		sb.buf[off + 8] = 0;
		sb.buf[off + 1] = 0x01;   /* length 0x10016: 64 KiB or more */
		cr_assert_not(pklg_probe((const uint8_t *)sb.buf, sb.len));
	}
	sb_release(&sb);
}

Test(pklg_probe, no_false_positives)
{
	static const char usbmon[] =
		"ffff8880b8a4e000 1150428571 S Ci:2:001:0 s 80 06 0100 0000 0012 18 <\n"
		"ffff8880b8a4e000 1150428660 C Ci:2:001:0 0 18 = 12010002 09000140\n";
	static const char text[] = "Hello, this is a text file and not a capture at all.\n";
	static const uint8_t pcap_le[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0xff, 0xff, 0, 0, 189, 0, 0, 0 };
	static const uint8_t pcap_be[24] = { 0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
					     0, 0, 0xff, 0xff, 0, 0, 0, 201 };
	static const uint8_t zeros[64] = { 0 };
	uint8_t buf[4096];
	uint32_t x = 12345;
	int hits = 0;

	cr_assert_not(pklg_probe((const uint8_t *)usbmon, sizeof(usbmon) - 1));
	cr_assert_not(pklg_probe((const uint8_t *)text, sizeof(text) - 1));
	cr_assert_not(pklg_probe(pcap_le, sizeof(pcap_le)));
	cr_assert_not(pklg_probe(pcap_be, sizeof(pcap_be)));
	cr_assert_not(pklg_probe(zeros, sizeof(zeros)));
	cr_assert_not(pklg_probe(NULL, 0));
	/* 20000 random buffers; every other one gets a plausible first length
	 * short enough that the probe sees the record after it too */
	for (int t = 0; t < 20000; t++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		if (t % 2) {
			buf[0] = 0; buf[1] = 0; buf[2] = (uint8_t)((t >> 8) & 7); buf[3] = (uint8_t)t | 0x10;
		}
		hits += pklg_probe(buf, sizeof(buf));
	}
	cr_assert_eq(hits, 0, "%d random buffers taken for PacketLogger", hits);
}

/* ---- real captures ---- */

/* A public capture (its path under ../shared/captures/public) in memory;
 * the test is skipped where it is absent, e.g. distcheck. */
static uint8_t *public_capture(const char *rel, size_t *len)
{
	char *sub = path_join("public", rel);
	uint8_t *buf = slurp_shared(sub, len);

	free(sub);
	return buf;
}

struct type_count {
	uint8_t code;
	unsigned want;
};

static void check_real(const char *rel, size_t want_n, const struct type_count *tc, size_t ntc, bool be)
{
	struct rec_list l;
	uint8_t *buf;
	size_t len;
	unsigned counts[256] = { 0 };
	unsigned total = 0;

	buf = public_capture(rel, &len);
	cr_assert_eq(read_all_mem(buf, len, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s: %s", rel, errtext(&l.err));
	cr_assert_eq(l.info.format, CAP_FORMAT_PKLG);
	cr_assert_eq(l.info.big_endian, be);
	cr_assert_eq(l.n, want_n, "%s: %zu records", rel, l.n);
	for (size_t i = 0; i < l.n; i++) {
		cr_assert_eq(l.recs[i].u.hci.frame, i + 1);
		cr_assert_lt(l.recs[i].u.hci.orig_type, 256u);
		counts[l.recs[i].u.hci.orig_type]++;
	}
	for (size_t i = 0; i < ntc; i++) {
		cr_assert_eq(counts[tc[i].code], tc[i].want, "%s: type 0x%02x: %u records, MANIFEST says %u",
			     rel, tc[i].code, counts[tc[i].code], tc[i].want);
		total += tc[i].want;
	}
	cr_assert_eq(total, want_n, "the MANIFEST types cover every record");
	rec_list_free(&l);
	free(buf);
}

Test(pklg_real, btstack_pairing)
{
	static const struct type_count tc[] = { { 0xfc, 40 }, { 0x01, 75 }, { 0x00, 45 }, { 0x03, 17 }, { 0x02, 18 } };
	struct rec_list l;
	uint8_t *buf;
	size_t len;

	check_real("btstack/pairing.pklg", 195, tc, sizeof(tc) / sizeof(tc[0]), true);

	/* The first record: a BTstack log note at 0x5347dc39 s + 0x000b0403 us. */
	buf = public_capture("btstack/pairing.pklg", &len);
	cr_assert_eq(read_all_mem(buf, len, &l), 0);
	cr_assert_eq(l.recs[0].u.hci.type, HCI_REC_NOTE);
	cr_assert_eq(l.recs[0].u.hci.ts_ns, 0x5347dc39LL * 1000000000 + 0x000b0403LL * 1000);
	cr_assert_eq(l.recs[0].u.hci.caplen, strlen("registering packet handler"));
	cr_assert_eq(memcmp(l.recs[0].u.hci.data, "registering packet handler", l.recs[0].u.hci.caplen), 0);
	rec_list_free(&l);
	free(buf);
}

Test(pklg_real, hciparse_test00)
{
	static const struct type_count tc[] = {
		{ 0xfb, 21 }, { 0xf8, 159 }, { 0x0a, 6 }, { 0x00, 994 }, { 0x01, 1058 }, { 0xfc, 1 },
	};
	check_real("hciparse/test00.pklg", 2239, tc, sizeof(tc) / sizeof(tc[0]), true);
}

/* The same files byte-swapped to little-endian read the same. */
Test(pklg_real, test00_swapped_to_little_endian)
{
	uint8_t *buf;
	size_t len, off = 0;
	struct rec_list a, b;

	buf = public_capture("hciparse/test00.pklg", &len);
	cr_assert_eq(read_all_mem(buf, len, &a), 0);
	while (off + 12 <= len) {
		uint32_t rl = ((uint32_t)buf[off] << 24) | ((uint32_t)buf[off + 1] << 16) |
			      ((uint32_t)buf[off + 2] << 8) | buf[off + 3];
		for (size_t f = 0; f < 3; f++) {
			uint8_t *q = buf + off + 4 * f, t;
			t = q[0]; q[0] = q[3]; q[3] = t;
			t = q[1]; q[1] = q[2]; q[2] = t;
		}
		off += 4 + rl;
	}
	cr_assert_eq(off, len);
	cr_assert_eq(read_all_mem(buf, len, &b), 0);
	cr_assert_eq(b.rc, 0, "%s", errtext(&b.err));
	cr_assert_not(b.info.big_endian);
	cr_assert_eq(b.n, a.n);
	for (size_t i = 0; i < a.n; i++) {
		cr_assert_eq(b.recs[i].u.hci.ts_ns, a.recs[i].u.hci.ts_ns);
		cr_assert_eq(b.recs[i].u.hci.orig_type, a.recs[i].u.hci.orig_type);
		cr_assert_eq(b.recs[i].u.hci.caplen, a.recs[i].u.hci.caplen);
	}
	rec_list_free(&a);
	rec_list_free(&b);
	free(buf);
}

static void compare_tshark(const char *rel)
{
	char *sub = path_join("public", rel), *path = shared_capture(sub);
	char cmd[8192], line[256];
	struct rec_list l;
	uint8_t *buf;
	size_t len, i = 0;
	FILE *fp;

	free(sub);
	if (!path)
		cr_skip_test("%s is not in ../shared/captures beside the source tree (or top_srcdir is unset)", rel);
	if (!on_path("tshark"))
		cr_skip_test("tshark is not on PATH: skipping the comparison with Wireshark");
	cr_assert(!strchr(path, '\''));
	buf = slurp(path, &len);
	cr_assert(buf, "cannot open %s", path);
	cr_assert_eq(read_all_mem(buf, len, &l), 0);
	cr_assert_eq(l.rc, 0);
	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -e frame.number -e packetlogger.type 2>/dev/null", path);
	fp = popen(cmd, "r");
	cr_assert(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned long frame;
		unsigned type;
		cr_assert_eq(sscanf(line, "%lu\t%x", &frame, &type), 2, "tshark line: %s", line);
		cr_assert_lt(i, l.n, "tshark has more frames than we read");
		cr_assert_eq(l.recs[i].u.hci.frame, frame);
		cr_assert_eq(l.recs[i].u.hci.orig_type, type, "frame %lu: tshark type 0x%02x, ours 0x%02x",
			     frame, type, l.recs[i].u.hci.orig_type);
		i++;
	}
	cr_assert_eq(pclose(fp), 0, "tshark failed");
	cr_assert_eq(i, l.n, "tshark read %zu frames, we read %zu", i, l.n);
	rec_list_free(&l);
	free(buf);
	free(path);
}

Test(pklg_real, tshark_agrees_pairing) { compare_tshark("btstack/pairing.pklg"); }
Test(pklg_real, tshark_agrees_test00) { compare_tshark("hciparse/test00.pklg"); }

/* ---- damaged files ---- */

/* Ten notes "note N" (13 + 6 bytes each), in the given order. */
static void build_notes(struct strbuf *sb, bool be, size_t n, size_t *offs)
{
	sb_init(sb);
	for (size_t i = 0; i < n; i++) {
		char text[7] = "note 0";
		struct hci_record r;
		text[5] = (char)('0' + i % 10);
		r = mk_hci(HCI_REC_NOTE, HCI_DIR_NONE, 0, text, 6, (int64_t)i * 1000000);
		if (offs)
			offs[i] = sb->len;
		pklgw_record(sb, &r, be);
	}
}

static void put_len(struct strbuf *sb, size_t off, uint32_t v, bool be)
{
	uint8_t *p = (uint8_t *)sb->buf + off;
	if (be) {
		p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
	} else {
		p[3] = (uint8_t)(v >> 24); p[2] = (uint8_t)(v >> 16); p[1] = (uint8_t)(v >> 8); p[0] = (uint8_t)v;
	}
}

static void expect_error(struct strbuf *sb, size_t good, uint64_t frame, uint64_t off, const char *msg)
{
	struct rec_list l;

	read_damaged(sb, good, frame, off, msg, &l);
	cr_assert_eq(l.info.format, CAP_FORMAT_PKLG);
	for (size_t i = 0; i < l.n; i++)
		cr_assert_eq(l.recs[i].u.hci.frame, i + 1);
	rec_list_free(&l);
}

Test(pklg_bad, cut_mid_record_both_orders)
{
	size_t offs[10];
	struct strbuf sb;

	for (int be = 0; be < 2; be++) {
		build_notes(&sb, be, 10, offs);
		sb.len = offs[7] + 15;       /* two bytes into record 8's text */
		expect_error(&sb, 7, 8, offs[7], "its length field says 15 bytes follow but the file ends after 11");
		sb.len = offs[7] + 6;        /* inside record 8's timestamp */
		expect_error(&sb, 7, 8, offs[7], "cut short");
		sb.len = offs[7] + 2;        /* inside record 8's length field */
		expect_error(&sb, 7, 8, offs[7], "2 bytes into its 4-byte length field");
		sb_release(&sb);
	}
}

Test(pklg_bad, length_smaller_than_header)
{
	size_t offs[10];
	struct strbuf sb;

	for (int be = 0; be < 2; be++) {
		build_notes(&sb, be, 10, offs);
		put_len(&sb, offs[6], 8, be);
		expect_error(&sb, 6, 7, offs[6], "record length 8 is smaller than the 9 bytes");
		sb_release(&sb);
	}
}

Test(pklg_bad, length_larger_than_what_remains)
{
	size_t offs[10];
	struct strbuf sb;

	for (int be = 0; be < 2; be++) {
		build_notes(&sb, be, 10, offs);
		put_len(&sb, offs[8], 1000, be);
		expect_error(&sb, 8, 9, offs[8], "says 1000 bytes follow but the file ends after 34");
		sb_release(&sb);
	}
}

Test(pklg_bad, length_beyond_cap_max_record)
{
	size_t offs[10];
	struct strbuf sb;

	for (int be = 0; be < 2; be++) {
		build_notes(&sb, be, 10, offs);
		put_len(&sb, offs[9], CAP_MAX_RECORD + 10, be);
		expect_error(&sb, 9, 10, offs[9], "larger than the 16777216-byte limit");
		sb_release(&sb);
	}
}

Test(pklg_bad, damaged_first_record_is_not_taken_for_packetlogger)
{
	struct strbuf sb;
	struct rec_list l;

	build_notes(&sb, true, 3, NULL);
	put_len(&sb, 0, 4, true);
	cr_assert_eq(read_all_sb(&sb, &l), -1);
	cr_assert(strstr(errtext(&l.err), "not a capture file"), "%s", errtext(&l.err));
	sb_release(&sb);
}

Test(pklg_bad, unknown_type_after_the_probe_is_kept)
{
	size_t offs[10];
	struct strbuf sb;
	struct rec_list l;

	build_notes(&sb, false, 10, offs);
	sb.buf[offs[8] + 12] = (char)0xe0;
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 10);
	cr_assert_eq(l.recs[8].u.hci.type, HCI_REC_OTHER);
	cr_assert_eq(l.recs[8].u.hci.orig_type, 0xe0);
	cr_assert_eq(l.recs[8].u.hci.caplen, 6, "data kept, not stripped");
	cr_assert_eq(memcmp(l.recs[8].u.hci.data, "note 8", 6), 0);
	rec_list_free(&l);
	sb_release(&sb);
}
