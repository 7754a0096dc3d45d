/* leerpas-verifier end to end, run as an employer would: a trust store made
 * with its own commands, presentations made by the library (issuer and
 * holder), text, stdin and images (zbarimg-readable PNGs, scaled, noisy,
 * JPEG), and every check and bad input of issue 5, including the hand-made
 * negative vectors in test-vectors/negative/. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cose_int.h"
#include "helper.h"
#include "helper_trust.h"
#include "internal.h"
#include "leerpas/codec.h"
#include "leerpas/qr.h"
#include "leerpas/sdcwt.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

#define VF "leerpas-verifier"
#define Y2020 1577836800
#define Y2026 1767225600
#define Y2027 1798761600
#define T_ISSUE (Y2027 + 9 * 86400)     /* 2027-01-10 */
#define T_AT (T_ISSUE + 3600)
#define AT "1799542800"                  /* T_AT */
#define A_ID "https://roc-a.example"
#define B_ID "https://hbo-b.example"
#define D_ID "https://training-d.example"
#define ANCHOR "https://nvao.example"
#define STATUS_URI "https://roc-a.example/status/1"
#define DIPLOMA "urn:leerpas:diploma"
#define MICRO "urn:leerpas:micro"
#define WALKUP "leerpas:walk-up"

static const char claims[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC A\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2027-01-08\",\"fullName\":\"Sanne de Vries\","
	"\"dateOfBirth\":\"2004-02-29\",\"grade\":\"8,1\"}";

struct kp {
	uint8_t pk[32], sk[64];
};
static struct kp a1, a2, b, d_, evil, anchor, h1, h2;
static char *dir, *store;

/* ---- building blocks -------------------------------------------------------------- */

static char *path(const char *name)
{
	return lpt_fmt("%s/%s", dir, name);
}

static void write_buf(const char *name, lp_view v)
{
	char *p = path(name);
	lpt_write_file(p, v.ptr, v.len);
	free(p);
}

static lp_buf desc(const char *id, const char *name, const char *k1, const struct kp *key1,
		   int64_t until1, const char *k2, const struct kp *key2)
{
	lp_pubkey p1, p2;
	lp_pubkey_ed25519(&p1, key1->pk);
	lp_issuer_key_entry keys[2] = { { k1, &p1, Y2020, until1 }, { NULL, NULL, 0, 0 } };
	size_t n = 1;
	if (k2) {
		lp_pubkey_ed25519(&p2, key2->pk);
		keys[1] = (lp_issuer_key_entry){ k2, &p2, until1, 0 };
		n = 2;
	}
	lp_issuer_desc_params p = { .id = id, .name = name, .country = "NL", .keys = keys, .n_keys = n };
	lp_buf out = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&p, &out), LP_OK);
	return out;
}

/* anchor.json, list.cose (A for everything from 2020, B for micro from
 * 2027), list-forged.cose (an extra school added after signing),
 * d.json (school D, to pin), status.cwt (A's list: 7 revoked, 8 suspended). */
static void make_world(void)
{
	lp_buf an = { 0 }, l0 = { 0 }, l1 = { 0 }, l2 = { 0 }, signed_l = { 0 };
	cr_assert_eq(lp_trust_anchor_write(ANCHOR, "Accreditation body", NULL, anchor.pk, &an), LP_OK);
	write_buf("anchor.json", lp_buf_view(&an));
	lp_buf da = desc(A_ID, "ROC A", "a1", &a1, Y2026, "a2", &a2);
	lp_buf db = desc(B_ID, "HBO B", "b1", &b, 0, NULL, NULL);
	lp_buf dd = desc(D_ID, "Training D", "d1", &d_, 0, NULL, NULL);
	lp_buf de = desc("https://evil.example", "Evil", "e1", &evil, 0, NULL, NULL);
	write_buf("d.json", lp_buf_view(&dd));
	cr_assert_eq(lp_trust_list_new(ANCHOR, Y2027, &l0), LP_OK);
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&l0), lp_buf_view(&da), Y2020, 0, NULL, 0, &l1, NULL), LP_OK);
	const char *micro[] = { MICRO };
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&l1), lp_buf_view(&db), Y2027, 0, micro, 1, &l2, NULL), LP_OK);
	cr_assert_eq(lp_trust_list_sign(lp_buf_view(&l2), ANCHOR, 0, anchor.sk, &signed_l, NULL), LP_OK);
	write_buf("list.cose", lp_buf_view(&signed_l));
	/* forged: payload with Evil added, header and signature of the real list */
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&signed_l), true, &s, NULL), LP_OK);
	lp_buf pj = { 0 }, l3 = { 0 }, forged = { 0 };
	cr_assert_eq(lp_buf_dup(&pj, s.payload.ptr, s.payload.len), LP_OK);
	cr_assert_eq(lp_trust_list_add(lp_buf_view(&pj), lp_buf_view(&de), Y2020, 0, NULL, 0, &l3, NULL), LP_OK);
	cbor_item_t *prot = s.protected_map;
	cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, lp_buf_view(&l3), lp_view_of(NULL, 0), evil.sk, &forged), LP_OK);
	/* keep the anchor's real signature: replace the signature with the original */
	cbor_item_t *fi = NULL;
	cr_assert_eq(lp_cbor_load(lp_buf_view(&forged), 16, &fi, NULL), LP_OK);
	cbor_item_t *arr = cbor_tag_item(fi);
	cbor_item_t *sig = cbor_build_bytestring(s.signature.ptr, s.signature.len);
	cr_assert(cbor_array_replace(arr, 3, sig));
	cbor_decref(&sig);
	cbor_decref(&arr);
	lp_buf_free(&forged);
	cr_assert_eq(lp_cbor_encode(fi, &forged), LP_OK);
	cbor_decref(&fi);
	write_buf("list-forged.cose", lp_buf_view(&forged));
	lp_sign1_free(&s);

	lp_status_list sl;
	cr_assert_eq(lp_status_list_create(&sl, 1000, 2), LP_OK);
	cr_assert_eq(lp_status_list_set(&sl, 7, LP_STATUS_INVALID), LP_OK);
	cr_assert_eq(lp_status_list_set(&sl, 8, LP_STATUS_SUSPENDED), LP_OK);
	lp_status_token_params sp = { .uri = STATUS_URI, .iat = T_ISSUE, .exp = T_ISSUE + 30 * 86400,
				      .ttl = 86400, .kid = (const uint8_t *)"a2", .kid_len = 2 };
	lp_buf tok = { 0 }, etok = { 0 };
	cr_assert_eq(lp_status_token_sign(&sl, &sp, a2.sk, &tok), LP_OK);
	write_buf("status.cwt", lp_buf_view(&tok));
	cr_assert_eq(lp_status_token_sign(&sl, &sp, evil.sk, &etok), LP_OK);
	write_buf("status-evil.cwt", lp_buf_view(&etok));
	lp_status_list_free(&sl);
	lp_buf *all[] = { &an, &l0, &l1, &l2, &signed_l, &da, &db, &dd, &de, &pj, &l3, &forged, &tok, &etok };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		lp_buf_free(all[i]);
}

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	th_keypair(1, a1.pk, a1.sk);
	th_keypair(2, a2.pk, a2.sk);
	th_keypair(3, b.pk, b.sk);
	th_keypair(4, d_.pk, d_.sk);
	th_keypair(5, evil.pk, evil.sk);
	th_keypair(6, anchor.pk, anchor.sk);
	th_keypair(7, h1.pk, h1.sk);
	th_keypair(8, h2.pk, h2.sk);
	dir = lpt_tmpdir();
	store = lpt_fmt("%s/store", dir);
	make_world();
}

