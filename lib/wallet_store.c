/* The wallet file: header, the data key wrapped by the passphrase key
 * (Argon2id) and by the recovery key, the body under XChaCha20-Poly1305 with
 * the header as associated data; create, open, save, passwd, backup and
 * restore. Byte layout: docs/format/wallet.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sodium.h>

#include "leerpas/fileio.h"
#include "wallet_int.h"

/* ---- version 1 layout (all integers big-endian) ----------------------------- */
static const uint8_t MAGIC[8] = { 'L', 'P', 'W', 'A', 'L', 'L', 'E', 'T' };

#define OFF_MAGIC 0
#define OFF_VERSION 8       /* uint16 */
#define OFF_FLAGS 10        /* uint16, 0 */
#define OFF_KDF 12          /* uint32: 2 = Argon2id v1.3 */
#define OFF_OPS 16          /* uint32: opslimit */
#define OFF_MEM 20          /* uint32: memlimit in KiB */
#define OFF_SALT 24         /* 16 */
#define OFF_PW_NONCE 40     /* 24 */
#define OFF_PW_WRAP 64      /* 48: data key + tag */
#define OFF_REC_NONCE 112   /* 24 */
#define OFF_REC_WRAP 136    /* 48 */
#define OFF_BODY_NONCE 184  /* 24 */
#define OFF_BODY_LEN 208    /* uint32: body ciphertext length, tag included */
#define OFF_CHECKSUM 212    /* 16: BLAKE2b-128 of bytes 0..211 */
#define V1_HEADER 228
#define KDF_ARGON2ID13 2u
#define PW_AD_LEN OFF_PW_NONCE /* the passphrase wrap binds magic .. salt */

/* The recovery wrap is bound to this fixed label only, so that a new
 * passphrase (new salt and cost) never needs the recovery key; the body's
 * associated data binds the whole header anyway. */
static const char REC_AD[] = "leerpas wallet recovery wrap";
static const char REC_KDF_LABEL[] = "leerpas wallet recovery key v1";

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- KDF ---------------------------------------------------------------------- */

void lp_wallet_kdf_default(lp_wallet_kdf *k)
{
	k->opslimit = LP_WALLET_OPSLIMIT_DEFAULT;
	k->memlimit = LP_WALLET_MEMLIMIT_DEFAULT;
}

lp_err lp_wallet_kdf_check(const lp_wallet_kdf *k)
{
	if (!k || k->opslimit < LP_WALLET_OPSLIMIT_MIN || k->opslimit > LP_WALLET_OPSLIMIT_MAX ||
	    k->memlimit < LP_WALLET_MEMLIMIT_MIN || k->memlimit > LP_WALLET_MEMLIMIT_MAX ||
	    k->memlimit % 1024u != 0)
		return LP_ERR_ARG;
	return LP_OK;
}

