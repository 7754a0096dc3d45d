/* Inspection of any CBOR object for support staff and developers: CBOR
 * diagnostic notation (RFC 8949 section 8, with embedded CBOR in byte
 * strings shown as << >>) and a JSON rendering, what kind of leerpas or
 * COSE object it is, and, given public keys, which of its COSE_Sign1
 * signatures verify. No trust decision is made here. */
#ifndef LEERPAS_INSPECT_H
#define LEERPAS_INSPECT_H

#include "leerpas/common.h"
#include "leerpas/cose.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_INSPECT_MAX_BYTES (1024u * 1024u) /* largest input */
#define LP_INSPECT_MAX_DEPTH 64             /* nesting, embedded CBOR included */
#define LP_INSPECT_MAX_SIGS 4

/* One COSE_Sign1 found in the object. */
typedef struct lp_inspect_sig {
	char where[48];   /* "presentation (SD-KBT)", "credential (kcwt)", ... */
	int64_t alg;      /* from its protected header */
	int key_index;    /* index of the key that verified it, -1 if none */
	lp_err err;       /* LP_OK when verified; else the last key's error
			     (LP_ERR_STATE when no key was given) */
} lp_inspect_sig;

typedef struct lp_inspect_report {
	char kind[64];    /* "SD-KBT presentation", "SD-CWT credential", "COSE_Sign1", ... */
	char *diag;       /* diagnostic notation, NUL-terminated, owned */
	char *json;       /* JSON text, NUL-terminated, owned */
	size_t nsigs;
	lp_inspect_sig sigs[LP_INSPECT_MAX_SIGS];
} lp_inspect_report;

/* Decode one CBOR item filling `cbor` (well-formedness as everywhere:
 * definite lengths, no duplicate keys, no trailing bytes; depth up to
 * LP_INSPECT_MAX_DEPTH) and describe it. Each COSE_Sign1 found (the item
 * itself, and the SD-CWT in an SD-KBT's kcwt header) is checked with every
 * key in keys[0..nkeys). On failure *out is zeroed; d says where the input
 * is malformed. Release with lp_inspect_free. */
lp_err lp_inspect(lp_view cbor, const lp_pubkey *keys, size_t nkeys, lp_inspect_report *out,
		  lp_diag *d) LP_WARN_UNUSED;

void lp_inspect_free(lp_inspect_report *r);

#ifdef __cplusplus
}
#endif
#endif
