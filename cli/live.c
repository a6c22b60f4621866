/* live.c - the live loop behind `capture`, `decode -i` and `lint -i`: open with advice, signals, --count/--duration, idle ticks, the counter. */
#include "config.h"
#include "cli/live.h"

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/devfilter.h"
#include "cli/cli.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

void live_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the wait in poll() returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int live_signal(void) { return got_signal; }

int live_open(const struct live_opts *o, struct cap_live **out)
{
	struct cap_live_opts co;
	struct error err;
	char hint[1024];

	memset(&co, 0, sizeof(co));
	co.iface = o->iface;
	co.snaplen = o->snaplen;
	co.buffer_mb = o->buffer_mb;
	co.follow = o->follow;
	co.sysroot = getenv("SCSISCOPE_SYSROOT");    /* tests: a fake /sys and /dev */
	co.hint = hint;
	co.hint_len = sizeof(hint);
	if (cap_live_open(&co, out, &err) < 0) {
		cli_print_error(&err);
		if (hint[0]) {
			char *line = hint, *nl;
			for (; line && *line; line = nl ? nl + 1 : NULL) {
				nl = strchr(line, '\n');
				fprintf(stderr, "scsiscope: %s%.*s\n", line == hint ? "hint: " : "  ",
					nl ? (int)(nl - line) : (int)strlen(line), line);
			}
		}
		return -1;
	}
	fprintf(stderr, "scsiscope %s: listening on %s, link type %s (%d), snapshot length %u bytes\n", o->cmd, o->iface,
		cap_linktype_name(cap_live_linktype(*out)), cap_live_linktype(*out), cap_live_snaplen(*out));
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void print_counter(const struct live_opts *o, const struct live_counts *c, bool final)
{
	char size[32] = "";

	if (c->written_bytes)
		snprintf(size, sizeof(size), ", %.1f MB written", (double)c->written_bytes / 1e6);
	fprintf(stderr, "%s%s: %" PRIu64 " packets, %" PRIu64 " commands, %" PRIu64 " dropped%s%s",
		isatty(STDERR_FILENO) ? "\r" : "", o->iface, c->packets, c->commands, c->drops, size,
		final ? "" : "   ");
	if (!isatty(STDERR_FILENO))
		fputc('\n', stderr);
	fflush(stderr);
}

enum live_end live_loop(const struct live_opts *o, struct cap_live *cap, live_packet_cb pkt, live_tick_cb tick,
			void *ctx, struct live_counts *counts)
{
	int64_t start = mono_ns(), last_tick = start, last_counter = start;
	int64_t last_ts = 0, last_ts_at = start;
	/* on a terminal the counter is redrawn in place; elsewhere a line every 10 s */
	int64_t counter_every = isatty(STDERR_FILENO) ? 250000000LL : 10000000000LL;
	unsigned since_tick = 0;
	enum live_end why;
	struct cap_live_stats st;

	for (;;) {
		struct cap_record r;
		struct cap_live_pkt raw;
		struct error err;
		bool ended = false;
		int64_t now;
		int rc;

		if (got_signal) {
			why = LIVE_END_SIGNAL;
			break;
		}
		if (o->count && counts->taken >= o->count) {
			why = LIVE_END_COUNT;
			break;
		}
		now = mono_ns();
		if (o->duration_ns && now - start >= o->duration_ns) {
			why = LIVE_END_DURATION;
			break;
		}
		rc = cap_live_next(cap, since_tick >= 256 ? 0 : LIVE_POLL_MS, &r, &raw, &ended, &err);
		if (rc < 0) {
			cli_print_error(&err);
			why = LIVE_END_ERROR;
			break;
		}
		if (rc > 0) {
			int took;

			counts->packets++;
			if (r.kind == CAP_REC_USB) {
				last_ts = r.u.usb.ts_ns;
				last_ts_at = mono_ns();
			}
			took = pkt(ctx, &r, &raw);
			if (took < 0) {
				why = LIVE_END_ERROR;
				break;
			}
			counts->taken += (uint64_t)took;
			since_tick++;
		}
		now = mono_ns();
		if (rc == 0 || since_tick >= 256 || now - last_tick >= LIVE_POLL_MS * 1000000LL) {
			cap_live_stats(cap, &st);
			counts->drops = st.drops;
			if (tick(ctx, last_ts + (now - last_ts_at)) < 0) {
				why = LIVE_END_ERROR;
				break;
			}
			since_tick = 0;
			last_tick = now;
		}
		if (o->counter && now - last_counter >= counter_every) {
			print_counter(o, counts, false);
			last_counter = now;
		}
		if (rc == 0 && ended) {
			why = LIVE_END_FILE;
			break;
		}
	}
	/* drops after the last packet */
	cap_live_stats(cap, &st);
	counts->drops = st.drops;
	return why;
}

void live_print_summary(const struct live_opts *o, enum live_end why, const struct live_counts *c)
{
	const char *w = "";
	char sig[32];

	switch (why) {
	case LIVE_END_SIGNAL:
		snprintf(sig, sizeof(sig), "stopped by %s", got_signal == SIGINT ? "SIGINT" : got_signal == SIGTERM ?
			 "SIGTERM" : "SIGHUP");
		w = sig;
		break;
	case LIVE_END_COUNT: w = "--count reached"; break;
	case LIVE_END_DURATION: w = "--duration reached"; break;
	case LIVE_END_FILE: w = "end of file"; break;
	case LIVE_END_ERROR: w = "stopped by an error"; break;
	}
	if (isatty(STDERR_FILENO))
		fputs("\r", stderr);
	fprintf(stderr, "scsiscope %s: %s: %" PRIu64 " packets, %" PRIu64 " commands, %" PRIu64 " dropped (%s)\n",
		o->cmd, o->iface, c->packets, c->commands, c->drops, w);
}

int live_option(const char *cmd, int opt, const char *arg, struct live_opts *o)
{
	switch (opt) {
	case LIVE_OPT_COUNT:
		if (!cli_parse_u64(arg, &o->count) || !o->count)
			return cli_usage_error(cmd, "--count wants a positive number, not '%s'", arg);
		return 0;
	case LIVE_OPT_DURATION:
		if (!cli_parse_duration_ns(arg, &o->duration_ns))
			return cli_usage_error(cmd, "--duration wants a duration such as 30, 30s, 500ms, 10m or 2h, not '%s'",
					       arg);
		return 0;
	case LIVE_OPT_SNAPLEN:
		if (!cli_parse_u32(arg, 64, CAP_LIVE_SNAPLEN_MAX, &o->snaplen))
			return cli_usage_error(cmd, "--snaplen wants 64..%u (the usbmon header is 64 bytes), not '%s'",
					       CAP_LIVE_SNAPLEN_MAX, arg);
		return 0;
	case LIVE_OPT_BUFFER:
		if (!cli_parse_u32(arg, 1, CAP_LIVE_BUFFER_MB_MAX, &o->buffer_mb))
			return cli_usage_error(cmd, "--buffer wants 1..%u (MB), not '%s'", CAP_LIVE_BUFFER_MB_MAX, arg);
		return 0;
	}
	return -1;
}

bool cli_parse_vidpid(const char *s, uint16_t *vid, uint16_t *pid)
{
	unsigned v, p;
	int n = 0;

	if (sscanf(s, "%4x:%4x%n", &v, &p, &n) != 2 || s[n] || n != 9)
		return false;
	*vid = (uint16_t)v;
	*pid = (uint16_t)p;
	return true;
}

bool cli_parse_duration_ns(const char *s, int64_t *ns)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0))
		return false;
	if (!*end || !strcmp(end, "s"))
		v *= 1e9;
	else if (!strcmp(end, "ms"))
		v *= 1e6;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		v *= 60e9;
	else if (!strcmp(end, "h"))
		v *= 3600e9;
	else
		return false;
	if (v < 1e6 || v > 366 * 86400e9)   /* 1 ms .. a year */
		return false;
	*ns = (int64_t)v;
	return true;
}

