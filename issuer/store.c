/* The school's store directory: opening the register and settings, the
 * signing key behind its passphrase, templates, and the options every
 * command shares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "issuer.h"
#include "leerpas/claims.h"
#include "leerpas/fileio.h"

int64_t issuer_now(void)
{
	return (int64_t)time(NULL);
}

void issuer_hex(char *out, const uint8_t *p, size_t len)
{
	sodium_bin2hex(out, len * 2 + 1, p, len);
}

bool store_path(char *out, size_t cap, const char *dir, const char *a, const char *b)
{
	int n = b ? snprintf(out, cap, "%s/%s/%s", dir, a, b) : snprintf(out, cap, "%s/%s", dir, a);
	if (n < 0 || (size_t)n >= cap) {
		cli_error("use a shorter directory path", "path under '%s' is too long", dir);
		return false;
	}
	return true;
}

bool common_option(issuer_common *c, int opt, const char *arg, const char *cmd, bool *bad)
{
	switch (opt) {
	case OPT_DIR:
		c->dir = arg;
		return true;
	case OPT_PASS_FILE:
		c->pass.file = arg;
		return true;
	case OPT_PASS_FD:
		if (!cli_parse_fd(arg, &c->pass.fd)) {
			cli_usage_error(cmd, "--passphrase-fd needs a file descriptor number, not '%s'", arg);
			*bad = true;
		}
		return true;
	case OPT_JSON:
		c->json = true;
		return true;
	case OPT_HELP:
		c->help = true;
		return true;
	default:
		return false;
	}
}

bool need_dir(const issuer_common *c, const char *cmd)
{
	if (c->dir)
		return true;
	cli_usage_error(cmd, "--dir DIR is required (the school's store, made by 'leerpas-issuer init')");
	return false;
}

int options_done(const issuer_common *c, const char *cmd, const char *help, bool bad, int argc,
		 char **argv)
{
	if (bad)
		return CLI_EXIT_ERROR;
	if (c->help) {
		fputs(help, stdout);
		return CLI_EXIT_OK;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!need_dir(c, cmd))
		return CLI_EXIT_ERROR;
	return -1;
}

static char *meta(issuer_store *s, const char *key, lp_err *rc)
{
	char *v = NULL;
	lp_err e = lp_register_meta_get(s->reg, key, &v);
	if (e != LP_OK && *rc == LP_OK)
		*rc = e;
	return v;
}

void store_close(issuer_store *s)
{
	lp_register_close(s->reg);
	free(s->id);
	free(s->name);
	free(s->country);
	free(s->status_uri);
	memset(s, 0, sizeof *s);
}

int store_open(issuer_store *s, const char *dir)
{
	char path[ISSUER_PATH_MAX];
	char *ops, *mem;
	lp_err rc;

	memset(s, 0, sizeof *s);
	if (strlen(dir) >= sizeof s->dir - 32) {
		cli_error("use a shorter directory path", "store path '%s' is too long", dir);
		return CLI_EXIT_ERROR;
	}
	strcpy(s->dir, dir);
	if (!store_path(path, sizeof path, dir, ISSUER_REGISTER, NULL))
		return CLI_EXIT_ERROR;
	rc = lp_register_open(path, &s->reg);
	switch (rc) {
	case LP_OK:
		break;
	case LP_ERR_NOT_FOUND:
		cli_error("check --dir, or create a store with 'leerpas-issuer init'",
			  "'%s' is not a leerpas-issuer store (no %s)", dir, ISSUER_REGISTER);
		return CLI_EXIT_ERROR;
	case LP_ERR_LOCKED:
		cli_error("wait for the other leerpas-issuer command to finish and try again",
			  "the register '%s' is locked by another process", path);
		return CLI_EXIT_ERROR;
	case LP_ERR_VERSION:
		cli_error("use a newer leerpas-issuer", "the register '%s' was made by a newer version", path);
		return CLI_EXIT_ERROR;
	case LP_ERR_MALFORMED:
		cli_error("restore the register from a backup", "'%s' is not a leerpas register or is damaged",
			  path);
		return CLI_EXIT_ERROR;
	default:
		return cli_fail(rc, "check the store directory and its permissions",
				"cannot open the register '%s'", path);
	}
	{
		/* Scripts (and the test suite) may shorten the wait for a lock. */
		const char *w = getenv("LEERPAS_LOCK_TIMEOUT_MS");
		char *e;
		long ms = w ? strtol(w, &e, 10) : -1;
		if (w && !*e && ms >= 0 && ms <= 600000)
			lp_register_set_timeout(s->reg, (int)ms);
	}
	rc = LP_OK;
	s->id = meta(s, "issuer_id", &rc);
	s->name = meta(s, "issuer_name", &rc);
	s->country = meta(s, "country", &rc);
	s->status_uri = meta(s, "status_uri", &rc);
	ops = meta(s, "kdf_ops", &rc);
	mem = meta(s, "kdf_mem", &rc);
	if (rc == LP_OK) {
		s->kdf.opslimit = (uint32_t)strtoul(ops, NULL, 10);
		s->kdf.memlimit = (size_t)strtoull(mem, NULL, 10);
	}
	free(ops);
	free(mem);
	if (rc != LP_OK) {
		store_close(s);
		if (rc == LP_ERR_LOCKED) {
			cli_error("wait for the other leerpas-issuer command to finish and try again",
				  "the register '%s' is locked by another process", path);
			return CLI_EXIT_ERROR;
		}
		return cli_fail(rc, "restore the register from a backup",
				"the register '%s' lacks the school's settings", path);
	}
	return CLI_EXIT_OK;
}

