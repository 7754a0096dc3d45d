/* The LP1 QR transport text (lib/qrtext.c): round trips, prefixes, bad
 * characters, whitespace, limits, and every truncation of a valid text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leerpas/codec.h"

static const char qr_alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

static lp_buf encode_ok(const uint8_t *b, size_t n)
{
	lp_buf t = { 0 };
	cr_assert_eq(lp_qrtext_encode(lp_view_of(b, n), &t), LP_OK);
	cr_assert_eq(strlen((const char *)t.ptr), t.len);
	cr_assert(strncmp((const char *)t.ptr, "LP1:", 4) == 0);
	for (size_t i = 0; i < t.len; i++)
		cr_assert_not_null(strchr(qr_alnum, t.ptr[i]), "QR alphanumeric only");
	return t;
}

Test(qrtext, round_trips)
{
	srand(1);
	for (size_t n = 0; n < 2000; n = n * 3 + 1) {
		uint8_t *b = malloc(n + 1);
		for (size_t i = 0; i < n; i++)
			b[i] = i % 3 ? (uint8_t)rand() : (uint8_t)i;
		lp_buf t = encode_ok(b, n);
		lp_buf p = { 0 };
		lp_diag d = { 0 };
		cr_assert_eq(lp_qrtext_decode(lp_buf_view(&t), 0, &p, &d), LP_OK, "%zu: %s", n, d.msg);
		cr_assert_eq(p.len, n);
		cr_assert(n == 0 || memcmp(p.ptr, b, n) == 0);
		lp_buf_free(&p);
		lp_qrtext_info info;
		cr_assert_eq(lp_qrtext_decode_any(lp_buf_view(&t), 0, &p, &info, NULL), LP_OK);
		cr_assert_str_eq(info.prefix, "LP1:");
		cr_assert(info.is_lp1 && info.compressed);
		cr_assert(p.len == n && (n == 0 || memcmp(p.ptr, b, n) == 0));
		lp_buf_free(&p);
		lp_buf_free(&t);
		free(b);
	}
}

Test(qrtext, surrounding_whitespace_and_wrapped_lines)
{
	const char *msg = "a presentation";
	lp_buf t = encode_ok((const uint8_t *)msg, strlen(msg));
	size_t n = t.len + 64;
	char *s = malloc(n);
	/* surrounding whitespace */
	snprintf(s, n, " \t\r\n%s\r\n \n", (const char *)t.ptr);
	lp_buf p = { 0 };
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, strlen(s)), 0, &p, NULL), LP_OK);
	cr_assert(p.len == strlen(msg) && memcmp(p.ptr, msg, p.len) == 0);
	lp_buf_free(&p);
	/* wrapped like e-mail: CRLF and LF inside the body */
	size_t o = 0;
	for (size_t i = 0; i < t.len; i++) {
		s[o++] = (char)t.ptr[i];
		if (i == 6)
			s[o++] = '\n';
		if (i == 10) {
			s[o++] = '\r';
			s[o++] = '\n';
		}
	}
	s[o] = '\0';
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, o), 0, &p, NULL), LP_OK);
	cr_assert(p.len == strlen(msg) && memcmp(p.ptr, msg, p.len) == 0);
	lp_buf_free(&p);
	/* a tab inside is not whitespace we skip: reported at its own byte */
	memcpy(s, t.ptr, t.len);
	s[8] = '\t';
	lp_diag d = { 0 };
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, t.len), 0, &p, &d), LP_ERR_BASE45);
	cr_assert_eq(d.offset, 8);
	free(s);
	lp_buf_free(&t);
}

