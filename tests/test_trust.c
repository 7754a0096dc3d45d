/* Trust: issuer descriptions, anchors, signed trust lists and resolve
 * (unknown issuer or kid, retired keys, types, recognition periods,
 * predecessors after a merger, pins, tampered lists), and status tokens
 * checked against the store. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cose_int.h"
#include "helper_trust.h"
#include "internal.h"
#include "leerpas/sdcwt.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

#define Y2020 1577836800
#define Y2022 1640995200
#define Y2024 1704067200
#define Y2026 1767225600
#define Y2027 1798761600
#define Y2030 1893456000
#define Y2046 2398377600

#define A_ID "https://roc-a.example"
#define B_ID "https://hbo-b.example"
#define C_ID "https://roc-c.example"
#define D_ID "https://training-d.example"
#define ANCHOR "https://nvao.example"

static uint8_t a1_pk[32], a1_sk[64], a2_pk[32], a2_sk[64], b_pk[32], b_sk[64];
static uint8_t c_pk[32], c_sk[64], d_pk[32], d_sk[64], an_pk[32], an_sk[64];
static uint8_t evil_pk[32], evil_sk[64];

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	th_keypair(1, a1_pk, a1_sk);
	th_keypair(2, a2_pk, a2_sk);
	th_keypair(3, b_pk, b_sk);
	th_keypair(4, c_pk, c_sk);
	th_keypair(5, d_pk, d_sk);
	th_keypair(6, an_pk, an_sk);
	th_keypair(7, evil_pk, evil_sk);
}

TestSuite(trust, .init = setup);

/* School C (merged into A in 2024), one key. */
static lp_buf desc_c(void)
{
	lp_pubkey k;
	lp_pubkey_ed25519(&k, c_pk);
	lp_issuer_key_entry keys[] = { { "c1", &k, Y2020, Y2024 } };
	lp_issuer_desc_params p = { .id = C_ID, .name = "ROC C", .country = "NL",
				    .keys = keys, .n_keys = 1 };
	lp_buf out = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&p, &out), LP_OK);
	return out;
}

/* School A: key a1 retired at the start of 2026, a2 current; C is its
 * predecessor. */
static lp_buf desc_a(void)
{
	lp_pubkey k1, k2;
	lp_pubkey_ed25519(&k1, a1_pk);
	lp_pubkey_ed25519(&k2, a2_pk);
	lp_issuer_key_entry keys[] = { { "a1", &k1, Y2020, Y2026 }, { "a2", &k2, Y2026, 0 } };
	lp_buf c = desc_c();
	lp_view preds[] = { lp_buf_view(&c) };
	lp_issuer_desc_params p = { .id = A_ID, .name = "ROC A", .country = "NL", .keys = keys,
				    .n_keys = 2, .predecessors = preds, .n_predecessors = 1 };
	lp_buf out = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&p, &out), LP_OK);
	lp_buf_free(&c);
	return out;
}

static lp_buf desc_simple(const char *id, const char *kid, const uint8_t pk[32],
			  const char *const *types, size_t ntypes)
{
	lp_pubkey k;
	lp_pubkey_ed25519(&k, pk);
	lp_issuer_key_entry keys[] = { { kid, &k, Y2020, 0 } };
	lp_issuer_desc_params p = { .id = id, .name = "School", .country = "NL", .keys = keys,
				    .n_keys = 1, .credential_types = types, .n_types = ntypes };
	lp_buf out = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&p, &out), LP_OK);
	return out;
}

/* The unsigned list: A for every type from 2020, B for microcredentials from
 * 2027. */
static lp_buf unsigned_list(int64_t issued_at)
{
	lp_buf l0 = { 0 }, l1 = { 0 }, l2 = { 0 };
	cr_assert_eq(lp_trust_list_new(ANCHOR, issued_at, &l0), LP_OK);
	lp_buf a = desc_a(), b = desc_simple(B_ID, "b1", b_pk, NULL, 0);
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&l0), lp_buf_view(&a), Y2020, 0, NULL, 0, &l1, &d),
		     LP_OK, "%s", d.msg);
	const char *micro[] = { "urn:leerpas:micro" };
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&l1), lp_buf_view(&b), Y2027, 0, micro, 1, &l2, &d),
		     LP_OK, "%s", d.msg);
	lp_buf_free(&l0);
	lp_buf_free(&l1);
	lp_buf_free(&a);
	lp_buf_free(&b);
	return l2;
}

