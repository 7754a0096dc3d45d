/* leerpas-verifier verify: read a presentation (LP1: text from the argument
 * or stdin, or the QR code in a photo), check it completely (transport,
 * signatures, holder binding, disclosures, times, audience, challenge, trust,
 * status) and give one verdict with every reason, for a person or as JSON. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "leerpas/claims.h"
#include "leerpas/codec.h"
#include "leerpas/fileio.h"
#include "leerpas/qr.h"
#include "leerpas/sdcwt.h"
#include "leerpas/status.h"
#include "vf.h"

#define MAX_REASONS 16

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier verify [TEXT | --image FILE | -] [--json]\n"
	      "         [--audience A] [--challenge CODE] [--at TIME] [--require-status]\n"
	      "         [--max-age SECONDS] [--store DIR]\n"
	      "\n"
	      "Check a learner's presentation: the LP1: text as an argument, on standard\n"
	      "input ('-' or nothing), or the QR code in a photo or screenshot (--image,\n"
	      "PNG or JPEG). The verdict is VALID only when every check passes:\n"
	      "signatures, holder binding, every disclosed claim, times, audience,\n"
	      "challenge (once only), a recognised school with a key valid when it\n"
	      "issued, and no revocation or suspension in the cached status list.\n"
	      "\n"
	      "  --audience A      the audience the presentation must name (default: this\n"
	      "                    verifier's own, or the walk-up value leerpas:walk-up)\n"
	      "  --challenge CODE  insist on the answer to this challenge\n"
	      "  --at TIME         judge at another time (YYYY-MM-DD[THH:MM:SSZ] or Unix)\n"
	      "  --require-status  INVALID when no fresh status list covers the credential\n"
	      "  --max-age S       INVALID when the presentation was made more than S s ago\n"
	      "  --json            the result as JSON (see docs/verifier.md)\n"
	      "Exit status: 0 VALID, 1 INVALID, 2 usage or I/O error.\n",
	      f);
}

struct reason {
	char code[32];
	char msg[480];
};

/* Everything the report needs. */
struct outcome {
	struct reason reasons[MAX_REASONS];
	size_t nreasons;
	struct reason warnings[MAX_REASONS];
	size_t nwarnings;
	bool have_result;
	lp_sdcwt_result r;
	lp_trust_result trust;
	bool trusted;
	/* status */
	const char *status_state;  /* "valid", "revoked", "suspended", "unknown", "not_checked", "none" */
	bool status_checked;
	int64_t status_iat, status_age;
	const char *status_freshness;
	char status_uri[512];
	/* replay */
	bool challenged;
	char challenge_code[VF_CODE_LEN + 4];
	char audience_expected[256];
	int64_t now;
	const char *input_form;
	vf_spec_cache spec_cache;  /* where cached specifications are looked up */
	bool spec_cached_now;      /* the presentation's specification was new to the cache */
};

