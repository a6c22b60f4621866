/* test_cli.c - the scsiscope binary: help, version, usage errors, exit codes, output before damage. */
#include "cli_harness.h"

static void make_pcap(struct strbuf *sb, int n)
{
	struct strbuf pkt = STRBUF_INIT;
	static const uint8_t cbw[31] = { 0x55, 0x53, 0x42, 0x43, 7, 0, 0, 0 };

	sb_init(sb);
	pcapw_header(sb, LINKTYPE_USB_LINUX_MMAPPED, 65535, false, false);
	for (int i = 0; i < n; i++) {
		struct usb_event e = mk_usb('S', USB_XFER_BULK, 2, 3, 0x02, 0x100 + (uint64_t)i, -115, 31, cbw, 31,
					    2000000000LL + 1000LL * i);
		uint32_t len;
		sb_init(&pkt);
		len = usbw_usbmon(&pkt, &e, true, false);
		pcapw_record(sb, e.ts_ns, pkt.buf, (uint32_t)pkt.len, len, false, false);
		sb_release(&pkt);
	}
}

Test(cli, version_and_help)
{
	struct cli_run r = run_scsiscope("--version");

	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "scsiscope ", 10) == 0, "%s", r.out);
	cli_run_free(&r);
	r = run_scsiscope("help");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "events"), "help lists the commands: %s", r.out);
	cli_run_free(&r);
	r = run_scsiscope("events --help");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "Usage: scsiscope events"), "%s", r.out);
	cli_run_free(&r);
	r = run_scsiscope("help events");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--count"), "%s", r.out);
	cli_run_free(&r);
}

Test(cli, usage_errors_exit_2)
{
	struct cli_run r = run_scsiscope("");

	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	r = run_scsiscope("frobnicate");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "'frobnicate' is not a command"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("events");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "expects exactly one FILE"), "%s", r.err);
	cli_run_free(&r);
	r = run_scsiscope("events --bytes x y");
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	r = run_scsiscope("events /nonexistent/file.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "scsiscope: /nonexistent/file.pcap: cannot open"), "%s", r.err);
	cli_run_free(&r);
}

Test(cli, events_text_json_count)
{
	struct strbuf sb;
	char path[64], args[256];
	struct cli_run r;

	make_pcap(&sb, 5);
	write_temp(sb.buf, sb.len, path);
	snprintf(args, sizeof(args), "events %s", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "      1 0.000000000 2:003:02 out bulk      submit   EINPROGRESS(-115) len=31 cap=31 = 55534243 07000000"),
		  "%s", r.out);
	cr_assert(strstr(r.out, "      5 0.000004000 "), "%s", r.out);
	cli_run_free(&r);

	snprintf(args, sizeof(args), "events --json --bytes 4 %s", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "{\"frame\":1,\"ts_ns\":2000000000,\"record\":\"usb\",\"source\":\"usbmon-mmapped\",\"bus\":2,"
			 "\"device\":3,\"endpoint\":2,\"direction\":\"out\",\"transfer\":\"bulk\",\"event\":\"submit\","
			 "\"urb_id\":\"0x0000000000000100\",\"status\":-115,\"status_name\":\"EINPROGRESS\""), "%s", r.out);
	cr_assert(strstr(r.out, "\"data\":\"55534243\"}\n"), "%s", r.out);
	cli_run_free(&r);

	snprintf(args, sizeof(args), "events --count %s", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "frames      5\n"), "%s", r.out);
	cr_assert(strstr(r.out, "usb events  5 (submit 5, complete 0, error 0), 155 payload bytes"), "%s", r.out);
	cli_run_free(&r);
	unlink(path);
	sb_release(&sb);
}

Test(cli, damaged_file_prints_what_came_before_then_exits_2)
{
	struct strbuf sb;
	char path[64], args[256], want[256];
	struct cli_run r;

	make_pcap(&sb, 5);
	sb.len -= 20;
	write_temp(sb.buf, sb.len, path);
	snprintf(args, sizeof(args), "events %s", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.out, "      4 "), "frames before the damage are printed: %s", r.out);
	cr_assert_null(strstr(r.out, "      5 "));
	snprintf(want, sizeof(want), "scsiscope: %s: frame 5 (offset %d): damaged record", path, 24 + 4 * (16 + 95));
	cr_assert(strstr(r.err, want), "want '%s' in: %s", want, r.err);
	cli_run_free(&r);

	snprintf(args, sizeof(args), "events --count %s", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.out, "frames      4\n"), "%s", r.out);
	cli_run_free(&r);
	unlink(path);
	sb_release(&sb);
}

Test(cli, standard_input)
{
	struct strbuf sb;
	char path[64], args[256];
	struct cli_run r;

	make_pcap(&sb, 3);
	write_temp(sb.buf, sb.len, path);
	snprintf(args, sizeof(args), "events --count - <%s", path);
	r = run_scsiscope(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "frames      3\n"), "%s", r.out);
	cli_run_free(&r);
	unlink(path);
	sb_release(&sb);
}
