/* live.c - `scsiscope tui -i`: a thread captures usbmon into a pcapng flushed every tick, and the passes that follow the file share a numbering through it. */
#include "config.h"
#include "tui/live.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/devfilter.h"
#include "capture/ring.h"

#define LOG_CHUNK_SHIFT 12
#define LOG_CHUNK (1u << LOG_CHUNK_SHIFT)
#define LOG_CHUNKS (TUI_LIVE_LOG_MAX >> LOG_CHUNK_SHIFT)

struct log_entry {
	uint64_t pos;
	int64_t before;
};

struct tui_live {
	char path[PATH_MAX];
	char iface[256];
	bool temp;
	struct tui_live_opts o;
	struct cap_live *cap;
	struct ring *ring;
	struct devfilter *df;     /* --device VID:PID, or NULL */
	bool write_failed;        /* a write of the devfilter's emit failed: werr */
	struct error werr;
	pthread_t thread;
	bool started;
	bool joined;
	atomic_bool stop;

	pthread_mutex_t lock;     /* flushed, status */
	struct tui_live_flushed fl;
	struct tui_live_status st;

	atomic_uint_fast64_t lead_records;
	atomic_bool lead_done;
	struct log_entry *log[LOG_CHUNKS];   /* chunks never move */
	atomic_uint_fast64_t nlog;
};

/* The temporary file, for the fatal-signal handler (one live capture a process). */
static char temp_path[PATH_MAX];
static volatile sig_atomic_t temp_set;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct tui_live *live_alloc(const char *iface)
{
	struct tui_live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	snprintf(l->iface, sizeof(l->iface), "%s", iface ? iface : "");
	pthread_mutex_init(&l->lock, NULL);
	error_clear(&l->st.err);
	return l;
}

/* ------------------------------------------------------------ capture */

static void publish_locked(struct tui_live *l, int64_t now_ns)
{
	l->fl.records = ring_packets(l->ring);
	l->fl.bytes = ring_bytes(l->ring);
	l->fl.now_ns = now_ns;
	l->st.packets = l->fl.records;
	l->st.bytes = l->fl.bytes;
}

/* The devfilter's output: what it keeps goes to the file. */
static void emit_kept(void *ctx, const struct cap_live_pkt *pkt, uint64_t drops)
{
	struct tui_live *l = ctx;

	if (!l->write_failed && ring_write(l->ring, pkt, drops, &l->werr) < 0)
		l->write_failed = true;
}

