/* device.c - a model of each USB device from its enumeration, the storage role of its bulk endpoints, and role inference from traffic. */
#include "config.h"
#include "decode/device.h"

#include <stdlib.h>
#include <string.h>

#include "decode/usb_control.h"
#include "util/bytes.h"

/*
 * Sources: USB 2.0 / 3.2 chapter 9 (requests, descriptors: a configuration
 * set is the configuration descriptor followed by interface, endpoint and
 * class descriptors; SET_CONFIGURATION puts every interface in alternate
 * setting 0, section 9.4.7), Mass Storage Class Specification Overview 1.4
 * (class 08h, protocols 50h Bulk-Only and 62h UAS), Bulk-Only Transport 1.0
 * (CBW 31 bytes "USBC", CSW 13 bytes "USBS", Get Max LUN FEh), USB
 * Attached SCSI 1.0 (Pipe Usage descriptor 24h after each endpoint and its
 * companion; IU formats: Command 01h, Sense 03h, Response 04h, Read Ready
 * 06h, Write Ready 07h; tags are big-endian).
 *
 * Limits (a hostile capture cannot make memory grow without bound; what is
 * beyond them is ignored, not an error): DEV_PER_BUS_MAX live devices per
 * bus, DEV_LIVE_MAX live devices in all, DEV_ENTRIES_MAX devices remembered
 * for devtable_at(); per configuration INTF_MAX interfaces, ALT_MAX
 * alternate settings each, EP_MAX endpoints per alternate setting;
 * CONFIG_MAX configurations and STR_CACHE strings per device.
 */

#define DEV_PER_BUS_MAX 128
#define DEV_LIVE_MAX 1024
#define DEV_ENTRIES_MAX 4096
#define INTF_MAX 32
#define ALT_MAX 16
#define EP_MAX 32
#define CONFIG_MAX 8
#define STR_CACHE 16
#define TAGS_MAX 64

#define MSC_CLASS 0x08
#define MSC_PROTO_BOT 0x50
#define MSC_PROTO_UAS 0x62

struct ep_desc {
	uint8_t addr;
	uint8_t attr;
	uint8_t max_streams;      /* SuperSpeed companion bmAttributes 4:0 (bulk) */
	uint8_t pipe_id;          /* UAS Pipe Usage bPipeID, 0 none */
};

struct alt_desc {
	uint8_t intf, alt, cls, sub, proto;
	uint8_t declared_eps;     /* bNumEndpoints */
	uint8_t nep;
	struct ep_desc ep[EP_MAX];
};

struct config {
	uint8_t value;            /* bConfigurationValue */
	bool complete;            /* the whole set was read and parsed cleanly */
	uint16_t nalts;
	struct alt_desc *alts;
};

struct str_entry {
	uint8_t idx;
	bool complete;
	char text[USB_STRING_MAX];
};

/* What traffic has shown about a device without descriptors. */
struct infer {
	uint8_t transport;        /* enum transport once recognised */
	uint32_t bulk_seen;       /* route index bits of bulk endpoints seen */
	uint32_t csw_seen;        /* IN endpoints that carried a CSW */
	uint16_t tags[TAGS_MAX];  /* recent UAS Command IU tags */
	unsigned ntags, tag_next;
	bool have_status;         /* the UAS status pipe is known */
	struct ep_route route[32];
	bool valid[32];
};

struct dev {
	struct usb_device_info info;
	bool live;
	bool have_full_dd;
	uint8_t dd[18];
	struct str_entry strs[STR_CACHE];
	unsigned nstrs, str_next;
	struct config cfg[CONFIG_MAX];
	unsigned ncfg;
	bool config_set;          /* SET_CONFIGURATION (or GET_CONFIGURATION) seen */
	bool desc_complete;       /* a complete configuration set was parsed */
	uint64_t addressed_frame; /* SET_ADDRESS that brought it to this address, 0 none */
	uint8_t cur_alt[256];
	uint32_t alt_guessed[8];  /* interfaces whose alternate setting was inferred from traffic */
	struct ep_route route[32];
	bool route_valid[32];
	struct infer inf;
};

struct devtable {
	struct dev **order;       /* every device entry, first-seen order */
	unsigned n, alloc;
	unsigned live;
	struct dev *last;         /* last device looked up */
};

static unsigned ep_index(uint8_t ep)
{
	return (ep & 0x0fu) | ((ep & 0x80u) ? 16u : 0u);
}

static bool is_in(uint8_t ep) { return (ep & 0x80) != 0; }

