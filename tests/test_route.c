/* Tests of learning routes (leerpas/route.h): counting toward qualifications,
 * parts fulfilled and missing, composites and their modules, double
 * counting, unit conversion, status, the description parser's negative
 * table, and the three renderings (JSON parsed back, text, SVG well-formed
 * enough for the checks below). */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "leerpas/route.h"

/* A qualification in hours with required and optional parts. */
static const char qual_vig[] =
	"{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"25491\","
	"\"title\":\"Verzorgende-IG\",\"eqfLevel\":3,\"nqfLevel\":3,\"publisher\":\"ROC Rijnland\","
	"\"unit\":\"hours\",\"required\":4800,\"optionalMinimum\":480,"
	"\"parts\":[{\"code\":\"B1-K1\",\"title\":\"Biedt zorg en ondersteuning\",\"workload\":1600},"
	"{\"code\":\"K0228\",\"title\":\"Omgaan met dementie\",\"required\":false,\"workload\":240},"
	"{\"code\":\"K0847\",\"title\":\"Technologie in de zorg\",\"required\":false,\"workload\":240},"
	"{\"title\":\"Zorgtechnologie en e-health in de wijk\",\"required\":false}],"
	"\"futureMember\":{\"ignored\":true}}";

/* A qualification in EC. */
static const char qual_ad[] =
	"{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"80094\","
	"\"title\":\"Associate degree Zorg en Technologie\",\"unit\":\"ects\",\"required\":120}";

static const uint8_t cti_a[16] = { 0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t cti_b[16] = { 0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t cti_c[16] = { 0xcc, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static const char claims_k0228[] =
	"{\"title\":\"Keuzedeel Omgaan met dementie (K0228)\",\"awardingBody\":\"Zorgcollege Amstelland\","
	"\"fullName\":\"Noor Jansen\",\"awardingDate\":\"2024-01-26\",\"workload\":240,"
	"\"isPartOf\":[{\"qualificationCode\":\"25491\",\"title\":\"Verzorgende-IG\",\"workload\":240}]}";
static const char claims_k0847[] =
	"{\"title\":\"Keuzedeel Technologie in de zorg (K0847)\",\"awardingBody\":\"Zorgcollege Amstelland\","
	"\"awardingDate\":\"2024-07-05\",\"workload\":240,"
	"\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":240}]}";
/* The hbo microcredential names the AD; it fulfils a 25491 part by title. */
static const char claims_micro[] =
	"{\"title\":\"Zorgtechnologie en e-health in de wijk\",\"awardingBody\":\"Hogeschool Domstad\","
	"\"awardingDate\":\"2025-06-27\",\"creditPoint\":3,\"workload\":84,"
	"\"isPartOf\":[{\"qualificationCode\":\"80094\",\"title\":\"Associate degree Zorg en Technologie\","
	"\"creditPoint\":3}]}";

static lp_route *route_new(void)
{
	lp_route *r = NULL;
	cr_assert_eq(lp_route_new(&r), LP_OK);
	cr_assert_not_null(r);
	return r;
}

static void add(lp_route *r, const char *id, const char *iss, const uint8_t *cti, int status, const char *claims)
{
	lp_route_cred c = { id, iss, "keuzedeel", cti, cti ? 16 : 0, 1700000000, status, claims, strlen(claims) };
	lp_diag d = { 0 };
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_OK, "%s: %s", id, d.msg);
}

static void add_qual(lp_route *r, const char *json)
{
	lp_diag d = { 0 };
	cr_assert_eq(lp_route_add_qualification(r, lp_view_of((const uint8_t *)json, strlen(json)), &d), LP_OK, "%s",
		     d.msg);
}

static char *hex(const uint8_t *p, size_t n)
{
	static char buf[4][80];
	static int k;
	char *o = buf[k++ % 4];
	for (size_t i = 0; i < n; i++)
		snprintf(o + 2 * i, 3, "%02x", p[i]);
	return o;
}

