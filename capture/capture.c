/* capture.c - cap_open/cap_next/cap_close: sniff the format and hand over to its reader. */
#include "config.h"
#include "capture/reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Hand over to the reader of the format detected, or of `forced`. */
static int cap_start(struct cap *c, enum cap_format forced, struct error *err)
{
	const uint8_t *head;
	size_t got;
	enum cap_format fmt;

	head = input_peek(c->in, CAP_SNIFF_BYTES, &got, err);
	if (!head)
		return -1;
	if (got == 0)
		return error_set(err, 0, 0, "the file is empty");
	c->info.gzip = input_is_gzip(c->in);
	c->info.linktype = -1;
	fmt = forced != CAP_FORMAT_UNKNOWN ? forced : cap_detect(head, got);
	c->info.format = fmt;
	switch (fmt) {
	case CAP_FORMAT_PCAP:
		return pcap_own_open(c, err);
	case CAP_FORMAT_PCAPNG:
		return pcapng_own_open(c, err);
	case CAP_FORMAT_USBMON_TEXT:
		return usbmon_text_open(c, err);
	case CAP_FORMAT_PKLG:
		return pklg_open(c, err);
	case CAP_FORMAT_BTSNOOP:
		return btsnoop_open(c, err);
	case CAP_FORMAT_UNKNOWN:
		break;
	}
	{
		char hex[3 * 8 + 1];
		size_t n = got < 8 ? got : 8;
		for (size_t i = 0; i < n; i++)
			snprintf(hex + 3 * i, 4, "%02x ", head[i]);
		hex[n ? 3 * n - 1 : 0] = '\0';
		return error_set(err, 0, 0,
			"not a capture file scsiscope can read (pcap, pcapng, usbmon text, "
			"PacketLogger, btsnoop; optionally gzip-compressed); it starts with %s", hex);
	}
}

static int cap_open_fp(FILE *fp, const char *name, enum cap_format forced, bool growing, uint64_t limit,
		       struct cap **out, struct error *err)
{
	struct cap *c = calloc(1, sizeof(*c));

	error_clear(err);
	*out = NULL;
	if (!c) {
		fclose(fp);
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		error_set_file(err, name);
		return -1;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	error_clear(&c->saved_err);
	if (input_open_growing(fp, name, growing, limit, &c->in, err) < 0 || cap_start(c, forced, err) < 0) {
		error_set_file(err, name);
		cap_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int cap_open(const char *path, struct cap **out, struct error *err)
{
	FILE *fp;

	if (strcmp(path, "-") == 0) {
		int fd = dup(0);
		fp = fd < 0 ? NULL : fdopen(fd, "rb");
	} else {
		fp = fopen(path, "rb");
	}
	if (!fp) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot open: %s", strerror(errno));
		error_set_file(err, path);
		*out = NULL;
		return -1;
	}
	return cap_open_fp(fp, path, CAP_FORMAT_UNKNOWN, false, UINT64_MAX, out, err);
}

int cap_open_growing(const char *path, uint64_t limit, struct cap **out, struct error *err)
{
	FILE *fp = fopen(path, "rb");

	if (!fp) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot open: %s", strerror(errno));
		error_set_file(err, path);
		*out = NULL;
		return -1;
	}
	return cap_open_fp(fp, path, CAP_FORMAT_UNKNOWN, limit == UINT64_MAX, limit, out, err);
}

int cap_open_mem_format(const void *buf, size_t len, const char *name, enum cap_format format, struct cap **out,
			struct error *err)
{
	static const char empty[1];
	/* fmemopen of 0 bytes is refused by some libcs; a 0-length view of a
	 * 1-byte buffer reads as empty all the same. */
	FILE *fp = len ? fmemopen((void *)buf, len, "rb") : fmemopen((void *)empty, 1, "rb");

