/* Token Status List (draft-ietf-oauth-status-list-20): packed status arrays,
 * their CBOR StatusList encoding with zlib, and the signed Status List Token
 * CWT. Bit layout and claim keys: see include/leerpas/status.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cose_int.h"
#include "internal.h"
#include "leerpas/codec.h"
#include "status_int.h"

/* Clock skew tolerated before a token's iat counts as "in the future". */
#define STATUS_SKEW 300

static bool bits_ok(unsigned bits)
{
	return bits == 1 || bits == 2 || bits == 4 || bits == 8;
}

lp_err lp_status_list_create(lp_status_list *out, size_t count, unsigned bits)
{
	memset(out, 0, sizeof *out);
	if (!bits_ok(bits) || count == 0 || count > SIZE_MAX / 8)
		return LP_ERR_ARG;
	size_t per = 8 / bits;
	size_t nbytes = count / per + (count % per ? 1 : 0);
	out->bytes = calloc(nbytes, 1);
	if (!out->bytes)
		return LP_ERR_NOMEM;
	out->bits = bits;
	out->count = count;
	out->nbytes = nbytes;
	return LP_OK;
}

void lp_status_list_free(lp_status_list *l)
{
	if (!l)
		return;
	free(l->bytes);
	memset(l, 0, sizeof *l);
}

lp_err lp_status_list_set(lp_status_list *l, size_t idx, unsigned value)
{
	if (!l || !l->bytes || !bits_ok(l->bits) || idx >= l->count ||
	    value >= (1u << l->bits))
		return LP_ERR_ARG;
	size_t per = 8 / l->bits;
	unsigned shift = (unsigned)(idx % per) * l->bits;
	unsigned mask = ((1u << l->bits) - 1u) << shift;
	unsigned b = l->bytes[idx / per];
	b = (b & ~mask) | (value << shift);
	l->bytes[idx / per] = (uint8_t)b;
	return LP_OK;
}

lp_err lp_status_list_get(const lp_status_list *l, size_t idx, unsigned *value)
{
	*value = 0;
	if (!l || !l->bytes || !bits_ok(l->bits))
		return LP_ERR_ARG;
	if (idx >= l->count)
		return LP_ERR_STATUS_UNKNOWN;
	size_t per = 8 / l->bits;
	unsigned shift = (unsigned)(idx % per) * l->bits;
	*value = ((unsigned)l->bytes[idx / per] >> shift) & ((1u << l->bits) - 1u);
	return LP_OK;
}

/* The StatusList map as an item, or NULL on allocation failure. */
static cbor_item_t *status_list_item(const lp_status_list *l, lp_err *rc)
{
	lp_buf z = { 0 };
	cbor_item_t *map = NULL;
	*rc = lp_deflate(lp_view_of(l->bytes, l->nbytes), &z);
	if (*rc)
		return NULL;
	*rc = LP_ERR_NOMEM;
	map = cbor_new_definite_map(2);
	if (!map)
		goto out;
	/* Key order "bits", "lst" as in the draft's vectors. */
	if (!lp_cbor_map_put(map, cbor_build_string("bits"), cbor_build_uint8((uint8_t)l->bits)) ||
	    !lp_cbor_map_put(map, cbor_build_string("lst"), cbor_build_bytestring(z.ptr, z.len))) {
		cbor_decref(&map);
		goto out;
	}
	*rc = LP_OK;
out:
	lp_buf_free(&z);
	return map;
}

lp_err lp_status_list_encode(const lp_status_list *l, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!l || !l->bytes || !bits_ok(l->bits))
		return LP_ERR_ARG;
	lp_err rc;
	cbor_item_t *map = status_list_item(l, &rc);
	if (!map)
		return rc;
	rc = lp_cbor_encode(map, out);
	cbor_decref(&map);
	return rc;
}

static bool str_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);
	return cbor_isa_string(it) && cbor_string_is_definite(it) &&
	       cbor_string_length(it) == n && memcmp(cbor_string_handle(it), s, n) == 0;
}

