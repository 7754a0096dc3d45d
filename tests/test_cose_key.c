/* COSE_Key and PEM public keys: parsing, encoding, round trips between the
 * forms, the SD-CWT draft's keys, and a table of keys that must be refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "cose_int.h"

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(cose_key, .init = setup);

static uint8_t *hexdec(const char *h, size_t *len)
{
	size_t n = strlen(h), bl = 0;
	uint8_t *out = malloc(n / 2 + 1);
	cr_assert_not_null(out);
	cr_assert_eq(sodium_hex2bin(out, n / 2 + 1, h, n, NULL, &bl, NULL), 0);
	cr_assert_eq(bl * 2, n);
	*len = bl;
	return out;
}

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/test-vectors/sd-cwt-es/%s", LP_SOURCE_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert(n > 0 && n < 100000);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static lp_pubkey pem_file(const char *name)
{
	size_t len;
	char *pem = slurp(name, &len);
	lp_pubkey k;
	lp_diag d;
	cr_assert_eq(lp_pubkey_from_pem(pem, len, &k, &d), LP_OK, "%s: %s", name, d.msg);
	free(pem);
	return k;
}

/* PEM text of an OpenSSL key, public (SPKI) or private (PKCS#8). */
static char *to_pem(EVP_PKEY *pk, bool priv, const char *pass)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;
	int ok;

	cr_assert_not_null(b);
	if (!priv)
		ok = PEM_write_bio_PUBKEY(b, pk);
	else if (pass)
		ok = PEM_write_bio_PKCS8PrivateKey(b, pk, EVP_aes_128_cbc(), NULL, 0, NULL, (void *)pass);
	else
		ok = PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	cr_assert_eq(ok, 1);
	n = BIO_get_mem_data(b, &data);
	out = malloc((size_t)n + 1);
	cr_assert_not_null(out);
	memcpy(out, data, (size_t)n);
	out[n] = 0;
	BIO_free(b);
	return out;
}

/* The holder key of the SD-CWT draft appears twice: as a PEM private key and
 * as the cnf COSE_Key inside issuer_cwt.cbor's payload. Both give one key. */
Test(cose_key, sdcwt_holder_pem_equals_cnf_cose_key)
{
	size_t len;
	uint8_t *msg = (uint8_t *)slurp("issuer_cwt.cbor", &len);
	lp_pubkey from_pem = pem_file("holder_privkey.pem"), from_cose;
	lp_sign1 s;
	cbor_item_t *payload = NULL, *cnf, *ck;
	lp_buf enc = { NULL, 0 }, enc2 = { NULL, 0 };
	lp_diag d;

	cr_assert_eq(lp_sign1_parse(lp_view_of(msg, len), true, &s, NULL), LP_OK);
	cr_assert_eq(lp_cbor_load(s.payload, LP_CBOR_MAX_DEPTH, &payload, NULL), LP_OK);
	cnf = lp_cbor_map_get_int(payload, 8);
	cr_assert_not_null(cnf);
	ck = lp_cbor_map_get_int(cnf, 1);
	cr_assert_not_null(ck);
	cr_assert_eq(lp_cbor_encode(ck, &enc), LP_OK);
	cr_assert_eq(lp_pubkey_from_cose(lp_buf_view(&enc), &from_cose, &d), LP_OK, "%s", d.msg);
	cr_assert(lp_pubkey_equal(&from_pem, &from_cose));
	cr_assert_eq(from_cose.kty, 2);
	cr_assert_eq(from_cose.crv, 1);
	cr_assert_eq(lp_pubkey_alg(&from_cose), LP_ALG_ES256);
	/* the draft's COSE_Key is {1: 2, -1: 1, -2: x, -3: y}: we encode it identically */
	cr_assert_eq(lp_pubkey_to_cose(&from_pem, &enc2), LP_OK);
	cr_assert_eq(enc2.len, enc.len);
	cr_assert_eq(memcmp(enc2.ptr, enc.ptr, enc.len), 0);
	lp_buf_free(&enc);
	lp_buf_free(&enc2);
	cbor_decref(&payload);
	lp_sign1_free(&s);
	free(msg);
}

Test(cose_key, sdcwt_issuer_pem_is_p384)
{
	lp_pubkey k = pem_file("issuer_privkey.pem"), back;
	lp_buf enc = { NULL, 0 };

	cr_assert_eq(k.kty, 2);
	cr_assert_eq(k.crv, 2);
	cr_assert_eq(k.x_len, 48);
	cr_assert_eq(k.y_len, 48);
	cr_assert_eq(lp_pubkey_alg(&k), LP_ALG_ES384);
	cr_assert_eq(lp_pubkey_to_cose(&k, &enc), LP_OK);
	cr_assert_eq(lp_pubkey_from_cose(lp_buf_view(&enc), &back, NULL), LP_OK);
	cr_assert(lp_pubkey_equal(&k, &back));
	lp_buf_free(&enc);
}

