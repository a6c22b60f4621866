/* test_tui.c - the TUI's model without a terminal: index rows against a direct decode, the filter's matches, the detail worker's trees and hex layers, damaged files, live captures followed as they grow. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <time.h>

#include "analyze/filter.h"
#include "analyze/lint.h"
#include "capture/writer.h"
#include "report/txn_render.h"
#include "tui/detail.h"
#include "tui/index.h"
#include "tui/live.h"
#include "tui/match.h"
#include "tui/tui.h"
#include "testlib.h"

/* What a direct decode (the pipeline of `scsiscope lint`) says about each
 * transaction: its text line (decode's), kind, frame and findings. */
struct ref_txn {
	char *line;
	uint8_t kind;
	uint64_t frame, last_frame;
	uint32_t nfindings;
	uint8_t sev;              /* 0 none, 1 + highest */
	bool bad;                 /* status not GOOD (scsi) */
	bool matched;             /* by the test's filter */
};

struct ref {
	struct ref_txn *t;
	size_t n;
	struct filter *f;
	int64_t t0;
	uint64_t findings;
};

static void ref_cb(void *ctx, const struct txn *t)
{
	struct ref *r = ctx;
	struct ref_txn *x;
	struct render_opts ro = { .t0_ns = r->t0 };
	struct strbuf sb;
	const struct finding *f = NULL;
	uint32_t nf = 0;

	r->t = realloc(r->t, (r->n + 1) * sizeof(*r->t));
	cr_assert(r->t);
	x = &r->t[r->n++];
	memset(x, 0, sizeof(*x));
	sb_init(&sb);
	render_txn_line(&sb, t, &ro);
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	x->line = strdup(sb.buf);
	sb_release(&sb);
	x->kind = t->kind;
	x->frame = txn_frame(t);
	switch (t->kind) {
	case TXN_SCSI:
		f = t->u.scsi.findings;
		nf = t->u.scsi.nfindings;
		x->last_frame = t->u.scsi.last_frame;
		x->bad = t->u.scsi.status != 0;
		break;
	case TXN_CONTROL:
		f = t->u.ctl.findings;
		nf = t->u.ctl.nfindings;
		x->last_frame = t->u.ctl.last_frame;
		break;
	default:
		f = t->u.note.findings;
		nf = t->u.note.nfindings;
		x->last_frame = t->u.note.frame;
		break;
	}
	x->nfindings = nf;
	r->findings += nf;
	for (uint32_t i = 0; i < nf; i++)
		if (f[i].severity + 1 > x->sev)
			x->sev = (uint8_t)(f[i].severity + 1);
	if (r->f)
		x->matched = filter_match(r->f, t, r->t0);
}

/* Decode path as the TUI's passes do: every check of lint. */
static void ref_decode(const char *path, struct ref *r, const char *filter_expr)
{
	struct cap *c;
	struct cap_record rec;
	struct error err;
	struct lint_opts lo;
	struct lint *l;
	struct decoder_opts o = { .notes = true };
	struct decoder *d;
	bool have_t0 = false;
	const struct finding *f;

	memset(r, 0, sizeof(*r));
	if (filter_expr)
		cr_assert_eq(filter_compile(filter_expr, &r->f, &err), 0, "%s", err.msg);
	cr_assert_eq(cap_open(path, &c, &err), 0, "%s", errtext(&err));
	lint_opts_default(&lo);
	l = lint_new(&lo);
	o.hook = lint_hook;
	o.hook_ctx = l;
	d = decoder_new(&o, ref_cb, r);
	while (cap_next(c, &rec, &err) > 0) {
		if (rec.kind != CAP_REC_USB)
			continue;
		if (!have_t0) {
			r->t0 = rec.u.usb.ts_ns;
			have_t0 = true;
		}
		decoder_feed(d, &rec.u.usb);
	}
	decoder_finish(d);
	lint_finish(l);
	for (unsigned i = 0; (f = lint_report_at(l, i)); i++)
		r->findings++;
	decoder_free(d);
	lint_free(l);
	cap_close(c);
}

static void ref_free(struct ref *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->t[i].line);
	free(r->t);
	filter_free(r->f);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static struct tui_index *index_all(const char *path)
{
	struct error err;
	struct tui_index *x = tui_index_start(path, &err);

	cr_assert(x, "%s", errtext(&err));
	for (int i = 0; i < 20000 && !tui_index_done(x); i++)
		sleep_ms(1);
	cr_assert(tui_index_done(x), "indexing %s takes too long", path);
	return x;
}

