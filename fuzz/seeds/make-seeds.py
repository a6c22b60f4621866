#!/usr/bin/env python3
# make-seeds.py - write the hand-made seeds of fuzz/seeds/ (run once by a developer; the outputs are committed, so builds never need Python).
# Formats: fuzz/stream.h (bot, uas), a CDB (scsi_cdb), CDB length + CDB + data (scsi_data), sense data (sense),
# setup + data stage (usb_control), expression text (filter).  Layouts: BOT 1.0 5.1/5.2, UAS 6.2, SPC-4, SBC-3, USB 2.0 ch. 9.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


STATUS = {0: 0, -32: 1, -121: 2}


def rec(kind, ep_index, slot, length, payload=b'', status=0, dt=10):
    b0 = kind | (ep_index << 2) | (slot << 5)
    return bytes([b0, STATUS[status]]) + struct.pack('<H', length) + bytes([dt]) + payload


def cbw(tag, length, din, cdb, lun=0):
    return b'USBC' + struct.pack('<IIBBB', tag, length, 0x80 if din else 0, lun, len(cdb)) + cdb.ljust(16, b'\0')


def csw(tag, residue, status):
    return b'USBS' + struct.pack('<IIB', tag, residue, status)


INQ = bytes([0x12, 0, 0, 0, 36, 0])
INQ_DATA = bytes([0, 0x80, 5, 2, 31, 0, 0, 0]) + b'VENDOR  PRODUCT         1.00'
RC10 = bytes([0x25] + [0] * 9)
RC10_DATA = struct.pack('>II', 0x3a38600 - 1, 512)
READ10 = bytes([0x28, 0, 0, 0, 0x10, 0, 0, 0, 1, 0])
WRITE10 = bytes([0x2a, 0, 0, 0, 0x10, 0, 0, 0, 1, 0])
TUR = bytes(6)
REQSENSE = bytes([3, 0, 0, 0, 18, 0])
SENSE = bytes([0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0xc0, 0, 2])
SYNC10 = bytes([0x35] + [0] * 9)

# --- bot: endpoints 0 = 81h IN, 1 = 02h OUT, 6 = control OUT, 7 = control IN
def bot_cmd(tag, cdb, din, data=b'', dlen=None, status=0, residue=0, stall=False):
    out = rec(0, 1, 0, 31, cbw(tag, dlen if dlen is not None else len(data), din, cdb)) + rec(1, 1, 0, 31)
    n = dlen if dlen is not None else len(data)
    if n:
        if din:
            out += rec(0, 0, 1, n) + (rec(1, 0, 1, 0, status=-32) if stall else rec(1, 0, 1, len(data), data))
        else:
            out += rec(0, 1, 2, n, data) + rec(1, 1, 2, n)
    if stall:
        out += rec(0, 6, 3, 8, bytes([2, 1, 0, 0, 0x81, 0, 0, 0])) + rec(1, 6, 3, 0)
    return out + rec(0, 0, 4, 13) + rec(1, 0, 4, 13, csw(tag, residue, status))


put('bot', 'session', bot_cmd(1, INQ, True, INQ_DATA) + bot_cmd(2, TUR, False) + bot_cmd(3, RC10, True, RC10_DATA)
    + bot_cmd(4, READ10, True, bytes(range(256)) * 2) + bot_cmd(5, WRITE10, False, b'\xa5' * 512)
    + bot_cmd(6, SYNC10, False))
put('bot', 'check-condition', bot_cmd(1, bytes([0xff, 0, 0, 0, 0, 0]), False, status=1)
    + bot_cmd(2, REQSENSE, True, SENSE))
put('bot', 'stall-reset', bot_cmd(1, READ10, True, dlen=512, stall=True, residue=512, status=1)
    + rec(0, 6, 5, 8, bytes([0x21, 0xff, 0, 0, 0, 0, 0, 0])) + rec(1, 6, 5, 0) + bot_cmd(2, TUR, False))

# --- uas: endpoints 0 = 01h command, 1 = 82h status, 2 = 83h data-in, 3 = 04h data-out
def cmd_iu(tag, cdb):
    return bytes([1, 0]) + struct.pack('>H', tag) + bytes([0, 0, 0, 0]) + bytes(8) + cdb.ljust(16, b'\0')


def sense_iu(tag, status, sense=b''):
    return bytes([3, 0]) + struct.pack('>H', tag) + bytes([0, 0, status]) + bytes(7) + struct.pack('>H', len(sense)) + sense


