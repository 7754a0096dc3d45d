/* The learner's wallet store: one encrypted file holding credentials (each
 * issued SD-CWT with all its disclosures, per copy), the holder keys, and a
 * log of every presentation. Format: docs/format/wallet.md.
 *
 * The file is a small header (magic, format version, Argon2id parameters and
 * salt, the data key wrapped twice) and a body encrypted with
 * XChaCha20-Poly1305 under the data key, with the whole header as associated
 * data. The data key is wrapped by a key derived with Argon2id from the
 * passphrase and by a random recovery key that the learner writes down once.
 *
 * An open wallet (lp_wallet) keeps the data key and the whole decrypted body
 * in sodium_malloc'd memory, wiped by lp_wallet_close(). Every pointer the
 * accessors return points into that memory and stays valid until the next
 * change to the wallet (add, remove, set) or its close.
 *
 * Writes go through lp_file_write_atomic() (temporary file, fsync, rename,
 * fsync of the directory) and keep the previous generation as PATH.prev. A
 * failed operation never writes. */
#ifndef LEERPAS_WALLET_H
#define LEERPAS_WALLET_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The format version this library writes; it reads every version <= this. */
#define LP_WALLET_FORMAT_VERSION 1

/* Argon2id defaults: libsodium's MODERATE limits (opslimit 3, 256 MiB). */
#define LP_WALLET_OPSLIMIT_DEFAULT 3u
#define LP_WALLET_MEMLIMIT_DEFAULT (256u * 1024u * 1024u)
/* Accepted ranges, on create and on open (a file outside them is malformed). */
#define LP_WALLET_OPSLIMIT_MIN 1u
#define LP_WALLET_OPSLIMIT_MAX 64u
#define LP_WALLET_MEMLIMIT_MIN (8u * 1024u)                 /* bytes */
#define LP_WALLET_MEMLIMIT_MAX (16ull * 1024u * 1024u * 1024u) /* bytes */

/* Limits applied when adding and when reading a file. */
#define LP_WALLET_FILE_MAX (64u * 1024u * 1024u)
#define LP_WALLET_PASSPHRASE_MAX 1024u
#define LP_WALLET_STR_MAX 4096u      /* any text field, bytes */
#define LP_WALLET_ID_MAX 64u         /* credential id, bytes */
#define LP_WALLET_SDCWT_MAX (256u * 1024u)
#define LP_WALLET_MAX_COPIES 64u
#define LP_WALLET_MAX_CLAIMS 64u     /* claims named in one log entry */
#define LP_WALLET_MAX_ITEMS 100000u  /* credentials, keys or log entries */

#define LP_WALLET_PK_BYTES 32
#define LP_WALLET_SK_BYTES 64        /* libsodium Ed25519 layout: seed || pk */

/* The recovery key: 160 random bits shown as 8 groups of 5 characters from
 * Crockford's base32 alphabet (no I, L, O, U), 4 data characters and one
 * check character per group, joined by dashes:
 * "7K3QD-M2XPA-...". LP_WALLET_RECOVERY_TEXT_SIZE includes the NUL. */
#define LP_WALLET_RECOVERY_GROUPS 8
#define LP_WALLET_RECOVERY_BYTES 20
#define LP_WALLET_RECOVERY_TEXT_SIZE 48

/* Status of a credential as last known (from its issuer's status list). */
#define LP_WALLET_STATUS_VALID 0
#define LP_WALLET_STATUS_REVOKED 1
#define LP_WALLET_STATUS_SUSPENDED 2
#define LP_WALLET_STATUS_UNKNOWN 3   /* never checked */

typedef struct lp_wallet lp_wallet;

/* Argon2id cost. opslimit: passes; memlimit: bytes. */
typedef struct lp_wallet_kdf {
	uint64_t opslimit;
	uint64_t memlimit;
} lp_wallet_kdf;

/* One copy of a credential: the school may issue several copies, each bound
 * to its own holder key, so that two presentations cannot be linked. */
typedef struct lp_wallet_copy {
	lp_view sdcwt;                        /* issued SD-CWT, all disclosures */
	uint8_t holder_pk[LP_WALLET_PK_BYTES]; /* the cnf key it is bound to */
	uint32_t uses;                        /* presentations made with it */
} lp_wallet_copy;

