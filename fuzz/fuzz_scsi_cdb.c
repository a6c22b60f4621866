/* fuzz_scsi_cdb.c - libFuzzer target: any bytes as a CDB through the SCSI decoder: fields, summary, every field described, bytes expected. */
#include "decode/scsi.h"
#include "fuzz/fuzz.h"

FUZZ_ENTRY(scsi_cdb)
{
	struct strbuf sb = STRBUF_INIT;
	struct cdb_info ci;
	size_t n = size > SCSI_CDB_MAX ? SCSI_CDB_MAX : size;

	sb_init(&sb);
	scsi_cdb_decode(data, n, &ci);
	scsi_cdb_summary(&sb, &ci);
	scsi_cdb_describe(&sb, data, n, "  ");
	scsi_cdb_expected_bytes(&ci, 0);
	scsi_cdb_expected_bytes(&ci, 512);
	scsi_cdb_expected_bytes(&ci, 0xffffffffu);
	sb_release(&sb);
	return 0;
}
