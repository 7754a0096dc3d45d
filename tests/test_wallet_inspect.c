/* Tests of lib/wallet_inspect.c: reading a credential in the wallet without
 * the issuer's key (claims, holder key, every disclosure against its
 * digest), and splitting an import file into its copies. */
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "leerpas/sdcwt.h"
#include "leerpas/wallet.h"

static const char CLAIMS[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2026-06-30\",\"fullName\":\"Sanne de Vries\","
	"\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\",\"grade\":\"8,1\"}";

static uint8_t school_sk[64], school_pk[32], holder_pk[32], holder_sk[64];

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	crypto_sign_keypair(school_pk, school_sk);
	crypto_sign_keypair(holder_pk, holder_sk);
}

TestSuite(wallet_inspect, .init = setup);

static lp_buf issue(bool bound)
{
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	lp_sdcwt_issue_params_init(&p);
	lp_pubkey_ed25519(&holder, holder_pk);
	p.iss = "https://roc.example";
	p.kid = (const uint8_t *)"k1";
	p.kid_len = 2;
	p.vct = "microcredential";
	p.iat = 1782864000;
	p.holder = bound ? &holder : NULL;
	p.has_status = true;
	p.status_idx = 7;
	p.status_uri = "https://roc.example/status.cwt";
	p.claims_json = CLAIMS;
	p.claims_json_len = strlen(CLAIMS);
	lp_buf out;
	lp_diag d;
	cr_assert_eq(lp_sdcwt_issue(&p, school_sk, &out, NULL, &d), LP_OK, "%s", d.msg);
	return out;
}

static const lp_wallet_claim *claim(const lp_wallet_credinfo *ci, const char *name)
{
	for (size_t i = 0; i < ci->nredactable; i++)
		if (strcmp(ci->redactable[i].name, name) == 0)
			return &ci->redactable[i];
	return NULL;
}

Test(wallet_inspect, reads_claims_holder_key_and_disclosures)
{
	lp_buf c = issue(true);
	lp_wallet_credinfo ci;
	lp_diag d;
	cr_assert_eq(lp_wallet_inspect(lp_buf_view(&c), &ci, &d), LP_OK, "%s", d.msg);
	cr_assert_str_eq(ci.iss, "https://roc.example");
	cr_assert_str_eq(ci.vct, "microcredential");
	cr_assert_str_eq(ci.title, "Basis Python");
	cr_assert_eq(ci.iat, 1782864000);
	cr_assert_eq(ci.kid_len, 2);
	cr_assert_eq(ci.cti_len, 16);
	cr_assert(ci.has_cnf);
	cr_assert_eq(memcmp(ci.cnf, holder_pk, 32), 0);
	cr_assert(ci.has_status);
	cr_assert_eq(ci.status_idx, 7);
	cr_assert_str_eq(ci.status_uri, "https://roc.example/status.cwt");
	cr_assert(strstr(ci.shown_json, "\"title\":\"Basis Python\""), "%s", ci.shown_json);
	cr_assert(strstr(ci.shown_json, "\"eqfLevel\":4"), "%s", ci.shown_json);
	cr_assert_null(strstr(ci.shown_json, "Sanne"), "redactable claims are not in the shown part");
	cr_assert_eq(ci.nredactable, 4, "decoys are not claims");
	cr_assert_str_eq(claim(&ci, "fullName")->json, "\"Sanne de Vries\"");
	cr_assert_str_eq(claim(&ci, "grade")->json, "\"8,1\"");
	cr_assert_not_null(claim(&ci, "dateOfBirth"));
	cr_assert_not_null(claim(&ci, "studentId"));
	lp_wallet_credinfo_free(&ci);
	cr_assert_null(ci.iss);
	lp_buf_free(&c);
}

Test(wallet_inspect, unbound_credential_has_no_holder_key)
{
	lp_buf c = issue(false);
	lp_wallet_credinfo ci;
	cr_assert_eq(lp_wallet_inspect(lp_buf_view(&c), &ci, NULL), LP_OK);
	cr_assert_not(ci.has_cnf);
	lp_wallet_credinfo_free(&ci);
	lp_buf_free(&c);
}

static uint8_t *find(lp_buf *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->ptr + i, s, n) == 0)
			return b->ptr + i;
	return NULL;
}

Test(wallet_inspect, a_changed_disclosure_or_digest_is_caught)
{
	lp_buf c = issue(true);
	lp_wallet_credinfo ci;
	lp_diag d;
	uint8_t *p = find(&c, "Sanne de Vries");
	cr_assert_not_null(p);
	p[0] = 'T';
	cr_assert_eq(lp_wallet_inspect(lp_buf_view(&c), &ci, &d), LP_ERR_DIGEST_MISMATCH);
	cr_assert(strstr(d.msg, "matches no digest"), "%s", d.msg);
	cr_assert_null(ci.iss, "nothing kept on failure");
	p[0] = 'S';
	cr_assert_eq(lp_wallet_inspect(lp_buf_view(&c), &ci, NULL), LP_OK);
	lp_wallet_credinfo_free(&ci);
	/* every single-byte change: either refused, or read with exactly the
	 * same redactable claims (a change of the signature or of a signed
	 * claim is for the issuer-key check and the verifier to catch) */
	size_t refused = 0;
	for (size_t i = 0; i < c.len; i++) {
		c.ptr[i] ^= 0x01;
		lp_err e = lp_wallet_inspect(lp_buf_view(&c), &ci, NULL);
		if (e == LP_OK) {
			cr_assert_eq(ci.nredactable, 4, "byte %zu", i);
			const lp_wallet_claim *n = claim(&ci, "fullName");
			cr_assert(n && strcmp(n->json, "\"Sanne de Vries\"") == 0, "byte %zu changed a disclosure", i);
			lp_wallet_credinfo_free(&ci);
		} else {
			refused++;
		}
		c.ptr[i] ^= 0x01;
	}
	cr_assert_gt(refused, c.len / 3);
	lp_buf_free(&c);
}

