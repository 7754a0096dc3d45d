/* The school's Ed25519 signing key, encrypted at rest.
 *
 * A key file holds one signing key, sealed with XChaCha20-Poly1305 under a
 * key derived from a passphrase with Argon2id; the whole header (format,
 * KDF parameters, salt, nonce, public key, kid) is the AEAD's associated
 * data, so changing any of it is detected. A SHA-256 checksum of the whole
 * file and a passphrase check value (a second Argon2id output) let the
 * program tell a damaged or altered file (LP_ERR_INTEGRITY) from a wrong
 * passphrase (LP_ERR_PASSPHRASE). Layout (big-endian), docs/format/keyfile.md:
 *
 *   "LPKEY" 0x00 | version 1 | suite 1 | opslimit u32 | memlimit KiB u32 |
 *   salt[16] | nonce[24] | pk[32] | kid_len u8 | kid[kid_len] |
 *   check[16] | sealed seed[32 + 16] | sha256(all before)[32]
 *
 * The secret key lives in sodium_malloc'd memory and is wiped on release.
 */
#ifndef LEERPAS_KEYFILE_H
#define LEERPAS_KEYFILE_H

#include "leerpas/common.h"
#include "leerpas/cose.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_KEYFILE_VERSION 1
#define LP_KID_MAX 64                    /* bytes of a key id (text) */
#define LP_KEYFILE_MAX_BYTES 4096        /* a key file is never larger */

/* Argon2id cost. Defaults: libsodium's "moderate" (3 passes, 256 MiB),
 * about a second on a laptop: the key is opened once per command. */
#define LP_KEYFILE_OPSLIMIT_DEFAULT 3u
#define LP_KEYFILE_MEMLIMIT_DEFAULT (256u * 1024u * 1024u)
/* Limits accepted when opening a file, so that a hostile file cannot ask
 * for unbounded work. */
#define LP_KEYFILE_OPSLIMIT_MAX 32u
#define LP_KEYFILE_MEMLIMIT_MAX (2048u * 1024u * 1024u)

typedef struct lp_kdf_params {
	uint32_t opslimit;       /* Argon2id passes, >= 1 */
	size_t memlimit;         /* bytes, >= 8 KiB, multiple of 1 KiB */
} lp_kdf_params;

/* A signing key in memory. sk (64 bytes, libsodium layout seed || pk) is
 * sodium_malloc'd and owned by the struct; release with lp_signkey_free. */
typedef struct lp_signkey {
	uint8_t *sk;
	uint8_t pk[LP_ED25519_PK_BYTES];
	char kid[LP_KID_MAX + 1];   /* NUL-terminated text */
} lp_signkey;

/* A fresh key from lp_random(). kid: 1..LP_KID_MAX printable ASCII bytes.
 * On failure *out is zeroed and nothing is allocated. */
lp_err lp_signkey_generate(const char *kid, lp_signkey *out) LP_WARN_UNUSED;

/* A key from a 32-byte seed (tests, known-answer vectors). */
lp_err lp_signkey_from_seed(const uint8_t seed[32], const char *kid,
			    lp_signkey *out) LP_WARN_UNUSED;

/* Wipe and release; NULL-tolerant; leaves *k zeroed. */
void lp_signkey_free(lp_signkey *k);

/* Seal k under passphrase into a key file image (*out owned by caller).
 * kdf NULL means the defaults. LP_ERR_ARG for bad parameters or an empty
 * passphrase, LP_ERR_NOMEM when Argon2id cannot get its memory. */
lp_err lp_keyfile_seal(const lp_signkey *k, lp_view passphrase, const lp_kdf_params *kdf,
		       lp_buf *out) LP_WARN_UNUSED;

/* Open a key file image. Errors: LP_ERR_MALFORMED (not a key file, or
 * truncated), LP_ERR_VERSION (newer format), LP_ERR_UNSUPPORTED (unknown
 * suite or KDF limits beyond the maxima), LP_ERR_INTEGRITY (checksum,
 * decryption or key-consistency failure: the file was altered),
 * LP_ERR_PASSPHRASE (wrong passphrase), LP_ERR_NOMEM. On failure *out is
 * zeroed and nothing is allocated. */
lp_err lp_keyfile_open(lp_view file, lp_view passphrase, lp_signkey *out,
		       lp_diag *d) LP_WARN_UNUSED;

/* The public half (public key, kid, KDF parameters) without the passphrase.
 * Checks structure and checksum (LP_ERR_INTEGRITY) only; any of kdf, pk,
 * kid may be NULL. */
lp_err lp_keyfile_peek(lp_view file, uint8_t pk[LP_ED25519_PK_BYTES],
		       char kid[LP_KID_MAX + 1], lp_kdf_params *kdf, lp_diag *d) LP_WARN_UNUSED;

/* Seal and write to path: mode 0600, created exclusively (never replaces an
 * existing file: LP_ERR_EXISTS), via a temporary file that is synced and
 * linked into place, so a crash never leaves a partial key file.
 * LP_ERR_IO with errno kept for other failures. */
lp_err lp_keyfile_write(const char *path, const lp_signkey *k, lp_view passphrase,
			const lp_kdf_params *kdf) LP_WARN_UNUSED;

/* Read (at most LP_KEYFILE_MAX_BYTES) and open a key file. Errors as
 * lp_file_read and lp_keyfile_open. */
lp_err lp_keyfile_read(const char *path, lp_view passphrase, lp_signkey *out,
		       lp_diag *d) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
