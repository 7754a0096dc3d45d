/* QR codes for libleerpas: libqrencode builds the module matrix; we render
 * PNG (libpng), SVG and terminal text; photos and screenshots (PNG via
 * libpng, JPEG via libjpeg) are scanned with libzbar. All image sizes are
 * bounded before anything large is allocated. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <qrencode.h>
#include <zbar.h>

#include "leerpas/qr.h"

#define QR_MAX_TEXT 8000u /* beyond any version-40 capacity */
#define MAX_SCALE 100u

void lp_qr_free(lp_qr *qr)
{
	if (!qr)
		return;
	free(qr->modules);
	qr->modules = NULL;
	qr->width = 0;
	qr->version = 0;
}

lp_err lp_qr_encode(lp_view text, lp_qr_ecc ecc, lp_qr *out)
{
	lp_err rc = LP_OK;
	QRcode *code = NULL;
	char *s = NULL;
	if (!out)
		return LP_ERR_ARG;
	memset(out, 0, sizeof *out);
	if ((!text.ptr && text.len) || ecc < LP_QR_ECC_L || ecc > LP_QR_ECC_H)
		return LP_ERR_ARG;
	if (text.len == 0)
		return LP_ERR_ARG;
	if (text.len > QR_MAX_TEXT)
		return LP_ERR_TOO_LARGE;
	static const QRecLevel levels[] = { QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H };
	errno = 0;
	if (memchr(text.ptr, 0, text.len)) {
		code = QRcode_encodeData((int)text.len, text.ptr, 0, levels[ecc]);
	} else {
		s = malloc(text.len + 1);
		if (!s)
			return LP_ERR_NOMEM;
		memcpy(s, text.ptr, text.len);
		s[text.len] = '\0';
		/* With the 8-bit hint and case sensitivity libqrencode splits the
		 * text into numeric/alphanumeric/8-bit segments by cost; LP1 text
		 * is entirely alphanumeric. */
		code = QRcode_encodeString(s, 0, levels[ecc], QR_MODE_8, 1);
	}
	if (!code) {
		rc = errno == ERANGE ? LP_ERR_TOO_LARGE : errno == ENOMEM ? LP_ERR_NOMEM : LP_ERR_INTERNAL;
		goto out;
	}
	size_t w = (size_t)code->width;
	out->modules = malloc(w * w);
	if (!out->modules) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < w * w; i++)
		out->modules[i] = code->data[i] & 1u; /* bit 0: dark module */
	out->width = w;
	out->version = code->version;
out:
	if (code)
		QRcode_free(code);
	free(s);
	return rc;
}

/* Module at (x, y) of the picture with the quiet zone, 1 = dark. */
static int module_at(const lp_qr *qr, size_t x, size_t y)
{
	if (x < LP_QR_QUIET || y < LP_QR_QUIET)
		return 0;
	x -= LP_QR_QUIET;
	y -= LP_QR_QUIET;
	if (x >= qr->width || y >= qr->width)
		return 0;
	return qr->modules[y * qr->width + x] != 0;
}

static bool qr_ok(const lp_qr *qr)
{
	return qr && qr->modules && qr->width >= 21 && qr->width <= 177;
}

