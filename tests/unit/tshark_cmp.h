/* tshark_cmp.h - test helpers: find the shared captures of one link type, read their events, read tshark's fields per frame. */
#ifndef SCSISCOPE_TSHARK_CMP_H
#define SCSISCOPE_TSHARK_CMP_H

/* Include this first: nftw() needs _GNU_SOURCE before any system header. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

/* Every regular file under dir, sorted, as a NULL-terminated array. */
static char **walk_files;
static size_t walk_n;

static inline int walk_add(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (type == FTW_F) {
		walk_files = realloc(walk_files, (walk_n + 2) * sizeof(*walk_files));
		cr_assert(walk_files);
		walk_files[walk_n++] = strdup(p);
		walk_files[walk_n] = NULL;
	}
	return 0;
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char **list_files(const char *dir)
{
	walk_files = NULL;
	walk_n = 0;
	if (nftw(dir, walk_add, 16, FTW_PHYS) != 0 || !walk_files)
		return NULL;
	qsort(walk_files, walk_n, sizeof(*walk_files), cmp_str);
	return walk_files;
}

/* The link type a capture file opens with, or -1 if it is not a capture we read. */
static inline int file_linktype(const char *path)
{
	struct cap *c;
	struct error err;
	int lt;

	if (cap_open(path, &c, &err) < 0)
		return -1;
	lt = cap_get_info(c)->linktype;
	cap_close(c);
	return lt;
}

/* All USB events of a file (data not kept).  rc: the last cap_next result. */
static inline struct usb_event *file_events(const char *path, size_t *n, int *rc, struct error *err)
{
	struct cap *c;
	struct cap_record r;
	struct usb_event *ev = NULL;

	*n = 0;
	if (cap_open(path, &c, err) < 0) {
		*rc = -1;
		return NULL;
	}
	while ((*rc = cap_next(c, &r, err)) > 0) {
		if (r.kind != CAP_REC_USB)
			continue;
		ev = realloc(ev, (*n + 1) * sizeof(*ev));
		cr_assert(ev);
		ev[*n] = r.u.usb;
		ev[*n].data = NULL;
		ev[*n].iso = NULL;
		(*n)++;
	}
	cap_close(c);
	return ev;
}

/* One tshark output line split into its tab-separated fields. */
#define TSHARK_MAX_FIELDS 16
struct tshark_row {
	char *f[TSHARK_MAX_FIELDS];
	int n;
};

/*
 * Run `tshark -r path -T fields -e ...` (first occurrence of each field)
 * and return its rows; *nrows gets the count.  The caller frees with
 * tshark_free().  Fails the test if tshark cannot be run.
 */
static inline struct tshark_row *tshark_fields(const char *path, const char *const *fields, int nfields,
					       size_t *nrows, char **linebuf)
{
	struct strbuf cmd = STRBUF_INIT;
	struct tshark_row *rows = NULL;
	size_t cap = 0;
	ssize_t got;
	FILE *fp;

	cr_assert(nfields <= TSHARK_MAX_FIELDS);
	cr_assert(!strchr(path, '\''), "path with a quote: %s", path);
	sb_addf(&cmd, "tshark -n -r '%s' -T fields -E occurrence=f -E separator=/t", path);
	for (int i = 0; i < nfields; i++)
		sb_addf(&cmd, " -e %s", fields[i]);
	sb_adds(&cmd, " 2>/dev/null");
	fp = popen(cmd.buf, "r");
	cr_assert(fp, "cannot run %s", cmd.buf);
	*nrows = 0;
	*linebuf = NULL;
	while ((got = getline(linebuf, &cap, fp)) >= 0) {
		struct tshark_row row = { { NULL }, 0 };
		char *s = strdup(*linebuf);
		cr_assert(s);
		if (got && s[got - 1] == '\n')
			s[got - 1] = '\0';
		for (int i = 0; i < nfields; i++) {
			char *tab = strchr(s, '\t');
			row.f[row.n++] = s;
			if (!tab)
				break;
			*tab = '\0';
			s = tab + 1;
		}
		rows = realloc(rows, (*nrows + 1) * sizeof(*rows));
		cr_assert(rows);
		rows[(*nrows)++] = row;
	}
	cr_assert_eq(pclose(fp), 0, "tshark failed on %s", path);
	sb_release(&cmd);
	return rows;
}

static inline void tshark_free(struct tshark_row *rows, size_t n, char *linebuf)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].f[0]);
	free(rows);
	free(linebuf);
}

/* A tshark number (decimal or 0x hex); empty fields read as `dflt`. */
static inline unsigned long long tsv_num(const struct tshark_row *r, int i, unsigned long long dflt)
{
	if (i >= r->n || !r->f[i][0])
		return dflt;
	return strtoull(r->f[i], NULL, 0);
}

/* Checks one event against tshark's row for the same frame. */
typedef void (*tshark_check_fn)(const char *file, const struct usb_event *e, const struct tshark_row *r);

/*
 * Every capture of linktype under ../shared/captures, event by event,
 * against tshark's fields (the first must be frame.number): the same
 * number of frames, the same frame numbers, and check() for the rest.
 * Skipped when top_srcdir is unset, tshark is not on PATH or there is no
 * such capture; `what` names the format in those messages.
 */
static inline void compare_with_tshark(int linktype, const char *what, const char *const *fields, int nfields,
				       tshark_check_fn check)
{
	char *dir = shared_captures_dir();
	char **files;
	size_t compared = 0;

	if (!dir)
		cr_skip_test("top_srcdir is not set: no ../shared/captures to compare");
	if (!on_path("tshark"))
		cr_skip_test("tshark is not on PATH: %s files not compared with Wireshark", what);
	files = list_files(dir);
	if (!files)
		cr_skip_test("no captures under %s", dir);
	for (char **f = files; *f; f++) {
		struct usb_event *ev;
		struct tshark_row *rows;
		struct error err;
		char *line;
		size_t n, nrows;
		int rc;

		if (file_linktype(*f) != linktype)
			continue;
		ev = file_events(*f, &n, &rc, &err);
		cr_assert_eq(rc, 0, "%s: %s", *f, errtext(&err));
		rows = tshark_fields(*f, fields, nfields, &nrows, &line);
		cr_assert_eq(n, nrows, "%s: %zu events, tshark %zu frames", *f, n, nrows);
		for (size_t i = 0; i < n; i++) {
			cr_assert_eq(ev[i].frame, tsv_num(&rows[i], 0, 0), "%s: frame %zu", *f, i + 1);
			check(*f, &ev[i], &rows[i]);
		}
		compared++;
		tshark_free(rows, nrows, line);
		free(ev);
	}
	for (char **f = files; *f; f++)
		free(*f);
	free(files);
	free(dir);
	if (!compared)
		cr_skip_test("no %s (link type %d) capture under ../shared/captures", what, linktype);
	cr_log_info("compared %zu %s files with tshark", compared, what);
}

#endif
