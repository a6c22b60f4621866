/* status_tables.c - Windows USBD_STATUS and macOS IOReturn codes: their names and nearest Linux URB status. */
#include "config.h"
#include "capture/reader.h"

/*
 * Both tables map another system's completion code to the negative errno a
 * Linux host controller driver would have put in urb->status for the same
 * event, as Documentation/driver-api/usb/error-codes.rst describes them:
 *
 *   -32 EPIPE       endpoint stalled
 *   -71 EPROTO      bitstuff error, no response, unknown USB error
 *   -84 EILSEQ      CRC mismatch
 *   -62 ETIME       no response packet within the bus turn-around time
 *   -75 EOVERFLOW   babble: more data than the packet or buffer
 *   -121 EREMOTEIO  short packet where a short transfer was not allowed
 *   -70 ECOMM       IN: host could not write the data to memory fast enough
 *   -63 ENOSR       OUT: host could not read the data from memory fast enough
 *   -110 ETIMEDOUT  the transfer timed out
 *   -104 ECONNRESET unlinked (cancelled) asynchronously
 *   -19 ENODEV      device removed;  -108 ESHUTDOWN  device or controller disabled
 *   -18 EXDEV       iso transfer only partly completed
 *   -28 ENOSPC      no bandwidth;  -22 EINVAL  bad request;  -12 ENOMEM;  -16 EBUSY
 *
 * Codes that name a bus condition the OHCI specification defines (USBD's
 * 0xC0000001..0xC000000F and IOUSBFamily's kIOUSB*Err 1..16 both carry the
 * OHCI completion codes, Open HCI 1.0a table 4-7) follow the mapping Linux'
 * own OHCI driver uses for those completion codes; xHCI-era codes follow
 * the Linux xHCI driver's choices (transaction error -> EPROTO, babble ->
 * EOVERFLOW).  Anything else that only says "failed" becomes -71 EPROTO,
 * the documented "unknown USB error".
 */

struct status_entry {
	uint32_t code;
	int32_t err;
	const char *name;
};

/*
 * USBD_STATUS, from Microsoft's usb.h ("USBD_STATUS" constants, documented
 * with the URB structure on learn.microsoft.com).  The top two bits say the
 * class: 00 success, 01 pending, 10 and 11 error.
 */
