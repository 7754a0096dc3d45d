/* zlib (RFC 1950/1951) compression for QR payloads and status lists, with
 * an inflater that streams in chunks and stops at a hard output limit so a
 * small input can never expand into a large allocation. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "leerpas/codec.h"
#include "lp1dict.h"

/* zlib counts in uInt; feed it at most this much at a time. */
#define ZCHUNK ((size_t)1 << 20)

static lp_err deflate_with(lp_view in, lp_view dict, lp_buf *out)
{
	lp_err rc = LP_OK;
	z_stream zs;
	uint8_t *buf = NULL;
	size_t cap, len = 0;
	if (!out)
		return LP_ERR_ARG;
	out->ptr = NULL;
	out->len = 0;
	if (!in.ptr && in.len)
		return LP_ERR_ARG;
	memset(&zs, 0, sizeof zs);
	/* LP1 texts use a 4 KiB window (header 48 E6): a presentation and the
	 * dictionary fit in it, and a reader then allocates 4 KiB, not 32. */
	if (deflateInit2(&zs, 9, Z_DEFLATED, dict.len ? LP_LP1_WINDOW_BITS : 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return LP_ERR_NOMEM;
	if (dict.len && deflateSetDictionary(&zs, dict.ptr, (uInt)dict.len) != Z_OK) {
		deflateEnd(&zs);
		return LP_ERR_INTERNAL;
	}
	cap = in.len + in.len / 1000 + 64;
	if (cap < in.len) {
		rc = LP_ERR_TOO_LARGE;
		goto out;
	}
	buf = malloc(cap);
	if (!buf) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	size_t in_off = 0;
	int zr;
	do {
		if (len == cap) {
			size_t nc = cap * 2;
			uint8_t *nb = nc > cap ? realloc(buf, nc) : NULL;
			if (!nb) {
				rc = LP_ERR_NOMEM;
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		size_t in_n = in.len - in_off < ZCHUNK ? in.len - in_off : ZCHUNK;
		size_t out_n = cap - len < ZCHUNK ? cap - len : ZCHUNK;
		zs.next_in = (Bytef *)(uintptr_t)(in.ptr ? in.ptr + in_off : (const uint8_t *)"");
		zs.avail_in = (uInt)in_n;
		zs.next_out = buf + len;
		zs.avail_out = (uInt)out_n;
		zr = deflate(&zs, in_off + in_n == in.len ? Z_FINISH : Z_NO_FLUSH);
		in_off += in_n - zs.avail_in;
		len += out_n - zs.avail_out;
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			rc = LP_ERR_INTERNAL;
			goto out;
		}
	} while (zr != Z_STREAM_END);
	out->ptr = buf;
	out->len = len;
	buf = NULL;
out:
	deflateEnd(&zs);
	free(buf);
	return rc;
}

lp_err lp_deflate(lp_view in, lp_buf *out)
{
	return deflate_with(in, lp_view_of(NULL, 0), out);
}

lp_err lp_deflate_lp1(lp_view in, lp_buf *out)
{
	return deflate_with(in, lp_view_of(lp_lp1_dict_v1, LP_LP1_DICT_V1_LEN), out);
}

lp_err lp_inflate(lp_view in, size_t max_out, lp_buf *out, lp_diag *d)
{
	lp_err rc = LP_OK;
	z_stream zs;
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, in_off = 0;
	if (!out)
		return lp_diag_set(d, LP_ERR_ARG, 0, "no output");
	out->ptr = NULL;
	out->len = 0;
	if ((!in.ptr && in.len) || max_out == SIZE_MAX)
		return lp_diag_set(d, LP_ERR_ARG, 0, "invalid argument");
	memset(&zs, 0, sizeof zs);
	/* windowBits 0: the window the stream's header names (4 KiB for LP1
	 * texts, 32 KiB for status lists), allocated no larger. */
	if (inflateInit2(&zs, 0) != Z_OK)
		return lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
	/* limit = max_out + 1: producing that one extra byte proves the stream
	 * is too large, without ever holding more. */
	size_t limit = max_out + 1;
	int zr = Z_OK;
	for (;;) {
		if (len == cap) {
			if (cap == limit) {
				rc = lp_diag_set(d, LP_ERR_TOO_LARGE, in_off,
				                 "decompressed data exceeds the limit of %zu bytes", max_out);
				goto out;
			}
			size_t nc = cap ? cap * 2 : (in.len < 1024 ? 4096 : in.len * 4);
			if (nc < cap || nc > limit)
				nc = limit;
			uint8_t *nb = realloc(buf, nc);
			if (!nb) {
				rc = lp_diag_set(d, LP_ERR_NOMEM, in_off, "out of memory");
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		size_t in_n = in.len - in_off < ZCHUNK ? in.len - in_off : ZCHUNK;
		size_t out_n = cap - len < ZCHUNK ? cap - len : ZCHUNK;
		zs.next_in = (Bytef *)(uintptr_t)(in.ptr ? in.ptr + in_off : (const uint8_t *)"");
		zs.avail_in = (uInt)in_n;
		zs.next_out = buf + len;
		zs.avail_out = (uInt)out_n;
		zr = inflate(&zs, Z_BLOCK);
		in_off += in_n - zs.avail_in;
		len += out_n - zs.avail_out;
		/* After the final block's end code the rest of its byte is padding;
		 * it must be zero, so that no two inputs carry the same data. */
		if ((zs.data_type & 192) == 192 && (zs.data_type & 7) && in_off > 0 &&
		    (in.ptr[in_off - 1] >> (8 - (zs.data_type & 7))) != 0) {
			rc = lp_diag_set(d, LP_ERR_INFLATE, in_off - 1,
			                 "corrupt zlib data: padding bits after the last block are not zero "
			                 "(byte %zu)", in_off - 1);
			goto out;
		}
		if (len > max_out) {
			rc = lp_diag_set(d, LP_ERR_TOO_LARGE, in_off,
			                 "decompressed data exceeds the limit of %zu bytes", max_out);
			goto out;
		}
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_NEED_DICT && zs.adler == LP_LP1_DICT_V1_ID &&
		    inflateSetDictionary(&zs, lp_lp1_dict_v1, LP_LP1_DICT_V1_LEN) == Z_OK)
			continue;
		if (zr == Z_NEED_DICT) {
			rc = lp_diag_set(d, LP_ERR_INFLATE, in_off,
			                 "the zlib data needs a preset dictionary (id %08lx) that this "
			                 "version does not know: a newer format, or not leerpas data",
			                 (unsigned long)zs.adler);
			goto out;
		}
		if (zr == Z_DATA_ERROR) {
			rc = lp_diag_set(d, LP_ERR_INFLATE, in_off, "corrupt zlib data near byte %zu%s%s", in_off,
			                 zs.msg ? ": " : "", zs.msg ? zs.msg : "");
			goto out;
		}
		if (zr == Z_MEM_ERROR) {
			rc = lp_diag_set(d, LP_ERR_NOMEM, in_off, "out of memory");
			goto out;
		}
		/* Z_OK or Z_BUF_ERROR: no progress possible once the input is
		 * used up and there is room for output. */
		if (in_off == in.len && zs.avail_out > 0) {
			rc = lp_diag_set(d, LP_ERR_INFLATE, in_off, "truncated zlib data: the stream ends early at byte %zu", in_off);
			goto out;
		}
	}
	if (in_off != in.len) {
		rc = lp_diag_set(d, LP_ERR_INFLATE, in_off, "%zu unexpected bytes after the zlib stream, from byte %zu",
		                 in.len - in_off, in_off);
		goto out;
	}
	if (len == 0) {
		free(buf);
		buf = malloc(1);
		if (!buf) {
			rc = lp_diag_set(d, LP_ERR_NOMEM, 0, "out of memory");
			goto out;
		}
	}
	out->ptr = buf;
	out->len = len;
	buf = NULL;
out:
	inflateEnd(&zs);
	if (buf) {
		memset(buf, 0, len);
		free(buf);
	}
	return rc;
}
