/* live.h - what `capture`, `decode -i` and `lint -i` share: opening usbmon with advice, signals, stop conditions, the loop, the stderr counter. */
#ifndef SCSISCOPE_CLI_LIVE_H
#define SCSISCOPE_CLI_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/live.h"
#include "decode/decode.h"

/* How long a transaction may stay open, holding back the finished ones
 * after it, before live output passes it over (decoder_flush_stalled). */
#define LIVE_HOLD_NS (500 * 1000000LL)
/* How long the loop waits for a packet before it flushes output and
 * looks at signals and the clock. */
#define LIVE_POLL_MS 100

struct live_opts {
	const char *cmd;          /* for messages: "capture", "decode", "lint" */
	const char *iface;        /* usbmonN or file:PATH */
	uint32_t snaplen;         /* 0: the largest */
	uint32_t buffer_mb;       /* 0: the default */
	uint64_t count;           /* stop after this many packets taken (0: no limit) */
	int64_t duration_ns;      /* stop after this long (0: no limit) */
	bool counter;             /* the live counter on stderr */
	bool follow;              /* file: keep reading what is appended (tui -i) */
};

/* What the loop counts (the caller fills commands and written). */
struct live_counts {
	uint64_t packets;         /* packets read from the bus */
	uint64_t taken;           /* packets the caller took (capture --device: written) */
	uint64_t commands;        /* SCSI commands decoded */
	uint64_t drops;           /* events usbmon lost */
	uint64_t written_bytes;   /* capture: bytes of pcapng written */
};

/* Per packet: return 1 if taken (counts toward --count), 0 if not, -1 to
 * stop with an error (already printed). */
typedef int (*live_packet_cb)(void *ctx, const struct cap_record *r, const struct cap_live_pkt *raw);
/* After each wait and every few hundred packets: flush output (now_ns: the
 * capture's clock, the last packet's time plus the wall time since). */
typedef int (*live_tick_cb)(void *ctx, int64_t now_ns);

enum live_end {
	LIVE_END_SIGNAL = 1,      /* Ctrl-C, SIGTERM or SIGHUP */
	LIVE_END_COUNT,
	LIVE_END_DURATION,
	LIVE_END_FILE,            /* file: source ended */
	LIVE_END_ERROR,
};

/* Open the interface; on failure print the error and the advice and
 * return -1. */
int live_open(const struct live_opts *o, struct cap_live **out);
/* Install SIGINT/SIGTERM/SIGHUP handlers that only set a flag; the signal number, 0 if none. */
void live_signals(void);
int live_signal(void);
/* Run until a stop condition; counts (updated live, printed when
 * o->counter).  Returns why it stopped. */
enum live_end live_loop(const struct live_opts *o, struct cap_live *cap, live_packet_cb pkt, live_tick_cb tick,
			void *ctx, struct live_counts *counts);
/* The final line: "N packets, N commands, N dropped (why it stopped)". */
void live_print_summary(const struct live_opts *o, enum live_end why, const struct live_counts *c);
/* Count a delivered transaction (for the counter). */
static inline void live_count_txn(struct live_counts *c, const struct txn *t)
{
	if (t->kind == TXN_SCSI)
		c->commands++;
}

/*
 * decode -i and lint -i with --device VID:PID: every packet of the bus goes
 * through the filter `capture --device` uses (capture/devfilter.h: the
 * device followed across re-enumeration, the others left out), and what it
 * keeps is parsed again and numbered as `capture --device` would write it,
 * so the live output equals decoding that file.
 */
struct devfilter;
typedef void (*live_follow_feed)(void *ctx, const struct usb_event *ev);
struct live_follow {
	struct devfilter *df;
	struct cap_live *cap;
	live_follow_feed feed;
	void *ctx;
	uint16_t vid, pid;
	uint64_t frames;          /* packets kept */
	int fed;                  /* kept during the current live_follow_packet */
};
/* -1 (printed) on no memory. */
int live_follow_init(struct live_follow *f, uint16_t vid, uint16_t pid, struct cap_live *cap, live_follow_feed feed,
		     void *ctx);
/* One packet of the bus; how many packets were fed (held ones included). */
int live_follow_packet(struct live_follow *f, const struct cap_record *r, const struct cap_live_pkt *raw);
/* "scsiscope CMD: device VID:PID: N packets kept, M of other devices left out" on stderr; frees. */
void live_follow_done(struct live_follow *f, const char *cmd);

/* The options every -i command takes, as getopt_long values (LIVE_LONGOPTS
 * in a command's table): --count, --duration, --snaplen, --buffer. */
enum {
	LIVE_OPT_COUNT = 0x1000,
	LIVE_OPT_DURATION,
	LIVE_OPT_SNAPLEN,
	LIVE_OPT_BUFFER,
};
#define LIVE_LONGOPTS                                                   \
	{ "count", required_argument, NULL, LIVE_OPT_COUNT },            \
	{ "duration", required_argument, NULL, LIVE_OPT_DURATION },      \
	{ "snaplen", required_argument, NULL, LIVE_OPT_SNAPLEN },        \
	{ "buffer", required_argument, NULL, LIVE_OPT_BUFFER }
/* One of them into o: 0, or the usage error's exit status (printed for
 * cmd); -1 when opt is none of them. */
int live_option(const char *cmd, int opt, const char *arg, struct live_opts *o);

/* Option values: VID:PID in hex; a duration (s default; ms, s, m, h);
 * a size in MB (decimal megabytes, as dumpcap's filesize is in kB). */
bool cli_parse_vidpid(const char *s, uint16_t *vid, uint16_t *pid);
bool cli_parse_duration_ns(const char *s, int64_t *ns);
bool cli_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

/* `capture --list`: the usbmon interfaces and the devices on each bus. */
void live_list_interfaces(FILE *out, const char *sysroot);

#endif
