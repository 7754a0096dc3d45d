/* Reading a credential inside the wallet without its issuer's key: the
 * structure, the claims, the holder binding, and that every disclosure the
 * wallet holds matches a digest the issuer signed. Used on import (before
 * storing), by list/show/export, and to preview a presentation. Also splits
 * an import file into its copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cose_int.h"
#include "leerpas/claims.h"
#include "leerpas/wallet.h"
#include "spec_int.h"

#define CL_ISS 1
#define CL_EXP 4
#define CL_NBF 5
#define CL_IAT 6
#define CL_CTI 7
#define CL_CNF 8
#define CL_VCT 11
#define CL_STATUS 65535
#define CL_ACH (-65537)
#define TYP_SDCWT 293
#define SD_ALG_SHA256 (-16)
#define DIGEST 32
#define MAX_DISCLOSURES 256

static bool is_simple59(const cbor_item_t *it)
{
	return cbor_isa_float_ctrl(it) && cbor_float_get_width(it) == CBOR_FLOAT_0 &&
	       cbor_ctrl_value(it) == 59;
}

static bool get_bytes(const cbor_item_t *it, const uint8_t **p, size_t *n)
{
	if (!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return false;
	*p = cbor_bytestring_handle(it);
	*n = cbor_bytestring_length(it);
	return true;
}

static char *dup_text(const cbor_item_t *it)
{
	if (!it || !cbor_isa_string(it) || !cbor_string_is_definite(it))
		return NULL;
	size_t n = cbor_string_length(it);
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, cbor_string_handle(it), n);
	s[n] = '\0';
	if (memchr(s, 0, n)) {
		free(s);
		return NULL;
	}
	return s;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

/* SHA-256 over the disclosure as a CBOR byte string (head + content). */
static void digest_of(const uint8_t *p, size_t n, uint8_t out[DIGEST])
{
	uint8_t head[9];
	size_t hl;
	if (n < 24) {
		head[0] = (uint8_t)(0x40 | n);
		hl = 1;
	} else if (n <= 0xff) {
		head[0] = 0x58;
		head[1] = (uint8_t)n;
		hl = 2;
	} else if (n <= 0xffff) {
		head[0] = 0x59;
		head[1] = (uint8_t)(n >> 8);
		head[2] = (uint8_t)n;
		hl = 3;
	} else {
		head[0] = 0x5a;
		for (int i = 0; i < 4; i++)
			head[1 + i] = (uint8_t)((uint64_t)n >> (24 - 8 * i));
		hl = 5;
	}
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, head, hl);
	crypto_hash_sha256_update(&st, p, n);
	crypto_hash_sha256_final(&st, out);
}

void lp_wallet_credinfo_free(lp_wallet_credinfo *ci)
{
	if (!ci)
		return;
	free(ci->iss);
	free(ci->vct);
	free(ci->title);
	free(ci->status_uri);
	free(ci->shown_json);
	for (size_t i = 0; i < ci->nredactable; i++) {
		free(ci->redactable[i].name);
		free(ci->redactable[i].json);
	}
	free(ci->redactable);
	memset(ci, 0, sizeof *ci);
}

/* The digests under simple(59) of map m (NULL when there are none). */
static lp_err map_digests(const cbor_item_t *m, const cbor_item_t **arr, lp_diag *d)
{
	*arr = NULL;
	for (size_t i = 0; i < cbor_map_size(m); i++) {
		struct cbor_pair p = cbor_map_handle(m)[i];
		if (!is_simple59(p.key))
			continue;
		if (!cbor_isa_array(p.value))
			return lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
					   "redacted claim digests are not an array");
		for (size_t j = 0; j < cbor_array_size(p.value); j++) {
			const uint8_t *b;
			size_t n;
			if (!get_bytes(cbor_array_handle(p.value)[j], &b, &n) || n != DIGEST)
				return lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
						   "a redacted claim digest is not 32 bytes");
		}
		*arr = p.value;
	}
	return LP_OK;
}

static bool in_digests(const cbor_item_t *arr, const uint8_t dg[DIGEST])
{
	if (!arr)
		return false;
	for (size_t j = 0; j < cbor_array_size(arr); j++)
		if (memcmp(cbor_bytestring_handle(cbor_array_handle(arr)[j]), dg, DIGEST) == 0)
			return true;
	return false;
}