static const struct status_entry usbd_table[] = {
	{ 0x00000000, 0, "USBD_STATUS_SUCCESS" },
	{ 0x40000000, -115, "USBD_STATUS_PENDING" },            /* still in flight: EINPROGRESS */
	{ 0x80000200, -22, "USBD_STATUS_INVALID_URB_FUNCTION" }, /* request the stack rejects */
	{ 0x80000300, -22, "USBD_STATUS_INVALID_PARAMETER" },
	{ 0x80000400, -16, "USBD_STATUS_ERROR_BUSY" },
	{ 0x80000600, -22, "USBD_STATUS_INVALID_PIPE_HANDLE" },  /* no such endpoint; EINVAL rather than
								   ENOENT, which on a completion means "killed" */
	{ 0x80000700, -28, "USBD_STATUS_NO_BANDWIDTH" },
	{ 0x80000800, -71, "USBD_STATUS_INTERNAL_HC_ERROR" },    /* unknown USB error */
	{ 0x80000900, -121, "USBD_STATUS_ERROR_SHORT_TRANSFER" }, /* short packet, short not OK */
	{ 0xC0000001, -84, "USBD_STATUS_CRC" },                  /* OHCI CC 1 */
	{ 0xC0000002, -71, "USBD_STATUS_BTSTUFF" },              /* OHCI CC 2: bitstuff */
	{ 0xC0000003, -84, "USBD_STATUS_DATA_TOGGLE_MISMATCH" }, /* OHCI CC 3 (Linux OHCI: EILSEQ) */
	{ 0xC0000004, -32, "USBD_STATUS_STALL_PID" },            /* OHCI CC 4: stall */
	{ 0xC0000005, -62, "USBD_STATUS_DEV_NOT_RESPONDING" },   /* OHCI CC 5: no response (ETIME) */
	{ 0xC0000006, -71, "USBD_STATUS_PID_CHECK_FAILURE" },    /* OHCI CC 6 */
	{ 0xC0000007, -71, "USBD_STATUS_UNEXPECTED_PID" },       /* OHCI CC 7 */
	{ 0xC0000008, -75, "USBD_STATUS_DATA_OVERRUN" },         /* OHCI CC 8: babble */
	{ 0xC0000009, -121, "USBD_STATUS_DATA_UNDERRUN" },       /* OHCI CC 9: short packet */
	{ 0xC000000A, -71, "USBD_STATUS_RESERVED1" },
	{ 0xC000000B, -71, "USBD_STATUS_RESERVED2" },
	{ 0xC000000C, -70, "USBD_STATUS_BUFFER_OVERRUN" },       /* OHCI CC 12: ECOMM */
	{ 0xC000000D, -63, "USBD_STATUS_BUFFER_UNDERRUN" },      /* OHCI CC 13: ENOSR */
	{ 0xC000000F, -18, "USBD_STATUS_NOT_ACCESSED" },         /* never reached the bus: EXDEV, as a
								   Linux iso packet that was not sent */
	{ 0xC0000010, -70, "USBD_STATUS_FIFO" },                 /* host FIFO: a buffer overrun */
	{ 0xC0000011, -71, "USBD_STATUS_XACT_ERROR" },           /* xHCI transaction error */
	{ 0xC0000012, -75, "USBD_STATUS_BABBLE_DETECTED" },      /* xHCI babble */
	{ 0xC0000013, -70, "USBD_STATUS_DATA_BUFFER_ERROR" },    /* xHCI data buffer error */
	{ 0xC0000030, -32, "USBD_STATUS_ENDPOINT_HALTED" },      /* halted: a stall */
	{ 0xC0000A00, -18, "USBD_STATUS_BAD_START_FRAME" },      /* iso frames already expired */
	{ 0xC0000B00, -18, "USBD_STATUS_ISOCH_REQUEST_FAILED" }, /* iso partly done */
	{ 0xC0000C00, -16, "USBD_STATUS_FRAME_CONTROL_OWNED" },
	{ 0xC0000D00, -22, "USBD_STATUS_FRAME_CONTROL_NOT_OWNED" },
	{ 0xC0000E00, -22, "USBD_STATUS_NOT_SUPPORTED" },        /* "not supported" is EINVAL in Linux */
	{ 0xC0000F00, -22, "USBD_STATUS_INVALID_CONFIGURATION_DESCRIPTOR" },
	{ 0xC0001000, -12, "USBD_STATUS_INSUFFICIENT_RESOURCES" },
	{ 0xC0002000, -22, "USBD_STATUS_SET_CONFIG_FAILED" },
	{ 0xC0003000, -75, "USBD_STATUS_BUFFER_TOO_SMALL" },     /* more data than the buffer */
	{ 0xC0004000, -22, "USBD_STATUS_INTERFACE_NOT_FOUND" },
	{ 0xC0005000, -22, "USBD_STATUS_INVALID_PIPE_FLAGS" },
	{ 0xC0006000, -110, "USBD_STATUS_TIMEOUT" },
	{ 0xC0007000, -19, "USBD_STATUS_DEVICE_GONE" },
	{ 0xC0008000, -71, "USBD_STATUS_STATUS_NOT_MAPPED" },    /* unknown USB error */
	{ 0xC0009000, -71, "USBD_STATUS_HUB_INTERNAL_ERROR" },
	{ 0xC0010000, -104, "USBD_STATUS_CANCELED" },            /* IRP cancelled: async unlink */
	{ 0xC0020000, -18, "USBD_STATUS_ISO_NOT_ACCESSED_BY_HW" },
	{ 0xC0030000, -18, "USBD_STATUS_ISO_TD_ERROR" },
	{ 0xC0040000, -18, "USBD_STATUS_ISO_NA_LATE_USBPORT" },
	{ 0xC0050000, -18, "USBD_STATUS_ISO_NOT_ACCESSED_LATE" },
	{ 0xC0100000, -22, "USBD_STATUS_BAD_DESCRIPTOR" },       /* descriptor validation: EINVAL */
	{ 0xC0100001, -22, "USBD_STATUS_BAD_DESCRIPTOR_BLEN" },
	{ 0xC0100002, -22, "USBD_STATUS_BAD_DESCRIPTOR_TYPE" },
	{ 0xC0100003, -22, "USBD_STATUS_BAD_INTERFACE_DESCRIPTOR" },
	{ 0xC0100004, -22, "USBD_STATUS_BAD_ENDPOINT_DESCRIPTOR" },
	{ 0xC0100005, -22, "USBD_STATUS_BAD_INTERFACE_ASSOC_DESCRIPTOR" },
	{ 0xC0100006, -22, "USBD_STATUS_BAD_CONFIG_DESC_LENGTH" },
	{ 0xC0100007, -22, "USBD_STATUS_BAD_NUMBER_OF_INTERFACES" },
	{ 0xC0100008, -22, "USBD_STATUS_BAD_NUMBER_OF_ENDPOINTS" },
	{ 0xC0100009, -22, "USBD_STATUS_BAD_ENDPOINT_ADDRESS" },
};

