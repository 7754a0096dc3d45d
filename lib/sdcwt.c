/* SD-CWT issuance, SD-KBT presentation and their verification, following
 * draft-ietf-spice-sd-cwt (editor's copy after -07): disclosures
 * [salt, value, key], SHA-256 over the bstr-wrapped disclosure under
 * simple(59), decoys, and the validation steps of its section
 * "SD-KBT and SD-CWT Verifier Validation". See include/leerpas/sdcwt.h. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "claims_int.h"
#include "cose_int.h"
#include "leerpas/sdcwt.h"
#include "spec_int.h"

#define DIGEST_BYTES 32
#define MAX_DISCLOSURES 256
#define CLAIMS_DEPTH 16           /* draft "Level of Nesting of Claims" */
#define TAG_REDACTED_ELEMENT 60
#define SIMPLE_REDACTED_KEYS 59

/* CWT claim keys (RFC 8392) used here. */
#define CL_ISS 1
#define CL_SUB 2
#define CL_AUD 3
#define CL_EXP 4
#define CL_NBF 5
#define CL_IAT 6
#define CL_CTI 7
#define CL_CNF 8
#define CWT_CLAIMS_HDR 15

/* ---- small helpers -------------------------------------------------------- */

static bool is_simple59(const cbor_item_t *it)
{
	return cbor_isa_float_ctrl(it) && cbor_float_get_width(it) == CBOR_FLOAT_0 &&
	       cbor_ctrl_value(it) == SIMPLE_REDACTED_KEYS;
}

/* SHA-256 over the disclosure wrapped as a CBOR byte string (head + bytes):
 * the draft's examples hash the bstr-wrapped form. */
static void disclosure_digest(const uint8_t *p, size_t n, uint8_t out[DIGEST_BYTES])
{
	uint8_t head[9];
	size_t hl;
	if (n < 24) {
		head[0] = (uint8_t)(0x40 | n);
		hl = 1;
	} else if (n < 256) {
		head[0] = 0x58;
		head[1] = (uint8_t)n;
		hl = 2;
	} else if (n < 65536) {
		head[0] = 0x59;
		head[1] = (uint8_t)(n >> 8);
		head[2] = (uint8_t)n;
		hl = 3;
	} else {
		head[0] = 0x5a;
		for (int i = 0; i < 4; i++)
			head[1 + i] = (uint8_t)(n >> (24 - 8 * i));
		hl = 5;
	}
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, head, hl);
	crypto_hash_sha256_update(&st, p, n);
	crypto_hash_sha256_final(&st, out);
}

static bool get_text(const cbor_item_t *it, const char **s, size_t *n)
{
	if (!it || !cbor_isa_string(it) || !cbor_string_is_definite(it))
		return false;
	*s = (const char *)cbor_string_handle(it);
	*n = cbor_string_length(it);
	return true;
}

static bool text_eq(const cbor_item_t *it, const char *want)
{
	const char *s;
	size_t n;
	return get_text(it, &s, &n) && n == strlen(want) && memcmp(s, want, n) == 0;
}

static char *dup_text(const cbor_item_t *it)
{
	const char *s;
	size_t n;
	if (!get_text(it, &s, &n) || memchr(s, 0, n))
		return NULL;
	char *r = malloc(n + 1);
	if (r) {
		memcpy(r, s, n);
		r[n] = 0;
	}
	return r;
}

static bool get_bytes(const cbor_item_t *it, const uint8_t **p, size_t *n)
{
	if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return false;
	*p = cbor_bytestring_handle(it);
	*n = cbor_bytestring_length(it);
	return true;
}

/* A NumericDate: an integer, or a finite float, within +-2^53 (draft
 * "Finite values for standard date claims"; the bound also keeps the time
 * arithmetic below free of overflow). Floats are truncated. */
static bool get_time(const cbor_item_t *it, int64_t *out)
{
	if (lp_cbor_get_int(it, out))
		return *out >= -9007199254740992LL && *out <= 9007199254740992LL;
	if (cbor_isa_float_ctrl(it) && !cbor_float_ctrl_is_ctrl(it)) {
		double v = cbor_float_get_float(it);
		if (v == v && v >= -9007199254740992.0 && v <= 9007199254740992.0) {
			*out = (int64_t)v;
			return true;
		}
	}
	return false;
}

/* Add k => v to map; always consumes k and v (NULL-tolerant, so that a
 * failed allocation in the argument list is just a failure). */
static bool put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	bool ok = false;
	if (map && k && v) {
		struct cbor_pair pr = { k, v };
		ok = cbor_map_add(map, pr);
	}
	if (k)
		cbor_decref(&k);
	if (v)
		cbor_decref(&v);
	return ok;
}

/* Append it to arr; always consumes it. */
static bool push(cbor_item_t *arr, cbor_item_t *it)
{
	bool ok = arr && it && cbor_array_push(arr, it);
	if (it)
		cbor_decref(&it);
	return ok;
}

/* A uint in its shortest encoding (libcbor keeps the width it is given). */
static cbor_item_t *uint_item(uint64_t v)
{
	if (v < 256)
		return cbor_build_uint8((uint8_t)v);
	if (v < 65536)
		return cbor_build_uint16((uint16_t)v);
	if (v <= UINT32_MAX)
		return cbor_build_uint32((uint32_t)v);
	return cbor_build_uint64(v);
}

static cbor_item_t *bytes_item(const uint8_t *p, size_t n)
{
	return cbor_build_bytestring(p, n);
}

static cbor_item_t *text_item(const char *s)
{
	return cbor_build_stringn(s, strlen(s));
}

/* ---- issuance ------------------------------------------------------------- */

void lp_sdcwt_issue_params_init(lp_sdcwt_issue_params *p)
{
	memset(p, 0, sizeof *p);
	p->decoys = LP_SDCWT_DEFAULT_DECOYS;
}

static int digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, DIGEST_BYTES);
}

/* Encode [salt, value, key] (value/key NULL for a decoy), append the bstr
 * to sd (array) and its digest to digests. Consumes nothing. */
static lp_err add_disclosure(cbor_item_t *value, int64_t key, const uint8_t salt[LP_SALT_BYTES],
			     cbor_item_t *sd, uint8_t (*digests)[DIGEST_BYTES], size_t *ndig)
{
	lp_buf enc = { 0 };
	lp_err e = LP_ERR_NOMEM;
	cbor_item_t *arr = cbor_new_definite_array(value ? 3 : 1);
	cbor_item_t *s = NULL, *k = NULL, *b = NULL;
	if (!arr)
		goto out;
	s = bytes_item(salt, LP_SALT_BYTES);
	if (!s || !cbor_array_push(arr, s))
		goto out;
	if (value) {
		k = lp_cbor_int(key);
		if (!k || !cbor_array_push(arr, value) || !cbor_array_push(arr, k))
			goto out;
	}
	e = lp_cbor_encode(arr, &enc);
	if (e != LP_OK)
		goto out;
	e = LP_ERR_NOMEM;
	b = bytes_item(enc.ptr, enc.len);
	if (!b || !cbor_array_push(sd, b))
		goto out;
	disclosure_digest(enc.ptr, enc.len, digests[(*ndig)++]);
	e = LP_OK;
out:
	lp_buf_free(&enc);
	if (arr)
		cbor_decref(&arr);
	if (s)
		cbor_decref(&s);
	if (k)
		cbor_decref(&k);
	if (b)
		cbor_decref(&b);
	return e;
}

static lp_err check_issue_params(const lp_sdcwt_issue_params *p, lp_diag *d)
{
	if (!p->iss || !*p->iss)
		return lp_diag_set(d, LP_ERR_ARG, 0, "issuer identifier (iss) missing");
	if (!p->kid || p->kid_len == 0 || p->kid_len > 255)
		return lp_diag_set(d, LP_ERR_ARG, 0, "key id (kid) must be 1..255 bytes");
	if (!p->vct || !*p->vct)
		return lp_diag_set(d, LP_ERR_ARG, 0, "credential type (vct) missing");
	if (p->decoys > LP_SDCWT_MAX_DECOYS)
		return lp_diag_set(d, LP_ERR_ARG, 0, "at most %d decoys", LP_SDCWT_MAX_DECOYS);
	if (p->holder && (p->holder->kty != 1 || p->holder->crv != 6 ||
			  p->holder->x_len != LP_ED25519_PK_BYTES))
		return lp_diag_set(d, LP_ERR_ARG, 0, "holder key must be an Ed25519 key");
	if (p->has_status && (!p->status_uri || !*p->status_uri))
		return lp_diag_set(d, LP_ERR_ARG, 0, "status list URI missing");
	if (p->has_nbf && p->nbf > p->iat)
		return lp_diag_set(d, LP_ERR_ARG, 0, "nbf after iat");
	if (p->has_exp && p->exp <= p->iat)
		return lp_diag_set(d, LP_ERR_ARG, 0, "exp not after iat");
	if (p->has_exp && p->has_nbf && p->exp <= p->nbf)
		return lp_diag_set(d, LP_ERR_ARG, 0, "exp not after nbf");
	if (!p->claims_json)
		return lp_diag_set(d, LP_ERR_ARG, 0, "achievement claims missing");
	return LP_OK;
}

/* Build the achievement map with redactable claims replaced by digests;
 * disclosures are appended to sd. */
/* How many claims of the achievement map become disclosures. */
static size_t count_redactable(const cbor_item_t *plain, const bool red[256])
{
	size_t nred = 0;
	for (size_t i = 0; i < cbor_map_size(plain); i++) {
		int64_t k = 0;
		(void)lp_cbor_get_int(cbor_map_handle(plain)[i].key, &k);
		if (k > 0 && k < 256 && red[k])
			nred++;
	}
	return nred;
}

