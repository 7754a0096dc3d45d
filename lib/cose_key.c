/* Public keys for COSE (COSE_Key and PEM, RFC 9053 section 7) and the raw
 * signature primitives behind COSE_Sign1: Ed25519 through libsodium, ECDSA
 * P-256/P-384 verification through OpenSSL libcrypto. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "cose_int.h"

/* COSE_Key labels and values (RFC 9052 section 7, RFC 9053 section 7). */
#define KEY_KTY 1
#define KEY_KID 2
#define KEY_ALG 3
#define KEY_CRV (-1)
#define KEY_X (-2)
#define KEY_Y (-3)
#define KEY_D (-4)
#define KTY_OKP 1
#define KTY_EC2 2
#define CRV_P256 1
#define CRV_P384 2
#define CRV_X25519 4
#define CRV_X448 5
#define CRV_ED25519 6
#define CRV_ED448 7

/* A PEM key file is a few hundred bytes; refuse anything absurd. */
#define PEM_MAX_LEN (64u * 1024u)

/* Size of one coordinate for a COSE EC2 curve, 0 when not supported. */
static size_t ec_coord_len(int crv)
{
	switch (crv) {
	case CRV_P256:
		return 32;
	case CRV_P384:
		return 48;
	default:
		return 0;
	}
}

static int ec_nid(int crv)
{
	return crv == CRV_P256 ? NID_X9_62_prime256v1 : NID_secp384r1;
}

static const char *ec_group_name(int crv)
{
	return crv == CRV_P256 ? "P-256" : "P-384";
}

int lp_pubkey_alg(const lp_pubkey *k)
{
	if (!k)
		return 0;
	if (k->kty == KTY_OKP && k->crv == CRV_ED25519 && k->x_len == LP_ED25519_PK_BYTES)
		return LP_ALG_EDDSA;
	if (k->kty == KTY_EC2 && k->crv == CRV_P256 && k->x_len == 32 && k->y_len == 32)
		return LP_ALG_ES256;
	if (k->kty == KTY_EC2 && k->crv == CRV_P384 && k->x_len == 48 && k->y_len == 48)
		return LP_ALG_ES384;
	return 0;
}

void lp_pubkey_ed25519(lp_pubkey *out, const uint8_t pk[LP_ED25519_PK_BYTES])
{
	memset(out, 0, sizeof *out);
	out->kty = KTY_OKP;
	out->crv = CRV_ED25519;
	memcpy(out->x, pk, LP_ED25519_PK_BYTES);
	out->x_len = LP_ED25519_PK_BYTES;
}

bool lp_pubkey_equal(const lp_pubkey *a, const lp_pubkey *b)
{
	if (!a || !b)
		return false;
	/* Public values: an ordinary comparison is fine. */
	return a->kty == b->kty && a->crv == b->crv && a->x_len == b->x_len &&
	       a->y_len == b->y_len && a->x_len <= sizeof a->x && a->y_len <= sizeof a->y &&
	       memcmp(a->x, b->x, a->x_len) == 0 && memcmp(a->y, b->y, a->y_len) == 0;
}

/* Check that (x, y) is a point on the curve with both coordinates below the
 * field prime (P-256 and P-384 have cofactor 1, so any affine point on the
 * curve is a valid public key). Returns LP_OK, LP_ERR_COSE_KEY for a point
 * off the curve, or LP_ERR_NOMEM/LP_ERR_CRYPTO. */