bool cli_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;

	if (!cli_parse_u64(s, &v) || v < lo || v > hi)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A sysfs attribute's text (first line), "" when absent. */
static void attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *fp;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(fp = fopen(path, "r")))
		return;
	if (fgets(buf, (int)len, fp))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void live_list_interfaces(FILE *out, const char *sysroot)
{
	char root[PATH_MAX];
	char *names[1024];
	unsigned n = 0;
	struct dirent *de;
	DIR *d;
	bool loaded;

	snprintf(root, sizeof(root), "%s/sys/module/usbmon", sysroot ? sysroot : "");
	loaded = access(root, F_OK) == 0;
	snprintf(root, sizeof(root), "%s/sys/bus/usb/devices", sysroot ? sysroot : "");
	d = opendir(root);
	while (d && n < 1024 && (de = readdir(d)))
		if (de->d_name[0] != '.' && !strchr(de->d_name, ':'))
			names[n++] = strdup(de->d_name);
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	fprintf(out, "usbmon0    every bus\n");
	for (unsigned i = 0; i < n; i++) {
		char dir[PATH_MAX + 300], v[16], p[16], busnum[16], devnum[16], mf[128], prod[128], speed[16];
		if (!names[i] || strncmp(names[i], "usb", 3) != 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, names[i]);
		attr(dir, "busnum", busnum, sizeof(busnum));
		attr(dir, "product", prod, sizeof(prod));
		fprintf(out, "usbmon%-4s bus %s: %s\n", busnum, busnum, prod[0] ? prod : names[i]);
		for (unsigned j = 0; j < n; j++) {
			char b2[16];
			if (!names[j] || !strncmp(names[j], "usb", 3))
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", root, names[j]);
			attr(dir, "busnum", b2, sizeof(b2));
			if (strcmp(b2, busnum) != 0)
				continue;
			attr(dir, "devnum", devnum, sizeof(devnum));
			attr(dir, "idVendor", v, sizeof(v));
			attr(dir, "idProduct", p, sizeof(p));
			attr(dir, "manufacturer", mf, sizeof(mf));
			attr(dir, "product", prod, sizeof(prod));
			attr(dir, "speed", speed, sizeof(speed));
			fprintf(out, "             %s:%-3s %s:%s  %s%s%s  (%s, %s Mb/s)\n", busnum, devnum, v, p, mf,
				mf[0] && prod[0] ? " " : "", prod, names[j], speed[0] ? speed : "?");
		}
	}
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	if (!loaded)
		fprintf(out, "(usbmon is not loaded: `sudo modprobe usbmon` before capturing)\n");
}