static lp_err build_achievement(const cbor_item_t *plain, const bool red[256], size_t decoys,
				const uint8_t *salts,
				cbor_item_t *sd, cbor_item_t **out)
{
	size_t n = cbor_map_size(plain), nred = count_redactable(plain, red);
	size_t ndig = 0;
	uint8_t (*digests)[DIGEST_BYTES] = calloc(nred + decoys + 1, DIGEST_BYTES);
	cbor_item_t *m = NULL, *list = NULL, *dl = NULL;
	lp_err e = LP_ERR_NOMEM;
	if (!digests)
		return LP_ERR_NOMEM;
	m = cbor_new_definite_map(n - nred + (nred ? 1 : 0) + (nred + decoys ? 1 : 0));
	if (!m)
		goto out;
	if (nred) {
		list = cbor_new_definite_array(nred);
		if (!list)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct cbor_pair pr = cbor_map_handle(plain)[i];
		int64_t k = 0;
		(void)lp_cbor_get_int(pr.key, &k);
		if (k > 0 && k < 256 && red[k]) {
			cbor_item_t *ki = lp_cbor_int(k);
			if (!ki || !cbor_array_push(list, ki)) {
				if (ki)
					cbor_decref(&ki);
				goto out;
			}
			cbor_decref(&ki);
			e = add_disclosure(pr.value, k, salts + ndig * LP_SALT_BYTES, sd, digests, &ndig);
			if (e != LP_OK)
				goto out;
			e = LP_ERR_NOMEM;
		}
	}
	/* Key 0 first: the list of redactable keys. */
	if (list) {
		if (!put(m, lp_cbor_int(LP_CK_REDACTABLE), list)) {
			list = NULL;
			goto out;
		}
		list = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct cbor_pair pr = cbor_map_handle(plain)[i];
		int64_t k = 0;
		(void)lp_cbor_get_int(pr.key, &k);
		if (k > 0 && k < 256 && red[k])
			continue;
		if (!put(m, cbor_incref(pr.key), cbor_incref(pr.value)))
			goto out;
	}
	for (size_t i = 0; i < decoys; i++) {
		e = add_disclosure(NULL, 0, salts + ndig * LP_SALT_BYTES, sd, digests, &ndig);
		if (e != LP_OK)
			goto out;
		e = LP_ERR_NOMEM;
	}
	if (ndig) {
		/* Sorted, so that a digest's position says nothing about its claim. */
		qsort(digests, ndig, DIGEST_BYTES, digest_cmp);
		dl = cbor_new_definite_array(ndig);
		if (!dl)
			goto out;
		for (size_t i = 0; i < ndig; i++) {
			cbor_item_t *b = bytes_item(digests[i], DIGEST_BYTES);
			if (!b || !cbor_array_push(dl, b)) {
				if (b)
					cbor_decref(&b);
				goto out;
			}
			cbor_decref(&b);
		}
		bool ok = put(m, cbor_build_ctrl(SIMPLE_REDACTED_KEYS), dl);
		dl = NULL;
		if (!ok)
			goto out;
	}
	*out = m;
	m = NULL;
	e = LP_OK;
out:
	free(digests);
	if (m)
		cbor_decref(&m);
	if (list)
		cbor_decref(&list);
	if (dl)
		cbor_decref(&dl);
	return e;
}

static lp_err cose_key_item(const lp_pubkey *k, cbor_item_t **out)
{
	lp_buf b = { 0 };
	*out = NULL;
	lp_err e = lp_pubkey_to_cose(k, &b);
	if (e == LP_OK)
		e = lp_cbor_load(lp_buf_view(&b), LP_CBOR_MAX_DEPTH, out, NULL);
	lp_buf_free(&b);
	return e;
}

/* The part of issuance after the claims are settled: plain is the inline
 * achievement map (keys ascending, specifiedBy set when spec is given), red
 * the redactable keys, spec the specification's bytes (len 0: none). */
static lp_err issue_core(const lp_sdcwt_issue_params *p, const cbor_item_t *plain,
			 const bool red[256], lp_view spec, const uint8_t issuer_sk[LP_ED25519_SK_BYTES],
			 lp_buf *out, uint8_t cti[LP_CTI_BYTES], lp_diag *d)
{
	cbor_item_t *ach = NULL, *sd = NULL, *payload = NULL, *prot = NULL, *unprot = NULL,
		    *tmp = NULL;
	lp_buf pl = { 0 };
	uint8_t id[LP_CTI_BYTES];
	/* Every salt (redactable claims, then decoys) and the cti in one draw:
	 * one system call per credential instead of one per salt. */
	uint8_t rnd[LP_SALT_BYTES * (256 + LP_SDCWT_MAX_DECOYS) + LP_CTI_BYTES];
	size_t nsalts = count_redactable(plain, red) + p->decoys;
	size_t nrnd = nsalts * LP_SALT_BYTES + LP_CTI_BYTES;
	lp_random(rnd, nrnd);
	memcpy(id, rnd + nsalts * LP_SALT_BYTES, sizeof id);
	lp_err e = LP_ERR_NOMEM;
	sd = cbor_new_definite_array(MAX_DISCLOSURES);
	if (!sd)
		goto out;
	e = build_achievement(plain, red, p->decoys, rnd, sd, &ach);
	if (e != LP_OK)
		goto out;
	e = LP_ERR_NOMEM;

	size_t npay = 6u + (p->has_exp ? 1u : 0u) + (p->has_nbf ? 1u : 0u) + (p->holder ? 1u : 0u) +
		      (p->has_status ? 1u : 0u);
	payload = cbor_new_definite_map(npay);
	if (!payload)
		goto out;
	if (!put(payload, lp_cbor_int(CL_ISS), text_item(p->iss)))
		goto out;
	if (p->has_exp && !put(payload, lp_cbor_int(CL_EXP), lp_cbor_int(p->exp)))
		goto out;
	if (p->has_nbf && !put(payload, lp_cbor_int(CL_NBF), lp_cbor_int(p->nbf)))
		goto out;
	if (!put(payload, lp_cbor_int(CL_IAT), lp_cbor_int(p->iat)) ||
	    !put(payload, lp_cbor_int(CL_CTI), bytes_item(id, sizeof id)))
		goto out;
	if (p->holder) {
		e = cose_key_item(p->holder, &tmp);
		if (e != LP_OK)
			goto out;
		e = LP_ERR_NOMEM;
		cbor_item_t *cnf = cbor_new_definite_map(1);
		if (!cnf || !put(cnf, lp_cbor_int(1), tmp)) {
			tmp = NULL;
			if (cnf)
				cbor_decref(&cnf);
			goto out;
		}
		tmp = NULL;
		if (!put(payload, lp_cbor_int(CL_CNF), cnf))
			goto out;
	}
	if (!put(payload, lp_cbor_int(LP_CLAIM_VCT), text_item(p->vct)))
		goto out;
	if (p->has_status) {
		cbor_item_t *sl = cbor_new_definite_map(2);
		cbor_item_t *st = cbor_new_definite_map(1);
		bool ok = sl && st && put(sl, text_item("idx"), uint_item(p->status_idx)) &&
			  put(sl, text_item("uri"), text_item(p->status_uri));
		if (!ok) {
			if (sl)
				cbor_decref(&sl);
			if (st)
				cbor_decref(&st);
			goto out;
		}
		if (!put(st, text_item("status_list"), sl) ||
		    !put(payload, uint_item(LP_CLAIM_STATUS), st))
			goto out;
	}
	bool ok = put(payload, lp_cbor_int(LP_CLAIM_ACHIEVEMENT), ach);
	ach = NULL;
	if (!ok)
		goto out;
	e = lp_cbor_encode(payload, &pl);
	if (e != LP_OK)
		goto out;
	e = LP_ERR_NOMEM;

	prot = cbor_new_definite_map(4);
	if (!prot || !put(prot, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)) ||
	    !put(prot, lp_cbor_int(LP_HDR_KID), bytes_item(p->kid, p->kid_len)) ||
	    !put(prot, lp_cbor_int(LP_HDR_TYP), lp_cbor_int(LP_TYP_SD_CWT)) ||
	    !put(prot, lp_cbor_int(LP_HDR_SD_ALG), lp_cbor_int(LP_SD_ALG_SHA256)))
		goto out;
	unprot = cbor_new_definite_map(2);
	if (!unprot)
		goto out;
	if (cbor_array_size(sd) > 0) {
		bool ok2 = put(unprot, lp_cbor_int(LP_HDR_SD_CLAIMS), sd);
		sd = NULL;
		if (!ok2)
			goto out;
	}
	if (spec.len && !put(unprot, lp_cbor_int(LP_HDR_SPEC), bytes_item(spec.ptr, spec.len)))
		goto out;
	e = lp_sign1_create_ed25519(prot, unprot, lp_buf_view(&pl), lp_view_of(NULL, 0), issuer_sk, out);
	if (e == LP_OK && cti)
		memcpy(cti, id, sizeof id);
out:
	if (e != LP_OK && d && d->code != e)
		(void)lp_diag_set(d, e, 0, "%s", lp_err_str(e));
	lp_buf_free(&pl);
	sodium_memzero(id, sizeof id);
	sodium_memzero(rnd, nrnd);
	cbor_item_t *all[] = { ach, sd, payload, prot, unprot, tmp };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i])
			cbor_decref(&all[i]);
	return e;
}

static lp_err issue_start(const lp_sdcwt_issue_params *p, const uint8_t *issuer_sk, lp_buf *out,
			  uint8_t cti[LP_CTI_BYTES], lp_diag *d)
{
	out->ptr = NULL;
	out->len = 0;
	if (cti)
		memset(cti, 0, LP_CTI_BYTES);
	if (!p || !issuer_sk)
		return lp_diag_set(d, LP_ERR_ARG, 0, "missing parameters or issuer key");
	return check_issue_params(p, d);
}

