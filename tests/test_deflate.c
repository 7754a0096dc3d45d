/* zlib deflate/inflate (lib/deflate.c): round trips, the hard output limit
 * against a multi-gigabyte bomb, and corrupt, truncated and foreign streams. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"
#include "leerpas/codec.h"

static void round_trip(const uint8_t *b, size_t n)
{
	lp_buf z = { 0 }, back = { 0 };
	cr_assert_eq(lp_deflate(lp_view_of(b, n), &z), LP_OK);
	cr_assert_geq(z.len, 8);
	cr_assert_eq(z.ptr[0], 0x78, "zlib header");
	cr_assert_eq(z.ptr[1], 0xda, "level 9 in FLEVEL");
	lp_diag d = { 0 };
	cr_assert_eq(lp_inflate(lp_buf_view(&z), n, &back, &d), LP_OK, "%zu bytes: %s", n, d.msg);
	cr_assert_eq(back.len, n);
	cr_assert(n == 0 || memcmp(back.ptr, b, n) == 0);
	/* zlib itself agrees */
	uLongf out_len = (uLongf)n + 1;
	uint8_t *chk = malloc(n + 1);
	cr_assert_eq(uncompress(chk, &out_len, z.ptr, (uLong)z.len), Z_OK);
	cr_assert_eq(out_len, n);
	free(chk);
	lp_buf_free(&z);
	lp_buf_free(&back);
}

Test(deflate, round_trips)
{
	static const size_t sizes[] = { 0, 1, 2, 100, 4095, 4096, 4097, 65536, 300000, 3000000 };
	srand(9);
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k];
		uint8_t *b = malloc(n + 1);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)rand();
		round_trip(b, n);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)("leerpas microcredential "[i % 24]);
		round_trip(b, n);
		free(b);
	}
}

Test(deflate, limit_is_exact)
{
	uint8_t b[1000];
	memset(b, 'x', sizeof b);
	lp_buf z = { 0 }, out = { 0 };
	cr_assert_eq(lp_deflate(lp_view_of(b, sizeof b), &z), LP_OK);
	cr_assert_eq(lp_inflate(lp_buf_view(&z), 1000, &out, NULL), LP_OK);
	cr_assert_eq(out.len, 1000);
	lp_buf_free(&out);
	lp_diag d = { 0 };
	cr_assert_eq(lp_inflate(lp_buf_view(&z), 999, &out, &d), LP_ERR_TOO_LARGE);
	cr_assert_null(out.ptr);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(d.code, LP_ERR_TOO_LARGE);
	cr_assert_eq(lp_inflate(lp_buf_view(&z), 0, &out, NULL), LP_ERR_TOO_LARGE);
	lp_buf_free(&z);
}

/* A zlib stream of `segments` MiB of zeros, built without compressing them
 * all: after a full flush the compressor forgets its history, so every MiB
 * of zeros compresses to the same byte-aligned segment. */
static uint8_t *zero_bomb(size_t segments, size_t *len)
{
	const size_t mib = 1u << 20;
	uint8_t *zeros = calloc(mib, 1);
	uint8_t *first = malloc(8192), *seg = malloc(8192);
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	cr_assert_eq(deflateInit(&zs, 9), Z_OK);
	zs.next_in = zeros;
	zs.avail_in = (uInt)mib;
	zs.next_out = first;
	zs.avail_out = 8192;
	cr_assert_eq(deflate(&zs, Z_FULL_FLUSH), Z_OK);
	size_t first_len = 8192 - zs.avail_out;
	zs.next_in = zeros;
	zs.avail_in = (uInt)mib;
	zs.next_out = seg;
	zs.avail_out = 8192;
	cr_assert_eq(deflate(&zs, Z_FULL_FLUSH), Z_OK);
	size_t seg_len = 8192 - zs.avail_out;
	deflateEnd(&zs);
	cr_assert_eq(first_len, seg_len + 2, "the first segment is the header plus the segment");
	cr_assert(memcmp(first + 2, seg, seg_len) == 0);
	/* header, segments, an empty final fixed block (0x03 0x00), adler32 */
	size_t n = 2 + segments * seg_len + 2 + 4;
	uint8_t *b = malloc(n);
	memcpy(b, first, 2);
	for (size_t i = 0; i < segments; i++)
		memcpy(b + 2 + i * seg_len, seg, seg_len);
	size_t o = 2 + segments * seg_len;
	b[o++] = 0x03;
	b[o++] = 0x00;
	/* adler32 of zeros: A stays 1, B grows by 1 per byte */
	uint64_t total = (uint64_t)segments * mib;
	uint32_t adler = ((uint32_t)(total % 65521u) << 16) | 1u;
	b[o++] = (uint8_t)(adler >> 24);
	b[o++] = (uint8_t)(adler >> 16);
	b[o++] = (uint8_t)(adler >> 8);
	b[o++] = (uint8_t)adler;
	free(zeros);
	free(first);
	free(seg);
	*len = n;
	return b;
}

