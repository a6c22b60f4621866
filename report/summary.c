/* summary.c - per device totals of a decoded capture in bounded memory, rendered as text or JSON. */
#include "config.h"
#include "report/summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode/scsi.h"
#include "report/summary_bt.h"
#include "report/txn_render.h"

/* ---------------------------------------------------------------- latency */

/*
 * Histogram buckets: values below 2 * SUB each have their own bucket;
 * above, every power of two [2^e, 2^(e+1)) is split into SUB equal
 * sub-buckets, so a bucket is at most 1/SUB of its lower bound wide.
 */
#define SUB SUMMARY_HIST_SUB
#define SUB_BITS 5                               /* log2(SUB) */
#define HIST_BUCKETS (2 * SUB + (63 - SUB_BITS) * SUB)

_Static_assert(SUB == 1 << SUB_BITS, "SUMMARY_HIST_SUB must be 2^SUB_BITS");

static unsigned log2_u64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static unsigned bucket_of(uint64_t v)
{
	unsigned e;

	if (v < 2 * SUB)
		return (unsigned)v;
	e = log2_u64(v);                                 /* SUB_BITS + 1 .. 63 */
	return 2 * SUB + (e - SUB_BITS - 1) * SUB + (unsigned)((v >> (e - SUB_BITS)) - SUB);
}

/* A bucket's representative value: its middle (exact buckets: the value). */
static uint64_t bucket_value(unsigned i)
{
	unsigned e, sub;
	uint64_t lower, width;

	if (i < 2 * SUB)
		return i;
	e = (i - 2 * SUB) / SUB + SUB_BITS + 1;
	sub = (i - 2 * SUB) % SUB;
	width = (uint64_t)1 << (e - SUB_BITS);
	lower = (uint64_t)(SUB + sub) * width;
	return lower + width / 2;
}

void latency_add(struct latency *l, uint64_t ns)
{
	if (ns > l->max)
		l->max = ns;
	l->n++;
	if (!l->hist && l->nexact < SUMMARY_EXACT_MAX) {
		uint32_t i;
		if (l->nexact == l->cap) {
			uint32_t cap = l->cap ? 2 * l->cap : 16;
			uint64_t *e = realloc(l->exact, (cap < SUMMARY_EXACT_MAX ? cap : SUMMARY_EXACT_MAX) * sizeof(*e));
			if (!e)
				abort();      /* as strbuf does: no sensible recovery */
			l->exact = e;
			l->cap = cap < SUMMARY_EXACT_MAX ? cap : SUMMARY_EXACT_MAX;
		}
		/* keep them sorted: insertion, at most SUMMARY_EXACT_MAX long */
		for (i = l->nexact; i > 0 && l->exact[i - 1] > ns; i--)
			l->exact[i] = l->exact[i - 1];
		l->exact[i] = ns;
		l->nexact++;
		return;
	}
	if (!l->hist) {
		l->hist = calloc(HIST_BUCKETS, sizeof(*l->hist));
		if (!l->hist)
			abort();
		for (uint32_t i = 0; i < l->nexact; i++)
			l->hist[bucket_of(l->exact[i])]++;
		free(l->exact);
		l->exact = NULL;
		l->nexact = l->cap = 0;
	}
	l->hist[bucket_of(ns)]++;
}

bool latency_exact(const struct latency *l)
{
	return !l->hist;
}

uint64_t latency_percentile(const struct latency *l, double p)
{
	uint64_t rank, seen = 0;

	if (!l->n)
		return 0;
	/* nearest rank: the smallest value with at least p% of them at or below it */
	if (p >= 100)
		return l->max;
	rank = (uint64_t)(p / 100.0 * (double)l->n);
	if ((double)rank < p / 100.0 * (double)l->n)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > l->n)
		rank = l->n;
	if (!l->hist)
		return l->exact[rank - 1];
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += l->hist[i];
		if (seen >= rank) {
			uint64_t v = bucket_value(i);
			return v > l->max ? l->max : v;
		}
	}
	return l->max;
}

