/* COSE_Sign1 (RFC 9052 section 4.2): strict parsing over the exact received
 * bytes, the Sig_structure, verification (EdDSA, ES256, ES384) and signing
 * with Ed25519. The leerpas profile is described in docs/format/cose.md. */
#include <string.h>

#include <sodium.h>

#include "cose_int.h"

#define HDR_CRIT 2

/* --- a reader for the heads of already validated CBOR ---------------------
 * lp_cbor_load has checked the whole input (definite lengths, nesting,
 * no trailing bytes) before these run; they only locate the exact byte
 * ranges that libcbor's decoded items do not expose. They still check every
 * bound, so a mismatch can only fail, never read out of range. */
struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* Read one head: major type and argument. False on truncation and on the
 * reserved or indefinite additional-information values 28..31. */
static bool rd_head(struct rd *r, unsigned *major, uint64_t *arg)
{
	unsigned ai;
	size_t n;

	if (r->off >= r->len)
		return false;
	*major = (unsigned)(r->p[r->off] >> 5);
	ai = r->p[r->off] & 31u;
	r->off++;
	if (ai < 24) {
		*arg = ai;
		return true;
	}
	if (ai > 27)
		return false;
	n = (size_t)1 << (ai - 24);
	if (r->len - r->off < n)
		return false;
	*arg = 0;
	for (size_t i = 0; i < n; i++)
		*arg = (*arg << 8) | r->p[r->off++];
	return true;
}

/* Skip one complete item, iteratively (no recursion on hostile input). */
static bool rd_skip(struct rd *r)
{
	uint64_t pending = 1;

	while (pending > 0) {
		unsigned major;
		uint64_t arg;
		if (!rd_head(r, &major, &arg))
			return false;
		pending--;
		switch (major) {
		case 2: /* byte string */
		case 3: /* text string */
			if (arg > r->len - r->off)
				return false;
			r->off += (size_t)arg;
			break;
		case 4: /* array: every element takes at least one byte */
			if (arg > r->len - r->off)
				return false;
			pending += arg;
			break;
		case 5: /* map */
			if (arg > (r->len - r->off) / 2)
				return false;
			pending += 2 * arg;
			break;
		case 6: /* tag: one item follows */
			pending++;
			break;
		default: /* integers and simple values: the head is the item */
			break;
		}
	}
	return true;
}

/* Read a head that must be a byte string and return a view of its content. */
static bool rd_bstr(struct rd *r, lp_view *v, bool *is_nil)
{
	unsigned major;
	uint64_t arg;

	*is_nil = false;
	if (!rd_head(r, &major, &arg))
		return false;
	if (major == 7 && arg == 22) {
		*is_nil = true;
		return false;
	}
	if (major != 2 || arg > r->len - r->off)
		return false;
	v->ptr = r->p + r->off;
	v->len = (size_t)arg;
	r->off += (size_t)arg;
	return true;
}

static bool is_alg_supported(int64_t alg)
{
	return alg == LP_ALG_EDDSA || alg == LP_ALG_ES256 || alg == LP_ALG_ES384;
}

/* The value under a text label, compared by length and bytes (text labels
 * may contain NUL, so lp_cbor_map_get_str does not fit). */
static cbor_item_t *map_get_text(const cbor_item_t *map, const cbor_item_t *key)
{
	struct cbor_pair *p = cbor_map_handle(map);
	size_t n = cbor_map_size(map), klen = cbor_string_length(key);

	for (size_t i = 0; i < n; i++) {
		if (cbor_isa_string(p[i].key) && cbor_string_is_definite(p[i].key) &&
		    cbor_string_length(p[i].key) == klen &&
		    (klen == 0 || memcmp(cbor_string_handle(p[i].key), cbor_string_handle(key), klen) == 0))
			return p[i].value;
	}
	return NULL;
}

/* Header labels are int / tstr (RFC 9052 section 3). */
static bool labels_ok(const cbor_item_t *map)
{
	struct cbor_pair *p = cbor_map_handle(map);
	size_t n = cbor_map_size(map);
	int64_t v;

	for (size_t i = 0; i < n; i++) {
		if (lp_cbor_get_int(p[i].key, &v))
			continue;
		if (cbor_isa_string(p[i].key) && cbor_string_is_definite(p[i].key))
			continue;
		return false;
	}
	return true;
}

