/* Strict CBOR (lib/cbor_util.c): every RFC 8949 Appendix A example, and a
 * negative table: truncations, duplicate keys, trailing bytes, deep
 * nesting, reserved and indefinite heads, non-shortest heads, bad UTF-8. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

static json_t *appendix_a(void)
{
	json_error_t err;
	json_t *j = json_load_file(LP_SOURCE_DIR "/test-vectors/cbor/appendix_a.json", JSON_DECODE_INT_AS_REAL, &err);
	cr_assert_not_null(j, "cannot read appendix_a.json: %s", err.text);
	cr_assert_eq(json_array_size(j), 82);
	return j;
}

/* An example uses indefinite lengths when an initial byte with ai 31 of
 * major type 2-5 appears; the vector file has 11 of them. */
static bool vector_is_indefinite(const char *hex)
{
	static const char *const indef[] = {
		"5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff",
		"9f01820203820405ff", "83018202039f0405ff", "83019f0203ff820405",
		"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", "bf61610161629f0203ffff",
		"826161bf61626163ff", "bf6346756ef563416d7421ff",
	};
	for (size_t i = 0; i < sizeof indef / sizeof indef[0]; i++)
		if (strcmp(hex, indef[i]) == 0)
			return true;
	return false;
}

static lp_err load_hex(const char *hex, cbor_item_t **out, lp_diag *d)
{
	uint8_t b[256];
	size_t n = unhex(hex, b, sizeof b);
	return lp_cbor_load(lp_view_of(b, n), LP_CBOR_MAX_DEPTH, out, d);
}

Test(cbor, appendix_a_examples)
{
	json_t *j = appendix_a();
	size_t i, ok = 0, rt = 0, indef = 0;
	json_t *v;
	json_array_foreach(j, i, v) {
		const char *hex = json_string_value(json_object_get(v, "hex"));
		bool roundtrip = json_is_true(json_object_get(v, "roundtrip"));
		uint8_t b[256];
		size_t n = unhex(hex, b, sizeof b);
		cbor_item_t *it = (cbor_item_t *)1;
		lp_diag d = { 0 };
		lp_err rc = lp_cbor_load(lp_view_of(b, n), LP_CBOR_MAX_DEPTH, &it, &d);
		if (vector_is_indefinite(hex)) {
			cr_assert_eq(rc, LP_ERR_CBOR_INDEFINITE, "%s: %d %s", hex, rc, d.msg);
			cr_assert_null(it);
			indef++;
			continue;
		}
		if (strcmp(hex, "f818") == 0) {
			/* RFC 7049's simple(24) example; RFC 8949 3.3 makes it not
			 * well-formed (see test-vectors/cbor/ORIGIN.md). */
			cr_assert_eq(rc, LP_ERR_CBOR);
			cr_assert_null(it);
			continue;
		}
		cr_assert_eq(rc, LP_OK, "%s: %s", hex, d.msg);
		cr_assert_not_null(it);
		ok++;
		/* Every definite example re-encodes to its own bytes, also those
		 * the vector file flags as not round-tripping in general (the
		 * 32/64-bit infinities and NaNs): we keep the float width. */
		lp_buf enc = { 0 };
		cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
		cr_assert_eq(enc.len, n, "%s re-encodes to %zu bytes", hex, enc.len);
		cr_assert(memcmp(enc.ptr, b, n) == 0, "%s re-encodes differently", hex);
		if (roundtrip)
			rt++;
		lp_buf_free(&enc);
		cbor_decref(&it);
	}
	cr_assert_eq(indef, 11);
	cr_assert_eq(ok, 82 - 11 - 1);
	cr_assert_eq(rt, 64);
	json_decref(j);
}

