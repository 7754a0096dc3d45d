/* leerpas-wallet recover and passwd: a new passphrase, with the recovery
 * key (when the passphrase is lost) or with the old passphrase. The data
 * key stays; only its passphrase wrap changes, so the recovery key stays
 * valid. */
#include <string.h>

#include "wallet_cli.h"

static const char recover_help[] =
	"Usage: leerpas-wallet recover --recovery-key [--recovery-key-file F]\n"
	"                              [--new-passphrase-file F] [--wallet FILE]\n"
	"                              [--kdf-ops N] [--kdf-mem-mib M]\n"
	"\n"
	"Forgot your passphrase? Type the recovery key you wrote down when you made\n"
	"the wallet (8 groups of 5 characters; upper or lower case, with or without\n"
	"dashes), then choose a new passphrase. If you mistype, you are told which\n"
	"group is wrong. The recovery key stays the same.\n"
	"\n"
	"Options:\n"
	"  --recovery-key           use the recovery key (asked on the terminal)\n"
	"  --recovery-key-file F    read the recovery key from the first line of F\n"
	"  --new-passphrase-file F  read the new passphrase from F (else asked twice)\n"
	"  --kdf-ops N, --kdf-mem-mib M  Argon2id cost for the new passphrase\n"
	"  --wallet FILE            the wallet file\n";

static const char passwd_help[] =
	"Usage: leerpas-wallet passwd [--new-passphrase-file F] [--kdf-ops N] [--kdf-mem-mib M]\n"
	"                             [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Change the wallet's passphrase: the current one is asked first, then the\n"
	"new one twice. Your recovery key stays valid. Backups made before keep\n"
	"the passphrase they had.\n"
	"\n"
	"Options:\n"
	"  --new-passphrase-file F  read the new passphrase from F (else asked twice)\n"
	"  --kdf-ops N, --kdf-mem-mib M  Argon2id cost for the new passphrase\n" WL_COMMON_HELP;

enum { OPT_REC = WL_OPT_FIRST_OWN, OPT_REC_FILE, OPT_NEW_FILE, OPT_OPS, OPT_MEM };

