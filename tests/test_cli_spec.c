/* Achievement specifications end to end with the real programs: a school
 * publishes a template's specification ('leerpas-issuer template spec'), a
 * learner presents by digest only (a QR code) or with the details, and an
 * employer's verifier shows the description from the presentation, from its
 * cache ('leerpas-verifier spec import', or cached automatically) or says it
 * is missing; bad specification files are refused and change nothing.
 * docs/verifier.md, docs/wallet.md, docs/issuer.md (last sections). */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "helper.h"

#define EX LP_SOURCE_DIR "/examples/route"
#define TMPL "keuzedeel-omgaan-met-dementie"
#define SCHOOL_ID "https://www.zorgcollege-amstelland.nl"
#define OTHER_ID "https://www.onbekende-opleider.example"

/* One school with one template, its published specification, a learner's
 * wallet with one credential (four copies) of it, and an employer's
 * verifier store that pins the school and has no specification yet. */
static struct world {
	char *dir, *pass, *school, *spec, *wallet, *store;
	char digest[65]; /* what 'template spec --json' printed */
	char *cti;
} W;

/* Run a program: RUN("leerpas-issuer", "init", ...), no stdin. */
#define RUN(...) lpt_runv(NULL, NULL, (const char *const[]){ __VA_ARGS__, NULL })
/* The employer's verifier on its store; VF_IN feeds stdin. */
#define VF(...) RUN("leerpas-verifier", __VA_ARGS__, "--store", W.store)
#define VF_IN(in, ...) lpt_runv(in, NULL, (const char *const[]){ "leerpas-verifier", __VA_ARGS__, "--store", W.store, NULL })
/* The learner presents credential k, showing no redactable claim. */
#define PRESENT(...)                                                                                            \
	RUN("leerpas-wallet", "present", "k", "--show", "none", "--yes", "--wallet", W.wallet, "--passphrase-file", \
	    W.pass, __VA_ARGS__)

static char *P(const char *name)
{
	return lpt_fmt("%s/%s", W.dir, name);
}

/* Assert the exit status (and that stdout or stderr holds `in_out`, when
 * given), then release the run. */
static void expect(lpt_run r, int status, const char *in_out, const char *what)
{
	cr_assert_eq(r.status, status, "%s: exit %d, expected %d\nstdout: %s\nstderr: %s", what, r.status, status,
		     r.out, r.err);
	if (in_out)
		cr_assert(strstr(r.out, in_out) || strstr(r.err, in_out), "%s: output lacks '%s'\nstdout: %s\nstderr: %s",
			  what, in_out, r.out, r.err);
	lpt_run_free(&r);
}

/* The stdout of a --json run that exited with `status`, parsed. */
static json_t *expect_json(lpt_run r, int status, const char *what)
{
	cr_assert_eq(r.status, status, "%s: exit %d, expected %d\nstdout: %s\nstderr: %s", what, r.status, status,
		     r.out, r.err);
	json_error_t e;
	json_t *j = json_loads(r.out, 0, &e);
	cr_assert_not_null(j, "%s: not JSON (%s): %s", what, e.text, r.out);
	lpt_run_free(&r);
	return j;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void sha256_file(const char *path, char out[65])
{
	size_t len;
	char *b = lpt_read_file(path, &len);
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const uint8_t *)b, len);
	hex(h, sizeof h, out);
	free(b);
}

static bool built(const char *prog)
{
	char *p = lpt_fmt("%s/%s", LP_BINARY_DIR, prog);
	bool ok = access(p, X_OK) == 0;
	free(p);
	return ok;
}

/* A school store DIR with template TMPL and its export DIR.json. */
static void school(const char *name, const char *id)
{
	char *dir = P(name), *exp = lpt_fmt("%s/%s.json", W.dir, name);
	expect(RUN("leerpas-issuer", "init", "--dir", dir, "--id", id, "--name", name, "--passphrase-file", W.pass,
		   "--kdf-memory", "8", "--kdf-passes", "1"),
	       0, NULL, "issuer init");
	expect(RUN("leerpas-issuer", "template", "add", "--dir", dir, EX "/templates/" TMPL ".json"), 0, NULL,
	       "template add");
	expect(RUN("leerpas-issuer", "export", "--dir", dir, "--out", exp), 0, NULL, "export");
}

