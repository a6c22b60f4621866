/* fuzz_diff.c - libFuzzer target: scsiscope diff: two captures cut from the input normalized, aligned and reported (text and JSON), or the alignment alone on key sequences, checked for consistency. */
#include <stdlib.h>

#include "analyze/diff.h"
#include "fuzz/fuzz.h"

/*
 * Byte 0 chooses the mode, bytes 1-4 (little endian, modulo the length of
 * the rest) where the rest splits in two.  Odd: the alignment alone; the
 * two parts are sequences of keys (one byte each, 16 values, so that many
 * repeat); whatever the alignment marks, the items
 * it leaves unmarked must be the same keys in the same order on both sides
 * (a common subsequence), else the target aborts.  Even: the two parts are
 * captures, diffed as `scsiscope diff` does (seeds: fuzz/seeds/diff).
 */

static void align(const uint8_t *p, size_t n, size_t split)
{
	uint64_t *a = malloc((split + 1) * sizeof(*a)), *b = malloc((n - split + 1) * sizeof(*b));
	uint8_t *ca = calloc(split + 1, 1), *cb = calloc(n - split + 1, 1);
	bool heuristic = false;

	if (a && b && ca && cb) {
		for (size_t i = 0; i < split; i++)
			a[i] = p[i] & 15;
		for (size_t j = split; j < n; j++)
			b[j - split] = p[j] & 15;
		if (diff_align_keys(a, split, b, n - split, ca, cb, &heuristic) == 0) {
			size_t i = 0, j = 0;
			for (;;) {
				while (i < split && ca[i])
					i++;
				while (j < n - split && cb[j])
					j++;
				if (i == split || j == n - split)
					break;
				if (a[i++] != b[j++])
					abort();      /* unmarked items that differ */
			}
			while (i < split && ca[i])
				i++;
			while (j < n - split && cb[j])
				j++;
			if (i != split || j != n - split)
				abort();              /* one side has unmarked items left over */
		}
	}
	free(a);
	free(b);
	free(ca);
	free(cb);
}

static void captures(const uint8_t *p, size_t n, size_t split)
{
	struct diff_seq a, b;
	struct diff_opts o;
	struct diff_stats st;
	struct error err;
	struct cap *ca = NULL, *cb = NULL;
	FILE *out = fopen("/dev/null", "w");

	if (!out)
		return;
	if (diff_seq_init(&a, "a", 0) == 0) {
		if (diff_seq_init(&b, "b", 0) == 0) {
			if (cap_open_mem(p, split, "a", &ca, &err) == 0)
				diff_seq_load(&a, ca, NULL, true, &err);
			if (cap_open_mem(p + split, n - split, "b", &cb, &err) == 0)
				diff_seq_load(&b, cb, NULL, true, &err);
			diff_opts_default(&o);
			o.data = true;
			o.timing_pct = 10;
			diff_run(&a, &b, &o, out, &st);
			o.json = true;
			diff_run(&a, &b, &o, out, &st);
			if (cb)
				cap_close(cb);
			if (ca)
				cap_close(ca);
			diff_seq_free(&b);
		}
		diff_seq_free(&a);
	}
	fclose(out);
}

FUZZ_ENTRY(diff)
{
	size_t n, split;

	if (size < 5)
		return 0;
	n = size - 5;
	split = (size_t)((uint32_t)(data[1] | data[2] << 8 | data[3] << 16 | (uint32_t)data[4] << 24) % (n + 1));
	if (data[0] & 1)
		align(data + 5, n, split);
	else
		captures(data + 5, n, split);
	return 0;
}
