/* test_hci_names.c - every name of decode/hci_tables.c against tshark's name for the same code (tests/golden/tshark-bt/names.tsv), and the capture make-names.sh gives tshark to name. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/writer.h"
#include "decode/hci.h"
#include "testlib.h"

/*
 * The tables, by the name names.tsv gives them, with the function that
 * names their codes and the index hci_table_at() gives them.
 */
struct table {
	const char *name;
	const char *(*fn)(unsigned code);
	unsigned index;           /* hci_table_at */
};

static const char *n_command(unsigned c) { return hci_command_name((uint16_t)c); }
static const char *n_event(unsigned c) { return hci_event_name((uint8_t)c); }
static const char *n_subevent(unsigned c) { return hci_le_subevent_name((uint8_t)c); }
static const char *n_error(unsigned c) { return hci_error_name((uint8_t)c); }
static const char *n_signal(unsigned c) { return l2cap_signal_name((uint8_t)c); }
static const char *n_cid(unsigned c) { return l2cap_cid_name((uint16_t)c); }
static const char *n_att_op(unsigned c) { return att_opcode_name((uint8_t)c); }
static const char *n_att_err(unsigned c) { return att_error_name((uint8_t)c); }
static const char *n_smp(unsigned c) { return smp_code_name((uint8_t)c); }
static const char *n_smp_reason(unsigned c) { return smp_reason_name((uint8_t)c); }
static const char *n_io_cap(unsigned c) { return smp_io_cap_name((uint8_t)c); }
static const char *n_uuid(unsigned c) { return gatt_uuid16_name((uint16_t)c); }

