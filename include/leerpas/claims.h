/* The learning-achievement claim set: every element of the EU Council
 * Recommendation on micro-credentials (2022) Annex I plus what Dutch
 * vocational education needs, each with a compact CBOR key and a JSON name.
 *
 * Layout (see docs/format.md, "Claim keys"): all achievement claims live in
 * ONE map under the private-use CWT claim key LP_CLAIM_ACHIEVEMENT (-65537),
 * and inside that map each claim has a small positive integer key (1..23
 * encode in one byte, 24..255 in two). Top-level keys of our own would have
 * to be private-use keys below -65536, five bytes each; one nested map pays
 * those five bytes once, which matters in a QR code. Redactable claims are
 * SD-CWT disclosures whose digests sit under simple(59) inside that map.
 *
 * JSON names follow the European Learning Model v3 (ELM) and Open Badges 3.0
 * where they have a term; values are flattened to plain JSON types.
 *
 * Template JSON (validated by lp_claims_template_check):
 *   { "vct": "<credential type>",              required, non-empty text
 *     "claims": { "<jsonName>": value, ... },  required: the fixed claims
 *     "redactable": ["<jsonName>", ...],       optional: default = every
 *                                              claim whose default is redactable
 *     ...other members belong to the issuer program and are ignored here }
 */
#ifndef LEERPAS_CLAIMS_H
#define LEERPAS_CLAIMS_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CWT claim key of the achievement map (private use, RFC 8392 section 9.1). */
#define LP_CLAIM_ACHIEVEMENT (-65537)

/* Keys inside the achievement map. Key 0 is not a claim: it lists the keys
 * of this map that the issuer made redactable in this credential (array of
 * uints, ascending), so that a verifier can name what was withheld. */
enum {
	LP_CK_REDACTABLE = 0,
	LP_CK_TITLE = 1,              /* title                 text          Annex I: title */
	LP_CK_AWARDING_BODY = 2,      /* awardingBody          text          Annex I: awarding body */
	LP_CK_COUNTRY = 3,            /* countryCode           text          Annex I: country of the issuer (ISO 3166-1 alpha-2) */
	LP_CK_AWARDING_DATE = 4,      /* awardingDate          date          (date of issue is the CWT iat) */
	LP_CK_LEARNING_OUTCOME = 5,   /* learningOutcome       text array    Annex I: learning outcomes */
	LP_CK_CREDIT_POINT = 6,       /* creditPoint           number (ECTS) Annex I: notional workload */
	LP_CK_WORKLOAD = 7,           /* workload              uint (hours)  Annex I: notional workload */
	LP_CK_EQF_LEVEL = 8,          /* eqfLevel              uint 1..8     Annex I: level */
	LP_CK_NQF_LEVEL = 9,          /* nqfLevel              uint 0..8     Annex I: level (NLQF; 0 = entry level) */
	LP_CK_ASSESSMENT_TYPE = 10,   /* assessmentType        text          Annex I: type of assessment */
	LP_CK_MODE = 11,              /* mode                  text          Annex I: form of participation */
	LP_CK_ACCREDITATION = 12,     /* accreditation         text          Annex I: type of quality assurance */
	LP_CK_QUALIFICATION_CODE = 13, /* qualificationCode    text          crebo code */
	LP_CK_IS_PART_OF = 14,        /* isPartOf              counts-toward list */
	LP_CK_HAS_PART = 15,          /* hasPart               composed-of list */
	LP_CK_FULL_NAME = 16,         /* fullName              text          Annex I: learner identification */
	LP_CK_DATE_OF_BIRTH = 17,     /* dateOfBirth           date */
	LP_CK_STUDENT_ID = 18,        /* studentId             text          Annex I: learner identification */
	LP_CK_GRADE = 19,             /* grade                 text          optional: grade */
	LP_CK_ASSESSMENT_DETAILS = 20, /* assessmentDetails    text */
	LP_CK_ENTRY_REQUIREMENT = 21, /* entryRequirement      text          optional: prerequisites */
	LP_CK_ID_VERIFICATION = 22,   /* idVerification        text          optional: supervision and identity verification */
	LP_CK_STACKABILITY = 23,      /* stackability          text          optional: integration/stackability options */
	LP_CK_ADDITIONAL_NOTE = 24,   /* additionalNote        text          optional: further information */
	LP_CK_DESCRIPTION = 25,       /* description           text */
	LP_CK_SPECIFIED_BY = 26       /* specifiedBy           digest        the achievement specification (below) */
};

