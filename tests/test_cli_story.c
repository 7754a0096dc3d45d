/* The leerpas story end to end with the real programs, as docs/guide-*.md
 * and scripts/demo.sh tell it: an accreditation body recognises schools, a
 * learner collects modules, a school composes a certificate from them, an
 * employer verifies it from a QR image; and the failure branches: a module
 * from an unrecognised school, a module of another learner, a revoked
 * module, a module counted twice, verification at a time before a school
 * was recognised; and lifelong validity: a credential signed before a key
 * rotation, and one of a school that merged into another. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "helper.h"

#define EX LP_SOURCE_DIR "/examples/route"

static const char A_ID[] = "https://www.zorgcollege-amstelland.nl";
static const char B_ID[] = "https://www.hogeschool-domstad.nl";
static const char C_ID[] = "https://www.roc-rijnland-zorgcollege.nl";
static const char D_ID[] = "https://www.onbekende-opleider.example";

struct story {
	char *dir;  /* the temporary directory everything lives in */
	char *pass; /* one passphrase file (0600) for every key and wallet */
};

/* Strings a test keeps until its end (paths, ids): freed by story_done, so
 * that the suite stays clean under LeakSanitizer. */
static char *owned[512];
static size_t nowned;

static char *own(char *p)
{
	cr_assert_lt(nowned, sizeof owned / sizeof owned[0]);
	owned[nowned++] = p;
	return p;
}

static char *P(const struct story *s, const char *name)
{
	return own(lpt_fmt("%s/%s", s->dir, name));
}

/* Run a program with a NULL-terminated argument list (no stdin). */
static lpt_run run(const char *prog, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;
	argv[n++] = prog;
	va_start(ap, prog);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return lpt_runv(NULL, NULL, argv);
}

/* Assert an outcome and release it. */
static void expect(lpt_run r, int status, const char *in_err, const char *what)
{
	cr_assert_eq(r.status, status, "%s: exit %d, expected %d\nstdout: %s\nstderr: %s", what, r.status, status,
		     r.out, r.err);
	if (in_err)
		cr_assert(strstr(r.err, in_err) || strstr(r.out, in_err), "%s: output lacks '%s'\nstdout: %s\nstderr: %s",
			  what, in_err, r.out, r.err);
	lpt_run_free(&r);
}

static bool built(const char *prog)
{
	char *p = lpt_fmt("%s/%s", LP_BINARY_DIR, prog);
	bool ok = access(p, X_OK) == 0;
	free(p);
	return ok;
}

static void story_init(struct story *s)
{
	if (!built("leerpas-issuer") || !built("leerpas-wallet") || !built("leerpas-verifier"))
		cr_skip_test("the three programs are not all built yet");
	s->dir = own(lpt_tmpdir());
	s->pass = P(s, "pass");
	lpt_write_file(s->pass, "correct horse battery staple\n", 29);
	chmod(s->pass, 0600);
}

/* At the end of a test that passed: remove its directory (a failed test
 * keeps it, for looking at) and free what it kept. */
static void story_done(struct story *s)
{
	lpt_run r = lpt_run_args(NULL, "/bin/rm", "-rf", s->dir, NULL);
	lpt_run_free(&r);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	nowned = 0;
}

static void anchor_init(struct story *s)
{
	char *dir = P(s, "anchor");
	expect(run("leerpas-issuer", "trustlist", "init", "--dir", dir, "--id", "https://erkenning.example.nl", "--name",
		   "Erkenningsregister Onderwijs", "--passphrase-file", s->pass, "--kdf-memory", "8", "--kdf-passes", "1",
		   NULL),
	       0, NULL, "trustlist init");
}

/* A school store in DIR with the given template (from examples/route) and
 * its exported description DIR.json. */
