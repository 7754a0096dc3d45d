/* leerpas-issuer list and show: what was issued, to whom (the register's
 * learner reference), when, with which key, and its status. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "issuer.h"
#include "leerpas/status.h"

static const char list_help[] =
	"Usage: leerpas-issuer list --dir DIR [--learner REF] [--template NAME] [--json]\n"
	"\n"
	"Every credential in the register: id (cti), template, learner, issue\n"
	"time, key, status. --learner and --template narrow the list.\n";

static const char show_help[] =
	"Usage: leerpas-issuer show --dir DIR CTI [--json]\n"
	"\n"
	"One credential from the register: template, learner, when, key, status\n"
	"entry, status with the reason and time of its last change, holder key.\n"
	"CTI may be a unique prefix of at least 8 hex digits.\n";

enum { OPT_LEARNER = OPT_FIRST_OWN, OPT_TEMPLATE };

static const char *status_word(unsigned st)
{
	return st == LP_STATUS_INVALID ? "revoked" : st == LP_STATUS_SUSPENDED ? "suspended" : "valid";
}

static json_t *cred_json(const lp_reg_cred *c)
{
	json_t *o = json_object();
	char b[32];
	cli_json_set(o, "cti", json_string(c->cti));
	cli_json_set(o, "template", json_string(c->tmpl));
	cli_json_set(o, "learner", json_string(c->learner));
	cli_json_set(o, "issued_at", json_string(cli_time_iso(c->issued_at, b)));
	cli_json_set(o, "kid", json_string(c->kid));
	cli_json_set(o, "status_idx", json_integer((json_int_t)c->status_idx));
	cli_json_set(o, "status", json_string(status_word(c->status)));
	cli_json_set(o, "reason", c->reason[0] ? json_string(c->reason) : json_null());
	cli_json_set(o, "changed_at", c->changed_at ? json_string(cli_time_iso(c->changed_at, b)) : json_null());
	cli_json_set(o, "holder", c->holder[0] ? json_string(c->holder) : json_null());
	cli_json_set(o, "batch", json_boolean(c->batch_key[0] != '\0'));
	return o;
}

struct list_ctx {
	const char *learner, *tmpl;
	json_t *arr;
	size_t count;
};

static bool visit(void *ctx, const lp_reg_cred *c)
{
	struct list_ctx *l = ctx;
	char b[32];
	if (l->learner && strcmp(l->learner, c->learner) != 0)
		return true;
	if (l->tmpl && strcmp(l->tmpl, c->tmpl) != 0)
		return true;
	l->count++;
	if (l->arr)
		json_array_append_new(l->arr, cred_json(c));
	else
		printf("%s  %-18s %-14s %s  %-18s %s\n", c->cti, c->tmpl, c->learner, cli_time_iso(c->issued_at, b),
		       c->kid, status_word(c->status));
	return true;
}

static int parse(int argc, char **argv, issuer_common *c, const char **learner, const char **tmpl, const char *cmd,
		 const char *help)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "learner", 1, NULL, OPT_LEARNER },
					      { "template", 1, NULL, OPT_TEMPLATE },
					      { 0, 0, 0, 0 } };
	bool bad = false;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c->help = true;
		else if (common_option(c, opt, optarg, cmd, &bad))
			;
		else if (opt == OPT_LEARNER && learner)
			*learner = optarg;
		else if (opt == OPT_TEMPLATE && tmpl)
			*tmpl = optarg;
		else
			return cli_usage_error(cmd, "unknown option");
	}
	if (bad)
		return CLI_EXIT_ERROR;
	if (c->help) {
		fputs(help, stdout);
		return -1;
	}
	if (!need_dir(c, cmd))
		return CLI_EXIT_ERROR;
	return CLI_EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	struct list_ctx l = { NULL, NULL, NULL, 0 };
	issuer_store s;
	int ret = parse(argc, argv, &c, &l.learner, &l.tmpl, "list", list_help);
	lp_err rc;

	if (ret != CLI_EXIT_OK)
		return ret < 0 ? CLI_EXIT_OK : ret;
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	if (c.json)
		l.arr = json_array();
	rc = lp_register_cred_foreach(s.reg, visit, &l);
	store_close(&s);
	if (rc != LP_OK) {
		json_decref(l.arr);
		return cli_fail(rc, rc == LP_ERR_LOCKED ? "wait for the other command to finish and try again" : "try again",
				"cannot read the register");
	}
	if (c.json)
		cli_json_print(l.arr);
	else if (l.count == 0)
		printf("No credentials%s.\n", l.learner || l.tmpl ? " match" : " issued yet");
	return CLI_EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	issuer_store s;
	lp_reg_cred cred;
	char b[32];
	int ret = parse(argc, argv, &c, NULL, NULL, "show", show_help);
	lp_err rc;

	if (ret != CLI_EXIT_OK)
		return ret < 0 ? CLI_EXIT_OK : ret;
	if (optind + 1 != argc)
		return cli_usage_error("show", "give exactly one CTI (see 'leerpas-issuer list')");
	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	rc = lp_register_cred_get(s.reg, argv[optind], &cred);
	store_close(&s);
	if (rc == LP_ERR_NOT_FOUND) {
		cli_error("check the id with 'leerpas-issuer list'", "no credential %s in this register", argv[optind]);
		return CLI_EXIT_ERROR;
	}
	if (rc == LP_ERR_ARG) {
		cli_error("give the full credential id, or a longer unique part of it (hex)",
			  "'%s' is not a credential id or matches several", argv[optind]);
		return CLI_EXIT_ERROR;
	}
	if (rc != LP_OK)
		return cli_fail(rc, "try again", "cannot read the register");
	if (c.json)
		return cli_json_print(cred_json(&cred)) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	printf("cti:          %s\n", cred.cti);
	printf("template:     %s\n", cred.tmpl);
	printf("learner:      %s\n", cred.learner);
	printf("issued at:    %s\n", cli_time_iso(cred.issued_at, b));
	printf("signing key:  %s\n", cred.kid);
	printf("status entry: %llu\n", (unsigned long long)cred.status_idx);
	printf("status:       %s", status_word(cred.status));
	if (cred.changed_at)
		printf(" (since %s%s%s)", cli_time_iso(cred.changed_at, b), cred.reason[0] ? ": " : "", cred.reason);
	printf("\nholder key:   %s\n", cred.holder[0] ? cred.holder : "none (unbound)");
	if (cred.batch_key[0])
		printf("issued in a batch\n");
	return CLI_EXIT_OK;
}