/* For each supported key type: private PEM, public PEM and COSE_Key all give
 * the same key, and COSE_Key encoding round-trips byte for byte. */
static void round_trip(EVP_PKEY *pk, int alg)
{
	char *pub = to_pem(pk, false, NULL), *priv = to_pem(pk, true, NULL);
	lp_pubkey a, b, c;
	lp_buf e1 = { NULL, 0 }, e2 = { NULL, 0 };
	lp_diag d;

	cr_assert_eq(lp_pubkey_from_pem(pub, strlen(pub), &a, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_pubkey_from_pem(priv, strlen(priv), &b, &d), LP_OK, "%s", d.msg);
	cr_assert(lp_pubkey_equal(&a, &b));
	cr_assert_eq(lp_pubkey_alg(&a), alg);
	cr_assert_eq(lp_pubkey_to_cose(&a, &e1), LP_OK);
	cr_assert_eq(lp_pubkey_from_cose(lp_buf_view(&e1), &c, &d), LP_OK, "%s", d.msg);
	cr_assert(lp_pubkey_equal(&a, &c));
	cr_assert_eq(lp_pubkey_to_cose(&c, &e2), LP_OK);
	cr_assert_eq(e1.len, e2.len);
	cr_assert_eq(memcmp(e1.ptr, e2.ptr, e1.len), 0);
	/* a different key is not equal */
	c.x[0] ^= 1;
	cr_assert(!lp_pubkey_equal(&a, &c));
	lp_buf_free(&e1);
	lp_buf_free(&e2);
	free(pub);
	free(priv);
}

Test(cose_key, round_trip_ed25519)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t raw[32];
	size_t rl = sizeof raw;
	char *pub;
	lp_pubkey k, mine;
	lp_buf e = { NULL, 0 };

	cr_assert_not_null(pk);
	round_trip(pk, LP_ALG_EDDSA);
	cr_assert_eq(EVP_PKEY_get_raw_public_key(pk, raw, &rl), 1);
	pub = to_pem(pk, false, NULL);
	cr_assert_eq(lp_pubkey_from_pem(pub, strlen(pub), &k, NULL), LP_OK);
	lp_pubkey_ed25519(&mine, raw);
	cr_assert(lp_pubkey_equal(&k, &mine));
	/* the exact encoding: {1: 1, -1: 6, -2: h'<32 bytes>'} */
	cr_assert_eq(lp_pubkey_to_cose(&k, &e), LP_OK);
	cr_assert_eq(e.len, 1 + 2 + 2 + 3 + 32);
	cr_assert_eq(memcmp(e.ptr, "\xA3\x01\x01\x20\x06\x21\x58\x20", 8), 0);
	cr_assert_eq(memcmp(e.ptr + 8, raw, 32), 0);
	lp_buf_free(&e);
	free(pub);
	EVP_PKEY_free(pk);
}

Test(cose_key, round_trip_p256)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	cr_assert_not_null(pk);
	round_trip(pk, LP_ALG_ES256);
	EVP_PKEY_free(pk);
}

Test(cose_key, round_trip_p384)
{
	EVP_PKEY *pk = EVP_EC_gen("P-384");
	cr_assert_not_null(pk);
	round_trip(pk, LP_ALG_ES384);
	EVP_PKEY_free(pk);
}

static void pem_refused(EVP_PKEY *pk, bool priv, const char *pass, lp_err expect, const char *what)
{
	char *pem = to_pem(pk, priv, pass);
	lp_pubkey k;
	lp_diag d;

	memset(&d, 0, sizeof d);
	memset(&k, 0xAA, sizeof k);
	cr_expect_eq(lp_pubkey_from_pem(pem, strlen(pem), &k, &d), expect, "%s: %s", what, d.msg);
	cr_expect_eq(k.kty, 0, "%s: output not zeroed", what);
	cr_expect_eq(k.x_len, 0, "%s: output not zeroed", what);
	cr_expect(d.msg[0] != 0, "%s: no diagnostic", what);
	free(pem);
}