Test(deflate, bomb_construction_is_valid)
{
	size_t n;
	uint8_t *b = zero_bomb(3, &n);
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_inflate(lp_view_of(b, n), 3u << 20, &out, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(out.len, 3u << 20);
	for (size_t i = 0; i < out.len; i++)
		cr_assert_eq(out.ptr[i], 0);
	lp_buf_free(&out);
	free(b);
}

Test(deflate, bomb_of_several_gigabytes_is_refused)
{
	/* 6 GiB nominal in a few megabytes of input */
	size_t n;
	uint8_t *b = zero_bomb(6144, &n);
	cr_assert_lt(n, 8u << 20);
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_inflate(lp_view_of(b, n), LP_MAX_INFLATED, &out, &d), LP_ERR_TOO_LARGE);
	cr_assert_null(out.ptr);
	cr_assert_eq(d.code, LP_ERR_TOO_LARGE);
	cr_assert_lt(d.offset, 4096, "stopped early in the input, at %zu", d.offset);
	/* and a larger caller limit still stops at that limit */
	cr_assert_eq(lp_inflate(lp_view_of(b, n), 16u << 20, &out, NULL), LP_ERR_TOO_LARGE);
	free(b);
}

Test(deflate, every_truncation_is_refused)
{
	const char *msg = "A diploma from 2026 must still verify in 2066.";
	lp_buf z = { 0 };
	cr_assert_eq(lp_deflate(lp_view_of((const uint8_t *)msg, strlen(msg)), &z), LP_OK);
	for (size_t k = 0; k < z.len; k++) {
		uint8_t *cut = malloc(k ? k : 1);
		memcpy(cut, z.ptr, k);
		lp_buf out = { 0 };
		lp_diag d = { 0 };
		cr_assert_eq(lp_inflate(lp_view_of(cut, k), 1000, &out, &d), LP_ERR_INFLATE, "cut at %zu", k);
		cr_assert_null(out.ptr);
		cr_assert_leq(d.offset, k);
		free(cut);
	}
	lp_buf_free(&z);
}

Test(deflate, corrupt_streams)
{
	const char *msg = "Keuzedeel Duurzaamheid in de installatietechniek, 240 SBU, NLQF 4.";
	size_t mlen = strlen(msg);
	lp_buf z = { 0 };
	cr_assert_eq(lp_deflate(lp_view_of((const uint8_t *)msg, mlen), &z), LP_OK);
	size_t rejected = 0;
	for (size_t i = 0; i < z.len * 8; i++) {
		uint8_t *c = malloc(z.len);
		memcpy(c, z.ptr, z.len);
		c[i / 8] ^= (uint8_t)(1u << (i % 8));
		lp_buf out = { 0 };
		lp_err rc = lp_inflate(lp_view_of(c, z.len), 1000, &out, NULL);
		if (rc == LP_OK) {
			/* only padding bits of the last block can change harmlessly */
			cr_assert(out.len == mlen && memcmp(out.ptr, msg, mlen) == 0, "bit %zu gave other bytes", i);
			lp_buf_free(&out);
		} else {
			cr_assert(rc == LP_ERR_INFLATE || rc == LP_ERR_TOO_LARGE, "bit %zu: %d", i, rc);
			cr_assert_null(out.ptr);
			rejected++;
		}
		free(c);
	}
	cr_assert_geq(rejected, z.len * 8 - 8);
	/* trailing bytes after the stream */
	uint8_t *t = malloc(z.len + 1);
	memcpy(t, z.ptr, z.len);
	t[z.len] = 0;
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_inflate(lp_view_of(t, z.len + 1), 1000, &out, &d), LP_ERR_INFLATE);
	cr_assert_eq(d.offset, z.len);
	free(t);
	lp_buf_free(&z);
}

Test(deflate, foreign_formats_are_refused)
{
	const char *msg = "hello hello hello hello";
	uint8_t buf[256];
	/* raw deflate and gzip wrappers */
	for (int wbits = -15; wbits <= 31; wbits += 46) {
		z_stream zs;
		memset(&zs, 0, sizeof zs);
		cr_assert_eq(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
		zs.next_in = (Bytef *)(uintptr_t)msg;
		zs.avail_in = (uInt)strlen(msg);
		zs.next_out = buf;
		zs.avail_out = sizeof buf;
		cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
		size_t n = sizeof buf - zs.avail_out;
		deflateEnd(&zs);
		lp_buf out = { 0 };
		cr_assert_eq(lp_inflate(lp_view_of(buf, n), 1000, &out, NULL), LP_ERR_INFLATE, "wbits %d", wbits);
	}
	/* a stream that needs a preset dictionary */
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	cr_assert_eq(deflateInit(&zs, 9), Z_OK);
	cr_assert_eq(deflateSetDictionary(&zs, (const Bytef *)"hello", 5), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)msg;
	zs.avail_in = (uInt)strlen(msg);
	zs.next_out = buf;
	zs.avail_out = sizeof buf;
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t n = sizeof buf - zs.avail_out;
	deflateEnd(&zs);
	lp_buf out = { 0 };
	cr_assert_eq(lp_inflate(lp_view_of(buf, n), 1000, &out, NULL), LP_ERR_INFLATE);
	/* garbage and an empty input */
	cr_assert_eq(lp_inflate(lp_view_of((const uint8_t *)"LP1:", 4), 1000, &out, NULL), LP_ERR_INFLATE);
	cr_assert_eq(lp_inflate(lp_view_of(buf, 0), 1000, &out, NULL), LP_ERR_INFLATE);
	cr_assert_null(out.ptr);
}
