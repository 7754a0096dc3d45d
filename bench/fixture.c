/* leerpas benchmark: the typical credential fixture (see fixture.h). */
#include "fixture.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "leerpas/claims.h"
#include "leerpas/codec.h"

#ifndef LP_BENCH_SOURCE_DIR
#define LP_BENCH_SOURCE_DIR "."
#endif

const char *bench_src_path(const char *rel, char *buf, size_t cap)
{
	const char *d = getenv("LP_BENCH_SOURCE");
	snprintf(buf, cap, "%s/%s", d && *d ? d : LP_BENCH_SOURCE_DIR, rel);
	return buf;
}

void bench_fixture_micro(bench_fixture *f)
{
	char t[1024], l[1024];
	bench_fixture_make(f, bench_src_path("examples/templates/microcredential.json", t, sizeof t),
			   bench_src_path("examples/learner.json", l, sizeof l), "fullName,grade");
}

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	if (!j || !json_is_object(j))
		bench_die("%s: %s (line %d)", path, err.text, err.line);
	return j;
}

void bench_fixture_verify_params(bench_fixture *f, lp_sdcwt_verify_params *p)
{
	memset(p, 0, sizeof *p);
	p->resolve = lp_trust_issuer_key;
	p->resolve_ctx = &f->resolver;
	p->now = BENCH_NOW;
	p->skew = 300;
	p->aud = BENCH_AUD;
	p->cnonce = f->cnonce;
	p->cnonce_len = sizeof f->cnonce;
}

void bench_fixture_issue_params(const bench_fixture *f, const lp_pubkey *holder, uint64_t status_idx,
				lp_sdcwt_issue_params *ip)
{
	lp_sdcwt_issue_params_init(ip);
	ip->iss = BENCH_ISS;
	ip->kid = (const uint8_t *)"k1";
	ip->kid_len = 2;
	ip->vct = f->vct;
	ip->iat = BENCH_NOW - 86400;
	ip->holder = holder ? holder : &f->holder_key;
	ip->has_status = true;
	ip->status_idx = status_idx;
	ip->status_uri = BENCH_STATUS_URI;
	ip->claims_json = f->claims_json;
	ip->claims_json_len = strlen(f->claims_json);
	ip->redactable = (const char *const *)f->redactable;
	ip->redactable_count = f->nredactable;
}

int bench_fixture_issue(const bench_fixture *f, const lp_pubkey *holder, uint64_t status_idx,
			lp_buf *out)
{
	lp_sdcwt_issue_params ip;
	bench_fixture_issue_params(f, holder, status_idx, &ip);
	lp_diag d;
	memset(&d, 0, sizeof d);
	uint8_t cti[LP_CTI_BYTES];
	lp_err e = lp_sdcwt_issue(&ip, f->issuer_sk, out, cti, &d);
	if (e != LP_OK) {
		fprintf(stderr, "leerpas-bench: issue: %s: %s\n", lp_err_str(e), d.msg);
		return -1;
	}
	return 0;
}

int bench_fixture_present(const bench_fixture *f, const char *aud, const uint8_t *cnonce,
			  size_t cnonce_len, lp_buf *out)
{
	lp_sdcwt_present_params pp;
	memset(&pp, 0, sizeof pp);
	pp.disclose = f->shown;
	pp.disclose_count = f->nshown;
	pp.aud = aud;
	pp.iat = BENCH_NOW;
	pp.cnonce = cnonce;
	pp.cnonce_len = cnonce_len;
	pp.include_specification = f->details;
	lp_diag d;
	memset(&d, 0, sizeof d);
	lp_err e = lp_sdcwt_present(lp_buf_view(&f->credential), &pp, f->holder_sk, out, &d);
	if (e != LP_OK) {
		fprintf(stderr, "leerpas-bench: present: %s: %s\n", lp_err_str(e), d.msg);
		return -1;
	}
	return 0;
}

int bench_fixture_check(bench_fixture *f, lp_view cbor)
{
	lp_sdcwt_verify_params vp;
	bench_fixture_verify_params(f, &vp);
	lp_sdcwt_result r;
	lp_err e = lp_sdcwt_verify(cbor, &vp, &r);
	int bad = e != LP_OK || !r.claims_json || !r.has_status;
	unsigned st = 1;
	if (!bad)
		bad = lp_status_list_get(&f->status, (size_t)r.status_idx, &st) != LP_OK || st != LP_STATUS_VALID;
	lp_sdcwt_result_free(&r);
	return bad;
}

/* The school, pinned in a fresh trust store as `trust pin ISSUER.json` does,
 * and a status list of 1,000 entries with 1% revoked. */
static void make_verifier_side(bench_fixture *f)
{
	lp_issuer_key_entry k = { "k1", &f->issuer_key, BENCH_NOW - 365 * 86400, 0 };
	const char *types[] = { f->vct };
	lp_issuer_desc_params dp;
	memset(&dp, 0, sizeof dp);
	dp.id = BENCH_ISS;
	dp.name = "ROC Voorbeeld";
	dp.country = "NL";
	dp.keys = &k;
	dp.n_keys = 1;
	dp.credential_types = types;
	dp.n_types = 1;
	lp_buf desc = { NULL, 0 };
	lp_diag d;
	memset(&d, 0, sizeof d);
	if (lp_issuer_desc_write(&dp, &desc) != LP_OK)
		bench_die("issuer description failed");
	if (lp_trust_store_new(&f->ts) != LP_OK || lp_trust_pin(f->ts, lp_buf_view(&desc), &d) != LP_OK)
		bench_die("trust pin failed: %s", d.msg);
	lp_buf_free(&desc);
	f->resolver.ts = f->ts;
	f->resolver.at = BENCH_NOW;
	if (lp_status_list_create(&f->status, 1000, 2) != LP_OK)
		bench_die("status list failed");
	for (size_t i = 7; i < 1000; i += 100)
		if (lp_status_list_set(&f->status, i, LP_STATUS_INVALID) != LP_OK)
			bench_die("status list set failed");
}

