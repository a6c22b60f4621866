/* test_replay_script.c - the replay script format: parsing every field, writing and reading back, errors as SEQ:line:column, hostile input, sidecar data; and `scsiscope extract` on the samples. */
#include <inttypes.h>
#include <sys/stat.h>

#include "cli_harness.h"
#include "decode/decode.h"
#include "replay/script.h"
#include "util/hash.h"

static int parse(const char *text, struct rs_script *s, char *err)
{
	return rs_parse(text, strlen(text), "t.seq", s, err, 512);
}

static void parse_ok(const char *text, struct rs_script *s)
{
	char err[512];

	cr_assert_eq(parse(text, s, err), 0, "%s", err);
}

/* The error for text must be exactly want. */
static void parse_err(const char *text, const char *want)
{
	struct rs_script s;
	char err[512];

	cr_assert_eq(parse(text, &s, err), -1, "accepted: %s", text);
	cr_assert_str_eq(err, want, "for %s: got %s", text, err);
	cr_assert_eq(s.nsteps, 0);
	rs_free(&s);
}

#define HDR "scsiscope-replay 1\n"

Test(script, every_field)
{
	struct rs_script s;
	const struct rs_step *st;

	parse_ok("# a comment\n" HDR "device 46f4:0001 serial=\"SS\\\"B\" vendor=\"QEMU\" product=\"QEMU HARDDISK\"\n"
		 "transport uas\nlun 3\nblock-size 4096\ntimeout 2.5s\n\n"
		 "cmd 12 00 00 00 24 00 in=36 expect status=good data=36 hash=572c916db324fd6c # trailing\n"
		 "cmd 2a 00 00 00 10 00 00 00 01 00 out=4 data=deadBEEF lun=0x10 timeout=40ms gap=1.5ms expect status=0x02 sense=05/20/00\n"
		 "cmd 00 00 00 00 00 00 gap=12us expect status=none\n"
		 "cmd 3b 02 00 00 00 00 00 02 00 00 out=512 data=@00112233445566ff\n"
		 "raw out 55 53 42 43 expect stall\n"
		 "raw in 13 timeout=1s expect ok data=13 hash=0000000000000001\n",
		 &s);
	cr_assert(s.has_device);
	cr_assert_eq(s.vid, 0x46f4);
	cr_assert_eq(s.pid, 1);
	cr_assert_str_eq(s.serial, "SS\"B");
	cr_assert_str_eq(s.product, "QEMU HARDDISK");
	cr_assert_eq(s.transport, RS_TRANSPORT_UAS);
	cr_assert_eq(s.lun, 3);
	cr_assert_eq(s.block_size, 4096);
	cr_assert_eq(s.timeout_us, 2500000);
	cr_assert_eq(s.nsteps, 6);
	st = &s.steps[0];
	cr_assert_eq(st->line, 9);
	cr_assert_eq(st->cdb_len, 6);
	cr_assert_eq(st->cdb[4], 0x24);
	cr_assert_eq(st->dir, SCSI_DIR_IN);
	cr_assert_eq(st->xfer_len, 36);
	cr_assert_eq(st->exp_status, 0);
	cr_assert(st->exp_len && st->exp_len_value == 36);
	cr_assert(st->exp_hash && st->exp_hash_value == 0x572c916db324fd6cULL);
	cr_assert_eq(st->gap_us, -1);
	st = &s.steps[1];
	cr_assert_eq(st->dir, SCSI_DIR_OUT);
	cr_assert_eq(st->data_len, 4);
	cr_assert_eq(st->data[0], 0xde);
	cr_assert_eq(st->data[3], 0xef);
	cr_assert(st->has_lun && st->lun == 16);
	cr_assert_eq(st->timeout_us, 40000);
	cr_assert_eq(st->gap_us, 1500);
	cr_assert_eq(st->exp_status, 2);
	cr_assert(st->exp_sense && st->exp_key == 5 && st->exp_asc == 0x20 && st->exp_ascq == 0);
	cr_assert_eq(s.steps[2].exp_status, RS_STATUS_NONE);
	cr_assert_eq(s.steps[2].gap_us, 12);
	cr_assert(s.steps[3].data_sidecar);
	cr_assert_eq(s.steps[3].data_hash, 0x00112233445566ffULL);
	cr_assert_eq(s.steps[4].kind, RS_RAW_OUT);
	cr_assert_eq(s.steps[4].data_len, 4);
	cr_assert_eq(s.steps[4].exp_status, RS_STATUS_STALL);
	cr_assert_eq(s.steps[5].kind, RS_RAW_IN);
	cr_assert_eq(s.steps[5].xfer_len, 13);
	cr_assert_eq(s.steps[5].exp_status, RS_STATUS_OK);
	rs_free(&s);
}

