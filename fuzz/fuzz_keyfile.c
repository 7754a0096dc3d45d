/* Fuzz the school's key file reader: lp_keyfile_peek on everything, and
 * lp_keyfile_open (passphrase "fuzz", as the seed) when the file asks for
 * the cheapest Argon2id, so that runs stay fast; the library itself bounds
 * the cost a file may ask for. */
#include "fuzz_common.h"
#include "leerpas/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_view in = lp_view_of(data, size);
	uint8_t pk[LP_ED25519_PK_BYTES];
	char kid[LP_KID_MAX + 1];
	lp_kdf_params kdf;
	if (lp_keyfile_peek(in, pk, kid, &kdf, NULL) != LP_OK)
		return 0;
	FZ_CHECK(strlen(kid) <= LP_KID_MAX);
	if (kdf.opslimit > 1 || kdf.memlimit > 64u * 1024u)
		return 0;
	lp_signkey k;
	if (lp_keyfile_open(in, lp_view_of((const uint8_t *)"fuzz", 4), &k, NULL) == LP_OK) {
		FZ_CHECK(k.sk != NULL && memcmp(k.pk, pk, sizeof pk) == 0);
		lp_signkey_free(&k);
	}
	return 0;
}