/* The passphrase key. LP_ERR_NOMEM when Argon2id cannot get its memory. */
static lp_err derive_pw_key(lp_view pass, const uint8_t salt[WL_SALT_BYTES], uint64_t ops,
			    uint64_t mem, uint8_t out[WL_KEY_BYTES])
{
	if (crypto_pwhash(out, WL_KEY_BYTES, (const char *)pass.ptr, pass.len, salt, ops,
			  (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(out, WL_KEY_BYTES);
		return LP_ERR_NOMEM;
	}
	return LP_OK;
}

/* The recovery key is 160 random bits: a keyed hash suffices, no stretching. */
static lp_err derive_rec_key(const uint8_t rec[LP_WALLET_RECOVERY_BYTES], uint8_t out[WL_KEY_BYTES])
{
	if (crypto_generichash(out, WL_KEY_BYTES, (const uint8_t *)REC_KDF_LABEL,
			       sizeof REC_KDF_LABEL - 1, rec, LP_WALLET_RECOVERY_BYTES) != 0)
		return LP_ERR_CRYPTO;
	return LP_OK;
}

static void wrap_key(const uint8_t kek[WL_KEY_BYTES], const uint8_t data_key[WL_KEY_BYTES],
		     const uint8_t *ad, size_t adlen, uint8_t nonce[WL_NONCE_BYTES],
		     uint8_t wrap[WL_WRAP_BYTES])
{
	lp_random(nonce, WL_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(wrap, NULL, data_key, WL_KEY_BYTES, ad, adlen,
						   NULL, nonce, kek);
}

static bool unwrap_key(const uint8_t kek[WL_KEY_BYTES], const uint8_t *ad, size_t adlen,
		       const uint8_t nonce[WL_NONCE_BYTES], const uint8_t wrap[WL_WRAP_BYTES],
		       uint8_t data_key[WL_KEY_BYTES])
{
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(data_key, NULL, NULL, wrap, WL_WRAP_BYTES,
						       ad, adlen, nonce, kek) != 0) {
		sodium_memzero(data_key, WL_KEY_BYTES);
		return false;
	}
	return true;
}

/* magic .. salt of w, the passphrase wrap's associated data. */
static void pw_ad(const struct lp_wallet *w, uint8_t ad[PW_AD_LEN])
{
	memcpy(ad + OFF_MAGIC, MAGIC, sizeof MAGIC);
	put16(ad + OFF_VERSION, LP_WALLET_FORMAT_VERSION);
	put16(ad + OFF_FLAGS, 0);
	put32(ad + OFF_KDF, KDF_ARGON2ID13);
	put32(ad + OFF_OPS, w->opslimit);
	put32(ad + OFF_MEM, w->memlimit / 1024u);
	memcpy(ad + OFF_SALT, w->salt, WL_SALT_BYTES);
}

/* ---- one process at a time ------------------------------------------------------
 * An open wallet holds an exclusive flock on PATH.lock until it is closed,
 * so that two programs cannot both read, change and save it (the second
 * save would lose the first one's change). Where no lock file can be made
 * (a read-only directory, e.g. a backup on read-only media) the wallet is
 * opened without one: nothing can be saved there anyway. */
static lp_err lock_wallet(const char *path, int *fd_out, lp_diag *d)
{
	*fd_out = -1;
	size_t n = strlen(path);
	char *lp = malloc(n + 6);
	if (!lp)
		return LP_ERR_NOMEM;
	memcpy(lp, path, n);
	memcpy(lp + n, ".lock", 6);
	int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(lp);
	if (fd < 0)
		return LP_OK;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;
		close(fd);
		if (err == EWOULDBLOCK)
			return lp_diag_set(d, LP_ERR_LOCKED, 0,
					   "the wallet %s is in use by another program", path);
		return LP_OK;
	}
	*fd_out = fd;
	return LP_OK;
}

/* ---- wallet lifetime ------------------------------------------------------------ */

void lp_wallet_close(lp_wallet *w)
{
	if (!w)
		return;
	lp_wl_body_free(w);
	if (w->data_key) {
		sodium_memzero(w->data_key, WL_KEY_BYTES);
		sodium_free(w->data_key);
	}
	free(w->path);
	if (w->lock_fd >= 0)
		close(w->lock_fd); /* releases the flock */
	sodium_memzero(w, sizeof *w);
	free(w);
}

const char *lp_wallet_path(const lp_wallet *w)
{
	return w ? w->path : NULL;
}

lp_err lp_wallet_set_path(lp_wallet *w, const char *path)
{
	if (!w || !path || !*path)
		return LP_ERR_ARG;
	size_t n = strlen(path);
	char *p = malloc(n + 1);
	if (!p)
		return LP_ERR_NOMEM;
	memcpy(p, path, n + 1);
	free(w->path);
	w->path = p;
	return LP_OK;
}

void lp_wallet_get_kdf(const lp_wallet *w, lp_wallet_kdf *k)
{
	k->opslimit = w->opslimit;
	k->memlimit = w->memlimit;
}

lp_err lp_wallet_set_passphrase(lp_wallet *w, lp_view pass, const lp_wallet_kdf *kdf)
{
	lp_wallet_kdf k;
	if (!w || !pass.ptr || pass.len == 0 || pass.len > LP_WALLET_PASSPHRASE_MAX)
		return LP_ERR_ARG;
	if (kdf)
		k = *kdf;
	else
		lp_wallet_get_kdf(w, &k);
	if (lp_wallet_kdf_check(&k) != LP_OK)
		return LP_ERR_ARG;
	uint8_t *kek = sodium_malloc(WL_KEY_BYTES);
	if (!kek)
		return LP_ERR_NOMEM;
	/* Build the new header state on a scratch copy so that a failure
	 * leaves w as it was. */
	struct lp_wallet t;
	memset(&t, 0, sizeof t);
	t.opslimit = k.opslimit;
	t.memlimit = k.memlimit;
	lp_random(t.salt, WL_SALT_BYTES);
	lp_err e = derive_pw_key(pass, t.salt, t.opslimit, t.memlimit, kek);
	if (e == LP_OK) {
		uint8_t ad[PW_AD_LEN];
		pw_ad(&t, ad);
		wrap_key(kek, w->data_key, ad, sizeof ad, t.pw_nonce, t.pw_wrap);
		w->opslimit = t.opslimit;
		w->memlimit = t.memlimit;
		memcpy(w->salt, t.salt, WL_SALT_BYTES);
		memcpy(w->pw_nonce, t.pw_nonce, WL_NONCE_BYTES);
		memcpy(w->pw_wrap, t.pw_wrap, WL_WRAP_BYTES);
	}
	sodium_free(kek);
	return e;
}

/* ---- encoding --------------------------------------------------------------- */

lp_err lp_wallet_encode(const lp_wallet *w, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!w)
		return LP_ERR_ARG;
	uint8_t *body = NULL;
	size_t blen = 0;
	lp_err e = lp_wl_body_encode(w, &body, &blen);
	if (e != LP_OK)
		return e;
	size_t ctlen = blen + WL_TAG_BYTES;
	if (ctlen > LP_WALLET_FILE_MAX - V1_HEADER) {
		e = LP_ERR_TOO_LARGE;
		goto out;
	}
	uint8_t *f = malloc(V1_HEADER + ctlen);
	if (!f) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	pw_ad(w, f);
	memcpy(f + OFF_PW_NONCE, w->pw_nonce, WL_NONCE_BYTES);
	memcpy(f + OFF_PW_WRAP, w->pw_wrap, WL_WRAP_BYTES);
	memcpy(f + OFF_REC_NONCE, w->rec_nonce, WL_NONCE_BYTES);
	memcpy(f + OFF_REC_WRAP, w->rec_wrap, WL_WRAP_BYTES);
	lp_random(f + OFF_BODY_NONCE, WL_NONCE_BYTES);
	put32(f + OFF_BODY_LEN, ctlen);
	crypto_generichash(f + OFF_CHECKSUM, 16, f, OFF_CHECKSUM, NULL, 0);
	crypto_aead_xchacha20poly1305_ietf_encrypt(f + V1_HEADER, NULL, body, blen, f, V1_HEADER,
						   NULL, f + OFF_BODY_NONCE, w->data_key);
	out->ptr = f;
	out->len = V1_HEADER + ctlen;
out:
	sodium_memzero(body, blen);
	sodium_free(body);
	return e;
}

