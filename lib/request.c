/* The issuance request: proofs of possession of fresh holder keys, made by
 * the wallet and checked by the school before it binds a credential to them
 * (format in include/leerpas/request.h and docs/format/request.md). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cose_int.h"
#include "internal.h"
#include "leerpas/request.h"

#define REQ_FUTURE_SKEW 300
#define CLAIM_AUD 3
#define CLAIM_IAT 6
#define CLAIM_CNF 8
#define CLAIM_NONCE 10
#define CNF_COSE_KEY 1

lp_err lp_request_keygen(uint8_t pk[LP_ED25519_PK_BYTES], uint8_t sk[LP_ED25519_SK_BYTES])
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	lp_random(seed, sizeof seed);
	int r = crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return r == 0 ? LP_OK : LP_ERR_CRYPTO;
}

/* {1: 1 (OKP), -1: 6 (Ed25519), -2: x} */
static cbor_item_t *okp_key_item(const uint8_t pk[LP_ED25519_PK_BYTES])
{
	cbor_item_t *m = cbor_new_definite_map(3);
	if (!m)
		return NULL;
	if (!lp_cbor_map_put(m, lp_cbor_int(1), lp_cbor_int(1)) ||
	    !lp_cbor_map_put(m, lp_cbor_int(-1), lp_cbor_int(6)) ||
	    !lp_cbor_map_put(m, lp_cbor_int(-2), cbor_build_bytestring(pk, LP_ED25519_PK_BYTES))) {
		cbor_decref(&m);
		return NULL;
	}
	return m;
}

/* One proof for the key whose secret is sk, appended to `arr`. */
static lp_err make_proof(const lp_request_params *p, const uint8_t *sk, cbor_item_t *arr)
{
	lp_err rc = LP_ERR_NOMEM;
	cbor_item_t *prot = NULL, *claims = NULL, *cnf = NULL, *proof = NULL;
	lp_buf payload = { 0 };

	prot = cbor_new_definite_map(2);
	if (!prot || !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)) ||
	    !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_TYP), cbor_build_string(LP_REQUEST_TYP)))
		goto out;
	cnf = cbor_new_definite_map(1);
	if (!cnf || !lp_cbor_map_put(cnf, lp_cbor_int(CNF_COSE_KEY), okp_key_item(sk + 32)))
		goto out;
	claims = cbor_new_definite_map(4);
	if (!claims ||
	    !lp_cbor_map_put(claims, lp_cbor_int(CLAIM_AUD), cbor_build_string(p->school_id)) ||
	    !lp_cbor_map_put(claims, lp_cbor_int(CLAIM_IAT), lp_cbor_int(p->iat)) ||
	    !lp_cbor_map_put(claims, lp_cbor_int(CLAIM_NONCE),
			     cbor_build_bytestring(p->nonce.len ? p->nonce.ptr : (const uint8_t *)"",
						   p->nonce.len)))
		goto out;
	cbor_item_t *c = cnf;
	cnf = NULL;
	if (!lp_cbor_map_put(claims, lp_cbor_int(CLAIM_CNF), c))
		goto out;
	if ((rc = lp_cbor_encode(claims, &payload)) != LP_OK)
		goto out;
	rc = lp_sign1_create_ed25519_item(prot, NULL, lp_buf_view(&payload), lp_view_of(NULL, 0),
					  sk, &proof);
	if (rc)
		goto out;
	rc = cbor_array_push(arr, proof) ? LP_OK : LP_ERR_NOMEM;
out:
	if (proof)
		cbor_decref(&proof);
	if (cnf)
		cbor_decref(&cnf);
	if (claims)
		cbor_decref(&claims);
	if (prot)
		cbor_decref(&prot);
	lp_buf_free(&payload);
	return rc;
}

lp_err lp_request_create(const lp_request_params *p, const uint8_t *const *sks, size_t n,
			 lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!p || !p->school_id || !*p->school_id || !sks || n == 0 ||
	    n > LP_REQUEST_MAX_KEYS || p->nonce.len > LP_REQUEST_MAX_NONCE ||
	    (p->nonce.len && !p->nonce.ptr) || p->iat < 0)
		return LP_ERR_ARG;
	for (size_t i = 0; i < n; i++)
		if (!sks[i])
			return LP_ERR_ARG;
	lp_err rc = LP_ERR_NOMEM;
	cbor_item_t *req = cbor_new_definite_map(2);
	cbor_item_t *arr = cbor_new_definite_array(n);
	if (!req || !arr)
		goto out;
	for (size_t i = 0; i < n; i++)
		if ((rc = make_proof(p, sks[i], arr)) != LP_OK)
			goto out;
	rc = LP_ERR_NOMEM;
	if (!lp_cbor_map_put(req, lp_cbor_int(1), lp_cbor_int(LP_REQUEST_VERSION)))
		goto out;
	cbor_item_t *a = arr;
	arr = NULL;
	if (!lp_cbor_map_put(req, lp_cbor_int(2), a))
		goto out;
	rc = lp_cbor_encode(req, out);