Test(script, written_text_reads_back_the_same)
{
	struct rs_script a, b;
	struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;

	parse_ok(HDR "device 0bda:9210 serial=\"x\\\\y\"\ntransport bot\nlun 1\nblock-size 512\ntimeout 750ms\n"
		 "cmd 28 00 00 00 00 00 00 00 08 00 in=4096 gap=3.250ms expect status=good data=4096 hash=e83939451afec559\n"
		 "cmd 2a 08 00 00 00 10 00 00 01 00 out=2 data=0102 expect status=check-condition sense=03/11/00\n"
		 "cmd 35 00 00 00 00 00 00 00 00 00 timeout=1us expect status=0x99\n"
		 "raw in 1 expect stall\n",
		 &a);
	sb_init(&sb);
	sb_init(&sb2);
	rs_write(&sb, &a, "# preamble\n", NULL, NULL);
	parse_ok(sb.buf, &b);
	rs_write(&sb2, &b, "# preamble\n", NULL, NULL);
	cr_assert_str_eq(sb.buf, sb2.buf);
	cr_assert_eq(b.nsteps, 4);
	cr_assert_str_eq(b.serial, "x\\y");
	cr_assert_eq(b.steps[0].gap_us, 3250);
	cr_assert_eq(b.steps[2].timeout_us, 1);
	cr_assert_eq(b.steps[2].exp_status, 0x99);
	cr_assert(strstr(sb.buf, "status=0x99"));
	cr_assert(strstr(sb.buf, "cmd 2a 08 00 00 00 10 00 00 01 00 out=2 data=0102 expect status=check-condition sense=03/11/00\n"));
	rs_free(&a);
	rs_free(&b);
	sb_release(&sb);
	sb_release(&sb2);
}

Test(script, errors_name_line_and_column)
{
	parse_err("", "t.seq:1:1: empty script: expected the header 'scsiscope-replay 1'");
	parse_err("cmd 00 00 00 00 00 00\n", "t.seq:1:1: expected the header 'scsiscope-replay 1' first");
	parse_err("scsiscope-replay 2\n", "t.seq:1:18: script version 2: this scsiscope reads version 1");
	parse_err(HDR "cmd 12 00 00 00 24 00 in=3x6\n", "t.seq:2:27: in: 'x' is not a decimal digit");
	parse_err(HDR "\ncmd 12 00 00 00 24\n", "t.seq:3:5: a CDB has at least 6 bytes, not 5");
	parse_err(HDR "cmd 12 00 00 00 24 00 in=36 expect status=fine\n",
		  "t.seq:2:43: unknown status (good, check-condition, condition-met, busy, reservation-conflict, "
		  "task-set-full, aca-active, task-aborted, none or 0xNN)");
	parse_err(HDR "cmd 00 00 00 00 00 00 expect sense=5/20/00\n",
		  "t.seq:2:36: sense is KEY/ASC/ASCQ in hex, e.g. 05/20/00");
	parse_err(HDR "cmd 00 00 00 00 00 00 frobnicate=1\n",
		  "t.seq:2:23: unknown field 'frobnicate=1' (in=, out=, data=, lun=, timeout=, gap=, expect)");
	parse_err(HDR "cmd 2a 00 00 00 00 00 00 00 01 00 out=512\n",
		  "t.seq:2:1: out=512 without data= (the bytes to send)");
	parse_err(HDR "cmd 2a 00 00 00 00 00 00 00 01 00 out=3 data=0102\n", "t.seq:2:1: out=3 but data= has 2 bytes");
	parse_err(HDR "cmd 12 00 00 00 24 00 in=36 expect data=37\n", "t.seq:2:1: expect data=37 is more than in=36");
	parse_err(HDR "cmd 12 00 00 00 24 00 in=36 expect hash=572c916db324fd6c\n",
		  "t.seq:2:36: hash= needs data= (the length it covers)");
	parse_err(HDR "cmd 12 00 00 00 24 00 in=36 expect data=36 hash=572c916db324fd6\n",
		  "t.seq:2:49: a hash is 16 hex digits, not 15 characters");
	parse_err(HDR "cmd 00 00 00 00 00 00 timeout=2h\n", "t.seq:2:32: a duration ends in us, ms or s");
	parse_err(HDR "cmd 00 00 00 00 00 00 timeout=3601s\n", "t.seq:2:31: duration longer than an hour");
	parse_err(HDR "device 46f4:0001 serial=\"abc\n", "t.seq:2:25: string not closed with '\"'");
	parse_err(HDR "device 46f4:0001 serial=abc\n", "t.seq:2:25: the value is a string in double quotes");
	parse_err(HDR "device 46f4:001\n", "t.seq:2:8: 'device' wants VID:PID as four hex digits each, e.g. 46f4:0001");
	parse_err(HDR "transport usb\n", "t.seq:2:11: unknown transport 'usb' (bot or uas)");
	parse_err(HDR "cmd 00 00 00 00 00 00\nlun 1\n", "t.seq:3:1: 'lun' after the first step: the header comes first");
	parse_err(HDR "launch\n",
		  "t.seq:2:1: unknown keyword 'launch' (cmd, raw, device, transport, lun, block-size, timeout)");
	parse_err(HDR "raw sideways\n", "t.seq:2:5: 'raw' is followed by 'out' (bytes) or 'in' (a length)");
	parse_err(HDR "raw out 55 expect status=good\n", "t.seq:2:26: a raw step expects status=stall or status=ok");
	parse_err(HDR "cmd 00 00 00 00 00 00 expect status=good status=good\n", "t.seq:2:42: status given twice");
	parse_err(HDR "cmd 00 00 00 00 00 00\tin=1\x01\n", "t.seq:2:27: control character 0x01");
	parse_err(HDR "lun 18446744073709551616\n", "t.seq:2:5: lun: larger than 18446744073709551615");
}

