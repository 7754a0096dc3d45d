/* base45 (RFC 9285): every pair and every invalid input of the RFC 9285
 * vector file, plus exhaustive two-byte round trips and a negative table. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leerpas/codec.h"

static json_t *load_vectors(void)
{
	json_error_t err;
	json_t *j = json_load_file(LP_SOURCE_DIR "/test-vectors/base45/rfc9285_vectors.json", 0, &err);
	cr_assert_not_null(j, "cannot read the base45 vectors: %s", err.text);
	return j;
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h) / 2;
	cr_assert_leq(n, cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		cr_assert_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

Test(base45, rfc9285_pairs)
{
	json_t *j = load_vectors();
	json_t *pairs = json_object_get(j, "encode_decode");
	size_t i;
	json_t *v;
	size_t count = 0;
	json_array_foreach(pairs, i, v) {
		const char *hex = json_string_value(json_object_get(v, "hex"));
		const char *b45 = json_string_value(json_object_get(v, "base45"));
		cr_assert(hex && b45);
		uint8_t bytes[256];
		size_t n = unhex(hex, bytes, sizeof bytes);
		lp_buf enc = { 0 }, dec = { 0 };
		cr_assert_eq(lp_base45_encode(lp_view_of(bytes, n), &enc), LP_OK);
		cr_assert_eq(enc.len, strlen(b45), "vector %zu", i);
		cr_assert_str_eq((const char *)enc.ptr, b45, "vector %zu", i);
		cr_assert_eq(enc.len, lp_base45_encoded_len(n));
		lp_diag d = { 0 };
		cr_assert_eq(lp_base45_decode(lp_view_of((const uint8_t *)b45, strlen(b45)), &dec, &d), LP_OK,
		             "vector %zu: %s", i, d.msg);
		cr_assert_eq(dec.len, n);
		cr_assert(n == 0 || memcmp(dec.ptr, bytes, n) == 0);
		lp_buf_free(&enc);
		lp_buf_free(&dec);
		count++;
	}
	cr_assert_geq(count, 9);
	json_decref(j);
}

Test(base45, rfc9285_invalid)
{
	json_t *j = load_vectors();
	json_t *bad = json_object_get(j, "invalid_decode");
	size_t i;
	json_t *v;
	size_t count = 0;
	json_array_foreach(bad, i, v) {
		const char *b45 = json_string_value(json_object_get(v, "base45"));
		lp_buf dec = { (uint8_t *)1, 99 };
		lp_diag d = { 0 };
		cr_assert_eq(lp_base45_decode(lp_view_of((const uint8_t *)b45, strlen(b45)), &dec, &d), LP_ERR_BASE45,
		             "'%s' must be rejected", b45);
		cr_assert_null(dec.ptr);
		cr_assert_eq(dec.len, 0);
		cr_assert_eq(d.code, LP_ERR_BASE45);
		cr_assert_lt(d.offset, strlen(b45));
		count++;
	}
	cr_assert_eq(count, 10);
	json_decref(j);
}

Test(base45, every_two_byte_value_round_trips)
{
	for (unsigned v = 0; v <= 0xffff; v++) {
		uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
		lp_buf enc = { 0 }, dec = { 0 };
		cr_assert_eq(lp_base45_encode(lp_view_of(b, 2), &enc), LP_OK);
		cr_assert_eq(enc.len, 3);
		cr_assert_eq(lp_base45_decode(lp_buf_view(&enc), &dec, NULL), LP_OK);
		cr_assert_eq(dec.len, 2);
		cr_assert(dec.ptr[0] == b[0] && dec.ptr[1] == b[1], "value %u", v);
		lp_buf_free(&enc);
		lp_buf_free(&dec);
	}
	for (unsigned v = 0; v <= 0xff; v++) {
		uint8_t b[1] = { (uint8_t)v };
		lp_buf enc = { 0 }, dec = { 0 };
		cr_assert_eq(lp_base45_encode(lp_view_of(b, 1), &enc), LP_OK);
		cr_assert_eq(enc.len, 2);
		cr_assert_eq(lp_base45_decode(lp_buf_view(&enc), &dec, NULL), LP_OK);
		cr_assert(dec.len == 1 && dec.ptr[0] == b[0]);
		lp_buf_free(&enc);
		lp_buf_free(&dec);
	}
}

Test(base45, random_round_trips)
{
	srand(45);
	for (size_t n = 0; n < 300; n++) {
		uint8_t b[300];
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)rand();
		lp_buf enc = { 0 }, dec = { 0 };
		cr_assert_eq(lp_base45_encode(lp_view_of(b, n), &enc), LP_OK);
		cr_assert_eq(strlen((const char *)enc.ptr), enc.len, "NUL-terminated");
		cr_assert_eq(lp_base45_decode(lp_buf_view(&enc), &dec, NULL), LP_OK);
		cr_assert_eq(dec.len, n);
		cr_assert(n == 0 || memcmp(dec.ptr, b, n) == 0);
		lp_buf_free(&enc);
		lp_buf_free(&dec);
	}
}

struct bad_case {
	const char *text;
	size_t offset; /* expected diagnostic offset */
};

Test(base45, negative_table)
{
	static const struct bad_case cases[] = {
		{ "bb8", 0 },          /* lowercase of "BB8" */
		{ "BB8a", 3 },         /* lowercase anywhere */
		{ "BB8\n", 3 },        /* newline is not in the alphabet */
		{ "BB8\t", 3 },
		{ "BB\0008", 2 },
		{ "ZZ", 0 },           /* final pair 35 + 35*45 > 255 */
		{ "BB8ZZ", 3 },        /* same, after a good triplet */
		{ "GGW", 0 },          /* 65536 */
		{ "BB8GGW", 3 },
		{ "::::::", 0 },
		{ "BB8B", 3 },         /* length 4 = 1 mod 3 */
		{ "\xc3\x84", 0 },     /* non-ASCII */
		{ "_", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = i == 4 ? 4 : strlen(cases[i].text);
		lp_buf dec = { 0 };
		lp_diag d = { 0 };
		cr_assert_eq(lp_base45_decode(lp_view_of((const uint8_t *)cases[i].text, len), &dec, &d), LP_ERR_BASE45,
		             "case %zu", i);
		cr_assert_eq(d.offset, cases[i].offset, "case %zu: offset %zu (%s)", i, d.offset, d.msg);
		cr_assert_null(dec.ptr);
		cr_assert_neq(d.msg[0], '\0');
	}
}

Test(base45, maximum_triplet_is_valid)
{
	lp_buf dec = { 0 };
	cr_assert_eq(lp_base45_decode(lp_view_of((const uint8_t *)"FGW", 3), &dec, NULL), LP_OK);
	cr_assert(dec.len == 2 && dec.ptr[0] == 0xff && dec.ptr[1] == 0xff);
	lp_buf_free(&dec);
	/* and the largest valid final pair, 255 = 30 + 5*45 = "U5" */
	cr_assert_eq(lp_base45_decode(lp_view_of((const uint8_t *)"U5", 2), &dec, NULL), LP_OK);
	cr_assert(dec.len == 1 && dec.ptr[0] == 0xff);
	lp_buf_free(&dec);
	cr_assert_eq(lp_base45_decode(lp_view_of((const uint8_t *)"V5", 2), &dec, NULL), LP_ERR_BASE45);
}
