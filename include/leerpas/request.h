/* The issuance request: how a wallet asks a school to bind a credential to
 * fresh holder keys, and the school's check of it.
 *
 * The wallet makes one Ed25519 key per credential (or per copy of a batch)
 * and proves possession of each: one COSE_Sign1 per key, signed by that key,
 * whose CWT claims name the school (aud), carry the nonce the school gave
 * (empty when none) and the time (iat), and hold the public key (cnf).
 * Wire format (docs/format/request.md):
 *   Request = { 1 => 1 (version), 2 => [+ COSE_Sign1_Tagged] }
 *   protected { 1 alg: -8, 16 typ: "application/leerpas-request+cwt" }
 *   payload   { 3 aud: tstr, 6 iat: int, 10 nonce: bstr, 8 cnf: {1: COSE_Key} }
 */
#ifndef LEERPAS_REQUEST_H
#define LEERPAS_REQUEST_H

#include "leerpas/common.h"
#include "leerpas/cose.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_REQUEST_TYP "application/leerpas-request+cwt"
#define LP_REQUEST_VERSION 1
#define LP_REQUEST_MAX_KEYS 256       /* copies in one batch request */
#define LP_REQUEST_MAX_BYTES (128u * 1024u)
#define LP_REQUEST_MAX_NONCE 64       /* bytes */
#define LP_REQUEST_DEFAULT_WINDOW (7 * 24 * 3600)  /* seconds */

/* A fresh Ed25519 holder key pair from lp_random(). sk (64 bytes, seed ||
 * public key) should live in sodium_malloc'd memory; the caller wipes it. */
lp_err lp_request_keygen(uint8_t pk[LP_ED25519_PK_BYTES],
			 uint8_t sk[LP_ED25519_SK_BYTES]) LP_WARN_UNUSED;

/* What the wallet puts in each proof. nonce may be empty (ptr NULL, len 0)
 * when the school gave none; at most LP_REQUEST_MAX_NONCE bytes. */
typedef struct lp_request_params {
	const char *school_id;  /* the school's identifier (its iss) */
	lp_view nonce;
	int64_t iat;            /* now, Unix seconds */
} lp_request_params;

/* Make a request for n keys (1..LP_REQUEST_MAX_KEYS); sks[i] is the 64-byte
 * secret key of key i, whose public half is sks[i] + 32. The caller owns
 * *out. LP_ERR_ARG on a bad parameter. */
lp_err lp_request_create(const lp_request_params *p, const uint8_t *const *sks, size_t n,
			 lp_buf *out) LP_WARN_UNUSED;

/* The school's policy for the check. */
typedef struct lp_request_policy {
	const char *school_id;  /* the school's own identifier: aud must equal it */
	lp_view nonce;          /* the nonce the school gave (may be empty) */
	bool require_nonce;     /* when true, the request's nonce must equal `nonce` */
	int64_t now;            /* Unix seconds */
	int64_t window;         /* accepted age of iat in seconds (0: the default, 7 days);
				   iat may also be up to 5 minutes in the future */
	size_t max_keys;        /* 0: LP_REQUEST_MAX_KEYS */
} lp_request_policy;

/* A checked request: the holder public keys in request order. keys is
 * malloc'd and released by lp_request_free. */
typedef struct lp_request {
	size_t n_keys;
	uint8_t (*keys)[LP_ED25519_PK_BYTES];
	int64_t iat;            /* the oldest iat among the proofs */
} lp_request;

/* Why a request was refused (finer than the lp_err). */
typedef enum lp_request_failure {
	LP_REQ_OK = 0,
	LP_REQ_MALFORMED,      /* not a well-formed request (CBOR, COSE, claims) */
	LP_REQ_VERSION,        /* another request format version */
	LP_REQ_TYP,            /* a proof without our typ */
	LP_REQ_KEY,            /* cnf is not an Ed25519 COSE_Key */
	LP_REQ_SIGNATURE,      /* a proof is not signed by its key */
	LP_REQ_SCHOOL,         /* addressed to another school */
	LP_REQ_NONCE,          /* nonce missing or not the one the school gave */
	LP_REQ_TOO_OLD,        /* iat older than the window */
	LP_REQ_FUTURE,         /* iat more than 5 minutes ahead */
	LP_REQ_DUPLICATE_KEY,  /* the same key twice */
	LP_REQ_TOO_MANY        /* more keys than policy allows */
} lp_request_failure;

/* Check a request: strict CBOR and COSE structure, then per proof: typ, an
 * Ed25519 cnf key, its signature by that key, aud equal to the school, the
 * nonce, iat within the window, no key twice. Returns LP_OK, LP_ERR_REQUEST
 * for every refusal (including a bad signature), LP_ERR_TOO_LARGE, LP_ERR_ARG
 * or LP_ERR_NOMEM; *why (optional) names the refusal and d->msg says which
 * proof failed and why. On failure *out is zeroed and nothing is allocated. */
lp_err lp_request_check(lp_view in, const lp_request_policy *p, lp_request *out,
			lp_request_failure *why, lp_diag *d) LP_WARN_UNUSED;

/* A stable short name for a refusal ("school", "nonce", "too_old", ...). */
const char *lp_request_failure_code(lp_request_failure w);

void lp_request_free(lp_request *r);

#ifdef __cplusplus
}
#endif
#endif
