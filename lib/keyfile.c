/* The school's signing key encrypted at rest: Argon2id from the passphrase,
 * XChaCha20-Poly1305 with the header as associated data, a checksum to tell
 * an altered file from a wrong passphrase. See include/leerpas/keyfile.h. */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "leerpas/fileio.h"
#include "leerpas/keyfile.h"

#define MAGIC "LPKEY\0"
#define MAGIC_LEN 6
#define SUITE_ARGON2ID_XCHACHA 1
#define SALT_LEN 16
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES /* 24 */
#define CHECK_LEN 16
#define SEED_LEN 32
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES /* 16 */
#define SUM_LEN 32
#define FIXED_HEAD (MAGIC_LEN + 1 + 1 + 4 + 4 + SALT_LEN + NONCE_LEN + LP_ED25519_PK_BYTES + 1)
#define DERIVED_LEN (32 + CHECK_LEN)

/* Parsed view of a key file image (pointers into the image). */
struct image {
	uint32_t opslimit;
	uint32_t mem_kib;
	const uint8_t *salt, *nonce, *pk, *kid, *check, *sealed;
	size_t kid_len;
	size_t ad_len; /* bytes from the start up to the sealed seed */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool kid_ok(const char *kid, size_t len)
{
	if (len == 0 || len > LP_KID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (kid[i] < 0x21 || kid[i] > 0x7e)
			return false;
	return true;
}

void lp_signkey_free(lp_signkey *k)
{
	if (!k)
		return;
	if (k->sk)
		sodium_free(k->sk);
	memset(k, 0, sizeof *k);
}

lp_err lp_signkey_from_seed(const uint8_t seed[32], const char *kid, lp_signkey *out)
{
	size_t kl;

	memset(out, 0, sizeof *out);
	if (!seed || !kid)
		return LP_ERR_ARG;
	kl = strlen(kid);
	if (!kid_ok(kid, kl))
		return LP_ERR_ARG;
	out->sk = sodium_malloc(LP_ED25519_SK_BYTES);
	if (!out->sk)
		return LP_ERR_NOMEM;
	if (crypto_sign_seed_keypair(out->pk, out->sk, seed) != 0) {
		lp_signkey_free(out);
		return LP_ERR_CRYPTO;
	}
	memcpy(out->kid, kid, kl + 1);
	return LP_OK;
}

lp_err lp_signkey_generate(const char *kid, lp_signkey *out)
{
	uint8_t *seed;
	lp_err rc;

	memset(out, 0, sizeof *out);
	seed = sodium_malloc(SEED_LEN);
	if (!seed)
		return LP_ERR_NOMEM;
	lp_random(seed, SEED_LEN);
	rc = lp_signkey_from_seed(seed, kid, out);
	sodium_free(seed);
	return rc;
}

static bool kdf_ok(uint64_t ops, uint64_t mem)
{
	return ops >= 1 && ops <= LP_KEYFILE_OPSLIMIT_MAX && mem >= 8192 &&
	       mem <= LP_KEYFILE_MEMLIMIT_MAX && mem % 1024 == 0;
}

/* Argon2id(passphrase, salt) -> 32-byte AEAD key || 16-byte check value,
 * into sodium_malloc'd *out (caller frees). */
static lp_err derive(lp_view pass, const uint8_t *salt, uint32_t ops, size_t mem, uint8_t **out)
{
	uint8_t *d = sodium_malloc(DERIVED_LEN);
	*out = NULL;
	if (!d)
		return LP_ERR_NOMEM;
	if (crypto_pwhash(d, DERIVED_LEN, (const char *)pass.ptr, pass.len, salt, ops, mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(d);
		return LP_ERR_NOMEM; /* the only failure for valid limits */
	}
	*out = d;
	return LP_OK;
}

lp_err lp_keyfile_seal(const lp_signkey *k, lp_view pass, const lp_kdf_params *kdf,
		       lp_buf *out)
{
	uint32_t ops = kdf ? kdf->opslimit : LP_KEYFILE_OPSLIMIT_DEFAULT;
	size_t mem = kdf ? kdf->memlimit : LP_KEYFILE_MEMLIMIT_DEFAULT;
	uint8_t *img = NULL, *derived = NULL, *p;
	size_t kid_len, total;
	lp_err rc;

	out->ptr = NULL;
	out->len = 0;
	if (!k || !k->sk || !pass.ptr || pass.len == 0)
		return LP_ERR_ARG;
	kid_len = strlen(k->kid);
	if (!kid_ok(k->kid, kid_len) || !kdf_ok(ops, mem))
		return LP_ERR_ARG;
	total = FIXED_HEAD + kid_len + CHECK_LEN + SEED_LEN + TAG_LEN + SUM_LEN;
	img = sodium_malloc(total);
	if (!img)
		return LP_ERR_NOMEM;
	p = img;
	memcpy(p, MAGIC, MAGIC_LEN);
	p += MAGIC_LEN;
	*p++ = LP_KEYFILE_VERSION;
	*p++ = SUITE_ARGON2ID_XCHACHA;
	put32(p, ops);
	p += 4;
	put32(p, (uint32_t)(mem / 1024));
	p += 4;
	lp_random(p, SALT_LEN);
	const uint8_t *salt = p;
	p += SALT_LEN;
	lp_random(p, NONCE_LEN);
	const uint8_t *nonce = p;
	p += NONCE_LEN;
	memcpy(p, k->pk, LP_ED25519_PK_BYTES);
	p += LP_ED25519_PK_BYTES;
	*p++ = (uint8_t)kid_len;
	memcpy(p, k->kid, kid_len);
	p += kid_len;

	rc = derive(pass, salt, ops, mem, &derived);
	if (rc != LP_OK)
		goto out;
	memcpy(p, derived + 32, CHECK_LEN);
	p += CHECK_LEN;
	/* Only the 32-byte seed is stored; the public key is recomputed on
	 * open and must equal the header's. */
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(p, NULL, k->sk, SEED_LEN, img,
						       (unsigned long long)(size_t)(p - img), NULL,
						       nonce, derived) != 0) {
		rc = LP_ERR_CRYPTO;
		goto out;
	}
	p += SEED_LEN + TAG_LEN;
	crypto_hash_sha256(p, img, (unsigned long long)(size_t)(p - img));
	rc = lp_buf_dup(out, img, total);
out:
	if (derived)
		sodium_free(derived);
	sodium_free(img);
	return rc;
}

/* Structure and checksum; fills im. */
static lp_err parse(lp_view f, struct image *im, lp_diag *d)
{
	const uint8_t *p = f.ptr;
	uint8_t sum[SUM_LEN];
	size_t need;

	memset(im, 0, sizeof *im);
	if (!f.ptr || f.len < FIXED_HEAD || memcmp(p, MAGIC, MAGIC_LEN) != 0)
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "not a leerpas key file");
	if (p[6] > LP_KEYFILE_VERSION)
		return lp_diag_set(d, LP_ERR_VERSION, 6, "key file format version %u is newer than this program",
				   p[6]);
	if (p[6] != LP_KEYFILE_VERSION)
		return lp_diag_set(d, LP_ERR_MALFORMED, 6, "unknown key file version %u", p[6]);
	im->kid_len = p[FIXED_HEAD - 1];
	need = FIXED_HEAD + im->kid_len + CHECK_LEN + SEED_LEN + TAG_LEN + SUM_LEN;
	if (f.len != need)
		return lp_diag_set(d, f.len < need ? LP_ERR_MALFORMED : LP_ERR_INTEGRITY,
				   f.len < need ? f.len : need,
				   f.len < need ? "key file is truncated" : "bytes after the end of the key file");
	crypto_hash_sha256(sum, p, need - SUM_LEN);
	if (sodium_memcmp(sum, p + need - SUM_LEN, SUM_LEN) != 0)
		return lp_diag_set(d, LP_ERR_INTEGRITY, need - SUM_LEN,
				   "key file checksum does not match: the file was altered or damaged");
	if (p[7] != SUITE_ARGON2ID_XCHACHA)
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 7, "unknown key file cipher suite %u", p[7]);
	im->opslimit = get32(p + 8);
	im->mem_kib = get32(p + 12);
	if (!kdf_ok(im->opslimit, (uint64_t)im->mem_kib * 1024u))
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 8, "key file asks for Argon2id limits beyond what is allowed");
	im->salt = p + 16;
	im->nonce = im->salt + SALT_LEN;
	im->pk = im->nonce + NONCE_LEN;
	im->kid = im->pk + LP_ED25519_PK_BYTES + 1;
	if (!kid_ok((const char *)im->kid, im->kid_len))
		return lp_diag_set(d, LP_ERR_MALFORMED, FIXED_HEAD, "key id in the key file is not printable text");
	im->check = im->kid + im->kid_len;
	im->sealed = im->check + CHECK_LEN;
	im->ad_len = (size_t)(im->sealed - p);
	return LP_OK;
}

