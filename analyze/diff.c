/* diff.c - load two captures as normalized sequences, align them (Myers O(ND), linear space), and report hunks and a summary. */
#include "config.h"
#include "analyze/diff.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lint.h"
#include "capture/prefetch.h"
#include "decode/decode.h"

/* ----------------------------------------------------------- sequences */

int diff_seq_init(struct diff_seq *s, const char *name, unsigned ignore)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->norm = norm_new(ignore);
	return s->norm ? 0 : -1;
}

void diff_seq_free(struct diff_seq *s)
{
	free(s->r);
	norm_free(s->norm);
	memset(s, 0, sizeof(*s));
}

int diff_seq_add(struct diff_seq *s, const struct txn *t)
{
	int rc;

	if (s->n == s->alloc) {
		uint64_t na = s->alloc ? s->alloc * 2 : 1024;
		struct norm_txn *nr;
		if (s->alloc >= DIFF_SEQ_MAX)
			return -1;
		if (na > DIFF_SEQ_MAX)
			na = DIFF_SEQ_MAX;
		nr = realloc(s->r, na * sizeof(*nr));
		if (!nr)
			return -1;
		s->r = nr;
		s->alloc = na;
	}
	rc = norm_add(s->norm, t, &s->r[s->n], s->r);
	if (rc < 0)
		return -1;
	s->n += (uint64_t)rc;
	return 0;
}

struct load_ctx {
	struct diff_seq *s;
	const struct filter *filter;
	int64_t t0;
	bool full;
	uint64_t frame;           /* of the transaction that did not fit */
};

static void on_txn(void *ctx, const struct txn *t)
{
	struct load_ctx *l = ctx;

	if (l->full)
		return;
	if (l->filter && !filter_match(l->filter, t, l->t0))
		return;
	if (diff_seq_add(l->s, t) < 0) {
		l->full = true;
		l->frame = txn_first_frame(t);
	}
}