Test(cose_key, pem_refused)
{
	EVP_PKEY *ed448 = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY *p521 = EVP_EC_gen("P-521");
	EVP_PKEY *k1 = EVP_EC_gen("secp256k1");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p256 = EVP_EC_gen("P-256");
	lp_pubkey k;
	const char *junk = "-----BEGIN PUBLIC KEY-----\nnot base64 at all!\n-----END PUBLIC KEY-----\n";
	char *big;

	cr_assert(ed448 && x25519 && p521 && k1 && rsa && p256);
	pem_refused(ed448, false, NULL, LP_ERR_UNSUPPORTED, "Ed448");
	pem_refused(x25519, false, NULL, LP_ERR_UNSUPPORTED, "X25519");
	pem_refused(p521, false, NULL, LP_ERR_UNSUPPORTED, "P-521");
	pem_refused(k1, true, NULL, LP_ERR_UNSUPPORTED, "secp256k1");
	pem_refused(rsa, false, NULL, LP_ERR_UNSUPPORTED, "RSA");
	/* an encrypted private key is never prompted for: refused */
	pem_refused(p256, true, "secret", LP_ERR_COSE_KEY, "encrypted PKCS#8");

	cr_assert_eq(lp_pubkey_from_pem(junk, strlen(junk), &k, NULL), LP_ERR_COSE_KEY);
	cr_assert_eq(lp_pubkey_from_pem("", 0, &k, NULL), LP_ERR_COSE_KEY);
	cr_assert_eq(lp_pubkey_from_pem(NULL, 0, &k, NULL), LP_ERR_COSE_KEY);
	cr_assert_eq(lp_pubkey_from_pem("hello", 5, &k, NULL), LP_ERR_COSE_KEY);
	cr_assert_eq(lp_pubkey_from_pem(NULL, 5, &k, NULL), LP_ERR_ARG);
	big = calloc(1, 70000);
	cr_assert_not_null(big);
	memset(big, 'A', 69999);
	cr_assert_eq(lp_pubkey_from_pem(big, 69999, &k, NULL), LP_ERR_TOO_LARGE);
	free(big);
	EVP_PKEY_free(ed448);
	EVP_PKEY_free(x25519);
	EVP_PKEY_free(p521);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p256);
}

/* The draft's holder key, x and y. */
#define HX "8554eb275dcd6fbd1c7ac641aa2c90d92022fd0d3024b5af18c7cc61ad527a2d"
#define HY "4dc7ae2c677e96d0cc82597655ce92d5503f54293d87875d1e79ce4770194343"
#define HY_OFF "4dc7ae2c677e96d0cc82597655ce92d5503f54293d87875d1e79ce4770194344"
#define P256_P "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
#define ED_X "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

struct key_case {
	const char *name;
	const char *hex;
	lp_err expect;
};

static const struct key_case key_cases[] = {
	{ "P-256 holder key", "A401022001215820" HX "225820" HY, LP_OK },
	{ "P-256 with kid and alg", "A601022001215820" HX "225820" HY "0243abcdef0326", LP_OK },
	{ "Ed25519", "A3010120062158 20" ED_X, LP_OK },
	{ "Ed25519 with alg EdDSA", "A4010120062158 20" ED_X "0327", LP_OK },
	{ "not a map", "80", LP_ERR_COSE_KEY },
	{ "empty map", "A0", LP_ERR_COSE_KEY },
	{ "no kty", "A2200621582 0" ED_X, LP_ERR_COSE_KEY },
	{ "kty as text", "A30163" "4F4B50" "20062158 20" ED_X, LP_ERR_COSE_KEY },
	{ "no crv", "A201012158 20" ED_X, LP_ERR_COSE_KEY },
	{ "kty 4 (symmetric)", "A301042006215820" ED_X, LP_ERR_UNSUPPORTED },
	{ "OKP Ed448 (crv 7)", "A301012007215820" ED_X, LP_ERR_UNSUPPORTED },
	{ "OKP X25519 (crv 4)", "A301012004215820" ED_X, LP_ERR_UNSUPPORTED },
	{ "OKP unknown crv 99", "A30101201863215820" ED_X, LP_ERR_COSE_KEY },
	{ "Ed25519 x 31 bytes", "A3010120062158 1F" "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f70751", LP_ERR_COSE_KEY },
	{ "Ed25519 x missing", "A201012006", LP_ERR_COSE_KEY },
	{ "Ed25519 x as text", "A3010120062178 20" "6161616161616161616161616161616161616161616161616161616161616161", LP_ERR_COSE_KEY },
	{ "Ed25519 with y", "A4010120062158 20" ED_X "2241 00", LP_ERR_COSE_KEY },
	{ "Ed25519 with private d", "A4010120062158 20" ED_X "2358 20" ED_X, LP_ERR_COSE_KEY },
	{ "Ed25519 with alg ES256", "A4010120062158 20" ED_X "0326", LP_ERR_ALG_MISMATCH },
	{ "P-256 with alg ES384", "A5010220012158 20" HX "225820" HY "033822", LP_ERR_ALG_MISMATCH },
	{ "P-256 with alg as text", "A5010220012158 20" HX "225820" HY "0365" "4553323536", LP_ERR_ALG_MISMATCH },
	{ "P-256 point off the curve", "A4010220012158 20" HX "225820" HY_OFF, LP_ERR_COSE_KEY },
	{ "P-256 x = p", "A4010220012158 20" P256_P "225820" HY, LP_ERR_COSE_KEY },
	{ "P-256 with y missing", "A3010220012158 20" HX, LP_ERR_COSE_KEY },
	{ "P-256 compressed (y = true)", "A4010220012158 20" HX "22F5", LP_ERR_UNSUPPORTED },
	{ "P-256 x 48 bytes (P-384 size)", "A4010220012158 30" HX "00000000000000000000000000000000" "225820" HY, LP_ERR_COSE_KEY },
	{ "P-384 with P-256 sized coordinates", "A4010220022158 20" HX "225820" HY, LP_ERR_COSE_KEY },
	{ "P-521 (crv 3)", "A4010220032158 20" HX "225820" HY, LP_ERR_UNSUPPORTED },
	{ "kid as a number", "A4010120062158 20" ED_X "0201", LP_ERR_COSE_KEY },
	{ "duplicate kty", "A4010101012006215820" ED_X, LP_ERR_CBOR_DUPLICATE_KEY },
	{ "trailing byte", "A3010120062158 20" ED_X "00", LP_ERR_CBOR_TRAILING },
	{ "indefinite map", "BF010120062158 20" ED_X "FF", LP_ERR_CBOR_INDEFINITE },
	{ "truncated", "A3010120062158 20d75a98", LP_ERR_CBOR },
};

