/* Tests of the wallet store (lib/wallet_*.c): round trips, passphrase and
 * recovery key, every single-byte corruption and truncation of a wallet file,
 * newer versions, the body's strict reader, backup/restore, and a writer
 * killed at many points during save. Argon2id runs with small limits except
 * in the one test of the defaults. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "leerpas/fileio.h"
#include "leerpas/wallet.h"
#include "wallet_int.h"

static const lp_wallet_kdf FAST = { 1, 8u * 1024u * 1024u };
static char dir[64];
static char path[128];

static lp_view V(const char *s)
{
	return lp_view_of((const uint8_t *)s, strlen(s));
}

static void setup(void)
{
	cr_assert_eq(lp_init(), LP_OK);
	strcpy(dir, "/tmp/lp-wallet-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/wallet.lpw", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(wallet_store, .init = setup, .fini = teardown, .timeout = 600);

/* Fill w with one key, one credential of two copies and one log entry. */
static void fill(lp_wallet *w)
{
	uint8_t pk1[32], pk2[32];
	cr_assert_eq(lp_wallet_key_new(w, 1700000000, "https://roc.example/", pk1), LP_OK);
	cr_assert_eq(lp_wallet_key_new(w, 1700000001, "https://roc.example/", pk2), LP_OK);
	static const uint8_t cwt1[] = { 0xd2, 0x84, 0x40, 0xa0, 0x41, 0x01, 0x41, 0x02 };
	static const uint8_t cwt2[] = { 0xd2, 0x84, 0x40, 0xa0, 0x41, 0x03, 0x41, 0x04 };
	lp_wallet_copy copies[2];
	memset(copies, 0, sizeof copies);
	copies[0].sdcwt = lp_view_of(cwt1, sizeof cwt1);
	memcpy(copies[0].holder_pk, pk1, 32);
	copies[1].sdcwt = lp_view_of(cwt2, sizeof cwt2);
	memcpy(copies[1].holder_pk, pk2, 32);
	copies[1].uses = 2;
	lp_wallet_cred c = { "mc-1", "https://roc.example/", "Basis Python", "microcredential",
			     1700000100, LP_WALLET_STATUS_UNKNOWN, 0, 2, copies };
	cr_assert_eq(lp_wallet_cred_add(w, &c), LP_OK);
	const char *claims[] = { "name", "grade" };
	lp_wallet_log l = { 1700000200, "mc-1", 1, "https://werkgever.example/", "n0nce", 2, claims };
	cr_assert_eq(lp_wallet_log_add(w, &l), LP_OK);
}

static void check_filled(const lp_wallet *w)
{
	cr_assert_eq(lp_wallet_cred_count(w), 1);
	cr_assert_eq(lp_wallet_key_count(w), 2);
	cr_assert_eq(lp_wallet_log_count(w), 1);
	const lp_wallet_cred *c = lp_wallet_cred_find(w, "mc-1");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->title, "Basis Python");
	cr_assert_str_eq(c->issuer, "https://roc.example/");
	cr_assert_str_eq(c->type, "microcredential");
	cr_assert_eq(c->imported, 1700000100);
	cr_assert_eq(c->status, LP_WALLET_STATUS_UNKNOWN);
	cr_assert_eq(c->ncopies, 2);
	cr_assert_eq(c->copies[0].sdcwt.len, 8);
	cr_assert_eq(c->copies[1].sdcwt.ptr[5], 0x03);
	cr_assert_eq(c->copies[1].uses, 2);
	const lp_wallet_key *k = lp_wallet_key_find(w, c->copies[1].holder_pk);
	cr_assert_not_null(k);
	cr_assert_eq(k->created, 1700000001);
	uint8_t pk[32];
	cr_assert_eq(crypto_sign_ed25519_sk_to_pk(pk, k->sk), 0);
	cr_assert_eq(memcmp(pk, k->pk, 32), 0);
	const lp_wallet_log *l = lp_wallet_log_at(w, 0);
	cr_assert_str_eq(l->audience, "https://werkgever.example/");
	cr_assert_str_eq(l->challenge, "n0nce");
	cr_assert_eq(l->copy, 1);
	cr_assert_eq(l->nclaims, 2);
	cr_assert_str_eq(l->claims[1], "grade");
}

/* A saved wallet with content; returns its recovery key in rec. */
static void make_wallet(const char *pass, char rec[LP_WALLET_RECOVERY_TEXT_SIZE])
{
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_create(path, V(pass), &FAST, rec, &w, &d), LP_OK, "%s", d.msg);
	fill(w);
	cr_assert_eq(lp_wallet_save(w), LP_OK);
	lp_wallet_close(w);
}

static lp_buf read_all(const char *p)
{
	lp_buf b;
	cr_assert_eq(lp_file_read(p, LP_WALLET_FILE_MAX, &b), LP_OK);
	return b;
}

