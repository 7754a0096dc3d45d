/* SD-CWT credentials and SD-KBT presentations (draft-ietf-spice-sd-cwt):
 * issue a credential with redactable claims, present it with a chosen subset
 * of disclosures signed by the holder key, and verify a presentation (or a
 * bare credential) completely: signatures, time claims, audience, nonce and
 * every disclosure against its digest. The byte layout is in docs/format.md.
 *
 * Our credential (payload map, keys in this order):
 *   1 iss (text) | 4 exp? | 5 nbf? | 6 iat | 7 cti (16 random bytes) |
 *   8 cnf? {1: COSE_Key (OKP/Ed25519)} | 11 vct (text) |
 *   65535 status? {"status_list": {"idx": uint, "uri": text}} |
 *   -65537 achievement map (see leerpas/claims.h), which carries
 *       0: [keys of this map that are redactable in this credential]
 *       simple(59): [digests of the redactable claims and decoys, sorted]
 *       26: specifiedBy, SHA-256 of the achievement specification
 * Protected header {1 alg: -8, 4 kid, 16 typ: 293, 170 sd_alg: -16};
 * unprotected {17 sd_claims: [<<[salt, value, key]>>, ... <<[salt]>> ...],
 *              -65538: the achievement specification's bytes (a CBOR map)}.
 */
#ifndef LEERPAS_SDCWT_H
#define LEERPAS_SDCWT_H

#include "leerpas/common.h"
#include "leerpas/cose.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_TYP_SD_CWT 293
#define LP_TYP_SD_KBT 294
#define LP_SD_ALG_SHA256 (-16)
#define LP_CLAIM_VCT 11
#define LP_CLAIM_CNONCE 39
#define LP_CLAIM_STATUS 65535
#define LP_CTI_BYTES 16
#define LP_SALT_BYTES 16
#define LP_CTI_MAX 64               /* longest cti accepted from other issuers */
#define LP_SDCWT_DEFAULT_DECOYS 0   /* each decoy costs 34 bytes in every presentation; see docs/format/credential.md */
#define LP_SDCWT_MAX_DECOYS 16
#define LP_SDCWT_MAX_BYTES (64u * 1024u) /* largest credential or presentation accepted */

/* ---- issuance ------------------------------------------------------------ */

typedef struct lp_sdcwt_issue_params {
	const char *iss;            /* issuer identifier (text, required) */
	const uint8_t *kid;         /* names the issuer key (required, 1..255 bytes) */
	size_t kid_len;
	const char *vct;            /* credential type (required) */
	int64_t iat;                /* Unix seconds */
	bool has_nbf;
	int64_t nbf;
	bool has_exp;               /* diplomas do not expire: leave false */
	int64_t exp;
	const lp_pubkey *holder;    /* cnf: the holder's Ed25519 key; NULL = unbound */
	bool has_status;
	uint64_t status_idx;
	const char *status_uri;
	/* Achievement claims as a JSON object by JSON name (see claims.h); must
	 * realise every mandatory Annex I element (lp_claims_complete_check). */
	const char *claims_json;
	size_t claims_json_len;
	/* JSON names of the claims to make redactable. NULL: each claim's
	 * default (claims.h); non-NULL with count 0: none. Names not present in
	 * claims_json are skipped; unknown names are LP_ERR_CLAIMS. */
	const char *const *redactable;
	size_t redactable_count;
	size_t decoys;              /* decoy digests, 0..LP_SDCWT_MAX_DECOYS */
	/* false (the default): the descriptive claims (claims.h, `specified`)
	 * that are not redactable form the achievement specification, which the
	 * payload refers to by digest (specifiedBy) and the credential carries
	 * in its unprotected header; true: every claim inline, as before. */
	bool inline_specification;
} lp_sdcwt_issue_params;

/* Zero *p and set the defaults (decoys = LP_SDCWT_DEFAULT_DECOYS). */
void lp_sdcwt_issue_params_init(lp_sdcwt_issue_params *p);

/* Issue a credential signed with the issuer's 64-byte libsodium Ed25519
 * secret key. Salts, cti and decoys come from lp_random(). On success *out
 * holds the tagged COSE_Sign1 with every disclosure (the holder's copy) and
 * cti (if non-NULL) the credential id. On failure *out is empty, cti zeroed,
 * and d says which parameter or claim is wrong. */
lp_err lp_sdcwt_issue(const lp_sdcwt_issue_params *p, const uint8_t issuer_sk[LP_ED25519_SK_BYTES],
		      lp_buf *out, uint8_t cti[LP_CTI_BYTES], lp_diag *d) LP_WARN_UNUSED;

