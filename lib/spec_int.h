/* Internal interface of the achievement specification (lib/spec.c) at the
 * libcbor level, used by the SD-CWT module and the wallet's reader. The
 * format is in docs/format/credential.md, "The achievement specification". */
#ifndef LEERPAS_SPEC_INT_H
#define LEERPAS_SPEC_INT_H

#include <jansson.h>

#include "internal.h"
#include "leerpas/claims.h"

/* COSE unprotected header label (private use) that carries the
 * specification's bytes beside a credential. */
#define LP_HDR_SPEC (-65538)

/* Which keys of the achievement map become disclosures (flags by key):
 * names NULL = each claim's default; otherwise the named ones. Names not in
 * claims are skipped; unknown names are LP_ERR_CLAIMS. */
lp_err lp_claims_pick_redactable(const char *const *names, size_t count, const json_t *claims,
				 bool red[256], lp_diag *d);

/* Move the claims that belong in the specification (their definition says
 * `specified`, and they are not redactable here) out of the achievement map
 * plain (keys ascending). *inline_out receives the remaining map with
 * specifiedBy (26) set to the SHA-256 of the specification, *spec the
 * specification's bytes. When no claim moves, *inline_out is plain with one
 * more reference and *spec is empty. A plain map that already names a
 * specifiedBy while claims would move is LP_ERR_CLAIMS. */
lp_err lp_spec_split(cbor_item_t *plain, const bool red[256], cbor_item_t **inline_out,
		     lp_buf *spec, lp_diag *d);

/* The specification digest an achievement map refers to: LP_OK with *dg
 * NULL when there is none, LP_ERR_CLAIMS when specifiedBy is not 32 bytes. */
lp_err lp_spec_ref(const cbor_item_t *ach, const uint8_t **dg, lp_diag *d);

/* The reference of achievement map ach (*dg, NULL when none) and the
 * specification bytes attached in a COSE unprotected header under
 * LP_HDR_SPEC (*carried, ptr NULL when none). Bytes attached to a credential
 * that refers to none, or not a byte string, are LP_ERR_CLAIMS. The bytes
 * are not checked against the digest here (lp_spec_load does). */
lp_err lp_spec_attached(const cbor_item_t *ach, const cbor_item_t *unprot, const uint8_t **dg,
			lp_view *carried, lp_diag *d);

/* Parse specification bytes: strict CBOR, a map of claims with integer keys
 * 1..255 that may live in a specification (not key 0, not specifiedBy, not a
 * per-learner claim), at most LP_SDCWT_MAX_BYTES. When digest is given, the
 * bytes' SHA-256 must equal it (LP_ERR_DIGEST_MISMATCH). */
lp_err lp_spec_load(lp_view spec, const uint8_t *digest, cbor_item_t **out, lp_diag *d);

/* A new achievement map: ach's pairs, then spec's. A key in both is
 * LP_ERR_DUPLICATE_CLAIM. */
lp_err lp_spec_merge(const cbor_item_t *ach, const cbor_item_t *spec, cbor_item_t **out, lp_diag *d);

#endif
