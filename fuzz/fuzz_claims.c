/* Fuzz the claim model: templates and learner claims as JSON (the issuer's
 * inputs), JSON to CBOR, and CBOR achievement maps back to JSON (what a
 * verifier shows from another issuer's credential). Property: claims that
 * convert to CBOR convert back to JSON. */
#include "fuzz_common.h"
#include "leerpas/claims.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	lp_buf cbor = { 0 }, back = { 0 }, merged = { 0 };
	if (lp_claims_from_json(json, size, &cbor, NULL) == LP_OK) {
		FZ_CHECK(lp_claims_to_json(lp_buf_view(&cbor), &back, NULL) == LP_OK);
		FZ_CHECK(back.ptr[back.len] == '\0');
	}
	lp_buf_free(&cbor);
	lp_buf_free(&back);
	fz_ignore(lp_claims_template_check(json, size, NULL));
	fz_ignore(lp_claims_learner_check(json, size, NULL));
	fz_ignore(lp_claims_complete_check(json, size, NULL));
	/* split the input into a template part and a learner part */
	size_t half = size / 2;
	if (lp_claims_merge(json, half, json + half, size - half, &merged, NULL) == LP_OK)
		FZ_CHECK(merged.ptr[merged.len] == '\0');
	lp_buf_free(&merged);
	/* the same bytes as CBOR */
	if (lp_claims_to_json(lp_view_of(data, size), &back, NULL) == LP_OK)
		FZ_CHECK(back.ptr[back.len] == '\0');
	lp_buf_free(&back);
	return 0;
}
