/* leerpas-verifier: an employer checks a learner's credential offline.
 * This file only reads the command word and dispatches; each command is in
 * its own cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vf.h"

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier COMMAND [options]\n"
	      "\n"
	      "Check a learner's credential offline: genuine, unrevoked, issued by a\n"
	      "recognised school, presented by its holder, fresh; and what it says.\n"
	      "\n"
	      "commands:\n"
	      "  verify [TEXT | --image FILE | -]   check a presentation (LP1: text or a QR photo)\n"
	      "  challenge                          make a one-time challenge for a learner to answer\n"
	      "  trust anchor add KEYFILE           accept trust lists signed by this accreditation body\n"
	      "  trust import LIST                  import a signed trust list of recognised schools\n"
	      "  trust pin ISSUER.json              recognise one school directly\n"
	      "  trust list                         show anchors, lists and recognised schools\n"
	      "  status import FILE                 cache a school's published status list\n"
	      "  status list                        show the cached status lists and their age\n"
	      "  spec import FILE...                cache schools' achievement specifications\n"
	      "  spec list                          show the cached specifications\n"
	      "  inspect INPUT [--key KEY]          decode any LP1:/HC1: text, CBOR or hex (support)\n"
	      "\n"
	      "Every command takes --store DIR (default $XDG_DATA_HOME/leerpas/verifier)\n"
	      "and --help. The verifier never opens a network connection.\n"
	      "Exit status: 0 valid/ok, 1 invalid or refused, 2 usage or I/O error.\n"
	      "See leerpas-verifier(1) and docs/verifier.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	cli_set_progname("leerpas-verifier");
	if (lp_init() != LP_OK) {
		cli_error(NULL, "cannot initialise the crypto library");
		return CLI_EXIT_ERROR;
	}
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (cli_is_help(cmd) || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("leerpas-verifier 0.1.0");
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "verify") == 0)
		return vf_cmd_verify(argc - 1, argv + 1);
	if (strcmp(cmd, "challenge") == 0)
		return vf_cmd_challenge(argc - 1, argv + 1);
	if (strcmp(cmd, "trust") == 0)
		return vf_cmd_trust(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return vf_cmd_status(argc - 1, argv + 1);
	if (strcmp(cmd, "spec") == 0)
		return vf_cmd_spec(argc - 1, argv + 1);
	if (strcmp(cmd, "inspect") == 0)
		return vf_cmd_inspect(argc - 1, argv + 1);
	usage(stderr);
	return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
