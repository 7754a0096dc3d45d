/* COSE keys and COSE_Sign1 (RFC 9052) as the programs see them: public keys
 * from COSE_Key or PEM, and checking a COSE_Sign1 against a given key.
 * leerpas signs with EdDSA (Ed25519, via libsodium) and verifies EdDSA,
 * ES256 and ES384 (via OpenSSL libcrypto, verify only). */
#ifndef LEERPAS_COSE_H
#define LEERPAS_COSE_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* COSE algorithm identifiers (IANA). */
#define LP_ALG_EDDSA (-8)
#define LP_ALG_ES256 (-7)
#define LP_ALG_ES384 (-35)

#define LP_ED25519_PK_BYTES 32
#define LP_ED25519_SK_BYTES 64   /* libsodium layout: seed || public key */
#define LP_ED25519_SIG_BYTES 64

/* A public key for verification. kty: 1 OKP (Ed25519), 2 EC2 (P-256/P-384).
 * crv: 6 Ed25519, 1 P-256, 2 P-384 (COSE values). x holds the Ed25519 key or
 * the EC x coordinate, y the EC y coordinate (big-endian, fixed size). */
typedef struct lp_pubkey {
	int kty;
	int crv;
	uint8_t x[48];
	size_t x_len;
	uint8_t y[48];
	size_t y_len;
} lp_pubkey;

/* The COSE alg a key is for (EdDSA, ES256 or ES384), from its curve. */
int lp_pubkey_alg(const lp_pubkey *k);

/* An Ed25519 public key from its 32 bytes. */
void lp_pubkey_ed25519(lp_pubkey *out, const uint8_t pk[LP_ED25519_PK_BYTES]);

/* Parse a COSE_Key map (OKP/Ed25519, EC2/P-256, EC2/P-384). Checks points
 * are on their curve. On failure *out is zeroed. */
lp_err lp_pubkey_from_cose(lp_view cose_key, lp_pubkey *out, lp_diag *d) LP_WARN_UNUSED;

/* Parse a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or a PEM private key
 * (from which only the public half is taken). */
lp_err lp_pubkey_from_pem(const char *pem, size_t len, lp_pubkey *out, lp_diag *d) LP_WARN_UNUSED;

/* Encode as a COSE_Key map (kty, crv, x[, y]). */
lp_err lp_pubkey_to_cose(const lp_pubkey *k, lp_buf *out) LP_WARN_UNUSED;

/* True when both keys are the same key. */
bool lp_pubkey_equal(const lp_pubkey *a, const lp_pubkey *b);

/* Parse a COSE_Sign1 strictly (tag 18 optional unless require_tag) and
 * verify its signature with key over the exact received bytes, with the
 * given external_aad (may be empty). Errors: LP_ERR_COSE_TAG,
 * LP_ERR_COSE_STRUCTURE, LP_ERR_COSE_ALG, LP_ERR_COSE_ALG_UNPROTECTED,
 * LP_ERR_ALG_MISMATCH, LP_ERR_SIGNATURE, CBOR errors from the strict parser.
 * On success *payload (if non-NULL) points into msg at the payload bytes. */
lp_err lp_cose_sign1_check(lp_view msg, bool require_tag, const lp_pubkey *key,
			   lp_view external_aad, lp_view *payload, lp_diag *d) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