/*
 * IOReturn, from Apple's IOKit/IOReturn.h (sys_iokit | sub_iokit_common,
 * 0xE00002xx), the legacy IOUSBFamily's IOKit/usb/USB.h (iokit_usb_err,
 * 0xE00040xx) and IOUSBHostFamily's IOUSBHostFamilyDefinitions.h
 * (kUSBHostReturn*, 0xE00050xx).
 */
static const struct status_entry ioreturn_table[] = {
	{ 0x00000000, 0, "kIOReturnSuccess" },
	{ 0xE0000001, -22, "kIOReturnInvalid" },
	{ 0xE00002BC, -71, "kIOReturnError" },                /* general error: unknown USB error */
	{ 0xE00002BD, -12, "kIOReturnNoMemory" },
	{ 0xE00002BE, -12, "kIOReturnNoResources" },
	{ 0xE00002BF, -71, "kIOReturnIPCError" },
	{ 0xE00002C0, -19, "kIOReturnNoDevice" },             /* device gone */
	{ 0xE00002C1, -1, "kIOReturnNotPrivileged" },
	{ 0xE00002C2, -22, "kIOReturnBadArgument" },
	{ 0xE00002C3, -16, "kIOReturnLockedRead" },
	{ 0xE00002C4, -16, "kIOReturnLockedWrite" },
	{ 0xE00002C5, -16, "kIOReturnExclusiveAccess" },
	{ 0xE00002C6, -22, "kIOReturnBadMessageID" },
	{ 0xE00002C7, -22, "kIOReturnUnsupported" },          /* "not supported" is EINVAL in Linux */
	{ 0xE00002C8, -12, "kIOReturnVMError" },
	{ 0xE00002C9, -71, "kIOReturnInternalError" },
	{ 0xE00002CA, -71, "kIOReturnIOError" },              /* unknown USB error */
	{ 0xE00002CC, -16, "kIOReturnCannotLock" },
	{ 0xE00002CD, -22, "kIOReturnNotOpen" },              /* the request never reached the bus */
	{ 0xE00002CE, -22, "kIOReturnNotReadable" },
	{ 0xE00002CF, -22, "kIOReturnNotWritable" },
	{ 0xE00002D0, -22, "kIOReturnNotAligned" },
	{ 0xE00002D1, -71, "kIOReturnBadMedia" },
	{ 0xE00002D2, -16, "kIOReturnStillOpen" },
	{ 0xE00002D3, -71, "kIOReturnRLDError" },
	{ 0xE00002D4, -70, "kIOReturnDMAError" },             /* host could not move the data */
	{ 0xE00002D5, -16, "kIOReturnBusy" },
	{ 0xE00002D6, -110, "kIOReturnTimeout" },
	{ 0xE00002D7, -108, "kIOReturnOffline" },             /* device/controller disabled */
	{ 0xE00002D8, -16, "kIOReturnNotReady" },
	{ 0xE00002D9, -19, "kIOReturnNotAttached" },
	{ 0xE00002DA, -12, "kIOReturnNoChannels" },
	{ 0xE00002DB, -28, "kIOReturnNoSpace" },
	{ 0xE00002DD, -16, "kIOReturnPortExists" },
	{ 0xE00002DE, -12, "kIOReturnCannotWire" },
	{ 0xE00002DF, -71, "kIOReturnNoInterrupt" },
	{ 0xE00002E0, -28, "kIOReturnNoFrames" },
	{ 0xE00002E1, -90, "kIOReturnMessageTooLarge" },      /* EMSGSIZE: length invalid */
	{ 0xE00002E2, -1, "kIOReturnNotPermitted" },
	{ 0xE00002E3, -108, "kIOReturnNoPower" },             /* port unpowered: device disabled */
	{ 0xE00002E4, -71, "kIOReturnNoMedia" },
	{ 0xE00002E5, -71, "kIOReturnUnformattedMedia" },
	{ 0xE00002E6, -22, "kIOReturnUnsupportedMode" },
	{ 0xE00002E7, -121, "kIOReturnUnderrun" },            /* OHCI CC 9 in USB.h: short packet */
	{ 0xE00002E8, -75, "kIOReturnOverrun" },              /* OHCI CC 8 in USB.h: babble */
	{ 0xE00002E9, -71, "kIOReturnDeviceError" },
	{ 0xE00002EA, -71, "kIOReturnNoCompletion" },
	{ 0xE00002EB, -104, "kIOReturnAborted" },             /* aborted by the host: async unlink */
	{ 0xE00002EC, -28, "kIOReturnNoBandwidth" },
	{ 0xE00002ED, -71, "kIOReturnNotResponding" },        /* USB.h maps OHCI CC 5 here (Linux OHCI:
								ETIME), but DLT 266 captures come from
								xHCI, whose transaction error Linux
								reports as EPROTO */
	{ 0xE00002EE, -18, "kIOReturnIsoTooOld" },            /* iso frame missed */
	{ 0xE00002EF, -18, "kIOReturnIsoTooNew" },
	{ 0xE00002F0, -22, "kIOReturnNotFound" },
	/* IOUSBFamily hardware errors: the OHCI completion codes */
	{ 0xE0004001, -84, "kIOUSBCRCErr" },
	{ 0xE0004002, -71, "kIOUSBBitstufErr" },
	{ 0xE0004003, -84, "kIOUSBDataToggleErr" },
	{ 0xE0004006, -71, "kIOUSBPIDCheckErr" },
	{ 0xE0004007, -71, "kIOUSBWrongPIDErr" },
	{ 0xE000400A, -71, "kIOUSBReserved1Err" },
	{ 0xE000400B, -71, "kIOUSBReserved2Err" },
	{ 0xE000400C, -70, "kIOUSBBufferOverrunErr" },
	{ 0xE000400D, -63, "kIOUSBBufferUnderrunErr" },
	{ 0xE000400E, -18, "kIOUSBNotSent1Err" },             /* not accessed, as USBD_STATUS_NOT_ACCESSED */
	{ 0xE000400F, -18, "kIOUSBNotSent2Err" },
	{ 0xE0004010, -71, "kIOUSBLinkErr" },
	/* IOUSBFamily software errors */
	{ 0xE000404B, -71, "kIOUSBHighSpeedSplitError" },
	{ 0xE000404E, -22, "kIOUSBInterfaceNotFound" },
	{ 0xE000404F, -32, "kIOUSBPipeStalled" },
	{ 0xE0004050, -104, "kIOUSBTransactionReturned" },    /* returned to the caller: aborted */
	{ 0xE0004051, -110, "kIOUSBTransactionTimeout" },
	{ 0xE0004056, -22, "kIOUSBConfigNotFound" },
	{ 0xE0004057, -22, "kIOUSBEndpointNotFound" },
	{ 0xE000405D, -108, "kIOUSBNotEnoughPowerErr" },
	{ 0xE000405E, -22, "kIOUSBNotEnoughPipesErr" },
	{ 0xE000405F, -22, "kIOUSBNoAsyncPortErr" },
	{ 0xE0004060, -22, "kIOUSBTooManyPipesErr" },
	{ 0xE0004061, -22, "kIOUSBUnknownPipeErr" },
	/* IOUSBHostFamily */
	{ 0xE0005000, -32, "kUSBHostReturnPipeStalled" },
	{ 0xE0005001, -108, "kUSBHostReturnNoPower" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct status_entry *find(const struct status_entry *t, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

int32_t usbd_status_to_errno(uint32_t usbd)
{
	const struct status_entry *e = find(usbd_table, N(usbd_table), usbd);

	if (e)
		return e->err;
	/* Not in the table: the class bits still say what happened. */
	switch (usbd >> 30) {
	case 0: return 0;          /* success class */
	case 1: return -115;       /* pending class */
	default: return -71;       /* error class: unknown USB error */
	}
}

const char *usbd_status_name(uint32_t usbd)
{
	const struct status_entry *e = find(usbd_table, N(usbd_table), usbd);

	return e ? e->name : NULL;
}

int32_t ioreturn_to_errno(uint32_t ioreturn)
{
	const struct status_entry *e = find(ioreturn_table, N(ioreturn_table), ioreturn);

	if (e)
		return e->err;
	return ioreturn == 0 ? 0 : -71; /* any other failure: unknown USB error */
}

const char *ioreturn_name(uint32_t ioreturn)
{
	const struct status_entry *e = find(ioreturn_table, N(ioreturn_table), ioreturn);

	return e ? e->name : NULL;
}