/* The learner asks school NAME (identifier id) for a credential of TMPL
 * (four copies), which the wallet stores as wid. Returns the first cti. */
static char *issue(const char *name, const char *id, const char *wid)
{
	char *req = lpt_fmt("%s/%s.req", W.dir, wid), *cred = lpt_fmt("%s/%s.cred", W.dir, wid),
	     *exp = lpt_fmt("%s/%s.json", W.dir, name);
	expect(RUN("leerpas-wallet", "request", "--issuer", id, "--copies", "4", "--out", req, "--wallet", W.wallet,
		   "--passphrase-file", W.pass),
	       0, NULL, "wallet request");
	json_t *j = expect_json(RUN("leerpas-issuer", "issue", "--dir", P(name), "--template", TMPL, "--claims",
				    EX "/learner-k0228.json", "--request", req, "--out", cred, "--passphrase-file",
				    W.pass, "--json"),
				0, "issue");
	const char *c = json_string_value(json_object_get(json_array_get(json_object_get(j, "copies"), 0), "cti"));
	cr_assert_not_null(c);
	char *cti = lpt_fmt("%s", c);
	json_decref(j);
	expect(RUN("leerpas-wallet", "import", cred, "--id", wid, "--issuer-key", exp, "--wallet", W.wallet,
		   "--passphrase-file", W.pass),
	       0, NULL, "wallet import");
	return cti;
}

static void setup(void)
{
	if (!built("leerpas-issuer") || !built("leerpas-wallet") || !built("leerpas-verifier"))
		cr_skip_test("the three programs are not all built yet");
	cr_assert_geq(sodium_init(), 0);
	memset(&W, 0, sizeof W);
	W.dir = lpt_tmpdir();
	W.pass = P("pass");
	lpt_write_file(W.pass, "correct horse battery staple\n", 29);
	chmod(W.pass, 0600);
	W.school = P("school");
	W.spec = P("k.spec");
	W.wallet = P("noor.lpw");
	W.store = P("employer");
	school("school", SCHOOL_ID);
	json_t *j = expect_json(RUN("leerpas-issuer", "template", "spec", "--dir", W.school, TMPL, "--out", W.spec,
				    "--json"),
				0, "template spec --json");
	const char *dg = json_string_value(json_object_get(j, "digest"));
	cr_assert(dg && strlen(dg) == 64, "template spec --json: no digest");
	memcpy(W.digest, dg, 65);
	json_decref(j);
	expect(RUN("leerpas-wallet", "init", "--wallet", W.wallet, "--passphrase-file", W.pass, "--kdf-ops", "1",
		   "--kdf-mem-mib", "8"),
	       0, NULL, "wallet init");
	W.cti = issue("school", SCHOOL_ID, "k");
	expect(VF("trust", "pin", P("school.json")), 0, NULL, "trust pin");
}

/* Every test removes its directory. */
static void teardown(void)
{
	if (!W.dir)
		return;
	lpt_run r = RUN("/bin/rm", "-rf", W.dir);
	lpt_run_free(&r);
}

TestSuite(cli_spec, .init = setup, .fini = teardown, .timeout = 120);

/* ---- the verifier's view ------------------------------------------------------ */

/* The digests `spec list --json` reports, as one comma-separated string
 * (in directory order, so compare counts or search it). */
static size_t spec_list(char **digests)
{
	json_t *j = expect_json(VF("spec", "list", "--json"), 0, "spec list --json");
	json_t *a = json_object_get(j, "specifications"), *v;
	size_t i, n = json_array_size(a);
	cr_assert(json_is_array(a), "spec list --json: no array");
	char *s = lpt_fmt("%s", "");
	json_array_foreach(a, i, v) {
		cr_assert_null(json_object_get(v, "problem"), "spec list: a cached file has a problem");
		s = lpt_fmt("%s%s,", s, json_string_value(json_object_get(v, "digest")));
	}
	json_decref(j);
	if (digests)
		*digests = s;
	return n;
}

/* Verify a QR image (image != NULL) or LP1 text (on stdin) with --json and
 * exit status `status`; returns the report. */
static json_t *verify_json(const char *image, const char *text, int status)
{
	return image ? expect_json(VF("verify", "--image", image, "--json"), status, "verify --image --json")
		     : expect_json(VF_IN(text, "verify", "-", "--json"), status, "verify - --json");
}