static lp_err ec_point_check(int crv, const uint8_t *x, const uint8_t *y, size_t n)
{
	lp_err rc = LP_ERR_NOMEM;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(ec_nid(crv));
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new();
	BIGNUM *bx = BN_bin2bn(x, (int)n, NULL), *by = BN_bin2bn(y, (int)n, NULL);
	EC_POINT *pt = g ? EC_POINT_new(g) : NULL;

	if (!g || !ctx || !p || !a || !b || !bx || !by || !pt)
		goto done;
	rc = LP_ERR_CRYPTO;
	if (EC_GROUP_get_curve(g, p, a, b, ctx) != 1)
		goto done;
	rc = LP_ERR_COSE_KEY;
	if (BN_cmp(bx, p) >= 0 || BN_cmp(by, p) >= 0)
		goto done;
	if (EC_POINT_set_affine_coordinates(g, pt, bx, by, ctx) != 1)
		goto done;
	if (EC_POINT_is_on_curve(g, pt, ctx) != 1)
		goto done;
	rc = LP_OK;
done:
	EC_POINT_free(pt);
	BN_free(bx);
	BN_free(by);
	BN_free(p);
	BN_free(a);
	BN_free(b);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	ERR_clear_error();
	return rc;
}

/* The bstr value under `label`, or NULL when absent or not a definite bstr. */
static cbor_item_t *map_bstr(const cbor_item_t *map, int64_t label, bool *present)
{
	cbor_item_t *v = lp_cbor_map_get_int(map, label);
	*present = v != NULL;
	if (!v || !cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
		return NULL;
	return v;
}

lp_err lp_pubkey_from_cose(lp_view cose_key, lp_pubkey *out, lp_diag *d)
{
	lp_err rc;
	cbor_item_t *map = NULL, *v;
	int64_t kty, crv, alg;
	bool present;
	lp_pubkey k;

	memset(&k, 0, sizeof k);
	if (!out || (!cose_key.ptr && cose_key.len))
		return LP_ERR_ARG;
	memset(out, 0, sizeof *out);
	rc = lp_cbor_load(cose_key, LP_CBOR_MAX_DEPTH, &map, d);
	if (rc != LP_OK)
		goto done;
	if (!cbor_isa_map(map)) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "COSE_Key is not a map");
		goto done;
	}
	v = lp_cbor_map_get_int(map, KEY_KTY);
	if (!v || !lp_cbor_get_int(v, &kty)) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "COSE_Key has no integer kty (label 1)");
		goto done;
	}
	v = lp_cbor_map_get_int(map, KEY_CRV);
	if (!v || !lp_cbor_get_int(v, &crv)) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "COSE_Key has no integer crv (label -1)");
		goto done;
	}
	if (lp_cbor_map_get_int(map, KEY_D)) {
		/* A public-key slot must never carry a private key. */
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "COSE_Key carries a private key (d); expected a public key");
		goto done;
	}
	if (kty == KTY_OKP) {
		if (crv == CRV_ED448 || crv == CRV_X25519 || crv == CRV_X448) {
			rc = lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "OKP curve %lld is not supported (only Ed25519, crv 6)", (long long)crv);
			goto done;
		}
		if (crv != CRV_ED25519) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "unknown OKP curve %lld", (long long)crv);
			goto done;
		}
		v = map_bstr(map, KEY_X, &present);
		if (!v || cbor_bytestring_length(v) != LP_ED25519_PK_BYTES) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "Ed25519 COSE_Key needs x (label -2) as a 32-byte bstr");
			goto done;
		}
		if (lp_cbor_map_get_int(map, KEY_Y)) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "OKP COSE_Key must not have y (label -3)");
			goto done;
		}
		lp_pubkey_ed25519(&k, cbor_bytestring_handle(v));
	} else if (kty == KTY_EC2) {
		size_t n = ec_coord_len((int)crv);
		cbor_item_t *y;
		if (crv < INT32_MIN || crv > INT32_MAX || n == 0) {
			rc = lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "EC2 curve %lld is not supported (only P-256 and P-384)", (long long)crv);
			goto done;
		}
		v = map_bstr(map, KEY_X, &present);
		if (!v || cbor_bytestring_length(v) != n) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "EC2 COSE_Key needs x (label -2) as a %zu-byte bstr", n);
			goto done;
		}
		y = map_bstr(map, KEY_Y, &present);
		if (!y && present) {
			/* y as a bool is point compression (RFC 9053 section 7.1.1). */
			rc = lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "compressed EC points (y as a bool) are not supported");
			goto done;
		}
		if (!y || cbor_bytestring_length(y) != n) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "EC2 COSE_Key needs y (label -3) as a %zu-byte bstr", n);
			goto done;
		}
		rc = ec_point_check((int)crv, cbor_bytestring_handle(v), cbor_bytestring_handle(y), n);
		if (rc == LP_ERR_COSE_KEY)
			lp_diag_set(d, rc, 0, "EC2 COSE_Key point is not on the curve");
		if (rc != LP_OK)
			goto done;
		k.kty = KTY_EC2;
		k.crv = (int)crv;
		memcpy(k.x, cbor_bytestring_handle(v), n);
		memcpy(k.y, cbor_bytestring_handle(y), n);
		k.x_len = k.y_len = n;
	} else {
		rc = lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "COSE_Key type %lld is not supported (only OKP 1 and EC2 2)", (long long)kty);
		goto done;
	}
	v = lp_cbor_map_get_int(map, KEY_ALG);
	if (v) {
		/* An alg in the key restricts its use; it must fit the curve. */
		if (!lp_cbor_get_int(v, &alg) || alg != lp_pubkey_alg(&k)) {
			rc = lp_diag_set(d, LP_ERR_ALG_MISMATCH, 0, "COSE_Key alg (label 3) does not fit its curve");
			goto done;
		}
	}
	v = lp_cbor_map_get_int(map, KEY_KID);
	if (v && (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "COSE_Key kid (label 2) is not a bstr");
		goto done;
	}
	*out = k;
	rc = LP_OK;