/* ----------------------------------------------------------- the table */

struct devtable *devtable_new(void)
{
	return calloc(1, sizeof(struct devtable));
}

static void dev_free(struct dev *d)
{
	for (unsigned i = 0; i < d->ncfg; i++)
		free(d->cfg[i].alts);
	free(d);
}

void devtable_free(struct devtable *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->n; i++)
		dev_free(t->order[i]);
	free(t->order);
	free(t);
}

static struct dev *find(const struct devtable *t, uint16_t bus, uint16_t device)
{
	if (t->last && t->last->live && t->last->info.bus == bus && t->last->info.device == device)
		return t->last;
	for (unsigned i = t->n; i-- > 0;) {
		struct dev *d = t->order[i];
		if (d->live && d->info.bus == bus && d->info.device == device)
			return d;
	}
	return NULL;
}

static struct dev *lookup(struct devtable *t, uint16_t bus, uint16_t device)
{
	struct dev *d = find(t, bus, device);
	if (d)
		t->last = d;
	return d;
}

static void drop_entry(struct devtable *t, unsigned i)
{
	struct dev *d = t->order[i];
	if (t->last == d)
		t->last = NULL;
	dev_free(d);
	memmove(&t->order[i], &t->order[i + 1], (t->n - i - 1) * sizeof(t->order[0]));
	t->n--;
}

static struct dev *create(struct devtable *t, uint16_t bus, uint16_t device)
{
	unsigned on_bus = 0;
	struct dev *d;

