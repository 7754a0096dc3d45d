/* Token Status List (draft-ietf-oauth-status-list-20): a packed array of
 * 1, 2, 4 or 8-bit statuses, its CBOR StatusList map {"bits", "lst"} with
 * the zlib-compressed array, and the Status List Token: a COSE_Sign1 CWT
 * (typ "application/statuslist+cwt") signed by the school with Ed25519.
 *
 * Entry i lives in byte i / (8 / bits), at bit offset (i % (8 / bits)) * bits,
 * least significant bits first (draft section 4.1). Status values: 0 valid,
 * 1 invalid (revoked), 2 suspended; leerpas lists use 2 bits per entry.
 * See docs/format/status.md. */
#ifndef LEERPAS_STATUS_H
#define LEERPAS_STATUS_H

#include "leerpas/common.h"
#include "leerpas/cose.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_STATUS_VALID 0u
#define LP_STATUS_INVALID 1u    /* revoked */
#define LP_STATUS_SUSPENDED 2u

/* CWT claim keys of the Status List Token and the Referenced Token. */
#define LP_CWT_STATUS 65535       /* status claim of a Referenced Token */
#define LP_CWT_TTL 65534          /* time to live, seconds */
#define LP_CWT_STATUS_LIST 65533  /* the StatusList map */
#define LP_STATUS_TYP "application/statuslist+cwt"

/* Largest uncompressed list accepted by default when decoding (bytes):
 * 16 MiB is 67 million 2-bit entries, far above any school's register. */
#define LP_STATUS_MAX_BYTES (16u * 1024u * 1024u)
/* Largest Status List Token file accepted (bytes, compressed). */
#define LP_STATUS_MAX_TOKEN (4u * 1024u * 1024u)

/* A status list held in memory. `bytes` is owned (malloc) and freed by
 * lp_status_list_free. `count` is the number of addressable entries:
 * exact for a list made by lp_status_list_create, nbytes * 8 / bits for a
 * decoded one (the wire format does not carry the count). */
typedef struct lp_status_list {
	unsigned bits;
	size_t count;
	uint8_t *bytes;
	size_t nbytes;
} lp_status_list;

/* A fresh list of `count` entries of `bits` bits (1, 2, 4 or 8), all 0
 * (valid). LP_ERR_ARG for other bit sizes or count 0; LP_ERR_NOMEM. On
 * failure *out is zeroed. */
lp_err lp_status_list_create(lp_status_list *out, size_t count, unsigned bits) LP_WARN_UNUSED;

/* Release (NULL-tolerant); leaves the struct zeroed. */
void lp_status_list_free(lp_status_list *l);

/* Set entry idx to value. LP_ERR_ARG when idx >= count or value does not
 * fit in `bits` bits; the list is then unchanged. */
lp_err lp_status_list_set(lp_status_list *l, size_t idx, unsigned value) LP_WARN_UNUSED;

/* Read entry idx into *value. LP_ERR_STATUS_UNKNOWN when idx is beyond the
 * list (the draft: no statement can be made, the token must be rejected);
 * *value is then 0. */
lp_err lp_status_list_get(const lp_status_list *l, size_t idx, unsigned *value) LP_WARN_UNUSED;

/* Encode as the CBOR StatusList map {"bits": n, "lst": zlib(bytes)},
 * compressed at the highest level (as the draft recommends; this
 * reproduces the draft's test vectors byte for byte). */
lp_err lp_status_list_encode(const lp_status_list *l, lp_buf *out) LP_WARN_UNUSED;

/* Decode a CBOR StatusList map strictly: exactly the keys "bits" (1, 2, 4
 * or 8) and "lst" (bstr), plus an optional "aggregation_uri" (tstr) which
 * is ignored; the inflated array may not exceed max_bytes (0 means
 * LP_STATUS_MAX_BYTES): LP_ERR_TOO_LARGE. Errors: CBOR errors,
 * LP_ERR_MALFORMED (wrong keys or types, bits not allowed), LP_ERR_INFLATE,
 * LP_ERR_TOO_LARGE. On failure *out is zeroed. */