int diff_seq_load(struct diff_seq *s, struct cap *c, const struct filter *filter, bool with_checks, struct error *err)
{
	struct decoder_opts dopts = { .notes = true, .other_traffic = false };
	struct load_ctx l = { .s = s, .filter = filter };
	struct checked_decoder cd;
	struct decoder *dec;
	struct cap_prefetch *pf;
	struct cap_record r;
	bool have_t0 = false;
	int rc;

	if (checked_decoder_open(&cd, dopts, with_checks, on_txn, &l) < 0)
		return error_set(err, 0, ERROR_NO_OFFSET, "out of memory");
	dec = cd.dec;
	if (cap_prefetch_start(c, &pf, err) < 0)
		pf = NULL;
	while ((rc = pf ? cap_prefetch_next(pf, &r, err) : cap_next(c, &r, err)) > 0) {
		s->frames++;
		if (r.kind != CAP_REC_USB && r.kind != CAP_REC_HCI)
			continue;
		if (!have_t0) {
			l.t0 = r.kind == CAP_REC_USB ? r.u.usb.ts_ns : r.u.hci.ts_ns;
			have_t0 = true;
		}
		decoder_feed_record(dec, &r);
		if (l.full)
			break;
	}
	cap_prefetch_stop(pf);
	if (rc >= 0 && !l.full)
		decoder_finish(dec);
	checked_decoder_close(&cd);
	if (l.full) {
		error_set(err, l.frame, ERROR_NO_OFFSET,
			  "more than %u transactions to compare, or out of memory: compare a part "
			  "(--filter, or scsiscope cut)", DIFF_SEQ_MAX);
		error_set_file(err, s->name);
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

void diff_opts_default(struct diff_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->context = 3;
	o->timing_floor_us = 1000;
	o->list_max = 20;
}

/* ----------------------------------------------------------- alignment */

/* Marks, one byte per transaction and side. */
enum {
	M_CHG = 1u << 0,          /* not aligned: removed (A) or added (B) */
	M_MOVED = 1u << 1,        /* ... but the other side has it nearby: concurrent commands in another order */
	M_PAIR = 1u << 2,         /* ... and paired with a change of the same command */
	M_DATA = 1u << 3,         /* aligned, payload differs */
	M_TIME = 1u << 4,         /* aligned, latency regressed (marked on B) */
};

struct align {
	const uint64_t *a, *b;    /* keys of the remaining transactions */
	uint8_t *ca, *cb;         /* changed, indexed like a and b */
	long *fv, *bv;            /* furthest reaching x per diagonal, forward and backward */
	long cost_max;
	bool heuristic;
};

struct range {
	long xoff, xlim, yoff, ylim;
};

#define NONE (-1L)

/*
 * Find a point where a shortest edit path of a[xoff..xlim) into
 * b[yoff..ylim) crosses the middle (Myers 1986, section 4b): search forward
 * from the top-left and backward from the bottom-right corner at the same
 * time, one edit more each round, until the two reach each other on a
 * diagonal.  Diagonal k holds the points with x - y = k; fv/bv are indexed
 * relative to the forward and backward start diagonals.  Past cost_max
 * edits, take the furthest point either search reached.  The caller has
 * removed the common head and tail, and both ranges are non-empty.
 */
static void bisect(struct align *al, const struct range *r, long *sx, long *sy)
{
	const uint64_t *a = al->a, *b = al->b;
	long dmin = r->xoff - r->ylim, dmax = r->xlim - r->yoff;
	long fmid = r->xoff - r->yoff, bmid = r->xlim - r->ylim;
	long off = al->cost_max + 1;
	bool odd = ((fmid - bmid) & 1) != 0;
	long *fv = al->fv, *bv = al->bv;

#define FV(k) fv[(k) - fmid + off]
#define BV(k) bv[(k) - bmid + off]
	FV(fmid) = r->xoff;
	BV(bmid) = r->xlim;
	for (long d = 1;; d++) {
		long lo, hi, k;

		if (d > al->cost_max) {
			/* Too expensive: the furthest point of either search. */
			long best_f = -1, fx = 0, best_b = -1, bx = 0, fk = fmid, bk = bmid;
			al->heuristic = true;
			lo = fmid - (d - 1) > dmin ? fmid - (d - 1) : dmin;
			hi = fmid + (d - 1) < dmax ? fmid + (d - 1) : dmax;
			for (k = hi; k >= lo; k--) {
				long x;
				if (((k - fmid - (d - 1)) & 1) != 0 || (x = FV(k)) == NONE)
					continue;
				if (2 * x - k - r->xoff - r->yoff > best_f) {
					best_f = 2 * x - k - r->xoff - r->yoff;
					fx = x;
					fk = k;
				}
			}
			lo = bmid - (d - 1) > dmin ? bmid - (d - 1) : dmin;
			hi = bmid + (d - 1) < dmax ? bmid + (d - 1) : dmax;
			for (k = hi; k >= lo; k--) {
				long x;
				if (((k - bmid - (d - 1)) & 1) != 0 || (x = BV(k)) == NONE)
					continue;
				if (r->xlim + r->ylim - (2 * x - k) > best_b) {
					best_b = r->xlim + r->ylim - (2 * x - k);
					bx = x;
					bk = k;
				}
			}
			if (best_f >= best_b) {
				*sx = fx;
				*sy = fx - fk;
			} else {
				*sx = bx;
				*sy = bx - bk;
			}
			return;
		}

		/* Forward: one more edit from every diagonal reached with d - 1. */
		lo = fmid - d > dmin ? fmid - d : dmin;
		hi = fmid + d < dmax ? fmid + d : dmax;
		if (((lo - fmid - d) & 1) != 0)
			lo++;
		for (k = lo; k <= hi; k += 2) {
			long x = NONE, y;
			if (k + 1 <= fmid + d - 1 && k + 1 <= dmax && FV(k + 1) != NONE && FV(k + 1) - k <= r->ylim)
				x = FV(k + 1);                    /* down: y + 1 */
			if (k - 1 >= fmid - (d - 1) && k - 1 >= dmin && FV(k - 1) != NONE && FV(k - 1) + 1 <= r->xlim &&
			    FV(k - 1) + 1 > x)
				x = FV(k - 1) + 1;                /* right: x + 1 */
			if (x == NONE) {
				FV(k) = NONE;
				continue;
			}
			y = x - k;
			while (x < r->xlim && y < r->ylim && a[x] == b[y])
				x++, y++;
			FV(k) = x;
			if (odd && k >= bmid - (d - 1) && k <= bmid + (d - 1) && ((k - bmid - (d - 1)) & 1) == 0 &&
			    BV(k) != NONE && BV(k) <= x) {
				*sx = x;
				*sy = y;
				return;
			}
		}

		/* Backward. */
		lo = bmid - d > dmin ? bmid - d : dmin;
		hi = bmid + d < dmax ? bmid + d : dmax;
		if (((lo - bmid - d) & 1) != 0)
			lo++;
		for (k = lo; k <= hi; k += 2) {
			long x = NONE, y;
			if (k + 1 <= bmid + d - 1 && k + 1 <= dmax && BV(k + 1) != NONE && BV(k + 1) - 1 >= r->xoff)
				x = BV(k + 1) - 1;                /* left: x - 1 */
			if (k - 1 >= bmid - (d - 1) && k - 1 >= dmin && BV(k - 1) != NONE && BV(k - 1) - k >= r->yoff &&
			    (x == NONE || BV(k - 1) < x))
				x = BV(k - 1);                    /* up: y - 1 */
			if (x == NONE) {
				BV(k) = NONE;
				continue;
			}
			y = x - k;
			while (x > r->xoff && y > r->yoff && a[x - 1] == b[y - 1])
				x--, y--;
			BV(k) = x;
			if (!odd && k >= fmid - d && k <= fmid + d && ((k - fmid - d) & 1) == 0 && FV(k) != NONE &&
			    x <= FV(k)) {
				*sx = x;
				*sy = y;
				return;
			}
		}
	}
#undef FV
#undef BV
}

/* Align a[0..na) with b[0..nb): set ca/cb for what does not align.
 * Returns 0, or -1 out of memory. */
static int align_run(struct align *al, long na, long nb)
{
	struct range *stack = NULL, r;
	size_t n = 0, alloc = 0;
	long lim = 1;

	while (lim < DIFF_COST_MAX && lim * lim < na + nb)
		lim++;
	al->cost_max = lim < DIFF_COST_MIN ? DIFF_COST_MIN : lim;
	al->fv = malloc(sizeof(long) * (size_t)(2 * al->cost_max + 3));
	al->bv = malloc(sizeof(long) * (size_t)(2 * al->cost_max + 3));
	if (!al->fv || !al->bv)
		goto oom;
	r = (struct range){ 0, na, 0, nb };
	for (;;) {
		long sx, sy;

		/* the common head and tail align */
		while (r.xoff < r.xlim && r.yoff < r.ylim && al->a[r.xoff] == al->b[r.yoff])
			r.xoff++, r.yoff++;
		while (r.xoff < r.xlim && r.yoff < r.ylim && al->a[r.xlim - 1] == al->b[r.ylim - 1])
			r.xlim--, r.ylim--;
		if (r.xoff == r.xlim || r.yoff == r.ylim) {
			for (long i = r.xoff; i < r.xlim; i++)
				al->ca[i] = 1;
			for (long j = r.yoff; j < r.ylim; j++)
				al->cb[j] = 1;
		} else {
			bisect(al, &r, &sx, &sy);
			if ((sx == r.xoff && sy == r.yoff) || (sx == r.xlim && sy == r.ylim)) {
				/* no progress (cannot happen with an exact split): all changed */
				for (long i = r.xoff; i < r.xlim; i++)
					al->ca[i] = 1;
				for (long j = r.yoff; j < r.ylim; j++)
					al->cb[j] = 1;
			} else {
				if (n + 2 > alloc) {
					size_t nalloc = alloc ? alloc * 2 : 64;
					struct range *ns = realloc(stack, nalloc * sizeof(*ns));
					if (!ns)
						goto oom;
					stack = ns;
					alloc = nalloc;
				}
				stack[n++] = (struct range){ sx, r.xlim, sy, r.ylim };
				stack[n++] = (struct range){ r.xoff, sx, r.yoff, sy };
			}
		}
		if (!n)
			break;
		r = stack[--n];
	}
	free(stack);
	free(al->fv);
	free(al->bv);
	return 0;
oom:
	free(stack);
	free(al->fv);
	free(al->bv);
	return -1;
}

/* An open-addressing set of 64-bit keys (0 is stored as a flag). */
struct keyset {
	uint64_t *slot;
	uint64_t mask;
	bool has_zero;
};

_Static_assert(offsetof(struct norm_txn, key) == 0, "align_keys reads the key as a record's first member");

/* Key i of an array of records whose key is their first member, stride bytes apart. */
#define KEY(base, stride, i) (*(const uint64_t *)(const void *)((const char *)(base) + (size_t)(i) * (stride)))

static int keyset_build(struct keyset *ks, const void *keys, size_t stride, uint64_t n)
{
	uint64_t size = 16;

	while (size < 2 * n)
		size *= 2;
	ks->slot = calloc(size, sizeof(uint64_t));
	if (!ks->slot)
		return -1;
	ks->mask = size - 1;
	ks->has_zero = false;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = KEY(keys, stride, i), h;
		if (!k) {
			ks->has_zero = true;
			continue;
		}
		for (h = (k * 0x9e3779b97f4a7c15ULL) & ks->mask; ks->slot[h] && ks->slot[h] != k; h = (h + 1) & ks->mask)
			;
		ks->slot[h] = k;
	}
	return 0;
}

static bool keyset_has(const struct keyset *ks, uint64_t k)
{
	uint64_t h;

	if (!k)
		return ks->has_zero;
	for (h = (k * 0x9e3779b97f4a7c15ULL) & ks->mask; ks->slot[h]; h = (h + 1) & ks->mask)
		if (ks->slot[h] == k)
			return true;
	return false;
}

/* Mark in ma/mb (M_CHG) what does not align.  Keys only one side has
 * cannot align and are set aside first; the rest go to align_run.  The
 * keys are the first member of records stride bytes apart. */
static int align_keys(const void *A, uint64_t a_n, const void *B, uint64_t b_n, size_t stride, uint8_t *ma, uint8_t *mb,
		      bool *heuristic)
{
	struct keyset ks;
	uint64_t *ka = NULL, *kb = NULL;
	uint32_t *ia = NULL, *ib = NULL;
	uint8_t *ca = NULL, *cb = NULL;
	uint64_t head = 0, na, nb, ra = 0, rb = 0;
	struct align al;
	int rc = -1;

	/* The common head and tail: the usual case, two nearly equal captures. */
	while (head < a_n && head < b_n && KEY(A, stride, head) == KEY(B, stride, head))
		head++;
	na = a_n;
	nb = b_n;
	while (na > head && nb > head && KEY(A, stride, na - 1) == KEY(B, stride, nb - 1))
		na--, nb--;
	if (na == head || nb == head) {
		for (uint64_t i = head; i < na; i++)
			ma[i] |= M_CHG;
		for (uint64_t j = head; j < nb; j++)
			mb[j] |= M_CHG;
		return 0;
	}
	ka = malloc((na - head) * sizeof(*ka));
	ia = malloc((na - head) * sizeof(*ia));
	kb = malloc((nb - head) * sizeof(*kb));
	ib = malloc((nb - head) * sizeof(*ib));
	if (!ka || !ia || !kb || !ib)
		goto out;
	if (keyset_build(&ks, (const char *)B + head * stride, stride, nb - head) < 0)
		goto out;
	for (uint64_t i = head; i < na; i++) {
		if (keyset_has(&ks, KEY(A, stride, i))) {
			ka[ra] = KEY(A, stride, i);
			ia[ra++] = (uint32_t)i;
		} else {
			ma[i] |= M_CHG;
		}
	}
	free(ks.slot);
	if (keyset_build(&ks, (const char *)A + head * stride, stride, na - head) < 0)
		goto out;
	for (uint64_t j = head; j < nb; j++) {
		if (keyset_has(&ks, KEY(B, stride, j))) {
			kb[rb] = KEY(B, stride, j);
			ib[rb++] = (uint32_t)j;
		} else {
			mb[j] |= M_CHG;
		}
	}
	free(ks.slot);
	ca = calloc(ra + 1, 1);
	cb = calloc(rb + 1, 1);
	if (!ca || !cb)
		goto out;
	memset(&al, 0, sizeof(al));
	al.a = ka;
	al.b = kb;
	al.ca = ca;
	al.cb = cb;
	if (align_run(&al, (long)ra, (long)rb) < 0)
		goto out;
	for (uint64_t i = 0; i < ra; i++)
		if (ca[i])
			ma[ia[i]] |= M_CHG;
	for (uint64_t j = 0; j < rb; j++)
		if (cb[j])
			mb[ib[j]] |= M_CHG;
	*heuristic = al.heuristic;
	rc = 0;
out:
	free(ka);
	free(kb);
	free(ia);
	free(ib);
	free(ca);
	free(cb);
	return rc;
}

int diff_align_keys(const uint64_t *a, uint64_t na, const uint64_t *b, uint64_t nb, uint8_t *ca, uint8_t *cb,
		    bool *heuristic)
{
	*heuristic = false;
	return align_keys(a, na, b, nb, sizeof(uint64_t), ca, cb, heuristic);
}

/* ---------------------------------------------------------------- walk */

/* The aligned sequences as one edit script: removed before added within a
 * block of changes, aligned pairs in between. */
enum step_op { S_EQ, S_DEL, S_INS };

struct walk {
	const uint8_t *ma, *mb;
	uint64_t na, nb;
	uint64_t i, j;
};

/* The next step from (w->i, w->j); false at the end.  *i, *j: the
 * cursors before the step. */
static bool walk_next(struct walk *w, uint8_t *op, uint64_t *i, uint64_t *j)
{
	*i = w->i;
	*j = w->j;
	if (w->i < w->na && ((w->ma[w->i] & M_CHG) || w->j >= w->nb)) {
		*op = S_DEL;
		w->i++;
	} else if (w->j < w->nb && ((w->mb[w->j] & M_CHG) || w->i >= w->na)) {
		*op = S_INS;
		w->j++;
	} else if (w->i < w->na && w->j < w->nb) {
		*op = S_EQ;
		w->i++;
		w->j++;
	} else {
		return false;
	}
	return true;
}

struct pair {
	uint64_t a, b;
	uint8_t what;             /* M_PAIR, M_DATA, M_TIME */
};

struct pairs {
	struct pair *p;
	size_t n, alloc;
};

static int pairs_add(struct pairs *ps, uint64_t a, uint64_t b, uint8_t what)
{
	if (ps->n == ps->alloc) {
		size_t na = ps->alloc ? ps->alloc * 2 : 64;
		struct pair *np = realloc(ps->p, na * sizeof(*np));
		if (!np)
			return -1;
		ps->p = np;
		ps->alloc = na;
	}
	ps->p[ps->n++] = (struct pair){ a, b, what };
	return 0;
}

#define RING 256

/* Commands run in another order while in flight together (M_MOVED), and
 * a removed and an added line of the same command in one block of changes
 * (M_PAIR, listed in pairs). */
static int post_changes(const struct diff_seq *A, const struct diff_seq *B, uint8_t *ma, uint8_t *mb, struct pairs *ps)
{
	struct walk w = { ma, mb, A->n, B->n, 0, 0 };
	struct { uint8_t op; uint64_t idx, step; } ring[DIFF_REORDER_WINDOW];
	uint64_t dels[RING];
	size_t nring = 0, ndels = 0, head = 0;
	uint64_t step = 0, i, j;
	uint8_t op;

	/* moved: a removed and an added line that are equal, within the window */
	while (walk_next(&w, &op, &i, &j)) {
		step++;
		if (op == S_EQ)
			continue;
		{
			const struct norm_txn *me = op == S_DEL ? &A->r[i] : &B->r[j];
			uint64_t idx = op == S_DEL ? i : j;
			bool done = false;
			for (size_t k = 0; k < nring && !done; k++) {
				size_t at = (head + k) % DIFF_REORDER_WINDOW;
				const struct norm_txn *other;
				if (ring[at].op == op || step - ring[at].step > DIFF_REORDER_WINDOW)
					continue;
				other = ring[at].op == S_DEL ? &A->r[ring[at].idx] : &B->r[ring[at].idx];
				if (other->key != me->key ||
				    !((other->flags | me->flags) & NORM_F_CONCURRENT))
					continue;
				if (op == S_DEL) {
					ma[idx] |= M_MOVED;
					mb[ring[at].idx] |= M_MOVED;
				} else {
					mb[idx] |= M_MOVED;
					ma[ring[at].idx] |= M_MOVED;
				}
				/* drop it from the ring */
				ring[at] = ring[head];
				head = (head + 1) % DIFF_REORDER_WINDOW;
				nring--;
				done = true;
			}
			if (done)
				continue;
			if (nring == DIFF_REORDER_WINDOW) {
				head = (head + 1) % DIFF_REORDER_WINDOW;
				nring--;
			}
			ring[(head + nring) % DIFF_REORDER_WINDOW].op = op;
			ring[(head + nring) % DIFF_REORDER_WINDOW].idx = idx;
			ring[(head + nring) % DIFF_REORDER_WINDOW].step = step;
			nring++;
		}
	}

	/* changed: the same command (ident) removed and added in one block */
	w = (struct walk){ ma, mb, A->n, B->n, 0, 0 };
	while (walk_next(&w, &op, &i, &j)) {
		if (op == S_EQ) {
			ndels = 0;
			continue;
		}
		if (op == S_DEL) {
			if (!(ma[i] & M_MOVED) && ndels < RING)
				dels[ndels++] = i;
			continue;
		}
		if (mb[j] & M_MOVED)
			continue;
		for (size_t k = 0; k < ndels; k++) {
			if (!(ma[dels[k]] & M_PAIR) && A->r[dels[k]].ident == B->r[j].ident &&
			    A->r[dels[k]].kind == B->r[j].kind) {
				ma[dels[k]] |= M_PAIR;
				mb[j] |= M_PAIR;
				if (pairs_add(ps, dels[k], j, M_PAIR) < 0)
					return -1;
				break;
			}
		}
	}
	return 0;
}

/* Payload and latency of the aligned pairs. */
static int post_pairs(const struct diff_seq *A, const struct diff_seq *B, uint8_t *ma, uint8_t *mb,
		      const struct diff_opts *o, struct pairs *ps)
{
	struct walk w = { ma, mb, A->n, B->n, 0, 0 };
	uint64_t i, j;
	uint8_t op;

	while (walk_next(&w, &op, &i, &j)) {
		const struct norm_txn *x, *y;
		if (op != S_EQ)
			continue;
		x = &A->r[i];
		y = &B->r[j];
		if (o->data && x->moved && (x->flags & y->flags & NORM_F_DATA_FULL) && x->data_hash != y->data_hash) {
			ma[i] |= M_DATA;
			mb[j] |= M_DATA;
			if (pairs_add(ps, i, j, M_DATA) < 0)
				return -1;
		}
		if (o->timing_pct > 0 && y->dur_us > x->dur_us && y->dur_us - x->dur_us >= o->timing_floor_us &&
		    (double)y->dur_us > (double)x->dur_us * (1.0 + o->timing_pct / 100.0)) {
			ma[i] |= M_TIME;
			mb[j] |= M_TIME;
			if (pairs_add(ps, i, j, M_TIME) < 0)
				return -1;
		}
	}
	return 0;
}

/* -------------------------------------------------------------- output */

struct out {
	FILE *f;
	const struct diff_seq *A, *B;
	const struct diff_opts *o;
	struct strbuf sb, line;
};

static void flush_out(struct out *ou, bool force)
{
	if (ou->f && (force || ou->sb.len >= 1 << 16)) {
		fwrite(ou->sb.buf, 1, ou->sb.len, ou->f);
		sb_reset(&ou->sb);
	} else if (!ou->f) {
		sb_reset(&ou->sb);
	}
}

static void render_duration_us(struct strbuf *sb, uint32_t us)
{
	if (us < 1000)
		sb_addf(sb, "%" PRIu32 "us", us);
	else if (us < 1000000)
		sb_addf(sb, "%" PRIu32 ".%01" PRIu32 "ms", us / 1000, (us % 1000) / 100);
	else
		sb_addf(sb, "%" PRIu32 ".%03" PRIu32 "s", us / 1000000, (us % 1000000) / 1000);
}

/* The normalized line of side s's record idx into ou->line. */
static const char *text_of(struct out *ou, const struct diff_seq *s, uint64_t idx, bool data)
{
	sb_reset(&ou->line);
	norm_render(s->norm, &s->r[idx], &ou->line, NULL, data);
	return ou->line.buf;
}

static void add_frame_col(struct strbuf *sb, bool have, uint64_t f)
{
	if (have)
		sb_addf(sb, " %7" PRIu64, f);
	else
		sb_adds(sb, "        ");
}

/* One line of a hunk.  mark: ' ', '-', '+', '~' (moved), '!' (latency). */
static void out_line(struct out *ou, char mark, bool have_a, uint64_t a, bool have_b, uint64_t b, bool data)
{
	const struct diff_seq *s = have_a ? ou->A : ou->B;
	uint64_t idx = have_a ? a : b;
	const char *text = text_of(ou, s, idx, data);

	if (ou->o->json) {
		sb_addf(&ou->sb, "{\"kind\":\"line\",\"op\":\"%c\"", mark);
		if (have_a)
			sb_addf(&ou->sb, ",\"a_line\":%" PRIu64 ",\"a_frame\":%" PRIu64, a + 1, ou->A->r[a].frame);
		if (have_b)
			sb_addf(&ou->sb, ",\"b_line\":%" PRIu64 ",\"b_frame\":%" PRIu64, b + 1, ou->B->r[b].frame);
		if (mark == '!')
			sb_addf(&ou->sb, ",\"a_latency_us\":%" PRIu32 ",\"b_latency_us\":%" PRIu32, ou->A->r[a].dur_us,
				ou->B->r[b].dur_us);
		sb_adds(&ou->sb, ",\"text\":\"");
		sb_add_json_str(&ou->sb, text, strlen(text));
		sb_adds(&ou->sb, "\"}\n");
	} else {
		sb_addc(&ou->sb, mark);
		add_frame_col(&ou->sb, have_a, have_a ? ou->A->r[a].frame : 0);
		add_frame_col(&ou->sb, have_b, have_b ? ou->B->r[b].frame : 0);
		sb_adds(&ou->sb, "  ");
		sb_adds(&ou->sb, text);
		if (mark == '!') {
			sb_adds(&ou->sb, "  latency ");
			render_duration_us(&ou->sb, ou->A->r[a].dur_us);
			sb_adds(&ou->sb, " -> ");
			render_duration_us(&ou->sb, ou->B->r[b].dur_us);
			if (ou->A->r[a].dur_us)
				sb_addf(&ou->sb, " (+%.0f%%)",
					((double)ou->B->r[b].dur_us / ou->A->r[a].dur_us - 1.0) * 100.0);
		}
		sb_addc(&ou->sb, '\n');
	}
	flush_out(ou, false);
}

struct hline {
	uint8_t op;
	uint64_t i, j;            /* cursors before the step */
};

struct hunk {
	struct hline *l;
	size_t n, alloc;
};

static int hunk_add(struct hunk *h, uint8_t op, uint64_t i, uint64_t j)
{
	if (h->n == h->alloc) {
		size_t na = h->alloc ? h->alloc * 2 : 64;
		struct hline *nl = realloc(h->l, na * sizeof(*nl));
		if (!nl)
			return -1;
		h->l = nl;
		h->alloc = na;
	}
	h->l[h->n++] = (struct hline){ op, i, j };
	return 0;
}

static bool interesting(const uint8_t *ma, const uint8_t *mb, uint8_t op, uint64_t i, uint64_t j)
{
	switch (op) {
	case S_DEL: return !(ma[i] & M_MOVED);
	case S_INS: return !(mb[j] & M_MOVED);
	default: return (ma[i] & (M_DATA | M_TIME)) != 0;
	}
}

static void emit_hunk(struct out *ou, const struct hunk *h, size_t n, const uint8_t *ma, const uint8_t *mb)
{
	uint64_t acount = 0, bcount = 0, astart, bstart;

	for (size_t k = 0; k < n; k++) {
		acount += h->l[k].op != S_INS;
		bcount += h->l[k].op != S_DEL;
	}
	astart = h->l[0].i + (acount ? 1 : 0);
	bstart = h->l[0].j + (bcount ? 1 : 0);
	if (ou->o->json) {
		sb_addf(&ou->sb, "{\"kind\":\"hunk\",\"a_line\":%" PRIu64 ",\"a_count\":%" PRIu64 ",\"b_line\":%" PRIu64
			",\"b_count\":%" PRIu64 "}\n", astart, acount, bstart, bcount);
	} else {
		/* after the line numbers, as diff -p puts a function name: the frames */
		uint64_t af = 0, al = 0, bf = 0, bl = 0;
		for (size_t k = 0; k < n; k++) {
			const struct hline *l = &h->l[k];
			if (l->op != S_INS) {
				if (!af)
					af = ou->A->r[l->i].frame;
				al = ou->A->r[l->i].frame;
			}
			if (l->op != S_DEL) {
				if (!bf)
					bf = ou->B->r[l->j].frame;
				bl = ou->B->r[l->j].frame;
			}
		}
		sb_addf(&ou->sb, "@@ -%" PRIu64 ",%" PRIu64 " +%" PRIu64 ",%" PRIu64 " @@ frames", astart, acount, bstart,
			bcount);
		if (acount)
			sb_addf(&ou->sb, " A %" PRIu64 "-%" PRIu64, af, al);
		if (bcount)
			sb_addf(&ou->sb, "%s B %" PRIu64 "-%" PRIu64, acount ? "," : "", bf, bl);
		sb_addc(&ou->sb, '\n');
	}
	for (size_t k = 0; k < n; k++) {
		const struct hline *l = &h->l[k];
		switch (l->op) {
		case S_DEL:
			out_line(ou, (ma[l->i] & M_MOVED) ? '~' : '-', true, l->i, false, 0, false);
			break;
		case S_INS:
			out_line(ou, (mb[l->j] & M_MOVED) ? '~' : '+', false, 0, true, l->j, false);
			break;
		default:
			if (ma[l->i] & M_DATA) {
				out_line(ou, '-', true, l->i, false, 0, true);
				out_line(ou, '+', false, 0, true, l->j, true);
			} else if (ma[l->i] & M_TIME) {
				out_line(ou, '!', true, l->i, true, l->j, false);
			} else {
				out_line(ou, ' ', true, l->i, true, l->j, false);
			}
			break;
		}
	}
}

/* Hunks with o->context lines of context, streaming over the edit script. */
static int write_hunks(struct out *ou, uint8_t *ma, uint8_t *mb, struct diff_stats *st)
{
	struct walk w = { ma, mb, ou->A->n, ou->B->n, 0, 0 };
	struct hunk h = { NULL, 0, 0 };
	struct hline *ring = NULL;
	size_t C = ou->o->context, nring = 0, rhead = 0, trailing = 0;
	bool in_hunk = false;
	uint64_t i, j;
	uint8_t op;

	if (C) {
		ring = malloc(C * sizeof(*ring));
		if (!ring)
			return -1;
	}
	while (walk_next(&w, &op, &i, &j)) {
		if (interesting(ma, mb, op, i, j)) {
			if (!in_hunk) {
				h.n = 0;
				for (size_t k = 0; k < nring; k++) {
					const struct hline *l = &ring[(rhead + k) % C];
					if (hunk_add(&h, l->op, l->i, l->j) < 0)
						goto oom;
				}
				nring = 0;
				in_hunk = true;
			}
			if (hunk_add(&h, op, i, j) < 0)
				goto oom;
			trailing = 0;
			continue;
		}
		if (in_hunk) {
			if (hunk_add(&h, op, i, j) < 0)
				goto oom;
			if (++trailing > 2 * C) {
				/* close: keep C lines of trailing context, the last C lead the next hunk */
				emit_hunk(ou, &h, h.n - (trailing - C), ma, mb);
				st->hunks++;
				nring = 0;
				rhead = 0;
				for (size_t k = h.n - C; k < h.n; k++)
					ring[nring++] = h.l[k];
				in_hunk = false;
				trailing = 0;
			}
			continue;
		}
		if (C) {
			if (nring == C) {
				ring[rhead] = (struct hline){ op, i, j };
				rhead = (rhead + 1) % C;
			} else {
				ring[(rhead + nring) % C] = (struct hline){ op, i, j };
				nring++;
			}
		}
	}
	if (in_hunk) {
		emit_hunk(ou, &h, h.n - (trailing > C ? trailing - C : 0), ma, mb);
		st->hunks++;
	}
	free(h.l);
	free(ring);
	return 0;
oom:
	free(h.l);
	free(ring);
	return -1;
}

/* What differs between the two lines of a changed command: status, sense, or something else. */
/* The status as a line shows it: the status byte, else a phase error, a UAS response or how it ended. */
static int status_shown(const struct norm_txn *r)
{
	if (r->status >= 0)
		return r->status;
	if (r->csw_status == 2)
		return 1000;
	if (r->uas_response >= 0)
		return 2000 + r->uas_response;
	return 3000 + r->end;
}

static bool status_or_sense_changed(const struct norm_txn *x, const struct norm_txn *y, unsigned ignore)
{
	if (x->kind != TXN_SCSI)
		return false;
	if (status_shown(x) != status_shown(y))
		return true;
	if (ignore & NORM_SENSE)
		return false;
	return (x->sense_src != SENSE_NONE) != (y->sense_src != SENSE_NONE) ||
	       (x->sense_src != SENSE_NONE && (x->sense_key != y->sense_key || x->sense_asc != y->sense_asc ||
					       x->sense_ascq != y->sense_ascq));
}

static void list_change(struct out *ou, const struct pair *p, const char *what)
{
	const struct norm_txn *x = &ou->A->r[p->a], *y = &ou->B->r[p->b];
	bool data = p->what == M_DATA;
	size_t res_a = 0, res_b = 0;
	struct strbuf ta = STRBUF_INIT, tb = STRBUF_INIT;

	norm_render(ou->A->norm, x, &ta, &res_a, data);
	norm_render(ou->B->norm, y, &tb, &res_b, data);
	if (ou->o->json) {
		sb_addf(&ou->sb, "{\"kind\":\"change\",\"what\":\"%s\",\"a_line\":%" PRIu64 ",\"a_frame\":%" PRIu64
			",\"b_line\":%" PRIu64 ",\"b_frame\":%" PRIu64, what, p->a + 1, x->frame, p->b + 1, y->frame);
		if (p->what == M_TIME)
			sb_addf(&ou->sb, ",\"a_latency_us\":%" PRIu32 ",\"b_latency_us\":%" PRIu32, x->dur_us, y->dur_us);
		sb_adds(&ou->sb, ",\"a_text\":\"");
		sb_add_json_str(&ou->sb, ta.buf, ta.len);
		sb_adds(&ou->sb, "\",\"b_text\":\"");
		sb_add_json_str(&ou->sb, tb.buf, tb.len);
		sb_adds(&ou->sb, "\"}\n");
	} else {
		sb_addf(&ou->sb, "  frame %" PRIu64 " / %" PRIu64 "  ", x->frame, y->frame);
		sb_add(&ou->sb, ta.buf, res_a);
		if (p->what == M_TIME) {
			sb_adds(&ou->sb, "  latency ");
			render_duration_us(&ou->sb, x->dur_us);
			sb_adds(&ou->sb, " -> ");
			render_duration_us(&ou->sb, y->dur_us);
			sb_addc(&ou->sb, '\n');
		} else {
			sb_adds(&ou->sb, "\n    A:");
			sb_add(&ou->sb, ta.buf + res_a, ta.len - res_a);
			sb_adds(&ou->sb, "\n    B:");
			sb_add(&ou->sb, tb.buf + res_b, tb.len - res_b);
			sb_addc(&ou->sb, '\n');
		}
	}
	sb_release(&ta);
	sb_release(&tb);
	flush_out(ou, false);
}

/* The changes of one kind, at most list_max of them. */
static void list_changes(struct out *ou, const struct pairs *ps, uint8_t what, int status_first, const char *title,
			 const char *json_what, uint64_t count)
{
	unsigned shown = 0;
	unsigned ignore = norm_ignored(ou->A->norm);

	if (!count)
		return;
	if (!ou->o->json)
		sb_addf(&ou->sb, "%s (%" PRIu64 "):\n", title, count);
	for (size_t k = 0; k < ps->n && shown < ou->o->list_max; k++) {
		const struct pair *p = &ps->p[k];
		if (p->what != what)
			continue;
		if (status_first >= 0 &&
		    status_or_sense_changed(&ou->A->r[p->a], &ou->B->r[p->b], ignore) != (status_first != 0))
			continue;
		list_change(ou, p, json_what);
		shown++;
	}
	if (count > shown && !ou->o->json)
		sb_addf(&ou->sb, "  ... and %" PRIu64 " more\n", count - shown);
}

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->what < q->what ? -1 : p->what > q->what;
}

