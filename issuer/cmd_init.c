/* leerpas-issuer init: create a school's store: a new Ed25519 signing key
 * encrypted under a passphrase, the register with the school's settings.
 * Refuses to touch an existing store; on failure removes what it made. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "issuer.h"

static const char help[] =
	"Usage: leerpas-issuer init --dir DIR --id ID --name NAME [options]\n"
	"\n"
	"Create the school's store in DIR: a new signing key (Ed25519, encrypted\n"
	"with your passphrase: Argon2id + XChaCha20-Poly1305, file mode 0600), the\n"
	"register, and the school's settings. Refuses to overwrite a store.\n"
	"\n"
	"  --dir DIR             the store directory (created; must be empty)\n"
	"  --id ID               the school's identifier, e.g. https://www.roc-example.nl\n"
	"  --name NAME           the school's name as shown to employers\n"
	"  --country CC          ISO 3166-1 country code (default NL)\n"
	"  --status-uri URI      where verifiers fetch the status list\n"
	"                        (default ID/status.cwt)\n"
	"  --kdf-memory MIB      Argon2id memory for the key file (default 256)\n"
	"  --kdf-passes N        Argon2id passes (default 3)\n"
	"  --passphrase-file F   read the new passphrase from F (first line)\n"
	"  --passphrase-fd N     read the new passphrase from file descriptor N\n"
	"  --json                print the result as JSON\n"
	"\n"
	"Without --passphrase-file/-fd the passphrase is asked twice on the terminal.\n"
	"Keep it and a backup of DIR/keys safe: without them nothing can be issued.\n";

enum { OPT_ID = OPT_FIRST_OWN, OPT_NAME, OPT_COUNTRY, OPT_STATUS_URI, OPT_KDF_MEM, OPT_KDF_PASSES };

static bool country_ok(const char *c)
{
	return strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	return true;
}

/* DIR must not exist, or be an empty directory. *made tells whether we
 * created it (and may remove it on failure). */
static int prepare_dir(const char *dir, bool *made)
{
	struct stat st;
	*made = false;
	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0700) != 0) {
			cli_error("check the path and the permissions of its parent", "cannot create '%s': %s",
				  dir, strerror(errno));
			return CLI_EXIT_ERROR;
		}
		*made = true;
		return CLI_EXIT_OK;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_error("choose a directory name", "'%s' exists and is not a directory", dir);
		return CLI_EXIT_ERROR;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;
	if (!d) {
		cli_error("check its permissions", "cannot open '%s': %s", dir, strerror(errno));
		return CLI_EXIT_ERROR;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (!empty) {
		char reg[ISSUER_PATH_MAX];
		snprintf(reg, sizeof reg, "%s/%s", dir, ISSUER_REGISTER);
		if (access(reg, F_OK) == 0)
			cli_error("use it as it is, or choose another --dir (a store is never overwritten)",
				  "a store already exists in '%s'", dir);
		else
			cli_error("choose a new or empty directory", "'%s' is not empty", dir);
		return CLI_EXIT_ERROR;
	}
	return CLI_EXIT_OK;
}