/* The certificate composed of the three modules, counting 564 hours. */
static char *claims_cert(const char *extra_cti_hex)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
		 "{\"title\":\"Mbo-certificaat Ouderenzorg en technologie\",\"awardingBody\":\"ROC Rijnland\","
		 "\"awardingDate\":\"2026-07-03\",\"workload\":564,"
		 "\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":564}],"
		 "\"hasPart\":[{\"issuer\":\"https://amstelland.example\",\"cti\":\"%s\"},"
		 "{\"issuer\":\"https://amstelland.example\",\"cti\":\"%s\"}%s%s%s]}",
		 hex(cti_a, 16), hex(cti_b, 16), extra_cti_hex ? ",{\"issuer\":\"https://domstad.example\",\"cti\":\"" : "",
		 extra_cti_hex ? extra_cti_hex : "", extra_cti_hex ? "\"}" : "");
	return buf;
}

static json_t *report(lp_route *r)
{
	lp_buf out = { 0 };
	json_error_t je;
	cr_assert_eq(lp_route_json(r, &out), LP_OK);
	cr_assert_eq(strlen((const char *)out.ptr), out.len, "NUL-terminated, len excludes it");
	json_t *j = json_loadb((const char *)out.ptr, out.len, 0, &je);
	cr_assert_not_null(j, "report is JSON: %s", je.text);
	lp_buf_free(&out);
	return j;
}

static json_t *qual_of(json_t *rep, const char *code)
{
	json_t *a = json_object_get(rep, "qualifications");
	for (size_t i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "qualificationCode")), code) == 0)
			return json_array_get(a, i);
	cr_assert_fail("no qualification %s in the report", code);
	return NULL;
}

static json_t *entry_of(json_t *q, const char *id)
{
	json_t *a = json_object_get(q, "credentials");
	for (size_t i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(a, i), "id")), id) == 0)
			return json_array_get(a, i);
	return NULL;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	cr_assert_not_null(s, "member %s", k);
	return s;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	cr_assert(json_is_number(v), "member %s is a number", k);
	return json_number_value(v);
}

Test(route, modules_count_toward_their_qualification)
{
	lp_route *r = route_new();
	lp_route_progress p;
	add_qual(r, qual_vig);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "k0847", "https://amstelland.example", cti_b, LP_ROUTE_STATUS_UNKNOWN, claims_k0847);
	cr_assert_eq(lp_route_qual_count(r), 1);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_str_eq(p.code, "25491");
	cr_assert_str_eq(p.title, "Verzorgende-IG");
	cr_assert(p.described);
	cr_assert_not(p.ects);
	cr_assert_float_eq(p.gathered, 480, 1e-9);
	cr_assert_float_eq(p.required, 4800, 1e-9);
	cr_assert_eq(p.missing_parts, 1, "B1-K1 missing; the optional minimum of 480 is met");
	cr_assert_eq(p.double_counted, 0);
	cr_assert_not(p.complete);
	cr_assert_eq(lp_route_progress_at(r, 1, &p), LP_ERR_ARG);
	cr_assert_null(p.code, "zeroed on failure");

	json_t *rep = report(r), *q = qual_of(rep, "25491");
	cr_assert_str_eq(str(rep, "type"), "leerpas-route");
	cr_assert_str_eq(str(rep, "learner"), "Noor Jansen");
	cr_assert_float_eq(num(q, "percent"), 10, 1e-9);
	cr_assert_str_eq(str(entry_of(q, "k0228"), "part"), "K0228", "matched by the code in brackets");
	cr_assert_str_eq(str(entry_of(q, "k0847"), "state"), "counted");
	json_t *missing = json_object_get(q, "missing");
	cr_assert_eq(json_array_size(missing), 1);
	cr_assert_str_eq(str(json_array_get(missing, 0), "code"), "B1-K1");
	cr_assert_float_eq(num(json_object_get(q, "optional"), "gathered"), 480, 1e-9);
	/* History is in date order. */
	json_t *h = json_object_get(rep, "history");
	cr_assert_eq(json_array_size(h), 2);
	cr_assert_str_eq(str(json_array_get(h, 0), "date"), "2024-01-26");
	cr_assert_str_eq(str(json_array_get(h, 1), "id"), "k0847");
	json_decref(rep);
	lp_route_free(r);
}

