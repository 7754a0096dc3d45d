/* leerpas-verifier inspect: decode any "XXN:" base45(+zlib) text, raw CBOR
 * or hex into diagnostic notation and JSON, for support staff and
 * developers; with --key, check signatures. Never a trust decision. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "leerpas/codec.h"
#include "leerpas/inspect.h"
#include "vf.h"

#define MAX_KEYS 8

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier inspect INPUT [--key KEYFILE]... [--json]\n"
	      "\n"
	      "INPUT is a file, '-' for standard input, or the text itself. It may be\n"
	      "any \"XXN:\"-prefixed base45 text (LP1:, HC1:, ...; zlib is undone when\n"
	      "present), hex, or raw CBOR. Shows CBOR diagnostic notation and JSON.\n"
	      "--key (PEM public or private key, or a COSE_Key as binary or hex;\n"
	      "Ed25519, P-256 or P-384; may be repeated) checks each COSE signature.\n"
	      "No trust decision is made: use 'verify' for that.\n"
	      "Exit status: 0 decoded (and, with --key, every signature verified),\n"
	      "1 a signature did not verify, 2 the input could not be decoded.\n",
	      f);
}

static bool is_hex_text(const uint8_t *p, size_t n)
{
	size_t digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (isspace(p[i]))
			continue;
		if (!isxdigit(p[i]))
			return false;
		digits++;
	}
	return digits > 0 && digits % 2 == 0;
}

static lp_err unhex(const uint8_t *p, size_t n, lp_buf *out)
{
	out->ptr = malloc(n / 2 + 1);
	out->len = 0;
	if (!out->ptr)
		return LP_ERR_NOMEM;
	int hi = -1;
	for (size_t i = 0; i < n; i++) {
		if (isspace(p[i]))
			continue;
		int v = isdigit(p[i]) ? p[i] - '0' : (tolower(p[i]) - 'a' + 10);
		if (hi < 0)
			hi = v;
		else {
			out->ptr[out->len++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return LP_OK;
}

static lp_err load_key(const char *file, lp_pubkey *k)
{
	lp_buf b = { 0 }, raw = { 0 };
	lp_err rc = cli_read_file(file, 64 * 1024, "key", &b);
	if (rc)
		return rc;
	lp_diag d = { 0 };
	bool pem = false;
	for (size_t i = 0; i + 10 <= b.len && !pem; i++)
		pem = memcmp(b.ptr + i, "-----BEGIN", 10) == 0;
	if (pem) {
		rc = lp_pubkey_from_pem((const char *)b.ptr, b.len, k, &d);
	} else if (is_hex_text(b.ptr, b.len) && unhex(b.ptr, b.len, &raw) == LP_OK) {
		rc = lp_pubkey_from_cose(lp_buf_view(&raw), k, &d);
	} else {
		rc = lp_pubkey_from_cose(lp_buf_view(&b), k, &d);
	}
	if (rc)
		cli_error("give a PEM public key or a COSE_Key (Ed25519, P-256 or P-384)",
			  "'%s' is not a usable key: %s", file, d.msg[0] ? d.msg : lp_err_str(rc));
	lp_buf_free(&raw);
	lp_buf_free(&b);
	return rc;
}

static const char *alg_name(int64_t alg)
{
	return alg == -8 ? "EdDSA" : alg == -7 ? "ES256" : alg == -35 ? "ES384" : "other";
}

int vf_cmd_inspect(int argc, char **argv)
{
	const char *keyfiles[MAX_KEYS];
	size_t nkeys = 0;
	bool as_json = false, help = false;
	const char *store = NULL;
	const vf_opt opts[] = {
		{ "--key", true, NULL, NULL, keyfiles, &nkeys, MAX_KEYS },
		{ "--json", false, NULL, &as_json, NULL, NULL, 0 },
		{ "--store", true, &store, NULL, NULL, NULL, 0 },
		{ NULL, false, NULL, NULL, NULL, NULL, 0 },
	};
	const char *pos[1];
	size_t np;
	int ex = vf_parse(argc, argv, opts, pos, 1, &np, "inspect", &help);
	if (ex)
		return ex;
	if (help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (np != 1)
		return cli_usage_error("inspect", "give one INPUT: a file, '-' or the text");
	lp_pubkey keys[MAX_KEYS];
	for (size_t i = 0; i < nkeys; i++)
		if (load_key(keyfiles[i], &keys[i]))
			return CLI_EXIT_ERROR;

	lp_buf in = { 0 }, cbor = { 0 };
	struct stat sb;
	const char *source;
	if (strcmp(pos[0], "-") == 0 || stat(pos[0], &sb) == 0) {
		if (vf_read_input(pos[0], VF_MAX_INPUT, "input", &in))
			return CLI_EXIT_ERROR;
		source = strcmp(pos[0], "-") == 0 ? "standard input" : pos[0];
	} else {
		if (lp_buf_dup(&in, (const uint8_t *)pos[0], strlen(pos[0])))
			return CLI_EXIT_ERROR;
		source = "the argument";
	}
	char form[96];
	lp_diag d = { 0 };
	lp_err rc;
	if (vf_looks_prefixed((const char *)in.ptr, in.len)) {
		lp_qrtext_info info;
		rc = lp_qrtext_decode_any(lp_buf_view(&in), LP_INSPECT_MAX_BYTES, &cbor, &info, &d);
		if (rc) {
			lp_buf_free(&in);
			return cli_fail(rc, "check that the whole text was copied",
					"cannot decode the %s text from %s: %s", info.prefix[0] ? info.prefix : "prefixed",
					source, d.msg);
		}
		(void)snprintf(form, sizeof form, "%s text, base45%s", info.prefix,
			       info.compressed ? " of zlib-compressed data" : "");
	} else if (is_hex_text(in.ptr, in.len)) {
		rc = unhex(in.ptr, in.len, &cbor);
		(void)snprintf(form, sizeof form, "hex");
	} else {
		rc = lp_buf_dup(&cbor, in.ptr, in.len);
		(void)snprintf(form, sizeof form, "raw bytes");
	}
	lp_buf_free(&in);
	if (rc)
		return CLI_EXIT_ERROR;
	lp_inspect_report r;
	rc = lp_inspect(lp_buf_view(&cbor), keys, nkeys, &r, &d);
	size_t nbytes = cbor.len;
	lp_buf_free(&cbor);
	if (rc)
		return cli_fail(rc, "this is not one well-formed CBOR item (it may be truncated)",
				"cannot decode %s (%s) as CBOR at byte %zu: %s", source, form, d.offset,
				d.msg[0] ? d.msg : "");
	bool all_ok = true;
	for (size_t i = 0; i < r.nsigs; i++)
		if (nkeys && r.sigs[i].key_index < 0)
			all_ok = false;
	if (as_json) {
		json_t *sigs = json_array();
		for (size_t i = 0; i < r.nsigs; i++) {
			json_t *s = json_pack("{s:s,s:s,s:I,s:b}", "where", r.sigs[i].where, "alg",
					      alg_name(r.sigs[i].alg), "alg_id", (json_int_t)r.sigs[i].alg,
					      "verified", r.sigs[i].key_index >= 0);
			if (s && r.sigs[i].key_index >= 0)
				json_object_set_new(s, "key", json_string(keyfiles[r.sigs[i].key_index]));
			if (s && r.sigs[i].key_index < 0 && nkeys)
				json_object_set_new(s, "error", json_string(lp_err_code(r.sigs[i].err)));
			json_array_append_new(sigs, s);
		}
		json_t *j = json_pack("{s:s,s:I,s:s,s:s,s:o?,s:o,s:b}", "input", form, "bytes",
				      (json_int_t)nbytes, "kind", r.kind, "diagnostic", r.diag, "json",
				      json_loads(r.json, JSON_DECODE_ANY, NULL), "signatures", sigs,
				      "trust_decision", 0);
		lp_inspect_free(&r);
		if (!cli_json_print(j))
			return CLI_EXIT_ERROR;
		return all_ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
	printf("Input:  %s, %zu bytes of CBOR (%s)\n", form, nbytes, source);
	printf("Kind:   %s\n\n", r.kind);
	printf("Diagnostic notation:\n%s\n\nJSON:\n%s\n", r.diag, r.json);
	if (r.nsigs)
		printf("\nSignatures:\n");
	for (size_t i = 0; i < r.nsigs; i++) {
		if (!nkeys)
			printf("  %s (%s): not checked (give --key)\n", r.sigs[i].where, alg_name(r.sigs[i].alg));
		else if (r.sigs[i].key_index >= 0)
			printf("  %s (%s): verified with %s\n", r.sigs[i].where, alg_name(r.sigs[i].alg),
			       keyfiles[r.sigs[i].key_index]);
		else
			printf("  %s (%s): DOES NOT VERIFY with the given key%s (%s)\n", r.sigs[i].where,
			       alg_name(r.sigs[i].alg), nkeys > 1 ? "s" : "", lp_err_str(r.sigs[i].err));
	}
	printf("\nNo trust decision was made; use 'leerpas-verifier verify' for one.\n");
	lp_inspect_free(&r);
	return all_ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
