/* extract.c - decode a capture and write the chosen SCSI commands of one device as a replay script, data-out payloads re-read from the capture when the decoder kept only their head. */
#include "config.h"
#include "replay/extract.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/lint.h"
#include "capture/capture.h"
#include "capture/prefetch.h"
#include "decode/decode.h"
#include "decode/scsi.h"
#include "util/hash.h"

#define XDEV_MAX 64               /* devices whose INQUIRY identity is remembered */

/* A data-out payload to read again from the capture. */
struct reread {
	size_t step;              /* index in the script */
	uint64_t cmd_frame;       /* the CBW / Command IU: not data */
	uint64_t *frames;         /* the command's frames, ascending */
	uint32_t nframes;
	uint64_t want_bytes;      /* captured bytes the decoder hashed */
	uint64_t want_hash;
	uint32_t xfer;            /* bytes the command sends (the rest of buf stays zero) */
	uint8_t *buf;             /* assembled here */
	uint64_t have;
	int cmd_ep;               /* the CBW's / Command IU's endpoint (learnt from cmd_frame), -1 unknown */
	uint64_t cmd_id;          /* its URB id */
	bool uas;
	/* one OUT URB submitted and not completed yet */
	uint64_t pend_id;
	uint8_t pend_ep;
	uint8_t *pend;
	uint32_t pend_len;
	bool pending;
	bool failed;
};

struct inq_id {
	uint16_t bus, device;
	char vendor[9], product[17];
};

struct xctx {
	const struct extract_opts *o;
	struct extract_stats *st;
	struct rs_script *s;
	char **comments;          /* one per step */
	size_t ncomments_alloc;
	struct reread *rr;
	size_t nrr, rr_alloc;
	int64_t t0;
	bool have_t0;
	bool have_dev;
	uint8_t transport;
	int64_t prev_start;
	bool have_prev;
	uint64_t autosense_frame; /* the chosen device's last CHECK CONDITION got its sense in this frame */
	struct inq_id inq[XDEV_MAX];
	unsigned ninq;
	bool oom;
	bool too_many;
};

static bool chosen(struct xctx *x, const struct txn *t)
{
	if (x->o->filter)
		return filter_match(x->o->filter, t, x->t0);
	return t->u.scsi.frame >= x->o->frame_lo && t->u.scsi.frame <= x->o->frame_hi;
}

static void remember_inquiry(struct xctx *x, const struct scsi_txn *s)
{
	struct inquiry_id id;

	if (s->cdb[0] != 0x12 || (s->cdb[1] & 1) || s->status != 0 || !s->data.head)
		return;
	for (unsigned i = 0; i < x->ninq; i++)
		if (x->inq[i].bus == s->bus && x->inq[i].device == s->device)
			return;
	if (x->ninq == XDEV_MAX || !scsi_inquiry_parse(s->data.head, s->data.head_len, &id))
		return;
	x->inq[x->ninq].bus = s->bus;
	x->inq[x->ninq].device = s->device;
	memcpy(x->inq[x->ninq].vendor, id.vendor, sizeof(id.vendor));
	memcpy(x->inq[x->ninq].product, id.product, sizeof(id.product));
	x->ninq++;
}

static void set_comment(struct xctx *x, size_t i, char *c)
{
	if (i >= x->ncomments_alloc) {
		size_t na = x->ncomments_alloc ? x->ncomments_alloc * 2 : 64;
		char **n;
		while (na <= i)
			na *= 2;
		n = realloc(x->comments, na * sizeof(*n));
		if (!n) {
			free(c);
			x->oom = true;
			return;
		}
		memset(n + x->ncomments_alloc, 0, (na - x->ncomments_alloc) * sizeof(*n));
		x->comments = n;
		x->ncomments_alloc = na;
	}
	free(x->comments[i]);
	x->comments[i] = c;
}

