/* index.c - the TUI's index: a thread decodes the capture once and appends a small row per transaction. */
#include "config.h"
#include "tui/index.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decode/hci.h"
#include "decode/scsi.h"
#include "decode/usb_control.h"
#include "report/txn_render.h"
#include "tui/pass.h"
#include "util/tsmath.h"

/* Rows and findings live in chunks that never move; a fixed table of chunk
 * pointers (allocated once) covers the maximum. */
#define ROW_CHUNK_SHIFT 16
#define ROW_CHUNK (1u << ROW_CHUNK_SHIFT)
#define ROW_CHUNKS (TUI_ROWS_MAX >> ROW_CHUNK_SHIFT)
#define FIND_CHUNK_SHIFT 14
#define FIND_CHUNK (1u << FIND_CHUNK_SHIFT)
#define FIND_CHUNKS (TUI_FINDINGS_MAX >> FIND_CHUNK_SHIFT)
#define TEXT_CHUNK_SHIFT 20
#define TEXT_CHUNK (1u << TEXT_CHUNK_SHIFT)
#define TEXT_CHUNKS (TUI_TEXT_MAX >> TEXT_CHUNK_SHIFT)

struct tui_index {
	char path[4096];
	pthread_t thread;
	bool started;
	atomic_bool stop;

	struct tui_row **rows;                /* ROW_CHUNKS pointers */
	atomic_uint_fast64_t nrows;
	struct tui_finding **finds;           /* FIND_CHUNKS pointers */
	atomic_uint_fast64_t nfinds;
	char **text;                          /* TEXT_CHUNKS pointers */
	uint64_t text_used;                   /* thread only */
	atomic_bool truncated;                /* TUI_ROWS_MAX reached */

	uint64_t max_last;                    /* thread only: the latest last frame so far */
	uint64_t *caprows;                    /* TUI_CAPACITY_ROWS_MAX */
	atomic_uint_fast64_t ncaprows;
	atomic_bool capoverflow;

	atomic_bool done;
	atomic_uint_fast64_t commands;        /* SCSI rows */
	bool live;
	atomic_uint_fast64_t offset;
	uint64_t size;
	int64_t t0;                           /* written before the first row is published */
	struct pass *pass;                    /* thread only */

	pthread_mutex_t lock;                 /* failed, err, devices */
	bool failed;
	struct error err;
	struct tui_device devs[TUI_DEVICES_MAX];
	unsigned ndevs;
	struct strbuf sb;                     /* thread only */
};

/* ------------------------------------------------------------- storage */

/* Copy s (n bytes) into the text arena; its offset + 1, or 0 when full. */
static uint64_t text_add(struct tui_index *x, const char *s, size_t n)
{
	uint64_t off = x->text_used;
	uint64_t chunk;

	if (n >= TEXT_CHUNK)
		n = TEXT_CHUNK - 1;
	if ((off & (TEXT_CHUNK - 1)) + n + 1 > TEXT_CHUNK)
		off = (off | (TEXT_CHUNK - 1)) + 1;        /* start the next chunk */
	chunk = off >> TEXT_CHUNK_SHIFT;
	if (chunk >= TEXT_CHUNKS)
		return 0;
	if (!x->text[chunk] && !(x->text[chunk] = malloc(TEXT_CHUNK)))
		return 0;
	memcpy(x->text[chunk] + (off & (TEXT_CHUNK - 1)), s, n);
	x->text[chunk][(off & (TEXT_CHUNK - 1)) + n] = '\0';
	x->text_used = off + n + 1;
	return off + 1;
}

static const char *text_at(const struct tui_index *x, uint64_t ref)
{
	if (!ref || ref - 1 >= TUI_TEXT_MAX)
		return "";
	ref--;
	return x->text[ref >> TEXT_CHUNK_SHIFT] + (ref & (TEXT_CHUNK - 1));
}

static struct tui_row *row_slot(struct tui_index *x, uint64_t seq)
{
	uint64_t c = seq >> ROW_CHUNK_SHIFT;

	if (!x->rows[c] && !(x->rows[c] = malloc(sizeof(struct tui_row) * ROW_CHUNK)))
		return NULL;
	return &x->rows[c][seq & (ROW_CHUNK - 1)];
}

