/* cmd_decode.c - `scsiscope decode FILE`: SCSI transactions, control requests and notable USB events. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/filter.h"
#include "capture/capture.h"
#include "capture/prefetch.h"
#include "cli/live.h"
#include "analyze/lint.h"
#include "analyze/normalize.h"
#include "report/finding_render.h"
#include "decode/decode.h"
#include "report/summary.h"
#include "report/txn_render.h"

void cmd_decode_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope decode [OPTIONS] FILE\n"
		"       scsiscope decode [OPTIONS] -i usbmonN\n"
		"\n"
		"Decode a capture into SCSI transactions over Bulk-Only (BOT) or USB\n"
		"Attached SCSI (UAS), control requests and notable USB events (errors,\n"
		"unlinked URBs, a device gone), one line each, in the order they began.\n"
		"\n"
		"Options:\n"
		"  -v, --verbose        every layer of each transaction: URB frames,\n"
		"                       CBW/CSW or IU fields, CDB fields, data, sense\n"
		"      --json           JSON lines (fields in doc/decode-json.md)\n"
		"      --device BUS:DEV only this device\n"
		"      --lun N          only SCSI transactions of this LUN\n"
		"      --frames A-B     only transactions that start in frames A..B\n"
		"      --scsi-only      leave out control requests and USB events\n"
		"      --filter EXPR    only transactions EXPR matches, e.g.\n"
		"                       'opcode==0x28 && lba>=2048', 'status!=good',\n"
		"                       'finding~\"bot-\"' (see FILTER EXPRESSIONS in\n"
		"                       scsiscope(1))\n"
		"      --all            also every URB of endpoints no decoder claims\n"
		"      --no-checks      do not run lint's checks (their ids are then not shown)\n"
		"      --data-checks    also run lint's data checks (unflushed writes, SYNCHRONIZE\n"
		"                       CACHE, data read back), which `lint` always runs\n"
		"  -o, --option NAME=VALUE\n"
		"                       a tunable of the checks, as for lint (scsiscope lint\n"
		"                       --list shows them)\n"
		"      --findings       with --json: add the findings that belong to no single\n"
		"                       transaction as {\"kind\":\"finding\"} records at the end\n"
		"      --normalized     the lines 'scsiscope diff' compares: no times, URB ids,\n"
		"                       tags, bus or device numbers (scsiscope(1), DIFF)\n"
		"      --ignore F,...   with --normalized: leave these out too, as diff --ignore\n"
		"      --compare F,...  with --normalized: keep these, as diff --compare\n"
		"      --data           with --normalized: add each payload's hash\n"
		"      --summary        per device instead of per transaction: identity,\n"
		"                       command counts, errors, bytes, latency percentiles\n"
		"                       (of the transactions the other options select)\n"
		"  -h, --help           this text\n"
		"\n"
		"Live (instead of FILE):\n"
		"  -i, --interface usbmonN\n"
		"                       decode a USB bus as it runs (usbmon0: every bus;\n"
		"                       file:PATH replays a saved usbmon capture); each\n"
		"                       transaction is printed when it ends, in the order\n"
		"                       they began, except that one open for more than\n"
		"                       0.5 s no longer holds back those that ended after\n"
		"                       it; until Ctrl-C, --count or --duration\n"
		"      --device VID:PID with -i: only this device (hex ids), followed\n"
		"                       across re-enumeration as capture --device does;\n"
		"                       frames numbered as that capture's file would be\n"
		"      --count N        stop after N packets\n"
		"      --duration D     stop after D (30, 30s, 500ms, 10m, 2h)\n"
		"      --snaplen N      bytes kept of each event (scsiscope capture --help)\n"
		"      --buffer MB      usbmon's kernel buffer\n"
		"\n"
		"Events usbmon drops (its buffer full) show as a line of their own with the\n"
		"finding capture-gap.\n"
		"\n"
		"Exit status: 0 on success (live: stopped by Ctrl-C, --count or --duration),\n"
		"2 on a usage error, a damaged file (the transactions before the damage are\n"
		"still printed) or an interface that cannot be opened.\n");
}

struct decode_run {
	bool json, verbose, scsi_only;
	bool have_device;
	uint16_t bus, device;
	bool have_lun;
	uint64_t lun;
	uint64_t frame_lo, frame_hi;
	struct filter *filter;
	bool want_summary;
	struct summary *summary;
	struct render_opts ro;
	struct strbuf out;
	uint64_t shown;
	struct normalizer *norm;  /* --normalized */
	bool norm_data;
	bool norm_failed;
	struct live_counts *live; /* -i: the counter */
};