void latency_release(struct latency *l)
{
	free(l->exact);
	free(l->hist);
	memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------------ state */

#define NAME_MAX_LEN 48

struct op_stat {
	uint8_t opcode;
	int16_t sa;               /* -1 none */
	char name[NAME_MAX_LEN];
	uint64_t count, errors, bytes_read, bytes_written;
	struct latency lat;
};

struct err_stat {
	int16_t status;           /* -1 none */
	int16_t csw_status;       /* when status is -1 */
	int16_t uas_response;     /* when status is -1 */
	uint8_t end;              /* when status is -1 */
	bool has_sense;
	uint8_t key, asc, ascq;
	uint64_t count;
	char first_cmd[NAME_MAX_LEN];
	uint64_t first_frame;
};

struct lun_stat {
	uint64_t lun;
	uint64_t commands;
	bool have_inquiry;
	struct inquiry_id inq;
	uint32_t block_size;      /* last known (transaction or READ CAPACITY) */
	bool have_capacity;
	uint64_t last_lba;
};

struct dev_stat {
	uint16_t bus, device;
	bool have_info;
	struct usb_device_info info;
	uint8_t transports;       /* bit (1 << enum transport) per transport seen */
	uint64_t scsi, scsi_errors, control, control_failed, notes;
	uint64_t bytes_read, bytes_written;
	uint64_t findings[3];     /* by severity */
	struct lun_stat *luns;
	unsigned nluns;
	uint64_t luns_other;      /* commands of LUNs beyond SUMMARY_LUNS_MAX */
	struct op_stat *ops;
	unsigned nops;
	bool have_other_ops;
	struct op_stat other_ops; /* commands beyond SUMMARY_OPCODES_MAX distinct ones */
	struct err_stat errs[SUMMARY_ERRORS_MAX];
	unsigned nerrs;
	uint64_t errs_other;
	struct bt_stat *bt;       /* a Bluetooth controller's HCI traffic; NULL none */
};

struct summary {
	struct dev_stat *devs[SUMMARY_DEVICES_MAX];
	unsigned ndevs;
	struct dev_stat *last;
	uint64_t other_txns;      /* transactions of devices beyond SUMMARY_DEVICES_MAX */
};

struct summary *summary_new(void)
{
	return calloc(1, sizeof(struct summary));
}

void summary_free(struct summary *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->ndevs; i++) {
		struct dev_stat *d = s->devs[i];
		for (unsigned k = 0; k < d->nops; k++)
			latency_release(&d->ops[k].lat);
		latency_release(&d->other_ops.lat);
		bt_stat_free(d->bt);
		free(d->ops);
		free(d->luns);
		free(d);
	}
	free(s);
}

static struct dev_stat *dev_get(struct summary *s, uint16_t bus, uint16_t device)
{
	struct dev_stat *d;

	if (s->last && s->last->bus == bus && s->last->device == device)
		return s->last;
	for (unsigned i = 0; i < s->ndevs; i++)
		if (s->devs[i]->bus == bus && s->devs[i]->device == device)
			return s->last = s->devs[i];
	if (s->ndevs == SUMMARY_DEVICES_MAX)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->bus = bus;
	d->device = device;
	d->other_ops.sa = -1;
	snprintf(d->other_ops.name, sizeof(d->other_ops.name), "(other commands)");
	s->devs[s->ndevs++] = d;
	return s->last = d;
}

static struct lun_stat *lun_get(struct dev_stat *d, uint64_t lun)
{
	for (unsigned i = 0; i < d->nluns; i++)
		if (d->luns[i].lun == lun)
			return &d->luns[i];
	if (d->nluns == SUMMARY_LUNS_MAX)
		return NULL;
	if (!d->luns) {
		d->luns = calloc(SUMMARY_LUNS_MAX, sizeof(*d->luns));
		if (!d->luns)
			abort();
	}
	d->luns[d->nluns].lun = lun;
	return &d->luns[d->nluns++];
}

static struct op_stat *op_get(struct dev_stat *d, const struct cdb_info *ci)
{
	struct op_stat *o;

	for (unsigned i = 0; i < d->nops; i++)
		if (d->ops[i].opcode == ci->opcode && d->ops[i].sa == ci->service_action)
			return &d->ops[i];
	if (d->nops == SUMMARY_OPCODES_MAX) {
		d->have_other_ops = true;
		return &d->other_ops;
	}
	if (!d->ops) {
		d->ops = calloc(SUMMARY_OPCODES_MAX, sizeof(*d->ops));
		if (!d->ops)
			abort();
	}
	o = &d->ops[d->nops++];
	o->opcode = ci->opcode;
	o->sa = ci->service_action;
	snprintf(o->name, sizeof(o->name), "%s", ci->name ? ci->name : "?");
	return o;
}

