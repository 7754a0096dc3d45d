/* Tests of SD-CWT issuance, SD-KBT presentation and verification: our own
 * round trips over every subset of disclosures, tampering with every byte,
 * the negative cases of the draft's validation steps, and the draft's own
 * examples (digests of issuer_cwt, decoy, nested_issuer_cwt; kbt end to end
 * with its P-384 issuer and P-256 holder keys). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "cose_int.h"
#include "leerpas/claims.h"
#include "leerpas/codec.h"
#include "leerpas/fileio.h"
#include "leerpas/qr.h"
#include "leerpas/sdcwt.h"

#define T0 1782864000 /* 2026-07-01T00:00:00Z */

static const char claims_full[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2026-06-30\",\"fullName\":\"Sanne de Vries\","
	"\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\",\"grade\":\"8,1\","
	"\"assessmentDetails\":\"examen 12 mei\"}";

static const char *const redactable_names[] = { "fullName", "dateOfBirth", "studentId", "grade",
						"assessmentDetails" };
#define NRED 5

/* Deterministic randomness: a counter through SHA-256. */
static void det_random(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *ctr = ctx;
	while (len) {
		uint8_t blk[32], in[8];
		for (int i = 0; i < 8; i++)
			in[i] = (uint8_t)(*ctr >> (8 * i));
		(*ctr)++;
		crypto_hash_sha256(blk, in, sizeof in);
		size_t n = len < 32 ? len : 32;
		memcpy(out, blk, n);
		out += n;
		len -= n;
	}
}

static uint64_t rng_ctr;

struct keys {
	uint8_t issuer_pk[32], issuer_sk[64];
	uint8_t holder_pk[32], holder_sk[64];
	uint8_t other_pk[32], other_sk[64];
};
static struct keys K;

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	uint8_t seed[32];
	memset(seed, 1, 32);
	crypto_sign_seed_keypair(K.issuer_pk, K.issuer_sk, seed);
	memset(seed, 2, 32);
	crypto_sign_seed_keypair(K.holder_pk, K.holder_sk, seed);
	memset(seed, 3, 32);
	crypto_sign_seed_keypair(K.other_pk, K.other_sk, seed);
	rng_ctr = 0;
	lp_random_set(det_random, &rng_ctr);
}

static void teardown(void)
{
	lp_random_set(NULL, NULL);
}

TestSuite(sdcwt, .init = setup, .fini = teardown);

/* Issuer key resolver for our tests: one issuer, one key. */
struct trust {
	const char *iss;
	lp_pubkey key;
	lp_err fail; /* if set, returned instead */
	int calls;
};

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
		      const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	struct trust *t = ctx;
	(void)kid;
	(void)kid_len;
	(void)alg;
	(void)vct;
	(void)has_iat;
	(void)iat;
	t->calls++;
	if (t->fail)
		return lp_diag_set(d, t->fail, 0, "test trust says no");
	if (!iss || strcmp(iss, t->iss) != 0)
		return lp_diag_set(d, LP_ERR_UNTRUSTED, 0, "unknown issuer");
	*key = t->key;
	return LP_OK;
}

static void issue_params(lp_sdcwt_issue_params *p, lp_pubkey *holder)
{
	lp_sdcwt_issue_params_init(p);
	p->iss = "https://roc.example";
	p->kid = (const uint8_t *)"key-2026";
	p->kid_len = 8;
	p->vct = "https://roc.example/mc/python";
	p->iat = T0;
	lp_pubkey_ed25519(holder, K.holder_pk);
	p->holder = holder;
	p->has_status = true;
	p->status_idx = 42;
	p->status_uri = "https://roc.example/status/1";
	p->claims_json = claims_full;
	p->claims_json_len = strlen(claims_full);
}

static lp_buf issue_default(void)
{
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	lp_buf cred = { 0 };
	lp_diag d = { 0 };
	issue_params(&p, &holder);
	cr_assert_eq(lp_sdcwt_issue(&p, K.issuer_sk, &cred, NULL, &d), LP_OK, "%s", d.msg);
	return cred;
}

static void verify_params(lp_sdcwt_verify_params *v, struct trust *t)
{
	memset(t, 0, sizeof *t);
	t->iss = "https://roc.example";
	lp_pubkey_ed25519(&t->key, K.issuer_pk);
	memset(v, 0, sizeof *v);
	v->resolve = resolve;
	v->resolve_ctx = t;
	v->now = T0 + 100;
	v->skew = 60;
	v->aud = "https://werkgever.example";
}

static lp_buf present(lp_view cred, const char *const *names, size_t n, const uint8_t *sk,
		      const uint8_t *cnonce, size_t cnonce_len, int64_t iat)
{
	lp_sdcwt_present_params pp = { names, n, "https://werkgever.example", iat, cnonce, cnonce_len, true };
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_present(cred, &pp, sk, &out, &d), LP_OK, "%s", d.msg);
	return out;
}

Test(sdcwt, issue_present_verify_round_trip)
{
	lp_buf cred = issue_default();
	const char *show[] = { "fullName", "grade" };
	lp_buf pres = present(lp_buf_view(&cred), show, 2, K.holder_sk, NULL, 0, T0 + 90);
	lp_sdcwt_verify_params v;
	struct trust t;
	lp_sdcwt_result r;
	verify_params(&v, &t);
	lp_err e = lp_sdcwt_verify(lp_buf_view(&pres), &v, &r);
	cr_assert_eq(e, LP_OK, "%s: %s", lp_err_code(e), r.diag.msg);
	cr_assert_eq(r.err, LP_OK);
	cr_assert_str_eq(r.iss, "https://roc.example");
	cr_assert_str_eq(r.vct, "https://roc.example/mc/python");
	cr_assert_eq(r.kid_len, 8);
	cr_assert_eq(memcmp(r.kid, "key-2026", 8), 0);
	cr_assert(r.has_iat);
	cr_assert_eq(r.iat, T0);
	cr_assert_not(r.has_exp);
	cr_assert_eq(r.cti_len, 16);
	cr_assert(r.has_status);
	cr_assert_eq(r.status_idx, 42);
	cr_assert_str_eq(r.status_uri, "https://roc.example/status/1");
	cr_assert(r.has_cnf);
	cr_assert_eq(memcmp(r.cnf.x, K.holder_pk, 32), 0);
	cr_assert(r.is_presentation);
	cr_assert_str_eq(r.aud, "https://werkgever.example");
	cr_assert_eq(r.kbt_iat, T0 + 90);
	cr_assert_not(r.cnonce_present);
	cr_assert_not_null(strstr(r.claims_json, "\"fullName\":\"Sanne de Vries\""), "%s", r.claims_json);
	cr_assert_not_null(strstr(r.claims_json, "\"grade\":\"8,1\""));
	cr_assert_not_null(strstr(r.claims_json, "\"title\":\"Basis Python\""));
	cr_assert_null(strstr(r.claims_json, "123456"));
	cr_assert_eq(r.withheld_count, 3);
	cr_assert_eq(r.redactable_count, 5);
	cr_assert_eq(r.undisclosed_digests, 3 + LP_SDCWT_DEFAULT_DECOYS);
	lp_sdcwt_result_free(&r);
	cr_assert_null(r.iss);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
}

/* Every subset of the five redactable claims: exactly those come back, the
 * rest are reported withheld, and nothing else changes. */
Test(sdcwt, every_subset_of_disclosures)
{
	lp_buf cred = issue_default();
	static const char *values[NRED] = { "\"fullName\":\"Sanne de Vries\"",
					    "\"dateOfBirth\":\"2004-02-29\"", "\"studentId\":\"123456\"",
					    "\"grade\":\"8,1\"", "\"assessmentDetails\":\"examen 12 mei\"" };
	for (unsigned mask = 0; mask < (1u << NRED); mask++) {
		const char *names[NRED];
		size_t n = 0;
		for (unsigned i = 0; i < NRED; i++)
			if (mask & (1u << i))
				names[n++] = redactable_names[i];
		lp_buf pres = present(lp_buf_view(&cred), names, n, K.holder_sk, NULL, 0, T0 + 90);
		lp_sdcwt_verify_params v;
		struct trust t;
		lp_sdcwt_result r;
		verify_params(&v, &t);
		lp_err e = lp_sdcwt_verify(lp_buf_view(&pres), &v, &r);
		cr_assert_eq(e, LP_OK, "mask %u: %s", mask, r.diag.msg);
		for (unsigned i = 0; i < NRED; i++) {
			bool shown = strstr(r.claims_json, values[i]) != NULL;
			bool named = strstr(r.claims_json, redactable_names[i]) != NULL;
			cr_assert_eq(shown, (mask >> i) & 1, "mask %u claim %s", mask, redactable_names[i]);
			cr_assert_eq(named, (mask >> i) & 1, "mask %u claim %s", mask, redactable_names[i]);
			bool withheld = false;
			for (size_t k = 0; k < r.withheld_count; k++)
				withheld |= strcmp(r.withheld[k], redactable_names[i]) == 0;
			cr_assert_eq(withheld, !((mask >> i) & 1), "mask %u", mask);
		}
		cr_assert_eq(r.withheld_count, NRED - n);
		cr_assert_eq(r.undisclosed_digests, NRED - n + LP_SDCWT_DEFAULT_DECOYS);
		/* Always-shown claims are always there. */
		cr_assert_not_null(strstr(r.claims_json, "\"title\":\"Basis Python\""));
		cr_assert_not_null(strstr(r.claims_json, "\"eqfLevel\":4"));
		cr_assert_not_null(strstr(r.claims_json, "\"creditPoint\":2.5"));
		cr_assert_not_null(strstr(r.claims_json, "\"awardingDate\":\"2026-06-30\""));
		lp_sdcwt_result_free(&r);
		lp_buf_free(&pres);
	}
	lp_buf_free(&cred);
}

