/* cmd_replay.c - `scsiscope replay SEQ`: send a replay script's commands to a live device through libusb and compare every answer with the recording. */
#include "config.h"
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/scsi.h"
#include "replay/record.h"
#include "replay/run.h"
#include "replay/script.h"
#include "replay/usb.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void cmd_replay_usage(FILE *out)
{
	fprintf(out,
		"Usage: scsiscope replay SEQ [--device VID:PID[:SERIAL] | --bus-dev B:D] [OPTIONS]\n"
		"       scsiscope replay --list\n"
		"\n"
		"Send the commands of a replay script ('scsiscope extract') to a live USB\n"
		"storage device through libusb, over Bulk-Only or UAS, and compare every answer\n"
		"with the recording: a verdict line per command, then a summary.  The kernel\n"
		"driver is detached for the replay and re-attached afterwards, on errors and\n"
		"on Ctrl-C too.\n"
		"\n"
		"Device:\n"
		"      --list              list USB mass-storage devices and exit\n"
		"      --device VID:PID[:SERIAL]  the device (default: the script's identity)\n"
		"      --bus-dev B:D       the device at bus B, address D\n"
		"      --transport bot|uas the interface alternate setting to use (default:\n"
		"                          the script's)\n"
		"      --force-device      do not check the device against the script's identity\n"
		"                          (VID:PID, serial, INQUIRY vendor and product)\n"
		"Replay:\n"
		"      --compare LIST      what to compare: status,sense,data (default: all\n"
		"                          that was recorded)\n"
		"      --timing original|none  keep the recording's gaps between commands, or\n"
		"                          send at once (default none)\n"
		"      --repeat N          run the script N times\n"
		"      --on-error stop|continue  stop at the first command that differs\n"
		"                          (default continue)\n"
		"      --timeout D         every command's timeout (e.g. 500ms, 2s; default the\n"
		"                          script's, else 5s); a silent device is a timeout\n"
		"      --record OUT.pcapng write what was sent and received as a usbmon pcapng\n"
		"                          (link type 220) for decode, diff and Wireshark\n"
		"Safety:\n"
		"      --allow-writes      send commands that change the medium, configuration\n"
		"                          or firmware (WRITE*, WRITE SAME, UNMAP, FORMAT UNIT,\n"
		"                          WRITE BUFFER, MODE SELECT, SANITIZE, SECURITY\n"
		"                          PROTOCOL OUT, ATA PASS-THROUGH, ...)\n"
		"      --allow-vendor      send vendor-specific opcodes (C0h-FFh)\n"
		"      --skip-unsafe       skip the commands those options would allow, instead\n"
		"                          of refusing the whole script\n"
		"      --dry-run           print the exact bytes each command would send; send\n"
		"                          nothing, open no device\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit status: 0 every answer as recorded, 1 a command differed, timed out or\n"
		"failed, 2 usage error, a bad script, a refused command, no device, or the\n"
		"replay was interrupted.\n");
}

/* A duration: a number with us, ms or s (ms when no unit). */
static bool parse_duration(const char *s, int64_t *us)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return false;
	if (!strcmp(end, "us"))
		v *= 1;
	else if (!strcmp(end, "ms") || !*end)
		v *= 1000;
	else if (!strcmp(end, "s"))
		v *= 1000000;
	else
		return false;
	if (v < 1 || v > RS_DURATION_MAX)
		return false;
	*us = (int64_t)v;
	return true;
}

static bool parse_vidpid(const char *s, struct rp_usb_select *sel)
{
	unsigned v, p;
	int n = 0;

	if (sscanf(s, "%4x:%4x%n", &v, &p, &n) != 2 || (s[n] && s[n] != ':') || n != 9)
		return false;
	sel->by_id = true;
	sel->vid = (uint16_t)v;
	sel->pid = (uint16_t)p;
	if (s[n] == ':')
		snprintf(sel->serial, sizeof(sel->serial), "%s", s + n + 1);
	return true;
}

