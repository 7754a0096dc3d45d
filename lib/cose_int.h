/* Internal COSE_Sign1 interface at the libcbor level, shared by the SD-CWT,
 * status list, trust list and request modules. Implemented in lib/cose.c. */
#ifndef LEERPAS_COSE_INT_H
#define LEERPAS_COSE_INT_H

#include "internal.h"
#include "leerpas/cose.h"

/* COSE header labels and values used by leerpas. */
#define LP_HDR_ALG 1
#define LP_HDR_CTY 3
#define LP_HDR_KID 4
#define LP_HDR_KCWT 13
#define LP_HDR_TYP 16
#define LP_HDR_SD_CLAIMS 17
#define LP_HDR_SD_ALG 170
#define LP_TAG_SIGN1 18

/* A parsed COSE_Sign1. All views point into the input buffer, which must
 * outlive this struct; the items are owned and released by lp_sign1_free. */
typedef struct lp_sign1 {
	cbor_item_t *root;          /* the whole decoded item */
	lp_view protected_bstr;     /* exact bytes of the protected header bstr content */
	cbor_item_t *protected_map; /* decoded protected header (empty map if zero-length) */
	cbor_item_t *unprotected;   /* borrowed from root: the unprotected map */
	lp_view payload;            /* exact payload bytes (never detached here) */
	lp_view signature;
	int64_t alg;                /* from the protected header */
	bool tagged;                /* carried tag 18 */
} lp_sign1;

/* Strict parse: definite lengths, no duplicate keys, depth limit, no
 * trailing bytes, 4-element array [bstr, map, bstr, bstr], alg present in
 * the protected header and absent from the unprotected one, the protected
 * bstr itself a well-formed map (or empty). Tag 18 required if require_tag.
 * When `in` is a view into a larger message, offsets in d are relative to
 * `in`. On failure *out is zeroed and nothing is allocated. */
lp_err lp_sign1_parse(lp_view in, bool require_tag, lp_sign1 *out, lp_diag *d);

/* Parse from an already decoded item (e.g. the SD-CWT inside an SD-KBT's
 * kcwt header). The views then point into memory owned by `item`, which
 * must outlive *out; out->root takes a new reference. */
lp_err lp_sign1_from_item(cbor_item_t *item, bool require_tag, lp_sign1 *out, lp_diag *d);

void lp_sign1_free(lp_sign1 *s);

/* Verify s's signature with key over Sig_structure
 * ["Signature1", protected_bstr, external_aad, payload]. Checks that s->alg
 * matches the key first (LP_ERR_ALG_MISMATCH). */
lp_err lp_sign1_verify(const lp_sign1 *s, const lp_pubkey *key, lp_view external_aad);

/* Create a tagged COSE_Sign1 signed with Ed25519. protected_map gets
 * alg = EdDSA added if it lacks it; both maps are borrowed (not consumed);
 * unprotected may be NULL (empty map). sk is the 64-byte libsodium secret
 * key. */
lp_err lp_sign1_create_ed25519(cbor_item_t *protected_map, cbor_item_t *unprotected,
			       lp_view payload, lp_view external_aad,
			       const uint8_t sk[LP_ED25519_SK_BYTES], lp_buf *out);

/* The same, but returns the decoded COSE_Sign1 item (tag 18) instead of its
 * bytes: used to embed an SD-CWT as the kcwt header of an SD-KBT. */
lp_err lp_sign1_create_ed25519_item(cbor_item_t *protected_map, cbor_item_t *unprotected,
				    lp_view payload, lp_view external_aad,
				    const uint8_t sk[LP_ED25519_SK_BYTES], cbor_item_t **out);

/* --- additions (lib/cose.c, lib/cose_key.c) ------------------------------ */

/* The Sig_structure ["Signature1", protected_bstr, external_aad, payload]
 * (RFC 9052 section 4.4) as bytes, into a fresh lp_buf. On failure *out is
 * empty. */
lp_err lp_sign1_tbs(lp_view protected_bstr, lp_view external_aad, lp_view payload, lp_buf *out);

/* Raw Ed25519 (RFC 8032) verification of sig over msg: LP_OK, or
 * LP_ERR_SIGNATURE for any signature that is not exactly 64 bytes or does
 * not verify (strict: S < L, canonical R and A, no small-order R or A). */
lp_err lp_ed25519_verify(const uint8_t pk[LP_ED25519_PK_BYTES], lp_view msg, lp_view sig);

/* Raw Ed25519 signature of msg with the 64-byte libsodium secret key. On
 * failure sig is zeroed. */
lp_err lp_ed25519_sign(uint8_t sig[LP_ED25519_SIG_BYTES], lp_view msg, const uint8_t sk[LP_ED25519_SK_BYTES]);

/* Raw ECDSA verification (alg ES256 or ES384) of sig = r || s (RFC 9053
 * section 2.1, exactly 64 or 96 bytes) over msg with an EC2 key. Errors:
 * LP_ERR_ALG_MISMATCH (key curve does not fit alg), LP_ERR_SIGNATURE,
 * LP_ERR_UNSUPPORTED (another alg), LP_ERR_COSE_KEY (point unusable). */
lp_err lp_ecdsa_verify(const lp_pubkey *key, int64_t alg, lp_view msg, lp_view sig);

#endif