def uas_cmd(tag, cdb, din=None, data=b'', status=0, sense=b''):
    out = rec(0, 1, tag & 7, 112) + rec(0, 0, tag & 7, 32, cmd_iu(tag, cdb)) + rec(1, 0, tag & 7, 32)
    if din is not None:
        out += rec(1, 1, tag & 7, 4, bytes([6 if din else 7, 0]) + struct.pack('>H', tag))
        out += rec(0, 1, (tag + 1) & 7, 112)
        if din:
            out += rec(0, 2, tag & 7, len(data)) + rec(1, 2, tag & 7, len(data), data)
        else:
            out += rec(0, 3, tag & 7, len(data), data) + rec(1, 3, tag & 7, len(data))
        return out + rec(1, 1, (tag + 1) & 7, 16 + len(sense), sense_iu(tag, status, sense))
    return out + rec(1, 1, tag & 7, 16 + len(sense), sense_iu(tag, status, sense))


put('uas', 'session', uas_cmd(1, INQ, True, INQ_DATA) + uas_cmd(2, TUR) + uas_cmd(3, RC10, True, RC10_DATA)
    + uas_cmd(4, READ10, True, bytes(512)) + uas_cmd(5, WRITE10, False, b'\x5a' * 512))
put('uas', 'check-condition', uas_cmd(1, bytes([0xc0, 0, 0, 0, 0, 0]), status=2, sense=SENSE))

# --- scsi_cdb
for name, cdb in [('inquiry', INQ), ('read10', READ10), ('write10', WRITE10),
                  ('read16', bytes([0x88, 8] + [0] * 7 + [0x10, 0, 0, 0, 8, 0, 0])),
                  ('mode-sense10', bytes([0x5a, 0, 0x08, 0, 0, 0, 0, 0, 0xfc, 0])),
                  ('ata-pass-through16', bytes([0x85, 8, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xec, 0])),
                  ('variable-7f', bytes([0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0, 0x09] + [0] * 22)),
                  ('write-buffer', bytes([0x3b, 0x07, 0, 0, 0, 0, 0, 0x10, 0, 0])),
                  ('unmap', bytes([0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0])),
                  ('security-in', bytes([0xa2, 0xef, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0]))]:
    put('scsi_cdb', name, cdb)

# --- scsi_data: CDB length, CDB, data
def sd(cdb, data):
    return bytes([len(cdb)]) + cdb + data


CACHING = bytes([0x08, 0x12, 0x04] + [0] * 17)
put('scsi_data', 'inquiry', sd(INQ, INQ_DATA))
put('scsi_data', 'read-capacity10', sd(RC10, RC10_DATA))
put('scsi_data', 'read-capacity16', sd(bytes([0x9e, 0x10] + [0] * 11 + [32, 0, 0]), struct.pack('>QI', 123456, 4096) + bytes(20)))
put('scsi_data', 'mode-sense6-caching', sd(bytes([0x1a, 0, 0x08, 0, 0xc0, 0]), bytes([3 + len(CACHING), 0, 0, 0]) + CACHING))
put('scsi_data', 'vpd-83', sd(bytes([0x12, 1, 0x83, 0, 0xfc, 0]), bytes([0, 0x83, 0, 12, 1, 3, 0, 8]) + bytes(range(8))))
put('scsi_data', 'vpd-00', sd(bytes([0x12, 1, 0x00, 0, 0xfc, 0]), bytes([0, 0, 0, 4, 0, 0x80, 0x83, 0xb0])))
put('scsi_data', 'request-sense', sd(REQSENSE, SENSE))
put('scsi_data', 'report-luns', sd(bytes([0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]), struct.pack('>I', 16) + bytes(4) + bytes(16)))

# --- sense
put('sense', 'fixed-invalid-field', SENSE)
put('sense', 'descriptor', bytes([0x72, 3, 0x11, 0, 0, 0, 0, 12, 0, 10, 0x80, 0] + list(struct.pack('>Q', 0x1234))))
put('sense', 'not-ready', bytes([0x70, 0, 2, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3a, 0, 0, 0, 0, 0]))

# --- usb_control: setup + data stage
DEV = bytes([18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x34, 0x12, 0x78, 0x56, 0, 1, 1, 2, 3, 1])
CFG = bytes([9, 2, 32, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 2, 8, 6, 0x50, 0, 7, 5, 0x81, 2, 0, 2, 0, 7, 5, 2, 2, 0, 2, 0])
put('usb_control', 'device', bytes([0x80, 6, 0, 1, 0, 0, 18, 0]) + DEV)
put('usb_control', 'config', bytes([0x80, 6, 0, 2, 0, 0, 32, 0]) + CFG)
put('usb_control', 'string', bytes([0x80, 6, 2, 3, 9, 4, 255, 0]) + bytes([10, 3]) + 'Disk'.encode('utf-16-le'))
put('usb_control', 'get-max-lun', bytes([0xa1, 0xfe, 0, 0, 0, 0, 1, 0, 0]))
put('usb_control', 'bos', bytes([0x80, 6, 0, 15, 0, 0, 22, 0]) + bytes([5, 15, 22, 0, 2, 7, 16, 2, 2, 0, 0, 0, 10, 16, 3, 0, 14, 0, 1, 10, 0xff, 7]))

