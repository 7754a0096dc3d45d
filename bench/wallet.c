/* leerpas benchmark, item 6: open a wallet holding 1, 100 and 1,000
 * credentials and present one, as the wallet does it: open (Argon2id,
 * unwrap, decrypt, parse), find the credential and its holder key, make the
 * SD-KBT, log the presentation, save the wallet atomically, encode LP1 text,
 * close.
 *
 * The time beyond Argon2id is measured on wallets whose passphrase is
 * wrapped at the smallest Argon2id cost, minus Argon2id at that cost, timed
 * round-robin: nothing else in opening depends on the KDF cost, and a few
 * milliseconds are not lost in the noise of a half-second derivation on a
 * shared machine. The wallets at the default cost are measured as well, for
 * the whole wait a learner sees. */
#include "bench.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "leerpas/codec.h"
#include "leerpas/fileio.h"
#include "leerpas/wallet.h"

static const char pass[] = "correct horse battery staple";

typedef struct wcase {
	char path[1024];
	size_t n;
	char target_id[32];  /* the credential presented: the last one added */
	const lp_wallet_kdf *kdf;
} wcase;

static struct {
	bench_fixture f;
	lp_wallet_kdf kdf, kdf_min;
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t key[32];
	wcase w[3], wmin[3];
	unsigned long long seq;
} W;

static int do_argon2id(void *ctx)
{
	const lp_wallet_kdf *k = ctx;
	return crypto_pwhash(W.key, sizeof W.key, pass, sizeof pass - 1, W.salt, k->opslimit,
			     (size_t)k->memlimit, crypto_pwhash_ALG_ARGON2ID13);
}

/* Present credential id from an open wallet: SD-KBT, log entry, LP1 text. */
static int present(lp_wallet *w, const char *id, lp_buf *lp1)
{
	const lp_wallet_cred *c = lp_wallet_cred_find(w, id);
	if (!c || c->ncopies == 0)
		return 1;
	const lp_wallet_key *k = lp_wallet_key_find(w, c->copies[0].holder_pk);
	if (!k)
		return 1;
	lp_sdcwt_present_params pp;
	memset(&pp, 0, sizeof pp);
	pp.disclose = W.f.shown;
	pp.disclose_count = W.f.nshown;
	pp.aud = BENCH_AUD;
	pp.iat = BENCH_NOW;
	pp.cnonce = W.f.cnonce;
	pp.cnonce_len = sizeof W.f.cnonce;
	lp_buf kbt = { NULL, 0 };
	lp_diag d;
	if (lp_sdcwt_present(c->copies[0].sdcwt, &pp, k->sk, &kbt, &d) != LP_OK)
		return 1;
	lp_wallet_log e;
	memset(&e, 0, sizeof e);
	e.time = BENCH_NOW + (int64_t)W.seq++;
	e.cred_id = id;
	e.copy = 0;
	e.audience = BENCH_AUD;
	e.challenge = "";
	e.nclaims = W.f.nshown;
	e.claims = W.f.shown;
	int bad = lp_wallet_log_add(w, &e) != LP_OK || lp_wallet_copy_use(w, id, 0) != LP_OK ||
		  lp_wallet_save(w) != LP_OK || lp_qrtext_encode(lp_buf_view(&kbt), lp1) != LP_OK;
	lp_buf_free(&kbt);
	return bad;
}

static int do_open_close(void *ctx)
{
	wcase *c = ctx;
	lp_wallet *w = NULL;
	lp_diag d;
	memset(&d, 0, sizeof d);
	lp_err e = lp_wallet_open(c->path, lp_view_of((const uint8_t *)pass, sizeof pass - 1), &w, &d);
	if (e != LP_OK) {
		fprintf(stderr, "leerpas-bench: open %s: %s: %s\n", c->path, lp_err_str(e), d.msg);
		return 1;
	}
	lp_wallet_close(w);
	return 0;
}

static lp_wallet *open_w;

static int do_encode(void *ctx)
{
	(void)ctx;
	lp_buf f = { NULL, 0 };
	if (lp_wallet_encode(open_w, &f) != LP_OK)
		return 1;
	lp_buf_free(&f);
	return 0;
}

