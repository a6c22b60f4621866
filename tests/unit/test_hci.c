/* test_hci.c - the Bluetooth decoder: names, commands matched to answers, connections, L2CAP reassembly, ATT/GATT, SMP, HCI over USB, and each Bluetooth finding on a capture the project's writers build. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lint.h"
#include "capture/capture.h"
#include "capture/writer.h"
#include "decode/decode.h"
#include "decode/hci.h"
#include "report/txn_render.h"
#include "cli_harness.h"
#include "testlib.h"

/* ------------------------------------------------------------ harness */

#define GOT_MAX 4096
#define GOT_FIND 8

struct got {
	uint8_t kind;             /* enum txn_kind */
	struct bt_txn b;          /* pointers cleared */
	char summary[512];
	char status[96];
	char line[640];
	uint64_t frames[16];
	uint32_t nframes;
	uint8_t reply[64];
	unsigned nfind;
	char fid[GOT_FIND][40];
	char fmsg[GOT_FIND][FINDING_MSG_MAX];
	uint8_t fsev[GOT_FIND];
};

struct col {
	struct got *g;
	unsigned n;
	int64_t t0;
};

static void on_txn(void *ctx, const struct txn *t)
{
	struct col *c = ctx;
	struct got *g;
	struct strbuf sb = STRBUF_INIT;
	struct render_opts ro = { .t0_ns = c->t0 };

	cr_assert_lt(c->n, GOT_MAX);
	g = &c->g[c->n++];
	memset(g, 0, sizeof(*g));
	g->kind = t->kind;
	if (t->kind != TXN_BT)
		return;
	g->b = t->u.bt;
	for (uint32_t i = 0; i < t->u.bt.nframes && i < 16; i++)
		g->frames[i] = t->u.bt.frames[i];
	g->nframes = t->u.bt.nframes;
	if (t->u.bt.reply)
		memcpy(g->reply, t->u.bt.reply, t->u.bt.reply_len < 64 ? t->u.bt.reply_len : 64);
	g->b.frames = NULL;
	g->b.findings = NULL;
	g->b.reply = NULL;
	g->b.data.head = NULL;
	sb_init(&sb);
	bt_summary(&sb, &t->u.bt);
	snprintf(g->summary, sizeof(g->summary), "%s", sb.buf);
	sb_reset(&sb);
	bt_status_text(&sb, &t->u.bt);
	snprintf(g->status, sizeof(g->status), "%s", sb.buf);
	sb_reset(&sb);
	render_txn_line(&sb, t, &ro);
	snprintf(g->line, sizeof(g->line), "%s", sb.buf);
	sb_release(&sb);
	for (uint32_t i = 0; i < t->u.bt.nfindings && i < GOT_FIND; i++) {
		snprintf(g->fid[i], sizeof(g->fid[i]), "%s", t->u.bt.findings[i].id);
		snprintf(g->fmsg[i], sizeof(g->fmsg[i]), "%s", t->u.bt.findings[i].msg);
		g->fsev[i] = t->u.bt.findings[i].severity;
		g->nfind++;
	}
}

/* Decode a capture in memory (format given, or detected) with every check of lint. */
static void decode_mem(const void *buf, size_t len, enum cap_format fmt, struct col *c)
{
	struct cap *cap;
	struct cap_record r;
	struct error err;
	struct lint *l = lint_new(NULL);
	struct decoder_opts o = { .notes = true, .hook = lint_hook, .hook_ctx = l };
	struct decoder *d;
	bool first = true;
	int rc;

	c->g = calloc(GOT_MAX, sizeof(*c->g));
	c->n = 0;
	cr_assert(c->g && l);
	d = decoder_new(&o, on_txn, c);
	cr_assert(d);
	cr_assert_eq(cap_open_mem_format(buf, len, "test", fmt, &cap, &err), 0, "%s", errtext(&err));
	while ((rc = cap_next(cap, &r, &err)) > 0) {
		if (first) {
			c->t0 = r.kind == CAP_REC_USB ? r.u.usb.ts_ns : r.u.hci.ts_ns;
			first = false;
		}
		decoder_feed_record(d, &r);
	}
	cr_assert_eq(rc, 0, "%s", errtext(&err));
	decoder_finish(d);
	lint_finish(l);
	decoder_free(d);
	lint_free(l);
	cap_close(cap);
}

static void col_free(struct col *c)
{
	free(c->g);
	c->g = NULL;
}

/* A PacketLogger capture, built record by record. */
struct pk {
	struct strbuf sb;
	int64_t ts;
};

static void pk_init(struct pk *p)
{
	sb_init(&p->sb);
	p->ts = 1700000000LL * 1000000000LL;
}

static void pk_add(struct pk *p, uint8_t type, uint8_t dir, const void *data, uint32_t len)
{
	struct hci_record r = mk_hci(type, dir, 0, data, len, p->ts);

	pklgw_record(&p->sb, &r, false);
	p->ts += 1000000;         /* 1 ms apart */
}

#define CMD(p, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; pk_add((p), HCI_REC_COMMAND, HCI_DIR_SENT, b_, sizeof(b_)); } while (0)
#define EVT(p, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; pk_add((p), HCI_REC_EVENT, HCI_DIR_RECV, b_, sizeof(b_)); } while (0)
#define ACL_IN(p, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; pk_add((p), HCI_REC_ACL, HCI_DIR_RECV, b_, sizeof(b_)); } while (0)
#define ACL_OUT(p, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; pk_add((p), HCI_REC_ACL, HCI_DIR_SENT, b_, sizeof(b_)); } while (0)

static void pk_decode(struct pk *p, struct col *c)
{
	decode_mem(p->sb.buf, p->sb.len, CAP_FORMAT_PKLG, c);
	sb_release(&p->sb);
}

static const struct got *find_frame(const struct col *c, uint64_t frame)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->g[i].kind == TXN_BT && c->g[i].b.frame == frame)
			return &c->g[i];
	cr_assert_fail("no transaction starts at frame %llu", (unsigned long long)frame);
	return NULL;
}

static int finding_at(const struct got *g, const char *id)
{
	for (unsigned i = 0; i < g->nfind; i++)
		if (!strcmp(g->fid[i], id))
			return (int)i;
	return -1;
}

static unsigned count_finding(const struct col *c, const char *id)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n; i++)
		n += finding_at(&c->g[i], id) >= 0;
	return n;
}

/* An LE connection, handle 0x0040, peer C0:11:22:33:44:55 (random), we are central. */
static void le_connect(struct pk *p)
{
	EVT(p, 0x3e, 0x13, 0x01, 0x00, 0x40, 0x00, 0x00, 0x01, 0x55, 0x44, 0x33, 0x22, 0x11, 0xc0, 0x18, 0x00, 0x00,
	    0x00, 0x48, 0x00, 0x05);
}

/* ------------------------------------------------------------ tables */

