/* check_data.c - the data family of lint checks: writes left in a volatile cache, and SYNCHRONIZE CACHE that fails, is unsupported or is implausibly fast. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/hash.h"

#include "analyze/lint_family.h"
#include "decode/scsi.h"
#include "util/bytes.h"
#include "util/tsmath.h"

/*
 * Per device and LUN this family remembers:
 *  - the write cache state from the caching mode page (SBC-3 6.4.5, page
 *    08h, byte 2 bit 2 WCE), as returned by MODE SENSE(6/10) with PC=00b
 *    (current values; changeable/default/saved values say nothing about
 *    the cache now) or sent by a successful MODE SELECT(6/10).  The page
 *    follows the mode parameter header (SPC-4 7.5.5: 4 bytes for the (6)
 *    commands, block descriptor length in byte 3; 8 bytes for the (10)
 *    commands, block descriptor length in bytes 6-7) and the block
 *    descriptors; pages are walked (page_0 format: length in byte 1;
 *    sub_page format, SPF bit 6 of byte 0: length in bytes 2-3).
 *  - the LBA ranges written with FUA=0 and GOOD status since the last
 *    successful SYNCHRONIZE CACHE: WRITE(6/10/12/16), WRITE SAME(10/16)
 *    and UNMAP (its block descriptors, SBC-3 5.28, from the captured
 *    parameter data).  WRITE AND VERIFY(10/12/16) is NOT counted: SBC-3
 *    5.36-5.38 has it write the data to the medium and verify it there,
 *    so it does not leave data only in the cache.
 * Checks:
 *  - unflushed-writes: a non-empty set of unflushed writes meets a START
 *    STOP UNIT with START=0 or LOEJ=1 (stop, eject), a PREVENT ALLOW
 *    MEDIUM REMOVAL that allows removal, a reset (a transaction ended by a
 *    reset, or the Bulk-Only Mass Storage Reset class request 21h/FFh,
 *    BOT 3.1), the device gone (a transaction ended by the disconnect, or
 *    a device-gone USB note), or the end of the capture (report).  Error
 *    when the caching page said WCE=1, warning when the capture never
 *    showed it, silent when WCE=0.  The set is then forgotten (one finding
 *    per set at risk).  Stop, eject and allow-removal count only when the
 *    command ended with GOOD status (a rejected eject leaves the medium in).
 *  - sync-cache-failed: SYNCHRONIZE CACHE(10/16) ending with a status other
 *    than GOOD (UNIT ATTENTION excepted: the command was not executed and
 *    is retried; 05/20/00 has its own id).  The writes stay unflushed.
 *  - sync-cache-unsupported: SYNCHRONIZE CACHE answered 05/20/00 while
 *    WCE=1 (error) or the cache state is unknown (warning).
 *  - sync-cache-suspicious: a GOOD SYNCHRONIZE CACHE after at least
 *    lint_opts.sync_min_bytes of unflushed writes (block size known, WCE
 *    not 0) that took less than lint_opts.sync_fast_us from CBW/Command IU
 *    to status.
 *  - data-mismatch: READ(6/10/12/16) with GOOD status returning, for an LBA
 *    an earlier WRITE(6/10/12/16) or WRITE AND VERIFY of this capture wrote,
 *    different bytes.  Only transfers captured in full and of at most
 *    PAYLOAD_HEAD_MAX bytes (the decoder keeps that much of a payload) with
 *    the block size known are compared, block by block, as XXH3-64 hashes.
 *    Any other write to an LBA (too large, not captured, failed, WRITE SAME,
 *    UNMAP, COMPARE AND WRITE, ...) makes what was remembered for it
 *    unknown.  One finding per READ: the first differing LBA, the write,
 *    and whether the read returned zeros.
 * SYNCHRONIZE CACHE with LBA 0 and NUMBER OF LOGICAL BLOCKS 0 flushes
 * everything (SBC-3 5.22: 0 blocks = through the last LBA); with a range
 * it flushes only the remembered ranges inside it (ranges past the list
 * bound, counted only, are kept until a full flush).
 *
 * Memory: a fixed state block: DATA_LUNS_MAX device+LUN pairs (others are
 * not tracked), each with at most DATA_RANGES_MAX merged LBA ranges; writes
 * that fit no range are only counted (blocks, number of ranges).  Plus, once
 * a comparable write is seen, a table of DATA_CHUNKS_MAX (8,192) chunks of
 * CHUNK_BLOCKS (8) consecutive written blocks, 152 bytes each (1.2 MB), 4-way
 * set-associative: a chunk written to replaces the least recently written
 * of its set of 4, so the oldest writes are forgotten first.  A chunk per 8
 * blocks, not an entry per block, keeps the work per command to one or two
 * lookups for a 4 KiB transfer and one per 8 blocks for a write that only
 * makes blocks unknown; a write so large it would visit more chunks than
 * the table holds makes everything remembered for its LUN unknown at once
 * (forget_seq), without visiting anything.
 */