static lp_buf anchor_file(const uint8_t pk[32])
{
	lp_buf out = { 0 };
	cr_assert_eq(lp_trust_anchor_write(ANCHOR, "Accreditation body", NULL, pk, &out), LP_OK);
	return out;
}

static lp_trust_store *store_with_list(void)
{
	lp_trust_store *ts;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	lp_buf an = anchor_file(an_pk);
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_add_anchor(ts, lp_buf_view(&an), &d), LP_OK, "%s", d.msg);
	lp_buf l = unsigned_list(Y2027), s = { 0 };
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, 0, an_sk, &s, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), &d), LP_OK, "%s", d.msg);
	lp_buf_free(&an);
	lp_buf_free(&l);
	lp_buf_free(&s);
	return ts;
}

static lp_view kid(const char *k)
{
	return lp_view_of((const uint8_t *)k, strlen(k));
}

Test(trust, resolve_outcomes)
{
	lp_trust_store *ts = store_with_list();
	lp_pubkey a1, a2, c;
	lp_pubkey_ed25519(&a1, a1_pk);
	lp_pubkey_ed25519(&a2, a2_pk);
	lp_pubkey_ed25519(&c, c_pk);
	struct {
		const char *iss, *kid, *vct;
		int64_t iat, at;
		lp_err want;
		const lp_pubkey *key;
		const char *msg;
	} cases[] = {
		/* a retired key still verifies what it signed while current, decades on */
		{ A_ID, "a1", "urn:leerpas:diploma", Y2024, Y2046, LP_OK, &a1, NULL },
		{ A_ID, "a2", "urn:leerpas:diploma", Y2027, Y2027 + 10, LP_OK, &a2, NULL },
		/* a retired key used after its end date */
		{ A_ID, "a1", "urn:leerpas:diploma", Y2027, Y2027 + 10, LP_ERR_KEY_PERIOD, NULL, "validity" },
		/* a key used before it began */
		{ A_ID, "a2", "urn:leerpas:diploma", Y2024, Y2027, LP_ERR_KEY_PERIOD, NULL, "validity" },
		{ A_ID, "zz", "urn:leerpas:diploma", Y2024, Y2027, LP_ERR_UNTRUSTED, NULL, "kid" },
		{ A_ID, "", "urn:leerpas:diploma", Y2024, Y2027, LP_ERR_UNTRUSTED, NULL, "kid" },
		{ "https://unknown.example", "a1", NULL, Y2024, Y2027, LP_ERR_UNTRUSTED, NULL, "not in the trust store" },
		/* B: microcredentials only, recognised from 2027 */
		{ B_ID, "b1", "urn:leerpas:micro", Y2027 + 5, Y2027 + 10, LP_OK, NULL, NULL },
		{ B_ID, "b1", "urn:leerpas:diploma", Y2027 + 5, Y2027 + 10, LP_ERR_TYPE_NOT_ALLOWED, NULL, "type" },
		{ B_ID, "b1", "urn:leerpas:micro", Y2026, Y2027 + 10, LP_ERR_UNTRUSTED, NULL, "when the credential was issued" },
		{ B_ID, "b1", "urn:leerpas:micro", Y2026, Y2026 + 10, LP_ERR_UNTRUSTED, NULL, NULL },
		/* C merged into A: its credentials still verify, through A's listing */
		{ C_ID, "c1", "urn:leerpas:micro", Y2022, Y2046, LP_OK, &c, NULL },
		{ C_ID, "c1", "urn:leerpas:micro", Y2024 + 1, Y2046, LP_ERR_KEY_PERIOD, NULL, NULL },
		{ C_ID, "a1", "urn:leerpas:micro", Y2022, Y2046, LP_ERR_UNTRUSTED, NULL, NULL },
		/* validation before the school was recognised */
		{ A_ID, "a1", NULL, Y2024, Y2020 - 1, LP_ERR_UNTRUSTED, NULL, "recognised" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lp_trust_result r;
		lp_diag d = { 0 };
		lp_err rc = lp_trust_resolve(ts, cases[i].iss, kid(cases[i].kid), cases[i].vct,
					     cases[i].iat, cases[i].at, &r, &d);
		cr_assert_eq(rc, cases[i].want, "case %zu: got %s (%s)", i, lp_err_code(rc), d.msg);
		if (cases[i].key)
			cr_assert(lp_pubkey_equal(&r.key, cases[i].key), "case %zu: wrong key", i);
		if (rc == LP_OK) {
			cr_assert_str_eq(r.issuer_id, cases[i].iss);
			cr_assert_str_eq(r.source, ANCHOR);
		} else {
			cr_assert_eq(r.key.kty, 0, "case %zu: output not zeroed", i);
			if (cases[i].msg)
				cr_assert(strstr(d.msg, cases[i].msg) != NULL, "case %zu: %s", i, d.msg);
		}
	}
	lp_trust_result r;
	cr_assert_eq(lp_trust_resolve(ts, C_ID, kid("c1"), NULL, Y2022, Y2046, &r, NULL), LP_OK);
	cr_assert_str_eq(r.successor_id, A_ID);
	cr_assert_str_eq(r.issuer_name, "ROC C");
	cr_assert_eq(r.key_valid_until, Y2024);
	lp_trust_store_free(ts);
}

/* Replace the payload of a COSE_Sign1, keeping header and signature. */
static lp_buf swap_payload(lp_view cose, lp_view payload)
{
	cbor_item_t *it = NULL;
	cr_assert_eq(lp_cbor_load(cose, 16, &it, NULL), LP_OK);
	cbor_item_t *arr = cbor_tag_item(it);
	cbor_item_t *np = cbor_build_bytestring(payload.ptr, payload.len);
	cr_assert(cbor_array_replace(arr, 2, np));
	cbor_decref(&np);
	cbor_decref(&arr);
	lp_buf out = { 0 };
	cr_assert_eq(lp_cbor_encode(it, &out), LP_OK);
	cbor_decref(&it);
	return out;
}

Test(trust, list_with_a_school_added_after_signing_fails)
{
	lp_trust_store *ts;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	lp_buf an = anchor_file(an_pk);
	cr_assert_eq(lp_trust_add_anchor(ts, lp_buf_view(&an), NULL), LP_OK);
	lp_buf l = unsigned_list(Y2027), s = { 0 };
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, 0, an_sk, &s, NULL), LP_OK);

	/* The same list with the evil school appended after signing. */
	lp_buf signed_json = { 0 };
	lp_sign1 s1;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&s), true, &s1, NULL), LP_OK);
	cr_assert_eq(lp_buf_dup(&signed_json, s1.payload.ptr, s1.payload.len), LP_OK);
	lp_sign1_free(&s1);
	lp_buf evil = desc_simple("https://evil.example", "e1", evil_pk, NULL, 0), l2 = { 0 };
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&signed_json), lp_buf_view(&evil), Y2020, 0, NULL, 0,
				       &l2, NULL), LP_OK);
	lp_buf forged = swap_payload(lp_buf_view(&s), lp_buf_view(&l2));
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&forged), &d), LP_ERR_SIGNATURE, "%s", d.msg);
	lp_trust_result r;
	cr_assert_eq(lp_trust_resolve(ts, "https://evil.example", kid("e1"), NULL, Y2024, Y2027, &r, NULL),
		     LP_ERR_UNTRUSTED);
	/* the untouched signed list is accepted (the test changes one thing) */
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), NULL), LP_OK);
	/* and every single-byte change of it is refused */
	lp_trust_store *fresh;
	cr_assert_eq(lp_trust_store_new(&fresh), LP_OK);
	cr_assert_eq(lp_trust_add_anchor(fresh, lp_buf_view(&an), NULL), LP_OK);
	for (size_t i = 0; i < s.len; i += (i < 64 ? 1 : 7)) {
		s.ptr[i] ^= 0x20;
		cr_assert_neq(lp_trust_add_list(fresh, lp_buf_view(&s), NULL), LP_OK, "byte %zu", i);
		s.ptr[i] ^= 0x20;
	}
	lp_trust_store_free(fresh);
	lp_buf_free(&forged);
	lp_buf_free(&l2);
	lp_buf_free(&evil);
	lp_buf_free(&signed_json);
	lp_buf_free(&an);
	lp_buf_free(&l);
	lp_buf_free(&s);
	lp_trust_store_free(ts);
}