/* ---- decoding ---------------------------------------------------------------- */

/* What opens the wallet: a passphrase or the 20 recovery key bytes. */
struct secret {
	lp_view pass;
	const uint8_t *rec;
};

static lp_err read_v1(lp_view f, const struct secret *s, struct lp_wallet *w, lp_diag *d)
{
	uint8_t *kek = NULL, *plain = NULL;
	size_t plen = 0;
	lp_err e;

	if (f.len < V1_HEADER)
		return lp_diag_set(d, LP_ERR_MALFORMED, f.len,
				   "wallet file truncated: %zu bytes, the header alone is %d", f.len,
				   V1_HEADER);
	uint8_t sum[16];
	crypto_generichash(sum, sizeof sum, f.ptr, OFF_CHECKSUM, NULL, 0);
	if (memcmp(sum, f.ptr + OFF_CHECKSUM, sizeof sum) != 0)
		return lp_diag_set(d, LP_ERR_INTEGRITY, 0,
				   "wallet header damaged or altered (its checksum does not match)");
	if (get16(f.ptr + OFF_FLAGS) != 0 || get32(f.ptr + OFF_KDF) != KDF_ARGON2ID13)
		return lp_diag_set(d, LP_ERR_MALFORMED, OFF_FLAGS,
				   "wallet header names flags or a key derivation this version does "
				   "not know");
	w->opslimit = get32(f.ptr + OFF_OPS);
	w->memlimit = (uint64_t)get32(f.ptr + OFF_MEM) * 1024u;
	lp_wallet_kdf k = { w->opslimit, w->memlimit };
	if (lp_wallet_kdf_check(&k) != LP_OK)
		return lp_diag_set(d, LP_ERR_MALFORMED, OFF_OPS,
				   "wallet header has Argon2id limits out of range");
	uint32_t ctlen = get32(f.ptr + OFF_BODY_LEN);
	if (ctlen < WL_TAG_BYTES)
		return lp_diag_set(d, LP_ERR_MALFORMED, OFF_BODY_LEN, "wallet body length too small");
	if (f.len - V1_HEADER < ctlen)
		return lp_diag_set(d, LP_ERR_MALFORMED, f.len,
				   "wallet file truncated: %zu bytes, expected %zu", f.len,
				   (size_t)V1_HEADER + ctlen);
	if (f.len - V1_HEADER > ctlen)
		return lp_diag_set(d, LP_ERR_MALFORMED, (size_t)V1_HEADER + ctlen,
				   "%zu unexpected bytes after the end of the wallet",
				   f.len - V1_HEADER - ctlen);
	memcpy(w->salt, f.ptr + OFF_SALT, WL_SALT_BYTES);
	memcpy(w->pw_nonce, f.ptr + OFF_PW_NONCE, WL_NONCE_BYTES);
	memcpy(w->pw_wrap, f.ptr + OFF_PW_WRAP, WL_WRAP_BYTES);
	memcpy(w->rec_nonce, f.ptr + OFF_REC_NONCE, WL_NONCE_BYTES);
	memcpy(w->rec_wrap, f.ptr + OFF_REC_WRAP, WL_WRAP_BYTES);

	kek = sodium_malloc(WL_KEY_BYTES);
	if (!kek)
		return LP_ERR_NOMEM;
	if (s->rec) {
		if ((e = derive_rec_key(s->rec, kek)) != LP_OK)
			goto out;
		if (!unwrap_key(kek, (const uint8_t *)REC_AD, sizeof REC_AD - 1, w->rec_nonce,
				w->rec_wrap, w->data_key)) {
			e = lp_diag_set(d, LP_ERR_PASSPHRASE, OFF_REC_WRAP,
					"this recovery key does not open this wallet");
			goto out;
		}
	} else {
		if ((e = derive_pw_key(s->pass, w->salt, w->opslimit, w->memlimit, kek)) != LP_OK) {
			lp_diag_set(d, e, OFF_MEM,
				    "not enough memory for the passphrase key derivation (%llu MiB)",
				    (unsigned long long)(w->memlimit >> 20));
			goto out;
		}
		if (!unwrap_key(kek, f.ptr, PW_AD_LEN, w->pw_nonce, w->pw_wrap, w->data_key)) {
			e = lp_diag_set(d, LP_ERR_PASSPHRASE, OFF_PW_WRAP, "wrong passphrase");
			goto out;
		}
	}
	plen = ctlen - WL_TAG_BYTES;
	plain = sodium_malloc(plen ? plen : 1);
	if (!plain) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, f.ptr + V1_HEADER, ctlen,
						       f.ptr, V1_HEADER, f.ptr + OFF_BODY_NONCE,
						       w->data_key) != 0) {
		e = lp_diag_set(d, LP_ERR_INTEGRITY, V1_HEADER,
				"wallet contents damaged or altered (authentication failed)");
		goto out;
	}
	e = lp_wl_body_decode(w, lp_view_of(plain, plen), d);
	if (e != LP_OK && d)
		d->offset += V1_HEADER; /* the body reader counts from the body */
