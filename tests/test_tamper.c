/* Tampering: for a valid presentation of a microcredential and of a diploma
 * (issued and presented with the real library code), every single-byte
 * change, every truncation and every one-byte extension or insertion is
 * rejected, never VALID and never with claims shown; the same at the LP1
 * text level, where only changes that decode to the very same bytes pass;
 * and changes at every (diploma) or every 4th (microcredential) byte
 * position, truncations and extensions through the leerpas-verifier
 * program (exit 1, no VALID, no claims printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "helper.h"
#include "helper_harden.h"
#include "leerpas/codec.h"
#include "leerpas/sdcwt.h"

/* The normal build tries every value at every position. The ASan+UBSan
 * build, whose purpose is memory safety on these paths and which runs the
 * same code several times slower, tries a representative set per position:
 * each single-bit flip, 0x00, 0xff, +1, -1 and the CBOR major-type heads. */
#if defined(__SANITIZE_ADDRESS__)
#define TAMPER_ALL_VALUES 0
#else
#define TAMPER_ALL_VALUES 1
#endif

/* Whether value val replaces original byte orig in this build's sweep. */
static bool sweep_value(uint8_t orig, unsigned val)
{
	if (val == orig)
		return false;
	if (TAMPER_ALL_VALUES)
		return true;
	unsigned x = val ^ orig;
	if ((x & (x - 1)) == 0) /* one bit */
		return true;
	return val == 0x00 || val == 0xff || val == ((orig + 1u) & 0xffu) ||
	       val == ((orig + 255u) & 0xffu) || (val & 0x1f) == 0;
}

static uint8_t school_pk[32], school_sk[64], holder_pk[32], holder_sk[64];
static const uint8_t nonce[16] = "challenge-12345";

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	hh_keypair(0x51, school_pk, school_sk);
	hh_keypair(0x52, holder_pk, holder_sk);
	hh_random_install(7);
}

static void teardown(void)
{
	hh_random_restore();
}

TestSuite(tamper, .init = setup, .fini = teardown);

/* A valid presentation of type t, and a verifier that accepts it. The
 * microcredential shows two of its redactable claims and answers a
 * challenge; the diploma shows every redactable claim (the largest
 * presentation, so the most bytes to tamper with). */
static lp_buf make_presentation(hh_type t, hh_verifier *v)
{
	lp_buf cred = hh_issue(t, school_sk, holder_pk, HH_T0, t == HH_MICRO ? 17 : 18);
	lp_buf pres;
	hh_verifier_init(v, school_pk);
	if (t == HH_MICRO) {
		const char *show[] = { "fullName", "grade" };
		pres = hh_present(lp_buf_view(&cred), show, 2, holder_sk, HH_NOW - 10, nonce,
				  sizeof nonce);
		v->p.cnonce = nonce;
		v->p.cnonce_len = sizeof nonce;
	} else {
		const char *show[] = { "fullName", "dateOfBirth", "studentId", "grade" };
		pres = hh_present(lp_buf_view(&cred), show, 4, holder_sk, HH_NOW - 10, NULL, 0);
	}
	lp_buf_free(&cred);
	lp_err e;
	char *claims = NULL;
	cr_assert(hh_verify(v, lp_buf_view(&pres), false, &e, &claims), "untouched presentation: %s",
		  lp_err_code(e));
	cr_assert_not_null(claims);
	cr_assert_not_null(strstr(claims, "Sanne de Vries"), "%s", claims);
	free(claims);
	return pres;
}

/* Count of rejections by error, for the failure message and to see that
 * the checks are reached (not everything stops at one parser error). */
struct tally {
	size_t total;
	size_t by_err[400];
};

static void must_reject(hh_verifier *v, const uint8_t *p, size_t n, struct tally *t,
			const char *what, size_t pos, unsigned val)
{
	lp_err e = LP_OK;
	bool ok = hh_verify(v, lp_view_of(p, n), false, &e, NULL);
	cr_assert_not(ok, "%s at %zu (value 0x%02x) was accepted", what, pos, val);
	t->total++;
	if ((unsigned)e < 400)
		t->by_err[e]++;
}