#define CHUNK_SHIFT 3
#define CHUNK_BLOCKS (1u << CHUNK_SHIFT)
#define DATA_CHUNKS_MAX 8192
#define DATA_WAYS 4

#define DATA_LUNS_MAX 32
#define DATA_RANGES_MAX 16

struct range {
	uint64_t lba;
	uint64_t blocks;
	uint64_t writes;               /* writes merged into it */
	uint64_t first, last;          /* frames of its first and last write */
};

struct data_lun {
	bool used;
	uint16_t bus, device;
	uint64_t lun;
	int8_t wce;                    /* -1 unknown, 0, 1 */
	uint32_t block_size;           /* the last known, 0 unknown */
	struct range r[DATA_RANGES_MAX];
	unsigned nr;
	struct range over;             /* writes that fit no range: blocks, writes and frames summed up */
	uint64_t over_ranges;          /* how many ranges they were */
};

/* CHUNK_BLOCKS consecutive blocks of one LUN remembered for data-mismatch. */
struct wchunk {
	uint64_t chunk;                /* lba >> CHUNK_SHIFT */
	uint64_t seq;                  /* 0 = free; when last written (st->seq) */
	uint8_t lun;                   /* index in luns[] */
	uint8_t valid;                 /* bit i: block i remembered */
	uint8_t zero;                  /* bit i: block i was written all zeros */
	uint64_t hash[CHUNK_BLOCKS];   /* XXH3-64 of each block */
	uint64_t frame[CHUNK_BLOCKS];  /* the write of each block */
};

struct data_state {
	struct data_lun luns[DATA_LUNS_MAX];
	uint64_t forget_seq[DATA_LUNS_MAX];   /* chunks written before this are unknown */
	struct wchunk *chunks;         /* DATA_CHUNKS_MAX, allocated on first use */
	uint64_t seq;
};

static struct data_lun *lun_of(struct data_state *st, uint16_t bus, uint16_t device, uint64_t lun)
{
	for (unsigned i = 0; i < DATA_LUNS_MAX; i++) {
		struct data_lun *d = &st->luns[i];
		if (!d->used) {
			memset(d, 0, sizeof(*d));
			d->used = true;
			d->bus = bus;
			d->device = device;
			d->lun = lun;
			d->wce = -1;
			return d;
		}
		if (d->bus == bus && d->device == device && d->lun == lun)
			return d;
	}
	return NULL;
}

static bool pending(const struct data_lun *d)
{
	return d->nr || d->over_ranges;
}

static void forget_writes(struct data_lun *d)
{
	d->nr = 0;
	d->over_ranges = 0;
	memset(&d->over, 0, sizeof(d->over));
}

static void merge_frames(struct range *into, const struct range *r)
{
	if (!into->writes || r->first < into->first)
		into->first = r->first;
	if (!into->writes || r->last > into->last)
		into->last = r->last;
	into->writes += r->writes;
}

/* The whole set summed up: blocks, writes, first and last frame. */
static struct range total(const struct data_lun *d)
{
	struct range t = { 0, d->over.blocks, 0, 0, 0 };