static void cleanup(const char *dir, bool made_dir, const char *keyfile)
{
	char p[ISSUER_PATH_MAX];
	const char *files[] = { ISSUER_REGISTER, ISSUER_REGISTER "-wal", ISSUER_REGISTER "-shm",
				ISSUER_REGISTER "-journal" };
	if (keyfile && *keyfile)
		unlink(keyfile);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/%s", dir, ISSUER_KEYS);
	rmdir(p);
	snprintf(p, sizeof p, "%s/%s", dir, ISSUER_TEMPLATES);
	rmdir(p);
	if (made_dir)
		rmdir(dir);
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "id", 1, NULL, OPT_ID },
					      { "name", 1, NULL, OPT_NAME },
					      { "country", 1, NULL, OPT_COUNTRY },
					      { "status-uri", 1, NULL, OPT_STATUS_URI },
					      { "kdf-memory", 1, NULL, OPT_KDF_MEM },
					      { "kdf-passes", 1, NULL, OPT_KDF_PASSES },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *id = NULL, *name = NULL, *country = "NL", *status_uri = NULL;
	unsigned long kdf_mib = LP_KEYFILE_MEMLIMIT_DEFAULT / (1024 * 1024), kdf_passes = LP_KEYFILE_OPSLIMIT_DEFAULT;
	char default_uri[1024], path[ISSUER_PATH_MAX], keypath[ISSUER_PATH_MAX] = "", kid[LP_KID_MAX + 1];
	char keyname[LP_KID_MAX + 8], num[32], buf[32];
	bool bad = false, made_dir = false;
	cli_secret pass = { NULL, 0 };
	lp_signkey key;
	lp_register *reg = NULL;
	lp_kdf_params kdf;
	lp_reg_key rk;
	lp_err rc;
	int opt, ret = CLI_EXIT_ERROR;
	int64_t now = issuer_now();
	char *end;

	memset(&key, 0, sizeof key);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h' || common_option(&c, opt, optarg, "init", &bad))
			c.help |= opt == 'h';
		else if (opt == OPT_ID)
			id = optarg;
		else if (opt == OPT_NAME)
			name = optarg;
		else if (opt == OPT_COUNTRY)
			country = optarg;
		else if (opt == OPT_STATUS_URI)
			status_uri = optarg;
		else if (opt == OPT_KDF_MEM || opt == OPT_KDF_PASSES) {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				cli_usage_error("init", "%s needs a number", opt == OPT_KDF_MEM ? "--kdf-memory" : "--kdf-passes");
				return CLI_EXIT_ERROR;
			}
			if (opt == OPT_KDF_MEM)
				kdf_mib = v;
			else
				kdf_passes = v;
		} else
			return cli_usage_error("init", "unknown option");
	}
	int opts_exit = options_done(&c, "init", help, bad, argc, argv);
	if (opts_exit >= 0)
		return opts_exit;
	if (!id || !text_ok(id, 255))
		return cli_usage_error("init", "--id ID is required: the school's identifier (at most 255 characters), e.g. https://www.roc-example.nl");
	if (!name || !text_ok(name, 255))
		return cli_usage_error("init", "--name NAME is required: the school's name (at most 255 characters)");
	if (!country_ok(country))
		return cli_usage_error("init", "--country needs a two-letter ISO 3166-1 code in capitals, such as NL, not '%s'", country);
	if (kdf_mib < 8 || kdf_mib > 2048 || kdf_passes < 1 || kdf_passes > LP_KEYFILE_OPSLIMIT_MAX)
		return cli_usage_error("init", "--kdf-memory must be 8..2048 (MiB) and --kdf-passes 1..%u", LP_KEYFILE_OPSLIMIT_MAX);
	if (!status_uri) {
		size_t l = strlen(id);
		snprintf(default_uri, sizeof default_uri, "%s%sstatus.cwt", id, l && id[l - 1] == '/' ? "" : "/");
		status_uri = default_uri;
	}
	if (!text_ok(status_uri, 1000))
		return cli_usage_error("init", "--status-uri is empty or too long");
	kdf.opslimit = (uint32_t)kdf_passes;
	kdf.memlimit = (size_t)kdf_mib * 1024u * 1024u;
	if (kdf_mib < 64)
		cli_warn("--kdf-memory %lu MiB makes the passphrase easier to guess if the key file is stolen; use the default outside tests",
			 kdf_mib);

	if ((ret = prepare_dir(c.dir, &made_dir)) != CLI_EXIT_OK)
		return ret;
	ret = CLI_EXIT_ERROR;
	if (!store_path(path, sizeof path, c.dir, ISSUER_KEYS, NULL) || mkdir(path, 0700) != 0 ||
	    !store_path(path, sizeof path, c.dir, ISSUER_TEMPLATES, NULL) || mkdir(path, 0755) != 0) {
		cli_error("check the permissions and free space of the directory", "cannot create the store's folders in '%s': %s",
			  c.dir, strerror(errno));
		goto fail;
	}
	if (cli_passphrase_new(&c.pass, "New passphrase for the school's signing key: ", 8, &pass) != LP_OK)
		goto fail;

	store_new_kid(kid, now);
	rc = lp_signkey_generate(kid, &key);
	if (rc != LP_OK) {
		cli_fail(rc, "try again", "cannot generate a signing key");
		goto fail;
	}
	snprintf(keyname, sizeof keyname, "%s.key", kid);
	if (!store_path(keypath, sizeof keypath, c.dir, ISSUER_KEYS, keyname))
		goto fail;
	if (!store_path(path, sizeof path, c.dir, ISSUER_REGISTER, NULL))
		goto fail;
	rc = lp_register_create(path, &reg);
	if (rc != LP_OK) {
		cli_fail(rc, "check free space and permissions (nothing was created)", "cannot create the register '%s'", path);
		goto fail;
	}
	rc = lp_keyfile_write(keypath, &key, cli_secret_view(&pass), &kdf);
	if (rc != LP_OK) {
		if (rc == LP_ERR_NOMEM)
			cli_error("choose a smaller --kdf-memory or free memory", "not enough memory for Argon2id");
		else
			cli_fail(rc, "check free space and permissions (nothing was created)", "cannot write the key file '%s'", keypath);
		if (rc == LP_ERR_EXISTS)
			keypath[0] = '\0'; /* not ours: leave it */
		goto fail;
	}
	memset(&rk, 0, sizeof rk);
	snprintf(rk.kid, sizeof rk.kid, "%s", kid);
	memcpy(rk.pk, key.pk, sizeof rk.pk);
	rk.valid_from = now;
	snprintf(rk.secret_file, sizeof rk.secret_file, "%s", keyname);
	rc = lp_register_begin(reg);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "issuer_id", id);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "issuer_name", name);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "country", country);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "status_uri", status_uri);
	snprintf(num, sizeof num, "%u", kdf.opslimit);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "kdf_ops", num);
	snprintf(num, sizeof num, "%zu", kdf.memlimit);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "kdf_mem", num);
	snprintf(num, sizeof num, "%lld", (long long)now);
	if (rc == LP_OK)
		rc = lp_register_meta_set(reg, "created", num);
	if (rc == LP_OK)
		rc = lp_register_key_add(reg, &rk);
	if (rc == LP_OK)
		rc = lp_register_commit(reg);
	else
		lp_register_rollback(reg);
	if (rc != LP_OK) {
		cli_fail(rc, "check free space and permissions (nothing was created)", "cannot record the school in the register");
		goto fail;
	}
	lp_register_close(reg);
	reg = NULL;

	if (c.json) {
		char pkhex[65];
		json_t *o = json_object();
		issuer_hex(pkhex, key.pk, sizeof key.pk);
		cli_json_set(o, "dir", json_string(c.dir));
		cli_json_set(o, "id", json_string(id));
		cli_json_set(o, "name", json_string(name));
		cli_json_set(o, "country", json_string(country));
		cli_json_set(o, "status_uri", json_string(status_uri));
		cli_json_set(o, "kid", json_string(kid));
		cli_json_set(o, "public_key", json_string(pkhex));
		cli_json_set(o, "valid_from", json_string(cli_time_iso(now, buf)));
		cli_json_print(o);
	} else {
		printf("Created the store of %s (%s) in %s\n", name, id, c.dir);
		printf("Signing key %s (encrypted in %s)\n", kid, keypath);
		printf("Status list will be published for %s\n", status_uri);
		printf("Next: add templates with 'leerpas-issuer template add --dir %s FILE.json'\n", c.dir);
	}
	ret = CLI_EXIT_OK;
	goto out;
fail:
	lp_register_close(reg);
	reg = NULL;
	cleanup(c.dir, made_dir, keypath);
out:
	lp_signkey_free(&key);
	cli_secret_free(&pass);
	return ret;
}
