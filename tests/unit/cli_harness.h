/* cli_harness.h - the scsiscope binary run for the tests: its exit status, standard output and standard error, and temporary input files. */
#ifndef SCSISCOPE_TESTS_CLI_HARNESS_H
#define SCSISCOPE_TESTS_CLI_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

/* What one run of scsiscope left: exit status and its two outputs (NUL-terminated). */
struct cli_run {
	int status;
	char *out;
	char *err;
};

/* A file's text (NUL-terminated). */
static inline char *slurp_text(const char *path)
{
	size_t len;
	char *s = (char *)slurp(path, &len);

	cr_assert(s, "cannot open %s", path);
	return s;
}

/* Run $top_builddir/scsiscope with args (a shell word list, redirections allowed);
 * it must exit normally. */
static inline struct cli_run run_scsiscope(const char *args)
{
	const char *bd = getenv("top_builddir");
	char out[] = "/tmp/scsiscope-cli-out-XXXXXX", err[] = "/tmp/scsiscope-cli-err-XXXXXX";
	char cmd[4096];
	struct cli_run r;
	int fo = mkstemp(out), fe = mkstemp(err);

	cr_assert(bd, "top_builddir is not set (run through make check)");
	cr_assert(fo >= 0 && fe >= 0);
	close(fo);
	close(fe);
	snprintf(cmd, sizeof(cmd), "'%s/scsiscope' %s >%s 2>%s", bd, args, out, err);
	r.status = system(cmd);
	cr_assert(WIFEXITED(r.status), "scsiscope did not exit normally: %s", cmd);
	r.status = WEXITSTATUS(r.status);
	r.out = slurp_text(out);
	r.err = slurp_text(err);
	unlink(out);
	unlink(err);
	return r;
}

static inline void cli_run_free(struct cli_run *r)
{
	free(r->out);
	free(r->err);
}

/* Write len bytes of buf to a new temporary file; its name in path[64]. */
static inline void write_temp(const void *buf, size_t len, char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/scsiscope-cli-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

#endif