static const char *const samples[] = {
	"samples/bot-ehci.pcap", "samples/uas-ehci.pcap", "samples/uas-xhci.pcap", "samples/uas-xhci-concurrent.pcap",
	"samples/bot-ehci.usbmon.txt",
};

Test(tui, row_is_small)
{
	cr_assert_leq(sizeof(struct tui_row), 100, "the issue allows about 100 bytes a transaction");
	cr_assert_eq(sizeof(struct tui_row), 80);
}

Test(tui, index_rows_equal_a_direct_decode)
{
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		char *p = src_path(samples[s]);
		struct ref r;
		struct tui_index *x;
		struct strbuf sb;

		ref_decode(p, &r, NULL);
		x = index_all(p);
		cr_assert(!tui_index_failed(x, NULL), "%s", p);
		cr_assert_eq(tui_index_count(x), r.n, "%s: %" PRIu64 " rows, decode gives %zu", p, tui_index_count(x), r.n);
		cr_assert_eq(tui_index_nfindings(x), r.findings, "%s: findings", p);
		sb_init(&sb);
		for (size_t i = 0; i < r.n; i++) {
			const struct tui_row *row = tui_index_row(x, i);
			cr_assert_eq(row->kind, r.t[i].kind, "%s row %zu", p, i);
			cr_assert_eq(row->frame, r.t[i].frame, "%s row %zu", p, i);
			cr_assert_eq(tui_row_last_frame(row), r.t[i].last_frame, "%s row %zu", p, i);
			cr_assert_eq(row->nfind, r.t[i].nfindings, "%s row %zu", p, i);
			cr_assert_eq(row->sev, r.t[i].sev, "%s row %zu", p, i);
			if (row->kind == TXN_SCSI)
				cr_assert_eq(row->status != 0, r.t[i].bad, "%s row %zu", p, i);
			/* the list's command and status text is decode's */
			sb_reset(&sb);
			tui_row_command(x, row, &sb);
			cr_assert(strstr(r.t[i].line, sb.buf), "%s row %zu: '%s' not in '%s'", p, i, sb.buf, r.t[i].line);
			sb_reset(&sb);
			tui_row_status(row, &sb);
			cr_assert(strstr(r.t[i].line, sb.buf), "%s row %zu: '%s' not in '%s'", p, i, sb.buf, r.t[i].line);
		}
		sb_release(&sb);
		tui_index_free(x);
		ref_free(&r);
		free(p);
	}
}

Test(tui, filter_matches_what_decode_filter_prints)
{
	static const char *const exprs[] = { "status!=good", "opcode==0x28 && lba>=2048", "finding~\"uas-\"",
					     "kind==control && usb.status==stall", "severity>=warning" };
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
			char *p = src_path(samples[s]);
			struct ref r;
			struct filter *f;
			struct error err;
			struct tui_match *m;
			uint64_t hits = 0;

			ref_decode(p, &r, exprs[e]);
			cr_assert_eq(filter_compile(exprs[e], &f, &err), 0);
			m = tui_match_start(p, f, &err);
			cr_assert(m, "%s", errtext(&err));
			for (int i = 0; i < 20000 && !tui_match_done(m); i++)
				sleep_ms(1);
			cr_assert(tui_match_done(m));
			cr_assert_eq(tui_match_count(m), r.n);
			for (size_t i = 0; i < r.n; i++) {
				cr_assert_eq(tui_match_get(m, i), r.t[i].matched, "%s, %s, row %zu: %s", p, exprs[e], i,
					     r.t[i].line);
				hits += r.t[i].matched;
			}
			cr_assert_eq(tui_match_hits(m), hits);
			tui_match_free(m);
			ref_free(&r);
			free(p);
		}
	}
}

static struct tui_detail *wait_detail(struct tui_detailer *d, uint64_t seq)
{
	struct tui_detail *t = NULL;

	for (int i = 0; i < 20000 && !(t = tui_detailer_get(d, seq)); i++)
		sleep_ms(1);
	cr_assert(t, "no detail for row %" PRIu64, seq);
	return t;
}

/* Rows asked for in an order that makes the worker go forward, back
 * (a new pass) and jump: each detail is its transaction's. */