static void every_byte_changed(hh_type type)
{
	hh_verifier v;
	lp_buf pres = make_presentation(type, &v);
	uint8_t *m = malloc(pres.len);
	cr_assert_not_null(m);
	memcpy(m, pres.ptr, pres.len);
	struct tally t = { 0 };
	size_t want = 0;
	for (size_t i = 0; i < pres.len; i++) {
		for (unsigned val = 0; val < 256; val++) {
			if (!sweep_value(pres.ptr[i], val))
				continue;
			m[i] = (uint8_t)val;
			must_reject(&v, m, pres.len, &t, "byte change", i, val);
			want++;
		}
		m[i] = pres.ptr[i];
	}
	cr_assert_eq(t.total, want);
	if (TAMPER_ALL_VALUES)
		cr_assert_eq(t.total, pres.len * 255);
	/* The signature checks were reached, not only the parsers. */
	cr_assert_gt(t.by_err[LP_ERR_SIGNATURE] + t.by_err[LP_ERR_HOLDER_BINDING], 0);
	cr_log_info("%s: %zu bytes, %zu changes rejected (signature %zu, holder %zu, cbor %zu)",
		    type == HH_MICRO ? "microcredential" : "diploma", pres.len, t.total,
		    t.by_err[LP_ERR_SIGNATURE], t.by_err[LP_ERR_HOLDER_BINDING], t.by_err[LP_ERR_CBOR]);
	free(m);
	lp_buf_free(&pres);
	hh_verifier_free(&v);
}

Test(tamper, microcredential_every_byte_every_value)
{
	every_byte_changed(HH_MICRO);
}

Test(tamper, diploma_every_byte_every_value)
{
	every_byte_changed(HH_DIPLOMA);
}

static void truncations_and_extensions(hh_type type)
{
	hh_verifier v;
	lp_buf pres = make_presentation(type, &v);
	struct tally t = { 0 };
	uint8_t *m = malloc(pres.len + 1);
	cr_assert_not_null(m);
	/* Every truncation, down to nothing. */
	for (size_t n = 0; n < pres.len; n++)
		must_reject(&v, pres.ptr, n, &t, "truncation", n, 0);
	/* Every byte value appended. */
	memcpy(m, pres.ptr, pres.len);
	for (unsigned val = 0; val < 256; val++) {
		m[pres.len] = (uint8_t)val;
		must_reject(&v, m, pres.len + 1, &t, "extension", pres.len, val);
	}
	/* A byte inserted at every position, with values that open, close or
	 * fill CBOR items (0x00, a map, an array, a bstr, break, 0xff). */
	static const uint8_t ins[] = { 0x00, 0x40, 0x80, 0xa0, 0xf6, 0xff };
	for (size_t i = 0; i < pres.len; i++) {
		for (size_t k = 0; k < sizeof ins; k++) {
			memcpy(m, pres.ptr, i);
			m[i] = ins[k];
			memcpy(m + i + 1, pres.ptr + i, pres.len - i);
			must_reject(&v, m, pres.len + 1, &t, "insertion", i, ins[k]);
		}
	}
	cr_assert_eq(t.total, pres.len + 256 + pres.len * sizeof ins);
	free(m);
	lp_buf_free(&pres);
	hh_verifier_free(&v);
}

Test(tamper, microcredential_truncations_and_extensions)
{
	truncations_and_extensions(HH_MICRO);
}

Test(tamper, diploma_truncations_and_extensions)
{
	truncations_and_extensions(HH_DIPLOMA);
}

/* ---- the LP1 text ---------------------------------------------------------- */

/* A changed LP1 text is either refused (by the decoder or the verifier), or
 * decodes to exactly the original presentation bytes: the transport has
 * meaningless freedom (whitespace, CR/LF, the unused bits that pad deflate's
 * last byte), which cannot carry a different message. Returns 1 when it
 * decoded to the identical bytes, 0 when rejected. */
static int lp1_check(hh_verifier *v, const lp_buf *pres, const char *text, size_t len,
		     const char *what, size_t pos, unsigned val)
{
	lp_buf payload = { 0 };
	lp_diag d = { 0 };
	lp_err e = lp_qrtext_decode(lp_view_of((const uint8_t *)text, len), 0, &payload, &d);
	if (e != LP_OK) {
		cr_assert_null(payload.ptr);
		return 0;
	}
	bool same = payload.len == pres->len && memcmp(payload.ptr, pres->ptr, pres->len) == 0;
	lp_err ve = LP_OK;
	bool ok = hh_verify(v, lp_buf_view(&payload), false, &ve, NULL);
	lp_buf_free(&payload);
	cr_assert(!ok || same, "%s at %zu (0x%02x) decoded to different bytes and was accepted", what,
		  pos, val);
	return ok ? 1 : 0;
}

