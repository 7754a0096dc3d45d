/* leerpas benchmark, item 2: verify a presentation from its LP1: text in
 * process, and its ratio to the primitives it cannot avoid: two Ed25519
 * verifications (the issuer's signature over the credential, the holder's
 * over the presentation) and one SHA-256 per disclosure it checks. Also
 * item 8: the size of the presentation and its QR version at ECC M. */
#include "bench.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "leerpas/codec.h"
#include "leerpas/qr.h"
#include "prims.h"
#include "leerpas/fileio.h"

static struct {
	bench_fixture f;
	lp_sdcwt_verify_params vp;
	/* The primitives' inputs, with the sizes of the real signed data. */
	uint8_t *msg_issuer, *msg_holder;
	size_t len_issuer, len_holder;
	uint8_t sig_issuer[crypto_sign_BYTES], sig_holder[crypto_sign_BYTES];
	uint8_t disclosure[60];
	uint8_t digest[crypto_hash_sha256_BYTES];
	size_t ndigests;
} V;

/* The whole in-process verification: LP1 text to a verified result with the
 * disclosed claims as JSON, the issuer found in the trust store, the status
 * looked up in the cached list. */
static int do_verify_lp1(void *ctx)
{
	(void)ctx;
	lp_buf cbor = { NULL, 0 };
	lp_diag d;
	if (lp_qrtext_decode(lp_view_of(V.f.lp1.ptr, V.f.lp1.len), 0, &cbor, &d) != LP_OK)
		return 1;
	int bad = bench_fixture_check(&V.f, lp_buf_view(&cbor));
	lp_buf_free(&cbor);
	return bad;
}

static int do_decode_only(void *ctx)
{
	(void)ctx;
	lp_buf cbor = { NULL, 0 };
	lp_diag d;
	if (lp_qrtext_decode(lp_view_of(V.f.lp1.ptr, V.f.lp1.len), 0, &cbor, &d) != LP_OK)
		return 1;
	lp_buf_free(&cbor);
	return 0;
}

static int do_verify_only(void *ctx)
{
	(void)ctx;
	return bench_fixture_check(&V.f, lp_buf_view(&V.f.presentation));
}

static int do_prims(void *ctx)
{
	(void)ctx;
	if (crypto_sign_verify_detached(V.sig_issuer, V.msg_issuer, V.len_issuer, V.f.issuer_pk) != 0)
		return 1;
	if (crypto_sign_verify_detached(V.sig_holder, V.msg_holder, V.len_holder, V.f.holder_pk) != 0)
		return 1;
	for (size_t i = 0; i < V.ndigests; i++)
		crypto_hash_sha256(V.digest, V.disclosure, sizeof V.disclosure);
	return 0;
}

int bench_verify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bench_fixture_micro(&V.f);
	bench_fixture_verify_params(&V.f, &V.vp);

	/* The issuer signs (about) the credential's bytes, the holder the
	 * presentation's, which carries the credential in its protected
	 * header: sign random messages of those lengths. */
	V.len_issuer = V.f.credential.len;
	V.len_holder = V.f.presentation.len;
	V.msg_issuer = malloc(V.len_issuer);
	V.msg_holder = malloc(V.len_holder);
	if (!V.msg_issuer || !V.msg_holder)
		bench_die("out of memory");
	randombytes_buf(V.msg_issuer, V.len_issuer);
	randombytes_buf(V.msg_holder, V.len_holder);
	randombytes_buf(V.disclosure, sizeof V.disclosure);
	crypto_sign_detached(V.sig_issuer, NULL, V.msg_issuer, V.len_issuer, V.f.issuer_sk);
	crypto_sign_detached(V.sig_holder, NULL, V.msg_holder, V.len_holder, V.f.holder_sk);
	V.ndigests = V.f.nshown;

	bench_case cases[] = {
		{ "verify.lp1", do_verify_lp1, NULL },
		{ "verify.prims", do_prims, NULL },
		{ "verify.breakdown.decode", do_decode_only, NULL },
		{ "verify.breakdown.verify_only", do_verify_only, NULL },
	};
	size_t n = sizeof cases / sizeof cases[0];
	bench_stat st[4];
	double wr = 0, cr = 0;
	if (bench_run_paired(cases, n, &bench_default, st, 0, 1, &wr, &cr) != 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		bench_emit_stat(cases[i].id, &st[i]);
	bench_emit_value("verify.ratio_paired", wr, "ratio");
	bench_emit_value("verify.cpu_ratio_paired", cr, "ratio");
	bench_emit_value("verify.digests", (double)V.ndigests, "digests");
	bench_emit_value("verify.lp1_chars", (double)V.f.lp1.len, "chars");

	free(V.msg_issuer);
	free(V.msg_holder);
	bench_fixture_free(&V.f);
	return 0;
}

