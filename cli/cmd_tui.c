/* cmd_tui.c - `scsiscope tui FILE`: browse a capture's transactions in the terminal. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/filter.h"
#include "cli/live.h"
#include "tui/live.h"
#include "tui/tui.h"

void cmd_tui_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope tui [OPTIONS] FILE\n"
		"       scsiscope tui [OPTIONS] -i usbmonN [-w OUT.pcapng]\n"
		"\n"
		"Browse a capture in the terminal: the transaction list (SCSI commands,\n"
		"control requests, USB events), the layers of the selected one as a tree,\n"
		"its bytes in hex, and every finding of lint's checks.  The list appears at\n"
		"once and grows while the file is indexed; payload bytes are read again\n"
		"from the file when a transaction is opened.  Press ? for the keys.\n"
		"\n"
		"With -i the bus is captured live (as `scsiscope capture` does) into OUT\n"
		"or a temporary file removed on exit, and the list grows as commands\n"
		"complete, following the newest until you move away from it (End follows\n"
		"again); s stops the capture, q quits.  The status line counts packets,\n"
		"commands and dropped events.\n"
		"\n"
		"Options:\n"
		"  -i, --interface usbmonN  capture this bus live (usbmon0: every bus); file:PATH\n"
		"                       follows a usbmon pcap/pcapng another program is\n"
		"                       writing, like tail -f\n"
		"  -w, --write FILE     with -i: keep the capture in FILE (pcapng)\n"
		"      --snaplen N      with -i: bytes kept of each event (default %u)\n"
		"      --buffer MB      with -i: usbmon's kernel buffer (default %u)\n"
		"  -c, --count N        with -i: stop capturing after N packets (the list stays)\n"
		"      --duration D     with -i: stop capturing after D (e.g. 30s, 10m)\n"
		"      --filter EXPR    start with this filter (the f key; see FILTER\n"
		"                       EXPRESSIONS in scsiscope(1))\n"
		"      --device BUS:DEV start with only this device (the d key)\n"
		"      --device VID:PID with -i: capture only this device (hex ids),\n"
		"                       followed across re-enumeration as capture --device\n"
		"      --monochrome     no colours (also when NO_COLOR is set)\n"
		"      --exit-after first-screen|indexed\n"
		"                       quit once the first screen is drawn or the whole\n"
		"                       file is indexed, and say how long it took (for\n"
		"                       benchmarks and tests)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 after q, 2 on a usage error, a file that cannot be read or\n"
		"a damaged one (said on the screen, and on stderr after quitting), a bus\n"
		"that cannot be opened or a capture that failed, 128 + the signal after\n"
		"Ctrl-C (SIGINT), SIGTERM or SIGHUP.  The terminal is restored in every\n"
		"case.\n",
		CAP_LIVE_SNAPLEN_MAX, CAP_LIVE_BUFFER_MB_DEFAULT);
}

int cmd_tui(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'F' },
		{ "device", required_argument, NULL, 'd' },
		{ "monochrome", no_argument, NULL, 'm' },
		{ "exit-after", required_argument, NULL, 'x' },
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		LIVE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_opts o;
	struct filter *f;
	struct error err;
	struct live_opts live;
	struct tui_live_opts lo;
	struct cap_live *cap;
	int opt, rc, lrc;

	memset(&o, 0, sizeof(o));
	memset(&live, 0, sizeof(live));
	memset(&lo, 0, sizeof(lo));
	live.cmd = "tui";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "hi:w:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F': o.filter = optarg; break;
		case 'd':
			if (cli_parse_vidpid(optarg, &lo.vid, &lo.pid)) {
				lo.follow_device = true;
				break;
			}
			if (!cli_parse_device(optarg, &o.bus, &o.device))
				return cli_usage_error("tui", "--device wants BUS:DEV (e.g. 2:3), or VID:PID with -i "
						   "(e.g. 0781:5583), not '%s'", optarg);
			o.have_device = true;
			break;
		case 'm': o.monochrome = true; break;
		case 'x':
			if (strcmp(optarg, "first-screen") == 0)
				o.exit_after = TUI_EXIT_FIRST_SCREEN;
			else if (strcmp(optarg, "indexed") == 0)
				o.exit_after = TUI_EXIT_INDEXED;
			else
				return cli_usage_error("tui", "--exit-after wants first-screen or indexed, not '%s'", optarg);
			break;
		case 'i': live.iface = optarg; break;
		case 'w': lo.write_path = optarg; break;
		case 'c': /* -c, --count */
			if ((lrc = live_option("tui", LIVE_OPT_COUNT, optarg, &live)) != 0)
				return lrc;
			break;
		case 'h': cmd_tui_usage(stdout); return EXIT_OK;
		default:
			if ((lrc = live_option("tui", opt, optarg, &live)) >= 0) {
				if (lrc)
					return lrc;
				break;
			}
			return cli_usage_error("tui", "unknown option");
		}
	}
	if (live.iface ? optind != argc : optind != argc - 1)
		return cli_usage_error("tui", live.iface ? "takes -i or a FILE, not both" : "expects exactly one FILE (or -i usbmonN)");
	/* the capture thread keeps count and time itself */
	lo.count = live.count;
	lo.duration_ns = live.duration_ns;
	if (!live.iface && (lo.write_path || lo.count || lo.duration_ns || live.snaplen || live.buffer_mb))
		return cli_usage_error("tui", "-w, --count, --duration, --snaplen and --buffer go with -i");
	if (lo.follow_device && !live.iface)
		return cli_usage_error("tui", "--device VID:PID follows a device on a live bus (-i); in a file, "
				       "choose it by BUS:DEV");
	if (lo.write_path && strcmp(lo.write_path, "-") == 0)
		return cli_usage_error("tui", "-w wants a file (the terminal is standard output)");
	if (o.filter) {
		if (filter_compile(o.filter, &f, &err) < 0)
			return cli_usage_error("tui", "--filter: %s", err.msg);
		filter_free(f);
	}
	if (!live.iface && strcmp(argv[optind], "-") == 0)
		return cli_usage_error("tui", "reads a file, not standard input (it reads the file again on demand)");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_usage_error("tui", "needs a terminal (use decode or lint in scripts)");
	if (!live.iface) {
		o.path = argv[optind];
		return tui_run(&o);
	}
	/* -i: a thread captures into a file, which the TUI follows (a file:
	 * source is followed as it grows, like tail -f) */
	live.follow = true;
	if (live_open(&live, &cap) < 0)
		return EXIT_TROUBLE;
	lo.iface = live.iface;
	if (!(o.live = tui_live_start(cap, &lo, &err))) {
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	o.path = tui_live_path(o.live);
	rc = tui_run(&o);
	tui_live_free(o.live);
	return rc;
}
