/* leerpas-wallet status: learn the status of the stored credentials from the
 * Token Status Lists their schools publish (files the learner downloads),
 * and remember it as "status as last known". The wallet asks no server:
 * the learner brings the file, so nobody learns which credential was
 * looked up. */
#include <ctype.h>
#include <string.h>

#include "leerpas/cose.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"
#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet status LIST... [--issuer-key FILE] [--json]\n"
	"                             [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Read the status lists (Token Status List files) your schools publish and\n"
	"record, for each credential in your wallet that points at one of them,\n"
	"whether the school still vouches for it: valid, revoked or suspended.\n"
	"'leerpas-wallet list' then shows it as the status as last known.\n"
	"\n"
	"Options:\n"
	"  --issuer-key FILE        check the list's signature with the school's\n"
	"                           description (leerpas-issuer export) or PEM key;\n"
	"                           without it the list is read unchecked and the\n"
	"                           output says so\n" WL_COMMON_HELP
	"  --json                   machine-readable output\n";

enum { OPT_KEY = WL_OPT_FIRST_OWN };

static const char *status_word(int s)
{
	return s == LP_WALLET_STATUS_VALID	   ? "valid"
	       : s == LP_WALLET_STATUS_REVOKED	   ? "revoked"
	       : s == LP_WALLET_STATUS_SUSPENDED ? "suspended"
						   : "not checked";
}

/* Read one token: verified with the key file when given. */
static lp_err read_token(const char *file, const char *keyfile, lp_status_token *tok, bool *verified,
			 char **issuer, lp_diag *d)
{
	lp_buf b = { NULL, 0 }, k = { NULL, 0 };
	lp_trust_store *ts = NULL;
	*verified = false;
	*issuer = NULL;
	lp_err e = cli_read_file(file, LP_STATUS_MAX_TOKEN, "status list", &b);
	if (e != LP_OK)
		return e;
	if (!keyfile) {
		e = lp_status_token_parse(lp_buf_view(&b), 0, tok, d);
		goto out;
	}
	if ((e = cli_read_file(keyfile, LP_TRUST_MAX_DESC, "issuer key", &k)) != LP_OK)
		goto out;
	size_t i = 0;
	while (i < k.len && isspace(k.ptr[i]))
		i++;
	if (i < k.len && k.ptr[i] == '{') {
		if ((e = lp_trust_store_new(&ts)) == LP_OK && (e = lp_trust_pin(ts, lp_buf_view(&k), d)) == LP_OK)
			e = lp_trust_verify_status(ts, lp_buf_view(&b), 0, tok, issuer, d);
	} else {
		lp_pubkey key;
		if ((e = lp_pubkey_from_pem((const char *)k.ptr, k.len, &key, d)) == LP_OK)
			e = lp_status_token_verify(lp_buf_view(&b), &key, 0, tok, d);
	}
	*verified = e == LP_OK;
out:
	lp_trust_store_free(ts);
	lp_buf_free(&k);
	lp_buf_free(&b);
	return e;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "issuer-key", required_argument, NULL, OPT_KEY },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	const char *keyfile = NULL;
	lp_wallet *w = NULL;
	json_t *res = NULL;
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "status", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		} else if (opt == OPT_KEY) {
			keyfile = optarg;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("status", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind == argc) {
		rc = cli_usage_error("status", "name the status list file(s) your school published");
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	rc = CLI_EXIT_ERROR;
	res = json_array();
	bool changed = false;
	for (int f = optind; f < argc; f++) {
		lp_status_token tok;
		bool verified;
		char *issuer = NULL;
		lp_diag d;
		memset(&d, 0, sizeof d);
		memset(&tok, 0, sizeof tok);
		lp_err e = read_token(argv[f], keyfile, &tok, &verified, &issuer, &d);
		if (e != LP_OK) {
			rc = cli_fail(e, keyfile ? "check that the key file is this school's; nothing was recorded"
						 : "ask the school for its status list again; nothing was recorded",
				      "status list '%s' %s (%s)", argv[f],
				      keyfile ? "does not verify" : "cannot be read", d.msg);
			free(issuer);
			goto out;
		}
		size_t matched = 0;
		for (size_t i = 0; i < lp_wallet_cred_count(w); i++) {
			const lp_wallet_cred *cr = lp_wallet_cred_at(w, i);
			if (issuer && strcmp(issuer, cr->issuer) != 0)
				continue;
			int st = -1;
			for (size_t j = 0; j < cr->ncopies; j++) {
				lp_wallet_credinfo ci;
				if (lp_wallet_inspect(cr->copies[j].sdcwt, &ci, NULL) != LP_OK)
					continue;
				unsigned v;
				if (ci.has_status && strcmp(ci.status_uri, tok.uri) == 0 &&
				    lp_status_list_get(&tok.list, (size_t)ci.status_idx, &v) == LP_OK) {
					int s = v == LP_STATUS_INVALID ? LP_WALLET_STATUS_REVOKED
						: v == LP_STATUS_SUSPENDED ? LP_WALLET_STATUS_SUSPENDED
									   : LP_WALLET_STATUS_VALID;
					/* the worst of its copies: revoked > suspended > valid */
					if (st < 0 || s == LP_WALLET_STATUS_REVOKED ||
					    (s == LP_WALLET_STATUS_SUSPENDED && st == LP_WALLET_STATUS_VALID))
						st = s;
				}
				lp_wallet_credinfo_free(&ci);
			}
			if (st < 0)
				continue;
			matched++;
			char id[LP_WALLET_ID_MAX + 1];
			snprintf(id, sizeof id, "%s", cr->id);
			if (cr->status_time > tok.iat) {
				cli_warn("'%s': %s is older than what the wallet knows; kept %s", id, argv[f],
					 status_word(cr->status));
				continue;
			}
			if (lp_wallet_cred_set_status(w, id, st, tok.iat) != LP_OK)
				continue;
			changed = true;
			char t[32];
			json_t *o = json_object();
			cli_json_set(o, "id", json_string(id));
			cli_json_set(o, "status", json_string(status_word(st)));
			cli_json_set(o, "listIssued", json_string(cli_time_iso(tok.iat, t)));
			cli_json_set(o, "verified", json_boolean(verified));
			json_array_append_new(res, o);
			if (!c.json)
				printf("%s: %s (status list of %s%s)\n", id, status_word(st), t,
				       verified ? "" : ", signature not checked: no --issuer-key");
		}
		if (!matched && !c.json)
			printf("%s: none of your credentials is on this list (%s)\n", argv[f], tok.uri);
		free(issuer);
		lp_status_token_free(&tok);
	}
	if (changed && (rc = wl_save(w)) != 0)
		goto out;
	if (c.json) {
		rc = cli_json_print(res) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
		res = NULL; /* cli_json_print released it */
	} else {
		rc = CLI_EXIT_OK;
	}
out:
	json_decref(res);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
