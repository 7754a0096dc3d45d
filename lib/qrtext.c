/* The QR transport text: "LP1:" + base45(zlib(payload)), and a generic
 * decoder for any "<letters/digits><digit>:" prefix (HC1: of the EU DCC and
 * the like) used by the verifier's inspect command. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "leerpas/codec.h"

lp_err lp_qrtext_encode(lp_view payload, lp_buf *text)
{
	lp_err rc;
	lp_buf z = { 0 }, b45 = { 0 };
	if (!text)
		return LP_ERR_ARG;
	text->ptr = NULL;
	text->len = 0;
	rc = lp_deflate_lp1(payload, &z);
	if (rc)
		goto out;
	rc = lp_base45_encode(lp_buf_view(&z), &b45);
	if (rc)
		goto out;
	size_t pl = strlen(LP_QRTEXT_PREFIX);
	if (b45.len > SIZE_MAX - pl - 1) {
		rc = LP_ERR_TOO_LARGE;
		goto out;
	}
	text->ptr = malloc(pl + b45.len + 1);
	if (!text->ptr) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	memcpy(text->ptr, LP_QRTEXT_PREFIX, pl);
	memcpy(text->ptr + pl, b45.ptr, b45.len);
	text->ptr[pl + b45.len] = '\0';
	text->len = pl + b45.len;
out:
	lp_buf_free(&z);
	lp_buf_free(&b45);
	return rc;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_upper_alnum(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Find the prefix at text.ptr[start..]: 1..LP_QRTEXT_PREFIX_MAX-2 uppercase
 * letters or digits, then a digit, then ':'. Returns its length with the
 * colon, or 0. Valid base45 never ends in whitespace (the last character
 * of a group is at most 'W'), so trimming the text cannot damage it. */
static size_t prefix_len(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && i < LP_QRTEXT_PREFIX_MAX - 1 && is_upper_alnum(p[i]))
		i++;
	if (i < 2 || i >= n || p[i] != ':' || !(p[i - 1] >= '0' && p[i - 1] <= '9'))
		return 0;
	return i + 1;
}

/* Decode the base45 body b[0..n) (offsets reported relative to base),
 * skipping CR and LF. */
static lp_err body_base45(const uint8_t *b, size_t n, size_t base, lp_buf *out, lp_diag *d)
{
	lp_err rc;
	uint8_t *clean = malloc(n ? n : 1);
	size_t *map = malloc((n ? n : 1) * sizeof *map);
	size_t m = 0;
	if (!clean || !map) {
		rc = lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\r' || b[i] == '\n')
			continue;
		map[m] = base + i;
		clean[m++] = b[i];
	}
	if (m == 0) {
		rc = lp_diag_set(d, LP_ERR_BASE45, base, "nothing after the prefix: the text is truncated");
		goto out;
	}
	rc = lp_base45_decode(lp_view_of(clean, m), out, d);
	if (rc && d && d->offset < m) {
		/* Re-point the diagnostic at the byte of the original text. */
		size_t orig = map[d->offset];
		char msg[sizeof d->msg];
		memcpy(msg, d->msg, sizeof msg);
		lp_diag_set(d, rc, orig, "%s (byte %zu of the text)", msg, orig);
	} else if (rc && d) {
		d->offset = base + n;
	}
out:
	free(clean);
	free(map);
	return rc;
}

/* Zlib header check (RFC 1950 2.2): CM 8, window <= 32K, FCHECK ok. */
static bool looks_like_zlib(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && ((unsigned)p[0] * 256u + p[1]) % 31 == 0;
}