static const char *spec_source(const json_t *rep)
{
	const json_t *s = json_object_get(rep, "specification");
	cr_assert_not_null(s, "verify --json: no \"specification\"");
	cr_assert_str_eq(json_string_value(json_object_get(s, "digest")), W.digest,
			 "verify --json: the specification digest is not the published one");
	return json_string_value(json_object_get(s, "source"));
}

/* The template's learning outcomes, as the school wrote them. */
static json_t *template_outcomes(void)
{
	json_t *t = json_load_file(EX "/templates/" TMPL ".json", 0, NULL);
	cr_assert_not_null(t);
	json_t *lo = json_incref(json_object_get(json_object_get(t, "claims"), "learningOutcome"));
	cr_assert(json_array_size(lo) > 0, "the example template has learning outcomes");
	json_decref(t);
	return lo;
}

/* A VALID report that shows (or not) the template's learning outcomes. */
static void assert_valid_with_outcomes(const json_t *rep, bool shown)
{
	cr_assert_str_eq(json_string_value(json_object_get(rep, "verdict")), "VALID");
	const json_t *claims = json_object_get(rep, "claims");
	cr_assert_not_null(claims);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "specifiedBy")), W.digest);
	const json_t *lo = json_object_get(claims, "learningOutcome");
	if (!shown) {
		cr_assert_null(lo, "learningOutcome shown without a specification");
		cr_assert_null(json_object_get(claims, "assessmentType"));
		return;
	}
	json_t *want = template_outcomes();
	cr_assert(json_equal(lo, want), "learningOutcome differs from the template's");
	json_decref(want);
	cr_assert_not_null(json_object_get(claims, "assessmentType"));
	/* the title stays inline, and is there once */
	cr_assert_str_eq(json_string_value(json_object_get(claims, "title")), "Keuzedeel Omgaan met dementie (K0228)");
}

/* present ... --json: the presentation's "details" flag and its LP1 text. */
static bool presented_details(lpt_run r, char **text)
{
	json_t *j = expect_json(r, 0, "present --json");
	const json_t *d = json_object_get(j, "details");
	cr_assert(json_is_boolean(d), "present --json: no \"details\"");
	if (text)
		*text = lpt_fmt("%s", json_string_value(json_object_get(j, "text")));
	bool v = json_is_true(d);
	json_decref(j);
	return v;
}

/* ---- 1. the school publishes ---------------------------------------------------- */

Test(cli_spec, template_spec_digest_is_the_files_and_the_credentials)
{
	char got[65];
	sha256_file(W.spec, got);
	cr_assert_str_eq(got, W.digest, "the printed digest is not the SHA-256 of the file written");

	/* The signed payload of every copy of the credential issued from the
	 * template names the same digest as specifiedBy (key 26 of the
	 * achievement map). k.cred holds the four copies as a CBOR array. */
	json_t *j = expect_json(RUN("leerpas-verifier", "inspect", P("k.cred"), "--json"), 0, "inspect --json");
	const json_t *copies = json_object_get(j, "json"), *copy;
	size_t i;
	cr_assert_eq(json_array_size(copies), 4, "inspect: not four copies");
	json_array_foreach(copies, i, copy) {
		/* COSE_Sign1: [protected, unprotected, payload, signature] */
		const json_t *payload = json_array_get(json_object_get(copy, "value"), 2);
		const json_t *ach = json_object_get(payload, "-65537");
		cr_assert_not_null(ach, "inspect: no achievement map in the payload of copy %zu", i);
		cr_assert_str_eq(json_string_value(json_object_get(ach, "26")), W.digest,
				 "copy %zu: specifiedBy is not the published specification's digest", i);
		/* the described claims are not inline in the signed payload */
		cr_assert_null(json_object_get(ach, "5"), "learningOutcome is inline in the payload");
	}
	json_decref(j);

	/* The wallet shows the same digest, and the description (its own copy). */
	j = expect_json(RUN("leerpas-wallet", "show", "k", "--json", "--wallet", W.wallet, "--passphrase-file", W.pass),
			0, "wallet show --json");
	const json_t *as = json_object_get(j, "alwaysShown");
	cr_assert_str_eq(json_string_value(json_object_get(as, "specifiedBy")), W.digest);
	json_t *lo = template_outcomes();
	cr_assert(json_equal(json_object_get(as, "learningOutcome"), lo));
	json_decref(lo);
	json_decref(j);

	/* The human form prints the same digest; the same template gives the
	 * same bytes every time. */
	char *again = P("again.spec");
	lpt_run r = RUN("leerpas-issuer", "template", "spec", "--dir", W.school, TMPL, "--out", again);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, W.digest), "human output lacks the digest: %s", r.out);
	lpt_run_free(&r);
	sha256_file(again, got);
	cr_assert_str_eq(got, W.digest, "template spec is not deterministic");
}

