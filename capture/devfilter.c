/* devfilter.c - `capture --device VID:PID`: tie bus addresses to a VID:PID from descriptors and sysfs; hold, write or drop each packet. */
#include "config.h"
#include "capture/devfilter.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

enum df_state {
	DF_UNKNOWN = 0,           /* packets held until the descriptor says */
	DF_MATCH,
	DF_OTHER,
};

struct held {
	struct held *next;
	struct cap_live_pkt pkt;  /* data points just past this struct */
	uint64_t drops;
};

struct addr {
	uint16_t bus, addr;
	uint8_t state;            /* enum df_state */
	bool fresh;               /* a new device here (after SET_ADDRESS or a disconnect): no sysfs lookup */
	bool gone;                /* a completion said the device left */
	bool desc_pending;        /* a GET_DESCRIPTOR(DEVICE) submit is open ... */
	uint64_t desc_urb;        /* ... with this URB id */
	uint64_t setaddr_urb;     /* address 0: an open SET_ADDRESS ... */
	uint16_t setaddr_to;      /* ... to this address */
	bool setaddr_pending;
	struct held *head, *tail;
	uint32_t nheld;
};

struct devfilter {
	uint16_t vid, pid;
	char sysroot[PATH_MAX / 2];
	struct addr *a;
	unsigned n, alloc;
	uint32_t held_pkts;
	uint64_t held_bytes;
	uint64_t carry_drops;     /* drops of packets left out, for the next one written */
	struct devfilter_stats st;
};

struct devfilter *devfilter_new(uint16_t vid, uint16_t pid, const char *sysroot)
{
	struct devfilter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->vid = vid;
	f->pid = pid;
	snprintf(f->sysroot, sizeof(f->sysroot), "%s", sysroot ? sysroot : "");
	return f;
}

static void held_free_all(struct devfilter *f, struct addr *a, bool count)
{
	while (a->head) {
		struct held *h = a->head;
		a->head = h->next;
		f->held_pkts--;
		f->held_bytes -= h->pkt.caplen;
		if (count)
			f->st.held_dropped++;
		free(h);
	}
	a->tail = NULL;
	a->nheld = 0;
}

void devfilter_free(struct devfilter *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < f->n; i++)
		held_free_all(f, &f->a[i], true);
	free(f->a);
	free(f);
}

void devfilter_get_stats(const struct devfilter *f, struct devfilter_stats *st)
{
	*st = f->st;
	for (unsigned i = 0; i < f->n; i++)
		st->held_dropped += f->a[i].nheld;     /* would be dropped now */
}

static struct addr *addr_find(const struct devfilter *f, uint16_t bus, uint16_t addr)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->a[i].bus == bus && f->a[i].addr == addr)
			return &f->a[i];
	return NULL;
}

bool devfilter_is_match(const struct devfilter *f, uint16_t bus, uint16_t addr)
{
	const struct addr *a = addr_find(f, bus, addr);

	return a && a->state == DF_MATCH;
}

/* Read a small sysfs attribute as a number in `base`; false when absent. */
static bool sysfs_num(const char *dir, const char *name, int base, unsigned long *out)
{
	char path[PATH_MAX], buf[32], *end;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	*out = strtoul(buf, &end, base);
	return end != buf;
}

/* The VID:PID sysfs gives the device at bus:addr; false when it has none. */
static bool sysfs_lookup(const struct devfilter *f, uint16_t bus, uint16_t addr, uint16_t *vid, uint16_t *pid)
{
	char root[PATH_MAX], dir[PATH_MAX + 256];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(root, sizeof(root), "%s/sys/bus/usb/devices", f->sysroot);
	d = opendir(root);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		unsigned long b, n, v, p;
		if (de->d_name[0] == '.' || strchr(de->d_name, ':'))
			continue;         /* interfaces are "1-2:1.0" */
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		if (sysfs_num(dir, "busnum", 10, &b) && sysfs_num(dir, "devnum", 10, &n) && b == bus && n == addr &&
		    sysfs_num(dir, "idVendor", 16, &v) && sysfs_num(dir, "idProduct", 16, &p)) {
			*vid = (uint16_t)v;
			*pid = (uint16_t)p;
			found = true;
		}
	}
	closedir(d);
	return found;
}

static struct addr *addr_get(struct devfilter *f, uint16_t bus, uint16_t addr)
{
	struct addr *a = addr_find(f, bus, addr);

	if (a)
		return a;
	if (f->n == f->alloc) {
		unsigned na = f->alloc ? f->alloc * 2 : 16;
		struct addr *nn;
		if (f->n >= DEVFILTER_ADDRS_MAX || !(nn = realloc(f->a, na * sizeof(*nn))))
			return NULL;
		f->a = nn;
		f->alloc = na;
	}
	a = &f->a[f->n++];
	memset(a, 0, sizeof(*a));
	a->bus = bus;
	a->addr = addr;
	return a;
}

static void emit_one(struct devfilter *f, const struct cap_live_pkt *pkt, uint64_t drops, devfilter_emit emit,
		     void *ctx)
{
	emit(ctx, pkt, drops + f->carry_drops);
	f->carry_drops = 0;
	f->st.kept++;
}

/* Decide address a: write what it holds (a match) or drop it. */
static void decide(struct devfilter *f, struct addr *a, bool match, devfilter_emit emit, void *ctx)
{
	if (match && a->state != DF_MATCH)
		f->st.matched++;
	a->state = match ? DF_MATCH : DF_OTHER;
	a->fresh = false;
	while (a->head) {
		struct held *h = a->head;
		a->head = h->next;
		f->held_pkts--;
		f->held_bytes -= h->pkt.caplen;
		if (match) {
			emit_one(f, &h->pkt, h->drops, emit, ctx);
		} else {
			f->carry_drops += h->drops;
			f->st.left_out++;
		}
		free(h);
	}
	a->tail = NULL;
	a->nheld = 0;
}

