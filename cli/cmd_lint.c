/* cmd_lint.c - `scsiscope lint FILE`: run the checks over a capture and list the findings grouped by check and device. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lint.h"
#include "capture/capture.h"
#include "capture/prefetch.h"
#include "cli/live.h"
#include "decode/decode.h"
#include "report/finding_render.h"

/* Findings kept for the grouped listing; beyond this they are only counted
 * (and still decide the exit status). */
#define LINT_KEEP_MAX 200000

void cmd_lint_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope lint [OPTIONS] FILE\n"
		"       scsiscope lint [OPTIONS] -i usbmonN\n"
		"       scsiscope lint --explain ID\n"
		"       scsiscope lint --list\n"
		"\n"
		"Decode a capture and check it: Bulk-Only and UAS protocol violations,\n"
		"USB errors, SCSI failures, unflushed writes, data read back different\n"
		"from what was written, slow or unanswered commands. Every finding of the\n"
		"selected checks is listed, grouped by check and device, with its frames.\n"
		"\n"
		"Options:\n"
		"      --severity S     error (default), warning or info: exit 1 when a\n"
		"                       finding is at or above S\n"
		"      --json           JSON lines: one \"kind\":\"finding\" object per\n"
		"                       finding, then one \"kind\":\"summary\" object\n"
		"      --only ID,...    only these checks\n"
		"  -o, --option NAME=VALUE\n"
		"                       set a tunable of the checks (thresholds; --list\n"
		"                       shows them with their defaults); repeatable\n"
		"      --skip ID,...    all checks but these\n"
		"      --explain ID     what a finding means and what to look at next\n"
		"      --list           every check: id, default severity, family, summary\n"
		"  -h, --help           this text\n"
		"\n"
		"Live (instead of FILE):\n"
		"  -i, --interface usbmonN\n"
		"                       check a USB bus as it runs (file:PATH replays a\n"
		"                       saved usbmon capture): each finding is printed as\n"
		"                       soon as its transaction ends (text: one line each;\n"
		"                       --json: the same records), those that need the\n"
		"                       whole capture and the totals when it stops (Ctrl-C,\n"
		"                       --count, --duration); events usbmon drops are the\n"
		"                       finding capture-gap\n"
		"      --device VID:PID only this device (hex ids), followed across\n"
		"                       re-enumeration as capture --device does\n"
		"      --count N, --duration D, --snaplen N, --buffer MB\n"
		"                       as for scsiscope capture\n"
		"\n"
		"Exit status: 0 no finding at or above the severity, 1 some, 2 on a usage\n"
		"error or a damaged file (the findings before the damage are still\n"
		"printed).\n");
}

struct kept {
	struct finding f;
	bool have_dev;
	uint16_t bus, dev;
	uint64_t order;
};

struct lint_run {
	bool *selected;           /* by registry index */
	unsigned nchecks;
	enum severity threshold;
	struct kept *k;
	size_t n, alloc;
	uint64_t counts[3];       /* by severity, every selected finding */
	uint64_t not_kept;
	bool oom;
	bool stream;              /* -i: print each finding now, keep none */
	bool json;
	struct strbuf out;
	struct live_counts *live;
};

static bool selected(const struct lint_run *run, const char *id, unsigned *idx)
{
	const struct check_info *ci = check_find(id);

	if (!ci)
		return true;      /* unregistered: show it rather than hide it (a test catches these) */
	*idx = (unsigned)(ci - check_at(0));
	return *idx < run->nchecks && run->selected[*idx];
}

