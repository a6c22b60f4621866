/* fuzz_capture.c - libFuzzer target: any bytes through format detection, every reader and the events renderers. */
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "report/events.h"

/*
 * Build (until `make fuzz` exists, issue 5):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild \
 *     fuzz/fuzz_capture.c libscsiscope.a -lpcap -lz -o fuzz_capture
 * against a library built with the same sanitizers (configure
 * --enable-sanitizers CC=clang).  Seeds: ../shared/captures and samples/.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap *c;
	struct cap_record r;
	struct error err;
	struct strbuf sb = STRBUF_INIT;
	struct events_opts o = { 0, 64 };
	struct events_totals t = { 0 };
	int n = 0;

	if (cap_open_mem(data, size, "fuzz", &c, &err) < 0)
		return 0;
	sb_init(&sb);
	while (cap_next(c, &r, &err) > 0) {
		events_count(&t, &r);
		sb_reset(&sb);
		events_render_text(&sb, &r, &o);
		events_render_json(&sb, &r, &o);
		if (++n > 100000)
			break;
	}
	sb_reset(&sb);
	events_render_totals(&sb, &t, cap_frames_seen(c), cap_frames_skipped(c), cap_get_info(c), "fuzz", true);
	sb_release(&sb);
	cap_close(c);
	return 0;
}