static void add(struct reason *v, size_t *n, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct reason *v, size_t *n, const char *code, const char *fmt, ...)
{
	if (*n >= MAX_REASONS)
		return;
	(void)snprintf(v[*n].code, sizeof v[*n].code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(v[*n].msg, sizeof v[*n].msg, fmt, ap);
	va_end(ap);
	(*n)++;
}

#define REASON(o, code, ...) add((o)->reasons, &(o)->nreasons, code, __VA_ARGS__)
#define WARN(o, code, ...) add((o)->warnings, &(o)->nwarnings, code, __VA_ARGS__)

/* What a person can do about each verification error. */
static const char *advice(lp_err e)
{
	switch (e) {
	case LP_ERR_UNTRUSTED: return "the school is not recognised by your trust store: import a current trust list (trust import) or pin the school";
	case LP_ERR_KEY_PERIOD: return "signed with a school key outside its validity: do not accept it";
	case LP_ERR_TYPE_NOT_ALLOWED: return "the school is not recognised for this kind of credential";
	case LP_ERR_SIGNATURE: return "the credential was altered or forged: do not accept it";
	case LP_ERR_HOLDER_BINDING: return "not presented by the person it was issued to: ask the learner to present from their own wallet";
	case LP_ERR_DIGEST_MISMATCH: return "a shown claim was not issued in this credential: do not accept it";
	case LP_ERR_EXPIRED: return "ask for a current credential or a new presentation";
	case LP_ERR_NOT_YET_VALID: return "check this computer's clock (or --at)";
	case LP_ERR_AUDIENCE: return "the presentation was made for someone else: ask for a new one for you";
	case LP_ERR_NONCE: return "ask the learner to answer a new challenge";
	default: return "ask the learner for a new presentation";
	}
}

static bool starts_lp1(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return strncmp(s, LP_QRTEXT_PREFIX, strlen(LP_QRTEXT_PREFIX)) == 0;
}

/* The LP1 text from an image: exactly one leerpas QR code. Returns an exit
 * code for I/O problems (2) or 0 with *text set, or 0 with reasons added. */
static int text_from_image(const char *file, struct outcome *o, lp_buf *text)
{
	lp_buf img = { 0 };
	if (cli_read_file(file, LP_QR_MAX_IMAGE_BYTES, "image", &img))
		return CLI_EXIT_ERROR;
	lp_qr_scan scan;
	lp_diag d = { 0 };
	lp_err rc = lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_BARCODES, &scan, &d);
	lp_buf_free(&img);
	if (rc) {
		return cli_fail(rc, rc == LP_ERR_UNSUPPORTED ? "give a PNG or JPEG photo or screenshot"
							     : "take a new photo or screenshot",
				"cannot read image '%s': %s", file, d.msg[0] ? d.msg : "");
	}
	size_t lp1 = 0, qr = 0;
	const lp_qr_symbol *first = NULL, *other = NULL;
	bool differ = false;
	for (size_t i = 0; i < scan.count; i++) {
		const lp_qr_symbol *s = &scan.symbols[i];
		if (s->is_qr)
			qr++;
		if (s->is_qr && s->data.ptr && starts_lp1((const char *)s->data.ptr)) {
			if (first && (first->data.len != s->data.len ||
				      memcmp(first->data.ptr, s->data.ptr, s->data.len) != 0))
				differ = true;
			if (!first)
				first = s;
			lp1++;
		} else if (!other) {
			other = s;
		}
	}
	if (scan.count == 0)
		REASON(o, "no_qr", "no QR code found in the image: hold the code flat, fill the frame and avoid glare, then take a new photo");
	else if (lp1 == 0 && qr == 0)
		REASON(o, "not_leerpas", "the image holds a %s barcode, not a QR code: ask the learner to show the leerpas QR code",
		       other ? other->type : "non-QR");
	else if (lp1 == 0)
		REASON(o, "not_leerpas", "the QR code in the image is not a leerpas presentation (it starts \"%.24s\"): ask the learner for the leerpas QR code",
		       other && other->data.ptr ? (const char *)other->data.ptr : "");
	else if (differ)
		REASON(o, "several_qr", "the image holds %zu different leerpas QR codes: photograph one at a time", lp1);
	else if (lp_buf_dup(text, first->data.ptr, first->data.len) != LP_OK) {
		lp_qr_scan_free(&scan);
		return CLI_EXIT_ERROR;
	}
	if (lp1 && qr > lp1 && !differ)
		WARN(o, "other_qr", "the image also holds %zu other QR code(s); they were ignored", qr - lp1);
	lp_qr_scan_free(&scan);
	return CLI_EXIT_OK;
}

static void free_result(struct outcome *o)
{
	if (o->have_result)
		lp_sdcwt_result_free(&o->r);
	o->have_result = false;
}

/* Errors the SD-CWT verifier finds only after it has compared the cnonce:
 * a presentation failing with one of these did answer the challenge. */
static bool after_nonce_check(lp_err rc)
{
	return rc == LP_OK || rc == LP_ERR_DIGEST_MISMATCH || rc == LP_ERR_DUPLICATE_CLAIM ||
	       rc == LP_ERR_DISCLOSURE;
}

/* One verification attempt with the given audience and challenge. */
static lp_err attempt(struct outcome *o, lp_view pres, lp_trust_resolver *res, const char *aud,
		      const char *cnonce, int64_t max_age)
{
	free_result(o);
	lp_sdcwt_verify_params p = { .resolve = lp_trust_issuer_key, .resolve_ctx = res,
				     .now = o->now, .skew = VF_SKEW, .aud = aud,
				     .cnonce = (const uint8_t *)cnonce,
				     .cnonce_len = cnonce ? strlen(cnonce) : 0, .max_age = max_age,
				     .spec_lookup = o->spec_cache.st ? vf_spec_lookup : NULL,
				     .spec_ctx = &o->spec_cache };
	lp_err rc = lp_sdcwt_verify(pres, &p, &o->r);
	o->have_result = true;
	o->trust = res->result;
	o->trusted = rc == LP_OK;
	return rc;
}