lp_err lp_qr_to_png(const lp_qr *qr, unsigned scale, lp_buf *png)
{
	lp_err rc = LP_OK;
	uint8_t *pix = NULL, *mem = NULL;
	if (!png)
		return LP_ERR_ARG;
	png->ptr = NULL;
	png->len = 0;
	if (!qr_ok(qr) || scale == 0 || scale > MAX_SCALE)
		return LP_ERR_ARG;
	size_t side_mod = qr->width + 2 * LP_QR_QUIET;
	size_t side = side_mod * scale;
	if (side > LP_QR_MAX_IMAGE_SIDE)
		return LP_ERR_TOO_LARGE;
	pix = malloc(side * side);
	if (!pix)
		return LP_ERR_NOMEM;
	for (size_t y = 0; y < side; y++)
		for (size_t x = 0; x < side; x++)
			pix[y * side + x] = module_at(qr, x / scale, y / scale) ? 0 : 255;
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)side;
	img.height = (png_uint_32)side;
	img.format = PNG_FORMAT_GRAY;
	png_alloc_size_t size = 0;
	if (!png_image_write_to_memory(&img, NULL, &size, 0, pix, (png_int_32)side, NULL) || size == 0) {
		rc = LP_ERR_INTERNAL;
		goto out;
	}
	mem = malloc(size);
	if (!mem) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	if (!png_image_write_to_memory(&img, mem, &size, 0, pix, (png_int_32)side, NULL)) {
		rc = LP_ERR_INTERNAL;
		goto out;
	}
	png->ptr = mem;
	png->len = size;
	mem = NULL;
out:
	png_image_free(&img);
	free(pix);
	free(mem);
	return rc;
}

/* A growing NUL-terminated text buffer. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->len <= n) {
		size_t nc = b->cap ? b->cap : 1024;
		while (nc - b->len <= n)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_fmt(struct sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void sb_fmt(struct sbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	/* Only short numeric fragments are formatted here. */
	if (n < 0 || (size_t)n >= sizeof tmp) {
		b->oom = true;
		return;
	}
	sb_put(b, tmp, (size_t)n);
}

static lp_err sb_finish(struct sbuf *b, lp_buf *out)
{
	if (b->oom || !b->p) {
		free(b->p);
		return LP_ERR_NOMEM;
	}
	out->ptr = (uint8_t *)b->p;
	out->len = b->len;
	return LP_OK;
}

lp_err lp_qr_to_svg(const lp_qr *qr, unsigned scale, lp_buf *svg)
{
	struct sbuf b = { 0 };
	if (!svg)
		return LP_ERR_ARG;
	svg->ptr = NULL;
	svg->len = 0;
	if (!qr_ok(qr) || scale == 0 || scale > MAX_SCALE)
		return LP_ERR_ARG;
	size_t side = qr->width + 2 * LP_QR_QUIET;
	sb_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_fmt(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%zu\" height=\"%zu\" "
	           "viewBox=\"0 0 %zu %zu\" shape-rendering=\"crispEdges\">\n",
	       side * scale, side * scale, side, side);
	sb_fmt(&b, "<rect x=\"0\" y=\"0\" width=\"%zu\" height=\"%zu\" fill=\"#ffffff\"/>\n", side, side);
	sb_str(&b, "<path fill=\"#000000\" d=\"");
	/* One subpath per horizontal run of dark modules, absolute commands
	 * only (M x,y H x+n V y+1 H x Z): the form every renderer we tried
	 * (browsers, librsvg, ImageMagick's own) fills correctly. */
	for (size_t y = 0; y < qr->width; y++) {
		size_t x = 0;
		while (x < qr->width) {
			if (!qr->modules[y * qr->width + x]) {
				x++;
				continue;
			}
			size_t run = 0;
			while (x + run < qr->width && qr->modules[y * qr->width + x + run])
				run++;
			sb_fmt(&b, "M%zu,%zuH%zuV%zuH%zuZ", x + LP_QR_QUIET, y + LP_QR_QUIET, x + LP_QR_QUIET + run,
			       y + LP_QR_QUIET + 1, x + LP_QR_QUIET);
			x += run;
		}
		sb_str(&b, "\n");
	}
	sb_str(&b, "\"/>\n</svg>\n");
	return sb_finish(&b, svg);
}

