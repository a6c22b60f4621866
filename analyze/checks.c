/* checks.c - the registry of every finding id: default severity, family, summary and explanation (lint --explain). */
#include "config.h"
#include "analyze/lint.h"

#include <stdlib.h>
#include <string.h>

/*
 * Sorted by id (strcmp order): check_find() searches it by bisection and
 * tests/unit/test_lint.c checks the order, the absence of duplicates and
 * that every id used in decode/ and analyze/ is registered here.  The
 * severity is the default; a check may report a lower or higher one for a
 * particular case (say, a stall in the data phase is how a device ends it
 * early, BOT 6.7, and is only info).
 *
 * References: USB Mass Storage Class Bulk-Only Transport 1.0 (BOT),
 * USB Attached SCSI 1.0 / T10 UAS-2 (UAS), USB 2.0 chapter 9, T10 SPC-4,
 * SBC-3.
 */
static const struct check_info checks[] = {
	{ "alloc-length-vs-transfer", SEV_WARNING, "scsi",
	  "the CDB's allocation or transfer length disagrees with the transport's expected length",
	  "The CDB says how many bytes the command moves (an allocation length, or a number of blocks times "
	  "the block size learned from READ CAPACITY), and the transport wrapper (the CBW's "
	  "dCBWDataTransferLength, or the UAS data URBs) says how many the host is prepared to move. When they "
	  "differ the device and the host disagree about the data phase: the device may send less than the "
	  "host waits for, or more than it accepts (babble, phase error). Typical causes are a driver that "
	  "builds the CDB and the wrapper from different variables, or a wrong block size. Compare the CDB "
	  "fields (decode -v) with the CBW and check which one the rest of the stack relies on." },
	{ "att-error", SEV_WARNING, "bt",
	  "an ATT Error Response: a GATT request refused",
	  "The GATT server answered a request with an Error Response (Core Vol 3 Part F 3.4.1.1), naming the "
	  "request, the attribute handle and the error. Attribute Not Found (0x0A) and Attribute Not Long "
	  "(0x0B) are how a discovery ends and are only info. Insufficient Authentication (0x05), "
	  "Insufficient Authorization (0x08), Insufficient Encryption Key Size (0x0C) and Insufficient "
	  "Encryption (0x0F) are errors: the attribute needs a paired, encrypted link (or a longer key) "
	  "the client does not have yet. A well-behaved client pairs or starts encryption and retries; a "
	  "HID-over-GATT host that stays silent after one of these never paired: look for SMP in the "
	  "capture (smp-pairing-failed) and at the security level the server requires. Other codes "
	  "(Invalid Handle, Write Not Permitted, Invalid Attribute Value Length, application errors "
	  "0x80-0x9F) point at a client and server that disagree about the database: a stale cache "
	  "after the server changed (Service Changed, Database Out Of Sync 0x12)." },
	{ "bot-bad-signature", SEV_ERROR, "bot",
	  "a CBW without 'USBC' or a CSW without 'USBS'",
	  "Every Command Block Wrapper starts with dCBWSignature 43425355h ('USBC', BOT 5.1) and every "
	  "Command Status Wrapper with dCSWSignature 53425355h ('USBS', BOT 5.2). A 31-byte OUT transfer "
	  "outside any command without 'USBC' is an invalid CBW: the device must stall both bulk pipes until "
	  "the host does a reset recovery (BOT 6.6.1), and bot-stall-recovery follows what happened then. A "
	  "13-byte IN transfer without 'USBS' where the CSW was expected means the host and the device are "
	  "out of step: usually the device is still sending data the host did not expect (the host asked for "
	  "fewer bytes than the device returns), or the device firmware is broken. BOT 6.5 says the host must "
	  "then do a reset recovery. Look at the data phase of the command just before it and at the lengths "
	  "on both sides." },
	{ "bot-cbw-cdb-length", SEV_WARNING, "bot",
	  "bCBWCBLength outside 1..16",
	  "The CBW carries the CDB length in bCBWCBLength, valid values 01h to 10h (BOT 5.1). A CBW outside "
	  "that range is not meaningful, and BOT 6.2.1 lets the device reject it (stall both bulk endpoints "
	  "until a reset recovery). Check the driver that built the CBW; the rest of the command is decoded "
	  "with the length clamped." },
	{ "bot-cbw-length", SEV_ERROR, "bot",
	  "a CBW that is not exactly 31 bytes",
	  "A Command Block Wrapper is exactly 31 bytes (BOT 5.1) and must be sent as a single short packet. A "
	  "device receiving another length may treat it as invalid and stall (BOT 6.2.1), so the command "
	  "that follows likely fails or hangs. Check the host driver; if the transfer was split by a hub or "
	  "a capture tool, compare with the frame list of the CBW." },
	{ "bot-csw-missing", SEV_WARNING, "bot",
	  "a command without a CSW: followed by another CBW, a reset or the end of the capture",
	  "Every Bulk-Only command ends with a 13-byte CSW from the device. When the next CBW, a reset or the "
	  "end of the capture comes first, the command's status is unknown: the device hung, the host gave "
	  "up (timeout, then a reset), or the capture started or stopped in the middle. If a reset follows, "
	  "look at how long the command had been running (a device that times out); if the capture simply "
	  "ended, it is harmless." },
	{ "bot-csw-status", SEV_ERROR, "bot",
	  "bCSWStatus with a reserved value",
	  "bCSWStatus is 00h (command passed), 01h (command failed: ask REQUEST SENSE) or 02h (phase error: "
	  "reset recovery needed); 03h-FFh are reserved (BOT 5.2). A device returning a reserved value is "
	  "broken or the host is reading something that is not a CSW. Check the signature and tag of the "
	  "same CSW and the data phase before it." },
	{ "bot-missing-data-phase", SEV_WARNING, "bot",
	  "the CBW announces data and none moves before the CSW",
	  "The CBW's dCBWDataTransferLength says the host expects N > 0 bytes, but no data URB moved a byte "
	  "before the CSW. That is one of the BOT thirteen cases (Hi>Dn or Ho>Dn, case 4 or 9): the device "
	  "decided the command has no data, and the CSW's residue should then equal N. If it does not, or "
	  "if the status is GOOD, the device is not telling the truth about the transfer. Check whether the "
	  "capture lost the data URBs (capture-gap) before blaming the device." },
	{ "bot-phase-error", SEV_ERROR, "bot",
	  "CSW status 2 (phase error) or a host/device case violation",
	  "A phase error (bCSWStatus 02h) means the device could not make sense of the exchange, typically "
	  "because the direction or length of the data phase the host set up disagrees with what the "
	  "command needs: BOT 6.7 lists the thirteen host/device cases (Hn=Dn, Hn<Di, Hi<Di, Hi<>Do, "
	  "Ho<>Di, Ho<Do, ...). The finding names the case the exchange matches. The host must do a reset "
	  "recovery after it. Look at the CDB's own length fields against the CBW (alloc-length-vs-transfer) "
	  "and at the direction flag." },
	{ "bot-reset", SEV_INFO, "bot",
	  "a Bulk-Only Mass Storage Reset",
	  "The host sent the class-specific Bulk-Only Mass Storage Reset (bRequest FFh, BOT 3.1), the first "
	  "step of a reset recovery, usually followed by CLEAR_FEATURE(ENDPOINT_HALT) on both bulk endpoints. "
	  "Hosts do this after a phase error, an invalid CSW or a command timeout; any command in progress is "
	  "ended. Look at the command before it: that is what went wrong." },
	{ "bot-residue-mismatch", SEV_WARNING, "bot",
	  "the CSW's residue disagrees with the bytes actually moved",
	  "dCSWDataResidue is the difference between the length the CBW announced and the bytes the device "
	  "actually processed (BOT 5.2). When it disagrees with what the capture shows moved, either the "
	  "device reports a wrong residue (the host's block layer then believes more or less data arrived "
	  "than did) or the capture lost data URBs. A wrong residue on a READ can make a driver accept a "
	  "short buffer as complete." },
	{ "bot-stall-recovery", SEV_WARNING, "bot",
	  "a bulk endpoint stalled: how it was cleared and whether the transfer recovered",
	  "A stalled bulk endpoint must be cleared with CLEAR_FEATURE(ENDPOINT_HALT) before it can be used "
	  "again. A device ends a data phase early with a STALL, and the host then clears the halt and reads "
	  "the CSW (BOT 6.7.2, 6.7.3): reported as info on the command when the CSW followed. When no CSW "
	  "came, or the STALL hit no command (an invalid CBW, which the device answers by stalling both "
	  "pipes, BOT 6.6.1), the host must do a reset recovery: a Bulk-Only Mass Storage Reset, then "
	  "CLEAR_FEATURE(ENDPOINT_HALT) on the bulk-in and the bulk-out endpoint (BOT 5.3.4). The finding on "
	  "the first command after it lists the steps the host took and whether that command worked: a "
	  "warning when a step is missing or the device still fails, which leaves it stuck until it is "
	  "re-enumerated. Check the host driver's error handling against BOT 5.3.4." },
	{ "bot-tag-mismatch", SEV_ERROR, "bot",
	  "the CSW's tag differs from its CBW's",
	  "The device must echo dCBWTag in the CSW's dCSWTag (BOT 5.2); the host pairs status to command by "
	  "it. A mismatch means the status belongs to another command (the host and the device are out of "
	  "step, for instance after a lost CSW or a retried CBW) or the firmware is broken. The host should "
	  "treat the CSW as invalid and do a reset recovery; Wireshark does not compare the two tags, so "
	  "this is easy to miss. Look at the previous command: did its CSW arrive?" },
	{ "capture-gap", SEV_INFO, "capture",
	  "the capture misses part of the traffic",
	  "A completion without its submit, a CBW tag sequence that jumps, or other signs that the capture "
	  "started late or dropped events (usbmon's buffer overflowing, a filter). Findings that depend on "
	  "the missing part are suppressed or weakened, and statistics over the affected span are partial. "
	  "For a full picture, capture with a larger buffer (usbmon) and start before plugging in." },
	{ "capture-truncated", SEV_INFO, "capture",
	  "bytes cut by the snap length",
	  "The capture holds fewer bytes of a URB than went over the bus (the snap length, usbmon's default "
	  "data limit of a few kilobytes per URB). The transfer itself was complete; only the file lacks the "
	  "bytes, so payload decoding and data comparisons are limited. Capture with a larger snap length "
	  "(usbmon: the binary interface, or -s 0 with tcpdump/dumpcap) when the data matters." },
	{ "cdb-length-mismatch", SEV_WARNING, "scsi",
	  "the CDB length the transport carries disagrees with the opcode's group",
	  "The opcode's group code (its top three bits, SPC-4 4.2.5.1) fixes the CDB length: 6 bytes for "
	  "group 0, 10 for groups 1 and 2, 16 for group 4, 12 for group 5. A transport length "
	  "(bCBWCBLength, the UAS Command IU's additional CDB length) that disagrees, e.g. a 6-byte INQUIRY "
	  "sent as 16 bytes, usually works (devices ignore the padding) but some firmware rejects it or "
	  "reads the padding as fields. Fix the driver that fills the CDB length." },
	{ "cdb-reserved-bits", SEV_WARNING, "scsi",
	  "reserved CDB fields set",
	  "A well-known CDB has bits set in fields SPC/SBC mark reserved. A device may reject the command "
	  "with ILLEGAL REQUEST, INVALID FIELD IN CDB (05/24/00), or worse, interpret the bits as a newer "
	  "field. The finding names the byte and bits; compare with the standard version the device claims "
	  "in INQUIRY and with the tool that built the CDB." },
	{ "check-condition", SEV_WARNING, "scsi",
	  "a command ended with CHECK CONDITION",
	  "The device reported a failure and sense data explains it (sense key / ASC / ASCQ, shown in words). "
	  "For ILLEGAL REQUEST, 05/20/00 (INVALID COMMAND OPERATION CODE) means this device does not "
	  "implement the opcode: the finding lists every opcode the device rejected, useful to see what a "
	  "driver probes; 05/24/00 (INVALID FIELD IN CDB) points at the field when the sense-key specific "
	  "bytes say which. Many such failures during enumeration are normal probing; failures of READ or "
	  "WRITE are not." },
	{ "command-timeout", SEV_ERROR, "scsi",
	  "a command never answered, or aborted",
	  "The command was never completed in the capture, or the host aborted it (ABORT TASK, unlinked "
	  "URBs, a reset). That is what a host does after its command timeout (30 s on Linux sd by default): "
	  "the device hung on this command. Look at what the command is and at what the device did before "
	  "(a long series of writes, a power state change); if the capture simply ended, it is harmless." },
	{ "data-mismatch", SEV_ERROR, "scsi",
	  "a READ returns data that differs from what an earlier WRITE wrote there",
	  "For an LBA both written and read back in the same capture (both payloads captured in full), the "
	  "bytes read differ from the bytes written, with no write in between. Unless another host or the "
	  "device itself changed the medium, that is data corruption: lost writes (a cache that was never "
	  "flushed, see unflushed-writes), a wrong LBA mapping or a failing medium. The finding names the "
	  "write and the read; the comparison uses hashes and a bounded memory of recent writes, so old "
	  "writes may no longer be compared." },
	{ "hci-command-failed", SEV_WARNING, "bt",
	  "an HCI command answered with an error status",
	  "The controller answered the command (Command Complete or Command Status) with a status other "
	  "than Success; the status is one of the Core specification's error codes (Vol 1 Part F). It is an "
	  "error for connection and security commands (Link Control commands, LE Create Connection, "
	  "Connection Update, Enable Encryption, Long Term Key Request Reply), a warning otherwise. "
	  "Command Disallowed (0x0C) means the controller is in a state where the command makes no sense "
	  "(cancelling a connection that is not being made, scanning while already scanning); Unknown HCI "
	  "Command (0x01) that the controller does not implement it (read its supported commands first); "
	  "Invalid HCI Command Parameters (0x12) and Unsupported Feature or Parameter Value (0x11) that "
	  "the host built the parameters wrong; Memory Capacity Exceeded (0x07) and Connection Limit "
	  "Exceeded (0x09) that the controller ran out of room. Look at the command's parameters "
	  "(decode -v) and at what the host did just before." },
	{ "hci-command-unanswered", SEV_ERROR, "bt",
	  "an HCI command that got neither Command Complete nor Command Status",
	  "Every HCI command is answered by the controller with Command Complete or Command Status (Core "
	  "Vol 4 Part E 4.4). This one got no answer: the capture ended first, the controller hung or was "
	  "reset (a Reset completed while it waited), or 8 later commands were answered while it waited, "
	  "so it will not be. A host waiting for the answer stops sending commands (command flow control), "
	  "which looks like a Bluetooth stack that froze. Check whether the controller's firmware crashed "
	  "(a Hardware Error event, a USB disconnect of the dongle) or the transport lost a packet." },
	{ "hci-disconnect", SEV_WARNING, "bt",
	  "a connection ended, with the reason the controller gave",
	  "A Disconnection Complete event ended a connection; its reason is an error code (Core Vol 1 "
	  "Part F). Remote User Terminated Connection (0x13), Remote Device Terminated due to Power Off "
	  "(0x15) and Connection Terminated By Local Host (0x16) are the normal ends of a link (info). "
	  "Connection Timeout (0x08) is the supervision timeout: the radio link was lost (range, "
	  "interference, the peer crashed or stopped answering). LMP/LL Response Timeout (0x22) means "
	  "the peer did not answer a link-layer procedure in 40 s (often a stuck encryption or "
	  "connection-update procedure). Connection Terminated due to MIC Failure (0x3D) means a packet "
	  "failed its integrity check: the two sides use different keys (a bond one side forgot). "
	  "Connection Failed to be Established (0x3E) means the first packets after the connect request "
	  "never arrived. Authentication Failure (0x05) and PIN or Key Missing (0x06) are pairing and "
	  "bonding problems: delete the bond on both sides and pair again. The finding says how long the "
	  "connection lasted when its start is in the capture." },
	{ "l2cap-reassembly-limit", SEV_WARNING, "bt",
	  "an L2CAP PDU too fragmented (or too many at once) to reassemble",
	  "ACL data is reassembled into L2CAP PDUs within fixed bounds: at most 64 PDUs in progress at "
	  "once and 4096 ACL fragments a PDU (a real PDU of 65,535 bytes in 27-byte LE fragments needs "
	  "about 2,400). Past either bound the PDU is shown as far as it got, marked incomplete, and the "
	  "fragments that follow are shown on their own. A capture that reaches the bound is damaged or "
	  "hostile, or a controller is sending continuation fragments without end." },
	{ "not-ready", SEV_INFO, "scsi",
	  "NOT READY sense (sense key 2)",
	  "The logical unit is not ready: no medium, becoming ready, stopped, or ejected (e.g. 02/3A/00 "
	  "MEDIUM NOT PRESENT after an eject). This is normal for removable media and while a device spins "
	  "up; it matters when it appears in the middle of I/O the host expected to succeed." },
	{ "retry-storm", SEV_WARNING, "scsi",
	  "the same command failing again and again",
	  "The same CDB failed several times in a row (the count is tunable). Retrying a command the device "
	  "rejects for a stable reason (an unsupported opcode, a medium error) only wastes time and can make "
	  "the device reset; look at the first failure's sense data and at the driver's retry policy." },
	{ "slow-command", SEV_INFO, "scsi",
	  "a latency outlier for its opcode",
	  "The command took much longer than the capture's own distribution for the same opcode (several "
	  "times its 90th percentile, above an absolute floor; both tunable). Occasional outliers are media "
	  "housekeeping (garbage collection, a spin-up, a cache flush); many point at a device under stress, "
	  "thermal throttling or a bus problem. Look at what ran just before and at the transfer sizes." },
	{ "smp-pairing-failed", SEV_ERROR, "bt",
	  "SMP Pairing Failed: why, and the features the two sides offered",
	  "One side ended LE (or BR/EDR cross-transport) pairing with Pairing Failed (Core Vol 3 Part H "
	  "3.5.5). The finding names who sent it, the reason, and the pairing method the Pairing Request "
	  "and Response select (Just Works, Passkey Entry, Numeric Comparison, OOB; legacy or Secure "
	  "Connections) with each side's IO capability (0 DisplayOnly, 1 DisplayYesNo, 2 KeyboardOnly, "
	  "3 NoInputNoOutput, 4 KeyboardDisplay), AuthReq (bit 2 MITM, bit 3 SC) and maximum key size. "
	  "Authentication Requirements (0x03): one side requires MITM protection or Secure Connections "
	  "and the IO capabilities only allow Just Works (e.g. a NoInputNoOutput device with an "
	  "initiator that sets MITM). Confirm Value Failed (0x04) and DHKey Check Failed (0x0B): the two "
	  "sides computed different values, a wrong passkey, or a bug in the crypto. Pairing Not "
	  "Supported (0x05): the device does not allow pairing now. Encryption Key Size (0x06): the "
	  "negotiated key is shorter than one side accepts. Repeated Attempts (0x09): pairing was tried "
	  "again too soon after a failure. Passkey Entry Failed (0x01) and Numeric Comparison Failed "
	  "(0x0C): the user cancelled or the values did not match. Unspecified Reason (0x08) often "
	  "means the host stack gave up (timeout, a bond it refuses to replace)." },
	{ "sync-cache-failed", SEV_ERROR, "scsi",
	  "SYNCHRONIZE CACHE failed",
	  "The device reported a failure for SYNCHRONIZE CACHE (SBC-3 5.22): data the host believes written "
	  "may still be only in the device's volatile cache, or lost. Look at the sense data; a host that "
	  "ignores this failure (no retry, no error to the file system) risks silent data loss on power "
	  "removal." },
	{ "sync-cache-suspicious", SEV_WARNING, "scsi",
	  "SYNCHRONIZE CACHE returned GOOD implausibly fast after many cached writes",
	  "After a large volume of writes with the write cache enabled, a flush that completes faster than "
	  "the medium could possibly write the data (threshold documented and tunable) suggests the device "
	  "acknowledges the flush without performing it. Such devices lose data on surprise removal or power "
	  "loss. Confirm with a power-cut test before relying on the device for durable storage." },
	{ "sync-cache-unsupported", SEV_ERROR, "scsi",
	  "SYNCHRONIZE CACHE rejected as unsupported while the write cache is enabled",
	  "The device answered SYNCHRONIZE CACHE with ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE "
	  "(05/20/00) although its caching mode page says WCE=1: the host has no way to make cached writes "
	  "durable. Data is at risk on every removal. Hosts usually learn to skip the flush for such devices; "
	  "a quirk that disables the write cache, or a better device, is the real fix." },
	{ "uas-bad-sense", SEV_WARNING, "uas",
	  "a Sense IU whose sense data is malformed",
	  "The Sense IU (UAS 6.2.3) carries sense data whose length or response code is not valid (SPC-4 "
	  "4.5: response codes 70h-73h). The status of the command is still known, but its reason is not. "
	  "Check the device firmware; compare with the same command over BOT if the device supports it." },
	{ "uas-cdb-too-long", SEV_WARNING, "uas",
	  "a Command IU CDB longer than 16 bytes",
	  "The Command IU carries a CDB of 16 bytes plus an additional CDB length (UAS 6.2.2). CDBs longer "
	  "than 16 bytes (variable-length, 32-byte) are rarely supported by UAS devices; the CDB is decoded "
	  "as far as the IU holds it. If the device rejects the command, use the 16-byte form." },
	{ "uas-command-not-sent", SEV_ERROR, "uas",
	  "the Command IU could not be submitted",
	  "Submitting the Command IU URB failed on the host (the submit completed with an error): the command "
	  "never reached the device. Usually the device was already gone or the endpoint halted; look at "
	  "the events just before." },
	{ "uas-command-urb-error", SEV_WARNING, "uas",
	  "the Command IU URB completed with an error",
	  "The URB that carried the Command IU completed with an error status (stall, protocol error, "
	  "unlink). The device may or may not have received the command; a status IU for the same tag "
	  "tells. Look at usb-stall / usb-error findings nearby." },
	{ "uas-data-inferred", SEV_INFO, "uas",
	  "data URBs associated with the command by inference",
	  "Without stream IDs in the capture (USB 2.0 UAS, or a capture format that does not record them), "
	  "data URBs are associated with the command whose Read Ready / Write Ready IU or order they follow. "
	  "With several commands in flight the association may be wrong; per-command byte counts are then "
	  "approximate." },
	{ "uas-missing-data-phase", SEV_WARNING, "uas",
	  "a data command with no Read/Write Ready IU and no data URB",
	  "The CDB asks for a data transfer, but the device neither signalled readiness (Read Ready / Write "
	  "Ready IU on USB 2.0) nor moved any data before its status: the CDB went out and no payload "
	  "followed. Check the sense or response of the command and whether the data pipes were set up "
	  "(streams allocated) by the host." },
	{ "uas-orphan-sense", SEV_WARNING, "uas",
	  "a Sense IU for a tag that is not in flight",
	  "A Sense IU arrived for a tag with no outstanding command: its command was already ended (aborted, "
	  "reset, timed out on the host) or the tag was corrupted. The status is lost for the host. Look at "
	  "the task-management and reset events before it." },
	{ "uas-pipe-stall", SEV_WARNING, "uas",
	  "a UAS pipe stalled",
	  "One of the four UAS pipes (command, status, data-in, data-out) returned a STALL handshake. The "
	  "UAS specification has no recovery per command for this: the host usually clears the halt and "
	  "may reset the device, ending every command in flight. Look at the command the stall interrupted." },
	{ "uas-response-iu", SEV_ERROR, "uas",
	  "a Response IU reporting an error",
	  "The device answered with a Response IU (UAS 6.2.5) whose response code is an error: INVALID IU, "
	  "OVERLAPPED TAG ATTEMPTED, INCORRECT LOGICAL UNIT NUMBER, TM FUNCTION NOT SUPPORTED, TM FUNCTION "
	  "FAILED. The command or task-management request was not executed. INVALID IU usually means a "
	  "malformed Command IU from the host; OVERLAPPED TAG a tag reused while still in flight." },
	{ "uas-short-iu", SEV_ERROR, "uas",
	  "an IU shorter than its format requires",
	  "An information unit moved fewer bytes than its fixed part (UAS 6.2) although the transfer "
	  "completed: the device (or host) sent a malformed IU. Its fields are decoded as far as they are "
	  "present." },
	{ "uas-stream-inferred", SEV_INFO, "uas",
	  "stream association inferred",
	  "The capture does not record USB 3 stream IDs, so the status and data URBs are matched to commands "
	  "by tag and order. The decoding is usually right; with many commands in flight it may pair a data "
	  "URB with the wrong command." },
	{ "uas-tag-overlap", SEV_ERROR, "uas",
	  "a tag reused while its command is still in flight",
	  "The host sent a Command IU with a tag that an outstanding command still uses (UAS 6.2.2: tags "
	  "must be unique among commands in flight). The device should answer OVERLAPPED TAG ATTEMPTED and "
	  "may abort both. This is a host driver bug, or the host considered the older command ended "
	  "(timeout) without telling the device." },
	{ "uas-task-management", SEV_WARNING, "uas",
	  "a task-management function: abort, reset, and what it ended",
	  "The host sent a Task Management IU (ABORT TASK, LOGICAL UNIT RESET, ...; UAS 6.2.4). Hosts do this "
	  "after a command timeout; the finding names the commands it ended. Look at the aborted command: "
	  "that is the one the device did not answer in time." },
	{ "uas-too-many-in-flight", SEV_WARNING, "uas",
	  "more commands in flight than the decoder tracks",
	  "The decoder keeps a bounded number of outstanding commands per interface; beyond that the oldest "
	  "is given up. Either the capture lost many status IUs (capture-gap), or the device never answers "
	  "some commands; the decoding of the given-up command is incomplete." },
	{ "uas-truncated-iu", SEV_INFO, "uas",
	  "an IU cut by the snap length",
	  "The capture holds only part of an information unit (the snap length); fields beyond the captured "
	  "bytes are unknown. Capture with a larger snap length if they matter." },
	{ "unflushed-writes", SEV_WARNING, "scsi",
	  "writes not followed by SYNCHRONIZE CACHE before a stop, eject, removal, reset or the end",
	  "Writes with FUA=0 may sit in the device's volatile cache. If the device is stopped, ejected, "
	  "allowed removal, reset or disconnected without a SYNCHRONIZE CACHE after them, the data may be "
	  "lost. Error when the caching mode page said WCE=1, warning when the capture never showed it "
	  "(cache state unknown), silent when WCE=0. Allowing removal is only a warning even with WCE=1: "
	  "the medium could be pulled before a flush, but Linux's sd driver allows removal when the device "
	  "is closed and syncs later, so check whether a SYNCHRONIZE CACHE followed. The finding lists the LBA ranges and byte count at risk; check the host's "
	  "flush policy (mount options, write barriers)." },
	{ "unit-attention", SEV_INFO, "scsi",
	  "UNIT ATTENTION sense (sense key 6)",
	  "The device reports an event the host should know about: power-on or reset (06/29/xx), medium "
	  "changed (06/28/00), mode parameters changed (06/2A/xx). The command was not executed and is "
	  "normally retried. Expected after a reset or media change; unexpected ones point at a device "
	  "resetting itself (power problems, firmware crashes)." },
	{ "usb-device-gone", SEV_ERROR, "usb",
	  "the device disappeared in the middle of a command",
	  "URBs completed with -ENODEV / -ESHUTDOWN while a command was in progress: the device was unplugged, "
	  "lost power or was reset by the hub. Any write in flight may be lost; look at unflushed-writes and "
	  "at the power supply or cable." },
	{ "usb-error", SEV_WARNING, "usb",
	  "a URB failed with an error status",
	  "A transfer completed with an error (protocol error, CRC/timeout, babble, overflow). Isolated "
	  "errors may be retried successfully; repeated ones point at signal integrity (cable, hub, power) "
	  "or a device that stops responding. The status is given with its Linux errno meaning." },
	{ "usb-no-completion", SEV_WARNING, "usb",
	  "a URB submitted and never completed in the capture",
	  "A URB of the command was submitted but the capture has no completion for it: the device never "
	  "answered before the capture ended, or the capture dropped the event. If the capture ran on, the "
	  "device is hung on this transfer." },
	{ "usb-roles-inferred", SEV_INFO, "usb",
	  "storage interface and endpoints inferred from the traffic",
	  "The capture does not contain the device's configuration descriptor (it started after "
	  "enumeration), so the storage transport and the endpoint roles were inferred from the traffic "
	  "(31-byte CBWs, 'USBS' CSWs, UAS IUs). Decoding is usually right; to be sure, start the capture "
	  "before plugging the device in." },
	{ "usb-stall", SEV_WARNING, "usb",
	  "an endpoint returned STALL outside any command",
	  "An endpoint answered with a STALL handshake to a URB no command owns: typically the device "
	  "rejecting an invalid CBW (BOT 6.6.1), or a stall on an endpoint of another interface. Stalls "
	  "inside a Bulk-Only command are reported by bot-stall-recovery, those of a UAS data pipe by "
	  "uas-pipe-stall. The host must clear the halt (CLEAR_FEATURE(ENDPOINT_HALT)) before the endpoint "
	  "can be used again; see what follows the stall." },
	{ "usb-unlinked", SEV_WARNING, "usb",
	  "a URB cancelled by the host",
	  "The host unlinked (cancelled) a URB before it completed (-ENOENT / -ECONNRESET), usually because a "
	  "command timed out or the driver is shutting down the device. Look at how long the URB was "
	  "outstanding and what the host did next (a reset?)." },
	{ "usb-urb-error", SEV_WARNING, "usb",
	  "URB errors by status: protocol errors, babble, timeouts, unlinks",
	  "Summarises the URBs that failed, grouped by status (-EPROTO, -EILSEQ, -ETIME, -EOVERFLOW, "
	  "unlinks; stalls are usb-stall). Many protocol or CRC errors mean a physical problem (cable, hub, power); "
	  "overflows (babble) mean the device sent more than the host asked for." },
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct check_info *)elem)->id);
}

const struct check_info *check_find(const char *id)
{
	if (!id)
		return NULL;
	return bsearch(id, checks, NCHECKS, sizeof(checks[0]), cmp_id);
}

const struct check_info *check_at(unsigned i)
{
	return i < NCHECKS ? &checks[i] : NULL;
}