Test(trust, list_from_unknown_anchor_or_naming_another_anchor)
{
	lp_trust_store *ts;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	lp_buf l = unsigned_list(Y2027), s = { 0 };
	/* no anchors configured */
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, 0, an_sk, &s, NULL), LP_OK);
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), &d), LP_ERR_UNTRUSTED);
	cr_assert(strstr(d.msg, "anchor") != NULL);
	/* the anchor's id, but signed by another key */
	lp_buf an = anchor_file(an_pk);
	cr_assert_eq(lp_trust_add_anchor(ts, lp_buf_view(&an), NULL), LP_OK);
	lp_buf_free(&s);
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, 0, evil_sk, &s, NULL), LP_OK);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), NULL), LP_ERR_SIGNATURE);
	/* signed by a second configured anchor but naming the first */
	lp_buf an2 = { 0 };
	cr_assert_eq(lp_trust_anchor_write("https://other-anchor.example", NULL, NULL, evil_pk, &an2),
		     LP_OK);
	cr_assert_eq(lp_trust_add_anchor(ts, lp_buf_view(&an2), NULL), LP_OK);
	lp_buf_free(&s);
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), "https://other-anchor.example", 0, evil_sk, &s,
					 NULL), LP_OK);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), &d), LP_ERR_UNTRUSTED);
	cr_assert(strstr(d.msg, "signed by anchor") != NULL, "%s", d.msg);
	/* the same anchor id with a different key is refused */
	lp_buf an3 = anchor_file(evil_pk);
	cr_assert_eq(lp_trust_add_anchor(ts, lp_buf_view(&an3), NULL), LP_ERR_EXISTS);
	lp_trust_result r;
	cr_assert_eq(lp_trust_resolve(ts, A_ID, kid("a2"), NULL, Y2027, Y2027, &r, NULL),
		     LP_ERR_UNTRUSTED);
	lp_buf_free(&an);
	lp_buf_free(&an2);
	lp_buf_free(&an3);
	lp_buf_free(&l);
	lp_buf_free(&s);
	lp_trust_store_free(ts);
}