	if (fp && !len)
		fgetc(fp);
	if (!fp) {
		error_clear(err);
		error_set(err, 0, ERROR_NO_OFFSET, "fmemopen: %s", strerror(errno));
		error_set_file(err, name);
		*out = NULL;
		return -1;
	}
	return cap_open_fp(fp, name, format, false, UINT64_MAX, out, err);
}

int cap_open_mem(const void *buf, size_t len, const char *name, struct cap **out, struct error *err)
{
	return cap_open_mem_format(buf, len, name, CAP_FORMAT_UNKNOWN, out, err);
}

int cap_next(struct cap *c, struct cap_record *rec, struct error *err)
{
	int rc;

	if (c->state == 1)
		return 0;
	if (c->state == -1) {
		if (err)
			*err = c->saved_err;
		return -1;
	}
	rc = c->ops->next(c, rec, &c->saved_err);
	if (rc > 0)
		return 1;
	if (rc == 0) {
		c->state = 1;
		return 0;
	}
	c->state = -1;
	error_set_file(&c->saved_err, c->name);
	if (err)
		*err = c->saved_err;
	return -1;
}

void cap_close(struct cap *c)
{
	if (!c)
		return;
	if (c->ops && c->ops->close)
		c->ops->close(c);
	input_close(c->in);
	free(c);
}

const struct cap_info *cap_get_info(const struct cap *c) { return &c->info; }
uint64_t cap_frames_seen(const struct cap *c) { return c->frames; }
uint64_t cap_frames_skipped(const struct cap *c) { return c->skipped; }
uint64_t cap_offset(const struct cap *c) { return c->in ? input_offset(c->in) : 0; }

/* ------------------------------------------------------------- names */

const char *cap_format_name(enum cap_format f)
{
	switch (f) {
	case CAP_FORMAT_PCAP: return "pcap";
	case CAP_FORMAT_PCAPNG: return "pcapng";
	case CAP_FORMAT_USBMON_TEXT: return "usbmon-text";
	case CAP_FORMAT_PKLG: return "packetlogger";
	case CAP_FORMAT_BTSNOOP: return "btsnoop";
	case CAP_FORMAT_UNKNOWN: break;
	}
	return "unknown";
}

const char *cap_linktype_name(int linktype)
{
	switch (linktype) {
	case 1: return "EN10MB";
	case LINKTYPE_BLUETOOTH_HCI_H4: return "BLUETOOTH_HCI_H4";
	case LINKTYPE_USB_LINUX: return "USB_LINUX";
	case LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: return "BLUETOOTH_HCI_H4_WITH_PHDR";
	case LINKTYPE_USB_LINUX_MMAPPED: return "USB_LINUX_MMAPPED";
	case LINKTYPE_USBPCAP: return "USBPCAP";
	case LINKTYPE_USB_DARWIN: return "USB_DARWIN";
	default: return "unknown";
	}
}

const char *usb_source_name(enum usb_source s)
{
	switch (s) {
	case USB_SRC_USBMON: return "usbmon";
	case USB_SRC_USBMON_MMAPPED: return "usbmon-mmapped";
	case USB_SRC_USBMON_TEXT: return "usbmon-text";
	case USB_SRC_USBPCAP: return "usbpcap";
	case USB_SRC_DARWIN: return "darwin";
	}
	return "unknown";
}

const char *usb_xfer_name(enum usb_xfer_type t)
{
	switch (t) {
	case USB_XFER_ISO: return "iso";
	case USB_XFER_INTR: return "interrupt";
	case USB_XFER_CONTROL: return "control";
	case USB_XFER_BULK: return "bulk";
	case USB_XFER_IRP_INFO: return "irp-info";
	case USB_XFER_UNKNOWN: break;
	}
	return "unknown";
}

const char *usb_ev_type_name(enum usb_ev_type t)
{
	switch (t) {
	case USB_EV_SUBMIT: return "submit";
	case USB_EV_COMPLETE: return "complete";
	case USB_EV_ERROR: return "error";
	}
	return "unknown";
}

const char *usb_speed_name(enum usb_speed s)
{
	switch (s) {
	case USB_SPEED_LOW: return "low";
	case USB_SPEED_FULL: return "full";
	case USB_SPEED_HIGH: return "high";
	case USB_SPEED_SUPER: return "super";
	case USB_SPEED_SUPER_PLUS: return "super-plus";
	case USB_SPEED_UNKNOWN: break;
	}
	return "unknown";
}

const char *usb_ctrl_stage_name(enum usb_ctrl_stage s)
{
	switch (s) {
	case USB_STAGE_SETUP: return "setup";
	case USB_STAGE_DATA: return "data";
	case USB_STAGE_STATUS: return "status";
	case USB_STAGE_COMPLETE: return "complete";
	case USB_STAGE_NONE: break;
	}
	return "none";
}

const char *hci_rec_type_name(enum hci_rec_type t)
{
	switch (t) {
	case HCI_REC_COMMAND: return "command";
	case HCI_REC_EVENT: return "event";
	case HCI_REC_ACL: return "acl";
	case HCI_REC_SCO: return "sco";
	case HCI_REC_ISO: return "iso";
	case HCI_REC_LMP: return "lmp";
	case HCI_REC_VENDOR: return "vendor";
	case HCI_REC_NOTE: return "note";
	case HCI_REC_SYSLOG: return "syslog";
	case HCI_REC_KERNEL: return "kernel";
	case HCI_REC_KERNEL_DEBUG: return "kernel-debug";
	case HCI_REC_ERROR: return "error";
	case HCI_REC_POWER: return "power";
	case HCI_REC_CONFIG: return "config";
	case HCI_REC_NEW_CONTROLLER: return "new-controller";
	case HCI_REC_OTHER: break;
	}
	return "other";
}

const char *hci_source_name(enum hci_source s)
{
	switch (s) {
	case HCI_SRC_PKLG: return "packetlogger";
	case HCI_SRC_BTSNOOP: return "btsnoop";
	case HCI_SRC_PCAP_H4: return "pcap-h4";
	}
	return "unknown";
}