/* ---- hand-built tokens for the negative cases ------------------------------ */

static cbor_item_t *I(int64_t v)
{
	return lp_cbor_int(v);
}

static cbor_item_t *TXT(const char *s)
{
	return cbor_build_stringn(s, strlen(s));
}

static cbor_item_t *BYTES(const uint8_t *p, size_t n)
{
	return cbor_build_bytestring(p, n);
}

static void PUT(cbor_item_t *m, cbor_item_t *k, cbor_item_t *v)
{
	cr_assert(lp_cbor_map_put(m, k, v));
}

static cbor_item_t *cnf_of(const uint8_t pk[32])
{
	lp_pubkey k;
	lp_buf b = { 0 };
	cbor_item_t *ck = NULL, *cnf = cbor_new_definite_map(1);
	lp_pubkey_ed25519(&k, pk);
	cr_assert_eq(lp_pubkey_to_cose(&k, &b), LP_OK);
	cr_assert_eq(lp_cbor_load(lp_buf_view(&b), 8, &ck, NULL), LP_OK);
	lp_buf_free(&b);
	PUT(cnf, I(1), ck);
	return cnf;
}

/* Encode a disclosure, return its bstr item and put its digest in dg. */
static cbor_item_t *disclosure(cbor_item_t *value, cbor_item_t *key, uint8_t dg[32])
{
	uint8_t salt[16];
	lp_buf enc = { 0 }, wrapped = { 0 };
	lp_random(salt, sizeof salt);
	cbor_item_t *a = cbor_new_definite_array(3);
	cr_assert(cbor_array_push(a, cbor_move(BYTES(salt, 16))));
	if (value)
		cr_assert(cbor_array_push(a, cbor_move(value)));
	if (key)
		cr_assert(cbor_array_push(a, cbor_move(key)));
	cr_assert_eq(lp_cbor_encode(a, &enc), LP_OK);
	cbor_decref(&a);
	cbor_item_t *b = BYTES(enc.ptr, enc.len);
	cr_assert_eq(lp_cbor_encode(b, &wrapped), LP_OK);
	crypto_hash_sha256(dg, wrapped.ptr, wrapped.len);
	lp_buf_free(&enc);
	lp_buf_free(&wrapped);
	return b;
}

static cbor_item_t *digest_list(const uint8_t (*dg)[32], size_t n)
{
	cbor_item_t *a = cbor_new_definite_array(n);
	for (size_t i = 0; i < n; i++)
		cr_assert(cbor_array_push(a, cbor_move(BYTES(dg[i], 32))));
	return a;
}

/* Sign a payload map as an SD-CWT (consumes payload and sd). */
static cbor_item_t *sign_cwt(cbor_item_t *payload, cbor_item_t *sd, int64_t typ, int64_t sd_alg)
{
	lp_buf pl = { 0 };
	cbor_item_t *prot = cbor_new_definite_map(4), *unprot = cbor_new_definite_map(1), *out = NULL;
	PUT(prot, I(1), I(LP_ALG_EDDSA));
	PUT(prot, I(4), BYTES((const uint8_t *)"key-2026", 8));
	PUT(prot, I(16), I(typ));
	PUT(prot, I(170), I(sd_alg));
	if (sd)
		PUT(unprot, I(17), sd);
	cr_assert_eq(lp_cbor_encode(payload, &pl), LP_OK);
	cr_assert_eq(lp_sign1_create_ed25519_item(prot, unprot, lp_buf_view(&pl), lp_view_of(NULL, 0),
						  K.issuer_sk, &out),
		     LP_OK);
	lp_buf_free(&pl);
	cbor_decref(&payload);
	cbor_decref(&prot);
	cbor_decref(&unprot);
	return out;
}

/* A credential payload with optional times (INT64_MIN = absent). */
#define NONE INT64_MIN
static cbor_item_t *cred_payload(int64_t iat, int64_t nbf, int64_t exp, bool bound)
{
	cbor_item_t *m = cbor_new_definite_map(8);
	PUT(m, I(1), TXT("https://roc.example"));
	if (exp != NONE)
		PUT(m, I(4), I(exp));
	if (nbf != NONE)
		PUT(m, I(5), I(nbf));
	if (iat != NONE)
		PUT(m, I(6), I(iat));
	if (bound)
		PUT(m, I(8), cnf_of(K.holder_pk));
	PUT(m, I(11), TXT("https://roc.example/mc/python"));
	return m;
}

/* An SD-KBT around cwt (borrowed) with the given payload (consumed). */
static lp_buf make_kbt(cbor_item_t *cwt, cbor_item_t *payload, const uint8_t *sk, int64_t typ)
{
	lp_buf pl = { 0 }, out = { 0 };
	cbor_item_t *prot = cbor_new_definite_map(3);
	PUT(prot, I(1), I(LP_ALG_EDDSA));
	PUT(prot, I(13), cbor_incref(cwt));
	PUT(prot, I(16), I(typ));
	cr_assert_eq(lp_cbor_encode(payload, &pl), LP_OK);
	cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, lp_buf_view(&pl), lp_view_of(NULL, 0), sk, &out),
		     LP_OK);
	lp_buf_free(&pl);
	cbor_decref(&payload);
	cbor_decref(&prot);
	return out;
}

static cbor_item_t *kbt_payload(const char *aud, int64_t iat, int64_t nbf, int64_t exp, bool cti)
{
	cbor_item_t *m = cbor_new_definite_map(6);
	if (aud)
		PUT(m, I(3), TXT(aud));
	if (exp != NONE)
		PUT(m, I(4), I(exp));
	if (nbf != NONE)
		PUT(m, I(5), I(nbf));
	if (iat != NONE)
		PUT(m, I(6), I(iat));
	if (cti)
		PUT(m, I(7), BYTES((const uint8_t *)"kbt-id", 6));
	return m;
}

static lp_err verify_bytes(lp_view pres, lp_sdcwt_verify_params *v, char *msg, size_t cap)
{
	lp_sdcwt_result r;
	lp_err e = lp_sdcwt_verify(pres, v, &r);
	cr_assert_eq(e, r.err);
	if (e != LP_OK) {
		cr_assert_null(r.claims_json, "no claims reported on failure");
		cr_assert_eq(r.diag.code, e);
		cr_assert_neq(r.diag.msg[0], 0, "a diagnostic is given");
	}
	if (msg)
		snprintf(msg, cap, "%s", e ? r.diag.msg : (r.claims_json ? r.claims_json : ""));
	lp_sdcwt_result_free(&r);
	return e;
}

