/* End-to-end tests of leerpas-issuer, run as a user would: the built
 * program with a passphrase file, on fresh store directories. Credentials,
 * status lists and trust lists it writes are checked with the library, the
 * way the wallet and the verifier will read them.
 *
 * Full disk: mounting a small tmpfs needs privileges the test does not
 * have, so a full disk is simulated with RLIMIT_FSIZE (a write past the
 * limit fails with EFBIG, as ENOSPC would; the program ignores SIGXFSZ).
 * Read-only directories cannot be used: the suite may run as root. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "helper.h"
#include "leerpas/cose.h"
#include "leerpas/register.h"
#include "leerpas/request.h"
#include "leerpas/sdcwt.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

#define EX LP_SOURCE_DIR "/examples"

static char *root;     /* per-test temporary directory */
static char *passfile; /* the stores' passphrase, in a 0600 file */

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	root = lpt_tmpdir();
	passfile = lpt_fmt("%s/pass", root);
	lpt_write_file(passfile, "correct horse battery staple\n", 29);
	chmod(passfile, 0600);
}

static void teardown(void)
{
	char *cmd = lpt_fmt("rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(passfile);
	free(root);
}

TestSuite(issuer, .init = setup, .fini = teardown, .timeout = 120);

/* Run leerpas-issuer with a NULL-terminated argument list. */
static lpt_run issuer(const char *first, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;
	argv[n++] = "leerpas-issuer";
	argv[n++] = first;
	va_start(ap, first);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return lpt_runv(NULL, NULL, argv);
}

#define OK_RUN(r) cr_assert_eq((r).status, 0, "exit %d\nstdout: %s\nstderr: %s", (r).status, (r).out, (r).err)

/* A store for school `tag` with the example templates added. */
static char *make_store(const char *tag, const char *id, const char *name)
{
	char *dir = lpt_fmt("%s/%s", root, tag);
	lpt_run r = issuer("init", "--dir", dir, "--id", id, "--name", name, "--passphrase-file", passfile,
			   "--kdf-memory", "8", "--kdf-passes", "1", NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	static const char *tmpls[] = { "microcredential", "diploma", "mbo-certificaat", "keuzedeel" };
	for (size_t i = 0; i < 4; i++) {
		char *f = lpt_fmt("%s/templates/%s.json", EX, tmpls[i]);
		r = issuer("template", "add", "--dir", dir, f, NULL);
		OK_RUN(r);
		lpt_run_free(&r);
		free(f);
	}
	return dir;
}

static json_t *run_json(lpt_run *r)
{
	json_error_t je;
	json_t *v = json_loads(r->out, 0, &je);
	cr_assert_not_null(v, "not JSON: %s (%s)", r->out, je.text);
	return v;
}

static size_t register_count(const char *dir)
{
	lpt_run r = issuer("list", "--dir", dir, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	size_t n = json_array_size(v);
	json_decref(v);
	lpt_run_free(&r);
	return n;
}

/* --- checking what the program wrote, as a verifier would ---------------- */

static lp_trust_store *pinned(const char *desc_path)
{
	lp_trust_store *ts;
	size_t len;
	char *desc = lpt_read_file(desc_path, &len);
	lp_diag d;
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	cr_assert_eq(lp_trust_pin(ts, lp_view_of((uint8_t *)desc, len), &d), LP_OK, "%s", d.msg);
	free(desc);
	return ts;
}

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
		      const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	lp_trust_result tr;
	lp_err rc;
	(void)alg;
	rc = lp_trust_resolve(ctx, iss, lp_view_of(kid, kid_len), vct, has_iat ? iat : time(NULL),
			      time(NULL), &tr, d);
	if (rc == LP_OK)
		*key = tr.key;
	return rc;
}

/* Verify one credential (bytes) against a trust store; fills *r. */
static lp_err verify_cred(const uint8_t *p, size_t len, lp_trust_store *ts, const lp_pubkey *cnf,
			  lp_sdcwt_result *r)
{
	lp_sdcwt_verify_params vp;
	memset(&vp, 0, sizeof vp);
	vp.resolve = resolve;
	vp.resolve_ctx = ts;
	vp.now = time(NULL);
	vp.skew = 60;
	vp.expect_cnf = cnf;
	memset(r, 0, sizeof *r);
	return lp_sdcwt_verify_credential(lp_view_of(p, len), &vp, r);
}

static char *export_desc(const char *dir)
{
	char *out = lpt_fmt("%s.issuer.json", dir);
	lpt_run r = issuer("export", "--dir", dir, "--out", out, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	return out;
}

/* ======================================================================== */

Test(issuer, help_everywhere)
{
	static const char *cmds[][3] = { { "--help", NULL, NULL },
					 { "init", "--help", NULL },
					 { "template", "--help", NULL },
					 { "issue", "--help", NULL },
					 { "issue-batch", "--help", NULL },
					 { "compose", "--help", NULL },
					 { "revoke", "--help", NULL },
					 { "suspend", "--help", NULL },
					 { "reinstate", "--help", NULL },
					 { "status", "--help", NULL },
					 { "key", "--help", NULL },
					 { "export", "--help", NULL },
					 { "list", "--help", NULL },
					 { "show", "--help", NULL },
					 { "trustlist", "--help", NULL } };
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		lpt_run r = issuer(cmds[i][0], cmds[i][1], NULL);
		cr_assert_eq(r.status, 0, "%s --help: %d", cmds[i][0], r.status);
		cr_assert_not_null(strstr(r.out, "Usage"), "%s --help prints no usage", cmds[i][0]);
		lpt_run_free(&r);
	}
	lpt_run r = issuer("frobnicate", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "unknown command"));
	lpt_run_free(&r);
	r = issuer("issue", "--dir", root, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "required"));
	lpt_run_free(&r);
}

