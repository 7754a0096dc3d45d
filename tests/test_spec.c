/* The achievement specification (docs/format/credential.md, "The
 * achievement specification"): the descriptive claims leave the payload for
 * a map bound by its SHA-256 (specifiedBy); a presentation carries it or
 * not; a verifier takes it from the presentation or its cache, and refuses
 * one that does not match, one attached without a reference, one that
 * repeats an inline claim, and malformed ones. */
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "internal.h"
#include "leerpas/claims.h"
#include "leerpas/sdcwt.h"
#include "leerpas/wallet.h"
#include "spec_int.h"

#define T0 1780000000

static struct {
	uint8_t issuer_pk[32], issuer_sk[64], holder_pk[32], holder_sk[64];
} K;

static const char claims_json[] =
	"{\"title\":\"Data-analyse met Python\",\"awardingBody\":\"Hogeschool Domstad\","
	"\"countryCode\":\"NL\",\"learningOutcome\":[\"Schoont data\",\"Analyseert data\"],"
	"\"creditPoint\":3,\"workload\":84,\"eqfLevel\":6,\"nqfLevel\":6,"
	"\"assessmentType\":\"Praktijkopdracht\",\"mode\":\"Online\",\"accreditation\":\"NVAO\","
	"\"description\":\"Een microcredential.\",\"fullName\":\"Eva de Vries\",\"grade\":\"8,1\","
	"\"awardingDate\":\"2026-07-03\"}";

static const char template_json[] =
	"{\"vct\":\"microcredential\",\"claims\":{\"title\":\"Data-analyse met Python\","
	"\"awardingBody\":\"Hogeschool Domstad\",\"countryCode\":\"NL\",\"learningOutcome\":"
	"[\"Schoont data\",\"Analyseert data\"],\"creditPoint\":3,\"workload\":84,\"eqfLevel\":6,"
	"\"nqfLevel\":6,\"assessmentType\":\"Praktijkopdracht\",\"mode\":\"Online\","
	"\"accreditation\":\"NVAO\",\"description\":\"Een microcredential.\"},"
	"\"redactable\":[\"fullName\",\"grade\"]}";

struct trust {
	lp_pubkey key;
};

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
		      const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	(void)iss, (void)kid, (void)kid_len, (void)alg, (void)vct, (void)has_iat, (void)iat, (void)d;
	*key = ((struct trust *)ctx)->key;
	return LP_OK;
}

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	crypto_sign_keypair(K.issuer_pk, K.issuer_sk);
	crypto_sign_keypair(K.holder_pk, K.holder_sk);
}

TestSuite(spec, .init = setup);

/* The issuance parameters every test here shares (holder: bound to the
 * test holder key when given). */
static void base_params(lp_sdcwt_issue_params *p, lp_pubkey *holder)
{
	lp_sdcwt_issue_params_init(p);
	p->iss = "https://hogeschool-domstad.nl";
	p->kid = (const uint8_t *)"k1";
	p->kid_len = 2;
	p->vct = "microcredential";
	p->iat = T0;
	if (holder) {
		lp_pubkey_ed25519(holder, K.holder_pk);
		p->holder = holder;
	}
}

static lp_buf issue_with(const char *claims, bool inline_spec)
{
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	lp_buf cred = { 0 };
	lp_diag d = { 0 };
	static const char *const red[] = { "fullName", "grade" };
	base_params(&p, &holder);
	p.claims_json = claims;
	p.claims_json_len = strlen(claims);
	p.redactable = red;
	p.redactable_count = 2;
	p.inline_specification = inline_spec;
	cr_assert_eq(lp_sdcwt_issue(&p, K.issuer_sk, &cred, NULL, &d), LP_OK, "%s", d.msg);
	return cred;
}

static lp_buf present(lp_view cred, bool include)
{
	static const char *const show[] = { "fullName" };
	lp_sdcwt_present_params pp = { show, 1, "leerpas:walk-up", T0 + 50, NULL, 0, include };
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_present(cred, &pp, K.holder_sk, &out, &d), LP_OK, "%s", d.msg);
	return out;
}

