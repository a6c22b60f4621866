/* fuzz_scsi_data.c - libFuzzer target: a CDB (its length in the first byte) and a data payload through the SCSI data decoders (INQUIRY, READ CAPACITY, mode and log pages, VPD, ...). */
#include "decode/scsi.h"
#include "fuzz/fuzz.h"

FUZZ_ENTRY(scsi_data)
{
	struct strbuf sb = STRBUF_INIT;
	struct cdb_info ci;
	struct inquiry_id id;
	uint64_t lba;
	uint32_t bs;
	size_t n;

	if (size < 1)
		return 0;
	n = data[0] % (SCSI_CDB_MAX + 1);
	if (n > size - 1)
		n = size - 1;
	sb_init(&sb);
	scsi_cdb_decode(data + 1, n, &ci);
	scsi_data_describe(&sb, &ci, data + 1 + n, size - 1 - n, "  ");
	scsi_inquiry_parse(data + 1 + n, size - 1 - n, &id);
	scsi_read_capacity10_parse(data + 1 + n, size - 1 - n, &lba, &bs);
	scsi_read_capacity16_parse(data + 1 + n, size - 1 - n, &lba, &bs);
	sb_release(&sb);
	return 0;
}
