/* COSE_Sign1 tests: the cose-wg EdDSA examples, the SD-CWT draft's ES256/ES384
 * examples, our own ES256/ES384 signatures made with OpenSSL, a table of
 * malformed messages, and single-byte tampering of whole messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "cose_int.h"

#define VEC(p) LP_SOURCE_DIR "/test-vectors/" p

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(cose, .init = setup);

/* --- helpers --------------------------------------------------------------- */

static uint8_t *hex_decode(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *out;
	size_t bin_len = 0;

	cr_assert_eq(n % 2, 0, "odd hex length");
	out = malloc(n / 2 + 1);
	cr_assert_not_null(out);
	cr_assert_eq(sodium_hex2bin(out, n / 2 + 1, hex, n, NULL, &bin_len, NULL), 0, "bad hex");
	cr_assert_eq(bin_len, n / 2);
	*len = bin_len;
	return out;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert(n >= 0 && n < 1000000);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	cr_assert_not_null(j, "%s: %s", path, err.text);
	return j;
}

static const char *jstr(json_t *obj, const char *path1, const char *path2, const char *path3)
{
	json_t *v = json_object_get(obj, path1);
	if (path2)
		v = json_object_get(v, path2);
	if (path3)
		v = json_object_get(v, path3);
	cr_assert(json_is_string(v), "missing %s/%s/%s", path1, path2 ? path2 : "", path3 ? path3 : "");
	return json_string_value(v);
}

static lp_pubkey pem_key(const char *path)
{
	size_t len;
	char *pem = (char *)slurp(path, &len);
	lp_pubkey k;
	lp_diag d;
	cr_assert_eq(lp_pubkey_from_pem(pem, len, &k, &d), LP_OK, "%s: %s", path, d.msg);
	free(pem);
	return k;
}

/* The RFC 8032 TEST 1 key used by eddsa-sig-01. */
static lp_pubkey sig01_key(void)
{
	size_t n;
	uint8_t *x = hex_decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", &n);
	lp_pubkey k;
	lp_pubkey_ed25519(&k, x);
	free(x);
	return k;
}

/* --- cose-wg eddsa-sig-01 and -02 ----------------------------------------- */

Test(cose, eddsa_sig_01_sig_structure_and_verify)
{
	json_t *j = load_json(VEC("cose-wg-eddsa/eddsa-sig-01.json"));
	size_t mlen, tlen, xlen;
	uint8_t *msg = hex_decode(jstr(j, "output", "cbor", NULL), &mlen);
	uint8_t *tbs = hex_decode(jstr(j, "intermediates", "ToBeSign_hex", NULL), &tlen);
	uint8_t *x = hex_decode(json_string_value(json_object_get(
				    json_object_get(json_object_get(json_object_get(j, "input"), "sign0"), "key"), "x_hex")),
				&xlen);
	const char *plain = jstr(j, "input", "plaintext", NULL);
	lp_sign1 s;
	lp_buf mine = { NULL, 0 };
	lp_pubkey k;
	lp_view payload;
	lp_diag d;

	cr_assert_eq(xlen, 32);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, mlen), true, &s, &d), LP_OK, "%s", d.msg);
	cr_assert(s.tagged);
	cr_assert_eq(s.alg, LP_ALG_EDDSA);
	cr_assert_eq(s.signature.len, 64);
	cr_assert_eq(s.payload.len, strlen(plain));
	cr_assert_eq(memcmp(s.payload.ptr, plain, s.payload.len), 0);
	/* views point into the input */
	cr_assert(s.payload.ptr > msg && s.payload.ptr < msg + mlen);
	cr_assert_eq(lp_sign1_tbs(s.protected_bstr, lp_view_of(NULL, 0), s.payload, &mine), LP_OK);
	cr_assert_eq(mine.len, tlen);
	cr_assert_eq(memcmp(mine.ptr, tbs, tlen), 0, "our Sig_structure differs from ToBeSign_hex");

	lp_pubkey_ed25519(&k, x);
	cr_assert_eq(lp_sign1_verify(&s, &k, lp_view_of(NULL, 0)), LP_OK);
	/* a different external_aad changes the Sig_structure */
	cr_assert_eq(lp_sign1_verify(&s, &k, lp_view_of((const uint8_t *)"x", 1)), LP_ERR_SIGNATURE);
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, mlen), true, &k, lp_view_of(NULL, 0), &payload, &d), LP_OK,
		     "%s", d.msg);
	cr_assert_eq(payload.ptr, s.payload.ptr);
	cr_assert_eq(payload.len, strlen(plain));

	lp_sign1_free(&s);
	cr_assert_null(s.root);
	lp_buf_free(&mine);
	free(msg);
	free(tbs);
	free(x);
	json_decref(j);
}

/* Re-signing eddsa-sig-01 with its key gives the identical bytes: Ed25519 is
 * deterministic, and our encoding of the headers is the example's. */