Test(route, composite_counts_once_and_modules_are_included)
{
	lp_route *r = route_new();
	lp_route_progress p;
	add_qual(r, qual_vig);
	add_qual(r, qual_ad);
	/* Added out of date order on purpose. */
	add(r, "cert", "https://rijnland.example", cti_c, LP_ROUTE_STATUS_VALID, claims_cert(hex(cti_c, 16)));
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "k0847", "https://amstelland.example", cti_b, LP_ROUTE_STATUS_VALID, claims_k0847);
	add(r, "micro", "https://domstad.example", cti_c, LP_ROUTE_STATUS_VALID, claims_micro);
	cr_assert_eq(lp_route_qual_count(r), 2);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 564, 1e-9, "the certificate's 564 hours, its modules not again");
	cr_assert_eq(p.double_counted, 0);
	json_t *rep = report(r), *q = qual_of(rep, "25491");
	cr_assert_str_eq(str(entry_of(q, "k0228"), "state"), "included");
	cr_assert_str_eq(str(entry_of(q, "k0228"), "includedIn"), "cert");
	cr_assert_str_eq(str(entry_of(q, "micro"), "state"), "included", "the hbo module inside the certificate");
	cr_assert_str_eq(str(entry_of(q, "micro"), "part"), "Zorgtechnologie en e-health in de wijk");
	cr_assert_float_eq(num(entry_of(q, "micro"), "amount"), 84, 1e-9, "own workload when the part gives none");
	cr_assert_float_eq(num(json_object_get(q, "optional"), "gathered"), 564, 1e-9);
	/* The microcredential also counts toward the AD, in EC. */
	cr_assert_eq(lp_route_progress_at(r, 1, &p), LP_OK);
	cr_assert_str_eq(p.code, "80094");
	cr_assert(p.ects);
	cr_assert_float_eq(p.gathered, 3, 1e-9);
	/* The certificate's composed-of list names the held modules. */
	json_t *h = json_object_get(rep, "history");
	json_t *last = json_array_get(h, 3);
	cr_assert_str_eq(str(last, "id"), "cert");
	cr_assert_str_eq(str(json_array_get(json_object_get(last, "composedOf"), 2), "id"), "micro");
	json_decref(rep);
	lp_route_free(r);
}

Test(route, same_part_twice_is_counted_once)
{
	lp_route *r = route_new();
	lp_route_progress p;
	static const char again[] =
		"{\"title\":\"Omgaan met dementie (K0228)\",\"awardingBody\":\"Andere school\","
		"\"awardingDate\":\"2025-03-01\",\"workload\":240,"
		"\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":240}]}";
	add_qual(r, qual_vig);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "again", "https://other.example", cti_b, LP_ROUTE_STATUS_VALID, again);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 240, 1e-9);
	cr_assert_eq(p.double_counted, 1);
	json_t *rep = report(r), *q = qual_of(rep, "25491");
	cr_assert_str_eq(str(entry_of(q, "again"), "state"), "double");
	cr_assert_str_eq(str(entry_of(q, "again"), "sameAs"), "k0228");
	json_t *dc = json_array_get(json_object_get(q, "doubleCounted"), 0);
	cr_assert_str_eq(str(dc, "reason"), "same-part");
	json_decref(rep);
	lp_route_free(r);
}

Test(route, standalone_copy_of_an_included_module_is_double_even_if_earlier)
{
	lp_route *r = route_new();
	lp_route_progress p;
	/* Taken first elsewhere (earlier date), later the certificate includes
	 * the Amstelland K0228: the early one must not count beside it. */
	static const char early[] =
		"{\"title\":\"Omgaan met dementie (K0228)\",\"awardingDate\":\"2020-01-01\",\"workload\":240,"
		"\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":240}]}";
	add_qual(r, qual_vig);
	add(r, "early", "https://other.example", NULL, LP_ROUTE_STATUS_VALID, early);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "cert", "https://rijnland.example", cti_c, LP_ROUTE_STATUS_VALID, claims_cert(NULL));
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 564, 1e-9);
	cr_assert_eq(p.double_counted, 1);
	json_t *rep = report(r);
	cr_assert_str_eq(str(entry_of(qual_of(rep, "25491"), "early"), "state"), "double");
	json_decref(rep);
	lp_route_free(r);
}

