/* The learning-achievement claim set (EU micro-credential Annex I plus Dutch
 * vocational needs): the key table, JSON <-> CBOR conversion, and the
 * template, learner and completeness checks. See include/leerpas/claims.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_int.h"

/* One row per claim, in key order. min/max only for UINT and NUMBER. */
static const lp_claim_def table[] = {
	{ LP_CK_TITLE, "title", "Title", LP_CLAIM_TEXT, 0, 0, true, "title", false, false, false },
	{ LP_CK_AWARDING_BODY, "awardingBody", "Awarding body", LP_CLAIM_TEXT, 0, 0, true,
	  "awarding body", false, false, false },
	{ LP_CK_COUNTRY, "countryCode", "Country of the awarding body", LP_CLAIM_TEXT, 0, 0, true,
	  "country of the issuer", false, false, false },
	{ LP_CK_AWARDING_DATE, "awardingDate", "Date of award", LP_CLAIM_DATE, 0, 0, false,
	  NULL, true, false, false },
	{ LP_CK_LEARNING_OUTCOME, "learningOutcome", "Learning outcomes", LP_CLAIM_TEXT_LIST, 0, 0,
	  true, "learning outcomes", false, false, true },
	{ LP_CK_CREDIT_POINT, "creditPoint", "Credits (ECTS)", LP_CLAIM_NUMBER, 0, 1000, true,
	  "notional workload", false, false, false },
	{ LP_CK_WORKLOAD, "workload", "Study hours", LP_CLAIM_UINT, 0, 100000, true,
	  "notional workload", false, false, false },
	{ LP_CK_EQF_LEVEL, "eqfLevel", "EQF level", LP_CLAIM_UINT, 1, 8, true, "level", false, false, false },
	{ LP_CK_NQF_LEVEL, "nqfLevel", "NLQF level", LP_CLAIM_UINT, 0, 8, true, "level", false, false, false },
	{ LP_CK_ASSESSMENT_TYPE, "assessmentType", "Type of assessment", LP_CLAIM_TEXT, 0, 0, true,
	  "type of assessment", false, false, true },
	{ LP_CK_MODE, "mode", "Form of participation", LP_CLAIM_TEXT, 0, 0, true,
	  "form of participation", false, false, true },
	{ LP_CK_ACCREDITATION, "accreditation", "Type of quality assurance", LP_CLAIM_TEXT, 0, 0, true,
	  "type of quality assurance", false, false, true },
	{ LP_CK_QUALIFICATION_CODE, "qualificationCode", "Qualification code (crebo)", LP_CLAIM_TEXT,
	  0, 0, false, NULL, false, false, false },
	{ LP_CK_IS_PART_OF, "isPartOf", "Counts toward", LP_CLAIM_COUNTS_TOWARD, 0, 0, false,
	  "integration and stackability options", false, false, false },
	{ LP_CK_HAS_PART, "hasPart", "Composed of", LP_CLAIM_COMPOSED_OF, 0, 0, false, NULL, true,
	  false, false },
	{ LP_CK_FULL_NAME, "fullName", "Name", LP_CLAIM_TEXT, 0, 0, true, "learner identification",
	  true, true, false },
	{ LP_CK_DATE_OF_BIRTH, "dateOfBirth", "Date of birth", LP_CLAIM_DATE, 0, 0, false, NULL, true,
	  true, false },
	{ LP_CK_STUDENT_ID, "studentId", "Learner number", LP_CLAIM_TEXT, 0, 0, true,
	  "learner identification", true, true, false },
	{ LP_CK_GRADE, "grade", "Grade", LP_CLAIM_TEXT, 0, 0, false, "grade", true, true, false },
	{ LP_CK_ASSESSMENT_DETAILS, "assessmentDetails", "Assessment details", LP_CLAIM_TEXT, 0, 0,
	  false, NULL, true, true, false },
	{ LP_CK_ENTRY_REQUIREMENT, "entryRequirement", "Prerequisites", LP_CLAIM_TEXT, 0, 0, false,
	  "prerequisites", false, false, true },
	{ LP_CK_ID_VERIFICATION, "idVerification", "Supervision and identity verification",
	  LP_CLAIM_TEXT, 0, 0, false, "supervision and identity verification", false, false, true },
	{ LP_CK_STACKABILITY, "stackability", "Integration and stackability", LP_CLAIM_TEXT, 0, 0,
	  false, "integration and stackability options", false, false, true },
	{ LP_CK_ADDITIONAL_NOTE, "additionalNote", "Further information", LP_CLAIM_TEXT, 0, 0, false,
	  "further information", false, false, true },
	{ LP_CK_DESCRIPTION, "description", "Description", LP_CLAIM_TEXT, 0, 0, false, NULL, false,
	  false, true },
	{ LP_CK_SPECIFIED_BY, "specifiedBy", "Specification (SHA-256)", LP_CLAIM_DIGEST, 0, 0, false,
	  NULL, false, false, false },
};

