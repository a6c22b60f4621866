/* test_diff.c - scsiscope diff and decode --normalized: normalization, alignment, hunks, summary, exit codes, and the acceptance captures. */
#include "analyze/diff.h"
#include "bot_capture.h"
#include "cli_harness.h"

/* ------------------------------------------------------------ fields */

Test(normalize, fields_parse)
{
	unsigned bits;
	char why[400];

	cr_assert_eq(norm_fields_parse("lba,transport", &bits, why, sizeof(why)), 0);
	cr_assert_eq(bits, NORM_LBA | NORM_TRANSPORT);
	cr_assert_eq(norm_fields_parse("none", &bits, why, sizeof(why)), 0);
	cr_assert_eq(bits, 0);
	cr_assert_eq(norm_fields_parse("lba,bogus", &bits, why, sizeof(why)), -1);
	cr_assert(strstr(why, "bogus") && strstr(why, "autosense"), "%s", why);
	cr_assert_eq(norm_fields_parse("", &bits, why, sizeof(why)), -1);
	cr_assert_eq(sizeof(struct norm_txn), 112, "diff.h documents 112 bytes per transaction");
}

/* Random SCSI transactions from small domains, so that many are alike. */
static uint64_t rnd(void);
static void random_scsi(struct txn *t)
{
	static const uint8_t ops[] = { 0x00, 0x08, 0x12, 0x28, 0x2a, 0x35, 0x88, 0x9e, 0xa0, 0xc0, 0x7f, 0x03 };
	static const int16_t statuses[] = { -1, 0, 2, 0x7e, 0x08 };
	static const uint8_t lens[] = { 6, 10, 12, 16, 32 };
	struct scsi_txn *s = &t->u.scsi;

	memset(t, 0, sizeof(*t));
	t->kind = TXN_SCSI;
	s->bus = (uint16_t)(1 + rnd() % 2);
	s->device = (uint16_t)(3 + rnd() % 2);
	s->lun = rnd() % 2;
	s->tag = (uint32_t)(1 + rnd() % 2);
	s->transport = rnd() % 2 ? TRANSPORT_BOT : TRANSPORT_UAS;
	s->cdb_len = lens[rnd() % 5];
	s->cdb[0] = ops[rnd() % sizeof(ops)];
	for (unsigned i = 1; i < s->cdb_len; i++)
		s->cdb[i] = rnd() % 4 ? 0 : (uint8_t)(rnd() % 3 ? 0x10 : 0xe1);
	s->direction = (uint8_t)(rnd() % 3);
	s->expected_bytes = rnd() % 2 ? 512 : 0;
	s->expected_unknown = rnd() % 5 == 0;
	s->data.bytes = s->data.captured = rnd() % 2 ? 512 : 0;
	s->status = statuses[rnd() % 5];
	s->csw_status = (int16_t)(rnd() % 4) - 1;
	s->residue = rnd() % 2 ? 4 : 0;
	s->uas_response = rnd() % 3 ? -1 : (int16_t)(rnd() % 2 ? 0 : 4);
	s->sense.source = (uint8_t)(rnd() % 3);
	s->sense.key = (uint8_t)(rnd() % 2 ? 5 : 6);
	s->sense.asc = (uint8_t)(rnd() % 2 ? 0x24 : 0x29);
	s->sense.ascq = (uint8_t)(rnd() % 2);
	s->end = (uint8_t)(rnd() % 3);
}

struct keyed {
	uint64_t key, ident;
	char *text, *head;
};

static int by_text(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->text, ((const struct keyed *)b)->text);
}

static int by_head(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->head, ((const struct keyed *)b)->head);
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct keyed *)a)->key, y = ((const struct keyed *)b)->key;
	return x < y ? -1 : x > y;
}

static int by_ident(const void *a, const void *b)
{
	uint64_t x = ((const struct keyed *)a)->ident, y = ((const struct keyed *)b)->ident;
	return x < y ? -1 : x > y;
}

/* The key diff compares is the line decode --normalized prints: equal
 * lines, equal keys, and the other way round (and the same for the
 * command part and ident), under every set of ignored fields. */