/* A JSON object {name: value} from one CBOR achievement pair, split into
 * the name and the value's JSON text. */
static lp_err claim_json(const cbor_item_t *key, const cbor_item_t *value, lp_wallet_claim *out,
			 lp_diag *d)
{
	lp_err e = LP_ERR_NOMEM;
	lp_buf cb = { NULL, 0 }, js = { NULL, 0 };
	json_t *obj = NULL;
	cbor_item_t *m = cbor_new_definite_map(1);
	if (!m)
		return LP_ERR_NOMEM;
	if (!cbor_map_add(m, (struct cbor_pair){ .key = (cbor_item_t *)key, .value = (cbor_item_t *)value }))
		goto out;
	if ((e = lp_cbor_encode(m, &cb)) != LP_OK)
		goto out;
	if ((e = lp_claims_to_json(lp_buf_view(&cb), &js, d)) != LP_OK)
		goto out;
	obj = json_loadb((const char *)js.ptr, js.len, 0, NULL);
	e = LP_ERR_CLAIMS;
	if (!obj || !json_is_object(obj) || json_object_size(obj) != 1)
		goto out;
	const char *name;
	json_t *v;
	json_object_foreach(obj, name, v)
	{
		out->name = dup_str(name);
		out->json = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	}
	e = out->name && out->json ? LP_OK : LP_ERR_NOMEM;
out:
	json_decref(obj);
	lp_buf_free(&js);
	lp_buf_free(&cb);
	cbor_decref(&m);
	return e;
}

/* The achievement map without key 0 and simple(59), as JSON. */
static lp_err shown_json(const cbor_item_t *ach, char **out, lp_diag *d)
{
	lp_err e = LP_ERR_NOMEM;
	lp_buf cb = { NULL, 0 }, js = { NULL, 0 };
	cbor_item_t *m = cbor_new_definite_map(ach ? cbor_map_size(ach) : 0);
	if (!m)
		return LP_ERR_NOMEM;
	for (size_t i = 0; ach && i < cbor_map_size(ach); i++) {
		struct cbor_pair p = cbor_map_handle(ach)[i];
		int64_t k;
		if (is_simple59(p.key) || (lp_cbor_get_int(p.key, &k) && k == 0))
			continue;
		if (!cbor_map_add(m, p))
			goto out;
	}
	if ((e = lp_cbor_encode(m, &cb)) != LP_OK)
		goto out;
	if ((e = lp_claims_to_json(lp_buf_view(&cb), &js, d)) != LP_OK)
		goto out;
	*out = malloc(js.len + 1);
	if (!*out) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	memcpy(*out, js.ptr, js.len);
	(*out)[js.len] = '\0';
out:
	lp_buf_free(&js);
	lp_buf_free(&cb);
	cbor_decref(&m);
	return e;
}

static lp_err read_cnf(const cbor_item_t *cnf, lp_wallet_credinfo *ci, lp_diag *d)
{
	lp_buf kb = { NULL, 0 };
	lp_pubkey pk;
	const cbor_item_t *ck = cbor_isa_map(cnf) ? lp_cbor_map_get_int(cnf, 1) : NULL;
	if (!ck || !cbor_isa_map(ck))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "cnf is not {1: COSE_Key}");
	lp_err e = lp_cbor_encode(ck, &kb);
	if (e != LP_OK)
		return e;
	e = lp_pubkey_from_cose(lp_buf_view(&kb), &pk, d);
	lp_buf_free(&kb);
	if (e != LP_OK)
		return e;
	if (pk.kty != 1 || pk.crv != 6 || pk.x_len != LP_WALLET_PK_BYTES)
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 0,
				   "the holder key is not an Ed25519 key (this wallet makes only those)");
	memcpy(ci->cnf, pk.x, LP_WALLET_PK_BYTES);
	ci->has_cnf = true;
	return LP_OK;
}

