/* test_btsnoop.c - btsnoop (H1, H4, Linux monitor) and H4-in-pcap (187, 201) readers and writers, and damaged files. */
#include "testlib.h"

#include "capture/reader.h"

#define DL_H1 1001
#define DL_H4 1002
#define DL_BCSP 1003
#define DL_MONITOR 2001

static const uint8_t reset_cmd[] = { 0x03, 0x0c, 0x00 };
static const uint8_t cc_event[] = { 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00 };
static const uint8_t acl_out[] = { 0x40, 0x00, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0x0a };
static const uint8_t acl_in[] = { 0x40, 0x20, 0x01, 0x00, 0x00 };

/* 1.5 s after the epoch, then a day later, ... : microsecond values. */
static int64_t ts(size_t i) { return 1500000000LL * 1000000000 + (int64_t)i * 86400000000000LL + 123456000; }

/* ---- H1 ---- */

static void check_h1(uint32_t datalink)
{
	struct hci_record in[4] = {
		mk_hci(HCI_REC_COMMAND, HCI_DIR_SENT, 0, reset_cmd, sizeof(reset_cmd), ts(0)),
		mk_hci(HCI_REC_EVENT, HCI_DIR_RECV, 0, cc_event, sizeof(cc_event), ts(1)),
		mk_hci(HCI_REC_ACL, HCI_DIR_SENT, 0, acl_out, sizeof(acl_out), ts(2)),
		mk_hci(HCI_REC_ACL, HCI_DIR_RECV, 0, acl_in, sizeof(acl_in), ts(3)),
	};
	static const uint32_t want_flags[4] = { 2, 3, 0, 1 };
	struct strbuf sb = STRBUF_INIT;
	struct rec_list l;

	in[3].drops = 7;
	btsnoopw_header(&sb, datalink);
	for (size_t i = 0; i < 4; i++)
		btsnoopw_record(&sb, &in[i], datalink);
	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.info.format, CAP_FORMAT_BTSNOOP);
	cr_assert_eq(l.n, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct hci_record *r = &l.recs[i].u.hci;
		cr_assert_eq(l.recs[i].kind, CAP_REC_HCI);
		cr_assert_eq(r->frame, i + 1);
		cr_assert_eq(r->source, HCI_SRC_BTSNOOP);
		cr_assert_eq(r->type, in[i].type, "record %zu type %d", i, r->type);
		cr_assert_eq(r->dir, in[i].dir);
		cr_assert_eq(r->orig_type, want_flags[i], "record %zu flags %u", i, r->orig_type);
		cr_assert_eq(r->caplen, in[i].caplen);
		cr_assert_eq(r->len, in[i].len);
		cr_assert_not(r->truncated);
		cr_assert_eq(memcmp(r->data, in[i].data, in[i].caplen), 0);
		cr_assert_eq(r->ts_ns, in[i].ts_ns);
	}
	cr_assert_eq(l.recs[2].u.hci.drops, 0);
	cr_assert_eq(l.recs[3].u.hci.drops, 7);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(btsnoop, h1_roundtrip) { check_h1(DL_H1); }
Test(btsnoop, bcsp_is_read_as_h1) { check_h1(DL_BCSP); }

Test(btsnoop, header_and_record_layout_is_exact)
{
	struct hci_record r = mk_hci(HCI_REC_EVENT, HCI_DIR_RECV, 0, cc_event, sizeof(cc_event), 0);
	static const uint8_t want[] = {
		'b', 't', 's', 'n', 'o', 'o', 'p', 0, 0, 0, 0, 1, 0, 0, 0x03, 0xe9,
		0, 0, 0, 6, 0, 0, 0, 6, 0, 0, 0, 3, 0, 0, 0, 0,
		0x00, 0xdc, 0xdd, 0xb3, 0x0f, 0x2f, 0x80, 0x00,        /* the Unix epoch */
		0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00,
	};
	struct strbuf sb = STRBUF_INIT;

	btsnoopw_header(&sb, DL_H1);
	btsnoopw_record(&sb, &r, DL_H1);
	cr_assert_eq(sb.len, sizeof(want));
	cr_assert_eq(memcmp(sb.buf, want, sizeof(want)), 0);
	sb_release(&sb);
}

