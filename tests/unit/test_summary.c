/* test_summary.c - decode --summary: latency percentiles, per device counts, errors, identity, bounds, JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode/scsi.h"
#include "report/summary.h"
#include "testlib.h"

/* ---------------------------------------------------------------- latency */

Test(latency, exact_nearest_rank)
{
	struct latency l;
	uint32_t x = 7;

	memset(&l, 0, sizeof(l));
	cr_assert_eq(latency_percentile(&l, 50), 0, "empty");
	/* 1..100 in a scrambled order (7 generates the group mod 101) */
	for (int i = 0; i < 100; i++) {
		latency_add(&l, x);
		x = x * 7 % 101;
	}
	cr_assert_eq(l.n, 100);
	cr_assert(latency_exact(&l));
	cr_assert_eq(latency_percentile(&l, 50), 50);
	cr_assert_eq(latency_percentile(&l, 90), 90);
	cr_assert_eq(latency_percentile(&l, 99), 99);
	cr_assert_eq(latency_percentile(&l, 100), 100);
	cr_assert_eq(latency_percentile(&l, 0.5), 1);
	cr_assert_eq(latency_percentile(&l, 50.5), 51);
	cr_assert_eq(l.max, 100);
	latency_release(&l);

	memset(&l, 0, sizeof(l));
	latency_add(&l, 42);
	cr_assert_eq(latency_percentile(&l, 50), 42);
	cr_assert_eq(latency_percentile(&l, 99), 42);
	latency_release(&l);
}

/* Past SUMMARY_EXACT_MAX durations the histogram takes over: every
 * percentile within 1/(2*SUB) of the exact one, max exact, memory fixed. */
Test(latency, histogram_precision)
{
	struct latency l;
	const uint64_t n = 200000;

	memset(&l, 0, sizeof(l));
	/* durations i * 997 ns for i = 1..n, in a scrambled order */
	for (uint64_t i = 1; i <= n; i++)
		latency_add(&l, ((i * 7919) % n + 1) * 997);  /* 7919 is prime: a permutation of 1..n */
	cr_assert_eq(l.n, n);
	cr_assert_not(latency_exact(&l));
	cr_assert_null(l.exact, "the exact list is dropped");
	cr_assert_not_null(l.hist);
	cr_assert_eq(l.max, n * 997);
	const double ps[] = { 1, 10, 50, 90, 99, 99.9 };
	for (unsigned k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		uint64_t rank = (uint64_t)(ps[k] / 100.0 * (double)n + 0.999999);
		double exact = (double)(rank * 997), got = (double)latency_percentile(&l, ps[k]);
		double err = (got - exact) / exact;
		cr_assert(err <= 1.0 / (2 * SUMMARY_HIST_SUB) + 1e-9 && err >= -1.0 / (2 * SUMMARY_HIST_SUB) - 1e-9,
			  "p%g: %.0f vs exact %.0f (%.3f%%)", ps[k], got, exact, err * 100);
	}
	cr_assert_eq(latency_percentile(&l, 100), n * 997);
	latency_release(&l);
}

Test(latency, extremes)
{
	struct latency l;

	memset(&l, 0, sizeof(l));
	for (int i = 0; i < SUMMARY_EXACT_MAX + 10; i++)
		latency_add(&l, i % 2 ? UINT64_MAX : 0);
	cr_assert_not(latency_exact(&l));
	cr_assert_eq(latency_percentile(&l, 10), 0);
	cr_assert_geq(latency_percentile(&l, 99), UINT64_MAX - UINT64_MAX / (2 * SUMMARY_HIST_SUB));
	cr_assert_eq(latency_percentile(&l, 100), UINT64_MAX);
	cr_assert_eq(l.max, UINT64_MAX);
	latency_release(&l);
	/* a bucket's middle never goes past the largest value */
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < 2000; i++)
		latency_add(&l, 992);   /* bucket [992, 1008): middle 1000 */
	cr_assert_not(latency_exact(&l));
	cr_assert_eq(latency_percentile(&l, 50), 992, "clamped to the max");
	latency_release(&l);
	/* small values stay exact in the histogram too */
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < 3000; i++)
		latency_add(&l, (uint64_t)(i % 60));
	cr_assert_eq(latency_percentile(&l, 50), 29);
	latency_release(&l);
}

