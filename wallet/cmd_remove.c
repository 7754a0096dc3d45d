/* leerpas-wallet remove: the learner deletes a credential and its holder
 * keys. The presentation log keeps its entries (the learner's record). */
#include <string.h>
#include <unistd.h>

#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet remove ID [--yes] [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Delete credential ID and its holder keys from your wallet. On a terminal\n"
	"you are asked to confirm. Until the next change, the previous version of\n"
	"the wallet is kept as FILE.prev; backups keep what they had.\n"
	"\n"
	"Options:\n"
	"  --yes                    do not ask for confirmation\n" WL_COMMON_HELP;

enum { OPT_YES = WL_OPT_FIRST_OWN };

int cmd_remove(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "yes", no_argument, NULL, OPT_YES },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	lp_wallet *w = NULL;
	bool yes = false;
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "remove", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		} else if (opt == OPT_YES) {
			yes = true;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("remove", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind + 1 != argc) {
		rc = cli_usage_error("remove", "name one credential id ('leerpas-wallet list' shows them)");
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	const lp_wallet_cred *cr = wl_find_cred(w, argv[optind]);
	if (!cr) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	char id[LP_WALLET_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", cr->id);
	if (!yes && isatty(STDIN_FILENO)) {
		FILE *tty = fopen("/dev/tty", "r+");
		char line[16];
		bool ok = false;
		if (tty) {
			fprintf(tty, "Remove '%s' (%s) and its keys from your wallet? [y/N] ", cr->title, id);
			fflush(tty);
			ok = fgets(line, sizeof line, tty) && (line[0] == 'y' || line[0] == 'Y');
			fclose(tty);
		}
		if (!ok) {
			fprintf(stderr, "Nothing was removed.\n");
			rc = CLI_EXIT_FAIL;
			goto out;
		}
	}
	/* Its keys first (copied out: removing the credential frees cr). */
	size_t nk = cr->ncopies;
	uint8_t pks[LP_WALLET_MAX_COPIES][LP_WALLET_PK_BYTES];
	for (size_t i = 0; i < nk; i++)
		memcpy(pks[i], cr->copies[i].holder_pk, LP_WALLET_PK_BYTES);
	lp_err e = lp_wallet_cred_remove(w, id);
	for (size_t i = 0; e == LP_OK && i < nk; i++) {
		lp_err k = lp_wallet_key_remove(w, pks[i]);
		if (k != LP_OK && k != LP_ERR_NOT_FOUND)
			e = k;
	}
	if (e != LP_OK) {
		rc = cli_fail(e, "the wallet on disk is unchanged", "cannot remove '%s'", id);
		goto out;
	}
	if ((rc = wl_save(w)) != 0)
		goto out;
	printf("Removed '%s' and its keys from your wallet.\n", id);
	rc = CLI_EXIT_OK;
out:
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