static void keep(struct lint_run *run, const struct finding *f, bool have_dev, uint16_t bus, uint16_t dev)
{
	unsigned idx = 0;
	struct kept *k;

	if (!selected(run, f->id, &idx))
		return;
	run->counts[f->severity <= SEV_ERROR ? f->severity : SEV_ERROR]++;
	if (run->stream) {
		if (run->json) {
			render_finding_json(&run->out, f, have_dev, bus, dev);
			return;
		}
		sb_addf(&run->out, "%-7s %s", severity_name(f->severity), f->id);
		if (have_dev)
			sb_addf(&run->out, " on device %u:%u", bus, dev);
		sb_addf(&run->out, ", frame%s ", f->nframes > 1 ? "s" : "");
		if (!f->nframes)
			sb_addc(&run->out, '-');
		for (unsigned i = 0; i < f->nframes && i < FINDING_FRAMES_MAX; i++)
			sb_addf(&run->out, "%s%" PRIu64, i ? "," : "", f->frames[i]);
		sb_addf(&run->out, ": %s\n", f->msg);
		return;
	}
	if (run->n == run->alloc) {
		size_t na = run->alloc ? run->alloc * 2 : 256;
		struct kept *nk;

		if (run->n >= LINT_KEEP_MAX || !(nk = realloc(run->k, na * sizeof(*nk)))) {
			run->not_kept++;
			return;
		}
		run->k = nk;
		run->alloc = na;
	}
	k = &run->k[run->n];
	k->f = *f;
	k->have_dev = have_dev;
	k->bus = bus;
	k->dev = dev;
	k->order = run->n++;
}

static void on_txn(void *ctx, const struct txn *t)
{
	struct lint_run *run = ctx;
	const struct finding *fs = NULL;
	uint32_t n = 0;
	uint16_t bus = 0, dev = 0;

	if (run->live)
		live_count_txn(run->live, t);
	switch (t->kind) {
	case TXN_SCSI: fs = t->u.scsi.findings; n = t->u.scsi.nfindings; bus = t->u.scsi.bus; dev = t->u.scsi.device; break;
	case TXN_CONTROL: fs = t->u.ctl.findings; n = t->u.ctl.nfindings; bus = t->u.ctl.bus; dev = t->u.ctl.device; break;
	case TXN_USB: fs = t->u.note.findings; n = t->u.note.nfindings; bus = t->u.note.bus; dev = t->u.note.device; break;
	case TXN_BT: fs = t->u.bt.findings; n = t->u.bt.nfindings; bus = t->u.bt.bus; dev = t->u.bt.device; break;
	default: return;
	}
	for (uint32_t i = 0; i < n; i++)     /* a Bluetooth log has no USB device */
		keep(run, &fs[i], t->kind != TXN_BT || t->u.bt.source == BT_SRC_USB, bus, dev);
}