/* Verify against challenge `code`, accepting the forms a learner may have
 * typed it in: as shown ("7K3Q-M9XD-2P4T"), without dashes, in lower case. */
static lp_err attempt_code(struct outcome *o, lp_view pres, lp_trust_resolver *res, const char *aud,
			   const char *code, int64_t max_age)
{
	char forms[4][VF_CODE_LEN + 4];
	(void)snprintf(forms[0], sizeof forms[0], "%s", code);
	vf_code_display(code, forms[1]);
	for (int f = 2; f < 4; f++)
		for (size_t i = 0; i < sizeof forms[f]; i++)
			forms[f][i] = (char)tolower((unsigned char)forms[f - 2][i]);
	lp_err rc = LP_ERR_NONCE;
	for (int f = 0; f < 4 && rc == LP_ERR_NONCE; f++)
		rc = attempt(o, pres, res, aud, forms[f], max_age);
	return rc;
}

/* Check status from the store's cached lists. */
static void check_status(struct outcome *o, const vf_store *st, const lp_trust_store *ts,
			 bool require)
{
	o->status_state = "not_checked";
	if (!o->r.has_status) {
		o->status_state = "none";
		if (require)
			REASON(o, "status_unknown", "the credential carries no status reference, so revocation cannot be checked (--require-status)");
		else
			WARN(o, "no_status", "the credential carries no status reference: its school cannot revoke it");
		return;
	}
	(void)snprintf(o->status_uri, sizeof o->status_uri, "%s", o->r.status_uri);
	char fname[96], p[VF_PATH_MAX];
	vf_id_filename(o->r.status_uri, ".cwt", fname);
	lp_buf b = { 0 };
	if (!vf_path(st, "status", fname, p) || lp_file_read(p, LP_STATUS_MAX_TOKEN, &b) != LP_OK) {
		o->status_state = "unknown";
		if (require)
			REASON(o, "status_unknown", "no status list cached for %s: import the school's current list (status import FILE)", o->r.status_uri);
		else
			WARN(o, "status_missing", "revocation not checked: no status list cached for %s (import it with 'leerpas-verifier status import FILE')", o->r.status_uri);
		return;
	}
	lp_status_token tok;
	char *signer = NULL;
	lp_diag d = { 0 };
	lp_err rc = lp_trust_verify_status(ts, lp_buf_view(&b), 0, &tok, &signer, &d);
	lp_buf_free(&b);
	if (rc) {
		o->status_state = "unknown";
		REASON(o, "status_unknown", "the cached status list for %s no longer verifies (%s): import a current one", o->r.status_uri, d.msg);
		return;
	}
	bool same_school = strcmp(signer, o->r.iss) == 0 ||
			   (o->trust.successor_id[0] && strcmp(signer, o->trust.successor_id) == 0);
	if (!same_school || strcmp(tok.uri, o->r.status_uri) != 0) {
		o->status_state = "unknown";
		REASON(o, "status_unknown", "the status list at %s is signed by %s, not by the credential's school", o->r.status_uri, signer);
		goto out;
	}
	o->status_checked = true;
	o->status_iat = tok.iat;
	o->status_age = o->now - tok.iat;
	lp_status_freshness f = lp_status_token_freshness(&tok, o->now);
	o->status_freshness = lp_status_freshness_str(f);
	unsigned v = 0;
	if (o->r.status_idx > SIZE_MAX ||
	    lp_status_list_get(&tok.list, (size_t)o->r.status_idx, &v) != LP_OK) {
		o->status_state = "unknown";
		REASON(o, "status_unknown", "the credential's status entry %llu is beyond the school's status list: do not accept it",
		       (unsigned long long)o->r.status_idx);
		goto out;
	}
	if (v == LP_STATUS_INVALID) {
		o->status_state = "revoked";
		REASON(o, "revoked", "the school has revoked this credential");
	} else if (v == LP_STATUS_SUSPENDED) {
		o->status_state = "suspended";
		REASON(o, "suspended", "the school has suspended this credential (it may be reinstated): ask the school");
	} else if (v != LP_STATUS_VALID) {
		o->status_state = "unknown";
		REASON(o, "status_unknown", "the status list gives an unknown status (%u) for this credential", v);
	} else {
		o->status_state = "valid";
	}
	if (f != LP_STATUS_FRESH) {
		if (require) {
			REASON(o, "status_unknown", "the cached status list is %s: import the school's current list (--require-status)", o->status_freshness);
		} else {
			WARN(o, "status_stale", "the cached status list is %s: a recent revocation may be missing; import a current one", o->status_freshness);
		}
	}
out:
	free(signer);
	lp_status_token_free(&tok);
}