static void teardown(void)
{
	char *cmd = lpt_fmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(store);
	free(dir);
}

TestSuite(cli_verifier, .init = setup, .fini = teardown, .timeout = 120);

static lpt_run vf(const char *in, const char *a1_, ...) __attribute__((sentinel));
static lpt_run vf(const char *in, const char *a1_, ...)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = VF;
	va_list ap;
	va_start(ap, a1_);
	for (const char *a = a1_; a && n < 28; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "--store";
	argv[n++] = store;
	argv[n] = NULL;
	return lpt_runv(in, NULL, argv);
}

static void expect(lpt_run r, int status, const char *what)
{
	cr_assert_eq(r.status, status, "%s: exit %d, want %d\nstdout: %s\nstderr: %s", what, r.status,
		     status, r.out, r.err);
}

/* The employer's set-up: the anchor, its list, A's status list. */
static void employer_setup(bool with_status)
{
	char *an = path("anchor.json"), *li = path("list.cose"), *st = path("status.cwt");
	lpt_run r = vf(NULL, "trust", "anchor", "add", an, NULL);
	expect(r, 0, "trust anchor add");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "import", li, NULL);
	expect(r, 0, "trust import");
	cr_assert(strstr(r.out, "2 recognised schools") != NULL, "%s", r.out);
	lpt_run_free(&r);
	if (with_status) {
		r = vf(NULL, "status", "import", st, "--at", AT, NULL);
		expect(r, 0, "status import");
		lpt_run_free(&r);
	}
	free(an);
	free(li);
	free(st);
}

/* A credential from `iss`. */
static lp_buf cred(const char *iss, const char *kid, const struct kp *k, const char *vct, int64_t iat,
		   uint64_t idx, const struct kp *holder)
{
	lp_pubkey hp;
	lp_pubkey_ed25519(&hp, holder->pk);
	lp_sdcwt_issue_params ip;
	lp_sdcwt_issue_params_init(&ip);
	ip.iss = iss;
	ip.kid = (const uint8_t *)kid;
	ip.kid_len = strlen(kid);
	ip.vct = vct;
	ip.iat = iat;
	ip.holder = &hp;
	ip.has_status = true;
	ip.status_idx = idx;
	ip.status_uri = STATUS_URI;
	ip.claims_json = claims;
	ip.claims_json_len = strlen(claims);
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_issue(&ip, k->sk, &out, NULL, &d), LP_OK, "%s", d.msg);
	return out;
}

static lp_buf present_bytes(lp_view c, const char *aud, const char *cnonce, const struct kp *holder,
			    int64_t iat)
{
	const char *show[] = { "fullName" };
	lp_sdcwt_present_params pp = { .disclose = show, .disclose_count = 1, .aud = aud, .iat = iat,
				       .cnonce = (const uint8_t *)cnonce,
				       .cnonce_len = cnonce ? strlen(cnonce) : 0 };
	lp_buf out = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_sdcwt_present(c, &pp, holder->sk, &out, &d), LP_OK, "%s", d.msg);
	return out;
}

static char *to_text(lp_view pres)
{
	lp_buf t = { 0 };
	cr_assert_eq(lp_qrtext_encode(pres, &t), LP_OK);
	char *s = strndup((const char *)t.ptr, t.len);
	lp_buf_free(&t);
	return s;
}

/* A walk-up presentation text of a credential from A (key a2), entry idx. */
static char *walkup(uint64_t idx)
{
	lp_buf c = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, idx, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	char *t = to_text(lp_buf_view(&p));
	lp_buf_free(&c);
	lp_buf_free(&p);
	return t;
}

static json_t *verify_json(const char *text, int want_status, ...) __attribute__((sentinel));
static json_t *verify_json(const char *text, int want_status, ...)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = VF;
	argv[n++] = "verify";
	argv[n++] = "--json";
	argv[n++] = "--at";
	argv[n++] = AT;
	va_list ap;
	va_start(ap, want_status);
	for (const char *a = va_arg(ap, const char *); a && n < 26; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "--store";
	argv[n++] = store;
	argv[n++] = "-";
	argv[n] = NULL;
	lpt_run r = lpt_runv(text, NULL, argv);
	json_error_t e;
	json_t *j = json_loads(r.out, 0, &e);
	cr_assert_not_null(j, "not JSON (%s): %s\nstderr: %s", e.text, r.out, r.err);
	expect(r, want_status, "verify --json");
	lpt_run_free(&r);
	return j;
}

static bool has_reason(const json_t *j, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(j, "reasons"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "code")), code) == 0)
			return true;
	}
	return false;
}

static void expect_invalid(const char *text, const char *code, const char *what)
{
	json_t *j = verify_json(text, 1, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "INVALID", "%s", what);
	char *s = json_dumps(j, 0);
	cr_assert(has_reason(j, code), "%s: want reason %s, got %s", what, code, s);
	free(s);
	json_decref(j);
}

/* ---- the valid case, in every input form ----------------------------------------------- */

Test(cli_verifier, valid_walkup_presentation_text_and_json)
{
	employer_setup(true);
	char *t = walkup(5);
	lpt_run r = vf(NULL, "verify", t, "--at", AT, NULL);
	expect(r, 0, "verify text");
	cr_assert(strncmp(r.out, "VALID\n", 6) == 0, "%s", r.out);
	cr_assert(strstr(r.out, "Basis Python") != NULL);
	cr_assert(strstr(r.out, "Sanne de Vries") != NULL, "the shown name");
	cr_assert(strstr(r.out, "ROC A") != NULL);
	cr_assert(strstr(r.out, "Withheld by the learner:") != NULL);
	cr_assert(strstr(r.out, "Date of birth") != NULL, "withheld claim named: %s", r.out);
	cr_assert(strstr(r.out, "Replay:") != NULL && strstr(r.out, "not prevented") != NULL);
	cr_assert(strstr(r.out, "Status:") != NULL && strstr(r.out, "valid (status list") != NULL, "%s", r.out);
	lpt_run_free(&r);

	json_t *j = verify_json(t, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "VALID");
	cr_assert_eq(json_array_size(json_object_get(j, "reasons")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "issuer"), "id")), A_ID);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "issuer"), "recognised_by")), ANCHOR);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "claims"), "title")), "Basis Python");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "claims"), "fullName")), "Sanne de Vries");
	cr_assert_null(json_object_get(json_object_get(j, "claims"), "dateOfBirth"));
	json_t *wh = json_object_get(j, "withheld");
	bool dob = false;
	size_t i;
	json_t *v;
	json_array_foreach(wh, i, v) dob = dob || strcmp(json_string_value(v), "dateOfBirth") == 0;
	cr_assert(dob, "dateOfBirth listed as withheld");
	json_t *st = json_object_get(j, "status");
	cr_assert_str_eq(json_string_value(json_object_get(st, "state")), "valid");
	cr_assert_eq(json_integer_value(json_object_get(st, "age_seconds")), 3600);
	cr_assert_str_eq(json_string_value(json_object_get(st, "freshness")), "fresh");
	cr_assert(json_is_false(json_object_get(json_object_get(j, "replay_protection"), "prevented")));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "presentation"), "audience")), WALKUP);
	json_decref(j);
	free(t);
}