static int cmp_kept(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	int c = strcmp(x->f.id, y->f.id);

	if (c)
		return c;
	if (x->have_dev != y->have_dev)
		return x->have_dev ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void print_frames(FILE *out, const struct finding *f)
{
	if (!f->nframes) {
		fputs("-", out);
		return;
	}
	for (unsigned i = 0; i < f->nframes && i < FINDING_FRAMES_MAX; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", f->frames[i]);
}

static void print_text(FILE *out, struct lint_run *run)
{
	size_t i = 0;

	while (i < run->n) {
		const struct kept *g = &run->k[i];
		const struct check_info *ci = check_find(g->f.id);
		size_t j = i;

		while (j < run->n && !strcmp(run->k[j].f.id, g->f.id) && run->k[j].have_dev == g->have_dev &&
		       run->k[j].bus == g->bus && run->k[j].dev == g->dev)
			j++;
		fprintf(out, "%s", g->f.id);
		if (g->have_dev)
			fprintf(out, " on device %u:%u", g->bus, g->dev);
		fprintf(out, ": %zu finding%s%s%s\n", j - i, j - i == 1 ? "" : "s", ci ? " - " : "", ci ? ci->summary : "");
		for (; i < j; i++) {
			const struct kept *k = &run->k[i];
			fprintf(out, "  %-7s frame%s ", severity_name(k->f.severity), k->f.nframes > 1 ? "s" : "");
			print_frames(out, &k->f);
			fprintf(out, ": %s\n", k->f.msg);
		}
	}
	fprintf(out, "%" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64 " info%s",
		run->counts[SEV_ERROR], run->counts[SEV_ERROR] == 1 ? "" : "s",
		run->counts[SEV_WARNING], run->counts[SEV_WARNING] == 1 ? "" : "s",
		run->counts[SEV_INFO], run->counts[SEV_INFO] == 1 ? "" : "s");
	if (run->not_kept)
		fprintf(out, " (%" PRIu64 " not listed: too many)", run->not_kept);
	fputs("\n", out);
}

static void print_json(FILE *out, struct lint_run *run, uint64_t dropped, int status)
{
	struct strbuf sb;

	sb_init(&sb);
	for (size_t i = 0; i < run->n; i++) {
		render_finding_json(&sb, &run->k[i].f, run->k[i].have_dev, run->k[i].bus, run->k[i].dev);
		if (sb.len >= 1 << 16) {
			fwrite(sb.buf, 1, sb.len, out);
			sb_reset(&sb);
		}
	}
	sb_addf(&sb, "{\"kind\":\"summary\",\"errors\":%" PRIu64 ",\"warnings\":%" PRIu64 ",\"infos\":%" PRIu64
		",\"not_listed\":%" PRIu64 ",\"report_dropped\":%" PRIu64 ",\"exit\":%d}\n",
		run->counts[SEV_ERROR], run->counts[SEV_WARNING], run->counts[SEV_INFO], run->not_kept, dropped, status);
	fwrite(sb.buf, 1, sb.len, out);
	sb_release(&sb);
}

/* Mark (or unmark) every id of a comma-separated list; false on an unknown id. */
static bool mark_list(struct lint_run *run, const char *list, bool value, const char **bad)
{
	char *copy = strdup(list), *save = NULL, *tok;
	bool ok = true;

	if (!copy)
		return false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct check_info *ci = check_find(tok);
		if (!ci) {
			static char badbuf[128];
			snprintf(badbuf, sizeof(badbuf), "%s", tok);
			*bad = badbuf;
			ok = false;
			break;
		}
		run->selected[ci - check_at(0)] = value;
	}
	free(copy);
	return ok;
}

static void print_list(FILE *out)
{
	const struct check_info *ci;

	const struct lint_tunable *t;
	struct lint_opts def;
	char v[32];

	lint_opts_default(&def);
	for (unsigned i = 0; (ci = check_at(i)); i++)
		fprintf(out, "%-26s %-7s %-8s %s\n", ci->id, severity_name(ci->severity), ci->family, ci->summary);
	fprintf(out, "\ntunables (-o NAME=VALUE):\n");
	for (unsigned i = 0; (t = lint_tunable_at(i)); i++) {
		lint_opts_value(&def, i, v, sizeof(v));
		fprintf(out, "%-26s %-10s %s\n", t->name, v, t->what);
	}
}

/* The explanation, wrapped at 72 columns. */
static void print_explain(FILE *out, const struct check_info *ci)
{
	const char *p = ci->explain;
	unsigned col = 0;

	fprintf(out, "%s (%s, %s): %s\n\n", ci->id, severity_name(ci->severity), ci->family, ci->summary);
	while (*p) {
		size_t w = strcspn(p, " ");
		if (col && col + 1 + w > 72) {
			fputs("\n", out);
			col = 0;
		} else if (col) {
			fputs(" ", out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (unsigned)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputs("\n", out);
}

/* -i: the decoder behind the live loop. */
struct lint_live {
	struct lint_run *run;
	struct decoder *dec;
	struct live_follow *follow;   /* --device VID:PID */
};

static void live_feed(void *ctx, const struct usb_event *ev)
{
	struct lint_live *ll = ctx;

	decoder_feed(ll->dec, ev);
}

static int live_packet(void *ctx, const struct cap_record *r, const struct cap_live_pkt *raw)
{
	struct lint_live *ll = ctx;

	if (r->kind != CAP_REC_USB)
		return 0;
	if (ll->follow)
		return live_follow_packet(ll->follow, r, raw);
	decoder_feed(ll->dec, &r->u.usb);
	return 1;
}

static int live_tick(void *ctx, int64_t now_ns)
{
	struct lint_live *ll = ctx;
	struct strbuf *out = &ll->run->out;

	decoder_flush_stalled(ll->dec, now_ns - LIVE_HOLD_NS);
	if (out->len) {
		fwrite(out->buf, 1, out->len, stdout);
		sb_reset(out);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return -1;
	return 0;
}

int cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "severity", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "only", required_argument, NULL, 'n' },
		{ "option", required_argument, NULL, 'o' },
		{ "skip", required_argument, NULL, 'k' },
		{ "explain", required_argument, NULL, 'e' },
		{ "list", no_argument, NULL, 'L' },
		{ "interface", required_argument, NULL, 'i' },
		{ "device", required_argument, NULL, 'd' },
		LIVE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lint_run run;
	struct decoder_opts dopts = { .notes = true, .other_traffic = false };
	struct lint_opts lo;
	struct lint *lint;
	struct decoder *dec;
	struct cap *c;
	struct cap_record r;
	struct cap_prefetch *pf;
	struct error err;
	const char *only = NULL, *skip = NULL, *explain = NULL, *bad = NULL;
	const struct finding *f;
	bool json = false, list = false;
	char why[160];
	int opt, rc, status, lrc;
	struct live_opts live;
	struct live_counts counts;
	struct cap_live *lcap = NULL;
	enum live_end lend = LIVE_END_FILE;
	struct live_follow follow = { 0 };
	bool have_vidpid = false;
	uint16_t vid = 0, pid = 0;

	memset(&live, 0, sizeof(live));
	memset(&counts, 0, sizeof(counts));
	live.cmd = "lint";
	memset(&run, 0, sizeof(run));
	run.threshold = SEV_ERROR;
	optind = 1;
	lint_opts_default(&lo);
	while ((opt = getopt_long(argc, argv, "ho:i:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!strcmp(optarg, "error"))
				run.threshold = SEV_ERROR;
			else if (!strcmp(optarg, "warning"))
				run.threshold = SEV_WARNING;
			else if (!strcmp(optarg, "info"))
				run.threshold = SEV_INFO;
			else
				return cli_usage_error("lint", "--severity wants error, warning or info, not '%s'", optarg);
			break;
		case 'j': json = true; break;
		case 'n': only = optarg; break;
		case 'o':
			if (lint_opts_set(&lo, optarg, why, sizeof(why)) < 0)
				return cli_usage_error("lint", "-o: %s", why);
			break;
		case 'k': skip = optarg; break;
		case 'e': explain = optarg; break;
		case 'L': list = true; break;
		case 'i': live.iface = optarg; break;
		case 'd':
			if (!cli_parse_vidpid(optarg, &vid, &pid))
				return cli_usage_error("lint", "--device wants VID:PID in hex (e.g. 0781:5583), not '%s'", optarg);
			have_vidpid = true;
			break;
		case 'h': cmd_lint_usage(stdout); return EXIT_OK;
		default:
			if ((lrc = live_option("lint", opt, optarg, &live)) >= 0) {
				if (lrc)
					return lrc;
				break;
			}
			return cli_usage_error("lint", "unknown option");
		}
	}
	if (list || explain) {
		if (optind != argc)
			return cli_usage_error("lint", "--list and --explain take no FILE");
		if (list) {
			print_list(stdout);
			return EXIT_OK;
		}
		if (!check_find(explain))
			return cli_usage_error("lint", "no check '%s' (scsiscope lint --list shows them)", explain);
		print_explain(stdout, check_find(explain));
		return EXIT_OK;
	}
	if (live.iface ? optind != argc : optind != argc - 1)
		return cli_usage_error("lint", live.iface ? "takes -i or a FILE, not both" : "expects exactly one FILE");
	if (!live.iface && (live.count || live.duration_ns || live.snaplen || live.buffer_mb))
		return cli_usage_error("lint", "--count, --duration, --snaplen and --buffer go with -i");
	if (have_vidpid && !live.iface)
		return cli_usage_error("lint", "--device VID:PID follows a device on a live bus (-i)");

	while (check_at(run.nchecks))
		run.nchecks++;
	run.selected = calloc(run.nchecks ? run.nchecks : 1, sizeof(bool));
	if (!run.selected) {
		fprintf(stderr, "scsiscope: out of memory\n");
		return EXIT_TROUBLE;
	}
	for (unsigned i = 0; i < run.nchecks; i++)
		run.selected[i] = only == NULL;
	if ((only && !mark_list(&run, only, true, &bad)) || (skip && !mark_list(&run, skip, false, &bad))) {
		free(run.selected);
		if (!bad)
			return cli_usage_error("lint", "out of memory");
		return cli_usage_error("lint", "no check '%s' (scsiscope lint --list shows them)", bad);
	}
	c = NULL;
	sb_init(&run.out);
	if (live.iface) {
		live_signals();
		if (live_open(&live, &lcap) < 0) {
			free(run.selected);
			return EXIT_TROUBLE;
		}
		run.stream = true;
		run.json = json;
		run.live = &counts;
	} else if (cap_open(argv[optind], &c, &err) < 0) {
		free(run.selected);
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	lint = lint_new(&lo);
	dopts.hook = lint_hook;
	dopts.hook_ctx = lint;
	dec = lint ? decoder_new(&dopts, on_txn, &run) : NULL;
	if (!dec) {
		lint_free(lint);
		free(run.selected);
		cap_close(c);
		cap_live_close(lcap);
		fprintf(stderr, "scsiscope: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (lcap) {
		struct lint_live ll = { .run = &run, .dec = dec };

		if (have_vidpid && live_follow_init(&follow, vid, pid, lcap, live_feed, &ll) == 0)
			ll.follow = &follow;
		if (!have_vidpid || ll.follow)
			lend = live_loop(&live, lcap, live_packet, live_tick, &ll, &counts);
		else
			lend = LIVE_END_ERROR;
		rc = 0;           /* a live error was printed by the loop */
	} else {
		if (cap_prefetch_start(c, &pf, &err) < 0)
			pf = NULL;
		while ((rc = pf ? cap_prefetch_next(pf, &r, &err) : cap_next(c, &r, &err)) > 0)
			decoder_feed_record(dec, &r);
		cap_prefetch_stop(pf);
	}
	/* Whatever happened, check and show everything decoded so far. */
	decoder_finish(dec);
	lint_finish(lint);
	for (unsigned i = 0; (f = lint_report_at(lint, i)); i++)
		keep(&run, f, false, 0, 0);
	if (run.n)
		qsort(run.k, run.n, sizeof(*run.k), cmp_kept);

	status = EXIT_OK;
	for (int s = (int)run.threshold; s <= SEV_ERROR; s++)
		if (run.counts[s])
			status = EXIT_FINDINGS;
	if (rc < 0 || lend == LIVE_END_ERROR)
		status = EXIT_TROUBLE;
	if (run.out.len) {            /* -i: what the end of the capture reported */
		fwrite(run.out.buf, 1, run.out.len, stdout);
		sb_reset(&run.out);
	}
	if (json)
		print_json(stdout, &run, lint_report_dropped(lint), status);
	else
		print_text(stdout, &run);
	fflush(stdout);
	sb_release(&run.out);
	if (lcap) {
		live_print_summary(&live, lend, &counts);
		live_follow_done(&follow, "lint");
		cap_live_close(lcap);
	}
	if (rc < 0)
		cli_print_error(&err);
	decoder_free(dec);
	lint_free(lint);
	free(run.k);
	free(run.selected);
	cap_close(c);
	return status;
}
