#define _GNU_SOURCE /* memmem */
/* Helpers of the hardening suites (see helper_harden.h): example-like
 * credentials issued with the real library code, a verifier on the real
 * trust store, and a multi-encoding search for leaked secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "helper_harden.h"
#include "leerpas/claims.h"

/* A microcredential as the examples describe one: an mbo keuzedeel with
 * every mandatory Annex I element and the usual per-learner claims. */
static const char micro_claims[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\",\"leest code van anderen\"],"
	"\"creditPoint\":2.5,\"workload\":70,\"eqfLevel\":4,\"nqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\","
	"\"accreditation\":\"NRTO-keurmerk\",\"qualificationCode\":\"K0125\","
	"\"isPartOf\":[{\"qualificationCode\":\"25604\",\"title\":\"Software developer\"}],"
	"\"awardingDate\":\"2026-06-30\",\"fullName\":\"Sanne de Vries\","
	"\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\",\"grade\":\"8,1\","
	"\"assessmentDetails\":\"praktijkexamen 12 mei, beoordelaar J. Bakker\"}";

/* An mbo diploma (crebo 25604, niveau 4), composed of modules. */
static const char diploma_claims[] =
	"{\"title\":\"Software developer\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"ontwikkelt software\",\"werkt in een ontwikkelteam\","
	"\"levert software op en onderhoudt die\"],"
	"\"workload\":4800,\"eqfLevel\":4,\"nqfLevel\":4,"
	"\"assessmentType\":\"centraal en instellingsexamen\",\"mode\":\"BOL, voltijd\","
	"\"accreditation\":\"NVAO / Inspectie van het Onderwijs\",\"qualificationCode\":\"25604\","
	"\"hasPart\":[{\"issuer\":\"https://roc-voorbeeld.example\",\"cti\":\"00112233445566778899aabbccddeeff\"},"
	"{\"issuer\":\"https://hogeschool.example\",\"cti\":\"ffeeddccbbaa99887766554433221100\"}],"
	"\"awardingDate\":\"2026-06-30\",\"fullName\":\"Sanne de Vries\","
	"\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\",\"grade\":\"met lof\","
	"\"additionalNote\":\"diploma mbo, niveau 4\"}";

const char *hh_claims(hh_type t)
{
	return t == HH_DIPLOMA ? diploma_claims : micro_claims;
}

const char *hh_vct(hh_type t)
{
	return t == HH_DIPLOMA ? "https://roc-voorbeeld.example/diploma/25604"
			       : "https://roc-voorbeeld.example/mc/basis-python";
}

void hh_keypair(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	memset(seed, seed_byte, sizeof seed);
	cr_assert_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
}

lp_buf hh_issue(hh_type t, const uint8_t issuer_sk[64], const uint8_t *holder_pk, int64_t iat,
		uint64_t idx)
{
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	lp_buf cred = { 0 };
	lp_diag d = { 0 };
	lp_sdcwt_issue_params_init(&p);
	p.iss = HH_ISS;
	p.kid = (const uint8_t *)HH_KID;
	p.kid_len = strlen(HH_KID);
	p.vct = hh_vct(t);
	p.iat = iat;
	if (t == HH_MICRO) {
		p.has_exp = true; /* microcredentials of this school expire after 5 years */
		p.exp = iat + 5 * 365 * 86400LL;
	}
	if (holder_pk) {
		lp_pubkey_ed25519(&holder, holder_pk);
		p.holder = &holder;
	}
	p.has_status = true;
	p.status_idx = idx;
	p.status_uri = HH_STATUS_URI;
	p.claims_json = hh_claims(t);
	p.claims_json_len = strlen(p.claims_json);
	lp_err e = lp_sdcwt_issue(&p, issuer_sk, &cred, NULL, &d);
	cr_assert_eq(e, LP_OK, "issue: %s: %s", lp_err_code(e), d.msg);
	return cred;
}

lp_buf hh_present(lp_view cred, const char *const *names, size_t n, const uint8_t holder_sk[64],
		  int64_t iat, const uint8_t *cnonce, size_t cnonce_len)
{
	lp_sdcwt_present_params pp = { names, n, HH_AUD, iat, cnonce, cnonce_len, false };
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	lp_err e = lp_sdcwt_present(cred, &pp, holder_sk, &out, &d);
	cr_assert_eq(e, LP_OK, "present: %s: %s", lp_err_code(e), d.msg);
	return out;
}

lp_buf hh_school_desc(const uint8_t issuer_pk[32], int64_t from, int64_t until)
{
	lp_pubkey k;
	lp_pubkey_ed25519(&k, issuer_pk);
	lp_issuer_key_entry ke = { HH_KID, &k, from, until };
	lp_issuer_desc_params dp;
	memset(&dp, 0, sizeof dp);
	dp.id = HH_ISS;
	dp.name = "ROC Voorbeeld";
	dp.country = "NL";
	dp.keys = &ke;
	dp.n_keys = 1;
	lp_buf out = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&dp, &out), LP_OK);
	return out;
}

static lp_err hh_resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len,
			 int64_t alg, const char *vct, bool has_iat, int64_t iat, lp_pubkey *key,
			 lp_diag *d)
{
	hh_verifier *v = ctx;
	lp_trust_result tr;
	(void)alg;
	v->resolves++;
	if (!iss || !has_iat)
		return lp_diag_set(d, LP_ERR_UNTRUSTED, 0, "credential without iss or iat");
	lp_err e = lp_trust_resolve(v->ts, iss, lp_view_of(kid, kid_len), vct, iat, v->p.now, &tr, d);
	if (e != LP_OK)
		return e;
	*key = tr.key;
	return LP_OK;
}