Test(cli_verifier, stdin_forms)
{
	employer_setup(true);
	char *t = walkup(5);
	char *wrapped = lpt_fmt("  %.*s\n%s\n", 40, t, t + 40); /* e-mail line wrap */
	lpt_run r = vf(wrapped, "verify", "--at", AT, NULL);
	expect(r, 0, "verify from stdin without '-'");
	lpt_run_free(&r);
	r = vf(t, "verify", "-", "--at", AT, NULL);
	expect(r, 0, "verify -");
	lpt_run_free(&r);
	free(wrapped);
	free(t);
}

/* ---- every check rejects what it should ------------------------------------------------ */

Test(cli_verifier, revoked_and_suspended)
{
	employer_setup(true);
	char *t = walkup(7);
	expect_invalid(t, "revoked", "entry 7 revoked");
	free(t);
	t = walkup(8);
	expect_invalid(t, "suspended", "entry 8 suspended");
	free(t);
	t = walkup(5000); /* beyond the 1000-entry list */
	expect_invalid(t, "status_unknown", "index out of range");
	free(t);
}

Test(cli_verifier, missing_and_stale_status_policy)
{
	employer_setup(false);
	char *t = walkup(5);
	json_t *j = verify_json(t, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "status"), "state")), "unknown");
	cr_assert_gt(json_array_size(json_object_get(j, "warnings")), 0, "missing status is reported");
	json_decref(j);
	j = verify_json(t, 1, "--require-status", NULL);
	cr_assert(has_reason(j, "status_unknown"));
	json_decref(j);
	/* stale: import, then judge two days later */
	char *st = path("status.cwt");
	lpt_run r = vf(NULL, "status", "import", st, "--at", AT, NULL);
	expect(r, 0, "status import");
	lpt_run_free(&r);
	r = vf(NULL, "verify", t, "--at", "1799719200", NULL); /* T_ISSUE + 2 days */
	expect(r, 0, "stale status only warns");
	cr_assert(strstr(r.out, "stale") != NULL, "%s", r.out);
	lpt_run_free(&r);
	r = vf(NULL, "verify", t, "--at", "1799719200", "--require-status", "--json", NULL);
	expect(r, 1, "stale status with --require-status");
	cr_assert(strstr(r.out, "status_unknown") != NULL);
	lpt_run_free(&r);
	free(st);
	free(t);
}

Test(cli_verifier, status_from_untrusted_signer_refused)
{
	employer_setup(false);
	char *st = path("status-evil.cwt");
	lpt_run r = vf(NULL, "status", "import", st, NULL);
	expect(r, 1, "status signed by an unknown key");
	cr_assert(strstr(r.err, "not imported") != NULL, "%s", r.err);
	lpt_run_free(&r);
	free(st);
}

Test(cli_verifier, retired_key_after_its_end)
{
	employer_setup(true);
	lp_buf c = cred(A_ID, "a1", &a1, DIPLOMA, T_ISSUE, 5, &h1); /* a1 retired 2026-01-01 */
	lp_buf p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	char *t = to_text(lp_buf_view(&p));
	expect_invalid(t, "key_period", "credential signed by a retired key after its end");
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
	/* the same key before its end date: valid, also judged decades later */
	c = cred(A_ID, "a1", &a1, DIPLOMA, Y2026 - 86400, 5, &h1);
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, 2398377600 - 60);
	t = to_text(lp_buf_view(&p));
	lpt_run r = vf(t, "verify", "--at", "2046-01-01", NULL);
	expect(r, 0, "a 2025 diploma verified in 2046");
	lpt_run_free(&r);
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
}

Test(cli_verifier, issuer_not_in_trust_store_and_type_not_allowed)
{
	employer_setup(true);
	lp_buf c = cred("https://evil.example", "e1", &evil, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	char *t = to_text(lp_buf_view(&p));
	expect_invalid(t, "untrusted", "issuer not in the trust store");
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
	/* B may issue microcredentials only */
	c = cred(B_ID, "b1", &b, DIPLOMA, T_ISSUE, 5, &h1);
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	t = to_text(lp_buf_view(&p));
	expect_invalid(t, "type_not_allowed", "school not recognised for this type");
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
	/* verified at a time before B was recognised (2027-01-01) */
	c = cred(B_ID, "b1", &b, MICRO, Y2027 - 86400 * 2, 5, &h1);
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, Y2027 - 86400);
	t = to_text(lp_buf_view(&p));
	lpt_run r = vf(t, "verify", "--at", "2026-12-31", "--json", NULL);
	expect(r, 1, "before recognition");
	cr_assert(strstr(r.out, "untrusted") != NULL, "%s", r.out);
	lpt_run_free(&r);
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
}

Test(cli_verifier, empty_trust_store_is_untrusted)
{
	char *t = walkup(5);
	expect_invalid(t, "untrusted", "no anchors at all");
	free(t);
}

/* Re-sign an SD-KBT's protected header and payload with another key. */
static lp_buf resign(lp_view pres, const uint8_t *sk, cbor_item_t *(*edit)(cbor_item_t *prot))
{
	lp_sign1 s;
	cr_assert_eq(lp_sign1_parse(pres, true, &s, NULL), LP_OK);
	cbor_item_t *prot = s.protected_map;
	if (edit)
		prot = edit(prot);
	lp_buf out = { 0 };
	cr_assert_eq(lp_sign1_create_ed25519(prot, NULL, s.payload, lp_view_of(NULL, 0), sk, &out), LP_OK);
	lp_sign1_free(&s);
	return out;
}

Test(cli_verifier, holder_binding)
{
	employer_setup(true);
	lp_buf c = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	lp_buf x = resign(lp_buf_view(&p), h2.sk, NULL); /* someone else's key */
	char *t = to_text(lp_buf_view(&x));
	expect_invalid(t, "holder_binding", "presented with another key than the credential's");
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
	lp_buf_free(&x);
}

static lp_buf other_disclosure;

/* Put other_disclosure in place of the first disclosure of the kcwt. */
static cbor_item_t *swap_disclosure(cbor_item_t *prot)
{
	cbor_item_t *kcwt = lp_cbor_map_get_int(prot, LP_HDR_KCWT);
	cr_assert_not_null(kcwt);
	cbor_item_t *arr = cbor_tag_item(kcwt);
	cbor_item_t *unprot = cbor_array_get(arr, 1);
	cbor_item_t *sd = lp_cbor_map_get_int(unprot, LP_HDR_SD_CLAIMS);
	cr_assert(sd && cbor_array_size(sd) > 0);
	cbor_item_t *nb = cbor_build_bytestring(other_disclosure.ptr, other_disclosure.len);
	cr_assert(cbor_array_replace(sd, 0, nb));
	cbor_decref(&nb);
	cbor_decref(&unprot);
	cbor_decref(&arr);
	return prot;
}