	if (t->live >= DEV_LIVE_MAX)
		return NULL;
	for (unsigned i = 0; i < t->n; i++)
		if (t->order[i]->live && t->order[i]->info.bus == bus)
			on_bus++;
	if (on_bus >= DEV_PER_BUS_MAX)
		return NULL;
	if (t->n >= DEV_ENTRIES_MAX) {
		/* Forget the oldest device that is no longer there. */
		unsigned i;
		for (i = 0; i < t->n && t->order[i]->live; i++)
			;
		if (i == t->n)
			return NULL;
		drop_entry(t, i);
	}
	if (t->n == t->alloc) {
		unsigned na = t->alloc ? 2 * t->alloc : 16;
		struct dev **o = realloc(t->order, na * sizeof(*o));
		if (!o)
			abort();
		t->order = o;
		t->alloc = na;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->info.bus = bus;
	d->info.device = device;
	d->info.max_lun = 0xff;
	d->live = true;
	t->order[t->n++] = d;
	t->live++;
	t->last = d;
	return d;
}

static struct dev *get(struct devtable *t, uint16_t bus, uint16_t device)
{
	struct dev *d = lookup(t, bus, device);
	return d ? d : create(t, bus, device);
}

void devtable_forget(struct devtable *t, uint16_t bus, uint16_t device)
{
	struct dev *d;

	if (!t || !(d = find(t, bus, device)))
		return;
	d->live = false;
	t->live--;
	if (t->last == d)
		t->last = NULL;
	/* Address 0 is where every device is enumerated before SET_ADDRESS:
	 * not a device of its own for the summary. */
	if (device == 0) {
		for (unsigned i = 0; i < t->n; i++)
			if (t->order[i] == d) {
				drop_entry(t, i);
				break;
			}
	}
}

const struct usb_device_info *devtable_info(const struct devtable *t, uint16_t bus, uint16_t device)
{
	const struct dev *d = t ? find(t, bus, device) : NULL;
	return d ? &d->info : NULL;
}

const struct usb_device_info *devtable_at(const struct devtable *t, unsigned i)
{
	return (t && i < t->n) ? &t->order[i]->info : NULL;
}

/* -------------------------------------------------------------- routes */

static const struct config *active_config(const struct dev *d)
{
	if (d->config_set) {
		if (d->info.config == 0)
			return NULL;
		for (unsigned i = 0; i < d->ncfg; i++)
			if (d->cfg[i].value == d->info.config)
				return &d->cfg[i];
		return NULL;
	}
	/* No SET_CONFIGURATION in the capture: the configuration we read. */
	for (unsigned i = 0; i < d->ncfg; i++)
		if (d->cfg[i].complete)
			return &d->cfg[i];
	return d->ncfg ? &d->cfg[0] : NULL;
}

static bool alt_is_storage(const struct alt_desc *a)
{
	return a->cls == MSC_CLASS && (a->proto == MSC_PROTO_BOT || a->proto == MSC_PROTO_UAS);
}

static uint8_t uas_role(uint8_t pipe_id)
{
	switch (pipe_id) {
	case 1: return EP_UAS_COMMAND;
	case 2: return EP_UAS_STATUS;
	case 3: return EP_UAS_DATA_IN;
	case 4: return EP_UAS_DATA_OUT;
	default: return EP_ROLE_NONE;
	}
}

static const struct alt_desc *find_alt(const struct config *c, uint8_t intf, uint8_t alt)
{
	for (unsigned i = 0; i < c->nalts; i++)
		if (c->alts[i].intf == intf && c->alts[i].alt == alt)
			return &c->alts[i];
	return NULL;
}

static bool guessed(const struct dev *d, uint8_t intf)
{
	return (d->alt_guessed[intf / 32] >> (intf % 32)) & 1;
}

/* Set the routes of one alternate setting (if it is storage). */
static bool route_alt(struct dev *d, const struct alt_desc *a)
{
	uint8_t transport;
	bool streams = false, any = false;

	if (!alt_is_storage(a))
		return false;
	transport = a->proto == MSC_PROTO_UAS ? TRANSPORT_UAS : TRANSPORT_BOT;
	/* Streams are a property of the interface for the UAS decoder: the
	 * command pipe never has them, the status and data pipes do. */
	if (transport == TRANSPORT_UAS)
		for (unsigned e = 0; e < a->nep; e++)
			if ((a->ep[e].attr & 3) == 2 && a->ep[e].max_streams)
				streams = true;
	for (unsigned e = 0; e < a->nep; e++) {
		const struct ep_desc *ep = &a->ep[e];
		unsigned ix = ep_index(ep->addr);
		uint8_t role;

		if ((ep->attr & 3) != 2)
			continue;             /* bulk only */
		if (transport == TRANSPORT_BOT)
			role = is_in(ep->addr) ? EP_BOT_IN : EP_BOT_OUT;
		else
			role = uas_role(ep->pipe_id);
		if (role == EP_ROLE_NONE || d->route_valid[ix])
			continue;
		d->route[ix].transport = transport;
		d->route[ix].interface = a->intf;
		d->route[ix].role = role;
		d->route[ix].inferred = guessed(d, a->intf);
		d->route[ix].streams = streams;
		d->route_valid[ix] = true;
		any = true;
	}
	if (any && d->info.storage_transport == TRANSPORT_NONE) {
		d->info.storage_transport = transport;
		d->info.storage_interface = a->intf;
		if (guessed(d, a->intf))
			d->info.roles_inferred = true;
	}
	return any;
}

static void recompute(struct dev *d)
{
	const struct config *c = active_config(d);
	uint8_t done[256];

	memset(d->route_valid, 0, sizeof(d->route_valid));
	if (d->inf.transport == TRANSPORT_NONE || d->desc_complete) {
		d->info.storage_transport = TRANSPORT_NONE;
		d->info.storage_interface = 0;
	}
	if (!c)
		return;
	memset(done, 0, sizeof(done));
	for (unsigned i = 0; i < c->nalts; i++) {
		uint8_t intf = c->alts[i].intf;
		const struct alt_desc *a;
		if (done[intf])
			continue;
		done[intf] = 1;
		a = find_alt(c, intf, d->cur_alt[intf]);
		if (a)
			route_alt(d, a);
	}
	/* Not in a storage setting right now: say what the device offers. */
	if (d->info.storage_transport == TRANSPORT_NONE && d->desc_complete)
		for (unsigned i = 0; i < c->nalts; i++)
			if (alt_is_storage(&c->alts[i])) {
				d->info.storage_transport = c->alts[i].proto == MSC_PROTO_UAS ? TRANSPORT_UAS : TRANSPORT_BOT;
				d->info.storage_interface = c->alts[i].intf;
				break;
			}
}

static bool has_role(const struct dev *d, uint8_t role);

bool devtable_route(struct devtable *t, uint16_t bus, uint16_t device, uint8_t endpoint, struct ep_route *out)
{
	struct dev *d = t ? lookup(t, bus, device) : NULL;
	unsigned ix = ep_index(endpoint);

	if (!d)
		return false;
	/* Until the status pipe is found, the command pipe's URBs go through
	 * devtable_infer() too, which collects their tags. */
	if (d->route_valid[ix]) {
		if (!d->desc_complete && d->route[ix].role == EP_UAS_COMMAND && !d->inf.have_status &&
		    !has_role(d, EP_UAS_STATUS))
			return false;
		*out = d->route[ix];
		return true;
	}
	if (!d->desc_complete && d->inf.valid[ix]) {
		if (d->inf.route[ix].role == EP_UAS_COMMAND && !d->inf.have_status)
			return false;
		*out = d->inf.route[ix];
		return true;
	}
	return false;
}

/* ------------------------------------------------- configuration sets */

static unsigned count_intfs(const struct config *c)
{
	uint8_t seen[256];
	unsigned n = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < c->nalts; i++)
		if (!seen[c->alts[i].intf]) {
			seen[c->alts[i].intf] = 1;
			n++;
		}
	return n;
}