static lp_err read_payload(const cbor_item_t *pl, lp_wallet_credinfo *ci, const cbor_item_t **ach,
			   lp_diag *d)
{
	int64_t v;
	const cbor_item_t *it;
	if (!cbor_isa_map(pl))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "the credential payload is not a map");
	ci->iss = dup_text(lp_cbor_map_get_int(pl, CL_ISS));
	if (!ci->iss || !*ci->iss)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "the credential names no issuer (iss)");
	it = lp_cbor_map_get_int(pl, CL_IAT);
	if (!it || !lp_cbor_get_int(it, &ci->iat))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "the credential has no issue time (iat)");
	if ((it = lp_cbor_map_get_int(pl, CL_NBF))) {
		if (!lp_cbor_get_int(it, &ci->nbf))
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "nbf is not an integer");
		ci->has_nbf = true;
	}
	if ((it = lp_cbor_map_get_int(pl, CL_EXP))) {
		if (!lp_cbor_get_int(it, &ci->exp))
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "exp is not an integer");
		ci->has_exp = true;
	}
	if ((it = lp_cbor_map_get_int(pl, CL_CTI))) {
		const uint8_t *b;
		size_t n;
		if (!get_bytes(it, &b, &n) || n == 0 || n > sizeof ci->cti)
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "cti is not 1..64 bytes");
		memcpy(ci->cti, b, n);
		ci->cti_len = n;
	}
	if ((it = lp_cbor_map_get_int(pl, CL_VCT))) {
		ci->vct = dup_text(it);
		if (!ci->vct)
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "vct is not text");
	} else {
		ci->vct = dup_str("");
		if (!ci->vct)
			return LP_ERR_NOMEM;
	}
	if ((it = lp_cbor_map_get_int(pl, CL_CNF))) {
		lp_err e = read_cnf(it, ci, d);
		if (e != LP_OK)
			return e;
	}
	if ((it = lp_cbor_map_get_int(pl, CL_STATUS))) {
		const cbor_item_t *sl = cbor_isa_map(it) ? lp_cbor_map_get_str(it, "status_list") : NULL;
		const cbor_item_t *idx = sl && cbor_isa_map(sl) ? lp_cbor_map_get_str(sl, "idx") : NULL;
		const cbor_item_t *uri = sl && cbor_isa_map(sl) ? lp_cbor_map_get_str(sl, "uri") : NULL;
		if (!idx || !lp_cbor_get_int(idx, &v) || v < 0 || !(ci->status_uri = dup_text(uri)))
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "the status claim is malformed");
		ci->status_idx = (uint64_t)v;
		ci->has_status = true;
	}
	*ach = lp_cbor_map_get_int(pl, CL_ACH);
	if (*ach && !cbor_isa_map(*ach))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "the achievement claims are not a map");
	return LP_OK;
}

/* Check every disclosure in sd (unprotected 17) against the digests of the
 * payload top level and the achievement map; collect the claims. */
