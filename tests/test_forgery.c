/* Forgery: what an attacker who holds real material (their own credentials
 * and keys, an old key, a signed list) can assemble, each a named test that
 * must be rejected by the library's verification with the specific reason:
 * moved disclosures, another holder's signature, keys outside their period,
 * wrongly signed status lists and trust lists, algorithm confusion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <criterion/criterion.h>
#include <sodium.h>

#include "cose_int.h"
#include "helper_harden.h"
#include "helper_trust.h"
#include "leerpas/claims.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

#define Y2020 1577836800
#define Y2026 1767225600
#define Y2027 1798761600
#define ANCHOR "https://accreditatie.example"

static uint8_t school_pk[32], school_sk[64];   /* the real school */
static uint8_t other_pk[32], other_sk[64];     /* another (trusted) school or a forger */
static uint8_t holder_a_pk[32], holder_a_sk[64]; /* the learner's key for credential A */
static uint8_t holder_b_pk[32], holder_b_sk[64]; /* the learner's key for credential B */
static uint8_t thief_pk[32], thief_sk[64];     /* someone else's holder key */
static uint8_t anchor_pk[32], anchor_sk[64];

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	hh_keypair(0x61, school_pk, school_sk);
	hh_keypair(0x62, other_pk, other_sk);
	hh_keypair(0x63, holder_a_pk, holder_a_sk);
	hh_keypair(0x64, holder_b_pk, holder_b_sk);
	hh_keypair(0x65, thief_pk, thief_sk);
	hh_keypair(0x66, anchor_pk, anchor_sk);
	hh_random_install(1000);
}

static void teardown(void)
{
	hh_random_restore();
}

TestSuite(forgery, .init = setup, .fini = teardown);

/* ---- crafting helpers -------------------------------------------------------- */

static cbor_item_t *bstr(lp_view v)
{
	cbor_item_t *b = cbor_build_bytestring(v.ptr, v.len);
	cr_assert_not_null(b);
	return b;
}

/* Encode a tagged COSE_Sign1 from its four parts (items borrowed). */
static lp_buf sign1_encode(lp_view prot, cbor_item_t *unprot, lp_view payload, lp_view sig)
{
	cbor_item_t *arr = cbor_new_definite_array(4), *tag = cbor_new_tag(LP_TAG_SIGN1);
	cr_assert(arr && tag);
	cr_assert(cbor_array_push(arr, cbor_move(bstr(prot))));
	cr_assert(cbor_array_push(arr, unprot));
	cr_assert(cbor_array_push(arr, cbor_move(bstr(payload))));
	cr_assert(cbor_array_push(arr, cbor_move(bstr(sig))));
	cbor_tag_set_item(tag, arr);
	cbor_decref(&arr);
	lp_buf out = { 0 };
	cr_assert_eq(lp_cbor_encode(tag, &out), LP_OK);
	cbor_decref(&tag);
	return out;
}

/* An Ed25519 signature over the Sig_structure of (prot, payload). */
static void sign_tbs(uint8_t sig[64], lp_view prot, lp_view payload, const uint8_t sk[64])
{
	lp_buf tbs = { 0 };
	cr_assert_eq(lp_sign1_tbs(prot, lp_view_of(NULL, 0), payload, &tbs), LP_OK);
	cr_assert_eq(lp_ed25519_sign(sig, lp_buf_view(&tbs), sk), LP_OK);
	lp_buf_free(&tbs);
}

/* The disclosures (sd_claims bstr items) of a credential: a new array item
 * holding references to them. */
static cbor_item_t *disclosures_of(lp_view cred)
{
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(cred, true, &s, NULL), LP_OK);
	cbor_item_t *sd = lp_cbor_map_get_int(s.unprotected, LP_HDR_SD_CLAIMS);
	cr_assert_not_null(sd);
	cbor_item_t *copy = cbor_new_definite_array(cbor_array_size(sd));
	for (size_t i = 0; i < cbor_array_size(sd); i++)
		cr_assert(cbor_array_push(copy, cbor_move(cbor_array_get(sd, i))));
	lp_sign1_free(&s);
	return copy;
}

/* The claim key of a disclosure <<[salt, value, key]>> (-1 for a decoy). */
static int64_t disclosure_key(const cbor_item_t *bs)
{
	cbor_item_t *d = NULL;
	int64_t k = -1;
	cr_assert_eq(lp_cbor_load(lp_view_of(cbor_bytestring_handle(bs), cbor_bytestring_length(bs)),
				  8, &d, NULL),
		     LP_OK);
	if (cbor_array_size(d) == 3) {
		cbor_item_t *ki = cbor_array_get(d, 2);
		cr_assert(lp_cbor_get_int(ki, &k));
		cbor_decref(&ki);
	}
	cbor_decref(&d);
	return k;
}

/* Rebuild a presentation: the credential inside it (kcwt) keeps its
 * protected header, payload and issuer signature, gets sd_claims (borrowed;
 * NULL keeps the original unprotected header), optionally its protected
 * header and issuer signature replaced; the SD-KBT is then signed anew with
 * holder_sk over an optional new protected map. This is what a holder (or
 * a thief of a presentation) can do without the school's key. */