static void school_init(struct story *s, const char *name, const char *id, const char *full, const char *tmpl)
{
	char *dir = P(s, name), *t = lpt_fmt("%s/templates/%s.json", EX, tmpl), *exp = lpt_fmt("%s/%s.json", s->dir, name);
	expect(run("leerpas-issuer", "init", "--dir", dir, "--id", id, "--name", full, "--passphrase-file", s->pass,
		   "--kdf-memory", "8", "--kdf-passes", "1", NULL),
	       0, NULL, "init");
	expect(run("leerpas-issuer", "template", "add", "--dir", dir, t, NULL), 0, NULL, "template add");
	expect(run("leerpas-issuer", "export", "--dir", dir, "--out", exp, NULL), 0, NULL, "export");
	free(t);
	free(exp);
}

static void export_again(struct story *s, const char *name, const char *predecessor)
{
	char *dir = P(s, name), *exp = lpt_fmt("%s/%s.json", s->dir, name);
	unlink(exp);
	if (predecessor) {
		char *pj = lpt_fmt("%s/%s.json", s->dir, predecessor);
		expect(run("leerpas-issuer", "export", "--dir", dir, "--out", exp, "--predecessor", pj, NULL), 0, NULL,
		       "export --predecessor");
		free(pj);
	} else
		expect(run("leerpas-issuer", "export", "--dir", dir, "--out", exp, NULL), 0, NULL, "export");
	free(exp);
}

static void trust_add(struct story *s, const char *name, const char *from)
{
	char *dir = P(s, "anchor"), *exp = lpt_fmt("%s/%s.json", s->dir, name);
	expect(run("leerpas-issuer", "trustlist", "add", "--dir", dir, exp, "--from", from, NULL), 0, NULL,
	       "trustlist add");
	free(exp);
}

static void trust_sign(struct story *s)
{
	char *dir = P(s, "anchor"), *out = P(s, "trustlist.cose");
	unlink(out);
	expect(run("leerpas-issuer", "trustlist", "sign", "--dir", dir, "--out", out, "--passphrase-file", s->pass, NULL),
	       0, NULL, "trustlist sign");
}

static void wallet_init(struct story *s, const char *w)
{
	char *path = lpt_fmt("%s/%s.lpw", s->dir, w);
	expect(run("leerpas-wallet", "init", "--wallet", path, "--passphrase-file", s->pass, "--kdf-ops", "1",
		   "--kdf-mem-mib", "8", NULL),
	       0, NULL, "wallet init");
	free(path);
}

/* The learner requests, the school issues (bound), the wallet imports as
 * ID. Returns the cti (hex, malloc'd). */
static char *issue(struct story *s, const char *school, const char *id, const char *tmpl, const char *claims,
		   const char *w, const char *cred)
{
	char *wp = lpt_fmt("%s/%s.lpw", s->dir, w), *req = lpt_fmt("%s/%s.req", s->dir, cred),
	     *out = lpt_fmt("%s/%s.cred", s->dir, cred), *dir = P(s, school), *cl = lpt_fmt("%s/%s", EX, claims),
	     *exp = lpt_fmt("%s/%s.json", s->dir, school), *cti;
	lpt_run r;
	json_t *j;
	expect(run("leerpas-wallet", "request", "--issuer", id, "--out", req, "--wallet", wp, "--passphrase-file", s->pass,
		   NULL),
	       0, NULL, "request");
	r = run("leerpas-issuer", "issue", "--dir", dir, "--template", tmpl, "--claims", cl, "--request", req, "--out", out,
		"--passphrase-file", s->pass, "--json", NULL);
	cr_assert_eq(r.status, 0, "issue: %s", r.err);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "issue --json: %s", r.out);
	cti = own(strdup(json_string_value(json_object_get(json_array_get(json_object_get(j, "copies"), 0), "cti"))));
	json_decref(j);
	lpt_run_free(&r);
	expect(run("leerpas-wallet", "import", out, "--id", cred, "--issuer-key", exp, "--wallet", wp, "--passphrase-file",
		   s->pass, NULL),
	       0, NULL, "import");
	free(wp);
	free(req);
	free(out);
	free(cl);
	free(exp);
	return cti;
}

/* Present credential cred from wallet w to audience (NULL: walk-up) with
 * the name shown, as LP1: text in file NAME (returned path, malloc'd), or
 * as a QR PNG when png. */