/* Issuing many credentials of one template (graduation day): the template's
 * claims are parsed, encoded and split into the specification once; each
 * credential then costs only its learner's claims. The result is the same
 * as lp_sdcwt_issue with the template's and the learner's claims merged
 * (lp_claims_merge) and the same redactable names. A template object holds
 * libcbor items whose reference counts are not atomic: use one object per
 * thread. */
typedef struct lp_sdcwt_template lp_sdcwt_template;

/* claims_json: the template's fixed claims (JSON object by name);
 * redactable: as lp_sdcwt_issue_params (NULL: each claim's default). */
lp_err lp_sdcwt_template_new(const char *claims_json, size_t len, const char *const *redactable,
			     size_t redactable_count, bool inline_specification,
			     lp_sdcwt_template **out, lp_diag *d) LP_WARN_UNUSED;
void lp_sdcwt_template_free(lp_sdcwt_template *t);

/* As lp_sdcwt_issue, with p->claims_json holding only the learner's claims
 * (a claim the template fixes is LP_ERR_CLAIMS); p->redactable and
 * p->inline_specification are ignored (the template's apply). */
lp_err lp_sdcwt_issue_from(lp_sdcwt_template *t, const lp_sdcwt_issue_params *p,
			   const uint8_t issuer_sk[LP_ED25519_SK_BYTES], lp_buf *out,
			   uint8_t cti[LP_CTI_BYTES], lp_diag *d) LP_WARN_UNUSED;

/* ---- presentation --------------------------------------------------------- */

typedef struct lp_sdcwt_present_params {
	/* JSON names of the redactable claims to disclose. Names of claims that
	 * are always shown are accepted and change nothing; a name that the
	 * credential does not carry is LP_ERR_NOT_FOUND (d names it). */
	const char *const *disclose;
	size_t disclose_count;
	const char *aud;            /* verifier identifier (required) */
	int64_t iat;                /* Unix seconds: now */
	const uint8_t *cnonce;      /* the verifier's challenge, or NULL */
	size_t cnonce_len;          /* 1..64 when given */
	/* Carry the achievement specification (when the credential has one) in
	 * the presentation. false: only its digest travels, and the verifier
	 * shows the descriptive claims if it has the specification cached. */
	bool include_specification;
} lp_sdcwt_present_params;

/* Make an SD-KBT (typ 294) over a credential from lp_sdcwt_issue (or any
 * SD-CWT whose disclosures are all in sd_claims), signed with the holder's
 * 64-byte libsodium Ed25519 secret key, carrying the credential with only
 * the chosen disclosures (never decoys) in kcwt. The credential is parsed
 * but its issuer signature is not checked here (the wallet checks it on
 * import). LP_ERR_NOT_BOUND when the credential's cnf is not this key's
 * public half (or absent). On failure *out is empty. */
lp_err lp_sdcwt_present(lp_view credential, const lp_sdcwt_present_params *p,
			const uint8_t holder_sk[LP_ED25519_SK_BYTES], lp_buf *out, lp_diag *d) LP_WARN_UNUSED;

/* ---- verification --------------------------------------------------------- */

/* Finds the issuer key. Called once, after the credential is parsed and
 * before any signature is checked; the arguments come from the (not yet
 * verified) credential: iss (NULL if absent), kid from the protected header
 * (may be empty), alg from the protected header, vct (NULL if absent), iat
 * (has_iat false if absent). Returns LP_OK with *key filled, or an error
 * such as LP_ERR_UNTRUSTED, LP_ERR_KEY_PERIOD, LP_ERR_TYPE_NOT_ALLOWED, which
 * verification returns unchanged; it may fill d with its reason. */
typedef lp_err (*lp_issuer_key_fn)(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len,
				   int64_t alg, const char *vct, bool has_iat, int64_t iat,
				   lp_pubkey *key, lp_diag *d);

typedef struct lp_sdcwt_verify_params {
	lp_issuer_key_fn resolve;   /* required */
	void *resolve_ctx;
	int64_t now;                /* Unix seconds */
	int64_t skew;               /* tolerated clock difference in seconds (>= 0) */
	const char *aud;            /* expected audience: required for presentations */
	const uint8_t *cnonce;      /* the challenge this verifier gave, or NULL */
	size_t cnonce_len;
	int64_t max_age;            /* > 0: reject a presentation whose iat is older (LP_ERR_EXPIRED) */
	const lp_pubkey *expect_cnf; /* bare credential only: cnf must equal this key */
	/* Where a specification the presentation leaves out may be found (a
	 * verifier's cache): LP_OK with *out filled, LP_ERR_NOT_FOUND when not
	 * known; NULL = nowhere. Whatever it returns is checked against the
	 * signed digest before it is used. */
	lp_err (*spec_lookup)(void *ctx, const uint8_t digest[32], lp_buf *out);
	void *spec_ctx;
} lp_sdcwt_verify_params;