Test(wallet_store, create_save_open_round_trip)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("correct horse", rec);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open(path, V("correct horse"), &w, &d), LP_OK, "%s", d.msg);
	check_filled(w);
	cr_assert_str_eq(lp_wallet_path(w), path);
	lp_wallet_kdf k;
	lp_wallet_get_kdf(w, &k);
	cr_assert_eq(k.opslimit, FAST.opslimit);
	cr_assert_eq(k.memlimit, FAST.memlimit);
	lp_wallet_close(w);
}

Test(wallet_store, create_refuses_existing_file_and_bad_arguments)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec);
	lp_buf before = read_all(path);
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_create(path, V("other"), &FAST, rec, &w, &d), LP_ERR_EXISTS);
	cr_assert_null(w);
	cr_assert_eq(rec[0], 0, "recovery text wiped on failure");
	lp_buf after = read_all(path);
	cr_assert_eq(after.len, before.len);
	cr_assert_eq(memcmp(after.ptr, before.ptr, after.len), 0);
	char p2[160];
	snprintf(p2, sizeof p2, "%s/other.lpw", dir);
	cr_assert_eq(lp_wallet_create(p2, V(""), &FAST, rec, &w, &d), LP_ERR_ARG);
	lp_wallet_kdf bad = { 0, FAST.memlimit };
	cr_assert_eq(lp_wallet_create(p2, V("x"), &bad, rec, &w, &d), LP_ERR_ARG);
	lp_wallet_kdf bad2 = { 1, 1024 };
	cr_assert_eq(lp_wallet_create(p2, V("x"), &bad2, rec, &w, &d), LP_ERR_ARG);
	cr_assert_eq(access(p2, F_OK), -1, "nothing written on failure");
	lp_buf_free(&before);
	lp_buf_free(&after);
}

Test(wallet_store, wrong_passphrase_is_reported_and_changes_nothing)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("right one", rec);
	lp_buf before = read_all(path);
	const char *wrong[] = { "right onE", "right on", "right one ", "", "x" };
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		lp_wallet *w = (lp_wallet *)1;
		lp_diag d;
		cr_assert_eq(lp_wallet_open(path, V(wrong[i]), &w, &d), LP_ERR_PASSPHRASE, "%s",
			     wrong[i]);
		cr_assert_null(w);
		cr_assert(strstr(d.msg, "passphrase"));
	}
	lp_buf after = read_all(path);
	cr_assert_eq(after.len, before.len);
	cr_assert_eq(memcmp(after.ptr, before.ptr, after.len), 0);
	char prev[160];
	snprintf(prev, sizeof prev, "%s.prev", path);
	lp_buf_free(&before);
	lp_buf_free(&after);
}

Test(wallet_store, open_missing_file_and_not_a_wallet)
{
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open(path, V("x"), &w, &d), LP_ERR_NOT_FOUND);
	cr_assert(strstr(d.msg, "no wallet"));
	FILE *f = fopen(path, "w");
	fputs("hello, I am a text file and not a wallet at all, not at all", f);
	fclose(f);
	cr_assert_eq(lp_wallet_open(path, V("x"), &w, &d), LP_ERR_MALFORMED);
	cr_assert(strstr(d.msg, "not a leerpas wallet"), "%s", d.msg);
}

Test(wallet_store, passwd_changes_passphrase_and_keeps_recovery)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("old pass", rec);
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open(path, V("old pass"), &w, &d), LP_OK);
	lp_wallet_kdf k2 = { 2, 16u * 1024u * 1024u };
	cr_assert_eq(lp_wallet_set_passphrase(w, V(""), NULL), LP_ERR_ARG);
	cr_assert_eq(lp_wallet_set_passphrase(w, V("new pass"), &k2), LP_OK);
	cr_assert_eq(lp_wallet_save(w), LP_OK);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_open(path, V("old pass"), &w, &d), LP_ERR_PASSPHRASE);
	cr_assert_eq(lp_wallet_open(path, V("new pass"), &w, &d), LP_OK);
	check_filled(w);
	lp_wallet_kdf k;
	lp_wallet_get_kdf(w, &k);
	cr_assert_eq(k.opslimit, 2);
	cr_assert_eq(k.memlimit, 16u * 1024u * 1024u);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_open_recovery(path, rec, &w, &d), LP_OK, "%s", d.msg);
	check_filled(w);
	lp_wallet_close(w);
	/* the previous generation is kept and opens with the old passphrase */
	char prev[160];
	snprintf(prev, sizeof prev, "%s.prev", path);
	cr_assert_eq(lp_wallet_open(prev, V("old pass"), &w, &d), LP_OK, "%s", d.msg);
	lp_wallet_close(w);
}