static void *capture_thread(void *arg)
{
	struct tui_live *l = arg;
	int64_t start = mono_ns(), last_flush = start, last_ts = 0, last_ts_at = start;
	unsigned since = 0;
	enum tui_live_state why = TUI_LIVE_STOPPED;
	struct cap_live_stats cs;
	struct error err;

	error_clear(&err);
	for (;;) {
		struct cap_record r;
		struct cap_live_pkt raw;
		bool ended = false;
		int64_t now;
		int rc;

		if (atomic_load(&l->stop)) {
			why = TUI_LIVE_STOPPED;
			break;
		}
		if (l->o.count && ring_packets(l->ring) >= l->o.count) {
			why = TUI_LIVE_COUNT;
			break;
		}
		if (l->o.duration_ns && mono_ns() - start >= l->o.duration_ns) {
			why = TUI_LIVE_DURATION;
			break;
		}
		rc = cap_live_next(l->cap, since >= 256 ? 0 : 50, &r, &raw, &ended, &err);
		if (rc < 0) {
			why = TUI_LIVE_FAILED;
			break;
		}
		if (rc > 0) {
			if (l->df) {
				if (r.kind == CAP_REC_USB)
					devfilter_feed(l->df, &r.u.usb, &raw, emit_kept, l);
				if (l->write_failed) {
					err = l->werr;
					why = TUI_LIVE_FAILED;
					break;
				}
			} else if (ring_write(l->ring, &raw, r.kind == CAP_REC_USB ? r.u.usb.drops : 0, &err) < 0) {
				why = TUI_LIVE_FAILED;
				break;
			}
			last_ts = raw.ts_ns;
			last_ts_at = mono_ns();
			since++;
		}
		now = mono_ns();
		if (rc == 0 || since >= 256 || now - last_flush >= TUI_LIVE_TICK_MS * 1000000LL) {
			/* everything read so far is in the file: the capture's clock
			 * (the last packet's time plus the time since) is complete */
			if (ring_flush(l->ring, &err) < 0) {
				why = TUI_LIVE_FAILED;
				break;
			}
			cap_live_stats(l->cap, &cs);
			pthread_mutex_lock(&l->lock);
			publish_locked(l, last_ts + (now - last_ts_at));
			l->st.drops = cs.drops;
			pthread_mutex_unlock(&l->lock);
			since = 0;
			last_flush = now;
		}
		if (rc == 0 && ended) {
			why = TUI_LIVE_ENDED;
			break;
		}
	}
	/* What is whole in the file stays announced; a write that failed may
	 * have left part of a record after it, which nobody reads. */
	cap_live_stats(l->cap, &cs);
	if (why != TUI_LIVE_FAILED && ring_flush(l->ring, &err) < 0)
		why = TUI_LIVE_FAILED;
	pthread_mutex_lock(&l->lock);
	if (why != TUI_LIVE_FAILED)
		publish_locked(l, last_ts + (mono_ns() - last_ts_at));
	l->st.drops = cs.drops;
	pthread_mutex_unlock(&l->lock);
	{
		struct error cerr;
		if (ring_close(l->ring, cs.drops, &cerr) < 0 && why != TUI_LIVE_FAILED) {
			why = TUI_LIVE_FAILED;
			err = cerr;
		}
	}
	l->ring = NULL;
	pthread_mutex_lock(&l->lock);
	l->st.state = why;
	if (why == TUI_LIVE_FAILED)
		l->st.err = err;
	l->fl.ended = true;
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct tui_live *tui_live_start(struct cap_live *cap, const struct tui_live_opts *o, struct error *err)
{
	struct tui_live *l = live_alloc(o->iface);
	struct ring_opts ro;

	error_clear(err);
	if (!l) {
		cap_live_close(cap);
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		return NULL;
	}
	l->o = *o;
	l->cap = cap;
	if (o->follow_device && !(l->df = devfilter_new(o->vid, o->pid, getenv("SCSISCOPE_SYSROOT")))) {
		error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
		tui_live_free(l);
		return NULL;
	}
	if (o->write_path) {
		snprintf(l->path, sizeof(l->path), "%s", o->write_path);
	} else {
		const char *dir = getenv("TMPDIR");
		int fd;
		snprintf(l->path, sizeof(l->path), "%s/scsiscope-live-XXXXXX.pcapng", dir && *dir ? dir : "/tmp");
		if ((fd = mkstemps(l->path, 7)) < 0) {
			error_set(err, 0, ERROR_NO_OFFSET, "cannot create a temporary file for the capture: %s (set TMPDIR, or -w FILE)",
				  strerror(errno));
			error_set_file(err, l->path);
			tui_live_free(l);
			return NULL;
		}
		close(fd);
		l->temp = true;
		snprintf(temp_path, sizeof(temp_path), "%s", l->path);
		temp_set = 1;
	}
	memset(&ro, 0, sizeof(ro));
	ro.path = l->path;
	ro.linktype = cap_live_linktype(cap);
	ro.snaplen = cap_live_snaplen(cap);
	ro.if_name = strncmp(o->iface, "file:", 5) ? o->iface : NULL;
	if (ring_open(&ro, &l->ring, err) < 0 || ring_flush(l->ring, err) < 0) {
		tui_live_free(l);
		return NULL;
	}
	l->fl.bytes = ring_bytes(l->ring);
	if (pthread_create(&l->thread, NULL, capture_thread, l) != 0) {
		error_set(err, 0, ERROR_NO_OFFSET, "cannot start the capture thread");
		tui_live_free(l);
		return NULL;
	}
	l->started = true;
	return l;
}

struct tui_live *tui_live_external(const char *path, const char *iface)
{
	struct tui_live *l = live_alloc(iface);

	if (l)
		snprintf(l->path, sizeof(l->path), "%s", path);
	return l;
}

void tui_live_publish(struct tui_live *l, uint64_t records, uint64_t bytes, int64_t now_ns)
{
	pthread_mutex_lock(&l->lock);
	l->fl.records = l->st.packets = records;
	l->fl.bytes = l->st.bytes = bytes;
	l->fl.now_ns = now_ns;
	pthread_mutex_unlock(&l->lock);
}

void tui_live_end(struct tui_live *l)
{
	pthread_mutex_lock(&l->lock);
	l->fl.ended = true;
	l->st.state = TUI_LIVE_ENDED;
	pthread_mutex_unlock(&l->lock);
}

const char *tui_live_path(const struct tui_live *l) { return l->path; }
const char *tui_live_iface(const struct tui_live *l) { return l->iface; }
bool tui_live_is_temp(const struct tui_live *l) { return l->temp; }

void tui_live_stop(struct tui_live *l)
{
	atomic_store(&l->stop, true);
}

void tui_live_wait(struct tui_live *l)
{
	if (l->started && !l->joined) {
		pthread_join(l->thread, NULL);
		l->joined = true;
	}
}

void tui_live_status(struct tui_live *l, struct tui_live_status *st)
{
	pthread_mutex_lock(&l->lock);
	*st = l->st;
	pthread_mutex_unlock(&l->lock);
}

void tui_live_free(struct tui_live *l)
{
	if (!l)
		return;
	if (l->started) {
		atomic_store(&l->stop, true);
		tui_live_wait(l);
	} else if (l->ring) {
		struct error e;
		ring_close(l->ring, 0, &e);
	}
	cap_live_close(l->cap);
	devfilter_free(l->df);
	if (l->temp) {
		temp_set = 0;
		unlink(l->path);
	}
	for (unsigned i = 0; i < LOG_CHUNKS; i++)
		free(l->log[i]);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void tui_live_remove_temp_now(void)
{
	if (temp_set)
		unlink(temp_path);
}

/* ------------------------------------------------------------ passes */

void tui_live_flushed(struct tui_live *l, struct tui_live_flushed *f)
{
	pthread_mutex_lock(&l->lock);
	*f = l->fl;
	pthread_mutex_unlock(&l->lock);
}

void tui_live_lead(struct tui_live *l, uint64_t records)
{
	atomic_store_explicit(&l->lead_records, records, memory_order_release);
}

void tui_live_lead_done(struct tui_live *l)
{
	atomic_store_explicit(&l->lead_done, true, memory_order_release);
}

bool tui_live_log(struct tui_live *l, uint64_t pos, int64_t before_ns)
{
	uint64_t n = atomic_load_explicit(&l->nlog, memory_order_relaxed);
	struct log_entry *c;

	if (n >= TUI_LIVE_LOG_MAX)
		return false;
	c = l->log[n >> LOG_CHUNK_SHIFT];
	if (!c && !(c = l->log[n >> LOG_CHUNK_SHIFT] = malloc(LOG_CHUNK * sizeof(*c))))
		return false;
	c[n & (LOG_CHUNK - 1)].pos = pos;
	c[n & (LOG_CHUNK - 1)].before = before_ns;
	atomic_store_explicit(&l->nlog, n + 1, memory_order_release);
	return true;
}

void tui_live_leader(struct tui_live *l, uint64_t *records, bool *done)
{
	*done = atomic_load_explicit(&l->lead_done, memory_order_acquire);
	*records = atomic_load_explicit(&l->lead_records, memory_order_acquire);
}

uint64_t tui_live_log_count(struct tui_live *l)
{
	return atomic_load_explicit(&l->nlog, memory_order_acquire);
}

void tui_live_log_at(struct tui_live *l, uint64_t i, uint64_t *pos, int64_t *before_ns)
{
	const struct log_entry *e = &l->log[i >> LOG_CHUNK_SHIFT][i & (LOG_CHUNK - 1)];

	*pos = e->pos;
	*before_ns = e->before;
}