struct kbt_edit {
	cbor_item_t *sd_claims;       /* new sd_claims array, or NULL */
	cbor_item_t *cred_unprot;     /* new credential unprotected map, or NULL */
	const lp_buf *cred_prot;      /* new credential protected bstr content, or NULL */
	const uint8_t *cred_sig;      /* new issuer signature (64 bytes), or NULL */
	cbor_item_t *kbt_unprot;      /* unprotected header of the SD-KBT, or NULL */
};

static lp_buf kbt_rebuild(lp_view pres, const struct kbt_edit *ed, const uint8_t holder_sk[64])
{
	lp_sign1 k, c;
	cr_assert_eq(lp_sign1_parse(pres, true, &k, NULL), LP_OK);
	cbor_item_t *kc = lp_cbor_map_get_int(k.protected_map, LP_HDR_KCWT);
	cr_assert_not_null(kc);
	cr_assert_eq(lp_sign1_from_item(kc, true, &c, NULL), LP_OK);
	cbor_item_t *unprot;
	if (ed->cred_unprot) {
		unprot = cbor_incref(ed->cred_unprot);
	} else if (ed->sd_claims) {
		unprot = cbor_new_definite_map(1);
		cr_assert(lp_cbor_map_put(unprot, lp_cbor_int(LP_HDR_SD_CLAIMS), cbor_incref(ed->sd_claims)));
	} else {
		unprot = cbor_incref(c.unprotected);
	}
	lp_view cprot = ed->cred_prot ? lp_buf_view(ed->cred_prot) : c.protected_bstr;
	lp_view csig = ed->cred_sig ? lp_view_of(ed->cred_sig, 64) : c.signature;
	lp_buf cred = sign1_encode(cprot, unprot, c.payload, csig);
	cbor_decref(&unprot);
	cbor_item_t *credit = NULL;
	cr_assert_eq(lp_cbor_load(lp_buf_view(&cred), LP_CBOR_MAX_DEPTH, &credit, NULL), LP_OK);
	cbor_item_t *prot = cbor_new_definite_map(3);
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)));
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_KCWT), credit));
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_TYP), lp_cbor_int(LP_TYP_SD_KBT)));
	lp_buf out = { 0 };
	if (ed->kbt_unprot) {
		/* lp_sign1_create_ed25519 refuses an unprotected alg, so sign by hand. */
		lp_buf pb = { 0 };
		uint8_t sig[64];
		cr_assert_eq(lp_cbor_encode(prot, &pb), LP_OK);
		sign_tbs(sig, lp_buf_view(&pb), k.payload, holder_sk);
		out = sign1_encode(lp_buf_view(&pb), ed->kbt_unprot, k.payload, lp_view_of(sig, 64));
		lp_buf_free(&pb);
	} else {
		cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, k.payload, lp_view_of(NULL, 0), holder_sk,
						     &out),
			     LP_OK);
	}
	cbor_decref(&prot);
	lp_buf_free(&cred);
	lp_sign1_free(&c);
	lp_sign1_free(&k);
	return out;
}

static void expect(hh_verifier *v, const lp_buf *msg, bool bare, lp_err want, const char *what)
{
	lp_err e = LP_OK;
	char *claims = NULL;
	bool ok = hh_verify(v, lp_buf_view(msg), bare, &e, &claims);
	cr_assert_not(ok, "%s: accepted, showing %s", what, claims ? claims : "(nothing)");
	cr_assert_eq(e, want, "%s: %s, expected %s", what, lp_err_code(e), lp_err_code(want));
	free(claims);
}

static void expect_ok(hh_verifier *v, const lp_buf *msg, bool bare, const char *what)
{
	lp_err e = LP_OK;
	cr_assert(hh_verify(v, lp_buf_view(msg), bare, &e, NULL), "%s: %s", what, lp_err_code(e));
}

/* ---- moved disclosures ---------------------------------------------------------- */

/* Two microcredentials of the same learner, each bound to its own holder
 * key (as the wallet does) or both to the same key. */
