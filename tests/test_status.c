/* Token Status List: the draft's vectors (1/2/4/8 bits, decode, look up,
 * re-encode byte for byte), its Status List Token example, our own signed
 * tokens, a million-entry round trip, and malformed inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>
#include <zlib.h>

#include "cose_int.h"
#include "helper_trust.h"
#include "internal.h"
#include "leerpas/status.h"
#include "status_int.h"

#define VEC "test-vectors/status-list/"

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(status, .init = setup);

static json_t *load_vectors(void)
{
	size_t n;
	uint8_t *txt = th_read_src(VEC "status_list_test_vectors.json", &n);
	json_error_t e;
	json_t *j = json_loadb((const char *)txt, n, 0, &e);
	free(txt);
	cr_assert_not_null(j, "vectors JSON: %s", e.text);
	return j;
}

/* The hex after the "encoded:" line of a draft example file. */
static uint8_t *example_hex(const char *file, size_t *len)
{
	uint8_t *txt = th_read_src(file, NULL);
	char *p = strstr((char *)txt, "encoded:");
	char *hex = p ? p + strlen("encoded:") : (char *)txt;
	uint8_t *out = th_unhex(hex, len);
	free(txt);
	return out;
}

Test(status, draft_long_vectors_lookup_and_reencode)
{
	json_t *j = load_vectors();
	json_t *vecs = json_object_get(j, "vectors");
	size_t idx;
	json_t *v;
	int checked = 0;
	json_array_foreach(vecs, idx, v) {
		if (!json_object_get(v, "num_entries"))
			continue; /* the small section 4.1 examples: see draft_small_examples */
		unsigned bits = (unsigned)json_integer_value(json_object_get(v, "bits"));
		size_t count = (size_t)json_integer_value(json_object_get(v, "num_entries"));
		json_t *st = json_object_get(v, "statuses");
		size_t hlen;
		uint8_t *cbor = th_unhex(json_string_value(json_object_get(v, "cbor_hex")), &hlen);

		lp_status_list got;
		lp_diag d = { 0 };
		cr_assert_eq(lp_status_list_decode(lp_view_of(cbor, hlen), 0, &got, &d), LP_OK,
			     "bits %u: %s", bits, d.msg);
		cr_assert_eq(got.bits, bits);
		cr_assert_geq(got.count, count);

		/* Every entry: the listed status, or 0. */
		lp_status_list want;
		cr_assert_eq(lp_status_list_create(&want, count, bits), LP_OK);
		const char *key;
		json_t *val;
		json_object_foreach(st, key, val) {
			cr_assert_eq(lp_status_list_set(&want, strtoul(key, NULL, 10),
							(unsigned)json_integer_value(val)), LP_OK);
		}
		for (size_t i = 0; i < count; i++) {
			unsigned a, b;
			cr_assert_eq(lp_status_list_get(&got, i, &a), LP_OK);
			cr_assert_eq(lp_status_list_get(&want, i, &b), LP_OK);
			if (a != b)
				cr_assert_fail("bits %u index %zu: got %u, want %u", bits, i, a, b);
		}
		/* The listed ones explicitly too, so a broken set() cannot hide. */
		json_object_foreach(st, key, val) {
			unsigned a;
			cr_assert_eq(lp_status_list_get(&got, strtoul(key, NULL, 10), &a), LP_OK);
			cr_assert_eq(a, (unsigned)json_integer_value(val), "bits %u index %s", bits, key);
		}
		/* Built from the table, it encodes to the draft's bytes. */
		lp_buf enc = { 0 };
		cr_assert_eq(lp_status_list_encode(&want, &enc), LP_OK);
		cr_assert_eq(enc.len, hlen, "bits %u: %zu bytes, want %zu", bits, enc.len, hlen);
		cr_assert_arr_eq(enc.ptr, cbor, hlen, "bits %u: encoding differs", bits);
		lp_buf_free(&enc);
		/* And the decoded list re-encodes to the same bytes. */
		cr_assert_eq(lp_status_list_encode(&got, &enc), LP_OK);
		cr_assert_eq(enc.len, hlen);
		cr_assert_arr_eq(enc.ptr, cbor, hlen);
		lp_buf_free(&enc);
		lp_status_list_free(&want);
		lp_status_list_free(&got);
		free(cbor);
		checked |= 1 << bits;
	}
	cr_assert_eq(checked, (1 << 1) | (1 << 2) | (1 << 4) | (1 << 8), "all four bit sizes seen");
	json_decref(j);
}

