/* bt.h - the Bluetooth HCI decoder (commands matched to answers, connections, ACL reassembly into L2CAP); private to decode/. */
#ifndef SCSISCOPE_DECODE_BT_H
#define SCSISCOPE_DECODE_BT_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "decode/txn.h"
#include "decode/urb.h"

/*
 * One decoder for every source of HCI packets: the records of PacketLogger,
 * btsnoop and H4 pcap files (bt_record), and the URBs of a Bluetooth
 * dongle in a USB capture (bt_usb_urb: commands as class requests on
 * endpoint 0, events on the interrupt IN endpoint, ACL on the bulk
 * endpoints), reassembled into the same packets.  It delivers struct
 * bt_txn (TXN_BT) through the decoder's emitter.
 *
 * Bounds (a hostile capture cannot make memory grow):
 *   BT_CMD_PENDING_MAX commands waiting for their answer; a command whose
 *     answer has not come while BT_CMD_OVERTAKEN later commands were
 *     answered, or when a Reset completes, is delivered as unanswered;
 *   BT_CONN_MAX connections known (later ones: no peer address shown);
 *   BT_REASM_MAX L2CAP PDUs being reassembled at once (a new one makes
 *     the one that waited longest give way), each of at most
 *     BT_L2CAP_FRAGMENTS_MAX ACL fragments and PAYLOAD_HEAD_MAX bytes kept
 *     (the rest hashed and counted): past either limit the PDU is delivered
 *     as incomplete with the finding l2cap-reassembly-limit, and its later
 *     fragments are shown as fragments without a start;
 *   BT_DONGLES_MAX dongles in a USB capture, each with one event buffer
 *     (257 bytes) and two ACL buffers (4 + 65535 bytes at most).
 */
#define BT_CMD_PENDING_MAX 64
#define BT_CMD_OVERTAKEN 8
#define BT_CONN_MAX 64
#define BT_REASM_MAX 64
#define BT_L2CAP_FRAGMENTS_MAX 4096
#define BT_DONGLES_MAX 16

struct bt;

struct bt *bt_new(struct emitter *em);
/* One record of a Bluetooth capture. */
void bt_record(struct bt *bt, const struct hci_record *r);
/* A device descriptor was read: class/subclass/protocol 0xe00101 (Wireless
 * Controller, RF, Bluetooth programming interface) makes (bus, device) a
 * dongle; a device of another class (not 0 or 0xef: those say it per
 * interface) that takes the address stops being one. */
void bt_usb_device_class(struct bt *bt, uint16_t bus, uint16_t device, uint32_t dev_class);
/* A URB of a dongle, or an HCI command class request (bmRequestType 0x20,
 * bRequest 0, a well-formed command in its data stage: a dongle whose
 * descriptors the capture missed) that makes its device one: true when the
 * HCI decoder took it (at submit and at completion alike). */
bool bt_usb_urb(struct bt *bt, const struct urb *u, bool at_submit);
/* End of capture: commands still waiting are unanswered, PDUs still being
 * reassembled incomplete. */
void bt_finish(struct bt *bt);
void bt_free(struct bt *bt);

#endif
