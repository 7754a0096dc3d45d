/* Trust: issuer descriptions, trust anchors, signed trust lists and the
 * in-memory trust store that finds the key for a credential (see
 * include/leerpas/trust.h and docs/format/trust.md). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "cose_int.h"
#include "internal.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

#define LIST_TYPE "leerpas-trust-list"
#define MAX_SCHOOLS 10000
#define MAX_TYPES 256
#define MAX_STR 1024
#define END_OF_TIME INT64_MAX

/* ---- time ---------------------------------------------------------------- */

void lp_trust_time_format(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, 32, "%lld", (long long)t);
}

lp_err lp_trust_time_parse(const char *s, int64_t *t)
{
	*t = 0;
	if (!s || !*s)
		return LP_ERR_ARG;
	size_t n = strlen(s);
	bool digits = true;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			digits = false;
	if (digits) {
		if (n > 15)
			return LP_ERR_ARG;
		*t = strtoll(s, NULL, 10);
		return LP_OK;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int y, mo, d, h = 0, mi = 0, se = 0;
	char tail[8] = "";
	if (n == 10) {
		if (sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3)
			return LP_ERR_ARG;
	} else if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &se, tail) != 7 ||
		   (strcmp(tail, "Z") != 0 && strcmp(tail, "+00:00") != 0)) {
		return LP_ERR_ARG;
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60 || h < 0 || mi < 0 || se < 0)
		return LP_ERR_ARG;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	time_t v = timegm(&tm);
	if (v == (time_t)-1)
		return LP_ERR_ARG;
	*t = (int64_t)v;
	return LP_OK;
}

/* A JSON time: integer seconds or RFC 3339 text. */
static bool json_time(const json_t *v, int64_t *t)
{
	if (json_is_integer(v)) {
		*t = (int64_t)json_integer_value(v);
		return *t >= 0;
	}
	return json_is_string(v) && lp_trust_time_parse(json_string_value(v), t) == LP_OK;
}

static json_t *json_time_new(int64_t t)
{
	char buf[32];
	lp_trust_time_format(t, buf);
	return json_string(buf);
}

/* ---- base64url ----------------------------------------------------------- */

static json_t *b64url(const uint8_t *p, size_t len)
{
	size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *s = malloc(cap);
	if (!s)
		return NULL;
	sodium_bin2base64(s, cap, p, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	json_t *j = json_string(s);
	free(s);
	return j;
}

/* Decode base64url (no padding) of at most max bytes. */
static bool unb64url(const char *s, uint8_t *out, size_t max, size_t *len)
{
	return sodium_base642bin(out, max, s, strlen(s), NULL, len, NULL,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

/* ---- the model ------------------------------------------------------------ */

struct tkey {
	char *kid;
	lp_pubkey key;
	int64_t from, until;  /* until END_OF_TIME while current */
};

struct tissuer {
	char *id, *name, *country;
	struct tkey *keys;
	size_t nkeys;
	char **types;          /* the description's own credential types */
	size_t ntypes;
	struct tissuer *preds;
	size_t npreds;
};

struct tentry {
	struct tissuer iss;
	int64_t rec_from, rec_until;
	char **types;          /* allowed types ("*" for every type) */
	size_t ntypes;
	char *source;          /* anchor id or "pinned" */
};

struct tanchor {
	char *id, *name, *kid;
	lp_pubkey key;
};

struct tlist {
	char *anchor;
	int64_t issued_at;
	struct tentry *entries;
	size_t nentries;
};

struct lp_trust_store {
	struct tanchor *anchors;
	size_t nanchors;
	struct tlist *lists;
	size_t nlists;
	struct tentry *pins;
	size_t npins;
};

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void issuer_free(struct tissuer *t)
{
	free(t->id);
	free(t->name);
	free(t->country);
	for (size_t i = 0; i < t->nkeys; i++)
		free(t->keys[i].kid);
	free(t->keys);
	strv_free(t->types, t->ntypes);
	for (size_t i = 0; i < t->npreds; i++)
		issuer_free(&t->preds[i]);
	free(t->preds);
	memset(t, 0, sizeof *t);
}

static void entry_free(struct tentry *e)
{
	issuer_free(&e->iss);
	strv_free(e->types, e->ntypes);
	free(e->source);
	memset(e, 0, sizeof *e);
}

static void list_free(struct tlist *l)
{
	for (size_t i = 0; i < l->nentries; i++)
		entry_free(&l->entries[i]);
	free(l->entries);
	free(l->anchor);
	memset(l, 0, sizeof *l);
}

/* A required (or optional) bounded, NUL-free string member. */
static lp_err get_str(const json_t *obj, const char *key, bool required, char **out,
		      const char *what, lp_diag *d)
{
	*out = NULL;
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return lp_diag_set(d, LP_ERR_JSON, 0, "%s lacks \"%s\"", what, key);
		return LP_OK;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > MAX_STR ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return lp_diag_set(d, LP_ERR_JSON, 0, "%s: \"%s\" must be non-empty text", what, key);
	*out = strdup(json_string_value(v));
	return *out ? LP_OK : LP_ERR_NOMEM;
}

/* A list of type strings ("*" allowed). */
static lp_err get_types(const json_t *obj, const char *key, char ***out, size_t *n,
			const char *what, lp_diag *d)
{
	*out = NULL;
	*n = 0;
	const json_t *arr = json_object_get(obj, key);
	if (!arr || json_is_null(arr))
		return LP_OK;
	if (!json_is_array(arr) || json_array_size(arr) > MAX_TYPES)
		return lp_diag_set(d, LP_ERR_JSON, 0, "%s: \"%s\" must be a list of text", what, key);
	size_t cnt = json_array_size(arr);
	char **v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v)
		return LP_ERR_NOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const json_t *s = json_array_get(arr, i);
		if (!json_is_string(s) || json_string_length(s) == 0 ||
		    json_string_length(s) > MAX_STR) {
			strv_free(v, i);
			return lp_diag_set(d, LP_ERR_JSON, 0, "%s: \"%s\" must be a list of text",
					   what, key);
		}
		v[i] = strdup(json_string_value(s));
		if (!v[i]) {
			strv_free(v, i);
			return LP_ERR_NOMEM;
		}
	}
	*out = v;
	*n = cnt;
	return LP_OK;
}

static lp_err parse_key(const json_t *k, struct tkey *out, const char *who, lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(k))
		return lp_diag_set(d, LP_ERR_JSON, 0, "%s: a key entry is not an object", who);
	lp_err rc = get_str(k, "kid", true, &out->kid, "key entry", d);
	if (rc)
		return rc;
	const char *alg = json_string_value(json_object_get(k, "alg"));
	const char *x = json_string_value(json_object_get(k, "x"));
	const char *ck = json_string_value(json_object_get(k, "cose_key"));
	uint8_t buf[512];
	size_t len = 0;
	if (!alg) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "%s: key \"%s\" lacks \"alg\"", who, out->kid);
		goto fail;
	}
	if (x && !ck) {
		if (strcmp(alg, "EdDSA") != 0 || !unb64url(x, buf, sizeof buf, &len) ||
		    len != LP_ED25519_PK_BYTES) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0,
					 "%s: key \"%s\": \"x\" must be the base64url of a 32-byte Ed25519 key with alg EdDSA",
					 who, out->kid);
			goto fail;
		}
		lp_pubkey_ed25519(&out->key, buf);
	} else if (ck && !x) {
		if (!unb64url(ck, buf, sizeof buf, &len) ||
		    lp_pubkey_from_cose(lp_view_of(buf, len), &out->key, NULL) != LP_OK) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0,
					 "%s: key \"%s\": \"cose_key\" is not a base64url COSE_Key", who,
					 out->kid);
			goto fail;
		}
		int want = strcmp(alg, "EdDSA") == 0 ? LP_ALG_EDDSA
			   : strcmp(alg, "ES256") == 0 ? LP_ALG_ES256
			   : strcmp(alg, "ES384") == 0 ? LP_ALG_ES384 : 0;
		if (want == 0 || lp_pubkey_alg(&out->key) != want) {
			rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0,
					 "%s: key \"%s\": alg \"%s\" does not fit the key", who, out->kid, alg);
			goto fail;
		}
	} else {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "%s: key \"%s\" needs exactly one of \"x\" or \"cose_key\"",
				 who, out->kid);
		goto fail;
	}
	const json_t *vf = json_object_get(k, "valid_from");
	const json_t *vu = json_object_get(k, "valid_until");
	out->until = END_OF_TIME;
	if (!vf || !json_time(vf, &out->from) ||
	    (vu && !json_is_null(vu) && !json_time(vu, &out->until)) || out->until <= out->from) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0,
				 "%s: key \"%s\" needs valid_from (and valid_until, if given, after it) as RFC 3339 UTC times",
				 who, out->kid);
		goto fail;
	}
	return LP_OK;
