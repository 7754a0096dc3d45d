/* Tests of the encrypted signing-key file: round trip, wrong passphrase,
 * every single-byte change and truncation rejected, tampering with a
 * recomputed checksum still caught, exclusive 0600 creation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "leerpas/keyfile.h"

static const lp_kdf_params fast = { 1, 8u * 1024u * 1024u };

static lp_view pv(const char *s)
{
	return lp_view_of((const uint8_t *)s, strlen(s));
}

static void init(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(keyfile, .init = init);

static void make(lp_signkey *k, lp_buf *img)
{
	cr_assert_eq(lp_signkey_generate("school-key-1", k), LP_OK);
	cr_assert_eq(lp_keyfile_seal(k, pv("correct horse battery"), &fast, img), LP_OK);
}

Test(keyfile, round_trip_and_peek)
{
	lp_signkey k, k2;
	lp_buf img;
	uint8_t pk[32];
	char kid[LP_KID_MAX + 1];
	lp_kdf_params kdf;
	make(&k, &img);
	cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv("correct horse battery"), &k2, NULL), LP_OK);
	cr_assert_eq(memcmp(k.pk, k2.pk, 32), 0);
	cr_assert_eq(memcmp(k.sk, k2.sk, 64), 0);
	cr_assert_str_eq(k2.kid, "school-key-1");
	cr_assert_eq(lp_keyfile_peek(lp_buf_view(&img), pk, kid, &kdf, NULL), LP_OK);
	cr_assert_eq(memcmp(pk, k.pk, 32), 0);
	cr_assert_str_eq(kid, "school-key-1");
	cr_assert_eq(kdf.opslimit, 1);
	cr_assert_eq(kdf.memlimit, 8u * 1024u * 1024u);
	/* the secret never appears in clear in the file */
	for (size_t i = 0; i + 32 <= img.len; i++)
		cr_assert_neq(memcmp(img.ptr + i, k.sk, 32), 0);
	lp_signkey_free(&k2);
	cr_assert_null(k2.sk);
	lp_signkey_free(&k);
	lp_buf_free(&img);
}

Test(keyfile, wrong_passphrase)
{
	lp_signkey k, k2;
	lp_buf img;
	lp_diag d;
	make(&k, &img);
	cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv("correct horse batterx"), &k2, &d),
		     LP_ERR_PASSPHRASE);
	cr_assert_null(k2.sk);
	cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv(""), &k2, &d), LP_ERR_ARG);
	lp_signkey_free(&k);
	lp_buf_free(&img);
}

Test(keyfile, every_byte_flip_rejected)
{
	lp_signkey k, k2;
	lp_buf img;
	make(&k, &img);
	for (size_t i = 0; i < img.len; i++) {
		img.ptr[i] ^= 0x01;
		lp_err rc = lp_keyfile_open(lp_buf_view(&img), pv("correct horse battery"), &k2, NULL);
		cr_assert_neq(rc, LP_OK, "flip at %zu accepted", i);
		cr_assert_neq(rc, LP_ERR_PASSPHRASE, "flip at %zu reported as wrong passphrase", i);
		cr_assert_null(k2.sk);
		img.ptr[i] ^= 0x01;
	}
	for (size_t n = 0; n < img.len; n++) {
		lp_err rc = lp_keyfile_open(lp_view_of(img.ptr, n), pv("correct horse battery"), &k2, NULL);
		cr_assert_neq(rc, LP_OK, "truncation to %zu accepted", n);
	}
	lp_signkey_free(&k);
	lp_buf_free(&img);
}

/* An attacker who also recomputes the trailing checksum: changes to the
 * public key, kid, nonce or ciphertext are caught by the AEAD
 * (LP_ERR_INTEGRITY); a changed salt looks like a wrong passphrase. */