int diff_run(const struct diff_seq *A, const struct diff_seq *B, const struct diff_opts *o, FILE *f,
	     struct diff_stats *st)
{
	uint8_t *ma = calloc(A->n + 1, 1), *mb = calloc(B->n + 1, 1);
	struct pairs ps = { NULL, 0, 0 };
	struct out ou = { f, A, B, o, STRBUF_INIT, STRBUF_INIT };
	bool differ;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->a_count = A->n;
	st->b_count = B->n;
	sb_init(&ou.sb);
	sb_init(&ou.line);
	if (!ma || !mb)
		goto out;
	if (align_keys(A->r, A->n, B->r, B->n, sizeof(struct norm_txn), ma, mb, &st->heuristic) < 0)
		goto out;
	if (post_changes(A, B, ma, mb, &ps) < 0 || post_pairs(A, B, ma, mb, o, &ps) < 0)
		goto out;
	for (uint64_t i = 0; i < A->n; i++) {
		if ((ma[i] & (M_CHG | M_MOVED | M_PAIR)) == M_CHG)
			st->removed++;
		if (ma[i] & M_MOVED)
			st->reordered++;
	}
	for (uint64_t j = 0; j < B->n; j++)
		if ((mb[j] & (M_CHG | M_MOVED | M_PAIR)) == M_CHG)
			st->added++;
	for (size_t k = 0; k < ps.n; k++) {
		if (ps.p[k].what == M_PAIR) {
			st->changed++;
			st->status_changed += status_or_sense_changed(&A->r[ps.p[k].a], &B->r[ps.p[k].b],
								       norm_ignored(A->norm));
		} else if (ps.p[k].what == M_DATA) {
			st->data_changed++;
		} else {
			st->timing_regressed++;
		}
	}
	if (ps.n)
		qsort(ps.p, ps.n, sizeof(*ps.p), cmp_pair);
	differ = st->removed || st->added || st->changed || st->data_changed || st->timing_regressed;

