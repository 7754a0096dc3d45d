/* leerpas-issuer status publish: build the Token Status List from the
 * register (2 bits per entry: valid, revoked, suspended) and sign it with
 * the current key, with a time to live and an expiry, for verifiers to
 * fetch in bulk and cache. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuer.h"
#include "leerpas/status.h"

static const char help[] =
	"Usage: leerpas-issuer status publish --dir DIR --out FILE [options]\n"
	"\n"
	"Write the signed status list (Token Status List CWT) that verifiers\n"
	"cache. Publish it at the store's status URI after every revocation,\n"
	"suspension or reinstatement, and at least once per --valid-days.\n"
	"\n"
	"  --out FILE            the status list file (replaced atomically)\n"
	"  --ttl SECONDS         how long verifiers may cache it (default 86400)\n"
	"  --valid-days N        it expires after N days (default 7)\n"
	"  --passphrase-file F, --passphrase-fd N   the signing key's passphrase\n"
	"  --json                print a summary as JSON\n";

enum { OPT_OUT = OPT_FIRST_OWN, OPT_TTL, OPT_VALID_DAYS };

/* Round the list up so that its length says little about how many
 * credentials were issued. */
#define LIST_GRANULE 4096u

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "out", 1, NULL, OPT_OUT },
					      { "ttl", 1, NULL, OPT_TTL },
					      { "valid-days", 1, NULL, OPT_VALID_DAYS },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *out_path = NULL;
	long long ttl = 86400, days = 7;
	issuer_store s;
	lp_signkey key;
	lp_status_list list;
	lp_status_token_params tp;
	lp_buf tok = { NULL, 0 };
	uint64_t creds = 0, size = 0, *idx = NULL;
	unsigned *st = NULL;
	size_t n = 0, revoked = 0, suspended = 0;
	bool bad = false;
	int opt, ret;
	lp_err rc;
	char *end, buf1[32], buf2[32];
	int64_t now;

	memset(&key, 0, sizeof key);
	memset(&list, 0, sizeof list);
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "publish") != 0)
		return cli_usage_error("status", "unknown subcommand '%s' (use publish)", argv[1]);
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c.help = true;
		else if (common_option(&c, opt, optarg, "status", &bad))
			;
		else if (opt == OPT_OUT)
			out_path = optarg;
		else if (opt == OPT_TTL || opt == OPT_VALID_DAYS) {
			long long v = strtoll(optarg, &end, 10);
			if (*end || v < 1 || v > 3650LL * 86400)
				return cli_usage_error("status", "%s needs a positive number",
						       opt == OPT_TTL ? "--ttl" : "--valid-days");
			if (opt == OPT_TTL)
				ttl = v;
			else
				days = v;
		} else
			return cli_usage_error("status", "unknown option");
	}
	int opts_exit = options_done(&c, "status", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (!out_path)
		return cli_usage_error("status", "--out FILE is required");
	if (days > 3650)
		return cli_usage_error("status", "--valid-days is at most 3650");
	if (ttl > days * 86400)
		return cli_usage_error("status", "--ttl is longer than the list is valid (--valid-days)");

	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	ret = CLI_EXIT_ERROR;
	rc = lp_register_counts(s.reg, &creds, &size);
	if (rc == LP_OK)
		rc = lp_register_nonvalid(s.reg, &idx, &st, &n);
	if (rc != LP_OK) {
		cli_fail(rc, rc == LP_ERR_LOCKED ? "wait for the other command to finish and try again" : "try again",
			 "cannot read the register");
		goto out;
	}
	size = (size + LIST_GRANULE - 1) / LIST_GRANULE * LIST_GRANULE;
	if (size == 0)
		size = LIST_GRANULE;
	rc = lp_status_list_create(&list, (size_t)size, 2);
	for (size_t i = 0; rc == LP_OK && i < n; i++) {
		rc = lp_status_list_set(&list, (size_t)idx[i], st[i]);
		revoked += st[i] == LP_STATUS_INVALID;
		suspended += st[i] == LP_STATUS_SUSPENDED;
	}
	if (rc != LP_OK) {
		cli_fail(rc, "restore the register from a backup", "cannot build the status list");
		goto out;
	}
	if ((ret = store_load_key(&s, &c.pass, &key)) != CLI_EXIT_OK)
		goto out;
	ret = CLI_EXIT_ERROR;
	now = issuer_now();
	memset(&tp, 0, sizeof tp);
	tp.uri = s.status_uri;
	tp.iat = now;
	tp.exp = now + days * 86400;
	tp.ttl = ttl;
	tp.kid = (const uint8_t *)key.kid;
	tp.kid_len = strlen(key.kid);
	rc = lp_status_token_sign(&list, &tp, key.sk, &tok);
	if (rc != LP_OK) {
		cli_fail(rc, "try again", "cannot sign the status list");
		goto out;
	}
	if (cli_write_file(out_path, lp_buf_view(&tok), 0644, false, "status list") != LP_OK)
		goto out;
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "out", json_string(out_path));
		cli_json_set(o, "uri", json_string(s.status_uri));
		cli_json_set(o, "kid", json_string(key.kid));
		cli_json_set(o, "entries", json_integer((json_int_t)size));
		cli_json_set(o, "credentials", json_integer((json_int_t)creds));
		cli_json_set(o, "revoked", json_integer((json_int_t)revoked));
		cli_json_set(o, "suspended", json_integer((json_int_t)suspended));
		cli_json_set(o, "iat", json_string(cli_time_iso(tp.iat, buf1)));
		cli_json_set(o, "exp", json_string(cli_time_iso(tp.exp, buf2)));
		cli_json_set(o, "ttl", json_integer((json_int_t)ttl));
		cli_json_set(o, "bytes", json_integer((json_int_t)tok.len));
		cli_json_print(o);
	} else {
		printf("Status list written to %s (%zu bytes): %llu credentials, %zu revoked, %zu suspended\n", out_path,
		       tok.len, (unsigned long long)creds, revoked, suspended);
		printf("Valid until %s, cache for %lld s. Publish it at %s\n", cli_time_iso(tp.exp, buf2), ttl,
		       s.status_uri);
	}
	ret = CLI_EXIT_OK;
out:
	free(idx);
	free(st);
	lp_buf_free(&tok);
	lp_status_list_free(&list);
	lp_signkey_free(&key);
	store_close(&s);
	return ret;
}