Test(hci_tables, sorted_unique_and_named_from_the_specification)
{
	const void *t;
	size_t n, stride;
	unsigned i;

	for (i = 0; (t = hci_table_at(i, &n, &stride)); i++) {
		const uint8_t *e = t;
		cr_assert_gt(n, 3);
		for (size_t k = 1; k < n; k++) {
			uint16_t a, b;
			memcpy(&a, e + (k - 1) * stride, 2);
			memcpy(&b, e + k * stride, 2);
			cr_assert_lt(a, b, "table %u: entry %zu (0x%04x) not after 0x%04x", i, k, b, a);
		}
	}
	cr_assert_eq(i, 12);
	cr_assert_str_eq(hci_command_name(0x0c03), "Reset");
	cr_assert_str_eq(hci_command_name(0x0406), "Disconnect");
	cr_assert_str_eq(hci_command_name(0x200d), "LE Create Connection");
	cr_assert_str_eq(hci_command_name(0x201a), "LE Long Term Key Request Reply");
	cr_assert_null(hci_command_name(0xfc4e));
	cr_assert_str_eq(hci_event_name(0x05), "Disconnection Complete");
	cr_assert_str_eq(hci_event_name(0x0e), "Command Complete");
	cr_assert_str_eq(hci_le_subevent_name(0x01), "LE Connection Complete");
	cr_assert_str_eq(hci_le_subevent_name(0x05), "LE Long Term Key Request");
	cr_assert_str_eq(hci_error_name(0x08), "Connection Timeout");
	cr_assert_str_eq(hci_error_name(0x3d), "Connection Terminated due to MIC Failure");
	cr_assert_str_eq(hci_error_name(0x22), "LMP Response Timeout / LL Response Timeout");
	cr_assert_null(hci_error_name(0x2b));
	cr_assert_str_eq(att_opcode_name(0x0a), "Read Request");
	cr_assert_str_eq(att_opcode_name(0x52), "Write Command");
	cr_assert_str_eq(att_error_name(0x05), "Insufficient Authentication");
	cr_assert_str_eq(att_error_name(0x0f), "Insufficient Encryption");
	cr_assert_str_eq(att_error_name(0x85), "Application Error");
	cr_assert_str_eq(smp_code_name(0x05), "Pairing Failed");
	cr_assert_str_eq(smp_reason_name(0x03), "Authentication Requirements");
	cr_assert_str_eq(smp_reason_name(0x0b), "DHKey Check Failed");
	cr_assert_str_eq(smp_io_cap_name(3), "NoInputNoOutput");
	cr_assert_str_eq(l2cap_signal_name(0x12), "Connection Parameter Update Request");
	cr_assert_str_eq(gatt_uuid16_name(0x1812), "Human Interface Device");
	cr_assert_str_eq(gatt_uuid16_name(0x2a4d), "Report");
	cr_assert_str_eq(gatt_uuid16_name(0x2902), "Client Characteristic Configuration");
	cr_assert_str_eq(hci_ogf_name(0x08), "LE Controller");
}

Test(hci_tables, smp_method_from_the_features)
{
	struct smp_features i = { .io_cap = 4, .auth_req = 0x0d, .max_key_size = 16 };
	struct smp_features r = { .io_cap = 1, .auth_req = 0x0d, .max_key_size = 16 };
	bool sc;

	cr_assert_str_eq(smp_method(&i, &r, &sc), "Numeric Comparison");
	cr_assert(sc);
	r.io_cap = 3;
	cr_assert_str_eq(smp_method(&i, &r, &sc), "Just Works");
	r.io_cap = 2;
	cr_assert_str_eq(smp_method(&i, &r, &sc), "Passkey Entry");
	i.auth_req = r.auth_req = 0x01;     /* no MITM: Just Works whatever the IO */
	cr_assert_str_eq(smp_method(&i, &r, &sc), "Just Works");
	cr_assert_not(sc);
	i.oob = r.oob = 1;
	cr_assert_str_eq(smp_method(&i, &r, &sc), "OOB");
}

/* ------------------------------------------------------------ commands */

Test(hci_decode, command_matched_to_its_command_complete)
{
	struct pk p;
	struct col c;
	const struct got *g;

	pk_init(&p);
	CMD(&p, 0x03, 0x0c, 0x00);                                   /* 1 Reset */
	EVT(&p, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);                 /* 2 */
	CMD(&p, 0x09, 0x10, 0x00);                                   /* 3 Read BD_ADDR */
	pk_add(&p, HCI_REC_NOTE, HCI_DIR_NONE, "reading the address", 19);   /* 4: on the timeline */
	EVT(&p, 0x0e, 0x0a, 0x01, 0x09, 0x10, 0x00, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11);   /* 5 */
	pk_decode(&p, &c);
	cr_assert_eq(c.n, 3);
	g = &c.g[0];
	cr_assert_eq(g->b.kind, BT_COMMAND);
	cr_assert_eq(g->b.opcode, 0x0c03);
	cr_assert(g->b.answered);
	cr_assert_eq(g->b.status, 0);
	cr_assert_eq(g->b.event, HCI_EVT_COMMAND_COMPLETE);
	cr_assert_eq(g->b.reply_frame, 2);
	cr_assert_eq(g->nframes, 2);
	cr_assert_eq(g->frames[1], 2);
	cr_assert_eq(g->b.ts_end - g->b.ts_start, 1000000);
	cr_assert_str_eq(g->status, "Success");
	cr_assert(strstr(g->line, "Reset (0x0c03)") && strstr(g->line, "Success  1.0ms"), "%s", g->line);
	/* the note comes after the command it was written during: start order */
	cr_assert_eq(c.g[1].b.kind, BT_COMMAND);
	cr_assert_str_eq(c.g[1].summary, "Read BD_ADDR (0x1009) 11:22:33:44:55:66");
	cr_assert_eq(c.g[2].b.kind, BT_TEXT);
	cr_assert_str_eq(c.g[2].summary, "note \"reading the address\"");
	cr_assert_eq(count_finding(&c, "hci-command-failed") + count_finding(&c, "hci-command-unanswered"), 0);
	col_free(&c);
}

Test(hci_decode, failed_command_gets_hci_command_failed)
{
	struct pk p;
	struct col c;
	const struct got *g;
	int k;

	pk_init(&p);
	/* LE Create Connection to 00:11:22:33:44:55, answered Command Disallowed */
	CMD(&p, 0x0d, 0x20, 0x19, 0x60, 0x00, 0x30, 0x00, 0x00, 0x00, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0x00, 0x18,
	    0x00, 0x28, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00);
	EVT(&p, 0x0f, 0x04, 0x0c, 0x01, 0x0d, 0x20);
	/* LE Set Scan Enable, Command Disallowed: a warning */
	CMD(&p, 0x0c, 0x20, 0x02, 0x01, 0x00);
	EVT(&p, 0x0e, 0x04, 0x01, 0x0c, 0x20, 0x0c);
	pk_decode(&p, &c);
	g = find_frame(&c, 1);
	cr_assert_eq(g->b.event, HCI_EVT_COMMAND_STATUS);
	cr_assert_eq(g->b.status, 0x0c);
	cr_assert_str_eq(g->status, "Command Disallowed (0x0c)");
	cr_assert(strstr(g->summary, "public peer 00:11:22:33:44:55"), "%s", g->summary);
	k = finding_at(g, "hci-command-failed");
	cr_assert_geq(k, 0);
	cr_assert_eq(g->fsev[k], SEV_ERROR);
	cr_assert_str_eq(g->fmsg[k], "LE Create Connection (0x200d) failed: Command Disallowed (0x0c)");
	g = find_frame(&c, 3);
	k = finding_at(g, "hci-command-failed");
	cr_assert_geq(k, 0);
	cr_assert_eq(g->fsev[k], SEV_WARNING);
	cr_assert(strstr(g->summary, "on, duplicates reported"), "%s", g->summary);
	col_free(&c);
}

