/* replay.c - run fuzz targets without libFuzzer: every file (or every file of every directory) given, through one target; make check replays the seeds and the regression corpus with it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

#define FUZZ_TARGET(name) int fuzz_##name(const uint8_t *data, size_t size);
#include "fuzz/targets.h"
#undef FUZZ_TARGET

static const struct {
	const char *name;
	int (*fn)(const uint8_t *data, size_t size);
} targets[] = {
#define FUZZ_TARGET(name) { #name, fuzz_##name },
#include "fuzz/targets.h"
#undef FUZZ_TARGET
};

/* Inputs larger than libFuzzer's -max_len in fuzz/run.sh are cut the same way. */
#define REPLAY_MAX_LEN (1u << 20)

static int run_file(int (*fn)(const uint8_t *, size_t), const char *path, unsigned *n)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	size_t len;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(REPLAY_MAX_LEN);
	if (!buf) {
		fclose(fp);
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	len = fread(buf, 1, REPLAY_MAX_LEN, fp);
	fclose(fp);
	/* an exact-size copy, so a read past the input is caught by ASan */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		free(buf);
		fn(exact, len);
		free(exact);
	}
	(*n)++;
	return 0;
}

static int run_path(int (*fn)(const uint8_t *, size_t), const char *path, unsigned *n)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;             /* an empty corpus directory is not kept by git */
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(fn, path, n);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (run_path(fn, sub, n) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned n = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: replay TARGET [FILE|DIR]...   targets:");
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
			fprintf(stderr, " %s", targets[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (strcmp(argv[1], targets[i].name))
			continue;
		for (int a = 2; a < argc; a++)
			if (run_path(targets[i].fn, argv[a], &n) < 0)
				rc = 1;
		printf("replay %s: %u inputs\n", targets[i].name, n);
		return rc;
	}
	fprintf(stderr, "replay: no target '%s'\n", argv[1]);
	return 2;
}