/* ---- H4 ---- */

Test(btsnoop, h4_roundtrip)
{
	static const uint8_t sco[] = { 0x01, 0x00, 0x02, 0xaa, 0xbb };
	static const uint8_t iso[] = { 0x01, 0x20, 0x04, 0x00, 1, 2, 3, 4 };
	static const uint8_t odd[] = { 0xde, 0xad };
	struct hci_record in[7] = {
		mk_hci(HCI_REC_COMMAND, HCI_DIR_SENT, 0, reset_cmd, sizeof(reset_cmd), ts(0)),
		mk_hci(HCI_REC_EVENT, HCI_DIR_RECV, 0, cc_event, sizeof(cc_event), ts(1)),
		mk_hci(HCI_REC_ACL, HCI_DIR_SENT, 0, acl_out, sizeof(acl_out), ts(2)),
		mk_hci(HCI_REC_ACL, HCI_DIR_RECV, 0, acl_in, sizeof(acl_in), ts(3)),
		mk_hci(HCI_REC_SCO, HCI_DIR_RECV, 0, sco, sizeof(sco), ts(4)),
		mk_hci(HCI_REC_ISO, HCI_DIR_SENT, 0, iso, sizeof(iso), ts(5)),
		mk_hci(HCI_REC_OTHER, HCI_DIR_RECV, 0x42, odd, sizeof(odd), ts(6)),
	};
	static const uint8_t want_code[7] = { 1, 4, 2, 2, 3, 5, 0x42 };
	struct strbuf sb = STRBUF_INIT;
	struct rec_list l;

	btsnoopw_header(&sb, DL_H4);
	for (size_t i = 0; i < 7; i++)
		btsnoopw_record(&sb, &in[i], DL_H4);
	/* the first record: orig 4, incl 4, flags 2 (command, sent), type byte 1 */
	cr_assert_eq(memcmp(sb.buf + 16, "\0\0\0\4\0\0\0\4\0\0\0\2", 12), 0);
	cr_assert_eq((uint8_t)sb.buf[16 + 24], 0x01);
	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 7);
	for (size_t i = 0; i < 7; i++) {
		const struct hci_record *r = &l.recs[i].u.hci;
		cr_assert_eq(r->frame, i + 1);
		cr_assert_eq(r->source, HCI_SRC_BTSNOOP);
		cr_assert_eq(r->type, in[i].type, "record %zu type %d", i, r->type);
		cr_assert_eq(r->dir, in[i].dir, "record %zu dir %d", i, r->dir);
		cr_assert_eq(r->orig_type, want_code[i], "record %zu: H4 type byte 0x%02x", i, r->orig_type);
		cr_assert_eq(r->caplen, in[i].caplen, "the H4 type byte is not data");
		cr_assert_eq(r->len, in[i].len);
		cr_assert_eq(memcmp(r->data, in[i].data, in[i].caplen), 0);
		cr_assert_eq(r->ts_ns, in[i].ts_ns);
	}
	rec_list_free(&l);
	sb_release(&sb);
}

Test(btsnoop, h4_truncated_record)
{
	struct hci_record r = mk_hci(HCI_REC_ACL, HCI_DIR_SENT, 0, acl_out, 4, ts(0));
	struct strbuf sb = STRBUF_INIT;
	struct rec_list l;

	r.len = sizeof(acl_out);
	btsnoopw_header(&sb, DL_H4);
	btsnoopw_record(&sb, &r, DL_H4);
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.recs[0].u.hci.caplen, 4);
	cr_assert_eq(l.recs[0].u.hci.len, sizeof(acl_out));
	cr_assert(l.recs[0].u.hci.truncated);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- Linux monitor ---- */

struct mon_case {
	uint16_t opcode;
	uint8_t type;
	uint8_t dir;
};