fail:
	free(out->kid);
	memset(out, 0, sizeof *out);
	return rc;
}

static lp_err parse_issuer(const json_t *o, struct tissuer *out, unsigned depth, lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (depth > LP_TRUST_MAX_PREDECESSOR_DEPTH)
		return lp_diag_set(d, LP_ERR_JSON, 0, "predecessors nested more than %d deep",
				   LP_TRUST_MAX_PREDECESSOR_DEPTH);
	if (!json_is_object(o))
		return lp_diag_set(d, LP_ERR_JSON, 0, "issuer description is not a JSON object");
	lp_err rc;
	if ((rc = get_str(o, "id", true, &out->id, "issuer description", d)) ||
	    (rc = get_str(o, "name", true, &out->name, "issuer description", d)) ||
	    (rc = get_str(o, "country", true, &out->country, "issuer description", d)))
		goto fail;
	if (strlen(out->country) != 2) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "issuer %s: country must be a 2-letter code",
				 out->id);
		goto fail;
	}
	const json_t *keys = json_object_get(o, "keys");
	if (!json_is_array(keys) || json_array_size(keys) == 0 ||
	    json_array_size(keys) > LP_TRUST_MAX_KEYS) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "issuer %s: \"keys\" must list 1 to %d keys",
				 out->id, LP_TRUST_MAX_KEYS);
		goto fail;
	}
	out->keys = calloc(json_array_size(keys), sizeof *out->keys);
	if (!out->keys) {
		rc = LP_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(keys); i++) {
		if ((rc = parse_key(json_array_get(keys, i), &out->keys[i], out->id, d)) != LP_OK)
			goto fail;
		out->nkeys = i + 1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(out->keys[j].kid, out->keys[i].kid) == 0) {
				rc = lp_diag_set(d, LP_ERR_JSON, 0, "issuer %s: kid \"%s\" listed twice",
						 out->id, out->keys[i].kid);
				goto fail;
			}
	}
	if ((rc = get_types(o, "credential_types", &out->types, &out->ntypes, out->id, d)))
		goto fail;
	const json_t *preds = json_object_get(o, "predecessors");
	if (preds && !json_is_null(preds)) {
		if (!json_is_array(preds) || json_array_size(preds) > 64) {
			rc = lp_diag_set(d, LP_ERR_JSON, 0,
					 "issuer %s: \"predecessors\" must be a list of issuer descriptions",
					 out->id);
			goto fail;
		}
		size_t np = json_array_size(preds);
		out->preds = calloc(np ? np : 1, sizeof *out->preds);
		if (!out->preds) {
			rc = LP_ERR_NOMEM;
			goto fail;
		}
		for (size_t i = 0; i < np; i++) {
			if ((rc = parse_issuer(json_array_get(preds, i), &out->preds[i], depth + 1, d)))
				goto fail;
			out->npreds = i + 1;
		}
	}
	return LP_OK;