/* A finding that names no frame points at its transaction's first one. */
static bool finding_add(struct tui_index *x, uint64_t seq, const struct finding *f, uint64_t frame)
{
	uint64_t n = atomic_load_explicit(&x->nfinds, memory_order_relaxed);
	uint64_t c = n >> FIND_CHUNK_SHIFT;
	struct tui_finding *d;
	uint64_t ref;

	if (n >= TUI_FINDINGS_MAX)
		return false;
	if (!x->finds[c] && !(x->finds[c] = malloc(sizeof(struct tui_finding) * FIND_CHUNK)))
		return false;
	d = &x->finds[c][n & (FIND_CHUNK - 1)];
	d->seq = seq;
	d->frame = f->nframes ? f->frames[0] : frame;
	d->nframes = f->nframes > FINDING_FRAMES_MAX ? FINDING_FRAMES_MAX : f->nframes;
	memcpy(d->frames, f->frames, sizeof(d->frames));
	d->id = f->id;
	d->severity = f->severity;
	ref = text_add(x, f->msg, strnlen(f->msg, sizeof(f->msg)));
	d->msg = ref ? text_at(x, ref) : "";
	atomic_store_explicit(&x->nfinds, n + 1, memory_order_release);
	return true;
}

/* ---------------------------------------------------------------- rows */

static uint32_t sat32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static uint32_t dur_us(int64_t start, int64_t end)
{
	int64_t d = ts_sub(end, start);

	return d <= 0 ? 0 : sat32((uint64_t)d / 1000u);
}

static void note_device(struct tui_index *x, uint16_t bus, uint16_t dev)
{
	unsigned i;

	pthread_mutex_lock(&x->lock);
	for (i = 0; i < x->ndevs; i++)
		if (x->devs[i].bus == bus && x->devs[i].device == dev)
			break;
	if (i == x->ndevs && x->ndevs < TUI_DEVICES_MAX) {
		memset(&x->devs[i], 0, sizeof(x->devs[i]));
		x->devs[i].bus = bus;
		x->devs[i].device = dev;
		x->ndevs++;
	}
	if (i < x->ndevs)
		x->devs[i].rows++;
	pthread_mutex_unlock(&x->lock);
}

/* Names of the devices from the decoder's model (descriptors, strings). */
static void refresh_devices(struct tui_index *x)
{
	const struct usb_device_info *d;

	for (unsigned k = 0; (d = decoder_device_at(pass_decoder(x->pass), k)); k++) {
		pthread_mutex_lock(&x->lock);
		for (unsigned i = 0; i < x->ndevs; i++) {
			struct tui_device *t = &x->devs[i];
			if (t->bus != d->bus || t->device != d->device || !d->have_device_desc)
				continue;
			snprintf(t->name, sizeof(t->name), "%04x:%04x %.60s%s%.60s%s%s", d->vid, d->pid, d->manufacturer,
				 d->manufacturer[0] ? " " : "", d->product,
				 d->storage_transport ? (d->storage_transport == TRANSPORT_UAS ? " (uas)" : " (bot)") : "",
				 d->dev_class == 9 ? " (hub)" : "");
		}
		pthread_mutex_unlock(&x->lock);
	}
}