static const struct mon_case mon_cases[] = {
	{ 0, HCI_REC_NEW_CONTROLLER, HCI_DIR_NONE },
	{ 1, HCI_REC_CONFIG, HCI_DIR_NONE },
	{ 2, HCI_REC_COMMAND, HCI_DIR_SENT },
	{ 3, HCI_REC_EVENT, HCI_DIR_RECV },
	{ 4, HCI_REC_ACL, HCI_DIR_SENT },
	{ 5, HCI_REC_ACL, HCI_DIR_RECV },
	{ 6, HCI_REC_SCO, HCI_DIR_SENT },
	{ 7, HCI_REC_SCO, HCI_DIR_RECV },
	{ 8, HCI_REC_POWER, HCI_DIR_NONE },
	{ 9, HCI_REC_POWER, HCI_DIR_NONE },
	{ 10, HCI_REC_CONFIG, HCI_DIR_NONE },
	{ 11, HCI_REC_VENDOR, HCI_DIR_NONE },
	{ 12, HCI_REC_NOTE, HCI_DIR_NONE },
	{ 13, HCI_REC_SYSLOG, HCI_DIR_NONE },
	{ 14, HCI_REC_OTHER, HCI_DIR_NONE },
	{ 17, HCI_REC_OTHER, HCI_DIR_NONE },
	{ 18, HCI_REC_ISO, HCI_DIR_SENT },
	{ 19, HCI_REC_ISO, HCI_DIR_RECV },
	{ 0x1234, HCI_REC_OTHER, HCI_DIR_NONE },
};
#define NMON (sizeof(mon_cases) / sizeof(mon_cases[0]))

Test(btsnoop, monitor_opcodes)
{
	static const uint8_t payload[] = { 0x11, 0x22, 0x33 };
	struct strbuf sb = STRBUF_INIT;
	struct rec_list l;

	btsnoopw_header(&sb, DL_MONITOR);
	for (size_t i = 0; i < NMON; i++) {
		/* adapter index 2; orig_type carries the opcode, the type is what the writer maps */
		struct hci_record r = mk_hci(mon_cases[i].type, mon_cases[i].dir,
					     (2u << 16) | mon_cases[i].opcode, payload, sizeof(payload), ts(i));
		btsnoopw_record(&sb, &r, DL_MONITOR);
	}
	{
		/* a system note with its NUL terminator */
		struct hci_record r = mk_hci(HCI_REC_NOTE, HCI_DIR_NONE, 0, "hello\0", 6, ts(99));
		btsnoopw_record(&sb, &r, DL_MONITOR);
	}
	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, NMON + 1);
	for (size_t i = 0; i < NMON; i++) {
		const struct hci_record *r = &l.recs[i].u.hci;
		cr_assert_eq(r->orig_type, (2u << 16) | mon_cases[i].opcode, "record %zu flags 0x%x", i, r->orig_type);
		cr_assert_eq(r->type, mon_cases[i].type, "opcode %u: type %d", mon_cases[i].opcode, r->type);
		cr_assert_eq(r->dir, mon_cases[i].dir, "opcode %u: dir %d", mon_cases[i].opcode, r->dir);
		cr_assert_eq(r->caplen, sizeof(payload), "opcode %u keeps its data", mon_cases[i].opcode);
		cr_assert_eq(memcmp(r->data, payload, sizeof(payload)), 0);
		cr_assert_eq(r->ts_ns, ts(i));
	}
	cr_assert_eq(l.recs[NMON].u.hci.type, HCI_REC_NOTE);
	cr_assert_eq(l.recs[NMON].u.hci.orig_type, 12);
	cr_assert_eq(l.recs[NMON].u.hci.caplen, 5, "trailing NUL stripped from the note");
	cr_assert_eq(memcmp(l.recs[NMON].u.hci.data, "hello", 5), 0);
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- timestamps ---- */

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