/* The achievement specification (ELM's LearningAchievementSpecification,
 * Open Badges' Achievement): the descriptive claims that are the same for
 * every learner of a template (learning outcomes, description, assessment
 * type, form of participation, quality assurance, ...). By default they are
 * not inline in the credential: they form their own CBOR map (the same keys
 * as the achievement map), and the achievement map carries its SHA-256
 * digest under specifiedBy (26). The specification travels beside the
 * credential (the holder's copy, a presentation that includes it) or comes
 * from a verifier's cache of published specifications; the digest in the
 * signed payload binds it either way. docs/format/credential.md. */
#define LP_SPEC_DIGEST_BYTES 32

/* Keys inside the entries of isPartOf (counts toward a qualification) reuse
 * the achievement keys: qualificationCode 13 (required), title 1,
 * creditPoint 6, workload 7. Entries of hasPart (composed of) reuse the CWT
 * claim keys: iss 1 ("issuer", text) and cti 7 ("cti", bytes; hex in JSON). */
#define LP_CK_PART_ISSUER 1
#define LP_CK_PART_CTI 7

/* Value types. */
typedef enum lp_claim_type {
	LP_CLAIM_TEXT = 1,        /* CBOR tstr, JSON string (1..LP_CLAIM_TEXT_MAX bytes of UTF-8) */
	LP_CLAIM_DATE = 2,        /* CBOR tstr "YYYY-MM-DD" (RFC 3339 full-date), JSON the same */
	LP_CLAIM_UINT = 3,        /* CBOR uint, JSON integer, within [min, max] of the definition */
	LP_CLAIM_NUMBER = 4,      /* CBOR uint or float (shortest exact), JSON number, within [min, max] */
	LP_CLAIM_TEXT_LIST = 5,   /* CBOR array of tstr, JSON array of strings (1..64 entries) */
	LP_CLAIM_COUNTS_TOWARD = 6, /* CBOR array of maps {13: code, ?1: name, ?6: ects, ?7: hours} */
	LP_CLAIM_COMPOSED_OF = 7, /* CBOR array of maps {1: iss, 7: cti bstr}; JSON cti as lowercase hex */
	LP_CLAIM_DIGEST = 8       /* CBOR bstr of 32 bytes, JSON 64 lowercase hex digits */
} lp_claim_type;

#define LP_CLAIM_TEXT_MAX 2048   /* bytes of UTF-8 in one text value */
#define LP_CLAIM_LIST_MAX 64     /* entries in one list value */

/* One claim definition. The table is static and lives for the program. */
typedef struct lp_claim_def {
	int64_t key;              /* key inside the achievement map */
	const char *name;         /* JSON name */
	const char *label;        /* English label for display ("Awarding body") */
	lp_claim_type type;
	double min, max;          /* range for UINT/NUMBER; unused otherwise */
	bool mandatory;           /* realises a mandatory Annex I element */
	const char *element;      /* the Annex I element it realises ("notional workload"),
				   * or NULL; a mandatory element is present when ANY claim
				   * realising it is present */
	bool per_learner;         /* normally given per learner at issuance, not by the template */
	bool redactable;          /* default disclosure: true = redactable, false = always shown */
	bool specified;           /* by default in the achievement specification, not inline */
} lp_claim_def;

