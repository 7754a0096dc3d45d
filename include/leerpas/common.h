/* leerpas common types: byte views and buffers, the one error enum, parser
 * diagnostics, and the single source of randomness that tests may replace.
 *
 * Conventions for the whole library (see ../../docs/format.md and STYLE):
 * - inputs are borrowed views (lp_view), passed by value;
 * - variable-size outputs are allocated by the library (lp_buf) and released
 *   with lp_buf_free(), which accepts NULL and wipes the bytes;
 * - every function that can fail returns lp_err (LP_OK == 0); on failure
 *   nothing stays allocated and outputs are zeroed;
 * - the library never prints, never exits, never reads the environment.
 */
#ifndef LEERPAS_COMMON_H
#define LEERPAS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LP_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define LP_WARN_UNUSED
#endif

/* A borrowed run of bytes. */
typedef struct lp_view {
	const uint8_t *ptr;
	size_t len;
} lp_view;

/* An owned run of bytes, allocated by the library. */
typedef struct lp_buf {
	uint8_t *ptr;
	size_t len;
} lp_buf;

/* Errors, in ranges (t_cose style):
 *   1..99    argument and usage errors (a caller bug or a bad option)
 *   100..199 malformed input (cannot be parsed; the diagnostic says where)
 *   200..299 verification and policy failures (parsed, but not acceptable)
 *   300..399 resources and environment (memory, I/O, limits)
 * lp_err_is_verification() tells the 200 range apart: the programs map it to
 * exit code 1, everything else to 2. */
typedef enum lp_err {
	LP_OK = 0,

	LP_ERR_ARG = 1,             /* invalid argument */
	LP_ERR_UNSUPPORTED = 2,     /* a feature, algorithm or version we do not support */
	LP_ERR_STATE = 3,           /* call made in the wrong state */

	LP_ERR_MALFORMED = 100,     /* generic malformed input */
	LP_ERR_BASE45 = 101,        /* character outside the alphabet, bad length, triplet > 65535 */
	LP_ERR_INFLATE = 102,       /* not valid zlib data */
	LP_ERR_TOO_LARGE = 103,     /* input or inflated output over its limit */
	LP_ERR_CBOR = 104,          /* not well-formed CBOR */
	LP_ERR_CBOR_INDEFINITE = 105, /* indefinite-length item (we require definite) */
	LP_ERR_CBOR_DUPLICATE_KEY = 106, /* a map with the same key twice */
	LP_ERR_CBOR_TRAILING = 107, /* bytes after the top-level item */
	LP_ERR_CBOR_DEPTH = 108,    /* nesting deeper than the limit */
	LP_ERR_COSE_TAG = 109,      /* wrong or missing CBOR tag */
	LP_ERR_COSE_STRUCTURE = 110, /* not a COSE_Sign1 array of the right shape */
	LP_ERR_COSE_ALG = 111,      /* alg missing from the protected header */
	LP_ERR_COSE_ALG_UNPROTECTED = 112, /* alg in the unprotected header */
	LP_ERR_COSE_KEY = 113,      /* malformed COSE_Key or PEM key */
	LP_ERR_PREFIX = 114,        /* QR text without the expected "LP1:" prefix */
	LP_ERR_CLAIMS = 115,        /* malformed or missing claim */
	LP_ERR_DISCLOSURE = 116,    /* malformed disclosure */
	LP_ERR_JSON = 117,          /* malformed JSON or a JSON value of the wrong type */
	LP_ERR_CSV = 118,           /* malformed CSV */
	LP_ERR_TYP = 119,           /* wrong typ header */

	LP_ERR_SIGNATURE = 200,     /* signature does not verify */
	LP_ERR_ALG_MISMATCH = 201,  /* alg does not fit the key (e.g. a P-256 key for EdDSA) */
	LP_ERR_DIGEST_MISMATCH = 202, /* a disclosure matches no digest in the payload */
	LP_ERR_DUPLICATE_CLAIM = 203, /* a disclosed key duplicates a key at the same place */
	LP_ERR_TIME_ORDER = 204,    /* nbf/iat/exp in an order the SD-CWT draft forbids */
	LP_ERR_EXPIRED = 205,       /* now >= exp */
	LP_ERR_NOT_YET_VALID = 206, /* now < nbf, or issued in the future */
	LP_ERR_AUDIENCE = 207,      /* aud is not the expected verifier */
	LP_ERR_NONCE = 208,         /* cnonce missing, wrong, or already used */
	LP_ERR_HOLDER_BINDING = 209, /* presentation not signed by the cnf key */
	LP_ERR_UNTRUSTED = 210,     /* issuer or key not recognised by the trust store */
	LP_ERR_KEY_PERIOD = 211,    /* issuer key used outside its validity period */
	LP_ERR_TYPE_NOT_ALLOWED = 212, /* issuer not recognised for this credential type */
	LP_ERR_REVOKED = 213,       /* status list says revoked */
	LP_ERR_SUSPENDED = 214,     /* status list says suspended */
	LP_ERR_STATUS_UNKNOWN = 215, /* no (fresh) status information and policy requires it */
	LP_ERR_PASSPHRASE = 216,    /* wrong passphrase or recovery key */
	LP_ERR_INTEGRITY = 217,     /* authenticated decryption failed: file altered */
	LP_ERR_REQUEST = 218,       /* issuance request does not verify or is stale */
	LP_ERR_NOT_BOUND = 219,     /* credential not bound to a key of this holder */
	LP_ERR_POLICY = 220,        /* other policy refusal */

	LP_ERR_NOMEM = 300,         /* out of memory */
	LP_ERR_IO = 301,            /* reading or writing failed (errno kept by caller) */
	LP_ERR_RANDOM = 302,        /* randomness source failed */
	LP_ERR_CRYPTO = 303,        /* crypto library failure (not a bad signature) */
	LP_ERR_VERSION = 304,       /* file from a newer format version */
	LP_ERR_EXISTS = 305,        /* refuses to overwrite */
	LP_ERR_NOT_FOUND = 306,     /* no such item */
	LP_ERR_LOCKED = 307,        /* resource locked by another process */
	LP_ERR_INTERNAL = 399
} lp_err;

