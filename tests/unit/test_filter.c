/* test_filter.c - the filter expression language: every field, operator semantics, errors, bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze/filter.h"
#include "decode/scsi.h"
#include "decode/usb_control.h"
#include "testlib.h"

/* ------------------------------------------------------------- fixtures */

static struct txn scsi_txn(void)
{
	struct txn t;

	memset(&t, 0, sizeof(t));
	t.kind = TXN_SCSI;
	t.u.scsi.frame = 150;
	t.u.scsi.last_frame = 156;
	t.u.scsi.ts_start = 1000000000 + 2500000000LL;   /* 2.5 s after t0 = 1 s */
	t.u.scsi.ts_end = t.u.scsi.ts_start + 1500000;    /* 1500 us */
	t.u.scsi.bus = 2;
	t.u.scsi.device = 3;
	t.u.scsi.interface = 0;
	t.u.scsi.transport = TRANSPORT_BOT;
	t.u.scsi.lun = 0;
	t.u.scsi.tag = 5;
	/* READ(10) LBA 2048, 8 blocks (SBC-4 5.16) */
	static const uint8_t read10[10] = { 0x28, 0, 0x00, 0x00, 0x08, 0x00, 0, 0x00, 0x08, 0 };
	memcpy(t.u.scsi.cdb, read10, sizeof(read10));
	t.u.scsi.cdb_len = 10;
	t.u.scsi.direction = SCSI_DIR_IN;
	t.u.scsi.expected_bytes = 4096;
	t.u.scsi.data.bytes = 4096;
	t.u.scsi.data.captured = 4096;
	t.u.scsi.status = 0;
	t.u.scsi.csw_status = 0;
	t.u.scsi.has_residue = true;
	t.u.scsi.uas_response = -1;
	t.u.scsi.end = TXN_END_STATUS;
	return t;
}

static struct txn control_txn(void)
{
	struct txn t;
	static const uint8_t get_desc[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };

	memset(&t, 0, sizeof(t));
	t.kind = TXN_CONTROL;
	t.u.ctl.frame = 7;
	t.u.ctl.last_frame = 8;
	t.u.ctl.ts_start = 1000000000;
	t.u.ctl.ts_end = 1000000000 + 200000;
	t.u.ctl.bus = 2;
	t.u.ctl.device = 3;
	t.u.ctl.endpoint = 0x80;
	t.u.ctl.has_setup = true;
	memcpy(t.u.ctl.setup, get_desc, 8);
	t.u.ctl.completed = true;
	t.u.ctl.status = 0;
	t.u.ctl.data.bytes = 18;
	t.u.ctl.data.captured = 18;
	return t;
}

static struct txn note_txn(void)
{
	struct txn t;

	memset(&t, 0, sizeof(t));
	t.kind = TXN_USB;
	t.u.note.kind = USB_NOTE_ERROR;
	t.u.note.frame = 300;
	t.u.note.ts = 1000000000 + 5000000000LL;
	t.u.note.bus = 2;
	t.u.note.device = 4;
	t.u.note.endpoint = 0x81;
	t.u.note.xfer = USB_XFER_BULK;
	t.u.note.status = -32;
	return t;
}

#define T0 1000000000LL

static bool m(const char *expr, const struct txn *t)
{
	struct filter *f = NULL;
	struct error err;
	bool r;

	error_clear(&err);
	cr_assert_eq(filter_compile(expr, &f, &err), 0, "'%s' does not compile: %s", expr, err.msg);
	cr_assert_not_null(f);
	r = filter_match(f, t, T0);
	filter_free(f);
	return r;
}

#define YES(expr, t) cr_assert(m(expr, t), "'%s' should match", expr)
#define NO(expr, t) cr_assert(!m(expr, t), "'%s' should not match", expr)

/* Compile must fail; returns the message (static). */
static const char *bad(const char *expr)
{
	static struct error err;
	struct filter *f = (struct filter *)1;

	error_clear(&err);
	cr_assert_eq(filter_compile(expr, &f, &err), -1, "'%s' should not compile", expr);
	cr_assert_null(f, "no filter on failure");
	cr_assert(err.set);
	cr_assert(strncmp(err.msg, "column ", 7) == 0, "message names the column: %s", err.msg);
	return err.msg;
}

