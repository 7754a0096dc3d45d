/* The school's register of issued credentials, in SQLite: what was issued,
 * to whom (the school's own learner reference), when, with which key, its
 * status-list entry and status; the school's keys with their validity
 * periods; modules admitted into composed credentials; settings. WAL
 * journal, a busy timeout, every change in a transaction. A register that
 * another process holds locked past the timeout gives LP_ERR_LOCKED.
 *
 * Text fields are bounded (sizes below); longer input is LP_ERR_ARG. */
#ifndef LEERPAS_REGISTER_H
#define LEERPAS_REGISTER_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_REG_SCHEMA_VERSION 1
#define LP_REG_CTI_MAX 64        /* cti as lowercase hex */
#define LP_REG_REF_MAX 128       /* learner reference */
#define LP_REG_NAME_MAX 64       /* template name, kid */
#define LP_REG_REASON_MAX 512
#define LP_REG_HOLDER_MAX 64     /* holder public key as hex */
#define LP_REG_PATH_MAX 256
#define LP_REG_KEY_MAX 64        /* batch idempotency key (hex) */
#define LP_REG_DEFAULT_TIMEOUT_MS 5000

typedef struct lp_register lp_register;

/* Create a new register at path (refuses an existing file: LP_ERR_EXISTS).
 * On failure *out is NULL and no file is left behind. */
lp_err lp_register_create(const char *path, lp_register **out) LP_WARN_UNUSED;

/* Open an existing register (LP_ERR_NOT_FOUND if absent, LP_ERR_VERSION if
 * made by a newer program, LP_ERR_MALFORMED if not a register,
 * LP_ERR_LOCKED if locked past the timeout). */
lp_err lp_register_open(const char *path, lp_register **out) LP_WARN_UNUSED;

void lp_register_close(lp_register *r);  /* NULL-tolerant */

/* How long to wait for another process's lock (milliseconds). */
void lp_register_set_timeout(lp_register *r, int ms);

/* SQLite's message for the last failure (for the program to show); never
 * NULL. */
const char *lp_register_errmsg(lp_register *r);

/* Transactions: begin takes the write lock at once (BEGIN IMMEDIATE), so a
 * busy register is reported before any work is done. */
lp_err lp_register_begin(lp_register *r) LP_WARN_UNUSED;
lp_err lp_register_commit(lp_register *r) LP_WARN_UNUSED;
void lp_register_rollback(lp_register *r);

/* Settings (text). get: *out is malloc'd (caller frees), LP_ERR_NOT_FOUND
 * when unset. */
lp_err lp_register_meta_set(lp_register *r, const char *key, const char *value) LP_WARN_UNUSED;
lp_err lp_register_meta_get(lp_register *r, const char *key, char **out) LP_WARN_UNUSED;

/* --- keys ----------------------------------------------------------------- */

typedef struct lp_reg_key {
	char kid[LP_REG_NAME_MAX + 1];
	uint8_t pk[32];                 /* Ed25519 public key */
	int64_t valid_from;             /* Unix seconds */
	int64_t valid_until;            /* 0: still current */
	char secret_file[LP_REG_PATH_MAX + 1]; /* the encrypted key file's name */
} lp_reg_key;

lp_err lp_register_key_add(lp_register *r, const lp_reg_key *k) LP_WARN_UNUSED;
/* Retire a key: set valid_until (LP_ERR_NOT_FOUND, LP_ERR_STATE if retired). */
lp_err lp_register_key_retire(lp_register *r, const char *kid, int64_t valid_until) LP_WARN_UNUSED;
/* The current key (valid_until 0, latest valid_from); LP_ERR_NOT_FOUND. */
lp_err lp_register_key_current(lp_register *r, lp_reg_key *out) LP_WARN_UNUSED;
/* Every key, oldest first; *keys malloc'd (caller frees), may be NULL when
 * *n is 0. */