Test(btsnoop, hostile_timestamps_saturate)
{
	struct hci_record r = mk_hci(HCI_REC_COMMAND, HCI_DIR_SENT, 0, reset_cmd, sizeof(reset_cmd), 0);
	struct strbuf sb = STRBUF_INIT;
	struct rec_list l;

	btsnoopw_header(&sb, DL_H1);
	for (int i = 0; i < 4; i++)
		btsnoopw_record(&sb, &r, DL_H1);
	put_be64((uint8_t *)sb.buf + 16 + 16, 0x8000000000000000ull);                 /* INT64_MIN us */
	put_be64((uint8_t *)sb.buf + 16 + 27 + 16, 0x7fffffffffffffffull);            /* INT64_MAX us */
	put_be64((uint8_t *)sb.buf + 16 + 2 * 27 + 16, 0);                            /* year 0 */
	cr_assert_eq(read_all_sb(&sb, &l), 0);
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.n, 4);
	cr_assert_eq(l.recs[0].u.hci.ts_ns, INT64_MIN);
	cr_assert_eq(l.recs[1].u.hci.ts_ns, INT64_MAX);
	cr_assert_eq(l.recs[2].u.hci.ts_ns, INT64_MIN, "62 billion s before 1970 does not fit in ns");
	cr_assert_eq(l.recs[3].u.hci.ts_ns, 0, "the epoch constant is 1970");
	rec_list_free(&l);
	sb_release(&sb);
}

/* ---- H4 in pcap ---- */

static void add_h4(struct strbuf *sb, int linktype, uint32_t direction, uint8_t type, const void *data, uint32_t n,
		   int64_t t, uint32_t snaplen)
{
	struct strbuf pkt = STRBUF_INIT;
	uint32_t len;

	if (linktype == LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR)
		sb_add_be32(&pkt, direction);
	sb_add_u8(&pkt, type);
	sb_add(&pkt, data, n);
	len = (uint32_t)pkt.len;
	pcapw_record(sb, t, pkt.buf, len < snaplen ? len : snaplen, len, false, true);
	sb_release(&pkt);
}

static void check_pcap_h4(int linktype)
{
	bool phdr = linktype == LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR;
	struct strbuf sb = STRBUF_INIT;
	struct rec_list l;
	static const struct {
		uint8_t code, type, dir_phdr, dir_plain;
		uint32_t direction;
	} want[] = {
		{ 0x01, HCI_REC_COMMAND, HCI_DIR_SENT, HCI_DIR_SENT, 0 },
		{ 0x04, HCI_REC_EVENT, HCI_DIR_RECV, HCI_DIR_RECV, 1 },
		{ 0x02, HCI_REC_ACL, HCI_DIR_SENT, HCI_DIR_NONE, 0 },
		{ 0x02, HCI_REC_ACL, HCI_DIR_RECV, HCI_DIR_NONE, 0xffffff01 },
		{ 0x03, HCI_REC_SCO, HCI_DIR_RECV, HCI_DIR_NONE, 1 },
		{ 0x05, HCI_REC_ISO, HCI_DIR_SENT, HCI_DIR_NONE, 2 },
		{ 0x99, HCI_REC_OTHER, HCI_DIR_RECV, HCI_DIR_NONE, 1 },
	};
	size_t n = sizeof(want) / sizeof(want[0]);

	pcapw_header(&sb, linktype, 65535, false, true);
	for (size_t i = 0; i < n; i++)
		add_h4(&sb, linktype, want[i].direction, want[i].code, acl_out, (uint32_t)(3 + i), ts(i), 65535);
	/* snaplen cut: 9 data bytes, 4 kept */
	add_h4(&sb, linktype, 1, 0x02, acl_out, sizeof(acl_out), ts(n), (phdr ? 5 : 1) + 4);

	cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
	cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
	cr_assert_eq(l.info.linktype, linktype);
	cr_assert_eq(l.n, n + 1);
	for (size_t i = 0; i < n; i++) {
		const struct hci_record *r = &l.recs[i].u.hci;
		cr_assert_eq(l.recs[i].kind, CAP_REC_HCI);
		cr_assert_eq(r->frame, i + 1);
		cr_assert_eq(r->source, HCI_SRC_PCAP_H4);
		cr_assert_eq(r->orig_type, want[i].code);
		cr_assert_eq(r->type, want[i].type, "packet %zu type %d", i, r->type);
		cr_assert_eq(r->dir, phdr ? want[i].dir_phdr : want[i].dir_plain, "packet %zu dir %d", i, r->dir);
		cr_assert_eq(r->caplen, 3 + i);
		cr_assert_eq(r->len, 3 + i);
		cr_assert_not(r->truncated);
		cr_assert_eq(memcmp(r->data, acl_out, 3 + i), 0);
		cr_assert_eq(r->ts_ns, ts(i));
	}
	cr_assert_eq(l.recs[n].u.hci.caplen, 4);
	cr_assert_eq(l.recs[n].u.hci.len, sizeof(acl_out));
	cr_assert(l.recs[n].u.hci.truncated);
	rec_list_free(&l);
	sb_release(&sb);
}