Test(wallet_store, recover_with_recovery_key_sets_new_passphrase)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("forgotten", rec);
	cr_assert_eq(strlen(rec), 47);
	/* typed back lower case, with spaces instead of dashes */
	char typed[64];
	size_t n = 0;
	for (size_t i = 0; rec[i]; i++)
		typed[n++] = rec[i] == '-' ? ' ' : (char)tolower((unsigned char)rec[i]);
	typed[n] = '\0';
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open_recovery(path, typed, &w, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_wallet_set_passphrase(w, V("remembered"), NULL), LP_OK);
	cr_assert_eq(lp_wallet_save(w), LP_OK);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_open(path, V("remembered"), &w, &d), LP_OK);
	check_filled(w);
	lp_wallet_close(w);
	/* another wallet's (well-formed) recovery key does not open it */
	uint8_t other[LP_WALLET_RECOVERY_BYTES];
	char otext[LP_WALLET_RECOVERY_TEXT_SIZE];
	randombytes_buf(other, sizeof other);
	lp_wallet_recovery_format(other, otext);
	cr_assert_eq(lp_wallet_open_recovery(path, otext, &w, &d), LP_ERR_PASSPHRASE);
	cr_assert(strstr(d.msg, "recovery key"));
}

Test(wallet_store, recovery_key_round_trips_and_tolerates_typing)
{
	for (int t = 0; t < 200; t++) {
		uint8_t key[LP_WALLET_RECOVERY_BYTES], back[LP_WALLET_RECOVERY_BYTES];
		char text[LP_WALLET_RECOVERY_TEXT_SIZE];
		randombytes_buf(key, sizeof key);
		lp_wallet_recovery_format(key, text);
		cr_assert_eq(strlen(text), 47);
		for (int g = 1; g < 8; g++)
			cr_assert_eq(text[g * 6 - 1], '-');
		cr_assert_eq(lp_wallet_recovery_parse(text, strlen(text), back, NULL), LP_OK);
		cr_assert_eq(memcmp(key, back, sizeof key), 0);
		/* lower case, no separators, 0 typed as O and 1 as l */
		char typed[64];
		size_t n = 0;
		for (size_t i = 0; text[i]; i++) {
			char ch = text[i];
			if (ch == '-')
				continue;
			ch = ch == '0' ? 'o' : ch == '1' ? 'l' : (char)tolower((unsigned char)ch);
			typed[n++] = ch;
		}
		cr_assert_eq(lp_wallet_recovery_parse(typed, n, back, NULL), LP_OK);
		cr_assert_eq(memcmp(key, back, sizeof key), 0);
	}
}

/* Characters only, no dashes: position i of 40 is in group i / 5. */
static void strip(const char *text, char out[41])
{
	size_t n = 0;
	for (size_t i = 0; text[i]; i++)
		if (text[i] != '-')
			out[n++] = text[i];
	out[n] = '\0';
}

Test(wallet_store, recovery_key_catches_every_typo_and_neighbour_swap)
{
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	for (int t = 0; t < 20; t++) {
		uint8_t key[LP_WALLET_RECOVERY_BYTES], back[LP_WALLET_RECOVERY_BYTES];
		char text[LP_WALLET_RECOVERY_TEXT_SIZE], s[41], m[41];
		randombytes_buf(key, sizeof key);
		lp_wallet_recovery_format(key, text);
		strip(text, s);
		for (int i = 0; i < 40; i++) {
			for (int a = 0; a < 32; a++) {
				if (alpha[a] == s[i])
					continue;
				memcpy(m, s, 41);
				m[i] = alpha[a];
				lp_diag d;
				cr_assert_eq(lp_wallet_recovery_parse(m, 40, back, &d), LP_ERR_MALFORMED,
					     "substitution at %d not caught", i);
				char want[32];
				snprintf(want, sizeof want, "group %d ", i / 5 + 1);
				cr_assert(strstr(d.msg, want), "%s (wanted %s)", d.msg, want);
				for (size_t b = 0; b < sizeof back; b++)
					cr_assert_eq(back[b], 0, "key zeroed on failure");
			}
			if (i < 39 && s[i] != s[i + 1]) {
				memcpy(m, s, 41);
				m[i] = s[i + 1];
				m[i + 1] = s[i];
				cr_assert_eq(lp_wallet_recovery_parse(m, 40, back, NULL), LP_ERR_MALFORMED,
					     "swap at %d not caught", i);
			}
		}
		/* two groups written in each other's place */
		memcpy(m, s, 41);
		memcpy(m, s + 5, 5);
		memcpy(m + 5, s, 5);
		if (memcmp(s, s + 5, 5) != 0)
			cr_assert_eq(lp_wallet_recovery_parse(m, 40, back, NULL), LP_ERR_MALFORMED);
	}
}