Test(normalize, key_is_the_line)
{
	static const unsigned ignores[] = {
		NORM_IGNORE_DEFAULT, NORM_IGNORE_DEFAULT | NORM_LBA, NORM_IGNORE_DEFAULT | NORM_TRANSPORT,
		NORM_IGNORE_DEFAULT | NORM_SENSE | NORM_LUN, NORM_LBA | NORM_TRANSPORT, 0,
	};
	enum { N = 4000 };

	for (unsigned g = 0; g < sizeof(ignores) / sizeof(ignores[0]); g++) {
		struct normalizer *n = norm_new(ignores[g]);
		struct keyed *k = calloc(N, sizeof(*k));
		size_t m = 0, eq_text = 0;

		struct txn base[40];

		cr_assert(n && k);
		for (size_t i = 0; i < 40; i++)
			random_scsi(&base[i]);
		for (size_t i = 0; i < N; i++) {
			struct txn t, v;
			struct norm_txn r;
			struct strbuf sb = STRBUF_INIT;
			size_t at;
			/* one of a few commands, with one field maybe taken from another */
			t = base[rnd() % 40];
			random_scsi(&v);
			switch (rnd() % 12) {
			case 0: t.u.scsi.tag = v.u.scsi.tag; break;
			case 1: t.u.scsi.device = v.u.scsi.device; t.u.scsi.bus = v.u.scsi.bus; break;
			case 2: memcpy(t.u.scsi.cdb + 2, v.u.scsi.cdb + 2, 8); break;
			case 3: t.u.scsi.transport = v.u.scsi.transport; t.u.scsi.csw_status = v.u.scsi.csw_status; break;
			case 4: t.u.scsi.sense = v.u.scsi.sense; break;
			case 5: t.u.scsi.status = v.u.scsi.status; t.u.scsi.end = v.u.scsi.end; break;
			case 6: t.u.scsi.lun = v.u.scsi.lun; break;
			case 7: t.u.scsi.expected_unknown = v.u.scsi.expected_unknown; t.u.scsi.residue = v.u.scsi.residue; break;
			case 8: t.u.scsi.uas_response = v.u.scsi.uas_response; break;
			case 9: t.u.scsi.cdb[1] = v.u.scsi.cdb[1]; t.u.scsi.cdb_len = v.u.scsi.cdb_len; break;
			default: break;
			}
			if (norm_add(n, &t, &r, NULL) != 1)
				continue;
			sb_init(&sb);
			norm_render(n, &r, &sb, &at, false);
			k[m].key = r.key;
			k[m].ident = r.ident;
			k[m].head = strndup(sb.buf, at);
			k[m].text = sb.buf;
			m++;
		}
		qsort(k, m, sizeof(*k), by_text);
		for (size_t i = 1; i < m; i++)
			if (!strcmp(k[i - 1].text, k[i].text)) {
				eq_text++;
				cr_assert_eq(k[i - 1].key, k[i].key, "same line, other keys: %s", k[i].text);
			}
		cr_assert_gt(eq_text, 10, "the test needs alike transactions (%zu)", eq_text);
		qsort(k, m, sizeof(*k), by_key);
		for (size_t i = 1; i < m; i++)
			if (k[i - 1].key == k[i].key)
				cr_assert_str_eq(k[i - 1].text, k[i].text, "same key, other lines (ignore %#x)", ignores[g]);
		qsort(k, m, sizeof(*k), by_head);
		for (size_t i = 1; i < m; i++)
			if (!strcmp(k[i - 1].head, k[i].head))
				cr_assert_eq(k[i - 1].ident, k[i].ident, "same command, other idents: %s", k[i].head);
		qsort(k, m, sizeof(*k), by_ident);
		for (size_t i = 1; i < m; i++)
			if (k[i - 1].ident == k[i].ident)
				cr_assert_str_eq(k[i - 1].head, k[i].head, "same ident, other commands");
		for (size_t i = 0; i < m; i++) {
			free(k[i].text);
			free(k[i].head);
		}
		free(k);
		norm_free(n);
	}
}

/* ---------------------------------------------------------- alignment */

/* The length of a longest common subsequence, by dynamic programming. */
static uint64_t lcs(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	uint64_t *row = calloc(nb + 1, sizeof(*row)), *prev = calloc(nb + 1, sizeof(*prev)), r;

	cr_assert(row && prev);
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++)
			row[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : (row[j - 1] > prev[j] ? row[j - 1] : prev[j]);
		memcpy(prev, row, (nb + 1) * sizeof(*row));
	}
	r = prev[nb];
	free(row);
	free(prev);
	return r;
}

/* The aligned elements, in order, must be equal, and as many on each side. */
static uint64_t check_alignment(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, const uint8_t *ca,
				const uint8_t *cb)
{
	size_t i = 0, j = 0;
	uint64_t kept = 0;

	for (;;) {
		while (i < na && ca[i])
			i++;
		while (j < nb && cb[j])
			j++;
		if (i == na || j == nb)
			break;
		cr_assert_eq(a[i], b[j], "aligned %zu and %zu differ", i, j);
		i++, j++, kept++;
	}
	for (; i < na; i++)
		cr_assert(ca[i], "A %zu left unaligned without a partner", i);
	for (; j < nb; j++)
		cr_assert(cb[j], "B %zu left unaligned without a partner", j);
	return kept;
}

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

Test(align, minimal_on_random_sequences)
{
	for (int round = 0; round < 400; round++) {
		size_t na = rnd() % 60, nb = rnd() % 60;
		unsigned alpha = 1 + (unsigned)(rnd() % 6);
		uint64_t a[60], b[60];
		uint8_t ca[60] = { 0 }, cb[60] = { 0 };
		bool heur;

		for (size_t i = 0; i < na; i++)
			a[i] = rnd() % alpha;
		for (size_t j = 0; j < nb; j++)
			b[j] = rnd() % alpha;
		cr_assert_eq(diff_align_keys(a, na, b, nb, ca, cb, &heur), 0);
		cr_assert_not(heur);
		cr_assert_eq(check_alignment(a, na, b, nb, ca, cb), lcs(a, na, b, nb), "round %d: not minimal", round);
	}
}

