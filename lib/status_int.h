/* Internal helpers of the status module for other library modules that
 * already hold decoded CBOR (the SD-CWT claims, the verifier pipeline). */
#ifndef LEERPAS_STATUS_INT_H
#define LEERPAS_STATUS_INT_H

#include "internal.h"
#include "leerpas/status.h"

/* Read a status claim value {"status_list": {"idx": uint, "uri": tstr}}
 * from an item. *uri is malloc'd and owned by the caller. On failure
 * (LP_ERR_CLAIMS) *idx is 0 and *uri NULL. */
lp_err lp_status_ref_from_item(const cbor_item_t *item, uint64_t *idx, char **uri, lp_diag *d);

/* Build that value as an item (NULL on allocation failure). */
cbor_item_t *lp_status_ref_item(uint64_t idx, const char *uri);

#endif