Test(sdcwt, time_claims_table)
{
	struct {
		int64_t c_iat, c_nbf, c_exp;
		int64_t k_iat, k_nbf, k_exp;
		bool k_cti;
		int64_t now, max_age;
		lp_err want;
		const char *what;
	} cases[] = {
		{ T0, NONE, NONE, T0 + 10, NONE, NONE, false, T0 + 20, 0, LP_OK, "plain" },
		{ T0, T0 - 5, T0 + 400, T0 + 10, T0 + 5, T0 + 300, false, T0 + 20, 0, LP_OK, "all times in order" },
		{ T0, NONE, NONE, NONE, NONE, NONE, true, T0 + 20, 0, LP_OK, "kbt with cti, no iat" },
		{ T0, NONE, T0 + 30, T0 + 10, NONE, NONE, false, T0 + 60, 0, LP_OK, "expired only within skew" },
		{ T0, T0 + 5, NONE, T0 + 10, NONE, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "cwt nbf > iat" },
		{ T0, NONE, T0, T0 + 10, NONE, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "cwt iat == exp" },
		{ NONE, T0 + 100, T0 + 100, T0 + 100, NONE, NONE, false, T0 + 100, 0, LP_ERR_TIME_ORDER, "cwt nbf == exp" },
		{ T0, NONE, NONE, T0 - 1, NONE, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt iat < cwt iat" },
		{ T0, NONE, T0 + 400, T0 + 10, NONE, T0 + 500, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt exp > cwt exp" },
		{ T0, T0 - 5, NONE, T0 + 10, T0 - 10, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt nbf < cwt nbf" },
		{ T0, NONE, NONE, T0 + 10, T0 + 11, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt nbf > kbt iat" },
		{ T0, NONE, NONE, T0 + 10, NONE, T0 + 10, false, T0 + 5, 0, LP_ERR_TIME_ORDER, "kbt iat == kbt exp" },
		{ T0, NONE, NONE, NONE, NONE, T0 + 10, true, T0 + 5, 0, LP_ERR_TIME_ORDER, "kbt exp without iat" },
		{ T0, NONE, NONE, NONE, T0, NONE, true, T0 + 5, 0, LP_ERR_TIME_ORDER, "kbt nbf without iat" },
		{ T0, NONE, NONE, NONE, NONE, NONE, false, T0 + 5, 0, LP_ERR_CLAIMS, "kbt with neither iat nor cti" },
		{ T0, NONE, T0 + 50, T0 + 50, NONE, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt iat == cwt exp" },
		{ T0, NONE, T0 + 50, T0 + 10, T0 + 50, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt nbf == cwt exp" },
		{ T0, T0, NONE, T0 - 1, NONE, NONE, false, T0 + 20, 0, LP_ERR_TIME_ORDER, "kbt iat < cwt nbf" },
		{ T0, NONE, T0 + 50, T0 + 10, NONE, NONE, false, T0 + 200, 0, LP_ERR_EXPIRED, "credential expired" },
		{ T0 + 1000, T0 + 1000, NONE, T0 + 1000, NONE, NONE, false, T0, 0, LP_ERR_NOT_YET_VALID, "credential not yet valid" },
		{ T0 + 1000, NONE, NONE, T0 + 1000, NONE, NONE, false, T0, 0, LP_ERR_NOT_YET_VALID, "credential issued in the future" },
		{ T0, NONE, NONE, T0 + 1000, NONE, NONE, false, T0 + 20, 0, LP_ERR_NOT_YET_VALID, "presentation from the future" },
		{ T0, NONE, NONE, T0 + 10, NONE, NONE, false, T0 + 1000, 300, LP_ERR_EXPIRED, "presentation too old" },
		{ T0, NONE, NONE, T0 + 10, NONE, NONE, false, T0 + 300, 300, LP_OK, "presentation just young enough" },
		{ (int64_t)1 << 60, NONE, NONE, T0 + 10, NONE, NONE, false, T0 + 20, 0, LP_ERR_CLAIMS, "cwt iat beyond 2^53" },
		{ T0, NONE, NONE, INT64_MAX, NONE, NONE, false, T0 + 20, 300, LP_ERR_CLAIMS, "kbt iat beyond 2^53" },
		{ T0, NONE, NONE, T0 + 10, NONE, T0 + 20, false, T0 + 100, 0, LP_ERR_EXPIRED, "presentation expired" },
		{ T0, NONE, NONE, T0 + 10, T0 + 10, NONE, false, T0 + 5 - 61, 0, LP_ERR_NOT_YET_VALID, "presentation nbf ahead" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cbor_item_t *cwt = sign_cwt(cred_payload(cases[i].c_iat, cases[i].c_nbf, cases[i].c_exp, true),
					    NULL, LP_TYP_SD_CWT, -16);
		lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", cases[i].k_iat,
						       cases[i].k_nbf, cases[i].k_exp, cases[i].k_cti),
				       K.holder_sk, LP_TYP_SD_KBT);
		lp_sdcwt_verify_params v;
		struct trust t;
		char msg[200];
		verify_params(&v, &t);
		v.now = cases[i].now;
		v.max_age = cases[i].max_age;
		lp_err e = verify_bytes(lp_buf_view(&pres), &v, msg, sizeof msg);
		cr_expect_eq(e, cases[i].want, "%s: got %s (%s)", cases[i].what, lp_err_code(e), msg);
		lp_buf_free(&pres);
		cbor_decref(&cwt);
	}
}

Test(sdcwt, audience_and_challenge)
{
	static const uint8_t nonce[16] = "0123456789abcdef", other[16] = "0123456789abcdeX";
	lp_buf cred = issue_default();
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);

	/* Wrong audience. */
	lp_sdcwt_present_params pp = { NULL, 0, "https://someone-else.example", T0 + 90, NULL, 0, false };
	lp_buf pres = { 0 };
	cr_assert_eq(lp_sdcwt_present(lp_buf_view(&cred), &pp, K.holder_sk, &pres, NULL), LP_OK);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_AUDIENCE);
	lp_buf_free(&pres);

	/* Challenge: right, wrong, missing, and none asked. */
	lp_buf right = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, nonce, 16, T0 + 90);
	lp_buf wrong = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, other, 16, T0 + 90);
	lp_buf shorter = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, nonce, 15, T0 + 90);
	lp_buf none = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, NULL, 0, T0 + 90);
	v.cnonce = nonce;
	v.cnonce_len = 16;
	lp_sdcwt_result r;
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&right), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert(r.cnonce_present);
	lp_sdcwt_result_free(&r);
	cr_assert_eq(verify_bytes(lp_buf_view(&wrong), &v, NULL, 0), LP_ERR_NONCE);
	cr_assert_eq(verify_bytes(lp_buf_view(&shorter), &v, NULL, 0), LP_ERR_NONCE);
	cr_assert_eq(verify_bytes(lp_buf_view(&none), &v, NULL, 0), LP_ERR_NONCE);
	v.cnonce = NULL;
	v.cnonce_len = 0;
	cr_assert_eq(verify_bytes(lp_buf_view(&none), &v, NULL, 0), LP_OK);
	cr_assert_eq(verify_bytes(lp_buf_view(&right), &v, NULL, 0), LP_OK);
	/* No expected audience given: a usage error, not a pass. */
	v.aud = NULL;
	cr_assert_eq(verify_bytes(lp_buf_view(&none), &v, NULL, 0), LP_ERR_ARG);
	lp_buf_free(&right);
	lp_buf_free(&wrong);
	lp_buf_free(&shorter);
	lp_buf_free(&none);

	/* A presentation without aud, and a credential naming another aud. */
	verify_params(&v, &t);
	cbor_item_t *cwt = sign_cwt(cred_payload(T0, NONE, NONE, true), NULL, LP_TYP_SD_CWT, -16);
	pres = make_kbt(cwt, kbt_payload(NULL, T0 + 10, NONE, NONE, false), K.holder_sk, LP_TYP_SD_KBT);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_AUDIENCE);
	lp_buf_free(&pres);
	cbor_decref(&cwt);
	cbor_item_t *pl = cred_payload(T0, NONE, NONE, true);
	PUT(pl, I(3), TXT("https://elsewhere.example"));
	cwt = sign_cwt(pl, NULL, LP_TYP_SD_CWT, -16);
	pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
			K.holder_sk, LP_TYP_SD_KBT);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_AUDIENCE);
	lp_buf_free(&pres);
	cbor_decref(&cwt);
	lp_buf_free(&cred);
}

Test(sdcwt, holder_binding)
{
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	/* Signed by another key than cnf. */
	cbor_item_t *cwt = sign_cwt(cred_payload(T0, NONE, NONE, true), NULL, LP_TYP_SD_CWT, -16);
	lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
			       K.other_sk, LP_TYP_SD_KBT);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_HOLDER_BINDING);
	lp_buf_free(&pres);
	cbor_decref(&cwt);
	/* An unbound credential cannot be presented with holder binding. */
	cwt = sign_cwt(cred_payload(T0, NONE, NONE, false), NULL, LP_TYP_SD_CWT, -16);
	pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
			K.holder_sk, LP_TYP_SD_KBT);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_HOLDER_BINDING);
	lp_buf_free(&pres);
	cbor_decref(&cwt);
	/* The wallet refuses to present with a key that is not cnf. */
	lp_buf cred = issue_default();
	lp_sdcwt_present_params pp = { NULL, 0, "https://werkgever.example", T0 + 90, NULL, 0, false };
	lp_diag d = { 0 };
	pres.ptr = (uint8_t *)1;
	cr_assert_eq(lp_sdcwt_present(lp_buf_view(&cred), &pp, K.other_sk, &pres, &d), LP_ERR_NOT_BOUND);
	cr_assert_null(pres.ptr);
	lp_buf_free(&cred);
}

Test(sdcwt, typ_and_header_checks)
{
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	struct {
		int64_t cwt_typ, kbt_typ, sd_alg;
		lp_err want;
	} cases[] = {
		{ LP_TYP_SD_CWT, LP_TYP_SD_KBT, -16, LP_OK },
		{ LP_TYP_SD_KBT, LP_TYP_SD_KBT, -16, LP_ERR_TYP },
		{ 61, LP_TYP_SD_KBT, -16, LP_ERR_TYP },
		{ LP_TYP_SD_CWT, LP_TYP_SD_CWT, -16, LP_ERR_TYP },
		{ LP_TYP_SD_CWT, LP_TYP_SD_KBT, -44, LP_ERR_UNSUPPORTED },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cbor_item_t *cwt = sign_cwt(cred_payload(T0, NONE, NONE, true), NULL, cases[i].cwt_typ,
					    cases[i].sd_alg);
		lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
				       K.holder_sk, cases[i].kbt_typ);
		cr_expect_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), cases[i].want, "case %zu", i);
		lp_buf_free(&pres);
		cbor_decref(&cwt);
	}
	/* iss or sub in the SD-KBT. */
	for (int64_t k = 1; k <= 2; k++) {
		cbor_item_t *cwt = sign_cwt(cred_payload(T0, NONE, NONE, true), NULL, LP_TYP_SD_CWT, -16);
		cbor_item_t *kp = kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false);
		PUT(kp, I(k), TXT("someone"));
		lp_buf pres = make_kbt(cwt, kp, K.holder_sk, LP_TYP_SD_KBT);
		cr_expect_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_CLAIMS);
		lp_buf_free(&pres);
		cbor_decref(&cwt);
	}
	/* A bare credential where a presentation is expected. */
	lp_buf cred = issue_default();
	cr_assert_eq(verify_bytes(lp_buf_view(&cred), &v, NULL, 0), LP_ERR_TYP);
	lp_buf_free(&cred);
}