/* ------------------------------------------------------- fields, scsi */

Test(filter, numbers_and_booleans_on_scsi)
{
	struct txn t = scsi_txn();

	YES("opcode==0x28", &t);
	YES("opcode==40", &t);
	NO("opcode==0x2a", &t);
	YES("frame>=100 && frame<=200", &t);
	NO("frame>=151 && frame<=200", &t);
	YES("frame>=100&&frame<=150", &t);
	YES("last_frame==156", &t);
	YES("lun==0", &t);
	NO("lun==1", &t);
	YES("transport==bot && tag==5", &t);
	NO("transport==uas && tag==5", &t);
	YES("transport==\"BOT\"", &t);
	YES("bus==2 && device==3 && interface==0", &t);
	YES("duration_us > 1000", &t);
	NO("duration_us > 1500", &t);
	YES("duration_us >= 1500", &t);
	YES("direction==in", &t);
	NO("direction==out", &t);
	YES("expected_bytes==4096 && moved_bytes==4096 && captured_bytes==4096", &t);
	NO("moved_bytes < expected_bytes", &t);
	t.u.scsi.data.bytes = 512;
	YES("moved_bytes < expected_bytes", &t);
	YES("expected_bytes > moved_bytes", &t);
	YES("csw_status==0 && residue==0", &t);
	YES("end==status", &t);
	YES("kind==scsi", &t);
	NO("kind==control", &t);
	YES("!(kind==control) || device==3", &t);
	YES("!(kind==scsi) || device==3", &t);
	NO("!(kind==scsi) || device==4", &t);
	YES("!!(kind==scsi)", &t);
	YES("(opcode==0x28 || opcode==0x2a) && !(lun>0)", &t);
	YES("opcode==0x28 && lun==1 || tag==5", &t);   /* && binds tighter */
	NO("opcode==0x28 && (lun==1 || tag==6)", &t);
}

Test(filter, time_is_seconds_from_t0)
{
	struct txn t = scsi_txn();   /* 2.5 s after T0 */

	YES("time > 2", &t);
	YES("time == 2.5", &t);
	YES("time >= 2.499999999 && time < 2.5000001", &t);
	NO("time < 2.5", &t);
	NO("time > 3", &t);
	t.u.scsi.ts_start = T0 - 1000000000;
	YES("time < 0 && time == -1", &t);
}

Test(filter, status_keywords_and_none)
{
	struct txn t = scsi_txn();

	YES("status==good", &t);
	YES("status==0", &t);
	NO("status!=good", &t);
	YES("status!=none", &t);
	YES("has(status)", &t);
	t.u.scsi.status = 2;
	YES("status!=good", &t);
	YES("status==check-condition", &t);
	YES("status==CHECK_CONDITION", &t);
	YES("status==2 && status>good && status<busy", &t);
	t.u.scsi.status = 0x28;
	YES("status==task-set-full", &t);
	t.u.scsi.status = 0x18;
	YES("status==reservation-conflict", &t);
	/* no status (phase error, capture ended): compares as "none" */
	t.u.scsi.status = -1;
	t.u.scsi.csw_status = 2;
	YES("status==none", &t);
	YES("status!=good", &t);
	NO("status==good", &t);
	NO("status>0", &t);
	NO("status<=0x40", &t);
	NO("has(status)", &t);
	YES("csw_status==2", &t);
	/* status is SCSI's: a control transfer has none at all */
	struct txn c = control_txn();
	NO("status==none", &c);
	NO("status!=none", &c);
	NO("status!=good", &c);
}

Test(filter, sense_and_missing_fields)
{
	struct txn t = scsi_txn();

	/* missing: both == and != are false, ! negates */
	NO("sense.key==5", &t);
	NO("sense.key!=5", &t);
	YES("!(sense.key==5)", &t);
	NO("has(sense)", &t);
	NO("has(sense.asc)", &t);
	t.u.scsi.status = 2;
	t.u.scsi.sense.source = SENSE_AUTOSENSE;
	t.u.scsi.sense.key = 5;
	t.u.scsi.sense.asc = 0x20;
	t.u.scsi.sense.ascq = 0;
	YES("sense.key==5", &t);
	YES("sense.key==5 && sense.asc==0x20 && sense.ascq==0", &t);
	NO("sense.key!=5", &t);
	YES("has(sense)", &t);
	YES("has( sense )", &t);
	YES("has (sense.ascq)", &t);
	t.u.scsi.has_residue = false;
	t.u.scsi.csw_status = -1;
	NO("residue==0", &t);
	NO("residue!=0", &t);
	NO("csw_status==0 || csw_status!=0", &t);
	NO("has(residue)", &t);
}

