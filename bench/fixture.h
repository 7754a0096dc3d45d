/* leerpas benchmark: the typical credential as a fixture. Loads a template
 * and a learner from bench/data/, issues the SD-CWT with the real library,
 * presents it with the chosen claims, and keeps everything a verification
 * needs (issuer key, audience, challenge). */
#ifndef LP_BENCH_FIXTURE_H
#define LP_BENCH_FIXTURE_H

#include <sodium.h>

#include "leerpas/common.h"
#include "leerpas/cose.h"
#include "leerpas/sdcwt.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

#define BENCH_ISS "https://hogeschool-domstad.nl"
#define BENCH_AUD "leerpas-verifier:7K3QM9XD" /* an audience as leerpas-verifier makes its own */
#define BENCH_AUD_WALKUP "leerpas:walk-up" /* the wallet's audience without a verifier */
#define BENCH_STATUS_URI "https://hogeschool-domstad.nl/status/1"
#define BENCH_NOW 1790000000 /* 2026-09-21: after both awarding dates' issue */

typedef struct bench_fixture {
	uint8_t issuer_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t issuer_sk[crypto_sign_SECRETKEYBYTES];
	lp_pubkey issuer_key;
	uint8_t holder_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t holder_sk[crypto_sign_SECRETKEYBYTES];
	lp_pubkey holder_key;
	uint8_t cnonce[12];         /* a challenge code as leerpas-verifier issues it */
	char *claims_json;          /* template claims merged with the learner's */
	char *template_claims_json; /* the template's claims alone */
	char *learner_json;         /* the learner's claims alone */
	char *vct;
	char **redactable;          /* from the template */
	size_t nredactable;
	const char *shown[8];       /* claims disclosed in the presentation */
	size_t nshown;
	bool details;               /* bench_fixture_present includes the achievement specification */
	lp_buf credential;          /* the issued SD-CWT, all disclosures */
	lp_buf presentation;        /* the SD-KBT with the shown disclosures */
	lp_buf lp1;                 /* "LP1:" text of the presentation (NUL-ended) */
	lp_trust_store *ts;         /* the verifier's trust store: the school pinned */
	lp_trust_resolver resolver; /* lp_trust_issuer_key's context */
	lp_status_list status;      /* the verifier's cached status list (1,000 entries) */
} bench_fixture;

/* The whole check of a presentation's CBOR as the verifier makes it:
 * lp_sdcwt_verify with the trust store, then the status lookup in the
 * cached list. 0 when valid with the shown claims. */
int bench_fixture_check(bench_fixture *f, lp_view cbor);

/* Issue a credential from a template file (as `leerpas-issuer template
 * add` takes it) and a learner's claims file (as `issue --claims` takes
 * it), and present it disclosing the comma-separated shown list. Dies with
 * a message on any failure. */
void bench_fixture_make(bench_fixture *f, const char *template_path, const char *learner_path,
			const char *shown);

/* The typical microcredential: the project's example template and learner
 * (examples/templates/microcredential.json, examples/learner.json), name
 * and grade shown. */
void bench_fixture_micro(bench_fixture *f);

/* A path under the source tree ($LP_BENCH_SOURCE or the configured one). */
const char *bench_src_path(const char *rel, char *buf, size_t cap);
void bench_fixture_free(bench_fixture *f);

/* The issuance parameters of the fixture's credential (merged claims,
 * the template's redactable names). */
void bench_fixture_issue_params(const bench_fixture *f, const lp_pubkey *holder, uint64_t status_idx,
				lp_sdcwt_issue_params *ip);

/* Issue one more credential for this fixture's claims to holder (NULL: the
 * fixture's holder) into *out; 0 or -1. */
int bench_fixture_issue(const bench_fixture *f, const lp_pubkey *holder, uint64_t status_idx,
			lp_buf *out);

/* Present the fixture's credential again with other parameters (aud, no
 * challenge when cnonce is NULL) into *out (CBOR). 0 or -1. */
int bench_fixture_present(const bench_fixture *f, const char *aud, const uint8_t *cnonce,
			  size_t cnonce_len, lp_buf *out);

/* Verification parameters for the fixture's presentation: the issuer key
 * comes from the trust store (lp_trust_issuer_key), as in the verifier. */
void bench_fixture_verify_params(bench_fixture *f, lp_sdcwt_verify_params *p);


#endif
