/* Fuzz learning routes: the input is both a qualification description and a
 * credential's claims (the two JSON inputs of lib/route.c), and the route
 * is rendered in all three forms. Properties: every rendering succeeds once
 * the inputs are accepted, and is NUL-free text of the length reported. */
#include "fuzz_common.h"
#include "leerpas/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(lp_route *r)
{
	lp_buf out = { 0 };
	FZ_CHECK(lp_route_json(r, &out) == LP_OK);
	FZ_CHECK(strlen((const char *)out.ptr) == out.len);
	lp_buf_free(&out);
	FZ_CHECK(lp_route_text(r, &out) == LP_OK);
	FZ_CHECK(memchr(out.ptr, 0, out.len) == NULL);
	lp_buf_free(&out);
	FZ_CHECK(lp_route_svg(r, &out) == LP_OK);
	FZ_CHECK(memchr(out.ptr, 0, out.len) == NULL);
	lp_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_route *r = NULL;
	static const uint8_t cti[16] = { 0xaa };
	lp_route_cred c = { "fuzz", "https://roc.example", "keuzedeel", cti, sizeof cti, FZ_T0, 0, (const char *)data,
			    size };
	FZ_CHECK(lp_route_new(&r) == LP_OK);
	fz_ignore(lp_route_add_qualification(r, lp_view_of(data, size), NULL));
	fz_ignore(lp_route_add_credential(r, &c, NULL));
	/* a second credential composed of the first, and one sharing its part */
	static const char comp[] =
		"{\"title\":\"Composite\",\"isPartOf\":[{\"qualificationCode\":\"25491\",\"workload\":10}],"
		"\"hasPart\":[{\"issuer\":\"https://roc.example\",\"cti\":\"aa000000000000000000000000000000\"}]}";
	lp_route_cred c2 = { "comp", "https://roc.example", NULL, NULL, 0, FZ_T0, 0, comp, sizeof comp - 1 };
	FZ_CHECK(lp_route_add_credential(r, &c2, NULL) == LP_OK);
	for (size_t i = 0; i < lp_route_qual_count(r); i++) {
		lp_route_progress p;
		FZ_CHECK(lp_route_progress_at(r, i, &p) == LP_OK);
		FZ_CHECK(p.gathered >= 0);
	}
	render(r);
	lp_route_free(r);
	return 0;
}