out:
	if (e != LP_OK)
		sodium_memzero(w->data_key, WL_KEY_BYTES);
	if (plain) {
		sodium_memzero(plain, plen);
		sodium_free(plain);
	}
	sodium_free(kek);
	return e;
}

/* Every format version this library reads, oldest first. A new version adds
 * a reader here and keeps the old ones. */
static const struct {
	unsigned version;
	lp_err (*read)(lp_view f, const struct secret *s, struct lp_wallet *w, lp_diag *d);
} readers[] = {
	{ 1, read_v1 },
};

static lp_err decode(lp_view f, const struct secret *s, lp_wallet **out, lp_diag *d)
{
	*out = NULL;
	if (!f.ptr)
		return LP_ERR_ARG;
	if (f.len < OFF_FLAGS || memcmp(f.ptr, MAGIC, sizeof MAGIC) != 0)
		return lp_diag_set(d, LP_ERR_MALFORMED, 0,
				   f.len < OFF_FLAGS && f.len > 0 &&
						   memcmp(f.ptr, MAGIC, f.len < 8 ? f.len : 8) == 0
					   ? "wallet file truncated: %zu bytes"
					   : "not a leerpas wallet file (%zu bytes, no LPWALLET magic)",
				   f.len);
	unsigned v = get16(f.ptr + OFF_VERSION);
	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
		if (readers[i].version != v)
			continue;
		struct lp_wallet *w = lp_wl_alloc();
		if (!w)
			return LP_ERR_NOMEM;
		lp_err e = readers[i].read(f, s, w, d);
		if (e != LP_OK) {
			lp_wallet_close(w);
			return e;
		}
		*out = w;
		return LP_OK;
	}
	if (v > LP_WALLET_FORMAT_VERSION)
		return lp_diag_set(d, LP_ERR_VERSION, OFF_VERSION,
				   "wallet file format version %u is newer than this leerpas reads "
				   "(up to %d): install a newer leerpas to open it",
				   v, LP_WALLET_FORMAT_VERSION);
	return lp_diag_set(d, LP_ERR_MALFORMED, OFF_VERSION, "wallet file format version %u is not valid",
			   v);
}