#define TABLE_LEN (sizeof table / sizeof table[0])
#define GENERIC_DEPTH 12

const lp_claim_def *lp_claims_table(size_t *count)
{
	if (count)
		*count = TABLE_LEN;
	return table;
}

const lp_claim_def *lp_claims_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const lp_claim_def *lp_claims_by_key(int64_t key)
{
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (table[i].key == key)
			return &table[i];
	return NULL;
}

/* ---- value checks shared by both directions ---------------------------- */

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD" with a real calendar day. */
static bool date_ok(const char *s, size_t n)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int dd = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || dd < 1)
		return false;
	int lim = mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
	return dd <= lim;
}

static bool text_ok(const char *s, size_t n)
{
	if (n == 0 || n > LP_CLAIM_TEXT_MAX)
		return false;
	/* No embedded NUL: values are shown on terminals and in C strings. */
	return memchr(s, 0, n) == NULL;
}

/* Special shape rules beyond the type. */
static bool text_shape_ok(int64_t key, const char *s, size_t n)
{
	if (key == LP_CK_COUNTRY)
		return n == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
	return true;
}

static const char *type_desc(const lp_claim_def *c)
{
	switch (c->type) {
	case LP_CLAIM_TEXT:
		return c->key == LP_CK_COUNTRY ? "a two-letter ISO 3166-1 country code such as \"NL\""
					       : "non-empty text";
	case LP_CLAIM_DATE: return "a date \"YYYY-MM-DD\"";
	case LP_CLAIM_UINT: return "a whole number in range";
	case LP_CLAIM_NUMBER: return "a non-negative number in range";
	case LP_CLAIM_TEXT_LIST: return "a non-empty list of non-empty texts";
	case LP_CLAIM_COUNTS_TOWARD:
		return "a list of {qualificationCode, title?, creditPoint?, workload?}";
	case LP_CLAIM_COMPOSED_OF: return "a list of {issuer, cti (hex)}";
	case LP_CLAIM_DIGEST: return "a SHA-256 digest as 64 hex digits";
	}
	return "?";
}

static lp_err bad_value(lp_diag *d, const lp_claim_def *c)
{
	if (c->type == LP_CLAIM_UINT || c->type == LP_CLAIM_NUMBER)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "claim '%s' must be %s (%g..%g)", c->name,
				   type_desc(c), c->min, c->max);
	return lp_diag_set(d, LP_ERR_CLAIMS, 0, "claim '%s' must be %s", c->name, type_desc(c));
}

/* ---- JSON -> CBOR ------------------------------------------------------- */

static cbor_item_t *mk_text(const char *s, size_t n)
{
	return cbor_build_stringn(s, n);
}

/* A uint in its shortest encoding (libcbor keeps the width it is given). */
static cbor_item_t *mk_uint(uint64_t v)
{
	if (v < 256)
		return cbor_build_uint8((uint8_t)v);
	if (v < 65536)
		return cbor_build_uint16((uint16_t)v);
	if (v <= UINT32_MAX)
		return cbor_build_uint32((uint32_t)v);
	return cbor_build_uint64(v);
}

/* Shortest exact CBOR encoding of a non-negative number. */
static cbor_item_t *mk_number(double v)
{
	if (v == floor(v) && v <= 9007199254740992.0)
		return mk_uint((uint64_t)v);
	int e = 0;
	double m = frexp(v, &e); /* v = m * 2^e, 0.5 <= m < 1 */
	double m11 = ldexp(m, 11);
	if (m11 == floor(m11) && e - 1 >= -14 && v <= 65504.0)
		return cbor_build_float2((float)v);
	if ((double)(float)v == v)
		return cbor_build_float4((float)v);
	return cbor_build_float8(v);
}

static bool json_number_of(const json_t *j, double *out)
{
	if (json_is_integer(j)) {
		*out = (double)json_integer_value(j);
		return true;
	}
	if (json_is_real(j)) {
		*out = json_real_value(j);
		return isfinite(*out);
	}
	return false;
}

static bool put(cbor_item_t *map, cbor_item_t *k, cbor_item_t *v)
{
	bool ok = false;
	if (k && v) {
		struct cbor_pair p = { k, v };
		ok = cbor_map_add(map, p);
	}
	if (k)
		cbor_decref(&k);
	if (v)
		cbor_decref(&v);
	return ok;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits (n even) into n / 2 bytes; false on a non-hex digit. */
static bool hex_decode(const char *h, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi * 16 + lo);
	}
	return true;
}

