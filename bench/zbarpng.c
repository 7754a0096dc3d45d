/* leerpas benchmark, item 3's baseline: zbar's decode of a PNG image alone
 * (libpng reads it into 8-bit grey, zbar scans it), the cost any QR verifier
 * pays before it can verify anything. Also the QR version of a text at ECC M
 * (item 8), from libqrencode. */
#include "zbarpng.h"

#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "bench.h"

int bench_png_gray(const char *path, uint8_t **pixels, unsigned *w, unsigned *h)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	*pixels = NULL;
	if (!png_image_begin_read_from_file(&img, path))
		return -1;
	img.format = PNG_FORMAT_GRAY;
	size_t size = PNG_IMAGE_SIZE(img);
	uint8_t *buf = malloc(size);
	if (!buf) {
		png_image_free(&img);
		return -1;
	}
	if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
		free(buf);
		png_image_free(&img);
		return -1;
	}
	*pixels = buf;
	*w = img.width;
	*h = img.height;
	return 0;
}

int bench_zbar_scan(const uint8_t *pixels, unsigned w, unsigned h, char *text, size_t cap)
{
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *img = zbar_image_create();
	int found = -1;
	if (!sc || !img)
		goto out;
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, pixels, (unsigned long)w * h, NULL);
	if (zbar_scan_image(sc, img) <= 0)
		goto out;
	const zbar_symbol_t *sym = zbar_image_first_symbol(img);
	if (!sym)
		goto out;
	const char *data = zbar_symbol_get_data(sym);
	unsigned len = zbar_symbol_get_data_length(sym);
	if (text && cap) {
		size_t n = len < cap - 1 ? len : cap - 1;
		memcpy(text, data, n);
		text[n] = '\0';
	}
	found = 0;
out:
	if (img)
		zbar_image_destroy(img);
	if (sc)
		zbar_image_scanner_destroy(sc);
	return found;
}

int bench_zbar_decode_file(const char *path, char *text, size_t cap)
{
	uint8_t *px = NULL;
	unsigned w = 0, h = 0;
	if (bench_png_gray(path, &px, &w, &h) != 0)
		return -1;
	int rc = bench_zbar_scan(px, w, h, text, cap);
	free(px);
	return rc;
}

int bench_qr_version(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return -1;
	int v = q->version;
	QRcode_free(q);
	return v;
}