static void resign_sig01(bool give_alg)
{
	json_t *j = load_json(VEC("cose-wg-eddsa/eddsa-sig-01.json"));
	json_t *key = json_object_get(json_object_get(json_object_get(j, "input"), "sign0"), "key");
	size_t mlen, dlen;
	uint8_t *msg = hex_decode(jstr(j, "output", "cbor", NULL), &mlen);
	uint8_t *seed = hex_decode(json_string_value(json_object_get(key, "d_hex")), &dlen);
	const char *plain = jstr(j, "input", "plaintext", NULL);
	uint8_t pk[32], sk[64];
	cbor_item_t *prot = cbor_new_definite_map(2), *unprot = cbor_new_definite_map(1);
	lp_buf out = { NULL, 0 };

	cr_assert_eq(dlen, 32);
	cr_assert_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
	if (give_alg)
		cr_assert(lp_cbor_map_put(prot, lp_cbor_int(1), lp_cbor_int(-8)));
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(3), lp_cbor_int(0)));
	cr_assert(lp_cbor_map_put(unprot, lp_cbor_int(4), cbor_build_bytestring((const uint8_t *)"11", 2)));
	cr_assert_eq(lp_sign1_create_ed25519(prot, unprot, lp_view_of((const uint8_t *)plain, strlen(plain)),
					     lp_view_of(NULL, 0), sk, &out),
		     LP_OK);
	cr_assert_eq(out.len, mlen);
	cr_assert_eq(memcmp(out.ptr, msg, mlen), 0, "re-signed bytes differ from the example");
	/* the caller's maps are borrowed, not changed */
	cr_assert_eq(cbor_map_size(prot), give_alg ? 2u : 1u);
	cr_assert_eq(cbor_refcount(prot), 1u);
	cr_assert_eq(cbor_refcount(unprot), 1u);
	lp_buf_free(&out);
	cbor_decref(&prot);
	cbor_decref(&unprot);
	sodium_memzero(sk, sizeof sk);
	free(msg);
	free(seed);
	json_decref(j);
}

Test(cose, eddsa_sig_01_resigns_identically)
{
	resign_sig01(true);
}

Test(cose, eddsa_sig_01_resigns_identically_alg_added)
{
	resign_sig01(false);
}

/* eddsa-sig-02 is Ed448: not supported. Its Sig_structure still matches,
 * its key is refused as unsupported, and no Ed25519 key verifies it. */
Test(cose, eddsa_sig_02_ed448_unsupported)
{
	json_t *j = load_json(VEC("cose-wg-eddsa/eddsa-sig-02.json"));
	json_t *key = json_object_get(json_object_get(json_object_get(j, "input"), "sign0"), "key");
	size_t mlen, tlen, xlen;
	uint8_t *msg = hex_decode(jstr(j, "output", "cbor", NULL), &mlen);
	uint8_t *tbs = hex_decode(jstr(j, "intermediates", "ToBeSign_hex", NULL), &tlen);
	uint8_t *x = hex_decode(json_string_value(json_object_get(key, "x_hex")), &xlen);
	cbor_item_t *ck = cbor_new_definite_map(3);
	lp_buf ck_bytes = { NULL, 0 }, mine = { NULL, 0 };
	lp_pubkey k, ed;
	lp_sign1 s;
	lp_diag d;

	cr_assert_str_eq(json_string_value(json_object_get(key, "crv")), "Ed448");
	cr_assert_eq(xlen, 57);
	cr_assert(lp_cbor_map_put(ck, lp_cbor_int(1), lp_cbor_int(1)));
	cr_assert(lp_cbor_map_put(ck, lp_cbor_int(-1), lp_cbor_int(7)));
	cr_assert(lp_cbor_map_put(ck, lp_cbor_int(-2), cbor_build_bytestring(x, xlen)));
	cr_assert_eq(lp_cbor_encode(ck, &ck_bytes), LP_OK);
	cr_assert_eq(lp_pubkey_from_cose(lp_buf_view(&ck_bytes), &k, &d), LP_ERR_UNSUPPORTED);
	cr_assert_eq(k.kty, 0);

	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, mlen), true, &s, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(s.alg, LP_ALG_EDDSA);
	cr_assert_eq(s.signature.len, 114);
	cr_assert_eq(lp_sign1_tbs(s.protected_bstr, lp_view_of(NULL, 0), s.payload, &mine), LP_OK);
	cr_assert_eq(mine.len, tlen);
	cr_assert_eq(memcmp(mine.ptr, tbs, tlen), 0);
	/* An Ed25519 key (same alg id) sees a 114-byte signature: rejected. */
	ed = sig01_key();
	cr_assert_eq(lp_sign1_verify(&s, &ed, lp_view_of(NULL, 0)), LP_ERR_SIGNATURE);
	lp_sign1_free(&s);
	lp_buf_free(&ck_bytes);
	lp_buf_free(&mine);
	cbor_decref(&ck);
	free(msg);
	free(tbs);
	free(x);
	json_decref(j);
}

/* --- negative table -------------------------------------------------------- */

#define PROT "45A201270300"
#define UNPROT "A104423131"
#define PAYLOAD "54546869732069732074686520636F6E74656E742E"
#define SIGB "7142FD2FF96D56DB85BEE905A76BA1D0B7321A95C8C4D3607C5781932B7AFB8711497DFA751BF40B58B3BCC32300B1487F3DB34085EEF013BF08F4A44D6FEF0D"
#define SIG "5840" SIGB
#define BODY PROT UNPROT PAYLOAD SIG

struct bad_case {
	const char *name;
	const char *hex;
	bool require_tag;
	lp_err expect;
};

