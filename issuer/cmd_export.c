/* leerpas-issuer export: the school's public description (id, name,
 * country, every key with its validity period, credential types from the
 * templates, schools merged into it) as JSON, for verifiers to pin and for a
 * trust anchor to list. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuer.h"
#include "leerpas/trust.h"

static const char help[] =
	"Usage: leerpas-issuer export --dir DIR --out ISSUER.json [--predecessor FILE]...\n"
	"\n"
	"Write the school's public description: id, name, country, every signing\n"
	"key (retired ones with their end date) and the credential types of its\n"
	"templates. Give it to your trust anchor ('trustlist add') or to\n"
	"verifiers that pin your school. No passphrase is needed.\n"
	"\n"
	"  --out FILE            where to write it ('-' for standard output)\n"
	"  --predecessor FILE    the description of a school that merged into this\n"
	"                        one (repeatable): its credentials stay verifiable\n"
	"  --json                print a summary as JSON (with --out FILE)\n";

enum { OPT_OUT = OPT_FIRST_OWN, OPT_PRED };

#define MAX_PRED 16
#define MAX_TYPES 64

static size_t collect_types(issuer_store *s, char **types)
{
	char path[ISSUER_PATH_MAX];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (!store_path(path, sizeof path, s->dir, ISSUER_TEMPLATES, NULL) || !(d = opendir(path)))
		return 0;
	while ((e = readdir(d)) != NULL && n < MAX_TYPES) {
		size_t l = strlen(e->d_name);
		char name[80];
		issuer_template t;
		bool dup = false;
		if (l <= 5 || l - 5 >= sizeof name || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		memcpy(name, e->d_name, l - 5);
		name[l - 5] = '\0';
		if (!template_name_ok(name) || template_load(s, name, &t) != CLI_EXIT_OK)
			continue;
		for (size_t i = 0; i < n; i++)
			dup |= strcmp(types[i], t.vct) == 0;
		if (!dup && (types[n] = strdup(t.vct)) != NULL)
			n++;
		template_free(&t);
	}
	closedir(d);
	return n;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "out", 1, NULL, OPT_OUT },
					      { "predecessor", 1, NULL, OPT_PRED },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *out_path = NULL, *pred_path[MAX_PRED];
	size_t npred = 0, nkeys = 0, ntypes = 0;
	lp_buf pred[MAX_PRED], out = { NULL, 0 };
	lp_view predv[MAX_PRED];
	lp_reg_key *keys = NULL;
	lp_pubkey *pks = NULL;
	lp_issuer_key_entry *entries = NULL;
	char *types[MAX_TYPES];
	lp_issuer_desc_params p;
	issuer_store s;
	bool bad = false;
	int opt, ret;
	lp_err rc;

	memset(pred, 0, sizeof pred);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			c.help = true;
		else if (common_option(&c, opt, optarg, "export", &bad))
			;
		else if (opt == OPT_OUT)
			out_path = optarg;
		else if (opt == OPT_PRED) {
			if (npred == MAX_PRED)
				return cli_usage_error("export", "at most %d --predecessor files", MAX_PRED);
			pred_path[npred++] = optarg;
		} else
			return cli_usage_error("export", "unknown option");
	}
	int opts_exit = options_done(&c, "export", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (!out_path)
		return cli_usage_error("export", "--out FILE is required ('-' for standard output)");
	if ((ret = store_open(&s, c.dir)) != CLI_EXIT_OK)
		return ret;
	ret = CLI_EXIT_ERROR;
	for (size_t i = 0; i < npred; i++) {
		if (cli_read_file(pred_path[i], LP_TRUST_MAX_DESC, "predecessor description", &pred[i]) != LP_OK)
			goto out;
		predv[i] = lp_buf_view(&pred[i]);
	}
	rc = lp_register_keys(s.reg, &keys, &nkeys);
	if (rc != LP_OK) {
		cli_fail(rc, "try again", "cannot read the keys from the register");
		goto out;
	}
	pks = calloc(nkeys ? nkeys : 1, sizeof *pks);
	entries = calloc(nkeys ? nkeys : 1, sizeof *entries);
	if (!pks || !entries) {
		cli_fail(LP_ERR_NOMEM, NULL, "cannot export");
		goto out;
	}
	for (size_t i = 0; i < nkeys; i++) {
		lp_pubkey_ed25519(&pks[i], keys[i].pk);
		entries[i].kid = keys[i].kid;
		entries[i].key = &pks[i];
		entries[i].valid_from = keys[i].valid_from;
		entries[i].valid_until = keys[i].valid_until;
	}
	ntypes = collect_types(&s, types);
	memset(&p, 0, sizeof p);
	p.id = s.id;
	p.name = s.name;
	p.country = s.country;
	p.keys = entries;
	p.n_keys = nkeys;
	p.credential_types = (const char *const *)types;
	p.n_types = ntypes;
	p.predecessors = predv;
	p.n_predecessors = npred;
	rc = lp_issuer_desc_write(&p, &out);
	if (rc != LP_OK) {
		cli_fail(rc, npred ? "check the --predecessor files (they must be 'export' output)" : "try again",
			 "cannot write the description");
		goto out;
	}
	if (strcmp(out_path, "-") == 0) {
		if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
			cli_error("check where standard output goes", "cannot write the description");
			goto out;
		}
	} else {
		if (cli_write_file(out_path, lp_buf_view(&out), 0644, false, "description") != LP_OK)
			goto out;
		if (c.json) {
			json_t *o = json_object();
			cli_json_set(o, "out", json_string(out_path));
			cli_json_set(o, "id", json_string(s.id));
			cli_json_set(o, "keys", json_integer((json_int_t)nkeys));
			cli_json_set(o, "credential_types", json_integer((json_int_t)ntypes));
			cli_json_set(o, "predecessors", json_integer((json_int_t)npred));
			cli_json_print(o);
		} else {
			printf("Description of %s written to %s: %zu key%s, %zu credential type%s\n", s.name, out_path,
			       nkeys, nkeys == 1 ? "" : "s", ntypes, ntypes == 1 ? "" : "s");
		}
	}
	ret = CLI_EXIT_OK;
out:
	for (size_t i = 0; i < npred; i++)
		lp_buf_free(&pred[i]);
	for (size_t i = 0; i < ntypes; i++)
		free(types[i]);
	lp_buf_free(&out);
	free(keys);
	free(pks);
	free(entries);
	store_close(&s);
	return ret;
}