lp_err lp_wallet_decode(lp_view file, lp_view passphrase, lp_wallet **out, lp_diag *d)
{
	struct secret s = { passphrase, NULL };
	if (!out)
		return LP_ERR_ARG;
	*out = NULL;
	if (passphrase.len > LP_WALLET_PASSPHRASE_MAX || (!passphrase.ptr && passphrase.len))
		return lp_diag_set(d, LP_ERR_ARG, 0, "passphrase too long");
	if (!passphrase.ptr)
		s.pass = lp_view_of((const uint8_t *)"", 0);
	return decode(file, &s, out, d);
}

lp_err lp_wallet_decode_recovery(lp_view file, const char *recovery, lp_wallet **out, lp_diag *d)
{
	if (!out)
		return LP_ERR_ARG;
	*out = NULL;
	if (!recovery)
		return LP_ERR_ARG;
	uint8_t *rec = sodium_malloc(LP_WALLET_RECOVERY_BYTES);
	if (!rec)
		return LP_ERR_NOMEM;
	lp_err e = lp_wallet_recovery_parse(recovery, strlen(recovery), rec, d);
	if (e == LP_OK) {
		struct secret s = { { NULL, 0 }, rec };
		e = decode(file, &s, out, d);
	}
	sodium_free(rec);
	return e;
}