Test(tui, detail_of_any_row_is_its_transaction)
{
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		char *p = src_path(samples[s]);
		struct ref r;
		struct tui_index *x;
		struct tui_detailer *d;
		struct error err;
		uint64_t order[64];
		size_t n = 0;

		ref_decode(p, &r, NULL);
		x = index_all(p);
		d = tui_detailer_start(p, x, &err);
		cr_assert(d, "%s", errtext(&err));
		order[n++] = 0;
		order[n++] = r.n - 1;
		order[n++] = r.n / 2;
		order[n++] = 1;
		order[n++] = r.n - 2;
		for (uint64_t k = 7; n < 64; k = k * 31 % r.n)
			order[n++] = k;
		for (size_t i = 0; i < n; i++) {
			uint64_t seq = order[i] % r.n;
			struct tui_detail *t = wait_detail(d, seq);
			cr_assert_eq(t->seq, seq);
			cr_assert_gt(t->nnodes, 0);
			cr_assert_str_eq(t->nodes[0].text, r.t[seq].line, "%s row %" PRIu64, p, seq);
			/* every layer a node points at exists */
			for (unsigned k = 0; k < t->nnodes; k++) {
				cr_assert_lt(t->nodes[k].layer, (int)t->nlayers);
				if (t->nodes[k].hl_len) {
					const struct tui_dlayer *l = &t->layers[t->nodes[k].layer];
					cr_assert_leq(t->nodes[k].hl_off + t->nodes[k].hl_len, l->len, "%s", t->nodes[k].text);
				}
			}
			tui_detail_put(d, t);
		}
		tui_detailer_free(d);
		tui_index_free(x);
		ref_free(&r);
		free(p);
	}
}

static void same_detail(const struct tui_detail *a, const struct tui_detail *b, const char *what)
{
	cr_assert_eq(a->seq, b->seq);
	cr_assert_eq(a->nnodes, b->nnodes, "%s row %" PRIu64 ": %u nodes, %u", what, a->seq, a->nnodes, b->nnodes);
	for (unsigned i = 0; i < a->nnodes; i++) {
		const struct tui_dnode *x = &a->nodes[i], *y = &b->nodes[i];
		cr_assert_str_eq(x->text, y->text, "%s row %" PRIu64, what, a->seq);
		cr_assert_eq(x->depth, y->depth);
		cr_assert_eq(x->hl_off, y->hl_off);
		cr_assert_eq(x->hl_len, y->hl_len);
		cr_assert_eq(x->layer < 0, y->layer < 0, "%s row %" PRIu64 ": %s", what, a->seq, x->text);
		if (x->layer >= 0) {
			const struct tui_dlayer *l = &a->layers[x->layer], *m = &b->layers[y->layer];
			cr_assert_str_eq(l->name, m->name, "%s row %" PRIu64, what, a->seq);
			cr_assert_eq(l->len, m->len, "%s row %" PRIu64 ": %s", what, a->seq, l->name);
			cr_assert_eq(l->total, m->total);
			cr_assert(l->len == 0 || memcmp(l->bytes, m->bytes, l->len) == 0, "%s row %" PRIu64 ": %s", what,
				  a->seq, l->name);
		}
	}
}

/* A partial pass (the control transfers, the READ CAPACITYs, then only
 * from the last quiet row before the window) gives every row the detail
 * the whole pass gives: forced for every row of every sample, asked for in
 * an order that starts many partial passes. */
Test(tui, partial_passes_give_the_same_details)
{
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		char *p = src_path(samples[s]);
		struct tui_index *x = index_all(p);
		struct error err;
		struct tui_detailer *full = tui_detailer_start(p, x, &err), *part = tui_detailer_start(p, x, &err);
		uint64_t n = tui_index_count(x);

		cr_assert(full && part);
		tui_detailer_tune(full, UINT64_MAX, TUI_DETAIL_BEHIND);
		tui_detailer_tune(part, 0, 0);
		for (uint64_t k = 0; k < n; k++) {
			/* from the end backwards, every third row forwards */
			uint64_t seq = k % 3 ? n - 1 - k : k;
			struct tui_detail *a = wait_detail(full, seq), *b = wait_detail(part, seq);
			same_detail(a, b, p);
			tui_detail_put(full, a);
			tui_detail_put(part, b);
		}
		{
			uint64_t passes, partial, skipped;
			tui_detailer_counts(part, &passes, &partial, &skipped);
			cr_log_info("%s: %" PRIu64 " passes, %" PRIu64 " partial, %" PRIu64 " events skipped", p, passes,
				    partial, skipped);
			cr_assert_gt(partial, 5, "%s: the partial passes were not exercised", p);
			cr_assert_gt(skipped, 100, "%s: no event was skipped", p);
			tui_detailer_counts(full, &passes, &partial, &skipped);
			cr_assert_eq(partial, 0);
		}
		tui_detailer_free(full);
		tui_detailer_free(part);
		tui_index_free(x);
		free(p);
	}
}