/* Read a StatusList map item. On failure *out zeroed. */
static lp_err status_list_from_item(const cbor_item_t *map, size_t max_bytes,
				    lp_status_list *out, lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (!max_bytes)
		max_bytes = LP_STATUS_MAX_BYTES;
	if (!cbor_isa_map(map))
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list is not a CBOR map");
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t n = cbor_map_size(map);
	const cbor_item_t *bits = NULL, *lst = NULL;
	for (size_t i = 0; i < n; i++) {
		if (str_is(pairs[i].key, "bits"))
			bits = pairs[i].value;
		else if (str_is(pairs[i].key, "lst"))
			lst = pairs[i].value;
		else if (str_is(pairs[i].key, "aggregation_uri")) {
			if (!cbor_isa_string(pairs[i].value))
				return lp_diag_set(d, LP_ERR_MALFORMED, 0,
						   "status list aggregation_uri is not text");
		} else
			return lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list has an unknown key");
	}
	if (!bits || !lst)
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list lacks \"%s\"",
				   bits ? "lst" : "bits");
	if (!cbor_isa_uint(bits) || cbor_get_int(bits) > 8 ||
	    !bits_ok((unsigned)cbor_get_int(bits)))
		return lp_diag_set(d, LP_ERR_MALFORMED, 0,
				   "status list \"bits\" must be 1, 2, 4 or 8");
	if (!cbor_isa_bytestring(lst) || !cbor_bytestring_is_definite(lst))
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list \"lst\" is not a byte string");
	lp_buf raw = { 0 };
	lp_err rc = lp_inflate(lp_view_of(cbor_bytestring_handle(lst), cbor_bytestring_length(lst)),
			       max_bytes, &raw, NULL);
	if (rc == LP_ERR_TOO_LARGE)
		return lp_diag_set(d, rc, 0, "status list inflates beyond %zu bytes", max_bytes);
	if (rc)
		return lp_diag_set(d, rc, 0, "status list \"lst\" is not valid zlib data");
	if (raw.len == 0) {
		lp_buf_free(&raw);
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list is empty");
	}
	out->bits = (unsigned)cbor_get_int(bits);
	out->bytes = raw.ptr;
	out->nbytes = raw.len;
	out->count = raw.len * (8 / out->bits);
	return LP_OK;
}

lp_err lp_status_list_decode(lp_view in, size_t max_bytes, lp_status_list *out, lp_diag *d)
{
	memset(out, 0, sizeof *out);
	cbor_item_t *item = NULL;
	lp_err rc = lp_cbor_load(in, LP_CBOR_MAX_DEPTH, &item, d);
	if (rc)
		return rc;
	rc = status_list_from_item(item, max_bytes, out, d);
	cbor_decref(&item);
	return rc;
}

lp_err lp_status_token_sign(const lp_status_list *list, const lp_status_token_params *p,
			    const uint8_t sk[LP_ED25519_SK_BYTES], lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!list || !p || !p->uri || !*p->uri || p->iat < 0 || p->exp < 0 || p->ttl < 0 ||
	    (p->exp && p->exp <= p->iat) || (p->kid_len && !p->kid) || p->kid_len > 64)
		return LP_ERR_ARG;
	lp_err rc = LP_ERR_NOMEM;
	lp_buf payload = { 0 };
	cbor_item_t *prot = NULL, *claims = NULL, *sl = NULL;

	prot = cbor_new_definite_map(3);
	if (!prot || !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)) ||
	    !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_TYP), cbor_build_string(LP_STATUS_TYP)))
		goto out;
	if (p->kid_len &&
	    !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_KID), cbor_build_bytestring(p->kid, p->kid_len)))
		goto out;

	sl = status_list_item(list, &rc);
	if (!sl)
		goto out;
	rc = LP_ERR_NOMEM;
	claims = cbor_new_definite_map(5);
	if (!claims || !lp_cbor_map_put(claims, lp_cbor_int(2), cbor_build_string(p->uri)) ||
	    !lp_cbor_map_put(claims, lp_cbor_int(6), lp_cbor_int(p->iat)))
		goto out;
	if (p->exp && !lp_cbor_map_put(claims, lp_cbor_int(4), lp_cbor_int(p->exp)))
		goto out;
	if (p->ttl && !lp_cbor_map_put(claims, lp_cbor_int(LP_CWT_TTL), lp_cbor_int(p->ttl)))
		goto out;
	cbor_item_t *slref = sl;
	sl = NULL; /* ownership passes to the map */
	if (!lp_cbor_map_put(claims, lp_cbor_int(LP_CWT_STATUS_LIST), slref))
		goto out;
	rc = lp_cbor_encode(claims, &payload);
	if (rc)
		goto out;
	rc = lp_sign1_create_ed25519(prot, NULL, lp_buf_view(&payload), lp_view_of(NULL, 0), sk, out);
out:
	if (sl)
		cbor_decref(&sl);
	if (claims)
		cbor_decref(&claims);
	if (prot)
		cbor_decref(&prot);
	lp_buf_free(&payload);
	return rc;
}