/* Item 8: sizes of the typical presentations. */
/* Write bytes to dir/name (for inspection and for the process figures). */
static void dump(const char *dir, const char *tag, const char *ext, const lp_buf *b)
{
	if (!dir)
		return;
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.%s", dir, tag, ext);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(b->ptr, 1, b->len, fp) != b->len || fclose(fp) != 0)
		bench_die("cannot write %s", path);
}

static void emit_size(const char *tag, const char *tmpl, const char *learner, const char *shown,
		      const char *dir)
{
	bench_fixture f;
	char t[1024], l[1024];
	bench_fixture_make(&f, bench_src_path(tmpl, t, sizeof t), bench_src_path(learner, l, sizeof l), shown);
	lp_buf z = { NULL, 0 };
	if (lp_deflate_lp1(lp_buf_view(&f.presentation), &z) != LP_OK)
		bench_die("deflate failed");
	char id[128];
	snprintf(id, sizeof id, "size.%s.credential_bytes", tag);
	bench_emit_value(id, (double)f.credential.len, "bytes");
	snprintf(id, sizeof id, "size.%s.cbor_bytes", tag);
	bench_emit_value(id, (double)f.presentation.len, "bytes");
	snprintf(id, sizeof id, "size.%s.deflated_bytes", tag);
	bench_emit_value(id, (double)z.len, "bytes");
	snprintf(id, sizeof id, "size.%s.lp1_chars", tag);
	bench_emit_value(id, (double)f.lp1.len, "chars");
	/* The version the project's own encoder picks (alphanumeric mode). */
	lp_qr qr;
	if (lp_qr_encode(lp_buf_view(&f.lp1), LP_QR_ECC_M, &qr) != LP_OK)
		bench_die("%s: the LP1 text does not fit any QR version", tmpl);
	int v = qr.version;
	lp_qr_free(&qr);
	snprintf(id, sizeof id, "size.%s.qr_version", tag);
	bench_emit_value(id, v, "version");
	/* The same credential shown walk-up: no verifier named, no challenge
	 * (a QR code on paper or on the learner's screen for anyone to scan). */
	lp_buf wp = { NULL, 0 }, wt = { NULL, 0 };
	if (bench_fixture_present(&f, BENCH_AUD_WALKUP, NULL, 0, &wp) != 0 ||
	    lp_qrtext_encode(lp_buf_view(&wp), &wt) != LP_OK)
		bench_die("%s: walk-up presentation failed", tmpl);
	snprintf(id, sizeof id, "size.%s.walkup.cbor_bytes", tag);
	bench_emit_value(id, (double)wp.len, "bytes");
	snprintf(id, sizeof id, "size.%s.walkup.lp1_chars", tag);
	bench_emit_value(id, (double)wt.len, "chars");
	if (lp_qr_encode(lp_buf_view(&wt), LP_QR_ECC_M, &qr) != LP_OK)
		bench_die("%s: the walk-up LP1 text does not fit any QR version", tmpl);
	snprintf(id, sizeof id, "size.%s.walkup.qr_version", tag);
	bench_emit_value(id, qr.version, "version");
	lp_qr_free(&qr);
	dump(dir, tag, "walkup.lp1.txt", &wt);
	lp_buf_free(&wp);
	lp_buf_free(&wt);
	/* With the achievement specification included (every claim in the QR
	 * code, as the peer of item 10 carries them), for the same verifier. */
	f.details = true;
	if (bench_fixture_present(&f, BENCH_AUD, f.cnonce, sizeof f.cnonce, &wp) != 0 ||
	    lp_qrtext_encode(lp_buf_view(&wp), &wt) != LP_OK)
		bench_die("%s: presentation with details failed", tmpl);
	f.details = false;
	snprintf(id, sizeof id, "size.%s.details.cbor_bytes", tag);
	bench_emit_value(id, (double)wp.len, "bytes");
	snprintf(id, sizeof id, "size.%s.details.lp1_chars", tag);
	bench_emit_value(id, (double)wt.len, "chars");
	if (lp_qr_encode(lp_buf_view(&wt), LP_QR_ECC_M, &qr) == LP_OK) {
		snprintf(id, sizeof id, "size.%s.details.qr_version", tag);
		bench_emit_value(id, qr.version, "version");
		lp_qr_free(&qr);
	}
	lp_buf_free(&wp);
	lp_buf_free(&wt);
	dump(dir, tag, "credential.cbor", &f.credential);
	dump(dir, tag, "presentation.cbor", &f.presentation);
	dump(dir, tag, "lp1.txt", &f.lp1);
	lp_buf_free(&z);
	bench_fixture_free(&f);
}