/* The same on the storage captures of ../shared/captures (real devices,
 * Windows and macOS captures, text excerpts that begin mid-session), on
 * up to 200 rows of each, spread over the file. */
Test(tui, partial_passes_on_the_shared_captures)
{
	static const char *const caps[] = {
		"rig/bot-xhci.pcap", "rig/uas-ehci.pcap", "rig/libusb-bot.pcap", "rig/libusb-uas.pcap",
		"rig/uas-ehci.usbmon.txt",
		"public/wireshark-samplecaptures/usb_memory_stick.pcap",
		"public/wireshark-samplecaptures/usb_memory_stick_create_file.pcap",
		"public/wireshark-samplecaptures/XHC1-SanDiskExtremePortableSSD.pcapng",
		"public/linux-usb-mail-excerpts/uas-jms566-excerpt.usbmon.txt",
		"public/linux-usb-mail-excerpts/bot-jms566-excerpt.usbmon.txt",
		"public/usbmon-tools/usbpcap1.pcap",
	};
	unsigned ran = 0;

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		char *p = shared_capture(caps[c]);
		struct tui_index *x;
		struct error err;
		struct tui_detailer *full, *part;
		uint64_t n, step, passes, partial, skipped;

		if (!p)
			continue;
		x = index_all(p);
		n = tui_index_count(x);
		full = tui_detailer_start(p, x, &err);
		part = tui_detailer_start(p, x, &err);
		cr_assert(full && part);
		tui_detailer_tune(full, UINT64_MAX, TUI_DETAIL_BEHIND);
		tui_detailer_tune(part, 0, 0);
		step = n / 200 + 1;
		for (uint64_t k = n; k-- > 0;) {
			struct tui_detail *a, *b;
			if (k % step)
				continue;
			a = wait_detail(full, k);
			b = wait_detail(part, k);
			same_detail(a, b, p);
			tui_detail_put(full, a);
			tui_detail_put(part, b);
		}
		tui_detailer_counts(part, &passes, &partial, &skipped);
		cr_log_info("%s: %" PRIu64 " rows, %" PRIu64 " partial passes, %" PRIu64 " events skipped", p, n, partial,
			    skipped);
		tui_detailer_free(full);
		tui_detailer_free(part);
		tui_index_free(x);
		free(p);
		ran++;
	}
	if (!ran)
		cr_skip_test("no ../shared/captures beside the source tree");
}

static const struct tui_dnode *node_starting(const struct tui_detail *t, const char *prefix)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (strncmp(t->nodes[i].text, prefix, strlen(prefix)) == 0)
			return &t->nodes[i];
	return NULL;
}

static uint64_t seq_of_frame(struct tui_index *x, uint64_t frame)
{
	for (uint64_t i = 0; i < tui_index_count(x); i++)
		if (tui_index_row(x, i)->frame == frame)
			return i;
	cr_assert_fail("no row at frame %" PRIu64, frame);
	return 0;
}

