/* check_timing.c - the timing family of lint checks: latency outliers (slow-command) and commands never answered or aborted (command-timeout). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lint_family.h"
#include "decode/scsi.h"

/*
 * Checks:
 *  - command-timeout: a SCSI command that got no status.
 *      aborted (ABORT TASK, unlinked URBs)         error, on the command;
 *      ended by a reset (Bulk-Only reset, LOGICAL UNIT RESET, port reset)
 *                                                  error, on the command;
 *      still open when the capture ended           at the end of the
 *        capture, measured from its start to the capture's last event:
 *        warning when outstanding for at least lint_opts.hang_min_us
 *        (default 1 s: no USB storage command takes that long when the
 *        device works, except a spin-up or a flush), silent otherwise
 *        (capture-gap already says the capture stopped in the middle).
 *    Commands ended by the device's disconnection are usb-device-gone's,
 *    those a new CBW superseded bot-csw-missing's.
 *  - slow-command: a latency outlier against the capture's own
 *    distribution.  Commands are grouped by device, opcode and transfer
 *    size (one group per power of two of the expected bytes, so a 1 MiB
 *    READ is not compared with a 4 KiB one); a command is an outlier when
 *    it took more than lint_opts.slow_factor (10) times the 90th percentile
 *    of its group and at least lint_opts.slow_min_us (100 ms), and the group
 *    has at least SLOW_MIN_SAMPLES commands.  The percentile is only known
 *    at the end of the capture, so the findings are in the end report, one
 *    per outlier, naming its frame.
 *
 * Memory, bounded whatever the capture:
 *  - one latency histogram per group, HIST_BUCKETS counters of 4 bytes
 *    (4 buckets per power of two of microseconds, about 19% resolution),
 *    for at most GROUPS_MAX groups (about 600 KB); commands of further
 *    groups are not judged;
 *  - the candidates (commands above slow_min_us), at most CAND_MAX of
 *    24 bytes; later ones are counted and said in the report;
 *  - the commands open at the end of the capture, at most OPEN_MAX.
 */

#define SLOW_MIN_SAMPLES 20
#define HIST_SUB 4                              /* buckets per power of two */
#define HIST_BUCKETS (40 * HIST_SUB)            /* up to 2^40 us, 12.7 days */
#define GROUPS_MAX 1024
#define CAND_MAX 16384
#define OPEN_MAX 1024

struct group {
	uint16_t bus, device;
	uint8_t opcode;
	uint8_t size_class;       /* 0: no data; else bit length of the expected bytes */
	bool used;
	const char *name;         /* static: cdb_info.name */
	uint32_t count;
	uint32_t hist[HIST_BUCKETS];
};

struct cand {
	uint64_t frame;
	uint64_t dur_us;
	uint32_t group;
};

struct open_cmd {
	uint64_t frame;
	int64_t ts_start;
	const char *name;
};

struct timing_state {
	struct group *groups;     /* GROUPS_MAX, open addressing; allocated on first use */
	unsigned ngroups;
	uint64_t ungrouped;       /* commands of groups beyond GROUPS_MAX */
	struct cand *cands;
	unsigned ncands, capcands;
	uint64_t cands_dropped;
	struct open_cmd open[OPEN_MAX];
	unsigned nopen;
	uint64_t open_dropped;
	int64_t last_ts;          /* the latest time seen: the end of the capture */
};

/* "850 us", "56.2 ms", "2.315 s" */
static const char *fmt_us(char *buf, size_t n, uint64_t us)
{
	if (us < 1000)
		snprintf(buf, n, "%" PRIu64 " us", us);
	else if (us < 1000000)
		snprintf(buf, n, "%" PRIu64 ".%01" PRIu64 " ms", us / 1000, (us % 1000) / 100);
	else
		snprintf(buf, n, "%" PRIu64 ".%03" PRIu64 " s", us / 1000000, (us % 1000000) / 1000);
	return buf;
}

/* Microseconds from `from` to `to`, 0 when to is not later; computed in
 * unsigned arithmetic, since hostile timestamps can be INT64_MAX apart. */
static uint64_t span_us(int64_t from, int64_t to)
{
	return to > from ? ((uint64_t)to - (uint64_t)from) / 1000u : 0;
}