/* Non-negative integer claim, or LP_ERR_MALFORMED. */
static lp_err get_time(const cbor_item_t *it, int64_t *v, const char *name, lp_diag *d)
{
	if (!lp_cbor_get_int(it, v) || *v < 0)
		return lp_diag_set(d, LP_ERR_MALFORMED, 0,
				   "status list token claim %s is not a non-negative integer", name);
	return LP_OK;
}

/* Parse (and when key is non-NULL, first verify) a Status List Token. */
static lp_err token_read(lp_view in, const lp_pubkey *key, size_t max_bytes,
			 lp_status_token *out, lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (in.len > LP_STATUS_MAX_TOKEN)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "status list token larger than %u bytes",
				   LP_STATUS_MAX_TOKEN);
	lp_sign1 s;
	cbor_item_t *claims = NULL;
	lp_err rc = lp_sign1_parse(in, true, &s, d);
	if (rc)
		return rc;
	if (key) {
		rc = lp_sign1_verify(&s, key, lp_view_of(NULL, 0));
		if (rc) {
			lp_diag_set(d, rc, 0, "status list token: %s", lp_err_str(rc));
			goto out;
		}
	}
	const cbor_item_t *typ = lp_cbor_map_get_int(s.protected_map, LP_HDR_TYP);
	if (!typ || !str_is(typ, LP_STATUS_TYP)) {
		rc = lp_diag_set(d, LP_ERR_TYP, 0, "not a status list token (typ is not %s)",
				 LP_STATUS_TYP);
		goto out;
	}
	const cbor_item_t *kid = lp_cbor_map_get_int(s.protected_map, LP_HDR_KID);
	if (!kid && s.unprotected)
		kid = lp_cbor_map_get_int(s.unprotected, LP_HDR_KID);
	if (kid && cbor_isa_bytestring(kid) && cbor_bytestring_is_definite(kid) &&
	    cbor_bytestring_length(kid) <= sizeof out->kid) {
		out->kid_len = cbor_bytestring_length(kid);
		memcpy(out->kid, cbor_bytestring_handle(kid), out->kid_len);
	}
	out->alg = s.alg;

	rc = lp_cbor_load(s.payload, LP_CBOR_MAX_DEPTH, &claims, d);
	if (rc)
		goto out;
	if (!cbor_isa_map(claims)) {
		rc = lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list token payload is not a claims map");
		goto out;
	}
	const cbor_item_t *sub = lp_cbor_map_get_int(claims, 2);
	const cbor_item_t *iat = lp_cbor_map_get_int(claims, 6);
	const cbor_item_t *exp = lp_cbor_map_get_int(claims, 4);
	const cbor_item_t *ttl = lp_cbor_map_get_int(claims, LP_CWT_TTL);
	const cbor_item_t *sl = lp_cbor_map_get_int(claims, LP_CWT_STATUS_LIST);
	if (!sub || !cbor_isa_string(sub) || !cbor_string_is_definite(sub) ||
	    cbor_string_length(sub) == 0 || cbor_string_length(sub) > 2048) {
		rc = lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list token lacks its sub (list URI)");
		goto out;
	}
	if (!iat || !sl) {
		rc = lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list token lacks %s",
				 iat ? "the status_list claim" : "iat");
		goto out;
	}
	if ((rc = get_time(iat, &out->iat, "iat", d)) != LP_OK ||
	    (exp && (rc = get_time(exp, &out->exp, "exp", d)) != LP_OK) ||
	    (ttl && (rc = get_time(ttl, &out->ttl, "ttl", d)) != LP_OK))
		goto out;
	if ((ttl && (!cbor_isa_uint(ttl) || out->ttl == 0)) || (exp && out->exp <= out->iat)) {
		rc = lp_diag_set(d, LP_ERR_MALFORMED, 0,
				 ttl && out->ttl == 0 ? "status list token ttl must be positive"
						      : "status list token expires before it was issued");
		goto out;
	}
	size_t ul = cbor_string_length(sub);
	out->uri = malloc(ul + 1);
	if (!out->uri) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	memcpy(out->uri, cbor_string_handle(sub), ul);
	out->uri[ul] = '\0';
	if (memchr(out->uri, '\0', ul)) {
		rc = lp_diag_set(d, LP_ERR_MALFORMED, 0, "status list URI contains a NUL byte");
		goto out;
	}
	rc = status_list_from_item(sl, max_bytes, &out->list, d);