fail:
	issuer_free(out);
	return rc;
}

static lp_err load_json(lp_view in, size_t max, json_t **out, const char *what, lp_diag *d)
{
	*out = NULL;
	if (in.len > max)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "%s larger than %zu bytes", what, max);
	json_error_t e;
	json_t *j = json_loadb((const char *)in.ptr, in.len, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		return lp_diag_set(d, LP_ERR_JSON, (size_t)(e.position > 0 ? e.position : 0),
				   "%s is not valid JSON: %s (line %d)", what, e.text, e.line);
	*out = j;
	return LP_OK;
}

lp_err lp_issuer_desc_check(lp_view json, lp_diag *d)
{
	json_t *j;
	lp_err rc = load_json(json, LP_TRUST_MAX_DESC, &j, "issuer description", d);
	if (rc)
		return rc;
	struct tissuer t;
	rc = parse_issuer(j, &t, 0, d);
	if (!rc)
		issuer_free(&t);
	json_decref(j);
	return rc;
}

/* ---- writing descriptions, anchors and lists ------------------------------ */

static const char *alg_name(const lp_pubkey *k)
{
	switch (lp_pubkey_alg(k)) {
	case LP_ALG_EDDSA: return "EdDSA";
	case LP_ALG_ES256: return "ES256";
	case LP_ALG_ES384: return "ES384";
	default: return NULL;
	}
}

/* Serialise a JSON value (pretty, newline-terminated) into a fresh buffer. */
static lp_err dump_json(const json_t *j, lp_buf *out)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s)
		return LP_ERR_NOMEM;
	size_t n = strlen(s);
	lp_err rc = LP_ERR_NOMEM;
	out->ptr = malloc(n + 1);
	if (out->ptr) {
		memcpy(out->ptr, s, n);
		out->ptr[n] = '\n';
		out->len = n + 1;
		rc = LP_OK;
	}
	free(s);
	return rc;
}

static json_t *key_json(const lp_issuer_key_entry *k)
{
	const char *alg = alg_name(k->key);
	if (!alg || !k->kid || !*k->kid)
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "kid", json_string(k->kid));
	json_object_set_new(o, "alg", json_string(alg));
	if (lp_pubkey_alg(k->key) == LP_ALG_EDDSA) {
		json_object_set_new(o, "x", b64url(k->key->x, LP_ED25519_PK_BYTES));
	} else {
		lp_buf ck = { 0 };
		if (lp_pubkey_to_cose(k->key, &ck) != LP_OK) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, "cose_key", b64url(ck.ptr, ck.len));
		lp_buf_free(&ck);
	}
	json_object_set_new(o, "valid_from", json_time_new(k->valid_from));
	if (k->valid_until)
		json_object_set_new(o, "valid_until", json_time_new(k->valid_until));
	return o;
}

lp_err lp_issuer_desc_write(const lp_issuer_desc_params *p, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!p || !p->id || !*p->id || !p->name || !*p->name || !p->country ||
	    strlen(p->country) != 2 || !p->keys || p->n_keys == 0 || p->n_keys > LP_TRUST_MAX_KEYS)
		return LP_ERR_ARG;
	lp_err rc = LP_ERR_NOMEM;
	json_t *o = json_object(), *keys = json_array(), *types = NULL, *preds = NULL;
	if (!o || !keys)
		goto out;
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "country", json_string(p->country));
	for (size_t i = 0; i < p->n_keys; i++) {
		json_t *k = key_json(&p->keys[i]);
		if (!k) {
			rc = LP_ERR_ARG;
			goto out;
		}
		json_array_append_new(keys, k);
	}
	json_object_set(o, "keys", keys);
	if (p->n_types) {
		types = json_array();
		if (!types)
			goto out;
		for (size_t i = 0; i < p->n_types; i++)
			json_array_append_new(types, json_string(p->credential_types[i]));
		json_object_set(o, "credential_types", types);
	}
	if (p->n_predecessors) {
		preds = json_array();
		if (!preds)
			goto out;
		for (size_t i = 0; i < p->n_predecessors; i++) {
			json_t *pj;
			if ((rc = load_json(p->predecessors[i], LP_TRUST_MAX_DESC, &pj,
					    "predecessor description", NULL)))
				goto out;
			struct tissuer t;
			if ((rc = parse_issuer(pj, &t, 1, NULL))) {
				json_decref(pj);
				goto out;
			}
			issuer_free(&t);
			json_array_append_new(preds, pj);
		}
		json_object_set(o, "predecessors", preds);
	}
	/* Check what we wrote parses as a description. */
	struct tissuer t;
	if ((rc = parse_issuer(o, &t, 0, NULL)))
		goto out;
	issuer_free(&t);
	rc = dump_json(o, out);
out:
	json_decref(types);
	json_decref(preds);
	json_decref(keys);
	json_decref(o);
	return rc;
}

lp_err lp_trust_anchor_write(const char *id, const char *name, const char *kid,
			     const uint8_t pk[LP_ED25519_PK_BYTES], lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!id || !*id || !pk)
		return LP_ERR_ARG;
	json_t *o = json_object();
	if (!o)
		return LP_ERR_NOMEM;
	json_object_set_new(o, "type", json_string("leerpas-trust-anchor"));
	json_object_set_new(o, "id", json_string(id));
	if (name)
		json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "kid", json_string(kid && *kid ? kid : id));
	json_object_set_new(o, "alg", json_string("EdDSA"));
	json_object_set_new(o, "x", b64url(pk, LP_ED25519_PK_BYTES));
	lp_err rc = dump_json(o, out);
	json_decref(o);
	return rc;
}

