/* The achievement specification: the descriptive claims every learner of a
 * template shares, kept out of the credential's payload and bound to it by
 * their SHA-256 digest (specifiedBy). Splitting at issuance, loading and
 * merging at verification. See lib/spec_int.h and docs/format/credential.md. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "claims_int.h"
#include "leerpas/sdcwt.h"
#include "spec_int.h"

lp_err lp_claims_pick_redactable(const char *const *names, size_t count, const json_t *claims,
				 bool red[256], lp_diag *d)
{
	memset(red, 0, 256 * sizeof red[0]);
	if (!names) {
		size_t n;
		const lp_claim_def *t = lp_claims_table(&n);
		for (size_t i = 0; i < n; i++)
			if (t[i].redactable && json_object_get(claims, t[i].name))
				red[t[i].key] = true;
		return LP_OK;
	}
	for (size_t i = 0; i < count; i++) {
		const lp_claim_def *c = lp_claims_by_name(names[i]);
		if (!c)
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "unknown redactable claim '%s'",
					   names[i] ? names[i] : "(null)");
		if (json_object_get(claims, c->name))
			red[c->key] = true;
	}
	return LP_OK;
}

static bool moves(const cbor_item_t *key, const bool red[256])
{
	int64_t k;
	if (!lp_cbor_get_int(key, &k) || k <= 0 || k > 255 || red[k])
		return false;
	const lp_claim_def *c = lp_claims_by_key(k);
	return c && c->specified;
}

lp_err lp_spec_split(cbor_item_t *plain, const bool red[256], cbor_item_t **inline_out,
		     lp_buf *spec, lp_diag *d)
{
	*inline_out = NULL;
	spec->ptr = NULL;
	spec->len = 0;
	size_t n = cbor_map_size(plain), nspec = 0;
	for (size_t i = 0; i < n; i++)
		if (moves(cbor_map_handle(plain)[i].key, red))
			nspec++;
	if (nspec == 0) {
		*inline_out = cbor_incref(plain);
		return LP_OK;
	}
	if (lp_cbor_map_get_int(plain, LP_CK_SPECIFIED_BY))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "specifiedBy is set by the issuer from the descriptive claims; "
				   "leave it out of the claims");
	cbor_item_t *sm = cbor_new_definite_map(nspec);
	cbor_item_t *im = cbor_new_definite_map(n - nspec + 1);
	uint8_t dg[LP_SPEC_DIGEST_BYTES];
	lp_err e = LP_ERR_NOMEM;
	bool placed = false;
	if (!sm || !im)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct cbor_pair pr = cbor_map_handle(plain)[i];
		if (moves(pr.key, red)) {
			if (!lp_cbor_map_put(sm, cbor_incref(pr.key), cbor_incref(pr.value)))
				goto out;
		}
	}
	if ((e = lp_cbor_encode(sm, spec)) != LP_OK)
		goto out;
	crypto_hash_sha256(dg, spec->ptr, spec->len);
	e = LP_ERR_NOMEM;
	/* Keys stay ascending: specifiedBy goes before the first larger key. */
	for (size_t i = 0; i <= n; i++) {
		struct cbor_pair pr = { 0 };
		int64_t k = 0;
		if (i < n) {
			pr = cbor_map_handle(plain)[i];
			if (moves(pr.key, red))
				continue;
			(void)lp_cbor_get_int(pr.key, &k);
		}
		if (!placed && (i == n || k > LP_CK_SPECIFIED_BY)) {
			if (!lp_cbor_map_put(im, lp_cbor_int(LP_CK_SPECIFIED_BY),
					     cbor_build_bytestring(dg, sizeof dg)))
				goto out;
			placed = true;
		}
		if (i < n && !lp_cbor_map_put(im, cbor_incref(pr.key), cbor_incref(pr.value)))
			goto out;
	}
	*inline_out = im;
	im = NULL;
	e = LP_OK;
out:
	if (sm)
		cbor_decref(&sm);
	if (im)
		cbor_decref(&im);
	if (e != LP_OK)
		lp_buf_free(spec);
	return e;
}

lp_err lp_spec_ref(const cbor_item_t *ach, const uint8_t **dg, lp_diag *d)
{
	*dg = NULL;
	const cbor_item_t *it = ach && cbor_isa_map(ach) ? lp_cbor_map_get_int(ach, LP_CK_SPECIFIED_BY)
							 : NULL;
	if (!it)
		return LP_OK;
	if (!cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it) ||
	    cbor_bytestring_length(it) != LP_SPEC_DIGEST_BYTES)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "specifiedBy is not a 32-byte SHA-256 digest");
	*dg = cbor_bytestring_handle(it);
	return LP_OK;
}

lp_err lp_spec_attached(const cbor_item_t *ach, const cbor_item_t *unprot, const uint8_t **dg,
			lp_view *carried, lp_diag *d)
{
	carried->ptr = NULL;
	carried->len = 0;
	lp_err e = lp_spec_ref(ach, dg, d);
	const cbor_item_t *b = unprot && cbor_isa_map(unprot) ? lp_cbor_map_get_int(unprot, LP_HDR_SPEC) : NULL;
	if (e != LP_OK || !b)
		return e;
	if (!*dg)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "an achievement specification is attached to a credential that "
				   "refers to none");
	if (!cbor_isa_bytestring(b) || !cbor_bytestring_is_definite(b))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "the attached achievement specification is not a byte string");
	carried->ptr = cbor_bytestring_handle(b);
	carried->len = cbor_bytestring_length(b);
	return LP_OK;
}