	if (o->json) {
		sb_adds(&ou.sb, "{\"kind\":\"files\",\"a\":\"");
		sb_add_json_str(&ou.sb, A->name, strlen(A->name));
		sb_addf(&ou.sb, "\",\"a_transactions\":%" PRIu64 ",\"b\":\"", A->n);
		sb_add_json_str(&ou.sb, B->name, strlen(B->name));
		sb_addf(&ou.sb, "\",\"b_transactions\":%" PRIu64 "}\n", B->n);
	} else {
		sb_addf(&ou.sb, "--- %s\t(%" PRIu64 " transactions compared)\n+++ %s\t(%" PRIu64
			" transactions compared)\n", A->name, A->n, B->name, B->n);
	}
	if (write_hunks(&ou, ma, mb, st) < 0)
		goto out;

	if (!o->json) {
		sb_addf(&ou.sb, "== %s: %" PRIu64 " removed, %" PRIu64 " added, %" PRIu64 " changed (%" PRIu64
			" in status or sense)", differ ? "different" : "same", st->removed, st->added, st->changed,
			st->status_changed);
		if (o->data)
			sb_addf(&ou.sb, ", %" PRIu64 " with other data", st->data_changed);
		if (o->timing_pct > 0)
			sb_addf(&ou.sb, ", %" PRIu64 " slower", st->timing_regressed);
		sb_addf(&ou.sb, "; %" PRIu64 " hunk%s\n", st->hunks, st->hunks == 1 ? "" : "s");
	}
	list_changes(&ou, &ps, M_PAIR, 1, "status or sense changed", "status", st->status_changed);
	list_changes(&ou, &ps, M_PAIR, 0, "other changes", "other", st->changed - st->status_changed);
	list_changes(&ou, &ps, M_DATA, -1, "data changed (payload hashes differ)", "data", st->data_changed);
	list_changes(&ou, &ps, M_TIME, -1, "latency regressed", "latency", st->timing_regressed);
	if (o->json) {
		sb_addf(&ou.sb, "{\"kind\":\"summary\",\"same\":%s,\"a_transactions\":%" PRIu64 ",\"b_transactions\":%" PRIu64
			",\"removed\":%" PRIu64 ",\"added\":%" PRIu64 ",\"changed\":%" PRIu64 ",\"status_changed\":%" PRIu64
			",\"data_changed\":%" PRIu64 ",\"latency_regressed\":%" PRIu64 ",\"reordered\":%" PRIu64
			",\"hunks\":%" PRIu64 ",\"heuristic\":%s}\n",
			differ ? "false" : "true", st->a_count, st->b_count, st->removed, st->added, st->changed,
			st->status_changed, st->data_changed, st->timing_regressed, st->reordered, st->hunks,
			st->heuristic ? "true" : "false");
	} else {
		if (st->reordered)
			sb_addf(&ou.sb, "%" PRIu64 " command%s in flight together ran in another order (not a difference)\n",
				st->reordered, st->reordered == 1 ? "" : "s");
		if (st->heuristic)
			sb_adds(&ou.sb, "(the captures differ so much that the alignment is approximate: the hunks are "
					"correct but may not be the smallest)\n");
	}
	flush_out(&ou, true);
	rc = differ ? 1 : 0;
out:
	free(ma);
	free(mb);
	free(ps.p);
	sb_release(&ou.sb);
	sb_release(&ou.line);
	return rc;
}