lp_err lp_sdcwt_issue(const lp_sdcwt_issue_params *p, const uint8_t issuer_sk[LP_ED25519_SK_BYTES],
		      lp_buf *out, uint8_t cti[LP_CTI_BYTES], lp_diag *d)
{
	json_t *claims = NULL;
	cbor_item_t *plain = NULL;
	lp_buf spec = { 0 };
	bool red[256];
	lp_err e = issue_start(p, issuer_sk, out, cti, d);
	if (e != LP_OK)
		return e;
	e = lp_claims_parse_json(p->claims_json, p->claims_json_len, &claims, d);
	if (e == LP_OK)
		e = lp_claims_json_to_item(claims, &plain, d);
	if (e == LP_OK)
		e = lp_claims_check_mandatory(claims, false, d);
	if (e == LP_OK)
		e = lp_claims_pick_redactable(p->redactable, p->redactable_count, claims, red, d);
	if (e == LP_OK && !p->inline_specification) {
		cbor_item_t *inl = NULL;
		e = lp_spec_split(plain, red, &inl, &spec, d);
		if (e == LP_OK) {
			cbor_decref(&plain);
			plain = inl;
		}
	}
	if (e == LP_OK)
		e = issue_core(p, plain, red, lp_buf_view(&spec), issuer_sk, out, cti, d);
	json_decref(claims);
	lp_buf_free(&spec);
	if (plain)
		cbor_decref(&plain);
	return e;
}

/* ---- issuing many credentials of one template -------------------------------- */

struct lp_sdcwt_template {
	cbor_item_t *claims;        /* the template's claims, keys ascending */
	cbor_item_t *inline_claims; /* the same after the specification split */
	json_t *names;              /* the template's claim names (presence only) */
	char **red;                 /* redactable names; NULL: each claim's default */
	size_t nred;
	bool inline_spec;
	lp_buf spec;                /* the template's specification (len 0: none) */
};

void lp_sdcwt_template_free(lp_sdcwt_template *t)
{
	if (!t)
		return;
	if (t->claims)
		cbor_decref(&t->claims);
	if (t->inline_claims)
		cbor_decref(&t->inline_claims);
	json_decref(t->names);
	for (size_t i = 0; t->red && i < t->nred; i++)
		free(t->red[i]);
	free(t->red);
	lp_buf_free(&t->spec);
	free(t);
}

/* A JSON object with the names of obj's members, each null (the Annex I
 * completeness check and the redactable defaults look at names only). */
static lp_err names_of(const json_t *obj, json_t *into)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
	{
		if (json_object_set_new(into, k, json_null()) != 0)
			return LP_ERR_NOMEM;
	}
	return LP_OK;
}

lp_err lp_sdcwt_template_new(const char *claims_json, size_t len, const char *const *redactable,
			     size_t redactable_count, bool inline_specification,
			     lp_sdcwt_template **out, lp_diag *d)
{
	json_t *claims = NULL;
	bool red[256];
	*out = NULL;
	lp_sdcwt_template *t = calloc(1, sizeof *t);
	if (!t)
		return LP_ERR_NOMEM;
	t->inline_spec = inline_specification;
	t->names = json_object();
	lp_err e = t->names ? LP_OK : LP_ERR_NOMEM;
	if (e == LP_OK && redactable) {
		t->red = calloc(redactable_count + 1, sizeof *t->red);
		if (!t->red)
			e = LP_ERR_NOMEM;
		for (size_t i = 0; e == LP_OK && i < redactable_count; i++) {
			t->red[i] = redactable[i] ? strdup(redactable[i]) : NULL;
			if (!t->red[i]) {
				e = redactable[i] ? LP_ERR_NOMEM
						  : lp_diag_set(d, LP_ERR_CLAIMS, 0, "a redactable claim name is missing");
				break;
			}
			t->nred++;
		}
	}
	if (e == LP_OK)
		e = lp_claims_parse_json(claims_json, len, &claims, d);
	if (e == LP_OK)
		e = lp_claims_json_to_item(claims, &t->claims, d);
	if (e == LP_OK)
		e = names_of(claims, t->names);
	if (e == LP_OK)
		e = lp_claims_pick_redactable((const char *const *)t->red, t->nred, claims, red, d);
	if (e == LP_OK && !t->inline_spec)
		e = lp_spec_split(t->claims, red, &t->inline_claims, &t->spec, d);
	json_decref(claims);
	if (e != LP_OK) {
		lp_sdcwt_template_free(t);
		return e;
	}
	*out = t;
	return LP_OK;
}

/* Merge two achievement maps with ascending integer keys into one. A key in
 * both is LP_ERR_CLAIMS (a learner claim the template fixes). */
static lp_err merge_sorted(const cbor_item_t *a, const cbor_item_t *b, cbor_item_t **out, lp_diag *d)
{
	size_t na = cbor_map_size(a), nb = cbor_map_size(b), i = 0, j = 0;
	cbor_item_t *m = cbor_new_definite_map(na + nb);
	if (!m)
		return LP_ERR_NOMEM;
	while (i < na || j < nb) {
		int64_t ka = INT64_MAX, kb = INT64_MAX;
		if (i < na)
			(void)lp_cbor_get_int(cbor_map_handle(a)[i].key, &ka);
		if (j < nb)
			(void)lp_cbor_get_int(cbor_map_handle(b)[j].key, &kb);
		if (i < na && j < nb && ka == kb) {
			const lp_claim_def *c = lp_claims_by_key(ka);
			cbor_decref(&m);
			return lp_diag_set(d, LP_ERR_CLAIMS, 0,
					   "claim '%s' is fixed by the template and given for the learner too",
					   c ? c->name : "?");
		}
		struct cbor_pair pr = (j >= nb || (i < na && ka < kb)) ? cbor_map_handle(a)[i++]
								       : cbor_map_handle(b)[j++];
		if (!put(m, cbor_incref(pr.key), cbor_incref(pr.value))) {
			cbor_decref(&m);
			return LP_ERR_NOMEM;
		}
	}
	*out = m;
	return LP_OK;
}

lp_err lp_sdcwt_issue_from(lp_sdcwt_template *t, const lp_sdcwt_issue_params *p,
			   const uint8_t issuer_sk[LP_ED25519_SK_BYTES], lp_buf *out,
			   uint8_t cti[LP_CTI_BYTES], lp_diag *d)
{
	json_t *learner = NULL, *names = NULL;
	cbor_item_t *lm = NULL, *plain = NULL, *inl = NULL;
	lp_buf spec = { 0 };
	bool red[256];
	if (!t)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no template");
	lp_err e = issue_start(p, issuer_sk, out, cti, d);
	if (e != LP_OK)
		return e;
	e = lp_claims_parse_json(p->claims_json, p->claims_json_len, &learner, d);
	if (e == LP_OK)
		e = lp_claims_json_to_item(learner, &lm, d);
	if (e == LP_OK) {
		names = json_deep_copy(t->names);
		e = names ? names_of(learner, names) : LP_ERR_NOMEM;
	}
	if (e == LP_OK)
		e = lp_claims_check_mandatory(names, false, d);
	if (e == LP_OK)
		e = lp_claims_pick_redactable((const char *const *)t->red, t->nred, names, red, d);
	if (e != LP_OK)
		goto out;
	/* The template's specification split holds unless the learner brings
	 * descriptive claims of their own (or redactability moves one). */
	bool own = false;
	for (size_t i = 0; i < cbor_map_size(lm); i++) {
		int64_t k;
		const lp_claim_def *c = lp_cbor_get_int(cbor_map_handle(lm)[i].key, &k) ? lp_claims_by_key(k) : NULL;
		own = own || (c && (c->specified || k == LP_CK_SPECIFIED_BY));
	}
	if (t->inline_spec) {
		e = merge_sorted(t->claims, lm, &plain, d);
	} else if (!own) {
		e = merge_sorted(t->inline_claims, lm, &plain, d);
	} else {
		e = merge_sorted(t->claims, lm, &inl, d);
		if (e == LP_OK)
			e = lp_spec_split(inl, red, &plain, &spec, d);
	}
	if (e == LP_OK)
		e = issue_core(p, plain, red, own ? lp_buf_view(&spec) : lp_buf_view(&t->spec), issuer_sk,
			       out, cti, d);
out:
	json_decref(learner);
	json_decref(names);
	lp_buf_free(&spec);
	cbor_item_t *all[] = { lm, plain, inl };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i])
			cbor_decref(&all[i]);
	return e;
}

/* ---- parsed disclosures ---------------------------------------------------- */

struct disc {
	uint8_t digest[DIGEST_BYTES];
	cbor_item_t *arr;       /* decoded [salt, value?, key?] */
	const cbor_item_t *bstr; /* the bstr in sd_claims (borrowed) */
	size_t n;               /* 1 decoy, 2 array element, 3 map key */
	size_t uses;
	int place;              /* 0 unknown, 1 top level, 2 achievement map, 3 elsewhere */
};

struct discs {
	struct disc *v;
	size_t n;
};

static void discs_free(struct discs *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->v[i].arr)
			cbor_decref(&ds->v[i].arr);
	free(ds->v);
	ds->v = NULL;
	ds->n = 0;
}

/* Decode sd_claims (17) from an unprotected header map. Absent: no
 * disclosures. Present but empty, or any entry not a well-formed
 * disclosure: LP_ERR_DISCLOSURE. */