static unsigned count_alts(const struct config *c, uint8_t intf)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->nalts; i++)
		n += c->alts[i].intf == intf;
	return n;
}

static bool intf_known(const struct config *c, uint8_t intf)
{
	for (unsigned i = 0; i < c->nalts; i++)
		if (c->alts[i].intf == intf)
			return true;
	return false;
}

/* Parse a configuration set (possibly partial) into c.  True when the set
 * was complete and well formed. */
static bool parse_config(const uint8_t *p, size_t len, struct config *c)
{
	uint16_t total = 0;
	size_t off = 0, end;
	struct alt_desc *cur = NULL;
	struct ep_desc *last_ep = NULL;
	unsigned alloc = 0;
	bool clean = true;

	memset(c, 0, sizeof(*c));
	if (!get_le16(p, len, 2, &total) || !get_u8(p, len, 5, &c->value))
		return false;
	end = total < len ? total : len;
	if (len < total)
		clean = false;
	while (off < end) {
		uint8_t bl = p[off], type;
		if (end - off < 2 || bl < 2 || bl > end - off) {
			clean = false;
			break;
		}
		type = p[off + 1];
		if (type == 0x04 && bl >= 9) {
			uint8_t intf = p[off + 2];
			cur = NULL;
			last_ep = NULL;
			if ((intf_known(c, intf) || count_intfs(c) < INTF_MAX) && count_alts(c, intf) < ALT_MAX) {
				if (c->nalts == alloc) {
					unsigned na = alloc ? 2 * alloc : 4;
					struct alt_desc *a = realloc(c->alts, na * sizeof(*a));
					if (!a)
						abort();
					c->alts = a;
					alloc = na;
				}
				cur = &c->alts[c->nalts++];
				memset(cur, 0, sizeof(*cur));
				cur->intf = intf;
				cur->alt = p[off + 3];
				cur->declared_eps = p[off + 4];
				cur->cls = p[off + 5];
				cur->sub = p[off + 6];
				cur->proto = p[off + 7];
			}
		} else if (type == 0x05 && bl >= 7) {
			last_ep = NULL;
			if (cur && cur->nep < EP_MAX) {
				last_ep = &cur->ep[cur->nep++];
				last_ep->addr = p[off + 2];
				last_ep->attr = p[off + 3];
			}
		} else if (type == 0x30 && bl >= 6) {
			if (last_ep && (last_ep->attr & 3) == 2)
				last_ep->max_streams = p[off + 3] & 0x1f;
		} else if (type == 0x24 && bl >= 3) {
			if (last_ep && cur && cur->cls == MSC_CLASS && !last_ep->pipe_id)
				last_ep->pipe_id = p[off + 2];
		} else if (type == 0x02 && off != 0) {
			clean = false;        /* a second configuration header: damaged */
			break;
		}
		off += bl;
	}
	return clean;
}

static void learn_config(struct dev *d, const struct urb *u)
{
	struct config c;
	bool complete;
	unsigned i;

	complete = parse_config(u->data, u->caplen, &c);
	c.complete = complete && !u->truncated;
	for (i = 0; i < d->ncfg; i++)
		if (d->cfg[i].value == c.value)
			break;
	if (i < d->ncfg) {
		if (d->cfg[i].complete && !c.complete) {
			free(c.alts);         /* keep the complete copy */
			return;
		}
		free(d->cfg[i].alts);
	} else if (d->ncfg == CONFIG_MAX) {
		free(c.alts);
		return;
	} else {
		d->ncfg++;
	}
	d->cfg[i] = c;
	if (c.complete)
		d->desc_complete = true;
	recompute(d);
}

/* ------------------------------------------------------------- strings */

static void refresh_strings(struct dev *d)
{
	struct {
		uint8_t idx;
		char *dst;
	} want[3] = {
		{ d->dd[14], d->info.manufacturer },
		{ d->dd[15], d->info.product },
		{ d->dd[16], d->info.serial },
	};

	if (!d->have_full_dd)
		return;
	for (unsigned w = 0; w < 3; w++) {
		if (!want[w].idx)
			continue;
		for (unsigned i = 0; i < d->nstrs; i++)
			if (d->strs[i].idx == want[w].idx) {
				memcpy(want[w].dst, d->strs[i].text, USB_STRING_MAX);
				break;
			}
	}
}