static char *present(struct story *s, const char *w, const char *cred, const char *aud, const char *name, bool png)
{
	char *wp = lpt_fmt("%s/%s.lpw", s->dir, w), *out = P(s, name);
	lpt_run r;
	if (png)
		r = aud ? run("leerpas-wallet", "present", cred, "--show", "fullName", "--audience", aud, "--qr-png", out,
			      "--yes", "--wallet", wp, "--passphrase-file", s->pass, NULL)
			: run("leerpas-wallet", "present", cred, "--show", "fullName", "--qr-png", out, "--yes", "--wallet",
			      wp, "--passphrase-file", s->pass, NULL);
	else
		r = aud ? run("leerpas-wallet", "present", cred, "--show", "fullName", "--audience", aud, "--text", "--yes",
			      "--wallet", wp, "--passphrase-file", s->pass, NULL)
			: run("leerpas-wallet", "present", cred, "--show", "fullName", "--text", "--yes", "--wallet", wp,
			      "--passphrase-file", s->pass, NULL);
	cr_assert_eq(r.status, 0, "present %s: %s", cred, r.err);
	if (!png) {
		char *lp1 = strstr(r.out, "LP1:");
		cr_assert_not_null(lp1, "present --text prints LP1: text: %s", r.out);
		lpt_write_file(out, lp1, strlen(lp1));
	}
	lpt_run_free(&r);
	free(wp);
	return out;
}

static void status_publish(struct story *s, const char *school)
{
	char *dir = P(s, school), *out = lpt_fmt("%s/%s.status", s->dir, school);
	expect(run("leerpas-issuer", "status", "publish", "--dir", dir, "--out", out, "--passphrase-file", s->pass, NULL), 0,
	       NULL, "status publish");
	free(out);
}

/* The employer's verifier store: the anchor and the trust list. */
static char *employer(struct story *s)
{
	char *store = P(s, "employer"), *anchor = P(s, "anchor/anchor.json"), *tl = P(s, "trustlist.cose");
	expect(run("leerpas-verifier", "trust", "anchor", "add", anchor, "--store", store, NULL), 0, NULL, "anchor add");
	expect(run("leerpas-verifier", "trust", "import", tl, "--store", store, NULL), 0, NULL, "trust import");
	return store;
}

static void employer_status(struct story *s, const char *store, const char *school)
{
	char *f = lpt_fmt("%s/%s.status", s->dir, school);
	expect(run("leerpas-verifier", "status", "import", f, "--store", store, NULL), 0, NULL, "status import");
	free(f);
}

/* The modules of the story: two keuzedelen from Zorgcollege Amstelland and
 * a microcredential from Hogeschool Domstad; ROC Rijnland Zorgcollege
 * composes. ctis: k0228, k0847, ehealth. */
static void modules(struct story *s, char *ctis[3])
{
	anchor_init(s);
	school_init(s, "amstelland", A_ID, "Zorgcollege Amstelland", "keuzedeel-omgaan-met-dementie");
	expect(run("leerpas-issuer", "template", "add", "--dir", P(s, "amstelland"),
		   EX "/templates/keuzedeel-technologie-in-de-zorg.json", NULL),
	       0, NULL, "second template");
	school_init(s, "domstad", B_ID, "Hogeschool Domstad", "microcredential-zorgtechnologie-ehealth");
	school_init(s, "rijnland", C_ID, "ROC Rijnland Zorgcollege", "mbo-certificaat-ouderenzorg-en-technologie");
	trust_add(s, "amstelland", "2020-01-01");
	trust_add(s, "domstad", "2020-01-01");
	trust_add(s, "rijnland", "2020-01-01");
	trust_sign(s);
	wallet_init(s, "noor");
	ctis[0] = issue(s, "amstelland", A_ID, "keuzedeel-omgaan-met-dementie", "learner-k0228.json", "noor", "k0228");
	ctis[1] = issue(s, "amstelland", A_ID, "keuzedeel-technologie-in-de-zorg", "learner-k0847.json", "noor", "k0847");
	ctis[2] = issue(s, "domstad", B_ID, "microcredential-zorgtechnologie-ehealth", "learner-ehealth.json", "noor",
			"ehealth");
	status_publish(s, "amstelland");
	status_publish(s, "domstad");
}