# --- filter
for i, e in enumerate(['opcode==0x28 && lba>=2048', 'status!=good', 'finding~"bot-"', 'sense.key==5 || duration_us>1000',
                       '!(kind==control) && device==2', 'tag in {1,2,3}', 'bytes>=4096 && dir==in']):
    put('filter', 'expr%d' % i, e.encode())

# --- btsnoop (no btsnoop file among the shared captures): header "btsnoop\0", version 1, datalink
# (1001 H1, 1002 H4, 2001 monitor), then records: original length, included length, flags, cumulative
# drops, timestamp (microseconds since 0 AD), all big endian.
HCI_RESET = bytes([0x03, 0x0c, 0x00])                       # HCI_Reset command (OGF 3, OCF 3)
CMD_COMPLETE = bytes([0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00])  # Command Complete for it, status 0
ACL = bytes([0x40, 0x20, 0x07, 0x00, 0x03, 0x00, 0x04, 0x00, 0x0a, 0x01, 0x00])  # ATT Read Request on CID 4


def btsnoop(datalink, packets):
    out = b'btsnoop\0' + struct.pack('>II', 1, datalink)
    ts = 0x00dcddb30f2f8000
    for flags, data in packets:
        out += struct.pack('>IIIIQ', len(data), len(data), flags, 0, ts) + data
        ts += 1000
    return out


put('btsnoop', 'h4', btsnoop(1002, [(2, b'\x01' + HCI_RESET), (3, b'\x04' + CMD_COMPLETE), (0, b'\x02' + ACL),
                                    (1, b'\x02' + ACL)]))
put('btsnoop', 'h1', btsnoop(1001, [(2, HCI_RESET), (3, CMD_COMPLETE), (0, ACL), (1, ACL)]))
# monitor (BlueZ btmon): flags carry the adapter index (high 16 bits) and the opcode (low 16): 2 command,
# 3 event, 4/5 ACL tx/rx, 12 system note
put('btsnoop', 'monitor', btsnoop(2001, [(2, HCI_RESET), (3, CMD_COMPLETE), (4, ACL), (5, ACL), (12, b'note\0')]))

# --- hci: records of [kind][length][bytes] (fuzz_hci.c): kind 1 command, 2 event, 3 ACL, 8 note; +0x10
# received.  An LE connection, a GATT discovery with an L2CAP PDU in three fragments, pairing that fails, a
# command never answered, a disconnection.


def hci(kind, data):
    return bytes([kind, len(data)]) + data if len(data) < 0xff else bytes([kind, 0xff]) + struct.pack('<H', len(data)) + data


LE_CONN = bytes.fromhex('3e13010040000001554433221 1c0180000004800 05'.replace(' ', ''))
put('hci', 'gatt', hci(1, HCI_RESET) + hci(0x12, CMD_COMPLETE) + hci(0x12, LE_CONN) +
    hci(0x03, bytes.fromhex('40200800 0e000400 11061000')) +
    hci(0x03, bytes.fromhex('40100600 1f001218 2000')) + hci(0x03, bytes.fromhex('40100400 25000f18')) +
    hci(0x13, bytes.fromhex('40200900 05000400 010a2a00 05')) + hci(8, b'a note'))
put('hci', 'pairing', hci(0x12, LE_CONN) +
    hci(0x03, bytes.fromhex('40000b00 07000600 0104000d 100303')) +
    hci(0x13, bytes.fromhex('40200b00 07000600 02030009 100303')) +
    hci(0x03, bytes.fromhex('40000600 02000600 0503')) +
    hci(0x12, bytes.fromhex('05040040 0008')))
put('hci', 'unanswered', hci(1, bytes.fromhex('011000')) + hci(1, HCI_RESET) + hci(0x12, CMD_COMPLETE) +
    hci(1, bytes.fromhex('0d201960 00300000 00554433 22110000 18002800 00002a00 00000000')) +
    hci(0x12, bytes.fromhex('0f040c01 0d20')))

# --- diff: mode byte, split offset (LE32), capture A, capture B: the samples' two runs of one workload, and
# key sequences for the alignment alone.
SAMPLES = os.path.join(HERE, '..', '..', 'samples')


def two(mode, a, b):
    return bytes([mode]) + struct.pack('<I', len(a)) + a + b


def sample(name):
    with open(os.path.join(SAMPLES, name), 'rb') as f:
        return f.read()


put('diff', 'bot-runs', two(0, sample('bot-ehci.pcap'), sample('bot-ehci-run2.pcap')))
put('diff', 'bot-uas', two(0, sample('bot-ehci.pcap'), sample('uas-ehci.pcap')))
put('diff', 'keys', two(1, bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3]), bytes([1, 3, 4, 5, 9, 6, 7, 8, 1, 2, 2, 3])))
