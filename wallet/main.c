/* leerpas-wallet: the learner's own encrypted wallet. This file parses the
 * command word and dispatches; each command lives in its own cmd_*.c. */
#include <signal.h>
#include <string.h>

#include "wallet_cli.h"

static const char usage_text[] =
	"Usage: leerpas-wallet COMMAND [options]\n"
	"\n"
	"Your own wallet for the credentials your schools give you: diplomas,\n"
	"certificates, microcredentials. It is one encrypted file that only your\n"
	"passphrase (or your recovery key) opens. You decide, each time, what a\n"
	"verifier gets to see. Nothing is sent anywhere.\n"
	"\n"
	"Commands:\n"
	"  init       create a new wallet (prints the recovery key once)\n"
	"  request    make holder keys and a request to give your school\n"
	"  import     check a credential from your school and store it\n"
	"  list       the credentials in your wallet\n"
	"  show       one credential in full\n"
	"  present    show chosen claims of a credential as a QR code or text\n"
	"  log        every presentation you made: when, to whom, what\n"
	"  export     your data as open JSON (European Learning Model / Open Badges)\n"
	"  backup     write an encrypted copy of the wallet\n"
	"  restore    put a backup back in place\n"
	"  recover    set a new passphrase with your recovery key\n"
	"  passwd     change the passphrase\n"
	"  remove     delete a credential from the wallet\n"
	"  status     record valid/revoked/suspended from a school's status list\n"
	"  route      your learning route: progress toward qualifications, history\n"
	"\n"
	"Every command takes --help. The passphrase is asked on the terminal with\n"
	"echo off, or read with --passphrase-file F / --passphrase-fd N (scripts);\n"
	"it is never given on the command line. Exit status: 0 ok, 1 refused\n"
	"(wrong passphrase, a credential that does not check out), 2 usage, input,\n"
	"I/O or internal error. See leerpas-wallet(1) and docs/wallet.md.\n";

int cmd_route(int argc, char **argv); /* cmd_route.c: the learning route */

struct command {
	const char *name;
	wl_cmd_fn fn;
};

static const struct command commands[] = {
	{ "init", cmd_init },       { "request", cmd_request }, { "import", cmd_import },
	{ "list", cmd_list },       { "show", cmd_show },       { "present", cmd_present },
	{ "log", cmd_log },         { "export", cmd_export },   { "backup", cmd_backup },
	{ "restore", cmd_restore }, { "recover", cmd_recover }, { "passwd", cmd_passwd },
	{ "remove", cmd_remove },   { "status", cmd_status },   { "route", cmd_route },
};

int main(int argc, char **argv)
{
	cli_set_progname("leerpas-wallet");
	if (argc < 2) {
		fputs(usage_text, stderr);
		return CLI_EXIT_ERROR;
	}
	if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("leerpas-wallet 0.1.0");
		return CLI_EXIT_OK;
	}
	if (lp_init() != LP_OK) {
		cli_error("reinstall libsodium", "cannot initialise the crypto library");
		return CLI_EXIT_ERROR;
	}
	/* The wallet holds keys: no core dumps, no ptrace by other processes. */
	if (!cli_harden())
		cli_warn("could not disable core dumps; secrets could end up in a core file");
	/* A full disk must give an error we report, not a killed process. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
