/* leerpas-verifier status: cache the status lists schools publish (so that
 * checking a credential never contacts its school) and show their age. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>

#include "cli.h"
#include "leerpas/fileio.h"
#include "leerpas/status.h"
#include "vf.h"

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier status import FILE [--store DIR] [--at TIME]\n"
	      "       leerpas-verifier status list [--json] [--store DIR] [--at TIME]\n"
	      "\n"
	      "import: cache a school's signed status list (the file 'leerpas-issuer status\n"
	      "        publish' wrote). It must be signed by a school in the trust store and\n"
	      "        not older than the copy already cached.\n"
	      "list:   the cached lists, who signed them, and how old they are.\n"
	      "Refresh the lists regularly: a verdict reports the age of the status used,\n"
	      "and 'verify --require-status' refuses credentials without fresh status.\n",
	      f);
}

static void age_text(int64_t secs, char *out, size_t cap)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		(void)snprintf(out, cap, "%lld seconds", (long long)secs);
	else if (secs < 7200)
		(void)snprintf(out, cap, "%lld minutes", (long long)(secs / 60));
	else if (secs < 172800)
		(void)snprintf(out, cap, "%lld hours", (long long)(secs / 3600));
	else
		(void)snprintf(out, cap, "%lld days", (long long)(secs / 86400));
}

static int import(const vf_store *st, const char *file, int64_t now)
{
	lp_buf b = { 0 };
	if (cli_read_file(file, LP_STATUS_MAX_TOKEN, "status list", &b))
		return CLI_EXIT_ERROR;
	lp_trust_store *ts = vf_trust_load(st, true);
	if (!ts) {
		lp_buf_free(&b);
		return CLI_EXIT_ERROR;
	}
	lp_status_token tok;
	char *issuer = NULL;
	lp_diag d = { 0 };
	lp_err rc = lp_trust_verify_status(ts, lp_buf_view(&b), 0, &tok, &issuer, &d);
	lp_trust_store_free(ts);
	if (rc) {
		lp_buf_free(&b);
		return cli_fail(rc,
				rc == LP_ERR_UNTRUSTED ? "import the trust list (or pin the school) that names the school first"
						       : "use the status list file exactly as the school published it",
				"status list '%s' not imported: %s", file, d.msg[0] ? d.msg : "");
	}
	char fname[96], p[VF_PATH_MAX];
	vf_id_filename(tok.uri, ".cwt", fname);
	int ex = CLI_EXIT_ERROR;
	if (!vf_path(st, "status", fname, p))
		goto out;
	lp_buf old = { 0 };
	if (lp_file_read(p, LP_STATUS_MAX_TOKEN, &old) == LP_OK) {
		lp_status_token ot;
		if (lp_status_token_parse(lp_buf_view(&old), 0, &ot, NULL) == LP_OK) {
			bool older = ot.iat > tok.iat;
			lp_status_token_free(&ot);
			if (older) {
				lp_buf_free(&old);
				cli_error("nothing to do: the cached copy is newer",
					  "status list '%s' is older than the cached one for %s", file, tok.uri);
				ex = CLI_EXIT_FAIL;
				goto out;
			}
		}
		lp_buf_free(&old);
	}
	if (cli_write_file(p, lp_buf_view(&b), 0600, false, "status list") != LP_OK)
		goto out;
	char iat[32], age[32];
	cli_time_iso(tok.iat, iat);
	age_text(now - tok.iat, age, sizeof age);
	printf("Status list imported: %s\n", tok.uri);
	printf("  signed by %s, issued %s (%s ago), %zu entries of %u bits\n", issuer, iat, age,
	       tok.list.count, tok.list.bits);
	if (tok.exp) {
		char exp[32];
		cli_time_iso(tok.exp, exp);
		printf("  valid until %s\n", exp);
	}
	lp_status_freshness f = lp_status_token_freshness(&tok, now);
	if (f != LP_STATUS_FRESH)
		cli_warn("this status list is %s: ask the school for its current one",
			 lp_status_freshness_str(f));
	ex = CLI_EXIT_OK;
out:
	free(issuer);
	lp_status_token_free(&tok);
	lp_buf_free(&b);
	return ex;
}

static int list(const vf_store *st, bool as_json, int64_t now)
{
	char dirp[VF_PATH_MAX];
	if (!vf_path(st, NULL, "status", dirp))
		return CLI_EXIT_ERROR;
	lp_trust_store *ts = vf_trust_load(st, true);
	if (!ts)
		return CLI_EXIT_ERROR;
	json_t *arr = json_array();
	DIR *dir = opendir(dirp);
	struct dirent *e;
	while (dir && (e = readdir(dir)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".cwt") != 0)
			continue;
		char p[VF_PATH_MAX];
		lp_buf b = { 0 };
		if (!vf_path(st, "status", e->d_name, p) ||
		    lp_file_read(p, LP_STATUS_MAX_TOKEN, &b) != LP_OK)
			continue;
		lp_status_token tok;
		char *issuer = NULL;
		lp_err rc = lp_trust_verify_status(ts, lp_buf_view(&b), 0, &tok, &issuer, NULL);
		lp_buf_free(&b);
		if (rc) {
			json_array_append_new(arr, json_pack("{s:s,s:s}", "file", p, "problem",
							     "no longer verifies with the trust store"));
			continue;
		}
		char iat[32];
		cli_time_iso(tok.iat, iat);
		json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "uri", tok.uri, "issuer", issuer,
				      "issued_at", iat, "age_seconds", (json_int_t)(now - tok.iat),
				      "entries", (json_int_t)tok.list.count, "freshness",
				      lp_status_freshness_str(lp_status_token_freshness(&tok, now)));
		if (o && tok.exp) {
			char exp[32];
			cli_time_iso(tok.exp, exp);
			json_object_set_new(o, "expires", json_string(exp));
		}
		json_array_append_new(arr, o);
		free(issuer);
		lp_status_token_free(&tok);
	}
	if (dir)
		closedir(dir);
	lp_trust_store_free(ts);
	if (as_json)
		return cli_json_print(json_pack("{s:o}", "status_lists", arr)) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	size_t i;
	json_t *v;
	if (json_array_size(arr) == 0)
		printf("No status lists cached. Import one with: leerpas-verifier status import FILE\n");
	json_array_foreach(arr, i, v) {
		if (json_object_get(v, "problem")) {
			printf("%s: %s\n", json_string_value(json_object_get(v, "file")),
			       json_string_value(json_object_get(v, "problem")));
			continue;
		}
		char age[32];
		age_text((int64_t)json_integer_value(json_object_get(v, "age_seconds")), age, sizeof age);
		printf("%s\n  from %s, issued %s (%s ago, %s), %lld entries\n",
		       json_string_value(json_object_get(v, "uri")),
		       json_string_value(json_object_get(v, "issuer")),
		       json_string_value(json_object_get(v, "issued_at")), age,
		       json_string_value(json_object_get(v, "freshness")),
		       (long long)json_integer_value(json_object_get(v, "entries")));
	}
	json_decref(arr);
	return CLI_EXIT_OK;
}

int vf_cmd_status(int argc, char **argv)
{
	const char *store = NULL, *at = NULL;
	bool as_json = false, help = false;
	const vf_opt opts[] = {
		{ "--store", true, &store, NULL, NULL, NULL, 0 },
		{ "--at", true, &at, NULL, NULL, NULL, 0 },
		{ "--json", false, NULL, &as_json, NULL, NULL, 0 },
		{ NULL, false, NULL, NULL, NULL, NULL, 0 },
	};
	const char *pos[3];
	size_t np;
	int ex = vf_parse(argc, argv, opts, pos, 3, &np, "status", &help);
	if (ex)
		return ex;
	if (help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	int64_t now = (int64_t)time(NULL);
	if (at && !cli_time_parse(at, &now))
		return cli_usage_error("status", "--at '%s' is not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds)", at);
	vf_store st;
	if ((ex = vf_store_open(store, true, &st)) != 0)
		return ex;
	if (np == 2 && strcmp(pos[0], "import") == 0)
		return import(&st, pos[1], now);
	if (np == 1 && strcmp(pos[0], "list") == 0)
		return list(&st, as_json, now);
	usage(stderr);
	return cli_usage_error("status", "say what to do: import FILE or list");
}