/* compose at Rijnland from the given presentation files; returns the run. */
static lpt_run compose(struct story *s, const char *claims, const char *out, const char *f1, const char *f2,
		       const char *f3)
{
	char *dir = P(s, "rijnland"), *cl = lpt_fmt("%s/%s", EX, claims), *o = P(s, out), *anchor = P(s, "anchor/anchor.json"),
	     *tl = P(s, "trustlist.cose"), *sa = P(s, "amstelland.status"), *sb = P(s, "domstad.status");
	const char *argv[40];
	size_t n = 0;
	lpt_run r;
	const char *base[] = { "leerpas-issuer", "compose", "--dir", dir, "--template",
			       "mbo-certificaat-ouderenzorg-en-technologie", "--claims", cl, "--out", o,
			       "--trust-anchor", anchor, "--trust-list", tl, "--status", sa, "--status", sb,
			       "--passphrase-file", s->pass };
	for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
		argv[n++] = base[i];
	const char *from[3] = { f1, f2, f3 };
	for (size_t i = 0; i < 3; i++)
		if (from[i]) {
			argv[n++] = "--from";
			argv[n++] = from[i];
		}
	argv[n] = NULL;
	r = lpt_runv(NULL, NULL, argv);
	free(cl);
	return r;
}

/* Key periods are whole seconds and a key's end is exclusive: a credential
 * signed in the very second of a rotation would (rightly) fall outside the
 * old key's period. Wait for the clock to pass into the next second, so
 * that "signed before the rotation" is what the test really has. This is
 * not a timing assertion: nothing is measured. */
static void next_second(void)
{
	time_t t0 = time(NULL);
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	while (time(NULL) == t0)
		nanosleep(&ts, NULL);
}

static bool exists(struct story *s, const char *name)
{
	char *p = P(s, name);
	bool e = access(p, F_OK) == 0;
	return e;
}

