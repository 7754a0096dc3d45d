/* Issuance request: the wallet's proofs of possession and the school's
 * check; every refusal reason, and every single-byte change rejected. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "cose_int.h"
#include "helper_trust.h"
#include "internal.h"
#include "leerpas/request.h"

#define SCHOOL "https://roc-midden.example"
#define NOW 1790000000

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(request, .init = setup);

static const uint8_t nonce_bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* n keys from seeds 10, 11, ... and a request over them. */
static lp_buf make(size_t n, const char *school, lp_view nonce, int64_t iat,
		   uint8_t (*pks)[32])
{
	uint8_t sk[8][64];
	const uint8_t *sks[8];
	cr_assert_leq(n, 8);
	for (size_t i = 0; i < n; i++) {
		th_keypair((uint8_t)(10 + i), pks ? pks[i] : (uint8_t[32]){ 0 }, sk[i]);
		sks[i] = sk[i];
	}
	lp_request_params p = { .school_id = school, .nonce = nonce, .iat = iat };
	lp_buf out = { 0 };
	cr_assert_eq(lp_request_create(&p, sks, n, &out), LP_OK);
	sodium_memzero(sk, sizeof sk);
	return out;
}

static lp_request_policy policy(bool require_nonce)
{
	lp_request_policy p = { .school_id = SCHOOL,
				.nonce = lp_view_of(nonce_bytes, sizeof nonce_bytes),
				.require_nonce = require_nonce,
				.now = NOW,
				.window = 7 * 86400 };
	return p;
}

Test(request, three_keys_accepted_in_order)
{
	uint8_t pks[3][32];
	lp_buf req = make(3, SCHOOL, lp_view_of(nonce_bytes, 16), NOW - 60, pks);
	lp_request_policy p = policy(true);
	lp_request r;
	lp_request_failure why = LP_REQ_MALFORMED;
	lp_diag d = { 0 };
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, &why, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(why, LP_REQ_OK);
	cr_assert_eq(r.n_keys, 3);
	cr_assert_eq(r.iat, NOW - 60);
	for (int i = 0; i < 3; i++)
		cr_assert_arr_eq(r.keys[i], pks[i], 32);
	lp_request_free(&r);
	lp_buf_free(&req);
}

Test(request, no_nonce_when_school_requires_none)
{
	lp_buf req = make(1, SCHOOL, lp_view_of(NULL, 0), NOW, NULL);
	lp_request_policy p = policy(false);
	lp_request r;
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, NULL, NULL), LP_OK);
	cr_assert_eq(r.n_keys, 1);
	lp_request_free(&r);
	/* but a school that requires a nonce refuses it */
	p = policy(true);
	lp_request_failure why;
	lp_diag d = { 0 };
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, &why, &d), LP_ERR_REQUEST);
	cr_assert_eq(why, LP_REQ_NONCE);
	cr_assert(strstr(d.msg, "nonce") != NULL, "%s", d.msg);
	cr_assert_null(r.keys);
	lp_buf_free(&req);
}

Test(request, refusals_are_distinct)
{
	static const uint8_t other_nonce[16] = { 9 };
	struct {
		const char *school;
		lp_view nonce;
		int64_t iat;
		lp_request_failure want;
		const char *msg;
	} cases[] = {
		{ "https://other.example", { nonce_bytes, 16 }, NOW, LP_REQ_SCHOOL, "another school" },
		{ SCHOOL, { other_nonce, 16 }, NOW, LP_REQ_NONCE, "nonce" },
		{ SCHOOL, { nonce_bytes, 15 }, NOW, LP_REQ_NONCE, "nonce" },
		{ SCHOOL, { nonce_bytes, 16 }, NOW - 7 * 86400 - 1, LP_REQ_TOO_OLD, "too old" },
		{ SCHOOL, { nonce_bytes, 16 }, NOW + 301, LP_REQ_FUTURE, "future" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lp_buf req = make(2, cases[i].school, cases[i].nonce, cases[i].iat, NULL);
		lp_request_policy p = policy(true);
		lp_request r;
		lp_request_failure why = LP_REQ_OK;
		lp_diag d = { 0 };
		cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, &why, &d), LP_ERR_REQUEST,
			     "case %zu", i);
		cr_assert_eq(why, cases[i].want, "case %zu: why %d", i, why);
		cr_assert(strstr(d.msg, cases[i].msg) != NULL, "case %zu: %s", i, d.msg);
		cr_assert_str_neq(lp_request_failure_code(why), "unknown");
		cr_assert_eq(r.n_keys, 0);
		cr_assert_null(r.keys);
		lp_buf_free(&req);
	}
	/* the window edges are inside */
	lp_buf req = make(1, SCHOOL, lp_view_of(nonce_bytes, 16), NOW - 7 * 86400, NULL);
	lp_request_policy p = policy(true);
	lp_request r;
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, NULL, NULL), LP_OK);
	lp_request_free(&r);
	lp_buf_free(&req);
	req = make(1, SCHOOL, lp_view_of(nonce_bytes, 16), NOW + 300, NULL);
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, NULL, NULL), LP_OK);
	lp_request_free(&r);
	lp_buf_free(&req);
}