Test(qrtext, prefixes)
{
	const char *msg = "x";
	lp_buf t = encode_ok((const uint8_t *)msg, 1);
	char *s = malloc(t.len + 8);
	lp_buf p = { 0 };
	lp_diag d = { 0 };
	lp_qrtext_info info;

	/* lowercase prefix */
	memcpy(s, t.ptr, t.len + 1);
	memcpy(s, "lp1:", 4);
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, t.len), 0, &p, &d), LP_ERR_PREFIX);
	cr_assert_not_null(strstr(d.msg, "uppercase"));
	cr_assert_eq(lp_qrtext_decode_any(lp_view_of((const uint8_t *)s, t.len), 0, &p, &info, NULL), LP_ERR_PREFIX);

	/* another scheme's prefix: refused by decode, reported by decode_any */
	memcpy(s, "HC1:", 4);
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, t.len), 0, &p, &d), LP_ERR_PREFIX);
	cr_assert_not_null(strstr(d.msg, "HC1:"));
	cr_assert_null(p.ptr);
	cr_assert_eq(lp_qrtext_decode_any(lp_view_of((const uint8_t *)s, t.len), 0, &p, &info, NULL), LP_OK);
	cr_assert_str_eq(info.prefix, "HC1:");
	cr_assert_not(info.is_lp1);
	cr_assert(info.compressed);
	cr_assert(p.len == 1 && p.ptr[0] == 'x');
	lp_buf_free(&p);

	/* LP2: is a prefix, but not ours */
	memcpy(s, "LP2:", 4);
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, t.len), 0, &p, NULL), LP_ERR_PREFIX);

	/* no prefix at all, and malformed prefixes */
	static const char *const bad[] = { "", "   ", "BB8", "LP1", "LP:BB8", ":BB8", "1:BB8", "LPX:BB8",
	                                   "ABCDEFGH1:BB8", "lp1:BB8", "LP1 :BB8", "https://example.org/" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)bad[i], strlen(bad[i])), 0, &p, &d), LP_ERR_PREFIX,
		             "'%s'", bad[i]);
		cr_assert_eq(lp_qrtext_decode_any(lp_view_of((const uint8_t *)bad[i], strlen(bad[i])), 0, &p, &info, NULL),
		             LP_ERR_PREFIX, "'%s'", bad[i]);
		cr_assert_null(p.ptr);
	}
	/* the longest prefix accepted: 8 characters then ':' */
	cr_assert_eq(lp_qrtext_decode_any(lp_view_of((const uint8_t *)"ABCDEFG1:BB8", 12), 0, &p, &info, NULL), LP_OK);
	cr_assert_str_eq(info.prefix, "ABCDEFG1:");
	cr_assert_not(info.compressed);
	cr_assert(p.len == 2 && memcmp(p.ptr, "AB", 2) == 0);
	lp_buf_free(&p);
	free(s);
	lp_buf_free(&t);
}

Test(qrtext, bad_characters)
{
	const char *msg = "credential";
	lp_buf t = encode_ok((const uint8_t *)msg, strlen(msg));
	static const char badc[] = { 'a', 'z', '#', '_', '=', '\0', '\t', (char)0xc3 };
	for (size_t k = 0; k < sizeof badc; k++)
		for (size_t pos = 4; pos < t.len; pos++) {
			uint8_t *c = malloc(t.len);
			memcpy(c, t.ptr, t.len);
			c[pos] = (uint8_t)badc[k];
			lp_buf p = { 0 };
			lp_diag d = { 0 };
			lp_err rc = lp_qrtext_decode(lp_view_of(c, t.len), 0, &p, &d);
			cr_assert_null(p.ptr);
			free(c);
			if (badc[k] == '\t' && pos == t.len - 1) {
				/* trailing whitespace is trimmed: the text is now short */
				cr_assert_neq(rc, LP_OK);
				continue;
			}
			cr_assert_eq(rc, LP_ERR_BASE45);
			cr_assert_eq(d.offset, pos, "char %02x at %zu reported at %zu", (uint8_t)badc[k], pos, d.offset);
		}
	lp_buf_free(&t);
}

Test(qrtext, every_truncation_is_refused)
{
	const char *msg = "{\"title\": \"Basisveiligheid VCA\", \"credits\": 2}";
	lp_buf t = encode_ok((const uint8_t *)msg, strlen(msg));
	for (size_t k = 0; k < t.len; k++) {
		uint8_t *c = malloc(k ? k : 1);
		memcpy(c, t.ptr, k);
		lp_buf p = { 0 };
		lp_diag d = { 0 };
		lp_err rc = lp_qrtext_decode(lp_view_of(c, k), 0, &p, &d);
		cr_assert_neq(rc, LP_OK, "cut at %zu accepted", k);
		cr_assert(rc == LP_ERR_PREFIX || rc == LP_ERR_BASE45 || rc == LP_ERR_INFLATE, "cut at %zu: %d", k, rc);
		cr_assert_null(p.ptr);
		cr_assert_leq(d.offset, k);
		free(c);
	}
	/* every single-character change is refused or yields other bytes */
	for (size_t pos = 0; pos < t.len; pos++)
		for (size_t a = 0; a < sizeof qr_alnum - 1; a++) {
			if ((uint8_t)qr_alnum[a] == t.ptr[pos])
				continue;
			uint8_t *c = malloc(t.len);
			memcpy(c, t.ptr, t.len);
			c[pos] = (uint8_t)qr_alnum[a];
			lp_buf p = { 0 };
			if (lp_qrtext_decode(lp_view_of(c, t.len), 0, &p, NULL) == LP_OK) {
				cr_assert(p.len != strlen(msg) || memcmp(p.ptr, msg, p.len) != 0);
				lp_buf_free(&p);
			}
			free(c);
		}
	lp_buf_free(&t);
}

Test(qrtext, payload_limit)
{
	size_t n = 100000;
	uint8_t *b = calloc(n, 1);
	lp_buf t = encode_ok(b, n);
	lp_buf p = { 0 };
	lp_diag d = { 0 };
	cr_assert_eq(lp_qrtext_decode(lp_buf_view(&t), 0, &p, &d), LP_ERR_TOO_LARGE);
	cr_assert_null(p.ptr);
	cr_assert_eq(lp_qrtext_decode(lp_buf_view(&t), n - 1, &p, NULL), LP_ERR_TOO_LARGE);
	cr_assert_eq(lp_qrtext_decode(lp_buf_view(&t), n, &p, NULL), LP_OK);
	cr_assert_eq(p.len, n);
	lp_buf_free(&p);
	lp_buf_free(&t);
	free(b);
}

