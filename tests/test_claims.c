/* Tests of the learning-achievement claim set: the key table, JSON <-> CBOR
 * conversion, and the template, learner and completeness checks. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leerpas/claims.h"

/* A complete micro-credential claim set (template + learner merged). */
static const char full[] =
	"{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\",\"countryCode\":\"NL\","
	"\"learningOutcome\":[\"schrijft kleine programma's\",\"leest code van anderen\"],"
	"\"creditPoint\":2.5,\"workload\":70,\"eqfLevel\":4,\"nqfLevel\":4,"
	"\"assessmentType\":\"praktijkexamen\",\"mode\":\"blended\","
	"\"accreditation\":\"NRTO-keurmerk\",\"qualificationCode\":\"25187\","
	"\"isPartOf\":[{\"qualificationCode\":\"25604\",\"title\":\"Software developer\","
	"\"creditPoint\":2.5,\"workload\":70}],"
	"\"hasPart\":[{\"issuer\":\"https://roc.example\",\"cti\":\"00112233445566778899aabbccddeeff\"}],"
	"\"fullName\":\"Sanne de Vries\",\"dateOfBirth\":\"2004-02-29\",\"studentId\":\"123456\","
	"\"grade\":\"8,1\",\"assessmentDetails\":\"examen 12 mei\",\"awardingDate\":\"2026-06-30\","
	"\"entryRequirement\":\"geen\",\"idVerification\":\"onsite, ID gecontroleerd\","
	"\"stackability\":\"stapelbaar\",\"additionalNote\":\"zie https://roc.example\","
	"\"description\":\"Programmeren in Python\"}";

Test(claims, table_is_consistent)
{
	size_t n = 0;
	const lp_claim_def *t = lp_claims_table(&n);
	cr_assert_geq(n, 25);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(lp_claims_by_key(t[i].key), &t[i]);
		cr_assert_eq(lp_claims_by_name(t[i].name), &t[i]);
		if (i)
			cr_assert_gt(t[i].key, t[i - 1].key, "table in key order");
		cr_assert(t[i].key >= 1 && t[i].key <= 255, "keys stay small");
		if (t[i].mandatory)
			cr_assert_not_null(t[i].element);
	}
	cr_assert_null(lp_claims_by_name("nope"));
	cr_assert_null(lp_claims_by_key(0));
	cr_assert_null(lp_claims_by_name(NULL));
	/* Default disclosure of DESIGN. */
	const char *shown[] = { "title", "awardingBody", "eqfLevel", "creditPoint", "awardingDate" };
	const char *hidden[] = { "fullName", "dateOfBirth", "grade", "studentId", "assessmentDetails" };
	for (size_t i = 0; i < 5; i++) {
		cr_assert_not(lp_claims_by_name(shown[i])->redactable, "%s", shown[i]);
		cr_assert(lp_claims_by_name(hidden[i])->redactable, "%s", hidden[i]);
	}
}