static unsigned bit_length(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* Histogram bucket of a duration: HIST_SUB per power of two. */
static unsigned bucket_of(uint64_t us)
{
	unsigned b, sub;

	if (us < 1)
		return 0;
	b = bit_length(us) - 1;                   /* 2^b <= us < 2^(b+1) */
	sub = b >= 2 ? (unsigned)((us >> (b - 2)) & 3) : (unsigned)(us & ((1u << b) - 1)) * (HIST_SUB >> b);
	if (b * HIST_SUB + sub >= HIST_BUCKETS)
		return HIST_BUCKETS - 1;
	return b * HIST_SUB + sub;
}

/* The upper bound (exclusive) of a bucket, in us. */
static uint64_t bucket_top(unsigned i)
{
	unsigned b = i / HIST_SUB, sub = i % HIST_SUB;

	return (1ull << b) + (((uint64_t)sub + 1) << b) / HIST_SUB;
}

static struct group *group_of(struct timing_state *st, uint16_t bus, uint16_t device, uint8_t opcode, uint8_t cls,
			      unsigned *index)
{
	uint32_t h;

	if (!st->groups) {
		st->groups = calloc(GROUPS_MAX, sizeof(*st->groups));
		if (!st->groups)
			return NULL;
	}
	h = ((uint32_t)bus * 131u + device) * 257u + opcode;
	h = (h * 67u + cls) * 2654435761u;
	for (unsigned probe = 0; probe < GROUPS_MAX; probe++) {
		unsigned i = (h + probe) % GROUPS_MAX;
		struct group *g = &st->groups[i];

		if (g->used && g->bus == bus && g->device == device && g->opcode == opcode && g->size_class == cls) {
			*index = i;
			return g;
		}
		if (!g->used) {
			if (st->ngroups >= GROUPS_MAX * 3 / 4)
				return NULL;      /* keep probes short: further groups are not judged */
			g->used = true;
			g->bus = bus;
			g->device = device;
			g->opcode = opcode;
			g->size_class = cls;
			st->ngroups++;
			*index = i;
			return g;
		}
	}
	return NULL;
}

static void slow_sample(struct timing_state *st, const struct lint_opts *o, const struct scsi_txn *s,
			const struct cdb_info *ci)
{
	uint64_t dur_us;
	unsigned gi = 0;
	struct group *g;

	if (s->ts_end < s->ts_start)
		return;
	dur_us = span_us(s->ts_start, s->ts_end);
	g = group_of(st, s->bus, s->device, ci->opcode, (uint8_t)bit_length(s->expected_bytes), &gi);
	if (!g) {
		st->ungrouped++;
		return;
	}
	g->name = ci->name;
	if (g->count < UINT32_MAX)
		g->count++;
	g->hist[bucket_of(dur_us)]++;
	if (dur_us < o->slow_min_us)
		return;
	if (st->ncands == st->capcands) {
		unsigned cap = st->capcands ? st->capcands * 2 : 64;
		struct cand *n;

		if (st->ncands >= CAND_MAX) {
			st->cands_dropped++;
			return;
		}
		if (cap > CAND_MAX)
			cap = CAND_MAX;
		n = realloc(st->cands, cap * sizeof(*n));
		if (!n) {
			st->cands_dropped++;
			return;
		}
		st->cands = n;
		st->capcands = cap;
	}
	st->cands[st->ncands++] = (struct cand){ .frame = s->frame, .dur_us = dur_us, .group = gi };
}

/* The 90th percentile of a group, as its bucket's upper bound. */
static uint64_t group_p90(const struct group *g)
{
	uint64_t need = ((uint64_t)g->count * 9 + 9) / 10, seen = 0;

	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += g->hist[i];
		if (seen >= need)
			return bucket_top(i);
	}
	return bucket_top(HIST_BUCKETS - 1);
}

static void size_words(char *buf, size_t n, uint8_t cls)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB" };
	unsigned lo = cls - 1u, hi = cls;         /* [2^lo, 2^hi) */

	if (!cls) {
		snprintf(buf, n, "without data");
		return;
	}
	snprintf(buf, n, "of %llu %s to %llu %s", 1ull << (lo % 10), unit[lo / 10 < 4 ? lo / 10 : 3],
		 1ull << (hi % 10), unit[hi / 10 < 4 ? hi / 10 : 3]);
}