static lp_err discs_load(const cbor_item_t *unprot, struct discs *ds, lp_diag *d)
{
	memset(ds, 0, sizeof *ds);
	const cbor_item_t *sc = unprot ? lp_cbor_map_get_int(unprot, LP_HDR_SD_CLAIMS) : NULL;
	if (!sc)
		return LP_OK;
	if (!cbor_isa_array(sc) || cbor_array_size(sc) == 0)
		return lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
				   "sd_claims must be a non-empty array of disclosures");
	size_t n = cbor_array_size(sc);
	if (n > MAX_DISCLOSURES)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "more than %d disclosures", MAX_DISCLOSURES);
	ds->v = calloc(n, sizeof *ds->v);
	if (!ds->v)
		return LP_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const cbor_item_t *b = cbor_array_handle(sc)[i];
		struct disc *x = &ds->v[ds->n];
		const uint8_t *p;
		size_t len;
		lp_diag sub = { 0 };
		if (!get_bytes(b, &p, &len)) {
			discs_free(ds);
			return lp_diag_set(d, LP_ERR_DISCLOSURE, 0, "disclosure %zu is not a byte string", i);
		}
		lp_err e = lp_cbor_load(lp_view_of(p, len), CLAIMS_DEPTH, &x->arr, &sub);
		if (e != LP_OK) {
			discs_free(ds);
			return lp_diag_set(d, e == LP_ERR_CBOR_DEPTH ? e : LP_ERR_DISCLOSURE, 0,
					   "disclosure %zu: %s", i, sub.msg);
		}
		ds->n++;
		x->bstr = b;
		disclosure_digest(p, len, x->digest);
		const uint8_t *salt;
		size_t sl;
		x->n = cbor_isa_array(x->arr) ? cbor_array_size(x->arr) : 0;
		if (x->n < 1 || x->n > 3 || !get_bytes(cbor_array_handle(x->arr)[0], &salt, &sl) ||
		    sl != LP_SALT_BYTES) {
			discs_free(ds);
			return lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
					   "disclosure %zu is not [salt (16 bytes), value?, key?]", i);
		}
		if (x->n == 3) {
			const cbor_item_t *k = cbor_array_handle(x->arr)[2];
			int64_t iv;
			bool ok = lp_cbor_get_int(k, &iv) ||
				  (cbor_isa_string(k) && cbor_string_length(k) <= 255);
			if (!ok) {
				discs_free(ds);
				return lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
						   "disclosure %zu: claim key must be an integer or text", i);
			}
		}
		for (size_t k = 0; k + 1 < ds->n; k++)
			if (memcmp(ds->v[k].digest, x->digest, DIGEST_BYTES) == 0) {
				discs_free(ds);
				return lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
						   "disclosure %zu is sent twice", i);
			}
	}
	return LP_OK;
}

static struct disc *discs_find(struct discs *ds, const uint8_t *dg)
{
	for (size_t i = 0; i < ds->n; i++)
		if (memcmp(ds->v[i].digest, dg, DIGEST_BYTES) == 0)
			return &ds->v[i];
	return NULL;
}

/* ---- reconstruction (draft validation step 7) ------------------------------ */

struct rctx {
	struct discs *ds;
	size_t undisclosed;
	lp_diag *d;
};

static bool key_equal(const cbor_item_t *a, const cbor_item_t *b)
{
	int64_t x, y;
	if (lp_cbor_get_int(a, &x))
		return lp_cbor_get_int(b, &y) && x == y;
	const char *s, *t;
	size_t n, m;
	if (get_text(a, &s, &n))
		return get_text(b, &t, &m) && n == m && memcmp(s, t, n) == 0;
	return false;
}

static bool key_allowed(const cbor_item_t *k)
{
	int64_t iv;
	return lp_cbor_get_int(k, &iv) || (cbor_isa_string(k) && cbor_string_length(k) <= 255);
}

static lp_err rebuild(struct rctx *c, const cbor_item_t *it, size_t depth, int place, cbor_item_t **out);

/* Registered claims that must never be redacted (draft table "SD-CWT Claim
 * Requirements") plus those our profile reads from the signed payload. */
static bool never_redacted_top(const cbor_item_t *k)
{
	int64_t v;
	if (!lp_cbor_get_int(k, &v))
		return false;
	return v == CL_ISS || v == CL_AUD || v == CL_EXP || v == CL_NBF || v == CL_IAT ||
	       v == CL_CTI || v == CL_CNF || v == LP_CLAIM_CNONCE || v == LP_CLAIM_VCT ||
	       v == LP_CLAIM_STATUS || v == LP_CLAIM_ACHIEVEMENT;
}

static lp_err rebuild_map(struct rctx *c, const cbor_item_t *m, size_t depth, int place,
			  cbor_item_t **out)
{
	size_t n = cbor_map_size(m);
	const cbor_item_t *dl = NULL;
	for (size_t i = 0; i < n; i++)
		if (is_simple59(cbor_map_handle(m)[i].key))
			dl = cbor_map_handle(m)[i].value;
	size_t extra = dl && cbor_isa_array(dl) ? cbor_array_size(dl) : 0;
	cbor_item_t *r = cbor_new_definite_map(n + extra);
	if (!r)
		return LP_ERR_NOMEM;
	lp_err e = LP_OK;
	for (size_t i = 0; i < n && e == LP_OK; i++) {
		struct cbor_pair p = cbor_map_handle(m)[i];
		cbor_item_t *v = NULL;
		if (is_simple59(p.key))
			continue;
		if (!key_allowed(p.key)) {
			e = lp_diag_set(c->d, LP_ERR_CLAIMS, 0,
					"claim key of a type SD-CWT does not allow");
			break;
		}
		int64_t k = 0;
		int sub = place == 1 && lp_cbor_get_int(p.key, &k) && k == LP_CLAIM_ACHIEVEMENT ? 2 : 3;
		e = rebuild(c, p.value, depth + 1, sub, &v);
		if (e == LP_OK && !put(r, cbor_incref(p.key), v))
			e = LP_ERR_NOMEM;
	}
	if (e == LP_OK && dl) {
		if (!cbor_isa_array(dl) || cbor_array_size(dl) == 0)
			e = lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
					"redacted claim keys must be a non-empty array of digests");
		for (size_t i = 0; e == LP_OK && i < extra; i++) {
			const uint8_t *dg;
			size_t dn;
			if (!get_bytes(cbor_array_handle(dl)[i], &dg, &dn) || dn != DIGEST_BYTES) {
				e = lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
						"a redacted claim key is not a SHA-256 digest");
				break;
			}
			struct disc *x = discs_find(c->ds, dg);
			if (!x) {
				c->undisclosed++;
				continue;
			}
			if (x->uses++) {
				e = lp_diag_set(c->d, LP_ERR_DIGEST_MISMATCH, 0,
						"a disclosure's digest appears more than once");
				break;
			}
			x->place = place;
			if (x->n == 1)
				continue; /* a decoy */
			if (x->n != 3) {
				e = lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
						"an array-element disclosure matches a redacted map key");
				break;
			}
			const cbor_item_t *key = cbor_array_handle(x->arr)[2];
			if (place == 1 && never_redacted_top(key)) {
				e = lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
						"a disclosure carries a claim that must never be redacted");
				break;
			}
			int64_t k = 0;
			int sub = place == 1 && lp_cbor_get_int(key, &k) && k == LP_CLAIM_ACHIEVEMENT ? 2 : 3;
			cbor_item_t *v = NULL;
			e = rebuild(c, cbor_array_handle(x->arr)[1], depth + 1, sub, &v);
			if (e == LP_OK && !put(r, cbor_incref((cbor_item_t *)key), v))
				e = LP_ERR_NOMEM;
		}
	}
	/* Draft step 7: a disclosed key that duplicates another key at the same
	 * place makes the whole token invalid. The received maps had no
	 * duplicates (strict parser), so only disclosed keys can collide. */
	for (size_t i = 0; e == LP_OK && i < cbor_map_size(r); i++)
		for (size_t k = i + 1; k < cbor_map_size(r); k++)
			if (key_equal(cbor_map_handle(r)[i].key, cbor_map_handle(r)[k].key)) {
				e = lp_diag_set(c->d, LP_ERR_DUPLICATE_CLAIM, 0,
						"a disclosed claim key duplicates another claim at the same place");
				break;
			}
	if (e != LP_OK) {
		cbor_decref(&r);
		return e;
	}
	*out = r;
	return LP_OK;
}

static lp_err rebuild_array(struct rctx *c, const cbor_item_t *a, size_t depth, cbor_item_t **out)
{
	size_t n = cbor_array_size(a);
	cbor_item_t *r = cbor_new_definite_array(n);
	if (!r)
		return LP_ERR_NOMEM;
	lp_err e = LP_OK;
	for (size_t i = 0; i < n && e == LP_OK; i++) {
		const cbor_item_t *el = cbor_array_handle(a)[i];
		cbor_item_t *v = NULL;
		if (cbor_isa_tag(el) && cbor_tag_value(el) == TAG_REDACTED_ELEMENT) {
			cbor_item_t *inner = cbor_tag_item(el);
			const uint8_t *dg;
			size_t dn;
			bool okd = get_bytes(inner, &dg, &dn) && dn == DIGEST_BYTES;
			struct disc *x = okd ? discs_find(c->ds, dg) : NULL;
			cbor_decref(&inner);
			if (!okd) {
				e = lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
						"a redacted array element is not a SHA-256 digest");
				break;
			}
			if (!x) {
				c->undisclosed++;
				continue;
			}
			if (x->uses++) {
				e = lp_diag_set(c->d, LP_ERR_DIGEST_MISMATCH, 0,
						"a disclosure's digest appears more than once");
				break;
			}
			x->place = 3;
			if (x->n == 1)
				continue;
			if (x->n != 2) {
				e = lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
						"a map-key disclosure matches a redacted array element");
				break;
			}
			e = rebuild(c, cbor_array_handle(x->arr)[1], depth + 1, 3, &v);
		} else {
			e = rebuild(c, el, depth + 1, 3, &v);
		}
		if (e == LP_OK && !push(r, v))
			e = LP_ERR_NOMEM;
	}
	if (e != LP_OK) {
		cbor_decref(&r);
		return e;
	}
	*out = r;
	return LP_OK;
}

/* True when nothing inside `it` needs rebuilding: no simple(59) key, no
 * tag 60, only integer or text map keys, within the depth limit. Such a
 * subtree is shared instead of copied (a verification copies less). */