static void on_txn(void *ctx, uint64_t seq, const struct txn *t)
{
	struct tui_index *x = ctx;
	struct tui_row *r;
	const struct finding *f = NULL;
	uint32_t nf = 0;
	uint64_t first = atomic_load_explicit(&x->nfinds, memory_order_relaxed);

	if (seq >= TUI_ROWS_MAX) {
		x->truncated = true;
		return;
	}
	if (!(r = row_slot(x, seq))) {
		x->truncated = true;
		return;
	}
	memset(r, 0, sizeof(*r));
	r->kind = t->kind;
	switch (t->kind) {
	case TXN_SCSI: {
		const struct scsi_txn *s = &t->u.scsi;
		r->frame = s->frame;
		r->ts = s->ts_start;
		r->bytes = s->data.bytes;
		r->last_delta = sat32(s->last_frame >= s->frame ? s->last_frame - s->frame : 0);
		r->dur_us = dur_us(s->ts_start, s->ts_end);
		r->expected = s->expected_bytes;
		r->tag = s->tag;
		r->status = s->status;
		r->bus = s->bus;
		r->device = s->device;
		r->transport = s->transport;
		r->dir = s->direction;
		r->end = s->end;
		r->lun = s->lun > 255 ? 255 : (uint8_t)s->lun;
		if (s->expected_unknown)
			r->flags |= ROW_EXPECTED_UNKNOWN;
		if (s->status < 0 && s->csw_status == 2)
			r->flags |= ROW_PHASE_ERROR;
		if (s->status < 0 && s->uas_response >= 0) {
			r->flags |= ROW_UAS_RESPONSE;
			r->status = s->uas_response;
		}
		if (s->sense.source != SENSE_NONE) {
			r->flags |= ROW_HAS_SENSE;
			r->sense_key = s->sense.key;
			r->asc = s->sense.asc;
			r->ascq = s->sense.ascq;
		}
		if (s->cdb_len && s->cdb[0] >= 0xc0)
			r->flags |= ROW_VENDOR;
		r->cdb_len = s->cdb_len > 16 ? 16 : s->cdb_len;
		memcpy(r->cdb, s->cdb, r->cdb_len);
		f = s->findings;
		nf = s->nfindings;
		break;
	}
	case TXN_CONTROL: {
		const struct control_txn *c = &t->u.ctl;
		uint64_t ref;
		r->frame = c->frame;
		r->ts = c->ts_start;
		r->bytes = c->data.bytes;
		r->last_delta = sat32(c->last_frame >= c->frame ? c->last_frame - c->frame : 0);
		r->dur_us = dur_us(c->ts_start, c->ts_end);
		r->status = c->status;
		r->bus = c->bus;
		r->device = c->device;
		r->end = c->endpoint;
		if (c->completed)
			r->flags |= ROW_COMPLETED;
		sb_reset(&x->sb);
		if (c->has_setup) {
			r->flags |= ROW_HAS_SETUP;
			memcpy(r->cdb, c->setup, 8);
			r->cdb_len = 8;
			r->expected = (uint32_t)c->setup[6] | (uint32_t)c->setup[7] << 8;
			usb_control_summary(&x->sb, c->setup, c->data.head, c->data.head_len);
		} else
			sb_adds(&x->sb, "control transfer (setup not captured)");
		ref = text_add(x, x->sb.buf, x->sb.len);
		for (int i = 0; i < 8; i++)
			r->cdb[8 + i] = (uint8_t)(ref >> (8 * i));
		f = c->findings;
		nf = c->nfindings;
		break;
	}
	case TXN_BT: {
		const struct bt_txn *b = &t->u.bt;
		uint64_t ref;
		r->frame = b->frame;
		r->ts = b->ts_start;
		r->bytes = b->data.bytes;
		r->last_delta = sat32(b->last_frame >= b->frame ? b->last_frame - b->frame : 0);
		r->dur_us = b->kind == BT_COMMAND ? dur_us(b->ts_start, b->ts_end) : 0;
		r->status = b->status;
		r->bus = b->bus;
		r->device = b->device;
		r->transport = b->kind;
		r->dir = b->dir;
		r->end = b->incomplete;
		r->tag = b->handle;
		if (b->answered)
			r->flags |= ROW_COMPLETED;
		r->cdb[0] = b->event;
		sb_reset(&x->sb);
		bt_summary(&x->sb, b);
		ref = text_add(x, x->sb.buf, x->sb.len);
		for (int i = 0; i < 8; i++)
			r->cdb[8 + i] = (uint8_t)(ref >> (8 * i));
		f = b->findings;
		nf = b->nfindings;
		break;
	}
	default: {
		const struct usb_note *n = &t->u.note;
		r->frame = n->frame;
		r->ts = n->ts;
		r->bytes = n->length;
		r->status = n->status;
		r->bus = n->bus;
		r->device = n->device;
		r->transport = n->kind;
		r->dir = n->xfer;
		r->end = n->endpoint;
		f = n->findings;
		nf = n->nfindings;
		break;
	}
	}
	r->nfind = nf > 255 ? 255 : (uint8_t)nf;
	r->first_finding = UINT32_MAX;
	for (uint32_t i = 0; i < nf; i++) {
		if (f[i].severity + 1 > r->sev)
			r->sev = (uint8_t)(f[i].severity + 1);
		if (finding_add(x, seq, &f[i], r->frame) && r->first_finding == UINT32_MAX)
			r->first_finding = (uint32_t)first;
	}
	/* quiet: nothing before it still open when it began (the detail pane
	 * may start decoding there) */
	if (seq == 0 || x->max_last < r->frame)
		r->flags |= ROW_QUIET;
	if (tui_row_last_frame(r) > x->max_last)
		x->max_last = tui_row_last_frame(r);
	if (r->kind == TXN_SCSI && r->cdb_len &&
	    (r->cdb[0] == 0x25 || (r->cdb[0] == 0x9e && r->cdb_len > 1 && (r->cdb[1] & 0x1f) == 0x10))) {
		uint64_t n = atomic_load_explicit(&x->ncaprows, memory_order_relaxed);
		if (n < TUI_CAPACITY_ROWS_MAX) {
			x->caprows[n] = seq;
			atomic_store_explicit(&x->ncaprows, n + 1, memory_order_release);
		} else
			atomic_store(&x->capoverflow, true);
	}
	note_device(x, r->bus, r->device);
	if (r->kind == TXN_SCSI)
		atomic_fetch_add_explicit(&x->commands, 1, memory_order_relaxed);
	if (seq == 0)
		x->t0 = pass_t0(x->pass);
	atomic_store_explicit(&x->nrows, seq + 1, memory_order_release);
}

