/* detail.c - the detail tree and hex layers of a transaction, and the worker that decodes them again from the file. */
#include "config.h"
#include "tui/detail.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/lint.h"
#include "report/txn_render.h"
#include "tui/pass.h"

/* ------------------------------------------------------------ building */

struct field_pos {
	const char *name;         /* how the -v line of the field starts */
	uint8_t off6, len6;       /* in a 6-byte CDB */
	uint8_t off10, len10;     /* 10 */
	uint8_t off12, len12;     /* 12 */
	uint8_t off16, len16;     /* 16 */
};

/* Where the fields decode -v names sit in CDBs of each size (SBC/SPC
 * layouts), only to highlight them in the hex pane: the values come from
 * decode's own text.  Length 0: not in CDBs of that size. */
static const struct field_pos cdb_fields[] = {
	{ "OPERATION CODE", 0, 1, 0, 1, 0, 1, 0, 1 },
	{ "GROUP CODE", 0, 1, 0, 1, 0, 1, 0, 1 },
	{ "LOGICAL BLOCK ADDRESS", 1, 3, 2, 4, 2, 4, 2, 8 },
	{ "TRANSFER LENGTH", 4, 1, 7, 2, 6, 4, 10, 4 },
	{ "PARAMETER LIST LENGTH", 4, 1, 7, 2, 6, 4, 10, 4 },
	{ "GROUP NUMBER", 0, 0, 6, 1, 10, 1, 14, 1 },
	{ "RDPROTECT", 0, 0, 1, 1, 1, 1, 1, 1 },
	{ "WRPROTECT", 0, 0, 1, 1, 1, 1, 1, 1 },
	{ "DPO", 0, 0, 1, 1, 1, 1, 1, 1 },
	{ "FUA", 0, 0, 1, 1, 1, 1, 1, 1 },
	{ "IMMED", 1, 1, 1, 1, 1, 1, 1, 1 },
	{ "EVPD", 1, 1, 0, 0, 0, 0, 0, 0 },
	{ "DESC", 1, 1, 0, 0, 0, 0, 0, 0 },
	{ "PMI", 0, 0, 8, 1, 0, 0, 14, 1 },
	{ "SERVICE ACTION", 0, 0, 1, 1, 1, 1, 1, 1 },
	{ NULL, 0, 0, 0, 0, 0, 0, 0, 0 },
};

/* Fields whose place depends on the command. */
static bool cdb_special(uint8_t op, const char *name, uint32_t *off, uint32_t *len)
{
	static const struct { uint8_t op; const char *name; uint8_t off, len; } t[] = {
		{ 0x12, "PAGE CODE", 2, 1 }, { 0x12, "ALLOCATION LENGTH", 3, 2 },
		{ 0x03, "ALLOCATION LENGTH", 4, 1 },
		{ 0x1a, "PAGE CODE", 2, 1 }, { 0x1a, "ALLOCATION LENGTH", 4, 1 }, { 0x1a, "DBD", 1, 1 },
		{ 0x5a, "PAGE CODE", 2, 1 }, { 0x5a, "ALLOCATION LENGTH", 7, 2 }, { 0x5a, "DBD", 1, 1 },
		{ 0x1b, "START", 4, 1 }, { 0x1b, "LOEJ", 4, 1 }, { 0x1b, "POWER CONDITION", 4, 1 },
		{ 0x1e, "PREVENT", 4, 1 }, { 0xa0, "ALLOCATION LENGTH", 6, 4 },
		{ 0x9e, "ALLOCATION LENGTH", 10, 4 }, { 0x4d, "ALLOCATION LENGTH", 7, 2 },
		{ 0x4d, "PAGE CODE", 2, 1 }, { 0x23, "ALLOCATION LENGTH", 7, 2 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].op == op && strncmp(name, t[i].name, strlen(t[i].name)) == 0) {
			*off = t[i].off;
			*len = t[i].len;
			return true;
		}
	return false;
}

static bool cdb_field(const uint8_t *cdb, unsigned cdb_len, const char *name, uint32_t *off, uint32_t *len)
{
	if (!cdb_len)
		return false;
	if (strncmp(name, "CONTROL", 7) == 0) {
		*off = cdb_len - 1;
		*len = 1;
		return true;
	}
	if (cdb_special(cdb[0], name, off, len))
		return *off + *len <= cdb_len;
	for (const struct field_pos *f = cdb_fields; f->name; f++) {
		uint8_t o, l;
		if (strncmp(name, f->name, strlen(f->name)) != 0)
			continue;
		switch (cdb_len) {
		case 6: o = f->off6; l = f->len6; break;
		case 10: o = f->off10; l = f->len10; break;
		case 12: o = f->off12; l = f->len12; break;
		case 16: o = f->off16; l = f->len16; break;
		default: return false;
		}
		if (!l || o + l > cdb_len)
			return false;
		*off = o;
		*len = l;
		return true;
	}
	return false;
}