static bool plain_subtree(const cbor_item_t *it, size_t depth)
{
	if (depth > CLAIMS_DEPTH)
		return false;
	if (cbor_isa_map(it)) {
		for (size_t i = 0; i < cbor_map_size(it); i++) {
			struct cbor_pair p = cbor_map_handle(it)[i];
			if (is_simple59(p.key) || !key_allowed(p.key) || !plain_subtree(p.value, depth + 1))
				return false;
		}
		return true;
	}
	if (cbor_isa_array(it)) {
		for (size_t i = 0; i < cbor_array_size(it); i++)
			if (!plain_subtree(cbor_array_handle(it)[i], depth + 1))
				return false;
		return true;
	}
	if (cbor_isa_tag(it)) {
		if (cbor_tag_value(it) == TAG_REDACTED_ELEMENT)
			return false;
		cbor_item_t *inner = cbor_tag_item(it);
		bool ok = plain_subtree(inner, depth + 1);
		cbor_decref(&inner);
		return ok;
	}
	return true;
}

/* Copy `it` with every disclosed claim put in place and every redacted
 * digest (undisclosed claims and decoys) removed. The top-level map and the
 * achievement map are always new maps (the specification is merged into
 * the latter); deeper subtrees without redactions are shared. */
static lp_err rebuild(struct rctx *c, const cbor_item_t *it, size_t depth, int place, cbor_item_t **out)
{
	*out = NULL;
	if (depth > CLAIMS_DEPTH)
		return lp_diag_set(c->d, LP_ERR_CBOR_DEPTH, 0, "claims nested deeper than %d levels",
				   CLAIMS_DEPTH);
	if (place == 3 && (cbor_isa_map(it) || cbor_isa_array(it)) && plain_subtree(it, depth)) {
		*out = cbor_incref((cbor_item_t *)it);
		return LP_OK;
	}
	if (cbor_isa_map(it))
		return rebuild_map(c, it, depth, place, out);
	if (cbor_isa_array(it))
		return rebuild_array(c, it, depth, out);
	if (cbor_isa_tag(it) && cbor_tag_value(it) == TAG_REDACTED_ELEMENT)
		return lp_diag_set(c->d, LP_ERR_DISCLOSURE, 0,
				   "a redacted-element tag (60) outside an array");
	if (cbor_isa_tag(it)) {
		cbor_item_t *inner = cbor_tag_item(it), *v = NULL;
		lp_err e = rebuild(c, inner, depth + 1, 3, &v);
		cbor_decref(&inner);
		if (e != LP_OK)
			return e;
		cbor_item_t *t = cbor_new_tag(cbor_tag_value(it));
		if (!t) {
			cbor_decref(&v);
			return LP_ERR_NOMEM;
		}
		cbor_tag_set_item(t, v);
		cbor_decref(&v);
		*out = t;
		return LP_OK;
	}
	*out = cbor_incref((cbor_item_t *)it);
	return LP_OK;
}

/* ---- verification ------------------------------------------------------------ */

/* typ: the integer content format or the media type (draft "SD-CWT
 * Definition" and "Creating a Key Binding Token"). */
static bool typ_ok(const cbor_item_t *prot, int64_t want, const char *media, const char *suffix)
{
	const cbor_item_t *t = lp_cbor_map_get_int(prot, LP_HDR_TYP);
	int64_t v;
	const char *s;
	size_t n;
	if (!t)
		return false;
	if (lp_cbor_get_int(t, &v))
		return v == want;
	if (!get_text(t, &s, &n))
		return false;
	if (n == strlen(media) && memcmp(s, media, n) == 0)
		return true;
	size_t sl = suffix ? strlen(suffix) : 0;
	return suffix && n > sl && memcmp(s + n - sl, suffix, sl) == 0;
}

/* Read an optional time claim; LP_ERR_CLAIMS if present but not a number. */
static lp_err opt_time(const cbor_item_t *map, int64_t key, bool *has, int64_t *v, lp_diag *d)
{
	const cbor_item_t *it = lp_cbor_map_get_int(map, key);
	*has = false;
	*v = 0;
	if (!it)
		return LP_OK;
	if (!get_time(it, v))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "time claim %lld is not a finite number",
				   (long long)key);
	*has = true;
	return LP_OK;
}

static lp_err opt_text(const cbor_item_t *map, int64_t key, char **out, lp_diag *d)
{
	const cbor_item_t *it = lp_cbor_map_get_int(map, key);
	*out = NULL;
	if (!it)
		return LP_OK;
	*out = dup_text(it);
	if (!*out)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "claim %lld must be text", (long long)key);
	return LP_OK;
}

static lp_err parse_cnf(const cbor_item_t *cnf, lp_pubkey *out, lp_diag *d)
{
	const cbor_item_t *ck = cbor_isa_map(cnf) ? lp_cbor_map_get_int(cnf, 1) : NULL;
	lp_buf b = { 0 };
	if (!ck || !cbor_isa_map(ck))
		return lp_diag_set(d, LP_ERR_HOLDER_BINDING, 0,
				   "cnf does not carry a COSE_Key (only cnf {1: COSE_Key} is supported)");
	/* The key every leerpas wallet makes, {1: 1, -1: 6, -2: 32 bytes}, read
	 * in place; any other form goes through the full COSE_Key parser. */
	const cbor_item_t *kty = lp_cbor_map_get_int(ck, 1), *crv = lp_cbor_map_get_int(ck, -1);
	const cbor_item_t *x = lp_cbor_map_get_int(ck, -2);
	int64_t kv, cv;
	const uint8_t *xp;
	size_t xn;
	if (cbor_map_size(ck) == 3 && kty && crv && x && lp_cbor_get_int(kty, &kv) && kv == 1 &&
	    lp_cbor_get_int(crv, &cv) && cv == 6 && get_bytes(x, &xp, &xn) && xn == LP_ED25519_PK_BYTES) {
		lp_pubkey_ed25519(out, xp);
		return LP_OK;
	}
	lp_err e = lp_cbor_encode(ck, &b);
	if (e == LP_OK)
		e = lp_pubkey_from_cose(lp_buf_view(&b), out, d);
	lp_buf_free(&b);
	return e;
}

static lp_err parse_status(const cbor_item_t *st, lp_sdcwt_result *r)
{
	const cbor_item_t *sl = cbor_isa_map(st) ? lp_cbor_map_get_str(st, "status_list") : NULL;
	const cbor_item_t *idx = sl && cbor_isa_map(sl) ? lp_cbor_map_get_str(sl, "idx") : NULL;
	const cbor_item_t *uri = sl && cbor_isa_map(sl) ? lp_cbor_map_get_str(sl, "uri") : NULL;
	if (!idx || !cbor_isa_uint(idx) || !uri)
		return lp_diag_set(&r->diag, LP_ERR_CLAIMS, 0,
				   "status claim is not {\"status_list\": {\"idx\": uint, \"uri\": text}}");
	r->status_uri = dup_text(uri);
	if (!r->status_uri)
		return lp_diag_set(&r->diag, LP_ERR_CLAIMS, 0, "status list uri must be text");
	r->status_idx = cbor_get_int(idx);
	r->has_status = true;
	return LP_OK;
}

/* The credential part up to and including its signature and cnf. On
 * success *claims owns the decoded payload map. */
static lp_err cred_signed(const lp_sign1 *s, const lp_sdcwt_verify_params *p, lp_sdcwt_result *r,
			  cbor_item_t **claims)
{
	lp_diag *d = &r->diag;
	cbor_item_t *pl = NULL;
	lp_pubkey key;
	lp_err e;
	const cbor_item_t *it;
	*claims = NULL;
	memset(&key, 0, sizeof key);
	r->issuer_alg = s->alg;
	if (!typ_ok(s->protected_map, LP_TYP_SD_CWT, "application/sd-cwt", "+sd-cwt"))
		return lp_diag_set(d, LP_ERR_TYP, 0, "credential typ is not SD-CWT (293)");
	it = lp_cbor_map_get_int(s->protected_map, LP_HDR_SD_ALG);
	int64_t alg;
	if (it && (!lp_cbor_get_int(it, &alg) || alg != LP_SD_ALG_SHA256))
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "sd_alg other than SHA-256 (-16)");
	if (lp_cbor_map_get_int(s->protected_map, CWT_CLAIMS_HDR))
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "CWT claims in the protected header");
	it = lp_cbor_map_get_int(s->protected_map, LP_HDR_KID);
	if (it) {
		const uint8_t *kp;
		size_t kn;
		if (!get_bytes(it, &kp, &kn))
			return lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "kid must be a byte string");
		if (kn) {
			r->kid = malloc(kn);
			if (!r->kid)
				return LP_ERR_NOMEM;
			memcpy(r->kid, kp, kn);
			r->kid_len = kn;
		}
	}
	e = lp_cbor_load(s->payload, LP_CBOR_MAX_DEPTH, &pl, d);
	if (e != LP_OK)
		return e;
	if (!cbor_isa_map(pl)) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "credential payload is not a claims map");
		goto out;
	}
	if ((e = opt_text(pl, CL_ISS, &r->iss, d)) != LP_OK ||
	    (e = opt_text(pl, LP_CLAIM_VCT, &r->vct, d)) != LP_OK ||
	    (e = opt_time(pl, CL_IAT, &r->has_iat, &r->iat, d)) != LP_OK ||
	    (e = opt_time(pl, CL_NBF, &r->has_nbf, &r->nbf, d)) != LP_OK ||
	    (e = opt_time(pl, CL_EXP, &r->has_exp, &r->exp, d)) != LP_OK)
		goto out;
	it = lp_cbor_map_get_int(pl, CL_CTI);
	if (it) {
		const uint8_t *cp;
		size_t cn;
		if (!get_bytes(it, &cp, &cn) || cn > LP_CTI_MAX) {
			e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "cti must be at most %d bytes", LP_CTI_MAX);
			goto out;
		}
		memcpy(r->cti, cp, cn);
		r->cti_len = cn;
	}
	if (!p->resolve) {
		e = lp_diag_set(d, LP_ERR_ARG, 0, "no issuer key resolver given");
		goto out;
	}
	e = p->resolve(p->resolve_ctx, r->iss, r->kid, r->kid_len, s->alg, r->vct, r->has_iat, r->iat,
		       &key, d);
	if (e != LP_OK) {
		if (d->code != e)
			(void)lp_diag_set(d, e, 0, "issuer key: %s", lp_err_str(e));
		goto out;
	}
	/* Draft step 2: the issuer signature over the exact received bytes. */
	e = lp_sign1_verify(s, &key, lp_view_of(NULL, 0));
	if (e != LP_OK) {
		(void)lp_diag_set(d, e, 0, "issuer signature: %s", lp_err_str(e));
		goto out;
	}
	it = lp_cbor_map_get_int(pl, CL_CNF);
	if (it) {
		e = parse_cnf(it, &r->cnf, d);
		if (e != LP_OK)
			goto out;
		r->has_cnf = true;
	}
	it = lp_cbor_map_get_int(pl, LP_CLAIM_STATUS);
	if (it && (e = parse_status(it, r)) != LP_OK)
		goto out;
	*claims = pl;
	pl = NULL;
