/* Internal interfaces shared between the modules of libleerpas. May use the
 * dependencies' types (libcbor, jansson); never installed, never included by
 * the programs except where a test needs it. */
#ifndef LEERPAS_INTERNAL_H
#define LEERPAS_INTERNAL_H

#include <cbor.h>

#include "leerpas/common.h"

/* Limits that every parser applies (see docs/format.md). */
#define LP_CBOR_MAX_DEPTH 16          /* nesting of arrays/maps/tags */
#define LP_MAX_INFLATED (64u * 1024u) /* a QR payload never inflates beyond this */

/* --- strict CBOR (lib/cbor_util.c) ----------------------------------------
 * lp_cbor_load: decode exactly one well-formed CBOR item that fills `in`.
 * Rejects, with distinct errors and the byte offset in d: truncation and
 * reserved values (LP_ERR_CBOR), indefinite lengths (LP_ERR_CBOR_INDEFINITE),
 * duplicate map keys (LP_ERR_CBOR_DUPLICATE_KEY), bytes after the item
 * (LP_ERR_CBOR_TRAILING), nesting deeper than max_depth (LP_ERR_CBOR_DEPTH).
 * The check runs before libcbor builds anything, without recursion, so
 * hostile nesting cannot exhaust the stack. On success *out owns a reference
 * (release with cbor_decref); on failure *out is NULL. */
lp_err lp_cbor_load(lp_view in, size_t max_depth, cbor_item_t **out, lp_diag *d);

/* The well-formedness check alone (same rules as lp_cbor_load). */
lp_err lp_cbor_check(lp_view in, size_t max_depth, lp_diag *d);

/* Serialize an item into a fresh lp_buf (definite lengths). */
lp_err lp_cbor_encode(const cbor_item_t *item, lp_buf *out);

/* Map lookups; return a borrowed pointer or NULL when absent. */
cbor_item_t *lp_cbor_map_get_int(const cbor_item_t *map, int64_t key);
cbor_item_t *lp_cbor_map_get_str(const cbor_item_t *map, const char *key);

/* Integer value of a uint or negint item that fits int64_t. */
bool lp_cbor_get_int(const cbor_item_t *item, int64_t *out);

/* True when item is the simple value v (false 20, true 21, null 22,
 * undefined 23, or any other simple value such as SD-CWT's 59), false for
 * every other item including floats and NULL. Use this instead of libcbor
 * 0.8's cbor_is_null/cbor_is_bool/cbor_is_undef/cbor_ctrl_value: those
 * assert (abort) when given a float. */
bool lp_cbor_is_simple(const cbor_item_t *item, uint8_t v);

/* Build helpers: return NULL on allocation failure. */
cbor_item_t *lp_cbor_int(int64_t v);

/* Add a pair to a map, taking ownership of both items (also on failure). */
bool lp_cbor_map_put(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value);

#endif
