/* errno_names.c - names of the negative errno values Linux reports as URB status. */
#include "config.h"
#include "capture/capture.h"

/* From Documentation/driver-api/usb/error-codes.rst and <asm-generic/errno*.h>
 * (x86/generic numbering, which usbmon captures carry whatever the reader's
 * platform).  Only the codes the USB core and host controllers produce. */
static const struct { int32_t status; const char *name; } errno_names[] = {
	{ -1, "EPERM" },          /* URB killed by usb_kill_urb-like paths on some HCDs */
	{ -2, "ENOENT" },         /* unlinked synchronously (usb_kill_urb) */
	{ -11, "EAGAIN" },
	{ -12, "ENOMEM" },
	{ -16, "EBUSY" },
	{ -18, "EXDEV" },         /* iso transfer only partially completed */
	{ -19, "ENODEV" },        /* device removed */
	{ -22, "EINVAL" },
	{ -27, "EFBIG" },
	{ -28, "ENOSPC" },        /* no bandwidth */
	{ -32, "EPIPE" },         /* endpoint stalled */
	{ -61, "ENODATA" },
	{ -62, "ETIME" },         /* no response (timeout at the bus level) */
	{ -63, "ENOSR" },         /* buffer underrun */
	{ -70, "ECOMM" },         /* buffer overrun */
	{ -71, "EPROTO" },        /* bitstuff / unknown USB error / no response */
	{ -75, "EOVERFLOW" },     /* babble */
	{ -84, "EILSEQ" },        /* CRC mismatch */
	{ -90, "EMSGSIZE" },
	{ -104, "ECONNRESET" },   /* unlinked asynchronously (usb_unlink_urb) */
	{ -108, "ESHUTDOWN" },    /* device or host controller gone */
	{ -110, "ETIMEDOUT" },    /* timed out (usb_bulk_msg and friends) */
	{ -115, "EINPROGRESS" },  /* submitted, not yet complete */
	{ -121, "EREMOTEIO" },    /* short transfer with URB_SHORT_NOT_OK */
};

const char *usb_status_errno_name(int32_t status)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].status == status)
			return errno_names[i].name;
	return NULL;
}