out:
	if (pl)
		cbor_decref(&pl);
	return e;
}

/* Validity of the credential at p->now (with skew) and the order of its time
 * claims (draft step 3). */
static lp_err cred_times(const lp_sdcwt_verify_params *p, lp_sdcwt_result *r)
{
	lp_diag *d = &r->diag;
	if (r->has_nbf && r->has_iat && r->nbf > r->iat)
		return lp_diag_set(d, LP_ERR_TIME_ORDER, 0, "credential nbf after its iat");
	if (r->has_nbf && r->has_exp && r->nbf >= r->exp)
		return lp_diag_set(d, LP_ERR_TIME_ORDER, 0, "credential nbf not before its exp");
	if (r->has_iat && r->has_exp && r->iat >= r->exp)
		return lp_diag_set(d, LP_ERR_TIME_ORDER, 0, "credential iat not before its exp");
	if (r->has_exp && p->now - p->skew >= r->exp)
		return lp_diag_set(d, LP_ERR_EXPIRED, 0, "credential expired");
	if (r->has_nbf && p->now + p->skew < r->nbf)
		return lp_diag_set(d, LP_ERR_NOT_YET_VALID, 0, "credential not valid before its nbf");
	if (r->has_iat && p->now + p->skew < r->iat)
		return lp_diag_set(d, LP_ERR_NOT_YET_VALID, 0, "credential issued in the future");
	return LP_OK;
}

static lp_err names_add(char ***v, size_t *n, const char *name)
{
	char **nv = realloc(*v, (*n + 1) * sizeof **v);
	if (!nv)
		return LP_ERR_NOMEM;
	*v = nv;
	nv[*n] = strdup(name);
	if (!nv[*n])
		return LP_ERR_NOMEM;
	(*n)++;
	return LP_OK;
}

/* Claims of the reconstructed payload that are not reported in fields of
 * the result, for claims_json. */
static bool top_reported(int64_t k)
{
	return k == CL_ISS || k == CL_EXP || k == CL_NBF || k == CL_IAT || k == CL_CTI ||
	       k == CL_CNF || k == LP_CLAIM_VCT || k == LP_CLAIM_STATUS || k == CL_AUD ||
	       k == LP_CLAIM_ACHIEVEMENT;
}

/* The achievement specification that the achievement map of full refers
 * to (specifiedBy): carried in the unprotected header, or found through
 * p->spec_lookup; checked against the signed digest and merged into the map.
 * Not found: r->spec_source says so and the map stays as it is. */
static lp_err spec_attach(cbor_item_t *full, const cbor_item_t *unprot,
			  const lp_sdcwt_verify_params *p, lp_sdcwt_result *r)
{
	lp_diag *d = &r->diag;
	struct cbor_pair *am = NULL;
	for (size_t i = 0; i < cbor_map_size(full); i++) {
		int64_t k;
		if (lp_cbor_get_int(cbor_map_handle(full)[i].key, &k) && k == LP_CLAIM_ACHIEVEMENT)
			am = &cbor_map_handle(full)[i];
	}
	const uint8_t *dg = NULL;
	lp_view sv;
	lp_err e = lp_spec_attached(am && cbor_isa_map(am->value) ? am->value : NULL, unprot, &dg, &sv, d);
	if (e != LP_OK || !dg)
		return e;
	memcpy(r->spec_digest, dg, DIGEST_BYTES);
	lp_buf found = { 0 };
	if (sv.ptr) {
		r->spec_source = LP_SPEC_INCLUDED;
	} else if (p->spec_lookup && p->spec_lookup(p->spec_ctx, dg, &found) == LP_OK && found.ptr) {
		sv = lp_buf_view(&found);
		r->spec_source = LP_SPEC_LOOKED_UP;
	} else {
		lp_buf_free(&found);
		r->spec_source = LP_SPEC_MISSING;
		return LP_OK;
	}
	cbor_item_t *sm = NULL, *merged = NULL;
	e = lp_spec_load(sv, dg, &sm, d);
	if (e == LP_OK)
		e = lp_spec_merge(am->value, sm, &merged, d);
	if (e == LP_OK && r->spec_source == LP_SPEC_INCLUDED)
		e = lp_buf_dup(&r->spec, sv.ptr, sv.len);
	if (e == LP_OK) {
		cbor_decref(&am->value);
		am->value = merged;
		merged = NULL;
	}
	if (sm)
		cbor_decref(&sm);
	if (merged)
		cbor_decref(&merged);
	lp_buf_free(&found);
	return e;
}

/* Disclosures (draft step 7), the specification, the claims JSON and the
 * withheld names. */
static lp_err cred_disclosed(const lp_sign1 *s, const cbor_item_t *claims,
			     const lp_sdcwt_verify_params *p, lp_sdcwt_result *r)
{
	lp_diag *d = &r->diag;
	struct discs ds;
	cbor_item_t *full = NULL;
	json_t *out = NULL, *ach = NULL;
	lp_err e = discs_load(s->unprotected, &ds, d);
	if (e != LP_OK)
		return e;
	struct rctx c = { &ds, 0, d };
	e = rebuild(&c, claims, 1, 1, &full);
	if (e != LP_OK)
		goto out;
	for (size_t i = 0; i < ds.n; i++)
		if (!ds.v[i].uses) {
			e = lp_diag_set(d, LP_ERR_DIGEST_MISMATCH, 0,
					"disclosure %zu matches no digest the issuer signed", i);
			goto out;
		}
	r->undisclosed_digests = c.undisclosed;
	e = spec_attach(full, s->unprotected, p, r);
	if (e != LP_OK)
		goto out;
	const cbor_item_t *am = lp_cbor_map_get_int(full, LP_CLAIM_ACHIEVEMENT);
	if (am) {
		/* The achievement claims are the report's first members: start
		 * from their object rather than copying it into an empty one. */
		e = lp_claims_item_to_json(am, &ach, d);
		if (e != LP_OK)
			goto out;
		out = ach;
		ach = NULL;
		/* Key 0 lists the redactable keys; absent ones were withheld. */
		const cbor_item_t *rl = lp_cbor_map_get_int(am, LP_CK_REDACTABLE);
		if (rl) {
			if (!cbor_isa_array(rl)) {
				e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "redactable key list is not an array");
				goto out;
			}
			for (size_t i = 0; i < cbor_array_size(rl); i++) {
				int64_t k;
				char buf[24];
				const char *name = buf;
				if (!lp_cbor_get_int(cbor_array_handle(rl)[i], &k)) {
					e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
							"redactable key list holds a non-integer");
					goto out;
				}
				const lp_claim_def *cd = lp_claims_by_key(k);
				if (cd)
					name = cd->name;
				else
					(void)snprintf(buf, sizeof buf, "%lld", (long long)k);
				e = names_add(&r->redactable, &r->redactable_count, name);
				if (e == LP_OK && !lp_cbor_map_get_int(am, k))
					e = names_add(&r->withheld, &r->withheld_count, name);
				if (e != LP_OK)
					goto out;
			}
		}
	}
	if (!out && !(out = json_object())) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < cbor_map_size(full); i++) {
		struct cbor_pair pr = cbor_map_handle(full)[i];
		int64_t k;
		char buf[260];
		json_t *v = NULL;
		if (lp_cbor_get_int(pr.key, &k)) {
			if (top_reported(k))
				continue;
			if (k == CL_SUB)
				(void)snprintf(buf, sizeof buf, "sub");
			else
				(void)snprintf(buf, sizeof buf, "%lld", (long long)k);
		} else {
			const char *ts;
			size_t tn;
			if (!get_text(pr.key, &ts, &tn) || tn >= sizeof buf || memchr(ts, 0, tn))
				continue;
			memcpy(buf, ts, tn);
			buf[tn] = 0;
		}
		if (json_object_get(out, buf))
			continue;
		e = lp_cbor_to_json_generic(pr.value, CLAIMS_DEPTH, &v, d);
		if (e != LP_OK)
			goto out;
		if (json_object_set_new(out, buf, v) != 0) {
			e = LP_ERR_NOMEM;
			goto out;
		}
	}
	lp_buf jb = { 0 };
	e = lp_json_to_buf(out, &jb);
	if (e == LP_OK)
		r->claims_json = (char *)jb.ptr;
out:
	json_decref(out);
	json_decref(ach);
	if (full)
		cbor_decref(&full);
	discs_free(&ds);
	return e;
}

/* Caller-given times within bounds, so that sums with claim times (also
 * bounded by 2^53) cannot overflow. */
static bool params_ok(const lp_sdcwt_verify_params *p)
{
	const int64_t lim = 9007199254740992LL;
	return p->now >= -lim && p->now <= lim && p->skew >= 0 && p->skew <= lim && p->max_age >= 0 &&
	       p->max_age <= lim;
}

static void result_reset(lp_sdcwt_result *r)
{
	memset(r, 0, sizeof *r);
}

static lp_err finish(lp_sdcwt_result *r, lp_err e)
{
	r->err = e;
	if (e != LP_OK) {
		if (r->diag.code != e)
			(void)lp_diag_set(&r->diag, e, 0, "%s", lp_err_str(e));
		free(r->claims_json);
		r->claims_json = NULL;
	} else {
		memset(&r->diag, 0, sizeof r->diag);
	}
	return e;
}