/* Read the file at path (bounded) and decode it with fn. */
static lp_err open_file(const char *path, lp_buf *f, lp_diag *d)
{
	if (!path)
		return LP_ERR_ARG;
	lp_err e = lp_file_read(path, LP_WALLET_FILE_MAX, f);
	if (e == LP_ERR_NOT_FOUND)
		return lp_diag_set(d, e, 0, "no wallet file at %s", path);
	if (e == LP_ERR_TOO_LARGE)
		return lp_diag_set(d, LP_ERR_MALFORMED, LP_WALLET_FILE_MAX,
				   "%s is larger than any wallet (%u bytes)", path, LP_WALLET_FILE_MAX);
	if (e != LP_OK)
		return lp_diag_set(d, e, 0, "cannot read %s", path);
	return LP_OK;
}

/* Give the opened wallet its path and the lock (taken over from *lock). */
static lp_err finish_open(lp_err e, const char *path, lp_wallet **out, int *lock)
{
	if (e == LP_OK && (e = lp_wallet_set_path(*out, path)) != LP_OK) {
		lp_wallet_close(*out);
		*out = NULL;
	}
	if (e == LP_OK) {
		(*out)->lock_fd = *lock;
		*lock = -1;
	}
	return e;
}

lp_err lp_wallet_open(const char *path, lp_view passphrase, lp_wallet **out, lp_diag *d)
{
	lp_buf f = { NULL, 0 };
	int lock = -1;
	if (!out)
		return LP_ERR_ARG;
	*out = NULL;
	lp_err e = open_file(path, &f, d);
	if (e == LP_OK)
		e = lock_wallet(path, &lock, d);
	if (e == LP_OK)
		e = finish_open(lp_wallet_decode(lp_buf_view(&f), passphrase, out, d), path, out, &lock);
	if (lock >= 0)
		close(lock);
	lp_buf_free(&f);
	return e;
}

lp_err lp_wallet_open_recovery(const char *path, const char *recovery, lp_wallet **out, lp_diag *d)
{
	lp_buf f = { NULL, 0 };
	int lock = -1;
	if (!out)
		return LP_ERR_ARG;
	*out = NULL;
	lp_err e = open_file(path, &f, d);
	if (e == LP_OK)
		e = lock_wallet(path, &lock, d);
	if (e == LP_OK)
		e = finish_open(lp_wallet_decode_recovery(lp_buf_view(&f), recovery, out, d), path,
				out, &lock);
	if (lock >= 0)
		close(lock);
	lp_buf_free(&f);
	return e;
}

/* ---- create, save, backup, restore -------------------------------------------- */

