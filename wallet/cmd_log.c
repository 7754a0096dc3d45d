/* leerpas-wallet log: every presentation the learner made: when, to whom,
 * which claims, with which copy. */
#include <string.h>

#include <jansson.h>

#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet log [--json] [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Every presentation you made with this wallet: when, to whom (the audience\n"
	"you named), which claims you revealed beyond the always-shown ones, and\n"
	"which copy of the credential was used.\n"
	"\n"
	"Options:\n" WL_COMMON_HELP "  --json                   machine-readable output\n";

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = { WL_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct wl_ctx c;
	lp_wallet *w = NULL;
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "log", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		}
		if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("log", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind != argc) {
		rc = cli_usage_error("log", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	size_t n = lp_wallet_log_count(w);
	json_t *arr = c.json ? json_array() : NULL;
	if (!c.json && n == 0)
		printf("No presentations yet.\n");
	for (size_t i = 0; i < n; i++) {
		const lp_wallet_log *l = lp_wallet_log_at(w, i);
		const lp_wallet_cred *cr = lp_wallet_cred_find(w, l->cred_id);
		char t[32];
		cli_time_iso(l->time, t);
		if (c.json) {
			json_t *o = json_object();
			cli_json_set(o, "time", json_string(t));
			cli_json_set(o, "credential", json_string(l->cred_id));
			if (cr)
				cli_json_set(o, "title", json_string(cr->title));
			cli_json_set(o, "copy", json_integer((json_int_t)l->copy + 1));
			cli_json_set(o, "audience", l->audience[0] ? json_string(l->audience) : json_null());
			cli_json_set(o, "challenge", l->challenge[0] ? json_string(l->challenge) : json_null());
			json_t *cl = json_array();
			for (size_t j = 0; j < l->nclaims; j++)
				json_array_append_new(cl, json_string(l->claims[j]));
			cli_json_set(o, "disclosed", cl);
			json_array_append_new(arr, o);
			continue;
		}
		printf("%s  %s%s%s%s (copy %u)\n", t, l->cred_id, cr ? " \"" : " (removed)", cr ? cr->title : "",
		       cr ? "\"" : "", l->copy + 1);
		printf("    to: %s%s%s\n", l->audience[0] ? l->audience : "anyone who scanned it",
		       l->challenge[0] ? ", challenge " : "", l->challenge);
		printf("    revealed: ");
		if (l->nclaims == 0)
			printf("only the always-shown claims");
		for (size_t j = 0; j < l->nclaims; j++)
			printf("%s%s", j ? ", " : "", wl_claim_label(l->claims[j]));
		printf("\n");
	}
	rc = c.json ? (cli_json_print(arr) ? CLI_EXIT_OK : CLI_EXIT_ERROR) : CLI_EXIT_OK;
out:
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