lp_err lp_sdcwt_verify_credential(lp_view credential, const lp_sdcwt_verify_params *p,
				  lp_sdcwt_result *r)
{
	if (!r)
		return LP_ERR_ARG;
	result_reset(r);
	if (!p || !credential.ptr || !params_ok(p))
		return finish(r, lp_diag_set(&r->diag, LP_ERR_ARG, 0,
					     "credential and sane verification parameters required"));
	if (credential.len > LP_SDCWT_MAX_BYTES)
		return finish(r, lp_diag_set(&r->diag, LP_ERR_TOO_LARGE, 0, "credential too large"));
	lp_sign1 s;
	cbor_item_t *claims = NULL;
	lp_err e = lp_sign1_parse(credential, true, &s, &r->diag);
	if (e != LP_OK)
		return finish(r, e);
	e = cred_signed(&s, p, r, &claims);
	if (e == LP_OK && p->expect_cnf && (!r->has_cnf || !lp_pubkey_equal(&r->cnf, p->expect_cnf)))
		e = lp_diag_set(&r->diag, LP_ERR_NOT_BOUND, 0,
				"credential is not bound to the expected holder key");
	if (e == LP_OK)
		e = cred_times(p, r);
	if (e == LP_OK) {
		const cbor_item_t *aud = lp_cbor_map_get_int(claims, CL_AUD);
		if (aud && p->aud && !text_eq(aud, p->aud))
			e = lp_diag_set(&r->diag, LP_ERR_AUDIENCE, 0, "credential meant for another audience");
	}
	if (e == LP_OK)
		e = cred_disclosed(&s, claims, p, r);
	if (claims)
		cbor_decref(&claims);
	lp_sign1_free(&s);
	return finish(r, e);
}

/* Draft step 6: the SD-KBT's own time claims and their relation to the
 * credential's. */
static lp_err kbt_times(const lp_sdcwt_verify_params *p, lp_sdcwt_result *r, bool has_cti, bool has_nbf,
			int64_t nbf, bool has_exp, int64_t exp)
{
	lp_diag *d = &r->diag;
	bool hi = r->has_kbt_iat;
	int64_t iat = r->kbt_iat;
	if (!has_cti && !hi)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "presentation has neither iat nor cti");
	if (!hi && (has_exp || has_nbf))
		return lp_diag_set(d, LP_ERR_TIME_ORDER, 0, "presentation has exp or nbf without iat");
	if ((has_nbf && hi && nbf > iat) || (hi && has_exp && iat >= exp) ||
	    (has_exp && r->has_exp && exp > r->exp) || (has_nbf && r->has_nbf && nbf < r->nbf) ||
	    (hi && r->has_iat && iat < r->iat) || (has_nbf && r->has_exp && nbf >= r->exp) ||
	    (hi && r->has_exp && iat >= r->exp) || (hi && r->has_nbf && iat < r->nbf))
		return lp_diag_set(d, LP_ERR_TIME_ORDER, 0,
				   "presentation time claims in an order the SD-CWT draft forbids");
	if (hi && p->now + p->skew < iat)
		return lp_diag_set(d, LP_ERR_NOT_YET_VALID, 0, "presentation made in the future");
	if (hi && p->max_age > 0 && p->now - p->skew > iat + p->max_age)
		return lp_diag_set(d, LP_ERR_EXPIRED, 0, "presentation older than %lld seconds",
				   (long long)p->max_age);
	if (has_exp && p->now - p->skew >= exp)
		return lp_diag_set(d, LP_ERR_EXPIRED, 0, "presentation expired");
	if (has_nbf && p->now + p->skew < nbf)
		return lp_diag_set(d, LP_ERR_NOT_YET_VALID, 0, "presentation not yet valid");
	return LP_OK;
}

lp_err lp_sdcwt_verify(lp_view presentation, const lp_sdcwt_verify_params *p, lp_sdcwt_result *r)
{
	if (!r)
		return LP_ERR_ARG;
	result_reset(r);
	r->is_presentation = true;
	if (!p || !presentation.ptr || !p->aud || !params_ok(p))
		return finish(r, lp_diag_set(&r->diag, LP_ERR_ARG, 0,
					     "presentation, parameters and expected audience required"));
	if (presentation.len > LP_SDCWT_MAX_BYTES)
		return finish(r, lp_diag_set(&r->diag, LP_ERR_TOO_LARGE, 0, "presentation too large"));
	lp_sign1 kbt, cred;
	cbor_item_t *claims = NULL, *kp = NULL;
	bool cred_ok = false;
	memset(&cred, 0, sizeof cred);
	lp_diag *d = &r->diag;
	lp_err e = lp_sign1_parse(presentation, true, &kbt, d);
	if (e != LP_OK)
		return finish(r, e);
	/* Step 1: the SD-KBT's protected header and the SD-CWT in kcwt. */
	if (!typ_ok(kbt.protected_map, LP_TYP_SD_KBT, "application/kb+cwt", NULL)) {
		e = lp_diag_set(d, LP_ERR_TYP, 0, "presentation typ is not SD-KBT (294)");
		goto out;
	}
	if (lp_cbor_map_get_int(kbt.protected_map, CWT_CLAIMS_HDR)) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "SD-KBT must not carry CWT claims in its header");
		goto out;
	}
	cbor_item_t *kc = lp_cbor_map_get_int(kbt.protected_map, LP_HDR_KCWT);
	if (!kc) {
		e = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "presentation carries no credential (kcwt)");
		goto out;
	}
	e = lp_sign1_from_item(kc, true, &cred, d);
	if (e != LP_OK)
		goto out;
	cred_ok = true;
	/* Steps 2 and 4: issuer signature, then the confirmation key. */
	e = cred_signed(&cred, p, r, &claims);
	if (e != LP_OK)
		goto out;
	if (!r->has_cnf) {
		e = lp_diag_set(d, LP_ERR_HOLDER_BINDING, 0,
				"credential is not bound to a holder key, so it cannot be presented");
		goto out;
	}
	/* Step 5: the SD-KBT signed by the cnf key. */
	e = lp_sign1_verify(&kbt, &r->cnf, lp_view_of(NULL, 0));
	if (e != LP_OK) {
		e = lp_diag_set(d, LP_ERR_HOLDER_BINDING, 0,
				"presentation not signed by the credential's holder key (%s)", lp_err_str(e));
		goto out;
	}
	e = lp_cbor_load(kbt.payload, LP_CBOR_MAX_DEPTH, &kp, d);
	if (e != LP_OK)
		goto out;
	if (!cbor_isa_map(kp)) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "presentation payload is not a claims map");
		goto out;
	}
	if (lp_cbor_map_get_int(kp, CL_ISS) || lp_cbor_map_get_int(kp, CL_SUB)) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "SD-KBT must not carry iss or sub");
		goto out;
	}
	e = opt_text(kp, CL_AUD, &r->aud, d);
	if (e != LP_OK)
		goto out;
	bool has_nbf, has_exp;
	int64_t nbf, exp;
	if ((e = opt_time(kp, CL_IAT, &r->has_kbt_iat, &r->kbt_iat, d)) != LP_OK ||
	    (e = opt_time(kp, CL_NBF, &has_nbf, &nbf, d)) != LP_OK ||
	    (e = opt_time(kp, CL_EXP, &has_exp, &exp, d)) != LP_OK)
		goto out;
	const cbor_item_t *kcti = lp_cbor_map_get_int(kp, CL_CTI);
	const cbor_item_t *cn = lp_cbor_map_get_int(kp, LP_CLAIM_CNONCE);
	const uint8_t *cnp = NULL;
	size_t cnl = 0;
	if (cn && !get_bytes(cn, &cnp, &cnl)) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "cnonce must be a byte string");
		goto out;
	}
	r->cnonce_present = cn != NULL;
	/* Steps 3 and 6. */
	e = cred_times(p, r);
	if (e == LP_OK)
		e = kbt_times(p, r, kcti != NULL, has_nbf, nbf, has_exp, exp);
	if (e != LP_OK)
		goto out;
	/* Step 8: audience of the SD-KBT (required) and of the SD-CWT (if any). */
	if (!r->aud) {
		e = lp_diag_set(d, LP_ERR_AUDIENCE, 0, "presentation names no audience");
		goto out;
	}
	const cbor_item_t *caud = lp_cbor_map_get_int(claims, CL_AUD);
	if (strcmp(r->aud, p->aud) != 0 || (caud && !text_eq(caud, p->aud))) {
		e = lp_diag_set(d, LP_ERR_AUDIENCE, 0, "presentation meant for \"%.80s\"", r->aud);
		goto out;
	}
	if (p->cnonce && (!cn || cnl != p->cnonce_len ||
			  sodium_memcmp(cnp, p->cnonce, p->cnonce_len) != 0)) {
		e = lp_diag_set(d, LP_ERR_NONCE, 0, cn ? "presentation answers another challenge"
						      : "presentation does not answer the challenge");
		goto out;
	}
	/* Step 7. */
	e = cred_disclosed(&cred, claims, p, r);
out:
	if (kp)
		cbor_decref(&kp);
	if (claims)
		cbor_decref(&claims);
	if (cred_ok)
		lp_sign1_free(&cred);
	lp_sign1_free(&kbt);
	return finish(r, e);
}

void lp_sdcwt_result_free(lp_sdcwt_result *r)
{
	if (!r)
		return;
	free(r->iss);
	free(r->kid);
	free(r->vct);
	free(r->status_uri);
	free(r->aud);
	lp_buf_free(&r->spec);
	if (r->claims_json) {
		sodium_memzero(r->claims_json, strlen(r->claims_json));
		free(r->claims_json);
	}
	for (size_t i = 0; i < r->withheld_count; i++)
		free(r->withheld[i]);
	free(r->withheld);
	for (size_t i = 0; i < r->redactable_count; i++)
		free(r->redactable[i]);
	free(r->redactable);
	memset(r, 0, sizeof *r);
}

/* ---- presentation -------------------------------------------------------------- */