Test(request, too_many_keys_and_duplicates)
{
	lp_buf req = make(3, SCHOOL, lp_view_of(nonce_bytes, 16), NOW, NULL);
	lp_request_policy p = policy(true);
	p.max_keys = 2;
	lp_request r;
	lp_request_failure why;
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, &why, NULL), LP_ERR_REQUEST);
	cr_assert_eq(why, LP_REQ_TOO_MANY);
	lp_buf_free(&req);

	/* the same key twice */
	uint8_t pk[32], sk[64];
	th_keypair(42, pk, sk);
	const uint8_t *sks[2] = { sk, sk };
	lp_request_params rp = { .school_id = SCHOOL, .nonce = lp_view_of(nonce_bytes, 16), .iat = NOW };
	cr_assert_eq(lp_request_create(&rp, sks, 2, &req), LP_OK);
	p = policy(true);
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, &why, NULL), LP_ERR_REQUEST);
	cr_assert_eq(why, LP_REQ_DUPLICATE_KEY);
	lp_buf_free(&req);
}

Test(request, proof_signed_by_another_key_rejected)
{
	/* A proof whose cnf names key A but is signed by key B. */
	uint8_t pka[32], ska[64], pkb[32], skb[64];
	th_keypair(1, pka, ska);
	th_keypair(2, pkb, skb);
	cbor_item_t *prot = cbor_new_definite_map(2);
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(1), lp_cbor_int(-8)));
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(16), cbor_build_string(LP_REQUEST_TYP)));
	cbor_item_t *key = cbor_new_definite_map(3);
	cr_assert(lp_cbor_map_put(key, lp_cbor_int(1), lp_cbor_int(1)));
	cr_assert(lp_cbor_map_put(key, lp_cbor_int(-1), lp_cbor_int(6)));
	cr_assert(lp_cbor_map_put(key, lp_cbor_int(-2), cbor_build_bytestring(pka, 32)));
	cbor_item_t *cnf = cbor_new_definite_map(1);
	cr_assert(lp_cbor_map_put(cnf, lp_cbor_int(1), key));
	cbor_item_t *c = cbor_new_definite_map(4);
	cr_assert(lp_cbor_map_put(c, lp_cbor_int(3), cbor_build_string(SCHOOL)));
	cr_assert(lp_cbor_map_put(c, lp_cbor_int(6), lp_cbor_int(NOW)));
	cr_assert(lp_cbor_map_put(c, lp_cbor_int(10), cbor_build_bytestring(nonce_bytes, 16)));
	cr_assert(lp_cbor_map_put(c, lp_cbor_int(8), cnf));
	lp_buf pay = { 0 };
	cr_assert_eq(lp_cbor_encode(c, &pay), LP_OK);
	cbor_item_t *proof = NULL;
	cr_assert_eq(lp_sign1_create_ed25519_item(prot, NULL, lp_buf_view(&pay), lp_view_of(NULL, 0),
						  skb, &proof), LP_OK);
	cbor_item_t *arr = cbor_new_definite_array(1);
	cr_assert(cbor_array_push(arr, proof));
	cbor_item_t *req = cbor_new_definite_map(2);
	cr_assert(lp_cbor_map_put(req, lp_cbor_int(1), lp_cbor_int(1)));
	cr_assert(lp_cbor_map_put(req, lp_cbor_int(2), arr));
	lp_buf bytes = { 0 };
	cr_assert_eq(lp_cbor_encode(req, &bytes), LP_OK);
	lp_request_policy p = policy(true);
	lp_request r;
	lp_request_failure why;
	cr_assert_eq(lp_request_check(lp_buf_view(&bytes), &p, &r, &why, NULL), LP_ERR_REQUEST);
	cr_assert_eq(why, LP_REQ_SIGNATURE);
	lp_buf_free(&bytes);
	lp_buf_free(&pay);
	cbor_decref(&proof);
	cbor_decref(&req);
	cbor_decref(&c);
	cbor_decref(&prot);
}