static void lp1_tamper(hh_type type)
{
	hh_verifier v;
	lp_buf pres = make_presentation(type, &v);
	lp_buf text = { 0 };
	cr_assert_eq(lp_qrtext_encode(lp_buf_view(&pres), &text), LP_OK);
	cr_assert_eq(memcmp(text.ptr, "LP1:", 4), 0);
	cr_assert_eq(lp1_check(&v, &pres, (const char *)text.ptr, text.len, "untouched", 0, 0), 1);

	char *m = malloc(text.len + 2);
	cr_assert_not_null(m);
	size_t same = 0, cases = 0;
	/* Every character replaced by every other byte value. */
	memcpy(m, text.ptr, text.len);
	for (size_t i = 0; i < text.len; i++) {
		for (unsigned val = 0; val < 256; val++) {
			if (val == text.ptr[i])
				continue;
			/* In the sanitizer build: the base45 alphabet (the changes
			 * that reach inflate and the verifier) and a few others. */
			if (!TAMPER_ALL_VALUES && !strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:\n", (int)val) &&
			    val != 0 && val != 'a' && val != 0xff)
				continue;
			m[i] = (char)val;
			same += (size_t)lp1_check(&v, &pres, m, text.len, "character change", i, val);
			cases++;
		}
		m[i] = (char)text.ptr[i];
	}
	/* Every truncation. */
	for (size_t n = 0; n < text.len; n++) {
		int r = lp1_check(&v, &pres, (const char *)text.ptr, n, "truncation", n, 0);
		cr_assert_eq(r, 0, "truncation to %zu characters accepted", n);
	}
	/* Every byte appended: only whitespace (ignored by design) decodes to
	 * the same presentation; everything else is refused. */
	for (unsigned val = 0; val < 256; val++) {
		m[text.len] = (char)val;
		int r = lp1_check(&v, &pres, m, text.len + 1, "extension", text.len, val);
		bool ws = val == ' ' || val == '\t' || val == '\n' || val == '\r' || val == '\v' ||
			  val == '\f';
		if (!ws)
			cr_assert_eq(r, 0, "extension by 0x%02x accepted", val);
	}
	cr_log_info("%s LP1 text: %zu characters, %zu changes, %zu decoded to the same bytes",
		    type == HH_MICRO ? "microcredential" : "diploma", text.len, cases, same);
	/* The harmless freedom is small: whitespace/CR/LF replacing nothing is
	 * impossible in the middle (it shifts the base45 groups), so only the
	 * deflate padding bits of the last data character remain. */
	cr_assert_lt(same, 64, "%zu changed texts decoded to the same presentation", same);
	free(m);
	lp_buf_free(&text);
	lp_buf_free(&pres);
	hh_verifier_free(&v);
}

Test(tamper, microcredential_lp1_text)
{
	lp1_tamper(HH_MICRO);
}

Test(tamper, diploma_lp1_text)
{
	lp1_tamper(HH_DIPLOMA);
}

/* ---- through the verifier program ------------------------------------------------ */

/* A verifier store that pins the school (as an employer who checked the
 * school's description by hand would). Returns the store path (owned). */
static char *verifier_store(char **tmp)
{
	*tmp = lpt_tmpdir();
	char *store = lpt_fmt("%s/store", *tmp), *desc = lpt_fmt("%s/school.json", *tmp);
	lp_buf d = hh_school_desc(school_pk, 1577836800, 0);
	lpt_write_file(desc, d.ptr, d.len);
	lp_buf_free(&d);
	lpt_run r = lpt_run_args(NULL, "leerpas-verifier", "trust", "pin", desc, "--store", store, NULL);
	cr_assert_eq(r.status, 0, "trust pin: %s", r.err);
	lpt_run_free(&r);
	free(desc);
	return store;
}

/* Run `verify` on one LP1 text; return the exit status, and check that a
 * refusal never prints VALID nor any of the learner's claims. */
