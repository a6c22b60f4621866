/* uas_ius.h - UAS information units built byte by byte for the tests (USB Attached SCSI Protocol rev 1.0 section 6.2). */
#ifndef SCSISCOPE_TESTS_UAS_IUS_H
#define SCSISCOPE_TESTS_UAS_IUS_H

#include <stdint.h>
#include <string.h>

/* Each builder writes into b (room for the IU) and returns the IU's length. */

/* Command IU: a CDB longer than 16 bytes goes on in ADDITIONAL CDB (4-byte units). */
static inline uint32_t cmd_iu(uint8_t *b, uint16_t tag, uint64_t lun_field, const uint8_t *cdb, unsigned cdb_len)
{
	unsigned add = cdb_len > 16 ? (cdb_len - 16 + 3) / 4 : 0;
	uint32_t len = 32 + 4 * add;

	memset(b, 0, len);
	b[0] = 0x01;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
	b[6] = (uint8_t)(add << 2);
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(lun_field >> (56 - 8 * i));
	memcpy(b + 16, cdb, cdb_len);
	return len;
}

/* Sense IU: STATUS and slen bytes of sense data. */
static inline uint32_t sense_iu(uint8_t *b, uint16_t tag, uint8_t status, const uint8_t *sense, uint16_t slen)
{
	memset(b, 0, 16);
	b[0] = 0x03;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
	b[6] = status;
	b[14] = (uint8_t)(slen >> 8);
	b[15] = (uint8_t)slen;
	if (slen)
		memcpy(b + 16, sense, slen);
	return 16u + slen;
}

/* Response IU with RESPONSE CODE code. */
static inline uint32_t resp_iu(uint8_t *b, uint16_t tag, uint8_t code)
{
	memset(b, 0, 8);
	b[0] = 0x04;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
	b[7] = code;
	return 8;
}

/* READ READY (id 0x06) or WRITE READY (0x07) IU. */
static inline uint32_t ready_iu(uint8_t *b, uint8_t id, uint16_t tag)
{
	b[0] = id;
	b[1] = 0;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
	return 4;
}

/* Task Management IU: function fn on task task_tag. */
static inline uint32_t tm_iu(uint8_t *b, uint16_t tag, uint8_t fn, uint16_t task_tag, uint64_t lun_field)
{
	memset(b, 0, 16);
	b[0] = 0x05;
	b[2] = (uint8_t)(tag >> 8);
	b[3] = (uint8_t)tag;
	b[4] = fn;
	b[6] = (uint8_t)(task_tag >> 8);
	b[7] = (uint8_t)task_tag;
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(lun_field >> (56 - 8 * i));
	return 16;
}

#endif
