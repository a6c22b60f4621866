/* match.c - a thread that decodes the capture again and marks the transactions a filter matches. */
#include "config.h"
#include "tui/match.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "tui/index.h"
#include "tui/pass.h"

#define BITS_CHUNK_SHIFT 23       /* transactions per chunk of bits (1 MiB) */
#define BITS_CHUNK (1ull << BITS_CHUNK_SHIFT)
#define BITS_CHUNKS (TUI_ROWS_MAX >> BITS_CHUNK_SHIFT)

struct tui_match {
	struct filter *f;
	struct pass *pass;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	atomic_bool done;
	uint8_t *bits[BITS_CHUNKS];
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t hits;
};

static void on_txn(void *ctx, uint64_t seq, const struct txn *t)
{
	struct tui_match *m = ctx;
	uint64_t c = seq >> BITS_CHUNK_SHIFT;

	if (seq >= TUI_ROWS_MAX)
		return;
	if (!m->bits[c] && !(m->bits[c] = calloc(BITS_CHUNK / 8, 1)))
		return;
	if (filter_match(m->f, t, pass_t0(m->pass))) {
		m->bits[c][(seq & (BITS_CHUNK - 1)) >> 3] |= (uint8_t)(1u << (seq & 7));
		atomic_fetch_add_explicit(&m->hits, 1, memory_order_relaxed);
	}
	atomic_store_explicit(&m->count, seq + 1, memory_order_release);
}

static void *match_thread(void *arg)
{
	struct tui_match *m = arg;
	int rc = 1;

	while (rc > 0 && !atomic_load_explicit(&m->stop, memory_order_relaxed)) {
		rc = pass_step(m->pass, 256, NULL);
		if (rc == PASS_WAITING) {
			/* live: as far as the index */
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	atomic_store_explicit(&m->done, true, memory_order_release);
	return NULL;
}

static struct tui_match *match_start(const char *path, struct tui_live *live, struct filter *f, struct error *err)
{
	struct tui_match *m = calloc(1, sizeof(*m));

	if (!m) {
		filter_free(f);
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		return NULL;
	}
	m->f = f;
	if (!(m->pass = live ? pass_open_live(live, false, on_txn, NULL, m, err) : pass_open(path, on_txn, NULL, m, err))) {
		tui_match_free(m);
		return NULL;
	}
	if (pthread_create(&m->thread, NULL, match_thread, m) != 0) {
		tui_match_free(m);
		error_set(err, 0, ERROR_NO_OFFSET, "cannot start the filter thread");
		return NULL;
	}
	m->started = true;
	return m;
}

struct tui_match *tui_match_start(const char *path, struct filter *f, struct error *err)
{
	return match_start(path, NULL, f, err);
}

struct tui_match *tui_match_start_live(struct tui_live *live, struct filter *f, struct error *err)
{
	return match_start(NULL, live, f, err);
}

void tui_match_free(struct tui_match *m)
{
	if (!m)
		return;
	if (m->started) {
		atomic_store(&m->stop, true);
		pthread_join(m->thread, NULL);
	}
	pass_close(m->pass);
	filter_free(m->f);
	for (unsigned i = 0; i < BITS_CHUNKS; i++)
		free(m->bits[i]);
	free(m);
}

uint64_t tui_match_count(const struct tui_match *m)
{
	return atomic_load_explicit(&((struct tui_match *)m)->count, memory_order_acquire);
}

bool tui_match_get(const struct tui_match *m, uint64_t seq)
{
	const uint8_t *b = m->bits[seq >> BITS_CHUNK_SHIFT];

	return b && (b[(seq & (BITS_CHUNK - 1)) >> 3] >> (seq & 7) & 1);
}

bool tui_match_done(const struct tui_match *m)
{
	return atomic_load_explicit(&((struct tui_match *)m)->done, memory_order_acquire);
}

uint64_t tui_match_hits(const struct tui_match *m)
{
	return atomic_load_explicit(&((struct tui_match *)m)->hits, memory_order_relaxed);
}