static lp_buf the_spec;

static lp_err lookup(void *ctx, const uint8_t digest[32], lp_buf *out)
{
	const lp_buf *s = ctx;
	(void)digest;
	if (!s || !s->ptr)
		return LP_ERR_NOT_FOUND;
	return lp_buf_dup(out, s->ptr, s->len);
}

static void vparams(lp_sdcwt_verify_params *v, struct trust *t, const lp_buf *cache)
{
	lp_pubkey_ed25519(&t->key, K.issuer_pk);
	memset(v, 0, sizeof *v);
	v->resolve = resolve;
	v->resolve_ctx = t;
	v->now = T0 + 100;
	v->skew = 60;
	v->aud = "leerpas:walk-up";
	if (cache) {
		v->spec_lookup = lookup;
		v->spec_ctx = (void *)(uintptr_t)cache;
	}
}

static bool has(const char *json, const char *name)
{
	char q[64];
	snprintf(q, sizeof q, "\"%s\"", name);
	return json && strstr(json, q) != NULL;
}

Test(spec, descriptive_claims_leave_the_payload_and_come_back)
{
	lp_buf cred = issue_with(claims_json, false);
	lp_buf tspec = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_spec_of_template(template_json, strlen(template_json), &tspec, &d), LP_OK, "%s", d.msg);
	uint8_t want[32];
	cr_assert_eq(lp_spec_check(lp_buf_view(&tspec), want, &d), LP_OK, "%s", d.msg);

	/* The wallet's view: the specification is attached and checked. */
	lp_wallet_credinfo ci;
	cr_assert_eq(lp_wallet_inspect(lp_buf_view(&cred), &ci, &d), LP_OK, "%s", d.msg);
	cr_assert(ci.has_spec_ref && ci.has_spec);
	cr_assert_eq(ci.spec_bytes, tspec.len);
	cr_assert(has(ci.shown_json, "learningOutcome") && has(ci.shown_json, "description"));
	lp_wallet_credinfo_free(&ci);

	struct trust t;
	lp_sdcwt_verify_params v;
	lp_sdcwt_result r;
	/* 1. Carried in the presentation. */
	lp_buf with = present(lp_buf_view(&cred), true);
	vparams(&v, &t, NULL);
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&with), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.spec_source, LP_SPEC_INCLUDED);
	cr_assert_eq(memcmp(r.spec_digest, want, 32), 0, "the template's specification is the credential's");
	cr_assert(r.spec.len == tspec.len && memcmp(r.spec.ptr, tspec.ptr, tspec.len) == 0);
	cr_assert(has(r.claims_json, "learningOutcome") && has(r.claims_json, "assessmentType") &&
		  has(r.claims_json, "title") && has(r.claims_json, "fullName"));
	lp_sdcwt_result_free(&r);

	/* 2. Only the digest, verifier without a cache: VALID, details missing. */
	lp_buf without = present(lp_buf_view(&cred), false);
	cr_assert_lt(without.len + tspec.len / 2, with.len, "the digest-only presentation is smaller");
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&without), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.spec_source, LP_SPEC_MISSING);
	cr_assert_eq(memcmp(r.spec_digest, want, 32), 0);
	cr_assert(!has(r.claims_json, "learningOutcome") && has(r.claims_json, "title") &&
		  has(r.claims_json, "specifiedBy"));
	cr_assert_null(r.spec.ptr);
	lp_sdcwt_result_free(&r);

	/* 3. Only the digest, verifier with the specification cached. */
	the_spec = tspec;
	vparams(&v, &t, &the_spec);
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&without), &v, &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.spec_source, LP_SPEC_LOOKED_UP);
	cr_assert(has(r.claims_json, "learningOutcome") && has(r.claims_json, "description"));
	lp_sdcwt_result_free(&r);

	/* 4. A cache that answers with other bytes: refused, never shown. */
	lp_buf other = { 0 };
	cr_assert_eq(lp_buf_dup(&other, tspec.ptr, tspec.len), LP_OK);
	other.ptr[other.len - 2] ^= 1; /* inside the last text */
	vparams(&v, &t, &other);
	cr_assert_eq(lp_sdcwt_verify(lp_buf_view(&without), &v, &r), LP_ERR_DIGEST_MISMATCH);
	cr_assert_null(r.claims_json);
	lp_sdcwt_result_free(&r);

	lp_buf_free(&other);
	lp_buf_free(&with);
	lp_buf_free(&without);
	lp_buf_free(&tspec);
	lp_buf_free(&cred);
}