Test(cli_spec, template_spec_errors)
{
	char *out = P("none.spec");
	/* a template the school does not have */
	lpt_run r = RUN("leerpas-issuer", "template", "spec", "--dir", W.school, "no-such-template", "--out", out);
	cr_assert_eq(r.status, 2, "unknown template: exit %d\n%s", r.status, r.err);
	cr_assert_not_null(strstr(r.err, "no-such-template"), "the message does not name the template: %s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out, F_OK), 0, "a file was written for an unknown template");

	/* a name that is not a template name at all */
	expect(RUN("leerpas-issuer", "template", "spec", "--dir", W.school, "../school/register", "--out", out), 2,
	       "not a template name", "template spec ../");
	cr_assert_neq(access(out, F_OK), 0);

	/* no --out, no name */
	r = RUN("leerpas-issuer", "template", "spec", "--dir", W.school, TMPL);
	cr_assert_eq(r.status, 2, "no --out: exit %d", r.status);
	cr_assert_not_null(strstr(r.err, "--out"), "the message does not say --out: %s", r.err);
	cr_assert_eq(r.out_len, 0, "no --out: something on stdout: %s", r.out);
	lpt_run_free(&r);
	expect(RUN("leerpas-issuer", "template", "spec", "--dir", W.school, "--out", out), 2, "NAME",
	       "template spec without a name");
	cr_assert_neq(access(out, F_OK), 0);

	/* not a school store */
	expect(RUN("leerpas-issuer", "template", "spec", "--dir", P("nowhere"), TMPL, "--out", out), 2, "nowhere",
	       "template spec in a missing store");
	cr_assert_neq(access(out, F_OK), 0);
}

/* ---- 2. digest only, the cache, and presentations with the details ------------ */

Test(cli_spec, qr_digest_only_then_imported_specification)
{
	char *png = P("k.png");
	cr_assert_not(presented_details(PRESENT("--qr-png", png, "--json"), NULL),
		      "a QR presentation carries the specification by default");
	cr_assert_eq(spec_list(NULL), 0);

	/* Empty cache: still VALID, but without the description. */
	json_t *rep = verify_json(png, NULL, 0);
	assert_valid_with_outcomes(rep, false);
	cr_assert_str_eq(spec_source(rep), "missing");
	json_decref(rep);
	lpt_run r = VF("verify", "--image", png);
	cr_assert_eq(r.status, 0, "verify: exit %d\n%s%s", r.status, r.out, r.err);
	cr_assert(strncmp(r.out, "VALID", 5) == 0, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Description:"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "not shown"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "leerpas-verifier spec import"), "the note does not say how to get it:\n%s%s",
			   r.out, r.err);
	cr_assert_null(strstr(r.out, "Description from:"), "%s", r.out);
	cr_assert_null(strstr(r.out, "Learning outcomes"), "%s", r.out);
	lpt_run_free(&r);
	cr_assert_eq(spec_list(NULL), 0, "a digest-only presentation added a specification");

	/* The school's published file: the same QR code now shows it. */
	r = VF("spec", "import", W.spec);
	cr_assert_eq(r.status, 0, "spec import: %s", r.err);
	cr_assert_not_null(strstr(r.out, W.digest), "spec import does not print the digest: %s", r.out);
	lpt_run_free(&r);
	char *listed;
	cr_assert_eq(spec_list(&listed), 1);
	cr_assert_not_null(strstr(listed, W.digest));
	rep = verify_json(png, NULL, 0);
	assert_valid_with_outcomes(rep, true);
	cr_assert_str_eq(spec_source(rep), "cache");
	json_decref(rep);
	r = VF("verify", "--image", png);
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "Description from:"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "cache"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Learning outcomes"), "%s", r.out);
	cr_assert_null(strstr(r.err, "spec import"), "a note about a missing description: %s", r.err);
	lpt_run_free(&r);

	/* Importing it again is no error and adds nothing. */
	json_t *j = expect_json(VF("spec", "import", W.spec, "--json"), 0, "spec import again");
	cr_assert(json_is_false(json_object_get(json_array_get(json_object_get(j, "imported"), 0), "added")));
	json_decref(j);
	cr_assert_eq(spec_list(NULL), 1);
}

Test(cli_spec, details_carried_then_cached_for_digest_only)
{
	char *png = P("k-details.png"), *plain = P("k.png");
	cr_assert(presented_details(PRESENT("--qr-png", png, "--details", "--json"), NULL));
	cr_assert_not(presented_details(PRESENT("--qr-png", plain, "--json"), NULL));

	/* Digest only first: missing. */
	json_t *rep = verify_json(plain, NULL, 0);
	cr_assert_str_eq(spec_source(rep), "missing");
	json_decref(rep);

	/* The presentation with the details shows them, and the verifier
	 * keeps the specification (it matched the signed digest). */
	rep = verify_json(png, NULL, 0);
	assert_valid_with_outcomes(rep, true);
	cr_assert_str_eq(spec_source(rep), "presentation");
	json_decref(rep);
	char *listed;
	cr_assert_eq(spec_list(&listed), 1, "the carried specification was not cached");
	cr_assert_not_null(strstr(listed, W.digest));
	/* what was cached is byte for byte the school's file */
	char *cached = lpt_fmt("%s/specs/%s.spec", W.store, W.digest), got[65];
	sha256_file(cached, got);
	cr_assert_str_eq(got, W.digest);

	/* The digest-only QR code now shows the description from the cache. */
	rep = verify_json(plain, NULL, 0);
	assert_valid_with_outcomes(rep, true);
	cr_assert_str_eq(spec_source(rep), "cache");
	json_decref(rep);
	/* and the presentation that carries it still says "presentation" */
	rep = verify_json(png, NULL, 0);
	cr_assert_str_eq(spec_source(rep), "presentation");
	json_decref(rep);
	cr_assert_eq(spec_list(NULL), 1);
}

Test(cli_spec, text_alone_carries_details_unless_no_details)
{
	char *text, *text_nd, *text_png;
	/* --text alone: the whole specification */
	cr_assert(presented_details(PRESENT("--text", "--json"), &text));
	/* --text --no-details: digest only */
	cr_assert_not(presented_details(PRESENT("--text", "--no-details", "--json"), &text_nd));
	/* --text beside a QR output: digest only, as for the QR code */
	cr_assert_not(presented_details(PRESENT("--text", "--qr-png", P("both.png"), "--json"), &text_png));
	cr_assert_gt(strlen(text), strlen(text_nd) + 100, "with details %zu characters, without %zu", strlen(text),
		     strlen(text_nd));

	json_t *rep = verify_json(NULL, text_nd, 0);
	assert_valid_with_outcomes(rep, false);
	cr_assert_str_eq(spec_source(rep), "missing");
	json_decref(rep);
	rep = verify_json(NULL, text_png, 0);
	cr_assert_str_eq(spec_source(rep), "missing");
	json_decref(rep);
	cr_assert_eq(spec_list(NULL), 0);

	rep = verify_json(NULL, text, 0);
	assert_valid_with_outcomes(rep, true);
	cr_assert_str_eq(spec_source(rep), "presentation");
	json_decref(rep);
	cr_assert_eq(spec_list(NULL), 1);
	rep = verify_json(NULL, text_nd, 0);
	assert_valid_with_outcomes(rep, true);
	cr_assert_str_eq(spec_source(rep), "cache");
	json_decref(rep);
}

/* A school the employer does not recognise: INVALID, and what its
 * presentation carried is not cached. */
Test(cli_spec, untrusted_school_specification_not_cached)
{
	school("other", OTHER_ID);
	issue("other", OTHER_ID, "o");
	char *text;
	json_t *j = expect_json(RUN("leerpas-wallet", "present", "o", "--show", "none", "--yes", "--text", "--details",
				    "--json", "--wallet", W.wallet, "--passphrase-file", W.pass),
				0, "present o");
	text = lpt_fmt("%s", json_string_value(json_object_get(j, "text")));
	json_decref(j);
	json_t *rep = verify_json(NULL, text, 1);
	cr_assert_str_eq(json_string_value(json_object_get(rep, "verdict")), "INVALID");
	json_decref(rep);
	cr_assert_eq(spec_list(NULL), 0, "an unrecognised school's presentation filled the cache");
}

/* ---- 3. bad specification files ------------------------------------------------- */

struct bad {
	const char *name;
	const uint8_t *bytes; /* NULL: from the published file, see len */
	size_t len;           /* with bytes NULL: keep this many bytes of it */
	const char *says;     /* part of the message */
};

Test(cli_spec, import_refuses_what_is_not_a_specification)
{
	static const uint8_t per_learner[] = { 0xa1, 0x10, 0x64, 'N', 'o', 'o', 'r' };        /* {16: "Noor"} */
	static const uint8_t grade[] = { 0xa1, 0x13, 0x61, '8' };                             /* {19: "8"} */
	static const uint8_t key0[] = { 0xa1, 0x00, 0x80 };                                   /* {0: []} */
	static const uint8_t negkey[] = { 0xa1, 0x20, 0x61, 'x' };                            /* {-1: "x"} */
	static const uint8_t textkey[] = { 0xa1, 0x61, 'a', 0x61, 'x' };                      /* {"a": "x"} */
	static const uint8_t bigkey[] = { 0xa1, 0x19, 0x01, 0x00, 0x61, 'x' };                /* {256: "x"} */
	static const uint8_t empty_map[] = { 0xa0 };
	static const uint8_t array[] = { 0x81, 0x01 };
	static const uint8_t badtype[] = { 0xa1, 0x05, 0x01 };                               /* {5: 1} */
	static const uint8_t dup[] = { 0xa2, 0x18, 0x19, 0x61, 'x', 0x18, 0x19, 0x61, 'y' };  /* {25:"x",25:"y"} */
	static const uint8_t trailing[] = { 0xa1, 0x18, 0x19, 0x61, 'x', 0x00 };             /* {25:"x"} 0 */
	static const uint8_t indef[] = { 0xbf, 0x18, 0x19, 0x61, 'x', 0xff };                /* {_ 25:"x"} */
	static const uint8_t badutf8[] = { 0xa1, 0x18, 0x19, 0x62, 0xc3, 0x28 };             /* invalid UTF-8 */
	uint8_t sb[37] = { 0xa1, 0x18, 0x1a, 0x58, 0x20 };                                   /* {26: h'00..'} */
	uint8_t rnd[256];
	randombytes_buf(rnd, sizeof rnd);
	rnd[0] = 0xff; /* a break code: never a well-formed start */
	size_t full;
	free(lpt_read_file(W.spec, &full));
	const struct bad bad[] = {
		{ "empty", (const uint8_t *)"", 0, "empty" },
		{ "random", rnd, sizeof rnd, "CBOR" },
		{ "per-learner", per_learner, sizeof per_learner, "fullName" },
		{ "grade", grade, sizeof grade, "grade" },
		{ "key0", key0, sizeof key0, "claim numbers" },
		{ "negkey", negkey, sizeof negkey, "claim numbers" },
		{ "textkey", textkey, sizeof textkey, "claim numbers" },
		{ "bigkey", bigkey, sizeof bigkey, "claim numbers" },
		{ "specifiedby", sb, sizeof sb, "specifiedBy" },
		{ "empty-map", empty_map, sizeof empty_map, "non-empty map" },
		{ "array", array, sizeof array, "non-empty map" },
		{ "wrong-type", badtype, sizeof badtype, "learningOutcome" },
		{ "duplicate-key", dup, sizeof dup, "not imported" },
		{ "trailing", trailing, sizeof trailing, "unexpected bytes" },
		{ "indefinite", indef, sizeof indef, "not imported" },
		{ "bad-utf8", badutf8, sizeof badutf8, "UTF-8" },
		{ "truncated-1", NULL, full - 1, "truncated" },
		{ "truncated-half", NULL, full / 2, "truncated" },
		{ "truncated-1byte", NULL, 1, "truncated" },
	};
	size_t fl;
	char *pub = lpt_read_file(W.spec, &fl);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *f = lpt_fmt("%s/%s.spec", W.dir, bad[i].name);
		if (bad[i].bytes)
			lpt_write_file(f, bad[i].bytes, bad[i].len);
		else
			lpt_write_file(f, pub, bad[i].len);
		lpt_run r = VF("spec", "import", f);
		cr_assert_eq(r.status, 2, "%s: exit %d\nstdout: %s\nstderr: %s", bad[i].name, r.status, r.out, r.err);
		cr_assert_not_null(strstr(r.err, f), "%s: the message does not name the file: %s", bad[i].name, r.err);
		cr_assert_not_null(strstr(r.err, bad[i].says), "%s: the message lacks '%s': %s", bad[i].name,
				   bad[i].says, r.err);
		cr_assert_eq(r.out_len, 0, "%s: stdout: %s", bad[i].name, r.out);
		lpt_run_free(&r);
		cr_assert_eq(spec_list(NULL), 0, "%s: something was cached", bad[i].name);
	}
	free(pub);

	/* a file that does not exist, and no file at all */
	expect(VF("spec", "import", P("missing.spec")), 2, "missing.spec", "spec import of a missing file");
	expect(VF("spec", "import"), 2, "import FILE", "spec import without a file");
	expect(VF("spec", "frobnicate"), 2, NULL, "spec with an unknown subcommand");
	cr_assert_eq(spec_list(NULL), 0);

	/* After a good import, a bad one leaves the cache as it was. */
	expect(VF("spec", "import", W.spec), 0, NULL, "spec import");
	expect(VF("spec", "import", P("per-learner.spec")), 2, "fullName", "spec import per-learner after a good one");
	char *listed;
	cr_assert_eq(spec_list(&listed), 1);
	cr_assert_not_null(strstr(listed, W.digest));
}

