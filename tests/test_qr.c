/* QR codes (lib/qr.c): encoding mode and version, PNG round trips through
 * our decoder and through the zbarimg command, images altered with
 * ImageMagick (scaled, noisy, JPEG, inverted, transparent), images with no
 * QR, two QRs and an EAN-13 barcode, SVG and terminal output parsed back
 * into the module matrix, and hostile image files. */
#include <criterion/criterion.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leerpas/codec.h"
#include "leerpas/qr.h"

static char tmpdir[512];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/qrtest-XXXXXX", LP_BINARY_DIR);
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(qr, .init = make_tmpdir, .fini = remove_tmpdir);

static const char *path_in_tmp(const char *name)
{
	static char p[4][600];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
	return p[k];
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(b, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

static lp_buf read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	lp_buf b = { malloc(1 << 24), 0 };
	b.len = fread(b.ptr, 1, 1 << 24, f);
	fclose(f);
	cr_assert_gt(b.len, 0, "%s is empty", path);
	return b;
}

/* An LP1 text as the wallet would show it. */
static lp_buf sample_text(size_t payload_len, unsigned seed)
{
	uint8_t *p = malloc(payload_len);
	srand(seed);
	for (size_t i = 0; i < payload_len; i++)
		p[i] = (uint8_t)rand();
	lp_buf t = { 0 };
	cr_assert_eq(lp_qrtext_encode(lp_view_of(p, payload_len), &t), LP_OK);
	free(p);
	return t;
}

static void write_qr_png(const char *path, const char *text, unsigned scale)
{
	lp_qr qr = { 0 };
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)text, strlen(text)), LP_QR_ECC_M, &qr), LP_OK);
	lp_buf png = { 0 };
	cr_assert_eq(lp_qr_to_png(&qr, scale, &png), LP_OK);
	write_file(path, png.ptr, png.len);
	lp_buf_free(&png);
	lp_qr_free(&qr);
}

static void run(const char *cmd)
{
	int rc = system(cmd);
	cr_assert_eq(rc, 0, "command failed: %s", cmd);
}

/* Decode a file with our library; exactly one symbol expected. */
static void expect_single_qr(const char *path, const char *text)
{
	lp_buf img = read_file(path);
	lp_qr_scan scan;
	lp_diag d = { 0 };
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_QR_ONLY, &scan, &d), LP_OK, "%s: %s", path, d.msg);
	cr_assert_eq(scan.count, 1, "%s: %zu symbols", path, scan.count);
	cr_assert(scan.symbols[0].is_qr);
	cr_assert_str_eq(scan.symbols[0].type, "QR-Code");
	cr_assert_eq(scan.symbols[0].data.len, strlen(text));
	cr_assert_str_eq((const char *)scan.symbols[0].data.ptr, text, "%s", path);
	lp_qr_scan_free(&scan);
	lp_buf_free(&img);
}

Test(qr, alphanumeric_mode_and_version)
{
	/* 120 alphanumeric characters fit version 5-M only in alphanumeric
	 * mode (capacity 122; in 8-bit mode 5-M holds 84, 7-M 122). */
	char s[121];
	for (size_t i = 0; i < 120; i++)
		s[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[i % 45];
	s[120] = '\0';
	lp_qr qr = { 0 };
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)s, 120), LP_QR_ECC_M, &qr), LP_OK);
	cr_assert_eq(qr.version, 5);
	cr_assert_eq(qr.width, 37);
	lp_qr_free(&qr);
	/* the same length in lowercase needs 8-bit mode */
	for (size_t i = 0; i < 120; i++)
		s[i] = 'a';
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)s, 120), LP_QR_ECC_M, &qr), LP_OK);
	cr_assert_eq(qr.version, 7);
	lp_qr_free(&qr);
	/* higher correction levels never need a smaller symbol */
	lp_buf t = sample_text(200, 1);
	int last = 0;
	for (int e = LP_QR_ECC_L; e <= LP_QR_ECC_H; e++) {
		cr_assert_eq(lp_qr_encode(lp_buf_view(&t), (lp_qr_ecc)e, &qr), LP_OK);
		cr_assert_geq(qr.version, last);
		cr_assert_eq(qr.width, (size_t)(17 + 4 * qr.version));
		last = qr.version;
		lp_qr_free(&qr);
	}
	lp_buf_free(&t);
}

