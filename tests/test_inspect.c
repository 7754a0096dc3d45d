/* Inspection: the SD-CWT draft's kbt.cbor decodes to diagnostic notation
 * and JSON and both its signatures verify with the draft's keys (P-256
 * holder, P-384 issuer); wrong keys, malformed and hostile inputs. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "helper_trust.h"
#include "leerpas/inspect.h"

#define SD "test-vectors/sd-cwt-es/"

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(inspect, .init = setup);

static lp_pubkey pem_key(const char *file)
{
	size_t n;
	uint8_t *pem = th_read_src(file, &n);
	lp_pubkey k;
	cr_assert_eq(lp_pubkey_from_pem((const char *)pem, n, &k, NULL), LP_OK, "%s", file);
	free(pem);
	return k;
}

Test(inspect, draft_kbt_decodes_and_verifies_with_draft_keys)
{
	size_t n;
	uint8_t *kbt = th_read_src(SD "kbt.cbor", &n);
	lp_pubkey keys[2] = { pem_key(SD "holder_privkey.pem"), pem_key(SD "issuer_privkey.pem") };
	lp_inspect_report r;
	lp_diag d = { 0 };
	cr_assert_eq(lp_inspect(lp_view_of(kbt, n), keys, 2, &r, &d), LP_OK, "%s", d.msg);
	cr_assert(strstr(r.kind, "SD-KBT") != NULL, "%s", r.kind);
	cr_assert_eq(r.nsigs, 2);
	cr_assert_eq(r.sigs[0].err, LP_OK);
	cr_assert_eq(r.sigs[0].key_index, 0, "holder key verifies the SD-KBT");
	cr_assert_eq(r.sigs[0].alg, -7);
	cr_assert_eq(r.sigs[1].err, LP_OK);
	cr_assert_eq(r.sigs[1].key_index, 1, "issuer key verifies the SD-CWT");
	cr_assert_eq(r.sigs[1].alg, -35);
	/* diagnostic notation: tag 18, embedded protected header, typ 294 */
	cr_assert(strncmp(r.diag, "18([", 4) == 0, "%.40s", r.diag);
	cr_assert(strstr(r.diag, "<< {") != NULL);
	cr_assert(strstr(r.diag, "16: 294") != NULL);
	cr_assert(strstr(r.diag, "simple(59)") != NULL, "redacted claim keys are shown");
	json_t *j = json_loads(r.json, 0, NULL);
	cr_assert_not_null(j, "JSON output parses");
	cr_assert_eq(json_integer_value(json_object_get(j, "tag")), 18);
	json_decref(j);
	lp_inspect_free(&r);

	/* only the issuer key: the holder's signature is not verified */
	cr_assert_eq(lp_inspect(lp_view_of(kbt, n), &keys[1], 1, &r, NULL), LP_OK);
	cr_assert_eq(r.sigs[0].key_index, -1);
	cr_assert_neq(r.sigs[0].err, LP_OK);
	cr_assert_eq(r.sigs[1].key_index, 0);
	lp_inspect_free(&r);
	/* without keys nothing is claimed */
	cr_assert_eq(lp_inspect(lp_view_of(kbt, n), NULL, 0, &r, NULL), LP_OK);
	cr_assert_eq(r.sigs[0].err, LP_ERR_STATE);
	lp_inspect_free(&r);
	/* one changed byte in the issuer signature: the SD-CWT no longer verifies */
	kbt[n - 80] ^= 1;
	lp_err rc = lp_inspect(lp_view_of(kbt, n), keys, 2, &r, NULL);
	if (rc == LP_OK) {
		cr_assert(r.sigs[0].err != LP_OK || r.sigs[1].err != LP_OK);
		lp_inspect_free(&r);
	}
	free(kbt);
}

Test(inspect, plain_cbor_and_hostile_input)
{
	static const uint8_t simple[] = { 0xa2, 0x01, 0x63, 'a', 'b', 'c', 0x02, 0x42, 0x00, 0xff };
	lp_inspect_report r;
	cr_assert_eq(lp_inspect(lp_view_of(simple, sizeof simple), NULL, 0, &r, NULL), LP_OK);
	cr_assert(strstr(r.diag, "1: \"abc\"") != NULL, "%s", r.diag);
	cr_assert(strstr(r.diag, "h'00ff'") != NULL, "%s", r.diag);
	cr_assert_eq(r.nsigs, 0);
	lp_inspect_free(&r);
	/* a million nested arrays */
	size_t deep = 1000000;
	uint8_t *b = malloc(deep);
	memset(b, 0x81, deep - 1);
	b[deep - 1] = 0;
	lp_diag d = { 0 };
	cr_assert_neq(lp_inspect(lp_view_of(b, deep), NULL, 0, &r, &d), LP_OK);
	cr_assert_null(r.diag);
	free(b);
	/* truncated and trailing */
	cr_assert_neq(lp_inspect(lp_view_of(simple, sizeof simple - 1), NULL, 0, &r, NULL), LP_OK);
	static const uint8_t trailing[] = { 0x01, 0x02 };
	cr_assert_eq(lp_inspect(lp_view_of(trailing, 2), NULL, 0, &r, NULL), LP_ERR_CBOR_TRAILING);
}