Test(wallet_store, recovery_key_bad_input_table)
{
	uint8_t key[LP_WALLET_RECOVERY_BYTES] = { 0 };
	char text[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_wallet_recovery_format(key, text);
	struct {
		const char *in;
		const char *msg;
	} bad[] = {
		{ "", "too few" },
		{ "00000", "too few" },
		{ "0000U-00000-00000-00000-00000-00000-00000-00000", "not in the recovery key alphabet" },
		{ "0000*-00000-00000-00000-00000-00000-00000-00000", "'*'" },
		{ "\xc3\xa9", "not in the recovery key alphabet" },
		{ "00000-00000-00000-00000-00000-00000-00000-00000-0", "too many" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		lp_diag d;
		cr_assert_eq(lp_wallet_recovery_parse(bad[i].in, strlen(bad[i].in), key, &d),
			     LP_ERR_MALFORMED, "%s", bad[i].in);
		cr_assert(strstr(d.msg, bad[i].msg), "%s: %s", bad[i].in, d.msg);
	}
	cr_assert_eq(lp_wallet_recovery_parse(text, strlen(text), key, NULL), LP_OK);
}

/* Every result that a damaged file may give: never LP_OK. */
static bool refused(lp_err e)
{
	return e == LP_ERR_INTEGRITY || e == LP_ERR_MALFORMED || e == LP_ERR_PASSPHRASE ||
	       e == LP_ERR_VERSION;
}

Test(wallet_store, every_single_byte_corruption_is_detected)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec);
	lp_buf f = read_all(path);
	cr_assert_gt(f.len, 228);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t integrity = 0;
	for (size_t i = 0; i < f.len; i++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			f.ptr[i] ^= masks[m];
			lp_wallet *w = NULL;
			lp_diag d;
			memset(&d, 0, sizeof d);
			lp_err e = lp_wallet_decode(lp_buf_view(&f), V("pw"), &w, &d);
			cr_assert(refused(e), "byte %zu ^ %02x: %s (%s)", i, masks[m], lp_err_str(e),
				  d.msg);
			cr_assert_null(w);
			cr_assert_neq(d.msg[0], '\0', "a diagnostic for byte %zu", i);
			integrity += e == LP_ERR_INTEGRITY;
			/* the recovery key path refuses it too */
			e = lp_wallet_decode_recovery(lp_buf_view(&f), rec, &w, &d);
			cr_assert(refused(e), "recovery, byte %zu ^ %02x: %s", i, masks[m], lp_err_str(e));
			f.ptr[i] ^= masks[m];
		}
	}
	cr_assert_gt(integrity, f.len, "most damage is reported as damage");
	lp_wallet *w = NULL;
	cr_assert_eq(lp_wallet_decode(lp_buf_view(&f), V("pw"), &w, NULL), LP_OK, "restored");
	check_filled(w);
	lp_wallet_close(w);
	lp_buf_free(&f);
}

Test(wallet_store, every_truncation_and_extension_is_detected)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec);
	lp_buf f = read_all(path);
	for (size_t n = 0; n < f.len; n++) {
		lp_wallet *w = NULL;
		lp_diag d;
		lp_err e = lp_wallet_decode(lp_view_of(f.ptr, n), V("pw"), &w, &d);
		cr_assert(e == LP_ERR_MALFORMED || e == LP_ERR_INTEGRITY, "length %zu: %s", n,
			  lp_err_str(e));
		if (n >= 228)
			cr_assert(strstr(d.msg, "truncated"), "%zu: %s", n, d.msg);
		cr_assert_null(w);
	}
	uint8_t *ext = malloc(f.len + 1);
	memcpy(ext, f.ptr, f.len);
	ext[f.len] = 0;
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_decode(lp_view_of(ext, f.len + 1), V("pw"), &w, &d), LP_ERR_MALFORMED);
	cr_assert(strstr(d.msg, "after the end"), "%s", d.msg);
	free(ext);
	lp_buf_free(&f);
}

Test(wallet_store, corrupted_file_on_disk_is_explained_and_prev_still_opens)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec); /* create + one save: PATH.prev is the empty wallet */
	lp_buf f = read_all(path);
	f.ptr[f.len - 3] ^= 0x20;
	cr_assert_eq(lp_file_write_atomic(path, lp_buf_view(&f), 0600, 0), LP_OK);
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open(path, V("pw"), &w, &d), LP_ERR_INTEGRITY);
	cr_assert(strstr(d.msg, "damaged or altered"), "%s", d.msg);
	char prev[160];
	snprintf(prev, sizeof prev, "%s.prev", path);
	cr_assert_eq(lp_wallet_open(prev, V("pw"), &w, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_wallet_cred_count(w), 0);
	lp_wallet_close(w);
	lp_buf_free(&f);
}

Test(wallet_store, newer_format_version_is_refused_older_dispatch_kept)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec);
	lp_buf f = read_all(path);
	cr_assert_eq(f.ptr[8], 0);
	cr_assert_eq(f.ptr[9], 1, "version 1 in the header");
	f.ptr[9] = 2;
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_decode(lp_buf_view(&f), V("pw"), &w, &d), LP_ERR_VERSION);
	cr_assert(strstr(d.msg, "newer"), "%s", d.msg);
	cr_assert(strstr(d.msg, "version 2"), "%s", d.msg);
	f.ptr[8] = 0x12;
	f.ptr[9] = 0x34;
	cr_assert_eq(lp_wallet_decode(lp_buf_view(&f), V("pw"), &w, &d), LP_ERR_VERSION);
	f.ptr[8] = 0;
	f.ptr[9] = 0;
	cr_assert_eq(lp_wallet_decode(lp_buf_view(&f), V("pw"), &w, &d), LP_ERR_MALFORMED);
	lp_buf_free(&f);
}

