/* leerpas-issuer trustlist init|add|sign|show: the same program serves an
 * accreditation body (a trust anchor): an Ed25519 anchor key encrypted at
 * rest, a working list of recognised schools built from their `export`
 * files, and the signed trust list that verifiers load.
 *
 * Anchor directory: anchor.key (0600), anchor.json (public, for
 * verifiers), list.json (the unsigned working list). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "issuer.h"
#include "leerpas/fileio.h"
#include "leerpas/trust.h"

static const char help[] =
	"Usage: leerpas-issuer trustlist init --dir ADIR --id ID --name NAME\n"
	"       leerpas-issuer trustlist add --dir ADIR ISSUER.json [--from DATE]\n"
	"                                    [--until DATE] [--types T1,T2]\n"
	"       leerpas-issuer trustlist sign --dir ADIR --out TRUSTLIST\n"
	"       leerpas-issuer trustlist show --dir ADIR\n"
	"\n"
	"For an accreditation body (trust anchor) that recognises schools.\n"
	"init  create ADIR with the anchor's signing key (encrypted with a\n"
	"      passphrase), anchor.json (give it to verifiers) and an empty list.\n"
	"add   add or replace a school from its 'leerpas-issuer export' file,\n"
	"      recognised from DATE (default: since its oldest key) until DATE\n"
	"      (default open), for the\n"
	"      credential types T1,T2 (default every type).\n"
	"sign  sign the list for verifiers ('leerpas-verifier' loads it).\n"
	"show  print the working list.\n"
	"\n"
	"Dates: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ. Also: --passphrase-file F,\n"
	"--passphrase-fd N, --kdf-memory MIB, --kdf-passes N (init), --json.\n";

enum { OPT_ID = OPT_FIRST_OWN, OPT_NAME, OPT_FROM, OPT_UNTIL, OPT_TYPES, OPT_OUT, OPT_KDF_MEM, OPT_KDF_PASSES };

#define ANCHOR_KEY "anchor.key"
#define ANCHOR_PUB "anchor.json"
#define ANCHOR_LIST "list.json"
#define ANCHOR_KID "anchor"

struct tl_opts {
	issuer_common c;
	const char *id, *name, *from, *until, *types, *out;
	unsigned long kdf_mib, kdf_passes;
};

static int tl_init(struct tl_opts *o)
{
	char kp[ISSUER_PATH_MAX], pp[ISSUER_PATH_MAX], lp[ISSUER_PATH_MAX];
	cli_secret pass = { NULL, 0 };
	lp_signkey key;
	lp_buf pub = { NULL, 0 }, list = { NULL, 0 };
	lp_kdf_params kdf = { (uint32_t)o->kdf_passes, (size_t)o->kdf_mib * 1024u * 1024u };
	bool made = false;
	int ret = CLI_EXIT_ERROR;
	lp_err rc;

	memset(&key, 0, sizeof key);
	if (!o->id || !*o->id || strlen(o->id) > 255 || !o->name || !*o->name || strlen(o->name) > 255)
		return cli_usage_error("trustlist", "trustlist init needs --id ID and --name NAME (at most 255 characters each)");
	if (o->kdf_mib < 8 || o->kdf_mib > 2048 || o->kdf_passes < 1 || o->kdf_passes > LP_KEYFILE_OPSLIMIT_MAX)
		return cli_usage_error("trustlist", "--kdf-memory must be 8..2048 (MiB) and --kdf-passes 1..%u",
				       LP_KEYFILE_OPSLIMIT_MAX);
	if (!store_path(kp, sizeof kp, o->c.dir, ANCHOR_KEY, NULL) || !store_path(pp, sizeof pp, o->c.dir, ANCHOR_PUB, NULL) ||
	    !store_path(lp, sizeof lp, o->c.dir, ANCHOR_LIST, NULL))
		return CLI_EXIT_ERROR;
	if (access(kp, F_OK) == 0) {
		cli_error("use it as it is, or choose another --dir (an anchor key is never overwritten)",
			  "'%s' already holds a trust anchor", o->c.dir);
		return CLI_EXIT_ERROR;
	}
	if (mkdir(o->c.dir, 0700) == 0)
		made = true;
	else if (errno != EEXIST) {
		cli_error("check the path and its permissions", "cannot create '%s': %s", o->c.dir, strerror(errno));
		return CLI_EXIT_ERROR;
	}
	if (cli_passphrase_new(&o->c.pass, "New passphrase for the trust anchor's key: ", 8, &pass) != LP_OK)
		goto fail;
	rc = lp_signkey_generate(ANCHOR_KID, &key);
	if (rc == LP_OK)
		rc = lp_trust_anchor_write(o->id, o->name, NULL, key.pk, &pub);
	if (rc == LP_OK)
		rc = lp_trust_list_new(o->id, issuer_now(), &list);
	if (rc != LP_OK) {
		cli_fail(rc, "check --id and --name", "cannot create the trust anchor");
		goto fail;
	}
	rc = lp_keyfile_write(kp, &key, cli_secret_view(&pass), &kdf);
	if (rc != LP_OK) {
		cli_fail(rc, "check free space and permissions", "cannot write the anchor key '%s'", kp);
		goto fail;
	}
	if (cli_write_file(pp, lp_buf_view(&pub), 0644, true, "anchor file") != LP_OK ||
	    cli_write_file(lp, lp_buf_view(&list), 0644, true, "trust list") != LP_OK) {
		unlink(kp);
		unlink(pp);
		goto fail;
	}
	if (o->c.json) {
		json_t *j = json_object();
		cli_json_set(j, "dir", json_string(o->c.dir));
		cli_json_set(j, "id", json_string(o->id));
		cli_json_set(j, "anchor", json_string(pp));
		cli_json_print(j);
	} else {
		printf("Trust anchor %s (%s) created in %s\n", o->name, o->id, o->c.dir);
		printf("Give %s to verifiers; add schools with 'leerpas-issuer trustlist add --dir %s ISSUER.json'\n", pp,
		       o->c.dir);
	}
	ret = CLI_EXIT_OK;
	goto out;
fail:
	if (made)
		rmdir(o->c.dir);
out:
	lp_buf_free(&pub);
	lp_buf_free(&list);
	lp_signkey_free(&key);
	cli_secret_free(&pass);
	return ret;
}

static int tl_add(struct tl_opts *o, const char *issuer_path)
{
	char lp[ISSUER_PATH_MAX];
	lp_buf list = { NULL, 0 }, desc = { NULL, 0 }, out = { NULL, 0 };
	int64_t from = issuer_now(), until = 0;
	char *types_copy = NULL, *types[64];
	size_t ntypes = 0;
	lp_diag d;
	lp_err rc;
	int ret = CLI_EXIT_ERROR;

	memset(&d, 0, sizeof d);
	if ((o->from && lp_trust_time_parse(o->from, &from) != LP_OK) ||
	    (o->until && lp_trust_time_parse(o->until, &until) != LP_OK))
		return cli_usage_error("trustlist", "--from and --until take YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
	if (o->from && until && until <= from)
		return cli_usage_error("trustlist", "--until must be after --from");
	if (o->types) {
		types_copy = strdup(o->types);
		for (char *tok = types_copy ? strtok(types_copy, ",") : NULL; tok && ntypes < 64; tok = strtok(NULL, ","))
			types[ntypes++] = tok;
	}
	if (!store_path(lp, sizeof lp, o->c.dir, ANCHOR_LIST, NULL))
		goto out;
	rc = lp_file_read(lp, LP_TRUST_MAX_LIST, &list);
	if (rc == LP_ERR_NOT_FOUND) {
		cli_error("create it with 'leerpas-issuer trustlist init'", "'%s' is not a trust anchor directory", o->c.dir);
		goto out;
	}
	if (rc != LP_OK) {
		cli_fail(rc, "check the directory", "cannot read '%s'", lp);
		goto out;
	}
	if (cli_read_file(issuer_path, LP_TRUST_MAX_DESC, "school description", &desc) != LP_OK)
		goto out;
	if (!o->from) {
		/* Default: recognised since its oldest key, so that what the school
		 * issued before it was added to the list still verifies. */
		json_t *dj = json_loadb((const char *)desc.ptr, desc.len, 0, NULL);
		json_t *keys = json_object_get(dj, "keys"), *k;
		size_t i;
		json_array_foreach(keys, i, k) {
			json_t *vf = json_object_get(k, "valid_from");
			int64_t t = 0;
			if (json_is_integer(vf))
				t = (int64_t)json_integer_value(vf);
			else if (!json_is_string(vf) || lp_trust_time_parse(json_string_value(vf), &t) != LP_OK)
				continue;
			if (t > 0 && t < from)
				from = t;
		}
		json_decref(dj);
		if (until && until <= from) {
			cli_usage_error("trustlist", "--until must be after --from");
			goto out;
		}
	}
	rc = lp_trust_list_add(lp_buf_view(&list), lp_buf_view(&desc), from, until, (const char *const *)types, ntypes,
			       &out, &d);
	if (rc != LP_OK) {
		cli_error("ask the school for the file written by 'leerpas-issuer export'",
			  "cannot add '%s': %s", issuer_path, d.msg[0] ? d.msg : lp_err_str(rc));
		goto out;
	}
	if (cli_write_file(lp, lp_buf_view(&out), 0644, false, "trust list") != LP_OK)
		goto out;
	if (o->c.json) {
		json_t *j = json_object();
		cli_json_set(j, "added", json_string(issuer_path));
		cli_json_set(j, "list", json_string(lp));
		cli_json_print(j);
	} else {
		printf("Added %s to %s; sign it with 'leerpas-issuer trustlist sign --dir %s --out FILE'\n", issuer_path, lp,
		       o->c.dir);
	}
	ret = CLI_EXIT_OK;
