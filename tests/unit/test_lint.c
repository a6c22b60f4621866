/* test_lint.c - the check registry (complete, sorted), the runner (hook, report bound) and `scsiscope lint` (exit codes, --only/--skip, --explain, --list, JSON). */
#include <dirent.h>

#include "analyze/lint.h"
#include "analyze/lint_family.h"
#include "bot_capture.h"
#include "cli_harness.h"

/* --------------------------------------------------------------- registry */

/* The ids issue 4 names; each must be registered. */
static const char *const ISSUE_IDS[] = {
	"bot-missing-data-phase", "bot-phase-error", "bot-residue-mismatch", "bot-stall-recovery",
	"uas-missing-data-phase", "uas-orphan-sense", "usb-urb-error", "usb-device-gone", "cdb-length-mismatch",
	"alloc-length-vs-transfer", "cdb-reserved-bits", "check-condition", "unit-attention", "not-ready",
	"unflushed-writes", "sync-cache-failed", "sync-cache-unsupported", "sync-cache-suspicious",
	"data-mismatch", "slow-command", "command-timeout", "retry-storm", "bot-tag-mismatch",
	"bot-bad-signature", "bot-cbw-length", "bot-csw-missing", "bot-reset", "uas-tag-overlap",
	"uas-response-iu", "uas-task-management", "usb-stall", "capture-gap",
};

Test(registry, sorted_unique_and_documented)
{
	const struct check_info *ci, *prev = NULL;
	unsigned i;

	for (i = 0; (ci = check_at(i)); i++) {
		cr_assert(ci->id && ci->summary && ci->explain && ci->family);
		if (prev)
			cr_assert_lt(strcmp(prev->id, ci->id), 0, "%s and %s out of order or duplicated", prev->id, ci->id);
		cr_assert_leq(ci->severity, SEV_ERROR);
		cr_assert(strlen(ci->summary) > 10 && strlen(ci->explain) > 100, "%s: summary/explanation too thin", ci->id);
		cr_assert(!strcmp(ci->family, "usb") || !strcmp(ci->family, "bot") || !strcmp(ci->family, "uas") ||
				  !strcmp(ci->family, "scsi") || !strcmp(ci->family, "capture") || !strcmp(ci->family, "bt"),
			  "%s: family %s", ci->id, ci->family);
		cr_assert_eq(check_find(ci->id), ci);
		prev = ci;
	}
	cr_assert_geq(i, 40);
	cr_assert_null(check_at(i + 1));
	cr_assert_null(check_find("no-such-check"));
	cr_assert_null(check_find(""));
	for (i = 0; i < sizeof(ISSUE_IDS) / sizeof(ISSUE_IDS[0]); i++)
		cr_assert(check_find(ISSUE_IDS[i]), "%s is not registered", ISSUE_IDS[i]);
}

/* Every string-literal id passed to txn_add_finding / txn_attach_finding /
 * lint_report in the C files of dir; returns how many calls it saw. */
static unsigned scan_ids(const char *dir)
{
	static const char *const calls[] = { "txn_add_finding(", "txn_attach_finding(", "lint_report(" };
	char *path = src_path(dir);
	DIR *d = opendir(path);
	struct dirent *de;
	unsigned seen = 0;

	cr_assert(d, "cannot open %s", path);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name), len;
		char file[4096];
		char *text;

		if (nl < 3 || strcmp(de->d_name + nl - 2, ".c"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		text = (char *)slurp(file, &len);
		cr_assert(text);
		for (unsigned k = 0; k < 3; k++) {
			for (char *p = strstr(text, calls[k]); p; p = strstr(p + 1, calls[k])) {
				char *q = p + strlen(calls[k]), *e;
				char id[64];

				/* the second argument */
				while (*q && *q != ',' && *q != ')' && *q != ';')
					q++;
				if (*q != ',')
					continue;
				q++;
				while (*q == ' ' || *q == '\t' || *q == '\n')
					q++;
				if (*q != '"')
					continue;          /* a variable: a definition or a helper */
				e = strchr(q + 1, '"');
				cr_assert(e && e - q - 1 < (long)sizeof(id));
				memcpy(id, q + 1, (size_t)(e - q - 1));
				id[e - q - 1] = '\0';
				cr_assert(check_find(id), "%s uses the unregistered finding id '%s'", de->d_name, id);
				seen++;
			}
		}
		free(text);
	}
	closedir(d);
	free(path);
	return seen;
}

Test(registry, every_id_the_sources_use_is_registered)
{
	cr_assert_geq(scan_ids("decode"), 30, "the scan found too few calls in decode/");
	scan_ids("analyze");
}

/* ----------------------------------------------------------------- runner */

