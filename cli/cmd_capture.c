/* cmd_capture.c - `scsiscope capture -i usbmonN -w OUT.pcapng`: record a USB bus (or one device on it) with a live counter. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/devfilter.h"
#include "capture/live.h"
#include "capture/ring.h"
#include "cli/live.h"
#include "decode/decode.h"

void cmd_capture_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope capture -i usbmonN -w OUT.pcapng [OPTIONS]\n"
		"       scsiscope capture --list\n"
		"\n"
		"Record a USB bus through Linux usbmon (libpcap) into a pcapng file that\n"
		"scsiscope and Wireshark read, until Ctrl-C, --count or --duration.  A\n"
		"counter of packets, SCSI commands and dropped events runs on stderr.\n"
		"\n"
		"Options:\n"
		"  -i, --interface usbmonN  the bus (usbmon0: every bus; --list shows them);\n"
		"                         file:PATH replays a saved usbmon capture instead\n"
		"  -w, --write FILE       the pcapng to write (\"-\": standard output, e.g.\n"
		"                         into `wireshark -k -i -`)\n"
		"      --device VID:PID   only this device (hex ids, e.g. 0781:5583): its\n"
		"                         packets are kept across re-enumeration (a new\n"
		"                         address after a replug or reset), every other\n"
		"                         device's are left out\n"
		"      --snaplen N        bytes kept of each event, usbmon header included\n"
		"                         (default %u, the most libpcap allows)\n"
		"      --buffer MB        usbmon's kernel buffer (default %u, at most %u)\n"
		"      --size MB          start a new file when this one would pass MB\n"
		"                         megabytes: OUT_00001.pcapng, OUT_00002.pcapng, ...\n"
		"      --ring N           with --size: keep only the newest N files\n"
		"  -c, --count N          stop after N packets (written ones, with --device)\n"
		"      --duration D       stop after D (e.g. 30, 30s, 500ms, 10m, 2h)\n"
		"  -q, --quiet            no counter; only the final line\n"
		"      --list             the usbmon interfaces and the devices on each bus\n"
		"  -h, --help             this text\n"
		"\n"
		"usbmon must be loaded (`sudo modprobe usbmon`) and /dev/usbmonN readable\n"
		"(root, or see PERMISSIONS in scsiscope(1)).  Every file ends with an\n"
		"Interface Statistics Block; a packet usbmon lost events before carries\n"
		"epb_dropcount, which decode and lint report as capture-gap.\n"
		"\n"
		"Exit status: 0 when stopped by Ctrl-C, --count, --duration or the end of\n"
		"a file: source; 2 on a usage error, an interface that cannot be opened,\n"
		"or a write error.\n",
		CAP_LIVE_SNAPLEN_MAX, CAP_LIVE_BUFFER_MB_DEFAULT, CAP_LIVE_BUFFER_MB_MAX);
}

struct capture_run {
	struct cap_live *cap;
	struct ring *ring;
	struct devfilter *df;
	struct decoder *dec;
	struct live_counts *counts;
	uint64_t written;
	int failed;               /* a write error, printed */
};

static void on_txn(void *ctx, const struct txn *t)
{
	struct capture_run *run = ctx;

	live_count_txn(run->counts, t);
}

/* Write one packet and decode it (for the command counter). */
static void keep_packet(void *ctx, const struct cap_live_pkt *pkt, uint64_t drops)
{
	struct capture_run *run = ctx;
	struct cap_record r;
	struct error err;

	if (run->failed)
		return;
	if (ring_write(run->ring, pkt, drops, &err) < 0) {
		cli_print_error(&err);
		run->failed = 1;
		return;
	}
	run->written++;
	if (cap_live_parse(run->cap, pkt, run->written, &r, &err) > 0 && r.kind == CAP_REC_USB) {
		r.u.usb.drops = drops;
		decoder_feed(run->dec, &r.u.usb);
	}
}

static int on_packet(void *ctx, const struct cap_record *r, const struct cap_live_pkt *raw)
{
	struct capture_run *run = ctx;
	uint64_t before = run->written;

	if (r->kind != CAP_REC_USB)
		return 0;
	if (run->df)
		devfilter_feed(run->df, &r->u.usb, raw, keep_packet, run);
	else
		keep_packet(run, raw, r->u.usb.drops);
	if (run->failed)
		return -1;
	return (int)(run->written - before);
}