static lp_err read_disclosures(const cbor_item_t *sd, const cbor_item_t *pl, const cbor_item_t *ach,
			       lp_wallet_credinfo *ci, lp_diag *d)
{
	const cbor_item_t *top_dg = NULL, *ach_dg = NULL;
	lp_err e = map_digests(pl, &top_dg, d);
	if (e == LP_OK && ach)
		e = map_digests(ach, &ach_dg, d);
	if (e != LP_OK)
		return e;
	if (!sd)
		return LP_OK;
	if (!cbor_isa_array(sd) || cbor_array_size(sd) > MAX_DISCLOSURES)
		return lp_diag_set(d, LP_ERR_DISCLOSURE, 0, "sd_claims is not an array of at most %d",
				   MAX_DISCLOSURES);
	size_t n = cbor_array_size(sd);
	uint8_t (*seen)[DIGEST] = calloc(n ? n : 1, DIGEST);
	ci->redactable = calloc(n ? n : 1, sizeof *ci->redactable);
	if (!seen || !ci->redactable) {
		free(seen);
		return LP_ERR_NOMEM;
	}
	for (size_t i = 0; i < n && e == LP_OK; i++) {
		const uint8_t *b;
		size_t bn;
		cbor_item_t *disc = NULL;
		if (!get_bytes(cbor_array_handle(sd)[i], &b, &bn)) {
			e = lp_diag_set(d, LP_ERR_DISCLOSURE, 0, "disclosure %zu is not a byte string", i + 1);
			break;
		}
		digest_of(b, bn, seen[i]);
		for (size_t j = 0; j < i; j++)
			if (memcmp(seen[j], seen[i], DIGEST) == 0)
				e = lp_diag_set(d, LP_ERR_DUPLICATE_CLAIM, 0, "disclosure %zu appears twice",
						i + 1);
		if (e != LP_OK)
			break;
		bool at_top = in_digests(top_dg, seen[i]), at_ach = in_digests(ach_dg, seen[i]);
		if (!at_top && !at_ach) {
			e = lp_diag_set(d, LP_ERR_DIGEST_MISMATCH, 0,
					"disclosure %zu matches no digest the issuer signed", i + 1);
			break;
		}
		if ((e = lp_cbor_load(lp_view_of(b, bn), LP_CBOR_MAX_DEPTH, &disc, d)) != LP_OK)
			break;
		size_t an = cbor_isa_array(disc) ? cbor_array_size(disc) : 0;
		const uint8_t *salt;
		size_t sn;
		if ((an != 1 && an != 3) || !get_bytes(cbor_array_handle(disc)[0], &salt, &sn) ||
		    sn != 16) {
			e = lp_diag_set(d, LP_ERR_DISCLOSURE, 0,
					"disclosure %zu is not [salt, value, key] or a decoy [salt]", i + 1);
		} else if (an == 3) {
			const cbor_item_t *key = cbor_array_handle(disc)[2];
			const cbor_item_t *val = cbor_array_handle(disc)[1];
			const cbor_item_t *where = at_ach ? ach : pl;
			int64_t k;
			bool clash = false;
			for (size_t j = 0; j < cbor_map_size(where); j++) {
				int64_t mk;
				const cbor_item_t *kk = cbor_map_handle(where)[j].key;
				if (lp_cbor_get_int(key, &k) && lp_cbor_get_int(kk, &mk) && k == mk)
					clash = true;
			}
			if (clash) {
				e = lp_diag_set(d, LP_ERR_DUPLICATE_CLAIM, 0,
						"disclosure %zu repeats a claim that is also shown", i + 1);
			} else if (at_ach) {
				lp_wallet_claim *c = &ci->redactable[ci->nredactable];
				e = claim_json(key, val, c, d);
				if (e == LP_OK) {
					ci->nredactable++;
					for (size_t j = 0; j + 1 < ci->nredactable; j++)
						if (strcmp(ci->redactable[j].name, c->name) == 0)
							e = lp_diag_set(d, LP_ERR_DUPLICATE_CLAIM, 0,
									"claim %s disclosed twice", c->name);
				}
			} else {
				/* a top-level claim that is not ours: keep it by its key */
				lp_wallet_claim *c = &ci->redactable[ci->nredactable];
				char name[32];
				if (lp_cbor_get_int(key, &k))
					snprintf(name, sizeof name, "%lld", (long long)k);
				else
					snprintf(name, sizeof name, "claim-%zu", i + 1);
				c->name = dup_str(name);
				c->json = dup_str("null");
				if (!c->name || !c->json)
					e = LP_ERR_NOMEM;
				else
					ci->nredactable++;
			}
		}
		cbor_decref(&disc);
	}
	free(seen);
	return e;
}

