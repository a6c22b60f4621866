/* test_rig_logs.c - status, sense and data length of the rig's commands, as their command logs give them, where tshark cannot check them. */
#include "golden.h"

/*
 * tshark cannot tie UAS data to its command on SuperSpeed streams (usbmon
 * records no stream id) and reads no usbmon text.  The rig's command logs
 * (samples/NAME.commands.log, ../shared/captures/rig/logs, the libusb
 * programs' own output) say what each step sent, what came back and how it
 * ended.  tests/golden/rig/NAME.expect encodes that by hand, with the log
 * lines it comes from as comments; this test checks the decoder against it.
 *
 * An .expect file, one directive a line, "#" starts a comment:
 *   file PATH          a capture (relative to the source tree) the file is
 *                      about; several lines for several captures of one
 *                      workload; a capture that is absent is skipped
 *   order forward|backward
 *                      how "cmd" lines are matched (default backward):
 *                      backward: the last cmd line to the last matching
 *                      command of the capture, each earlier line to the last
 *                      match before the one after it (the workload ends each
 *                      capture, and the kernel's probe before it sends the
 *                      same commands); forward: the first line to the first
 *                      match, and so on
 *   cmd cdb=HEX [dir=in|out|none] [data=N | data>=N] [bus=N] [status=N]
 *       [sense=KK/AA/QQ | sense=none] [tag=N]
 *                      a command whose CDB begins with HEX; what is given
 *                      must hold
 *   range op=HH lba=N blocks=N dir=in|out [total=N] [covered]
 *                      every command with opcode HH whose blocks meet
 *                      [lba, lba+blocks) has status GOOD and data = its
 *                      blocks * 512; total: their data adds up to N;
 *                      covered: every block of the range is in one of them
 *
 * "data" is what the device reports it transferred: for UAS the bytes the
 * data pipes moved; for BOT dCBWDataTransferLength minus dCSWDataResidue
 * (a BOT device pads a data-in phase it does not fill, BOT 6.7.2, so the
 * bus may move more).  "bus" is the bytes the bus moved.  Logical blocks
 * are 512 bytes (every log: "Logical block length=512 bytes").
 */

#define BLOCK 512

ParameterizedTestParameters(rig_logs, expect)
{
	return g_name_params("tests/golden/rig", ".expect");
}

/* One directive, split into words. */
#define MAXW 12
struct line {
	unsigned no;
	char *copy;               /* the words point into it */
	char *w[MAXW];
	int n;
};

/* The value of key=... (or key>=..., then *ge is set) among the words, or NULL. */
static const char *arg(const struct line *l, const char *key, bool *ge)
{
	size_t k = strlen(key);

	for (int i = 1; i < l->n; i++) {
		if (strncmp(l->w[i], key, k))
			continue;
		if (l->w[i][k] == '=') {
			if (ge)
				*ge = false;
			return l->w[i] + k + 1;
		}
		if (ge && l->w[i][k] == '>' && l->w[i][k + 1] == '=') {
			*ge = true;
			return l->w[i] + k + 2;
		}
	}
	return NULL;
}

static bool flag(const struct line *l, const char *word)
{
	for (int i = 1; i < l->n; i++)
		if (!strcmp(l->w[i], word))
			return true;
	return false;
}

static long long num_arg(const struct line *l, const char *key, const char *name)
{
	const char *v = arg(l, key, NULL);
	char *end;
	long long x;

	cr_assert(v, "%s line %u: %s= is required", name, l->no, key);
	x = strtoll(v, &end, 0);
	cr_assert(*v && !*end, "%s line %u: %s=%s is not a number", name, l->no, key, v);
	return x;
}

static uint8_t dir_of(const char *s, const char *name, unsigned no)
{
	if (!strcmp(s, "in"))
		return SCSI_DIR_IN;
	if (!strcmp(s, "out"))
		return SCSI_DIR_OUT;
	cr_assert_str_eq(s, "none", "%s line %u: dir=%s", name, no, s);
	return SCSI_DIR_NONE;
}

/* What the device reports it transferred (see the top of the file). */
static uint64_t data_of(const struct scsi_txn *s)
{
	if (s->transport == TRANSPORT_BOT && s->has_residue)
		return s->residue <= s->expected_bytes ? s->expected_bytes - s->residue : 0;
	return s->data.bytes;
}

static bool cdb_begins(const struct scsi_txn *s, const char *hex)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > s->cdb_len)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned b;
		if (sscanf(hex + 2 * i, "%2x", &b) != 1 || s->cdb[i] != b)
			return false;
	}
	return true;
}

