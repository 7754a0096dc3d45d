/* leerpas-wallet backup and restore: a backup is the wallet file itself,
 * encrypted as on disk; restoring checks that it opens before anything is
 * replaced, and keeps the replaced wallet as FILE.prev. */
#include <string.h>
#include <unistd.h>

#include "wallet_cli.h"

static const char backup_help[] =
	"Usage: leerpas-wallet backup --out FILE [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Write an encrypted copy of your wallet to FILE (never overwriting one).\n"
	"It opens with your current passphrase, and with your recovery key. Keep it\n"
	"somewhere else than this computer: a USB stick, another device.\n"
	"\n"
	"Options:\n"
	"  --out FILE               where to write the backup (required)\n" WL_COMMON_HELP;

static const char restore_help[] =
	"Usage: leerpas-wallet restore BACKUP [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Put the backup BACKUP in place as your wallet. The passphrase asked is the\n"
	"one the wallet had when the backup was made; the backup is checked to open\n"
	"with it before anything is replaced. A wallet that was there is kept as\n"
	"FILE.prev. Also brings back FILE.prev itself after damage.\n"
	"\n"
	"Options:\n" WL_COMMON_HELP;

enum { OPT_OUT = WL_OPT_FIRST_OWN };

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "out", required_argument, NULL, OPT_OUT },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	lp_wallet *w = NULL;
	const char *out = NULL;
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "backup", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(backup_help, true);
			goto out;
		} else if (opt == OPT_OUT) {
			out = optarg;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("backup", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind != argc) {
		rc = cli_usage_error("backup", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!out || !*out) {
		rc = cli_usage_error("backup", "--out FILE is required");
		goto out;
	}
	if (access(out, F_OK) == 0) {
		rc = cli_fail(LP_ERR_EXISTS, "choose a new file name; a backup is never overwritten", "%s", out);
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	lp_err e = lp_wallet_backup(w, out);
	if (e != LP_OK) {
		rc = cli_fail(e, "check the path, the free space and the permissions",
			      "cannot write the backup %s", out);
		goto out;
	}
	printf("Wrote an encrypted backup of %s to %s.\n"
	       "It opens with your current passphrase or your recovery key.\n"
	       "Restore it with: leerpas-wallet restore %s\n",
	       lp_wallet_path(w), out, out);
	rc = CLI_EXIT_OK;
out:
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = { WL_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct wl_ctx c;
	cli_secret pass = { NULL, 0 };
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "restore", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(restore_help, true);
			goto out;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("restore", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind + 1 != argc) {
		rc = cli_usage_error("restore", "name the backup file to restore");
		goto out;
	}
	const char *backup = argv[optind];
	const char *path = wl_path(&c);
	if (!path)
		goto out;
	if (access(backup, R_OK) != 0) {
		rc = cli_fail(LP_ERR_NOT_FOUND, "check the name of the backup file", "cannot read %s", backup);
		goto out;
	}
	if (!c.wallet && wl_make_parent(path) != 0) {
		rc = cli_fail(LP_ERR_IO, "check the permissions of your home directory",
			      "cannot create the directory for %s", path);
		goto out;
	}
	lp_err e = cli_passphrase_get(&c.pass, "Passphrase of the backup: ", &pass);
	if (e != LP_OK) {
		rc = cli_exit_code(e);
		goto out;
	}
	lp_diag d;
	memset(&d, 0, sizeof d);
	e = lp_wallet_restore(path, backup, cli_secret_view(&pass), &d);
	if (e != LP_OK) {
		if (e == LP_ERR_PASSPHRASE || e == LP_ERR_INTEGRITY || e == LP_ERR_MALFORMED ||
		    e == LP_ERR_VERSION)
			rc = cli_fail(e, "nothing was replaced; give the passphrase the wallet had when the "
					 "backup was made, or another backup",
				      "the backup %s does not open (%s)", backup, d.msg);
		else
			rc = cli_fail(e, "nothing was replaced; check the free space and permissions",
				      "cannot restore to %s (%s)", path, d.msg);
		goto out;
	}
	char prev[4096];
	snprintf(prev, sizeof prev, "%s.prev", path);
	printf("Restored %s from %s.\n", path, backup);
	if (access(prev, F_OK) == 0)
		printf("The wallet that was there before is kept as %s.\n", prev);
	rc = CLI_EXIT_OK;
out:
	cli_secret_free(&pass);
	wl_ctx_free(&c);
	return rc;
}