Test(sdcwt, trust_callback_decides)
{
	lp_buf cred = issue_default();
	lp_buf pres = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, NULL, 0, T0 + 90);
	lp_sdcwt_verify_params v;
	struct trust t;
	lp_err fails[] = { LP_ERR_UNTRUSTED, LP_ERR_KEY_PERIOD, LP_ERR_TYPE_NOT_ALLOWED };
	for (size_t i = 0; i < 3; i++) {
		verify_params(&v, &t);
		t.fail = fails[i];
		lp_sdcwt_result r;
		cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&pres), &v, &r), fails[i]);
		cr_assert_str_eq(r.diag.msg, "test trust says no");
		cr_assert_str_eq(r.iss, "https://roc.example", "what was found is reported");
		lp_sdcwt_result_free(&r);
	}
	/* The right issuer name with another key: a bad signature. */
	verify_params(&v, &t);
	lp_pubkey_ed25519(&t.key, K.other_pk);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_SIGNATURE);
	/* Another issuer name. */
	verify_params(&v, &t);
	t.iss = "https://other.example";
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_UNTRUSTED);
	cr_assert_eq(t.calls, 1);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
}

/* Credentials with hand-made disclosures: duplicate keys, foreign
 * disclosures, repeated digests, never-redacted claims, empty sd_claims. */
Test(sdcwt, disclosure_rules)
{
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	struct {
		int kind;
		lp_err want;
		const char *what;
	} cases[] = {
		{ 0, LP_OK, "a valid nested disclosure" },
		{ 1, LP_ERR_DUPLICATE_CLAIM, "disclosed key duplicates a plain key" },
		{ 2, LP_ERR_DUPLICATE_CLAIM, "two disclosures with the same key" },
		{ 3, LP_ERR_DIGEST_MISMATCH, "disclosure from another credential" },
		{ 4, LP_ERR_DIGEST_MISMATCH, "digest listed twice" },
		{ 5, LP_ERR_DISCLOSURE, "disclosure of exp at the top level" },
		{ 6, LP_ERR_DISCLOSURE, "empty sd_claims" },
		{ 7, LP_ERR_DISCLOSURE, "salt of 15 bytes" },
		{ 8, LP_ERR_DISCLOSURE, "array-element disclosure under simple(59)" },
		{ 9, LP_ERR_DISCLOSURE, "the same disclosure sent twice" },
		{ 10, LP_ERR_DISCLOSURE, "digest of 31 bytes" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int kind = cases[i].kind;
		uint8_t dg[3][32];
		cbor_item_t *pl = cred_payload(T0, NONE, NONE, true);
		cbor_item_t *ach = cbor_new_definite_map(4);
		cbor_item_t *sd = cbor_new_definite_array(3);
		PUT(ach, I(1), TXT("Basis Python"));
		/* d0: grade "8" (key 19) */
		cbor_item_t *d0 = disclosure(TXT("8"), I(kind == 1 ? 1 : 19), dg[0]);
		cbor_item_t *d1 = disclosure(TXT("x"), I(kind == 2 ? 19 : 20), dg[1]);
		if (kind == 7) {
			/* rebuild d0 with a short salt */
			cbor_decref(&d0);
			uint8_t salt[15] = { 0 };
			cbor_item_t *a = cbor_new_definite_array(3);
			lp_buf enc = { 0 }, w = { 0 };
			cr_assert(cbor_array_push(a, cbor_move(BYTES(salt, 15))));
			cr_assert(cbor_array_push(a, cbor_move(TXT("8"))));
			cr_assert(cbor_array_push(a, cbor_move(I(19))));
			cr_assert_eq(lp_cbor_encode(a, &enc), LP_OK);
			d0 = BYTES(enc.ptr, enc.len);
			cr_assert_eq(lp_cbor_encode(d0, &w), LP_OK);
			crypto_hash_sha256(dg[0], w.ptr, w.len);
			lp_buf_free(&enc);
			lp_buf_free(&w);
			cbor_decref(&a);
		}
		if (kind == 8) {
			cbor_decref(&d0);
			d0 = disclosure(TXT("8"), NULL, dg[0]);
		}
		if (kind == 5) {
			cbor_decref(&d1);
			d1 = disclosure(I(T0 + 5), I(4), dg[1]);
		}
		if (kind == 3) {
			cbor_decref(&d1);
			uint8_t unused[32];
			d1 = disclosure(TXT("y"), I(20), unused); /* its digest goes nowhere */
		}
		if (kind == 10)
			; /* built below */
		else if (kind == 4)
			PUT(ach, cbor_build_ctrl(59), digest_list((const uint8_t(*)[32])dg, 1));
		else if (kind != 5)
			PUT(ach, cbor_build_ctrl(59), digest_list((const uint8_t(*)[32])dg, 2));
		else
			PUT(ach, cbor_build_ctrl(59), digest_list((const uint8_t(*)[32])dg, 1));
		if (kind == 10) {
			/* a list holding a 31-byte digest */
			cbor_item_t *l = cbor_new_definite_array(1);
			cr_assert(cbor_array_push(l, cbor_move(BYTES(dg[0], 31))));
			PUT(ach, cbor_build_ctrl(59), l);
		}
		PUT(pl, I(LP_CLAIM_ACHIEVEMENT), ach);
		if (kind == 4) /* the same digest again at the top level */
			PUT(pl, cbor_build_ctrl(59), digest_list((const uint8_t(*)[32])dg, 1));
		if (kind == 5)
			PUT(pl, cbor_build_ctrl(59), digest_list((const uint8_t(*)[32])&dg[1], 1));
		if (kind != 6) {
			cr_assert(cbor_array_push(sd, d0));
			if (kind != 4 && kind != 10)
				cr_assert(cbor_array_push(sd, d1));
			if (kind == 9)
				cr_assert(cbor_array_push(sd, d0));
		}
		cbor_decref(&d0);
		cbor_decref(&d1);
		cbor_item_t *cwt = sign_cwt(pl, sd, LP_TYP_SD_CWT, -16);
		lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
				       K.holder_sk, LP_TYP_SD_KBT);
		char msg[200];
		lp_err e = verify_bytes(lp_buf_view(&pres), &v, msg, sizeof msg);
		cr_expect_eq(e, cases[i].want, "%s: got %s (%s)", cases[i].what, lp_err_code(e), msg);
		if (kind == 0)
			cr_expect_str_eq(msg, "{\"title\":\"Basis Python\",\"grade\":\"8\",\"assessmentDetails\":\"x\"}");
		lp_buf_free(&pres);
		cbor_decref(&cwt);
	}
}

/* Every single-byte change of a presentation is rejected: never accepted,
 * and certainly never with other claims. */
Test(sdcwt, every_byte_change_of_a_presentation_rejected)
{
	lp_buf cred = issue_default();
	const char *show[] = { "grade" };
	static const uint8_t nonce[8] = "nonce-01";
	lp_buf pres = present(lp_buf_view(&cred), show, 1, K.holder_sk, nonce, 8, T0 + 90);
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	v.cnonce = nonce;
	v.cnonce_len = 8;
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_OK);
	uint8_t *copy = malloc(pres.len);
	static const uint8_t deltas[] = { 0x01, 0x80, 0xff };
	size_t rejected = 0;
	for (size_t i = 0; i < pres.len; i++) {
		for (size_t k = 0; k < sizeof deltas; k++) {
			memcpy(copy, pres.ptr, pres.len);
			copy[i] ^= deltas[k];
			lp_err e = verify_bytes(lp_view_of(copy, pres.len), &v, NULL, 0);
			cr_assert_neq(e, LP_OK, "byte %zu ^ 0x%02x accepted", i, deltas[k]);
			rejected++;
		}
	}
	/* Every extension by a byte. */
	uint8_t *longer = malloc(pres.len + 1);
	memcpy(longer, pres.ptr, pres.len);
	for (unsigned x = 0; x < 256; x++) {
		longer[pres.len] = (uint8_t)x;
		cr_assert_eq(verify_bytes(lp_view_of(longer, pres.len + 1), &v, NULL, 0), LP_ERR_CBOR_TRAILING);
	}
	free(longer);
	/* Every truncation too. */
	for (size_t n = 0; n < pres.len; n++)
		cr_assert_neq(verify_bytes(lp_view_of(pres.ptr, n), &v, NULL, 0), LP_OK, "truncated to %zu", n);
	cr_assert_eq(rejected, 3 * pres.len);
	free(copy);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
}

/* Rebuild a credential with another sd_claims array (consumed; NULL: none). */
static cbor_item_t *with_sd_claims(lp_view cred, cbor_item_t *sd)
{
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(cred, true, &s, NULL), LP_OK);
	cbor_item_t *arr = cbor_new_definite_array(4), *un = cbor_new_definite_map(1);
	if (sd)
		PUT(un, I(17), sd);
	cr_assert(cbor_array_push(arr, cbor_move(BYTES(s.protected_bstr.ptr, s.protected_bstr.len))));
	cr_assert(cbor_array_push(arr, cbor_move(un)));
	cr_assert(cbor_array_push(arr, cbor_move(BYTES(s.payload.ptr, s.payload.len))));
	cr_assert(cbor_array_push(arr, cbor_move(BYTES(s.signature.ptr, s.signature.len))));
	lp_sign1_free(&s);
	return cbor_build_tag(18, cbor_move(arr));
}

/* The disclosures (bstr items) of a credential, as a new array. */
static cbor_item_t *sd_claims_of(lp_view cred)
{
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(cred, true, &s, NULL), LP_OK);
	cbor_item_t *sc = lp_cbor_map_get_int(s.unprotected, 17);
	cr_assert_not_null(sc);
	cbor_item_t *copy = cbor_new_definite_array(cbor_array_size(sc));
	for (size_t i = 0; i < cbor_array_size(sc); i++)
		cr_assert(cbor_array_push(copy, cbor_array_handle(sc)[i]));
	lp_sign1_free(&s);
	return copy;
}

