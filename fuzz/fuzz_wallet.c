/* Fuzz opening a wallet file (header, recovery unwrap, body decryption)
 * with the recovery key of the seed wallet (no Argon2: the passphrase path
 * differs only in the key derivation), the plaintext body parser behind the
 * encryption, and recovery key text as a person types it. */
#include "fuzz_common.h"
#include "leerpas/wallet.h"
#include "wallet_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The recovery key of fuzz/corpus/wallet/seed-wallet (fuzz/seeds.c). */
extern const char fz_wallet_recovery[];
const char fz_wallet_recovery[] = FZ_WALLET_RECOVERY;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_view in = lp_view_of(data, size);
	lp_wallet *w = NULL;
	if (lp_wallet_decode_recovery(in, fz_wallet_recovery, &w, NULL) == LP_OK) {
		lp_buf again = { 0 };
		FZ_CHECK(lp_wallet_encode(w, &again) == LP_OK);
		lp_buf_free(&again);
		lp_wallet_close(w);
	} else {
		FZ_CHECK(w == NULL);
	}

	/* the body parser on the raw bytes */
	struct lp_wallet *b = lp_wl_alloc();
	FZ_CHECK(b != NULL);
	if (lp_wl_body_decode(b, in, NULL) == LP_OK) {
		uint8_t *enc = NULL;
		size_t len = 0;
		FZ_CHECK(lp_wl_body_encode(b, &enc, &len) == LP_OK);
		sodium_free(enc);
	}
	lp_wallet_close(b);

	uint8_t key[LP_WALLET_RECOVERY_BYTES];
	fz_ignore(lp_wallet_recovery_parse((const char *)data, size, key, NULL));
	return 0;
}