	if (d->over.writes)
		merge_frames(&t, &d->over);
	for (unsigned i = 0; i < d->nr; i++) {
		t.blocks += d->r[i].blocks;
		merge_frames(&t, &d->r[i]);
	}
	return t;
}


/* Add [lba, lba+blocks) to the sorted, merged list. */
static void add_range(struct data_lun *d, uint64_t lba, uint64_t blocks, uint64_t frame)
{
	struct range w = { lba, blocks, 1, frame, frame };
	uint64_t end;
	unsigned i, j;

	if (!blocks)
		return;
	if (lba > UINT64_MAX - blocks)
		w.blocks = blocks = UINT64_MAX - lba;
	end = lba + blocks;
	/* first range ending at or after lba */
	for (i = 0; i < d->nr && d->r[i].lba + d->r[i].blocks < lba; i++)
		;
	if (i < d->nr && d->r[i].lba <= end) {
		/* merge with i and every following range it touches */
		uint64_t nl = d->r[i].lba < lba ? d->r[i].lba : lba;
		uint64_t ne = end;
		for (j = i; j < d->nr && d->r[j].lba <= end; j++) {
			if (d->r[j].lba + d->r[j].blocks > ne)
				ne = d->r[j].lba + d->r[j].blocks;
			if (j > i)
				merge_frames(&d->r[i], &d->r[j]);
		}
		merge_frames(&d->r[i], &w);
		d->r[i].lba = nl;
		d->r[i].blocks = ne - nl;
		memmove(&d->r[i + 1], &d->r[j], (d->nr - j) * sizeof(d->r[0]));
		d->nr -= j - i - 1;
		return;
	}
	if (d->nr == DATA_RANGES_MAX) {
		d->over_ranges++;
		d->over.blocks += blocks;
		merge_frames(&d->over, &w);
		return;
	}
	memmove(&d->r[i + 1], &d->r[i], (d->nr - i) * sizeof(d->r[0]));
	d->r[i] = w;
	d->nr++;
}

/* Remove [lba, end) from the list (a ranged SYNCHRONIZE CACHE). */
static void flush_range(struct data_lun *d, uint64_t lba, uint64_t end)
{
	struct range out[DATA_RANGES_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < d->nr; i++) {
		uint64_t a = d->r[i].lba, b = a + d->r[i].blocks;
		if (b <= lba || a >= end) {
			out[n++] = d->r[i];
			continue;
		}
		if (a < lba) {
			out[n] = d->r[i];
			out[n++].blocks = lba - a;
		}
		if (b > end) {
			struct range tail = d->r[i];
			tail.lba = end;
			tail.blocks = b - end;
			if (n < DATA_RANGES_MAX) {
				out[n++] = tail;
			} else {
				d->over_ranges++;
				d->over.blocks += tail.blocks;
				merge_frames(&d->over, &tail);
			}
		}
	}
	memcpy(d->r, out, n * sizeof(out[0]));
	d->nr = n;
	if (!pending(d))
		forget_writes(d);
}