void bench_fixture_make(bench_fixture *f, const char *template_path, const char *learner_path,
			const char *shown)
{
	const char *name = template_path;
	memset(f, 0, sizeof *f);
	crypto_sign_keypair(f->issuer_pk, f->issuer_sk);
	lp_pubkey_ed25519(&f->issuer_key, f->issuer_pk);
	crypto_sign_keypair(f->holder_pk, f->holder_sk);
	lp_pubkey_ed25519(&f->holder_key, f->holder_pk);
	/* The challenge as `leerpas-verifier challenge` makes it: 12 characters
	 * of Crockford base32 (60 bits), which the presentation carries as text
	 * bytes (verifier/store.c). */
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	randombytes_buf(f->cnonce, sizeof f->cnonce);
	for (size_t i = 0; i < sizeof f->cnonce; i++)
		f->cnonce[i] = (uint8_t)crockford[f->cnonce[i] & 31];

	json_t *tmpl = load_json(template_path);
	json_t *learner = load_json(learner_path);
	json_t *claims = json_object_get(tmpl, "claims");
	json_t *vct = json_object_get(tmpl, "vct");
	json_t *red = json_object_get(tmpl, "redactable");
	if (!json_is_object(claims) || !json_is_string(vct) || !json_is_array(red))
		bench_die("%s template: needs vct, claims and redactable", name);
	f->vct = strdup(json_string_value(vct));
	f->nredactable = json_array_size(red);
	f->redactable = calloc(f->nredactable + 1, sizeof *f->redactable);
	for (size_t i = 0; i < f->nredactable; i++)
		f->redactable[i] = strdup(json_string_value(json_array_get(red, i)));
	char *tc = json_dumps(claims, JSON_COMPACT);
	char *lc = json_dumps(learner, JSON_COMPACT);
	lp_buf merged = { NULL, 0 };
	lp_diag d;
	memset(&d, 0, sizeof d);
	if (lp_claims_merge(tc, strlen(tc), lc, strlen(lc), &merged, &d) != LP_OK)
		bench_die("%s: merging claims: %s", name, d.msg);
	f->claims_json = strndup((const char *)merged.ptr, merged.len);
	lp_buf_free(&merged);
	f->template_claims_json = tc;
	f->learner_json = lc;
	json_decref(tmpl);
	json_decref(learner);

	char *list = strdup(shown), *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t && f->nshown < 8; t = strtok_r(NULL, ",", &save))
		f->shown[f->nshown++] = strdup(t);
	free(list);

	if (bench_fixture_issue(f, NULL, 42, &f->credential) != 0)
		bench_die("%s: issuing the credential failed", name);
	lp_sdcwt_present_params pp;
	memset(&pp, 0, sizeof pp);
	pp.disclose = f->shown;
	pp.disclose_count = f->nshown;
	pp.aud = BENCH_AUD;
	pp.iat = BENCH_NOW;
	pp.cnonce = f->cnonce;
	pp.cnonce_len = sizeof f->cnonce;
	lp_err e = lp_sdcwt_present(lp_buf_view(&f->credential), &pp, f->holder_sk, &f->presentation, &d);
	if (e != LP_OK)
		bench_die("%s: presenting: %s: %s", name, lp_err_str(e), d.msg);
	e = lp_qrtext_encode(lp_buf_view(&f->presentation), &f->lp1);
	if (e != LP_OK)
		bench_die("%s: LP1 text: %s", name, lp_err_str(e));

	/* The fixture must verify, with the shown claims, before anything is
	 * measured on it. */
	make_verifier_side(f);
	lp_sdcwt_verify_params vp;
	bench_fixture_verify_params(f, &vp);
	lp_sdcwt_result r;
	e = lp_sdcwt_verify(lp_buf_view(&f->presentation), &vp, &r);
	if (e != LP_OK)
		bench_die("%s: the presentation does not verify: %s: %s", name, lp_err_str(e), r.diag.msg);
	if (bench_fixture_check(f, lp_buf_view(&f->presentation)) != 0)
		bench_die("%s: the presentation fails the full check (trust, status)", name);
	for (size_t i = 0; i < f->nshown; i++)
		if (!r.claims_json || !strstr(r.claims_json, f->shown[i]))
			bench_die("%s: verified claims lack %s", name, f->shown[i]);
	lp_sdcwt_result_free(&r);
}

void bench_fixture_free(bench_fixture *f)
{
	lp_buf_free(&f->credential);
	lp_buf_free(&f->presentation);
	lp_buf_free(&f->lp1);
	lp_trust_store_free(f->ts);
	lp_status_list_free(&f->status);
	free(f->claims_json);
	free(f->template_claims_json);
	free(f->learner_json);
	free(f->vct);
	for (size_t i = 0; i < f->nredactable; i++)
		free(f->redactable[i]);
	free(f->redactable);
	for (size_t i = 0; i < f->nshown; i++)
		free((char *)f->shown[i]);
	sodium_memzero(f->issuer_sk, sizeof f->issuer_sk);
	sodium_memzero(f->holder_sk, sizeof f->holder_sk);
	memset(f, 0, sizeof *f);
}
