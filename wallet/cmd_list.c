/* leerpas-wallet list and show: the credentials in the wallet, readable
 * (title, school, level, credits, date, status as last known), or one in
 * full with every claim it carries. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wallet_cli.h"

static const char list_help[] =
	"Usage: leerpas-wallet list [--json] [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"The credentials in your wallet: id, title, school, level, credits, date\n"
	"and status as last known.\n"
	"\n"
	"Options:\n" WL_COMMON_HELP "  --json                   machine-readable output\n";

static const char show_help[] =
	"Usage: leerpas-wallet show ID [--json] [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"One credential in full: every claim it carries, which claims are always\n"
	"shown to a verifier and which only when you choose, its copies and how\n"
	"often each was used. ID may be a unique beginning of the id.\n"
	"\n"
	"Options:\n" WL_COMMON_HELP "  --json                   machine-readable output\n";

static const char *status_name(int s)
{
	switch (s) {
	case LP_WALLET_STATUS_VALID:
		return "valid";
	case LP_WALLET_STATUS_REVOKED:
		return "revoked";
	case LP_WALLET_STATUS_SUSPENDED:
		return "suspended";
	default:
		return "not checked";
	}
}

/* Common option loop for list/show; returns -1 to go on, else exit code. */
static int parse(struct wl_ctx *c, int argc, char **argv, const char *help)
{
	static const struct option opts[] = { WL_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	int opt, rc;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h')
			return wl_help(help, true);
		if ((rc = wl_common_opt(c, opt, optarg)) != -1) {
			if (rc)
				return rc;
		} else {
			return cli_usage_error(c->cmd, "unexpected option");
		}
	}
	return -1;
}

/* A short text for a claim in a JSON object, or "" (malloc'd). */
static char *claim_text(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	if (!v)
		return strdup("");
	char *s = json_dumps(v, JSON_ENCODE_ANY);
	char *t = s ? wl_json_value_text(s) : NULL;
	free(s);
	return t ? t : strdup("");
}

/* Every claim of a credential (shown and redactable) as one JSON object. */
static json_t *all_claims(const lp_wallet_credinfo *ci)
{
	json_t *o = json_loads(ci->shown_json, 0, NULL);
	if (!o)
		o = json_object();
	for (size_t i = 0; i < ci->nredactable; i++) {
		json_t *v = json_loads(ci->redactable[i].json, JSON_DECODE_ANY, NULL);
		if (v)
			json_object_set_new(o, ci->redactable[i].name, v);
	}
	return o;
}

static size_t unused_copies(const lp_wallet_cred *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->ncopies; i++)
		n += c->copies[i].uses == 0;
	return n;
}

