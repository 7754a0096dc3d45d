/* leerpas benchmark, items 4 and 9: the files a verifier process needs,
 * made with the library: the school's public description (for `trust pin`),
 * its signed status list (for `status import`), and the typical
 * microcredential presented for walk-up verification, as LP1 text and as a
 * QR PNG. bench/run.sh loads them into a verifier store with the real
 * program and then times `leerpas-verifier verify` as a whole process.
 *   leerpas-bench fixture DIR   (prints the validation time, Unix seconds) */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "leerpas/codec.h"
#include "leerpas/qr.h"
#include "leerpas/status.h"
#include "leerpas/trust.h"

/* Entries in the school's status list: a large school's register. */
#define FIX_STATUS_ENTRIES 100000u
#define FIX_WALKUP_AUD "leerpas:walk-up"

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0)
		bench_die("cannot write %s", path);
}

int bench_procfix(int argc, char **argv)
{
	if (argc != 1)
		bench_die("usage: fixture DIR");
	const char *dir = argv[0];
	bench_fixture f;
	bench_fixture_micro(&f);

	/* The school's description, as `leerpas-issuer export` writes it. */
	lp_issuer_key_entry k = { "k1", &f.issuer_key, BENCH_NOW - 365 * 86400, 0 };
	const char *types[] = { f.vct };
	lp_issuer_desc_params dp;
	memset(&dp, 0, sizeof dp);
	dp.id = BENCH_ISS;
	dp.name = "Hogeschool Domstad";
	dp.country = "NL";
	dp.keys = &k;
	dp.n_keys = 1;
	dp.credential_types = types;
	dp.n_types = 1;
	lp_buf desc = { NULL, 0 };
	if (lp_issuer_desc_write(&dp, &desc) != LP_OK)
		bench_die("issuer description failed");
	write_file(dir, "issuer.json", desc.ptr, desc.len);
	lp_buf_free(&desc);

	/* Its status list: 1% revoked, our credential (entry 42) valid. */
	lp_status_list list;
	if (lp_status_list_create(&list, FIX_STATUS_ENTRIES, 2) != LP_OK)
		bench_die("status list failed");
	for (size_t i = 7; i < FIX_STATUS_ENTRIES; i += 100)
		if (lp_status_list_set(&list, i, LP_STATUS_INVALID) != LP_OK)
			bench_die("status set failed");
	lp_status_token_params tp = { BENCH_STATUS_URI, BENCH_NOW - 3600, BENCH_NOW + 7 * 86400, 86400,
				      (const uint8_t *)"k1", 2 };
	lp_buf tok = { NULL, 0 };
	if (lp_status_token_sign(&list, &tp, f.issuer_sk, &tok) != LP_OK)
		bench_die("status token failed");
	write_file(dir, "status.cwt", tok.ptr, tok.len);
	lp_buf_free(&tok);
	lp_status_list_free(&list);

	/* A walk-up presentation (no challenge), as text and as an image. */
	lp_buf pres = { NULL, 0 }, text = { NULL, 0 }, png = { NULL, 0 };
	if (bench_fixture_present(&f, FIX_WALKUP_AUD, NULL, 0, &pres) != 0)
		bench_die("walk-up presentation failed");
	if (lp_qrtext_encode(lp_buf_view(&pres), &text) != LP_OK)
		bench_die("LP1 text failed");
	write_file(dir, "walkup.lp1", text.ptr, text.len);
	lp_qr qr;
	if (lp_qr_encode(lp_buf_view(&text), LP_QR_ECC_M, &qr) != LP_OK || lp_qr_to_png(&qr, 4, &png) != LP_OK)
		bench_die("QR image failed");
	write_file(dir, "walkup.png", png.ptr, png.len);
	lp_qr_free(&qr);
	lp_buf_free(&png);
	lp_buf_free(&text);
	lp_buf_free(&pres);
	bench_fixture_free(&f);
	printf("%d\n", BENCH_NOW);
	return 0;
}