Test(filter, findings_and_severity)
{
	struct txn t = scsi_txn();
	struct finding f[2];

	NO("finding~\"bot-\"", &t);
	YES("finding!~\"bot-\"", &t);
	YES("finding!=bot-phase-error", &t);
	NO("has(finding)", &t);
	NO("severity>=info", &t);
	memset(f, 0, sizeof(f));
	f[0].id = "usb-roles-inferred";
	f[0].severity = SEV_INFO;
	f[1].id = "bot-csw-bad-tag";
	f[1].severity = SEV_WARNING;
	t.u.scsi.findings = f;
	t.u.scsi.nfindings = 2;
	YES("finding~\"bot-\"", &t);
	YES("finding~BOT-", &t);
	YES("finding==bot-csw-bad-tag", &t);
	YES("finding==\"usb-roles-inferred\"", &t);
	NO("finding==bot-csw", &t);
	NO("finding!=bot-csw-bad-tag", &t);
	NO("finding!~\"bot\"", &t);
	YES("finding!~\"uas\"", &t);
	YES("has(finding)", &t);
	YES("severity==warning && severity>=info && severity<error", &t);
	NO("severity==error", &t);
	YES("severity==1", &t);
	f[1].severity = SEV_ERROR;
	YES("severity==error", &t);
}

Test(filter, strings_case_and_escapes)
{
	struct txn n = note_txn();
	struct finding f;

	YES("name==\"error\"", &n);
	YES("name==ERROR", &n);
	YES("name~\"rr\"", &n);
	YES("name!~\"gone\"", &n);
	YES("name~\"\"", &n);                /* empty text is in everything */
	n.u.note.kind = USB_NOTE_DEVICE_GONE;
	YES("name==device-gone", &n);
	memset(&f, 0, sizeof(f));
	f.id = "odd\"id\\x";
	n.u.note.findings = &f;
	n.u.note.nfindings = 1;
	YES("finding==\"odd\\\"id\\\\x\"", &n);
	NO("finding==\"odd\\\"id\"", &n);
	YES("finding~\"\\\"\"", &n);
}

Test(filter, numbers_full_range_and_sign)
{
	struct txn t = scsi_txn();
	struct txn n = note_txn();

	t.u.scsi.lun = 0xC000000000000001ULL;   /* a UAS extended LUN taken as a number */
	YES("lun==0xc000000000000001", &t);
	YES("lun > 0x7fffffffffffffff", &t);
	YES("lun > -1", &t);
	YES("lun==13835058055282163713", &t);
	NO("lun < 0", &t);
	YES("usb.status==-32", &n);
	YES("usb.status==stall && usb.status==EPIPE && usb.status==epipe", &n);
	YES("usb.status < 0 && usb.status > -33 && usb.status >= -32", &n);
	NO("usb.status < -32", &n);
	NO("usb.status==ok", &n);
	YES("usb.status!=-0", &n);
	n.u.note.status = 0;
	YES("usb.status==-0 && usb.status==ok", &n);
}

/* ------------------------------------------------ control transfers, notes */

Test(filter, control_and_note_fields)
{
	struct txn c = control_txn();
	struct txn n = note_txn();

	YES("kind==control && request==6 && endpoint==0x80", &c);
	YES("direction==in && expected_bytes==18 && moved_bytes==18", &c);
	YES("usb.status==0 && usb.status==ok", &c);
	YES("duration_us==200 && time==0", &c);
	YES("frame==7 && last_frame==8", &c);
	NO("lba>=0", &c);
	NO("lba!=0", &c);
	NO("opcode!=0x28", &c);
	NO("has(opcode) || has(lun) || has(tag) || has(end) || has(transport)", &c);
	YES("has(name)", &c);
	c.u.ctl.completed = false;
	NO("has(usb.status)", &c);
	c.u.ctl.has_setup = false;
	NO("has(request) || has(name) || has(direction) || has(expected_bytes)", &c);
	c = control_txn();
	c.u.ctl.setup[0] = 0x00;             /* OUT, no data stage: SET_CONFIGURATION-like */
	c.u.ctl.setup[6] = c.u.ctl.setup[7] = 0;
	YES("direction==none", &c);
	c.u.ctl.setup[6] = 7;
	YES("direction==out", &c);

	YES("kind==usb && usb.status==stall && endpoint==0x81 && device==4", &n);
	YES("direction==in && frame==300 && last_frame==300 && time==5", &n);
	NO("has(duration_us) || has(moved_bytes) || has(status)", &n);
	YES("!(kind==control) || device==3", &n);
}

