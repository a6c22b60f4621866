/* usb.c - the libusb side of replay: list and open mass-storage devices, run groups of bulk transfers asynchronously (streams included) with timeouts and cancellation, control requests, and give the device back to its kernel driver. */
#include "config.h"
#include "replay/usb.h"

#include <libusb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/script.h"

/* USB Mass Storage Class Overview 1.4: class 08h, protocol 50h Bulk-Only,
 * 62h UAS; UAS 1.0 5.3.3.1: the Pipe Usage descriptor (type 24h, bLength
 * 4, bPipeID 1 command, 2 status, 3 data-in, 4 data-out). */
#define MSC_CLASS 0x08
#define PROTO_BOT 0x50
#define PROTO_UAS 0x62
#define DT_PIPE_USAGE 0x24
#define GROUP_MAX 8
#define UAS_STREAMS 16

struct rp_usb {
	libusb_context *ctx;
	libusb_device_handle *h;
	struct rp_usb_info info;
	struct rp_io io;
	volatile sig_atomic_t *stop;
	bool claimed;
	bool hold;                /* recovery in progress: ignore *stop */
	uint8_t stream_eps[3];
	bool gone;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int map_err(int e)
{
	switch (e) {
	case LIBUSB_ERROR_PIPE: return RP_STALL;
	case LIBUSB_ERROR_TIMEOUT: return RP_TIMEOUT;
	case LIBUSB_ERROR_NO_DEVICE: return RP_NODEV;
	case LIBUSB_ERROR_OVERFLOW: return RP_OVERFLOW;
	case LIBUSB_ERROR_INTERRUPTED: return RP_INTERRUPTED;
	default: return RP_ERROR;
	}
}

/* ---------------------------------------------------------- transfers */

struct pending {
	struct rp_xfer *x;
	struct libusb_transfer *t;
	bool submitted, done;
	int cancel_reason;        /* RP_TIMEOUT, RP_CANCELLED, RP_INTERRUPTED; 0 not cancelled */
};

static void LIBUSB_CALL on_done(struct libusb_transfer *t)
{
	struct pending *p = t->user_data;

	p->done = true;
	p->x->t_done_ns = rp_now_ns();
	p->x->actual = (uint32_t)t->actual_length;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED: p->x->status = RP_OK; break;
	case LIBUSB_TRANSFER_STALL: p->x->status = RP_STALL; break;
	case LIBUSB_TRANSFER_TIMED_OUT: p->x->status = RP_TIMEOUT; break;
	case LIBUSB_TRANSFER_CANCELLED: p->x->status = p->cancel_reason ? p->cancel_reason : RP_CANCELLED; break;
	case LIBUSB_TRANSFER_NO_DEVICE: p->x->status = RP_NODEV; break;
	case LIBUSB_TRANSFER_OVERFLOW: p->x->status = RP_OVERFLOW; break;
	default: p->x->status = RP_ERROR; break;
	}
}

static void cancel_all(struct pending *p, unsigned n, int reason)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i].submitted && !p[i].done && !p[i].cancel_reason) {
			p[i].cancel_reason = reason;
			libusb_cancel_transfer(p[i].t);
		}
}