Test(cli_verifier, disclosure_from_another_credential)
{
	employer_setup(true);
	lp_buf c1 = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf c2 = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 6, &h1);
	/* the first disclosure of credential 2 */
	lp_sign1 s2;
	cr_assert_eq(lp_sign1_parse(lp_buf_view(&c2), true, &s2, NULL), LP_OK);
	cbor_item_t *sd = lp_cbor_map_get_int(s2.unprotected, LP_HDR_SD_CLAIMS);
	cr_assert_not_null(sd);
	cbor_item_t *d0 = cbor_array_get(sd, 0);
	cr_assert_eq(lp_buf_dup(&other_disclosure, cbor_bytestring_handle(d0), cbor_bytestring_length(d0)), LP_OK);
	cbor_decref(&d0);
	lp_sign1_free(&s2);
	lp_buf p = present_bytes(lp_buf_view(&c1), WALKUP, NULL, &h1, T_AT - 60);
	/* the holder (who has the key) swaps it in and signs again */
	lp_buf x = resign(lp_buf_view(&p), h1.sk, swap_disclosure);
	char *t = to_text(lp_buf_view(&x));
	expect_invalid(t, "digest_mismatch", "a disclosure from another credential");
	free(t);
	lp_buf_free(&other_disclosure);
	lp_buf_free(&c1);
	lp_buf_free(&c2);
	lp_buf_free(&p);
	lp_buf_free(&x);
}

Test(cli_verifier, audience_and_age)
{
	employer_setup(true);
	lp_buf c = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), "https://other-employer.example", NULL, &h1, T_AT - 60);
	char *t = to_text(lp_buf_view(&p));
	expect_invalid(t, "audience", "made for another verifier");
	json_t *j = verify_json(t, 0, "--audience", "https://other-employer.example", NULL);
	json_decref(j);
	free(t);
	lp_buf_free(&p);
	/* made 30 minutes ago, --max-age 10 minutes */
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 1800);
	t = to_text(lp_buf_view(&p));
	j = verify_json(t, 1, "--max-age", "600", NULL);
	cr_assert(has_reason(j, "expired"));
	json_decref(j);
	free(t);
	lp_buf_free(&p);
	/* a presentation dated in the future */
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT + 86400);
	t = to_text(lp_buf_view(&p));
	expect_invalid(t, "not_yet_valid", "presented in the future");
	free(t);
	lp_buf_free(&p);
	lp_buf_free(&c);
}

/* ---- challenges: once only, expiry ------------------------------------------------------ */

static json_t *new_challenge(const char *at)
{
	lpt_run r = vf(NULL, "challenge", "--json", "--at", at, NULL);
	expect(r, 0, "challenge");
	json_t *j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.out);
	lpt_run_free(&r);
	return j;
}

static json_t *new_challenge_now(void)
{
	lpt_run r = vf(NULL, "challenge", "--json", NULL);
	expect(r, 0, "challenge");
	json_t *j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "%s", r.out);
	lpt_run_free(&r);
	return j;
}

Test(cli_verifier, challenge_once_only)
{
	employer_setup(true);
	json_t *ch = new_challenge(AT);
	const char *code = json_string_value(json_object_get(ch, "code"));
	const char *aud = json_string_value(json_object_get(ch, "audience"));
	cr_assert_eq(strlen(code), 12);
	cr_assert(strncmp(aud, "leerpas-verifier:", 17) == 0, "%s", aud);
	lp_buf c = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), aud, code, &h1, T_AT - 10);
	char *t = to_text(lp_buf_view(&p));
	/* a forged answer (another holder key) is refused and does not use up the challenge */
	lp_buf forged = resign(lp_buf_view(&p), h2.sk, NULL);
	char *ft = to_text(lp_buf_view(&forged));
	json_t *j = verify_json(ft, 1, NULL);
	cr_assert(has_reason(j, "holder_binding"));
	json_decref(j);
	free(ft);
	lp_buf_free(&forged);
	j = verify_json(t, 0, NULL);
	cr_assert(json_is_true(json_object_get(json_object_get(j, "replay_protection"), "prevented")));
	json_decref(j);
	/* the same presentation again: the challenge was used */
	j = verify_json(t, 1, NULL);
	cr_assert(has_reason(j, "challenge"));
	json_decref(j);
	free(t);
	lp_buf_free(&p);

	/* --challenge names the expected one; answering another is refused */
	json_t *ch2 = new_challenge(AT), *ch3 = new_challenge(AT);
	const char *code2 = json_string_value(json_object_get(ch2, "code"));
	const char *disp3 = json_string_value(json_object_get(ch3, "display"));
	p = present_bytes(lp_buf_view(&c), aud, code2, &h1, T_AT - 10);
	t = to_text(lp_buf_view(&p));
	j = verify_json(t, 1, "--challenge", disp3, NULL);
	cr_assert(has_reason(j, "challenge"), "answers challenge 2, not 3");
	json_decref(j);
	j = verify_json(t, 0, "--challenge", json_string_value(json_object_get(ch2, "display")), NULL);
	json_decref(j);
	/* typed in lower case with dashes by the learner: still the same challenge */
	json_t *ch5 = new_challenge(AT);
	char low[32];
	snprintf(low, sizeof low, "%s", json_string_value(json_object_get(ch5, "display")));
	for (char *q = low; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	lp_buf p5 = present_bytes(lp_buf_view(&c), aud, low, &h1, T_AT - 10);
	char *t5 = to_text(lp_buf_view(&p5));
	j = verify_json(t5, 0, NULL);
	cr_assert(json_is_true(json_object_get(json_object_get(j, "replay_protection"), "prevented")));
	json_decref(j);
	free(t5);
	lp_buf_free(&p5);
	json_decref(ch5);
	j = verify_json(t, 1, "--challenge", code2, NULL);
	cr_assert(has_reason(j, "challenge"), "used once already");
	json_decref(j);
	free(t);
	lp_buf_free(&p);
	json_decref(ch2);
	json_decref(ch3);
	/* a challenge for an audience of the employer's choosing */
	lpt_run r = vf(NULL, "challenge", "--json", "--at", AT, "--audience", "https://acme.example/hr", NULL);
	expect(r, 0, "challenge --audience");
	json_t *ch4 = json_loads(r.out, 0, NULL);
	lpt_run_free(&r);
	p = present_bytes(lp_buf_view(&c), "https://acme.example/hr",
			  json_string_value(json_object_get(ch4, "code")), &h1, T_AT - 10);
	t = to_text(lp_buf_view(&p));
	j = verify_json(t, 0, NULL);
	cr_assert(json_is_true(json_object_get(json_object_get(j, "replay_protection"), "prevented")));
	json_decref(j);
	free(t);
	lp_buf_free(&p);
	json_decref(ch4);
	lp_buf_free(&c);
	json_decref(ch);
}

Test(cli_verifier, challenge_expires)
{
	employer_setup(true);
	json_t *ch = new_challenge("1799541000"); /* T_AT - 1800: expired by T_AT (ttl 600) */
	const char *code = json_string_value(json_object_get(ch, "code"));
	const char *aud = json_string_value(json_object_get(ch, "audience"));
	lp_buf c = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), aud, code, &h1, T_AT - 10);
	char *t = to_text(lp_buf_view(&p));
	json_t *j = verify_json(t, 1, "--challenge", code, NULL);
	cr_assert(has_reason(j, "challenge"));
	json_decref(j);
	j = verify_json(t, 1, NULL);
	cr_assert(has_reason(j, "challenge"), "expired challenges are forgotten");
	json_decref(j);
	free(t);
	lp_buf_free(&p);
	lp_buf_free(&c);
	json_decref(ch);
	/* the QR code of a challenge */
	char *png = path("challenge.png");
	lpt_run r = vf(NULL, "challenge", "--qr-png", png, "--qr-terminal", NULL);
	expect(r, 0, "challenge with QR");
	cr_assert(strstr(r.out, "Challenge code:") != NULL);
	lpt_run_free(&r);
	char *cmd = lpt_fmt("zbarimg -q --raw '%s' 2>/dev/null", png);
	FILE *f = popen(cmd, "r");
	char line[512] = "";
	cr_assert(f && fgets(line, sizeof line, f));
	pclose(f);
	cr_assert(strncmp(line, "LPC1:", 5) == 0, "%s", line);
	free(cmd);
	free(png);
}

