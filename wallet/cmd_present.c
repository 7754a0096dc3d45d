/* leerpas-wallet present: a presentation revealing only the claims the
 * learner names, bound to the verifier's audience and challenge, shown as a
 * QR code (PNG, SVG, terminal) or as LP1 text. Before it is made the
 * learner sees exactly what the verifier will see. An unused copy is taken
 * first; every presentation is logged in the wallet. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "leerpas/codec.h"
#include "leerpas/qr.h"
#include "leerpas/sdcwt.h"
#include "wallet_cli.h"

static const char help[] =
	"Usage: leerpas-wallet present ID --show CLAIM,CLAIM [--audience A] [--challenge C]\n"
	"                              [--qr-png F] [--qr-svg F] [--qr-terminal] [--text]\n"
	"                              [--details | --no-details]\n"
	"                              [--yes] [--json] [--wallet FILE] [--passphrase-file F]\n"
	"\n"
	"Show credential ID to a verifier. The claims that are always shown (title,\n"
	"school, level, credits, date, ...) are always in it; of the others, only\n"
	"those you name with --show (e.g. --show fullName,grade; 'leerpas-wallet\n"
	"show ID' lists them; --show none shows none). Before anything is made you\n"
	"see exactly what the verifier will see; on a terminal you are asked to\n"
	"confirm. Each presentation is recorded in your wallet's log.\n"
	"\n"
	"Options:\n"
	"  --show LIST              the claims to reveal, comma-separated (required)\n"
	"  --audience A             the verifier's identifier, when it gave you one;\n"
	"                           without it the presentation is for anyone who\n"
	"                           scans it (e.g. printed on your CV)\n"
	"  --challenge C            the challenge code the verifier gave you (case,\n"
	"                           dashes and spaces do not matter)\n"
	"  --qr-png F               write the QR code as a PNG image\n"
	"  --qr-svg F               write the QR code as an SVG image\n"
	"  --qr-terminal            draw the QR code in the terminal\n"
	"  --text                   print the LP1: text (the default without outputs)\n"
	"  --details, --no-details  include the achievement's description (learning\n"
	"                           outcomes, assessment, ...) or only its digest.\n"
	"                           Default: only the digest in a QR code (small;\n"
	"                           verifiers with the school's published description\n"
	"                           show it), the whole description in text alone\n"
	"  --yes                    do not ask for confirmation\n" WL_COMMON_HELP
	"  --json                   print what was made as JSON\n";

enum { OPT_SHOW = WL_OPT_FIRST_OWN, OPT_AUD, OPT_CHAL, OPT_PNG, OPT_SVG, OPT_TERM, OPT_TEXT, OPT_YES,
       OPT_DETAILS, OPT_NO_DETAILS };

#define MAX_SHOW 64

/* The name of the redactable claim token t means (JSON name or label,
 * case-insensitive), or NULL. */
static const char *match_redactable(const lp_wallet_credinfo *ci, const char *t)
{
	for (size_t i = 0; i < ci->nredactable; i++) {
		const char *n = ci->redactable[i].name;
		if (strcasecmp(n, t) == 0 || strcasecmp(wl_claim_label(n), t) == 0)
			return n;
	}
	return NULL;
}

static bool match_shown(json_t *shown, const char *t)
{
	const char *k;
	json_t *v;
	json_object_foreach(shown, k, v)
	{
		if (strcasecmp(k, t) == 0 || strcasecmp(wl_claim_label(k), t) == 0)
			return true;
	}
	return false;
}

/* Pick the copy to use: the first never used, else the least used. */
static size_t pick_copy(const lp_wallet_cred *c)
{
	size_t best = 0;
	for (size_t i = 1; i < c->ncopies; i++)
		if (c->copies[i].uses < c->copies[best].uses)
			best = i;
	return best;
}

/* A challenge code typed by a person (like leerpas-verifier's "Q7X2-9KLM-
 * 4TRB"): Crockford base32 letters and digits with dashes or spaces. Read
 * like the recovery key: case, dashes and spaces do not matter, O is 0 and
 * I/L are 1; the presentation carries the normalised code (uppercase, no
 * separators), which the verifier compares. Other challenges (a nonce from a
 * verifier's QR code) are carried byte for byte. */