Test(align, one_insertion_is_one_insertion)
{
	enum { N = 20000 };
	uint64_t *a = malloc(N * sizeof(*a)), *b = malloc((N + 1) * sizeof(*b));
	uint8_t *ca = calloc(N, 1), *cb = calloc(N + 1, 1);
	bool heur;

	cr_assert(a && b && ca && cb);
	/* few distinct keys, as a real capture (TEST UNIT READY, READ of the same blocks...) */
	for (size_t i = 0; i < N; i++)
		a[i] = rnd() % 4;
	memcpy(b, a, 7000 * sizeof(*a));
	b[7000] = 99;
	memcpy(b + 7001, a + 7000, (N - 7000) * sizeof(*a));
	cr_assert_eq(diff_align_keys(a, N, b, N + 1, ca, cb, &heur), 0);
	cr_assert_eq(check_alignment(a, N, b, N + 1, ca, cb), N);
	cr_assert(cb[7000]);
	free(a), free(b), free(ca), free(cb);
}

Test(align, very_different_sequences_stay_fast_and_valid)
{
	enum { N = 30000 };
	uint64_t *a = malloc(N * sizeof(*a)), *b = malloc(N * sizeof(*b));
	uint8_t *ca = calloc(N, 1), *cb = calloc(N, 1);
	bool heur;
	uint64_t kept;

	cr_assert(a && b && ca && cb);
	for (size_t i = 0; i < N; i++) {
		a[i] = rnd() % 3;
		b[i] = rnd() % 3;
	}
	cr_assert_eq(diff_align_keys(a, N, b, N, ca, cb, &heur), 0);
	kept = check_alignment(a, N, b, N, ca, cb);
	cr_assert(heur, "30000 random elements need more edits than the cost limit");
	cr_assert_gt(kept, N / 2, "a heuristic alignment still keeps most of a 3-letter LCS (kept %llu)",
		     (unsigned long long)kept);
	free(a), free(b), free(ca), free(cb);
}

/* ------------------------------------------------- captures, edited */

/* SBC-3 WRITE(10) of 8 blocks at 0x1000; SPC-4 INQUIRY VPD 80h. */
static const uint8_t WRITE10_8[10] = { 0x2a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0 };
static const uint8_t INQ_VPD80[6] = { 0x12, 1, 0x80, 0, 252, 0 };

enum edit { E_NONE, E_INSERT, E_REMOVE, E_CHANGE, E_DATA };

struct run_style {
	uint16_t dev;             /* device address */
	uint64_t id0;             /* first URB id */
	int64_t t0, step;         /* time of the first record, between records */
	uint32_t tag0;            /* first CBW tag */
};

/* A Bulk-Only session of 24 commands (the 10th the one edits change), as
 * one run would record it. */
static void session(struct strbuf *out, const struct run_style *rs, enum edit e)
{
	static uint8_t inq[36] = { 0, 0x80, 6, 2, 31 };
	static uint8_t cap[8] = { 0, 0, 0x7f, 0xff, 0, 0, 2, 0 };
	static uint8_t sense[18] = { 0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x11, 0x00 };
	static uint8_t blk[4096];
	struct capb b;
	uint32_t tag = rs->tag0;

	memset(blk, 0x5a, sizeof(blk));
	capb_open(&b, 1, rs->dev, 65535, rs->id0, rs->t0, rs->step);
	bot_enumerate(&b);
	for (int k = 0; k < 24; k++) {
		uint8_t rd[10];
		memcpy(rd, READ10_8, 10);
		rd[5] = (uint8_t)k;   /* LBA 4096 + k */
		if (k == 10 && e == E_REMOVE)
			continue;
		if (k == 10 && e == E_INSERT) {
			cbw(&b, tag, 252, true, INQ_VPD80, 6);
			bin(&b, 252, inq, 36, 0);
			csw(&b, tag++, 216, 0);
		}
		switch (k % 4) {
		case 0:
			cbw(&b, tag, 0, false, TUR, 6);
			csw(&b, tag++, 0, 0);
			break;
		case 1:
			cbw(&b, tag, 36, true, INQUIRY, 6);
			bin(&b, 36, inq, 36, 0);
			csw(&b, tag++, 0, 0);
			break;
		case 2:
			cbw(&b, tag, 4096, true, rd, 10);
			if (k == 10 && e == E_CHANGE) {
				/* MEDIUM ERROR: the data phase ends short, CHECK CONDITION, REQUEST SENSE */
				bin(&b, 4096, blk, 0, 0);
				csw(&b, tag++, 4096, 1);
				cbw(&b, tag, 18, true, REQSENSE, 6);
				bin(&b, 18, sense, 18, 0);
				csw(&b, tag++, 0, 0);
			} else {
				if (k == 10 && e == E_DATA)
					blk[100] ^= 1;
				bin(&b, 4096, blk, 4096, 0);
				if (k == 10 && e == E_DATA)
					blk[100] ^= 1;
				csw(&b, tag++, 0, 0);
			}
			break;
		default:
			cbw(&b, tag, 8, true, READ_CAP10, 10);
			bin(&b, 8, cap, 8, 0);
			csw(&b, tag++, 0, 0);
			break;
		}
	}
	cbw(&b, tag, 4096, false, WRITE10_8, 10);
	bout(&b, blk, 4096, 0);
	csw(&b, tag, 0, 0);
	*out = b.sb;
}

