/* leerpas-issuer template add|list: credential templates (the fixed claims
 * of an achievement and which claims are redactable), checked against the
 * achievement model (every mandatory EU Annex I element) when added. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuer.h"
#include "leerpas/claims.h"
#include "leerpas/fileio.h"

static const char help[] =
	"Usage: leerpas-issuer template add --dir DIR FILE.json [--name NAME] [--replace]\n"
	"       leerpas-issuer template list --dir DIR [--json]\n"
	"       leerpas-issuer template spec --dir DIR NAME --out FILE [--json]\n"
	"\n"
	"add   check FILE.json against the achievement model and keep it in the store\n"
	"      under NAME (default: the file name without .json). A template lacking\n"
	"      a mandatory EU Annex I element is refused, naming the element.\n"
	"      --replace replaces a template of that name (credentials issued\n"
	"      earlier are not affected).\n"
	"list  the templates: name, credential type, title.\n"
	"spec  write the achievement specification of template NAME (its learning\n"
	"      outcomes, description, assessment, ...: the descriptive claims every\n"
	"      learner shares) to FILE. Credentials refer to it by its SHA-256, so\n"
	"      QR codes stay small; publish FILE beside your status list so that\n"
	"      verifiers can show those claims ('leerpas-verifier spec import').\n"
	"\n"
	"A template is JSON: {\"vct\": TYPE, \"claims\": {...}, \"redactable\": [...],\n"
	"\"expires_after_days\": N}. See docs/issuer.md and examples/templates/.\n";

enum { OPT_NAME = OPT_FIRST_OWN, OPT_REPLACE, OPT_OUT };

static int add(issuer_common *c, const char *file, const char *name_opt, bool replace)
{
	issuer_store s;
	char name[LP_REG_NAME_MAX + 1], path[ISSUER_PATH_MAX], fname[96];
	const char *base;
	lp_buf raw = { NULL, 0 };
	lp_diag d;
	json_t *root;
	size_t n;
	lp_err rc;
	int ret;

	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (name_opt) {
		snprintf(name, sizeof name, "%s", name_opt);
	} else {
		n = strlen(base);
		if (n > 5 && strcmp(base + n - 5, ".json") == 0)
			n -= 5;
		if (n > LP_REG_NAME_MAX)
			n = LP_REG_NAME_MAX;
		memcpy(name, base, n);
		name[n] = '\0';
	}
	if (!template_name_ok(name)) {
		cli_error("rename the file or give --name with lowercase letters, digits, '-' or '_'",
			  "'%s' cannot be a template name", name);
		return CLI_EXIT_ERROR;
	}
	if (cli_read_file(file, ISSUER_MAX_TEMPLATE, "template", &raw) != LP_OK)
		return CLI_EXIT_ERROR;
	memset(&d, 0, sizeof d);
	rc = lp_claims_template_check((const char *)raw.ptr, raw.len, &d);
	if (rc != LP_OK) {
		lp_buf_free(&raw);
		cli_error("fix the template and add it again (see docs/issuer.md for the fields)",
			  "template '%s' refused: %s", file, d.msg[0] ? d.msg : lp_err_str(rc));
		return CLI_EXIT_ERROR;
	}
	root = json_loadb((const char *)raw.ptr, raw.len, JSON_REJECT_DUPLICATES, NULL);
	if (root) {
		json_t *e = json_object_get(root, "expires_after_days");
		if (e && (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 36500)) {
			json_decref(root);
			lp_buf_free(&raw);
			cli_error("give a whole number of days (0..36500), or leave it out for credentials that do not expire",
				  "template '%s': expires_after_days is not a number of days", file);
			return CLI_EXIT_ERROR;
		}
	}
	json_decref(root);
	if ((ret = store_open(&s, c->dir)) != CLI_EXIT_OK) {
		lp_buf_free(&raw);
		return ret;
	}
	snprintf(fname, sizeof fname, "%s.json", name);
	if (!store_path(path, sizeof path, s.dir, ISSUER_TEMPLATES, fname)) {
		lp_buf_free(&raw);
		store_close(&s);
		return CLI_EXIT_ERROR;
	}
	rc = cli_write_file(path, lp_buf_view(&raw), 0644, !replace, "template");
	lp_buf_free(&raw);
	store_close(&s);
	if (rc == LP_ERR_EXISTS) {
		cli_error("give --replace to replace it, or --name to add it under another name",
			  "the store already has a template '%s'", name);
		return CLI_EXIT_ERROR;
	}
	if (rc != LP_OK)
		return CLI_EXIT_ERROR;
	if (c->json) {
		json_t *o = json_object();
		cli_json_set(o, "template", json_string(name));
		cli_json_set(o, "path", json_string(path));
		cli_json_print(o);
	} else {
		printf("Template '%s' added (%s)\n", name, path);
	}
	return CLI_EXIT_OK;
}

/* template spec NAME --out FILE: the specification credentials of NAME
 * refer to, for verifiers to cache. */