lp_err lp_trust_list_new(const char *anchor_id, int64_t issued_at, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!anchor_id || !*anchor_id || issued_at < 0)
		return LP_ERR_ARG;
	json_t *o = json_object();
	if (!o)
		return LP_ERR_NOMEM;
	json_object_set_new(o, "type", json_string(LIST_TYPE));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "anchor", json_string(anchor_id));
	json_object_set_new(o, "issued_at", json_time_new(issued_at));
	json_object_set_new(o, "schools", json_array());
	lp_err rc = dump_json(o, out);
	json_decref(o);
	return rc;
}

/* Parse a whole trust list document into *l (not its signature). */
static lp_err parse_list(const json_t *o, struct tlist *l, lp_diag *d)
{
	memset(l, 0, sizeof *l);
	const json_t *type = json_object_get(o, "type");
	const json_t *ver = json_object_get(o, "version");
	if (!json_is_object(o) || !json_is_string(type) ||
	    strcmp(json_string_value(type), LIST_TYPE) != 0)
		return lp_diag_set(d, LP_ERR_JSON, 0, "not a leerpas trust list (\"type\": \"%s\" expected)",
				   LIST_TYPE);
	if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		return lp_diag_set(d, LP_ERR_VERSION, 0,
				   "trust list version not supported (this program reads version 1)");
	lp_err rc = get_str(o, "anchor", true, &l->anchor, "trust list", d);
	if (rc)
		return rc;
	const json_t *schools = json_object_get(o, "schools");
	if (!json_time(json_object_get(o, "issued_at"), &l->issued_at)) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "trust list lacks a valid \"issued_at\"");
		goto fail;
	}
	if (!json_is_array(schools) || json_array_size(schools) > MAX_SCHOOLS) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "trust list \"schools\" must be a list");
		goto fail;
	}
	size_t n = json_array_size(schools);
	l->entries = calloc(n ? n : 1, sizeof *l->entries);
	if (!l->entries) {
		rc = LP_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(schools, i);
		struct tentry *e = &l->entries[i];
		if (!json_is_object(s)) {
			rc = lp_diag_set(d, LP_ERR_JSON, 0, "trust list school %zu is not an object", i + 1);
			goto fail;
		}
		l->nentries = i + 1;
		if ((rc = parse_issuer(json_object_get(s, "issuer"), &e->iss, 0, d)))
			goto fail;
		const json_t *rf = json_object_get(s, "recognised_from");
		const json_t *ru = json_object_get(s, "recognised_until");
		e->rec_until = END_OF_TIME;
		if (!json_time(rf, &e->rec_from) ||
		    (ru && !json_is_null(ru) && !json_time(ru, &e->rec_until)) ||
		    e->rec_until <= e->rec_from) {
			rc = lp_diag_set(d, LP_ERR_JSON, 0,
					 "trust list school %s: recognised_from (and recognised_until after it) must be times",
					 e->iss.id);
			goto fail;
		}
		if ((rc = get_types(s, "credential_types", &e->types, &e->ntypes, e->iss.id, d)))
			goto fail;
		if (e->ntypes == 0) {
			rc = lp_diag_set(d, LP_ERR_JSON, 0,
					 "trust list school %s: \"credential_types\" must list types or \"*\"",
					 e->iss.id);
			goto fail;
		}
		e->source = strdup(l->anchor);
		if (!e->source) {
			rc = LP_ERR_NOMEM;
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->entries[j].iss.id, e->iss.id) == 0) {
				rc = lp_diag_set(d, LP_ERR_JSON, 0, "trust list names school %s twice",
						 e->iss.id);
				goto fail;
			}
	}
	return LP_OK;
fail:
	list_free(l);
	return rc;
}

lp_err lp_trust_list_add(lp_view list_json, lp_view issuer_json, int64_t from, int64_t until,
			 const char *const *types, size_t n_types, lp_buf *out, lp_diag *d)
{
	out->ptr = NULL;
	out->len = 0;
	if (from < 0 || (until && until <= from) || (n_types && !types))
		return LP_ERR_ARG;
	json_t *list = NULL, *iss = NULL;
	lp_err rc = load_json(list_json, LP_TRUST_MAX_LIST, &list, "trust list", d);
	if (rc)
		return rc;
	if ((rc = load_json(issuer_json, LP_TRUST_MAX_DESC, &iss, "issuer description", d)))
		goto out;
	struct tissuer t;
	if ((rc = parse_issuer(iss, &t, 0, d)))
		goto out;
	json_t *schools = json_object_get(list, "schools");
	if (!json_is_array(schools)) {
		issuer_free(&t);
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "trust list has no \"schools\" list");
		goto out;
	}
	for (size_t i = json_array_size(schools); i-- > 0;) {
		const char *sid = json_string_value(
			json_object_get(json_object_get(json_array_get(schools, i), "issuer"), "id"));
		if (sid && strcmp(sid, t.id) == 0)
			json_array_remove(schools, i);
	}
	issuer_free(&t);
	json_t *e = json_object(), *ty = json_array();
	if (!e || !ty) {
		json_decref(e);
		json_decref(ty);
		rc = LP_ERR_NOMEM;
		goto out;
	}
	json_object_set(e, "issuer", iss);
	json_object_set_new(e, "recognised_from", json_time_new(from));
	if (until)
		json_object_set_new(e, "recognised_until", json_time_new(until));
	if (n_types == 0)
		json_array_append_new(ty, json_string("*"));
	for (size_t i = 0; i < n_types; i++)
		json_array_append_new(ty, json_string(types[i]));
	json_object_set_new(e, "credential_types", ty);
	json_array_append_new(schools, e);
	struct tlist l;
	if ((rc = parse_list(list, &l, d)))
		goto out;
	list_free(&l);
	rc = dump_json(list, out);
