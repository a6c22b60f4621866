/* cmd_diff.c - `scsiscope diff A B`: compare the transactions of two captures, ignoring what differs between runs. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/diff.h"
#include "analyze/filter.h"
#include "analyze/normalize.h"
#include "capture/capture.h"

void cmd_diff_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope diff [OPTIONS] A B\n"
		"\n"
		"Compare the SCSI commands, control requests and notable USB events of two\n"
		"captures, e.g. a known-good session and today's.  Times, URB ids, tags, bus\n"
		"and device numbers and hub port polling are not compared; the rest is\n"
		"(command, CDB, direction, lengths, status, sense, the device's answers to\n"
		"control requests).  Transactions are aligned, so one extra command is one\n"
		"added line.  Output: unified-diff hunks whose lines are transactions in\n"
		"normalized form (see 'scsiscope decode --normalized') with the frame\n"
		"numbers in A and B, then a summary (status and sense changes first).\n"
		"\n"
		"Options:\n"
		"      --ignore FIELD,...  do not compare these either (\"all\": every field):\n");
	for (unsigned i = 0; norm_field_name(i); i++)
		fprintf(out, "                %-10s %s\n", norm_field_name(i), norm_field_help(i));
	fprintf(out,
		"      --compare FIELD,... compare what is ignored by default: tag, address, hub\n"
		"      --filter EXPR       compare only the transactions EXPR matches, in both\n"
		"                          (the language of 'decode --filter', scsiscope(1))\n"
		"      --data              compare payload hashes where both captures hold the\n"
		"                          whole payload\n"
		"      --timing PCT        report commands whose latency grew by more than PCT%%\n"
		"      --timing-floor MS   ... and by at least MS milliseconds (default 1)\n"
		"  -U, --context N         lines of context around each hunk (default 3)\n"
		"      --json              JSON lines: files, hunk, line, change, summary records\n"
		"  -q, --quiet             print nothing; only the exit status\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit status: 0 the same, 1 different, 2 usage error or a damaged file.\n");
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return false;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	if (!*s)
		return false;
	v = strtod(s, &end);
	if (*end || !(v >= 0) || v > max)
		return false;
	*out = v;
	return true;
}

/* Decode one side; prints the error and returns -1 on failure. */
static int load(struct diff_seq *s, const char *path, unsigned ignore, const struct filter *f, bool checks)
{
	struct error err;
	struct cap *c;

	if (diff_seq_init(s, path, ignore) < 0) {
		fprintf(stderr, "scsiscope: out of memory\n");
		return -1;
	}
	if (cap_open(path, &c, &err) < 0) {
		cli_print_error(&err);
		return -1;
	}
	if (diff_seq_load(s, c, f, checks, &err) < 0) {
		cli_print_error(&err);
		cap_close(c);
		return -1;
	}
	cap_close(c);
	return 0;
}

struct side {
	struct diff_seq seq;
	const char *path;
	unsigned ignore;
	const struct filter *filter;
	bool checks;
	int rc;
};

static void *load_side(void *arg)
{
	struct side *sd = arg;

	sd->rc = load(&sd->seq, sd->path, sd->ignore, sd->filter, sd->checks);
	return NULL;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ignore", required_argument, NULL, 'i' },
		{ "compare", required_argument, NULL, 'c' },
		{ "filter", required_argument, NULL, 'F' },
		{ "data", no_argument, NULL, 'D' },
		{ "timing", required_argument, NULL, 't' },
		{ "timing-floor", required_argument, NULL, 'T' },
		{ "context", required_argument, NULL, 'U' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diff_opts o;
	struct diff_stats st;
	struct side a, b;
	pthread_t tb;
	bool threaded;
	struct filter *filter = NULL;
	const char *filter_expr = NULL;
	unsigned ignore = NORM_IGNORE_DEFAULT, bits;
	unsigned long ul;
	bool quiet = false, ignore_timing = false;
	struct error err;
	char why[400];
	double v;
	int opt, rc;

	diff_opts_default(&o);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "U:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (norm_fields_parse(optarg, &bits, why, sizeof(why)) < 0)
				return cli_usage_error("diff", "--ignore: %s", why);
			ignore |= bits;
			ignore_timing |= (bits & NORM_TIMING) != 0;
			break;
		case 'c':
			if (norm_fields_parse(optarg, &bits, why, sizeof(why)) < 0)
				return cli_usage_error("diff", "--compare: %s", why);
			if (bits & NORM_TIMING)
				return cli_usage_error("diff", "--compare: latencies are compared with --timing PCT");
			if (bits & NORM_DATA)
				return cli_usage_error("diff", "--compare: payloads are compared with --data");
			ignore &= ~bits;
			break;
		case 'F': filter_expr = optarg; break;
		case 'D': o.data = true; break;
		case 't':
			if (!parse_number(optarg, 1e9, &v) || v <= 0)
				return cli_usage_error("diff", "--timing wants a percentage above 0, not '%s'", optarg);
			o.timing_pct = v;
			break;
		case 'T':
			if (!parse_number(optarg, 3600e3, &v))
				return cli_usage_error("diff", "--timing-floor wants milliseconds, not '%s'", optarg);
			o.timing_floor_us = (uint32_t)(v * 1000.0 + 0.5);
			break;
		case 'U':
			if (!parse_uint(optarg, 100000, &ul))
				return cli_usage_error("diff", "--context wants a number of lines, not '%s'", optarg);
			o.context = (unsigned)ul;
			break;
		case 'j': o.json = true; break;
		case 'q': quiet = true; break;
		case 'h': cmd_diff_usage(stdout); return EXIT_OK;
		default: return cli_usage_error("diff", "unknown option");
		}
	}
	if (optind != argc - 2)
		return cli_usage_error("diff", "expects two FILEs, A and B");
	if (ignore_timing)
		o.timing_pct = 0;
	if (o.data)
		ignore &= ~(unsigned)NORM_DATA;
	if (filter_expr && filter_compile(filter_expr, &filter, &err) < 0)
		return cli_usage_error("diff", "--filter: %s", err.msg);
	/* Findings come from lint's checks: run them only when the filter asks. */
	bool checks = filter_expr && (strstr(filter_expr, "finding") || strstr(filter_expr, "severity"));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a = (struct side){ .path = argv[optind], .ignore = ignore, .filter = filter, .checks = checks };
	b = (struct side){ .path = argv[optind + 1], .ignore = ignore, .filter = filter, .checks = checks };
	/* The two captures decode at the same time (each side has its own
	 * decoder and normalizer; the filter is only read). */
	threaded = pthread_create(&tb, NULL, load_side, &b) == 0;
	load_side(&a);
	if (threaded)
		pthread_join(tb, NULL);
	else
		load_side(&b);
	if (a.rc < 0 || b.rc < 0) {
		diff_seq_free(&a.seq);
		diff_seq_free(&b.seq);
		filter_free(filter);
		return EXIT_TROUBLE;
	}
	rc = diff_run(&a.seq, &b.seq, &o, quiet ? NULL : stdout, &st);
	fflush(stdout);
	diff_seq_free(&a.seq);
	diff_seq_free(&b.seq);
	filter_free(filter);
	if (rc < 0) {
		fprintf(stderr, "scsiscope: diff: out of memory\n");
		return EXIT_TROUBLE;
	}
	return rc ? EXIT_FINDINGS : EXIT_OK;
}
