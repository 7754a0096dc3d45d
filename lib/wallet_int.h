/* Internals of the wallet store shared by lib/wallet_store.c (file format,
 * keys, I/O), lib/wallet_body.c (the decrypted body: model and CBOR) and
 * lib/wallet_recovery.c. Not installed. */
#ifndef LEERPAS_WALLET_INT_H
#define LEERPAS_WALLET_INT_H

#include "leerpas/wallet.h"

#define WL_KEY_BYTES 32
#define WL_SALT_BYTES 16
#define WL_NONCE_BYTES 24
#define WL_TAG_BYTES 16
#define WL_WRAP_BYTES (WL_KEY_BYTES + WL_TAG_BYTES)

/* A bump allocator over sodium_malloc'd chunks: everything decrypted lives
 * here and is wiped when the wallet closes. Nothing is freed one by one. */
struct wl_arena;

struct lp_wallet {
	/* header state (none of it secret: the wraps are ciphertext) */
	uint64_t opslimit;
	uint64_t memlimit;
	uint8_t salt[WL_SALT_BYTES];
	uint8_t pw_nonce[WL_NONCE_BYTES];
	uint8_t pw_wrap[WL_WRAP_BYTES];
	uint8_t rec_nonce[WL_NONCE_BYTES];
	uint8_t rec_wrap[WL_WRAP_BYTES];
	uint8_t *data_key;     /* sodium_malloc, WL_KEY_BYTES */
	char *path;            /* malloc, may be NULL */
	int lock_fd;           /* flock on PATH.lock while open, -1 none */

	/* the body */
	struct wl_arena *arena;
	lp_wallet_cred *creds;
	size_t ncreds, ccreds;
	lp_wallet_key *keys;
	size_t nkeys, ckeys;
	lp_wallet_log *logs;
	size_t nlogs, clogs;
};

/* Allocate an empty wallet with its arena and a data key buffer (not yet
 * filled). NULL on allocation failure. */
struct lp_wallet *lp_wl_alloc(void);

/* Free the body part and the arena (wiping it). */
void lp_wl_body_free(struct lp_wallet *w);

/* Fill w's (empty) body from the plaintext CBOR body. Strict: definite
 * lengths, shortest-form heads, exact keys in order, every limit. On
 * failure the body stays empty; d says where. */
lp_err lp_wl_body_decode(struct lp_wallet *w, lp_view body, lp_diag *d);

/* Encode w's body as CBOR into a fresh sodium_malloc'd buffer (*out, *len);
 * release it with sodium_free. */
lp_err lp_wl_body_encode(const struct lp_wallet *w, uint8_t **out, size_t *len);

#endif
