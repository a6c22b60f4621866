/* lint.c - the check runner: family state blocks, the decoder hook, and the end-of-capture report. */
#include "config.h"
#include "analyze/lint.h"
#include "analyze/lint_family.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Memory: the family state blocks (each family bounds its own) plus the
 * report, at most LINT_REPORT_MAX findings; later ones are only counted
 * (lint_report_dropped).
 */
struct lint {
	struct lint_opts opts;
	void *state[LINT_FAMILY_COUNT];
	struct finding *report;
	unsigned nreport, capreport;
	uint64_t dropped;
};

void lint_opts_default(struct lint_opts *o)
{
	/* slow-command: a command is an outlier when it took more than 10 times
	 * the 90th percentile of its opcode in this capture and more than
	 * 100 ms in absolute terms (faster ones do not matter to a user). */
	o->slow_factor = 10.0;
	o->slow_min_us = 100000;
	/* command-timeout: a command still open 1 s before the capture ended
	 * hung (a working device answers in milliseconds; a spin-up takes
	 * a few seconds, so this stays a warning). */
	o->hang_min_us = 1000000;
	/* retry-storm: 5 consecutive failures of the same CDB. */
	o->retry_storm_min = 5;
	/* sync-cache-suspicious: 8 MiB flushed in under 1 ms would be 8 GB/s,
	 * beyond any USB storage medium: the device acknowledged without
	 * writing its cache out. */
	o->sync_min_bytes = 8u << 20;
	o->sync_fast_us = 1000;
	/* The data family (unflushed-writes, sync-cache-*, data-mismatch). */
	o->data_checks = true;
}

/* The tunables: name, what, where in lint_opts, and the scale from the
 * value given to the field (ms to us, ...). */
enum tun_kind { TUN_DOUBLE, TUN_U64, TUN_UNSIGNED };

static const struct {
	struct lint_tunable t;
	enum tun_kind kind;
	size_t off;
	uint64_t scale;
	double min, max;
} tunables[] = {
	{ { "slow-factor", "slow-command: times the 90th percentile of the command's group" },
	  TUN_DOUBLE, offsetof(struct lint_opts, slow_factor), 1, 1.0, 1e6 },
	{ { "slow-min-ms", "slow-command: and at least this many milliseconds" },
	  TUN_U64, offsetof(struct lint_opts, slow_min_us), 1000, 0, 1e9 },
	{ { "hang-min-ms", "command-timeout: open this many milliseconds when the capture ended" },
	  TUN_U64, offsetof(struct lint_opts, hang_min_us), 1000, 0, 1e9 },
	{ { "retry-storm-min", "retry-storm: consecutive failures of the same CDB" },
	  TUN_UNSIGNED, offsetof(struct lint_opts, retry_storm_min), 1, 2, 1e6 },
	{ { "sync-min-bytes", "sync-cache-suspicious: cached bytes written before the flush" },
	  TUN_U64, offsetof(struct lint_opts, sync_min_bytes), 1, 1, 1e18 },
	{ { "sync-fast-us", "sync-cache-suspicious: a flush faster than this many microseconds" },
	  TUN_U64, offsetof(struct lint_opts, sync_fast_us), 1, 1, 1e12 },
};

const struct lint_tunable *lint_tunable_at(unsigned i)
{
	return i < sizeof(tunables) / sizeof(tunables[0]) ? &tunables[i].t : NULL;
}

int lint_opts_set(struct lint_opts *o, const char *assignment, char *why, size_t whylen)
{
	const char *eq = strchr(assignment, '=');
	size_t nlen = eq ? (size_t)(eq - assignment) : 0;
	char *end;
	double v;

	for (unsigned i = 0; eq && i < sizeof(tunables) / sizeof(tunables[0]); i++) {
		if (strlen(tunables[i].t.name) != nlen || strncmp(tunables[i].t.name, assignment, nlen))
			continue;
		errno = 0;
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || errno || v != v || v < tunables[i].min || v > tunables[i].max ||
		    (tunables[i].kind != TUN_DOUBLE && v != (double)(uint64_t)v)) {
			snprintf(why, whylen, "%s wants %s from %g to %g, not '%s'", tunables[i].t.name,
				 tunables[i].kind == TUN_DOUBLE ? "a number" : "a whole number", tunables[i].min,
				 tunables[i].max, eq + 1);
			return -1;
		}
		switch (tunables[i].kind) {
		case TUN_DOUBLE:
			*(double *)(void *)((char *)o + tunables[i].off) = v;
			break;
		case TUN_U64:
			*(uint64_t *)(void *)((char *)o + tunables[i].off) = (uint64_t)v * tunables[i].scale;
			break;
		case TUN_UNSIGNED:
			*(unsigned *)(void *)((char *)o + tunables[i].off) = (unsigned)v;
			break;
		}
		return 0;
	}
	if (!eq)
		snprintf(why, whylen, "'%s' is not NAME=VALUE", assignment);
	else
		snprintf(why, whylen, "no tunable '%.*s' (scsiscope lint --list shows them)", (int)nlen, assignment);
	return -1;
}

