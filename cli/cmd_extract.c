/* cmd_extract.c - `scsiscope extract FILE -o SEQ`: the chosen SCSI commands of a capture as a replay script. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/filter.h"
#include "replay/extract.h"

void cmd_extract_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope extract FILE [--filter EXPR | --frames A-B] -o SEQ\n"
		"\n"
		"Write the SCSI commands of one device in FILE as a replay script for\n"
		"'scsiscope replay': one command a line with its CDB, data phase and data-out\n"
		"bytes, and what the device answered in the recording (status, sense, data-in\n"
		"length and hash); the source frames as comments; a header with the device's\n"
		"identity, transport, LUN and block size (format: doc/replay-script.md).\n"
		"Data-out payloads over %d bytes go to SEQ.data/HASH.bin.  BOT's REQUEST\n"
		"SENSE after a CHECK CONDITION is left out: replay fetches sense itself.\n"
		"\n"
		"Options:\n"
		"      --filter EXPR    the commands EXPR matches, e.g. 'opcode==0x28'\n"
		"                       (the language of 'decode --filter', scsiscope(1))\n"
		"      --frames A-B     the commands that start in frames A..B (A-, -B, N)\n"
		"  -o, --output SEQ     the script to write\n"
		"  -h, --help           this text\n"
		"\n"
		"Without --filter or --frames every command of the first storage device.\n"
		"Exit status: 0 written, 1 no command chosen, 2 usage error or a damaged\n"
		"FILE (the commands before the damage are still written).\n",
		RS_INLINE_WRITE);
}

int cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "filter", required_argument, NULL, 'F' },
		{ "frames", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct extract_opts o;
	struct extract_stats st;
	struct filter *filter = NULL;
	const char *filter_expr = NULL, *out_path = NULL, *in;
	bool have_frames = false;
	struct rs_script script;
	struct strbuf text = STRBUF_INIT;
	struct error err;
	FILE *out;
	int opt, rc;

	memset(&o, 0, sizeof(o));
	o.frame_hi = UINT64_MAX;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'F': filter_expr = optarg; break;
		case 'f':
			if (!cli_parse_range(optarg, &o.frame_lo, &o.frame_hi))
				return cli_usage_error("extract", "--frames wants A-B, A-, -B or N, not '%s'", optarg);
			have_frames = true;
			break;
		case 'o': out_path = optarg; break;
		case 'h': cmd_extract_usage(stdout); return EXIT_OK;
		default: return cli_usage_error("extract", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("extract", "expects exactly one FILE");
	if (filter_expr && have_frames)
		return cli_usage_error("extract", "--filter and --frames: choose commands with one of them");
	if (!out_path)
		return cli_usage_error("extract", "-o SEQ is missing");
	if (!strcmp(out_path, "-"))
		return cli_usage_error("extract", "-o wants a file (data-out payloads go to a sidecar beside it)");
	if (filter_expr && filter_compile(filter_expr, &filter, &err) < 0)
		return cli_usage_error("extract", "--filter: %s", err.msg);
	in = argv[optind];
	o.filter = filter;
	o.with_checks = filter_expr && (strstr(filter_expr, "finding") || strstr(filter_expr, "severity"));
	o.script_path = out_path;
	o.source_name = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
	sb_init(&text);
	error_clear(&err);
	rc = extract_capture(in, &o, &script, &text, &st, &err);
	filter_free(filter);
	if (rc < 0 && !st.damaged) {
		sb_release(&text);
		if (!st.chosen && !err.file[0] && strstr(err.msg, "no SCSI command chosen")) {
			fprintf(stderr, "scsiscope: extract: %s; nothing written\n", err.msg);
			return EXIT_FINDINGS;
		}
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	out = fopen(out_path, "w");
	if (!out || fwrite(text.buf, 1, text.len, out) != text.len || fclose(out) != 0) {
		fprintf(stderr, "scsiscope: extract: cannot write %s\n", out_path);
		if (out)
			unlink(out_path);
		sb_release(&text);
		rs_free(&script);
		return EXIT_TROUBLE;
	}
	sb_release(&text);
	rs_free(&script);
	fprintf(stderr,
		"scsiscope: extract: %" PRIu64 " commands of %u:%03u to %s (%" PRIu64 " data-out payloads in %s.data/, %" PRIu64
		" read again from the capture; %" PRIu64 " REQUEST SENSE for autosense, %" PRIu64
		" of other devices, %" PRIu64 " unfinished and %" PRIu64 " with data-out the capture lacks left out)\n",
		st.steps, st.bus, st.device, out_path, st.sidecars, out_path, st.reread, st.autosense, st.other_devices,
		st.incomplete, st.unreplayable);
	if (rc < 0) {
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	return st.steps ? EXIT_OK : EXIT_FINDINGS;
}
