/* Learning routes (leerpas/route.h): group a learner's credentials by the
 * qualification they count toward, weigh them against the qualification
 * descriptions schools publish, and render the result as JSON, text or SVG.
 * The rules are in docs/format/route.md; this file follows them. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "leerpas/route.h"

#define STR_MAX 2048u    /* bytes of one text member we keep */
#define CODE_MAX 64u     /* bytes of a qualification or part code */
#define EPS 1e-9

/* ---- the model ------------------------------------------------------------ */

struct counts {          /* one isPartOf entry of a credential */
	char *code;
	char *title;         /* may be NULL */
	bool has_h, has_ec;
	double h, ec;
};

struct ref {             /* one hasPart entry: a module by issuer and cti */
	char *issuer;
	char *cti;           /* lowercase hex */
};

struct cred {
	char *id, *issuer, *type, *cti; /* type and cti may be NULL */
	int64_t iat;
	int status;
	char *title, *body, *name, *qcode; /* body, name, qcode may be NULL */
	char date[11];
	int64_t day;         /* days since 1970-01-01 of date */
	bool has_h, has_ec;
	double h, ec;
	struct counts *counts;
	size_t ncounts;
	struct ref *parts;
	size_t nparts;
};

struct qpart {
	char *code, *title;  /* at least one */
	bool required;
	bool has_h, has_ec;
	double h, ec;
};

struct qual {
	char *code, *title, *publisher, *description, *url; /* the last three may be NULL */
	bool ects;
	int eqf, nqf;        /* -1 when absent */
	double required;
	bool has_optmin;
	double optmin;
	struct qpart *parts;
	size_t nparts;
};

enum state { ST_COUNTED, ST_INCLUDED, ST_DUPLICATE, ST_REVOKED, ST_SUSPENDED };

struct entry {           /* one credential inside one qualification */
	size_t cred;
	enum state st;
	double amount;       /* in the qualification's unit */
	bool converted;      /* amount converted between hours and EC */
	bool has_amount;
	long part;           /* index of the part it fulfils, -1 none */
	size_t other;        /* ST_INCLUDED: the composite; ST_DUPLICATE: the earlier credential */
};

struct shared {          /* a module inside two counted composites of one qualification */
	size_t a, b;         /* the composites (cred indices) */
	const struct ref *ref;
	bool held;           /* the module itself is in the wallet */
	size_t module;       /* its cred index when held */
	double deducted;
};

struct result {
	const struct qual *q; /* NULL: no description given */
	const char *code, *title;
	bool ects;
	struct entry *e;
	size_t ne;
	size_t *part_by;     /* per part: cred index + 1, 0 = missing */
	struct shared *sh;
	size_t nsh;
	double gathered, optgathered;
	size_t missing, dbl;
	bool complete;
};

struct lp_route {
	struct cred *creds;
	size_t ncreds, capc;
	struct qual *quals;
	size_t nquals, capq;
	/* computed on demand, dropped when something is added */
	bool computed;
	size_t *order;       /* credentials by date, then id */
	struct result *res;
	size_t nres;
};

/* ---- small helpers --------------------------------------------------------- */

static char *dupstr(const char *s)
{
	size_t n;
	char *p;
	if (!s)
		return NULL;
	n = strlen(s);
	p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), and back. Pure arithmetic: no time zone, no libc. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* "YYYY-MM-DD" with a real month and day; fills *day. */
static bool parse_date(const char *s, int64_t *day)
{
	unsigned y = 0, m = 0, d = 0;
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (unsigned)(s[0] - '0') * 1000 + (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 +
	    (unsigned)(s[3] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	*day = days_from_civil((int64_t)y, m, d);
	return true;
}

static void format_day(int64_t day, char out[11])
{
	int64_t y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		memcpy(out, "0000-00-00", 11);
		return;
	}
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y, m % 100, d % 100);
}

/* Case-insensitive (ASCII) comparison with runs of white space as one. */
static bool same_title(const char *a, const char *b)
{
	while (*a == ' ')
		a++;
	while (*b == ' ')
		b++;
	while (*a && *b) {
		if (*a == ' ' && *b == ' ') {
			while (*a == ' ')
				a++;
			while (*b == ' ')
				b++;
			continue;
		}
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
		a++;
		b++;
	}
	while (*a == ' ')
		a++;
	while (*b == ' ')
		b++;
	return *a == 0 && *b == 0;
}

/* The code written in brackets anywhere in a title: "Omgaan met dementie
 * (K0228)" names part K0228 (the way keuzedelen are written). */
static bool title_names_code(const char *title, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = strchr(title, '('); p; p = strchr(p + 1, '('))
		if (strncmp(p + 1, code, n) == 0 && p[1 + n] == ')')
			return true;
	return false;
}

static bool hex_lower(const char *s, size_t max, char **out)
{
	size_t n = strlen(s);
	char *p;
	if (n == 0 || n % 2 || n > max)
		return false;
	p = malloc(n + 1);
	if (!p)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			free(p);
			return false;
		}
		p[i] = c;
	}
	p[n] = 0;
	*out = p;
	return true;
}

/* ---- freeing ---------------------------------------------------------------- */

static void cred_clear(struct cred *c)
{
	free(c->id);
	free(c->issuer);
	free(c->type);
	free(c->cti);
	free(c->title);
	free(c->body);
	free(c->name);
	free(c->qcode);
	for (size_t i = 0; i < c->ncounts; i++) {
		free(c->counts[i].code);
		free(c->counts[i].title);
	}
	free(c->counts);
	for (size_t i = 0; i < c->nparts; i++) {
		free(c->parts[i].issuer);
		free(c->parts[i].cti);
	}
	free(c->parts);
	memset(c, 0, sizeof *c);
}

static void qual_clear(struct qual *q)
{
	free(q->code);
	free(q->title);
	free(q->publisher);
	free(q->description);
	free(q->url);
	for (size_t i = 0; i < q->nparts; i++) {
		free(q->parts[i].code);
		free(q->parts[i].title);
	}
	free(q->parts);
	memset(q, 0, sizeof *q);
}

static void results_drop(lp_route *r)
{
	for (size_t i = 0; i < r->nres; i++) {
		free(r->res[i].e);
		free(r->res[i].part_by);
		free(r->res[i].sh);
	}
	free(r->res);
	free(r->order);
	r->res = NULL;
	r->nres = 0;
	r->order = NULL;
	r->computed = false;
}

void lp_route_free(lp_route *r)
{
	if (!r)
		return;
	results_drop(r);
	for (size_t i = 0; i < r->ncreds; i++)
		cred_clear(&r->creds[i]);
	free(r->creds);
	for (size_t i = 0; i < r->nquals; i++)
		qual_clear(&r->quals[i]);
	free(r->quals);
	free(r);
}

lp_err lp_route_new(lp_route **out)
{
	if (!out)
		return LP_ERR_ARG;
	*out = calloc(1, sizeof **out);
	return *out ? LP_OK : LP_ERR_NOMEM;
}

/* ---- reading JSON members ------------------------------------------------- */

/* A text member: absent is fine (*out NULL) unless need; else 1..STR_MAX
 * bytes. Returns false with d set on a wrong type. */
static bool get_text(const json_t *o, const char *name, bool need, size_t max, char **out, lp_err code,
		     const char *what, lp_diag *d, lp_err *rc)
{
	const json_t *v = json_object_get(o, name);
	*out = NULL;
	if (!v) {
		if (!need)
			return true;
		*rc = lp_diag_set(d, code, 0, "%s: '%s' is missing", what, name);
		return false;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		*rc = lp_diag_set(d, code, 0, "%s: '%s' must be text of 1..%zu bytes", what, name, max);
		return false;
	}
	*out = dupstr(json_string_value(v));
	if (!*out) {
		*rc = LP_ERR_NOMEM;
		return false;
	}
	return true;
}

static bool get_number(const json_t *o, const char *name, double min, double max, bool *has, double *out,
		       lp_err code, const char *what, lp_diag *d, lp_err *rc)
{
	const json_t *v = json_object_get(o, name);
	*has = false;
	*out = 0;
	if (!v)
		return true;
	if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < min ||
	    json_number_value(v) > max) {
		*rc = lp_diag_set(d, code, 0, "%s: '%s' must be a number from %g to %g", what, name, min, max);
		return false;
	}
	*has = true;
	*out = json_number_value(v);
	return true;
}

/* ---- adding a credential ---------------------------------------------------- */