/* A stored credential. Text fields are NUL-terminated UTF-8. */
typedef struct lp_wallet_cred {
	const char *id;        /* the learner's handle for it, unique */
	const char *issuer;    /* the school's identifier (iss) */
	const char *title;     /* for lists */
	const char *type;      /* credential type (vct), may be "" */
	int64_t imported;      /* Unix seconds */
	int status;            /* LP_WALLET_STATUS_* as last known */
	int64_t status_time;   /* when the status was learned; 0 never */
	size_t ncopies;        /* 1..LP_WALLET_MAX_COPIES */
	const lp_wallet_copy *copies;
} lp_wallet_cred;

/* A holder key. sk points into guarded memory. */
typedef struct lp_wallet_key {
	uint8_t pk[LP_WALLET_PK_BYTES];
	const uint8_t *sk;     /* LP_WALLET_SK_BYTES */
	int64_t created;       /* Unix seconds */
	const char *issuer;    /* the school it was requested for */
} lp_wallet_key;

/* One presentation, as the learner's own record. */
typedef struct lp_wallet_log {
	int64_t time;          /* Unix seconds */
	const char *cred_id;
	uint32_t copy;         /* index of the copy used */
	const char *audience;  /* to whom ("" when not given) */
	const char *challenge; /* the verifier's challenge ("" when none) */
	size_t nclaims;
	const char *const *claims; /* the redactable claims revealed */
} lp_wallet_log;

/* ---- KDF parameters ------------------------------------------------------ */

/* The defaults above. */
void lp_wallet_kdf_default(lp_wallet_kdf *k);

/* LP_OK when k is within the accepted ranges, else LP_ERR_ARG. */
lp_err lp_wallet_kdf_check(const lp_wallet_kdf *k) LP_WARN_UNUSED;

/* ---- the recovery key ---------------------------------------------------- */

/* Write key as text (8 dash-separated groups) into out. */
void lp_wallet_recovery_format(const uint8_t key[LP_WALLET_RECOVERY_BYTES],
			       char out[LP_WALLET_RECOVERY_TEXT_SIZE]);

/* Read a recovery key typed back by a person: case-insensitive, spaces and
 * dashes anywhere ignored, O read as 0 and I/L as 1. LP_ERR_MALFORMED with a
 * diagnostic naming the group (1-8) whose check character fails (a mistyped
 * character or two swapped neighbours), a character outside the alphabet,
 * or the wrong number of characters. On failure key is zeroed. */
lp_err lp_wallet_recovery_parse(const char *text, size_t len,
				uint8_t key[LP_WALLET_RECOVERY_BYTES],
				lp_diag *d) LP_WARN_UNUSED;

/* ---- creating, opening, saving ------------------------------------------ */

/* Create a new empty wallet at path (refuses with LP_ERR_EXISTS if a file is
 * there), mode 0600, encrypted under passphrase with kdf (NULL: defaults),
 * and a fresh recovery key written as text into recovery (the only time it
 * exists outside the learner's head: show it once, then wipe it). On
 * success *out is the open wallet; on failure nothing is written, *out is
 * NULL and recovery is zeroed. */
lp_err lp_wallet_create(const char *path, lp_view passphrase, const lp_wallet_kdf *kdf,
			char recovery[LP_WALLET_RECOVERY_TEXT_SIZE], lp_wallet **out,
			lp_diag *d) LP_WARN_UNUSED;

/* Open the wallet at path with its passphrase. Errors: LP_ERR_NOT_FOUND (no
 * file), LP_ERR_PASSPHRASE (wrong passphrase), LP_ERR_INTEGRITY (altered or
 * damaged), LP_ERR_MALFORMED (not a wallet, truncated), LP_ERR_VERSION (a
 * newer format), LP_ERR_LOCKED (open in another program: an open wallet
 * holds an exclusive flock on PATH.lock until lp_wallet_close), LP_ERR_IO.
 * d says what and where. On failure *out is NULL and the file is
 * untouched. */
lp_err lp_wallet_open(const char *path, lp_view passphrase, lp_wallet **out,
		      lp_diag *d) LP_WARN_UNUSED;

/* Open with the recovery key text instead (as lp_wallet_recovery_parse
 * reads it). LP_ERR_MALFORMED for a mistyped key, LP_ERR_PASSPHRASE for a
 * well-formed key that is not this wallet's. */
lp_err lp_wallet_open_recovery(const char *path, const char *recovery, lp_wallet **out,
			       lp_diag *d) LP_WARN_UNUSED;

