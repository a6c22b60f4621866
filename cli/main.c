/* main.c - scsiscope entry point: dispatch to subcommands, help and version. */
#include "config.h"
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const struct cli_command cli_commands[] = {
	{ "decode", "SCSI transactions over BOT/UAS, control requests, USB errors", cmd_decode, cmd_decode_usage },
	{ "events", "list every USB event or Bluetooth record of a capture", cmd_events, cmd_events_usage },
	{ "lint", "check a capture: protocol violations, failures, unflushed writes", cmd_lint, cmd_lint_usage },
	{ "diff", "compare two captures' transactions, ignoring times, tags and addresses", cmd_diff, cmd_diff_usage },
	{ "cut", "write chosen transactions (and what decodes them) as a small pcapng", cmd_cut, cmd_cut_usage },
	{ "tui", "browse a capture in the terminal: list, layers, hex, findings", cmd_tui, cmd_tui_usage },
	{ "extract", "write a capture's SCSI commands as a replay script", cmd_extract, cmd_extract_usage },
	{ "replay", "send a replay script to a live device (libusb) and compare the answers", cmd_replay, cmd_replay_usage },
	{ "capture", "record a USB bus (usbmon) or one device on it into a pcapng", cmd_capture, cmd_capture_usage },
	{ NULL, NULL, NULL, NULL },
};

void cli_print_error(const struct error *err)
{
	char buf[1024];

	fprintf(stderr, "scsiscope: %s\n", error_format(err, buf, sizeof(buf)));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scsiscope: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'scsiscope %s --help'.\n", cmd);
	return EXIT_TROUBLE;
}

static void main_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope COMMAND [OPTIONS] [FILE]\n"
		"       scsiscope help [COMMAND]\n"
		"       scsiscope --version\n"
		"\n"
		"A protocol trace analyzer for USB storage and the SCSI commands it carries.\n"
		"Reads pcap/pcapng (usbmon, USBPcap, macOS XHC), usbmon text, Apple\n"
		"PacketLogger and btsnoop files, optionally gzip-compressed.\n"
		"\n"
		"Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
		"\n"
		"'scsiscope COMMAND --help' describes a command; 'man scsiscope' has the details.\n"
		"Exit status: 0 fine, 1 findings or differences, 2 usage or input error.\n");
}

static const struct cli_command *find_command(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		main_usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("scsiscope %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			cmd = find_command(argv[2]);
			if (!cmd) {
				fprintf(stderr, "scsiscope: no such command '%s'\n", argv[2]);
				return EXIT_TROUBLE;
			}
			cmd->usage(stdout);
			return EXIT_OK;
		}
		main_usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "scsiscope: '%s' is not a command. See 'scsiscope help'.\n", argv[1]);
		return EXIT_TROUBLE;
	}
	return cmd->run(argc - 1, argv + 1);
}
