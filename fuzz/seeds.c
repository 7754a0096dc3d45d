/* Writes the seed corpora of the fuzz harnesses: what the library produces
 * with the fixed keys of fuzz_common.h and deterministic randomness, plus
 * the external and format vectors of test-vectors/. Run by hand when a
 * format changes:  build/fuzz/fuzz_seeds SOURCE_DIR OUT_DIR
 * (fuzz/make_seeds.sh wraps it and adds JPEG seeds). Prints the seed
 * wallet's recovery key, which fuzz_common.h must hold. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#define FZ_NO_INIT
#include "fuzz_common.h"
#include "internal.h"
#include "leerpas/claims.h"
#include "leerpas/codec.h"
#include "leerpas/cose.h"
#include "leerpas/keyfile.h"
#include "leerpas/qr.h"
#include "leerpas/request.h"
#include "leerpas/sdcwt.h"
#include "leerpas/status.h"
#include "leerpas/wallet.h"
#include "wallet_int.h"

static const char *out_dir, *src_dir;

static void die(const char *what, lp_err e)
{
	fprintf(stderr, "fuzz_seeds: %s: %s\n", what, lp_err_str(e));
	exit(1);
}

static void put(const char *harness, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", out_dir, harness);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/%s/%s", out_dir, harness, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void put_str(const char *harness, const char *name, const char *s)
{
	put(harness, name, s, strlen(s));
}

static uint8_t *read_src(const char *rel, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", src_dir, rel);
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	uint8_t *b = malloc(1 << 22);
	*len = fread(b, 1, 1 << 22, f);
	fclose(f);
	return b;
}

static uint8_t *unhex(const char *h, size_t *len)
{
	uint8_t *b = malloc(strlen(h) / 2 + 1);
	size_t n = 0;
	int hi = -1;
	for (const char *p = h; *p; p++) {
		int v;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			b[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*len = n;
	return b;
}

/* A format example (test-vectors/format/<name>.hex) as bytes. */
static void put_format_example(const char *harness, const char *name)
{
	char rel[256];
	size_t hl, n;
	snprintf(rel, sizeof rel, "test-vectors/format/%s.hex", name);
	uint8_t *hex = read_src(rel, &hl);
	hex[hl] = 0;
	uint8_t *b = unhex((const char *)hex, &n);
	put(harness, name, b, n);
	free(hex);
	free(b);
}

static const char claims_full[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\"],\"creditPoint\":2.5,\"eqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\",\"accreditation\":\"NRTO\","
	"\"awardingDate\":\"2026-06-30\",\"fullName\":\"Sanne de Vries\","
	"\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\",\"grade\":\"8,1\","
	"\"assessmentDetails\":\"examen 12 mei\"}";

static void codec_and_cbor_seeds(void)
{
	size_t n;
	uint8_t *raw = read_src("test-vectors/base45/rfc9285_vectors.json", &n);
	json_t *j = json_loadb((const char *)raw, n, 0, NULL);
	free(raw);
	if (!j)
		die("base45 vectors", LP_ERR_JSON);
	const char *sections[] = { "encode_decode", "invalid_decode" };
	int k = 0;
	for (size_t s = 0; s < 2; s++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(j, sections[s]), i, v) {
			char name[32];
			snprintf(name, sizeof name, "rfc9285-%02d", k++);
			put_str("base45", name, json_string_value(json_object_get(v, "base45")));
		}
	}
	json_decref(j);

	raw = read_src("test-vectors/cbor/appendix_a.json", &n);
	j = json_loadb((const char *)raw, n, JSON_DECODE_INT_AS_REAL, NULL);
	free(raw);
	if (!j)
		die("appendix A", LP_ERR_JSON);
	size_t i;
	json_t *v;
	json_array_foreach(j, i, v) {
		char name[32];
		size_t bl;
		uint8_t *b = unhex(json_string_value(json_object_get(v, "hex")), &bl);
		snprintf(name, sizeof name, "appendix-a-%02zu", i);
		put("cbor", name, b, bl);
		free(b);
	}
	json_decref(j);

	/* zlib streams of several shapes */
	static const char *const texts[] = { "", "a", "leerpas leerpas leerpas leerpas", claims_full };
	for (size_t t = 0; t < 4; t++) {
		lp_buf z = { 0 };
		lp_err e = lp_deflate(lp_view_of((const uint8_t *)texts[t], strlen(texts[t])), &z);
		if (e)
			die("deflate", e);
		char name[32];
		snprintf(name, sizeof name, "zlib-%zu", t);
		put("inflate", name, z.ptr, z.len);
		lp_buf_free(&z);
	}
}

