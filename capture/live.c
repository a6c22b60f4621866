/* live.c - live usbmon capture through libpcap (pcap_create, immediate mode, pcap_stats), records parsed by lt_usbmon.c. */
#include "config.h"
#include "capture/live.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/reader.h"

#define LIVE_ISO_MAX 128

struct cap_live {
	pcap_t *p;
	bool offline;             /* file: source */
	bool follow;              /* offline: wait for what is appended */
	bool pcapng;              /* offline: the file's format (follow) */
	bool le;                  /* offline: its byte order (follow) */
	bool ended;
	int linktype;
	uint32_t snaplen;
	int fd;                   /* pcap_get_selectable_fd, -1 offline */
	char name[256];
	uint64_t frames;
	uint64_t drops_seen;      /* ps_drop already put on a record */
	uint64_t drops_pending;   /* lost since the last record */
	struct cap_live_stats st;
	struct usb_iso_desc iso[LIVE_ISO_MAX];
	struct usb_iso_desc iso2[LIVE_ISO_MAX];  /* cap_live_parse's */
};

int cap_live_bus(const char *iface)
{
	const char *p;
	long n = 0;

	if (strncmp(iface, "usbmon", 6) != 0 || !iface[6])
		return -1;
	for (p = iface + 6; *p; p++) {
		if (*p < '0' || *p > '9' || n > 65535)
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n > 65535 ? -1 : (int)n;
}

static bool path_exists(const char *root, const char *path)
{
	char buf[PATH_MAX];
	struct stat st;

	snprintf(buf, sizeof(buf), "%s%s", root ? root : "", path);
	return stat(buf, &st) == 0;
}

/* "1 2 3": the bus numbers under /sys/bus/usb/devices (usbN entries). */
static void list_buses(const char *root, char *out, size_t len)
{
	char path[PATH_MAX];
	size_t used = 0;

	out[0] = '\0';
	for (int b = 1; b < 128 && used + 8 < len; b++) {
		snprintf(path, sizeof(path), "/sys/bus/usb/devices/usb%d", b);
		if (path_exists(root, path))
			used += (size_t)snprintf(out + used, len - used, "%s%d", used ? " " : "", b);
	}
}

void cap_live_explain(const char *sysroot, const char *iface, int open_errno, const char *detail, char *msg,
		      size_t msglen, char *hint, size_t hintlen)
{
	int bus = cap_live_bus(iface);
	char dev[64], sysbus[64], buses[256];
	bool loaded = path_exists(sysroot, "/sys/module/usbmon");

	if (hint && hintlen)
		hint[0] = '\0';
	if (bus < 0) {
		snprintf(msg, msglen, "%s is not a usbmon interface: -i wants usbmonN, N the USB bus number "
			 "(usbmon0: every bus), or file:PATH", iface);
		if (hint)
			snprintf(hint, hintlen, "`scsiscope capture --list` shows the buses and their devices");
		return;
	}
	snprintf(dev, sizeof(dev), "/dev/usbmon%d", bus);
	snprintf(sysbus, sizeof(sysbus), "/sys/bus/usb/devices/usb%d", bus);
	list_buses(sysroot, buses, sizeof(buses));
	if (!loaded && !path_exists(sysroot, dev)) {
		snprintf(msg, msglen, "%s: usbmon is not loaded (no /sys/module/usbmon, no %s): run `sudo modprobe usbmon`",
			 iface, dev);
		if (hint)
			snprintf(hint, hintlen,
				 "load it at every boot with `echo usbmon | sudo tee /etc/modules-load.d/usbmon.conf`");
		return;
	}
	if (bus > 0 && !path_exists(sysroot, sysbus)) {
		snprintf(msg, msglen, "%s: there is no USB bus %d on this machine (buses: %s; usbmon0 captures them all)",
			 iface, bus, buses[0] ? buses : "none");
		return;
	}
	if (open_errno == EACCES || open_errno == EPERM) {
		snprintf(msg, msglen, "%s: permission denied opening %s (root only by default): run as root, "
			 "or give your user read access (below)", iface, dev);
		if (hint)
			snprintf(hint, hintlen,
				 "let a group read the usbmon devices:\n"
				 "  sudo groupadd -f usbmon && sudo usermod -aG usbmon $USER\n"
				 "  echo 'SUBSYSTEM==\"usbmon\", GROUP=\"usbmon\", MODE=\"0640\"' | "
				 "sudo tee /etc/udev/rules.d/60-usbmon.rules\n"
				 "  sudo udevadm control --reload && sudo udevadm trigger   (then log in again)\n"
				 "or, until the next boot: sudo setfacl -m u:$USER:r %s\n"
				 "or give the binary the capability to read it (CAP_DAC_READ_SEARCH):\n"
				 "  sudo setcap cap_dac_read_search+ep \"$(command -v scsiscope)\"", dev);
		return;
	}
	if (!path_exists(sysroot, dev)) {
		snprintf(msg, msglen, "%s: usbmon is loaded but %s does not exist", iface, dev);
		if (hint)
			snprintf(hint, hintlen,
				 "mount devtmpfs on /dev (`mount -t devtmpfs dev /dev`), or create the node from "
				 "/sys/class/usbmon/usbmon%d/dev with mknod", bus);
		return;
	}
	snprintf(msg, msglen, "%s: cannot capture: %s", iface,
		 detail && *detail ? detail : open_errno ? strerror(open_errno) : "libpcap refused it");
}

/* ------------------------------------------------- following a file */

static uint32_t rd32(const uint8_t *b, bool le)
{
	return le ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
		  : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}

static bool read_at(int fd, uint8_t *buf, size_t n, off_t at)
{
	return pread(fd, buf, n, at) == (ssize_t)n;
}

/* The file's format and byte order, from its first bytes. */
static int follow_start(struct cap_live *l)
{
	FILE *fp = pcap_file(l->p);
	uint8_t h[12];

	if (!fp || !read_at(fileno(fp), h, 12, 0))
		return -1;
	if (rd32(h, true) == 0x0a0d0d0a) {
		l->pcapng = true;
		l->le = rd32(h + 8, true) == 0x1a2b3c4d;
		return 0;
	}
	l->pcapng = false;
	if (rd32(h, true) == 0xa1b2c3d4 || rd32(h, true) == 0xa1b23c4d)
		l->le = true;
	else if (rd32(h, false) == 0xa1b2c3d4 || rd32(h, false) == 0xa1b23c4d)
		l->le = false;
	else
		return -1;
	return 0;
}

/* Is the next packet record whole in the file?  libpcap reads with stdio
 * and reports a record cut short as damage, so a record still being
 * written must not be handed to it.  pcapng blocks that are no packets
 * (libpcap reads past them) must be whole too, and the packet after them. */
static bool next_record_whole(struct cap_live *l)
{
	FILE *fp = pcap_file(l->p);
	struct stat st;
	off_t pos;
	uint8_t h[16];

	if (!fp || (pos = ftello(fp)) < 0 || fstat(fileno(fp), &st) < 0)
		return true;      /* libpcap decides */
	if (!l->pcapng) {
		if (st.st_size - pos < 16 || !read_at(fileno(fp), h, 16, pos))
			return false;
		return (uint64_t)(st.st_size - pos) >= 16 + (uint64_t)rd32(h + 8, l->le);
	}
	for (int i = 0; i < 64; i++) {
		uint32_t type, len;
		bool le = l->le;

		if (st.st_size - pos < 12 || !read_at(fileno(fp), h, 12, pos))
			return false;
		type = rd32(h, le);
		if (type == 0x0a0d0d0a)                  /* a new section: its own byte order */
			le = rd32(h + 8, true) == 0x1a2b3c4d;
		len = rd32(h + 4, le);
		if (len < 12)
			return true;                     /* damage: libpcap says so */
		if ((uint64_t)(st.st_size - pos) < len)
			return false;
		if (type == 2 || type == 3 || type == 6)
			return true;                     /* a packet, whole */
		pos += len;
	}
	return true;
}

static int fail_pcap(struct cap_live *l, const struct cap_live_opts *o, int rc, struct error *err)
{
	char msg[ERROR_MSG_MAX];
	int e = 0;

	if (rc == PCAP_ERROR_PERM_DENIED)
		e = EACCES;
	else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		e = ENOENT;
	cap_live_explain(o->sysroot, o->iface, e, l->p ? pcap_geterr(l->p) : NULL, msg, sizeof(msg), o->hint,
			 o->hint_len);
	error_clear(err);
	error_set(err, 0, ERROR_NO_OFFSET, "%s", msg);
	cap_live_close(l);
	return -1;
}

int cap_live_open(const struct cap_live_opts *o, struct cap_live **out, struct error *err)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct cap_live *l;
	int rc;

	*out = NULL;
	error_clear(err);
	l = calloc(1, sizeof(*l));
	if (!l)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	l->fd = -1;
	snprintf(l->name, sizeof(l->name), "%s", o->iface);
	ebuf[0] = '\0';
	if (o->hint && o->hint_len)
		o->hint[0] = '\0';
	if (strncmp(o->iface, "file:", 5) == 0) {
		l->offline = true;
		l->p = pcap_open_offline(o->iface + 5, ebuf);
		if (!l->p) {
			error_set(err, 0, ERROR_NO_OFFSET, "cannot open: %s", ebuf);
			error_set_file(err, o->iface + 5);
			free(l);
			return -1;
		}
		l->snaplen = (uint32_t)pcap_snapshot(l->p);
		l->follow = o->follow;
		if (l->follow && follow_start(l) < 0) {
			error_set(err, 0, ERROR_NO_OFFSET, "cannot follow: not a pcap or pcapng file");
			error_set_file(err, o->iface + 5);
			cap_live_close(l);
			return -1;
		}
	} else {
		uint32_t mb = o->buffer_mb ? o->buffer_mb : CAP_LIVE_BUFFER_MB_DEFAULT;

		if (cap_live_bus(o->iface) < 0)
			return fail_pcap(l, o, 0, err);
		l->p = pcap_create(o->iface, ebuf);
		if (!l->p)
			return fail_pcap(l, o, 0, err);
		l->snaplen = o->snaplen ? o->snaplen : CAP_LIVE_SNAPLEN_MAX;
		if (mb > CAP_LIVE_BUFFER_MB_MAX)
			mb = CAP_LIVE_BUFFER_MB_MAX;
		pcap_set_snaplen(l->p, (int)l->snaplen);
		pcap_set_immediate_mode(l->p, 1);
		pcap_set_buffer_size(l->p, (int)(mb << 20));
		rc = pcap_activate(l->p);
		if (rc < 0)
			return fail_pcap(l, o, rc, err);
		if (pcap_setnonblock(l->p, 1, ebuf) < 0) {
			error_set(err, 0, ERROR_NO_OFFSET, "%s: cannot read without blocking: %s", o->iface, ebuf);
			cap_live_close(l);
			return -1;
		}
		l->fd = pcap_get_selectable_fd(l->p);
		l->snaplen = (uint32_t)pcap_snapshot(l->p);
	}
	l->linktype = pcap_datalink(l->p);
	if (l->linktype != LINKTYPE_USB_LINUX && l->linktype != LINKTYPE_USB_LINUX_MMAPPED) {
		error_set(err, 0, ERROR_NO_OFFSET, "%s has link type %d (%s); live capture reads usbmon (189 or 220)",
			  o->iface, l->linktype, cap_linktype_name(l->linktype));
		cap_live_close(l);
		return -1;
	}
	*out = l;
	return 0;
}