static lp_err cred_from_claims(struct cred *c, const json_t *o, lp_diag *d)
{
	lp_err rc = LP_ERR_NOMEM;
	const char *w = "claims";
	char *date = NULL;
	const json_t *a;

	if (!get_text(o, "title", false, STR_MAX, &c->title, LP_ERR_CLAIMS, w, d, &rc) ||
	    !get_text(o, "awardingBody", false, STR_MAX, &c->body, LP_ERR_CLAIMS, w, d, &rc) ||
	    !get_text(o, "fullName", false, STR_MAX, &c->name, LP_ERR_CLAIMS, w, d, &rc) ||
	    !get_text(o, "qualificationCode", false, CODE_MAX, &c->qcode, LP_ERR_CLAIMS, w, d, &rc) ||
	    !get_text(o, "awardingDate", false, 10, &date, LP_ERR_CLAIMS, w, d, &rc) ||
	    !get_number(o, "workload", 0, 1e6, &c->has_h, &c->h, LP_ERR_CLAIMS, w, d, &rc) ||
	    !get_number(o, "creditPoint", 0, 1e5, &c->has_ec, &c->ec, LP_ERR_CLAIMS, w, d, &rc))
		goto out;
	if (date) {
		if (!parse_date(date, &c->day)) {
			rc = lp_diag_set(d, LP_ERR_CLAIMS, 0, "claims: 'awardingDate' must be a date YYYY-MM-DD");
			goto out;
		}
		memcpy(c->date, date, 11);
	} else {
		/* Within years 0000..9999, so that the picture's year axis stays
		 * bounded whatever iat a credential carries. */
		int64_t lo = days_from_civil(0, 1, 1), hi = days_from_civil(9999, 12, 31);
		c->day = floordiv(c->iat, 86400);
		c->day = c->day < lo ? lo : c->day > hi ? hi : c->day;
		format_day(c->day, c->date);
	}
	if (!c->title && !(c->title = dupstr("(untitled)")))
		goto out;

	a = json_object_get(o, "isPartOf");
	if (a) {
		if (!json_is_array(a) || json_array_size(a) > 64) {
			rc = lp_diag_set(d, LP_ERR_CLAIMS, 0, "claims: 'isPartOf' must be a list of at most 64 entries");
			goto out;
		}
		c->counts = calloc(json_array_size(a) + 1, sizeof *c->counts);
		if (!c->counts)
			goto out;
		for (size_t i = 0; i < json_array_size(a); i++) {
			const json_t *e = json_array_get(a, i);
			struct counts *k = &c->counts[c->ncounts];
			const char *we = "claims: an isPartOf entry";
			if (!json_is_object(e)) {
				rc = lp_diag_set(d, LP_ERR_CLAIMS, 0, "%s is not an object", we);
				goto out;
			}
			c->ncounts++;
			if (!get_text(e, "qualificationCode", true, CODE_MAX, &k->code, LP_ERR_CLAIMS, we, d, &rc) ||
			    !get_text(e, "title", false, STR_MAX, &k->title, LP_ERR_CLAIMS, we, d, &rc) ||
			    !get_number(e, "workload", 0, 1e6, &k->has_h, &k->h, LP_ERR_CLAIMS, we, d, &rc) ||
			    !get_number(e, "creditPoint", 0, 1e5, &k->has_ec, &k->ec, LP_ERR_CLAIMS, we, d, &rc))
				goto out;
		}
	}
	a = json_object_get(o, "hasPart");
	if (a) {
		if (!json_is_array(a) || json_array_size(a) > 64) {
			rc = lp_diag_set(d, LP_ERR_CLAIMS, 0, "claims: 'hasPart' must be a list of at most 64 entries");
			goto out;
		}
		c->parts = calloc(json_array_size(a) + 1, sizeof *c->parts);
		if (!c->parts)
			goto out;
		for (size_t i = 0; i < json_array_size(a); i++) {
			const json_t *e = json_array_get(a, i);
			struct ref *p = &c->parts[c->nparts];
			const char *we = "claims: a hasPart entry";
			char *cti = NULL;
			if (!json_is_object(e)) {
				rc = lp_diag_set(d, LP_ERR_CLAIMS, 0, "%s is not an object", we);
				goto out;
			}
			c->nparts++;
			if (!get_text(e, "issuer", true, STR_MAX, &p->issuer, LP_ERR_CLAIMS, we, d, &rc) ||
			    !get_text(e, "cti", true, 128, &cti, LP_ERR_CLAIMS, we, d, &rc))
				goto out;
			bool ok = hex_lower(cti, 128, &p->cti);
			free(cti);
			if (!ok) {
				rc = lp_diag_set(d, LP_ERR_CLAIMS, 0, "%s: 'cti' must be hexadecimal", we);
				goto out;
			}
		}
	}
	rc = LP_OK;
out:
	free(date);
	return rc;
}

lp_err lp_route_add_credential(lp_route *r, const lp_route_cred *in, lp_diag *d)
{
	struct cred c;
	json_t *o = NULL;
	json_error_t je;
	lp_err rc = LP_ERR_NOMEM;

	memset(&c, 0, sizeof c);
	if (!r || !in || !in->id || !*in->id || !in->issuer || !*in->issuer || strlen(in->id) > STR_MAX ||
	    strlen(in->issuer) > STR_MAX || (in->type && strlen(in->type) > STR_MAX))
		return lp_diag_set(d, LP_ERR_ARG, 0, "a credential needs an id and an issuer (1..%u bytes)", STR_MAX);
	if (in->cti_len > 64 || (in->cti_len && !in->cti))
		return lp_diag_set(d, LP_ERR_ARG, 0, "credential '%s': cti longer than 64 bytes", in->id);
	if (in->status < LP_ROUTE_STATUS_VALID || in->status > LP_ROUTE_STATUS_UNKNOWN)
		return lp_diag_set(d, LP_ERR_ARG, 0, "credential '%s': unknown status %d", in->id, in->status);
	if (!in->claims_json || in->claims_len > LP_ROUTE_CLAIMS_MAX)
		return lp_diag_set(d, in->claims_json ? LP_ERR_TOO_LARGE : LP_ERR_ARG, 0,
				   "credential '%s': claims missing or over %u bytes", in->id, LP_ROUTE_CLAIMS_MAX);
	if (r->ncreds >= LP_ROUTE_MAX_CREDS)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "more than %u credentials", LP_ROUTE_MAX_CREDS);
	for (size_t i = 0; i < r->ncreds; i++)
		if (strcmp(r->creds[i].id, in->id) == 0)
			return lp_diag_set(d, LP_ERR_EXISTS, 0, "credential '%s' was added already", in->id);

	o = json_loadb(in->claims_json, in->claims_len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		rc = lp_diag_set(d, LP_ERR_JSON, o ? 0 : (size_t)je.position,
				 "credential '%s': claims are not a JSON object%s%s", in->id, o ? "" : ": ",
				 o ? "" : je.text);
		goto out;
	}
	c.id = dupstr(in->id);
	c.issuer = dupstr(in->issuer);
	c.type = in->type && *in->type ? dupstr(in->type) : NULL;
	c.iat = in->iat;
	c.status = in->status;
	if (!c.id || !c.issuer || (in->type && *in->type && !c.type))
		goto out;
	if (in->cti_len) {
		static const char hx[] = "0123456789abcdef";
		c.cti = malloc(in->cti_len * 2 + 1);
		if (!c.cti)
			goto out;
		for (size_t i = 0; i < in->cti_len; i++) {
			c.cti[2 * i] = hx[in->cti[i] >> 4];
			c.cti[2 * i + 1] = hx[in->cti[i] & 15];
		}
		c.cti[in->cti_len * 2] = 0;
	}
	rc = cred_from_claims(&c, o, d);
	if (rc != LP_OK) {
		if (rc == LP_ERR_CLAIMS && d) {
			char why[sizeof d->msg];
			memcpy(why, d->msg, sizeof why);
			lp_diag_set(d, LP_ERR_CLAIMS, 0, "credential '%.32s': %.120s", in->id, why);
		}
		goto out;
	}
	if (r->ncreds == r->capc) {
		size_t cap = r->capc ? r->capc * 2 : 16;
		struct cred *n = realloc(r->creds, cap * sizeof *n);
		if (!n) {
			rc = LP_ERR_NOMEM;
			goto out;
		}
		r->creds = n;
		r->capc = cap;
	}
	results_drop(r);
	r->creds[r->ncreds++] = c;
	memset(&c, 0, sizeof c);
	rc = LP_OK;
out:
	cred_clear(&c);
	json_decref(o);
	return rc;
}

/* ---- adding a qualification description ------------------------------------- */