out:
	free(types_copy);
	lp_buf_free(&list);
	lp_buf_free(&desc);
	lp_buf_free(&out);
	return ret;
}

static int tl_sign(struct tl_opts *o)
{
	char lp[ISSUER_PATH_MAX], kp[ISSUER_PATH_MAX];
	lp_buf list = { NULL, 0 }, out = { NULL, 0 };
	cli_secret pass = { NULL, 0 };
	lp_signkey key;
	lp_diag d;
	lp_err rc;
	int ret = CLI_EXIT_ERROR;
	json_t *anchor = NULL;
	const char *anchor_id;
	char pp[ISSUER_PATH_MAX];

	memset(&key, 0, sizeof key);
	memset(&d, 0, sizeof d);
	if (!o->out)
		return cli_usage_error("trustlist", "trustlist sign needs --out FILE");
	if (!store_path(lp, sizeof lp, o->c.dir, ANCHOR_LIST, NULL) || !store_path(kp, sizeof kp, o->c.dir, ANCHOR_KEY, NULL) ||
	    !store_path(pp, sizeof pp, o->c.dir, ANCHOR_PUB, NULL))
		return CLI_EXIT_ERROR;
	if (cli_read_file(lp, LP_TRUST_MAX_LIST, "trust list", &list) != LP_OK)
		goto out;
	anchor = cli_read_json(pp, 64 * 1024, "anchor file");
	anchor_id = anchor ? json_string_value(json_object_get(anchor, "kid")) : NULL;
	if (!anchor_id)
		anchor_id = anchor ? json_string_value(json_object_get(anchor, "id")) : NULL;
	if (!anchor_id) {
		cli_error("re-create the anchor directory", "'%s' names no anchor id", pp);
		goto out;
	}
	if (cli_passphrase_get(&o->c.pass, "Passphrase for the trust anchor's key: ", &pass) != LP_OK)
		goto out;
	rc = lp_keyfile_read(kp, cli_secret_view(&pass), &key, &d);
	if (rc != LP_OK) {
		ret = rc == LP_ERR_PASSPHRASE || rc == LP_ERR_INTEGRITY ? CLI_EXIT_FAIL : CLI_EXIT_ERROR;
		if (rc == LP_ERR_PASSPHRASE)
			cli_error("type the anchor's passphrase again", "wrong passphrase for the trust anchor's key");
		else
			cli_fail(rc, "restore the anchor key from your backup", "cannot open '%s'%s%s", kp, d.msg[0] ? ": " : "",
				 d.msg);
		goto out;
	}
	rc = lp_trust_list_sign(lp_buf_view(&list), anchor_id, issuer_now(), key.sk, &out, &d);
	if (rc != LP_OK) {
		cli_error("fix the list (see 'trustlist show') or add the schools again", "cannot sign the trust list: %s",
			  d.msg[0] ? d.msg : lp_err_str(rc));
		goto out;
	}
	if (cli_write_file(o->out, lp_buf_view(&out), 0644, false, "signed trust list") != LP_OK)
		goto out;
	if (o->c.json) {
		json_t *j = json_object();
		cli_json_set(j, "out", json_string(o->out));
		cli_json_set(j, "anchor", json_string(anchor_id));
		cli_json_set(j, "bytes", json_integer((json_int_t)out.len));
		cli_json_print(j);
	} else {
		printf("Signed trust list written to %s (%zu bytes)\n", o->out, out.len);
	}
	ret = CLI_EXIT_OK;
out:
	json_decref(anchor);
	cli_secret_free(&pass);
	lp_signkey_free(&key);
	lp_buf_free(&list);
	lp_buf_free(&out);
	return ret;
}