static lp_err scalar_to_item(const lp_claim_def *c, const json_t *j, cbor_item_t **out, lp_diag *d);

/* isPartOf entry: {qualificationCode, title?, creditPoint?, workload?}. */
static lp_err counts_entry(const lp_claim_def *c, const json_t *j, cbor_item_t **out, lp_diag *d)
{
	static const int64_t keys[] = { LP_CK_TITLE, LP_CK_CREDIT_POINT, LP_CK_WORKLOAD,
					LP_CK_QUALIFICATION_CODE };
	if (!json_is_object(j) || !json_object_get(j, "qualificationCode"))
		return bad_value(d, c);
	size_t known = 0;
	cbor_item_t *m = cbor_new_definite_map(4);
	if (!m)
		return LP_ERR_NOMEM;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const lp_claim_def *sub = lp_claims_by_key(keys[i]);
		const json_t *v = json_object_get(j, sub->name);
		if (!v)
			continue;
		known++;
		cbor_item_t *it = NULL;
		lp_err e = scalar_to_item(sub, v, &it, d);
		if (e != LP_OK) {
			cbor_decref(&m);
			return lp_diag_set(d, e, 0, "claim '%s': entry member '%s' must be %s", c->name,
					   sub->name, type_desc(sub));
		}
		if (!put(m, cbor_build_uint8((uint8_t)sub->key), it)) {
			cbor_decref(&m);
			return LP_ERR_NOMEM;
		}
	}
	if (known != json_object_size(j)) {
		cbor_decref(&m);
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "claim '%s': unknown member in an entry (allowed: qualificationCode, "
				   "title, creditPoint, workload)", c->name);
	}
	*out = m;
	return LP_OK;
}

/* hasPart entry: {issuer, cti (hex, 1..64 bytes)}. */
static lp_err composed_entry(const lp_claim_def *c, const json_t *j, cbor_item_t **out, lp_diag *d)
{
	const json_t *iss = json_object_get(j, "issuer");
	const json_t *cti = json_object_get(j, "cti");
	if (!json_is_object(j) || json_object_size(j) != 2 || !json_is_string(iss) || !json_is_string(cti))
		return bad_value(d, c);
	const char *h = json_string_value(cti);
	size_t hn = json_string_length(cti);
	if (!text_ok(json_string_value(iss), json_string_length(iss)) || hn == 0 || hn % 2 || hn > 128)
		return bad_value(d, c);
	uint8_t raw[64];
	if (!hex_decode(h, hn, raw))
		return bad_value(d, c);
	cbor_item_t *m = cbor_new_definite_map(2);
	if (!m)
		return LP_ERR_NOMEM;
	if (!put(m, cbor_build_uint8(LP_CK_PART_ISSUER),
		 mk_text(json_string_value(iss), json_string_length(iss))) ||
	    !put(m, cbor_build_uint8(LP_CK_PART_CTI), cbor_build_bytestring(raw, hn / 2))) {
		cbor_decref(&m);
		return LP_ERR_NOMEM;
	}
	*out = m;
	return LP_OK;
}

