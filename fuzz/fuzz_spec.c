/* Fuzz the achievement specification (lib/spec.c): the same bytes as a
 * published specification file (lp_spec_check; lp_spec_load with and
 * without the digest; lp_spec_merge into an achievement map) and as a
 * template's JSON text (lp_spec_of_template). Properties: an accepted
 * specification's digest is the SHA-256 of exactly its bytes, and a failed
 * check never writes it; the load with that digest agrees with the check,
 * with another digest it refuses; a merge has every pair of both maps or
 * names a duplicate; the specification a template gives passes the check
 * that verifiers apply. */
#include "fuzz_common.h"
#include "leerpas/claims.h"
#include "spec_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* {1: "Fuzz", 26: h'00..'}: an inline achievement map naming a
 * specification, as a credential's payload carries it. */
static cbor_item_t *achievement(void)
{
	static const uint8_t dg[LP_SPEC_DIGEST_BYTES] = { 0 };
	cbor_item_t *m = cbor_new_definite_map(2);
	FZ_CHECK(m != NULL);
	FZ_CHECK(lp_cbor_map_put(m, lp_cbor_int(1), cbor_build_string("Fuzz")));
	FZ_CHECK(lp_cbor_map_put(m, lp_cbor_int(LP_CK_SPECIFIED_BY), cbor_build_bytestring(dg, sizeof dg)));
	return m;
}

static void as_specification(const uint8_t *data, size_t size)
{
	uint8_t dg[LP_SPEC_DIGEST_BYTES], want[LP_SPEC_DIGEST_BYTES], other[LP_SPEC_DIGEST_BYTES];
	lp_diag d = { 0 };
	crypto_hash_sha256(want, data, size);
	memset(dg, 0xa5, sizeof dg);
	lp_err rc = lp_spec_check(lp_view_of(data, size), dg, &d);
	if (rc == LP_OK) {
		FZ_CHECK(sodium_memcmp(dg, want, sizeof dg) == 0);
	} else {
		/* the digest of refused bytes is never handed out */
		FZ_CHECK(sodium_memcmp(dg, want, sizeof dg) != 0);
		FZ_CHECK(d.msg[0] != '\0' && memchr(d.msg, 0, sizeof d.msg) != NULL);
	}

	/* The verifier's load agrees with the check when the digest matches,
	 * and refuses any other digest before parsing. */
	cbor_item_t *m = NULL;
	lp_err lr = lp_spec_load(lp_view_of(data, size), want, &m, NULL);
	if (rc == LP_OK)
		FZ_CHECK(lr == LP_OK && m != NULL && cbor_isa_map(m) && cbor_map_size(m) > 0);
	if (lr != LP_OK) /* the load alone skips the claims' types: never stricter */
		FZ_CHECK(m == NULL && rc != LP_OK);
	memcpy(other, want, sizeof other);
	other[size % sizeof other] ^= 0x01;
	cbor_item_t *m2 = NULL;
	lp_err lo = lp_spec_load(lp_view_of(data, size), other, &m2, NULL);
	FZ_CHECK(m2 == NULL && (lo == LP_ERR_DIGEST_MISMATCH || lo == LP_ERR_TOO_LARGE));

	if (m) {
		cbor_item_t *ach = achievement(), *merged = NULL;
		const uint8_t *ref = NULL;
		FZ_CHECK(lp_spec_ref(ach, &ref, NULL) == LP_OK && ref != NULL);
		bool dup = lp_cbor_map_get_int(m, 1) != NULL;
		lp_err mr = lp_spec_merge(ach, m, &merged, NULL);
		if (dup) {
			FZ_CHECK(mr == LP_ERR_DUPLICATE_CLAIM && merged == NULL);
		} else {
			FZ_CHECK(mr == LP_OK && merged != NULL);
			FZ_CHECK(cbor_map_size(merged) == cbor_map_size(ach) + cbor_map_size(m));
			lp_buf enc = { 0 };
			FZ_CHECK(lp_cbor_encode(merged, &enc) == LP_OK);
			lp_buf_free(&enc);
			cbor_decref(&merged);
		}
		/* the loaded map is itself no achievement map with a reference */
		FZ_CHECK(lp_spec_ref(m, &ref, NULL) == LP_OK && ref == NULL);
		cbor_decref(&ach);
		cbor_decref(&m);
	}
}

static void as_template(const uint8_t *data, size_t size)
{
	lp_buf spec = { 0 };
	lp_diag d = { 0 };
	lp_err rc = lp_spec_of_template((const char *)data, size, &spec, &d);
	if (rc != LP_OK) {
		FZ_CHECK(spec.ptr == NULL && spec.len == 0);
		return;
	}
	FZ_CHECK(spec.ptr != NULL && spec.len > 0);
	/* what a school publishes, every verifier accepts */
	uint8_t dg[LP_SPEC_DIGEST_BYTES], want[LP_SPEC_DIGEST_BYTES];
	FZ_CHECK(lp_spec_check(lp_buf_view(&spec), dg, &d) == LP_OK);
	crypto_hash_sha256(want, spec.ptr, spec.len);
	FZ_CHECK(sodium_memcmp(dg, want, sizeof dg) == 0);
	/* and the same template gives the same bytes */
	lp_buf again = { 0 };
	FZ_CHECK(lp_spec_of_template((const char *)data, size, &again, NULL) == LP_OK);
	FZ_CHECK(again.len == spec.len && memcmp(again.ptr, spec.ptr, spec.len) == 0);
	lp_buf_free(&again);
	lp_buf_free(&spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_specification(data, size);
	as_template(data, size);
	return 0;
}