Test(hci_decode, unanswered_commands)
{
	struct pk p;
	struct col c;
	const struct got *g;

	pk_init(&p);
	CMD(&p, 0x01, 0x10, 0x00);                       /* 1 Read Local Version: never answered */
	for (int i = 0; i < 8; i++) {                     /* 2..17: 8 Read BD_ADDR answered */
		CMD(&p, 0x09, 0x10, 0x00);
		EVT(&p, 0x0e, 0x0a, 0x01, 0x09, 0x10, 0x00, 1, 2, 3, 4, 5, 6);
	}
	CMD(&p, 0x14, 0x0c, 0x00);                       /* 18 Read Local Name: discarded by the Reset */
	CMD(&p, 0x03, 0x0c, 0x00);                       /* 19 Reset */
	EVT(&p, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);     /* 20 */
	CMD(&p, 0x05, 0x10, 0x00);                       /* 21 Read Buffer Size: the capture ends */
	pk_decode(&p, &c);
	cr_assert_eq(c.n, 12);
	g = find_frame(&c, 1);
	cr_assert_not(g->b.answered);
	cr_assert_str_eq(g->status, "no answer");
	cr_assert_geq(finding_at(g, "hci-command-unanswered"), 0);
	cr_assert_eq(g->nframes, 1);
	cr_assert_geq(finding_at(find_frame(&c, 18), "hci-command-unanswered"), 0);
	cr_assert_geq(finding_at(find_frame(&c, 21), "hci-command-unanswered"), 0);
	cr_assert(find_frame(&c, 19)->b.answered);
	cr_assert_eq(count_finding(&c, "hci-command-unanswered"), 3);
	col_free(&c);
}

Test(hci_decode, command_complete_for_no_command_is_an_event)
{
	struct pk p;
	struct col c;

	pk_init(&p);
	EVT(&p, 0x0e, 0x04, 0x01, 0x00, 0x00, 0x00);                 /* a NOP's credits */
	EVT(&p, 0x0e, 0x05, 0x01, 0x18, 0x20, 0x00, 0x00);           /* LE Rand, sent before the capture */
	EVT(&p, 0x60, 0x01, 0x01);                                   /* a code the specification does not have */
	pk_decode(&p, &c);
	cr_assert_eq(c.n, 3);
	cr_assert_eq(c.g[0].b.kind, BT_EVENT);
	cr_assert_str_eq(c.g[1].summary, "Command Complete (0x0e) for LE Rand (0x2018): Success (0x00)");
	cr_assert_eq(c.g[1].b.opcode, 0x2018);
	cr_assert_str_eq(c.g[2].summary, "event 0x60 (not in the Core specification)");
	col_free(&c);
}

/* ------------------------------------------------------------ connections */

Test(hci_decode, disconnection_reason_and_duration)
{
	struct pk p;
	struct col c;
	const struct got *g;
	int k;

	pk_init(&p);
	le_connect(&p);                                               /* 1 */
	EVT(&p, 0x05, 0x04, 0x00, 0x40, 0x00, 0x08);                 /* 2: Connection Timeout */
	EVT(&p, 0x05, 0x04, 0x00, 0x41, 0x00, 0x13);                 /* 3: a handle never seen, remote user */
	pk_decode(&p, &c);
	g = find_frame(&c, 1);
	cr_assert_eq(g->b.handle, 0x40);
	cr_assert_eq(g->b.link, 2);
	cr_assert(g->b.has_peer);
	cr_assert(strstr(g->summary, "LE Connection Complete (0x3e/0x01) handle 0x0040 central, random peer "
				     "C0:11:22:33:44:55"), "%s", g->summary);
	g = find_frame(&c, 2);
	k = finding_at(g, "hci-disconnect");
	cr_assert_geq(k, 0);
	cr_assert_eq(g->fsev[k], SEV_ERROR);
	cr_assert_str_eq(g->fmsg[k], "handle 0x0040 (LE C0:11:22:33:44:55) after 0.001 s disconnected: Connection "
				     "Timeout (0x08)");
	g = find_frame(&c, 3);
	k = finding_at(g, "hci-disconnect");
	cr_assert_eq(g->fsev[k], SEV_INFO);
	cr_assert_not(g->b.has_peer);
	col_free(&c);
}

/* LE Enhanced Connection Complete v2 (Core 5.4 Vol 4 Part E 7.7.65.10,
 * subevent 0x29: v1's fields plus Advertising_Handle and Sync_Handle)
 * opens a connection like v1: its peer is known to what follows. */
Test(hci_decode, enhanced_connection_complete_v2_tracks_the_connection)
{
	struct pk p;
	struct col c;
	const struct got *g;
	int k;

	pk_init(&p);
	EVT(&p, 0x3e, 0x22, 0x29, 0x00, 0x42, 0x00, 0x01, 0x00, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x00, 0x00, 0x48, 0x00, 0x05, 0x01, 0xff, 0xff);
	EVT(&p, 0x05, 0x04, 0x00, 0x42, 0x00, 0x08);
	pk_decode(&p, &c);
	g = find_frame(&c, 1);
	cr_assert_eq(g->b.handle, 0x42);
	cr_assert_eq(g->b.link, 2);
	cr_assert_eq(g->b.status, 0);
	cr_assert(strstr(g->summary, "LE Enhanced Connection Complete") &&
		  strstr(g->summary, "handle 0x0042 peripheral, public peer 11:22:33:44:55:66"), "%s", g->summary);
	g = find_frame(&c, 2);
	cr_assert(g->b.has_peer);
	k = finding_at(g, "hci-disconnect");
	cr_assert_geq(k, 0);
	cr_assert_str_eq(g->fmsg[k], "handle 0x0042 (LE 11:22:33:44:55:66) after 0.001 s disconnected: Connection "
				     "Timeout (0x08)");
	col_free(&c);
}

/* ------------------------------------------------------------ L2CAP */