static int on_tick(void *ctx, int64_t now_ns)
{
	struct capture_run *run = ctx;
	struct error err;

	decoder_flush_stalled(run->dec, now_ns - LIVE_HOLD_NS);
	if (ring_flush(run->ring, &err) < 0) {
		cli_print_error(&err);
		return -1;
	}
	run->counts->written_bytes = ring_bytes(run->ring);
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "device", required_argument, NULL, 'D' },
		{ "size", required_argument, NULL, 'S' },
		{ "ring", required_argument, NULL, 'R' },
		LIVE_LONGOPTS,
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct live_opts lo;
	struct live_counts counts;
	struct capture_run run;
	struct ring_opts ro;
	struct decoder_opts dopts = { .notes = false };
	const char *out = NULL;
	bool have_device = false, quiet = false;
	uint16_t vid = 0, pid = 0;
	uint32_t size_mb = 0, ring_n = 0;
	enum live_end why;
	struct error err;
	int opt, status, lrc;

	memset(&lo, 0, sizeof(lo));
	memset(&counts, 0, sizeof(counts));
	memset(&run, 0, sizeof(run));
	lo.cmd = "capture";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:w:c:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': lo.iface = optarg; break;
		case 'w': out = optarg; break;
		case 'D':
			if (!cli_parse_vidpid(optarg, &vid, &pid))
				return cli_usage_error("capture", "--device wants VID:PID in hex (e.g. 0781:5583), not '%s'",
						       optarg);
			have_device = true;
			break;
		case 'S':
			if (!cli_parse_u32(optarg, 1, 1u << 20, &size_mb))
				return cli_usage_error("capture", "--size wants a number of megabytes (1..1048576), not '%s'",
						       optarg);
			break;
		case 'R':
			if (!cli_parse_u32(optarg, 2, 100000, &ring_n))
				return cli_usage_error("capture", "--ring wants a number of files (2..100000), not '%s'", optarg);
			break;
		case 'c': /* -c, --count */
			if ((lrc = live_option("capture", LIVE_OPT_COUNT, optarg, &lo)) != 0)
				return lrc;
			break;
		case 'q': quiet = true; break;
		case 'L':
			live_list_interfaces(stdout, getenv("SCSISCOPE_SYSROOT"));
			return EXIT_OK;
		case 'h': cmd_capture_usage(stdout); return EXIT_OK;
		default:
			if ((lrc = live_option("capture", opt, optarg, &lo)) >= 0) {
				if (lrc)
					return lrc;
				break;
			}
			return cli_usage_error("capture", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("capture", "takes no FILE argument (-w names the output)");
	if (!lo.iface)
		return cli_usage_error("capture", "needs -i usbmonN (--list shows the buses)");
	if (!out)
		return cli_usage_error("capture", "needs -w OUT.pcapng");
	if (ring_n && !size_mb)
		return cli_usage_error("capture", "--ring goes with --size (the size of each file)");
	if (size_mb && strcmp(out, "-") == 0)
		return cli_usage_error("capture", "--size and --ring write files, not standard output");
	lo.counter = !quiet;

	live_signals();
	if (live_open(&lo, &run.cap) < 0)
		return EXIT_TROUBLE;
	memset(&ro, 0, sizeof(ro));
	ro.path = out;
	ro.size_bytes = (uint64_t)size_mb * 1000000;
	ro.files = ring_n;
	ro.linktype = cap_live_linktype(run.cap);
	ro.snaplen = cap_live_snaplen(run.cap);
	ro.if_name = strncmp(lo.iface, "file:", 5) ? lo.iface : NULL;
	if (ring_open(&ro, &run.ring, &err) < 0) {
		cli_print_error(&err);
		cap_live_close(run.cap);
		return EXIT_TROUBLE;
	}
	if (have_device && !(run.df = devfilter_new(vid, pid, getenv("SCSISCOPE_SYSROOT")))) {
		fprintf(stderr, "scsiscope: out of memory\n");
		ring_close(run.ring, 0, &err);
		cap_live_close(run.cap);
		return EXIT_TROUBLE;
	}
	run.counts = &counts;
	run.dec = decoder_new(&dopts, on_txn, &run);
	if (!run.dec) {
		fprintf(stderr, "scsiscope: out of memory\n");
		devfilter_free(run.df);
		ring_close(run.ring, 0, &err);
		cap_live_close(run.cap);
		return EXIT_TROUBLE;
	}
	if (!quiet) {
		fprintf(stderr, "scsiscope capture: %s -> %s", lo.iface, out);
		if (have_device)
			fprintf(stderr, ", only device %04x:%04x", vid, pid);
		if (size_mb)
			fprintf(stderr, ", files of %u MB%s", size_mb, ring_n ? "" : " (all kept)");
		if (ring_n)
			fprintf(stderr, ", the newest %u kept", ring_n);
		fputs(" (Ctrl-C stops)\n", stderr);
	}
	why = live_loop(&lo, run.cap, on_packet, on_tick, &run, &counts);
	decoder_finish(run.dec);
	status = why == LIVE_END_ERROR ? EXIT_TROUBLE : EXIT_OK;
	if (ring_close(run.ring, counts.drops, &err) < 0) {
		cli_print_error(&err);
		status = EXIT_TROUBLE;
	}
	live_print_summary(&lo, why, &counts);
	if (run.df) {
		struct devfilter_stats ds;
		devfilter_get_stats(run.df, &ds);
		fprintf(stderr, "scsiscope capture: device %04x:%04x: %" PRIu64 " packets written, %" PRIu64
			" of other devices left out%s", vid, pid, ds.kept, ds.left_out,
			ds.matched ? "" : " (the device was not seen)");
		if (ds.held_dropped)
			fprintf(stderr, ", %" PRIu64 " of unidentified addresses not written", ds.held_dropped);
		fputc('\n', stderr);
	}
	if (counts.drops)
		fprintf(stderr, "scsiscope capture: usbmon dropped %" PRIu64 " events (its buffer was full): "
			"capture with a larger --buffer or a smaller --snaplen; decode and lint report "
			"the gaps as capture-gap\n", counts.drops);
	decoder_free(run.dec);
	devfilter_free(run.df);
	cap_live_close(run.cap);
	return status;
}
