/* Ed25519 primitives against external vectors: RFC 8032 section 7.1 (sign
 * and verify give the listed values) and all Wycheproof Ed25519 verification
 * cases, through lp_ed25519_sign / lp_ed25519_verify. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "cose_int.h"

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(ed25519, .init = setup);

static uint8_t *hex(json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_object_get(obj, key);
	const char *h;
	size_t n, bin_len = 0;
	uint8_t *out;

	cr_assert(json_is_string(v), "missing %s", key);
	h = json_string_value(v);
	n = strlen(h);
	out = malloc(n / 2 + 1);
	cr_assert_not_null(out);
	cr_assert_eq(sodium_hex2bin(out, n / 2 + 1, h, n, NULL, &bin_len, NULL), 0, "bad hex in %s", key);
	cr_assert_eq(bin_len * 2, n);
	*len = bin_len;
	return out;
}

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	cr_assert_not_null(j, "%s: %s", path, err.text);
	return j;
}

Test(ed25519, rfc8032_section_7_1)
{
	json_t *j = load(LP_SOURCE_DIR "/test-vectors/rfc8032-ed25519/rfc8032_7.1_ed25519.json");
	json_t *vecs = json_object_get(j, "vectors"), *v;
	size_t i, passed = 0;

	cr_assert(json_array_size(vecs) >= 4);
	json_array_foreach(vecs, i, v) {
		size_t sl, pl, ml, gl;
		uint8_t *seed = hex(v, "secret_key", &sl), *pk = hex(v, "public_key", &pl);
		uint8_t *msg = hex(v, "message", &ml), *sig = hex(v, "signature", &gl);
		uint8_t mypk[32], sk[64], mysig[64];
		const char *name = json_string_value(json_object_get(v, "name"));

		cr_assert_eq(sl, 32);
		cr_assert_eq(pl, 32);
		cr_assert_eq(gl, 64);
		cr_assert_eq(crypto_sign_seed_keypair(mypk, sk, seed), 0);
		cr_expect_eq(memcmp(mypk, pk, 32), 0, "%s: public key", name);
		cr_assert_eq(lp_ed25519_sign(mysig, lp_view_of(msg, ml), sk), LP_OK);
		cr_expect_eq(memcmp(mysig, sig, 64), 0, "%s: signature", name);
		cr_expect_eq(lp_ed25519_verify(pk, lp_view_of(msg, ml), lp_view_of(sig, 64)), LP_OK, "%s: verify", name);
		if (memcmp(mypk, pk, 32) == 0 && memcmp(mysig, sig, 64) == 0 &&
		    lp_ed25519_verify(pk, lp_view_of(msg, ml), lp_view_of(sig, 64)) == LP_OK)
			passed++;
		/* and the negative: another message, another key, a changed signature */
		cr_expect_eq(lp_ed25519_verify(pk, lp_view_of((const uint8_t *)"x", 1), lp_view_of(sig, 64)), LP_ERR_SIGNATURE);
		sig[0] ^= 1;
		cr_expect_eq(lp_ed25519_verify(pk, lp_view_of(msg, ml), lp_view_of(sig, 64)), LP_ERR_SIGNATURE);
		sodium_memzero(sk, sizeof sk);
		free(seed);
		free(pk);
		free(msg);
		free(sig);
	}
	cr_log_info("RFC 8032 7.1: %zu of %zu vectors", passed, json_array_size(vecs));
	cr_assert_eq(passed, json_array_size(vecs));
	json_decref(j);
}

/* Every Wycheproof case: "valid" verifies, "invalid" does not. The counts
 * are asserted exactly so that a change in libsodium's behaviour shows. */
Test(ed25519, wycheproof_all_cases)
{
	json_t *j = load(LP_SOURCE_DIR "/test-vectors/wycheproof-ed25519/ed25519_test.json");
	json_t *groups = json_object_get(j, "testGroups"), *g, *t;
	size_t gi, ti, total = 0, valid = 0, invalid = 0, agree = 0;

	json_array_foreach(groups, gi, g) {
		json_t *pkobj = json_object_get(g, "publicKey");
		size_t pl;
		uint8_t *pk = hex(pkobj, "pk", &pl);

		cr_assert_eq(pl, 32);
		json_array_foreach(json_object_get(g, "tests"), ti, t) {
			size_t ml, sl;
			uint8_t *msg = hex(t, "msg", &ml), *sig = hex(t, "sig", &sl);
			const char *result = json_string_value(json_object_get(t, "result"));
			json_int_t id = json_integer_value(json_object_get(t, "tcId"));
			bool want = strcmp(result, "valid") == 0;
			lp_err rc = lp_ed25519_verify(pk, lp_view_of(msg, ml), lp_view_of(sig, sl));

			cr_assert(want || strcmp(result, "invalid") == 0, "tcId %lld: result %s", (long long)id, result);
			cr_assert(rc == LP_OK || rc == LP_ERR_SIGNATURE, "tcId %lld: rc %d", (long long)id, rc);
			total++;
			want ? valid++ : invalid++;
			cr_expect_eq(rc == LP_OK, want, "tcId %lld (%s): expected %s, got %s", (long long)id,
				     json_string_value(json_object_get(t, "comment")), result, lp_err_code(rc));
			if ((rc == LP_OK) == want)
				agree++;
			free(msg);
			free(sig);
		}
		free(pk);
	}
	cr_log_info("Wycheproof Ed25519: %zu of %zu cases agree (%zu valid, %zu invalid)", agree, total, valid, invalid);
	cr_assert_eq(total, 151);
	cr_assert_eq(valid, 88);
	cr_assert_eq(invalid, 63);
	cr_assert_eq(agree, 151);
	json_decref(j);
}