Test(hci_decode, acl_fragments_reassembled_into_one_l2cap_pdu)
{
	struct pk p;
	struct col c;
	const struct got *g;

	pk_init(&p);
	le_connect(&p);                                               /* 1 */
	/* 2: start (PB 10b) of a 14-byte ATT PDU: Read By Group Type Response, HID and Battery services */
	ACL_OUT(&p, 0x40, 0x20, 0x08, 0x00, 0x0e, 0x00, 0x04, 0x00, 0x11, 0x06, 0x10, 0x00);
	/* 3: a whole PDU on another handle in between (ATT Read Request) */
	ACL_IN(&p, 0x41, 0x20, 0x07, 0x00, 0x03, 0x00, 0x04, 0x00, 0x0a, 0x03, 0x00);
	/* 4, 5: continuations (PB 01b) */
	ACL_OUT(&p, 0x40, 0x10, 0x06, 0x00, 0x1f, 0x00, 0x12, 0x18, 0x20, 0x00);
	ACL_OUT(&p, 0x40, 0x10, 0x04, 0x00, 0x25, 0x00, 0x0f, 0x18);
	/* 6: a continuation with no start */
	ACL_IN(&p, 0x40, 0x10, 0x03, 0x00, 0xaa, 0xbb, 0xcc);
	/* 7: a start never finished, 8: another start on the same handle */
	ACL_IN(&p, 0x40, 0x20, 0x06, 0x00, 0x20, 0x00, 0x04, 0x00, 0x1b, 0x05);
	ACL_IN(&p, 0x40, 0x20, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0x1e);
	pk_decode(&p, &c);
	g = find_frame(&c, 2);
	cr_assert_eq(g->b.kind, BT_ACL);
	cr_assert_eq(g->b.fragments, 3);
	cr_assert_eq(g->nframes, 3);
	cr_assert_eq(g->frames[2], 5);
	cr_assert_eq(g->b.cid, L2CAP_CID_ATT);
	cr_assert_eq(g->b.proto, BT_PROTO_ATT);
	cr_assert_eq(g->b.l2cap_len, 14);
	cr_assert_eq(g->b.data.bytes, 14);
	cr_assert_not(g->b.incomplete);
	cr_assert_str_eq(g->summary, "handle 0x0040 ATT Read By Group Type Response 0x0010-0x001f Human Interface "
				     "Device (0x1812), 0x0020-0x0025 Battery (0x180f) (3 fragments)", "%s", g->summary);
	g = find_frame(&c, 3);
	cr_assert_str_eq(g->summary, "handle 0x0041 ATT Read Request handle 0x0003");
	g = find_frame(&c, 6);
	cr_assert_eq(g->b.proto, BT_PROTO_NONE);
	cr_assert(g->b.incomplete);
	cr_assert_str_eq(g->status, "incomplete");
	g = find_frame(&c, 7);
	cr_assert(g->b.incomplete);
	cr_assert_eq(g->b.data.bytes, 2);
	cr_assert(strstr(g->summary, "Handle Value Notification"), "%s", g->summary);
	g = find_frame(&c, 8);
	cr_assert_not(g->b.incomplete);
	cr_assert_str_eq(g->summary, "handle 0x0040 ATT Handle Value Confirmation");
	col_free(&c);
}

/* ------------------------------------------------------------ SMP and ATT */

Test(hci_decode, pairing_failed_with_reason_method_and_features)
{
	struct pk p;
	struct col c;
	const struct got *g;
	int k;

	pk_init(&p);
	le_connect(&p);                                               /* 1 */
	/* 2: Pairing Request (sent): IO KeyboardDisplay, Bonding+MITM+SC, key 16, keys LTK+IRK */
	ACL_OUT(&p, 0x40, 0x00, 0x0b, 0x00, 0x07, 0x00, 0x06, 0x00, 0x01, 0x04, 0x00, 0x0d, 0x10, 0x03, 0x03);
	/* 3: Pairing Response: IO NoInputNoOutput, Bonding+SC, key 16 */
	ACL_IN(&p, 0x40, 0x20, 0x0b, 0x00, 0x07, 0x00, 0x06, 0x00, 0x02, 0x03, 0x00, 0x09, 0x10, 0x03, 0x03);
	/* 4: Pairing Failed (sent): Authentication Requirements */
	ACL_OUT(&p, 0x40, 0x00, 0x06, 0x00, 0x02, 0x00, 0x06, 0x00, 0x05, 0x03);
	/* 5: a Pairing Failed on a link with no pairing in the capture */
	ACL_IN(&p, 0x41, 0x20, 0x06, 0x00, 0x02, 0x00, 0x06, 0x00, 0x05, 0x0b);
	pk_decode(&p, &c);
	g = find_frame(&c, 2);
	cr_assert_str_eq(g->summary, "handle 0x0040 SMP Pairing Request: IO KeyboardDisplay, OOB absent, auth "
				     "Bonding+MITM+SC, max key 16, keys init LTK+IRK resp LTK+IRK", "%s", g->summary);
	g = find_frame(&c, 4);
	cr_assert_str_eq(g->summary, "handle 0x0040 SMP Pairing Failed: Authentication Requirements (0x03)");
	k = finding_at(g, "smp-pairing-failed");
	cr_assert_geq(k, 0);
	cr_assert_eq(g->fsev[k], SEV_ERROR);
	cr_assert_str_eq(g->fmsg[k], "pairing failed by the host: Authentication Requirements (0x03); Just Works "
				     "(Secure Connections); init IO 4 auth 0x0d key 16, resp IO 3 auth 0x09 key 16",
			 "%s", g->fmsg[k]);
	g = find_frame(&c, 5);
	k = finding_at(g, "smp-pairing-failed");
	cr_assert_geq(k, 0);
	cr_assert(strstr(g->fmsg[k], "by the peer: DHKey Check Failed (0x0b); no Pairing Request"), "%s", g->fmsg[k]);
	cr_assert_eq(count_finding(&c, "smp-pairing-failed"), 2);
	col_free(&c);
}

Test(hci_decode, att_errors_by_severity)
{
	struct pk p;
	struct col c;
	const struct got *g;
	int k;

	pk_init(&p);
	le_connect(&p);                                               /* 1 */
	ACL_OUT(&p, 0x40, 0x00, 0x07, 0x00, 0x03, 0x00, 0x04, 0x00, 0x0a, 0x2a, 0x00);       /* 2 Read Request */
	ACL_IN(&p, 0x40, 0x20, 0x09, 0x00, 0x05, 0x00, 0x04, 0x00, 0x01, 0x0a, 0x2a, 0x00, 0x05);   /* 3 */
	ACL_IN(&p, 0x40, 0x20, 0x09, 0x00, 0x05, 0x00, 0x04, 0x00, 0x01, 0x10, 0x30, 0x00, 0x0a);   /* 4 */
	ACL_IN(&p, 0x40, 0x20, 0x09, 0x00, 0x05, 0x00, 0x04, 0x00, 0x01, 0x12, 0x31, 0x00, 0x03);   /* 5 */
	pk_decode(&p, &c);
	g = find_frame(&c, 3);
	cr_assert_str_eq(g->summary, "handle 0x0040 ATT Error Response to Read Request, handle 0x002a: Insufficient "
				     "Authentication (0x05)");
	k = finding_at(g, "att-error");
	cr_assert_eq(g->fsev[k], SEV_ERROR);
	cr_assert_str_eq(g->fmsg[k], "Read Request on handle 0x002a: Insufficient Authentication (0x05): pair "
				     "(authenticated) first");
	g = find_frame(&c, 4);
	cr_assert_eq(g->fsev[finding_at(g, "att-error")], SEV_INFO);
	g = find_frame(&c, 5);
	cr_assert_eq(g->fsev[finding_at(g, "att-error")], SEV_WARNING);
	cr_assert_eq(count_finding(&c, "att-error"), 3);
	col_free(&c);
}