static lp_err scalar_to_item(const lp_claim_def *c, const json_t *j, cbor_item_t **out, lp_diag *d)
{
	*out = NULL;
	double num = 0;
	switch (c->type) {
	case LP_CLAIM_TEXT:
	case LP_CLAIM_DATE: {
		if (!json_is_string(j))
			return bad_value(d, c);
		const char *s = json_string_value(j);
		size_t n = json_string_length(j);
		if (!text_ok(s, n) || !text_shape_ok(c->key, s, n) ||
		    (c->type == LP_CLAIM_DATE && !date_ok(s, n)))
			return bad_value(d, c);
		*out = mk_text(s, n);
		break;
	}
	case LP_CLAIM_UINT:
		if (!json_is_integer(j) || (double)json_integer_value(j) < c->min ||
		    (double)json_integer_value(j) > c->max)
			return bad_value(d, c);
		*out = mk_uint((uint64_t)json_integer_value(j));
		break;
	case LP_CLAIM_NUMBER:
		if (!json_number_of(j, &num) || num < c->min || num > c->max)
			return bad_value(d, c);
		*out = mk_number(num);
		break;
	case LP_CLAIM_DIGEST: {
		uint8_t raw[LP_SPEC_DIGEST_BYTES];
		const char *h = json_is_string(j) ? json_string_value(j) : NULL;
		if (!h || json_string_length(j) != 2 * sizeof raw || !hex_decode(h, 2 * sizeof raw, raw))
			return bad_value(d, c);
		*out = cbor_build_bytestring(raw, sizeof raw);
		break;
	}
	case LP_CLAIM_TEXT_LIST:
	case LP_CLAIM_COUNTS_TOWARD:
	case LP_CLAIM_COMPOSED_OF: {
		size_t n = json_array_size(j);
		if (!json_is_array(j) || n == 0 || n > LP_CLAIM_LIST_MAX)
			return bad_value(d, c);
		cbor_item_t *a = cbor_new_definite_array(n);
		if (!a)
			return LP_ERR_NOMEM;
		for (size_t i = 0; i < n; i++) {
			const json_t *el = json_array_get(j, i);
			cbor_item_t *it = NULL;
			lp_err e = LP_OK;
			if (c->type == LP_CLAIM_TEXT_LIST) {
				if (!json_is_string(el) ||
				    !text_ok(json_string_value(el), json_string_length(el)))
					e = bad_value(d, c);
				else
					it = mk_text(json_string_value(el), json_string_length(el));
			} else if (c->type == LP_CLAIM_COUNTS_TOWARD) {
				e = counts_entry(c, el, &it, d);
			} else {
				e = composed_entry(c, el, &it, d);
			}
			if (e == LP_OK && !it)
				e = LP_ERR_NOMEM;
			if (e == LP_OK && !cbor_array_push(a, it))
				e = LP_ERR_NOMEM;
			if (it)
				cbor_decref(&it);
			if (e != LP_OK) {
				cbor_decref(&a);
				return e;
			}
		}
		*out = a;
		return LP_OK;
	}
	}
	return *out ? LP_OK : LP_ERR_NOMEM;
}

lp_err lp_claims_parse_json(const char *json, size_t len, json_t **out, lp_diag *d)
{
	*out = NULL;
	if (!json)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no JSON text given");
	if (len > LP_CLAIMS_JSON_MAX)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "JSON text over %u bytes", LP_CLAIMS_JSON_MAX);
	json_error_t je;
	json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return lp_diag_set(d, LP_ERR_JSON, (size_t)(je.position > 0 ? je.position : 0),
				   "JSON: %s (line %d)", je.text, je.line);
	if (!json_is_object(j)) {
		json_decref(j);
		return lp_diag_set(d, LP_ERR_JSON, 0, "expected a JSON object");
	}
	*out = j;
	return LP_OK;
}

struct kv {
	int64_t key;
	cbor_item_t *v;
};

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

lp_err lp_claims_json_to_item(const json_t *obj, cbor_item_t **out, lp_diag *d)
{
	*out = NULL;
	if (!json_is_object(obj))
		return lp_diag_set(d, LP_ERR_JSON, 0, "claims must be a JSON object");
	size_t n = json_object_size(obj), k = 0;
	struct kv *kvs = calloc(n ? n : 1, sizeof *kvs);
	cbor_item_t *map = NULL;
	lp_err e = LP_OK;
	if (!kvs)
		return LP_ERR_NOMEM;
	const char *name;
	json_t *val;
	json_object_foreach((json_t *)obj, name, val) {
		const lp_claim_def *c = lp_claims_by_name(name);
		if (!c) {
			e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "unknown claim '%s'", name);
			goto out;
		}
		e = scalar_to_item(c, val, &kvs[k].v, d);
		if (e != LP_OK)
			goto out;
		kvs[k++].key = c->key;
	}
	qsort(kvs, k, sizeof *kvs, kv_cmp);
	map = cbor_new_definite_map(k);
	if (!map) {
		e = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		cbor_item_t *key = cbor_build_uint8((uint8_t)kvs[i].key);
		cbor_item_t *v = kvs[i].v;
		kvs[i].v = NULL;
		if (!put(map, key, v)) {
			e = LP_ERR_NOMEM;
			goto out;
		}
	}
	*out = map;
	map = NULL;
out:
	for (size_t i = 0; i < n; i++)
		if (kvs[i].v)
			cbor_decref(&kvs[i].v);
	free(kvs);
	if (map)
		cbor_decref(&map);
	return e;
}

lp_err lp_json_to_buf(const json_t *v, lp_buf *out)
{
	out->ptr = NULL;
	out->len = 0;
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return LP_ERR_NOMEM;
	out->ptr = (uint8_t *)s;
	out->len = strlen(s);
	return LP_OK;
}

lp_err lp_claims_from_json(const char *json, size_t len, lp_buf *cbor, lp_diag *d)
{
	json_t *j = NULL;
	cbor_item_t *it = NULL;
	cbor->ptr = NULL;
	cbor->len = 0;
	lp_err e = lp_claims_parse_json(json, len, &j, d);
	if (e == LP_OK)
		e = lp_claims_json_to_item(j, &it, d);
	if (e == LP_OK)
		e = lp_cbor_encode(it, cbor);
	if (it)
		cbor_decref(&it);
	json_decref(j);
	return e;
}