static void add_error(struct dev_stat *d, const struct scsi_txn *t, const char *cmd)
{
	struct err_stat k, *e;

	memset(&k, 0, sizeof(k));
	k.status = t->status;
	k.csw_status = -1;
	k.uas_response = -1;
	if (t->status < 0) {
		k.csw_status = t->csw_status;
		k.uas_response = t->uas_response;
		k.end = t->end;
	}
	if (t->sense.source != SENSE_NONE) {
		k.has_sense = true;
		k.key = t->sense.key;
		k.asc = t->sense.asc;
		k.ascq = t->sense.ascq;
	}
	for (unsigned i = 0; i < d->nerrs; i++) {
		e = &d->errs[i];
		if (e->status == k.status && e->csw_status == k.csw_status && e->uas_response == k.uas_response
		    && e->end == k.end && e->has_sense == k.has_sense && e->key == k.key && e->asc == k.asc
		    && e->ascq == k.ascq) {
			e->count++;
			return;
		}
	}
	if (d->nerrs == SUMMARY_ERRORS_MAX) {
		d->errs_other++;
		return;
	}
	e = &d->errs[d->nerrs++];
	*e = k;
	e->count = 1;
	e->first_frame = t->frame;
	snprintf(e->first_cmd, sizeof(e->first_cmd), "%s", cmd);
}

static void add_findings(struct dev_stat *d, const struct finding *f, uint32_t n)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < n; i++)
		d->findings[f[i].severity <= SEV_ERROR ? f[i].severity : SEV_ERROR]++;
}

/* SPC-4 6.6.1: INQUIRY byte 1 bit 0 is EVPD; standard data without it. */
static void learn_lun(struct lun_stat *l, const struct scsi_txn *t, const struct cdb_info *ci)
{
	const struct payload *p = &t->data;
	uint64_t last;
	uint32_t bs;
	bool ok = false;

	l->commands++;
	if (t->block_size)
		l->block_size = t->block_size;
	if (t->status != 0 || !p->head || !p->head_len)
		return;
	if (ci->opcode == 0x12 && t->cdb_len >= 2 && !(t->cdb[1] & 0x01) && !l->have_inquiry) {
		struct inquiry_id id;
		if (scsi_inquiry_parse(p->head, p->head_len, &id)) {
			l->inq = id;
			l->have_inquiry = true;
		}
	}
	/* READ CAPACITY(10) 25h; READ CAPACITY(16) = SERVICE ACTION IN(16) 9Eh/10h (SBC-4 5.20, 5.21) */
	if (ci->opcode == 0x25)
		ok = scsi_read_capacity10_parse(p->head, p->head_len, &last, &bs);
	else if (ci->opcode == 0x9e && t->cdb_len >= 2 && (t->cdb[1] & 0x1f) == 0x10)
		ok = scsi_read_capacity16_parse(p->head, p->head_len, &last, &bs);
	if (ok) {
		l->have_capacity = true;
		l->last_lba = last;
		if (bs)
			l->block_size = bs;
	}
}

static uint64_t dur_ns(int64_t start, int64_t end)
{
	if (end <= start)
		return 0;
	return (uint64_t)end - (uint64_t)start;
}

static void add_scsi(struct dev_stat *d, const struct scsi_txn *t)
{
	struct cdb_info ci;
	struct op_stat *o;
	struct lun_stat *l;

	ci = *scsi_txn_cdb(t, &ci);
	d->scsi++;
	if (t->transport <= TRANSPORT_UAS)
		d->transports |= (uint8_t)(1u << t->transport);
	o = op_get(d, &ci);
	o->count++;
	if (t->direction == SCSI_DIR_IN) {
		o->bytes_read += t->data.bytes;
		d->bytes_read += t->data.bytes;
	} else if (t->direction == SCSI_DIR_OUT) {
		o->bytes_written += t->data.bytes;
		d->bytes_written += t->data.bytes;
	}
	if (t->end == TXN_END_STATUS)
		latency_add(&o->lat, dur_ns(t->ts_start, t->ts_end));
	if (t->status != 0) {
		o->errors++;
		d->scsi_errors++;
		add_error(d, t, o->name);
	}
	l = lun_get(d, t->lun);
	if (l)
		learn_lun(l, t, &ci);
	else
		d->luns_other++;
	add_findings(d, t->findings, t->nfindings);
}

/* Address 0 is where every device is enumerated until SET_ADDRESS gives it
 * its own: when that succeeds, what happened at address 0 so far belongs
 * to the device at the new address (devices at address 0 with nothing
 * left are not listed). */