lp_err lp_qr_to_text(const lp_qr *qr, lp_qr_text_style style, lp_buf *text)
{
	struct sbuf b = { 0 };
	if (!text)
		return LP_ERR_ARG;
	text->ptr = NULL;
	text->len = 0;
	if (!qr_ok(qr) || style < LP_QR_TEXT_DARK_ON_LIGHT || style > LP_QR_TEXT_ANSI)
		return LP_ERR_ARG;
	/* Cell glyphs indexed by (top inked) * 2 + (bottom inked). */
	static const char *const glyph[4] = { " ", "\xe2\x96\x84" /* ▄ */, "\xe2\x96\x80" /* ▀ */,
	                                      "\xe2\x96\x88" /* █ */ };
	size_t side = qr->width + 2 * LP_QR_QUIET;
	/* An odd side leaves a last line whose lower half is quiet zone. */
	for (size_t y = 0; y < side; y += 2) {
		if (style == LP_QR_TEXT_ANSI)
			sb_str(&b, "\x1b[30;107m"); /* black ink on bright white */
		for (size_t x = 0; x < side; x++) {
			int top = module_at(qr, x, y);
			int bot = y + 1 < side ? module_at(qr, x, y + 1) : 0;
			if (style == LP_QR_TEXT_LIGHT_ON_DARK) {
				/* ink the light modules; below the symbol stays dark */
				top = !top;
				bot = y + 1 < side ? !bot : 0;
			}
			sb_str(&b, glyph[top * 2 + bot]);
		}
		if (style == LP_QR_TEXT_ANSI)
			sb_str(&b, "\x1b[0m");
		sb_str(&b, "\n");
	}
	return sb_finish(&b, text);
}

/* --- decoding ------------------------------------------------------------- */

struct grey {
	uint8_t *pix;
	size_t w, h;
};

static lp_err read_png(lp_view in, struct grey *g, lp_diag *d)
{
	png_image img;
	/* A PNG ends with its IEND chunk; libpng's simplified reader stops
	 * after the image data, so a file cut inside IEND would pass. */
	static const uint8_t iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
	if (in.len < sizeof iend || memcmp(in.ptr + in.len - sizeof iend, iend, sizeof iend) != 0)
		return lp_diag_set(d, LP_ERR_MALFORMED, in.len,
				   "the PNG image is incomplete (it does not end with its IEND chunk): "
				   "copy or save the image again");
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, in.ptr, in.len))
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "cannot read the PNG image: %s", img.message);
	if (img.width == 0 || img.height == 0 || img.width > LP_QR_MAX_IMAGE_SIDE || img.height > LP_QR_MAX_IMAGE_SIDE) {
		png_image_free(&img);
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "the PNG image is %ux%u pixels; at most %ux%u is accepted",
		                   (unsigned)img.width, (unsigned)img.height, LP_QR_MAX_IMAGE_SIDE, LP_QR_MAX_IMAGE_SIDE);
	}
	img.format = PNG_FORMAT_GRAY;
	size_t n = (size_t)img.width * img.height;
	g->pix = malloc(n);
	if (!g->pix) {
		png_image_free(&img);
		return lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
	}
	/* Transparent pixels are composed onto white, like a page behind. */
	png_color white = { 255, 255, 255 };
	if (!png_image_finish_read(&img, &white, g->pix, (png_int_32)img.width, NULL)) {
		free(g->pix);
		g->pix = NULL;
		png_image_free(&img);
		return lp_diag_set(d, LP_ERR_MALFORMED, 0, "cannot decode the PNG image: %s", img.message);
	}
	g->w = img.width;
	g->h = img.height;
	png_image_free(&img);
	return LP_OK;
}

/* libjpeg reports errors by calling error_exit, which must not return; we
 * jump back to jpeg_decode. All state lives in struct jpeg_job (memory,
 * not registers), so nothing is clobbered by longjmp. */
struct jpeg_job {
	struct jpeg_decompress_struct ci;
	struct jpeg_error_mgr em;
	struct jpeg_progress_mgr prog;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
	bool too_many_scans;
	lp_err code;
	uint8_t *pix;
};

#define JPEG_MAX_SCANS 200 /* progressive JPEGs have about 10; more is an attack */