/* --------------------------------------------------------- a tiny JSON check */

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (!*p || !strchr("\"\\/bfnrtu", *p))
				return NULL;
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_value(const char *p, int depth)
{
	p = js_ws(p);
	if (depth > 32)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				if (!(p = js_string(js_ws(p))))
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = js_value(p, depth + 1)))
				return NULL;
			p = js_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "null", 4) || !strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		char *end;
		strtod(p, &end);
		return end;
	}
	return NULL;
}

static bool json_ok(const char *s)
{
	const char *p = js_value(s, 0);

	return p && *js_ws(p) == '\0';
}

/* ---------------------------------------------------------------- fixtures */

static const uint8_t inquiry_data[36] = {
	0x00, 0x80, 0x05, 0x02, 31, 0, 0, 0,
	'Q', 'E', 'M', 'U', ' ', ' ', ' ', ' ',
	'Q', 'E', 'M', 'U', ' ', 'H', 'A', 'R', 'D', 'D', 'I', 'S', 'K', ' ', ' ', ' ',
	'2', '.', '5', '+',
};
/* READ CAPACITY(10) data: last LBA 0x1fffff, 512-byte blocks (SBC-4 5.20.2) */
static const uint8_t capacity_data[8] = { 0x00, 0x1f, 0xff, 0xff, 0x00, 0x00, 0x02, 0x00 };

static struct txn mk_scsi(uint16_t dev, uint64_t lun, const uint8_t *cdb, uint8_t cdb_len, uint8_t dir,
			  uint64_t moved, int status, uint64_t frame, int64_t dur_ns)
{
	struct txn t;

	memset(&t, 0, sizeof(t));
	t.kind = TXN_SCSI;
	t.u.scsi.frame = frame;
	t.u.scsi.last_frame = frame + 2;
	t.u.scsi.ts_start = (int64_t)frame * 1000000;
	t.u.scsi.ts_end = t.u.scsi.ts_start + dur_ns;
	t.u.scsi.bus = 2;
	t.u.scsi.device = dev;
	t.u.scsi.transport = TRANSPORT_BOT;
	t.u.scsi.lun = lun;
	t.u.scsi.tag = (uint32_t)frame;
	memcpy(t.u.scsi.cdb, cdb, cdb_len);
	t.u.scsi.cdb_len = cdb_len;
	t.u.scsi.direction = dir;
	t.u.scsi.expected_bytes = (uint32_t)moved;
	t.u.scsi.data.bytes = moved;
	t.u.scsi.data.captured = moved;
	t.u.scsi.status = (int16_t)status;
	t.u.scsi.csw_status = status == 0 ? 0 : status == 2 ? 1 : -1;
	t.u.scsi.uas_response = -1;
	t.u.scsi.end = TXN_END_STATUS;
	return t;
}

static const uint8_t cdb_inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
static const uint8_t cdb_inquiry_vpd80[6] = { 0x12, 0x01, 0x80, 0, 252, 0 };
static const uint8_t cdb_rc10[10] = { 0x25 };
static const uint8_t cdb_read10[10] = { 0x28, 0, 0, 0, 0x08, 0, 0, 0, 8, 0 };
static const uint8_t cdb_write10[10] = { 0x2a, 0, 0, 0, 0x10, 0, 0, 0, 16, 0 };
static const uint8_t cdb_tur[6] = { 0x00 };

/* A BOT disk at 2:3: INQUIRY (+ a VPD INQUIRY that must not count as the
 * identity), READ CAPACITY, 3 READ(10) of 4096 bytes, 2 WRITE(10) of 8192,
 * 2 TEST UNIT READY failing with UNIT ATTENTION 06/29/00, one phase error,
 * one command cut by the capture's end; control transfers of 2:3 and 1:1. */
static struct summary *sample_summary(bool with_info)
{
	struct summary *s = summary_new();
	struct txn t;
	struct finding f = { .id = "bot-phase-error", .severity = SEV_ERROR };

