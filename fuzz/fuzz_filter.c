/* fuzz_filter.c - libFuzzer target: any text as a filter expression: compiled, and when it compiles matched against a SCSI command, a control request and a USB event. */
#include <stdlib.h>
#include <string.h>

#include "analyze/filter.h"
#include "fuzz/fuzz.h"

/* A failed READ(10) with sense and a finding, a GET_DESCRIPTOR, a stall. */
static void sample_txns(struct txn t[3], struct finding *f, uint64_t frames[3])
{
	static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0x08, 0, 0, 0, 8, 0 };
	static const uint8_t setup[8] = { 0x80, 0x06, 0x00, 0x01, 0, 0, 18, 0 };
	struct scsi_txn *s = &t[0].u.scsi;

	memset(t, 0, 3 * sizeof(t[0]));
	memset(f, 0, sizeof(*f));
	f->id = "check-condition";
	f->severity = SEV_WARNING;
	frames[0] = 5, frames[1] = 7, frames[2] = 9;
	t[0].kind = TXN_SCSI;
	s->frame = 5;
	s->last_frame = 9;
	s->ts_start = 1000000;
	s->ts_end = 3500000;
	s->bus = 1;
	s->device = 2;
	s->transport = TRANSPORT_BOT;
	s->lun = 1;
	s->tag = 0x1234;
	memcpy(s->cdb, read10, sizeof(read10));
	s->cdb_len = 10;
	s->direction = SCSI_DIR_IN;
	s->expected_bytes = 4096;
	s->data.bytes = 512;
	s->status = 2;
	s->csw_status = 1;
	s->uas_response = -1;
	s->sense.source = SENSE_AUTOSENSE;
	s->sense.key = 3;
	s->sense.asc = 0x11;
	s->block_size = 512;
	s->frames = frames;
	s->nframes = 3;
	s->findings = f;
	s->nfindings = 1;
	t[1].kind = TXN_CONTROL;
	t[1].u.ctl.frame = 1;
	t[1].u.ctl.has_setup = true;
	memcpy(t[1].u.ctl.setup, setup, 8);
	t[1].u.ctl.completed = true;
	t[1].u.ctl.frames = frames;
	t[1].u.ctl.nframes = 2;
	t[2].kind = TXN_USB;
	t[2].u.note.kind = USB_NOTE_ERROR;
	t[2].u.note.frame = 11;
	t[2].u.note.status = -32;
	t[2].u.note.endpoint = 0x81;
	t[2].u.note.xfer = USB_XFER_BULK;
}

FUZZ_ENTRY(filter)
{
	struct filter *flt;
	struct error err;
	struct txn t[3];
	struct finding f;
	uint64_t frames[3];
	char *expr = malloc(size + 1);

	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (filter_compile(expr, &flt, &err) == 0) {
		sample_txns(t, &f, frames);
		for (unsigned i = 0; i < 3; i++)
			filter_match(flt, &t[i], 0);
		filter_free(flt);
	}
	free(expr);
	return 0;
}