Test(cli_spec, edited_specification_is_another_one)
{
	size_t len;
	char *b = lpt_read_file(W.spec, &len);
	/* Change one letter of the first learning outcome: still well-formed,
	 * still a specification, but not the one the school signed. */
	json_t *lo = template_outcomes();
	const char *first = json_string_value(json_array_get(lo, 0));
	char *at = memmem(b, len, first, strlen(first));
	cr_assert_not_null(at, "the learning outcome is not in the specification bytes");
	cr_assert(at[0] >= 'A' && at[0] <= 'Z');
	at[0] = (char)(at[0] + ('a' - 'A'));
	json_decref(lo);
	char *edited = P("edited.spec"), dg[65];
	lpt_write_file(edited, b, len);
	free(b);
	sha256_file(edited, dg);
	cr_assert_str_neq(dg, W.digest);

	json_t *j = expect_json(VF("spec", "import", edited, "--json"), 0, "spec import of the edited file");
	const json_t *e = json_array_get(json_object_get(j, "imported"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(e, "digest")), dg);
	cr_assert(json_is_true(json_object_get(e, "added")));
	json_decref(j);
	char *listed;
	cr_assert_eq(spec_list(&listed), 1);
	cr_assert_not_null(strstr(listed, dg));

	/* The credential names the school's digest: the edited text is never
	 * shown for it. */
	char *png = P("k.png");
	cr_assert_not(presented_details(PRESENT("--qr-png", png, "--json"), NULL));
	json_t *rep = verify_json(png, NULL, 0);
	assert_valid_with_outcomes(rep, false);
	cr_assert_str_eq(spec_source(rep), "missing");
	json_decref(rep);
}