static void moved_disclosures(bool same_key)
{
	const uint8_t *bpk = same_key ? holder_a_pk : holder_b_pk;
	lp_buf a = hh_issue(HH_MICRO, school_sk, holder_a_pk, HH_T0, 1);
	lp_buf b = hh_issue(HH_DIPLOMA, school_sk, bpk, HH_T0, 2);
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	const char *show[] = { "fullName", "grade" };
	lp_buf pres = hh_present(lp_buf_view(&a), show, 2, holder_a_sk, HH_NOW, NULL, 0);
	expect_ok(&v, &pres, false, "the honest presentation");

	/* B's grade ("met lof") and A's name; or B's grade added beside A's. */
	cbor_item_t *da = disclosures_of(lp_buf_view(&a)), *db = disclosures_of(lp_buf_view(&b));
	cbor_item_t *b_grade = NULL, *a_name = NULL, *a_grade = NULL;
	for (size_t i = 0; i < cbor_array_size(db); i++) {
		cbor_item_t *it = cbor_array_get(db, i);
		if (disclosure_key(it) == LP_CK_GRADE && !b_grade)
			b_grade = cbor_incref(it);
		cbor_decref(&it);
	}
	for (size_t i = 0; i < cbor_array_size(da); i++) {
		cbor_item_t *it = cbor_array_get(da, i);
		if (disclosure_key(it) == LP_CK_FULL_NAME)
			a_name = cbor_incref(it);
		if (disclosure_key(it) == LP_CK_GRADE)
			a_grade = cbor_incref(it);
		cbor_decref(&it);
	}
	cr_assert(b_grade && a_name && a_grade);

	/* 1: A's grade replaced by B's. */
	cbor_item_t *sd = cbor_new_definite_array(2);
	cr_assert(cbor_array_push(sd, a_name) && cbor_array_push(sd, b_grade));
	struct kbt_edit ed = { .sd_claims = sd };
	lp_buf f1 = kbt_rebuild(lp_buf_view(&pres), &ed, same_key ? holder_a_sk : holder_a_sk);
	expect(&v, &f1, false, LP_ERR_DIGEST_MISMATCH, "A's grade replaced by B's");
	cbor_decref(&sd);

	/* 2: B's grade added to A's disclosures (a duplicate or a stranger). */
	sd = cbor_new_definite_array(3);
	cr_assert(cbor_array_push(sd, a_name) && cbor_array_push(sd, a_grade) &&
		  cbor_array_push(sd, b_grade));
	ed.sd_claims = sd;
	lp_buf f2 = kbt_rebuild(lp_buf_view(&pres), &ed, holder_a_sk);
	expect(&v, &f2, false, LP_ERR_DIGEST_MISMATCH, "B's grade added to A's");
	cbor_decref(&sd);

	/* 3: every disclosure of B moved into A's credential. */
	ed.sd_claims = db;
	lp_buf f3 = kbt_rebuild(lp_buf_view(&pres), &ed, holder_a_sk);
	expect(&v, &f3, false, LP_ERR_DIGEST_MISMATCH, "all of B's disclosures in A");

	/* 4: the same with bare credentials (the wallet's import check). */
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&a), true, &s, NULL), LP_OK);
	cbor_item_t *un = cbor_new_definite_map(1);
	sd = cbor_new_definite_array(1);
	cr_assert(cbor_array_push(sd, b_grade));
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_SD_CLAIMS), sd));
	lp_buf f4 = sign1_encode(s.protected_bstr, un, s.payload, s.signature);
	cbor_decref(&un);
	lp_sign1_free(&s);
	expect(&v, &f4, true, LP_ERR_DIGEST_MISMATCH, "bare credential A with B's grade");

	cbor_decref(&da);
	cbor_decref(&db);
	cbor_decref(&b_grade);
	cbor_decref(&a_name);
	cbor_decref(&a_grade);
	lp_buf_free(&f1);
	lp_buf_free(&f2);
	lp_buf_free(&f3);
	lp_buf_free(&f4);
	lp_buf_free(&pres);
	lp_buf_free(&a);
	lp_buf_free(&b);
	hh_verifier_free(&v);
}

Test(forgery, disclosures_moved_between_credentials_of_one_learner)
{
	moved_disclosures(false);
}

Test(forgery, disclosures_moved_between_credentials_bound_to_one_key)
{
	moved_disclosures(true);
}

/* ---- holder binding -------------------------------------------------------------- */

Test(forgery, presentation_signed_by_another_holder_key)
{
	lp_buf cred = hh_issue(HH_DIPLOMA, school_sk, holder_a_pk, HH_T0, 3);
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	const char *show[] = { "fullName" };
	/* The library refuses to present with a key the credential is not bound to. */
	lp_sdcwt_present_params pp = { show, 1, HH_AUD, HH_NOW, NULL, 0, false };
	lp_buf out = { 0 };
	cr_assert_eq(lp_sdcwt_present(lp_buf_view(&cred), &pp, thief_sk, &out, NULL), LP_ERR_NOT_BOUND);
	cr_assert_null(out.ptr);
	/* A thief who copied the credential (or a presentation) signs the
	 * SD-KBT with their own key. */
	lp_buf pres = hh_present(lp_buf_view(&cred), show, 1, holder_a_sk, HH_NOW, NULL, 0);
	expect_ok(&v, &pres, false, "the honest presentation");
	struct kbt_edit ed = { 0 };
	lp_buf forged = kbt_rebuild(lp_buf_view(&pres), &ed, thief_sk);
	expect(&v, &forged, false, LP_ERR_HOLDER_BINDING, "SD-KBT signed by the thief");
	/* The same learner's other key (credential B's) does not do either. */
	lp_buf other = kbt_rebuild(lp_buf_view(&pres), &ed, holder_b_sk);
	expect(&v, &other, false, LP_ERR_HOLDER_BINDING, "SD-KBT signed by another key of the learner");
	/* Control: re-signing with the right key gives a valid presentation, so
	 * the rebuild itself is faithful. */
	lp_buf same = kbt_rebuild(lp_buf_view(&pres), &ed, holder_a_sk);
	expect_ok(&v, &same, false, "rebuilt with the right key");
	/* A bare credential shown without any SD-KBT when the verifier expects
	 * a presentation: not a presentation at all. */
	lp_err e;
	cr_assert_not(hh_verify(&v, lp_buf_view(&cred), false, &e, NULL));
	lp_buf_free(&same);
	lp_buf_free(&other);
	lp_buf_free(&forged);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
	hh_verifier_free(&v);
}