static const struct bad_case cases[] = {
	{ "valid, tagged", "D284" BODY, true, LP_OK },
	{ "valid, untagged, tag optional", "84" BODY, false, LP_OK },
	{ "untagged when the tag is required", "84" BODY, true, LP_ERR_COSE_TAG },
	{ "wrong tag 17 (COSE_Mac0)", "D184" BODY, false, LP_ERR_COSE_TAG },
	{ "wrong tag 98 (COSE_Sign)", "D86284" BODY, false, LP_ERR_COSE_TAG },
	{ "CWT tag 61 around tag 18", "D83DD284" BODY, false, LP_ERR_COSE_TAG },
	{ "tag 18 twice", "D2D284" BODY, true, LP_ERR_COSE_STRUCTURE },
	{ "tag 18 around null", "D2F6", true, LP_ERR_COSE_STRUCTURE },
	{ "a map, not an array", "D2A0", true, LP_ERR_COSE_STRUCTURE },
	{ "array of 3", "D283" PROT UNPROT PAYLOAD, true, LP_ERR_COSE_STRUCTURE },
	{ "array of 5", "D285" BODY "40", true, LP_ERR_COSE_STRUCTURE },
	{ "alg in the unprotected header", "D284" "43A10300" "A20127" "04423131" PAYLOAD SIG, true,
	  LP_ERR_COSE_ALG_UNPROTECTED },
	{ "alg in both headers", "D284" PROT "A20127" "04423131" PAYLOAD SIG, true, LP_ERR_COSE_ALG_UNPROTECTED },
	{ "alg missing", "D284" "43A10300" UNPROT PAYLOAD SIG, true, LP_ERR_COSE_ALG },
	{ "protected header zero-length", "D284" "40" UNPROT PAYLOAD SIG, true, LP_ERR_COSE_ALG },
	{ "protected header empty map", "D284" "41A0" UNPROT PAYLOAD SIG, true, LP_ERR_COSE_ALG },
	{ "alg as text \"EdDSA\"", "D284" "48A101654564445341" UNPROT PAYLOAD SIG, true, LP_ERR_COSE_ALG },
	{ "alg unknown (-257, RS256)", "D284" "45A101390100" UNPROT PAYLOAD SIG, true, LP_ERR_UNSUPPORTED },
	{ "alg ES256 for an Ed25519 key", "D284" "43A10126" UNPROT PAYLOAD SIG, true, LP_ERR_ALG_MISMATCH },
	{ "trailing byte", "D284" BODY "00", true, LP_ERR_CBOR_TRAILING },
	{ "trailing item", "D284" BODY "D284" BODY, true, LP_ERR_CBOR_TRAILING },
	{ "indefinite array", "D29F" BODY "FF", true, LP_ERR_CBOR_INDEFINITE },
	{ "indefinite payload bstr", "D284" PROT UNPROT "5F" PAYLOAD "FF" SIG, true, LP_ERR_CBOR_INDEFINITE },
	{ "indefinite unprotected map", "D284" PROT "BF04423131FF" PAYLOAD SIG, true, LP_ERR_CBOR_INDEFINITE },
	{ "indefinite map inside the protected bstr", "D284" "46BF01270300FF" UNPROT PAYLOAD SIG, true,
	  LP_ERR_CBOR_INDEFINITE },
	{ "duplicate key in the protected header", "D284" "47A3012703000300" UNPROT PAYLOAD SIG, true,
	  LP_ERR_CBOR_DUPLICATE_KEY },
	{ "duplicate alg in the protected header", "D284" "45A201270126" UNPROT PAYLOAD SIG, true,
	  LP_ERR_CBOR_DUPLICATE_KEY },
	{ "duplicate key in the unprotected header", "D284" PROT "A204423131" "04423131" PAYLOAD SIG, true,
	  LP_ERR_CBOR_DUPLICATE_KEY },
	{ "payload nil (detached)", "D284" PROT UNPROT "F6" SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "payload as text", "D284" PROT UNPROT "74546869732069732074686520636F6E74656E742E" SIG, true,
	  LP_ERR_COSE_STRUCTURE },
	{ "signature 63 bytes", "D284" PROT UNPROT PAYLOAD "583F" "7142FD2FF96D56DB85BEE905A76BA1D0B7321A95C8C4D3607C5781932B7AFB8711497DFA751BF40B58B3BCC32300B1487F3DB34085EEF013BF08F4A44D6FEF",
	  true, LP_ERR_SIGNATURE },
	{ "signature 65 bytes", "D284" PROT UNPROT PAYLOAD "5841" SIGB "00", true, LP_ERR_SIGNATURE },
	{ "signature empty", "D284" PROT UNPROT PAYLOAD "40", true, LP_ERR_SIGNATURE },
	{ "signature as text", "D284" PROT UNPROT PAYLOAD "63616263", true, LP_ERR_COSE_STRUCTURE },
	{ "signature nil", "D284" PROT UNPROT PAYLOAD "F6", true, LP_ERR_COSE_STRUCTURE },
	{ "protected header a map, not a bstr", "D284" "A201270300" UNPROT PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "protected bstr holds an array", "D284" "428127" UNPROT PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "protected bstr holds truncated CBOR", "D284" "42A201" UNPROT PAYLOAD SIG, true, LP_ERR_CBOR },
	{ "protected bstr with a trailing byte", "D284" "46A20127030000" UNPROT PAYLOAD SIG, true,
	  LP_ERR_CBOR_TRAILING },
	{ "unprotected header an array", "D284" PROT "80" PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "crit in the protected header", "D284" "48A301270281030300" UNPROT PAYLOAD SIG, true, LP_ERR_UNSUPPORTED },
	{ "crit in the unprotected header", "D284" PROT "A20281030442" "3131" PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "label in both headers", "D284" PROT "A2030004423131" PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "kid as text in the unprotected header", "D284" PROT "A104623131" PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "kid as an integer in the protected header", "D284" "47A3012703000401" "A0" PAYLOAD SIG, true,
	  LP_ERR_COSE_STRUCTURE },
	{ "bstr header label", "D284" PROT "A2410100" "04423131" PAYLOAD SIG, true, LP_ERR_COSE_STRUCTURE },
	{ "empty input", "", false, LP_ERR_CBOR },
	{ "reserved additional info", "D21C", true, LP_ERR_CBOR },
};

