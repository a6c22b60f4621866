/* test_lint_expected.c - the acceptance table of lint: every warning and error finding on each capture of tests/golden/lint/expected.tsv, and no other, through the library (decoder + lint_hook + lint_finish). */
#include "golden.h"
#include "tests/unit/lint_harness.h"

/*
 * expected.tsv: file, id, frames, severity (see its header).  For each file
 * of files.txt (a file without rows must have no warning or error)
 * the test decodes the capture with lint's hook, collects every finding at
 * warning or error (on transactions of every kind, and lint's end-of-capture
 * report), and matches them one to one against the rows: a finding with no
 * row, and a row with no finding, both fail.  Files under "captures/" live in
 * ../shared/captures and are skipped (with a message) when it is absent.
 */

#define ROWS_MAX 1024
#define GOT_MAX 4096

struct row {
	char file[256];
	char id[64];
	char frames[256];
	char sev[16];
	bool used;
};

struct got {
	char id[64];
	char frames[256];
	char sev[16];
	char msg[FINDING_MSG_MAX];
	bool used;
};

struct gotlist {
	struct got g[GOT_MAX];
	unsigned n, dropped;
};

static const char *sev_name(uint8_t s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

static void keep(struct gotlist *gl, const struct finding *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct got *g;
		size_t len = 0;

		if (f[i].severity != SEV_WARNING && f[i].severity != SEV_ERROR)
			continue;
		if (gl->n == GOT_MAX) {
			gl->dropped++;
			continue;
		}
		g = &gl->g[gl->n++];
		memset(g, 0, sizeof(*g));
		snprintf(g->id, sizeof(g->id), "%s", f[i].id ? f[i].id : "?");
		snprintf(g->sev, sizeof(g->sev), "%s", sev_name(f[i].severity));
		snprintf(g->msg, sizeof(g->msg), "%s", f[i].msg);
		for (uint8_t k = 0; k < f[i].nframes && k < FINDING_FRAMES_MAX && len < sizeof(g->frames) - 24; k++)
			len += (size_t)snprintf(g->frames + len, sizeof(g->frames) - len, "%s%" PRIu64, k ? "," : "",
						f[i].frames[k]);
		if (!len)
			snprintf(g->frames, sizeof(g->frames), "-");
	}
}

static void got_cb(void *ctx, const struct txn *t)
{
	struct gotlist *gl = ctx;

	if (t->kind == TXN_SCSI)
		keep(gl, t->u.scsi.findings, t->u.scsi.nfindings);
	else if (t->kind == TXN_CONTROL)
		keep(gl, t->u.ctl.findings, t->u.ctl.nfindings);
	else
		keep(gl, t->u.note.findings, t->u.note.nfindings);
}

static void got_report(void *ctx, const struct finding *f)
{
	keep(ctx, f, 1);
}

/* Decode one capture with the lint hook; 0, or -1 with a message in why. */
static int lint_file(const char *path, struct gotlist *gl, char *why, size_t whylen)
{
	struct lint_opts lo;
	struct cap *cap;
	struct error err;
	int rc;

	if (cap_open(path, &cap, &err) < 0) {
		snprintf(why, whylen, "cannot open: %s", errtext(&err));
		return -1;
	}
	lint_opts_default(&lo);
	rc = lint_decode(cap, &lo, got_cb, got_report, gl, &err);
	cap_close(cap);
	if (rc < 0) {
		snprintf(why, whylen, "read error: %s", errtext(&err));
		return -1;
	}
	return 0;
}