Test(status, draft_small_examples)
{
	static const struct {
		const char *file;
		unsigned bits;
		uint8_t raw[3];
		size_t rawlen;
		size_t count;
	} ex[] = {
		{ VEC "status_list_encoding_cbor.md", 1, { 0xb9, 0xa3 }, 2, 16 },
		{ VEC "status_list_encoding2_cbor.md", 2, { 0xc9, 0x44, 0xf9 }, 3, 12 },
	};
	/* section 4.1: the statuses of the two examples, in index order */
	static const unsigned s1[16] = { 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1 };
	static const unsigned s2[12] = { 1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3 };
	for (size_t e = 0; e < 2; e++) {
		size_t n;
		uint8_t *cbor = example_hex(ex[e].file, &n);
		lp_status_list l;
		cr_assert_eq(lp_status_list_decode(lp_view_of(cbor, n), 0, &l, NULL), LP_OK);
		cr_assert_eq(l.bits, ex[e].bits);
		cr_assert_eq(l.nbytes, ex[e].rawlen);
		cr_assert_arr_eq(l.bytes, ex[e].raw, ex[e].rawlen);
		for (size_t i = 0; i < ex[e].count; i++) {
			unsigned v;
			cr_assert_eq(lp_status_list_get(&l, i, &v), LP_OK);
			cr_assert_eq(v, e == 0 ? s1[i] : s2[i], "example %zu index %zu", e, i);
		}
		lp_status_list b;
		cr_assert_eq(lp_status_list_create(&b, ex[e].count, ex[e].bits), LP_OK);
		for (size_t i = 0; i < ex[e].count; i++)
			cr_assert_eq(lp_status_list_set(&b, i, e == 0 ? s1[i] : s2[i]), LP_OK);
		lp_buf enc = { 0 };
		cr_assert_eq(lp_status_list_encode(&b, &enc), LP_OK);
		cr_assert_eq(enc.len, n);
		cr_assert_arr_eq(enc.ptr, cbor, n);
		lp_buf_free(&enc);
		lp_status_list_free(&b);
		lp_status_list_free(&l);
		free(cbor);
	}
}