out:
	if (claims)
		cbor_decref(&claims);
	lp_sign1_free(&s);
	if (rc)
		lp_status_token_free(out);
	return rc;
}

lp_err lp_status_token_parse(lp_view in, size_t max_bytes, lp_status_token *out, lp_diag *d)
{
	return token_read(in, NULL, max_bytes, out, d);
}

lp_err lp_status_token_verify(lp_view in, const lp_pubkey *key, size_t max_bytes,
			      lp_status_token *out, lp_diag *d)
{
	if (!key) {
		memset(out, 0, sizeof *out);
		return LP_ERR_ARG;
	}
	return token_read(in, key, max_bytes, out, d);
}

lp_status_freshness lp_status_token_freshness(const lp_status_token *t, int64_t now)
{
	if (t->exp && now >= t->exp)
		return LP_STATUS_EXPIRED;
	if (t->iat > now + STATUS_SKEW)
		return LP_STATUS_FUTURE;
	if (t->ttl && now > t->iat && now - t->iat > t->ttl)
		return LP_STATUS_STALE;
	return LP_STATUS_FRESH;
}

const char *lp_status_freshness_str(lp_status_freshness f)
{
	switch (f) {
	case LP_STATUS_FRESH: return "fresh";
	case LP_STATUS_STALE: return "stale";
	case LP_STATUS_EXPIRED: return "expired";
	case LP_STATUS_FUTURE: return "future";
	}
	return "unknown";
}

void lp_status_token_free(lp_status_token *t)
{
	if (!t)
		return;
	free(t->uri);
	lp_status_list_free(&t->list);
	memset(t, 0, sizeof *t);
}

cbor_item_t *lp_status_ref_item(uint64_t idx, const char *uri)
{
	cbor_item_t *inner = cbor_new_definite_map(2);
	cbor_item_t *outer = cbor_new_definite_map(1);
	if (!inner || !outer || !uri)
		goto fail;
	if (!lp_cbor_map_put(inner, cbor_build_string("idx"), cbor_build_uint64(idx)) ||
	    !lp_cbor_map_put(inner, cbor_build_string("uri"), cbor_build_string(uri)))
		goto fail;
	cbor_item_t *in2 = inner;
	inner = NULL;
	if (!lp_cbor_map_put(outer, cbor_build_string("status_list"), in2))
		goto fail;
	return outer;
fail:
	if (inner)
		cbor_decref(&inner);
	if (outer)
		cbor_decref(&outer);
	return NULL;
}

lp_err lp_status_ref_from_item(const cbor_item_t *item, uint64_t *idx, char **uri, lp_diag *d)
{
	*idx = 0;
	*uri = NULL;
	const cbor_item_t *sl = cbor_isa_map(item) ? lp_cbor_map_get_str(item, "status_list") : NULL;
	const cbor_item_t *i = sl && cbor_isa_map(sl) ? lp_cbor_map_get_str(sl, "idx") : NULL;
	const cbor_item_t *u = sl && cbor_isa_map(sl) ? lp_cbor_map_get_str(sl, "uri") : NULL;
	if (!i || !u || !cbor_isa_uint(i) || !cbor_isa_string(u) || !cbor_string_is_definite(u) ||
	    cbor_string_length(u) == 0 || cbor_string_length(u) > 2048 ||
	    memchr(cbor_string_handle(u), '\0', cbor_string_length(u)))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "status claim is not {\"status_list\": {\"idx\": uint, \"uri\": text}}");
	size_t n = cbor_string_length(u);
	char *s = malloc(n + 1);
	if (!s)
		return LP_ERR_NOMEM;
	memcpy(s, cbor_string_handle(u), n);
	s[n] = '\0';
	*idx = cbor_get_int(i);
	*uri = s;
	return LP_OK;
}

lp_err lp_status_ref_encode(uint64_t idx, const char *uri, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!uri || !*uri)
		return LP_ERR_ARG;
	cbor_item_t *it = lp_status_ref_item(idx, uri);
	if (!it)
		return LP_ERR_NOMEM;
	lp_err rc = lp_cbor_encode(it, out);
	cbor_decref(&it);
	return rc;
}

lp_err lp_status_ref_decode(lp_view in, uint64_t *idx, char **uri, lp_diag *d)
{
	*idx = 0;
	*uri = NULL;
	cbor_item_t *it = NULL;
	lp_err rc = lp_cbor_load(in, LP_CBOR_MAX_DEPTH, &it, d);
	if (rc)
		return rc;
	rc = lp_status_ref_from_item(it, idx, uri, d);
	cbor_decref(&it);
	return rc;
}
