/* Inspection of CBOR objects: diagnostic notation, a JSON rendering, the
 * kind of object, and which COSE_Sign1 signatures verify with given keys
 * (include/leerpas/inspect.h). Read-only: no trust decision. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cose_int.h"
#include "internal.h"
#include "leerpas/inspect.h"
#include "leerpas/request.h"
#include "leerpas/status.h"

/* A growing text buffer; `failed` sticks after an allocation failure. */
struct sb {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sb_add(struct sb *s, const char *t, size_t n)
{
	if (s->failed)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t nc = s->cap ? s->cap : 256;
		while (nc < s->len + n + 1)
			nc *= 2;
		char *np = realloc(s->p, nc);
		if (!np) {
			s->failed = true;
			return;
		}
		s->p = np;
		s->cap = nc;
	}
	memcpy(s->p + s->len, t, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void sb_puts(struct sb *s, const char *t)
{
	sb_add(s, t, strlen(t));
}

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(s, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void sb_indent(struct sb *s, unsigned depth)
{
	sb_puts(s, "\n");
	for (unsigned i = 0; i < depth; i++)
		sb_puts(s, "  ");
}

/* Embedded CBOR in a byte string: decoded when it is exactly one
 * well-formed item that is a map, array or tag (protected headers,
 * payloads, disclosures). *out owned by the caller. */
static cbor_item_t *embedded(const cbor_item_t *bs, unsigned depth)
{
	if (depth >= LP_INSPECT_MAX_DEPTH || !cbor_bytestring_is_definite(bs) ||
	    cbor_bytestring_length(bs) < 1)
		return NULL;
	const uint8_t *p = cbor_bytestring_handle(bs);
	uint8_t major = p[0] >> 5;
	if (major != 4 && major != 5 && major != 6)
		return NULL;
	cbor_item_t *it = NULL;
	if (lp_cbor_load(lp_view_of(p, cbor_bytestring_length(bs)),
			 LP_INSPECT_MAX_DEPTH - depth, &it, NULL) != LP_OK)
		return NULL;
	return it;
}

static void hex(struct sb *s, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		char two[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
		sb_add(s, two, 2);
	}
}

static void text_escaped(struct sb *s, const uint8_t *p, size_t n)
{
	sb_puts(s, "\"");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			sb_add(s, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			sb_printf(s, "\\u%04x", c);
		} else {
			sb_add(s, (const char *)&c, 1);
		}
	}
	sb_puts(s, "\"");
}

static bool small_item(const cbor_item_t *it)
{
	return !cbor_isa_map(it) && !cbor_isa_array(it) && !cbor_isa_tag(it) &&
	       !(cbor_isa_bytestring(it) && cbor_bytestring_length(it) > 24);
}

static void diag_item(struct sb *s, const cbor_item_t *it, unsigned depth);

static void diag_float_ctrl(struct sb *s, const cbor_item_t *it)
{
	if (cbor_float_get_width(it) == CBOR_FLOAT_0) {
		uint8_t v = cbor_ctrl_value(it);
		switch (v) {
		case 20: sb_puts(s, "false"); break;
		case 21: sb_puts(s, "true"); break;
		case 22: sb_puts(s, "null"); break;
		case 23: sb_puts(s, "undefined"); break;
		default: sb_printf(s, "simple(%u)", v); break;
		}
		return;
	}
	double f = cbor_float_get_float(it);
	sb_printf(s, "%.17g", f);
}

static void diag_item(struct sb *s, const cbor_item_t *it, unsigned depth)
{
	if (depth > LP_INSPECT_MAX_DEPTH) {
		sb_puts(s, "...");
		return;
	}
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_UINT:
		sb_printf(s, "%" PRIu64, cbor_get_int(it));
		break;
	case CBOR_TYPE_NEGINT:
		if (cbor_get_int(it) == UINT64_MAX)
			sb_puts(s, "-18446744073709551616");
		else
			sb_printf(s, "-%" PRIu64, cbor_get_int(it) + 1);
		break;
	case CBOR_TYPE_BYTESTRING: {
		cbor_item_t *e = embedded(it, depth);
		if (e) {
			sb_puts(s, "<< ");
			diag_item(s, e, depth + 1);
			sb_puts(s, " >>");
			cbor_decref(&e);
		} else {
			sb_puts(s, "h'");
			hex(s, cbor_bytestring_handle(it), cbor_bytestring_length(it));
			sb_puts(s, "'");
		}
		break;
	}
	case CBOR_TYPE_STRING:
		text_escaped(s, cbor_string_handle(it), cbor_string_length(it));
		break;
	case CBOR_TYPE_ARRAY: {
		size_t n = cbor_array_size(it);
		cbor_item_t **h = cbor_array_handle(it);
		bool flat = true;
		for (size_t i = 0; i < n; i++)
			flat = flat && small_item(h[i]);
		sb_puts(s, "[");
		for (size_t i = 0; i < n; i++) {
			if (!flat)
				sb_indent(s, depth + 1);
			diag_item(s, h[i], depth + 1);
			if (i + 1 < n)
				sb_puts(s, flat ? ", " : ",");
		}
		if (!flat && n)
			sb_indent(s, depth);
		sb_puts(s, "]");
		break;
	}
	case CBOR_TYPE_MAP: {
		size_t n = cbor_map_size(it);
		struct cbor_pair *h = cbor_map_handle(it);
		sb_puts(s, "{");
		for (size_t i = 0; i < n; i++) {
			sb_indent(s, depth + 1);
			diag_item(s, h[i].key, depth + 1);
			sb_puts(s, ": ");
			diag_item(s, h[i].value, depth + 1);
			if (i + 1 < n)
				sb_puts(s, ",");
		}
		if (n)
			sb_indent(s, depth);
		sb_puts(s, "}");
		break;
	}
	case CBOR_TYPE_TAG: {
		sb_printf(s, "%" PRIu64 "(", cbor_tag_value(it));
		cbor_item_t *in = cbor_tag_item(it);
		diag_item(s, in, depth + 1);
		cbor_decref(&in);
		sb_puts(s, ")");
		break;
	}
	case CBOR_TYPE_FLOAT_CTRL:
		diag_float_ctrl(s, it);
		break;
	}
}

/* JSON rendering: map keys become text (integers in decimal), byte strings
 * with embedded CBOR become that item, other byte strings lowercase hex,
 * tags {"tag": n, "value": v}, simple values "simple(n)". */
static json_t *json_item(const cbor_item_t *it, unsigned depth)
{
	if (depth > LP_INSPECT_MAX_DEPTH)
		return json_string("...");
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_UINT:
		if (cbor_get_int(it) > (uint64_t)INT64_MAX) {
			char b[32];
			snprintf(b, sizeof b, "%" PRIu64, cbor_get_int(it));
			return json_string(b);
		}
		return json_integer((json_int_t)cbor_get_int(it));
	case CBOR_TYPE_NEGINT:
		if (cbor_get_int(it) >= (uint64_t)INT64_MAX) {
			char b[32];
			snprintf(b, sizeof b, "-%" PRIu64 "-1", cbor_get_int(it));
			return json_string(b);
		}
		return json_integer(-1 - (json_int_t)cbor_get_int(it));
	case CBOR_TYPE_BYTESTRING: {
		cbor_item_t *e = embedded(it, depth);
		if (e) {
			json_t *j = json_item(e, depth + 1);
			cbor_decref(&e);
			return j;
		}
		struct sb s = { 0 };
		hex(&s, cbor_bytestring_handle(it), cbor_bytestring_length(it));
		json_t *j = json_string(s.p ? s.p : "");
		free(s.p);
		return j;
	}
	case CBOR_TYPE_STRING:
		return json_stringn_nocheck((const char *)cbor_string_handle(it), cbor_string_length(it));
	case CBOR_TYPE_ARRAY: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < cbor_array_size(it); i++)
			json_array_append_new(a, json_item(cbor_array_handle(it)[i], depth + 1));
		return a;
	}
	case CBOR_TYPE_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; o && i < cbor_map_size(it); i++) {
			struct cbor_pair pr = cbor_map_handle(it)[i];
			struct sb k = { 0 };
			if (cbor_isa_string(pr.key))
				sb_add(&k, (const char *)cbor_string_handle(pr.key), cbor_string_length(pr.key));
			else
				diag_item(&k, pr.key, LP_INSPECT_MAX_DEPTH);
			json_object_set_new_nocheck(o, k.p ? k.p : "", json_item(pr.value, depth + 1));
			free(k.p);
		}
		return o;
	}
	case CBOR_TYPE_TAG: {
		cbor_item_t *in = cbor_tag_item(it);
		json_t *o = json_pack("{s:I,s:o}", "tag", (json_int_t)cbor_tag_value(it), "value",
				      json_item(in, depth + 1));
		cbor_decref(&in);
		return o;
	}
	case CBOR_TYPE_FLOAT_CTRL:
		if (cbor_float_get_width(it) == CBOR_FLOAT_0) {
			uint8_t v = cbor_ctrl_value(it);
			if (v == 20 || v == 21)
				return json_boolean(v == 21);
			if (v == 22 || v == 23)
				return json_null();
			char b[24];
			snprintf(b, sizeof b, "simple(%u)", v);
			return json_string(b);
		}
		return json_real(cbor_float_get_float(it));
	}
	return json_null();
}