/* Rows of a TSV file of the source tree with ncol columns ("#" comments). */
static unsigned read_rows(struct row *rows, const char *rel, unsigned ncol)
{
	char *path = src_path(rel);
	FILE *fp = fopen(path, "r");
	char line[1024];
	unsigned n = 0;

	cr_assert(fp, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp)) {
		char *fld[4] = { "", "", "", "" }, *save = NULL, *p;
		unsigned k = 0;

		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		for (p = strtok_r(line, "\t", &save); p && k < 4; p = strtok_r(NULL, "\t", &save))
			fld[k++] = p;
		cr_assert_eq(k, ncol, "%s: a row needs %u columns", rel, ncol);
		cr_assert_lt(n, ROWS_MAX);
		snprintf(rows[n].file, sizeof(rows[n].file), "%s", fld[0]);
		snprintf(rows[n].id, sizeof(rows[n].id), "%s", fld[1]);
		snprintf(rows[n].frames, sizeof(rows[n].frames), "%s", fld[2]);
		snprintf(rows[n].sev, sizeof(rows[n].sev), "%s", fld[3]);
		rows[n].used = false;
		n++;
	}
	fclose(fp);
	free(path);
	return n;
}

static char *file_path(const char *file)
{
	if (!strncmp(file, "captures/", 9)) {
		char *shared = src_path("../shared"), *p = path_join(shared, file);
		free(shared);
		return p;
	}
	return src_path(file);
}

Test(lint_expected, every_warning_and_error_on_every_capture_is_in_the_table)
{
	static struct row rows[ROWS_MAX];
	static struct gotlist gl;
	static struct row fl[ROWS_MAX];
	unsigned n = read_rows(rows, "tests/golden/lint/expected.tsv", 4), nf = read_rows(fl, "tests/golden/lint/files.txt", 1);
	unsigned files = 0, skipped = 0, problems = 0;
	char *shared = src_path("../shared/captures");
	bool have_shared = access(shared, R_OK) == 0;

	free(shared);
	cr_assert_gt(nf, 0);
	if (!have_shared)
		fprintf(stderr, "test_lint_expected: ../shared/captures absent: its captures are skipped\n");
	for (unsigned i = 0; i < nf; i++) {
		char *path, why[512];
		const char *file = fl[i].file;

		for (unsigned j = 0; j < n; j++)
			if (!strcmp(rows[j].file, file))
				rows[j].used = true;
		if (!strncmp(file, "captures/", 9) && !have_shared) {
			skipped++;
			continue;
		}
		path = file_path(file);
		memset(&gl, 0, sizeof(gl));
		files++;
		if (lint_file(path, &gl, why, sizeof(why)) < 0) {
			fprintf(stderr, "%s: %s\n", file, why);
			problems++;
		}
		free(path);
		cr_assert_eq(gl.dropped, 0, "%s: more than %d findings", file, GOT_MAX);
		for (unsigned j = 0; j < n; j++) {
			if (strcmp(rows[j].file, file))
				continue;
			rows[j].used = true;
			if (!strcmp(rows[j].id, "-"))
				continue;
			unsigned k;
			for (k = 0; k < gl.n; k++)
				if (!gl.g[k].used && !strcmp(gl.g[k].id, rows[j].id) &&
				    !strcmp(gl.g[k].frames, rows[j].frames) && !strcmp(gl.g[k].sev, rows[j].sev))
					break;
			if (k < gl.n) {
				gl.g[k].used = true;
			} else {
				fprintf(stderr, "%s: expected %s at frames %s (%s) not found\n", rows[j].file, rows[j].id,
					rows[j].frames, rows[j].sev);
				problems++;
			}
		}
		for (unsigned k = 0; k < gl.n; k++)
			if (!gl.g[k].used) {
				fprintf(stderr, "%s: unexpected %s\t%s\t%s: %s\n", file, gl.g[k].id, gl.g[k].frames,
					gl.g[k].sev, gl.g[k].msg);
				problems++;
			}
	}
	for (unsigned j = 0; j < n; j++)
		if (!rows[j].used) {
			fprintf(stderr, "expected.tsv: %s is not in files.txt\n", rows[j].file);
			problems++;
		}
	fprintf(stderr, "test_lint_expected: %u captures checked, %u skipped\n", files, skipped);
	cr_assert_eq(problems, 0, "%u differences from tests/golden/lint/expected.tsv (listed above); "
		     "tests/golden/lint/record.sh prints the findings for review", problems);
	cr_assert(files > 0 || skipped > 0);
}