Test(trust, older_list_refused_newer_replaces)
{
	lp_trust_store *ts = store_with_list(); /* issued 2027 */
	lp_buf l = { 0 }, s = { 0 };
	cr_assert_eq(lp_trust_list_new(ANCHOR, Y2026, &l), LP_OK);
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, 0, an_sk, &s, NULL), LP_OK);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), NULL), LP_ERR_POLICY);
	lp_trust_result r;
	cr_assert_eq(lp_trust_resolve(ts, A_ID, kid("a2"), NULL, Y2027, Y2027, &r, NULL), LP_OK);
	/* an empty list issued later replaces it: A is no longer known */
	lp_buf_free(&s);
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, Y2030, an_sk, &s, NULL), LP_OK);
	cr_assert_eq(lp_trust_add_list(ts, lp_buf_view(&s), NULL), LP_OK);
	cr_assert_eq(lp_trust_resolve(ts, A_ID, kid("a2"), NULL, Y2027, Y2030, &r, NULL),
		     LP_ERR_UNTRUSTED);
	lp_buf_free(&l);
	lp_buf_free(&s);
	lp_trust_store_free(ts);
}

Test(trust, pinned_school)
{
	lp_trust_store *ts;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	const char *types[] = { "urn:leerpas:course" };
	lp_buf dd = desc_simple(D_ID, "d1", d_pk, types, 1);
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_pin(ts, lp_buf_view(&dd), &d), LP_OK, "%s", d.msg);
	lp_trust_result r;
	cr_assert_eq(lp_trust_resolve(ts, D_ID, kid("d1"), "urn:leerpas:course", Y2024, Y2046, &r, NULL),
		     LP_OK);
	cr_assert_str_eq(r.source, "pinned");
	cr_assert_eq(lp_trust_resolve(ts, D_ID, kid("d1"), "urn:leerpas:diploma", Y2024, Y2046, &r, NULL),
		     LP_ERR_TYPE_NOT_ALLOWED);
	cr_assert_eq(lp_trust_resolve(ts, D_ID, kid("d1"), NULL, Y2020 - 1, Y2046, &r, NULL),
		     LP_ERR_KEY_PERIOD);
	/* pinning again replaces, no duplicate */
	cr_assert_eq(lp_trust_pin(ts, lp_buf_view(&dd), NULL), LP_OK);
	lp_buf js = { 0 };
	cr_assert_eq(lp_trust_store_describe(ts, &js), LP_OK);
	json_t *j = json_loadb((const char *)js.ptr, js.len, 0, NULL);
	cr_assert_not_null(j);
	json_t *schools = json_object_get(j, "schools");
	cr_assert_eq(json_array_size(schools), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(schools, 0), "id")), D_ID);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(schools, 0), "source")),
			 "pinned");
	json_decref(j);
	lp_buf_free(&js);
	lp_buf_free(&dd);
	lp_trust_store_free(ts);
}