static int tl_show(struct tl_opts *o)
{
	char lp[ISSUER_PATH_MAX];
	lp_buf list = { NULL, 0 };
	if (!store_path(lp, sizeof lp, o->c.dir, ANCHOR_LIST, NULL))
		return CLI_EXIT_ERROR;
	if (cli_read_file(lp, LP_TRUST_MAX_LIST, "trust list", &list) != LP_OK)
		return CLI_EXIT_ERROR;
	fwrite(list.ptr, 1, list.len, stdout);
	lp_buf_free(&list);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

int cmd_trustlist(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "id", 1, NULL, OPT_ID },
					      { "name", 1, NULL, OPT_NAME },
					      { "from", 1, NULL, OPT_FROM },
					      { "until", 1, NULL, OPT_UNTIL },
					      { "types", 1, NULL, OPT_TYPES },
					      { "out", 1, NULL, OPT_OUT },
					      { "kdf-memory", 1, NULL, OPT_KDF_MEM },
					      { "kdf-passes", 1, NULL, OPT_KDF_PASSES },
					      { 0, 0, 0, 0 } };
	struct tl_opts o;
	const char *sub;
	bool bad = false;
	int opt;
	char *end;

	memset(&o, 0, sizeof o);
	o.c.pass.fd = -1;
	o.kdf_mib = LP_KEYFILE_MEMLIMIT_DEFAULT / (1024 * 1024);
	o.kdf_passes = LP_KEYFILE_OPSLIMIT_DEFAULT;
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			o.c.help = true;
		else if (common_option(&o.c, opt, optarg, "trustlist", &bad))
			;
		else if (opt == OPT_ID)
			o.id = optarg;
		else if (opt == OPT_NAME)
			o.name = optarg;
		else if (opt == OPT_FROM)
			o.from = optarg;
		else if (opt == OPT_UNTIL)
			o.until = optarg;
		else if (opt == OPT_TYPES)
			o.types = optarg;
		else if (opt == OPT_OUT)
			o.out = optarg;
		else if (opt == OPT_KDF_MEM || opt == OPT_KDF_PASSES) {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				return cli_usage_error("trustlist", "--kdf-memory and --kdf-passes need a number");
			if (opt == OPT_KDF_MEM)
				o.kdf_mib = v;
			else
				o.kdf_passes = v;
		} else
			return cli_usage_error("trustlist", "unknown option");
	}
	if (bad)
		return CLI_EXIT_ERROR;
	if (o.c.help) {
		fputs(help, stdout);
		return CLI_EXIT_OK;
	}
	if (!need_dir(&o.c, "trustlist"))
		return CLI_EXIT_ERROR;
	if (strcmp(sub, "add") == 0) {
		if (optind + 1 != argc)
			return cli_usage_error("trustlist", "trustlist add needs exactly one ISSUER.json");
		return tl_add(&o, argv[optind]);
	}
	if (optind < argc)
		return cli_usage_error("trustlist", "unexpected argument '%s'", argv[optind]);
	if (strcmp(sub, "init") == 0)
		return tl_init(&o);
	if (strcmp(sub, "sign") == 0)
		return tl_sign(&o);
	if (strcmp(sub, "show") == 0)
		return tl_show(&o);
	return cli_usage_error("trustlist", "unknown subcommand '%s' (use init, add, sign or show)", sub);
}