Test(qr, limits)
{
	lp_qr qr = { 0 };
	char *s = malloc(4300);
	memset(s, 'A', 4300);
	/* version 40-L holds 4296 alphanumeric characters */
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)s, 4296), LP_QR_ECC_L, &qr), LP_OK);
	cr_assert_eq(qr.version, 40);
	lp_buf png = { 0 };
	cr_assert_eq(lp_qr_to_png(&qr, 43, &png), LP_OK); /* 185 * 43 = 7955 */
	lp_buf_free(&png);
	cr_assert_eq(lp_qr_to_png(&qr, 44, &png), LP_ERR_TOO_LARGE);
	cr_assert_null(png.ptr);
	lp_qr_free(&qr);
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)s, 4297), LP_QR_ECC_L, &qr), LP_ERR_TOO_LARGE);
	cr_assert_null(qr.modules);
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)s, 0), LP_QR_ECC_L, &qr), LP_ERR_ARG);
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)s, 10), (lp_qr_ecc)7, &qr), LP_ERR_ARG);
	free(s);
	cr_assert_eq(lp_qr_encode(lp_view_of((const uint8_t *)"A", 1), LP_QR_ECC_M, &qr), LP_OK);
	cr_assert_eq(lp_qr_to_png(&qr, 0, &png), LP_ERR_ARG);
	cr_assert_eq(lp_qr_to_png(&qr, 101, &png), LP_ERR_ARG);
	cr_assert_eq(lp_qr_to_svg(&qr, 0, &png), LP_ERR_ARG);
	cr_assert_eq(lp_qr_to_text(&qr, (lp_qr_text_style)9, &png), LP_ERR_ARG);
	lp_qr_free(&qr);
	lp_qr_free(NULL);
	cr_assert_eq(lp_qr_to_png(&qr, 4, &png), LP_ERR_ARG, "freed matrix");
}

Test(qr, png_round_trip_through_library_and_zbarimg)
{
	lp_buf t = sample_text(300, 2);
	lp_qr qr = { 0 };
	cr_assert_eq(lp_qr_encode(lp_buf_view(&t), LP_QR_ECC_M, &qr), LP_OK);
	lp_buf png = { 0 };
	cr_assert_eq(lp_qr_to_png(&qr, 4, &png), LP_OK);
	const char *p = path_in_tmp("qr.png");
	write_file(p, png.ptr, png.len);
	expect_single_qr(p, (const char *)t.ptr);
	lp_qr_scan scan;
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&png), LP_QR_SCAN_BARCODES, &scan, NULL), LP_OK);
	cr_assert_eq(scan.width, (qr.width + 8) * 4);
	cr_assert_eq(scan.height, scan.width);
	lp_qr_scan_free(&scan);

	/* the zbarimg command reads the same file to the exact text */
	char cmd[800];
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s'", p);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	char *out = calloc(1, 8192);
	size_t n = fread(out, 1, 8191, f);
	cr_assert_eq(pclose(f), 0);
	cr_assert_gt(n, 1);
	cr_assert_eq(out[n - 1], '\n');
	out[n - 1] = '\0';
	cr_assert_str_eq(out, (const char *)t.ptr);
	free(out);
	lp_buf_free(&png);
	lp_qr_free(&qr);
	lp_buf_free(&t);
}

Test(qr, altered_images_still_decode)
{
	lp_buf t = sample_text(250, 3);
	const char *text = (const char *)t.ptr;
	char src[600];
	snprintf(src, sizeof src, "%s", path_in_tmp("src.png"));
	write_qr_png(src, text, 8);
	static const struct {
		const char *name;
		const char *args;
	} alt[] = {
		{ "small.png", "-resize 45%" },
		{ "noisy.png", "-seed 7 -attenuate 0.6 +noise Gaussian" },
		{ "blurred.png", "-blur 0x2" },
		{ "photo.jpg", "-quality 75" },
		{ "progressive.jpg", "-interlace JPEG -quality 60" },
		{ "inverted.png", "-negate" },
		{ "transparent.png", "-transparent white" },
		{ "rgb.png", "-type TrueColor -fill '#3050a0' -opaque black" },
		{ "rotated.png", "-background white -rotate 17" },
		{ "grey16.png", "-depth 16 -type Grayscale" },
	};
	for (size_t i = 0; i < sizeof alt / sizeof alt[0]; i++) {
		char cmd[1600];
		const char *dst = path_in_tmp(alt[i].name);
		snprintf(cmd, sizeof cmd, "convert '%s' %s '%s'", src, alt[i].args, dst);
		run(cmd);
		expect_single_qr(dst, text);
	}
	lp_buf_free(&t);
}