Test(pcap_h4, dlt187) { check_pcap_h4(LINKTYPE_BLUETOOTH_HCI_H4); }
Test(pcap_h4, dlt201) { check_pcap_h4(LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR); }

Test(pcap_h4, packet_without_type_byte_is_an_error)
{
	static const struct { int linktype; uint32_t n; const char *msg; } cases[] = {
		{ LINKTYPE_BLUETOOTH_HCI_H4, 0, "H4 packet is 0 bytes; expected a packet type byte" },
		{ LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, 4, "H4 packet is 4 bytes, shorter than its 4-byte direction word" },
		{ LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, 2, "H4 packet is 2 bytes" },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct strbuf sb = STRBUF_INIT;
		struct rec_list l;
		uint8_t junk[8] = { 0, 0, 0, 1, 4, 0, 0, 0 };
		uint8_t ok[6] = { 0, 0, 0, 0, 1, 0x03 };

		pcapw_header(&sb, cases[c].linktype, 65535, false, false);
		if (cases[c].linktype == LINKTYPE_BLUETOOTH_HCI_H4)
			pcapw_record(&sb, 0, ok + 4, 2, 2, false, false);
		else
			pcapw_record(&sb, 0, ok, 6, 6, false, false);
		pcapw_record(&sb, 0, junk, cases[c].n, cases[c].n, false, false);
		cr_assert_eq(read_all_sb(&sb, &l), 0);
		cr_assert_eq(l.rc, -1);
		cr_assert_eq(l.n, 1, "the good packet comes first");
		cr_assert_eq(l.err.frame, 2);
		cr_assert_eq(l.err.offset, 24 + 16 + (cases[c].linktype == LINKTYPE_BLUETOOTH_HCI_H4 ? 2 : 6));
		cr_assert(strstr(errtext(&l.err), cases[c].msg), "%s", errtext(&l.err));
		rec_list_free(&l);
		sb_release(&sb);
	}
}

/* ---- damaged btsnoop files ---- */

static void build_cmds(struct strbuf *sb, uint32_t datalink, size_t n)
{
	sb_init(sb);
	btsnoopw_header(sb, datalink);
	for (size_t i = 0; i < n; i++) {
		struct hci_record r = mk_hci(HCI_REC_COMMAND, HCI_DIR_SENT, 0, reset_cmd, sizeof(reset_cmd), ts(i));
		btsnoopw_record(sb, &r, datalink);
	}
}