static void learn_string(struct dev *d, uint8_t idx, const struct urb *u)
{
	struct str_entry e;
	uint8_t bl;
	unsigned i;

	if (idx == 0 || !get_u8(u->data, u->caplen, 0, &bl))
		return;
	memset(&e, 0, sizeof(e));
	e.idx = idx;
	if (!usb_string_descriptor(u->data, u->caplen, e.text, sizeof(e.text)))
		return;
	e.complete = u->caplen >= bl && !u->truncated;
	if (!e.complete && !e.text[0])
		return;                   /* a 2-byte header read: nothing to keep */
	if (!e.complete) {
		/* Say it is cut (usbmon text keeps 32 bytes): "...", on a
		 * character boundary. */
		size_t n = strlen(e.text);
		while (n > sizeof(e.text) - 4 || (n && ((unsigned char)e.text[n] & 0xc0) == 0x80))
			n--;
		memcpy(e.text + n, "...", 4);
	}
	for (i = 0; i < d->nstrs; i++)
		if (d->strs[i].idx == idx)
			break;
	if (i < d->nstrs) {
		if (d->strs[i].complete && !e.complete)
			return;
	} else if (d->nstrs < STR_CACHE) {
		i = d->nstrs++;
	} else {
		i = d->str_next;
		d->str_next = (d->str_next + 1) % STR_CACHE;
	}
	d->strs[i] = e;
	refresh_strings(d);
}

/* -------------------------------------------------------- device desc */

/*
 * A device just addressed (SET_ADDRESS from address 0) whose device
 * descriptor equals the one of the device that had this address before:
 * the same device after a port reset (Linux usb_reset_device() does this).
 * Keep one entry for it: its identity (descriptors, strings, max LUN)
 * stays, its state (configuration, alternate settings, inferred roles)
 * starts over as the reset made it.
 */
static struct dev *revive(struct devtable *t, struct dev *n, const uint8_t *dd)
{
	struct dev *o = NULL;
	unsigned i, ni = t->n;

	for (i = t->n; i-- > 0;) {
		struct dev *x = t->order[i];
		if (x == n)
			ni = i;
		else if (!o && !x->live && x->have_full_dd && x->info.bus == n->info.bus &&
			 x->info.device == n->info.device && memcmp(x->dd, dd, 18) == 0)
			o = x;
	}
	if (!o || ni == t->n)
		return n;
	o->live = true;
	o->addressed_frame = n->addressed_frame;
	o->config_set = false;
	o->info.config = 0;
	o->info.roles_inferred = false;
	memset(o->cur_alt, 0, sizeof(o->cur_alt));
	memset(o->alt_guessed, 0, sizeof(o->alt_guessed));
	memset(&o->inf, 0, sizeof(o->inf));
	recompute(o);
	n->live = false;
	drop_entry(t, ni);
	t->last = o;
	return o;
}

static void learn_device_desc(struct devtable *t, struct dev **dp, const struct urb *u)
{
	struct dev *d = *dp;
	const uint8_t *p = u->data;
	size_t n = u->caplen;
	uint16_t usb;

	if (!get_le16(p, n, 2, &usb) || n < 8)
		return;
	if (n >= 18 && d->have_full_dd && memcmp(d->dd, p, 18) != 0 &&
	    (memcmp(d->dd + 8, p + 8, 6) != 0 || d->dd[16] != p[16])) {
		/* Another device at this address (its enumeration was not in
		 * the capture, or xHCI addressed it silently): start over. */
		uint16_t bus = d->info.bus, dev = d->info.device;
		devtable_forget(t, bus, dev);
		d = create(t, bus, dev);
		*dp = d;
		if (!d)
			return;
	}
	if (n >= 18 && !d->have_full_dd && d->addressed_frame)
		d = revive(t, d, p);
	*dp = d;
	d->info.bcd_usb = usb;
	d->info.dev_class = p[4];
	d->info.dev_subclass = p[5];
	d->info.dev_protocol = p[6];
	d->info.max_packet0 = p[7];
	if (n < 18)
		return;
	memcpy(d->dd, p, 18);
	d->have_full_dd = true;
	d->info.have_device_desc = true;
	get_le16(p, n, 8, &d->info.vid);
	get_le16(p, n, 10, &d->info.pid);
	get_le16(p, n, 12, &d->info.bcd_device);
	refresh_strings(d);
}