Test(cose, negative_table)
{
	lp_pubkey k = sig01_key();
	size_t n_ok = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		uint8_t *msg = hex_decode(cases[i].hex, &len);
		lp_view payload = { (const uint8_t *)"junk", 4 };
		lp_diag d;
		lp_err rc;

		memset(&d, 0, sizeof d);
		rc = lp_cose_sign1_check(lp_view_of(msg, len), cases[i].require_tag, &k, lp_view_of(NULL, 0), &payload, &d);
		cr_expect_eq(rc, cases[i].expect, "%s: got %d (%s: %s), expected %d", cases[i].name, rc, lp_err_code(rc),
			     d.msg, cases[i].expect);
		if (rc == LP_OK) {
			n_ok++;
			cr_expect_eq(payload.len, 20, "%s", cases[i].name);
		} else {
			cr_expect_null(payload.ptr, "%s: payload must be cleared on failure", cases[i].name);
			cr_expect_eq(d.code, rc, "%s: diagnostic code", cases[i].name);
			cr_expect(d.msg[0] != 0, "%s: empty diagnostic", cases[i].name);
			cr_expect(d.offset <= len, "%s: offset out of range", cases[i].name);
		}
		/* the internal parser agrees and leaves nothing behind on failure */
		{
			lp_sign1 s;
			lp_err prc = lp_sign1_parse(lp_view_of(msg, len), cases[i].require_tag, &s, NULL);
			if (prc != LP_OK) {
				cr_expect_eq(prc, rc, "%s: parse", cases[i].name);
				cr_expect_null(s.root);
				cr_expect_null(s.protected_map);
			}
			lp_sign1_free(&s);
		}
		free(msg);
	}
	cr_assert_eq(n_ok, 2);
}

/* Unprotected alg and missing alg are distinct errors with an offset. */
Test(cose, alg_errors_are_distinct)
{
	cr_assert_neq(LP_ERR_COSE_ALG, LP_ERR_COSE_ALG_UNPROTECTED);
	cr_assert(!lp_err_is_verification(LP_ERR_COSE_ALG));
	cr_assert(lp_err_is_verification(LP_ERR_ALG_MISMATCH));
}

Test(cose, every_truncation_fails)
{
	size_t len;
	uint8_t *msg = hex_decode("D284" BODY, &len);
	lp_pubkey k = sig01_key();

	for (size_t n = 0; n < len; n++) {
		lp_err rc = lp_cose_sign1_check(lp_view_of(msg, n), false, &k, lp_view_of(NULL, 0), NULL, NULL);
		cr_expect_neq(rc, LP_OK, "prefix of %zu bytes accepted", n);
	}
	free(msg);
}

Test(cose, every_signature_byte_change_fails)
{
	size_t len;
	uint8_t *msg = hex_decode("D284" BODY, &len);
	lp_pubkey k = sig01_key();
	size_t sig_at = len - 64, tried = 0;

	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &k, lp_view_of(NULL, 0), NULL, NULL), LP_OK);
	for (size_t i = sig_at; i < len; i++) {
		uint8_t orig = msg[i];
		for (unsigned v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			msg[i] = (uint8_t)v;
			cr_expect_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &k, lp_view_of(NULL, 0), NULL, NULL),
				     LP_ERR_SIGNATURE, "signature byte %zu = %02x accepted", i - sig_at, v);
			tried++;
		}
		msg[i] = orig;
	}
	cr_assert_eq(tried, 64u * 255u);
	free(msg);
}

/* Every single-byte change anywhere in eddsa-sig-01 either fails, or (only
 * inside the unprotected header, which COSE does not sign) verifies with the
 * very same protected header and payload. */
Test(cose, every_message_byte_change_never_verifies_other_content)
{
	size_t len;
	uint8_t *msg = hex_decode("D284" BODY, &len);
	uint8_t *orig = malloc(len);
	lp_pubkey k = sig01_key();
	const size_t unprot_from = 8, unprot_to = 13; /* A1 04 42 31 31 */
	size_t accepted = 0;

	cr_assert_not_null(orig);
	memcpy(orig, msg, len);
	cr_assert_eq(msg[unprot_from], 0xA1);
	cr_assert_eq(msg[unprot_to], 0x54);
	for (size_t i = 0; i < len; i++) {
		for (unsigned v = 0; v < 256; v++) {
			lp_view payload;
			lp_sign1 s;
			lp_err rc;
			if (v == orig[i])
				continue;
			msg[i] = (uint8_t)v;
			rc = lp_cose_sign1_check(lp_view_of(msg, len), true, &k, lp_view_of(NULL, 0), &payload, NULL);
			if (rc == LP_OK) {
				accepted++;
				cr_expect(i >= unprot_from && i < unprot_to, "change at %zu to %02x verifies", i, v);
				cr_expect_eq(payload.len, 20);
				cr_expect_eq(memcmp(payload.ptr, orig + 14, 20), 0);
				cr_expect_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, NULL), LP_OK);
				cr_expect_eq(s.protected_bstr.len, 5);
				cr_expect_eq(memcmp(s.protected_bstr.ptr, orig + 3, 5), 0);
				lp_sign1_free(&s);
			}
		}
		msg[i] = orig[i];
	}
	/* e.g. the kid value '11' -> '10' is not covered by the signature */
	cr_assert(accepted > 0);
	free(orig);
	free(msg);
}