static void check_cmd(const char *cap, const char *name, const struct line *l, const struct gcmd *c)
{
	const struct scsi_txn *s = &c->s;
	const char *v;
	bool ge;
	uint64_t f = s->frame;

	if ((v = arg(l, "dir", NULL)))
		cr_assert_eq(s->direction, dir_of(v, name, l->no), "%s frame %" PRIu64 " (%s line %u): direction %s", cap,
			     f, name, l->no, scsi_dir_name(s->direction));
	if ((v = arg(l, "data", &ge))) {
		uint64_t want = strtoull(v, NULL, 0), got = data_of(s);
		if (ge)
			cr_assert_geq(got, want, "%s frame %" PRIu64 " (%s line %u): %" PRIu64 " bytes of data, at least %s",
				      cap, f, name, l->no, got, v);
		else
			cr_assert_eq(got, want, "%s frame %" PRIu64 " (%s line %u): %" PRIu64 " bytes of data, log: %s", cap,
				     f, name, l->no, got, v);
	}
	if ((v = arg(l, "bus", NULL)))
		cr_assert_eq(s->data.bytes, strtoull(v, NULL, 0), "%s frame %" PRIu64 " (%s line %u): %" PRIu64
			     " bytes moved, log: %s", cap, f, name, l->no, s->data.bytes, v);
	if ((v = arg(l, "status", NULL)))
		cr_assert_eq(s->status, atoi(v), "%s frame %" PRIu64 " (%s line %u): status %d, log: %s", cap, f, name,
			     l->no, s->status, v);
	if ((v = arg(l, "tag", NULL)))
		cr_assert_eq(s->tag, strtoul(v, NULL, 0), "%s frame %" PRIu64 " (%s line %u): tag %u, log: %s", cap, f,
			     name, l->no, s->tag, v);
	if ((v = arg(l, "sense", NULL))) {
		unsigned k, a, q;
		if (!strcmp(v, "none")) {
			cr_assert_eq(s->sense.source, SENSE_NONE, "%s frame %" PRIu64 " (%s line %u): sense %02x/%02x/%02x",
				     cap, f, name, l->no, s->sense.key, s->sense.asc, s->sense.ascq);
		} else {
			cr_assert_eq(sscanf(v, "%x/%x/%x", &k, &a, &q), 3, "%s line %u: sense=%s", name, l->no, v);
			cr_assert_neq(s->sense.source, SENSE_NONE, "%s frame %" PRIu64 " (%s line %u): no sense, log: %s", cap,
				      f, name, l->no, v);
			cr_assert(s->sense.key == k && s->sense.asc == a && s->sense.ascq == q,
				  "%s frame %" PRIu64 " (%s line %u): sense %02x/%02x/%02x, log: %s", cap, f, name, l->no,
				  s->sense.key, s->sense.asc, s->sense.ascq, v);
		}
	}
}

static void check_range(const char *cap, const char *name, const struct line *l, const struct gcol *col)
{
	uint8_t op = (uint8_t)num_arg(l, "op", name);
	uint64_t lba = (uint64_t)num_arg(l, "lba", name), blocks = (uint64_t)num_arg(l, "blocks", name);
	uint8_t dir = dir_of(arg(l, "dir", NULL) ? arg(l, "dir", NULL) : "?", name, l->no);
	const char *total = arg(l, "total", NULL);
	uint64_t sum = 0, n = 0;
	uint8_t *seen = calloc(blocks ? blocks : 1, 1);

	cr_assert(seen);
	for (size_t i = 0; i < col->n; i++) {
		const struct gcmd *c = &col->c[i];
		uint64_t a, b;
		if (c->s.cdb[0] != op || !c->ci.has_lba || !c->ci.has_blocks)
			continue;
		a = c->ci.lba;
		b = a + c->ci.blocks;
		if (b <= lba || a >= lba + blocks)
			continue;
		n++;
		cr_assert_eq(c->s.status, 0, "%s frame %" PRIu64 " (%s line %u): status %d", cap, c->s.frame, name, l->no,
			     c->s.status);
		cr_assert_eq(c->s.direction, dir, "%s frame %" PRIu64 " (%s line %u): direction", cap, c->s.frame, name,
			     l->no);
		cr_assert_eq(data_of(&c->s), (uint64_t)c->ci.blocks * BLOCK, "%s frame %" PRIu64 " (%s line %u): %" PRIu64
			     " bytes for %u blocks", cap, c->s.frame, name, l->no, data_of(&c->s), c->ci.blocks);
		sum += data_of(&c->s);
		for (uint64_t x = a > lba ? a : lba; x < b && x < lba + blocks; x++)
			seen[x - lba] = 1;
	}
	cr_assert_gt(n, 0, "%s (%s line %u): no command of opcode 0x%02x at LBA %" PRIu64 "..%" PRIu64, cap, name, l->no,
		     op, lba, lba + blocks - 1);
	if (total)
		cr_assert_eq(sum, strtoull(total, NULL, 0), "%s (%s line %u): %" PRIu64 " bytes in all, log: %s", cap, name,
			     l->no, sum, total);
	if (flag(l, "covered"))
		for (uint64_t x = 0; x < blocks; x++)
			cr_assert(seen[x], "%s (%s line %u): LBA %" PRIu64 " was not transferred", cap, name, l->no, lba + x);
	free(seen);
}