Test(qrtext, lp1_body_must_be_zlib)
{
	/* "LP1:" + base45("hello"): decode refuses, decode_any too (LP1 is
	 * always compressed) */
	lp_buf b45 = { 0 };
	cr_assert_eq(lp_base45_encode(lp_view_of((const uint8_t *)"hello", 5), &b45), LP_OK);
	char s[64];
	snprintf(s, sizeof s, "LP1:%s", (const char *)b45.ptr);
	lp_buf p = { 0 };
	lp_qrtext_info info;
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)s, strlen(s)), 0, &p, NULL), LP_ERR_INFLATE);
	cr_assert_eq(lp_qrtext_decode_any(lp_view_of((const uint8_t *)s, strlen(s)), 0, &p, &info, NULL), LP_ERR_INFLATE);
	cr_assert_str_eq(info.prefix, "LP1:");
	/* the same body under another prefix is returned as raw bytes */
	snprintf(s, sizeof s, "XY9:%s", (const char *)b45.ptr);
	cr_assert_eq(lp_qrtext_decode_any(lp_view_of((const uint8_t *)s, strlen(s)), 0, &p, &info, NULL), LP_OK);
	cr_assert_not(info.compressed);
	cr_assert(p.len == 5 && memcmp(p.ptr, "hello", 5) == 0);
	lp_buf_free(&p);
	lp_buf_free(&b45);
	/* a prefix and nothing else */
	lp_diag d = { 0 };
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)"LP1:", 4), 0, &p, &d), LP_ERR_BASE45);
	cr_assert_eq(d.offset, 4);
}

Test(qrtext, worked_example_of_the_format_document)
{
	/* docs/format/transport.md, "Worked example": {1: "leerpas", 2: true},
	 * compressed with the LP1 dictionary (header 48 E6: a 4 KiB window and
	 * a preset dictionary, DICTID c5abcb5e) */
	static const uint8_t payload[] = { 0xa2, 0x01, 0x67, 'l', 'e', 'e', 'r', 'p', 'a', 's', 0x02, 0xf5 };
	static const uint8_t zlib[] = { 0x48, 0xe6, 0xc5, 0xab, 0xcb, 0x5e, 0x5b, 0xc4, 0x98, 0x0e,
	                                0xf5, 0x02, 0xd3, 0x57, 0x00, 0x1e, 0x1e, 0x04, 0xee };
	lp_buf z = { 0 }, t = { 0 }, p = { 0 }, b45 = { 0 };
	cr_assert_eq(lp_deflate_lp1(lp_view_of(payload, sizeof payload), &z), LP_OK);
	cr_assert(z.len == sizeof zlib && memcmp(z.ptr, zlib, sizeof zlib) == 0);
	cr_assert_eq(lp_base45_encode(lp_view_of(zlib, sizeof zlib), &b45), LP_OK);
	char text[64];
	snprintf(text, sizeof text, "LP1:%s", (const char *)b45.ptr);
	cr_assert_eq(lp_qrtext_encode(lp_view_of(payload, sizeof payload), &t), LP_OK);
	cr_assert_str_eq((const char *)t.ptr, text);
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)text, strlen(text)), 0, &p, NULL), LP_OK);
	cr_assert(p.len == sizeof payload && memcmp(p.ptr, payload, sizeof payload) == 0);
	lp_buf_free(&z);
	lp_buf_free(&t);
	lp_buf_free(&p);
	lp_buf_free(&b45);
}

Test(qrtext, texts_without_the_dictionary_still_decode)
{
	/* LP1 texts written before the dictionary (header 78 DA) stay readable:
	 * the same payload, as the first version of this document gave it. */
	static const uint8_t payload[] = { 0xa2, 0x01, 0x67, 'l', 'e', 'e', 'r', 'p', 'a', 's', 0x02, 0xf5 };
	const char *text = "LP1:NCF2RBADJVTI*IB7BI/+PLT2F 32S0";
	lp_buf p = { 0 }, z = { 0 };
	cr_assert_eq(lp_qrtext_decode(lp_view_of((const uint8_t *)text, strlen(text)), 0, &p, NULL), LP_OK);
	cr_assert(p.len == sizeof payload && memcmp(p.ptr, payload, sizeof payload) == 0);
	lp_buf_free(&p);
	/* a zlib stream that names an unknown dictionary is refused, saying so */
	cr_assert_eq(lp_deflate_lp1(lp_view_of(payload, sizeof payload), &z), LP_OK);
	z.ptr[5] ^= 1; /* DICTID */
	lp_diag d = { 0 };
	cr_assert_eq(lp_inflate(lp_buf_view(&z), 0, &p, &d), LP_ERR_INFLATE);
	cr_assert(strstr(d.msg, "dictionary") != NULL, "%s", d.msg);
	lp_buf_free(&z);
}