/* With an empty unprotected header nothing in the message is unsigned: every
 * single-byte change (all 255 other values at every position) fails. */
Test(cose, own_message_every_byte_change_fails)
{
	uint8_t pk[32], sk[64];
	lp_buf out = { NULL, 0 };
	lp_pubkey k;
	const char *text = "a short payload";

	crypto_sign_keypair(pk, sk);
	lp_pubkey_ed25519(&k, pk);
	cr_assert_eq(lp_sign1_create_ed25519(NULL, NULL, lp_view_of((const uint8_t *)text, strlen(text)),
					     lp_view_of(NULL, 0), sk, &out),
		     LP_OK);
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&out), true, &k, lp_view_of(NULL, 0), NULL, NULL), LP_OK);
	for (size_t i = 0; i < out.len; i++) {
		uint8_t orig = out.ptr[i];
		for (unsigned v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			out.ptr[i] = (uint8_t)v;
			cr_expect_neq(lp_cose_sign1_check(lp_buf_view(&out), true, &k, lp_view_of(NULL, 0), NULL, NULL), LP_OK,
				      "change at %zu to %02x verifies", i, v);
		}
		out.ptr[i] = orig;
	}
	lp_buf_free(&out);
	sodium_memzero(sk, sizeof sk);
}

/* --- creating -------------------------------------------------------------- */

Test(cose, create_with_external_aad_and_item)
{
	uint8_t pk[32], sk[64];
	lp_buf out = { NULL, 0 };
	lp_pubkey k;
	lp_view payload;
	cbor_item_t *prot = cbor_new_definite_map(1), *item = NULL;
	lp_sign1 s;
	const uint8_t aad[] = { 1, 2, 3 };

	crypto_sign_keypair(pk, sk);
	lp_pubkey_ed25519(&k, pk);
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_TYP), lp_cbor_int(293)));
	cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, lp_view_of((const uint8_t *)"abc", 3), lp_view_of(aad, 3), sk, &out),
		     LP_OK);
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&out), true, &k, lp_view_of(aad, 3), &payload, NULL), LP_OK);
	cr_assert_eq(payload.len, 3);
	cr_assert_eq(memcmp(payload.ptr, "abc", 3), 0);
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&out), true, &k, lp_view_of(NULL, 0), NULL, NULL), LP_ERR_SIGNATURE);
	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&out), true, &k, lp_view_of(aad, 2), NULL, NULL), LP_ERR_SIGNATURE);
	/* alg was put first, then typ */
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&out), true, &s, NULL), LP_OK);
	cr_assert_eq(s.protected_bstr.len, 7);
	cr_assert_eq(memcmp(s.protected_bstr.ptr, "\xA2\x01\x27\x10\x19\x01\x25", 7), 0);
	lp_sign1_free(&s);

	cr_assert_eq(lp_sign1_create_ed25519_item(prot, NULL, lp_view_of((const uint8_t *)"abc", 3), lp_view_of(NULL, 0), sk,
						  &item),
		     LP_OK);
	cr_assert(cbor_isa_tag(item));
	cr_assert_eq(cbor_tag_value(item), 18);
	cr_assert_eq(lp_sign1_from_item(item, true, &s, NULL), LP_OK);
	cr_assert(s.tagged);
	cr_assert_eq(s.alg, LP_ALG_EDDSA);
	cr_assert_eq(lp_sign1_verify(&s, &k, lp_view_of(NULL, 0)), LP_OK);
	cr_assert_eq(s.payload.len, 3);
	cr_assert_eq(memcmp(s.payload.ptr, "abc", 3), 0);
	/* s holds its own reference: dropping ours keeps the views alive */
	cbor_decref(&item);
	cr_assert_eq(lp_sign1_verify(&s, &k, lp_view_of(NULL, 0)), LP_OK);
	lp_sign1_free(&s);

	lp_buf_free(&out);
	cbor_decref(&prot);
	sodium_memzero(sk, sizeof sk);
}

Test(cose, create_refuses_bad_headers)
{
	uint8_t pk[32], sk[64];
	lp_buf out = { NULL, 0 };
	cbor_item_t *prot = cbor_new_definite_map(1), *unprot = cbor_new_definite_map(1), *dup = cbor_new_definite_map(2);
	cbor_item_t *arr = cbor_new_definite_array(0);
	const lp_view p = { (const uint8_t *)"x", 1 };

	crypto_sign_keypair(pk, sk);
	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(1), lp_cbor_int(-7)));
	cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, p, lp_view_of(NULL, 0), sk, &out), LP_ERR_ALG_MISMATCH);
	cr_assert_null(out.ptr);
	cr_assert(lp_cbor_map_put(unprot, lp_cbor_int(1), lp_cbor_int(-8)));
	cr_assert_eq(lp_sign1_create_ed25519(NULL, unprot, p, lp_view_of(NULL, 0), sk, &out), LP_ERR_COSE_ALG_UNPROTECTED);
	cr_assert_null(out.ptr);
	cr_assert(lp_cbor_map_put(dup, lp_cbor_int(4), lp_cbor_int(1)));
	cr_assert(lp_cbor_map_put(dup, lp_cbor_int(4), lp_cbor_int(2)));
	cr_assert_eq(lp_sign1_create_ed25519(NULL, dup, p, lp_view_of(NULL, 0), sk, &out), LP_ERR_CBOR_DUPLICATE_KEY);
	cr_assert_null(out.ptr);
	cr_assert_eq(lp_sign1_create_ed25519(dup, NULL, p, lp_view_of(NULL, 0), sk, &out), LP_ERR_CBOR_DUPLICATE_KEY);
	cr_assert_null(out.ptr);
	cr_assert_eq(lp_sign1_create_ed25519(arr, NULL, p, lp_view_of(NULL, 0), sk, &out), LP_ERR_ARG);
	cr_assert_null(out.ptr);
	cbor_decref(&prot);
	cbor_decref(&unprot);
	cbor_decref(&dup);
	cbor_decref(&arr);
	sodium_memzero(sk, sizeof sk);
}

