/* test_cut.c - scsiscope cut: the chosen transactions and what decodes them, as a pcapng that scsiscope and tshark read. */
#include "cli_harness.h"

/* A temporary output name (the file does not exist yet). */
static void out_name(char path[64])
{
	write_temp("", 0, path);
	unlink(path);
	strcat(path, ".pcapng");
}

static struct cli_run run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct cli_run run(const char *fmt, ...)
{
	char args[3000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return run_scsiscope(args);
}

/* Lines of text containing what. */
static unsigned lines_with(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *e = strchr(p, '\n');
		const char *f = strstr(p, what);
		if (f && (!e || f < e))
			n++;
	}
	return n;
}

/* The capture's failing commands: the cut decodes to them (and BOT's
 * REQUEST SENSE with their sense), diff --filter finds it equal to the
 * original, tshark reads every packet. */
static void cut_failing(const char *capture, unsigned failing, unsigned request_sense)
{
	char out[64];
	struct cli_run r;
	unsigned capacity;
	const char *p;

	out_name(out);
	r = run("cut '%s' --filter 'status!=good' -o %s", capture, out);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.err, "transactions chosen"), "%s", r.err);
	/* "... N READ CAPACITY for the block size" */
	p = strstr(r.err, " READ CAPACITY");
	cr_assert(p, "%s", r.err);
	while (p > r.err && p[-1] >= '0' && p[-1] <= '9')
		p--;
	capacity = (unsigned)strtoul(p, NULL, 10);
	cr_assert_leq(capacity, 1);
	cli_run_free(&r);

	r = run("decode --scsi-only %s", out);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(lines_with(r.out, "CHECK CONDITION"), failing, "%s", r.out);
	cr_assert_eq(lines_with(r.out, "READ CAPACITY"), capacity, "%s", r.out);
	cr_assert_eq(lines_with(r.out, " L0 "), failing + request_sense + capacity, "only those:\n%s", r.out);
	cr_assert_eq(lines_with(r.out, "REQUEST SENSE"), request_sense, "%s", r.out);
	cr_assert_null(strstr(r.out, "usb-roles-inferred"), "the enumeration is in the cut:\n%s", r.out);
	cli_run_free(&r);

	r = run("diff --filter 'status!=good' '%s' %s", capture, out);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cli_run_free(&r);
	r = run("diff --filter 'status!=good' --compare tag --data '%s' %s", capture, out);
	cr_assert_eq(r.status, 0, "the same tags and payloads: %s%s", r.out, r.err);
	cli_run_free(&r);

	if (on_path("tshark")) {
		char cmd[512];
		struct cli_run ev;
		char *t;
		size_t len;
		snprintf(cmd, sizeof(cmd), "tshark -r %s > %s.tshark 2>&1", out, out);
		cr_assert_eq(system(cmd), 0, "tshark cannot read the cut");
		snprintf(cmd, sizeof(cmd), "%s.tshark", out);
		t = (char *)slurp(cmd, &len);
		cr_assert(t);
		ev = run("events --count %s", out);
		/* tshark prints one line per packet, as many as events counts */
		{
			unsigned lines = 0;
			for (size_t i = 0; i < len; i++)
				lines += t[i] == '\n';
			cr_assert(strstr(ev.out, "frames"), "%s", ev.out);
			{
				const char *f = strstr(ev.out, "frames");
				unsigned long n = strtoul(f + strlen("frames"), NULL, 10);
				cr_assert_eq(lines - lines_with(t, "Running as user"), n, "tshark:\n%s\nevents:\n%s", t,
					     ev.out);
			}
		}
		cr_assert_null(strstr(t, "Malformed"), "%s", t);
		cli_run_free(&ev);
		free(t);
		unlink(cmd);
		/* each packet says where it came from */
		snprintf(cmd, sizeof(cmd), "tshark -r %s -T fields -e frame.comment > %s.c 2>/dev/null", out, out);
		cr_assert_eq(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s.c", out);
		t = (char *)slurp(cmd, &len);
		cr_assert(t && strstr(t, "frame ") && strstr(t, " of "), "%s", t);
		free(t);
		unlink(cmd);
	}
	unlink(out);
}