static void *index_thread(void *arg)
{
	struct tui_index *x = arg;
	struct error err;
	int rc = 1;
	unsigned steps = 0;

	while (rc > 0 && !atomic_load_explicit(&x->stop, memory_order_relaxed)) {
		rc = pass_step(x->pass, 256, &err);
		atomic_store_explicit(&x->offset, pass_offset(x->pass), memory_order_relaxed);
		if ((++steps & 255) == 0 || rc <= 0 || rc == PASS_WAITING)
			refresh_devices(x);
		if (rc == PASS_WAITING) {
			/* live: everything the capture wrote is indexed */
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	if (rc <= 0) {
		const struct finding *f;
		/* lint's end-of-capture findings, after every transaction's. */
		for (unsigned i = 0; (f = lint_report_at(pass_lint(x->pass), i)); i++)
			finding_add(x, UINT64_MAX, f, 0);
	}
	pthread_mutex_lock(&x->lock);
	if (rc < 0) {
		x->failed = true;
		x->err = err;
	}
	pthread_mutex_unlock(&x->lock);
	atomic_store_explicit(&x->done, true, memory_order_release);
	return NULL;
}

static struct tui_index *index_start(const char *path, struct tui_live *live, struct error *err)
{
	struct tui_index *x = calloc(1, sizeof(*x));
	struct stat st;

	if (!x || !(x->rows = calloc(ROW_CHUNKS, sizeof(*x->rows))) ||
	    !(x->finds = calloc(FIND_CHUNKS, sizeof(*x->finds))) || !(x->text = calloc(TEXT_CHUNKS, sizeof(*x->text))) ||
	    !(x->caprows = calloc(TUI_CAPACITY_ROWS_MAX, sizeof(*x->caprows)))) {
		tui_index_free(x);
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		return NULL;
	}
	snprintf(x->path, sizeof(x->path), "%s", live ? tui_live_path(live) : path);
	x->live = live != NULL;
	pthread_mutex_init(&x->lock, NULL);
	sb_init(&x->sb);
	if (!(x->pass = live ? pass_open_live(live, true, on_txn, NULL, x, err) : pass_open(path, on_txn, NULL, x, err))) {
		tui_index_free(x);
		return NULL;
	}
	if (!live && !pass_gzip(x->pass) && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		x->size = (uint64_t)st.st_size;
	if (pthread_create(&x->thread, NULL, index_thread, x) != 0) {
		tui_index_free(x);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot start the index thread");
		return NULL;
	}
	x->started = true;
	return x;
}

struct tui_index *tui_index_start(const char *path, struct error *err)
{
	return index_start(path, NULL, err);
}

struct tui_index *tui_index_start_live(struct tui_live *live, struct error *err)
{
	return index_start(NULL, live, err);
}

void tui_index_free(struct tui_index *x)
{
	if (!x)
		return;
	if (x->started) {
		atomic_store(&x->stop, true);
		pthread_join(x->thread, NULL);
		pthread_mutex_destroy(&x->lock);
	}
	pass_close(x->pass);
	if (x->rows)
		for (unsigned i = 0; i < ROW_CHUNKS; i++)
			free(x->rows[i]);
	if (x->finds)
		for (unsigned i = 0; i < FIND_CHUNKS; i++)
			free(x->finds[i]);
	if (x->text)
		for (unsigned i = 0; i < TEXT_CHUNKS; i++)
			free(x->text[i]);
	free(x->rows);
	free(x->caprows);
	free(x->finds);
	free(x->text);
	sb_release(&x->sb);
	free(x);
}

/* -------------------------------------------------------------- readers */

uint64_t tui_index_count(const struct tui_index *x)
{
	return atomic_load_explicit(&((struct tui_index *)x)->nrows, memory_order_acquire);
}

const struct tui_row *tui_index_row(const struct tui_index *x, uint64_t seq)
{
	return &x->rows[seq >> ROW_CHUNK_SHIFT][seq & (ROW_CHUNK - 1)];
}

uint64_t tui_index_nfindings(const struct tui_index *x)
{
	return atomic_load_explicit(&((struct tui_index *)x)->nfinds, memory_order_acquire);
}

const struct tui_finding *tui_index_finding(const struct tui_index *x, uint64_t i)
{
	return &x->finds[i >> FIND_CHUNK_SHIFT][i & (FIND_CHUNK - 1)];
}

const char *tui_index_row_text(const struct tui_index *x, const struct tui_row *r)
{
	uint64_t ref = 0;

	if (r->kind != TXN_CONTROL && r->kind != TXN_BT)
		return "";
	for (int i = 7; i >= 0; i--)
		ref = ref << 8 | r->cdb[8 + i];
	return text_at(x, ref);
}

uint64_t tui_row_last_frame(const struct tui_row *r) { return r->frame + r->last_delta; }

uint64_t tui_index_seq_of(const struct tui_index *x, uint64_t frame, uint8_t kind)
{
	uint64_t n = tui_index_count(x), lo = 0, hi = n;

	/* Rows are in the order transactions began, so by first frame, except
	 * the few the decoder's emitter passed over (decode/txn.c, its
	 * EMIT_WINDOW): look around where the search lands. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (tui_index_row(x, mid)->frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint64_t k = lo; k < n && k < lo + 8192; k++) {
		const struct tui_row *r = tui_index_row(x, k);
		if (r->frame == frame && r->kind == kind)
			return k;
		if (r->frame > frame && k > lo + 16)
			break;
	}
	for (uint64_t k = lo, m = 0; k > 0 && m < 8192; k--, m++) {
		const struct tui_row *r = tui_index_row(x, k - 1);
		if (r->frame == frame && r->kind == kind)
			return k - 1;
	}
	return UINT64_MAX;
}

uint64_t tui_index_capacity_row(const struct tui_index *x, uint64_t i)
{
	if (i >= atomic_load_explicit(&((struct tui_index *)x)->ncaprows, memory_order_acquire))
		return UINT64_MAX;
	return x->caprows[i];
}

bool tui_index_capacity_overflow(const struct tui_index *x) { return atomic_load(&((struct tui_index *)x)->capoverflow); }

bool tui_row_is_error(const struct tui_row *r)
{
	if (r->sev == SEV_ERROR + 1)
		return true;
	switch (r->kind) {
	case TXN_SCSI: return r->status != 0 || (r->flags & ROW_UAS_RESPONSE);
	case TXN_CONTROL: return !(r->flags & ROW_COMPLETED) || r->status != 0;
	case TXN_BT: return (r->transport == BT_COMMAND && (!(r->flags & ROW_COMPLETED) || r->status > 0)) ||
			    (r->transport == BT_EVENT && r->status > 0);
	default: return r->transport == USB_NOTE_ERROR || r->transport == USB_NOTE_DEVICE_GONE;
	}
}

bool tui_index_done(const struct tui_index *x)
{
	return atomic_load_explicit(&((struct tui_index *)x)->done, memory_order_acquire);
}

bool tui_index_failed(const struct tui_index *x, struct error *err)
{
	struct tui_index *m = (struct tui_index *)x;
	bool failed;

	pthread_mutex_lock(&m->lock);
	failed = m->failed;
	if (failed && err)
		*err = m->err;
	pthread_mutex_unlock(&m->lock);
	return failed;
}

void tui_index_progress(const struct tui_index *x, uint64_t *offset, uint64_t *size)
{
	*offset = atomic_load_explicit(&((struct tui_index *)x)->offset, memory_order_relaxed);
	*size = x->size;
}

int64_t tui_index_t0(const struct tui_index *x) { return x->t0; }
uint64_t tui_index_commands(const struct tui_index *x)
{
	return atomic_load_explicit(&((struct tui_index *)x)->commands, memory_order_relaxed);
}
bool tui_index_truncated(const struct tui_index *x) { return atomic_load(&((struct tui_index *)x)->truncated); }

unsigned tui_index_devices(const struct tui_index *x, struct tui_device *out, unsigned max)
{
	struct tui_index *m = (struct tui_index *)x;
	unsigned n;

	pthread_mutex_lock(&m->lock);
	n = m->ndevs < max ? m->ndevs : max;
	memcpy(out, m->devs, n * sizeof(*out));
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* ---------------------------------------------------------------- text */

void tui_row_command(const struct tui_index *x, const struct tui_row *r, struct strbuf *sb)
{
	switch (r->kind) {
	case TXN_SCSI: {
		struct cdb_info ci;
		scsi_cdb_decode(r->cdb, r->cdb_len, &ci);
		scsi_cdb_summary(sb, &ci);
		if (ci.vendor) {
			sb_adds(sb, " cdb=");
			sb_add_hex(sb, r->cdb, r->cdb_len);
		}
		break;
	}
	case TXN_CONTROL:
	case TXN_BT:
		sb_adds(sb, tui_index_row_text(x, r));
		break;
	default:
		sb_addf(sb, "%s %s", usb_xfer_name((enum usb_xfer_type)r->dir),
			usb_note_kind_name((enum usb_note_kind)r->transport));
		break;
	}
}

void tui_row_status(const struct tui_row *r, struct strbuf *sb)
{
	const char *n;

	switch (r->kind) {
	case TXN_SCSI:
		if (r->flags & ROW_UAS_RESPONSE)
			sb_addf(sb, "RESPONSE 0x%02x", (unsigned)r->status);
		else if (r->status >= 0)
			sb_adds(sb, (n = scsi_status_name(r->status)) ? n : "status?");
		else if (r->flags & ROW_PHASE_ERROR)
			sb_adds(sb, "PHASE ERROR");
		else
			sb_addf(sb, "no status (%s)", txn_end_name((enum txn_end)r->end));
		if (r->flags & ROW_HAS_SENSE) {
			sb_addc(sb, ' ');
			scsi_sense_summary(sb, r->sense_key, r->asc, r->ascq);
		}
		break;
	case TXN_CONTROL:
		render_usb_status(sb, r->status, r->flags & ROW_COMPLETED);
		break;
	case TXN_BT: {
		/* as bt_status_text (decode/hci.h), from the row's fields */
		const char *en;
		if (r->transport == BT_COMMAND && !(r->flags & ROW_COMPLETED))
			sb_adds(sb, "no answer");
		else if (r->transport == BT_ACL && r->end)
			sb_adds(sb, "incomplete");
		else if (r->status == 0)
			sb_adds(sb, r->transport == BT_COMMAND && r->cdb[0] == 0x0f ? "Pending" : "Success");
		else if (r->status > 0 && (en = hci_error_name((uint8_t)r->status)))
			sb_addf(sb, "%s (0x%02x)", en, (unsigned)r->status);
		else if (r->status > 0)
			sb_addf(sb, "error 0x%02x", (unsigned)r->status);
		break;
	}
	default:
		render_usb_status(sb, r->status, r->transport != USB_NOTE_NO_COMPLETION);
		break;
	}
}
