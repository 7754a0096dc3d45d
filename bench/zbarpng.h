/* leerpas benchmark: PNG reading and zbar scanning as a baseline, and the
 * QR version of a text (libqrencode, ECC M). */
#ifndef LP_BENCH_ZBARPNG_H
#define LP_BENCH_ZBARPNG_H

#include <stddef.h>
#include <stdint.h>

/* Read a PNG into 8-bit grey pixels (malloc'd, caller frees). 0 or -1. */
int bench_png_gray(const char *path, uint8_t **pixels, unsigned *w, unsigned *h);

/* Scan grey pixels for a QR code; its text (truncated to cap-1, NUL-ended)
 * into text when non-NULL. 0 when a code was found, -1 otherwise. */
int bench_zbar_scan(const uint8_t *pixels, unsigned w, unsigned h, char *text, size_t cap);

/* Read and scan a PNG file: the whole baseline of item 3. */
int bench_zbar_decode_file(const char *path, char *text, size_t cap);

/* The smallest QR version that holds text at ECC M (mixed modes as
 * libqrencode chooses them), or -1. */
int bench_qr_version(const char *text);

#endif
