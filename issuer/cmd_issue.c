/* leerpas-issuer issue: one credential for one learner, bound to the holder
 * key(s) of a checked request (one copy per key) or unbound, recorded in
 * the register with a status-list entry; the file is written only when the
 * register has it, and removed again if the register cannot commit. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "issuer.h"
#include "leerpas/fileio.h"
#include "leerpas/request.h"

static const char help[] =
	"Usage: leerpas-issuer issue --dir DIR --template NAME --claims LEARNER.json\n"
	"                            [--request REQ] --out CRED [options]\n"
	"\n"
	"Issue one credential from template NAME with the learner's claims.\n"
	"\n"
	"  --template NAME       a template of this store ('template list')\n"
	"  --claims FILE         the learner's claims (JSON: fullName, studentId, ...)\n"
	"  --request REQ         the learner's request from 'leerpas-wallet request':\n"
	"                        its proof of possession is checked and one copy is\n"
	"                        bound to each holder key in it. Without it the\n"
	"                        credential is UNBOUND: whoever has the file can show it.\n"
	"  --request-age SECONDS accept requests made at most this long ago (default 7 days)\n"
	"  --nonce TEXT          the code you gave the learner for the request\n"
	"                        ('leerpas-wallet request --nonce'): the request must carry it\n"
	"  --out CRED            the credential file to write (never overwritten)\n"
	"  --learner REF         the learner's reference in the register\n"
	"                        (default: the studentId claim)\n"
	"  --passphrase-file F, --passphrase-fd N   the signing key's passphrase\n"
	"  --json                print the result as JSON\n";

enum { OPT_TEMPLATE = OPT_FIRST_OWN, OPT_CLAIMS, OPT_REQUEST, OPT_OUT, OPT_LEARNER, OPT_REQ_AGE, OPT_NONCE };

int cmd_issue(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "template", 1, NULL, OPT_TEMPLATE },
					      { "claims", 1, NULL, OPT_CLAIMS },
					      { "request", 1, NULL, OPT_REQUEST },
					      { "out", 1, NULL, OPT_OUT },
					      { "learner", 1, NULL, OPT_LEARNER },
					      { "request-age", 1, NULL, OPT_REQ_AGE },
					      { "nonce", 1, NULL, OPT_NONCE },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *tname = NULL, *claims_path = NULL, *req_path = NULL, *out_path = NULL, *learner = NULL,
		   *nonce = NULL;
	long long req_age = 0;
	issuer_store s;
	issuer_template t;
	lp_signkey key;
	lp_buf claims = { NULL, 0 }, merged = { NULL, 0 }, reqraw = { NULL, 0 };
	lp_reg_cred *recs = NULL;
	lp_request req;
	lp_diag d;
	char ref[LP_REG_REF_MAX + 1];
	bool bad = false, have_store = false, have_tmpl = false;
	size_t n = 1;
	int opt, ret = CLI_EXIT_ERROR;
	lp_err rc;
	char *end;

	memset(&key, 0, sizeof key);
	memset(&req, 0, sizeof req);
	memset(&d, 0, sizeof d);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c.help = true;
		else if (common_option(&c, opt, optarg, "issue", &bad))
			;
		else if (opt == OPT_TEMPLATE)
			tname = optarg;
		else if (opt == OPT_CLAIMS)
			claims_path = optarg;
		else if (opt == OPT_REQUEST)
			req_path = optarg;
		else if (opt == OPT_OUT)
			out_path = optarg;
		else if (opt == OPT_LEARNER)
			learner = optarg;
		else if (opt == OPT_NONCE)
			nonce = optarg;
		else if (opt == OPT_REQ_AGE) {
			req_age = strtoll(optarg, &end, 10);
			if (*end || req_age <= 0)
				return cli_usage_error("issue", "--request-age needs a positive number of seconds");
		} else
			return cli_usage_error("issue", "unknown option");
	}
	int opts_exit = options_done(&c, "issue", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (!tname || !claims_path || !out_path)
		return cli_usage_error("issue", "--template, --claims and --out are required");
	if (nonce && !req_path)
		return cli_usage_error("issue", "--nonce checks a --request; give both");
	if (nonce && (!*nonce || strlen(nonce) > LP_REQUEST_MAX_NONCE))
		return cli_usage_error("issue", "--nonce must be 1..%d characters", LP_REQUEST_MAX_NONCE);
	if (access(out_path, F_OK) == 0) {
		cli_error("choose another --out file (issued credentials are never overwritten)",
			  "'%s' already exists", out_path);
		return CLI_EXIT_ERROR;
	}

	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	have_store = true;
	ret = CLI_EXIT_ERROR;
	if (template_load(&s, tname, &t) != CLI_EXIT_OK)
		goto out;
	have_tmpl = true;
	if (cli_read_file(claims_path, ISSUER_MAX_CLAIMS, "learner claims", &claims) != LP_OK)
		goto out;
	rc = issue_merge(&t, (const char *)claims.ptr, claims.len, &merged, &d);
	if (rc != LP_OK) {
		cli_error("fix the learner's claims file (see docs/issuer.md for the claim names)",
			  "'%s' cannot be issued with template '%s': %s", claims_path, tname,
			  d.msg[0] ? d.msg : lp_err_str(rc));
		goto out;
	}
	if (!issue_learner_ref(learner, (const char *)claims.ptr, claims.len, ref, sizeof ref))
		goto out;

	if (req_path) {
		lp_request_policy pol;
		if (cli_read_file(req_path, LP_REQUEST_MAX_BYTES, "request", &reqraw) != LP_OK)
			goto out;
		memset(&pol, 0, sizeof pol);
		pol.school_id = s.id;
		pol.now = issuer_now();
		pol.window = (int64_t)req_age;
		if (nonce) {
			pol.nonce = lp_view_of((const uint8_t *)nonce, strlen(nonce));
			pol.require_nonce = true;
		}
		rc = lp_request_check(lp_buf_view(&reqraw), &pol, &req, NULL, &d);
		if (rc != LP_OK) {
			ret = cli_exit_code(rc);
			if (ret == CLI_EXIT_OK)
				ret = CLI_EXIT_ERROR;
			cli_error("ask the learner for a new request made with 'leerpas-wallet request --issuer <this school's id>'",
				  "the request '%s' is refused: %s", req_path, d.msg[0] ? d.msg : lp_err_str(rc));
			goto out;
		}
		n = req.n_keys;
	}

	if ((ret = store_load_key(&s, &c.pass, &key)) != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_ERROR;

	recs = calloc(n, sizeof *recs);
	if (!recs) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot issue");
		goto out;
	}
	{
		issue_ctx x = { &s, &t, &key, issuer_now() };
		ret = issue_record_write(&x, &merged, req_path ? (const uint8_t(*)[LP_ED25519_PK_BYTES])req.keys : NULL, n,
					 ref, out_path, recs, NULL, 0);
		if (ret == CLI_EXIT_OK)
			issue_print(&c, &x, ref, out_path, recs, n, req_path != NULL, NULL, 0);
	}
	goto out;
out:
	free(recs);
	lp_buf_free(&claims);
	lp_buf_free(&merged);
	lp_buf_free(&reqraw);
	lp_request_free(&req);
	lp_signkey_free(&key);
	if (have_tmpl)
		template_free(&t);
	if (have_store)
		store_close(&s);
	return ret;
}