/* ---- transport-level bad input ------------------------------------------------------------ */

static char *lp1_of(const uint8_t *p, size_t n)
{
	return to_text(lp_view_of(p, n));
}

Test(cli_verifier, bad_text_inputs)
{
	employer_setup(true);
	char *t = walkup(5);
	size_t n = strlen(t);
	/* a wrong prefix */
	char *w = strdup(t);
	w[2] = '2';
	expect_invalid(w, "prefix", "LP2: prefix");
	free(w);
	/* characters outside base45 */
	w = strdup(t);
	w[10] = 'a';
	expect_invalid(w, "base45", "lowercase letter");
	free(w);
	/* truncated */
	w = strndup(t, n - 7);
	json_t *j = verify_json(w, 1, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "INVALID");
	json_decref(j);
	free(w);
	/* every single changed character of the text is refused */
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	for (size_t i = 4; i < n; i += n / 12) {
		w = strdup(t);
		w[i] = alphabet[(strchr(alphabet, w[i]) - alphabet + 1) % 45];
		j = verify_json(w, 1, NULL);
		cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "INVALID", "char %zu", i);
		json_decref(j);
		free(w);
	}
	free(t);
	/* a zlib bomb: 8 MiB of zeros */
	size_t big = 8u << 20;
	uint8_t *zeros = calloc(big, 1);
	t = lp1_of(zeros, big);
	cr_assert_lt(strlen(t), 40000);
	expect_invalid(t, "too_large", "zlib bomb");
	free(t);
	free(zeros);
	/* CBOR nesting a million levels deep (inflates beyond the limit) and
	 * 60000 levels (within it: refused by the CBOR depth limit) */
	size_t deep = 1000000;
	uint8_t *nest = malloc(deep);
	memset(nest, 0x81, deep - 1);
	nest[deep - 1] = 0;
	t = lp1_of(nest, deep);
	expect_invalid(t, "too_large", "a million levels");
	free(t);
	t = lp1_of(nest + deep - 60000, 60000);
	expect_invalid(t, "cbor_depth", "60000 levels");
	free(t);
	free(nest);
	/* empty input */
	lpt_run r = vf("", "verify", NULL);
	cr_assert_eq(r.status, 1);
	lpt_run_free(&r);
}

/* Every file in test-vectors/negative/ is INVALID with the reason its name
 * starts with (see its README.md). */
Test(cli_verifier, negative_vectors)
{
	employer_setup(true);
	char *list_cmd = lpt_fmt("ls '%s/test-vectors/negative/' | grep '\\.txt$'", LP_SOURCE_DIR);
	FILE *f = popen(list_cmd, "r");
	cr_assert_not_null(f);
	char name[256];
	int count = 0;
	while (fgets(name, sizeof name, f)) {
		name[strcspn(name, "\n")] = 0;
		char *rel = lpt_fmt("test-vectors/negative/%s", name);
		uint8_t *txt = th_read_src(rel, NULL);
		char code[256];
		snprintf(code, sizeof code, "%s", name);
		*strstr(code, "--") = 0; /* "<reason>--<what>.txt" */
		json_t *j = verify_json((const char *)txt, 1, NULL);
		char *s = json_dumps(j, 0);
		cr_assert(has_reason(j, code), "%s: want %s, got %s", name, code, s);
		free(s);
		json_decref(j);
		free(txt);
		free(rel);
		count++;
	}
	pclose(f);
	free(list_cmd);
	cr_assert_geq(count, 8, "negative vectors found: %d", count);
}

/* ---- images ----------------------------------------------------------------------------------- */

static char *png_of(const char *text, const char *name, unsigned scale)
{
	lp_qr q;
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)text, strlen(text)), LP_QR_ECC_M, &q), LP_OK);
	lp_buf png = { 0 };
	cr_assert_eq(lp_qr_to_png(&q, scale, &png), LP_OK);
	char *p = path(name);
	lpt_write_file(p, png.ptr, png.len);
	lp_buf_free(&png);
	lp_qr_free(&q);
	return p;
}

static void run_sh(const char *cmd)
{
	int rc = system(cmd);
	cr_assert_eq(rc, 0, "%s", cmd);
}

Test(cli_verifier, images)
{
	employer_setup(true);
	char *t = walkup(5);
	char *png = png_of(t, "pres.png", 4);
	/* zbarimg reads back the exact text */
	char *cmd = lpt_fmt("zbarimg -q --raw '%s' > '%s/zbar.txt' 2>/dev/null", png, dir);
	run_sh(cmd);
	free(cmd);
	char *zt = path("zbar.txt");
	char *read = lpt_read_file(zt, NULL);
	read[strcspn(read, "\n")] = 0;
	cr_assert_str_eq(read, t);
	free(read);
	free(zt);
	lpt_run r = vf(NULL, "verify", "--image", png, "--at", AT, NULL);
	expect(r, 0, "verify --image PNG");
	cr_assert(strncmp(r.out, "VALID", 5) == 0);
	lpt_run_free(&r);
	/* scaled down, with noise, and as JPEG */
	char *small = path("small-noisy.png"), *jpg = path("photo.jpg");
	cmd = lpt_fmt("convert '%s' -resize 70%% -attenuate 0.4 +noise Gaussian '%s' && "
		      "convert '%s' -resize 80%% -quality 85 '%s'", png, small, png, jpg);
	run_sh(cmd);
	free(cmd);
	r = vf(NULL, "verify", "--image", small, "--at", AT, NULL);
	expect(r, 0, "scaled and noisy PNG");
	lpt_run_free(&r);
	r = vf(NULL, "verify", "--image", jpg, "--at", AT, NULL);
	expect(r, 0, "JPEG");
	lpt_run_free(&r);
	/* a revoked credential in an image is INVALID too */
	char *t7 = walkup(7);
	char *png7 = png_of(t7, "revoked.png", 4);
	r = vf(NULL, "verify", "--image", png7, "--at", AT, "--json", NULL);
	expect(r, 1, "revoked from image");
	cr_assert(strstr(r.out, "\"revoked\"") != NULL);
	lpt_run_free(&r);
	/* several different leerpas QR codes side by side */
	char *both = path("both.png");
	cmd = lpt_fmt("convert '%s' '%s' +append '%s'", png, png7, both);
	run_sh(cmd);
	free(cmd);
	r = vf(NULL, "verify", "--image", both, "--at", AT, "--json", NULL);
	expect(r, 1, "several QR codes");
	cr_assert(strstr(r.out, "several_qr") != NULL, "%s", r.out);
	lpt_run_free(&r);
	/* a QR code of another kind */
	char *url = png_of("https://example.com/menu", "url.png", 4);
	r = vf(NULL, "verify", "--image", url, "--json", NULL);
	expect(r, 1, "another kind of QR");
	cr_assert(strstr(r.out, "not_leerpas") != NULL, "%s", r.out);
	lpt_run_free(&r);
	/* no QR code at all */
	char *blank = path("blank.png");
	cmd = lpt_fmt("convert -size 300x300 xc:white '%s'", blank);
	run_sh(cmd);
	free(cmd);
	r = vf(NULL, "verify", "--image", blank, "--json", NULL);
	expect(r, 1, "no QR");
	cr_assert(strstr(r.out, "no_qr") != NULL, "%s", r.out);
	lpt_run_free(&r);
	/* not an image */
	char *notimg = path("anchor.json");
	r = vf(NULL, "verify", "--image", notimg, NULL);
	expect(r, 2, "not an image file");
	cr_assert(strstr(r.err, "PNG or JPEG") != NULL, "%s", r.err);
	lpt_run_free(&r);
	char *missing = path("missing.png");
	r = vf(NULL, "verify", "--image", missing, NULL);
	expect(r, 2, "missing file");
	lpt_run_free(&r);
	free(missing);
	free(notimg);
	free(blank);
	free(url);
	free(both);
	free(png7);
	free(t7);
	free(small);
	free(jpg);
	free(png);
	free(t);
}