Test(claims, json_cbor_round_trip)
{
	lp_buf cbor = { 0 }, json = { 0 }, cbor2 = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_claims_from_json(full, strlen(full), &cbor, &d), LP_OK, "%s", d.msg);
	/* The map starts with 25 entries and key 1 (title). */
	cr_assert_eq(cbor.ptr[0], 0xb8);
	cr_assert_eq(cbor.ptr[1], 25);
	cr_assert_eq(cbor.ptr[2], 0x01);
	cr_assert_eq(lp_claims_to_json(lp_buf_view(&cbor), &json, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(json.ptr[json.len], 0);
	cr_assert_not_null(strstr((char *)json.ptr, "\"creditPoint\":2.5"));
	cr_assert_not_null(strstr((char *)json.ptr, "\"eqfLevel\":4"));
	cr_assert_not_null(strstr((char *)json.ptr, "\"cti\":\"00112233445566778899aabbccddeeff\""));
	/* And back to the same bytes. */
	cr_assert_eq(lp_claims_from_json((char *)json.ptr, json.len, &cbor2, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(cbor2.len, cbor.len);
	cr_assert_eq(memcmp(cbor2.ptr, cbor.ptr, cbor.len), 0);
	lp_buf_free(&cbor);
	lp_buf_free(&cbor2);
	lp_buf_free(&json);
}

Test(claims, numbers_encode_shortest)
{
	struct {
		const char *json;
		const uint8_t cbor[12];
		size_t len;
	} cases[] = {
		{ "{\"creditPoint\":2.5}", { 0xa1, 0x06, 0xf9, 0x41, 0x00 }, 5 },
		{ "{\"creditPoint\":15}", { 0xa1, 0x06, 0x0f }, 3 },
		{ "{\"creditPoint\":15.0}", { 0xa1, 0x06, 0x0f }, 3 },
		{ "{\"creditPoint\":0.1}", { 0xa1, 0x06, 0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a }, 11 },
		{ "{\"creditPoint\":0.75}", { 0xa1, 0x06, 0xf9, 0x3a, 0x00 }, 5 },
		{ "{\"workload\":1000}", { 0xa1, 0x07, 0x19, 0x03, 0xe8 }, 5 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lp_buf b = { 0 };
		lp_diag d = { 0 };
		cr_assert_eq(lp_claims_from_json(cases[i].json, strlen(cases[i].json), &b, &d), LP_OK,
			     "%s: %s", cases[i].json, d.msg);
		cr_assert_eq(b.len, cases[i].len, "%s", cases[i].json);
		cr_assert_eq(memcmp(b.ptr, cases[i].cbor, b.len), 0, "%s", cases[i].json);
		lp_buf_free(&b);
	}
}

Test(claims, bad_learner_claims_rejected_with_name)
{
	struct {
		const char *json;
		lp_err err;
		const char *needle;
	} cases[] = {
		{ "{\"nickname\":\"x\"}", LP_ERR_CLAIMS, "nickname" },
		{ "{\"fullName\":\"\"}", LP_ERR_CLAIMS, "fullName" },
		{ "{\"fullName\":3}", LP_ERR_CLAIMS, "fullName" },
		{ "{\"dateOfBirth\":\"2003-02-29\"}", LP_ERR_CLAIMS, "dateOfBirth" },
		{ "{\"dateOfBirth\":\"2004-13-01\"}", LP_ERR_CLAIMS, "dateOfBirth" },
		{ "{\"dateOfBirth\":\"20040101\"}", LP_ERR_CLAIMS, "dateOfBirth" },
		{ "{\"eqfLevel\":9}", LP_ERR_CLAIMS, "eqfLevel" },
		{ "{\"eqfLevel\":0}", LP_ERR_CLAIMS, "eqfLevel" },
		{ "{\"eqfLevel\":4.5}", LP_ERR_CLAIMS, "eqfLevel" },
		{ "{\"creditPoint\":-1}", LP_ERR_CLAIMS, "creditPoint" },
		{ "{\"countryCode\":\"nl\"}", LP_ERR_CLAIMS, "countryCode" },
		{ "{\"countryCode\":\"NLD\"}", LP_ERR_CLAIMS, "countryCode" },
		{ "{\"learningOutcome\":[]}", LP_ERR_CLAIMS, "learningOutcome" },
		{ "{\"learningOutcome\":\"one\"}", LP_ERR_CLAIMS, "learningOutcome" },
		{ "{\"learningOutcome\":[\"a\",2]}", LP_ERR_CLAIMS, "learningOutcome" },
		{ "{\"isPartOf\":[{\"title\":\"x\"}]}", LP_ERR_CLAIMS, "isPartOf" },
		{ "{\"isPartOf\":[{\"qualificationCode\":\"1\",\"x\":1}]}", LP_ERR_CLAIMS, "isPartOf" },
		{ "{\"hasPart\":[{\"issuer\":\"a\",\"cti\":\"0g\"}]}", LP_ERR_CLAIMS, "hasPart" },
		{ "{\"hasPart\":[{\"issuer\":\"a\",\"cti\":\"abc\"}]}", LP_ERR_CLAIMS, "hasPart" },
		{ "{\"hasPart\":[{\"issuer\":\"a\"}]}", LP_ERR_CLAIMS, "hasPart" },
		{ "{\"fullName\":\"a\",\"fullName\":\"b\"}", LP_ERR_JSON, "" },
		{ "[1]", LP_ERR_JSON, "" },
		{ "{", LP_ERR_JSON, "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lp_diag d = { 0 };
		lp_err e = lp_claims_learner_check(cases[i].json, strlen(cases[i].json), &d);
		cr_assert_eq(e, cases[i].err, "%s gave %d", cases[i].json, e);
		cr_assert_not_null(strstr(d.msg, cases[i].needle), "%s: %s", cases[i].json, d.msg);
		lp_buf b = { (uint8_t *)1, 1 };
		cr_assert_eq(lp_claims_from_json(cases[i].json, strlen(cases[i].json), &b, NULL), e);
		cr_assert_null(b.ptr);
		cr_assert_eq(b.len, 0);
	}
	cr_assert_eq(lp_claims_learner_check("{\"fullName\":\"Sanne\",\"grade\":\"8\"}", 32, NULL), LP_OK);
}

static const char tmpl_ok[] =
	"{\"vct\":\"https://roc.example/mc/python\",\"name\":\"ignored by the library\","
	"\"claims\":{\"title\":\"Basis Python\",\"awardingBody\":\"ROC Voorbeeld\","
	"\"countryCode\":\"NL\",\"learningOutcome\":[\"x\"],\"workload\":70,\"eqfLevel\":4,"
	"\"assessmentType\":\"examen\",\"mode\":\"online\",\"accreditation\":\"NRTO\"},"
	"\"redactable\":[\"fullName\",\"grade\"]}";

Test(claims, template_ok)
{
	lp_diag d = { 0 };
	cr_assert_eq(lp_claims_template_check(tmpl_ok, strlen(tmpl_ok), &d), LP_OK, "%s", d.msg);
}

/* Remove `what` from tmpl_ok and expect the missing element named. */
Test(claims, template_missing_elements_named)
{
	struct {
		const char *cut;
		const char *element;
	} cases[] = {
		{ "\"title\":\"Basis Python\",", "'title'" },
		{ "\"awardingBody\":\"ROC Voorbeeld\",", "'awarding body'" },
		{ "\"countryCode\":\"NL\",", "'country of the issuer'" },
		{ "\"learningOutcome\":[\"x\"],", "'learning outcomes'" },
		{ "\"workload\":70,", "'notional workload' (give creditPoint or workload)" },
		{ "\"eqfLevel\":4,", "'level'" },
		{ "\"assessmentType\":\"examen\",", "'type of assessment'" },
		{ "\"mode\":\"online\",", "'form of participation'" },
		{ ",\"accreditation\":\"NRTO\"", "'type of quality assurance'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[1024];
		const char *at = strstr(tmpl_ok, cases[i].cut);
		cr_assert_not_null(at);
		size_t pre = (size_t)(at - tmpl_ok);
		memcpy(buf, tmpl_ok, pre);
		strcpy(buf + pre, at + strlen(cases[i].cut));
		lp_diag d = { 0 };
		cr_assert_eq(lp_claims_template_check(buf, strlen(buf), &d), LP_ERR_CLAIMS, "%s", buf);
		cr_assert_not_null(strstr(d.msg, cases[i].element), "%s", d.msg);
	}
}

Test(claims, template_bad_shapes)
{
	const char *bad[] = {
		"{\"claims\":{}}",
		"{\"vct\":\"\",\"claims\":{}}",
		"{\"vct\":\"x\"}",
		"{\"vct\":\"x\",\"claims\":[]}",
		"{\"vct\":\"x\",\"claims\":{\"bogus\":1}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(lp_claims_template_check(bad[i], strlen(bad[i]), NULL), LP_ERR_CLAIMS, "%s",
			     bad[i]);
	/* A bad redactable list, on an otherwise good template. */
	const char *reds[] = { "\"redactable\":[\"fullName\",\"grade\"]", "\"redactable\":\"fullName\"" };
	(void)reds;
	char buf[1024];
	const char *at = strstr(tmpl_ok, "[\"fullName\",\"grade\"]");
	size_t pre = (size_t)(at - tmpl_ok);
	const char *subs[] = { "[\"shoeSize\"]", "[\"grade\",\"grade\"]", "\"grade\"", "[1]" };
	for (size_t i = 0; i < 4; i++) {
		memcpy(buf, tmpl_ok, pre);
		snprintf(buf + pre, sizeof buf - pre, "%s}", subs[i]);
		lp_diag d = { 0 };
		cr_assert_eq(lp_claims_template_check(buf, strlen(buf), &d), LP_ERR_CLAIMS, "%s", buf);
		cr_assert_not_null(strstr(d.msg, "redactable"), "%s", d.msg);
	}
}

Test(claims, completeness_needs_learner_identification)
{
	lp_diag d = { 0 };
	cr_assert_eq(lp_claims_complete_check(full, strlen(full), &d), LP_OK, "%s", d.msg);
	const char *at = strstr(tmpl_ok, "{\"title\"");
	const char *end = strstr(tmpl_ok, "},\"redactable\"");
	char claims[1024];
	size_t n = (size_t)(end - at) + 1;
	memcpy(claims, at, n);
	claims[n] = 0;
	cr_assert_eq(lp_claims_complete_check(claims, n, &d), LP_ERR_CLAIMS);
	cr_assert_not_null(strstr(d.msg, "'learner identification' (give fullName or studentId)"), "%s",
			   d.msg);

	lp_buf merged = { 0 };
	const char learner[] = "{\"studentId\":\"99\",\"grade\":\"7\"}";
	cr_assert_eq(lp_claims_merge(claims, n, learner, strlen(learner), &merged, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(lp_claims_complete_check((char *)merged.ptr, merged.len, &d), LP_OK, "%s", d.msg);
	lp_buf_free(&merged);

	const char clash[] = "{\"title\":\"other\"}";
	cr_assert_eq(lp_claims_merge(claims, n, clash, strlen(clash), &merged, &d), LP_ERR_CLAIMS);
	cr_assert_not_null(strstr(d.msg, "'title'"));
	cr_assert_null(merged.ptr);
}

Test(claims, to_json_checks_types_and_keeps_foreign_claims)
{
	/* {1: 5} : title must be text. */
	const uint8_t bad_title[] = { 0xa1, 0x01, 0x05 };
	lp_buf j = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_claims_to_json(lp_view_of(bad_title, sizeof bad_title), &j, &d), LP_ERR_CLAIMS);
	cr_assert_not_null(strstr(d.msg, "title"));
	cr_assert_null(j.ptr);
	/* {1: "T", 500: h'0102', "x": [true, null], simple(59): [h'00']} */
	const uint8_t foreign[] = { 0xa4, 0x01, 0x61, 'T', 0x19, 0x01, 0xf4, 0x42, 0x01, 0x02,
				    0x61, 'x', 0x82, 0xf5, 0xf6, 0xf8, 0x3b, 0x81, 0x41, 0x00 };
	cr_assert_eq(lp_claims_to_json(lp_view_of(foreign, sizeof foreign), &j, &d), LP_OK, "%s", d.msg);
	cr_assert_str_eq((char *)j.ptr, "{\"title\":\"T\",\"500\":\"0102\",\"x\":[true,null]}");
	lp_buf_free(&j);
	/* A tagged foreign value converts to its content: {502: 1(1549560720)}. */
	const uint8_t tagged[] = { 0xa1, 0x19, 0x01, 0xf6, 0xc1, 0x1a, 0x5c, 0x5c, 0x6b, 0x90 };
	cr_assert_eq(lp_claims_to_json(lp_view_of(tagged, sizeof tagged), &j, &d), LP_OK, "%s", d.msg);
	cr_assert_str_eq((char *)j.ptr, "{\"502\":1549560720}");
	lp_buf_free(&j);
	/* Invalid UTF-8 in a title: the strict CBOR parser refuses it. */
	const uint8_t bad_utf8[] = { 0xa1, 0x01, 0x62, 0xc3, 0x28 };
	cr_assert_eq(lp_claims_to_json(lp_view_of(bad_utf8, sizeof bad_utf8), &j, NULL), LP_ERR_CBOR);
	cr_assert_null(j.ptr);
	/* Not a map. */
	const uint8_t arr[] = { 0x80 };
	cr_assert_eq(lp_claims_to_json(lp_view_of(arr, 1), &j, NULL), LP_ERR_CLAIMS);
}