	cr_assert_not_null(s);
	t = mk_scsi(3, 0, cdb_inquiry, 6, SCSI_DIR_IN, 36, 0, 10, 300000);
	t.u.scsi.data.head = inquiry_data;
	t.u.scsi.data.head_len = sizeof(inquiry_data);
	summary_add(s, &t);
	{
		static const uint8_t vpd[8] = { 0x05, 0x80, 0, 4, 'X', 'Y', 'Z', 'W' };
		t = mk_scsi(3, 0, cdb_inquiry_vpd80, 6, SCSI_DIR_IN, 8, 0, 12, 200000);
		t.u.scsi.data.head = vpd;
		t.u.scsi.data.head_len = sizeof(vpd);
		summary_add(s, &t);
	}
	t = mk_scsi(3, 0, cdb_rc10, 10, SCSI_DIR_IN, 8, 0, 20, 150000);
	t.u.scsi.data.head = capacity_data;
	t.u.scsi.data.head_len = sizeof(capacity_data);
	summary_add(s, &t);
	for (int i = 0; i < 3; i++) {
		t = mk_scsi(3, 0, cdb_read10, 10, SCSI_DIR_IN, 4096, 0, 30 + (uint64_t)i, 1000000 * (i + 1));
		t.u.scsi.block_size = 512;
		summary_add(s, &t);
	}
	for (int i = 0; i < 2; i++) {
		t = mk_scsi(3, 0, cdb_write10, 10, SCSI_DIR_OUT, 8192, 0, 40 + (uint64_t)i, 2000000);
		summary_add(s, &t);
	}
	for (int i = 0; i < 2; i++) {
		t = mk_scsi(3, 0, cdb_tur, 6, SCSI_DIR_NONE, 0, 2, 50 + (uint64_t)i, 100000);
		t.u.scsi.sense.source = SENSE_AUTOSENSE;
		t.u.scsi.sense.key = 6;
		t.u.scsi.sense.asc = 0x29;
		t.u.scsi.sense.ascq = 0;
		summary_add(s, &t);
	}
	t = mk_scsi(3, 0, cdb_read10, 10, SCSI_DIR_IN, 512, -1, 60, 5000000);
	t.u.scsi.csw_status = 2;
	t.u.scsi.findings = &f;
	t.u.scsi.nfindings = 1;
	summary_add(s, &t);
	t = mk_scsi(3, 0, cdb_write10, 10, SCSI_DIR_OUT, 1024, -1, 70, 900000000);
	t.u.scsi.end = TXN_END_CAPTURE;
	summary_add(s, &t);

	memset(&t, 0, sizeof(t));
	t.kind = TXN_CONTROL;
	t.u.ctl.bus = 2;
	t.u.ctl.device = 3;
	t.u.ctl.completed = true;
	summary_add(s, &t);
	t.u.ctl.status = -32;
	summary_add(s, &t);
	t.u.ctl.bus = 1;
	t.u.ctl.device = 1;
	t.u.ctl.status = 0;
	summary_add(s, &t);

	if (with_info) {
		struct usb_device_info info;
		memset(&info, 0, sizeof(info));
		info.bus = 2;
		info.device = 3;
		info.have_device_desc = true;
		info.vid = 0x46f4;
		info.pid = 0x0001;
		info.bcd_usb = 0x0200;
		strcpy(info.manufacturer, "QEMU");
		strcpy(info.product, "QEMU USB HARDDRIVE \"x\"");
		strcpy(info.serial, "1-0000:00:04.0-1");
		info.storage_transport = TRANSPORT_BOT;
		info.storage_interface = 0;
		info.max_lun = 0;
		summary_device_info(s, &info);
		info.device = 9;                 /* no transactions: not shown */
		summary_device_info(s, &info);
	}
	return s;
}

static bool has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

#define HAS(hay, needle) cr_assert(has(hay, needle), "missing %s in:\n%s", needle, hay)

/* ------------------------------------------------------------------ tests */