/* A short English message for an error code; never NULL. */
const char *lp_err_str(lp_err e);

/* A stable machine name for an error code ("signature", "revoked", ...),
 * used as reason codes in --json output; never NULL. */
const char *lp_err_code(lp_err e);

/* True for the 200 range: the input was understood but is not acceptable. */
bool lp_err_is_verification(lp_err e);

/* Where a parser stopped. Filled by parsers when a pointer is given. */
typedef struct lp_diag {
	lp_err code;
	size_t offset;   /* byte offset into the input where the problem is */
	char msg[160];   /* short human message, NUL-terminated */
} lp_diag;

/* Record a problem into d (if non-NULL) and return code. msg is printf-style. */
lp_err lp_diag_set(lp_diag *d, lp_err code, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* Free (and wipe) a buffer allocated by the library; NULL-tolerant.
 * Leaves b->ptr NULL and b->len 0. */
void lp_buf_free(lp_buf *b);

/* Copy len bytes into a fresh lp_buf. */
lp_err lp_buf_dup(lp_buf *out, const uint8_t *p, size_t len) LP_WARN_UNUSED;

static inline lp_view lp_view_of(const uint8_t *p, size_t len)
{
	lp_view v = { p, len };
	return v;
}

static inline lp_view lp_buf_view(const lp_buf *b)
{
	lp_view v = { b->ptr, b->len };
	return v;
}

/* Library initialisation: calls sodium_init(). Safe to call more than once. */
lp_err lp_init(void) LP_WARN_UNUSED;

/* The single source of randomness. By default libsodium's randombytes.
 * Tests may install a deterministic source; programs never do. */
typedef void (*lp_random_fn)(void *ctx, uint8_t *out, size_t len);
void lp_random_set(lp_random_fn fn, void *ctx);  /* fn NULL restores the default */
void lp_random(uint8_t *out, size_t len);

/* Time source for "now" is always passed in explicitly as Unix seconds;
 * the library never reads the clock. */

#ifdef __cplusplus
}
#endif
#endif