/* A presentation replayed to another verifier, or with another challenge. */
Test(forgery, presentation_replayed_to_another_audience_or_challenge)
{
	lp_buf cred = hh_issue(HH_MICRO, school_sk, holder_a_pk, HH_T0, 4);
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	const uint8_t n1[] = "nonce-one-123456", n2[] = "nonce-two-123456";
	lp_buf pres = hh_present(lp_buf_view(&cred), NULL, 0, holder_a_sk, HH_NOW, n1, sizeof n1);
	v.p.cnonce = n1;
	v.p.cnonce_len = sizeof n1;
	expect_ok(&v, &pres, false, "answers the challenge");
	v.p.cnonce = n2;
	expect(&v, &pres, false, LP_ERR_NONCE, "replayed against another challenge");
	v.p.cnonce = n1;
	v.p.aud = "https://andere-werkgever.example";
	expect(&v, &pres, false, LP_ERR_AUDIENCE, "replayed to another verifier");
	v.p.aud = HH_AUD;
	v.p.max_age = 600;
	v.p.now = HH_NOW + 3600;
	expect(&v, &pres, false, LP_ERR_EXPIRED, "replayed an hour later");
	lp_buf_free(&pres);
	lp_buf_free(&cred);
	hh_verifier_free(&v);
}

/* ---- keys and periods ----------------------------------------------------------------- */

Test(forgery, issuer_key_used_outside_its_validity_period)
{
	/* The school's key was valid from 2020 until 2026-01-01 (retired). */
	hh_verifier v;
	hh_verifier_init_empty(&v);
	lp_buf desc = hh_school_desc(school_pk, Y2020, Y2026);
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_pin(v.ts, lp_buf_view(&desc), &d), LP_OK, "%s", d.msg);
	v.p.now = Y2027;
	/* Issued inside the period, verified after it ended: still valid
	 * (diplomas outlive key rotations). */
	lp_buf in = hh_issue(HH_DIPLOMA, school_sk, NULL, Y2026 - 86400, 5);
	expect_ok(&v, &in, true, "issued while the key was current");
	/* Issued after the key was retired (a stolen retired key). */
	lp_buf after = hh_issue(HH_DIPLOMA, school_sk, NULL, Y2026 + 86400, 6);
	expect(&v, &after, true, LP_ERR_KEY_PERIOD, "issued after the key's end");
	/* Issued before the key began. */
	lp_buf before = hh_issue(HH_DIPLOMA, school_sk, NULL, Y2020 - 86400, 7);
	expect(&v, &before, true, LP_ERR_KEY_PERIOD, "issued before the key's start");
	/* And in a presentation. */
	v.p.now = Y2026 + 2 * 86400;
	lp_buf bound = hh_issue(HH_MICRO, school_sk, holder_a_pk, Y2026 + 86400, 8);
	lp_buf pres = hh_present(lp_buf_view(&bound), NULL, 0, holder_a_sk, v.p.now, NULL, 0);
	expect(&v, &pres, false, LP_ERR_KEY_PERIOD, "presentation of a credential issued after the end");
	lp_buf_free(&pres);
	lp_buf_free(&bound);
	lp_buf_free(&before);
	lp_buf_free(&after);
	lp_buf_free(&in);
	lp_buf_free(&desc);
	hh_verifier_free(&v);
}

Test(forgery, credential_signed_by_another_school_key)
{
	/* Another school (trusted for itself) signs a credential in our school's
	 * name with our kid: the resolved key does not verify it. */
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	lp_buf forged = hh_issue(HH_DIPLOMA, other_sk, NULL, HH_T0, 9);
	expect(&v, &forged, true, LP_ERR_SIGNATURE, "signed with another key");
	lp_buf_free(&forged);
	hh_verifier_free(&v);
}

/* ---- status lists ---------------------------------------------------------------------- */

static lp_buf status_token(const uint8_t sk[64], unsigned revoked_idx)
{
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 64, 2), LP_OK);
	if (revoked_idx < 64)
		cr_assert_eq(lp_status_list_set(&l, revoked_idx, LP_STATUS_INVALID), LP_OK);
	lp_status_token_params tp = { HH_STATUS_URI, HH_NOW - 60, 0, 86400, (const uint8_t *)HH_KID,
				      strlen(HH_KID) };
	lp_buf out = { 0 };
	cr_assert_eq(lp_status_token_sign(&l, &tp, sk, &out), LP_OK);
	lp_status_list_free(&l);
	return out;
}

