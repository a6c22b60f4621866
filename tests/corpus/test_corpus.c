/* test_corpus.c - every capture in ../shared/captures reads to the end with the counts, frame numbers and keys recorded in tests/corpus. */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capture.h"

/*
 * The goldens are written by tests/corpus/record-golden.sh (see its header
 * for the tshark fields behind every column):
 *   golden-counts.tsv   path format linktype frames records end source
 *   frames.tsv          "@PATH", then per frame: frame len caplen kind id ev
 * One Criterion test per reader family walks the golden rows of that family,
 * so `make check` shows which readers agree with Wireshark.  Inside a file
 * the first disagreement is reported (file, frame, expected vs got) and the
 * key comparison stops there, since everything after a shifted frame would
 * differ too; the count and end-of-file checks still run.
 */

#define PATH_MAX_LEN 1024
#define MAX_FILES 1024

struct golden_file {
	char path[512];  /* relative to the capture folder */
	char format[32];
	int linktype;
	uint64_t frames;
	uint64_t records;
	char end[32];
};

struct golden_frame {
	uint64_t frame;
	int64_t len;              /* -1: "-" */
	int64_t caplen;
	char kind;                /* 'u', 'h' or '-' */
	bool has_id;
	uint64_t id;
	char ev[4];               /* "S"/"C"/"E", two hex digits, or "-" */
};

static char top[PATH_MAX_LEN];
static char caps[PATH_MAX_LEN];

/* Fill top and caps; false when the capture folder does not exist. */
static bool corpus_dirs(void)
{
	const char *t = getenv("top_srcdir");
	struct stat st;

	cr_assert(t && *t, "top_srcdir is not set (make check sets it; run as top_srcdir=SRC %s)",
		  "tests/corpus/test_corpus");
	snprintf(top, sizeof(top), "%s", t);
	snprintf(caps, sizeof(caps), "%s/../shared/captures", t);
	return stat(caps, &st) == 0 && S_ISDIR(st.st_mode);
}

static void need_corpus(void)
{
	if (!corpus_dirs())
		cr_skip_test("SKIP: no capture folder at %s", caps);
}

/* Split a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

static size_t load_counts(struct golden_file *g, size_t max)
{
	char path[PATH_MAX_LEN + 64];
	char line[4096];
	size_t n = 0;
	unsigned lineno = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/corpus/golden-counts.tsv", top);
	fp = fopen(path, "r");
	cr_assert(fp, "cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		char *f[8];
		uint64_t lt;
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		cr_assert_eq(split_tabs(line, f, 8), 7, "golden-counts.tsv:%u: expected 7 tab-separated fields", lineno);
		cr_assert_lt(n, max, "golden-counts.tsv: more than %zu files", max);
		snprintf(g[n].path, sizeof(g[n].path), "%s", f[0]);
		snprintf(g[n].format, sizeof(g[n].format), "%s", f[1]);
		if (strcmp(f[2], "-1") == 0)
			g[n].linktype = -1;
		else {
			cr_assert(parse_u64(f[2], 10, &lt) && lt < 65536, "golden-counts.tsv:%u: bad link type '%s'", lineno, f[2]);
			g[n].linktype = (int)lt;
		}
		cr_assert(parse_u64(f[3], 10, &g[n].frames), "golden-counts.tsv:%u: bad frame count '%s'", lineno, f[3]);
		cr_assert(parse_u64(f[4], 10, &g[n].records), "golden-counts.tsv:%u: bad record count '%s'", lineno, f[4]);
		snprintf(g[n].end, sizeof(g[n].end), "%s", f[5]);
		n++;
	}
	fclose(fp);
	cr_assert_gt(n, 0, "%s lists no files; run tests/corpus/record-golden.sh", path);
	return n;
}

#define FRAMES_GOLDEN "tests/corpus/frames.tsv"

static FILE *open_frames_golden(char *why, size_t whylen)
{
	char path[PATH_MAX_LEN + 64];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/" FRAMES_GOLDEN, top);
	fp = fopen(path, "r");
	if (!fp)
		snprintf(why, whylen, "cannot open %s (%s); run tests/corpus/record-golden.sh", path, strerror(errno));
	return fp;
}

/* Load the "@rel" section of frames.tsv; *n gets the row count.  Returns
 * NULL with a message in why when the section is missing, repeated or
 * damaged (why stays empty for an empty section). */
