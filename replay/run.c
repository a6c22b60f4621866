/* run.c - the replay loop: safety gate, dry run, timing, repeats, on-error policy, verdict lines and the summary. */
#include "config.h"
#include "replay/run.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "decode/scsi.h"
#include "replay/safety.h"

uint64_t replay_lun(const struct rs_script *s, const struct rs_step *st, uint8_t transport)
{
	uint64_t lun = st->has_lun ? st->lun : s->lun;
	uint8_t from = s->transport ? s->transport : transport;

	if (from == transport)
		return lun;
	if (transport == RS_TRANSPORT_UAS)           /* BOT bCBWLUN -> single-level LUN */
		return lun < 256 ? lun << 48 : (0x4000 | (lun & 0x3fff)) << 48;
	if ((lun >> 62) == 0)                         /* peripheral device addressing */
		return (lun >> 48) & 0xff;
	return (lun >> 48) & 0x3fff;                  /* flat addressing */
}

static enum rp_risk step_risk(const struct rs_step *st, const char **why)
{
	*why = NULL;
	if (st->kind == RS_CMD)
		return rp_cdb_risk(st->cdb, st->cdb_len, why);
	if (st->kind == RS_RAW_OUT)
		return rp_raw_risk(st->data, st->data_len, why);
	return RISK_NONE;
}

/* The option a refused step needs. */
static const char *needs(const struct rs_step *st)
{
	const char *why;

	return step_risk(st, &why) == RISK_VENDOR ? "--allow-vendor" : "--allow-writes";
}

bool replay_refused(const struct rs_step *st, const struct replay_opts *o, const char **why)
{
	enum rp_risk risk = step_risk(st, why);

	if ((risk == RISK_WRITE && !o->allow_writes) || (risk == RISK_VENDOR && !o->allow_vendor))
		return true;
	*why = NULL;
	return false;
}

static void step_name(const struct rs_step *st, struct strbuf *sb)
{
	struct cdb_info ci;

	if (st->kind == RS_RAW_OUT) {
		sb_addf(sb, "raw out %" PRIu32 " bytes", st->data_len);
		return;
	}
	if (st->kind == RS_RAW_IN) {
		sb_addf(sb, "raw in %" PRIu32 " bytes", st->xfer_len);
		return;
	}
	scsi_cdb_decode(st->cdb, st->cdb_len, &ci);
	scsi_cdb_summary(sb, &ci);
}

size_t replay_gate(const struct rs_script *s, const struct replay_opts *o, struct strbuf *sb)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nsteps; i++) {
		const char *why;
		if (!replay_refused(&s->steps[i], o, &why))
			continue;
		n++;
		sb_addf(sb, "%s:%" PRIu32 ": ", o->script_path ? o->script_path : "script", s->steps[i].line);
		step_name(&s->steps[i], sb);
		sb_addf(sb, ": %s needs %s\n", why, needs(&s->steps[i]));
	}
	return n;
}

static unsigned step_timeout_ms(const struct rs_script *s, const struct rs_step *st, const struct replay_opts *o)
{
	int64_t us = o->timeout_us ? o->timeout_us : st->timeout_us ? st->timeout_us : s->timeout_us ? s->timeout_us
														   : RP_TIMEOUT_DEFAULT_US;
	int64_t ms = (us + 999) / 1000;

	return (unsigned)(ms < 1 ? 1 : ms);
}

static void hexdump(FILE *out, const char *indent, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		fprintf(out, "%s%06zx ", indent, i);
		for (size_t k = i; k < i + 16 && k < n; k++)
			fprintf(out, " %02x", b[k]);
		fputc('\n', out);
	}
}

static void cmd_of(const struct rs_script *s, const struct rs_step *st, const struct replay_opts *o, struct rp_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->cdb = st->cdb;
	c->cdb_len = st->cdb_len;
	c->dir = st->dir;
	c->len = st->xfer_len;
	c->lun = replay_lun(s, st, o->transport);
	c->timeout_ms = step_timeout_ms(s, st, o);
}