lp_err lp_spec_load(lp_view spec, const uint8_t *digest, cbor_item_t **out, lp_diag *d)
{
	*out = NULL;
	if (spec.len > LP_SDCWT_MAX_BYTES)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "specification larger than %u bytes",
				   LP_SDCWT_MAX_BYTES);
	if (digest) {
		uint8_t h[LP_SPEC_DIGEST_BYTES];
		crypto_hash_sha256(h, spec.ptr, spec.len);
		if (sodium_memcmp(h, digest, sizeof h) != 0)
			return lp_diag_set(d, LP_ERR_DIGEST_MISMATCH, 0,
					   "the achievement specification does not match the digest "
					   "the school signed (specifiedBy)");
	}
	cbor_item_t *m = NULL;
	lp_diag sub = { 0 };
	lp_err e = lp_cbor_load(spec, LP_CBOR_MAX_DEPTH, &m, &sub);
	if (e != LP_OK)
		return lp_diag_set(d, e, sub.offset, "achievement specification: %s", sub.msg);
	if (!cbor_isa_map(m) || cbor_map_size(m) == 0) {
		cbor_decref(&m);
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "an achievement specification is a non-empty map of claims");
	}
	for (size_t i = 0; i < cbor_map_size(m); i++) {
		int64_t k;
		const cbor_item_t *key = cbor_map_handle(m)[i].key;
		const lp_claim_def *c = NULL;
		bool ok = lp_cbor_get_int(key, &k) && k > 0 && k <= 255 && k != LP_CK_SPECIFIED_BY;
		if (ok) {
			c = lp_claims_by_key(k);
			ok = !c || !c->per_learner;
		}
		if (!ok) {
			cbor_decref(&m);
			return lp_diag_set(d, LP_ERR_CLAIMS, 0,
					   "achievement specification entry %zu: %s%s", i + 1,
					   c ? "a per-learner claim cannot be in a specification: "
					     : "keys are claim numbers 1..255 other than specifiedBy",
					   c ? c->name : "");
		}
	}
	*out = m;
	return LP_OK;
}

lp_err lp_spec_merge(const cbor_item_t *ach, const cbor_item_t *spec, cbor_item_t **out, lp_diag *d)
{
	*out = NULL;
	size_t na = cbor_map_size(ach), ns = cbor_map_size(spec);
	for (size_t i = 0; i < ns; i++) {
		int64_t k;
		if (lp_cbor_get_int(cbor_map_handle(spec)[i].key, &k) && lp_cbor_map_get_int(ach, k)) {
			const lp_claim_def *c = lp_claims_by_key(k);
			return lp_diag_set(d, LP_ERR_DUPLICATE_CLAIM, 0,
					   "claim %s is both in the credential and in its specification",
					   c ? c->name : "(unknown)");
		}
	}
	cbor_item_t *m = cbor_new_definite_map(na + ns);
	if (!m)
		return LP_ERR_NOMEM;
	for (size_t i = 0; i < na + ns; i++) {
		struct cbor_pair pr = i < na ? cbor_map_handle(ach)[i] : cbor_map_handle(spec)[i - na];
		if (!lp_cbor_map_put(m, cbor_incref(pr.key), cbor_incref(pr.value))) {
			cbor_decref(&m);
			return LP_ERR_NOMEM;
		}
	}
	*out = m;
	return LP_OK;
}

/* ---- public ----------------------------------------------------------------- */

lp_err lp_spec_check(lp_view spec, uint8_t digest[LP_SPEC_DIGEST_BYTES], lp_diag *d)
{
	cbor_item_t *m = NULL;
	json_t *j = NULL;
	memset(digest, 0, LP_SPEC_DIGEST_BYTES);
	if (!spec.ptr)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no specification");
	lp_err e = lp_spec_load(spec, NULL, &m, d);
	if (e == LP_OK)
		e = lp_claims_item_to_json(m, &j, d); /* every known claim well-typed */
	if (e == LP_OK)
		crypto_hash_sha256(digest, spec.ptr, spec.len);
	json_decref(j);
	if (m)
		cbor_decref(&m);
	return e;
}

lp_err lp_spec_of_template(const char *tmpl, size_t len, lp_buf *spec, lp_diag *d)
{
	json_t *t = NULL;
	cbor_item_t *plain = NULL, *inl = NULL;
	const char **names = NULL;
	bool red[256];
	spec->ptr = NULL;
	spec->len = 0;
	lp_err e = lp_claims_template_check(tmpl, len, d);
	if (e == LP_OK)
		e = lp_claims_parse_json(tmpl, len, &t, d);
	if (e != LP_OK)
		return e;
	const json_t *claims = json_object_get(t, "claims");
	const json_t *rl = json_object_get(t, "redactable");
	size_t nr = json_array_size(rl);
	if (rl) {
		names = calloc(nr + 1, sizeof *names);
		if (!names) {
			e = LP_ERR_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < nr; i++)
			names[i] = json_string_value(json_array_get(rl, i));
	}
	e = lp_claims_json_to_item(claims, &plain, d);
	if (e == LP_OK)
		e = lp_claims_pick_redactable(names, nr, claims, red, d);
	if (e == LP_OK)
		e = lp_spec_split(plain, red, &inl, spec, d);
	if (e == LP_OK && spec->len == 0)
		e = lp_diag_set(d, LP_ERR_NOT_FOUND, 0,
				"this template has no descriptive claims for a specification");
out:
	free(names);
	json_decref(t);
	if (plain)
		cbor_decref(&plain);
	if (inl)
		cbor_decref(&inl);
	return e;
}