int bench_size(int argc, char **argv)
{
	const char *dir = NULL;
	if (argc == 2 && strcmp(argv[0], "--dump") == 0)
		dir = argv[1];
	else if (argc != 0)
		bench_die("usage: size [--dump DIR]");
	/* The project's templates, as shipped, with its example learner. */
	emit_size("micro", "examples/templates/microcredential.json", "examples/learner.json",
		  "fullName,grade", dir);
	emit_size("diploma", "examples/templates/diploma.json", "examples/learner.json", "fullName", dir);
	/* A lean microcredential: every mandatory Annex I element in short
	 * text, no optional ones (bench/data): how much the content costs. */
	emit_size("lean", "bench/data/lean-micro.template.json", "bench/data/lean-micro.learner.json",
		  "fullName,grade", dir);
	return 0;
}

/* Item 5's in-process reference: issuing one credential with the library
 * alone (claims to CBOR, salts, disclosures, digests, COSE, one Ed25519
 * signature), beside one bare Ed25519 signature, round-robin. What the
 * batch program adds on top (CSV, register, files) is the rest. */
static struct {
	bench_fixture f;
	uint64_t idx;
	lp_sdcwt_template *t;
} I;

/* The same credential through a template object (what issue-batch does:
 * the template's claims parsed and split once, only the learner's per
 * credential). */
static int do_issue_template(void *ctx)
{
	(void)ctx;
	lp_sdcwt_issue_params ip;
	bench_fixture_issue_params(&I.f, NULL, I.idx++, &ip);
	ip.claims_json = I.f.learner_json;
	ip.claims_json_len = strlen(I.f.learner_json);
	lp_buf out = { NULL, 0 };
	lp_diag d;
	memset(&d, 0, sizeof d);
	if (lp_sdcwt_issue_from(I.t, &ip, I.f.issuer_sk, &out, NULL, &d) != LP_OK) {
		fprintf(stderr, "leerpas-bench: issue from template: %s\n", d.msg);
		return 1;
	}
	lp_buf_free(&out);
	return 0;
}

static int do_issue(void *ctx)
{
	(void)ctx;
	lp_buf out = { NULL, 0 };
	if (bench_fixture_issue(&I.f, NULL, I.idx++, &out) != 0)
		return 1;
	lp_buf_free(&out);
	return 0;
}

int bench_issue(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bench_fixture_micro(&I.f);
	lp_diag d;
	memset(&d, 0, sizeof d);
	if (lp_sdcwt_template_new(I.f.template_claims_json, strlen(I.f.template_claims_json),
				  (const char *const *)I.f.redactable, I.f.nredactable, false, &I.t, &d) != LP_OK)
		bench_die("template: %s", d.msg);
	bench_case cases[] = {
		{ "issue.sdcwt", do_issue, NULL },
		{ "issue.sdcwt_template", do_issue_template, NULL },
		{ "issue.ed25519_sign", bench_prim_ed25519_sign, NULL },
	};
	bench_prims_setup(1, crypto_pwhash_MEMLIMIT_MIN);
	bench_stat st[3];
	if (bench_run(cases, 3, &bench_default, st) != 0)
		return 1;
	for (int i = 0; i < 3; i++)
		bench_emit_stat(cases[i].id, &st[i]);
	lp_sdcwt_template_free(I.t);
	bench_fixture_free(&I.f);
	return 0;
}

/* The QR version at ECC M of any text file (the peer's presentation), with
 * the project's encoder: emits ID.qr_version and ID.chars. */
int bench_qrversion(int argc, char **argv)
{
	if (argc != 2)
		bench_die("usage: qrversion ID FILE");
	lp_buf text = { NULL, 0 };
	if (lp_file_read(argv[1], 1u << 20, &text) != LP_OK)
		bench_die("cannot read %s", argv[1]);
	lp_qr qr;
	char id[128];
	snprintf(id, sizeof id, "%s.chars", argv[0]);
	bench_emit_value(id, (double)text.len, "chars");
	snprintf(id, sizeof id, "%s.qr_version", argv[0]);
	if (lp_qr_encode(lp_buf_view(&text), LP_QR_ECC_M, &qr) == LP_OK) {
		bench_emit_value(id, qr.version, "version");
		lp_qr_free(&qr);
	} else {
		bench_emit_value(id, 41, "version (does not fit version 40)");
	}
	lp_buf_free(&text);
	return 0;
}