static int spec(issuer_common *c, const char *name, const char *out)
{
	issuer_store s;
	issuer_template t;
	char hex[2 * LP_SPEC_DIGEST_BYTES + 1];
	uint8_t dg[LP_SPEC_DIGEST_BYTES];
	lp_buf sp = { NULL, 0 };
	lp_diag d;
	int ret;
	if ((ret = store_open(&s, c->dir)) != CLI_EXIT_OK)
		return ret;
	ret = template_load(&s, name, &t);
	store_close(&s);
	if (ret != CLI_EXIT_OK)
		return ret;
	char *tj = json_dumps(t.root, JSON_COMPACT);
	template_free(&t);
	if (!tj)
		return cli_fail(LP_ERR_NOMEM, NULL, "cannot read template '%s'", name);
	memset(&d, 0, sizeof d);
	lp_err rc = lp_spec_of_template(tj, strlen(tj), &sp, &d);
	free(tj);
	if (rc == LP_OK)
		rc = lp_spec_check(lp_buf_view(&sp), dg, &d);
	if (rc != LP_OK) {
		lp_buf_free(&sp);
		cli_error(rc == LP_ERR_NOT_FOUND ? "its credentials carry every claim inline; there is nothing to publish"
						 : "fix the template (template add --replace)",
			  "template '%s': %s", name, d.msg[0] ? d.msg : lp_err_str(rc));
		return CLI_EXIT_ERROR;
	}
	issuer_hex(hex, dg, sizeof dg);
	rc = cli_write_file(out, lp_buf_view(&sp), 0644, false, "specification");
	size_t len = sp.len;
	lp_buf_free(&sp);
	if (rc != LP_OK)
		return CLI_EXIT_ERROR;
	if (c->json) {
		json_t *o = json_object();
		cli_json_set(o, "template", json_string(name));
		cli_json_set(o, "path", json_string(out));
		cli_json_set(o, "digest", json_string(hex));
		cli_json_set(o, "bytes", json_integer((json_int_t)len));
		cli_json_print(o);
	} else {
		printf("Specification of template '%s' written to %s (%zu bytes)\nSHA-256 %s\n"
		       "Publish it beside your status list; verifiers import it with\n"
		       "  leerpas-verifier spec import %s\n", name, out, len, hex, out);
	}
	return CLI_EXIT_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int list(issuer_common *c)
{
	issuer_store s;
	char path[ISSUER_PATH_MAX];
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	json_t *arr = json_array();
	DIR *d;
	int ret;

	if ((ret = store_open(&s, c->dir)) != CLI_EXIT_OK) {
		json_decref(arr);
		return ret;
	}
	if (!store_path(path, sizeof path, s.dir, ISSUER_TEMPLATES, NULL) || !(d = opendir(path))) {
		store_close(&s);
		json_decref(arr);
		cli_error("check the store directory", "cannot read the templates folder of '%s'", c->dir);
		return CLI_EXIT_ERROR;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l <= 5 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof *names);
			if (!p)
				break;
			names = p;
		}
		names[n] = strndup(e->d_name, l - 5);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	if (!c->json && n == 0)
		printf("No templates yet: add one with 'leerpas-issuer template add --dir %s FILE.json'\n", c->dir);
	for (size_t i = 0; i < n; i++) {
		issuer_template t;
		const char *title = "", *vct = "";
		bool ok = template_name_ok(names[i]) && template_load(&s, names[i], &t) == CLI_EXIT_OK;
		if (ok) {
			vct = t.vct;
			title = json_string_value(json_object_get(json_object_get(t.root, "claims"), "title"));
			if (!title)
				title = "";
		}
		if (c->json) {
			json_t *o = json_object();
			cli_json_set(o, "name", json_string(names[i]));
			cli_json_set(o, "vct", json_string(vct));
			cli_json_set(o, "title", json_string(title));
			cli_json_set(o, "valid", json_boolean(ok));
			json_array_append_new(arr, o);
		} else {
			printf("%-24s %-28s %s%s\n", names[i], vct, title, ok ? "" : "(invalid: see the error above)");
		}
		if (ok)
			template_free(&t);
		free(names[i]);
	}
	free(names);
	store_close(&s);
	if (c->json)
		cli_json_print(arr);
	else
		json_decref(arr);
	return CLI_EXIT_OK;
}

int cmd_template(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTIONS,
					      { "name", 1, NULL, OPT_NAME },
					      { "replace", 0, NULL, OPT_REPLACE },
					      { "out", 1, NULL, OPT_OUT },
					      { 0, 0, 0, 0 } };
	issuer_common c = { NULL, CLI_PASS_SRC_INIT, false, false };
	const char *sub, *name = NULL, *out = NULL;
	bool bad = false, replace = false;
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
		else if (common_option(&c, opt, optarg, "template", &bad))
			;
		else if (opt == OPT_NAME)
			name = optarg;
		else if (opt == OPT_REPLACE)
			replace = true;
		else if (opt == OPT_OUT)
			out = optarg;
		else
			return cli_usage_error("template", "unknown option");
	}
	if (bad)
		return CLI_EXIT_ERROR;
	if (c.help) {
		fputs(help, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "add") == 0) {
		if (optind + 1 != argc)
			return cli_usage_error("template", "template add needs exactly one FILE.json");
		if (!need_dir(&c, "template"))
			return CLI_EXIT_ERROR;
		return add(&c, argv[optind], name, replace);
	}
	if (strcmp(sub, "list") == 0) {
		if (optind != argc)
			return cli_usage_error("template", "unexpected argument '%s'", argv[optind]);
		if (!need_dir(&c, "template"))
			return CLI_EXIT_ERROR;
		return list(&c);
	}
	if (strcmp(sub, "spec") == 0) {
		if (optind + 1 != argc || !out)
			return cli_usage_error("template", "template spec needs one template NAME and --out FILE");
		if (!need_dir(&c, "template"))
			return CLI_EXIT_ERROR;
		return spec(&c, argv[optind], out);
	}
	return cli_usage_error("template", "unknown subcommand '%s' (use add, list or spec)", sub);
}
