/* Fuzz SD-CWT and SD-KBT verification (presentation and bare credential)
 * and credential extraction, with the fixed issuer key of the seeds, so
 * mutations of disclosures and unprotected headers reach the checks behind
 * the issuer signature. */
#include "fuzz_common.h"
#include "leerpas/cose.h"
#include "leerpas/sdcwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lp_pubkey issuer_key, holder_key;

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
                      const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	(void)ctx;
	(void)kid;
	(void)kid_len;
	(void)alg;
	(void)vct;
	(void)has_iat;
	(void)iat;
	if (!iss || strcmp(iss, FZ_ISS) != 0)
		return lp_diag_set(d, LP_ERR_UNTRUSTED, 0, "unknown issuer");
	*key = issuer_key;
	return LP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		uint8_t pk[32], sk[64];
		fz_keypair(FZ_SEED_ISSUER, pk, sk);
		lp_pubkey_ed25519(&issuer_key, pk);
		fz_keypair(FZ_SEED_HOLDER, pk, sk);
		lp_pubkey_ed25519(&holder_key, pk);
		ready = 1;
	}
	static const uint8_t nonce[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	lp_view in = lp_view_of(data, size);
	for (int variant = 0; variant < 2; variant++) {
		lp_sdcwt_verify_params p = { .resolve = resolve, .now = FZ_T0 + 3600, .skew = 300, .aud = FZ_AUD };
		if (variant == 1) {
			p.cnonce = nonce;
			p.cnonce_len = sizeof nonce;
		}
		lp_sdcwt_result r;
		lp_err rc = lp_sdcwt_verify(in, &p, &r);
		FZ_CHECK(rc == r.err);
		FZ_CHECK(rc != LP_OK || r.claims_json != NULL);
		lp_sdcwt_result_free(&r);
		if (variant == 1)
			p.expect_cnf = &holder_key;
		rc = lp_sdcwt_verify_credential(in, &p, &r);
		FZ_CHECK(rc == r.err);
		lp_sdcwt_result_free(&r);
	}
	lp_buf cred = { 0 };
	if (lp_sdcwt_extract_credential(in, &cred, NULL) == LP_OK)
		FZ_CHECK(cred.len > 0 && cred.len <= size);
	lp_buf_free(&cred);
	return 0;
}
