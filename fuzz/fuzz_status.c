/* Fuzz the Token Status List: signed token verification with the example's
 * key, unsigned parsing, the bare StatusList map, the status claim, and
 * lookups in whatever list came out. */
#include "fuzz_common.h"
#include "leerpas/cose.h"
#include "leerpas/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const lp_status_list *l)
{
	unsigned v;
	static const size_t idx[] = { 0, 1, 7, 42, 1000, 65535, (size_t)-1 };
	for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
		if (lp_status_list_get(l, idx[i], &v) == LP_OK)
			FZ_CHECK(v < 256);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static lp_pubkey key;
	static int ready;
	if (!ready) {
		uint8_t pk[32], sk[64];
		fz_keypair(FZ_SEED_STATUS, pk, sk);
		lp_pubkey_ed25519(&key, pk);
		ready = 1;
	}
	lp_view in = lp_view_of(data, size);
	/* a small inflate limit keeps runs fast; the parsers apply theirs */
	const size_t max = 1u << 20;
	lp_status_token t;
	if (lp_status_token_verify(in, &key, max, &t, NULL) == LP_OK) {
		probe(&t.list);
		lp_status_token_free(&t);
	}
	if (lp_status_token_parse(in, max, &t, NULL) == LP_OK) {
		probe(&t.list);
		lp_status_token_free(&t);
	}
	lp_status_list l;
	if (lp_status_list_decode(in, max, &l, NULL) == LP_OK) {
		probe(&l);
		lp_buf enc = { 0 };
		FZ_CHECK(lp_status_list_encode(&l, &enc) == LP_OK);
		lp_buf_free(&enc);
		lp_status_list_free(&l);
	}
	uint64_t idx;
	char *uri = NULL;
	if (lp_status_ref_decode(in, &idx, &uri, NULL) == LP_OK)
		FZ_CHECK(uri != NULL);
	free(uri);
	return 0;
}