static bool txn_device(const struct txn *t, uint16_t *bus, uint16_t *dev)
{
	switch (t->kind) {
	case TXN_SCSI: *bus = t->u.scsi.bus; *dev = t->u.scsi.device; return true;
	case TXN_CONTROL: *bus = t->u.ctl.bus; *dev = t->u.ctl.device; return true;
	case TXN_USB: *bus = t->u.note.bus; *dev = t->u.note.device; return true;
	case TXN_BT: *bus = t->u.bt.bus; *dev = t->u.bt.device; return true;
	}
	return false;
}

static void on_txn(void *ctx, const struct txn *t)
{
	struct decode_run *run = ctx;
	uint64_t frame = txn_frame(t);

	if (run->live)
		live_count_txn(run->live, t);
	if (run->scsi_only && t->kind != TXN_SCSI)
		return;
	if (run->have_device) {
		uint16_t b, d;
		if (!txn_device(t, &b, &d) || b != run->bus || d != run->device)
			return;
	}
	if (run->have_lun && (t->kind != TXN_SCSI || t->u.scsi.lun != run->lun))
		return;
	if (frame < run->frame_lo || frame > run->frame_hi)
		return;
	if (run->filter && !filter_match(run->filter, t, run->ro.t0_ns))
		return;
	if (run->summary) {
		summary_add(run->summary, t);
		return;
	}
	if (run->norm) {
		struct norm_txn nr;
		int rc = norm_add(run->norm, t, &nr, NULL);
		if (rc < 0)
			run->norm_failed = true;
		if (rc <= 0)
			return;
		norm_render(run->norm, &nr, &run->out, NULL, run->norm_data);
		sb_addc(&run->out, '\n');
	} else if (run->json)
		render_txn_json(&run->out, t, &run->ro);
	else if (run->verbose)
		render_txn_verbose(&run->out, t, &run->ro);
	else
		render_txn_line(&run->out, t, &run->ro);
	run->shown++;
	if (run->out.len >= 1 << 16) {
		fwrite(run->out.buf, 1, run->out.len, stdout);
		sb_reset(&run->out);
	}
}

/* -i: the decoder behind the live loop. */
struct decode_live {
	struct decode_run *run;
	struct decoder *dec;
	bool have_t0;
	struct live_follow *follow;   /* --device VID:PID */
};

static void live_feed(void *ctx, const struct usb_event *ev)
{
	struct decode_live *dl = ctx;

	if (!dl->have_t0) {
		dl->run->ro.t0_ns = ev->ts_ns;
		dl->have_t0 = true;
	}
	decoder_feed(dl->dec, ev);
}

static int live_packet(void *ctx, const struct cap_record *r, const struct cap_live_pkt *raw)
{
	struct decode_live *dl = ctx;

	if (r->kind != CAP_REC_USB)
		return 0;
	if (dl->follow)
		return live_follow_packet(dl->follow, r, raw);
	live_feed(dl, &r->u.usb);
	return 1;
}