static const struct run_style RUN1 = { 5, 0xffff888000001000ULL, 1700000000000000000LL, 25000, 1 };
/* another run: another address, URB ids, tags, start time and pace */
static const struct run_style RUN2 = { 9, 0xffff999000777000ULL, 1800000000123456789LL, 31000, 0x1000 };

static void write_session(const struct run_style *rs, enum edit e, char path[64])
{
	struct strbuf sb;

	session(&sb, rs, e);
	write_temp(sb.buf, sb.len, path);
	sb_release(&sb);
}

/* Lines of out starting with c, not counting the "--- "/"+++ " header. */
static unsigned count_lines(const char *out, char c)
{
	unsigned n = 0;

	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (*p == c && strncmp(p, "--- ", 4) && strncmp(p, "+++ ", 4))
			n++;
	return n;
}

static struct cli_run diff_files(const char *opts, const char *a, const char *b)
{
	char args[512];

	snprintf(args, sizeof(args), "diff %s %s %s", opts, a, b);
	return run_scsiscope(args);
}

Test(diff_cli, another_run_of_the_same_session_is_equal)
{
	char a[64], b[64];
	struct cli_run r;

	write_session(&RUN1, E_NONE, a);
	write_session(&RUN2, E_NONE, b);
	r = diff_files("", a, b);
	cr_assert_eq(r.status, 0, "exit %d\n%s%s", r.status, r.out, r.err);
	cr_assert(strstr(r.out, "== same: 0 removed, 0 added, 0 changed"), "%s", r.out);
	cr_assert_eq(count_lines(r.out, '@'), 0);
	cli_run_free(&r);
	/* tags and addresses are compared when asked */
	r = diff_files("--compare tag", a, b);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cli_run_free(&r);
	r = diff_files("--compare address -q", a, b);
	cr_assert_eq(r.status, 1);
	cr_assert_str_empty(r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
}

Test(diff_cli, an_inserted_command_is_one_hunk_of_one_line)
{
	char a[64], b[64];
	struct cli_run r;

	write_session(&RUN1, E_NONE, a);
	write_session(&RUN2, E_INSERT, b);
	r = diff_files("", a, b);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert_eq(count_lines(r.out, '@'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '+'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '-'), 0, "%s", r.out);
	cr_assert_eq(count_lines(r.out, ' '), 6, "3 lines of context each side:\n%s", r.out);
	cr_assert(strstr(r.out, "\n+") && strstr(strstr(r.out, "\n+"), "INQUIRY evpd page=0x80 alloc=252"), "%s", r.out);
	cr_assert(strstr(r.out, "0 removed, 1 added, 0 changed"), "%s", r.out);
	/* the hunk names the frames it covers on each side */
	cr_assert(strstr(r.out, "@@ -11,6 +11,7 @@ frames A 45-73, B 45-79\n"), "%s", r.out);
	cli_run_free(&r);
	/* the other way round, a removal */
	r = diff_files("-U 1", b, a);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(count_lines(r.out, '@'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '-'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '+'), 0, "%s", r.out);
	cr_assert_eq(count_lines(r.out, ' '), 2, "%s", r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
}

Test(diff_cli, a_removed_command_is_one_hunk)
{
	char a[64], b[64];
	struct cli_run r;

	write_session(&RUN1, E_NONE, a);
	write_session(&RUN2, E_REMOVE, b);
	r = diff_files("", a, b);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(count_lines(r.out, '@'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '-'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '+'), 0, "%s", r.out);
	cr_assert(strstr(r.out, "READ(10) lba=4106 blocks=8"), "%s", r.out);
	cr_assert(strstr(r.out, "1 removed, 0 added"), "%s", r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
}

Test(diff_cli, a_changed_status_is_one_hunk_listed_first)
{
	char a[64], b[64];
	struct cli_run r;
	const char *st, *other;

	write_session(&RUN1, E_NONE, a);
	write_session(&RUN2, E_CHANGE, b);
	r = diff_files("", a, b);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(count_lines(r.out, '@'), 1, "%s", r.out);
	/* the READ as it was, the READ that failed, and BOT's REQUEST SENSE */
	cr_assert_eq(count_lines(r.out, '-'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '+'), 2, "%s", r.out);
	cr_assert(strstr(r.out, "0 removed, 1 added, 1 changed (1 in status or sense)"), "%s", r.out);
	st = strstr(r.out, "status or sense changed (1):");
	cr_assert(st, "%s", r.out);
	cr_assert(strstr(st, "READ(10) lba=4106 blocks=8"), "%s", st);
	cr_assert(strstr(st, "B: in 0/4096 CHECK CONDITION MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00)"), "%s", st);
	other = strstr(r.out, "other changes");
	cr_assert(!other || other > st);
	cli_run_free(&r);
	/* --ignore autosense: the REQUEST SENSE goes, the change stays */
	r = diff_files("--ignore autosense", a, b);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(count_lines(r.out, '+'), 1, "%s", r.out);
	cr_assert(strstr(r.out, "0 removed, 0 added, 1 changed (1 in status or sense)"), "%s", r.out);
	cli_run_free(&r);
	/* JSON: one change record, what=status */
	r = diff_files("--json", a, b);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.out, "{\"kind\":\"hunk\",\"a_line\":"), "%s", r.out);
	cr_assert(strstr(r.out, "{\"kind\":\"change\",\"what\":\"status\""), "%s", r.out);
	cr_assert(strstr(r.out, "\"same\":false") && strstr(r.out, "\"status_changed\":1"), "%s", r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
}

Test(diff_cli, data_is_compared_when_asked)
{
	char a[64], b[64];
	struct cli_run r;

	write_session(&RUN1, E_NONE, a);
	write_session(&RUN2, E_DATA, b);
	r = diff_files("", a, b);
	cr_assert_eq(r.status, 0, "payloads are not compared by default: %s", r.out);
	cli_run_free(&r);
	r = diff_files("--data", a, b);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '@'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '-'), 1, "%s", r.out);
	cr_assert_eq(count_lines(r.out, '+'), 1, "%s", r.out);
	cr_assert(strstr(r.out, "data=xxh3:"), "%s", r.out);
	cr_assert(strstr(r.out, "1 with other data"), "%s", r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
}

Test(diff_cli, filter_lba_and_timing)
{
	char a[64], b[64];
	struct cli_run r;

	write_session(&RUN1, E_NONE, a);
	write_session(&RUN2, E_REMOVE, b);
	/* the removed READ(10) is not among what the filter keeps */
	r = diff_files("--filter 'opcode!=0x28'", a, b);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cli_run_free(&r);
	r = diff_files("--filter 'opcode=='", a, b);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--filter"), "%s", r.err);
	cli_run_free(&r);
	/* RUN2's pace is 31 us against 25 us a record: every command is slower, by 24% */
	r = diff_files("--timing 10 --timing-floor 0.001", a, a);
	cr_assert_eq(r.status, 0);
	cli_run_free(&r);
	unlink(b);
	write_session(&RUN2, E_NONE, b);
	r = diff_files("--timing 10 --timing-floor 0.001", a, b);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(strstr(r.out, "latency regressed"), "%s", r.out);
	cr_assert(strstr(r.out, "\n!"), "%s", r.out);
	cli_run_free(&r);
	r = diff_files("--timing 30 --timing-floor 0.001", a, b);
	cr_assert_eq(r.status, 0, "24%% is below 30%%: %s", r.out);
	cli_run_free(&r);
	r = diff_files("--timing 10", a, b);
	cr_assert_eq(r.status, 0, "a few microseconds are below the 1 ms floor: %s", r.out);
	cli_run_free(&r);
	unlink(a);
	unlink(b);
}

Test(diff_cli, usage_and_input_errors_exit_2)
{
	char a[64];
	struct cli_run r;
	static const char junk[] = "not a capture at all, not even close";

	write_session(&RUN1, E_NONE, a);
	r = run_scsiscope("diff");
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	r = diff_files("--ignore nonsense", a, a);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "nonsense") && strstr(r.err, "transport"), "%s", r.err);
	cli_run_free(&r);
	r = diff_files("", a, "/nonexistent/b.pcap");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "/nonexistent/b.pcap"), "%s", r.err);
	cli_run_free(&r);
	{
		char j[64];
		write_temp(junk, sizeof(junk) - 1, j);
		r = diff_files("", a, j);
		cr_assert_eq(r.status, 2, "%s", r.err);
		cr_assert(strstr(r.err, j), "%s", r.err);
		cli_run_free(&r);
		unlink(j);
	}
	{
		/* damaged after its good part: an error naming file and frame, exit 2 */
		size_t len;
		uint8_t *buf = slurp(a, &len);
		char d[64];
		cr_assert(buf);
		write_temp(buf, len - 7, d);
		r = diff_files("", a, d);
		cr_assert_eq(r.status, 2, "%s", r.err);
		cr_assert(strstr(r.err, d) && strstr(r.err, "frame"), "%s", r.err);
		cli_run_free(&r);
		unlink(d);
		free(buf);
	}
	unlink(a);
}