Test(issuer, init_creates_store_and_refuses_to_overwrite)
{
	char *dir = make_store("s", "https://www.roc-rijnland.example", "ROC Rijnland Zorgcollege");
	char *reg = lpt_fmt("%s/register.db", dir);
	char *keys = lpt_fmt("%s/keys", dir);
	struct stat st;
	cr_assert_eq(stat(reg, &st), 0);
	cr_assert_eq(stat(keys, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	lpt_run r = issuer("key", "list", "--dir", dir, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	cr_assert_eq(json_array_size(v), 1);
	char *kf = lpt_fmt("%s/keys/%s.key", dir, json_string_value(json_object_get(json_array_get(v, 0), "kid")));
	cr_assert_eq(stat(kf, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "key file mode %o", st.st_mode & 0777);
	json_decref(v);
	lpt_run_free(&r);

	r = issuer("init", "--dir", dir, "--id", "https://x.example", "--name", "X", "--passphrase-file", passfile,
		   "--kdf-memory", "8", "--kdf-passes", "1", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "already exists"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_eq(stat(kf, &st), 0, "existing key removed");

	/* bad options name what is wrong */
	char *d2 = lpt_fmt("%s/s2", root);
	r = issuer("init", "--dir", d2, "--id", "https://x.example", "--name", "X", "--country", "nl",
		   "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--country"));
	lpt_run_free(&r);
	cr_assert_neq(stat(d2, &st), 0, "refused init left a directory");
	/* a passphrase that is too short is refused and leaves nothing */
	char *shortp = lpt_fmt("%s/short", root);
	lpt_write_file(shortp, "abc\n", 4);
	r = issuer("init", "--dir", d2, "--id", "https://x.example", "--name", "X", "--passphrase-file", shortp,
		   "--kdf-memory", "8", "--kdf-passes", "1", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "shorter"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(stat(d2, &st), 0, "failed init left a directory");
	free(shortp);
	free(d2);
	free(kf);
	free(reg);
	free(keys);
	free(dir);
}

Test(issuer, templates_checked_against_annex_i)
{
	char *dir = make_store("s", "https://www.roc-rijnland.example", "ROC Rijnland");
	lpt_run r = issuer("template", "list", "--dir", dir, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	cr_assert_eq(json_array_size(v), 4);
	json_decref(v);
	lpt_run_free(&r);

	static const struct {
		const char *name, *json, *expect;
	} bad[] = {
		{ "no-workload",
		  "{\"vct\":\"x\",\"claims\":{\"title\":\"T\",\"awardingBody\":\"B\",\"countryCode\":\"NL\","
		  "\"learningOutcome\":[\"a\"],\"eqfLevel\":4,\"assessmentType\":\"a\",\"mode\":\"m\","
		  "\"accreditation\":\"q\"}}",
		  "notional workload" },
		{ "no-level",
		  "{\"vct\":\"x\",\"claims\":{\"title\":\"T\",\"awardingBody\":\"B\",\"countryCode\":\"NL\","
		  "\"learningOutcome\":[\"a\"],\"workload\":28,\"assessmentType\":\"a\",\"mode\":\"m\","
		  "\"accreditation\":\"q\"}}",
		  "level" },
		{ "bad-level",
		  "{\"vct\":\"x\",\"claims\":{\"title\":\"T\",\"awardingBody\":\"B\",\"countryCode\":\"NL\","
		  "\"learningOutcome\":[\"a\"],\"workload\":28,\"eqfLevel\":12,\"assessmentType\":\"a\",\"mode\":\"m\","
		  "\"accreditation\":\"q\"}}",
		  "eqfLevel" },
		{ "no-vct", "{\"claims\":{}}", "vct" },
		{ "broken", "{\"vct\": \"x\", \"claims\": {", "" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *f = lpt_fmt("%s/%s.json", root, bad[i].name);
		lpt_write_file(f, bad[i].json, strlen(bad[i].json));
		r = issuer("template", "add", "--dir", dir, f, NULL);
		cr_assert_eq(r.status, 2, "%s accepted", bad[i].name);
		cr_assert_not_null(strstr(r.err, bad[i].expect), "%s: %s", bad[i].name, r.err);
		cr_assert_not_null(strstr(r.err, "error: "), "%s", r.err);
		lpt_run_free(&r);
		free(f);
	}
	r = issuer("template", "list", "--dir", dir, "--json", NULL);
	v = run_json(&r);
	cr_assert_eq(json_array_size(v), 4, "a refused template was stored");
	json_decref(v);
	lpt_run_free(&r);
	/* the same name again needs --replace */
	r = issuer("template", "add", "--dir", dir, EX "/templates/diploma.json", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--replace"));
	lpt_run_free(&r);
	r = issuer("template", "add", "--dir", dir, "--replace", EX "/templates/diploma.json", NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	free(dir);
}

Test(issuer, issue_unbound_and_verify_with_export)
{
	char *dir = make_store("s", "https://www.hs-domstad.example", "Hogeschool Domstad");
	char *out = lpt_fmt("%s/eva.cred", root);
	lpt_run r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json",
			   "--out", out, "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	cr_assert_not_null(strstr(r.err, "UNBOUND"), "no warning about an unbound credential: %s", r.err);
	json_t *v = run_json(&r);
	cr_assert(json_is_false(json_object_get(v, "bound")));
	const char *cti = json_string_value(json_object_get(json_array_get(json_object_get(v, "copies"), 0), "cti"));
	cr_assert_not_null(cti);
	char *cti_s = strdup(cti);
	json_decref(v);
	lpt_run_free(&r);

	size_t len;
	uint8_t *cred = (uint8_t *)lpt_read_file(out, &len);
	char *desc = export_desc(dir);
	lp_trust_store *ts = pinned(desc);
	lp_sdcwt_result res;
	cr_assert_eq(verify_cred(cred, len, ts, NULL, &res), LP_OK, "%s", res.diag.msg);
	cr_assert_str_eq(res.iss, "https://www.hs-domstad.example");
	cr_assert_str_eq(res.vct, "microcredential");
	cr_assert_not(res.has_cnf);
	cr_assert(res.has_status);
	cr_assert_not_null(strstr(res.claims_json, "Data-analyse met Python"));
	cr_assert_not_null(strstr(res.claims_json, "Eva de Vries"));
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, res.cti, res.cti_len);
	cr_assert_str_eq(hex, cti_s);
	lp_sdcwt_result_free(&res);

	/* the register shows it */
	r = issuer("show", "--dir", dir, cti_s, "--json", NULL);
	OK_RUN(r);
	v = run_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(v, "learner")), "S2026-0417");
	cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "valid");
	json_decref(v);
	lpt_run_free(&r);
	/* never overwrites */
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--out", out,
		   "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "already exists"));
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), 1);

	lp_trust_store_free(ts);
	free(cti_s);
	free(cred);
	free(desc);
	free(out);
	free(dir);
}

static void make_request_nonce(const char *school, size_t n, int64_t iat, uint8_t sks[][64], const char *path,
			       const char *nonce)
{
	uint8_t pk[32];
	const uint8_t *ptrs[8];
	lp_request_params p = { school, { (const uint8_t *)nonce, nonce ? strlen(nonce) : 0 }, iat };
	lp_buf req;
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(lp_request_keygen(pk, sks[i]), LP_OK);
		ptrs[i] = sks[i];
	}
	cr_assert_eq(lp_request_create(&p, ptrs, n, &req), LP_OK);
	lpt_write_file(path, req.ptr, req.len);
	lp_buf_free(&req);
}

static void make_request(const char *school, size_t n, int64_t iat, uint8_t sks[][64], const char *path)
{
	make_request_nonce(school, n, iat, sks, path, NULL);
}

Test(issuer, issue_with_request_binds_each_copy)
{
	const char *id = "https://www.hs-domstad.example";
	char *dir = make_store("s", id, "Hogeschool Domstad");
	char *req = lpt_fmt("%s/req", root), *out = lpt_fmt("%s/eva.cred", root);
	uint8_t sks[2][64];
	make_request(id, 2, time(NULL), sks, req);
	lpt_run r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json",
			   "--request", req, "--out", out, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	cr_assert_null(strstr(r.err, "UNBOUND"));
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), 2, "one register entry per copy");

	/* the file is a CBOR array of two credentials, each bound to its key */
	size_t len;
	uint8_t *file = (uint8_t *)lpt_read_file(out, &len);
	cr_assert_eq(file[0], 0x82);
	char *desc = export_desc(dir);
	lp_trust_store *ts = pinned(desc);
	size_t off = 1;
	uint8_t cti0[16];
	for (int i = 0; i < 2; i++) {
		/* find the end of copy i by verifying growing prefixes: the
		 * strict parser refuses trailing bytes, so exactly one fits */
		size_t end = off + 1;
		lp_sdcwt_result res;
		lp_pubkey cnf;
		lp_pubkey_ed25519(&cnf, sks[i] + 32);
		while (end <= len) {
			lp_err e = verify_cred(file + off, end - off, ts, &cnf, &res);
			if (e == LP_OK)
				break;
			lp_sdcwt_result_free(&res);
			end++;
		}
		cr_assert(end <= len, "copy %d does not verify bound to its key", i);
		cr_assert(res.has_cnf);
		if (i == 0)
			memcpy(cti0, res.cti, 16);
		else
			cr_assert_neq(memcmp(cti0, res.cti, 16), 0, "copies share a cti");
		lp_sdcwt_result_free(&res);
		off = end;
	}
	cr_assert_eq(off, len);

	/* a request whose signature does not verify is refused, nothing issued */
	size_t rl;
	uint8_t *rq = (uint8_t *)lpt_read_file(req, &rl);
	rq[rl - 5] ^= 0x01; /* inside the last proof's signature */
	char *badreq = lpt_fmt("%s/badreq", root), *out2 = lpt_fmt("%s/x.cred", root);
	lpt_write_file(badreq, rq, rl);
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--request",
		   badreq, "--out", out2, "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 1, "bad request: exit %d %s", r.status, r.err);
	cr_assert_not_null(strstr(r.err, "request"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out2, F_OK), 0);
	/* a request made for another school, and a stale one */
	make_request("https://other.example", 1, time(NULL), sks, badreq);
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--request",
		   badreq, "--out", out2, "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 1);
	lpt_run_free(&r);
	make_request(id, 1, time(NULL) - 30 * 86400, sks, badreq);
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--request",
		   badreq, "--out", out2, "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 1);
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), 2);
	/* the school's code: required when given, and must match */
	make_request_nonce(id, 1, time(NULL), sks, badreq, "K7-2026-0417");
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--request",
		   badreq, "--nonce", "K7-2026-0418", "--out", out2, "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 1);
	lpt_run_free(&r);
	make_request(id, 1, time(NULL), sks, badreq);
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--request",
		   badreq, "--nonce", "K7-2026-0417", "--out", out2, "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 1, "a request without the school's code was accepted");
	lpt_run_free(&r);
	make_request_nonce(id, 1, time(NULL), sks, badreq, "K7-2026-0417");
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--request",
		   badreq, "--nonce", "K7-2026-0417", "--out", out2, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), 3);
	lp_trust_store_free(ts);
	free(rq);
	free(badreq);
	free(out2);
	free(file);
	free(desc);
	free(req);
	free(out);
	free(dir);
}