static void put_be32(struct strbuf *sb, size_t off, uint32_t v)
{
	uint8_t *p = (uint8_t *)sb->buf + off;
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void expect_error(struct strbuf *sb, size_t good, uint64_t frame, uint64_t off, const char *msg)
{
	struct rec_list l;

	read_damaged(sb, good, frame, off, msg, &l);
	rec_list_free(&l);
}

/* H1 record i starts at 16 + 27 i; H4 at 16 + 28 i. */
#define H1_OFF(i) (16 + 27 * (size_t)(i))

Test(btsnoop_bad, cut_mid_record)
{
	struct strbuf sb;

	build_cmds(&sb, DL_H1, 6);
	sb.len = H1_OFF(4) + 25;                 /* one data byte of record 5 */
	expect_error(&sb, 4, 5, H1_OFF(4), "it includes 3 bytes but the file ends after 1");
	sb.len = H1_OFF(4) + 10;                 /* inside record 5's header */
	expect_error(&sb, 4, 5, H1_OFF(4), "the file ends 10 bytes into its 24-byte record header");
	sb_release(&sb);
}

Test(btsnoop_bad, included_longer_than_original)
{
	struct strbuf sb;

	build_cmds(&sb, DL_H1, 6);
	put_be32(&sb, H1_OFF(3), 2);             /* original 2 < included 3 */
	expect_error(&sb, 3, 4, H1_OFF(3), "includes 3 bytes, more than its original length 2");
	sb_release(&sb);
}

Test(btsnoop_bad, included_larger_than_what_remains)
{
	struct strbuf sb;

	build_cmds(&sb, DL_H1, 6);
	put_be32(&sb, H1_OFF(2), 5000);
	put_be32(&sb, H1_OFF(2) + 4, 5000);
	expect_error(&sb, 2, 3, H1_OFF(2), "it includes 5000 bytes but the file ends after 84");
	sb_release(&sb);
}

Test(btsnoop_bad, included_beyond_cap_max_record)
{
	struct strbuf sb;

	build_cmds(&sb, DL_H1, 6);
	put_be32(&sb, H1_OFF(5), CAP_MAX_RECORD + 1);
	put_be32(&sb, H1_OFF(5) + 4, CAP_MAX_RECORD + 1);
	expect_error(&sb, 5, 6, H1_OFF(5), "more than the 16777216-byte limit");
	sb_release(&sb);
}

Test(btsnoop_bad, empty_h4_record)
{
	struct strbuf sb;
	struct hci_record r = mk_hci(HCI_REC_COMMAND, HCI_DIR_SENT, 0, reset_cmd, sizeof(reset_cmd), 0);

	sb_init(&sb);
	btsnoopw_header(&sb, DL_H4);
	btsnoopw_record(&sb, &r, DL_H4);
	sb_add_zeros(&sb, 24);                   /* orig 0, incl 0 */
	expect_error(&sb, 1, 2, 16 + 28, "btsnoop H4 record is empty");
	sb_release(&sb);
}

static void expect_open_error(struct strbuf *sb, const char *msg)
{
	struct rec_list l;

	cr_assert_eq(read_all_sb(sb, &l), -1);
	cr_assert_eq(l.n, 0);
	cr_assert(strstr(errtext(&l.err), msg), "expected \"%s\" in: %s", msg, errtext(&l.err));
	cr_assert(strstr(errtext(&l.err), "test.cap"), "%s", errtext(&l.err));
}

Test(btsnoop_bad, unknown_version)
{
	struct strbuf sb;

	build_cmds(&sb, DL_H1, 2);
	put_be32(&sb, 8, 2);
	expect_open_error(&sb, "btsnoop version 2 is not supported; expected version 1");
	sb_release(&sb);
}

Test(btsnoop_bad, unknown_or_unsupported_datalink)
{
	struct strbuf sb;

	build_cmds(&sb, 1234, 2);
	expect_open_error(&sb, "btsnoop datalink 1234 is unknown; scsiscope reads 1001 (H1), 1002 (H4)");
	sb_release(&sb);
	build_cmds(&sb, 1004, 2);
	expect_open_error(&sb, "btsnoop datalink 1004 (H5 three-wire UART) is not supported");
	sb_release(&sb);
	build_cmds(&sb, 2002, 2);
	expect_open_error(&sb, "btsnoop datalink 2002 (BlueZ simulator) is not supported");
	sb_release(&sb);
}

Test(btsnoop_bad, header_cut_short)
{
	struct strbuf sb;

	build_cmds(&sb, DL_H1, 0);
	sb.len = 12;
	expect_open_error(&sb, "btsnoop file header cut short: 12 of 16 bytes");
	sb_release(&sb);
}

Test(btsnoop, header_only_is_an_empty_capture)
{
	uint32_t dls[3] = { DL_H1, DL_H4, DL_MONITOR };

	for (int i = 0; i < 3; i++) {
		struct strbuf sb;
		struct rec_list l;

		build_cmds(&sb, dls[i], 0);
		cr_assert_eq(sb.len, 16);
		cr_assert_eq(read_all_sb(&sb, &l), 0, "%s", errtext(&l.err));
		cr_assert_eq(l.rc, 0, "%s", errtext(&l.err));
		cr_assert_eq(l.n, 0);
		cr_assert_eq(l.frames, 0);
		cr_assert_eq(l.info.format, CAP_FORMAT_BTSNOOP);
		sb_release(&sb);
	}
}