/* Match the cmd lines (in file order) to commands of the capture. */
static void check_cmds(const char *cap, const char *name, struct line *cmds, size_t n, bool forward,
		       const struct gcol *col)
{
	if (forward) {
		size_t at = 0;
		for (size_t i = 0; i < n; i++) {
			const char *cdb = arg(&cmds[i], "cdb", NULL);
			while (at < col->n && !cdb_begins(&col->c[at].s, cdb))
				at++;
			cr_assert_lt(at, col->n, "%s (%s line %u): no command with a CDB beginning %s after the one before",
				     cap, name, cmds[i].no, cdb);
			check_cmd(cap, name, &cmds[i], &col->c[at]);
			at++;
		}
	} else {
		size_t at = col->n;
		for (size_t i = n; i-- > 0;) {
			const char *cdb = arg(&cmds[i], "cdb", NULL);
			while (at > 0 && !cdb_begins(&col->c[at - 1].s, cdb))
				at--;
			cr_assert_gt(at, 0, "%s (%s line %u): no command with a CDB beginning %s before the one after", cap,
				     name, cmds[i].no, cdb);
			at--;
			check_cmd(cap, name, &cmds[i], &col->c[at]);
		}
	}
}

ParameterizedTest(struct g_name_param *p, rig_logs, expect)
{
	char buf[1024];
	struct line *lines = NULL, *cmds = NULL;
	size_t nlines = 0, ncmds = 0, checked = 0;
	char *files[8];
	int nfiles = 0;
	bool forward = false;
	unsigned no = 0;
	FILE *fp;
	char *path;

	fp = g_open("tests/golden/rig", p->name, &path);
	while (fgets(buf, sizeof(buf), fp)) {
		struct line l = { .no = ++no };
		char *save = NULL, *copy;
		buf[strcspn(buf, "#\r\n")] = '\0';
		copy = strdup(buf);
		cr_assert(copy);
		l.copy = copy;
		for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
			cr_assert_lt(l.n, MAXW, "%s line %u: too many words", p->name, no);
			l.w[l.n++] = t;
		}
		if (!l.n) {
			free(copy);
			continue;
		}
		if (!strcmp(l.w[0], "file")) {
			cr_assert_eq(l.n, 2, "%s line %u: file PATH", p->name, no);
			cr_assert_lt(nfiles, 8);
			files[nfiles++] = l.w[1];
		} else if (!strcmp(l.w[0], "order")) {
			cr_assert_eq(l.n, 2, "%s line %u", p->name, no);
			forward = !strcmp(l.w[1], "forward");
			cr_assert(forward || !strcmp(l.w[1], "backward"), "%s line %u: order %s", p->name, no, l.w[1]);
		} else if (!strcmp(l.w[0], "cmd")) {
			cr_assert(arg(&l, "cdb", NULL), "%s line %u: cmd without cdb=", p->name, no);
			cmds = realloc(cmds, (ncmds + 1) * sizeof(*cmds));
			cr_assert(cmds);
			cmds[ncmds++] = l;
		} else {
			cr_assert_str_eq(l.w[0], "range", "%s line %u: unknown directive %s", p->name, no, l.w[0]);
		}
		lines = realloc(lines, (nlines + 1) * sizeof(*lines));
		cr_assert(lines);
		lines[nlines++] = l;
	}
	fclose(fp);
	cr_assert_gt(nfiles, 0, "%s: no file line", p->name);
	for (int i = 0; i < nfiles; i++) {
		struct gcol col;
		if (!g_decode(files[i], &col)) {
			fprintf(stderr, "%s: %s is absent, skipped\n", p->name, files[i]);
			continue;
		}
		check_cmds(files[i], p->name, cmds, ncmds, forward, &col);
		for (size_t j = 0; j < nlines; j++)
			if (!strcmp(lines[j].w[0], "range"))
				check_range(files[i], p->name, &lines[j], &col);
		gcol_free(&col);
		checked++;
	}
	if (!checked)
		cr_skip_test("%s: none of its captures is here (../shared not beside the source tree?)", p->name);
	for (size_t j = 0; j < nlines; j++)
		free(lines[j].copy);
	free(lines);
	free(cmds);
	free(path);
}
