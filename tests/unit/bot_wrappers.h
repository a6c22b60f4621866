/* bot_wrappers.h - Bulk-Only CBW and CSW built byte by byte for the tests (USB Mass Storage Class Bulk-Only Transport 1.0, 5.1 and 5.2). */
#ifndef SCSISCOPE_TESTS_BOT_WRAPPERS_H
#define SCSISCOPE_TESTS_BOT_WRAPPERS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A 31-byte CBW: signature USBC, tag, dCBWDataTransferLength, direction, LUN, CDB. */
static inline void mk_cbw(uint8_t out[31], uint32_t tag, uint32_t len, bool in, uint8_t lun, const uint8_t *cdb,
			  uint8_t cblen)
{
	memset(out, 0, 31);
	memcpy(out, "USBC", 4);
	put32(out + 4, tag);
	put32(out + 8, len);
	out[12] = in ? 0x80 : 0x00;
	out[13] = lun;
	out[14] = cblen;
	memcpy(out + 15, cdb, cblen < 16 ? cblen : 16);
}

/* A 13-byte CSW with the 4-byte signature sig (USBS unless a test damages it). */
static inline void mk_csw_sig(uint8_t out[13], const char *sig, uint32_t tag, uint32_t residue, uint8_t status)
{
	memcpy(out, sig, 4);
	put32(out + 4, tag);
	put32(out + 8, residue);
	out[12] = status;
}

static inline void mk_csw(uint8_t out[13], uint32_t tag, uint32_t residue, uint8_t status)
{
	mk_csw_sig(out, "USBS", tag, residue, status);
}

#endif
