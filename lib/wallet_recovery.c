/* The wallet recovery key as text a person writes down and types back:
 * 8 groups of 4 data characters and 1 check character, Crockford base32.
 *
 * Check character: each group is a word over GF(32) (x^5 + x^2 + 1) with
 *   c4 + a*c0 + a^2*c1 + a^3*c2 + a^4*c3 + a^(5+g) = 0      (g = group 0..7)
 * All weights (1, a .. a^4) are distinct and nonzero, so any single changed
 * character changes the sum (a*e != 0), and swapping two neighbours with
 * values x != y changes it by (w_i + w_j)(x + y) != 0. The a^(5+g) term makes
 * the check depend on the group's position, so a group written in the wrong
 * place is caught too. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "wallet_int.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define GROUP_DATA 4
#define GROUP_LEN 5

static unsigned gf_mul(unsigned a, unsigned b)
{
	unsigned r = 0;
	for (int i = 0; i < 5; i++) {
		if (b & 1u)
			r ^= a;
		b >>= 1;
		a <<= 1;
		if (a & 0x20u)
			a ^= 0x25u;
	}
	return r & 0x1fu;
}

static unsigned gf_pow_a(unsigned n)
{
	unsigned r = 1;
	for (unsigned i = 0; i < n; i++)
		r = gf_mul(r, 2);
	return r;
}

/* The check symbol for data symbols d[0..3] of group g. */
static unsigned check_symbol(const unsigned d[GROUP_DATA], unsigned g)
{
	unsigned s = gf_pow_a(5 + g);
	for (unsigned i = 0; i < GROUP_DATA; i++)
		s ^= gf_mul(gf_pow_a(i + 1), d[i]);
	return s;
}

/* Symbol i (5 bits, big-endian) of the 160-bit key. */
static unsigned get_sym(const uint8_t key[LP_WALLET_RECOVERY_BYTES], unsigned i)
{
	unsigned v = 0;
	for (unsigned b = 0; b < 5; b++) {
		unsigned bit = i * 5 + b;
		unsigned byte = key[bit / 8];
		v = (v << 1) | ((byte >> (7 - bit % 8)) & 1u);
	}
	return v;
}

static void put_sym(uint8_t key[LP_WALLET_RECOVERY_BYTES], unsigned i, unsigned v)
{
	for (unsigned b = 0; b < 5; b++) {
		unsigned bit = i * 5 + b;
		if ((v >> (4 - b)) & 1u)
			key[bit / 8] = (uint8_t)(key[bit / 8] | (1u << (7 - bit % 8)));
	}
}

void lp_wallet_recovery_format(const uint8_t key[LP_WALLET_RECOVERY_BYTES],
			       char out[LP_WALLET_RECOVERY_TEXT_SIZE])
{
	size_t o = 0;
	for (unsigned g = 0; g < LP_WALLET_RECOVERY_GROUPS; g++) {
		unsigned d[GROUP_DATA];
		if (g)
			out[o++] = '-';
		for (unsigned i = 0; i < GROUP_DATA; i++) {
			d[i] = get_sym(key, g * GROUP_DATA + i);
			out[o++] = alphabet[d[i]];
		}
		out[o++] = alphabet[check_symbol(d, g)];
		sodium_memzero(d, sizeof d);
	}
	out[o] = '\0';
}

/* The value of a typed character, -1 if not in the alphabet. */
static int sym_value(char ch)
{
	int c = toupper((unsigned char)ch);
	if (c == 'O')
		c = '0';
	else if (c == 'I' || c == 'L')
		c = '1';
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

lp_err lp_wallet_recovery_parse(const char *text, size_t len,
				uint8_t key[LP_WALLET_RECOVERY_BYTES], lp_diag *d)
{
	lp_err e = LP_ERR_MALFORMED;
	unsigned sym[LP_WALLET_RECOVERY_GROUPS * GROUP_LEN];
	size_t pos[LP_WALLET_RECOVERY_GROUPS * GROUP_LEN];
	size_t n = 0;
	memset(key, 0, LP_WALLET_RECOVERY_BYTES);
	if (!text)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no recovery key given");
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (ch == ' ' || ch == '-' || ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		int v = sym_value(ch);
		if (v < 0) {
			if ((unsigned char)ch >= 0x21 && (unsigned char)ch < 0x7f)
				lp_diag_set(d, e, i,
					    "character '%c' at position %zu is not in the recovery key "
					    "alphabet (digits and letters except I, L, O, U)",
					    ch, i + 1);
			else
				lp_diag_set(d, e, i,
					    "byte at position %zu is not in the recovery key alphabet", i + 1);
			goto out;
		}
		if (n == sizeof sym / sizeof sym[0]) {
			lp_diag_set(d, e, i,
				    "too many characters: a recovery key is 8 groups of 5 characters");
			goto out;
		}
		pos[n] = i;
		sym[n++] = (unsigned)v;
	}
	if (n != sizeof sym / sizeof sym[0]) {
		lp_diag_set(d, e, len,
			    "too few characters: a recovery key is 8 groups of 5 characters (40), "
			    "found %zu",
			    n);
		goto out;
	}
	char bad[64];
	size_t nbad = 0, blen = 0, first = 0;
	bad[0] = '\0';
	for (unsigned g = 0; g < LP_WALLET_RECOVERY_GROUPS; g++) {
		const unsigned *s = &sym[g * GROUP_LEN];
		if (check_symbol(s, g) == s[GROUP_DATA])
			continue;
		if (nbad++ == 0)
			first = pos[g * GROUP_LEN];
		int k = snprintf(bad + blen, sizeof bad - blen, "%s%u", blen ? ", " : "", g + 1);
		if (k > 0 && (size_t)k < sizeof bad - blen)
			blen += (size_t)k;
	}
	if (nbad) {
		lp_diag_set(d, e, first,
			    "recovery key group%s %s do%s not check: a character is mistyped or two "
			    "are swapped; compare %s with what you wrote down",
			    nbad > 1 ? "s" : "", bad, nbad > 1 ? "" : "es", nbad > 1 ? "them" : "it");
		goto out;
	}
	for (unsigned g = 0; g < LP_WALLET_RECOVERY_GROUPS; g++)
		for (unsigned i = 0; i < GROUP_DATA; i++)
			put_sym(key, g * GROUP_DATA + i, sym[g * GROUP_LEN + i]);
	e = LP_OK;
out:
	sodium_memzero(sym, sizeof sym);
	return e;
}