static void put_lp1(const char *name, const uint8_t *p, size_t n)
{
	lp_buf t = { 0 }, z = { 0 };
	lp_err e = lp_qrtext_encode(lp_view_of(p, n), &t);
	if (e)
		die("qrtext", e);
	put("qrtext", name, t.ptr, t.len);
	/* the base45 body and the zlib stream inside it */
	char nm[64];
	snprintf(nm, sizeof nm, "%s-body", name);
	put("base45", nm, t.ptr + 4, t.len - 4);
	if ((e = lp_base45_decode(lp_view_of(t.ptr + 4, t.len - 4), &z, NULL)))
		die("base45", e);
	put("inflate", nm, z.ptr, z.len);
	/* the QR image, 1 and 2 pixels per module */
	{
		lp_qr qr = { 0 };
		if ((e = lp_qr_encode(lp_buf_view(&t), LP_QR_ECC_M, &qr)))
			die("qr", e);
		for (unsigned scale = 1; scale <= 2; scale++) {
			lp_buf png = { 0 };
			if ((e = lp_qr_to_png(&qr, scale, &png)))
				die("png", e);
			snprintf(nm, sizeof nm, "%s-x%u.png", name, scale);
			put("qrimage", nm, png.ptr, png.len);
			lp_buf_free(&png);
		}
		lp_qr_free(&qr);
	}
	lp_buf_free(&t);
	lp_buf_free(&z);
}

static void qr_png(const char *name, const char *text, unsigned scale)
{
	lp_qr qr = { 0 };
	lp_buf png = { 0 };
	lp_err e = lp_qr_encode(lp_view_of((const uint8_t *)text, strlen(text)), LP_QR_ECC_M, &qr);
	if (!e)
		e = lp_qr_to_png(&qr, scale, &png);
	if (e)
		die("qr", e);
	put("qrimage", name, png.ptr, png.len);
	lp_buf_free(&png);
	lp_qr_free(&qr);
}

static lp_pubkey g_issuer_pub;

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
                      const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	(void)ctx, (void)iss, (void)kid, (void)kid_len, (void)alg, (void)vct, (void)has_iat, (void)iat, (void)d;
	*key = g_issuer_pub;
	return LP_OK;
}

static lp_buf g_cred; /* the bound credential, for the wallet */

