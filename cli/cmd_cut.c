/* cmd_cut.c - `scsiscope cut FILE`: the packets of chosen transactions, with the enumeration they need, as a small pcapng. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/filter.h"
#include "report/cut.h"

void cmd_cut_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope cut FILE (--filter EXPR | --frames A-B) [--context N]\n"
		"                     -o OUT.pcapng\n"
		"\n"
		"Write the original packets of the chosen transactions (every URB of each),\n"
		"plus what the device needs to be decoded on its own (its enumeration, the\n"
		"READ CAPACITY that gives the block size, BOT's REQUEST SENSE that carried\n"
		"a chosen command's sense), as a pcapng file Wireshark opens and scsiscope\n"
		"decodes to the chosen transactions.  Each packet's comment says its frame\n"
		"number in FILE.\n"
		"\n"
		"Options:\n"
		"      --filter EXPR    the transactions EXPR matches, e.g. 'status!=good'\n"
		"                       (the language of 'decode --filter', scsiscope(1))\n"
		"      --frames A-B     the transactions that start in frames A..B (A-, -B, N)\n"
		"  -C, --context N      also the N transactions before and after each\n"
		"  -o, --output OUT     the pcapng to write ('-': standard output)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 written, 1 no transaction chosen (nothing written), 2 usage\n"
		"error or a damaged FILE (nothing written).\n");
}

int cmd_cut(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'F' },
		{ "frames", required_argument, NULL, 'f' },
		{ "context", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cut_opts o;
	struct cut_stats st;
	struct filter *filter = NULL;
	const char *filter_expr = NULL, *out_path = NULL, *in;
	bool have_frames = false;
	struct error err;
	uint64_t v;
	FILE *out;
	int opt, rc;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "C:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F': filter_expr = optarg; break;
		case 'f':
			if (!cli_parse_range(optarg, &o.frame_lo, &o.frame_hi))
				return cli_usage_error("cut", "--frames wants A-B, A-, -B or N, not '%s'", optarg);
			have_frames = true;
			break;
		case 'C':
			if (!cli_parse_u64(optarg, &v) || v > CUT_CONTEXT_MAX)
				return cli_usage_error("cut", "--context wants a number up to %u, not '%s'", CUT_CONTEXT_MAX,
						       optarg);
			o.context = (unsigned)v;
			break;
		case 'o': out_path = optarg; break;
		case 'h': cmd_cut_usage(stdout); return EXIT_OK;
		default: return cli_usage_error("cut", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("cut", "expects exactly one FILE");
	if (!filter_expr == !have_frames)
		return cli_usage_error("cut", "choose transactions with --filter EXPR or with --frames A-B (one of them)");
	if (!out_path)
		return cli_usage_error("cut", "-o OUT.pcapng is missing");
	if (filter_expr && filter_compile(filter_expr, &filter, &err) < 0)
		return cli_usage_error("cut", "--filter: %s", err.msg);
	in = argv[optind];
	o.filter = filter;
	o.with_checks = filter_expr && (strstr(filter_expr, "finding") || strstr(filter_expr, "severity"));
	o.comment_name = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
	out = strcmp(out_path, "-") ? fopen(out_path, "wb") : stdout;
	if (!out) {
		filter_free(filter);
		fprintf(stderr, "scsiscope: cut: cannot create %s\n", out_path);
		return EXIT_TROUBLE;
	}
	rc = cut_capture(in, &o, out, &st, &err);
	filter_free(filter);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		rc = -1;
		error_set(&err, 0, ERROR_NO_OFFSET, "cannot write %s", out_path);
	}
	if (rc < 0 || !st.chosen) {
		if (out != stdout)
			unlink(out_path);
		if (rc < 0) {
			cli_print_error(&err);
			return EXIT_TROUBLE;
		}
		fprintf(stderr, "scsiscope: cut: no transaction of %s chosen; nothing written\n", in);
		return EXIT_FINDINGS;
	}
	fprintf(stderr,
		"scsiscope: cut: %" PRIu64 " packets (frames %" PRIu64 "-%" PRIu64 " of %s): %" PRIu64
		" transactions chosen, %" PRIu64 " of context, %" PRIu64 " REQUEST SENSE with their sense, %" PRIu64
		" enumeration transfers, %" PRIu64 " READ CAPACITY for the block size\n",
		st.packets, st.first_frame, st.last_frame, in, st.chosen, st.context, st.autosense, st.enumeration,
		st.capacity);
	return EXIT_OK;
}