/* The whole table, in key order; *count receives its length. */
const lp_claim_def *lp_claims_table(size_t *count);

/* Look up a claim; NULL when unknown. */
const lp_claim_def *lp_claims_by_name(const char *name);
const lp_claim_def *lp_claims_by_key(int64_t key);

/* Convert a JSON object of achievement claims by JSON name (text of len
 * bytes) into the CBOR achievement map (keys in ascending order, values in
 * their CBOR type). Unknown names, wrong types and out-of-range values are
 * rejected with LP_ERR_CLAIMS (LP_ERR_JSON for text that is not a JSON
 * object), and d->msg names the claim. On failure *cbor is empty. */
lp_err lp_claims_from_json(const char *json, size_t len, lp_buf *cbor, lp_diag *d) LP_WARN_UNUSED;

/* Convert a CBOR achievement map into a JSON object text (NUL-terminated;
 * len excludes the NUL) with JSON names, for display and export. Known keys
 * are checked against their type (LP_ERR_CLAIMS if wrong). Keys that are not
 * ours (another issuer's claims) are kept under their decimal key or text
 * key, with values converted generically (byte strings as lowercase hex).
 * simple(59) entries and key 0 are not claims and are skipped. On failure *json is
 * empty. */
lp_err lp_claims_to_json(lp_view cbor, lp_buf *json, lp_diag *d) LP_WARN_UNUSED;

/* Check a template (see the top of this file): vct present; every claim
 * known and well-typed; every name in "redactable" known and not repeated;
 * every mandatory Annex I element that is not per_learner realised by a
 * claim. On a missing element returns LP_ERR_CLAIMS with d->msg naming it,
 * e.g. "missing mandatory Annex I element 'notional workload' (give
 * creditPoint or workload)". */
lp_err lp_claims_template_check(const char *json, size_t len, lp_diag *d) LP_WARN_UNUSED;

/* Check a learner's claims (a JSON object by JSON name): every name known,
 * every value well-typed. d->msg names the offending claim. Completeness is
 * checked by lp_claims_complete_check on the merged set. */
lp_err lp_claims_learner_check(const char *json, size_t len, lp_diag *d) LP_WARN_UNUSED;

/* Check that a full achievement claim set (JSON object: template claims and
 * learner claims merged) is well-typed and realises every mandatory Annex I
 * element; LP_ERR_CLAIMS naming the first missing element otherwise.
 * lp_sdcwt_issue applies the same check. */
lp_err lp_claims_complete_check(const char *json, size_t len, lp_diag *d) LP_WARN_UNUSED;

/* Merge template claims and learner claims (both JSON objects) into one
 * JSON object; a learner claim that the template also fixes is rejected
 * with LP_ERR_CLAIMS naming it. Output NUL-terminated, len excludes NUL. */
lp_err lp_claims_merge(const char *tmpl_claims, size_t tlen, const char *learner, size_t llen,
		       lp_buf *out, lp_diag *d) LP_WARN_UNUSED;

/* ---- the achievement specification (lib/spec.c) -------------------------- */

/* Check specification bytes (a published .spec file, or one a verifier
 * received): strict CBOR, a non-empty map of well-typed claims that may live
 * in a specification (no per-learner claim, no specifiedBy). On success
 * digest receives their SHA-256, which credentials carry as specifiedBy. */
lp_err lp_spec_check(lp_view spec, uint8_t digest[LP_SPEC_DIGEST_BYTES], lp_diag *d) LP_WARN_UNUSED;

/* The specification that credentials issued from a template (JSON text, see
 * the top of this file) refer to: its descriptive claims that are not
 * redactable, encoded as at issuance. LP_ERR_NOT_FOUND when the template has
 * none. A learner's own descriptive claims (rare) give another
 * specification; the holder's copy always carries its own. */
lp_err lp_spec_of_template(const char *tmpl, size_t len, lp_buf *spec, lp_diag *d) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