/* ---- the trust store commands ------------------------------------------------------------- */

Test(cli_verifier, trust_commands)
{
	char *li = path("list.cose"), *forged = path("list-forged.cose"), *an = path("anchor.json"),
	     *dd = path("d.json");
	lpt_run r = vf(NULL, "trust", "import", li, NULL);
	expect(r, 1, "a list before its anchor");
	cr_assert(strstr(r.err, "anchor add") != NULL, "says what to do: %s", r.err);
	lpt_run_free(&r);
	r = vf(NULL, "trust", "anchor", "add", an, NULL);
	expect(r, 0, "anchor add");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "import", forged, NULL);
	expect(r, 1, "a school added after signing");
	cr_assert(strstr(r.err, "signature") != NULL, "%s", r.err);
	lpt_run_free(&r);
	r = vf(NULL, "trust", "list", "--json", NULL);
	expect(r, 0, "trust list");
	cr_assert(strstr(r.out, "evil") == NULL, "the forged list left no trace");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "import", li, NULL);
	expect(r, 0, "the real list");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "pin", dd, NULL);
	expect(r, 0, "pin");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "list", NULL);
	expect(r, 0, "trust list");
	cr_assert(strstr(r.out, "ROC A") && strstr(r.out, "HBO B") && strstr(r.out, "Training D"), "%s", r.out);
	cr_assert(strstr(r.out, "pinned") != NULL);
	lpt_run_free(&r);
	/* a credential from the pinned school verifies */
	lp_buf c = cred(D_ID, "d1", &d_, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	char *t = to_text(lp_buf_view(&p));
	r = vf(t, "verify", "--at", AT, NULL);
	expect(r, 0, "pinned school");
	cr_assert(strstr(r.out, "pinned") != NULL);
	lpt_run_free(&r);
	/* bad files */
	r = vf(NULL, "trust", "pin", an, NULL);
	expect(r, 2, "an anchor file is no issuer description");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "anchor", "add", dd, NULL);
	expect(r, 2, "an issuer description is no anchor file");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "frobnicate", NULL);
	expect(r, 2, "unknown trust command");
	lpt_run_free(&r);
	free(t);
	lp_buf_free(&c);
	lp_buf_free(&p);
	free(li);
	free(forged);
	free(an);
	free(dd);
}

Test(cli_verifier, default_store_under_xdg_data_home)
{
	char *an = path("anchor.json");
	char *env0 = lpt_fmt("XDG_DATA_HOME=%s/xdg", dir);
	const char *env[] = { env0, NULL };
	const char *argv[] = { VF, "trust", "anchor", "add", an, NULL };
	lpt_run r = lpt_runv(NULL, env, argv);
	expect(r, 0, "anchor add into the default store");
	lpt_run_free(&r);
	char *p = lpt_fmt("%s/xdg/leerpas/verifier/anchors", dir);
	struct stat sb;
	cr_assert_eq(stat(p, &sb), 0, "store made under XDG_DATA_HOME");
	cr_assert_eq(sb.st_mode & 0777, 0700);
	free(p);
	free(env0);
	free(an);
}

/* ---- inspect ---------------------------------------------------------------------------------- */

Test(cli_verifier, inspect_draft_kbt_with_draft_keys)
{
	char *kbt = lpt_fmt("%s/test-vectors/sd-cwt-es/kbt.cbor", LP_SOURCE_DIR);
	char *hk = lpt_fmt("%s/test-vectors/sd-cwt-es/holder_privkey.pem", LP_SOURCE_DIR);
	char *ik = lpt_fmt("%s/test-vectors/sd-cwt-es/issuer_privkey.pem", LP_SOURCE_DIR);
	lpt_run r = vf(NULL, "inspect", kbt, "--key", hk, "--key", ik, NULL);
	expect(r, 0, "inspect kbt.cbor");
	cr_assert(strstr(r.out, "SD-KBT") != NULL);
	cr_assert(strstr(r.out, "16: 294") != NULL, "diagnostic notation shown");
	cr_assert(strstr(r.out, "(ES256): verified with") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "(ES384): verified with") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "No trust decision") != NULL);
	lpt_run_free(&r);
	r = vf(NULL, "inspect", kbt, "--key", ik, "--json", NULL);
	expect(r, 1, "only the issuer key: the holder signature does not verify");
	json_t *j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j);
	cr_assert(json_is_false(json_object_get(json_array_get(json_object_get(j, "signatures"), 0), "verified")));
	cr_assert(json_is_true(json_object_get(json_array_get(json_object_get(j, "signatures"), 1), "verified")));
	json_decref(j);
	lpt_run_free(&r);
	free(kbt);
	free(hk);
	free(ik);
}

Test(cli_verifier, inspect_forms)
{
	char *t = walkup(5);
	lpt_run r = vf(NULL, "inspect", t, NULL);
	expect(r, 0, "inspect LP1 text");
	cr_assert(strstr(r.out, "LP1: text") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "not checked") != NULL);
	lpt_run_free(&r);
	r = vf(NULL, "inspect", "a2016363616263", NULL); /* hex of {1: "cab"}? */
	cr_assert(r.status == 0 || r.status == 2);
	lpt_run_free(&r);
	r = vf("a10163616263", "inspect", "-", "--json", NULL);
	expect(r, 0, "inspect hex from stdin");
	cr_assert(strstr(r.out, "\"1\": \"abc\"") != NULL, "%s", r.out);
	lpt_run_free(&r);
	r = vf(NULL, "inspect", "HC1:NCFOXN%TS3DH", NULL);
	cr_assert_eq(r.status, 2, "a damaged HC1 text is an error, not a crash");
	cr_assert(strstr(r.err, "HC1:") != NULL, "%s", r.err);
	lpt_run_free(&r);
	r = vf(NULL, "inspect", "ffff", NULL);
	expect(r, 2, "not CBOR");
	lpt_run_free(&r);
	free(t);
}