static lp_err qual_from_json(struct qual *q, const json_t *o, lp_diag *d)
{
	lp_err rc = LP_ERR_NOMEM;
	const char *w = "qualification";
	char *type = NULL, *unit = NULL;
	const json_t *v, *a;
	bool has;
	double x;

	q->eqf = q->nqf = -1;
	if (!get_text(o, "type", true, 64, &type, LP_ERR_JSON, w, d, &rc))
		goto out;
	if (strcmp(type, "leerpas-qualification") != 0) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "not a qualification description (type is '%.64s')", type);
		goto out;
	}
	v = json_object_get(o, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "qualification: 'version' must be 1");
		goto out;
	}
	if (json_integer_value(v) > 1) {
		rc = lp_diag_set(d, LP_ERR_UNSUPPORTED, 0,
				 "qualification description version %lld is newer than this leerpas reads (1)",
				 (long long)json_integer_value(v));
		goto out;
	}
	if (!get_text(o, "qualificationCode", true, CODE_MAX, &q->code, LP_ERR_JSON, w, d, &rc) ||
	    !get_text(o, "title", true, STR_MAX, &q->title, LP_ERR_JSON, w, d, &rc) ||
	    !get_text(o, "publisher", false, STR_MAX, &q->publisher, LP_ERR_JSON, w, d, &rc) ||
	    !get_text(o, "description", false, STR_MAX, &q->description, LP_ERR_JSON, w, d, &rc) ||
	    !get_text(o, "url", false, STR_MAX, &q->url, LP_ERR_JSON, w, d, &rc) ||
	    !get_text(o, "unit", true, 16, &unit, LP_ERR_JSON, w, d, &rc))
		goto out;
	if (strcmp(unit, "hours") == 0)
		q->ects = false;
	else if (strcmp(unit, "ects") == 0)
		q->ects = true;
	else {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "qualification: 'unit' must be \"hours\" or \"ects\"");
		goto out;
	}
	if (!get_number(o, "required", 0, 1e6, &has, &q->required, LP_ERR_JSON, w, d, &rc))
		goto out;
	if (!has) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "qualification: 'required' is missing");
		goto out;
	}
	if (!get_number(o, "optionalMinimum", 0, 1e6, &q->has_optmin, &q->optmin, LP_ERR_JSON, w, d, &rc) ||
	    !get_number(o, "eqfLevel", 1, 8, &has, &x, LP_ERR_JSON, w, d, &rc))
		goto out;
	if (has)
		q->eqf = (int)x;
	if (!get_number(o, "nqfLevel", 0, 8, &has, &x, LP_ERR_JSON, w, d, &rc))
		goto out;
	if (has)
		q->nqf = (int)x;
	a = json_object_get(o, "parts");
	if (a) {
		if (!json_is_array(a) || json_array_size(a) > LP_ROUTE_MAX_PARTS) {
			rc = lp_diag_set(d, json_is_array(a) ? LP_ERR_TOO_LARGE : LP_ERR_JSON, 0,
					 "qualification: 'parts' must be a list of at most %u parts", LP_ROUTE_MAX_PARTS);
			goto out;
		}
		q->parts = calloc(json_array_size(a) + 1, sizeof *q->parts);
		if (!q->parts)
			goto out;
		for (size_t i = 0; i < json_array_size(a); i++) {
			const json_t *e = json_array_get(a, i);
			struct qpart *p = &q->parts[q->nparts];
			char wp[48];
			snprintf(wp, sizeof wp, "qualification: part %zu", i + 1);
			if (!json_is_object(e)) {
				rc = lp_diag_set(d, LP_ERR_JSON, 0, "%s is not an object", wp);
				goto out;
			}
			q->nparts++;
			if (!get_text(e, "code", false, CODE_MAX, &p->code, LP_ERR_JSON, wp, d, &rc) ||
			    !get_text(e, "title", false, STR_MAX, &p->title, LP_ERR_JSON, wp, d, &rc) ||
			    !get_number(e, "workload", 0, 1e6, &p->has_h, &p->h, LP_ERR_JSON, wp, d, &rc) ||
			    !get_number(e, "creditPoint", 0, 1e5, &p->has_ec, &p->ec, LP_ERR_JSON, wp, d, &rc))
				goto out;
			if (!p->code && !p->title) {
				rc = lp_diag_set(d, LP_ERR_JSON, 0, "%s needs a 'code' or a 'title'", wp);
				goto out;
			}
			v = json_object_get(e, "required");
			if (v && !json_is_boolean(v)) {
				rc = lp_diag_set(d, LP_ERR_JSON, 0, "%s: 'required' must be true or false", wp);
				goto out;
			}
			p->required = v ? json_is_true(v) : true;
		}
	}
	rc = LP_OK;
out:
	free(type);
	free(unit);
	return rc;
}

lp_err lp_route_add_qualification(lp_route *r, lp_view json, lp_diag *d)
{
	struct qual q;
	json_t *o = NULL;
	json_error_t je;
	lp_err rc;

	memset(&q, 0, sizeof q);
	if (!r || (!json.ptr && json.len))
		return lp_diag_set(d, LP_ERR_ARG, 0, "no description given");
	if (json.len > LP_ROUTE_DESC_MAX)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "a qualification description is larger than %u bytes",
				   LP_ROUTE_DESC_MAX);
	if (r->nquals >= LP_ROUTE_MAX_QUALS)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "more than %u qualification descriptions", LP_ROUTE_MAX_QUALS);
	o = json_loadb((const char *)json.ptr, json.len, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return lp_diag_set(d, LP_ERR_JSON, (size_t)je.position, "not JSON (line %d, column %d): %.100s",
				   je.line, je.column, je.text);
	if (!json_is_object(o)) {
		rc = lp_diag_set(d, LP_ERR_JSON, 0, "a qualification description is a JSON object");
		goto out;
	}
	rc = qual_from_json(&q, o, d);
	if (rc != LP_OK)
		goto out;
	for (size_t i = 0; i < r->nquals; i++)
		if (strcmp(r->quals[i].code, q.code) == 0) {
			rc = lp_diag_set(d, LP_ERR_EXISTS, 0, "a description of qualification %.64s was given twice", q.code);
			goto out;
		}
	if (r->nquals == r->capq) {
		size_t cap = r->capq ? r->capq * 2 : 4;
		struct qual *n = realloc(r->quals, cap * sizeof *n);
		if (!n) {
			rc = LP_ERR_NOMEM;
			goto out;
		}
		r->quals = n;
		r->capq = cap;
	}
	results_drop(r);
	r->quals[r->nquals++] = q;
	memset(&q, 0, sizeof q);
	rc = LP_OK;
out:
	qual_clear(&q);
	json_decref(o);
	return rc;
}

/* ---- the computation -------------------------------------------------------- */

/* Sort keys: qsort has no context argument, so each key carries what the
 * comparison needs. */
struct skey {
	const char *date, *id;
	size_t idx;
};

static int by_date(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	int c = strcmp(x->date, y->date);
	return c ? c : strcmp(x->id, y->id);
}

static const struct counts *counts_for(const struct cred *c, const char *code)
{
	for (size_t i = 0; i < c->ncounts; i++)
		if (strcmp(c->counts[i].code, code) == 0)
			return &c->counts[i];
	return NULL;
}

static bool part_matches(const struct qpart *p, const struct cred *c)
{
	if (p->code && ((c->qcode && strcmp(c->qcode, p->code) == 0) || title_names_code(c->title, p->code)))
		return true;
	return p->title && same_title(p->title, c->title);
}

/* The amount in the unit (ects or hours) from a pair of optional values;
 * false when neither is given. */
static bool amount_in(bool ects, bool has_h, double h, bool has_ec, double ec, double *out, bool *converted)
{
	if (ects && has_ec) {
		*out = ec;
		*converted = false;
	} else if (!ects && has_h) {
		*out = h;
		*converted = false;
	} else if (ects && has_h) {
		*out = h / LP_ROUTE_HOURS_PER_EC;
		*converted = true;
	} else if (!ects && has_ec) {
		*out = ec * LP_ROUTE_HOURS_PER_EC;
		*converted = true;
	} else
		return false;
	return true;
}

static bool ref_is(const struct ref *p, const struct cred *c)
{
	return c->cti && strcmp(p->issuer, c->issuer) == 0 && strcmp(p->cti, c->cti) == 0;
}