static void jpeg_fail(j_common_ptr c)
{
	struct jpeg_job *job = (struct jpeg_job *)c->client_data;
	if (job->too_many_scans)
		snprintf(job->msg, sizeof job->msg, "more than %d scans", JPEG_MAX_SCANS);
	else
		(*c->err->format_message)(c, job->msg);
	longjmp(job->jb, 1);
}

static void jpeg_quiet(j_common_ptr c, int level)
{
	/* Warnings (corrupt data that libjpeg repairs) are not printed: the
	 * library never prints. */
	(void)c;
	(void)level;
}

static void jpeg_progress(j_common_ptr c)
{
	struct jpeg_job *job = (struct jpeg_job *)c->client_data;
	if (c->is_decompressor && job->ci.input_scan_number > JPEG_MAX_SCANS) {
		job->too_many_scans = true;
		jpeg_fail(c);
	}
}

static int jpeg_decode(struct jpeg_job *job, lp_view in, struct grey *g)
{
	if (setjmp(job->jb)) {
		jpeg_destroy_decompress(&job->ci);
		return -1;
	}
	jpeg_create_decompress(&job->ci);
	job->ci.client_data = job;
	job->prog.progress_monitor = jpeg_progress;
	job->ci.progress = &job->prog;
	jpeg_mem_src(&job->ci, in.ptr, (unsigned long)in.len);
	jpeg_read_header(&job->ci, TRUE);
	if (job->ci.image_width == 0 || job->ci.image_height == 0 || job->ci.image_width > LP_QR_MAX_IMAGE_SIDE ||
	    job->ci.image_height > LP_QR_MAX_IMAGE_SIDE) {
		job->code = LP_ERR_TOO_LARGE;
		snprintf(job->msg, sizeof job->msg, "the JPEG image is %ux%u pixels; at most %ux%u is accepted",
		         (unsigned)job->ci.image_width, (unsigned)job->ci.image_height, LP_QR_MAX_IMAGE_SIDE,
		         LP_QR_MAX_IMAGE_SIDE);
		jpeg_destroy_decompress(&job->ci);
		return -1;
	}
	job->ci.mem->max_memory_to_use = 512L * 1024 * 1024;
	job->ci.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&job->ci);
	if (job->ci.output_components != 1) {
		snprintf(job->msg, sizeof job->msg, "cannot convert this JPEG to greyscale");
		jpeg_destroy_decompress(&job->ci);
		return -1;
	}
	size_t w = job->ci.output_width, h = job->ci.output_height;
	job->pix = malloc(w * h);
	if (!job->pix) {
		job->code = LP_ERR_NOMEM;
		snprintf(job->msg, sizeof job->msg, "out of memory");
		jpeg_destroy_decompress(&job->ci);
		return -1;
	}
	while (job->ci.output_scanline < job->ci.output_height) {
		JSAMPROW row = job->pix + (size_t)job->ci.output_scanline * w;
		if (jpeg_read_scanlines(&job->ci, &row, 1) != 1)
			break;
	}
	jpeg_finish_decompress(&job->ci);
	jpeg_destroy_decompress(&job->ci);
	g->w = w;
	g->h = h;
	return 0;
}

static lp_err read_jpeg(lp_view in, struct grey *g, lp_diag *d)
{
	struct jpeg_job *job = calloc(1, sizeof *job);
	if (!job)
		return lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
	job->ci.err = jpeg_std_error(&job->em);
	job->em.error_exit = jpeg_fail;
	job->em.emit_message = jpeg_quiet;
	job->code = LP_ERR_MALFORMED;
	lp_err rc = LP_OK;
	if (jpeg_decode(job, in, g) != 0) {
		free(job->pix);
		rc = lp_diag_set(d, job->code, 0, "cannot decode the JPEG image: %s", job->msg);
	} else {
		g->pix = job->pix;
	}
	free(job);
	return rc;
}

