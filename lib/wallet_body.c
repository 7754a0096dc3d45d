/* The wallet's decrypted body: the in-memory model (credentials, holder
 * keys, presentation log) in a guarded arena, and its strict CBOR encoding.
 * A small hand-written CBOR reader/writer is used so that every byte of the
 * plaintext stays in sodium_malloc'd memory (libcbor allocates with malloc
 * and grows buffers with realloc, which would leave copies behind). */
#include <string.h>

#include <sodium.h>

#include "wallet_int.h"

/* ---- the arena ------------------------------------------------------------ */

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_ALIGN 16u
#define ARENA_LIMIT (512u * 1024u * 1024u) /* total, a runaway guard */

struct wl_chunk {
	struct wl_chunk *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	size_t pad_;  /* keeps the header a multiple of 16 bytes on LP64 */
};

struct wl_arena {
	struct wl_chunk *head;
	size_t total;
};

#define CHUNK_HDR ((sizeof(struct wl_chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

/* Wipe and release every chunk; the arena itself stays, empty. */
static void arena_reset(struct wl_arena *a)
{
	struct wl_chunk *c = a->head;
	while (c) {
		struct wl_chunk *next = c->next;
		sodium_memzero(c, CHUNK_HDR + c->size);
		sodium_free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

/* n bytes, 16-aligned, zeroed. NULL when out of memory or over the limit. */
static void *arena_alloc(struct wl_arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > ARENA_LIMIT)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct wl_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		if (a->total + size > ARENA_LIMIT)
			return NULL;
		/* sodium_malloc aligns the end of the block to the guard page,
		 * so its start is aligned only if the size is a multiple of 16. */
		c = sodium_malloc(CHUNK_HDR + size);
		if (!c)
			return NULL;
		memset(c, 0, CHUNK_HDR + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->total += size;
	}
	uint8_t *p = (uint8_t *)c + CHUNK_HDR + c->used;
	c->used += n;
	return p;
}

static char *arena_strndup(struct wl_arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

struct lp_wallet *lp_wl_alloc(void)
{
	struct lp_wallet *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->data_key = sodium_malloc(WL_KEY_BYTES);
	w->arena = sodium_malloc(sizeof(struct wl_arena));
	if (!w->data_key || !w->arena) {
		if (w->data_key)
			sodium_free(w->data_key);
		if (w->arena)
			sodium_free(w->arena);
		free(w);
		return NULL;
	}
	sodium_memzero(w->data_key, WL_KEY_BYTES);
	w->lock_fd = -1;
	w->arena->head = NULL;
	w->arena->total = 0;
	return w;
}

/* Forget the model (the arena holds all of it). */
static void body_clear(struct lp_wallet *w)
{
	if (w->arena)
		arena_reset(w->arena);
	w->creds = NULL;
	w->keys = NULL;
	w->logs = NULL;
	w->ncreds = w->ccreds = w->nkeys = w->ckeys = w->nlogs = w->clogs = 0;
}

void lp_wl_body_free(struct lp_wallet *w)
{
	body_clear(w);
	if (w->arena)
		sodium_free(w->arena);
	w->arena = NULL;
}

/* Grow an arena array of elements of size `elem` to hold one more. The old
 * array is wiped (it stays in the arena until close). */
static bool grow(struct wl_arena *a, void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	if (n >= LP_WALLET_MAX_ITEMS)
		return false;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = arena_alloc(a, ncap * elem);
	if (!p)
		return false;
	if (*arr && n) {
		memcpy(p, *arr, n * elem);
		sodium_memzero(*arr, n * elem);
	}
	*arr = p;
	*cap = ncap;
	return true;
}

/* ---- field checks ----------------------------------------------------------- */

static bool text_ok(const char *s, size_t max)
{
	if (!s)
		return false;
	size_t n = strnlen(s, max + 1);
	return n <= max;
}

static bool id_ok(const char *s)
{
	if (!s || !*s)
		return false;
	size_t n = strnlen(s, LP_WALLET_ID_MAX + 1);
	if (n > LP_WALLET_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch == 0x7f)
			return false;
	}
	return true;
}

/* ---- model accessors and changes ------------------------------------------ */

size_t lp_wallet_cred_count(const lp_wallet *w)
{
	return w ? w->ncreds : 0;
}

const lp_wallet_cred *lp_wallet_cred_at(const lp_wallet *w, size_t i)
{
	return w && i < w->ncreds ? &w->creds[i] : NULL;
}

static ptrdiff_t cred_index(const lp_wallet *w, const char *id)
{
	if (!w || !id)
		return -1;
	for (size_t i = 0; i < w->ncreds; i++)
		if (strcmp(w->creds[i].id, id) == 0)
			return (ptrdiff_t)i;
	return -1;
}

const lp_wallet_cred *lp_wallet_cred_find(const lp_wallet *w, const char *id)
{
	ptrdiff_t i = cred_index(w, id);
	return i < 0 ? NULL : &w->creds[i];
}

/* Deep-copy c into the arena as *out. */
static lp_err cred_copy_in(struct wl_arena *a, const lp_wallet_cred *c, lp_wallet_cred *out)
{
	lp_wallet_cred n;
	memset(&n, 0, sizeof n);
	n.id = arena_strndup(a, c->id, strlen(c->id));
	n.issuer = arena_strndup(a, c->issuer, strlen(c->issuer));
	n.title = arena_strndup(a, c->title, strlen(c->title));
	n.type = arena_strndup(a, c->type, strlen(c->type));
	lp_wallet_copy *copies = arena_alloc(a, c->ncopies * sizeof *copies);
	if (!n.id || !n.issuer || !n.title || !n.type || !copies)
		return LP_ERR_NOMEM;
	for (size_t i = 0; i < c->ncopies; i++) {
		uint8_t *b = arena_alloc(a, c->copies[i].sdcwt.len);
		if (!b)
			return LP_ERR_NOMEM;
		memcpy(b, c->copies[i].sdcwt.ptr, c->copies[i].sdcwt.len);
		copies[i].sdcwt = lp_view_of(b, c->copies[i].sdcwt.len);
		memcpy(copies[i].holder_pk, c->copies[i].holder_pk, LP_WALLET_PK_BYTES);
		copies[i].uses = c->copies[i].uses;
	}
	n.imported = c->imported;
	n.status = c->status;
	n.status_time = c->status_time;
	n.ncopies = c->ncopies;
	n.copies = copies;
	*out = n;
	return LP_OK;
}

static bool cred_fields_ok(const lp_wallet_cred *c)
{
	if (!id_ok(c->id) || !text_ok(c->issuer, LP_WALLET_STR_MAX) ||
	    !text_ok(c->title, LP_WALLET_STR_MAX) || !text_ok(c->type, LP_WALLET_STR_MAX))
		return false;
	if (c->imported < 0 || c->status_time < 0)
		return false;
	if (c->status < LP_WALLET_STATUS_VALID || c->status > LP_WALLET_STATUS_UNKNOWN)
		return false;
	if (c->ncopies == 0 || c->ncopies > LP_WALLET_MAX_COPIES || !c->copies)
		return false;
	for (size_t i = 0; i < c->ncopies; i++)
		if (!c->copies[i].sdcwt.ptr || c->copies[i].sdcwt.len == 0 ||
		    c->copies[i].sdcwt.len > LP_WALLET_SDCWT_MAX)
			return false;
	return true;
}

lp_err lp_wallet_cred_add(lp_wallet *w, const lp_wallet_cred *c)
{
	if (!w || !c || !cred_fields_ok(c))
		return LP_ERR_ARG;
	if (cred_index(w, c->id) >= 0)
		return LP_ERR_EXISTS;
	if (!grow(w->arena, (void **)&w->creds, &w->ccreds, w->ncreds, sizeof *w->creds))
		return LP_ERR_NOMEM;
	lp_wallet_cred n;
	lp_err e = cred_copy_in(w->arena, c, &n);
	if (e != LP_OK)
		return e;
	w->creds[w->ncreds++] = n;
	return LP_OK;
}

/* Wipe a credential's bytes in the arena (the space is reclaimed at close). */
static void cred_wipe(lp_wallet_cred *c)
{
	lp_wallet_copy *copies = (lp_wallet_copy *)c->copies;
	for (size_t i = 0; i < c->ncopies; i++)
		sodium_memzero((void *)copies[i].sdcwt.ptr, copies[i].sdcwt.len);
	sodium_memzero(copies, c->ncopies * sizeof *copies);
	sodium_memzero((void *)c->id, strlen(c->id));
	sodium_memzero((void *)c->issuer, strlen(c->issuer));
	sodium_memzero((void *)c->title, strlen(c->title));
	sodium_memzero((void *)c->type, strlen(c->type));
}

lp_err lp_wallet_cred_remove(lp_wallet *w, const char *id)
{
	ptrdiff_t i = cred_index(w, id);
	if (i < 0)
		return w && id ? LP_ERR_NOT_FOUND : LP_ERR_ARG;
	size_t k = (size_t)i;
	cred_wipe(&w->creds[k]);
	memmove(&w->creds[k], &w->creds[k + 1], (w->ncreds - k - 1) * sizeof *w->creds);
	w->ncreds--;
	sodium_memzero(&w->creds[w->ncreds], sizeof *w->creds);
	return LP_OK;
}

lp_err lp_wallet_cred_set_status(lp_wallet *w, const char *id, int status, int64_t t)
{
	if (status < LP_WALLET_STATUS_VALID || status > LP_WALLET_STATUS_UNKNOWN || t < 0)
		return LP_ERR_ARG;
	ptrdiff_t i = cred_index(w, id);
	if (i < 0)
		return w && id ? LP_ERR_NOT_FOUND : LP_ERR_ARG;
	w->creds[i].status = status;
	w->creds[i].status_time = t;
	return LP_OK;
}

lp_err lp_wallet_copy_use(lp_wallet *w, const char *id, size_t copy)
{
	ptrdiff_t i = cred_index(w, id);
	if (i < 0)
		return w && id ? LP_ERR_NOT_FOUND : LP_ERR_ARG;
	if (copy >= w->creds[i].ncopies)
		return LP_ERR_ARG;
	lp_wallet_copy *copies = (lp_wallet_copy *)w->creds[i].copies;
	if (copies[copy].uses < UINT32_MAX)
		copies[copy].uses++;
	return LP_OK;
}

size_t lp_wallet_key_count(const lp_wallet *w)
{
	return w ? w->nkeys : 0;
}

const lp_wallet_key *lp_wallet_key_at(const lp_wallet *w, size_t i)
{
	return w && i < w->nkeys ? &w->keys[i] : NULL;
}

const lp_wallet_key *lp_wallet_key_find(const lp_wallet *w, const uint8_t pk[LP_WALLET_PK_BYTES])
{
	if (!w || !pk)
		return NULL;
	for (size_t i = 0; i < w->nkeys; i++)
		if (memcmp(w->keys[i].pk, pk, LP_WALLET_PK_BYTES) == 0)
			return &w->keys[i];
	return NULL;
}

/* Store a key pair whose secret key sk (64 bytes) is checked to match pk. */
static lp_err key_add(lp_wallet *w, const uint8_t *pk, const uint8_t *sk, int64_t created,
		      const char *issuer, size_t issuer_len)
{
	uint8_t derived[LP_WALLET_PK_BYTES];
	if (crypto_sign_ed25519_sk_to_pk(derived, sk) != 0 ||
	    memcmp(derived, pk, sizeof derived) != 0)
		return LP_ERR_ARG;
	if (lp_wallet_key_find(w, pk))
		return LP_ERR_EXISTS;
	if (!grow(w->arena, (void **)&w->keys, &w->ckeys, w->nkeys, sizeof *w->keys))
		return LP_ERR_NOMEM;
	uint8_t *s = arena_alloc(w->arena, LP_WALLET_SK_BYTES);
	char *is = arena_strndup(w->arena, issuer, issuer_len);
	if (!s || !is)
		return LP_ERR_NOMEM;
	memcpy(s, sk, LP_WALLET_SK_BYTES);
	lp_wallet_key *k = &w->keys[w->nkeys];
	memcpy(k->pk, pk, LP_WALLET_PK_BYTES);
	k->sk = s;
	k->created = created;
	k->issuer = is;
	w->nkeys++;
	return LP_OK;
}

lp_err lp_wallet_key_new(lp_wallet *w, int64_t created, const char *issuer,
			 uint8_t pk[LP_WALLET_PK_BYTES])
{
	if (!w || !pk || created < 0 || !text_ok(issuer, LP_WALLET_STR_MAX))
		return LP_ERR_ARG;
	lp_err e = LP_ERR_CRYPTO;
	uint8_t *buf = sodium_malloc(32 + LP_WALLET_SK_BYTES);
	if (!buf)
		return LP_ERR_NOMEM;
	uint8_t *seed = buf, *sk = buf + 32;
	uint8_t p[LP_WALLET_PK_BYTES];
	lp_random(seed, 32);
	if (crypto_sign_seed_keypair(p, sk, seed) != 0)
		goto out;
	e = key_add(w, p, sk, created, issuer, strlen(issuer));
	if (e == LP_OK)
		memcpy(pk, p, LP_WALLET_PK_BYTES);
out:
	sodium_memzero(buf, 32 + LP_WALLET_SK_BYTES);
	sodium_free(buf);
	return e;
}

lp_err lp_wallet_key_remove(lp_wallet *w, const uint8_t pk[LP_WALLET_PK_BYTES])
{
	if (!w || !pk)
		return LP_ERR_ARG;
	for (size_t i = 0; i < w->nkeys; i++) {
		if (memcmp(w->keys[i].pk, pk, LP_WALLET_PK_BYTES) != 0)
			continue;
		sodium_memzero((void *)w->keys[i].sk, LP_WALLET_SK_BYTES);
		memmove(&w->keys[i], &w->keys[i + 1], (w->nkeys - i - 1) * sizeof *w->keys);
		w->nkeys--;
		sodium_memzero(&w->keys[w->nkeys], sizeof *w->keys);
		return LP_OK;
	}
	return LP_ERR_NOT_FOUND;
}

size_t lp_wallet_log_count(const lp_wallet *w)
{
	return w ? w->nlogs : 0;
}

const lp_wallet_log *lp_wallet_log_at(const lp_wallet *w, size_t i)
{
	return w && i < w->nlogs ? &w->logs[i] : NULL;
}

lp_err lp_wallet_log_add(lp_wallet *w, const lp_wallet_log *e)
{
	if (!w || !e || e->time < 0 || !id_ok(e->cred_id) || e->copy >= LP_WALLET_MAX_COPIES ||
	    !text_ok(e->audience, LP_WALLET_STR_MAX) || !text_ok(e->challenge, LP_WALLET_STR_MAX) ||
	    e->nclaims > LP_WALLET_MAX_CLAIMS || (e->nclaims && !e->claims))
		return LP_ERR_ARG;
	for (size_t i = 0; i < e->nclaims; i++)
		if (!text_ok(e->claims[i], LP_WALLET_STR_MAX))
			return LP_ERR_ARG;
	if (!grow(w->arena, (void **)&w->logs, &w->clogs, w->nlogs, sizeof *w->logs))
		return LP_ERR_NOMEM;
	lp_wallet_log n;
	memset(&n, 0, sizeof n);
	n.time = e->time;
	n.copy = e->copy;
	n.cred_id = arena_strndup(w->arena, e->cred_id, strlen(e->cred_id));
	n.audience = arena_strndup(w->arena, e->audience, strlen(e->audience));
	n.challenge = arena_strndup(w->arena, e->challenge, strlen(e->challenge));
	const char **claims = arena_alloc(w->arena, (e->nclaims ? e->nclaims : 1) * sizeof *claims);
	if (!n.cred_id || !n.audience || !n.challenge || !claims)
		return LP_ERR_NOMEM;
	for (size_t i = 0; i < e->nclaims; i++) {
		claims[i] = arena_strndup(w->arena, e->claims[i], strlen(e->claims[i]));
		if (!claims[i])
			return LP_ERR_NOMEM;
	}
	n.nclaims = e->nclaims;
	n.claims = claims;
	w->logs[w->nlogs++] = n;
	return LP_OK;
}

/* ---- CBOR writer ------------------------------------------------------------
 * Two passes over the same code: with out == NULL it only counts. */

struct wr {
	uint8_t *out;
	size_t len;
};

static void wr_bytes(struct wr *w, const void *p, size_t n)
{
	if (w->out && n)
		memcpy(w->out + w->len, p, n);
	w->len += n;
}

static void wr_head(struct wr *w, unsigned major, uint64_t v)
{
	uint8_t h[9];
	size_t n;
	uint8_t m = (uint8_t)(major << 5);
	if (v < 24) {
		h[0] = (uint8_t)(m | v);
		n = 1;
	} else if (v <= 0xff) {
		h[0] = m | 24;
		h[1] = (uint8_t)v;
		n = 2;
	} else if (v <= 0xffff) {
		h[0] = m | 25;
		h[1] = (uint8_t)(v >> 8);
		h[2] = (uint8_t)v;
		n = 3;
	} else if (v <= 0xffffffffu) {
		h[0] = m | 26;
		for (int i = 0; i < 4; i++)
			h[1 + i] = (uint8_t)(v >> (24 - 8 * i));
		n = 5;
	} else {
		h[0] = m | 27;
		for (int i = 0; i < 8; i++)
			h[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		n = 9;
	}
	wr_bytes(w, h, n);
}

static void wr_uint(struct wr *w, uint64_t v)
{
	wr_head(w, 0, v);
}

static void wr_bstr(struct wr *w, const uint8_t *p, size_t n)
{
	wr_head(w, 2, n);
	wr_bytes(w, p, n);
}

static void wr_tstr(struct wr *w, const char *s)
{
	size_t n = strlen(s);
	wr_head(w, 3, n);
	wr_bytes(w, s, n);
}

static void wr_body(struct wr *o, const struct lp_wallet *w)
{
	wr_head(o, 5, 3);
	wr_uint(o, 1);
	wr_head(o, 4, w->ncreds);
	for (size_t i = 0; i < w->ncreds; i++) {
		const lp_wallet_cred *c = &w->creds[i];
		wr_head(o, 5, 8);
		wr_uint(o, 1), wr_tstr(o, c->id);
		wr_uint(o, 2), wr_tstr(o, c->issuer);
		wr_uint(o, 3), wr_tstr(o, c->title);
		wr_uint(o, 4), wr_tstr(o, c->type);
		wr_uint(o, 5), wr_uint(o, (uint64_t)c->imported);
		wr_uint(o, 6), wr_uint(o, (uint64_t)c->status);
		wr_uint(o, 7), wr_uint(o, (uint64_t)c->status_time);
		wr_uint(o, 8), wr_head(o, 4, c->ncopies);
		for (size_t j = 0; j < c->ncopies; j++) {
			const lp_wallet_copy *cp = &c->copies[j];
			wr_head(o, 5, 3);
			wr_uint(o, 1), wr_bstr(o, cp->sdcwt.ptr, cp->sdcwt.len);
			wr_uint(o, 2), wr_bstr(o, cp->holder_pk, LP_WALLET_PK_BYTES);
			wr_uint(o, 3), wr_uint(o, cp->uses);
		}
	}
	wr_uint(o, 2);
	wr_head(o, 4, w->nkeys);
	for (size_t i = 0; i < w->nkeys; i++) {
		const lp_wallet_key *k = &w->keys[i];
		wr_head(o, 5, 4);
		wr_uint(o, 1), wr_bstr(o, k->pk, LP_WALLET_PK_BYTES);
		wr_uint(o, 2), wr_bstr(o, k->sk, LP_WALLET_SK_BYTES);
		wr_uint(o, 3), wr_uint(o, (uint64_t)k->created);
		wr_uint(o, 4), wr_tstr(o, k->issuer);
	}
	wr_uint(o, 3);
	wr_head(o, 4, w->nlogs);
	for (size_t i = 0; i < w->nlogs; i++) {
		const lp_wallet_log *l = &w->logs[i];
		wr_head(o, 5, 6);
		wr_uint(o, 1), wr_uint(o, (uint64_t)l->time);
		wr_uint(o, 2), wr_tstr(o, l->cred_id);
		wr_uint(o, 3), wr_uint(o, l->copy);
		wr_uint(o, 4), wr_tstr(o, l->audience);
		wr_uint(o, 5), wr_tstr(o, l->challenge);
		wr_uint(o, 6), wr_head(o, 4, l->nclaims);
		for (size_t j = 0; j < l->nclaims; j++)
			wr_tstr(o, l->claims[j]);
	}
}

lp_err lp_wl_body_encode(const struct lp_wallet *w, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	struct wr count = { NULL, 0 };
	wr_body(&count, w);
	uint8_t *p = sodium_malloc(count.len);
	if (!p)
		return LP_ERR_NOMEM;
	struct wr o = { p, 0 };
	wr_body(&o, w);
	if (o.len != count.len) {
		sodium_free(p);
		return LP_ERR_INTERNAL;
	}
	*out = p;
	*len = o.len;
	return LP_OK;
}

/* ---- CBOR reader -------------------------------------------------------------
 * Only what the writer produces: unsigned ints, bstr, tstr, arrays and maps,
 * definite lengths in shortest form. Anything else is malformed. */

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	lp_diag *d;
};

static lp_err rd_fail(struct rd *r, const char *what)
{
	return lp_diag_set(r->d, LP_ERR_MALFORMED, r->off, "wallet body: %s at byte %zu", what,
			   r->off);
}

static lp_err rd_head(struct rd *r, unsigned major, uint64_t *v)
{
	if (r->off >= r->len)
		return rd_fail(r, "unexpected end");
	uint8_t b = r->p[r->off];
	unsigned ai = b & 0x1f;
	if ((unsigned)(b >> 5) != major)
		return rd_fail(r, "unexpected item type");
	size_t n;
	if (ai < 24)
		n = 0;
	else if (ai == 24)
		n = 1;
	else if (ai == 25)
		n = 2;
	else if (ai == 26)
		n = 4;
	else if (ai == 27)
		n = 8;
	else
		return rd_fail(r, "indefinite or reserved length");
	if (r->len - r->off - 1 < n)
		return rd_fail(r, "unexpected end");
	uint64_t x = ai < 24 ? ai : 0;
	for (size_t i = 0; i < n; i++)
		x = (x << 8) | r->p[r->off + 1 + i];
	/* shortest form only: the writer never produces anything else */
	if ((n == 1 && x < 24) || (n == 2 && x <= 0xff) || (n == 4 && x <= 0xffff) ||
	    (n == 8 && x <= 0xffffffffu))
		return rd_fail(r, "non-shortest integer encoding");
	r->off += 1 + n;
	*v = x;
	return LP_OK;
}

static lp_err rd_uint(struct rd *r, uint64_t max, uint64_t *v)
{
	lp_err e = rd_head(r, 0, v);
	if (e == LP_OK && *v > max)
		return rd_fail(r, "integer out of range");
	return e;
}

static lp_err rd_key(struct rd *r, uint64_t want)
{
	uint64_t k;
	lp_err e = rd_head(r, 0, &k);
	if (e == LP_OK && k != want)
		return rd_fail(r, "unexpected map key");
	return e;
}

static lp_err rd_len(struct rd *r, unsigned major, uint64_t max, uint64_t *n)
{
	lp_err e = rd_head(r, major, n);
	if (e != LP_OK)
		return e;
	if (*n > max)
		return rd_fail(r, "length over the limit");
	if ((major == 2 || major == 3) && *n > r->len - r->off)
		return rd_fail(r, "unexpected end");
	return LP_OK;
}

static lp_err rd_map(struct rd *r, uint64_t entries)
{
	uint64_t n;
	lp_err e = rd_head(r, 5, &n);
	if (e == LP_OK && n != entries)
		return rd_fail(r, "map with the wrong number of entries");
	return e;
}

/* A text string copied into the arena (NUL-terminated, no embedded NUL). */
static lp_err rd_tstr(struct rd *r, struct wl_arena *a, size_t max, const char **out)
{
	uint64_t n;
	lp_err e = rd_len(r, 3, max, &n);
	if (e != LP_OK)
		return e;
	if (memchr(r->p + r->off, 0, (size_t)n))
		return rd_fail(r, "NUL byte in a text string");
	char *s = arena_strndup(a, (const char *)r->p + r->off, (size_t)n);
	if (!s)
		return LP_ERR_NOMEM;
	r->off += (size_t)n;
	*out = s;
	return LP_OK;
}

/* A byte string: exact length `exact` (if nonzero) or 1..max. *p points
 * into the body being read (the caller copies it). */
static lp_err rd_bstr(struct rd *r, size_t exact, size_t max, const uint8_t **p, size_t *len)
{
	uint64_t n;
	lp_err e = rd_len(r, 2, exact ? exact : max, &n);
	if (e != LP_OK)
		return e;
	if ((exact && n != exact) || n == 0)
		return rd_fail(r, "byte string of the wrong length");
	*p = r->p + r->off;
	*len = (size_t)n;
	r->off += (size_t)n;
	return LP_OK;
}

#define TRY(x)                         \
	do {                           \
		if ((e = (x)) != LP_OK) \
			goto out;      \
	} while (0)

static lp_err rd_cred(struct rd *r, struct lp_wallet *w)
{
	lp_err e;
	lp_wallet_cred c;
	uint64_t v, n;
	memset(&c, 0, sizeof c);
	size_t start = r->off;
	TRY(rd_map(r, 8));
	TRY(rd_key(r, 1));
	TRY(rd_tstr(r, w->arena, LP_WALLET_ID_MAX, &c.id));
	TRY(rd_key(r, 2));
	TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &c.issuer));
	TRY(rd_key(r, 3));
	TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &c.title));
	TRY(rd_key(r, 4));
	TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &c.type));
	TRY(rd_key(r, 5));
	TRY(rd_uint(r, INT64_MAX, &v));
	c.imported = (int64_t)v;
	TRY(rd_key(r, 6));
	TRY(rd_uint(r, LP_WALLET_STATUS_UNKNOWN, &v));
	c.status = (int)v;
	TRY(rd_key(r, 7));
	TRY(rd_uint(r, INT64_MAX, &v));
	c.status_time = (int64_t)v;
	TRY(rd_key(r, 8));
	TRY(rd_len(r, 4, LP_WALLET_MAX_COPIES, &n));
	if (n == 0) {
		e = rd_fail(r, "credential without copies");
		goto out;
	}
	lp_wallet_copy *copies = arena_alloc(w->arena, (size_t)n * sizeof *copies);
	if (!copies) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t j = 0; j < n; j++) {
		const uint8_t *p;
		size_t len;
		TRY(rd_map(r, 3));
		TRY(rd_key(r, 1));
		TRY(rd_bstr(r, 0, LP_WALLET_SDCWT_MAX, &p, &len));
		uint8_t *b = arena_alloc(w->arena, len);
		if (!b) {
			e = LP_ERR_NOMEM;
			goto out;
		}
		memcpy(b, p, len);
		copies[j].sdcwt = lp_view_of(b, len);
		TRY(rd_key(r, 2));
		TRY(rd_bstr(r, LP_WALLET_PK_BYTES, 0, &p, &len));
		memcpy(copies[j].holder_pk, p, LP_WALLET_PK_BYTES);
		TRY(rd_key(r, 3));
		TRY(rd_uint(r, UINT32_MAX, &v));
		copies[j].uses = (uint32_t)v;
	}
	c.ncopies = (size_t)n;
	c.copies = copies;
	if (!id_ok(c.id)) {
		r->off = start;
		e = rd_fail(r, "credential with an invalid id");
		goto out;
	}
	if (cred_index(w, c.id) >= 0) {
		r->off = start;
		e = rd_fail(r, "two credentials with the same id");
		goto out;
	}
	if (!grow(w->arena, (void **)&w->creds, &w->ccreds, w->ncreds, sizeof *w->creds)) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	w->creds[w->ncreds++] = c;