void hh_verifier_init_empty(hh_verifier *v)
{
	memset(v, 0, sizeof *v);
	cr_assert_eq(lp_trust_store_new(&v->ts), LP_OK);
	v->p.resolve = hh_resolve;
	v->p.resolve_ctx = v;
	v->p.now = HH_NOW;
	v->p.skew = 300;
	v->p.aud = HH_AUD;
}

void hh_verifier_init(hh_verifier *v, const uint8_t issuer_pk[32])
{
	hh_verifier_init_empty(v);
	lp_buf desc = hh_school_desc(issuer_pk, 1577836800 /* 2020-01-01 */, 0);
	lp_diag d = { 0 };
	lp_err e = lp_trust_pin(v->ts, lp_buf_view(&desc), &d);
	cr_assert_eq(e, LP_OK, "pin: %s", d.msg);
	lp_buf_free(&desc);
}

void hh_verifier_free(hh_verifier *v)
{
	lp_trust_store_free(v->ts);
	memset(v, 0, sizeof *v);
}

bool hh_verify(hh_verifier *v, lp_view msg, bool bare, lp_err *err, char **claims)
{
	lp_sdcwt_result r;
	lp_err e = bare ? lp_sdcwt_verify_credential(msg, &v->p, &r) : lp_sdcwt_verify(msg, &v->p, &r);
	/* The contract the programs rely on: claims are reported only when
	 * verification succeeded, and the result's err is the returned one. */
	cr_assert_eq(r.err, e);
	if (e != LP_OK)
		cr_assert_null(r.claims_json, "claims shown although verification failed (%s)",
			       lp_err_code(e));
	if (claims)
		*claims = r.claims_json ? strdup(r.claims_json) : NULL;
	if (err)
		*err = e;
	lp_sdcwt_result_free(&r);
	return e == LP_OK;
}

/* ---- searching for secrets ----------------------------------------------- */

static bool contains(const uint8_t *hay, size_t hay_len, const void *needle, size_t n)
{
	if (n == 0 || n > hay_len)
		return false;
	return memmem(hay, hay_len, needle, n) != NULL;
}

/* The characters of the base64 (url when url) encoding of `needle` placed
 * at byte alignment k (0..2) within a larger encoded blob that depend on
 * the needle's bits only: whatever surrounds it, these appear in the
 * encoding of the blob. */
static size_t b64_core(const uint8_t *needle, size_t n, unsigned k, bool url, char *out, size_t cap)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char uri[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *alpha = url ? uri : std;
	size_t bits_start = 8 * k, bits_end = 8 * (k + n), o = 0;
	for (size_t j = (bits_start + 5) / 6; 6 * j + 6 <= bits_end && o + 1 < cap; j++) {
		unsigned v = 0;
		for (size_t b = 6 * j; b < 6 * j + 6; b++) {
			size_t nb = b - bits_start; /* bit index in needle */
			unsigned bit = (needle[nb / 8] >> (7 - nb % 8)) & 1u;
			v = v << 1 | bit;
		}
		out[o++] = alpha[v];
	}
	out[o] = 0;
	return o;
}

/* base45 of the whole byte pairs of needle starting at offset k (0 or 1). */
static size_t b45_core(const uint8_t *needle, size_t n, unsigned k, char *out, size_t cap)
{
	static const char alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	size_t o = 0;
	for (size_t i = k; i + 1 < n && o + 4 < cap; i += 2) {
		unsigned v = (unsigned)needle[i] * 256u + needle[i + 1];
		out[o++] = alpha[v % 45];
		out[o++] = alpha[(v / 45) % 45];
		out[o++] = alpha[v / 2025];
	}
	out[o] = 0;
	return o;
}

const char *hh_find_secret(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t n)
{
	cr_assert_geq(n, 8, "a needle this short would match by chance");
	if (!hay || hay_len == 0)
		return NULL;
	if (contains(hay, hay_len, needle, n))
		return "raw bytes";
	char *buf = malloc(4 * n + 16);
	cr_assert_not_null(buf);
	const char *found = NULL;
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	for (int pass = 0; pass < 2 && !found; pass++) {
		const char *h = pass ? up : lo;
		for (size_t i = 0; i < n; i++) {
			buf[2 * i] = h[needle[i] >> 4];
			buf[2 * i + 1] = h[needle[i] & 15];
		}
		if (contains(hay, hay_len, buf, 2 * n))
			found = pass ? "uppercase hex" : "lowercase hex";
	}
	for (unsigned k = 0; k < 3 && !found; k++) {
		size_t m = b64_core(needle, n, k, false, buf, 4 * n + 16);
		if (contains(hay, hay_len, buf, m))
			found = "base64";
		m = b64_core(needle, n, k, true, buf, 4 * n + 16);
		if (!found && contains(hay, hay_len, buf, m))
			found = "base64url";
	}
	for (unsigned k = 0; k < 2 && !found; k++) {
		size_t m = b45_core(needle, n, k, buf, 4 * n + 16);
		if (contains(hay, hay_len, buf, m))
			found = "base45";
	}
	free(buf);
	return found;
}

/* ---- deterministic randomness ------------------------------------------- */

static uint64_t hh_ctr;

static void hh_det_random(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *ctr = ctx;
	while (len) {
		uint8_t blk[32], in[8];
		for (int i = 0; i < 8; i++)
			in[i] = (uint8_t)(*ctr >> (8 * i));
		(*ctr)++;
		crypto_hash_sha256(blk, in, sizeof in);
		size_t m = len < 32 ? len : 32;
		memcpy(out, blk, m);
		out += m;
		len -= m;
	}
}

void hh_random_install(uint64_t start)
{
	hh_ctr = start;
	lp_random_set(hh_det_random, &hh_ctr);
}

void hh_random_restore(void)
{
	lp_random_set(NULL, NULL);
}
