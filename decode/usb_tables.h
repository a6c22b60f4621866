/* usb_tables.h - name tables for USB control requests and descriptors (data in usb_tables.c); private to decode/. */
#ifndef SCSISCOPE_DECODE_USB_TABLES_H
#define SCSISCOPE_DECODE_USB_TABLES_H

#include <stdint.h>

/* Every table is indexed by the 8-bit code it names; NULL = not defined. */
extern const char *const usb_std_request_names[256];     /* bRequest, standard type */
extern const char *const usb_hub_request_names[256];     /* bRequest, hub class */
extern const char *const usb_hid_request_names[256];     /* bRequest, HID class */
extern const char *const usb_cdc_request_names[256];     /* bRequest, CDC class (PSTN) */
extern const char *const usb_vendor_request_names[256];  /* "vendor request 0xNN" */
extern const char *const usb_class_request_names[256];   /* "class request 0xNN" */
extern const char *const usb_other_request_names[256];   /* "request 0xNN" (reserved type, unknown standard) */

extern const char *const usb_desc_type_names[256];       /* bDescriptorType */
extern const char *const usb_class_names[256];           /* bDeviceClass / bInterfaceClass */
extern const char *const usb_msc_subclass_names[256];    /* mass storage bInterfaceSubClass */
extern const char *const usb_msc_protocol_names[256];    /* mass storage bInterfaceProtocol */
extern const char *const usb_cap_type_names[256];        /* BOS bDevCapabilityType */
extern const char *const usb_cdc_func_names[256];        /* CDC functional descriptor subtypes */

/* Feature selectors, by recipient. */
extern const char *const usb_feature_device_names[256];
extern const char *const usb_feature_interface_names[256];
extern const char *const usb_feature_endpoint_names[256];
extern const char *const usb_hub_feature_names[256];     /* hub recipient */
extern const char *const usb_port_feature_names[256];    /* port recipient (USB 2.0 and 3.2) */

/* Bit names of a 16-bit status word, bit i at index i (NULL = reserved). */
extern const char *const usb_port_status2_bits[16];      /* USB 2.0 wPortStatus */
extern const char *const usb_port_status3_bits[16];      /* USB 3.2 wPortStatus (link state/speed fields are not bits) */
extern const char *const usb_port_change2_bits[16];      /* USB 2.0 wPortChange */
extern const char *const usb_port_change3_bits[16];      /* USB 3.2 wPortChange */
extern const char *const usb_hub_status_bits[16];        /* wHubStatus (and wHubChange) */

extern const char *const usb_link_state_names[16];       /* USB 3.2 PORT_LINK_STATE */
extern const char *const usb_xfer_type_names[4];         /* endpoint bmAttributes bits 1:0 */
extern const char *const usb_iso_sync_names[4];          /* bits 3:2 */
extern const char *const usb_iso_usage_names[4];         /* bits 5:4, isochronous */
extern const char *const usb_intr_usage_names[4];        /* bits 5:4, interrupt (USB 3.2) */
extern const char *const usb_ss_speed_bits[16];          /* SuperSpeed capability wSpeedsSupported */
extern const char *const usb_lse_names[4];               /* SuperSpeedPlus lane speed exponent units */
extern const char *const usb_uas_pipe_names[256];        /* UAS Pipe Usage bPipeID */
extern const char *const usb_hid_report_type_names[4];   /* GET/SET_REPORT wValue high byte */
extern const char *const usb_cdc_stop_bits_names[3];     /* line coding bCharFormat */
extern const char usb_cdc_parity_letters[5];             /* line coding bParityType: N O E M S */

#endif