/* ----------------------------------------------------------------- errors */

Test(filter, error_messages_name_the_column)
{
	cr_assert_str_eq(bad("frame>1 && lba=="), "column 17: expected a value after '==', found end of expression");
	cr_assert_str_eq(bad("opcode==0x28 && "),
			 "column 17: expected a comparison (FIELD OP VALUE), '(', '!' or has(FIELD), found end of expression");
	cr_assert_str_eq(bad("lba >= && x"), "column 8: expected a value after '>=', found '&&'");
	cr_assert_str_eq(bad("(lba==1"), "column 8: expected ')' to close the '(' at column 1, found end of expression");
	cr_assert_str_eq(bad("lba==1)"),
			 "column 7: expected '&&', '||' or the end of the expression, found ')' (no '(' to close)");
	cr_assert_str_eq(bad("lba==1 & lba==2"), "column 8: '&' alone is not an operator; use '&&'");
	cr_assert_str_eq(bad("lba=1"), "column 4: '=' alone is not an operator; use '=='");
	cr_assert_str_eq(bad("name==\"abc"), "column 7: string never closed (missing '\"')");
	cr_assert_str_eq(bad("name==\"a\\nb\""), "column 9: unknown escape in a string (only \\\" and \\\\ are known)");
	cr_assert_str_eq(bad(""), "column 1: the expression is empty");
	cr_assert_str_eq(bad("   "), "column 1: the expression is empty");
	cr_assert_str_eq(bad("lba==0x"), "column 8: expected hex digits after '0x'");
	cr_assert_str_eq(bad("lba==99999999999999999999"), "column 6: number too large (more than 64 bits)");
	cr_assert_str_eq(bad("lba==12ab"), "column 8: unexpected 'a' in a number");
	cr_assert_str_eq(bad("lba==1.5"), "column 6: lba wants a whole number");
	cr_assert_str_eq(bad("lba==#"), "column 6: unexpected character '#'");
	cr_assert_str_eq(bad("kind==scsii"), "column 7: kind is one of: scsi, control, usb, bt");
	cr_assert_str_eq(bad("end==\"done\""),
			 "column 6: end is one of: status, capture-ended, reset, aborted, device-gone, superseded");
	cr_assert_str_eq(bad("name==5"), "column 7: name is text; put the value in quotes");
	cr_assert_str_eq(bad("opcode==\"28\""), "column 9: opcode is a number, not text");
	cr_assert_str_eq(bad("opcode~2"), "column 7: '~' matches text, and opcode is a number");
	cr_assert_str_eq(bad("name<\"a\""), "column 5: name is text: use ==, !=, ~ (contains) or !~, not '<'");
	cr_assert_str_eq(bad("status<none"), "column 7: status can only be == or != none");
	cr_assert_str_eq(bad("name==lba"), "column 7: cannot compare name with lba (text with a number)");
	cr_assert_str_eq(bad("time>duration_us"),
			 "column 6: cannot compare time with duration_us (a number with text or a time)");
	cr_assert_str_eq(bad("finding==end"), "column 10: finding compares only with text");
	cr_assert_str_eq(bad("lba"),
			 "column 4: expected an operator (== != < <= > >= ~ !~) after lba, found end of expression "
			 "(to test that a field is there, write has(FIELD))");
	cr_assert_str_eq(bad("has(lba"), "column 8: expected ')' after has(lba, found end of expression");
	cr_assert(strstr(bad("status==fine"), "status wants a number, a field or one of: good, check-condition"));
	cr_assert(strstr(bad("usb.status==EWHAT"), "an errno name"));
	cr_assert_str_eq(bad("lba==\x01"), "column 6: unexpected byte 0x01");
}

