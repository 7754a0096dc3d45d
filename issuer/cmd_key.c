/* leerpas-issuer key rotate|list: a new signing key under the same
 * passphrase; the old one is retired (valid_until = now) but never deleted,
 * so what it signed keeps verifying through the exported description. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "issuer.h"

static const char help[] =
	"Usage: leerpas-issuer key rotate --dir DIR [--passphrase-file F] [--json]\n"
	"       leerpas-issuer key list --dir DIR [--json]\n"
	"\n"
	"rotate  make a new signing key (encrypted with the same passphrase) and\n"
	"        retire the current one: it stays in the store and in 'export' with\n"
	"        its end date, so credentials it signed still verify. Run 'export'\n"
	"        afterwards and give the new description to your trust anchor.\n"
	"list    the keys with their validity periods.\n";

static int list_keys(issuer_common *c)
{
	issuer_store s;
	lp_reg_key *keys = NULL;
	size_t n = 0;
	char b1[32], b2[32];
	int ret;
	lp_err rc;

	if ((ret = store_open(&s, c->dir)) != CLI_EXIT_OK)
		return ret;
	rc = lp_register_keys(s.reg, &keys, &n);
	store_close(&s);
	if (rc != LP_OK)
		return cli_fail(rc, "try again", "cannot read the keys from the register");
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();
			char pk[65];
			issuer_hex(pk, keys[i].pk, 32);
			cli_json_set(o, "kid", json_string(keys[i].kid));
			cli_json_set(o, "public_key", json_string(pk));
			cli_json_set(o, "valid_from", json_string(cli_time_iso(keys[i].valid_from, b1)));
			cli_json_set(o, "valid_until",
				     keys[i].valid_until ? json_string(cli_time_iso(keys[i].valid_until, b2)) : json_null());
			json_array_append_new(arr, o);
		}
		cli_json_print(arr);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%-20s from %s  %s%s\n", keys[i].kid, cli_time_iso(keys[i].valid_from, b1),
			       keys[i].valid_until ? "until " : "current",
			       keys[i].valid_until ? cli_time_iso(keys[i].valid_until, b2) : "");
	}
	free(keys);
	return CLI_EXIT_OK;
}

static int rotate(issuer_common *c)
{
	issuer_store s;
	lp_reg_key cur, nk;
	lp_signkey old, fresh;
	cli_secret pass = { NULL, 0 };
	char prompt[300], keypath[ISSUER_PATH_MAX] = "", b[32];
	int ret;
	lp_err rc;
	int64_t now = issuer_now();

	memset(&old, 0, sizeof old);
	memset(&fresh, 0, sizeof fresh);
	if ((ret = store_open(&s, c->dir)) != CLI_EXIT_OK)
		return ret;
	ret = CLI_EXIT_ERROR;
	rc = lp_register_key_current(s.reg, &cur);
	if (rc != LP_OK) {
		cli_fail(rc, "restore the register from a backup", "the register names no current signing key");
		goto out;
	}
	snprintf(prompt, sizeof prompt, "Passphrase for %s's signing key: ", s.name);
	if (cli_passphrase_get(&c->pass, prompt, &pass) != LP_OK)
		goto out;
	rc = store_open_keyfile(&s, &cur, &pass, &old, true);
	if (rc != LP_OK) {
		ret = rc == LP_ERR_PASSPHRASE || rc == LP_ERR_INTEGRITY ? CLI_EXIT_FAIL : CLI_EXIT_ERROR;
		goto out;
	}
	memset(&nk, 0, sizeof nk);
	do
		store_new_kid(nk.kid, now);
	while (strcmp(nk.kid, cur.kid) == 0);
	rc = lp_signkey_generate(nk.kid, &fresh);
	if (rc != LP_OK) {
		cli_fail(rc, "try again", "cannot generate a signing key");
		goto out;
	}
	snprintf(nk.secret_file, sizeof nk.secret_file, "%s.key", nk.kid);
	memcpy(nk.pk, fresh.pk, sizeof nk.pk);
	nk.valid_from = now;
	if (!store_path(keypath, sizeof keypath, s.dir, ISSUER_KEYS, nk.secret_file))
		goto out;
	rc = lp_keyfile_write(keypath, &fresh, cli_secret_view(&pass), &s.kdf);
	if (rc != LP_OK) {
		cli_fail(rc, "check free space and permissions (nothing was changed)", "cannot write the new key file '%s'",
			 keypath);
		keypath[0] = '\0';
		goto out;
	}
	rc = lp_register_begin(s.reg);
	if (rc == LP_OK)
		rc = lp_register_key_retire(s.reg, cur.kid, now);
	if (rc == LP_OK)
		rc = lp_register_key_add(s.reg, &nk);
	if (rc == LP_OK)
		rc = lp_register_commit(s.reg);
	else
		lp_register_rollback(s.reg);
	if (rc != LP_OK) {
		unlink(keypath);
		cli_fail(rc, rc == LP_ERR_LOCKED ? "wait for the other command to finish and try again (nothing was changed)"
						 : "nothing was changed; try again",
			 "cannot record the new key in the register");
		goto out;
	}
	if (c->json) {
		json_t *o = json_object();
		char pk[65];
		issuer_hex(pk, fresh.pk, 32);
		cli_json_set(o, "retired", json_string(cur.kid));
		cli_json_set(o, "retired_until", json_string(cli_time_iso(now, b)));
		cli_json_set(o, "kid", json_string(nk.kid));
		cli_json_set(o, "public_key", json_string(pk));
		cli_json_set(o, "valid_from", json_string(cli_time_iso(now, b)));
		cli_json_print(o);
	} else {
		printf("New signing key %s; key %s retired at %s (kept: what it signed still verifies)\n", nk.kid,
		       cur.kid, cli_time_iso(now, b));
		printf("Next: leerpas-issuer export --dir %s --out ISSUER.json, and send it to your trust anchor\n",
		       c->dir);
	}
	ret = CLI_EXIT_OK;
out:
	cli_secret_free(&pass);
	lp_signkey_free(&old);
	lp_signkey_free(&fresh);
	store_close(&s);
	return ret;
}

int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS, { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *sub;
	bool bad = false;
	int opt;

	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c.help = true;
		else if (!common_option(&c, opt, optarg, "key", &bad))
			return cli_usage_error("key", "unknown option");
	}
	int opts_exit = options_done(&c, "key", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (strcmp(sub, "rotate") == 0)
		return rotate(&c);
	if (strcmp(sub, "list") == 0)
		return list_keys(&c);
	return cli_usage_error("key", "unknown subcommand '%s' (use rotate or list)", sub);
}