Test(sdcwt, disclosure_from_another_credential_rejected)
{
	lp_buf a = issue_default();
	lp_buf b = issue_default(); /* same holder and claims, other salts */
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	cbor_item_t *bd = sd_claims_of(lp_buf_view(&b));
	cbor_item_t *ad = sd_claims_of(lp_buf_view(&a));
	cr_assert_eq(cbor_array_size(bd), NRED + LP_SDCWT_DEFAULT_DECOYS);
	/* For each of B's disclosures: A's credential carrying it (alone, and
	 * next to all of A's own) is rejected even though the holder signs. */
	for (size_t i = 0; i < cbor_array_size(bd); i++) {
		for (int withown = 0; withown < 2; withown++) {
			cbor_item_t *sd = cbor_new_definite_array(16);
			if (withown)
				for (size_t k = 0; k < cbor_array_size(ad); k++)
					cr_assert(cbor_array_push(sd, cbor_array_handle(ad)[k]));
			cr_assert(cbor_array_push(sd, cbor_array_handle(bd)[i]));
			cbor_item_t *cwt = with_sd_claims(lp_buf_view(&a), sd);
			lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
					       K.holder_sk, LP_TYP_SD_KBT);
			cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_ERR_DIGEST_MISMATCH,
				     "B's disclosure %zu accepted in A", i);
			lp_buf_free(&pres);
			cbor_decref(&cwt);
		}
	}
	/* Control: A's own disclosures, all of them, pass. */
	cbor_item_t *cwt = with_sd_claims(lp_buf_view(&a), cbor_incref(ad));
	lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
			       K.holder_sk, LP_TYP_SD_KBT);
	cr_assert_eq(verify_bytes(lp_buf_view(&pres), &v, NULL, 0), LP_OK);
	lp_buf_free(&pres);
	cbor_decref(&cwt);
	cbor_decref(&ad);
	cbor_decref(&bd);
	lp_buf_free(&a);
	lp_buf_free(&b);
}

Test(sdcwt, bare_credential_for_the_wallet)
{
	lp_buf cred = issue_default();
	lp_sdcwt_verify_params v;
	struct trust t;
	lp_sdcwt_result r;
	verify_params(&v, &t);
	lp_pubkey mine, theirs;
	lp_pubkey_ed25519(&mine, K.holder_pk);
	lp_pubkey_ed25519(&theirs, K.other_pk);
	v.expect_cnf = &mine;
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&cred), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_not(r.is_presentation);
	cr_assert_eq(r.withheld_count, 0);
	cr_assert_eq(r.redactable_count, NRED);
	cr_assert_eq(r.undisclosed_digests, 0, "decoys matched too");
	for (size_t i = 0; i < NRED; i++)
		cr_assert_str_eq(r.redactable[i], redactable_names[i]); /* key order */
	cr_assert_not_null(strstr(r.claims_json, "\"studentId\":\"123456\""));
	lp_sdcwt_result_free(&r);
	v.expect_cnf = &theirs;
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&cred), &v, &r), LP_ERR_NOT_BOUND);
	lp_sdcwt_result_free(&r);
	/* A presentation is not a bare credential. */
	lp_buf pres = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, NULL, 0, T0 + 90);
	v.expect_cnf = NULL;
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&pres), &v, &r), LP_ERR_TYP);
	lp_sdcwt_result_free(&r);
	/* Extracting the credential from the presentation gives one without
	 * undisclosed claims, which still verifies. */
	lp_buf inner = { 0 };
	cr_assert_eq(lp_sdcwt_extract_credential(lp_buf_view(&pres), &inner, NULL), LP_OK);
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&inner), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.withheld_count, NRED);
	cr_assert_null(strstr(r.claims_json, "123456"));
	lp_sdcwt_result_free(&r);
	lp_buf_free(&inner);
	lp_buf_free(&pres);
	lp_buf_free(&cred);

	/* An unbound credential: verifies bare, cannot be presented. */
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	issue_params(&p, &holder);
	p.holder = NULL;
	cr_assert_eq(lp_sdcwt_issue(&p, K.issuer_sk, &cred, NULL, NULL), LP_OK);
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&cred), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_not(r.has_cnf);
	lp_sdcwt_result_free(&r);
	lp_sdcwt_present_params pp = { NULL, 0, "https://werkgever.example", T0 + 90, NULL, 0, false };
	cr_assert_eq(lp_sdcwt_present(lp_buf_view(&cred), &pp, K.holder_sk, &pres, NULL), LP_ERR_NOT_BOUND);
	lp_buf_free(&cred);
}

Test(sdcwt, issue_options_and_errors)
{
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	lp_sdcwt_verify_params v;
	struct trust t;
	lp_sdcwt_result r;
	lp_buf cred = { 0 };
	uint8_t cti[16], zero[16] = { 0 };
	verify_params(&v, &t);

	/* Decoys 0, an explicit redactable list, expiry and nbf. */
	issue_params(&p, &holder);
	const char *red[] = { "grade", "title" };
	p.redactable = red;
	p.redactable_count = 2;
	p.decoys = 0;
	p.has_exp = true;
	p.exp = T0 + 1000;
	p.has_nbf = true;
	p.nbf = T0 - 10;
	cr_assert_eq(lp_sdcwt_issue(&p, K.issuer_sk, &cred, cti, NULL), LP_OK);
	cr_assert_neq(memcmp(cti, zero, 16), 0);
	lp_buf pres = present(lp_buf_view(&cred), NULL, 0, K.holder_sk, NULL, 0, T0 + 90);
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&pres), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.undisclosed_digests, 2);
	cr_assert_eq(r.withheld_count, 2);
	cr_assert_str_eq(r.withheld[0], "title");
	cr_assert_str_eq(r.withheld[1], "grade");
	cr_assert_eq(memcmp(r.cti, cti, 16), 0);
	cr_assert(r.has_exp && r.exp == T0 + 1000 && r.has_nbf && r.nbf == T0 - 10);
	cr_assert_not_null(strstr(r.claims_json, "\"fullName\""), "not redactable here: always shown");
	lp_sdcwt_result_free(&r);
	lp_buf_free(&pres);
	/* Selecting: a shown claim is fine, an absent one is not. */
	const char *ok_names[] = { "fullName", "grade" };
	pres = present(lp_buf_view(&cred), ok_names, 2, K.holder_sk, NULL, 0, T0 + 90);
	lp_buf_free(&pres);
	const char *bad_names[] = { "nqfLevel" };
	lp_sdcwt_present_params pp = { bad_names, 1, "https://werkgever.example", T0 + 90, NULL, 0, false };
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_present(lp_buf_view(&cred), &pp, K.holder_sk, &pres, &d), LP_ERR_NOT_FOUND);
	cr_assert_not_null(strstr(d.msg, "nqfLevel"));
	lp_buf_free(&cred);

	/* Parameter and claim errors. */
	struct {
		int what;
		lp_err want;
	} cases[] = {
		{ 0, LP_ERR_ARG },   { 1, LP_ERR_ARG },    { 2, LP_ERR_ARG },    { 3, LP_ERR_ARG },
		{ 4, LP_ERR_ARG },   { 5, LP_ERR_ARG },    { 6, LP_ERR_CLAIMS }, { 7, LP_ERR_CLAIMS },
		{ 8, LP_ERR_JSON },  { 9, LP_ERR_ARG },    { 10, LP_ERR_ARG },
	};
	static const char incomplete[] = "{\"title\":\"x\",\"fullName\":\"y\"}";
	const char *unknown[] = { "shoeSize" };
	lp_pubkey p256 = { 2, 1, { 1 }, 32, { 2 }, 32 };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		issue_params(&p, &holder);
		switch (cases[i].what) {
		case 0: p.iss = NULL; break;
		case 1: p.kid_len = 0; break;
		case 2: p.vct = ""; break;
		case 3: p.decoys = LP_SDCWT_MAX_DECOYS + 1; break;
		case 4: p.has_exp = true; p.exp = p.iat; break;
		case 5: p.has_nbf = true; p.nbf = p.iat + 1; break;
		case 6: p.claims_json = incomplete; p.claims_json_len = strlen(incomplete); break;
		case 7: p.redactable = unknown; p.redactable_count = 1; break;
		case 8: p.claims_json_len = 5; break;
		case 9: p.holder = &p256; break;
		case 10: p.status_uri = NULL; break;
		}
		memset(&d, 0, sizeof d);
		cred.ptr = (uint8_t *)1;
		memset(cti, 0xaa, 16);
		cr_expect_eq(lp_sdcwt_issue(&p, K.issuer_sk, &cred, cti, &d), cases[i].want, "case %d: %s",
			     cases[i].what, d.msg);
		cr_assert_null(cred.ptr);
		cr_assert_eq(memcmp(cti, zero, 16), 0);
		cr_assert_neq(d.msg[0], 0);
	}
}

Test(sdcwt, issuance_is_deterministic_under_a_fixed_random_source)
{
	rng_ctr = 7;
	lp_buf a = issue_default();
	rng_ctr = 7;
	lp_buf b = issue_default();
	lp_buf c = issue_default();
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.ptr, b.ptr, a.len), 0);
	cr_assert(a.len != c.len || memcmp(a.ptr, c.ptr, a.len) != 0, "fresh salts differ");
	lp_buf_free(&a);
	lp_buf_free(&b);
	lp_buf_free(&c);
}

