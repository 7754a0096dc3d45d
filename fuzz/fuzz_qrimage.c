/* Fuzz QR image decoding: PNG (libpng) and JPEG (libjpeg) to grey, then
 * zbar. Images declaring more than a million pixels are skipped here only
 * to keep each run fast (the library accepts up to 8000x8000); the header
 * walk below finds the declared size. */
#include "fuzz_common.h"
#include "leerpas/qr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_PIXELS 1000000u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Declared pixel count of a PNG (IHDR) or JPEG (first SOF); 0 if unknown. */
static uint64_t declared_pixels(const uint8_t *d, size_t n)
{
	if (n >= 24 && d[0] == 0x89 && memcmp(d + 12, "IHDR", 4) == 0)
		return (uint64_t)be32(d + 16) * be32(d + 20);
	if (n >= 4 && d[0] == 0xff && d[1] == 0xd8) {
		size_t i = 2;
		while (i + 9 < n) {
			if (d[i] != 0xff) {
				i++;
				continue;
			}
			uint8_t m = d[i + 1];
			size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
			if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc)
				return (uint64_t)((size_t)d[i + 5] << 8 | d[i + 6]) * ((size_t)d[i + 7] << 8 | d[i + 8]);
			i += 2 + (len ? len : 1);
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (declared_pixels(data, size) > FZ_MAX_PIXELS)
		return 0;
	for (int mode = 0; mode < 2; mode++) {
		lp_qr_scan scan;
		lp_diag d;
		if (lp_qr_decode_image(lp_view_of(data, size), (lp_qr_scan_mode)mode, &scan, &d) == LP_OK) {
			FZ_CHECK(scan.width > 0 && scan.height > 0);
			for (size_t i = 0; i < scan.count; i++)
				FZ_CHECK(scan.symbols[i].data.ptr && scan.symbols[i].data.ptr[scan.symbols[i].data.len] == 0);
			lp_qr_scan_free(&scan);
		} else {
			FZ_CHECK(scan.count == 0 && scan.symbols == NULL);
		}
	}
	return 0;
}