/* The achievement specification: cache one the presentation carried (its
 * digest was checked against the signed payload); say when one is missing. */
static void check_spec(struct outcome *o, const vf_store *st)
{
	const lp_sdcwt_result *r = &o->r;
	if (o->spec_cache.damaged)
		WARN(o, "spec_cache_damaged", "the cached specification %s is damaged and was not used: remove it and import the school's file again", o->spec_cache.damaged_path);
	/* Only what a VALID presentation carried is worth keeping. */
	if (o->nreasons == 0 && r->spec_source == LP_SPEC_INCLUDED && r->spec.ptr) {
		lp_diag d = { 0 };
		bool added = false;
		/* checked against r->spec_digest by the verification */
		if (vf_spec_store(st, lp_buf_view(&r->spec), r->spec_digest, &added, &d) == LP_OK)
			o->spec_cached_now = added;
		else
			WARN(o, "spec_not_cached", "the achievement's specification could not be cached: %s", d.msg);
	} else if (r->spec_source == LP_SPEC_MISSING) {
		WARN(o, "spec_missing", "the achievement's description (learning outcomes, assessment, quality assurance, ...) is not in this presentation and not cached here: import the school's published specification ('leerpas-verifier spec import FILE') or ask the learner for a presentation with --details");
	}
}

static const char *spec_source_name(lp_spec_source s)
{
	switch (s) {
	case LP_SPEC_INCLUDED: return "presentation";
	case LP_SPEC_LOOKED_UP: return "cache";
	case LP_SPEC_MISSING: return "missing";
	case LP_SPEC_NONE: break;
	}
	return "none";
}

/* ---- output ------------------------------------------------------------------- */

static const char *const key_claims[] = { "title", "awardingBody", "eqfLevel", "nqfLevel",
					  "creditPoint", "workload", "awardingDate", "fullName" };

/* One entry of a counts-toward or composed-of list, as a reader says it:
 * "Verzorgende-IG (25491), 564 hours" or "https://school.nl, credential
 * 299fc4...". False for any other object (printed as JSON). */
static bool print_entry(const json_t *e)
{
	const char *code = json_string_value(json_object_get(e, "qualificationCode"));
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *iss = json_string_value(json_object_get(e, "issuer"));
	const char *cti = json_string_value(json_object_get(e, "cti"));
	if (code) {
		const json_t *ec = json_object_get(e, "creditPoint"), *h = json_object_get(e, "workload");
		printf("%s%s%s%s", title ? title : "", title ? " (" : "", code, title ? ")" : "");
		if (json_is_number(ec))
			printf(", %g EC", json_number_value(ec));
		if (json_is_integer(h))
			printf(", %lld hours", (long long)json_integer_value(h));
		return true;
	}
	if (iss && cti && json_object_size(e) == 2) {
		printf("%s, credential %s", iss, cti);
		return true;
	}
	return false;
}

static void print_value(const json_t *v)
{
	if (json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0))) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			fputs(i ? "; " : "", stdout);
			if (!json_is_object(e) || !print_entry(e)) {
				char *s = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
				fputs(s ? s : "?", stdout);
				free(s);
			}
		}
	} else if (json_is_string(v)) {
		fputs(json_string_value(v), stdout);
	} else if (json_is_array(v) && json_array_size(v) > 0 &&
		   json_is_string(json_array_get(v, 0))) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (json_is_string(e))
				printf("%s%s", i ? "; " : "", json_string_value(e));
			else {
				char *s = json_dumps(e, JSON_COMPACT | JSON_ENCODE_ANY);
				printf("%s%s", i ? "; " : "", s ? s : "?");
				free(s);
			}
		}
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(s ? s : "?", stdout);
		free(s);
	}
}

static void print_claim(const char *name, const json_t *v)
{
	const lp_claim_def *c = lp_claims_by_name(name);
	char label[64];
	(void)snprintf(label, sizeof label, "%s:", c ? c->label : name);
	printf("    %-28s ", label);
	print_value(v);
	printf("\n");
}

