/* summary_bt.h - the Bluetooth part of decode --summary (report/summary.c's per device block for an HCI controller). */
#ifndef SCSISCOPE_REPORT_SUMMARY_BT_H
#define SCSISCOPE_REPORT_SUMMARY_BT_H

#include <stdbool.h>

#include "decode/decode.h"
#include "report/summary.h"
#include "util/strbuf.h"

/*
 * Per controller (an HCI log's 0:0, or a dongle's bus:device): counts of
 * HCI commands (failed, unanswered, latency to their Command Complete or
 * Status), events, L2CAP PDUs by protocol and code, the connections
 * (handle, link, peer, span, bytes, the disconnection reason) and the
 * errors (HCI status codes of commands and events, ATT Error Responses,
 * SMP Pairing Failed reasons) with the first of each.
 *
 * Memory is fixed per controller: SUMMARY_BT_NAMES_MAX distinct commands,
 * events and PDU kinds each, SUMMARY_BT_CONNS_MAX connections and
 * SUMMARY_BT_ERRORS_MAX distinct errors; what does not fit is counted as
 * such.
 */
#define SUMMARY_BT_NAMES_MAX 128
#define SUMMARY_BT_CONNS_MAX 64
#define SUMMARY_BT_ERRORS_MAX 64

struct bt_stat;

struct bt_stat *bt_stat_new(void);
void bt_stat_free(struct bt_stat *s);
void bt_stat_add(struct bt_stat *s, const struct bt_txn *b);
/* True for NULL or when nothing was added. */
bool bt_stat_empty(const struct bt_stat *s);
/* "PacketLogger", "btsnoop", "pcap H4", "USB dongle". */
const char *bt_stat_source(const struct bt_stat *s);
/* The block's lines, each indented by two spaces. */
void bt_stat_text(struct strbuf *sb, const struct bt_stat *s);
/* One JSON object (fields in doc/scsiscope.1). */
void bt_stat_json(struct strbuf *sb, const struct bt_stat *s);

#endif