static int program_verify(const char *store, const char *text, size_t len, const char *what,
			  size_t pos)
{
	char *in = malloc(len + 2);
	cr_assert_not_null(in);
	memcpy(in, text, len);
	in[len] = '\n';
	in[len + 1] = 0;
	char at[32];
	snprintf(at, sizeof at, "%lld", (long long)HH_NOW);
	/* Every 25th case also as JSON (the machine-readable verdict). */
	bool json = pos % 25 == 0;
	lpt_run r = lpt_run_args(in, "leerpas-verifier", "verify", "-", "--store", store, "--audience",
				 HH_AUD, "--at", at, json ? "--json" : NULL, NULL);
	int st = r.status;
	if (st != 0) {
		cr_assert_eq(st, 1, "%s at %zu: exit %d (expected 1): %s", what, pos, st, r.err);
		cr_assert_null(strstr(r.out, "\nVALID"), "%s at %zu", what, pos);
		cr_assert_neq(strncmp(r.out, "VALID", 5), 0, "%s at %zu: %s", what, pos, r.out);
		cr_assert_null(strstr(r.out, "Sanne"), "%s at %zu shows a claim: %s", what, pos, r.out);
		cr_assert_null(strstr(r.out, "2004-02-29"), "%s at %zu shows a claim", what, pos);
		if (json) {
			json_error_t je;
			json_t *j = json_loads(r.out, 0, &je);
			cr_assert_not_null(j, "%s at %zu: not JSON: %s", what, pos, r.out);
			cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "INVALID");
			const json_t *c = json_object_get(j, "claims");
			cr_assert(!c || json_object_size(c) == 0, "%s at %zu: claims in an INVALID verdict", what,
				  pos);
			cr_assert_gt(json_array_size(json_object_get(j, "reasons")), 0);
			json_decref(j);
		}
	}
	lpt_run_free(&r);
	free(in);
	return st;
}

static void program_tamper(hh_type type)
{
	lp_buf cred = hh_issue(type, school_sk, holder_pk, HH_T0, 30);
	const char *show[] = { "fullName", "dateOfBirth" };
	lp_buf pres = hh_present(lp_buf_view(&cred), show, 2, holder_sk, HH_NOW - 10, NULL, 0);
	char *tmp;
	char *store = verifier_store(&tmp);
	lp_buf text = { 0 };
	cr_assert_eq(lp_qrtext_encode(lp_buf_view(&pres), &text), LP_OK);
	cr_assert_eq(program_verify(store, (const char *)text.ptr, text.len, "untouched", 0), 0);
	uint8_t *m = malloc(pres.len + 1);
	cr_assert_not_null(m);
	size_t runs = 0;
	/* Every byte position changed for the diploma, every 4th for the
	 * microcredential (the bit flipped rotates with the position, so each
	 * bit is flipped in every region), re-encoded. The library-level tests
	 * above cover every value at every position; this proves the program
	 * draws the same conclusions, at a process start per case. */
	size_t step = (type == HH_DIPLOMA ? 1 : 4) * (TAMPER_ALL_VALUES ? 1 : 3);
	for (size_t i = 0; i < pres.len; i += step) {
		memcpy(m, pres.ptr, pres.len);
		m[i] ^= (uint8_t)(1u << (i % 8));
		lp_buf t = { 0 };
		cr_assert_eq(lp_qrtext_encode(lp_view_of(m, pres.len), &t), LP_OK);
		cr_assert_eq(program_verify(store, (const char *)t.ptr, t.len, "byte change", i), 1);
		lp_buf_free(&t);
		runs++;
	}
	/* Truncations (every 13th length and the last 8) and extensions. */
	for (size_t n = 0; n < pres.len; n++) {
		if (n % 13 != 0 && n + 8 < pres.len)
			continue;
		lp_buf t = { 0 };
		cr_assert_eq(lp_qrtext_encode(lp_view_of(pres.ptr, n), &t), LP_OK);
		cr_assert_eq(program_verify(store, (const char *)t.ptr, t.len, "truncation", n), 1);
		lp_buf_free(&t);
		runs++;
	}
	static const uint8_t ext[] = { 0x00, 0x01, 0x40, 0x60, 0x80, 0xa0, 0xf6, 0xff };
	memcpy(m, pres.ptr, pres.len);
	for (size_t k = 0; k < sizeof ext; k++) {
		m[pres.len] = ext[k];
		lp_buf t = { 0 };
		cr_assert_eq(lp_qrtext_encode(lp_view_of(m, pres.len + 1), &t), LP_OK);
		cr_assert_eq(program_verify(store, (const char *)t.ptr, t.len, "extension", ext[k]), 1);
		lp_buf_free(&t);
		runs++;
	}
	cr_log_info("%s: %zu tampered presentations refused by leerpas-verifier",
		    type == HH_MICRO ? "microcredential" : "diploma", runs);
	free(m);
	lp_buf_free(&text);
	lp_buf_free(&pres);
	lp_buf_free(&cred);
	free(store);
	free(tmp);
}

Test(tamper, microcredential_through_the_verifier_program, .timeout = 600)
{
	program_tamper(HH_MICRO);
}

Test(tamper, diploma_through_the_verifier_program, .timeout = 600)
{
	program_tamper(HH_DIPLOMA);
}