int replay_dry_run(const struct rs_script *s, const struct replay_opts *o, FILE *out, char *err, size_t err_size)
{
	uint32_t bot_tag = 1;
	uint16_t uas_tag = 0;

	fprintf(out, "# dry run of %s over %s: the bytes each step would send; nothing is sent\n",
		o->script_path ? o->script_path : "the script", o->transport == RS_TRANSPORT_UAS ? "UAS" : "Bulk-Only");
	if (o->transport == RS_TRANSPORT_UAS)
		fprintf(out, "# UAS tags count from 1 (with streams they wrap at the number of streams the device grants)\n");
	for (unsigned pass = 0; pass < o->repeat; pass++)
		for (size_t i = 0; i < s->nsteps; i++) {
			const struct rs_step *st = &s->steps[i];
			struct strbuf name = STRBUF_INIT;
			struct rp_cmd c;
			const char *why;
			uint8_t *data = NULL;
			uint32_t dlen = 0;

			sb_init(&name);
			step_name(st, &name);
			fprintf(out, "line %" PRIu32 ": %s", st->line, name.buf);
			sb_release(&name);
			if (o->repeat > 1)
				fprintf(out, " (pass %u)", pass + 1);
			fputc('\n', out);
			if (replay_refused(st, o, &why)) {
				fprintf(out, "  %s: %s, not sent (needs %s)\n", o->skip_unsafe ? "skipped" : "REFUSED", why,
					needs(st));
				continue;
			}
			if (st->kind != RS_RAW_IN && rs_load_data(st, o->script_path ? o->script_path : "", &data, &dlen,
								   err, err_size) < 0)
				return -1;
			cmd_of(s, st, o, &c);
			if (st->kind == RS_RAW_OUT) {
				fprintf(out, "  raw, %s pipe, %" PRIu32 " bytes:\n",
					o->transport == RS_TRANSPORT_UAS ? "command" : "bulk-out", dlen);
				hexdump(out, "    ", data, dlen);
			} else if (st->kind == RS_RAW_IN) {
				fprintf(out, "  raw, read up to %" PRIu32 " bytes from the %s pipe\n", st->xfer_len,
					o->transport == RS_TRANSPORT_UAS ? "status" : "bulk-in");
			} else if (o->transport == RS_TRANSPORT_UAS) {
				uint8_t iu[48];
				unsigned n;
				uas_tag = (uint16_t)(uas_tag >= 0xfff0 ? 1 : uas_tag + 1);
				n = uas_encode_command(iu, uas_tag, &c);
				fprintf(out, "  Command IU, command pipe, %u bytes (tag %u):\n", n, uas_tag);
				hexdump(out, "    ", iu, n);
			} else {
				uint8_t cbw[31];
				bot_encode_cbw(cbw, bot_tag, &c);
				fprintf(out, "  CBW, bulk-out, 31 bytes (tag %" PRIu32 "):\n", bot_tag);
				hexdump(out, "    ", cbw, 31);
				bot_tag++;
			}
			if (st->kind == RS_CMD && st->dir == SCSI_DIR_IN && st->xfer_len)
				fprintf(out, "  data-in: up to %" PRIu32 " bytes\n", st->xfer_len);
			if (st->kind == RS_CMD && st->dir == SCSI_DIR_OUT && st->xfer_len) {
				fprintf(out, "  data-out, %" PRIu32 " bytes:\n", dlen);
				hexdump(out, "    ", data, dlen);
			}
			free(data);
		}
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wait until t (monotonic ns), waking up to see an interruption. */
static bool wait_until(struct rp_session *sess, int64_t t)
{
	for (;;) {
		int64_t now = mono_ns(), left = t - now;
		struct timespec ts;
		if (sess->interrupted && sess->interrupted(sess->ctx))
			return false;
		if (left <= 0)
			return true;
		if (left > 50000000)
			left = 50000000;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
	}
}

static void verdict_line(FILE *out, const struct rs_step *st, unsigned pass, unsigned passes, const char *verdict,
			 const char *answer, const char *diff, int64_t dur_ns)
{
	struct strbuf name = STRBUF_INIT;

	sb_init(&name);
	step_name(st, &name);
	if (passes > 1)
		fprintf(out, "%u/", pass + 1);
	fprintf(out, "line %-5" PRIu32 " %-44.44s %-8s %s", st->line, name.buf, verdict, answer);
	if (dur_ns >= 0)
		fprintf(out, "  %" PRId64 ".%03" PRId64 " ms", dur_ns / 1000000, dur_ns / 1000 % 1000);
	fputc('\n', out);
	if (diff && diff[0])
		fprintf(out, "           differs: %s\n", diff);
	sb_release(&name);
	fflush(out);
}

int replay_run(const struct rs_script *s, const struct replay_opts *o, struct rp_session *sess, FILE *out,
	       struct replay_summary *sum, char *err, size_t err_size)
{
	int64_t prev = 0;
	bool have_prev = false;

	memset(sum, 0, sizeof(*sum));
	for (unsigned pass = 0; pass < o->repeat && !sum->stopped; pass++) {
		sum->passes++;
		have_prev = false;
		for (size_t i = 0; i < s->nsteps; i++) {
			const struct rs_step *st = &s->steps[i];
			struct rp_judgement j;
			struct rp_result r;
			struct rp_cmd c;
			const char *why;
			uint8_t *data = NULL, *in = NULL;
			uint32_t dlen = 0;
			int64_t start;

			if (!sum->stopped && sess->interrupted && sess->interrupted(sess->ctx)) {
				sum->stopped = true;
				snprintf(sum->stop_reason, sizeof(sum->stop_reason), "interrupted");
			}
			if (sum->stopped) {
				sum->count[VERDICT_SKIPPED]++;
				continue;
			}
			if (replay_refused(st, o, &why)) {
				char m[160];
				snprintf(m, sizeof(m), "not sent: %s (needs %s)", why, needs(st));
				verdict_line(out, st, pass, o->repeat, "skipped", m, NULL, -1);
				sum->count[VERDICT_SKIPPED]++;
				continue;
			}
			if (st->kind != RS_RAW_IN &&
			    rs_load_data(st, o->script_path ? o->script_path : "", &data, &dlen, err, err_size) < 0)
				return -1;
			if (st->dir == SCSI_DIR_IN && st->xfer_len && !(in = malloc(st->xfer_len))) {
				free(data);
				snprintf(err, err_size, "out of memory");
				return -1;
			}
			if (o->timing_original && have_prev && st->gap_us > 0 &&
			    !wait_until(sess, prev + st->gap_us * 1000)) {
				free(data);
				free(in);
				sum->stopped = true;
				snprintf(sum->stop_reason, sizeof(sum->stop_reason), "interrupted");
				sum->count[VERDICT_SKIPPED]++;
				continue;
			}
			start = mono_ns();
			prev = start;
			have_prev = true;
			cmd_of(s, st, o, &c);
			c.out = data;
			c.in = in;
			sum->sent++;
			if (st->kind == RS_CMD)
				(o->transport == RS_TRANSPORT_UAS ? uas_command(&sess->uas, &c, &r)
								   : bot_command(&sess->bot, &c, &r));
			else if (o->transport == RS_TRANSPORT_UAS)
				uas_raw(&sess->uas, st->kind == RS_RAW_OUT, st->kind == RS_RAW_OUT ? data : in,
					st->kind == RS_RAW_OUT ? dlen : st->xfer_len, c.timeout_ms, &r);
			else
				bot_raw(&sess->bot, st->kind == RS_RAW_OUT, st->kind == RS_RAW_OUT ? data : in,
					st->kind == RS_RAW_OUT ? dlen : st->xfer_len, c.timeout_ms, &r);
			rp_compare(st, &r, in, o->compare, &j);
			verdict_line(out, st, pass, o->repeat, rp_verdict_name((enum rp_verdict)j.verdict), j.answer, j.diff,
				     mono_ns() - start);
			sum->count[j.verdict]++;
			free(data);
			free(in);
			if (r.outcome == RP_GONE || r.outcome == RP_STOPPED) {
				sum->stopped = true;
				snprintf(sum->stop_reason, sizeof(sum->stop_reason), "%s",
					 r.outcome == RP_GONE ? "the device left" : "interrupted");
			} else if ((o->transport == RS_TRANSPORT_UAS ? sess->uas.broken : sess->bot.broken)) {
				sum->stopped = true;
				snprintf(sum->stop_reason, sizeof(sum->stop_reason),
					 "the transport did not recover (line %" PRIu32 ")", st->line);
			} else if (o->stop_on_error && j.verdict != VERDICT_MATCH) {
				sum->stopped = true;
				snprintf(sum->stop_reason, sizeof(sum->stop_reason),
					 "--on-error stop at line %" PRIu32, st->line);
			}
		}
	}
	return 0;
}

void replay_print_summary(const struct replay_summary *sum, FILE *out)
{
	uint64_t total = 0;

	for (unsigned v = 0; v <= VERDICT_SKIPPED; v++)
		total += sum->count[v];
	fprintf(out,
		"replay: %" PRIu64 " steps in %u pass%s: %" PRIu64 " match, %" PRIu64 " differ, %" PRIu64 " timeout, %" PRIu64
		" failed, %" PRIu64 " skipped\n",
		total, sum->passes, sum->passes == 1 ? "" : "es", sum->count[VERDICT_MATCH], sum->count[VERDICT_DIFFER],
		sum->count[VERDICT_TIMEOUT], sum->count[VERDICT_FAILED], sum->count[VERDICT_SKIPPED]);
	if (sum->stopped)
		fprintf(out, "replay: stopped: %s\n", sum->stop_reason);
}
