/* leerpas-issuer compose: a certificate or diploma composed of modules from
 * recognised schools. Each presented module is verified as a verifier would
 * (issuer trust and key period, signatures, holder binding, audience and
 * challenge, freshness, status) and must be presented by the learner the
 * new credential is for; a module counts toward one credential only. If any
 * module is refused, nothing is issued and each refusal says why. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "issuer.h"
#include "leerpas/codec.h"
#include "leerpas/request.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

static const char help[] =
	"Usage: leerpas-issuer compose --dir DIR --template NAME --claims LEARNER.json\n"
	"                              --from PRESENTATION [--from ...] --out CRED\n"
	"                              (--trust-anchor A.json --trust-list TL | --pin ISSUER.json)\n"
	"                              [--status FILE]... [options]\n"
	"\n"
	"Admit modules from other recognised schools and issue a certificate or\n"
	"diploma whose composed-of list (hasPart) names them. The learner presents\n"
	"each module to this school ('leerpas-wallet present ID --audience <this\n"
	"school's id> --show fullName ...'). Every module is checked: the school is\n"
	"recognised (trust list or pinned description) and its key was valid, the\n"
	"signatures, holder binding, audience, challenge, age, and its status\n"
	"(revoked or suspended modules are refused; a status list is required for\n"
	"modules that have a status entry). The disclosed fullName (and\n"
	"dateOfBirth, when shown) must match LEARNER.json. A module already counted\n"
	"toward another credential of this school, or given twice, is refused.\n"
	"\n"
	"  --from FILE           a presentation (LP1: text or binary), repeatable\n"
	"  --trust-anchor FILE   an accreditation body's anchor file, repeatable\n"
	"  --trust-list FILE     a signed trust list, repeatable\n"
	"  --pin FILE            trust one school's description directly, repeatable\n"
	"  --status FILE         a school's published status list, repeatable\n"
	"  --challenge TEXT      the challenge given to the learner: every\n"
	"                        presentation must carry it\n"
	"  --max-age SECONDS     refuse presentations older than this (default 86400)\n"
	"  --request REQ         bind the new credential to the learner's keys (with\n"
	"                        --challenge, the request must carry it as its nonce)\n"
	"  --learner REF         register reference (default: studentId claim)\n"
	"  --out CRED            the new credential (never overwritten)\n"
	"  --passphrase-file F, --passphrase-fd N, --json\n";

enum {
	OPT_TEMPLATE = OPT_FIRST_OWN,
	OPT_CLAIMS,
	OPT_FROM,
	OPT_ANCHOR,
	OPT_TLIST,
	OPT_PIN,
	OPT_STATUS,
	OPT_CHALLENGE,
	OPT_MAX_AGE,
	OPT_REQUEST,
	OPT_LEARNER,
	OPT_OUT
};

#define MAX_FILES 64

struct files {
	const char *p[MAX_FILES];
	size_t n;
};

static bool push(struct files *f, const char *path, const char *opt)
{
	if (f->n == MAX_FILES) {
		cli_usage_error("compose", "at most %d %s options", MAX_FILES, opt);
		return false;
	}
	f->p[f->n++] = path;
	return true;
}

struct resolve_ctx {
	lp_trust_store *ts;
	int64_t now;
	lp_trust_result found;
};

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg, const char *vct,
		      bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	struct resolve_ctx *r = ctx;
	lp_err rc;
	(void)alg;
	if (!iss)
		return lp_diag_set(d, LP_ERR_UNTRUSTED, 0, "the credential names no issuer");
	/* Without an issue time the key's validity period cannot be judged;
	 * taking "now" instead would let a retired key's signature pass. */
	if (!has_iat)
		return lp_diag_set(d, LP_ERR_CLAIMS, 0,
				   "the module has no issue time (iat), so its key's validity cannot be checked");
	rc = lp_trust_resolve(r->ts, iss, lp_view_of(kid, kid_len), vct, iat, r->now, &r->found, d);
	if (rc == LP_OK)
		*key = r->found.key;
	return rc;
}

struct token {
	char *issuer;
	lp_status_token tok;
};