static char *strip_spaces(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;
	cr_assert_not_null(out);
	for (; *in; in++)
		if (*in != ' ')
			*o++ = *in;
	*o = 0;
	return out;
}

Test(cose_key, cose_key_table)
{
	for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
		char *h = strip_spaces(key_cases[i].hex);
		size_t len;
		uint8_t *b = hexdec(h, &len);
		lp_pubkey k;
		lp_diag d;
		lp_err rc;

		memset(&d, 0, sizeof d);
		memset(&k, 0x55, sizeof k);
		rc = lp_pubkey_from_cose(lp_view_of(b, len), &k, &d);
		cr_expect_eq(rc, key_cases[i].expect, "%s: got %s (%s), expected %d", key_cases[i].name, lp_err_code(rc), d.msg,
			     key_cases[i].expect);
		if (rc == LP_OK) {
			cr_expect_neq(lp_pubkey_alg(&k), 0, "%s", key_cases[i].name);
		} else {
			lp_pubkey zero;
			memset(&zero, 0, sizeof zero);
			cr_expect_eq(memcmp(&k, &zero, sizeof k), 0, "%s: output not zeroed", key_cases[i].name);
			cr_expect(d.msg[0] != 0, "%s: no diagnostic", key_cases[i].name);
		}
		free(b);
		free(h);
	}
}

Test(cose_key, to_cose_refuses_invalid_struct)
{
	lp_pubkey k;
	lp_buf out = { (uint8_t *)"x", 1 };

	memset(&k, 0, sizeof k);
	cr_assert_eq(lp_pubkey_to_cose(&k, &out), LP_ERR_ARG);
	cr_assert_null(out.ptr);
	cr_assert_eq(lp_pubkey_to_cose(NULL, &out), LP_ERR_ARG);
	k.kty = 2;
	k.crv = 1;
	k.x_len = 32;
	k.y_len = 48;
	cr_assert_eq(lp_pubkey_alg(&k), 0);
	cr_assert_eq(lp_pubkey_to_cose(&k, &out), LP_ERR_ARG);
	cr_assert(!lp_pubkey_equal(NULL, &k));
}

/* The worked example in docs/format/cose.md: the RFC 8032 TEST 1 key. */
Test(cose_key, doc_example_ed25519_cose_key)
{
	const char *doc = "A301012006215820D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A";
	size_t len, xl;
	uint8_t *want = hexdec(doc, &len), *x = hexdec(ED_X, &xl);
	lp_pubkey k, back;
	lp_buf enc = { NULL, 0 };

	lp_pubkey_ed25519(&k, x);
	cr_assert_eq(lp_pubkey_to_cose(&k, &enc), LP_OK);
	cr_assert_eq(enc.len, len);
	cr_assert_eq(memcmp(enc.ptr, want, len), 0);
	cr_assert_eq(lp_pubkey_from_cose(lp_view_of(want, len), &back, NULL), LP_OK);
	cr_assert(lp_pubkey_equal(&k, &back));
	lp_buf_free(&enc);
	free(want);
	free(x);
}
