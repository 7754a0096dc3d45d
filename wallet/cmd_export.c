/* leerpas-wallet export: the learner's data as open JSON for their own use,
 * with European Learning Model / Open Badges 3.0 names. Holder keys (the
 * secrets) are never exported. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet export --out FILE.json [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Write everything your wallet knows about your credentials as open JSON:\n"
	"each credential with all its claims (Open Badges 3.0 / European Learning\n"
	"Model names), the signed credentials themselves (base64url), and your\n"
	"presentation log. Your holder keys are not exported. The file is NOT\n"
	"encrypted: it holds your personal data, so keep it safe (mode 0600).\n"
	"\n"
	"Options:\n"
	"  --out FILE.json          where to write it (required)\n" WL_COMMON_HELP;

enum { OPT_OUT = WL_OPT_FIRST_OWN };

static const char *status_name(int s)
{
	return s == LP_WALLET_STATUS_VALID	   ? "valid"
	       : s == LP_WALLET_STATUS_REVOKED	   ? "revoked"
	       : s == LP_WALLET_STATUS_SUSPENDED ? "suspended"
						   : "unknown";
}

static json_t *export_cred(const lp_wallet_cred *cr)
{
	lp_wallet_credinfo ci;
	char t[32], hex[2 * 64 + 1];
	json_t *o = json_object();
	if (lp_wallet_inspect(cr->copies[0].sdcwt, &ci, NULL) != LP_OK) {
		cli_json_set(o, "name", json_string(cr->title));
		cli_json_set(o, "error", json_string("stored credential cannot be read"));
		return o;
	}
	json_t *types = json_array();
	json_array_append_new(types, json_string("VerifiableCredential"));
	json_array_append_new(types, json_string("OpenBadgeCredential"));
	if (ci.cti_len) {
		wl_hex(ci.cti, ci.cti_len, hex);
		char urn[160];
		snprintf(urn, sizeof urn, "urn:leerpas:cti:%s", hex);
		cli_json_set(o, "id", json_string(urn));
	}
	cli_json_set(o, "type", types);
	cli_json_set(o, "name", json_string(cr->title));
	json_t *iss = json_object();
	cli_json_set(iss, "id", json_string(ci.iss));
	cli_json_set(iss, "type", json_string("Profile"));
	cli_json_set(o, "issuer", iss);
	cli_json_set(o, "validFrom", json_string(cli_time_iso(ci.iat, t)));
	if (ci.has_exp)
		cli_json_set(o, "validUntil", json_string(cli_time_iso(ci.exp, t)));
	json_t *ach = json_loads(ci.shown_json, 0, NULL);
	if (!ach)
		ach = json_object();
	json_t *subject = json_object();
	for (size_t i = 0; i < ci.nredactable; i++) {
		json_t *v = json_loads(ci.redactable[i].json, JSON_DECODE_ANY, NULL);
		if (!v)
			continue;
		/* learner data goes with the subject, the rest with the achievement */
		const char *n = ci.redactable[i].name;
		if (strcmp(n, "fullName") == 0 || strcmp(n, "dateOfBirth") == 0 || strcmp(n, "studentId") == 0)
			json_object_set_new(subject, n, v);
		else
			json_object_set_new(ach, n, v);
	}
	/* Open Badges names the achievement "name"; ELM calls it "title" */
	json_t *title = json_object_get(ach, "title");
	if (title)
		json_object_set(ach, "name", title);
	json_t *at = json_array();
	json_array_append_new(at, json_string("Achievement"));
	json_object_set_new(ach, "type", at);
	if (ci.vct[0])
		json_object_set_new(ach, "achievementType", json_string(ci.vct));
	json_t *st = json_array();
	json_array_append_new(st, json_string("AchievementSubject"));
	cli_json_set(subject, "type", st);
	cli_json_set(subject, "achievement", ach);
	cli_json_set(o, "credentialSubject", subject);
	if (ci.has_status) {
		json_t *s = json_object();
		cli_json_set(s, "type", json_string("TokenStatusListEntry"));
		cli_json_set(s, "statusListIndex", json_integer((json_int_t)ci.status_idx));
		cli_json_set(s, "statusListCredential", json_string(ci.status_uri));
		cli_json_set(o, "credentialStatus", s);
	}
	json_t *lp = json_object();
	cli_json_set(lp, "walletId", json_string(cr->id));
	cli_json_set(lp, "importedAt", json_string(cli_time_iso(cr->imported, t)));
	cli_json_set(lp, "statusAsLastKnown", json_string(status_name(cr->status)));
	if (cr->status_time)
		cli_json_set(lp, "statusCheckedAt", json_string(cli_time_iso(cr->status_time, t)));
	json_t *copies = json_array();
	for (size_t i = 0; i < cr->ncopies; i++) {
		json_t *x = json_object();
		cli_json_set(x, "sdCwt", cli_json_b64url(cr->copies[i].sdcwt.ptr, cr->copies[i].sdcwt.len));
		cli_json_set(x, "uses", json_integer(cr->copies[i].uses));
		json_array_append_new(copies, x);
	}
	cli_json_set(lp, "copies", copies);
	cli_json_set(o, "leerpas", lp);
	lp_wallet_credinfo_free(&ci);
	return o;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "out", required_argument, NULL, OPT_OUT },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	lp_wallet *w = NULL;
	const char *out = NULL;
	char *text = NULL;
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "export", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h') {
			rc = wl_help(help, true);
			goto out;
		} else if (opt == OPT_OUT) {
			out = optarg;
		} else if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
			if (rc)
				goto out;
		} else {
			rc = cli_usage_error("export", "unexpected option");
			goto out;
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind != argc) {
		rc = cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!out) {
		rc = cli_usage_error("export", "--out FILE.json is required");
		goto out;
	}
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	char t[32];
	json_t *doc = json_object();
	cli_json_set(doc, "exportedAt", json_string(cli_time_iso(wl_now(), t)));
	cli_json_set(doc, "generator", json_string("leerpas-wallet 0.1.0"));
	json_t *creds = json_array();
	for (size_t i = 0; i < lp_wallet_cred_count(w); i++)
		json_array_append_new(creds, export_cred(lp_wallet_cred_at(w, i)));
	cli_json_set(doc, "credentials", creds);
	json_t *log = json_array();
	for (size_t i = 0; i < lp_wallet_log_count(w); i++) {
		const lp_wallet_log *l = lp_wallet_log_at(w, i);
		json_t *o = json_object();
		cli_json_set(o, "time", json_string(cli_time_iso(l->time, t)));
		cli_json_set(o, "credential", json_string(l->cred_id));
		cli_json_set(o, "copy", json_integer((json_int_t)l->copy + 1));
		cli_json_set(o, "audience", l->audience[0] ? json_string(l->audience) : json_null());
		cli_json_set(o, "challenge", l->challenge[0] ? json_string(l->challenge) : json_null());
		json_t *cl = json_array();
		for (size_t j = 0; j < l->nclaims; j++)
			json_array_append_new(cl, json_string(l->claims[j]));
		cli_json_set(o, "disclosed", cl);
		json_array_append_new(log, o);
	}
	cli_json_set(doc, "presentations", log);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text) {
		rc = cli_fail(LP_ERR_NOMEM, NULL, "cannot write the export");
		goto out;
	}
	size_t n = strlen(text);
	char *nl = realloc(text, n + 2); /* end the file with a newline */
	if (!nl) {
		rc = cli_fail(LP_ERR_NOMEM, NULL, "cannot write the export");
		goto out;
	}
	text = nl;
	text[n++] = '\n';
	text[n] = '\0';
	if (cli_write_file(out, lp_view_of((const uint8_t *)text, n), 0600, false, "export") != LP_OK) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	printf("Exported %zu credential%s and %zu presentation%s to %s.\n", lp_wallet_cred_count(w),
	       lp_wallet_cred_count(w) == 1 ? "" : "s", lp_wallet_log_count(w),
	       lp_wallet_log_count(w) == 1 ? "" : "s", out);
	rc = CLI_EXIT_OK;
out:
	free(text);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