static void print_human(const struct outcome *o)
{
	bool valid = o->nreasons == 0;
	printf("%s\n", valid ? "VALID" : "INVALID");
	if (valid)
		printf("  genuine, issued by a recognised school, presented by its holder%s\n",
		       strcmp(o->status_state, "valid") == 0 ? ", not revoked" : "");
	for (size_t i = 0; i < o->nreasons; i++)
		printf("  - %s (%s)\n", o->reasons[i].msg, o->reasons[i].code);
	const lp_sdcwt_result *r = &o->r;
	if (o->have_result && r->iss) {
		/* On INVALID nothing below is confirmed (the signature may be the
		 * very thing that failed): say so, so a skimming reader does not
		 * take the school's name as vouched for. */
		printf(valid ? "\nIssuer\n" : "\nIssuer named in it (NOT confirmed: the presentation is invalid)\n");
		if (o->trust.issuer_id[0]) {
			printf("    %-28s %s (%s, %s)\n", "School:", o->trust.issuer_name, o->trust.issuer_id,
			       o->trust.country);
			printf("    %-28s %s\n", "Recognised by:", o->trust.source);
			if (o->trust.successor_id[0])
				printf("    %-28s %s\n", "Now part of:", o->trust.successor_id);
		} else {
			printf("    %-28s %s (not recognised)\n", "School:", r->iss);
		}
		printf("    %-28s %.*s\n", "Key:", (int)(r->kid_len > 64 ? 64 : r->kid_len),
		       r->kid ? (const char *)r->kid : "");
	}
	if (valid && r->claims_json) {
		json_t *c = json_loads(r->claims_json, 0, NULL);
		printf("\nCredential%s%s\n", r->vct ? " " : "", r->vct ? r->vct : "");
		if (r->has_iat) {
			char t[32];
			printf("    %-28s %s\n", "Issued:", cli_time_iso(r->iat, t));
		}
		if (r->has_exp) {
			char t[32];
			printf("    %-28s %s\n", "Expires:", cli_time_iso(r->exp, t));
		}
		for (size_t i = 0; i < sizeof key_claims / sizeof key_claims[0]; i++) {
			json_t *v = json_object_get(c, key_claims[i]);
			if (v)
				print_claim(key_claims[i], v);
		}
		const char *k;
		json_t *v;
		json_object_foreach(c, k, v) {
			bool shown = false;
			for (size_t i = 0; i < sizeof key_claims / sizeof key_claims[0]; i++)
				shown = shown || strcmp(k, key_claims[i]) == 0;
			if (!shown)
				print_claim(k, v);
		}
		json_decref(c);
		if (r->spec_source == LP_SPEC_LOOKED_UP || r->spec_source == LP_SPEC_INCLUDED)
			printf("    %-28s %s\n", "Description from:",
			       r->spec_source == LP_SPEC_INCLUDED
				       ? (o->spec_cached_now
						  ? "the presentation (matches the school's signed digest; now cached here)"
						  : "the presentation (matches the school's signed digest)")
				       : "this verifier's cache (matches the school's signed digest)");
		else if (r->spec_source == LP_SPEC_MISSING)
			printf("    %-28s %s\n", "Description:",
			       "not shown: not in the presentation, not cached (see the note below)");
		if (r->withheld_count) {
			printf("    %-28s ", "Withheld by the learner:");
			for (size_t i = 0; i < r->withheld_count; i++) {
				const lp_claim_def *d = lp_claims_by_name(r->withheld[i]);
				printf("%s%s", i ? ", " : "", d ? d->label : r->withheld[i]);
			}
			printf("\n");
		} else {
			printf("    %-28s nothing\n", "Withheld by the learner:");
		}
	}
	if (o->have_result && r->is_presentation) {
		printf("\nChecks\n");
		if (o->status_checked) {
			char age[48];
			int64_t a = o->status_age < 0 ? 0 : o->status_age;
			if (a < 7200)
				(void)snprintf(age, sizeof age, "%lld minutes", (long long)(a / 60));
			else if (a < 172800)
				(void)snprintf(age, sizeof age, "%lld hours", (long long)(a / 3600));
			else
				(void)snprintf(age, sizeof age, "%lld days", (long long)(a / 86400));
			printf("    %-28s %s (status list %s old, %s)\n", "Status:", o->status_state, age,
			       o->status_freshness);
		} else {
			printf("    %-28s %s\n", "Status:",
			       strcmp(o->status_state, "none") == 0 ? "the credential has no status entry"
								    : "not checked (no status list cached)");
		}
		if (o->challenged)
			printf("    %-28s prevented: answered challenge %s\n", "Replay:", o->challenge_code);
		else
			printf("    %-28s not prevented (no challenge): the presentation could be a copy\n",
			       "Replay:");
		if (r->aud)
			printf("    %-28s %s\n", "Presented to:", r->aud);
		if (r->has_kbt_iat) {
			char t[32];
			printf("    %-28s %s\n", "Presented at:", cli_time_iso(r->kbt_iat, t));
		}
	}
	if (o->nwarnings)
		printf("\n");
	for (size_t i = 0; i < o->nwarnings; i++)
		printf("note: %s\n", o->warnings[i].msg);
}

