/* safety.c - the replay's safety gate: opcodes that write the medium or change configuration or firmware, and vendor-specific opcodes, from SPC-5, SBC-4, MMC-6 and SAT-4. */
#include "config.h"
#include "replay/safety.h"

#include <string.h>

#include "util/bytes.h"

/* Operation codes (T10 op-num.txt) that change what a device stores or how
 * it behaves: the medium (writes, format, unmap, sanitize, reassign), its
 * configuration (mode and log select, persistent reservations, device
 * identifier, attributes, target port groups), its firmware (WRITE
 * BUFFER), its security state (SECURITY PROTOCOL OUT), and ATA
 * PASS-THROUGH, which can send any ATA command (SAT-4). */
static const struct {
	uint8_t opcode;
	const char *name;
} writes[] = {
	{ 0x04, "FORMAT UNIT" },
	{ 0x07, "REASSIGN BLOCKS" },
	{ 0x0a, "WRITE(6)" },
	{ 0x15, "MODE SELECT(6)" },
	{ 0x1d, "SEND DIAGNOSTIC" },
	{ 0x2a, "WRITE(10)" },
	{ 0x2e, "WRITE AND VERIFY(10)" },
	{ 0x3b, "WRITE BUFFER" },
	{ 0x3d, "UPDATE BLOCK" },
	{ 0x3f, "WRITE LONG(10)" },
	{ 0x41, "WRITE SAME(10)" },
	{ 0x42, "UNMAP" },
	{ 0x48, "SANITIZE" },
	{ 0x4c, "LOG SELECT" },
	{ 0x50, "XDWRITE(10)" },
	{ 0x51, "XPWRITE(10)" },
	{ 0x53, "XDWRITEREAD(10) / RESERVE TRACK" },
	{ 0x55, "MODE SELECT(10)" },
	{ 0x5b, "CLOSE TRACK/SESSION" },
	{ 0x5d, "SEND CUE SHEET" },
	{ 0x5f, "PERSISTENT RESERVE OUT" },
	{ 0x85, "ATA PASS-THROUGH(16)" },
	{ 0x89, "COMPARE AND WRITE" },
	{ 0x8a, "WRITE(16)" },
	{ 0x8b, "ORWRITE(16)" },
	{ 0x8d, "WRITE ATTRIBUTE" },
	{ 0x8e, "WRITE AND VERIFY(16)" },
	{ 0x93, "WRITE SAME(16)" },
	{ 0x9a, "WRITE STREAM(16)" },
	{ 0x9c, "WRITE ATOMIC(16)" },
	{ 0x9f, "SERVICE ACTION OUT(16) (WRITE LONG(16), WRITE SCATTERED)" },
	{ 0xa1, "ATA PASS-THROUGH(12) / BLANK" },
	{ 0xa4, "MAINTENANCE OUT (SET DEVICE IDENTIFIER, ...)" },
	{ 0xaa, "WRITE(12)" },
	{ 0xae, "WRITE AND VERIFY(12)" },
	{ 0xb5, "SECURITY PROTOCOL OUT" },
};

static const char *const vendor_names[] = {
	"vendor-specific opcode C0h", "vendor-specific opcode C1h", "vendor-specific opcode C2h",
	"vendor-specific opcode C3h", "vendor-specific opcode C4h", "vendor-specific opcode C5h",
	"vendor-specific opcode C6h", "vendor-specific opcode C7h", "vendor-specific opcode C8h",
	"vendor-specific opcode C9h", "vendor-specific opcode CAh", "vendor-specific opcode CBh",
	"vendor-specific opcode CCh", "vendor-specific opcode CDh", "vendor-specific opcode CEh",
	"vendor-specific opcode CFh",
};

enum rp_risk rp_cdb_risk(const uint8_t *cdb, size_t len, const char **why)
{
	uint16_t sa = 0;

	*why = NULL;
	if (!len)
		return RISK_NONE;
	if (cdb[0] >= 0xc0) {
		/* SPC-5 4.2.5.1: operation codes C0h-FFh are vendor specific */
		*why = cdb[0] < 0xd0 ? vendor_names[cdb[0] - 0xc0] : "vendor-specific opcode (D0h-FFh)";
		return RISK_VENDOR;
	}
	if (cdb[0] == 0x7f) {
		/* variable-length CDB (SBC-4 5.x): the service action says which */
		if (!get_be16(cdb, len, 8, &sa)) {
			*why = "variable-length CDB without a service action";
			return RISK_WRITE;
		}
		switch (sa) {
		case 0x0009: return RISK_NONE;           /* READ(32) */
		case 0x000a: return RISK_NONE;           /* VERIFY(32) */
		case 0x000b: *why = "WRITE(32)"; return RISK_WRITE;
		case 0x000c: *why = "WRITE AND VERIFY(32)"; return RISK_WRITE;
		case 0x000d: *why = "WRITE SAME(32)"; return RISK_WRITE;
		case 0x000e: *why = "ORWRITE(32)"; return RISK_WRITE;
		case 0x1ff0: *why = "ATA PASS-THROUGH(32)"; return RISK_WRITE;
		default: *why = "variable-length CDB (7Fh) of an unknown service action"; return RISK_WRITE;
		}
	}
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		if (writes[i].opcode == cdb[0]) {
			*why = writes[i].name;
			return RISK_WRITE;
		}
	return RISK_NONE;
}

enum rp_risk rp_raw_risk(const uint8_t *buf, size_t len, const char **why)
{
	uint32_t sig;

	*why = NULL;
	if (len == 31 && get_le32(buf, len, 0, &sig) && sig == 0x43425355u) {
		uint8_t n = buf[14] & 0x1f;
		return rp_cdb_risk(buf + 15, n > 16 ? 16 : n, why);
	}
	if (len >= 32 && buf[0] == 0x01)
		return rp_cdb_risk(buf + 16, len - 16, why);
	return RISK_NONE;
}