Test(cbor, appendix_a_every_truncation_fails)
{
	json_t *j = appendix_a();
	size_t i;
	json_t *v;
	json_array_foreach(j, i, v) {
		const char *hex = json_string_value(json_object_get(v, "hex"));
		uint8_t b[256];
		size_t n = unhex(hex, b, sizeof b);
		for (size_t k = 0; k < n; k++) {
			cbor_item_t *it = (cbor_item_t *)1;
			lp_diag d = { 0 };
			/* A copy of exactly k bytes, so ASan sees any over-read. */
			uint8_t *cut = malloc(k ? k : 1);
			memcpy(cut, b, k);
			lp_err rc = lp_cbor_load(lp_view_of(cut, k), LP_CBOR_MAX_DEPTH, &it, &d);
			free(cut);
			cr_assert_neq(rc, LP_OK, "%s cut at %zu accepted", hex, k);
			cr_assert_null(it);
			if (k == 0 || !vector_is_indefinite(hex))
				if (strcmp(hex, "f818") != 0)
					cr_assert_eq(rc, LP_ERR_CBOR, "%s cut at %zu: %d %s", hex, k, rc, d.msg);
			cr_assert_leq(d.offset, k);
		}
	}
	json_decref(j);
}

struct neg {
	const char *hex;
	lp_err want;
	size_t offset;
};