/* Replace (or add, or with value NULL remove) label -65538 in a
 * credential's unprotected header: the issuer's signature does not cover
 * it, which is why the reader checks the digest. */
static lp_buf with_attached(lp_view cred, const lp_buf *spec)
{
	cbor_item_t *root = NULL;
	cr_assert_eq(lp_cbor_load(cred, 16, &root, NULL), LP_OK);
	cbor_item_t *arr = cbor_tag_item(root);
	cbor_item_t *old = cbor_array_handle(arr)[1];
	cbor_item_t *um = cbor_new_definite_map(cbor_map_size(old) + 1);
	for (size_t i = 0; i < cbor_map_size(old); i++) {
		struct cbor_pair pr = cbor_map_handle(old)[i];
		int64_t k;
		if (lp_cbor_get_int(pr.key, &k) && k == LP_HDR_SPEC)
			continue;
		cr_assert(cbor_map_add(um, pr));
	}
	if (spec)
		cr_assert(lp_cbor_map_put(um, lp_cbor_int(LP_HDR_SPEC),
					  cbor_build_bytestring(spec->ptr, spec->len)));
	cr_assert(cbor_array_replace(arr, 1, um));
	cbor_decref(&um);
	cbor_decref(&arr);
	lp_buf out = { 0 };
	cr_assert_eq(lp_cbor_encode(root, &out), LP_OK);
	cbor_decref(&root);
	return out;
}

static lp_err verify_cred(lp_view cred, lp_sdcwt_result *r)
{
	struct trust t;
	lp_sdcwt_verify_params v;
	vparams(&v, &t, NULL);
	return lp_sdcwt_verify_credential(cred, &v, r);
}