static void normalise_challenge(const char *in, char *out, size_t outsz)
{
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		char c = (char)toupper((unsigned char)*p);
		if (c == '-' || c == ' ')
			continue;
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!strchr(crockford, c) || n + 1 >= outsz || n >= 16) {
			snprintf(out, outsz, "%s", in);
			return;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, outsz, "%s", in);
}

static bool confirm(void)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return false;
	fputs("Make this presentation? [y/N] ", tty);
	fflush(tty);
	char line[16];
	bool yes = fgets(line, sizeof line, tty) && (line[0] == 'y' || line[0] == 'Y');
	fclose(tty);
	return yes;
}

int cmd_present(int argc, char **argv)
{
	static const struct option opts[] = {
		WL_COMMON_LONGOPTS,
		{ "show", required_argument, NULL, OPT_SHOW },
		{ "audience", required_argument, NULL, OPT_AUD },
		{ "challenge", required_argument, NULL, OPT_CHAL },
		{ "qr-png", required_argument, NULL, OPT_PNG },
		{ "qr-svg", required_argument, NULL, OPT_SVG },
		{ "qr-terminal", no_argument, NULL, OPT_TERM },
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "details", no_argument, NULL, OPT_DETAILS },
		{ "no-details", no_argument, NULL, OPT_NO_DETAILS },
		{ NULL, 0, NULL, 0 },
	};
	struct wl_ctx c;
	const char *show = NULL, *aud = NULL, *chal = NULL, *png = NULL, *svg = NULL;
	bool term = false, text = false, yes = false;
	int details = -1; /* -1: by output (QR: no; text alone: yes) */
	char *showbuf = NULL;
	const char *disclose[MAX_SHOW];
	size_t ndisclose = 0;
	lp_wallet *w = NULL;
	lp_wallet_credinfo ci;
	json_t *shown = NULL;
	lp_buf pres = { NULL, 0 }, qrtext = { NULL, 0 }, img = { NULL, 0 };
	lp_qr qr;
	memset(&qr, 0, sizeof qr);
	memset(&ci, 0, sizeof ci);
	int opt, rc = CLI_EXIT_ERROR;
	wl_ctx_init(&c, "present", argv);
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			rc = wl_help(help, true);
			goto out;
		case OPT_SHOW:
			show = optarg;
			break;
		case OPT_AUD:
			aud = optarg;
			break;
		case OPT_CHAL:
			chal = optarg;
			break;
		case OPT_PNG:
			png = optarg;
			break;
		case OPT_SVG:
			svg = optarg;
			break;
		case OPT_TERM:
			term = true;
			break;
		case OPT_TEXT:
			text = true;
			break;
		case OPT_YES:
			yes = true;
			break;
		case OPT_DETAILS:
		case OPT_NO_DETAILS:
			if (details != -1 && details != (opt == OPT_DETAILS)) {
				rc = cli_usage_error("present", "give --details or --no-details, not both");
				goto out;
			}
			details = opt == OPT_DETAILS;
			break;
		default:
			if ((rc = wl_common_opt(&c, opt, optarg)) != -1) {
				if (rc)
					goto out;
			} else {
				rc = cli_usage_error("present", "unexpected option");
				goto out;
			}
		}
	}
	rc = CLI_EXIT_ERROR; /* from here on every failure is an error */
	if (optind + 1 != argc) {
		rc = cli_usage_error("present", "name one credential id ('leerpas-wallet list' shows them)");
		goto out;
	}
	if (!show) {
		rc = cli_usage_error("present", "say which claims to reveal with --show CLAIM,CLAIM "
						"(or --show none)");
		goto out;
	}
	if (aud && (!*aud || strlen(aud) > LP_WALLET_STR_MAX)) {
		rc = cli_usage_error("present", "--audience must be 1 to %u characters", LP_WALLET_STR_MAX);
		goto out;
	}
	if (chal && (!*chal || strlen(chal) > 64)) {
		rc = cli_usage_error("present", "--challenge must be 1 to 64 characters");
		goto out;
	}
	char chalbuf[72];
	if (chal) {
		normalise_challenge(chal, chalbuf, sizeof chalbuf);
		chal = chalbuf;
	}
	if (!png && !svg && !term && !text)
		text = true;
	if (details == -1)
		details = !(png || svg || term);
	if ((rc = wl_open(&c, &w)) != 0)
		goto out;
	const lp_wallet_cred *cr = wl_find_cred(w, argv[optind]);
	if (!cr) {
		rc = CLI_EXIT_ERROR;
		goto out;
	}
	char id[LP_WALLET_ID_MAX + 1];
	snprintf(id, sizeof id, "%s", cr->id);
	size_t copy = pick_copy(cr);
	bool reused = cr->copies[copy].uses > 0;
	lp_diag d;
	memset(&d, 0, sizeof d);
	lp_err e = lp_wallet_inspect(cr->copies[copy].sdcwt, &ci, &d);
	if (e != LP_OK) {
		rc = cli_fail(e, "remove it and import it again", "stored credential '%s' cannot be read (%s)",
			      id, d.msg);
		goto out;
	}
	const lp_wallet_key *key = lp_wallet_key_find(w, cr->copies[copy].holder_pk);
	if (!key) {
		rc = cli_fail(LP_ERR_NOT_BOUND, "restore a backup that has it",
			      "the holder key of '%s' is missing from the wallet", id);
		goto out;
	}
	shown = json_loads(ci.shown_json, 0, NULL);
	if (!shown)
		shown = json_object();
	/* --show: each name a redactable claim (or an always-shown one: no-op) */
	showbuf = strdup(show);
	if (!showbuf) {
		rc = cli_fail(LP_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (strcasecmp(show, "none") != 0) {
		for (char *save = NULL, *t = strtok_r(showbuf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			for (size_t l = strlen(t); l && t[l - 1] == ' ';)
				t[--l] = '\0';
			if (!*t)
				continue;
			const char *n = match_redactable(&ci, t);
			if (n) {
				bool dup = false;
				for (size_t i = 0; i < ndisclose; i++)
					dup |= strcmp(disclose[i], n) == 0;
				if (!dup && ndisclose < MAX_SHOW)
					disclose[ndisclose++] = n;
			} else if (!match_shown(shown, t)) {
				char avail[512] = "";
				size_t al = 0;
				for (size_t i = 0; i < ci.nredactable; i++) {
					int k = snprintf(avail + al, sizeof avail - al, "%s%s", i ? ", " : "",
							 ci.redactable[i].name);
					if (k > 0 && (size_t)k < sizeof avail - al)
						al += (size_t)k;
				}
				rc = cli_usage_error("present", "'%s' has no claim '%s'; you can choose from: %s",
						     id, t, al ? avail : "(none: everything is always shown)");
				goto out;
			}
		}
	}
	/* What the verifier will see. */
	char t1[32];
	fprintf(stderr, "The verifier will see:\n");
	fprintf(stderr, "  School: %s\n", ci.iss);
	if (ci.vct[0])
		fprintf(stderr, "  Type: %s\n", ci.vct);
	fprintf(stderr, "  Issued: %s\n", cli_time_iso(ci.iat, t1));
	if (ci.has_exp)
		fprintf(stderr, "  Expires: %s\n", cli_time_iso(ci.exp, t1));
	wl_print_claims(stderr, ci.shown_json, "  ");
	for (size_t i = 0; i < ndisclose; i++)
		for (size_t j = 0; j < ci.nredactable; j++)
			if (strcmp(ci.redactable[j].name, disclose[i]) == 0) {
				char *v = wl_json_value_text(ci.redactable[j].json);
				fprintf(stderr, "  %s: %s\n", wl_claim_label(disclose[i]), v ? v : "?");
				free(v);
			}
	bool any_withheld = false;
	for (size_t j = 0; j < ci.nredactable; j++) {
		bool chosen = false;
		for (size_t i = 0; i < ndisclose; i++)
			chosen |= strcmp(ci.redactable[j].name, disclose[i]) == 0;
		if (!chosen) {
			fprintf(stderr, "%s%s", any_withheld ? ", " : "Not shown: ",
				wl_claim_label(ci.redactable[j].name));
			any_withheld = true;
		}
	}
	if (any_withheld)
		fputc('\n', stderr);
	if (ci.has_spec_ref)
		fprintf(stderr, "Description (learning outcomes, assessment, ...): %s\n",
			details && ci.has_spec ? "included"
			: ci.has_spec ? "by its digest only (verifiers that have the school's published "
					"description show it; --details includes it)"
				      : "by its digest only (this copy does not carry it)");
	fprintf(stderr, "It is for: %s\n", aud ? aud : "anyone who scans it (no --audience)");
	if (chal)
		fprintf(stderr, "With the verifier's challenge: %s\n", chal);
	if (ci.has_exp && ci.exp <= wl_now())
		cli_warn("this credential expired on %s: verifiers will refuse it", cli_time_iso(ci.exp, t1));
	if (cr->status == LP_WALLET_STATUS_REVOKED || cr->status == LP_WALLET_STATUS_SUSPENDED)
		cli_warn("as far as your wallet knows, the school %s this credential",
			 cr->status == LP_WALLET_STATUS_REVOKED ? "revoked" : "suspended");
	if (reused)
		cli_warn("all %zu cop%s of '%s' were used before: verifiers who compare notes can link "
			 "this presentation to an earlier one; ask your school for new copies "
			 "('leerpas-wallet request --copies N')",
			 cr->ncopies, cr->ncopies == 1 ? "y" : "ies", id);
	if (!yes && isatty(STDIN_FILENO) && !confirm()) {
		fprintf(stderr, "Nothing was made.\n");
		rc = CLI_EXIT_FAIL;
		goto out;
	}

	lp_sdcwt_present_params pp;
	memset(&pp, 0, sizeof pp);
	pp.disclose = disclose;
	pp.disclose_count = ndisclose;
	pp.aud = aud ? aud : LP_WALLET_AUD_WALKUP;
	pp.iat = wl_now();
	pp.include_specification = details == 1;
	if (chal) {
		pp.cnonce = (const uint8_t *)chal;
		pp.cnonce_len = strlen(chal);
	}
	e = lp_sdcwt_present(cr->copies[copy].sdcwt, &pp, key->sk, &pres, &d);
	if (e != LP_OK) {
		rc = cli_fail(e, NULL, "cannot make the presentation (%s)", d.msg);
		goto out;
	}
	if ((e = lp_qrtext_encode(lp_buf_view(&pres), &qrtext)) != LP_OK) {
		rc = cli_fail(e, NULL, "cannot encode the presentation as text");
		goto out;
	}
	/* The QR code is needed for the pictures; the text works without it. */
	bool want_qr = png || svg || term;
	if ((e = lp_qr_encode(lp_buf_view(&qrtext), LP_QR_ECC_M, &qr)) != LP_OK && want_qr) {
		rc = cli_fail(e, "show fewer claims, or use --text", "the presentation does not fit a QR code");
		goto out;
	}
	/* Log first: a presentation the learner cannot account for is worse
	 * than one that was logged and then not shown. */
	lp_wallet_log entry;
	memset(&entry, 0, sizeof entry);
	entry.time = pp.iat;
	entry.cred_id = id;
	entry.copy = (uint32_t)copy;
	entry.audience = aud ? aud : "";
	entry.challenge = chal ? chal : "";
	entry.nclaims = ndisclose;
	entry.claims = disclose;
	if ((e = lp_wallet_log_add(w, &entry)) != LP_OK || (e = lp_wallet_copy_use(w, id, copy)) != LP_OK) {
		rc = cli_fail(e, NULL, "cannot record the presentation");
		goto out;
	}
	if ((rc = wl_save(w)) != 0)
		goto out;
	rc = CLI_EXIT_OK;
	if (png) {
		if ((e = lp_qr_to_png(&qr, 8, &img)) != LP_OK ||
		    cli_write_file(png, lp_buf_view(&img), 0644, false, "QR image") != LP_OK)
			rc = e != LP_OK ? cli_fail(e, NULL, "cannot draw the QR code") : CLI_EXIT_ERROR;
		lp_buf_free(&img);
	}
	if (svg && rc == CLI_EXIT_OK) {
		if ((e = lp_qr_to_svg(&qr, 8, &img)) != LP_OK ||
		    cli_write_file(svg, lp_buf_view(&img), 0644, false, "QR image") != LP_OK)
			rc = e != LP_OK ? cli_fail(e, NULL, "cannot draw the QR code") : CLI_EXIT_ERROR;
		lp_buf_free(&img);
	}
	if (term && rc == CLI_EXIT_OK) {
		if ((e = lp_qr_to_text(&qr, isatty(STDOUT_FILENO) ? LP_QR_TEXT_ANSI : LP_QR_TEXT_DARK_ON_LIGHT,
				       &img)) != LP_OK)
			rc = cli_fail(e, NULL, "cannot draw the QR code");
		else
			fwrite(img.ptr, 1, img.len, stdout);
		lp_buf_free(&img);
	}
	if (rc != CLI_EXIT_OK)
		goto out;
	size_t unused = 0;
	cr = lp_wallet_cred_find(w, id);
	for (size_t i = 0; cr && i < cr->ncopies; i++)
		unused += cr->copies[i].uses == 0;
	if (c.json) {
		json_t *o = json_object();
		cli_json_set(o, "credential", json_string(id));
		cli_json_set(o, "text", json_stringn((const char *)qrtext.ptr, qrtext.len));
		cli_json_set(o, "characters", json_integer((json_int_t)qrtext.len));
		cli_json_set(o, "qrVersion", qr.version ? json_integer(qr.version) : json_null());
		cli_json_set(o, "qrEcc", json_string("M"));
		cli_json_set(o, "copy", json_integer((json_int_t)copy + 1));
		cli_json_set(o, "unusedCopies", json_integer((json_int_t)unused));
		json_t *ds = json_array();
		for (size_t i = 0; i < ndisclose; i++)
			json_array_append_new(ds, json_string(disclose[i]));
		cli_json_set(o, "disclosed", ds);
		cli_json_set(o, "audience", json_string(pp.aud));
		cli_json_set(o, "details", json_boolean(ci.has_spec_ref ? pp.include_specification : true));
		if (chal)
			cli_json_set(o, "challenge", json_string(chal));
		if (!cli_json_print(o))
			rc = CLI_EXIT_ERROR;
	} else if (text) {
		printf("%s\n", (const char *)qrtext.ptr);
	}
	if (qr.version)
		fprintf(stderr, "Presentation of '%s': %zu characters, QR version %d (error correction M), copy %zu of %zu.\n",
			id, qrtext.len, qr.version, copy + 1, cr ? cr->ncopies : 0);
	else
		fprintf(stderr, "Presentation of '%s': %zu characters (too long for a QR code), copy %zu of %zu.\n",
			id, qrtext.len, copy + 1, cr ? cr->ncopies : 0);
	if (png)
		fprintf(stderr, "QR image: %s\n", png);
	if (svg)
		fprintf(stderr, "QR image: %s\n", svg);
	if (cr && cr->ncopies > 1 && unused == 0 && !reused)
		fprintf(stderr, "That was the last unused copy of '%s'.\n", id);
	if (fflush(stdout) != 0)
		rc = CLI_EXIT_ERROR;
out:
	json_decref(shown);
	free(showbuf);
	lp_qr_free(&qr);
	lp_buf_free(&pres);
	lp_buf_free(&qrtext);
	lp_buf_free(&img);
	lp_wallet_credinfo_free(&ci);
	lp_wallet_close(w);
	wl_ctx_free(&c);
	return rc;
}