Test(forgery, status_list_signed_by_the_wrong_key)
{
	/* The real list revokes entry 5; a forger signs one that says all valid. */
	lp_buf real = status_token(school_sk, 5), forged = status_token(other_sk, 64);
	lp_pubkey k;
	lp_pubkey_ed25519(&k, school_pk);
	lp_status_token tok;
	lp_diag d = { 0 };
	cr_assert_eq(lp_status_token_verify(lp_buf_view(&real), &k, 0, &tok, &d), LP_OK, "%s", d.msg);
	unsigned st = 9;
	cr_assert_eq(lp_status_list_get(&tok.list, 5, &st), LP_OK);
	cr_assert_eq(st, LP_STATUS_INVALID);
	lp_status_token_free(&tok);
	cr_assert_eq(lp_status_token_verify(lp_buf_view(&forged), &k, 0, &tok, &d), LP_ERR_SIGNATURE);
	cr_assert_null(tok.uri);
	cr_assert_null(tok.list.bytes);

	/* Through the trust store: the forger's key is nobody's. */
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	char *who = NULL;
	cr_assert_eq(lp_trust_verify_status(v.ts, lp_buf_view(&forged), 0, &tok, &who, &d),
		     LP_ERR_UNTRUSTED);
	cr_assert_null(who);
	cr_assert_eq(lp_trust_verify_status(v.ts, lp_buf_view(&real), 0, &tok, &who, &d), LP_OK, "%s",
		     d.msg);
	cr_assert_str_eq(who, HH_ISS);
	free(who);
	lp_status_token_free(&tok);

	/* Another school that IS trusted signs a list at our school's URI with
	 * our kid: the store says whose list it is, and it is not ours, so a
	 * verifier that compares the signer with the credential's iss refuses. */
	lp_buf odesc = { 0 };
	{
		lp_pubkey ok;
		lp_pubkey_ed25519(&ok, other_pk);
		lp_issuer_key_entry ke = { HH_KID, &ok, Y2020, 0 };
		lp_issuer_desc_params dp = { .id = "https://andere-school.example", .name = "Andere",
					     .country = "NL", .keys = &ke, .n_keys = 1 };
		cr_assert_eq(lp_issuer_desc_write(&dp, &odesc), LP_OK);
	}
	cr_assert_eq(lp_trust_pin(v.ts, lp_buf_view(&odesc), &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_trust_verify_status(v.ts, lp_buf_view(&forged), 0, &tok, &who, &d), LP_OK);
	cr_assert_str_eq(who, "https://andere-school.example");
	cr_assert_str_neq(who, HH_ISS);
	free(who);
	lp_status_token_free(&tok);

	/* A list whose payload was changed after signing (entry 5 set back to
	 * valid) fails with the right key as well. */
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&real), true, &s, NULL), LP_OK);
	lp_buf all_valid = status_token(other_sk, 64);
	lp_sign1 s2;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&all_valid), true, &s2, NULL), LP_OK);
	lp_buf swapped = sign1_encode(s.protected_bstr, s.unprotected, s2.payload, s.signature);
	cr_assert_eq(lp_status_token_verify(lp_buf_view(&swapped), &k, 0, &tok, &d), LP_ERR_SIGNATURE);
	lp_sign1_free(&s2);
	lp_sign1_free(&s);
	lp_buf_free(&swapped);
	lp_buf_free(&all_valid);
	lp_buf_free(&odesc);
	hh_verifier_free(&v);
	lp_buf_free(&real);
	lp_buf_free(&forged);
}

/* ---- trust lists ---------------------------------------------------------------------------- */

Test(forgery, trust_list_with_a_school_added_after_signing)
{
	lp_buf anchor = { 0 }, l0 = { 0 }, l1 = { 0 }, l2 = { 0 }, signed_list = { 0 };
	cr_assert_eq(lp_trust_anchor_write(ANCHOR, "Accreditatie", NULL, anchor_pk, &anchor), LP_OK);
	lp_buf school = hh_school_desc(school_pk, Y2020, 0);
	lp_buf rogue = { 0 };
	{
		lp_pubkey ok;
		lp_pubkey_ed25519(&ok, other_pk);
		lp_issuer_key_entry ke = { "rogue-1", &ok, Y2020, 0 };
		lp_issuer_desc_params dp = { .id = "https://diplomafabriek.example", .name = "Fabriek",
					     .country = "NL", .keys = &ke, .n_keys = 1 };
		cr_assert_eq(lp_issuer_desc_write(&dp, &rogue), LP_OK);
	}
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_list_new(ANCHOR, Y2026, &l0), LP_OK);
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&l0), lp_buf_view(&school), Y2020, 0, NULL, 0, &l1, &d),
		     LP_OK, "%s", d.msg);
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l1), ANCHOR, 0, anchor_sk, &signed_list, &d), LP_OK,
		     "%s", d.msg);

	/* The signed payload, with the rogue school added, under the old signature. */
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&signed_list), true, &s, NULL), LP_OK);
	cr_assert_eq(lp_trust_list_add(s.payload, lp_buf_view(&rogue), Y2020, 0, NULL, 0, &l2, &d), LP_OK,
		     "%s", d.msg);
	lp_buf tampered = sign1_encode(s.protected_bstr, s.unprotected, lp_buf_view(&l2), s.signature);
	/* The same rogue payload signed by the rogue (not an anchor). */
	lp_buf self_signed = { 0 };
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l2), ANCHOR, 0, other_sk, &self_signed, &d), LP_OK);
	lp_sign1_free(&s);

	lp_trust_store *ts;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	cr_assert_eq(lp_trust_add_anchor(ts, lp_buf_view(&anchor), &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&tampered), &d), LP_ERR_SIGNATURE, "%s", d.msg);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&self_signed), &d), LP_ERR_SIGNATURE, "%s", d.msg);
	/* Neither left anything behind: the rogue school is unknown... */
	lp_trust_result tr;
	cr_assert_eq(lp_trust_resolve(ts, "https://diplomafabriek.example",
				      lp_view_of((const uint8_t *)"rogue-1", 7), NULL, HH_T0, HH_NOW, &tr,
				      &d),
		     LP_ERR_UNTRUSTED);
	/* ...and a credential from it is refused, while the honest list works. */
	hh_verifier v;
	hh_verifier_init_empty(&v);
	lp_trust_store_free(v.ts);
	v.ts = ts;
	lp_buf fake = { 0 };
	{
		lp_sdcwt_issue_params p;
		lp_sdcwt_issue_params_init(&p);
		p.iss = "https://diplomafabriek.example";
		p.kid = (const uint8_t *)"rogue-1";
		p.kid_len = 7;
		p.vct = hh_vct(HH_DIPLOMA);
		p.iat = HH_T0;
		p.claims_json = hh_claims(HH_DIPLOMA);
		p.claims_json_len = strlen(p.claims_json);
		cr_assert_eq(lp_sdcwt_issue(&p, other_sk, &fake, NULL, &d), LP_OK, "%s", d.msg);
	}
	expect(&v, &fake, true, LP_ERR_UNTRUSTED, "credential of the school added after signing");
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&signed_list), &d), LP_OK, "%s", d.msg);
	lp_buf real = hh_issue(HH_DIPLOMA, school_sk, NULL, HH_T0, 10);
	expect_ok(&v, &real, true, "credential of the listed school");
	expect(&v, &fake, true, LP_ERR_UNTRUSTED, "rogue credential after the honest list");

	lp_buf_free(&real);
	lp_buf_free(&fake);
	hh_verifier_free(&v);
	lp_buf_free(&self_signed);
	lp_buf_free(&tampered);
	lp_buf_free(&rogue);
	lp_buf_free(&school);
	lp_buf_free(&anchor);
	lp_buf_free(&l0);
	lp_buf_free(&l1);
	lp_buf_free(&l2);
	lp_buf_free(&signed_list);
}