Test(wallet_store, default_kdf_is_at_least_moderate)
{
	lp_wallet_kdf k;
	lp_wallet_kdf_default(&k);
	cr_assert_geq(k.opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
	cr_assert_geq(k.memlimit, crypto_pwhash_MEMLIMIT_MODERATE);
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_create(path, V("pw"), NULL, rec, &w, &d), LP_OK, "%s", d.msg);
	lp_wallet_close(w);
	lp_buf f = read_all(path);
	/* opslimit at 16, memlimit in KiB at 20 (big-endian) */
	cr_assert_eq(f.ptr[19], crypto_pwhash_OPSLIMIT_MODERATE);
	uint32_t kib = (uint32_t)f.ptr[20] << 24 | (uint32_t)f.ptr[21] << 16 |
		       (uint32_t)f.ptr[22] << 8 | f.ptr[23];
	cr_assert_eq((uint64_t)kib * 1024u, crypto_pwhash_MEMLIMIT_MODERATE);
	cr_assert_eq(lp_wallet_open(path, V("pw"), &w, &d), LP_OK, "%s", d.msg);
	lp_wallet_close(w);
	lp_buf_free(&f);
}

Test(wallet_store, backup_and_restore)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec);
	char bak[160], bad[160];
	snprintf(bak, sizeof bak, "%s/backup.lpw", dir);
	snprintf(bad, sizeof bad, "%s/bad.lpw", dir);
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open(path, V("pw"), &w, &d), LP_OK);
	cr_assert_eq(lp_wallet_backup(w, bak), LP_OK);
	cr_assert_eq(lp_wallet_backup(w, bak), LP_ERR_EXISTS, "a backup is never overwritten");
	struct stat st;
	cr_assert_eq(stat(bak, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* then the learner removes the credential */
	cr_assert_eq(lp_wallet_cred_remove(w, "mc-1"), LP_OK);
	cr_assert_eq(lp_wallet_save(w), LP_OK);
	lp_wallet_close(w);

	/* a damaged backup or the wrong passphrase: refused, nothing replaced */
	lp_buf b = read_all(bak);
	b.ptr[b.len / 2] ^= 1;
	cr_assert_eq(lp_file_write_atomic(bad, lp_buf_view(&b), 0600, 0), LP_OK);
	lp_buf before = read_all(path);
	cr_assert_eq(lp_wallet_restore(path, bad, V("pw"), &d), LP_ERR_INTEGRITY);
	cr_assert_eq(lp_wallet_restore(path, bak, V("wrong"), &d), LP_ERR_PASSPHRASE);
	char missing[160];
	snprintf(missing, sizeof missing, "%s/nope.lpw", dir);
	cr_assert_eq(lp_wallet_restore(path, missing, V("pw"), &d), LP_ERR_NOT_FOUND);
	lp_buf after = read_all(path);
	cr_assert_eq(after.len, before.len);
	cr_assert_eq(memcmp(after.ptr, before.ptr, after.len), 0);

	cr_assert_eq(lp_wallet_restore(path, bak, V("pw"), &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_wallet_open(path, V("pw"), &w, &d), LP_OK);
	check_filled(w);
	lp_wallet_close(w);
	/* the wallet that was replaced is PATH.prev */
	char prev[160];
	snprintf(prev, sizeof prev, "%s.prev", path);
	cr_assert_eq(lp_wallet_open(prev, V("pw"), &w, &d), LP_OK);
	cr_assert_eq(lp_wallet_cred_count(w), 0);
	lp_wallet_close(w);
	lp_buf_free(&b);
	lp_buf_free(&before);
	lp_buf_free(&after);
}

Test(wallet_store, model_changes_and_their_refusals)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_create(path, V("pw"), &FAST, rec, &w, &d), LP_OK);
	fill(w);
	const lp_wallet_cred *c = lp_wallet_cred_at(w, 0);
	lp_wallet_cred dup = *c;
	cr_assert_eq(lp_wallet_cred_add(w, &dup), LP_ERR_EXISTS);
	dup.id = "";
	cr_assert_eq(lp_wallet_cred_add(w, &dup), LP_ERR_ARG);
	dup.id = "has space";
	cr_assert_eq(lp_wallet_cred_add(w, &dup), LP_ERR_ARG);
	dup.id = "mc-2";
	dup.ncopies = 0;
	cr_assert_eq(lp_wallet_cred_add(w, &dup), LP_ERR_ARG);
	dup.ncopies = 1;
	dup.status = 7;
	cr_assert_eq(lp_wallet_cred_add(w, &dup), LP_ERR_ARG);
	dup.status = LP_WALLET_STATUS_VALID;
	cr_assert_eq(lp_wallet_cred_add(w, &dup), LP_OK);
	cr_assert_eq(lp_wallet_cred_count(w), 2);
	cr_assert_eq(lp_wallet_cred_set_status(w, "mc-2", LP_WALLET_STATUS_REVOKED, 5), LP_OK);
	cr_assert_eq(lp_wallet_cred_set_status(w, "nope", LP_WALLET_STATUS_REVOKED, 5), LP_ERR_NOT_FOUND);
	cr_assert_eq(lp_wallet_copy_use(w, "mc-1", 0), LP_OK);
	cr_assert_eq(lp_wallet_copy_use(w, "mc-1", 2), LP_ERR_ARG);
	cr_assert_eq(lp_wallet_cred_remove(w, "mc-1"), LP_OK);
	cr_assert_eq(lp_wallet_cred_remove(w, "mc-1"), LP_ERR_NOT_FOUND);
	uint8_t pk[32];
	memcpy(pk, lp_wallet_key_at(w, 0)->pk, 32);
	cr_assert_eq(lp_wallet_key_remove(w, pk), LP_OK);
	cr_assert_eq(lp_wallet_key_remove(w, pk), LP_ERR_NOT_FOUND);
	cr_assert_null(lp_wallet_key_find(w, pk));
	lp_wallet_log bad = { 1, "mc-1", 99, "", "", 0, NULL };
	cr_assert_eq(lp_wallet_log_add(w, &bad), LP_ERR_ARG);
	cr_assert_eq(lp_wallet_save(w), LP_OK);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_open(path, V("pw"), &w, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_wallet_cred_count(w), 1);
	c = lp_wallet_cred_at(w, 0);
	cr_assert_str_eq(c->id, "mc-2");
	cr_assert_eq(c->status, LP_WALLET_STATUS_REVOKED);
	cr_assert_eq(c->status_time, 5);
	cr_assert_eq(lp_wallet_key_count(w), 1);
	cr_assert_eq(lp_wallet_log_count(w), 1, "log entries outlive their credential");
	lp_wallet_close(w);
}

