/* Fuzz base45 decoding (RFC 9285). Property: decoding is strict, so any
 * accepted text re-encodes to itself; and any bytes survive encode+decode. */
#include "fuzz_common.h"
#include "leerpas/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_buf dec = { 0 }, enc = { 0 };
	lp_diag d;
	if (lp_base45_decode(lp_view_of(data, size), &dec, &d) == LP_OK) {
		FZ_CHECK(lp_base45_encode(lp_buf_view(&dec), &enc) == LP_OK);
		FZ_CHECK(enc.len == size && (size == 0 || memcmp(enc.ptr, data, size) == 0));
		lp_buf_free(&enc);
	} else {
		FZ_CHECK(dec.ptr == NULL && dec.len == 0 && d.offset <= size);
	}
	lp_buf_free(&dec);
	FZ_CHECK(lp_base45_encode(lp_view_of(data, size), &enc) == LP_OK);
	FZ_CHECK(lp_base45_decode(lp_buf_view(&enc), &dec, NULL) == LP_OK);
	FZ_CHECK(dec.len == size && (size == 0 || memcmp(dec.ptr, data, size) == 0));
	lp_buf_free(&enc);
	lp_buf_free(&dec);
	return 0;
}
