/* leerpas-wallet import: check a credential from a school and store it.
 *
 * What is checked (docs/wallet.md, "What import checks"): always the
 * structure, that every disclosure matches a digest the issuer signed, that
 * it is bound to a holder key of THIS wallet, and that it is not already
 * stored; with --issuer-key (the school's description as exported by
 * leerpas-issuer, or its public key as PEM) also the school's signature and
 * the time claims, exactly as a verifier will. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "leerpas/cose.h"
#include "leerpas/sdcwt.h"
#include "leerpas/trust.h"
#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet import CRED [--issuer-key FILE] [--id NAME]\n"
	"                             [--wallet FILE] [--passphrase-file F] [--json]\n"
	"\n"
	"Check the credential file CRED that your school sent and store it in your\n"
	"wallet. It must be bound to a key this wallet made ('leerpas-wallet\n"
	"request'), every hidden claim must match what the school signed, and it\n"
	"must not be in the wallet already. A file may hold several copies of the\n"
	"same credential (one per requested key).\n"
	"\n"
	"Options:\n"
	"  --issuer-key FILE        also check the school's signature, with the\n"
	"                           school's description (JSON from 'leerpas-issuer\n"
	"                           export') or its public key (PEM). Without it the\n"
	"                           signature is checked only by the verifiers you\n"
	"                           present to.\n"
	"  --id NAME                the name you will use for it (default: from its\n"
	"                           title, e.g. 'basis-python')\n" WL_COMMON_HELP;

enum { OPT_KEY = WL_OPT_FIRST_OWN, OPT_ID };

#define CRED_FILE_MAX (LP_WALLET_MAX_COPIES * LP_SDCWT_MAX_BYTES)

struct resolver {
	lp_trust_store *ts;  /* from a description, or */
	bool has_key;        /* a single PEM key */
	lp_pubkey key;
	int64_t now;
};

static lp_err resolve(void *ctx, const char *iss, const uint8_t *kid, size_t kid_len, int64_t alg,
		      const char *vct, bool has_iat, int64_t iat, lp_pubkey *key, lp_diag *d)
{
	struct resolver *r = ctx;
	(void)alg;
	if (r->has_key) {
		*key = r->key;
		return LP_OK;
	}
	lp_trust_result tr;
	lp_err e = lp_trust_resolve(r->ts, iss ? iss : "", lp_view_of(kid, kid_len), vct,
				    has_iat ? iat : r->now, r->now, &tr, d);
	if (e == LP_OK)
		*key = tr.key;
	return e;
}

static int load_issuer_key(const char *file, struct resolver *r)
{
	lp_buf b = { NULL, 0 };
	lp_diag d;
	memset(&d, 0, sizeof d);
	if (cli_read_file(file, LP_TRUST_MAX_DESC, "issuer key", &b) != LP_OK)
		return CLI_EXIT_ERROR;
	size_t i = 0;
	while (i < b.len && isspace(b.ptr[i]))
		i++;
	lp_err e;
	if (i < b.len && b.ptr[i] == '{') {
		e = lp_trust_store_new(&r->ts);
		if (e == LP_OK)
			e = lp_trust_pin(r->ts, lp_buf_view(&b), &d);
	} else {
		e = lp_pubkey_from_pem((const char *)b.ptr, b.len, &r->key, &d);
		r->has_key = e == LP_OK;
	}
	lp_buf_free(&b);
	if (e != LP_OK)
		return cli_fail(e, "give the school's description (leerpas-issuer export) or its PEM public key",
				"cannot use '%s' as the school's key (%s)", file, d.msg[0] ? d.msg : "");
	return 0;
}

/* A short id from the title: lowercase letters and digits, '-' between. */
static void make_id(const lp_wallet *w, const char *title, char out[LP_WALLET_ID_MAX + 1])
{
	char base[41];
	size_t n = 0;
	bool dash = false;
	for (const char *p = title; *p && n < sizeof base - 1; p++) {
		unsigned char ch = (unsigned char)*p;
		if (isalnum(ch) && ch < 0x80) {
			if (dash && n)
				base[n++] = '-';
			if (n < sizeof base - 1)
				base[n++] = (char)tolower(ch);
			dash = false;
		} else {
			dash = true;
		}
	}
	base[n] = '\0';
	if (!n)
		strcpy(base, "credential");
	snprintf(out, LP_WALLET_ID_MAX + 1, "%s", base);
	for (int k = 2; lp_wallet_cred_find(w, out); k++)
		snprintf(out, LP_WALLET_ID_MAX + 1, "%s-%d", base, k);
}

/* The id of a stored credential that has a copy with this cti (or, with
 * *same_key set, one bound to the same holder key), or NULL. */
