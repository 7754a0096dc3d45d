/* leerpas-issuer: a school issues, registers, revokes and rotates. This
 * file only parses the command word and dispatches; each command lives in
 * its own file (cmd_*.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "issuer.h"

static const char usage_text[] =
	"Usage: leerpas-issuer COMMAND [options]\n"
	"\n"
	"A school's credential office: issue signed microcredentials, certificates\n"
	"and diplomas, keep a register, revoke, publish status, rotate keys.\n"
	"\n"
	"Commands:\n"
	"  init          create the school's store (signing key, register)\n"
	"  template      add or list credential templates\n"
	"  issue         issue one credential to one learner\n"
	"  issue-batch   issue credentials to a class from a CSV file\n"
	"  compose       issue a certificate or diploma composed of presented modules\n"
	"  revoke        revoke a credential (final)\n"
	"  suspend       suspend a credential (can be reinstated)\n"
	"  reinstate     lift a suspension\n"
	"  status        publish the signed status list for verifiers\n"
	"  key           rotate the signing key\n"
	"  export        write the school's public description (for verifiers, trust lists)\n"
	"  list          what was issued, to whom, when, its status\n"
	"  show          one credential from the register\n"
	"  trustlist     (accreditation body) keep and sign the list of recognised schools\n"
	"\n"
	"Every command takes --help. Secrets are never given on the command line:\n"
	"the passphrase is asked on the terminal, or read with --passphrase-file F\n"
	"or --passphrase-fd N. Exit status: 0 ok, 1 refused (verification or\n"
	"policy), 2 usage, input, I/O or internal error. See leerpas-issuer(1).\n";

struct command {
	const char *name;
	issuer_cmd_fn fn;
	bool secrets; /* holds a signing key: harden the process */
};

static const struct command commands[] = {
	{ "init", cmd_init, true },
	{ "template", cmd_template, false },
	{ "issue", cmd_issue, true },
	{ "issue-batch", cmd_issue_batch, true },
	{ "compose", cmd_compose, true },
	{ "revoke", cmd_revoke, false },
	{ "suspend", cmd_revoke, false },
	{ "reinstate", cmd_revoke, false },
	{ "status", cmd_status, true },
	{ "key", cmd_key, true },
	{ "export", cmd_export, false },
	{ "list", cmd_list, false },
	{ "show", cmd_show, false },
	{ "trustlist", cmd_trustlist, true },
};

int main(int argc, char **argv)
{
	cli_set_progname("leerpas-issuer");
	if (argc < 2) {
		fputs(usage_text, stderr);
		return CLI_EXIT_ERROR;
	}
	if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("leerpas-issuer 0.1.0");
		return CLI_EXIT_OK;
	}
	/* libsodium's own ChaCha20-based generator, seeded from the kernel:
	 * the default asks the kernel (getrandom) for every salt and id, which
	 * cost a third of batch issuance's time. Still libsodium's CSPRNG,
	 * still behind lp_random(); must be chosen before sodium_init(). This
	 * program never forks, the one case where it would need a reseed. */
	randombytes_set_implementation(&randombytes_internal_implementation);
	if (lp_init() != LP_OK) {
		cli_error("reinstall libsodium", "cannot initialise the crypto library");
		return CLI_EXIT_ERROR;
	}
	/* A full disk or a file-size limit must give an error we can report,
	 * not kill the process halfway (SIGXFSZ's default action). */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].secrets && !cli_harden())
			cli_warn("could not disable core dumps; secrets could end up in a core file");
		return commands[i].fn(argc - 1, argv + 1);
	}
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