/* "# frames 74-79 (1:003 tag 1, 2.144142 s): INQUIRY alloc=36 -> GOOD" */
static char *describe(struct xctx *x, const struct scsi_txn *s, const char *note)
{
	struct strbuf sb = STRBUF_INIT;
	struct cdb_info tmp;
	const struct cdb_info *ci = scsi_txn_cdb(s, &tmp);
	int64_t t = s->ts_start - x->t0;
	const char *sn;

	sb_init(&sb);
	sb_addf(&sb, "# frames %" PRIu64 "-%" PRIu64 " (%u:%03u tag %" PRIu32 ", %" PRId64 ".%06" PRId64 " s): ", s->frame,
		s->last_frame, s->bus, s->device, s->tag, t / 1000000000, (t % 1000000000) / 1000);
	scsi_cdb_summary(&sb, ci);
	if (s->end != TXN_END_STATUS)
		sb_addf(&sb, " -> no status (%s)", txn_end_name((enum txn_end)s->end));
	else if (s->status >= 0) {
		sn = scsi_status_name(s->status);
		sb_addf(&sb, " -> %s", sn ? sn : "status");
		if (s->sense.source != SENSE_NONE && s->sense.source != SENSE_OWN_DATA)
			sb_addf(&sb, " %02x/%02x/%02x", s->sense.key, s->sense.asc, s->sense.ascq);
	} else {
		sb_adds(&sb, " -> no SCSI status (phase error)");
	}
	if (note)
		sb_addf(&sb, "\n# %s", note);
	sb_addc(&sb, '\n');
	return sb.buf;
}

static void sidecar_dir(const char *script_path, char *out, size_t size)
{
	snprintf(out, size, "%s.data", script_path);
}

static int write_sidecar(const char *script_path, uint64_t hash, const uint8_t *b, size_t n, struct error *err)
{
	char dir[4096], path[4096];
	FILE *f;

	sidecar_dir(script_path, dir, sizeof(dir));
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return error_set(err, 0, ERROR_NO_OFFSET, "cannot create %s: %s", dir, strerror(errno));
	rs_sidecar_path(script_path, hash, path, sizeof(path));
	if (!(f = fopen(path, "wb")))
		return error_set(err, 0, ERROR_NO_OFFSET, "cannot create %s: %s", path, strerror(errno));
	if (fwrite(b, 1, n, f) != n) {
		fclose(f);
		return error_set(err, 0, ERROR_NO_OFFSET, "cannot write %s", path);
	}
	if (fclose(f) != 0)
		return error_set(err, 0, ERROR_NO_OFFSET, "cannot write %s", path);
	return 0;
}