Test(story, modules_compose_present_verify_revoke, .timeout = 240)
{
	struct story s;
	char *ctis[3];
	story_init(&s);
	modules(&s, ctis);
	char *p1 = present(&s, "noor", "k0228", C_ID, "k0228-to-c.txt", false);
	char *p2 = present(&s, "noor", "k0847", C_ID, "k0847-to-c.txt", false);
	char *p3 = present(&s, "noor", "ehealth", C_ID, "ehealth-to-c.txt", false);
	char *req = P(&s, "cert.req"), *wp = P(&s, "noor.lpw");
	expect(run("leerpas-wallet", "request", "--issuer", C_ID, "--out", req, "--wallet", wp, "--passphrase-file", s.pass,
		   NULL),
	       0, NULL, "request");
	/* compose with the request: bound to Noor's new key. */
	char *dir = P(&s, "rijnland"), *anchor = P(&s, "anchor/anchor.json"), *tl = P(&s, "trustlist.cose"),
	     *sa = P(&s, "amstelland.status"), *sb = P(&s, "domstad.status"), *cert = P(&s, "cert.cred");
	lpt_run r = run("leerpas-issuer", "compose", "--dir", dir, "--template", "mbo-certificaat-ouderenzorg-en-technologie",
			"--claims", EX "/learner-certificaat.json", "--from", p1, "--from", p2, "--from", p3,
			"--trust-anchor", anchor, "--trust-list", tl, "--status", sa, "--status", sb, "--request", req,
			"--out", cert, "--passphrase-file", s.pass, "--json", NULL);
	cr_assert_eq(r.status, 0, "compose: %s", r.err);
	json_t *j = json_loads(r.out, 0, NULL);
	cr_assert_eq(json_array_size(json_object_get(j, "composed_of")), 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "composed_of"), i), "cti")),
				 ctis[i]);
	json_decref(j);
	lpt_run_free(&r);
	char *exp = P(&s, "rijnland.json");
	expect(run("leerpas-wallet", "import", cert, "--id", "certificaat", "--issuer-key", exp, "--wallet", wp,
		   "--passphrase-file", s.pass, NULL),
	       0, NULL, "import certificate");

	/* The route: the certificate counts 564 hours, its modules inside it. */
	r = run("leerpas-wallet", "route", "--qualification", EX "/qualification-25491-verzorgende-ig.json",
		"--qualification", EX "/qualification-80094-ad-zorg-en-technologie.json", "--json", "--wallet", wp,
		"--passphrase-file", s.pass, NULL);
	cr_assert_eq(r.status, 0, "route: %s", r.err);
	j = json_loads(r.out, 0, NULL);
	cr_assert_not_null(j, "route --json: %s", r.out);
	json_t *q = json_array_get(json_object_get(j, "qualifications"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(q, "qualificationCode")), "25491");
	cr_assert_eq(json_integer_value(json_object_get(q, "gathered")), 564);
	cr_assert_eq(json_array_size(json_object_get(q, "missing")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(j, "learner")), "Noor Jansen");
	json_decref(j);
	lpt_run_free(&r);
	char *svg = P(&s, "route.svg");
	expect(run("leerpas-wallet", "route", "--qualification", EX "/qualification-25491-verzorgende-ig.json", "--svg", svg,
		   "--wallet", wp, "--passphrase-file", s.pass, NULL),
	       0, "564 of 4800 hours (11%)", "route text and svg");
	cr_assert(exists(&s, "route.svg"));
	expect(run("leerpas-wallet", "route", "--qualification", EX "/learner-k0228.json", "--wallet", wp,
		   "--passphrase-file", s.pass, NULL),
	       2, "not usable", "a file that is not a description");

	/* The employer verifies the certificate from the PNG. */
	status_publish(&s, "rijnland");
	char *store = employer(&s);
	employer_status(&s, store, "amstelland");
	employer_status(&s, store, "domstad");
	employer_status(&s, store, "rijnland");
	char *png = present(&s, "noor", "certificaat", NULL, "cert.png", true);
	r = run("leerpas-verifier", "verify", "--image", png, "--store", store, "--json", NULL);
	cr_assert_eq(r.status, 0, "verify certificate: %s %s", r.out, r.err);
	j = json_loads(r.out, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "VALID");
	json_t *claims = json_object_get(j, "claims");
	cr_assert_str_eq(json_string_value(json_object_get(claims, "fullName")), "Noor Jansen");
	cr_assert_str_eq(json_string_value(json_object_get(claims, "title")), "Mbo-certificaat Ouderenzorg en technologie");
	cr_assert_null(json_object_get(claims, "dateOfBirth"), "only the name of the redactable claims");
	cr_assert_null(json_object_get(claims, "studentId"));
	json_decref(j);
	lpt_run_free(&r);
	/* The employer reads what it counts toward and what it is made of as
	 * sentences, not JSON. */
	r = run("leerpas-verifier", "verify", "--image", png, "--store", store, NULL);
	cr_assert_eq(r.status, 0, "verify certificate: %s %s", r.out, r.err);
	cr_assert(strstr(r.out, "Counts toward:") && strstr(r.out, "Verzorgende-IG (25491), 564 hours"),
		  "counts toward as a sentence: %s", r.out);
	cr_assert(strstr(r.out, "Composed of:") && strstr(r.out, ", credential ") &&
		  !strstr(r.out, "\"cti\""), "composed of as a sentence: %s", r.out);
	lpt_run_free(&r);

	/* A module, valid; revoked by its school; invalid. */
	char *mpng = present(&s, "noor", "k0228", NULL, "k0228.png", true);
	expect(run("leerpas-verifier", "verify", "--image", mpng, "--store", store, NULL), 0, "VALID", "module before");
	expect(run("leerpas-issuer", "revoke", "--dir", P(&s, "amstelland"), ctis[0], "--reason", "test", NULL), 0, NULL,
	       "revoke");
	status_publish(&s, "amstelland");
	employer_status(&s, store, "amstelland");
	expect(run("leerpas-verifier", "verify", "--image", mpng, "--store", store, NULL), 1, "revoked", "module after");
	/* The certificate made from it before the revocation stands on its own. */
	expect(run("leerpas-verifier", "verify", "--image", png, "--store", store, NULL), 0, "VALID", "certificate after");
	/* The learner's wallet learns of it; her route no longer counts it. */
	char *st = P(&s, "amstelland.status"), *ak = P(&s, "amstelland.json");
	expect(run("leerpas-wallet", "status", st, "--issuer-key", ak, "--wallet", wp, "--passphrase-file", s.pass, NULL), 0,
	       NULL, "wallet status");
	r = run("leerpas-wallet", "route", "--qualification", EX "/qualification-25491-verzorgende-ig.json", "--json",
		"--wallet", wp, "--passphrase-file", s.pass, NULL);
	cr_assert_eq(r.status, 0, "route: %s", r.err);
	j = json_loads(r.out, 0, NULL);
	q = json_array_get(json_object_get(j, "qualifications"), 0);
	json_t *ents = json_object_get(q, "credentials");
	bool seen = false;
	for (size_t i = 0; i < json_array_size(ents); i++) {
		json_t *e = json_array_get(ents, i);
		if (strcmp(json_string_value(json_object_get(e, "id")), "k0228") == 0) {
			cr_assert_str_eq(json_string_value(json_object_get(e, "state")), "revoked");
			seen = true;
		}
	}
	cr_assert(seen, "k0228 in the route: %s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(q, "gathered")), 564, "the certificate still counts");
	json_decref(j);
	lpt_run_free(&r);
	story_done(&s);
}