Test(wallet_inspect, every_truncation_is_refused)
{
	lp_buf c = issue(true);
	for (size_t n = 0; n < c.len; n++) {
		lp_wallet_credinfo ci;
		cr_assert_neq(lp_wallet_inspect(lp_view_of(c.ptr, n), &ci, NULL), LP_OK, "length %zu", n);
	}
	lp_buf_free(&c);
}

Test(wallet_inspect, not_a_credential)
{
	static const uint8_t not_sign1[] = { 0xa1, 0x01, 0x02 };
	lp_wallet_credinfo ci;
	cr_assert_neq(lp_wallet_inspect(lp_view_of(not_sign1, sizeof not_sign1), &ci, NULL), LP_OK);
	lp_buf c = issue(true);
	/* untagged COSE_Sign1: the wallet stores tagged ones only */
	cr_assert_eq(c.ptr[0], 0xd2);
	cr_assert_neq(lp_wallet_inspect(lp_view_of(c.ptr + 1, c.len - 1), &ci, NULL), LP_OK);
	lp_buf_free(&c);
}

Test(wallet_inspect, split_copies_single_array_of_bstr_and_of_items)
{
	lp_buf a = issue(true), b = issue(true);
	lp_buf *copies;
	size_t n;
	lp_diag d;
	cr_assert_eq(lp_wallet_split_copies(lp_buf_view(&a), &copies, &n, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(n, 1);
	cr_assert_eq(copies[0].len, a.len);
	cr_assert_eq(memcmp(copies[0].ptr, a.ptr, a.len), 0);
	lp_wallet_copies_free(copies, n);

	/* [bstr a, bstr b] */
	size_t len = 1 + 3 + a.len + 3 + b.len;
	uint8_t *f = malloc(len), *p = f;
	cr_assert_lt(a.len, 65536);
	*p++ = 0x82;
	*p++ = 0x59, *p++ = (uint8_t)(a.len >> 8), *p++ = (uint8_t)a.len;
	memcpy(p, a.ptr, a.len), p += a.len;
	*p++ = 0x59, *p++ = (uint8_t)(b.len >> 8), *p++ = (uint8_t)b.len;
	memcpy(p, b.ptr, b.len), p += b.len;
	cr_assert_eq(lp_wallet_split_copies(lp_view_of(f, (size_t)(p - f)), &copies, &n, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(n, 2);
	cr_assert_eq(copies[1].len, b.len);
	cr_assert_eq(memcmp(copies[1].ptr, b.ptr, b.len), 0);
	lp_wallet_copies_free(copies, n);

	/* [a, b] as tagged items: re-encoded to the same bytes */
	p = f;
	*p++ = 0x82;
	memcpy(p, a.ptr, a.len), p += a.len;
	memcpy(p, b.ptr, b.len), p += b.len;
	cr_assert_eq(lp_wallet_split_copies(lp_view_of(f, (size_t)(p - f)), &copies, &n, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(n, 2);
	cr_assert_eq(copies[0].len, a.len);
	cr_assert_eq(memcmp(copies[0].ptr, a.ptr, a.len), 0, "the signed bytes survive");
	lp_wallet_credinfo ci;
	cr_assert_eq(lp_wallet_inspect(lp_buf_view(&copies[1]), &ci, NULL), LP_OK);
	lp_wallet_credinfo_free(&ci);
	lp_wallet_copies_free(copies, n);
	free(f);
	lp_buf_free(&a);
	lp_buf_free(&b);
}

Test(wallet_inspect, split_copies_refuses_bad_files)
{
	static const uint8_t empty_arr[] = { 0x80 };
	static const uint8_t ints[] = { 0x82, 0x01, 0x02 };
	static const uint8_t garbage[] = { 'h', 'e', 'l', 'l', 'o' };
	static const uint8_t trailing[] = { 0x81, 0x41, 0x00, 0x00 };
	uint8_t many[1 + 2 + 65 * 2];
	many[0] = 0x98, many[1] = 65;
	for (size_t i = 0; i < 65; i++)
		many[2 + 2 * i] = 0x41, many[3 + 2 * i] = 0x00;
	struct {
		const uint8_t *p;
		size_t n;
	} bad[] = { { empty_arr, 1 }, { ints, 3 }, { garbage, 5 }, { trailing, 4 }, { many, sizeof many },
		    { garbage, 0 } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		lp_buf *copies = (lp_buf *)1;
		size_t n = 9;
		cr_assert_neq(lp_wallet_split_copies(lp_view_of(bad[i].p, bad[i].n), &copies, &n, NULL), LP_OK,
			      "case %zu", i);
		cr_assert_null(copies);
		cr_assert_eq(n, 0);
	}
}