Test(wallet_store, many_items_grow_and_survive)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_create(path, V("pw"), &FAST, rec, &w, &d), LP_OK);
	static uint8_t big[100000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 60; i++) {
		uint8_t pk[32];
		char id[16];
		snprintf(id, sizeof id, "c%d", i);
		cr_assert_eq(lp_wallet_key_new(w, i, "iss", pk), LP_OK);
		lp_wallet_copy cp = { lp_view_of(big, i == 7 ? sizeof big : 10u + (size_t)i), { 0 }, 0 };
		memcpy(cp.holder_pk, pk, 32);
		lp_wallet_cred c = { id, "iss", "t", "", i, 0, 0, 1, &cp };
		cr_assert_eq(lp_wallet_cred_add(w, &c), LP_OK);
		lp_wallet_log l = { i, id, 0, "aud", "", 0, NULL };
		cr_assert_eq(lp_wallet_log_add(w, &l), LP_OK);
	}
	cr_assert_eq(lp_wallet_save(w), LP_OK);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_open(path, V("pw"), &w, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_wallet_cred_count(w), 60);
	cr_assert_eq(lp_wallet_key_count(w), 60);
	cr_assert_eq(lp_wallet_log_count(w), 60);
	const lp_wallet_cred *c = lp_wallet_cred_find(w, "c7");
	cr_assert_eq(c->copies[0].sdcwt.len, sizeof big);
	cr_assert_eq(memcmp(c->copies[0].sdcwt.ptr, big, sizeof big), 0);
	cr_assert_eq(lp_wallet_cred_find(w, "c59")->copies[0].sdcwt.len, 69);
	lp_wallet_close(w);
}

/* ---- the body reader, fed directly ----------------------------------------- */

static lp_err body(const uint8_t *p, size_t n)
{
	struct lp_wallet *w = lp_wl_alloc();
	cr_assert_not_null(w);
	lp_err e = lp_wl_body_decode(w, lp_view_of(p, n), NULL);
	if (e != LP_OK)
		cr_assert_eq(w->ncreds + w->nkeys + w->nlogs, 0, "nothing kept from a bad body");
	lp_wallet_close(w);
	return e;
}