Test(cose, from_item_negative)
{
	cbor_item_t *t17 = cbor_new_tag(17), *arr = cbor_new_definite_array(4), *t18 = cbor_new_tag(18);
	lp_sign1 s;
	uint8_t b[1] = { 0 };
	cbor_item_t *x;

	cr_assert(cbor_array_push(arr, x = cbor_build_bytestring(b, 1)));
	cbor_decref(&x);
	cr_assert(cbor_array_push(arr, x = cbor_new_definite_map(0)));
	cbor_decref(&x);
	cr_assert(cbor_array_push(arr, x = cbor_new_null()));
	cbor_decref(&x);
	cr_assert(cbor_array_push(arr, x = cbor_build_bytestring(b, 1)));
	cbor_decref(&x);
	cbor_tag_set_item(t17, arr);
	cbor_tag_set_item(t18, arr);
	cr_assert_eq(lp_sign1_from_item(t17, false, &s, NULL), LP_ERR_COSE_TAG);
	cr_assert_null(s.root);
	cr_assert_eq(lp_sign1_from_item(arr, true, &s, NULL), LP_ERR_COSE_TAG);
	cr_assert_eq(lp_sign1_from_item(t18, true, &s, NULL), LP_ERR_COSE_STRUCTURE); /* nil payload */
	cr_assert_null(s.root);
	cr_assert_eq(cbor_refcount(t18), 1u);
	cbor_decref(&t17);
	cbor_decref(&t18);
	cbor_decref(&arr);
}

/* --- ES256 / ES384 --------------------------------------------------------- */

static uint8_t *file_vec(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/test-vectors/sd-cwt-es/%s", LP_SOURCE_DIR, name);
	return slurp(path, len);
}

static lp_pubkey file_key(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/test-vectors/sd-cwt-es/%s", LP_SOURCE_DIR, name);
	return pem_key(path);
}

Test(cose, sdcwt_issuer_cwt_es384_verifies)
{
	size_t len;
	uint8_t *msg = file_vec("issuer_cwt.cbor", &len);
	lp_pubkey issuer = file_key("issuer_privkey.pem"), holder = file_key("holder_privkey.pem");
	lp_view payload;
	lp_diag d;
	lp_sign1 s;

	cr_assert_eq(lp_pubkey_alg(&issuer), LP_ALG_ES384);
	cr_assert_eq(lp_pubkey_alg(&holder), LP_ALG_ES256);
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &issuer, lp_view_of(NULL, 0), &payload, &d), LP_OK,
		     "%s", d.msg);
	cr_assert(payload.len > 0 && payload.ptr > msg && payload.ptr + payload.len < msg + len);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, NULL), LP_OK);
	cr_assert_eq(s.alg, LP_ALG_ES384);
	cr_assert_eq(s.signature.len, 96);
	lp_sign1_free(&s);
	/* the holder's P-256 key for an ES384 message */
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &holder, lp_view_of(NULL, 0), NULL, &d),
		     LP_ERR_ALG_MISMATCH);
	free(msg);
}

/* Flip each byte three ways. Outside the unprotected header (which carries
 * the disclosures, not signed by COSE: the SD-CWT digests cover them) every
 * change fails; inside it, a change may verify only with the same protected
 * header and payload. */
static void flip_all(const char *file, const char *keyfile, int64_t alg)
{
	size_t len, accepted = 0, failed = 0;
	uint8_t *msg = file_vec(file, &len);
	uint8_t *orig = malloc(len);
	lp_pubkey k = file_key(keyfile);
	lp_sign1 s;
	size_t unprot_from, unprot_to;
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };

	cr_assert_not_null(orig);
	memcpy(orig, msg, len);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, NULL), LP_OK);
	cr_assert_eq(s.alg, alg);
	unprot_from = (size_t)(s.protected_bstr.ptr - msg) + s.protected_bstr.len;
	/* the payload's head is 2 or 3 bytes for these sizes */
	cr_assert(s.payload.len >= 24 && s.payload.len < 65536);
	unprot_to = (size_t)(s.payload.ptr - msg) - (s.payload.len < 256 ? 2 : 3);
	lp_sign1_free(&s);
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			lp_view payload;
			lp_err rc;
			msg[i] = orig[i] ^ masks[m];
			rc = lp_cose_sign1_check(lp_view_of(msg, len), true, &k, lp_view_of(NULL, 0), &payload, NULL);
			if (rc == LP_OK) {
				accepted++;
				cr_expect(i >= unprot_from && i < unprot_to, "%s: change at %zu verifies", file, i);
				cr_expect_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, NULL), LP_OK);
				cr_expect_eq(memcmp(s.protected_bstr.ptr, orig + (s.protected_bstr.ptr - msg), s.protected_bstr.len), 0);
				cr_expect_eq(memcmp(s.payload.ptr, orig + (s.payload.ptr - msg), s.payload.len), 0);
				lp_sign1_free(&s);
			} else {
				failed++;
			}
		}
		msg[i] = orig[i];
	}
	cr_assert(failed > 0);
	cr_log_info("%s: %zu of %zu changes rejected; %zu inside the unsigned unprotected header verified", file, failed,
		    failed + accepted, accepted);
	free(orig);
	free(msg);
}

