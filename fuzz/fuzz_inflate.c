/* Fuzz the bounded zlib inflater. Properties: never more than the limit;
 * what inflates survives deflate+inflate. */
#include "fuzz_common.h"
#include "internal.h"
#include "leerpas/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_buf out = { 0 }, z = { 0 }, back = { 0 };
	lp_diag d;
	lp_err rc = lp_inflate(lp_view_of(data, size), LP_MAX_INFLATED, &out, &d);
	if (rc != LP_OK) {
		FZ_CHECK(out.ptr == NULL && out.len == 0);
		FZ_CHECK(rc == LP_ERR_INFLATE || rc == LP_ERR_TOO_LARGE || rc == LP_ERR_NOMEM);
		return 0;
	}
	FZ_CHECK(out.len <= LP_MAX_INFLATED);
	FZ_CHECK(lp_deflate(lp_buf_view(&out), &z) == LP_OK);
	FZ_CHECK(lp_inflate(lp_buf_view(&z), out.len, &back, NULL) == LP_OK);
	FZ_CHECK(back.len == out.len && (out.len == 0 || memcmp(back.ptr, out.ptr, out.len) == 0));
	/* a limit one below the size must refuse */
	if (out.len > 0) {
		lp_buf small = { 0 };
		FZ_CHECK(lp_inflate(lp_view_of(data, size), out.len - 1, &small, NULL) == LP_ERR_TOO_LARGE);
	}
	lp_buf_free(&out);
	lp_buf_free(&z);
	lp_buf_free(&back);
	return 0;
}