/* The finding text: ranges first (as many as fit), then the totals. */
static void describe(const struct data_lun *d, const char *prefix, char *buf, size_t size)
{
	char tot[96];
	struct range t = total(d);
	uint64_t blocks = t.blocks;
	size_t len = 0, room;
	unsigned shown = 0;
	int k;

	if (d->block_size)
		snprintf(tot, sizeof(tot), "; %llu bytes in %llu write%s at risk",
			 (unsigned long long)(blocks > UINT64_MAX / d->block_size ? UINT64_MAX : blocks * d->block_size), (unsigned long long)t.writes,
			 t.writes == 1 ? "" : "s");
	else
		snprintf(tot, sizeof(tot), "; %llu blocks (block size unknown) in %llu write%s at risk",
			 (unsigned long long)blocks, (unsigned long long)t.writes, t.writes == 1 ? "" : "s");
	room = size > strlen(tot) + 24 ? size - strlen(tot) - 24 : 0;
	k = snprintf(buf, size, "%sunflushed LBAs", prefix);
	len = k > 0 ? (size_t)k : 0;
	for (unsigned i = 0; i < d->nr; i++) {
		char one[48];
		uint64_t last = d->r[i].lba + d->r[i].blocks - 1;
		int m = snprintf(one, sizeof(one), "%s%llu-%llu", i ? ", " : " ", (unsigned long long)d->r[i].lba,
				 (unsigned long long)last);
		if (m < 0 || len + (size_t)m >= room)
			break;
		memcpy(buf + len, one, (size_t)m + 1);
		len += (size_t)m;
		shown++;
	}
	if (shown < d->nr || d->over_ranges) {
		k = snprintf(buf + len, size - len, " (+%llu more range%s)",
			     (unsigned long long)(d->nr - shown + d->over_ranges),
			     d->nr - shown + d->over_ranges == 1 ? "" : "s");
		if (k > 0)
			len += (size_t)k;
	}
	if (len < size)
		snprintf(buf + len, size - len, "%s", tot);
}

/* Report the set at risk (if the cache state calls for it) and forget it. */
static void at_risk(struct lint *l, struct data_lun *d, struct txn_handle *h, uint64_t frame, const char *why,
		    bool removal_allowed)
{
	char msg[FINDING_MSG_MAX], prefix[FINDING_MSG_MAX];
	uint64_t frames[3];
	unsigned n = 0;
	/* Allowing removal is not removal: a warning (the medium may be pulled
	 * before the cache is flushed); a stop, an eject, a reset, a
	 * disconnect or the end of the capture with the cache on is an error. */
	enum severity sev = d->wce == 1 && !removal_allowed ? SEV_ERROR : SEV_WARNING;
	const char *cache = d->wce == 1 ? "with the write cache on (WCE=1)" : "(cache state unknown)";

	if (!pending(d))
		return;
	if (d->wce != 0) {
		struct range t = total(d);
		if (h)
			snprintf(prefix, sizeof(prefix), "%s %s: ", why, cache);
		else
			snprintf(prefix, sizeof(prefix), "%u:%03u LUN %llu: %s %s: ", d->bus, d->device,
				 (unsigned long long)d->lun, why, cache);
		describe(d, prefix, msg, sizeof(msg));
		frames[n++] = t.first;
		if (t.last != t.first)
			frames[n++] = t.last;
		if (frame)
			frames[n++] = frame;
		if (h)
			txn_attach_finding(h, "unflushed-writes", sev, frames, n, "%s", msg);
		else
			lint_report(l, "unflushed-writes", sev, frames, n, "%s", msg);
	}
	forget_writes(d);
}

static void forget_blocks(struct data_state *st, unsigned lun, uint64_t lba, uint64_t blocks);

/* Every LUN of a device: reset or gone. */
static void device_event(struct lint *l, struct data_state *st, uint16_t bus, uint16_t device, struct txn_handle *h,
			 uint64_t frame, bool gone)
{
	for (unsigned i = 0; i < DATA_LUNS_MAX; i++) {
		struct data_lun *d = &st->luns[i];
		if (!d->used || d->bus != bus || d->device != device)
			continue;
		at_risk(l, d, h, frame, gone ? "device gone" : "reset", false);
		if (gone) {
			d->wce = -1;       /* a device at this address later may be another one */
			forget_blocks(st, i, 0, UINT64_MAX);
		}
	}
}