out:
	if (arr)
		cbor_decref(&arr);
	if (req)
		cbor_decref(&req);
	return rc;
}

static bool text_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);
	return it && cbor_isa_string(it) && cbor_string_is_definite(it) &&
	       cbor_string_length(it) == n && memcmp(cbor_string_handle(it), s, n) == 0;
}

/* Record a refusal: *why, the diagnostic, and LP_ERR_REQUEST. */
static lp_err refuse(lp_request_failure *why, lp_request_failure w, lp_diag *d, size_t proof,
		     const char *msg)
{
	if (why)
		*why = w;
	return lp_diag_set(d, LP_ERR_REQUEST, 0, "request proof %zu: %s", proof + 1, msg);
}

/* Check one proof item; on success its key goes to pk and its iat to *iat. */
static lp_err check_proof(cbor_item_t *item, size_t i, const lp_request_policy *p,
			  uint8_t pk[LP_ED25519_PK_BYTES], int64_t *iat,
			  lp_request_failure *why, lp_diag *d)
{
	lp_sign1 s;
	cbor_item_t *claims = NULL;
	lp_buf keybytes = { 0 };
	lp_pubkey key;
	lp_err rc = lp_sign1_from_item(item, true, &s, d);
	if (rc)
		return refuse(why, LP_REQ_MALFORMED, d, i, "not a tagged COSE_Sign1");
	if (!text_is(lp_cbor_map_get_int(s.protected_map, LP_HDR_TYP), LP_REQUEST_TYP)) {
		rc = refuse(why, LP_REQ_TYP, d, i, "typ is not " LP_REQUEST_TYP);
		goto out;
	}
	if (s.alg != LP_ALG_EDDSA) {
		rc = refuse(why, LP_REQ_KEY, d, i, "not signed with EdDSA");
		goto out;
	}
	if (lp_cbor_load(s.payload, LP_CBOR_MAX_DEPTH, &claims, NULL) != LP_OK ||
	    !cbor_isa_map(claims)) {
		rc = refuse(why, LP_REQ_MALFORMED, d, i, "payload is not a CBOR claims map");
		goto out;
	}
	const cbor_item_t *cnf = lp_cbor_map_get_int(claims, CLAIM_CNF);
	const cbor_item_t *ck = cnf && cbor_isa_map(cnf) ? lp_cbor_map_get_int(cnf, CNF_COSE_KEY) : NULL;
	if (!ck || lp_cbor_encode(ck, &keybytes) != LP_OK ||
	    lp_pubkey_from_cose(lp_buf_view(&keybytes), &key, NULL) != LP_OK ||
	    key.kty != 1 || key.crv != 6 || key.x_len != LP_ED25519_PK_BYTES) {
		rc = refuse(why, LP_REQ_KEY, d, i, "cnf does not hold an Ed25519 COSE_Key");
		goto out;
	}
	/* Proof of possession: the key verifies its own proof, over the exact
	 * bytes; nothing else in the payload is looked at before this. */
	if (lp_sign1_verify(&s, &key, lp_view_of(NULL, 0)) != LP_OK) {
		rc = refuse(why, LP_REQ_SIGNATURE, d, i, "signature does not verify with its key");
		goto out;
	}
	const cbor_item_t *aud = lp_cbor_map_get_int(claims, CLAIM_AUD);
	const cbor_item_t *ti = lp_cbor_map_get_int(claims, CLAIM_IAT);
	const cbor_item_t *nonce = lp_cbor_map_get_int(claims, CLAIM_NONCE);
	int64_t t;
	if (!aud || !cbor_isa_string(aud) || !ti || !lp_cbor_get_int(ti, &t) || t < 0 || !nonce ||
	    !cbor_isa_bytestring(nonce) || !cbor_bytestring_is_definite(nonce) ||
	    cbor_bytestring_length(nonce) > LP_REQUEST_MAX_NONCE || cbor_map_size(claims) != 4) {
		rc = refuse(why, LP_REQ_MALFORMED, d, i,
			    "claims must be exactly aud (text), iat (integer), nonce (bytes), cnf");
		goto out;
	}
	if (!text_is(aud, p->school_id)) {
		rc = refuse(why, LP_REQ_SCHOOL, d, i,
			    "addressed to another school (aud is not this school's identifier)");
		goto out;
	}
	if (p->require_nonce) {
		size_t nl = cbor_bytestring_length(nonce);
		if (nl == 0 || nl != p->nonce.len ||
		    sodium_memcmp(cbor_bytestring_handle(nonce), p->nonce.ptr, nl) != 0) {
			rc = refuse(why, LP_REQ_NONCE, d, i,
				    nl ? "nonce is not the one this school gave"
				       : "nonce missing, but this school requires one");
			goto out;
		}
	}
	int64_t window = p->window > 0 ? p->window : LP_REQUEST_DEFAULT_WINDOW;
	if (t > p->now && t - p->now > REQ_FUTURE_SKEW) {
		rc = refuse(why, LP_REQ_FUTURE, d, i, "made in the future (check the clocks)");
		goto out;
	}
	if (t < p->now && p->now - t > window) {
		rc = refuse(why, LP_REQ_TOO_OLD, d, i, "too old: ask the learner for a new request");
		goto out;
	}
	memcpy(pk, key.x, LP_ED25519_PK_BYTES);
	*iat = t;
	rc = LP_OK;
out:
	lp_buf_free(&keybytes);
	if (claims)
		cbor_decref(&claims);
	lp_sign1_free(&s);
	return rc;
}