/* The INQUIRY the identity check sends (before the script and the record). */
static int check_inquiry(struct rp_session *sess, const struct rs_script *s, uint8_t transport, char *why, size_t size)
{
	uint8_t cdb[6] = { 0x12, 0, 0, 0, 36, 0 }, in[36];
	struct rp_cmd c;
	struct rp_result r;
	struct inquiry_id id;

	memset(&c, 0, sizeof(c));
	c.cdb = cdb;
	c.cdb_len = 6;
	c.dir = SCSI_DIR_IN;
	c.len = 36;
	c.in = in;
	c.lun = transport == RS_TRANSPORT_UAS ? (s->transport == RS_TRANSPORT_BOT ? s->lun << 48 : s->lun)
					       : (s->transport == RS_TRANSPORT_UAS ? (s->lun >> 48) & 0xff : s->lun);
	c.timeout_ms = 5000;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (transport == RS_TRANSPORT_UAS)
			uas_command(&sess->uas, &c, &r);
		else
			bot_command(&sess->bot, &c, &r);
		if (r.outcome == RP_DONE && r.status == 0)
			break;
	}
	if (r.outcome != RP_DONE || r.status != 0 || !scsi_inquiry_parse(in, r.data_len, &id)) {
		snprintf(why, size, "the identity check's INQUIRY failed (%s)", r.note[0] ? r.note : "no INQUIRY data");
		return -1;
	}
	if ((s->vendor[0] && strcmp(s->vendor, id.vendor)) || (s->product[0] && strcmp(s->product, id.product))) {
		snprintf(why, size, "INQUIRY says \"%s\" \"%s\", the script \"%s\" \"%s\"", id.vendor, id.product, s->vendor,
			 s->product);
		return -1;
	}
	return 0;
}

/* The device's enumeration, read again through the recorder so the record
 * decodes on its own (GET_DESCRIPTOR device, configuration, serial string;
 * the SET_INTERFACE open made). */