static bool kid_ok(const cbor_item_t *map)
{
	const cbor_item_t *kid = lp_cbor_map_get_int(map, LP_HDR_KID);
	return !kid || (cbor_isa_bytestring(kid) && cbor_bytestring_is_definite(kid));
}

/* Checks common to both parse paths, once protected_bstr and the
 * unprotected map are known: decode the protected bucket, then the rules on
 * alg, crit and labels. prot_off is where the protected content starts in
 * the caller's input (for diagnostics). Fills s->protected_map (owned by s
 * even on failure; the caller frees s) and s->alg. */
static lp_err sign1_headers(lp_sign1 *s, cbor_item_t *unprot, size_t prot_off, lp_diag *d)
{
	lp_err rc;
	cbor_item_t *a;
	struct cbor_pair *p;
	int64_t alg, label;

	s->unprotected = unprot;
	if (s->protected_bstr.len == 0) {
		/* RFC 9052 section 3: an empty bucket is a zero-length bstr. */
		s->protected_map = cbor_new_definite_map(0);
		if (!s->protected_map)
			return LP_ERR_NOMEM;
	} else {
		rc = lp_cbor_load(s->protected_bstr, LP_CBOR_MAX_DEPTH, &s->protected_map, d);
		if (rc != LP_OK) {
			if (d)
				d->offset += prot_off;
			return rc;
		}
		if (!cbor_isa_map(s->protected_map))
			return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, prot_off,
					   "protected header bstr does not hold a map");
	}
	if (!labels_ok(s->protected_map) || !labels_ok(unprot))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, prot_off, "header label that is neither an integer nor text");
	if (lp_cbor_map_get_int(unprot, LP_HDR_ALG))
		return lp_diag_set(d, LP_ERR_COSE_ALG_UNPROTECTED, prot_off + s->protected_bstr.len,
				   "alg (label 1) is in the unprotected header; it must be protected");
	a = lp_cbor_map_get_int(s->protected_map, LP_HDR_ALG);
	if (!a)
		return lp_diag_set(d, LP_ERR_COSE_ALG, prot_off, "alg (label 1) missing from the protected header");
	if (!lp_cbor_get_int(a, &alg))
		return lp_diag_set(d, LP_ERR_COSE_ALG, prot_off, "alg (label 1) must be an integer COSE algorithm identifier");
	if (!is_alg_supported(alg))
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, prot_off,
				   "algorithm %lld not supported (EdDSA -8, ES256 -7, ES384 -35)", (long long)alg);
	if (lp_cbor_map_get_int(unprot, HDR_CRIT))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, prot_off + s->protected_bstr.len,
				   "crit (label 2) must be in the protected header");
	if (lp_cbor_map_get_int(s->protected_map, HDR_CRIT))
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, prot_off, "critical header parameters (crit, label 2) are not supported");
	/* kid is a bstr (RFC 9052 section 3.1), wherever it is. */
	if (!kid_ok(s->protected_map) || !kid_ok(unprot))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, prot_off, "kid (label 4) must be a byte string");
	/* A label may appear in only one of the two buckets (RFC 9052 section 3). */
	p = cbor_map_handle(unprot);
	for (size_t i = 0; i < cbor_map_size(unprot); i++) {
		bool dup = lp_cbor_get_int(p[i].key, &label) ? lp_cbor_map_get_int(s->protected_map, label) != NULL
							       : map_get_text(s->protected_map, p[i].key) != NULL;
		if (dup)
			return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, prot_off + s->protected_bstr.len,
					   "a header label is in both the protected and the unprotected header");
	}
	s->alg = alg;
	return LP_OK;
}