Test(route, module_in_two_composites_is_reported_and_deducted)
{
	lp_route *r = route_new();
	lp_route_progress p;
	char second[1024];
	snprintf(second, sizeof second,
		 "{\"title\":\"Mbo-certificaat Dementiezorg\",\"awardingDate\":\"2026-09-01\",\"workload\":240,"
		 "\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":240}],"
		 "\"hasPart\":[{\"issuer\":\"https://amstelland.example\",\"cti\":\"%s\"}]}",
		 hex(cti_a, 16));
	add_qual(r, qual_vig);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "cert", "https://rijnland.example", cti_c, LP_ROUTE_STATUS_VALID, claims_cert(NULL));
	add(r, "cert2", "https://rijnland.example", NULL, LP_ROUTE_STATUS_VALID, second);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 564 + 240 - 240, 1e-9, "K0228 taken off once");
	cr_assert_eq(p.double_counted, 1);
	json_t *rep = report(r);
	json_t *dc = json_array_get(json_object_get(qual_of(rep, "25491"), "doubleCounted"), 0);
	cr_assert_str_eq(str(dc, "reason"), "in-two-composites");
	cr_assert_str_eq(str(json_object_get(dc, "module"), "id"), "k0228");
	json_t *g = json_array_get(json_object_get(rep, "doubleCounted"), 0);
	cr_assert_eq(json_array_size(json_object_get(g, "composedInto")), 2);
	json_decref(rep);
	lp_buf t = { 0 };
	cr_assert_eq(lp_route_text(r, &t), LP_OK);
	cr_assert_not_null(strstr((const char *)t.ptr, "counted twice: module Keuzedeel Omgaan met dementie"));
	cr_assert_not_null(strstr((const char *)t.ptr, "more than one composed credential"));
	lp_buf_free(&t);
	lp_route_free(r);
}

Test(route, revoked_and_suspended_do_not_count)
{
	lp_route *r = route_new();
	lp_route_progress p;
	add_qual(r, qual_vig);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_REVOKED, claims_k0228);
	add(r, "k0847", "https://amstelland.example", cti_b, LP_ROUTE_STATUS_SUSPENDED, claims_k0847);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 0, 1e-9);
	cr_assert_eq(p.missing_parts, 2, "B1-K1 and the optional minimum");
	json_t *rep = report(r), *q = qual_of(rep, "25491");
	cr_assert_str_eq(str(entry_of(q, "k0228"), "state"), "revoked");
	cr_assert_str_eq(str(entry_of(q, "k0847"), "state"), "suspended");
	cr_assert(json_is_null(json_object_get(json_array_get(json_object_get(q, "parts"), 1), "fulfilledBy")));
	json_decref(rep);
	/* A revoked certificate does not swallow its modules: they count. */
	lp_route *r2 = route_new();
	add_qual(r2, qual_vig);
	add(r2, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r2, "cert", "https://rijnland.example", cti_c, LP_ROUTE_STATUS_REVOKED, claims_cert(NULL));
	cr_assert_eq(lp_route_progress_at(r2, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 240, 1e-9);
	lp_route_free(r2);
	lp_route_free(r);
}

Test(route, complete_when_everything_is_there)
{
	lp_route *r = route_new();
	lp_route_progress p;
	static const char diploma_part[] =
		"{\"title\":\"Kerntaak B1-K1\",\"qualificationCode\":\"B1-K1\",\"awardingDate\":\"2023-07-07\","
		"\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":4320}]}";
	add_qual(r, qual_vig);
	add(r, "b1k1", "https://rijnland.example", NULL, LP_ROUTE_STATUS_VALID, diploma_part);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "k0847", "https://amstelland.example", cti_b, LP_ROUTE_STATUS_VALID, claims_k0847);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 4800, 1e-9);
	cr_assert_eq(p.missing_parts, 0, "B1-K1 matched by the credential's own qualificationCode");
	cr_assert(p.complete);
	lp_buf t = { 0 };
	cr_assert_eq(lp_route_text(r, &t), LP_OK);
	cr_assert_not_null(strstr((const char *)t.ptr, "4800 of 4800 hours (100%)  COMPLETE"));
	lp_buf_free(&t);
	lp_route_free(r);
}

Test(route, units_are_converted_and_marked)
{
	lp_route *r = route_new();
	lp_route_progress p;
	static const char hours_only[] =
		"{\"title\":\"Stage\",\"awardingDate\":\"2025-01-01\","
		"\"isPartOf\":[{\"qualificationCode\":\"80094\",\"workload\":56}]}";
	add_qual(r, qual_ad);
	add(r, "stage", "https://domstad.example", NULL, LP_ROUTE_STATUS_VALID, hours_only);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 2, 1e-9, "56 hours are 2 EC at 28 hours per EC");
	json_t *rep = report(r);
	cr_assert(json_is_true(json_object_get(entry_of(qual_of(rep, "80094"), "stage"), "converted")));
	json_decref(rep);
	lp_route_free(r);
}