lp_err lp_wallet_inspect(lp_view sdcwt, lp_wallet_credinfo *out, lp_diag *d)
{
	lp_sign1 s;
	cbor_item_t *pl = NULL, *merged = NULL;
	const cbor_item_t *ach = NULL;
	memset(out, 0, sizeof *out);
	lp_err e = lp_sign1_parse(sdcwt, true, &s, d);
	if (e != LP_OK)
		return e;
	int64_t v;
	const cbor_item_t *typ = lp_cbor_map_get_int(s.protected_map, 16);
	if (!typ || !lp_cbor_get_int(typ, &v) || v != TYP_SDCWT) {
		e = lp_diag_set(d, LP_ERR_TYP, 0, "not an SD-CWT credential (typ is not 293)");
		goto out;
	}
	const cbor_item_t *alg = lp_cbor_map_get_int(s.protected_map, 170);
	if (alg && (!lp_cbor_get_int(alg, &v) || v != SD_ALG_SHA256)) {
		e = lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "disclosure digests are not SHA-256");
		goto out;
	}
	const cbor_item_t *kid = lp_cbor_map_get_int(s.protected_map, 4);
	const uint8_t *kb;
	size_t kn;
	if (kid && get_bytes(kid, &kb, &kn) && kn <= sizeof out->kid) {
		memcpy(out->kid, kb, kn);
		out->kid_len = kn;
	}
	if ((e = lp_cbor_load(s.payload, LP_CBOR_MAX_DEPTH, &pl, d)) != LP_OK)
		goto out;
	if ((e = read_payload(pl, out, &ach, d)) != LP_OK)
		goto out;
	const cbor_item_t *sd = s.unprotected ? lp_cbor_map_get_int(s.unprotected, 17) : NULL;
	if ((e = read_disclosures(sd, pl, ach, out, d)) != LP_OK)
		goto out;
	{
		/* The achievement specification travels beside the credential:
		 * check it against the signed digest and show its claims too. */
		const uint8_t *dg = NULL;
		lp_view sv;
		if ((e = lp_spec_attached(ach, s.unprotected, &dg, &sv, d)) != LP_OK)
			goto out;
		out->has_spec_ref = dg != NULL;
		if (sv.ptr) {
			cbor_item_t *sm = NULL;
			if ((e = lp_spec_load(sv, dg, &sm, d)) == LP_OK)
				e = lp_spec_merge(ach, sm, &merged, d);
			if (sm)
				cbor_decref(&sm);
			if (e != LP_OK)
				goto out;
			out->has_spec = true;
			out->spec_bytes = sv.len;
		}
	}
	if ((e = shown_json(merged ? merged : ach, &out->shown_json, d)) != LP_OK)
		goto out;
	const cbor_item_t *title = ach ? lp_cbor_map_get_int(ach, LP_CK_TITLE) : NULL;
	out->title = title ? dup_text(title) : dup_str("");
	if (!out->title)
		e = LP_ERR_NOMEM;
out:
	if (merged)
		cbor_decref(&merged);
	if (pl)
		cbor_decref(&pl);
	lp_sign1_free(&s);
	if (e != LP_OK)
		lp_wallet_credinfo_free(out);
	return e;
}

/* ---- import files ------------------------------------------------------------- */

void lp_wallet_copies_free(lp_buf *copies, size_t n)
{
	if (!copies)
		return;
	for (size_t i = 0; i < n; i++)
		lp_buf_free(&copies[i]);
	free(copies);
}

lp_err lp_wallet_split_copies(lp_view file, lp_buf **copies, size_t *n, lp_diag *d)
{
	cbor_item_t *root = NULL;
	lp_buf *c = NULL;
	size_t k = 0, count = 1;
	*copies = NULL;
	*n = 0;
	lp_err e = lp_cbor_load(file, LP_CBOR_MAX_DEPTH, &root, d);
	if (e != LP_OK)
		return e;
	bool arr = cbor_isa_array(root);
	if (arr)
		count = cbor_array_size(root);
	if (count == 0 || count > LP_WALLET_MAX_COPIES) {
		e = lp_diag_set(d, LP_ERR_MALFORMED, 0, "a credential file holds 1 to %u copies, not %zu",
				LP_WALLET_MAX_COPIES, count);
		goto out;
	}
	c = calloc(count, sizeof *c);
	if (!c) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	for (k = 0; k < count; k++) {
		const cbor_item_t *it = arr ? cbor_array_handle(root)[k] : root;
		const uint8_t *b;
		size_t bn;
		if (!arr) {
			e = lp_buf_dup(&c[k], file.ptr, file.len);
		} else if (get_bytes(it, &b, &bn)) {
			e = lp_buf_dup(&c[k], b, bn);
		} else if (cbor_isa_tag(it)) {
			e = lp_cbor_encode(it, &c[k]);
		} else {
			e = lp_diag_set(d, LP_ERR_MALFORMED, 0,
					"copy %zu is neither a byte string nor a tagged COSE_Sign1", k + 1);
		}
		if (e != LP_OK)
			goto out;
	}
	*copies = c;
	*n = count;
	c = NULL;
out:
	lp_wallet_copies_free(c, c ? count : 0);
	cbor_decref(&root);
	return e;
}