/* ---- CBOR -> JSON ------------------------------------------------------- */

static json_t *hex_string(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	if (!s)
		return NULL;
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = hx[p[i] >> 4];
		s[2 * i + 1] = hx[p[i] & 15];
	}
	s[2 * n] = 0;
	json_t *j = json_string(s);
	free(s);
	return j;
}

static bool is_simple59(const cbor_item_t *it)
{
	return cbor_isa_float_ctrl(it) && cbor_float_get_width(it) == CBOR_FLOAT_0 &&
	       cbor_ctrl_value(it) == 59;
}

static json_t *cbor_text(const cbor_item_t *it)
{
	if (!cbor_isa_string(it) || !cbor_string_is_definite(it))
		return NULL;
	/* json_stringn rejects invalid UTF-8. */
	return json_stringn((const char *)cbor_string_handle(it), cbor_string_length(it));
}

/* Map key as a JSON member name: text as is, integers in decimal. */
static lp_err key_name(const cbor_item_t *k, char *buf, size_t cap, lp_diag *d)
{
	int64_t iv;
	if (lp_cbor_get_int(k, &iv)) {
		(void)snprintf(buf, cap, "%lld", (long long)iv);
		return LP_OK;
	}
	if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) < cap &&
	    !memchr(cbor_string_handle(k), 0, cbor_string_length(k))) {
		memcpy(buf, cbor_string_handle(k), cbor_string_length(k));
		buf[cbor_string_length(k)] = 0;
		return LP_OK;
	}
	return lp_diag_set(d, LP_ERR_CLAIMS, 0, "map key is neither an integer nor short text");
}

lp_err lp_cbor_to_json_generic(const cbor_item_t *it, size_t depth, json_t **out, lp_diag *d)
{
	*out = NULL;
	if (depth == 0)
		return lp_diag_set(d, LP_ERR_CBOR_DEPTH, 0, "claim value nested too deeply");
	json_t *j = NULL;
	lp_err e = LP_OK;
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_UINT: {
		uint64_t v = cbor_get_int(it);
		j = v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
		break;
	}
	case CBOR_TYPE_NEGINT: {
		uint64_t v = cbor_get_int(it);
		j = v < INT64_MAX ? json_integer(-1 - (json_int_t)v) : json_real(-1.0 - (double)v);
		break;
	}
	case CBOR_TYPE_BYTESTRING:
		if (!cbor_bytestring_is_definite(it))
			return lp_diag_set(d, LP_ERR_CBOR_INDEFINITE, 0, "indefinite byte string");
		j = hex_string(cbor_bytestring_handle(it), cbor_bytestring_length(it));
		break;
	case CBOR_TYPE_STRING:
		j = cbor_text(it);
		if (!j)
			return lp_diag_set(d, LP_ERR_CLAIMS, 0, "text is not valid UTF-8");
		break;
	case CBOR_TYPE_ARRAY:
		j = json_array();
		for (size_t i = 0; j && i < cbor_array_size(it); i++) {
			json_t *el = NULL;
			e = lp_cbor_to_json_generic(cbor_array_handle(it)[i], depth - 1, &el, d);
			if (e != LP_OK)
				break;
			if (json_array_append_new(j, el) != 0)
				e = LP_ERR_NOMEM;
		}
		break;
	case CBOR_TYPE_MAP:
		j = json_object();
		for (size_t i = 0; j && i < cbor_map_size(it); i++) {
			struct cbor_pair p = cbor_map_handle(it)[i];
			char name[256];
			json_t *el = NULL;
			if (is_simple59(p.key))
				continue;
			e = key_name(p.key, name, sizeof name, d);
			if (e != LP_OK)
				break;
			if (json_object_get(j, name)) {
				e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "map key '%s' appears twice", name);
				break;
			}
			e = lp_cbor_to_json_generic(p.value, depth - 1, &el, d);
			if (e != LP_OK)
				break;
			if (json_object_set_new(j, name, el) != 0)
				e = LP_ERR_NOMEM;
		}
		break;
	case CBOR_TYPE_TAG: {
		/* cbor_tag_item hands out a new reference. */
		cbor_item_t *inner = cbor_tag_item(it);
		e = lp_cbor_to_json_generic(inner, depth - 1, out, d);
		cbor_decref(&inner);
		return e;
	}
	case CBOR_TYPE_FLOAT_CTRL:
		if (cbor_float_ctrl_is_ctrl(it)) {
			if (cbor_is_bool(it))
				j = json_boolean(cbor_get_bool(it));
			else
				j = json_null();
		} else {
			double v = cbor_float_get_float(it);
			j = isfinite(v) ? json_real(v) : json_null();
		}
		break;
	}
	if (e == LP_OK && !j)
		e = LP_ERR_NOMEM;
	if (e != LP_OK) {
		json_decref(j);
		return e;
	}
	*out = j;
	return LP_OK;
}