static void on_txn(void *ctx, const struct txn *t)
{
	struct xctx *x = ctx;
	const struct scsi_txn *s;
	struct rs_step *st;
	size_t idx;
	uint32_t xfer;
	bool is_autosense;

	if (t->kind != TXN_SCSI || x->oom || x->too_many)
		return;
	s = &t->u.scsi;
	remember_inquiry(x, s);
	if (!chosen(x, t))
		return;
	x->st->chosen++;
	if (!x->have_dev) {
		x->have_dev = true;
		x->st->bus = s->bus;
		x->st->device = s->device;
		x->transport = s->transport;
		x->s->lun = s->lun;
		x->s->transport = s->transport == TRANSPORT_UAS ? RS_TRANSPORT_UAS : RS_TRANSPORT_BOT;
	} else if (s->bus != x->st->bus || s->device != x->st->device) {
		x->st->other_devices++;
		return;
	}
	/* BOT: the REQUEST SENSE that carried the previous command's sense */
	is_autosense = false;
	if (x->autosense_frame && s->cdb[0] == 0x03)
		for (uint32_t i = 0; i < s->nframes; i++)
			if (s->frames[i] == x->autosense_frame)
				is_autosense = true;
	x->autosense_frame = s->sense.source == SENSE_AUTOSENSE ? s->sense.frame : 0;
	if (is_autosense) {
		x->st->autosense++;
		return;
	}
	if (s->end == TXN_END_CAPTURE) {
		x->st->incomplete++;
		return;
	}
	if (!x->s->block_size && s->block_size)
		x->s->block_size = s->block_size;
	if (!(st = rs_add_step(x->s))) {
		x->too_many = true;
		return;
	}
	idx = x->s->nsteps - 1;
	st->kind = RS_CMD;
	st->cdb_len = s->cdb_len <= RS_CDB_MAX ? s->cdb_len : RS_CDB_MAX;
	memcpy(st->cdb, s->cdb, st->cdb_len);
	{
		/* UAS pads every CDB to 16 bytes: keep the length the opcode has
		 * (so a BOT replay sends the bCBWCBLength a host would) */
		struct cdb_info tmp;
		const struct cdb_info *ci = scsi_txn_cdb(s, &tmp);
		bool zeros = true;
		for (unsigned i = ci->group_len; i < st->cdb_len; i++)
			zeros = zeros && st->cdb[i] == 0;
		if (s->transport == TRANSPORT_UAS && ci->group_len >= 6 && ci->group_len < st->cdb_len && zeros)
			st->cdb_len = ci->group_len;
	}
	if (st->cdb_len < 6) {
		/* a CDB of fewer than 6 bytes is not a command the format can carry */
		x->s->nsteps--;
		x->st->unreplayable++;
		return;
	}
	if (s->lun != x->s->lun) {
		st->has_lun = true;
		st->lun = s->lun;
	}
	xfer = s->expected_bytes;
	if (s->transport == TRANSPORT_UAS && s->expected_unknown)
		xfer = s->data.bytes > RS_DATA_MAX ? RS_DATA_MAX : (uint32_t)s->data.bytes;
	if (xfer > RS_DATA_MAX)
		xfer = RS_DATA_MAX;
	st->dir = xfer ? s->direction : SCSI_DIR_NONE;
	if (st->dir == SCSI_DIR_NONE)
		xfer = 0;
	st->xfer_len = xfer;
	if (x->have_prev)
		st->gap_us = s->ts_start > x->prev_start ? (s->ts_start - x->prev_start) / 1000 : 0;
	if (st->gap_us > RS_DURATION_MAX)
		st->gap_us = RS_DURATION_MAX;
	x->prev_start = s->ts_start;
	x->have_prev = true;
	/* the recorded answer */
	if (s->end != TXN_END_STATUS)
		st->exp_status = RS_STATUS_NONE;
	else if (s->status >= 0)
		st->exp_status = s->status;
	if (st->exp_status >= 0 && s->sense.source != SENSE_NONE && s->sense.source != SENSE_OWN_DATA && s->status == 2) {
		st->exp_sense = true;
		st->exp_key = s->sense.key;
		st->exp_asc = s->sense.asc;
		st->exp_ascq = s->sense.ascq;
	}
	if (st->dir == SCSI_DIR_IN && s->end == TXN_END_STATUS && s->data.bytes <= xfer) {
		st->exp_len = true;
		st->exp_len_value = s->data.bytes;
		if (s->data.captured == s->data.bytes) {
			st->exp_hash = true;
			st->exp_hash_value = s->data.bytes ? s->data.hash : XXH3_64bits("", 0);
		}
	}
	/* data-out */
	if (st->dir == SCSI_DIR_OUT) {
		const char *why = NULL;
		char note[200];
		if (s->data.captured < s->data.bytes)
			why = "the capture did not keep all its data-out bytes";
		else if (s->data.bytes > xfer)
			why = "its data-out phase moved more bytes than the command announced";
		if (why) {
			snprintf(note, sizeof(note), "left out: %s (%" PRIu64 " of %" PRIu64 " bytes)", why,
				 s->data.captured, s->data.bytes);
			set_comment(x, idx, describe(x, s, note));
			x->s->steps[idx].kind = 0;    /* written as a comment only */
			x->st->unreplayable++;
			return;
		}
		if (s->data.bytes < xfer) {
			snprintf(note, sizeof(note),
				 "the recording moved %" PRIu64 " of its %" PRIu32 " data-out bytes; the rest are zeros here",
				 s->data.bytes, xfer);
			set_comment(x, idx, describe(x, s, note));
		} else {
			set_comment(x, idx, describe(x, s, NULL));
		}
		st->data_sidecar = xfer > RS_INLINE_WRITE;
		if (s->data.bytes <= s->data.head_len) {
			if (!(st->data = calloc(1, xfer))) {
				x->oom = true;
				return;
			}
			memcpy(st->data, s->data.head, s->data.bytes);
			st->data_len = xfer;   /* a sidecar's bytes are kept until written */
		} else {
			struct reread *r;
			if (x->nrr == x->rr_alloc) {
				size_t na = x->rr_alloc ? x->rr_alloc * 2 : 16;
				struct reread *n = realloc(x->rr, na * sizeof(*n));
				if (!n) {
					x->oom = true;
					return;
				}
				x->rr = n;
				x->rr_alloc = na;
			}
			r = &x->rr[x->nrr];
			memset(r, 0, sizeof(*r));
			r->step = idx;
			r->cmd_frame = s->frame;
			r->want_bytes = s->data.bytes;
			r->want_hash = s->data.hash;
			r->xfer = xfer;
			r->cmd_ep = -1;
			r->uas = s->transport == TRANSPORT_UAS;
			r->frames = malloc((s->nframes ? s->nframes : 1) * sizeof(*r->frames));
			if (!r->frames) {
				x->oom = true;
				return;
			}
			memcpy(r->frames, s->frames, s->nframes * sizeof(*r->frames));
			r->nframes = s->nframes;
			x->nrr++;
		}
		return;
	}
	set_comment(x, idx, describe(x, s, NULL));
}

