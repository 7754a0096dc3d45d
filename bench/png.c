/* leerpas benchmark, item 3: verify a presentation from a PNG image (read
 * the file, find the QR code, decode the LP1 text, verify), against zbar's
 * decode of the same image alone (libpng read + zbar scan, the part no QR
 * verifier can skip). The image is the QR code the library renders for the
 * typical microcredential presentation. */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "leerpas/codec.h"
#include "leerpas/fileio.h"
#include "leerpas/qr.h"
#include "zbarpng.h"

/* Pixels per module of the image: what a phone screenshot of the wallet's
 * QR gives, and the wallet's PNG default when it has one. */
#ifndef BENCH_PNG_SCALE
#define BENCH_PNG_SCALE 4u
#endif

static struct {
	bench_fixture f;
	lp_sdcwt_verify_params vp;
	char path[1024];
	char text[8192];
} G;

static int do_png_verify(void *ctx)
{
	(void)ctx;
	lp_buf file = { NULL, 0 }, cbor = { NULL, 0 };
	lp_qr_scan scan;
	lp_diag d;
	int bad = 1;
	memset(&scan, 0, sizeof scan);
	if (lp_file_read(G.path, LP_QR_MAX_IMAGE_BYTES, &file) != LP_OK)
		return 1;
	if (lp_qr_decode_image(lp_buf_view(&file), LP_QR_SCAN_QR_ONLY, &scan, &d) != LP_OK || scan.count != 1)
		goto out;
	if (lp_qrtext_decode(lp_buf_view(&scan.symbols[0].data), 0, &cbor, &d) != LP_OK)
		goto out;
	bad = bench_fixture_check(&G.f, lp_buf_view(&cbor));
out:
	lp_buf_free(&cbor);
	lp_qr_scan_free(&scan);
	lp_buf_free(&file);
	return bad;
}

static int do_zbar_only(void *ctx)
{
	(void)ctx;
	return bench_zbar_decode_file(G.path, G.text, sizeof G.text);
}

int bench_png(int argc, char **argv)
{
	const char *dir = argc == 1 ? argv[0] : "/tmp";
	bench_fixture_micro(&G.f);
	bench_fixture_verify_params(&G.f, &G.vp);

	lp_qr qr;
	lp_buf png = { NULL, 0 };
	if (lp_qr_encode(lp_buf_view(&G.f.lp1), LP_QR_ECC_M, &qr) != LP_OK)
		bench_die("QR encode failed");
	if (lp_qr_to_png(&qr, BENCH_PNG_SCALE, &png) != LP_OK)
		bench_die("PNG render failed");
	snprintf(G.path, sizeof G.path, "%s/leerpas-bench-micro.png", dir);
	FILE *fp = fopen(G.path, "wb");
	if (!fp || fwrite(png.ptr, 1, png.len, fp) != png.len || fclose(fp) != 0)
		bench_die("cannot write %s", G.path);

	/* Both paths must read the same text before anything is timed. */
	if (bench_zbar_decode_file(G.path, G.text, sizeof G.text) != 0 ||
	    strcmp(G.text, (const char *)G.f.lp1.ptr) != 0)
		bench_die("zbar does not read the presentation back from %s", G.path);
	if (do_png_verify(NULL) != 0)
		bench_die("verification from %s fails", G.path);

	bench_case cases[] = {
		{ "png.verify", do_png_verify, NULL },
		{ "png.decode", do_zbar_only, NULL },
	};
	bench_stat st[2];
	double wr = 0, cr = 0;
	if (bench_run_paired(cases, 2, &bench_default, st, 0, 1, &wr, &cr) != 0)
		return 1;
	bench_emit_value("png.ratio_paired", wr, "ratio");
	bench_emit_value("png.cpu_ratio_paired", cr, "ratio");
	bench_emit_stat(cases[0].id, &st[0]);
	bench_emit_stat(cases[1].id, &st[1]);
	size_t side = (qr.width + 2 * LP_QR_QUIET) * BENCH_PNG_SCALE;
	bench_emit_value("png.width", (double)side, "pixels");
	bench_emit_value("png.height", (double)side, "pixels");
	bench_emit_value("png.pixels", (double)(side * side), "pixels");
	bench_emit_value("png.qr_version", qr.version, "version");
	bench_emit_value("png.file_bytes", (double)png.len, "bytes");
	bench_emit_value("png.scale", BENCH_PNG_SCALE, "pixels per module");

	lp_buf_free(&png);
	lp_qr_free(&qr);
	bench_fixture_free(&G.f);
	return 0;
}
