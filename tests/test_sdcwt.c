/* Tests of SD-CWT issuance, SD-KBT presentation and verification: our own
 * round trips over every subset of disclosures, tampering with every byte,
 * the negative cases of the draft's validation steps, and the draft's own
 * examples (digests of issuer_cwt, decoy, nested_issuer_cwt; kbt end to end
 * with its P-384 issuer and P-256 holder keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "cose_int.h"
#include "leerpas/claims.h"
#include "leerpas/fileio.h"
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
	lp_sdcwt_present_params pp = { names, n, "https://werkgever.example", iat, cnonce, cnonce_len };
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