Test(hci_decode, signalling_and_text_records)
{
	struct pk p;
	struct col c;

	pk_init(&p);
	/* LE signalling: Connection Parameter Update Request, 7.5-15 ms, latency 0, timeout 2 s */
	ACL_IN(&p, 0x40, 0x20, 0x10, 0x00, 0x0c, 0x00, 0x05, 0x00, 0x12, 0x01, 0x08, 0x00, 0x06, 0x00, 0x0c, 0x00, 0x00,
	       0x00, 0xc8, 0x00);
	pk_add(&p, HCI_REC_SYSLOG, HCI_DIR_NONE, "bluetoothd: pairing\n", 20);
	pk_add(&p, HCI_REC_KERNEL, HCI_DIR_NONE, "a \"quoted\" word", 15);
	pk_decode(&p, &c);
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.g[0].summary, "handle 0x0040 LE signalling Connection Parameter Update Request id 1: interval 7.50-15.00 "
					 "ms, latency 0, timeout 2000 ms");
	cr_assert_str_eq(c.g[1].summary, "syslog \"bluetoothd: pairing\"");
	cr_assert_str_eq(c.g[2].summary, "kernel \"a \\\"quoted\\\" word\"");
	cr_assert_eq(c.g[2].b.kind, BT_TEXT);
	col_free(&c);
}

/* ------------------------------------------------------------ other sources */

Test(hci_decode, btsnoop_goes_through_the_same_decoder)
{
	static const uint8_t cmd[] = { 0x03, 0x0c, 0x00 }, evt[] = { 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00 };
	struct strbuf sb = STRBUF_INIT;
	struct hci_record r;
	struct col c;

	sb_init(&sb);
	btsnoopw_header(&sb, 1002);
	r = mk_hci(HCI_REC_COMMAND, HCI_DIR_SENT, 0, cmd, sizeof(cmd), 1000000000);
	btsnoopw_record(&sb, &r, 1002);
	r = mk_hci(HCI_REC_EVENT, HCI_DIR_RECV, 0, evt, sizeof(evt), 1002000000);
	btsnoopw_record(&sb, &r, 1002);
	decode_mem(sb.buf, sb.len, CAP_FORMAT_UNKNOWN, &c);
	cr_assert_eq(c.n, 1);
	cr_assert(c.g[0].b.answered);
	cr_assert_eq(c.g[0].b.source, HCI_SRC_BTSNOOP);
	sb_release(&sb);
	col_free(&c);
}

/* A dongle in a usbmon capture: device descriptor (class e0/01/01), an HCI
 * command as a class request, its Command Complete split over two
 * interrupt URBs, ACL data on the bulk endpoints. */
