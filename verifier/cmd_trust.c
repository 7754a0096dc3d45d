/* leerpas-verifier trust: anchors whose signed trust lists are accepted,
 * importing such lists, pinning one school by hand, and listing it all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vf.h"

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier trust anchor add KEYFILE [--store DIR]\n"
	      "       leerpas-verifier trust import LIST [--store DIR]\n"
	      "       leerpas-verifier trust pin ISSUER.json [--store DIR]\n"
	      "       leerpas-verifier trust list [--json] [--store DIR]\n"
	      "\n"
	      "anchor add: trust lists signed by this accreditation body (its public key\n"
	      "            file, JSON) will be accepted.\n"
	      "import:     a signed trust list (.cose) of recognised schools; it must be\n"
	      "            signed by an anchor added before, and newer than the one held.\n"
	      "pin:        recognise one school's description (from leerpas-issuer export)\n"
	      "            directly, for all time; use only for a school you checked yourself.\n"
	      "list:       the anchors, lists and recognised schools with their keys.\n",
	      f);
}

static int anchor_add(const vf_store *st, const char *file)
{
	lp_buf b = { 0 };
	if (cli_read_file(file, 64 * 1024, "trust anchor key file", &b))
		return CLI_EXIT_ERROR;
	lp_trust_store *ts = vf_trust_load(st, true);
	if (!ts) {
		lp_buf_free(&b);
		return CLI_EXIT_ERROR;
	}
	lp_diag d = { 0 };
	lp_err rc = lp_trust_add_anchor(ts, lp_buf_view(&b), &d);
	lp_trust_store_free(ts);
	if (rc) {
		lp_buf_free(&b);
		cli_error(rc == LP_ERR_EXISTS ? "remove the old anchor file from the store first if the body really changed its key"
					      : "ask the accreditation body for its public key file",
			  "'%s' is not accepted as a trust anchor: %s", file, d.msg[0] ? d.msg : lp_err_str(rc));
		return rc == LP_ERR_EXISTS ? CLI_EXIT_FAIL : CLI_EXIT_ERROR;
	}
	json_t *j = json_loadb((const char *)b.ptr, b.len, 0, NULL);
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *name = json_string_value(json_object_get(j, "name"));
	char fname[96], p[VF_PATH_MAX];
	vf_id_filename(id ? id : "anchor", ".json", fname);
	int ex = CLI_EXIT_ERROR;
	if (vf_path(st, "anchors", fname, p) &&
	    cli_write_file(p, lp_buf_view(&b), 0600, false, "trust anchor") == LP_OK) {
		printf("Trust anchor added: %s%s%s%s\n", id, name ? " (" : "", name ? name : "",
		       name ? ")" : "");
		printf("Import its signed trust list with: leerpas-verifier trust import LIST\n");
		ex = CLI_EXIT_OK;
	}
	json_decref(j);
	lp_buf_free(&b);
	return ex;
}

static int import_list(const vf_store *st, const char *file)
{
	lp_buf b = { 0 };
	if (cli_read_file(file, LP_TRUST_MAX_LIST, "trust list", &b))
		return CLI_EXIT_ERROR;
	lp_trust_store *ts = vf_trust_load(st, true);
	if (!ts) {
		lp_buf_free(&b);
		return CLI_EXIT_ERROR;
	}
	lp_diag d = { 0 };
	char *anchor = NULL;
	lp_err rc = lp_trust_add_list_named(ts, lp_buf_view(&b), &anchor, &d);
	if (rc) {
		lp_trust_store_free(ts);
		lp_buf_free(&b);
		const char *todo = rc == LP_ERR_UNTRUSTED ? "add the accreditation body's key first: leerpas-verifier trust anchor add KEYFILE"
				   : rc == LP_ERR_SIGNATURE ? "the file was changed after signing; get the original from the accreditation body"
				   : rc == LP_ERR_POLICY ? "you already have a newer list; nothing to do"
							 : "check that this is a leerpas trust list (.cose)";
		return cli_fail(rc, todo, "trust list '%s' not imported: %s", file, d.msg[0] ? d.msg : "");
	}
	char fname[96], p[VF_PATH_MAX];
	vf_id_filename(anchor, ".cose", fname);
	int ex = CLI_EXIT_ERROR;
	if (vf_path(st, "lists", fname, p) &&
	    cli_write_file(p, lp_buf_view(&b), 0600, false, "trust list") == LP_OK) {
		lp_buf js = { 0 };
		size_t n = 0;
		if (lp_trust_store_describe(ts, &js) == LP_OK) {
			json_t *j = json_loadb((const char *)js.ptr, js.len, 0, NULL);
			size_t i;
			json_t *l;
			json_array_foreach(json_object_get(j, "lists"), i, l) {
				if (strcmp(json_string_value(json_object_get(l, "anchor")), anchor) == 0)
					n = (size_t)json_integer_value(json_object_get(l, "schools"));
			}
			json_decref(j);
			lp_buf_free(&js);
		}
		printf("Trust list from %s imported: %zu recognised school%s.\n", anchor, n,
		       n == 1 ? "" : "s");
		ex = CLI_EXIT_OK;
	}
	free(anchor);
	lp_trust_store_free(ts);
	lp_buf_free(&b);
	return ex;
}

static int pin(const vf_store *st, const char *file)
{
	lp_buf b = { 0 };
	if (cli_read_file(file, LP_TRUST_MAX_DESC, "issuer description", &b))
		return CLI_EXIT_ERROR;
	lp_trust_store *ts = NULL;
	lp_diag d = { 0 };
	lp_err rc = lp_trust_store_new(&ts);
	if (!rc)
		rc = lp_trust_pin(ts, lp_buf_view(&b), &d);
	lp_trust_store_free(ts);
	if (rc) {
		lp_buf_free(&b);
		return cli_fail(rc, "use the JSON file the school exported with 'leerpas-issuer export'",
				"'%s' is not a valid issuer description: %s", file, d.msg);
	}
	json_t *j = json_loadb((const char *)b.ptr, b.len, 0, NULL);
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *name = json_string_value(json_object_get(j, "name"));
	char fname[96], p[VF_PATH_MAX];
	vf_id_filename(id, ".json", fname);
	int ex = CLI_EXIT_ERROR;
	if (vf_path(st, "pins", fname, p) &&
	    cli_write_file(p, lp_buf_view(&b), 0600, false, "pinned school") == LP_OK) {
		printf("School pinned: %s (%s)\n", name, id);
		printf("Credentials it signed with the keys in '%s' are now accepted, at any date.\n",
		       file);
		ex = CLI_EXIT_OK;
	}
	json_decref(j);
	lp_buf_free(&b);
	return ex;
}

static const char *str_or(const json_t *v, const char *dflt)
{
	const char *s = json_string_value(v);
	return s ? s : dflt;
}

static int list(const vf_store *st, bool as_json)
{
	lp_trust_store *ts = vf_trust_load(st, as_json);
	if (!ts)
		return CLI_EXIT_ERROR;
	lp_buf js = { 0 };
	lp_err rc = lp_trust_store_describe(ts, &js);
	lp_trust_store_free(ts);
	if (rc)
		return cli_fail(rc, NULL, "cannot describe the trust store");
	json_t *j = json_loadb((const char *)js.ptr, js.len, 0, NULL);
	lp_buf_free(&js);
	if (!j)
		return CLI_EXIT_ERROR;
	if (as_json) {
		json_object_set_new(j, "store", json_string(st->dir));
		return cli_json_print(j) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	}
	size_t i, k;
	json_t *v, *key;
	printf("Store: %s\n", st->dir);
	printf("Trust anchors:%s\n", json_array_size(json_object_get(j, "anchors")) ? "" : " none");
	json_array_foreach(json_object_get(j, "anchors"), i, v)
		printf("  %s  %s\n", str_or(json_object_get(v, "id"), "?"),
		       str_or(json_object_get(v, "name"), ""));
	printf("Trust lists:%s\n", json_array_size(json_object_get(j, "lists")) ? "" : " none");
	json_array_foreach(json_object_get(j, "lists"), i, v)
		printf("  from %s, issued %s, %lld schools\n", str_or(json_object_get(v, "anchor"), "?"),
		       str_or(json_object_get(v, "issued_at"), "?"),
		       (long long)json_integer_value(json_object_get(v, "schools")));
	printf("Recognised schools:%s\n", json_array_size(json_object_get(j, "schools")) ? "" : " none");
	json_array_foreach(json_object_get(j, "schools"), i, v) {
		printf("  %s (%s, %s)\n", str_or(json_object_get(v, "name"), "?"),
		       str_or(json_object_get(v, "id"), "?"), str_or(json_object_get(v, "country"), "?"));
		printf("    recognised by %s from %s until %s\n", str_or(json_object_get(v, "source"), "?"),
		       str_or(json_object_get(v, "recognised_from"), "?"),
		       str_or(json_object_get(v, "recognised_until"), "further notice"));
		printf("    credential types:");
		json_t *t;
		json_array_foreach(json_object_get(v, "credential_types"), k, t)
			printf(" %s", strcmp(str_or(t, ""), "*") == 0 ? "all" : str_or(t, ""));
		printf("\n");
		json_array_foreach(json_object_get(v, "keys"), k, key)
			printf("    key %s (%s) valid from %s until %s\n", str_or(json_object_get(key, "kid"), "?"),
			       str_or(json_object_get(key, "alg"), "?"),
			       str_or(json_object_get(key, "valid_from"), "?"),
			       str_or(json_object_get(key, "valid_until"), "now (current)"));
		json_array_foreach(json_object_get(v, "predecessors"), k, key)
			printf("    merged in: %s (%s)\n", str_or(json_object_get(key, "name"), "?"),
			       str_or(json_object_get(key, "id"), "?"));
	}
	json_decref(j);
	return CLI_EXIT_OK;
}

int vf_cmd_trust(int argc, char **argv)
{
	const char *store = NULL;
	bool as_json = false, help = false;
	const vf_opt opts[] = {
		{ "--store", true, &store, NULL, NULL, NULL, 0 },
		{ "--json", false, NULL, &as_json, NULL, NULL, 0 },
		{ NULL, false, NULL, NULL, NULL, NULL, 0 },
	};
	const char *pos[4];
	size_t np;
	int ex = vf_parse(argc, argv, opts, pos, 4, &np, "trust", &help);
	if (ex)
		return ex;
	if (help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (np == 0) {
		usage(stderr);
		return cli_usage_error("trust", "say what to do: anchor add, import, pin or list");
	}
	vf_store st;
	ex = vf_store_open(store, true, &st);
	if (ex)
		return ex;
	if (strcmp(pos[0], "anchor") == 0 && np == 3 && strcmp(pos[1], "add") == 0)
		return anchor_add(&st, pos[2]);
	if (strcmp(pos[0], "import") == 0 && np == 2)
		return import_list(&st, pos[1]);
	if (strcmp(pos[0], "pin") == 0 && np == 2)
		return pin(&st, pos[1]);
	if (strcmp(pos[0], "list") == 0 && np == 1)
		return list(&st, as_json);
	usage(stderr);
	return cli_usage_error("trust", "unknown or incomplete trust command '%s'", pos[0]);
}
