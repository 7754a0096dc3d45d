/* Helpers of the hardening suites (tamper, forgery, crash, secrets): a
 * school with deterministic keys, example-like microcredential and diploma
 * claim sets issued with the library's real issuance code, a verifier built
 * on the real trust store, and byte/text encodings to search outputs for
 * secrets. Prefixed hh_ (every tests/helper_*.c is linked into every test). */
#ifndef LP_TEST_HELPER_HARDEN_H
#define LP_TEST_HELPER_HARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leerpas/common.h"
#include "leerpas/cose.h"
#include "leerpas/sdcwt.h"
#include "leerpas/trust.h"

#define HH_T0 1782864000       /* 2026-07-01T00:00:00Z: issuance time */
#define HH_NOW (HH_T0 + 3600)  /* verification time */
#define HH_ISS "https://roc-voorbeeld.example"
#define HH_KID "20260101-k1"
#define HH_AUD "https://werkgever.example"
#define HH_STATUS_URI "https://roc-voorbeeld.example/status/1"

/* The two credential types the suites exercise. */
typedef enum hh_type { HH_MICRO = 0, HH_DIPLOMA = 1 } hh_type;

/* JSON claims (template and learner merged), the credential type and the
 * claims made redactable (NULL: the claims' defaults). */
const char *hh_claims(hh_type t);
const char *hh_vct(hh_type t);

/* A deterministic Ed25519 key pair from a one-byte seed pattern. */
void hh_keypair(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64]);

/* Issue a credential of type t (school key sk, kid HH_KID, iat iat) bound
 * to holder_pk (NULL: unbound), status index idx. Aborts the test on error. */
lp_buf hh_issue(hh_type t, const uint8_t issuer_sk[64], const uint8_t *holder_pk, int64_t iat,
		uint64_t idx);

/* Present cred with the named disclosures (n of them) to HH_AUD at iat,
 * signed with holder_sk, with an optional cnonce. Aborts on error. */
lp_buf hh_present(lp_view cred, const char *const *names, size_t n, const uint8_t holder_sk[64],
		  int64_t iat, const uint8_t *cnonce, size_t cnonce_len);

/* The issuer description of the school with one key valid [from, until)
 * (until 0: current), by kid HH_KID. Owned by the caller (lp_buf_free). */
lp_buf hh_school_desc(const uint8_t issuer_pk[32], int64_t from, int64_t until);

/* A verifier: a trust store and the lp_sdcwt_verify_params that resolve
 * through it (lp_trust_resolve at time `now`). */
typedef struct hh_verifier {
	lp_trust_store *ts;
	lp_sdcwt_verify_params p;
	int resolves;            /* calls of the resolver */
} hh_verifier;

/* A verifier that pins the school (issuer_pk valid from 2020 on). */
void hh_verifier_init(hh_verifier *v, const uint8_t issuer_pk[32]);
/* An empty verifier (no school trusted): add to v->ts yourself. */
void hh_verifier_init_empty(hh_verifier *v);
void hh_verifier_free(hh_verifier *v);

/* Verify a presentation (or a bare credential when bare) and report
 * whether it was accepted. *claims (if non-NULL) receives a copy of the
 * claims JSON shown (NULL when none); *err the error. */
bool hh_verify(hh_verifier *v, lp_view msg, bool bare, lp_err *err, char **claims);

/* Search hay for needle in raw form, lowercase and uppercase hex, base64
 * and base64url (with and without padding), and base45. Returns the name
 * of the first encoding found, or NULL. Needles shorter than 8 bytes are
 * refused (abort) since they would match by chance. */
const char *hh_find_secret(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t n);

/* Deterministic randomness (a counter through SHA-256) for the library. */
void hh_random_install(uint64_t start);
void hh_random_restore(void);

#endif