static lp_err compute_one(lp_route *r, struct result *res)
{
	const struct qual *q = res->q;
	size_t n = r->ncreds;

	size_t takes_part = 0;

	/* Size the entries to the credentials that take part, not to all. */
	for (size_t i = 0; i < n; i++) {
		bool in = counts_for(&r->creds[i], res->code) != NULL;
		for (size_t p = 0; q && !in && p < q->nparts; p++)
			in = part_matches(&q->parts[p], &r->creds[i]);
		takes_part += in;
	}
	res->e = calloc(takes_part + 1, sizeof *res->e);
	res->part_by = calloc((q ? q->nparts : 0) + 1, sizeof *res->part_by);
	if (!res->e || !res->part_by)
		return LP_ERR_NOMEM;

	/* Unit: the description's, else hours if any credential gives hours. */
	if (q)
		res->ects = q->ects;
	else {
		bool h = false, ec = false;
		for (size_t i = 0; i < n; i++) {
			const struct counts *k = counts_for(&r->creds[i], res->code);
			if (k) {
				h = h || k->has_h;
				ec = ec || k->has_ec;
			}
		}
		res->ects = ec && !h;
	}

	/* 1. Who is in: counts toward this code, or fulfils one of its parts. */
	for (size_t oi = 0; oi < n; oi++) {
		size_t i = r->order[oi];
		const struct cred *c = &r->creds[i];
		const struct counts *k = counts_for(c, res->code);
		long pm = -1;
		struct entry *e;
		if (q)
			for (size_t p = 0; p < q->nparts && pm < 0; p++)
				if (part_matches(&q->parts[p], c))
					pm = (long)p;
		if (!k && pm < 0)
			continue;
		e = &res->e[res->ne++];
		e->cred = i;
		e->part = pm;
		e->st = c->status == LP_ROUTE_STATUS_REVOKED	 ? ST_REVOKED
			: c->status == LP_ROUTE_STATUS_SUSPENDED ? ST_SUSPENDED
								 : ST_COUNTED;
		e->has_amount = true;
		if (k && amount_in(res->ects, k->has_h, k->h, k->has_ec, k->ec, &e->amount, &e->converted))
			;
		else if (pm >= 0 && amount_in(res->ects, q->parts[pm].has_h, q->parts[pm].h, q->parts[pm].has_ec,
					      q->parts[pm].ec, &e->amount, &e->converted))
			;
		else if (amount_in(res->ects, c->has_h, c->h, c->has_ec, c->ec, &e->amount, &e->converted))
			;
		else
			e->has_amount = false;
	}

	/* 2. A module inside a composite that counts here is counted by the
	 * composite, not again by itself. Two composites sharing one module
	 * would count it twice: recorded, and deducted when the module is held. */
	for (size_t a = 0; a < res->ne; a++) {
		struct entry *ea = &res->e[a];
		const struct cred *ca = &r->creds[ea->cred];
		/* An included composite still includes its own modules (a
		 * diploma of certificates of modules); a revoked one does not. */
		if (ea->st != ST_COUNTED && ea->st != ST_INCLUDED)
			continue;
		for (size_t pi = 0; pi < ca->nparts; pi++) {
			const struct ref *p = &ca->parts[pi];
			for (size_t b = 0; b < res->ne; b++)
				if (b != a && res->e[b].st == ST_COUNTED && ref_is(p, &r->creds[res->e[b].cred])) {
					res->e[b].st = ST_INCLUDED;
					res->e[b].other = ea->cred;
				}
		}
	}
	for (size_t a = 0; a < res->ne; a++) {
		const struct cred *ca = &r->creds[res->e[a].cred];
		if (res->e[a].st != ST_COUNTED || !ca->nparts)
			continue;
		for (size_t b = a + 1; b < res->ne; b++) {
			const struct cred *cb = &r->creds[res->e[b].cred];
			if (res->e[b].st != ST_COUNTED)
				continue;
			for (size_t pa = 0; pa < ca->nparts; pa++)
				for (size_t pb = 0; pb < cb->nparts; pb++) {
					struct shared *s;
					if (strcmp(ca->parts[pa].issuer, cb->parts[pb].issuer) != 0 ||
					    strcmp(ca->parts[pa].cti, cb->parts[pb].cti) != 0)
						continue;
					s = realloc(res->sh, (res->nsh + 1) * sizeof *s);
					if (!s)
						return LP_ERR_NOMEM;
					res->sh = s;
					s = &res->sh[res->nsh++];
					memset(s, 0, sizeof *s);
					s->a = res->e[a].cred;
					s->b = res->e[b].cred;
					s->ref = &ca->parts[pa];
					for (size_t m = 0; m < res->ne; m++)
						if (ref_is(s->ref, &r->creds[res->e[m].cred])) {
							s->held = true;
							s->module = res->e[m].cred;
							if (res->e[m].has_amount)
								s->deducted = res->e[m].amount;
						}
					res->dbl++;
				}
		}
	}

	/* 3. Parts: modules inside a composite fulfil theirs first, then the
	 * credentials that count by themselves, in date order; one that finds
	 * its part already fulfilled would count twice and is left out. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t a = 0; a < res->ne; a++) {
			struct entry *e = &res->e[a];
			if (e->part < 0 || e->st != (pass == 0 ? ST_INCLUDED : ST_COUNTED))
				continue;
			if (!res->part_by[e->part])
				res->part_by[e->part] = e->cred + 1;
			else if (e->st == ST_COUNTED) {
				e->st = ST_DUPLICATE;
				e->other = res->part_by[e->part] - 1;
				res->dbl++;
			}
		}

	/* 4. Sums. */
	for (size_t a = 0; a < res->ne; a++)
		if (res->e[a].st == ST_COUNTED && res->e[a].has_amount)
			res->gathered += res->e[a].amount;
	for (size_t s = 0; s < res->nsh; s++)
		res->gathered -= res->sh[s].deducted;
	if (res->gathered < 0)
		res->gathered = 0;
	if (q) {
		for (size_t p = 0; p < q->nparts; p++) {
			const struct qpart *qp = &q->parts[p];
			if (!res->part_by[p]) {
				if (qp->required)
					res->missing++;
				continue;
			}
			if (!qp->required) {
				double x = 0;
				bool conv;
				if (amount_in(q->ects, qp->has_h, qp->h, qp->has_ec, qp->ec, &x, &conv))
					res->optgathered += x;
				else
					for (size_t a = 0; a < res->ne; a++)
						if (res->e[a].cred == res->part_by[p] - 1 && res->e[a].has_amount)
							res->optgathered += res->e[a].amount;
			}
		}
		if (q->has_optmin && res->optgathered + EPS < q->optmin)
			res->missing++;
		res->complete = res->gathered + EPS >= q->required && res->missing == 0;
	}
	return LP_OK;
}

static lp_err compute(lp_route *r)
{
	size_t cap;
	lp_err rc;

	if (r->computed)
		return LP_OK;
	results_drop(r);
	r->order = calloc(r->ncreds + 1, sizeof *r->order);
	cap = r->nquals;
	for (size_t i = 0; i < r->ncreds; i++)
		cap += r->creds[i].ncounts;
	r->res = calloc(cap + 1, sizeof *r->res);
	if (!r->order || !r->res) {
		results_drop(r);
		return LP_ERR_NOMEM;
	}
	{
		struct skey *k = calloc(r->ncreds + 1, sizeof *k);
		if (!k) {
			results_drop(r);
			return LP_ERR_NOMEM;
		}
		for (size_t i = 0; i < r->ncreds; i++) {
			k[i].date = r->creds[i].date;
			k[i].id = r->creds[i].id;
			k[i].idx = i;
		}
		qsort(k, r->ncreds, sizeof *k, by_date);
		for (size_t i = 0; i < r->ncreds; i++)
			r->order[i] = k[i].idx;
		free(k);
	}

	for (size_t i = 0; i < r->nquals; i++) {
		struct result *x = &r->res[r->nres++];
		x->q = &r->quals[i];
		x->code = r->quals[i].code;
		x->title = r->quals[i].title;
	}
	/* Codes without a description, in order of first appearance by date. */
	for (size_t oi = 0; oi < r->ncreds; oi++) {
		const struct cred *c = &r->creds[r->order[oi]];
		for (size_t k = 0; k < c->ncounts; k++) {
			bool seen = false;
			for (size_t j = 0; j < r->nres && !seen; j++)
				seen = strcmp(r->res[j].code, c->counts[k].code) == 0;
			if (seen)
				continue;
			struct result *x = &r->res[r->nres++];
			x->code = c->counts[k].code;
			x->title = c->counts[k].title ? c->counts[k].title : "";
		}
	}
	for (size_t i = 0; i < r->nres; i++) {
		rc = compute_one(r, &r->res[i]);
		if (rc != LP_OK) {
			results_drop(r);
			return rc;
		}
	}
	r->computed = true;
	return LP_OK;
}

size_t lp_route_qual_count(lp_route *r)
{
	if (!r || compute(r) != LP_OK)
		return 0;
	return r->nres;
}