/* ---- 4. wallet options --------------------------------------------------------- */

Test(cli_spec, details_and_no_details_together_is_a_usage_error)
{
	json_t *j = expect_json(RUN("leerpas-wallet", "log", "--json", "--wallet", W.wallet, "--passphrase-file", W.pass),
				0, "log");
	size_t before = json_array_size(j);
	json_decref(j);
	char *png = P("k.png");
	expect(PRESENT("--qr-png", png, "--details", "--no-details"), 2, "not both", "--details --no-details");
	expect(PRESENT("--text", "--no-details", "--details"), 2, "not both", "--no-details --details");
	cr_assert_neq(access(png, F_OK), 0, "a QR image was written after a usage error");
	j = expect_json(RUN("leerpas-wallet", "log", "--json", "--wallet", W.wallet, "--passphrase-file", W.pass), 0,
			"log");
	cr_assert_eq(json_array_size(j), before, "a presentation was logged after a usage error");
	json_decref(j);
	/* the same option twice is no conflict */
	cr_assert(presented_details(PRESENT("--qr-png", png, "--details", "--details", "--json"), NULL));
}

/* ---- what docs/verifier.md promises beyond the above ------------------------------ */

/* The note on a missing description names both ways to get it: the
 * school's published file, or a presentation with --details. */