lp_err lp_sign1_parse(lp_view in, bool require_tag, lp_sign1 *out, lp_diag *d)
{
	lp_err rc;
	lp_sign1 s;
	struct rd r;
	unsigned major;
	uint64_t arg;
	size_t at, prot_off;
	bool nil;
	cbor_item_t *arr, *unprot;

	memset(&s, 0, sizeof s);
	if (!out)
		return LP_ERR_ARG;
	memset(out, 0, sizeof *out);
	if (!in.ptr && in.len)
		return LP_ERR_ARG;
	rc = lp_cbor_load(in, LP_CBOR_MAX_DEPTH, &s.root, d);
	if (rc != LP_OK)
		return rc;

	r.p = in.ptr;
	r.len = in.len;
	r.off = 0;
	/* Only failures of the guards below keep this code (they cannot occur
	 * after lp_cbor_load accepted the input). */
	rc = LP_ERR_CBOR;
	if (!rd_head(&r, &major, &arg))
		goto fail_head;
	if (major == 6) {
		if (arg != LP_TAG_SIGN1) {
			rc = lp_diag_set(d, LP_ERR_COSE_TAG, 0, "tag %llu where COSE_Sign1 (tag 18) was expected",
					 (unsigned long long)arg);
			goto done;
		}
		s.tagged = true;
		at = r.off;
		if (!rd_head(&r, &major, &arg))
			goto fail_head;
	} else {
		at = 0;
		if (require_tag) {
			rc = lp_diag_set(d, LP_ERR_COSE_TAG, 0, "COSE_Sign1 tag 18 missing");
			goto done;
		}
	}
	if (major != 4 || arg != 4) {
		rc = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, at, "COSE_Sign1 must be an array of 4 elements");
		goto done;
	}
	at = r.off;
	if (!rd_bstr(&r, &s.protected_bstr, &nil)) {
		rc = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, at, "protected header must be a byte string");
		goto done;
	}
	prot_off = (size_t)(s.protected_bstr.ptr - in.ptr);
	at = r.off;
	if (!rd_head(&r, &major, &arg) || major != 5) {
		rc = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, at, "unprotected header must be a map");
		goto done;
	}
	r.off = at;
	if (!rd_skip(&r))
		goto fail_head;
	at = r.off;
	if (!rd_bstr(&r, &s.payload, &nil)) {
		rc = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, at,
				 nil ? "detached payload (nil) is not supported: the payload must be in the message"
				     : "payload must be a byte string");
		goto done;
	}
	at = r.off;
	if (!rd_bstr(&r, &s.signature, &nil)) {
		rc = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, at, "signature must be a byte string");
		goto done;
	}
	if (r.off != in.len) {
		/* Cannot happen after lp_cbor_load; kept as a guard. */
		rc = lp_diag_set(d, LP_ERR_CBOR_TRAILING, r.off, "bytes after the COSE_Sign1");
		goto done;
	}

	/* The decoded items mirror the bytes just read; borrow the unprotected
	 * map from root (the getters return new references). */
	rc = LP_ERR_INTERNAL;
	arr = s.root;
	if (s.tagged) {
		cbor_item_t *tmp = cbor_tag_item(s.root); /* a new reference */
		arr = tmp;
		if (!tmp)
			goto done;
		cbor_decref(&tmp); /* root keeps its own */
	}
	if (!cbor_isa_array(arr) || cbor_array_size(arr) != 4)
		goto done;
	unprot = cbor_array_handle(arr)[1];
	if (!cbor_isa_map(unprot))
		goto done;
	rc = sign1_headers(&s, unprot, prot_off, d);
	goto done;
fail_head:
	rc = lp_diag_set(d, LP_ERR_CBOR, r.off, "cannot read the COSE_Sign1 structure");
done:
	if (rc != LP_OK) {
		lp_sign1_free(&s);
		return rc;
	}
	*out = s;
	return LP_OK;
}

