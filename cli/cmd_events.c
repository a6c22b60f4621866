/* cmd_events.c - `scsiscope events FILE`: every capture record, one line each. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "report/events.h"

void cmd_events_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope events [--json] [--count] [--bytes N] FILE\n"
		"\n"
		"List every record of a capture as the capture layer normalizes it: one\n"
		"line per USB URB submit/completion (frame, time, bus:device:endpoint,\n"
		"direction, transfer type, event, status, length, captured bytes, the\n"
		"first data bytes) or per Bluetooth HCI / PacketLogger record.\n"
		"FILE may be pcap, pcapng, usbmon text, PacketLogger or btsnoop, plain\n"
		"or gzip-compressed; '-' reads standard input.\n"
		"\n"
		"Options:\n"
		"  --json       JSON lines (fields in doc/events-json.md)\n"
		"  --count      read everything, print only the totals\n"
		"  --bytes N    data bytes to show per record (default 32)\n"
		"  -h, --help   this text\n"
		"\n"
		"Exit status: 0 on success, 2 if the file cannot be read or is damaged\n"
		"(everything before the damage is still printed).\n");
}

int cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", no_argument, NULL, 'c' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, count = false, have_t0 = false;
	struct events_opts o = { 0, 32 };
	struct events_totals totals;
	struct strbuf sb = STRBUF_INIT;
	struct error err;
	struct cap *c;
	struct cap_record r;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'c': count = true; break;
		case 'b': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || end == optarg || v > 1u << 24)
				return cli_usage_error("events", "--bytes wants a number, not '%s'", optarg);
			o.max_bytes = (unsigned)v;
			break;
		}
		case 'h': cmd_events_usage(stdout); return EXIT_OK;
		default: return cli_usage_error("events", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("events", "expects exactly one FILE");

	if (cap_open(argv[optind], &c, &err) < 0) {
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	memset(&totals, 0, sizeof(totals));
	sb_init(&sb);
	while ((rc = cap_next(c, &r, &err)) > 0) {
		if (count) {
			events_count(&totals, &r);
			continue;
		}
		if (!have_t0) {
			o.t0_ns = r.kind == CAP_REC_USB ? r.u.usb.ts_ns : r.u.hci.ts_ns;
			have_t0 = true;
		}
		if (json)
			events_render_json(&sb, &r, &o);
		else
			events_render_text(&sb, &r, &o);
		if (sb.len >= 1 << 16) {
			fwrite(sb.buf, 1, sb.len, stdout);
			sb_reset(&sb);
		}
	}
	if (count)
		events_render_totals(&sb, &totals, cap_frames_seen(c), cap_frames_skipped(c), cap_get_info(c),
				     argv[optind], json);
	fwrite(sb.buf, 1, sb.len, stdout);
	fflush(stdout);
	sb_release(&sb);
	cap_close(c);
	if (rc < 0) {
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	return EXIT_OK;
}