Test(spec, attached_specification_must_match_and_belong)
{
	lp_buf cred = issue_with(claims_json, false);
	lp_buf tspec = { 0 };
	lp_diag d = { 0 };
	lp_sdcwt_result r;
	cr_assert_eq(lp_spec_of_template(template_json, strlen(template_json), &tspec, &d), LP_OK);
	cr_assert_eq(verify_cred(lp_buf_view(&cred), &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.spec_source, LP_SPEC_INCLUDED);
	lp_sdcwt_result_free(&r);

	/* Every byte of the attached specification changed: never accepted. */
	for (size_t i = 0; i < tspec.len; i++) {
		lp_buf bad = { 0 };
		cr_assert_eq(lp_buf_dup(&bad, tspec.ptr, tspec.len), LP_OK);
		bad.ptr[i] ^= 0x20;
		lp_buf c2 = with_attached(lp_buf_view(&cred), &bad);
		lp_err e = verify_cred(lp_buf_view(&c2), &r);
		cr_assert_eq(e, LP_ERR_DIGEST_MISMATCH, "byte %zu: %s", i, lp_err_code(e));
		cr_assert_null(r.claims_json);
		lp_sdcwt_result_free(&r);
		lp_buf_free(&c2);
		lp_buf_free(&bad);
	}
	/* The wallet's reader refuses it too. */
	{
		lp_buf bad = { 0 };
		cr_assert_eq(lp_buf_dup(&bad, tspec.ptr, tspec.len), LP_OK);
		bad.ptr[3] ^= 1;
		lp_buf c2 = with_attached(lp_buf_view(&cred), &bad);
		lp_wallet_credinfo ci;
		cr_assert_eq(lp_wallet_inspect(lp_buf_view(&c2), &ci, &d), LP_ERR_DIGEST_MISMATCH);
		lp_buf_free(&c2);
		lp_buf_free(&bad);
	}
	/* Without it: valid, the details missing. */
	lp_buf bare = with_attached(lp_buf_view(&cred), NULL);
	cr_assert_eq(verify_cred(lp_buf_view(&bare), &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.spec_source, LP_SPEC_MISSING);
	lp_sdcwt_result_free(&r);

	/* Attached to a credential that refers to none. */
	lp_buf inl = issue_with(claims_json, true);
	cr_assert_eq(verify_cred(lp_buf_view(&inl), &r), LP_OK, "%s", r.diag.msg);
	cr_assert_eq(r.spec_source, LP_SPEC_NONE);
	cr_assert(has(r.claims_json, "learningOutcome"), "inline as before");
	lp_sdcwt_result_free(&r);
	lp_buf stray = with_attached(lp_buf_view(&inl), &tspec);
	cr_assert_eq(verify_cred(lp_buf_view(&stray), &r), LP_ERR_CLAIMS);
	lp_sdcwt_result_free(&r);

	lp_buf_free(&stray);
	lp_buf_free(&inl);
	lp_buf_free(&bare);
	lp_buf_free(&tspec);
	lp_buf_free(&cred);
}

Test(spec, a_specification_repeating_an_inline_claim_is_refused)
{
	/* A school (or a forger with a school's key) signs a reference to a
	 * specification that repeats the title: the reader refuses the
	 * credential rather than choose one of the two titles. */
	static const uint8_t spec[] = { 0xa2, 0x01, 0x63, 'A', 'B', 'C', 0x0a, 0x61, 'x' };
	uint8_t dg[32];
	lp_diag d = { 0 };
	cr_assert_eq(lp_spec_check(lp_view_of(spec, sizeof spec), dg, &d), LP_OK, "%s", d.msg);
	char hex[65], claims[1200];
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dg[i]);
	snprintf(claims, sizeof claims, "%.*s,\"specifiedBy\":\"%s\"}", (int)strlen(claims_json) - 1,
		 claims_json, hex);
	lp_buf cred = issue_with(claims, true);
	lp_buf s = { 0 };
	cr_assert_eq(lp_buf_dup(&s, spec, sizeof spec), LP_OK);
	lp_buf c2 = with_attached(lp_buf_view(&cred), &s);
	lp_sdcwt_result r;
	cr_assert_eq(verify_cred(lp_buf_view(&c2), &r), LP_ERR_DUPLICATE_CLAIM);
	lp_sdcwt_result_free(&r);
	/* and the issuer will not split claims next to a given specifiedBy */
	lp_sdcwt_issue_params p;
	lp_buf out = { 0 };
	base_params(&p, NULL);
	p.claims_json = claims;
	p.claims_json_len = strlen(claims);
	cr_assert_eq(lp_sdcwt_issue(&p, K.issuer_sk, &out, NULL, &d), LP_ERR_CLAIMS);
	cr_assert(strstr(d.msg, "specifiedBy") != NULL, "%s", d.msg);
	lp_buf_free(&s);
	lp_buf_free(&c2);
	lp_buf_free(&cred);
}

Test(spec, malformed_specifications_are_refused)
{
	static const struct {
		const char *hex, *why;
		lp_err want;
	} bad[] = {
		{ "a0", "empty map", LP_ERR_CLAIMS },
		{ "8105", "not a map", LP_ERR_CLAIMS },
		{ "a11063457661", "a per-learner claim (fullName)", LP_ERR_CLAIMS },
		{ "a1181a5820" "0000000000000000000000000000000000000000000000000000000000000000",
		  "specifiedBy inside", LP_ERR_CLAIMS },
		{ "a100820102", "key 0", LP_ERR_CLAIMS },
		{ "a1190100616b", "key 256", LP_ERR_CLAIMS },
		{ "a16174617a", "a text key", LP_ERR_CLAIMS },
		{ "a10505", "learningOutcome not a list of texts", LP_ERR_CLAIMS },
		{ "a10a61780a", "trailing byte", LP_ERR_CBOR_TRAILING },
		{ "a20a61780a6179", "duplicate key", LP_ERR_CBOR_DUPLICATE_KEY },
		{ "bf0a6178ff", "indefinite map", LP_ERR_CBOR_INDEFINITE },
		{ "a20a", "truncated", LP_ERR_CBOR },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t b[64], dg[32];
		size_t n = strlen(bad[i].hex) / 2;
		for (size_t k = 0; k < n; k++)
			sscanf(bad[i].hex + 2 * k, "%2hhx", &b[k]);
		lp_diag d = { 0 };
		lp_err e = lp_spec_check(lp_view_of(b, n), dg, &d);
		cr_assert_eq(e, bad[i].want, "%s: got %s (%s)", bad[i].why, lp_err_code(e), d.msg);
		cr_assert(d.msg[0], "%s: says why", bad[i].why);
	}
	/* a good one */
	static const uint8_t ok[] = { 0xa2, 0x0a, 0x61, 'x', 0x18, 0xc8, 0x61, 'y' };
	uint8_t dg[32], want[32];
	cr_assert_eq(lp_spec_check(lp_view_of(ok, sizeof ok), dg, NULL), LP_OK,
		     "an unknown key 1..255 (200) is kept for later claims");
	crypto_hash_sha256(want, ok, sizeof ok);
	cr_assert_eq(memcmp(dg, want, 32), 0, "the digest is SHA-256 of the exact bytes");
}

Test(spec, a_template_without_descriptive_claims_has_none)
{
	static const char t[] = "{\"vct\":\"x\",\"claims\":{\"title\":\"T\",\"awardingBody\":\"B\","
				"\"countryCode\":\"NL\",\"learningOutcome\":[\"L\"],\"workload\":1,"
				"\"eqfLevel\":1,\"assessmentType\":\"A\",\"mode\":\"M\",\"accreditation\":\"Q\"},"
				"\"redactable\":[\"learningOutcome\",\"assessmentType\",\"mode\",\"accreditation\"]}";
	lp_buf s = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_spec_of_template(t, strlen(t), &s, &d), LP_ERR_NOT_FOUND, "%s", d.msg);
	cr_assert_null(s.ptr);
}