/* ------------------------------------- decode --normalized agrees with diff */

/* The lines of scsiscope diff's hunks starting with c, without the frame columns. */
static char *hunk_texts(const char *out, char c)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *e = strchr(p, '\n');
		if (*p != c || !strncmp(p, "--- ", 4) || !strncmp(p, "+++ ", 4))
			continue;
		/* mark, two 8-column frame fields, two spaces */
		sb_add(&sb, p + 19, (size_t)((e ? e : p + strlen(p)) - (p + 19)));
		sb_addc(&sb, '\n');
	}
	return sb.alloc ? sb.buf : strdup("");
}

Test(normalized, decode_normalized_is_what_diff_compares)
{
	enum edit edits[] = { E_INSERT, E_REMOVE, E_CHANGE };
	char a[64], b[64], cmd[512];
	struct cli_run r, na, nb, ld;

	write_session(&RUN1, E_NONE, a);
	for (unsigned k = 0; k < 3; k++) {
		char *minus, *plus, na_path[64], nb_path[64];
		write_session(&RUN2, edits[k], b);
		r = diff_files("-U 0", a, b);
		snprintf(cmd, sizeof(cmd), "decode --normalized %s", a);
		na = run_scsiscope(cmd);
		snprintf(cmd, sizeof(cmd), "decode --normalized %s", b);
		nb = run_scsiscope(cmd);
		cr_assert_eq(na.status, 0);
		cr_assert_eq(nb.status, 0);
		write_temp(na.out, strlen(na.out), na_path);
		write_temp(nb.out, strlen(nb.out), nb_path);
		/* any line diff tool finds the same lines */
		snprintf(cmd, sizeof(cmd), "diff -U 0 %s %s > %s.ld; true", na_path, nb_path, na_path);
		cr_assert_eq(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s.ld", na_path);
		ld.out = slurp_text(cmd);
		minus = hunk_texts(r.out, '-');
		plus = hunk_texts(r.out, '+');
		/* diff -U 0's lines are "-TEXT" and "+TEXT" */
		{
			struct strbuf m = STRBUF_INIT, p = STRBUF_INIT;
			sb_init(&m);
			sb_init(&p);
			for (const char *q = ld.out; q && *q; q = strchr(q, '\n'), q = q ? q + 1 : NULL) {
				const char *e = strchr(q, '\n');
				size_t n = (size_t)((e ? e : q + strlen(q)) - q);
				if (!strncmp(q, "--- ", 4) || !strncmp(q, "+++ ", 4))
					continue;
				if (*q == '-')
					sb_add(&m, q + 1, n - 1), sb_addc(&m, '\n');
				else if (*q == '+')
					sb_add(&p, q + 1, n - 1), sb_addc(&p, '\n');
			}
			cr_assert_str_eq(m.buf ? m.buf : "", minus, "edit %u", k);
			cr_assert_str_eq(p.buf ? p.buf : "", plus, "edit %u", k);
			cr_assert(strlen(minus) + strlen(plus) > 0);
			sb_release(&m);
			sb_release(&p);
		}
		free(minus);
		free(plus);
		free(ld.out);
		unlink(cmd);
		unlink(na_path);
		unlink(nb_path);
		cli_run_free(&r);
		cli_run_free(&na);
		cli_run_free(&nb);
		unlink(b);
	}
	unlink(a);
}

Test(normalized, options)
{
	char a[64], cmd[256];
	struct cli_run r;

	write_session(&RUN1, E_NONE, a);
	snprintf(cmd, sizeof(cmd), "decode --normalized %s", a);
	r = run_scsiscope(cmd);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "d1 L0 bot READ(10) lba=4098 blocks=8 [28 00 00 00 10 02 00 00 08 00] in 4096/4096 GOOD "
				"csw=0 residue=0\n"), "%s", r.out);
	cr_assert_null(strstr(r.out, "#"), "no tags by default");
	cli_run_free(&r);
	snprintf(cmd, sizeof(cmd), "decode --normalized --ignore lba,transport --compare tag,address --data %s", a);
	r = run_scsiscope(cmd);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "1:005 L0 #3 READ(10) blocks=8 [28 00 .. .. .. .. 00 00 08 00] in 4096 GOOD  data=xxh3:"),
		  "%s", r.out);
	cli_run_free(&r);
	snprintf(cmd, sizeof(cmd), "decode --ignore lba %s", a);
	r = run_scsiscope(cmd);
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);
	unlink(a);
}