Test(cose, sdcwt_issuer_cwt_every_flip)
{
	flip_all("issuer_cwt.cbor", "issuer_privkey.pem", LP_ALG_ES384);
}

Test(cose, sdcwt_kbt_es256_and_embedded_es384)
{
	size_t len;
	uint8_t *msg = file_vec("kbt.cbor", &len);
	lp_pubkey issuer = file_key("issuer_privkey.pem"), holder = file_key("holder_privkey.pem");
	lp_sign1 kbt, cwt;
	cbor_item_t *kcwt;
	lp_diag d;

	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &holder, lp_view_of(NULL, 0), NULL, &d), LP_OK, "%s",
		     d.msg);
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &issuer, lp_view_of(NULL, 0), NULL, NULL),
		     LP_ERR_ALG_MISMATCH);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &kbt, NULL), LP_OK);
	cr_assert_eq(kbt.alg, LP_ALG_ES256);
	kcwt = lp_cbor_map_get_int(kbt.protected_map, LP_HDR_KCWT);
	cr_assert_not_null(kcwt);
	cr_assert_eq(lp_sign1_from_item(kcwt, true, &cwt, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(cwt.alg, LP_ALG_ES384);
	cr_assert_eq(lp_sign1_verify(&cwt, &issuer, lp_view_of(NULL, 0)), LP_OK);
	cr_assert_eq(lp_sign1_verify(&cwt, &holder, lp_view_of(NULL, 0)), LP_ERR_ALG_MISMATCH);
	lp_sign1_free(&kbt); /* cwt holds its own reference to the kcwt item */
	cr_assert_eq(lp_sign1_verify(&cwt, &issuer, lp_view_of(NULL, 0)), LP_OK);
	lp_sign1_free(&cwt);
	free(msg);
}

Test(cose, sdcwt_kbt_every_flip)
{
	flip_all("kbt.cbor", "holder_privkey.pem", LP_ALG_ES256);
}

/* Our own ES256/ES384 signatures, made with OpenSSL in the test. */
static void own_ecdsa(const char *curve, int64_t alg, const EVP_MD *md, size_t n)
{
	EVP_PKEY *pkey = EVP_EC_gen(curve);
	BIGNUM *bx = NULL, *by = NULL;
	lp_pubkey k;
	cbor_item_t *prot = cbor_new_definite_map(1), *arr = cbor_new_definite_array(4), *tag = cbor_new_tag(18), *x;
	lp_buf pb = { NULL, 0 }, tbs = { NULL, 0 }, msg = { NULL, 0 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[160], rs[96];
	size_t der_len = sizeof der;
	const uint8_t *dp = der;
	ECDSA_SIG *es;
	lp_view payload;
	const char *text = "leerpas ecdsa test";

	cr_assert_not_null(pkey);
	memset(&k, 0, sizeof k);
	k.kty = 2;
	k.crv = n == 32 ? 1 : 2;
	k.x_len = k.y_len = n;
	cr_assert_eq(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx), 1);
	cr_assert_eq(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by), 1);
	cr_assert_eq(BN_bn2binpad(bx, k.x, (int)n), (int)n);
	cr_assert_eq(BN_bn2binpad(by, k.y, (int)n), (int)n);
	cr_assert_eq(lp_pubkey_alg(&k), alg);

	cr_assert(lp_cbor_map_put(prot, lp_cbor_int(1), lp_cbor_int(alg)));
	cr_assert_eq(lp_cbor_encode(prot, &pb), LP_OK);
	cr_assert_eq(lp_sign1_tbs(lp_buf_view(&pb), lp_view_of(NULL, 0), lp_view_of((const uint8_t *)text, strlen(text)), &tbs),
		     LP_OK);
	cr_assert_eq(EVP_DigestSignInit(ctx, NULL, md, NULL, pkey), 1);
	cr_assert_eq(EVP_DigestSign(ctx, der, &der_len, tbs.ptr, tbs.len), 1);
	es = d2i_ECDSA_SIG(NULL, &dp, (long)der_len);
	cr_assert_not_null(es);
	cr_assert_eq(BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, (int)n), (int)n);
	cr_assert_eq(BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + n, (int)n), (int)n);
	ECDSA_SIG_free(es);

	cr_assert(cbor_array_push(arr, x = cbor_build_bytestring(pb.ptr, pb.len)));
	cbor_decref(&x);
	cr_assert(cbor_array_push(arr, x = cbor_new_definite_map(0)));
	cbor_decref(&x);
	cr_assert(cbor_array_push(arr, x = cbor_build_bytestring((const uint8_t *)text, strlen(text))));
	cbor_decref(&x);
	cr_assert(cbor_array_push(arr, x = cbor_build_bytestring(rs, 2 * n)));
	cbor_decref(&x);
	cbor_tag_set_item(tag, arr);
	cr_assert_eq(lp_cbor_encode(tag, &msg), LP_OK);

	cr_assert_eq(lp_cose_sign1_check(lp_buf_view(&msg), true, &k, lp_view_of(NULL, 0), &payload, NULL), LP_OK);
	cr_assert_eq(payload.len, strlen(text));
	cr_assert_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(rs, 2 * n)), LP_OK);
	/* the DER form is not what COSE carries */
	cr_assert_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(der, der_len)), LP_ERR_SIGNATURE);
	/* wrong hash / alg for this key */
	cr_assert_eq(lp_ecdsa_verify(&k, alg == LP_ALG_ES256 ? LP_ALG_ES384 : LP_ALG_ES256, lp_buf_view(&tbs),
				     lp_view_of(rs, 2 * n)),
		     LP_ERR_ALG_MISMATCH);
	/* every single-byte flip of r || s fails */
	for (size_t i = 0; i < 2 * n; i++) {
		rs[i] ^= 0x01;
		cr_expect_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(rs, 2 * n)), LP_ERR_SIGNATURE, "byte %zu", i);
		rs[i] ^= 0x01;
	}
	/* r = 0 and s = 0 */
	{
		uint8_t zero[96];
		memcpy(zero, rs, 2 * n);
		memset(zero, 0, n);
		cr_assert_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(zero, 2 * n)), LP_ERR_SIGNATURE);
		memcpy(zero, rs, 2 * n);
		memset(zero + n, 0, n);
		cr_assert_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(zero, 2 * n)), LP_ERR_SIGNATURE);
		memset(zero, 0xff, 2 * n); /* r, s >= n */
		cr_assert_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(zero, 2 * n)), LP_ERR_SIGNATURE);
	}
	cr_assert_eq(lp_ecdsa_verify(&k, alg, lp_buf_view(&tbs), lp_view_of(rs, 2 * n - 1)), LP_ERR_SIGNATURE);

	lp_buf_free(&pb);
	lp_buf_free(&tbs);
	lp_buf_free(&msg);
	cbor_decref(&prot);
	cbor_decref(&arr);
	cbor_decref(&tag);
	BN_free(bx);
	BN_free(by);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
}