Test(status, draft_status_list_token_structure)
{
	size_t n;
	uint8_t *txt = th_read_src(VEC "status_list_cwt.md", NULL);
	uint8_t *tok = th_unhex((char *)txt, &n);
	free(txt);
	lp_status_token t;
	lp_diag d = { 0 };
	cr_assert_eq(lp_status_token_parse(lp_view_of(tok, n), 0, &t, &d), LP_OK, "%s", d.msg);
	cr_assert_str_eq(t.uri, "https://example.com/statuslists/1");
	cr_assert_eq(t.iat, 1686920170);
	cr_assert_eq(t.exp, 2291720170);
	cr_assert_eq(t.ttl, 43200);
	cr_assert_eq(t.alg, -7);
	cr_assert_eq(t.kid_len, 2);
	cr_assert_arr_eq(t.kid, "12", 2);
	cr_assert_eq(t.list.bits, 1);
	unsigned v;
	cr_assert_eq(lp_status_list_get(&t.list, 0, &v), LP_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(lp_status_list_get(&t.list, 1, &v), LP_OK);
	cr_assert_eq(v, 0);
	cr_assert_eq(lp_status_list_get(&t.list, 15, &v), LP_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(lp_status_token_freshness(&t, 1686920170 + 100), LP_STATUS_FRESH);
	cr_assert_eq(lp_status_token_freshness(&t, 1686920170 + 43201), LP_STATUS_STALE);
	cr_assert_eq(lp_status_token_freshness(&t, 2291720170), LP_STATUS_EXPIRED);
	lp_status_token_free(&t);

	/* The draft does not publish its ES256 key: an Ed25519 key must not be
	 * accepted for it. */
	uint8_t pk[32], sk[64];
	th_keypair(7, pk, sk);
	lp_pubkey k;
	lp_pubkey_ed25519(&k, pk);
	lp_err rc = lp_status_token_verify(lp_view_of(tok, n), &k, 0, &t, NULL);
	cr_assert_neq(rc, LP_OK);
	cr_assert_null(t.uri);
	free(tok);
}

Test(status, draft_referenced_token_status_claim)
{
	size_t n;
	uint8_t *txt = th_read_src(VEC "referenced_token_cwt.md", NULL);
	uint8_t *tok = th_unhex((char *)txt, &n);
	free(txt);
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_view_of(tok, n), true, &s, NULL), LP_OK);
	cbor_item_t *claims = NULL;
	cr_assert_eq(lp_cbor_load(s.payload, LP_CBOR_MAX_DEPTH, &claims, NULL), LP_OK);
	cbor_item_t *st = lp_cbor_map_get_int(claims, LP_CWT_STATUS);
	cr_assert_not_null(st);
	uint64_t idx = 99;
	char *uri = NULL;
	cr_assert_eq(lp_status_ref_from_item(st, &idx, &uri, NULL), LP_OK);
	cr_assert_eq(idx, 0);
	cr_assert_str_eq(uri, "https://example.com/statuslists/1");
	free(uri);
	/* Our encoder produces the same claim value. */
	lp_buf mine = { 0 }, theirs = { 0 };
	cr_assert_eq(lp_status_ref_encode(0, "https://example.com/statuslists/1", &mine), LP_OK);
	cr_assert_eq(lp_cbor_encode(st, &theirs), LP_OK);
	cr_assert_eq(mine.len, theirs.len);
	cr_assert_arr_eq(mine.ptr, theirs.ptr, mine.len);
	cr_assert_eq(lp_status_ref_decode(lp_buf_view(&mine), &idx, &uri, NULL), LP_OK);
	cr_assert_str_eq(uri, "https://example.com/statuslists/1");
	free(uri);
	lp_buf_free(&mine);
	lp_buf_free(&theirs);
	cbor_decref(&claims);
	lp_sign1_free(&s);
	free(tok);
}

Test(status, bad_status_claims_rejected)
{
	static const char *bad[] = {
		"a0",                                               /* {} */
		"a16b7374617475735f6c697374a0",                     /* {"status_list": {}} */
		"a16b7374617475735f6c697374a163696478 00",          /* no uri */
		"a16b7374617475735f6c697374a2636964782063757269 6161", /* idx negative */
		"a16b7374617475735f6c697374a263696478006375726901", /* uri not text */
		"a16b7374617475735f6c697374a26369647800637572696 0", /* empty uri */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n;
		uint8_t *b = th_unhex(bad[i], &n);
		uint64_t idx = 5;
		char *uri = (char *)1;
		cr_assert_neq(lp_status_ref_decode(lp_view_of(b, n), &idx, &uri, NULL), LP_OK,
			      "case %zu", i);
		cr_assert_null(uri);
		cr_assert_eq(idx, 0);
		free(b);
	}
}

static lp_err sign_token(const lp_status_list *l, const uint8_t sk[64], int64_t iat, int64_t exp,
			 int64_t ttl, lp_buf *out)
{
	lp_status_token_params p = { .uri = "https://roc.example/status/1", .iat = iat,
				     .exp = exp, .ttl = ttl,
				     .kid = (const uint8_t *)"k2026", .kid_len = 5 };
	return lp_status_token_sign(l, &p, sk, out);
}

