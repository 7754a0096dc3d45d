/* Strict CBOR for libleerpas: a non-recursive well-formedness check (RFC 8949
 * plus our profile: definite lengths, shortest heads, unique map keys, valid
 * UTF-8, bounded depth), a builder that turns checked bytes into libcbor
 * items, a definite-length encoder, and small map/integer helpers. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Drop one reference and forget the pointer. (libcbor's cbor_decref sets
 * the pointer to NULL only when the item is freed.) */
static void drop(cbor_item_t **p)
{
	if (*p) {
		cbor_decref(p);
		*p = NULL;
	}
}

/* A CBOR head: major type, additional info, argument, where it starts. */
struct head {
	unsigned major;
	unsigned ai;
	uint64_t arg;
	size_t start; /* offset of the initial byte */
	size_t len;   /* bytes in the head */
};

/* Read one head at off. Returns LP_OK or the error with d filled.
 * Checks reserved ai (28-30), truncation, ai 31 (indefinite/break) and
 * non-shortest arguments, so that equal values always have equal bytes. */
static lp_err read_head(lp_view in, size_t off, struct head *h, lp_diag *d)
{
	if (off >= in.len)
		return lp_diag_set(d, LP_ERR_CBOR, off, "truncated: an item is missing at byte %zu", off);
	uint8_t ib = in.ptr[off];
	h->major = ib >> 5;
	h->ai = ib & 0x1fu;
	h->start = off;
	h->arg = 0;
	if (h->ai >= 28 && h->ai <= 30)
		return lp_diag_set(d, LP_ERR_CBOR, off, "reserved additional information %u in initial byte 0x%02x", h->ai, ib);
	if (h->ai == 31) {
		if (h->major >= 2 && h->major <= 5)
			return lp_diag_set(d, LP_ERR_CBOR_INDEFINITE, off, "indefinite-length %s (only definite lengths are accepted)",
			                   h->major == 2 ? "byte string" : h->major == 3 ? "text string" : h->major == 4 ? "array" : "map");
		if (h->major == 7)
			return lp_diag_set(d, LP_ERR_CBOR, off, "\"break\" byte 0xff outside an indefinite-length item");
		return lp_diag_set(d, LP_ERR_CBOR, off, "additional information 31 is not allowed for major type %u", h->major);
	}
	size_t n = h->ai < 24 ? 0 : (size_t)1 << (h->ai - 24);
	if (in.len - off - 1 < n)
		return lp_diag_set(d, LP_ERR_CBOR, off, "truncated: the head at byte %zu needs %zu more bytes", off, n);
	if (n == 0) {
		h->arg = h->ai;
	} else {
		for (size_t i = 0; i < n; i++)
			h->arg = (h->arg << 8) | in.ptr[off + 1 + i];
	}
	h->len = 1 + n;
	if (h->major == 7) {
		/* Simple values 0..31 must use the one-byte form (RFC 8949 3.3). */
		if (h->ai == 24 && h->arg < 32)
			return lp_diag_set(d, LP_ERR_CBOR, off, "simple value %u in two-byte form is not well-formed", (unsigned)h->arg);
		return LP_OK;
	}
	static const uint64_t min_for_ai[4] = { 24, 0x100, 0x10000, 0x100000000 };
	if (n > 0 && h->arg < min_for_ai[h->ai - 24])
		return lp_diag_set(d, LP_ERR_CBOR, off, "non-shortest encoding of the argument %llu at byte %zu",
		                   (unsigned long long)h->arg, off);
	return LP_OK;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
 * Returns the index of the first bad byte, or len when valid. */
static size_t utf8_bad_at(const uint8_t *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1fu; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0fu; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07u; min = 0x10000;
		} else {
			return i;
		}
		if (len - i - 1 < n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

/* One open container during the check. */
struct frame {
	uint64_t left;      /* items still expected (a map counts keys and values) */
	size_t child_start; /* offset where the current child began */
	size_t keys_base;   /* first index of this map's keys in the key list */
	uint8_t major;      /* 4 array, 5 map, 6 tag */
	bool in_key;        /* this container lies inside a map key */
};

struct keyspan {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static int keyspan_cmp(const void *a, const void *b)
{
	const struct keyspan *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int c = memcmp(x->p, y->p, x->len);
	if (c != 0)
		return c;
	return x->off < y->off ? -1 : x->off > y->off ? 1 : 0;
}

/* Sort the keys of one closed map and look for a repeat. Shortest heads
 * and definite lengths make equal keys byte-identical; floats and maps,
 * whose bytes are not unique per value, are refused as keys elsewhere. */
static lp_err check_dup_keys(struct keyspan *k, size_t n, lp_diag *d)
{
	if (n < 2)
		return LP_OK;
	qsort(k, n, sizeof *k, keyspan_cmp);
	for (size_t i = 1; i < n; i++)
		if (k[i].len == k[i - 1].len && memcmp(k[i].p, k[i - 1].p, k[i].len) == 0) {
			size_t later = k[i].off > k[i - 1].off ? k[i].off : k[i - 1].off;
			return lp_diag_set(d, LP_ERR_CBOR_DUPLICATE_KEY, later, "duplicate map key at byte %zu", later);
		}
	return LP_OK;
}

lp_err lp_cbor_check(lp_view in, size_t max_depth, lp_diag *d)
{
	lp_err rc = LP_OK;
	struct frame *st = NULL;
	struct keyspan *keys = NULL;
	size_t nkeys = 0, capkeys = 0, depth = 0, off = 0;

	if (!in.ptr && in.len)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no input");
	if (in.len == 0)
		return lp_diag_set(d, LP_ERR_CBOR, 0, "truncated: empty input");
	/* The explicit stack grows on demand; it never exceeds max_depth
	 * frames, nor one frame per input byte. */
	size_t cap = 0;

	bool done = false;
	while (!done) {
		struct head h;
		bool in_key = false;
		if (depth > 0) {
			struct frame *p = &st[depth - 1];
			p->child_start = off;
			in_key = p->in_key || (p->major == 5 && (p->left % 2) == 0);
		}
		rc = read_head(in, off, &h, d);
		if (rc)
			goto out;
		off += h.len;
		bool container = false;
		switch (h.major) {
		case 0:
		case 1:
			break;
		case 2:
		case 3:
			if (h.arg > in.len - off) {
				rc = lp_diag_set(d, LP_ERR_CBOR, h.start, "truncated: string at byte %zu declares %llu bytes, %zu remain",
				                 h.start, (unsigned long long)h.arg, in.len - off);
				goto out;
			}
			if (h.major == 3) {
				size_t bad = utf8_bad_at(in.ptr + off, (size_t)h.arg);
				if (bad != (size_t)h.arg) {
					rc = lp_diag_set(d, LP_ERR_CBOR, off + bad, "invalid UTF-8 in text string at byte %zu", off + bad);
					goto out;
				}
			}
			off += (size_t)h.arg;
			break;
		case 4:
		case 5:
			/* Each element takes at least one byte: a count beyond what is
			 * left is a truncation, found before anything is allocated. */
			if (h.arg > in.len - off || (h.major == 5 && h.arg > (in.len - off) / 2)) {
				rc = lp_diag_set(d, LP_ERR_CBOR, h.start, "truncated: %s at byte %zu declares %llu entries, only %zu bytes remain",
				                 h.major == 4 ? "array" : "map", h.start, (unsigned long long)h.arg, in.len - off);
				goto out;
			}
			if (h.major == 5 && in_key) {
				rc = lp_diag_set(d, LP_ERR_CBOR, h.start, "a map used as a map key (byte %zu) is not accepted", h.start);
				goto out;
			}
			container = h.arg > 0;
			break;
		case 6:
			container = true;
			break;
		case 7:
			if (h.ai >= 25 && h.ai <= 27 && in_key) {
				rc = lp_diag_set(d, LP_ERR_CBOR, h.start, "a floating-point map key (byte %zu) is not accepted", h.start);
				goto out;
			}
			break;
		default:
			break;
		}
		if (container) {
			if (depth >= max_depth) {
				rc = lp_diag_set(d, LP_ERR_CBOR_DEPTH, h.start, "nesting deeper than %zu at byte %zu", max_depth, h.start);
				goto out;
			}
			if (depth == cap) {
				size_t nc = cap ? cap * 2 : 32;
				struct frame *ns = nc > cap && nc < SIZE_MAX / sizeof *ns ? realloc(st, nc * sizeof *ns) : NULL;
				if (!ns) {
					rc = lp_diag_set(d, LP_ERR_NOMEM, h.start, "out of memory");
					goto out;
				}
				st = ns;
				cap = nc;
			}
			struct frame *f = &st[depth++];
			f->major = (uint8_t)h.major;
			f->left = h.major == 6 ? 1 : h.major == 5 ? h.arg * 2 : h.arg;
			f->keys_base = nkeys;
			f->in_key = in_key;
			f->child_start = off;
			continue;
		}
		/* An item is complete: close every container it completes. */
		for (;;) {
			if (depth == 0) {
				done = true;
				break;
			}
			struct frame *p = &st[depth - 1];
			if (p->major == 5 && (p->left % 2) == 0) {
				if (nkeys == capkeys) {
					size_t nc = capkeys ? capkeys * 2 : 16;
					struct keyspan *nk = realloc(keys, nc * sizeof *nk);
					if (!nk) {
						rc = lp_diag_set(d, LP_ERR_NOMEM, off, "out of memory");
						goto out;
					}
					keys = nk;
					capkeys = nc;
				}
				keys[nkeys].p = in.ptr + p->child_start;
				keys[nkeys].len = off - p->child_start;
				keys[nkeys].off = p->child_start;
				nkeys++;
			}
			if (--p->left > 0)
				break;
			if (p->major == 5) {
				rc = check_dup_keys(keys + p->keys_base, nkeys - p->keys_base, d);
				if (rc)
					goto out;
				nkeys = p->keys_base;
			}
			depth--;
		}
	}
	if (off != in.len)
		rc = lp_diag_set(d, LP_ERR_CBOR_TRAILING, off, "%zu unexpected bytes after the CBOR item, from byte %zu", in.len - off, off);
out:
	free(st);
	free(keys);
	return rc;
}

/* IEEE 754 half to float (RFC 8949 Appendix D). */
static float half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31;
	uint32_t exp = (h >> 10) & 0x1fu;
	uint32_t mant = h & 0x3ffu;
	uint32_t bits;
	if (exp == 0) {
		if (mant == 0) {
			bits = sign;
		} else {
			/* subnormal: renormalise */
			int e = -1;
			do {
				e++;
				mant <<= 1;
			} while ((mant & 0x400u) == 0);
			bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
		}
	} else if (exp == 31) {
		bits = sign | 0x7f800000u | (mant << 13);
	} else {
		bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
	}
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

/* A container being built. */
struct bframe {
	cbor_item_t *item;
	cbor_item_t *pending_key;
	uint64_t left;
	uint8_t major;
};

/* Attach child to the container on top of the stack; consumes our reference
 * to child in every case. */
static bool attach(struct bframe *p, cbor_item_t *child)
{
	bool ok = true;
	if (p->major == 4) {
		ok = cbor_array_push(p->item, child);
	} else if (p->major == 6) {
		cbor_tag_set_item(p->item, child);
	} else if (!p->pending_key) {
		p->pending_key = child;
		return true;
	} else {
		ok = cbor_map_add(p->item, (struct cbor_pair){ .key = p->pending_key, .value = child });
		drop(&p->pending_key);
	}
	drop(&child);
	return ok;
}

static cbor_item_t *build_scalar(lp_view in, const struct head *h)
{
	const uint8_t *p = in.ptr + h->start + h->len;
	switch (h->major) {
	case 0:
	case 1: {
		bool neg = h->major == 1;
		switch (h->ai) {
		case 25: return neg ? cbor_build_negint16((uint16_t)h->arg) : cbor_build_uint16((uint16_t)h->arg);
		case 26: return neg ? cbor_build_negint32((uint32_t)h->arg) : cbor_build_uint32((uint32_t)h->arg);
		case 27: return neg ? cbor_build_negint64(h->arg) : cbor_build_uint64(h->arg);
		default: return neg ? cbor_build_negint8((uint8_t)h->arg) : cbor_build_uint8((uint8_t)h->arg);
		}
	}
	case 2:
		return cbor_build_bytestring(p, (size_t)h->arg);
	case 3:
		return cbor_build_stringn((const char *)p, (size_t)h->arg);
	case 7:
		switch (h->ai) {
		case 25: return cbor_build_float2(half_to_float((uint16_t)h->arg));
		case 26: {
			uint32_t b = (uint32_t)h->arg;
			float f;
			memcpy(&f, &b, sizeof f);
			return cbor_build_float4(f);
		}
		case 27: {
			uint64_t b = h->arg;
			double f;
			memcpy(&f, &b, sizeof f);
			return cbor_build_float8(f);
		}
		default:
			/* Simple values, including false/true/null/undefined (20-23),
			 * are libcbor "ctrl" items; libcbor's own loader refuses the
			 * unassigned ones (e.g. simple(59) of SD-CWT), so we build. */
			return cbor_build_ctrl((uint8_t)h->arg);
		}
	default:
		return NULL;
	}
}

/* Build libcbor items from bytes that lp_cbor_check accepted. */
static lp_err build(lp_view in, size_t max_depth, cbor_item_t **out, lp_diag *d)
{
	lp_err rc = LP_OK;
	struct bframe *st = NULL;
	size_t cap = 0, depth = 0, off = 0;
	cbor_item_t *root = NULL;
	(void)max_depth; /* already enforced by lp_cbor_check */
	for (;;) {
		struct head h;
		rc = read_head(in, off, &h, d);
		if (rc)
			goto out;
		off += h.len;
		cbor_item_t *item = NULL;
		bool container = false;
		if (h.major == 4 || h.major == 5) {
			item = h.major == 4 ? cbor_new_definite_array((size_t)h.arg) : cbor_new_definite_map((size_t)h.arg);
			container = h.arg > 0;
		} else if (h.major == 6) {
			item = cbor_new_tag(h.arg);
			container = true;
		} else {
			item = build_scalar(in, &h);
			if (h.major == 2 || h.major == 3)
				off += (size_t)h.arg;
		}
		if (!item) {
			rc = lp_diag_set(d, LP_ERR_NOMEM, h.start, "out of memory");
			goto out;
		}
		if (container) {
			if (depth == cap) {
				size_t nc = cap ? cap * 2 : 32;
				struct bframe *ns = nc > cap && nc < SIZE_MAX / sizeof *ns ? realloc(st, nc * sizeof *ns) : NULL;
				if (!ns) {
					drop(&item);
					rc = lp_diag_set(d, LP_ERR_NOMEM, h.start, "out of memory");
					goto out;
				}
				st = ns;
				cap = nc;
			}
			st[depth].item = item;
			st[depth].pending_key = NULL;
			st[depth].major = (uint8_t)h.major;
			st[depth].left = h.major == 6 ? 1 : h.major == 5 ? h.arg * 2 : h.arg;
			depth++;
			continue;
		}
		/* Close every container this item completes. */
		for (;;) {
			if (depth == 0) {
				root = item;
				goto out;
			}
			struct bframe *p = &st[depth - 1];
			if (!attach(p, item)) {
				rc = lp_diag_set(d, LP_ERR_NOMEM, h.start, "out of memory");
				goto out;
			}
			if (--p->left > 0)
				break;
			item = p->item;
			p->item = NULL;
			depth--;
		}
	}
out:
	while (depth > 0) {
		depth--;
		if (st[depth].pending_key)
			drop(&st[depth].pending_key);
		if (st[depth].item)
			drop(&st[depth].item);
	}
	free(st);
	*out = root;
	return rc;
}

lp_err lp_cbor_load(lp_view in, size_t max_depth, cbor_item_t **out, lp_diag *d)
{
	if (!out)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no output");
	*out = NULL;
	lp_err rc = lp_cbor_check(in, max_depth, d);
	if (rc)
		return rc;
	rc = build(in, max_depth, out, d);
	if (rc && *out)
		drop(out);
	return rc;
}

/* --- encoder ---------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void wput(struct wbuf *w, const void *src, size_t n)
{
	if (w->oom)
		return;
	if (w->cap - w->len < n) {
		size_t nc = w->cap ? w->cap : 64;
		while (nc - w->len < n) {
			if (nc > SIZE_MAX / 2) {
				w->oom = true;
				return;
			}
			nc *= 2;
		}
		uint8_t *np = realloc(w->p, nc);
		if (!np) {
			w->oom = true;
			return;
		}
		w->p = np;
		w->cap = nc;
	}
	if (n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

/* The shortest head for (major, value). */
static void whead(struct wbuf *w, unsigned major, uint64_t v)
{
	uint8_t b[9];
	size_t n;
	uint8_t mt = (uint8_t)(major << 5);
	if (v < 24) {
		b[0] = (uint8_t)(mt | v);
		n = 1;
	} else if (v <= 0xff) {
		b[0] = mt | 24;
		n = 2;
	} else if (v <= 0xffff) {
		b[0] = mt | 25;
		n = 3;
	} else if (v <= 0xffffffffu) {
		b[0] = mt | 26;
		n = 5;
	} else {
		b[0] = mt | 27;
		n = 9;
	}
	for (size_t i = 1; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	wput(w, b, n);
}

/* float to IEEE 754 half, exact for every value that came from a half
 * (libcbor 0.8's cbor_encode_half drops the low bits of subnormals and
 * rewrites NaN payloads; a strict round trip needs the same bytes back).
 * Values that do not fit are truncated toward zero, overflow gives
 * infinity. */
static uint16_t float_to_half(float f)
{
	uint32_t b;
	memcpy(&b, &f, sizeof b);
	uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
	uint32_t exp = (b >> 23) & 0xffu;
	uint32_t mant = b & 0x7fffffu;
	if (exp == 0xff) {
		uint16_t hm = (uint16_t)(mant >> 13);
		if (mant && !hm)
			hm = 0x200; /* a NaN must stay a NaN */
		return (uint16_t)(sign | 0x7c00u | hm);
	}
	int e = (int)exp - 127 + 15;
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00u);
	if (e <= 0) {
		if (e < -10 || exp == 0)
			return sign;
		return (uint16_t)(sign | ((mant | 0x800000u) >> (14 - e)));
	}
	return (uint16_t)(sign | (uint16_t)((unsigned)e << 10) | (uint16_t)(mant >> 13));
}

#define ENCODE_MAX_DEPTH 256

static lp_err encode_item(struct wbuf *w, const cbor_item_t *it, size_t depth)
{
	if (!it)
		return LP_ERR_ARG;
	if (depth > ENCODE_MAX_DEPTH)
		return LP_ERR_CBOR_DEPTH;
	switch (cbor_typeof(it)) {
	case CBOR_TYPE_UINT:
		whead(w, 0, cbor_get_int(it));
		break;
	case CBOR_TYPE_NEGINT:
		whead(w, 1, cbor_get_int(it));
		break;
	case CBOR_TYPE_BYTESTRING:
	case CBOR_TYPE_STRING: {
		bool bytes = cbor_typeof(it) == CBOR_TYPE_BYTESTRING;
		unsigned major = bytes ? 2 : 3;
		bool definite = bytes ? cbor_bytestring_is_definite(it) : cbor_string_is_definite(it);
		if (definite) {
			size_t n = bytes ? cbor_bytestring_length(it) : cbor_string_length(it);
			whead(w, major, n);
			wput(w, bytes ? cbor_bytestring_handle(it) : cbor_string_handle(it), n);
		} else {
			/* Chunked strings become one definite string. */
			size_t nc = bytes ? cbor_bytestring_chunk_count(it) : cbor_string_chunk_count(it);
			cbor_item_t **ch = bytes ? cbor_bytestring_chunks_handle(it) : cbor_string_chunks_handle(it);
			size_t total = 0;
			for (size_t i = 0; i < nc; i++)
				total += bytes ? cbor_bytestring_length(ch[i]) : cbor_string_length(ch[i]);
			whead(w, major, total);
			for (size_t i = 0; i < nc; i++)
				wput(w, bytes ? cbor_bytestring_handle(ch[i]) : cbor_string_handle(ch[i]),
				     bytes ? cbor_bytestring_length(ch[i]) : cbor_string_length(ch[i]));
		}
		break;
	}
	case CBOR_TYPE_ARRAY: {
		size_t n = cbor_array_size(it);
		cbor_item_t **h = cbor_array_handle(it);
		whead(w, 4, n);
		for (size_t i = 0; i < n; i++) {
			lp_err rc = encode_item(w, h[i], depth + 1);
			if (rc)
				return rc;
		}
		break;
	}
	case CBOR_TYPE_MAP: {
		size_t n = cbor_map_size(it);
		struct cbor_pair *h = cbor_map_handle(it);
		whead(w, 5, n);
		for (size_t i = 0; i < n; i++) {
			lp_err rc = encode_item(w, h[i].key, depth + 1);
			if (!rc)
				rc = encode_item(w, h[i].value, depth + 1);
			if (rc)
				return rc;
		}
		break;
	}
	case CBOR_TYPE_TAG:
		whead(w, 6, cbor_tag_value(it));
		return encode_item(w, it->metadata.tag_metadata.tagged_item, depth + 1);
	case CBOR_TYPE_FLOAT_CTRL: {
		uint8_t b[9];
		size_t n = 0;
		switch (cbor_float_get_width(it)) {
		case CBOR_FLOAT_0:
			whead(w, 7, cbor_ctrl_value(it));
			return LP_OK;
		/* The bits are written as they are, NaN payloads included. */
		case CBOR_FLOAT_16: {
			uint16_t h = float_to_half(cbor_float_get_float2(it));
			b[0] = 0xf9;
			b[1] = (uint8_t)(h >> 8);
			b[2] = (uint8_t)h;
			n = 3;
			break;
		}
		case CBOR_FLOAT_32: {
			float f = cbor_float_get_float4(it);
			uint32_t u;
			memcpy(&u, &f, sizeof u);
			b[0] = 0xfa;
			for (size_t i = 0; i < 4; i++)
				b[1 + i] = (uint8_t)(u >> (24 - 8 * i));
			n = 5;
			break;
		}
		case CBOR_FLOAT_64: {
			double f = cbor_float_get_float8(it);
			uint64_t u;
			memcpy(&u, &f, sizeof u);
			b[0] = 0xfb;
			for (size_t i = 0; i < 8; i++)
				b[1 + i] = (uint8_t)(u >> (56 - 8 * i));
			n = 9;
			break;
		}
		}
		if (n == 0)
			return LP_ERR_INTERNAL;
		wput(w, b, n);
		break;
	}
	default:
		return LP_ERR_ARG;
	}
	return LP_OK;
}

lp_err lp_cbor_encode(const cbor_item_t *item, lp_buf *out)
{
	struct wbuf w = { 0 };
	lp_err rc;
	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	rc = encode_item(&w, item, 0);
	if (!rc && w.oom)
		rc = LP_ERR_NOMEM;
	if (rc) {
		free(w.p);
		return rc;
	}
	out->ptr = w.p ? w.p : malloc(1);
	if (!out->ptr)
		return LP_ERR_NOMEM;
	out->len = w.len;
	return LP_OK;
}

/* --- helpers ------------------------------------------------------------ */

/* The argument of an integer item, read from libcbor's public item layout
 * (cbor/data.h) rather than through four out-of-line calls: map lookups
 * run this for every key of every map a verification reads. */
static uint64_t int_argument(const cbor_item_t *item)
{
	switch (item->metadata.int_metadata.width) {
	case CBOR_INT_8: return *(const uint8_t *)item->data;
	case CBOR_INT_16: return *(const uint16_t *)(const void *)item->data;
	case CBOR_INT_32: return *(const uint32_t *)(const void *)item->data;
	case CBOR_INT_64: return *(const uint64_t *)(const void *)item->data;
	}
	return cbor_get_int(item);
}

bool lp_cbor_get_int(const cbor_item_t *item, int64_t *out)
{
	if (!item || !out || (item->type != CBOR_TYPE_UINT && item->type != CBOR_TYPE_NEGINT))
		return false;
	uint64_t v = int_argument(item); /* a negint's value is -1 - v */
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = item->type == CBOR_TYPE_UINT ? (int64_t)v : -1 - (int64_t)v;
	return true;
}

cbor_item_t *lp_cbor_map_get_int(const cbor_item_t *map, int64_t key)
{
	if (!map || !cbor_isa_map(map))
		return NULL;
	size_t n = cbor_map_size(map);
	struct cbor_pair *h = cbor_map_handle(map);
	for (size_t i = 0; i < n; i++) {
		int64_t k;
		if (h[i].key && lp_cbor_get_int(h[i].key, &k) && k == key)
			return h[i].value;
	}
	return NULL;
}

cbor_item_t *lp_cbor_map_get_str(const cbor_item_t *map, const char *key)
{
	if (!map || !key || !cbor_isa_map(map))
		return NULL;
	size_t klen = strlen(key);
	size_t n = cbor_map_size(map);
	struct cbor_pair *h = cbor_map_handle(map);
	for (size_t i = 0; i < n; i++) {
		const cbor_item_t *k = h[i].key;
		if (k && cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == klen &&
		    (klen == 0 || memcmp(cbor_string_handle(k), key, klen) == 0))
			return h[i].value;
	}
	return NULL;
}

bool lp_cbor_is_simple(const cbor_item_t *item, uint8_t v)
{
	return item && cbor_isa_float_ctrl(item) && cbor_float_get_width(item) == CBOR_FLOAT_0 &&
	       cbor_ctrl_value(item) == v;
}

cbor_item_t *lp_cbor_int(int64_t v)
{
	/* Negative v is encoded as -1 - u with u = -(v + 1), computed without
	 * overflow for INT64_MIN. */
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-(v + 1));
	bool neg = v < 0;
	if (u <= 0xff)
		return neg ? cbor_build_negint8((uint8_t)u) : cbor_build_uint8((uint8_t)u);
	if (u <= 0xffff)
		return neg ? cbor_build_negint16((uint16_t)u) : cbor_build_uint16((uint16_t)u);
	if (u <= 0xffffffffu)
		return neg ? cbor_build_negint32((uint32_t)u) : cbor_build_uint32((uint32_t)u);
	return neg ? cbor_build_negint64(u) : cbor_build_uint64(u);
}

bool lp_cbor_map_put(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value)
{
	bool ok = false;
	if (map && key && value && cbor_isa_map(map))
		ok = cbor_map_add(map, (struct cbor_pair){ .key = key, .value = value });
	/* cbor_map_add took its own references on success; ours go either way. */
	if (key)
		drop(&key);
	if (value)
		drop(&value);
	return ok;
}
