/* leerpas-verifier spec: cache the achievement specifications schools
 * publish (learning outcomes, description, assessment, ... of a template),
 * so that a QR code that carries only their digest still shows them. A
 * specification is checked against the digest in each credential's signed
 * payload before it is shown, so any copy is as good as the school's. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "leerpas/claims.h"
#include "leerpas/fileio.h"
#include "leerpas/sdcwt.h"
#include "vf.h"

#include <sodium.h>

static void usage(FILE *f)
{
	fputs("usage: leerpas-verifier spec import FILE... [--store DIR] [--json]\n"
	      "       leerpas-verifier spec list [--store DIR] [--json]\n"
	      "\n"
	      "import: cache achievement specifications (the files 'leerpas-issuer template\n"
	      "        spec' writes). A credential refers to its specification by SHA-256;\n"
	      "        when a presentation leaves it out to keep the QR code small, the\n"
	      "        verifier shows its claims from this cache. Specifications that\n"
	      "        learners' presentations carry are cached automatically.\n"
	      "list:   the cached specifications: digest and size.\n",
	      f);
}

void vf_spec_filename(const uint8_t digest[32], char out[80])
{
	for (size_t i = 0; i < 32; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", digest[i]);
	memcpy(out + 64, ".spec", 6);
}

lp_err vf_spec_lookup(void *ctx, const uint8_t digest[32], lp_buf *out)
{
	vf_spec_cache *c = ctx;
	char fname[80], p[VF_PATH_MAX];
	uint8_t h[32];
	vf_spec_filename(digest, fname);
	if (!vf_path(c->st, "specs", fname, p) || lp_file_read(p, LP_SDCWT_MAX_BYTES, out) != LP_OK)
		return LP_ERR_NOT_FOUND;
	/* A file of the cache that no longer matches its name is this
	 * computer's problem, not the presentation's: leave it out and say so. */
	crypto_hash_sha256(h, out->ptr, out->len);
	if (sodium_memcmp(h, digest, sizeof h) != 0) {
		lp_buf_free(out);
		c->damaged = true;
		(void)snprintf(c->damaged_path, sizeof c->damaged_path, "%s", p);
		return LP_ERR_NOT_FOUND;
	}
	return LP_OK;
}

lp_err vf_spec_store(const vf_store *st, lp_view spec, const uint8_t digest[32], bool *added, lp_diag *d)
{
	char fname[80], p[VF_PATH_MAX];
	lp_err rc;
	*added = false;
	vf_spec_filename(digest, fname);
	if (!vf_path(st, "specs", fname, p))
		return lp_diag_set(d, LP_ERR_IO, 0, "the store path is too long");
	rc = lp_file_write_atomic(p, spec, 0600, LP_WRITE_EXCLUSIVE);
	if (rc == LP_ERR_EXISTS)
		return LP_OK; /* the same bytes: named by their digest */
	if (rc != LP_OK)
		return lp_diag_set(d, rc, 0, "cannot write %s", p);
	*added = true;
	return LP_OK;
}

/* Every file is read and checked before any is cached: an import either
 * takes all of them or none. */