Test(trust, describe_lists_everything)
{
	lp_trust_store *ts = store_with_list();
	lp_buf js = { 0 };
	cr_assert_eq(lp_trust_store_describe(ts, &js), LP_OK);
	json_t *j = json_loadb((const char *)js.ptr, js.len, 0, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(json_array_size(json_object_get(j, "anchors")), 1);
	cr_assert_eq(json_array_size(json_object_get(j, "lists")), 1);
	json_t *schools = json_object_get(j, "schools");
	cr_assert_eq(json_array_size(schools), 2);
	json_t *a = json_array_get(schools, 0);
	cr_assert_str_eq(json_string_value(json_object_get(a, "id")), A_ID);
	cr_assert_eq(json_array_size(json_object_get(a, "keys")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(a, "keys"), 0),
							   "valid_until")), "2026-01-01T00:00:00Z");
	cr_assert_eq(json_array_size(json_object_get(a, "predecessors")), 1);
	json_decref(j);
	lp_buf_free(&js);
	lp_trust_store_free(ts);
}

Test(trust, status_token_checked_against_store)
{
	lp_trust_store *ts = store_with_list();
	lp_status_list l;
	cr_assert_eq(lp_status_list_create(&l, 100, 2), LP_OK);
	cr_assert_eq(lp_status_list_set(&l, 7, LP_STATUS_INVALID), LP_OK);
	lp_status_token_params p = { .uri = "https://roc-a.example/status/1", .iat = Y2027,
				     .ttl = 86400, .kid = (const uint8_t *)"a2", .kid_len = 2 };
	lp_buf tok = { 0 };
	cr_assert_eq(lp_status_token_sign(&l, &p, a2_sk, &tok), LP_OK);
	lp_status_token t;
	char *who = NULL;
	lp_diag d = { 0 };
	cr_assert_eq(lp_trust_verify_status(ts, lp_buf_view(&tok), 0, &t, &who, &d), LP_OK, "%s", d.msg);
	cr_assert_str_eq(who, A_ID);
	unsigned v;
	cr_assert_eq(lp_status_list_get(&t.list, 7, &v), LP_OK);
	cr_assert_eq(v, LP_STATUS_INVALID);
	free(who);
	lp_status_token_free(&t);
	lp_buf_free(&tok);
	/* signed by a key nobody trusts, under A's kid */
	cr_assert_eq(lp_status_token_sign(&l, &p, evil_sk, &tok), LP_OK);
	cr_assert_eq(lp_trust_verify_status(ts, lp_buf_view(&tok), 0, &t, &who, NULL), LP_ERR_UNTRUSTED);
	cr_assert_null(who);
	cr_assert_null(t.uri);
	lp_buf_free(&tok);
	lp_status_list_free(&l);
	lp_trust_store_free(ts);
}