static json_t *reasons_json(const struct reason *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code", v[i].code, "message", v[i].msg));
	return a;
}

static json_t *time_json(bool has, int64_t t)
{
	char b[32];
	return has ? json_string(cli_time_iso(t, b)) : json_null();
}

static int print_json(const struct outcome *o)
{
	const lp_sdcwt_result *r = &o->r;
	bool valid = o->nreasons == 0;
	char now[32];
	json_t *j = json_object();
	json_object_set_new(j, "verdict", json_string(valid ? "VALID" : "INVALID"));
	json_object_set_new(j, "reasons", reasons_json(o->reasons, o->nreasons));
	json_object_set_new(j, "warnings", reasons_json(o->warnings, o->nwarnings));
	json_object_set_new(j, "verified_at", json_string(cli_time_iso(o->now, now)));
	json_t *iss = json_null();
	if (o->have_result && r->iss) {
		iss = json_pack("{s:s,s:b}", "id", r->iss, "recognised", o->trust.issuer_id[0] != 0);
		if (o->trust.issuer_id[0]) {
			json_object_set_new(iss, "name", json_string(o->trust.issuer_name));
			json_object_set_new(iss, "country", json_string(o->trust.country));
			json_object_set_new(iss, "recognised_by", json_string(o->trust.source));
			if (o->trust.successor_id[0])
				json_object_set_new(iss, "successor", json_string(o->trust.successor_id));
		}
		if (r->kid)
			json_object_set_new(iss, "kid", json_stringn_nocheck((const char *)r->kid, r->kid_len));
	}
	json_object_set_new(j, "issuer", iss);
	json_t *cred = json_null();
	if (o->have_result && r->iss) {
		cred = json_pack("{s:o,s:o,s:o,s:o}", "type", r->vct ? json_string(r->vct) : json_null(),
				 "issued_at", time_json(r->has_iat, r->iat), "expires",
				 time_json(r->has_exp, r->exp), "cti",
				 cli_json_hex(r->cti, r->cti_len));
	}
	json_object_set_new(j, "credential", cred);
	json_t *claims = valid && r->claims_json ? json_loads(r->claims_json, 0, NULL) : NULL;
	json_object_set_new(j, "claims", claims ? claims : json_object());
	json_t *wh = json_array();
	for (size_t i = 0; valid && i < r->withheld_count; i++)
		json_array_append_new(wh, json_string(r->withheld[i]));
	json_object_set_new(j, "withheld", wh);
	if (o->have_result && r->spec_source != LP_SPEC_NONE)
		json_object_set_new(j, "specification",
				    json_pack("{s:o,s:s,s:b}", "digest", cli_json_hex(r->spec_digest, 32),
					      "source", spec_source_name(r->spec_source), "cached_now",
					      o->spec_cached_now));
	json_t *st = json_pack("{s:s,s:b}", "state", o->status_state ? o->status_state : "not_checked",
			       "checked", o->status_checked);
	if (o->status_uri[0])
		json_object_set_new(st, "list", json_string(o->status_uri));
	if (o->have_result && r->has_status)
		json_object_set_new(st, "index", json_integer((json_int_t)r->status_idx));
	if (o->status_checked) {
		json_object_set_new(st, "list_issued_at", time_json(true, o->status_iat));
		json_object_set_new(st, "age_seconds", json_integer((json_int_t)o->status_age));
		json_object_set_new(st, "freshness", json_string(o->status_freshness));
	}
	json_object_set_new(j, "status", st);
	json_t *rp = json_pack("{s:b}", "prevented", o->challenged);
	if (o->challenged)
		json_object_set_new(rp, "challenge", json_string(o->challenge_code));
	json_object_set_new(j, "replay_protection", rp);
	json_t *pr = json_null();
	if (o->have_result && r->is_presentation)
		pr = json_pack("{s:o,s:o}", "audience", r->aud ? json_string(r->aud) : json_null(),
			       "presented_at", time_json(r->has_kbt_iat, r->kbt_iat));
	json_object_set_new(j, "presentation", pr);
	json_object_set_new(j, "input", json_string(o->input_form ? o->input_form : "text"));
	return cli_json_print(j) ? (valid ? CLI_EXIT_OK : CLI_EXIT_FAIL) : CLI_EXIT_ERROR;
}

