/* compare.c - judge a replayed answer against the recording: status, sense key/ASC/ASCQ, data-in length and XXH3-64 hash. */
#include "config.h"
#include "replay/compare.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/scsi.h"
#include "util/hash.h"

const char *rp_verdict_name(enum rp_verdict v)
{
	switch (v) {
	case VERDICT_MATCH: return "match";
	case VERDICT_DIFFER: return "DIFFER";
	case VERDICT_TIMEOUT: return "TIMEOUT";
	case VERDICT_FAILED: return "FAILED";
	case VERDICT_SKIPPED: return "skipped";
	}
	return "?";
}

unsigned rp_compare_parse(const char *list)
{
	unsigned m = 0;
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 6 && !memcmp(p, "status", 6))
			m |= CMP_STATUS;
		else if (n == 5 && !memcmp(p, "sense", 5))
			m |= CMP_SENSE;
		else if (n == 4 && !memcmp(p, "data", 4))
			m |= CMP_DATA;
		else if (n == 3 && !memcmp(p, "all", 3))
			m |= CMP_ALL;
		else
			return 0;
		p += n + (e ? 1 : 0);
		if (e && !*p)
			return 0;
	}
	return m;
}

/* Append to the answer (parts joined by ", ") or the differences ("; "). */
static void add(char *buf, const char *sep, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, const char *sep, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 2 < RP_JUDGEMENT_MAX) {
		memcpy(buf + n, sep, 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + n, RP_JUDGEMENT_MAX - n, fmt, ap);
	va_end(ap);
}

static const char *status_text(int s, char *buf, size_t size)
{
	const char *n = scsi_status_name(s);

	if (n)
		return n;
	snprintf(buf, size, "status %02xh", (unsigned)s & 0xff);
	return buf;
}

static void raw_compare(const struct rs_step *st, const struct rp_result *r, const uint8_t *in, unsigned what,
			struct rp_judgement *j)
{
	add(j->answer, ", ", "%s, %u bytes", rp_status_name(r->status), (unsigned)r->data_len);
	if (r->note[0])
		add(j->answer, ", ", "%s", r->note);
	if (r->outcome == RP_GONE || r->outcome == RP_STOPPED) {
		j->verdict = VERDICT_FAILED;
		return;
	}
	if ((what & CMP_STATUS) && st->exp_status == RS_STATUS_STALL && r->status != RP_STALL)
		add(j->diff, "; ", "%s where the recording stalled", rp_status_name(r->status));
	if ((what & CMP_STATUS) && st->exp_status == RS_STATUS_OK && r->status != RP_OK)
		add(j->diff, "; ", "%s where the recording completed", rp_status_name(r->status));
	if ((what & CMP_DATA) && st->exp_len && r->data_len != st->exp_len_value)
		add(j->diff, "; ", "%u bytes, recorded %" PRIu64, (unsigned)r->data_len, st->exp_len_value);
	else if ((what & CMP_DATA) && st->exp_hash && in && XXH3_64bits(in, r->data_len) != st->exp_hash_value)
		add(j->diff, "; ", "data hash %016" PRIx64 ", recorded %016" PRIx64, XXH3_64bits(in, r->data_len),
		    st->exp_hash_value);
	j->verdict = j->diff[0] ? VERDICT_DIFFER : VERDICT_MATCH;
}

void rp_compare(const struct rs_step *st, const struct rp_result *r, const uint8_t *in, unsigned what,
		struct rp_judgement *j)
{
	char b1[32], b2[32];
	struct sense_info si;
	bool have_sense = false;
	uint64_t h = 0;

	memset(j, 0, sizeof(*j));
	if (st->kind != RS_CMD) {
		raw_compare(st, r, in, what, j);
		return;
	}
	/* the answer */
	if (r->outcome == RP_DONE) {
		add(j->answer, ", ", "%s", status_text(r->status, b1, sizeof(b1)));
		if (r->sense_len && scsi_sense_parse(r->sense, r->sense_len, &si) && si.valid) {
			have_sense = true;
			add(j->answer, ", ", "%02x/%02x/%02x", si.key, si.asc, si.ascq);
		}
	} else if (r->outcome == RP_NO_STATUS) {
		add(j->answer, ", ", "no answer");
	} else if (r->outcome == RP_GONE) {
		add(j->answer, ", ", "device gone");
	} else if (r->outcome == RP_STOPPED) {
		add(j->answer, ", ", "interrupted");
	} else {
		add(j->answer, ", ", "transport failed");
	}
	if (st->dir == SCSI_DIR_IN && st->xfer_len) {
		h = in ? XXH3_64bits(in, r->data_len) : 0;
		add(j->answer, ", ", "%u bytes in, hash %016" PRIx64, (unsigned)r->data_len, h);
	} else if (st->dir == SCSI_DIR_OUT && st->xfer_len) {
		add(j->answer, ", ", "%u bytes out", (unsigned)r->data_len);
	}
	if (r->note[0])
		add(j->answer, ", ", "%s", r->note);

	/* the verdict */
	if (r->outcome == RP_GONE || r->outcome == RP_STOPPED) {
		j->verdict = VERDICT_FAILED;
		add(j->diff, "; ", "%s", r->outcome == RP_GONE ? "the device left" : "interrupted");
		return;
	}
	if (r->outcome == RP_NO_STATUS) {
		if (st->exp_status == RS_STATUS_NONE) {
			j->verdict = VERDICT_MATCH;   /* no answer, as recorded */
			return;
		}
		j->verdict = VERDICT_TIMEOUT;
		add(j->diff, "; ", "no answer before the timeout");
		return;
	}
	if (r->outcome == RP_TRANSPORT_FAILED) {
		j->verdict = VERDICT_FAILED;
		add(j->diff, "; ", "the transport failed");
		return;
	}
	if (st->exp_status == RS_STATUS_NONE && (what & CMP_STATUS))
		add(j->diff, "; ", "answered %s; the recording got no answer", status_text(r->status, b1, sizeof(b1)));
	else if (st->exp_status >= 0 && (what & CMP_STATUS) && r->status != st->exp_status)
		add(j->diff, "; ", "status %s, recorded %s", status_text(r->status, b1, sizeof(b1)),
		    status_text(st->exp_status, b2, sizeof(b2)));
	if (st->exp_sense && (what & CMP_SENSE)) {
		if (!have_sense)
			add(j->diff, "; ", "no sense, recorded %02x/%02x/%02x", st->exp_key, st->exp_asc, st->exp_ascq);
		else if (si.key != st->exp_key || si.asc != st->exp_asc || si.ascq != st->exp_ascq)
			add(j->diff, "; ", "sense %02x/%02x/%02x, recorded %02x/%02x/%02x", si.key, si.asc, si.ascq,
			    st->exp_key, st->exp_asc, st->exp_ascq);
	}
	if (st->exp_len && (what & CMP_DATA)) {
		if (r->data_len != st->exp_len_value)
			add(j->diff, "; ", "%u data bytes, recorded %" PRIu64, (unsigned)r->data_len, st->exp_len_value);
		else if (st->exp_hash && h != st->exp_hash_value)
			add(j->diff, "; ", "data hash %016" PRIx64 ", recorded %016" PRIx64, h, st->exp_hash_value);
	}
	j->verdict = j->diff[0] ? VERDICT_DIFFER : VERDICT_MATCH;
}