lp_err lp_sign1_from_item(cbor_item_t *item, bool require_tag, lp_sign1 *out, lp_diag *d)
{
	lp_err rc;
	lp_sign1 s;
	cbor_item_t *arr, **h;

	memset(&s, 0, sizeof s);
	if (!out)
		return LP_ERR_ARG;
	memset(out, 0, sizeof *out);
	if (!item)
		return LP_ERR_ARG;
	arr = item;
	if (cbor_isa_tag(item)) {
		if (cbor_tag_value(item) != LP_TAG_SIGN1)
			return lp_diag_set(d, LP_ERR_COSE_TAG, 0, "tag %llu where COSE_Sign1 (tag 18) was expected",
					   (unsigned long long)cbor_tag_value(item));
		s.tagged = true;
		/* cbor_tag_item returns a new reference; item keeps its own. */
		arr = cbor_tag_item(item);
		{
			cbor_item_t *tmp = arr;
			cbor_decref(&tmp);
		}
	} else if (require_tag) {
		return lp_diag_set(d, LP_ERR_COSE_TAG, 0, "COSE_Sign1 tag 18 missing");
	}
	if (!cbor_isa_array(arr) || !cbor_array_is_definite(arr) || cbor_array_size(arr) != 4)
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "COSE_Sign1 must be an array of 4 elements");
	h = cbor_array_handle(arr);
	if (!cbor_isa_bytestring(h[0]) || !cbor_bytestring_is_definite(h[0]))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "protected header must be a byte string");
	if (!cbor_isa_map(h[1]) || !cbor_map_is_definite(h[1]))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "unprotected header must be a map");
	if (lp_cbor_is_simple(h[2], 22)) /* null; float-safe (cbor_is_null asserts on floats) */
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0,
				   "detached payload (nil) is not supported: the payload must be in the message");
	if (!cbor_isa_bytestring(h[2]) || !cbor_bytestring_is_definite(h[2]))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "payload must be a byte string");
	if (!cbor_isa_bytestring(h[3]) || !cbor_bytestring_is_definite(h[3]))
		return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "signature must be a byte string");
	s.protected_bstr = lp_view_of(cbor_bytestring_handle(h[0]), cbor_bytestring_length(h[0]));
	s.payload = lp_view_of(cbor_bytestring_handle(h[2]), cbor_bytestring_length(h[2]));
	s.signature = lp_view_of(cbor_bytestring_handle(h[3]), cbor_bytestring_length(h[3]));
	s.root = cbor_incref(item);
	rc = sign1_headers(&s, h[1], 0, d);
	if (rc != LP_OK) {
		lp_sign1_free(&s);
		return rc;
	}
	*out = s;
	return LP_OK;
}

void lp_sign1_free(lp_sign1 *s)
{
	if (!s)
		return;
	if (s->protected_map)
		cbor_decref(&s->protected_map);
	if (s->root)
		cbor_decref(&s->root);
	memset(s, 0, sizeof *s);
}

/* A definite bstr item holding a copy of v (an empty one for length 0). */
static cbor_item_t *bstr_item(lp_view v)
{
	if (v.len == 0)
		return cbor_new_definite_bytestring();
	return cbor_build_bytestring(v.ptr, v.len);
}

/* Push item onto array, always consuming the caller's reference. */
static bool push(cbor_item_t *array, cbor_item_t *item)
{
	bool ok;

	if (!item)
		return false;
	ok = cbor_array_push(array, item);
	cbor_decref(&item);
	return ok;
}

/* A CBOR byte-string head (shortest form) for n into h; its length. */
static size_t bstr_head(uint8_t h[9], size_t n)
{
	if (n < 24) {
		h[0] = (uint8_t)(0x40 | n);
		return 1;
	}
	int w = n <= 0xff ? 1 : n <= 0xffff ? 2 : (uint64_t)n <= 0xffffffffu ? 4 : 8;
	h[0] = (uint8_t)(0x40 | (w == 1 ? 24 : w == 2 ? 25 : w == 4 ? 26 : 27));
	for (int i = 0; i < w; i++)
		h[1 + i] = (uint8_t)((uint64_t)n >> (8 * (w - 1 - i)));
	return (size_t)w + 1;
}

/* Sig_structure ["Signature1", protected, external_aad, payload], written
 * directly (it is signed and verified for every credential and
 * presentation; building it as CBOR items copied the payload twice). */