Test(route, undescribed_qualifications_and_other_learning)
{
	lp_route *r = route_new();
	lp_route_progress p;
	static const char loose[] = "{\"title\":\"EHBO\",\"awardingDate\":\"2022-05-05\"}";
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "ehbo", "https://ehbo.example", NULL, LP_ROUTE_STATUS_VALID, loose);
	cr_assert_eq(lp_route_qual_count(r), 1);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_not(p.described);
	cr_assert_str_eq(p.title, "Verzorgende-IG", "the title the credential gives");
	cr_assert_float_eq(p.gathered, 240, 1e-9);
	cr_assert_not(p.complete);
	json_t *rep = report(r), *q = qual_of(rep, "25491");
	cr_assert(json_is_null(json_object_get(q, "required")));
	json_t *h = json_array_get(json_object_get(rep, "history"), 0);
	cr_assert_str_eq(str(h, "id"), "ehbo");
	cr_assert_eq(json_array_size(json_object_get(h, "countsToward")), 0);
	json_decref(rep);
	lp_buf t = { 0 };
	cr_assert_eq(lp_route_text(r, &t), LP_OK);
	cr_assert_not_null(strstr((const char *)t.ptr, "--qualification FILE"));
	cr_assert_not_null(strstr((const char *)t.ptr, "1 credential counts toward no qualification"));
	lp_buf_free(&t);
	lp_buf s = { 0 };
	cr_assert_eq(lp_route_svg(r, &s), LP_OK);
	cr_assert_not_null(strstr((const char *)s.ptr, "Other learning"));
	lp_buf_free(&s);
	lp_route_free(r);
}

Test(route, date_falls_back_to_iat)
{
	lp_route *r = route_new();
	static const char nodate[] = "{\"title\":\"Zonder datum\"}";
	lp_route_cred c = { "x", "https://a.example", NULL, NULL, 0, 1782950400 /* 2026-07-02 */, 0, nodate,
			    sizeof nodate - 1 };
	lp_route_cred c2 = { "y", "https://a.example", NULL, NULL, 0, -86400 /* 1969-12-31 */, 0, nodate,
			     sizeof nodate - 1 };
	cr_assert_eq(lp_route_add_credential(r, &c, NULL), LP_OK);
	cr_assert_eq(lp_route_add_credential(r, &c2, NULL), LP_OK);
	json_t *rep = report(r);
	json_t *h = json_object_get(rep, "history");
	cr_assert_str_eq(str(json_array_get(h, 0), "date"), "1969-12-31");
	cr_assert_str_eq(str(json_array_get(h, 1), "date"), "2026-07-02");
	json_decref(rep);
	lp_route_free(r);
	/* Absurd times are clamped to years 0000..9999: the picture stays small. */
	r = route_new();
	c.iat = INT64_MIN;
	cr_assert_eq(lp_route_add_credential(r, &c, NULL), LP_OK);
	c2.iat = INT64_MAX;
	cr_assert_eq(lp_route_add_credential(r, &c2, NULL), LP_OK);
	rep = report(r);
	h = json_object_get(rep, "history");
	cr_assert_str_eq(str(json_array_get(h, 0), "date"), "0000-01-01");
	cr_assert_str_eq(str(json_array_get(h, 1), "date"), "9999-12-31");
	json_decref(rep);
	lp_buf s = { 0 };
	cr_assert_eq(lp_route_svg(r, &s), LP_OK);
	cr_assert_lt(s.len, 4u * 1024 * 1024);
	lp_buf_free(&s);
	lp_route_free(r);
}