/* ---- the command ------------------------------------------------------------------ */

static void verify_presentation(struct outcome *o, lp_view pres, const vf_store *st,
				const lp_trust_store *ts, const char *aud_opt, const char *code_opt,
				int64_t max_age, bool require_status)
{
	lp_trust_resolver res = { .ts = ts, .at = o->now };
	char own[256] = "";
	if (!aud_opt && vf_audience(st, own) != 0)
		own[0] = '\0';
	lp_err rc;
	if (code_opt) {
		vf_challenge ch;
		int state = vf_challenge_get(st, code_opt, o->now, &ch);
		if (state != 0) {
			REASON(o, "challenge", state == 1 ? "challenge %s is unknown or was already used: make a new one and ask the learner to answer it"
							  : "challenge %s has expired: make a new one", code_opt);
			return;
		}
		const char *aud = aud_opt ? aud_opt : ch.audience;
		char shown[VF_CODE_LEN + 4];
		vf_code_display(ch.code, shown);
		rc = attempt_code(o, pres, &res, aud, ch.code, max_age);
		if (o->r.cnonce_present && after_nonce_check(rc)) {
			/* the presentation answered it: the challenge is spent */
			vf_challenge_use(st, ch.code);
		}
		if (rc == LP_OK) {
			o->challenged = true;
			(void)snprintf(o->challenge_code, sizeof o->challenge_code, "%s", shown);
		}
	} else {
		const char *aud = aud_opt ? aud_opt : (own[0] ? own : VF_WALKUP_AUDIENCE);
		rc = attempt(o, pres, &res, aud, NULL, max_age);
		if (rc == LP_ERR_AUDIENCE && !aud_opt && o->r.aud &&
		    strcmp(o->r.aud, VF_WALKUP_AUDIENCE) == 0) {
			aud = VF_WALKUP_AUDIENCE;
			rc = attempt(o, pres, &res, aud, NULL, max_age);
		}
		if (o->r.cnonce_present && (after_nonce_check(rc) || rc == LP_ERR_AUDIENCE)) {
			/* It answers a challenge: it must be one of ours, still open. */
			size_t n = 0;
			vf_challenge *open = vf_challenge_open_list(st, o->now, &n);
			bool matched = false;
			for (size_t i = 0; open && i < n && !matched; i++) {
				char shown[VF_CODE_LEN + 4];
				vf_code_display(open[i].code, shown);
				const char *a = aud_opt ? aud_opt : open[i].audience;
				lp_err r2 = attempt_code(o, pres, &res, a, open[i].code, max_age);
				if (after_nonce_check(r2)) {
					matched = true;
					rc = r2;
					vf_challenge_use(st, open[i].code);
					o->challenged = rc == LP_OK;
					(void)snprintf(o->challenge_code, sizeof o->challenge_code, "%s", shown);
				}
			}
			free(open);
			if (!matched) {
				/* back to the first answer, for its reasons */
				rc = attempt(o, pres, &res, aud, NULL, max_age);
				if (rc != LP_ERR_AUDIENCE)
					REASON(o, "challenge", "the presentation answers a challenge this verifier does not have open (already used, expired, or made elsewhere): ask the learner to answer a new challenge");
				if (rc == LP_OK)
					return;
			}
		}
	}
	if (rc != LP_OK) {
		const char *m = o->r.diag.msg[0] ? o->r.diag.msg : lp_err_str(rc);
		if (lp_err_is_verification(rc))
			REASON(o, lp_err_code(rc), "%s: %s", m, advice(rc));
		else
			REASON(o, lp_err_code(rc), "not a well-formed leerpas presentation: %s", m);
		return;
	}
	check_status(o, st, ts, require_status);
	check_spec(o, st);
}