void store_new_kid(char out[LP_KID_MAX + 1], int64_t now)
{
	uint8_t r[4];
	char hex[9];
	struct tm tm;
	time_t t = (time_t)now;
	char date[16] = "00000000";

	lp_random(r, sizeof r);
	issuer_hex(hex, r, sizeof r);
	if (gmtime_r(&t, &tm))
		strftime(date, sizeof date, "%Y%m%d", &tm);
	snprintf(out, LP_KID_MAX + 1, "%s-%s", date, hex);
}

/* DIR/keys/FILE without printing (store_open_keyfile_quiet may run in a
 * thread); false when too long. */
static bool key_path(char path[ISSUER_PATH_MAX], const issuer_store *s, const lp_reg_key *k)
{
	int n = snprintf(path, ISSUER_PATH_MAX, "%s/%s/%s", s->dir, ISSUER_KEYS, k->secret_file);
	return n > 0 && (size_t)n < ISSUER_PATH_MAX;
}

lp_err store_open_keyfile_quiet(const issuer_store *s, const lp_reg_key *k, const cli_secret *pass,
				lp_signkey *key, lp_diag *d)
{
	char path[ISSUER_PATH_MAX];
	lp_err rc;

	memset(key, 0, sizeof *key);
	if (!key_path(path, s, k))
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "the key file's path is too long");
	rc = lp_keyfile_read(path, cli_secret_view(pass), key, d);
	if (rc == LP_OK && memcmp(key->pk, k->pk, sizeof k->pk) != 0) {
		lp_signkey_free(key);
		rc = LP_ERR_INTEGRITY;
		snprintf(d->msg, sizeof d->msg, "the key file holds another key than the register names");
	}
	return rc;
}

void store_keyfile_report(const issuer_store *s, const lp_reg_key *k, lp_err rc, const lp_diag *d)
{
	char path[ISSUER_PATH_MAX];

	if (rc == LP_OK)
		return;
	if (!key_path(path, s, k)) {
		cli_error("use a shorter directory path", "path under '%s' is too long", s->dir);
		return;
	}
	switch (rc) {
	case LP_ERR_PASSPHRASE:
		cli_error("type the store's passphrase again (it is case-sensitive)",
			  "wrong passphrase for signing key %s", k->kid);
		break;
	case LP_ERR_INTEGRITY:
	case LP_ERR_MALFORMED:
		cli_error("restore the key file from your backup; do not issue with this file",
			  "the key file '%s' was altered or damaged: %s", path, d->msg);
		break;
	case LP_ERR_NOT_FOUND:
		cli_error("restore the key file from your backup", "the key file '%s' is missing", path);
		break;
	case LP_ERR_NOMEM:
		cli_error("close other programs or use a machine with more memory",
			  "not enough memory to open the key file (Argon2id)");
		break;
	default:
		cli_fail(rc, "check the file and its permissions", "cannot open the key file '%s'", path);
	}
}

lp_err store_open_keyfile(issuer_store *s, const lp_reg_key *k, const cli_secret *pass,
			  lp_signkey *key, bool report)
{
	lp_diag d;
	lp_err rc;

	memset(&d, 0, sizeof d);
	rc = store_open_keyfile_quiet(s, k, pass, key, &d);
	if (report)
		store_keyfile_report(s, k, rc, &d);
	return rc;
}