static void fold_default_address(struct summary *s, struct dev_stat *zero, const struct control_txn *c)
{
	struct dev_stat *d;

	if (!c->has_setup || c->setup[0] != 0x00 || c->setup[1] != 0x05 || !c->completed || c->status != 0)
		return;
	d = dev_get(s, c->bus, (uint16_t)(c->setup[2] & 0x7f));
	if (!d || d == zero)
		return;
	d->control += zero->control;
	d->control_failed += zero->control_failed;
	d->notes += zero->notes;
	for (int i = 0; i < 3; i++)
		d->findings[i] += zero->findings[i];
	zero->control = zero->control_failed = zero->notes = 0;
	memset(zero->findings, 0, sizeof(zero->findings));
}

static bool dev_empty(const struct dev_stat *d)
{
	return !d->scsi && !d->control && !d->notes && bt_stat_empty(d->bt);
}

void summary_add(struct summary *s, const struct txn *t)
{
	struct dev_stat *d;

	switch (t->kind) {
	case TXN_SCSI:
		if (!(d = dev_get(s, t->u.scsi.bus, t->u.scsi.device)))
			break;
		add_scsi(d, &t->u.scsi);
		return;
	case TXN_CONTROL:
		if (!(d = dev_get(s, t->u.ctl.bus, t->u.ctl.device)))
			break;
		d->control++;
		if (t->u.ctl.completed && t->u.ctl.status != 0)
			d->control_failed++;
		add_findings(d, t->u.ctl.findings, t->u.ctl.nfindings);
		if (t->u.ctl.device == 0)
			fold_default_address(s, d, &t->u.ctl);
		return;
	case TXN_USB:
		if (!(d = dev_get(s, t->u.note.bus, t->u.note.device)))
			break;
		d->notes++;
		add_findings(d, t->u.note.findings, t->u.note.nfindings);
		return;
	case TXN_BT:
		if (!(d = dev_get(s, t->u.bt.bus, t->u.bt.device)))
			break;
		if (!d->bt)
			d->bt = bt_stat_new();
		bt_stat_add(d->bt, &t->u.bt);
		add_findings(d, t->u.bt.findings, t->u.bt.nfindings);
		return;
	default:
		return;
	}
	s->other_txns++;
}

void summary_device_info(struct summary *s, const struct usb_device_info *info)
{
	for (unsigned i = 0; i < s->ndevs; i++)
		if (s->devs[i]->bus == info->bus && s->devs[i]->device == info->device) {
			s->devs[i]->info = *info;
			s->devs[i]->have_info = true;
		}
}

/* -------------------------------------------------------------- rendering */

static int dev_cmp(const void *a, const void *b)
{
	const struct dev_stat *x = *(struct dev_stat *const *)a, *y = *(struct dev_stat *const *)b;

	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	return x->device < y->device ? -1 : x->device > y->device;
}

static int op_cmp(const void *a, const void *b)
{
	const struct op_stat *x = *(struct op_stat *const *)a, *y = *(struct op_stat *const *)b;

	if (x->opcode != y->opcode)
		return x->opcode < y->opcode ? -1 : 1;
	return x->sa < y->sa ? -1 : x->sa > y->sa;
}