lp_err lp_request_check(lp_view in, const lp_request_policy *p, lp_request *out,
			lp_request_failure *why, lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (why)
		*why = LP_REQ_OK;
	if (!p || !p->school_id || (p->nonce.len && !p->nonce.ptr))
		return LP_ERR_ARG;
	if (in.len > LP_REQUEST_MAX_BYTES) {
		if (why)
			*why = LP_REQ_MALFORMED;
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "request larger than %u bytes",
				   LP_REQUEST_MAX_BYTES);
	}
	size_t max_keys = p->max_keys ? p->max_keys : LP_REQUEST_MAX_KEYS;
	cbor_item_t *req = NULL;
	lp_err rc = lp_cbor_load(in, LP_CBOR_MAX_DEPTH, &req, d);
	if (rc) {
		if (why)
			*why = LP_REQ_MALFORMED;
		return lp_diag_set(d, LP_ERR_REQUEST, d ? d->offset : 0, "request is not well-formed CBOR: %s",
				   lp_err_str(rc));
	}
	const cbor_item_t *ver = cbor_isa_map(req) ? lp_cbor_map_get_int(req, 1) : NULL;
	const cbor_item_t *arr = cbor_isa_map(req) ? lp_cbor_map_get_int(req, 2) : NULL;
	int64_t v;
	if (!ver || !arr || cbor_map_size(req) != 2 || !lp_cbor_get_int(ver, &v) ||
	    !cbor_isa_array(arr) || cbor_array_size(arr) == 0) {
		rc = lp_diag_set(d, LP_ERR_REQUEST, 0,
				 "not an issuance request ({1: version, 2: [proofs]} expected)");
		if (why)
			*why = LP_REQ_MALFORMED;
		goto out;
	}
	if (v != LP_REQUEST_VERSION) {
		rc = lp_diag_set(d, LP_ERR_REQUEST, 0,
				 "request format version %lld is not supported (expected %d)",
				 (long long)v, LP_REQUEST_VERSION);
		if (why)
			*why = LP_REQ_VERSION;
		goto out;
	}
	size_t n = cbor_array_size(arr);
	if (n > max_keys) {
		rc = lp_diag_set(d, LP_ERR_REQUEST, 0, "request asks for %zu keys, at most %zu allowed",
				 n, max_keys);
		if (why)
			*why = LP_REQ_TOO_MANY;
		goto out;
	}
	out->keys = calloc(n, sizeof *out->keys);
	if (!out->keys) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	cbor_item_t **items = cbor_array_handle(arr);
	for (size_t i = 0; i < n; i++) {
		int64_t t = 0;
		rc = check_proof(items[i], i, p, out->keys[i], &t, why, d);
		if (rc)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (memcmp(out->keys[j], out->keys[i], LP_ED25519_PK_BYTES) == 0) {
				rc = refuse(why, LP_REQ_DUPLICATE_KEY, d, i,
					    "the same key appears twice");
				goto out;
			}
		if (i == 0 || t < out->iat)
			out->iat = t;
	}
	out->n_keys = n;
out:
	if (req)
		cbor_decref(&req);
	if (rc)
		lp_request_free(out);
	return rc;
}

void lp_request_free(lp_request *r)
{
	if (!r)
		return;
	free(r->keys);
	memset(r, 0, sizeof *r);
}

const char *lp_request_failure_code(lp_request_failure w)
{
	switch (w) {
	case LP_REQ_OK: return "ok";
	case LP_REQ_MALFORMED: return "malformed";
	case LP_REQ_VERSION: return "version";
	case LP_REQ_TYP: return "typ";
	case LP_REQ_KEY: return "key";
	case LP_REQ_SIGNATURE: return "signature";
	case LP_REQ_SCHOOL: return "school";
	case LP_REQ_NONCE: return "nonce";
	case LP_REQ_TOO_OLD: return "too_old";
	case LP_REQ_FUTURE: return "future";
	case LP_REQ_DUPLICATE_KEY: return "duplicate_key";
	case LP_REQ_TOO_MANY: return "too_many";
	}
	return "unknown";
}