Test(tui, detail_layers_and_highlights)
{
	char *p = src_path("samples/bot-ehci.pcap");
	struct tui_index *x = index_all(p);
	struct error err;
	struct tui_detailer *d = tui_detailer_start(p, x, &err);
	struct tui_detail *t;
	const struct tui_dnode *n;
	const struct tui_dlayer *l;

	cr_assert(d);
	/* frame 74: INQUIRY alloc=36 (BOT) */
	t = wait_detail(d, seq_of_frame(x, 74));
	n = node_starting(t, "OPERATION CODE: 12h INQUIRY");
	cr_assert(n);
	l = &t->layers[n->layer];
	cr_assert(strncmp(l->name, "CDB", 3) == 0, "%s", l->name);
	cr_assert_eq(n->hl_off, 0);
	cr_assert_eq(n->hl_len, 1);
	n = node_starting(t, "ALLOCATION LENGTH: 36");
	cr_assert(n);
	cr_assert_eq(n->hl_off, 3);
	cr_assert_eq(n->hl_len, 2);
	cr_assert_eq(t->layers[n->layer].bytes[4], 36);
	n = node_starting(t, "CBW:");
	cr_assert(n && n->layer >= 0);
	l = &t->layers[n->layer];
	cr_assert_eq(l->len, 31);
	cr_assert(memcmp(l->bytes, "USBC", 4) == 0);
	n = node_starting(t, "CSW:");
	cr_assert(n && n->layer >= 0);
	l = &t->layers[n->layer];
	cr_assert_eq(l->len, 13);
	cr_assert(memcmp(l->bytes, "USBS", 4) == 0);
	n = node_starting(t, "T10 VENDOR IDENTIFICATION");
	cr_assert(n && n->layer >= 0);
	cr_assert_eq(t->layers[n->layer].len, 36);
	/* the URB list: one node per frame, each with its bytes */
	cr_assert(node_starting(t, "frame 74  submit bulk ep 0x02 OUT  31 bytes"), "URB nodes");
	tui_detail_put(d, t);

	/* frame 80: TEST UNIT READY, CHECK CONDITION, sense from REQUEST SENSE,
	 * finding unit-attention with lint's explanation */
	t = wait_detail(d, seq_of_frame(x, 80));
	n = node_starting(t, "SENSE KEY: 6h UNIT ATTENTION");
	cr_assert(n);
	l = &t->layers[n->layer];
	cr_assert(strncmp(l->name, "sense data", 10) == 0, "%s", l->name);
	cr_assert_eq(n->hl_off, 2);
	cr_assert_eq(l->bytes[2] & 0x0f, 6);
	n = node_starting(t, "ASC/ASCQ: 29h/00h");
	cr_assert(n);
	cr_assert_eq(n->hl_off, 12);
	cr_assert_eq(n->hl_len, 2);
	n = node_starting(t, "finding unit-attention");
	cr_assert(n);
	cr_assert(node_starting(t, check_find("unit-attention")->summary) != NULL, "the finding's summary under it");
	tui_detail_put(d, t);

	/* frame 1: a hub's GET_STATUS: setup packet fields */
	t = wait_detail(d, seq_of_frame(x, 1));
	n = node_starting(t, "wIndex: 0x0001");
	cr_assert(n);
	cr_assert_str_eq(t->layers[n->layer].name, "setup packet");
	cr_assert_eq(n->hl_off, 4);
	cr_assert_eq(n->hl_len, 2);
	tui_detail_put(d, t);

	tui_detailer_free(d);
	tui_index_free(x);
	free(p);
}

Test(tui, damaged_file_keeps_what_came_before)
{
	char *p = src_path("samples/uas-xhci.pcap"), bad[] = "/tmp/test_tui_XXXXXX";
	size_t len;
	uint8_t *buf = slurp(p, &len);
	int fd = mkstemp(bad);
	struct ref r;
	struct tui_index *x;
	struct error err;
	struct tui_detailer *d;
	struct tui_detail *t;

	cr_assert(buf && fd >= 0);
	cr_assert_eq(write(fd, buf, len * 3 / 5), (ssize_t)(len * 3 / 5));
	close(fd);
	ref_decode(bad, &r, NULL);
	x = index_all(bad);
	cr_assert(tui_index_failed(x, &err));
	cr_assert(strstr(errtext(&err), bad), "%s", errtext(&err));
	cr_assert(err.frame > 0, "the error names a frame: %s", errtext(&err));
	cr_assert_eq(tui_index_count(x), r.n, "every transaction before the damage");
	cr_assert_gt(r.n, 10);
	/* the last row's detail still comes */
	d = tui_detailer_start(bad, x, &err);
	t = wait_detail(d, r.n - 1);
	cr_assert_str_eq(t->nodes[0].text, r.t[r.n - 1].line);
	tui_detail_put(d, t);
	tui_detailer_free(d);
	tui_index_free(x);
	ref_free(&r);
	unlink(bad);
	free(buf);
	free(p);
}

Test(tui, file_that_cannot_be_opened)
{
	struct error err;

	cr_assert_null(tui_index_start("/nonexistent/capture.pcap", &err));
	cr_assert(strstr(errtext(&err), "/nonexistent/capture.pcap"), "%s", errtext(&err));
}

/* The man page lists every key of the help screen, with the same words. */
Test(tui, man_page_lists_every_key)
{
	char *p = src_path("doc/scsiscope.1");
	size_t len = 0, k = 0;
	char *man = (char *)slurp(p, &len), *plain;

	cr_assert(man);
	plain = malloc(len + 1);
	cr_assert(plain);
	for (size_t i = 0; i < len; i++) {      /* undo roff's \- and \(aq */
		if (man[i] == '\\' && i + 1 < len && man[i + 1] == '-') {
			plain[k++] = '-';
			i++;
		} else if (man[i] == '\\' && i + 3 < len && !strncmp(man + i + 1, "(aq", 3)) {
			plain[k++] = '\'';
			i += 3;
		} else if (man[i] == '\\' && i + 1 < len && man[i + 1] == '\\') {
			plain[k++] = '\\';
			i++;
		} else
			plain[k++] = man[i];
	}
	plain[k] = '\0';
	for (const struct tui_key *key = tui_keys; key->keys; key++) {
		cr_assert(strstr(plain, key->keys), "the man page lacks the key '%s'", key->keys);
		cr_assert(strstr(plain, key->what), "the man page lacks '%s'", key->what);
	}
	free(plain);
	free(man);
	free(p);
}