/* The Wycheproof groups also give each key as PEM: lp_pubkey_from_pem reads
 * the same 32 bytes. */
Test(ed25519, wycheproof_pem_keys)
{
	json_t *j = load(LP_SOURCE_DIR "/test-vectors/wycheproof-ed25519/ed25519_test.json");
	json_t *groups = json_object_get(j, "testGroups"), *g;
	size_t gi, n = 0;

	json_array_foreach(groups, gi, g) {
		size_t pl;
		uint8_t *pk = hex(json_object_get(g, "publicKey"), "pk", &pl);
		const char *pem = json_string_value(json_object_get(g, "publicKeyPem"));
		lp_pubkey k;
		lp_diag d;

		cr_assert_not_null(pem);
		cr_assert_eq(lp_pubkey_from_pem(pem, strlen(pem), &k, &d), LP_OK, "group %zu: %s", gi, d.msg);
		cr_assert_eq(lp_pubkey_alg(&k), LP_ALG_EDDSA);
		cr_assert_eq(k.x_len, 32);
		cr_assert_eq(memcmp(k.x, pk, 32), 0);
		n++;
		free(pk);
	}
	cr_assert_eq(n, json_array_size(groups));
	json_decref(j);
}

Test(ed25519, wrong_lengths_and_arguments)
{
	uint8_t pk[32], sk[64], sig[65];
	const uint8_t m[] = "m";

	crypto_sign_keypair(pk, sk);
	cr_assert_eq(lp_ed25519_sign(sig, lp_view_of(m, 1), sk), LP_OK);
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(m, 1), lp_view_of(sig, 64)), LP_OK);
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(m, 1), lp_view_of(sig, 63)), LP_ERR_SIGNATURE);
	sig[64] = 0;
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(m, 1), lp_view_of(sig, 65)), LP_ERR_SIGNATURE);
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(m, 1), lp_view_of(NULL, 0)), LP_ERR_SIGNATURE);
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(NULL, 1), lp_view_of(sig, 64)), LP_ERR_ARG);
	/* an empty message signs and verifies (NULL pointer, zero length) */
	cr_assert_eq(lp_ed25519_sign(sig, lp_view_of(NULL, 0), sk), LP_OK);
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(NULL, 0), lp_view_of(sig, 64)), LP_OK);
	sodium_memzero(sk, sizeof sk);
}

/* The forgery that a lax verifier accepts for every message: public key and
 * R the identity point (small order), S = 0, so [S]B = R + [k]A holds. Also
 * a non-canonical public key (y = p) and S >= L (S + L of a valid one). */
Test(ed25519, small_order_and_non_canonical_refused)
{
	uint8_t ident[32] = { 1 }, sig[64], pk[32], sk[64], big[32];
	const uint8_t m[] = "any message";
	/* L = 2^252 + 27742317777372353535851937790883648493, little-endian */
	static const uint8_t L[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
				       0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10 };
	unsigned carry = 0;

	memset(sig, 0, sizeof sig);
	sig[0] = 1; /* R = identity, S = 0 */
	cr_assert_eq(lp_ed25519_verify(ident, lp_view_of(m, sizeof m - 1), lp_view_of(sig, 64)), LP_ERR_SIGNATURE);
	cr_assert_eq(lp_ed25519_verify(ident, lp_view_of(NULL, 0), lp_view_of(sig, 64)), LP_ERR_SIGNATURE);

	/* y = p = 2^255 - 19: a non-canonical encoding of y = 0 */
	memset(big, 0xff, sizeof big);
	big[0] = 0xed;
	big[31] = 0x7f;
	cr_assert_eq(lp_ed25519_verify(big, lp_view_of(m, sizeof m - 1), lp_view_of(sig, 64)), LP_ERR_SIGNATURE);

	/* S + L verifies under a verifier that reduces S mod L; we must refuse */
	crypto_sign_keypair(pk, sk);
	cr_assert_eq(lp_ed25519_sign(sig, lp_view_of(m, sizeof m - 1), sk), LP_OK);
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(m, sizeof m - 1), lp_view_of(sig, 64)), LP_OK);
	for (size_t i = 0; i < 32; i++) {
		unsigned v = (unsigned)sig[32 + i] + L[i] + carry;
		sig[32 + i] = (uint8_t)v;
		carry = v >> 8;
	}
	cr_assert_eq(carry, 0); /* S < L < 2^253, so S + L < 2^254 fits */
	cr_assert_eq(lp_ed25519_verify(pk, lp_view_of(m, sizeof m - 1), lp_view_of(sig, 64)), LP_ERR_SIGNATURE);
	sodium_memzero(sk, sizeof sk);
}