/* --------------------------------------------------- acceptance: rig runs */

static bool have_src(const char *rel)
{
	char *p = src_path(rel);
	bool ok = access(p, R_OK) == 0;

	free(p);
	return ok;
}

static struct cli_run diff_src(const char *opts, const char *a, const char *b)
{
	char *pa = src_path(a), *pb = src_path(b), args[3000];
	struct cli_run r;

	snprintf(args, sizeof(args), "diff %s '%s' '%s'", opts, pa, pb);
	r = run_scsiscope(args);
	free(pa);
	free(pb);
	return r;
}

/* Second runs of the rig's workloads (samples/README.md): other times, URB
 * tags, UAS tags, completion order, root-hub polling; the same commands. */
Test(acceptance, second_rig_runs_are_equal)
{
	static const char *const runs[][2] = {
		{ "samples/bot-ehci.pcap", "samples/bot-ehci-run2.pcap" },
		{ "samples/uas-ehci.pcap", "samples/uas-ehci-run2.pcap" },
		{ "samples/uas-xhci.pcap", "samples/uas-xhci-run2.pcap" },
	};

	for (unsigned k = 0; k < 3; k++) {
		struct cli_run r;
		cr_assert(have_src(runs[k][1]), "%s is missing", runs[k][1]);
		r = diff_src("", runs[k][0], runs[k][1]);
		cr_assert_eq(r.status, 0, "%s vs %s:\n%s%s", runs[k][0], runs[k][1], r.out, r.err);
		cli_run_free(&r);
		/* ... while the raw captures do differ */
		r = diff_src("--compare hub,tag,address", runs[k][0], runs[k][1]);
		cr_assert_neq(r.status, 2, "%s", r.err);
		cli_run_free(&r);
	}
}