/* Hold a copy of the packet until its address is identified. */
static void hold(struct devfilter *f, struct addr *a, const struct cap_live_pkt *raw, uint64_t drops)
{
	struct held *h;

	while (a->head && (f->held_pkts >= DEVFILTER_HELD_MAX || f->held_bytes + raw->caplen > DEVFILTER_HELD_BYTES)) {
		struct held *o = a->head;
		a->head = o->next;
		if (!a->head)
			a->tail = NULL;
		a->nheld--;
		f->held_pkts--;
		f->held_bytes -= o->pkt.caplen;
		f->carry_drops += o->drops;
		f->st.held_dropped++;
		free(o);
	}
	if (f->held_pkts >= DEVFILTER_HELD_MAX || f->held_bytes + raw->caplen > DEVFILTER_HELD_BYTES ||
	    !(h = malloc(sizeof(*h) + raw->caplen))) {
		f->carry_drops += drops;
		f->st.held_dropped++;
		return;
	}
	h->next = NULL;
	h->pkt = *raw;
	h->drops = drops;
	if (raw->caplen)
		memcpy(h + 1, raw->data, raw->caplen);
	h->pkt.data = (const uint8_t *)(h + 1);
	if (a->tail)
		a->tail->next = h;
	else
		a->head = h;
	a->tail = h;
	a->nheld++;
	f->held_pkts++;
	f->held_bytes += raw->caplen;
}

/* Move what address 0 holds (an enumeration) to the address it was given. */
static void hand_over(struct devfilter *f, struct addr *zero, struct addr *to)
{
	held_free_all(f, to, true);
	if (zero->state == DF_MATCH)
		f->st.matched++;
	to->state = zero->state;      /* a descriptor read at address 0 already said who it is */
	to->fresh = zero->state == DF_UNKNOWN;
	to->gone = false;
	to->desc_pending = false;
	to->head = zero->head;
	to->tail = zero->tail;
	to->nheld = zero->nheld;
	zero->head = zero->tail = NULL;
	zero->nheld = 0;
	zero->state = DF_UNKNOWN;
}

void devfilter_feed(struct devfilter *f, const struct usb_event *ev, const struct cap_live_pkt *raw,
		    devfilter_emit emit, void *ctx)
{
	struct addr *a = addr_get(f, ev->bus, ev->device);
	bool ctl_submit = ev->type == USB_EV_SUBMIT && ev->xfer == USB_XFER_CONTROL && ev->has_setup;
	uint16_t vid, pid;

	if (!a) {                     /* more addresses than we follow: not ours */
		f->carry_drops += ev->drops;
		f->st.left_out++;
		return;
	}
	/* GET_DESCRIPTOR(DEVICE): bmRequestType 80h, bRequest 6, wValue 0100h
	 * (USB 2.0 9.4.3); SET_ADDRESS: 00h, 5, wValue = the address (9.4.6). */
	if (ctl_submit && ev->setup[0] == 0x80 && ev->setup[1] == 6 && ev->setup[3] == 1) {
		if (a->gone) {
			/* the device there left; this is a new one being enumerated
			 * (the old one's last URBs failing stay with it) */
			held_free_all(f, a, true);
			a->gone = false;
			a->fresh = true;
			a->state = DF_UNKNOWN;
		}
		a->desc_pending = true;
		a->desc_urb = ev->urb_id;
	}
	if (a->state == DF_UNKNOWN && !a->fresh && a->addr != 0 && !a->nheld) {
		if (sysfs_lookup(f, a->bus, a->addr, &vid, &pid))
			decide(f, a, vid == f->vid && pid == f->pid, emit, ctx);
	}
	if (ctl_submit && a->addr == 0 && ev->setup[0] == 0x00 && ev->setup[1] == 5) {
		a->setaddr_pending = true;
		a->setaddr_urb = ev->urb_id;
		a->setaddr_to = (uint16_t)(ev->setup[2] | (ev->setup[3] << 8));
	}

	/* this packet */
	if (a->state == DF_MATCH)
		emit_one(f, raw, ev->drops, emit, ctx);
	else if (a->state == DF_OTHER) {
		f->carry_drops += ev->drops;
		f->st.left_out++;
	} else
		hold(f, a, raw, ev->drops);

	if (ev->type != USB_EV_COMPLETE)
		return;
	if (a->desc_pending && ev->urb_id == a->desc_urb) {
		uint16_t v = 0, p = 0;
		a->desc_pending = false;
		/* idVendor at 8, idProduct at 10 of the device descriptor (USB 2.0 9.6.1) */
		if (ev->status == 0 && get_le16(ev->data, ev->caplen, 8, &v) && get_le16(ev->data, ev->caplen, 10, &p)) {
			bool match = v == f->vid && p == f->pid;
			if (a->state == DF_UNKNOWN || (a->state == DF_MATCH) != match)
				decide(f, a, match, emit, ctx);
		}
	}
	if (a->addr == 0 && a->setaddr_pending && ev->urb_id == a->setaddr_urb) {
		a->setaddr_pending = false;
		if (ev->status == 0 && a->setaddr_to > 0 && a->setaddr_to < 128) {
			struct addr *to = addr_get(f, a->bus, a->setaddr_to);
			a = addr_find(f, ev->bus, 0);     /* addr_get may have moved the table */
			if (to && a)
				hand_over(f, a, to);
		}
		return;
	}
	if (a->addr != 0 && (ev->status == -19 || ev->status == -108)) {
		/* ENODEV / ESHUTDOWN: the device left this address */
		a->gone = true;
	}
}