/* ---- issuing many credentials of one template ---------------------------- */

static uint64_t ctr;

static void counting_random(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *c = ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(++*c * 131u);
}

static const char template_claims[] =
	"{\"title\":\"Data-analyse met Python\",\"awardingBody\":\"Hogeschool Domstad\","
	"\"countryCode\":\"NL\",\"learningOutcome\":[\"Schoont data\",\"Analyseert data\"],"
	"\"creditPoint\":3,\"workload\":84,\"eqfLevel\":6,\"nqfLevel\":6,"
	"\"assessmentType\":\"Praktijkopdracht\",\"mode\":\"Online\",\"accreditation\":\"NVAO\","
	"\"description\":\"Een microcredential.\"}";

/* The same credential, byte for byte, through lp_sdcwt_issue with the
 * merged claims and through a template with the learner's claims. */
static void same_bytes(const char *learner, const char *const *red, size_t nred, bool inline_spec)
{
	lp_buf merged = { 0 }, a = { 0 }, b = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_claims_merge(template_claims, strlen(template_claims), learner, strlen(learner),
				     &merged, &d), LP_OK, "%s", d.msg);
	lp_sdcwt_issue_params p;
	lp_pubkey holder;
	base_params(&p, &holder);
	p.has_status = true;
	p.status_idx = 7;
	p.status_uri = "https://hogeschool-domstad.nl/status/1";
	p.redactable = red;
	p.redactable_count = nred;
	p.inline_specification = inline_spec;
	p.claims_json = (const char *)merged.ptr;
	p.claims_json_len = merged.len;
	lp_random_set(counting_random, &ctr);
	ctr = 0;
	cr_assert_eq(lp_sdcwt_issue(&p, K.issuer_sk, &a, NULL, &d), LP_OK, "%s", d.msg);
	lp_sdcwt_template *t = NULL;
	cr_assert_eq(lp_sdcwt_template_new(template_claims, strlen(template_claims), red, nred,
					   inline_spec, &t, &d), LP_OK, "%s", d.msg);
	p.claims_json = learner;
	p.claims_json_len = strlen(learner);
	for (int round = 0; round < 2; round++) { /* the template is reusable */
		ctr = 0;
		cr_assert_eq(lp_sdcwt_issue_from(t, &p, K.issuer_sk, &b, NULL, &d), LP_OK, "%s", d.msg);
		cr_assert_eq(a.len, b.len, "%s: length %zu vs %zu", learner, a.len, b.len);
		cr_assert_eq(memcmp(a.ptr, b.ptr, a.len), 0, "%s: different bytes", learner);
		lp_buf_free(&b);
	}
	lp_random_set(NULL, NULL);
	lp_sdcwt_template_free(t);
	lp_buf_free(&a);
	lp_buf_free(&merged);
}