Test(hci_decode, hci_over_usb)
{
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	static const uint8_t dev_desc[18] = { 0x12, 0x01, 0x00, 0x02, 0xe0, 0x01, 0x01, 0x40, 0x12, 0x0a,
					      0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t hci_setup[8] = { 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00 };
	static const uint8_t reset[3] = { 0x03, 0x0c, 0x00 };
	static const uint8_t ev1[4] = { 0x0e, 0x04, 0x01, 0x03 }, ev2[2] = { 0x0c, 0x00 };
	static const uint8_t acl[11] = { 0x40, 0x20, 0x07, 0x00, 0x03, 0x00, 0x04, 0x00, 0x0a, 0x03, 0x00 };
	struct usb_event ev[10];
	struct strbuf sb;
	struct col c;
	const struct got *g;
	unsigned n = 0;
	int64_t t = 1000000000;

	ev[n] = mk_usb('S', USB_XFER_CONTROL, 1, 5, 0x80, 1, -115, 18, NULL, 0, t);
	ev[n].has_setup = true;
	memcpy(ev[n++].setup, get_dev, 8);
	ev[n++] = mk_usb('C', USB_XFER_CONTROL, 1, 5, 0x80, 1, 0, 18, dev_desc, 18, t += 1000);
	ev[n++] = mk_usb('S', USB_XFER_INTR, 1, 5, 0x81, 2, -115, 16, NULL, 0, t += 1000);
	ev[n] = mk_usb('S', USB_XFER_CONTROL, 1, 5, 0x00, 3, -115, 3, reset, 3, t += 1000);
	ev[n].has_setup = true;
	memcpy(ev[n++].setup, hci_setup, 8);
	ev[n++] = mk_usb('C', USB_XFER_CONTROL, 1, 5, 0x00, 3, 0, 3, NULL, 0, t += 1000);
	ev[n++] = mk_usb('C', USB_XFER_INTR, 1, 5, 0x81, 2, 0, 4, ev1, 4, t += 1000);
	ev[n++] = mk_usb('S', USB_XFER_INTR, 1, 5, 0x81, 4, -115, 16, NULL, 0, t += 1000);
	ev[n++] = mk_usb('C', USB_XFER_INTR, 1, 5, 0x81, 4, 0, 2, ev2, 2, t += 1000);
	ev[n++] = mk_usb('S', USB_XFER_BULK, 1, 5, 0x82, 5, -115, 1024, NULL, 0, t += 1000);
	ev[n++] = mk_usb('C', USB_XFER_BULK, 1, 5, 0x82, 5, 0, 11, acl, 11, t += 1000);
	build_pcap(&sb, LINKTYPE_USB_LINUX_MMAPPED, false, true, ev, n, 65535);
	decode_mem(sb.buf, sb.len, CAP_FORMAT_UNKNOWN, &c);
	g = find_frame(&c, 4);
	cr_assert_eq(g->kind, TXN_BT);
	cr_assert_eq(g->b.kind, BT_COMMAND);
	cr_assert_eq(g->b.source, BT_SRC_USB);
	cr_assert_eq(g->b.bus, 1);
	cr_assert_eq(g->b.device, 5);
	cr_assert(g->b.answered);
	cr_assert_eq(g->b.reply_frame, 6, "the event began in frame 6");
	cr_assert_eq(memcmp(g->reply, "\x0e\x04\x01\x03\x0c\x00", 6), 0);
	cr_assert(strstr(g->line, " 1:005 hci sent cmd  Reset (0x0c03)"), "%s", g->line);
	g = find_frame(&c, 10);
	cr_assert_eq(g->b.kind, BT_ACL);
	cr_assert_str_eq(g->summary, "handle 0x0040 ATT Read Request handle 0x0003");
	for (unsigned i = 0; i < c.n; i++)
		cr_assert(c.g[i].kind != TXN_CONTROL || c.g[i].b.frame != 4, "the HCI command is not a control transfer");
	/* decode --summary: the dongle's USB identity with its HCI block */
	{
		char path[64];
		struct cli_run r;
		char args[128];

		write_temp(sb.buf, sb.len, path);
		snprintf(args, sizeof(args), "decode --summary %s", path);
		r = run_scsiscope(args);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(strstr(r.out, "device 1:005  0a12:0001  USB 2.00  transport bluetooth\n"
				  "  1 HCI commands (0 failed, 0 unanswered), 0 events (0 with an error status), "
				  "1 L2CAP PDUs (0 incomplete) from 1 ACL packets\n"), "%s", r.out);
		cr_assert(strstr(r.out, "  1 control transfers (0 failed), "), "%s", r.out);
		cr_assert(!strstr(r.out, "SCSI commands"), "%s", r.out);
		cli_run_free(&r);
		unlink(path);
	}
	sb_release(&sb);
	col_free(&c);
}

/* ------------------------------------------------------------ hostile input */

Test(hci_decode, short_and_cut_packets_never_overread)
{
	struct pk p;
	struct col c;

	pk_init(&p);
	pk_add(&p, HCI_REC_COMMAND, HCI_DIR_SENT, "\x03", 1);
	pk_add(&p, HCI_REC_EVENT, HCI_DIR_RECV, "\x0e", 1);
	pk_add(&p, HCI_REC_EVENT, HCI_DIR_RECV, "\x3e\x01", 2);
	pk_add(&p, HCI_REC_ACL, HCI_DIR_RECV, "\x40", 1);
	pk_add(&p, HCI_REC_ACL, HCI_DIR_RECV, "\x40\x20\x02\x00\x07\x00", 6);      /* a start of 2 bytes */
	pk_add(&p, HCI_REC_ACL, HCI_DIR_RECV, "\x40\x10\x06\x00\x04\x00\x02", 7);  /* the header goes on, cut */
	pk_add(&p, HCI_REC_ACL, HCI_DIR_RECV, "\x41\x20\x08\x00\x04\x00\x04\x00\x01\x0a", 10);   /* an Error Response cut short */
	pk_add(&p, HCI_REC_ACL, HCI_DIR_RECV, "\x42\x20\x05\x00\x01\x00\x06\x00\x01", 9);       /* a Pairing Request cut short */
	pk_decode(&p, &c);
	cr_assert_geq(c.n, 7);
	col_free(&c);
}

/* ------------------------------------------------------------ acceptance: the public PacketLogger captures */

static bool decode_shared(const char *rel, struct col *c)
{
	size_t len;
	uint8_t *buf = slurp_shared(rel, &len);

	if (!buf) {
		cr_log_warn("../shared/captures/%s is not there: skipped", rel);
		return false;
	}
	decode_mem(buf, len, CAP_FORMAT_UNKNOWN, c);
	free(buf);
	return true;
}

/* The transaction holding frame f. */
static const struct got *holding(const struct col *c, uint64_t f)
{
	for (unsigned i = 0; i < c->n; i++) {
		const struct got *g = &c->g[i];
		if (g->kind != TXN_BT)
			continue;
		if (g->b.frame == f || g->b.reply_frame == f)
			return g;
		for (uint32_t k = 0; k < g->nframes && k < 16; k++)
			if (g->frames[k] == f)
				return g;
	}
	return NULL;
}

static long hexnum(const char *s)
{
	return strcmp(s, "-") ? strtol(s, NULL, 0) : -1;
}

/* tests/golden/tshark-bt/NAME.tsv (record-tshark-bt.sh) against our decoding, frame by frame. */
static void tshark_compare(const char *rel, const char *golden)
{
	char *path = src_path(golden);
	FILE *f = fopen(path, "r");
	struct col c;
	char line[512];
	unsigned n_cmd = 0, n_evt = 0, n_acl = 0, n_side = 0, frames = 0;
	unsigned o_cmd = 0, o_evt = 0, o_acl = 0, o_side = 0;

	cr_assert(f, "cannot open %s", path);
	if (!decode_shared(rel, &c)) {
		fclose(f);
		free(path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *col[9], *save = NULL, *tok;
		unsigned k = 0;
		uint64_t fr;
		const struct got *g;
		long cmd, evt, sub, evtop, handle, cid, att, smp;

		if (line[0] == '#' || !strncmp(line, "frame\t", 6))
			continue;
		line[strcspn(line, "\n")] = 0;
		for (tok = strtok_r(line, "\t", &save); tok && k < 9; tok = strtok_r(NULL, "\t", &save))
			col[k++] = tok;
		cr_assert_eq(k, 9, "%s: a line of %u columns", golden, k);
		fr = strtoull(col[0], NULL, 10);
		cmd = hexnum(col[1]), evt = hexnum(col[2]), sub = hexnum(col[3]), evtop = hexnum(col[4]);
		handle = hexnum(col[5]), cid = hexnum(col[6]), att = hexnum(col[7]), smp = hexnum(col[8]);
		frames++;
		g = holding(&c, fr);
		cr_assert(g, "%s frame %llu: in no transaction", rel, (unsigned long long)fr);
		if (cmd >= 0) {
			n_cmd++;
			cr_assert_eq(g->b.kind, BT_COMMAND, "frame %llu", (unsigned long long)fr);
			cr_assert_eq(g->b.frame, fr);
			cr_assert_eq(g->b.opcode, cmd, "frame %llu: opcode 0x%04x, tshark 0x%04lx", (unsigned long long)fr,
				     g->b.opcode, cmd);
		} else if (evt >= 0) {
			n_evt++;
			if (g->b.kind == BT_COMMAND) {
				cr_assert_eq(g->b.reply_frame, fr);
				cr_assert_eq(g->b.event, evt);
				cr_assert_eq(g->b.opcode, evtop, "frame %llu answers 0x%04lx", (unsigned long long)fr, evtop);
			} else {
				cr_assert_eq(g->b.kind, BT_EVENT, "frame %llu", (unsigned long long)fr);
				cr_assert_eq(g->b.frame, fr);
				cr_assert_eq(g->b.event, evt);
				if (sub >= 0)
					cr_assert_eq(g->b.subevent, sub, "frame %llu", (unsigned long long)fr);
				if (evtop >= 0)
					cr_assert_eq(g->b.opcode, evtop);
			}
		} else if (handle >= 0) {
			n_acl++;
			cr_assert_eq(g->b.kind, BT_ACL, "frame %llu", (unsigned long long)fr);
			cr_assert_eq(g->b.handle, handle);
			if (cid >= 0 && g->b.frame == fr) {
				cr_assert_eq(g->b.cid, cid, "frame %llu", (unsigned long long)fr);
				if (att >= 0)
					cr_assert(g->b.proto == BT_PROTO_ATT && g->b.code == att, "frame %llu", (unsigned long long)fr);
				if (smp >= 0)
					cr_assert(g->b.proto == BT_PROTO_SMP && g->b.code == smp, "frame %llu", (unsigned long long)fr);
			}
		} else {
			n_side++;
			cr_assert(g->b.kind == BT_TEXT || g->b.kind == BT_OTHER, "frame %llu", (unsigned long long)fr);
			cr_assert_eq(g->b.frame, fr);
		}
	}
	fclose(f);
	free(path);
	/* The same counts from our side. */
	for (unsigned i = 0; i < c.n; i++) {
		const struct bt_txn *b = &c.g[i].b;
		cr_assert_eq(c.g[i].kind, TXN_BT);
		switch (b->kind) {
		case BT_COMMAND: o_cmd++; o_evt += b->answered; break;
		case BT_EVENT: o_evt++; break;
		case BT_ACL: o_acl += b->fragments; break;
		default: o_side++; break;
		}
		cr_assert_neq(b->rec_type, HCI_REC_OTHER, "an unknown record type at frame %llu",
			      (unsigned long long)b->frame);
		cr_assert_not(b->incomplete, "frame %llu", (unsigned long long)b->frame);
	}
	cr_assert_eq(o_cmd, n_cmd, "%s: %u commands, tshark %u", rel, o_cmd, n_cmd);
	cr_assert_eq(o_evt, n_evt, "%s: %u events, tshark %u", rel, o_evt, n_evt);
	cr_assert_eq(o_acl, n_acl, "%s: %u ACL packets, tshark %u", rel, o_acl, n_acl);
	cr_assert_eq(o_side, n_side, "%s: %u other records, tshark %u", rel, o_side, n_side);
	cr_assert_eq(o_cmd + o_evt + o_acl + o_side, frames);
	col_free(&c);
}

Test(hci_acceptance, tshark_agrees_frame_by_frame_test00)
{
	tshark_compare("public/hciparse/test00.pklg", "tests/golden/tshark-bt/test00.pklg.tsv");
}

Test(hci_acceptance, tshark_agrees_frame_by_frame_pairing)
{
	tshark_compare("public/btstack/pairing.pklg", "tests/golden/tshark-bt/pairing.pklg.tsv");
}

/* pairing.pklg is an LE peripheral (BTstack) paired by a central: the flow
 * must read step by step, in the order it happened. */
Test(hci_acceptance, pairing_flow_step_by_step)
{
	static const char *const steps[] = {
		"LE Connection Complete (0x3e/0x01) handle 0x004a peripheral, random peer 73:C9:68:5E:12:18",
		"SMP Security Request: auth Bonding",
		"SMP Pairing Request: IO KeyboardDisplay, OOB absent, auth Bonding, max key 16, keys init LTK+IRK+CSRK resp LTK+IRK+CSRK",
		"SMP Pairing Response: IO NoInputNoOutput, OOB absent, auth Bonding, max key 16, keys init LTK+IRK+CSRK resp LTK+IRK+CSRK",
		"SMP Pairing Confirm",
		"SMP Pairing Confirm",
		"SMP Pairing Random",
		"SMP Pairing Random",
		"LE Long Term Key Request (0x3e/0x05) handle 0x004a",
		"LE Long Term Key Request Reply (0x201a) handle 0x004a",
		"Encryption Change (0x08) handle 0x004a encryption on (AES-CCM)",
		"SMP Encryption Information",
		"SMP Central Identification: EDIV 0xb45b",
		"SMP Identity Information",
		"SMP Identity Address Information: public 00:1B:DC:07:32:EF",
		"SMP Signing Information",
		"SMP Encryption Information",
		"SMP Central Identification: EDIV 0xe81a",
		"SMP Identity Information",
		"SMP Identity Address Information: public 54:E4:3A:26:A2:39",
		"SMP Signing Information",
		"Disconnection Complete (0x05) handle 0x004a reason Remote User Terminated Connection (0x13)",
	};
	struct col c;
	unsigned k = 0, i;

	if (!decode_shared("public/btstack/pairing.pklg", &c))
		return;
	for (i = 0; i < c.n && k < sizeof(steps) / sizeof(steps[0]); i++)
		if (c.g[i].b.frame >= 99 && strstr(c.g[i].summary, steps[k]))
			k++;
	cr_assert_eq(k, sizeof(steps) / sizeof(steps[0]), "step %u not found in order: %s", k,
		     k < sizeof(steps) / sizeof(steps[0]) ? steps[k] : "");
	cr_assert_eq(count_finding(&c, "smp-pairing-failed"), 0);
	cr_assert_eq(count_finding(&c, "hci-command-unanswered"), 0);
	cr_assert_eq(count_finding(&c, "hci-disconnect"), 3);
	col_free(&c);
}

/* ------------------------------------------------------------ the command line */

/* A pairing that fails, as a PacketLogger file; reason: the Pairing Failed reason. */
static void pairing_capture(uint8_t reason, char path[64])
{
	struct pk p;
	uint8_t failed[10] = { 0x40, 0x00, 0x06, 0x00, 0x02, 0x00, 0x06, 0x00, 0x05, reason };

	pk_init(&p);
	le_connect(&p);
	ACL_OUT(&p, 0x40, 0x00, 0x0b, 0x00, 0x07, 0x00, 0x06, 0x00, 0x01, 0x04, 0x00, 0x0d, 0x10, 0x03, 0x03);
	ACL_IN(&p, 0x40, 0x20, 0x0b, 0x00, 0x07, 0x00, 0x06, 0x00, 0x02, 0x03, 0x00, 0x09, 0x10, 0x03, 0x03);
	pk_add(&p, HCI_REC_ACL, HCI_DIR_SENT, failed, sizeof(failed));
	EVT(&p, 0x05, 0x04, 0x00, 0x40, 0x00, 0x3d);
	write_temp(p.sb.buf, p.sb.len, path);
	sb_release(&p.sb);
}

Test(hci_cli, lint_decode_cut_and_diff_on_a_bluetooth_capture)
{
	char a[64], b[64], args[256], out[] = "/tmp/scsiscope-bt-cut-XXXXXX";
	struct cli_run r;
	int fd = mkstemp(out);

	cr_assert(fd >= 0);
	close(fd);
	pairing_capture(0x03, a);
	pairing_capture(0x04, b);
	snprintf(args, sizeof(args), "lint %s", a);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 1, "errors found: exit 1\n%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "smp-pairing-failed") && strstr(r.out, "Authentication Requirements (0x03); Just Works"),
		  "%s", r.out);
	cr_assert(strstr(r.out, "hci-disconnect") && strstr(r.out, "Connection Terminated due to MIC Failure"), "%s", r.out);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "decode --json --filter 'cid==6 && opcode==5' %s", a);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "\"kind\":\"bt\",\"bt_kind\":\"acl\",\"frame\":4,") &&
		  strstr(r.out, "\"name\":\"SMP Pairing Failed\"") && strstr(r.out, "\"protocol\":\"smp\""), "%s", r.out);
	cr_assert_eq(strchr(r.out, '\n'), r.out + strlen(r.out) - 1, "one line: %s", r.out);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "cut %s --filter 'cid==6' -o %s", a, out);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "decode %s", out);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "SMP Pairing Request") && strstr(r.out, "SMP Pairing Failed: Authentication Requirements"),
		  "%s", r.out);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "diff %s %s", a, a);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "diff %s %s", a, b);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "Confirm Value Failed"), "%s", r.out);
	cli_run_free(&r);
	r = run_scsiscope("lint --explain smp-pairing-failed");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "smp-pairing-failed (error, bt)") && strstr(r.out, "IO capabilities"), "%s", r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
	unlink(out);
}