static lp_err decode_common(lp_view text, size_t max_out, bool lp1_only, lp_buf *payload, lp_qrtext_info *info,
                            lp_diag *d)
{
	lp_err rc;
	lp_buf raw = { 0 };
	if (!payload)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no output");
	payload->ptr = NULL;
	payload->len = 0;
	if (info)
		memset(info, 0, sizeof *info);
	if (!text.ptr && text.len)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no input");
	if (max_out == 0)
		max_out = LP_QRTEXT_MAX_PAYLOAD;
	size_t s = 0, e = text.len;
	while (s < e && is_space(text.ptr[s]))
		s++;
	while (e > s && is_space(text.ptr[e - 1]))
		e--;
	if (s == e)
		return lp_diag_set(d, LP_ERR_PREFIX, 0, "empty text: expected \"" LP_QRTEXT_PREFIX "\" followed by base45");
	size_t pl = prefix_len(text.ptr + s, e - s);
	size_t lp1 = strlen(LP_QRTEXT_PREFIX);
	if (pl == 0) {
		if (e - s >= lp1 && strncasecmp((const char *)text.ptr + s, LP_QRTEXT_PREFIX, lp1) == 0)
			return lp_diag_set(d, LP_ERR_PREFIX, s,
			                   "the prefix must be uppercase \"" LP_QRTEXT_PREFIX "\" (was the text converted to lowercase?)");
		return lp_diag_set(d, LP_ERR_PREFIX, s, "no \"" LP_QRTEXT_PREFIX "\" prefix: this is not a leerpas QR text");
	}
	bool is_lp1 = pl == lp1 && memcmp(text.ptr + s, LP_QRTEXT_PREFIX, lp1) == 0;
	if (info) {
		memcpy(info->prefix, text.ptr + s, pl);
		info->prefix[pl] = '\0';
		info->is_lp1 = is_lp1;
	}
	if (lp1_only && !is_lp1)
		return lp_diag_set(d, LP_ERR_PREFIX, s, "prefix \"%.*s\" is not \"" LP_QRTEXT_PREFIX "\": this is another kind of QR text",
		                   (int)pl, (const char *)text.ptr + s);
	rc = body_base45(text.ptr + s + pl, e - s - pl, s + pl, &raw, d);
	if (rc)
		goto out;
	if (!is_lp1 && !looks_like_zlib(raw.ptr, raw.len)) {
		/* Another scheme that does not compress: hand back the bytes. */
		*payload = raw;
		raw.ptr = NULL;
		raw.len = 0;
		goto out;
	}
	/* LP1: exactly the two zlib headers leerpas writes (FLEVEL 3): 48 E6
	 * (4 KiB window, the LP1 dictionary) and 78 DA (32 KiB, no dictionary,
	 * as written before the dictionary), so that no two texts carry the
	 * same presentation (RFC 1950 lets FLEVEL and the window vary). */
	if (is_lp1 && (raw.len < 2 || !((raw.ptr[0] == 0x48 && raw.ptr[1] == 0xe6) ||
	                                (raw.ptr[0] == 0x78 && raw.ptr[1] == 0xda)))) {
		rc = lp_diag_set(d, LP_ERR_INFLATE, s + pl,
		                 "after base45: the zlib header is not one an LP1 text has (48 E6 or 78 DA): "
		                 "the text is damaged");
		goto out;
	}
	rc = lp_inflate(lp_buf_view(&raw), max_out, payload, d);
	if (rc) {
		if (d) {
			/* The offset is inside the decoded body; say so. */
			char msg[sizeof d->msg];
			memcpy(msg, d->msg, sizeof msg);
			lp_diag_set(d, rc, s + pl, "after base45: %s", msg);
		}
		goto out;
	}
	if (info)
		info->compressed = true;
out:
	lp_buf_free(&raw);
	return rc;
}

lp_err lp_qrtext_decode(lp_view text, size_t max_out, lp_buf *payload, lp_diag *d)
{
	return decode_common(text, max_out, true, payload, NULL, d);
}

lp_err lp_qrtext_decode_any(lp_view text, size_t max_out, lp_buf *payload, lp_qrtext_info *info, lp_diag *d)
{
	return decode_common(text, max_out, false, payload, info, d);
}