static struct golden_frame *load_frames(const char *rel, size_t *n, char *why, size_t whylen)
{
	char line[PATH_MAX_LEN + 16];
	struct golden_frame *v = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int sections = 0;
	bool inside = false;
	FILE *fp;

	*n = 0;
	fp = open_frames_golden(why, whylen);
	if (!fp)
		return NULL;
	while (fgets(line, sizeof(line), fp)) {
		char *f[8];
		struct golden_frame *g;
		lineno++;
		if (line[0] == '#')
			continue;
		if (line[0] == '@') {
			line[strcspn(line, "\r\n")] = '\0';
			inside = strcmp(line + 1, rel) == 0;
			sections += inside;
			continue;
		}
		if (!inside)
			continue;
		if (split_tabs(line, f, 8) != 6 || strlen(f[5]) > 2 || !*f[3] || f[3][1]) {
			snprintf(why, whylen, FRAMES_GOLDEN ":%u: expected 6 tab-separated fields "
				 "(frame len caplen kind id ev)", lineno);
			goto bad;
		}
		if (*n == cap) {
			struct golden_frame *nv;
			cap = cap ? 2 * cap : 1024;
			nv = realloc(v, cap * sizeof(*v));
			cr_assert(nv, "out of memory");
			v = nv;
		}
		g = &v[*n];
		memset(g, 0, sizeof(*g));
		g->kind = f[3][0];
		g->len = g->caplen = -1;
		if (!parse_u64(f[0], 10, &g->frame) ||
		    (strcmp(f[1], "-") && !parse_u64(f[1], 10, (uint64_t *)&g->len)) ||
		    (strcmp(f[2], "-") && !parse_u64(f[2], 10, (uint64_t *)&g->caplen)) ||
		    (g->kind != 'u' && g->kind != 'h' && g->kind != '-') ||
		    (strcmp(f[4], "-") && !parse_u64(f[4], 16, &g->id))) {
			snprintf(why, whylen, FRAMES_GOLDEN ":%u: unparsable line", lineno);
			goto bad;
		}
		g->has_id = strcmp(f[4], "-") != 0;
		snprintf(g->ev, sizeof(g->ev), "%s", f[5]);
		(*n)++;
	}
	fclose(fp);
	if (sections != 1) {
		snprintf(why, whylen, "%s has %d sections @%s (expected one); run tests/corpus/record-golden.sh",
			 FRAMES_GOLDEN, sections, rel);
		free(v);
		*n = 0;
		return NULL;
	}
	return v;
bad:
	fclose(fp);
	free(v);
	*n = 0;
	return NULL;
}

/* "frame N (offset X): message" of a reader error; the file is named by the caller. */
static const char *errwhere(const struct error *e, char *buf, size_t size)
{
	char fr[32] = "", off[40] = "";

	if (e->frame)
		snprintf(fr, sizeof(fr), "frame %" PRIu64, e->frame);
	if (e->offset != ERROR_NO_OFFSET)
		snprintf(off, sizeof(off), "%soffset %" PRIu64, e->frame ? ", " : "", e->offset);
	snprintf(buf, size, "%s%s%s%s", fr, off, fr[0] || off[0] ? ": " : "", e->msg);
	return buf;
}

/* ------------------------------------------------------------ listing */

struct listing {
	char **paths;
	size_t n, cap;
};

#define LIBUSB_LOG ".libusb-output.txt"

static bool skip_name(const char *name, bool is_dir)
{
	size_t len = strlen(name);

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return true;
	if (is_dir)
		return strcmp(name, "logs") == 0;
	if (len >= 3 && strcmp(name + len - 3, ".md") == 0)
		return true;
	if (len >= sizeof(LIBUSB_LOG) - 1 && strcmp(name + len - (sizeof(LIBUSB_LOG) - 1), LIBUSB_LOG) == 0)
		return true;
	return false;
}

