/* cli.h - the subcommand table and helpers shared by cli/ files. */
#ifndef SCSISCOPE_CLI_H
#define SCSISCOPE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/* Exit codes (DESIGN.md): 0 fine, 1 findings/differences, 2 usage or input error. */
#define EXIT_OK 0
#define EXIT_FINDINGS 1
#define EXIT_TROUBLE 2

struct cli_command {
	const char *name;
	const char *summary;      /* one line for `scsiscope help` */
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

extern const struct cli_command cli_commands[];

/* Print "scsiscope: <formatted error>" on stderr. */
void cli_print_error(const struct error *err);
/* Print "scsiscope: CMD: message" plus a hint to --help; returns EXIT_TROUBLE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Option values (cli/args.c); false on anything else.  A number is decimal,
 * 0x hex or 0 octal, never negative; BUS:DEV are decimal; a range is A-B,
 * A- (to the end), -B (from the start) or N. */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_device(const char *s, uint16_t *bus, uint16_t *dev);
bool cli_parse_range(const char *s, uint64_t *lo, uint64_t *hi);

int cmd_decode(int argc, char **argv);
void cmd_decode_usage(FILE *out);
int cmd_events(int argc, char **argv);
void cmd_events_usage(FILE *out);
int cmd_lint(int argc, char **argv);
void cmd_lint_usage(FILE *out);
int cmd_diff(int argc, char **argv);
void cmd_diff_usage(FILE *out);
int cmd_cut(int argc, char **argv);
void cmd_cut_usage(FILE *out);
int cmd_tui(int argc, char **argv);
void cmd_tui_usage(FILE *out);
int cmd_extract(int argc, char **argv);
void cmd_extract_usage(FILE *out);
int cmd_replay(int argc, char **argv);
void cmd_replay_usage(FILE *out);
int cmd_capture(int argc, char **argv);
void cmd_capture_usage(FILE *out);

#endif