Test(qr, no_qr_two_qrs_and_a_url)
{
	lp_qr_scan scan;
	/* no QR at all */
	const char *none = path_in_tmp("none.png");
	char cmd[1600];
	snprintf(cmd, sizeof cmd, "convert -size 320x240 gradient:white-black '%s'", none);
	run(cmd);
	lp_buf img = read_file(none);
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_BARCODES, &scan, NULL), LP_OK);
	cr_assert_eq(scan.count, 0);
	cr_assert_null(scan.symbols);
	lp_qr_scan_free(&scan);
	lp_buf_free(&img);

	/* two QR codes side by side */
	lp_buf a = sample_text(60, 4), b = sample_text(90, 5);
	const char *pa = path_in_tmp("a.png"), *pb = path_in_tmp("b.png"), *two = path_in_tmp("two.png");
	write_qr_png(pa, (const char *)a.ptr, 4);
	write_qr_png(pb, (const char *)b.ptr, 4);
	snprintf(cmd, sizeof cmd, "convert '%s' '%s' +append '%s'", pa, pb, two);
	run(cmd);
	img = read_file(two);
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_QR_ONLY, &scan, NULL), LP_OK);
	cr_assert_eq(scan.count, 2);
	bool seen_a = false, seen_b = false;
	for (size_t i = 0; i < 2; i++) {
		cr_assert(scan.symbols[i].is_qr);
		seen_a |= strcmp((const char *)scan.symbols[i].data.ptr, (const char *)a.ptr) == 0;
		seen_b |= strcmp((const char *)scan.symbols[i].data.ptr, (const char *)b.ptr) == 0;
	}
	cr_assert(seen_a && seen_b);
	lp_qr_scan_free(&scan);
	lp_buf_free(&img);
	lp_buf_free(&a);
	lp_buf_free(&b);

	/* a QR of another kind: a URL, found as a QR whose text is not LP1 */
	const char *url = "https://www.example.org/diploma?id=12345";
	const char *pu = path_in_tmp("url.png");
	write_qr_png(pu, url, 4);
	expect_single_qr(pu, url);
	img = read_file(pu);
	lp_buf payload = { 0 };
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_QR_ONLY, &scan, NULL), LP_OK);
	cr_assert_eq(lp_qrtext_decode(lp_buf_view(&scan.symbols[0].data), 0, &payload, NULL), LP_ERR_PREFIX);
	lp_qr_scan_free(&scan);
	lp_buf_free(&img);
}

/* EAN-13 (ISO/IEC 15420) drawn by hand: L, G and R digit patterns, the
 * first digit chosen by the L/G parity of the left half. */