Test(summary, counts_bytes_errors_json)
{
	struct summary *s = sample_summary(true);
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	summary_render_json(&sb, s);
	cr_assert(json_ok(sb.buf), "not JSON: %s", sb.buf);
	cr_assert_eq(sb.buf[sb.len - 1], '\n');
	cr_assert_eq(strchr(sb.buf, '\n'), sb.buf + sb.len - 1, "one line");
	HAS(sb.buf, "{\"devices\":[{\"bus\":1,\"device\":1,");        /* bus:device order */
	HAS(sb.buf, "{\"bus\":2,\"device\":3,\"vid\":18164,\"pid\":1,");
	HAS(sb.buf, "\"manufacturer\":\"QEMU\",\"product\":\"QEMU USB HARDDRIVE \\\"x\\\"\"");
	HAS(sb.buf, "\"serial\":\"1-0000:00:04.0-1\",\"transport\":\"bot\",\"storage_interface\":0,\"max_lun\":0");
	cr_assert_not(has(sb.buf, "\"device\":9"), "a device without transactions is left out");
	HAS(sb.buf, "\"scsi_commands\":12,\"scsi_not_good\":4,\"control_transfers\":2,\"control_failed\":1,"
		    "\"usb_events\":0,\"bytes_read\":12852,\"bytes_written\":17408");
	HAS(sb.buf, "\"findings\":{\"error\":1,\"warning\":0,\"info\":0}");
	/* READ(10): 3 good + the phase error; latency of those that ended with a status */
	HAS(sb.buf, "{\"opcode\":40,\"service_action\":null");
	HAS(sb.buf, "\"count\":4,\"errors\":1,\"bytes_read\":12800,\"bytes_written\":0,\"latency_ns\":{\"n\":4,"
		    "\"p50\":2000000,\"p90\":5000000,\"p99\":5000000,\"max\":5000000,\"exact\":true}");
	/* WRITE(10): the one cut by the capture counts, without a latency */
	HAS(sb.buf, "\"count\":3,\"errors\":1,\"bytes_read\":0,\"bytes_written\":17408,\"latency_ns\":{\"n\":2,");
	/* errors: the most frequent first */
	HAS(sb.buf, "\"errors\":[{\"status\":2,\"sense\":{\"key\":6,\"asc\":41,\"ascq\":0}");
	HAS(sb.buf, "\"count\":2,");
	HAS(sb.buf, "{\"status\":null,\"end\":\"status\",\"csw_status\":2,\"sense\":null,\"text\":\"PHASE ERROR\",\"count\":1");
	HAS(sb.buf, "{\"status\":null,\"end\":\"capture-ended\",\"sense\":null,\"text\":\"no status (capture-ended)\"");
	HAS(sb.buf, "\"first_frame\":50}");
	/* LUN 0: the block size the transactions carry */
	HAS(sb.buf, "\"luns\":[{\"lun\":0,\"commands\":12,");
	HAS(sb.buf, "\"block_size\":512,");
	HAS(sb.buf, "\"other_devices_transactions\":0}");
	sb_release(&sb);
	summary_free(s);
}

Test(summary, text)
{
	struct summary *s = sample_summary(true);
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	summary_render_text(&sb, s);
	HAS(sb.buf, "device 1:001");
	HAS(sb.buf, "device 2:003  46f4:0001  USB 2.00  \"QEMU\"  \"QEMU USB HARDDRIVE \"x\"\"  serial \"1-0000:00:04.0-1\""
		    "  transport bot (interface 0), max LUN 0\n");
	HAS(sb.buf, "  12 SCSI commands (4 not good), 2 control transfers (1 failed), 0 USB events\n");
	HAS(sb.buf, "  read 12852 bytes, written 17408 bytes\n");
	HAS(sb.buf, "  findings: 1 error, 0 warning, 0 info\n");
	HAS(sb.buf, ", block size 512, ");
	HAS(sb.buf, "         4       1         12800             0     2.0ms     5.0ms     5.0ms     5.0ms\n");
	HAS(sb.buf, "  errors:\n         2  CHECK CONDITION ");
	HAS(sb.buf, "         1  PHASE ERROR  (first: ");
	HAS(sb.buf, "         1  no status (capture-ended)  (first: ");
	cr_assert(strstr(sb.buf, "device 1:001") < strstr(sb.buf, "device 2:003"));
	sb_release(&sb);
	summary_free(s);

	s = summary_new();
	sb_reset(&sb);
	summary_render_text(&sb, s);
	cr_assert_str_eq(sb.buf, "no devices\n");
	sb_reset(&sb);
	summary_render_json(&sb, s);
	cr_assert_str_eq(sb.buf, "{\"devices\":[],\"other_devices_transactions\":0}\n");
	sb_release(&sb);
	summary_free(s);
}

Test(summary, without_descriptors_transport_from_commands)
{
	struct summary *s = sample_summary(false);
	struct strbuf sb = STRBUF_INIT;
	struct txn t = mk_scsi(3, 0, cdb_tur, 6, SCSI_DIR_NONE, 0, 0, 99, 1000);

	t.u.scsi.transport = TRANSPORT_UAS;
	summary_add(s, &t);
	sb_init(&sb);
	summary_render_json(&sb, s);
	cr_assert(json_ok(sb.buf), "%s", sb.buf);
	HAS(sb.buf, "{\"bus\":2,\"device\":3,\"vid\":null,\"pid\":null,\"bcd_usb\":null,\"bcd_device\":null,"
		    "\"manufacturer\":null,\"product\":null,\"serial\":null,\"transport\":\"bot+uas\"");
	sb_release(&sb);
	summary_free(s);
}

