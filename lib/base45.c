/* base45 (RFC 9285): strict encoder and decoder. The decoder refuses
 * anything the RFC does not produce: characters outside the alphabet,
 * lengths = 1 mod 3, triplets above 65535 and final pairs above 255. */
#include <stdlib.h>
#include <string.h>

#include "leerpas/codec.h"

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* Value + 1 of each byte in the alphabet, 0 for the others: one table
 * lookup per character (the decoder runs on every scanned QR code). */
static const uint8_t b45_table[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16, ['G'] = 17, ['H'] = 18, ['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22,
	['M'] = 23, ['N'] = 24, ['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29,
	['T'] = 30, ['U'] = 31, ['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36,
	[' '] = 37, ['$'] = 38, ['%'] = 39, ['*'] = 40, ['+'] = 41, ['-'] = 42, ['.'] = 43,
	['/'] = 44, [':'] = 45,
};

static int b45_value(uint8_t c)
{
	return (int)b45_table[c] - 1;
}

size_t lp_base45_encoded_len(size_t n)
{
	if (n / 2 > (SIZE_MAX - 3) / 3)
		return SIZE_MAX;
	return n / 2 * 3 + (n % 2) * 2;
}

lp_err lp_base45_encode(lp_view in, lp_buf *out)
{
	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	if (!in.ptr && in.len)
		return LP_ERR_ARG;
	size_t n = lp_base45_encoded_len(in.len);
	if (n == SIZE_MAX)
		return LP_ERR_TOO_LARGE;
	char *s = malloc(n + 1);
	if (!s)
		return LP_ERR_NOMEM;
	size_t o = 0;
	for (size_t i = 0; i + 1 < in.len; i += 2) {
		unsigned v = (unsigned)in.ptr[i] * 256u + in.ptr[i + 1];
		s[o++] = alphabet[v % 45];
		s[o++] = alphabet[(v / 45) % 45];
		s[o++] = alphabet[v / 2025];
	}
	if (in.len % 2) {
		unsigned v = in.ptr[in.len - 1];
		s[o++] = alphabet[v % 45];
		s[o++] = alphabet[v / 45];
	}
	s[o] = '\0';
	out->ptr = (uint8_t *)s;
	out->len = o;
	return LP_OK;
}

lp_err lp_base45_decode(lp_view text, lp_buf *out, lp_diag *d)
{
	if (!out)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no output");
	out->ptr = NULL;
	out->len = 0;
	if (!text.ptr && text.len)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no input");
	/* Check every character first, so the first bad one is reported. */
	for (size_t i = 0; i < text.len; i++)
		if (b45_value(text.ptr[i]) < 0) {
			uint8_t c = text.ptr[i];
			if (c >= 'a' && c <= 'z')
				return lp_diag_set(d, LP_ERR_BASE45, i, "lowercase '%c' at byte %zu: base45 uses uppercase only", c, i);
			if (c >= 0x21 && c < 0x7f)
				return lp_diag_set(d, LP_ERR_BASE45, i, "character '%c' at byte %zu is not in the base45 alphabet", c, i);
			return lp_diag_set(d, LP_ERR_BASE45, i, "byte 0x%02x at byte %zu is not in the base45 alphabet", c, i);
		}
	if (text.len % 3 == 1)
		return lp_diag_set(d, LP_ERR_BASE45, text.len - 1,
		                   "length %zu leaves 1 when divided by 3: the text is truncated or has an extra character",
		                   text.len);
	size_t n = text.len / 3 * 2 + (text.len % 3 == 2 ? 1 : 0);
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
	size_t o = 0;
	for (size_t i = 0; i < text.len; i += 3) {
		unsigned c = (unsigned)b45_value(text.ptr[i]);
		unsigned dd = (unsigned)b45_value(text.ptr[i + 1]);
		if (text.len - i == 2) {
			unsigned v = c + dd * 45u;
			if (v > 255) {
				free(b);
				return lp_diag_set(d, LP_ERR_BASE45, i, "final pair at byte %zu has value %u > 255", i, v);
			}
			b[o++] = (uint8_t)v;
		} else {
			unsigned e = (unsigned)b45_value(text.ptr[i + 2]);
			unsigned v = c + dd * 45u + e * 2025u;
			if (v > 65535) {
				free(b);
				return lp_diag_set(d, LP_ERR_BASE45, i, "triplet at byte %zu has value %u > 65535", i, v);
			}
			b[o++] = (uint8_t)(v >> 8);
			b[o++] = (uint8_t)(v & 0xff);
		}
	}
	out->ptr = b;
	out->len = o;
	return LP_OK;
}