static lp_buf ean13_png(const char *digits12, char *full13)
{
	static const char *const L[10] = { "0001101", "0011001", "0010011", "0111101", "0100011",
	                                   "0110001", "0101111", "0111011", "0110111", "0001011" };
	static const char *const parity[10] = { "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
	                                        "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL" };
	int sum = 0;
	for (int i = 0; i < 12; i++)
		sum += (digits12[i] - '0') * (i % 2 ? 3 : 1);
	memcpy(full13, digits12, 12);
	full13[12] = (char)('0' + (10 - sum % 10) % 10);
	full13[13] = '\0';
	char bits[96 + 1];
	size_t n = 0;
	memcpy(bits + n, "101", 3);
	n += 3;
	int first = full13[0] - '0';
	for (int i = 1; i <= 6; i++) {
		const char *l = L[full13[i] - '0'];
		for (int k = 0; k < 7; k++) {
			char c = l[k];
			if (parity[first][i - 1] == 'G') /* G = reversed complement of L */
				c = l[6 - k] == '1' ? '0' : '1';
			bits[n++] = c;
		}
	}
	memcpy(bits + n, "01010", 5);
	n += 5;
	for (int i = 7; i <= 12; i++) {
		const char *l = L[full13[i] - '0'];
		for (int k = 0; k < 7; k++)
			bits[n++] = l[k] == '1' ? '0' : '1'; /* R = complement of L */
	}
	memcpy(bits + n, "101", 3);
	n += 3;
	cr_assert_eq(n, 95);
	const size_t scale = 3, quiet = 12, h = 120;
	size_t w = (n + 2 * quiet) * scale;
	uint8_t *pix = malloc(w * h);
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0; x < w; x++) {
			size_t m = x / scale;
			bool dark = m >= quiet && m < quiet + n && bits[m - quiet] == '1' && y >= 10 && y < h - 10;
			pix[y * w + x] = dark ? 0 : 255;
		}
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)w;
	img.height = (png_uint_32)h;
	img.format = PNG_FORMAT_GRAY;
	png_alloc_size_t size = 0;
	cr_assert(png_image_write_to_memory(&img, NULL, &size, 0, pix, (png_int_32)w, NULL));
	lp_buf out = { malloc(size), size };
	cr_assert(png_image_write_to_memory(&img, out.ptr, &size, 0, pix, (png_int_32)w, NULL));
	out.len = size;
	free(pix);
	return out;
}

Test(qr, ean13_barcode)
{
	char code[14];
	lp_buf png = ean13_png("871234567890", code);
	lp_qr_scan scan;
	/* looking for QR codes only: nothing there */
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&png), LP_QR_SCAN_QR_ONLY, &scan, NULL), LP_OK);
	cr_assert_eq(scan.count, 0);
	lp_qr_scan_free(&scan);
	/* looking for barcodes too: an EAN-13 that is not a QR */
	lp_diag d = { 0 };
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&png), LP_QR_SCAN_BARCODES, &scan, &d), LP_OK, "%s", d.msg);
	cr_assert_eq(scan.count, 1);
	cr_assert_not(scan.symbols[0].is_qr);
	cr_assert_str_eq(scan.symbols[0].type, "EAN-13");
	cr_assert_str_eq((const char *)scan.symbols[0].data.ptr, code);
	lp_qr_scan_free(&scan);
	/* zbarimg agrees on the drawing */
	const char *p = path_in_tmp("ean.png");
	write_file(p, png.ptr, png.len);
	char cmd[800];
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s'", p);
	FILE *f = popen(cmd, "r");
	char out[64] = { 0 };
	size_t n = fread(out, 1, sizeof out - 1, f);
	cr_assert_eq(pclose(f), 0);
	cr_assert(n > 0 && out[n - 1] == '\n');
	out[n - 1] = '\0';
	cr_assert_str_eq(out, code);
	lp_buf_free(&png);
}

/* Parse our SVG back: the declared size, then the runs of the path. */
static uint8_t *svg_to_matrix(const char *svg, size_t *side_out)
{
	size_t side = 0, vb = 0;
	const char *v = strstr(svg, "viewBox=\"0 0 ");
	cr_assert_not_null(v);
	cr_assert_eq(sscanf(v, "viewBox=\"0 0 %zu %zu\"", &side, &vb), 2);
	cr_assert_eq(side, vb);
	uint8_t *m = calloc(side * side, 1);
	const char *p = strstr(svg, " d=\"");
	cr_assert_not_null(p);
	p += 4;
	while (*p && *p != '"') {
		if (*p == '\n') {
			p++;
			continue;
		}
		size_t x, y, xend, yend, xback;
		int used = 0;
		cr_assert_eq(sscanf(p, "M%zu,%zuH%zuV%zuH%zuZ%n", &x, &y, &xend, &yend, &xback, &used), 5, "at '%.20s'", p);
		cr_assert(xend > x && yend == y + 1 && xback == x);
		size_t run = xend - x;
		cr_assert(x + run <= side && y < side);
		for (size_t k = 0; k < run; k++) {
			cr_assert_eq(m[y * side + x + k], 0, "overlap");
			m[y * side + x + k] = 1;
		}
		p += used;
	}
	*side_out = side;
	return m;
}

