/* leerpas benchmark, item 1: the limit. The primitives every leerpas
 * operation is made of, measured in the same run as everything else:
 * Ed25519 sign and verify, SHA-256 of a disclosure, Argon2id at the
 * wallet's settings. */
#include "bench.h"

#include <sodium.h>
#include <string.h>

#include "prims.h"

/* A signed message the size of a typical credential's Sig_structure. */
#define MSG_LEN 400
/* A disclosure [salt(16), value, key] of a short redactable claim. */
#define DISCLOSURE_LEN 60

static struct {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t msg[MSG_LEN];
	uint8_t sig[crypto_sign_BYTES];
	uint8_t disclosure[DISCLOSURE_LEN];
	uint8_t digest[crypto_hash_sha256_BYTES];
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t key[32];
	unsigned long long opslimit;
	size_t memlimit;
} P;

static int do_sign(void *ctx)
{
	(void)ctx;
	return crypto_sign_detached(P.sig, NULL, P.msg, sizeof P.msg, P.sk);
}

static int do_verify(void *ctx)
{
	(void)ctx;
	return crypto_sign_verify_detached(P.sig, P.msg, sizeof P.msg, P.pk);
}

static int do_sha256(void *ctx)
{
	(void)ctx;
	return crypto_hash_sha256(P.digest, P.disclosure, sizeof P.disclosure);
}

static int do_argon2id(void *ctx)
{
	(void)ctx;
	static const char pass[] = "correct horse battery staple";
	return crypto_pwhash(P.key, sizeof P.key, pass, sizeof pass - 1, P.salt, P.opslimit,
			     P.memlimit, crypto_pwhash_ALG_ARGON2ID13);
}

void bench_prims_setup(unsigned long long opslimit, size_t memlimit)
{
	if (sodium_init() < 0)
		bench_die("sodium_init failed");
	crypto_sign_keypair(P.pk, P.sk);
	randombytes_buf(P.msg, sizeof P.msg);
	randombytes_buf(P.disclosure, sizeof P.disclosure);
	randombytes_buf(P.salt, sizeof P.salt);
	P.opslimit = opslimit;
	P.memlimit = memlimit;
	if (do_sign(NULL) != 0 || do_verify(NULL) != 0)
		bench_die("Ed25519 self-check failed");
}

int bench_prim_ed25519_sign(void *ctx) { return do_sign(ctx); }
int bench_prim_ed25519_verify(void *ctx) { return do_verify(ctx); }
int bench_prim_sha256_disclosure(void *ctx) { return do_sha256(ctx); }

int bench_prims(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bench_prims_setup(bench_wallet_opslimit(), bench_wallet_memlimit());

	bench_case fast[] = {
		{ "prim.ed25519_sign", do_sign, NULL },
		{ "prim.ed25519_verify", do_verify, NULL },
		{ "prim.sha256_disclosure60", do_sha256, NULL },
	};
	bench_stat st[3];
	if (bench_run(fast, 3, &bench_default, st) != 0)
		return 1;
	for (size_t i = 0; i < 3; i++)
		bench_emit_stat(fast[i].id, &st[i]);

	/* Argon2id takes most of a second at the wallet's settings: fewer
	 * repetitions, one call each, a single warm-up call. */
	bench_opts slow = { 0, bench_default.reps >= 15 ? 5u : 3u, 0.0, 1 };
	bench_case a = { "prim.argon2id_wallet", do_argon2id, NULL };
	bench_stat sa;
	if (bench_run(&a, 1, &slow, &sa) != 0)
		return 1;
	bench_emit_stat(a.id, &sa);
	bench_emit_value("prim.argon2id_opslimit", (double)P.opslimit, "passes");
	bench_emit_value("prim.argon2id_memlimit", (double)P.memlimit, "bytes");
	return 0;
}