lp_err lp_route_progress_at(lp_route *r, size_t i, lp_route_progress *out)
{
	lp_err rc;
	if (!out)
		return LP_ERR_ARG;
	memset(out, 0, sizeof *out);
	if (!r)
		return LP_ERR_ARG;
	rc = compute(r);
	if (rc != LP_OK)
		return rc;
	if (i >= r->nres)
		return LP_ERR_ARG;
	out->code = r->res[i].code;
	out->title = r->res[i].title;
	out->described = r->res[i].q != NULL;
	out->ects = r->res[i].ects;
	out->gathered = r->res[i].gathered;
	out->required = r->res[i].q ? r->res[i].q->required : 0;
	out->missing_parts = r->res[i].missing;
	out->double_counted = r->res[i].dbl;
	out->complete = r->res[i].complete;
	return LP_OK;
}

/* Is this credential in any qualification of the report? */
static bool counts_anywhere(const lp_route *r, size_t ci)
{
	for (size_t i = 0; i < r->nres; i++)
		for (size_t a = 0; a < r->res[i].ne; a++)
			if (r->res[i].e[a].cred == ci)
				return true;
	return false;
}

/* A module (issuer, cti) named in hasPart of two or more credentials. */
static size_t composites_naming(const lp_route *r, const struct ref *p, size_t *first)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ncreds; i++)
		for (size_t k = 0; k < r->creds[i].nparts; k++)
			if (strcmp(r->creds[i].parts[k].issuer, p->issuer) == 0 &&
			    strcmp(r->creds[i].parts[k].cti, p->cti) == 0) {
				if (n == 0 && first)
					*first = i;
				n++;
				break;
			}
	return n;
}

static long held_module(const lp_route *r, const struct ref *p)
{
	for (size_t i = 0; i < r->ncreds; i++)
		if (ref_is(p, &r->creds[i]))
			return (long)i;
	return -1;
}

static const char *state_name(enum state s)
{
	switch (s) {
	case ST_COUNTED:
		return "counted";
	case ST_INCLUDED:
		return "included";
	case ST_DUPLICATE:
		return "double";
	case ST_REVOKED:
		return "revoked";
	case ST_SUSPENDED:
		return "suspended";
	}
	return "?";
}

static const char *status_name(int s)
{
	return s == LP_ROUTE_STATUS_VALID     ? "valid"
	       : s == LP_ROUTE_STATUS_REVOKED ? "revoked"
	       : s == LP_ROUTE_STATUS_SUSPENDED ? "suspended"
					      : "unknown";
}

/* The learner's name from the first credential (by date) that shows one. */
static const char *learner_name(const lp_route *r)
{
	for (size_t oi = 0; oi < r->ncreds; oi++)
		if (r->creds[r->order[oi]].name)
			return r->creds[r->order[oi]].name;
	return NULL;
}

/* Numbers as people write them: 240, 2.5 (one decimal at most). */
static void fmt_num(double x, char out[32])
{
	double rx = round(x * 10) / 10;
	if (fabs(rx - round(rx)) < EPS)
		snprintf(out, 32, "%.0f", rx);
	else
		snprintf(out, 32, "%.1f", rx);
}

static json_t *jnum(double x)
{
	double rx = round(x * 100) / 100;
	if (fabs(rx - round(rx)) < EPS && fabs(rx) < 9e15)
		return json_integer((json_int_t)llround(rx));
	return json_real(rx);
}

/* ---- JSON ------------------------------------------------------------------- */

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* json_object_set_new that tolerates a NULL value (out of memory): the
 * caller checks the whole document once at the end with json_dumps. */
static void jset(json_t *o, const char *k, json_t *v)
{
	if (o && v)
		json_object_set_new(o, k, v);
	else
		json_decref(v);
}

static void jappend(json_t *a, json_t *v)
{
	if (a && v)
		json_array_append_new(a, v);
	else
		json_decref(v);
}

static json_t *ref_json(const lp_route *r, const struct ref *p)
{
	json_t *o = json_object();
	long h = held_module(r, p);
	jset(o, "issuer", json_string(p->issuer));
	jset(o, "cti", json_string(p->cti));
	jset(o, "id", h >= 0 ? json_string(r->creds[h].id) : json_null());
	return o;
}

static json_t *qual_json(const lp_route *r, const struct result *x)
{
	const struct qual *q = x->q;
	json_t *o = json_object(), *a;
	jset(o, "qualificationCode", json_string(x->code));
	jset(o, "title", json_string(x->title));
	jset(o, "described", json_boolean(q != NULL));
	if (q) {
		if (q->eqf >= 0)
			jset(o, "eqfLevel", json_integer(q->eqf));
		if (q->nqf >= 0)
			jset(o, "nqfLevel", json_integer(q->nqf));
		if (q->publisher)
			jset(o, "publisher", json_string(q->publisher));
	}
	jset(o, "unit", json_string(x->ects ? "ects" : "hours"));
	jset(o, "gathered", jnum(x->gathered));
	jset(o, "required", q ? jnum(q->required) : json_null());
	if (q && q->required > 0)
		jset(o, "percent", json_integer((json_int_t)fmin(100.0, floor(100.0 * x->gathered / q->required))));
	jset(o, "complete", json_boolean(x->complete));

	a = json_array();
	for (size_t i = 0; i < x->ne; i++) {
		const struct entry *e = &x->e[i];
		const struct cred *c = &r->creds[e->cred];
		json_t *ej = json_object();
		jset(ej, "id", json_string(c->id));
		jset(ej, "title", json_string(c->title));
		jset(ej, "date", json_string(c->date));
		jset(ej, "state", json_string(state_name(e->st)));
		jset(ej, "amount", e->has_amount ? jnum(e->amount) : json_null());
		if (e->converted)
			jset(ej, "converted", json_true());
		if (e->part >= 0) {
			const struct qpart *p = &q->parts[e->part];
			jset(ej, "part", json_string(p->code ? p->code : p->title));
		}
		if (e->st == ST_INCLUDED)
			jset(ej, "includedIn", json_string(r->creds[e->other].id));
		if (e->st == ST_DUPLICATE)
			jset(ej, "sameAs", json_string(r->creds[e->other].id));
		jappend(a, ej);
	}
	jset(o, "credentials", a);

	if (q) {
		json_t *missing = json_array();
		a = json_array();
		for (size_t p = 0; p < q->nparts; p++) {
			const struct qpart *qp = &q->parts[p];
			json_t *pj = json_object();
			double amt;
			bool conv;
			jset(pj, "code", jstr_or_null(qp->code));
			jset(pj, "title", jstr_or_null(qp->title));
			jset(pj, "required", json_boolean(qp->required));
			if (amount_in(q->ects, qp->has_h, qp->h, qp->has_ec, qp->ec, &amt, &conv))
				jset(pj, "amount", jnum(amt));
			jset(pj, "fulfilledBy", x->part_by[p] ? json_string(r->creds[x->part_by[p] - 1].id) : json_null());
			if (!x->part_by[p] && qp->required) {
				json_t *m = json_object();
				jset(m, "code", jstr_or_null(qp->code));
				jset(m, "title", jstr_or_null(qp->title));
				jappend(missing, m);
			}
			jappend(a, pj);
		}
		jset(o, "parts", a);
		if (q->has_optmin) {
			json_t *oj = json_object();
			jset(oj, "minimum", jnum(q->optmin));
			jset(oj, "gathered", jnum(x->optgathered));
			jset(o, "optional", oj);
		}
		jset(o, "missing", missing);
	}
	a = json_array();
	for (size_t i = 0; i < x->ne; i++)
		if (x->e[i].st == ST_DUPLICATE) {
			json_t *dj = json_object();
			jset(dj, "reason", json_string("same-part"));
			jset(dj, "id", json_string(r->creds[x->e[i].cred].id));
			jset(dj, "sameAs", json_string(r->creds[x->e[i].other].id));
			jappend(a, dj);
		}
	for (size_t s = 0; s < x->nsh; s++) {
		json_t *dj = json_object(), *w = json_array();
		jset(dj, "reason", json_string("in-two-composites"));
		jset(dj, "module", ref_json(r, x->sh[s].ref));
		jappend(w, json_string(r->creds[x->sh[s].a].id));
		jappend(w, json_string(r->creds[x->sh[s].b].id));
		jset(dj, "composites", w);
		jset(dj, "deducted", jnum(x->sh[s].deducted));
		jappend(a, dj);
	}
	jset(o, "doubleCounted", a);
	return o;
}