/* Parse terminal output back into modules (quiet zone included). */
static uint8_t *text_to_matrix(const char *t, lp_qr_text_style style, size_t side)
{
	uint8_t *m = calloc(side * side, 1);
	size_t row = 0, col = 0;
	const char *p = t;
	while (*p) {
		if (*p == '\x1b') {
			cr_assert_eq(style, LP_QR_TEXT_ANSI);
			const char *e = strchr(p, 'm');
			cr_assert_not_null(e);
			cr_assert(strncmp(p, "\x1b[30;107m", 9) == 0 || strncmp(p, "\x1b[0m", 4) == 0);
			p = e + 1;
			continue;
		}
		if (*p == '\n') {
			cr_assert_eq(col, side, "line %zu has %zu cells", row / 2, col);
			col = 0;
			row += 2;
			p++;
			continue;
		}
		int top, bot;
		if (*p == ' ') {
			top = bot = 0;
			p++;
		} else if (strncmp(p, "\xe2\x96\x84", 3) == 0) {
			top = 0, bot = 1;
			p += 3;
		} else if (strncmp(p, "\xe2\x96\x80", 3) == 0) {
			top = 1, bot = 0;
			p += 3;
		} else if (strncmp(p, "\xe2\x96\x88", 3) == 0) {
			top = bot = 1;
			p += 3;
		} else {
			cr_assert_fail("unexpected byte 0x%02x", (unsigned char)*p);
		}
		if (style == LP_QR_TEXT_LIGHT_ON_DARK) {
			top = !top;
			bot = row + 1 < side ? !bot : bot;
		}
		cr_assert_lt(col, side);
		m[row * side + col] = (uint8_t)top;
		if (row + 1 < side)
			m[(row + 1) * side + col] = (uint8_t)bot;
		else
			cr_assert_eq(bot, 0, "below the last row");
		col++;
	}
	cr_assert_eq(row, side + side % 2);
	return m;
}

static void assert_same_matrix(const lp_qr *qr, const uint8_t *m, size_t side)
{
	cr_assert_eq(side, qr->width + 2 * LP_QR_QUIET);
	for (size_t y = 0; y < side; y++)
		for (size_t x = 0; x < side; x++) {
			bool in = x >= LP_QR_QUIET && y >= LP_QR_QUIET && x < LP_QR_QUIET + qr->width &&
			          y < LP_QR_QUIET + qr->width;
			uint8_t want = in ? qr->modules[(y - LP_QR_QUIET) * qr->width + (x - LP_QR_QUIET)] : 0;
			cr_assert_eq(m[y * side + x], want, "module (%zu,%zu)", x, y);
		}
}

Test(qr, svg_and_text_parse_back)
{
	for (unsigned seed = 0; seed < 4; seed++) {
		lp_buf t = sample_text(20 + seed * 150, seed);
		lp_qr qr = { 0 };
		cr_assert_eq(lp_qr_encode(lp_buf_view(&t), (lp_qr_ecc)seed, &qr), LP_OK);
		lp_buf svg = { 0 };
		cr_assert_eq(lp_qr_to_svg(&qr, 6, &svg), LP_OK);
		cr_assert_eq(strlen((const char *)svg.ptr), svg.len);
		size_t side;
		uint8_t *m = svg_to_matrix((const char *)svg.ptr, &side);
		assert_same_matrix(&qr, m, side);
		char wh[64];
		snprintf(wh, sizeof wh, "width=\"%zu\" height=\"%zu\"", side * 6, side * 6);
		cr_assert_not_null(strstr((const char *)svg.ptr, wh));
		free(m);
		lp_buf_free(&svg);
		for (int st = LP_QR_TEXT_DARK_ON_LIGHT; st <= LP_QR_TEXT_ANSI; st++) {
			lp_buf txt = { 0 };
			cr_assert_eq(lp_qr_to_text(&qr, (lp_qr_text_style)st, &txt), LP_OK);
			cr_assert_eq(strlen((const char *)txt.ptr), txt.len);
			m = text_to_matrix((const char *)txt.ptr, (lp_qr_text_style)st, qr.width + 2 * LP_QR_QUIET);
			assert_same_matrix(&qr, m, qr.width + 2 * LP_QR_QUIET);
			free(m);
			lp_buf_free(&txt);
		}
		lp_qr_free(&qr);
		lp_buf_free(&t);
	}
}