Test(cbor, negative_table)
{
	static const struct neg cases[] = {
		/* duplicate keys, by value */
		{ "a201020103", LP_ERR_CBOR_DUPLICATE_KEY, 3 },
		{ "a2616101616102", LP_ERR_CBOR_DUPLICATE_KEY, 4 },
		{ "a220002001", LP_ERR_CBOR_DUPLICATE_KEY, 3 },
		{ "a2410100410101", LP_ERR_CBOR_DUPLICATE_KEY, 4 },
		{ "a28201020082010200", LP_ERR_CBOR_DUPLICATE_KEY, 5 },
		{ "a1 01 a2 02 00 02 01", LP_ERR_CBOR_DUPLICATE_KEY, 5 },
		{ "a3 01 00 02 00 01 00", LP_ERR_CBOR_DUPLICATE_KEY, 5 },
		{ "a2f83b00f83b01", LP_ERR_CBOR_DUPLICATE_KEY, 4 },
		{ "a2c10100c10101", LP_ERR_CBOR_DUPLICATE_KEY, 4 },
		/* the same value with a longer head cannot sneak past */
		{ "a20100180101", LP_ERR_CBOR, 3 },
		/* keys whose bytes are not unique per value */
		{ "a1f93c0000", LP_ERR_CBOR, 1 },
		{ "a1a0 00", LP_ERR_CBOR, 1 },
		{ "a1 81 a0 00", LP_ERR_CBOR, 2 },
		/* trailing bytes */
		{ "0000", LP_ERR_CBOR_TRAILING, 1 },
		{ "a0ff", LP_ERR_CBOR_TRAILING, 1 },
		{ "8101 02 03", LP_ERR_CBOR_TRAILING, 2 },
		/* reserved additional information 28-30, every major type */
		{ "1c", LP_ERR_CBOR, 0 }, { "1d", LP_ERR_CBOR, 0 }, { "1e", LP_ERR_CBOR, 0 },
		{ "3c", LP_ERR_CBOR, 0 }, { "5d", LP_ERR_CBOR, 0 }, { "7e", LP_ERR_CBOR, 0 },
		{ "9c", LP_ERR_CBOR, 0 }, { "bd", LP_ERR_CBOR, 0 }, { "de", LP_ERR_CBOR, 0 },
		{ "fc", LP_ERR_CBOR, 0 }, { "fd", LP_ERR_CBOR, 0 }, { "fe", LP_ERR_CBOR, 0 },
		{ "8201 1c", LP_ERR_CBOR, 2 },
		/* ai 31 where it is never allowed, and a stray break */
		{ "1f", LP_ERR_CBOR, 0 }, { "3f", LP_ERR_CBOR, 0 }, { "df", LP_ERR_CBOR, 0 },
		{ "ff", LP_ERR_CBOR, 0 }, { "8201ff", LP_ERR_CBOR, 2 },
		/* indefinite lengths inside definite items */
		{ "8201 5f 41 00 ff", LP_ERR_CBOR_INDEFINITE, 2 },
		{ "a1 01 bf ff", LP_ERR_CBOR_INDEFINITE, 2 },
		/* non-shortest heads */
		{ "1817", LP_ERR_CBOR, 0 }, { "1900ff", LP_ERR_CBOR, 0 }, { "1a0000ffff", LP_ERR_CBOR, 0 },
		{ "1b00000000ffffffff", LP_ERR_CBOR, 0 }, { "3800", LP_ERR_CBOR, 0 }, { "5800", LP_ERR_CBOR, 0 },
		{ "780161", LP_ERR_CBOR, 0 }, { "9800", LP_ERR_CBOR, 0 }, { "b800", LP_ERR_CBOR, 0 },
		{ "d80100", LP_ERR_CBOR, 0 }, { "f800", LP_ERR_CBOR, 0 }, { "f81f", LP_ERR_CBOR, 0 },
		{ "8218 01 00", LP_ERR_CBOR, 1 },
		/* bad UTF-8 in text strings */
		{ "62c328", LP_ERR_CBOR, 1 }, { "62c080", LP_ERR_CBOR, 1 }, { "63eda080", LP_ERR_CBOR, 1 },
		{ "64f4908080", LP_ERR_CBOR, 1 }, { "6180", LP_ERR_CBOR, 1 }, { "6261c3", LP_ERR_CBOR, 2 },
		/* declared sizes far beyond the input */
		{ "5bffffffffffffffff00", LP_ERR_CBOR, 0 }, { "9bffffffffffffffff00", LP_ERR_CBOR, 0 },
		{ "bbffffffffffffffff00", LP_ERR_CBOR, 0 }, { "a20000", LP_ERR_CBOR, 0 },
		{ "", LP_ERR_CBOR, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char clean[128];
		size_t o = 0;
		for (const char *p = cases[i].hex; *p; p++)
			if (*p != ' ')
				clean[o++] = *p;
		clean[o] = '\0';
		cbor_item_t *it = (cbor_item_t *)1;
		lp_diag d = { 0 };
		lp_err rc = load_hex(clean, &it, &d);
		cr_assert_eq(rc, cases[i].want, "%s: got %d (%s)", clean, rc, d.msg);
		cr_assert_null(it);
		cr_assert_eq(d.code, cases[i].want);
		cr_assert_eq(d.offset, cases[i].offset, "%s: offset %zu (%s)", clean, d.offset, d.msg);
		cr_assert_neq(d.msg[0], '\0');
		/* the check alone says the same */
		uint8_t b[256];
		size_t n = unhex(clean, b, sizeof b);
		cr_assert_eq(lp_cbor_check(lp_view_of(b, n), LP_CBOR_MAX_DEPTH, NULL), cases[i].want);
	}
}

Test(cbor, distinct_keys_are_not_duplicates)
{
	static const char *const ok[] = {
		"a201002100",         /* 1 and -2 */
		"a20100613100",       /* 1 and "1" */
		"a2410100613100",     /* h'01' and "1"*/
		"a20100c10100",       /* 1 and 1(1) */
		"a2f83b00f83c00",     /* simple(59) and simple(60) */
		"a2 01 a1 01 00 02 a1 01 00", /* same key in sibling maps */
		"a1 01 a1 01 00",     /* same key in parent and child */
		"a2f400f500",         /* false and true */
		"a2 8101 00 820101 00",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char clean[128];
		size_t o = 0;
		for (const char *p = ok[i]; *p; p++)
			if (*p != ' ')
				clean[o++] = *p;
		clean[o] = '\0';
		cbor_item_t *it = NULL;
		lp_diag d = { 0 };
		cr_assert_eq(load_hex(clean, &it, &d), LP_OK, "%s: %s", clean, d.msg);
		cr_assert(cbor_isa_map(it));
		cbor_decref(&it);
	}
}

static uint8_t *nested(size_t levels, uint8_t opener, size_t *len)
{
	uint8_t *b = malloc(levels * 2 + 1);
	size_t n = 0;
	for (size_t i = 0; i < levels; i++) {
		b[n++] = opener;
		if (opener == 0xa1)
			b[n++] = 0x00; /* key 0, the value nests */
	}
	b[n++] = 0x00;
	*len = n;
	return b;
}

Test(cbor, million_deep_nesting)
{
	static const uint8_t openers[] = { 0x81, 0xa1, 0xc6, 0x9f };
	for (size_t k = 0; k < sizeof openers; k++) {
		size_t n;
		uint8_t *b = nested(1000000, openers[k], &n);
		cbor_item_t *it = (cbor_item_t *)1;
		lp_diag d = { 0 };
		lp_err rc = lp_cbor_load(lp_view_of(b, n), LP_CBOR_MAX_DEPTH, &it, &d);
		if (openers[k] == 0x9f) {
			cr_assert_eq(rc, LP_ERR_CBOR_INDEFINITE);
			cr_assert_eq(d.offset, 0);
		} else {
			cr_assert_eq(rc, LP_ERR_CBOR_DEPTH, "opener %02x: %d %s", openers[k], rc, d.msg);
			size_t step = openers[k] == 0xa1 ? 2 : 1;
			cr_assert_eq(d.offset, LP_CBOR_MAX_DEPTH * step);
		}
		cr_assert_null(it);
		/* even with an absurd limit the check runs without recursion */
		cr_assert_eq(lp_cbor_check(lp_view_of(b, n), SIZE_MAX, NULL),
		             openers[k] == 0x9f ? LP_ERR_CBOR_INDEFINITE : LP_OK);
		free(b);
	}
}

Test(cbor, depth_limit_is_exact)
{
	for (size_t levels = 0; levels <= LP_CBOR_MAX_DEPTH + 1; levels++) {
		size_t n;
		uint8_t *b = nested(levels, 0x81, &n);
		cbor_item_t *it = NULL;
		lp_err rc = lp_cbor_load(lp_view_of(b, n), LP_CBOR_MAX_DEPTH, &it, NULL);
		if (levels <= LP_CBOR_MAX_DEPTH) {
			cr_assert_eq(rc, LP_OK, "depth %zu", levels);
			lp_buf enc = { 0 };
			cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
			cr_assert(enc.len == n && memcmp(enc.ptr, b, n) == 0);
			lp_buf_free(&enc);
			cbor_decref(&it);
		} else {
			cr_assert_eq(rc, LP_ERR_CBOR_DEPTH);
		}
		free(b);
	}
	/* empty containers do not open a level */
	uint8_t flat[] = { 0x81, 0x80 };
	cr_assert_eq(lp_cbor_check(lp_view_of(flat, 2), 1, NULL), LP_OK);
	cr_assert_eq(lp_cbor_check(lp_view_of(flat, 2), 0, NULL), LP_ERR_CBOR_DEPTH);
}

Test(cbor, simple_values_beyond_libcbor_loader)
{
	/* {simple(59): [h'00'], 1: simple(16)}: SD-CWT puts redacted claim keys
	 * under simple(59), which libcbor 0.8's own loader refuses. */
	cbor_item_t *it = NULL;
	lp_diag d = { 0 };
	cr_assert_eq(load_hex("a2f83b81410001f0", &it, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(cbor_map_size(it), 2);
	struct cbor_pair *p = cbor_map_handle(it);
	cr_assert(cbor_isa_float_ctrl(p[0].key) && cbor_float_ctrl_is_ctrl(p[0].key));
	cr_assert_eq(cbor_ctrl_value(p[0].key), 59);
	cr_assert_eq(cbor_ctrl_value(lp_cbor_map_get_int(it, 1)), 16);
	lp_buf enc = { 0 };
	cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
	uint8_t want[] = { 0xa2, 0xf8, 0x3b, 0x81, 0x41, 0x00, 0x01, 0xf0 };
	cr_assert(enc.len == sizeof want && memcmp(enc.ptr, want, sizeof want) == 0);
	lp_buf_free(&enc);
	cbor_decref(&it);
}

Test(cbor, integers)
{
	static const struct {
		int64_t v;
		const char *hex;
	} t[] = {
		{ 0, "00" }, { 23, "17" }, { 24, "1818" }, { 255, "18ff" }, { 256, "190100" },
		{ 65535, "19ffff" }, { 65536, "1a00010000" }, { 4294967295, "1affffffff" },
		{ 4294967296, "1b0000000100000000" }, { INT64_MAX, "1b7fffffffffffffff" },
		{ -1, "20" }, { -24, "37" }, { -25, "3818" }, { -256, "38ff" }, { -257, "390100" },
		{ INT64_MIN, "3b7fffffffffffffff" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		cbor_item_t *it = lp_cbor_int(t[i].v);
		cr_assert_not_null(it);
		lp_buf enc = { 0 };
		cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
		uint8_t want[16];
		size_t n = unhex(t[i].hex, want, sizeof want);
		cr_assert(enc.len == n && memcmp(enc.ptr, want, n) == 0, "%lld", (long long)t[i].v);
		int64_t back = 0;
		cr_assert(lp_cbor_get_int(it, &back));
		cr_assert_eq(back, t[i].v);
		cbor_item_t *loaded = NULL;
		cr_assert_eq(lp_cbor_load(lp_buf_view(&enc), 1, &loaded, NULL), LP_OK);
		cr_assert(lp_cbor_get_int(loaded, &back));
		cr_assert_eq(back, t[i].v);
		cbor_decref(&loaded);
		lp_buf_free(&enc);
		cbor_decref(&it);
	}
	/* outside int64_t */
	static const char *const big[] = { "1b8000000000000000", "1bffffffffffffffff", "3b8000000000000000",
	                                   "3bffffffffffffffff" };
	for (size_t i = 0; i < 4; i++) {
		cbor_item_t *it = NULL;
		cr_assert_eq(load_hex(big[i], &it, NULL), LP_OK);
		int64_t v = 7;
		cr_assert_not(lp_cbor_get_int(it, &v), "%s", big[i]);
		cbor_decref(&it);
	}
	cbor_item_t *s = cbor_build_string("1");
	int64_t v;
	cr_assert_not(lp_cbor_get_int(s, &v));
	cr_assert_not(lp_cbor_get_int(NULL, &v));
	cbor_decref(&s);
}

Test(cbor, map_helpers)
{
	cbor_item_t *m = cbor_new_indefinite_map();
	cr_assert(lp_cbor_map_put(m, lp_cbor_int(1), lp_cbor_int(-8)));
	cr_assert(lp_cbor_map_put(m, lp_cbor_int(-70000), cbor_build_string("x")));
	cr_assert(lp_cbor_map_put(m, cbor_build_string("bits"), lp_cbor_int(2)));
	cr_assert(lp_cbor_map_put(m, cbor_build_string(""), lp_cbor_int(3)));
	int64_t v = 0;
	cr_assert(lp_cbor_get_int(lp_cbor_map_get_int(m, 1), &v) && v == -8);
	cr_assert(cbor_isa_string(lp_cbor_map_get_int(m, -70000)));
	cr_assert(lp_cbor_get_int(lp_cbor_map_get_str(m, "bits"), &v) && v == 2);
	cr_assert(lp_cbor_get_int(lp_cbor_map_get_str(m, ""), &v) && v == 3);
	cr_assert_null(lp_cbor_map_get_int(m, 2));
	cr_assert_null(lp_cbor_map_get_str(m, "bit"));
	cr_assert_null(lp_cbor_map_get_str(m, "bitsx"));
	cr_assert_null(lp_cbor_map_get_int(NULL, 1));
	cr_assert_null(lp_cbor_map_get_str(lp_cbor_map_get_int(m, 1), "x"));
	/* an indefinite map encodes with a definite head */
	lp_buf enc = { 0 };
	cr_assert_eq(lp_cbor_encode(m, &enc), LP_OK);
	uint8_t want[] = { 0xa4, 0x01, 0x27, 0x3a, 0x00, 0x01, 0x11, 0x6f, 0x61, 0x78,
	                   0x64, 'b', 'i', 't', 's', 0x02, 0x60, 0x03 };
	cr_assert(enc.len == sizeof want && memcmp(enc.ptr, want, sizeof want) == 0);
	lp_buf_free(&enc);
	/* ownership is taken also on failure */
	cr_assert_not(lp_cbor_map_put(NULL, lp_cbor_int(5), lp_cbor_int(6)));
	cr_assert_not(lp_cbor_map_put(m, NULL, lp_cbor_int(6)));
	cbor_item_t *full = cbor_new_definite_map(0);
	cr_assert_not(lp_cbor_map_put(full, lp_cbor_int(5), lp_cbor_int(6)));
	cbor_decref(&full);
	cbor_decref(&m);
}

Test(cbor, encode_chunked_strings_and_tags)
{
	cbor_item_t *s = cbor_new_indefinite_string();
	cr_assert(cbor_string_add_chunk(s, cbor_move(cbor_build_string("ab"))));
	cr_assert(cbor_string_add_chunk(s, cbor_move(cbor_build_string("c"))));
	cbor_item_t *t = cbor_build_tag(18, s);
	cbor_decref(&s);
	lp_buf enc = { 0 };
	cr_assert_eq(lp_cbor_encode(t, &enc), LP_OK);
	uint8_t want[] = { 0xd2, 0x63, 'a', 'b', 'c' };
	cr_assert(enc.len == sizeof want && memcmp(enc.ptr, want, sizeof want) == 0);
	lp_buf_free(&enc);
	cbor_decref(&t);
	cr_assert_eq(lp_cbor_encode(NULL, &enc), LP_ERR_ARG);
	cr_assert_null(enc.ptr);
}

Test(cbor, bit_flips_never_crash)
{
	/* A COSE_Sign1-like item; every single-bit change either fails or
	 * yields an item that encodes back to the changed bytes. */
	uint8_t b[64];
	size_t n = unhex("d28443a10127a10442313154546869732069732074686520636f6e74656e742e4101", b, sizeof b);
	for (size_t i = 0; i < n * 8; i++) {
		uint8_t c[64];
		memcpy(c, b, n);
		c[i / 8] ^= (uint8_t)(1u << (i % 8));
		cbor_item_t *it = NULL;
		if (lp_cbor_load(lp_view_of(c, n), LP_CBOR_MAX_DEPTH, &it, NULL) == LP_OK) {
			lp_buf enc = { 0 };
			cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
			cr_assert(enc.len == n && memcmp(enc.ptr, c, n) == 0, "bit %zu", i);
			lp_buf_free(&enc);
			cbor_decref(&it);
		} else {
			cr_assert_null(it);
		}
	}
}

Test(cbor, every_half_float_round_trips)
{
	/* all 65536 half-precision patterns, NaN payloads and subnormals
	 * included, load and encode back to the same three bytes */
	for (unsigned h = 0; h <= 0xffff; h++) {
		uint8_t b[3] = { 0xf9, (uint8_t)(h >> 8), (uint8_t)h };
		cbor_item_t *it = NULL;
		cr_assert_eq(lp_cbor_load(lp_view_of(b, 3), 1, &it, NULL), LP_OK);
		lp_buf enc = { 0 };
		cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
		cr_assert(enc.len == 3 && memcmp(enc.ptr, b, 3) == 0, "half 0x%04x became %02x%02x", h, enc.ptr[1], enc.ptr[2]);
		lp_buf_free(&enc);
		cbor_decref(&it);
	}
	/* single and double NaNs keep their payload */
	static const char *const nan[] = { "fa7fc00001", "faff800001", "fb7ff0000000000001", "fbfff8000000000123" };
	for (size_t i = 0; i < 4; i++) {
		uint8_t b[16];
		size_t n = unhex(nan[i], b, sizeof b);
		cbor_item_t *it = NULL;
		cr_assert_eq(lp_cbor_load(lp_view_of(b, n), 1, &it, NULL), LP_OK);
		lp_buf enc = { 0 };
		cr_assert_eq(lp_cbor_encode(it, &enc), LP_OK);
		cr_assert(enc.len == n && memcmp(enc.ptr, b, n) == 0, "%s", nan[i]);
		lp_buf_free(&enc);
		cbor_decref(&it);
	}
}

Test(cbor, simple_value_predicate_is_safe_on_floats)
{
	/* libcbor 0.8's cbor_is_null aborts on a float; ours answers false */
	static const char *const hex[] = { "f6", "f4", "f5", "f7", "f83b", "f90000", "fa7fc00000", "fb3ff199999999999a",
	                                   "00", "40" };
	static const int want22[] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const int want59[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
	for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++) {
		cbor_item_t *it = NULL;
		cr_assert_eq(load_hex(hex[i], &it, NULL), LP_OK, "%s", hex[i]);
		cr_assert_eq(lp_cbor_is_simple(it, 22), want22[i], "%s", hex[i]);
		cr_assert_eq(lp_cbor_is_simple(it, 59), want59[i], "%s", hex[i]);
		cr_assert_eq(lp_cbor_is_simple(it, 20), i == 1);
		cbor_decref(&it);
	}
	cr_assert_not(lp_cbor_is_simple(NULL, 22));
}