/* The caching page in MODE SENSE / MODE SELECT parameter data. */
static void mode_data(struct data_lun *d, const uint8_t *p, size_t len, bool ten)
{
	size_t off, bdl;
	uint16_t v16;
	uint8_t v8;

	if (ten) {
		if (!get_be16(p, len, 6, &v16))
			return;
		bdl = v16;
		off = 8;
	} else {
		if (!get_u8(p, len, 3, &v8))
			return;
		bdl = v8;
		off = 4;
	}
	off += bdl;
	while (off + 2 <= len) {
		uint8_t b0 = 0, b1 = 0;
		uint16_t l16 = 0;
		uint8_t code;
		bool spf;
		size_t plen, hdr;

		if (!get_u8(p, len, off, &b0) || !get_u8(p, len, off + 1, &b1))
			return;
		code = b0 & 0x3f;
		spf = b0 & 0x40;
		if (spf) {
			if (!get_be16(p, len, off + 2, &l16))
				return;
			plen = l16;
			hdr = 4;
		} else {
			plen = b1;
			hdr = 2;
		}
		if (code == 0x08 && !spf && plen >= 1) {
			uint8_t b2;
			if (get_u8(p, len, off + 2, &b2))
				d->wce = (b2 & 0x04) ? 1 : 0;
			return;
		}
		if (code == 0 && plen == 0)
			return;            /* padding */
		off += hdr + plen;
	}
}

static uint64_t get_sense_triple(const struct scsi_txn *s)
{
	if (s->sense.source == SENSE_NONE)
		return UINT64_MAX;
	return ((uint64_t)s->sense.key << 16) | ((uint64_t)s->sense.asc << 8) | s->sense.ascq;
}

/* UNMAP parameter list (SBC-3 5.28.2): 8-byte header, then 16-byte block
 * descriptors (LBA 8 bytes, number of blocks 4 bytes); the block
 * descriptor data length is in bytes 2-3.  Only the captured head. */
static void unmap_ranges(struct data_lun *d, const struct scsi_txn *s)
{
	const uint8_t *p = s->data.head;
	size_t len = s->data.head_len;
	uint16_t bddl;

	if (!p || !get_be16(p, len, 2, &bddl))
		return;
	for (size_t off = 8; off + 16 <= len && off + 16 <= 8 + (size_t)bddl; off += 16) {
		uint64_t lba;
		uint32_t n;
		if (!get_be64(p, len, off, &lba) || !get_be32(p, len, off + 8, &n))
			return;
		add_range(d, lba, n, s->frame);
	}
}

/* ------------------------------------------------------------ data-mismatch */

/* The chunk of lba on lun; NULL when not remembered and !create (then
 * also when the table is not allocated). */
static struct wchunk *chunk_get(struct data_state *st, unsigned lun, uint64_t lba, bool create)
{
	uint64_t c = lba >> CHUNK_SHIFT;
	uint64_t k[2] = { c, lun };
	struct wchunk *set, *victim;

	if (!st->chunks) {
		if (!create || !(st->chunks = calloc(DATA_CHUNKS_MAX, sizeof(st->chunks[0]))))
			return NULL;
	}
	set = &st->chunks[(XXH3_64bits(k, sizeof(k)) & (DATA_CHUNKS_MAX / DATA_WAYS - 1)) * DATA_WAYS];
	for (unsigned w = 0; w < DATA_WAYS; w++) {
		struct wchunk *e = &set[w];
		if (!e->seq || e->lun != lun || e->chunk != c)
			continue;
		if (e->seq <= st->forget_seq[lun])
			e->valid = 0;                  /* a huge write made it unknown */
		return e;
	}
	if (!create)
		return NULL;
	victim = &set[0];
	for (unsigned w = 1; w < DATA_WAYS && victim->seq; w++)
		if (!set[w].seq || set[w].seq < victim->seq)
			victim = &set[w];
	memset(victim, 0, sizeof(*victim));
	victim->chunk = c;
	victim->lun = (uint8_t)lun;
	victim->seq = ++st->seq;
	return victim;
}