lp_err lp_keyfile_peek(lp_view file, uint8_t pk[LP_ED25519_PK_BYTES], char kid[LP_KID_MAX + 1],
		       lp_kdf_params *kdf, lp_diag *d)
{
	struct image im;
	lp_err rc = parse(file, &im, d);
	if (rc != LP_OK)
		return rc;
	if (pk)
		memcpy(pk, im.pk, LP_ED25519_PK_BYTES);
	if (kid) {
		memcpy(kid, im.kid, im.kid_len);
		kid[im.kid_len] = '\0';
	}
	if (kdf) {
		kdf->opslimit = im.opslimit;
		kdf->memlimit = (size_t)im.mem_kib * 1024u;
	}
	return LP_OK;
}

lp_err lp_keyfile_open(lp_view file, lp_view pass, lp_signkey *out, lp_diag *d)
{
	struct image im;
	uint8_t *derived = NULL, *seed = NULL;
	char kid[LP_KID_MAX + 1];
	lp_err rc;

	memset(out, 0, sizeof *out);
	if (!pass.ptr || pass.len == 0)
		return LP_ERR_ARG;
	rc = parse(file, &im, d);
	if (rc != LP_OK)
		return rc;
	rc = derive(pass, im.salt, im.opslimit, (size_t)im.mem_kib * 1024u, &derived);
	if (rc != LP_OK)
		return rc;
	if (sodium_memcmp(derived + 32, im.check, CHECK_LEN) != 0) {
		rc = lp_diag_set(d, LP_ERR_PASSPHRASE, 0, "wrong passphrase for this key file");
		goto out;
	}
	seed = sodium_malloc(SEED_LEN);
	if (!seed) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(seed, NULL, NULL, im.sealed, SEED_LEN + TAG_LEN,
						       file.ptr, im.ad_len, im.nonce, derived) != 0) {
		rc = lp_diag_set(d, LP_ERR_INTEGRITY, im.ad_len,
				 "the key file does not decrypt: it was altered");
		goto out;
	}
	memcpy(kid, im.kid, im.kid_len);
	kid[im.kid_len] = '\0';
	rc = lp_signkey_from_seed(seed, kid, out);
	if (rc != LP_OK)
		goto out;
	if (sodium_memcmp(out->pk, im.pk, LP_ED25519_PK_BYTES) != 0) {
		lp_signkey_free(out);
		rc = lp_diag_set(d, LP_ERR_INTEGRITY, FIXED_HEAD - 1 - LP_ED25519_PK_BYTES,
				 "the key file's public key does not match its secret key");
	}
