/* Helpers of the trust, status, request and verifier suites (see
 * helper_trust.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "helper_trust.h"

static void th_die(const char *what)
{
	fprintf(stderr, "test helper: %s\n", what);
	abort();
}

uint8_t *th_read_src(const char *rel, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", LP_SOURCE_DIR, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		th_die(path);
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	if (!buf)
		th_die("out of memory");
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

uint8_t *th_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *out = malloc(n / 2 + 1);
	size_t o = 0;
	int hi = -1;
	if (!out)
		th_die("out of memory");
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)hex[i], v;
		if (isspace(c))
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			th_die("bad hex");
		if (hi < 0)
			hi = v;
		else {
			out[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		th_die("odd hex");
	*len = o;
	return out;
}

void th_keypair(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	memset(seed, seed_byte, sizeof seed);
	if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
		th_die("keypair");
}

int th_check_example(const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/test-vectors/format/%s.hex", LP_SOURCE_DIR, name);
	const char *regen = getenv("LP_REGEN_EXAMPLES");
	if (regen && strcmp(regen, "1") == 0) {
		FILE *f = fopen(path, "w");
		if (!f)
			th_die(path);
		for (size_t i = 0; i < len; i++)
			fprintf(f, "%02x%s", p[i], (i % 32 == 31 || i + 1 == len) ? "\n" : "");
		fclose(f);
		return 1;
	}
	char rel[512];
	snprintf(rel, sizeof rel, "test-vectors/format/%s.hex", name);
	uint8_t *txt = th_read_src(rel, NULL);
	size_t n;
	uint8_t *want = th_unhex((const char *)txt, &n);
	int ok = n == len && memcmp(want, p, len) == 0;
	free(txt);
	free(want);
	return ok;
}