out:
	json_decref(iss);
	json_decref(list);
	return rc;
}

lp_err lp_trust_list_sign(lp_view list_json, const char *kid, int64_t issued_at,
			  const uint8_t sk[LP_ED25519_SK_BYTES], lp_buf *out, lp_diag *d)
{
	out->ptr = NULL;
	out->len = 0;
	if (!kid || !*kid || issued_at < 0)
		return LP_ERR_ARG;
	json_t *list = NULL;
	lp_buf payload = { 0 };
	cbor_item_t *prot = NULL;
	lp_err rc = load_json(list_json, LP_TRUST_MAX_LIST, &list, "trust list", d);
	if (rc)
		return rc;
	if (issued_at)
		json_object_set_new(list, "issued_at", json_time_new(issued_at));
	struct tlist l;
	if ((rc = parse_list(list, &l, d)))
		goto out;
	list_free(&l);
	if ((rc = dump_json(list, &payload)))
		goto out;
	rc = LP_ERR_NOMEM;
	prot = cbor_new_definite_map(3);
	if (!prot || !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_ALG), lp_cbor_int(LP_ALG_EDDSA)) ||
	    !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_CTY), cbor_build_string(LP_TRUST_CTY)) ||
	    !lp_cbor_map_put(prot, lp_cbor_int(LP_HDR_KID),
			     cbor_build_bytestring((const uint8_t *)kid, strlen(kid))))
		goto out;
	rc = lp_sign1_create_ed25519(prot, NULL, lp_buf_view(&payload), lp_view_of(NULL, 0), sk, out);
out:
	if (prot)
		cbor_decref(&prot);
	lp_buf_free(&payload);
	json_decref(list);
	return rc;
}

/* ---- the store ------------------------------------------------------------- */

lp_err lp_trust_store_new(lp_trust_store **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? LP_OK : LP_ERR_NOMEM;
}

void lp_trust_store_free(lp_trust_store *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->nanchors; i++) {
		free(ts->anchors[i].id);
		free(ts->anchors[i].name);
		free(ts->anchors[i].kid);
	}
	free(ts->anchors);
	for (size_t i = 0; i < ts->nlists; i++)
		list_free(&ts->lists[i]);
	free(ts->lists);
	for (size_t i = 0; i < ts->npins; i++)
		entry_free(&ts->pins[i]);
	free(ts->pins);
	free(ts);
}

lp_err lp_trust_add_anchor(lp_trust_store *ts, lp_view anchor_json, lp_diag *d)
{
	if (!ts)
		return LP_ERR_ARG;
	json_t *j;
	lp_err rc = load_json(anchor_json, 64 * 1024, &j, "trust anchor file", d);
	if (rc)
		return rc;
	struct tanchor a;
	memset(&a, 0, sizeof a);
	const char *alg = json_string_value(json_object_get(j, "alg"));
	const char *x = json_string_value(json_object_get(j, "x"));
	uint8_t pk[64];
	size_t len = 0;
	if ((rc = get_str(j, "id", true, &a.id, "trust anchor file", d)) ||
	    (rc = get_str(j, "name", false, &a.name, "trust anchor file", d)) ||
	    (rc = get_str(j, "kid", false, &a.kid, "trust anchor file", d)))
		goto out;
	if (!alg || strcmp(alg, "EdDSA") != 0 || !x || !unb64url(x, pk, sizeof pk, &len) ||
	    len != LP_ED25519_PK_BYTES) {
		rc = lp_diag_set(d, LP_ERR_COSE_KEY, 0,
				 "trust anchor file needs \"alg\": \"EdDSA\" and \"x\": the base64url of its 32-byte key");
		goto out;
	}
	if (!a.kid && !(a.kid = strdup(a.id))) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	lp_pubkey_ed25519(&a.key, pk);
	for (size_t i = 0; i < ts->nanchors; i++)
		if (strcmp(ts->anchors[i].id, a.id) == 0) {
			rc = lp_pubkey_equal(&ts->anchors[i].key, &a.key)
				     ? LP_OK
				     : lp_diag_set(d, LP_ERR_EXISTS, 0,
						   "another key is already configured for anchor %s", a.id);
			goto out;
		}
	struct tanchor *na = realloc(ts->anchors, (ts->nanchors + 1) * sizeof *na);
	if (!na) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	ts->anchors = na;
	ts->anchors[ts->nanchors++] = a;
	memset(&a, 0, sizeof a);
out:
	free(a.id);
	free(a.name);
	free(a.kid);
	json_decref(j);
	return rc;
}

lp_err lp_trust_add_list(lp_trust_store *ts, lp_view signed_list, lp_diag *d)
{
	return lp_trust_add_list_named(ts, signed_list, NULL, d);
}