/* ---------------------------------------------------------------- live */

/* A capture written as a pcapng record by record (usbmon 220): the BOT
 * sample on bus 1, whose device stops answering for 5 s in the middle of
 * a command, while the UAS sample's device on bus 2 runs its whole
 * workload in those 5 s.  Live decoding must pass over the BOT command
 * that stays open (by the content, and when the bus goes idle), which
 * changes the order of delivery. */
struct grow {
	struct strbuf file;       /* the whole pcapng */
	size_t header;            /* bytes of SHB + IDB */
	size_t *end;              /* end offset of record i */
	int64_t *ts;
	size_t n;
};

struct tev {
	struct usb_event ev;
	size_t order;
};

static int tev_cmp(const void *a, const void *b)
{
	const struct tev *x = a, *y = b;

	if (x->ev.ts_ns != y->ev.ts_ns)
		return x->ev.ts_ns < y->ev.ts_ns ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void read_sample(const char *rel, struct rec_list *l)
{
	char *p = src_path(rel);
	size_t len;
	uint8_t *buf = slurp(p, &len);

	cr_assert(buf);
	cr_assert_eq(read_all_mem(buf, len, l), 0);
	free(buf);
	free(p);
}

static void grow_build(struct grow *g)
{
	struct rec_list a, b;
	struct tev *t;
	size_t n = 0, gap = 0;
	int64_t shift = 5000000000LL;

	read_sample("samples/bot-ehci.pcap", &a);
	read_sample("samples/uas-xhci.pcap", &b);
	t = calloc(a.n + b.n, sizeof(*t));
	cr_assert(t);
	/* the first CBW past the middle: its command hangs 5 s after it */
	for (size_t i = a.n / 2; i < a.n && !gap; i++) {
		const struct usb_event *e = usb_rec(&a, i);
		if (e->xfer == USB_XFER_BULK && e->type == USB_EV_SUBMIT && e->caplen == 31 && !memcmp(e->data, "USBC", 4))
			gap = i + 1;
	}
	cr_assert(gap);
	for (size_t i = 0; i < a.n; i++) {
		t[n].ev = *usb_rec(&a, i);
		if (i >= gap)
			t[n].ev.ts_ns += shift;
		t[n].order = n;
		n++;
	}
	for (size_t i = 0; i < b.n; i++) {
		t[n].ev = *usb_rec(&b, i);
		t[n].ev.ts_ns = usb_rec(&a, gap - 1)->ts_ns + 1000000 + (t[n].ev.ts_ns - usb_rec(&b, 0)->ts_ns);
		t[n].order = n;
		n++;
	}
	qsort(t, n, sizeof(*t), tev_cmp);
	memset(g, 0, sizeof(*g));
	sb_init(&g->file);
	pcapngw_shb(&g->file, false);
	pcapngw_idb(&g->file, false, LINKTYPE_USB_LINUX_MMAPPED, 262144, 9);
	g->header = g->file.len;
	g->end = calloc(n, sizeof(*g->end));
	g->ts = calloc(n, sizeof(*g->ts));
	cr_assert(g->end && g->ts);
	for (size_t i = 0; i < n; i++) {
		struct strbuf pkt;
		uint32_t olen;

		sb_init(&pkt);
		olen = usbw_usbmon(&pkt, &t[i].ev, true, false);
		pcapngw_epb(&g->file, false, 0, t[i].ev.ts_ns, 9, pkt.buf, (uint32_t)pkt.len, olen);
		sb_release(&pkt);
		g->ts[g->n] = t[i].ev.ts_ns;
		g->end[g->n++] = g->file.len;
	}
	free(t);
	rec_list_free(&a);
	rec_list_free(&b);
}

static void grow_free(struct grow *g)
{
	sb_release(&g->file);
	free(g->end);
	free(g->ts);
}

/* Decode the stretched capture as live passes do, but in one go and
 * without idle flushes: what the whole file gives, for the set of
 * transactions (their order differs). */
static void grow_ref(const struct grow *g, const char *dir, struct ref *r)
{
	char *p = path_join(dir, "whole.pcapng");
	FILE *fp = fopen(p, "wb");

	cr_assert(fp);
	cr_assert_eq(fwrite(g->file.buf, 1, g->file.len, fp), g->file.len);
	fclose(fp);
	ref_decode(p, r, NULL);
	unlink(p);
	free(p);
}

static bool ref_has(const struct ref *r, uint64_t frame, uint8_t kind, const char **line)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->t[i].frame == frame && r->t[i].kind == kind) {
			if (line)
				*line = r->t[i].line;
			return true;
		}
	return false;
}