/* decode --summary on a Bluetooth capture: the counts, the connection, the
 * commands' answers and every layer's errors, from a capture whose every
 * packet is known. */
static void summary_capture(char path[64])
{
	struct pk p;

	pk_init(&p);
	CMD(&p, 0x03, 0x0c, 0x00);                              /* 1 Reset */
	EVT(&p, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);            /* 2  Success */
	CMD(&p, 0x0e, 0x20, 0x00);                              /* 3 LE Create Connection Cancel */
	EVT(&p, 0x0e, 0x04, 0x01, 0x0e, 0x20, 0x0c);            /* 4  Command Disallowed */
	EVT(&p, 0x3e, 0x13, 0x01, 0x02, 0x40, 0x00, 0x00, 0x01, 0x55, 0x44, 0x33, 0x22, 0x11, 0xc0, 0x18, 0x00,
	    0x00, 0x00, 0x48, 0x00, 0x05);                      /* 5 LE Connection Complete: Unknown Connection Identifier */
	le_connect(&p);                                         /* 6 handle 0x0040 */
	ACL_OUT(&p, 0x40, 0x00, 0x0b, 0x00, 0x07, 0x00, 0x06, 0x00, 0x01, 0x04, 0x00, 0x0d, 0x10, 0x03, 0x03); /* 7 */
	ACL_IN(&p, 0x40, 0x20, 0x0b, 0x00, 0x07, 0x00, 0x06, 0x00, 0x02, 0x03, 0x00, 0x09, 0x10, 0x03, 0x03);  /* 8 */
	ACL_OUT(&p, 0x40, 0x00, 0x06, 0x00, 0x02, 0x00, 0x06, 0x00, 0x05, 0x03); /* 9 SMP Pairing Failed */
	ACL_IN(&p, 0x40, 0x20, 0x07, 0x00, 0x03, 0x00, 0x04, 0x00, 0x0a, 0x03, 0x00); /* 10 ATT Read Request */
	ACL_OUT(&p, 0x40, 0x00, 0x09, 0x00, 0x05, 0x00, 0x04, 0x00, 0x01, 0x0a, 0x03, 0x00, 0x05); /* 11 ATT Error */
	EVT(&p, 0x05, 0x04, 0x00, 0x40, 0x00, 0x3d);            /* 12 Disconnection Complete: MIC Failure */
	CMD(&p, 0x09, 0x10, 0x00);                              /* 13 Read BD_ADDR, never answered */
	write_temp(p.sb.buf, p.sb.len, path);
	sb_release(&p.sb);
}

