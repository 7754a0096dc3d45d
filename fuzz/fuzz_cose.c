/* Fuzz COSE parsing: COSE_Sign1 (tagged and untagged, and a signature
 * check with a fixed key over the parsed bytes), COSE_Key and PEM keys. */
#include "cose_int.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static lp_pubkey key;
	static int ready;
	if (!ready) {
		uint8_t pk[32], sk[64];
		fz_keypair(FZ_SEED_ISSUER, pk, sk);
		lp_pubkey_ed25519(&key, pk);
		ready = 1;
	}
	lp_view in = lp_view_of(data, size);
	for (int tag = 0; tag < 2; tag++) {
		lp_sign1 s;
		lp_diag d;
		if (lp_sign1_parse(in, tag == 1, &s, &d) == LP_OK) {
			FZ_CHECK(s.root != NULL && s.protected_map != NULL);
			FZ_CHECK(s.payload.len <= size && s.signature.len <= size);
			fz_ignore(lp_sign1_verify(&s, &key, lp_view_of(NULL, 0)));
			lp_sign1_free(&s);
		}
	}
	lp_diag d;
	lp_view payload;
	if (lp_cose_sign1_check(in, false, &key, lp_view_of(NULL, 0), &payload, &d) == LP_OK)
		FZ_CHECK(payload.len <= size);
	lp_pubkey k;
	fz_ignore(lp_pubkey_from_cose(in, &k, NULL));
	/* OpenSSL's PEM decoder costs milliseconds per call: only for text that
	 * looks like PEM, so the CBOR parsers keep their speed */
	if (size >= 10 && memcmp(data, "-----BEGIN", 10) == 0)
		fz_ignore(lp_pubkey_from_pem((const char *)data, size, &k, NULL));
	return 0;
}