Test(route, renderings_escape_what_credentials_say)
{
	lp_route *r = route_new();
	static const char nasty[] =
		"{\"title\":\"<script>&\\\"x\\u001b[31m\\u009b\\u00e9\",\"awardingBody\":\"A & B\","
		"\"fullName\":\"Eva <b>\",\"awardingDate\":\"2026-01-01\"}";
	lp_buf s = { 0 }, t = { 0 };
	add(r, "n", "https://a.example", NULL, LP_ROUTE_STATUS_VALID, nasty);
	cr_assert_eq(lp_route_svg(r, &s), LP_OK);
	const char *svg = (const char *)s.ptr;
	cr_assert_null(strstr(svg, "<script>"));
	cr_assert_null(strstr(svg, "<b>"));
	cr_assert_not_null(strstr(svg, "&lt;script&gt;&amp;&quot;x?[31m?\xc3\xa9"));
	cr_assert_null(strchr(svg, 0x1b), "no control characters in XML");
	cr_assert_eq(strncmp(svg, "<?xml", 5), 0);
	cr_assert_not_null(strstr(svg, "</svg>\n"));
	cr_assert_eq(strlen(svg), s.len);
	cr_assert_eq(lp_route_text(r, &t), LP_OK);
	cr_assert_null(strchr((const char *)t.ptr, 0x1b), "no terminal escapes in text");
	cr_assert_null(strstr((const char *)t.ptr, "\xc2\x9b"), "no C1 escapes in text");
	cr_assert_not_null(strstr((const char *)t.ptr, "Learning route of Eva <b>"));
	lp_buf_free(&s);
	lp_buf_free(&t);
	lp_route_free(r);
}

Test(route, svg_has_a_lane_and_bar_per_qualification)
{
	lp_route *r = route_new();
	lp_buf s = { 0 };
	add_qual(r, qual_vig);
	add_qual(r, qual_ad);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "micro", "https://domstad.example", cti_c, LP_ROUTE_STATUS_VALID, claims_micro);
	add(r, "cert", "https://rijnland.example", NULL, LP_ROUTE_STATUS_VALID, claims_cert(hex(cti_c, 16)));
	cr_assert_eq(lp_route_svg(r, &s), LP_OK);
	const char *svg = (const char *)s.ptr;
	cr_assert_not_null(strstr(svg, ">Verzorgende-IG</text>"));
	cr_assert_not_null(strstr(svg, ">Associate degree Zorg en Technologie</text>"));
	cr_assert_not_null(strstr(svg, "564 of 4800 hours (11%)"));
	cr_assert_not_null(strstr(svg, "3 of 120 EC (2%)"));
	cr_assert_not_null(strstr(svg, ">2024</text>"), "year axis from the first date");
	cr_assert_not_null(strstr(svg, ">2027</text>"), "to the year after the last");
	cr_assert_not_null(strstr(svg, "stroke-dasharray"), "composite joined to its modules");
	/* Balanced tags of the kinds we open. */
	size_t open = 0, close = 0;
	for (const char *p = svg; (p = strstr(p, "<g")) != NULL; p++)
		open++;
	for (const char *p = svg; (p = strstr(p, "</g>")) != NULL; p++)
		close++;
	cr_assert_eq(open, close);
	lp_buf_free(&s);
	lp_route_free(r);
}

Test(route, empty_route_renders)
{
	lp_route *r = route_new();
	lp_buf j = { 0 }, t = { 0 }, s = { 0 };
	cr_assert_eq(lp_route_qual_count(r), 0);
	cr_assert_eq(lp_route_json(r, &j), LP_OK);
	cr_assert_eq(lp_route_text(r, &t), LP_OK);
	cr_assert_eq(lp_route_svg(r, &s), LP_OK);
	cr_assert_not_null(strstr((const char *)t.ptr, "0 credentials"));
	lp_buf_free(&j);
	lp_buf_free(&t);
	lp_buf_free(&s);
	lp_route_free(r);
	lp_route_free(NULL);
}

/* ---- negative tables ---------------------------------------------------------- */

struct bad {
	const char *json;
	lp_err code;
	const char *msg; /* part of d.msg */
};