Test(filter, unknown_field_lists_every_field)
{
	const char *msg = bad("tag==1 || opcod==0x28");
	unsigned n = 0;

	cr_assert(strncmp(msg, "column 11: unknown field 'opcod'; fields are: kind frame", 56) == 0, "%s", msg);
	for (const char *name; (name = filter_field_name(n)); n++) {
		cr_assert(strstr(msg, name), "the list names %s: %s", name, msg);
		cr_assert(filter_field_help(n) && filter_field_help(n)[0]);
	}
	cr_assert_eq(n, 37);
	cr_assert_null(filter_field_help(n));
	cr_assert(strstr(bad("has(sens)"), "unknown field 'sens'"));
}

/* ----------------------------------------------------------------- bounds */

static char *repeat(const char *head, const char *unit, unsigned n, const char *mid, const char *tail_unit)
{
	size_t len = strlen(head) + (strlen(unit) + strlen(tail_unit)) * n + strlen(mid) + 1;
	char *s = malloc(len);

	cr_assert(s);
	strcpy(s, head);
	for (unsigned i = 0; i < n; i++)
		strcat(s, unit);
	strcat(s, mid);
	for (unsigned i = 0; i < n; i++)
		strcat(s, tail_unit);
	return s;
}

Test(filter, nesting_depth_is_bounded)
{
	struct txn t = scsi_txn();
	char *ok = repeat("", "(", FILTER_DEPTH_MAX, "tag==5", ")");
	char *deep = repeat("", "(", FILTER_DEPTH_MAX + 1, "tag==5", ")");
	char *nots = repeat("", "!", FILTER_DEPTH_MAX, "(tag==5)", "");
	char *deep_nots = repeat("", "!", 100000, "tag==5", "");

	YES(ok, &t);
	cr_assert_str_eq(bad(deep), "column 65: nested more than 64 deep");
	cr_assert(strstr(bad(nots), "nested more than 64 deep"));
	/* longer than FILTER_EXPR_MAX: refused before parsing */
	cr_assert_str_eq(bad(deep_nots), "column 4097: the expression is longer than 4096 characters");
	free(ok);
	free(deep);
	free(nots);
	free(deep_nots);
}

Test(filter, long_flat_chains_evaluate_without_deep_recursion)
{
	struct txn t = scsi_txn();
	struct strbuf sb = STRBUF_INIT;
	unsigned n = 0;

	sb_init(&sb);
	for (; sb.len < FILTER_EXPR_MAX - 32; n++)
		sb_addf(&sb, "%stag==%u", n ? "||" : "", 1000 + n);
	NO(sb.buf, &t);
	sb_adds(&sb, "||tag==5");
	YES(sb.buf, &t);
	sb_reset(&sb);
	n = 0;
	for (; sb.len < FILTER_EXPR_MAX - 32; n++)
		sb_addf(&sb, "%s!(tag==%u)", n ? "&&" : "", 1000 + n);
	YES(sb.buf, &t);
	sb_release(&sb);
}

/* Random token soup: compiles or fails with a column, never crashes
 * (run under the sanitizers). */
Test(filter, random_expressions_never_crash)
{
	static const char *const toks[] = {
		"(", ")", "!", "&&", "||", "==", "!=", "<", "<=", ">", ">=", "~", "!~", "lba", "status", "good",
		"none", "name", "\"WR\"", "\"\\\"", "0x28", "-5", "1.5", "has", "has(", "sense", "finding", "x",
		"&", "|", "=", " ", "time", "\x7f", "kind", "usb.status", "EPIPE", "999999999999999999999",
	};
	struct txn ts[3] = { scsi_txn(), control_txn(), note_txn() };
	uint32_t seed = 12345;
	unsigned compiled = 0, failed = 0;

	for (int iter = 0; iter < 20000; iter++) {
		char buf[256] = "";
		int ntok = 1 + (int)(seed % 12);
		struct filter *f;
		struct error err;
		for (int k = 0; k < ntok; k++) {
			seed = seed * 1103515245u + 12345u;
			strcat(buf, toks[(seed >> 8) % (sizeof(toks) / sizeof(toks[0]))]);
		}
		error_clear(&err);
		if (filter_compile(buf, &f, &err) == 0) {
			cr_assert_not_null(f);
			for (int k = 0; k < 3; k++)
				(void)filter_match(f, &ts[k], T0);
			filter_free(f);
			compiled++;
		} else {
			cr_assert_null(f);
			cr_assert(strncmp(err.msg, "column ", 7) == 0, "'%s': %s", buf, err.msg);
			failed++;
		}
	}
	cr_assert_gt(compiled, 10);
	cr_assert_gt(failed, 1000);
}