Test(issuer, bad_passphrase_tampered_key_bad_claims)
{
	char *dir = make_store("s", "https://www.roc.example", "ROC");
	char *out = lpt_fmt("%s/c.cred", root), *wrong = lpt_fmt("%s/wrong", root);
	lpt_write_file(wrong, "correct horse battery stapler\n", 30);
	lpt_run r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json",
			   "--out", out, "--passphrase-file", wrong, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "wrong passphrase"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out, F_OK), 0);

	/* learner claims with a malformed or unknown field name the claim */
	static const struct {
		const char *json, *expect;
	} bad[] = {
		{ "{\"fullName\":\"A\",\"studentId\":\"1\",\"dateOfBirth\":\"17-03-2004\"}", "dateOfBirth" },
		{ "{\"fullName\":\"A\",\"studentId\":\"1\",\"shoeSize\":44}", "shoeSize" },
		{ "{\"fullName\":\"A\",\"studentId\":\"1\",\"title\":\"Other title\"}", "title" },
		{ "{\"fullName\":\"A\",", "" },
		{ "{\"fullName\":\"A\"}", "learner" }, /* no studentId: no register reference */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *f = lpt_fmt("%s/l%zu.json", root, i);
		lpt_write_file(f, bad[i].json, strlen(bad[i].json));
		r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", f, "--out", out,
			   "--passphrase-file", passfile, NULL);
		cr_assert_eq(r.status, 2, "case %zu exit %d", i, r.status);
		cr_assert_not_null(strstr(r.err, bad[i].expect), "case %zu: %s", i, r.err);
		lpt_run_free(&r);
		free(f);
	}
	cr_assert_neq(access(out, F_OK), 0);

	/* a tampered key file: one byte changed */
	r = issuer("key", "list", "--dir", dir, "--json", NULL);
	json_t *v = run_json(&r);
	char *kf = lpt_fmt("%s/keys/%s.key", dir, json_string_value(json_object_get(json_array_get(v, 0), "kid")));
	json_decref(v);
	lpt_run_free(&r);
	size_t len;
	char *k = lpt_read_file(kf, &len);
	k[len / 2] ^= 0x10;
	chmod(kf, 0600);
	lpt_write_file(kf, k, len);
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--out", out,
		   "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "altered"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out, F_OK), 0);
	cr_assert_eq(register_count(dir), 0);
	free(k);
	free(kf);
	free(wrong);
	free(out);
	free(dir);
}

