/* cmd_tui.c - `scsiscope tui FILE`: browse a capture's transactions in the terminal. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/filter.h"
#include "tui/tui.h"

void cmd_tui_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope tui [OPTIONS] FILE\n"
		"\n"
		"Browse a capture in the terminal: the transaction list (SCSI commands,\n"
		"control requests, USB events), the layers of the selected one as a tree,\n"
		"its bytes in hex, and every finding of lint's checks.  The list appears at\n"
		"once and grows while the file is indexed; payload bytes are read again\n"
		"from the file when a transaction is opened.  Press ? for the keys.\n"
		"\n"
		"Options:\n"
		"      --filter EXPR    start with this filter (the f key; see FILTER\n"
		"                       EXPRESSIONS in scsiscope(1))\n"
		"      --device BUS:DEV start with only this device (the d key)\n"
		"      --monochrome     no colours (also when NO_COLOR is set)\n"
		"      --exit-after first-screen|indexed\n"
		"                       quit once the first screen is drawn or the whole\n"
		"                       file is indexed, and say how long it took (for\n"
		"                       benchmarks and tests)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 after q, 2 on a usage error, a file that cannot be read or\n"
		"a damaged one (said on the screen, and on stderr after quitting), 128 + the\n"
		"signal after Ctrl-C (SIGINT), SIGTERM or SIGHUP.  The terminal is restored\n"
		"in every case.\n");
}

int cmd_tui(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'F' },
		{ "device", required_argument, NULL, 'd' },
		{ "monochrome", no_argument, NULL, 'm' },
		{ "exit-after", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_opts o;
	struct filter *f;
	struct error err;
	int opt;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F': o.filter = optarg; break;
		case 'd':
			if (!cli_parse_device(optarg, &o.bus, &o.device))
				return cli_usage_error("tui", "--device wants BUS:DEV (e.g. 2:3), not '%s'", optarg);
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
		case 'h': cmd_tui_usage(stdout); return EXIT_OK;
		default: return cli_usage_error("tui", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("tui", "expects exactly one FILE");
	if (o.filter) {
		if (filter_compile(o.filter, &f, &err) < 0)
			return cli_usage_error("tui", "--filter: %s", err.msg);
		filter_free(f);
	}
	if (strcmp(argv[optind], "-") == 0)
		return cli_usage_error("tui", "reads a file, not standard input (it reads the file again on demand)");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_usage_error("tui", "needs a terminal (use decode or lint in scripts)");
	o.path = argv[optind];
	return tui_run(&o);
}