Test(trust, malformed_descriptions_rejected)
{
	static const char *bad[] = {
		"",
		"[]",
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\"}",
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[]}",
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NLD\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		"{\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		/* 31-byte key */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		/* alg ES256 with an Ed25519 x */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"ES256\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		/* valid_until before valid_from */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":\"2026-01-01\",\"valid_until\":\"2025-01-01\"}]}",
		/* no valid_from */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}",
		/* duplicate kid */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0},{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		/* duplicate JSON member */
		"{\"id\":\"x\",\"id\":\"y\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		/* predecessors not a list */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"predecessors\":{},\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}",
		/* unparseable time */
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":\"next tuesday\"}]}",
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		lp_diag d = { 0 };
		lp_err rc = lp_issuer_desc_check(lp_view_of((const uint8_t *)bad[i], strlen(bad[i])), &d);
		cr_assert_neq(rc, LP_OK, "case %zu accepted", i);
		cr_assert_neq(d.msg[0], 0, "case %zu: no message", i);
	}
	static const char good[] =
		"{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}]}";
	cr_assert_eq(lp_issuer_desc_check(lp_view_of((const uint8_t *)good, strlen(good)), NULL), LP_OK);
	/* deep predecessor nesting stops */
	char deep[16384] = "";
	for (int i = 0; i < 8; i++)
		strcat(deep, "{\"id\":\"x\",\"name\":\"n\",\"country\":\"NL\",\"keys\":[{\"kid\":\"k\",\"alg\":\"EdDSA\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"valid_from\":0}],\"predecessors\":[");
	strcat(deep, "]");
	for (int i = 0; i < 8; i++)
		strcat(deep, i == 7 ? "}" : "}]");
	cr_assert_neq(lp_issuer_desc_check(lp_view_of((const uint8_t *)deep, strlen(deep)), NULL), LP_OK);
}

Test(trust, p256_key_entry_round_trip)
{
	/* An EC key entry is written as a COSE_Key and read back. */
	static const char *hex =
		"a50102032620012158 2065eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d"
		"2258201e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c";
	size_t n;
	uint8_t *ck = th_unhex(hex, &n);
	lp_pubkey k;
	cr_assert_eq(lp_pubkey_from_cose(lp_view_of(ck, n), &k, NULL), LP_OK);
	lp_issuer_key_entry keys[] = { { "ec1", &k, Y2020, 0 } };
	lp_issuer_desc_params p = { .id = "https://ec.example", .name = "EC school", .country = "DE",
				    .keys = keys, .n_keys = 1 };
	lp_buf out = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&p, &out), LP_OK);
	cr_assert(strstr((char *)out.ptr, "\"ES256\"") != NULL);
	lp_trust_store *ts;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	cr_assert_eq(lp_trust_pin(ts, lp_buf_view(&out), NULL), LP_OK);
	lp_trust_result r;
	cr_assert_eq(lp_trust_resolve(ts, "https://ec.example", kid("ec1"), NULL, Y2024, Y2024, &r, NULL),
		     LP_OK);
	cr_assert(lp_pubkey_equal(&r.key, &k));
	lp_trust_store_free(ts);
	lp_buf_free(&out);
	free(ck);
}

Test(trust, times)
{
	int64_t t;
	cr_assert_eq(lp_trust_time_parse("2026-01-01T00:00:00Z", &t), LP_OK);
	cr_assert_eq(t, Y2026);
	cr_assert_eq(lp_trust_time_parse("2026-01-01", &t), LP_OK);
	cr_assert_eq(t, Y2026);
	cr_assert_eq(lp_trust_time_parse("1767225600", &t), LP_OK);
	cr_assert_eq(t, Y2026);
	cr_assert_eq(lp_trust_time_parse("2026-01-01T00:00:00+00:00", &t), LP_OK);
	cr_assert_eq(t, Y2026);
	static const char *bad[] = { "", "2026-13-01", "2026-01-01T00:00:00+01:00", "yesterday",
				     "2026-01-01T25:00:00Z", "1e9" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(lp_trust_time_parse(bad[i], &t), LP_ERR_ARG, "%s", bad[i]);
	char buf[32];
	lp_trust_time_format(Y2046, buf);
	cr_assert_str_eq(buf, "2046-01-01T00:00:00Z");
}

/* The worked examples of docs/format/trust.md: school A's description, the
 * anchor file and the signed list (seeds as in setup, issued 2027). */
Test(trust, format_example)
{
	lp_buf a = desc_a(), an = anchor_file(an_pk), l = unsigned_list(Y2027), s = { 0 };
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l), ANCHOR, 0, an_sk, &s, NULL), LP_OK);
	cr_assert(th_check_example("issuer-description.json", a.ptr, a.len));
	cr_assert(th_check_example("trust-anchor.json", an.ptr, an.len));
	cr_assert(th_check_example("trust-list", s.ptr, s.len));
	lp_buf_free(&a);
	lp_buf_free(&an);
	lp_buf_free(&l);
	lp_buf_free(&s);
}