static int usb_bulk(void *ctx, struct rp_xfer *x, unsigned n, unsigned timeout_ms)
{
	struct rp_usb *u = ctx;
	struct pending p[GROUP_MAX];
	int64_t deadline = mono_ms() + timeout_ms, cancel_at = 0;
	int rc = 0;
	bool leak = false;

	if (n > GROUP_MAX)
		return RP_ERROR;
	memset(p, 0, sizeof(p));
	for (unsigned i = 0; i < n; i++) {
		p[i].x = &x[i];
		x[i].actual = 0;
		x[i].status = RP_ERROR;
		x[i].t_submit_ns = x[i].t_done_ns = 0;
		if (u->gone) {
			x[i].status = RP_NODEV;
			continue;
		}
		if (!(p[i].t = libusb_alloc_transfer(0))) {
			x[i].status = RP_ERROR;
			break;
		}
		if (x[i].stream)
			libusb_fill_bulk_stream_transfer(p[i].t, u->h, x[i].ep, x[i].stream, x[i].buf, (int)x[i].len, on_done,
							 &p[i], 0);
		else
			libusb_fill_bulk_transfer(p[i].t, u->h, x[i].ep, x[i].buf, (int)x[i].len, on_done, &p[i], 0);
		x[i].t_submit_ns = rp_now_ns();
		{
			int e = libusb_submit_transfer(p[i].t);
			if (e < 0) {
				x[i].status = map_err(e);
				x[i].t_done_ns = x[i].t_submit_ns;
				if (e == LIBUSB_ERROR_NO_DEVICE)
					u->gone = true;
				break;
			}
		}
		p[i].submitted = true;
	}
	for (;;) {
		bool all = true, ended = false;
		struct timeval tv = { 0, 50000 };
		for (unsigned i = 0; i < n; i++) {
			if (p[i].submitted && !p[i].done)
				all = false;
			if (p[i].done && x[i].ends && x[i].status != RP_CANCELLED)
				ended = true;
		}
		if (all)
			break;
		if (u->stop && *u->stop && !u->hold && !cancel_at) {
			cancel_all(p, n, RP_INTERRUPTED);
			rc = RP_INTERRUPTED;
			cancel_at = mono_ms();
		} else if (ended && !cancel_at) {
			cancel_all(p, n, RP_CANCELLED);
			cancel_at = mono_ms();
		} else if (mono_ms() >= deadline && !cancel_at) {
			cancel_all(p, n, RP_TIMEOUT);
			cancel_at = mono_ms();
		} else if (cancel_at && mono_ms() - cancel_at > 10000) {
			leak = true;    /* cancellations that never complete: never free what libusb may still use */
			break;
		}
		{
			int e = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
			if (e == LIBUSB_ERROR_NO_DEVICE)
				u->gone = true;
		}
	}
	/* transfers never submitted (a submit failed): cancelled with the group */
	for (unsigned i = 0; i < n; i++) {
		if (p[i].t && !p[i].submitted && x[i].status == RP_ERROR && i > 0 && !x[i].t_submit_ns)
			x[i].status = RP_CANCELLED;
		if (x[i].status == RP_NODEV)
			u->gone = true;
		if (!leak && p[i].t)
			libusb_free_transfer(p[i].t);
	}
	if (u->gone && !rc)
		rc = RP_NODEV;
	return rc;
}

static int usb_control(void *ctx, const uint8_t setup[8], uint8_t *data, unsigned timeout_ms, uint32_t *actual,
		       int64_t *t0, int64_t *t1)
{
	struct rp_usb *u = ctx;
	uint16_t wvalue = (uint16_t)(setup[2] | setup[3] << 8), windex = (uint16_t)(setup[4] | setup[5] << 8);
	uint16_t wlength = (uint16_t)(setup[6] | setup[7] << 8);
	int rc;

	*actual = 0;
	if (t0)
		*t0 = rp_now_ns();
	rc = libusb_control_transfer(u->h, setup[0], setup[1], wvalue, windex, data, wlength, timeout_ms);
	if (t1)
		*t1 = rp_now_ns();
	if (rc < 0) {
		if (rc == LIBUSB_ERROR_NO_DEVICE)
			u->gone = true;
		return map_err(rc);
	}
	*actual = (uint32_t)rc;
	return RP_OK;
}

static int usb_clear_halt(void *ctx, uint8_t ep, int64_t *t0, int64_t *t1)
{
	struct rp_usb *u = ctx;
	int rc;

	if (t0)
		*t0 = rp_now_ns();
	rc = libusb_clear_halt(u->h, ep);
	if (t1)
		*t1 = rp_now_ns();
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		u->gone = true;
	return rc < 0 ? map_err(rc) : RP_OK;
}

static bool usb_interrupted(void *ctx)
{
	struct rp_usb *u = ctx;

	return u->stop && *u->stop;
}

static void usb_hold_stop(void *ctx, bool hold)
{
	struct rp_usb *u = ctx;

	u->hold = hold;
}

/* -------------------------------------------------------- descriptors */

static const char *speed_name(int s)
{
	switch (s) {
	case LIBUSB_SPEED_LOW: return "1.5 Mb/s";
	case LIBUSB_SPEED_FULL: return "12 Mb/s";
	case LIBUSB_SPEED_HIGH: return "480 Mb/s";
	case LIBUSB_SPEED_SUPER: return "5 Gb/s";
	case LIBUSB_SPEED_SUPER_PLUS: return "10 Gb/s";
	default: return "speed unknown";
	}
}