static void record_enumeration(struct rp_recorder *rec, const struct rp_usb_info *info)
{
	const struct rp_io *io = rp_recorder_io(rec);
	uint8_t buf[1024], dev[18];
	uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
	uint8_t get_cfg[8] = { 0x80, 0x06, 0x00, 0x02, 0, 0, 9, 0 };
	uint8_t get_str[8] = { 0x80, 0x06, 0x00, 0x03, 0, 0, 0xff, 0 };
	uint32_t n = 0;

	if (io->control(io->ctx, get_dev, dev, 1000, &n, NULL, NULL) != RP_OK || n < 18)
		return;
	if (io->control(io->ctx, get_cfg, buf, 1000, &n, NULL, NULL) == RP_OK && n >= 4) {
		uint16_t total = (uint16_t)(buf[2] | buf[3] << 8);
		if (total > sizeof(buf))
			total = sizeof(buf);
		get_cfg[6] = (uint8_t)total;
		get_cfg[7] = (uint8_t)(total >> 8);
		io->control(io->ctx, get_cfg, buf, 1000, &n, NULL, NULL);
	}
	if (dev[16] && io->control(io->ctx, get_str, buf, 1000, &n, NULL, NULL) == RP_OK && n >= 4) {
		get_str[2] = dev[16];
		get_str[4] = buf[2];
		get_str[5] = buf[3];
		io->control(io->ctx, get_str, buf, 1000, &n, NULL, NULL);
	}
	if (info->alt_set) {
		uint8_t set_if[8] = { 0x01, 0x0b, info->alt, 0, info->interface, 0, 0, 0 };
		rp_recorder_control(rec, set_if, NULL, 0, RP_OK, info->alt_t0, info->alt_t1);
	}
}

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'L' },
		{ "device", required_argument, NULL, 'D' },
		{ "bus-dev", required_argument, NULL, 'B' },
		{ "transport", required_argument, NULL, 'T' },
		{ "force-device", no_argument, NULL, 'F' },
		{ "compare", required_argument, NULL, 'C' },
		{ "timing", required_argument, NULL, 'M' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "on-error", required_argument, NULL, 'E' },
		{ "timeout", required_argument, NULL, 't' },
		{ "record", required_argument, NULL, 'r' },
		{ "allow-writes", no_argument, NULL, 'W' },
		{ "allow-vendor", no_argument, NULL, 'V' },
		{ "skip-unsafe", no_argument, NULL, 'S' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_opts o;
	struct rp_usb_select sel;
	struct rs_script script;
	struct rp_usb *usb = NULL;
	struct rp_recorder *rec = NULL;
	struct rp_session sess;
	struct replay_summary sum;
	struct strbuf gate = STRBUF_INIT;
	const struct rp_usb_info *info;
	const struct rp_io *io;
	const char *record_path = NULL, *seq;
	bool list = false, force = false, dry = false, have_sel = false, detached;
	uint8_t want_transport = RS_TRANSPORT_UNSET;
	char err[1024];
	uint64_t v;
	size_t refused;
	int opt, rc = EXIT_OK;
	struct sigaction sa;

	memset(&o, 0, sizeof(o));
	memset(&sel, 0, sizeof(sel));
	o.compare = CMP_ALL;
	o.repeat = 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'L': list = true; break;
		case 'D':
			if (have_sel || !parse_vidpid(optarg, &sel))
				return cli_usage_error("replay", "--device wants VID:PID or VID:PID:SERIAL in hex (one device), not '%s'",
						       optarg);
			have_sel = true;
			break;
		case 'B': {
			uint16_t b, d;
			if (have_sel || !cli_parse_device(optarg, &b, &d) || b > 255 || d > 127)
				return cli_usage_error("replay", "--bus-dev wants BUS:ADDRESS (one device), not '%s'", optarg);
			sel.by_busdev = true;
			sel.bus = (uint8_t)b;
			sel.dev = (uint8_t)d;
			have_sel = true;
			break;
		}
		case 'T':
			if (!strcmp(optarg, "bot"))
				want_transport = RS_TRANSPORT_BOT;
			else if (!strcmp(optarg, "uas"))
				want_transport = RS_TRANSPORT_UAS;
			else
				return cli_usage_error("replay", "--transport wants bot or uas, not '%s'", optarg);
			break;
		case 'F': force = true; break;
		case 'C':
			if (!(o.compare = rp_compare_parse(optarg)))
				return cli_usage_error("replay", "--compare wants a list of status, sense, data, not '%s'", optarg);
			break;
		case 'M':
			if (strcmp(optarg, "original") && strcmp(optarg, "none"))
				return cli_usage_error("replay", "--timing wants original or none, not '%s'", optarg);
			o.timing_original = !strcmp(optarg, "original");
			break;
		case 'R':
			if (!cli_parse_u64(optarg, &v) || v < 1 || v > RP_REPEAT_MAX)
				return cli_usage_error("replay", "--repeat wants 1 to %d, not '%s'", RP_REPEAT_MAX, optarg);
			o.repeat = (unsigned)v;
			break;
		case 'E':
			if (strcmp(optarg, "stop") && strcmp(optarg, "continue"))
				return cli_usage_error("replay", "--on-error wants stop or continue, not '%s'", optarg);
			o.stop_on_error = !strcmp(optarg, "stop");
			break;
		case 't':
			if (!parse_duration(optarg, &o.timeout_us))
				return cli_usage_error("replay", "--timeout wants a duration such as 500ms or 2s (at most 1 hour), not '%s'",
						       optarg);
			break;
		case 'r': record_path = optarg; break;
		case 'W': o.allow_writes = true; break;
		case 'V': o.allow_vendor = true; break;
		case 'S': o.skip_unsafe = true; break;
		case 'N': dry = true; break;
		case 'h': cmd_replay_usage(stdout); return EXIT_OK;
		default: return cli_usage_error("replay", "unknown option");
		}
	}
	if (list) {
		int n;
		if (optind != argc)
			return cli_usage_error("replay", "--list takes no script");
		if ((n = rp_usb_list(stdout, err, sizeof(err))) < 0) {
			fprintf(stderr, "scsiscope: replay: %s\n", err);
			return EXIT_TROUBLE;
		}
		if (!n)
			fprintf(stderr, "scsiscope: replay: no USB mass-storage device\n");
		return EXIT_OK;
	}
	if (optind != argc - 1)
		return cli_usage_error("replay", "expects exactly one script (SEQ)");
	if (dry && record_path)
		return cli_usage_error("replay", "--dry-run sends nothing: there is nothing to --record");
	seq = argv[optind];
	if (rs_parse_file(seq, &script, err, sizeof(err)) < 0) {
		fprintf(stderr, "scsiscope: %s\n", err);
		return EXIT_TROUBLE;
	}
	o.script_path = seq;
	o.transport = want_transport ? want_transport : script.transport ? script.transport : RS_TRANSPORT_BOT;

	/* the safety gate, before anything is opened */
	sb_init(&gate);
	refused = replay_gate(&script, &o, &gate);
	if (refused && !o.skip_unsafe) {
		fprintf(stderr, "%s", gate.buf);
		fprintf(stderr,
			"scsiscope: replay: %zu command%s refused; nothing %s sent (--allow-writes, --allow-vendor, or "
			"--skip-unsafe to replay the rest)\n",
			refused, refused == 1 ? "" : "s", dry ? "would be" : "was");
		if (!dry) {
			sb_release(&gate);
			rs_free(&script);
			return EXIT_TROUBLE;
		}
	}
	sb_release(&gate);
	if (dry) {
		if (replay_dry_run(&script, &o, stdout, err, sizeof(err)) < 0) {
			fprintf(stderr, "scsiscope: %s\n", err);
			rc = EXIT_TROUBLE;
		} else if (refused && !o.skip_unsafe) {
			rc = EXIT_TROUBLE;
		}
		rs_free(&script);
		return rc;
	}

	/* the device: signals first, so every exit path gives it back */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!have_sel && script.has_device && !force) {
		sel.by_id = true;
		sel.vid = script.vid;
		sel.pid = script.pid;
		snprintf(sel.serial, sizeof(sel.serial), "%s", script.serial);
	}
	if (rp_usb_open(&sel, o.transport, &stop_flag, &usb, err, sizeof(err)) < 0) {
		fprintf(stderr, "scsiscope: replay: %s\n", err);
		rs_free(&script);
		return EXIT_TROUBLE;
	}
	info = rp_usb_get_info(usb);
	fprintf(stderr,
		"scsiscope: replay: %03u:%03u %04x:%04x serial \"%s\", interface %u alt %u, %s%s%s\n", info->bus,
		info->addr, info->vid, info->pid, info->serial, info->interface, info->alt,
		info->transport == RS_TRANSPORT_UAS ? "UAS" : "Bulk-Only",
		info->streams ? " with streams" : "", info->driver_detached ? ", kernel driver detached" : "");
	if (!force && script.has_device &&
	    (info->vid != script.vid || info->pid != script.pid || (script.serial[0] && strcmp(script.serial, info->serial)))) {
		fprintf(stderr, "scsiscope: replay: the device is %04x:%04x \"%s\", the script's %04x:%04x \"%s\" (--force-device)\n",
			info->vid, info->pid, info->serial, script.vid, script.pid, script.serial);
		rc = EXIT_TROUBLE;
		goto out;
	}
	memset(&sess, 0, sizeof(sess));
	sess.transport = o.transport;
	io = rp_usb_io(usb);
	sess.bot.io = sess.uas.io = io;
	sess.bot.ep_in = sess.uas.ep_in = info->ep_in;
	sess.bot.ep_out = sess.uas.ep_out = info->ep_out;
	sess.bot.interface = sess.uas.interface = info->interface;
	sess.bot.tag = 1;
	sess.uas.ep_cmd = info->ep_cmd;
	sess.uas.ep_status = info->ep_status;
	sess.uas.streams = info->streams;
	sess.uas.nstreams = info->nstreams;
	sess.interrupted = io->interrupted;
	sess.ctx = io->ctx;
	if (!force && (script.vendor[0] || script.product[0]) &&
	    check_inquiry(&sess, &script, o.transport, err, sizeof(err)) < 0) {
		fprintf(stderr, "scsiscope: replay: not the script's device: %s (--force-device)\n", err);
		rc = EXIT_TROUBLE;
		goto out;
	}
	sess.bot.tag = 1;
	sess.uas.tag = 0;
	if (record_path) {
		if (rp_recorder_open(record_path, io, info->bus, info->addr, &rec, err, sizeof(err)) < 0) {
			fprintf(stderr, "scsiscope: replay: %s\n", err);
			rc = EXIT_TROUBLE;
			goto out;
		}
		record_enumeration(rec, info);
		io = rp_recorder_io(rec);
		sess.bot.io = sess.uas.io = io;
	}
	if (o.transport == RS_TRANSPORT_BOT) {
		uint8_t max_lun = 0;
		if (bot_get_max_lun(&sess.bot, &max_lun) == RP_OK)
			fprintf(stderr, "scsiscope: replay: GET MAX LUN: %u\n", max_lun);
	}
	if (replay_run(&script, &o, &sess, stdout, &sum, err, sizeof(err)) < 0) {
		fprintf(stderr, "scsiscope: %s\n", err);
		rc = EXIT_TROUBLE;
	} else {
		replay_print_summary(&sum, stdout);
		if (sum.count[VERDICT_DIFFER] || sum.count[VERDICT_TIMEOUT] || sum.count[VERDICT_FAILED])
			rc = EXIT_FINDINGS;
		if (stop_flag) {
			fprintf(stderr, "scsiscope: replay: interrupted\n");
			rc = EXIT_TROUBLE;
		}
	}
out:
	fflush(stdout);
	if (rec) {
		uint64_t events = rp_recorder_events(rec);
		if (rp_recorder_close(rec, err, sizeof(err)) < 0) {
			fprintf(stderr, "scsiscope: replay: %s: %s\n", record_path, err);
			rc = EXIT_TROUBLE;
		} else {
			fprintf(stderr, "scsiscope: replay: %" PRIu64 " USB events recorded in %s\n", events, record_path);
		}
	}
	detached = info && info->driver_detached;
	if (rp_usb_close(usb, err, sizeof(err)) < 0) {
		fprintf(stderr, "scsiscope: replay: %s\n", err);
		rc = EXIT_TROUBLE;
	} else if (detached) {
		fprintf(stderr, "scsiscope: replay: kernel driver re-attached\n");
	}
	rs_free(&script);
	return rc;
}
