/* leerpas-wallet route: the learner's learning route. Groups the credentials
 * in the wallet by the qualification they count toward, weighs them against
 * the qualification descriptions the learner passes (published by schools),
 * and shows progress, missing parts, double counting and the history over
 * time, as text, JSON or an SVG picture (lib/route.c does the work). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "leerpas/route.h"
#include "wallet_cli.h"

static const char route_help[] =
	"Usage: leerpas-wallet route [--json] [--svg FILE] [--qualification FILE]...\n"
	"                            [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Your learning route: the credentials in your wallet grouped by the\n"
	"qualification they count toward (crebo code), the hours or credits you\n"
	"gathered against what the qualification requires, which parts are still\n"
	"missing, modules that would count twice, and everything you learned in\n"
	"date order. What a qualification requires comes from its description,\n"
	"a JSON file the school publishes (docs/format/route.md); without one the\n"
	"route shows what you gathered only.\n"
	"\n"
	"Options:\n" WL_COMMON_HELP
	"  --qualification FILE     a qualification description (repeatable)\n"
	"  --svg FILE               also draw the route as a picture (SVG)\n"
	"  --json                   the route as JSON instead of text\n";

enum { OPT_QUAL = WL_OPT_FIRST_OWN, OPT_SVG };

#define MAX_QUAL_FILES 64

/* Every claim of a stored credential (always shown and redactable) as one
 * JSON object text (malloc'd), or NULL. */
static char *claims_of(const lp_wallet_credinfo *ci)
{
	json_t *o = json_loads(ci->shown_json ? ci->shown_json : "{}", 0, NULL);
	char *s;
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	for (size_t i = 0; i < ci->nredactable; i++) {
		json_t *v = json_loads(ci->redactable[i].json, JSON_DECODE_ANY, NULL);
		if (v)
			json_object_set_new(o, ci->redactable[i].name, v);
	}
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static int route_status(int wallet_status)
{
	switch (wallet_status) {
	case LP_WALLET_STATUS_VALID:
		return LP_ROUTE_STATUS_VALID;
	case LP_WALLET_STATUS_REVOKED:
		return LP_ROUTE_STATUS_REVOKED;
	case LP_WALLET_STATUS_SUSPENDED:
		return LP_ROUTE_STATUS_SUSPENDED;
	default:
		return LP_ROUTE_STATUS_UNKNOWN;
	}
}

int cmd_route(int argc, char **argv)
{
	static const struct option opts[] = { WL_COMMON_LONGOPTS,
					      { "qualification", required_argument, NULL, OPT_QUAL },
					      { "svg", required_argument, NULL, OPT_SVG },
					      { NULL, 0, NULL, 0 } };
	const char *quals[MAX_QUAL_FILES];
	const char *svg_path = NULL;
	size_t nquals = 0;
	struct wl_ctx c;
	lp_wallet *w = NULL;
	lp_route *r = NULL;
	lp_buf out = { NULL, 0 }, svg = { NULL, 0 };
	int opt, rc;
	lp_err e;

	wl_ctx_init(&c, "route", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(route_help, true);
			goto out;
		}
		if (opt == OPT_QUAL) {
			if (nquals == MAX_QUAL_FILES) {
				rc = cli_usage_error("route", "at most %d --qualification files", MAX_QUAL_FILES);
				goto out;
			}
			quals[nquals++] = optarg;
			continue;
		}
		if (opt == OPT_SVG) {
			svg_path = optarg;
			continue;
		}
		if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("route", "unexpected option (see 'leerpas-wallet route --help')");
			goto out;
		}
	}
	if (optind != argc) {
		rc = cli_usage_error("route", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	rc = CLI_EXIT_ERROR;
	if (lp_route_new(&r) != LP_OK) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot make the route");
		goto out;
	}
	/* The descriptions first: a bad one is reported before the passphrase is asked. */
	for (size_t i = 0; i < nquals; i++) {
		lp_buf b = { NULL, 0 };
		lp_diag d;
		memset(&d, 0, sizeof d);
		if (cli_read_file(quals[i], LP_ROUTE_DESC_MAX, "qualification description", &b) != LP_OK)
			goto out;
		e = lp_route_add_qualification(r, lp_buf_view(&b), &d);
		lp_buf_free(&b);
		if (e != LP_OK) {
			cli_error(e == LP_ERR_UNSUPPORTED ? "update leerpas to read it"
				  : e == LP_ERR_EXISTS	  ? "pass each qualification once"
							  : "ask the school for a correct description (docs/format/route.md)",
				  "qualification description '%s' is not usable: %s", quals[i],
				  d.msg[0] ? d.msg : lp_err_str(e));
			goto out;
		}
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	rc = CLI_EXIT_ERROR;
	for (size_t i = 0; i < lp_wallet_cred_count(w); i++) {
		const lp_wallet_cred *cr = lp_wallet_cred_at(w, i);
		lp_wallet_credinfo ci;
		lp_route_cred rcd;
		lp_diag d;
		char *claims;
		memset(&d, 0, sizeof d);
		if (lp_wallet_inspect(cr->copies[0].sdcwt, &ci, &d) != LP_OK) {
			cli_warn("credential %s cannot be read (%s); it is left out of the route", cr->id,
				 d.msg[0] ? d.msg : "damaged");
			continue;
		}
		claims = claims_of(&ci);
		memset(&rcd, 0, sizeof rcd);
		rcd.id = cr->id;
		rcd.issuer = ci.iss;
		rcd.type = ci.vct;
		rcd.cti = ci.cti;
		rcd.cti_len = ci.cti_len;
		rcd.iat = ci.iat;
		rcd.status = route_status(cr->status);
		rcd.claims_json = claims ? claims : "{}";
		rcd.claims_len = claims ? strlen(claims) : 2;
		e = lp_route_add_credential(r, &rcd, &d);
		free(claims);
		lp_wallet_credinfo_free(&ci);
		if (e == LP_ERR_NOMEM) {
			cli_fail(e, NULL, "cannot make the route");
			goto out;
		}
		if (e != LP_OK)
			cli_warn("credential %s is left out of the route: %s", cr->id, d.msg[0] ? d.msg : lp_err_str(e));
	}
	e = c.json ? lp_route_json(r, &out) : lp_route_text(r, &out);
	if (e == LP_OK && svg_path)
		e = lp_route_svg(r, &svg);
	if (e != LP_OK) {
		cli_fail(e, NULL, "cannot render the route");
		goto out;
	}
	if (svg_path && cli_write_file(svg_path, lp_buf_view(&svg), 0644, false, "route picture") != LP_OK)
		goto out;
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len || (c.json && fputc('\n', stdout) == EOF) ||
	    fflush(stdout) != 0) {
		cli_error("check where the output goes", "cannot write the route to standard output");
		goto out;
	}
	if (svg_path)
		fprintf(stderr, "The picture of your route is in %s (open it in a web browser).\n", svg_path);
	rc = CLI_EXIT_OK;
out:
	lp_buf_free(&out);
	lp_buf_free(&svg);
	lp_route_free(r);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