static const char *stored_with_cti(const lp_wallet *w, const uint8_t *cti, size_t n, const uint8_t *pk,
				   bool *same_key)
{
	*same_key = false;
	for (size_t i = 0; i < lp_wallet_cred_count(w); i++) {
		const lp_wallet_cred *c = lp_wallet_cred_at(w, i);
		for (size_t j = 0; j < c->ncopies; j++) {
			if (memcmp(c->copies[j].holder_pk, pk, LP_WALLET_PK_BYTES) == 0) {
				lp_wallet_credinfo ci;
				bool same_cti = false;
				if (lp_wallet_inspect(c->copies[j].sdcwt, &ci, NULL) == LP_OK) {
					same_cti = n && ci.cti_len == n && memcmp(ci.cti, cti, n) == 0;
					lp_wallet_credinfo_free(&ci);
				}
				*same_key = !same_cti;
				return c->id;
			}
			lp_wallet_credinfo ci;
			if (lp_wallet_inspect(c->copies[j].sdcwt, &ci, NULL) != LP_OK)
				continue;
			bool same = n && ci.cti_len == n && memcmp(ci.cti, cti, n) == 0;
			lp_wallet_credinfo_free(&ci);
			if (same)
				return c->id;
		}
	}
	return NULL;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "issuer-key", required_argument, NULL, OPT_KEY },
		{ "id", required_argument, NULL, OPT_ID },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	const char *keyfile = NULL, *id = NULL, *file = NULL;
	struct resolver r;
	lp_buf raw = { NULL, 0 };
	lp_buf *copies = NULL;
	size_t ncopies = 0;
	lp_wallet_credinfo *info = NULL;
	lp_wallet_copy *wc = NULL;
	lp_wallet *w = NULL;
	int opt, rc = CLI_EXIT_ERROR;
	memset(&r, 0, sizeof r);
	wl_ctx_init(&c, "import", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		} else if (opt == OPT_KEY) {
			keyfile = optarg;
		} else if (opt == OPT_ID) {
			id = optarg;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("import", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind + 1 != argc) {
		rc = cli_usage_error("import", optind == argc ? "name the credential file to import"
							     : "import one credential file at a time");
		goto out;
	}
	file = argv[optind];
	if (id && (!*id || strlen(id) > LP_WALLET_ID_MAX || strpbrk(id, " \t\n"))) {
		rc = cli_usage_error("import", "--id is 1 to %u characters without spaces", LP_WALLET_ID_MAX);
		goto out;
	}
	if (cli_read_file(file, CRED_FILE_MAX, "credential", &raw) != LP_OK)
		goto out;
	lp_diag d;
	memset(&d, 0, sizeof d);
	lp_err e = lp_wallet_split_copies(lp_buf_view(&raw), &copies, &ncopies, &d);
	if (e != LP_OK) {
		rc = cli_fail(e, "ask your school for the credential file again",
			      "'%s' is not a credential file (%s)", file, d.msg);
		goto out;
	}
	r.now = wl_now();
	if (keyfile && (rc = load_issuer_key(keyfile, &r)) != 0)
		goto out;
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	info = calloc(ncopies, sizeof *info);
	wc = calloc(ncopies, sizeof *wc);
	if (!info || !wc) {
		rc = cli_fail(LP_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ncopies; i++) {
		char what[64] = "";
		if (ncopies > 1)
			snprintf(what, sizeof what, " (copy %zu of %zu)", i + 1, ncopies);
		memset(&d, 0, sizeof d);
		e = lp_wallet_inspect(lp_buf_view(&copies[i]), &info[i], &d);
		if (e != LP_OK) {
			rc = cli_fail(e, "nothing was stored; ask your school for the credential again",
				      "'%s'%s does not check out: %s", file, what, d.msg);
			goto out;
		}
		if (!info[i].has_cnf) {
			rc = cli_fail(LP_ERR_NOT_BOUND,
				      "nothing was stored; make a request with 'leerpas-wallet request' and "
				      "ask the school to issue the credential for it",
				      "'%s'%s is not bound to any holder key, so it cannot be presented as yours",
				      file, what);
			goto out;
		}
		const lp_wallet_key *k = lp_wallet_key_find(w, info[i].cnf);
		if (!k) {
			rc = cli_fail(LP_ERR_NOT_BOUND,
				      "nothing was stored; import it into the wallet that made the request "
				      "(--wallet FILE)",
				      "'%s'%s is bound to a key that is not in this wallet", file, what);
			goto out;
		}
		bool same_key;
		const char *dup = stored_with_cti(w, info[i].cti, info[i].cti_len, info[i].cnf, &same_key);
		if (dup && same_key) {
			rc = cli_fail(LP_ERR_EXISTS,
				      "if it replaces that one (a correction by the school), remove the old one "
				      "first with 'leerpas-wallet remove ID', then import again",
				      "'%s'%s is bound to the same key as '%s', which is in your wallet", file, what,
				      dup);
			goto out;
		}
		if (dup) {
			rc = cli_fail(LP_ERR_EXISTS,
				      "nothing was stored; 'leerpas-wallet show %s' shows the stored one",
				      "'%s'%s is already in your wallet as '%s'", file, what, dup);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (memcmp(info[j].cnf, info[i].cnf, LP_WALLET_PK_BYTES) == 0) {
				rc = cli_fail(LP_ERR_EXISTS, "nothing was stored; ask your school again",
					      "copies %zu and %zu are bound to the same key", j + 1, i + 1);
				goto out;
			}
		if (i > 0 && (strcmp(info[i].iss, info[0].iss) != 0 ||
			      strcmp(info[i].vct, info[0].vct) != 0 ||
			      strcmp(info[i].shown_json, info[0].shown_json) != 0)) {
			rc = cli_fail(LP_ERR_POLICY, "import different credentials one file at a time",
				      "copy %zu of '%s' is a different credential than copy 1", i + 1, file);
			goto out;
		}
		if (keyfile) {
			lp_sdcwt_verify_params vp;
			lp_sdcwt_result res;
			lp_pubkey holder;
			memset(&vp, 0, sizeof vp);
			memset(&res, 0, sizeof res);
			lp_pubkey_ed25519(&holder, info[i].cnf);
			vp.resolve = resolve;
			vp.resolve_ctx = &r;
			vp.now = r.now;
			vp.skew = 300;
			vp.expect_cnf = &holder;
			e = lp_sdcwt_verify_credential(lp_buf_view(&copies[i]), &vp, &res);
			if (e != LP_OK) {
				rc = cli_fail(e, "nothing was stored; check that FILE is this school's key, or "
						 "ask the school",
					      "'%s'%s: the school's signature or time claims do not check out (%s)",
					      file, what, res.diag.msg[0] ? res.diag.msg : lp_err_str(e));
				lp_sdcwt_result_free(&res);
				goto out;
			}
			lp_sdcwt_result_free(&res);
		}
		if (strcmp(k->issuer, info[i].iss) != 0)
			cli_warn("the key of%s was requested for '%s' but the credential is from '%s'", what,
				 k->issuer, info[i].iss);
		wc[i].sdcwt = lp_buf_view(&copies[i]);
		memcpy(wc[i].holder_pk, info[i].cnf, LP_WALLET_PK_BYTES);
	}
	char idbuf[LP_WALLET_ID_MAX + 1];
	if (id) {
		if (lp_wallet_cred_find(w, id)) {
			rc = cli_fail(LP_ERR_EXISTS, "choose another --id", "you already have a credential '%s'", id);
			goto out;
		}
		snprintf(idbuf, sizeof idbuf, "%s", id);
	} else {
		make_id(w, info[0].title[0] ? info[0].title : info[0].vct, idbuf);
	}
	lp_wallet_cred cred;
	memset(&cred, 0, sizeof cred);
	cred.id = idbuf;
	cred.issuer = info[0].iss;
	cred.title = info[0].title[0] ? info[0].title : info[0].vct;
	cred.type = info[0].vct;
	cred.imported = r.now;
	cred.status = LP_WALLET_STATUS_UNKNOWN;
	cred.ncopies = ncopies;
	cred.copies = wc;
	e = lp_wallet_cred_add(w, &cred);
	if (e != LP_OK) {
		rc = cli_fail(e, NULL, "cannot store the credential");
		goto out;
	}
	if ((rc = wl_save(w)) != 0)
		goto out;
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "id", json_string(idbuf));
		cli_json_set(o, "title", json_string(cred.title));
		cli_json_set(o, "issuer", json_string(cred.issuer));
		cli_json_set(o, "copies", json_integer((json_int_t)ncopies));
		cli_json_set(o, "signature_checked", json_boolean(keyfile != NULL));
		rc = cli_json_print(o) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	} else {
		printf("Stored '%s' from %s as %s", cred.title, cred.issuer, idbuf);
		if (ncopies > 1)
			printf(" (%zu copies)", ncopies);
		printf(".\n");
		if (info[0].nredactable) {
			printf("Claims you decide about when presenting:");
			for (size_t i = 0; i < info[0].nredactable; i++)
				printf("%s %s", i ? "," : "", info[0].redactable[i].name);
			printf("\n");
		}
		if (keyfile)
			printf("The school's signature was checked with %s.\n", keyfile);
		else
			printf("Checked: bound to your key, every hidden claim matches what the school\n"
			       "signed. The school's signature itself was not checked (no --issuer-key);\n"
			       "every verifier checks it.\n");
		if (info[0].has_exp && info[0].exp <= r.now)
			cli_warn("this credential has expired");
		rc = CLI_EXIT_OK;
	}
out:
	if (info)
		for (size_t i = 0; i < ncopies; i++)
			lp_wallet_credinfo_free(&info[i]);
	free(info);
	free(wc);
	lp_wallet_copies_free(copies, ncopies);
	lp_buf_free(&raw);
	lp_trust_store_free(r.ts);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