lp_err lp_register_keys(lp_register *r, lp_reg_key **keys, size_t *n) LP_WARN_UNUSED;

/* --- credentials ------------------------------------------------------------ */

typedef struct lp_reg_cred {
	char cti[LP_REG_CTI_MAX + 1];
	char learner[LP_REG_REF_MAX + 1];
	char tmpl[LP_REG_NAME_MAX + 1];
	char kid[LP_REG_NAME_MAX + 1];
	int64_t issued_at;
	uint64_t status_idx;
	unsigned status;                /* LP_STATUS_VALID/INVALID/SUSPENDED */
	char reason[LP_REG_REASON_MAX + 1];
	int64_t changed_at;             /* last status change, 0 none */
	char batch_key[LP_REG_KEY_MAX + 1]; /* "" when not from a batch */
	char holder[LP_REG_HOLDER_MAX + 1]; /* hex holder key, "" when unbound */
} lp_reg_cred;

/* Take the next free status-list index (inside the caller's transaction,
 * or in its own). */
lp_err lp_register_status_alloc(lp_register *r, uint64_t *idx) LP_WARN_UNUSED;

/* Take n consecutive indexes at once; *first receives the first. */
lp_err lp_register_status_alloc_n(lp_register *r, uint64_t n, uint64_t *first) LP_WARN_UNUSED;

/* Record an issued credential. LP_ERR_EXISTS when the cti, the status index
 * or the (batch_key, holder) pair is already recorded. */
lp_err lp_register_cred_add(lp_register *r, const lp_reg_cred *c) LP_WARN_UNUSED;

/* Whether a batch row key is already recorded; *cti (optional, at least
 * LP_REG_CTI_MAX + 1 bytes) receives one credential it produced. */
lp_err lp_register_batch_seen(lp_register *r, const char *batch_key, bool *seen,
			      char *cti) LP_WARN_UNUSED;

/* Visit every recorded batch row key (for a batch to skip rows issued
 * before without one query per row). Stops early when cb returns false. */
typedef bool (*lp_reg_key_cb)(void *ctx, const char *batch_key);
lp_err lp_register_batch_keys(lp_register *r, lp_reg_key_cb cb, void *ctx) LP_WARN_UNUSED;

/* Look up by cti (full hex, or a unique prefix of at least 8 hex digits:
 * LP_ERR_ARG when ambiguous). LP_ERR_NOT_FOUND. */
lp_err lp_register_cred_get(lp_register *r, const char *cti, lp_reg_cred *out) LP_WARN_UNUSED;

/* Change a credential's status; reason may be NULL. LP_ERR_NOT_FOUND. */
lp_err lp_register_cred_set_status(lp_register *r, const char *cti, unsigned status,
				   const char *reason, int64_t at) LP_WARN_UNUSED;

/* Visit every credential in issue order; stop early when cb returns
 * false. */
typedef bool (*lp_reg_cred_cb)(void *ctx, const lp_reg_cred *c);
lp_err lp_register_cred_foreach(lp_register *r, lp_reg_cred_cb cb, void *ctx) LP_WARN_UNUSED;

/* Number of credentials and the highest status index + 1 ("list size"). */
lp_err lp_register_counts(lp_register *r, uint64_t *creds, uint64_t *list_size) LP_WARN_UNUSED;

/* Every status index that is not valid, with its status: arrays malloc'd
 * (caller frees both), *n entries. Used to build the status list. */
lp_err lp_register_nonvalid(lp_register *r, uint64_t **idx, unsigned **status,
			    size_t *n) LP_WARN_UNUSED;

/* --- modules admitted into composed credentials ------------------------------ */

/* Record that module (issuer, cti hex) counts toward composite (cti hex).
 * LP_ERR_EXISTS when that module already counts toward a credential this
 * school issued; *used_by (optional, LP_REG_CTI_MAX + 1) then names it. */
lp_err lp_register_module_use(lp_register *r, const char *issuer, const char *cti,
			      const char *composite, char *used_by) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