Test(cli_verifier, usage_errors)
{
	lpt_run r = vf(NULL, "verify", "--frobnicate", NULL);
	expect(r, 2, "unknown option");
	lpt_run_free(&r);
	r = vf(NULL, "verify", "LP1:X", "--at", "yesterday", NULL);
	expect(r, 2, "bad --at");
	lpt_run_free(&r);
	r = vf(NULL, "verify", "LP1:X", "--challenge", "short", NULL);
	expect(r, 2, "bad challenge code");
	lpt_run_free(&r);
	r = vf(NULL, "verify", "--help", NULL);
	expect(r, 0, "help");
	cr_assert(strstr(r.out, "usage:") != NULL);
	lpt_run_free(&r);
	const char *argv[] = { VF, NULL };
	r = lpt_runv(NULL, NULL, argv);
	expect(r, 2, "no command");
	lpt_run_free(&r);
}

/* ---- with the real programs: issuer, accreditation body, wallet, verifier ---------------- */

static void ok_run(const char *what, const char *in, ...) __attribute__((sentinel));
static void ok_run(const char *what, const char *in, ...)
{
	const char *argv[40];
	size_t n = 0;
	va_list ap;
	va_start(ap, in);
	for (const char *a = va_arg(ap, const char *); a && n < 39; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	lpt_run r = lpt_runv(in, NULL, argv);
	expect(r, 0, what);
	lpt_run_free(&r);
}

Test(cli_verifier, end_to_end_with_issuer_and_wallet_programs, .timeout = 300)
{
	char *pass = path("pass"), *sd = path("school"), *ad = path("anchor"), *w = path("wallet.lpw");
	lpt_write_file(pass, "correct horse battery staple\n", 29);
	char *tmpl = lpt_fmt("%s/examples/templates/microcredential.json", LP_SOURCE_DIR);
	char *learner = lpt_fmt("%s/examples/learner.json", LP_SOURCE_DIR);
	char *iss = path("issuer.json"), *list = path("e2e-list.cose"), *req = path("req.cbor"),
	     *cr = path("cred.cwt"), *st = path("e2e-status.cwt"), *png = path("e2e.png"),
	     *anchor_file = lpt_fmt("%s/anchor/anchor.json", dir);
	const char *ID = "https://hogeschool-domstad.example";
	ok_run("issuer init", NULL, "leerpas-issuer", "init", "--dir", sd, "--id", ID, "--name",
	       "Hogeschool Domstad", "--passphrase-file", pass, "--kdf-memory", "8", "--kdf-passes", "1", NULL);
	ok_run("template add", NULL, "leerpas-issuer", "template", "add", "--dir", sd, tmpl, "--name", "micro", NULL);
	ok_run("export", NULL, "leerpas-issuer", "export", "--dir", sd, "--out", iss, NULL);
	ok_run("trustlist init", NULL, "leerpas-issuer", "trustlist", "init", "--dir", ad, "--id",
	       "https://anchor.example", "--name", "Anchor", "--passphrase-file", pass, "--kdf-memory", "8",
	       "--kdf-passes", "1", NULL);
	ok_run("trustlist add", NULL, "leerpas-issuer", "trustlist", "add", "--dir", ad, iss, "--from",
	       "2020-01-01", NULL);
	ok_run("trustlist sign", NULL, "leerpas-issuer", "trustlist", "sign", "--dir", ad, "--out", list,
	       "--passphrase-file", pass, NULL);
	ok_run("wallet init", NULL, "leerpas-wallet", "init", "--wallet", w, "--passphrase-file", pass,
	       "--kdf-ops", "1", "--kdf-mem-mib", "8", NULL);
	ok_run("wallet request", NULL, "leerpas-wallet", "request", "--issuer", ID, "--out", req, "--wallet", w,
	       "--passphrase-file", pass, NULL);
	ok_run("issue", NULL, "leerpas-issuer", "issue", "--dir", sd, "--template", "micro", "--claims", learner,
	       "--request", req, "--out", cr, "--passphrase-file", pass, NULL);
	ok_run("wallet import", NULL, "leerpas-wallet", "import", cr, "--id", "mc", "--issuer-key", iss,
	       "--wallet", w, "--passphrase-file", pass, NULL);
	ok_run("present", NULL, "leerpas-wallet", "present", "mc", "--show", "fullName", "--qr-png", png,
	       "--yes", "--wallet", w, "--passphrase-file", pass, NULL);
	ok_run("status publish", NULL, "leerpas-issuer", "status", "publish", "--dir", sd, "--out", st,
	       "--passphrase-file", pass, NULL);

	lpt_run r = vf(NULL, "trust", "anchor", "add", anchor_file, NULL);
	expect(r, 0, "anchor add (the anchor file the issuer program wrote)");
	lpt_run_free(&r);
	r = vf(NULL, "trust", "import", list, NULL);
	expect(r, 0, "import the list the issuer program signed");
	lpt_run_free(&r);
	r = vf(NULL, "status", "import", st, NULL);
	expect(r, 0, "import the status list the issuer program published");
	lpt_run_free(&r);
	r = vf(NULL, "verify", "--image", png, "--json", NULL);
	expect(r, 0, "verify the wallet's PNG");
	json_t *j = json_loads(r.out, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "claims"), "fullName")), "Eva de Vries");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "claims"), "title")), "Data-analyse met Python");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "status"), "state")), "valid");
	json_decref(j);
	lpt_run_free(&r);

	/* the wallet's PNG is zbarimg-readable, and still verifies scaled down with noise */
	char *cmd = lpt_fmt("zbarimg -q --raw '%s' 2>/dev/null | grep -q '^LP1:' && "
			    "convert '%s' -resize 60%% -attenuate 0.5 +noise Gaussian '%s/e2e-noisy.png'",
			    png, png, dir);
	run_sh(cmd);
	free(cmd);
	char *noisy = path("e2e-noisy.png");
	r = vf(NULL, "verify", "--image", noisy, NULL);
	expect(r, 0, "the wallet's PNG scaled to 60% with noise");
	lpt_run_free(&r);
	free(noisy);

	/* with a challenge, answered by the wallet */
	json_t *ch = new_challenge_now();
	r = lpt_run_args(NULL, "leerpas-wallet", "present", "mc", "--show", "none", "--audience",
			 json_string_value(json_object_get(ch, "audience")), "--challenge",
			 json_string_value(json_object_get(ch, "code")), "--text", "--yes", "--wallet", w,
			 "--passphrase-file", pass, NULL);
	expect(r, 0, "present for a challenge");
	char *text = strdup(r.out);
	lpt_run_free(&r);
	r = vf(text, "verify", "--json", NULL);
	expect(r, 0, "the challenged presentation");
	cr_assert(strstr(r.out, "\"prevented\": true") != NULL, "%s", r.out);
	lpt_run_free(&r);
	r = vf(text, "verify", "--json", NULL);
	expect(r, 1, "replayed");
	cr_assert(strstr(r.out, "\"challenge\"") != NULL, "%s", r.out);
	lpt_run_free(&r);
	free(text);
	json_decref(ch);

	/* revoked by the school: after the new status list, INVALID */
	r = lpt_run_args(NULL, "leerpas-issuer", "list", "--dir", sd, "--json", NULL);
	expect(r, 0, "issuer list");
	json_t *l = json_loads(r.out, 0, NULL);
	cr_assert_not_null(l, "%s", r.out);
	lpt_run_free(&r);
	json_t *first = json_is_array(l) ? json_array_get(l, 0)
					 : json_array_get(json_object_get(l, "credentials"), 0);
	const char *cti = json_string_value(json_object_get(first, "cti"));
	cr_assert_not_null(cti, "a cti in the register listing");
	ok_run("revoke", NULL, "leerpas-issuer", "revoke", "--dir", sd, cti, "--reason", "test", NULL);
	json_decref(l);
	ok_run("status publish", NULL, "leerpas-issuer", "status", "publish", "--dir", sd, "--out", st,
	       "--passphrase-file", pass, NULL);
	r = vf(NULL, "status", "import", st, NULL);
	expect(r, 0, "import the new status list");
	lpt_run_free(&r);
	r = vf(NULL, "verify", "--image", png, "--json", NULL);
	expect(r, 1, "a revoked credential");
	cr_assert(strstr(r.out, "\"revoked\"") != NULL, "%s", r.out);
	lpt_run_free(&r);
	char *all[] = { pass, sd, ad, w, tmpl, learner, iss, list, req, cr, st, png, anchor_file };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		free(all[i]);
}