/* -------------------------------------------------------------- control */

void devtable_control(struct devtable *t, const struct urb *u)
{
	const uint8_t *s = u->setup;
	uint16_t wvalue, windex;
	struct dev *d;

	if (!t || !u->has_setup || !u->has_complete || u->submit_error)
		return;
	if (u->endpoint & 0x0f)
		return;                   /* endpoint 0 only */
	wvalue = usb_setup_wvalue(s);
	windex = usb_setup_windex(s);

	/* Bulk-Only Get Max LUN: a STALL means "one LUN" (BOT 1.0 3.2). */
	if (s[0] == 0xa1 && s[1] == 0xfe && u->status == -32) {
		if ((d = get(t, u->bus, u->device)))
			d->info.max_lun = 0;
		return;
	}
	if (u->status != 0 && u->status != -121)
		return;
	if (!(d = get(t, u->bus, u->device)))
		return;

	switch (((unsigned)s[0] << 8) | s[1]) {
	case 0x0005:                      /* SET_ADDRESS */
		if (u->device == 0 && wvalue >= 1 && wvalue <= 127) {
			struct dev *n;
			devtable_forget(t, u->bus, (uint16_t)wvalue);
			devtable_forget(t, u->bus, 0);
			n = create(t, u->bus, (uint16_t)wvalue);
			if (n)
				n->addressed_frame = u->complete_frame;
		}
		return;
	case 0x8006:                      /* GET_DESCRIPTOR (device) */
		if (!u->caplen || !u->data || u->caplen < 2 || u->data[1] != s[3])
			return;
		if (s[3] == 0x01)
			learn_device_desc(t, &d, u);
		else if (s[3] == 0x02 && u->caplen >= 9)
			learn_config(d, u);
		else if (s[3] == 0x03)
			learn_string(d, s[2], u);
		return;
	case 0x8008:                      /* GET_CONFIGURATION */
		if (u->caplen >= 1 && u->data) {
			d->info.config = u->data[0];
			d->config_set = true;
			recompute(d);
		}
		return;
	case 0x0009:                      /* SET_CONFIGURATION */
		d->info.config = (uint8_t)wvalue;
		d->config_set = true;
		memset(d->cur_alt, 0, sizeof(d->cur_alt));
		memset(d->alt_guessed, 0, sizeof(d->alt_guessed));
		recompute(d);
		return;
	case 0x810a:                      /* GET_INTERFACE */
		if (u->caplen >= 1 && u->data) {
			d->cur_alt[windex & 0xff] = u->data[0];
			d->alt_guessed[(windex & 0xff) / 32] &= ~(1u << ((windex & 0xff) % 32));
			recompute(d);
		}
		return;
	case 0x010b:                      /* SET_INTERFACE */
		d->cur_alt[windex & 0xff] = (uint8_t)wvalue;
		d->alt_guessed[(windex & 0xff) / 32] &= ~(1u << ((windex & 0xff) % 32));
		recompute(d);
		return;
	case 0xa1fe:                      /* Bulk-Only Get Max LUN */
		if (u->caplen >= 1 && u->data)
			d->info.max_lun = u->data[0];
		return;
	default:
		return;
	}
}

/* ------------------------------------------------------------ inference */

/* A bulk URB on an endpoint the current alternate setting does not have,
 * but exactly one other alternate setting of a storage interface has: the
 * SET_INTERFACE was not captured.  Switch and mark the roles inferred. */
static bool switch_alt(struct dev *d, uint8_t endpoint)
{
	const struct config *c = active_config(d);
	const struct alt_desc *hit = NULL;

	if (!c)
		return false;
	for (unsigned i = 0; i < c->nalts; i++) {
		const struct alt_desc *a = &c->alts[i];
		if (!alt_is_storage(a) || a->alt == d->cur_alt[a->intf])
			continue;
		for (unsigned e = 0; e < a->nep; e++)
			if (a->ep[e].addr == endpoint && (a->ep[e].attr & 3) == 2) {
				if (hit)
					return false;  /* ambiguous */
				hit = a;
			}
	}
	if (!hit)
		return false;
	d->cur_alt[hit->intf] = hit->alt;
	d->alt_guessed[hit->intf / 32] |= 1u << (hit->intf % 32);
	d->info.roles_inferred = true;
	recompute(d);
	return d->route_valid[ep_index(endpoint)];
}

