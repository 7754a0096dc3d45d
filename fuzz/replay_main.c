/* main() for replaying a libFuzzer harness without libFuzzer: every file of
 * the directories (or the files) named on the command line is read into a
 * buffer of exactly its size and passed to LLVMFuzzerTestOneInput. A crash,
 * sanitizer report or abort() fails the test; so does an empty corpus. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT (64u * 1024u * 1024u)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s is unreadable or larger than %u bytes\n", path, REPLAY_MAX_INPUT);
		fclose(f);
		return -1;
	}
	size_t n = (size_t)st.st_size;
	/* exactly n bytes, so that AddressSanitizer sees any over-read */
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	size_t count = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: no such corpus %s\n", argv[i]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) != 0)
				return 2;
			count++;
			continue;
		}
		struct dirent **list = NULL;
		int n = scandir(argv[i], &list, NULL, by_name);
		if (n < 0) {
			fprintf(stderr, "replay: cannot list %s\n", argv[i]);
			return 2;
		}
		for (int k = 0; k < n; k++) {
			char path[4096];
			if (list[k]->d_name[0] != '.') {
				int w = snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
				if (w < 0 || (size_t)w >= sizeof path || stat(path, &st) != 0) {
					fprintf(stderr, "replay: bad path in %s\n", argv[i]);
					return 2;
				}
				if (S_ISREG(st.st_mode)) {
					if (run_file(path) != 0)
						return 2;
					count++;
				}
			}
			free(list[k]);
		}
		free(list);
	}
	if (count == 0) {
		fprintf(stderr, "replay: the corpus is empty\n");
		return 2;
	}
	printf("replayed %zu inputs\n", count);
	return 0;
}