Test(status, token_sign_verify_and_wrong_key)
{
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	th_keypair(1, pk, sk);
	th_keypair(2, pk2, sk2);
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 1000, 2), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 3, LP_STATUS_INVALID), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 999, LP_STATUS_SUSPENDED), LP_OK);
	lp_buf tok = { 0 };
	cr_assert_eq(sign_token(&l, sk, 1790000000, 1790000000 + 86400, 3600, &tok), LP_OK);

	lp_pubkey k, k2;
	lp_pubkey_ed25519(&k, pk);
	lp_pubkey_ed25519(&k2, pk2);
	lp_status_token t;
	lp_diag d = { 0 };
	cr_assert_eq(lp_status_token_verify(lp_buf_view(&tok), &k, 0, &t, &d), LP_OK, "%s", d.msg);
	cr_assert_str_eq(t.uri, "https://roc.example/status/1");
	cr_assert_eq(t.iat, 1790000000);
	cr_assert_eq(t.exp, 1790086400);
	cr_assert_eq(t.ttl, 3600);
	cr_assert_eq(t.alg, LP_ALG_EDDSA);
	cr_assert_eq(t.kid_len, 5);
	unsigned v;
	cr_assert_eq(lp_status_list_get(&t.list, 3, &v), LP_OK);
	cr_assert_eq(v, LP_STATUS_INVALID);
	cr_assert_eq(lp_status_list_get(&t.list, 999, &v), LP_OK);
	cr_assert_eq(v, LP_STATUS_SUSPENDED);
	cr_assert_eq(lp_status_list_get(&t.list, 4, &v), LP_OK);
	cr_assert_eq(v, LP_STATUS_VALID);
	/* staleness and expiry are reported, not hidden */
	cr_assert_eq(lp_status_token_freshness(&t, 1790000000 + 60), LP_STATUS_FRESH);
	cr_assert_eq(lp_status_token_freshness(&t, 1790000000 + 7200), LP_STATUS_STALE);
	cr_assert_eq(lp_status_token_freshness(&t, 1790086400), LP_STATUS_EXPIRED);
	cr_assert_eq(lp_status_token_freshness(&t, 1790000000 - 3600), LP_STATUS_FUTURE);
	cr_assert_str_eq(lp_status_freshness_str(LP_STATUS_STALE), "stale");
	lp_status_token_free(&t);

	cr_assert_eq(lp_status_token_verify(lp_buf_view(&tok), &k2, 0, &t, NULL), LP_ERR_SIGNATURE);
	cr_assert_null(t.uri);
	cr_assert_null(t.list.bytes);
	lp_buf_free(&tok);
	lp_status_list_free(&l);
}

Test(status, token_every_byte_tampered_rejected)
{
	uint8_t pk[32], sk[64];
	th_keypair(3, pk, sk);
	lp_pubkey k;
	lp_pubkey_ed25519(&k, pk);
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 64, 2), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 10, 1), LP_OK);
	lp_buf tok = { 0 };
	cr_assert_eq(sign_token(&l, sk, 1790000000, 0, 0, &tok), LP_OK);
	for (size_t i = 0; i < tok.len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			tok.ptr[i] ^= (uint8_t)(1u << bit);
			lp_status_token t;
			lp_err rc = lp_status_token_verify(lp_buf_view(&tok), &k, 0, &t, NULL);
			cr_assert_neq(rc, LP_OK, "byte %zu bit %d changed, still accepted", i, bit);
			cr_assert_null(t.uri);
			tok.ptr[i] ^= (uint8_t)(1u << bit);
		}
	}
	for (size_t cut = 0; cut < tok.len; cut++) {
		lp_status_token t;
		cr_assert_neq(lp_status_token_verify(lp_view_of(tok.ptr, cut), &k, 0, &t, NULL), LP_OK,
			      "truncated to %zu accepted", cut);
	}
	lp_buf_free(&tok);
	lp_status_list_free(&l);
}