lp_err lp_route_json(lp_route *r, lp_buf *out)
{
	json_t *root, *a;
	char *text;
	const char *name;
	lp_err rc;

	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	if (!r)
		return LP_ERR_ARG;
	if ((rc = compute(r)) != LP_OK)
		return rc;
	root = json_object();
	jset(root, "type", json_string("leerpas-route"));
	jset(root, "version", json_integer(1));
	name = learner_name(r);
	jset(root, "learner", jstr_or_null(name));
	a = json_array();
	for (size_t i = 0; i < r->nres; i++)
		jappend(a, qual_json(r, &r->res[i]));
	jset(root, "qualifications", a);

	/* Modules named by two or more composed credentials, whatever they count toward. */
	a = json_array();
	for (size_t i = 0; i < r->ncreds; i++)
		for (size_t k = 0; k < r->creds[i].nparts; k++) {
			size_t first = 0, n = composites_naming(r, &r->creds[i].parts[k], &first);
			if (n < 2 || first != i)
				continue;
			json_t *dj = json_object(), *w = json_array();
			jset(dj, "module", ref_json(r, &r->creds[i].parts[k]));
			for (size_t j = 0; j < r->ncreds; j++)
				for (size_t kk = 0; kk < r->creds[j].nparts; kk++)
					if (strcmp(r->creds[j].parts[kk].issuer, r->creds[i].parts[k].issuer) == 0 &&
					    strcmp(r->creds[j].parts[kk].cti, r->creds[i].parts[k].cti) == 0) {
						jappend(w, json_string(r->creds[j].id));
						break;
					}
			jset(dj, "composedInto", w);
			jappend(a, dj);
		}
	jset(root, "doubleCounted", a);

	a = json_array();
	for (size_t oi = 0; oi < r->ncreds; oi++) {
		const struct cred *c = &r->creds[r->order[oi]];
		json_t *h = json_object(), *t = json_array();
		jset(h, "date", json_string(c->date));
		jset(h, "id", json_string(c->id));
		jset(h, "title", json_string(c->title));
		jset(h, "issuer", json_string(c->issuer));
		jset(h, "awardingBody", jstr_or_null(c->body));
		jset(h, "type", jstr_or_null(c->type));
		if (c->has_h)
			jset(h, "workload", jnum(c->h));
		if (c->has_ec)
			jset(h, "creditPoint", jnum(c->ec));
		for (size_t i = 0; i < r->nres; i++)
			for (size_t e = 0; e < r->res[i].ne; e++)
				if (r->res[i].e[e].cred == r->order[oi])
					jappend(t, json_string(r->res[i].code));
		jset(h, "countsToward", t);
		if (c->nparts) {
			json_t *p = json_array();
			for (size_t k = 0; k < c->nparts; k++)
				jappend(p, ref_json(r, &c->parts[k]));
			jset(h, "composedOf", p);
		}
		jset(h, "status", json_string(status_name(c->status)));
		jappend(a, h);
	}
	jset(root, "history", a);

	text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	if (!text)
		return LP_ERR_NOMEM;
	rc = lp_buf_dup(out, (const uint8_t *)text, strlen(text) + 1);
	free(text);
	if (rc == LP_OK)
		out->len--;
	return rc;
}

/* ---- a growing string ------------------------------------------------------- */

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *s, const char *t, size_t n)
{
	if (s->oom)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *q = realloc(s->p, cap);
		if (!q) {
			s->oom = true;
			return;
		}
		s->p = q;
		s->cap = cap;
	}
	memcpy(s->p + s->len, t, n);
	s->len += n;
	s->p[s->len] = 0;
}

static void sb_puts(struct sb *s, const char *t)
{
	sb_add(s, t, strlen(t));
}