static int live_tick(void *ctx, int64_t now_ns)
{
	struct decode_live *dl = ctx;
	struct strbuf *out = &dl->run->out;

	decoder_flush_stalled(dl->dec, now_ns - LIVE_HOLD_NS);
	if (out->len) {
		fwrite(out->buf, 1, out->len, stdout);
		sb_reset(out);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return -1;        /* the reader went away (a closed pipe) */
	return 0;
}

int cmd_decode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "lun", required_argument, NULL, 'l' },
		{ "frames", required_argument, NULL, 'f' },
		{ "scsi-only", no_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "no-checks", no_argument, NULL, 'N' },
		{ "findings", no_argument, NULL, 'R' },
		{ "data-checks", no_argument, NULL, 'D' },
		{ "filter", required_argument, NULL, 'F' },
		{ "option", required_argument, NULL, 'o' },
		{ "summary", no_argument, NULL, 'S' },
		{ "normalized", no_argument, NULL, 'n' },
		{ "ignore", required_argument, NULL, 'g' },
		{ "compare", required_argument, NULL, 'c' },
		{ "data", no_argument, NULL, 'H' },
		{ "interface", required_argument, NULL, 'i' },
		LIVE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct decode_run run;
	struct decoder_opts dopts = { .notes = true, .other_traffic = false };
	struct decoder *dec;
	struct cap *c;
	struct cap_record r;
	struct cap_prefetch *pf;
	struct error err;
	bool have_t0 = false, no_checks = false, want_findings = false, data_checks = false;
	struct lint *lint = NULL;
	const char *filter_expr = NULL;
	struct lint_opts lo;
	bool normalized = false, norm_opts = false;
	unsigned norm_ignore = NORM_IGNORE_DEFAULT, bits;
	char why[400];
	int opt, rc, lrc;
	struct live_opts live;
	struct live_counts counts;
	struct cap_live *lcap = NULL;
	enum live_end lend = LIVE_END_FILE;
	struct live_follow follow = { 0 };
	bool have_vidpid = false;
	uint16_t vid = 0, pid = 0;

	memset(&live, 0, sizeof(live));
	memset(&counts, 0, sizeof(counts));
	live.cmd = "decode";
	memset(&run, 0, sizeof(run));
	run.frame_hi = UINT64_MAX;
	lint_opts_default(&lo);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vho:i:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v': run.verbose = true; break;
		case 'j': run.json = true; break;
		case 'd':
			if (cli_parse_vidpid(optarg, &vid, &pid)) {
				have_vidpid = true;
				break;
			}
			if (!cli_parse_device(optarg, &run.bus, &run.device))
				return cli_usage_error("decode", "--device wants BUS:DEV (e.g. 2:3), or VID:PID with -i "
						       "(e.g. 0781:5583), not '%s'", optarg);
			run.have_device = true;
			break;
		case 'l':
			if (!cli_parse_u64(optarg, &run.lun))
				return cli_usage_error("decode", "--lun wants a number, not '%s'", optarg);
			run.have_lun = true;
			break;
		case 'f':
			if (!cli_parse_range(optarg, &run.frame_lo, &run.frame_hi))
				return cli_usage_error("decode", "--frames wants A-B, A-, -B or N, not '%s'", optarg);
			break;
		case 's': run.scsi_only = true; break;
		case 'a': dopts.other_traffic = true; break;
		case 'N': no_checks = true; break;
		case 'R': want_findings = true; break;
		case 'D': data_checks = true; break;
		case 'F': filter_expr = optarg; break;
		case 'o':
			if (lint_opts_set(&lo, optarg, why, sizeof(why)) < 0)
				return cli_usage_error("decode", "-o: %s", why);
			break;
		case 'S': run.want_summary = true; break;
		case 'n': normalized = true; break;
		case 'g':
			if (norm_fields_parse(optarg, &bits, why, sizeof(why)) < 0)
				return cli_usage_error("decode", "--ignore: %s", why);
			norm_ignore |= bits;
			norm_opts = true;
			break;
		case 'c':
			if (norm_fields_parse(optarg, &bits, why, sizeof(why)) < 0)
				return cli_usage_error("decode", "--compare: %s", why);
			norm_ignore &= ~bits;
			norm_opts = true;
			break;
		case 'H': run.norm_data = true; norm_opts = true; break;
		case 'i': live.iface = optarg; break;
		case 'h': cmd_decode_usage(stdout); return EXIT_OK;
		default:
			if ((lrc = live_option("decode", opt, optarg, &live)) >= 0) {
				if (lrc)
					return lrc;
				break;
			}
			return cli_usage_error("decode", "unknown option");
		}
	}
	if (live.iface ? optind != argc : optind != argc - 1)
		return cli_usage_error("decode", live.iface ? "takes -i or a FILE, not both" : "expects exactly one FILE");
	if (!live.iface && (live.count || live.duration_ns || live.snaplen || live.buffer_mb))
		return cli_usage_error("decode", "--count, --duration, --snaplen and --buffer go with -i");
	if (have_vidpid && !live.iface)
		return cli_usage_error("decode", "--device VID:PID follows a device on a live bus (-i); "
				       "in a file, choose it by BUS:DEV");
	if (want_findings && (!run.json || no_checks))
		return cli_usage_error("decode", "--findings goes with --json (and not with --no-checks)");
	if (norm_opts && !normalized)
		return cli_usage_error("decode", "--ignore, --compare and --data go with --normalized");
	if (normalized && (run.json || run.verbose || run.want_summary))
		return cli_usage_error("decode", "--normalized is a view of its own (not with --json, -v or --summary)");
	if (normalized && !(run.norm = norm_new(norm_ignore))) {
		fprintf(stderr, "scsiscope: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (filter_expr && filter_compile(filter_expr, &run.filter, &err) < 0) {
		norm_free(run.norm);
		return cli_usage_error("decode", "--filter: %s", err.msg);
	}
	c = NULL;
	if (live.iface) {
		live_signals();
		if (live_open(&live, &lcap) < 0) {
			filter_free(run.filter);
			norm_free(run.norm);
			return EXIT_TROUBLE;
		}
		run.live = &counts;
	} else if (cap_open(argv[optind], &c, &err) < 0) {
		filter_free(run.filter);
		norm_free(run.norm);
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	sb_init(&run.out);
	if (run.want_summary && !(run.summary = summary_new())) {
		filter_free(run.filter);
		norm_free(run.norm);
		cap_close(c);
		cap_live_close(lcap);
		fprintf(stderr, "scsiscope: out of memory\n");
		return EXIT_TROUBLE;
	}
	/* lint's checks run on every transaction, so each line shows the ids
	 * of its findings (as `scsiscope lint` reports them). */
	if (!no_checks) {
		/* The data checks (unflushed writes, SYNCHRONIZE CACHE, data read
		 * back) keep state over the whole capture and hash every block;
		 * `lint` runs them, decode only when asked. */
		lo.data_checks = data_checks;
		lint = lint_new(&lo);
		dopts.hook = lint ? lint_hook : NULL;
		dopts.hook_ctx = lint;
	}
	dec = decoder_new(&dopts, on_txn, &run);
	if (!dec) {
		lint_free(lint);
		summary_free(run.summary);
		filter_free(run.filter);
		norm_free(run.norm);
		cap_close(c);
		cap_live_close(lcap);
		fprintf(stderr, "scsiscope: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (lcap) {
		struct decode_live dl = { .run = &run, .dec = dec, .have_t0 = false };

		if (have_vidpid && live_follow_init(&follow, vid, pid, lcap, live_feed, &dl) == 0)
			dl.follow = &follow;
		if (!have_vidpid || dl.follow)
			lend = live_loop(&live, lcap, live_packet, live_tick, &dl, &counts);
		else
			lend = LIVE_END_ERROR;
		rc = 0;           /* a live error was printed by the loop */
	} else {
		/* Reading (a second thread) overlaps decoding and rendering; without
		 * the thread, read in this one: the output is the same. */
		if (cap_prefetch_start(c, &pf, &err) < 0)
			pf = NULL;
		while ((rc = pf ? cap_prefetch_next(pf, &r, &err) : cap_next(c, &r, &err)) > 0) {
			if (r.kind != CAP_REC_USB && r.kind != CAP_REC_HCI)
				continue;
			if (!have_t0) {
				run.ro.t0_ns = r.kind == CAP_REC_USB ? r.u.usb.ts_ns : r.u.hci.ts_ns;
				have_t0 = true;
			}
			decoder_feed_record(dec, &r);
		}
		cap_prefetch_stop(pf);
	}
	/* Whatever happened, show everything decoded so far. */
	decoder_finish(dec);
	if (lint) {
		lint_finish(lint);
		if (run.json && want_findings && !run.summary) {
			const struct finding *f;
			for (unsigned i = 0; (f = lint_report_at(lint, i)); i++)
				render_finding_json(&run.out, f, false, 0, 0);
		}
		lint_free(lint);
	}
	if (run.summary) {
		const struct usb_device_info *info;
		for (unsigned i = 0; (info = decoder_device_at(dec, i)); i++)
			summary_device_info(run.summary, info);
		if (run.json)
			summary_render_json(&run.out, run.summary);
		else
			summary_render_text(&run.out, run.summary);
		summary_free(run.summary);
	}
	decoder_free(dec);
	fwrite(run.out.buf, 1, run.out.len, stdout);
	fflush(stdout);
	sb_release(&run.out);
	filter_free(run.filter);
	cap_close(c);
	norm_free(run.norm);
	if (lcap) {
		live_print_summary(&live, lend, &counts);
		live_follow_done(&follow, "decode");
		cap_live_close(lcap);
		if (lend == LIVE_END_ERROR)
			return EXIT_TROUBLE;
	}
	if (run.norm_failed) {
		fprintf(stderr, "scsiscope: %s: more control transfer text than --normalized keeps (%u bytes)\n",
			live.iface ? live.iface : argv[optind], NORM_ARENA_MAX);
		return EXIT_TROUBLE;
	}
	if (rc < 0) {
		cli_print_error(&err);
		return EXIT_TROUBLE;
	}
	return EXIT_OK;
}