static void set_inferred(struct dev *d, uint8_t endpoint, uint8_t transport, uint8_t role)
{
	unsigned ix = ep_index(endpoint);

	d->inf.route[ix].transport = transport;
	d->inf.route[ix].interface = 0;
	d->inf.route[ix].role = role;
	d->inf.route[ix].inferred = true;
	d->inf.route[ix].streams = false;
	d->inf.valid[ix] = true;
	d->inf.transport = transport;
	d->info.roles_inferred = true;
	d->info.storage_transport = transport;
	d->info.storage_interface = 0;
}

/* The role is known: inferred, or from descriptors read only in part (a
 * usbmon text capture keeps 32 bytes of the configuration set: enough for
 * the first endpoint and its Pipe Usage, not for the others). */
static bool has_role(const struct dev *d, uint8_t role)
{
	for (unsigned i = 0; i < 32; i++)
		if ((d->inf.valid[i] && d->inf.route[i].role == role) ||
		    (d->route_valid[i] && d->route[i].role == role))
			return true;
	return false;
}

/* The one bulk IN endpoint seen on the device (route index), or -1. */
static int only_bulk_in(const struct dev *d)
{
	uint32_t in = d->inf.bulk_seen & 0xffff0000u;
	if (!in || (in & (in - 1)))
		return -1;
	return __builtin_ctz(in);
}

static uint8_t addr_of(unsigned ix)
{
	return (uint8_t)((ix & 0x0f) | (ix >= 16 ? 0x80 : 0));
}

/* All the bytes of the transfer are here. */
static bool whole(const struct urb *u, uint32_t n)
{
	return u->data && u->moved == n && u->caplen >= n;
}

static bool is_cbw(const struct urb *u)
{
	const uint8_t *p = u->data;
	return whole(u, 31) && memcmp(p, "USBC", 4) == 0 && (p[13] & 0xf0) == 0 && p[14] >= 1 && p[14] <= 16;
}

static bool is_csw(const struct urb *u)
{
	return whole(u, 13) && memcmp(u->data, "USBS", 4) == 0 && u->data[12] <= 2;
}

/* UAS Command IU (UAS 1.0 6.2.2): IU ID 01h, reserved bytes 1, 5, 7 and
 * the low bits of byte 6 zero, task attribute defined, 32 bytes plus the
 * additional CDB length. */
static bool is_command_iu(const struct urb *u, uint16_t *tag)
{
	const uint8_t *p = u->data;
	unsigned attr, extra;

	if (!p || u->caplen < 32 || u->moved < 32)
		return false;
	if (p[0] != 0x01 || p[1] != 0 || p[5] != 0 || p[7] != 0 || (p[6] & 3) || (p[4] & 0x80))
		return false;
	attr = p[4] & 7;
	if (attr == 3 || attr > 4)
		return false;
	extra = (p[6] >> 2) * 4u;
	if (u->moved != 32 + extra)
		return false;
	get_be16(p, u->caplen, 2, tag);
	return true;
}

/* A status pipe IU (Sense 03h, Response 04h, Read Ready 06h, Write Ready
 * 07h), complete and self-consistent; its tag in *tag. */
static bool is_status_iu(const struct urb *u, uint16_t *tag)
{
	const uint8_t *p = u->data;
	uint16_t slen;

	if (!p || u->caplen < 4 || p[1] != 0)
		return false;
	switch (p[0]) {
	case 0x03:
		if (u->caplen < 16 || !get_be16(p, u->caplen, 14, &slen) || u->moved != 16u + slen)
			return false;
		break;
	case 0x04:
		if (!whole(u, 8))
			return false;
		break;
	case 0x06: case 0x07:
		if (!whole(u, 4))
			return false;
		break;
	default:
		return false;
	}
	get_be16(p, u->caplen, 2, tag);
	return true;
}

/* A completed IN transfer whose first byte is no status pipe IU ID (03h,
 * 04h, 06h, 07h): it cannot have come from the status pipe. */
static bool not_status_iu(const struct urb *u)
{
	if (!u->has_complete || u->status != 0 || !u->data || u->caplen < 1 || u->moved < 1)
		return false;
	switch (u->data[0]) {
	case 0x03: case 0x04: case 0x06: case 0x07:
		return false;
	default:
		return true;
	}
}

static bool tag_known(const struct infer *f, uint16_t tag)
{
	for (unsigned i = 0; i < f->ntags; i++)
		if (f->tags[i] == tag)
			return true;
	return false;
}