/* Decode the capture, calling on_txn.  Returns 0, or -1 (damage) after
 * everything before it was delivered. */
static int decode_all(const char *path, struct xctx *x, struct error *err)
{
	struct decoder_opts dopts = { .notes = false, .other_traffic = false };
	struct checked_decoder cd;
	struct decoder *dec;
	struct cap *c;
	struct cap_prefetch *pf;
	struct cap_record r;
	int rc;

	if (cap_open(path, &c, err) < 0)
		return -1;
	if (checked_decoder_open(&cd, dopts, x->o->with_checks, on_txn, x) < 0) {
		cap_close(c);
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	}
	dec = cd.dec;
	if (cap_prefetch_start(c, &pf, err) < 0)
		pf = NULL;
	while ((rc = pf ? cap_prefetch_next(pf, &r, err) : cap_next(c, &r, err)) > 0) {
		if (r.kind != CAP_REC_USB)
			continue;
		if (!x->have_t0) {
			x->t0 = r.u.usb.ts_ns;
			x->have_t0 = true;
		}
		decoder_feed(dec, &r.u.usb);
	}
	cap_prefetch_stop(pf);
	decoder_finish(dec);
	/* the device's identity from its enumeration and INQUIRY */
	if (x->have_dev) {
		const struct usb_device_info *di;
		for (unsigned i = 0; (di = decoder_device_at(dec, i)) != NULL; i++) {
			if (di->bus != x->st->bus || di->device != x->st->device || !di->have_device_desc)
				continue;
			x->s->has_device = true;
			x->s->vid = di->vid;
			x->s->pid = di->pid;
			snprintf(x->s->serial, sizeof(x->s->serial), "%s", di->serial);
		}
		for (unsigned i = 0; i < x->ninq; i++)
			if (x->inq[i].bus == x->st->bus && x->inq[i].device == x->st->device) {
				snprintf(x->s->vendor, sizeof(x->s->vendor), "%s", x->inq[i].vendor);
				snprintf(x->s->product, sizeof(x->s->product), "%s", x->inq[i].product);
			}
	}
	checked_decoder_close(&cd);
	cap_close(c);
	return rc < 0 ? -1 : 0;
}