/* ---- algorithm confusion ------------------------------------------------------------------------ */

/* The credential's protected header re-encoded with alg replaced (or
 * removed when alg == 0). */
static lp_buf cred_protected_with_alg(lp_view cred, int64_t alg)
{
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(cred, true, &s, NULL), LP_OK);
	size_t n = cbor_map_size(s.protected_map);
	struct cbor_pair *p = cbor_map_handle(s.protected_map);
	cbor_item_t *m = cbor_new_definite_map(n);
	for (size_t i = 0; i < n; i++) {
		int64_t k;
		if (lp_cbor_get_int(p[i].key, &k) && k == LP_HDR_ALG) {
			if (alg != 0)
				cr_assert(lp_cbor_map_put(m, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(alg)));
			continue;
		}
		cr_assert(cbor_map_add(m, (struct cbor_pair){ .key = p[i].key, .value = p[i].value }));
	}
	lp_buf out = { 0 };
	cr_assert_eq(lp_cbor_encode(m, &out), LP_OK);
	cbor_decref(&m);
	lp_sign1_free(&s);
	return out;
}

Test(forgery, alg_changed_in_the_protected_header)
{
	lp_buf cred = hh_issue(HH_MICRO, school_sk, holder_a_pk, HH_T0, 11);
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	lp_buf pres = hh_present(lp_buf_view(&cred), NULL, 0, holder_a_sk, HH_NOW, NULL, 0);
	/* Control: the header re-encoded with alg EdDSA is byte-identical. */
	lp_buf same = cred_protected_with_alg(lp_buf_view(&cred), LP_ALG_EDDSA);
	struct kbt_edit ed0 = { .cred_prot = &same };
	lp_buf f0 = kbt_rebuild(lp_buf_view(&pres), &ed0, holder_a_sk);
	expect_ok(&v, &f0, false, "header rebuilt unchanged");
	lp_buf_free(&f0);
	lp_buf_free(&same);
	static const int64_t algs[] = { LP_ALG_ES256, LP_ALG_ES384, -257 /* RS256 */, -19 /* Ed25519 */,
					5 /* HMAC 256/256 */ };
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
		lp_buf prot = cred_protected_with_alg(lp_buf_view(&cred), algs[i]);
		/* Issuer signature kept; the holder re-signs so only the alg is wrong. */
		struct kbt_edit ed = { .cred_prot = &prot };
		lp_buf f = kbt_rebuild(lp_buf_view(&pres), &ed, holder_a_sk);
		lp_err e;
		cr_assert_not(hh_verify(&v, lp_buf_view(&f), false, &e, NULL), "alg %lld accepted",
			      (long long)algs[i]);
		cr_assert(e == LP_ERR_ALG_MISMATCH || e == LP_ERR_UNSUPPORTED,
			  "alg %lld: %s", (long long)algs[i], lp_err_code(e));
		/* Even a fresh, valid Ed25519 signature under the changed header
		 * is refused: the key is for EdDSA only. */
		uint8_t sig[64];
		lp_sign1 s;
		cr_assert_eq(lp_sign1_parse(lp_buf_view(&cred), true, &s, NULL), LP_OK);
		sign_tbs(sig, lp_buf_view(&prot), s.payload, school_sk);
		lp_sign1_free(&s);
		struct kbt_edit ed2 = { .cred_prot = &prot, .cred_sig = sig };
		lp_buf g = kbt_rebuild(lp_buf_view(&pres), &ed2, holder_a_sk);
		cr_assert_not(hh_verify(&v, lp_buf_view(&g), false, &e, NULL), "alg %lld re-signed accepted",
			      (long long)algs[i]);
		cr_assert(e == LP_ERR_ALG_MISMATCH || e == LP_ERR_UNSUPPORTED, "alg %lld: %s",
			  (long long)algs[i], lp_err_code(e));
		lp_buf_free(&g);
		lp_buf_free(&f);
		lp_buf_free(&prot);
	}
	lp_buf_free(&pres);
	lp_buf_free(&cred);
	hh_verifier_free(&v);
}

