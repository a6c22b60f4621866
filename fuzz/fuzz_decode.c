/* fuzz_decode.c - libFuzzer target: any bytes through a reader, the whole decode pipeline and every transaction renderer. */
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "report/txn_render.h"

/*
 * Build as fuzz_capture.c says (same flags, same library).  Seeds:
 * samples/ and the storage captures of ../shared/captures.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_txn(void *ctx, const struct txn *t)
{
	struct strbuf *sb = ctx;
	struct render_opts o = { 0 };

	sb_reset(sb);
	render_txn_verbose(sb, t, &o);
	render_txn_json(sb, t, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder_opts dopts = { .notes = true, .other_traffic = true };
	struct strbuf sb = STRBUF_INIT;
	struct decoder *dec;
	struct cap *c;
	struct cap_record r;
	struct error err;
	int n = 0;

	if (cap_open_mem(data, size, "fuzz", &c, &err) < 0)
		return 0;
	sb_init(&sb);
	dec = decoder_new(&dopts, on_txn, &sb);
	while (dec && cap_next(c, &r, &err) > 0 && ++n < 200000)
		if (r.kind == CAP_REC_USB)
			decoder_feed(dec, &r.u.usb);
	if (dec) {
		decoder_finish(dec);
		decoder_free(dec);
	}
	sb_release(&sb);
	cap_close(c);
	return 0;
}