/* Read a presentation file: LP1: text or the binary SD-KBT. */
static lp_err read_presentation(const char *path, lp_buf *out, lp_diag *d)
{
	lp_buf raw = { NULL, 0 };
	size_t i = 0;
	lp_err rc = cli_read_file(path, 4 * LP_SDCWT_MAX_BYTES, "presentation", &raw);
	if (rc != LP_OK)
		return rc;
	while (i < raw.len && (raw.ptr[i] == ' ' || raw.ptr[i] == '\n' || raw.ptr[i] == '\r' || raw.ptr[i] == '\t'))
		i++;
	if (raw.len - i >= 4 && memcmp(raw.ptr + i, "LP1:", 4) == 0) {
		rc = lp_qrtext_decode(lp_buf_view(&raw), LP_SDCWT_MAX_BYTES, out, d);
		lp_buf_free(&raw);
		return rc;
	}
	*out = raw;
	return LP_OK;
}

/* Same learner: the disclosed fullName must equal the learner's, and the
 * dateOfBirth too when both give one. */
static bool same_learner(json_t *learner, const char *disclosed_json, char *why, size_t cap)
{
	json_t *m = json_loads(disclosed_json, 0, NULL);
	const char *ln = json_string_value(json_object_get(learner, "fullName"));
	const char *mn = json_string_value(json_object_get(m, "fullName"));
	const char *lb = json_string_value(json_object_get(learner, "dateOfBirth"));
	const char *mb = json_string_value(json_object_get(m, "dateOfBirth"));
	bool ok = false;

	if (!ln)
		snprintf(why, cap, "the learner's claims give no fullName to compare with");
	else if (!mn)
		snprintf(why, cap, "the module does not show fullName: present it with --show fullName");
	else if (strcmp(ln, mn) != 0)
		snprintf(why, cap, "it was issued to '%s', not to '%s'", mn, ln);
	else if (lb && mb && strcmp(lb, mb) != 0)
		snprintf(why, cap, "the date of birth differs from the learner's");
	else
		ok = true;
	json_decref(m);
	return ok;
}

/* Status check of a verified module. */
static lp_err module_status(const lp_sdcwt_result *r, const struct token *toks, size_t ntoks, int64_t now, char *why,
			    size_t cap)
{
	if (!r->has_status)
		return LP_OK;
	for (size_t i = 0; i < ntoks; i++) {
		const lp_status_token *t = &toks[i].tok;
		unsigned v = 0;
		lp_status_freshness f;
		if (!t->uri || !r->status_uri || strcmp(t->uri, r->status_uri) != 0)
			continue;
		if (strcmp(toks[i].issuer, r->iss) != 0)
			continue;
		f = lp_status_token_freshness(t, now);
		if (f == LP_STATUS_EXPIRED || f == LP_STATUS_FUTURE) {
			snprintf(why, cap, "the status list for %s is %s: get a current one", r->status_uri,
				 lp_status_freshness_str(f));
			return LP_ERR_STATUS_UNKNOWN;
		}
		if (f == LP_STATUS_STALE)
			cli_warn("the status list for %s is older than its time to live", r->status_uri);
		if (lp_status_list_get(&t->list, (size_t)r->status_idx, &v) != LP_OK) {
			snprintf(why, cap, "its status entry is not in the status list for %s", r->status_uri);
			return LP_ERR_STATUS_UNKNOWN;
		}
		if (v == LP_STATUS_INVALID) {
			snprintf(why, cap, "it is revoked by its school");
			return LP_ERR_REVOKED;
		}
		if (v == LP_STATUS_SUSPENDED) {
			snprintf(why, cap, "it is suspended by its school");
			return LP_ERR_SUSPENDED;
		}
		if (v != LP_STATUS_VALID) {
			snprintf(why, cap, "its status is %u (not valid)", v);
			return LP_ERR_REVOKED;
		}
		return LP_OK;
	}
	snprintf(why, cap, "no status list for %s was given: add --status FILE (its school publishes it)",
		 r->status_uri ? r->status_uri : "its school");
	return LP_ERR_STATUS_UNKNOWN;
}