lp_err lp_trust_add_list_named(lp_trust_store *ts, lp_view signed_list, char **anchor_id,
			       lp_diag *d)
{
	if (anchor_id)
		*anchor_id = NULL;
	if (!ts)
		return LP_ERR_ARG;
	if (signed_list.len > LP_TRUST_MAX_LIST)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "trust list larger than %u bytes",
				   LP_TRUST_MAX_LIST);
	lp_sign1 s;
	json_t *j = NULL;
	struct tlist l;
	memset(&l, 0, sizeof l);
	lp_err rc = lp_sign1_parse(signed_list, true, &s, d);
	if (rc)
		return rc;
	const cbor_item_t *kid = lp_cbor_map_get_int(s.protected_map, LP_HDR_KID);
	const cbor_item_t *cty = lp_cbor_map_get_int(s.protected_map, LP_HDR_CTY);
	const struct tanchor *anchor = NULL;
	if (kid && cbor_isa_bytestring(kid) && cbor_bytestring_is_definite(kid))
		for (size_t i = 0; i < ts->nanchors; i++) {
			size_t kl = strlen(ts->anchors[i].kid);
			if (kl == cbor_bytestring_length(kid) &&
			    memcmp(ts->anchors[i].kid, cbor_bytestring_handle(kid), kl) == 0)
				anchor = &ts->anchors[i];
		}
	if (!anchor) {
		rc = lp_diag_set(d, LP_ERR_UNTRUSTED, 0,
				 "trust list is not signed by a configured trust anchor (add the anchor's key first)");
		goto out;
	}
	if ((rc = lp_sign1_verify(&s, &anchor->key, lp_view_of(NULL, 0)))) {
		lp_diag_set(d, rc, 0, "trust list signature does not verify with anchor %s: %s",
			    anchor->id, lp_err_str(rc));
		goto out;
	}
	/* Only now is the payload used. */
	if (!cty || !cbor_isa_string(cty) || cbor_string_length(cty) != strlen(LP_TRUST_CTY) ||
	    memcmp(cbor_string_handle(cty), LP_TRUST_CTY, strlen(LP_TRUST_CTY)) != 0) {
		rc = lp_diag_set(d, LP_ERR_TYP, 0, "signed object is not a trust list (cty is not %s)",
				 LP_TRUST_CTY);
		goto out;
	}
	if ((rc = load_json(s.payload, LP_TRUST_MAX_LIST, &j, "trust list", d)) ||
	    (rc = parse_list(j, &l, d)))
		goto out;
	if (strcmp(l.anchor, anchor->id) != 0) {
		rc = lp_diag_set(d, LP_ERR_UNTRUSTED, 0,
				 "trust list names anchor %s but is signed by anchor %s", l.anchor,
				 anchor->id);
		goto out;
	}
	if (anchor_id && !(*anchor_id = strdup(anchor->id))) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < ts->nlists; i++) {
		if (strcmp(ts->lists[i].anchor, l.anchor) != 0)
			continue;
		if (l.issued_at < ts->lists[i].issued_at) {
			rc = lp_diag_set(d, LP_ERR_POLICY, 0,
					 "this trust list is older than the one already held from %s",
					 l.anchor);
			goto out;
		}
		list_free(&ts->lists[i]);
		ts->lists[i] = l;
		memset(&l, 0, sizeof l);
		goto out;
	}
	struct tlist *nl = realloc(ts->lists, (ts->nlists + 1) * sizeof *nl);
	if (!nl) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	ts->lists = nl;
	ts->lists[ts->nlists++] = l;
	memset(&l, 0, sizeof l);
out:
	if (rc && anchor_id) {
		free(*anchor_id);
		*anchor_id = NULL;
	}
	list_free(&l);
	json_decref(j);
	lp_sign1_free(&s);
	return rc;
}

lp_err lp_trust_pin(lp_trust_store *ts, lp_view issuer_json, lp_diag *d)
{
	if (!ts)
		return LP_ERR_ARG;
	json_t *j;
	lp_err rc = load_json(issuer_json, LP_TRUST_MAX_DESC, &j, "issuer description", d);
	if (rc)
		return rc;
	struct tentry e;
	memset(&e, 0, sizeof e);
	if ((rc = parse_issuer(j, &e.iss, 0, d)))
		goto out;
	e.rec_from = 0;
	e.rec_until = END_OF_TIME;
	rc = LP_ERR_NOMEM;
	if (e.iss.ntypes) {
		e.types = calloc(e.iss.ntypes, sizeof *e.types);
		if (!e.types)
			goto out;
		for (size_t i = 0; i < e.iss.ntypes; i++) {
			if (!(e.types[i] = strdup(e.iss.types[i])))
				goto out;
			e.ntypes = i + 1;
		}
	} else {
		e.types = calloc(1, sizeof *e.types);
		if (!e.types || !(e.types[0] = strdup("*")))
			goto out;
		e.ntypes = 1;
	}
	if (!(e.source = strdup("pinned")))
		goto out;
	for (size_t i = 0; i < ts->npins; i++)
		if (strcmp(ts->pins[i].iss.id, e.iss.id) == 0) {
			entry_free(&ts->pins[i]);
			ts->pins[i] = e;
			memset(&e, 0, sizeof e);
			rc = LP_OK;
			goto out;
		}
	struct tentry *np = realloc(ts->pins, (ts->npins + 1) * sizeof *np);
	if (!np)
		goto out;
	ts->pins = np;
	ts->pins[ts->npins++] = e;
	memset(&e, 0, sizeof e);
	rc = LP_OK;
out:
	entry_free(&e);
	json_decref(j);
	return rc;
}

/* ---- resolve ---------------------------------------------------------------- */

/* How specific a refusal is: the most specific across entries is reported. */
enum { R_NONE, R_NO_ISSUER, R_NO_KID, R_NOT_RECOGNISED, R_KEY_PERIOD, R_TYPE };

struct resolve_ctx {
	const char *iss;
	lp_view kid;
	const char *vct;
	int64_t cred_iat, at;
	int best;              /* the most specific refusal so far */
	char msg[160];
	lp_err err;
};

static void note(struct resolve_ctx *c, int rank, lp_err e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(struct resolve_ctx *c, int rank, lp_err e, const char *fmt, ...)
{
	if (rank <= c->best)
		return;
	c->best = rank;
	c->err = e;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
}

static bool type_allowed(char *const *types, size_t n, const char *vct)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(types[i], "*") == 0 || strcmp(types[i], vct) == 0)
			return true;
	return false;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	(void)snprintf(dst, cap, "%s", src ? src : "");
}

/* Try issuer `t` (the entry's school itself, or one of its predecessors at
 * depth > 0) for the credential. */
