/* leerpas-issuer revoke|suspend|reinstate: change a credential's status in
 * the register. Revocation is final; a suspension can be lifted. Verifiers
 * learn of the change from the next published status list. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "issuer.h"
#include "leerpas/status.h"

static const char help_fmt[] =
	"Usage: leerpas-issuer %s --dir DIR CTI [--reason TEXT] [--json]\n"
	"\n"
	"revoke     mark the credential revoked (final: e.g. obtained by fraud)\n"
	"suspend    mark it suspended (e.g. under investigation)\n"
	"reinstate  lift a suspension\n"
	"\n"
	"CTI is the credential id from 'list' or 'show' (at least 8 hex digits of\n"
	"it are enough when unique). --reason is kept in the register (never\n"
	"published). Publish the status list afterwards ('status publish') so\n"
	"that verifiers learn of the change.\n";

enum { OPT_REASON = OPT_FIRST_OWN };

static const char *status_word(unsigned st)
{
	return st == LP_STATUS_INVALID ? "revoked" : st == LP_STATUS_SUSPENDED ? "suspended" : "valid";
}

int cmd_revoke(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS, { "reason", 1, NULL, OPT_REASON }, { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *verb = argv[0], *reason = NULL, *cti;
	unsigned target;
	issuer_store s;
	lp_reg_cred cred;
	bool bad = false;
	int opt, ret;
	lp_err rc;

	target = strcmp(verb, "revoke") == 0 ? LP_STATUS_INVALID
		 : strcmp(verb, "suspend") == 0 ? LP_STATUS_SUSPENDED
						 : LP_STATUS_VALID;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c.help = true;
		else if (common_option(&c, opt, optarg, verb, &bad))
			;
		else if (opt == OPT_REASON)
			reason = optarg;
		else
			return cli_usage_error(verb, "unknown option");
	}
	if (bad)
		return CLI_EXIT_ERROR;
	if (c.help) {
		printf(help_fmt, verb);
		return CLI_EXIT_OK;
	}
	if (optind + 1 != argc)
		return cli_usage_error(verb, "give exactly one CTI (see 'leerpas-issuer list')");
	if (!need_dir(&c, verb))
		return CLI_EXIT_ERROR;
	if (reason && strlen(reason) > LP_REG_REASON_MAX)
		return cli_usage_error(verb, "--reason is longer than %d characters", LP_REG_REASON_MAX);
	cti = argv[optind];
	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	ret = CLI_EXIT_ERROR;
	rc = lp_register_begin(s.reg);
	if (rc != LP_OK) {
		if (rc == LP_ERR_LOCKED)
			cli_error("wait for the other leerpas-issuer command to finish and try again",
				  "the register is locked by another process");
		else
			cli_fail(rc, "try again", "cannot change the register");
		goto out;
	}
	rc = lp_register_cred_get(s.reg, cti, &cred);
	if (rc != LP_OK) {
		lp_register_rollback(s.reg);
		if (rc == LP_ERR_NOT_FOUND)
			cli_error("check the id with 'leerpas-issuer list'", "no credential %s in this register", cti);
		else if (rc == LP_ERR_ARG)
			cli_error("give the full credential id, or a longer unique part of it (hex)",
				  "'%s' is not a credential id or matches several", cti);
		else
			cli_fail(rc, "try again", "cannot read the register");
		goto out;
	}
	if (cred.status == target) {
		lp_register_rollback(s.reg);
		if (c.json) {
			json_t *o = json_object();
			cli_json_set(o, "cti", json_string(cred.cti));
			cli_json_set(o, "status", json_string(status_word(target)));
			cli_json_set(o, "changed", json_false());
			cli_json_print(o);
		} else {
			printf("Credential %s is already %s; nothing changed\n", cred.cti, status_word(target));
		}
		ret = CLI_EXIT_OK;
		goto out;
	}
	if (cred.status == LP_STATUS_INVALID) {
		lp_register_rollback(s.reg);
		cli_error("issue a new credential if the learner is entitled to one",
			  "credential %s is revoked; revocation is final", cred.cti);
		ret = CLI_EXIT_FAIL;
		goto out;
	}
	if (target == LP_STATUS_VALID && cred.status != LP_STATUS_SUSPENDED) {
		lp_register_rollback(s.reg);
		cli_error("only a suspended credential can be reinstated", "credential %s is not suspended", cred.cti);
		ret = CLI_EXIT_FAIL;
		goto out;
	}
	rc = lp_register_cred_set_status(s.reg, cred.cti, target, reason, issuer_now());
	if (rc == LP_OK)
		rc = lp_register_commit(s.reg);
	else
		lp_register_rollback(s.reg);
	if (rc != LP_OK) {
		cli_fail(rc, "nothing was changed; try again", "cannot record the new status");
		goto out;
	}
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "cti", json_string(cred.cti));
		cli_json_set(o, "learner", json_string(cred.learner));
		cli_json_set(o, "status", json_string(status_word(target)));
		cli_json_set(o, "previous", json_string(status_word(cred.status)));
		cli_json_set(o, "reason", reason ? json_string(reason) : json_null());
		cli_json_set(o, "changed", json_true());
		cli_json_print(o);
	} else {
		printf("Credential %s (%s, %s) is now %s\n", cred.cti, cred.tmpl, cred.learner, status_word(target));
		printf("Publish it: leerpas-issuer status publish --dir %s --out FILE\n", c.dir);
	}
	ret = CLI_EXIT_OK;
out:
	store_close(&s);
	return ret;
}