static bool cbor_uint_in(const cbor_item_t *v, double lo, double hi, double *num)
{
	if (cbor_isa_uint(v)) {
		*num = (double)cbor_get_int(v);
	} else if (cbor_isa_float_ctrl(v) && !cbor_float_ctrl_is_ctrl(v)) {
		*num = cbor_float_get_float(v);
		if (!isfinite(*num))
			return false;
	} else {
		return false;
	}
	return *num >= lo && *num <= hi;
}

static lp_err typed_to_json(const lp_claim_def *c, const cbor_item_t *v, json_t **out, lp_diag *d);

static lp_err entry_to_json(const lp_claim_def *c, const cbor_item_t *v, json_t **out, lp_diag *d)
{
	*out = NULL;
	if (!cbor_isa_map(v) || !cbor_map_is_definite(v))
		return bad_value(d, c);
	json_t *o = json_object();
	if (!o)
		return LP_ERR_NOMEM;
	lp_err e = LP_OK;
	for (size_t i = 0; i < cbor_map_size(v) && e == LP_OK; i++) {
		struct cbor_pair p = cbor_map_handle(v)[i];
		int64_t k;
		json_t *el = NULL;
		if (!lp_cbor_get_int(p.key, &k)) {
			e = bad_value(d, c);
			break;
		}
		if (c->type == LP_CLAIM_COUNTS_TOWARD) {
			const lp_claim_def *sub = lp_claims_by_key(k);
			if (k != LP_CK_TITLE && k != LP_CK_CREDIT_POINT && k != LP_CK_WORKLOAD &&
			    k != LP_CK_QUALIFICATION_CODE) {
				e = bad_value(d, c);
				break;
			}
			e = typed_to_json(sub, p.value, &el, d);
			if (e == LP_OK && json_object_set_new(o, sub->name, el) != 0)
				e = LP_ERR_NOMEM;
		} else if (k == LP_CK_PART_ISSUER) {
			el = cbor_text(p.value);
			if (!el || !text_ok(json_string_value(el), json_string_length(el))) {
				json_decref(el);
				e = bad_value(d, c);
			} else if (json_object_set_new(o, "issuer", el) != 0) {
				e = LP_ERR_NOMEM;
			}
		} else if (k == LP_CK_PART_CTI && cbor_isa_bytestring(p.value) &&
			   cbor_bytestring_is_definite(p.value) &&
			   cbor_bytestring_length(p.value) >= 1 && cbor_bytestring_length(p.value) <= 64) {
			el = hex_string(cbor_bytestring_handle(p.value), cbor_bytestring_length(p.value));
			if (!el || json_object_set_new(o, "cti", el) != 0)
				e = LP_ERR_NOMEM;
		} else {
			e = bad_value(d, c);
		}
	}
	if (e == LP_OK) {
		bool complete = c->type == LP_CLAIM_COUNTS_TOWARD
					? json_object_get(o, "qualificationCode") != NULL
					: json_object_get(o, "issuer") && json_object_get(o, "cti");
		if (!complete)
			e = bad_value(d, c);
	}
	if (e != LP_OK) {
		json_decref(o);
		return e;
	}
	*out = o;
	return LP_OK;
}