/* Every table is bounded: devices, LUNs, distinct commands, distinct errors. */
Test(summary, bounds)
{
	struct summary *s = summary_new();
	struct strbuf sb = STRBUF_INIT;
	struct txn t;
	uint8_t cdb[16];

	for (unsigned d = 0; d < SUMMARY_DEVICES_MAX + 44; d++) {
		t = mk_scsi((uint16_t)(d + 1), 0, cdb_tur, 6, SCSI_DIR_NONE, 0, 0, d + 1, 1000);
		summary_add(s, &t);
	}
	/* device 1: 300 distinct opcode/service-action pairs, 100 LUNs, 100 distinct errors */
	for (unsigned k = 0; k < 300; k++) {
		/* opcodes 0..255, then SERVICE ACTION IN(16) with service actions */
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = (uint8_t)(k < 256 ? k : 0x9e);
		cdb[1] = (uint8_t)(k & 0x1f);
		t = mk_scsi(1, k % 100, cdb, 16, SCSI_DIR_NONE, 0, 2, 1000 + k, 1000);
		t.u.scsi.sense.source = SENSE_UAS_IU;
		t.u.scsi.sense.key = 5;
		t.u.scsi.sense.asc = (uint8_t)(k % 100);
		summary_add(s, &t);
	}
	sb_init(&sb);
	summary_render_json(&sb, s);
	cr_assert(json_ok(sb.buf));
	HAS(sb.buf, "\"other_devices_transactions\":44}");
	HAS(sb.buf, "\"luns_other_commands\":204,");      /* LUNs 32..99: 68 of them, 3 commands each */
	/* TEST UNIT READY (opcode 0) and opcodes 1..127 fill the table; k = 128..299 do not fit */
	HAS(sb.buf, "{\"opcode\":null,\"service_action\":null,\"name\":\"(other commands)\",\"count\":172,");
	/* 100 distinct ASCs, 3 times each: the last 36 do not fit */
	HAS(sb.buf, "\"errors_other\":108,\"bluetooth\":null}");
	sb_reset(&sb);
	summary_render_text(&sb, s);
	HAS(sb.buf, "44 transactions of devices beyond the first 256 not summarized\n");
	HAS(sb.buf, "  (204 commands of LUNs beyond the first 32)\n");
	sb_release(&sb);
	summary_free(s);
}

/* The decoded names, INQUIRY identity and READ CAPACITY data need the real
 * SCSI decoder; skipped while decode/pending.c stubs it. */
Test(summary_decoders, names_and_identity)
{
	struct summary *s;
	struct strbuf sb = STRBUF_INIT;
	struct cdb_info ci;

	scsi_cdb_decode(cdb_read10, sizeof(cdb_read10), &ci);
	if (strcmp(ci.name, "?") == 0)
		cr_skip_test("scsi_cdb_decode() is still the stub of decode/pending.c");
	s = sample_summary(true);
	sb_init(&sb);
	summary_render_json(&sb, s);
	HAS(sb.buf, "\"name\":\"READ(10)\",\"count\":4");
	HAS(sb.buf, "\"name\":\"WRITE(10)\",\"count\":3");
	HAS(sb.buf, "\"name\":\"INQUIRY\",\"count\":2");
	HAS(sb.buf, "\"inquiry\":{\"peripheral_type\":0,");
	HAS(sb.buf, "\"removable\":true,\"vendor\":\"QEMU\",\"product\":\"QEMU HARDDISK\",\"revision\":\"2.5+\"}");
	HAS(sb.buf, "\"first_command\":\"TEST UNIT READY\"");
	/* LUN 0: READ CAPACITY(10)'s block count */
	HAS(sb.buf, "\"block_size\":512,\"blocks\":2097152}");
	sb_reset(&sb);
	summary_render_text(&sb, s);
	HAS(sb.buf, "  LUN 0: \"QEMU\" \"QEMU HARDDISK\" \"2.5+\", ");
	{
		char row[80];
		snprintf(row, sizeof(row), "\n  %-36s %8d %7d %13d", "READ(10)", 4, 1, 12800);
		HAS(sb.buf, row);
	}
	HAS(sb.buf, "CHECK CONDITION UNIT ATTENTION: ");
	HAS(sb.buf, ", block size 512, 2097152 blocks (1073741824 bytes), 12 commands\n");
	sb_release(&sb);
	summary_free(s);
}