Test(spec, a_template_issues_what_the_merged_claims_issue)
{
	static const char *const red[] = { "fullName", "dateOfBirth", "grade" };
	static const char *const red_desc[] = { "fullName", "description" };
	same_bytes("{\"fullName\":\"Eva de Vries\",\"grade\":\"8,1\",\"awardingDate\":\"2026-07-03\"}", red, 3, false);
	same_bytes("{\"fullName\":\"Eva de Vries\",\"dateOfBirth\":\"2004-03-17\"}", NULL, 0, false);
	same_bytes("{\"fullName\":\"Eva de Vries\"}", red, 3, true);
	/* a template that makes a descriptive claim redactable keeps it out of
	 * the specification, and a learner's own descriptive claim moves in */
	same_bytes("{\"fullName\":\"Eva de Vries\"}", red_desc, 2, false);
	same_bytes("{\"fullName\":\"Eva de Vries\",\"stackability\":\"Telt mee voor de Ad\"}", red, 3, false);
}

Test(spec, a_template_refuses_what_merging_refuses)
{
	lp_sdcwt_template *t = NULL;
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_template_new(template_claims, strlen(template_claims), NULL, 0, false, &t, &d),
		     LP_OK, "%s", d.msg);
	lp_sdcwt_issue_params p;
	lp_buf out = { 0 };
	base_params(&p, NULL);
	static const struct {
		const char *learner, *says;
		lp_err want;
	} bad[] = {
		{ "{\"title\":\"Other\",\"fullName\":\"X\"}", "fixed by the template", LP_ERR_CLAIMS },
		{ "{\"grade\":\"8\"}", "learner identification", LP_ERR_CLAIMS },
		{ "{\"fullName\":\"X\",\"eqfLevel\":9}", "eqfLevel", LP_ERR_CLAIMS },
		{ "{\"fullName\":\"X\",\"nickname\":\"Y\"}", "nickname", LP_ERR_CLAIMS },
		{ "{\"fullName\":", "", LP_ERR_JSON },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&d, 0, sizeof d);
		p.claims_json = bad[i].learner;
		p.claims_json_len = strlen(bad[i].learner);
		lp_err e = lp_sdcwt_issue_from(t, &p, K.issuer_sk, &out, NULL, &d);
		cr_assert_eq(e, bad[i].want, "%s: %s (%s)", bad[i].learner, lp_err_code(e), d.msg);
		cr_assert_null(out.ptr);
		cr_assert(strstr(d.msg, bad[i].says) != NULL, "%s: %s", bad[i].learner, d.msg);
	}
	lp_sdcwt_template_free(t);
}
