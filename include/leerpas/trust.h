/* Trust: which schools a verifier recognises, with which keys, for which
 * credential types, and when.
 *
 * Three documents (JSON; see docs/format/trust.md):
 * - the issuer description a school exports: id, name, country, keys with
 *   their validity periods (retired keys stay, with valid_until), optional
 *   predecessors (schools merged into this one) and credential types;
 * - the trust anchor file: an accreditation body's id and Ed25519 key;
 * - the trust list: recognised schools (each a description plus
 *   recognised_from/until and allowed credential types), signed by the
 *   anchor as a COSE_Sign1 over the exact JSON bytes (cty application/json).
 * A trust store holds anchors, the lists they signed and schools pinned by
 * hand, and answers: which key verifies a credential of this issuer, kid and
 * type, issued at iat, judged at time `at`?
 *
 * Times are Unix seconds in the API and RFC 3339 UTC text
 * ("2026-09-01T00:00:00Z") or integers in the JSON. */
#ifndef LEERPAS_TRUST_H
#define LEERPAS_TRUST_H

#include "leerpas/common.h"
#include "leerpas/cose.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TRUST_MAX_DESC (256u * 1024u)      /* bytes of one issuer description */
#define LP_TRUST_MAX_LIST (8u * 1024u * 1024u) /* bytes of a signed trust list */
#define LP_TRUST_MAX_KEYS 64                 /* keys per issuer */
#define LP_TRUST_MAX_PREDECESSOR_DEPTH 4
#define LP_TRUST_CTY "application/json"

/* ---- issuer descriptions (what `leerpas-issuer export` writes) ---------- */

typedef struct lp_issuer_key_entry {
	const char *kid;         /* the COSE kid of credentials is these UTF-8 bytes */
	const lp_pubkey *key;    /* Ed25519 (written as "x") or P-256/P-384 ("cose_key") */
	int64_t valid_from;
	int64_t valid_until;     /* 0: still current */
} lp_issuer_key_entry;

typedef struct lp_issuer_desc_params {
	const char *id;          /* the school's identifier: credentials' iss */
	const char *name;
	const char *country;     /* ISO 3166-1 alpha-2, e.g. "NL" */
	const lp_issuer_key_entry *keys;
	size_t n_keys;
	const char *const *credential_types; /* vct values; NULL/0: not stated */
	size_t n_types;
	const lp_view *predecessors;  /* descriptions (JSON) of merged schools */
	size_t n_predecessors;
} lp_issuer_desc_params;

/* Write an issuer description as JSON (UTF-8, pretty, newline-terminated).
 * Predecessor descriptions are validated and embedded. LP_ERR_ARG for a
 * missing field, LP_ERR_JSON for a bad predecessor. Caller owns *out. */
lp_err lp_issuer_desc_write(const lp_issuer_desc_params *p, lp_buf *out) LP_WARN_UNUSED;

/* Validate an issuer description (the same checks as pinning it). */
lp_err lp_issuer_desc_check(lp_view json, lp_diag *d) LP_WARN_UNUSED;

/* ---- trust anchors -------------------------------------------------------- */

/* Write an anchor public key file {"id", "name", "kid", "alg": "EdDSA", "x"}.
 * kid NULL: the id is the kid. Caller owns *out. */
lp_err lp_trust_anchor_write(const char *id, const char *name, const char *kid,
			     const uint8_t pk[LP_ED25519_PK_BYTES], lp_buf *out) LP_WARN_UNUSED;

/* ---- trust lists (the accreditation body's side) -------------------------- */

/* A new, empty, unsigned trust list JSON for anchor `anchor_id`. */
lp_err lp_trust_list_new(const char *anchor_id, int64_t issued_at, lp_buf *out) LP_WARN_UNUSED;

/* Add (or replace, by id) a school in an unsigned trust list JSON: its
 * description, recognised from `from` until `until` (0: open), allowed
 * credential types (NULL/0: "*", every type). Caller owns *out. */
lp_err lp_trust_list_add(lp_view list_json, lp_view issuer_json, int64_t from, int64_t until,
			 const char *const *types, size_t n_types, lp_buf *out,
			 lp_diag *d) LP_WARN_UNUSED;

/* Validate and sign a trust list JSON with the anchor's Ed25519 key as a
 * COSE_Sign1 (tag 18) with protected {alg EdDSA, cty application/json,
 * kid}. issued_at (when non-zero) replaces the list's "issued_at" first.
 * The payload is the exact JSON bytes. Caller owns *out. */
lp_err lp_trust_list_sign(lp_view list_json, const char *kid, int64_t issued_at,
			  const uint8_t sk[LP_ED25519_SK_BYTES], lp_buf *out,
			  lp_diag *d) LP_WARN_UNUSED;

/* ---- the trust store (the verifier's side) -------------------------------- */

typedef struct lp_trust_store lp_trust_store;

lp_err lp_trust_store_new(lp_trust_store **out) LP_WARN_UNUSED;
void lp_trust_store_free(lp_trust_store *ts);  /* NULL-tolerant */