done:
	if (map)
		cbor_decref(&map);
	return rc;
}

/* Append the pair label -> value to map, taking ownership of value. */
static bool put_int_key(cbor_item_t *map, int64_t label, cbor_item_t *value)
{
	return lp_cbor_map_put(map, lp_cbor_int(label), value);
}

lp_err lp_pubkey_to_cose(const lp_pubkey *k, lp_buf *out)
{
	lp_err rc;
	int alg;
	cbor_item_t *map = NULL;

	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	alg = lp_pubkey_alg(k);
	if (alg == 0)
		return LP_ERR_ARG;
	rc = LP_ERR_NOMEM;
	/* Labels in deterministic order (RFC 8949 section 4.2.1): 1, -1, -2, -3. */
	map = cbor_new_definite_map(alg == LP_ALG_EDDSA ? 3 : 4);
	if (!map)
		goto done;
	if (!put_int_key(map, KEY_KTY, lp_cbor_int(k->kty)) ||
	    !put_int_key(map, KEY_CRV, lp_cbor_int(k->crv)) ||
	    !put_int_key(map, KEY_X, cbor_build_bytestring(k->x, k->x_len)))
		goto done;
	if (alg != LP_ALG_EDDSA && !put_int_key(map, KEY_Y, cbor_build_bytestring(k->y, k->y_len)))
		goto done;
	rc = lp_cbor_encode(map, out);
done:
	if (map)
		cbor_decref(&map);
	return rc;
}