static void tag_add(struct infer *f, uint16_t tag)
{
	if (tag_known(f, tag))
		return;
	f->tags[f->tag_next] = tag;
	f->tag_next = (f->tag_next + 1) % TAGS_MAX;
	if (f->ntags < TAGS_MAX)
		f->ntags++;
}

static bool infer_bot(struct dev *d, const struct urb *u)
{
	unsigned ix = ep_index(u->endpoint);
	int in;

	if (!is_in(u->endpoint)) {
		if (!is_cbw(u))
			return false;
		set_inferred(d, u->endpoint, TRANSPORT_BOT, EP_BOT_OUT);
		if (!has_role(d, EP_BOT_IN)) {
			uint32_t csw = d->inf.csw_seen;
			if (csw && !(csw & (csw - 1)))
				set_inferred(d, addr_of((unsigned)__builtin_ctz(csw)), TRANSPORT_BOT, EP_BOT_IN);
			else if ((in = only_bulk_in(d)) >= 0)
				set_inferred(d, addr_of((unsigned)in), TRANSPORT_BOT, EP_BOT_IN);
		}
		return true;
	}
	if (d->inf.transport != TRANSPORT_BOT || has_role(d, EP_BOT_IN))
		return false;
	if (is_csw(u) || only_bulk_in(d) == (int)ix) {
		set_inferred(d, u->endpoint, TRANSPORT_BOT, EP_BOT_IN);
		return true;
	}
	return false;
}

static bool infer_uas(struct dev *d, const struct urb *u)
{
	uint16_t tag;

	if (!is_in(u->endpoint)) {
		if (!has_role(d, EP_UAS_COMMAND)) {
			if (!is_command_iu(u, &tag))
				return false;
			tag_add(&d->inf, tag);
			set_inferred(d, u->endpoint, TRANSPORT_UAS, EP_UAS_COMMAND);
			return true;
		}
		if (has_role(d, EP_UAS_STATUS) && !has_role(d, EP_UAS_DATA_OUT)) {
			set_inferred(d, u->endpoint, TRANSPORT_UAS, EP_UAS_DATA_OUT);
			return true;
		}
		return false;
	}
	if (!has_role(d, EP_UAS_COMMAND))
		return false;
	if (!has_role(d, EP_UAS_STATUS)) {
		if (is_status_iu(u, &tag) && tag_known(&d->inf, tag)) {
			set_inferred(d, u->endpoint, TRANSPORT_UAS, EP_UAS_STATUS);
			d->inf.have_status = true;
			return true;
		}
		/* A READ's data may complete before the first IU on the status
		 * pipe (streams; a trimmed capture).  The status pipe carries
		 * only IUs (UAS 1.0 6.2), so bytes that cannot begin a status
		 * pipe IU come from the data-in pipe. */
		if (!has_role(d, EP_UAS_DATA_IN) && not_status_iu(u)) {
			set_inferred(d, u->endpoint, TRANSPORT_UAS, EP_UAS_DATA_IN);
			return true;
		}
		return false;
	}
	if (!has_role(d, EP_UAS_DATA_IN)) {
		set_inferred(d, u->endpoint, TRANSPORT_UAS, EP_UAS_DATA_IN);
		return true;
	}
	return false;
}

bool devtable_infer(struct devtable *t, const struct urb *u, struct ep_route *out)
{
	struct dev *d;
	unsigned ix;
	bool ok = false;

	if (!t || u->xfer != USB_XFER_BULK)
		return false;
	if (!(d = get(t, u->bus, u->device)))
		return false;
	ix = ep_index(u->endpoint);
	if (d->desc_complete) {
		if (!switch_alt(d, u->endpoint))
			return false;
		*out = d->route[ix];
		return true;
	}
	if (d->route_valid[ix] || d->inf.valid[ix]) {
		const struct ep_route *r = d->route_valid[ix] ? &d->route[ix] : &d->inf.route[ix];
		uint16_t tag;
		if (r->role == EP_UAS_COMMAND && is_command_iu(u, &tag))
			tag_add(&d->inf, tag);
		*out = *r;
		return true;
	}
	d->inf.bulk_seen |= 1u << ix;
	if (is_in(u->endpoint) && is_csw(u))
		d->inf.csw_seen |= 1u << ix;
	if (d->inf.transport != TRANSPORT_BOT)
		ok = infer_uas(d, u);
	if (!ok && d->inf.transport != TRANSPORT_UAS)
		ok = infer_bot(d, u);
	if (!ok || !d->inf.valid[ix])
		return false;
	*out = d->inf.route[ix];
	return true;
}