Test(status, million_entry_round_trip)
{
	uint8_t pk[32], sk[64];
	th_keypair(4, pk, sk);
	lp_pubkey k;
	lp_pubkey_ed25519(&k, pk);
	const size_t N = 1000000;
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, N, 2), LP_OK);
	uint32_t x = 12345;
	for (int i = 0; i < 20000; i++) {
		x = x * 1103515245u + 12345u;
		cr_assert_eq(lp_status_list_set(&l, x % N, 1 + (x >> 16) % 2), LP_OK);
	}
	cr_assert_eq(lp_status_list_set(&l, N - 1, LP_STATUS_SUSPENDED), LP_OK);
	lp_buf tok = { 0 };
	cr_assert_eq(sign_token(&l, sk, 1790000000, 1790000000 + 7 * 86400, 86400, &tok), LP_OK);
	lp_status_token t;
	cr_assert_eq(lp_status_token_verify(lp_buf_view(&tok), &k, 0, &t, NULL), LP_OK);
	cr_assert_eq(t.list.nbytes, l.nbytes);
	cr_assert_arr_eq(t.list.bytes, l.bytes, l.nbytes);
	unsigned v;
	cr_assert_eq(lp_status_list_get(&t.list, N - 1, &v), LP_OK);
	cr_assert_eq(v, LP_STATUS_SUSPENDED);
	lp_status_token_free(&t);
	lp_buf_free(&tok);
	lp_status_list_free(&l);
}

Test(status, set_get_bounds)
{
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 10, 3), LP_ERR_ARG);
	cr_assert_null(l.bytes);
	cr_assert_eq(lp_status_list_create(&l, 0, 2), LP_ERR_ARG);
	cr_assert_eq(lp_status_list_create(&l, 10, 1), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 10, 1), LP_ERR_ARG);
	cr_assert_eq(lp_status_list_set(&l, 0, 2), LP_ERR_ARG, "2 does not fit 1 bit");
	cr_assert_eq(lp_status_list_set(&l, 9, 1), LP_OK);
	unsigned v = 7;
	cr_assert_eq(lp_status_list_get(&l, 10, &v), LP_ERR_STATUS_UNKNOWN);
	cr_assert_eq(v, 0);
	cr_assert_eq(lp_status_list_get(&l, 9, &v), LP_OK);
	cr_assert_eq(v, 1);
	lp_status_list_free(&l);
	lp_status_list_free(&l); /* twice is harmless */
	lp_status_list_free(NULL);
}

/* Build {"bits": bits, "lst": zlib(raw)} by hand (bits may be invalid). */
static lp_buf handmade(uint64_t bits, const uint8_t *raw, size_t rawlen)
{
	uLongf zl = compressBound((uLong)rawlen);
	uint8_t *z = malloc(zl);
	cr_assert_eq(compress2(z, &zl, raw, (uLong)rawlen, 9), Z_OK);
	cbor_item_t *m = cbor_new_definite_map(2);
	cr_assert(lp_cbor_map_put(m, cbor_build_string("bits"), cbor_build_uint64(bits)));
	cr_assert(lp_cbor_map_put(m, cbor_build_string("lst"), cbor_build_bytestring(z, zl)));
	lp_buf out = { 0 };
	cr_assert_eq(lp_cbor_encode(m, &out), LP_OK);
	cbor_decref(&m);
	free(z);
	return out;
}