/* Never prompt for a passphrase: an encrypted PEM key simply fails. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

/* Read the public half of an OpenSSL key into k. */
static lp_err pubkey_from_evp(EVP_PKEY *pk, lp_pubkey *k, lp_diag *d)
{
	lp_err rc = LP_ERR_COSE_KEY;
	BIGNUM *bx = NULL, *by = NULL;
	char group[64];
	size_t glen = 0, n;
	int crv;

	memset(k, 0, sizeof *k);
	if (EVP_PKEY_is_a(pk, "ED25519")) {
		size_t len = LP_ED25519_PK_BYTES;
		uint8_t raw[LP_ED25519_PK_BYTES];
		if (EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1 || len != LP_ED25519_PK_BYTES)
			return lp_diag_set(d, LP_ERR_COSE_KEY, 0, "cannot read the Ed25519 public key");
		lp_pubkey_ed25519(k, raw);
		return LP_OK;
	}
	if (!EVP_PKEY_is_a(pk, "EC"))
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "PEM key type %s is not supported (Ed25519, P-256 or P-384)",
				   EVP_PKEY_get0_type_name(pk) ? EVP_PKEY_get0_type_name(pk) : "?");
	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen) != 1)
		return lp_diag_set(d, LP_ERR_COSE_KEY, 0, "EC key without a named curve");
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
		crv = CRV_P256;
	else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
		crv = CRV_P384;
	else
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "EC curve %s is not supported (P-256 or P-384)", group);
	n = ec_coord_len(crv);
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1 ||
	    BN_bn2binpad(bx, k->x, (int)n) != (int)n || BN_bn2binpad(by, k->y, (int)n) != (int)n) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0, "cannot read the EC public point");
		goto done;
	}
	rc = ec_point_check(crv, k->x, k->y, n);
	if (rc == LP_ERR_COSE_KEY)
		lp_diag_set(d, rc, 0, "EC public point is not on the curve");
	if (rc != LP_OK)
		goto done;
	k->kty = KTY_EC2;
	k->crv = crv;
	k->x_len = k->y_len = n;
done:
	BN_free(bx);
	BN_free(by);
	if (rc != LP_OK)
		memset(k, 0, sizeof *k);
	return rc;
}

lp_err lp_pubkey_from_pem(const char *pem, size_t len, lp_pubkey *out, lp_diag *d)
{
	lp_err rc;
	BIO *bio = NULL;
	EVP_PKEY *pk = NULL;

	if (!out || (!pem && len))
		return LP_ERR_ARG;
	memset(out, 0, sizeof *out);
	if (len == 0)
		return lp_diag_set(d, LP_ERR_COSE_KEY, 0, "empty PEM text");
	if (len > PEM_MAX_LEN)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "PEM text of %zu bytes is over the %u-byte limit", len, PEM_MAX_LEN);
	rc = LP_ERR_NOMEM;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		goto done;
	pk = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (!pk) {
		/* Not a public key block: try a private key and keep its public half. */
		ERR_clear_error();
		BIO_free(bio);
		bio = BIO_new_mem_buf(pem, (int)len);
		if (!bio)
			goto done;
		pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	}
	if (!pk) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0,
				 "no readable PEM key (expected PUBLIC KEY or an unencrypted PRIVATE KEY block)");
		goto done;
	}
	rc = pubkey_from_evp(pk, out, d);
done:
	EVP_PKEY_free(pk); /* clears any private key material */
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* --- raw signature primitives ------------------------------------------- */

/* libsodium may memcpy from the message pointer: never hand it NULL. */
static const uint8_t empty_msg[1];

lp_err lp_ed25519_verify(const uint8_t pk[LP_ED25519_PK_BYTES], lp_view msg, lp_view sig)
{
	if (!pk || (!msg.ptr && msg.len) || (!sig.ptr && sig.len))
		return LP_ERR_ARG;
	if (sig.len != LP_ED25519_SIG_BYTES)
		return LP_ERR_SIGNATURE;
	/* libsodium (1.0.18, not built with ED25519_COMPAT) rejects S >= L,
	 * small-order R, and non-canonical or small-order public keys, and
	 * compares the recomputed R with the received bytes, so non-canonical
	 * encodings of R fail too (RFC 8032 section 5.1.7, strict). */
	if (crypto_sign_verify_detached(sig.ptr, msg.ptr ? msg.ptr : empty_msg, msg.len, pk) != 0)
		return LP_ERR_SIGNATURE;
	return LP_OK;
}