Test(cli_spec, missing_description_note_names_both_remedies)
{
	char *png = P("k.png");
	cr_assert_not(presented_details(PRESENT("--qr-png", png, "--json"), NULL));
	json_t *rep = verify_json(png, NULL, 0);
	json_t *w;
	size_t i;
	const char *note = NULL;
	json_array_foreach(json_object_get(rep, "warnings"), i, w)
		if (strcmp(json_string_value(json_object_get(w, "code")), "spec_missing") == 0)
			note = json_string_value(json_object_get(w, "message"));
	cr_assert_not_null(note, "verify --json: no spec_missing warning");
	cr_assert_not_null(strstr(note, "spec import"), "%s", note);
	cr_assert_not_null(strstr(note, "--details"), "the note is cut short: %s", note);
	json_decref(rep);
	lpt_run r = VF("verify", "--image", png);
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(strstr(r.out, "--details") ? r.out : strstr(r.err, "--details"),
			   "the human note is cut short:\n%s%s", r.out, r.err);
	lpt_run_free(&r);
}

/* "Every specification a presentation carried is cached automatically
 * after a VALID verification": a revoked credential's presentation is
 * INVALID and fills no cache. */
Test(cli_spec, invalid_presentation_caches_nothing)
{
	expect(RUN("leerpas-issuer", "revoke", "--dir", W.school, W.cti, "--reason", "test"), 0, NULL, "revoke");
	char *st = P("status.cwt");
	expect(RUN("leerpas-issuer", "status", "publish", "--dir", W.school, "--out", st, "--passphrase-file", W.pass),
	       0, NULL, "status publish");
	expect(VF("status", "import", st), 0, NULL, "status import");
	char *text;
	cr_assert(presented_details(PRESENT("--text", "--details", "--json"), &text));
	json_t *rep = verify_json(NULL, text, 1);
	cr_assert_str_eq(json_string_value(json_object_get(rep, "verdict")), "INVALID");
	json_decref(rep);
	cr_assert_eq(spec_list(NULL), 0, "an INVALID (revoked) presentation's specification was cached");
}