Test(request, every_byte_changed_rejected)
{
	lp_buf req = make(2, SCHOOL, lp_view_of(nonce_bytes, 16), NOW, NULL);
	lp_request_policy p = policy(true);
	for (size_t i = 0; i < req.len; i++) {
		static const uint8_t flips[] = { 0x01, 0x80, 0xff };
		for (size_t f = 0; f < sizeof flips; f++) {
			req.ptr[i] ^= flips[f];
			lp_request r;
			lp_err rc = lp_request_check(lp_buf_view(&req), &p, &r, NULL, NULL);
			cr_assert_neq(rc, LP_OK, "byte %zu ^ %02x accepted", i, flips[f]);
			cr_assert_null(r.keys);
			req.ptr[i] ^= flips[f];
		}
	}
	for (size_t cut = 0; cut < req.len; cut++) {
		lp_request r;
		cr_assert_neq(lp_request_check(lp_view_of(req.ptr, cut), &p, &r, NULL, NULL), LP_OK,
			      "truncated to %zu accepted", cut);
	}
	lp_request r;
	cr_assert_eq(lp_request_check(lp_buf_view(&req), &p, &r, NULL, NULL), LP_OK);
	lp_request_free(&r);
	lp_buf_free(&req);
}

Test(request, malformed_requests)
{
	static const struct {
		const char *hex;
		lp_request_failure why;
	} bad[] = {
		{ "a0", LP_REQ_MALFORMED },                 /* {} */
		{ "a1 01 01", LP_REQ_MALFORMED },           /* no proofs */
		{ "a2 01 01 02 80", LP_REQ_MALFORMED },     /* empty proof list */
		{ "a2 01 02 02 81 00", LP_REQ_VERSION },    /* version 2 */
		{ "a2 01 01 02 81 00", LP_REQ_MALFORMED },  /* proof is not COSE */
		{ "a2 01 01 02 81 84 40 a0 40 40", LP_REQ_MALFORMED }, /* untagged, no alg */
		{ "82 01 02", LP_REQ_MALFORMED },           /* array */
		{ "ff", LP_REQ_MALFORMED },
	};
	lp_request_policy p = policy(false);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n;
		uint8_t *b = th_unhex(bad[i].hex, &n);
		lp_request r;
		lp_request_failure why = LP_REQ_OK;
		cr_assert_eq(lp_request_check(lp_view_of(b, n), &p, &r, &why, NULL), LP_ERR_REQUEST,
			     "case %zu", i);
		cr_assert_eq(why, bad[i].why, "case %zu: why %d", i, why);
		free(b);
	}
	/* a deeply nested input does not crash */
	size_t deep = 100000;
	uint8_t *b = malloc(deep);
	memset(b, 0x81, deep - 1);
	b[deep - 1] = 0;
	lp_request r;
	cr_assert_eq(lp_request_check(lp_view_of(b, deep), &p, &r, NULL, NULL), LP_ERR_REQUEST);
	free(b);
}

Test(request, bad_parameters)
{
	uint8_t pk[32], sk[64];
	cr_assert_eq(lp_request_keygen(pk, sk), LP_OK);
	cr_assert_arr_eq(pk, sk + 32, 32);
	const uint8_t *sks[1] = { sk };
	lp_buf out = { 0 };
	lp_request_params p = { .school_id = "", .iat = NOW };
	cr_assert_eq(lp_request_create(&p, sks, 1, &out), LP_ERR_ARG);
	p.school_id = SCHOOL;
	cr_assert_eq(lp_request_create(&p, sks, 0, &out), LP_ERR_ARG);
	uint8_t big[65] = { 0 };
	p.nonce = lp_view_of(big, sizeof big);
	cr_assert_eq(lp_request_create(&p, sks, 1, &out), LP_ERR_ARG);
	cr_assert_null(out.ptr);
	sodium_memzero(sk, sizeof sk);
}

/* The worked example of docs/format/request.md: one key (seed 0x2a), nonce
 * 01..10, iat 1790000000. */
Test(request, format_example)
{
	uint8_t pk[32], sk[64];
	th_keypair(0x2a, pk, sk);
	const uint8_t *sks[1] = { sk };
	lp_request_params p = { .school_id = SCHOOL, .nonce = lp_view_of(nonce_bytes, 16),
				.iat = NOW };
	lp_buf out = { 0 };
	cr_assert_eq(lp_request_create(&p, sks, 1, &out), LP_OK);
	cr_assert(th_check_example("request", out.ptr, out.len), "request.hex differs");
	lp_request_policy pol = policy(true);
	lp_request r;
	cr_assert_eq(lp_request_check(lp_buf_view(&out), &pol, &r, NULL, NULL), LP_OK);
	cr_assert_arr_eq(r.keys[0], pk, 32);
	lp_request_free(&r);
	lp_buf_free(&out);
}