/* ---- the draft's own examples --------------------------------------------- */

#define VEC(name) LP_SOURCE_DIR "/test-vectors/sd-cwt/" name
#define DRAFT_NOW 1725244260 /* 2024-09-02T02:31:00Z: inside every example's window */

static lp_buf load(const char *path)
{
	lp_buf b = { 0 };
	cr_assert_eq(lp_file_read(path, 1 << 20, &b), LP_OK, "%s", path);
	return b;
}

static lp_pubkey pem_key(const char *path)
{
	lp_buf b = load(path);
	lp_pubkey k;
	lp_diag d = { 0 };
	cr_assert_eq(lp_pubkey_from_pem((const char *)b.ptr, b.len, &k, &d), LP_OK, "%s: %s", path, d.msg);
	lp_buf_free(&b);
	return k;
}

static struct trust draft_trust(void)
{
	struct trust t = { 0 };
	t.iss = "https://issuer.example";
	t.key = pem_key(VEC("issuer_privkey.pem"));
	return t;
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

/* Independent of lib/sdcwt.c: every disclosure's SHA-256 over its
 * bstr-wrapped bytes occurs, as a 32-byte string, in the signed payload or
 * inside another disclosure (nested). Returns the number checked. */
static size_t check_digests_independently(const char *file)
{
	lp_buf b = load(file);
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&b), true, &s, NULL), LP_OK, "%s", file);
	cr_assert_eq(s.alg, LP_ALG_ES384);
	cbor_item_t *sc = lp_cbor_map_get_int(s.unprotected, 17);
	cr_assert_not_null(sc);
	size_t n = cbor_array_size(sc);
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *di = cbor_array_handle(sc)[i];
		lp_buf w = { 0 };
		uint8_t dg[32], bare[32];
		cr_assert_eq(lp_cbor_encode(di, &w), LP_OK);
		crypto_hash_sha256(dg, w.ptr, w.len);
		crypto_hash_sha256(bare, cbor_bytestring_handle(di), cbor_bytestring_length(di));
		/* bstr head || array (0x58 len for all but the short decoys): the
		 * README's fact. */
		cr_assert_eq(w.ptr[0] >> 5, 2);
		bool found = contains(s.payload.ptr, s.payload.len, dg, 32);
		for (size_t k = 0; !found && k < n; k++)
			if (k != i)
				found = contains(cbor_bytestring_handle(cbor_array_handle(sc)[k]),
						 cbor_bytestring_length(cbor_array_handle(sc)[k]), dg, 32);
		cr_assert(found, "%s: disclosure %zu matches no digest", file, i);
		cr_assert_not(contains(s.payload.ptr, s.payload.len, bare, 32),
			      "the bare-array hash must not be what the example uses");
		lp_buf_free(&w);
	}
	lp_sign1_free(&s);
	lp_buf_free(&b);
	return n;
}

Test(sdcwt_draft, every_disclosure_matches_its_digest)
{
	cr_assert_eq(lp_init(), LP_OK);
	const char *files[] = { VEC("issuer_cwt.cbor"), VEC("decoy.cbor"), VEC("nested_issuer_cwt.cbor") };
	const size_t expect_n[] = { 5, 4, 15 }; /* counted in the .edn files */
	for (size_t f = 0; f < 3; f++) {
		size_t n = check_digests_independently(files[f]);
		if (expect_n[f])
			cr_assert_eq(n, expect_n[f], "%s has %zu disclosures", files[f], n);
		/* And through the library: signature, and every disclosure placed. */
		lp_buf b = load(files[f]);
		struct trust t = draft_trust();
		lp_sdcwt_verify_params v = { 0 };
		lp_sdcwt_result r;
		v.resolve = resolve;
		v.resolve_ctx = &t;
		v.now = DRAFT_NOW;
		lp_err e = lp_sdcwt_verify_credential(lp_buf_view(&b), &v, &r);
		cr_assert_eq(e, LP_OK, "%s: %s %s", files[f], lp_err_code(e), r.diag.msg);
		cr_assert_eq(r.issuer_alg, LP_ALG_ES384);
		cr_assert_eq(r.cnf.kty, 2);
		cr_assert_eq(r.cnf.crv, 1);
		cr_assert_not_null(strstr(r.claims_json, "\"sub\":\"https://device.example\""));
		lp_sdcwt_result_free(&r);
		lp_buf_free(&b);
	}
}

Test(sdcwt_draft, issuer_cwt_claims_reconstructed)
{
	cr_assert_eq(lp_init(), LP_OK);
	lp_buf b = load(VEC("issuer_cwt.cbor"));
	struct trust t = draft_trust();
	lp_sdcwt_verify_params v = { 0 };
	lp_sdcwt_result r;
	v.resolve = resolve;
	v.resolve_ctx = &t;
	v.now = DRAFT_NOW;
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&b), &v, &r), LP_OK, "%s", r.diag.msg);
	/* From issuer_cwt.edn: both redacted dates and the license number, the
	 * region and postal code inside inspection_location. */
	cr_assert_not_null(strstr(r.claims_json, "\"501\":\"ABCD-123456\""), "%s", r.claims_json);
	cr_assert_not_null(strstr(r.claims_json, "\"502\":[1549560720,1612560720,1674004740]"), "%s",
			   r.claims_json);
	cr_assert_not_null(strstr(r.claims_json, "\"region\":\"ca\""), "%s", r.claims_json);
	cr_assert_not_null(strstr(r.claims_json, "\"postal_code\":\"94188\""), "%s", r.claims_json);
	cr_assert_eq(r.undisclosed_digests, 0);
	lp_sdcwt_result_free(&r);
	lp_buf_free(&b);
}

static lp_err verify_draft_kbt(lp_view kbt, const char *aud, lp_sdcwt_result *r)
{
	static const uint8_t cnonce[16] = { 0x8c, 0x0f, 0x5f, 0x52, 0x3b, 0x95, 0xbe, 0xa4,
					    0x4a, 0x9a, 0x48, 0xc6, 0x49, 0x24, 0x08, 0x03 };
	static struct trust t;
	t = draft_trust();
	lp_sdcwt_verify_params v = { 0 };
	v.resolve = resolve;
	v.resolve_ctx = &t;
	v.now = DRAFT_NOW;
	v.aud = aud;
	v.cnonce = cnonce;
	v.cnonce_len = sizeof cnonce;
	return lp_sdcwt_verify(kbt, &v, r);
}

Test(sdcwt_draft, kbt_verifies_end_to_end)
{
	cr_assert_eq(lp_init(), LP_OK);
	lp_buf b = load(VEC("kbt.cbor"));
	lp_sdcwt_result r;
	lp_err e = verify_draft_kbt(lp_buf_view(&b), "https://verifier.example/app", &r);
	cr_assert_eq(e, LP_OK, "%s: %s", lp_err_code(e), r.diag.msg);
	cr_assert(r.is_presentation);
	cr_assert_eq(r.issuer_alg, LP_ALG_ES384);
	cr_assert_str_eq(r.iss, "https://issuer.example");
	cr_assert_eq(r.kid_len, strlen("https://issuer.example/cose-key3"));
	cr_assert(r.has_exp && r.exp == 1725330600 && r.has_nbf && r.nbf == 1725243900);
	cr_assert_eq(r.kbt_iat, 1725244237);
	cr_assert(r.cnonce_present);
	cr_assert_str_eq(r.aud, "https://verifier.example/app");
	/* The three disclosed: 501, the first inspection date, region. */
	cr_assert_not_null(strstr(r.claims_json, "\"501\":\"ABCD-123456\""), "%s", r.claims_json);
	cr_assert_not_null(strstr(r.claims_json, "\"502\":[1549560720,1674004740]"), "%s", r.claims_json);
	cr_assert_not_null(strstr(r.claims_json, "\"503\":{\"country\":\"us\",\"region\":\"ca\"}"), "%s",
			   r.claims_json);
	cr_assert_eq(r.undisclosed_digests, 2, "one date and the postal code stay redacted");
	lp_sdcwt_result_free(&r);
	/* Another audience, or a time outside the window, fails. */
	cr_assert_eq(verify_draft_kbt(lp_buf_view(&b), "https://verifier.example/other", &r), LP_ERR_AUDIENCE);
	lp_sdcwt_result_free(&r);
	lp_buf_free(&b);

	b = load(VEC("nested_kbt.cbor"));
	e = verify_draft_kbt(lp_buf_view(&b), "https://verifier.example/app", &r);
	cr_assert_eq(e, LP_OK, "nested: %s: %s", lp_err_code(e), r.diag.msg);
	lp_sdcwt_result_free(&r);
	lp_buf_free(&b);
}

Test(sdcwt_draft, kbt_every_byte_change_rejected)
{
	cr_assert_eq(lp_init(), LP_OK);
	lp_buf b = load(VEC("kbt.cbor"));
	uint8_t *copy = malloc(b.len);
	for (size_t i = 0; i < b.len; i++) {
		static const uint8_t deltas[] = { 0x01, 0x80 };
		for (size_t k = 0; k < sizeof deltas; k++) {
			memcpy(copy, b.ptr, b.len);
			copy[i] ^= deltas[k];
			lp_sdcwt_result r;
			lp_err e = verify_draft_kbt(lp_view_of(copy, b.len), "https://verifier.example/app", &r);
			cr_assert_neq(e, LP_OK, "kbt.cbor byte %zu ^ 0x%02x accepted", i, deltas[k]);
			cr_assert_null(r.claims_json);
			lp_sdcwt_result_free(&r);
		}
	}
	free(copy);
	lp_buf_free(&b);
}