Test(script, hostile_input_is_bounded)
{
	struct rs_script s;
	char err[512];
	struct strbuf sb = STRBUF_INIT;

	/* a line over the limit */
	sb_init(&sb);
	sb_adds(&sb, HDR "cmd 00 00 00 00 00 00");
	for (int i = 0; i < RS_LINE_MAX; i++)
		sb_addc(&sb, ' ');
	sb_adds(&sb, "\n");
	cr_assert_eq(rs_parse(sb.buf, sb.len, "t.seq", &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "t.seq:2:16385: line longer than 16384 characters"), "%s", err);
	/* a NUL byte */
	cr_assert_eq(rs_parse(HDR "cmd 00\0", sizeof(HDR "cmd 00\0") - 1, "t.seq", &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.seq:2:7: NUL byte: not a text file");
	/* a CDB of 33 bytes, an inline payload over the limit, a raw step over the limit */
	sb_reset(&sb);
	sb_adds(&sb, HDR "cmd");
	for (int i = 0; i < 33; i++)
		sb_adds(&sb, " 00");
	sb_addc(&sb, '\n');
	cr_assert_eq(rs_parse(sb.buf, sb.len, "t.seq", &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.seq:2:101: a CDB has at most 32 bytes");
	sb_reset(&sb);
	sb_adds(&sb, HDR "cmd 2a 00 00 00 00 00 00 00 01 00 out=1025 data=");
	for (int i = 0; i < 1025; i++)
		sb_adds(&sb, "ab");
	sb_addc(&sb, '\n');
	cr_assert_eq(rs_parse(sb.buf, sb.len, "t.seq", &s, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "t.seq:2:49: more than 1024 bytes inline (use a sidecar: data=@HASH)");
	/* lengths over RS_DATA_MAX */
	cr_assert_eq(parse(HDR "cmd 28 00 00 00 00 00 00 00 01 00 in=16777217\n", &s, err), -1);
	cr_assert_str_eq(err, "t.seq:2:38: in: larger than 16777216");
	/* an error message never overflows a small buffer */
	cr_assert_eq(rs_parse(HDR "bad\n", 23, "a-long-script-name.seq", &s, err, 8), -1);
	cr_assert_eq(strlen(err), 7);
	sb_release(&sb);
	rs_free(&s);
}

Test(script, sidecar_is_read_and_checked)
{
	char dir[] = "/tmp/scsiscope-seq-XXXXXX", seq[128], path[4200];
	uint8_t bytes[600], *got;
	uint32_t n;
	struct rs_script s;
	char text[256], err[512];
	uint64_t h;
	FILE *f;

	cr_assert(mkdtemp(dir));
	for (unsigned i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 7);
	h = XXH3_64bits(bytes, sizeof(bytes));
	snprintf(seq, sizeof(seq), "%s/a.seq", dir);
	snprintf(path, sizeof(path), "%s.data", seq);
	cr_assert_eq(mkdir(path, 0777), 0);
	rs_sidecar_path(seq, h, path, sizeof(path));
	cr_assert(f = fopen(path, "wb"));
	cr_assert_eq(fwrite(bytes, 1, sizeof(bytes), f), sizeof(bytes));
	fclose(f);
	snprintf(text, sizeof(text), HDR "cmd 2a 00 00 00 00 00 00 00 01 00 out=600 data=@%016" PRIx64 "\n", h);
	parse_ok(text, &s);
	cr_assert_eq(rs_load_data(&s.steps[0], seq, &got, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 600);
	cr_assert_arr_eq(got, bytes, 600);
	free(got);
	/* changed bytes: the name no longer matches */
	bytes[5] ^= 1;
	cr_assert(f = fopen(path, "wb"));
	cr_assert_eq(fwrite(bytes, 1, sizeof(bytes), f), sizeof(bytes));
	fclose(f);
	cr_assert_eq(rs_load_data(&s.steps[0], seq, &got, &n, err, sizeof(err)), -1);
	cr_assert(strstr(err, "does not hash to its name"), "%s", err);
	/* too short */
	cr_assert(truncate(path, 10) == 0);
	cr_assert_eq(rs_load_data(&s.steps[0], seq, &got, &n, err, sizeof(err)), -1);
	cr_assert(strstr(err, "fewer bytes than out=600"), "%s", err);
	unlink(path);
	cr_assert_eq(rs_load_data(&s.steps[0], seq, &got, &n, err, sizeof(err)), -1);
	cr_assert(strstr(err, "a.seq:2: data file"), "%s", err);
	rs_free(&s);
	snprintf(path, sizeof(path), "%s.data", seq);
	rmdir(path);
	rmdir(dir);
}

/* ----------------------------------------------------------- extract */

static char *tmpdir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/scsiscope-extract-XXXXXX");
	cr_assert(mkdtemp(dir));
	return dir;
}

Test(extract, bot_sample)
{
	char *dir = tmpdir(), args[1024], seq[128], err[512];
	char *text, *sample = src_path("samples/bot-ehci.pcap");
	struct cli_run r;
	struct rs_script s;
	const struct rs_step *w = NULL, *rd = NULL, *vendor = NULL;
	uint8_t *data;
	uint32_t n;

	snprintf(seq, sizeof(seq), "%s/bot.seq", dir);
	snprintf(args, sizeof(args), "extract '%s' -o '%s'", sample, seq);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "4 REQUEST SENSE for autosense"), "%s", r.err);
	text = slurp_text(seq);
	cr_assert(strstr(text, "device 46f4:0001 serial=\"SSBOT0001\" vendor=\"QEMU\" product=\"QEMU HARDDISK\"\n"));
	cr_assert(strstr(text, "\ntransport bot\nlun 0\nblock-size 512\n"));
	cr_assert(strstr(text, "# frames 74-79 (1:003 tag 1, 2.144142 s): INQUIRY alloc=36 -> GOOD\n"
			       "cmd 12 00 00 00 24 00 in=36 expect status=good data=36 hash="));
	cr_assert_null(strstr(text, "cmd 03 "), "an autosense REQUEST SENSE was extracted");
	cr_assert_eq(rs_parse_file(seq, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.nsteps, 37);
	for (size_t i = 0; i < s.nsteps; i++) {
		if (s.steps[i].cdb[0] == 0x2a)
			w = &s.steps[i];
		if (s.steps[i].cdb[0] == 0x28 && s.steps[i].cdb[4] == 0x10 && s.steps[i].cdb[5] == 0)
			rd = &s.steps[i];
		if (s.steps[i].cdb[0] == 0xc0)
			vendor = &s.steps[i];
	}
	/* the workload's 4 KiB write at LBA 4096 and its read back */
	cr_assert(w && rd && vendor);
	cr_assert(w->data_sidecar);
	cr_assert_eq(rs_load_data(w, seq, &data, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 4096);
	cr_assert(!memcmp(data, "scsiscope sample pattern @LBA 4096", 34));
	cr_assert(rd->exp_hash && rd->exp_hash_value == XXH3_64bits(data, n), "the read back is not the write");
	free(data);
	cr_assert_eq(vendor->exp_status, 2);
	cr_assert(vendor->exp_sense && vendor->exp_key == 5 && vendor->exp_asc == 0x20 && vendor->exp_ascq == 0);
	rs_free(&s);
	cli_run_free(&r);
	free(text);
	free(sample);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	cr_assert_eq(system(args), 0);
}

Test(extract, uas_sample_with_frames_and_filter)
{
	char *dir = tmpdir(), args[1024], seq[128], err[512];
	char *sample = src_path("samples/uas-xhci.pcap");
	struct cli_run r;
	struct rs_script s;

	snprintf(seq, sizeof(seq), "%s/uas.seq", dir);
	snprintf(args, sizeof(args), "extract '%s' --filter 'opcode==0x28' -o '%s'", sample, seq);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cli_run_free(&r);
	cr_assert_eq(rs_parse_file(seq, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.transport, RS_TRANSPORT_UAS);
	cr_assert_gt(s.nsteps, 0);
	for (size_t i = 0; i < s.nsteps; i++) {
		cr_assert_eq(s.steps[i].cdb[0], 0x28);
		cr_assert_eq(s.steps[i].cdb_len, 10, "UAS's 16-byte CDB field is cut to the opcode's length");
		cr_assert(s.steps[i].exp_hash);
	}
	rs_free(&s);
	/* nothing chosen: exit 1, no script */
	unlink(seq);
	snprintf(args, sizeof(args), "extract '%s' --frames 1-2 -o '%s'", sample, seq);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(access(seq, F_OK) != 0);
	cli_run_free(&r);
	/* usage errors */
	r = run_scsiscope("extract x.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "-o SEQ is missing"));
	cli_run_free(&r);
	free(sample);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	cr_assert_eq(system(args), 0);
}

/* A capture cut in the middle of a record: the commands before the damage
 * are extracted, the error names the file and frame, exit 2. */
Test(extract, damaged_capture_keeps_what_came_before)
{
	char *dir = tmpdir(), args[1024], seq[128], cut[128], err[512];
	size_t len;
	char *sample = src_path("samples/bot-ehci.pcap");
	uint8_t *pcap = slurp(sample, &len);
	struct cli_run r;
	struct rs_script s;
	char *text;
	FILE *f;

	cr_assert(pcap);
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	snprintf(seq, sizeof(seq), "%s/cut.seq", dir);
	cr_assert(f = fopen(cut, "wb"));
	cr_assert_eq(fwrite(pcap, 1, len * 2 / 3, f), len * 2 / 3);
	fclose(f);
	snprintf(args, sizeof(args), "extract '%s' -o '%s'", cut, seq);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "cut.pcap: frame "), "%s", r.err);
	text = slurp_text(seq);
	cr_assert(strstr(text, "# the capture is damaged; commands up to the damage: "), "%s", text);
	cr_assert_eq(rs_parse_file(seq, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(s.nsteps, 5);
	cr_assert_lt(s.nsteps, 37);
	rs_free(&s);
	free(text);
	free(pcap);
	free(sample);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	cr_assert_eq(system(args), 0);
}

/* A rig capture whose data-out payloads are longer than the 4 KiB the
 * decoder keeps: they are read again from the capture, checked against
 * the decoded hash, and their sidecars load and verify; the 512 KiB write
 * the snap length cut is left out with a comment. */
Test(extract, payloads_read_again_from_the_capture)
{
	char *cap = shared_capture("rig/bot-xhci.pcap");
	char *dir, args[1024], seq[128], err[512];
	struct cli_run r;
	struct rs_script s;
	char *text;
	unsigned big = 0;

	if (!cap) {
		cr_skip_test("../shared/captures/rig/bot-xhci.pcap is not here");
		return;
	}
	dir = tmpdir();
	snprintf(seq, sizeof(seq), "%s/x.seq", dir);
	snprintf(args, sizeof(args), "extract '%s' -o '%s'", cap, seq);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "5 read again from the capture"), "%s", r.err);
	cr_assert(strstr(r.err, "1 with data-out the capture lacks left out"), "%s", r.err);
	text = slurp_text(seq);
	cr_assert(strstr(text, "# left out: the capture did not keep all its data-out bytes (245760 of 524288 bytes)"),
		  "%s", text);
	cr_assert_eq(rs_parse_file(seq, &s, err, sizeof(err)), 0, "%s", err);
	for (size_t i = 0; i < s.nsteps; i++) {
		uint8_t *b;
		uint32_t n;
		if (!s.steps[i].data_sidecar)
			continue;
		cr_assert_eq(rs_load_data(&s.steps[i], seq, &b, &n, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(n, s.steps[i].xfer_len);
		if (n > PAYLOAD_HEAD_MAX)
			big++;
		free(b);
	}
	cr_assert_eq(big, 5);
	rs_free(&s);
	free(text);
	free(cap);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	cr_assert_eq(system(args), 0);
}
