/* Fuzz the trust side: a signed trust list against the anchor of the
 * format example (docs/format/trust.md, key seed 6), an issuer description,
 * an anchor file and a pinned school, then lookups and the store summary. */
#include "fuzz_common.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* test-vectors/format/trust-anchor.json */
static const char anchor_json[] = "{\n"
                                  "  \"type\": \"leerpas-trust-anchor\",\n"
                                  "  \"id\": \"https://nvao.example\",\n"
                                  "  \"name\": \"Accreditation body\",\n"
                                  "  \"kid\": \"https://nvao.example\",\n"
                                  "  \"alg\": \"EdDSA\",\n"
                                  "  \"x\": \"iodf_x6zhFFXes1a_uQFRWVo3XyJ4JCGOgVXvHr0nxc\"\n"
                                  "}\n";

static void lookups(const lp_trust_store *ts)
{
	static const char *const ids[] = { "https://roc-a.example", "https://roc-c.example", "https://roc.example" };
	static const char *const kids[] = { "a1", "a2", "c1", "" };
	for (size_t i = 0; i < 3; i++)
		for (size_t k = 0; k < 4; k++) {
			lp_trust_result r;
			fz_ignore(lp_trust_resolve(ts, ids[i], lp_view_of((const uint8_t *)kids[k], strlen(kids[k])), NULL,
			                       1790000000, 1800000000, &r, NULL));
		}
	lp_buf desc = { 0 };
	FZ_CHECK(lp_trust_store_describe(ts, &desc) == LP_OK);
	lp_buf_free(&desc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_view in = lp_view_of(data, size);
	lp_trust_store *ts = NULL;
	FZ_CHECK(lp_trust_store_new(&ts) == LP_OK);
	FZ_CHECK(lp_trust_add_anchor(ts, lp_view_of((const uint8_t *)anchor_json, strlen(anchor_json)), NULL) == LP_OK);
	if (lp_trust_add_list(ts, in, NULL) == LP_OK)
		lookups(ts);
	lp_status_token tok;
	char *issuer = NULL;
	if (lp_trust_verify_status(ts, in, 1u << 20, &tok, &issuer, NULL) == LP_OK) {
		lp_status_token_free(&tok);
		free(issuer);
	}
	lp_trust_store_free(ts);

	fz_ignore(lp_issuer_desc_check(in, NULL));

	ts = NULL;
	FZ_CHECK(lp_trust_store_new(&ts) == LP_OK);
	if (lp_trust_pin(ts, in, NULL) == LP_OK)
		lookups(ts);
	fz_ignore(lp_trust_add_anchor(ts, in, NULL));
	lp_trust_store_free(ts);

	/* times as a person types them */
	if (size < 64) {
		char s[64];
		memcpy(s, data, size);
		s[size] = '\0';
		int64_t t;
		fz_ignore(lp_trust_time_parse(s, &t));
	}
	return 0;
}