/* The resolver plugged into the SD-CWT verifier: a credential signed by a
 * current key verifies; one signed by the retired key after its end date is
 * refused with key_period; an unlisted type with type_not_allowed. */
static const char claims_min[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC A\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2026-06-30\",\"fullName\":\"Sanne de Vries\"}";

static lp_err issue_and_verify(const char *iss, const char *kidtxt, const uint8_t *sk,
			       const char *vct, int64_t iat, int64_t now, lp_trust_store *ts,
			       lp_trust_resolver *res)
{
	uint8_t hpk[32], hsk[64];
	th_keypair(99, hpk, hsk);
	lp_pubkey holder;
	lp_pubkey_ed25519(&holder, hpk);
	lp_sdcwt_issue_params ip;
	lp_sdcwt_issue_params_init(&ip);
	ip.iss = iss;
	ip.kid = (const uint8_t *)kidtxt;
	ip.kid_len = strlen(kidtxt);
	ip.vct = vct;
	ip.iat = iat;
	ip.holder = &holder;
	ip.claims_json = claims_min;
	ip.claims_json_len = strlen(claims_min);
	lp_buf cred = { 0 }, pres = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_issue(&ip, sk, &cred, NULL, &d), LP_OK, "%s", d.msg);
	lp_sdcwt_present_params pp = { .aud = "leerpas:walk-up", .iat = now };
	cr_assert_eq(lp_sdcwt_present(lp_buf_view(&cred), &pp, hsk, &pres, &d), LP_OK, "%s", d.msg);
	res->ts = ts;
	res->at = now;
	lp_sdcwt_verify_params vp = { .resolve = lp_trust_issuer_key, .resolve_ctx = res,
				      .now = now, .skew = 300, .aud = "leerpas:walk-up" };
	lp_sdcwt_result r;
	lp_err rc = lp_sdcwt_verify(lp_buf_view(&pres), &vp, &r);
	lp_sdcwt_result_free(&r);
	lp_buf_free(&cred);
	lp_buf_free(&pres);
	return rc;
}

Test(trust, resolver_in_sdcwt_verification)
{
	lp_trust_store *ts = store_with_list();
	lp_trust_resolver res;
	cr_assert_eq(issue_and_verify(A_ID, "a2", a2_sk, "urn:leerpas:diploma", Y2027, Y2027 + 60, ts,
				      &res), LP_OK);
	cr_assert_str_eq(res.result.issuer_name, "ROC A");
	cr_assert_eq(issue_and_verify(A_ID, "a1", a1_sk, "urn:leerpas:diploma", Y2027, Y2027 + 60, ts,
				      &res), LP_ERR_KEY_PERIOD);
	cr_assert_eq(issue_and_verify(A_ID, "a1", a1_sk, "urn:leerpas:diploma", Y2024, Y2046, ts, &res),
		     LP_OK, "a 2024 diploma verifies in 2046");
	cr_assert_eq(issue_and_verify(B_ID, "b1", b_sk, "urn:leerpas:diploma", Y2027, Y2027 + 60, ts,
				      &res), LP_ERR_TYPE_NOT_ALLOWED);
	/* the right kid but another key: the signature check fails */
	cr_assert_eq(issue_and_verify(A_ID, "a2", evil_sk, "urn:leerpas:diploma", Y2027, Y2027 + 60, ts,
				      &res), LP_ERR_SIGNATURE);
	cr_assert_eq(issue_and_verify("https://nobody.example", "a2", a2_sk, "urn:leerpas:diploma", Y2027,
				      Y2027 + 60, ts, &res), LP_ERR_UNTRUSTED);
	lp_trust_store_free(ts);
}