static const struct table tables[] = {
	{ "command", n_command, 0 },
	{ "event", n_event, 1 },
	{ "le_subevent", n_subevent, 2 },
	{ "error", n_error, 3 },
	{ "l2cap_signal", n_signal, 4 },
	{ "l2cap_cid", n_cid, 5 },
	{ "att_opcode", n_att_op, 6 },
	{ "att_error", n_att_err, 7 },
	{ "smp_code", n_smp, 8 },
	{ "smp_reason", n_smp_reason, 9 },
	{ "io_cap", n_io_cap, 10 },
	{ "uuid16", n_uuid, 11 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* ------------------------------------------------------------ the capture */

/*
 * make-names.sh runs this test binary with SCSISCOPE_NAMES_CAPTURE=PATH:
 * it writes PATH, a btsnoop (H4) capture with one packet per code of the
 * ranges below (every code of our tables and the codes around them, so that
 * tshark can also name codes we do not), and PATH.manifest: per frame, the
 * table, the code, the tshark field that names it and our name ("-" when we
 * have none).  The capture is built with the project's own btsnoop writer.
 */
struct capw {
	struct strbuf cap, man;
	uint64_t frame;
	int64_t ts;
};

static void put(struct capw *w, uint8_t type, uint8_t dir, const uint8_t *data, uint32_t len, const char *table,
		unsigned code, const char *field)
{
	struct hci_record r = mk_hci(type, dir, 0, data, len, w->ts);
	const char *ours = NULL;
	bool wide = !strcmp(table, "command") || !strcmp(table, "l2cap_cid") || !strcmp(table, "uuid16");
	char line[512];

	btsnoopw_record(&w->cap, &r, 1002);
	w->ts += 1000000;
	w->frame++;
	for (size_t i = 0; i < NTABLES; i++)
		if (!strcmp(tables[i].name, table))
			ours = tables[i].fn(code);
	snprintf(line, sizeof(line), "%llu\t%s\t0x%0*x\t%s\t%s\n", (unsigned long long)w->frame, table,
		 wide ? 4 : 2, code, field, ours ? ours : "-");
	sb_add(&w->man, line, strlen(line));
}

/* An L2CAP PDU on handle 0x0001 (first fragment, one packet). */
static void put_l2cap(struct capw *w, uint16_t cid, const uint8_t *pdu, uint16_t len, const char *table,
		      unsigned code, const char *field)
{
	uint8_t b[64];

	cr_assert_leq(len, sizeof(b) - 8);
	b[0] = 0x01, b[1] = 0x20;                     /* handle 0x001, PB 10: first automatically flushable */
	b[2] = (uint8_t)(len + 4), b[3] = (uint8_t)((len + 4) >> 8);
	b[4] = (uint8_t)len, b[5] = (uint8_t)(len >> 8);
	b[6] = (uint8_t)cid, b[7] = (uint8_t)(cid >> 8);
	memcpy(b + 8, pdu, len);
	put(w, HCI_REC_ACL, HCI_DIR_SENT, b, (uint32_t)len + 8, table, code, field);
}

static void write_capture(const char *path)
{
	struct capw w = { .frame = 0, .ts = 1700000000LL * 1000000000LL };
	static const struct { uint8_t ogf; uint16_t last; } ogfs[] = {
		{ 0x01, 0x7f }, { 0x02, 0x3f }, { 0x03, 0xff }, { 0x04, 0x3f }, { 0x05, 0x3f }, { 0x06, 0x3f }, { 0x08, 0x1ff },
	};
	static const struct { uint16_t first, last; } uuid_ranges[] = {
		{ 0x1800, 0x18ff }, { 0x2800, 0x28ff }, { 0x2900, 0x29ff }, { 0x2a00, 0x2cff },
	};
	char *mpath;
	FILE *f;

	sb_init(&w.cap);
	sb_init(&w.man);
	btsnoopw_header(&w.cap, 1002);
	/* HCI commands: no parameters (tshark names the opcode before it reads them). */
	for (size_t i = 0; i < sizeof(ogfs) / sizeof(ogfs[0]); i++)
		for (unsigned ocf = 1; ocf <= ogfs[i].last; ocf++) {
			uint16_t op = (uint16_t)(ogfs[i].ogf << 10 | ocf);
			uint8_t b[3] = { (uint8_t)op, (uint8_t)(op >> 8), 0 };
			put(&w, HCI_REC_COMMAND, HCI_DIR_SENT, b, 3, "command", op, "bthci_cmd.opcode");
		}
	/* HCI events (LE Meta without a subevent), then LE Meta once per subevent. */
	for (unsigned c = 0x01; c <= 0xff; c++) {
		uint8_t b[2] = { (uint8_t)c, 0 };
		put(&w, HCI_REC_EVENT, HCI_DIR_RECV, b, 2, "event", c, "bthci_evt.code");
	}
	for (unsigned c = 0x01; c <= 0x3f; c++) {
		uint8_t b[3] = { 0x3e, 1, (uint8_t)c };
		put(&w, HCI_REC_EVENT, HCI_DIR_RECV, b, 3, "le_subevent", c, "bthci_evt.le_meta_subevent");
	}
	/* HCI error codes: the status of a Command Complete for Reset. */
	for (unsigned c = 0x00; c <= 0x7f; c++) {
		uint8_t b[6] = { 0x0e, 4, 1, 0x03, 0x0c, (uint8_t)c };
		put(&w, HCI_REC_EVENT, HCI_DIR_RECV, b, 6, "error", c, "bthci_evt.status");
	}
	/* L2CAP signalling: code, identifier, length 0, on the BR/EDR signalling channel. */
	for (unsigned c = 0x01; c <= 0x3f; c++) {
		uint8_t p[4] = { (uint8_t)c, 1, 0, 0 };
		put_l2cap(&w, 0x0001, p, 4, "l2cap_signal", c, "btl2cap.cmd_code");
	}
	/* L2CAP fixed channels: one byte on each. */
	for (unsigned c = 0x0001; c <= 0x003f; c++) {
		uint8_t p[1] = { 0 };
		put_l2cap(&w, (uint16_t)c, p, 1, "l2cap_cid", c, "btl2cap.cid");
	}
	/* ATT opcodes, then an Error Response (to a Read Request) per error code,
	 * then a Read By Type Request per 16-bit UUID. */
	for (unsigned c = 0x00; c <= 0xff; c++) {
		uint8_t p[1] = { (uint8_t)c };
		put_l2cap(&w, 0x0004, p, 1, "att_opcode", c, "btatt.opcode");
	}
	for (unsigned c = 0x00; c <= 0xff; c++) {
		uint8_t p[5] = { 0x01, 0x0a, 0x01, 0x00, (uint8_t)c };
		put_l2cap(&w, 0x0004, p, 5, "att_error", c, "btatt.error_code");
	}
	for (size_t i = 0; i < sizeof(uuid_ranges) / sizeof(uuid_ranges[0]); i++)
		for (unsigned u = uuid_ranges[i].first; u <= uuid_ranges[i].last; u++) {
			uint8_t p[7] = { 0x08, 0x01, 0x00, 0xff, 0xff, (uint8_t)u, (uint8_t)(u >> 8) };
			put_l2cap(&w, 0x0004, p, 7, "uuid16", u, "btatt.uuid16");
		}
	/* SMP codes, Pairing Failed per reason, Pairing Request per IO capability. */
	for (unsigned c = 0x00; c <= 0x1f; c++) {
		uint8_t p[1] = { (uint8_t)c };
		put_l2cap(&w, 0x0006, p, 1, "smp_code", c, "btsmp.opcode");
	}
	for (unsigned c = 0x00; c <= 0x1f; c++) {
		uint8_t p[2] = { 0x05, (uint8_t)c };
		put_l2cap(&w, 0x0006, p, 2, "smp_reason", c, "btsmp.reason");
	}
	for (unsigned c = 0x00; c <= 0x07; c++) {
		uint8_t p[7] = { 0x01, (uint8_t)c, 0x00, 0x01, 16, 0x07, 0x07 };
		put_l2cap(&w, 0x0006, p, 7, "io_cap", c, "btsmp.io_capability");
	}
	f = fopen(path, "wb");
	cr_assert(f, "cannot write %s", path);
	cr_assert_eq(fwrite(w.cap.buf, 1, w.cap.len, f), w.cap.len);
	cr_assert_eq(fclose(f), 0);
	mpath = malloc(strlen(path) + 16);
	cr_assert(mpath);
	sprintf(mpath, "%s.manifest", path);
	f = fopen(mpath, "w");
	cr_assert(f, "cannot write %s", mpath);
	cr_assert_eq(fwrite(w.man.buf, 1, w.man.len, f), w.man.len);
	cr_assert_eq(fclose(f), 0);
	free(mpath);
	sb_release(&w.cap);
	sb_release(&w.man);
}

Test(hci_names, write_capture_for_make_names)
{
	const char *path = getenv("SCSISCOPE_NAMES_CAPTURE");

	if (!path || !*path)
		cr_skip_test("only for tests/golden/tshark-bt/make-names.sh (SCSISCOPE_NAMES_CAPTURE=PATH)");
	write_capture(path);
}

/* ------------------------------------------------------------ the comparison */

/*
 * Where our name and tshark's differ and both are right, or where tshark
 * (4.0.17) does not know a code the specification defines: the section of
 * the Bluetooth Core Specification v5.4 (or the Core Specification
 * Supplement, CSS) that gives our wording.  Most differences are the
 * specification's newer names: v5.3 replaced master/slave by
 * central/peripheral and white list by filter accept list, and renamed
 * several commands and events; tshark 4.0 keeps the older ones.
 */
struct allow {
	const char *table;
	unsigned first, last;     /* codes first..last */
	const char *why;
};

static const struct allow allowlist[] = {
	/* HCI commands, Vol 4 Part E 7.1-7.8 (names HCI_...) */
	{ "command", 0x0417, 0x0417, "7.1.18 HCI_Link_Key_Selection (v5.3 renamed Master Link Key)" },
	{ "command", 0x0441, 0x0442, "7.1 HCI_Set_Connectionless_Peripheral_Broadcast[_Receive] (v5.3: peripheral)" },
	{ "command", 0x0805, 0x0806, "Core v4.2 Vol 2 Part E 7.2.4-5 HCI_Park_State, HCI_Exit_Park_State (park state later withdrawn; kept for older captures)" },
	{ "command", 0x0c13, 0x0c13, "7.3.11 HCI_Write_Local_Name" },
	{ "command", 0x0c2d, 0x0c2d, "7.3.35 HCI_Read_Transmit_Power_Level" },
	{ "command", 0x0c2e, 0x0c2f, "7.3.36-37 HCI_Read/Write_Synchronous_Flow_Control_Enable" },
	{ "command", 0x0c31, 0x0c31, "7.3.38 HCI_Set_Controller_To_Host_Flow_Control" },
	{ "command", 0x0c58, 0x0c59, "7.3 HCI_Read_Inquiry_Response_Transmit_Power_Level, HCI_Write_Inquiry_Transmit_Power_Level" },
	{ "command", 0x0c6c, 0x0c6d, "7.3 HCI_Read/Write_LE_Host_Support" },
	{ "command", 0x0c76, 0x0c76, "7.3 HCI_Set_Connectionless_Peripheral_Broadcast_Data (v5.3: peripheral)" },
	{ "command", 0x0c82, 0x0c84, "7.3 HCI_Set_Ecosystem_Base_Interval, HCI_Configure_Data_Path, HCI_Set_Min_Encryption_Key_Size (v5.2-5.3; unknown to tshark 4.0)" },
	{ "command", 0x100d, 0x100f, "7.4 HCI_Read_Local_Supported_Codecs [v2], HCI_Read_Local_Supported_Codec_Capabilities, HCI_Read_Local_Supported_Controller_Delay (unknown to tshark 4.0)" },
	{ "command", 0x2007, 0x2007, "7.8.6 HCI_LE_Read_Advertising_Physical_Channel_Tx_Power" },
	{ "command", 0x200a, 0x200a, "7.8.9 HCI_LE_Set_Advertising_Enable" },
	{ "command", 0x200f, 0x2012, "7.8.14-17 HCI_LE_..._Filter_Accept_List (v5.3 renamed White List)" },
	{ "command", 0x2019, 0x2019, "7.8.24 HCI_LE_Enable_Encryption (v5.3 renamed Start Encryption)" },
	{ "command", 0x207f, 0x207f, "7.8.53 HCI_LE_Set_Extended_Advertising_Parameters [v2] (v5.4; unknown to tshark 4.0)" },
	{ "command", 0x2082, 0x2084, "7.8.125-127 HCI_LE_Set_Periodic_Advertising_Subevent_Data, _Response_Data, HCI_LE_Set_Periodic_Sync_Subevent (v5.4; unknown to tshark 4.0)" },
	{ "command", 0x2085, 0x2085, "7.8.66 HCI_LE_Extended_Create_Connection [v2] (v5.4; unknown to tshark 4.0)" },
	{ "command", 0x2086, 0x2086, "7.8.61 HCI_LE_Set_Periodic_Advertising_Parameters [v2] (v5.4; unknown to tshark 4.0)" },
	/* HCI events, Vol 4 Part E 7.7 */
	{ "event", 0x03, 0x05, "7.7.3-5 HCI_Connection_Complete, HCI_Connection_Request, HCI_Disconnection_Complete" },
	{ "event", 0x0a, 0x0a, "7.7.10 HCI_Link_Key_Type_Changed (v5.3 renamed Master Link Key Complete)" },
	{ "event", 0x0b, 0x0b, "7.7.11 HCI_Read_Remote_Supported_Features_Complete" },
	{ "event", 0x42, 0x42, "Core v5.2 Vol 4 Part E 7.7 HCI_Disconnection_Physical_Link_Complete (AMP, removed in v5.3; kept for older captures)" },
	{ "event", 0x46, 0x46, "Core v5.2 Vol 4 Part E 7.7 HCI_Disconnection_Logical_Link_Complete (AMP, removed in v5.3; kept for older captures)" },
	{ "event", 0x51, 0x52, "7.7 HCI_Connectionless_Peripheral_Broadcast_Receive/_Timeout (v5.3: peripheral)" },
	{ "event", 0x54, 0x55, "7.7 HCI_Peripheral_Page_Response_Timeout, HCI_Connectionless_Peripheral_Broadcast_Channel_Map_Change" },
	{ "event", 0x59, 0x59, "7.7.8 HCI_Encryption_Change [v2] (unknown to tshark 4.0)" },
	/* LE Meta subevents, Vol 4 Part E 7.7.65 */
	{ "le_subevent", 0x0b, 0x0b, "7.7.65.11 HCI_LE_Directed_Advertising_Report" },
	{ "le_subevent", 0x24, 0x26, "7.7.65.14, 7.7.65.15, 7.7.65.24 HCI_LE_Periodic_Advertising_Sync_Established, _Report, _Sync_Transfer_Received [v2] (v5.4; unknown to tshark 4.0)" },
	{ "le_subevent", 0x27, 0x28, "7.7.65.35-36 HCI_LE_Periodic_Advertising_Subevent_Data_Request, _Response_Report (v5.4; unknown to tshark 4.0)" },
	{ "le_subevent", 0x29, 0x29, "7.7.65.10 HCI_LE_Enhanced_Connection_Complete [v2] (v5.4; unknown to tshark 4.0)" },
	/* Error codes, Vol 1 Part F 1.3 */
	{ "error", 0x0b, 0x0b, "Vol 1 Part F 1.3: Connection Already Exists" },
	{ "error", 0x1a, 0x1a, "Vol 1 Part F 1.3: Unsupported Remote Feature" },
	{ "error", 0x1e, 0x1e, "Vol 1 Part F 1.3: Invalid LMP Parameters / Invalid LL Parameters" },
	{ "error", 0x20, 0x20, "Vol 1 Part F 1.3: Unsupported LMP Parameter Value / Unsupported LL Parameter Value" },
	{ "error", 0x22, 0x22, "Vol 1 Part F 1.3: LMP Response Timeout / LL Response Timeout" },
	{ "error", 0x3c, 0x3c, "Vol 1 Part F 1.3: Advertising Timeout (once Directed Advertising Timeout)" },
	{ "error", 0x3e, 0x3e, "Vol 1 Part F 1.3: Connection Failed to be Established / Synchronization Timeout" },
	/* L2CAP signalling, Vol 3 Part A 4 */
	{ "l2cap_signal", 0x04, 0x05, "Vol 3 Part A 4.4-4.5 L2CAP_CONFIGURATION_REQ/RSP" },
	{ "l2cap_signal", 0x10, 0x10, "Vol 3 Part A 4 L2CAP_MOVE_CHANNEL_CONFIRMATION_REQ" },
	{ "l2cap_signal", 0x16, 0x16, "Vol 3 Part A 4 L2CAP_FLOW_CONTROL_CREDIT_IND" },
	{ "l2cap_signal", 0x17, 0x1a, "Vol 3 Part A 4 L2CAP_CREDIT_BASED_CONNECTION_REQ/RSP, L2CAP_CREDIT_BASED_RECONFIGURE_REQ/RSP (v5.2; unknown to tshark 4.0)" },
	/* Fixed channels: our short labels for Vol 3 Part A 2.1 Table 2.1 */
	{ "l2cap_cid", 0x0001, 0x0006, "Vol 3 Part A 2.1 Table 2.1, our short labels: signalling, connectionless, ATT, LE signalling, SMP; 0x0003 AMP manager from Core v5.2 (AMP removed in v5.3)" },
	{ "l2cap_cid", 0x0007, 0x0007, "Vol 3 Part A 2.1 Table 2.1: 0x0007 BR/EDR Security Manager (tshark 4.0: Reserved)" },
	/* ATT, Vol 3 Part F 3.4 */
	{ "att_opcode", 0x20, 0x21, "Vol 3 Part F 3.4.4 ATT_READ_MULTIPLE_VARIABLE_REQ/RSP (v5.2; unknown to tshark 4.0)" },
	{ "att_opcode", 0x23, 0x23, "Vol 3 Part F 3.4.7 ATT_MULTIPLE_HANDLE_VALUE_NTF (v5.2; unknown to tshark 4.0)" },
	{ "att_error", 0x0c, 0x0c, "Vol 3 Part F 3.4.1.1 Table 3.4: Encryption Key Size Too Short" },
	{ "att_error", 0x12, 0x13, "Vol 3 Part F 3.4.1.1 Table 3.4: Database Out Of Sync, Value Not Allowed (v5.1; unknown to tshark 4.0)" },
	{ "att_error", 0xe0, 0xfb, "Vol 3 Part F 3.4.1.1 Table 3.4: 0xE0-0xFF Common Profile and Service Error Codes (CSS Part B)" },
	{ "att_error", 0xfc, 0xfd, "CSS Part B 1.2: Write Request Rejected, Client Characteristic Configuration Descriptor Improperly Configured" },
	/* SMP, Vol 3 Part H 3 */
	{ "smp_code", 0x07, 0x07, "Vol 3 Part H 3.6.3 Central Identification (v5.3 renamed Master Identification)" },
	{ "smp_reason", 0x0f, 0x0f, "Vol 3 Part H 3.5.5 Table 3.7: Key Rejected (unknown to tshark 4.0)" },
};
#define NALLOW (sizeof(allowlist) / sizeof(allowlist[0]))

static const struct allow *allowed(const char *table, unsigned code)
{
	for (size_t i = 0; i < NALLOW; i++)
		if (!strcmp(allowlist[i].table, table) && code >= allowlist[i].first && code <= allowlist[i].last)
			return &allowlist[i];
	return NULL;
}

/*
 * A name reduced to what both sides must agree on: lower case, punctuation
 * as spaces, no "LE " prefix, no "Command"/"Event" suffix, no "v1" (tshark
 * writes the first version of a command "[v1]", the specification does not
 * name it), no trailing number (tshark's "Application Error 0x80"); then
 * no spaces at all (the IO capabilities are one word in the specification,
 * "DisplayYesNo", and words in tshark, "Display Yes/No").
 */
static void normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;
	char *w, *save = NULL, buf[256];
	char words[32][64];
	unsigned nw = 0;

	snprintf(buf, sizeof(buf), "%s", in);
	for (char *p = buf; *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : ' ';
	for (w = strtok_r(buf, " ", &save); w && nw < 32; w = strtok_r(NULL, " ", &save))
		snprintf(words[nw++], sizeof(words[0]), "%s", w);
	if (nw > 1 && !strcmp(words[0], "le"))
		memmove(words[0], words[1], (--nw) * sizeof(words[0]));
	while (nw > 1 && (!strcmp(words[nw - 1], "command") || !strcmp(words[nw - 1], "event") ||
			  !strcmp(words[nw - 1], "v1") || !strncmp(words[nw - 1], "0x", 2)))
		nw--;
	out[0] = 0;
	for (unsigned i = 0; i < nw; i++)
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s", words[i]);
}

static bool tshark_unknown(const char *name)
{
	return !strcmp(name, "Unknown") || !strcmp(name, "Reserved") || !strcmp(name, "-");
}

struct tally {
	unsigned rows, agreed, allowed, tshark_only;
	struct strbuf only;       /* the codes tshark names and we do not */
};

Test(hci_names, every_name_agrees_with_tshark_or_is_allowlisted)
{
	char *path = src_path("tests/golden/tshark-bt/names.tsv");
	FILE *f = fopen(path, "r");
	struct tally tl[NTABLES];
	static uint8_t seen[NTABLES][65536 / 8];
	bool used[NALLOW];
	struct strbuf fail = STRBUF_INIT;
	unsigned nfail = 0, lineno = 0;
	char line[512];

	if (!f) {
		cr_log_warn("%s is missing: run tests/golden/tshark-bt/make-names.sh", path);
		free(path);
		cr_skip_test("names.tsv is missing");
	}
	memset(tl, 0, sizeof(tl));
	memset(seen, 0, sizeof(seen));
	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < NTABLES; i++)
		sb_init(&tl[i].only);
	sb_init(&fail);
	while (fgets(line, sizeof(line), f)) {
		char *table, *codes, *tname, *save = NULL, *end;
		const struct table *t = NULL;
		const struct allow *al;
		const char *ours;
		unsigned code, ti = 0;
		char a[256], b[256], msg[768];

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || !strncmp(line, "table\t", 6) || !line[0])
			continue;
		table = strtok_r(line, "\t", &save);
		codes = strtok_r(NULL, "\t", &save);
		tname = strtok_r(NULL, "\t", &save);
		cr_assert(table && codes && tname, "names.tsv line %u: not 3 columns", lineno);
		code = (unsigned)strtoul(codes, &end, 16);
		cr_assert(!*end && code <= 0xffff, "names.tsv line %u: code %s", lineno, codes);
		for (ti = 0; ti < NTABLES; ti++)
			if (!strcmp(tables[ti].name, table)) {
				t = &tables[ti];
				break;
			}
		cr_assert(t, "names.tsv line %u: no table %s", lineno, table);
		seen[ti][code / 8] |= (uint8_t)(1u << (code % 8));
		tl[ti].rows++;
		ours = t->fn(code);
		al = allowed(table, code);
		if (al)
			used[al - allowlist] = true;
		msg[0] = 0;
		if (!ours) {
			if (!tshark_unknown(tname)) {
				char item[320];
				int k = snprintf(item, sizeof(item), "%s%s %s", tl[ti].only.len ? ", " : "", codes, tname);
				sb_add(&tl[ti].only, item, (size_t)k);
				tl[ti].tshark_only++;
			}
			continue;
		}
		if (tshark_unknown(tname)) {
			if (al)
				tl[ti].allowed++;
			else
				snprintf(msg, sizeof(msg), "%s 0x%04x: ours \"%s\", tshark does not know it (%s): check the "
					 "specification, then allowlist it with the section", table, code, ours, tname);
		} else {
			normalize(ours, a, sizeof(a));
			normalize(tname, b, sizeof(b));
			if (!strcmp(a, b))
				tl[ti].agreed++;
			else if (al)
				tl[ti].allowed++;
			else
				snprintf(msg, sizeof(msg), "%s 0x%04x: ours \"%s\", tshark \"%s\"", table, code, ours, tname);
		}
		if (msg[0]) {
			sb_add(&fail, msg, strlen(msg));
			sb_add(&fail, "\n", 1);
			nfail++;
		}
	}
	fclose(f);
	free(path);
	/* Every code of every table must have been compared: names.tsv is regenerated after a table changes. */
	for (size_t ti = 0; ti < NTABLES; ti++) {
		size_t n, stride;
		const uint8_t *e = hci_table_at(tables[ti].index, &n, &stride);

		cr_assert(e);
		for (size_t k = 0; k < n; k++) {
			uint16_t c;
			char msg[256];

			memcpy(&c, e + k * stride, 2);
			if (seen[ti][c / 8] & (1u << (c % 8)))
				continue;
			snprintf(msg, sizeof(msg), "%s 0x%04x (%s) is not in names.tsv: run make-names.sh\n", tables[ti].name, c,
				 tables[ti].fn(c));
			sb_add(&fail, msg, strlen(msg));
			nfail++;
		}
	}
	/* An allowlist entry no code needs any more is stale. */
	for (size_t i = 0; i < NALLOW; i++)
		if (!used[i]) {
			char msg[256];
			snprintf(msg, sizeof(msg), "allowlist %s 0x%04x-0x%04x is not used by names.tsv\n", allowlist[i].table,
				 allowlist[i].first, allowlist[i].last);
			sb_add(&fail, msg, strlen(msg));
			nfail++;
		}
	for (size_t ti = 0; ti < NTABLES; ti++) {
		cr_log_info("%s: %u codes compared, %u agree with tshark, %u allowlisted, %u tshark names and we do not",
			    tables[ti].name, tl[ti].rows - tl[ti].tshark_only, tl[ti].agreed, tl[ti].allowed,
			    tl[ti].tshark_only);
		if (tl[ti].tshark_only)
			cr_log_info("%s: tshark names and we do not: %s", tables[ti].name, tl[ti].only.buf);
		sb_release(&tl[ti].only);
	}
	cr_assert_eq(nfail, 0, "%u names differ from tshark's and are not allowlisted:\n%s", nfail, fail.buf ? fail.buf : "");
	sb_release(&fail);
}
