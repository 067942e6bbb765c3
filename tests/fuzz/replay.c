// SPDX-License-Identifier: MIT
/*
 * Corpus replay: a plain main() that feeds every file of the directories (or
 * files) named on the command line to LLVMFuzzerTestOneInput, so the normal
 * sanitizer build re-checks every committed input on each `make test`.
 * Prints "N passed, 0 failed" on success; any crash or sanitizer report ends
 * the process and fails the test.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus entries are small; a larger file is a mistake in the corpus. */
#define REPLAY_MAX_INPUT (1u << 20)

static int replay_file(const char *path)
{
	uint8_t *buf;
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	/* Hand over an exactly-sized copy so ASan sees overreads. */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(exact, buf, n);
		free(buf);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

static int filter_regular(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int replay_path(const char *path, unsigned int *count)
{
	struct dirent **names;
	struct stat st;
	int n, r = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		r = replay_file(path);
		if (r == 0)
			(*count)++;
		return r;
	}
	n = scandir(path, &names, filter_regular, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char full[4096];

		if (r == 0 && snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name) <
				      (int)sizeof(full)) {
			r = replay_file(full);
			if (r == 0)
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned int count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) < 0)
			return 1;
	if (count == 0) {
		fprintf(stderr, "no corpus input found\n");
		return 1;
	}
	printf("%u passed, 0 failed\n", count);
	return 0;
}