static bool text_eq(const cbor_item_t *it, const char *t)
{
	return it && cbor_isa_string(it) && cbor_string_length(it) == strlen(t) &&
	       memcmp(cbor_string_handle(it), t, strlen(t)) == 0;
}

/* Check one COSE_Sign1 with every key. */
static void check_sig(lp_inspect_report *r, const lp_sign1 *s, const char *where,
		      const lp_pubkey *keys, size_t nkeys)
{
	if (r->nsigs >= LP_INSPECT_MAX_SIGS)
		return;
	lp_inspect_sig *g = &r->sigs[r->nsigs++];
	snprintf(g->where, sizeof g->where, "%s", where);
	g->alg = s->alg;
	g->key_index = -1;
	g->err = LP_ERR_STATE;
	for (size_t i = 0; i < nkeys; i++) {
		g->err = lp_sign1_verify(s, &keys[i], lp_view_of(NULL, 0));
		if (g->err == LP_OK) {
			g->key_index = (int)i;
			break;
		}
	}
}

/* Name the object and check its signatures. */
static void classify(lp_inspect_report *r, cbor_item_t *root, const lp_pubkey *keys, size_t nkeys)
{
	snprintf(r->kind, sizeof r->kind, "CBOR data (not a COSE_Sign1)");
	bool tagged = cbor_isa_tag(root) && cbor_tag_value(root) == LP_TAG_SIGN1;
	bool arr4 = cbor_isa_array(root) && cbor_array_size(root) == 4;
	if (!tagged && !arr4) {
		if (cbor_isa_map(root) && lp_cbor_map_get_int(root, 1) && lp_cbor_map_get_int(root, 2) &&
		    cbor_map_size(root) == 2)
			snprintf(r->kind, sizeof r->kind, "issuance request (not checked here)");
		return;
	}
	lp_sign1 s;
	if (lp_sign1_from_item(root, false, &s, NULL) != LP_OK) {
		snprintf(r->kind, sizeof r->kind, "malformed COSE_Sign1");
		return;
	}
	const cbor_item_t *typ = lp_cbor_map_get_int(s.protected_map, LP_HDR_TYP);
	const cbor_item_t *cty = lp_cbor_map_get_int(s.protected_map, LP_HDR_CTY);
	cbor_item_t *kcwt = lp_cbor_map_get_int(s.protected_map, LP_HDR_KCWT);
	int64_t t = 0;
	bool tint = typ && lp_cbor_get_int(typ, &t);
	if (tint && t == 294) {
		snprintf(r->kind, sizeof r->kind, "SD-KBT presentation (typ 294)");
		check_sig(r, &s, "presentation (SD-KBT, holder)", keys, nkeys);
		lp_sign1 in;
		if (kcwt && lp_sign1_from_item(kcwt, false, &in, NULL) == LP_OK) {
			check_sig(r, &in, "credential (SD-CWT in kcwt, issuer)", keys, nkeys);
			lp_sign1_free(&in);
		}
	} else if (tint && t == 293) {
		snprintf(r->kind, sizeof r->kind, "SD-CWT credential (typ 293)");
		check_sig(r, &s, "credential (SD-CWT, issuer)", keys, nkeys);
	} else if (text_eq(typ, LP_STATUS_TYP)) {
		snprintf(r->kind, sizeof r->kind, "Token Status List (CWT)");
		check_sig(r, &s, "status list token", keys, nkeys);
	} else if (text_eq(typ, LP_REQUEST_TYP)) {
		snprintf(r->kind, sizeof r->kind, "issuance request proof");
		check_sig(r, &s, "request proof", keys, nkeys);
	} else if (text_eq(cty, "application/json")) {
		snprintf(r->kind, sizeof r->kind, "signed JSON (trust list)");
		check_sig(r, &s, "trust list", keys, nkeys);
	} else {
		snprintf(r->kind, sizeof r->kind, "COSE_Sign1");
		check_sig(r, &s, "COSE_Sign1", keys, nkeys);
	}
	lp_sign1_free(&s);
}

lp_err lp_inspect(lp_view cbor, const lp_pubkey *keys, size_t nkeys, lp_inspect_report *out,
		  lp_diag *d)
{
	memset(out, 0, sizeof *out);
	if (cbor.len > LP_INSPECT_MAX_BYTES)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "input larger than %u bytes",
				   LP_INSPECT_MAX_BYTES);
	if (nkeys && !keys)
		return LP_ERR_ARG;
	cbor_item_t *root = NULL;
	lp_err rc = lp_cbor_load(cbor, LP_INSPECT_MAX_DEPTH, &root, d);
	if (rc)
		return rc;
	struct sb s = { 0 };
	diag_item(&s, root, 0);
	json_t *j = json_item(root, 0);
	char *js = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (s.failed || !s.p || !js) {
		free(s.p);
		free(js);
		cbor_decref(&root);
		return LP_ERR_NOMEM;
	}
	out->diag = s.p;
	out->json = js;
	classify(out, root, keys, nkeys);
	cbor_decref(&root);
	return LP_OK;
}

void lp_inspect_free(lp_inspect_report *r)
{
	if (!r)
		return;
	free(r->diag);
	free(r->json);
	memset(r, 0, sizeof *r);
}