void lp_qr_scan_free(lp_qr_scan *scan)
{
	if (!scan)
		return;
	for (size_t i = 0; i < scan->count; i++)
		lp_buf_free(&scan->symbols[i].data);
	free(scan->symbols);
	memset(scan, 0, sizeof *scan);
}

static lp_err scan_grey(const struct grey *g, lp_qr_scan_mode mode, lp_qr_scan *out, lp_diag *d)
{
	lp_err rc = LP_OK;
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *img = zbar_image_create();
	if (!sc || !img) {
		rc = lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
		goto out;
	}
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* A QR shown inverted (light on dark, e.g. a dark-mode screenshot). */
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_TEST_INVERTED, 1);
	if (mode == LP_QR_SCAN_BARCODES) {
		static const zbar_symbol_type_t other[] = { ZBAR_EAN13, ZBAR_EAN8, ZBAR_UPCA, ZBAR_UPCE,
		                                            ZBAR_CODE128, ZBAR_CODE39 };
		for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
			zbar_image_scanner_set_config(sc, other[i], ZBAR_CFG_ENABLE, 1);
	}
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, (unsigned)g->w, (unsigned)g->h);
	zbar_image_set_data(img, g->pix, (unsigned long)(g->w * g->h), NULL);
	int n = zbar_scan_image(sc, img);
	if (n < 0) {
		rc = lp_diag_set(d, LP_ERR_INTERNAL, 0, "the QR scanner failed");
		goto out;
	}
	size_t count = 0;
	for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s; s = zbar_symbol_next(s))
		count++;
	if (count) {
		out->symbols = calloc(count, sizeof *out->symbols);
		if (!out->symbols) {
			rc = lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
			goto out;
		}
	}
	for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s && out->count < count; s = zbar_symbol_next(s)) {
		lp_qr_symbol *sym = &out->symbols[out->count];
		zbar_symbol_type_t t = zbar_symbol_get_type(s);
		snprintf(sym->type, sizeof sym->type, "%s", zbar_get_symbol_name(t));
		sym->is_qr = t == ZBAR_QRCODE;
		const char *data = zbar_symbol_get_data(s);
		size_t len = zbar_symbol_get_data_length(s);
		sym->data.ptr = malloc(len + 1);
		if (!sym->data.ptr) {
			rc = lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
			goto out;
		}
		if (len)
			memcpy(sym->data.ptr, data, len);
		sym->data.ptr[len] = '\0';
		sym->data.len = len;
		out->count++;
	}
out:
	if (img) {
		zbar_image_set_data(img, NULL, 0, NULL);
		zbar_image_destroy(img);
	}
	if (sc)
		zbar_image_scanner_destroy(sc);
	return rc;
}

lp_err lp_qr_decode_image(lp_view image, lp_qr_scan_mode mode, lp_qr_scan *out, lp_diag *d)
{
	static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	lp_err rc;
	struct grey g = { 0 };
	if (!out)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no output");
	memset(out, 0, sizeof *out);
	if (!image.ptr && image.len)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no input");
	if (image.len > LP_QR_MAX_IMAGE_BYTES)
		return lp_diag_set(d, LP_ERR_TOO_LARGE, 0, "the image file is %zu bytes; at most %u is accepted", image.len,
		                   LP_QR_MAX_IMAGE_BYTES);
	if (image.len >= 8 && memcmp(image.ptr, png_magic, 8) == 0)
		rc = read_png(image, &g, d);
	else if (image.len >= 3 && image.ptr[0] == 0xff && image.ptr[1] == 0xd8 && image.ptr[2] == 0xff)
		rc = read_jpeg(image, &g, d);
	else
		return lp_diag_set(d, LP_ERR_UNSUPPORTED, 0, "not a PNG or JPEG image (convert it to PNG first)");
	if (rc)
		return rc;
	out->width = g.w;
	out->height = g.h;
	rc = scan_grey(&g, mode, out, d);
	free(g.pix);
	if (rc)
		lp_qr_scan_free(out);
	return rc;
}
