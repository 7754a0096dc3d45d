/* Fuzz the strict CBOR loader. Properties: the check and the loader agree;
 * an accepted item re-encodes to exactly the input bytes (shortest heads,
 * definite lengths and bit-exact floats make the encoding unique). */
#include "fuzz_common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cbor_item_t *it = NULL;
	lp_diag d;
	lp_err rc = lp_cbor_load(lp_view_of(data, size), LP_CBOR_MAX_DEPTH, &it, &d);
	FZ_CHECK(lp_cbor_check(lp_view_of(data, size), LP_CBOR_MAX_DEPTH, NULL) == rc);
	if (rc != LP_OK) {
		FZ_CHECK(it == NULL && d.code == rc && d.offset <= size);
		return 0;
	}
	lp_buf enc = { 0 };
	FZ_CHECK(lp_cbor_encode(it, &enc) == LP_OK);
	FZ_CHECK(enc.len == size && memcmp(enc.ptr, data, size) == 0);
	/* the helpers on whatever came out */
	int64_t v;
	(void)lp_cbor_get_int(it, &v);
	(void)lp_cbor_map_get_int(it, 1);
	(void)lp_cbor_map_get_str(it, "lst");
	lp_buf_free(&enc);
	cbor_decref(&it);
	return 0;
}