static int err_cmp(const void *a, const void *b)
{
	const struct err_stat *x = *(struct err_stat *const *)a, *y = *(struct err_stat *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first_frame < y->first_frame ? -1 : x->first_frame > y->first_frame;
}

static int lun_cmp(const void *a, const void *b)
{
	const struct lun_stat *x = a, *y = b;

	return x->lun < y->lun ? -1 : x->lun > y->lun;
}

/* Sorted views; the caller frees the arrays. */
static struct dev_stat **sorted_devs(const struct summary *s)
{
	struct dev_stat **v = malloc((s->ndevs ? s->ndevs : 1) * sizeof(*v));

	if (!v)
		abort();
	memcpy(v, s->devs, s->ndevs * sizeof(*v));
	qsort(v, s->ndevs, sizeof(*v), dev_cmp);
	return v;
}

static const struct op_stat **sorted_ops(const struct dev_stat *d, unsigned *n)
{
	const struct op_stat **v = malloc((d->nops + 1) * sizeof(*v));

	if (!v)
		abort();
	for (unsigned i = 0; i < d->nops; i++)
		v[i] = &d->ops[i];
	qsort(v, d->nops, sizeof(*v), op_cmp);
	*n = d->nops;
	if (d->have_other_ops)
		v[(*n)++] = &d->other_ops;
	return v;
}

static const struct err_stat **sorted_errs(const struct dev_stat *d)
{
	const struct err_stat **v = malloc((d->nerrs ? d->nerrs : 1) * sizeof(*v));

	if (!v)
		abort();
	for (unsigned i = 0; i < d->nerrs; i++)
		v[i] = &d->errs[i];
	qsort(v, d->nerrs, sizeof(*v), err_cmp);
	return v;
}

static void sort_luns(const struct dev_stat *d)
{
	if (d->nluns > 1)
		qsort(d->luns, d->nluns, sizeof(*d->luns), lun_cmp);
}

/* The device's transport: from its descriptors, else from the commands seen. */
static const char *dev_transport(const struct dev_stat *d)
{
	if (d->have_info && d->info.storage_transport != TRANSPORT_NONE)
		return transport_name((enum transport)d->info.storage_transport);
	if ((d->transports & (1u << TRANSPORT_BOT)) && (d->transports & (1u << TRANSPORT_UAS)))
		return "bot+uas";
	if (d->transports & (1u << TRANSPORT_UAS))
		return "uas";
	if (d->transports & (1u << TRANSPORT_BOT))
		return "bot";
	if (!bt_stat_empty(d->bt))
		return "bluetooth";
	return "none";
}

static void err_text(struct strbuf *sb, const struct err_stat *e)
{
	if (e->status >= 0) {
		const char *n = scsi_status_name(e->status);
		if (n)
			sb_adds(sb, n);
		else
			sb_addf(sb, "status 0x%02x", (unsigned)e->status);
	} else if (e->csw_status == 2) {
		sb_adds(sb, "PHASE ERROR");
	} else if (e->uas_response >= 0) {
		sb_addf(sb, "RESPONSE 0x%02x", (unsigned)e->uas_response);
	} else {
		sb_addf(sb, "no status (%s)", txn_end_name((enum txn_end)e->end));
	}
	if (e->has_sense) {
		sb_addc(sb, ' ');
		scsi_sense_summary(sb, e->key, e->asc, e->ascq);
	}
}

/* Append s padded to width (right-aligned when right). */
static void col_s(struct strbuf *sb, const char *s, int width, bool right)
{
	sb_addf(sb, right ? "%*s" : "%-*s", width, s);
}

static void col_dur(struct strbuf *sb, uint64_t ns, int width)
{
	struct strbuf t = STRBUF_INIT;

	sb_init(&t);
	render_duration(&t, ns);
	col_s(sb, t.buf, width, true);
	sb_release(&t);
}

static void text_identity(struct strbuf *sb, const struct dev_stat *d)
{
	const struct usb_device_info *i = &d->info;

	sb_addf(sb, "device %u:%03u", d->bus, d->device);
	if (!bt_stat_empty(d->bt) && !(d->have_info && i->have_device_desc)) {
		sb_addf(sb, "  Bluetooth controller (%s)\n", bt_stat_source(d->bt));
		return;
	}
	if (d->have_info && i->have_device_desc)
		sb_addf(sb, "  %04x:%04x  USB %x.%02x", i->vid, i->pid, i->bcd_usb >> 8, i->bcd_usb & 0xff);
	if (d->have_info && i->manufacturer[0])
		sb_addf(sb, "  \"%s\"", i->manufacturer);
	if (d->have_info && i->product[0])
		sb_addf(sb, "  \"%s\"", i->product);
	if (d->have_info && i->serial[0])
		sb_addf(sb, "  serial \"%s\"", i->serial);
	sb_addf(sb, "  transport %s", dev_transport(d));
	if (d->have_info && i->storage_transport != TRANSPORT_NONE)
		sb_addf(sb, " (interface %u)", i->storage_interface);
	if (d->have_info && i->max_lun != 0xff)
		sb_addf(sb, ", max LUN %u", i->max_lun);
	if (d->have_info && i->roles_inferred)
		sb_adds(sb, ", roles inferred");
	sb_addc(sb, '\n');
}

static void text_luns(struct strbuf *sb, const struct dev_stat *d)
{
	for (unsigned k = 0; k < d->nluns; k++) {
		const struct lun_stat *l = &d->luns[k];
		sb_addf(sb, "  LUN %" PRIu64 ":", l->lun);
		if (l->have_inquiry)
			sb_addf(sb, " \"%s\" \"%s\" \"%s\", %s%s", l->inq.vendor, l->inq.product, l->inq.revision,
				scsi_peripheral_type_name(l->inq.peripheral_type), l->inq.removable ? ", removable" : "");
		else
			sb_adds(sb, " no INQUIRY data");
		if (l->block_size)
			sb_addf(sb, ", block size %" PRIu32, l->block_size);
		if (l->have_capacity) {
			sb_addf(sb, ", %" PRIu64 " blocks", l->last_lba + 1);
			if (l->block_size && l->last_lba < UINT64_MAX / l->block_size)
				sb_addf(sb, " (%" PRIu64 " bytes)", (l->last_lba + 1) * l->block_size);
		}
		sb_addf(sb, ", %" PRIu64 " commands\n", l->commands);
	}
	if (d->luns_other)
		sb_addf(sb, "  (%" PRIu64 " commands of LUNs beyond the first %d)\n", d->luns_other, SUMMARY_LUNS_MAX);
}

static void text_device(struct strbuf *sb, struct dev_stat *d)
{
	const struct op_stat **ops;
	const struct err_stat **errs;
	unsigned nops;

	text_identity(sb, d);
	if (!bt_stat_empty(d->bt)) {
		bt_stat_text(sb, d->bt);
		if (!d->scsi) {           /* a controller: no storage block */
			if (d->control || d->notes)
				sb_addf(sb, "  %" PRIu64 " control transfers (%" PRIu64 " failed), %" PRIu64 " USB events\n",
					d->control, d->control_failed, d->notes);
			if (d->findings[SEV_INFO] || d->findings[SEV_WARNING] || d->findings[SEV_ERROR])
				sb_addf(sb, "  findings: %" PRIu64 " error, %" PRIu64 " warning, %" PRIu64 " info\n",
					d->findings[SEV_ERROR], d->findings[SEV_WARNING], d->findings[SEV_INFO]);
			return;
		}
	}
	sort_luns(d);
	text_luns(sb, d);
	sb_addf(sb, "  %" PRIu64 " SCSI commands (%" PRIu64 " not good), %" PRIu64 " control transfers (%" PRIu64
		" failed), %" PRIu64 " USB events\n", d->scsi, d->scsi_errors, d->control, d->control_failed, d->notes);
	sb_addf(sb, "  read %" PRIu64 " bytes, written %" PRIu64 " bytes\n", d->bytes_read, d->bytes_written);
	if (d->findings[SEV_INFO] || d->findings[SEV_WARNING] || d->findings[SEV_ERROR])
		sb_addf(sb, "  findings: %" PRIu64 " error, %" PRIu64 " warning, %" PRIu64 " info\n",
			d->findings[SEV_ERROR], d->findings[SEV_WARNING], d->findings[SEV_INFO]);
	ops = sorted_ops(d, &nops);
	if (nops) {
		sb_addf(sb, "  %-36s %8s %7s %13s %13s %9s %9s %9s %9s\n", "command", "count", "errors", "read",
			"written", "p50", "p90", "p99", "max");
		for (unsigned k = 0; k < nops; k++) {
			const struct op_stat *o = ops[k];
			sb_addf(sb, "  %-36s %8" PRIu64 " %7" PRIu64 " %13" PRIu64 " %13" PRIu64, o->name, o->count,
				o->errors, o->bytes_read, o->bytes_written);
			if (o->lat.n) {
				col_dur(sb, latency_percentile(&o->lat, 50), 10);
				col_dur(sb, latency_percentile(&o->lat, 90), 10);
				col_dur(sb, latency_percentile(&o->lat, 99), 10);
				col_dur(sb, o->lat.max, 10);
				if (!latency_exact(&o->lat))
					sb_adds(sb, "  ~");
			} else {
				col_s(sb, "-", 10, true);
			}
			sb_addc(sb, '\n');
		}
	}
	free(ops);
	if (d->nerrs) {
		errs = sorted_errs(d);
		sb_adds(sb, "  errors:\n");
		for (unsigned k = 0; k < d->nerrs; k++) {
			sb_addf(sb, "  %8" PRIu64 "  ", errs[k]->count);
			err_text(sb, errs[k]);
			sb_addf(sb, "  (first: %s, frame %" PRIu64 ")\n", errs[k]->first_cmd, errs[k]->first_frame);
		}
		if (d->errs_other)
			sb_addf(sb, "  %8" PRIu64 "  other errors\n", d->errs_other);
		free(errs);
	}
}

void summary_render_text(struct strbuf *sb, const struct summary *s)
{
	struct dev_stat **v = sorted_devs(s);

	unsigned shown = 0;

	for (unsigned i = 0; i < s->ndevs; i++) {
		if (dev_empty(v[i]))
			continue;
		if (shown++)
			sb_addc(sb, '\n');
		text_device(sb, v[i]);
	}
	if (!shown)
		sb_adds(sb, "no devices\n");
	if (s->other_txns)
		sb_addf(sb, "\n%" PRIu64 " transactions of devices beyond the first %d not summarized\n", s->other_txns,
			SUMMARY_DEVICES_MAX);
	free(v);
}

/* ------------------------------------------------------------------- JSON */

static void json_kstr(struct strbuf *sb, const char *key, const char *val)
{
	sb_addf(sb, ",\"%s\":", key);
	if (!val || !val[0]) {
		sb_adds(sb, "null");
		return;
	}
	sb_addc(sb, '"');
	sb_add_json_str(sb, val, strlen(val));
	sb_addc(sb, '"');
}

void latency_json(struct strbuf *sb, const struct latency *l)
{
	if (!l->n) {
		sb_adds(sb, ",\"latency_ns\":null");
		return;
	}
	sb_addf(sb, ",\"latency_ns\":{\"n\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64
		",\"max\":%" PRIu64 ",\"exact\":%s}", l->n, latency_percentile(l, 50), latency_percentile(l, 90),
		latency_percentile(l, 99), l->max, latency_exact(l) ? "true" : "false");
}

static void json_op(struct strbuf *sb, const struct op_stat *o, bool other)
{
	if (other)
		sb_adds(sb, "{\"opcode\":null,\"service_action\":null");
	else if (o->sa >= 0)
		sb_addf(sb, "{\"opcode\":%u,\"service_action\":%d", o->opcode, o->sa);
	else
		sb_addf(sb, "{\"opcode\":%u,\"service_action\":null", o->opcode);
	json_kstr(sb, "name", o->name);
	sb_addf(sb, ",\"count\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64,
		o->count, o->errors, o->bytes_read, o->bytes_written);
	latency_json(sb, &o->lat);
	sb_addc(sb, '}');
}

static void json_err(struct strbuf *sb, const struct err_stat *e)
{
	struct strbuf t = STRBUF_INIT;

	sb_adds(sb, "{\"status\":");
	if (e->status >= 0)
		sb_addf(sb, "%d", e->status);
	else
		sb_adds(sb, "null");
	if (e->status < 0) {
		sb_addf(sb, ",\"end\":\"%s\"", txn_end_name((enum txn_end)e->end));
		if (e->csw_status >= 0)
			sb_addf(sb, ",\"csw_status\":%d", e->csw_status);
		if (e->uas_response >= 0)
			sb_addf(sb, ",\"uas_response\":%d", e->uas_response);
	}
	if (e->has_sense)
		sb_addf(sb, ",\"sense\":{\"key\":%u,\"asc\":%u,\"ascq\":%u}", e->key, e->asc, e->ascq);
	else
		sb_adds(sb, ",\"sense\":null");
	sb_init(&t);
	err_text(&t, e);
	json_kstr(sb, "text", t.buf);
	sb_release(&t);
	sb_addf(sb, ",\"count\":%" PRIu64, e->count);
	json_kstr(sb, "first_command", e->first_cmd);
	sb_addf(sb, ",\"first_frame\":%" PRIu64 "}", e->first_frame);
}

static void json_device(struct strbuf *sb, struct dev_stat *d)
{
	const struct usb_device_info *i = &d->info;
	const struct op_stat **ops;
	const struct err_stat **errs;
	unsigned nops;

	sb_addf(sb, "{\"bus\":%u,\"device\":%u", d->bus, d->device);
	if (d->have_info && i->have_device_desc)
		sb_addf(sb, ",\"vid\":%u,\"pid\":%u,\"bcd_usb\":%u,\"bcd_device\":%u", i->vid, i->pid, i->bcd_usb,
			i->bcd_device);
	else
		sb_adds(sb, ",\"vid\":null,\"pid\":null,\"bcd_usb\":null,\"bcd_device\":null");
	json_kstr(sb, "manufacturer", d->have_info ? i->manufacturer : NULL);
	json_kstr(sb, "product", d->have_info ? i->product : NULL);
	json_kstr(sb, "serial", d->have_info ? i->serial : NULL);
	sb_addf(sb, ",\"transport\":\"%s\"", dev_transport(d));
	if (d->have_info && i->storage_transport != TRANSPORT_NONE)
		sb_addf(sb, ",\"storage_interface\":%u", i->storage_interface);
	else
		sb_adds(sb, ",\"storage_interface\":null");
	if (d->have_info && i->max_lun != 0xff)
		sb_addf(sb, ",\"max_lun\":%u", i->max_lun);
	else
		sb_adds(sb, ",\"max_lun\":null");
	sb_addf(sb, ",\"roles_inferred\":%s", d->have_info && i->roles_inferred ? "true" : "false");
	sort_luns(d);
	sb_adds(sb, ",\"luns\":[");
	for (unsigned k = 0; k < d->nluns; k++) {
		const struct lun_stat *l = &d->luns[k];
		sb_addf(sb, "%s{\"lun\":%" PRIu64 ",\"commands\":%" PRIu64, k ? "," : "", l->lun, l->commands);
		if (l->have_inquiry) {
			sb_addf(sb, ",\"inquiry\":{\"peripheral_type\":%u", l->inq.peripheral_type);
			json_kstr(sb, "peripheral_type_name", scsi_peripheral_type_name(l->inq.peripheral_type));
			sb_addf(sb, ",\"removable\":%s", l->inq.removable ? "true" : "false");
			sb_adds(sb, ",\"vendor\":\"");
			sb_add_json_str(sb, l->inq.vendor, strlen(l->inq.vendor));
			sb_adds(sb, "\",\"product\":\"");
			sb_add_json_str(sb, l->inq.product, strlen(l->inq.product));
			sb_adds(sb, "\",\"revision\":\"");
			sb_add_json_str(sb, l->inq.revision, strlen(l->inq.revision));
			sb_adds(sb, "\"}");
		} else {
			sb_adds(sb, ",\"inquiry\":null");
		}
		if (l->block_size)
			sb_addf(sb, ",\"block_size\":%" PRIu32, l->block_size);
		else
			sb_adds(sb, ",\"block_size\":null");
		if (l->have_capacity)
			sb_addf(sb, ",\"blocks\":%" PRIu64, l->last_lba + 1);
		else
			sb_adds(sb, ",\"blocks\":null");
		sb_addc(sb, '}');
	}
	sb_addf(sb, "],\"luns_other_commands\":%" PRIu64, d->luns_other);
	sb_addf(sb, ",\"scsi_commands\":%" PRIu64 ",\"scsi_not_good\":%" PRIu64 ",\"control_transfers\":%" PRIu64
		",\"control_failed\":%" PRIu64 ",\"usb_events\":%" PRIu64 ",\"bytes_read\":%" PRIu64
		",\"bytes_written\":%" PRIu64, d->scsi, d->scsi_errors, d->control, d->control_failed, d->notes,
		d->bytes_read, d->bytes_written);
	sb_addf(sb, ",\"findings\":{\"error\":%" PRIu64 ",\"warning\":%" PRIu64 ",\"info\":%" PRIu64 "}",
		d->findings[SEV_ERROR], d->findings[SEV_WARNING], d->findings[SEV_INFO]);
	ops = sorted_ops(d, &nops);
	sb_adds(sb, ",\"commands\":[");
	for (unsigned k = 0; k < nops; k++) {
		if (k)
			sb_addc(sb, ',');
		json_op(sb, ops[k], ops[k] == &d->other_ops);
	}
	sb_addc(sb, ']');
	free(ops);
	errs = sorted_errs(d);
	sb_adds(sb, ",\"errors\":[");
	for (unsigned k = 0; k < d->nerrs; k++) {
		if (k)
			sb_addc(sb, ',');
		json_err(sb, errs[k]);
	}
	sb_addf(sb, "],\"errors_other\":%" PRIu64, d->errs_other);
	free(errs);
	sb_adds(sb, ",\"bluetooth\":");
	if (bt_stat_empty(d->bt))
		sb_adds(sb, "null");
	else
		bt_stat_json(sb, d->bt);
	sb_addc(sb, '}');
}

void summary_render_json(struct strbuf *sb, const struct summary *s)
{
	struct dev_stat **v = sorted_devs(s);

	unsigned shown = 0;

	sb_adds(sb, "{\"devices\":[");
	for (unsigned i = 0; i < s->ndevs; i++) {
		if (dev_empty(v[i]))
			continue;
		if (shown++)
			sb_addc(sb, ',');
		json_device(sb, v[i]);
	}
	sb_addf(sb, "],\"other_devices_transactions\":%" PRIu64 "}\n", s->other_txns);
	free(v);
}