/* The same from file bytes already in memory (path NULL: lp_wallet_save
 * then needs lp_wallet_set_path). Used by restore checks, tests and fuzzing. */
lp_err lp_wallet_decode(lp_view file, lp_view passphrase, lp_wallet **out,
			lp_diag *d) LP_WARN_UNUSED;
lp_err lp_wallet_decode_recovery(lp_view file, const char *recovery, lp_wallet **out,
				 lp_diag *d) LP_WARN_UNUSED;

/* The wallet as file bytes (current format version, fresh body nonce). */
lp_err lp_wallet_encode(const lp_wallet *w, lp_buf *out) LP_WARN_UNUSED;

/* Write the wallet to its path atomically, keeping the previous file as
 * PATH.prev. On failure the file on disk is unchanged. */
lp_err lp_wallet_save(lp_wallet *w) LP_WARN_UNUSED;

/* The path the wallet was opened from or created at (NULL if decoded). */
const char *lp_wallet_path(const lp_wallet *w);
lp_err lp_wallet_set_path(lp_wallet *w, const char *path) LP_WARN_UNUSED;

/* A new passphrase (and optionally new KDF cost; NULL keeps the current
 * one): a fresh salt, the data key wrapped anew. Takes effect in memory;
 * lp_wallet_save() writes it. The recovery key stays valid. On failure the
 * wallet is unchanged. */
lp_err lp_wallet_set_passphrase(lp_wallet *w, lp_view passphrase,
				const lp_wallet_kdf *kdf) LP_WARN_UNUSED;

/* The KDF cost the wallet's passphrase is wrapped with. */
void lp_wallet_get_kdf(const lp_wallet *w, lp_wallet_kdf *k);

/* Wipe and free everything; NULL-tolerant. */
void lp_wallet_close(lp_wallet *w);

/* ---- backup and restore -------------------------------------------------- */

/* Write the wallet, encrypted as it is on disk, to dest (mode 0600; refuses
 * to overwrite: LP_ERR_EXISTS). It opens with the passphrase (and recovery
 * key) valid at the time of the backup. */
lp_err lp_wallet_backup(const lp_wallet *w, const char *dest) LP_WARN_UNUSED;

/* Replace the wallet at path by the backup file backup, after checking that
 * the backup opens with passphrase (LP_ERR_PASSPHRASE, LP_ERR_INTEGRITY, ...
 * otherwise, and nothing is replaced). The wallet that was at path (if any)
 * is kept as PATH.prev. */
lp_err lp_wallet_restore(const char *path, const char *backup, lp_view passphrase,
			 lp_diag *d) LP_WARN_UNUSED;

/* ---- credentials --------------------------------------------------------- */

size_t lp_wallet_cred_count(const lp_wallet *w);
/* The i-th credential (in order of import), NULL if i is out of range. */
const lp_wallet_cred *lp_wallet_cred_at(const lp_wallet *w, size_t i);
/* The credential with this id, NULL if none. */
const lp_wallet_cred *lp_wallet_cred_find(const lp_wallet *w, const char *id);

/* Store a copy of c (all text and bytes copied). LP_ERR_EXISTS if the id is
 * taken, LP_ERR_ARG if a field is out of its limits (empty id, no copies,
 * too long). The uses of c's copies are taken as given. */
lp_err lp_wallet_cred_add(lp_wallet *w, const lp_wallet_cred *c) LP_WARN_UNUSED;

/* Remove the credential with this id (LP_ERR_NOT_FOUND if none). Its log
 * entries stay (the learner's record of what was shown). */
lp_err lp_wallet_cred_remove(lp_wallet *w, const char *id) LP_WARN_UNUSED;

/* Record the status learned at time t. */
lp_err lp_wallet_cred_set_status(lp_wallet *w, const char *id, int status,
				 int64_t t) LP_WARN_UNUSED;

/* Count one more use of copy `copy` of credential id. */
lp_err lp_wallet_copy_use(lp_wallet *w, const char *id, size_t copy) LP_WARN_UNUSED;

/* ---- holder keys --------------------------------------------------------- */

size_t lp_wallet_key_count(const lp_wallet *w);
const lp_wallet_key *lp_wallet_key_at(const lp_wallet *w, size_t i);
const lp_wallet_key *lp_wallet_key_find(const lp_wallet *w,
					const uint8_t pk[LP_WALLET_PK_BYTES]);

