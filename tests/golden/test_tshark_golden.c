/* test_tshark_golden.c - every BOT/UAS command tshark decodes in the samples and the shared captures: same frame, opcode, tag, status and sense from the decoder. */
#include "golden.h"

/*
 * The references are the .tsv files in tests/golden/tshark, written by
 * tests/golden/record-tshark.sh (its header says what each column is and
 * how the status and the sense were linked to their command).  tshark is
 * not needed here.
 *
 * Every scsiscope SCSI transaction must be one of tshark's commands, except
 * the ones listed in EXTRA below, each with the reason.
 */

struct extra {
	const char *golden;       /* golden file name */
	uint64_t frame;
	const char *why;
};

static const struct extra EXTRA[] = {
	{ NULL, 0, NULL },
};

static bool extra_ok(const char *golden, uint64_t frame)
{
	for (const struct extra *e = EXTRA; e->golden; e++)
		if (!strcmp(e->golden, golden) && e->frame == frame)
			return true;
	return false;
}

ParameterizedTestParameters(tshark_golden, capture)
{
	return g_name_params("tests/golden/tshark", ".tsv");
}

/* Columns of a golden line (see record-tshark.sh). */
enum { C_FRAME, C_BUS, C_DEV, C_TP, C_LUN, C_TAG, C_OP, C_XFER, C_CSW, C_RESIDUE, C_LINK, C_STATUS, C_SRC,
       C_SFRAME, C_KEY, C_ASC, C_ASCQ, C_N };

static uint8_t sense_source_of(const char *src)
{
	if (!strcmp(src, "iu"))
		return SENSE_UAS_IU;
	if (!strcmp(src, "own"))
		return SENSE_OWN_DATA;
	if (!strcmp(src, "auto"))
		return SENSE_AUTOSENSE;
	cr_assert_str_eq(src, "-", "unknown sense source \"%s\"", src);
	return SENSE_NONE;
}

static void check_line(const char *g, const struct gcol *col, char **f)
{
	uint64_t frame = (uint64_t)g_num(f[C_FRAME]);
	const struct gcmd *c = g_at_frame(col, frame);
	const struct scsi_txn *s;
	long long v;
	uint8_t src;

	cr_assert(c, "%s: no SCSI transaction for tshark's command at frame %" PRIu64, g, frame);
	s = &c->s;
	cr_assert_eq(s->transport, !strcmp(f[C_TP], "bot") ? TRANSPORT_BOT : TRANSPORT_UAS,
		     "%s frame %" PRIu64 ": transport %s, tshark %s", g, frame, transport_name(s->transport), f[C_TP]);
	cr_assert_gt(s->cdb_len, 0, "%s frame %" PRIu64 ": no CDB", g, frame);
	if ((v = g_num(f[C_OP])) >= 0)
		cr_assert_eq(s->cdb[0], v, "%s frame %" PRIu64 ": opcode 0x%02x, tshark 0x%02llx", g, frame, s->cdb[0], v);
	cr_assert_eq(s->tag, (uint32_t)g_num(f[C_TAG]), "%s frame %" PRIu64 ": tag %u, tshark %s", g, frame, s->tag,
		     f[C_TAG]);
	if ((v = g_num(f[C_BUS])) >= 0)
		cr_assert_eq(s->bus, v, "%s frame %" PRIu64 ": bus", g, frame);
	if ((v = g_num(f[C_DEV])) >= 0)
		cr_assert_eq(s->device, v, "%s frame %" PRIu64 ": device", g, frame);
	if ((v = g_num(f[C_LUN])) >= 0)
		cr_assert_eq(s->lun, (uint64_t)v, "%s frame %" PRIu64 ": LUN", g, frame);
	if ((v = g_num(f[C_XFER])) >= 0)
		cr_assert_eq(s->expected_bytes, v, "%s frame %" PRIu64 ": dCBWDataTransferLength %u, tshark %lld", g,
			     frame, s->expected_bytes, v);
	if ((v = g_num(f[C_CSW])) >= 0) {
		cr_assert_eq(s->csw_status, v, "%s frame %" PRIu64 ": CSW status %d, tshark %lld (CSW linked by %s)", g,
			     frame, s->csw_status, v, f[C_LINK]);
		cr_assert(s->has_residue, "%s frame %" PRIu64 ": no residue", g, frame);
		cr_assert_eq(s->residue, (uint32_t)g_num(f[C_RESIDUE]), "%s frame %" PRIu64 ": residue %u, tshark %s", g,
			     frame, s->residue, f[C_RESIDUE]);
		if (v <= 1)
			cr_assert_eq(s->status, v ? 2 : 0, "%s frame %" PRIu64 ": status %d for CSW status %lld", g, frame,
				     s->status, v);
		else
			cr_assert_eq(s->status, -1, "%s frame %" PRIu64 ": phase error, status %d", g, frame, s->status);
	} else if (!strcmp(f[C_TP], "bot")) {
		cr_assert_eq(s->csw_status, -1, "%s frame %" PRIu64 ": CSW status %d where tshark sees no CSW", g, frame,
			     s->csw_status);
	}
	if ((v = g_num(f[C_STATUS])) >= 0)
		cr_assert_eq(s->status, v, "%s frame %" PRIu64 ": status %d, tshark %lld", g, frame, s->status, v);
	src = sense_source_of(f[C_SRC]);
	cr_assert_eq(s->sense.source, src, "%s frame %" PRIu64 ": sense from %s, tshark %s", g, frame,
		     sense_source_name(s->sense.source), f[C_SRC]);
	if (src != SENSE_NONE) {
		cr_assert_eq(s->sense.frame, (uint64_t)g_num(f[C_SFRAME]), "%s frame %" PRIu64 ": sense in frame %" PRIu64
			     ", tshark %s", g, frame, s->sense.frame, f[C_SFRAME]);
		cr_assert_eq(s->sense.key, g_num(f[C_KEY]), "%s frame %" PRIu64 ": sense key %u, tshark %s", g, frame,
			     s->sense.key, f[C_KEY]);
		cr_assert_eq(s->sense.asc, g_num(f[C_ASC]), "%s frame %" PRIu64 ": ASC %u, tshark %s", g, frame,
			     s->sense.asc, f[C_ASC]);
		cr_assert_eq(s->sense.ascq, g_num(f[C_ASCQ]), "%s frame %" PRIu64 ": ASCQ %u, tshark %s", g, frame,
			     s->sense.ascq, f[C_ASCQ]);
	}
}