Test(story, compose_refuses_a_module_from_an_unrecognised_school, .timeout = 240)
{
	struct story s;
	char *ctis[3];
	story_init(&s);
	modules(&s, ctis);
	/* A training provider that is not on the trust list. */
	school_init(&s, "onbekend", D_ID, "Onbekende Opleider", "keuzedeel-omgaan-met-dementie");
	char *cti = issue(&s, "onbekend", D_ID, "keuzedeel-omgaan-met-dementie", "learner-k0228.json", "noor", "fake");
	(void)cti;
	char *p1 = present(&s, "noor", "fake", C_ID, "fake-to-c.txt", false);
	char *p2 = present(&s, "noor", "k0847", C_ID, "k0847-to-c.txt", false);
	lpt_run r = compose(&s, "learner-certificaat.json", "cert.cred", p1, p2, NULL);
	cr_assert_eq(r.status, 1, "refused: %s", r.err);
	cr_assert_not_null(strstr(r.err, "fake-to-c.txt: refused"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "k0847-to-c.txt: accepted"), "each module has its own verdict: %s", r.err);
	cr_assert_not_null(strstr(r.err, "nothing was issued"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_not(exists(&s, "cert.cred"));
	story_done(&s);
}

Test(story, compose_refuses_a_module_of_another_learner, .timeout = 240)
{
	struct story s;
	char *ctis[3];
	story_init(&s);
	modules(&s, ctis);
	/* Sanne hands in Noor's presentation as her own. */
	static const char sanne[] = "{\"fullName\":\"Sanne de Wit\",\"dateOfBirth\":\"1993-02-11\","
				    "\"studentId\":\"RR-2026-0400\",\"awardingDate\":\"2026-07-03\"}";
	char *sp = P(&s, "sanne.json");
	lpt_write_file(sp, sanne, sizeof sanne - 1);
	char *p1 = present(&s, "noor", "k0228", C_ID, "k0228-to-c.txt", false);
	char *dir = P(&s, "rijnland"), *anchor = P(&s, "anchor/anchor.json"), *tl = P(&s, "trustlist.cose"),
	     *sa = P(&s, "amstelland.status"), *out = P(&s, "cert.cred");
	expect(run("leerpas-issuer", "compose", "--dir", dir, "--template", "mbo-certificaat-ouderenzorg-en-technologie",
		   "--claims", sp, "--from", p1, "--trust-anchor", anchor, "--trust-list", tl, "--status", sa,
		   "--passphrase-file", s.pass, "--out", out, NULL),
	       1, "not to 'Sanne de Wit'", "another learner's module");
	cr_assert_not(exists(&s, "cert.cred"));
	/* Nor can Sanne's wallet take Noor's credential: it is bound to Noor's key. */
	wallet_init(&s, "sanne");
	char *k = P(&s, "k0228.cred"), *sw = P(&s, "sanne.lpw");
	lpt_run r = run("leerpas-wallet", "import", k, "--wallet", sw, "--passphrase-file", s.pass, NULL);
	cr_assert_eq(r.status, 1, "import of another holder's credential: %d %s", r.status, r.err);
	lpt_run_free(&r);
	/* A module presented to another school is refused here (audience). */
	char *p2 = present(&s, "noor", "k0847", B_ID, "k0847-to-b.txt", false);
	r = compose(&s, "learner-certificaat.json", "cert2.cred", p2, NULL, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "--audience"), "says how to present it: %s", r.err);
	lpt_run_free(&r);
	story_done(&s);
}

Test(story, compose_refuses_a_revoked_module, .timeout = 240)
{
	struct story s;
	char *ctis[3];
	story_init(&s);
	modules(&s, ctis);
	expect(run("leerpas-issuer", "revoke", "--dir", P(&s, "amstelland"), ctis[1], NULL), 0, NULL, "revoke");
	status_publish(&s, "amstelland");
	char *p1 = present(&s, "noor", "k0228", C_ID, "k0228-to-c.txt", false);
	char *p2 = present(&s, "noor", "k0847", C_ID, "k0847-to-c.txt", false);
	lpt_run r = compose(&s, "learner-certificaat.json", "cert.cred", p1, p2, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "k0847-to-c.txt: refused: it is revoked"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_not(exists(&s, "cert.cred"));
	story_done(&s);
}

Test(story, compose_refuses_to_count_a_module_twice, .timeout = 240)
{
	struct story s;
	char *ctis[3];
	story_init(&s);
	modules(&s, ctis);
	char *p1 = present(&s, "noor", "k0228", C_ID, "k0228-to-c.txt", false);
	char *p1b = present(&s, "noor", "k0228", C_ID, "k0228-to-c-again.txt", false);
	char *p2 = present(&s, "noor", "k0847", C_ID, "k0847-to-c.txt", false);
	/* The same module twice in one composition. */
	lpt_run r = compose(&s, "learner-certificaat.json", "twice.cred", p1, p1b, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "a module counts once"), "%s", r.err);
	lpt_run_free(&r);
	cr_assert_not(exists(&s, "twice.cred"));
	/* Counted once toward a certificate, then offered for another one. */
	r = compose(&s, "learner-certificaat.json", "first.cred", p1, p2, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	lpt_run_free(&r);
	char *p1c = present(&s, "noor", "k0228", C_ID, "k0228-to-c-third.txt", false);
	r = compose(&s, "learner-certificaat.json", "second.cred", p1c, NULL, NULL);
	cr_assert_eq(r.status, 1, "a module already counted toward a credential of this school: %s", r.err);
	lpt_run_free(&r);
	cr_assert_not(exists(&s, "second.cred"));
	story_done(&s);
}

Test(story, verification_before_the_school_was_recognised_fails, .timeout = 240)
{
	struct story s;
	story_init(&s);
	anchor_init(&s);
	school_init(&s, "domstad", B_ID, "Hogeschool Domstad", "microcredential-zorgtechnologie-ehealth");
	trust_add(&s, "domstad", "2026-01-01");
	trust_sign(&s);
	wallet_init(&s, "noor");
	issue(&s, "domstad", B_ID, "microcredential-zorgtechnologie-ehealth", "learner-ehealth.json", "noor", "mc");
	char *store = employer(&s);
	char *png = present(&s, "noor", "mc", NULL, "mc.png", true);
	expect(run("leerpas-verifier", "verify", "--image", png, "--store", store, NULL), 0, "VALID", "now");
	/* In 2025 the school was not yet recognised (nor was this issued). */
	expect(run("leerpas-verifier", "verify", "--image", png, "--store", store, "--at", "2025-06-01", NULL), 1,
	       "not yet recognised",
	       "--at before recognition");
	/* Twenty years on, the diploma still verifies (no expiry, key period
	 * judged at issue time); status information is then absent or old. */
	expect(run("leerpas-verifier", "verify", "--image", png, "--store", store, "--at", "2046-06-01", NULL), 0, "VALID",
	       "--at 2046");
	story_done(&s);
}

Test(story, a_credential_signed_before_a_key_rotation_still_verifies, .timeout = 240)
{
	struct story s;
	story_init(&s);
	anchor_init(&s);
	school_init(&s, "domstad", B_ID, "Hogeschool Domstad", "microcredential-zorgtechnologie-ehealth");
	trust_add(&s, "domstad", "2020-01-01");
	trust_sign(&s);
	wallet_init(&s, "noor");
	issue(&s, "domstad", B_ID, "microcredential-zorgtechnologie-ehealth", "learner-ehealth.json", "noor", "old");
	/* Rotate: the old key is retired, the description re-exported, the
	 * anchor re-signs its list; the verifier only ever sees the new list. */
	next_second();
	expect(run("leerpas-issuer", "key", "rotate", "--dir", P(&s, "domstad"), "--passphrase-file", s.pass, NULL), 0, NULL,
	       "key rotate");
	export_again(&s, "domstad", NULL);
	trust_add(&s, "domstad", "2020-01-01");
	trust_sign(&s);
	issue(&s, "domstad", B_ID, "microcredential-zorgtechnologie-ehealth", "learner-ehealth.json", "noor", "new");
	char *store = employer(&s);
	char *po = present(&s, "noor", "old", NULL, "old.png", true);
	char *pn = present(&s, "noor", "new", NULL, "new.png", true);
	expect(run("leerpas-verifier", "verify", "--image", po, "--store", store, NULL), 0, "VALID", "signed by the old key");
	expect(run("leerpas-verifier", "verify", "--image", pn, "--store", store, NULL), 0, "VALID", "signed by the new key");
	lpt_run r = run("leerpas-issuer", "key", "list", "--dir", P(&s, "domstad"), "--json", NULL);
	cr_assert_eq(r.status, 0);
	json_t *j = json_loads(r.out, 0, NULL);
	json_t *keys = json_is_array(j) ? j : json_object_get(j, "keys");
	cr_assert_eq(json_array_size(keys), 2, "both keys kept: %s", r.out);
	json_decref(j);
	lpt_run_free(&r);
	story_done(&s);
}

Test(story, a_predecessor_schools_credential_verifies_through_its_successor, .timeout = 240)
{
	struct story s;
	static const char OLD_ID[] = "https://www.roc-leiden-oud.example";
	story_init(&s);
	anchor_init(&s);
	/* ROC Leiden (old) issues, then merges into ROC Rijnland Zorgcollege. */
	school_init(&s, "oud", OLD_ID, "ROC Leiden", "keuzedeel-omgaan-met-dementie");
	school_init(&s, "rijnland", C_ID, "ROC Rijnland Zorgcollege", "mbo-certificaat-ouderenzorg-en-technologie");
	wallet_init(&s, "noor");
	issue(&s, "oud", OLD_ID, "keuzedeel-omgaan-met-dementie", "learner-k0228.json", "noor", "k0228");
	char *png = present(&s, "noor", "k0228", NULL, "k0228.png", true);

	/* Without the merger on record the old school is unknown. */
	trust_add(&s, "rijnland", "2020-01-01");
	trust_sign(&s);
	char *store = employer(&s);
	expect(run("leerpas-verifier", "verify", "--image", png, "--store", store, NULL), 1, "INVALID", "unknown school");

	/* The successor lists its predecessor; the anchor re-signs. */
	export_again(&s, "rijnland", "oud");
	trust_add(&s, "rijnland", "2020-01-01");
	trust_sign(&s);
	char *tl = P(&s, "trustlist.cose");
	expect(run("leerpas-verifier", "trust", "import", tl, "--store", store, NULL), 0, NULL, "newer list");
	expect(run("leerpas-verifier", "verify", "--image", png, "--store", store, NULL), 0, "VALID",
	       "through the successor");
	story_done(&s);
}