void lint_opts_value(const struct lint_opts *o, unsigned i, char *buf, size_t len)
{
	if (i >= sizeof(tunables) / sizeof(tunables[0])) {
		snprintf(buf, len, "?");
		return;
	}
	switch (tunables[i].kind) {
	case TUN_DOUBLE:
		snprintf(buf, len, "%g", *(const double *)(const void *)((const char *)o + tunables[i].off));
		break;
	case TUN_U64:
		snprintf(buf, len, "%llu",
			 (unsigned long long)(*(const uint64_t *)(const void *)((const char *)o + tunables[i].off) /
					      tunables[i].scale));
		break;
	case TUN_UNSIGNED:
		snprintf(buf, len, "%u", *(const unsigned *)(const void *)((const char *)o + tunables[i].off));
		break;
	}
}

struct lint *lint_new(const struct lint_opts *o)
{
	struct lint *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (o)
		l->opts = *o;
	else
		lint_opts_default(&l->opts);
	return l;
}

void lint_free(struct lint *l)
{
	if (!l)
		return;
	if (l->state[LINT_FAMILY_SCSI])
		check_scsi_free(l->state[LINT_FAMILY_SCSI]);
	if (l->state[LINT_FAMILY_TRANSPORT])
		check_transport_free(l->state[LINT_FAMILY_TRANSPORT]);
	if (l->state[LINT_FAMILY_DATA])
		check_data_free(l->state[LINT_FAMILY_DATA]);
	if (l->state[LINT_FAMILY_TIMING])
		check_timing_free(l->state[LINT_FAMILY_TIMING]);
	for (unsigned i = 0; i < LINT_FAMILY_COUNT; i++)
		free(l->state[i]);
	free(l->report);
	free(l);
}

void *lint_state(struct lint *l, enum lint_family f, size_t size)
{
	if ((unsigned)f >= LINT_FAMILY_COUNT)
		return NULL;
	if (!l->state[f])
		l->state[f] = calloc(1, size ? size : 1);
	return l->state[f];          /* NULL on allocation failure: the family skips its checks */
}

const struct lint_opts *lint_get_opts(const struct lint *l)
{
	return &l->opts;
}

void lint_hook(void *ctx, const struct txn *t, struct txn_handle *h)
{
	struct lint *l = ctx;

	check_scsi_txn(l, t, h);
	check_transport_txn(l, t, h);
	check_timing_txn(l, t, h);
	check_bt_txn(l, t, h);
	if (l->opts.data_checks)
		check_data_txn(l, t, h);
}

void lint_finish(struct lint *l)
{
	check_scsi_finish(l);
	check_transport_finish(l);
	check_timing_finish(l);
	if (l->opts.data_checks)
		check_data_finish(l);
}

const struct finding *lint_report_at(const struct lint *l, unsigned i)
{
	return i < l->nreport ? &l->report[i] : NULL;
}

uint64_t lint_report_dropped(const struct lint *l)
{
	return l->dropped;
}

void lint_report(struct lint *l, const char *id, enum severity sev, const uint64_t *frames, unsigned nframes,
		 const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (l->nreport == l->capreport) {
		unsigned cap = l->capreport ? l->capreport * 2 : 16;
		struct finding *n;

		if (l->nreport >= LINT_REPORT_MAX) {
			l->dropped++;
			return;
		}
		if (cap > LINT_REPORT_MAX)
			cap = LINT_REPORT_MAX;
		n = realloc(l->report, cap * sizeof(*n));
		if (!n) {
			l->dropped++;
			return;
		}
		l->report = n;
		l->capreport = cap;
	}
	f = &l->report[l->nreport++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = (uint8_t)sev;
	if (nframes > FINDING_FRAMES_MAX)
		nframes = FINDING_FRAMES_MAX;
	if (frames && nframes) {
		memcpy(f->frames, frames, nframes * sizeof(frames[0]));
		f->nframes = (uint8_t)nframes;
	}
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

int checked_decoder_open(struct checked_decoder *cd, struct decoder_opts o, bool with_checks, txn_cb cb, void *ctx)
{
	struct lint_opts lo;

	memset(cd, 0, sizeof(*cd));
	if (with_checks) {
		lint_opts_default(&lo);
		if (!(cd->lint = lint_new(&lo)))
			return -1;
		o.hook = lint_hook;
		o.hook_ctx = cd->lint;
	}
	if (!(cd->dec = decoder_new(&o, cb, ctx))) {
		lint_free(cd->lint);
		cd->lint = NULL;
		return -1;
	}
	return 0;
}

void checked_decoder_close(struct checked_decoder *cd)
{
	decoder_free(cd->dec);
	if (cd->lint) {
		lint_finish(cd->lint);
		lint_free(cd->lint);
	}
	memset(cd, 0, sizeof(*cd));
}