static bool try_issuer(struct resolve_ctx *c, const struct tentry *e, const struct tissuer *t,
		       unsigned depth, lp_trust_result *out)
{
	if (strcmp(t->id, c->iss) != 0) {
		for (size_t i = 0; i < t->npreds && depth < LP_TRUST_MAX_PREDECESSOR_DEPTH; i++)
			if (try_issuer(c, e, &t->preds[i], depth + 1, out))
				return true;
		return false;
	}
	const struct tkey *k = NULL;
	for (size_t i = 0; i < t->nkeys; i++)
		if (strlen(t->keys[i].kid) == c->kid.len &&
		    (c->kid.len == 0 || memcmp(t->keys[i].kid, c->kid.ptr, c->kid.len) == 0))
			k = &t->keys[i];
	if (!k) {
		note(c, R_NO_KID, LP_ERR_UNTRUSTED, "school %s has no key with this kid (%s)", t->id,
		     e->source);
		return false;
	}
	if (c->cred_iat < k->from || c->cred_iat >= k->until) {
		note(c, R_KEY_PERIOD, LP_ERR_KEY_PERIOD,
		     "credential dated outside the validity of key %s of school %s", k->kid, t->id);
		return false;
	}
	/* Recognition: the listed school must have been recognised when it issued
	 * and must be recognised from before the validation time. A predecessor's
	 * credentials predate the listing of its successor; the key period above
	 * bounds them, and the successor's recognition is judged at `at`. */
	if (depth == 0 && (c->cred_iat < e->rec_from || c->cred_iat >= e->rec_until)) {
		note(c, R_NOT_RECOGNISED, LP_ERR_UNTRUSTED,
		     "school %s was not recognised (by %s) when the credential was issued", t->id,
		     e->source);
		return false;
	}
	if (depth > 0 && c->cred_iat >= e->rec_until) {
		note(c, R_NOT_RECOGNISED, LP_ERR_UNTRUSTED,
		     "school %s (successor of %s) was no longer recognised when the credential was issued",
		     e->iss.id, t->id);
		return false;
	}
	if (c->at < e->rec_from) {
		note(c, R_NOT_RECOGNISED, LP_ERR_UNTRUSTED,
		     "school %s is not yet recognised (by %s) at the validation time", e->iss.id,
		     e->source);
		return false;
	}
	if (c->vct) {
		bool ok = type_allowed(e->types, e->ntypes, c->vct);
		if (ok && depth > 0 && t->ntypes)
			ok = type_allowed(t->types, t->ntypes, c->vct);
		if (!ok) {
			note(c, R_TYPE, LP_ERR_TYPE_NOT_ALLOWED,
			     "school %s is not recognised for credential type %s", t->id, c->vct);
			return false;
		}
	}
	memset(out, 0, sizeof *out);
	out->key = k->key;
	copy_str(out->issuer_id, sizeof out->issuer_id, t->id);
	copy_str(out->issuer_name, sizeof out->issuer_name, t->name);
	copy_str(out->country, sizeof out->country, t->country);
	copy_str(out->source, sizeof out->source, e->source);
	if (depth > 0)
		copy_str(out->successor_id, sizeof out->successor_id, e->iss.id);
	out->key_valid_from = k->from;
	out->key_valid_until = k->until == END_OF_TIME ? 0 : k->until;
	return true;
}

lp_err lp_trust_resolve(const lp_trust_store *ts, const char *iss, lp_view kid,
			const char *vct, int64_t cred_iat, int64_t at, lp_trust_result *out,
			lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (!ts || !iss)
		return LP_ERR_ARG;
	struct resolve_ctx c;
	memset(&c, 0, sizeof c);
	c.iss = iss;
	c.kid = kid;
	c.vct = vct;
	c.cred_iat = cred_iat;
	c.at = at;
	for (size_t i = 0; i < ts->npins; i++)
		if (try_issuer(&c, &ts->pins[i], &ts->pins[i].iss, 0, out))
			return LP_OK;
	for (size_t l = 0; l < ts->nlists; l++)
		for (size_t i = 0; i < ts->lists[l].nentries; i++)
			if (try_issuer(&c, &ts->lists[l].entries[i], &ts->lists[l].entries[i].iss, 0, out))
				return LP_OK;
	memset(out, 0, sizeof *out);
	if (c.best == R_NONE)
		return lp_diag_set(d, LP_ERR_UNTRUSTED, 0,
				   "issuer %.100s is not in the trust store (import a trust list that names it, or pin it)",
				   iss);
	return lp_diag_set(d, c.err, 0, "%s", c.msg);
}

lp_err lp_trust_issuer_key(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len,
			   int64_t alg, const char *vct, bool has_iat, int64_t iat,
			   lp_pubkey *key, lp_diag *d)
{
	lp_trust_resolver *r = ctx;
	memset(key, 0, sizeof *key);
	if (!r || !r->ts)
		return LP_ERR_ARG;
	memset(&r->result, 0, sizeof r->result);
	if (!iss || !has_iat)
		return lp_diag_set(d, LP_ERR_UNTRUSTED, 0,
				   "credential lacks %s: its issuer key cannot be judged",
				   iss ? "its issue time (iat)" : "its issuer (iss)");
	lp_trust_result res;
	lp_err rc = lp_trust_resolve(r->ts, iss, lp_view_of(kid, kid_len), vct, iat, r->at, &res, d);
	if (rc)
		return rc;
	if (lp_pubkey_alg(&res.key) != alg)
		return lp_diag_set(d, LP_ERR_ALG_MISMATCH, 0,
				   "credential signed with alg %lld but key %.*s of %s is for another algorithm",
				   (long long)alg, (int)(kid_len > 64 ? 64 : kid_len), (const char *)kid, iss);
	*key = res.key;
	r->result = res;
	return LP_OK;
}

/* ---- status tokens ------------------------------------------------------------ */