/* Where does the digest of x sit: 1 top level, 2 achievement map, 3 deeper
 * or in an array, 0 nowhere. Only simple(59) lists of the top level and the
 * achievement map are searched: presentation selects by claim name there. */
static int digest_place(const cbor_item_t *claims, const uint8_t *dg)
{
	const cbor_item_t *maps[2] = { claims, lp_cbor_map_get_int(claims, LP_CLAIM_ACHIEVEMENT) };
	for (int m = 0; m < 2; m++) {
		if (!maps[m] || !cbor_isa_map(maps[m]))
			continue;
		for (size_t i = 0; i < cbor_map_size(maps[m]); i++) {
			struct cbor_pair pr = cbor_map_handle(maps[m])[i];
			if (!is_simple59(pr.key) || !cbor_isa_array(pr.value))
				continue;
			for (size_t k = 0; k < cbor_array_size(pr.value); k++) {
				const uint8_t *p;
				size_t n;
				if (get_bytes(cbor_array_handle(pr.value)[k], &p, &n) && n == DIGEST_BYTES &&
				    memcmp(p, dg, DIGEST_BYTES) == 0)
					return m + 1;
			}
		}
	}
	return 3;
}

/* The name a map-key disclosure is selected by: the claim's JSON name in the
 * achievement map; text keys as they are; other integer keys in decimal. */
static void disclosure_name(const struct disc *x, int place, char *buf, size_t cap)
{
	const cbor_item_t *k = cbor_array_handle(x->arr)[2];
	int64_t v;
	const char *s;
	size_t n;
	buf[0] = 0;
	if (lp_cbor_get_int(k, &v)) {
		const lp_claim_def *c = place == 2 ? lp_claims_by_key(v) : NULL;
		if (c)
			(void)snprintf(buf, cap, "%s", c->name);
		else
			(void)snprintf(buf, cap, "%lld", (long long)v);
	} else if (get_text(k, &s, &n) && n < cap) {
		memcpy(buf, s, n);
		buf[n] = 0;
	}
}

/* Rebuild a COSE_Sign1 item with the same protected header, payload and
 * signature bytes and the given unprotected map (consumed). */
static cbor_item_t *sign1_with_unprotected(const lp_sign1 *s, cbor_item_t *unprot)
{
	cbor_item_t *arr = cbor_new_definite_array(4), *tag = NULL;
	bool ok = arr && push(arr, bytes_item(s->protected_bstr.ptr, s->protected_bstr.len)) &&
		  push(arr, unprot);
	unprot = NULL;
	ok = ok && push(arr, bytes_item(s->payload.ptr, s->payload.len)) &&
	     push(arr, bytes_item(s->signature.ptr, s->signature.len));
	if (ok)
		tag = cbor_new_tag(LP_TAG_SIGN1);
	if (tag)
		cbor_tag_set_item(tag, arr);
	if (arr)
		cbor_decref(&arr);
	if (unprot)
		cbor_decref(&unprot);
	return tag;
}

lp_err lp_sdcwt_present(lp_view credential, const lp_sdcwt_present_params *p,
			const uint8_t holder_sk[LP_ED25519_SK_BYTES], lp_buf *out, lp_diag *d)
{
	lp_sign1 s;
	struct discs ds;
	cbor_item_t *claims = NULL, *sel = NULL, *unprot = NULL, *cwt = NULL, *prot = NULL,
		    *pay = NULL, *spec = NULL;
	lp_view carried = { NULL, 0 };
	lp_buf pl = { 0 };
	bool *want = NULL;
	lp_err e;
	out->ptr = NULL;
	out->len = 0;
	memset(&ds, 0, sizeof ds);
	if (!p || !holder_sk || !p->aud || !*p->aud || (p->cnonce && (p->cnonce_len == 0 ||
								     p->cnonce_len > 64)))
		return lp_diag_set(d, LP_ERR_ARG, 0, "presentation needs an audience, the holder key "
				   "and a challenge of 1..64 bytes if any");
	if (credential.len > LP_SDCWT_MAX_BYTES)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "credential too large");
	e = lp_sign1_parse(credential, true, &s, d);
	if (e != LP_OK)
		return e;
	if (!typ_ok(s.protected_map, LP_TYP_SD_CWT, "application/sd-cwt", "+sd-cwt")) {
		e = lp_diag_set(d, LP_ERR_TYP, 0, "not an SD-CWT credential (typ 293)");
		goto out;
	}
	e = lp_cbor_load(s.payload, LP_CBOR_MAX_DEPTH, &claims, d);
	if (e != LP_OK)
		goto out;
	{
		const cbor_item_t *cnf = cbor_isa_map(claims) ? lp_cbor_map_get_int(claims, CL_CNF) : NULL;
		lp_pubkey ck, mine;
		lp_pubkey_ed25519(&mine, holder_sk + 32);
		if (!cnf || parse_cnf(cnf, &ck, NULL) != LP_OK || !lp_pubkey_equal(&ck, &mine)) {
			e = lp_diag_set(d, LP_ERR_NOT_BOUND, 0,
					"credential is not bound to this holder key");
			goto out;
		}
	}
	e = discs_load(s.unprotected, &ds, d);
	if (e != LP_OK)
		goto out;
	{
		const uint8_t *dg = NULL;
		e = lp_spec_attached(lp_cbor_map_get_int(claims, LP_CLAIM_ACHIEVEMENT), s.unprotected, &dg,
				     &carried, d);
		if (e == LP_OK && carried.ptr)
			e = lp_spec_load(carried, dg, &spec, d);
		if (e != LP_OK)
			goto out;
	}
	want = calloc(p->disclose_count + 1, sizeof *want);
	sel = cbor_new_definite_array(ds.n ? ds.n : 1);
	if (!want || !sel) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < ds.n; i++) {
		struct disc *x = &ds.v[i];
		char name[260];
		if (x->n != 3)
			continue; /* decoys are never sent; array elements are not selectable */
		disclosure_name(x, digest_place(claims, x->digest), name, sizeof name);
		for (size_t k = 0; k < p->disclose_count; k++)
			if (p->disclose[k] && strcmp(p->disclose[k], name) == 0) {
				if (!want[k] && !push(sel, cbor_incref((cbor_item_t *)x->bstr))) {
					e = LP_ERR_NOMEM;
					goto out;
				}
				want[k] = true;
			}
	}
	for (size_t k = 0; k < p->disclose_count; k++) {
		if (want[k])
			continue;
		/* Always-shown claims need no disclosure, nor do those of the
		 * achievement specification. */
		const lp_claim_def *c = p->disclose[k] ? lp_claims_by_name(p->disclose[k]) : NULL;
		const cbor_item_t *am = lp_cbor_map_get_int(claims, LP_CLAIM_ACHIEVEMENT);
		if (c && am && cbor_isa_map(am) && lp_cbor_map_get_int(am, c->key))
			continue;
		if (c && spec && lp_cbor_map_get_int(spec, c->key))
			continue;
		e = lp_diag_set(d, LP_ERR_NOT_FOUND, 0, "the credential has no claim '%s' to disclose",
				p->disclose[k] ? p->disclose[k] : "(null)");
		goto out;
	}
	unprot = cbor_new_definite_map(2);
	if (!unprot) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	if (cbor_array_size(sel) > 0) {
		bool ok = put(unprot, lp_cbor_int(LP_HDR_SD_CLAIMS), sel);
		sel = NULL;
		if (!ok) {
			e = LP_ERR_NOMEM;
			goto out;
		}
	}
	if (carried.ptr && p->include_specification &&
	    !put(unprot, lp_cbor_int(LP_HDR_SPEC), bytes_item(carried.ptr, carried.len))) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	cwt = sign1_with_unprotected(&s, unprot);
	unprot = NULL;
	e = LP_ERR_NOMEM;
	if (!cwt)
		goto out;
	prot = cbor_new_definite_map(3);
	if (!prot || !put(prot, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)) ||
	    !put(prot, lp_cbor_int(LP_HDR_KCWT), cbor_incref(cwt)) ||
	    !put(prot, lp_cbor_int(LP_HDR_TYP), lp_cbor_int(LP_TYP_SD_KBT)))
		goto out;
	pay = cbor_new_definite_map(3);
	if (!pay || !put(pay, lp_cbor_int(CL_AUD), text_item(p->aud)) ||
	    !put(pay, lp_cbor_int(CL_IAT), lp_cbor_int(p->iat)))
		goto out;
	if (p->cnonce && !put(pay, lp_cbor_int(LP_CLAIM_CNONCE), bytes_item(p->cnonce, p->cnonce_len)))
		goto out;
	e = lp_cbor_encode(pay, &pl);
	if (e == LP_OK)
		e = lp_sign1_create_ed25519(prot, NULL, lp_buf_view(&pl), lp_view_of(NULL, 0), holder_sk, out);
out:
	if (e != LP_OK && d && d->code != e)
		(void)lp_diag_set(d, e, 0, "%s", lp_err_str(e));
	free(want);
	discs_free(&ds);
	lp_buf_free(&pl);
	cbor_item_t *all[] = { claims, sel, unprot, cwt, prot, pay, spec };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i])
			cbor_decref(&all[i]);
	lp_sign1_free(&s);
	return e;
}

lp_err lp_sdcwt_extract_credential(lp_view presentation, lp_buf *out, lp_diag *d)
{
	lp_sign1 kbt;
	out->ptr = NULL;
	out->len = 0;
	if (presentation.len > LP_SDCWT_MAX_BYTES)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "presentation too large");
	lp_err e = lp_sign1_parse(presentation, true, &kbt, d);
	if (e != LP_OK)
		return e;
	const cbor_item_t *kc = lp_cbor_map_get_int(kbt.protected_map, LP_HDR_KCWT);
	if (!kc)
		e = lp_diag_set(d, LP_ERR_COSE_STRUCTURE, 0, "presentation carries no credential (kcwt)");
	else
		e = lp_cbor_encode(kc, out);
	lp_sign1_free(&kbt);
	return e;
}