static int do_save(void *ctx)
{
	(void)ctx;
	return lp_wallet_save(open_w) != LP_OK;
}

static int do_open_present(void *ctx)
{
	wcase *c = ctx;
	lp_wallet *w = NULL;
	lp_diag d;
	if (lp_wallet_open(c->path, lp_view_of((const uint8_t *)pass, sizeof pass - 1), &w, &d) != LP_OK)
		return 1;
	lp_buf lp1 = { NULL, 0 };
	int bad = present(w, c->target_id, &lp1);
	lp_buf_free(&lp1);
	lp_wallet_close(w);
	return bad;
}

/* A wallet file with n credentials, each bound to its own holder key. */
static void make_wallet(wcase *c, const char *dir, size_t n, const lp_wallet_kdf *kdf)
{
	snprintf(c->path, sizeof c->path, "%s/leerpas-bench-wallet-%zu-%llu-%ld.lpw", dir, n,
		 (unsigned long long)kdf->memlimit, (long)getpid());
	c->kdf = kdf;
	unlink(c->path);
	char prev[1100];
	snprintf(prev, sizeof prev, "%s.prev", c->path);
	unlink(prev);
	c->n = n;
	char recovery[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_wallet *w = NULL;
	lp_diag d;
	memset(&d, 0, sizeof d);
	lp_err e = lp_wallet_create(c->path, lp_view_of((const uint8_t *)pass, sizeof pass - 1), kdf,
				    recovery, &w, &d);
	if (e != LP_OK)
		bench_die("wallet create %s: %s: %s", c->path, lp_err_str(e), d.msg);
	sodium_memzero(recovery, sizeof recovery);
	for (size_t i = 0; i < n; i++) {
		uint8_t pk[LP_WALLET_PK_BYTES];
		if (lp_wallet_key_new(w, BENCH_NOW, BENCH_ISS, pk) != LP_OK)
			bench_die("wallet key failed");
		lp_pubkey holder;
		lp_pubkey_ed25519(&holder, pk);
		lp_buf cred = { NULL, 0 };
		if (bench_fixture_issue(&W.f, &holder, i, &cred) != 0)
			bench_die("issue failed");
		char id[32];
		snprintf(id, sizeof id, "cred-%zu", i);
		lp_wallet_copy copy;
		memset(&copy, 0, sizeof copy);
		copy.sdcwt = lp_buf_view(&cred);
		memcpy(copy.holder_pk, pk, sizeof pk);
		lp_wallet_cred wc;
		memset(&wc, 0, sizeof wc);
		wc.id = id;
		wc.issuer = BENCH_ISS;
		wc.title = "Basisvaardigheden lassen MIG/MAG";
		wc.type = W.f.vct;
		wc.imported = BENCH_NOW;
		wc.status = LP_WALLET_STATUS_VALID;
		wc.ncopies = 1;
		wc.copies = &copy;
		if (lp_wallet_cred_add(w, &wc) != LP_OK)
			bench_die("wallet add failed");
		lp_buf_free(&cred);
		snprintf(c->target_id, sizeof c->target_id, "%s", id);
	}
	if (lp_wallet_save(w) != LP_OK)
		bench_die("wallet save failed");
	lp_wallet_close(w);
}

/* For bench/run.sh: wallet files at the default cost with 1, 100 and 1,000
 * credentials (DIR/wallet-N.lpw), the passphrase in DIR/passphrase, and the
 * id of the credential to present in DIR/wallet-N.id, for timing the real
 * `leerpas-wallet present` as a process. */
int bench_wallet_files(int argc, char **argv)
{
	if (argc != 1)
		bench_die("usage: wallet-files DIR");
	const char *dir = argv[0];
	bench_fixture_micro(&W.f);
	lp_wallet_kdf_default(&W.kdf);
	static const size_t sizes[3] = { 1, 100, 1000 };
	char path[1200];
	snprintf(path, sizeof path, "%s/passphrase", dir);
	FILE *fp = fopen(path, "w");
	if (!fp || chmod(path, 0600) != 0 || fprintf(fp, "%s\n", pass) < 0 || fclose(fp) != 0)
		bench_die("cannot write %s", path);
	for (size_t i = 0; i < 3; i++) {
		wcase c;
		make_wallet(&c, dir, sizes[i], &W.kdf);
		char dest[1200];
		snprintf(dest, sizeof dest, "%s/wallet-%zu.lpw", dir, sizes[i]);
		if (rename(c.path, dest) != 0)
			bench_die("cannot rename %s", c.path);
		snprintf(path, sizeof path, "%s.prev", c.path);
		unlink(path);
		snprintf(path, sizeof path, "%s/wallet-%zu.id", dir, sizes[i]);
		fp = fopen(path, "w");
		if (!fp || fprintf(fp, "%s\n", c.target_id) < 0 || fclose(fp) != 0)
			bench_die("cannot write %s", path);
	}
	bench_fixture_free(&W.f);
	return 0;
}

int bench_wallet(int argc, char **argv)
{
	const char *dir = argc == 1 ? argv[0] : "/tmp";
	bench_fixture_micro(&W.f);
	lp_wallet_kdf_default(&W.kdf);
	W.kdf_min.opslimit = LP_WALLET_OPSLIMIT_MIN;
	W.kdf_min.memlimit = crypto_pwhash_MEMLIMIT_MIN > LP_WALLET_MEMLIMIT_MIN ? crypto_pwhash_MEMLIMIT_MIN
										   : LP_WALLET_MEMLIMIT_MIN;
	randombytes_buf(W.salt, sizeof W.salt);
	static const size_t sizes[3] = { 1, 100, 1000 };
	for (size_t i = 0; i < 3; i++) {
		make_wallet(&W.w[i], dir, sizes[i], &W.kdf);
		make_wallet(&W.wmin[i], dir, sizes[i], &W.kdf_min);
	}

	/* At the default cost each call takes an Argon2id derivation: single
	 * calls, few repetitions. */
	bench_opts o = bench_default;
	o.warmup_ms = 0;
	o.rep_target_ms = 0.0;
	o.max_inner = 1;
	o.reps = bench_default.reps < 3 ? bench_default.reps : 3u;
	bench_case cases[] = {
		{ "wallet.argon2id", do_argon2id, &W.kdf },
		{ "wallet.1.open_present", do_open_present, &W.w[0] },
		{ "wallet.100.open_present", do_open_present, &W.w[1] },
		{ "wallet.1000.open_present", do_open_present, &W.w[2] },
	};
	bench_stat st[4];
	if (bench_run(cases, 4, &o, st) != 0)
		return 1;
	for (size_t i = 0; i < 4; i++)
		bench_emit_stat(cases[i].id, &st[i]);
	bench_emit_value("wallet.opslimit", (double)W.kdf.opslimit, "passes");
	bench_emit_value("wallet.memlimit", (double)W.kdf.memlimit, "bytes");

	/* Beyond Argon2id: the same on wallets at the smallest cost. */
	bench_opts om = bench_default;
	om.warmup_ms = 50;
	om.rep_target_ms = 0.0;
	om.max_inner = 3;
	om.reps = bench_default.reps > 15 ? 15 : bench_default.reps;
	bench_case mcases[] = {
		{ "wallet.min.argon2id", do_argon2id, &W.kdf_min },
		{ "wallet.min.1.open_present", do_open_present, &W.wmin[0] },
		{ "wallet.min.100.open_present", do_open_present, &W.wmin[1] },
		{ "wallet.min.1000.open_present", do_open_present, &W.wmin[2] },
	};
	if (bench_run(mcases, 4, &om, st) != 0)
		return 1;
	for (size_t i = 0; i < 4; i++)
		bench_emit_stat(mcases[i].id, &st[i]);
	bench_emit_value("wallet.min.opslimit", (double)W.kdf_min.opslimit, "passes");
	bench_emit_value("wallet.min.memlimit", (double)W.kdf_min.memlimit, "bytes");
	for (size_t i = 0; i < 3; i++) {
		lp_buf file = { NULL, 0 };
		if (lp_file_read(W.w[i].path, LP_WALLET_FILE_MAX, &file) == LP_OK) {
			char id[64];
			snprintf(id, sizeof id, "wallet.%zu.file_bytes", sizes[i]);
			bench_emit_value(id, (double)file.len, "bytes");
		}
		lp_buf_free(&file);
	}

	/* Where the rest goes at 1,000 credentials: open alone (smallest
	 * cost), and on the open wallet: encode (serialize + encrypt) and save
	 * (encode + atomic write with fsync + previous generation). */
	{
		/* An open wallet is locked: open and close a copy of the file. */
		wcase copy = W.wmin[2];
		if (snprintf(copy.path, sizeof copy.path, "%s.copy", W.wmin[2].path) >= (int)sizeof copy.path)
			bench_die("path too long: %s", W.wmin[2].path);
		lp_buf bytes = { NULL, 0 };
		FILE *cf = fopen(copy.path, "wb");
		if (lp_file_read(W.wmin[2].path, LP_WALLET_FILE_MAX, &bytes) != LP_OK || !cf ||
		    fwrite(bytes.ptr, 1, bytes.len, cf) != bytes.len || fclose(cf) != 0)
			bench_die("cannot copy %s", W.wmin[2].path);
		lp_buf_free(&bytes);
		lp_diag d;
		if (lp_wallet_open(W.wmin[2].path, lp_view_of((const uint8_t *)pass, sizeof pass - 1), &open_w, &d) != LP_OK)
			bench_die("wallet open failed");
		bench_case bcases[] = {
			{ "wallet.min.1000.open_close", do_open_close, &copy },
			{ "wallet.1000.encode", do_encode, NULL },
			{ "wallet.1000.save", do_save, NULL },
		};
		bench_stat bs[3];
		if (bench_run(bcases, 3, &om, bs) != 0)
			return 1;
		for (size_t i = 0; i < 3; i++)
			bench_emit_stat(bcases[i].id, &bs[i]);
		lp_wallet_close(open_w);
		open_w = NULL;
		unlink(copy.path);
		char lock[1100];
		snprintf(lock, sizeof lock, "%s.lock", copy.path);
		unlink(lock);
	}

	/* Where the rest goes, without Argon2id: present from an open wallet
	 * (SD-KBT, log, atomic save with fsync, LP1 text). */
	for (size_t i = 0; i < 3; i++) {
		lp_wallet *w = NULL;
		lp_diag d;
		if (lp_wallet_open(W.wmin[i].path, lp_view_of((const uint8_t *)pass, sizeof pass - 1), &w, &d) != LP_OK)
			bench_die("wallet open failed");
		bench_opts po = bench_default;
		po.reps = bench_default.reps > 9 ? 9 : bench_default.reps;
		po.rep_target_ms = 0.0;
		po.max_inner = 3;
		po.warmup_ms = 0;
		char id[64];
		snprintf(id, sizeof id, "wallet.%zu.present_only", sizes[i]);
		bench_stat s;
		double *t = calloc(po.reps, sizeof *t);
		for (unsigned r = 0; r < po.reps; r++) {
			uint64_t t0 = bench_now_ns();
			lp_buf lp1 = { NULL, 0 };
			if (present(w, W.wmin[i].target_id, &lp1) != 0)
				bench_die("present failed");
			lp_buf_free(&lp1);
			t[r] = (double)(bench_now_ns() - t0);
		}
		bench_summarize(t, po.reps, &s);
		bench_emit_stat(id, &s);
		free(t);
		lp_wallet_close(w);
	}

	for (size_t i = 0; i < 6; i++) {
		const wcase *c = i < 3 ? &W.w[i] : &W.wmin[i - 3];
		char prev[1100];
		snprintf(prev, sizeof prev, "%s.prev", c->path);
		unlink(c->path);
		unlink(prev);
		snprintf(prev, sizeof prev, "%s.lock", c->path);
		unlink(prev);
	}
	bench_fixture_free(&W.f);
	return 0;
}