static bool verify_with_issuer(const struct tissuer *t, lp_view token, lp_view kid,
			       size_t max_bytes, struct lp_status_token *tok, char **issuer_id,
			       unsigned depth)
{
	for (size_t i = 0; i < t->nkeys; i++) {
		if (kid.len && (strlen(t->keys[i].kid) != kid.len ||
				memcmp(t->keys[i].kid, kid.ptr, kid.len) != 0))
			continue;
		if (lp_status_token_verify(token, &t->keys[i].key, max_bytes, tok, NULL) == LP_OK) {
			*issuer_id = strdup(t->id);
			if (*issuer_id)
				return true;
			lp_status_token_free(tok);
			return false;
		}
	}
	for (size_t i = 0; i < t->npreds && depth < LP_TRUST_MAX_PREDECESSOR_DEPTH; i++)
		if (verify_with_issuer(&t->preds[i], token, kid, max_bytes, tok, issuer_id, depth + 1))
			return true;
	return false;
}

lp_err lp_trust_verify_status(const lp_trust_store *ts, lp_view token, size_t max_bytes,
			      struct lp_status_token *tok, char **issuer_id, lp_diag *d)
{
	memset(tok, 0, sizeof *tok);
	*issuer_id = NULL;
	if (!ts)
		return LP_ERR_ARG;
	/* Structure first: a malformed file gets its own precise error. */
	lp_status_token probe;
	lp_err rc = lp_status_token_parse(token, max_bytes, &probe, d);
	if (rc)
		return rc;
	uint8_t kidb[64];
	size_t kl = probe.kid_len;
	memcpy(kidb, probe.kid, kl);
	lp_status_token_free(&probe);
	lp_view kid = lp_view_of(kidb, kl);
	for (size_t i = 0; i < ts->npins; i++)
		if (verify_with_issuer(&ts->pins[i].iss, token, kid, max_bytes, tok, issuer_id, 0))
			return LP_OK;
	for (size_t l = 0; l < ts->nlists; l++)
		for (size_t i = 0; i < ts->lists[l].nentries; i++)
			if (verify_with_issuer(&ts->lists[l].entries[i].iss, token, kid, max_bytes, tok,
					       issuer_id, 0))
				return LP_OK;
	return lp_diag_set(d, LP_ERR_UNTRUSTED, 0,
			   "no school in the trust store signed this status list (import the trust list or pin the school first)");
}

/* ---- describe ------------------------------------------------------------------ */

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *issuer_summary(const struct tissuer *t)
{
	json_t *o = json_object(), *keys = json_array(), *preds = json_array();
	if (!o || !keys || !preds) {
		json_decref(o);
		json_decref(keys);
		json_decref(preds);
		return NULL;
	}
	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "country", json_string(t->country));
	for (size_t i = 0; i < t->nkeys; i++) {
		json_t *k = json_object();
		if (!k)
			continue;
		json_object_set_new(k, "kid", json_string(t->keys[i].kid));
		json_object_set_new(k, "alg", json_string(alg_name(&t->keys[i].key) ? alg_name(&t->keys[i].key) : "?"));
		json_object_set_new(k, "valid_from", json_time_new(t->keys[i].from));
		json_object_set_new(k, "valid_until", t->keys[i].until == END_OF_TIME
							      ? json_null()
							      : json_time_new(t->keys[i].until));
		json_array_append_new(keys, k);
	}
	json_object_set_new(o, "keys", keys);
	for (size_t i = 0; i < t->npreds; i++)
		json_array_append_new(preds, issuer_summary(&t->preds[i]));
	json_object_set_new(o, "predecessors", preds);
	return o;
}

static json_t *entry_summary(const struct tentry *e)
{
	json_t *o = issuer_summary(&e->iss);
	if (!o)
		return NULL;
	json_object_set_new(o, "source", json_string(e->source));
	json_object_set_new(o, "recognised_from", json_time_new(e->rec_from));
	json_object_set_new(o, "recognised_until",
			    e->rec_until == END_OF_TIME ? json_null() : json_time_new(e->rec_until));
	json_object_set_new(o, "credential_types", strv_json(e->types, e->ntypes));
	return o;
}

lp_err lp_trust_store_describe(const lp_trust_store *ts, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	if (!ts)
		return LP_ERR_ARG;
	json_t *o = json_object(), *anchors = json_array(), *lists = json_array(),
	       *schools = json_array();
	lp_err rc = LP_ERR_NOMEM;
	if (!o || !anchors || !lists || !schools)
		goto out;
	for (size_t i = 0; i < ts->nanchors; i++) {
		json_t *a = json_object();
		if (!a)
			goto out;
		json_object_set_new(a, "id", json_string(ts->anchors[i].id));
		json_object_set_new(a, "name", ts->anchors[i].name ? json_string(ts->anchors[i].name)
								   : json_null());
		json_object_set_new(a, "kid", json_string(ts->anchors[i].kid));
		json_array_append_new(anchors, a);
	}
	for (size_t l = 0; l < ts->nlists; l++) {
		json_t *a = json_object();
		if (!a)
			goto out;
		json_object_set_new(a, "anchor", json_string(ts->lists[l].anchor));
		json_object_set_new(a, "issued_at", json_time_new(ts->lists[l].issued_at));
		json_object_set_new(a, "schools", json_integer((json_int_t)ts->lists[l].nentries));
		json_array_append_new(lists, a);
		for (size_t i = 0; i < ts->lists[l].nentries; i++)
			json_array_append_new(schools, entry_summary(&ts->lists[l].entries[i]));
	}
	for (size_t i = 0; i < ts->npins; i++)
		json_array_append_new(schools, entry_summary(&ts->pins[i]));
	json_object_set(o, "anchors", anchors);
	json_object_set(o, "lists", lists);
	json_object_set(o, "schools", schools);
	rc = dump_json(o, out);
out:
	json_decref(anchors);
	json_decref(lists);
	json_decref(schools);
	json_decref(o);
	return rc;
}
