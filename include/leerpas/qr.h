/* leerpas QR codes: encode text into a module matrix (libqrencode,
 * alphanumeric mode where the text allows), render it as PNG, SVG or
 * terminal text, and find the codes in a photo or screenshot (PNG or JPEG,
 * libzbar).
 *
 * Conventions as in common.h: on failure outputs are zeroed and nothing
 * stays allocated; every _free accepts NULL and zeroed structs. */
#ifndef LEERPAS_QR_H
#define LEERPAS_QR_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error correction level: L 7%, M 15%, Q 25%, H 30% of codewords. */
typedef enum lp_qr_ecc {
	LP_QR_ECC_L = 0,
	LP_QR_ECC_M = 1, /* the default: survives smudges, still fits a presentation */
	LP_QR_ECC_Q = 2,
	LP_QR_ECC_H = 3
} lp_qr_ecc;

/* Quiet zone around the symbol, in modules (ISO/IEC 18004 asks for 4). */
#define LP_QR_QUIET 4

/* A QR symbol as a matrix of modules. */
typedef struct lp_qr {
	int version;      /* 1..40 */
	size_t width;     /* modules per side, without quiet zone (17 + 4 * version) */
	uint8_t *modules; /* width * width bytes, row-major, 1 = dark, 0 = light */
} lp_qr;

/* Encode text into the smallest QR symbol at the given level. Text made
 * only of QR alphanumeric characters (0-9 A-Z space $%*+-./:, which is every
 * LP1 text) is encoded in alphanumeric mode; other text is split into the
 * cheapest mix of modes (8-bit for bytes outside the set; NUL bytes force
 * one 8-bit segment). LP_ERR_TOO_LARGE when it does not fit version 40. */
lp_err lp_qr_encode(lp_view text, lp_qr_ecc ecc, lp_qr *out) LP_WARN_UNUSED;
void lp_qr_free(lp_qr *qr);

/* Largest image side lp_qr_to_png will write and lp_qr_decode_image will
 * read, in pixels. */
#define LP_QR_MAX_IMAGE_SIDE 8000u
/* Largest image file lp_qr_decode_image accepts, in bytes. */
#define LP_QR_MAX_IMAGE_BYTES (64u * 1024u * 1024u)

/* PNG (8-bit greyscale) with a quiet zone of LP_QR_QUIET modules and
 * `scale` pixels per module (1..100). LP_ERR_ARG when scale is 0 or over
 * 100, LP_ERR_TOO_LARGE when a side would exceed LP_QR_MAX_IMAGE_SIDE. */
lp_err lp_qr_to_png(const lp_qr *qr, unsigned scale, lp_buf *png) LP_WARN_UNUSED;

/* SVG text (NUL-terminated) with a quiet zone of LP_QR_QUIET modules: a
 * white square and one black path of unit squares; `scale` sets the
 * nominal size in pixels per module (1..100). */
lp_err lp_qr_to_svg(const lp_qr *qr, unsigned scale, lp_buf *svg) LP_WARN_UNUSED;

/* Terminal rendering with UTF-8 half blocks (one text line per two module
 * rows, quiet zone included), NUL-terminated, each line ending in '\n'. */
typedef enum lp_qr_text_style {
	/* Dark modules drawn with block characters: right on paper and on
	 * light-background terminals. */
	LP_QR_TEXT_DARK_ON_LIGHT = 0,
	/* Light modules drawn with block characters: right on dark-background
	 * terminals without colour. */
	LP_QR_TEXT_LIGHT_ON_DARK = 1,
	/* Dark-on-light blocks with explicit ANSI colours (black on white), so
	 * that it reads right on any colour terminal. */
	LP_QR_TEXT_ANSI = 2
} lp_qr_text_style;
lp_err lp_qr_to_text(const lp_qr *qr, lp_qr_text_style style, lp_buf *text) LP_WARN_UNUSED;

/* --- decoding ------------------------------------------------------------- */

/* Which symbologies to look for. */
typedef enum lp_qr_scan_mode {
	LP_QR_SCAN_QR_ONLY = 0,  /* QR codes only */
	LP_QR_SCAN_BARCODES = 1  /* also EAN-13/EAN-8/UPC/Code 128/Code 39, so a
	                            caller can say "this is a product barcode" */
} lp_qr_scan_mode;

typedef struct lp_qr_symbol {
	char type[24];   /* zbar's name: "QR-Code", "EAN-13", ... */
	bool is_qr;
	lp_buf data;     /* the decoded bytes, NUL-terminated (not counted) */
} lp_qr_symbol;

typedef struct lp_qr_scan {
	size_t count;
	lp_qr_symbol *symbols;
	size_t width, height; /* of the image, in pixels */
} lp_qr_scan;

/* Find every symbol in a PNG or JPEG file's bytes (format detected by its
 * magic bytes). No symbol found is not an error: count is 0. Errors:
 * LP_ERR_UNSUPPORTED (neither PNG nor JPEG), LP_ERR_MALFORMED (the image
 * cannot be decoded; d says why), LP_ERR_TOO_LARGE (more than
 * LP_QR_MAX_IMAGE_BYTES, or a side over LP_QR_MAX_IMAGE_SIDE). */
lp_err lp_qr_decode_image(lp_view image, lp_qr_scan_mode mode, lp_qr_scan *out, lp_diag *d) LP_WARN_UNUSED;
void lp_qr_scan_free(lp_qr_scan *scan);

#ifdef __cplusplus
}
#endif
#endif