Test(status, malformed_lists_rejected)
{
	static const struct {
		const char *hex;
		const char *why;
	} bad[] = {
		{ "a2646269747303636c73744a78dadbb918000217015d", "bits 3" },
		{ "a2646269747300636c73744a78dadbb918000217015d", "bits 0" },
		{ "a2646269747310636c73744a78dadbb918000217015d", "bits 16" },
		{ "a1646269747301", "no lst" },
		{ "a1636c73744a78dadbb918000217015d", "no bits" },
		{ "a2646269747301636c73746a78dadbb918000217015d", "lst as text" },
		{ "a2646269747301636c737444deadbeef", "lst not zlib" },
		{ "a2646269747301636c73744878dadbb918000217", "lst truncated zlib" },
		{ "a2646269747301636c73744b78dadbb918000217015d00", "bytes after the zlib stream" },
		{ "a2646269747301636c737440", "empty lst" },
		{ "a3646269747301636c73744a78dadbb918000217015d63666f6f01", "unknown key" },
		{ "82646269747301", "not a map" },
		{ "a2646269747321636c73744a78dadbb918000217015d", "bits negative" },
		{ "bf646269747301636c73744a78dadbb918000217015dff", "indefinite map" },
		{ "a2646269747301646269747302", "duplicate key" },
		{ "a2646269747301636c73744a78dadbb918000217015d00", "trailing byte" },
		{ "", "empty input" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n;
		uint8_t *b = th_unhex(bad[i].hex, &n);
		lp_status_list l;
		lp_diag d = { 0 };
		lp_err rc = lp_status_list_decode(lp_view_of(b, n), 0, &l, &d);
		cr_assert_neq(rc, LP_OK, "%s accepted", bad[i].why);
		cr_assert_null(l.bytes, "%s", bad[i].why);
		cr_assert_eq(l.bits, 0);
		free(b);
	}
	/* the same two bytes with bits 1 decode fine: the table tests what it says */
	size_t n;
	uint8_t *good = th_unhex("a2646269747301636c73744a78dadbb918000217015d", &n);
	lp_status_list l;
	cr_assert_eq(lp_status_list_decode(lp_view_of(good, n), 0, &l, NULL), LP_OK);
	/* lst too short for an index: no statement can be made */
	unsigned v;
	cr_assert_eq(lp_status_list_get(&l, 16, &v), LP_ERR_STATUS_UNKNOWN);
	cr_assert_eq(lp_status_list_get(&l, 15, &v), LP_OK);
	lp_status_list_free(&l);
	free(good);
}

Test(status, zlib_bomb_rejected)
{
	/* 64 MiB of zeros compress to ~64 KiB: over the default 16 MiB limit. */
	size_t raw = 64u * 1024 * 1024;
	uint8_t *zeros = calloc(raw, 1);
	cr_assert_not_null(zeros);
	lp_buf b = handmade(2, zeros, raw);
	free(zeros);
	cr_assert_lt(b.len, 128 * 1024);
	lp_status_list l;
	lp_diag d = { 0 };
	cr_assert_eq(lp_status_list_decode(lp_buf_view(&b), 0, &l, &d), LP_ERR_TOO_LARGE);
	cr_assert_null(l.bytes);
	cr_assert(strstr(d.msg, "inflates") != NULL, "%s", d.msg);
	/* and a caller's smaller limit is honoured */
	lp_buf_free(&b);
	uint8_t small[4096] = { 0 };
	b = handmade(2, small, sizeof small);
	cr_assert_eq(lp_status_list_decode(lp_buf_view(&b), 4095, &l, NULL), LP_ERR_TOO_LARGE);
	cr_assert_eq(lp_status_list_decode(lp_buf_view(&b), 4096, &l, NULL), LP_OK);
	cr_assert_eq(l.count, 4096 * 4);
	lp_status_list_free(&l);
	lp_buf_free(&b);
	/* handmade with bits 3 is refused (the builder itself is fine) */
	b = handmade(3, small, 8);
	cr_assert_eq(lp_status_list_decode(lp_buf_view(&b), 0, &l, NULL), LP_ERR_MALFORMED);
	lp_buf_free(&b);
}

Test(status, token_claims_checked)
{
	uint8_t pk[32], sk[64];
	th_keypair(5, pk, sk);
	lp_pubkey k;
	lp_pubkey_ed25519(&k, pk);
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 8, 1), LP_OK);
	lp_buf slb = { 0 };
	cr_assert_eq(lp_status_list_encode(&l, &slb), LP_OK);
	cbor_item_t *sl = NULL;
	cr_assert_eq(lp_cbor_load(lp_buf_view(&slb), 16, &sl, NULL), LP_OK);

	/* a COSE_Sign1 with the given typ and claims, signed by sk */
	struct {
		const char *typ;
		bool sub, iat, list, exp_before_iat;
		lp_err want;
	} cases[] = {
		{ LP_STATUS_TYP, true, true, true, false, LP_OK },
		{ "application/other", true, true, true, false, LP_ERR_TYP },
		{ NULL, true, true, true, false, LP_ERR_TYP },
		{ LP_STATUS_TYP, false, true, true, false, LP_ERR_MALFORMED },
		{ LP_STATUS_TYP, true, false, true, false, LP_ERR_MALFORMED },
		{ LP_STATUS_TYP, true, true, false, false, LP_ERR_MALFORMED },
		{ LP_STATUS_TYP, true, true, true, true, LP_ERR_MALFORMED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cbor_item_t *prot = cbor_new_definite_map(2);
		cr_assert(lp_cbor_map_put(prot, lp_cbor_int(1), lp_cbor_int(-8)));
		if (cases[i].typ)
			cr_assert(lp_cbor_map_put(prot, lp_cbor_int(16), cbor_build_string(cases[i].typ)));
		cbor_item_t *c = cbor_new_definite_map(5);
		if (cases[i].sub)
			cr_assert(lp_cbor_map_put(c, lp_cbor_int(2), cbor_build_string("https://x.example/1")));
		if (cases[i].iat)
			cr_assert(lp_cbor_map_put(c, lp_cbor_int(6), lp_cbor_int(1000)));
		if (cases[i].exp_before_iat)
			cr_assert(lp_cbor_map_put(c, lp_cbor_int(4), lp_cbor_int(999)));
		if (cases[i].list)
			cr_assert(lp_cbor_map_put(c, lp_cbor_int(65533), cbor_incref(sl)));
		lp_buf pay = { 0 }, tok = { 0 };
		cr_assert_eq(lp_cbor_encode(c, &pay), LP_OK);
		cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, lp_buf_view(&pay), lp_view_of(NULL, 0),
						     sk, &tok), LP_OK);
		lp_status_token t;
		lp_err rc = lp_status_token_verify(lp_buf_view(&tok), &k, 0, &t, NULL);
		cr_assert_eq(rc, cases[i].want, "case %zu: got %d", i, rc);
		lp_status_token_free(&t);
		lp_buf_free(&pay);
		lp_buf_free(&tok);
		cbor_decref(&c);
		cbor_decref(&prot);
	}
	cbor_decref(&sl);
	lp_buf_free(&slb);
	lp_status_list_free(&l);
}

/* The worked example of docs/format/status.md: 16 two-bit entries, entry 3
 * revoked and entry 5 suspended, signed with the key from seed 0x01. */
Test(status, format_example)
{
	uint8_t pk[32], sk[64];
	th_keypair(1, pk, sk);
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 16, 2), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 3, LP_STATUS_INVALID), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 5, LP_STATUS_SUSPENDED), LP_OK);
	lp_buf sl = { 0 }, tok = { 0 };
	cr_assert_eq(lp_status_list_encode(&l, &sl), LP_OK);
	cr_assert(th_check_example("status-list", sl.ptr, sl.len), "status-list.hex differs");
	lp_status_token_params p = { .uri = "https://roc-midden.example/status/1",
				     .iat = 1790000000, .exp = 1790000000 + 30 * 86400,
				     .ttl = 86400, .kid = (const uint8_t *)"k2026", .kid_len = 5 };
	cr_assert_eq(lp_status_token_sign(&l, &p, sk, &tok), LP_OK);
	cr_assert(th_check_example("status-token", tok.ptr, tok.len), "status-token.hex differs");
	lp_buf_free(&sl);
	lp_buf_free(&tok);
	lp_status_list_free(&l);
}
