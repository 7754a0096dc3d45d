/* Fuzz the QR transport text: LP1 decoding and the generic prefix decoder
 * used by `inspect`. Property: an accepted LP1 payload round-trips. */
#include "fuzz_common.h"
#include "leerpas/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_buf p = { 0 }, t = { 0 }, back = { 0 };
	lp_diag d;
	lp_qrtext_info info;
	if (lp_qrtext_decode(lp_view_of(data, size), 0, &p, &d) == LP_OK) {
		FZ_CHECK(p.len <= LP_QRTEXT_MAX_PAYLOAD);
		FZ_CHECK(lp_qrtext_encode(lp_buf_view(&p), &t) == LP_OK);
		FZ_CHECK(lp_qrtext_decode(lp_buf_view(&t), 0, &back, NULL) == LP_OK);
		FZ_CHECK(back.len == p.len && (p.len == 0 || memcmp(back.ptr, p.ptr, p.len) == 0));
	} else {
		FZ_CHECK(p.ptr == NULL && d.offset <= size);
	}
	lp_buf_free(&p);
	lp_buf_free(&t);
	lp_buf_free(&back);
	if (lp_qrtext_decode_any(lp_view_of(data, size), 0, &p, &info, &d) == LP_OK) {
		FZ_CHECK(strlen(info.prefix) >= 3 && info.prefix[strlen(info.prefix) - 1] == ':');
		FZ_CHECK(p.len <= (info.compressed ? LP_QRTEXT_MAX_PAYLOAD : size));
	}
	lp_buf_free(&p);
	return 0;
}