Test(wallet_store, body_reader_is_strict)
{
	static const uint8_t empty[] = { 0xa3, 0x01, 0x80, 0x02, 0x80, 0x03, 0x80 };
	cr_assert_eq(body(empty, sizeof empty), LP_OK);
	struct {
		const char *why;
		uint8_t b[16];
		size_t n;
	} bad[] = {
		{ "trailing byte", { 0xa3, 0x01, 0x80, 0x02, 0x80, 0x03, 0x80, 0x00 }, 8 },
		{ "truncated", { 0xa3, 0x01, 0x80, 0x02, 0x80, 0x03 }, 6 },
		{ "indefinite array", { 0xa3, 0x01, 0x9f, 0xff, 0x02, 0x80, 0x03, 0x80 }, 8 },
		{ "non-shortest key", { 0xa3, 0x18, 0x01, 0x80, 0x02, 0x80, 0x03, 0x80 }, 8 },
		{ "keys out of order", { 0xa3, 0x02, 0x80, 0x01, 0x80, 0x03, 0x80 }, 7 },
		{ "missing entry", { 0xa2, 0x01, 0x80, 0x02, 0x80 }, 5 },
		{ "not a map", { 0x83, 0x80, 0x80, 0x80 }, 4 },
		{ "huge array", { 0xa3, 0x01, 0x9a, 0xff, 0xff, 0xff, 0xff }, 7 },
		{ "credential of the wrong shape", { 0xa3, 0x01, 0x81, 0xa0, 0x02, 0x80, 0x03, 0x80 }, 8 },
		{ "empty", { 0 }, 0 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(body(bad[i].b, bad[i].n), LP_ERR_MALFORMED, "%s", bad[i].why);
}

Test(wallet_store, body_reader_rejects_mismatched_key_pair_and_duplicate_ids)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_wallet *w = NULL;
	cr_assert_eq(lp_wallet_create(path, V("pw"), &FAST, rec, &w, NULL), LP_OK);
	fill(w);
	uint8_t *b;
	size_t n;
	cr_assert_eq(lp_wl_body_encode(w, &b, &n), LP_OK);
	cr_assert_eq(body(b, n), LP_OK);
	/* every single-byte change of the plaintext either fails or reads back
	 * without crashing (the AEAD is what rejects changes on disk) */
	for (size_t i = 0; i < n; i++) {
		b[i] ^= 0x01;
		(void)body(b, n);
		b[i] ^= 0x01;
	}
	/* flip a byte inside the first key's secret key: the pair no longer matches */
	const uint8_t *sk = lp_wallet_key_at(w, 0)->sk;
	uint8_t *hit = NULL;
	for (size_t i = 0; i + 64 <= n && !hit; i++)
		if (memcmp(b + i, sk, 64) == 0)
			hit = b + i;
	cr_assert_not_null(hit);
	hit[40] ^= 1;
	cr_assert_eq(body(b, n), LP_ERR_MALFORMED);
	sodium_free(b);
	lp_wallet_close(w);
}

/* ---- killed while saving ----------------------------------------------------- */

/* The child: open, then save forever, one more log entry each time,
 * telling the parent "S n" before and "D n" after the n-th save. */
static void saver(int fd)
{
	lp_wallet *w = NULL;
	if (lp_wallet_open(path, V("pw"), &w, NULL) != LP_OK)
		_exit(3);
	for (uint32_t n = (uint32_t)lp_wallet_log_count(w) + 1;; n++) {
		lp_wallet_log l = { n, "mc-1", 0, "aud", "", 0, NULL };
		if (lp_wallet_log_add(w, &l) != LP_OK)
			_exit(4);
		uint8_t msg[5] = { 'S', (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
				   (uint8_t)n };
		if (write(fd, msg, 5) != 5)
			_exit(5);
		if (lp_wallet_save(w) != LP_OK)
			_exit(6);
		msg[0] = 'D';
		if (write(fd, msg, 5) != 5)
			_exit(5);
	}
}

Test(wallet_store, killed_while_saving_leaves_old_or_new_never_neither)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec); /* one log entry already */
	uint32_t committed = 1;
	for (int round = 0; round < 40; round++) {
		int p[2];
		cr_assert_eq(pipe(p), 0);
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			close(p[0]);
			saver(p[1]);
		}
		close(p[1]);
		/* wait for a few saves to start, then stop it at a point that moves
		 * from round to round (a busy loop of varying length, no sleeping) */
		uint32_t started = 0, done = committed;
		int wanted = 1 + round % 4;
		uint8_t msg[5];
		while (wanted > 0 && read(p[0], msg, 5) == 5) {
			uint32_t n = (uint32_t)msg[1] << 24 | (uint32_t)msg[2] << 16 |
				     (uint32_t)msg[3] << 8 | msg[4];
			if (msg[0] == 'S') {
				started = n;
				wanted--;
			} else {
				done = n;
			}
		}
		cr_assert_gt(started, 0, "child started saving");
		volatile unsigned long spin = 0;
		for (unsigned long i = 0; i < (unsigned long)round * 20011ul % 400000ul; i++)
			spin += i;
		kill(pid, SIGKILL);
		int status;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFSIGNALED(status), "child died by the signal (status %d)", status);
		/* drain what it said before dying */
		while (read(p[0], msg, 5) == 5) {
			uint32_t n = (uint32_t)msg[1] << 24 | (uint32_t)msg[2] << 16 |
				     (uint32_t)msg[3] << 8 | msg[4];
			if (msg[0] == 'S')
				started = n;
			else
				done = n;
		}
		close(p[0]);
		lp_wallet *w = NULL;
		lp_diag d;
		lp_err e = lp_wallet_open(path, V("pw"), &w, &d);
		cr_assert_eq(e, LP_OK, "round %d: the wallet opens after the kill: %s", round, d.msg);
		uint32_t have = (uint32_t)lp_wallet_log_count(w);
		cr_assert_geq(have, done, "round %d: nothing committed is lost (%u < %u)", round, have,
			      done);
		cr_assert_leq(have, started, "round %d: nothing invented", round);
		cr_assert_geq(have, started - 1, "round %d: old or new", round);
		/* entry n (from 1) was added by the n-th save: all there, in order */
		for (uint32_t i = 1; i < have; i++)
			cr_assert_eq(lp_wallet_log_at(w, i)->time, (int64_t)i + 1, "round %d entry %u",
				     round, i);
		cr_assert_str_eq(lp_wallet_cred_at(w, 0)->id, "mc-1");
		lp_wallet_close(w);
		committed = have;
	}
}