lp_err lp_ed25519_sign(uint8_t sig[LP_ED25519_SIG_BYTES], lp_view msg, const uint8_t sk[LP_ED25519_SK_BYTES])
{
	if (!sig || !sk || (!msg.ptr && msg.len))
		return LP_ERR_ARG;
	if (crypto_sign_detached(sig, NULL, msg.ptr ? msg.ptr : empty_msg, msg.len, sk) != 0) {
		sodium_memzero(sig, LP_ED25519_SIG_BYTES);
		return LP_ERR_CRYPTO;
	}
	return LP_OK;
}

/* An OpenSSL EVP_PKEY for an EC2 lp_pubkey (public only). */
static lp_err ec_pkey_new(const lp_pubkey *k, EVP_PKEY **out)
{
	lp_err rc = LP_ERR_NOMEM;
	uint8_t point[1 + 2 * 48];
	size_t n = k->x_len;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);

	*out = NULL;
	if (!ctx)
		goto done;
	point[0] = 0x04; /* uncompressed SEC1 point */
	memcpy(point + 1, k->x, n);
	memcpy(point + 1 + n, k->y, n);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)ec_group_name(k->crv), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * n);
	params[2] = OSSL_PARAM_construct_end();
	rc = LP_ERR_COSE_KEY;
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		*out = NULL;
		goto done;
	}
	rc = LP_OK;
done:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* DER ECDSA-Sig-Value from the fixed-size r || s of RFC 9053 section 2.1. */
static lp_err ecdsa_sig_der(lp_view sig, uint8_t **der, int *der_len)
{
	lp_err rc = LP_ERR_NOMEM;
	size_t n = sig.len / 2;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig.ptr, (int)n, NULL);
	BIGNUM *s = BN_bin2bn(sig.ptr + n, (int)n, NULL);

	*der = NULL;
	*der_len = 0;
	if (!es || !r || !s)
		goto done;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto done;
	r = s = NULL; /* now owned by es */
	*der_len = i2d_ECDSA_SIG(es, der);
	if (*der_len <= 0) {
		*der = NULL;
		*der_len = 0;
		rc = LP_ERR_CRYPTO;
		goto done;
	}
	rc = LP_OK;
done:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

lp_err lp_ecdsa_verify(const lp_pubkey *k, int64_t alg, lp_view msg, lp_view sig)
{
	lp_err rc;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	uint8_t *der = NULL;
	int der_len = 0, ok;
	size_t n;
	const EVP_MD *hash;

	if (!k || (!msg.ptr && msg.len) || (!sig.ptr && sig.len))
		return LP_ERR_ARG;
	if (alg != LP_ALG_ES256 && alg != LP_ALG_ES384)
		return LP_ERR_UNSUPPORTED;
	if (lp_pubkey_alg(k) != alg)
		return LP_ERR_ALG_MISMATCH;
	n = k->x_len;
	hash = alg == LP_ALG_ES256 ? EVP_sha256() : EVP_sha384();
	/* RFC 9053 section 2.1: r and s each exactly the curve's size. */
	if (sig.len != 2 * n)
		return LP_ERR_SIGNATURE;
	rc = ec_pkey_new(k, &pkey);
	if (rc != LP_OK)
		goto done;
	rc = ecdsa_sig_der(sig, &der, &der_len);
	if (rc != LP_OK)
		goto done;
	rc = LP_ERR_NOMEM;
	md = EVP_MD_CTX_new();
	if (!md)
		goto done;
	rc = LP_ERR_CRYPTO;
	if (EVP_DigestVerifyInit(md, NULL, hash, NULL, pkey) != 1)
		goto done;
	ok = EVP_DigestVerify(md, der, (size_t)der_len, msg.ptr ? msg.ptr : empty_msg, msg.len);
	/* 0 is a bad signature; < 0 covers r or s out of range, also a bad signature. */
	rc = ok == 1 ? LP_OK : LP_ERR_SIGNATURE;
done:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}