/* ---- worked examples for docs/format.md ------------------------------------ *
 * Generated with fixed keys (Ed25519 seeds 01..01 for the school, 02..02 for
 * the holder), a fixed time and the deterministic random source above, and
 * compared with test-vectors/leerpas/. Run with LP_UPDATE_VECTORS=1 to
 * rewrite the files after a deliberate format change. */

struct sb {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(s->p ? s->p + s->len : NULL, s->p ? s->cap - s->len : 0, fmt, ap);
		va_end(ap);
		cr_assert_geq(n, 0);
		if (s->p && s->len + (size_t)n < s->cap) {
			s->len += (size_t)n;
			return;
		}
		s->cap = (s->cap + (size_t)n + 1) * 2;
		s->p = realloc(s->p, s->cap);
		cr_assert_not_null(s->p);
	}
}

static void indent(struct sb *s, int lvl)
{
	sb_add(s, "\n%*s", lvl * 2, "");
}

static void diag(struct sb *s, const cbor_item_t *it, int lvl, int hint);

/* A byte string that holds CBOR (protected header, payload, disclosure). */
static void diag_embedded(struct sb *s, const cbor_item_t *b, int lvl, int hint)
{
	cbor_item_t *in = NULL;
	if (cbor_bytestring_length(b) == 0 ||
	    lp_cbor_load(lp_view_of(cbor_bytestring_handle(b), cbor_bytestring_length(b)), 16, &in, NULL) != LP_OK) {
		diag(s, b, lvl, 0);
		return;
	}
	sb_add(s, "<< ");
	diag(s, in, lvl, hint);
	sb_add(s, " >>");
	cbor_decref(&in);
}

/* hint: 1 = a COSE_Sign1 array, 2 = an unprotected header map, 3 = an
 * array of embedded disclosures. */
static void diag(struct sb *s, const cbor_item_t *it, int lvl, int hint)
{
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_UINT:
		sb_add(s, "%llu", (unsigned long long)cbor_get_int(it));
		break;
	case CBOR_TYPE_NEGINT:
		sb_add(s, "-%llu", (unsigned long long)cbor_get_int(it) + 1);
		break;
	case CBOR_TYPE_BYTESTRING:
		sb_add(s, "h'");
		for (size_t i = 0; i < cbor_bytestring_length(it); i++)
			sb_add(s, "%02x", cbor_bytestring_handle(it)[i]);
		sb_add(s, "'");
		break;
	case CBOR_TYPE_STRING:
		sb_add(s, "\"");
		for (size_t i = 0; i < cbor_string_length(it); i++) {
			unsigned char c = cbor_string_handle(it)[i];
			if (c == '"' || c == '\\')
				sb_add(s, "\\%c", c);
			else
				sb_add(s, "%c", c);
		}
		sb_add(s, "\"");
		break;
	case CBOR_TYPE_ARRAY: {
		/* Short arrays of scalars on one line, the rest one per line. */
		bool flat = hint == 0 && cbor_array_size(it) <= 8;
		for (size_t i = 0; flat && i < cbor_array_size(it); i++) {
			const cbor_item_t *el = cbor_array_handle(it)[i];
			flat = !cbor_isa_array(el) && !cbor_isa_map(el) && !cbor_isa_tag(el);
		}
		sb_add(s, "[");
		for (size_t i = 0; i < cbor_array_size(it); i++) {
			const cbor_item_t *el = cbor_array_handle(it)[i];
			if (!flat)
				indent(s, lvl + 1);
			if (hint == 1 && (i == 0 || i == 2))
				diag_embedded(s, el, lvl + 1, 0);
			else if (hint == 1 && i == 1)
				diag(s, el, lvl + 1, 2);
			else if (hint == 3)
				diag_embedded(s, el, lvl + 1, 0);
			else
				diag(s, el, lvl + 1, 0);
			if (i + 1 < cbor_array_size(it))
				sb_add(s, flat ? ", " : ",");
		}
		if (cbor_array_size(it) && !flat)
			indent(s, lvl);
		sb_add(s, "]");
		break;
	}
	case CBOR_TYPE_MAP:
		sb_add(s, "{");
		for (size_t i = 0; i < cbor_map_size(it); i++) {
			struct cbor_pair p = cbor_map_handle(it)[i];
			int64_t k = 0;
			indent(s, lvl + 1);
			diag(s, p.key, lvl + 1, 0);
			sb_add(s, ": ");
			bool isk = lp_cbor_get_int(p.key, &k);
			if (hint == 2 && isk && k == 17)
				diag(s, p.value, lvl + 1, 3);
			else if (isk && k == 13 && cbor_isa_tag(p.value))
				diag(s, p.value, lvl + 1, 0);
			else
				diag(s, p.value, lvl + 1, 0);
			if (i + 1 < cbor_map_size(it))
				sb_add(s, ",");
		}
		if (cbor_map_size(it))
			indent(s, lvl);
		sb_add(s, "}");
		break;
	case CBOR_TYPE_TAG: {
		cbor_item_t *in = cbor_tag_item(it);
		sb_add(s, "%llu(", (unsigned long long)cbor_tag_value(it));
		diag(s, in, lvl, cbor_tag_value(it) == 18 ? 1 : 0);
		sb_add(s, ")");
		cbor_decref(&in);
		break;
	}
	case CBOR_TYPE_FLOAT_CTRL:
		if (cbor_float_ctrl_is_ctrl(it)) {
			uint8_t v = cbor_ctrl_value(it);
			sb_add(s, "%s", v == 20 ? "false" : v == 21 ? "true" : v == 22 ? "null" : "");
			if (v < 20 || v > 22)
				sb_add(s, "simple(%u)", v);
		} else {
			sb_add(s, "%g", cbor_float_get_float(it));
		}
		break;
	}
}

static char *diag_of(lp_view bytes)
{
	cbor_item_t *it = NULL;
	struct sb s = { 0 };
	cr_assert_eq(lp_cbor_load(bytes, 16, &it, NULL), LP_OK);
	diag(&s, it, 0, 0);
	sb_add(&s, "\n");
	cbor_decref(&it);
	return s.p;
}

static char *hex_of(lp_view b)
{
	struct sb s = { 0 };
	for (size_t i = 0; i < b.len; i++)
		sb_add(&s, "%02x%s", b.ptr[i], (i % 32 == 31 || i + 1 == b.len) ? "\n" : "");
	return s.p;
}

/* Compare text with the stored file, or write it when updating. */
static void check_vector(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/test-vectors/leerpas/%s", LP_SOURCE_DIR, name);
	if (getenv("LP_UPDATE_VECTORS")) {
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f, "%s", path);
		fputs(text, f);
		fclose(f);
		return;
	}
	lp_buf b = load(path);
	cr_assert_eq(b.len, strlen(text), "%s differs from the code's output (length %zu vs %zu); "
		     "regenerate with LP_UPDATE_VECTORS=1 if the change is deliberate", name, b.len, strlen(text));
	cr_assert_eq(memcmp(b.ptr, text, b.len), 0, "%s differs from the code's output", name);
	lp_buf_free(&b);
}