static bool index_has(const struct tui_index *x, uint64_t frame, uint8_t kind)
{
	for (uint64_t i = 0; i < tui_index_count(x); i++)
		if (tui_index_row(x, i)->frame == frame && tui_index_row(x, i)->kind == kind)
			return true;
	return false;
}

/* Until the leader has read `records` (and had time for an idle flush). */
static void wait_leader(struct tui_live *lv, uint64_t records)
{
	uint64_t at = 0;
	bool done = false;

	for (int i = 0; i < 20000; i++) {
		tui_live_leader(lv, &at, &done);
		if (at >= records || done)
			break;
		sleep_ms(1);
	}
	cr_assert_geq(at, records, "the index did not read the %" PRIu64 " records announced", records);
	sleep_ms(80);
}

/* The index (leader), a filter and the detail pane (followers) follow a
 * file written in steps, with part of the next record already written
 * but not announced; the bus goes idle after each step.  Every step shows
 * at once every transaction that ended in it (the idle flush passes over
 * the ones still open), the three number the transactions alike, and at
 * the end they are exactly the transactions of the whole file. */
Test(tui_live, passes_follow_a_growing_file_and_number_alike)
{
	char dir[] = "/tmp/scsiscope-tuilive-XXXXXX";
	struct grow g;
	struct ref r;
	char *path;
	FILE *fp;
	struct tui_live *lv;
	struct tui_index *x;
	struct tui_match *m;
	struct tui_detailer *d;
	struct filter *f;
	struct error err;
	size_t done = 0, written, nstep = 0;
	uint64_t out_of_order = 0;

	cr_assert(mkdtemp(dir));
	grow_build(&g);
	cr_assert_gt(g.n, 200);
	grow_ref(&g, dir, &r);
	path = path_join(dir, "live.pcapng");
	fp = fopen(path, "wb");
	cr_assert(fp);
	cr_assert_eq(fwrite(g.file.buf, 1, g.header, fp), g.header);
	fflush(fp);
	written = g.header;
	lv = tui_live_external(path, "test");
	cr_assert(lv);
	x = tui_index_start_live(lv, &err);
	cr_assert(x, "%s", errtext(&err));
	cr_assert_eq(filter_compile("kind==scsi && status==good", &f, &err), 0);
	m = tui_match_start_live(lv, f, &err);
	cr_assert(m, "%s", errtext(&err));
	d = tui_detailer_start_live(lv, x, &err);
	cr_assert(d, "%s", errtext(&err));

	while (done < g.n) {
		static const size_t steps[] = { 37, 3, 11, 1, 5, 2, 19, 7 };
		size_t step = steps[nstep++ % (sizeof(steps) / sizeof(steps[0]))];
		size_t upto = done + step < g.n ? done + step : g.n;
		/* the records up to upto, and half of the next one */
		size_t until = upto < g.n ? g.end[upto - 1] + (g.end[upto] - g.end[upto - 1]) / 2 : g.end[upto - 1];

		cr_assert_eq(fwrite(g.file.buf + written, 1, until - written, fp), until - written);
		fflush(fp);
		written = until;
		/* idle: the capture's clock 2 s past the last record */
		tui_live_publish(lv, upto, g.end[upto - 1], g.ts[upto - 1] + 2000000000LL);
		done = upto;
		wait_leader(lv, done);
		/* every transaction that ended in what was announced is shown
		 * (but a BOT CHECK CONDITION, which waits for the next command:
		 * its REQUEST SENSE may be the sense) */
		for (size_t i = 0; i < r.n; i++)
			if (r.t[i].last_frame <= done && !(r.t[i].bad && strstr(r.t[i].line, " bot #")))
				cr_assert(index_has(x, r.t[i].frame, r.t[i].kind),
					  "after %zu records, the row of frame %" PRIu64 " (ended at %" PRIu64 ") is not shown: %s",
					  done, r.t[i].frame, r.t[i].last_frame, r.t[i].line);
		cr_assert(!tui_index_done(x));
		/* the detail of the newest row, while the capture runs */
		if (tui_index_count(x)) {
			uint64_t seq = tui_index_count(x) - 1;
			struct tui_detail *t = wait_detail(d, seq);
			const char *line = NULL;
			cr_assert(ref_has(&r, tui_index_row(x, seq)->frame, tui_index_row(x, seq)->kind, &line));
			cr_assert_str_eq(t->nodes[0].text, line, "the newest row %" PRIu64, seq);
			tui_detail_put(d, t);
		}
	}
	cr_assert_eq(fwrite(g.file.buf + written, 1, g.file.len - written, fp), g.file.len - written);
	fclose(fp);
	tui_live_end(lv);
	for (int i = 0; i < 20000 && !(tui_index_done(x) && tui_match_done(m)); i++)
		sleep_ms(1);
	cr_assert(tui_index_done(x) && tui_match_done(m), "the passes did not end with the capture");
	cr_assert(!tui_index_failed(x, &err), "%s", errtext(&err));

	/* the same transactions as the whole file, each once */
	cr_assert_eq(tui_index_count(x), r.n, "%" PRIu64 " rows, the file has %zu transactions", tui_index_count(x), r.n);
	for (uint64_t i = 0; i < tui_index_count(x); i++) {
		const struct tui_row *row = tui_index_row(x, i);
		cr_assert(ref_has(&r, row->frame, row->kind, NULL), "row %" PRIu64 " (frame %" PRIu64 ") is not in the file's",
			  i, row->frame);
		if (i && row->frame < tui_index_row(x, i - 1)->frame)
			out_of_order++;
	}
	/* the test means something: live decoding did pass over open commands,
	 * by the content and by idle flushes */
	cr_assert_gt(out_of_order, 0, "no transaction was passed over: the capture does not test live numbering");
	cr_assert_gt(tui_live_log_count(lv), 0, "no idle flush was made");
	/* the filter numbers as the index does */
	cr_assert_eq(tui_match_count(m), tui_index_count(x));
	for (uint64_t i = 0; i < tui_index_count(x); i++) {
		const struct tui_row *row = tui_index_row(x, i);
		cr_assert_eq(tui_match_get(m, i), row->kind == TXN_SCSI && row->status == 0, "row %" PRIu64 " (frame %" PRIu64 ")",
			     i, row->frame);
	}
	/* and so does the detail pane, forward and back */
	for (uint64_t k = 0, seq = 0; k < 60; k++, seq = (seq * 7 + 13) % tui_index_count(x)) {
		const struct tui_row *row = tui_index_row(x, seq);
		struct tui_detail *t = wait_detail(d, seq);
		const char *line = NULL;
		cr_assert(ref_has(&r, row->frame, row->kind, &line));
		cr_assert_str_eq(t->nodes[0].text, line, "row %" PRIu64, seq);
		tui_detail_put(d, t);
	}
	tui_detailer_free(d);
	tui_match_free(m);
	tui_index_free(x);
	tui_live_free(lv);
	unlink(path);
	rmdir(dir);
	free(path);
	ref_free(&r);
	grow_free(&g);
}