static int import(const vf_store *st, const char **files, size_t n, bool as_json)
{
	lp_buf *b = calloc(n, sizeof *b);
	uint8_t (*dg)[32] = calloc(n, sizeof *dg);
	json_t *arr = json_array();
	int ex = CLI_EXIT_ERROR;
	if (!b || !dg || !arr) {
		cli_error(NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		lp_diag d = { 0 };
		if (cli_read_file(files[i], LP_SDCWT_MAX_BYTES, "specification", &b[i]) != LP_OK)
			goto out;
		lp_err rc = lp_spec_check(lp_buf_view(&b[i]), dg[i], &d);
		if (rc != LP_OK) {
			ex = cli_fail(rc, "use the file exactly as the school published it "
					  "('leerpas-issuer template spec'); none of the files was imported",
				      "specification '%s' not imported: %s", files[i],
				      d.msg[0] ? d.msg : lp_err_str(rc));
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		char fname[80];
		bool added = false;
		lp_diag d = { 0 };
		lp_err rc = vf_spec_store(st, lp_buf_view(&b[i]), dg[i], &added, &d);
		if (rc != LP_OK) {
			ex = cli_fail(rc, "check the store directory (disk full, permissions)",
				      "specification '%s' not imported: %s", files[i],
				      d.msg[0] ? d.msg : lp_err_str(rc));
			goto out;
		}
		vf_spec_filename(dg[i], fname);
		fname[64] = '\0';
		json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "file", files[i], "digest", fname,
						     "added", added));
		if (!as_json)
			printf("%s %s: %s\n", added ? "Imported" : "Already cached", files[i], fname);
	}
	ex = CLI_EXIT_OK;
	if (as_json) {
		ex = cli_json_print(json_pack("{s:O}", "imported", arr)) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	}
out:
	json_decref(arr);
	for (size_t i = 0; b && i < n; i++)
		lp_buf_free(&b[i]);
	free(b);
	free(dg);
	return ex;
}

static int list(const vf_store *st, bool as_json)
{
	char dirp[VF_PATH_MAX];
	json_t *arr = json_array();
	DIR *dir = vf_path(st, NULL, "specs", dirp) ? opendir(dirp) : NULL;
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		if (l != 69 || strcmp(de->d_name + 64, ".spec") != 0)
			continue;
		char p[VF_PATH_MAX], hex[65];
		lp_buf b = { 0 };
		uint8_t dg[32];
		lp_diag d = { 0 };
		memcpy(hex, de->d_name, 64);
		hex[64] = '\0';
		if (!vf_path(st, "specs", de->d_name, p) || lp_file_read(p, LP_SDCWT_MAX_BYTES, &b) != LP_OK)
			continue;
		lp_err rc = lp_spec_check(lp_buf_view(&b), dg, &d);
		char got[80];
		vf_spec_filename(dg, got);
		json_t *o = json_pack("{s:s,s:I}", "digest", hex, "bytes", (json_int_t)b.len);
		if (rc != LP_OK || strncmp(got, hex, 64) != 0)
			json_object_set_new(o, "problem", json_string(rc ? d.msg : "the file does not match its name"));
		json_array_append_new(arr, o);
		lp_buf_free(&b);
	}
	if (dir)
		closedir(dir);
	if (as_json)
		return cli_json_print(json_pack("{s:o}", "specifications", arr)) ? CLI_EXIT_OK : CLI_EXIT_ERROR;
	size_t i;
	json_t *v;
	if (json_array_size(arr) == 0)
		printf("No specifications cached. Import one with: leerpas-verifier spec import FILE\n");
	json_array_foreach(arr, i, v) {
		const json_t *pr = json_object_get(v, "problem");
		printf("%s  %lld bytes%s%s\n", json_string_value(json_object_get(v, "digest")),
		       (long long)json_integer_value(json_object_get(v, "bytes")), pr ? "  PROBLEM: " : "",
		       pr ? json_string_value(pr) : "");
	}
	json_decref(arr);
	return CLI_EXIT_OK;
}

int vf_cmd_spec(int argc, char **argv)
{
	const char *store = NULL;
	bool as_json = false, help = false;
	const vf_opt opts[] = {
		{ "--store", true, &store, NULL, NULL, NULL, 0 },
		{ "--json", false, NULL, &as_json, NULL, NULL, 0 },
		{ NULL, false, NULL, NULL, NULL, NULL, 0 },
	};
	const char *pos[65];
	size_t np;
	int ex = vf_parse(argc, argv, opts, pos, 65, &np, "spec", &help);
	if (ex)
		return ex;
	if (help) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	vf_store st;
	if ((ex = vf_store_open(store, true, &st)) != 0)
		return ex;
	if (np >= 2 && strcmp(pos[0], "import") == 0)
		return import(&st, pos + 1, np - 1, as_json);
	if (np == 1 && strcmp(pos[0], "list") == 0)
		return list(&st, as_json);
	usage(stderr);
	return cli_usage_error("spec", "say what to do: import FILE... or list");
}
