/* fuzz_sense.c - libFuzzer target: any bytes as sense data (fixed or descriptor format) through the sense parser and its renderers. */
#include "decode/scsi.h"
#include "fuzz/fuzz.h"

FUZZ_ENTRY(sense)
{
	struct strbuf sb = STRBUF_INIT;
	struct sense_info si;
	char text[128];

	sb_init(&sb);
	if (scsi_sense_parse(data, size, &si)) {
		scsi_sense_summary(&sb, si.key, si.asc, si.ascq);
		scsi_asc_text(si.asc, si.ascq, text, sizeof(text));
		scsi_sense_key_name(si.key);
	}
	scsi_sense_describe(&sb, data, size, "  ");
	sb_release(&sb);
	return 0;
}