Test(cli_verifier, status_list_command_and_rollback)
{
	employer_setup(true);
	lpt_run r = vf(NULL, "status", "list", "--json", "--at", AT, NULL);
	expect(r, 0, "status list");
	json_t *j = json_loads(r.out, 0, NULL);
	json_t *e = json_array_get(json_object_get(j, "status_lists"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(e, "uri")), STATUS_URI);
	cr_assert_str_eq(json_string_value(json_object_get(e, "issuer")), A_ID);
	cr_assert_eq(json_integer_value(json_object_get(e, "age_seconds")), 3600);
	cr_assert_str_eq(json_string_value(json_object_get(e, "freshness")), "fresh");
	json_decref(j);
	lpt_run_free(&r);
	/* an older list for the same URI is refused (no rollback to before a revocation) */
	lp_status_list sl;
	cr_assert_eq(lp_status_list_create(&sl, 1000, 2), LP_OK);
	lp_status_token_params sp = { .uri = STATUS_URI, .iat = T_ISSUE - 86400, .exp = T_ISSUE + 86400,
				      .ttl = 86400, .kid = (const uint8_t *)"a2", .kid_len = 2 };
	lp_buf tok = { 0 };
	cr_assert_eq(lp_status_token_sign(&sl, &sp, a2.sk, &tok), LP_OK);
	write_buf("status-old.cwt", lp_buf_view(&tok));
	char *old = path("status-old.cwt");
	r = vf(NULL, "status", "import", old, "--at", AT, NULL);
	expect(r, 1, "older status list");
	cr_assert(strstr(r.err, "older") != NULL, "%s", r.err);
	lpt_run_free(&r);
	char *t = walkup(7);
	expect_invalid(t, "revoked", "the newer list still decides");
	free(t);
	free(old);
	lp_buf_free(&tok);
	lp_status_list_free(&sl);
}

Test(cli_verifier, merged_school_credential_decades_later)
{
	/* C merged into E in 2026; E is pinned with C as its predecessor. A
	 * 2025 credential of C verifies in 2046. */
	lp_buf dc = desc("https://roc-c.example", "ROC C", "c1", &b, Y2026, NULL, NULL);
	lp_pubkey ek;
	lp_pubkey_ed25519(&ek, d_.pk);
	lp_issuer_key_entry keys[] = { { "e1", &ek, Y2026, 0 } };
	lp_view preds[] = { lp_buf_view(&dc) };
	lp_issuer_desc_params p = { .id = "https://roc-e.example", .name = "ROC E", .country = "NL",
				    .keys = keys, .n_keys = 1, .predecessors = preds, .n_predecessors = 1 };
	lp_buf de = { 0 };
	cr_assert_eq(lp_issuer_desc_write(&p, &de), LP_OK);
	write_buf("e.json", lp_buf_view(&de));
	char *ef = path("e.json");
	lpt_run r = vf(NULL, "trust", "pin", ef, NULL);
	expect(r, 0, "pin the merged school");
	lpt_run_free(&r);
	lp_buf c = cred("https://roc-c.example", "c1", &b, DIPLOMA, Y2026 - 180 * 86400, 5, &h1);
	lp_buf pr = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, 2398377600 - 60);
	char *t = to_text(lp_buf_view(&pr));
	r = vf(t, "verify", "--at", "2046-01-01", NULL);
	expect(r, 0, "a credential of the merged school in 2046");
	cr_assert(strstr(r.out, "Now part of:") && strstr(r.out, "https://roc-e.example"), "%s", r.out);
	lpt_run_free(&r);
	free(t);
	lp_buf_free(&pr);
	lp_buf_free(&c);
	/* issued by C after the merger: its key had ended */
	c = cred("https://roc-c.example", "c1", &b, DIPLOMA, Y2026 + 86400, 5, &h1);
	pr = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, 2398377600 - 60);
	t = to_text(lp_buf_view(&pr));
	r = vf(t, "verify", "--at", "2046-01-01", "--json", NULL);
	expect(r, 1, "C's key used after the merger");
	cr_assert(strstr(r.out, "key_period") != NULL, "%s", r.out);
	lpt_run_free(&r);
	free(t);
	lp_buf_free(&pr);
	lp_buf_free(&c);
	free(ef);
	lp_buf_free(&de);
	lp_buf_free(&dc);
}

Test(cli_verifier, forged_signature_time_order_and_expiry)
{
	employer_setup(true);
	/* A's kid, but signed by another key */
	lp_buf c = cred(A_ID, "a2", &evil, DIPLOMA, T_ISSUE, 5, &h1);
	lp_buf p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_AT - 60);
	char *t = to_text(lp_buf_view(&p));
	expect_invalid(t, "signature", "issuer signature by a key not A's");
	free(t);
	lp_buf_free(&p);
	/* a presentation dated before the credential was issued */
	lp_buf_free(&c);
	c = cred(A_ID, "a2", &a2, DIPLOMA, T_ISSUE, 5, &h1);
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_ISSUE - 3600);
	t = to_text(lp_buf_view(&p));
	expect_invalid(t, "time_order", "presented before it was issued");
	free(t);
	lp_buf_free(&p);
	lp_buf_free(&c);
	/* an expired credential */
	lp_pubkey hp;
	lp_pubkey_ed25519(&hp, h1.pk);
	lp_sdcwt_issue_params ip;
	lp_sdcwt_issue_params_init(&ip);
	ip.iss = A_ID;
	ip.kid = (const uint8_t *)"a2";
	ip.kid_len = 2;
	ip.vct = MICRO;
	ip.iat = T_ISSUE - 86400;
	ip.has_exp = true;
	ip.exp = T_ISSUE;
	ip.holder = &hp;
	ip.claims_json = claims;
	ip.claims_json_len = strlen(claims);
	cr_assert_eq(lp_sdcwt_issue(&ip, a2.sk, &c, NULL, NULL), LP_OK);
	p = present_bytes(lp_buf_view(&c), WALKUP, NULL, &h1, T_ISSUE - 60);
	t = to_text(lp_buf_view(&p));
	expect_invalid(t, "expired", "credential past its exp");
	free(t);
	lp_buf_free(&p);
	lp_buf_free(&c);
}