/* ------------------------------------------------------------ the command */

/* Run `scsiscope decode ARGS` on the BOT sample; exit status, stderr in err. */
static int run_decode(const char *args, char *err, size_t size)
{
	const char *bd = getenv("top_builddir"), *sd = getenv("top_srcdir");
	char cmd[2048], path[] = "/tmp/scsiscope-filter-XXXXXX";
	int fd = mkstemp(path), status;
	FILE *fp;
	size_t n;

	cr_assert(bd && sd, "top_builddir/top_srcdir are not set (run through make check)");
	cr_assert(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s/scsiscope' decode %s '%s/samples/bot-ehci.pcap' >/dev/null 2>%s", bd, args,
		 sd, path);
	status = system(cmd);
	cr_assert(WIFEXITED(status));
	fp = fopen(path, "r");
	cr_assert(fp);
	n = fread(err, 1, size - 1, fp);
	err[n] = '\0';
	fclose(fp);
	unlink(path);
	return WEXITSTATUS(status);
}

Test(filter_cli, bad_expression_is_a_usage_error_naming_the_column)
{
	char err[1024];

	cr_assert_eq(run_decode("--filter 'frame>1 && lba=='", err, sizeof(err)), 2);
	cr_assert(strstr(err, "--filter: column 17: expected a value after '==', found end of expression"), "%s", err);
	cr_assert_eq(run_decode("--filter 'kind==control && request==6'", err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(err, "");
}

/* -------------------------------------------- needs the real SCSI/USB tables */

/* These use scsi_cdb_decode() and usb_request_name(); while decode/pending.c
 * stubs them (names "?" and "request") they are skipped, saying so. */
Test(filter_decoders, cdb_fields)
{
	struct txn t = scsi_txn();
	struct cdb_info ci;

	scsi_cdb_decode(t.u.scsi.cdb, t.u.scsi.cdb_len, &ci);
	if (strcmp(ci.name, "?") == 0)
		cr_skip_test("scsi_cdb_decode() is still the stub of decode/pending.c");

	YES("opcode==0x28 && lba>=2048", &t);
	YES("lba==2048 && blocks==8", &t);
	NO("lba>2048", &t);
	YES("name~\"READ\"", &t);
	YES("name==\"read(10)\"", &t);
	NO("name~\"WRITE\"", &t);
	NO("has(alloc_len) || has(service_action)", &t);
	/* WRITE(16) LBA 0x100000000, 16 blocks (SBC-4 5.44) */
	static const uint8_t w16[16] = { 0x8a, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0 };
	memcpy(t.u.scsi.cdb, w16, 16);
	t.u.scsi.cdb_len = 16;
	YES("name~\"WRITE\" && lba==0x100000000 && blocks==16", &t);
	/* INQUIRY, allocation length 36 (SPC-4 6.6) */
	static const uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	memcpy(t.u.scsi.cdb, inq, 6);
	t.u.scsi.cdb_len = 6;
	YES("name==INQUIRY && alloc_len==36", &t);
	NO("has(lba)", &t);
	/* READ CAPACITY(16): SERVICE ACTION IN(16) 9Eh / 10h (SBC-4 5.20) */
	static const uint8_t rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 };
	memcpy(t.u.scsi.cdb, rc16, 16);
	t.u.scsi.cdb_len = 16;
	YES("opcode==0x9e && service_action==0x10 && name~\"capacity\"", &t);
}

Test(filter_decoders, control_request_names)
{
	struct txn c = control_txn();

	if (strcmp(usb_request_name(c.u.ctl.setup), "request") == 0)
		cr_skip_test("usb_request_name() is still the stub of decode/pending.c");
	YES("name==GET_DESCRIPTOR", &c);
	YES("name~\"descriptor\"", &c);
}
