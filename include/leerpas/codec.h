/* leerpas codecs: base45 (RFC 9285), zlib deflate/inflate with a hard output
 * limit, and the QR transport text "LP1:" + base45(zlib(bytes)).
 *
 * Text outputs are lp_buf whose bytes are followed by a NUL that len does
 * not count, so out.ptr can be used as a C string. Text inputs are lp_view
 * (bytes, not NUL-terminated). On failure every output is zeroed and nothing
 * stays allocated; diagnostics carry the byte offset into the input. The
 * format is specified in docs/format/transport.md. */
#ifndef LEERPAS_CODEC_H
#define LEERPAS_CODEC_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- base45 (RFC 9285) ------------------------------------------------------
 * Alphabet "0-9A-Z $%*+-./:" (uppercase only). */

/* Length of the base45 text for n bytes (n/2*3 + n%2*2); SIZE_MAX when
 * that would overflow. */
size_t lp_base45_encoded_len(size_t n);

/* Encode bytes to base45 text (NUL-terminated). Fails only with
 * LP_ERR_NOMEM or LP_ERR_TOO_LARGE (size overflow). */
lp_err lp_base45_encode(lp_view in, lp_buf *out) LP_WARN_UNUSED;

/* Decode base45 text, strictly: any character outside the alphabet
 * (lowercase included), a length that leaves 1 when divided by 3, a
 * triplet above 65535 or a final pair above 255 is LP_ERR_BASE45, with the
 * offset of the offending character (or group) in d. */
lp_err lp_base45_decode(lp_view text, lp_buf *out, lp_diag *d) LP_WARN_UNUSED;

/* --- zlib ------------------------------------------------------------------- */

/* Compress with zlib (RFC 1950 wrapper, deflate level 9). */
lp_err lp_deflate(lp_view in, lp_buf *out) LP_WARN_UNUSED;

/* The same with the preset dictionary of LP1: texts (docs/format/transport.md),
 * which lp_inflate recognises by the id in the zlib header. */
lp_err lp_deflate_lp1(lp_view in, lp_buf *out) LP_WARN_UNUSED;

/* Decompress one complete zlib stream that fills `in` exactly. Output is
 * produced in chunks and decompression stops as soon as it would pass
 * max_out bytes: LP_ERR_TOO_LARGE (a bomb never allocates more than
 * max_out + 1 bytes). Corrupt, truncated or trailing data is
 * LP_ERR_INFLATE. */
lp_err lp_inflate(lp_view in, size_t max_out, lp_buf *out, lp_diag *d) LP_WARN_UNUSED;

/* --- QR transport text -------------------------------------------------------- */

#define LP_QRTEXT_PREFIX "LP1:"
/* Longest prefix lp_qrtext_decode_any recognises, with its ':' (e.g. "HC1:"). */
#define LP_QRTEXT_PREFIX_MAX 9

/* "LP1:" + base45(zlib(payload)), NUL-terminated. */
lp_err lp_qrtext_encode(lp_view payload, lp_buf *text) LP_WARN_UNUSED;

/* Decode an LP1 text into the payload bytes. Leading and trailing
 * whitespace is ignored, and so are CR and LF inside the text (line
 * wrapping in e-mail); anything else must be base45. The prefix must be
 * exactly "LP1:" (uppercase) or the result is LP_ERR_PREFIX. The payload
 * may inflate to at most max_out bytes (0 means the default
 * LP_QRTEXT_MAX_PAYLOAD), else LP_ERR_TOO_LARGE. */
#define LP_QRTEXT_MAX_PAYLOAD (64u * 1024u)
lp_err lp_qrtext_decode(lp_view text, size_t max_out, lp_buf *payload, lp_diag *d) LP_WARN_UNUSED;

/* What lp_qrtext_decode_any found. */
typedef struct lp_qrtext_info {
	char prefix[LP_QRTEXT_PREFIX_MAX + 1]; /* e.g. "LP1:" or "HC1:", NUL-terminated */
	bool is_lp1;                           /* prefix is exactly "LP1:" */
	bool compressed;                       /* body was a zlib stream and was inflated */
} lp_qrtext_info;

/* Decode any "<letters/digits><digit>:" prefixed base45 text (LP1:, HC1:,
 * ...; at most LP_QRTEXT_PREFIX_MAX characters with the ':'), for
 * inspection. When the base45 body starts with a zlib header it is
 * inflated (limit as lp_qrtext_decode); otherwise the raw bytes are
 * returned with info->compressed false. Text without such a prefix is
 * LP_ERR_PREFIX. info is zeroed first and filled as far as decoding got
 * (the prefix is known even when the body fails). */
lp_err lp_qrtext_decode_any(lp_view text, size_t max_out, lp_buf *payload, lp_qrtext_info *info,
                            lp_diag *d) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
