/* leerpas-verifier challenge: a fresh one-time code (the cnonce a learner's
 * presentation must carry) with this verifier's audience, shown as text a
 * person can type and as a QR code; remembered until used or expired. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "leerpas/qr.h"
#include "vf.h"

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier challenge [--qr-png FILE] [--qr-terminal] [--ttl SECONDS]\n"
	      "                                  [--audience A] [--json] [--store DIR] [--at TIME]\n"
	      "\n"
	      "Make a one-time challenge. The learner answers it with\n"
	      "  leerpas-wallet present ID --audience AUDIENCE --challenge CODE ...\n"
	      "and you check the answer with 'leerpas-verifier verify' (or add\n"
	      "--challenge CODE to insist on this one). A challenge can be used once and\n"
	      "expires after --ttl seconds (default 600). That proves the presentation\n"
	      "was made just now for you, not copied from an earlier one.\n"
	      "The QR code holds \"LPC1:<CODE>:<AUDIENCE>\".\n",
	      f);
}

int vf_cmd_challenge(int argc, char **argv)
{
	const char *store = NULL, *at = NULL, *png = NULL, *ttl_s = NULL, *aud_opt = NULL;
	bool as_json = false, term = false, help = false;
	const vf_opt opts[] = {
		{ "--store", true, &store, NULL, NULL, NULL, 0 },
		{ "--at", true, &at, NULL, NULL, NULL, 0 },
		{ "--qr-png", true, &png, NULL, NULL, NULL, 0 },
		{ "--ttl", true, &ttl_s, NULL, NULL, NULL, 0 },
		{ "--audience", true, &aud_opt, NULL, NULL, NULL, 0 },
		{ "--qr-terminal", false, NULL, &term, NULL, NULL, 0 },
		{ "--json", false, NULL, &as_json, NULL, NULL, 0 },
		{ NULL, false, NULL, NULL, NULL, NULL, 0 },
	};
	const char *pos[1];
	size_t np;
	int ex = vf_parse(argc, argv, opts, pos, 0, &np, "challenge", &help);
	if (ex)
		return ex;
	if (help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	int64_t now = (int64_t)time(NULL), ttl = VF_CHALLENGE_TTL;
	if (at && !cli_time_parse(at, &now))
		return cli_usage_error("challenge", "--at '%s' is not a time", at);
	if (ttl_s) {
		char *end;
		long long v = strtoll(ttl_s, &end, 10);
		if (*end || v < 10 || v > 7 * 86400)
			return cli_usage_error("challenge", "--ttl must be 10 to 604800 seconds");
		ttl = v;
	}
	if (aud_opt && (!*aud_opt || strlen(aud_opt) > 200))
		return cli_usage_error("challenge", "--audience must be 1 to 200 characters");
	vf_store st;
	if ((ex = vf_store_open(store, true, &st)) != 0)
		return ex;
	char aud[256];
	if (aud_opt)
		(void)snprintf(aud, sizeof aud, "%s", aud_opt);
	else if ((ex = vf_audience(&st, aud)) != 0)
		return ex;
	vf_challenge ch;
	if ((ex = vf_challenge_new(&st, aud, now, ttl, &ch)) != 0)
		return ex;
	char shown[VF_CODE_LEN + 4], exp[32], qrtext[300];
	vf_code_display(ch.code, shown);
	cli_time_iso(ch.expires, exp);
	(void)snprintf(qrtext, sizeof qrtext, "LPC1:%s:%s", ch.code, aud);

	lp_qr qr = { 0 };
	if (png || term) {
		lp_err rc = lp_qr_encode(lp_view_of((const uint8_t *)qrtext, strlen(qrtext)), LP_QR_ECC_M, &qr);
		if (rc)
			return cli_fail(rc, NULL, "cannot make the challenge QR code");
	}
	if (png) {
		lp_buf img = { 0 };
		lp_err rc = lp_qr_to_png(&qr, 8, &img);
		if (!rc)
			rc = cli_write_file(png, lp_buf_view(&img), 0644, false, "QR image");
		lp_buf_free(&img);
		if (rc) {
			lp_qr_free(&qr);
			return CLI_EXIT_ERROR;
		}
	}
	if (as_json) {
		json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:I}", "code", ch.code, "display", shown,
				      "audience", aud, "expires", exp, "ttl_seconds", (json_int_t)ttl);
		if (j && png)
			json_object_set_new(j, "qr_png", json_string(png));
		if (j)
			json_object_set_new(j, "qr_text", json_string(qrtext));
		lp_qr_free(&qr);
		return cli_json_print(j) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	}
	printf("Challenge code: %s\n", shown);
	printf("Audience:       %s\n", aud);
	printf("Valid until:    %s (once only)\n", exp);
	printf("The learner runs: leerpas-wallet present ID --audience '%s' --challenge %s ...\n", aud,
	       shown);
	if (png)
		printf("QR code image:  %s\n", png);
	if (term) {
		lp_buf t = { 0 };
		if (lp_qr_to_text(&qr, isatty(STDOUT_FILENO) ? LP_QR_TEXT_ANSI : LP_QR_TEXT_DARK_ON_LIGHT,
				  &t) == LP_OK)
			fputs((const char *)t.ptr, stdout);
		lp_buf_free(&t);
	}
	lp_qr_free(&qr);
	return CLI_EXIT_OK;
}
