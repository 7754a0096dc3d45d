/* leerpas-wallet init: create a new encrypted wallet and show its recovery
 * key, once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet init [--wallet FILE] [--passphrase-file F]\n"
	"                           [--kdf-ops N] [--kdf-mem-mib M] [--json]\n"
	"\n"
	"Create a new, empty wallet. You choose a passphrase (asked twice, not\n"
	"shown); the wallet then shows a recovery key ONCE: write it on paper and\n"
	"keep it apart from this computer. With it you can set a new passphrase\n"
	"when you have forgotten yours. An existing wallet is never overwritten.\n"
	"\n"
	"Options:\n" WL_COMMON_HELP
	"  --kdf-ops N              Argon2id passes (default 3)\n"
	"  --kdf-mem-mib M          Argon2id memory in MiB (default 256); more is\n"
	"                           slower for you and for anyone guessing\n"
	"  --json                   print {\"wallet\", \"recovery_key\"} as JSON\n";

enum { OPT_OPS = WL_OPT_FIRST_OWN, OPT_MEM };

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "kdf-ops", required_argument, NULL, OPT_OPS },
		{ "kdf-mem-mib", required_argument, NULL, OPT_MEM },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	lp_wallet_kdf kdf;
	lp_wallet_kdf_default(&kdf);
	wl_ctx_init(&c, "init", argv);
	int opt, rc = CLI_EXIT_ERROR;
	uint64_t v;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		} else if (opt == OPT_OPS) {
			if (!wl_parse_uint(optarg, LP_WALLET_OPSLIMIT_MIN, LP_WALLET_OPSLIMIT_MAX, &v)) {
				rc = cli_usage_error("init", "--kdf-ops takes a number from %u to %u",
						     LP_WALLET_OPSLIMIT_MIN, LP_WALLET_OPSLIMIT_MAX);
				goto out;
			}
			kdf.opslimit = v;
		} else if (opt == OPT_MEM) {
			if (!wl_parse_uint(optarg, 8, LP_WALLET_MEMLIMIT_MAX >> 20, &v)) {
				rc = cli_usage_error("init", "--kdf-mem-mib takes a number of MiB from 8 to %llu",
						     (unsigned long long)(LP_WALLET_MEMLIMIT_MAX >> 20));
				goto out;
			}
			kdf.memlimit = v << 20;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("init", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind != argc) {
		rc = cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	const char *path = wl_path(&c);
	if (!path)
		goto out;
	if (access(path, F_OK) == 0) {
		rc = cli_fail(LP_ERR_EXISTS,
			      "a wallet is never overwritten: use it, or choose another file with --wallet",
			      "%s", path);
		goto out;
	}
	if (!c.wallet && wl_make_parent(path) != 0) {
		rc = cli_fail(LP_ERR_IO, "check the permissions of your home directory",
			      "cannot create the directory for %s (%s)", path, strerror(errno));
		goto out;
	}
	cli_secret pass = { NULL, 0 };
	lp_err e = cli_passphrase_new(&c.pass, "New wallet passphrase: ", 8, &pass);
	if (e != LP_OK) {
		rc = cli_exit_code(e);
		goto out;
	}
	char *rec = sodium_malloc(LP_WALLET_RECOVERY_TEXT_SIZE);
	if (!rec) {
		cli_secret_free(&pass);
		rc = cli_fail(LP_ERR_NOMEM, NULL, "cannot allocate protected memory");
		goto out;
	}
	lp_wallet *w = NULL;
	lp_diag d;
	memset(&d, 0, sizeof d);
	if (!isatty(STDERR_FILENO) || c.pass.file || c.pass.fd >= 0)
		; /* no progress line for scripts */
	else
		fprintf(stderr, "Deriving the key from your passphrase (Argon2id, %llu MiB)...\n",
			(unsigned long long)(kdf.memlimit >> 20));
	e = lp_wallet_create(path, cli_secret_view(&pass), &kdf, rec, &w, &d);
	cli_secret_free(&pass);
	if (e != LP_OK) {
		rc = cli_fail(e, "nothing was written; check the path and free space",
			      "cannot create the wallet %s (%s)", path, d.msg[0] ? d.msg : lp_err_str(e));
		sodium_free(rec);
		goto out;
	}
	lp_wallet_close(w);
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "wallet", json_string(path));
		cli_json_set(o, "recovery_key", json_string(rec));
		rc = cli_json_print(o) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	} else {
		printf("Created your wallet: %s\n"
		       "\n"
		       "Your RECOVERY KEY (shown only this once; write it on paper now):\n"
		       "\n"
		       "    %s\n"
		       "\n"
		       "If you ever forget your passphrase, this key lets you set a new one:\n"
		       "    leerpas-wallet recover --recovery-key\n"
		       "Keep it somewhere safe and apart from this computer. Anyone who has it\n"
		       "and your wallet file can open your wallet.\n",
		       path, rec);
		rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	}
	sodium_free(rec);
out:
	wl_ctx_free(&c);
	return rc;
}