/* The storage interface and its alternate setting for transport. */
static bool find_alt(const struct libusb_config_descriptor *cfg, uint8_t transport, const struct libusb_interface_descriptor **out)
{
	const struct libusb_interface_descriptor *bot = NULL, *uas = NULL;

	for (int i = 0; i < cfg->bNumInterfaces; i++)
		for (int a = 0; a < cfg->interface[i].num_altsetting; a++) {
			const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[a];
			if (d->bInterfaceClass != MSC_CLASS)
				continue;
			if (d->bInterfaceProtocol == PROTO_BOT && !bot)
				bot = d;
			if (d->bInterfaceProtocol == PROTO_UAS && !uas)
				uas = d;
		}
	if (transport == RS_TRANSPORT_BOT)
		*out = bot;
	else if (transport == RS_TRANSPORT_UAS)
		*out = uas;
	else
		*out = bot ? bot : uas;
	return *out != NULL;
}

static int alt_count(const struct libusb_config_descriptor *cfg, uint8_t intf)
{
	for (int i = 0; i < cfg->bNumInterfaces; i++)
		if (cfg->interface[i].num_altsetting && cfg->interface[i].altsetting[0].bInterfaceNumber == intf)
			return cfg->interface[i].num_altsetting;
	return 0;
}

static bool is_storage(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg;
	const struct libusb_interface_descriptor *d;
	bool yes;

	if (libusb_get_active_config_descriptor(dev, &cfg) < 0)
		return false;
	yes = find_alt(cfg, RS_TRANSPORT_UNSET, &d);
	libusb_free_config_descriptor(cfg);
	return yes;
}

static void serial_of(libusb_device *dev, const struct libusb_device_descriptor *dd, libusb_device_handle *h,
		      char *out, size_t size)
{
	libusb_device_handle *own = NULL;
	int n;

	(void)dev;
	out[0] = '\0';
	if (!dd->iSerialNumber)
		return;
	if (!h && libusb_open(dev, &own) < 0)
		return;
	n = libusb_get_string_descriptor_ascii(h ? h : own, dd->iSerialNumber, (unsigned char *)out, (int)size);
	if (n < 0)
		out[0] = '\0';
	if (own)
		libusb_close(own);
}

int rp_usb_list(FILE *out, char *err, size_t err_size)
{
	libusb_context *ctx;
	libusb_device **list;
	ssize_t n;
	int count = 0;

	if (libusb_init(&ctx) < 0) {
		snprintf(err, err_size, "libusb cannot start (no /dev/bus/usb?)");
		return -1;
	}
	if ((n = libusb_get_device_list(ctx, &list)) < 0) {
		snprintf(err, err_size, "cannot list USB devices: %s", libusb_error_name((int)n));
		libusb_exit(ctx);
		return -1;
	}
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;
		struct libusb_config_descriptor *cfg;
		char serial[128];
		if (libusb_get_device_descriptor(list[i], &dd) < 0 || !is_storage(list[i]))
			continue;
		serial_of(list[i], &dd, NULL, serial, sizeof(serial));
		fprintf(out, "%03u:%03u %04x:%04x serial=\"%s\" %s", libusb_get_bus_number(list[i]),
			libusb_get_device_address(list[i]), dd.idVendor, dd.idProduct, serial[0] ? serial : "?",
			speed_name(libusb_get_device_speed(list[i])));
		if (libusb_get_active_config_descriptor(list[i], &cfg) == 0) {
			for (int k = 0; k < cfg->bNumInterfaces; k++)
				for (int a = 0; a < cfg->interface[k].num_altsetting; a++) {
					const struct libusb_interface_descriptor *d = &cfg->interface[k].altsetting[a];
					if (d->bInterfaceClass != MSC_CLASS)
						continue;
					fprintf(out, "  interface %u alt %u %s", d->bInterfaceNumber, d->bAlternateSetting,
						d->bInterfaceProtocol == PROTO_BOT   ? "BOT"
						: d->bInterfaceProtocol == PROTO_UAS ? "UAS"
										     : "other");
				}
			libusb_free_config_descriptor(cfg);
		}
		fputc('\n', out);
		count++;
	}
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return count;
}

/* UAS pipes from the Pipe Usage descriptors after each endpoint. */
static bool uas_pipes(const struct libusb_interface_descriptor *d, struct rp_usb_info *in)
{
	for (int e = 0; e < d->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];
		const unsigned char *x = ep->extra;
		int len = ep->extra_length, off = 0;
		while (off + 2 <= len) {
			uint8_t bl = x[off], type = x[off + 1];
			if (bl < 2 || off + bl > len)
				break;
			if (type == DT_PIPE_USAGE && bl >= 3) {
				switch (x[off + 2]) {
				case 1: in->ep_cmd = ep->bEndpointAddress; break;
				case 2: in->ep_status = ep->bEndpointAddress; break;
				case 3: in->ep_in = ep->bEndpointAddress; break;
				case 4: in->ep_out = ep->bEndpointAddress; break;
				default: break;
				}
			}
			off += bl;
		}
	}
	return in->ep_cmd && in->ep_status && in->ep_in && in->ep_out;
}

