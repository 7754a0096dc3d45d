/* Fuzz the issuance request check with the policy of the format example
 * (docs/format/request.md): school, nonce 01..10, time. */
#include "fuzz_common.h"
#include "leerpas/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	for (int strict = 0; strict < 2; strict++) {
		lp_request_policy p = { .school_id = FZ_SCHOOL,
			                .nonce = lp_view_of(nonce, sizeof nonce),
			                .require_nonce = strict == 1,
			                .now = FZ_REQUEST_NOW,
			                .max_keys = strict ? 4 : 0 };
		lp_request r;
		lp_request_failure why;
		lp_diag d;
		lp_err rc = lp_request_check(lp_view_of(data, size), &p, &r, &why, &d);
		if (rc == LP_OK) {
			FZ_CHECK(why == LP_REQ_OK && r.n_keys > 0 && r.keys != NULL);
			FZ_CHECK(!strict || r.n_keys <= 4);
			lp_request_free(&r);
		} else {
			FZ_CHECK(r.keys == NULL && r.n_keys == 0);
			FZ_CHECK(lp_request_failure_code(why) != NULL);
		}
	}
	return 0;
}