int cmd_list(int argc, char **argv)
{
	struct wl_ctx c;
	lp_wallet *w = NULL;
	wl_ctx_init(&c, "list", argv);
	int rc = parse(&c, argc, argv, list_help);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_ERROR;
	if (optind != argc) {
		rc = cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	json_t *arr = c.json ? json_array() : NULL;
	size_t n = lp_wallet_cred_count(w);
	if (!c.json && n == 0)
		printf("Your wallet is empty. Ask your school for a credential with\n"
		       "'leerpas-wallet request', then 'leerpas-wallet import FILE'.\n");
	for (size_t i = 0; i < n; i++) {
		const lp_wallet_cred *cr = lp_wallet_cred_at(w, i);
		lp_wallet_credinfo ci;
		json_t *claims = NULL;
		if (lp_wallet_inspect(cr->copies[0].sdcwt, &ci, NULL) == LP_OK) {
			claims = all_claims(&ci);
			lp_wallet_credinfo_free(&ci);
		} else {
			claims = json_object();
		}
		char *level = claim_text(claims, "eqfLevel");
		char *nlqf = claim_text(claims, "nqfLevel");
		char *ects = claim_text(claims, "creditPoint");
		char *hours = claim_text(claims, "workload");
		char *date = claim_text(claims, "awardingDate");
		if (c.json) {
			json_t *o = json_object();
			cli_json_set(o, "id", json_string(cr->id));
			cli_json_set(o, "title", json_string(cr->title));
			cli_json_set(o, "issuer", json_string(cr->issuer));
			cli_json_set(o, "type", json_string(cr->type));
			json_t *v;
			if ((v = json_object_get(claims, "eqfLevel")))
				cli_json_set(o, "eqfLevel", json_incref(v));
			if ((v = json_object_get(claims, "nqfLevel")))
				cli_json_set(o, "nqfLevel", json_incref(v));
			if ((v = json_object_get(claims, "creditPoint")))
				cli_json_set(o, "creditPoint", json_incref(v));
			if ((v = json_object_get(claims, "workload")))
				cli_json_set(o, "workload", json_incref(v));
			if ((v = json_object_get(claims, "awardingDate")))
				cli_json_set(o, "awardingDate", json_incref(v));
			cli_json_set(o, "status", json_string(status_name(cr->status)));
			cli_json_set(o, "copies", json_integer((json_int_t)cr->ncopies));
			cli_json_set(o, "unusedCopies", json_integer((json_int_t)unused_copies(cr)));
			json_array_append_new(arr, o);
		} else {
			printf("%s\n  %s\n  from %s\n", cr->id, cr->title, cr->issuer);
			if (*level || *nlqf)
				printf("  level: %s%s%s%s%s\n", *level ? "EQF " : "", level,
				       *level && *nlqf ? ", " : "", *nlqf ? "NLQF " : "", nlqf);
			if (*ects || *hours)
				printf("  credits: %s%s%s%s%s\n", ects, *ects ? " ECTS" : "",
				       *ects && *hours ? ", " : "", hours, *hours ? " hours" : "");
			if (*date)
				printf("  date: %s\n", date);
			printf("  status: %s; copies: %zu (%zu unused)\n", status_name(cr->status), cr->ncopies,
			       unused_copies(cr));
		}
		free(level);
		free(nlqf);
		free(ects);
		free(hours);
		free(date);
		json_decref(claims);
	}
	rc = c.json ? (cli_json_print(arr) ? CLI_EXIT_OK : CLI_EXIT_ERROR) : CLI_EXIT_OK;
out:
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}

int cmd_show(int argc, char **argv)
{
	struct wl_ctx c;
	lp_wallet *w = NULL;
	lp_wallet_credinfo ci;
	memset(&ci, 0, sizeof ci);
	wl_ctx_init(&c, "show", argv);
	int rc = parse(&c, argc, argv, show_help);
	if (rc >= 0)
		goto out;
	rc = CLI_EXIT_ERROR;
	if (optind + 1 != argc) {
		rc = cli_usage_error("show", "name one credential id ('leerpas-wallet list' shows them)");
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	const lp_wallet_cred *cr = wl_find_cred(w, argv[optind]);
	if (!cr) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	lp_diag d;
	memset(&d, 0, sizeof d);
	lp_err e = lp_wallet_inspect(cr->copies[0].sdcwt, &ci, &d);
	if (e != LP_OK) {
		rc = cli_fail(e, "remove it and import it again", "stored credential '%s' cannot be read (%s)",
			      cr->id, d.msg);
		goto out;
	}
	char t1[32], t2[32];
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "id", json_string(cr->id));
		cli_json_set(o, "title", json_string(cr->title));
		cli_json_set(o, "issuer", json_string(ci.iss));
		cli_json_set(o, "type", json_string(ci.vct));
		cli_json_set(o, "issued", json_string(cli_time_iso(ci.iat, t1)));
		if (ci.has_exp)
			cli_json_set(o, "expires", json_string(cli_time_iso(ci.exp, t2)));
		cli_json_set(o, "imported", json_string(cli_time_iso(cr->imported, t1)));
		cli_json_set(o, "status", json_string(status_name(cr->status)));
		json_t *shown = json_loads(ci.shown_json, 0, NULL);
		cli_json_set(o, "alwaysShown", shown ? shown : json_object());
		json_t *red = json_object();
		for (size_t i = 0; i < ci.nredactable; i++) {
			json_t *v = json_loads(ci.redactable[i].json, JSON_DECODE_ANY, NULL);
			if (v)
				json_object_set_new(red, ci.redactable[i].name, v);
		}
		cli_json_set(o, "youChoose", red);
		json_t *cp = json_array();
		for (size_t i = 0; i < cr->ncopies; i++) {
			json_t *x = json_object();
			cli_json_set(x, "uses", json_integer(cr->copies[i].uses));
			cli_json_set(x, "holderKey", cli_json_hex(cr->copies[i].holder_pk, LP_WALLET_PK_BYTES));
			json_array_append_new(cp, x);
		}
		cli_json_set(o, "copies", cp);
		rc = cli_json_print(o) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
		goto out;
	}
	printf("%s (%s)\n", cr->title, cr->id);
	printf("  School:   %s\n", ci.iss);
	if (ci.vct[0])
		printf("  Type:     %s\n", ci.vct);
	printf("  Issued:   %s\n", cli_time_iso(ci.iat, t1));
	printf("  Expires:  %s\n", ci.has_exp ? cli_time_iso(ci.exp, t2) : "never");
	printf("  Status:   %s\n", status_name(cr->status));
	printf("  Imported: %s\n", cli_time_iso(cr->imported, t1));
	printf("\nAlways shown to a verifier:\n");
	wl_print_claims(stdout, ci.shown_json, "  ");
	if (ci.nredactable) {
		printf("\nShown only when you choose (present --show NAME,...):\n");
		for (size_t i = 0; i < ci.nredactable; i++) {
			char *t = wl_json_value_text(ci.redactable[i].json);
			printf("  %s [%s]: %s\n", wl_claim_label(ci.redactable[i].name),
			       ci.redactable[i].name, t ? t : "?");
			free(t);
		}
	}
	printf("\nCopies: %zu\n", cr->ncopies);
	for (size_t i = 0; i < cr->ncopies; i++)
		printf("  copy %zu: used %u time%s\n", i + 1, cr->copies[i].uses,
		       cr->copies[i].uses == 1 ? "" : "s");
	rc = CLI_EXIT_OK;
out:
	lp_wallet_credinfo_free(&ci);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