Test(forgery, alg_in_the_unprotected_header)
{
	lp_buf cred = hh_issue(HH_MICRO, school_sk, holder_a_pk, HH_T0, 12);
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	const char *show[] = { "grade" };
	lp_buf pres = hh_present(lp_buf_view(&cred), show, 1, holder_a_sk, HH_NOW, NULL, 0);
	cbor_item_t *sd = disclosures_of(lp_buf_view(&cred));

	/* Control: the rebuilt credential with its full sd_claims verifies. */
	cbor_item_t *un = cbor_new_definite_map(1);
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_SD_CLAIMS), cbor_incref(sd)));
	struct kbt_edit ed0 = { .cred_unprot = un };
	lp_buf f0 = kbt_rebuild(lp_buf_view(&pres), &ed0, holder_a_sk);
	expect_ok(&v, &f0, false, "rebuilt with every disclosure");
	lp_buf_free(&f0);
	cbor_decref(&un);

	/* (a) the credential: alg EdDSA also in its unprotected header. */
	un = cbor_new_definite_map(2);
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)));
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_SD_CLAIMS), cbor_incref(sd)));
	struct kbt_edit ed = { .cred_unprot = un };
	lp_buf f1 = kbt_rebuild(lp_buf_view(&pres), &ed, holder_a_sk);
	expect(&v, &f1, false, LP_ERR_COSE_ALG_UNPROTECTED, "credential with an unprotected alg");
	cbor_decref(&un);

	/* (b) the credential: alg only unprotected (removed from the protected
	 * header; the school re-signed, as an attacker with a weaker alg would). */
	lp_buf noalg = cred_protected_with_alg(lp_buf_view(&cred), 0);
	un = cbor_new_definite_map(2);
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)));
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_SD_CLAIMS), cbor_incref(sd)));
	uint8_t sig[64];
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&cred), true, &s, NULL), LP_OK);
	sign_tbs(sig, lp_buf_view(&noalg), s.payload, school_sk);
	lp_sign1_free(&s);
	struct kbt_edit ed2 = { .cred_unprot = un, .cred_prot = &noalg, .cred_sig = sig };
	lp_buf f2 = kbt_rebuild(lp_buf_view(&pres), &ed2, holder_a_sk);
	lp_err e;
	cr_assert_not(hh_verify(&v, lp_buf_view(&f2), false, &e, NULL));
	cr_assert(e == LP_ERR_COSE_ALG || e == LP_ERR_COSE_ALG_UNPROTECTED, "%s", lp_err_code(e));
	cbor_decref(&un);

	/* (c) the SD-KBT: alg in its unprotected header. */
	un = cbor_new_definite_map(1);
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)));
	struct kbt_edit ed3 = { .kbt_unprot = un };
	lp_buf f3 = kbt_rebuild(lp_buf_view(&pres), &ed3, holder_a_sk);
	expect(&v, &f3, false, LP_ERR_COSE_ALG_UNPROTECTED, "SD-KBT with an unprotected alg");
	cbor_decref(&un);

	/* (d) an unprotected ES256 beside the protected EdDSA. */
	un = cbor_new_definite_map(1);
	cr_assert(lp_cbor_map_put(un, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_ES256)));
	struct kbt_edit ed4 = { .kbt_unprot = un };
	lp_buf f4 = kbt_rebuild(lp_buf_view(&pres), &ed4, holder_a_sk);
	expect(&v, &f4, false, LP_ERR_COSE_ALG_UNPROTECTED, "SD-KBT with an unprotected ES256");
	cbor_decref(&un);

	cbor_decref(&sd);
	lp_buf_free(&noalg);
	lp_buf_free(&f1);
	lp_buf_free(&f2);
	lp_buf_free(&f3);
	lp_buf_free(&f4);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
	hh_verifier_free(&v);
}

/* The draft's P-256 holder key, as a key a confused verifier might offer. */
static lp_pubkey p256_key(void)
{
	size_t n;
	uint8_t *pem = th_read_src("test-vectors/sd-cwt-es/holder_privkey.pem", &n);
	lp_pubkey k;
	lp_diag d = { 0 };
	cr_assert_eq(lp_pubkey_from_pem((const char *)pem, n, &k, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(k.kty, 2);
	cr_assert_eq(k.crv, 1);
	free(pem);
	return k;
}

/* The resolver hands out a P-256 key for the school's kid. */
static lp_err resolve_p256(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
			   const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	(void)iss, (void)kid, (void)kid_len, (void)alg, (void)vct, (void)has_iat, (void)iat, (void)d;
	*key = *(const lp_pubkey *)ctx;
	return LP_OK;
}

Test(forgery, p256_key_offered_for_an_eddsa_signature)
{
	lp_pubkey p256 = p256_key();
	lp_buf cred = hh_issue(HH_DIPLOMA, school_sk, holder_a_pk, HH_T0, 13);
	/* Raw COSE check. */
	lp_diag d = { 0 };
	lp_view pl;
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&cred), true, &p256, lp_view_of(NULL, 0), &pl, &d),
		     LP_ERR_ALG_MISMATCH, "%s", d.msg);
	cr_assert_null(pl.ptr);
	/* Through SD-CWT verification with a resolver that offers the P-256 key. */
	lp_sdcwt_verify_params vp;
	memset(&vp, 0, sizeof vp);
	vp.resolve = resolve_p256;
	vp.resolve_ctx = &p256;
	vp.now = HH_NOW;
	vp.aud = HH_AUD;
	lp_sdcwt_result r;
	cr_assert_eq(lp_sdcwt_verify_credential(lp_buf_view(&cred), &vp, &r), LP_ERR_ALG_MISMATCH, "%s",
		     r.diag.msg);
	cr_assert_null(r.claims_json);
	lp_sdcwt_result_free(&r);
	lp_buf pres = hh_present(lp_buf_view(&cred), NULL, 0, holder_a_sk, HH_NOW, NULL, 0);
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&pres), &vp, &r), LP_ERR_ALG_MISMATCH, "%s", r.diag.msg);
	cr_assert_null(r.claims_json);
	lp_sdcwt_result_free(&r);
	/* A school description that lists a P-256 key under our kid: a trust
	 * store resolves it, and the EdDSA credential still fails. */
	lp_issuer_key_entry ke = { HH_KID, &p256, Y2020, 0 };
	lp_issuer_desc_params dp = { .id = HH_ISS, .name = "ROC Voorbeeld", .country = "NL", .keys = &ke,
				     .n_keys = 1 };
	lp_buf desc = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&dp, &desc), LP_OK);
	hh_verifier v;
	hh_verifier_init_empty(&v);
	cr_assert_eq(lp_trust_pin(v.ts, lp_buf_view(&desc), &d), LP_OK, "%s", d.msg);
	expect(&v, &cred, true, LP_ERR_ALG_MISMATCH, "EdDSA credential, P-256 key in the trust store");
	expect(&v, &pres, false, LP_ERR_ALG_MISMATCH, "EdDSA presentation, P-256 key in the trust store");
	hh_verifier_free(&v);
	lp_buf_free(&desc);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
}