int store_key_prepare(issuer_store *s, const cli_pass_src *src, lp_reg_key *cur, cli_secret *pass)
{
	char prompt[256];
	lp_err rc;

	pass->ptr = NULL;
	pass->len = 0;
	rc = lp_register_key_current(s->reg, cur);
	if (rc != LP_OK)
		return cli_fail(rc, "restore the register from a backup",
				"the register names no current signing key");
	snprintf(prompt, sizeof prompt, "Passphrase for %s's signing key: ", s->name);
	rc = cli_passphrase_get(src, prompt, pass);
	if (rc != LP_OK)
		return CLI_EXIT_ERROR;
	return CLI_EXIT_OK;
}

int store_key_exit(lp_err rc)
{
	if (rc == LP_OK)
		return CLI_EXIT_OK;
	return rc == LP_ERR_PASSPHRASE || rc == LP_ERR_INTEGRITY ? CLI_EXIT_FAIL : CLI_EXIT_ERROR;
}

int store_load_key(issuer_store *s, const cli_pass_src *src, lp_signkey *key)
{
	lp_reg_key cur;
	cli_secret pass = { NULL, 0 };
	lp_err rc;
	int ret;

	memset(key, 0, sizeof *key);
	ret = store_key_prepare(s, src, &cur, &pass);
	if (ret != CLI_EXIT_OK)
		return ret;
	rc = store_open_keyfile(s, &cur, &pass, key, true);
	cli_secret_free(&pass);
	return store_key_exit(rc);
}

bool template_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

void template_free(issuer_template *t)
{
	json_decref(t->root);
	free(t->claims_json);
	free(t->redactable);
	memset(t, 0, sizeof *t);
}

int template_load(issuer_store *s, const char *name, issuer_template *t)
{
	char path[ISSUER_PATH_MAX], file[96];
	json_t *claims, *red, *exp;
	lp_diag d;
	lp_buf raw = { NULL, 0 };
	lp_err rc;

	memset(t, 0, sizeof *t);
	if (!template_name_ok(name)) {
		cli_error("use the name shown by 'leerpas-issuer template list'",
			  "'%s' is not a template name", name);
		return CLI_EXIT_ERROR;
	}
	snprintf(file, sizeof file, "%s.json", name);
	if (!store_path(path, sizeof path, s->dir, ISSUER_TEMPLATES, file))
		return CLI_EXIT_ERROR;
	rc = lp_file_read(path, ISSUER_MAX_TEMPLATE, &raw);
	if (rc == LP_ERR_NOT_FOUND) {
		cli_error("add it with 'leerpas-issuer template add', or see 'template list'",
			  "no template '%s' in this store", name);
		return CLI_EXIT_ERROR;
	}
	if (rc != LP_OK)
		return cli_fail(rc, "check the store's templates directory", "cannot read template '%s'", path);
	/* Templates were checked when added; check again, the file may have been
	 * edited by hand since. */
	rc = lp_claims_template_check((const char *)raw.ptr, raw.len, &d);
	if (rc != LP_OK) {
		lp_buf_free(&raw);
		cli_error("fix the template and add it again with 'template add --replace'",
			  "template '%s' is not valid: %s", name, d.msg);
		return CLI_EXIT_ERROR;
	}
	t->root = json_loadb((const char *)raw.ptr, raw.len, JSON_REJECT_DUPLICATES, NULL);
	lp_buf_free(&raw);
	claims = t->root ? json_object_get(t->root, "claims") : NULL;
	if (!claims) {
		template_free(t);
		cli_error("add it again with 'template add --replace'", "template '%s' is not valid JSON", name);
		return CLI_EXIT_ERROR;
	}
	snprintf(t->name, sizeof t->name, "%s", name);
	t->vct = json_string_value(json_object_get(t->root, "vct"));
	t->claims_json = json_dumps(claims, JSON_COMPACT);
	red = json_object_get(t->root, "redactable");
	if (json_is_array(red)) {
		size_t n = json_array_size(red);
		t->has_redactable = true;
		t->redactable = calloc(n ? n : 1, sizeof *t->redactable);
		if (!t->redactable) {
			template_free(t);
			return cli_fail(LP_ERR_NOMEM, NULL, "cannot load template '%s'", name);
		}
		for (size_t i = 0; i < n; i++)
			t->redactable[i] = json_string_value(json_array_get(red, i));
		t->n_redactable = n;
	}
	exp = json_object_get(t->root, "expires_after_days");
	if (json_is_integer(exp) && json_integer_value(exp) > 0)
		t->expires_after_days = json_integer_value(exp);
	if (!t->claims_json || !t->vct) {
		template_free(t);
		return cli_fail(LP_ERR_NOMEM, NULL, "cannot load template '%s'", name);
	}
	return CLI_EXIT_OK;
}