void check_timing_txn(struct lint *l, const struct txn *t, struct txn_handle *h)
{
	struct timing_state *st = lint_state(l, LINT_FAMILY_TIMING, sizeof(*st));
	const struct scsi_txn *s;
	struct cdb_info ci;
	char d[32];

	if (!st)
		return;
	if (t->kind == TXN_USB) {
		if (t->u.note.ts > st->last_ts)
			st->last_ts = t->u.note.ts;
		return;
	}
	if (t->kind == TXN_CONTROL) {
		if (t->u.ctl.ts_end > st->last_ts)
			st->last_ts = t->u.ctl.ts_end;
		return;
	}
	if (t->kind != TXN_SCSI)
		return;
	s = &t->u.scsi;
	if (s->ts_end > st->last_ts)
		st->last_ts = s->ts_end;
	ci = *scsi_txn_cdb(s, &ci);
	switch (s->end) {
	case TXN_END_STATUS:
		slow_sample(st, lint_get_opts(l), s, &ci);
		break;
	case TXN_END_ABORTED:
	case TXN_END_RESET:
		fmt_us(d, sizeof(d), span_us(s->ts_start, s->ts_end));
		txn_attach_finding(h, "command-timeout", SEV_ERROR, &s->frame, 1,
				   "%s got no status: %s after %s", ci.name,
				   s->end == TXN_END_ABORTED ? "the host aborted it" : "a reset ended it", d);
		break;
	case TXN_END_CAPTURE:
		if (st->nopen < OPEN_MAX)
			st->open[st->nopen++] = (struct open_cmd){ .frame = s->frame, .ts_start = s->ts_start,
								   .name = ci.name };
		else
			st->open_dropped++;
		break;
	default:
		break;
	}
}

void check_timing_finish(struct lint *l)
{
	struct timing_state *st = lint_state(l, LINT_FAMILY_TIMING, sizeof(*st));
	const struct lint_opts *o = lint_get_opts(l);
	char d[32], p[32], sz[48];

	if (!st)
		return;
	for (unsigned i = 0; i < st->nopen; i++) {
		const struct open_cmd *c = &st->open[i];
		uint64_t us = span_us(c->ts_start, st->last_ts);

		if (us < o->hang_min_us)
			continue;
		lint_report(l, "command-timeout", SEV_WARNING, &c->frame, 1,
			    "%s (frame %" PRIu64 ") never answered: still open %s later, when the capture ended", c->name,
			    c->frame, fmt_us(d, sizeof(d), us));
	}
	for (unsigned i = 0; i < st->ncands; i++) {
		const struct cand *c = &st->cands[i];
		const struct group *g = &st->groups[c->group];
		uint64_t p90;

		if (g->count < SLOW_MIN_SAMPLES)
			continue;
		p90 = group_p90(g);
		if ((double)c->dur_us <= o->slow_factor * (double)p90)
			continue;
		size_words(sz, sizeof(sz), g->size_class);
		lint_report(l, "slow-command", SEV_INFO, &c->frame, 1,
			    "%s (frame %" PRIu64 ") took %s, %.0fx the 90th percentile (%s) of the %" PRIu32
			    " %s commands %s on %u:%03u",
			    g->name, c->frame, fmt_us(d, sizeof(d), c->dur_us), (double)c->dur_us / (double)p90,
			    fmt_us(p, sizeof(p), p90), g->count, g->name, sz, g->bus, g->device);
	}
	if (st->cands_dropped)
		lint_report(l, "slow-command", SEV_INFO, NULL, 0,
			    "%" PRIu64 " more commands above %s were not judged (memory bound: %u kept)",
			    st->cands_dropped, fmt_us(d, sizeof(d), o->slow_min_us), CAND_MAX);
	if (st->ungrouped)
		lint_report(l, "slow-command", SEV_INFO, NULL, 0,
			    "%" PRIu64 " commands were not judged: more than %u device/opcode/size groups", st->ungrouped,
			    GROUPS_MAX * 3 / 4);
	if (st->open_dropped)
		lint_report(l, "command-timeout", SEV_INFO, NULL, 0,
			    "%" PRIu64 " more commands open at the end of the capture were not examined", st->open_dropped);
}

void check_timing_free(void *state)
{
	struct timing_state *st = state;

	free(st->groups);
	free(st->cands);
}