Test(wallet_store, one_program_at_a_time)
{
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	make_wallet("pw", rec);
	lp_wallet *a = NULL, *b = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_open(path, V("pw"), &a, &d), LP_OK);
	cr_assert_eq(lp_wallet_open(path, V("pw"), &b, &d), LP_ERR_LOCKED);
	cr_assert(strstr(d.msg, "in use"), "%s", d.msg);
	cr_assert_null(b);
	cr_assert_eq(lp_wallet_open_recovery(path, rec, &b, &d), LP_ERR_LOCKED);
	char bak[160];
	snprintf(bak, sizeof bak, "%s/b.lpw", dir);
	cr_assert_eq(lp_wallet_backup(a, bak), LP_OK);
	lp_buf before = read_all(path);
	cr_assert_eq(lp_wallet_restore(path, bak, V("pw"), &d), LP_ERR_LOCKED);
	lp_buf after = read_all(path);
	cr_assert_eq(after.len, before.len);
	cr_assert_eq(memcmp(after.ptr, before.ptr, after.len), 0);
	lp_wallet_close(a);
	cr_assert_eq(lp_wallet_open(path, V("pw"), &b, &d), LP_OK, "free again after close");
	lp_wallet_close(b);
	lp_buf_free(&before);
	lp_buf_free(&after);
}

/* ---- the worked example of docs/format/wallet.md ----------------------------
 * test-vectors/format/wallet-v1.hex: an empty version-1 wallet made with
 * randomness from a counter through SHA-256, passphrase "leerpas example",
 * Argon2id opslimit 1, memlimit 8 MiB. It must always open (version 1 stays
 * readable), and today's writer must still make exactly these bytes (if the
 * writer changes on purpose, regenerate the file but keep an old copy that
 * must still open). */

#define EXAMPLE_PASS "leerpas example"
#define EXAMPLE_RECOVERY "FJFTJ-2DPMS-84ZTB-C5SPN-6ZM80-7DMSP-HMSEQ-3NKND"

static void counter_random(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *c = ctx;
	while (len) {
		uint8_t in[8], h[32];
		for (int i = 0; i < 8; i++)
			in[i] = (uint8_t)(*c >> (8 * i));
		(*c)++;
		crypto_hash_sha256(h, in, 8);
		size_t n = len < 32 ? len : 32;
		memcpy(out, h, n);
		out += n;
		len -= n;
	}
}

static lp_buf example_bytes(void)
{
	lp_buf hex = read_all(LP_SOURCE_DIR "/test-vectors/format/wallet-v1.hex");
	lp_buf b;
	b.ptr = malloc(hex.len / 2 + 1);
	size_t n = 0;
	cr_assert_eq(sodium_hex2bin(b.ptr, hex.len / 2 + 1, (const char *)hex.ptr, hex.len, "\n", &n, NULL), 0);
	b.len = n;
	lp_buf_free(&hex);
	return b;
}

Test(wallet_store, format_v1_example_opens_and_is_reproduced)
{
	lp_buf ex = example_bytes();
	cr_assert_eq(ex.len, 251);
	lp_wallet *w = NULL;
	lp_diag d;
	cr_assert_eq(lp_wallet_decode(lp_buf_view(&ex), V(EXAMPLE_PASS), &w, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_wallet_cred_count(w), 0);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_decode_recovery(lp_buf_view(&ex), EXAMPLE_RECOVERY, &w, &d), LP_OK, "%s", d.msg);
	lp_wallet_close(w);
	cr_assert_eq(lp_wallet_decode(lp_buf_view(&ex), V("leerpas Example"), &w, &d), LP_ERR_PASSPHRASE);

	uint64_t ctr = 0;
	lp_random_set(counter_random, &ctr);
	lp_wallet_kdf k = { 1, 8u * 1024u * 1024u };
	char rec[LP_WALLET_RECOVERY_TEXT_SIZE];
	lp_err e = lp_wallet_create(path, V(EXAMPLE_PASS), &k, rec, &w, &d);
	lp_random_set(NULL, NULL);
	cr_assert_eq(e, LP_OK, "%s", d.msg);
	lp_wallet_close(w);
	cr_assert_str_eq(rec, EXAMPLE_RECOVERY);
	lp_buf made = read_all(path);
	cr_assert_eq(made.len, ex.len);
	cr_assert_eq(memcmp(made.ptr, ex.ptr, ex.len), 0, "the writer makes the documented bytes");
	lp_buf_free(&made);
	lp_buf_free(&ex);
}