static bool bot_pipes(const struct libusb_interface_descriptor *d, struct rp_usb_info *in)
{
	for (int e = 0; e < d->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];
		if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if ((ep->bEndpointAddress & 0x80) && !in->ep_in)
			in->ep_in = ep->bEndpointAddress;
		if (!(ep->bEndpointAddress & 0x80) && !in->ep_out)
			in->ep_out = ep->bEndpointAddress;
	}
	return in->ep_in && in->ep_out;
}

static bool matches(libusb_device *dev, const struct libusb_device_descriptor *dd, const struct rp_usb_select *sel)
{
	char serial[128];

	if (sel->by_busdev)
		return libusb_get_bus_number(dev) == sel->bus && libusb_get_device_address(dev) == sel->dev;
	if (sel->by_id) {
		if (dd->idVendor != sel->vid || dd->idProduct != sel->pid)
			return false;
		if (!sel->serial[0])
			return true;
		serial_of(dev, dd, NULL, serial, sizeof(serial));
		return !strcmp(serial, sel->serial);
	}
	return is_storage(dev);
}

int rp_usb_open(const struct rp_usb_select *sel, uint8_t transport, volatile sig_atomic_t *stop, struct rp_usb **out,
		char *err, size_t err_size)
{
	struct rp_usb *u = calloc(1, sizeof(*u));
	libusb_device **list = NULL, *dev = NULL;
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	const struct libusb_interface_descriptor *d;
	ssize_t n;
	int found = 0, rc;

	*out = NULL;
	if (!u) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	u->stop = stop;
	if (libusb_init(&u->ctx) < 0) {
		snprintf(err, err_size, "libusb cannot start (no /dev/bus/usb?)");
		free(u);
		return -1;
	}
	if ((n = libusb_get_device_list(u->ctx, &list)) < 0) {
		snprintf(err, err_size, "cannot list USB devices: %s", libusb_error_name((int)n));
		goto fail;
	}
	for (ssize_t i = 0; i < n; i++)
		if (libusb_get_device_descriptor(list[i], &dd) == 0 && matches(list[i], &dd, sel)) {
			if (!found++)
				dev = list[i];
		}
	if (!found) {
		if (sel->by_busdev)
			snprintf(err, err_size, "no USB device at %u:%u ('scsiscope replay --list')", sel->bus, sel->dev);
		else if (sel->by_id)
			snprintf(err, err_size, "no USB device %04x:%04x%s%s ('scsiscope replay --list')", sel->vid, sel->pid,
				 sel->serial[0] ? " with serial " : "", sel->serial);
		else
			snprintf(err, err_size, "no USB mass-storage device found");
		goto fail;
	}
	if (found > 1) {
		snprintf(err, err_size, "%d devices match: choose one with --bus-dev B:D or --device VID:PID:SERIAL", found);
		goto fail;
	}
	libusb_get_device_descriptor(dev, &dd);
	u->info.vid = dd.idVendor;
	u->info.pid = dd.idProduct;
	u->info.bus = libusb_get_bus_number(dev);
	u->info.addr = libusb_get_device_address(dev);
	u->info.speed = libusb_get_device_speed(dev);
	if (libusb_get_active_config_descriptor(dev, &cfg) < 0 || !find_alt(cfg, transport, &d)) {
		snprintf(err, err_size, "%03u:%03u %04x:%04x has no %s storage interface", u->info.bus, u->info.addr,
			 dd.idVendor, dd.idProduct,
			 transport == RS_TRANSPORT_UAS ? "UAS" : transport == RS_TRANSPORT_BOT ? "Bulk-Only" : "mass-storage");
		goto fail;
	}
	u->info.transport = d->bInterfaceProtocol == PROTO_UAS ? RS_TRANSPORT_UAS : RS_TRANSPORT_BOT;
	u->info.interface = d->bInterfaceNumber;
	u->info.alt = d->bAlternateSetting;
	if (u->info.transport == RS_TRANSPORT_UAS ? !uas_pipes(d, &u->info) : !bot_pipes(d, &u->info)) {
		snprintf(err, err_size, "interface %u alt %u lacks its %s pipes", u->info.interface, u->info.alt,
			 u->info.transport == RS_TRANSPORT_UAS ? "UAS" : "bulk");
		goto fail;
	}
	if ((rc = libusb_open(dev, &u->h)) < 0) {
		snprintf(err, err_size, "cannot open %03u:%03u: %s%s", u->info.bus, u->info.addr, libusb_error_name(rc),
			 rc == LIBUSB_ERROR_ACCESS ? " (run as root, or give your user access to the device node)" : "");
		goto fail;
	}
	serial_of(dev, &dd, u->h, u->info.serial, sizeof(u->info.serial));
	if (libusb_kernel_driver_active(u->h, u->info.interface) == 1) {
		if ((rc = libusb_detach_kernel_driver(u->h, u->info.interface)) < 0) {
			snprintf(err, err_size, "cannot detach the kernel driver of interface %u: %s", u->info.interface,
				 libusb_error_name(rc));
			goto fail;
		}
		u->info.driver_detached = true;
	}
	if ((rc = libusb_claim_interface(u->h, u->info.interface)) < 0) {
		snprintf(err, err_size, "cannot claim interface %u: %s", u->info.interface, libusb_error_name(rc));
		goto fail;
	}
	u->claimed = true;
	if (alt_count(cfg, u->info.interface) > 1 || u->info.alt != 0) {
		u->info.alt_t0 = rp_now_ns();
		rc = libusb_set_interface_alt_setting(u->h, u->info.interface, u->info.alt);
		u->info.alt_t1 = rp_now_ns();
		if (rc < 0) {
			snprintf(err, err_size, "cannot select alternate setting %u: %s", u->info.alt, libusb_error_name(rc));
			goto fail;
		}
		u->info.alt_set = true;
	}
	if (u->info.transport == RS_TRANSPORT_UAS && u->info.speed >= LIBUSB_SPEED_SUPER) {
		u->stream_eps[0] = u->info.ep_status;
		u->stream_eps[1] = u->info.ep_in;
		u->stream_eps[2] = u->info.ep_out;
		rc = libusb_alloc_streams(u->h, UAS_STREAMS, u->stream_eps, 3);
		if (rc < 2) {
			snprintf(err, err_size, "cannot allocate UAS streams: %s", rc < 0 ? libusb_error_name(rc) : "too few");
			if (rc > 0)
				libusb_free_streams(u->h, u->stream_eps, 3);
			goto fail;
		}
		u->info.streams = true;
		u->info.nstreams = (uint16_t)rc;
	}
	libusb_free_config_descriptor(cfg);
	libusb_free_device_list(list, 1);
	u->io.bulk = usb_bulk;
	u->io.control = usb_control;
	u->io.clear_halt = usb_clear_halt;
	u->io.interrupted = usb_interrupted;
	u->io.hold_stop = usb_hold_stop;
	u->io.ctx = u;
	*out = u;
	return 0;
fail:
	if (cfg)
		libusb_free_config_descriptor(cfg);
	if (list)
		libusb_free_device_list(list, 1);
	{
		char e2[8];
		rp_usb_close(u, e2, sizeof(e2));
	}
	return -1;
}

const struct rp_usb_info *rp_usb_get_info(const struct rp_usb *u)
{
	return &u->info;
}

const struct rp_io *rp_usb_io(struct rp_usb *u)
{
	return &u->io;
}

int rp_usb_close(struct rp_usb *u, char *err, size_t err_size)
{
	int rc = 0;

	if (!u)
		return 0;
	if (u->h) {
		if (u->info.streams)
			libusb_free_streams(u->h, u->stream_eps, 3);
		if (u->info.alt_set && u->info.alt != 0)
			libusb_set_interface_alt_setting(u->h, u->info.interface, 0);
		if (u->claimed)
			libusb_release_interface(u->h, u->info.interface);
		if (u->info.driver_detached) {
			int e = libusb_attach_kernel_driver(u->h, u->info.interface);
			if (e < 0 && e != LIBUSB_ERROR_NO_DEVICE) {
				snprintf(err, err_size, "could not give interface %u back to its kernel driver (%s): unplug and "
							"replug the device",
					 u->info.interface, libusb_error_name(e));
				rc = -1;
			}
		}
		libusb_close(u->h);
	}
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
	return rc;
}