Test(qr, hostile_images)
{
	lp_qr_scan scan;
	lp_diag d = { 0 };
	/* not an image */
	cr_assert_eq(lp_qr_decode_image(lp_view_of((const uint8_t *)"LP1:ABC", 7), LP_QR_SCAN_QR_ONLY, &scan, &d),
	             LP_ERR_UNSUPPORTED);
	cr_assert_eq(lp_qr_decode_image(lp_view_of((const uint8_t *)"", 0), LP_QR_SCAN_QR_ONLY, &scan, &d),
	             LP_ERR_UNSUPPORTED);
	/* PNG and JPEG magic followed by garbage */
	uint8_t junk[64] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3 };
	cr_assert_eq(lp_qr_decode_image(lp_view_of(junk, sizeof junk), LP_QR_SCAN_QR_ONLY, &scan, &d), LP_ERR_MALFORMED);
	cr_assert_neq(d.msg[0], '\0');
	uint8_t jjunk[64] = { 0xff, 0xd8, 0xff, 0xe0, 0, 2 };
	cr_assert_eq(lp_qr_decode_image(lp_view_of(jjunk, sizeof jjunk), LP_QR_SCAN_QR_ONLY, &scan, &d), LP_ERR_MALFORMED);
	cr_assert_null(scan.symbols);
	/* too wide (a small file for a huge image) */
	char cmd[1400];
	const char *wide = path_in_tmp("wide.png"), *widej = path_in_tmp("wide.jpg");
	snprintf(cmd, sizeof cmd, "convert -size 8001x2 xc:white '%s' && convert -size 3x8001 xc:white '%s'", wide, widej);
	run(cmd);
	lp_buf img = read_file(wide);
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_QR_ONLY, &scan, &d), LP_ERR_TOO_LARGE);
	cr_assert_not_null(strstr(d.msg, "8001"));
	lp_buf_free(&img);
	img = read_file(widej);
	cr_assert_eq(lp_qr_decode_image(lp_buf_view(&img), LP_QR_SCAN_QR_ONLY, &scan, &d), LP_ERR_TOO_LARGE);
	lp_buf_free(&img);
	/* file over the byte limit */
	cr_assert_eq(lp_qr_decode_image(lp_view_of(junk, (size_t)LP_QR_MAX_IMAGE_BYTES + 1), LP_QR_SCAN_QR_ONLY, &scan, &d),
	             LP_ERR_TOO_LARGE);
}

Test(qr, truncated_images_never_crash)
{
	lp_buf t = sample_text(80, 11);
	const char *p = path_in_tmp("t.png"), *j = path_in_tmp("t.jpg");
	write_qr_png(p, (const char *)t.ptr, 3);
	char cmd[1400];
	snprintf(cmd, sizeof cmd, "convert '%s' -quality 70 '%s'", p, j);
	run(cmd);
	const char *files[] = { p, j };
	for (size_t f = 0; f < 2; f++) {
		lp_buf img = read_file(files[f]);
		size_t step = img.len / 60 + 1;
		for (size_t k = 0; k < img.len; k += step) {
			uint8_t *cut = malloc(k ? k : 1);
			memcpy(cut, img.ptr, k);
			lp_qr_scan scan;
			lp_err rc = lp_qr_decode_image(lp_view_of(cut, k), LP_QR_SCAN_QR_ONLY, &scan, NULL);
			if (f == 0) {
				/* a PNG cut short is always refused */
				cr_assert_neq(rc, LP_OK, "PNG cut at %zu", k);
			} else if (rc == LP_OK) {
				/* libjpeg pads a short JPEG with grey: any QR found must
				 * still be the whole text */
				for (size_t i = 0; i < scan.count; i++)
					cr_assert_str_eq((const char *)scan.symbols[i].data.ptr, (const char *)t.ptr);
			}
			lp_qr_scan_free(&scan);
			free(cut);
		}
		lp_buf_free(&img);
	}
	lp_buf_free(&t);
}