/* Where the achievement specification of a verified credential came from. */
typedef enum lp_spec_source {
	LP_SPEC_NONE = 0,           /* the credential refers to none (all claims inline) */
	LP_SPEC_INCLUDED = 1,       /* carried in the presentation (or beside the credential) */
	LP_SPEC_LOOKED_UP = 2,      /* not carried; found through spec_lookup */
	LP_SPEC_MISSING = 3         /* not carried and not found: its claims are not shown */
} lp_spec_source;

/* What a verification found. All pointers are owned by the result and freed
 * by lp_sdcwt_result_free. Filled as far as parsing got, also on failure;
 * claims are only reported (claims_json non-NULL) on success. */
typedef struct lp_sdcwt_result {
	lp_err err;                 /* LP_OK or why it failed (same as returned) */
	lp_diag diag;               /* diagnostic on failure */
	int64_t issuer_alg;
	char *iss;
	uint8_t *kid;
	size_t kid_len;
	char *vct;
	bool has_iat, has_nbf, has_exp;
	int64_t iat, nbf, exp;
	uint8_t cti[LP_CTI_MAX];
	size_t cti_len;
	bool has_status;
	uint64_t status_idx;
	char *status_uri;
	bool has_cnf;               /* false: an unbound credential */
	lp_pubkey cnf;
	bool is_presentation;       /* verified an SD-KBT (else a bare SD-CWT) */
	char *aud;                  /* SD-KBT aud */
	bool has_kbt_iat;
	int64_t kbt_iat;
	bool cnonce_present;
	char *claims_json;          /* disclosed claims, JSON object by JSON name */
	char **withheld;            /* names of redactable claims not disclosed */
	size_t withheld_count;
	char **redactable;          /* names of all redactable claims of this credential */
	size_t redactable_count;
	size_t undisclosed_digests; /* digests without a disclosure (withheld claims + decoys) */
	lp_spec_source spec_source;
	uint8_t spec_digest[32];    /* specifiedBy, unless spec_source is LP_SPEC_NONE */
	lp_buf spec;                /* the specification's bytes when INCLUDED (to cache) */
} lp_sdcwt_result;

/* Verify a presentation (SD-KBT with the SD-CWT in kcwt), following the
 * draft's validation steps: strict parse; typ 294 and 293; issuer key via
 * p->resolve; issuer signature; cnf; holder signature (LP_ERR_HOLDER_BINDING
 * if it fails); time order (LP_ERR_TIME_ORDER); exp/nbf/iat against now with
 * skew (LP_ERR_EXPIRED, LP_ERR_NOT_YET_VALID); audience (LP_ERR_AUDIENCE);
 * cnonce equal to the given one (LP_ERR_NONCE); every disclosure matches one
 * digest at its place (LP_ERR_DIGEST_MISMATCH), no duplicate claim
 * (LP_ERR_DUPLICATE_CLAIM), sd_claims not empty (LP_ERR_DISCLOSURE).
 * Returns r->err. Always call lp_sdcwt_result_free afterwards. */
lp_err lp_sdcwt_verify(lp_view presentation, const lp_sdcwt_verify_params *p,
		       lp_sdcwt_result *r) LP_WARN_UNUSED;

/* Verify a bare credential (the wallet on import, or a credential shown
 * without holder binding): the same checks without the SD-KBT ones (aud,
 * cnonce and max_age are ignored), and cnf equal to p->expect_cnf when given
 * (LP_ERR_NOT_BOUND otherwise). Time checks use p->now as for presentations. */
lp_err lp_sdcwt_verify_credential(lp_view credential, const lp_sdcwt_verify_params *p,
				  lp_sdcwt_result *r) LP_WARN_UNUSED;

/* Release everything a result owns and zero it; NULL-tolerant. */
void lp_sdcwt_result_free(lp_sdcwt_result *r);

/* The issuer's SD-CWT inside a presentation (kcwt), re-encoded, for the
 * verifier's log or for debugging. No checks beyond parsing. */
lp_err lp_sdcwt_extract_credential(lp_view presentation, lp_buf *out, lp_diag *d) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