int vf_cmd_verify(int argc, char **argv)
{
	const char *store = NULL, *at = NULL, *image = NULL, *aud = NULL, *code_in = NULL,
		   *max_age_s = NULL;
	bool as_json = false, require_status = false, help = false;
	const vf_opt opts[] = {
		{ "--store", true, &store, NULL, NULL, NULL, 0 },
		{ "--at", true, &at, NULL, NULL, NULL, 0 },
		{ "--image", true, &image, NULL, NULL, NULL, 0 },
		{ "--audience", true, &aud, NULL, NULL, NULL, 0 },
		{ "--challenge", true, &code_in, NULL, NULL, NULL, 0 },
		{ "--max-age", true, &max_age_s, NULL, NULL, NULL, 0 },
		{ "--json", false, NULL, &as_json, NULL, NULL, 0 },
		{ "--require-status", false, NULL, &require_status, NULL, NULL, 0 },
		{ NULL, false, NULL, NULL, NULL, NULL, 0 },
	};
	const char *pos[1];
	size_t np;
	int ex = vf_parse(argc, argv, opts, pos, 1, &np, "verify", &help);
	if (ex)
		return ex;
	if (help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	static struct outcome o;
	memset(&o, 0, sizeof o);
	vf_store st;
	o.spec_cache.st = &st;
	o.now = (int64_t)time(NULL);
	o.status_state = "not_checked";
	if (at && !cli_time_parse(at, &o.now))
		return cli_usage_error("verify", "--at '%s' is not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds)", at);
	if (image && np)
		return cli_usage_error("verify", "give either TEXT or --image FILE, not both");
	int64_t max_age = 0;
	if (max_age_s) {
		char *end;
		long long v = strtoll(max_age_s, &end, 10);
		if (*end || v <= 0)
			return cli_usage_error("verify", "--max-age must be a positive number of seconds");
		max_age = v;
	}
	char code[VF_CODE_LEN + 1];
	if (code_in && !vf_code_normalise(code_in, code))
		return cli_usage_error("verify", "'%s' is not a challenge code (12 characters, as shown by 'leerpas-verifier challenge')", code_in);
	if (aud && !*aud)
		return cli_usage_error("verify", "--audience must not be empty");
	if ((ex = vf_store_open(store, true, &st)) != 0)
		return ex;

	lp_buf text = { 0 };
	if (image) {
		o.input_form = "image";
		if ((ex = text_from_image(image, &o, &text)) != 0)
			return ex;
	} else if (np == 1 && strcmp(pos[0], "-") != 0) {
		o.input_form = "argument";
		if (lp_buf_dup(&text, (const uint8_t *)pos[0], strlen(pos[0])))
			return CLI_EXIT_ERROR;
	} else {
		o.input_form = "stdin";
		if (vf_read_input("-", VF_MAX_INPUT, "presentation text", &text))
			return CLI_EXIT_ERROR;
	}
	lp_trust_store *ts = NULL;
	if (o.nreasons == 0) {
		ts = vf_trust_load(&st, false);
		if (!ts) {
			lp_buf_free(&text);
			return CLI_EXIT_ERROR;
		}
		lp_buf pres = { 0 };
		lp_diag d = { 0 };
		lp_err rc = lp_qrtext_decode(lp_buf_view(&text), 0, &pres, &d);
		if (rc == LP_ERR_PREFIX)
			REASON(&o, "prefix", "this is not a leerpas presentation (it does not start with LP1:): %s", d.msg);
		else if (rc == LP_ERR_TOO_LARGE)
			REASON(&o, "too_large", "the presentation unpacks to more than a presentation can be (%s): do not accept it", d.msg);
		else if (rc)
			REASON(&o, lp_err_code(rc), "the presentation text is damaged or incomplete (%s): copy or scan it again", d.msg);
		else
			verify_presentation(&o, lp_buf_view(&pres), &st, ts, aud, code_in ? code : NULL,
					    max_age, require_status);
		lp_buf_free(&pres);
	}
	lp_buf_free(&text);
	ex = as_json ? print_json(&o) : (print_human(&o), o.nreasons ? CLI_EXIT_FAIL : CLI_EXIT_OK);
	free_result(&o);
	lp_trust_store_free(ts);
	return ex;
}