/* Add a trust anchor from its key file (JSON). LP_ERR_JSON / LP_ERR_COSE_KEY
 * for a bad file, LP_ERR_EXISTS when an anchor with that id is held with a
 * different key. */
lp_err lp_trust_add_anchor(lp_trust_store *ts, lp_view anchor_json, lp_diag *d) LP_WARN_UNUSED;

/* Accept a signed trust list: it must verify with a configured anchor
 * (LP_ERR_UNTRUSTED when no anchor has its kid, LP_ERR_SIGNATURE when that
 * anchor's key does not verify the exact bytes, e.g. a school added after
 * signing), name that anchor in "anchor", and parse completely. A list older
 * (by issued_at) than one already held from the same anchor is refused
 * (LP_ERR_POLICY); a newer one replaces it. On failure the store is
 * unchanged. */
lp_err lp_trust_add_list(lp_trust_store *ts, lp_view signed_list, lp_diag *d) LP_WARN_UNUSED;

/* The same, and on success *anchor_id (when non-NULL) is the id of the
 * anchor that signed the list (malloc'd, caller frees). */
lp_err lp_trust_add_list_named(lp_trust_store *ts, lp_view signed_list, char **anchor_id,
			       lp_diag *d) LP_WARN_UNUSED;

/* Pin one school's description: recognised for every time, for the types
 * its description states (every type when it states none). */
lp_err lp_trust_pin(lp_trust_store *ts, lp_view issuer_json, lp_diag *d) LP_WARN_UNUSED;

/* What resolve found. Strings are NUL-terminated, truncated if very long. */
typedef struct lp_trust_result {
	lp_pubkey key;
	char issuer_id[256];      /* the credential's iss */
	char issuer_name[256];
	char country[8];
	char source[256];         /* the anchor id, or "pinned" */
	char successor_id[256];   /* non-empty when iss is a predecessor of a listed school */
	int64_t key_valid_from;
	int64_t key_valid_until;  /* 0: current */
} lp_trust_result;

/* Find the key for a credential: issuer iss, kid (COSE kid bytes), type vct
 * (NULL: no type check), issued at cred_iat, judged at time `at`.
 * - LP_ERR_UNTRUSTED: no recognised school has this id (directly or as a
 *   predecessor), or none has this kid, or the school was not recognised
 *   when the credential was issued or at time `at` (d->msg says which);
 * - LP_ERR_KEY_PERIOD: cred_iat outside the key's validity (a retired key
 *   used after its end, or before it began);
 * - LP_ERR_TYPE_NOT_ALLOWED: the school is not recognised for vct.
 * When several entries name the school, any that accepts wins; otherwise the
 * most specific refusal is returned. On failure *out is zeroed. */
lp_err lp_trust_resolve(const lp_trust_store *ts, const char *iss, lp_view kid,
			const char *vct, int64_t cred_iat, int64_t at,
			lp_trust_result *out, lp_diag *d) LP_WARN_UNUSED;

/* Context of lp_trust_issuer_key: the store and the validation time; on
 * success `result` says what was found (school, source, key period). */
typedef struct lp_trust_resolver {
	const lp_trust_store *ts;
	int64_t at;
	lp_trust_result result;
} lp_trust_resolver;

/* An lp_issuer_key_fn (leerpas/sdcwt.h) over a trust store: ctx is an
 * lp_trust_resolver. A credential without iat or iss cannot be judged
 * (LP_ERR_UNTRUSTED); a key whose algorithm is not the credential's alg is
 * LP_ERR_ALG_MISMATCH; otherwise lp_trust_resolve's answer. */
lp_err lp_trust_issuer_key(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len,
			   int64_t alg, const char *vct, bool has_iat, int64_t iat,
			   lp_pubkey *key, lp_diag *d);

/* Every key (with issuer id) whose kid matches, for checking a Status List
 * Token: tries each and returns the issuer id (malloc'd, caller frees) of
 * the key that verifies the token's signature; the token is then parsed
 * into *tok (see status.h; pass a struct lp_status_token *). LP_ERR_UNTRUSTED
 * when no trusted key verifies it. */
struct lp_status_token;
lp_err lp_trust_verify_status(const lp_trust_store *ts, lp_view token, size_t max_bytes,
			      struct lp_status_token *tok, char **issuer_id,
			      lp_diag *d) LP_WARN_UNUSED;

/* A JSON summary of the store for `trust list`: {"anchors": [{id, name,
 * kid}], "lists": [{anchor, issued_at, schools}], "schools": [{id, name,
 * country, source, recognised_from, recognised_until, credential_types,
 * keys: [{kid, alg, valid_from, valid_until}], predecessors: [ids]}]}.
 * Caller owns *out. */
lp_err lp_trust_store_describe(const lp_trust_store *ts, lp_buf *out) LP_WARN_UNUSED;

/* RFC 3339 UTC text for t ("2026-09-01T00:00:00Z"); buf of at least 21. */
void lp_trust_time_format(int64_t t, char buf[32]);
/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" (or +00:00) or decimal Unix
 * seconds. LP_ERR_ARG when unparseable. */
lp_err lp_trust_time_parse(const char *s, int64_t *t) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