ParameterizedTest(struct g_name_param *p, tshark_golden, capture)
{
	char line[1024], *subject;
	uint64_t *frames = NULL;
	size_t nframes = 0;
	struct gcol col;
	FILE *fp;
	char *path;

	fp = g_open("tests/golden/tshark", p->name, &path);
	subject = g_golden_subject(fp, p->name);
	if (!g_decode(subject, &col)) {
		fclose(fp);
		free(path);
		cr_skip_test("%s is absent (../shared not beside the source tree?)", subject);
	}
	while (fgets(line, sizeof(line), fp)) {
		char *f[C_N + 1];
		if (line[0] == '#')
			continue;
		cr_assert_eq(g_split(line, f, C_N + 1), C_N, "%s: a line without %d columns", p->name, C_N);
		check_line(p->name, &col, f);
		frames = realloc(frames, (nframes + 1) * sizeof(*frames));
		cr_assert(frames);
		frames[nframes++] = (uint64_t)g_num(f[C_FRAME]);
	}
	fclose(fp);
	cr_assert_gt(nframes, 0, "%s: no commands", p->name);
	/* and nothing tshark does not see as a command */
	for (size_t i = 0; i < col.n; i++) {
		bool found = false;
		for (size_t j = 0; j < nframes && !found; j++)
			found = frames[j] == col.c[i].s.frame;
		cr_assert(found || extra_ok(p->name, col.c[i].s.frame),
			  "%s: SCSI transaction at frame %" PRIu64 " (%s, tag %u) that tshark does not show", p->name,
			  col.c[i].s.frame, col.c[i].ci.name, col.c[i].s.tag);
	}
	free(frames);
	free(subject);
	free(path);
	gcol_free(&col);
}

/* The goldens cover every kind of capture the acceptance names. */
Test(tshark_golden, coverage)
{
	size_t n = 0;
	char **names = g_list_dir("tests/golden/tshark", ".tsv", &n);
	bool bot = false, uas = false;

	cr_assert_geq(n, 4, "at least the four samples");
	for (size_t i = 0; i < n; i++) {
		bot |= strstr(names[i], "bot") != NULL;
		uas |= strstr(names[i], "uas") != NULL;
		free(names[i]);
	}
	free(names);
	cr_assert(bot && uas);
}