Test(runner, report_is_bounded_and_state_zeroed)
{
	struct lint_opts o;
	struct lint *l;
	uint64_t fr[6] = { 1, 2, 3, 4, 5, 6 };
	const struct finding *f;
	unsigned char *st;

	lint_opts_default(&o);
	cr_assert_gt(o.slow_factor, 1.0);
	cr_assert_gt(o.retry_storm_min, 1);
	l = lint_new(&o);
	cr_assert(l);
	cr_assert_eq(lint_get_opts(l)->retry_storm_min, o.retry_storm_min);
	st = lint_state(l, LINT_FAMILY_SCSI, 64);
	cr_assert(st);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(st[i], 0);
	cr_assert_eq(lint_state(l, LINT_FAMILY_SCSI, 64), st, "the same block on every call");
	cr_assert_null(lint_report_at(l, 0));
	for (unsigned i = 0; i < LINT_REPORT_MAX + 3; i++)
		lint_report(l, "capture-gap", SEV_INFO, fr, 6, "gap %u", i);
	f = lint_report_at(l, 0);
	cr_assert(f);
	cr_assert_str_eq(f->id, "capture-gap");
	cr_assert_eq(f->nframes, FINDING_FRAMES_MAX, "frames clamped");
	cr_assert_str_eq(f->msg, "gap 0");
	cr_assert_str_eq(lint_report_at(l, LINT_REPORT_MAX - 1)->msg, "gap 9999");
	cr_assert_null(lint_report_at(l, LINT_REPORT_MAX));
	cr_assert_eq(lint_report_dropped(l), 3);
	lint_finish(l);
	lint_free(l);
}

/* ------------------------------------------------------ crafted captures */

/* Enumeration, then TEST UNIT READY with CBW tag 7 answered by a CSW with
 * csw_tag; returns the CSW's frame. */
static uint64_t tur_capture(struct capb *b, uint32_t csw_tag)
{
	/* bot_init's device, its first record at the whole second */
	capb_open(b, BUS, DEV, 65535, 0xffff888000001000ULL, 1700000000000000000LL, 25000);
	bot_enumerate(b);
	cbw(b, 7, 0, false, TUR, 6);
	return csw(b, csw_tag, 0, 0);
}

/* Decode with the lint hook; count the findings at or above warning. */
static unsigned lint_sb(const struct strbuf *sb, struct col *col)
{
	struct lint *l = lint_new(NULL);
	struct decoder_opts o = { .notes = true, .hook = lint_hook, .hook_ctx = l };
	struct decoder *d;
	struct cap *cap;
	struct cap_record r;
	struct error err;
	unsigned serious = 0;

	cr_assert(l);
	memset(col, 0, sizeof(*col));
	d = decoder_new(&o, collect, col);
	cr_assert(d);
	cr_assert_eq(cap_open_mem(sb->buf, sb->len, "test.pcap", &cap, &err), 0, "%s", errtext(&err));
	while (cap_next(cap, &r, &err) > 0)
		if (r.kind == CAP_REC_USB)
			decoder_feed(d, &r.u.usb);
	decoder_finish(d);
	lint_finish(l);
	for (size_t i = 0; i < col->n; i++)
		for (uint32_t j = 0; j < col->c[i].s.nfindings; j++)
			serious += col->c[i].findings[j].severity >= SEV_WARNING;
	decoder_free(d);
	lint_free(l);
	cap_close(cap);
	return serious;
}

Test(runner, decoder_findings_pass_through_the_hook)
{
	struct capb b;
	struct col col;
	uint64_t f_csw = tur_capture(&b, 8);
	const struct finding *f;

	lint_sb(&b.sb, &col);
	cr_assert_eq(col.n, 1);
	f = find(&col.c[0], "bot-tag-mismatch");
	cr_assert(f);
	cr_assert_eq(f->severity, SEV_ERROR);
	cr_assert_eq(f->nframes, 1);
	cr_assert_eq(f->frames[0], f_csw);
	col_free(&col);
	sb_release(&b.sb);

	tur_capture(&b, 7);
	cr_assert_eq(lint_sb(&b.sb, &col), 0, "a correct exchange has no warning or error");
	cr_assert_eq(col.n, 1);
	col_free(&col);
	sb_release(&b.sb);
}

/* ------------------------------------------------------- scsiscope lint */

/* `scsiscope lint` with args. */
static struct cli_run lint_cli(const char *args)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "lint %s", args);
	return run_scsiscope(cmd);
}