/* A file in the verifier's own cache whose bytes no longer match its name
 * (damaged, or edited in place) is the verifier's problem, not the
 * learner's: it is not used, and a genuine presentation stays VALID
 * without the description rather than INVALID with "do not accept it". */
Test(cli_spec, damaged_cache_file_is_not_blamed_on_the_presentation)
{
	expect(VF("spec", "import", W.spec), 0, NULL, "spec import");
	char *cached = lpt_fmt("%s/specs/%s.spec", W.store, W.digest);
	size_t len;
	char *b = lpt_read_file(cached, &len);
	json_t *lo = template_outcomes();
	const char *first = json_string_value(json_array_get(lo, 0));
	char *at = memmem(b, len, first, strlen(first));
	cr_assert_not_null(at);
	at[0] = (char)(at[0] ^ 0x20); /* one letter's case: still a well-formed specification */
	json_decref(lo);
	lpt_write_file(cached, b, len);
	free(b);

	char *png = P("k.png");
	cr_assert_not(presented_details(PRESENT("--qr-png", png, "--json"), NULL));
	json_t *rep = verify_json(png, NULL, 0);
	assert_valid_with_outcomes(rep, false);
	cr_assert_str_eq(spec_source(rep), "missing");
	json_decref(rep);
	/* spec list points at the damaged file */
	json_t *j = expect_json(VF("spec", "list", "--json"), 0, "spec list --json");
	cr_assert_not_null(json_object_get(json_array_get(json_object_get(j, "specifications"), 0), "problem"));
	json_decref(j);
}