static void sb_printf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *s, const char *fmt, ...)
{
	char buf[512], *big;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->oom = true;
		return;
	}
	if ((size_t)n < sizeof buf) {
		sb_add(s, buf, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		s->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_add(s, big, (size_t)n);
	free(big);
}

/* Text from a credential, safe for a terminal: control characters (C0, DEL
 * and the UTF-8 encoded C1 range, which carry terminal escapes) become '?';
 * at most max characters (code points), "..." when cut. */
static void sb_text(struct sb *s, const char *t, size_t max)
{
	size_t chars = 0;
	const unsigned char *u = (const unsigned char *)t;
	while (*u) {
		size_t n = 1;
		if (chars == max) {
			sb_puts(s, "...");
			return;
		}
		if (*u >= 0xf0)
			n = 4;
		else if (*u >= 0xe0)
			n = 3;
		else if (*u >= 0xc0)
			n = 2;
		for (size_t k = 1; k < n; k++)
			if (!u[k])
				return; /* cut sequence: jansson gives valid UTF-8, be safe anyway */
		if (*u < 0x20 || *u == 0x7f || (n == 2 && u[0] == 0xc2 && u[1] < 0xa0))
			sb_add(s, "?", 1);
		else
			sb_add(s, (const char *)u, n);
		u += n;
		chars++;
	}
}

/* The same, escaped for XML text and attribute values. */
static void sb_xml(struct sb *s, const char *t, size_t max)
{
	struct sb plain = { NULL, 0, 0, false };
	sb_text(&plain, t, max);
	if (plain.oom) {
		s->oom = true;
		free(plain.p);
		return;
	}
	for (size_t i = 0; i < plain.len; i++) {
		char c = plain.p[i];
		if (c == '&')
			sb_puts(s, "&amp;");
		else if (c == '<')
			sb_puts(s, "&lt;");
		else if (c == '>')
			sb_puts(s, "&gt;");
		else if (c == '"')
			sb_puts(s, "&quot;");
		else if (c == '\'')
			sb_puts(s, "&apos;");
		else
			sb_add(s, &c, 1);
	}
	free(plain.p);
}

static lp_err sb_finish(struct sb *s, lp_buf *out)
{
	if (s->oom || !s->p) {
		free(s->p);
		return LP_ERR_NOMEM;
	}
	out->ptr = (uint8_t *)s->p;
	out->len = s->len;
	return LP_OK;
}

/* ---- text ------------------------------------------------------------------- */

static const char *unit_short(bool ects)
{
	return ects ? "EC" : "hours";
}

static void text_amount(struct sb *s, const struct entry *e, bool ects)
{
	char n[32];
	if (!e->has_amount) {
		sb_puts(s, "(no workload given)");
		return;
	}
	fmt_num(e->amount, n);
	sb_printf(s, "%s %s%s", n, unit_short(ects), e->converted ? " (converted)" : "");
}

static void text_qual(struct sb *s, const lp_route *r, const struct result *x)
{
	const struct qual *q = x->q;
	char g[32], need[32];

	sb_puts(s, "\n");
	sb_text(s, *x->title ? x->title : "(qualification)", 80);
	sb_printf(s, " (%s)", x->code);
	if (q && q->nqf >= 0)
		sb_printf(s, ", NLQF %d", q->nqf);
	if (q && q->eqf >= 0)
		sb_printf(s, ", EQF %d", q->eqf);
	sb_puts(s, "\n");
	fmt_num(x->gathered, g);
	if (q) {
		int width = 30, fill;
		double frac = q->required > 0 ? fmin(1.0, x->gathered / q->required) : 1.0;
		fill = (int)floor(frac * width + EPS);
		if (q->publisher) {
			sb_puts(s, "  described by ");
			sb_text(s, q->publisher, 80);
			sb_puts(s, "\n");
		}
		fmt_num(q->required, need);
		sb_puts(s, "  [");
		for (int i = 0; i < width; i++)
			sb_add(s, i < fill ? "#" : ".", 1);
		sb_printf(s, "] %s of %s %s (%d%%)%s\n", g, need, unit_short(x->ects), (int)floor(frac * 100 + EPS),
			  x->complete ? "  COMPLETE" : "");
	} else
		sb_printf(s, "  %s %s gathered; no description of this qualification was given, so what it requires is "
			     "unknown (ask the school for it and pass it with --qualification FILE)\n",
			  g, unit_short(x->ects));
	for (size_t i = 0; i < x->ne; i++) {
		const struct entry *e = &x->e[i];
		const struct cred *c = &r->creds[e->cred];
		sb_printf(s, "  %-9s %s  ", state_name(e->st), c->date);
		sb_text(s, c->title, 60);
		sb_puts(s, ", ");
		sb_text(s, c->body ? c->body : c->issuer, 60);
		sb_puts(s, ": ");
		text_amount(s, e, x->ects);
		if (e->st == ST_INCLUDED) {
			sb_puts(s, ", counted inside ");
			sb_text(s, r->creds[e->other].title, 60);
		} else if (e->st == ST_DUPLICATE) {
			sb_puts(s, ", not counted: the same part as ");
			sb_text(s, r->creds[e->other].title, 60);
			sb_printf(s, " (%s)", r->creds[e->other].date);
		} else if (e->st == ST_REVOKED || e->st == ST_SUSPENDED)
			sb_printf(s, ", not counted: %s by its school", state_name(e->st));
		sb_puts(s, "\n");
	}
	if (q && q->nparts) {
		sb_puts(s, "  parts:\n");
		for (size_t p = 0; p < q->nparts; p++) {
			const struct qpart *qp = &q->parts[p];
			sb_printf(s, "    [%s] ", x->part_by[p] ? "x" : " ");
			if (qp->code)
				sb_printf(s, "%s ", qp->code);
			if (qp->title)
				sb_text(s, qp->title, 60);
			sb_printf(s, " (%s)", qp->required ? "required" : "optional");
			if (x->part_by[p]) {
				sb_puts(s, ": ");
				sb_text(s, r->creds[x->part_by[p] - 1].id, 40);
			}
			sb_puts(s, "\n");
		}
		if (q->has_optmin) {
			char og[32], om[32];
			fmt_num(x->optgathered, og);
			fmt_num(q->optmin, om);
			sb_printf(s, "  optional parts: %s of at least %s %s\n", og, om, unit_short(x->ects));
		}
	}
	if (q) {
		bool any = false;
		for (size_t p = 0; p < q->nparts; p++)
			if (!x->part_by[p] && q->parts[p].required) {
				sb_puts(s, any ? "" : "  still missing:\n");
				sb_puts(s, "    - ");
				if (q->parts[p].code)
					sb_printf(s, "%s ", q->parts[p].code);
				sb_text(s, q->parts[p].title ? q->parts[p].title : "", 60);
				sb_puts(s, "\n");
				any = true;
			}
		if (q->has_optmin && x->optgathered + EPS < q->optmin) {
			char left[32];
			fmt_num(q->optmin - x->optgathered, left);
			sb_printf(s, "%s    - %s %s more from the optional parts\n", any ? "" : "  still missing:\n", left,
				  unit_short(x->ects));
			any = true;
		}
		if (q->required > x->gathered + EPS) {
			char left[32];
			fmt_num(q->required - x->gathered, left);
			sb_printf(s, "%s    - %s %s in all\n", any ? "" : "  still missing:\n", left, unit_short(x->ects));
		}
	}
	for (size_t i = 0; i < x->nsh; i++) {
		long h = x->sh[i].held ? (long)x->sh[i].module : -1;
		sb_puts(s, "  counted twice: module ");
		if (h >= 0)
			sb_text(s, r->creds[h].title, 60);
		else
			sb_printf(s, "%.16s... of %s", x->sh[i].ref->cti, x->sh[i].ref->issuer);
		sb_puts(s, " is part of both ");
		sb_text(s, r->creds[x->sh[i].a].title, 60);
		sb_puts(s, " and ");
		sb_text(s, r->creds[x->sh[i].b].title, 60);
		if (x->sh[i].deducted > 0) {
			char dd[32];
			fmt_num(x->sh[i].deducted, dd);
			sb_printf(s, " (%s %s taken off once)", dd, unit_short(x->ects));
		}
		sb_puts(s, "\n");
	}
}

lp_err lp_route_text(lp_route *r, lp_buf *out)
{
	struct sb s = { NULL, 0, 0, false };
	const char *name;
	size_t other = 0;
	lp_err rc;

	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	if (!r)
		return LP_ERR_ARG;
	if ((rc = compute(r)) != LP_OK)
		return rc;
	name = learner_name(r);
	sb_puts(&s, "Learning route");
	if (name) {
		sb_puts(&s, " of ");
		sb_text(&s, name, 80);
	}
	sb_printf(&s, ": %zu credential%s", r->ncreds, r->ncreds == 1 ? "" : "s");
	if (r->ncreds)
		sb_printf(&s, ", %s to %s", r->creds[r->order[0]].date, r->creds[r->order[r->ncreds - 1]].date);
	sb_puts(&s, "\n");
	for (size_t i = 0; i < r->nres; i++)
		text_qual(&s, r, &r->res[i]);
	for (size_t i = 0; i < r->ncreds; i++)
		for (size_t k = 0; k < r->creds[i].nparts; k++) {
			size_t first = 0;
			if (composites_naming(r, &r->creds[i].parts[k], &first) < 2 || first != i)
				continue;
			long h = held_module(r, &r->creds[i].parts[k]);
			sb_puts(&s, "\nWarning: module ");
			if (h >= 0)
				sb_text(&s, r->creds[h].title, 60);
			else
				sb_printf(&s, "%.16s...", r->creds[i].parts[k].cti);
			sb_puts(&s, " is part of more than one composed credential\n");
		}

	sb_puts(&s, "\nLearning history\n");
	for (size_t oi = 0; oi < r->ncreds; oi++) {
		size_t ci = r->order[oi];
		const struct cred *c = &r->creds[ci];
		char n[32];
		sb_printf(&s, "  %s  ", c->date);
		sb_text(&s, c->title, 60);
		sb_puts(&s, " (");
		sb_text(&s, c->body ? c->body : c->issuer, 60);
		if (c->type) {
			sb_puts(&s, ", ");
			sb_text(&s, c->type, 30);
		}
		if (c->has_h) {
			fmt_num(c->h, n);
			sb_printf(&s, ", %s hours", n);
		}
		if (c->has_ec) {
			fmt_num(c->ec, n);
			sb_printf(&s, ", %s EC", n);
		}
		sb_puts(&s, ")");
		if (c->status == LP_ROUTE_STATUS_REVOKED || c->status == LP_ROUTE_STATUS_SUSPENDED)
			sb_printf(&s, " %s", status_name(c->status) /* uppercase would shout */);
		if (c->nparts)
			sb_printf(&s, ", composed of %zu module%s", c->nparts, c->nparts == 1 ? "" : "s");
		if (!counts_anywhere(r, ci))
			other++;
		sb_puts(&s, "\n");
	}
	if (other)
		sb_printf(&s, "  (%zu credential%s count%s toward no qualification named here)\n", other,
			  other == 1 ? "" : "s", other == 1 ? "s" : "");
	return sb_finish(&s, out);
}

/* ---- SVG -------------------------------------------------------------------- */

#define SVG_W 1000
#define SVG_LEFT 330     /* where the time axis starts */
#define SVG_RIGHT 970
#define SVG_LANE 130
#define SVG_TOP 70

static const char *state_colour(enum state s)
{
	switch (s) {
	case ST_COUNTED:
		return "#1b7f3b";
	case ST_INCLUDED:
		return "#7fb28f";
	case ST_DUPLICATE:
		return "#e08a00";
	case ST_REVOKED:
	case ST_SUSPENDED:
		return "#c62828";
	}
	return "#555";
}

struct axis {
	int64_t d0, d1; /* first and last day shown */
};

static double xpos(const struct axis *ax, int64_t day)
{
	return SVG_LEFT + (double)(day - ax->d0) * (SVG_RIGHT - SVG_LEFT) / (double)(ax->d1 - ax->d0);
}

/* One credential marker with its label; composites are squares. */
static void svg_marker(struct sb *s, const struct axis *ax, const struct cred *c, enum state st, double y,
		       size_t slot, const char *note)
{
	double x = xpos(ax, c->day);
	const char *col = state_colour(st);
	/* Labels alternate above and below the lane, and every other pair
	 * moves one step further out, so that neighbours rarely overlap. */
	double step = (double)(slot % 4 / 2) * 24.0;
	double ly = slot % 2 ? y + 22 + step : y - 26 - step;
	sb_printf(s, "<g><title>");
	sb_xml(s, c->title, 200);
	sb_printf(s, " (%s, %s)%s%s</title>", c->date, state_name(st), note ? ": " : "", note ? note : "");
	if (c->nparts)
		sb_printf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#222\"/>",
			  x - 7, y - 7, col);
	else
		sb_printf(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\" stroke=\"#222\"/>", x, y,
			  st == ST_INCLUDED ? "#fff" : col);
	if (st == ST_REVOKED || st == ST_SUSPENDED)
		sb_printf(s, "<path d=\"M%.1f %.1fl10 10m0 -10l-10 10\" stroke=\"#fff\" stroke-width=\"2\"/>", x - 5,
			  y - 5);
	sb_printf(s, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" fill=\"%s\">", x, ly,
		  st == ST_COUNTED ? "#222" : col);
	sb_xml(s, c->title, 40);
	sb_printf(s, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\" fill=\"#666\">%s</text></g>\n",
		  x, ly + 11, c->date);
}

