/* leerpas-wallet request: fresh holder keys (kept in the wallet) and an
 * issuance request proving possession of them, for one school. */
#include <stdlib.h>
#include <string.h>

#include "leerpas/request.h"
#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet request --issuer ID [--copies N] [--nonce TEXT] --out REQ\n"
	"                              [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Make fresh holder keys in your wallet and a request file for the school\n"
	"whose identifier is ID. Give REQ to the school; the credential it sends\n"
	"back is bound to these keys, so only this wallet can present it.\n"
	"\n"
	"Options:\n"
	"  --issuer ID              the school's identifier (as the school gives it)\n"
	"  --copies N               ask for N copies (1..64, default 1): each copy\n"
	"                           has its own key, so two presentations made with\n"
	"                           different copies cannot be linked to each other\n"
	"  --nonce TEXT             the code the school gave you for this request\n"
	"  --out REQ                where to write the request\n" WL_COMMON_HELP;

enum { OPT_ISSUER = WL_OPT_FIRST_OWN, OPT_COPIES, OPT_NONCE, OPT_OUT };

int cmd_request(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "issuer", required_argument, NULL, OPT_ISSUER },
		{ "copies", required_argument, NULL, OPT_COPIES },
		{ "nonce", required_argument, NULL, OPT_NONCE },
		{ "out", required_argument, NULL, OPT_OUT },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	const char *issuer = NULL, *nonce = NULL, *out = NULL;
	uint64_t copies = 1;
	lp_wallet *w = NULL;
	lp_buf req = { NULL, 0 };
	const uint8_t **sks = NULL;
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "request", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		} else if (opt == OPT_ISSUER) {
			issuer = optarg;
		} else if (opt == OPT_COPIES) {
			if (!wl_parse_uint(optarg, 1, LP_WALLET_MAX_COPIES, &copies)) {
				rc = cli_usage_error("request", "--copies takes a number from 1 to %u",
						     LP_WALLET_MAX_COPIES);
				goto out;
			}
		} else if (opt == OPT_NONCE) {
			nonce = optarg;
		} else if (opt == OPT_OUT) {
			out = optarg;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("request", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind != argc) {
		rc = cli_usage_error("request", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!issuer || !*issuer) {
		rc = cli_usage_error("request", "--issuer ID is required (the school's identifier)");
		goto out;
	}
	if (!out) {
		rc = cli_usage_error("request", "--out REQ is required (where to write the request)");
		goto out;
	}
	if (nonce && strlen(nonce) > LP_REQUEST_MAX_NONCE) {
		rc = cli_usage_error("request", "--nonce is at most %d characters", LP_REQUEST_MAX_NONCE);
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	int64_t now = wl_now();
	uint8_t (*pks)[LP_WALLET_PK_BYTES] = calloc((size_t)copies, LP_WALLET_PK_BYTES);
	sks = calloc((size_t)copies, sizeof *sks);
	if (!pks || !sks) {
		free(pks);
		rc = cli_fail(LP_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	lp_err e = LP_OK;
	for (size_t i = 0; i < copies && e == LP_OK; i++)
		e = lp_wallet_key_new(w, now, issuer, pks[i]);
	/* The secret keys live in the wallet's guarded memory; point at them
	 * only after every key is added. */
	for (size_t i = 0; i < copies && e == LP_OK; i++) {
		const lp_wallet_key *k = lp_wallet_key_find(w, pks[i]);
		sks[i] = k ? k->sk : NULL;
		if (!k)
			e = LP_ERR_INTERNAL;
	}
	free(pks);
	if (e != LP_OK) {
		rc = cli_fail(e, NULL, "cannot make holder keys");
		goto out;
	}
	lp_request_params p;
	memset(&p, 0, sizeof p);
	p.school_id = issuer;
	p.nonce = nonce ? lp_view_of((const uint8_t *)nonce, strlen(nonce)) : lp_view_of(NULL, 0);
	p.iat = now;
	e = lp_request_create(&p, (const uint8_t *const *)sks, (size_t)copies, &req);
	if (e != LP_OK) {
		rc = cli_fail(e, "check --issuer and --nonce", "cannot make the request");
		goto out;
	}
	/* Keys first: a request whose keys were not saved would be useless. */
	if ((rc = wl_save(w)) != 0)
		goto out;
	if (cli_write_file(out, lp_buf_view(&req), 0644, false, "request") != LP_OK) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "request", json_string(out));
		cli_json_set(o, "issuer", json_string(issuer));
		cli_json_set(o, "copies", json_integer((json_int_t)copies));
		rc = cli_json_print(o) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	} else {
		printf("Wrote a request for %llu holder key%s to %s.\n"
		       "Give this file to %s. When the school sends your credential back,\n"
		       "store it with: leerpas-wallet import FILE\n",
		       (unsigned long long)copies, copies == 1 ? "" : "s", out, issuer);
		rc = CLI_EXIT_OK;
	}
out:
	free(sks);
	lp_buf_free(&req);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