static void walk(const char *rel, struct listing *l)
{
	char dirpath[2 * PATH_MAX_LEN];
	DIR *d;
	struct dirent *de;

	snprintf(dirpath, sizeof(dirpath), "%s%s%s", caps, *rel ? "/" : "", rel);
	d = opendir(dirpath);
	cr_assert(d, "cannot list %s: %s", dirpath, strerror(errno));
	while ((de = readdir(d))) {
		char full[3 * PATH_MAX_LEN], sub[2 * PATH_MAX_LEN];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", caps, sub);
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cr_assert_eq(stat(full, &st), 0, "cannot stat %s: %s", full, strerror(errno));
		if (skip_name(de->d_name, S_ISDIR(st.st_mode)))
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(sub, l);
		} else if (S_ISREG(st.st_mode)) {
			if (l->n == l->cap) {
				char **np;
				l->cap = l->cap ? 2 * l->cap : 64;
				np = realloc(l->paths, l->cap * sizeof(*np));
				cr_assert(np, "out of memory");
				l->paths = np;
			}
			l->paths[l->n] = strdup(sub);
			cr_assert(l->paths[l->n], "out of memory");
			l->n++;
		}
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ----------------------------------------------------------- families */

/* Which reader family a golden row belongs to; NULL if none. */
static const char *family(const struct golden_file *g)
{
	if (!strcmp(g->format, "pcap") || !strcmp(g->format, "pcapng")) {
		switch (g->linktype) {
		case LINKTYPE_USB_LINUX:
		case LINKTYPE_USB_LINUX_MMAPPED:
			return "usbmon";
		case LINKTYPE_USBPCAP:
			return "usbpcap";
		case LINKTYPE_USB_DARWIN:
			return "darwin";
		case LINKTYPE_BLUETOOTH_HCI_H4:
		case LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR:
			return "h4";
		default:
			return NULL;
		}
	}
	if (!strcmp(g->format, "usbmon-text") || !strcmp(g->format, "packetlogger") ||
	    !strcmp(g->format, "btsnoop"))
		return g->format;
	return NULL;
}

static bool is_text_hci(uint8_t type)
{
	return type == HCI_REC_NOTE || type == HCI_REC_SYSLOG || type == HCI_REC_KERNEL ||
	       type == HCI_REC_KERNEL_DEBUG || type == HCI_REC_ERROR;
}

#define MISMATCH(...) do { snprintf(first, firstlen, __VA_ARGS__); goto mismatch; } while (0)

/* Compare one delivered record with its golden frame; on disagreement,
 * write the reason to first and return false. */
static bool compare_record(const struct golden_file *gf, const struct golden_frame *g, const struct cap_record *r,
			   char *first, size_t firstlen)
{
	if (g->kind == 'u') {
		const struct usb_event *e = &r->u.usb;
		if (r->kind != CAP_REC_USB)
			MISMATCH("expected a USB event, got record kind %u", r->kind);
		if (e->frame != g->frame)
			MISMATCH("expected frame %" PRIu64 " next, got frame %" PRIu64, g->frame, e->frame);
		if (g->len >= 0 && e->frame_len != (uint64_t)g->len)
			MISMATCH("frame %" PRIu64 ": frame_len expected %" PRId64 " (frame.len), got %" PRIu32,
				 g->frame, g->len, e->frame_len);
		if (g->caplen >= 0 && e->frame_caplen != (uint64_t)g->caplen)
			MISMATCH("frame %" PRIu64 ": frame_caplen expected %" PRId64 " (frame.cap_len), got %" PRIu32,
				 g->frame, g->caplen, e->frame_caplen);
		if (g->len < 0 && e->frame_len != 0)
			MISMATCH("frame %" PRIu64 ": frame_len expected 0 for a text capture, got %" PRIu32,
				 g->frame, e->frame_len);
		if (g->has_id && e->urb_id != g->id)
			MISMATCH("frame %" PRIu64 ": urb_id expected 0x%" PRIx64 ", got 0x%" PRIx64,
				 g->frame, g->id, e->urb_id);
		if (e->type != (uint8_t)g->ev[0] || g->ev[1])
			MISMATCH("frame %" PRIu64 ": event type expected '%s', got '%c' (0x%02x)",
				 g->frame, g->ev, e->type >= 0x20 && e->type < 0x7f ? e->type : '?', e->type);
		if (gf->linktype == LINKTYPE_USBPCAP && (e->irp_info & 1) != (g->ev[0] == 'C'))
			MISMATCH("frame %" PRIu64 ": irp_info direction bit expected %d (usb.irp_info.direction), got %d",
				 g->frame, g->ev[0] == 'C', e->irp_info & 1);
		if (e->caplen > e->data_len || (e->caplen && !e->data))
			MISMATCH("frame %" PRIu64 ": caplen %" PRIu32 " with data_len %" PRIu32 " and data %s",
				 g->frame, e->caplen, e->data_len, e->data ? "set" : "NULL");
	} else if (g->kind == 'h') {
		const struct hci_record *h = &r->u.hci;
		uint64_t t;
		if (r->kind != CAP_REC_HCI)
			MISMATCH("expected an HCI record, got record kind %u", r->kind);
		if (h->frame != g->frame)
			MISMATCH("expected frame %" PRIu64 " next, got frame %" PRIu64, g->frame, h->frame);
		if (strcmp(g->ev, "-") && (!parse_u64(g->ev, 16, &t) || h->orig_type != t))
			MISMATCH("frame %" PRIu64 ": record type byte expected 0x%s, got 0x%02" PRIx32,
				 g->frame, g->ev, h->orig_type);
		if (h->caplen > h->len || (h->caplen && !h->data))
			MISMATCH("frame %" PRIu64 ": caplen %" PRIu32 " > len %" PRIu32 " or data NULL",
				 g->frame, h->caplen, h->len);
		/* PacketLogger: Wireshark's frame is the type byte + data. */
		if (!strcmp(gf->format, "packetlogger") && g->len >= 0) {
			if (is_text_hci(h->type) ? h->len + 1 > (uint64_t)g->len : h->len + 1 != (uint64_t)g->len)
				MISMATCH("frame %" PRIu64 ": len expected %s%" PRId64 " (frame.len - 1), got %" PRIu32,
					 g->frame, is_text_hci(h->type) ? "at most " : "", g->len - 1, h->len);
		}
	} else {
		MISMATCH("frame %" PRIu64 " is on a non-USB/HCI interface and must be skipped, but was delivered",
			 g->frame);
	}
	return true;
mismatch:
	return false;
}

/* Read one capture and compare it with its goldens; returns true if all agree.
 * Every failure goes through cr_expect_fail with the file name. */
static bool check_file(const struct golden_file *gf)
{
	char path[2 * PATH_MAX_LEN], why[2 * PATH_MAX_LEN], first[1024];
	struct golden_frame *gv;
	size_t ng, gi = 0, nrec_golden = 0;
	struct cap *c;
	struct cap_record r;
	struct error err;
	uint64_t delivered = 0;
	bool ok = true, keys_ok = true;
	int rc;

	first[0] = '\0';
	why[0] = '\0';
	gv = load_frames(gf->path, &ng, why, sizeof(why));
	if (why[0]) {
		cr_expect_fail("%s: %s", gf->path, why);
		return false;
	}
	for (size_t i = 0; i < ng; i++)
		nrec_golden += gv[i].kind != '-';
	if (ng != gf->frames || nrec_golden != gf->records) {
		cr_expect_fail("%s: goldens disagree: golden-counts.tsv says %" PRIu64 " frames / %" PRIu64
			       " records, its section of frames.tsv has %zu / %zu; run tests/corpus/record-golden.sh",
			       gf->path, gf->frames, gf->records, ng, nrec_golden);
		free(gv);
		return false;
	}
	if (strcmp(gf->end, "clean") != 0) {
		cr_expect_fail("%s: golden end status '%s' is not one the test knows (clean)", gf->path, gf->end);
		free(gv);
		return false;
	}

	snprintf(path, sizeof(path), "%s/%s", caps, gf->path);
	if (cap_open(path, &c, &err) < 0) {
		char buf[1024];
		cr_expect_fail("%s: cap_open failed: %s (golden: %s, %" PRIu64 " records)", gf->path,
			       errwhere(&err, buf, sizeof(buf)), gf->format, gf->records);
		free(gv);
		return false;
	}
	if (strcmp(cap_format_name(cap_get_info(c)->format), gf->format) != 0) {
		cr_expect_fail("%s: format expected %s, got %s", gf->path, gf->format,
			       cap_format_name(cap_get_info(c)->format));
		ok = false;
	}
	if (cap_get_info(c)->linktype != gf->linktype) {
		cr_expect_fail("%s: link type expected %d, got %d", gf->path, gf->linktype, cap_get_info(c)->linktype);
		ok = false;
	}

	while ((rc = cap_next(c, &r, &err)) > 0) {
		delivered++;
		if (!keys_ok)
			continue;
		while (gi < ng && gv[gi].kind == '-')
			gi++;
		if (gi == ng) {
			uint64_t f = r.kind == CAP_REC_USB ? r.u.usb.frame : r.u.hci.frame;
			snprintf(first, sizeof(first), "record %" PRIu64 " (frame %" PRIu64 ") delivered, but the "
				 "golden has only %" PRIu64 " records", delivered, f, gf->records);
			keys_ok = false;
		} else if (!compare_record(gf, &gv[gi], &r, first, sizeof(first))) {
			keys_ok = false;
		}
		gi++;
		if (delivered > gf->frames + 1000)
			break;        /* a reader that never stops: reported below */
	}
	if (!keys_ok) {
		cr_expect_fail("%s: %s", gf->path, first);
		ok = false;
	}
	if (rc < 0) {
		char buf[1024];
		cr_expect_fail("%s: reader error after %" PRIu64 " of %" PRIu64 " records: %s "
			       "(golden: the file reads to the end without error)",
			       gf->path, delivered, gf->records, errwhere(&err, buf, sizeof(buf)));
		ok = false;
	} else if (rc > 0) {
		cr_expect_fail("%s: still delivering records after %" PRIu64 " (golden: %" PRIu64 ")",
			       gf->path, delivered, gf->records);
		ok = false;
	} else {
		if (delivered != gf->records) {
			cr_expect_fail("%s: records expected %" PRIu64 ", got %" PRIu64, gf->path, gf->records, delivered);
			ok = false;
		}
		if (cap_frames_seen(c) != gf->frames) {
			cr_expect_fail("%s: frames seen expected %" PRIu64 ", got %" PRIu64, gf->path, gf->frames,
				       cap_frames_seen(c));
			ok = false;
		}
		if (cap_frames_skipped(c) != gf->frames - gf->records) {
			cr_expect_fail("%s: frames skipped expected %" PRIu64 ", got %" PRIu64, gf->path,
				       gf->frames - gf->records, cap_frames_skipped(c));
			ok = false;
		}
		/* after the end, cap_next keeps saying so */
		if (cap_next(c, &r, &err) != 0) {
			cr_expect_fail("%s: cap_next after the end did not return 0 again", gf->path);
			ok = false;
		}
	}
	cap_close(c);
	free(gv);
	return ok;
}

/* Check every golden row of one family. */
static void check_family(const char *fam)
{
	static struct golden_file g[MAX_FILES];
	size_t n, tried = 0, failed = 0;

	need_corpus();
	n = load_counts(g, MAX_FILES);
	for (size_t i = 0; i < n; i++) {
		const char *f = family(&g[i]);
		if (!f || strcmp(f, fam) != 0)
			continue;
		tried++;
		if (!check_file(&g[i]))
			failed++;
	}
	if (tried == 0)
		cr_skip_test("no %s captures in the corpus", fam);
	cr_assert_eq(failed, 0, "%zu of %zu %s captures disagree with their goldens", failed, tried, fam);
}

/* ---------------------------------------------------------------- tests */

Test(corpus, listing_matches_goldens)
{
	static struct golden_file g[MAX_FILES];
	struct listing l = { 0 };
	size_t n, i = 0, j = 0;

	need_corpus();
	n = load_counts(g, MAX_FILES);
	walk("", &l);
	qsort(l.paths, l.n, sizeof(*l.paths), cmp_str);
	for (size_t k = 0; k < n; k++) {
		cr_expect(family(&g[k]) != NULL, "%s: golden format %s / link type %d belongs to no reader test",
			  g[k].path, g[k].format, g[k].linktype);
		for (size_t m = 0; m < k; m++)
			cr_expect(strcmp(g[m].path, g[k].path) != 0, "%s: listed twice in golden-counts.tsv", g[k].path);
	}
	/* both lists sorted by strcmp: merge */
	{
		char **gp = malloc((n ? n : 1) * sizeof(*gp));
		cr_assert(gp, "out of memory");
		for (size_t k = 0; k < n; k++)
			gp[k] = g[k].path;
		qsort(gp, n, sizeof(*gp), cmp_str);
		while (i < l.n || j < n) {
			int c = i == l.n ? 1 : j == n ? -1 : strcmp(l.paths[i], gp[j]);
			if (c < 0)
				cr_expect_fail("%s is in the capture folder but not in tests/corpus/golden-counts.tsv; "
					       "run tests/corpus/record-golden.sh and commit the goldens", l.paths[i++]);
			else if (c > 0)
				cr_expect_fail("%s is in tests/corpus/golden-counts.tsv but missing from %s; "
					       "run tests/corpus/record-golden.sh if it was removed on purpose", gp[j++], caps);
			else
				i++, j++;
		}
		free(gp);
	}
	cr_expect_gt(l.n, 0, "the capture folder %s holds no capture files", caps);
	/* every section of frames.tsv belongs to a row of golden-counts.tsv */
	{
		char why[PATH_MAX_LEN + 128], line[PATH_MAX_LEN + 16];
		FILE *fp = open_frames_golden(why, sizeof(why));
		cr_assert(fp, "%s", why);
		while (fgets(line, sizeof(line), fp)) {
			bool known = false;
			if (line[0] != '@')
				continue;
			line[strcspn(line, "\r\n")] = '\0';
			for (size_t k = 0; k < n && !known; k++)
				known = strcmp(g[k].path, line + 1) == 0;
			cr_expect(known, "%s has a section %s that golden-counts.tsv does not list; "
				  "run tests/corpus/record-golden.sh", FRAMES_GOLDEN, line);
		}
		fclose(fp);
	}
	for (size_t k = 0; k < l.n; k++)
		free(l.paths[k]);
	free(l.paths);
}

Test(corpus, usbmon_pcap) { check_family("usbmon"); }
Test(corpus, usbpcap) { check_family("usbpcap"); }
Test(corpus, darwin) { check_family("darwin"); }
Test(corpus, pcap_h4) { check_family("h4"); }
Test(corpus, usbmon_text) { check_family("usbmon-text"); }
Test(corpus, packetlogger) { check_family("packetlogger"); }
Test(corpus, btsnoop) { check_family("btsnoop"); }

/* One clear SKIP for automake (exit 77) when the capture folder is absent;
 * exit 99 (hard error) when top_srcdir is not set. */
int main(int argc, char *argv[])
{
	struct criterion_test_set *tests;
	const char *t = getenv("top_srcdir");
	int result = 0;

	if (!t || !*t) {
		fprintf(stderr, "test_corpus: top_srcdir is not set (make check sets it; "
			"run as top_srcdir=SRCDIR %s)\n", argv[0]);
		return 99;    /* automake: hard error */
	}
	{
		struct stat st;
		char dir[PATH_MAX_LEN];
		snprintf(dir, sizeof(dir), "%s/../shared/captures", t);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			printf("SKIP: corpus test: no capture folder at %s\n", dir);
			return 77;
		}
	}
	tests = criterion_initialize();
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
