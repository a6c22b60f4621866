/* fuzz_replay_script.c - libFuzzer target: any bytes as a replay script: parsed, and when it parses, written and parsed again to the same text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "replay/script.h"

FUZZ_ENTRY(replay_script)
{
	struct rs_script a, b;
	struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT;
	char err[256];

	if (rs_parse((const char *)data, size, "fuzz.seq", &a, err, sizeof(err)) < 0) {
		if (!strstr(err, "fuzz.seq:"))
			abort();      /* every error names the script, line and column */
		return 0;
	}
	sb_init(&t1);
	sb_init(&t2);
	rs_write(&t1, &a, NULL, NULL, NULL);
	/* what the writer writes, the parser reads back to the same script */
	if (rs_parse(t1.buf, t1.len, "fuzz.seq", &b, err, sizeof(err)) < 0)
		abort();
	rs_write(&t2, &b, NULL, NULL, NULL);
	if (t1.len != t2.len || memcmp(t1.buf, t2.buf, t1.len) != 0 || a.nsteps != b.nsteps)
		abort();
	rs_free(&a);
	rs_free(&b);
	sb_release(&t1);
	sb_release(&t2);
	return 0;
}