Test(route, bad_descriptions_are_refused_with_a_reason)
{
	static const struct bad table[] = {
		{ "", LP_ERR_JSON, "not JSON" },
		{ "{\"type\":", LP_ERR_JSON, "not JSON" },
		{ "[]", LP_ERR_JSON, "JSON object" },
		{ "{}", LP_ERR_JSON, "'type' is missing" },
		{ "{\"type\":\"leerpas-trustlist\"}", LP_ERR_JSON, "not a qualification description" },
		{ "{\"type\":\"leerpas-qualification\"}", LP_ERR_JSON, "'version' must be 1" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":\"1\"}", LP_ERR_JSON, "'version'" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":2}", LP_ERR_UNSUPPORTED, "newer" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"title\":\"T\",\"unit\":\"hours\",\"required\":1}",
		  LP_ERR_JSON, "'qualificationCode' is missing" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"\",\"title\":\"T\"}", LP_ERR_JSON,
		  "'qualificationCode' must be text" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"weeks\",\"required\":1}",
		  LP_ERR_JSON, "'unit'" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\"}",
		  LP_ERR_JSON, "'required' is missing" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\",\"required\":-5}",
		  LP_ERR_JSON, "'required' must be a number" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\",\"required\":5,\"eqfLevel\":9}",
		  LP_ERR_JSON, "'eqfLevel'" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\",\"required\":5,\"parts\":{}}",
		  LP_ERR_JSON, "'parts'" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\",\"required\":5,\"parts\":[{\"required\":true}]}",
		  LP_ERR_JSON, "part 1 needs a 'code' or a 'title'" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\",\"required\":5,\"parts\":[{\"code\":\"A\",\"required\":\"yes\"}]}",
		  LP_ERR_JSON, "part 1: 'required' must be true or false" },
		{ "{\"type\":\"leerpas-qualification\",\"version\":1,\"qualificationCode\":\"1\",\"title\":\"T\","
		  "\"unit\":\"hours\",\"required\":5,\"parts\":[7]}",
		  LP_ERR_JSON, "part 1 is not an object" },
		{ "{\"type\":\"leerpas-qualification\",\"type\":\"x\"}", LP_ERR_JSON, "not JSON" },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		lp_route *r = route_new();
		lp_diag d = { 0 };
		lp_err rc = lp_route_add_qualification(r, lp_view_of((const uint8_t *)table[i].json, strlen(table[i].json)), &d);
		cr_assert_eq(rc, table[i].code, "case %zu: %d (%s)", i, rc, d.msg);
		cr_assert_not_null(strstr(d.msg, table[i].msg), "case %zu: '%s' lacks '%s'", i, d.msg, table[i].msg);
		cr_assert_eq(lp_route_qual_count(r), 0, "case %zu: nothing added", i);
		lp_route_free(r);
	}
	/* The same code twice; too many bytes. */
	lp_route *r = route_new();
	lp_diag d = { 0 };
	add_qual(r, qual_vig);
	cr_assert_eq(lp_route_add_qualification(r, lp_view_of((const uint8_t *)qual_vig, strlen(qual_vig)), &d),
		     LP_ERR_EXISTS);
	cr_assert_eq(lp_route_add_qualification(r, lp_view_of((const uint8_t *)qual_vig, LP_ROUTE_DESC_MAX + 1), &d),
		     LP_ERR_TOO_LARGE);
	cr_assert_eq(lp_route_qual_count(r), 1);
	lp_route_free(r);
}

