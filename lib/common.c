/* Error names and messages, diagnostics, owned buffers and the one
 * replaceable randomness source of libleerpas. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "leerpas/common.h"

struct err_entry {
	lp_err code;
	const char *name;
	const char *msg;
};

static const struct err_entry err_table[] = {
	{ LP_OK, "ok", "success" },
	{ LP_ERR_ARG, "argument", "invalid argument" },
	{ LP_ERR_UNSUPPORTED, "unsupported", "unsupported algorithm, feature or version" },
	{ LP_ERR_STATE, "state", "operation not allowed in this state" },
	{ LP_ERR_MALFORMED, "malformed", "malformed input" },
	{ LP_ERR_BASE45, "base45", "not valid base45 text" },
	{ LP_ERR_INFLATE, "inflate", "not valid zlib-compressed data" },
	{ LP_ERR_TOO_LARGE, "too_large", "input larger than allowed" },
	{ LP_ERR_CBOR, "cbor", "not well-formed CBOR" },
	{ LP_ERR_CBOR_INDEFINITE, "cbor_indefinite", "indefinite-length CBOR item (only definite lengths are accepted)" },
	{ LP_ERR_CBOR_DUPLICATE_KEY, "cbor_duplicate_key", "CBOR map with a duplicate key" },
	{ LP_ERR_CBOR_TRAILING, "cbor_trailing", "unexpected bytes after the CBOR item" },
	{ LP_ERR_CBOR_DEPTH, "cbor_depth", "CBOR nested too deeply" },
	{ LP_ERR_COSE_TAG, "cose_tag", "wrong or missing COSE tag" },
	{ LP_ERR_COSE_STRUCTURE, "cose_structure", "not a well-formed COSE_Sign1 structure" },
	{ LP_ERR_COSE_ALG, "cose_alg", "algorithm missing from the protected header" },
	{ LP_ERR_COSE_ALG_UNPROTECTED, "cose_alg_unprotected", "algorithm given in the unprotected header" },
	{ LP_ERR_COSE_KEY, "cose_key", "malformed key" },
	{ LP_ERR_PREFIX, "prefix", "text does not start with the expected prefix" },
	{ LP_ERR_CLAIMS, "claims", "malformed or missing claim" },
	{ LP_ERR_DISCLOSURE, "disclosure", "malformed disclosure" },
	{ LP_ERR_JSON, "json", "malformed JSON" },
	{ LP_ERR_CSV, "csv", "malformed CSV" },
	{ LP_ERR_TYP, "typ", "wrong object type (typ header)" },
	{ LP_ERR_SIGNATURE, "signature", "signature does not verify" },
	{ LP_ERR_ALG_MISMATCH, "alg_mismatch", "algorithm does not match the key" },
	{ LP_ERR_DIGEST_MISMATCH, "digest_mismatch", "a disclosure does not match any digest the issuer signed" },
	{ LP_ERR_DUPLICATE_CLAIM, "duplicate_claim", "a disclosed claim duplicates another claim" },
	{ LP_ERR_TIME_ORDER, "time_order", "time claims are in an impossible order" },
	{ LP_ERR_EXPIRED, "expired", "expired" },
	{ LP_ERR_NOT_YET_VALID, "not_yet_valid", "not yet valid" },
	{ LP_ERR_AUDIENCE, "audience", "presentation meant for another verifier" },
	{ LP_ERR_NONCE, "challenge", "challenge missing, wrong or already used" },
	{ LP_ERR_HOLDER_BINDING, "holder_binding", "not presented by the holder the credential was issued to" },
	{ LP_ERR_UNTRUSTED, "untrusted", "issuer or key not recognised" },
	{ LP_ERR_KEY_PERIOD, "key_period", "issuer key used outside its validity period" },
	{ LP_ERR_TYPE_NOT_ALLOWED, "type_not_allowed", "issuer not recognised for this credential type" },
	{ LP_ERR_REVOKED, "revoked", "credential revoked by its issuer" },
	{ LP_ERR_SUSPENDED, "suspended", "credential suspended by its issuer" },
	{ LP_ERR_STATUS_UNKNOWN, "status_unknown", "no current status information" },
	{ LP_ERR_PASSPHRASE, "passphrase", "wrong passphrase or recovery key" },
	{ LP_ERR_INTEGRITY, "integrity", "file has been altered or damaged" },
	{ LP_ERR_REQUEST, "request", "issuance request does not verify" },
	{ LP_ERR_NOT_BOUND, "not_bound", "credential not bound to a key of this wallet" },
	{ LP_ERR_POLICY, "policy", "refused by policy" },
	{ LP_ERR_NOMEM, "nomem", "out of memory" },
	{ LP_ERR_IO, "io", "input/output error" },
	{ LP_ERR_RANDOM, "random", "randomness source failed" },
	{ LP_ERR_CRYPTO, "crypto", "cryptographic library failure" },
	{ LP_ERR_VERSION, "version", "made by a newer version of leerpas" },
	{ LP_ERR_EXISTS, "exists", "already exists" },
	{ LP_ERR_NOT_FOUND, "not_found", "not found" },
	{ LP_ERR_LOCKED, "locked", "locked by another process" },
	{ LP_ERR_INTERNAL, "internal", "internal error" },
};

static const struct err_entry *err_find(lp_err e)
{
	for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
		if (err_table[i].code == e)
			return &err_table[i];
	return NULL;
}

const char *lp_err_str(lp_err e)
{
	const struct err_entry *x = err_find(e);
	return x ? x->msg : "unknown error";
}

const char *lp_err_code(lp_err e)
{
	const struct err_entry *x = err_find(e);
	return x ? x->name : "unknown";
}

bool lp_err_is_verification(lp_err e)
{
	return e >= 200 && e < 300;
}

lp_err lp_diag_set(lp_diag *d, lp_err code, size_t offset, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		d->code = code;
		d->offset = offset;
		va_start(ap, fmt);
		/* Truncation of a diagnostic is harmless: msg stays NUL-terminated. */
		(void)vsnprintf(d->msg, sizeof d->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

void lp_buf_free(lp_buf *b)
{
	if (!b)
		return;
	if (b->ptr) {
		sodium_memzero(b->ptr, b->len);
		free(b->ptr);
	}
	b->ptr = NULL;
	b->len = 0;
}

lp_err lp_buf_dup(lp_buf *out, const uint8_t *p, size_t len)
{
	out->ptr = malloc(len ? len : 1);
	if (!out->ptr) {
		out->len = 0;
		return LP_ERR_NOMEM;
	}
	if (len)
		memcpy(out->ptr, p, len);
	out->len = len;
	return LP_OK;
}

lp_err lp_init(void)
{
	return sodium_init() < 0 ? LP_ERR_CRYPTO : LP_OK;
}

static lp_random_fn random_fn;
static void *random_ctx;

void lp_random_set(lp_random_fn fn, void *ctx)
{
	random_fn = fn;
	random_ctx = ctx;
}

void lp_random(uint8_t *out, size_t len)
{
	if (random_fn)
		random_fn(random_ctx, out, len);
	else
		randombytes_buf(out, len);
}