void cap_live_stats(struct cap_live *l, struct cap_live_stats *st)
{
	struct pcap_stat ps;

	if (!l->offline && pcap_stats(l->p, &ps) == 0) {
		if (ps.ps_drop > l->st.drops) {
			l->drops_pending += ps.ps_drop - l->st.drops;
			l->st.drops = ps.ps_drop;
		}
		l->st.if_drops = ps.ps_ifdrop;
	}
	if (st)
		*st = l->st;
}

int cap_live_next(struct cap_live *l, int timeout_ms, struct cap_record *rec, struct cap_live_pkt *raw, bool *ended,
		  struct error *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct usb_pkt pkt;
	int rc;

	*ended = l->ended;
	if (l->ended)
		return 0;
	if (l->follow) {
		if (!next_record_whole(l)) {
			if (timeout_ms > 0)
				poll(NULL, 0, timeout_ms < 20 ? timeout_ms : 20);
			return 0;
		}
		clearerr(pcap_file(l->p));   /* the end seen before is not the end */
	}
	rc = pcap_next_ex(l->p, &h, &data);
	if (rc == 0 && !l->offline && timeout_ms > 0) {
		struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, timeout_ms);

		cap_live_stats(l, NULL);
		if (pr <= 0)
			return 0;         /* nothing yet, or a signal */
		rc = pcap_next_ex(l->p, &h, &data);
	}
	if (rc == 0)
		return 0;
	if (rc == PCAP_ERROR_BREAK && l->follow) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms < 20 ? timeout_ms : 20);
		return 0;
	}
	if (rc == PCAP_ERROR_BREAK) {
		l->ended = *ended = true;
		return 0;
	}
	if (rc < 0) {
		error_clear(err);
		error_set(err, l->frames + 1, ERROR_NO_OFFSET, "capture failed: %s", pcap_geterr(l->p));
		error_set_file(err, l->name);
		return -1;
	}
	pkt.buf = data;
	pkt.caplen = h->caplen;
	pkt.len = h->len;
	pkt.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * 1000;
	if (l->offline && pcap_get_tstamp_precision(l->p) == PCAP_TSTAMP_PRECISION_NANO)
		pkt.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
	pkt.frame = ++l->frames;
	pkt.offset = ERROR_NO_OFFSET;
	pkt.swapped = false;      /* libpcap hands usbmon headers over in host byte order */
	rc = cap_parse_linktype(l->linktype, &pkt, rec, l->iso, LIVE_ISO_MAX, err);
	if (rc <= 0) {
		if (rc == 0)
			error_set(err, pkt.frame, ERROR_NO_OFFSET, "link type %d is not one scsiscope reads", l->linktype);
		error_set_file(err, l->name);
		return -1;
	}
	if (!l->offline && (l->frames & 1023) == 0)
		cap_live_stats(l, NULL);
	rec->u.usb.drops = l->drops_pending;
	l->drops_pending = 0;
	l->st.packets++;
	if (raw) {
		raw->data = data;
		raw->caplen = h->caplen;
		raw->len = h->len;
		raw->ts_ns = pkt.ts_ns;
	}
	return 1;
}

int cap_live_parse(struct cap_live *l, const struct cap_live_pkt *raw, uint64_t frame, struct cap_record *rec,
		   struct error *err)
{
	struct usb_pkt pkt;
	int rc;

	pkt.buf = raw->data;
	pkt.caplen = raw->caplen;
	pkt.len = raw->len;
	pkt.ts_ns = raw->ts_ns;
	pkt.frame = frame;
	pkt.offset = ERROR_NO_OFFSET;
	pkt.swapped = false;
	rc = cap_parse_linktype(l->linktype, &pkt, rec, l->iso2, LIVE_ISO_MAX, err);
	if (rc <= 0) {
		if (rc == 0)
			error_set(err, frame, ERROR_NO_OFFSET, "link type %d is not one scsiscope reads", l->linktype);
		error_set_file(err, l->name);
		return -1;
	}
	return 1;
}

int cap_live_linktype(const struct cap_live *l) { return l->linktype; }
uint32_t cap_live_snaplen(const struct cap_live *l) { return l->snaplen; }
const char *cap_live_name(const struct cap_live *l) { return l->name; }

void cap_live_close(struct cap_live *l)
{
	if (!l)
		return;
	if (l->p)
		pcap_close(l->p);
	free(l);
}