int cmd_compose(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "template", 1, NULL, OPT_TEMPLATE },
					      { "claims", 1, NULL, OPT_CLAIMS },
					      { "from", 1, NULL, OPT_FROM },
					      { "trust-anchor", 1, NULL, OPT_ANCHOR },
					      { "trust-list", 1, NULL, OPT_TLIST },
					      { "pin", 1, NULL, OPT_PIN },
					      { "status", 1, NULL, OPT_STATUS },
					      { "challenge", 1, NULL, OPT_CHALLENGE },
					      { "max-age", 1, NULL, OPT_MAX_AGE },
					      { "request", 1, NULL, OPT_REQUEST },
					      { "learner", 1, NULL, OPT_LEARNER },
					      { "out", 1, NULL, OPT_OUT },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	struct files from = { { 0 }, 0 }, anchors = { { 0 }, 0 }, tlists = { { 0 }, 0 }, pins = { { 0 }, 0 },
		     statuses = { { 0 }, 0 };
	const char *tname = NULL, *claims_path = NULL, *challenge = NULL, *req_path = NULL, *learner = NULL,
		   *out_path = NULL;
	long long max_age = 86400;
	struct token toks[MAX_FILES];
	size_t ntoks = 0, nmods = 0, refused = 0, n = 1;
	issue_module mods[MAX_FILES];
	char *mod_iss[MAX_FILES];
	issuer_store s;
	issuer_template t;
	lp_signkey key;
	lp_trust_store *ts = NULL;
	lp_buf claims = { NULL, 0 }, merged = { NULL, 0 }, reqraw = { NULL, 0 };
	json_t *learner_obj = NULL, *parts;
	char *learner_text = NULL, ref[LP_REG_REF_MAX + 1];
	lp_reg_cred *recs = NULL;
	lp_request req;
	lp_diag d;
	bool bad = false, have_store = false, have_tmpl = false;
	int opt, ret = CLI_EXIT_ERROR;
	lp_err rc;
	char *end;
	int64_t now = issuer_now();

	memset(&key, 0, sizeof key);
	memset(&req, 0, sizeof req);
	memset(toks, 0, sizeof toks);
	memset(mod_iss, 0, sizeof mod_iss);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool ok = true;
		if (opt == 'h')
			c.help = true;
		else if (common_option(&c, opt, optarg, "compose", &bad))
			;
		else if (opt == OPT_TEMPLATE)
			tname = optarg;
		else if (opt == OPT_CLAIMS)
			claims_path = optarg;
		else if (opt == OPT_FROM)
			ok = push(&from, optarg, "--from");
		else if (opt == OPT_ANCHOR)
			ok = push(&anchors, optarg, "--trust-anchor");
		else if (opt == OPT_TLIST)
			ok = push(&tlists, optarg, "--trust-list");
		else if (opt == OPT_PIN)
			ok = push(&pins, optarg, "--pin");
		else if (opt == OPT_STATUS)
			ok = push(&statuses, optarg, "--status");
		else if (opt == OPT_CHALLENGE)
			challenge = optarg;
		else if (opt == OPT_REQUEST)
			req_path = optarg;
		else if (opt == OPT_LEARNER)
			learner = optarg;
		else if (opt == OPT_OUT)
			out_path = optarg;
		else if (opt == OPT_MAX_AGE) {
			max_age = strtoll(optarg, &end, 10);
			if (*end || max_age < 1)
				return cli_usage_error("compose", "--max-age needs a positive number of seconds");
		} else
			return cli_usage_error("compose", "unknown option");
		if (!ok)
			return CLI_EXIT_ERROR;
	}
	int opts_exit = options_done(&c, "compose", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (!tname || !claims_path || !out_path || from.n == 0)
		return cli_usage_error("compose", "--template, --claims, --out and at least one --from are required");
	if (pins.n == 0 && (anchors.n == 0 || tlists.n == 0))
		return cli_usage_error("compose", "say which schools you recognise: --trust-anchor with --trust-list, or --pin");
	if (challenge && (strlen(challenge) == 0 || strlen(challenge) > 64))
		return cli_usage_error("compose", "--challenge must be 1..64 characters");
	if (access(out_path, F_OK) == 0) {
		cli_error("choose another --out file (issued credentials are never overwritten)", "'%s' already exists",
			  out_path);
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
	learner_obj = json_loadb((const char *)claims.ptr, claims.len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(learner_obj)) {
		cli_error("fix the learner's claims file", "'%s' is not a JSON object", claims_path);
		goto out;
	}
	if (json_object_get(learner_obj, "hasPart")) {
		cli_error("remove hasPart: compose fills it from the presented modules", "'%s' already has hasPart", claims_path);
		goto out;
	}
	if (!issue_learner_ref(learner, (const char *)claims.ptr, claims.len, ref, sizeof ref))
		goto out;

	/* The trust store: what a verifier at this school would trust. */
	rc = lp_trust_store_new(&ts);
	if (rc != LP_OK) {
		cli_fail(rc, NULL, "cannot set up the trust store");
		goto out;
	}
	{
		struct files *groups[3] = { &anchors, &tlists, &pins };
		const char *what[3] = { "trust anchor", "trust list", "pinned school description" };
		for (int g = 0; g < 3; g++)
			for (size_t i = 0; i < groups[g]->n; i++) {
				lp_buf b = { NULL, 0 };
				memset(&d, 0, sizeof d);
				if (cli_read_file(groups[g]->p[i], LP_TRUST_MAX_LIST, what[g], &b) != LP_OK)
					goto out;
				rc = g == 0 ? lp_trust_add_anchor(ts, lp_buf_view(&b), &d)
				     : g == 1 ? lp_trust_add_list(ts, lp_buf_view(&b), &d)
					      : lp_trust_pin(ts, lp_buf_view(&b), &d);
				lp_buf_free(&b);
				if (rc != LP_OK) {
					ret = cli_exit_code(rc);
					cli_error(g == 1 ? "get the list from its accreditation body again; check --trust-anchor"
							 : "check the file",
						  "%s '%s' is not accepted: %s", what[g], groups[g]->p[i],
						  d.msg[0] ? d.msg : lp_err_str(rc));
					goto out;
				}
			}
	}
	for (size_t i = 0; i < statuses.n; i++) {
		lp_buf b = { NULL, 0 };
		memset(&d, 0, sizeof d);
		if (cli_read_file(statuses.p[i], LP_STATUS_MAX_TOKEN, "status list", &b) != LP_OK)
			goto out;
		rc = lp_trust_verify_status(ts, lp_buf_view(&b), 0, &toks[ntoks].tok, &toks[ntoks].issuer, &d);
		lp_buf_free(&b);
		if (rc != LP_OK) {
			ret = cli_exit_code(rc);
			cli_error("use the status list published by a recognised school", "status list '%s' is not accepted: %s",
				  statuses.p[i], d.msg[0] ? d.msg : lp_err_str(rc));
			goto out;
		}
		ntoks++;
	}

	/* Every module, each with its verdict. */
	for (size_t i = 0; i < from.n; i++) {
		lp_buf pres = { NULL, 0 };
		lp_sdcwt_verify_params vp;
		lp_sdcwt_result r;
		struct resolve_ctx rctx;
		rctx.ts = ts;
		rctx.now = now;
		memset(&rctx.found, 0, sizeof rctx.found);
		char why[300] = "";
		memset(&d, 0, sizeof d);
		memset(&r, 0, sizeof r);
		rc = read_presentation(from.p[i], &pres, &d);
		if (rc != LP_OK) {
			if (d.msg[0])
				snprintf(why, sizeof why, "not a presentation: %s", d.msg);
			else
				snprintf(why, sizeof why, "cannot be read");
			goto verdict;
		}
		memset(&vp, 0, sizeof vp);
		vp.resolve = resolve;
		vp.resolve_ctx = &rctx;
		vp.now = now;
		vp.skew = 300;
		vp.aud = s.id;
		vp.cnonce = (const uint8_t *)challenge;
		vp.cnonce_len = challenge ? strlen(challenge) : 0;
		vp.max_age = (int64_t)max_age;
		rc = lp_sdcwt_verify(lp_buf_view(&pres), &vp, &r);
		lp_buf_free(&pres);
		if (rc != LP_OK) {
			if (rc == LP_ERR_AUDIENCE)
				snprintf(why, sizeof why, "it was presented to someone else: present it with --audience %s", s.id);
			else
				snprintf(why, sizeof why, "%s%s%s", lp_err_str(rc), r.diag.msg[0] ? ": " : "", r.diag.msg);
			goto verdict;
		}
		if (!r.is_presentation || !r.has_cnf) {
			rc = LP_ERR_NOT_BOUND;
			snprintf(why, sizeof why, "it is not bound to a holder key, so nobody can prove it is theirs");
			goto verdict;
		}
		rc = module_status(&r, toks, ntoks, now, why, sizeof why);
		if (rc != LP_OK)
			goto verdict;
		if (!same_learner(learner_obj, r.claims_json ? r.claims_json : "{}", why, sizeof why)) {
			rc = LP_ERR_NOT_BOUND;
			goto verdict;
		}
		if (r.cti_len == 0 || r.cti_len * 2 > LP_REG_CTI_MAX) {
			rc = LP_ERR_CLAIMS;
			snprintf(why, sizeof why, "its credential id (cti) is missing or too long");
			goto verdict;
		}
		issuer_hex(mods[nmods].cti, r.cti, r.cti_len);
		for (size_t k = 0; k < nmods; k++)
			if (strcmp(mods[k].cti, mods[nmods].cti) == 0 && strcmp(mod_iss[k], r.iss) == 0) {
				rc = LP_ERR_POLICY;
				snprintf(why, sizeof why, "the same module as %s: a module counts once", from.p[k]);
				goto verdict;
			}
		mod_iss[nmods] = strdup(r.iss);
		if (!mod_iss[nmods]) {
			rc = LP_ERR_NOMEM;
			snprintf(why, sizeof why, "out of memory");
			goto verdict;
		}
		mods[nmods].issuer = mod_iss[nmods];
		nmods++;
verdict:
		if (rc == LP_OK) {
			json_t *cl = json_loads(r.claims_json ? r.claims_json : "{}", 0, NULL);
			const char *title = json_string_value(json_object_get(cl, "title"));
			fprintf(stderr, "module %s: accepted: %s from %s (%s)\n", from.p[i], title ? title : "(no title)",
				rctx.found.issuer_name[0] ? rctx.found.issuer_name : r.iss, mods[nmods - 1].cti);
			json_decref(cl);
		} else {
			refused++;
			fprintf(stderr, "module %s: refused: %s\n", from.p[i], why);
		}
		lp_sdcwt_result_free(&r);
	}
	if (refused) {
		cli_error("leave the refused modules out or have them fixed, then run compose again (nothing was issued)",
			  "%zu of %zu modules refused", refused, from.n);
		ret = CLI_EXIT_FAIL;
		goto out;
	}

	/* The learner's claims plus the composed-of list. */
	parts = json_array();
	for (size_t i = 0; i < nmods; i++) {
		json_t *e = json_object();
		cli_json_set(e, "issuer", json_string(mods[i].issuer));
		cli_json_set(e, "cti", json_string(mods[i].cti));
		json_array_append_new(parts, e);
	}
	json_object_set_new(learner_obj, "hasPart", parts);
	learner_text = json_dumps(learner_obj, JSON_COMPACT);
	memset(&d, 0, sizeof d);
	rc = learner_text ? issue_merge(&t, learner_text, strlen(learner_text), &merged, &d) : LP_ERR_NOMEM;
	if (rc != LP_OK) {
		cli_error("fix the learner's claims file or the template", "'%s' cannot be issued with template '%s': %s",
			  claims_path, tname, d.msg[0] ? d.msg : lp_err_str(rc));
		goto out;
	}
	if (req_path) {
		lp_request_policy pol;
		if (cli_read_file(req_path, LP_REQUEST_MAX_BYTES, "request", &reqraw) != LP_OK)
			goto out;
		memset(&pol, 0, sizeof pol);
		pol.school_id = s.id;
		pol.now = now;
		if (challenge) {
			/* the same code ties the request to the presentations: one
			 * learner, one session */
			pol.nonce = lp_view_of((const uint8_t *)challenge, strlen(challenge));
			pol.require_nonce = true;
		}
		rc = lp_request_check(lp_buf_view(&reqraw), &pol, &req, NULL, &d);
		if (rc != LP_OK) {
			ret = cli_exit_code(rc);
			cli_error("ask the learner for a new request made with 'leerpas-wallet request --issuer <this school's id>'",
				  "the request '%s' is refused: %s", req_path, d.msg[0] ? d.msg : lp_err_str(rc));
			goto out;
		}
		n = req.n_keys;
	}
	if ((ret = store_load_key(&s, &c.pass, &key)) != CLI_EXIT_OK)
		goto out;
	recs = calloc(n, sizeof *recs);
	if (!recs) {
		ret = cli_fail(LP_ERR_NOMEM, NULL, "cannot issue");
		goto out;
	}
	{
		issue_ctx x = { &s, &t, &key, now };
		ret = issue_record_write(&x, &merged, req_path ? (const uint8_t(*)[LP_ED25519_PK_BYTES])req.keys : NULL, n,
					 ref, out_path, recs, mods, nmods);
		if (ret == CLI_EXIT_OK)
			issue_print(&c, &x, ref, out_path, recs, n, req_path != NULL, mods, nmods);
	}
out:
	for (size_t i = 0; i < ntoks; i++) {
		lp_status_token_free(&toks[i].tok);
		free(toks[i].issuer);
	}
	for (size_t i = 0; i < nmods; i++)
		free(mod_iss[i]);
	free(recs);
	free(learner_text);
	json_decref(learner_obj);
	lp_trust_store_free(ts);
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