static unsigned count_lines(const char *s, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(lint_cli, exit_codes)
{
	struct capb b;
	char path[64], args[256];
	struct cli_run r;
	uint64_t f_csw;

	tur_capture(&b, 7);
	write_temp(b.sb.buf, b.sb.len, path);
	r = lint_cli(path);
	cr_assert_eq(r.status, 0, "clean capture: %s%s", r.out, r.err);
	cr_assert(strstr(r.out, "0 errors, 0 warnings"), "%s", r.out);
	cli_run_free(&r);
	unlink(path);
	sb_release(&b.sb);

	f_csw = tur_capture(&b, 8);
	write_temp(b.sb.buf, b.sb.len, path);
	r = lint_cli(path);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "bot-tag-mismatch on device 1:5: 1 finding"), "%s", r.out);
	snprintf(args, sizeof(args), "frame %llu: the CSW's tag", (unsigned long long)f_csw);
	cr_assert(strstr(r.out, args), "%s", r.out);
	cli_run_free(&r);

	snprintf(args, sizeof(args), "--skip bot-tag-mismatch %s", path);
	r = lint_cli(args);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_null(strstr(r.out, "bot-tag-mismatch"));
	cli_run_free(&r);

	snprintf(args, sizeof(args), "--only usb-stall,capture-gap %s", path);
	r = lint_cli(args);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_null(strstr(r.out, "bot-tag-mismatch"));
	cli_run_free(&r);

	snprintf(args, sizeof(args), "--only no-such-id %s", path);
	r = lint_cli(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "no-such-id"), "%s", r.err);
	cli_run_free(&r);

	snprintf(args, sizeof(args), "--json %s", path);
	r = lint_cli(args);
	cr_assert_eq(r.status, 1);
	snprintf(args, sizeof(args),
		 "{\"kind\":\"finding\",\"id\":\"bot-tag-mismatch\",\"severity\":\"error\",\"family\":\"bot\","
		 "\"bus\":1,\"device\":5,\"frames\":[%llu],\"message\":\"the CSW's tag",
		 (unsigned long long)f_csw);
	cr_assert(strstr(r.out, args), "%s", r.out);
	cr_assert_eq(count_lines(r.out, "\n"), 2, "one finding, one summary: %s", r.out);
	cr_assert(strstr(r.out, "{\"kind\":\"summary\",\"errors\":1,\"warnings\":0,\"infos\":0"), "%s", r.out);
	cli_run_free(&r);

	/* cut inside the CSW's record: damaged, exit 2 after the findings */
	unlink(path);
	write_temp(b.sb.buf, b.sb.len - 5, path);
	r = lint_cli(path);
	cr_assert_eq(r.status, 2, "%s", r.out);
	cr_assert(strlen(r.err) > 0);
	cr_assert(strstr(r.out, "errors,"), "the summary is still printed: %s", r.out);
	cli_run_free(&r);
	unlink(path);
	sb_release(&b.sb);
}

Test(lint_cli, explain_and_list)
{
	struct cli_run r = lint_cli("--explain bot-tag-mismatch");
	const struct check_info *ci;
	unsigned n = 0;

	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "bot-tag-mismatch (error, bot)"), "%s", r.out);
	cr_assert(strstr(r.out, "dCSWTag"), "%s", r.out);
	cli_run_free(&r);

	r = lint_cli("--explain nope");
	cr_assert_eq(r.status, 2);
	cli_run_free(&r);

	r = lint_cli("--list");
	cr_assert_eq(r.status, 0);
	for (unsigned i = 0; (ci = check_at(i)); i++, n++) {
		char line[64];
		snprintf(line, sizeof(line), "%s ", ci->id);
		cr_assert(strstr(r.out, line), "--list lacks %s", ci->id);
	}
	for (unsigned i = 0; lint_tunable_at(i); i++, n++) {
		char line[64];
		snprintf(line, sizeof(line), "\n%s ", lint_tunable_at(i)->name);
		cr_assert(strstr(r.out, line), "--list lacks tunable %s", lint_tunable_at(i)->name);
	}
	cr_assert(strstr(r.out, "\nslow-factor                10 "), "defaults shown: %s", r.out);
	cr_assert_eq(count_lines(r.out, "\n"), n + 2, "checks, a blank line, a heading, tunables");
	cli_run_free(&r);
}

/* -o NAME=VALUE sets a threshold: three failures of the same CDB are a
 * retry storm only with retry-storm-min=3. */
Test(lint_cli, option_sets_a_tunable)
{
	static const uint8_t bad_read[10] = { 0x28, 0, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0 };
	static const uint8_t sense[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x21, 0 };
	struct capb b;
	char path[64], args[256];
	struct cli_run r;

	bot_init(&b);
	bot_enumerate(&b);
	for (uint32_t tag = 1; tag <= 6; tag += 2) {
		cbw(&b, tag, 512, true, bad_read, 10);
		csw(&b, tag, 512, 1);
		cbw(&b, tag + 1, 18, true, REQSENSE, 6);
		bin(&b, 18, sense, 18, 0);
		csw(&b, tag + 1, 0, 0);
	}
	write_temp(b.sb.buf, b.sb.len, path);
	snprintf(args, sizeof(args), "--only retry-storm --severity info %s", path);
	r = lint_cli(args);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_null(strstr(r.out, "retry-storm on"), "%s", r.out);
	cli_run_free(&r);
	snprintf(args, sizeof(args), "--only retry-storm -o retry-storm-min=3 --severity info %s", path);
	r = lint_cli(args);
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(strstr(r.out, "retry-storm on device 1:5: 1 finding"), "%s", r.out);
	cli_run_free(&r);
	for (unsigned i = 0; i < 3; i++) {
		static const char *const bad[] = { "retry-storm-min=x", "nope=1", "retry-storm-min" };
		snprintf(args, sizeof(args), "-o %s %s", bad[i], path);
		r = lint_cli(args);
		cr_assert_eq(r.status, 2, "%s: %s", bad[i], r.out);
		cr_assert(strstr(r.err, "-o: "), "%s", r.err);
		cli_run_free(&r);
	}
	unlink(path);
	sb_release(&b.sb);
}