lp_err lp_wallet_create(const char *path, lp_view passphrase, const lp_wallet_kdf *kdf,
			char recovery[LP_WALLET_RECOVERY_TEXT_SIZE], lp_wallet **out, lp_diag *d)
{
	lp_wallet_kdf k;
	lp_buf f = { NULL, 0 };
	uint8_t *secrets = NULL;
	struct lp_wallet *w = NULL;
	lp_err e;

	if (!out || !recovery)
		return LP_ERR_ARG;
	*out = NULL;
	sodium_memzero(recovery, LP_WALLET_RECOVERY_TEXT_SIZE);
	if (!path || !*path)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no wallet path given");
	if (!passphrase.ptr || passphrase.len == 0 || passphrase.len > LP_WALLET_PASSPHRASE_MAX)
		return lp_diag_set(d, LP_ERR_ARG, 0, "the passphrase must be 1 to %u bytes",
				   LP_WALLET_PASSPHRASE_MAX);
	if (kdf)
		k = *kdf;
	else
		lp_wallet_kdf_default(&k);
	if (lp_wallet_kdf_check(&k) != LP_OK)
		return lp_diag_set(d, LP_ERR_ARG, 0,
				   "Argon2id limits out of range (opslimit %u..%u, memlimit %u KiB.."
				   "%llu GiB, whole KiB)",
				   LP_WALLET_OPSLIMIT_MIN, LP_WALLET_OPSLIMIT_MAX,
				   LP_WALLET_MEMLIMIT_MIN / 1024u, LP_WALLET_MEMLIMIT_MAX >> 30);

	w = lp_wl_alloc();
	secrets = sodium_malloc(LP_WALLET_RECOVERY_BYTES + WL_KEY_BYTES);
	if (!w || !secrets) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	uint8_t *rec = secrets, *kek = secrets + LP_WALLET_RECOVERY_BYTES;
	lp_random(w->data_key, WL_KEY_BYTES);
	lp_random(rec, LP_WALLET_RECOVERY_BYTES);
	if ((e = derive_rec_key(rec, kek)) != LP_OK)
		goto out;
	wrap_key(kek, w->data_key, (const uint8_t *)REC_AD, sizeof REC_AD - 1, w->rec_nonce,
		 w->rec_wrap);
	if ((e = lp_wallet_set_passphrase(w, passphrase, &k)) != LP_OK) {
		lp_diag_set(d, e, 0, "cannot derive the passphrase key (Argon2id, %llu MiB)",
			    (unsigned long long)(k.memlimit >> 20));
		goto out;
	}
	if ((e = lp_wallet_set_path(w, path)) != LP_OK || (e = lp_wallet_encode(w, &f)) != LP_OK)
		goto out;
	if ((e = lock_wallet(path, &w->lock_fd, d)) != LP_OK)
		goto out;
	e = lp_file_write_atomic(path, lp_buf_view(&f), 0600, LP_WRITE_EXCLUSIVE);
	if (e == LP_ERR_EXISTS) {
		lp_diag_set(d, e, 0, "%s already exists: a wallet is never overwritten", path);
		goto out;
	}
	if (e != LP_OK) {
		lp_diag_set(d, e, 0, "cannot write %s", path);
		goto out;
	}
	lp_wallet_recovery_format(rec, recovery);
	*out = w;
	w = NULL;
out:
	lp_buf_free(&f);
	if (secrets)
		sodium_free(secrets);
	lp_wallet_close(w);
	return e;
}

lp_err lp_wallet_save(lp_wallet *w)
{
	lp_buf f = { NULL, 0 };
	if (!w || !w->path)
		return LP_ERR_ARG;
	lp_err e = lp_wallet_encode(w, &f);
	if (e == LP_OK)
		e = lp_file_write_atomic(w->path, lp_buf_view(&f), 0600, LP_WRITE_KEEP_PREVIOUS);
	lp_buf_free(&f);
	return e;
}

lp_err lp_wallet_backup(const lp_wallet *w, const char *dest)
{
	lp_buf f = { NULL, 0 };
	if (!w || !dest || !*dest)
		return LP_ERR_ARG;
	lp_err e = lp_wallet_encode(w, &f);
	if (e == LP_OK)
		e = lp_file_write_atomic(dest, lp_buf_view(&f), 0600, LP_WRITE_EXCLUSIVE);
	lp_buf_free(&f);
	return e;
}

lp_err lp_wallet_restore(const char *path, const char *backup, lp_view passphrase, lp_diag *d)
{
	lp_buf f = { NULL, 0 };
	lp_wallet *w = NULL;
	if (!path || !*path || !backup)
		return LP_ERR_ARG;
	lp_err e = open_file(backup, &f, d);
	if (e != LP_OK)
		goto out;
	/* The backup must open before anything is replaced. */
	if ((e = lp_wallet_decode(lp_buf_view(&f), passphrase, &w, d)) != LP_OK)
		goto out;
	/* and nobody may have the wallet open meanwhile */
	if ((e = lock_wallet(path, &w->lock_fd, d)) != LP_OK)
		goto out;
	e = lp_file_write_atomic(path, lp_buf_view(&f), 0600, LP_WRITE_KEEP_PREVIOUS);
	if (e != LP_OK)
		lp_diag_set(d, e, 0, "cannot write %s", path);
out:
	lp_wallet_close(w);
	lp_buf_free(&f);
	return e;
}