/* ------------------------------------------------------------ --device VID:PID */

int live_follow_init(struct live_follow *f, uint16_t vid, uint16_t pid, struct cap_live *cap, live_follow_feed feed,
		     void *ctx)
{
	memset(f, 0, sizeof(*f));
	f->df = devfilter_new(vid, pid, getenv("SCSISCOPE_SYSROOT"));
	if (!f->df) {
		fprintf(stderr, "scsiscope: out of memory\n");
		return -1;
	}
	f->cap = cap;
	f->feed = feed;
	f->ctx = ctx;
	f->vid = vid;
	f->pid = pid;
	return 0;
}

static void follow_emit(void *ctx, const struct cap_live_pkt *pkt, uint64_t drops)
{
	struct live_follow *f = ctx;
	struct cap_record r;
	struct error err;

	/* the packet parsed when it came, so it parses again */
	if (cap_live_parse(f->cap, pkt, ++f->frames, &r, &err) <= 0 || r.kind != CAP_REC_USB)
		return;
	r.u.usb.drops = drops;
	f->feed(f->ctx, &r.u.usb);
	f->fed++;
}

int live_follow_packet(struct live_follow *f, const struct cap_record *r, const struct cap_live_pkt *raw)
{
	if (r->kind != CAP_REC_USB)
		return 0;
	f->fed = 0;
	devfilter_feed(f->df, &r->u.usb, raw, follow_emit, f);
	return f->fed;
}

void live_follow_done(struct live_follow *f, const char *cmd)
{
	struct devfilter_stats ds;

	if (!f->df)
		return;
	devfilter_get_stats(f->df, &ds);
	fprintf(stderr, "scsiscope %s: device %04x:%04x: %" PRIu64 " packets kept, %" PRIu64
		" of other devices left out%s", cmd, f->vid, f->pid, ds.kept, ds.left_out,
		ds.matched ? "" : " (the device was not seen)");
	if (ds.held_dropped)
		fprintf(stderr, ", %" PRIu64 " of unidentified addresses not shown", ds.held_dropped);
	fputc('\n', stderr);
	devfilter_free(f->df);
	f->df = NULL;
}