lp_err lp_route_svg(lp_route *r, lp_buf *out)
{
	struct sb s = { NULL, 0, 0, false };
	struct axis ax;
	size_t lanes, other = 0, lane = 0;
	const char *name;
	int64_t y0, y1;
	unsigned m, dd;
	double height;
	lp_err rc;

	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	if (!r)
		return LP_ERR_ARG;
	if ((rc = compute(r)) != LP_OK)
		return rc;
	for (size_t i = 0; i < r->ncreds; i++)
		if (!counts_anywhere(r, i))
			other++;
	lanes = r->nres + (other ? 1 : 0);
	if (lanes == 0)
		lanes = 1;
	height = SVG_TOP + (double)lanes * SVG_LANE + 70;

	/* The axis runs over whole years around the first and last date. */
	if (r->ncreds) {
		ax.d0 = r->creds[r->order[0]].day;
		ax.d1 = r->creds[r->order[r->ncreds - 1]].day;
	} else
		ax.d0 = ax.d1 = days_from_civil(2026, 1, 1);
	civil_from_days(ax.d0, &y0, &m, &dd);
	civil_from_days(ax.d1, &y1, &m, &dd);
	ax.d0 = days_from_civil(y0, 1, 1);
	ax.d1 = days_from_civil(y1 + 1, 1, 1);

	name = learner_name(r);
	sb_printf(&s,
		  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
		  "font-family=\"DejaVu Sans, Verdana, sans-serif\">\n"
		  "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
		  "<text x=\"20\" y=\"32\" font-size=\"20\" font-weight=\"bold\">Learning route",
		  SVG_W, height, SVG_W, height);
	if (name) {
		sb_puts(&s, " of ");
		sb_xml(&s, name, 60);
	}
	sb_printf(&s, "</text>\n<text x=\"20\" y=\"52\" font-size=\"12\" fill=\"#555\">%zu credential%s",
		  r->ncreds, r->ncreds == 1 ? "" : "s");
	if (r->ncreds)
		sb_printf(&s, ", %s to %s", r->creds[r->order[0]].date, r->creds[r->order[r->ncreds - 1]].date);
	sb_puts(&s, "</text>\n");

	/* Year grid. */
	for (int64_t y = y0; y <= y1 + 1; y++) {
		double x = xpos(&ax, days_from_civil(y, 1, 1));
		sb_printf(&s,
			  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
			  "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">%lld</text>\n",
			  x, SVG_TOP - 5, x, height - 60, x, height - 45, (long long)y);
	}

	for (size_t i = 0; i < r->nres; i++, lane++) {
		const struct result *x = &r->res[i];
		double top = SVG_TOP + (double)lane * SVG_LANE, mid = top + SVG_LANE / 2.0;
		char g[32], need[32];
		if (lane % 2)
			sb_printf(&s, "<rect x=\"10\" y=\"%.0f\" width=\"%d\" height=\"%d\" fill=\"#f6f8f6\"/>\n", top,
				  SVG_W - 20, SVG_LANE);
		sb_printf(&s, "<text x=\"20\" y=\"%.0f\" font-size=\"13\" font-weight=\"bold\">", top + 22);
		sb_xml(&s, *x->title ? x->title : "(qualification)", 38);
		sb_printf(&s, "</text>\n<text x=\"20\" y=\"%.0f\" font-size=\"11\" fill=\"#555\">", top + 38);
		sb_xml(&s, x->code, 20);
		if (x->q && x->q->nqf >= 0)
			sb_printf(&s, " · NLQF %d", x->q->nqf);
		if (x->q && x->q->eqf >= 0)
			sb_printf(&s, " · EQF %d", x->q->eqf);
		sb_puts(&s, "</text>\n");
		fmt_num(x->gathered, g);
		if (x->q) {
			double frac = x->q->required > 0 ? fmin(1.0, x->gathered / x->q->required) : 1.0;
			fmt_num(x->q->required, need);
			sb_printf(&s,
				  "<rect x=\"20\" y=\"%.0f\" width=\"280\" height=\"14\" rx=\"3\" fill=\"#e3e3e3\"/>"
				  "<rect x=\"20\" y=\"%.0f\" width=\"%.1f\" height=\"14\" rx=\"3\" fill=\"%s\"/>\n"
				  "<text x=\"20\" y=\"%.0f\" font-size=\"11\">%s of %s %s (%d%%)%s</text>\n",
				  top + 48, top + 48, 280 * frac, x->complete ? "#1b7f3b" : "#3f7fbf", top + 78, g, need,
				  unit_short(x->ects), (int)floor(frac * 100 + EPS), x->complete ? ", complete" : "");
			if (x->missing) {
				bool short_opt = x->q->has_optmin && x->optgathered + EPS < x->q->optmin;
				size_t req = x->missing - (short_opt ? 1 : 0);
				sb_printf(&s, "<text x=\"20\" y=\"%.0f\" font-size=\"11\" fill=\"#c62828\">", top + 94);
				if (req)
					sb_printf(&s, "%zu required part%s missing%s", req, req == 1 ? "" : "s", short_opt ? "; " : "");
				if (short_opt) {
					char left[32];
					fmt_num(x->q->optmin - x->optgathered, left);
					sb_printf(&s, "%s %s of optional parts to go", left, unit_short(x->ects));
				}
				sb_puts(&s, "</text>\n");
			}
		} else
			sb_printf(&s, "<text x=\"20\" y=\"%.0f\" font-size=\"11\">%s %s gathered (no description)</text>\n",
				  top + 60, g, unit_short(x->ects));
		sb_printf(&s, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#999\"/>\n", SVG_LEFT, mid,
			  SVG_RIGHT, mid);
		/* Composites joined to the modules they include. */
		for (size_t e = 0; e < x->ne; e++)
			if (x->e[e].st == ST_INCLUDED)
				sb_printf(&s,
					  "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#7fb28f\" "
					  "stroke-dasharray=\"4 3\"/>\n",
					  xpos(&ax, r->creds[x->e[e].cred].day), mid, xpos(&ax, r->creds[x->e[e].other].day),
					  mid);
		for (size_t e = 0; e < x->ne; e++)
			svg_marker(&s, &ax, &r->creds[x->e[e].cred], x->e[e].st, mid, e,
				   x->e[e].st == ST_INCLUDED ? "counted inside a composed credential"
				   : x->e[e].st == ST_DUPLICATE ? "not counted: the same part as an earlier credential"
								: NULL);
	}
	if (other) {
		double top = SVG_TOP + (double)lane * SVG_LANE, mid = top + SVG_LANE / 2.0;
		size_t slot = 0;
		sb_printf(&s, "<text x=\"20\" y=\"%.0f\" font-size=\"13\" font-weight=\"bold\">Other learning</text>\n",
			  top + 22);
		sb_printf(&s, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#999\"/>\n", SVG_LEFT, mid,
			  SVG_RIGHT, mid);
		for (size_t oi = 0; oi < r->ncreds; oi++) {
			size_t ci = r->order[oi];
			if (counts_anywhere(r, ci))
				continue;
			enum state st = r->creds[ci].status == LP_ROUTE_STATUS_REVOKED	   ? ST_REVOKED
					: r->creds[ci].status == LP_ROUTE_STATUS_SUSPENDED ? ST_SUSPENDED
											   : ST_COUNTED;
			svg_marker(&s, &ax, &r->creds[ci], st, mid, slot++, NULL);
		}
	}
	/* Legend. */
	sb_printf(&s,
		  "<g font-size=\"11\" transform=\"translate(20 %.0f)\">"
		  "<circle cx=\"6\" cy=\"0\" r=\"6\" fill=\"#1b7f3b\"/><text x=\"16\" y=\"4\">counted</text>"
		  "<rect x=\"90\" y=\"-6\" width=\"12\" height=\"12\" fill=\"#1b7f3b\"/><text x=\"108\" y=\"4\">composed "
		  "credential</text>"
		  "<circle cx=\"246\" cy=\"0\" r=\"6\" fill=\"#fff\" stroke=\"#222\"/><text x=\"256\" y=\"4\">counted "
		  "inside a composed credential</text>"
		  "<circle cx=\"466\" cy=\"0\" r=\"6\" fill=\"#e08a00\"/><text x=\"476\" y=\"4\">counted twice (left "
		  "out)</text>"
		  "<circle cx=\"616\" cy=\"0\" r=\"6\" fill=\"#c62828\"/><text x=\"626\" y=\"4\">revoked or "
		  "suspended</text></g>\n</svg>\n",
		  height - 20);
	return sb_finish(&s, out);
}
