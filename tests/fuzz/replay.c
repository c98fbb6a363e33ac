/*
 * Runs a fuzz harness over files, without libFuzzer: make check replays the
 * seed corpora and every crash the fuzzers ever found (tests/fuzz/regressions)
 * under ASan and UBSan. Prints TAP: one test per file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, int n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f) {
		printf("not ok %d - %s: cannot open\n", n, path);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				printf("not ok %d - %s: out of memory\n", n, path);
				return 1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("ok %d - %s\n", n, path);
	return 0;
}

#ifndef FUZZ_DIRS
#define FUZZ_DIRS ""
#endif

int main(int argc, char **argv)
{
	char dirs[4096], *args[64];
	int i, n = 0, failed = 0, nargs = 0;

	/* Without arguments: the harness's corpus and regressions (run from the top). */
	if (argc < 2) {
		char *p = dirs;

		(void)snprintf(dirs, sizeof(dirs), "%s", FUZZ_DIRS);
		while (p && *p && nargs < 63) {
			args[++nargs] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		argv = args;
		argc = nargs + 1;
	}
	for (i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;

		if (!d) {
			failed += run_file(argv[i], ++n);
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			failed += run_file(path, ++n);
		}
		closedir(d);
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