/* ------------------------------------------------------------ the command */

static int run_decode(const char *args, struct strbuf *out)
{
	const char *bd = getenv("top_builddir"), *sd = getenv("top_srcdir");
	char cmd[2048], path[] = "/tmp/scsiscope-summary-XXXXXX";
	int fd = mkstemp(path), status;
	FILE *fp;
	char buf[4096];
	size_t n;

	cr_assert(bd && sd, "top_builddir/top_srcdir are not set (run through make check)");
	cr_assert(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s/scsiscope' decode %s '%s/samples/bot-ehci.pcap' >%s 2>&1", bd, args, sd, path);
	status = system(cmd);
	cr_assert(WIFEXITED(status));
	fp = fopen(path, "r");
	cr_assert(fp);
	sb_reset(out);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(out, buf, n);
	fclose(fp);
	unlink(path);
	return WEXITSTATUS(status);
}

Test(summary_cli, summary_counts_what_the_filters_select)
{
	struct strbuf all = STRBUF_INIT, ctl = STRBUF_INIT;

	sb_init(&all);
	sb_init(&ctl);
	cr_assert_eq(run_decode("--summary --json", &all), 0, "%s", all.buf);
	cr_assert(json_ok(all.buf), "%s", all.buf);
	HAS(all.buf, "{\"devices\":[{\"bus\":1,");
	cr_assert_eq(run_decode("--summary --json --filter 'kind==control'", &ctl), 0, "%s", ctl.buf);
	cr_assert(json_ok(ctl.buf), "%s", ctl.buf);
	HAS(ctl.buf, "\"scsi_commands\":0,");
	HAS(ctl.buf, "\"control_transfers\":");
	cr_assert_eq(run_decode("--summary --device 1:1 --filter 'kind==control'", &ctl), 0, "%s", ctl.buf);
	HAS(ctl.buf, "device 1:001");
	cr_assert_not(has(ctl.buf, "device 1:003"), "%s", ctl.buf);
	cr_assert_eq(run_decode("--summary --filter 'frame<0'", &ctl), 0);
	cr_assert_str_eq(ctl.buf, "no devices\n");
	sb_release(&all);
	sb_release(&ctl);
}

/* What happens at address 0 before SET_ADDRESS belongs to the device that
 * gets the address; an emptied address 0 is not listed. */
Test(summary, enumeration_at_address_0_folds_into_the_addressed_device)
{
	struct summary *s = summary_new();
	struct strbuf sb = STRBUF_INIT;
	struct txn t;
	static const uint8_t get_desc[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x40, 0x00 };
	static const uint8_t set_addr[8] = { 0x00, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00 };

	memset(&t, 0, sizeof(t));
	t.kind = TXN_CONTROL;
	t.u.ctl.bus = 1;
	t.u.ctl.device = 0;
	t.u.ctl.completed = true;
	t.u.ctl.has_setup = true;
	memcpy(t.u.ctl.setup, get_desc, 8);
	summary_add(s, &t);
	t.u.ctl.status = -71;                 /* a failed first try */
	summary_add(s, &t);
	t.u.ctl.status = 0;
	memcpy(t.u.ctl.setup, set_addr, 8);
	summary_add(s, &t);
	t.u.ctl.device = 7;
	memcpy(t.u.ctl.setup, get_desc, 8);
	summary_add(s, &t);

	sb_init(&sb);
	summary_render_text(&sb, s);
	cr_assert_null(strstr(sb.buf, "device 1:000"), "%s", sb.buf);
	cr_assert(strstr(sb.buf, "device 1:007"), "%s", sb.buf);
	cr_assert(strstr(sb.buf, "4 control transfers (1 failed)"), "%s", sb.buf);
	sb_reset(&sb);
	summary_render_json(&sb, s);
	cr_assert_null(strstr(sb.buf, "\"device\":0"), "%s", sb.buf);
	sb_release(&sb);
	summary_free(s);
}