/* Common parse for both; returns -1 to go on, else an exit code. */
static int parse(struct wl_ctx *c, int argc, char **argv, const char *help, bool *rec,
		 const char **rec_file, cli_pass_src *newsrc, lp_wallet_kdf *kdf, bool *kdf_set)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "recovery-key", no_argument, NULL, OPT_REC },
		{ "recovery-key-file", required_argument, NULL, OPT_REC_FILE },
		{ "new-passphrase-file", required_argument, NULL, OPT_NEW_FILE },
		{ "kdf-ops", required_argument, NULL, OPT_OPS },
		{ "kdf-mem-mib", required_argument, NULL, OPT_MEM },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;
	uint64_t v;
	bool is_recover = strcmp(c->cmd, "recover") == 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			return wl_help(help, true);
		case OPT_REC:
		case OPT_REC_FILE:
			if (!is_recover)
				return cli_usage_error(c->cmd, "the recovery key is used by 'leerpas-wallet recover'");
			*rec = true;
			if (opt == OPT_REC_FILE)
				*rec_file = optarg;
			break;
		case OPT_NEW_FILE:
			newsrc->file = optarg;
			break;
		case OPT_OPS:
			if (!wl_parse_uint(optarg, LP_WALLET_OPSLIMIT_MIN, LP_WALLET_OPSLIMIT_MAX, &v))
				return cli_usage_error(c->cmd, "--kdf-ops takes a number from %u to %u",
						       LP_WALLET_OPSLIMIT_MIN, LP_WALLET_OPSLIMIT_MAX);
			kdf->opslimit = v;
			*kdf_set = true;
			break;
		case OPT_MEM:
			if (!wl_parse_uint(optarg, 8, LP_WALLET_MEMLIMIT_MAX >> 20, &v))
				return cli_usage_error(c->cmd, "--kdf-mem-mib takes a number of MiB from 8 to %llu",
						       (unsigned long long)(LP_WALLET_MEMLIMIT_MAX >> 20));
			kdf->memlimit = v << 20;
			*kdf_set = true;
			break;
		default:
			if ((rc = wl_common_opt(c, opt, optarg)) != -1) {
				if (rc)
					return rc;
			} else {
				return cli_usage_error(c->cmd, "unexpected option");
			}
		}
	}
	if (optind != argc)
		return cli_usage_error(c->cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* Set the new passphrase (asked or from newsrc) and save. */
static int new_passphrase(lp_wallet *w, const cli_pass_src *newsrc, const lp_wallet_kdf *kdf,
			  bool kdf_set)
{
	cli_secret np = { NULL, 0 };
	lp_err e = cli_passphrase_new(newsrc, "New wallet passphrase: ", 8, &np);
	if (e != LP_OK)
		return cli_exit_code(e);
	lp_wallet_kdf k;
	lp_wallet_get_kdf(w, &k);
	if (kdf_set) {
		if (kdf->opslimit)
			k.opslimit = kdf->opslimit;
		if (kdf->memlimit)
			k.memlimit = kdf->memlimit;
	}
	e = lp_wallet_set_passphrase(w, cli_secret_view(&np), &k);
	cli_secret_free(&np);
	if (e != LP_OK)
		return cli_fail(e, "the wallet is unchanged", "cannot set the new passphrase");
	int rc = wl_save(w);
	if (rc != 0)
		return rc;
	/* That save kept the previous generation as PATH.prev, still wrapped
	 * under the OLD passphrase: whoever learned it could open PATH.prev and
	 * take the data key, which opens every later version too. Save once
	 * more so that PATH.prev is this generation, under the new passphrase. */
	if (lp_wallet_save(w) != LP_OK)
		cli_warn("%s.prev still opens with the old passphrase; delete it", lp_wallet_path(w));
	return 0;
}

int cmd_recover(int argc, char **argv)
{
	struct wl_ctx c;
	bool rec = false, kdf_set = false;
	const char *rec_file = NULL;
	cli_pass_src newsrc = CLI_PASS_SRC_INIT, recsrc = CLI_PASS_SRC_INIT;
	lp_wallet_kdf kdf = { 0, 0 };
	cli_secret key = { NULL, 0 };
	lp_wallet *w = NULL;
	wl_ctx_init(&c, "recover", argv);
	int rc = parse(&c, argc, argv, recover_help, &rec, &rec_file, &newsrc, &kdf, &kdf_set);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_ERROR;
	if (!rec) {
		rc = cli_usage_error("recover", "give --recovery-key (it is then asked) or --recovery-key-file F");
		goto out;
	}
	const char *path = wl_path(&c);
	if (!path) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	recsrc.file = rec_file;
	lp_err e = cli_passphrase_get(&recsrc, "Recovery key: ", &key);
	if (e != LP_OK) {
		rc = cli_exit_code(e);
		goto out;
	}
	lp_diag d;
	memset(&d, 0, sizeof d);
	e = lp_wallet_open_recovery(path, key.ptr, &w, &d);
	cli_secret_free(&key);
	if (e == LP_ERR_MALFORMED && d.msg[0] && strstr(d.msg, "recovery key")) {
		rc = cli_fail(e, "run the command again and type it as you wrote it down",
			      "that recovery key has a typo: %s", d.msg);
		goto out;
	}
	if (e == LP_ERR_PASSPHRASE) {
		rc = cli_fail(e, "check that this is the key written down for this wallet (--wallet FILE)",
			      "%s", d.msg);
		goto out;
	}
	if (e != LP_OK) {
		rc = wl_open_failed(e, &d, path);
		goto out;
	}
	if ((rc = new_passphrase(w, &newsrc, &kdf, kdf_set)) != 0)
		goto out;
	printf("Your wallet %s has a new passphrase. Your recovery key stays the same.\n", path);
	rc = CLI_EXIT_OK;
out:
	cli_secret_free(&key);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}

int cmd_passwd(int argc, char **argv)
{
	struct wl_ctx c;
	bool rec = false, kdf_set = false;
	const char *rec_file = NULL;
	cli_pass_src newsrc = CLI_PASS_SRC_INIT;
	lp_wallet_kdf kdf = { 0, 0 };
	lp_wallet *w = NULL;
	wl_ctx_init(&c, "passwd", argv);
	int rc = parse(&c, argc, argv, passwd_help, &rec, &rec_file, &newsrc, &kdf, &kdf_set);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_ERROR;
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	if ((rc = new_passphrase(w, &newsrc, &kdf, kdf_set)) != 0)
		goto out;
	printf("The passphrase of %s is changed. Your recovery key stays the same;\n"
	       "backups made before still open with the old passphrase.\n",
	       lp_wallet_path(w));
	rc = CLI_EXIT_OK;
out:
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