Test(cose, own_es256)
{
	own_ecdsa("P-256", LP_ALG_ES256, EVP_sha256(), 32);
}

Test(cose, own_es384)
{
	own_ecdsa("P-384", LP_ALG_ES384, EVP_sha384(), 48);
}

/* A P-256 key offered for an EdDSA signature is an alg mismatch, not a
 * silent accept or a generic failure. */
Test(cose, p256_key_for_eddsa_is_mismatch)
{
	size_t len;
	uint8_t *msg = hex_decode("D284" BODY, &len);
	lp_pubkey p256 = file_key("holder_privkey.pem"), p384 = file_key("issuer_privkey.pem");
	lp_diag d;

	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &p256, lp_view_of(NULL, 0), NULL, &d),
		     LP_ERR_ALG_MISMATCH);
	cr_assert_eq(d.code, LP_ERR_ALG_MISMATCH);
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &p384, lp_view_of(NULL, 0), NULL, NULL),
		     LP_ERR_ALG_MISMATCH);
	free(msg);
}

Test(cose, invalid_key_struct_is_arg_error)
{
	size_t len;
	uint8_t *msg = hex_decode("D284" BODY, &len);
	lp_pubkey k = sig01_key();

	k.x_len = 31;
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &k, lp_view_of(NULL, 0), NULL, NULL), LP_ERR_ARG);
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, NULL, lp_view_of(NULL, 0), NULL, NULL), LP_ERR_ARG);
	free(msg);
}

/* Diagnostics point into the whole message, also for errors found inside
 * the protected bstr. */
Test(cose, diagnostic_offsets)
{
	size_t len;
	uint8_t *msg = hex_decode("D284" "47A3012703000300" UNPROT PAYLOAD SIG, &len);
	lp_sign1 s;
	lp_diag d;

	memset(&d, 0, sizeof d);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, &d), LP_ERR_CBOR_DUPLICATE_KEY);
	cr_assert(d.offset > 3 && d.offset < 3 + 7, "offset %zu not inside the protected bstr", d.offset);
	free(msg);

	msg = hex_decode("D284" PROT UNPROT "F6" SIG, &len);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, &d), LP_ERR_COSE_STRUCTURE);
	cr_assert_eq(d.offset, 13, "nil payload reported at %zu", d.offset);
	free(msg);

	msg = hex_decode("D284" BODY "00", &len);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, &d), LP_ERR_CBOR_TRAILING);
	cr_assert_eq(d.offset, len - 1);
	free(msg);

	/* success leaves the diagnostic untouched */
	msg = hex_decode("D284" BODY, &len);
	memset(&d, 0, sizeof d);
	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, &d), LP_OK);
	cr_assert_eq(d.code, LP_OK);
	cr_assert_eq(d.msg[0], 0);
	lp_sign1_free(&s);
	free(msg);
}

/* A caller-built EC2 key whose point is off the curve is a key error, never
 * a verification result. */
Test(cose, off_curve_key_struct_refused)
{
	size_t len;
	uint8_t *msg = file_vec("kbt.cbor", &len);
	lp_pubkey holder = file_key("holder_privkey.pem");
	lp_diag d;

	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &holder, lp_view_of(NULL, 0), NULL, NULL), LP_OK);
	holder.y[31] ^= 1;
	cr_assert_eq(lp_cose_sign1_check(lp_view_of(msg, len), true, &holder, lp_view_of(NULL, 0), NULL, &d), LP_ERR_COSE_KEY,
		     "%s", d.msg);
	free(msg);
}