/* The BOT and the UAS sample of the same workload (samples/README.md). */
Test(acceptance, bot_against_uas)
{
	struct cli_run r;
	const char *p;

	/* by default every SCSI line differs (transport, tags of sense, CSW) */
	r = diff_src("", "samples/bot-ehci.pcap", "samples/uas-ehci.pcap");
	cr_assert_eq(r.status, 1);
	{
		char *ctx = hunk_texts(r.out, ' ');
		cr_assert_null(strstr(ctx, " L0 "), "no SCSI command is the same by default:\n%s", r.out);
		free(ctx);
	}
	cli_run_free(&r);

	r = diff_src("--ignore transport,autosense -U 1", "samples/bot-ehci.pcap", "samples/uas-ehci.pcap");
	cr_assert_eq(r.status, 1);
	/* What the devices (and the drivers above them) really did differently:
	 * descriptors, the sd probe usb-storage restricts (no VPD pages, READ
	 * CAPACITY(10), MODE SENSE 192 bytes) against the full UAS probe, the
	 * UNIT ATTENTION QEMU's BOT device reports after it is added, and the
	 * failed INQUIRY of VPD page ABh whose 255 bytes only BOT moved. */
	cr_assert(strstr(r.out, "0 changed") == NULL);
	cr_assert(strstr(r.out, "(0 in status or sense)"), "%s", r.out);
	/* The workload proper is the same on both: it shows only as context, if at all. */
	{
		static const char *const same[] = {
			"WRITE(10) lba=4096 blocks=8", "READ(10) lba=4096 blocks=8", "SYNCHRONIZE CACHE(10)",
			"VENDOR SPECIFIC (C0h)", "START STOP UNIT eject", "MEDIUM NOT PRESENT",
		};
		for (unsigned k = 0; k < sizeof(same) / sizeof(same[0]); k++)
			for (p = strstr(r.out, same[k]); p; p = strstr(p + 1, same[k])) {
				const char *bol = p;
				while (bol > r.out && bol[-1] != '\n')
					bol--;
				cr_assert(*bol == ' ' || *bol == '=' || !strncmp(bol, "  frame", 7),
					  "%s differs:\n%s", same[k], r.out);
			}
	}
	cr_assert_null(strstr(r.out, " bot "));
	cr_assert_null(strstr(r.out, " uas "));
	cr_assert_null(strstr(r.out, "REQUEST SENSE"));
	cr_assert(strstr(r.out, "INQUIRY evpd page=0xab alloc=255"), "%s", r.out);
	cli_run_free(&r);
}

/* ------------------------------------------------ the README's CI recipe */

/* Run the README's CI recipe (between its ci-recipe markers) in a fresh
 * directory with KNOWN_GOOD and CAPTURE set; returns its exit status and
 * leaves the directory's name in dir. */
static int run_recipe(const char *known_good, const char *capture, char dir[64])
{
	char *readme = src_path("README.md"), *text, *b, *e, script[128], cmd[4096];
	const char *bd = getenv("top_builddir");
	size_t len;
	FILE *f;
	int st;

	text = (char *)slurp(readme, &len);
	cr_assert(text, "cannot read %s", readme);
	b = strstr(text, "<!-- ci-recipe: begin -->");
	cr_assert(b, "README.md has no ci-recipe block");
	b = strstr(b, "```sh\n");
	cr_assert(b);
	b += 6;
	e = strstr(b, "```\n<!-- ci-recipe: end -->");
	cr_assert(e, "the ci-recipe block is not closed");
	snprintf(dir, 64, "/tmp/scsiscope-ci-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/step.sh", dir);
	f = fopen(script, "w");
	cr_assert(f);
	fwrite(b, 1, (size_t)(e - b), f);
	fclose(f);
	cr_assert(bd);
	snprintf(cmd, sizeof(cmd), "cd %s && PATH='%s':\"$PATH\" KNOWN_GOOD='%s' CAPTURE='%s' sh step.sh >log 2>&1", dir,
		 bd, known_good, capture);
	st = system(cmd);
	cr_assert(WIFEXITED(st));
	free(text);
	free(readme);
	return WEXITSTATUS(st);
}