lp_err lp_sign1_tbs(lp_view protected_bstr, lp_view external_aad, lp_view payload, lp_buf *out)
{
	static const uint8_t start[] = { 0x84, 0x6a, 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', '1' };
	const lp_view parts[3] = { protected_bstr, external_aad, payload };
	uint8_t heads[3][9];
	size_t hl[3], total = sizeof start;

	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	for (int i = 0; i < 3; i++) {
		if (!parts[i].ptr && parts[i].len)
			return LP_ERR_ARG;
		hl[i] = bstr_head(heads[i], parts[i].len);
		if (parts[i].len > SIZE_MAX - total - hl[i])
			return LP_ERR_TOO_LARGE;
		total += hl[i] + parts[i].len;
	}
	uint8_t *b = malloc(total);
	if (!b)
		return LP_ERR_NOMEM;
	size_t o = sizeof start;
	memcpy(b, start, sizeof start);
	for (int i = 0; i < 3; i++) {
		memcpy(b + o, heads[i], hl[i]);
		o += hl[i];
		if (parts[i].len)
			memcpy(b + o, parts[i].ptr, parts[i].len);
		o += parts[i].len;
	}
	out->ptr = b;
	out->len = total;
	return LP_OK;
}

lp_err lp_sign1_verify(const lp_sign1 *s, const lp_pubkey *key, lp_view external_aad)
{
	lp_err rc;
	lp_buf tbs = { NULL, 0 };
	int key_alg;

	if (!s || !s->root || !key || (!external_aad.ptr && external_aad.len))
		return LP_ERR_ARG;
	key_alg = lp_pubkey_alg(key);
	if (key_alg == 0)
		return LP_ERR_ARG;
	/* The key decides the algorithm; the message's alg must agree with it
	 * (never the other way round: no alg substitution). */
	if ((int64_t)key_alg != s->alg)
		return LP_ERR_ALG_MISMATCH;
	rc = lp_sign1_tbs(s->protected_bstr, external_aad, s->payload, &tbs);
	if (rc != LP_OK)
		return rc;
	if (key_alg == LP_ALG_EDDSA)
		rc = lp_ed25519_verify(key->x, lp_buf_view(&tbs), s->signature);
	else
		rc = lp_ecdsa_verify(key, key_alg, lp_buf_view(&tbs), s->signature);
	lp_buf_free(&tbs);
	return rc;
}

lp_err lp_cose_sign1_check(lp_view msg, bool require_tag, const lp_pubkey *key, lp_view external_aad,
			   lp_view *payload, lp_diag *d)
{
	lp_err rc;
	lp_sign1 s;

	if (payload) {
		payload->ptr = NULL;
		payload->len = 0;
	}
	if (!key)
		return LP_ERR_ARG;
	rc = lp_sign1_parse(msg, require_tag, &s, d);
	if (rc != LP_OK)
		return rc;
	rc = lp_sign1_verify(&s, key, external_aad);
	if (rc == LP_ERR_ALG_MISMATCH)
		lp_diag_set(d, rc, 0, "message alg %lld does not fit the %s key", (long long)s.alg,
			    key->kty == 1 ? "Ed25519" : key->crv == 1 ? "P-256" : "P-384");
	else if (rc == LP_ERR_SIGNATURE)
		lp_diag_set(d, rc, (size_t)(s.signature.ptr - msg.ptr), "signature does not verify");
	else if (rc != LP_OK)
		lp_diag_set(d, rc, 0, "signature check failed: %s", lp_err_str(rc));
	if (rc == LP_OK && payload)
		*payload = s.payload;
	lp_sign1_free(&s);
	return rc;
}

/* Build the protected bucket: alg EdDSA first when the caller's map has
 * none, then the caller's pairs in their order. */
static lp_err protected_for_eddsa(cbor_item_t *in, cbor_item_t **out)
{
	cbor_item_t *m, *a;
	struct cbor_pair *p;
	size_t n = in ? cbor_map_size(in) : 0;
	int64_t alg;

	*out = NULL;
	a = in ? lp_cbor_map_get_int(in, LP_HDR_ALG) : NULL;
	if (a && (!lp_cbor_get_int(a, &alg) || alg != LP_ALG_EDDSA))
		return LP_ERR_ALG_MISMATCH;
	m = cbor_new_definite_map(n + (a ? 0 : 1));
	if (!m)
		return LP_ERR_NOMEM;
	if (!a && !lp_cbor_map_put(m, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)))
		goto fail;
	p = in ? cbor_map_handle(in) : NULL;
	for (size_t i = 0; i < n; i++) {
		/* cbor_map_add takes its own references. */
		if (!cbor_map_add(m, (struct cbor_pair){ .key = p[i].key, .value = p[i].value }))
			goto fail;
	}
	*out = m;
	return LP_OK;
fail:
	cbor_decref(&m);
	return LP_ERR_NOMEM;
}