/* Forget what was written to [lba, lba+blocks) of this LUN. */
static void forget_blocks(struct data_state *st, unsigned lun, uint64_t lba, uint64_t blocks)
{
	uint64_t first, last;

	if (!st->chunks || !blocks)
		return;
	if (blocks > (uint64_t)DATA_CHUNKS_MAX * CHUNK_BLOCKS || lba + blocks < lba) {
		st->forget_seq[lun] = st->seq;     /* everything remembered so far */
		return;
	}
	first = lba >> CHUNK_SHIFT;
	last = (lba + blocks - 1) >> CHUNK_SHIFT;
	for (uint64_t c = first; c <= last; c++) {
		struct wchunk *e = chunk_get(st, lun, c << CHUNK_SHIFT, false);
		unsigned lo = c == first ? (unsigned)(lba & (CHUNK_BLOCKS - 1)) : 0;
		unsigned hi = c == last ? (unsigned)((lba + blocks - 1) & (CHUNK_BLOCKS - 1)) : CHUNK_BLOCKS - 1;

		if (e)
			e->valid &= (uint8_t)~(((1u << (hi + 1)) - 1) & ~((1u << lo) - 1));
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A transfer of whole blocks captured in full, at most PAYLOAD_HEAD_MAX bytes. */
static bool comparable(const struct scsi_txn *s, const struct cdb_info *ci)
{
	uint64_t want;

	if (!s->block_size || !ci->has_lba || !ci->has_blocks || !ci->blocks)
		return false;
	want = (uint64_t)ci->blocks * s->block_size;
	return want <= PAYLOAD_HEAD_MAX && s->data.bytes == want && s->data.captured == want &&
	       s->data.head_len == want && s->data.head;
}

static void remember_write(struct data_state *st, unsigned lun, const struct scsi_txn *s, const struct cdb_info *ci)
{
	uint32_t bs = s->block_size;
	struct wchunk *e = NULL;

	for (uint32_t i = 0; i < ci->blocks; i++) {
		const uint8_t *p = s->data.head + (size_t)i * bs;
		uint64_t lba = ci->lba + i;
		unsigned bit = (unsigned)(lba & (CHUNK_BLOCKS - 1));

		if (!e || bit == 0) {
			e = chunk_get(st, lun, lba, true);
			if (!e)
				return;
			e->seq = ++st->seq;
		}
		e->valid |= (uint8_t)(1u << bit);
		e->hash[bit] = XXH3_64bits(p, bs);
		e->frame[bit] = s->frame;
		if (all_zero(p, bs))
			e->zero |= (uint8_t)(1u << bit);
		else
			e->zero &= (uint8_t)~(1u << bit);
	}
}

static void compare_read(struct data_state *st, unsigned lun, const struct scsi_txn *s, const struct cdb_info *ci,
			 struct txn_handle *h)
{
	uint32_t bs = s->block_size;
	struct wchunk *e = NULL;

	if (!st->chunks)
		return;
	for (uint32_t i = 0; i < ci->blocks; i++) {
		const uint8_t *p = s->data.head + (size_t)i * bs;
		uint64_t lba = ci->lba + i;
		unsigned bit = (unsigned)(lba & (CHUNK_BLOCKS - 1));
		uint64_t fr[2];

		if (!e || bit == 0)
			e = chunk_get(st, lun, lba, false);
		if (!e || !(e->valid & (1u << bit)) || e->hash[bit] == XXH3_64bits(p, bs))
			continue;
		fr[0] = e->frame[bit];
		fr[1] = s->frame;
		txn_attach_finding(h, "data-mismatch", SEV_ERROR, fr, 2,
				   "LBA %llu reads back different from what the WRITE of frame %llu wrote%s",
				   (unsigned long long)lba, (unsigned long long)e->frame[bit],
				   all_zero(p, bs) ? ((e->zero & (1u << bit)) ? "" : " (the read returned zeros)") : "");
		return;
	}
}

/* Track writes and compare reads (data-mismatch). */
static void data_blocks(struct data_state *st, unsigned lun, const struct scsi_txn *s, const struct cdb_info *ci,
			struct txn_handle *h, bool good)
{
	uint8_t op = s->cdb[0];

	switch (op) {
	case 0x0a: case 0x2a: case 0xaa: case 0x8a:     /* WRITE(6/10/12/16) */
	case 0x2e: case 0xae: case 0x8e:                /* WRITE AND VERIFY(10/12/16) */
		if (good && comparable(s, ci))
			remember_write(st, lun, s, ci);
		else if (ci->has_lba)   /* (0 blocks writes nothing; unknown: everything may have changed) */
			forget_blocks(st, lun, ci->lba, ci->has_blocks ? ci->blocks : UINT64_MAX);
		break;
	case 0x41: case 0x93:                           /* WRITE SAME(10/16): 0 blocks = to the end (SBC-3 5.42) */
		if (ci->has_lba)
			forget_blocks(st, lun, ci->lba, ci->has_blocks && ci->blocks ? ci->blocks : UINT64_MAX);
		break;
	case 0x89:                                      /* COMPARE AND WRITE */
		if (ci->has_lba)
			forget_blocks(st, lun, ci->lba, ci->has_blocks ? ci->blocks : UINT64_MAX);
		break;
	case 0x42:                                      /* UNMAP: whatever it names, or all when not captured */
		if (st->chunks) {
			uint16_t bddl;
			const uint8_t *p = s->data.head;
			size_t len = s->data.head_len;
			if (!p || !get_be16(p, len, 2, &bddl) || 8 + (size_t)bddl > len) {
				forget_blocks(st, lun, 0, UINT64_MAX);
				break;
			}
			for (size_t off = 8; off + 16 <= 8 + (size_t)bddl; off += 16) {
				uint64_t lba;
				uint32_t n;
				if (get_be64(p, len, off, &lba) && get_be32(p, len, off + 8, &n))
					forget_blocks(st, lun, lba, n);
			}
		}
		break;
	case 0x08: case 0x28: case 0xa8: case 0x88:     /* READ(6/10/12/16) */
		if (good && comparable(s, ci))
			compare_read(st, lun, s, ci, h);
		break;
	default:
		break;
	}
}

static void scsi(struct lint *l, struct data_state *st, const struct scsi_txn *s, struct txn_handle *h)
{
	struct cdb_info tmp;
	const struct cdb_info *ci;
	struct data_lun *d;
	bool good = s->end == TXN_END_STATUS && s->status == 0;
	uint8_t op;

	if (!s->cdb_len)
		return;
	ci = scsi_txn_cdb(s, &tmp);
	op = s->cdb[0];
	d = lun_of(st, s->bus, s->device, s->lun);
	if (!d)
		return;
	if (s->block_size)
		d->block_size = s->block_size;
	data_blocks(st, (unsigned)(d - st->luns), s, ci, h, good);

	switch (op) {
	case 0x0a: case 0x2a: case 0xaa: case 0x8a:     /* WRITE(6/10/12/16) */
	case 0x41: case 0x93:                           /* WRITE SAME(10/16) */
		if (good && !ci->fua && ci->has_lba && ci->has_blocks)
			add_range(d, ci->lba, op == 0x0a && ci->blocks == 0 ? 256 : ci->blocks, s->frame);
		break;
	case 0x42:                                      /* UNMAP */
		if (good)
			unmap_ranges(d, s);
		break;
	case 0x1a: case 0x5a:                           /* MODE SENSE(6/10) */
		if (good && s->cdb_len > 2 && (s->cdb[2] >> 6) == 0 && s->data.head)
			mode_data(d, s->data.head, s->data.head_len, op == 0x5a);
		break;
	case 0x15: case 0x55:                           /* MODE SELECT(6/10) */
		if (good && s->data.head)
			mode_data(d, s->data.head, s->data.head_len, op == 0x55);
		break;
	case 0x35: case 0x91: {                         /* SYNCHRONIZE CACHE(10/16) */
		uint64_t st3 = get_sense_triple(s);
		if (good) {
			const struct lint_opts *o = lint_get_opts(l);
			uint64_t bytes = d->block_size ? total(d).blocks * d->block_size : 0;
			int64_t dur = ts_sub(s->ts_end, s->ts_start);
			if (d->wce != 0 && d->block_size && bytes >= o->sync_min_bytes && dur >= 0 &&
			    (uint64_t)dur < o->sync_fast_us * 1000u)
				txn_attach_finding(h, "sync-cache-suspicious", SEV_WARNING, &s->frame, 1,
						   "flushed %llu bytes of cached writes in %lld us (%.0f MB/s): "
						   "the device may acknowledge without flushing",
						   (unsigned long long)bytes, (long long)(dur / 1000),
						   dur > 0 ? (double)bytes * 1e3 / (double)dur : 0.0);
			if (ci->has_lba && ci->has_blocks && (ci->lba || ci->blocks))
				flush_range(d, ci->lba, ci->blocks ? ci->lba + ci->blocks : UINT64_MAX);
			else
				forget_writes(d);
		} else if (s->end == TXN_END_STATUS && st3 == 0x052000) {
			if (d->wce != 0)
				txn_attach_finding(h, "sync-cache-unsupported", d->wce == 1 ? SEV_ERROR : SEV_WARNING,
						   &s->frame, 1, "%s rejected as not implemented (05/20/00) %s",
						   ci->name, d->wce == 1 ? "while the caching mode page says WCE=1"
						   : "(cache state unknown)");
		} else if (s->end == TXN_END_STATUS && !(st3 != UINT64_MAX && (st3 >> 16) == 0x06)) {
			uint64_t fr[2] = { s->frame, s->sense.frame };
			if (st3 != UINT64_MAX)
				txn_attach_finding(h, "sync-cache-failed", SEV_ERROR, fr, s->sense.frame ? 2 : 1,
						   "%s failed with sense %02X/%02X/%02X: cached writes may not be durable",
						   ci->name, s->sense.key, s->sense.asc, s->sense.ascq);
			else
				txn_attach_finding(h, "sync-cache-failed", SEV_ERROR, fr, 1,
						   "%s failed (status %d, no sense captured): cached writes may not be durable",
						   ci->name, s->status);
		}
		break;
	}
	case 0x1b:                                      /* START STOP UNIT */
		if (good && s->cdb_len > 4 && (!(s->cdb[4] & 0x01) || (s->cdb[4] & 0x02)) && !(s->cdb[4] & 0xf0))
			at_risk(l, d, h, s->frame, (s->cdb[4] & 0x02) ? "eject" : "stop", false);
		break;
	case 0x1e:                                      /* PREVENT ALLOW MEDIUM REMOVAL */
		if (good && !ci->prevent)
			at_risk(l, d, h, s->frame, "medium removal allowed", true);
		break;
	default:
		break;
	}
	if (s->end == TXN_END_RESET)
		device_event(l, st, s->bus, s->device, h, s->frame, false);
	else if (s->end == TXN_END_DEVICE_GONE)
		device_event(l, st, s->bus, s->device, h, s->frame, true);
}

void check_data_txn(struct lint *l, const struct txn *t, struct txn_handle *h)
{
	struct data_state *st = lint_state(l, LINT_FAMILY_DATA, sizeof(*st));

	if (!st)
		return;
	if (t->kind == TXN_SCSI) {
		scsi(l, st, &t->u.scsi, h);
	} else if (t->kind == TXN_CONTROL) {
		const struct control_txn *c = &t->u.ctl;
		/* Bulk-Only Mass Storage Reset (BOT 3.1): class, interface, bRequest FFh */
		if (c->has_setup && c->setup[0] == 0x21 && c->setup[1] == 0xff)
			device_event(l, st, c->bus, c->device, h, c->frame, false);
	} else if (t->kind == TXN_USB && t->u.note.kind == USB_NOTE_DEVICE_GONE) {
		device_event(l, st, t->u.note.bus, t->u.note.device, h, t->u.note.frame, true);
	}
}

void check_data_finish(struct lint *l)
{
	struct data_state *st = lint_state(l, LINT_FAMILY_DATA, sizeof(*st));

	if (!st)
		return;
	for (unsigned i = 0; i < DATA_LUNS_MAX; i++)
		if (st->luns[i].used)
			at_risk(l, &st->luns[i], NULL, 0, "at the end of the capture", false);
}

void check_data_free(void *state)
{
	struct data_state *st = state;

	free(st->chunks);
}