static bool in_dir(const char *dir, const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, R_OK) == 0;
}

static void rm_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(readme, ci_recipe_passes_on_a_second_run_and_fails_on_a_change)
{
	char *good = src_path("samples/bot-ehci.pcap"), *again = src_path("samples/bot-ehci-run2.pcap");
	char *other = src_path("samples/uas-ehci.pcap"), dir[64], log[128];
	struct cli_run r;

	cr_assert_eq(run_recipe(good, again, dir), 0, "the second run of the workload fails the job");
	cr_assert(in_dir(dir, "scsiscope-diff.txt"));
	cr_assert_not(in_dir(dir, "failing.pcapng"));
	rm_dir(dir);

	cr_assert_eq(run_recipe(good, other, dir), 1, "another device must fail the job");
	snprintf(log, sizeof(log), "%s/log", dir);
	r.out = slurp_text(log);
	cr_assert(strstr(r.out, "@@ ") && strstr(r.out, "== different:"), "the report is in the job log:\n%s", r.out);
	free(r.out);
	cr_assert(in_dir(dir, "failing.pcapng"), "the failing commands are handed over");
	{
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "decode --scsi-only --filter 'status!=good' %s/failing.pcapng", dir);
		r = run_scsiscope(cmd);
		cr_assert_eq(r.status, 0);
		cr_assert(strstr(r.out, "MEDIUM NOT PRESENT"), "%s", r.out);
		cli_run_free(&r);
	}
	rm_dir(dir);

	cr_assert_eq(run_recipe(good, "/nonexistent.pcap", dir), 2, "a missing capture fails the job");
	rm_dir(dir);
	free(good);
	free(again);
	free(other);
}

/* ------------------------------------------- commands in flight together */

/* A sequence of records with the given keys; those in conc are flagged as
 * in flight together with a neighbour. */
static void seq_of(struct diff_seq *s, const uint64_t *keys, size_t n, uint64_t conc_mask)
{
	cr_assert_eq(diff_seq_init(s, "seq", NORM_IGNORE_DEFAULT), 0);
	s->r = calloc(n + 1, sizeof(*s->r));
	cr_assert(s->r);
	s->n = s->alloc = n;
	for (size_t i = 0; i < n; i++) {
		s->r[i].kind = TXN_SCSI;
		s->r[i].key = keys[i];
		s->r[i].ident = keys[i] * 7 + 1;
		s->r[i].frame = 10 * (i + 1);
		s->r[i].cdb_len = 6;
		s->r[i].status = 0;
		if (conc_mask & (1u << i))
			s->r[i].flags |= NORM_F_CONCURRENT;
	}
}

static int run_seqs(const uint64_t *a, size_t na, uint64_t ca, const uint64_t *b, size_t nb, uint64_t cb,
		    struct diff_stats *st)
{
	struct diff_seq A, B;
	struct diff_opts o;
	int rc;

	diff_opts_default(&o);
	seq_of(&A, a, na, ca);
	seq_of(&B, b, nb, cb);
	rc = diff_run(&A, &B, &o, NULL, st);
	diff_seq_free(&A);
	diff_seq_free(&B);
	return rc;
}

Test(reorder, concurrent_commands_in_another_order_are_not_a_difference)
{
	static const uint64_t a[] = { 1, 2, 3, 4, 5, 6 }, b[] = { 1, 2, 4, 3, 5, 6 };
	struct diff_stats st;

	/* 3 and 4 were in flight together in A (and B) */
	cr_assert_eq(run_seqs(a, 6, 0x0c, b, 6, 0x0c, &st), 0);
	cr_assert_eq(st.reordered, 1);
	cr_assert_eq(st.removed + st.added + st.changed, 0);
	/* in flight together on one side is enough */
	cr_assert_eq(run_seqs(a, 6, 0x0c, b, 6, 0, &st), 0);
	/* one after the other on both sides: the order is a difference */
	cr_assert_eq(run_seqs(a, 6, 0, b, 6, 0, &st), 1);
	cr_assert_eq(st.reordered, 0);
	cr_assert_eq(st.removed, 1);
	cr_assert_eq(st.added, 1);
}

Test(reorder, a_changed_result_pairs_with_its_command)
{
	/* the same command (ident) with another result (key) */
	static const uint64_t a[] = { 1, 2, 3, 4 }, b[] = { 1, 2, 9, 4 };
	struct diff_seq A, B;
	struct diff_opts o;
	struct diff_stats st;

	diff_opts_default(&o);
	seq_of(&A, a, 4, 0);
	seq_of(&B, b, 4, 0);
	B.r[2].ident = A.r[2].ident;
	B.r[2].status = 2;
	cr_assert_eq(diff_run(&A, &B, &o, NULL, &st), 1);
	cr_assert_eq(st.changed, 1);
	cr_assert_eq(st.status_changed, 1);
	cr_assert_eq(st.removed + st.added, 0);
	cr_assert_eq(st.hunks, 1);
	diff_seq_free(&A);
	diff_seq_free(&B);
}