out:
	if (seed)
		sodium_free(seed);
	sodium_free(derived);
	return rc;
}

lp_err lp_keyfile_write(const char *path, const lp_signkey *k, lp_view pass,
			const lp_kdf_params *kdf)
{
	lp_buf img = { NULL, 0 };
	lp_err rc;
	int saved;

	if (!path)
		return LP_ERR_ARG;
	rc = lp_keyfile_seal(k, pass, kdf, &img);
	if (rc != LP_OK)
		return rc;
	rc = lp_file_write_atomic(path, lp_buf_view(&img), 0600, LP_WRITE_EXCLUSIVE);
	saved = errno;
	lp_buf_free(&img);
	errno = saved;
	return rc;
}

lp_err lp_keyfile_read(const char *path, lp_view pass, lp_signkey *out, lp_diag *d)
{
	lp_buf img = { NULL, 0 };
	lp_err rc;

	memset(out, 0, sizeof *out);
	rc = lp_file_read(path, LP_KEYFILE_MAX_BYTES, &img);
	if (rc == LP_ERR_TOO_LARGE)
		return lp_diag_set(d, LP_ERR_INTEGRITY, LP_KEYFILE_MAX_BYTES,
				   "key file is larger than any key file: it was altered");
	if (rc != LP_OK)
		return rc;
	rc = lp_keyfile_open(lp_buf_view(&img), pass, out, d);
	lp_buf_free(&img);
	return rc;
}