static lp_err typed_to_json(const lp_claim_def *c, const cbor_item_t *v, json_t **out, lp_diag *d)
{
	*out = NULL;
	json_t *j = NULL;
	double num = 0;
	switch (c->type) {
	case LP_CLAIM_TEXT:
	case LP_CLAIM_DATE:
		j = cbor_text(v);
		if (!j || !text_ok(json_string_value(j), json_string_length(j)) ||
		    !text_shape_ok(c->key, json_string_value(j), json_string_length(j)) ||
		    (c->type == LP_CLAIM_DATE && !date_ok(json_string_value(j), json_string_length(j)))) {
			json_decref(j);
			return bad_value(d, c);
		}
		break;
	case LP_CLAIM_UINT:
		if (!cbor_isa_uint(v) || !cbor_uint_in(v, c->min, c->max, &num))
			return bad_value(d, c);
		j = json_integer((json_int_t)cbor_get_int(v));
		break;
	case LP_CLAIM_NUMBER:
		if (!cbor_uint_in(v, c->min, c->max, &num))
			return bad_value(d, c);
		j = cbor_isa_uint(v) ? json_integer((json_int_t)cbor_get_int(v)) : json_real(num);
		break;
	case LP_CLAIM_DIGEST:
		if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v) ||
		    cbor_bytestring_length(v) != LP_SPEC_DIGEST_BYTES)
			return bad_value(d, c);
		j = hex_string(cbor_bytestring_handle(v), LP_SPEC_DIGEST_BYTES);
		break;
	case LP_CLAIM_TEXT_LIST:
	case LP_CLAIM_COUNTS_TOWARD:
	case LP_CLAIM_COMPOSED_OF:
		if (!cbor_isa_array(v) || !cbor_array_is_definite(v) || cbor_array_size(v) == 0 ||
		    cbor_array_size(v) > LP_CLAIM_LIST_MAX)
			return bad_value(d, c);
		j = json_array();
		for (size_t i = 0; j && i < cbor_array_size(v); i++) {
			const cbor_item_t *el = cbor_array_handle(v)[i];
			json_t *je = NULL;
			if (c->type == LP_CLAIM_TEXT_LIST) {
				je = cbor_text(el);
				if (!je || !text_ok(json_string_value(je), json_string_length(je))) {
					json_decref(je);
					json_decref(j);
					return bad_value(d, c);
				}
			} else {
				lp_err e = entry_to_json(c, el, &je, d);
				if (e != LP_OK) {
					json_decref(j);
					return e;
				}
			}
			if (json_array_append_new(j, je) != 0) {
				json_decref(j);
				return LP_ERR_NOMEM;
			}
		}
		break;
	}
	if (!j)
		return LP_ERR_NOMEM;
	*out = j;
	return LP_OK;
}

lp_err lp_claims_value_to_json(int64_t key, const cbor_item_t *v, json_t **out, lp_diag *d)
{
	const lp_claim_def *c = lp_claims_by_key(key);
	if (c)
		return typed_to_json(c, v, out, d);
	return lp_cbor_to_json_generic(v, GENERIC_DEPTH, out, d);
}

lp_err lp_claims_item_to_json(const cbor_item_t *map, json_t **out, lp_diag *d)
{
	*out = NULL;
	if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
		return lp_diag_set(d, LP_ERR_CLAIMS, 0, "achievement claims are not a map");
	json_t *o = json_object();
	if (!o)
		return LP_ERR_NOMEM;
	lp_err e = LP_OK;
	for (size_t i = 0; i < cbor_map_size(map); i++) {
		struct cbor_pair p = cbor_map_handle(map)[i];
		int64_t k = 0;
		char buf[256];
		const char *name = buf;
		json_t *v = NULL;
		if (is_simple59(p.key))
			continue;
		if (lp_cbor_get_int(p.key, &k) && k == LP_CK_REDACTABLE)
			continue; /* metadata, not a claim (see claims.h) */
		if (lp_cbor_get_int(p.key, &k) && lp_claims_by_key(k)) {
			name = lp_claims_by_key(k)->name;
			e = lp_claims_value_to_json(k, p.value, &v, d);
		} else {
			e = key_name(p.key, buf, sizeof buf, d);
			if (e == LP_OK)
				e = lp_cbor_to_json_generic(p.value, GENERIC_DEPTH, &v, d);
		}
		if (e != LP_OK)
			break;
		if (json_object_get(o, name)) {
			json_decref(v);
			e = lp_diag_set(d, LP_ERR_CLAIMS, 0, "claim '%s' appears twice", name);
			break;
		}
		if (json_object_set_new(o, name, v) != 0) {
			e = LP_ERR_NOMEM;
			break;
		}
	}
	if (e != LP_OK) {
		json_decref(o);
		return e;
	}
	*out = o;
	return LP_OK;
}

lp_err lp_claims_to_json(lp_view cbor, lp_buf *json, lp_diag *d)
{
	cbor_item_t *it = NULL;
	json_t *j = NULL;
	json->ptr = NULL;
	json->len = 0;
	lp_err e = lp_cbor_load(cbor, LP_CBOR_MAX_DEPTH, &it, d);
	if (e == LP_OK)
		e = lp_claims_item_to_json(it, &j, d);
	if (e == LP_OK)
		e = lp_json_to_buf(j, json);
	json_decref(j);
	if (it)
		cbor_decref(&it);
	return e;
}

/* ---- checks ---------------------------------------------------------- */