Test(issuer, batch_with_bad_rows_and_rerun)
{
	char *dir = make_store("s", "https://www.roc.example", "ROC");
	char *outd = lpt_fmt("%s/out", root);
	/* small chunks and more threads than rows per chunk: several chunks
	 * in flight one after the other */
	lpt_run r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", EX "/learners.csv",
			   "--out-dir", outd, "--passphrase-file", passfile, "--json", "--chunk", "7", "--threads", "3",
			   NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	cr_assert_eq(json_array_size(json_object_get(v, "credentials")),
		     (size_t)json_integer_value(json_object_get(v, "issued")));
	size_t rows = (size_t)json_integer_value(json_object_get(v, "rows"));
	cr_assert_geq(rows, 30);
	cr_assert_eq((size_t)json_integer_value(json_object_get(v, "issued")), rows);
	json_decref(v);
	lpt_run_free(&r);
	char *f = lpt_fmt("%s/S2026-1010.cred", outd);
	cr_assert_eq(access(f, F_OK), 0, "no file per learner");
	free(f);
	cr_assert_eq(register_count(dir), rows);

	/* every file verifies and carries its row's name */
	char *desc = export_desc(dir);
	lp_trust_store *ts = pinned(desc);
	f = lpt_fmt("%s/S2026-1006.cred", outd);
	size_t len;
	uint8_t *cred = (uint8_t *)lpt_read_file(f, &len);
	lp_sdcwt_result res;
	cr_assert_eq(verify_cred(cred, len, ts, NULL, &res), LP_OK, "%s", res.diag.msg);
	cr_assert_not_null(strstr(res.claims_json, "Noah \\\"Nono\\\" Smit"), "%s", res.claims_json);
	lp_sdcwt_result_free(&res);
	free(cred);
	free(f);

	/* rerun: nothing duplicated */
	r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", EX "/learners.csv",
		   "--out-dir", outd, "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	v = run_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(v, "issued")), 0);
	cr_assert_eq((size_t)json_integer_value(json_object_get(v, "skipped")), rows);
	json_decref(v);
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), rows);

	/* bad rows: each reported with line and column; the good rows issue */
	const char *csv = "studentId,fullName,dateOfBirth,grade\r\n"
			  "B1,Jan Jansen,2001-13-01,7\r\n"     /* line 2: bad date, column 3 */
			  "B2,Piet Bakker,2001-01-01\r\n"      /* line 3: missing field */
			  "B3,\"Kees\"x,2001-01-01,7\r\n"      /* line 4: text after quote */
			  "B4,Anna de Wit,2001-01-01,8\r\n"    /* good */
			  "B4,Anna Wit,2001-01-01,8\r\n"       /* line 6: duplicate studentId */
			  ",Zonder Nummer,2001-01-01,8\r\n"    /* line 7: no studentId */
			  "B5,\"Multi\nline\",2002-02-02,9\r\n"; /* good, lines 8-9 */
	char *bad = lpt_fmt("%s/bad.csv", root), *outb = lpt_fmt("%s/outb", root);
	lpt_write_file(bad, csv, strlen(csv));
	r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", bad, "--out-dir", outb,
		   "--passphrase-file", passfile, "--json", "--chunk", "2", NULL);
	cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
	v = run_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(v, "issued")), 2);
	cr_assert_eq(json_integer_value(json_object_get(v, "failed")), 5);
	static const size_t want_line[] = { 2, 3, 4, 6, 7 };
	static const size_t want_col[] = { 3, 4, 10, 1, 1 };
	json_t *fl = json_object_get(v, "failures");
	for (size_t i = 0; i < 5; i++) {
		json_t *e = json_array_get(fl, i);
		cr_assert_eq((size_t)json_integer_value(json_object_get(e, "line")), want_line[i], "failure %zu", i);
		cr_assert_eq((size_t)json_integer_value(json_object_get(e, "column")), want_col[i], "failure %zu col", i);
	}
	json_decref(v);
	cr_assert_not_null(strstr(r.err, "line 2, column 3 (dateOfBirth)"), "%s", r.err);
	lpt_run_free(&r);
	f = lpt_fmt("%s/B1.cred", outb);
	cr_assert_neq(access(f, F_OK), 0, "a failing row left a file");
	free(f);
	f = lpt_fmt("%s/B5.cred", outb);
	cr_assert_eq(access(f, F_OK), 0);
	free(f);
	cr_assert_eq(register_count(dir), rows + 2);

	/* another template into the same folder never replaces a file */
	r = issuer("issue-batch", "--dir", dir, "--template", "diploma", "--csv", EX "/learners.csv", "--out-dir", outd,
		   "--passphrase-file", passfile, "--json", NULL);
	cr_assert_eq(r.status, 1);
	v = run_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(v, "issued")), 0);
	cr_assert_eq((size_t)json_integer_value(json_object_get(v, "failed")), rows);
	json_decref(v);
	cr_assert_not_null(strstr(r.err, "already exists"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), rows + 2);

	/* an unusual studentId gets a file name of its own */
	const char *odd = "studentId,fullName\r\nA/B,Een\r\nA_B,Twee\r\n";
	char *oddf = lpt_fmt("%s/odd.csv", root), *oddd = lpt_fmt("%s/oddout", root);
	lpt_write_file(oddf, odd, strlen(odd));
	r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", oddf, "--out-dir", oddd,
		   "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	v = run_json(&r);
	json_t *creds = json_object_get(v, "credentials");
	cr_assert_eq(json_array_size(creds), 2);
	cr_assert_str_neq(json_string_value(json_object_get(json_array_get(creds, 0), "file")),
			  json_string_value(json_object_get(json_array_get(creds, 1), "file")));
	json_decref(v);
	lpt_run_free(&r);
	free(oddf);
	free(oddd);

	/* header problems stop everything */
	const char *badhdr = "studentId,fullName,shoeSize\r\nX1,A,44\r\n";
	lpt_write_file(bad, badhdr, strlen(badhdr));
	r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", bad, "--out-dir", outb,
		   "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "column 3: 'shoeSize'"), "%s", r.err);
	lpt_run_free(&r);
	const char *fixed = "studentId,title\r\nX1,Other\r\n";
	lpt_write_file(bad, fixed, strlen(fixed));
	r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", bad, "--out-dir", outb,
		   "--passphrase-file", passfile, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "fixed by template"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_eq(register_count(dir), rows + 4);

	lp_trust_store_free(ts);
	free(desc);
	free(bad);
	free(outb);
	free(outd);
	free(dir);
}