/* Closing the passes while the capture runs (the bus idle, part of a
 * record written, the detail worker busy) returns at once: nothing waits
 * inside a reader. */
Test(tui_live, passes_stop_while_the_capture_runs, .timeout = 30)
{
	char dir[] = "/tmp/scsiscope-tuilive-XXXXXX";
	struct grow g;
	char *path;
	FILE *fp;
	struct tui_live *lv;
	struct tui_index *x;
	struct tui_match *m;
	struct tui_detailer *d;
	struct filter *f;
	struct error err;

	cr_assert(mkdtemp(dir));
	grow_build(&g);
	path = path_join(dir, "live.pcapng");
	fp = fopen(path, "wb");
	cr_assert(fp);
	/* the header and 40 records, then 10 bytes of the next */
	cr_assert_eq(fwrite(g.file.buf, 1, g.end[39] + 10, fp), g.end[39] + 10);
	fclose(fp);
	lv = tui_live_external(path, "test");
	tui_live_publish(lv, 40, g.end[39], g.ts[39]);
	x = tui_index_start_live(lv, &err);
	cr_assert(x, "%s", errtext(&err));
	cr_assert_eq(filter_compile("kind==scsi", &f, &err), 0);
	m = tui_match_start_live(lv, f, &err);
	d = tui_detailer_start_live(lv, x, &err);
	cr_assert(m && d);
	wait_leader(lv, 40);
	cr_assert_gt(tui_index_count(x), 0);
	/* the detail worker on its way, then everything closed */
	tui_detail_put(d, tui_detailer_get(d, tui_index_count(x) - 1));
	sleep_ms(5);
	tui_detailer_free(d);
	tui_match_free(m);
	tui_index_free(x);
	tui_live_free(lv);
	unlink(path);
	rmdir(dir);
	free(path);
	grow_free(&g);
}