static bool has_frame(const struct reread *r, uint64_t f)
{
	uint32_t lo = 0, hi = r->nframes;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (r->frames[mid] == f)
			return true;
		if (r->frames[mid] < f)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void rr_append(struct reread *r, const uint8_t *d, uint32_t n)
{
	if (r->failed)
		return;
	if (n > r->want_bytes - r->have) {
		r->failed = true;
		return;
	}
	memcpy(r->buf + r->have, d, n);
	r->have += n;
}

/* One event of a command whose data-out is read again: the OUT URBs of
 * its data phase, in order, each cut to the length its completion moved
 * (the decoder's own rule, decode/urb.h). */
static void rr_event(struct reread *r, const struct usb_event *ev)
{
	if (ev->frame == r->cmd_frame) {
		r->cmd_ep = ev->endpoint;
		r->cmd_id = ev->urb_id;
		return;
	}
	if (ev->xfer != USB_XFER_BULK || (ev->endpoint & 0x80))
		return;
	if (r->cmd_ep >= 0 && ev->endpoint == r->cmd_ep && (r->uas || ev->urb_id == r->cmd_id))
		return;   /* the CBW's completion; UAS: the command pipe (Command and Task Management IUs) */
	if (ev->type == USB_EV_SUBMIT) {
		free(r->pend);
		r->pend = NULL;
		r->pend_len = 0;
		r->pending = true;
		r->pend_id = ev->urb_id;
		r->pend_ep = ev->endpoint;
		if (ev->caplen) {
			if (!(r->pend = malloc(ev->caplen))) {
				r->failed = true;
				return;
			}
			memcpy(r->pend, ev->data, ev->caplen);
			r->pend_len = ev->caplen;
		}
		return;
	}
	if (ev->type != USB_EV_COMPLETE)
		return;
	if (r->pending && r->pend_id == ev->urb_id && r->pend_ep == ev->endpoint) {
		uint32_t n = r->pend_len < ev->length ? r->pend_len : ev->length;
		if (!r->pend_len && ev->caplen)   /* macOS: OUT bytes at the completion */
			rr_append(r, ev->data, ev->caplen < ev->length ? ev->caplen : ev->length);
		else
			rr_append(r, r->pend, n);
		free(r->pend);
		r->pend = NULL;
		r->pending = false;
	} else if (ev->caplen) {
		rr_append(r, ev->data, ev->caplen < ev->length ? ev->caplen : ev->length);
	}
}

/* Read the capture again for the payloads of x->rr. */
static int reread_pass(const char *path, struct xctx *x, struct error *err)
{
	struct cap *c;
	struct cap_record r;
	uint64_t first = UINT64_MAX, last = 0;
	int rc;

	for (size_t i = 0; i < x->nrr; i++) {
		struct reread *q = &x->rr[i];
		if (!(q->buf = calloc(1, q->xfer ? q->xfer : 1)))
			return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		if (q->nframes) {
			first = q->frames[0] < first ? q->frames[0] : first;
			last = q->frames[q->nframes - 1] > last ? q->frames[q->nframes - 1] : last;
		}
	}
	if (cap_open(path, &c, err) < 0)
		return -1;
	while ((rc = cap_next(c, &r, err)) > 0) {
		const struct usb_event *ev;
		if (r.kind != CAP_REC_USB)
			continue;
		ev = &r.u.usb;
		if (ev->frame < first)
			continue;
		if (ev->frame > last)
			break;
		for (size_t i = 0; i < x->nrr; i++)
			if (has_frame(&x->rr[i], ev->frame))
				rr_event(&x->rr[i], ev);
	}
	cap_close(c);
	return rc < 0 ? -1 : 0;
}

static void comment_cb(void *ctx, size_t i, struct strbuf *sb)
{
	struct xctx *x = ctx;

	if (i < x->ncomments_alloc && x->comments[i])
		sb_adds(sb, x->comments[i]);
}

int extract_capture(const char *path, const struct extract_opts *o, struct rs_script *script, struct strbuf *text,
		    struct extract_stats *st, struct error *err)
{
	struct xctx x;
	struct error derr;
	struct strbuf pre = STRBUF_INIT;
	struct rs_script out;
	char **out_comments = NULL;
	size_t ncap = 0;
	int rc = 0, damage;

	memset(st, 0, sizeof(*st));
	memset(&x, 0, sizeof(x));
	rs_init(script);
	rs_init(&out);
	x.o = o;
	x.st = st;
	x.s = script;
	error_clear(&derr);
	damage = decode_all(path, &x, &derr);
	st->damaged = damage < 0;
	if (x.oom) {
		rc = error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		goto out;
	}
	if (x.too_many) {
		rc = error_set(err, 0, ERROR_NO_OFFSET, "more than %d commands chosen: choose fewer with --filter or --frames",
			       RS_STEPS_MAX);
		goto out;
	}
	if (!st->chosen && !st->damaged) {
		rc = error_set(err, 0, ERROR_NO_OFFSET, "no SCSI command chosen in %s", path);
		goto out;
	}
	/* payloads the decoder kept only the head of */
	if (x.nrr) {
		struct error rerr;
		error_clear(&rerr);
		if (reread_pass(path, &x, &rerr) < 0 && !st->damaged) {
			*err = rerr;
			rc = -1;
			goto out;
		}
		for (size_t i = 0; i < x.nrr; i++) {
			struct reread *q = &x.rr[i];
			struct rs_step *s = &script->steps[q->step];
			if (q->failed || q->have != q->want_bytes || XXH3_64bits(q->buf, q->have) != q->want_hash) {
				char note[160];
				char *c = x.comments && q->step < x.ncomments_alloc ? x.comments[q->step] : NULL;
				snprintf(note, sizeof(note),
					 "# left out: reading its data-out again from the capture gave %s\n",
					 q->failed ? "more bytes than it moved" : "other bytes than the decoder saw");
				if (c) {
					char *n = malloc(strlen(c) + strlen(note) + 1);
					if (n) {
						strcpy(n, c);
						strcat(n, note);
						set_comment(&x, q->step, n);
					}
				}
				s->kind = 0;
				st->unreplayable++;
				continue;
			}
			st->reread++;
			s->data = q->buf;
			s->data_len = q->xfer;
			q->buf = NULL;
		}
	}
	/* sidecars, and the script without the left-out commands (their comments stay) */
	for (size_t i = 0; i < script->nsteps; i++) {
		struct rs_step *s = &script->steps[i];
		if (s->kind == 0)
			continue;
		if (s->data_sidecar) {
			if (!o->script_path) {
				rc = error_set(err, 0, ERROR_NO_OFFSET,
					       "data-out payloads over %d bytes go to a sidecar beside the script: write it to a file (-o SEQ)",
					       RS_INLINE_WRITE);
				goto out;
			}
			s->data_hash = XXH3_64bits(s->data, s->data_len);
			if (write_sidecar(o->script_path, s->data_hash, s->data, s->data_len, err) < 0) {
				rc = -1;
				goto out;
			}
			st->sidecars++;
			free(s->data);
			s->data = NULL;
			s->data_len = 0;
		}
	}
	/* a left-out command's comment goes before the next step (or at the end) */
	{
		struct strbuf pending = STRBUF_INIT;
		size_t k = 0;
		sb_init(&pending);
		out = *script;
		out.steps = NULL;
		out.nsteps = out.alloc = 0;
		ncap = script->nsteps;
		out_comments = calloc(ncap + 1, sizeof(*out_comments));
		if (!out_comments) {
			sb_release(&pending);
			rc = error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < script->nsteps; i++) {
			char *c = i < x.ncomments_alloc ? x.comments[i] : NULL;
			struct rs_step *d;
			if (c)
				sb_adds(&pending, c);
			if (script->steps[i].kind == 0)
				continue;
			d = rs_add_step(&out);
			if (!d) {
				sb_release(&pending);
				rc = error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
				goto out;
			}
			*d = script->steps[i];
			script->steps[i].data = NULL;
			out_comments[k++] = pending.len ? strdup(pending.buf) : NULL;
			sb_reset(&pending);
		}
		if (pending.len)
			out_comments[k] = strdup(pending.buf);
		sb_release(&pending);
		st->steps = out.nsteps;
	}
	/* the script's text */
	sb_init(&pre);
	sb_addf(&pre, "# scsiscope %s: %" PRIu64 " SCSI commands of %u:%03u from %s\n", PACKAGE_VERSION, st->steps,
		st->bus, st->device, o->source_name ? o->source_name : path);
	if (st->autosense)
		sb_addf(&pre, "# %" PRIu64 " REQUEST SENSE left out: the replay fetches sense after a CHECK CONDITION itself\n",
			st->autosense);
	if (st->other_devices)
		sb_addf(&pre, "# %" PRIu64 " chosen commands of other devices left out\n", st->other_devices);
	if (st->incomplete)
		sb_addf(&pre, "# %" PRIu64 " commands without an end in the capture left out\n", st->incomplete);
	if (st->damaged) {
		char buf[600];
		sb_addf(&pre, "# the capture is damaged; commands up to the damage: %s\n", error_format(&derr, buf, sizeof(buf)));
	}
	{
		/* comments indexed by the kept steps */
		struct xctx cx;
		memset(&cx, 0, sizeof(cx));
		cx.comments = out_comments;
		cx.ncomments_alloc = out.nsteps + 1;
		rs_write(text, &out, pre.buf, comment_cb, &cx);
		if (out_comments[out.nsteps]) {
			sb_addc(text, '\n');
			sb_adds(text, out_comments[out.nsteps]);
		}
	}
	/* hand the kept steps to the caller */
	rs_free(script);
	*script = out;
	rs_init(&out);
	if (st->damaged) {
		*err = derr;
		rc = -1;
	}
out:
	if (out_comments) {
		for (size_t i = 0; i < ncap + 1; i++)
			free(out_comments[i]);
		free(out_comments);
	}
	rs_free(&out);
	sb_release(&pre);
	for (size_t i = 0; i < x.ncomments_alloc; i++)
		free(x.comments[i]);
	free(x.comments);
	for (size_t i = 0; i < x.nrr; i++) {
		free(x.rr[i].frames);
		free(x.rr[i].buf);
		free(x.rr[i].pend);
	}
	free(x.rr);
	if (rc < 0 && !st->damaged)
		rs_free(script);
	return rc;
}