/* Make a fresh Ed25519 key pair (seed from lp_random) for the school issuer
 * and store it; its public key goes to pk. */
lp_err lp_wallet_key_new(lp_wallet *w, int64_t created, const char *issuer,
			 uint8_t pk[LP_WALLET_PK_BYTES]) LP_WARN_UNUSED;

/* Remove the key with this public key (LP_ERR_NOT_FOUND if none); its
 * secret bytes are wiped. */
lp_err lp_wallet_key_remove(lp_wallet *w, const uint8_t pk[LP_WALLET_PK_BYTES]) LP_WARN_UNUSED;

/* ---- the presentation log ------------------------------------------------ */

size_t lp_wallet_log_count(const lp_wallet *w);
const lp_wallet_log *lp_wallet_log_at(const lp_wallet *w, size_t i);
lp_err lp_wallet_log_add(lp_wallet *w, const lp_wallet_log *e) LP_WARN_UNUSED;

/* ---- reading a stored credential (lib/wallet_inspect.c) ----------------
 * What the wallet itself can check and show without the issuer's key: the
 * structure (tagged COSE_Sign1, typ 293, sd_alg SHA-256), the claims, the
 * holder key it is bound to, and that every disclosure it carries matches
 * a digest the issuer signed (decoys included) with no claim twice. The
 * issuer's signature is NOT checked here: use lp_sdcwt_verify_credential
 * with the issuer's key for that. */

/* The audience a presentation carries when the learner names no verifier
 * (walk-up verification: an employer scans a printed sheet). */
#define LP_WALLET_AUD_WALKUP "leerpas:walk-up"

/* One redactable claim the credential carries as a disclosure. */
typedef struct lp_wallet_claim {
	char *name;  /* JSON name ("grade"), or the decimal key of a claim not ours */
	char *json;  /* its value as JSON text */
} lp_wallet_claim;

typedef struct lp_wallet_credinfo {
	char *iss;                 /* issuer identifier */
	char *vct;                 /* credential type, "" if absent */
	char *title;               /* achievement title if shown, else "" */
	uint8_t kid[256];          /* issuer key id from the protected header */
	size_t kid_len;
	int64_t iat;
	bool has_nbf, has_exp;
	int64_t nbf, exp;
	uint8_t cti[64];
	size_t cti_len;
	bool has_cnf;              /* bound to an Ed25519 holder key */
	uint8_t cnf[LP_WALLET_PK_BYTES];
	bool has_status;
	uint64_t status_idx;
	char *status_uri;          /* NULL without status */
	char *shown_json;          /* the always-shown achievement claims, JSON object
				    * (with the specification's claims when attached) */
	bool has_spec_ref;         /* refers to an achievement specification (specifiedBy) */
	bool has_spec;             /* ... and carries it (checked against the digest) */
	size_t spec_bytes;         /* its size: what a presentation with it grows by */
	size_t nredactable;
	lp_wallet_claim *redactable; /* in the order the credential carries them */
} lp_wallet_credinfo;

/* Read and check a credential as described above. Errors: CBOR and COSE
 * parse errors, LP_ERR_TYP, LP_ERR_CLAIMS (a claim missing or of the wrong
 * type), LP_ERR_DISCLOSURE (a malformed disclosure), LP_ERR_DIGEST_MISMATCH
 * (a disclosure the issuer did not sign), LP_ERR_DUPLICATE_CLAIM,
 * LP_ERR_UNSUPPORTED (a holder key that is not Ed25519). On failure *out is
 * zeroed; release with lp_wallet_credinfo_free. */
lp_err lp_wallet_inspect(lp_view sdcwt, lp_wallet_credinfo *out, lp_diag *d) LP_WARN_UNUSED;
void lp_wallet_credinfo_free(lp_wallet_credinfo *ci);

/* Split an import file into its copies: either one tagged COSE_Sign1, or a
 * CBOR array of copies, each a byte string holding a COSE_Sign1 or the
 * tagged COSE_Sign1 itself. *copies is an array of *n owned buffers;
 * release with lp_wallet_copies_free. */
lp_err lp_wallet_split_copies(lp_view file, lp_buf **copies, size_t *n,
			      lp_diag *d) LP_WARN_UNUSED;
void lp_wallet_copies_free(lp_buf *copies, size_t n);

#ifdef __cplusplus
}
#endif
#endif
