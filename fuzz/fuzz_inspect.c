/* Fuzz the inspect command's engine: any CBOR object to diagnostic notation
 * and JSON, its kind, and its signatures checked against the seed keys. */
#include "fuzz_common.h"
#include "leerpas/inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static lp_pubkey keys[3];
	static int ready;
	if (!ready) {
		static const uint8_t seeds[3] = { FZ_SEED_ISSUER, FZ_SEED_HOLDER, FZ_SEED_STATUS };
		for (size_t i = 0; i < 3; i++) {
			uint8_t pk[32], sk[64];
			fz_keypair(seeds[i], pk, sk);
			lp_pubkey_ed25519(&keys[i], pk);
		}
		ready = 1;
	}
	lp_inspect_report r;
	if (lp_inspect(lp_view_of(data, size), keys, 3, &r, NULL) == LP_OK) {
		FZ_CHECK(r.diag != NULL && r.json != NULL && r.nsigs <= LP_INSPECT_MAX_SIGS);
		for (size_t i = 0; i < r.nsigs; i++)
			FZ_CHECK(r.sigs[i].key_index >= -1 && r.sigs[i].key_index < 3);
		lp_inspect_free(&r);
	}
	return 0;
}