lp_err lp_claims_check_mandatory(const json_t *obj, bool template_only, lp_diag *d)
{
	for (size_t i = 0; i < TABLE_LEN; i++) {
		const lp_claim_def *c = &table[i];
		if (!c->mandatory)
			continue;
		/* Each element once: skip unless c is the first row realising it. */
		bool first = true;
		for (size_t k = 0; k < i; k++)
			if (table[k].mandatory && strcmp(table[k].element, c->element) == 0)
				first = false;
		if (!first)
			continue;
		bool present = false, learner_only = true;
		char names[160] = "";
		size_t used = 0;
		for (size_t k = i; k < TABLE_LEN; k++) {
			if (!table[k].mandatory || strcmp(table[k].element, c->element) != 0)
				continue;
			if (json_object_get(obj, table[k].name))
				present = true;
			if (!table[k].per_learner)
				learner_only = false;
			int w = snprintf(names + used, sizeof names - used, "%s%s", used ? " or " : "",
					 table[k].name);
			if (w > 0 && (size_t)w < sizeof names - used)
				used += (size_t)w;
		}
		if (present || (template_only && learner_only))
			continue;
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "missing mandatory Annex I element '%s' (give %s)", c->element, names);
	}
	return LP_OK;
}

/* Parse, type-check (by building the CBOR map), and optionally check
 * completeness of a claims object. */
static lp_err check_claims_obj(const json_t *claims, int completeness, lp_diag *d)
{
	cbor_item_t *it = NULL;
	lp_err e = lp_claims_json_to_item(claims, &it, d);
	if (it)
		cbor_decref(&it);
	if (e == LP_OK && completeness)
		e = lp_claims_check_mandatory(claims, completeness == 1, d);
	return e;
}

lp_err lp_claims_template_check(const char *json, size_t len, lp_diag *d)
{
	json_t *t = NULL;
	lp_err e = lp_claims_parse_json(json, len, &t, d);
	if (e != LP_OK)
		return e;
	const json_t *vct = json_object_get(t, "vct");
	const json_t *claims = json_object_get(t, "claims");
	const json_t *red = json_object_get(t, "redactable");
	if (!json_is_string(vct) || !text_ok(json_string_value(vct), json_string_length(vct))) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
				"template needs \"vct\": the credential type as non-empty text");
		goto out;
	}
	if (!json_is_object(claims)) {
		e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
				"template needs \"claims\": an object of fixed claims by JSON name");
		goto out;
	}
	e = check_claims_obj(claims, 1, d);
	if (e != LP_OK)
		goto out;
	if (red) {
		if (!json_is_array(red)) {
			e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
					"\"redactable\" must be a list of claim names");
			goto out;
		}
		for (size_t i = 0; i < json_array_size(red); i++) {
			const json_t *n = json_array_get(red, i);
			if (!json_is_string(n) || !lp_claims_by_name(json_string_value(n))) {
				e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
						"\"redactable\" entry %zu is not a known claim name%s%s%s",
						i, json_is_string(n) ? " ('" : "",
						json_is_string(n) ? json_string_value(n) : "",
						json_is_string(n) ? "')" : "");
				goto out;
			}
			for (size_t k = 0; k < i; k++)
				if (json_equal(json_array_get(red, k), n)) {
					e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
							"\"redactable\" names '%s' twice",
							json_string_value(n));
					goto out;
				}
		}
	}
out:
	json_decref(t);
	return e;
}

lp_err lp_claims_learner_check(const char *json, size_t len, lp_diag *d)
{
	json_t *j = NULL;
	lp_err e = lp_claims_parse_json(json, len, &j, d);
	if (e == LP_OK)
		e = check_claims_obj(j, 0, d);
	json_decref(j);
	return e;
}

lp_err lp_claims_complete_check(const char *json, size_t len, lp_diag *d)
{
	json_t *j = NULL;
	lp_err e = lp_claims_parse_json(json, len, &j, d);
	if (e == LP_OK)
		e = check_claims_obj(j, 2, d);
	json_decref(j);
	return e;
}

lp_err lp_claims_merge(const char *tmpl_claims, size_t tlen, const char *learner, size_t llen,
		       lp_buf *out, lp_diag *d)
{
	json_t *t = NULL, *l = NULL;
	out->ptr = NULL;
	out->len = 0;
	lp_err e = lp_claims_parse_json(tmpl_claims, tlen, &t, d);
	if (e == LP_OK)
		e = lp_claims_parse_json(learner, llen, &l, d);
	if (e == LP_OK) {
		const char *name;
		json_t *v;
		json_object_foreach(l, name, v) {
			if (json_object_get(t, name)) {
				e = lp_diag_set(d, LP_ERR_CLAIMS, 0,
						"claim '%s' is fixed by the template and given for the "
						"learner too", name);
				break;
			}
			if (json_object_set(t, name, v) != 0) {
				e = LP_ERR_NOMEM;
				break;
			}
		}
	}
	if (e == LP_OK)
		e = lp_json_to_buf(t, out);
	json_decref(t);
	json_decref(l);
	return e;
}