/* Fixed-format sense data (SPC 4.5.3). */
static bool sense_field(const uint8_t *raw, unsigned len, const char *name, uint32_t *off, uint32_t *fl)
{
	static const struct { const char *name; uint8_t off, len; } t[] = {
		{ "RESPONSE CODE", 0, 1 }, { "VALID", 0, 1 }, { "FILEMARK", 2, 1 }, { "EOM", 2, 1 }, { "ILI", 2, 1 },
		{ "SDAT_OVFL", 2, 1 }, { "SENSE KEY SPECIFIC", 15, 3 }, { "SENSE KEY", 2, 1 }, { "INFORMATION", 3, 4 },
		{ "ADDITIONAL SENSE LENGTH", 7, 1 }, { "COMMAND-SPECIFIC", 8, 4 }, { "ASC/ASCQ", 12, 2 },
		{ "FIELD REPLACEABLE", 14, 1 },
	};
	if (!len || ((raw[0] & 0x7f) != 0x70 && (raw[0] & 0x7f) != 0x71))
		return false;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strncmp(name, t[i].name, strlen(t[i].name)) == 0 && t[i].off + t[i].len <= len) {
			*off = t[i].off;
			*fl = t[i].len;
			return true;
		}
	return false;
}

/* The setup packet (USB 2.0 9.3). */
static bool setup_field(const char *name, uint32_t *off, uint32_t *len)
{
	static const struct { const char *name; uint8_t off, len; } t[] = {
		{ "bmRequestType", 0, 1 }, { "bRequest", 1, 1 }, { "wValue", 2, 2 }, { "wIndex", 4, 2 },
		{ "wLength", 6, 2 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strncmp(name, t[i].name, strlen(t[i].name)) == 0) {
			*off = t[i].off;
			*len = t[i].len;
			return true;
		}
	return false;
}

struct builder {
	struct tui_detail *d;
	unsigned cap;
	bool oom;
};

static struct tui_dnode *add_node(struct builder *b, const char *text, size_t n, unsigned depth, int layer)
{
	struct tui_dnode *nd;

	if (b->oom)
		return NULL;
	if (b->d->nnodes == b->cap) {
		unsigned nc = b->cap ? b->cap * 2 : 64;
		struct tui_dnode *nn = realloc(b->d->nodes, nc * sizeof(*nn));
		if (!nn) {
			b->oom = true;
			return NULL;
		}
		b->d->nodes = nn;
		b->cap = nc;
	}
	nd = &b->d->nodes[b->d->nnodes];
	if (!(nd->text = malloc(n + 1))) {
		b->oom = true;
		return NULL;
	}
	memcpy(nd->text, text, n);
	nd->text[n] = '\0';
	b->d->bytes += n + 1 + sizeof(*nd);
	nd->depth = (uint8_t)(depth > 255 ? 255 : depth);
	nd->layer = (int8_t)layer;
	nd->hl_off = nd->hl_len = 0;
	b->d->nnodes++;
	return nd;
}

static int add_layer(struct tui_detail *d, const char *name, const uint8_t *bytes, uint32_t len, uint64_t total)
{
	struct tui_dlayer *l;

	if (d->nlayers == TUI_DETAIL_LAYERS_MAX)
		return -1;
	l = &d->layers[d->nlayers];
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->bytes = NULL;
	if (len && !(l->bytes = malloc(len)))
		return -1;
	if (len)
		memcpy(l->bytes, bytes, len);
	l->len = len;
	l->total = total;
	d->bytes += len;
	return (int)d->nlayers++;
}

/* Words of text wrapped to width columns as child lines at depth. */
static void add_wrapped(struct builder *b, const char *text, unsigned depth, unsigned width)
{
	const char *p = text;

	while (*p) {
		size_t n = strlen(p), cut = n;
		if (n > width) {
			cut = width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		add_node(b, p, cut, depth, -1);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static const struct usb_event *event_of(const struct usb_event *const *ev, unsigned n, uint64_t frame)
{
	for (unsigned i = 0; i < n; i++)
		if (ev[i]->frame == frame)
			return ev[i];
	return NULL;
}

static int urb_layer(struct tui_detail *d, const struct usb_event *e)
{
	char name[96];

	if (!e)
		return -1;
	snprintf(name, sizeof(name), "frame %" PRIu64 ": %s %s ep 0x%02x %s", e->frame,
		 usb_xfer_name((enum usb_xfer_type)e->xfer), (e->endpoint & 0x80) ? "IN" : "OUT", e->endpoint,
		 usb_ev_type_name((enum usb_ev_type)e->type));
	return add_layer(d, name, e->data, e->caplen, e->data_len > e->caplen ? e->data_len : e->caplen);
}

void tui_detail_free(struct tui_detail *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->nnodes; i++)
		free(t->nodes[i].text);
	for (unsigned i = 0; i < t->nlayers; i++)
		free(t->layers[i].bytes);
	free(t->nodes);
	free(t);
}

struct tui_detail *tui_detail_build(const struct txn *t, int64_t t0, const struct usb_event *const *events,
				    unsigned nevents)
{
	struct render_opts ro = { .t0_ns = t0 };
	struct strbuf sb;
	struct builder b = { 0 };
	const uint64_t *frames = NULL;
	uint32_t nframes = 0;
	const struct scsi_txn *s = t->kind == TXN_SCSI ? &t->u.scsi : NULL;
	const struct control_txn *c = t->kind == TXN_CONTROL ? &t->u.ctl : NULL;
	int l_cdb = -1, l_data = -1, l_sense = -1, l_setup = -1, l_first = -1, l_last = -1;
	int section = -1;         /* layer of the depth-1 line being read */
	enum { SEC_OTHER, SEC_CDB, SEC_SENSE, SEC_FRAMES, SEC_FINDING } kind = SEC_OTHER;
	int urb_layers[64];
	unsigned nurb = 0;
	char name[96];

	if (!(b.d = calloc(1, sizeof(*b.d))))
		return NULL;
	sb_init(&sb);
	render_txn_verbose(&sb, t, &ro);
	if (s) {
		frames = s->frames;
		nframes = s->nframes;
		snprintf(name, sizeof(name), "CDB (%u bytes)", s->cdb_len);
		l_cdb = add_layer(b.d, name, s->cdb, s->cdb_len > SCSI_CDB_MAX ? SCSI_CDB_MAX : s->cdb_len, s->cdb_len);
		if (s->data.head_len) {
			snprintf(name, sizeof(name), "data: %" PRIu32 " of %" PRIu64 " bytes", s->data.head_len, s->data.bytes);
			l_data = add_layer(b.d, name, s->data.head, s->data.head_len, s->data.bytes);
		}
		if (s->sense.source != SENSE_NONE) {
			snprintf(name, sizeof(name), "sense data (frame %" PRIu64 ")", s->sense.frame);
			l_sense = add_layer(b.d, name, s->sense.raw, s->sense.len, s->sense.len);
		}
	} else if (t->kind == TXN_BT) {
		const struct bt_txn *bt = &t->u.bt;
		/* A dongle's packets came in URBs: show them; a Bluetooth
		 * log's records are the packet itself. */
		if (bt->source == BT_SRC_USB) {
			frames = bt->frames;
			nframes = bt->nframes;
		}
		if (bt->data.head_len) {
			snprintf(name, sizeof(name), "%s: %" PRIu32 " of %" PRIu64 " bytes",
				 bt->kind == BT_ACL ? "L2CAP payload" : bt->kind == BT_TEXT ? "text" : "packet",
				 bt->data.head_len, bt->data.bytes);
			l_cdb = add_layer(b.d, name, bt->data.head, bt->data.head_len, bt->data.bytes);
		}
		if (bt->reply) {
			snprintf(name, sizeof(name), "answer (frame %" PRIu64 ")", bt->reply_frame);
			l_data = add_layer(b.d, name, bt->reply, bt->reply_len, bt->reply_len);
		}
	} else if (c) {
		frames = c->frames;
		nframes = c->nframes;
		if (c->has_setup)
			l_setup = add_layer(b.d, "setup packet", c->setup, 8, 8);
		if (c->data.head_len) {
			snprintf(name, sizeof(name), "data stage: %" PRIu32 " of %" PRIu64 " bytes", c->data.head_len,
				 c->data.bytes);
			l_data = add_layer(b.d, name, c->data.head, c->data.head_len, c->data.bytes);
		}
	}
	for (uint32_t i = 0; i < nframes && nurb < 64; i++) {
		const struct usb_event *e = event_of(events, nevents, frames[i]);
		urb_layers[nurb++] = urb_layer(b.d, e);
	}
	if (t->kind == TXN_USB) {
		const struct usb_event *e = event_of(events, nevents, t->u.note.frame);
		l_first = urb_layer(b.d, e);
	} else if (nurb) {
		l_first = urb_layers[0];
		l_last = urb_layers[nurb - 1];
	}

	for (char *line = sb.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		size_t n, sp = 0;
		unsigned depth;
		struct tui_dnode *nd;
		const char *txt;

		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (n == 0)
			continue;
		while (sp < n && line[sp] == ' ')
			sp++;
		depth = line == sb.buf ? 0 : sp <= 4 ? 1 : (unsigned)(sp - 2) / 2;
		txt = line + sp;
		if (depth == 0) {
			/* the summary line shows the command's own bytes */
			add_node(&b, line, n, 0, l_cdb >= 0 ? l_cdb : l_setup >= 0 ? l_setup : l_first);
			continue;
		}
		if (kind == SEC_FRAMES && c && depth >= 2) {
			/* usb_control_describe's lines follow the frames: give them
			 * a layer of their own */
			add_node(&b, "control request (setup packet, data stage)", 42, 1, l_setup);
			kind = SEC_OTHER;
			section = -1;
		}
		if (depth == 1) {
			kind = SEC_OTHER;
			section = -1;
			if (strncmp(txt, "frames:", 7) == 0) {
				add_node(&b, txt, n - sp, 1, l_first);
				for (uint32_t i = 0; i < nframes && i < nurb; i++) {
					const struct usb_event *e = event_of(events, nevents, frames[i]);
					char u[200];
					int un;
					if (e)
						un = snprintf(u, sizeof(u), "frame %" PRIu64 "  %s %s ep 0x%02x %s  %" PRIu32
							      " bytes, %" PRIu32 " captured%s, status %" PRId32,
							      e->frame, usb_ev_type_name((enum usb_ev_type)e->type),
							      usb_xfer_name((enum usb_xfer_type)e->xfer), e->endpoint,
							      (e->endpoint & 0x80) ? "IN" : "OUT", e->length, e->caplen,
							      e->truncated ? " (cut by the capture)" : "", e->status);
					else
						un = snprintf(u, sizeof(u), "frame %" PRIu64 "  (not kept)", frames[i]);
					add_node(&b, u, (size_t)un < sizeof(u) ? (size_t)un : sizeof(u) - 1, 2, urb_layers[i]);
				}
				if (nframes > nurb)
					add_node(&b, "... more frames", 15, 2, -1);
				kind = SEC_FRAMES;
				continue;
			}
			if (!strncmp(txt, "CBW:", 4) || !strncmp(txt, "Command IU:", 11))
				section = l_first;
			else if (!strncmp(txt, "CSW:", 4) || !strncmp(txt, "Sense IU:", 9) || !strncmp(txt, "Response IU:", 12))
				section = l_last;
			else if (!strncmp(txt, "CDB:", 4)) {
				section = l_cdb;
				kind = SEC_CDB;
			} else if (!strncmp(txt, "data:", 5))
				section = l_data;
			else if (!strncmp(txt, "sense (", 7)) {
				section = l_sense;
				kind = SEC_SENSE;
			} else if (!strncmp(txt, "finding ", 8)) {
				kind = SEC_FINDING;
			}
			if (c && section < 0 && kind == SEC_OTHER && !strncmp(txt, "bmRequestType", 13)) {
				/* usb_control_describe's lines sit at depth 2 under the control line: see below */
			}
			nd = add_node(&b, txt, n - sp, 1, section);
			if (kind == SEC_FINDING) {
				/* lint's explanation of the id under the finding */
				char id[64];
				size_t k = 0;
				const struct check_info *ci;
				while (k + 1 < sizeof(id) && txt[8 + k] && txt[8 + k] != ' ') {
					id[k] = txt[8 + k];
					k++;
				}
				id[k] = '\0';
				if ((ci = check_find(id))) {
					add_wrapped(&b, ci->summary, 2, 76);
					add_wrapped(&b, ci->explain, 2, 76);
				}
			}
			(void)nd;
			continue;
		}
		/* depth >= 2: a field of the current section (or, for control
		 * transfers, of the setup packet and the data stage). */
		nd = add_node(&b, txt, n - sp, depth, section);
		if (!nd)
			continue;
		if (c && kind == SEC_OTHER && section < 0) {
			uint32_t off, len;
			if (depth == 2 && l_setup >= 0 && setup_field(txt, &off, &len)) {
				nd->layer = (int8_t)l_setup;
				nd->hl_off = off;
				nd->hl_len = len;
			} else
				nd->layer = (int8_t)l_data;
		} else if (kind == SEC_CDB && s && depth == 2) {
			uint32_t off, len;
			if (cdb_field(s->cdb, s->cdb_len, txt, &off, &len)) {
				nd->hl_off = off;
				nd->hl_len = len;
			}
		} else if (kind == SEC_SENSE && s && depth == 2) {
			uint32_t off, len;
			if (sense_field(s->sense.raw, s->sense.len, txt, &off, &len)) {
				nd->hl_off = off;
				nd->hl_len = len;
			}
		}
	}
	sb_release(&sb);
	if (b.oom) {
		tui_detail_free(b.d);
		return NULL;
	}
	return b.d;
}

/* -------------------------------------------------------------- worker */

struct cache_ent {
	struct tui_detail *d;
};

struct tui_detailer {
	char path[4096];
	struct tui_live *live;    /* live: no partial passes, the pass follows the index */
	const struct tui_index *x;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	uint64_t target;          /* UINT64_MAX: none */
	struct tui_detail *cache[TUI_DETAIL_CACHE];
	size_t cache_bytes;
	bool busy;
	uint64_t at;
	bool failed;
	struct error err;

	uint64_t n_passes, n_partial, n_skipped;   /* for tests: passes started, partial ones, events not fed */
	uint64_t skip_frames;     /* a pass starts partial when its start row is this far into the file */
	uint64_t behind;          /* rows kept before the one asked for */

	/* worker only */
	struct pass *pass;
	uint64_t pos;             /* rows before this one are behind the pass */
	bool partial;             /* the pass skips what is not needed before from_seq */
	uint64_t from_seq, margin_frame;
	struct { uint64_t seq, lo, hi; } capr[32];   /* the READ CAPACITYs it feeds, their frames */
	unsigned ncapr;
	uint64_t lo, hi;          /* the window being built */
	uint64_t flo, fhi;        /* frames of its URBs */
	struct usb_event *ev;     /* kept events, with their bytes copied */
	unsigned nev;
	uint64_t ev_bytes;
	bool pass_ended;
};

static uint64_t dist(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

static void cache_drop_locked(struct tui_detailer *d, unsigned i)
{
	d->cache_bytes -= d->cache[i]->bytes;
	if (--d->cache[i]->refs == 0)
		tui_detail_free(d->cache[i]);
	d->cache[i] = NULL;
}

/* Keep t; make room by dropping the details farthest from the row asked for. */
static void cache_put_locked(struct tui_detailer *d, struct tui_detail *t)
{
	int slot = -1;

	for (unsigned i = 0; i < TUI_DETAIL_CACHE; i++)
		if (d->cache[i] && d->cache[i]->seq == t->seq)
			cache_drop_locked(d, i);
	for (;;) {
		unsigned worst = 0;
		uint64_t wd = 0;
		bool any = false;
		slot = -1;
		for (unsigned i = 0; i < TUI_DETAIL_CACHE; i++) {
			if (!d->cache[i]) {
				if (slot < 0)
					slot = (int)i;
				continue;
			}
			if (!any || dist(d->cache[i]->seq, d->target) > wd) {
				wd = dist(d->cache[i]->seq, d->target);
				worst = i;
				any = true;
			}
		}
		if (slot >= 0 && d->cache_bytes + t->bytes <= TUI_DETAIL_CACHE_BYTES)
			break;
		if (!any)
			break;
		cache_drop_locked(d, worst);
	}
	if (slot < 0) {
		tui_detail_free(t);
		return;
	}
	t->refs = 1;
	d->cache[slot] = t;
	d->cache_bytes += t->bytes;
}

static struct tui_detail *cache_find_locked(struct tui_detailer *d, uint64_t seq)
{
	for (unsigned i = 0; i < TUI_DETAIL_CACHE; i++)
		if (d->cache[i] && d->cache[i]->seq == seq)
			return d->cache[i];
	return NULL;
}

static void clear_events(struct tui_detailer *d)
{
	for (unsigned i = 0; i < d->nev; i++)
		free((void *)d->ev[i].data);
	d->nev = 0;
	d->ev_bytes = 0;
}

static void on_event(void *ctx, const struct usb_event *e)
{
	struct tui_detailer *d = ctx;
	struct usb_event *k;
	uint32_t n;

	if (e->frame < d->flo || e->frame > d->fhi || d->nev == TUI_DETAIL_EVENTS_MAX)
		return;
	n = e->caplen > TUI_DETAIL_EVENT_BYTES ? TUI_DETAIL_EVENT_BYTES : e->caplen;
	if (d->ev_bytes + n > 64ull << 20)
		return;
	k = &d->ev[d->nev];
	*k = *e;
	k->iso = NULL;
	k->iso_ndesc = 0;
	k->data = NULL;
	if (n) {
		uint8_t *p = malloc(n);
		if (!p)
			return;
		memcpy(p, e->data, n);
		k->data = p;
	}
	k->caplen = n;
	d->ev_bytes += n;
	d->nev++;
}

/* The findings of row seq as the index has them (lint's, with the whole
 * capture seen), into out (FINDINGS_MAX); how many. */
#define FINDINGS_MAX 64
static uint32_t index_findings(const struct tui_index *x, uint64_t seq, struct finding *out)
{
	const struct tui_row *r = tui_index_row(x, seq);
	uint32_t n = 0;

	if (r->first_finding == UINT32_MAX)
		return 0;
	for (uint64_t i = r->first_finding; n < r->nfind && n < FINDINGS_MAX && i < tui_index_nfindings(x); i++) {
		const struct tui_finding *f = tui_index_finding(x, i);
		if (f->seq != seq)
			break;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].id = f->id;
		out[n].severity = f->severity;
		out[n].nframes = f->nframes;
		memcpy(out[n].frames, f->frames, sizeof(out[n].frames));
		snprintf(out[n].msg, sizeof(out[n].msg), "%s", f->msg);
		n++;
	}
	return n;
}

static void on_txn(void *ctx, uint64_t pseq, const struct txn *t)
{
	struct tui_detailer *d = ctx;
	const struct usb_event *evp[TUI_DETAIL_EVENTS_MAX];
	struct finding fs[FINDINGS_MAX];
	struct tui_detail *det;
	struct txn copy;
	unsigned n = 0;
	uint64_t seq = pseq;
	uint32_t nf;

	if (d->partial) {
		/* a pass that skipped events numbers only what it delivered:
		 * the row is the one that starts at the same frame */
		seq = tui_index_seq_of(d->x, txn_frame(t), t->kind);
		if (seq == UINT64_MAX || seq < d->from_seq)
			return;
	}
	if (seq + 1 > d->pos)
		d->pos = seq + 1;
	if (seq < d->lo || seq > d->hi || seq >= tui_index_count(d->x))
		return;
	for (unsigned i = 0; i < d->nev; i++)
		evp[n++] = &d->ev[i];
	/* the findings the index has: lint's, with the whole capture seen */
	copy = *t;
	nf = index_findings(d->x, seq, fs);
	switch (copy.kind) {
	case TXN_SCSI: copy.u.scsi.findings = fs; copy.u.scsi.nfindings = nf; break;
	case TXN_CONTROL: copy.u.ctl.findings = fs; copy.u.ctl.nfindings = nf; break;
	case TXN_BT: copy.u.bt.findings = fs; copy.u.bt.nfindings = nf; break;
	default: copy.u.note.findings = fs; copy.u.note.nfindings = nf; break;
	}
	det = tui_detail_build(&copy, pass_t0(d->pass), evp, n);
	if (!det)
		return;
	det->seq = seq;
	pthread_mutex_lock(&d->lock);
	cache_put_locked(d, det);
	pthread_mutex_unlock(&d->lock);
}

/* A partial pass feeds the decoder every control transfer (the device
 * model: descriptors, configuration, interfaces), the READ CAPACITY
 * commands before the start (block sizes), and everything from a little
 * before the start row on. */
static bool want_event(void *ctx, const struct usb_event *e)
{
	struct tui_detailer *d = ctx;

	if (!d->partial || e->frame >= d->margin_frame || e->xfer == USB_XFER_CONTROL)
		return true;
	for (unsigned i = 0; i < d->ncapr; i++)
		if (e->frame >= d->capr[i].lo && e->frame <= d->capr[i].hi)
			return true;
	d->n_skipped++;
	return false;
}

/* Frames past the window's last that are kept too: a transaction after the
 * window may have begun before the window's last one was delivered (BOT
 * keeps a CHECK CONDITION open until its REQUEST SENSE). */
#define EVENT_SLACK_FRAMES 256
#define EVENT_EARLY_FRAMES 64

/* Drop the kept events before frame lo. */
static void prune_events(struct tui_detailer *d, uint64_t lo)
{
	unsigned k = 0;

	for (unsigned i = 0; i < d->nev; i++) {
		if (d->ev[i].frame < lo) {
			d->ev_bytes -= d->ev[i].caplen;
			free((void *)d->ev[i].data);
			continue;
		}
		d->ev[k++] = d->ev[i];
	}
	d->nev = k;
}

static void set_window(struct tui_detailer *d, uint64_t target, uint64_t behind)
{
	uint64_t count = tui_index_count(d->x);
	uint64_t start = d->pos;

	d->lo = target > behind ? target - behind : 0;
	if (d->lo < start)
		d->lo = start;
	d->hi = target + TUI_DETAIL_AROUND;
	if (count && d->hi >= count)
		d->hi = count - 1;
	if (d->hi < target)
		d->hi = target;
	d->flo = UINT64_MAX;
	d->fhi = 0;
	for (uint64_t s = d->lo; s <= d->hi && s < count; s++) {
		const struct tui_row *r = tui_index_row(d->x, s);
		if (r->frame < d->flo)
			d->flo = r->frame;
		if (tui_row_last_frame(r) > d->fhi)
			d->fhi = tui_row_last_frame(r);
	}
	if (d->fhi < UINT64_MAX - EVENT_SLACK_FRAMES)
		d->fhi += EVENT_SLACK_FRAMES;
	/* a transaction's URBs may begin before its first frame (UAS hosts
	 * submit the status and data URBs ahead of the Command IU) */
	d->flo = d->flo > EVENT_EARLY_FRAMES ? d->flo - EVENT_EARLY_FRAMES : 0;
	prune_events(d, d->flo);
}

/* Open the pass that reaches the window of target soonest. */
static void open_pass(struct tui_detailer *d, uint64_t target, bool force_full, struct error *err)
{
	uint64_t lo = target > d->behind ? target - d->behind : 0, c = UINT64_MAX;

	d->partial = false;
	d->pos = 0;
	d->ncapr = 0;
	d->pass_ended = false;
	clear_events(d);
	if (!force_full && d->skip_frames != UINT64_MAX && tui_index_row(d->x, lo)->frame >= d->skip_frames &&
	    !tui_index_capacity_overflow(d->x)) {
		/* the last quiet row at or before the window: nothing open
		 * there, so a decoder that skipped the bulk traffic before it
		 * (but saw the enumeration and the block sizes) decodes what
		 * follows as the whole pass does */
		for (uint64_t k = lo + 1, n = 0; k > 0 && n < 65536; k--, n++)
			if (tui_index_row(d->x, k - 1)->flags & ROW_QUIET) {
				c = k - 1;
				break;
			}
	}
	if (c != UINT64_MAX) {
		uint64_t frame = tui_index_row(d->x, c)->frame, cr;
		d->partial = true;
		d->from_seq = c;
		d->pos = c;
		d->margin_frame = frame > EVENT_EARLY_FRAMES ? frame - EVENT_EARLY_FRAMES : 0;
		/* the latest READ CAPACITY of each LUN before it */
		for (uint64_t i = 0; (cr = tui_index_capacity_row(d->x, i)) != UINT64_MAX && cr < c; i++) {
			const struct tui_row *r = tui_index_row(d->x, cr);
			unsigned k;
			for (k = 0; k < d->ncapr; k++) {
				const struct tui_row *o = tui_index_row(d->x, d->capr[k].seq);
				if (o->bus == r->bus && o->device == r->device && o->lun == r->lun)
					break;
			}
			if (k == d->ncapr) {
				if (d->ncapr == sizeof(d->capr) / sizeof(d->capr[0]))
					continue;
				d->ncapr++;
			}
			d->capr[k].seq = cr;
			d->capr[k].lo = r->frame > EVENT_EARLY_FRAMES ? r->frame - EVENT_EARLY_FRAMES : 0;
			d->capr[k].hi = tui_row_last_frame(r);
		}
		d->pass = pass_open_partial(d->path, on_txn, on_event, want_event, false, d, err);
		d->n_partial++;
	} else if (d->live)
		d->pass = pass_open_live(d->live, false, on_txn, on_event, d, err);
	else
		d->pass = pass_open(d->path, on_txn, on_event, d, err);
	d->n_passes++;
}

/* Is it cheaper to start a partial pass than to go on from here?  Reading
 * without decoding is several times faster than decoding (bench/). */
static bool far_ahead(struct tui_detailer *d, uint64_t target)
{
	uint64_t count = tui_index_count(d->x), ft, fp;

	if (d->skip_frames == UINT64_MAX || d->pos >= count || target >= count)
		return false;
	ft = tui_index_row(d->x, target)->frame;
	fp = tui_index_row(d->x, d->pos)->frame;
	return ft > fp && ft - fp > d->skip_frames && ft - fp > ft / 5;
}

static void *detail_thread(void *arg)
{
	struct tui_detailer *d = arg;
	struct error err;
	bool force_full = false;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		uint64_t target;
		int rc = 1;

		while (!d->stop && (d->target == UINT64_MAX || cache_find_locked(d, d->target)))
			pthread_cond_wait(&d->wake, &d->lock);
		if (d->stop)
			break;
		target = d->target;
		d->busy = true;
		pthread_mutex_unlock(&d->lock);

		if (d->pass && (d->pos > target || d->pass_ended || force_full || far_ahead(d, target))) {
			/* Behind the worker (or far ahead of it): start again. */
			pass_close(d->pass);
			d->pass = NULL;
		}
		if (!d->pass)
			open_pass(d, target, force_full, &err);
		force_full = false;
		if (d->pass) {
			/* keep more of what comes before the row than after it
			 * (the worker goes on forward anyway), so that paging back
			 * does not start the pass again at once */
			set_window(d, target, d->behind);
			while (d->pos <= d->hi) {
				rc = pass_step(d->pass, 64, &err);
				pthread_mutex_lock(&d->lock);
				d->at = d->pos;
				if (rc < 0) {
					d->failed = true;
					d->err = err;
				}
				/* A new row asked for before this window is done: go to it
				 * (from here if it is ahead). */
				if (d->stop || (d->target != target && !(d->target >= d->lo && d->target <= d->hi))) {
					pthread_mutex_unlock(&d->lock);
					break;
				}
				pthread_mutex_unlock(&d->lock);
				if (rc <= 0) {
					d->pass_ended = true;
					break;
				}
				if (rc == PASS_WAITING) {
					/* live: the index has not read further yet */
					struct timespec ts = { 0, 10 * 1000000L };
					nanosleep(&ts, NULL);
				}
			}
		}
		pthread_mutex_lock(&d->lock);
		d->busy = false;
		if (d->pass && d->partial && !cache_find_locked(d, target) && d->target == target && d->pos > target) {
			/* the partial pass went past the row without finding it:
			 * decode the whole way (never seen on the project's
			 * captures; kept so that a surprise costs time, not a
			 * wrong detail) */
			force_full = true;
			continue;
		}
		if (!d->pass || (d->pass_ended && !cache_find_locked(d, target) && d->target == target)) {
			/* Nothing more will come for it (open failed, or the file
			 * ends before it): stop asking. */
			d->target = UINT64_MAX;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static struct tui_detailer *detailer_start(const char *path, struct tui_live *live, const struct tui_index *x,
					   struct error *err)
{
	struct tui_detailer *d = calloc(1, sizeof(*d));

	if (!d || !(d->ev = calloc(TUI_DETAIL_EVENTS_MAX, sizeof(*d->ev)))) {
		free(d);
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		return NULL;
	}
	snprintf(d->path, sizeof(d->path), "%s", live ? tui_live_path(live) : path);
	d->live = live;
	d->x = x;
	d->target = UINT64_MAX;
	/* live, passes skip nothing: the flushes that number the transactions
	 * depend on every event */
	d->skip_frames = live ? UINT64_MAX : TUI_DETAIL_SKIP_FRAMES;
	d->behind = TUI_DETAIL_BEHIND;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	if (pthread_create(&d->thread, NULL, detail_thread, d) != 0) {
		free(d->ev);
		free(d);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot start the detail thread");
		return NULL;
	}
	d->started = true;
	return d;
}

struct tui_detailer *tui_detailer_start(const char *path, const struct tui_index *x, struct error *err)
{
	return detailer_start(path, NULL, x, err);
}

struct tui_detailer *tui_detailer_start_live(struct tui_live *live, const struct tui_index *x, struct error *err)
{
	return detailer_start(NULL, live, x, err);
}

void tui_detailer_free(struct tui_detailer *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pass_close(d->pass);
	clear_events(d);
	free(d->ev);
	for (unsigned i = 0; i < TUI_DETAIL_CACHE; i++)
		if (d->cache[i])
			cache_drop_locked(d, i);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct tui_detail *tui_detailer_get(struct tui_detailer *d, uint64_t seq)
{
	struct tui_detail *t;
	uint64_t want = seq, count = tui_index_count(d->x);

	pthread_mutex_lock(&d->lock);
	t = cache_find_locked(d, seq);
	if (t) {
		t->refs++;
		/* Here already: let the worker build the rows after it while
		 * the user reads this one, if it is on its way there anyway. */
		want = seq + TUI_DETAIL_AROUND / 2;
		if (want >= count || want < d->at || cache_find_locked(d, want))
			want = UINT64_MAX;
	}
	if (want != UINT64_MAX && d->target != want) {
		d->target = want;
		pthread_cond_broadcast(&d->wake);
	}
	pthread_mutex_unlock(&d->lock);
	return t;
}

void tui_detail_put(struct tui_detailer *d, struct tui_detail *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&d->lock);
	if (--t->refs == 0)
		tui_detail_free(t);
	pthread_mutex_unlock(&d->lock);
}

void tui_detailer_tune(struct tui_detailer *d, uint64_t skip_frames, uint64_t behind)
{
	pthread_mutex_lock(&d->lock);
	d->skip_frames = d->live ? UINT64_MAX : skip_frames;
	d->behind = behind;
	pthread_mutex_unlock(&d->lock);
}

void tui_detailer_counts(struct tui_detailer *d, uint64_t *passes, uint64_t *partial, uint64_t *skipped)
{
	pthread_mutex_lock(&d->lock);
	*passes = d->n_passes;
	*partial = d->n_partial;
	*skipped = d->n_skipped;
	pthread_mutex_unlock(&d->lock);
}

void tui_detailer_status(struct tui_detailer *d, uint64_t *at, bool *busy, struct error *err, bool *failed)
{
	pthread_mutex_lock(&d->lock);
	*at = d->at;
	*busy = d->busy;
	*failed = d->failed;
	if (d->failed && err)
		*err = d->err;
	pthread_mutex_unlock(&d->lock);
}