Test(keyfile, tamper_with_recomputed_checksum)
{
	lp_signkey k, k2;
	lp_buf img;
	make(&k, &img);
	const size_t salt = 16, nonce = 32, pk = 56, kid = 89, sealed = 89 + 12 + 16;
	const struct {
		size_t off;
		lp_err want;
	} cases[] = { { nonce, LP_ERR_INTEGRITY }, { pk, LP_ERR_INTEGRITY }, { kid, LP_ERR_INTEGRITY },
		      { sealed, LP_ERR_INTEGRITY }, { sealed + 40, LP_ERR_INTEGRITY },
		      { salt, LP_ERR_PASSPHRASE } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		img.ptr[cases[i].off] ^= 0x02;
		crypto_hash_sha256(img.ptr + img.len - 32, img.ptr, img.len - 32);
		cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv("correct horse battery"), &k2, NULL),
			     cases[i].want, "case %zu", i);
		img.ptr[cases[i].off] ^= 0x02;
		crypto_hash_sha256(img.ptr + img.len - 32, img.ptr, img.len - 32);
	}
	cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv("correct horse battery"), &k2, NULL), LP_OK);
	lp_signkey_free(&k2);
	lp_signkey_free(&k);
	lp_buf_free(&img);
}

Test(keyfile, bad_arguments)
{
	lp_signkey k;
	lp_buf img;
	lp_kdf_params weak = { 0, 8u * 1024u * 1024u };
	cr_assert_eq(lp_signkey_generate("", &k), LP_ERR_ARG);
	cr_assert_eq(lp_signkey_generate("has space", &k), LP_ERR_ARG);
	cr_assert_null(k.sk);
	cr_assert_eq(lp_signkey_generate("k1", &k), LP_OK);
	cr_assert_eq(lp_keyfile_seal(&k, pv("pass"), &weak, &img), LP_ERR_ARG);
	cr_assert_null(img.ptr);
	cr_assert_eq(lp_keyfile_seal(&k, pv(""), &fast, &img), LP_ERR_ARG);
	lp_signkey_free(&k);
	cr_assert_eq(lp_keyfile_open(lp_view_of((const uint8_t *)"LPKEY", 5), pv("x"), &k, NULL),
		     LP_ERR_MALFORMED);
}

Test(keyfile, newer_version_refused)
{
	lp_signkey k, k2;
	lp_buf img;
	make(&k, &img);
	img.ptr[6] = 2;
	cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv("correct horse battery"), &k2, NULL), LP_ERR_VERSION);
	lp_signkey_free(&k);
	lp_buf_free(&img);
}

Test(keyfile, write_exclusive_0600_and_read)
{
	char dir[] = "/tmp/lp-keyfile-XXXXXX";
	char path[64];
	struct stat st;
	lp_signkey k, k2;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/signing.key", dir);
	cr_assert_eq(lp_signkey_generate("k1", &k), LP_OK);
	cr_assert_eq(lp_keyfile_write(path, &k, pv("pass phrase"), &fast), LP_OK);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(lp_keyfile_write(path, &k, pv("pass phrase"), &fast), LP_ERR_EXISTS);
	cr_assert_eq(lp_keyfile_read(path, pv("pass phrase"), &k2, NULL), LP_OK);
	cr_assert_eq(memcmp(k.sk, k2.sk, 64), 0);
	lp_signkey_free(&k2);
	cr_assert_eq(lp_keyfile_read(path, pv("pass phrasf"), &k2, NULL), LP_ERR_PASSPHRASE);
	unlink(path);
	cr_assert_eq(lp_keyfile_read(path, pv("pass phrase"), &k2, NULL), LP_ERR_NOT_FOUND);
	rmdir(dir);
	lp_signkey_free(&k);
}

/* The one test with the default Argon2id cost (256 MiB, 3 passes). */
Test(keyfile, default_parameters)
{
	lp_signkey k, k2;
	lp_buf img;
	lp_kdf_params kdf;
	cr_assert_eq(lp_signkey_generate("k1", &k), LP_OK);
	cr_assert_eq(lp_keyfile_seal(&k, pv("pass phrase"), NULL, &img), LP_OK);
	cr_assert_eq(lp_keyfile_peek(lp_buf_view(&img), NULL, NULL, &kdf, NULL), LP_OK);
	cr_assert_eq(kdf.opslimit, LP_KEYFILE_OPSLIMIT_DEFAULT);
	cr_assert_eq(kdf.memlimit, LP_KEYFILE_MEMLIMIT_DEFAULT);
	cr_assert_eq(lp_keyfile_open(lp_buf_view(&img), pv("pass phrase"), &k2, NULL), LP_OK);
	lp_signkey_free(&k2);
	lp_signkey_free(&k);
	lp_buf_free(&img);
}