Test(sdcwt, worked_examples_match_files)
{
	rng_ctr = 0;
	lp_buf cred = issue_default();
	static const uint8_t nonce[16] = "challenge-0001..";
	const char *show[] = { "fullName", "grade" };
	lp_buf pres = present(lp_buf_view(&cred), show, 2, K.holder_sk, nonce, 16, T0 + 90);
	lp_buf qr = { 0 }, back = { 0 };
	cr_assert_eq(lp_qrtext_encode(lp_buf_view(&pres), &qr), LP_OK);
	cr_assert_eq(lp_qrtext_decode(lp_view_of(qr.ptr, qr.len), 0, &back, NULL), LP_OK);
	cr_assert_eq(back.len, pres.len);
	cr_assert_eq(memcmp(back.ptr, pres.ptr, pres.len), 0);

	lp_sdcwt_verify_params v;
	struct trust t;
	lp_sdcwt_result r;
	verify_params(&v, &t);
	v.cnonce = nonce;
	v.cnonce_len = 16;
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&pres), &v, &r), LP_OK, "%s", r.diag.msg);

	struct sb info = { 0 };
	sb_add(&info, "school Ed25519 seed:  %s\n", "0101010101010101010101010101010101010101010101010101010101010101");
	sb_add(&info, "school public key:    ");
	for (int i = 0; i < 32; i++)
		sb_add(&info, "%02x", K.issuer_pk[i]);
	sb_add(&info, "\nholder Ed25519 seed:  %s\n", "0202020202020202020202020202020202020202020202020202020202020202");
	sb_add(&info, "holder public key:    ");
	for (int i = 0; i < 32; i++)
		sb_add(&info, "%02x", K.holder_pk[i]);
	sb_add(&info, "\nrandom bytes:         SHA-256 of an 8-byte little-endian counter from 0, concatenated\n");
	sb_add(&info, "iss:                  https://roc.example\nkid:                  \"key-2026\"\n");
	sb_add(&info, "iat:                  %d (2026-07-01T00:00:00Z)\n", T0);
	sb_add(&info, "presentation iat:     %d, aud https://werkgever.example, cnonce \"challenge-0001..\"\n", T0 + 90);
	sb_add(&info, "disclosed:            fullName, grade\n");
	sb_add(&info, "credential:           %zu bytes\npresentation:         %zu bytes\nQR text:              %zu characters\n",
	       cred.len, pres.len, qr.len);
	for (int ecc = LP_QR_ECC_L; ecc <= LP_QR_ECC_M; ecc++) {
		lp_qr sym;
		cr_assert_eq(lp_qr_encode(lp_view_of(qr.ptr, qr.len), (lp_qr_ecc)ecc, &sym), LP_OK);
		sb_add(&info, "QR code, level %c:     version %d, %zu x %zu modules\n", ecc ? 'M' : 'L',
		       sym.version, sym.width, sym.width);
		lp_qr_free(&sym);
	}
	{
		/* The first disclosure, bstr-wrapped as it is hashed, and its digest. */
		cbor_item_t *sd = sd_claims_of(lp_buf_view(&cred));
		lp_buf w = { 0 };
		uint8_t dg[32];
		cr_assert_eq(lp_cbor_encode(cbor_array_handle(sd)[0], &w), LP_OK);
		crypto_hash_sha256(dg, w.ptr, w.len);
		sb_add(&info, "\nfirst disclosure, bstr-wrapped (the bytes that are hashed):\n");
		for (size_t i = 0; i < w.len; i++)
			sb_add(&info, "%02x", w.ptr[i]);
		sb_add(&info, "\nits SHA-256 digest (one of the simple(59) entries):\n");
		for (size_t i = 0; i < 32; i++)
			sb_add(&info, "%02x", dg[i]);
		sb_add(&info, "\n");
		lp_buf_free(&w);
		cbor_decref(&sd);
	}
	sb_add(&info, "\nachievement claims given to lp_sdcwt_issue:\n%s\n", claims_full);
	sb_add(&info, "\nclaims the verifier reports:\n%s\nwithheld:", r.claims_json);
	for (size_t i = 0; i < r.withheld_count; i++)
		sb_add(&info, " %s", r.withheld[i]);
	sb_add(&info, "\n");

	char *cd = diag_of(lp_buf_view(&cred)), *ch = hex_of(lp_buf_view(&cred));
	char *pd = diag_of(lp_buf_view(&pres)), *ph = hex_of(lp_buf_view(&pres));
	check_vector("example.txt", info.p);
	check_vector("credential.diag", cd);
	check_vector("credential.hex", ch);
	check_vector("presentation.diag", pd);
	check_vector("presentation.hex", ph);
	/* The claim-key table of docs/format.md, from the code's table. */
	struct sb tab = { 0 };
	size_t nt = 0;
	const lp_claim_def *td = lp_claims_table(&nt);
	static const char *tnames[] = { "", "text", "date", "uint", "number", "text list",
					"counts-toward list", "composed-of list", "SHA-256 digest" };
	sb_add(&tab, "| key | JSON name | label | type | Annex I element | mandatory | given | default |\n");
	sb_add(&tab, "|---:|---|---|---|---|---|---|---|\n");
	sb_add(&tab, "| 0 | (none) | (redactable keys) | uint list | | | issuer | always shown |\n");
	for (size_t i = 0; i < nt; i++) {
		char range[64] = "";
		cr_assert_lt((size_t)td[i].type, sizeof tnames / sizeof tnames[0], "a type without a name");
		if (td[i].type == LP_CLAIM_UINT || td[i].type == LP_CLAIM_NUMBER)
			snprintf(range, sizeof range, " %g..%g", td[i].min, td[i].max);
		sb_add(&tab, "| %lld | `%s` | %s | %s%s | %s | %s | %s | %s |\n", (long long)td[i].key,
		       td[i].name, td[i].label, tnames[td[i].type], range,
		       td[i].element ? td[i].element : "", td[i].mandatory ? "yes" : "",
		       td[i].per_learner ? "per learner" : "template",
		       td[i].redactable ? "redactable" : td[i].specified ? "in the specification" : "always shown");
	}
	check_vector("claim-keys.md", tab.p);
	struct sb q = { 0 };
	sb_add(&q, "%s\n", (char *)qr.ptr);
	check_vector("presentation.qr.txt", q.p);
	/* docs/format.md quotes these files verbatim (scripts/assemble-format.sh). */
	if (!getenv("LP_UPDATE_VECTORS")) {
		lp_buf doc = load(LP_SOURCE_DIR "/docs/format.md");
		char *dtext = calloc(1, doc.len + 1);
		memcpy(dtext, doc.ptr, doc.len);
		const char *quoted[] = { cd, pd, ph, q.p, tab.p, info.p };
		for (size_t i = 0; i < sizeof quoted / sizeof quoted[0]; i++)
			cr_assert_not_null(strstr(dtext, quoted[i]),
					   "docs/format.md does not quote worked example %zu; run "
					   "scripts/assemble-format.sh", i);
		free(dtext);
		lp_buf_free(&doc);
	}
	free(q.p);
	free(tab.p);
	free(info.p);
	free(cd);
	free(ch);
	free(pd);
	free(ph);
	lp_sdcwt_result_free(&r);
	lp_buf_free(&qr);
	lp_buf_free(&back);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
}

/* Map keys other than integers, short text and simple(59) (e.g. the
 * pre-issuance tag 58(k)), and disclosures matched at the wrong kind of
 * place, are refused; array-element disclosures are put back in order. */
Test(sdcwt, keys_and_places)
{
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	for (int kind = 0; kind < 4; kind++) {
		uint8_t dg[2][32];
		cbor_item_t *pl = cred_payload(T0, NONE, NONE, true);
		cbor_item_t *sd = cbor_new_definite_array(2);
		cbor_item_t *arr = cbor_new_definite_array(3);
		cbor_item_t *d0 = kind == 1 ? disclosure(TXT("b"), I(7), dg[0]) : disclosure(TXT("b"), NULL, dg[0]);
		cbor_item_t *d1 = disclosure(NULL, NULL, dg[1]); /* a decoy element */
		cr_assert(cbor_array_push(arr, cbor_move(TXT("a"))));
		cr_assert(cbor_array_push(arr, cbor_move(cbor_build_tag(60, cbor_move(BYTES(dg[0], 32))))));
		cr_assert(cbor_array_push(arr, cbor_move(cbor_build_tag(60, cbor_move(BYTES(dg[1], 32))))));
		PUT(pl, I(500), arr);
		if (kind == 2)
			PUT(pl, cbor_build_tag(58, cbor_move(I(501))), TXT("tagged key"));
		if (kind == 3)
			PUT(pl, I(502), cbor_build_tag(60, cbor_move(BYTES(dg[1], 32)))); /* not in an array */
		cr_assert(cbor_array_push(sd, d0));
		cr_assert(cbor_array_push(sd, d1));
		cbor_decref(&d0);
		cbor_decref(&d1);
		cbor_item_t *cwt = sign_cwt(pl, sd, LP_TYP_SD_CWT, -16);
		lp_buf pres = make_kbt(cwt, kbt_payload("https://werkgever.example", T0 + 10, NONE, NONE, false),
				       K.holder_sk, LP_TYP_SD_KBT);
		char msg[300];
		lp_err e = verify_bytes(lp_buf_view(&pres), &v, msg, sizeof msg);
		if (kind == 0) {
			cr_expect_eq(e, LP_OK, "%s", msg);
			cr_expect_not_null(strstr(msg, "\"500\":[\"a\",\"b\"]"), "%s", msg);
		} else if (kind == 1) {
			cr_expect_eq(e, LP_ERR_DISCLOSURE, "key disclosure in an array: %s", msg);
		} else if (kind == 2) {
			cr_expect_eq(e, LP_ERR_CLAIMS, "tagged map key: %s", msg);
		} else {
			cr_expect_eq(e, LP_ERR_DISCLOSURE, "tag 60 outside an array: %s", msg);
		}
		lp_buf_free(&pres);
		cbor_decref(&cwt);
	}
}

/* Random multi-byte damage (a fixed pseudo-random sequence: changes,
 * deletions, insertions) never yields an accepted presentation. */
Test(sdcwt, random_damage_never_accepted)
{
	lp_buf cred = issue_default();
	const char *show[] = { "fullName", "studentId" };
	lp_buf pres = present(lp_buf_view(&cred), show, 2, K.holder_sk, NULL, 0, T0 + 90);
	lp_sdcwt_verify_params v;
	struct trust t;
	verify_params(&v, &t);
	uint8_t *c = malloc(pres.len + 8);
	uint32_t x = 2463534242u;
	size_t tried = 0;
	for (int it = 0; it < 3000; it++) {
		size_t len = pres.len;
		memcpy(c, pres.ptr, len);
		int k = 1 + (int)(x % 4);
		for (int j = 0; j < k; j++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			size_t pos = x % len;
			unsigned op = (x >> 12) % 3;
			uint8_t val = (uint8_t)(x >> 20);
			if (op == 0) {
				c[pos] ^= val ? val : 1;
			} else if (op == 1 && len > 1) {
				memmove(c + pos, c + pos + 1, len - pos - 1);
				len--;
			} else if (len < pres.len + 8) {
				memmove(c + pos + 1, c + pos, len - pos);
				c[pos] = val;
				len++;
			}
		}
		if (len == pres.len && memcmp(c, pres.ptr, len) == 0)
			continue; /* the damage cancelled out */
		tried++;
		cr_assert_neq(verify_bytes(lp_view_of(c, len), &v, NULL, 0), LP_OK, "damage %d accepted", it);
	}
	cr_assert_gt(tried, 2900);
	free(c);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
}