Test(hci_cli, summary_of_a_bluetooth_capture)
{
	static const char *const lines[] = {
		"device 0:000  Bluetooth controller (PacketLogger)\n",
		"  3 HCI commands (1 failed, 1 unanswered), 3 events (1 with an error status), 5 L2CAP PDUs (0 incomplete) from 5 ACL packets\n",
		"  L2CAP sent 14 bytes, received 10 bytes; 0 SCO, 0 ISO packets; 0 text records, 0 other records\n",
		"    handle 0x0040  LE C0:11:22:33:44:55  connected at frame 6, disconnected at frame 12 after 6.0ms: "
		"Connection Terminated due to MIC Failure (0x3d); 5 PDUs, sent 14 bytes, received 10 bytes\n",
		"  LE Create Connection Cancel (0x200e)                1       1         0",
		"  Read BD_ADDR (0x1009)                               1       0         1         -\n",
		"  LE Connection Complete (0x3e/0x01)                  2       1\n",
		"  SMP Pairing Failed                                  1       1         0\n",
		"  ATT Read Request                                    1       0         1\n",
		"         1  Command Disallowed (0x0c)  (first: LE Create Connection Cancel, frame 3)\n"
		"         1  Unknown Connection Identifier (0x02)  (first: LE Connection Complete, frame 5)\n"
		"         1  SMP Pairing Failed: Authentication Requirements (0x03)  (first: sent by the host, frame 9)\n"
		"         1  ATT Insufficient Authentication (0x05)  (first: Read Request, frame 11)\n",
	};
	char a[64], args[128];
	struct cli_run r;

	summary_capture(a);
	snprintf(args, sizeof(args), "decode --summary %s", a);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_assert(strstr(r.out, lines[i]), "missing:\n%s\nin:\n%s", lines[i], r.out);
	cr_assert(strstr(r.out, "  findings: 4 error, 1 warning, 0 info\n"), "%s", r.out);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "decode --summary --json %s", a);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\"transport\":\"bluetooth\""), "%s", r.out);
	cr_assert(strstr(r.out, "\"bluetooth\":{\"source\":\"PacketLogger\",\"commands\":3,\"commands_failed\":1,"
			  "\"commands_unanswered\":1,\"events\":3,\"events_failed\":1,\"l2cap_pdus\":5,"), "%s", r.out);
	cr_assert(strstr(r.out, "{\"handle\":64,\"link\":\"LE\",\"peer\":\"C0:11:22:33:44:55\",\"connected\":true,"
			  "\"first_frame\":6,\"last_frame\":12,\"duration_ns\":6000000,\"pdus\":5,"), "%s", r.out);
	cr_assert(strstr(r.out, "{\"layer\":\"smp\",\"code\":3,\"text\":\"SMP Pairing Failed: Authentication "
			  "Requirements (0x03)\",\"count\":1,\"first\":\"sent by the host\",\"first_frame\":9}"), "%s", r.out);
	cli_run_free(&r);
	/* the filter selects what the summary counts */
	snprintf(args, sizeof(args), "decode --summary --filter 'cid==4' %s", a);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "  0 HCI commands (0 failed, 0 unanswered), 0 events (0 with an error status), 2 L2CAP PDUs"),
		  "%s", r.out);
	cli_run_free(&r);
	unlink(a);
}

/* The summary's totals are the per-transaction decode's, counted another way. */
Test(hci_cli, summary_agrees_with_the_transactions_on_pairing)
{
	char *path = shared_capture("public/btstack/pairing.pklg");
	char args[1024];
	struct cli_run r;
	unsigned cmds = 0, evts = 0, acl = 0;
	char want[160];

	if (!path)
		cr_skip_test("../shared/captures not found");
	snprintf(args, sizeof(args), "decode --json '%s'", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	for (const char *p = r.out; (p = strstr(p, "\"bt_kind\":\"")); p++) {
		p += strlen("\"bt_kind\":\"");
		cmds += !strncmp(p, "command\"", 8);
		evts += !strncmp(p, "event\"", 6);
		acl += !strncmp(p, "acl\"", 4);
	}
	cli_run_free(&r);
	cr_assert(cmds > 40 && evts > 20 && acl > 30, "%u %u %u", cmds, evts, acl);
	snprintf(args, sizeof(args), "decode --summary --json '%s'", path);
	free(path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	snprintf(want, sizeof(want), "\"commands\":%u,\"commands_failed\":0,\"commands_unanswered\":0,\"events\":%u,", cmds,
		 evts);
	cr_assert(strstr(r.out, want), "%s\nin\n%s", want, r.out);
	snprintf(want, sizeof(want), "\"l2cap_pdus\":%u,", acl);
	cr_assert(strstr(r.out, want), "%s\nin\n%s", want, r.out);
	cli_run_free(&r);
}
