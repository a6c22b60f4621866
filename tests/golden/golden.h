/* golden.h - helpers of the acceptance tests: decode a capture file into a list of SCSI transactions, find files, run a test per file, split TSV lines. */
#ifndef SCSISCOPE_GOLDEN_H
#define SCSISCOPE_GOLDEN_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "decode/scsi.h"
#include "tests/unit/testlib.h"       /* src_path, path_join */

/* One SCSI transaction, copied out of the callback (without its data). */
#define G_FINDINGS 8
struct gcmd {
	struct scsi_txn s;
	struct cdb_info ci;
	struct finding findings[G_FINDINGS];
};

struct gcol {
	struct gcmd *c;
	size_t n, alloc;
};

static inline void gcol_collect(void *ctx, const struct txn *t)
{
	struct gcol *col = ctx;
	struct gcmd *c;

	if (t->kind != TXN_SCSI)
		return;
	if (col->n == col->alloc) {
		col->alloc = col->alloc ? col->alloc * 2 : 128;
		col->c = realloc(col->c, col->alloc * sizeof(*col->c));
		cr_assert(col->c);
	}
	c = &col->c[col->n++];
	memset(c, 0, sizeof(*c));
	c->s = t->u.scsi;
	c->s.frames = NULL;
	c->s.nframes = 0;
	c->s.data.head = NULL;
	c->s.data.head_len = 0;
	c->s.nfindings = t->u.scsi.nfindings < G_FINDINGS ? t->u.scsi.nfindings : G_FINDINGS;
	if (c->s.nfindings)
		memcpy(c->findings, t->u.scsi.findings, c->s.nfindings * sizeof(struct finding));
	c->s.findings = c->findings;
	scsi_cdb_decode(c->s.cdb, c->s.cdb_len, &c->ci);
}

static inline void gcol_free(struct gcol *col)
{
	free(col->c);
	memset(col, 0, sizeof(*col));
}

/* Decode a file (path relative to top_srcdir) through decoder_new/feed/finish.
 * False when the file is absent. */
static inline bool g_decode(const char *rel, struct gcol *col)
{
	struct decoder_opts o = { .notes = true, .other_traffic = false };
	char *path = src_path(rel);
	struct decoder *d;
	struct cap *cap;
	struct cap_record r;
	struct error err;
	char msg[1024];
	int rc;

	memset(col, 0, sizeof(*col));
	if (access(path, R_OK) != 0) {
		free(path);
		return false;
	}
	cr_assert_eq(cap_open(path, &cap, &err), 0, "%s: %s", rel, error_format(&err, msg, sizeof(msg)));
	d = decoder_new(&o, gcol_collect, col);
	cr_assert(d);
	while ((rc = cap_next(cap, &r, &err)) > 0)
		if (r.kind == CAP_REC_USB)
			decoder_feed(d, &r.u.usb);
	cr_assert_eq(rc, 0, "%s: %s", rel, error_format(&err, msg, sizeof(msg)));
	decoder_finish(d);
	decoder_free(d);
	cap_close(cap);
	free(path);
	return true;
}

static inline const struct gcmd *g_at_frame(const struct gcol *col, uint64_t frame)
{
	for (size_t i = 0; i < col->n; i++)
		if (col->c[i].s.frame == frame)
			return &col->c[i];
	return NULL;
}

static inline bool g_has_finding(const struct gcmd *c, const char *id)
{
	for (uint32_t i = 0; i < c->s.nfindings; i++)
		if (!strcmp(c->findings[i].id, id))
			return true;
	return false;
}

/* Split a line at tabs (in place; the newline is dropped); returns the field count. */
static inline int g_split(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		char *tab = strchr(line, '\t');
		f[n++] = line;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

/* A golden number: decimal or 0x hex; "-" (nothing) is -1. */
static inline long long g_num(const char *s)
{
	char *end;
	long long v;

	if (!strcmp(s, "-"))
		return -1;
	v = strtoll(s, &end, 0);
	cr_assert(*s && !*end, "not a number in a golden file: \"%s\"", s);
	return v;
}

/* The names in directory rel (under top_srcdir) that end with suffix, sorted, NULL-terminated. */
static inline int g_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char **g_list_dir(const char *rel, const char *suffix, size_t *n)
{
	char *dir = src_path(rel);
	DIR *dp = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t sl = strlen(suffix);

	*n = 0;
	cr_assert(dp, "cannot open %s", dir);
	while ((e = readdir(dp)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l <= sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		names = realloc(names, (*n + 2) * sizeof(*names));
		cr_assert(names);
		names[(*n)++] = strdup(e->d_name);
		names[*n] = NULL;
	}
	closedir(dp);
	free(dir);
	if (*n)
		qsort(names, *n, sizeof(*names), g_cmp_str);
	return names;
}

/* A test run once per file of a directory: its parameter is the file's name. */
struct g_name_param {
	char name[128];
};

static inline void g_free_params(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

/* The parameters of such a test: the names in directory rel (under
 * top_srcdir) that end with suffix. */
static inline struct criterion_test_params g_name_params(const char *rel, const char *suffix)
{
	size_t n = 0;
	char **names = g_list_dir(rel, suffix, &n);
	struct g_name_param *p = cr_malloc(sizeof(*p) * (n ? n : 1));

	for (size_t i = 0; i < n; i++) {
		snprintf(p[i].name, sizeof(p[i].name), "%s", names[i]);
		free(names[i]);
	}
	free(names);
	return cr_make_param_array(struct g_name_param, p, n, g_free_params);
}

/* Open top_srcdir/dir/name to read (the test fails if it cannot); *path gets its path (allocated). */
static inline FILE *g_open(const char *dir, const char *name, char **path)
{
	char *rel = path_join(dir, name);
	FILE *fp;

	*path = src_path(rel);
	free(rel);
	fp = fopen(*path, "r");
	cr_assert(fp, "%s", *path);
	return fp;
}

/* The capture a golden file is about: its first line "# file: PATH". */
static inline char *g_golden_subject(FILE *fp, const char *name)
{
	char line[1024];

	cr_assert(fgets(line, sizeof(line), fp), "%s is empty", name);
	line[strcspn(line, "\r\n")] = '\0';
	cr_assert(!strncmp(line, "# file: ", 8), "%s: the first line must be \"# file: PATH\"", name);
	return strdup(line + 8);
}

#endif