out:
	return e;
}

static lp_err rd_key_entry(struct rd *r, struct lp_wallet *w)
{
	lp_err e;
	const uint8_t *pk, *sk;
	size_t len;
	uint64_t created;
	const char *issuer = NULL;
	size_t start = r->off;
	TRY(rd_map(r, 4));
	TRY(rd_key(r, 1));
	TRY(rd_bstr(r, LP_WALLET_PK_BYTES, 0, &pk, &len));
	TRY(rd_key(r, 2));
	TRY(rd_bstr(r, LP_WALLET_SK_BYTES, 0, &sk, &len));
	TRY(rd_key(r, 3));
	TRY(rd_uint(r, INT64_MAX, &created));
	TRY(rd_key(r, 4));
	TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &issuer));
	e = key_add(w, pk, sk, (int64_t)created, issuer, strlen(issuer));
	if (e == LP_ERR_ARG || e == LP_ERR_EXISTS) {
		r->off = start;
		e = rd_fail(r, e == LP_ERR_ARG ? "holder key pair that does not match"
					       : "the same holder key twice");
	}
out:
	return e;
}

static lp_err rd_log(struct rd *r, struct lp_wallet *w)
{
	lp_err e;
	lp_wallet_log l;
	uint64_t v, n;
	memset(&l, 0, sizeof l);
	TRY(rd_map(r, 6));
	TRY(rd_key(r, 1));
	TRY(rd_uint(r, INT64_MAX, &v));
	l.time = (int64_t)v;
	TRY(rd_key(r, 2));
	TRY(rd_tstr(r, w->arena, LP_WALLET_ID_MAX, &l.cred_id));
	TRY(rd_key(r, 3));
	TRY(rd_uint(r, LP_WALLET_MAX_COPIES - 1, &v));
	l.copy = (uint32_t)v;
	TRY(rd_key(r, 4));
	TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &l.audience));
	TRY(rd_key(r, 5));
	TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &l.challenge));
	TRY(rd_key(r, 6));
	TRY(rd_len(r, 4, LP_WALLET_MAX_CLAIMS, &n));
	const char **claims = arena_alloc(w->arena, (n ? (size_t)n : 1) * sizeof *claims);
	if (!claims) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t j = 0; j < n; j++)
		TRY(rd_tstr(r, w->arena, LP_WALLET_STR_MAX, &claims[j]));
	l.nclaims = (size_t)n;
	l.claims = claims;
	if (!grow(w->arena, (void **)&w->logs, &w->clogs, w->nlogs, sizeof *w->logs)) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	w->logs[w->nlogs++] = l;
out:
	return e;
}

lp_err lp_wl_body_decode(struct lp_wallet *w, lp_view body, lp_diag *d)
{
	lp_err e;
	struct rd r = { body.ptr, body.len, 0, d };
	uint64_t n;
	TRY(rd_map(&r, 3));
	TRY(rd_key(&r, 1));
	TRY(rd_len(&r, 4, LP_WALLET_MAX_ITEMS, &n));
	for (uint64_t i = 0; i < n; i++)
		TRY(rd_cred(&r, w));
	TRY(rd_key(&r, 2));
	TRY(rd_len(&r, 4, LP_WALLET_MAX_ITEMS, &n));
	for (uint64_t i = 0; i < n; i++)
		TRY(rd_key_entry(&r, w));
	TRY(rd_key(&r, 3));
	TRY(rd_len(&r, 4, LP_WALLET_MAX_ITEMS, &n));
	for (uint64_t i = 0; i < n; i++)
		TRY(rd_log(&r, w));
	if (r.off != r.len)
		e = rd_fail(&r, "bytes after the body");
out:
	if (e != LP_OK)
		body_clear(w); /* nothing from a bad body stays */
	return e;
}