Test(route, bad_credentials_are_refused_with_a_reason)
{
	static const struct bad table[] = {
		{ "not json", LP_ERR_JSON, "not a JSON object" },
		{ "[1]", LP_ERR_JSON, "not a JSON object" },
		{ "{\"title\":5}", LP_ERR_CLAIMS, "'title'" },
		{ "{\"awardingDate\":\"2026-02-30\"}", LP_ERR_CLAIMS, "awardingDate" },
		{ "{\"awardingDate\":\"26-02-03\"}", LP_ERR_CLAIMS, "awardingDate" },
		{ "{\"workload\":\"240\"}", LP_ERR_CLAIMS, "'workload'" },
		{ "{\"creditPoint\":-1}", LP_ERR_CLAIMS, "'creditPoint'" },
		{ "{\"isPartOf\":{}}", LP_ERR_CLAIMS, "'isPartOf'" },
		{ "{\"isPartOf\":[{\"title\":\"x\"}]}", LP_ERR_CLAIMS, "'qualificationCode' is missing" },
		{ "{\"isPartOf\":[3]}", LP_ERR_CLAIMS, "not an object" },
		{ "{\"hasPart\":[{\"issuer\":\"a\"}]}", LP_ERR_CLAIMS, "'cti' is missing" },
		{ "{\"hasPart\":[{\"issuer\":\"a\",\"cti\":\"xyz0\"}]}", LP_ERR_CLAIMS, "hexadecimal" },
		{ "{\"hasPart\":[{\"issuer\":\"a\",\"cti\":\"abc\"}]}", LP_ERR_CLAIMS, "hexadecimal" },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		lp_route *r = route_new();
		lp_diag d = { 0 };
		lp_route_cred c = { "id", "https://a.example", NULL, NULL, 0, 0, 0, table[i].json, strlen(table[i].json) };
		lp_err rc = lp_route_add_credential(r, &c, &d);
		cr_assert_eq(rc, table[i].code, "case %zu: %d (%s)", i, rc, d.msg);
		cr_assert_not_null(strstr(d.msg, table[i].msg), "case %zu: '%s' lacks '%s'", i, d.msg, table[i].msg);
		lp_buf t = { 0 };
		cr_assert_eq(lp_route_text(r, &t), LP_OK);
		cr_assert_not_null(strstr((const char *)t.ptr, "0 credentials"), "case %zu: nothing added", i);
		lp_buf_free(&t);
		lp_route_free(r);
	}
	/* Arguments. */
	lp_route *r = route_new();
	lp_diag d = { 0 };
	uint8_t big[65] = { 0 };
	lp_route_cred c = { "id", "https://a.example", NULL, NULL, 0, 0, 0, "{}", 2 };
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_OK);
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_ERR_EXISTS);
	c.id = "";
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_ERR_ARG);
	c.id = "id2";
	c.issuer = NULL;
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_ERR_ARG);
	c.issuer = "https://a.example";
	c.cti = big;
	c.cti_len = sizeof big;
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_ERR_ARG);
	c.cti = NULL;
	c.cti_len = 0;
	c.status = 7;
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_ERR_ARG);
	c.status = 0;
	c.claims_len = LP_ROUTE_CLAIMS_MAX + 1;
	cr_assert_eq(lp_route_add_credential(r, &c, &d), LP_ERR_TOO_LARGE);
	cr_assert_eq(lp_route_new(NULL), LP_ERR_ARG);
	cr_assert_eq(lp_route_json(NULL, NULL), LP_ERR_ARG);
	lp_route_free(r);
}

/* The shipped examples parse, and the documented example learner's numbers hold. */
Test(route, shipped_examples_parse)
{
	static const char *files[] = { "qualification-25491-verzorgende-ig.json",
				       "qualification-80094-ad-zorg-en-technologie.json" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[1024];
		FILE *f;
		char buf[65536];
		size_t n;
		lp_route *r = route_new();
		lp_diag d = { 0 };
		snprintf(path, sizeof path, "%s/examples/route/%s", LP_SOURCE_DIR, files[i]);
		f = fopen(path, "rb");
		cr_assert_not_null(f, "%s", path);
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		cr_assert_eq(lp_route_add_qualification(r, lp_view_of((const uint8_t *)buf, n), &d), LP_OK, "%s: %s",
			     files[i], d.msg);
		cr_assert_eq(lp_route_qual_count(r), 1);
		lp_route_free(r);
	}
}

Test(route, nested_composites_count_only_the_outermost)
{
	lp_route *r = route_new();
	lp_route_progress p;
	char diploma[1024];
	/* A diploma composed of the certificate, which is composed of K0228. */
	snprintf(diploma, sizeof diploma,
		 "{\"title\":\"Diploma Verzorgende-IG\",\"awardingDate\":\"2027-07-01\","
		 "\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":4800}],"
		 "\"hasPart\":[{\"issuer\":\"https://rijnland.example\",\"cti\":\"%s\"}]}",
		 hex(cti_c, 16));
	add_qual(r, qual_vig);
	add(r, "k0228", "https://amstelland.example", cti_a, LP_ROUTE_STATUS_VALID, claims_k0228);
	add(r, "cert", "https://rijnland.example", cti_c, LP_ROUTE_STATUS_VALID, claims_cert(NULL));
	add(r, "diploma", "https://rijnland.example", NULL, LP_ROUTE_STATUS_VALID, diploma);
	cr_assert_eq(lp_route_progress_at(r, 0, &p), LP_OK);
	cr_assert_float_eq(p.gathered, 4800, 1e-9, "the diploma alone");
	json_t *rep = report(r), *q = qual_of(rep, "25491");
	cr_assert_str_eq(str(entry_of(q, "cert"), "includedIn"), "diploma");
	cr_assert_str_eq(str(entry_of(q, "k0228"), "includedIn"), "cert");
	cr_assert_str_eq(str(entry_of(q, "k0228"), "part"), "K0228", "still fulfils its part");
	json_decref(rep);
	lp_route_free(r);
}