Test(cut, failing_commands_of_a_bot_sample)
{
	char *p = src_path("samples/bot-ehci.pcap");

	/* 06/29/00, 05/20/00, 05/24/00, 02/3A/00, each with usb-storage's REQUEST SENSE */
	cut_failing(p, 4, 4);
	free(p);
}

Test(cut, failing_commands_of_a_uas_sample)
{
	char *p = src_path("samples/uas-xhci.pcap");

	/* REPORT SUPPORTED OPERATION CODES, C0h, INQUIRY ABh, TEST UNIT READY: sense in Sense IUs */
	cut_failing(p, 4, 0);
	free(p);
}

Test(cut, failing_commands_of_a_shared_rig_capture)
{
	char *p = shared_capture("rig/bot-xhci.pcap");
	struct cli_run r;
	unsigned n;

	if (!p)
		cr_skip_test("../shared/captures/rig/bot-xhci.pcap is absent");
	r = run("decode --scsi-only --filter 'status!=good' '%s'", p);
	n = lines_with(r.out, " L0 ");
	cr_assert_gt(n, 0);
	cli_run_free(&r);
	cut_failing(p, n, n);
	free(p);
}

Test(cut, frames_and_context)
{
	char *p = src_path("samples/uas-xhci.pcap"), out[64];
	struct cli_run r;

	out_name(out);
	r = run("cut '%s' --frames 340-360 --context 1 -o %s", p, out);
	cr_assert_eq(r.status, 0, "%s", r.err);
	/* PREVENT 343, WRITE(10) 348, TEST UNIT READY 353, PREVENT 357; context 339 and 361;
	 * the READ CAPACITY at 330 gives the WRITE's block size */
	cr_assert(strstr(r.err, "4 transactions chosen, 2 of context, 0 REQUEST SENSE with their sense"), "%s", r.err);
	cr_assert(strstr(r.err, "1 READ CAPACITY"), "%s", r.err);
	cli_run_free(&r);
	r = run("decode --scsi-only %s", out);
	cr_assert_eq(lines_with(r.out, " L0 "), 7, "%s", r.out);
	cr_assert_eq(lines_with(r.out, "READ CAPACITY(10)"), 1, "%s", r.out);
	cr_assert_eq(lines_with(r.out, "WRITE(10) lba=4096 blocks=8                     out  4096/4096"), 1, "%s", r.out);
	cli_run_free(&r);
	unlink(out);
	free(p);
}

Test(cut, everything_is_the_same_capture)
{
	char *p = src_path("samples/uas-ehci.pcap"), out[64];
	struct cli_run r;

	out_name(out);
	r = run("cut '%s' --frames 1- -o %s", p, out);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cli_run_free(&r);
	/* every transaction, every field but the frame numbers (tags, addresses, hub traffic, payloads) */
	r = run("diff --compare tag,address,hub --data '%s' %s", p, out);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cli_run_free(&r);
	unlink(out);
	free(p);
}

Test(cut, errors)
{
	char *p = src_path("samples/bot-ehci.pcap"), out[64], bad[64];
	struct cli_run r;
	size_t len;
	uint8_t *buf;

	out_name(out);
	r = run("cut '%s' --filter 'status!=good' --frames 1-9 -o %s", p, out);
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	r = run("cut '%s' --filter 'status!=good'", p);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "-o"), "%s", r.err);
	cli_run_free(&r);
	r = run("cut '%s' --filter 'opcode==0x99' -o %s", p, out);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "no transaction"), "%s", r.err);
	cr_assert_neq(access(out, F_OK), 0, "nothing written");
	cli_run_free(&r);
	/* damaged: exit 2, the error names the file, nothing written */
	buf = slurp(p, &len);
	cr_assert(buf);
	write_temp(buf, len - 100, bad);
	r = run("cut %s --filter 'status!=good' -o %s", bad, out);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, bad) && strstr(r.err, "frame"), "%s", r.err);
	cr_assert_neq(access(out, F_OK), 0, "nothing written");
	cli_run_free(&r);
	unlink(bad);
	free(buf);
	free(p);
}