lp_err lp_status_list_decode(lp_view in, size_t max_bytes, lp_status_list *out,
			     lp_diag *d) LP_WARN_UNUSED;

/* A Status List Token as read from its file. The strings and the list are
 * owned and released by lp_status_token_free. */
typedef struct lp_status_token {
	char *uri;              /* sub: the URI the credentials point at */
	int64_t iat;            /* issued at */
	int64_t exp;            /* 0 when absent */
	int64_t ttl;            /* 0 when absent */
	uint8_t kid[64];        /* kid from the protected header, if any */
	size_t kid_len;
	int64_t alg;            /* COSE alg of the signature */
	lp_status_list list;
} lp_status_token;

/* Parameters of a token to sign. exp and ttl 0 mean absent. kid may be
 * NULL/0 (then no kid header). */
typedef struct lp_status_token_params {
	const char *uri;
	int64_t iat;
	int64_t exp;
	int64_t ttl;
	const uint8_t *kid;
	size_t kid_len;
} lp_status_token_params;

/* Sign `list` as a Status List Token: COSE_Sign1 (tag 18, no CWT tag),
 * protected {alg: EdDSA, typ: "application/statuslist+cwt", kid}, payload
 * {2 sub: uri, 6 iat, 4 exp?, 65534 ttl?, 65533 StatusList}. sk is the
 * 64-byte libsodium Ed25519 secret key. The caller owns *out. */
lp_err lp_status_token_sign(const lp_status_list *list, const lp_status_token_params *p,
			    const uint8_t sk[LP_ED25519_SK_BYTES], lp_buf *out) LP_WARN_UNUSED;

/* Parse a Status List Token WITHOUT checking its signature (for inspecting
 * tokens whose key is not at hand, such as the draft's example): COSE
 * structure, typ, required claims sub, iat and status_list, and the list
 * itself. max_bytes as for lp_status_list_decode. On failure *out is
 * zeroed. Never use the result for a decision: use lp_status_token_verify. */
lp_err lp_status_token_parse(lp_view in, size_t max_bytes, lp_status_token *out,
			     lp_diag *d) LP_WARN_UNUSED;

/* Verify the token's signature with the school's key over the exact bytes
 * (LP_ERR_SIGNATURE, LP_ERR_ALG_MISMATCH), then parse it as above. Time is
 * not judged here: use lp_status_token_freshness. */
lp_err lp_status_token_verify(lp_view in, const lp_pubkey *key, size_t max_bytes,
			      lp_status_token *out, lp_diag *d) LP_WARN_UNUSED;

/* How current a token is at time `now` (Unix seconds). */
typedef enum lp_status_freshness {
	LP_STATUS_FRESH = 0,     /* within iat .. iat+ttl and before exp */
	LP_STATUS_STALE = 1,     /* older than its ttl: fetch a fresh copy */
	LP_STATUS_EXPIRED = 2,   /* now >= exp: the school no longer vouches for it */
	LP_STATUS_FUTURE = 3     /* iat after now (clock skew or a wrong --at) */
} lp_status_freshness;

/* Judge a verified token at `now`; expired wins over stale. */
lp_status_freshness lp_status_token_freshness(const lp_status_token *t, int64_t now);

/* A short word for a freshness value ("fresh", "stale", ...). */
const char *lp_status_freshness_str(lp_status_freshness f);

void lp_status_token_free(lp_status_token *t);

/* A Referenced Token's status claim (claim 65535), as CBOR bytes:
 * {"status_list": {"idx": uint, "uri": tstr}}. Used by issuers (encode)
 * and verifiers (decode). The decoded uri is owned by the caller (free()). */
lp_err lp_status_ref_encode(uint64_t idx, const char *uri, lp_buf *out) LP_WARN_UNUSED;
lp_err lp_status_ref_decode(lp_view in, uint64_t *idx, char **uri, lp_diag *d) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