lp_err lp_sign1_create_ed25519(cbor_item_t *protected_map, cbor_item_t *unprotected, lp_view payload,
			       lp_view external_aad, const uint8_t sk[LP_ED25519_SK_BYTES], lp_buf *out)
{
	lp_err rc;
	cbor_item_t *prot = NULL, *arr = NULL, *tag = NULL, *unp = NULL;
	lp_buf prot_bytes = { NULL, 0 }, tbs = { NULL, 0 };
	uint8_t sig[LP_ED25519_SIG_BYTES];
	lp_sign1 check;

	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	if (!sk || (!payload.ptr && payload.len) || (!external_aad.ptr && external_aad.len) ||
	    (protected_map && !cbor_isa_map(protected_map)) || (unprotected && !cbor_isa_map(unprotected)))
		return LP_ERR_ARG;
	if (unprotected && lp_cbor_map_get_int(unprotected, LP_HDR_ALG))
		return LP_ERR_COSE_ALG_UNPROTECTED;
	rc = protected_for_eddsa(protected_map, &prot);
	if (rc != LP_OK)
		goto done;
	rc = lp_cbor_encode(prot, &prot_bytes);
	if (rc != LP_OK)
		goto done;
	rc = lp_sign1_tbs(lp_buf_view(&prot_bytes), external_aad, payload, &tbs);
	if (rc != LP_OK)
		goto done;
	rc = lp_ed25519_sign(sig, lp_buf_view(&tbs), sk);
	if (rc != LP_OK)
		goto done;
	rc = LP_ERR_NOMEM;
	unp = unprotected ? cbor_incref(unprotected) : cbor_new_definite_map(0);
	arr = cbor_new_definite_array(4);
	if (!unp || !arr)
		goto done;
	if (!push(arr, bstr_item(lp_buf_view(&prot_bytes))) || !cbor_array_push(arr, unp) ||
	    !push(arr, bstr_item(payload)) || !push(arr, bstr_item(lp_view_of(sig, sizeof sig))))
		goto done;
	tag = cbor_new_tag(LP_TAG_SIGN1);
	if (!tag)
		goto done;
	cbor_tag_set_item(tag, arr);
	rc = lp_cbor_encode(tag, out);
	if (rc != LP_OK)
		goto done;
	/* Never hand out what our own strict parser would refuse (a caller's
	 * map with duplicate keys, indefinite lengths, a label in both headers). */
	rc = lp_sign1_parse(lp_buf_view(out), true, &check, NULL);
	lp_sign1_free(&check);
done:
	if (rc != LP_OK)
		lp_buf_free(out);
	if (tag)
		cbor_decref(&tag);
	if (arr)
		cbor_decref(&arr);
	if (unp)
		cbor_decref(&unp);
	if (prot)
		cbor_decref(&prot);
	lp_buf_free(&prot_bytes);
	lp_buf_free(&tbs);
	return rc;
}

lp_err lp_sign1_create_ed25519_item(cbor_item_t *protected_map, cbor_item_t *unprotected, lp_view payload,
				    lp_view external_aad, const uint8_t sk[LP_ED25519_SK_BYTES], cbor_item_t **out)
{
	lp_err rc;
	lp_buf bytes = { NULL, 0 };

	if (!out)
		return LP_ERR_ARG;
	*out = NULL;
	rc = lp_sign1_create_ed25519(protected_map, unprotected, payload, external_aad, sk, &bytes);
	if (rc != LP_OK)
		return rc;
	rc = lp_cbor_load(lp_buf_view(&bytes), LP_CBOR_MAX_DEPTH, out, NULL);
	lp_buf_free(&bytes);
	return rc;
}