static void sdcwt_seeds(void)
{
	uint8_t ipk[32], isk[64], hpk[32], hsk[64];
	fz_keypair(FZ_SEED_ISSUER, ipk, isk);
	fz_keypair(FZ_SEED_HOLDER, hpk, hsk);
	lp_pubkey_ed25519(&g_issuer_pub, ipk);
	lp_pubkey holder;
	lp_pubkey_ed25519(&holder, hpk);

	for (int bound = 0; bound < 2; bound++) {
		lp_sdcwt_issue_params p;
		lp_sdcwt_issue_params_init(&p);
		p.iss = FZ_ISS;
		p.kid = (const uint8_t *)"key-2026";
		p.kid_len = 8;
		p.vct = "https://roc.example/mc/python";
		p.iat = FZ_T0;
		p.holder = bound ? &holder : NULL;
		p.has_status = true;
		p.status_idx = 42;
		p.status_uri = "https://roc.example/status/1";
		p.claims_json = claims_full;
		p.claims_json_len = strlen(claims_full);
		if (!bound) {
			p.has_exp = true;
			p.exp = FZ_T0 + 365 * 86400;
			p.decoys = 0;
		}
		lp_buf cred = { 0 };
		lp_diag d = { 0 };
		lp_err e = lp_sdcwt_issue(&p, isk, &cred, NULL, &d);
		if (e)
			die(d.msg, e);
		put("sdcwt", bound ? "credential-bound" : "credential-unbound", cred.ptr, cred.len);
		put("cose", bound ? "credential-bound" : "credential-unbound", cred.ptr, cred.len);
		put("cbor", bound ? "credential-bound" : "credential-unbound", cred.ptr, cred.len);
		if (!bound) {
			lp_buf_free(&cred);
			continue;
		}
		static const char *const some[] = { "fullName", "grade" };
		static const char *const all[] = { "fullName", "dateOfBirth", "studentId", "grade", "assessmentDetails" };
		static const uint8_t nonce[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
		struct {
			const char *name;
			const char *const *disc;
			size_t n;
			bool with_nonce;
		} pres[] = {
			{ "presentation-none", NULL, 0, false },
			{ "presentation-some", some, 2, false },
			{ "presentation-all-nonce", all, 5, true },
		};
		for (size_t i = 0; i < 3; i++) {
			lp_sdcwt_present_params pp = { .disclose = pres[i].disc, .disclose_count = pres[i].n,
				                       .aud = FZ_AUD, .iat = FZ_T0 + 600 };
			if (pres[i].with_nonce) {
				pp.cnonce = nonce;
				pp.cnonce_len = sizeof nonce;
			}
			lp_buf kbt = { 0 };
			if ((e = lp_sdcwt_present(lp_buf_view(&cred), &pp, hsk, &kbt, &d)))
				die(d.msg, e);
			/* the harness must accept its own seed: check here */
			lp_sdcwt_verify_params vp = { .resolve = resolve, .now = FZ_T0 + 3600, .skew = 300, .aud = FZ_AUD };
			if (pres[i].with_nonce) {
				vp.cnonce = nonce;
				vp.cnonce_len = sizeof nonce;
			}
			lp_sdcwt_result r;
			if ((e = lp_sdcwt_verify(lp_buf_view(&kbt), &vp, &r)))
				die(r.diag.msg, e);
			if (i == 1) {
				/* its achievement claims as JSON, for the claims harness */
				put_str("claims", "disclosed.json", r.claims_json);
			}
			lp_sdcwt_result_free(&r);
			put("sdcwt", pres[i].name, kbt.ptr, kbt.len);
			put("cose", pres[i].name, kbt.ptr, kbt.len);
			put("cbor", pres[i].name, kbt.ptr, kbt.len);
			put_lp1(pres[i].name, kbt.ptr, kbt.len);
			lp_buf_free(&kbt);
		}
		g_cred = cred;
	}
	/* the draft's own examples (ES384/ES256) */
	static const char *const draft[] = { "kbt.cbor", "issuer_cwt.cbor" };
	for (size_t i = 0; i < 2; i++) {
		char rel[128];
		size_t n;
		snprintf(rel, sizeof rel, "test-vectors/sd-cwt-es/%s", draft[i]);
		uint8_t *b = read_src(rel, &n);
		put("sdcwt", draft[i], b, n);
		put("cose", draft[i], b, n);
		free(b);
	}
	/* the COSE_Key of the holder and the cose-wg example */
	lp_buf ck = { 0 };
	lp_err e = lp_pubkey_to_cose(&holder, &ck);
	if (e)
		die("cose key", e);
	put("cose", "cose-key-ed25519", ck.ptr, ck.len);
	lp_buf_free(&ck);
	size_t n;
	uint8_t *raw = read_src("test-vectors/cose-wg-eddsa/eddsa-sig-01.json", &n);
	json_t *j = json_loadb((const char *)raw, n, 0, NULL);
	free(raw);
	const char *hex = json_string_value(json_object_get(json_object_get(j, "output"), "cbor"));
	if (hex) {
		uint8_t *b = unhex(hex, &n);
		put("cose", "cose-wg-eddsa-sig-01", b, n);
		free(b);
	}
	json_decref(j);
}

static void claims_seeds(void)
{
	put_str("claims", "claims-full.json", claims_full);
	put_str("claims", "template.json",
	        "{\"vct\":\"https://roc.example/mc/python\",\"claims\":{\"title\":\"Basis Python\","
	        "\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\",\"learningOutcome\":[\"a\",\"b\"],"
	        "\"creditPoint\":2.5,\"eqfLevel\":4,\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\","
	        "\"accreditation\":\"NRTO\"},\"redactable\":[\"fullName\",\"grade\"]}");
	put_str("claims", "learner.json",
	        "{\"fullName\":\"Sanne de Vries\",\"dateOfBirth\":\"2004-02-29\",\"awardingDate\":\"2026-06-30\"}");
	lp_buf cbor = { 0 };
	lp_diag d = { 0 };
	lp_err e = lp_claims_from_json(claims_full, strlen(claims_full), &cbor, &d);
	if (e)
		die(d.msg, e);
	put("claims", "claims-full.cbor", cbor.ptr, cbor.len);
	put("cbor", "claims-full", cbor.ptr, cbor.len);
	lp_buf_free(&cbor);
}

static void status_request_trust_seeds(void)
{
	put_format_example("status", "status-token");
	put_format_example("status", "status-list");
	put_format_example("cose", "status-token");
	put_format_example("request", "request");
	put_format_example("cose", "request");
	put_format_example("trust", "trust-list");
	put_format_example("trust", "trust-anchor.json");
	put_format_example("trust", "issuer-description.json");
	lp_buf ref = { 0 };
	lp_err e = lp_status_ref_encode(42, "https://roc.example/status/1", &ref);
	if (e)
		die("status ref", e);
	put("status", "status-ref", ref.ptr, ref.len);
	lp_buf_free(&ref);
	/* a list of every size the draft allows */
	for (unsigned bits = 1; bits <= 8; bits *= 2) {
		lp_status_list l;
		if ((e = lp_status_list_create(&l, 64, bits)))
			die("status list", e);
		for (size_t i = 0; i < 64; i += 3)
			if ((e = lp_status_list_set(&l, i, (unsigned)(i % (1u << bits)))))
				die("status set", e);
		lp_buf enc = { 0 };
		if ((e = lp_status_list_encode(&l, &enc)))
			die("status encode", e);
		char name[32];
		snprintf(name, sizeof name, "list-%ubit", bits);
		put("status", name, enc.ptr, enc.len);
		lp_buf_free(&enc);
		lp_status_list_free(&l);
	}
	/* a request for three keys, valid under the harness policy */
	uint8_t pk[3][32], sk[3][64];
	for (int i = 0; i < 3; i++)
		fz_keypair((uint8_t)(FZ_SEED_REQUEST + i), pk[i], sk[i]);
	const uint8_t *sks[3] = { sk[0], sk[1], sk[2] };
	static const uint8_t nonce[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	lp_request_params rp = { .school_id = FZ_SCHOOL, .nonce = lp_view_of(nonce, 16), .iat = FZ_REQUEST_NOW };
	lp_buf req = { 0 };
	if ((e = lp_request_create(&rp, sks, 3, &req)))
		die("request", e);
	put("request", "request-3keys", req.ptr, req.len);
	lp_buf_free(&req);
}

static void wallet_seeds(void)
{
	char path[4096], recovery[LP_WALLET_RECOVERY_TEXT_SIZE];
	snprintf(path, sizeof path, "%s/seed-wallet.tmp", out_dir);
	remove(path);
	lp_wallet_kdf kdf = { .opslimit = LP_WALLET_OPSLIMIT_MIN, .memlimit = LP_WALLET_MEMLIMIT_MIN };
	lp_wallet *w = NULL;
	lp_diag d = { 0 };
	lp_err e = lp_wallet_create(path, lp_view_of((const uint8_t *)"fuzz", 4), &kdf, recovery, &w, &d);
	if (e)
		die(d.msg, e);
	uint8_t hpk[32];
	if ((e = lp_wallet_key_new(w, FZ_T0, FZ_ISS, hpk)))
		die("wallet key", e);
	lp_wallet_copy copy = { .sdcwt = lp_buf_view(&g_cred), .uses = 1 };
	uint8_t pk[32], sk[64];
	fz_keypair(FZ_SEED_HOLDER, pk, sk);
	memcpy(copy.holder_pk, pk, 32);
	lp_wallet_cred c = { .id = "python", .issuer = FZ_ISS, .title = "Basis Python",
		             .type = "https://roc.example/mc/python", .imported = FZ_T0,
		             .status = LP_WALLET_STATUS_UNKNOWN, .ncopies = 1, .copies = &copy };
	if ((e = lp_wallet_cred_add(w, &c)))
		die("wallet cred", e);
	static const char *const claims[] = { "fullName" };
	lp_wallet_log lg = { .time = FZ_T0 + 600, .cred_id = "python", .audience = FZ_AUD, .challenge = "",
		             .nclaims = 1, .claims = claims };
	if ((e = lp_wallet_log_add(w, &lg)))
		die("wallet log", e);
	lp_buf file = { 0 };
	if ((e = lp_wallet_encode(w, &file)))
		die("wallet encode", e);
	put("wallet", "seed-wallet", file.ptr, file.len);
	uint8_t *body = NULL;
	size_t blen = 0;
	if ((e = lp_wl_body_encode(w, &body, &blen)))
		die("wallet body", e);
	put("wallet", "seed-body", body, blen);
	put("cbor", "wallet-body", body, blen);
	sodium_free(body);
	put_str("wallet", "recovery-text", recovery);
	lp_buf_free(&file);
	lp_wallet_close(w);
	remove(path);
	printf("#define FZ_WALLET_RECOVERY \"%s\"\n", recovery);
}

static void keyfile_seeds(void)
{
	uint8_t seed[32];
	memset(seed, FZ_SEED_ISSUER, sizeof seed);
	lp_signkey k;
	lp_err e = lp_signkey_from_seed(seed, "key-2026", &k);
	if (e)
		die("signkey", e);
	lp_kdf_params kdf = { .opslimit = 1, .memlimit = 8192 };
	lp_buf f = { 0 };
	if ((e = lp_keyfile_seal(&k, lp_view_of((const uint8_t *)"fuzz", 4), &kdf, &f)))
		die("keyfile", e);
	put("keyfile", "key-2026", f.ptr, f.len);
	lp_buf_free(&f);
	lp_signkey_free(&k);
}

static void csv_seeds(void)
{
	put_str("csv", "batch.csv",
	        "studentId,fullName,dateOfBirth,grade,email\n"
	        "123456,Sanne de Vries,2004-02-29,\"8,1\",sanne@example.org\n"
	        "123457,\"Jan \"\"Jantje\"\" Bakker\",2003-11-02,7,jan@example.org\r\n"
	        "123458,\"Fatima\nEl Amrani\",2005-01-15,9,\n");
	put_str("csv", "semicolon.csv", "studentId;fullName\n1;\"a;b\"\n");
	put_str("csv", "bom.csv", "\xef\xbb\xbfstudentId,fullName\n1,\xc3\xa9\xc3\xa9n\n");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SOURCE_DIR OUT_DIR\n", argv[0]);
		return 2;
	}
	src_dir = argv[1];
	out_dir = argv[2];
	if (lp_init() != LP_OK)
		return 1;
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		perror(out_dir);
		return 1;
	}
	static uint64_t ctr = FZ_RECOVERY_SEED;
	lp_random_set(fz_random, &ctr);
	codec_and_cbor_seeds();
	qr_png("url.png", "https://www.example.org/diploma?id=1", 2);
	qr_png("hc1.png", "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH", 1);
	sdcwt_seeds();
	claims_seeds();
	status_request_trust_seeds();
	wallet_seeds();
	csv_seeds();
	keyfile_seeds();
	lp_buf_free(&g_cred);
	return 0;
}
