/* Internal interface of the claim set (lib/claims.c) at the jansson/libcbor
 * level, used by the SD-CWT module to build and display achievement maps. */
#ifndef LEERPAS_CLAIMS_INT_H
#define LEERPAS_CLAIMS_INT_H

#include <jansson.h>

#include "internal.h"
#include "leerpas/claims.h"

/* Limit on JSON claim text accepted by the public functions. */
#define LP_CLAIMS_JSON_MAX (256u * 1024u)

/* Parse JSON text into a jansson object (duplicate names rejected).
 * LP_ERR_JSON on failure (d->offset = position), LP_ERR_TOO_LARGE if over
 * LP_CLAIMS_JSON_MAX. On success *out owns a reference. */
lp_err lp_claims_parse_json(const char *json, size_t len, json_t **out, lp_diag *d);

/* Build the CBOR achievement map from a JSON object of claims by name;
 * keys ascending. On failure *out is NULL and d names the claim. */
lp_err lp_claims_json_to_item(const json_t *obj, cbor_item_t **out, lp_diag *d);

/* Convert one claim value (by key inside the achievement map) or a whole
 * achievement map to JSON. Known keys are type-checked; others convert
 * generically. simple(59) map keys are skipped. On failure *out is NULL. */
lp_err lp_claims_value_to_json(int64_t key, const cbor_item_t *v, json_t **out, lp_diag *d);
lp_err lp_claims_item_to_json(const cbor_item_t *map, json_t **out, lp_diag *d);

/* Generic CBOR -> JSON (byte strings as lowercase hex, tags dropped, map
 * keys as text or decimal). depth counts down; LP_ERR_CBOR_DEPTH at 0. */
lp_err lp_cbor_to_json_generic(const cbor_item_t *it, size_t depth, json_t **out, lp_diag *d);

/* The Annex I completeness check on a JSON object of claims; when
 * template_only, elements realised only by per-learner claims are skipped. */
lp_err lp_claims_check_mandatory(const json_t *obj, bool template_only, lp_diag *d);

/* Dump a jansson value into a NUL-terminated lp_buf (len excludes NUL). */
lp_err lp_json_to_buf(const json_t *v, lp_buf *out);

#endif