Test(forgery, es256_header_with_an_ed25519_signature)
{
	/* An ES256 signature is r || s, 64 bytes: the same size as Ed25519's.
	 * A message that says ES256 but carries an Ed25519 signature by the
	 * school's key must not verify with either kind of key. */
	lp_buf cred = hh_issue(HH_MICRO, school_sk, holder_a_pk, HH_T0, 14);
	lp_buf prot = cred_protected_with_alg(lp_buf_view(&cred), LP_ALG_ES256);
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&cred), true, &s, NULL), LP_OK);
	uint8_t sig[64];
	sign_tbs(sig, lp_buf_view(&prot), s.payload, school_sk);
	lp_buf forged = sign1_encode(lp_buf_view(&prot), s.unprotected, s.payload, lp_view_of(sig, 64));
	lp_sign1_free(&s);

	lp_pubkey ed, p256 = p256_key();
	lp_pubkey_ed25519(&ed, school_pk);
	lp_diag d = { 0 };
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&forged), true, &ed, lp_view_of(NULL, 0), NULL, &d),
		     LP_ERR_ALG_MISMATCH, "%s", d.msg);
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&forged), true, &p256, lp_view_of(NULL, 0), NULL, &d),
		     LP_ERR_SIGNATURE, "%s", d.msg);
	/* As a credential with the real trust store, and inside a presentation. */
	hh_verifier v;
	hh_verifier_init(&v, school_pk);
	expect(&v, &forged, true, LP_ERR_ALG_MISMATCH, "ES256 header, Ed25519 signature");
	lp_buf pres = hh_present(lp_buf_view(&cred), NULL, 0, holder_a_sk, HH_NOW, NULL, 0);
	struct kbt_edit ed2 = { .cred_prot = &prot, .cred_sig = sig };
	lp_buf fp = kbt_rebuild(lp_buf_view(&pres), &ed2, holder_a_sk);
	expect(&v, &fp, false, LP_ERR_ALG_MISMATCH, "presentation of it");
	/* And the SD-KBT itself with an ES256 header over an Ed25519 signature
	 * by the right holder key. */
	lp_sign1 k;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&pres), true, &k, NULL), LP_OK);
	cbor_item_t *pm = cbor_new_definite_map(3);
	struct cbor_pair *pp = cbor_map_handle(k.protected_map);
	for (size_t i = 0; i < cbor_map_size(k.protected_map); i++) {
		int64_t key;
		if (lp_cbor_get_int(pp[i].key, &key) && key == LP_HDR_ALG)
			cr_assert(lp_cbor_map_put(pm, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_ES256)));
		else
			cr_assert(cbor_map_add(pm, (struct cbor_pair){ .key = pp[i].key, .value = pp[i].value }));
	}
	lp_buf pb = { 0 };
	cr_assert_eq(lp_cbor_encode(pm, &pb), LP_OK);
	uint8_t hsig[64];
	sign_tbs(hsig, lp_buf_view(&pb), k.payload, holder_a_sk);
	cbor_item_t *empty = cbor_new_definite_map(0);
	lp_buf fk = sign1_encode(lp_buf_view(&pb), empty, k.payload, lp_view_of(hsig, 64));
	cbor_decref(&empty);
	cbor_decref(&pm);
	lp_sign1_free(&k);
	lp_err e;
	cr_assert_not(hh_verify(&v, lp_buf_view(&fk), false, &e, NULL));
	cr_assert(e == LP_ERR_HOLDER_BINDING || e == LP_ERR_ALG_MISMATCH, "%s", lp_err_code(e));

	lp_buf_free(&fk);
	lp_buf_free(&pb);
	lp_buf_free(&fp);
	lp_buf_free(&pres);
	hh_verifier_free(&v);
	lp_buf_free(&forged);
	lp_buf_free(&prot);
	lp_buf_free(&cred);
}