static unsigned status_of(const char *token_path, const lp_pubkey *pk, uint64_t idx, lp_status_token *keep)
{
	size_t len;
	uint8_t *tok = (uint8_t *)lpt_read_file(token_path, &len);
	lp_status_token t;
	lp_diag d;
	unsigned v = 9;
	cr_assert_eq(lp_status_token_verify(lp_view_of(tok, len), pk, 0, &t, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_status_list_get(&t.list, (size_t)idx, &v), LP_OK);
	if (keep)
		*keep = t;
	else
		lp_status_token_free(&t);
	free(tok);
	return v;
}

static void current_key(const char *dir, lp_pubkey *pk)
{
	lpt_run r = issuer("key", "list", "--dir", dir, "--json", NULL);
	json_t *v = run_json(&r);
	json_t *last = json_array_get(v, json_array_size(v) - 1);
	uint8_t raw[32];
	cr_assert_eq(sodium_hex2bin(raw, 32, json_string_value(json_object_get(last, "public_key")), 64, NULL, NULL,
				    NULL),
		     0);
	lp_pubkey_ed25519(pk, raw);
	json_decref(v);
	lpt_run_free(&r);
}

Test(issuer, revoke_suspend_reinstate_and_publish)
{
	char *dir = make_store("s", "https://www.roc.example", "ROC");
	char *out = lpt_fmt("%s/c.cred", root), *st = lpt_fmt("%s/status.cwt", root);
	lpt_run r = issuer("issue", "--dir", dir, "--template", "diploma", "--claims", EX "/learner.json", "--out", out,
			   "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	json_t *c0 = json_array_get(json_object_get(v, "copies"), 0);
	char *cti = strdup(json_string_value(json_object_get(c0, "cti")));
	uint64_t idx = (uint64_t)json_integer_value(json_object_get(c0, "status_idx"));
	json_decref(v);
	lpt_run_free(&r);
	lp_pubkey pk;
	current_key(dir, &pk);

	r = issuer("status", "publish", "--dir", dir, "--out", st, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	lp_status_token t;
	cr_assert_eq(status_of(st, &pk, idx, &t), LP_STATUS_VALID);
	cr_assert_str_eq(t.uri, "https://www.roc.example/status.cwt");
	cr_assert_eq(t.ttl, 86400);
	cr_assert_gt(t.exp, t.iat);
	lp_status_token_free(&t);

	char prefix[9];
	memcpy(prefix, cti, 8);
	prefix[8] = '\0';
	r = issuer("suspend", "--dir", dir, prefix, "--reason", "onderzoek examencommissie", NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	r = issuer("status", "publish", "--dir", dir, "--out", st, "--passphrase-file", passfile, "--ttl", "3600", NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	cr_assert_eq(status_of(st, &pk, idx, NULL), LP_STATUS_SUSPENDED);
	r = issuer("reinstate", "--dir", dir, cti, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	r = issuer("revoke", "--dir", dir, cti, "--reason", "fraude bij examen", "--json", NULL);
	OK_RUN(r);
	v = run_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "revoked");
	json_decref(v);
	lpt_run_free(&r);
	r = issuer("status", "publish", "--dir", dir, "--out", st, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	cr_assert_eq(status_of(st, &pk, idx, NULL), LP_STATUS_INVALID);
	/* revocation is final */
	r = issuer("reinstate", "--dir", dir, cti, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "final"));
	lpt_run_free(&r);
	r = issuer("show", "--dir", dir, cti, "--json", NULL);
	v = run_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(v, "reason")), "fraude bij examen");
	json_decref(v);
	lpt_run_free(&r);
	r = issuer("revoke", "--dir", dir, "ffffffffffff", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "no credential"));
	lpt_run_free(&r);
	free(cti);
	free(st);
	free(out);
	free(dir);
}

Test(issuer, key_rotation_keeps_old_credentials_valid)
{
	char *dir = make_store("s", "https://www.roc.example", "ROC");
	char *old = lpt_fmt("%s/old.cred", root), *new_ = lpt_fmt("%s/new.cred", root);
	lpt_run r = issuer("issue", "--dir", dir, "--template", "diploma", "--claims", EX "/learner.json", "--out", old,
			   "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	/* issued "before" the rotation: iat must fall inside the old key's
	 * period, which ends when rotate runs; wait for the next second */
	time_t t0 = time(NULL);
	while (time(NULL) == t0)
		;
	r = issuer("key", "rotate", "--dir", dir, "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	char *retired = strdup(json_string_value(json_object_get(v, "retired")));
	char *kid = strdup(json_string_value(json_object_get(v, "kid")));
	json_decref(v);
	lpt_run_free(&r);
	cr_assert_str_neq(retired, kid);
	char *kf = lpt_fmt("%s/keys/%s.key", dir, retired);
	cr_assert_eq(access(kf, F_OK), 0, "the retired key was deleted");
	free(kf);
	r = issuer("issue", "--dir", dir, "--template", "diploma", "--claims", EX "/learner.json", "--out", new_,
		   "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);

	char *desc = export_desc(dir);
	size_t dl;
	char *dj = lpt_read_file(desc, &dl);
	cr_assert_not_null(strstr(dj, retired));
	cr_assert_not_null(strstr(dj, kid));
	free(dj);
	lp_trust_store *ts = pinned(desc);
	size_t len;
	uint8_t *c = (uint8_t *)lpt_read_file(old, &len);
	lp_sdcwt_result res;
	cr_assert_eq(verify_cred(c, len, ts, NULL, &res), LP_OK, "old credential: %s", res.diag.msg);
	cr_assert_eq(res.kid_len, strlen(retired));
	cr_assert_eq(memcmp(res.kid, retired, res.kid_len), 0);
	lp_sdcwt_result_free(&res);
	free(c);
	c = (uint8_t *)lpt_read_file(new_, &len);
	cr_assert_eq(verify_cred(c, len, ts, NULL, &res), LP_OK, "new credential: %s", res.diag.msg);
	cr_assert_eq(memcmp(res.kid, kid, res.kid_len), 0);
	lp_sdcwt_result_free(&res);
	free(c);
	/* a wrong passphrase does not rotate */
	char *wrong = lpt_fmt("%s/wrong", root);
	lpt_write_file(wrong, "not the passphrase\n", 19);
	r = issuer("key", "rotate", "--dir", dir, "--passphrase-file", wrong, NULL);
	cr_assert_eq(r.status, 1);
	lpt_run_free(&r);
	r = issuer("key", "list", "--dir", dir, "--json", NULL);
	v = run_json(&r);
	cr_assert_eq(json_array_size(v), 2);
	cr_assert(json_is_string(json_object_get(json_array_get(v, 0), "valid_until")));
	cr_assert(json_is_null(json_object_get(json_array_get(v, 1), "valid_until")));
	json_decref(v);
	lpt_run_free(&r);
	lp_trust_store_free(ts);
	free(wrong);
	free(retired);
	free(kid);
	free(desc);
	free(old);
	free(new_);
	free(dir);
}

/* An accreditation body recognising schools; returns the signed list path. */
static char *make_trust_list(const char *const *descs, size_t n, char **anchor_json, const char *from)
{
	char *adir = lpt_fmt("%s/anchor", root), *tl = lpt_fmt("%s/trustlist.cwt", root);
	lpt_run r = issuer("trustlist", "init", "--dir", adir, "--id", "https://www.nvao.example", "--name",
			   "Accreditatieorgaan (voorbeeld)", "--passphrase-file", passfile, "--kdf-memory", "8",
			   "--kdf-passes", "1", NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	for (size_t i = 0; i < n; i++) {
		r = from ? issuer("trustlist", "add", "--dir", adir, descs[i], "--from", from, NULL)
			 : issuer("trustlist", "add", "--dir", adir, descs[i], NULL);
		OK_RUN(r);
		lpt_run_free(&r);
	}
	r = issuer("trustlist", "sign", "--dir", adir, "--out", tl, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	*anchor_json = lpt_fmt("%s/anchor.json", adir);
	free(adir);
	return tl;
}

Test(issuer, trust_list_signing)
{
	char *a = make_store("a", "https://www.roc-a.example", "ROC A");
	char *b = make_store("b", "https://www.roc-b.example", "ROC B");
	char *da = export_desc(a), *db = export_desc(b), *anchor;
	char *ca = lpt_fmt("%s/a.cred", root), *cb = lpt_fmt("%s/b.cred", root);
	/* issued before the school is put on the list: by default a school is
	 * recognised since its oldest key, so this still verifies */
	lpt_run r = issuer("issue", "--dir", a, "--template", "keuzedeel", "--claims", EX "/learner.json", "--out", ca,
			   "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	time_t t0 = time(NULL);
	while (time(NULL) == t0)
		;
	const char *descs[] = { da };
	char *tl = make_trust_list(descs, 1, &anchor, NULL);
	r = issuer("issue", "--dir", b, "--template", "keuzedeel", "--claims", EX "/learner.json", "--out", cb,
		   "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);

	lp_trust_store *ts;
	lp_diag d;
	size_t len;
	char *aj = lpt_read_file(anchor, &len);
	cr_assert_eq(lp_trust_store_new(&ts), LP_OK);
	cr_assert_eq(lp_trust_add_anchor(ts, lp_view_of((uint8_t *)aj, len), &d), LP_OK, "%s", d.msg);
	uint8_t *tlb = (uint8_t *)lpt_read_file(tl, &len);
	cr_assert_eq(lp_trust_add_list(ts, lp_view_of(tlb, len), &d), LP_OK, "%s", d.msg);
	uint8_t *c = (uint8_t *)lpt_read_file(ca, &len);
	lp_sdcwt_result res;
	cr_assert_eq(verify_cred(c, len, ts, NULL, &res), LP_OK, "%s", res.diag.msg);
	lp_sdcwt_result_free(&res);
	free(c);
	c = (uint8_t *)lpt_read_file(cb, &len);
	cr_assert_eq(verify_cred(c, len, ts, NULL, &res), LP_ERR_UNTRUSTED, "a school not on the list verified");
	lp_sdcwt_result_free(&res);
	free(c);
	/* a list changed after signing is refused by verifiers */
	size_t tl_len;
	uint8_t *t2 = (uint8_t *)lpt_read_file(tl, &tl_len);
	t2[tl_len / 2] ^= 0x01;
	lp_trust_store *ts2;
	cr_assert_eq(lp_trust_store_new(&ts2), LP_OK);
	cr_assert_eq(lp_trust_add_anchor(ts2, lp_view_of((uint8_t *)aj, strlen(aj)), &d), LP_OK);
	cr_assert_neq(lp_trust_add_list(ts2, lp_view_of(t2, tl_len), &d), LP_OK);
	lp_trust_store_free(ts2);
	/* a bad export file is refused with a message */
	char *junk = lpt_fmt("%s/junk.json", root);
	lpt_write_file(junk, "{\"id\": 5}", 9);
	char *adir = lpt_fmt("%s/anchor", root);
	r = issuer("trustlist", "add", "--dir", adir, junk, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "error: cannot add"), "%s", r.err);
	lpt_run_free(&r);
	r = issuer("trustlist", "sign", "--dir", adir, "--out", tl, "--passphrase-file", junk, NULL);
	cr_assert_eq(r.status, 1);
	lpt_run_free(&r);
	free(adir);
	free(junk);
	free(t2);
	lp_trust_store_free(ts);
	free(tlb);
	free(aj);
	free(anchor);
	free(tl);
	free(ca);
	free(cb);
	free(da);
	free(db);
	free(a);
	free(b);
}

Test(issuer, locked_register)
{
	char *dir = make_store("s", "https://www.roc.example", "ROC");
	char *reg = lpt_fmt("%s/register.db", dir), *out = lpt_fmt("%s/c.cred", root);
	lp_register *hold;
	cr_assert_eq(lp_register_open(reg, &hold), LP_OK);
	cr_assert_eq(lp_register_begin(hold), LP_OK);
	const char *env[] = { "LEERPAS_LOCK_TIMEOUT_MS=100", NULL };
	const char *argv[] = { "leerpas-issuer", "issue", "--dir", dir, "--template", "microcredential", "--claims",
			       EX "/learner.json", "--out", out, "--passphrase-file", passfile, NULL };
	lpt_run r = lpt_runv(NULL, env, argv);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "locked by another process"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out, F_OK), 0, "a credential file was left behind");
	const char *argv2[] = { "leerpas-issuer", "revoke", "--dir", dir, "0011223344556677", NULL };
	r = lpt_runv(NULL, env, argv2);
	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "locked"), "%s", r.err);
	lpt_run_free(&r);
	lp_register_rollback(hold);
	lp_register_close(hold);
	r = lpt_runv(NULL, env, argv);
	OK_RUN(r);
	lpt_run_free(&r);
	free(reg);
	free(out);
	free(dir);
}

Test(issuer, full_disk_leaves_store_consistent)
{
	char *dir = make_store("s", "https://www.roc.example", "ROC");
	char *out = lpt_fmt("%s/c.cred", root), *outd = lpt_fmt("%s/out", root);
	struct rlimit old, lim;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	/* Small enough that neither the register's journal nor a credential
	 * file can be written in full. */
	lim.rlim_cur = 1000;
	lim.rlim_max = old.rlim_max;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	lpt_run r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json",
			   "--out", out, "--passphrase-file", passfile, NULL);
	lpt_run r2 = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", EX "/learners.csv",
			    "--out-dir", outd, "--passphrase-file", passfile, NULL);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_assert_not_null(strstr(r.err, "error: "), "%s", r.err);
	cr_assert_eq(r2.status, 2, "exit %d: %s", r2.status, r2.err);
	cr_assert_not_null(strstr(r2.err, "error: "), "%s", r2.err);
	lpt_run_free(&r);
	lpt_run_free(&r2);
	cr_assert_neq(access(out, F_OK), 0, "partial credential left behind");
	cr_assert_eq(register_count(dir), 0);
	/* with room again everything works, and the batch issues every row */
	r = issuer("issue-batch", "--dir", dir, "--template", "microcredential", "--csv", EX "/learners.csv",
		   "--out-dir", outd, "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	cr_assert_eq(json_integer_value(json_object_get(v, "skipped")), 0);
	json_decref(v);
	lpt_run_free(&r);

	/* the credential file itself does not fit: the register is rolled back */
	char *out2 = lpt_fmt("%s/c2.cred", root);
	size_t before = register_count(dir);
	lim.rlim_cur = 1200; /* below a credential's size (~1.7 KB) */
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = issuer("issue", "--dir", dir, "--template", "microcredential", "--claims", EX "/learner.json", "--out",
		   out2, "--passphrase-file", passfile, NULL);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert_eq(r.status, 2);
	lpt_run_free(&r);
	cr_assert_neq(access(out2, F_OK), 0);
	cr_assert_eq(register_count(dir), before);
	free(out2);
	free(out);
	free(outd);
	free(dir);
}

/* --- composition across schools (issue 6) ------------------------------- */

struct module {
	char path[512];
	uint8_t sk[64];
	char cti[33];
};

/* School `dir` issues `tmpl` to the learner in `claims`, bound to a fresh
 * key; the learner presents it to `aud` showing fullName. */
static void module_for_c(const char *dir, const char *school_id, const char *tmpl, const char *claims,
			 const char *aud, const char *tag, struct module *m, const char *cnonce)
{
	uint8_t sks[1][64];
	char *req = lpt_fmt("%s/%s.req", root, tag), *cred = lpt_fmt("%s/%s.cred", root, tag);
	make_request(school_id, 1, time(NULL), sks, req);
	memcpy(m->sk, sks[0], 64);
	lpt_run r = issuer("issue", "--dir", dir, "--template", tmpl, "--claims", claims, "--request", req, "--out",
			   cred, "--passphrase-file", passfile, "--json", NULL);
	OK_RUN(r);
	json_t *v = run_json(&r);
	snprintf(m->cti, sizeof m->cti, "%s",
		 json_string_value(json_object_get(json_array_get(json_object_get(v, "copies"), 0), "cti")));
	json_decref(v);
	lpt_run_free(&r);
	size_t len;
	uint8_t *c = (uint8_t *)lpt_read_file(cred, &len);
	const char *show[] = { "fullName" };
	lp_sdcwt_present_params pp = { show, 1, aud, time(NULL), (const uint8_t *)cnonce, cnonce ? strlen(cnonce) : 0, true };
	lp_buf pres;
	lp_diag d;
	cr_assert_eq(lp_sdcwt_present(lp_view_of(c, len), &pp, m->sk, &pres, &d), LP_OK, "%s", d.msg);
	snprintf(m->path, sizeof m->path, "%s/%s.pres", root, tag);
	lpt_write_file(m->path, pres.ptr, pres.len);
	lp_buf_free(&pres);
	free(c);
	free(req);
	free(cred);
}

static void module_for(const char *dir, const char *school_id, const char *tmpl, const char *claims, const char *aud,
		       const char *tag, struct module *m)
{
	module_for_c(dir, school_id, tmpl, claims, aud, tag, m, NULL);
}

Test(issuer, compose_from_modules_of_two_schools)
{
	const char *ida = "https://www.zorgcollege-amstelland.example", *idb = "https://www.roc-rijnland.example",
		   *idc = "https://www.roc-midden.example", *idx = "https://www.onbekend.example";
	char *a = make_store("a", ida, "Zorgcollege Amstelland");
	char *b = make_store("b", idb, "ROC Rijnland");
	char *c = make_store("c", idc, "ROC Midden");
	char *x = make_store("x", idx, "Onbekende school");
	char *da = export_desc(a), *db = export_desc(b), *dc = export_desc(c), *anchor;
	const char *descs[] = { da, db, dc };
	char *tl = make_trust_list(descs, 3, &anchor, "2020-01-01");
	char *other = lpt_fmt("%s/other.json", root);
	const char *ol = "{\"fullName\":\"Daan Visser\",\"studentId\":\"S9\"}";
	lpt_write_file(other, ol, strlen(ol));

	struct module ma, mb, mx, mo;
	module_for(a, ida, "keuzedeel", EX "/learner.json", idc, "ma", &ma);
	module_for(b, idb, "keuzedeel", EX "/learner.json", idc, "mb", &mb);
	module_for(x, idx, "keuzedeel", EX "/learner.json", idc, "mx", &mx);
	module_for(a, ida, "keuzedeel", other, idc, "mo", &mo);
	char *sta = lpt_fmt("%s/a.status", root), *stb = lpt_fmt("%s/b.status", root);
	lpt_run r = issuer("status", "publish", "--dir", a, "--out", sta, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	r = issuer("status", "publish", "--dir", b, "--out", stb, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);

#define COMPOSE(out, ...)                                                                                      \
	issuer("compose", "--dir", c, "--template", "mbo-certificaat", "--claims", EX "/learner.json",           \
	       "--trust-anchor", anchor, "--trust-list", tl, "--status", sta, "--status", stb, "--out", out,       \
	       "--passphrase-file", passfile, __VA_ARGS__, NULL)

	/* failure branches first: nothing may be recorded by them */
	char *out = lpt_fmt("%s/cert.cred", root);
	r = COMPOSE(out, "--from", ma.path, "--from", mx.path);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "mx.pres: refused"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "ma.pres: accepted"), "%s", r.err);
	lpt_run_free(&r);
	r = COMPOSE(out, "--from", ma.path, "--from", mo.path);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "mo.pres: refused: it was issued to 'Daan Visser'"), "%s", r.err);
	lpt_run_free(&r);
	r = COMPOSE(out, "--from", ma.path, "--from", ma.path);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "counts once"), "%s", r.err);
	lpt_run_free(&r);
	r = COMPOSE(out, "--from", ma.path, "--challenge", "abc123");
	cr_assert_eq(r.status, 1, "a presentation without the challenge was accepted");
	lpt_run_free(&r);
	/* a module presented to another school is refused */
	struct module mw;
	module_for(b, idb, "keuzedeel", EX "/learner.json", "https://elders.example", "mw", &mw);
	r = COMPOSE(out, "--from", mw.path);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "--audience"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out, F_OK), 0);
	cr_assert_eq(register_count(c), 0);

	/* the composition */
	r = COMPOSE(out, "--from", ma.path, "--from", mb.path, "--json");
	OK_RUN(r);
	json_t *v = run_json(&r);
	cr_assert_eq(json_array_size(json_object_get(v, "composed_of")), 2);
	json_decref(v);
	lpt_run_free(&r);
	lp_trust_store *ts = pinned(dc);
	size_t len;
	uint8_t *cred = (uint8_t *)lpt_read_file(out, &len);
	lp_sdcwt_result res;
	cr_assert_eq(verify_cred(cred, len, ts, NULL, &res), LP_OK, "%s", res.diag.msg);
	cr_assert_not_null(strstr(res.claims_json, "hasPart"), "%s", res.claims_json);
	cr_assert_not_null(strstr(res.claims_json, ma.cti), "%s", res.claims_json);
	cr_assert_not_null(strstr(res.claims_json, mb.cti), "%s", res.claims_json);
	cr_assert_not_null(strstr(res.claims_json, ida), "%s", res.claims_json);
	lp_sdcwt_result_free(&res);
	free(cred);

	/* a session tied by one code: the presentations answer the challenge
	 * and the request for the new credential carries it too */
	struct module c1, c2;
	char *cert3 = lpt_fmt("%s/cert3.cred", root), *req3 = lpt_fmt("%s/c3.req", root);
	uint8_t sks3[1][64];
	module_for_c(a, ida, "microcredential", EX "/learner.json", idc, "c1", &c1, "sessie-8841");
	module_for_c(b, idb, "microcredential", EX "/learner.json", idc, "c2", &c2, "sessie-8841");
	make_request_nonce(idc, 1, time(NULL), sks3, req3, "andere-code");
	r = COMPOSE(cert3, "--from", c1.path, "--from", c2.path, "--challenge", "sessie-8841", "--request", req3);
	cr_assert_eq(r.status, 1, "a request from another session was accepted");
	lpt_run_free(&r);
	make_request_nonce(idc, 1, time(NULL), sks3, req3, "sessie-8841");
	r = COMPOSE(cert3, "--from", c1.path, "--from", c2.path, "--challenge", "sessie-8841", "--request", req3);
	OK_RUN(r);
	cr_assert_null(strstr(r.err, "UNBOUND"), "%s", r.err);
	lpt_run_free(&r);
	free(cert3);
	free(req3);

	/* the same module again counts double: refused */
	char *out2 = lpt_fmt("%s/cert2.cred", root);
	r = COMPOSE(out2, "--from", ma.path);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "already counts toward"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_neq(access(out2, F_OK), 0);

	/* a revoked module is refused once its school publishes the status */
	struct module m2;
	module_for(b, idb, "microcredential", EX "/learner.json", idc, "m2", &m2);
	r = issuer("revoke", "--dir", b, m2.cti, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	r = issuer("status", "publish", "--dir", b, "--out", stb, "--passphrase-file", passfile, NULL);
	OK_RUN(r);
	lpt_run_free(&r);
	r = COMPOSE(out2, "--from", m2.path);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "revoked"), "%s", r.err);
	lpt_run_free(&r);
	/* and without the status list of its school it is not admitted */
	r = issuer("compose", "--dir", c, "--template", "mbo-certificaat", "--claims", EX "/learner.json",
		   "--trust-anchor", anchor, "--trust-list", tl, "--out", out2, "--passphrase-file", passfile, "--from",
		   mb.path, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "--status"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_eq(register_count(c), 2);

	lp_trust_store_free(ts);
	free(out);
	free(out2);
	free(sta);
	free(stb);
	free(other);
	free(tl);
	free(anchor);
	free(da);
	free(db);
	free(dc);
	free(a);
	free(b);
	free(c);
	free(x);
}
